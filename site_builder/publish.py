"""The publish stage: render what changed, check every link, and swap the new build in.

Pages whose fingerprint and file are as the last build left them are not rendered;
their link scans come from the store, and only those linking to a file that appeared
or went away are scanned again. Broken links fail the build before anything is
swapped into the output folder.
"""

from __future__ import annotations

import dataclasses
import os
import typing as t
from pathlib import Path

from .config import Config
from .digests import code_digest, digest_bytes
from .errors import BuildError, Problem, errors_in
from .incremental.state import BuildState
from .incremental.store import OutputEntry
from .linkcheck import (
    HTML_SUFFIXES,
    LinkReport,
    PageScan,
    SiteFiles,
    check_links,
    is_listing,
    scan_page,
    site_files,
    site_paths_of,
    warn_hint,
)
from .model import Route, Site
from .options import BuildOptions, Progress
from .output import Staging, Stamp, same_bytes, scan_tree, shown
from .parallel import run_tasks
from .pictures import make_missing
from .render import make_environment, render_route
from .search import INDEX_DIR, index_search, shards_of


@dataclasses.dataclass(frozen=True, slots=True)
class Published:
    """What the publish stage did."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    deleted: tuple[str, ...]
    rendered: int
    """Routes rendered (the others were known unchanged from their fingerprints)."""
    report: LinkReport | None


def publish(
    config: Config, state: BuildState, options: BuildOptions, progress: Progress | None,
    site: Site, routes: t.Sequence[Route], fingerprints: t.Sequence[bytes | None],
    problems: list[Problem],
) -> Published:
    """Render, link-check and write ``routes``; warnings found go into ``problems``."""
    out = _Output(config, state, options, progress, site, routes, fingerprints, problems)
    written, unchanged, deleted, rendered = out.run()
    return Published(written, unchanged, deleted, rendered, out.report)


class _Output:
    """Render the routes whose inputs changed, check links, and assemble the new output."""

    def __init__(self, config: Config, state: BuildState, options: BuildOptions,
                 progress: Progress | None, site: Site, routes: t.Sequence[Route],
                 fingerprints: t.Sequence[bytes | None], problems: list[Problem]) -> None:
        self.config = config
        self.state = state
        self.options = options
        self.progress = progress
        self.site = site
        self.routes = routes
        self.fingerprints = fingerprints
        self.problems = problems
        self.out_dir = config.output_path
        self.report: LinkReport | None = None

    def run(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], int]:
        config = self.config
        options = self.options
        manifest = {} if options.clean or not options.write else self.state.manifest(self.out_dir)
        redo: list[int] = []
        keep: list[int] = []
        # Plain strings: a Path per file is a visible cost with a photo's renditions each.
        out = str(self.out_dir) + os.sep
        for index, route in enumerate(self.routes):
            entry = manifest.get(route.output_path)
            fp = self.fingerprints[index]
            if (fp is not None and entry is not None and entry.fingerprint == fp
                    and Stamp.of(out + route.output_path) == entry.stamp):
                keep.append(index)
            else:
                redo.append(index)
        produced = {route.output_path for route in self.routes}
        # Every build replaces the whole folder, as a clean build would: files it did not
        # produce (earlier builds' pages, files put there by hand) go.
        current = scan_tree(self.out_dir) if options.write else {}
        # The search index is the search stage's: it reports its own files.
        ours = INDEX_DIR + "/" if config.search else None
        deleted = tuple(sorted(p for p in current if p not in produced
                               and not (ours and p.startswith(ours))))
        staging = Staging(self.out_dir) if options.write else None
        changed: dict[str, OutputEntry] = {}
        written: list[str] = []
        unchanged = [self.routes[i].output_path for i in keep]
        scans: dict[int, PageScan] = {}
        try:
            if staging is not None and (redo or deleted):
                staging.begin(produced, current)
            # Renditions the image cache lacks are made for the files to copy, no others:
            # an output that holds them needs nothing made, even with the cache gone.
            make_missing([self.routes[i] for i in redo], options.jobs)
            work = _RenderWork(config, self.site, self.routes, staging, manifest, options.clean,
                               site_files(self.routes, config), options.external)
            # Unchanged pages are not rendered, but the link check needs their links: a
            # link may point at a page that is gone. A page's scan is kept by its bytes;
            # it goes stale only when a file it links to (found or not) appeared or went
            # away, and the reverse index of the last scans names those pages.
            files_key = self.files_key(work.files)
            stored = ({} if options.clean or not options.write
                      else self.state.cache.load_scans(self.out_dir))
            stale = self.stale_scans(manifest, produced) if stored else set()
            scan_only: list[int] = []
            for i in keep:
                route = self.routes[i]
                if not route.output_path.endswith(HTML_SUFFIXES):
                    continue
                key = self.scan_key(files_key, route, manifest[route.output_path].digest)
                row = stored.get(route.output_path)
                if row is not None and row[0] == key and route.output_path not in stale:
                    scans[i] = self.state.cache.decode_scan(row[1])
                else:
                    scan_only.append(i)
            fresh: dict[str, tuple[bytes, object]] = {}
            tasks = [(i, True) for i in redo] + [(i, False) for i in scan_only]
            # The sitemap, feeds and large listings are slow: start them first.
            tasks.sort(key=lambda task: -_weight(self.routes[task[0]]))
            for done, (index, digest, stamp, was_written, scan) in enumerate(
                    run_tasks(_render_one, work, tasks, options.jobs,
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
                if self.progress:
                    self.progress("render", done, len(tasks))
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
        if not options.write:
            return tuple(sorted(r.output_path for r in self.routes)), (), (), len(redo)
        for path in deleted:
            manifest.pop(path, None)
        manifest.update(changed)
        self.state.manifests[self.out_dir] = manifest
        if changed or deleted or options.clean or fresh:
            with self.state.cache.transaction():
                if options.clean:
                    self.state.cache.clear_manifest(self.out_dir)
                self.state.cache.update_manifest(self.out_dir, changed, deleted)
                self.state.cache.store_scans(self.out_dir, fresh, deleted)
        return tuple(sorted(written)), tuple(sorted(unchanged)), tuple(sorted(deleted)), len(redo)

    def files_key(self, files: SiteFiles) -> bytes:
        """Return the digest of what the link check of any page depends on besides it
        and the files it links to (those are followed by :meth:`stale_scans`)."""
        return digest_bytes(code_digest(), repr(self.options.external), files.base_url,
                            files.base_path)

    def stale_scans(self, manifest: t.Mapping[str, OutputEntry],
                    produced: t.Collection[str]) -> set[str]:
        """Return the pages whose links may have changed verdict: they link to a file
        the last build had and this one has not, or the other way round."""
        before = manifest.keys()
        changed = {p for p in produced if p not in before}
        changed.update(p for p in before if p not in produced)
        if not changed:
            return set()
        targets = [site for path in changed for site in site_paths_of(path)]
        return self.state.cache.pages_linking(self.out_dir, targets)

    def scan_key(self, files_key: bytes, route: Route, content: bytes) -> bytes:
        """Return the key a page's link scan is kept under."""
        return digest_bytes(files_key, content, route.output_path, route.url,
                            repr(is_listing(route)))

    def check_links(self, scans: list[PageScan]) -> None:
        """Judge every page's links; broken ones fail the build before anything is swapped."""
        by_output = {route.output_path: route for route in self.routes}
        report, found = check_links(scans, by_output, self.site, self.config,
                                    orphans=self.options.orphans)
        self.report = report
        self.problems.extend(found)
        failing = errors_in(self.problems, strict=self.options.strict)
        if failing:
            raise BuildError(failing, hint=warn_hint(failing, report, self.config,
                                                     strict=self.options.strict))

    def commit(self, staging: Staging, written: list[str], deleted: t.Sequence[str],
               unchanged: list[str], current: t.Collection[str]) -> tuple[str, ...]:
        """Make the staged build current, with a fresh search index when pages changed.

        Return the files of the previous search index the new one no longer has.
        """
        config = self.config
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
