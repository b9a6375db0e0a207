"""Write a build beside the output folder and swap it in only when complete.

Unchanged files are hard-linked from the current output, so they keep their bytes
and mtime, and deploy tools that compare timestamps upload only what changed.

Whatever moment a build is killed at, the output folder holds either the complete
previous build or the complete new one: the new build is written into a staging
folder beside it and the two are exchanged by rename. :func:`recover` clears what an
interrupted build left before the next one starts.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import os
import shutil
import stat
import typing as t
from pathlib import Path

from .errors import BuildError, Problem
from .model import Route
from .urls import path_problem, printable

if t.TYPE_CHECKING or os.name == "posix":
    import fcntl


BUILT_SITE_FILES = ("index.html", "sitemap.xml")
"""Files every build writes; an output folder without them is not replaced."""


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
    """Undo what an interrupted build left: restore a half-swapped output, drop staging.

    A build only ever renames a complete output folder to ``.NAME.old``, and only
    renames ``.NAME.staging`` to the output folder once it is complete, so an ``.old``
    folder without an output folder is the last good build. Everything else left
    behind (a partial staging folder, or the previous build after a swap) is removed.
    """
    old = _old_path(out_dir)
    if os.path.lexists(old) and not os.path.lexists(out_dir):
        # Killed between the two renames of the fallback swap: the old build is intact.
        os.rename(old, out_dir)
    for leftover in (old, staging_path(out_dir)):
        _remove(leftover)


def _remove(path: Path) -> None:
    """Remove ``path`` whatever it is; a symbolic link is removed, never followed."""
    if path.is_symlink() or (os.path.lexists(path) and not path.is_dir()):
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def check_relative(path: str) -> None:
    """Raise :class:`BuildError` unless ``path`` stays inside the output folder."""
    problem = path_problem(path)
    if problem:
        raise BuildError([Problem("<output>", None,
                                  f"refusing to write '{printable(path)}': {problem}")])


def check_routes(routes: t.Iterable[Route]) -> list[Problem]:
    """Return a problem, naming its source, for every route that would leave the output."""
    problems = []
    for route in routes:
        problem = path_problem(route.output_path)
        if problem:
            source = route.sources[0] if route.sources else "<output>"
            problems.append(Problem(printable(source), None,
                                    f"output path '{printable(route.output_path)}' {problem}"))
    return problems


AfterWrite = t.Callable[[Path, WriteResult], WriteResult]
"""Called with the staging folder once every file is in it, before the swap; returns
the further files it added there (e.g. the search index)."""


def write_output(
    out_dir: Path, files: t.Iterable[tuple[str, bytes | Path]],
    after_write: AfterWrite | None = None, *, project_dir: Path | None = None,
) -> WriteResult:
    """Write ``files`` (output path, bytes or a file to copy) as the new ``out_dir``.

    Paths in messages are shown relative to ``project_dir`` when they lie inside it.
    """

    def show(path: Path) -> str:
        if project_dir is not None and path.is_relative_to(project_dir):
            return printable(path.relative_to(project_dir).as_posix())
        return printable(str(path))

    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        message = f"cannot create the output folder: {exc.strerror or exc}"
        raise BuildError([Problem(show(out_dir), None, message)]) from None
    with _lock(out_dir.parent):
        recover(out_dir)
        _check_replaceable(out_dir, show(out_dir))
        return _write(out_dir, files, after_write, show)


def _write(
    out_dir: Path, files: t.Iterable[tuple[str, bytes | Path]],
    after_write: AfterWrite | None, show: t.Callable[[Path], str],
) -> WriteResult:
    staging = staging_path(out_dir)
    written: list[str] = []
    unchanged: list[str] = []
    rel = ""
    try:
        staging.mkdir()
        for rel, data in files:
            check_relative(rel)
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if _link_if_same(out_dir / rel, dest, data):
                unchanged.append(rel)
                continue
            _write_new(dest, data, show)
            written.append(rel)
        rel = ""
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
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        target = show(out_dir / rel) if rel else show(out_dir)
        raise BuildError([Problem(target, None, f"cannot write: {exc.strerror or exc}")]) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return WriteResult(tuple(sorted(written)), tuple(sorted(unchanged)), tuple(deleted))


def _write_new(dest: Path, data: bytes | Path, show: t.Callable[[Path], str]) -> None:
    # "x" refuses an existing file: a file in staging may be a hard link into the
    # current output, and writing through it would change the previous build.
    if isinstance(data, bytes):
        with dest.open("xb") as handle:
            handle.write(data)
        return
    try:
        source = data.open("rb")
    except OSError as exc:
        raise BuildError([Problem(show(data), None,
                                  f"cannot read file: {exc.strerror or exc}")]) from None
    with source, dest.open("xb") as handle:
        shutil.copyfileobj(source, handle)


def _check_replaceable(out_dir: Path, shown: str) -> None:
    """Refuse to replace anything but a folder holding a previous build (or nothing)."""
    message = None
    if out_dir.is_symlink():
        message = "the output folder is a symbolic link: give the folder it points to"
    elif os.path.lexists(out_dir) and not out_dir.is_dir():
        message = "exists and is not a folder"
    elif out_dir.is_dir() and any(out_dir.iterdir()) and not all(
            (out_dir / name).is_file() for name in BUILT_SITE_FILES):
        message = ("holds files but no index.html and sitemap.xml, so it is not a site built "
                   "here; every build replaces its output folder as a whole: empty it or "
                   "choose another")
    if message:
        raise BuildError([Problem(shown, None, message)])


@contextlib.contextmanager
def _lock(folder: Path) -> t.Iterator[None]:
    """Hold an exclusive lock on ``folder`` so two builds never swap the same output.

    The lock is taken on the folder itself, so no lock file is left behind, and the
    kernel drops it when a build dies, however it dies.
    """
    if os.name != "posix":
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _link_if_same(current: Path, dest: Path, data: bytes | Path) -> bool:
    """Hard-link ``current`` to ``dest`` when it already holds ``data``."""
    try:
        info = current.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    try:
        if isinstance(data, Path):
            if info.st_size != data.stat().st_size or current.read_bytes() != data.read_bytes():
                return False
        elif info.st_size != len(data) or current.read_bytes() != data:
            return False
    except OSError:
        return False
    link_or_copy(current, dest)
    return True


def link_or_copy(src: Path, dest: Path) -> None:
    """Hard-link ``src`` to ``dest`` (same bytes and mtime), copying where links fail."""
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


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
