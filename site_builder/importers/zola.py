"""Read a Zola site (``config.toml`` and ``content/``) into a :class:`SiteImport`.

Every file under ``content/`` is accounted for once:

- A page (any ``.md`` but ``_index.md``) becomes an article at the path Zola gave it:
  the folders of its section and its slug, or its ``path``, under a language prefix for
  a page in another language than the default (``post.fr.md``). Zola's own rules
  decide the slug (``slug``, else the file name without a leading date, slugified as
  ``slugify.paths`` says) and the date (``date``, else the date the file name starts
  with). A page without either date becomes a standalone page (``page: true``) when it
  has text, dated by ``updated`` or else by its file's modification time; an undated page
  with no text is skipped.
- A section (``_index.md``) is a listing: it is skipped, its ``sort_by``,
  ``paginate_by``, ``transparent``, ``page_template`` and kin having no equivalent. A
  section with text of its own becomes a standalone page at the section's path; the
  home page section is always skipped (the new site makes its own home page).
  ``redirect_to`` becomes an alias of the page it names; a drafted section drafts every
  page below it, as Zola does.
- A file next to an ``index.md`` (a page bundle) is an asset of that page; a file a
  page links to by its site path (a section's asset, a file of ``static/``) becomes an
  asset of the page too. Any other file is skipped with the reason.

In a body, ``@/path.md#anchor`` links become the root-relative old path of the page
they name; the built-in ``youtube`` and ``vimeo`` shortcodes become their ``<iframe>``
embed, ``streamable`` and ``gist`` a link. Any other shortcode is reported at its file
and line: an inline one is kept as inline code, a block one loses its tags and keeps
its body as Markdown.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import fnmatch
import html
import posixpath
import re
import tomllib
import typing as t
from pathlib import Path
from urllib.parse import unquote, urlsplit

from anyascii import anyascii

from ..config import Config
from ..content import split_front_matter
from ..errors import Problem
from ..urls import is_valid_slug
from .imported import Accounted, ImportedArticle, SiteImport, section_of, split_byline, valid_lang
from .markdown_source import (
    UNLINK,
    ArticleAssets,
    Link,
    Unlink,
    code_ranges,
    line_at,
    next_range,
    outside,
    plain_text,
    read_text,
    remote_media,
    rewrite_links,
    url_of,
    walk_files,
)

PAGE_KEYS = frozenset({"title", "description", "date", "updated", "draft", "slug", "path",
                       "aliases", "authors", "taxonomies"})
"""Page front-matter keys that map onto fields; every other key is kept under ``extra``."""
SECTION_SETTINGS = ("sort_by", "paginate_by", "paginate_path", "paginate_reversed",
                    "transparent", "page_template", "template", "insert_anchor_links",
                    "generate_feeds", "generate_feed", "in_search_index", "render",
                    "weight")
"""Section keys that set up the listing; a listing is not imported."""
MAPPED_TAXONOMIES = ("tags", "categories", "authors")
EMBED_SHORTCODES = frozenset({"youtube", "vimeo", "streamable", "gist"})
"""Zola's built-in shortcodes, converted."""

_RFC3339_NAME = re.compile(
    r"^(?P<datetime>\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]))?)(?:\s?[_-](?P<slug>.+))?$")
_PATH_DATE = re.compile(r"(?:^|/)(?P<y>\d{4})[/-](?P<m>\d{2})[/-](?P<d>\d{2})(?:/|-|_|$)")
_YAML_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt ]+(?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})(?P<f>\.\d+)?"
    r"\s*(?P<tz>Z|[+-]\d{1,2}(?::?\d{2})?)?$")
_LANG_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")
_MORE = re.compile(r"<!--\s*more\s*-->")
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_UNSAFE_PATH_CHARS = re.compile(r'[<>:"/\\|?*]')
_SHORTCODE_START = re.compile(r"\{\{|\{%")
_IDENT = re.compile(r"[0-9A-Za-z_]+")
_END_TAG = re.compile(r"\{%-?\s*end\s*-?%\}")
_ESCAPED = re.compile(r"\{\{/\*|\*/\}\}|\{%/\*|\*/%\}")
_ESCAPED_CALL = re.compile(r"\{\{/\*.*?\*/\}\}|\{%/\*.*?\*/%\}", re.DOTALL)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_AUTHOR_EMAIL = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^()]+)\)\s*$")
_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)\s*#*\s*$", re.MULTILINE)
_TEMP_SUFFIXES = (".swp", ".swx", ".tmp", ".bak")
_SAFE_URL = re.compile(r"^https://[^\s()<>\[\]\\]+$")


@dataclasses.dataclass(frozen=True, slots=True)
class _Site:
    """What ``config.toml`` says about paths and languages."""

    base_url: str | None = None
    default_language: str = "en"
    language_given: bool = False
    languages: frozenset[str] = frozenset()
    """Languages besides the default; None of them when the config has none."""
    config_found: bool = False
    ignored: tuple[str, ...] = ()
    slugify_paths: str = "on"
    keep_dates: bool = False


@dataclasses.dataclass(slots=True)
class _Source:
    """One ``.md`` file of the content folder, parsed."""

    rel: str
    """Path relative to the content folder (``posts/x.fr.md``)."""
    shown: str
    abs_path: Path
    is_section: bool
    lang: str
    meta: dict[str, object]
    key_lines: dict[str, int]
    body: str
    body_line: int
    folder: str
    """The folder the file's URL is built from (a bundle's parent folder)."""
    bundle: str | None = None
    """The folder of a page bundle (``posts/with-assets``), if the file is its ``index.md``."""
    slug: str = ""
    old_path: str = ""
    date: dt.date | dt.datetime | None = None
    draft: bool = False
    skip: str | None = None
    """Why the file is not imported."""
    page: bool = False
    assets: ArticleAssets = dataclasses.field(default_factory=ArticleAssets)
    aliases: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(slots=True)
class _Reader:
    root: Path
    content: Path
    prefix: str
    """What the shown path of a content file starts with (``content/`` or nothing)."""
    config: Config
    site: _Site
    result: SiteImport = dataclasses.field(default_factory=SiteImport)
    sources: dict[str, _Source] = dataclasses.field(default_factory=dict)
    sections: dict[tuple[str, str], _Source] = dataclasses.field(default_factory=dict)
    """(folder, language) -> section."""
    served: dict[str, Path] = dataclasses.field(default_factory=dict)
    """Site path -> content file Zola copies there (bundle and section assets)."""
    asset_owner: dict[Path, str] = dataclasses.field(default_factory=dict)
    """Content file -> what it belongs to (bundle folder or section folder)."""
    used_assets: set[Path] = dataclasses.field(default_factory=set)
    others: list[str] = dataclasses.field(default_factory=list)
    """Files of the content folder that are not Markdown, to account for last."""

    def shown(self, rel: str) -> str:
        return self.prefix + rel

    def warn(self, path: str, line: int | None, message: str) -> None:
        self.result.problems.append(Problem(path, line, message, level="warning"))

    def error(self, path: str, line: int | None, message: str) -> None:
        self.result.problems.append(Problem(path, line, message))

    def account(self, path: str, kind: t.Literal["article", "page", "draft", "asset", "skipped"],
                reason: str | None = None) -> None:
        self.result.accounted.append(Accounted(path, kind, reason))

    def unreadable(self, rel: str, exc: OSError) -> None:
        shown = self.shown(rel + "/" if rel else "")
        self.error(shown or ".", None, f"cannot read folder: {exc.strerror or exc}")
        self.account(shown or ".", "skipped", "folder cannot be read")


def read_site(path: Path, config: Config, settings: Path | None = None) -> SiteImport:
    """Read the Zola site at ``path`` (the site, or its content folder).

    ``settings`` names the site's ``config.toml`` when it is not in the site folder.
    """
    path = path.resolve()
    if (path / "content").is_dir():
        root, content, prefix = path, path / "content", "content/"
    else:
        root, content, prefix = path.parent, path, ""
    result = SiteImport()
    config_path = settings if settings is not None else root / "config.toml"
    site = _read_config(config_path, result.problems, required=settings is not None)
    reader = _Reader(root=root, content=content, prefix=prefix, config=config, site=site,
                     result=result)
    if not content.is_dir():
        reader.error(str(path), None, "no content folder: expected a Zola site or its "
                                      "content/ folder")
        return result
    markdown, reader.others = _sort_files(reader, walk_files(content, reader.unreadable))
    for rel in markdown:
        _parse(reader, rel)
    _place_pages(reader)
    _collect_assets(reader)
    _finish(reader)
    if site.language_given:
        result.proposed["language"] = site.default_language
    return result


# --- config.toml -------------------------------------------------------------------------


def _read_config(path: Path, problems: list[Problem], *, required: bool) -> _Site:
    shown = path.name
    if not path.is_file():
        if required:
            problems.append(Problem(str(path), None, "Zola config not found"))
        return _Site()
    text, problem = read_text(path, shown)
    if text is None:
        assert problem is not None
        problems.append(problem)
        return _Site()
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+)", str(exc))
        message = re.sub(r"\s*\(at line.*\)", "", str(exc))
        problems.append(Problem(shown, int(match.group(1)) if match else None,
                                f"invalid TOML: {message}; read with Zola's defaults"))
        return _Site()
    base = raw.get("base_url")
    base_url = base.rstrip("/") + "/" if isinstance(base, str) and _web_base(base) else None
    default = raw.get("default_language")
    language_given = isinstance(default, str) and valid_lang(default) is not None
    default_language = default if isinstance(default, str) and language_given else "en"
    languages: set[str] = set()
    table = raw.get("languages")
    if isinstance(table, dict):
        languages = {str(code) for code in table}
    elif isinstance(table, list):  # before Zola 0.15: [{code = "fr"}, ...]
        languages = {str(item["code"]) for item in table
                     if isinstance(item, dict) and isinstance(item.get("code"), str)}
    languages.discard(default_language)
    ignored = raw.get("ignored_content", [])
    slugify = raw.get("slugify", {})
    strategy = slugify.get("paths", "on") if isinstance(slugify, dict) else "on"
    keep = slugify.get("paths_keep_dates", False) if isinstance(slugify, dict) else False
    return _Site(
        base_url=base_url, default_language=default_language, language_given=language_given,
        languages=frozenset(languages), config_found=True,
        ignored=tuple(str(g) for g in ignored) if isinstance(ignored, list) else (),
        slugify_paths=strategy if strategy in ("on", "safe", "off") else "on",
        keep_dates=keep is True,
    )


def _web_base(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# --- sorting the files -------------------------------------------------------------------


def _sort_files(reader: _Reader, files: t.Sequence[str]) -> tuple[list[str], list[str]]:
    """Account for files Zola never reads; return (Markdown files, other files)."""
    markdown: list[str] = []
    others: list[str] = []
    for rel in files:
        name = rel.rsplit("/", 1)[-1]
        shown = reader.shown(rel)
        if any(part.startswith(".") for part in rel.split("/")):
            reader.account(shown, "skipped", "hidden file: Zola does not read it")
        elif (pattern := _ignored_by(rel, reader.site.ignored)) is not None:
            reader.account(shown, "skipped", f"matches ignored_content {pattern!r} in "
                                             "config.toml")
        elif name.endswith("~") or (name.startswith("#") and name.endswith("#")) \
                or name.endswith(_TEMP_SUFFIXES):
            reader.account(shown, "skipped", "an editor's temporary file")
        elif name.endswith(".md"):
            markdown.append(rel)
        else:
            others.append(rel)
    return markdown, others


def _ignored_by(rel: str, patterns: t.Sequence[str]) -> str | None:
    parts = rel.split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    for pattern in patterns:
        for expanded in _braces(pattern):
            if any(fnmatch.fnmatchcase(c, expanded) or fnmatch.fnmatchcase(c, expanded
                                                                          .replace("**/", ""))
                   for c in candidates):
                return pattern
    return None


def _braces(pattern: str) -> list[str]:
    """Expand one level of ``{a,b}`` alternatives, as glob sets read them."""
    match = re.search(r"\{([^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[:match.start()], pattern[match.end():]
    return [alt for option in match.group(1).split(",") for alt in _braces(head + option + tail)]


# --- parsing one file --------------------------------------------------------------------


def _parse(reader: _Reader, rel: str) -> None:
    shown = reader.shown(rel)
    text, problem = read_text(reader.content / rel, shown)
    if text is None:
        assert problem is not None
        reader.result.problems.append(problem)
        reader.account(shown, "skipped", "cannot be read")
        return
    folder, _, name = rel.rpartition("/")
    stem = name[:-3]
    is_section = stem == "_index" or stem.startswith("_index.")
    lang, stem_without_lang = _language(reader, shown, stem)
    if lang is None:
        reader.account(shown, "skipped", "unknown language code in the file name")
        return
    stripped = text.lstrip()
    offset = text.count("\n", 0, len(text) - len(stripped))
    if not stripped.startswith(("+++", "---")):
        reader.error(shown, 1, "no front matter: Zola needs it between '+++' lines (TOML) "
                               "or '---' lines (YAML)")
        reader.account(shown, "skipped", "no front matter")
        return
    split = split_front_matter(stripped, shown)
    if isinstance(split, Problem):
        message = split.message.replace("'---'", "'+++'" if stripped.startswith("+++")
                                        else "'---'")
        reader.error(shown, (split.line or 1) + offset, message)
        reader.account(shown, "skipped", "front matter cannot be parsed")
        return
    meta, key_lines, body, body_line = split
    key_lines = {k: v + offset for k, v in key_lines.items()}
    bundle: str | None = None
    url_folder = folder
    if not is_section and folder and stem.split(".")[0] == "index":
        bundle = folder
        url_folder = folder.rpartition("/")[0]
    source = _Source(rel=rel, shown=shown, abs_path=reader.content / rel,
                     is_section=is_section, lang=lang, meta=meta, key_lines=key_lines,
                     body=body, body_line=body_line + offset, folder=url_folder,
                     bundle=bundle)
    reader.sources[rel] = source
    if is_section:
        reader.sections[(folder, lang)] = source
        source.old_path = _prefixed(reader, lang, f"{folder}/" if folder else "")
        return
    _page_identity(reader, source, folder, stem_without_lang)


def _language(reader: _Reader, shown: str, stem: str) -> tuple[str | None, str]:
    """Return the language of a file name (``post.fr``) and the name without it."""
    site = reader.site
    base, dot, code = stem.partition(".")
    if not dot:
        return site.default_language, stem
    if site.config_found:
        if not site.languages:
            return site.default_language, stem  # Zola reads "post.fr" as a name then
        if code == site.default_language:
            return code, base
        if code in site.languages:
            return code, base
        reader.error(shown, None, f"language code {code!r} is not in the languages of "
                                  "config.toml")
        return None, stem
    # Without config.toml, a suffix that looks like a language code is taken as one.
    if _LANG_CODE.match(code):
        return code, base
    return site.default_language, stem


def _prefixed(reader: _Reader, lang: str, path: str) -> str:
    return f"{lang}/{path}" if lang != reader.site.default_language else path


def _page_identity(reader: _Reader, source: _Source, folder: str, name: str) -> None:
    """Set the slug, date and old path of a page as Zola computes them."""
    site = reader.site
    for_slug = folder.rsplit("/", 1)[-1] if name == "index" and folder else name
    slug_source = for_slug
    from_name = _RFC3339_NAME.match(for_slug)
    meta = source.meta
    if from_name is not None:
        if from_name.group("slug") and not site.keep_dates:
            slug_source = from_name.group("slug")
        if meta.get("date") is None:
            source.date = _zola_date(from_name.group("datetime"))
    explicit = meta.get("slug")
    if isinstance(explicit, str) and explicit.strip():
        slug_source = explicit
    source.slug = zola_slug(slug_source, site.slugify_paths)
    fixed = meta.get("path")
    if isinstance(fixed, str) and fixed.strip():
        old = fixed.strip().lstrip("/")
    else:
        components = source.folder
        if not components and name == "index" and not folder:
            old = ""
        else:
            old = f"{components}/{source.slug}" if components else source.slug
        old = _prefixed(reader, source.lang, old)
    source.old_path = old if old.endswith("/") or not old else old + "/"


def zola_slug(text: str, strategy: str = "on") -> str:
    """Return ``text`` slugified as Zola's ``slugify.paths`` strategy does."""
    if strategy == "off":
        return text
    if strategy == "safe":
        return _UNSAFE_PATH_CHARS.sub("", text.rstrip(" ."))
    # CJK ideographs transliterate to syllables that stay separate words.
    spaced = _CJK.sub(lambda m: f"{anyascii(m.group(0))} ", text)
    return _NON_ALNUM.sub("-", anyascii(spaced).lower()).strip("-")


def _zola_date(value: object) -> dt.date | dt.datetime | None:
    """Return a front-matter date as Zola reads it; a time without offset is UTC."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("t", "T").replace("z", "Z"))
    except ValueError:
        match = _YAML_TIME.match(text)
        if match is None:
            return None
        tz = match.group("tz") or "Z"
        if tz != "Z":
            sign, digits = tz[0], tz[1:].replace(":", "")
            hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "00")
            tz = f"{sign}{int(hours):02d}:{minutes}"
        rebuilt = (f"{match.group('date')}T{int(match.group('h')):02d}:{match.group('mi')}:"
                   f"{match.group('s')}{(match.group('f') or '')[:7]}{tz}")
        try:
            parsed = dt.datetime.fromisoformat(rebuilt)
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# --- sections, dates, drafts -------------------------------------------------------------


def _section_of(reader: _Reader, folder: str, lang: str) -> _Source | None:
    return reader.sections.get((folder, lang)) or reader.sections.get(
        (folder, reader.site.default_language))


def _ancestors(folder: str) -> t.Iterator[str]:
    """Yield ``folder`` and each folder above it, up to the content folder ("")."""
    while True:
        yield folder
        if not folder:
            return
        folder = folder.rpartition("/")[0]


def _place_pages(reader: _Reader) -> None:
    """Decide what becomes of every parsed file: article, page, draft or skipped."""
    for source in reader.sources.values():
        meta = source.meta
        source.draft = meta.get("draft") is True or _drafted_above(reader, source)
        if source.is_section:
            _place_section(reader, source)
            continue
        if meta.get("render") is False:
            source.skip = "render = false: Zola does not publish the page"
            continue
        if source.old_path == "":
            source.skip = "index.md at the top of content/ is the Zola site's home page"
            continue
        if "date" in meta and meta["date"] is not None:
            date = _zola_date(meta["date"])
            if date is None:
                reader.error(source.shown, source.key_lines.get("date", 1),
                             f"date: {meta['date']!r} is not a date Zola reads")
                source.skip = "its date cannot be parsed"
                continue
            source.date = date
        if source.date is None and isinstance(meta.get("path"), str):
            found = _PATH_DATE.search(str(meta["path"]))
            if found is not None:
                try:
                    source.date = dt.date(int(found["y"]), int(found["m"]), int(found["d"]))
                except ValueError:
                    source.date = None
        if source.date is None:
            if not _has_text(source.body):
                source.skip = "no date and no text: an empty page"
                continue
            source.page = True


def _drafted_above(reader: _Reader, source: _Source) -> bool:
    """Return whether a section above ``source`` is a draft (which drafts all below it)."""
    folders = list(_ancestors(source.rel.rpartition("/")[0]))
    if source.is_section:
        folders = folders[1:]
    for folder in folders:
        section = _section_of(reader, folder, source.lang)
        if section is not None and section.meta.get("draft") is True:
            return True
    return False


def _place_section(reader: _Reader, source: _Source) -> None:
    folder = source.rel.rpartition("/")[0]
    settings = [key for key in SECTION_SETTINGS if key in source.meta]
    kept = f" ({', '.join(settings)} not carried over)" if settings else ""
    if not folder:
        source.skip = f"section: the home page of the Zola site{kept}"
        if _has_text(source.body):
            reader.warn(source.shown, source.body_line, "the home page's text is not "
                                                        "imported: the new site makes its own")
    elif _has_text(source.body):
        source.page = True
    else:
        source.skip = f"section: a listing of its pages, which are imported{kept}"
    if source.skip is None:
        return
    aliases = source.meta.get("aliases")
    if isinstance(aliases, list) and aliases:
        reader.warn(source.shown, source.key_lines.get("aliases"),
                    f"aliases of a section are not kept: {', '.join(map(str, aliases))}")


def _has_text(body: str) -> bool:
    return bool(re.sub(r"<!--.*?-->", "", body, flags=re.DOTALL).strip())


# --- assets ------------------------------------------------------------------------------


def _collect_assets(reader: _Reader) -> None:
    """Give each bundle its files and note where Zola served each section's files."""
    bundles: dict[str, list[_Source]] = collections.defaultdict(list)
    for source in reader.sources.values():
        if source.bundle is not None:
            bundles[source.bundle].append(source)
    section_folders = {folder for folder, _ in reader.sections}
    for rel in reader.others:
        folder = rel.rpartition("/")[0]
        owner = next((above for above in _ancestors(folder) if above in bundles), None)
        path = reader.content / rel
        if owner is not None:
            inner = rel[len(owner) + 1:]
            for source in bundles[owner]:
                name = source.assets.add(path, inner)
                reader.served[source.old_path + name] = path
            reader.asset_owner[path] = owner
        elif folder in section_folders:
            section = _section_of(reader, folder, reader.site.default_language)
            served_at = section.old_path if section is not None else f"{folder}/"
            reader.served[served_at + rel.rsplit("/", 1)[-1]] = path
            reader.asset_owner[path] = folder or "."
            if section is not None and section.page and section.skip is None:
                section.assets.add(path, rel.rsplit("/", 1)[-1])
                reader.used_assets.add(path)


def _account_other(reader: _Reader, rel: str) -> None:
    path = reader.content / rel
    shown = reader.shown(rel)
    owner = reader.asset_owner.get(path)
    if path in reader.used_assets:
        reader.account(shown, "asset")
        return
    if owner is not None:
        bundle = [s for s in reader.sources.values() if s.bundle == owner and not s.is_section]
        if bundle and any(s.skip is None for s in bundle):
            reader.account(shown, "asset")
            return
        if bundle:
            reader.account(shown, "skipped", f"file of the page {bundle[0].shown}, which is "
                                             "not imported")
            return
        reader.account(shown, "skipped", "file of a section that no imported page links to")
        return
    reader.account(shown, "skipped", "not next to a page or section: Zola does not publish it")


# --- building the articles ---------------------------------------------------------------


def _finish(reader: _Reader) -> None:
    by_old_path = {s.old_path.strip("/"): s for s in reader.sources.values()
                   if s.skip is None and (s.page or not s.is_section)}
    for source in reader.sources.values():
        redirect = source.meta.get("redirect_to")
        if source.is_section and isinstance(redirect, str):
            target = by_old_path.get(redirect.strip().strip("/"))
            if target is not None and source.skip is not None:
                target.aliases.append(source.old_path)
            elif source.skip is not None:
                reader.warn(source.shown, source.key_lines.get("redirect_to"),
                            f"redirect_to {redirect!r} names no imported page; not kept")
    for source in reader.sources.values():
        if source.skip is not None:
            reader.account(source.shown, "skipped", source.skip)
            continue
        article = _article(reader, source)
        reader.result.articles.append(article)
        kind: t.Literal["draft", "page", "article"] = (
            "draft" if article.draft else "page" if article.page else "article")
        reader.account(source.shown, kind)
    for rel in reader.others:
        _account_other(reader, rel)
    for path in sorted(reader.used_assets):
        if not path.is_relative_to(reader.content):
            reader.account(path.relative_to(reader.root).as_posix(), "asset")
    reader.result.accounted.sort(key=lambda a: a.path)
    _same_paths(reader)


def _same_paths(reader: _Reader) -> None:
    """Warn when two imported files had the same old path (Zola kept only one)."""
    first: dict[str, _Source] = {}
    for source in reader.sources.values():
        if source.skip is not None:
            continue
        earlier = first.setdefault(source.old_path, source)
        if earlier is not source:
            reader.warn(source.shown, 1, f"same old path /{source.old_path} as "
                                         f"{earlier.shown}; Zola published only one of them")


def _article(reader: _Reader, source: _Source) -> ImportedArticle:
    meta = source.meta
    extra: dict[str, object] = {}
    for key, value in meta.items():
        if source.is_section:
            if key in ("title", "description", "draft", "aliases"):
                continue
        elif key in PAGE_KEYS:
            continue
        extra[key] = value
        reader.result.unmapped[key] += 1
    tags, categories, names = _taxonomies(reader, source, extra)
    authors_raw = meta.get("authors") if not source.is_section else None
    if isinstance(authors_raw, list):
        names = [*(str(a) for a in authors_raw), *names]
    names = [_author_name(n) for n in names]
    authors, byline_source = split_byline(names, reader.config.import_agencies)
    body, summary = _body(reader, source)
    description = meta.get("description")
    if isinstance(description, str) and description.strip():
        summary = description.strip()
    title = _title(reader, source, body)
    date = source.date
    updated = _updated(reader, source)
    if date is None:
        date = updated or _mtime(source.abs_path)
    aliases = [*_aliases(reader, source), *source.aliases]
    base = reader.site.base_url
    return ImportedArticle(
        origin=source.shown, origin_line=1, title=title, date=date, body=body,
        updated=updated, authors=authors, source=byline_source, tags=tags,
        summary=summary or None,
        original_url=base + source.old_path if base else None,
        lang=source.lang if (reader.site.config_found and reader.site.language_given)
        or source.lang != reader.site.default_language else None,
        slug=source.slug if is_valid_slug(source.slug) else None,
        draft=source.draft, page=source.page, categories=categories,
        section=section_of(categories, source.page), old_path=source.old_path,
        aliases=tuple(dict.fromkeys(aliases)),
        extra=extra, assets=tuple(source.assets.assets), media=remote_media(body),
    )


def _taxonomies(
    reader: _Reader, source: _Source, extra: dict[str, object]
) -> tuple[tuple[str, ...], tuple[str, ...], list[str]]:
    table = source.meta.get("taxonomies")
    if source.is_section or table is None:
        return (), (), []
    if not isinstance(table, dict):
        reader.warn(source.shown, source.key_lines.get("taxonomies"),
                    "taxonomies: expected a table of lists; kept under extra")
        extra["taxonomies"] = table
        reader.result.unmapped["taxonomies"] += 1
        return (), (), []
    found: dict[str, list[str]] = {}
    rest: dict[str, object] = {}
    for name, terms in table.items():
        if name in MAPPED_TAXONOMIES and isinstance(terms, list):
            found[name] = [" ".join(str(term).split()) for term in terms if str(term).strip()]
        else:
            rest[name] = terms
            reader.result.unmapped[f"taxonomies.{name}"] += 1
    if rest:
        extra["taxonomies"] = rest
    return (tuple(dict.fromkeys(found.get("tags", []))),
            tuple(dict.fromkeys(found.get("categories", []))), found.get("authors", []))


def _author_name(name: str) -> str:
    """Return the name of an RSS-style author (``page@example.com (Page Author)``)."""
    match = _AUTHOR_EMAIL.match(name)
    return match.group("name").strip() if match else name.strip()


def _title(reader: _Reader, source: _Source, body: str) -> str:
    title = source.meta.get("title")
    if isinstance(title, str) and title.strip():
        return " ".join(title.split())
    heading = _HEADING.search(body)
    if heading is not None:
        found = heading.group("text").strip()
        how = "its first heading"
    else:
        name = source.bundle or source.rel.rpartition("/")[2].split(".")[0]
        if source.is_section:
            name = source.rel.rpartition("/")[0]
        name = name.rsplit("/", 1)[-1]
        match = _RFC3339_NAME.match(name)
        if match is not None and match.group("slug"):
            name = match.group("slug")
        words = re.sub(r"[-_]+", " ", name).strip() or "Untitled"
        found = words[:1].upper() + words[1:]
        how = "the file name"
    reader.warn(source.shown, 1, f"no title: {found!r} taken from {how}")
    return found


def _updated(reader: _Reader, source: _Source) -> dt.datetime | None:
    value = source.meta.get("updated")
    if value is None:
        return None
    parsed = _zola_date(value)
    if parsed is None:
        reader.warn(source.shown, source.key_lines.get("updated"),
                    f"updated: {value!r} is not a date; left out")
        return None
    if not isinstance(parsed, dt.datetime):
        return dt.datetime(parsed.year, parsed.month, parsed.day, tzinfo=dt.UTC)
    return parsed


def _mtime(path: Path) -> dt.date:
    try:
        stamp = path.stat().st_mtime
    except OSError:
        stamp = 0.0
    return dt.datetime.fromtimestamp(stamp, dt.UTC).date()


def _aliases(reader: _Reader, source: _Source) -> list[str]:
    value = source.meta.get("aliases")
    if value is None:
        return []
    if not isinstance(value, list):
        reader.warn(source.shown, source.key_lines.get("aliases"),
                    "aliases: expected a list of paths; left out")
        return []
    found = []
    for alias in value:
        text = str(alias).strip().lstrip("/")
        if not text:
            continue
        # Zola writes an alias ending in .html as that file, any other as a folder.
        found.append(text if text.endswith((".html", "/")) else text + "/")
    return found


# --- the body ----------------------------------------------------------------------------


def _body(reader: _Reader, source: _Source) -> tuple[str, str | None]:
    """Return the body with links and shortcodes converted, and the summary it marks."""
    body = _links(reader, source, source.body)
    body = _shortcodes(reader, source, body)
    summary: str | None = None
    skip = code_ranges(body, comments=False)
    more = next((m for m in _MORE.finditer(body) if outside(skip, m.start(), m.end())), None)
    if more is not None:
        summary = plain_text(body[:more.start()]) or None
        body = body[:more.start()].rstrip() + "\n\n" + body[more.end():].lstrip("\n")
    return body.strip("\n") + "\n" if body.strip() else "", summary


def _links(reader: _Reader, source: _Source, body: str) -> str:
    def change(link: Link) -> str | Unlink | None:
        dest = link.dest.strip()
        line = line_at(body, link.offset, source.body_line)
        if dest.startswith("@/"):
            return _internal_link(reader, source, dest, line)
        return _local_file(reader, source, dest)

    return rewrite_links(body, change)


def _internal_link(reader: _Reader, source: _Source, dest: str, line: int) -> str | Unlink:
    target_path, _, fragment = dest[2:].partition("#")
    key = unquote(target_path).strip("/")
    target = reader.sources.get(key)
    anchor = f"#{fragment}" if fragment else ""
    if target is None:
        reader.warn(source.shown, line, f"link to {dest}: no such page in content/; the link "
                                        "is removed, its text kept")
        return UNLINK
    if target.skip is not None:
        if target.is_section and not target.rel.rpartition("/")[0]:
            return "/" + anchor
        reader.warn(source.shown, line, f"link to {dest}: that page is not imported "
                                        f"({target.skip}); the link is removed, its text kept")
        return UNLINK
    if target.draft and not source.draft:
        reader.warn(source.shown, line, f"link to {dest}: that page is a draft")
    return url_of("/" + target.old_path) + anchor


def _local_file(reader: _Reader, source: _Source, dest: str) -> str | None:
    """Point a link to a file Zola served (a section's, a bundle's, static/) at an asset."""
    parts = urlsplit(dest)
    if parts.scheme or parts.netloc or not parts.path or dest.startswith("#"):
        return None
    path = unquote(parts.path)
    if path.startswith("/"):
        site_path = path.lstrip("/")
    else:
        site_path = posixpath.normpath(posixpath.join(source.old_path, path))
    if site_path.startswith("../") or site_path in (".", ".."):
        return None
    file = reader.served.get(site_path)
    if file is None:
        static = reader.root / "static" / site_path
        if static.is_file() and static.resolve().is_relative_to(
                (reader.root / "static").resolve()):
            file = static
    if file is None:
        return None
    owner_name = next((a.name for a in source.assets.assets if a.src == file), None)
    if owner_name is not None and not path.startswith("/"):
        return None  # a bundle's own file, linked relatively: already right
    name = owner_name or source.assets.add(file, site_path.rsplit("/", 1)[-1])
    reader.used_assets.add(file)
    suffix = (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else "")
    return url_of(name) + suffix


@dataclasses.dataclass(frozen=True, slots=True)
class _Call:
    name: str
    args: dict[str, object]
    start: int
    end: int
    """Offset just past the closing ``}}`` or ``%}``."""
    block: bool


def _shortcodes(reader: _Reader, source: _Source, body: str) -> str:
    """Convert or report every shortcode of ``body``."""
    return _convert(reader, source, body, 0, len(body), code_ranges(body))


def _convert(reader: _Reader, source: _Source, body: str, start: int, end: int,
             skip: t.Sequence[tuple[int, int]]) -> str:
    """Return ``body[start:end]`` with its shortcodes converted; code is left as written."""
    out: list[str] = []
    pos = start
    while pos < end:
        found = _SHORTCODE_START.search(body, pos, end)
        code = next_range(skip, pos)
        if code is not None and code[0] < end and (found is None or code[0] <= found.start()):
            code_start, code_end = max(code[0], pos), min(code[1], end)
            out.append(body[pos:code_start])
            out.append(_escaped_in_code(reader, source, body, code_start, code_end))
            pos = code_end
            continue
        if found is None:
            break
        at = found.start()
        out.append(body[pos:at])
        line = line_at(body, at, source.body_line)
        escaped = _ESCAPED_CALL.match(body, at)
        if escaped is not None and escaped.end() <= end:
            out.append(_code_span(_ESCAPED.sub(_unescape, escaped.group(0))))
            pos = escaped.end()
            continue
        stray = _END_TAG.match(body, at)
        if stray is not None:
            reader.warn(source.shown, line, "'{% end %}' without a shortcode; kept as code")
            out.append(_code_span(stray.group(0)))
            pos = stray.end()
            continue
        call = _parse_call(body, at)
        if call is None or call.end > end:
            out.append(body[at:at + 2])
            pos = at + 2
            continue
        if not call.block:
            out.append(_inline(reader, source, call, body[at:call.end], line))
            pos = call.end
            continue
        closing = _matching_end(body, call.end, end, skip)
        if closing is None:
            reader.warn(source.shown, line, f"shortcode {call.name!r} has no '{{% end %}}'; "
                                            "kept as code")
            out.append(_code_span(body[at:call.end]))
            pos = call.end
            continue
        inner = _convert(reader, source, body, call.end, closing.start(), skip)
        out.append(_block(reader, source, call, inner, line))
        pos = closing.end()
    out.append(body[pos:end])
    return "".join(out)


def _unescape(match: re.Match[str]) -> str:
    return match.group(0).replace("/*", "").replace("*/", "")


def _escaped_in_code(reader: _Reader, source: _Source, body: str, start: int, end: int) -> str:
    """Inside code Zola still renders shortcodes; escaped ones become their plain text."""
    code = body[start:end]
    if code.startswith("<!--"):
        return code
    for found in _SHORTCODE_START.finditer(code):
        call = _parse_call(code, found.start())
        if call is not None:
            reader.warn(source.shown, line_at(body, start + found.start(), source.body_line),
                        f"shortcode {call.name!r} inside code is kept as written")
    return _ESCAPED.sub(_unescape, code)


def _matching_end(body: str, start: int, end: int,
                  skip: t.Sequence[tuple[int, int]]) -> re.Match[str] | None:
    """Return the ``{% end %}`` closing a block opened before ``start``, outside code."""
    depth = 0
    pos = start
    while True:
        marker = re.compile(r"\{%").search(body, pos, end)
        if marker is None:
            return None
        pos = marker.end()
        if not outside(skip, marker.start(), marker.end()):
            continue
        closing = _END_TAG.match(body, marker.start())
        if closing is not None:
            if depth == 0:
                return closing
            depth -= 1
            continue
        call = _parse_call(body, marker.start())
        if call is not None and call.block:
            depth += 1


def _parse_call(text: str, at: int) -> _Call | None:
    """Parse ``{{ name(arg=value, ...) }}`` or ``{% name(...) %}`` starting at ``at``."""
    block = text.startswith("{%", at)
    pos = _skip_space(text, at + 2)
    name = _IDENT.match(text, pos)
    if name is None or name.group(0) == "end":
        return None
    pos = _skip_space(text, name.end())
    if not text.startswith("(", pos):
        return None
    pos += 1
    args: dict[str, object] = {}
    while True:
        pos = _skip_space(text, pos)
        if text.startswith(")", pos):
            pos += 1
            break
        key = _IDENT.match(text, pos)
        if key is None:
            return None
        pos = _skip_space(text, key.end())
        if not text.startswith("=", pos):
            return None
        value, pos = _value(text, _skip_space(text, pos + 1))
        if pos < 0:
            return None
        args[key.group(0)] = value
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos += 1
        elif not text.startswith(")", pos):
            return None
    pos = _skip_space(text, pos)
    closer = "%}" if block else "}}"
    if not text.startswith(closer, pos):
        return None
    return _Call(name.group(0), args, at, pos + 2, block)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _value(text: str, pos: int) -> tuple[object, int]:
    """Read one shortcode argument value; the position is -1 when there is none."""
    if pos >= len(text):
        return None, -1
    quote = text[pos]
    if quote in "\"'`":
        close = text.find(quote, pos + 1)
        return (text[pos + 1:close], close + 1) if close >= 0 else (None, -1)
    if text.startswith("true", pos) or text.startswith("false", pos):
        word = "true" if text.startswith("true", pos) else "false"
        return word == "true", pos + len(word)
    if quote == "[":
        items: list[object] = []
        pos += 1
        while True:
            pos = _skip_space(text, pos)
            if text.startswith("]", pos):
                return items, pos + 1
            item, pos = _value(text, pos)
            if pos < 0:
                return None, -1
            items.append(item)
            pos = _skip_space(text, pos)
            if text.startswith(",", pos):
                pos += 1
    number = _NUMBER.match(text, pos)
    if number is not None:
        value = number.group(0)
        return (float(value) if "." in value else int(value)), number.end()
    return None, -1


def _inline(reader: _Reader, source: _Source, call: _Call, written: str, line: int) -> str:
    converted = _embed(call)
    if converted is not None:
        return converted
    reader.warn(source.shown, line, f"shortcode {call.name!r} is not converted (a template of "
                                    "the old site); kept as code")
    return _code_span(written)


def _block(reader: _Reader, source: _Source, call: _Call, inner: str, line: int) -> str:
    reader.warn(source.shown, line, f"block shortcode {call.name!r} is not converted: its "
                                    "body is kept as text, the shortcode dropped")
    return inner.strip("\n")


def _embed(call: _Call) -> str | None:
    """Return the HTML or Markdown of a built-in Zola shortcode, or None."""
    ident = call.args.get("id")
    if call.name == "youtube" and isinstance(ident, str | int) and str(ident).strip():
        video = html.escape(str(ident).strip(), quote=True)
        playlist = call.args.get("playlist")
        src = (f"https://www.youtube-nocookie.com/embed/videoseries?list={video}"
               if playlist is True else f"https://www.youtube-nocookie.com/embed/{video}")
        if call.args.get("autoplay") is True:
            src += ("&amp;" if "?" in src else "?") + "autoplay=1"
        return (f'<iframe src="{src}" title="YouTube video" allowfullscreen '
                'loading="lazy"></iframe>')
    if call.name == "vimeo" and isinstance(ident, str | int) and str(ident).strip():
        video = html.escape(str(ident).strip(), quote=True)
        return (f'<iframe src="https://player.vimeo.com/video/{video}" title="Vimeo video" '
                'allowfullscreen loading="lazy"></iframe>')
    if call.name == "streamable" and isinstance(ident, str | int) and str(ident).strip():
        return f"[Streamable video](https://streamable.com/{url_of(str(ident).strip())})"
    url = call.args.get("url")
    if call.name == "gist" and isinstance(url, str) and _SAFE_URL.match(url):
        file = call.args.get("file")
        label = f"Gist: {file}" if isinstance(file, str) and file else "Gist"
        return f"[{_escape_text(label)}]({url})"
    return None


def _escape_text(text: str) -> str:
    """Escape what would end or nest a link's text."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _code_span(text: str) -> str:
    text = re.sub(r"\s*\n\s*", " ", text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
