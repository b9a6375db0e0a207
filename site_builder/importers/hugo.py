"""Read a Hugo site (or a bare Hugo content folder) into a :class:`SiteImport`.

The reader works out, for every page, what Hugo did with it: its front matter (YAML,
TOML or JSON, keys in any case, ``params`` merged in, ``cascade`` applied), its dates
(Hugo's own fallbacks, or the site's ``[frontmatter]`` settings), its language (file
name suffix or language content folder) and the path Hugo published it at (``url``,
``permalinks``, ``slug``, ``uglyURLs``, language prefix, Hugo's lower-casing). Shortcodes
are converted by :mod:`.hugo_shortcodes`.

What becomes what:

- A regular page in a section (``posts/x.md``, ``posts/x/index.md``) with a date is an
  article. A page without any date (Hugo allows it; an article needs one), a page at the
  root of the content folder and a page Hugo left out of every list
  (``build.list = "never"``) are imported as standalone pages (``page: true``); a page
  without a date gets the file's modification time as its date.
- A section page (``_index.md``) with text of its own is imported as a page at the
  section's path; one without text (the usual case: Hugo lists the section there) is
  skipped as a section list page. Taxonomy and term pages are skipped.
- Headless bundles and pages Hugo never rendered (``build.render`` ``never`` or ``link``)
  are skipped with their resources; other drafts are imported as drafts.
- Files of a leaf bundle are the assets of its page; content files in a leaf bundle are
  page resources Hugo does not publish, and are skipped. Files of a branch bundle or of
  ``static/`` become assets of every article whose body links to them (the link is
  rewritten to the copy next to the article); the others are skipped with the path Hugo
  published them at.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import html
import json
import os
import posixpath
import re
import tomllib
import typing as t
import unicodedata
import zoneinfo
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import yaml

from ..body import BodyError, render_markdown
from ..config import Config, check_permalink
from ..content import MAX_FILE_BYTES, clean_text, split_front_matter
from ..errors import Problem
from ..model import Image
from . import dead_links, hugo_shortcodes
from .imported import Accounted, Asset, ImportedArticle, Kind, SiteImport, section_of, split_byline

CONFIG_NAMES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
                "config.toml", "config.yaml", "config.yml", "config.json")
"""Site configuration files Hugo looks for, in its order."""
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
OTHER_FORMATS = {".html": "HTML", ".htm": "HTML", ".adoc": "AsciiDoc", ".asciidoc": "AsciiDoc",
                 ".ad": "AsciiDoc", ".org": "Emacs Org Mode", ".pandoc": "Pandoc",
                 ".pdc": "Pandoc", ".rst": "reStructuredText"}
"""Content formats Hugo renders that are not Markdown: reported, not converted."""
PLACEHOLDER_HOSTS = frozenset({"example.org", "www.example.org", "example.com",
                               "www.example.com", "example.net", "localhost", "127.0.0.1"})
"""Hosts of a ``baseURL`` left as Hugo's skeleton wrote it: no ``original_url`` from them."""
DEFAULT_TAXONOMIES = ("tags", "categories")
DATE_SOURCES = {
    "date": ["date", "publishdate", "pubdate", "published", "lastmod", "modified"],
    "publishdate": ["publishdate", "pubdate", "published", "date"],
    "lastmod": [":git", "lastmod", "modified", "date", "publishdate", "pubdate", "published"],
}
"""Hugo's default front-matter date sources (its ``[frontmatter]`` setting)."""
BULK_FOLDERS = {"public": "Hugo's build output", "resources": "Hugo's generated resources",
                "node_modules": "npm packages"}
OTHER_FOLDERS = {"layouts": "template", "themes": "theme file", "archetypes": "archetype",
                 "assets": "asset-pipeline file", "data": "data file",
                 "i18n": "translation strings", "config": "site configuration"}

_LANG_SUFFIX = re.compile(r"^(?P<base>.+)\.(?P<lang>[a-z]{2,3}(?:-[a-z0-9]{2,8})*)$")
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*", re.IGNORECASE)
_FILE_DATE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<rest>.+)$")
_DIVIDER = "<!--more-->"
_MARK = "\x00more\x00"
_FENCE_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<marks>`{3,}|~{3,})(?P<info>.*)$")
_TOKEN = re.compile(r":(?P<name>[A-Za-z0-9_]+)(?P<slice>\[[^\]]*\])?")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_MD_LINK = re.compile(r"!?\[(?:[^\[\]\n\\]|\\.)*\]\(\s*<?(?P<url>[^\s)<>]+)")
_MD_REFDEF = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?(?P<url>[^\s<>]+)", re.MULTILINE)
_HTML_URL = re.compile(r"\s(?:src|href|poster)\s*=\s*(?P<q>[\"'])(?P<url>[^\"'<>]*)(?P=q)",
                       re.IGNORECASE)
_MD_IMAGE = re.compile(r"!\[(?:[^\[\]\\]|\\.)*\]\(\s*<?(?P<url>https?://[^\s)>]+)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*?\ssrc\s*=\s*[\"'](?P<url>https?://[^\"']+)[\"']",
                         re.IGNORECASE)
_SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on",
                          "or", "the", "to", "via", "with"})
_GO_LAYOUT = {"2006": "%Y", "06": "%y", "01": "%m", "1": "%-m", "02": "%d", "2": "%-d",
              "January": "%B", "Jan": "%b", "Monday": "%A", "Mon": "%a", "15": "%H",
              "03": "%I", "04": "%M", "05": "%S"}
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S %z %Z", "%Y-%m-%d %H:%M",
                 "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y",
                 "%Y/%m/%d", "%d %b %Y %H:%M %Z")
_OUR_FIELD = {"year": "{year}", "month": "{month}", "day": "{day}", "slug": "{slug}",
              "title": "{slug}", "filename": "{slug}", "contentbasename": "{slug}",
              "slugorfilename": "{slug}", "slugorcontentbasename": "{slug}"}

Role = t.Literal["article", "page", "skipped"]


# --- the site's configuration ---------------------------------------------------------

@dataclasses.dataclass(slots=True)
class _Language:
    code: str
    content_dir: str | None = None
    base_url: str | None = None
    permalinks: object = None
    disabled: bool = False


@dataclasses.dataclass(slots=True)
class _Cascade:
    values: dict[str, object]
    path: re.Pattern[str] | None
    kinds: tuple[str, ...]
    langs: tuple[str, ...]
    dir: str
    """Content folder (relative, POSIX, ``""`` for the root) whose descendants it reaches."""
    lang: str | None
    """Language of the section page it came from (None: the site configuration)."""


@dataclasses.dataclass(slots=True)
class _Site:
    root: Path
    is_site: bool
    config: dict[str, object] = dataclasses.field(default_factory=dict)
    config_files: list[Path] = dataclasses.field(default_factory=list)
    content_dirs: list[tuple[Path, str | None]] = dataclasses.field(default_factory=list)
    static_dirs: list[Path] = dataclasses.field(default_factory=list)
    base_url: str | None = None
    default_lang: str = "en"
    lang_configured: bool = False
    languages: dict[str, _Language] = dataclasses.field(default_factory=dict)
    in_subdir: bool = False
    permalinks: object = None
    ugly: object = False
    lower: bool = True
    remove_accents: bool = False
    tz: dt.tzinfo = dt.UTC
    tz_name: str | None = None
    taxonomies: tuple[str, ...] = DEFAULT_TAXONOMIES
    date_sources: dict[str, list[str]] = dataclasses.field(
        default_factory=lambda: {k: list(v) for k, v in DATE_SOURCES.items()})
    params: dict[str, object] = dataclasses.field(default_factory=dict)
    cascades: list[_Cascade] = dataclasses.field(default_factory=list)
    ignore: list[re.Pattern[str]] = dataclasses.field(default_factory=list)
    multilingual: bool = False
    section: str = ""
    """For a bare section folder (``content-management/``): its name, the section its
    pages are in, as under ``content/<name>/``; ``""`` when the folder is the content
    root."""


# --- pages ----------------------------------------------------------------------------

@dataclasses.dataclass(slots=True)
class _Resource:
    file: Path
    shown: str
    bundle: _Page | None = None
    """The leaf bundle page it belongs to, if any."""
    name: str = ""
    """Path inside its bundle (for bundle resources)."""
    used: bool = False


@dataclasses.dataclass(slots=True)
class _Page:
    shown: str
    """Path shown to the user (relative to the imported folder)."""
    file: Path
    rel: str
    """Path relative to its content folder, POSIX."""
    lang: str
    kind: str
    """``page``, ``section``, ``home``, ``taxonomy`` or ``term``."""
    leaf: bool
    folder: str
    """Folder of the page in the content tree: the bundle's parent for a leaf bundle,
    the section itself for a section page."""
    base: str
    """Hugo's content base name: the file name without extension and language, or the
    bundle's folder name."""
    meta: dict[str, tuple[str, object]] = dataclasses.field(default_factory=dict)
    """Front matter by lower-case key: (key as written, value)."""
    key_lines: dict[str, int] = dataclasses.field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    resources: list[_Resource] = dataclasses.field(default_factory=list)
    used: set[str] = dataclasses.field(default_factory=set)
    """Lower-case front-matter keys that a field took."""
    title: str = ""
    date: dt.date | dt.datetime | None = None
    updated: dt.datetime | None = None
    slug: str | None = None
    """The slug as written in front matter (or the file name's, with ``:filename``)."""
    url: str | None = None
    draft: bool = False
    role: Role = "article"
    reason: str | None = None
    old_path: str | None = None
    path_template: str | None = None
    """Our permalink pattern that gives ``old_path``, when the scheme maps to ours."""
    url_slug: str | None = None
    """The slug value as it appears in ``old_path``'s last segment, case kept."""
    problems: list[Problem] = dataclasses.field(default_factory=list)
    cascade: list[_Cascade] = dataclasses.field(default_factory=list)
    lang_known: bool = False
    """The language comes from the file name, a language content folder or the site
    configuration (not only from Hugo's default, ``en``)."""

    @property
    def logical(self) -> str:
        """Return Hugo's logical path: ``/posts/my-post``, ``/posts``, ``/``."""
        if self.kind in ("section", "home", "taxonomy", "term"):
            return "/" + self.folder
        return "/" + posixpath.join(self.folder, self.base)

    @property
    def section(self) -> str:
        """Return the top-level section (``""`` for a page at the root)."""
        return self.folder.split("/")[0] if self.folder else ""

    def value(self, key: str) -> object:
        entry = self.meta.get(key)
        return None if entry is None else entry[1]

    def line(self, key: str) -> int:
        entry = self.meta.get(key)
        if entry is None:
            return 1
        return self.key_lines.get(entry[0], 1)

    def warn(self, key: str | None, message: str) -> None:
        line = self.line(key) if key else 1
        self.problems.append(Problem(self.shown, line, message, level="warning"))


class _RefContext:
    """What the shortcode converter asks about one page."""

    def __init__(self, reader: _Reader, page: _Page) -> None:
        self.reader = reader
        self.page = page
        self.embed_hosts = reader.config.embed_hosts

    def ref(self, target: str, lang: str | None) -> str | None:
        return self.reader.ref(self.page, target, lang)

    def param(self, name: str) -> object:
        found = _dotted(self.page.meta, name)
        if found is None:
            site = {k.lower(): (k, v) for k, v in self.reader.site.params.items()}
            found = _dotted(site, name)
        return found


def _dotted(meta: t.Mapping[str, tuple[str, object]], name: str) -> object:
    parts = name.lower().split(".")
    entry = meta.get(parts[0])
    if entry is None:
        return None
    value = entry[1]
    for part in parts[1:]:
        if not isinstance(value, dict):
            return None
        value = {str(k).lower(): v for k, v in value.items()}.get(part)
    return value


# --- reading --------------------------------------------------------------------------

def _section_of(folder: Path) -> str:
    """Return the section a bare content folder is, by its name: ``""`` for a folder named
    ``content`` or a language folder directly under one (``content/en``), the content
    root."""
    name = folder.resolve().name
    parent = folder.resolve().parent.name
    if name.lower() == "content" or not name:
        return ""
    if parent.lower() == "content" and _LANG_CODE.fullmatch(name):
        return ""
    return name


def read_site(path: Path, config: Config, settings: Path | None = None) -> SiteImport:
    """Read the Hugo site or content folder at ``path``.

    ``settings`` names the site configuration file to read instead of the one found in
    ``path`` (what ``hugo --config`` takes). Every file under ``path`` is accounted for;
    a file that cannot be read or parsed is an error and the rest is still read.
    """
    result = SiteImport()
    _Reader(path, config, result).run(settings)
    return result


class _Reader:
    def __init__(self, path: Path, config: Config, result: SiteImport) -> None:
        self.root = path
        self.config = config
        self.result = result
        self.site = _Site(root=path, is_site=False)
        self.accounted: dict[str, Accounted] = {}
        self.pages: list[_Page] = []
        self.resources: list[_Resource] = []
        """Files outside leaf bundles that an article may link to (section, static)."""
        self.by_url: dict[str, _Resource] = {}
        self.refs: dict[str, list[_Page]] = {}
        self.basenames: dict[str, list[_Page]] = {}
        self.section_folders: set[str] | None = None

    # messages and accounting

    def shown(self, file: Path) -> str:
        try:
            return file.relative_to(self.root).as_posix()
        except ValueError:
            return file.as_posix()

    def account(self, shown: str, kind: Kind, reason: str | None = None) -> None:
        if shown not in self.accounted:
            self.accounted[shown] = Accounted(shown, kind, reason)

    def error(self, shown: str, line: int | None, message: str) -> None:
        self.result.problems.append(Problem(shown, line, message))

    def warn(self, shown: str, line: int | None, message: str) -> None:
        self.result.problems.append(Problem(shown, line, message, level="warning"))

    # the run

    def run(self, settings: Path | None) -> None:
        if not self.root.is_dir():
            self.error(self.root.as_posix(), None, "not a folder: expected a Hugo site or "
                                                   "its content folder")
            return
        self.load_site(settings)
        self.walk()
        self.apply_cascades()
        for page in self.pages:
            self.read_fields(page)
        for page in self.pages:
            self.compute_path(page)
        self.index_pages()
        self.index_resources()
        articles: list[tuple[_Page, ImportedArticle]] = []
        for page in self.pages:
            article = self.build(page)
            if article is not None:
                articles.append((page, article))
        self.settle_aliases(articles)
        files = {page.shown: page.file for page, _ in articles}
        dead_links.settle(self.result, self.config, self.site.base_url,
                          lambda article: dead_links.source_text(files.get(article.origin)),
                          lambda path: path in self.by_url)
        self.finish_resources()
        self.propose([p for p, _ in articles])
        self.result.accounted = sorted(self.accounted.values(), key=lambda a: a.path)
        self.result.problems.sort(key=lambda p: (p.path, p.line or 0, p.message))

    # site configuration

    def load_site(self, settings: Path | None) -> None:
        site = self.site
        files: list[Path] = []
        if settings is not None:
            files = [settings]
        else:
            found = next((self.root / n for n in CONFIG_NAMES if (self.root / n).is_file()),
                         None)
            if found is not None:
                files.append(found)
            default = self.root / "config" / "_default"
            if default.is_dir():
                files += sorted(p for p in default.iterdir()
                                if p.is_file() and p.suffix in (".toml", ".yaml", ".yml",
                                                                ".json"))
        merged: dict[str, object] = {}
        for file in files:
            data = self.parse_config(file)
            if data is None:
                continue
            site.config_files.append(file)
            stem = file.stem.lower()
            if file.parent.name == "_default" and stem not in ("hugo", "config"):
                data = {stem: data}
            _merge(merged, data)
        site.config = merged
        conf = merged
        name = conf.get("contentdir")
        content_dir = self.root / (name if isinstance(name, str) else "content")
        found_here = bool(files) and settings is None
        site.is_site = found_here or (content_dir.is_dir() and not any(
            p.suffix in MARKDOWN_SUFFIXES for p in self.root.iterdir() if p.is_file()))
        if not site.is_site:
            site.content_dirs = [(self.root, None)]
            site.section = _section_of(self.root)
        else:
            name = conf.get("contentdir")
            site.content_dirs = [(self.root / (name if isinstance(name, str) else "content"),
                                  None)]
            statics = conf.get("staticdir", "static")
            names = statics if isinstance(statics, list) else [statics]
            site.static_dirs = [self.root / n for n in names if isinstance(n, str)]
        base = conf.get("baseurl")
        if isinstance(base, str) and base.strip():
            site.base_url = base.strip().rstrip("/") + "/"
        lang = conf.get("defaultcontentlanguage")
        if isinstance(lang, str) and lang.strip():
            site.default_lang = lang.strip().lower()
            site.lang_configured = True
        site.in_subdir = conf.get("defaultcontentlanguageinsubdir") is True
        languages = conf.get("languages")
        if isinstance(languages, dict) and languages:
            site.lang_configured = True
            for code, values in languages.items():
                entry = _Language(str(code).lower())
                if isinstance(values, dict):
                    content = values.get("contentdir")
                    if isinstance(content, str) and content.strip():
                        entry.content_dir = content
                    url = values.get("baseurl")
                    if isinstance(url, str) and url.strip():
                        entry.base_url = url.strip().rstrip("/") + "/"
                    entry.permalinks = values.get("permalinks")
                    entry.disabled = values.get("disabled") is True
                site.languages[entry.code] = entry
            disabled = conf.get("disablelanguages")
            if isinstance(disabled, list):
                for code in disabled:
                    if str(code).lower() in site.languages:
                        site.languages[str(code).lower()].disabled = True
            for entry in site.languages.values():
                if entry.content_dir:
                    site.content_dirs.append((self.root / entry.content_dir, entry.code))
            site.multilingual = len(site.languages) > 1
            if site.default_lang not in site.languages and not isinstance(lang, str):
                site.default_lang = next(iter(site.languages))
        site.permalinks = conf.get("permalinks")
        site.ugly = conf.get("uglyurls", False)
        site.lower = conf.get("disablepathtolower") is not True
        site.remove_accents = conf.get("removepathaccents") is True
        zone = conf.get("timezone")
        if isinstance(zone, str) and zone.strip():
            try:
                site.tz = zoneinfo.ZoneInfo(zone.strip())
                site.tz_name = zone.strip()
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                self.warn(self.shown(site.config_files[0]) if site.config_files else "",
                          None, f"timeZone: unknown time zone {zone!r}; dates without an "
                                "offset are read as UTC")
        taxonomies = conf.get("taxonomies")
        if isinstance(taxonomies, dict):
            site.taxonomies = tuple(str(v).lower() for v in taxonomies.values())
        front = conf.get("frontmatter")
        if isinstance(front, dict):
            for key, sources in front.items():
                if key in DATE_SOURCES and isinstance(sources, list):
                    expanded: list[str] = []
                    for source in sources:
                        source = str(source).lower()
                        expanded += DATE_SOURCES[key] if source == ":default" else [source]
                    site.date_sources[key] = expanded
        params = conf.get("params")
        if isinstance(params, dict):
            site.params = params
        site.cascades = self.cascades_of(conf.get("cascade"), "", None)
        ignore = conf.get("ignorefiles")
        if isinstance(ignore, list):
            for pattern in ignore:
                try:
                    site.ignore.append(re.compile(str(pattern)))
                except re.error:
                    self.warn(self.shown(site.config_files[0]), None,
                              f"ignoreFiles: {pattern!r} is not a regular expression")
        if site.base_url is not None:
            host = urlsplit(site.base_url).hostname or ""
            if urlsplit(site.base_url).scheme not in ("http", "https") or not host:
                site.base_url = None
            elif host in PLACEHOLDER_HOSTS:
                self.warn(self.shown(site.config_files[0]), None,
                          f"baseURL {site.base_url} looks like a placeholder; the articles "
                          "get no original_url")
                site.base_url = None

    def parse_config(self, file: Path) -> dict[str, object] | None:
        shown = self.shown(file)
        try:
            text = clean_text(file.read_bytes().decode("utf-8-sig"))
        except OSError as exc:
            self.error(shown, None, f"cannot read the site configuration: "
                                    f"{exc.strerror or exc}")
            return None
        except UnicodeDecodeError:
            self.error(shown, None, "site configuration is not UTF-8 text")
            return None
        try:
            if file.suffix == ".toml":
                data: object = tomllib.loads(text)
            elif file.suffix == ".json":
                data = json.loads(text)
            else:
                data = yaml.safe_load(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+)", str(exc))
            reason = re.sub(r"\s*\(at line.*\)", "", str(exc))
            self.error(shown, int(match.group(1)) if match else None,
                       f"invalid TOML in the site configuration: {reason}")
            return None
        except json.JSONDecodeError as exc:
            self.error(shown, exc.lineno, f"invalid JSON in the site configuration: {exc.msg}")
            return None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.error(shown, mark.line + 1 if mark is not None else None,
                       f"invalid YAML in the site configuration: "
                       f"{getattr(exc, 'problem', None) or exc}")
            return None
        except RecursionError:
            self.error(shown, None, "site configuration nested too deeply")
            return None
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.error(shown, 1, "site configuration must be a mapping of keys to values")
            return None
        return t.cast(dict[str, object], _lower_keys(data))

    def cascades_of(self, value: object, folder: str, lang: str | None) -> list[_Cascade]:
        entries = value if isinstance(value, list) else [value] if isinstance(value, dict) \
            else []
        found: list[_Cascade] = []
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            values = {str(k): v for k, v in entry.items()
                      if str(k).lower() not in ("target", "_target")}
            target = entry.get("target", entry.get("_target"))
            path = kinds = langs = None
            if isinstance(target, dict):
                target = {str(k).lower(): v for k, v in target.items()}
                if isinstance(target.get("path"), str):
                    path = _glob(t.cast(str, target["path"]))
                if isinstance(target.get("kind"), str):
                    kinds = tuple(s.strip() for s in t.cast(str, target["kind"]).split(","))
                langs = _target_langs(target)
            found.append(_Cascade(values, path, kinds or (), langs or (), folder, lang))
        return found

    # finding the files

    def walk(self) -> None:
        folders = [(d, lang) for d, lang in self.site.content_dirs if d.is_dir()]
        if not folders:
            self.error(self.shown(self.site.content_dirs[0][0]) or ".", None,
                       "content folder not found")
        self.site.content_dirs = folders
        self.site.static_dirs = [d for d in self.site.static_dirs if d.is_dir()]
        content = {d.resolve(): lang for d, lang in folders}
        static = {d.resolve() for d in self.site.static_dirs}
        config_files = {f.resolve() for f in self.site.config_files}
        if self.root.resolve() not in content:
            self.walk_folder(self.root, content, static, config_files)
        for folder, lang in folders:
            nested = [other for other, _ in folders
                      if other != folder and other.resolve().is_relative_to(folder.resolve())]
            self.read_content(folder, lang, nested)
        for folder in self.site.static_dirs:
            for file in _files(folder, self.note_link):
                rel = file.relative_to(folder).as_posix()
                resource = _Resource(file, self.shown(file))
                self.resources.append(resource)
                self.by_url.setdefault(rel.lower(), resource)

    def note_link(self, file: Path) -> None:
        self.account(self.shown(file), "skipped", "symbolic link or special file: not "
                                                  "followed")

    def walk_folder(self, folder: Path, content: dict[Path, str | None], static: set[Path],
                    config_files: set[Path]) -> None:
        """Account for every file outside the content and static folders."""
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self.error(self.shown(folder), None, f"cannot list folder: {exc.strerror or exc}")
            return
        for entry in entries:
            path = Path(entry.path)
            shown = self.shown(path)
            if entry.is_symlink() or not (entry.is_dir() or entry.is_file()):
                self.note_link(path)
                continue
            resolved = path.resolve()
            if resolved in content or resolved in static:
                continue
            if entry.is_dir():
                inner = any(c.is_relative_to(resolved) for c in (*content, *static))
                top = shown.split("/")[0]
                if not inner and (top in BULK_FOLDERS or entry.name.startswith(".")) and \
                        path.parent == self.root:
                    reason = BULK_FOLDERS.get(top, "hidden folder")
                    self.account(shown + "/", "skipped", f"{reason}: not imported")
                    continue
                self.walk_folder(path, content, static, config_files)
                continue
            if resolved in config_files:
                self.account(shown, "skipped", "site configuration (read for the import)")
                continue
            top = shown.split("/")[0] if "/" in shown else ""
            kind = OTHER_FOLDERS.get(top)
            reason = f"{kind}: not imported" if kind else "not part of the site's content: " \
                                                          "not imported"
            self.account(shown, "skipped", reason)

    def read_content(self, folder: Path, lang: str | None, exclude: t.Sequence[Path]) -> None:
        within = self.site.section + "/" if self.site.section and folder == self.root else ""
        files = {file: within + file.relative_to(folder).as_posix()
                 for file in _files(folder, self.note_link)
                 if not any(file.is_relative_to(other) for other in exclude)}
        leaves: set[str] = set()
        branches: set[str] = set()
        for rel in files.values():
            stem, suffix = _split_name(posixpath.basename(rel))
            if suffix in MARKDOWN_SUFFIXES or suffix in OTHER_FORMATS:
                base, _ = self.split_lang(stem)
                directory = posixpath.dirname(rel)
                if base == "index" and directory:
                    leaves.add(directory)
                elif base == "_index":
                    branches.add(directory)
        bundle_pages: dict[str, list[_Page]] = {}
        bundle_files: dict[str, list[_Resource]] = {}
        for file, rel in files.items():
            shown = self.shown(file)
            parts = rel.split("/")
            if any(p.startswith(".") for p in parts):
                self.account(shown, "skipped", "hidden file: Hugo ignores it")
                continue
            if parts[-1].startswith("#") or parts[-1].endswith("~"):
                self.account(shown, "skipped", "editor backup file: Hugo ignores it")
                continue
            if any(p.search(rel) for p in self.site.ignore):
                self.account(shown, "skipped", "matches ignoreFiles: Hugo ignores it")
                continue
            if parts[-1] == "_content.gotmpl":
                self.account(shown, "skipped", "content adapter (template code): not imported")
                self.warn(shown, None, "content adapter not converted: the pages it makes are "
                                       "not imported")
                continue
            directory = posixpath.dirname(rel)
            bundle = _leaf_of(directory, leaves)
            stem, suffix = _split_name(parts[-1])
            is_content = suffix in MARKDOWN_SUFFIXES or suffix in OTHER_FORMATS
            if not is_content:
                resource = _Resource(file, shown)
                if bundle is not None:
                    resource.name = posixpath.relpath(rel, bundle)
                    bundle_files.setdefault(bundle, []).append(resource)
                else:
                    self.resources.append(resource)
                    self.by_url.setdefault(rel.lower(), resource)
                continue
            base, file_lang = self.split_lang(stem)
            if bundle is not None and not (directory == bundle and base == "index"):
                self.account(shown, "skipped", f"content file inside the leaf bundle "
                                               f"'{bundle}/': a page resource Hugo does not "
                                               "publish as a page")
                continue
            if suffix in OTHER_FORMATS:
                self.account(shown, "skipped", f"{OTHER_FORMATS[suffix]} content: not "
                                               "converted")
                self.warn(shown, None, f"{OTHER_FORMATS[suffix]} content not converted; only "
                                       "Markdown is imported")
                continue
            page_lang = lang or file_lang or self.site.default_lang
            entry = self.site.languages.get(page_lang)
            if entry is not None and entry.disabled:
                self.account(shown, "skipped", f"language '{page_lang}' is disabled in the "
                                               "site configuration")
                continue
            if not self.site.lang_configured and file_lang and \
                    file_lang != self.site.default_lang:
                self.site.multilingual = True
            page = self.parse_page(file, shown, rel, page_lang, base, directory, bundle)
            if page is None:
                continue
            page.lang_known = bool(lang or file_lang or self.site.lang_configured)
            self.pages.append(page)
            if bundle is not None:
                bundle_pages.setdefault(bundle, []).append(page)
        for bundle, resources in bundle_files.items():
            pages = bundle_pages.get(bundle, [])
            for resource in resources:
                if not pages:
                    self.account(resource.shown, "skipped", "file of a leaf bundle whose page "
                                                            "could not be read")
                    continue
                resource.bundle = pages[0]
                for page in pages:
                    page.resources.append(resource)

    def split_lang(self, stem: str) -> tuple[str, str | None]:
        match = _LANG_SUFFIX.match(stem)
        if match is None:
            return stem, None
        code = match.group("lang")
        if self.site.lang_configured and code not in self.site.languages and \
                code != self.site.default_lang:
            return stem, None
        return match.group("base"), code

    def parse_page(self, file: Path, shown: str, rel: str, lang: str, base: str,
                   directory: str, bundle: str | None) -> _Page | None:
        text = self.read_text(file, shown)
        if text is None:
            return None
        warnings: list[Problem] = []
        split = _split_front_matter(text, shown, warnings)
        if isinstance(split, Problem):
            self.result.problems.append(split)
            self.account(shown, "skipped", f"cannot be parsed: {split.message}")
            return None
        meta, key_lines, body, body_line = split
        top = directory.split("/")[0] if directory else ""
        if base == "_index":
            depth = len(directory.split("/")) if directory else 0
            if not directory:
                kind = "home"
            elif top in self.site.taxonomies and depth <= 2:
                kind = "taxonomy" if depth == 1 else "term"
            else:
                kind = "section"
            folder, name = directory, posixpath.basename(directory)
        elif bundle is not None:
            kind, folder, name = "page", posixpath.dirname(directory), \
                posixpath.basename(directory)
        else:
            kind, folder, name = "page", directory, base
        page = _Page(shown=shown, file=file, rel=rel, lang=lang, kind=kind,
                     leaf=bundle is not None, folder=folder, base=name, key_lines=key_lines,
                     body=body, body_line=body_line)
        page.problems += [dataclasses.replace(w, level="warning") for w in warnings]
        _flatten_into(page.meta, meta)
        return page

    def read_text(self, file: Path, shown: str) -> str | None:
        try:
            size = file.stat().st_size
            if size > MAX_FILE_BYTES:
                self.error(shown, None, f"file of {size:,} bytes is too large "
                                        f"(at most {MAX_FILE_BYTES:,})")
                self.account(shown, "skipped", "too large to read")
                return None
            data = file.read_bytes()
        except OSError as exc:
            self.error(shown, None, f"cannot read file: {exc.strerror or exc}")
            self.account(shown, "skipped", "cannot be read")
            return None
        try:
            return clean_text(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            self.error(shown, data.count(b"\n", 0, exc.start) + 1, "not UTF-8 text")
            self.account(shown, "skipped", "not UTF-8 text")
            return None

    # front matter

    def apply_cascades(self) -> None:
        sections = {(p.folder, p.lang): p for p in self.pages
                    if p.kind in ("section", "home", "taxonomy", "term")}
        for page in sections.values():
            value = page.value("cascade")
            if value is not None:
                page.used.add("cascade")
                page.cascade = self.cascades_of(value, page.folder, page.lang)
        for page in self.pages:
            # Nearest first: the page's own section (for a regular page), its parents, the
            # site; a section page takes nothing from its own cascade.
            chain: list[_Cascade] = []
            folder = page.folder if page.kind == "page" else posixpath.dirname(page.folder) \
                if page.folder else None
            visited: list[str] = []
            while folder is not None:
                visited.append(folder)
                folder = posixpath.dirname(folder) if folder else None
            for folder in visited:
                section = sections.get((folder, page.lang))
                if section is not None and section is not page:
                    chain += section.cascade
            chain += self.site.cascades
            for cascade in chain:
                if not _cascade_matches(cascade, page):
                    continue
                defaults: dict[str, tuple[str, object]] = {}
                _flatten_into(defaults, cascade.values)
                for key, entry in defaults.items():
                    if key not in page.meta:
                        page.meta[key] = entry

    def read_fields(self, page: _Page) -> None:
        site = self.site
        title = page.value("title")
        if isinstance(title, str | int | float) and not isinstance(title, bool) and \
                str(title).strip():
            page.title = str(title).strip()
            page.used.add("title")
        else:
            if title is not None:
                page.warn("title", "title: expected text; the file name is used")
            site_title = self.site.config.get("title")
            if page.kind == "home" and isinstance(site_title, str) and site_title.strip():
                page.title = site_title.strip()
            else:
                page.title = _humanize(page.base or "home")
        page.used.add("title")
        slug = page.value("slug")
        if isinstance(slug, str | int) and not isinstance(slug, bool) and str(slug).strip():
            page.slug = str(slug).strip()
            page.used.add("slug")
        elif slug is not None:
            page.warn("slug", "slug: expected text; ignored")
        if _strings(page.value("aliases")) is not None:
            page.used.add("aliases")
        url = page.value("url")
        if isinstance(url, str) and url.strip():
            page.url = url.strip()
            page.used.add("url")
        draft = page.value("draft")
        if isinstance(draft, bool):
            page.draft = draft
            page.used.add("draft")
        elif isinstance(draft, str) and draft.strip().lower() in ("true", "false"):
            page.draft = draft.strip().lower() == "true"
            page.used.add("draft")
        elif draft is not None:
            page.warn("draft", "draft: expected true or false; read as false")
        dates: dict[str, dt.date | dt.datetime | None] = {}
        for field, sources in site.date_sources.items():
            dates[field] = self.date_from(page, sources)
        page.date = dates["date"]
        lastmod = dates["lastmod"]
        if lastmod is not None and lastmod != page.date:
            page.updated = _as_datetime(lastmod, site.tz)
        for key in ("date", "publishdate", "pubdate", "published", "lastmod", "modified"):
            if key in page.meta:
                value = _hugo_date(page.value(key), site.tz)
                if isinstance(value, dt.date) and value in (page.date, lastmod):
                    page.used.add(key)
        # What the page is, and whether it was published at all.
        build = page.value("build") if "build" in page.meta else page.value("_build")
        options: dict[str, object] = {}
        for key in ("build", "_build"):
            if key in page.meta:
                page.used.add(key)
        if isinstance(build, dict):
            options = {str(k).lower(): v for k, v in build.items()}
        headless = page.value("headless")
        if headless is not None:
            page.used.add("headless")
        render = str(options.get("render", "always")).lower()
        listed = str(options.get("list", "always")).lower()
        if render in ("false", "never"):
            render = "never"
        if headless is True and page.leaf:
            page.role, page.reason = "skipped", "headless bundle: Hugo does not publish it"
        elif render in ("never", "link"):
            page.role = "skipped"
            page.reason = f"build.render = \"{render}\": Hugo does not publish it"
        elif page.kind in ("taxonomy", "term"):
            page.role, page.reason = "skipped", "taxonomy list page"
        elif (page.kind in ("section", "home") or page.date is None or not page.section
              or listed in ("never", "false")):
            page.role = "page"
        else:
            page.role = "article"

    def date_from(self, page: _Page, sources: list[str]) -> dt.date | dt.datetime | None:
        for source in sources:
            if source == ":filename":
                match = _FILE_DATE.match(page.base)
                if match is not None:
                    value = _hugo_date(match.group("date"), self.site.tz)
                    if isinstance(value, dt.date):
                        if page.slug is None and "slug" not in page.meta:
                            page.slug = match.group("rest")
                        return value
                continue
            if source == ":filemodtime":
                return _mtime(page.file)
            if source.startswith(":"):
                continue
            value = self.date_value(page, source)
            if value is not None:
                return value
        return None

    def date_value(self, page: _Page, key: str) -> dt.date | dt.datetime | None:
        """Return the date under ``key`` (reported once when it cannot be read)."""
        if key not in page.meta:
            return None
        raw = page.value(key)
        value = _hugo_date(raw, self.site.tz)
        if value == "invalid":
            message = f"{page.meta[key][0]}: cannot read {_show(raw)} as a date; ignored"
            if not any(p.message == message for p in page.problems):
                page.warn(key, message)
            return None
        return t.cast("dt.date | None", value)

    # paths

    def lang_prefix(self, lang: str) -> str:
        site = self.site
        entry = site.languages.get(lang)
        if entry is not None and entry.base_url:
            return ""
        if not site.multilingual and not site.in_subdir:
            return ""
        if lang == site.default_lang and not site.in_subdir:
            return ""
        return lang + "/"

    def make_path(self, text: str, lower: bool = True) -> str:
        """Return ``text`` as Hugo makes it fit a URL path (its ``MakePathSanitized``)."""
        if self.site.remove_accents:
            text = "".join(c for c in unicodedata.normalize("NFD", text)
                           if not unicodedata.combining(c))
        out: list[str] = []
        hyphen_pending = was_hyphen = False
        for index, char in enumerate(text):
            allowed = (char in "./\\_#+~-@" or char.isalpha() or char.isdigit()
                       or unicodedata.category(char).startswith("M")
                       or (char == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}",
                                                        text[index + 1:index + 3]) is not None))
            if allowed:
                was_hyphen = char == "-"
                if hyphen_pending:
                    if not was_hyphen:
                        out.append("-")
                    hyphen_pending = False
                out.append(char)
            elif out and not was_hyphen and char.isspace():
                hyphen_pending = True
        result = "".join(out)
        return result.lower() if lower and self.site.lower else result

    def is_ugly(self, page: _Page) -> bool:
        ugly = self.site.ugly
        if isinstance(ugly, dict):
            return ugly.get(page.section.lower() or "/") is True
        return ugly is True

    def pattern_for(self, page: _Page) -> str | None:
        entry = self.site.languages.get(page.lang)
        config = entry.permalinks if entry is not None and entry.permalinks else \
            self.site.permalinks
        kind = "page" if page.kind == "page" else page.kind
        if isinstance(config, list):
            for item in config:
                if not isinstance(item, dict) or not isinstance(item.get("pattern"), str):
                    continue
                target = item.get("target")
                if target is None or _target_matches(target, page):
                    return t.cast(str, item["pattern"])
            return None
        if not isinstance(config, dict):
            return None
        kinds = ("page", "section", "taxonomy", "term")
        if any(isinstance(config.get(k), dict) for k in kinds):
            table = config.get(kind)
        elif kind == "page":
            table = config
        else:
            return None
        if not isinstance(table, dict):
            return None
        value = table.get(page.section.lower() or "/")
        return value if isinstance(value, str) else None

    def compute_path(self, page: _Page) -> None:
        prefix = self.lang_prefix(page.lang)
        if page.url is not None:
            url = page.url.replace("\\:", ":")
            if _TOKEN.search(url) and not _SCHEME.match(url):
                url, _ = self.expand(url, page)
            if url.startswith("/") or not self.site.multilingual:
                path = url.lstrip("/")
            else:
                path = prefix + url
            last = path.rstrip("/").rsplit("/", 1)[-1]
            if path and not path.endswith("/") and "." not in last:
                path = path + (".html" if page.kind == "page" and self.is_ugly(page) else "/")
            page.old_path = path
            page.url_slug = page.slug or page.base
            return
        if page.kind == "home":
            page.old_path = prefix
            return
        pattern = self.pattern_for(page)
        ugly = self.is_ugly(page)
        if pattern is not None:
            expanded, template = self.expand(pattern, page)
            path = expanded.strip("/")
        else:
            name = (page.slug or page.base) if page.kind == "page" else ""
            path = self.make_path(posixpath.join(page.folder, name).strip("/"))
            template = None
            if page.kind == "page":
                folder = self.make_path(page.folder)
                template = "/" + (folder + "/" if folder else "") + "{slug}/"
                page.url_slug = self.make_path(page.slug or page.base, lower=False)
        page.old_path = prefix + path + (".html" if ugly and path else "/" if path else "")
        if page.kind == "page" and not ugly and template is not None:
            page.path_template = ("{lang}/" if prefix else "") + template.lstrip("/")

    def expand(self, pattern: str, page: _Page) -> tuple[str, str | None]:
        """Expand Hugo permalink tokens; return the path and the pattern in our terms."""
        date = page.date if page.date is not None else dt.date(1, 1, 1)
        sections = self.sections_of(page)
        ours: list[str] | None = []
        out: list[str] = []
        position = 0
        slug_value: str | None = None
        for match in _TOKEN.finditer(pattern):
            literal = pattern[position:match.start()]
            out.append(literal)
            if ours is not None:
                ours.append(literal)
            position = match.end()
            name, part = match.group("name"), match.group("slice")
            value = self.token(name, part, page, date, sections)
            if value is None:
                self.warn(page.shown, None, f"permalink token ':{name}' is not known; kept as "
                                            "written")
                value = match.group()
            out.append(value)
            lower_name = name.lower()
            if _OUR_FIELD.get(lower_name) == "{slug}":
                slug_value = self.slug_token(lower_name, page)
            if ours is not None:
                if lower_name in _OUR_FIELD:
                    ours.append(_OUR_FIELD[lower_name])
                elif lower_name in ("section", "sections", "sectionslug", "sectionslugs"):
                    ours.append(value)
                else:
                    ours = None
        out.append(pattern[position:])
        if ours is not None:
            ours.append(pattern[position:])
        template = "".join(ours) if ours is not None else None
        if template is None or template.count("{slug}") != 1:
            template = None
        page.url_slug = slug_value or page.url_slug or page.slug or page.base
        return "".join(out), template

    def slug_token(self, name: str, page: _Page) -> str:
        if name in ("slug", "slugorfilename", "slugorcontentbasename") and page.slug:
            return self.make_path(page.slug, lower=False)
        if name in ("title", "slug"):
            return self.make_path(page.title)
        return self.make_path(page.base, lower=False)

    def token(self, name: str, part: str | None, page: _Page, date: dt.date,
              sections: list[str]) -> str | None:
        low = name.lower()
        if low == "year":
            return f"{date.year:04d}"
        if low == "month":
            return f"{date.month:02d}"
        if low == "monthname":
            return self.make_path(date.strftime("%B"))
        if low == "day":
            return f"{date.day:02d}"
        if low == "weekday":
            return str((date.weekday() + 1) % 7)
        if low == "weekdayname":
            return self.make_path(date.strftime("%A"))
        if low == "yearday":
            return str(date.timetuple().tm_yday)
        if low in ("section", "sectionslug"):
            return self.make_path(sections[0]) if sections else ""
        if low in ("sections", "sectionslugs"):
            chosen = _slice(sections, part)
            return "/".join(self.make_path(s) for s in chosen)
        if low == "title":
            return self.make_path(page.title)
        if low == "slug":
            return self.make_path(page.slug or page.title)
        if low in ("filename", "contentbasename"):
            return self.make_path(page.base)
        if low in ("slugorfilename", "slugorcontentbasename"):
            return self.make_path(page.slug or page.base)
        if name in _GO_LAYOUT:
            code = _GO_LAYOUT[name]
            if code.startswith("%-"):
                return str(getattr(date, "month" if name == "1" else "day"))
            if isinstance(date, dt.datetime) or code in ("%Y", "%y", "%m", "%d", "%B", "%b",
                                                        "%A", "%a"):
                return self.make_path(date.strftime(code))
            return "00"
        return None

    def sections_of(self, page: _Page) -> list[str]:
        folder = page.folder
        parts = folder.split("/") if folder else []
        if not parts:
            return []
        if self.section_folders is None:
            self.section_folders = {p.folder for p in self.pages
                                    if p.kind in ("section", "taxonomy", "term")}
        known = self.section_folders
        sections = [parts[0]]
        for depth in range(2, len(parts) + 1):
            path = "/".join(parts[:depth])
            if path in known:
                sections.append(parts[depth - 1])
        return sections

    # links between pages

    def index_pages(self) -> None:
        for page in self.pages:
            rel = page.rel.lower()
            stem = posixpath.splitext(rel)[0]
            base, _ = self.split_lang(posixpath.basename(stem))
            plain = posixpath.join(posixpath.dirname(stem), base)
            keys = {rel, stem, plain}
            if page.leaf or page.kind != "page":
                folder = posixpath.dirname(rel)
                keys.add(folder)
            for key in keys:
                self.refs.setdefault(key.strip("/"), []).append(page)
            name = page.base.lower()
            self.basenames.setdefault(name, []).append(page)

    def ref(self, page: _Page, target: str, lang: str | None) -> str | None:
        target = target.strip()
        path, _, anchor = target.partition("#")
        suffix = "#" + anchor if anchor else ""
        want = (lang or page.lang).lower()
        if not path:
            found: _Page | None = page
        else:
            path = path.strip()
            if path.startswith("/"):
                candidates = [path]
            else:
                here = posixpath.dirname(page.rel)
                candidates = [posixpath.join(here, path), path]
            found = None
            for candidate in candidates:
                key = posixpath.normpath(candidate.lower()).strip("/")
                key = "" if key == "." else key
                found = self.pick(self.refs.get(key, []), want)
                if found is not None:
                    break
            if found is None and "/" not in path.strip("/"):
                name = posixpath.splitext(path.strip("/").lower())[0]
                matches = self.basenames.get(name, [])
                if len({m.rel for m in matches if m.lang == want}) == 1 or len(matches) == 1:
                    found = self.pick(matches, want)
        if found is None:
            return None
        if found.old_path is None:
            return None
        return "/" + found.old_path + suffix

    def pick(self, pages: list[_Page], lang: str) -> _Page | None:
        for wanted in (lang, self.site.default_lang):
            for page in pages:
                if page.lang == wanted:
                    return page
        return pages[0] if pages else None

    def index_resources(self) -> None:
        for page in self.pages:
            if page.old_path is None:
                continue
            folder = page.old_path
            if folder.endswith(".html"):
                folder = folder[:-5] + "/"
            for resource in page.resources:
                self.by_url.setdefault((folder + resource.name).lower(), resource)

    # the article

    def build(self, page: _Page) -> ImportedArticle | None:
        site = self.site
        if page.role == "skipped":
            self.account(page.shown, "skipped", page.reason)
            for resource in page.resources:
                self.account(resource.shown, "skipped", f"resource of {page.shown}, which is "
                                                        "not imported")
            return None
        context = _RefContext(self, page)
        body = page.body
        divider = body.find(_DIVIDER)
        if divider >= 0:
            body = body[:divider] + _MARK + body[divider + len(_DIVIDER):]
        converted, warnings = hugo_shortcodes.convert(body, context)
        manual: str | None = None
        if _MARK in converted:
            before, after = converted.split(_MARK, 1)
            manual = _plain_summary(before, self.config)
            converted = before + after
        converted = tidy_markdown(converted)
        if page.kind in ("section", "home") and not _COMMENT.sub("", converted).strip():
            page.role = "skipped"
            self.account(page.shown, "skipped", "section list page with no text of its own")
            for resource in page.resources:
                self.account(resource.shown, "skipped", "resource of a skipped section page")
            if page.value("aliases"):
                self.warn(page.shown, page.line("aliases"), "aliases of a section list page "
                                                            "are not kept: it is not imported")
            return None
        for line, message in warnings:
            page.problems.append(Problem(page.shown, page.body_line + line - 1, message,
                                         level="warning"))
        assets: dict[Path, str] = {}
        for resource in page.resources:
            assets[resource.file] = resource.name
        converted = self.rewrite_links(page, converted, assets)
        summary = manual
        fm_summary = page.value("summary")
        description = page.value("description")
        if summary is None and isinstance(fm_summary, str) and fm_summary.strip():
            summary = _SPACE.sub(" ", fm_summary).strip()
            page.used.add("summary")
        if summary is None and isinstance(description, str) and description.strip():
            summary = _SPACE.sub(" ", description).strip()
            page.used.add("description")
        names: list[str] = []
        for key in ("author", "authors"):
            value = page.value(key)
            if value is None:
                continue
            found = _strings(value)
            if found is None:
                page.warn(key, f"{page.meta[key][0]}: expected a name or a list of names; "
                               "ignored")
                continue
            names += found
            page.used.add(key)
        authors, source = split_byline(names, self.config.import_agencies)
        tags = self.terms(page, "tags")
        categories = self.terms(page, "categories")
        image = self.lead_image(page, assets)
        media = _remote_images(converted)
        if image is not None and image.src and image.src.startswith(("http://", "https://")):
            media.insert(0, image.src)
        date = page.date if page.date is not None else _mtime(page.file)
        original_url = None
        base = site.base_url
        entry = site.languages.get(page.lang)
        if entry is not None and entry.base_url:
            base = entry.base_url
        if base is not None and page.old_path is not None:
            original_url = base + quote(page.old_path, safe="/:@~+#%")
        if page.kind == "home" or page.draft:
            original_url = None  # our home page is another page; Hugo never published drafts
        extra: dict[str, object] = {}
        for key, (written, value) in page.meta.items():
            if key in page.used or key == "params":
                continue
            extra[written] = _plain_value(value)
            self.result.unmapped[written] += 1
        kind: Kind = "draft" if page.draft else page.role
        self.account(page.shown, kind)
        for resource in page.resources:
            self.account(resource.shown, "asset")
        self.result.problems += page.problems
        old_path = page.old_path if page.kind != "home" else None
        return ImportedArticle(
            origin=page.shown, origin_line=1, title=page.title, date=date,
            body=converted, updated=page.updated, authors=authors, source=source,
            tags=tags, summary=summary, image=image, original_url=original_url,
            lang=page.lang if page.lang_known else None,
            slug=page.url_slug or page.slug or page.base or None, draft=page.draft,
            page=page.role == "page", categories=categories,
            section=section_of(categories, page.role == "page"), old_path=old_path,
            aliases=(), extra=extra,
            assets=tuple(Asset(src, name) for src, name in assets.items()),
            media=tuple(dict.fromkeys(media)),
        )

    def terms(self, page: _Page, key: str) -> tuple[str, ...]:
        value = page.value(key)
        if value is None:
            return ()
        found = _strings(value)
        if found is None:
            page.warn(key, f"{page.meta[key][0]}: expected a list of terms; ignored")
            return ()
        page.used.add(key)
        return tuple(dict.fromkeys(s for s in found if s))

    def lead_image(self, page: _Page, assets: dict[Path, str]) -> Image | None:
        for key in ("images", "image"):
            value = page.value(key)
            first = value[0] if isinstance(value, list) and value else value
            if not isinstance(first, str) or not first.strip():
                continue
            page.used.add(key)
            if isinstance(value, list) and len(value) > 1:
                page.used.discard(key)
            src = first.strip()
            if not _SCHEME.match(src) and not src.startswith("//"):
                local = self.local_file(page, src, site_relative=True)
                if local is not None:
                    src = self.attach(local, assets)
            return Image(src=src)
        return None

    # links to files

    def rewrite_links(self, page: _Page, body: str, assets: dict[Path, str]) -> str:
        code = hugo_shortcodes.code_regions(body)

        def outside(position: int) -> bool:
            return not any(start <= position < end for start, end in code)

        def replace(match: re.Match[str]) -> str:
            if not outside(match.start()):
                return match.group()
            url = match.group("url")
            resource = self.local_file(page, url)
            if resource is None:
                return match.group()
            name = self.attach(resource, assets)
            rest = _url_rest(url)
            new = quote(name, safe="/") + rest
            whole = match.group()
            start = match.start("url") - match.start()
            return whole[:start] + new + whole[start + len(url):]

        body = _MD_LINK.sub(replace, body)
        body = _MD_REFDEF.sub(replace, body)
        return _HTML_URL.sub(replace, body)

    def local_file(self, page: _Page, url: str, site_relative: bool = False) -> \
            _Resource | None:
        url = html.unescape(url.strip())
        if not url or url.startswith(("#", "//", "mailto:", "tel:")):
            return None
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.scheme or parts.netloc:
            base = self.site.base_url
            if base is None or not url.startswith(base):
                return None
            path = unquote(urlsplit(url[len(base) - 1:]).path)
        if not path:
            return None
        if not path.startswith("/"):
            own = posixpath.normpath(path)
            for resource in page.resources:
                if resource.name.lower() == own.lower():
                    return resource
            if site_relative:
                path = "/" + path
            else:
                here = page.old_path or ""
                folder = here if here.endswith("/") else posixpath.dirname(here) + "/"
                path = posixpath.normpath("/" + folder + path)
        site_path = posixpath.normpath(path).lstrip("/")
        base_path = urlsplit(self.site.base_url).path.strip("/") if self.site.base_url else ""
        if base_path and site_path.lower().startswith(base_path.lower() + "/"):
            site_path = site_path[len(base_path) + 1:]
        return self.by_url.get(site_path.lower())

    def attach(self, resource: _Resource, assets: dict[Path, str]) -> str:
        if resource.file in assets:
            return assets[resource.file]
        resource.used = True
        if resource.bundle is not None:
            wanted = resource.name
        else:
            for folder in (*[d for d, _ in self.site.content_dirs], *self.site.static_dirs):
                if resource.file.is_relative_to(folder):
                    wanted = resource.file.relative_to(folder).as_posix()
                    break
            else:
                wanted = resource.file.name
        name = wanted
        taken = set(assets.values())
        number = 2
        while name in taken:
            stem, suffix = _split_name(posixpath.basename(wanted))
            name = posixpath.join(posixpath.dirname(wanted), f"{stem}-{number}{suffix}")
            number += 1
        assets[resource.file] = name
        return name

    def finish_resources(self) -> None:
        for resource in self.resources:
            if resource.used:
                self.account(resource.shown, "asset")
                continue
            rel = next((resource.file.relative_to(d).as_posix()
                        for d in self.site.static_dirs if resource.file.is_relative_to(d)),
                       None)
            if rel is not None:
                self.account(resource.shown, "skipped", f"static file no imported page links "
                                                        f"to (Hugo published it at /{rel})")
                continue
            for folder, _ in self.site.content_dirs:
                if resource.file.is_relative_to(folder):
                    rel = resource.file.relative_to(folder).as_posix()
            self.account(resource.shown, "skipped", f"file outside any leaf bundle that no "
                                                    f"imported page links to (Hugo published "
                                                    f"it at /{rel})")

    # aliases and the proposal

    def settle_aliases(self, articles: list[tuple[_Page, ImportedArticle]]) -> None:
        claimed: dict[str, str] = {}
        for page, _ in articles:
            if page.old_path is not None:
                claimed[page.old_path] = page.shown
        for index, (page, article) in enumerate(articles):
            value = page.value("aliases")
            if value is None:
                continue
            names = _strings(value)
            if names is None:
                self.warn(page.shown, page.line("aliases"), "aliases: expected a list of "
                                                            "paths; kept in extra")
                continue
            kept: list[str] = []
            for alias in names:
                path = self.alias_path(page, alias)
                if path is None:
                    self.warn(page.shown, page.line("aliases"), f"alias {alias!r} is not a "
                                                                "path of this site; ignored")
                    continue
                owner = claimed.get(path)
                if owner is not None and owner != page.shown:
                    self.warn(page.shown, page.line("aliases"),
                              f"alias {alias!r} (/{path}) is already the path or an alias "
                              f"of {owner}; ignored")
                    continue
                if path == page.old_path or path in kept:
                    continue
                claimed[path] = page.shown
                kept.append(path)
            articles[index] = (page, dataclasses.replace(article, aliases=tuple(kept)))
        self.result.articles = [a for _, a in articles]

    def alias_path(self, page: _Page, alias: str) -> str | None:
        alias = alias.strip()
        if not alias:
            return None
        if _SCHEME.match(alias) or alias.startswith("//"):
            base = self.site.base_url
            if base is None or not alias.startswith(base):
                return None
            alias = "/" + alias[len(base):]
        prefix = self.lang_prefix(page.lang)
        if alias.startswith("/"):
            path = prefix + alias.lstrip("/")
        else:
            here = page.old_path or ""
            folder = posixpath.dirname(here.rstrip("/"))
            path = posixpath.join(folder, alias)
        path = posixpath.normpath("/" + path).lstrip("/")
        if not path or path == ".":
            return None
        last = path.rsplit("/", 1)[-1]
        return path if "." in last else path + "/"

    def propose(self, pages: list[_Page]) -> None:
        site = self.site
        if site.lang_configured:
            self.result.proposed["language"] = site.default_lang
        if site.tz_name is not None:
            self.result.proposed["timezone"] = site.tz_name
        templates = {p.path_template for p in pages if p.role == "article" and p.url is None}
        if len(templates) != 1:
            return
        template = next(iter(templates))
        if template is None:
            return
        pattern = "/" + template
        if not check_permalink(pattern):
            self.result.proposed["permalink"] = pattern


# --- helpers --------------------------------------------------------------------------

def _files(folder: Path, on_link: t.Callable[[Path], None]) -> list[Path]:
    """Return every regular file under ``folder``, sorted; report links and the like."""
    found: list[Path] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return found
    for entry in entries:
        path = Path(entry.path)
        if entry.is_symlink():
            on_link(path)
        elif entry.is_dir():
            found += _files(path, on_link)
        elif entry.is_file():
            found.append(path)
        else:
            on_link(path)
    return found


def _split_name(name: str) -> tuple[str, str]:
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        return name, ""
    return stem, "." + suffix.lower()


def _leaf_of(directory: str, leaves: t.Collection[str]) -> str | None:
    """Return the outermost leaf bundle folder holding ``directory``, if any."""
    parts = directory.split("/") if directory else []
    for depth in range(1, len(parts) + 1):
        candidate = "/".join(parts[:depth])
        if candidate in leaves:
            return candidate
    return None


def _merge(into: dict[str, object], other: t.Mapping[str, object]) -> None:
    for key, value in other.items():
        current = into.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        else:
            into[key] = value


def _lower_keys(value: object) -> object:
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def _split_front_matter(text: str, shown: str, warnings: list[Problem]) -> Problem | tuple[
        dict[str, object], dict[str, int], str, int]:
    first = text.split("\n", 1)[0].strip()
    if re.fullmatch(r"-{3,}|\+{3,}", first):
        split = split_front_matter(text, shown, warnings)
        if isinstance(split, Problem):
            return split
        meta, key_lines, body, body_line = split
        return meta, key_lines, body, body_line
    if text.lstrip().startswith("{") and not text.lstrip().startswith("{{"):
        start = len(text) - len(text.lstrip())
        try:
            data, end = json.JSONDecoder().raw_decode(text, start)
        except json.JSONDecodeError as exc:
            return Problem(shown, exc.lineno, f"invalid JSON front matter: {exc.msg}")
        except RecursionError:
            return Problem(shown, 1, "invalid JSON front matter: nested too deeply")
        if not isinstance(data, dict):
            return Problem(shown, 1, "front matter must be a mapping of keys to values")
        lines: dict[str, int] = {}
        for key in data:
            match = re.search(r'"' + re.escape(str(key)) + r'"\s*:', text[:end])
            lines[str(key)] = text.count("\n", 0, match.start()) + 1 if match else 1
        body = text[end:]
        body = body[1:] if body.startswith("\n") else body
        return ({str(k): v for k, v in data.items()}, lines, body,
                text.count("\n", 0, len(text) - len(body)) + 1)
    return {}, {}, text, 1


def _flatten_into(target: dict[str, tuple[str, object]], meta: t.Mapping[str, object]) -> None:
    """Index front matter by lower-case key, with ``params`` merged in (the page's own
    top-level keys win)."""
    for key, value in meta.items():
        target.setdefault(str(key).lower(), (str(key), value))
    params = next((v for k, v in meta.items() if str(k).lower() == "params"), None)
    if isinstance(params, dict):
        for key, value in params.items():
            target.setdefault(str(key).lower(), (str(key), value))


def _glob(pattern: str) -> re.Pattern[str] | None:
    out: list[str] = []
    index = 0
    depth = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "{":
            out.append("(?:")
            depth += 1
        elif char == "}" and depth:
            out.append(")")
            depth -= 1
        elif char == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(char))
        index += 1
    try:
        return re.compile("".join(out) + ")" * depth, re.IGNORECASE)
    except re.error:
        return None


def _target_langs(target: t.Mapping[str, object]) -> tuple[str, ...]:
    langs: list[str] = []
    lang = target.get("lang")
    if isinstance(lang, str):
        langs.append(lang.lower())
    sites = target.get("sites")
    if isinstance(sites, dict):
        matrix = {str(k).lower(): v for k, v in sites.items()}.get("matrix")
        if isinstance(matrix, dict):
            found = {str(k).lower(): v for k, v in matrix.items()}.get("languages")
            if isinstance(found, list):
                langs += [str(v).lower() for v in found]
    return tuple(langs)


def _target_matches(target: object, page: _Page) -> bool:
    if not isinstance(target, dict):
        return True
    target = {str(k).lower(): v for k, v in target.items()}
    path = target.get("path")
    if isinstance(path, str):
        pattern = _glob(path)
        if pattern is None or not pattern.fullmatch(page.logical):
            return False
    kind = target.get("kind")
    if isinstance(kind, str) and page.kind not in [k.strip() for k in kind.split(",")]:
        return False
    langs = _target_langs(target)
    return not langs or any(_glob(lang) is not None and
                            t.cast(re.Pattern[str], _glob(lang)).fullmatch(page.lang)
                            for lang in langs)


def _cascade_matches(cascade: _Cascade, page: _Page) -> bool:
    if cascade.lang is not None and cascade.lang != page.lang:
        return False
    if cascade.path is not None and not cascade.path.fullmatch(page.logical):
        return False
    if cascade.kinds and page.kind not in cascade.kinds:
        return False
    return not cascade.langs or page.lang in cascade.langs


def _slice(items: list[str], part: str | None) -> list[str]:
    if not part:
        return items
    inner = part.strip("[]").strip()
    last = len(items) - 1

    def index(text: str, default: int) -> int:
        text = text.strip()
        if not text:
            return default
        if text == "last":
            return last
        return int(text) if text.isdigit() else default

    if ":" not in inner:
        position = index(inner, 0)
        return items[position:position + 1]
    start_text, end_text = inner.split(":", 1)
    start = index(start_text, 0)
    if end_text.strip() == "last":
        return items[start:last]
    end = index(end_text, last)
    return items[start:end + 1]


def _hugo_date(value: object, tz: dt.tzinfo) -> dt.date | dt.datetime | str | None:
    """Return a front-matter date as Hugo reads it; ``"invalid"`` when it cannot."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        result: dt.date | dt.datetime = value if value.tzinfo else value.replace(tzinfo=tz)
    elif isinstance(value, dt.date):
        result = value
    elif isinstance(value, str):
        text = value.strip()
        parsed = _parse_date_text(text, tz)
        if parsed is None:
            return "invalid"
        result = parsed
    else:
        return "invalid"
    if result.year <= 1:
        return None
    return result


def _parse_date_text(text: str, tz: dt.tzinfo) -> dt.date | dt.datetime | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None:
        try:
            value = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            value = None
    if value is None:
        for pattern in _DATE_FORMATS:
            try:
                value = dt.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _as_datetime(value: dt.date, tz: dt.tzinfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=tz)


def _mtime(file: Path) -> dt.datetime:
    try:
        stamp = file.stat().st_mtime
    except OSError:
        stamp = 0
    return dt.datetime.fromtimestamp(int(stamp), dt.UTC)


def _humanize(name: str) -> str:
    words = _SPACE.sub(" ", re.sub(r"[-_]+", " ", name)).strip().split(" ")
    out = []
    for index, word in enumerate(words):
        if index and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out) or name


def _strings(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                if str(item).strip():
                    out.append(str(item).strip())
            else:
                return None
        return out
    return None


def _plain_value(value: object) -> object:
    """Return a front-matter value with what YAML cannot write (TOML times) as text."""
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_value(v) for v in value]
    return value


def _plain_summary(markdown_text: str, config: Config) -> str | None:
    text = _COMMENT.sub("", markdown_text).strip()
    if not text:
        return None
    try:
        rendered = render_markdown(text, embed_hosts=config.embed_hosts)
    except BodyError:
        return None
    plain = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", rendered.html))).strip()
    plain = re.sub(r"\s+([.,;:!?])", r"\1", plain)
    return plain or None


def tidy_markdown(body: str) -> str:
    """Return ``body`` with fence info strings Python-Markdown reads and no runs of blank lines.

    Goldmark takes attributes after a fence's language (```` ```go {linenos=true} ````);
    Python-Markdown does not recognise such a fence at all, so only the language is kept.
    Removed shortcodes leave blank lines behind; outside code, runs of them become one.
    """
    out: list[str] = []
    fence: tuple[str, int] | None = None
    for line in body.split("\n"):
        match = _FENCE_LINE.match(line)
        if fence is None:
            if match is not None and not (match.group("marks")[0] == "`" and
                                          "`" in match.group("info")):
                marks, info = match.group("marks"), match.group("info").strip()
                fence = (marks[0], len(marks))
                if not info.startswith("{"):
                    word = re.match(r"[\w#.+-]+", info)
                    info = word.group() if word else ""
                line = match.group("indent") + marks + info
            elif not line.strip() and (not out or not out[-1].strip()):
                continue
        elif match is not None and match.group("marks")[0] == fence[0] and \
                len(match.group("marks")) >= fence[1] and not match.group("info").strip():
            fence = None
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def _remote_images(body: str) -> list[str]:
    code = hugo_shortcodes.code_regions(body)
    found: list[tuple[int, str]] = []
    for pattern in (_MD_IMAGE, _HTML_IMAGE):
        for match in pattern.finditer(body):
            if not any(start <= match.start() < end for start, end in code):
                found.append((match.start(), html.unescape(match.group("url"))))
    return [url for _, url in sorted(found)]


def _url_rest(url: str) -> str:
    for mark in ("?", "#"):
        if mark in url:
            return url[url.index(mark):]
    return ""


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
