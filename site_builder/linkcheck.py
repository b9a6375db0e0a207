"""Check every internal link of the rendered site before it replaces the old one.

Pages are scanned one by one as they are rendered (:func:`scan_outputs`), keeping only
what the check needs: the ids of each page, the links that already failed, and the
links to another page's anchor, which can be judged only once that page is scanned.
:func:`check_links` then judges the deferred anchors, attributes each broken link to
the Markdown line or template that wrote it, and finds orphaned articles.
"""

from __future__ import annotations

import collections
import dataclasses
import typing as t
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from . import hrefs
from .config import Config
from .errors import Level, Problem
from .feeds import image_url
from .history import REDIRECT_TEMPLATE
from .links import locate, missing_source, source_lines
from .model import Article, Route, Site
from .urls import output_path

HTML_SUFFIXES = (".html", ".htm")


@dataclasses.dataclass(frozen=True, slots=True)
class SiteFiles:
    """What a link may point at: every output path of the build, and where it lives."""

    outputs: frozenset[str]
    base_url: str
    base_path: str


@dataclasses.dataclass(frozen=True, slots=True)
class PageScan:
    """What the link check keeps of one rendered HTML page."""

    output_path: str
    ids: frozenset[str]
    broken: tuple[tuple[str, str], ...]
    """Links that already failed, as (target as written, reason)."""
    anchored: tuple[tuple[str, str, str], ...]
    """Links to another page's anchor, as (target as written, output path, id)."""
    targets: tuple[str, ...]
    """Output paths this page links to; kept only for listing pages (reachability)."""
    external: tuple[str, ...]
    """Links leaving the site; kept only when asked for."""
    checked: int
    """Internal links checked on this page."""
    lookups: tuple[str, ...] = ()
    """Every internal site path the page links to, found or not: the reverse index the
    next build uses to re-check only the pages whose targets appeared or went away."""


@dataclasses.dataclass(frozen=True, slots=True)
class LinkReport:
    """The outcome of the link check."""

    checked: int
    """Internal links checked, over all pages (one per occurrence)."""
    broken: int
    """Broken links reported (one per page and target)."""
    external: t.Mapping[str, tuple[str, ...]]
    """External URL -> site paths of the pages that use it (only when asked for)."""
    unreached: tuple[str, ...] = ()
    """Source paths of articles that no listing page reaches."""
    unlinked: tuple[str, ...] = ()
    """Source paths of articles that no other article links to."""


def site_files(routes: t.Iterable[Route], config: Config) -> SiteFiles:
    """Return the files the build will write, known before anything is rendered."""
    return SiteFiles(frozenset(r.output_path for r in routes), config.base_url, config.base_path)


def scan_outputs(
    files: t.Iterable[tuple[str, bytes | Path]],
    routes: t.Mapping[str, Route],
    site_files: SiteFiles,
    into: list[PageScan],
    *,
    external: bool = False,
) -> t.Iterator[tuple[str, bytes | Path]]:
    """Pass ``files`` through unchanged, appending a :class:`PageScan` of each HTML page.

    Scanning as the stream passes keeps memory flat: no page is held after it is written.
    """
    for path, data in files:
        if path.endswith(HTML_SUFFIXES):
            route = routes.get(path)
            raw = data.read_bytes() if isinstance(data, Path) else data
            listing = route is None or is_listing(route)
            into.append(scan_page(path, route.url if route else path,
                                  raw.decode("utf-8", "replace"), site_files,
                                  keep_targets=listing, keep_external=external))
        yield path, data


def is_listing(route: Route) -> bool:
    """Return whether a page is a listing: rendered, and not an article, redirect or 404."""
    return (route.template not in (None, REDIRECT_TEMPLATE, "404.html")
            and not isinstance(route.context.get("article"), Article))


def scan_page(
    path: str, url: str, text: str, files: SiteFiles, *,
    keep_targets: bool = False, keep_external: bool = False,
) -> PageScan:
    """Scan one page at site path ``url`` written to output ``path``."""
    refs, ids = hrefs.scan(text)
    broken: list[tuple[str, str]] = []
    anchored: list[tuple[str, str, str]] = []
    targets: dict[str, None] = {}
    external: dict[str, None] = {}
    lookups: dict[str, None] = {}
    checked = 0
    page = files.base_path + url
    known = _known_links(files)
    for ref in refs:
        # Most links (navigation, tags, feeds) recur on thousands of pages; a link that
        # does not depend on the page it is on is classified once per process.
        alone = ref.startswith("/") or ref[:8].lower().startswith(("http://", "https://"))
        memo_key = ref if alone else (ref, page)
        found = known.get(memo_key)
        if found is None:
            kind, target, fragment = classify(ref, page, files)
            file = find_output(target, files.outputs) if kind == "internal" else None
            found = known[memo_key] = (kind, target, fragment, file)
            if len(known) > _MEMO_LIMIT:
                known.clear()
        kind, target, fragment, file = found
        if kind == "other":
            continue
        if kind == "external":
            if keep_external:
                external[ref] = None
            continue
        checked += 1
        if kind == "internal":
            lookups[target] = None
        if kind == "outside":
            broken.append((ref, "outside the site's base URL"))
            continue
        if file is None:
            broken.append((ref, ""))
            continue
        if keep_targets:
            targets[file] = None
        if not fragment or not file.endswith(HTML_SUFFIXES) or _always_there(fragment):
            continue
        if file == path:
            if fragment not in ids:
                broken.append((ref, f"no element with id '{fragment}' on this page"))
        else:
            anchored.append((ref, file, fragment))
    return PageScan(
        output_path=path, ids=frozenset(ids), broken=tuple(dict.fromkeys(broken)),
        anchored=tuple(dict.fromkeys(anchored)), targets=tuple(targets),
        external=tuple(external), checked=checked, lookups=tuple(lookups),
    )


def site_paths_of(output: str) -> tuple[str, ...]:
    """Return the site paths whose :func:`find_output` answer depends on file ``output``.

    When a build adds or removes ``output``, only pages that link to one of these can
    have a link whose verdict changed.
    """
    if output == "index.html":
        return (output, "")
    if output.endswith("/index.html"):
        return (output, output[:-10], output[:-11])
    return (output,)


_MEMO_LIMIT = 200_000
_memo: list[t.Any] = [None, {}]


def _known_links(files: SiteFiles) -> dict[t.Any, tuple[str, str, str, str | None]]:
    """Return this process's classified links for the site of ``files``."""
    if _memo[0] is not files:
        _memo[0], _memo[1] = files, {}
    return t.cast(dict[t.Any, tuple[str, str, str, str | None]], _memo[1])


def _always_there(fragment: str) -> bool:
    # "#top" scrolls to the top without an element; ":~:" starts a text fragment.
    return fragment.lower() == "top" or fragment.startswith(":~:")


def classify(ref: str, page: str, files: SiteFiles) -> tuple[str, str, str]:
    """Return (kind, site path, fragment) of a link on the page at URL path ``page``.

    ``kind`` is ``internal``, ``outside`` (under the site's host but not its base path),
    ``external`` (a web link leaving the site) or ``other`` (mailto:, data:, ...).
    """
    try:
        return _classify(ref, page, files)
    except ValueError:  # urlsplit refuses a malformed host: no page of ours
        return "other", ref, ""


def _classify(ref: str, page: str, files: SiteFiles) -> tuple[str, str, str]:
    if ref.startswith("//"):
        ref = urlsplit(files.base_url).scheme + ":" + ref
    lowered = ref[:8].lower()
    if lowered.startswith(("http://", "https://")):
        if not (ref.startswith(files.base_url) or ref + "/" == files.base_url):
            return "external", ref, ""
        parts = urlsplit(ref)
    elif ":" in ref.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return "other", ref, ""
    else:
        parts = urlsplit(urljoin(page, ref))
    path = parts.path or "/"
    if not path.startswith(files.base_path):
        if path + "/" == files.base_path:
            path += "/"
        else:
            return "outside", ref, ""
    return "internal", unquote(path[len(files.base_path):]), unquote(parts.fragment)


def find_output(site_path: str, outputs: frozenset[str]) -> str | None:
    """Return the file a static server answers ``site_path`` with, or None.

    A folder needs ``index.html``; a folder asked for without its ``/`` counts, since
    servers redirect it to the slash.
    """
    file = output_path(site_path)
    if file in outputs:
        return file
    if not site_path.endswith("/") and site_path + "/index.html" in outputs:
        return site_path + "/index.html"
    return None


def check_links(
    scans: t.Sequence[PageScan], routes: t.Mapping[str, Route], site: Site, config: Config,
    *, orphans: bool = False,
) -> tuple[LinkReport, list[Problem]]:
    """Judge the scanned pages; return the report and one problem per broken link."""
    ids = {scan.output_path: scan.ids for scan in scans}
    located = _Attributor(routes, site, config)
    for scan in scans:
        broken = list(scan.broken)
        for ref, file, fragment in scan.anchored:
            if fragment not in ids.get(file, frozenset()):
                broken.append((ref, f"no element with id '{fragment}' on /{_url_of(file)}"))
        for ref, reason in broken:
            located.add(scan.output_path, ref, reason)
    problems = located.problems()
    external: dict[str, list[str]] = collections.defaultdict(list)
    for scan in scans:
        route = routes.get(scan.output_path)
        for url in scan.external:
            external[url].append(route.url if route else scan.output_path)
    report = LinkReport(
        checked=sum(scan.checked for scan in scans),
        broken=located.count,
        external={url: tuple(sorted(pages)) for url, pages in sorted(external.items())},
    )
    if orphans:
        report = dataclasses.replace(report, unreached=unreached_articles(scans, routes, site),
                                     unlinked=unlinked_articles(site, config))
        problems += [Problem(src, None, "no listing page reaches this article (a template "
                                        "leaves it out of every list)") for src in report.unreached]
    return report, problems


def _url_of(output: str) -> str:
    return output.removesuffix("index.html")


class _Attributor:
    """Turn (page, broken link) pairs into problems located in a source or template."""

    def __init__(self, routes: t.Mapping[str, Route], site: Site, config: Config) -> None:
        self.routes = routes
        self.site = site
        self.config = config
        self.level: Level = "error" if config.link_check == "error" else "warning"
        self.count = 0
        self._content: list[Problem] = []
        self._templates: dict[tuple[str, str, str], list[str]] = collections.defaultdict(list)
        self._body_refs: dict[str, frozenset[str]] = {}
        self._lines: dict[str, list[str]] = {}
        self._images: dict[str, Article] | None = None

    def add(self, page: str, ref: str, reason: str) -> None:
        self.count += 1
        route = self.routes.get(page)
        article = route.context.get("article") if route else None
        detail = f" ({reason})" if reason else ""
        if isinstance(article, Article):
            problem = self._in_article(article, ref, detail)
            if problem is not None:
                self._content.append(problem)
                return
        if route is not None and route.template is None:
            name = route.sources[0] if route.sources else page
            self._content.append(Problem(name, None, f"broken link '{ref}'{detail}", self.level))
            return
        owner = self._image_owner(route.url, ref) if route is not None else None
        if owner is not None and owner.image is not None:
            # A listing's thumbnail: the article's image is at fault, as on its own page.
            problem = Problem(owner.src_path, owner.line_of("image"),
                              f"image: broken link '{owner.image.src}'{detail}", self.level)
            if problem not in self._content:
                self._content.append(problem)
            return
        template = _template_label(route.template if route else None, self.config)
        self._templates[(template, ref, detail)].append(route.url if route else page)

    def _in_article(self, article: Article, ref: str, detail: str) -> Problem | None:
        body = self._body_refs.get(article.src_path)
        if body is None:
            body = frozenset(hrefs.scan(article.html)[0])
            self._body_refs[article.src_path] = body
        if ref in body:
            written = article.link_origins.get(ref, ref)
            lines = self._lines.get(article.src_path)
            if lines is None:
                lines = self._lines[article.src_path] = source_lines(self.config, article)
            line = locate(self.config, article, ref, lines)
            source = None if written != ref else missing_source(ref, article,
                                                                self.config.content_dir)
            if source is not None:
                detail = f" (no article at {source})"
            if article.original_url:
                # Imported text is kept as it was published. Its links to pages are
                # resolved (to this archive or the original site), so what can still
                # break is an anchor the original text or site got wrong: that is the
                # source's fault, not the archive's, and only warns (--strict fails).
                return Problem(article.src_path, line,
                               f"broken link '{written}'{detail} in imported text", "warning")
            return Problem(article.src_path, line, f"broken link '{written}'{detail}",
                           self.level)
        if any(entry.url == ref for entry in article.related):
            return Problem(article.src_path, article.line_of("related"),
                           f"related: broken link '{ref}'{detail}", self.level)
        if article.image is not None and article.image.src == ref:
            return Problem(article.src_path, article.line_of("image"),
                           f"image: broken link '{ref}'{detail}", self.level)
        return None

    def _image_owner(self, page_url: str, ref: str) -> Article | None:
        """Return the article whose lead image ``ref``, written on ``page_url``, is."""
        if self._images is None:
            self._images = {}
            for article in self.site.published:
                url = image_url(self.config, article)
                if url is not None:
                    self._images.setdefault(url, article)
        return self._images.get(urljoin(self.config.base_url + page_url, ref))

    def problems(self) -> list[Problem]:
        found = list(self._content)
        for (template, ref, detail), pages in sorted(self._templates.items()):
            where = f"on /{pages[0]}" if len(pages) == 1 else \
                f"on {len(pages)} pages, first /{sorted(pages)[0]}"
            found.append(Problem(template, None, f"broken link '{ref}'{detail} {where}",
                                 self.level))
        return found


def _template_label(template: str | None, config: Config) -> str:
    """Return how the user knows a template: ``templates/x.html`` or ``default/x.html``."""
    if template is None:
        return "<unknown>"
    if (config.templates_path / template).is_file():
        return f"{config.templates_dir}/{template}"
    return f"default/{template}"


def unreached_articles(
    scans: t.Sequence[PageScan], routes: t.Mapping[str, Route], site: Site
) -> tuple[str, ...]:
    """Return the source paths of articles no listing page reaches from the home page.

    Listing pages are followed from ``index.html`` through links between listing pages
    only; article pages' own links (neighbours, related) do not count.
    """
    targets = {scan.output_path: scan.targets for scan in scans}
    seen = {"index.html"}
    queue = collections.deque(["index.html"])
    reached: set[str] = set()
    while queue:
        for file in targets.get(queue.popleft(), ()):
            route = routes.get(file)
            if route is not None and isinstance(route.context.get("article"), Article):
                reached.add(file)
            elif file not in seen and file in targets:
                seen.add(file)
                queue.append(file)
    return tuple(sorted(a.src_path for a in site.articles
                        if output_path(a.url) not in reached))


def unlinked_articles(site: Site, config: Config) -> tuple[str, ...]:
    """Return the source paths of articles no other article's text or related list links to."""
    files = SiteFiles(frozenset(output_path(a.url) for a in site.published),
                      config.base_url, config.base_path)
    by_output = {output_path(a.url): a for a in site.published}
    linked: set[str] = set()
    for article in site.published:
        refs = hrefs.scan(article.html)[0] + [e.url for e in article.related if e.url]
        for ref in refs:
            kind, target, _ = classify(ref, files.base_path + article.url, files)
            file = find_output(target, files.outputs) if kind == "internal" else None
            found = by_output.get(file) if file else None
            if found is not None and found.src_path != article.src_path:
                linked.add(found.src_path)
    return tuple(sorted(a.src_path for a in site.published if a.src_path not in linked))
