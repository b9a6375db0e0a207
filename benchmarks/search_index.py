#!/usr/bin/env python3
"""Measure the search index: Pagefind's indexing time and the index size at N articles.

It makes an N-article project with ``../shared/bench/scale_corpus.py`` from
``../shared/corpus``, builds it once with search off, then indexes that build the way
``site-builder build`` does (``search.index_search`` on the staged folder) and reports
the wall time of indexing, the number of pages indexed per language, and the size and
file count of ``pagefind/``, with the size a browser fetches for one query.

Usage:
  python3 benchmarks/search_index.py [--articles 10000] [--shared DIR]
  (the shared folder is also taken from $SITE_BUILDER_SHARED, else ../shared)
Results are printed and written to benchmarks/results/search-index.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from site_builder.build import build  # noqa: E402
from site_builder.config import load_config  # noqa: E402
from site_builder.search import INDEX_DIR, index_search  # noqa: E402

RESULTS = PROJECT / "benchmarks" / "results" / "search-index.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("SITE_BUILDER_SHARED",
                                                    PROJECT.parent / "shared")))
    args = parser.parse_args()
    corpus = args.shared / "corpus"
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        project = Path(tmp) / "project"
        subprocess.run([sys.executable, str(args.shared / "bench" / "scale_corpus.py"),
                        "--n", str(args.articles), "--out", str(project / "content"),
                        str(corpus / "nodejs-blog"), str(corpus / "ruby-news")],
                       check=True, stdout=subprocess.DEVNULL)
        (project / "config.toml").write_text(
            'title = "Search benchmark"\nbase_url = "https://example.org/"\n'
            'search = false\nlink_check = "warn"\n')
        started = time.perf_counter()
        result = build(load_config(project))
        build_seconds = time.perf_counter() - started
        site = project / "output"
        html_pages = sum(1 for _ in site.rglob("*.html"))

        started = time.perf_counter()
        written, _, problems = index_search(site, Path(tmp) / "none", html_changed=True)
        index_seconds = time.perf_counter() - started
        if problems:
            print("\n".join(str(p) for p in problems), file=sys.stderr)
            return 1
        bundle = site / INDEX_DIR
        files = [p for p in bundle.rglob("*") if p.is_file()]
        total = sum(p.stat().st_size for p in files)
        entry = json.loads((bundle / "pagefind-entry.json").read_text())
        pages = {lang: v["page_count"] for lang, v in sorted(entry["languages"].items())}
        fixed = sum(p.stat().st_size for p in files if p.parent == bundle
                    and p.name.startswith(("pagefind.js", "pagefind-entry", "wasm.en",
                                           "pagefind.en", "pagefind-worker")))
        chunks = sorted((p.stat().st_size for p in (bundle / "index").glob("en_*")),
                        reverse=True)
        fragments = sorted(p.stat().st_size for p in (bundle / "fragment").iterdir())

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
        f"| build without search (for scale) | {build_seconds:.1f} s "
        f"({result.pages:,} pages) |",
        f"| Pagefind indexing (wall) | {index_seconds:.1f} s |",
        f"| pages indexed per language | {', '.join(f'{k} {v:,}' for k, v in pages.items())} |",
        f"| index size on disk | {total / mib:.1f} MiB in {len(files):,} files |",
        f"| written by indexing | {len(written):,} files |",
        f"| fixed download for a first English query (JS, WASM, entry, meta) | "
        f"{fixed / 1024:.0f} KiB |",
        f"| largest English word-index chunk | {chunks[0] / 1024 if chunks else 0:.0f} KiB |",
        f"| median result fragment | {median_fragment / 1024:.1f} KiB |",
        "",
        "A query fetches the fixed files once, then only the word-index chunks holding its "
        "words and one fragment per result shown.",
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
