"""Write a build beside the output folder and swap it in only when complete.

Unchanged files are hard-linked from the current output, so they keep their bytes
and mtime, and deploy tools that compare timestamps upload only what changed.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import os
import shutil
import typing as t
from pathlib import Path, PurePosixPath

from .errors import BuildError, Problem


@dataclasses.dataclass(frozen=True, slots=True)
class WriteResult:
    """What a build did to the output folder, as sorted output paths."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    deleted: tuple[str, ...]


def staging_path(out_dir: Path) -> Path:
    """Return the folder a build is written into before the swap."""
    return out_dir.with_name(f".{out_dir.name}.staging")


def _old_path(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.old")


def recover(out_dir: Path) -> None:
    """Undo what an interrupted build left: restore a half-swapped output, drop staging."""
    old = _old_path(out_dir)
    if old.exists() and not out_dir.exists():
        # Killed between the two renames of the fallback swap: the old build is intact.
        os.rename(old, out_dir)
    for leftover in (old, staging_path(out_dir)):
        if leftover.exists():
            shutil.rmtree(leftover)


def check_relative(path: str) -> None:
    """Raise :class:`BuildError` unless ``path`` stays inside the output folder."""
    parts = PurePosixPath(path).parts
    if (not parts or path.startswith("/") or "\\" in path or ".." in parts or "." in parts
            or any(ord(c) < 32 for c in path)):
        raise BuildError([Problem("<output>", None, f"refusing to write outside output: {path!r}")])


AfterWrite = t.Callable[[Path, WriteResult], WriteResult]
"""Called with the staging folder once every file is in it, before the swap; returns
the further files it added there (e.g. the search index)."""


def write_output(
    out_dir: Path, files: t.Iterable[tuple[str, bytes | Path]],
    after_write: AfterWrite | None = None,
) -> WriteResult:
    """Write ``files`` (output path, bytes or a file to copy) as the new ``out_dir``."""
    recover(out_dir)
    staging = staging_path(out_dir)
    staging.mkdir(parents=True)
    written: list[str] = []
    unchanged: list[str] = []
    try:
        for rel, data in files:
            check_relative(rel)
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if _link_if_same(out_dir / rel, dest, data):
                unchanged.append(rel)
                continue
            if isinstance(data, Path):
                shutil.copyfile(data, dest)
            else:
                dest.write_bytes(data)
            written.append(rel)
        produced = set(written) | set(unchanged)
        deleted = sorted(p for p in _files(out_dir) if p not in produced)
        if after_write is not None:
            extra = after_write(staging, WriteResult(tuple(written), tuple(unchanged),
                                                     tuple(deleted)))
            written += extra.written
            unchanged += extra.unchanged
            produced |= set(extra.written) | set(extra.unchanged)
            deleted = [p for p in deleted if p not in produced]
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return WriteResult(tuple(sorted(written)), tuple(sorted(unchanged)), tuple(deleted))


def _link_if_same(current: Path, dest: Path, data: bytes | Path) -> bool:
    """Hard-link ``current`` to ``dest`` when it already holds ``data``."""
    try:
        stat = current.stat()
    except OSError:
        return False
    if isinstance(data, Path):
        if stat.st_size != data.stat().st_size or current.read_bytes() != data.read_bytes():
            return False
    elif stat.st_size != len(data) or current.read_bytes() != data:
        return False
    try:
        os.link(current, dest)
    except OSError:
        shutil.copy2(current, dest)
    return True


def _files(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return [
        (Path(folder) / name).relative_to(root).as_posix()
        for folder, _, names in os.walk(root) for name in names
    ]


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
