"""Watch a project's sources and report what changed, once editors stop saving.

The watchdog handler only records paths and sets an event; deciding what to do with
a change is the rebuild loop's business (``server.py``).
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
import typing as t
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from ..config import CONFIG_NAME, Config

if t.TYPE_CHECKING:
    from watchdog.observers.api import BaseObserver, ObservedWatch

# Editors' swap, backup and lock files: vim's ``.x.swp`` and ``4913`` probe, emacs'
# ``x~``, ``#x#`` and ``.#x``, and the ``.tmp`` files of atomic saves.
_SCRATCH = re.compile(r"^(?:\..*|.*~|#.*#|4913|.*\.(?:swp|swo|swx|tmp|bak|orig)|.*\.sw[a-p])$")


def is_ignored(path: Path) -> bool:
    """Return True for editors' scratch files and anything inside a hidden folder."""
    return any(_SCRATCH.match(part) for part in path.parts if part not in ("/", ""))


@dataclasses.dataclass(frozen=True, slots=True)
class ChangeSet:
    """What changed since the last rebuild."""

    paths: frozenset[Path]
    """Absolute paths of the files and folders that changed."""
    config_changed: bool
    """True when ``config.toml`` itself changed, so the configuration must be reloaded."""


class Watcher:
    """Record changes under the content, templates and static folders and to ``config.toml``."""

    def __init__(self, config: Config) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._paths: set[Path] = set()
        self._config_changed = False
        self._last_change = 0.0
        self._project = config.project_dir
        self._observer: BaseObserver = Observer()
        self._watches: dict[Path, ObservedWatch] = {}
        self._observer.schedule(_Recorder(self, self._project, is_project=True),
                                str(self._project), recursive=False)
        self.follow(config)

    def follow(self, config: Config) -> None:
        """Watch the folders ``config`` names, including ones created since the last call."""
        wanted = {p for p in (config.content_path, config.templates_path, config.static_path)
                  if p.is_dir()}
        for path in set(self._watches) - wanted:
            self._observer.unschedule(self._watches.pop(path))
        for path in sorted(wanted - set(self._watches)):
            self._watches[path] = self._observer.schedule(
                _Recorder(self, path), str(path), recursive=True)

    def start(self) -> None:
        """Start watching in a background thread."""
        self._observer.start()

    def stop(self) -> None:
        """Stop watching and wait for the watching thread to end."""
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join()

    def record(self, path: Path, *, is_config: bool = False) -> None:
        """Note a change to ``path`` (called from the watching thread)."""
        with self._lock:
            self._paths.add(path)
            self._config_changed |= is_config
            self._last_change = time.monotonic()
        self._changed.set()

    def next_changes(self, quiet: float = 0.15) -> ChangeSet:
        """Block until something changed and no further change came for ``quiet`` seconds.

        Editors save in bursts (a swap file, a backup, a rename, the file itself), and
        a rebuild started in the middle of one would be wasted.
        """
        # A timed wait keeps the main thread responsive to Ctrl-C.
        while not self._changed.wait(timeout=1.0):
            pass
        while True:
            with self._lock:
                remaining = self._last_change + quiet - time.monotonic()
            if remaining <= 0:
                break
            time.sleep(remaining)
        with self._lock:
            changes = ChangeSet(frozenset(self._paths), self._config_changed)
            self._paths.clear()
            self._config_changed = False
            self._changed.clear()
        return changes


class _Recorder(FileSystemEventHandler):
    """Pass the events that matter under ``root`` to the watcher.

    Under the project folder itself (watched without its subfolders) only ``config.toml``
    and new folders matter.
    """

    def __init__(self, watcher: Watcher, root: Path, *, is_project: bool = False) -> None:
        self._watcher = watcher
        self._root = root
        self._is_project = is_project

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed", "closed_no_write"):
            return
        if event.is_directory and not isinstance(
                event, DirCreatedEvent | DirDeletedEvent | DirMovedEvent):
            # A folder's own "modified" event repeats the change to a file inside it.
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(raw if isinstance(raw, str) else raw.decode())
            rel = path.relative_to(self._root) if path.is_relative_to(self._root) else path
            if is_ignored(rel):
                continue
            if not self._is_project:
                self._watcher.record(path)
            elif path.name == CONFIG_NAME:
                self._watcher.record(path, is_config=True)
            elif event.is_directory:
                # A content, templates or static folder may have just been created.
                self._watcher.record(path)
