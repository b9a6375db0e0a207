"""Plan every output file before anything is rendered."""

from __future__ import annotations

import collections
import dataclasses
import importlib.resources
import itertools
import os
import typing as t
from pathlib import Path

from .config import Config
from .content import SourceFile
from .errors import BuildError, Problem
from .feeds import content_date, newest_date, sitemap_routes
from .model import Article, Page, Period, Route, Site, Taxonomy, Term
from .site import paginate
from .taxonomy import SINGULAR
from .urls import ARCHIVE_URL, CATEGORIES, PAGE_SUFFIXES, output_path, page_folder
from .validate import RESERVED_FOLDERS

THEME_ASSETS = "assets/"
"""Site folder of the files shipped in the package's ``static/`` folder."""
SEARCH_URL = "search/"


def plan_routes(
    site: Site, config: Config, static: t.Sequence[Route] | None = None
) -> list[Route]:
    """Return every route of the site; raise :class:`BuildError` if two share an output file.

    ``static`` is the result of :func:`static_routes` when the caller already has it.
    """
    routes = article_routes(site)
    routes += listing_routes(site, config)
    routes += feed_routes(site, config)
    sections = section_routes(site, config)
    routes.append(Route(url="robots.txt", output_path="robots.txt", template="robots.txt"))
    routes.append(Route(url="404.html", output_path="404.html", template="404.html"))
    if config.search:
        routes.append(Route(url=SEARCH_URL, output_path="search/index.html",
                            template="search.html"))
    routes.extend(static_routes(config) if static is None else static)
    check_sections(sections, routes)
    routes += [route for _, route in sections]
    # The sitemap lists pages, so it is planned once every other route is known.
    pages = [r for r in routes if r.output_path.endswith(PAGE_SUFFIXES)
             and r.url not in ("404.html", SEARCH_URL)]
    routes.extend(sitemap_routes(config, pages))
    check_collisions(routes)
    return routes


def article_routes(site: Site) -> list[Route]:
    """Return one page per article, with its neighbours by date and related articles, and
    one per standalone page (``page.html``, which reads the page as ``article``)."""
    routes: list[Route] = []
    articles = site.articles
    for index, article in enumerate(articles):
        routes.append(Route(
            url=article.url, output_path=output_path(article.url), template="article.html",
            context={
                "article": article,
                "newer": articles[index - 1] if index > 0 else None,
                "older": articles[index + 1] if index + 1 < len(articles) else None,
                "related": site.related.get(article.url, ()),
            },
            sources=(article.src_path,),
            lastmod=content_date(article),
        ))
    # Standalone pages stand outside the sequence of articles: no neighbours, no related.
    for page in site.pages:
        routes.append(Route(
            url=page.url, output_path=output_path(page.url), template="page.html",
            context={"article": page}, sources=(page.src_path,), lastmod=content_date(page),
        ))
    return routes


def bundle_routes(
    articles: t.Iterable[Article], bundled: t.Mapping[str, t.Sequence[SourceFile]]
) -> list[Route]:
    """Return copy routes publishing each page bundle's files beside its article's page.

    A file keeps its path relative to the bundle's folder, under the page's folder (a
    URL ending in ``/``) or the folder of an ``x.html`` page, so the body's relative
    links (``![](photo.jpg)``) work as written.
    """
    routes: list[Route] = []
    for article in sorted(articles, key=lambda a: a.src_path):
        files = bundled.get(article.src_path)
        if not files:
            continue
        folder = article.src_path.rpartition("/")[0] + "/"
        for file in files:
            url = page_folder(article.url) + file.path.removeprefix(folder)
            routes.append(Route(url=url, output_path=url, template=None,
                                source_file=str(file.abs_path), sources=(file.path,)))
    return routes


FRONT_SECTION_ARTICLES = 3
"""Most articles of each section the front page shows below the latest ones."""


def front_page(page: Page, sections: Taxonomy | None = None) -> dict[str, object]:
    """Return what the front page (the newest home page) shows besides its list.

    The lead story is the newest ``featured`` article on the page, else the newest
    article: a featured story leads only until newer ones push it off the front page.
    The other articles of the page follow it, so ``/page/N/`` goes on where it ends.
    Then each section, in navigation order, with its newest articles not shown above
    (at most :data:`FRONT_SECTION_ARTICLES`; a section with none left is left out): a
    copy of its term holding only those, so the page depends on them and no others.
    """
    items = page.items
    lead = next((article for article in items if article.featured), items[0] if items else None)
    shown = {id(article) for article in items}
    blocks: list[Term] = []
    for term in sections.terms if sections is not None else ():
        newest = tuple(itertools.islice(
            (article for article in term.articles if id(article) not in shown),
            FRONT_SECTION_ARTICLES))
        if newest:
            blocks.append(dataclasses.replace(term, articles=newest, count=term.count))
    return {"lead": lead, "latest": tuple(article for article in items if article is not lead),
            "sections": tuple(blocks)}


def listing_routes(site: Site, config: Config) -> list[Route]:
    """Return the home pages, date archives, and term indexes and pages."""
    routes = [_listing(page, "index.html",
                       front_page(page, site.sections) if page.newer_url is None else {})
              for page in site.home_pages]
    months_of: dict[int, list[Period]] = collections.defaultdict(list)
    for month in site.months:
        months_of[month.year].append(month)
    days_of: dict[tuple[int, int | None], list[Period]] = collections.defaultdict(list)
    for day in site.days:
        days_of[(day.year, day.month)].append(day)
    routes.append(Route(
        url=ARCHIVE_URL, output_path=output_path(ARCHIVE_URL), template="archive.html",
        context={"years": [(year.counted(), [m.counted() for m in months_of[year.year]])
                           for year in site.years],
                 "busiest": max((len(m.articles) for m in site.months), default=0),
                 "total": len(site.articles)},
        lastmod=newest_date(site.articles),
    ))
    levels: tuple[tuple[str, tuple[Period, ...], t.Callable[[Period], list[Period]]], ...] = (
        ("year.html", site.years, lambda p: months_of[p.year]),
        ("month.html", site.months, lambda p: days_of[(p.year, p.month)]),
        ("day.html", site.days, lambda p: []),
    )
    for template, periods, children in levels:
        for period in periods:
            # Counts only: a page lists its own articles (page.items), see Term.counted.
            parts = {"period": period.counted(),
                     "children": [child.counted() for child in children(period)]}
            routes += [_listing(page, template, parts)
                       for page in paginate(period.articles, config.per_page, period.url)]
    for taxonomy in site.taxonomies:
        routes.append(Route(
            url=taxonomy.url, output_path=output_path(taxonomy.url),
            template=f"{taxonomy.kind}.html", context={"taxonomy": taxonomy.counted()},
            lastmod=newest_date(a for term in taxonomy.terms for a in term.articles[:1]),
        ))
        template = f"{SINGULAR[taxonomy.kind]}.html"
        kind = Taxonomy(taxonomy.kind, taxonomy.url)
        for term in taxonomy.terms:
            parts = {"taxonomy": kind, "term": term.counted()}
            routes += [_listing(page, template, parts)
                       for page in paginate(term.articles, config.per_page, term.url)]
    return routes


def section_routes(site: Site, config: Config) -> list[tuple[Term, Route]]:
    """Return each section's front (paginated like every listing) and its Atom feed,
    with the section each belongs to."""
    kind = Taxonomy(site.sections.kind, site.sections.url)
    routes: list[tuple[Term, Route]] = []
    for term in site.sections.terms:
        parts = {"taxonomy": kind, "term": term.counted()}
        routes += [(term, _listing(page, "section.html", parts))
                   for page in paginate(term.articles, config.per_page, term.url)]
        routes.append((term, _atom(term.feed_url, term.url, f"{config.title}: {term.name}",
                                   term.articles[: config.feed_limit])))
    return routes


def check_sections(sections: t.Sequence[tuple[Term, Route]], others: t.Sequence[Route]) -> None:
    """Raise :class:`BuildError` when a section would take a folder or file of another page.

    A section's front is a folder at the top of the site (``world/``), where a year
    archive, a standalone page or an article may already be; the error names the article
    that first filed something under the section, at its ``section`` line.
    """
    by_path = {route.output_path: route for route in others}
    reserved = (*RESERVED_FOLDERS, f"{CATEGORIES}/")
    problems: list[Problem] = []
    told: set[str] = set()
    for term, route in sections:
        first = term.articles[-1]
        where = (first.src_path, first.line_of("section"))
        if term.url in reserved and term.url not in told:
            told.add(term.url)
            problems.append(Problem(*where, f"section '{term.name}' would have its front at "
                                            f"/{term.url}, a folder the site reserves: "
                                            "rename the section"))
        other = by_path.get(route.output_path)
        if other is not None and term.url not in told:
            told.add(term.url)
            fix = ("rename the section or give the page another URL"
                   if isinstance(other.context.get("article"), Article) else "rename the section")
            problems.append(Problem(*where, f"section '{term.name}' would have its front at "
                                            f"/{term.url}, which is also {_described(other)}: "
                                            f"{fix}"))
    if problems:
        raise BuildError(problems)


def _described(route: Route) -> str:
    """Name what a route publishes, for a message about a clash."""
    article = route.context.get("article")
    if isinstance(article, Article):
        kind = "standalone page" if article.page else "article"
        return f"the {kind} {article.src_path} (/{article.url})"
    if route.sources:
        return ", ".join(route.sources)
    if route.template in ("year.html", "month.html", "day.html"):
        return f"the date archive /{route.url}"
    return f"the site's own {route.template or 'file'} /{route.url}"


def _listing(page: Page, template: str, context: t.Mapping[str, object]) -> Route:
    return Route(url=page.url, output_path=output_path(page.url), template=template,
                 context={**context, "page": page}, lastmod=newest_date(page.items))


def feed_routes(site: Site, config: Config) -> list[Route]:
    """Return the site's Atom, RSS and JSON feeds and an Atom feed per term."""
    newest = site.articles[: config.feed_limit]
    routes = [
        _atom("feed.xml", "", config.title, newest),
        Route(url="rss.xml", output_path="rss.xml", template="rss.xml",
              context={"articles": newest, "updated": newest_date(newest)}),
        # The document is made when the page renders, from the articles themselves: made
        # here, it would hold their bodies as plain text no fingerprint could follow.
        Route(url="feed.json", output_path="feed.json", template="feed.json",
              context={"articles": newest, "title": config.title, "feed_url": "feed.json",
                       "home_url": ""}),
    ]
    for taxonomy in site.taxonomies:
        for term in taxonomy.terms:
            routes.append(_atom(term.feed_url, term.url, f"{config.title}: {term.name}",
                                term.articles[: config.feed_limit]))
    return routes


def _atom(url: str, page_url: str, title: str, articles: t.Sequence[Article]) -> Route:
    return Route(url=url, output_path=url, template="atom.xml", context={
        "articles": articles, "feed_url": url, "page_url": page_url, "feed_title": title,
        "updated": newest_date(articles),
    })


def static_routes(config: Config) -> list[Route]:
    """Return copy routes for the theme's assets and the project's ``static/`` folder.

    A project file replaces a theme asset of the same path, so a user can restyle the
    site by dropping ``static/assets/site.css`` into the project.
    """
    files: dict[str, tuple[str, str]] = {}
    theme = importlib.resources.files("site_builder") / "static"
    with importlib.resources.as_file(theme) as theme_dir:
        for rel, path in _walk(theme_dir):
            files[THEME_ASSETS + rel] = (str(path), "site_builder/static/" + rel)
    for rel, path in _walk(config.static_path):
        files[rel] = (str(path), f"{config.static_dir}/{rel}")
    return [
        Route(url=rel, output_path=rel, template=None, source_file=abs_path, sources=(shown,))
        for rel, (abs_path, shown) in sorted(files.items())
    ]


def _walk(root: Path) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    if not root.is_dir():
        return found
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or name.endswith((".pyc", "~")):
                continue
            path = Path(folder) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
                # Never publish a file from outside the folder the user chose.
                continue
            found.append((path.relative_to(root).as_posix(), path))
    return found


def check_collisions(routes: list[Route]) -> None:
    """Raise :class:`BuildError` naming the sources of routes that share an output file."""
    by_path: dict[str, list[Route]] = collections.defaultdict(list)
    for route in routes:
        by_path[route.output_path].append(route)
    problems = []
    for path, group in sorted(by_path.items()):
        if len(group) > 1:
            names = ", ".join([s for r in group for s in r.sources]
                              + [f"the site's own {r.template or 'file'} page"
                                 for r in group if not r.sources])
            problems.append(Problem(group[0].sources[0] if group[0].sources else "config.toml",
                                    None, f"two outputs would be written to {path}: {names}"))
    if problems:
        raise BuildError(problems)
