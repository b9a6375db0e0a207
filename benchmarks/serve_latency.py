#!/usr/bin/env python3
"""Measure how long ``site-builder serve`` takes to show a saved one-article change.

For each corpus size it lays out a project in a temporary folder, starts
``site-builder serve`` on a free port, waits for the first build, then several times:
appends a marker line to one article, and from the moment the file is saved waits for
the rebuilt article page to contain the marker, the way a browser would (long-poll the
live-reload endpoint, then fetch the page).

Corpora (from ``../shared`` beside the project unless ``--shared`` says otherwise):
  1560   corpus/nodejs-blog/*.md + corpus/ruby-news/*.en.md, copied as they are
  10000  bench/scale_corpus.py --n 10000 over corpus/nodejs-blog and corpus/ruby-news

Usage:
  python3 benchmarks/serve_latency.py [--sizes 1560 10000] [--rounds 3] [--shared DIR]
  (the shared folder is also taken from $SITE_BUILDER_SHARED)
Results are printed and written to benchmarks/results/serve-latency.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import typing as t
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
RESULTS = PROJECT / "benchmarks" / "results" / "serve-latency.md"
CONFIG = 'title = "Latency benchmark"\nbase_url = "https://example.org/news/"\n'
FIRST_BUILD_LIMIT = 3600.0
"""Seconds allowed for the first build; a rebuild, and stopping, get as long."""
POLL = 0.1
"""Seconds between two looks at the page while waiting for a change."""


def make_project(size: int, shared: Path, root: Path) -> Path:
    """Lay out a project of ``size`` articles under ``root`` and return its folder."""
    project = root / f"project-{size}"
    content = project / "content"
    content.mkdir(parents=True)
    (project / "config.toml").write_text(CONFIG)
    corpus = shared / "corpus"
    if size == 1560:
        sources = sorted((corpus / "nodejs-blog").glob("*.md"))
        sources += sorted((corpus / "ruby-news").glob("*.en.md"))
        for path in sources:
            shutil.copy(path, content / path.name)
    else:
        subprocess.run(
            [sys.executable, str(shared / "bench" / "scale_corpus.py"), "--n", str(size),
             "--out", str(content), str(corpus / "nodejs-blog"), str(corpus / "ruby-news")],
            check=True, stdout=subprocess.DEVNULL)
    return project


def article_url(project: Path, source: Path) -> str:
    """Return the site path of the article in ``source`` (``2024/05/02/slug/``)."""
    sys.path.insert(0, str(PROJECT))
    from site_builder.config import load_config
    from site_builder.content import SourceFile, parse_article

    config = load_config(project)
    rel = source.relative_to(project).as_posix()
    article, problems = parse_article(SourceFile(rel, source), config)
    if article is None:
        raise SystemExit(f"cannot parse {rel}: {problems}")
    return article.url


class Server:
    """``site-builder serve`` in a child process, its stdout read line by line."""

    def __init__(self, project: Path, temp: Path) -> None:
        env = {**os.environ, "TMPDIR": str(temp), "PYTHONUNBUFFERED": "1"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT),
                                                          env.get("PYTHONPATH")]))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "site_builder", "serve", "--project", str(project),
             "--port", "0"], stdout=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self.line(60)
        if not first.startswith("Serving "):
            raise SystemExit(f"serve did not start: {first}")
        self.site_url = first.split()[1]
        self.origin = "/".join(self.site_url.split("/", 3)[:3])

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def line(self, timeout: float) -> str:
        return self.lines.get(timeout=timeout)

    def wait_built(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.line(max(1.0, deadline - time.monotonic()))
            if line.startswith("Built "):
                return line

    def state(self) -> dict[str, t.Any]:
        """Return the live-reload state now (epoch = successful builds so far)."""
        url = f"{self.origin}/_livereload?version=-1"
        with urllib.request.urlopen(url, timeout=60) as response:
            return t.cast(dict[str, t.Any], json.load(response))

    def wait_for(self, url: str, marker: bytes, epoch: int, limit: float) -> tuple[float, float]:
        """Return when ``url`` first served ``marker``, and when a browser would reload to it.

        The page changes on disk as soon as the build swaps the new site in; the browser
        is told to reload only when the build has returned and the epoch moved on.
        """
        deadline = time.monotonic() + limit
        served = None
        while time.monotonic() < deadline:
            # The state first: a new epoch then guarantees the page read next is new.
            moved_on = self.state()["epoch"] > epoch
            with urllib.request.urlopen(url, timeout=60) as response:
                has_marker = marker in response.read()
            now = time.monotonic()
            if has_marker and served is None:
                served = now
            if has_marker and moved_on:
                assert served is not None
                return served, now
            time.sleep(POLL)
        raise SystemExit(f"{marker!r} never appeared at {url}")

    def stop(self) -> float:
        """Stop the server with Ctrl-C; return how long it took to exit."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=FIRST_BUILD_LIMIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        return time.monotonic() - started


def measure(size: int, shared: Path, rounds: int) -> dict[str, t.Any]:
    """Return the first-build time and the save-to-served latencies for one corpus size."""
    with tempfile.TemporaryDirectory(prefix="serve-latency-") as temp:
        root = Path(temp)
        project = make_project(size, shared, root)
        sources = sorted((project / "content").rglob("*.md"))
        source = sources[len(sources) // 2]
        url_path = article_url(project, source)
        (root / "tmp").mkdir()
        started = time.monotonic()
        server = Server(project, root / "tmp")
        stopped = False
        try:
            server.wait_built(FIRST_BUILD_LIMIT)
            first = time.monotonic() - started
            page = server.site_url + url_path
            original = source.read_text(encoding="utf-8")
            served: list[float] = []
            reloaded: list[float] = []
            builds: list[str] = []
            for number in range(1, rounds + 1):
                marker = f"latency marker {number} {time.time_ns()}"
                epoch = server.state()["epoch"]
                source.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
                saved = time.monotonic()
                on_disk, told = server.wait_for(page, marker.encode(), epoch, FIRST_BUILD_LIMIT)
                served.append(on_disk - saved)
                reloaded.append(told - saved)
                builds.append(server.wait_built(FIRST_BUILD_LIMIT))
                print(f"  {size}: round {number}: page served after {served[-1]:.2f} s, "
                      f"reload after {reloaded[-1]:.2f} s ({builds[-1]})", flush=True)
            stop = server.stop()
            stopped = True
        finally:
            if not stopped:
                server.proc.kill()
                server.proc.wait()
    return {"size": size, "articles": len(sources), "first": first, "served": served,
            "reloaded": reloaded, "builds": builds, "stop": stop,
            "article": source.relative_to(project).as_posix()}


def report(results: list[dict[str, t.Any]], command: str, load: str) -> str:
    """Return the results as Markdown."""
    lines = [
        "# Preview latency: save one article, see it served",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()}; load average (1, 5, 15 min) "
        f"{load} at the end (other work shares the machine).",
        "",
        "- *page served*: from the article file being saved to the article page being",
        f"  served with the change (the page is fetched every {POLL:g} s);",
        "- *reload*: from the save to the live-reload endpoint telling the browser to reload",
        "  (the build has returned), with the page served new;",
        "- *first build*: from starting `site-builder serve` to its first `Built` line;",
        "- *stop*: from Ctrl-C to the process exiting, the temporary build removed.",
        "",
        "| articles | first build (s) | page served (s) | reload (s) | median reload (s) "
        "| stop (s) |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        served = ", ".join(f"{x:.2f}" for x in result["served"])
        reloaded = ", ".join(f"{x:.2f}" for x in result["reloaded"])
        median = statistics.median(result["reloaded"])
        lines.append(f"| {result['articles']:,} | {result['first']:.1f} | {served} | "
                     f"{reloaded} | {median:.2f} | {result['stop']:.1f} |")
    lines.append("")
    for result in results:
        lines.append(f"- {result['articles']:,} articles, edited `{result['article']}`; "
                     "the server printed:")
        lines.extend(f"  - {line}" for line in result["builds"])
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1560, 10000],
                        help="corpus sizes: 1560 (the real corpus) or any N for scale_corpus")
    parser.add_argument("--rounds", type=int, default=3, help="saves measured per size")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="Markdown file to write (default: benchmarks/results/"
                             "serve-latency.md)")
    default_shared = os.environ.get("SITE_BUILDER_SHARED", PROJECT.parent / "shared")
    parser.add_argument("--shared", type=Path, default=default_shared,
                        help="the shared folder holding corpus/ and bench/ (default: "
                             "$SITE_BUILDER_SHARED, else ../shared)")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        print(f"{size} articles: building the project and starting the server…", flush=True)
        results.append(measure(size, args.shared.resolve(), args.rounds))
    # The shared folder's location is the machine's business, not the result's.
    argv = (f"python3 benchmarks/serve_latency.py --sizes {' '.join(map(str, args.sizes))} "
            f"--rounds {args.rounds}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = report(results, argv, load)
    print(text)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(text)


if __name__ == "__main__":
    main()
