"""axe-core finds nothing to fix on the default theme's pages, in light and dark mode.

Runs axe-core (the copy the ``axe-playwright-python`` test dependency ships) in Debian's
Chromium through Playwright, on the ``newsroom`` fixture: the front page, a section
front, a standalone page, two articles, a year archive and a tag page, at phone and
desktop widths. Every rule axe
runs by default counts, whatever its impact, as in the acceptance harness.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
import typing as t
from pathlib import Path

import pytest

from site_builder import load_config

from .conftest import build, copy_site
from .test_browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

PAGES = {
    "front page": "",
    "section front": "city/",
    "standalone page": "about/",
    "article with a picture": "2024/04/08/north-pier/",
    "article with code": "2024/03/15/spending-data/",
    "year archive": "2024/",
    "tag page": "tags/shipping/",
}
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}

if t.TYPE_CHECKING:
    from playwright.sync_api import Browser


def axe_script() -> Path:
    """Return axe-core's ``axe.min.js``; skip (fail in CI) when it is not installed."""
    try:
        import axe_playwright_python
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("axe-playwright-python is missing; CI must run the accessibility tests")
        pytest.skip("axe-playwright-python is not installed (pip install '.[test]')")
    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: t.Any) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> t.Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 in a thread; yield its URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[str]:
    """Build the newsroom fixture and serve it; yield its URL."""
    require_chromium()
    project = copy_site("newsroom", tmp_path_factory.mktemp("a11y"))
    build(load_config(project))
    with serve(project / "output") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> t.Iterator[Browser]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def violations(browser: Browser, url: str) -> tuple[dict[str, list[str]], set[str]]:
    """Return, per viewport and colour scheme, one line per axe violation on ``url``;
    and the page's background colours seen."""
    page = browser.new_page()
    found: dict[str, list[str]] = {}
    backgrounds: set[str] = set()
    try:
        response = page.goto(url, wait_until="networkidle")
        assert response is not None and response.ok, url
        page.add_script_tag(path=str(axe_script()))
        for viewport, (width, height) in VIEWPORTS.items():
            page.set_viewport_size({"width": width, "height": height})
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                backgrounds.add(page.evaluate("getComputedStyle(document.body).backgroundColor"))
                result = page.evaluate(
                    "async () => (await axe.run(document)).violations.map("
                    "v => [v.id, v.impact, v.nodes.map(n => n.target.join(' '))])")
                found[f"{viewport}, {scheme}"] = [
                    f"{rule} ({impact}): {', '.join(nodes)}" for rule, impact, nodes in result]
    finally:
        page.close()
    return found, backgrounds


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations(site: str, browser: Browser, name: str) -> None:
    found, backgrounds = violations(browser, site + PAGES[name])
    assert len(found) == 4
    assert len(backgrounds) == 2  # dark mode was on when it was checked
    assert {key: lines for key, lines in found.items() if lines} == {}


def test_axe_does_find_what_it_should(site: str, browser: Browser, tmp_path: Path) -> None:
    """The check itself works: a page with an image without alt text fails it."""
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Broken</title></head><body><main>'
        '<h1>Broken</h1><img src="x.png"></main></body></html>')
    with serve(broken) as url:
        found = violations(browser, url)[0]["desktop, light"]
    assert any(line.startswith("image-alt (critical)") for line in found), found
