"""Read a Pelican content folder (and its ``pelicanconf.py``) into a :class:`SiteImport`.

The settings file is never run: it is parsed with :mod:`ast` and only values written
as literals (strings, numbers, lists, dicts, ``+`` of those, names set earlier in the
file, ``os.path.join`` of strings) are taken; any setting the reader uses but cannot
read this way is reported, and Pelican's default is used for it.

Markdown files (``.md``, ``.markdown``, ``.mkd``, ``.mdown``) are read as Pelican
reads them: metadata lines at the top (``Key: value``, indented continuation lines,
ended by a blank line, as Python-Markdown's ``meta`` extension has it) or a YAML block
between ``---`` lines, then the file name (``FILENAME_METADATA``), the path
(``PATH_METADATA``), the folder as category (``USE_FOLDER_AS_CATEGORY``) and the
defaults of the settings. Each file becomes what Pelican made of it:

- an article, at the URL ``ARTICLE_URL`` (``ARTICLE_LANG_URL`` for another language)
  gives it, or its ``URL:``/``Save_as:``;
- a page (``page: true``) for files under ``PAGE_PATHS`` and for ``Status: hidden``
  (published, but in no listing);
- a draft for ``Status: draft``;
- skipped, with the reason, for ``Status: skip``, a file without ``Title`` or an
  article without a date (Pelican skips both), and anything not Markdown.

When ``ARTICLE_URL`` uses only ``{slug}``, ``{lang}`` and the year, month and day of
``{date}``, the matching ``permalink`` is proposed and only the articles it would put
elsewhere keep an ``old_path``. ``{filename}``, ``{static}`` and ``{attach}`` links
(and the older ``|filename|`` form) become the root-relative old path of the article
they name, or the name of a file the article takes along as an asset.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import fnmatch
import posixpath
import re
import string
import typing as t
import unicodedata
import zoneinfo
from pathlib import Path
from urllib.parse import unquote, urlsplit

from anyascii import anyascii
from markupsafe import Markup

from ..config import Config, check_permalink
from ..content import split_front_matter
from ..errors import Problem
from ..urls import expand_permalink, is_valid_slug, slugify, term_url
from .imported import Accounted, ImportedArticle, SiteImport, section_of, split_byline, valid_lang
from .markdown_source import (
    UNLINK,
    ArticleAssets,
    Link,
    Unlink,
    line_at,
    plain_text,
    read_text,
    remote_media,
    rewrite_links,
    url_of,
    walk_files,
)

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")
OTHER_SOURCE_SUFFIXES = (".rst", ".html", ".htm")
"""Files Pelican reads as articles that this reader does not convert."""
DEFAULT_SLUG_SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    (r"[^\w\s-]", ""), (r"(?u)\A\s*", ""), (r"(?u)\s*\Z", ""), (r"[-\s]+", "-"))
DEFAULTS: dict[str, object] = {
    "PATH": ".",
    "ARTICLE_PATHS": [""],
    "ARTICLE_EXCLUDES": [],
    "PAGE_PATHS": ["pages"],
    "PAGE_EXCLUDES": [],
    "STATIC_PATHS": ["images"],
    "STATIC_EXCLUDES": [],
    "IGNORE_FILES": ["**/.*"],
    "SITEURL": "",
    "TIMEZONE": None,
    "DEFAULT_LANG": "en",
    "ARTICLE_URL": "{slug}.html",
    "ARTICLE_SAVE_AS": "{slug}.html",
    "ARTICLE_LANG_URL": "{slug}-{lang}.html",
    "ARTICLE_LANG_SAVE_AS": "{slug}-{lang}.html",
    "PAGE_URL": "pages/{slug}.html",
    "PAGE_SAVE_AS": "pages/{slug}.html",
    "PAGE_LANG_URL": "pages/{slug}-{lang}.html",
    "PAGE_LANG_SAVE_AS": "pages/{slug}-{lang}.html",
    "DRAFT_URL": "drafts/{slug}.html",
    "DRAFT_LANG_URL": "drafts/{slug}-{lang}.html",
    "DRAFT_PAGE_URL": "drafts/pages/{slug}.html",
    "DRAFT_PAGE_LANG_URL": "drafts/pages/{slug}-{lang}.html",
    "SLUGIFY_SOURCE": "title",
    "SLUGIFY_USE_UNICODE": False,
    "SLUGIFY_PRESERVE_CASE": False,
    "SLUG_REGEX_SUBSTITUTIONS": [list(pair) for pair in DEFAULT_SLUG_SUBSTITUTIONS],
    "CATEGORY_REGEX_SUBSTITUTIONS": None,
    "AUTHOR_REGEX_SUBSTITUTIONS": None,
    "DEFAULT_DATE": None,
    "FILENAME_METADATA": r"(?P<date>\d{4}-\d{2}-\d{2}).*",
    "PATH_METADATA": "",
    "USE_FOLDER_AS_CATEGORY": True,
    "DEFAULT_CATEGORY": "misc",
    "AUTHOR": None,
    "DEFAULT_METADATA": {},
    "DEFAULT_STATUS": "published",
    "WITH_FUTURE_DATES": True,
}
"""Pelican's defaults for every setting this reader uses."""
MAPPED_KEYS = frozenset({"title", "date", "modified", "category", "tags", "slug", "author",
                         "authors", "summary", "status", "lang", "save_as", "url"})
SINGLE_VALUED = frozenset({"tags", "date", "modified", "status", "category", "author",
                           "save_as", "url", "authors", "slug"})
"""Keys Pelican reads once: a second value is ignored (with a warning)."""

_META_KEY = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
_META_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)$")
_META_BEGIN = re.compile(r"^-{3}(\s.*)?$")
_META_END = re.compile(r"^(-{3}|\.{3})(\s.*)?$")
_INTRASITE = re.compile(r"^[{|](?P<what>[A-Za-z_]+)[|}](?P<value>.*)$", re.DOTALL)
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CODEHILITE = re.compile(r"^(?P<indent>(?: {4})+):::(?P<lang>[\w+#.-]+)[ \t]*$")
_SHEBANG = re.compile(r"^(?P<indent>(?: {4})+)#!(?P<lang>[\w+#.-]+)[ \t]*$")

_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
    ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
    ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
    ("december", "dec")), 1) for name in names}
_TIME = (r"(?:[T ]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<frac>\d+))?)?"
         r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?)?")
_ZONE = r"(?:\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?"
_YEAR_FIRST = re.compile(
    rf"^(?P<a>\d{{4}})[-/.](?P<b>\d{{1,2}})[-/.](?P<c>\d{{1,2}}){_TIME}{_ZONE}$")
_YEAR_LAST = re.compile(
    rf"^(?P<a>\d{{1,2}})[-/.](?P<b>\d{{1,2}})[-/.](?P<c>\d{{4}}){_TIME}{_ZONE}$")
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_NAMED_DAY_FIRST = re.compile(
    rf"^{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>[A-Za-z]+)\.?,?\s+"
    rf"(?P<year>\d{{4}}),?{_TIME}{_ZONE}$", re.IGNORECASE)
_NAMED_MONTH_FIRST = re.compile(
    rf"^{_WEEKDAY}(?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
    rf"(?P<year>\d{{4}}),?{_TIME}{_ZONE}$", re.IGNORECASE)


# --- settings ----------------------------------------------------------------------------


class _Unreadable(Exception):
    """A settings value that is not a literal."""


def read_settings(path: Path, shown: str | None = None) -> tuple[dict[str, object],
                                                                 list[Problem]]:
    """Return the settings of a ``pelicanconf.py`` read without running it.

    Only the settings in :data:`DEFAULTS` are taken; each of those that is not a literal
    (or is set inside an ``if``, a loop or a ``try``) is reported and left at Pelican's
    default.
    """
    shown = shown or path.name
    text, problem = read_text(path, shown)
    if text is None:
        assert problem is not None
        return {}, [problem]
    try:
        tree = ast.parse(text, filename=shown)
    except SyntaxError as exc:
        return {}, [Problem(shown, exc.lineno, f"not valid Python ({exc.msg}); Pelican's "
                                               "defaults are used")]
    values: dict[str, object] = {}
    problems: list[Problem] = []

    def unreadable(name: str, line: int, why: str) -> None:
        values.pop(name, None)
        problems.append(Problem(shown, line, f"{name}: {why}; Pelican's default is used",
                                level="warning"))

    def conditional(name: str, line: int) -> None:
        kept = "the value set before it is used" if name in values else \
            "Pelican's default is used"
        problems.append(Problem(shown, line, f"{name}: set inside a block (if, for, try...), "
                                             f"which is not read; {kept}", level="warning"))

    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            _assignment(node, values, unreadable)
        elif isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            problems.append(Problem(shown, node.lineno, f"settings imported with 'from "
                                                        f"{node.module} import *' are not read",
                                    level="warning"))
        else:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Assign | ast.AnnAssign | ast.AugAssign):
                    for name in _target_names(inner):
                        if name in DEFAULTS:
                            conditional(name, inner.lineno)
    return values, problems


def _target_names(node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names: list[str] = []
    for target in targets:
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            names += [e.id for e in target.elts if isinstance(e, ast.Name)]
    return names


def _assignment(node: ast.Assign | ast.AnnAssign | ast.AugAssign, values: dict[str, object],
                unreadable: t.Callable[[str, int, str], None]) -> None:
    names = _target_names(node)
    if node.value is None:
        return
    if isinstance(node, ast.Assign) and any(not isinstance(target, ast.Name)
                                            for target in node.targets):
        for name in names:
            if name in DEFAULTS:
                unreadable(name, node.lineno, "set by unpacking, not read")
        return
    try:
        value = _evaluate(node.value, values)
        if isinstance(node, ast.AugAssign):
            current = values.get(names[0], DEFAULTS.get(names[0]))
            if not isinstance(node.op, ast.Add) or current is None:
                raise _Unreadable
            value = _add(current, value)
    except _Unreadable:
        for name in names:
            if name in DEFAULTS:
                unreadable(name, node.lineno, "not a literal value, not read")
        return
    for name in names:
        values[name] = value


def _evaluate(node: ast.expr, values: t.Mapping[str, object]) -> object:
    """Return the value of a literal expression; raise :class:`_Unreadable` for any other."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [_evaluate(e, values) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise _Unreadable
        return {_evaluate(k, values): _evaluate(v, values)
                for k, v in zip(node.keys, node.values, strict=True) if k is not None}
    if isinstance(node, ast.Name):
        if node.id in values:
            return values[node.id]
        if node.id in DEFAULTS:
            return DEFAULTS[node.id]
        raise _Unreadable
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _add(_evaluate(node.left, values), _evaluate(node.right, values))
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
            elif isinstance(part, ast.FormattedValue) and part.format_spec is None \
                    and part.conversion == -1:
                parts.append(str(_evaluate(part.value, values)))
            else:
                raise _Unreadable
        return "".join(parts)
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "os.path.join" \
            and not node.keywords:
        arguments = [_evaluate(a, values) for a in node.args]
        texts = [p for p in arguments if isinstance(p, str)]
        if texts and len(texts) == len(arguments):
            return posixpath.join(*texts)
    raise _Unreadable


def _add(left: object, right: object) -> object:
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return [*left, *right]
    raise _Unreadable


# --- dates and slugs ---------------------------------------------------------------------


def pelican_date(text: str) -> dt.date | dt.datetime | None:
    """Parse a date as Pelican's ``get_date`` does; a date without time stays a date.

    Year first (``2010-10-20 10:14``, ``2010/10/20``, ``2012-22-11`` read as day 22) and
    year last (``20.10.2010``, ``10/20/2010``: month first unless the first number is
    over 12), with ``T`` or spaces before an optional time (one-digit hour, seconds,
    fraction, am/pm) and an optional zone (``Z``, ``UTC``, ``+0200``, ``-05:00``); and
    month names (``20 October 2010``, ``Oct 20, 2010``, ``Wed, 20 Oct 2010 10:14``).
    """
    value = " ".join(text.replace("_", " ").split())
    match = _YEAR_FIRST.match(value)
    if match is not None:
        year, first, second = int(match["a"]), int(match["b"]), int(match["c"])
        month, day = (second, first) if first > 12 else (first, second)
        return _assemble(year, month, day, match)
    match = _YEAR_LAST.match(value)
    if match is not None:
        first, second, year = int(match["a"]), int(match["b"]), int(match["c"])
        day, month = (first, second) if first > 12 else (second, first)
        return _assemble(year, month, day, match)
    match = _NAMED_DAY_FIRST.match(value) or _NAMED_MONTH_FIRST.match(value)
    if match is not None:
        month_number = _MONTHS.get(match["month"].lower())
        if month_number is None:
            return None
        return _assemble(int(match["year"]), month_number, int(match["day"]), match)
    return None


def _assemble(year: int, month: int, day: int,
              match: re.Match[str]) -> dt.date | dt.datetime | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if match["hour"] is None:
        if match["zone"]:
            return dt.datetime(year, month, day, tzinfo=_zone(match["zone"]))
        return date
    hour = int(match["hour"])
    ampm = (match["ampm"] or "").replace(".", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    fraction = int((match["frac"] or "0")[:6].ljust(6, "0"))
    try:
        return dt.datetime(year, month, day, hour, int(match["minute"]),
                           int(match["second"] or 0), fraction,
                           tzinfo=_zone(match["zone"]) if match["zone"] else None)
    except ValueError:
        return None


def _zone(text: str) -> dt.tzinfo:
    if text in ("Z", "UTC", "GMT"):
        return dt.UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    offset = dt.timedelta(hours=hours, minutes=minutes)
    return dt.timezone(-offset if text[0] == "-" else offset)


def pelican_slug(
    value: str, substitutions: t.Sequence[t.Sequence[str]] = DEFAULT_SLUG_SUBSTITUTIONS, *,
    preserve_case: bool = False, use_unicode: bool = False,
) -> str:
    """Return the slug Pelican's ``slugify`` makes of ``value``.

    Transliteration uses ``anyascii`` where Pelican uses ``unidecode``; the two agree on
    Latin, Cyrillic and Greek text and mostly on CJK ideographs.
    """
    text = unicodedata.normalize("NFKC", str(Markup(value).striptags()))
    if not use_unicode:
        text = anyascii(_CJK.sub(lambda m: f"{m.group(0)} ", text))
    for pair in substitutions:
        source, replacement = str(pair[0]), str(pair[1])
        text = re.sub(unicodedata.normalize("NFKC", source),
                      unicodedata.normalize("NFKC", replacement), text, flags=re.IGNORECASE)
    if not preserve_case:
        text = text.lower()
    return text.strip()


# --- permalinks --------------------------------------------------------------------------


def map_permalink(pattern: str) -> str | None:
    """Return our ``permalink`` for a Pelican URL pattern, or None when it has no match.

    ``{slug}``, ``{lang}`` and ``{date:...}`` made only of ``%Y``, ``%m``, ``%d`` and
    punctuation map; any other field (``{category}``, ``{date:%b}``) does not.
    """
    out: list[str] = []
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError:
        return None
    for literal, field, spec, conversion in parsed:
        out.append(literal)
        if field is None:
            continue
        if conversion:
            return None
        if field in ("slug", "lang") and not spec:
            out.append(f"{{{field}}}")
        elif field == "date" and spec:
            pieces = re.split(r"(%[A-Za-z%])", spec)
            for piece in pieces:
                mapped = {"%Y": "{year}", "%m": "{month}", "%d": "{day}"}.get(piece)
                if mapped is not None:
                    out.append(mapped)
                elif piece.startswith("%") and len(piece) == 2:
                    return None
                else:
                    out.append(piece)
        else:
            return None
    permalink = "/" + "".join(out).lstrip("/")
    return None if check_permalink(permalink) else permalink


class _UrlFormatter(string.Formatter):
    """``str.format`` for URL patterns, refusing attribute and index lookups."""

    def get_field(self, field_name: str, args: t.Sequence[t.Any],
                  kwargs: t.Mapping[str, t.Any]) -> tuple[t.Any, str]:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", field_name):
            raise KeyError(field_name)
        return kwargs[field_name], field_name


# --- the reader --------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class _Meta:
    """Metadata of one file: values as read, and the line of each key."""

    values: dict[str, list[str] | object] = dataclasses.field(default_factory=dict)
    lines: dict[str, int] = dataclasses.field(default_factory=dict)
    from_text: set[str] = dataclasses.field(default_factory=set)
    """Keys written in the file (the others come from its name, folder or the settings)."""
    yaml: bool = False
    """Read from a YAML block, whose lists are lists (not a key's lines)."""


@dataclasses.dataclass(slots=True)
class _Source:
    rel: str
    """Path relative to the content folder."""
    shown: str
    abs_path: Path
    is_page: bool
    meta: _Meta
    body: str
    body_line: int
    title: str = ""
    slug: str = ""
    date: dt.date | dt.datetime | None = None
    lang: str = ""
    status: str = "published"
    category: str | None = None
    url: str = ""
    """Where the published file is (a draft's too, once published)."""
    draft_url: str = ""
    """Where Pelican wrote a draft."""
    skip: str | None = None
    assets: ArticleAssets = dataclasses.field(default_factory=ArticleAssets)


@dataclasses.dataclass(slots=True)
class _Reader:
    content: Path
    prefix: str
    config: Config
    settings: dict[str, object]
    result: SiteImport = dataclasses.field(default_factory=SiteImport)
    sources: dict[str, _Source] = dataclasses.field(default_factory=dict)
    statics: set[str] = dataclasses.field(default_factory=set)
    """Files of STATIC_PATHS (relative to the content folder)."""
    files: set[str] = dataclasses.field(default_factory=set)
    """Every file of the content folder that is not hidden."""
    used: set[str] = dataclasses.field(default_factory=set)
    """Files some article takes along."""
    tz: dt.tzinfo | None = None

    def s(self, key: str) -> t.Any:
        return self.settings.get(key, DEFAULTS.get(key))

    def warn(self, path: str, line: int | None, message: str) -> None:
        self.result.problems.append(Problem(path, line, message, level="warning"))

    def error(self, path: str, line: int | None, message: str) -> None:
        self.result.problems.append(Problem(path, line, message))


def read_site(path: Path, config: Config, settings: Path | None = None) -> SiteImport:
    """Read the Pelican content folder ``path``; ``settings`` is its ``pelicanconf.py``.

    Without ``settings``, a ``pelicanconf.py`` in ``path`` is read (``path`` is then the
    site folder and ``PATH`` names the content folder).
    """
    path = path.resolve()
    result = SiteImport()
    if settings is None and (path / "pelicanconf.py").is_file():
        settings = path / "pelicanconf.py"
    values: dict[str, object] = {}
    if settings is not None:
        values, problems = read_settings(settings, settings.name)
        result.problems += problems
    content = path
    configured = values.get("PATH")
    if settings is not None and isinstance(configured, str) and \
            settings.resolve().parent == path:
        candidate = (path / configured).resolve()
        if candidate.is_dir():
            content = candidate
    prefix = ""
    if content != path and content.is_relative_to(path):
        prefix = content.relative_to(path).as_posix() + "/"
    reader = _Reader(content=content, prefix=prefix, config=config, settings=values,
                     result=result)
    if not content.is_dir():
        reader.error(str(path), None, "content folder not found")
        return result
    reader.tz = _timezone(reader, settings)
    files = _walk(reader)
    for rel in files:
        _classify(reader, rel)
    for source in reader.sources.values():
        _identify(reader, source)
    _urls(reader)
    _same_urls(reader)
    permalink = map_permalink(str(reader.s("ARTICLE_URL")))
    if permalink is not None:
        result.proposed["permalink"] = permalink
    if isinstance(values.get("TIMEZONE"), str) and reader.tz is not None:
        result.proposed["timezone"] = values["TIMEZONE"]
    if isinstance(values.get("DEFAULT_LANG"), str) and valid_lang(str(values["DEFAULT_LANG"])):
        result.proposed["language"] = values["DEFAULT_LANG"]
    for source in reader.sources.values():
        if source.skip is not None:
            continue
        article = _article(reader, source, permalink)
        result.articles.append(article)
        kind: t.Literal["draft", "page", "article"] = (
            "draft" if article.draft else "page" if article.page else "article")
        result.accounted.append(Accounted(source.shown, kind))
    for source in reader.sources.values():
        if source.skip is not None:
            result.accounted.append(Accounted(source.shown, "skipped", source.skip))
    for rel in sorted(reader.files - set(reader.sources)):
        if rel in reader.used:
            result.accounted.append(Accounted(prefix + rel, "asset"))
        elif rel in reader.statics:
            result.accounted.append(Accounted(prefix + rel, "skipped",
                                              "static file that no article links to"))
        elif rel.endswith(OTHER_SOURCE_SUFFIXES):
            result.accounted.append(Accounted(prefix + rel, "skipped",
                                              "not Markdown: only Markdown is imported"))
        elif rel.endswith(MARKDOWN_SUFFIXES):
            result.accounted.append(Accounted(prefix + rel, "skipped",
                                              "outside ARTICLE_PATHS and PAGE_PATHS"))
        else:
            result.accounted.append(Accounted(prefix + rel, "skipped",
                                              "not content or a static file Pelican copies"))
    result.accounted.sort(key=lambda a: a.path)
    return result


def _timezone(reader: _Reader, settings: Path | None) -> dt.tzinfo | None:
    name = reader.settings.get("TIMEZONE")
    if not isinstance(name, str):
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        reader.warn(settings.name if settings else "pelicanconf.py", None,
                    f"TIMEZONE: unknown time zone {name!r}; dates are left without one")
        return None


def _walk(reader: _Reader) -> list[str]:
    found: list[str] = []
    ignores = [str(p) for p in reader.s("IGNORE_FILES") or []]

    def unreadable(rel: str, exc: OSError) -> None:
        shown = (reader.prefix + rel + "/" if rel else reader.prefix) or "."
        reader.error(shown, None, f"cannot read folder: {exc.strerror or exc}")
        reader.result.accounted.append(Accounted(shown, "skipped", "folder cannot be read"))

    for rel in walk_files(reader.content, unreadable):
        name = rel.rsplit("/", 1)[-1]
        if any(part.startswith(".") for part in rel.split("/")) or any(
                fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(rel, pattern)
                for pattern in ignores):
            reader.result.accounted.append(Accounted(reader.prefix + rel, "skipped",
                                                     "hidden or in IGNORE_FILES"))
            continue
        found.append(rel)
    return found


def _under(rel: str, folders: t.Iterable[object]) -> bool:
    for folder in folders:
        base = str(folder).strip("/")
        if base in ("", ".") or rel == base or rel.startswith(base + "/"):
            return True
    return False


def _classify(reader: _Reader, rel: str) -> None:
    reader.files.add(rel)
    page_paths = list(reader.s("PAGE_PATHS") or [])
    article_paths = list(reader.s("ARTICLE_PATHS") or [])
    is_page = _under(rel, page_paths) and not _excluded(rel, reader.s("PAGE_EXCLUDES"))
    is_article = (not is_page and _under(rel, article_paths)
                  and not _excluded(rel, [*(reader.s("ARTICLE_EXCLUDES") or []),
                                          *[p for p in page_paths if str(p).strip("/")]]))
    if _under(rel, [p for p in reader.s("STATIC_PATHS") or [] if str(p).strip("/")]) and \
            not _excluded(rel, reader.s("STATIC_EXCLUDES")) and \
            not rel.endswith(MARKDOWN_SUFFIXES + OTHER_SOURCE_SUFFIXES):
        reader.statics.add(rel)
    if not rel.endswith(MARKDOWN_SUFFIXES):
        if rel.endswith(OTHER_SOURCE_SUFFIXES) and (is_page or is_article):
            reader.warn(reader.prefix + rel, None, "not Markdown (reStructuredText or HTML): "
                                                   "not imported")
        return
    if not (is_page or is_article):
        return
    _parse(reader, rel, is_page)


def _excluded(rel: str, folders: object) -> bool:
    if not isinstance(folders, list | tuple):
        return False
    return any(str(f).strip("/") and (rel == str(f).strip("/") or
                                     rel.startswith(str(f).strip("/") + "/")) for f in folders)


def _parse(reader: _Reader, rel: str, is_page: bool) -> None:
    shown = reader.prefix + rel
    text, problem = read_text(reader.content / rel, shown)
    source = _Source(rel=rel, shown=shown, abs_path=reader.content / rel, is_page=is_page,
                     meta=_Meta(), body="", body_line=1)
    reader.sources[rel] = source
    if text is None:
        assert problem is not None
        reader.result.problems.append(problem)
        source.skip = "cannot be read"
        return
    if not text.strip():
        source.skip = "empty file"
        return
    read = _yaml_metadata(text, shown) or _meta_lines(text)
    source.meta, source.body, source.body_line = read


def _yaml_metadata(text: str, shown: str) -> tuple[_Meta, str, int] | None:
    """Read a YAML block between ``---`` lines; None when there is none that YAML reads."""
    if not _META_BEGIN.match(text.split("\n", 1)[0]):
        return None
    split = split_front_matter(text, shown)
    if isinstance(split, Problem):
        return None  # Python-Markdown's meta extension reads it then
    values, lines, body, body_line = split
    meta = _Meta(yaml=True)
    for key, value in values.items():
        name = str(key).lower()
        meta.values[name] = value
        meta.lines[name] = lines.get(str(key), 1)
        meta.from_text.add(name)
    return meta, body, body_line


def _meta_lines(text: str) -> tuple[_Meta, str, int]:
    """Read metadata lines as Python-Markdown's ``meta`` extension does."""
    lines = text.expandtabs(4).split("\n")
    meta = _Meta()
    index = 0
    if lines and _META_BEGIN.match(lines[0]):
        index = 1
    key: str | None = None
    while index < len(lines):
        line = lines[index]
        if not line.strip() or _META_END.match(line):
            index += 1
            break
        match = _META_KEY.match(line)
        if match is not None:
            key = match.group("key").lower().strip()
            values = meta.values.setdefault(key, [])
            assert isinstance(values, list)
            values.append(match.group("value").strip())
            meta.lines.setdefault(key, index + 1)
            meta.from_text.add(key)
        else:
            more = _META_MORE.match(line)
            if more is None or key is None:
                break
            values = meta.values[key]
            assert isinstance(values, list)
            values.append(more.group("value").strip())
        index += 1
    original = text.split("\n")
    return meta, "\n".join(original[index:]), index + 1


# --- what each file is -------------------------------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value if str(v).strip()).strip()
    return "" if value is None else str(value).strip()


def _single(reader: _Reader, source: _Source, key: str) -> object:
    """Return the value of ``key``; Pelican reads keys like Date once, from the first line."""
    value = source.meta.values.get(key)
    if isinstance(value, list) and key in source.meta.from_text and key in SINGLE_VALUED \
            and not source.meta.yaml:
        if len(value) > 1:
            reader.warn(source.shown, source.meta.lines.get(key),
                        f"{key}: more than one value; the first is used, as Pelican does")
        return value[0] if value else ""
    return value


def _names(value: object) -> list[str]:
    """Split a list of names as Pelican does: on ';' if there is one, else on ','."""
    if isinstance(value, list):
        items = [str(v) for v in value]
    else:
        text = _text(value)
        items = text.split(";") if ";" in text else text.split(",")
    return list(dict.fromkeys(i.strip() for i in items if i.strip()))


def _identify(reader: _Reader, source: _Source) -> None:
    """Fill title, date, slug, status, language and category as Pelican does."""
    if source.skip is not None:
        return
    meta = source.meta
    _path_metadata(reader, source)
    title = _text(meta.values.get("title"))
    source.status = _text(_single(reader, source, "status")).lower() or str(
        reader.s("DEFAULT_STATUS") or "published").lower()
    if source.status == "skip":
        source.skip = "Status: skip: Pelican does not publish it"
        return
    if source.status not in ("published", "draft", "hidden"):
        reader.warn(source.shown, meta.lines.get("status"),
                    f"Status: unknown status {source.status!r}: Pelican skips the file")
        source.skip = f"unknown status {source.status!r}"
        return
    if not title:
        reader.warn(source.shown, 1, "no Title: Pelican skips a file without one; not imported")
        source.skip = "no Title: Pelican does not publish it"
        return
    source.title = title
    date = _date(reader, source, "date")
    if date == "invalid":
        source.skip = "its date cannot be parsed"
        return
    source.date = date if not isinstance(date, str) else None
    if source.date is None:
        default = _default_date(reader, source)
        if default is not None:
            source.date = default
    if source.date is None and not source.is_page and source.status != "draft":
        reader.warn(source.shown, 1, "no Date: Pelican skips an undated article unless "
                                     "DEFAULT_DATE is set; not imported")
        source.skip = "no date: Pelican does not publish it"
        return
    if source.date is not None and not reader.s("WITH_FUTURE_DATES") and source.status \
            == "published" and not source.is_page and _is_future(source.date):
        source.status = "draft"
    lang = _text(_single(reader, source, "lang"))
    source.lang = lang or str(reader.s("DEFAULT_LANG") or "en")
    category = _text(_single(reader, source, "category"))
    source.category = (category or None) if not source.is_page else None
    explicit = _text(_single(reader, source, "slug"))
    source.slug = explicit or _derived_slug(reader, source)


def _path_metadata(reader: _Reader, source: _Source) -> None:
    """Add what the file name, its path, its folder and the settings say (file wins)."""
    meta = source.meta
    extra: dict[str, object] = {}
    basename = source.rel.rsplit("/", 1)[-1]
    stem = basename.rsplit(".", 1)[0]
    for setting, subject in (("FILENAME_METADATA", stem), ("PATH_METADATA", source.rel)):
        pattern = reader.s(setting)
        if not isinstance(pattern, str) or not pattern:
            continue
        try:
            match = re.match(pattern, subject)
        except re.error as exc:
            reader.warn("pelicanconf.py", None, f"{setting}: not a regular expression ({exc})")
            continue
        if match is not None:
            for key, value in match.groupdict().items():
                if value is not None and key.lower() not in extra:
                    extra[key.lower()] = value
    folder = source.rel.rpartition("/")[0].rsplit("/", 1)[-1]
    if reader.s("USE_FOLDER_AS_CATEGORY") and folder and "category" not in extra:
        extra["category"] = folder
    defaults = reader.s("DEFAULT_METADATA")
    if isinstance(defaults, dict | list | tuple):
        items = defaults.items() if isinstance(defaults, dict) else defaults
        for pair in items:
            if isinstance(pair, list | tuple) and len(pair) == 2:
                extra.setdefault(str(pair[0]).lower(), pair[1])
    for key, value in extra.items():
        if key not in meta.values:
            meta.values[key] = value


def _date(reader: _Reader, source: _Source, key: str) -> dt.date | dt.datetime | str | None:
    value = _single(reader, source, key)
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return _localize(reader, value)
    parsed = pelican_date(_text(value))
    if parsed is None:
        where = source.meta.lines.get(key) if key in source.meta.from_text else None
        what = "Date" if key == "date" else "Modified"
        origin = "" if key in source.meta.from_text else " (from the file name or settings)"
        reader.error(source.shown, where, f"{what}: {_text(value)!r}{origin} is not a date "
                                          "Pelican reads")
        return "invalid"
    return _localize(reader, parsed)


def _localize(reader: _Reader, value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is None and reader.tz is not None:
        return value.replace(tzinfo=reader.tz)
    return value


def _default_date(reader: _Reader, source: _Source) -> dt.date | dt.datetime | None:
    default = reader.s("DEFAULT_DATE")
    if default == "fs":
        return _localize(reader, dt.datetime.fromtimestamp(source.abs_path.stat().st_mtime)
                         .replace(microsecond=0))
    if isinstance(default, str) and default:
        parsed = pelican_date(default)
        return _localize(reader, parsed) if parsed is not None else None
    if isinstance(default, list | tuple) and default:
        try:
            numbers = [int(v) for v in default] + [1, 1, 0, 0, 0][len(default) - 1:]
            year, month, day, hour, minute, second = numbers[:6]
            return _localize(reader, dt.datetime(year, month, day, hour, minute, second))
        except (TypeError, ValueError):
            return None
    return None


def _is_future(date: dt.date | dt.datetime) -> bool:
    if isinstance(date, dt.datetime):
        now = dt.datetime.now(date.tzinfo) if date.tzinfo else dt.datetime.now()
        return date > now
    return date > dt.date.today()


def _derived_slug(reader: _Reader, source: _Source) -> str:
    what = reader.s("SLUGIFY_SOURCE")
    subject = source.title
    if what == "basename":
        subject = source.rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    subs = reader.s("SLUG_REGEX_SUBSTITUTIONS") or DEFAULT_SLUG_SUBSTITUTIONS
    return pelican_slug(subject, _pairs(subs), preserve_case=bool(reader.s(
        "SLUGIFY_PRESERVE_CASE")), use_unicode=bool(reader.s("SLUGIFY_USE_UNICODE")))


def _pairs(value: object) -> list[tuple[str, str]]:
    if not isinstance(value, list | tuple):
        return list(DEFAULT_SLUG_SUBSTITUTIONS)
    return [(str(p[0]), str(p[1])) for p in value if isinstance(p, list | tuple) and len(p) == 2]


def _urls(reader: _Reader) -> None:
    """Compute each article's URL as Pelican formats it."""
    default_lang = str(reader.s("DEFAULT_LANG") or "en").lower()
    for source in reader.sources.values():
        if source.skip is not None:
            continue
        meta = source.meta
        override = _text(_single(reader, source, "url"))
        save_as = _single(reader, source, "save_as")
        if save_as is not None and _text(save_as) == "" and "save_as" in meta.from_text:
            source.skip = "Save_as is empty: Pelican does not write it"
            continue
        if override:
            source.url = override.lstrip("/")
            continue
        if save_as is not None and _text(save_as):
            saved = _text(save_as).lstrip("/")
            source.url = saved[:-len("index.html")] if saved.endswith("/index.html") \
                or saved == "index.html" else saved
            continue
        kind = "PAGE" if source.is_page else "ARTICLE"
        lang = "" if source.lang.lower() == default_lang else "LANG_"
        source.url = _format_url(reader, source, f"{kind}_{lang}URL")
        if source.status == "draft":
            draft = "DRAFT_PAGE" if source.is_page else "DRAFT"
            source.draft_url = _format_url(reader, source, f"{draft}_{lang}URL")


def _same_urls(reader: _Reader) -> None:
    """Warn when two published files have the same URL (Pelican writes only one)."""
    first: dict[str, _Source] = {}
    for source in reader.sources.values():
        if source.skip is not None or not source.url or source.status == "draft":
            continue
        earlier = first.setdefault(source.url, source)
        if earlier is not source:
            reader.warn(source.shown, 1, f"same URL /{source.url} as {earlier.shown}; Pelican "
                                         "wrote only one of them")


def _format_url(reader: _Reader, source: _Source, key: str) -> str:
    pattern = str(reader.s(key))
    try:
        return _UrlFormatter().format(pattern, **_url_fields(reader, source)).lstrip("/")
    except (KeyError, ValueError, IndexError, TypeError) as exc:
        reader.warn(source.shown, None, f"{key} {pattern!r} cannot be filled for this file "
                                        f"({exc}); its old URL is unknown")
        return ""


def _url_fields(reader: _Reader, source: _Source) -> dict[str, object]:
    fields: dict[str, object] = {}
    for key, value in source.meta.values.items():
        fields[key] = _text(value) if isinstance(value, list) else value
    date = source.date
    if date is None:
        date = dt.datetime.now()
    elif not isinstance(date, dt.datetime):
        date = dt.datetime(date.year, date.month, date.day)
    category = source.category or str(reader.s("DEFAULT_CATEGORY") or "misc")
    authors = _authors_raw(reader, source)
    fields.update(
        slug=source.slug, lang=source.lang, date=date, path=source.rel,
        category=pelican_slug(category, _pairs(reader.s("CATEGORY_REGEX_SUBSTITUTIONS")
                                               or reader.s("SLUG_REGEX_SUBSTITUTIONS"))),
        author=pelican_slug(authors[0], _pairs(reader.s("AUTHOR_REGEX_SUBSTITUTIONS")
                                               or reader.s("SLUG_REGEX_SUBSTITUTIONS")))
        if authors else "",
    )
    return fields


def _authors_raw(reader: _Reader, source: _Source) -> list[str]:
    meta = source.meta.values
    if "authors" in meta:
        return _names(_single(reader, source, "authors"))
    if "author" in meta:
        name = _text(_single(reader, source, "author"))
        return [name] if name else []
    default = reader.s("AUTHOR")
    return [default] if isinstance(default, str) and default.strip() else []


# --- building the articles ---------------------------------------------------------------


def _article(reader: _Reader, source: _Source, permalink: str | None) -> ImportedArticle:
    meta = source.meta
    extra: dict[str, object] = {}
    for key in sorted(meta.from_text - MAPPED_KEYS):
        value = meta.values[key]
        if isinstance(value, list) and not meta.yaml:
            lines = [v for v in value if str(v).strip()]
            value = lines[0] if len(lines) == 1 else lines if lines else ""
        extra[key] = value
        reader.result.unmapped[key] += 1
    tags = tuple(_names(_single(reader, source, "tags"))) if "tags" in meta.values else ()
    authors, byline_source = split_byline(_authors_raw(reader, source),
                                          reader.config.import_agencies)
    summary_value = meta.values.get("summary")
    summary = None
    if summary_value is not None:
        written = "\n".join(str(v) for v in summary_value) if isinstance(summary_value, list) \
            else str(summary_value)
        summary = plain_text(written) or None
    updated_value = _date(reader, source, "modified") if "modified" in meta.values else None
    updated: dt.datetime | None = None
    if isinstance(updated_value, dt.datetime):
        updated = updated_value
    elif isinstance(updated_value, dt.date):
        updated = _as_datetime(reader, updated_value)
    date = source.date or updated or _mtime(source.abs_path)
    body = _body(reader, source)
    draft = source.status == "draft"
    page = source.is_page or source.status == "hidden"
    old_path: str | None = source.url or None
    if permalink is not None and old_path is not None and not page and not draft and \
            is_valid_slug(source.slug):
        when = date if isinstance(date, dt.datetime) else _as_datetime(reader, date)
        if expand_permalink(permalink, date=when, slug=source.slug,
                            lang=source.lang) == old_path:
            old_path = None
    site = str(reader.s("SITEURL") or "").rstrip("/")
    served = source.draft_url if draft else source.url
    original = f"{site}/{served}" if site.startswith(("http://", "https://")) and served \
        else None
    lang = _text(_single(reader, source, "lang")) or (
        str(reader.settings["DEFAULT_LANG"]) if "DEFAULT_LANG" in reader.settings else "")
    return ImportedArticle(
        origin=source.shown, origin_line=1, title=source.title, date=date, body=body,
        updated=updated, authors=authors, source=byline_source, tags=tags, summary=summary,
        original_url=original, lang=valid_lang(lang) if lang else None,
        slug=source.slug if is_valid_slug(source.slug) else None, draft=draft, page=page,
        categories=(source.category,) if source.category else (),
        section=section_of((source.category,) if source.category else (), page),
        old_path=old_path, extra=extra, assets=tuple(source.assets.assets),
        media=remote_media(body),
    )


def _as_datetime(reader: _Reader, date: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(date, dt.datetime):
        return date
    return dt.datetime(date.year, date.month, date.day, tzinfo=reader.tz)


def _mtime(path: Path) -> dt.date:
    try:
        return dt.date.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return dt.date(1970, 1, 1)


def _body(reader: _Reader, source: _Source) -> str:
    def change(link: Link) -> str | Unlink | None:
        return _link(reader, source, link, line_at(source.body, link.offset,
                                                   source.body_line))

    body = _code_languages(rewrite_links(source.body, change))
    return body.strip("\n") + "\n" if body.strip() else ""


def _code_languages(body: str) -> str:
    """Turn codehilite's ``:::lang`` first line of an indented block into a fenced block."""
    lines = body.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        marker = _CODEHILITE.match(line) or _SHEBANG.match(line)
        if marker is None or (out and out[-1].strip()):
            out.append(line)
            index += 1
            continue
        indent = len(marker.group("indent"))
        block: list[str] = []
        index += 1
        while index < len(lines) and (not lines[index].strip() or
                                      lines[index].startswith(" " * indent)):
            block.append(lines[index][indent:] if lines[index].strip() else "")
            index += 1
        while block and not block[-1]:
            block.pop()
        prefix = " " * (indent - 4)
        out.append(f"{prefix}```{marker.group('lang')}")
        out += [f"{prefix}{b}" if b else "" for b in block]
        out.append(f"{prefix}```")
        out.append("")
    return "\n".join(out)


def _link(reader: _Reader, source: _Source, link: Link, line: int) -> str | Unlink | None:
    dest = link.dest.strip()
    marker = _INTRASITE.match(dest)
    if marker is None:
        return _plain_link(reader, source, dest)
    what, value = marker.group("what"), marker.group("value")
    parts = urlsplit(value)
    suffix = (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else "")
    if what in ("filename", "static", "attach"):
        target = _target_path(source, unquote(parts.path))
        if target is None:
            reader.warn(source.shown, line, f"link {dest!r} leads outside the content folder; "
                                            "the link is removed, its text kept")
            return UNLINK
        if not parts.path:
            return suffix or None
        article = reader.sources.get(target)
        if article is not None:
            if article.skip is not None:
                reader.warn(source.shown, line, f"link {dest!r}: that file is not imported "
                                                f"({article.skip}); the link is removed, "
                                                "its text kept")
                return UNLINK
            return url_of("/" + article.url) + suffix
        if target in reader.files:
            return url_of(_take(reader, source, target)) + suffix
        reader.warn(source.shown, line, f"link {dest!r}: no such file in the content folder; "
                                        "the link is removed, its text kept")
        return UNLINK
    if what == "tag":
        return "/" + term_url("tags", slugify(unquote(parts.path)))
    if what == "author":
        return "/" + term_url("authors", slugify(unquote(parts.path)))
    if what == "index":
        return "/" + suffix
    reader.warn(source.shown, line, f"link {dest!r}: {{{what}}} links have no equivalent "
                                    "(the new site has no such pages); the link is removed, "
                                    "its text kept")
    return UNLINK


def _target_path(source: _Source, path: str) -> str | None:
    if path.startswith("/"):
        joined = posixpath.normpath(path.lstrip("/"))
    else:
        joined = posixpath.normpath(posixpath.join(source.rel.rpartition("/")[0], path))
    if joined.startswith("../") or joined == "..":
        return None
    return "" if joined == "." else joined


def _take(reader: _Reader, source: _Source, target: str) -> str:
    """Return the name under which ``source`` takes the content file ``target`` along."""
    folder = source.rel.rpartition("/")[0]
    preferred = target[len(folder) + 1:] if folder and target.startswith(folder + "/") \
        else target.rsplit("/", 1)[-1] if folder else target.rsplit("/", 1)[-1]
    reader.used.add(target)
    return source.assets.add(reader.content / target, preferred)


def _plain_link(reader: _Reader, source: _Source, dest: str) -> str | None:
    """Take along a file the old site served, linked by its site path."""
    parts = urlsplit(dest)
    if parts.scheme or parts.netloc or not parts.path or dest.startswith("#"):
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        site_path = posixpath.normpath(path.lstrip("/"))
    else:
        site_path = posixpath.normpath(posixpath.join(posixpath.dirname(source.url), path))
    if site_path.startswith("../") or site_path not in reader.statics:
        return None
    suffix = (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else "")
    return url_of(_take(reader, source, site_path)) + suffix
