"""Find article sources and parse each into an :class:`Article`.

Parsing validates the front matter against the article schema and reports every
problem with the line of the offending key, so one run shows all mistakes in a file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tomllib
import typing as t
from pathlib import Path

import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler

from .body import Rendered, render_markdown
from .config import Config
from .errors import Problem
from .model import Article, Body, Image, Related
from .urls import expand_permalink, is_valid_slug, slug_from_filename, slugify

SUFFIXES = (".md", ".markdown")
SCHEMA_KEYS = frozenset({
    "title", "date", "updated", "authors", "author", "source", "tags", "summary", "image",
    "original_url", "related", "slug", "lang", "draft", "aliases",
})
# Characters HTML and XML cannot carry; real imported text contains them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")


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


class _Loader(_BaseLoader):
    """Safe YAML loader that leaves timestamps as text.

    Dates are then parsed in one place (:func:`parse_date`), so an impossible date is
    reported on its own line rather than as a YAML failure of the whole block.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


@dataclasses.dataclass(frozen=True, slots=True)
class SourceFile:
    """A Markdown file found under the content folder."""

    path: str
    """Project-relative POSIX path (``content/2018/x.md``)."""
    abs_path: Path


def discover_sources(config: Config) -> tuple[list[SourceFile], list[Problem]]:
    """Return the article files under the content folder, sorted by path.

    Hidden files and folders and names starting with ``_`` are skipped (editors'
    swap files, drafts folders); symbolic links leading out of the project are refused.
    """
    root = config.content_path
    project = config.project_dir
    problems: list[Problem] = []
    found: list[SourceFile] = []

    def on_error(exc: OSError) -> None:
        problems.append(Problem(_rel(Path(exc.filename or root), project), None,
                                f"cannot read folder: {exc.strerror}"))

    if not root.is_dir():
        return [], [Problem(config.content_dir, None, "content folder not found")]
    # Plain string paths: at 100,000 files pathlib's parsing is a visible cost.
    prefix = str(project) + os.sep
    for folder, dirs, files in os.walk(root, onerror=on_error):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        base = folder + os.sep
        rel_base = base[len(prefix):] if base.startswith(prefix) else None
        for name in sorted(files):
            if name.startswith((".", "_")) or not name.endswith(SUFFIXES):
                continue
            full = base + name
            rel = ((rel_base + name).replace(os.sep, "/") if rel_base is not None
                   else _rel(Path(full), project))
            if os.path.islink(full) and not Path(full).resolve().is_relative_to(project):
                problems.append(Problem(rel, None, "symbolic link points outside the project"))
                continue
            found.append(SourceFile(rel, Path(full)))
    found.sort(key=lambda s: s.path)
    return found, problems


def _rel(path: Path, project: Path) -> str:
    try:
        return path.relative_to(project).as_posix()
    except ValueError:
        return path.as_posix()


def read_source(src: SourceFile) -> tuple[str | None, list[Problem]]:
    """Return the decoded text of ``src``, or None and the problem."""
    try:
        data = src.abs_path.read_bytes()
    except OSError as exc:
        return None, [Problem(src.path, None, f"cannot read file: {exc.strerror}")]
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


RenderBody = t.Callable[[str], Rendered]
"""Markdown to HTML; the build passes a memoised :func:`render_markdown`."""
PARSE_CONFIG_KEYS = ("timezone", "permalink", "language")
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
    split = split_front_matter(text, path)
    if isinstance(split, Problem):
        return None, [split]
    meta, key_lines, body, body_line = split
    fields = _Fields(path, key_lines)
    article = fields.article(meta, body, body_line, config, render)
    return (None if fields.problems else article), fields.problems


def split_front_matter(
    text: str, path: str
) -> Problem | tuple[dict[str, object], dict[str, int], str, int]:
    """Split ``text`` into (metadata, key lines, body, body's first line) or a problem."""
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
        parsed = _load_yaml(fm_text, path, offset)
    else:
        parsed = _load_toml(fm_text, path, offset)
    if isinstance(parsed, Problem):
        return parsed
    meta, key_lines = parsed
    return meta, key_lines, body, body_line


def _load_yaml(
    fm_text: str, path: str, offset: int
) -> Problem | tuple[dict[str, object], dict[str, int]]:
    loader = _Loader(fm_text)
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
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        return Problem(path, offset + 1, f"invalid YAML front matter: {exc}")
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return Problem(path, offset + 1, "front matter must be a mapping of keys to values")
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        lines.setdefault(str(key_node.value), offset + key_node.start_mark.line + 1)
    return {str(k): v for k, v in data.items()}, lines


def _load_toml(
    fm_text: str, path: str, offset: int
) -> Problem | tuple[dict[str, object], dict[str, int]]:
    try:
        data = tomllib.loads(fm_text)
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

    def error(self, key: str | None, message: str) -> None:
        line = self.key_lines.get(key) if key else None
        self.problems.append(Problem(self.path, line or (1 if key is None else 1), message))

    def article(
        self, meta: t.Mapping[str, object], body: str, body_line: int, config: Config,
        render: RenderBody,
    ) -> Article | None:
        tz = config.tzinfo
        title = self.text(meta, "title", required=True)
        date = self.date(meta, "date", tz, required=True)
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
            self.error("lang", f"lang: '{lang}' is not a language code such as 'en' or 'pt-BR'")
            lang = None
        draft = self.flag(meta, "draft")
        aliases = self.names(meta, "aliases")
        slug = self.slug(meta, title)
        if self.problems or title is None or date is None or slug is None:
            return None
        rendered = render(body)
        url = expand_permalink(config.permalink, date=date, slug=slug,
                               lang=lang or config.language)
        extra = {k: v for k, v in meta.items() if k not in SCHEMA_KEYS}
        return Article(
            src_path=self.path, title=title, date=date, slug=slug, url=url,
            body=Body(rendered.html),
            summary=summary if summary is not None else rendered.summary, updated=updated,
            authors=authors, source=source, tags=tags, image=image, original_url=original_url,
            related=related, lang=lang, draft=draft, aliases=aliases, extra=extra,
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
        names: list[str] = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.error(key, f"{key}: expected text in the list, got {_type_name(item)}")
                continue
            name = " ".join(str(item).split())
            if name and name not in names:
                names.append(name)
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
            return Image(src=value)
        if not isinstance(value, dict):
            self.error("image", f"image: expected a mapping with src, alt, caption, credit, "
                                f"got {_type_name(value)}")
            return None
        fields: dict[str, str] = {}
        for name, item in value.items():
            if name not in ("src", "alt", "caption", "credit"):
                self.error("image", f"image: unknown field '{name}' "
                                    "(known: src, alt, caption, credit)")
            elif item is not None:
                if isinstance(item, bool) or not isinstance(item, str | int | float):
                    self.error("image", f"image.{name}: expected text, got {_type_name(item)}")
                else:
                    fields[str(name)] = str(item).strip()
        return Image(src=fields.get("src") or None, alt=fields.get("alt", ""),
                     caption=fields.get("caption", ""), credit=fields.get("credit", ""))

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
                entries.append(Related(title=str(item.get("title") or "").strip(),
                                       url=url.strip() if url else None))
            else:
                self.error("related", "related: each entry needs a 'title', a 'url' or both")
        return tuple(entries)

    def slug(self, meta: t.Mapping[str, object], title: str | None) -> str | None:
        if "slug" in meta:
            value = self.text(meta, "slug")
            if value is not None and not is_valid_slug(value):
                self.error("slug", f"slug: {_show(value)} is not usable in a URL (use letters, "
                                   "digits, '-', '_' or '.', at most 120 characters)")
                return None
            return value
        slug = slug_from_filename(Path(self.path).stem) or (slugify(title) if title else "")
        if not slug:
            self.error("title", "cannot derive a slug from the file name or title: set 'slug'")
            return None
        return slug


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


def _show(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "...'"
