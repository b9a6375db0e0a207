"""The build: one function that runs every stage in order."""

from __future__ import annotations

import dataclasses
import logging
import time
import typing as t
from pathlib import Path

from .config import Config
from .content import discover_sources, parse_article
from .errors import BuildError, Problem, errors_in
from .history import load_history, plan_redirects, redirect_routes, save_history, updated_history
from .linkcheck import LinkReport, PageScan, check_links, scan_outputs, site_files
from .links import resolve_links
from .model import Article, Route, Site
from .output import AfterWrite, WriteResult, check_routes, write_output
from .render import make_environment, render_route
from .routes import check_collisions, plan_routes, static_routes
from .search import index_search
from .site import build_site
from .validate import validate_articles

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build produced."""

    pages: int
    """Number of output files."""
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    deleted: tuple[str, ...]
    warnings: tuple[Problem, ...]
    seconds: float
    links: LinkReport | None = None
    redirects: int = 0
    """Old URLs that now lead elsewhere (URL history and aliases)."""


def build(
    config: Config, *, strict: bool = False, write: bool = True, external: bool = False,
    orphans: bool = False, record_history: bool = False,
) -> BuildResult:
    """Build the site of ``config``; raise :class:`BuildError` listing every problem.

    With ``write=False`` everything is loaded, validated, rendered and link-checked but
    nothing is written (``site-builder check``). ``external`` collects the external
    links, ``orphans`` looks for articles that listings or other articles do not reach.
    With ``record_history`` (``site-builder build``) a successful write adds the pages
    to the project's URL history, unless drafts are built: only publishing records
    URLs, never a preview.
    """
    started = time.perf_counter()
    problems: list[Problem] = []
    record_history = record_history and write and not config.drafts

    sources, found = discover_sources(config)
    problems += found
    articles: list[Article] = []
    for src in sources:
        article, found = parse_article(src, config)
        problems += found
        if article is not None and (config.drafts or not article.draft):
            articles.append(article)
    _log_time("parse", started)
    # Cross-article checks need every article, so they run only after all are parsed.
    problems += validate_articles(articles)
    _fail_on_errors(problems, strict)
    # Resolving links needs every article too; doing it while parsing would make the
    # result depend on the order files are read in (pelican#2288).
    static = static_routes(config)
    articles, found = resolve_links(articles, config, [r.url for r in static])
    problems += found
    _log_time("resolve links", started)
    history, found = load_history(config)
    problems += found

    site = build_site(config, articles)
    problems += site.problems
    _fail_on_errors(problems, strict)
    routes = plan_routes(site, config, static)
    redirects, found = plan_redirects(history, site, routes, config)
    problems += found
    routes = [*routes, *redirect_routes(redirects)]
    check_collisions(routes)
    unsafe = check_routes(routes)
    if unsafe:
        # These paths must never reach the writer: stop here, with all found so far.
        _fail_on_errors(problems + unsafe, strict)
    _log_time("plan", started)

    by_output = {route.output_path: route for route in routes}
    scans: list[PageScan] = []
    report: list[LinkReport] = []

    def check() -> None:
        # Runs once the last page is rendered, which is before write_output swaps the
        # new build in: broken links leave the previous output untouched.
        _log_time("render and scan", started)
        link_report, found = check_links(scans, by_output, site, config, orphans=orphans)
        _log_time("check links", started)
        report.append(link_report)
        problems.extend(found)
        _fail_on_errors(problems, strict)

    files = _then(scan_outputs(_render(config, site, routes), by_output,
                               site_files(routes, config), scans, external=external), check)
    if write:
        after_write = _search_indexer(config, problems) if config.search else None
        result = write_output(config.output_path, files, after_write,
                              project_dir=config.project_dir)
        if record_history:
            save_history(config, updated_history(history, routes))
    else:
        outputs = [path for path, _ in files]
        result = WriteResult(tuple(sorted(outputs)), (), ())
    _log_time("write", started)

    return BuildResult(
        pages=len(routes), written=result.written, unchanged=result.unchanged,
        deleted=result.deleted, warnings=tuple(problems),
        seconds=time.perf_counter() - started, links=report[0], redirects=len(redirects),
    )


def _then(
    files: t.Iterable[tuple[str, bytes | Path]], finish: t.Callable[[], None]
) -> t.Iterator[tuple[str, bytes | Path]]:
    """Yield ``files``, then call ``finish``, whose exception reaches the consumer."""
    yield from files
    finish()


def _render(
    config: Config, site: Site, routes: t.Sequence[Route]
) -> t.Iterator[tuple[str, bytes | Path]]:
    env = make_environment(config)
    for route in routes:
        if route.source_file is not None:
            yield route.output_path, Path(route.source_file)
        else:
            yield route.output_path, render_route(env, route, site)


def _search_indexer(config: Config, problems: list[Problem]) -> AfterWrite:
    """Return the step that indexes the staged pages; its warnings go to ``problems``."""

    def index(staging: Path, result: WriteResult) -> WriteResult:
        html_changed = any(p.endswith(".html") for p in result.written + result.deleted)
        written, unchanged, found = index_search(staging, config.output_path, html_changed)
        problems.extend(found)
        return WriteResult(tuple(written), tuple(unchanged), ())

    return index


def _fail_on_errors(problems: list[Problem], strict: bool) -> None:
    failing = errors_in(problems, strict=strict)
    if failing:
        raise BuildError(failing)


def _log_time(stage: str, started: float) -> None:
    log.debug("%s done at %.3f s", stage, time.perf_counter() - started)
