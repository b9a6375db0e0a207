"""Take the README's screenshots of the default theme with headless Chromium.

Builds a project (by default the ``tests/sites/basic`` fixture) for a local address,
serves it on 127.0.0.1 and saves PNGs of the home page, an article, a year archive and a
tag page at phone and desktop widths, plus the article in dark mode::

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
    "home": "",
    "article": "2024/05/02/port-strike-begins/",
    "year": "2024/",
    "tag": "tags/port/",
}
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
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp, base_path.strip("/"))
        with serve(Path(tmp)) as port:
            base_url = f"http://127.0.0.1:{port}{base_path}"
            build(load_config(project, output_dir=str(site), base_url=base_url))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium,
                                                     args=CHROMIUM_ARGS)
                shots = [(name, path, width, "light") for name, path in PAGES.items()
                         for width in WIDTHS]
                shots.append(("article", PAGES["article"], "desktop", "dark"))
                for name, path, width, scheme in shots:
                    w, h = WIDTHS[width]
                    page = browser.new_page(viewport={"width": w, "height": h},
                                            color_scheme=scheme)  # type: ignore[arg-type]
                    page.goto(base_url + path, wait_until="networkidle")
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
    parser.add_argument("--project", type=Path, default=ROOT / "tests" / "sites" / "basic")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium",
                        help="Chromium executable (default: chromium on the PATH)")
    args = parser.parse_args()
    for path in take(args.project, args.out, args.chromium):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
