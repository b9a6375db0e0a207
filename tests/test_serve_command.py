"""``site-builder serve`` as a user runs it: a real process on a free port."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import copy_site
from .serving import WAIT, fetch, serving, wait_for_text

ARTICLE = "content/2024/05/2024-05-02-port-strike-begins.md"
ARTICLE_URL = "2024/05/02/port-strike-begins/"


@pytest.mark.parametrize(("signum", "ignored"), [
    (signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGINT, True)])
def test_serves_a_temporary_build_and_stops_cleanly(
    tmp_path: Path, signum: int, ignored: bool
) -> None:
    project = copy_site("basic", tmp_path)
    temp = tmp_path / "temp"
    with serving(project, temp, ignore_sigint=ignored) as server:
        assert server.site_url.endswith("/archive/")
        server.wait_for_line("Built ")
        status, _, body = fetch(server.site_url + ARTICLE_URL)
        assert status == 200
        # Absolute links point at the preview, under the configured base path.
        assert f'href="{server.site_url}{ARTICLE_URL}"'.encode() in body
        assert len(list(temp.iterdir())) == 1
        assert server.stop(signum) == 0
        assert server.stdout[-1] == "Stopped.\n"
    assert not (project / "output").exists()
    assert list(temp.iterdir()) == [], "the temporary build folder was left behind"


def test_root_redirects_to_the_base_path(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    with serving(project, tmp_path / "temp") as server:
        server.wait_for_line("Built")
        status, headers, _ = fetch(server.origin_url + "/")
        assert (status, headers["Location"]) == (302, "/archive/")
        status, _, body = fetch(server.origin_url + "/archive/nothing/here")
        assert status == 404 and b"<h1>Page not found</h1>" in body


def test_rebuilds_on_save_and_survives_broken_content(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    source = project / ARTICLE
    original = source.read_text()
    with serving(project, tmp_path / "temp") as server:
        server.wait_for_line("Built")
        page = server.site_url + ARTICLE_URL
        source.write_text(original.replace("halting", "stopping"))
        wait_for_text(page, "stopping <strong>all</strong>")

        source.write_text("---\ntitle: [unclosed\n---\nBody.\n")
        body = wait_for_text(page, f"{ARTICLE}:2: invalid YAML")
        assert b"stopping <strong>all</strong>" in body
        assert any(line.startswith(f"{ARTICLE}:2: invalid YAML") for line in server.stderr)

        source.write_text(original.replace("halting", "freezing"))
        # A page fetched between the swap and the state change still shows the overlay
        # (and reloads once more in a browser), so wait for the two together.
        wait_for_text(page, "freezing <strong>all</strong>", absent='id="site-builder-error"')
        assert server.stop() == 0


def test_config_change_is_picked_up(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    config = project / "config.toml"
    with serving(project, tmp_path / "temp") as server:
        server.wait_for_line("Built")
        config.write_text(config.read_text().replace("Harbour Gazette Archive", "Dock Daily"))
        wait_for_text(server.site_url, "<title>Dock Daily")


def test_drafts_are_served_only_when_asked_and_marked_with_a_banner(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    banner = b'<p class="draft-banner"><strong>Draft:</strong> not published;'
    with serving(project, tmp_path / "temp") as server:
        assert server.next_line() == "1 draft not built: use --drafts"
        server.wait_for_line("Built")
        assert fetch(server.site_url + "2024/05/28/draft/")[0] == 404
    with serving(project, tmp_path / "temp", "--drafts") as server:
        assert server.next_line().startswith("Built ")
        status, _, body = fetch(server.site_url + "2024/05/28/draft/")
        assert status == 200 and body.count(banner) == 1
        # Inside the main landmark, before the article, so a screen reader meets it first.
        assert body.index(b'<main id="main"') < body.index(banner) < body.index(b"<h1>")
        status, _, body = fetch(server.site_url + ARTICLE_URL)
        assert status == 200 and b"draft-banner" not in body


def test_broken_content_at_start_keeps_the_server_up(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    source = project / ARTICLE
    original = source.read_text()
    source.write_text("---\ntitle: [unclosed\n---\n")
    with serving(project, tmp_path / "temp") as server:
        body = wait_for_text(server.site_url, f"{ARTICLE}:2: invalid YAML")
        assert fetch(server.site_url)[0] == 503
        source.write_text(original)
        wait_for_text(server.site_url, ": the latest news</h1>")
        assert fetch(server.site_url)[0] == 200
    assert b"has not been built yet" in body


def test_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "site_builder", "serve", "--project", str(project),
             "--port", str(port)], capture_output=True, text=True, timeout=WAIT)
    assert result.returncode == 1
    assert result.stderr == (f"cannot serve: port {port} on 127.0.0.1 is already in use "
                             "(choose another with --port)\n")
    assert result.stdout == ""


def test_open_starts_a_browser_on_the_site(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.py"
    browser.write_text("import sys, pathlib\n"
                       f"pathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n")
    env = {"BROWSER": f"{sys.executable} {browser} %s"}
    with serving(project, tmp_path / "temp", "--open", env=env) as server:
        server.wait_for_line("Built")
        deadline = time.monotonic() + WAIT
        while not (opened.exists() and opened.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text() == server.site_url
