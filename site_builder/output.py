"""Stage a build beside the output folder and make it current only when complete.

Only files whose bytes changed are staged; the others are left untouched, so they keep
their inode and mtime and deploy tools that compare timestamps upload only what changed.
Which files are unchanged is known from the manifest (content digests of the last
build), so the current output is never read back.

Making the staged build current:

- when there is no output yet, or for ``--clean``, the whole staged tree replaces it
  in one rename (an atomic exchange on Linux);
- otherwise a journal listing the files to remove is written beside the staging folder
  once staging is complete, then the staged files are renamed into place and the stale
  ones removed. A build killed before the journal exists is rolled back (the staging
  folder is dropped); one killed after is rolled forward by :func:`recover` at the
  start of the next build. Either way the output ends as one whole build, never a mix.

Building a whole new tree of hard links and deleting the old one would be simpler, but
costs two directory entries per page per build, seconds per thousand pages on disks
where each unlink is a discard.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import typing as t
from pathlib import Path, PurePosixPath

from .cache import Stamp
from .errors import BuildError, Problem


def staging_path(out_dir: Path) -> Path:
    """Return the folder a build is written into before it is made current."""
    return out_dir.with_name(f".{out_dir.name}.staging")


def journal_path(out_dir: Path) -> Path:
    """Return the file whose presence says the staged build is complete."""
    return out_dir.with_name(f".{out_dir.name}.journal")


def _flat_path(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.flat")


def _old_path(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.old")


def recover(out_dir: Path) -> None:
    """Finish or undo what an interrupted build left, so the output is one whole build."""
    old = _old_path(out_dir)
    if old.exists() and not out_dir.exists():
        # Killed between the two renames of the fallback swap: the old build is intact.
        os.rename(old, out_dir)
    journal = journal_path(out_dir)
    if journal.exists():
        try:
            plan = json.loads(journal.read_text("utf-8"))
            moves = [(str(a), str(b)) for a, b in plan["moves"]]
            deleted = [str(p) for p in plan["deleted"]]
        except (OSError, ValueError, KeyError, TypeError):
            plan = None
        if plan is not None and staging_path(out_dir).is_dir():
            _apply(staging_path(out_dir), out_dir, moves, deleted)
        journal.unlink(missing_ok=True)
    for leftover in (old, staging_path(out_dir), _flat_path(out_dir)):
        if leftover.exists():
            shutil.rmtree(leftover)


def _apply(staging: Path, out_dir: Path, moves: t.Sequence[tuple[str, str]],
           deleted: t.Sequence[str]) -> None:
    """Move staged files to their output paths and remove ``deleted``; safe to repeat."""
    for name, rel in moves:
        src = staging / name
        if not os.path.lexists(src):
            continue  # moved before the build was interrupted
        dest = out_dir / rel
        try:
            os.replace(src, dest)
        except FileNotFoundError:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
        except IsADirectoryError:
            shutil.rmtree(dest)
            os.replace(src, dest)
        except NotADirectoryError:
            _replace_file_with_folder(out_dir, rel)
            os.replace(src, dest)
    folders: set[Path] = set()
    for rel in deleted:
        path = out_dir / rel
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        folders.update(p for p in path.parents if p != out_dir and p.is_relative_to(out_dir))
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only succeeds once the folder is empty


def _replace_file_with_folder(out_dir: Path, rel: str) -> None:
    # A stale file stands where the new build needs a folder (x.html became x.html/...).
    parts = PurePosixPath(rel).parts
    for i in range(1, len(parts)):
        path = out_dir.joinpath(*parts[:i])
        if path.is_file() or path.is_symlink():
            path.unlink()
            break
    (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)


def check_relative(path: str) -> None:
    """Raise :class:`BuildError` unless ``path`` stays inside the output folder."""
    parts = PurePosixPath(path).parts
    if (not parts or path.startswith("/") or "\\" in path or ".." in parts or "." in parts
            or any(ord(c) < 32 for c in path)):
        raise BuildError([Problem("<output>", None, f"refusing to write outside output: {path!r}")])


class Staging:
    """A build being assembled beside ``out_dir``, made current by :meth:`commit`.

    A whole build (no output yet, or ``--clean``) is staged as the finished tree. Changes
    to an existing output are staged as flat files named by a digest of their path:
    directories are costly to create and delete, and only new output paths need them.
    Files are placed by any process of the build (workers write what they render).
    """

    def __init__(self, out_dir: Path, *, whole: bool) -> None:
        self.out_dir = out_dir
        self.dir = staging_path(out_dir)
        self.whole = whole
        self._made: set[str] = set()

    def begin(self) -> None:
        """Recover from an interrupted build and create an empty staging folder."""
        recover(self.out_dir)
        self.dir.mkdir(parents=True)

    def write(self, rel: str, data: bytes) -> Stamp:
        """Write ``data`` as staged file ``rel``; return its stamp."""
        dest = self._dest(rel)
        with open(dest, "xb") as handle:
            handle.write(data)
        return _stamp(dest)

    def commit(self, written: t.Sequence[str], deleted: t.Sequence[str]) -> None:
        """Make the staged build current: ``written`` paths in, ``deleted`` paths out."""
        if self.whole:
            _swap(self.dir, self.out_dir)
            shutil.rmtree(self.dir, ignore_errors=True)
            return
        moves = [(_flat_name(rel), rel) for rel in written]
        journal = journal_path(self.out_dir)
        temp = journal.with_name(journal.name + ".tmp")
        with open(temp, "w", encoding="utf-8") as handle:
            json.dump({"moves": moves, "deleted": list(deleted)}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        # From this rename on the staged build counts as complete: recover() finishes it.
        os.replace(temp, journal)
        _apply(self.dir, self.out_dir, moves, deleted)
        shutil.rmtree(self.dir, ignore_errors=True)
        journal.unlink()

    def complete(self, written: t.Sequence[str], kept: t.Sequence[str]) -> None:
        """Turn staged changes into a whole staged build (for tools that read the site).

        ``written`` are the staged paths, ``kept`` the unchanged ones, hard-linked from the
        current output so they keep their inode and mtime.
        """
        if self.whole:
            return
        flat = _flat_path(self.out_dir)
        os.rename(self.dir, flat)
        self.dir.mkdir()
        self.whole = True
        for rel in written:
            os.rename(flat / _flat_name(rel), self._dest(rel))
        for rel in kept:
            dest = self._dest(rel)
            try:
                os.link(self.out_dir / rel, dest, follow_symlinks=False)
            except OSError:
                shutil.copy2(self.out_dir / rel, dest, follow_symlinks=False)
        shutil.rmtree(flat)

    def abort(self) -> None:
        """Drop the staged build; the output folder stays as it was."""
        shutil.rmtree(self.dir, ignore_errors=True)
        shutil.rmtree(_flat_path(self.out_dir), ignore_errors=True)

    def _dest(self, rel: str) -> Path:
        check_relative(rel)
        if not self.whole:
            return self.dir / _flat_name(rel)
        folder, _, _ = rel.rpartition("/")
        if folder and folder not in self._made:
            os.makedirs(self.dir / folder, exist_ok=True)
            self._made.add(folder)
        return self.dir / rel


def _flat_name(rel: str) -> str:
    return hashlib.blake2b(rel.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def same_bytes(path: Path, data: bytes) -> bool:
    """Return whether the file at ``path`` holds exactly ``data``."""
    try:
        if os.lstat(path).st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _stamp(path: Path) -> Stamp:
    stamp = Stamp.of(path)
    if stamp is None:
        raise BuildError([Problem("<output>", None, f"cannot read back {path}")])
    return stamp


def list_files(root: Path) -> list[str]:
    """Return the POSIX paths of every file under ``root``."""
    if not root.is_dir():
        return []
    found: list[str] = []
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((prefix + entry.name + "/", entry.path))
                else:
                    found.append(prefix + entry.name)
    return found


_RENAME_EXCHANGE = 2


def _swap(staging: Path, out_dir: Path) -> None:
    """Make ``staging`` the output folder; afterwards ``staging`` holds the old build."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        return
    old = _old_path(out_dir)
    os.rename(out_dir, old)
    os.rename(staging, out_dir)
    os.rename(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2``); False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(libc_name, use_errno=True)
        at_fdcwd = -100
        result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b),
                                _RENAME_EXCHANGE)
        return bool(result == 0)
    return False
