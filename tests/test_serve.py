"""The preview server's parts: request paths, content types, injection, rebuilds.

The server itself runs in this process on a free port, serving a small hand-made folder.
"""

from __future__ import annotations

import http.client
import json
import threading
import typing as t
from http import HTTPStatus
from pathlib import Path

import pytest

from site_builder import BuildError, Problem
from site_builder.build import BuildResult
from site_builder.config import Config
from site_builder.preview.server import (
    LiveState,
    PreviewServer,
    Rebuilder,
    Snapshot,
    content_type,
    inject,
    live_snippet,
    locate,
    preview_config,
)
from site_builder.preview.watch import ChangeSet

from .conftest import make_config
from .serving import fetch


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Return a small built site with a secret file beside it."""
    root = tmp_path / "site"
    (root / "2024" / "story").mkdir(parents=True)
    (root / "index.html").write_text("<!DOCTYPE html><html><body><p>Home</p></body></html>")
    (root / "404.html").write_text("<html><body><h1>Page not found</h1></body></html>")
    (root / "2024" / "story" / "index.html").write_text("<html><body>Story</body></html>")
    (root / "feed.xml").write_text("<feed/>")
    (root / "search.json").write_text("[]")
    (root / "site.css").write_text("body{}")
    (root / "logo.svg").write_text("<svg/>")
    (root / "photo.png").write_bytes(b"\x89PNG")
    (root / "font.woff2").write_bytes(b"wOF2")
    (root / "robots.txt").write_text("User-agent: *")
    (tmp_path / "secret.txt").write_text("SECRET")
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (root / "leakdir").symlink_to(tmp_path)
    return root


# --- locate ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/2024/..%2f..%2fsecret.txt",
    "/..%5csecret.txt", "/leak.txt", "/leakdir/secret.txt", "/leakdir/", "/2024/%00",
    "/%ff", "/./index.html", "/nothing", "/feed.xml/",
])
def test_nothing_outside_the_site_is_located(site: Path, raw: str) -> None:
    assert locate(site, "/", raw).status == HTTPStatus.NOT_FOUND


def test_folders_lead_to_their_index(site: Path) -> None:
    assert locate(site, "/", "/").path == site / "index.html"
    assert locate(site, "/", "/2024/story/").path == site / "2024" / "story" / "index.html"
    assert locate(site, "/", "/2024/story/?x=1").path == site / "2024" / "story" / "index.html"


def test_folder_without_slash_is_redirected(site: Path) -> None:
    target = locate(site, "/", "/2024/story?x=1")
    assert (target.status, target.location) == (HTTPStatus.MOVED_PERMANENTLY, "/2024/story/?x=1")
    # The location is rebuilt from checked names, never echoed back.
    assert locate(site, "/", "//2024/story").location == "/2024/story/"


def test_site_is_served_under_the_base_path(site: Path) -> None:
    assert locate(site, "/archive/", "/archive/feed.xml").path == site / "feed.xml"
    assert locate(site, "/archive/", "/").location == "/archive/"
    assert locate(site, "/archive/", "/archive").location == "/archive/"
    assert locate(site, "/archive/", "/feed.xml").status == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(("name", "expected"), [
    ("index.html", "text/html; charset=utf-8"),
    ("site.css", "text/css; charset=utf-8"),
    ("feed.xml", "application/xml"),
    ("sitemap.XML", "application/xml"),
    ("feed.json", "application/json"),
    ("robots.txt", "text/plain; charset=utf-8"),
    ("logo.svg", "image/svg+xml"),
    ("photo.jpg", "image/jpeg"),
    ("photo.webp", "image/webp"),
    ("font.woff2", "font/woff2"),
    ("font.ttf", "font/ttf"),
    ("data.unknown-kind", "application/octet-stream"),
])
def test_content_types(name: str, expected: str) -> None:
    assert content_type(Path(name)) == expected


# --- injection ------------------------------------------------------------------------


def test_script_goes_before_the_last_body_end() -> None:
    page = inject(b"<html><body><p>Hi</p></BODY></html>", Snapshot(3, 5, None, "/"))
    assert page.startswith(b"<html><body><p>Hi</p><style>")
    assert page.endswith(b"</script></BODY></html>")
    assert b"var epoch = 3, version = 5" in page
    assert b'<div id="site-builder-error"' not in page


def test_error_overlay_is_escaped() -> None:
    snippet = live_snippet(Snapshot(1, 2, "content/x.md:3: bad <script>alert(1)</script>", "/"))
    assert '<div id="site-builder-error" role="alert">' in snippet
    assert "content/x.md:3: bad &lt;script&gt;alert(1)&lt;/script&gt;</div>" in snippet
    assert "<script>alert" not in snippet


# --- state and rebuilds ---------------------------------------------------------------


def test_live_state_counts_successes_and_keeps_the_last_error() -> None:
    live = LiveState()
    live.succeeded("/")
    live.failed("content/x.md:2: broken")
    assert live.current == Snapshot(1, 2, "content/x.md:2: broken", "/")
    assert live.wait_for_change(0, timeout=0) == live.current
    live.succeeded("/archive/")
    assert live.current == Snapshot(2, 3, None, "/archive/")


def result() -> BuildResult:
    return BuildResult(pages=1, written=(), unchanged=(), deleted=(), warnings=(), seconds=0.0)


def test_rebuilder_keeps_serving_after_a_failure(tmp_path: Path) -> None:
    outcomes: list[BuildResult | BuildError] = [
        result(), BuildError([Problem("content/a.md", 2, "bad date")]), result()]
    live = LiveState()

    def builder() -> BuildResult:
        outcome = outcomes.pop(0)
        if isinstance(outcome, BuildError):
            raise outcome
        return outcome

    rebuilder = Rebuilder(lambda: make_config(tmp_path), live, lambda config: builder)
    first = rebuilder.rebuild(ChangeSet(frozenset(), config_changed=True))
    assert first.result is not None and live.current.epoch == 1
    failed = rebuilder.rebuild(ChangeSet(frozenset({tmp_path / "a.md"}), False))
    assert failed.error == "content/a.md:2: bad date"
    assert live.current == Snapshot(1, 2, "content/a.md:2: bad date", "/")
    rebuilder.rebuild(ChangeSet(frozenset({tmp_path / "a.md"}), False))
    assert live.current == Snapshot(2, 3, None, "/")


def test_rebuilder_reloads_the_config_only_when_it_changed(tmp_path: Path) -> None:
    loads: list[Config] = []
    builders: list[Config] = []

    def load() -> Config:
        loads.append(make_config(tmp_path, title=f"Title {len(loads)}"))
        return loads[-1]

    def make_builder(config: Config) -> t.Callable[[], BuildResult]:
        builders.append(config)
        return result

    rebuilder = Rebuilder(load, LiveState(), make_builder)
    rebuilder.rebuild(ChangeSet(frozenset(), config_changed=True))
    rebuilder.rebuild(ChangeSet(frozenset({tmp_path / "content" / "a.md"}), False))
    assert [c.title for c in builders] == ["Title 0"]
    rebuilder.rebuild(ChangeSet(frozenset({tmp_path / "config.toml"}), config_changed=True))
    assert [c.title for c in builders] == ["Title 0", "Title 1"]


def test_a_broken_config_is_reloaded_on_the_next_change(tmp_path: Path) -> None:
    attempts: list[int] = []
    live = LiveState()

    def load() -> Config:
        attempts.append(1)
        if len(attempts) == 1:
            raise BuildError([Problem("config.toml", 1, "invalid TOML")])
        return make_config(tmp_path)

    rebuilder = Rebuilder(load, live, lambda config: result)
    assert rebuilder.rebuild(ChangeSet(frozenset(), True)).error == "config.toml:1: invalid TOML"
    assert rebuilder.rebuild(ChangeSet(frozenset({tmp_path / "content"}), False)).error is None
    assert live.current.epoch == 1


def test_an_unexpected_crash_does_not_stop_the_preview(tmp_path: Path) -> None:
    def crash() -> BuildResult:
        raise RuntimeError("disk on fire")

    live = LiveState()
    rebuild = Rebuilder(lambda: make_config(tmp_path), live, lambda config: crash).rebuild(
        ChangeSet(frozenset(), True))
    assert rebuild.error == "unexpected error: RuntimeError: disk on fire"
    assert live.current.error == rebuild.error


def test_preview_config_keeps_the_base_path(tmp_path: Path) -> None:
    config = make_config(tmp_path, base_url="https://example.org/archive/")
    preview = preview_config(config, "http://127.0.0.1:8123", tmp_path / "out")
    assert preview.base_url == "http://127.0.0.1:8123/archive/"
    assert preview.output_path == tmp_path / "out"


# --- the server -----------------------------------------------------------------------


@pytest.fixture
def server(site: Path) -> t.Iterator[tuple[PreviewServer, LiveState]]:
    live = LiveState()
    live.succeeded("/")
    preview = PreviewServer("127.0.0.1", 0, site, live)
    thread = threading.Thread(target=preview.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield preview, live
    live.close()
    preview.shutdown()
    preview.server_close()


def raw_get(preview: PreviewServer, path: str, method: str = "GET") -> tuple[int, bytes]:
    """Send ``path`` exactly as written, with no client-side normalisation."""
    host, port = preview.server_address[:2]
    connection = http.client.HTTPConnection(str(host), port, timeout=30)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/2024/%2e%2e/%2e%2e/secret.txt",
    "/..%2fsecret.txt", "/leak.txt", "/leakdir/secret.txt",
])
def test_traversal_gets_the_404_page(server: tuple[PreviewServer, LiveState], path: str) -> None:
    status, body = raw_get(server[0], path)
    assert status == 404
    assert b"Page not found" in body and b"SECRET" not in body


def test_missing_page_gets_404_status_and_the_sites_404_page(
    server: tuple[PreviewServer, LiveState]
) -> None:
    status, headers, body = fetch(server[0].url + "/2024/nothing/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.startswith(b"<html><body><h1>Page not found</h1>")
    assert b"/_livereload" in body


@pytest.mark.parametrize(("path", "kind"), [
    ("/", "text/html; charset=utf-8"),
    ("/feed.xml", "application/xml"),
    ("/search.json", "application/json"),
    ("/site.css", "text/css; charset=utf-8"),
    ("/logo.svg", "image/svg+xml"),
    ("/photo.png", "image/png"),
    ("/font.woff2", "font/woff2"),
    ("/robots.txt", "text/plain; charset=utf-8"),
])
def test_files_are_sent_with_their_content_type(
    server: tuple[PreviewServer, LiveState], path: str, kind: str
) -> None:
    status, headers, body = fetch(server[0].url + path)
    assert (status, headers["Content-Type"]) == (200, kind)
    assert int(headers["Content-Length"]) == len(body)
    assert headers["Cache-Control"] == "no-store"


def test_only_html_gets_the_script(server: tuple[PreviewServer, LiveState]) -> None:
    assert fetch(server[0].url + "/feed.xml")[2] == b"<feed/>"
    assert b"/_livereload" in fetch(server[0].url + "/2024/story/")[2]


def test_head_sends_headers_only(server: tuple[PreviewServer, LiveState]) -> None:
    _, full_headers, full = fetch(server[0].url + "/")
    status, headers, body = fetch(server[0].url + "/", method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == full_headers["Content-Length"] == str(len(full))
    assert fetch(server[0].url + "/nothing", method="HEAD")[:1] == (404,)


def test_folder_without_slash_redirects(server: tuple[PreviewServer, LiveState]) -> None:
    status, headers, _ = fetch(server[0].url + "/2024/story")
    assert (status, headers["Location"]) == (301, "/2024/story/")


def test_failed_build_shows_the_error_on_pages(server: tuple[PreviewServer, LiveState]) -> None:
    preview, live = server
    live.failed("content/a.md:3: date: expected a date")
    _, _, body = fetch(preview.url + "/")
    assert b"<p>Home</p>" in body
    assert b'<div id="site-builder-error" role="alert">' in body
    assert b"content/a.md:3: date: expected a date" in body
    live.succeeded("/")
    assert b"site-builder-error\" role" not in fetch(preview.url + "/")[2]


def test_long_poll_answers_when_the_state_changed(
    server: tuple[PreviewServer, LiveState]
) -> None:
    preview, live = server
    live.failed("content/a.md:1: broken")
    _, headers, body = fetch(preview.url + "/_livereload?version=1")
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"epoch": 1, "version": 2, "error": "content/a.md:1: broken"}


def test_before_the_first_good_build_a_waiting_page_is_served(tmp_path: Path) -> None:
    live = LiveState()
    live.failed("content/a.md:1: broken")
    preview = PreviewServer("127.0.0.1", 0, tmp_path / "not-built", live)
    threading.Thread(target=preview.serve_forever, args=(0.05,), daemon=True).start()
    try:
        status, _, body = fetch(preview.url + "/any/page/")
    finally:
        preview.shutdown()
        preview.server_close()
    assert status == 503
    assert b"has not been built yet" in body and b"content/a.md:1: broken" in body
