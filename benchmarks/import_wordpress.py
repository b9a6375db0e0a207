#!/usr/bin/env python3
"""Measure ``site-builder import --from wordpress`` on a large export, then a re-import.

It writes a WordPress export (WXR 1.2) of ``--count`` posts (default 10,000) made from the
shared corpus (``corpus/nodejs-blog`` and ``corpus/ruby-news``; the corpus has about 5,800
articles, so they are used again with other slugs and dates), each body rendered to
HTML as WordPress stores it. Every fifth post has a featured image (an attachment item)
and a ``[caption]`` shortcode, every tenth a comment. Then it runs, in a fresh process
each, the import into an empty project and the same import again, and reports for each
the wall time and the peak memory (maximum resident set size) of the process, and
whether the re-import left every file of ``content/`` as it was (bytes and mtime).

Targets: the import under 60 s and 300 MiB; the re-import changes nothing, under 20 s.

Usage:
  nice python3 benchmarks/import_wordpress.py [--count N] [--shared DIR] [--keep DIR]
  (the shared folder is also taken from $SITE_BUILDER_SHARED, else ../shared)
Results are printed and written to benchmarks/results/import-wordpress.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
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

import frontmatter  # noqa: E402

from site_builder.body import render_markdown  # noqa: E402
from site_builder.urls import slugify  # noqa: E402

RESULTS = PROJECT / "benchmarks" / "results" / "import-wordpress.md"
CONFIG = 'title = "WordPress import benchmark"\nbase_url = "https://example.org/"\n'
RUN = """
import os, sys, time
from site_builder.cli import main
started = time.perf_counter()
code = main(sys.argv[1:])
seconds = time.perf_counter() - started
# VmHWM, not ru_maxrss: the latter keeps the peak of the parent forked before exec.
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
times = os.times()
print(f"BENCH {code} {seconds:.2f} {peak} {times.user + times.system:.2f}", file=sys.stderr)
"""
"""Runs one import and reports its exit code, seconds, peak memory (KiB) and CPU seconds."""
HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Corpus</title>
<link>https://old.example</link>
<language>en</language>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://old.example</wp:base_site_url>
<wp:base_blog_url>https://old.example</wp:base_blog_url>
"""


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def corpus_posts(shared: Path) -> list[tuple[dict[str, t.Any], str]]:
    """Return (front matter, body HTML) of every corpus article."""
    corpus = shared / "corpus"
    files = sorted(corpus.glob("nodejs-blog/*.md")) + sorted(corpus.glob("ruby-news/*.md"))
    if not files:
        sys.exit(f"no corpus articles under {corpus}")
    posts = []
    for path in files:
        post = frontmatter.load(path)
        posts.append((dict(post.metadata), render_markdown(post.content).html))
    return posts


def write_export(path: Path, count: int, posts: list[tuple[dict[str, t.Any], str]]) -> None:
    authors: dict[str, str] = {}
    items: list[str] = []
    used: set[tuple[str, str]] = set()
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for number in range(count):
            meta, body = posts[number % len(posts)]
            rounds = number // len(posts)
            names = [str(name) for name in meta.get("authors") or []][:1] or ["Staff"]
            login = slugify(names[0]) or "staff"
            authors.setdefault(login, names[0])
            date = dt.datetime.fromisoformat(str(meta["date"])).astimezone(dt.UTC)
            date += dt.timedelta(days=rounds)
            local = date + dt.timedelta(hours=1)
            slug = slugify(str(meta["title"]))[:80] or "post"
            if rounds:
                slug = f"{slug}-{rounds + 1}"
            # Translations share a title and a day: each post its own address.
            while (f"{local:%Y/%m/%d}", slug) in used:
                slug = f"{slug}-{number}"
            used.add((f"{local:%Y/%m/%d}", slug))
            post_id = 2 * number + 10
            tags = [str(tag) for tag in meta.get("tags") or []]
            text = body
            postmeta = ""
            if number % 5 == 0:
                image = f"https://old.example/wp-content/uploads/{date:%Y/%m}/photo-{number}.jpg"
                text = (f'[caption id="attachment_{post_id + 1}" align="alignnone" width="640"]'
                        f'<img src="{image}" alt="Photo {number}" width="640" /> Photo '
                        f"{number}[/caption]\n\n{body}")
                postmeta = ("<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
                            f"<wp:meta_value>{post_id + 1}</wp:meta_value></wp:postmeta>")
                items.append(
                    f"<item><title>Photo {number}</title><link>https://old.example/?attachment_id="
                    f"{post_id + 1}</link><excerpt:encoded>{cdata(f'Photo {number}')}"
                    f"</excerpt:encoded><wp:post_id>{post_id + 1}</wp:post_id>"
                    f"<wp:post_parent>{post_id}</wp:post_parent><wp:status>inherit</wp:status>"
                    f"<wp:post_type>attachment</wp:post_type><wp:attachment_url>{image}"
                    f"</wp:attachment_url></item>\n")
            comment = ("<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>"
                       "<![CDATA[Thanks.]]></wp:comment_content></wp:comment>"
                       if number % 10 == 0 else "")
            terms = "".join(f'<category domain="post_tag" nicename="{html.escape(slugify(tag))}">'
                            f"{cdata(tag)}</category>" for tag in tags[1:])
            if tags:
                terms = (f'<category domain="category" nicename="{html.escape(slugify(tags[0]))}">'
                         f"{cdata(tags[0])}</category>") + terms
            items.append(
                f"<item><title>{cdata(str(meta['title']))}</title>"
                f"<link>https://old.example/{local:%Y/%m/%d}/{slug}/</link>"
                f"<pubDate>{date:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
                f"<dc:creator>{cdata(login)}</dc:creator>"
                f"<content:encoded>{cdata(text)}</content:encoded>"
                f"<excerpt:encoded>{cdata(str(meta.get('summary') or ''))}</excerpt:encoded>"
                f"<wp:post_id>{post_id}</wp:post_id>"
                f"<wp:post_date>{local:%Y-%m-%d %H:%M:%S}</wp:post_date>"
                f"<wp:post_date_gmt>{date:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>"
                f"<wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status>"
                f"<wp:post_type>post</wp:post_type><wp:is_sticky>0</wp:is_sticky>"
                f"{terms}{postmeta}{comment}</item>\n")
        for login, name in authors.items():
            out.write(f"<wp:author><wp:author_login>{cdata(login)}</wp:author_login>"
                      f"<wp:author_display_name>{cdata(name)}</wp:author_display_name>"
                      "</wp:author>\n")
        out.writelines(items)
        out.write("</channel>\n</rss>\n")


def run_import(export: Path, project: Path) -> tuple[int, float, int, list[str], float]:
    """Run one import in a fresh process: (exit code, seconds, peak KiB, stdout tail, CPU)."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    done = subprocess.run(
        [sys.executable, "-c", RUN, "import", "--from", "wordpress", str(export),
         "--project", str(project)], capture_output=True, text=True, env=env, check=False)
    line = next(row for row in done.stderr.splitlines() if row.startswith("BENCH "))
    _, code, seconds, peak, cpu = line.split()
    return int(code), float(seconds), int(peak), done.stdout.splitlines()[-6:], float(cpu)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")
            if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get(
        "SITE_BUILDER_SHARED", PROJECT.parent / "shared")))
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-wordpress-") as temp:
        work = args.keep or Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        export = work / "export.xml"
        started = time.perf_counter()
        write_export(export, args.count, corpus_posts(args.shared))
        print(f"wrote {export} ({export.stat().st_size / 2**20:.1f} MiB) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        project = work / "site"
        if project.exists():
            shutil.rmtree(project)
        project.mkdir()
        (project / "config.toml").write_text(CONFIG)
        first = run_import(export, project)
        before = snapshot(project / "content")
        second = run_import(export, project)
        unchanged = snapshot(project / "content") == before
        files = len(before)
    size = export.stat().st_size / 2**20 if args.keep else None
    lines = [
        f"# WordPress import of {args.count:,} posts",
        "",
        f"Measured by `nice python3 benchmarks/import_wordpress.py --count {args.count}` on "
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"on {dt.date.today().isoformat()}.",
        "",
        "| run | exit | seconds | CPU seconds | peak memory | target |",
        "|---|---|---|---|---|---|",
        f"| import into an empty project | {first[0]} | {first[1]:.1f} | {first[4]:.1f} | "
        f"{first[2] / 1024:.0f} MiB | under 60 s and 300 MiB |",
        f"| the same import again | {second[0]} | {second[1]:.1f} | {second[4]:.1f} | "
        f"{second[2] / 1024:.0f} MiB | under 20 s, nothing changed |",
        "",
        f"- load average of the machine when done: {os.getloadavg()[0]:.1f} "
        "(it is shared; seconds are wall time, CPU seconds the process's own)",
        "",
        f"- files in content/ after the import: {files:,}",
        f"- re-import left every file as it was (bytes and mtime): "
        f"{'yes' if unchanged else 'NO'}",
        *([f"- export size: {size:.1f} MiB"] if size is not None else []),
        "",
        "Summary of the first import:",
        "",
        "```",
        *first[3],
        "```",
        "",
        "Summary of the re-import:",
        "",
        "```",
        *second[3][-1:],
        "```",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
