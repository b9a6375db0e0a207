"""The build: one function that runs every stage in order."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import time
import typing as t

from .config import Config
from .content import Sources, read_sources
from .delta import update_kept
from .digests import code_digest, digest_bytes, tree_digest
from .errors import BuildError, Problem, errors_in
from .history import (
    REDIRECT_TEMPLATE,
    load_history,
    plan_redirects,
    redirect_routes,
    save_history,
    updated_history,
)
from .incremental import unchanged as last_build
from .incremental.fingerprint import (
    Digester,
    Uncacheable,
    route_fingerprint,
    site_attributes_read,
    site_value,
)
from .incremental.kept import KeptModel, route_deps
from .incremental.resolving import resolve_links_cached
from .incremental.state import BuildState
from .incremental.store import CacheCorrupt
from .incremental.unchanged import structure_digest
from .linkcheck import LinkReport
from .model import Article, Route, Site
from .options import BuildOptions, Progress
from .output import check_replaceable, check_routes, lock_output, recover
from .parsing import Parsing, parse_sources
from .pictures import attach_pictures, bundle_copies, image_files, picture_routes
from .publish import publish
from .related import related_articles
from .render import make_environment
from .routes import bundle_routes, check_collisions, plan_routes, static_routes
from .site import build_site
from .validate import validate_articles

log = logging.getLogger(__name__)

__all__ = ["BuildOptions", "BuildResult", "Progress", "build"]


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
    rendered: int = 0
    """Routes rendered (the others were known unchanged from their fingerprints)."""
    parsed: int = 0
    """Source files parsed (the others came from the cache)."""
    stages: tuple[tuple[str, float], ...] = ()
    """Seconds spent in each stage, in order."""
    html_pages: int = 0
    """Number of HTML pages among the output files (redirect pages left out)."""
    drafts: int = 0
    """Draft articles left out (the config does not build drafts)."""

    @property
    def changed(self) -> tuple[str, ...]:
        """Return the output paths written or removed, sorted (for deploy tools)."""
        return tuple(sorted(self.written + self.deleted))


def build(
    config: Config, options: BuildOptions | None = None, *,
    state: BuildState | None = None, progress: Progress | None = None, **flags: t.Any,
) -> BuildResult:
    """Build the site of ``config``; raise :class:`BuildError` listing every problem.

    ``options`` (or its fields given as keywords: ``build(config, clean=True)``) say
    what to do; see :class:`BuildOptions`. ``state`` keeps the cache open between builds
    (the preview server); without it the project's cache is opened and closed here.
    A build with drafts never records URL history: only publishing does.
    """
    options = dataclasses.replace(options or BuildOptions(), **flags)
    if config.drafts or not options.write:
        options = dataclasses.replace(options, record_history=False)
    with _open_run(config, options, state, progress) as run:
        try:
            return _run_stages(run)
        except CacheCorrupt as exc:
            # Found only now (a damaged entry read mid-build): the output is untouched,
            # so drop the cache and build again from the sources alone.
            log.warning("build cache unusable (%s); building without it", exc)
            run.state.discard()
            return _run_stages(dataclasses.replace(
                run, options=dataclasses.replace(options, clean=True)))


def _run_stages(run: _Run) -> BuildResult:
    """Run the stages in order; every one of them is a function of data."""
    config, options = run.config, run.options
    sources = run.read_sources()
    repeated = run.recall(sources)
    if repeated is not None:
        return repeated
    # Only article content changed: update the kept model instead of planning anew.
    updated = update_kept(run, sources)
    if updated is not None:
        return updated
    run.reset()
    parsing = parse_sources(sources, config, run.state, options, run.progress)
    # Before links are resolved: a body's local images become their renditions, which
    # link resolution must then know as files of the site.
    images = image_files(sources, config, run.state.cache, options.jobs)
    parsing = attach_pictures(parsing, images, config, run.state.cache)
    problems = [*sources.problems, *parsing.problems]
    for article, token in parsing.tokens:
        run.digester.seed(article, token)
    run.lap("parse")
    # Cross-article checks need every article, so they run only after all are parsed.
    problems += validate_articles(parsing.articles)
    run.stop_on_errors(problems)
    # Resolving links needs every article too; doing it while parsing would make the
    # result depend on the order files are read in (pelican#2288).
    # Page bundles' files are published like static files; links may name them.
    static = (static_routes(config)
              + bundle_copies(bundle_routes(parsing.articles, sources.bundled), images)
              + picture_routes(parsing.articles, images))
    details: dict[str, t.Any] = {}
    articles, found = resolve_links_cached(
        parsing.articles, config, [r.url for r in static], run.state.cache, run.digester,
        clean=options.clean, links=parsing.links, details=details)
    problems += found
    resolved_up_to = len(problems)
    run.lap("resolve links")
    history, found = load_history(config)
    problems += found
    site = build_site(config, articles, run.find_related)
    problems += site.problems
    run.stop_on_errors(problems)
    routes = plan_routes(site, config, static)
    redirects, found = plan_redirects(history, site, routes, config)
    problems += found
    routes = [*routes, *redirect_routes(redirects)]
    check_collisions(routes)
    unsafe = check_routes(routes)
    if unsafe:
        # These paths must never reach the writer: stop here, with all found so far.
        run.stop_on_errors(problems + unsafe)
    run.lap("plan")
    fingerprints = run.fingerprint(site, routes)
    later = tuple(problems[resolved_up_to:])
    run.lap("fingerprint")
    # Broken links raise here, before anything is swapped into the output folder.
    published = publish(config, run.state, options, run.progress, site, routes,
                        fingerprints, problems)
    run.lap("render and write")
    if options.record_history:
        save_history(config, updated_history(history, routes))
    run.keep(sources, parsing, articles, details, later, site, routes, len(redirects),
             fingerprints)
    result = BuildResult(
        pages=len(routes), written=published.written, unchanged=published.unchanged,
        deleted=published.deleted, warnings=tuple(problems),
        seconds=time.perf_counter() - run.started, links=published.report,
        redirects=len(redirects), rendered=published.rendered, parsed=parsing.parsed,
        stages=tuple(run.stages), html_pages=count_pages(routes), drafts=parsing.drafts)
    run.remember(result)
    return result


def count_pages(routes: t.Iterable[Route]) -> int:
    """Return how many of ``routes`` are HTML pages: rendered, and not redirects."""
    return sum(1 for route in routes if route.template not in (None, REDIRECT_TEMPLATE)
               and route.output_path.endswith((".html", ".htm")))


@contextlib.contextmanager
def _open_run(config: Config, options: BuildOptions, state: BuildState | None,
              progress: Progress | None) -> t.Iterator[_Run]:
    """Hold the output lock (for a write) and the project's state for one build."""
    with contextlib.ExitStack() as stack:
        if options.write:
            # Two builds of one output take turns, from reading the cache to the swap.
            stack.enter_context(lock_output(config.output_path, config.project_dir))
            recover(config.output_path)
            check_replaceable(config.output_path, config.project_dir)
        if state is None:
            state = BuildState.open(config, clean=options.clean)
            stack.callback(state.close)
        elif options.clean:
            state.discard()
        yield _Run(config, options, state, progress)


@dataclasses.dataclass(slots=True)
class _Run:
    """One build's settings, state and timings, with the memoised steps that need them."""

    config: Config
    options: BuildOptions
    state: BuildState
    progress: Progress | None
    started: float = dataclasses.field(default_factory=time.perf_counter)
    mark: float = dataclasses.field(default_factory=time.perf_counter)
    stages: list[tuple[str, float]] = dataclasses.field(default_factory=list)
    digester: Digester = dataclasses.field(default_factory=Digester)
    inputs: bytes | None = None
    """Digest of everything this build reads, when it may be recalled next time."""
    site_part: bytes | None = None
    """What templates read of ``site``, digested (None: no fingerprints were made)."""
    used: frozenset[str] | None = None
    """The attributes of ``site`` templates read (None: all of it)."""

    @property
    def structure_options(self) -> tuple[object, ...]:
        """Return the options that change what a build plans or reports."""
        return (self.options.strict, self.options.record_history)

    def reset(self) -> None:
        """Start the full pipeline afresh after the delta path gave up on the way."""
        self.stages.clear()
        self.digester = Digester()

    def keep(self, sources: Sources, parsing: Parsing, resolved: t.Sequence[Article],
             details: t.Mapping[str, t.Any], later: tuple[Problem, ...], site: Site,
             routes: list[Route], redirects: int,
             fingerprints: list[bytes | None]) -> None:
        """Keep this build's model for the next build to update (see :mod:`.kept`)."""
        options, out_dir = self.options, self.config.output_path
        if not options.write or options.external or options.orphans:
            return
        if self.site_part is None:
            self.state.drop_model(out_dir)
            return
        by_path = {article.src_path: article for article in resolved}
        token = self.digester.token
        self.state.keep_model(out_dir, KeptModel(
            structure=structure_digest(self.config, self.structure_options, sources),
            digests=dict(sources.digests), parse_problems=dict(parsing.by_source),
            parsed={a.src_path: a for a in parsing.articles}, links=dict(parsing.links),
            resolved=by_path,
            resolve_problems={path: found for path, (found, _) in details.items()},
            reads={path: read for path, (_, read) in details.items()},
            tokens={a.src_path: (token(a), token(by_path[a.src_path]))
                    for a in parsing.articles},
            later_problems=later, site=site, routes=routes, redirects=redirects,
            fingerprints=fingerprints, site_part=self.site_part, deps=route_deps(routes),
            drafts=parsing.drafts))
        self.lap("keep model")

    def lap(self, stage: str) -> None:
        """Record the time since the last lap as ``stage``'s."""
        now = time.perf_counter()
        self.stages.append((stage, now - self.mark))
        log.debug("%s took %.3f s", stage, now - self.mark)
        self.mark = now

    def stop_on_errors(self, problems: t.Sequence[Problem]) -> None:
        """Raise :class:`BuildError` if ``problems`` hold errors (warnings, with strict)."""
        failing = errors_in(list(problems), strict=self.options.strict)
        if failing:
            raise BuildError(failing)

    def read_sources(self) -> Sources:
        """Find the sources and their digests, reading only files whose stamps changed."""
        cache = self.state.cache
        known, known_at = ({}, 0) if self.options.clean else cache.load_source_stamps()
        sources = read_sources(self.config, known, known_at)
        with cache.transaction():
            cache.store_source_stamps(known, sources.stamps, sources.taken_at)
        return sources

    def recall(self, sources: Sources) -> BuildResult | None:
        """Return the last build's result if nothing it read changed and its output is intact."""
        options = self.options
        if not options.write or options.external or options.orphans:
            return None
        self.inputs = last_build.inputs_digest(
            self.config, (options.strict, options.record_history), sources)
        if options.clean:
            return None
        try:
            outcome = last_build.recall(self.state.cache, self.config, self.inputs)
        except CacheCorrupt:
            return None  # the full build deals with the cache
        if outcome is None:
            return None
        seconds = time.perf_counter() - self.started
        return BuildResult(
            pages=outcome.pages, written=(), unchanged=outcome.produced, deleted=(),
            warnings=outcome.warnings, seconds=seconds,
            links=LinkReport(checked=outcome.checked, broken=outcome.broken, external={}),
            redirects=outcome.redirects, stages=(("check inputs and output", seconds),),
            html_pages=outcome.html_pages, drafts=outcome.drafts)

    def remember(self, result: BuildResult) -> None:
        """Record ``result`` for :meth:`recall` of the next build with the same inputs."""
        if self.inputs is None:
            return
        produced = tuple(sorted(result.written + result.unchanged))
        last_build.remember(self.state.cache, self.config, self.inputs, last_build.Outcome(
            pages=result.pages, produced=produced,
            files=last_build.listed(self.config.output_path, produced),
            warnings=result.warnings,
            checked=result.links.checked if result.links else 0,
            broken=result.links.broken if result.links else 0,
            redirects=result.redirects, html_pages=result.html_pages, drafts=result.drafts))

    def find_related(
        self, ordered: t.Sequence[Article], tags_of: t.Mapping[str, frozenset[str]],
        limit: int, skip: t.Mapping[str, frozenset[str]],
    ) -> dict[str, tuple[Article, ...]]:
        """Return :func:`related_articles`, reused while no article's URL, date or tags
        changed (a body edit, the usual change, keeps every related list)."""
        cache = self.state.cache
        key = digest_bytes(
            code_digest(python_only=True), repr(limit),
            *(repr((a.url, a.listed_date.isoformat(), sorted(tags_of.get(a.url, ()))))
              for a in ordered),
            repr(sorted((url, sorted(urls)) for url, urls in skip.items()))).hex()
        by_url = {a.url: a for a in ordered}
        known = cache.get_value("related")
        if known is not None:
            try:
                data = json.loads(known)
                if data["key"] == key:
                    return {url: tuple(by_url[u] for u in urls)
                            for url, urls in data["related"].items()}
            except (ValueError, KeyError, TypeError):
                pass  # recomputed and rewritten below
        found = related_articles(ordered, tags_of, limit, skip)
        cache.set_value("related", json.dumps({
            "key": key, "related": {url: [a.url for a in items] for url, items in found.items()}}))
        return found

    def fingerprint(self, site: Site, routes: t.Sequence[Route]) -> list[bytes | None]:
        """Return each route's fingerprint (None: always render it).

        Clean builds compute them too, for the manifest: the next build relies on them.
        """
        if not self.options.write:
            return [None] * len(routes)
        parts = self.fingerprint_parts(site)
        if parts is None:  # an unknown value in what templates read: render everything
            return [None] * len(routes)
        base, self.site_part = parts
        return [
            route_fingerprint(self.digester, route, base, self.site_part)
            for route in routes
        ]

    def fingerprint_parts(self, site: Site) -> tuple[bytes, bytes] | None:
        """Return what every route's fingerprint shares: code, templates and config, and
        the parts of ``site`` the templates read; None if those cannot be digested."""
        config = self.config
        digester = self.digester
        templates = digest_bytes(code_digest(), tree_digest(config.templates_path))
        used = self.used = self.site_attributes(templates)
        try:
            base = digest_bytes(templates, digester.digest(config))
            if used is None:
                return base, digester.digest(site)
            return base, digest_bytes(*(
                part for name in sorted(used)
                for part in (name.encode(), digester.digest(site_value(site, name)))))
        except Uncacheable:
            return None

    def site_attributes(self, templates: bytes) -> frozenset[str] | None:
        """Return what templates read of ``site``, remembered per template tree."""
        cache = self.state.cache
        known = cache.get_value("site-attributes")
        if known is not None:
            try:
                key, names = json.loads(known)
                if key == templates.hex():
                    return None if names is None else frozenset(str(n) for n in names)
            except (ValueError, TypeError):
                pass  # rewritten below
        used = site_attributes_read(make_environment(self.config))
        value = None if used is None else sorted(used)
        cache.set_value("site-attributes", json.dumps([templates.hex(), value]))
        return used
