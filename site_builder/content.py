"""Find article sources and parse each into an :class:`Article`.

Parsing validates the front matter against the article schema and reports every
problem with the line of the offending key, so one run shows all mistakes in a file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import time
import tomllib
import typing as t
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from .body import BodyError, Rendered, render_markdown, render_summary
from .config import Config
from .digests import digest_bytes
from .errors import Problem, errors_in
from .model import Article, Body, Image, Related
from .urls import (
    MAX_SEGMENT,
    PAGE_SUFFIXES,
    expand_permalink,
    is_reserved_name,
    is_valid_slug,
    output_path,
    path_problem,
    printable,
    site_path_of,
    slug_from_filename,
    slugify,
)

SUFFIXES = (".md", ".markdown")
SCHEMA_KEYS = frozenset({
    "title", "date", "updated", "authors", "author", "source", "tags", "summary", "image",
    "original_url", "related", "slug", "lang", "draft", "aliases", "url", "categories", "page",
    "featured", "section",
})
PAGES_DIR = "pages"
"""Folder of the content folder whose files are standalone pages."""
BUNDLE_INDEX = tuple(f"index{suffix}" for suffix in SUFFIXES)
"""Names of the source file that makes its folder a page bundle."""
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp")
"""Endings of the image files an article may name beside it (compared in lower case)."""
IMAGE_FIELDS = ("src", "alt", "caption", "credit", "copyright")
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest article file read; far above any real article, far below what exhausts memory."""
MAX_TITLE = 1000
"""Longest title, in characters; a longer one is a body pasted into the wrong field."""
MAX_FRONT_MATTER_DEPTH = 32
"""Deepest nesting of lists and mappings in front matter."""

# Characters HTML and XML cannot carry (C0 and C1 controls but tab and newline,
# noncharacters, lone surrogates); real imported text contains them.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
              for plane in range(17))
    + "]"
)
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")
# A URL scheme as browsers read it: they skip whitespace and controls inside it.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")
# More of these than real front matter ever has sends the text to the pure-Python YAML
# parser, which fails with RecursionError where libyaml's would overflow the C stack.
_NESTING_MARKS = re.compile(r"[\[{]|^\s*(?:[-?:]\s+)+", re.MULTILINE)
_C_PARSER_MARKS = 200


class _TOMLHandler(BaseHandler):
    """``+++``-fenced TOML front matter, read with the standard library's ``tomllib``.

    python-frontmatter's own TOML handler needs the third-party ``toml`` package.
    """

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"


_YAML = YAMLHandler()
_TOML = _TOMLHandler()
if t.TYPE_CHECKING:
    _BaseLoader = yaml.SafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _without_timestamps(
    resolvers: dict[t.Any, list[tuple[str, t.Any]]]
) -> dict[t.Any, list[tuple[str, t.Any]]]:
    return {
        first: [(tag, regexp) for tag, regexp in items if tag != "tag:yaml.org,2002:timestamp"]
        for first, items in resolvers.items()
    }


class _Loader(_BaseLoader):
    """Safe YAML loader that leaves timestamps as text.

    Dates are then parsed in one place (:func:`parse_date`), so an impossible date is
    reported on its own line rather than as a YAML failure of the whole block.
    """

    yaml_implicit_resolvers = _without_timestamps(_BaseLoader.yaml_implicit_resolvers)


class _PyLoader(yaml.SafeLoader):
    """The same loader in pure Python, for front matter that nests deeply."""

    yaml_implicit_resolvers = _without_timestamps(yaml.SafeLoader.yaml_implicit_resolvers)


@dataclasses.dataclass(frozen=True, slots=True)
class SourceFile:
    """A Markdown file found under the content folder."""

    path: str
    """Project-relative POSIX path (``content/2018/x.md``)."""
    location: str
    """The file's path on this machine, as a string: at 100,000 files making a ``Path``
    for each is a visible cost of a build that changed nothing."""

    @property
    def abs_path(self) -> Path:
        """The file's path on this machine."""
        return Path(self.location)


@dataclasses.dataclass(frozen=True, slots=True)
class Sources:
    """The article files found, the problems finding them, and a digest of each file."""

    files: list[SourceFile]
    problems: list[Problem]
    digests: dict[str, bytes]
    """Source path -> digest of the file's bytes (or of why it could not be read); bundle
    files included."""
    stamps: dict[str, SourceStamp] = dataclasses.field(default_factory=dict)
    """The stamp index to keep for the next build (readable files only)."""
    taken_at: int = 0
    """When the stamps were taken (``time.time_ns()`` before the first ``stat``)."""
    bundled: dict[str, tuple[SourceFile, ...]] = dataclasses.field(default_factory=dict)
    """Source path of a page bundle's ``index.md`` -> the other files of its bundle."""
    loose: tuple[SourceFile, ...] = ()
    """Image files outside page bundles, which articles beside them may show; they are
    published only as the files made from them."""


SourceStamp = tuple[int, int, int, int, bytes]
"""What the stamp index keeps of a source file: size, mtime, ctime, inode, digest."""
RACY_NS = 2_000_000_000
"""Stat data of a file changed this close to (or after) the index was taken is not
trusted: a file system with coarse times may show an edit as no change (git's racy rule)."""


def read_sources(
    config: Config, known: t.Mapping[str, SourceStamp] | None = None, known_at: int = 0,
) -> Sources:
    """Find the article and bundle files and digest each, reading one file at a time.

    ``known`` is the stamp index taken at ``known_at`` (nanoseconds since the epoch): a
    file whose size, mtime, ctime and inode are as it recorded, and that was not changed
    within :data:`RACY_NS` of that moment, keeps its digest without being read.
    """
    started = time.time_ns()
    files, bundled, problems, loose = _discover(config)
    digests: dict[str, bytes] = {}
    stamps: dict[str, SourceStamp] = {}
    trusted_before = known_at - RACY_NS
    for src in [*files, *(f for group in bundled.values() for f in group), *loose]:
        try:
            st = os.stat(src.location)
        except OSError as exc:
            digests[src.path] = digest_bytes(f"unreadable: {exc}")
            continue
        stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        old = known.get(src.path) if known is not None else None
        # ctime changes with every write, even one that sets mtime back (tar, rsync -t).
        if old is not None and old[:4] == stat and st.st_mtime_ns < trusted_before:
            digests[src.path] = old[4]
            stamps[src.path] = old
            continue
        try:
            with open(src.location, "rb") as file:
                data: bytes | str = file.read()
        except OSError as exc:
            data = f"unreadable: {exc}"  # parse_article or the copy reports it, with the path
        digests[src.path] = digest = digest_bytes(data)
        if isinstance(data, bytes):
            stamps[src.path] = (*stat, digest)
    return Sources(files, problems, digests, stamps, started, bundled, tuple(loose))


def discover_sources(config: Config) -> tuple[list[SourceFile], list[Problem]]:
    """Return the article files under the content folder, sorted by path.

    Hidden files and folders and names starting with ``_`` are skipped (editors'
    swap files, drafts folders). Symbolic links leading out of the project, anything
    but a regular file (a pipe would block the build) and names with control characters
    or bytes that are not UTF-8 are refused.
    """
    files, _, problems, _ = _discover(config)
    return files, problems


def bundle_folder(path: str, config: Config) -> str | None:
    """Return the folder of the page bundle whose ``index.md`` is ``path``, or None.

    An ``index.md`` in a folder below the content folder heads a page bundle: the
    folder names the article and its other files are published beside its page.
    """
    folder, _, name = path.rpartition("/")
    if name not in BUNDLE_INDEX or config.project_dir / folder == config.content_path:
        return None
    return folder


def _discover(
    config: Config,
) -> tuple[list[SourceFile], dict[str, tuple[SourceFile, ...]], list[Problem],
           list[SourceFile]]:
    """Return the article files, the files of each page bundle, the problems, and the
    image files outside bundles."""
    root = config.content_path
    project = config.project_dir
    problems: list[Problem] = []
    found: list[SourceFile] = []
    bundled: dict[str, list[SourceFile]] = {}
    loose: list[SourceFile] = []

    def on_error(exc: OSError) -> None:
        problems.append(Problem(printable(_rel(Path(exc.filename or root), project)), None,
                                f"cannot read folder: {exc.strerror or exc}"))

    if not root.is_dir():
        return [], {}, [Problem(config.content_dir, None, "content folder not found")], []
    # Plain string paths: at 100,000 files pathlib's parsing is a visible cost.
    prefix = str(project) + os.sep
    inside = root.resolve()
    # Each folder's page bundle: the index.md of the folder or of the nearest folder above.
    owners: dict[str, str | None] = {}
    # os.scandir rather than os.walk: its entries know whether they are files or links
    # without a stat call each.
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            on_error(exc)
            continue
        dirs = [e for e in entries if _is_dir(e)]
        files = [e for e in entries if not _is_dir(e)]
        dirs = [d for d in dirs if not d.name.startswith((".", "_"))]
        for entry in dirs:
            # A linked folder is never entered; say so when it leads elsewhere.
            if entry.is_symlink():
                path = Path(entry.path)
                if not path.resolve().is_relative_to(project):
                    problems.append(Problem(printable(_rel(path, project)), None,
                                            "symbolic link points outside the project"))
        stack.extend(reversed([d.path for d in dirs if not d.is_symlink()]))
        base = folder + os.sep
        rel_base = base[len(prefix):] if base.startswith(prefix) else None
        owner = None if folder == str(root) else owners.get(os.path.dirname(folder))
        names = {e.name for e in files}
        index = next((n for n in BUNDLE_INDEX if n in names), None)
        if index is not None and folder != str(root):
            owner = ((rel_base + index).replace(os.sep, "/") if rel_base is not None
                     else _rel(Path(base + index), project))
        others: list[SourceFile] = []
        for entry in files:
            name = entry.name
            article = name.endswith(SUFFIXES)
            image = not article and owner is None and name.lower().endswith(IMAGE_SUFFIXES)
            if name.startswith((".", "_")) or not article and not image and (
                    owner is None or name.endswith(("~", ".pyc"))):
                continue
            full = base + name
            rel = ((rel_base + name).replace(os.sep, "/") if rel_base is not None
                   else _rel(Path(full), project))
            if _BAD_NAME.search(rel):
                problems.append(Problem(printable(rel), None, "file name has control characters "
                                        "or bytes that are not UTF-8: rename the file"))
            elif entry.is_symlink() and not Path(full).resolve().is_relative_to(
                    project if article else inside):
                # A bundle's file is published: it must come from the content folder.
                where = "the project" if article else "the content folder"
                problems.append(Problem(rel, None, f"symbolic link points outside {where}"))
            elif not _is_file(entry):
                problems.append(Problem(rel, None, "not a regular file (a pipe, a device or a "
                                        "broken link?)"))
            else:
                (found if article else loose if image else others).append(
                    SourceFile(rel, full))
        owners[folder] = owner
        if owner is not None and others:
            bundled.setdefault(owner, []).extend(others)
    found.sort(key=lambda s: s.path)
    loose.sort(key=lambda s: s.path)
    return found, {path: tuple(sorted(group, key=lambda s: s.path))
                   for path, group in sorted(bundled.items())}, problems, loose


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _rel(path: Path, project: Path) -> str:
    try:
        return path.relative_to(project).as_posix()
    except ValueError:
        return path.as_posix()


def read_source(src: SourceFile) -> tuple[str | None, list[Problem]]:
    """Return the decoded text of ``src``, or None and the problem."""
    try:
        size = src.abs_path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem(src.path, None, f"file of {size:,} bytes is too large "
                                                  f"(at most {MAX_FILE_BYTES:,})")]
        data = src.abs_path.read_bytes()
    except OSError as exc:
        return None, [Problem(src.path, None, f"cannot read file: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(src.path, line, "not UTF-8 text (is it a binary file?)")]
    return text, []


def clean_text(text: str) -> str:
    """Drop a BOM, normalise line endings and remove characters HTML and XML cannot carry."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


class RenderBody(t.Protocol):
    """Markdown to HTML; the build passes a memoised :func:`render_markdown`."""

    def __call__(
        self, text: str, *, unsafe_html: bool = ..., embed_hosts: t.Collection[str] = ...,
        heading_ids: str = ...,
    ) -> Rendered: ...


PARSE_CONFIG_KEYS = ("timezone", "permalink", "language", "unsafe_html", "embed_hosts",
                     "base_url", "content_dir", "heading_ids")
"""The config values parsing reads; the build's parse memo is keyed by them."""


def parse_article(
    src: SourceFile, config: Config, render: RenderBody = render_markdown
) -> tuple[Article | None, list[Problem]]:
    """Parse one source file; return the article (None if unusable) and its problems."""
    text, problems = read_source(src)
    if text is None:
        return None, problems
    return parse_text(text, src.path, config, render)


def parse_text(
    text: str, path: str, config: Config, render: RenderBody = render_markdown
) -> tuple[Article | None, list[Problem]]:
    """Parse article ``text`` read from ``path`` (used in messages and for the default slug)."""
    text = clean_text(text)
    if not text.strip():
        return None, [Problem(path, None, "empty file: expected front matter between '---' lines")]
    warnings: list[Problem] = []
    split = split_front_matter(text, path, warnings)
    if isinstance(split, Problem):
        return None, [split]
    meta, key_lines, body, body_line = split
    fields = _Fields(path, key_lines)
    fields.problems += warnings
    fields.problems += misspelt_keys(meta, key_lines, path)
    article = fields.article(meta, body, body_line, config, render)
    return (None if fields.failed else article), fields.problems


def misspelt_keys(
    meta: t.Mapping[str, object], key_lines: t.Mapping[str, int], path: str
) -> list[Problem]:
    """Warn of each unknown key that looks like a known one misspelt (``tag`` for ``tags``).

    Such a key would be kept in ``extra`` and its value silently unused. Other unknown
    keys are an archive's own fields and stay in ``extra`` without a word.
    """
    found: list[Problem] = []
    for key in meta:
        if key in SCHEMA_KEYS:
            continue
        known = suggest_key(key)
        if known is not None:
            found.append(Problem(path, key_lines.get(key), f"unknown key '{printable(key)}'; "
                                 f"did you mean '{known}'?", level="warning"))
    return found


def suggest_key(key: str) -> str | None:
    """Return the schema key ``key`` is one or two edits away from, if there is one.

    Keys of four letters or fewer may be one edit away only: a short key two edits from
    a known one is as likely another word (``type`` and ``page``).
    """
    folded = key.lower()
    limit = 1 if len(folded) <= 4 else 2
    best: tuple[int, str] | None = None
    for known in sorted(SCHEMA_KEYS):
        # A key that differs only in case counts as one edit, so it is always suggested.
        distance = 1 if folded == known else _edits(folded, known, limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, known)
    return best[1] if best else None


def _edits(a: str, b: str, limit: int) -> int:
    """Return the edits (insert, delete, replace, swap two neighbours) from ``a`` to ``b``.

    Anything above ``limit`` is returned as ``limit + 1``: no longer key is looked at.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    row = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (char != other))
            if (before is not None and i > 1 and j > 1 and char == b[j - 2]
                    and a[i - 2] == other):
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return min(row[-1], limit + 1)


def split_front_matter(
    text: str, path: str, warnings: list[Problem] | None = None
) -> Problem | tuple[dict[str, object], dict[str, int], str, int]:
    """Split ``text`` into (metadata, key lines, body, body's first line) or a problem.

    Strings in the metadata are cleaned like the text (:func:`clean_text`); warnings,
    such as a key set twice, are appended to ``warnings``.
    """
    if _YAML.detect(text):
        handler: BaseHandler = _YAML
    elif _TOML.detect(text):
        handler = _TOML
    else:
        return Problem(path, 1, "no front matter: the file must start with a '---' line")
    try:
        fm_text, body = handler.split(text)
    except ValueError:
        return Problem(path, 1, "front matter is not closed: add a '---' line after it")
    body_start = len(text) - len(body)
    body_line = text.count("\n", 0, body_start) + 1
    # The opening fence and anything before it shift every front-matter line.
    offset = text.count("\n", 0, text.index(fm_text) if fm_text else 0)
    if handler is _YAML:
        parsed = _load_yaml(fm_text, path, offset, warnings)
    else:
        parsed = _load_toml(fm_text, path, offset)
    if isinstance(parsed, Problem):
        return parsed
    meta, key_lines = parsed
    try:
        cleaned = _clean_value(meta, 0, {})
    except _TooDeep:
        return Problem(path, offset + 1, f"front matter nested more than "
                                         f"{MAX_FRONT_MATTER_DEPTH} levels deep")
    result = t.cast(dict[str, object], cleaned)
    if "slug" in meta:
        # A slug names a file: it is checked as written, never silently changed.
        result["slug"] = meta["slug"]
    return result, key_lines, body, body_line


class _TooDeep(Exception):
    pass


def _clean_value(value: object, depth: int, memo: dict[int, object]) -> object:
    """Return ``value`` with every string cleaned; refuse nesting beyond the limit.

    ``memo`` maps containers already seen to their copies, so YAML aliases (one list
    referenced a billion times) are walked once and keep sharing.
    """
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if not isinstance(value, dict | list | tuple | set | frozenset):
        return value
    if id(value) in memo:
        return memo[id(value)]
    if depth >= MAX_FRONT_MATTER_DEPTH:
        raise _TooDeep
    if isinstance(value, dict):
        mapping: dict[object, object] = {}
        memo[id(value)] = mapping
        for key, item in value.items():
            mapping[_clean_value(key, depth + 1, memo)] = _clean_value(item, depth + 1, memo)
        return mapping
    if isinstance(value, list):
        items: list[object] = []
        memo[id(value)] = items
        items.extend(_clean_value(item, depth + 1, memo) for item in value)
        return items
    result = type(value)(_clean_value(item, depth + 1, memo) for item in value)
    memo[id(value)] = result
    return result


def _load_yaml(
    fm_text: str, path: str, offset: int, warnings: list[Problem] | None = None
) -> Problem | tuple[dict[str, object], dict[str, int]]:
    deep = len(_NESTING_MARKS.findall(fm_text)) > _C_PARSER_MARKS
    loader = _PyLoader(fm_text) if deep else _Loader(fm_text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        # The context mark is where the broken construct began (an unclosed '['); the
        # problem mark may be far below it, on the closing fence.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = offset + mark.line + 1 if mark is not None else offset + 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return Problem(path, line, f"invalid YAML front matter: {reason}")
    except RecursionError:
        return Problem(path, offset + 1, "invalid YAML front matter: nested too deeply")
    except (ValueError, TypeError, OverflowError) as exc:
        return Problem(path, offset + 1, f"invalid YAML front matter: {exc}")
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return Problem(path, offset + 1, "front matter must be a mapping of keys to values")
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        key = str(key_node.value)
        line = offset + key_node.start_mark.line + 1
        if key in lines and warnings is not None:
            warnings.append(Problem(path, line, f"{printable(key)}: set twice (also on line "
                                                f"{lines[key]}); the last value is used",
                                    level="warning"))
        lines.setdefault(key, line)
    return {str(k): v for k, v in data.items()}, lines


def _load_toml(
    fm_text: str, path: str, offset: int
) -> Problem | tuple[dict[str, object], dict[str, int]]:
    try:
        data = tomllib.loads(fm_text)
    except RecursionError:
        return Problem(path, offset + 1, "invalid TOML front matter: nested too deeply")
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+)", str(exc))
        line = offset + int(match.group(1)) if match else offset + 1
        message = re.sub(r"\s*\(at line.*\)", "", str(exc))
        return Problem(path, line, f"invalid TOML front matter: {message}")
    lines: dict[str, int] = {}
    for number, raw in enumerate(fm_text.splitlines(), offset + 1):
        match = re.match(r"\s*([A-Za-z0-9_-]+)\s*=", raw)
        if match:
            lines.setdefault(match.group(1), number)
    return data, lines


class _Fields:
    """Convert front-matter values to typed fields, collecting located problems."""

    def __init__(self, path: str, key_lines: t.Mapping[str, int]) -> None:
        self.path = path
        self.key_lines = key_lines
        self.problems: list[Problem] = []

    @property
    def failed(self) -> bool:
        """Return whether any problem so far is an error (warnings do not count)."""
        return bool(errors_in(self.problems))

    def error(self, key: str | None, message: str) -> None:
        line = self.key_lines.get(key) if key else None
        self.problems.append(Problem(self.path, line or 1, message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, level="warning"))

    def article(
        self, meta: t.Mapping[str, object], body: str, body_line: int, config: Config,
        render: RenderBody,
    ) -> Article | None:
        tz = config.tzinfo
        title = self.text(meta, "title", required=True)
        if title is not None and len(title) > MAX_TITLE:
            self.error("title", f"title: {len(title):,} characters long (at most {MAX_TITLE:,}): "
                                "is the body in the title?")
            title = None
        page = self.is_page(meta, config)
        # A standalone page need not be dated: an "About" page has no day of publication.
        date = self.date(meta, "date", tz, required=not page)
        updated = self.date(meta, "updated", tz)
        if "author" in meta and "authors" in meta:
            self.error("author", "author: use either 'author' or 'authors', not both")
        authors = self.names(meta, "authors" if "authors" in meta else "author")
        tags = self.names(meta, "tags", split_commas=True)
        source = self.text(meta, "source")
        summary = self.text(meta, "summary")
        image = self.image(meta)
        original_url = self.web_url(meta, "original_url")
        related = self.related(meta)
        lang = self.text(meta, "lang")
        if lang is not None and not _LANG.match(lang):
            self.error("lang", f"lang: {_show(lang)} is not a language code such as 'en' or "
                               "'pt-BR'")
            lang = None
        draft = self.flag(meta, "draft")
        featured = self.flag(meta, "featured")
        aliases = self.names(meta, "aliases")
        categories = self.names(meta, "categories", split_commas=True)
        section = self.section(meta)
        fixed_url = self.fixed_url(meta, config)
        slug = self.slug(meta, title, config)
        if self.failed or title is None or slug is None:
            return None
        if page:
            url = fixed_url or f"{slug}/"
        elif date is None:
            return None
        else:
            url = fixed_url or expand_permalink(config.permalink, date=date, slug=slug,
                                                lang=lang or config.language)
        unusable = path_problem(output_path(url))
        if unusable:
            key = "url" if fixed_url else "slug" if "slug" in meta else "title"
            self.error(key, f"URL /{printable(url)} {unusable}")
            return None
        try:
            rendered = render(body, unsafe_html=config.unsafe_html,
                              embed_hosts=config.embed_hosts, heading_ids=config.heading_ids)
        except BodyError as exc:
            self.problems.append(Problem(self.path, body_line + exc.line - 1, exc.message))
            return None
        for src in rendered.removed_embeds:
            found = body.find(src)
            line = body_line + (body.count("\n", 0, found) if found >= 0 else 0)
            host = urlsplit(src.strip()).hostname or printable(src[:60])
            self.warn(line, f"embed from {host} removed: add the host to embed_hosts in "
                            "config.toml to keep it")
        extra = {k: v for k, v in meta.items() if k not in SCHEMA_KEYS}
        # The body's summary is plain text already; the front matter's is Markdown.
        summary_html, summary = (render_summary(summary) if summary is not None
                                 else ("", rendered.summary))
        return Article(
            src_path=self.path, title=title, date=date, slug=slug, url=url,
            body=Body(rendered.html), summary=summary, summary_html=summary_html,
            updated=updated,
            authors=authors, source=source, tags=tags, image=image, original_url=original_url,
            related=related, lang=lang, draft=draft, aliases=aliases, categories=categories,
            section=section, page=page, featured=featured, extra=extra,
            key_lines=dict(self.key_lines), body_line=body_line,
        )

    def text(self, meta: t.Mapping[str, object], key: str, required: bool = False) -> str | None:
        value = meta.get(key)
        if value is None:
            if required:
                self.error(None if key not in meta else key, f"{key}: required field is missing")
            return None
        # Unquoted YAML numbers are still text to an editor ("title: 1984").
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(key, f"{key}: expected text, got {_type_name(value)}")
            return None
        result = str(value).strip()
        if required and not result:
            self.error(key, f"{key}: must not be empty")
            return None
        return result

    def is_page(self, meta: t.Mapping[str, object], config: Config) -> bool:
        """Return whether the file is a standalone page: it says ``page: true``, or it
        sits in the content folder's ``pages/`` and does not say ``page: false``."""
        if "page" in meta:
            return self.flag(meta, "page")
        return self.path.startswith(pages_folder(config))

    def section(self, meta: t.Mapping[str, object]) -> str | None:
        value = meta.get("section")
        if isinstance(value, list):
            self.error("section", "section: expected one section name, got a list (an article "
                                  "is in one section; 'categories' takes several)")
            return None
        name = self.text(meta, "section")
        # Spaced like the names of tags, so "World  news" and "World news" are one section.
        if name is None:
            return None
        return " ".join(name.split()) or None

    def names(
        self, meta: t.Mapping[str, object], key: str, split_commas: bool = False
    ) -> tuple[str, ...]:
        value = meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            items: list[object] = list(value.split(",")) if split_commas else [value]
        elif isinstance(value, list):
            items = value
        else:
            self.error(key, f"{key}: expected a list of names, got {_type_name(value)}")
            return ()
        names: dict[str, None] = {}
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.error(key, f"{key}: expected text in the list, got {_type_name(item)}")
                continue
            name = " ".join(str(item).split())
            if name:
                names[name] = None
        return tuple(names)

    def date(
        self, meta: t.Mapping[str, object], key: str, tz: dt.tzinfo, required: bool = False
    ) -> dt.datetime | None:
        value = meta.get(key)
        if value is None:
            if required:
                self.error(None if key not in meta else key, f"{key}: required field is missing")
            return None
        result = parse_date(value, tz)
        if result is None:
            self.error(key, f"{key}: expected a date like 2018-08-22 or 2018-08-22T10:30:00+03:00,"
                            f" got {_show(value)}")
            return None
        try:
            # Dates are compared across time zones; year 1 at +14:00 has no UTC equivalent.
            result.astimezone(dt.UTC)
        except OverflowError:
            self.error(key, f"{key}: {_show(value)} is out of range")
            return None
        return result

    def flag(self, meta: t.Mapping[str, object], key: str) -> bool:
        value = meta.get(key, False)
        if not isinstance(value, bool):
            self.error(key, f"{key}: expected true or false, got {_show(value)}")
            return False
        return value

    def web_url(self, meta: t.Mapping[str, object], key: str) -> str | None:
        value = self.text(meta, key)
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            self.error(key, f"{key}: expected an absolute http(s) URL, got {_show(value)}")
            return None
        return value

    def image(self, meta: t.Mapping[str, object]) -> Image | None:
        value = meta.get("image")
        if value is None:
            return None
        if isinstance(value, str):
            if not _is_link(value):
                self.error("image", f"image: expected an http(s) URL or a path on this site, "
                                    f"got {_show(value)}")
                return None
            return Image(src=value.strip())
        known = ", ".join(IMAGE_FIELDS)
        if not isinstance(value, dict):
            self.error("image", f"image: expected a mapping with {known}, "
                                f"got {_type_name(value)}")
            return None
        fields: dict[str, str] = {}
        for name, item in value.items():
            if name not in IMAGE_FIELDS:
                self.error("image", f"image: unknown field '{name}' (known: {known})")
            elif item is not None:
                if isinstance(item, bool) or not isinstance(item, str | int | float):
                    self.error("image", f"image.{name}: expected text, got {_type_name(item)}")
                else:
                    fields[str(name)] = str(item).strip()
        if not _is_link(fields.get("src", "")):
            self.error("image", f"image.src: expected an http(s) URL or a path on this site, "
                                f"got {_show(fields['src'])}")
            return None
        return Image(src=fields.get("src") or None, alt=fields.get("alt", ""),
                     caption=fields.get("caption", ""), credit=fields.get("credit", ""),
                     copyright=fields.get("copyright", ""))

    def related(self, meta: t.Mapping[str, object]) -> tuple[Related, ...]:
        value = meta.get("related")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error("related", f"related: expected a list, got {_type_name(value)}")
            return ()
        entries: list[Related] = []
        for item in value:
            # A bare string names an article (source path, slug or original URL) or is
            # a plain title; the link resolver decides once every article is loaded.
            if isinstance(item, str) and item.strip():
                entries.append(Related(title=item.strip()))
            elif isinstance(item, dict) and isinstance(item.get("title", ""), str) and (
                    item.get("title") or item.get("url")):
                url = item.get("url")
                if url is not None and not isinstance(url, str):
                    self.error("related", f"related: url must be text, got {_type_name(url)}")
                    continue
                if url is not None and not _is_link(url):
                    self.error("related", f"related: url must be an http(s) URL or a path on "
                                          f"this site, got {_show(url)}")
                    continue
                entries.append(Related(title=str(item.get("title") or "").strip(),
                                       url=url.strip() if url else None))
            else:
                self.error("related", "related: each entry needs a 'title', a 'url' or both")
        return tuple(entries)

    def fixed_url(self, meta: t.Mapping[str, object], config: Config) -> str | None:
        """Return the site path the ``url`` key gives the article, if it gives one."""
        written = self.text(meta, "url")
        if written is None:
            return None
        path, message = site_path_of(written, config.base_url, config.base_path,
                                     "an article's url")
        if not message and not path.endswith("/") and not path.endswith(PAGE_SUFFIXES):
            message = (f"{_show(written)} names a file that is not a page: end it with '/' "
                       "for a folder, or with '.html'")
        if message:
            self.error("url", f"url: {message}")
            return None
        return path

    def slug(
        self, meta: t.Mapping[str, object], title: str | None, config: Config
    ) -> str | None:
        if "slug" in meta:
            value = self.text(meta, "slug")
            if value is not None and is_reserved_name(value):
                self.error("slug", f"slug: {_show(value)} is a reserved file name on Windows")
                return None
            if value is not None and not is_valid_slug(value):
                self.error("slug", f"slug: {_show(value)} is not usable in a URL (use letters, "
                                   f"digits, '-', '_', '~' or '.', at most {MAX_SEGMENT} "
                                   "characters, not ending in '.')")
                return None
            return value
        # A page bundle (folder/index.md) is named by its folder.
        folder = bundle_folder(self.path, config)
        stem = folder.rpartition("/")[2] if folder is not None else Path(self.path).stem
        slug = slug_from_filename(stem) or (slugify(title) if title else "")
        if not slug:
            self.error("title", "cannot derive a slug from the file name or title: set 'slug'")
            return None
        return slug


def pages_folder(config: Config) -> str:
    """Return the project-relative folder whose files are standalone pages
    (``content/pages/``)."""
    return PurePosixPath(Path(config.content_dir).as_posix(), PAGES_DIR).as_posix() + "/"


def parse_date(value: object, tz: dt.tzinfo) -> dt.datetime | None:
    """Return ``value`` (a YAML date, datetime or ISO 8601 text) as an aware datetime."""
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            result = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=tz)
    return result


def _type_name(value: object) -> str:
    names = {list: "a list", dict: "a mapping", bool: "true/false", str: "text",
             int: "a number", float: "a number", dt.date: "a date", dt.datetime: "a date"}
    return names.get(type(value), type(value).__name__)


def _is_link(url: str) -> bool:
    """Return whether ``url`` is empty, relative or http(s): never ``javascript:`` and kin."""
    scheme = _SCHEME.match(_IGNORED_IN_URL.sub("", url))
    return scheme is None or scheme.group(1).lower() in ("http", "https")


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = printable(repr(value) if not isinstance(value, str) else f"'{value}'")
    return text if len(text) <= 60 else text[:57] + "...'"
