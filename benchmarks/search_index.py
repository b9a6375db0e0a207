#!/usr/bin/env python3
"""Measure the search index: Pagefind's indexing time and the index size at N articles.

It makes an N-article project with ``../shared/bench/scale_corpus.py`` from
``../shared/corpus`` and builds it with search on, timing the search stage
(``search.index_search``, which indexes every shard on a first build); then it appends a
sentence to one article, builds again and times the search stage once more (only that
article's shard, and the shards of its neighbours by date, are re-indexed). It reports
both times, the shards, the pages indexed per language, and the size and file count of
``pagefind/``, with what a browser fetches before its first query.

Usage:
  python3 benchmarks/search_index.py [--articles 10000] [--shared DIR]
  (the shared folder is also taken from $SITE_BUILDER_SHARED, else ../shared)
Results are printed and written to benchmarks/results/search-index.md.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import typing as t
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from site_builder import search  # noqa: E402
from site_builder.build import build  # noqa: E402
from site_builder.config import load_config  # noqa: E402

RESULTS = PROJECT / "benchmarks" / "results" / "search-index.md"


class _Timed:
    """Wrap the build's search stage and Pagefind runs, recording their times."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.shards: list[str] = []
        self.written = 0
        builder = sys.modules["site_builder.build"]
        index_search, run = builder.index_search, search._run_pagefind

        def timed_index(*args: t.Any) -> t.Any:
            started = time.perf_counter()
            result = index_search(*args)
            self.seconds = time.perf_counter() - started
            self.written = len(result[0])
            return result

        def recorded_run(command: list[str], folder: Path) -> t.Any:
            self.shards.append(folder.name)
            return run(command, folder)

        setattr(builder, "index_search", timed_index)  # noqa: B010
        setattr(search, "_run_pagefind", recorded_run)  # noqa: B010

    def reset(self) -> None:
        self.seconds, self.shards, self.written = 0.0, [], 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("SITE_BUILDER_SHARED",
                                                    PROJECT.parent / "shared")))
    args = parser.parse_args()
    corpus = args.shared / "corpus"
    timed = _Timed()
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        project = Path(tmp) / "project"
        subprocess.run([sys.executable, str(args.shared / "bench" / "scale_corpus.py"),
                        "--n", str(args.articles), "--out", str(project / "content"),
                        str(corpus / "nodejs-blog"), str(corpus / "ruby-news")],
                       check=True, stdout=subprocess.DEVNULL)
        (project / "config.toml").write_text(
            'title = "Search benchmark"\nbase_url = "https://example.org/"\n'
            'link_check = "warn"\n')
        started = time.perf_counter()
        result = build(load_config(project))
        build_seconds = time.perf_counter() - started
        clean = (timed.seconds, len(timed.shards), timed.written)
        problems = [w for w in result.warnings if "search" in w.message]
        if problems or not timed.shards:
            print("\n".join(str(p) for p in problems) or "no search index", file=sys.stderr)
            return 1
        site = project / "output"
        html_pages = sum(1 for _ in site.rglob("*.html"))
        # One article edited: the sentence goes at the end of its body.
        edited = sorted((project / "content").rglob("*.md"))[args.articles // 2]
        timed.reset()
        edited.write_text(edited.read_text(encoding="utf-8") + "\nA late correction.\n",
                          encoding="utf-8")
        build(load_config(project))
        edit = (timed.seconds, sorted(timed.shards), timed.written)

        bundle = site / search.INDEX_DIR
        files = [p for p in bundle.rglob("*") if p.is_file()]
        total = sum(p.stat().st_size for p in files)
        listing = json.loads((bundle / search.LISTING).read_text())
        shards = listing["shards"]
        pages: collections.Counter[str] = collections.Counter()
        for shard in shards:
            pages.update(shard["languages"])
        sizes = sorted(sum(shard["languages"].values()) for shard in shards)
        # Before the first query (English page): the listing, the browser code, the English
        # WebAssembly, the primary index, then every shard's entry file and metadata.
        fixed = sum((bundle / name).stat().st_size for name in (
            search.LISTING, *search.RUNTIME, "wasm.en.pagefind", "pagefind-entry.json"))
        fixed += sum(p.stat().st_size for p in bundle.glob("pagefind.*.pf_meta"))
        requests = 4 + len(list(bundle.glob("pagefind.*.pf_meta")))
        for shard in shards:
            folder = bundle / shard["name"]
            metas = list(folder.glob("pagefind.*.pf_meta"))
            fixed += (folder / "pagefind-entry.json").stat().st_size * len(metas)
            fixed += sum(p.stat().st_size for p in metas)
            requests += 2 * len(metas)
        fragments = sorted(p.stat().st_size for p in bundle.glob("*/fragment/*"))

    mib = 1024 * 1024
    median_fragment = fragments[len(fragments) // 2] if fragments else 0
    lines = [
        f"# Search index at {args.articles:,} articles",
        "",
        f"Measured {dt.date.today().isoformat()} on {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}) with "
        f"`python3 benchmarks/search_index.py --articles {args.articles}`.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| articles / HTML pages in the build | {args.articles:,} / {html_pages:,} |",
        f"| first build, search included (for scale) | {build_seconds:.1f} s "
        f"({result.pages:,} pages) |",
        f"| search stage of the first build: every shard indexed | {clean[0]:.1f} s "
        f"({clean[1]} shards, {clean[2]:,} files written) |",
        f"| search stage after editing one article | {edit[0]:.1f} s "
        f"({len(edit[1])} shards re-indexed: {', '.join(edit[1])}; {edit[2]:,} files "
        "written) |",
        f"| shards | {len(shards)} (pages per shard: {sizes[0]:,} to {sizes[-1]:,}, "
        f"median {sizes[len(sizes) // 2]:,}) |",
        "| pages indexed per language | "
        f"{', '.join(f'{k} {v:,}' for k, v in sorted(pages.items()))} |",
        f"| index size on disk | {total / mib:.1f} MiB in {len(files):,} files |",
        f"| fetched before a first English query | {fixed / 1024:.0f} KiB in {requests} "
        "requests |",
        f"| median result fragment | {median_fragment / 1024:.1f} KiB |",
        "",
        "A query then fetches, in every shard, the word-index chunk holding each of its "
        "words, and one fragment per result shown.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    shutil.rmtree(PROJECT / "benchmarks" / "__pycache__", ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
