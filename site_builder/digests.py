"""Digests of bytes, files and this package's code: the keys of everything cached."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import typing as t
from pathlib import Path

DIGEST_SIZE = 16


def new_hash() -> hashlib.blake2b:
    """Return the hash used for every digest in the cache."""
    return hashlib.blake2b(digest_size=DIGEST_SIZE)


def digest_bytes(*parts: bytes | str) -> bytes:
    """Return the digest of ``parts``, each length-prefixed so boundaries count."""
    h = new_hash()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


@functools.cache
def code_digest(*, python_only: bool = False) -> bytes:
    """Return a digest of this package's files and the libraries it renders with.

    A development checkout changes code without changing the version number, so the
    cache is keyed by the code itself; an upgrade therefore starts from a cold cache.
    """
    root = Path(__file__).parent
    h = new_hash()
    for name in ("markdown", "jinja2", "PyYAML", "python-frontmatter", "anyascii", "nh3"):
        try:
            h.update(f"{name}={importlib.metadata.version(name)};".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{name}=-;".encode())
    for path in _files_under(root):
        if path.suffix == ".pyc" or (python_only and path.suffix != ".py"):
            continue
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.digest()


@functools.cache
def module_digest(name: str) -> bytes:
    """Return a digest of module ``name`` and every package module it uses, transitively.

    The Markdown memo is keyed by this for the module that renders Markdown, so an
    edit elsewhere in the code keeps it, and an edit to anything it calls drops it.
    """
    import sys

    package = __name__.rpartition(".")[0]
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen or current not in sys.modules:
            continue
        seen.add(current)
        for value in vars(sys.modules[current]).values():
            used = value.__name__ if isinstance(value, type(sys)) else getattr(
                value, "__module__", None)
            if isinstance(used, str) and used.startswith(package + "."):
                todo.append(used)
    h = new_hash()
    for module in sorted(seen):
        h.update(module.encode() + b"\0")
        h.update(Path(t.cast(str, sys.modules[module].__file__)).read_bytes())
    for lib in ("markdown",):
        h.update(f"{lib}={importlib.metadata.version(lib)};".encode())
    return h.digest()


def tree_digest(root: Path) -> bytes:
    """Return a digest of the names and bytes of every file under ``root``."""
    h = new_hash()
    for path in _files_under(root):
        h.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        try:
            data = path.read_bytes()
        except OSError as exc:
            # The renderer reports it, with the template's name, if a page needs it.
            data = f"unreadable: {exc}".encode("utf-8", "surrogateescape")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


def _files_under(root: Path) -> list[Path]:
    found: list[Path] = []
    if not root.is_dir():
        return found
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found.extend(Path(folder) / name for name in sorted(names))
    return found
