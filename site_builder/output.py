"""Assemble a build beside the output folder and swap it in only when complete.

Whatever moment a build is killed at, the output folder holds either the complete
previous build or the complete new one: the new build is assembled in a staging folder
beside it (``.NAME.staging``) and the two are exchanged by one rename.

Unchanged files are hard links to the current output's files, so they keep their
inode, bytes and mtime, and deploy tools that compare timestamps upload only what
changed. After the exchange the staging folder holds the build before, which is kept
as ``.NAME.previous`` and becomes the next build's staging folder: only the files that
differ between the two are touched, never the whole tree, so a rebuild that changes
one page costs a few file operations, not two per page of the site. Nothing in the
kept folder is trusted: a file in it is kept only when it is the very file (the same
inode) the output holds at that path, so any leftover tree, even a half-written one,
is a valid starting point, and it may be deleted at any time.
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


@dataclasses.dataclass(frozen=True, slots=True)
class Stamp:
    """What an output file looked like right after it was written."""

    size: int
    mtime_ns: int
    ino: int

    @classmethod
    def of(cls, path: Path | str) -> Stamp | None:
        """Return the stamp of ``path``, or None if it is not a regular file."""
        try:
            st = os.lstat(path)
        except OSError:
            return None
        return cls(st.st_size, st.st_mtime_ns, st.st_ino)


BUILT_SITE_FILES = ("index.html", "sitemap.xml")
"""Files every build writes; an output folder without them is not replaced."""


def staging_path(out_dir: Path) -> Path:
    """Return the folder a build is assembled in before the swap."""
    return out_dir.with_name(f".{out_dir.name}.staging")


def previous_path(out_dir: Path) -> Path:
    """Return the folder keeping the build before the current one (hard links)."""
    return out_dir.with_name(f".{out_dir.name}.previous")


def _old_path(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.old")


def _is_folder(path: Path) -> bool:
    """Return whether ``path`` is a real folder (not a link to one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def recover(out_dir: Path) -> None:
    """Tidy what an interrupted build left: restore a half-swapped output.

    A build only ever renames a complete output folder to ``.NAME.old``, and only
    renames the staging folder to the output folder once it is complete, so an ``.old``
    folder without an output folder is the last good build. A leftover staging folder
    is kept as the previous build (its files are checked before any is reused); links
    and files standing where these folders belong are removed, never followed.
    """
    old = _old_path(out_dir)
    if os.path.lexists(old) and not os.path.lexists(out_dir):
        # Killed between the two renames of the fallback swap: the old build is intact.
        os.rename(old, out_dir)
    _remove(old)
    staging, previous = staging_path(out_dir), previous_path(out_dir)
    if not _is_folder(previous):
        _remove(previous)
    if _is_folder(staging) and not os.path.lexists(previous):
        os.rename(staging, previous)
    _remove(staging)


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


def shown(path: Path, project_dir: Path | None) -> str:
    """Return ``path`` for a message: relative to ``project_dir`` when inside it."""
    if project_dir is not None and path.is_relative_to(project_dir):
        return printable(path.relative_to(project_dir).as_posix())
    return printable(str(path))


@contextlib.contextmanager
def lock_output(out_dir: Path, project_dir: Path | None = None) -> t.Iterator[None]:
    """Hold an exclusive lock on the output's parent folder for the whole build.

    Two builds of one output take turns: the second plans its pages only after the
    first has swapped its own in. The lock is taken on the folder itself, so no lock
    file is left behind, and the kernel drops it when a build dies, however it dies.
    """
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        message = f"cannot create the output folder: {exc.strerror or exc}"
        raise BuildError([Problem(shown(out_dir, project_dir), None, message)]) from None
    if os.name != "posix":
        yield
        return
    fd = os.open(out_dir.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def check_replaceable(out_dir: Path, project_dir: Path | None = None) -> None:
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
        raise BuildError([Problem(shown(out_dir, project_dir), None, message)])


def scan_tree(root: Path) -> dict[str, int]:
    """Return every file (anything but a folder) under ``root``: POSIX path -> inode."""
    found: dict[str, int] = {}
    if not _is_folder(root):
        return found
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((prefix + entry.name + "/", entry.path))
                else:
                    found[prefix + entry.name] = entry.inode()
    return found


class Staging:
    """The next build, assembled beside ``out_dir`` and swapped in by :meth:`commit`.

    Any process of the build may :meth:`write` into it (render workers write what they
    render). Paths never written are hard-linked from the current output by
    :meth:`finish`.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.dir = staging_path(out_dir)
        self.kept: set[str] = set()
        self._made: set[str] = set()

    def begin(self, produced: t.Collection[str], current: t.Mapping[str, int]) -> None:
        """Start from the previous build, keeping only what equals the current output.

        ``produced`` are the new build's paths and ``current`` the output's files
        (path -> inode). A file of the previous build stays only if it is the output's
        own file at a produced path; links, stale files and folders standing where a
        file goes are removed first, so nothing written later can follow a link.
        """
        recover(self.out_dir)
        previous = previous_path(self.out_dir)
        if _is_folder(previous):
            os.rename(previous, self.dir)
        else:
            self.dir.mkdir()
        emptied: list[str] = []
        stack = [("", str(self.dir))]
        while stack:
            prefix, folder = stack.pop()
            with os.scandir(folder) as entries:
                for entry in entries:
                    rel = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if rel in produced:
                            shutil.rmtree(entry.path)
                        else:
                            stack.append((rel + "/", entry.path))
                            emptied.append(entry.path)
                    elif rel in produced and current.get(rel) == entry.inode() \
                            and entry.is_file(follow_symlinks=False):
                        self.kept.add(rel)
                    else:
                        os.unlink(entry.path)
        # Deepest first; a folder still holding files stays.
        for folder in reversed(emptied):
            with contextlib.suppress(OSError):
                os.rmdir(folder)

    def write(self, rel: str, data: bytes) -> Stamp:
        """Write ``data`` as ``rel``; return the new file's stamp."""
        dest = self._dest(rel)
        # A file there is a hard link to the current output's: writing through it
        # would change the build being replaced, so it is unlinked first.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(dest)
        with open(dest, "xb") as handle:
            handle.write(data)
        stamp = Stamp.of(dest)
        if stamp is None:
            raise OSError(f"cannot read back {dest}")
        return stamp

    def finish(self, unchanged: t.Iterable[str]) -> None:
        """Hard-link every unchanged path not already in place from the current output."""
        for rel in unchanged:
            if rel not in self.kept:
                link_or_copy(self.out_dir / rel, self._dest(rel))

    def commit(self) -> None:
        """Make the staged build current; keep the one it replaces as the previous build.

        A first build replaces nothing: the next build's starting point is then made
        now, as links to the new files, so that the first edit costs no more than any.
        """
        first = not os.path.lexists(self.out_dir)
        _swap(self.dir, self.out_dir)
        previous = previous_path(self.out_dir)
        if os.path.lexists(previous):
            _remove(self.dir)
        elif os.path.lexists(self.dir):
            os.rename(self.dir, previous)
        elif first:
            temp = self.dir  # under the staging name until complete, so never trusted half-made
            _link_tree(self.out_dir, temp)
            os.rename(temp, previous)

    def abort(self) -> None:
        """Leave the output as it is; keep what was staged as the previous build."""
        if not _is_folder(self.dir):
            return
        if os.path.lexists(previous_path(self.out_dir)):
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            os.rename(self.dir, previous_path(self.out_dir))

    def _dest(self, rel: str) -> Path:
        check_relative(rel)
        folder, _, _ = rel.rpartition("/")
        if folder and folder not in self._made:
            os.makedirs(self.dir / folder, exist_ok=True)
            self._made.add(folder)
        return self.dir / rel


def same_bytes(path: Path, data: bytes) -> bool:
    """Return whether the file at ``path`` holds exactly ``data``."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _link_tree(src: Path, dest: Path) -> None:
    """Make ``dest`` a tree of hard links to the files of ``src``."""
    os.mkdir(dest)
    stack = [(str(src), str(dest))]
    while stack:
        here, there = stack.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                target = os.path.join(there, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    os.mkdir(target)
                    stack.append((entry.path, target))
                else:
                    link_or_copy(Path(entry.path), Path(target))


def link_or_copy(src: Path, dest: Path) -> None:
    """Hard-link ``src`` to ``dest`` (same bytes and mtime), copying where links fail."""
    try:
        os.link(src, dest, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dest, follow_symlinks=False)


_RENAME_EXCHANGE = 2


def _swap(staging: Path, out_dir: Path) -> None:
    """Make ``staging`` the output folder; afterwards ``staging`` holds the old build."""
    if not os.path.lexists(out_dir):
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
