"""Preview a project: serve its build over HTTP, rebuild on change, reload the browser.

Three parts, each ignorant of the others' inner workings:

* :class:`LiveState` is what the last rebuild left: the epoch (successful builds so far),
  the error of a failed one, and the base path the site is served under.
* :class:`PreviewServer` serves the build folder and a long-poll endpoint; it knows
  nothing about building. Every HTML page it sends gets a small script that waits on the
  endpoint and reloads after a successful rebuild, or shows the error of a failed one.
* :class:`Rebuilder` runs one builder callable per settled change set; the builder is
  the same :func:`~site_builder.build.build` that ``site-builder build`` runs.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import json
import logging
import mimetypes
import os
import shutil
import socket
import threading
import typing as t
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from ..build import BuildResult, build
from ..config import Config
from ..errors import BuildError
from ..incremental.state import BuildState
from ..urls import root_url, site_path
from .watch import ChangeSet, Watcher

log = logging.getLogger(__name__)

LIVERELOAD_PATH = "/_livereload"
"""Endpoint the injected script long-polls; outside any site path a build can produce."""
POLL_SECONDS = 20.0
"""How long a long-poll request waits for a change before answering anyway."""
OVERLAY_ID = "site-builder-error"

Builder = t.Callable[[], BuildResult]


@dataclasses.dataclass(frozen=True, slots=True)
class Snapshot:
    """The state of the preview at one moment."""

    epoch: int
    """Number of successful builds; a browser reloads when it changes."""
    version: int
    """Number of rebuilds of either outcome; long polls wait for it to change."""
    error: str | None
    """Text of the last rebuild's failure, or None when it succeeded."""
    base_path: str | None
    """Path the site is served under (``/`` or ``/archive/``); None before the first build."""


class LiveState:
    """The preview's state, shared between the rebuild loop and request threads."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._snapshot = Snapshot(0, 0, None, None)
        self._closed = False

    @property
    def current(self) -> Snapshot:
        """Return the state now."""
        with self._changed:
            return self._snapshot

    def succeeded(self, base_path: str) -> None:
        """Record a successful build served under ``base_path``; this clears any error."""
        with self._changed:
            now = self._snapshot
            self._snapshot = Snapshot(now.epoch + 1, now.version + 1, None, base_path)
            self._changed.notify_all()

    def failed(self, message: str) -> None:
        """Record a failed build; the last good site stays served."""
        with self._changed:
            now = self._snapshot
            self._snapshot = dataclasses.replace(now, version=now.version + 1, error=message)
            self._changed.notify_all()

    def wait_for_change(self, version: int, timeout: float) -> Snapshot:
        """Return the state once its version differs from ``version``, or after ``timeout``."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._closed or self._snapshot.version != version, timeout)
            return self._snapshot

    def close(self) -> None:
        """Release every waiting long poll (the server is stopping)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


# --- rebuilding -----------------------------------------------------------------------


def preview_config(config: Config, server_url: str, site_dir: Path) -> Config:
    """Return ``config`` built into ``site_dir`` and published at the server's address.

    The path of the configured ``base_url`` is kept, so links stay as they will be
    once deployed.
    """
    return dataclasses.replace(config, output_dir=str(site_dir.resolve()),
                               base_url=server_url.rstrip("/") + config.base_path)


def site_builder(config: Config) -> Builder:
    """Return the builder of ``config``: the very build ``site-builder build`` runs.

    It keeps the build state open, so what the cache holds stays decoded in memory
    between rebuilds.
    """
    return functools.partial(build, config, state=BuildState.open(config))


@dataclasses.dataclass(frozen=True, slots=True)
class Rebuild:
    """What one rebuild did, for the command line to report."""

    changes: ChangeSet
    result: BuildResult | None
    """The build's result, or None when it failed."""
    error: str | None
    """Why it failed: one located problem per line."""


class Rebuilder:
    """Rebuild on demand, reloading the configuration when ``config.toml`` changed."""

    def __init__(
        self,
        load: t.Callable[[], Config],
        live: LiveState,
        make_builder: t.Callable[[Config], Builder] = site_builder,
    ) -> None:
        self._load = load
        self._live = live
        self._make_builder = make_builder
        self._builder: Builder | None = None
        self.config: Config | None = None
        """The configuration of the last build attempt that could load one."""

    def rebuild(self, changes: ChangeSet) -> Rebuild:
        """Build once; on failure keep the last good site and publish the error."""
        try:
            if self._builder is None or changes.config_changed:
                # Anything a builder keeps between runs depends on the configuration,
                # so a new configuration gets a new builder.
                self._builder = None
                self.config = self._load()
                self._builder = self._make_builder(self.config)
            result = self._builder()
        except BuildError as exc:
            return self._fail(changes, str(exc))
        except Exception as exc:  # no error may stop the preview
            log.debug("rebuild crashed", exc_info=True)
            return self._fail(changes, f"unexpected error: {type(exc).__name__}: {exc}")
        assert self.config is not None
        self._live.succeeded(self.config.base_path)
        return Rebuild(changes, result, None)

    def _fail(self, changes: ChangeSet, message: str) -> Rebuild:
        self._live.failed(message)
        return Rebuild(changes, None, message)


def rebuild_forever(
    watcher: Watcher, rebuilder: Rebuilder, report: t.Callable[[Rebuild], None]
) -> t.NoReturn:
    """Build once, then again after every settled burst of changes, until interrupted."""
    changes = ChangeSet(frozenset(), config_changed=True)
    while True:
        report(rebuilder.rebuild(changes))
        if rebuilder.config is not None:
            # The configuration may name other folders, or one that did not exist before.
            watcher.follow(rebuilder.config)
        changes = watcher.next_changes()


# --- serving --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Target:
    """Where a request leads: a file to send, a redirect, or nothing (404)."""

    status: HTTPStatus
    path: Path | None = None
    location: str | None = None


_NOT_FOUND = Target(HTTPStatus.NOT_FOUND)


def locate(root: Path, base_path: str, raw_path: str) -> Target:
    """Return what ``raw_path`` (the request target, still percent-encoded) leads to.

    Nothing outside ``root`` is ever returned: dot segments, encoded slashes and
    symbolic links that lead out of the folder all give 404.
    """
    path, _, query = raw_path.partition("?")
    if path == "/" and base_path != "/":
        return Target(HTTPStatus.FOUND, location=base_path)
    if path + "/" == base_path:
        return Target(HTTPStatus.MOVED_PERMANENTLY, location=base_path)
    inside = site_path(path, base_path)
    if inside is None:
        return _NOT_FOUND
    names = []
    for segment in inside.split("/"):
        try:
            name = unquote(segment, errors="strict")
        except UnicodeDecodeError:
            return _NOT_FOUND
        if name in (".", "..") or any(c in name for c in "/\\\x00"):
            return _NOT_FOUND
        if name:
            names.append(name)
    try:
        real_root = root.resolve(strict=True)
        real = root.joinpath(*names).resolve(strict=True)
    except (OSError, RuntimeError):
        return _NOT_FOUND
    if not real.is_relative_to(real_root):
        return _NOT_FOUND
    if real.is_dir():
        if not path.endswith("/"):
            # Built from the checked names, so the redirect cannot leave the site.
            location = root_url(base_path, "".join(quote(n) + "/" for n in names))
            return Target(HTTPStatus.MOVED_PERMANENTLY,
                          location=location + (f"?{query}" if query else ""))
        index = real / "index.html"
        if not index.is_file() or not index.resolve().is_relative_to(real_root):
            return _NOT_FOUND
        return Target(HTTPStatus.OK, path=index)
    if path.endswith("/") or not real.is_file():
        return _NOT_FOUND
    return Target(HTTPStatus.OK, path=real)


_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".xsl": "application/xml",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}


def content_type(path: Path) -> str:
    """Return the Content-Type of a site file, the same on every machine.

    The table comes first because ``mimetypes`` reads the system's own lists, which
    differ between machines.
    """
    known = _CONTENT_TYPES.get(path.suffix.lower())
    return known or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


_STYLE = (
    f"#{OVERLAY_ID}{{position:fixed;top:0;left:0;right:0;z-index:2147483647;max-height:70vh;"
    "overflow:auto;margin:0;padding:1em 1.5em;background:#fff0f0;color:#5c0000;"
    "border-bottom:4px solid #c00;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;"
    "text-align:left}"
)
_FAILED = "Build failed; showing the last good build.\n\n"
_SCRIPT = """(function () {
  var epoch = %(epoch)d, version = %(version)d, id = "%(id)s";
  function show(error) {
    var box = document.getElementById(id);
    if (error === null) { if (box) { box.remove(); } return; }
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = %(failed)s + error;
  }
  function poll() {
    fetch("%(endpoint)s?version=" + version, {cache: "no-store"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.statusText); }
        return response.json();
      })
      .then(function (state) {
        if (state.epoch !== epoch) { location.reload(); return; }
        version = state.version;
        show(state.error);
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();"""


def live_snippet(snapshot: Snapshot) -> str:
    """Return the markup added to served HTML: the reload script and any error overlay."""
    script = _SCRIPT % {
        "epoch": snapshot.epoch, "version": snapshot.version, "id": OVERLAY_ID,
        "failed": json.dumps(_FAILED), "endpoint": LIVERELOAD_PATH,
    }
    overlay = ""
    if snapshot.error is not None:
        overlay = (f'<div id="{OVERLAY_ID}" role="alert">'
                   f"{html.escape(_FAILED + snapshot.error)}</div>")
    return f"<style>{_STYLE}</style>{overlay}<script>{script}</script>"


def inject(page: bytes, snapshot: Snapshot) -> bytes:
    """Return ``page`` with :func:`live_snippet` placed just before ``</body>``."""
    snippet = live_snippet(snapshot).encode()
    end = page.lower().rfind(b"</body>")
    if end < 0:
        return page + snippet
    return page[:end] + snippet + page[end:]


_WAITING = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Building the preview</title></head>
<body>
<p>The site has not been built yet. This page reloads when the first build succeeds.</p>
</body>
</html>
"""


class PreviewServer(ThreadingHTTPServer):
    """Serve the build folder ``root`` as the site, plus the live-reload endpoint."""

    daemon_threads = True

    def __init__(self, host: str, port: int, root: Path, live: LiveState) -> None:
        # An IPv6 literal needs an IPv6 socket; the class attribute is read by bind().
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.root = root
        self.live = live
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        """Return the server's own address, ``http://127.0.0.1:8000``."""
        host, port = self.server_address[:2]
        host = str(host)
        if host in ("0.0.0.0", "::"):
            # Listening everywhere; this machine reaches it through loopback.
            host = "127.0.0.1" if host == "0.0.0.0" else "::1"
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def handle_error(self, request: t.Any, client_address: t.Any) -> None:
        # Browsers drop connections all the time (reloads, closed tabs): not worth a trace.
        log.debug("request from %s failed", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "site-builder"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: t.Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _respond(self, send_body: bool) -> None:
        if urlsplit(self.path).path == LIVERELOAD_PATH:
            self._live_reload(send_body)
            return
        # Read the state before the files: a page built after this snapshot then carries
        # an older epoch and is reloaded once more, while the reverse order could show
        # an old page marked current, which would never reload.
        snapshot = self.server.live.current
        if snapshot.base_path is None:
            page = inject(_WAITING.encode(), snapshot)
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, content_type(Path("x.html")), page,
                       send_body)
            return
        target = locate(self.server.root, snapshot.base_path, self.path)
        if target.location is not None:
            self.send_response(target.status)
            self.send_header("Location", target.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if target.path is None:
            self._not_found(snapshot, send_body)
            return
        self._send_file(target.status, target.path, snapshot, send_body)

    def _not_found(self, snapshot: Snapshot, send_body: bool) -> None:
        page = self.server.root / "404.html"
        if page.is_file():
            self._send_file(HTTPStatus.NOT_FOUND, page, snapshot, send_body)
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n",
                       send_body)

    def _send_file(
        self, status: HTTPStatus, path: Path, snapshot: Snapshot, send_body: bool
    ) -> None:
        kind = content_type(path)
        try:
            file = path.open("rb")
        except OSError:
            # Removed by a rebuild between locating and opening it.
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n",
                       send_body)
            return
        with file:
            if kind.startswith("text/html"):
                self._send(status, kind, inject(file.read(), snapshot), send_body)
                return
            self._headers(status, kind, os.fstat(file.fileno()).st_size)
            if send_body:
                shutil.copyfileobj(file, self.wfile)

    def _live_reload(self, send_body: bool) -> None:
        query = parse_qs(urlsplit(self.path).query)
        try:
            version = int(query.get("version", ["-1"])[0])
        except ValueError:
            version = -1
        snapshot = self.server.live.wait_for_change(version, POLL_SECONDS)
        state = {"epoch": snapshot.epoch, "version": snapshot.version, "error": snapshot.error}
        self._send(HTTPStatus.OK, "application/json", json.dumps(state).encode(), send_body)

    def _send(self, status: HTTPStatus, kind: str, data: bytes, send_body: bool) -> None:
        self._headers(status, kind, len(data))
        if send_body:
            self.wfile.write(data)

    def _headers(self, status: HTTPStatus, kind: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        # Every response reflects the latest build, so nothing may be cached.
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
