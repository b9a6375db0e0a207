"""What one build leaves for the next: the parse memo and the manifest of each output.

``build`` opens a :class:`BuildState` on the project's cache and closes it when done.
A long-lived caller (the preview server) opens one itself and passes it to every
``build``, so what is already decoded stays in memory between rebuilds.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..config import Config
from .kept import KeptModel, forget_model, load_model, save_model
from .store import Cache, CacheCorrupt, OutputEntry, Parsed, discard_cache, open_cache

log = logging.getLogger(__name__)


class BuildState:
    """The cache of one project plus what has been decoded from it in this process."""

    def __init__(self, cache: Cache, project_dir: Path) -> None:
        self.cache = cache
        self.project_dir = project_dir
        self.parsed: dict[str, Parsed] = {}
        """Decoded parse memo entries by source path."""
        self._raw: dict[str, tuple[bytes, bytes]] | None = None
        self.manifests: dict[Path, dict[str, OutputEntry]] = {}
        """The manifest of each output folder built in this process."""
        self.kept: dict[Path, tuple[KeptModel, int] | None] = {}
        """The kept model of each output folder (and its patch count), once loaded."""

    @classmethod
    def open(cls, config: Config, *, clean: bool = False) -> BuildState:
        """Open the state of ``config``'s project; ``clean`` starts from an empty cache."""
        cache = open_cache(config.project_dir, fresh=clean)
        cache.forget_missing_outputs()
        return cls(cache, config.project_dir)

    def memo_for(self, path: str, key: bytes, *, few: bool = False) -> Parsed | None:
        """Return the parse memo entry of ``path`` if it was made from ``key``.

        ``few``: only a few sources are looked up (the delta path), so the memo is read
        row by row rather than whole.
        """
        entry = self.parsed.get(path)
        if entry is not None and entry.key == key:
            return entry
        if self._raw is None and few:
            raw = self.cache.load_sources(path).get(path)
        else:
            if self._raw is None:
                self._raw = self.cache.load_sources()
            # Decoded entries are held in ``parsed``; the raw bytes are not kept twice.
            raw = self._raw.pop(path, None)
        if raw is None or raw[0] != key:
            return None
        entry = self.cache.decode_parsed(raw[0], raw[1])
        self.parsed[path] = entry
        return entry

    def remember(self, path: str, entry: Parsed) -> None:
        """Record a fresh parse of ``path`` in memory and in the cache."""
        self.parsed[path] = entry
        self.cache.store_parsed(path, entry)

    def known_sources(self) -> set[str]:
        """Return the source paths the cache has entries for."""
        if self._raw is None:
            self._raw = self.cache.load_sources()
        return set(self._raw) | set(self.parsed)

    def forget(self, paths: set[str]) -> None:
        """Drop the entries of sources that no longer exist."""
        for path in paths:
            self.parsed.pop(path, None)
            if self._raw is not None:
                self._raw.pop(path, None)
        self.cache.forget_sources(paths)

    def manifest(self, out_dir: Path) -> dict[str, OutputEntry]:
        """Return the manifest of ``out_dir`` (empty if never built)."""
        if out_dir not in self.manifests:
            self.manifests[out_dir] = self.cache.load_manifest(out_dir)
        return self.manifests[out_dir]

    def kept_model(self, out_dir: Path) -> tuple[KeptModel, int] | None:
        """Return the kept model of ``out_dir`` and the patches since it was written."""
        if out_dir not in self.kept:
            self.kept[out_dir] = load_model(self.cache, out_dir)
        return self.kept[out_dir]

    def keep_model(self, out_dir: Path, model: KeptModel) -> None:
        """Make ``model`` the kept model of ``out_dir``, here and on disk."""
        save_model(self.cache, out_dir, model)
        self.kept[out_dir] = (model, 0)

    def drop_model(self, out_dir: Path) -> None:
        """Forget the kept model of ``out_dir``: the next build runs in full."""
        forget_model(self.cache, out_dir)
        self.kept[out_dir] = None

    def discard(self) -> None:
        """Throw the cache away and start an empty one (it proved damaged)."""
        log.warning("build cache is damaged; discarding it")
        self.cache.close()
        discard_cache(self.project_dir)
        self.cache = open_cache(self.project_dir)
        self.parsed.clear()
        self._raw = None
        self.manifests.clear()
        self.kept.clear()

    def close(self) -> None:
        """Close the cache file."""
        self.cache.close()


__all__ = ["BuildState", "CacheCorrupt"]
