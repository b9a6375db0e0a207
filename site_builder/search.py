"""Full-text search: a sharded Pagefind index, rebuilt only where pages changed.

Pagefind reads the built HTML (only elements marked ``data-pagefind-body``, so listings,
navigation and footers stay out) and writes a chunked index the browser fetches piece by
piece; no server is needed. Running it over a whole archive takes long (a minute or more
at 10,000 articles), so the index is cut into **shards** that depend on the content alone:

* each language is cut by date into periods: years, and the months of a year with more
  than :data:`SPLIT_ABOVE` (1,000) articles;
* consecutive periods are grouped, oldest first, while a group holds at most
  :data:`SPLIT_ABOVE` articles; a group is a shard, named after its language and first
  and last period (``en_2009_2017``, ``en_2024``, ``en_2024-03_2024-08``), or after the
  language alone when it holds all of the language's articles (``ru``);
* the shard ``pages`` holds the other HTML pages that carry ``data-pagefind-body`` (none
  with the built-in templates: only articles are marked).

So no shard takes long to index: an edit re-indexes the shard of its article (and of
the neighbours by date whose pages show the article's title), and new articles, which go
to the newest period, change only the newest shard of their language. Languages come
first because Pagefind keeps one index per language whatever it is given, and the search
page pays a few requests, and a search, for every index it merges; small years are
grouped for the same reason (at 10,000 articles in 17 languages over 26 years: 19 shards,
where a shard per year would make 442 indexes). :func:`plan_shards` computes the shards
from (output path, article date, language) triples. A build re-indexes only the shards
with a page written or removed, or that gained or lost a page; every other shard is
hard-linked from the previous output, as it was.

Layout of ``pagefind/`` in the output::

    shards.json           the shards with their languages, page counts and entry-file
                          tags (read by the search page), and what the next build compares
    pagefind.js           Pagefind's browser API, its web worker and WebAssembly (one
    pagefind-worker.js    wasm.LANG.pagefind per language of any shard)
    pagefind-entry.json   a primary index without pages, in every language: the page
    pagefind.*.pf_meta    loads it first and merges every shard into it
    en_2009_2017/         one shard: Pagefind's entry file, metadata, index/, fragment/
    ru/                   and filter/ for the shard's pages

Pagefind runs once per shard (a few shards at a time), over a folder of hard links to
the shard's staged pages (same relative paths, so the same URLs). The search page
(``static/search.js``) fetches ``shards.json`` and merges every shard and language into
one search with Pagefind's ``mergeIndex``.

**Same bytes.** Pagefind writes each filter's values, and the list of filters in its
metadata, in hash-map order, so two runs over the same pages differ. Every shard is put
in canonical form after Pagefind ran: filter values and filters are sorted, the files
re-compressed without a timestamp and renamed after a digest of their contents, and the
entry file written with sorted keys. A shard is therefore a function of its pages, and an
incremental build writes the very ``pagefind/`` bytes a clean build writes.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import datetime as dt
import gzip
import hashlib
import json
import os
import shlex
import shutil
import struct
import subprocess
import sys
import typing as t
from pathlib import Path

from .errors import Problem
from .linkcheck import HTML_SUFFIXES
from .model import Article, Route
from .output import link_or_copy

INDEX_DIR = "pagefind"
"""Folder of the search index inside the output."""
LISTING = "shards.json"
"""File in :data:`INDEX_DIR` listing the shards."""
SPLIT_ABOVE = 1000
"""Most articles in a shard (a single month may hold more); a year of more goes by month."""
PAGES_SHARD = "pages"
"""Shard of the HTML pages that are not articles but are marked for indexing."""
MARKER = b"data-pagefind-body"
FORMAT = 1
"""Version of the layout and of :data:`LISTING`; another value re-indexes everything."""
TIMEOUT = 1800
COMMAND_VARIABLE = "SITE_BUILDER_PAGEFIND"
"""Environment variable naming another Pagefind command (e.g. a system-wide binary)."""
RUNTIME = ("pagefind.js", "pagefind-worker.js")
"""Pagefind's browser code, kept once at the top of the index."""
_SIGNATURE = b"pagefind_dcd"
_WORK = ".work"

_Cbor: t.TypeAlias = "int | str | bytes | list[_Cbor]"
"""What Pagefind's metadata and filter files hold (a subset of CBOR)."""
Plan = t.Mapping[str, t.Sequence[str]]
"""Shard name -> sorted output paths (for :data:`PAGES_SHARD`: pages that may be marked)."""


def plan_shards(
    articles: t.Iterable[tuple[str, dt.datetime, str]], pages: t.Iterable[str] = ()
) -> dict[str, tuple[str, ...]]:
    """Return the search shards: shard name -> sorted output paths, names in order.

    ``articles`` are (output path, article date, language) triples. Each language is cut
    by date into periods: years, and the months of a year with more than
    :data:`SPLIT_ABOVE` articles. Consecutive periods are grouped, oldest first, while a
    group holds at most :data:`SPLIT_ABOVE` articles (a single month may hold more). A
    group is named after its language and its first and last period (``en_2009_2017``,
    ``en_2024``, ``en_2024-03_2024-08``), or after the language alone when it holds all
    of the language's articles (``ru``). ``pages`` are the other HTML pages, which go to
    :data:`PAGES_SHARD` (the index keeps only those that carry ``data-pagefind-body``).
    The result depends on the triples alone, never on their order.
    """
    languages: dict[str, dict[tuple[int, int], set[str]]] = collections.defaultdict(
        lambda: collections.defaultdict(set))
    for path, date, language in articles:
        languages[_language_slug(language)][(date.year, date.month)].add(path)
    plan: dict[str, tuple[str, ...]] = {}
    for lang, months in languages.items():
        years: dict[int, list[tuple[str, set[str]]]] = collections.defaultdict(list)
        for (year, month), paths in sorted(months.items()):
            years[year].append((f"{year:04d}-{month:02d}", paths))
        periods: list[tuple[str, set[str]]] = []
        for year, parts in sorted(years.items()):
            if sum(len(paths) for _, paths in parts) > SPLIT_ABOVE:
                periods += parts
            else:
                periods.append((f"{year:04d}", set().union(*(paths for _, paths in parts))))
        groups: list[list[tuple[str, set[str]]]] = []
        size = 0
        for period in periods:
            if not groups or size + len(period[1]) > SPLIT_ABOVE:
                groups.append([])
                size = 0
            groups[-1].append(period)
            size += len(period[1])
        for group in groups:
            first, last = group[0][0], group[-1][0]
            name = lang if len(groups) == 1 else (
                f"{lang}_{first}" if first == last else f"{lang}_{first}_{last}")
            plan[name] = tuple(sorted(set().union(*(paths for _, paths in group))))
    others = tuple(sorted(set(pages)))
    if others:
        plan[PAGES_SHARD] = others
    return dict(sorted(plan.items()))


def _language_slug(language: str) -> str:
    """Return a language code as Pagefind spells it (``zh_TW`` -> ``zh-tw``)."""
    return language.lower().replace("_", "-")


def shards_of(routes: t.Iterable[Route], language: str) -> dict[str, tuple[str, ...]]:
    """Return :func:`plan_shards` for a build's routes; ``language`` is the site's."""
    articles: list[tuple[str, dt.datetime, str]] = []
    pages: list[str] = []
    for route in routes:
        article = route.context.get("article")
        # Standalone pages have no place in time: they join the other pages' shard.
        if isinstance(article, Article) and not article.page:
            articles.append((route.output_path, article.listed_date, article.lang or language))
        elif route.output_path.endswith(HTML_SUFFIXES):
            pages.append(route.output_path)
    return plan_shards(articles, pages)


@dataclasses.dataclass(frozen=True, slots=True)
class _Shard:
    """One shard as :data:`LISTING` records it."""

    name: str
    members: str
    """Digest of the shard's sorted output paths."""
    languages: dict[str, int]
    """Pages per language."""
    paths: tuple[str, ...] = ()
    """The pages themselves, for :data:`PAGES_SHARD` only."""

    def record(self) -> dict[str, object]:
        data: dict[str, object] = {"name": self.name, "languages": self.languages,
                                   "members": self.members}
        if self.name == PAGES_SHARD:
            data["paths"] = list(self.paths)
        return data


def index_search(
    staging: Path, previous: Path, plan: Plan, changed: t.Collection[str]
) -> tuple[list[str], list[str], list[Problem]]:
    """Write the search index into ``staging``; return (written, unchanged, problems).

    ``plan`` is :func:`plan_shards` of this build, ``changed`` the output paths this build
    wrote or removed, and ``previous`` the output folder the build replaces. A shard is
    re-indexed when one of its pages changed or it gained or lost a page (or the previous
    index is missing, or came from another Pagefind); the others are hard links to the
    previous build's files. Paths returned start with ``pagefind/``.
    """
    dest = staging / INDEX_DIR
    old = previous / INDEX_DIR
    if dest.exists():
        # A project file or route already claims the folder; never mix two indexes.
        return [], [], [Problem(INDEX_DIR, None, "search index not built: the output already "
                                "has a pagefind/ folder", level="warning")]
    command = _command()
    version = _version(command)
    if isinstance(version, Problem):
        return [], [], [version]
    changed = set(changed)
    before = _read_listing(old, version)
    members = _members(staging, plan, changed, before)
    kept = {name: before[name] for name, paths in members.items()
            if before is not None and _reusable(before.get(name), paths, changed, old)}
    if kept and not _runtime_present(old, kept.values()):
        kept = {}
    todo = [name for name in members if name not in kept]
    dest.mkdir()
    work = dest / _WORK
    try:
        fresh = _index_shards(command, staging, work, dest, members, todo)
        linked = [f"{INDEX_DIR}/{name}/{rel}" for name in kept
                  for rel in _link_tree(old / name, dest / name)]
        shards = {**kept, **fresh}
        sources = [work / name / "bundle" for name in todo] + [old]
        _write_top(dest, sources, version, [shards[name] for name in sorted(shards)])
    except _Failed as exc:
        shutil.rmtree(dest, ignore_errors=True)
        return [], [], [exc.problem]
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    written, unchanged = _relink_unchanged(dest, old, skip=set(kept))
    return written, sorted(unchanged + linked), []


# --- which shards to index ---------------------------------------------------------------


def _members(
    staging: Path, plan: Plan, changed: set[str], before: dict[str, _Shard] | None
) -> dict[str, tuple[str, ...]]:
    """Return each non-empty shard's pages; pages-shard candidates must carry the marker.

    A candidate that did not change keeps the standing it had in the previous index, so
    only changed pages are read (all of them when there is no previous index).
    """
    members: dict[str, tuple[str, ...]] = {}
    for name, paths in plan.items():
        if name == PAGES_SHARD:
            if before is None:
                paths = tuple(p for p in paths if _marked(staging / p))
            else:
                known = set(before[name].paths) if name in before else set()
                paths = tuple(p for p in paths
                              if (_marked(staging / p) if p in changed else p in known))
        if paths:
            members[name] = tuple(paths)
    return members


def _marked(path: Path) -> bool:
    try:
        return MARKER in path.read_bytes()
    except OSError:
        return False


def _reusable(
    shard: _Shard | None, paths: tuple[str, ...], changed: set[str], old: Path
) -> bool:
    """Return whether the previous build's copy of a shard is the one to keep."""
    return (shard is not None and shard.members == _digest_paths(paths)
            and changed.isdisjoint(paths)
            and (old / shard.name / "pagefind-entry.json").is_file())


def _runtime_present(old: Path, shards: t.Iterable[_Shard]) -> bool:
    """Return whether the previous index has the browser code the kept shards need."""
    needed = {*RUNTIME, _wasm_file({})}
    for shard in shards:
        entry = _read_json(old / shard.name / "pagefind-entry.json")
        if not isinstance(entry, dict) or not isinstance(entry.get("languages"), dict):
            return False
        needed |= {_wasm_file(index) for index in entry["languages"].values()}
    return all((old / name).is_file() for name in needed)


def _digest_paths(paths: t.Iterable[str]) -> str:
    return hashlib.sha256("\n".join(paths).encode()).hexdigest()


def _read_listing(old: Path, version: str) -> dict[str, _Shard] | None:
    """Return the previous build's shards, or None when none can be reused."""
    data = _read_json(old / LISTING)
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or data.get("pagefind") != version or not isinstance(data.get("shards"), list):
        return None
    shards: dict[str, _Shard] = {}
    try:
        for item in data["shards"]:
            shards[str(item["name"])] = _Shard(
                name=str(item["name"]), members=str(item["members"]),
                languages={str(k): int(v) for k, v in item["languages"].items()},
                paths=tuple(str(p) for p in item.get("paths", ())))
    except (TypeError, KeyError, ValueError, AttributeError):
        return None
    return shards


def _read_json(path: Path) -> t.Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


# --- running Pagefind ----------------------------------------------------------------------


def _command() -> list[str]:
    """Return the Pagefind command: the chosen one, else the binary of ``pagefind[bin]``."""
    chosen = shlex.split(os.environ.get(COMMAND_VARIABLE, ""))
    if chosen:
        return chosen
    if not os.environ.get("PAGEFIND_BINARY_PATH"):
        try:
            from pagefind_bin import get_executable  # type: ignore[import-untyped]

            return [str(get_executable())]
        except (ImportError, OSError):
            pass
    # Finds the other binaries Pagefind's package knows of; costs a Python start per run.
    return [sys.executable, "-m", "pagefind"]


def _version(command: list[str]) -> str | Problem:
    """Return what ``pagefind --version`` prints, or the problem running it."""
    try:
        result = subprocess.run([*command, "--version"], capture_output=True, text=True,
                                timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return _cannot_run(str(exc))
    if result.returncode != 0:
        return _cannot_run(_last_line(result))
    return result.stdout.strip()


class _Failed(Exception):
    """Indexing stopped; the build goes on without a search index."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _unexpected(detail: str) -> _Failed:
    return _Failed(Problem(INDEX_DIR, None, f"search index not built: unexpected Pagefind "
                           f"output ({detail})", level="warning"))


def _index_shards(
    command: list[str], staging: Path, work: Path, dest: Path,
    members: dict[str, tuple[str, ...]], todo: list[str],
) -> dict[str, _Shard]:
    """Index the shards ``todo`` into ``dest``; Pagefind's own output stays in ``work``."""
    for name in todo:
        site = work / name / "site"
        for path in members[name]:
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(staging / path, target)
    workers = max(1, min(len(todo), os.cpu_count() or 1, 4))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        problems = list(pool.map(lambda name: _run_pagefind(command, work / name), todo))
    for problem in problems:
        if problem is not None:
            raise _Failed(problem)
    shards: dict[str, _Shard] = {}
    for name in todo:
        bundle = work / name / "bundle"
        try:
            languages = _canonicalise(bundle)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise _unexpected(f"{name}: {exc}") from None
        target = dest / name
        target.mkdir()
        for part in ("pagefind-entry.json", *sorted(
                p.name for p in bundle.glob("pagefind.*.pf_meta")), "index", "fragment", "filter"):
            if (bundle / part).exists():
                os.rename(bundle / part, target / part)
        shards[name] = _Shard(name, _digest_paths(members[name]), languages,
                              members[name] if name == PAGES_SHARD else ())
    return shards


def _run_pagefind(command: list[str], folder: Path) -> Problem | None:
    argv = [*command, "--site", str(folder / "site"), "--output-path", str(folder / "bundle"),
            "--silent"]
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT,
                                check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return _cannot_run(str(exc))
    if result.returncode != 0:
        return _cannot_run(_last_line(result))
    return None


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    reason = (result.stderr or result.stdout).strip().splitlines()
    return reason[-1] if reason else f"exit code {result.returncode}"


def _cannot_run(reason: str) -> Problem:
    return Problem("config.toml", None,
                   f"search disabled: Pagefind cannot run here ({reason}); "
                   "set search = false to silence this", level="warning")


# --- the top of the index --------------------------------------------------------------------


def _wasm_file(index: t.Mapping[str, t.Any]) -> str:
    return f"wasm.{index.get('wasm') or 'unknown'}.pagefind"


def _write_top(dest: Path, sources: list[Path], version: str, shards: list[_Shard]) -> None:
    """Write the listing, Pagefind's browser code and the primary index without pages.

    The listing gives each entry file (the primary's and each shard's) a tag that changes
    with it; the search page has Pagefind add it to the file's address (``metaCacheTag``)
    instead of the time, so that browsers may cache entry files until they change.
    """
    listing: dict[str, object] = {"format": FORMAT, "pagefind": version}
    records = [shard.record() for shard in shards]
    wasm: dict[str, str] = {}
    totals: collections.Counter[str] = collections.Counter()
    entries: list[t.Any] = []
    for shard, record in zip(shards, records, strict=True):
        raw = (dest / shard.name / "pagefind-entry.json").read_bytes()
        entry = json.loads(raw)
        entries.append(entry)
        record["tag"] = _tag(raw)
        for lang, index in entry["languages"].items():
            wasm[lang] = index.get("wasm") or "unknown"
            totals[lang] += int(index["page_count"])
    listing["shards"] = records
    if shards:
        for name in sorted({*RUNTIME, _wasm_file({}),
                            *(f"wasm.{w}.pagefind" for w in wasm.values())}):
            source = next((folder / name for folder in sources if (folder / name).is_file()),
                          None)
            if source is None:
                raise _unexpected(f"no {name}")
            link_or_copy(source, dest / name)
        # The primary index has no pages: it only makes Pagefind load the WebAssembly of
        # the page's language (or the biggest language) before the shards are merged in.
        meta = _SIGNATURE + _cbor_encode([entries[0]["version"], [], [], [], [], []])
        hash_ = f"all_{hashlib.sha256(meta).hexdigest()[:10]}"
        (dest / f"pagefind.{hash_}.pf_meta").write_bytes(_compress(meta))
        primary = {"version": entries[0]["version"],
                   "languages": {lang: {"hash": hash_, "wasm": wasm[lang],
                                        "page_count": totals[lang]} for lang in sorted(wasm)},
                   "include_characters": entries[0].get("include_characters", [])}
        raw = _dumps(primary).encode("utf-8")
        (dest / "pagefind-entry.json").write_bytes(raw)
        listing["tag"] = _tag(raw)
    (dest / LISTING).write_text(_dumps(listing), encoding="utf-8")


def _tag(entry: bytes) -> str:
    """Return the tag of an entry file: it changes whenever the file does."""
    return hashlib.sha256(entry).hexdigest()[:10]


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- canonical bytes -------------------------------------------------------------------------


def _canonicalise(bundle: Path) -> dict[str, int]:
    """Rewrite a Pagefind bundle's filters, metadata and entry in canonical order.

    Return the pages per language. Word-index chunks and fragments need nothing: Pagefind
    sorts words and pages, and names those files after their contents.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_bytes())
    languages: dict[str, int] = {}
    for lang, index in entry["languages"].items():
        meta_path = bundle / f"pagefind.{index['hash']}.pf_meta"
        # [version, pages, index chunks, filters, sorts, meta fields]
        meta = _lists(_load(meta_path), 6)
        filters: list[_Cbor] = []
        for name, old_hash in (_lists(item, 2) for item in _lists(meta[3])):
            if not isinstance(old_hash, str):
                raise ValueError("a filter without a file name")
            path = bundle / "filter" / f"{old_hash}.pf_filter"
            # [filter name, [[value, [page numbers]], ...]]
            data = _lists(_load(path), 2)
            values = sorted(_lists(data[1]), key=lambda value: str(_lists(value, 2)[0]))
            payload = _SIGNATURE + _cbor_encode([data[0], values])
            new_hash = f"{lang}_{hashlib.sha256(payload).hexdigest()[:7]}"
            path.unlink()
            (bundle / "filter" / f"{new_hash}.pf_filter").write_bytes(_compress(payload))
            filters.append([name, new_hash])
        meta[3] = sorted(filters, key=lambda item: str(_lists(item)[0]))
        meta[4] = sorted(_lists(meta[4]), key=lambda item: str(_lists(item)[0]))
        payload = _SIGNATURE + _cbor_encode(meta)
        index["hash"] = f"{lang}_{hashlib.sha256(payload).hexdigest()[:10]}"
        meta_path.unlink()
        (bundle / f"pagefind.{index['hash']}.pf_meta").write_bytes(_compress(payload))
        languages[lang] = int(index["page_count"])
    entry["languages"] = dict(sorted(entry["languages"].items()))
    entry_path.write_text(_dumps(entry), encoding="utf-8")
    return dict(sorted(languages.items()))


def _lists(value: _Cbor, length: int | None = None) -> list[_Cbor]:
    """Return ``value`` as a CBOR array (of ``length`` items); raise ValueError if not."""
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise ValueError(f"expected an array of {length or 'any number of'} items")
    return value


def _load(path: Path) -> t.Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise ValueError(f"{path.name} lacks Pagefind's signature")
    value, end = _cbor_decode(data, len(_SIGNATURE))
    if end != len(data):
        raise ValueError(f"{path.name} has bytes after its value")
    return value


def _compress(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


# Pagefind's metadata and filter files are CBOR (RFC 8949) of unsigned and negative
# integers, strings and arrays; these two functions read and write that subset, with the
# shortest encodings, as Pagefind writes them.

def _cbor_decode(data: bytes, at: int) -> tuple[_Cbor, int]:
    first = data[at]
    major, info = first >> 5, first & 31
    at += 1
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise ValueError(f"unsupported CBOR item {first:#x}")
    if major == 0:
        return n, at
    if major == 1:
        return -1 - n, at
    if major == 2:
        return bytes(data[at:at + n]), at + n
    if major == 3:
        return data[at:at + n].decode("utf-8"), at + n
    if major == 4:
        items: list[_Cbor] = []
        for _ in range(n):
            item, at = _cbor_decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"unsupported CBOR item {first:#x}")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 << (info - 24)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError("CBOR integer too large")


def _cbor_encode(value: _Cbor) -> bytes:
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    return _cbor_head(4, len(value)) + b"".join(_cbor_encode(item) for item in value)


# --- files ---------------------------------------------------------------------------------


def _link_tree(src: Path, dest: Path) -> list[str]:
    """Hard-link the files of ``src`` into ``dest``; return their paths under ``dest``."""
    done: list[str] = []
    stack = [("", str(src), str(dest))]
    while stack:
        prefix, here, there = stack.pop()
        os.makedirs(there, exist_ok=True)
        with os.scandir(here) as entries:
            for entry in entries:
                target = os.path.join(there, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    stack.append((f"{prefix}{entry.name}/", entry.path, target))
                else:
                    try:
                        os.link(entry.path, target, follow_symlinks=False)
                    except OSError:
                        shutil.copy2(entry.path, target, follow_symlinks=False)
                    done.append(prefix + entry.name)
    return sorted(done)


def _relink_unchanged(
    dest: Path, old: Path, skip: t.Collection[str]
) -> tuple[list[str], list[str]]:
    """Replace new index files that equal the previous build's by hard links to them.

    Folders named in ``skip`` (shards linked from the previous build) are not looked at.
    """
    written: list[str] = []
    unchanged: list[str] = []
    for folder, subfolders, names in os.walk(dest):
        if Path(folder) == dest:
            subfolders[:] = [s for s in subfolders if s not in skip]
        for name in names:
            new = Path(folder) / name
            rel = new.relative_to(dest)
            before = old / rel
            shown = f"{INDEX_DIR}/{rel.as_posix()}"
            if before.is_file() and before.stat().st_size == new.stat().st_size \
                    and before.read_bytes() == new.read_bytes():
                new.unlink()
                link_or_copy(before, new)
                unchanged.append(shown)
            else:
                written.append(shown)
    return sorted(written), sorted(unchanged)
