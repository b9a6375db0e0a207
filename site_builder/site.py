"""Assemble parsed articles into the :class:`Site` model: order, indexes, pagination."""

from __future__ import annotations

import typing as t
from pathlib import Path, PurePosixPath

from .config import CONFIG_NAME, Config
from .content import SUFFIXES
from .errors import Problem
from .model import Article, Link, Page, Period, Site
from .related import related_articles
from .taxonomy import build_taxonomy, order_sections
from .urls import (
    CATEGORIES,
    SECTIONS,
    day_url,
    month_url,
    page_url,
    printable,
    site_path_of,
    year_url,
)

FindRelated = t.Callable[
    [t.Sequence[Article], t.Mapping[str, frozenset[str]], int, t.Mapping[str, frozenset[str]]],
    dict[str, tuple[Article, ...]]]
"""The signature of :func:`related_articles`; the build passes a memoised one."""


def build_site(
    config: Config, articles: t.Iterable[Article], find_related: FindRelated = related_articles
) -> Site:
    """Return the site model for ``articles`` (drafts already filtered out).

    Standalone pages (``page: true``, or files in ``content/pages/``) get a page each but
    join no listing, term, section, date archive or related list; they alone may be
    undated.
    """
    everything = list(articles)
    ordered = tuple(sorted((a for a in everything if not a.page),
                           key=lambda a: (a.listed_date, a.url), reverse=True))
    pages = tuple(sorted((a for a in everything if a.page), key=lambda a: a.url))
    tags, problems = build_taxonomy("tags", ordered)
    authors, found = build_taxonomy("authors", ordered)
    problems += found
    sources, found = build_taxonomy("sources", ordered)
    problems += found
    categories, found = build_taxonomy(CATEGORIES, ordered)
    problems += found
    sections, found = build_taxonomy(SECTIONS, ordered)
    problems += found
    tags_of = {a.url: frozenset(tags.by_name[name].slug for name in a.tags) for a in ordered}
    # Front-matter entries come first on the page; do not suggest the same article twice.
    listed = {a.url: frozenset(_site_path(config, e.url) for e in a.related if e.url)
              for a in ordered if a.related}
    years, months, days = group_by_date(ordered)
    header, footer, found = menu_links(config, (*pages, *ordered))
    problems += found
    return Site(
        articles=ordered,
        by_url={a.url: a for a in (*ordered, *pages)},
        by_src_path={a.src_path: a for a in (*ordered, *pages)},
        home_pages=paginate(ordered, config.per_page, ""),
        tags=tags,
        authors=authors,
        sources=sources,
        categories=categories,
        sections=order_sections(sections, config.sections),
        pages=pages,
        header_links=header,
        footer_links=footer,
        years=years,
        months=months,
        days=days,
        related=find_related(ordered, tags_of, config.related_limit, listed),
        problems=tuple(problems),
    )


def menu_links(
    config: Config, published: t.Sequence[Article]
) -> tuple[tuple[Link, ...], tuple[Link, ...], list[Problem]]:
    """Return the header and footer links of ``[menu]``, and an error for each entry that
    names no page.

    An entry names a page (or an article) by its URL, with or without slashes (``about``,
    ``/about/``, ``about-us.html``), or by its file in the content folder
    (``pages/about.md``). The link shows the page's title.
    """
    by_url = {a.url: a for a in published}
    by_file = {a.src_path: a for a in published}
    content = PurePosixPath(Path(config.content_dir).as_posix())
    problems: list[Problem] = []

    def resolve(key: str, entry: str) -> Link | None:
        if entry.endswith(SUFFIXES):
            found = by_file.get((content / entry.lstrip("/")).as_posix())
        else:
            path, _ = site_path_of(entry, config.base_url, config.base_path, "a menu entry")
            found = by_url.get(path) if path else None
        if found is None:
            known = ", ".join(f"'{a.url.rstrip('/')}'" for a in published if a.page) or "none"
            problems.append(Problem(CONFIG_NAME, config.menu.line, (
                f"menu.{key}: '{printable(entry)}' is not a page of the site: name a page by "
                f"its URL ('about') or its file ('pages/about.md'); standalone pages: {known}")))
            return None
        return Link(found.title, found.url)

    def links(key: str, entries: t.Sequence[str]) -> tuple[Link, ...]:
        return tuple(link for entry in entries if (link := resolve(key, entry)) is not None)

    return (links("header", config.menu.header), links("footer", config.menu.footer),
            problems)


def _site_path(config: Config, url: str) -> str:
    """Return ``url`` relative to the base URL when it points into the site."""
    for prefix in (config.base_url, config.base_path):
        if url.startswith(prefix):
            return url[len(prefix):]
    return url


def group_by_date(
    articles: t.Sequence[Article],
) -> tuple[tuple[Period, ...], tuple[Period, ...], tuple[Period, ...]]:
    """Return the years, months and days of newest-first ``articles``, newest first.

    An article belongs to the date written in its own time zone, the one its permalink
    shows, so it is listed under the day its URL names.
    """
    years: dict[int, list[Article]] = {}
    months: dict[tuple[int, int], list[Article]] = {}
    days: dict[tuple[int, int, int], list[Article]] = {}
    for article in articles:
        date = article.listed_date
        years.setdefault(date.year, []).append(article)
        months.setdefault((date.year, date.month), []).append(article)
        days.setdefault((date.year, date.month, date.day), []).append(article)
    return (
        tuple(Period(y, None, None, year_url(y), tuple(items))
              for y, items in sorted(years.items(), reverse=True)),
        tuple(Period(y, m, None, month_url(y, m), tuple(items))
              for (y, m), items in sorted(months.items(), reverse=True)),
        tuple(Period(y, m, d, day_url(y, m, d), tuple(items))
              for (y, m, d), items in sorted(days.items(), reverse=True)),
    )


def paginate(items: t.Sequence[Article], per_page: int, base: str) -> tuple[Page, ...]:
    """Split a newest-first list into pages numbered from the oldest.

    Pages 1 … n-1 hold exactly ``per_page`` items counted from the oldest, so a page's
    URL keeps its content as the archive grows. The newest page (served at ``base``)
    takes the remainder, between ``per_page`` and ``2 * per_page - 1`` items, so the
    front page is never nearly empty; when it reaches ``2 * per_page`` it splits and
    only the front page and one new numbered page change.
    """
    oldest_first = list(reversed(items))
    count = max(1, len(items) // per_page)
    chunks = [oldest_first[i * per_page:(i + 1) * per_page] for i in range(count - 1)]
    chunks.append(oldest_first[(count - 1) * per_page:])
    urls = [page_url(base, n, newest=n == count) for n in range(1, count + 1)]
    return tuple(
        Page(
            items=tuple(reversed(chunk)),
            number=n,
            count=count,
            url=urls[n - 1],
            newer_url=urls[n] if n < count else None,
            older_url=urls[n - 2] if n > 1 else None,
            newest_url=urls[-1],
            oldest_url=urls[0],
        )
        for n, chunk in enumerate(chunks, 1)
    )
