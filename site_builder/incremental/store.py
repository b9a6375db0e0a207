"""The persisted build cache: one SQLite file in a hidden folder of the project.

It holds only what is keyed by content hashes, so it is safe to trust across runs:

- ``sources``: per source file, the digest of its bytes (plus path, parse settings and
  code) and the article parsed from it, its body kept apart;
- ``markdown``: Markdown-to-HTML results keyed by a digest of the text and the code;
- ``bodies``: article HTML by its own digest, compressed, read back when a page renders;
- ``outputs``: per output folder, each file's content digest, the fingerprint of what
  it was rendered from, and the stamp it had when written (the manifest).

A cache of another format, a truncated file or garbage is detected when opened or
read, discarded, and the build goes on without it: it is never trusted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import logging
import os
import pickle
import shutil
import sqlite3
import tempfile
import typing as t
import zlib
from pathlib import Path

from ..content import SourceStamp
from ..errors import BuildError, Problem
from ..model import Article
from ..output import Stamp

log = logging.getLogger(__name__)

CACHE_DIR = ".site-builder-cache"
"""Folder of the project that holds the cache (keep it out of version control)."""
CACHE_FILE = "cache.sqlite"
FORMAT = "site-builder-cache 7"
"""Written into the cache; any other value marks a foreign cache."""


class CacheCorrupt(Exception):
    """Raised when the cache cannot be read back as it was written."""


@dataclasses.dataclass(frozen=True, slots=True)
class OutputEntry:
    """One line of the manifest: an output file as the last build left it."""

    digest: bytes
    fingerprint: bytes | None
    stamp: Stamp


@dataclasses.dataclass(frozen=True, slots=True)
class Parsed:
    """A parse memo entry: the article (body stored apart) and the file's problems."""

    key: bytes
    article: Article | None
    problems: tuple[Problem, ...]
    markdown_key: bytes | None
    token: str | None = None
    """The article's digest (:meth:`Digester.token`), computed once when parsed."""
    links: tuple[str, ...] = ()
    """The body's link values (``href``/``src``), so link resolution reads a body only
    when one of them changes."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY, key BLOB NOT NULL, markdown_key BLOB, body TEXT,
    data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS markdown (
    key BLOB PRIMARY KEY, body TEXT NOT NULL, summary TEXT NOT NULL, removed TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (digest TEXT PRIMARY KEY, html BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS resolved (
    path TEXT PRIMARY KEY, key BLOB NOT NULL, body TEXT, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS scans (
    out_dir TEXT NOT NULL, path TEXT NOT NULL, key BLOB NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (out_dir, path));
CREATE TABLE IF NOT EXISTS source_stamps (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL, ino INTEGER NOT NULL, digest BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS scan_targets (
    out_dir TEXT NOT NULL, site_path TEXT NOT NULL, page TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS scan_targets_by_path ON scan_targets (out_dir, site_path);
CREATE INDEX IF NOT EXISTS scan_targets_by_page ON scan_targets (out_dir, page);
CREATE TABLE IF NOT EXISTS outputs (
    out_dir TEXT NOT NULL, path TEXT NOT NULL, digest BLOB NOT NULL, fingerprint BLOB,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ino INTEGER NOT NULL,
    PRIMARY KEY (out_dir, path));
"""

# Only these may appear in a pickled cache entry; anything else marks it as foreign.
_ALLOWED = {
    ("site_builder.model", "Article"), ("site_builder.model", "Image"),
    ("site_builder.model", "Related"), ("site_builder.model", "Body"),
    ("site_builder.model", "Link"), ("site_builder.errors", "Problem"),
    ("site_builder.linkcheck", "PageScan"),
    ("datetime", "datetime"), ("datetime", "date"),
    ("datetime", "time"), ("datetime", "timedelta"), ("datetime", "timezone"),
    ("zoneinfo", "ZoneInfo"), ("builtins", "frozenset"), ("builtins", "set"),
    ("builtins", "getattr"), ("copyreg", "_reconstructor"), ("builtins", "object"),
}


_CACHE_ID = "cache"


class _Pickler(pickle.Pickler):
    """Pickle stored bodies without their cache, which is supplied again on loading."""

    def persistent_id(self, obj: object) -> str | None:
        return _CACHE_ID if isinstance(obj, Cache) else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, cache: Cache) -> None:
        super().__init__(io.BytesIO(data))
        self.cache = cache

    def find_class(self, module: str, name: str) -> t.Any:
        if (module, name) not in _ALLOWED:
            raise CacheCorrupt(f"unexpected {module}.{name} in cache")
        return super().find_class(module, name)

    def persistent_load(self, pid: object) -> object:
        if pid != _CACHE_ID:
            raise CacheCorrupt(f"unexpected reference {pid!r} in cache")
        return self.cache


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _loads(data: bytes, cache: Cache) -> t.Any:
    try:
        return _Unpickler(data, cache).load()
    except CacheCorrupt:
        raise
    except Exception as exc:  # any failure to decode means the entry is not ours
        raise CacheCorrupt(f"unreadable cache entry: {exc!r}") from exc


class Cache:
    """An open cache file, shared by the build and its worker processes.

    Each process opens its own connection on first use (SQLite connections must not
    cross ``fork``); pickling a cache keeps only its path, so stored bodies can be
    read back in any process.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self.temporary: Path | None = None
        """A folder of this build's own, removed on close (the project's was unusable)."""
        self._owner = os.getpid()

    def __getstate__(self) -> str:
        return str(self.path)

    def __setstate__(self, state: str) -> None:
        self.path = Path(state)
        self._conn = None
        self._pid = 0
        self.temporary = None
        self._owner = 0

    @property
    def conn(self) -> sqlite3.Connection:
        """Return this process's connection, opening it on first use."""
        if self._conn is None or self._pid != os.getpid():
            # One build runs at a time per process, though not always on one thread
            # (the preview rebuilds on its own thread).
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def close(self) -> None:
        """Close this process's connection; the owner notes that the file closed whole."""
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
            if self._owner == os.getpid():
                _mark_closed(self.path)
        self._conn = None
        if self.temporary is not None and self._owner == os.getpid():
            shutil.rmtree(self.temporary, ignore_errors=True)
            self.temporary = None

    # --- small values ----------------------------------------------------------------

    def get_value(self, name: str) -> str | None:
        """Return a small value stored under ``name``."""
        rows = self._query("SELECT value FROM meta WHERE key = ?", ("value:" + name,))
        return str(rows[0][0]) if rows else None

    def set_value(self, name: str, value: str) -> None:
        """Store a small value under ``name``."""
        self._execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", ("value:" + name, value))

    # --- source files -------------------------------------------------------------

    def load_source_stamps(self) -> tuple[dict[str, SourceStamp], int]:
        """Return the stamp index of the source files and when it was taken."""
        rows = self._query("SELECT path, size, mtime_ns, ctime_ns, ino, digest "
                           "FROM source_stamps")
        taken = self.get_value("source-stamps-taken")
        try:
            taken_at = int(taken) if taken is not None else 0
        except ValueError:
            taken_at = 0  # never trusted: every file is read
        return {str(r[0]): (int(r[1]), int(r[2]), int(r[3]), int(r[4]), bytes(r[5]))
                for r in rows}, taken_at

    def store_source_stamps(self, before: t.Mapping[str, SourceStamp],
                            now: t.Mapping[str, SourceStamp], taken_at: int) -> None:
        """Replace the stamp index ``before`` by ``now``, writing only the rows that differ."""
        self._executemany("DELETE FROM source_stamps WHERE path = ?",
                          [(p,) for p in before if p not in now])
        self._executemany("INSERT OR REPLACE INTO source_stamps VALUES (?, ?, ?, ?, ?, ?)",
                          [(p, *stamp) for p, stamp in now.items() if before.get(p) != stamp])
        self.set_value("source-stamps-taken", str(taken_at))

    def load_sources(self, path: str | None = None) -> dict[str, tuple[bytes, bytes]]:
        """Return {source path: (key, pickled entry)} of the parse memo (of ``path`` only,
        when given)."""
        if path is not None:
            rows = self._query("SELECT path, key, data FROM sources WHERE path = ?", (path,))
        else:
            rows = self._query("SELECT path, key, data FROM sources")
        return {str(path): (bytes(key), bytes(data)) for path, key, data in rows}

    def decode_parsed(self, key: bytes, data: bytes) -> Parsed:
        """Decode a parse memo entry; raise :class:`CacheCorrupt` if it is not ours."""
        value = _loads(data, self)
        if not (isinstance(value, tuple) and len(value) == 5
                and (value[0] is None or isinstance(value[0], Article))
                and isinstance(value[4], tuple)):
            raise CacheCorrupt("malformed parse entry")
        article, problems, md_key, token, links = value
        if article is not None and not article.body.is_stored:
            raise CacheCorrupt("parse entry holds its body")
        return Parsed(key, article, tuple(problems), md_key, token, links)

    def store_parsed(self, path: str, parsed: Parsed) -> None:
        """Record the parse memo entry of ``path``."""
        data = _dumps((parsed.article, parsed.problems, parsed.markdown_key, parsed.token,
                       parsed.links))
        body = parsed.article.body.digest if parsed.article is not None else None
        self._execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?)",
                      (path, parsed.key, parsed.markdown_key, body, data))

    def forget_sources(self, paths: t.Iterable[str]) -> None:
        """Drop the parse memo entries of sources that no longer exist."""
        self._executemany("DELETE FROM sources WHERE path = ?", [(p,) for p in paths])

    # --- Markdown memo and bodies ------------------------------------------------

    def get_markdown(self, key: bytes) -> tuple[str, str, tuple[str, ...]] | None:
        """Return (body digest, summary, removed embeds) memoised for Markdown key ``key``."""
        rows = self._query("SELECT body, summary, removed FROM markdown WHERE key = ?", (key,))
        if not rows:
            return None
        try:
            removed = json.loads(rows[0][2])
        except (ValueError, TypeError):
            raise CacheCorrupt("malformed Markdown entry") from None
        if not isinstance(removed, list) or not all(isinstance(r, str) for r in removed):
            raise CacheCorrupt("malformed Markdown entry")
        return str(rows[0][0]), str(rows[0][1]), tuple(removed)

    def store_markdown(
        self, key: bytes, digest: str, summary: str, removed: tuple[str, ...] = ()
    ) -> None:
        """Memoise a Markdown result by the digest of its HTML."""
        self._execute("INSERT OR REPLACE INTO markdown VALUES (?, ?, ?, ?)",
                      (key, digest, summary, json.dumps(list(removed))))

    def has_body(self, digest: str) -> bool:
        """Return whether the body ``digest`` is stored."""
        return bool(self._query("SELECT 1 FROM bodies WHERE digest = ?", (digest,)))

    def store_body(self, digest: str, compressed: bytes) -> None:
        """Store a body compressed with :func:`compress_body`."""
        self._execute("INSERT OR IGNORE INTO bodies VALUES (?, ?)", (digest, compressed))

    def load_body(self, digest: str) -> str:
        """Return the HTML of body ``digest``; raise :class:`CacheCorrupt` if damaged."""
        rows = self._query("SELECT html FROM bodies WHERE digest = ?", (digest,))
        if not rows:
            raise CacheCorrupt(f"body {digest} missing from cache")
        try:
            html = zlib.decompress(rows[0][0]).decode("utf-8", "surrogatepass")
        except (zlib.error, UnicodeDecodeError) as exc:
            raise CacheCorrupt(f"body {digest} is damaged") from exc
        return html

    def collect_garbage(self) -> None:
        """Drop Markdown results and bodies no current source refers to."""
        self._execute("DELETE FROM markdown WHERE key NOT IN "
                      "(SELECT markdown_key FROM sources WHERE markdown_key IS NOT NULL)")
        self._execute("DELETE FROM bodies WHERE digest NOT IN (SELECT body FROM markdown) "
                      "AND digest NOT IN (SELECT body FROM sources WHERE body IS NOT NULL) "
                      "AND digest NOT IN (SELECT body FROM resolved WHERE body IS NOT NULL)")

    # --- the manifest of each output folder ---------------------------------------

    def load_manifest(self, out_dir: Path) -> dict[str, OutputEntry]:
        """Return the manifest of ``out_dir`` as {output path: entry}."""
        rows = self._query("SELECT path, digest, fingerprint, size, mtime_ns, ino FROM outputs "
                           "WHERE out_dir = ?", (str(out_dir),))
        return {
            str(path): OutputEntry(bytes(digest), bytes(fp) if fp is not None else None,
                                   Stamp(int(size), int(mtime), int(ino)))
            for path, digest, fp, size, mtime, ino in rows
        }

    def update_manifest(self, out_dir: Path, changed: t.Mapping[str, OutputEntry],
                        removed: t.Iterable[str]) -> None:
        """Apply the changes of one build to the manifest of ``out_dir``."""
        key = str(out_dir)
        self._executemany("DELETE FROM outputs WHERE out_dir = ? AND path = ?",
                          [(key, p) for p in removed])
        self._executemany(
            "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(key, p, e.digest, e.fingerprint, e.stamp.size, e.stamp.mtime_ns, e.stamp.ino)
             for p, e in changed.items()])

    def forget_missing_outputs(self) -> None:
        """Drop the manifests of output folders that no longer exist (previews' temp folders)."""
        rows = self._query("SELECT DISTINCT out_dir FROM outputs")
        gone: list[tuple[object, ...]] = [
            (str(r[0]),) for r in rows if not Path(str(r[0])).is_dir()]
        self._executemany("DELETE FROM outputs WHERE out_dir = ?", gone)
        self._executemany("DELETE FROM scans WHERE out_dir = ?", gone)
        self._executemany("DELETE FROM scan_targets WHERE out_dir = ?", gone)

    def load_resolved(
        self, paths: t.Collection[str] | None = None
    ) -> dict[str, tuple[bytes, bytes]]:
        """Return the link resolution memo (of ``paths``, or all) as {source path: (key,
        pickled entry)}."""
        if paths is not None:
            rows = [row for path in sorted(paths) for row in self._query(
                "SELECT path, key, data FROM resolved WHERE path = ?", (path,))]
            return {str(path): (bytes(key), bytes(data)) for path, key, data in rows}
        rows = self._query("SELECT path, key, data FROM resolved")
        return {str(path): (bytes(key), bytes(data)) for path, key, data in rows}

    def decode_resolved(self, data: bytes) -> t.Any:
        """Decode a link resolution entry; raise :class:`CacheCorrupt` if it is not one."""
        value = _loads(data, self)
        if not (isinstance(value, tuple) and len(value) == 6):
            raise CacheCorrupt("malformed link resolution entry")
        return value

    def store_resolved(self, entries: t.Mapping[str, tuple[bytes, t.Any]],
                       removed: t.Iterable[str]) -> None:
        """Record link resolution results by source path."""
        self._executemany("DELETE FROM resolved WHERE path = ?", [(p,) for p in removed])
        self._executemany("INSERT OR REPLACE INTO resolved VALUES (?, ?, ?, ?)",
                          [(p, k, e[0], _dumps(e)) for p, (k, e) in entries.items()])

    def load_scans(self, out_dir: Path) -> dict[str, tuple[bytes, bytes]]:
        """Return the link scans of ``out_dir``'s pages as {path: (key, pickled scan)}."""
        rows = self._query("SELECT path, key, data FROM scans WHERE out_dir = ?",
                           (str(out_dir),))
        return {str(path): (bytes(key), bytes(data)) for path, key, data in rows}

    def decode_scan(self, data: bytes) -> t.Any:
        """Decode a stored link scan; raise :class:`CacheCorrupt` if it is not one."""
        return _loads(data, self)

    def store_scans(self, out_dir: Path, scans: t.Mapping[str, tuple[bytes, t.Any]],
                    removed: t.Iterable[str]) -> None:
        """Record the link scans of pages of ``out_dir`` by the key they were made for.

        Each scan's ``lookups`` go to the reverse index (:meth:`pages_linking`), not
        into the stored scan.
        """
        key = str(out_dir)
        gone: list[tuple[object, ...]] = [(key, p) for p in (*removed, *scans)]
        self._executemany("DELETE FROM scans WHERE out_dir = ? AND path = ?", gone)
        self._executemany("DELETE FROM scan_targets WHERE out_dir = ? AND page = ?", gone)
        self._executemany(
            "INSERT OR REPLACE INTO scans VALUES (?, ?, ?, ?)",
            [(key, p, k, _dumps(dataclasses.replace(scan, lookups=())))
             for p, (k, scan) in scans.items()])
        self._executemany("INSERT INTO scan_targets VALUES (?, ?, ?)",
                          [(key, target, p) for p, (_, scan) in scans.items()
                           for target in scan.lookups])

    def pages_linking(self, out_dir: Path, site_paths: t.Iterable[str]) -> set[str]:
        """Return the pages of ``out_dir`` whose last scan linked to one of ``site_paths``."""
        key = str(out_dir)
        found: set[str] = set()
        for path in set(site_paths):
            found.update(str(row[0]) for row in self._query(
                "SELECT page FROM scan_targets WHERE out_dir = ? AND site_path = ?",
                (key, path)))
        return found

    def clear_manifest(self, out_dir: Path) -> None:
        """Forget everything recorded about ``out_dir``."""
        self._execute("DELETE FROM outputs WHERE out_dir = ?", (str(out_dir),))
        self._execute("DELETE FROM scans WHERE out_dir = ?", (str(out_dir),))
        self._execute("DELETE FROM scan_targets WHERE out_dir = ?", (str(out_dir),))

    # --- transactions and errors --------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> t.Iterator[None]:
        """Group writes so a killed build leaves the cache as it was before them."""
        self._execute("BEGIN")
        try:
            yield
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise
        self._execute("COMMIT")

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[t.Any, ...]]:
        try:
            return self.conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise CacheCorrupt(str(exc)) from exc

    def _execute(self, sql: str, args: tuple[object, ...] = ()) -> None:
        try:
            self.conn.execute(sql, args)
        except sqlite3.Error as exc:
            raise CacheCorrupt(str(exc)) from exc

    def _executemany(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise CacheCorrupt(str(exc)) from exc


def compress_body(html: str) -> bytes:
    """Return ``html`` as stored in the cache."""
    return zlib.compress(html.encode("utf-8", "surrogatepass"), 1)


def cache_path(project_dir: Path) -> Path:
    """Return the cache folder of a project."""
    return project_dir / CACHE_DIR


def open_cache(project_dir: Path, *, fresh: bool = False) -> Cache:
    """Open (or create) the project's cache; discard it if it is foreign or damaged.

    With ``fresh`` any existing cache is deleted first (``build --clean``).
    """
    folder = cache_path(project_dir)
    if fresh:
        discard_cache(project_dir)
    try:
        return _open(folder)
    except (CacheCorrupt, sqlite3.Error) as exc:
        log.warning("discarding unusable build cache %s: %s", folder, exc)
    except OSError as exc:
        if folder.is_dir() or not os.path.lexists(folder):
            return _temporary(folder, exc)  # a folder we may not write to
        log.warning("discarding unusable build cache %s: %s", folder, exc)
    try:
        discard_cache(project_dir)
        return _open(folder)
    except (CacheCorrupt, sqlite3.Error, OSError) as exc:
        return _temporary(folder, exc)


def _temporary(folder: Path, exc: Exception) -> Cache:
    # A read-only project still builds (into an output folder elsewhere), only without
    # what earlier builds left: this build's cache lives in a temporary folder instead.
    log.info("cannot use the build cache %s (%s); using a temporary one", folder, exc)
    try:
        temp = Path(tempfile.mkdtemp(prefix="site-builder-cache-"))
        cache = _open(temp)
    except (CacheCorrupt, sqlite3.Error, OSError) as error:
        raise BuildError([Problem(CACHE_DIR, None, f"cannot create the build cache: {error}")]) \
            from error
    cache.temporary = temp
    return cache


def discard_cache(project_dir: Path) -> None:
    """Delete the project's cache folder (or whatever stands in its place)."""
    path = cache_path(project_dir)
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _open(folder: Path) -> Cache:
    folder.mkdir(parents=True, exist_ok=True)
    cache = Cache(folder / CACHE_FILE)
    try:
        rows = cache._query("SELECT value FROM meta WHERE key = 'format'")
    except CacheCorrupt:
        rows = []
        tables = cache._query("SELECT name FROM sqlite_master")
        if tables:
            cache.close()
            raise CacheCorrupt("not a site-builder cache") from None
        cache.conn.executescript(_SCHEMA)
        cache._execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
        return cache
    if not rows or rows[0][0] != FORMAT:
        cache.close()
        raise CacheCorrupt(f"cache format {rows[0][0] if rows else 'unknown'!r}, "
                           f"expected {FORMAT!r}")
    # Checking the whole file costs a read of it (0.4 s at 10,000 articles); a file just
    # as the last build closed it needs none. The mark goes now, so a build killed
    # from here on leaves a file that is checked next time.
    if not _closed_whole(cache.path):
        check = cache._query("PRAGMA quick_check(1)")
        if not check or check[0][0] != "ok":
            cache.close()
            raise CacheCorrupt("cache file is damaged")
    return cache


def _mark_path(path: Path) -> Path:
    return path.with_name(path.name + ".closed")


def _mark_closed(path: Path) -> None:
    """Record the stat of a cache file closed whole (no journal left beside it)."""
    with contextlib.suppress(OSError):
        if os.path.lexists(str(path) + "-wal"):
            return
        st = os.stat(path)
        _mark_path(path).write_text(f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}")


def _closed_whole(path: Path) -> bool:
    """Return whether ``path`` is as the last clean close left it; forget the mark."""
    mark = _mark_path(path)
    try:
        recorded = mark.read_text()
        mark.unlink()
        st = os.stat(path)
    except OSError:
        return False
    return recorded == f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"
