"""Recognise a build whose every input and output is as the last build left them.

Rebuilding an unchanged archive would parse nothing and render nothing, but it would
still load and plan every article and page to learn that. Instead the build records a
digest of everything it reads (the code, the config, the options, every source file's
path and bytes, templates, static files, the URL history) with the outcome it printed;
when the next build finds the same digest and an output folder whose files are exactly
the ones recorded (same paths, sizes, mtimes and inodes, and folders with the same mtimes,
so nothing was added), it reports that outcome again and touches nothing. Any
difference, however small, runs the whole build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
import typing as t
from pathlib import Path
from stat import S_ISDIR, S_ISREG

from ..config import Config
from ..content import RACY_NS, Sources
from ..digests import code_digest, digest_bytes, tree_digest
from ..errors import Problem
from ..history import history_path
from ..output import scan_tree
from ..search import INDEX_DIR
from .store import Cache

KEY = "last-build:"


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """What an unchanged build reports: the last build's figures and warnings."""

    pages: int
    produced: tuple[str, ...]
    """The output paths the build wrote or found unchanged."""
    files: tuple[str, ...]
    """Every file in the output folder after the build."""
    warnings: tuple[Problem, ...]
    checked: int
    broken: int
    redirects: int
    html_pages: int = 0
    drafts: int = 0


def inputs_digest(config: Config, options: t.Sequence[object], sources: Sources) -> bytes:
    """Return a digest of everything a build of ``config`` reads but the URL history."""
    return digest_bytes(
        code_digest(), repr(config), repr(list(options)),
        os.environ.get("SITE_BUILDER_PAGEFIND", ""),
        tree_digest(config.templates_path), tree_digest(config.static_path),
        repr(sorted(str(p) for p in sources.problems)),
        *(part for src in sources.files for part in (src.path, sources.digests[src.path])),
        *(part for index, files in sources.bundled.items() for src in files
          for part in (index, src.path, sources.digests[src.path])),
        *(part for src in sources.loose for part in (src.path, sources.digests[src.path])),
    )


def structure_digest(config: Config, options: t.Sequence[object], sources: Sources) -> bytes:
    """Return a digest of what a build plans from besides article content: as
    :func:`inputs_digest`, with the source files' paths but not their bytes, and the
    URL history as it is now."""
    return with_history(digest_bytes(
        b"structure", code_digest(), repr(config), repr(list(options)),
        os.environ.get("SITE_BUILDER_PAGEFIND", ""),
        tree_digest(config.templates_path), tree_digest(config.static_path),
        repr(sorted(str(p) for p in sources.problems)),
        *(src.path for src in sources.files),
        # A bundle's files are copied as they are: any change to them moves the plan.
        *(part for index, files in sources.bundled.items() for src in files
          for part in (index, src.path, sources.digests[src.path])),
        # So are the images beside articles: a changed one changes its renditions' names.
        *(part for src in sources.loose for part in (src.path, sources.digests[src.path])),
    ), config)


def with_history(digest: bytes, config: Config) -> bytes:
    """Return ``digest`` extended by the URL history as it is now.

    Kept apart because the build itself writes the history: the record is made with
    the history the build left, and compared with the history the next build finds.
    """
    try:
        return digest_bytes(digest, history_path(config).read_bytes())
    except OSError:
        return digest_bytes(digest, "no history")


def recall(cache: Cache, config: Config, digest: bytes) -> Outcome | None:
    """Return the last build's outcome if ``digest`` and the output folder match it."""
    raw = cache.get_value(KEY + str(config.output_path))
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        if data["digest"] != with_history(digest, config).hex():
            return None
        outcome = Outcome(
            pages=int(data["pages"]), produced=tuple(str(p) for p in data["produced"]),
            files=tuple(str(p) for p in data["files"]),
            warnings=tuple(Problem(str(p), None if n is None else int(n), str(m),
                                   level="warning" if lv == "warning" else "error")
                           for p, n, m, lv in data["warnings"]),
            checked=int(data["checked"]), broken=int(data["broken"]),
            redirects=int(data["redirects"]), html_pages=int(data["html_pages"]),
            drafts=int(data["drafts"]),
        )
        recorded, taken_at = str(data["tree"]), int(data["taken_at"])
    except (ValueError, KeyError, TypeError):
        return None  # rewritten by the next full build
    found = tree_stamp(config.output_path, outcome.files)
    if found is None or found.digest != recorded:
        return None
    # A folder changed within the racy window may hold a file added in the same clock
    # tick as the build's last write to it: list those folders to be sure.
    trusted_before = taken_at - RACY_NS
    racy = [folder for folder, mtime in found.folders.items() if mtime >= trusted_before]
    if racy and not _holds_exactly(config.output_path, outcome.files, racy):
        return None
    return outcome


def remember(cache: Cache, config: Config, digest: bytes, outcome: Outcome) -> None:
    """Record ``outcome`` as what a build of inputs ``digest`` produced."""
    taken_at = time.time_ns()
    found = tree_stamp(config.output_path, outcome.files)
    if found is None:
        return  # the output folder changed under the build: the next one starts over
    cache.set_value(KEY + str(config.output_path), json.dumps({
        "digest": with_history(digest, config).hex(), "pages": outcome.pages,
        "produced": list(outcome.produced), "files": list(outcome.files),
        "warnings": [[p.path, p.line, p.message, p.level] for p in outcome.warnings],
        "checked": outcome.checked, "broken": outcome.broken,
        "redirects": outcome.redirects, "html_pages": outcome.html_pages,
        "drafts": outcome.drafts, "tree": found.digest, "taken_at": taken_at,
    }))


@dataclasses.dataclass(frozen=True, slots=True)
class TreeStamp:
    """What an output folder looks like without reading it: one ``lstat`` per entry."""

    digest: str
    """Digest of every file's path, size, mtime and inode and every folder's mtime and
    inode."""
    folders: dict[str, int]
    """Folder (``""`` for the output folder itself, else ``a/b``) -> its mtime."""


def tree_stamp(out: Path, files: t.Iterable[str]) -> TreeStamp | None:
    """Return the stamp of the output folder holding ``files``, or None if one is missing.

    Listing 20,000 folders costs far more than a ``stat`` of each, and a folder's mtime
    moves whenever an entry is added to it, removed or renamed, so folder stamps stand
    for their listings: a stray file or folder shows as a changed folder.
    """
    prefix = str(out) + os.sep
    lstat = os.lstat
    hasher = hashlib.blake2b(digest_size=20)
    folders: dict[str, int] = {}
    try:
        for path in files:
            st = lstat(prefix + path)
            if not S_ISREG(st.st_mode):
                return None
            hasher.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())
            folder = path.rpartition("/")[0]
            while folder not in folders:
                folders[folder] = 0
                if not folder:
                    break
                folder = folder.rpartition("/")[0]
        for folder in sorted(folders):
            st = lstat(prefix + folder if folder else str(out))
            if not S_ISDIR(st.st_mode):
                return None
            folders[folder] = st.st_mtime_ns
            hasher.update(f"{folder}/\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())
    except OSError:
        return None
    return TreeStamp(hasher.hexdigest(), folders)


def _holds_exactly(out: Path, files: t.Iterable[str], folders: t.Sequence[str]) -> bool:
    """Return whether each of ``folders`` lists exactly the entries ``files`` put there."""
    wanted: dict[str, set[str]] = {folder: set() for folder in folders}
    for path in files:
        parts = path.split("/")
        for depth in range(len(parts)):
            folder = "/".join(parts[:depth])
            if folder in wanted:
                wanted[folder].add(parts[depth])
    for folder, names in wanted.items():
        try:
            with os.scandir(out / folder if folder else out) as entries:
                if {entry.name for entry in entries} != names:
                    return False
        except OSError:
            return False
    return True


def listed(out: Path, produced: t.Iterable[str]) -> tuple[str, ...]:
    """Return every file a build that produced ``produced`` left in ``out``, sorted.

    A build leaves exactly what it produced plus the search index, so only the index's
    folder is listed.
    """
    files = set(produced)
    files.update(f"{INDEX_DIR}/{path}" for path in scan_tree(out / INDEX_DIR))
    return tuple(sorted(files))
