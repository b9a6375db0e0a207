#!/usr/bin/env python3
"""Measure what resolving and checking links costs on the 1,560-article corpus project.

It lays out ``corpus/nodejs-blog/*.md`` + ``corpus/ruby-news/*.en.md`` with a small
``config.toml`` (title, base_url, search off) in a temporary folder, runs the build's
stages one by one and reports the CPU time (not wall time, so other jobs on the machine
disturb it less) of:

- ``resolve_links_cached`` (the build's link resolution, from an empty cache) over all
  articles, and how many links it rewrote;
- rendering every page, and scanning every rendered page for links and ids;
- ``check_links`` over the scans, with the number of links checked and reported;
- the standard library's ``html.parser`` doing the same scan, for comparison;

then the peak memory of a whole ``site-builder build`` of the project (search off, so the
Pagefind indexer, a separate program, does not count).

Usage:
  python3 benchmarks/link_check.py [--shared DIR]
  (the shared folder is also taken from $SITE_BUILDER_SHARED, else ../shared)
Results are printed and written to benchmarks/results/link-check.md.
"""

from __future__ import annotations

import argparse
import html.parser
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from site_builder import hrefs  # noqa: E402
from site_builder.config import load_config  # noqa: E402
from site_builder.content import discover_sources, parse_article  # noqa: E402
from site_builder.history import plan_redirects, redirect_routes  # noqa: E402
from site_builder.incremental.fingerprint import Digester  # noqa: E402
from site_builder.incremental.resolving import resolve_links_cached  # noqa: E402
from site_builder.incremental.store import open_cache  # noqa: E402
from site_builder.linkcheck import PageScan, check_links, scan_page, site_files  # noqa: E402
from site_builder.render import make_environment, render_route  # noqa: E402
from site_builder.routes import plan_routes, static_routes  # noqa: E402
from site_builder.site import build_site  # noqa: E402

RESULTS = PROJECT / "benchmarks" / "results" / "link-check.md"
CONFIG = 'title = "Link benchmark"\nbase_url = "https://example.org/"\nsearch = false\n'
"""Search off: the Pagefind indexer's own memory would hide the build's."""


class _Scanner(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src", "poster"):
                self.refs.append(value)
            elif name == "srcset":
                self.refs.extend(hrefs.srcset_urls(value))
            elif name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)


def make_project(shared: Path, root: Path) -> Path:
    project = root / "corpus-1560"
    content = project / "content"
    content.mkdir(parents=True)
    (project / "config.toml").write_text(CONFIG)
    corpus = shared / "corpus"
    for path in [*sorted((corpus / "nodejs-blog").glob("*.md")),
                 *sorted((corpus / "ruby-news").glob("*.en.md"))]:
        shutil.copy(path, content / path.name)
    return project


def cpu(start: float) -> float:
    return time.process_time() - start


def measure(project: Path) -> list[str]:
    config = load_config(project)
    sources, _ = discover_sources(config)
    parsed = [parse_article(src, config)[0] for src in sources]
    articles = [a for a in parsed if a is not None]

    # A cache of its own, so the whole build measured below starts without one; the
    # rewritten bodies live in it until the pages are rendered.
    cache = open_cache(project.parent / "resolve-cache")
    start = time.process_time()
    resolved, _ = resolve_links_cached(articles, config, [r.url for r in static_routes(config)],
                                       cache, Digester(), clean=True)
    resolve_cpu = cpu(start)
    rewritten = sum(len(a.link_origins) for a in resolved)

    site = build_site(config, resolved)
    routes = plan_routes(site, config)
    redirects, _ = plan_redirects({}, site, routes, config)
    routes = [*routes, *redirect_routes(redirects)]
    by_output = {r.output_path: r for r in routes}
    files = site_files(routes, config)

    pages: list[tuple[str, str, str]] = []
    start = time.process_time()
    env = make_environment(config)
    for route in routes:
        if route.template is None:
            continue  # a static file, copied as it is
        data = render_route(env, route, site)
        if route.output_path.endswith(".html"):
            pages.append((route.output_path, route.url, data.decode()))
    render_cpu = cpu(start)
    cache.close()

    start = time.process_time()
    scans: list[PageScan] = [scan_page(path, url, text, files) for path, url, text in pages]
    scan_cpu = cpu(start)

    start = time.process_time()
    report, problems = check_links(scans, by_output, site, config)
    check_cpu = cpu(start)

    start = time.process_time()
    for _, _, text in pages:
        parser = _Scanner()
        parser.feed(text)
        parser.close()
    parser_cpu = cpu(start)

    megabytes = sum(len(text.encode()) for _, _, text in pages) / 1e6
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([sys.executable, "-m", "site_builder", "build", "--project", str(project)],
                   cwd=PROJECT, check=True, capture_output=True)
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024

    return [
        f"- articles: {len(articles)}; HTML pages: {len(pages)} ({megabytes:.1f} MB)",
        f"- `resolve_links_cached` (empty cache): {resolve_cpu:.2f} s CPU, {rewritten} links "
        "rewritten",
        f"- rendering every page: {render_cpu:.2f} s CPU",
        f"- scanning every page (`hrefs.scan` via `scan_page`): {scan_cpu:.2f} s CPU",
        f"- `check_links`: {check_cpu:.3f} s CPU; {report.checked} internal links checked, "
        f"{report.broken} reported ({', '.join(p.level for p in problems) or 'none'})",
        f"- the same scan with `html.parser`: {parser_cpu:.2f} s CPU",
        f"- peak memory of `site-builder build` (search off): {peak:.0f} MB",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("SITE_BUILDER_SHARED", str(PROJECT.parent / "shared"))
    parser.add_argument("--shared", type=Path, default=Path(default))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="link-bench-") as tmp:
        lines = measure(make_project(args.shared, Path(tmp)))
    text = "\n".join([
        "# Link resolution and checking on the 1,560-article corpus",
        "",
        f"Measured by `python3 benchmarks/link_check.py` on {platform.platform()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs.",
        "",
        *lines,
        "",
    ])
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
