"""Take the README's screenshots of the default theme with headless Chromium.

Builds a project (by default the ``tests/sites/newsroom`` fixture) for a local address,
serves it on 127.0.0.1 and saves PNGs of the front page, a section front, an article with
a picture, one without (with code) and a standalone page at phone and desktop widths, plus
the front page and the article in dark mode::

    python3 docs/screenshots.py [--project DIR] [--out docs/screenshots]

Needs the ``playwright`` package and a Chromium installed by the system's package
manager (``apt-get install chromium``); Playwright's own browser download is not used.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import tempfile
import threading
import typing as t
from pathlib import Path

from playwright.sync_api import sync_playwright

from site_builder import build, load_config

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "front": "",
    "section": "city/",
    "article": "2024/04/08/north-pier/",
    "article-code": "2024/03/15/spending-data/",
    "page": "about/",
}
DARK = ("front", "article-code")
"""Pages also taken in dark mode, at desktop width."""
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
MAX_HEIGHT = 2400
"""Longest part of a page kept, in CSS pixels, so long listings stay readable."""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextlib.contextmanager
def serve(folder: Path) -> t.Iterator[int]:
    """Serve ``folder`` on 127.0.0.1 in a thread; yield the port."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: t.Any) -> None:
        pass


def take(project: Path, out: Path, chromium: str) -> list[Path]:
    """Build ``project``, photograph its pages and return the PNGs written."""
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    # Serve under the project's own base path, so root-relative links in articles work.
    base_path = load_config(project).base_path
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as work:
        site = Path(tmp, base_path.strip("/"))
        # A copy is built, so the build's cache and URL history stay out of the project.
        copy = Path(work, "project")
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".site-builder-cache",
                                                                     "output"))
        with serve(Path(tmp)) as port:
            base_url = f"http://127.0.0.1:{port}{base_path}"
            build(load_config(copy, output_dir=str(site), base_url=base_url))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium,
                                                     args=CHROMIUM_ARGS)
                shots = [(name, path, width, "light") for name, path in PAGES.items()
                         for width in WIDTHS]
                shots += [(name, PAGES[name], "desktop", "dark") for name in DARK]
                for name, path, width, scheme in shots:
                    w, h = WIDTHS[width]
                    page = browser.new_page(viewport={"width": w, "height": h},
                                            color_scheme=scheme)  # type: ignore[arg-type]
                    page.goto(base_url + path, wait_until="networkidle")
                    # Lazy images load only near the viewport: scroll them all in first.
                    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                    page.wait_for_load_state("networkidle")
                    page.wait_for_function("[...document.images].every(i => i.complete)")
                    page.evaluate("window.scrollTo(0, 0)")
                    height = min(MAX_HEIGHT, page.evaluate("document.body.scrollHeight"))
                    suffix = "-dark" if scheme == "dark" else ""
                    target = out / f"{name}-{width}{suffix}.png"
                    page.screenshot(path=str(target), full_page=True,
                                    clip={"x": 0, "y": 0, "width": w, "height": height})
                    page.close()
                    saved.append(target)
                browser.close()
    return saved


def main() -> None:
    """Parse arguments and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT / "tests" / "sites" / "newsroom")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium",
                        help="Chromium executable (default: chromium on the PATH)")
    args = parser.parse_args()
    for path in take(args.project, args.out, args.chromium):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
