#!/usr/bin/env python3
"""Time site_builder against Pelican on one N-article archive.

    python benchmarks/run.py --articles 2000

Makes an N-article project with ``../shared/bench/scale_corpus.py`` from
``../shared/corpus`` (relative to the project root; ``--shared`` or the environment
variable ``SITE_BUILDER_SHARED`` point elsewhere),
then times, in one run: our clean build; a rebuild with no change; a rebuild after
editing one article; after adding one; after a template change; and Pelican's clean
build of the same articles (laid out by ``../shared/bench/anchors_layout.py`` with its
default theme, pagination, archives and feeds). Pelican is installed into its own
virtual environment in a cache folder. Peak memory is the largest total memory of the
build's process tree (the build and its workers, each counted by its proportional set
size so shared pages count once), sampled every 20 ms.

The table is printed and written to ``benchmarks/results/`` with the core count, the
load average and the date: timings on a shared machine are only as quiet as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PELICAN = "pelican==4.12.0"
MARKDOWN_FOR_PELICAN = "markdown>=3.5"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True, metavar="N")
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("SITE_BUILDER_SHARED", ROOT.parent / "shared")),
                        help="folder holding corpus/ and bench/ (default: $SITE_BUILDER_SHARED "
                             "or ../shared)")
    parser.add_argument("--work", type=Path,
                        help="folder for the generated projects (default: a temp folder, "
                             "removed afterwards)")
    parser.add_argument("--pelican-venv", type=Path,
                        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                        / "site-builder-bench" / "pelican-venv",
                        help="virtual environment Pelican is installed into")
    parser.add_argument("--skip-pelican", action="store_true")
    parser.add_argument("--search", action="store_true",
                        help="keep the search index on (Pagefind re-indexes the shards "
                             "whose pages changed); off by default, as Pelican has none")
    parser.add_argument("--jobs", type=int, help="passed to site-builder build --jobs")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="site-builder-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        rows, notes = run(args, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    table = format_table(args.articles, rows, notes)
    print(table)
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    out = args.results / f"{args.articles}-articles-{stamp}.md"
    out.write_text(table, encoding="utf-8")
    print(f"written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


class Row:
    """One timed run."""

    def __init__(self, name: str, timing: Timing, detail: str) -> None:
        self.name = name
        self.seconds = timing.seconds
        self.cpu = timing.cpu
        self.peak_mib = timing.peak_mib
        self.detail = detail


class Timing(t.NamedTuple):
    """Wall seconds, CPU seconds of the whole process tree, peak RSS of the tree."""

    seconds: float
    cpu: float
    peak_mib: float
    out: str


def run(args: argparse.Namespace, work: Path) -> tuple[list[Row], list[str]]:
    corpus = work / "corpus"
    shared = args.shared.resolve()
    notes = [f"load average before the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"]
    step("scaling the corpus")
    shutil.rmtree(corpus, ignore_errors=True)
    subprocess.run([sys.executable, str(shared / "bench" / "scale_corpus.py"),
                    "--n", str(args.articles), "--out", str(corpus),
                    str(shared / "corpus" / "nodejs-blog"), str(shared / "corpus" / "ruby-news")],
                   check=True, stdout=subprocess.DEVNULL)

    bodies = {_body(path.read_bytes()) for path in corpus.glob("*.md")}
    notes.append(f"distinct article bodies: {len(bodies):,} of {args.articles:,} (the scaled "
                 "corpus cycles real articles; a body met twice is converted once)")

    project = work / "site"
    shutil.rmtree(project, ignore_errors=True)
    (project / "content").mkdir(parents=True)
    for path in sorted(corpus.glob("*.md")):
        shutil.copy(path, project / "content" / path.name)
    (project / "config.toml").write_text(
        'title = "News archive"\nbase_url = "https://example.org/"\n'
        + ("" if args.search else "search = false\n"), encoding="utf-8")
    notes.append("search index " + ("on" if args.search else "off (`search = false`)"))

    ours = [sys.executable, "-m", "site_builder", "build", "--project", str(project)]
    if args.jobs:
        ours += ["--jobs", str(args.jobs)]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    rows: list[Row] = []

    def ours_run(name: str, *extra: str) -> None:
        step(name)
        timing = timed(ours + list(extra), env=env)
        summary = timing.out.strip().splitlines()[-1] if timing.out.strip() else ""
        rows.append(Row(name, timing, summary.split(": ", 1)[-1]))

    ours_run("clean build", "--clean")
    ours_run("rebuild, no change")
    files = sorted((project / "content").glob("*.md"))
    edited = files[len(files) // 2]
    edited.write_text(edited.read_text(encoding="utf-8")
                      + "\nA correction was added to this article.\n", encoding="utf-8")
    ours_run("rebuild, one article edited")
    (project / "content" / "2025-12-30-benchmark-added.md").write_text(
        "---\ntitle: An added article\ndate: 2025-12-30T12:00:00+00:00\n"
        "authors: [Bench]\ntags: [release]\n---\n\nOne more article.\n", encoding="utf-8")
    ours_run("rebuild, one article added")
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates" / "base.html").write_text(
        '{% extends "default/base.html" %}\n'
        "{% block footer %}{{ config.title }}, rebuilt.{% endblock %}\n", encoding="utf-8")
    ours_run("rebuild, template changed")

    if not args.skip_pelican:
        pelican = pelican_python(args.pelican_venv)
        step("laying out the Pelican project")
        subprocess.run([sys.executable, str(shared / "bench" / "anchors_layout.py"),
                        str(corpus), str(work), "pelican"], check=True)
        site = work / "pelican"
        shutil.rmtree(site / "output", ignore_errors=True)
        step("Pelican clean build")
        timing = timed([str(pelican), "-m", "pelican", "content", "-s", "pelicanconf.py",
                        "-o", "output", "-q"], cwd=site)
        pages = sum(1 for p in (site / "output").rglob("*") if p.is_file())
        rows.append(Row("Pelican clean build", timing, f"{pages} files"))
        version = subprocess.run([str(pelican), "-m", "pelican", "--version"],
                                 capture_output=True, text=True).stdout.strip()
        notes.append(f"Pelican {version}, CACHE_CONTENT = False")
    return rows, notes


def _body(data: bytes) -> bytes:
    """Return what follows the front matter of an article file."""
    end = data.find(b"\n---", 3)
    return data[end + 4:] if data.startswith(b"---") and end >= 0 else data


def pelican_python(venv: Path) -> Path:
    """Return the Python of a virtual environment with Pelican, creating it if needed."""
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import pelican, markdown"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    step(f"installing {PELICAN} into {venv}")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", PELICAN, MARKDOWN_FOR_PELICAN],
                   check=True)
    return python


def timed(command: list[str], *, cwd: Path | None = None,
          env: dict[str, str] | None = None) -> Timing:
    """Run ``command`` and measure it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{err[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Workers are reaped by the build, so their time is counted in the build's.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(seconds, cpu, peak[0] / 1024, out)


def tree_rss(pid: int) -> int:
    """Return the memory in KiB of ``pid`` and all its descendants (Linux /proc).

    Each process counts its proportional set size (PSS): forked workers share most of
    their pages with the build, and summing plain RSS would count those pages twice.
    """
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            total += _memory_of(current)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


def _memory_of(pid: int) -> int:
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            with open(f"/proc/{pid}/{name}", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def format_table(articles: int, rows: list[Row], notes: list[str]) -> str:
    pelican = next((r for r in rows if r.name.startswith("Pelican")), None)
    lines = [
        f"# Benchmark: {articles:,} articles",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- cores: {os.cpu_count()} ({platform.machine()}), Python {platform.python_version()}",
        *(f"- {note}" for note in notes),
        "- command: `python benchmarks/run.py --articles " + str(articles) + "`",
        "",
        "Seconds are wall-clock time; CPU seconds add up every process of the run (the",
        "build and its workers) and do not depend on what else the machine was doing.",
        "Peak memory is the largest sum, over the run's processes, of each one's",
        "proportional set size (pages shared by forked workers count once).",
        "",
        "| run | seconds | Pelican clean / this | CPU seconds | Pelican CPU / this "
        "| peak memory (MiB) | result |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        ratio = f"{pelican.seconds / row.seconds:.1f}x" if pelican and row.seconds else "-"
        cpu_ratio = f"{pelican.cpu / row.cpu:.1f}x" if pelican and row.cpu else "-"
        lines.append(f"| {row.name} | {row.seconds:.2f} | {ratio} | {row.cpu:.1f} | "
                     f"{cpu_ratio} | {row.peak_mib:.0f} | {row.detail} |")
    return "\n".join(lines) + "\n"


def step(message: str) -> None:
    print(f"== {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
