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
from .model import Article, Route, Site
from .output import AfterWrite, WriteResult, write_output
from .render import make_environment, render_route
from .routes import plan_routes
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


def build(config: Config, *, strict: bool = False, write: bool = True) -> BuildResult:
    """Build the site of ``config``; raise :class:`BuildError` listing every problem.

    With ``write=False`` everything is loaded, validated and rendered but nothing is
    written (``site-builder check``).
    """
    started = time.perf_counter()
    problems: list[Problem] = []

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

    site = build_site(config, articles)
    routes = plan_routes(site, config)
    _log_time("plan", started)

    files = _render(config, site, routes)
    if write:
        after_write = _search_indexer(config, problems) if config.search else None
        result = write_output(config.output_path, files, after_write)
    else:
        outputs = [path for path, _ in files]
        result = WriteResult(tuple(sorted(outputs)), (), ())
    _log_time("render and write", started)

    return BuildResult(
        pages=len(routes), written=result.written, unchanged=result.unchanged,
        deleted=result.deleted, warnings=tuple(problems),
        seconds=time.perf_counter() - started,
    )


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
