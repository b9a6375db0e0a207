"""Live reload and the error overlay in a real headless Chromium.

Runs Debian's ``chromium`` through Playwright; a browser is never downloaded. Without
Chromium the test is skipped, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import os
import typing as t
from pathlib import Path

import pytest

from .conftest import copy_site
from .serving import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ARTICLE = "content/2024/05/2024-05-02-port-strike-begins.md"
ARTICLE_URL = "2024/05/02/port-strike-begins/"
TIMEOUT_MS = 30_000

if t.TYPE_CHECKING:
    from playwright.sync_api import Page


def require_chromium() -> None:
    """Skip the test where Chromium or Playwright is missing; fail in CI."""
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} not found (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright package is not installed (pip install '.[test]')"
    if missing is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{missing}; CI must run the browser tests")
    pytest.skip(missing)


@pytest.fixture
def page() -> t.Iterator[Page]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_edit_reloads_the_page_and_errors_show_as_an_overlay(
    page: Page, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    project = copy_site("basic", tmp_path)
    source = project / ARTICLE
    original = source.read_text()
    main = page.locator("main")
    overlay = page.locator("#site-builder-error")
    with serving(project, tmp_path / "temp") as server:
        server.wait_for_line("Built")
        page.goto(server.site_url + ARTICLE_URL)
        expect(main).to_contain_text("halting all container traffic")
        # Survives only as long as the page is not reloaded.
        page.evaluate("window.notReloaded = true")

        source.write_text(original.replace("halting", "stopping"))
        expect(main).to_contain_text("stopping all container traffic", timeout=TIMEOUT_MS)
        assert page.evaluate("window.notReloaded") is None

        page.evaluate("window.notReloaded = true")
        source.write_text("---\ntitle: [unclosed\ndate: 2024-05-02\n---\nBody.\n")
        expect(overlay).to_be_visible(timeout=TIMEOUT_MS)
        expect(overlay).to_contain_text(f"{ARTICLE}:2: invalid YAML front matter")
        expect(main).to_contain_text("stopping all container traffic")
        # The overlay came without a reload, and the old page stays.
        assert page.evaluate("window.notReloaded") is True

        source.write_text(original.replace("halting", "freezing"))
        expect(main).to_contain_text("freezing all container traffic", timeout=TIMEOUT_MS)
        expect(overlay).to_have_count(0)
        assert server.stop() == 0
