"""The build: one function that runs every stage in order."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
import typing as t
from pathlib import Path

from . import hrefs
from . import unchanged as last_build
from .body import Rendered, render_markdown
from .cache import CacheCorrupt, OutputEntry, Parsed, Stamp, compress_body
from .config import Config
from .content import PARSE_CONFIG_KEYS, SourceFile, Sources, parse_article, read_sources
from .errors import BuildError, Problem, errors_in
from .fingerprint import (
    Digester,
    Uncacheable,
    code_digest,
    digest_bytes,
    module_digest,
    route_fingerprint,
    site_attributes_read,
    site_value,
    tree_digest,
)
from .history import load_history, plan_redirects, redirect_routes, save_history, updated_history
from .linkcheck import (
    HTML_SUFFIXES,
    LinkReport,
    PageScan,
    SiteFiles,
    check_links,
    is_listing,
    scan_page,
    site_files,
)
from .model import Article, Body, Route, Site
from .output import (
    Staging,
    check_replaceable,
    check_routes,
    lock_output,
    recover,
    same_bytes,
    scan_tree,
    shown,
)
from .parallel import run_tasks
from .related import related_articles
from .render import make_environment, render_route
from .resolving import resolve_links_cached
from .routes import check_collisions, plan_routes, static_routes
from .search import INDEX_DIR, index_search, shards_of
from .site import build_site
from .state import BuildState
from .validate import validate_articles

log = logging.getLogger(__name__)

Progress = t.Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a long stage runs."""


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

    @property
    def changed(self) -> tuple[str, ...]:
        """Return the output paths written or removed, sorted (for deploy tools)."""
        return tuple(sorted(self.written + self.deleted))


def build(
    config: Config,
    *,
    strict: bool = False,
    write: bool = True,
    state: BuildState | None = None,
    clean: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
    external: bool = False,
    orphans: bool = False,
    record_history: bool = False,
) -> BuildResult:
    """Build the site of ``config``; raise :class:`BuildError` listing every problem.

    With ``write=False`` everything is loaded, validated and rendered but nothing is
    written (``site-builder check``). ``state`` keeps the cache open between builds
    (the preview server); without it the project's cache is opened and closed here.
    ``clean`` ignores the cache (files whose bytes did not change are still kept as
    they are). ``jobs`` is the number
    of processes (default: every core, for builds big enough to gain from it).
    ``external`` collects the external links, ``orphans`` looks for articles that
    listings or other articles do not reach. With ``record_history`` (``site-builder
    build``) a successful write adds the pages to the project's URL history, unless
    drafts are built: only publishing records URLs, never a preview.
    """
    options = _Options(strict, write, clean, jobs, progress, external, orphans,
                       record_history and write and not config.drafts)
    if not write:
        return _build(config, state, options)
    # Two builds of one output take turns, from reading the cache to the swap.
    with lock_output(config.output_path, config.project_dir):
        recover(config.output_path)
        check_replaceable(config.output_path, config.project_dir)
        return _build(config, state, options)


def _build(config: Config, state: BuildState | None, options: _Options) -> BuildResult:
    own_state = state is None
    if state is None:
        state = BuildState.open(config, clean=options.clean)
    elif options.clean:
        state.discard()
    try:
        started = time.perf_counter()
        digest = None
        # Read once: the unchanged check and the parse stage share the files' digests.
        sources = read_sources(config)
        if options.write and not options.external and not options.orphans:
            digest = last_build.inputs_digest(
                config, (options.strict, options.record_history), sources)
            if not options.clean:
                try:
                    outcome = last_build.recall(state.cache, config, digest,
                                               state.manifest(config.output_path))
                except CacheCorrupt:
                    outcome = None  # the full build below deals with the cache
                if outcome is not None:
                    return _repeat(outcome, time.perf_counter() - started)
        try:
            result = _Build(config, state, options).run(sources)
        except CacheCorrupt as exc:
            # Found only now (a damaged entry read mid-build): the output is untouched,
            # so drop the cache and build again from the sources alone.
            log.warning("build cache unusable (%s); building without it", exc)
            state.discard()
            result = _Build(config, state, dataclasses.replace(options, clean=True)).run(sources)
        if digest is not None:
            produced = tuple(sorted(result.written + result.unchanged))
            last_build.remember(state.cache, config, digest, last_build.Outcome(
                pages=result.pages, produced=produced,
                files=last_build.listed(config.output_path, produced), warnings=result.warnings,
                checked=result.links.checked if result.links else 0,
                broken=result.links.broken if result.links else 0,
                redirects=result.redirects))
        return result
    finally:
        if own_state:
            state.close()


def _repeat(outcome: last_build.Outcome, seconds: float) -> BuildResult:
    """Return the result of a build that found nothing changed since the last one."""
    return BuildResult(
        pages=outcome.pages, written=(), unchanged=outcome.produced, deleted=(),
        warnings=outcome.warnings, seconds=seconds,
        links=LinkReport(checked=outcome.checked, broken=outcome.broken, external={}),
        redirects=outcome.redirects, stages=(("check inputs and output", seconds),),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _Options:
    strict: bool
    write: bool
    clean: bool
    jobs: int | None
    progress: Progress | None
    external: bool
    orphans: bool
    record_history: bool


class _Build:
    """The stages of one build, sharing the state they need."""

    def __init__(self, config: Config, state: BuildState, options: _Options) -> None:
        self.config = config
        self.state = state
        self.options = options
        self.strict = options.strict
        self.write = options.write
        self.clean = options.clean
        self.jobs = options.jobs
        self.progress = options.progress
        self.started = time.perf_counter()
        self.mark = self.started
        self.stages: list[tuple[str, float]] = []
        self.digester = Digester()
        self.links: dict[str, tuple[str, ...]] = {}
        """Each parsed article's body links, by source path."""

    def run(self, sources: Sources) -> BuildResult:
        config = self.config
        problems: list[Problem] = list(sources.problems)
        articles, found, parsed = self.parse(sources)
        problems += found
        self.lap("parse")
        # Cross-article checks need every article, so they run only after all are parsed.
        problems += validate_articles(articles)
        self.fail_on_errors(problems)

        # Resolving links needs every article too; doing it while parsing would make the
        # result depend on the order files are read in (pelican#2288).
        static = static_routes(config)
        articles, found = resolve_links_cached(
            articles, config, [r.url for r in static], self.state.cache,
            self.digester, clean=self.clean, links=self.links)
        problems += found
        self.lap("resolve links")
        history, found = load_history(config)
        problems += found

        site = build_site(config, articles, self.find_related)
        problems += site.problems
        self.fail_on_errors(problems)
        routes = plan_routes(site, config, static)
        redirects, found = plan_redirects(history, site, routes, config)
        problems += found
        routes = [*routes, *redirect_routes(redirects)]
        check_collisions(routes)
        unsafe = check_routes(routes)
        if unsafe:
            # These paths must never reach the writer: stop here, with all found so far.
            self.fail_on_errors(problems + unsafe)
        self.lap("plan")
        fingerprints = self.fingerprint(site, routes)
        self.lap("fingerprint")

        out = _Output(self, site, routes, fingerprints, problems)
        written, unchanged, deleted, rendered = out.run()
        self.lap("render and write")
        if self.options.record_history:
            save_history(config, updated_history(history, routes))
        return BuildResult(
            pages=len(routes), written=written, unchanged=unchanged, deleted=deleted,
            warnings=tuple(problems), seconds=time.perf_counter() - self.started,
            links=out.report, redirects=len(redirects),
            rendered=rendered, parsed=parsed, stages=tuple(self.stages),
        )

    def find_related(
        self, ordered: t.Sequence[Article], tags_of: t.Mapping[str, frozenset[str]],
        limit: int, skip: t.Mapping[str, frozenset[str]],
    ) -> dict[str, tuple[Article, ...]]:
        """Return :func:`related_articles`, reused while no article's URL, date or tags
        changed (a body edit, the usual change, keeps every related list)."""
        cache = self.state.cache
        key = digest_bytes(
            code_digest(python_only=True), repr(limit),
            *(repr((a.url, a.date.isoformat(), sorted(tags_of.get(a.url, ())))) for a in ordered),
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

    def fail_on_errors(self, problems: list[Problem]) -> None:
        failing = errors_in(problems, strict=self.strict)
        if failing:
            raise BuildError(failing)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages.append((stage, now - self.mark))
        log.debug("%s took %.3f s", stage, now - self.mark)
        self.mark = now

    # --- parse ------------------------------------------------------------------

    def parse(self, sources: Sources) -> tuple[list[Article], list[Problem], int]:
        """Return the articles of ``sources``, parsing only files the cache does not know."""
        config = self.config
        cache = self.state.cache
        settings = repr([getattr(config, key) for key in PARSE_CONFIG_KEYS])
        base = digest_bytes(code_digest(python_only=True), settings)
        entries: list[Parsed | None] = []
        # Files with the same text after their front matter (a wire story filed twice)
        # are parsed together, so their Markdown is converted once.
        groups: dict[bytes, list[tuple[int, SourceFile, bytes]]] = {}
        sizes: dict[bytes, int] = {}
        files = sources.files
        for index, src in enumerate(files):
            key = digest_bytes(base, src.path, sources.digests[src.path])
            entry = None if self.clean else self.state.memo_for(src.path, key)
            entries.append(entry)
            if entry is None:
                try:
                    data = src.abs_path.read_bytes()
                except OSError:
                    data = b""  # parse_article reports the error with the path
                body = _body_key(data)
                groups.setdefault(body, []).append((index, src, key))
                sizes[body] = sizes.get(body, 0) + len(data)
        # Longest work first, so no worker is left with a long changelog at the end.
        tasks = [group for body, group in sorted(groups.items(), key=lambda kv: -sizes[kv[0]])]
        parsed = sum(len(group) for group in tasks)
        payload = _ParseWork(config, cache, module_digest(render_markdown.__module__))
        with cache.transaction():
            done = 0
            for results in run_tasks(_parse_group, payload, tasks, self.jobs,
                                     chunksize=max(1, min(16, len(tasks) // 256))):
                for index, entry, md, html in results:
                    if html is not None:
                        cache.store_body(html[0], html[1])
                    if md is not None:
                        cache.store_markdown(*md)
                    self.state.remember(files[index].path, entry)
                    entries[index] = entry
                done += len(results)
                if self.progress:
                    self.progress("parse", done, parsed)
            gone = self.state.known_sources() - {src.path for src in files}
            if gone:
                self.state.forget(gone)
            if tasks or gone:
                cache.collect_garbage()
        articles: list[Article] = []
        problems: list[Problem] = []
        for entry in entries:
            assert entry is not None
            problems += entry.problems
            article = entry.article
            if article is not None and (config.drafts or not article.draft):
                articles.append(article)
                self.links[article.src_path] = entry.links
                if entry.token is not None:
                    self.digester.seed(article, entry.token)
        return articles, problems, parsed

    # --- fingerprints -------------------------------------------------------------

    def fingerprint(self, site: Site, routes: t.Sequence[Route]) -> list[bytes | None]:
        """Return each route's fingerprint (None: always render it).

        Clean builds compute them too, for the manifest: the next build relies on them.
        """
        if not self.write:
            return [None] * len(routes)
        config = self.config
        digester = self.digester
        templates = digest_bytes(code_digest(), tree_digest(config.templates_path))
        used = self.site_attributes(templates)
        try:
            base = digest_bytes(templates, digester.digest(config))
            if used is None:
                site_part = digester.digest(site)
            else:
                site_part = digest_bytes(*(
                    part for name in sorted(used)
                    for part in (name.encode(), digester.digest(site_value(site, name)))
                ))
        except Uncacheable:  # an unknown value in what templates read: render everything
            return [None] * len(routes)
        return [
            route_fingerprint(digester, route, base, site_part)
            if route.template is not None else None
            for route in routes
        ]

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


@dataclasses.dataclass(frozen=True, slots=True)
class _ParseWork:
    """What parse workers need: settings, the cache to read memoised Markdown from."""

    config: Config
    cache: t.Any
    markdown_base: bytes


def _body_key(data: bytes) -> bytes:
    """Return a digest of what follows the front matter of a source file's bytes."""
    fence = data[:3]
    if fence in (b"---", b"+++"):
        end = data.find(b"\n" + fence, 3)
        if end >= 0:
            data = data[end + 4:]
    return digest_bytes(data)


_Stored = tuple[bytes, str, str, tuple[str, ...]]
_Result = tuple[int, Parsed, _Stored | None, tuple[str, bytes] | None]


def _parse_group(
    work: _ParseWork, group: list[tuple[int, SourceFile, bytes]]
) -> list[_Result]:
    """Parse files likely to share a body; each body's Markdown is converted once."""
    memo: dict[bytes, Rendered] = {}
    sent: set[str] = set()
    return [_parse_one(work, task, memo, sent) for task in group]


def _parse_one(
    work: _ParseWork, task: tuple[int, SourceFile, bytes],
    memo: dict[bytes, Rendered], sent: set[str],
) -> _Result:
    """Parse one file with memoised Markdown; return what the build must store."""
    index, src, key = task
    cache = work.cache
    used: list[tuple[bytes, str, str, tuple[str, ...], bool]] = []

    def render(
        text: str, *, unsafe_html: bool = False, embed_hosts: t.Collection[str] = ()
    ) -> Rendered:
        md_key = digest_bytes(work.markdown_base, repr(unsafe_html), *sorted(embed_hosts), text)
        rendered = memo.get(md_key)
        if rendered is not None:
            used.append((md_key, Body(rendered.html).digest, rendered.summary,
                         rendered.removed_embeds, False))
            return rendered
        known = cache.get_markdown(md_key)
        if known is not None:
            digest, summary, removed = known
            used.append((md_key, digest, summary, removed, False))
            return Rendered(html=cache.load_body(digest), summary=summary,
                            removed_embeds=removed)
        rendered = render_markdown(text, unsafe_html=unsafe_html, embed_hosts=embed_hosts)
        memo[md_key] = rendered
        body = Body(rendered.html)
        used.append((md_key, body.digest, rendered.summary, rendered.removed_embeds, True))
        return rendered

    article, problems = parse_article(src, work.config, render)
    md_key = used[-1][0] if used else None
    # Only a freshly converted body is new to the cache.
    md = used[-1][:4] if used and used[-1][4] else None
    html = None
    links: tuple[str, ...] = ()
    if article is not None:
        body = article.body
        links = tuple(dict.fromkeys(hrefs.link_values(body.html)))
        if body.digest not in sent and not cache.has_body(body.digest):
            html = (body.digest, compress_body(body.html))
            sent.add(body.digest)
        article = dataclasses.replace(article, body=Body.stored(body.digest, cache))
    token = Digester().token(article) if article is not None else None
    return index, Parsed(key, article, tuple(problems), md_key, token, links), md, html


class _Output:
    """Render the routes whose inputs changed, check links, and assemble the new output."""

    def __init__(self, build: _Build, site: Site, routes: t.Sequence[Route],
                 fingerprints: t.Sequence[bytes | None], problems: list[Problem]) -> None:
        self.build = build
        self.site = site
        self.routes = routes
        self.fingerprints = fingerprints
        self.problems = problems
        self.out_dir = build.config.output_path
        self.report: LinkReport | None = None

    def run(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], int]:
        build = self.build
        config = build.config
        manifest = {} if build.clean or not build.write else build.state.manifest(self.out_dir)
        redo: list[int] = []
        keep: list[int] = []
        for index, route in enumerate(self.routes):
            entry = manifest.get(route.output_path)
            fp = self.fingerprints[index]
            if (fp is not None and entry is not None and entry.fingerprint == fp
                    and Stamp.of(self.out_dir / route.output_path) == entry.stamp):
                keep.append(index)
            else:
                redo.append(index)
        produced = {route.output_path for route in self.routes}
        # Every build replaces the whole folder, as a clean build would: files it did not
        # produce (earlier builds' pages, files put there by hand) go.
        current = scan_tree(self.out_dir) if build.write else {}
        # The search index is the search stage's: it reports its own files.
        ours = INDEX_DIR + "/" if config.search else None
        deleted = tuple(sorted(p for p in current if p not in produced
                               and not (ours and p.startswith(ours))))
        staging = Staging(self.out_dir) if build.write else None
        changed: dict[str, OutputEntry] = {}
        written: list[str] = []
        unchanged = [self.routes[i].output_path for i in keep]
        scans: dict[int, PageScan] = {}
        try:
            if staging is not None and (redo or deleted):
                staging.begin(produced, current)
            work = _RenderWork(config, self.site, self.routes, staging, manifest, build.clean,
                               site_files(self.routes, config), build.options.external)
            # Unchanged pages are not rendered, but the link check needs their links: a
            # link may point at a page that is gone. A page's scan depends only on its
            # bytes and the set of output paths, so it is kept in the cache by both.
            files_key = self.files_key(work.files)
            stored = ({} if build.clean or not build.write
                      else build.state.cache.load_scans(self.out_dir))
            scan_only: list[int] = []
            for i in keep:
                route = self.routes[i]
                if not route.output_path.endswith(HTML_SUFFIXES):
                    continue
                key = self.scan_key(files_key, route, manifest[route.output_path].digest)
                row = stored.get(route.output_path)
                if row is not None and row[0] == key:
                    scans[i] = build.state.cache.decode_scan(row[1])
                else:
                    scan_only.append(i)
            fresh: dict[str, tuple[bytes, object]] = {}
            tasks = [(i, True) for i in redo] + [(i, False) for i in scan_only]
            # The sitemap, feeds and large listings are slow: start them first.
            tasks.sort(key=lambda task: -_weight(self.routes[task[0]]))
            for done, (index, digest, stamp, was_written, scan) in enumerate(
                    run_tasks(_render_one, work, tasks, build.jobs,
                              chunksize=max(1, min(16, len(tasks) // 256))), 1):
                path = self.routes[index].output_path
                if scan is not None:
                    scans[index] = scan
                    made_from = digest if digest is not None else manifest[path].digest
                    fresh[path] = (self.scan_key(files_key, self.routes[index], made_from), scan)
                if digest is not None:
                    if stamp is not None:
                        changed[path] = OutputEntry(digest, self.fingerprints[index], stamp)
                    (written if was_written else unchanged).append(path)
                if build.progress:
                    build.progress("render", done, len(tasks))
            self.check_links([scans[i] for i in sorted(scans)])
            if staging is not None and (written or deleted):
                deleted += self.commit(staging, written, deleted, unchanged, current)
            elif staging is not None:
                staging.abort()
        except OSError as exc:
            if staging is not None:
                staging.abort()
            where = shown(self.out_dir, config.project_dir)
            raise BuildError([Problem(where, None,
                                      f"cannot write: {exc.strerror or exc}")]) from None
        except BaseException:
            if staging is not None:
                staging.abort()
            raise
        if not build.write:
            return tuple(sorted(r.output_path for r in self.routes)), (), (), len(redo)
        for path in deleted:
            manifest.pop(path, None)
        manifest.update(changed)
        build.state.manifests[self.out_dir] = manifest
        if changed or deleted or build.clean or fresh:
            with build.state.cache.transaction():
                if build.clean:
                    build.state.cache.clear_manifest(self.out_dir)
                build.state.cache.update_manifest(self.out_dir, changed, deleted)
                build.state.cache.store_scans(self.out_dir, fresh, deleted)
        return tuple(sorted(written)), tuple(sorted(unchanged)), tuple(sorted(deleted)), len(redo)

    def files_key(self, files: SiteFiles) -> bytes:
        """Return the digest of what the link check of any page depends on besides it."""
        return digest_bytes(code_digest(), repr(self.build.options.external), files.base_url,
                            files.base_path, *sorted(files.outputs))

    def scan_key(self, files_key: bytes, route: Route, content: bytes) -> bytes:
        """Return the key a page's link scan is kept under."""
        return digest_bytes(files_key, content, route.output_path, route.url,
                            repr(is_listing(route)))

    def check_links(self, scans: list[PageScan]) -> None:
        """Judge every page's links; broken ones fail the build before anything is swapped."""
        by_output = {route.output_path: route for route in self.routes}
        report, found = check_links(scans, by_output, self.site, self.build.config,
                                    orphans=self.build.options.orphans)
        self.report = report
        self.problems.extend(found)
        failing = errors_in(self.problems, strict=self.build.strict)
        if failing:
            raise BuildError(failing)

    def commit(self, staging: Staging, written: list[str], deleted: t.Sequence[str],
               unchanged: list[str], current: t.Collection[str]) -> tuple[str, ...]:
        """Make the staged build current, re-indexing the search shards whose pages changed.

        Return the files of the previous search index the new one no longer has.
        """
        config = self.build.config
        staging.finish(unchanged)
        gone: tuple[str, ...] = ()
        if config.search:
            added, kept, found = index_search(
                staging.dir, self.out_dir, shards_of(self.routes, config.language),
                (*written, *deleted))
            self.problems.extend(found)
            written += added
            unchanged += kept
            now = set(added) | set(kept)
            gone = tuple(p for p in current if p.startswith(INDEX_DIR + "/") and p not in now)
        staging.commit()
        return gone


def _weight(route: Route) -> int:
    size = 0
    for value in route.context.values():
        if isinstance(value, tuple):
            size += len(value)
    return size


class _RenderWork:
    """What render workers share; each process makes its own Jinja environment."""

    def __init__(self, config: Config, site: Site, routes: t.Sequence[Route],
                 staging: Staging | None, manifest: t.Mapping[str, OutputEntry],
                 clean: bool, files: SiteFiles, external: bool) -> None:
        self.config = config
        self.site = site
        self.routes = routes
        self.staging = staging
        self.manifest = manifest
        self.clean = clean
        self.files = files
        self.external = external
        self._env: t.Any = None
        self._pid = 0

    @property
    def env(self) -> t.Any:
        if self._env is None or self._pid != os.getpid():
            self._env, self._pid = make_environment(self.config), os.getpid()
        return self._env

    def scan(self, route: Route, data: bytes) -> PageScan | None:
        """Return the link scan of an HTML page."""
        if not route.output_path.endswith(HTML_SUFFIXES):
            return None
        return scan_page(route.output_path, route.url, data.decode("utf-8", "replace"),
                         self.files, keep_targets=is_listing(route),
                         keep_external=self.external)


def _render_one(
    work: _RenderWork, task: tuple[int, bool]
) -> tuple[int, bytes | None, Stamp | None, bool, PageScan | None]:
    """Render route ``index`` into the staging folder (or only scan its current file)."""
    index, render = task
    route = work.routes[index]
    path = route.output_path
    current = work.config.output_path / path
    if not render:
        return index, None, None, False, work.scan(route, current.read_bytes())
    if route.source_file is not None:
        try:
            data = Path(route.source_file).read_bytes()
        except OSError as exc:
            source = Path(route.source_file)
            raise BuildError([Problem(shown(source, work.config.project_dir), None,
                                      f"cannot read file: {exc.strerror or exc}")]) from None
    else:
        data = render_route(work.env, route, work.site)
    digest = digest_bytes(data)
    scan = work.scan(route, data)
    staging = work.staging
    if staging is None:
        return index, digest, None, True, scan
    entry = work.manifest.get(path)
    stamp = Stamp.of(current)
    if entry is not None:
        same = entry.digest == digest and stamp == entry.stamp
    else:
        # No record (no cache, or --clean): compare with the file itself.
        same = same_bytes(current, data)
    if same and stamp is not None:
        return index, digest, stamp, False, scan
    return index, digest, staging.write(path, data), True, scan
