"""Read a Jekyll site (or a bare ``_posts`` folder) into a :class:`SiteImport`.

The reader follows Jekyll 4's own rules wherever they decide what the old site published:

- **Posts** are the files of every ``_posts`` folder (``_posts/``, ``news/_posts/``, and
  the folders below them) whose name starts with a date: ``YYYY-MM-DD-title.ext``
  (``2017-2-5-x.md`` too). Folders above ``_posts`` are categories, folders below it
  are not. A ``.yml`` file is data, not a post; a file without the date is no post.
- **Drafts** are the files of ``_drafts`` folders, and posts with ``published: false``.
  A draft's date is the front matter's, else the date in its name, else the file's
  modification time, as ``jekyll build --drafts`` dates it. Drafts never had a public
  address: they get no ``old_path``.
- **Pages** are Markdown and HTML files with front matter outside ``_`` folders. The
  home page, ``404`` and pages that list posts with Liquid loops are skipped: the new
  site builds its own.
- The **date** is the front matter's (with its offset, else in ``_config.yml``'s
  ``timezone``; a date without time stays a date), else the file name's. The **title**
  is the front matter's, else the file name made a title (``i-dont-like-zeroes`` ->
  ``I Dont Like Zeroes``), as Jekyll makes it.
- ``.markdown``, ``.md``, ``.mkd``, ``.mkdn``, ``.mkdown`` (or ``markdown_ext``) are
  Markdown; ``.html`` bodies stay HTML. Jekyll published other extensions unconverted:
  they are imported as Markdown, with a warning.
- The **old path** is what Jekyll wrote: the post's ``permalink``, else the site's
  (``date``, ``pretty``, ``ordinal``, ``weekdate``, ``none`` or a pattern of
  ``:year :month :i_month :day :i_day :short_year :hour :minute :second :title :slug
  :categories :y_day :output_ext`` and the rest), with Jekyll's slugs and clean-up. A
  URL without extension gets the ``.html`` Jekyll's file had
  (``my_category/permalinked-post.html``); a folder URL ends with ``/``.
  ``SiteImport.proposed`` carries a ``permalink`` when the site's scheme is one of ours
  (``/:year/:month/:day/:title/`` -> ``/{year}/{month}/{day}/{slug}/``), and the
  ``timezone`` of ``_config.yml``.
- **Liquid** is converted by :mod:`.liquid`; every construct it cannot convert is a
  warning at its file and line. Internal links (``post_url``, ``link``, links with
  ``site.url``/``site.baseurl``, absolute links to the old site, links to source files)
  become the root-relative old path of what they name.
- A **file the posts reference** (by a relative path or a site path) becomes an asset
  of the post when only one post references it, or when it lies beside the posts in
  ``_posts``/``_drafts`` (each post then gets a copy). A site-wide file referenced by
  several posts is skipped: its links keep their site path, and copying the file into
  ``static/`` keeps them working.
- Front-matter keys the reader does not map go to ``extra`` as they were, counted in
  ``unmapped``; values from ``_config.yml`` ``defaults`` fill the mapped fields only.

Every file of the folder is accounted for once; tool and output folders (``.git``,
``_site``, ``node_modules``, ...) as one entry each. Messages name files as
``PATH/relative/path``, with ``PATH`` as given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import fnmatch
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
from . import dead_links, liquid, markdown_links
from .feed_entries import html_to_text
from .imported import (
    Accounted,
    Asset,
    ImportedArticle,
    Kind,
    SiteImport,
    section_of,
    split_byline,
    valid_lang,
)

MARKDOWN_EXTENSIONS = ("markdown", "mkdown", "mkdn", "mkd", "md")
"""Jekyll's default ``markdown_ext``."""
HTML_SUFFIXES = (".html", ".htm")
DATA_SUFFIXES = (".yml", ".yaml")
ASSET_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".bmp", ".ico", ".tif",
    ".tiff", ".heic", ".pdf", ".mp3", ".m4a", ".ogg", ".oga", ".wav", ".flac", ".mp4",
    ".m4v", ".mov", ".webm", ".ogv", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".tar",
    ".csv", ".tsv", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods",
    ".epub", ".gpx", ".kml", ".woff", ".woff2", ".ttf", ".otf", ".eot",
})
"""Files that are never posts, whatever their name: candidates for assets."""
PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
"""Jekyll's named permalink styles."""
DEFAULT_EXCERPT_SEPARATOR = "\n\n"
CONFIG_NAMES = ("_config.yml", "_config.yaml", "_config.toml")
TOOL_FOLDERS = {
    ".git": "version control data", ".hg": "version control data",
    ".svn": "version control data", ".jekyll-cache": "Jekyll's cache",
    ".sass-cache": "Sass's cache", "node_modules": "installed JavaScript packages",
    "vendor": "installed Ruby gems", ".bundle": "Bundler's settings",
}
"""Folders accounted for as one entry each, not file by file."""
SPECIAL_FOLDERS = {
    "_layouts": "layout template: the new site has its own templates",
    "_includes": "include file: each {% include %} of a post is reported where it is",
    "_sass": "Sass partial: the new site has its own stylesheet",
    "_data": "site data file: not imported (author names are read from authors.yml)",
    "_plugins": "Jekyll plugin (Ruby): not run",
}
MAPPED_KEYS = frozenset({
    "title", "date", "categories", "category", "tags", "tag", "excerpt",
    "excerpt_separator", "permalink", "redirect_from", "published", "author", "authors",
    "slug", "lang", "last_modified_at", "modified", "updated", "sticky", "pinned", "draft",
    "render_with_liquid",
})
"""Front-matter keys always mapped to a field (``image`` and ``description`` when used)."""

_FRONT = re.compile(r"\A(---\s*\n.*?\n?)^((?:---|\.\.\.)\s*$\n?)", re.MULTILINE | re.DOTALL)
_DATED = re.compile(r"^(?>.+/)*?(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)$")
_DATELESS = re.compile(r"^(?:.+/)*(.*)(\.[^.]+)$")
_YAML_HEADER = re.compile(rb"\A---[ \t\f\v]*\r?\n")
_PLACEHOLDER = re.compile(r":([a-z_]+)")
_DATE = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:(?:[Tt]|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d+))?)?"
    r"\s*(?P<z>[Zz]|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?)?$")
_LISTING = re.compile(r"\{%-?\s*(?:for|tablerow)\s+\w+\s+in\s+(?:site\.(?:posts|categories|"
                      r"tags|pages|documents|collections)|paginator\.)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_KRAMDOWN = re.compile(r"\{::(\w+)|^[ \t]*\{:\s*(toc)\s*\}[ \t]*$", re.MULTILINE)
_SPACE = re.compile(r"\s+")
_PRETTY_KEEP = frozenset("._~!$&'()+,;=@")
_URL_SAFE = "/-._~!$&'()*+,;=:@"

DocKind = t.Literal["post", "draft", "page"]


@dataclasses.dataclass(slots=True)
class _Doc:
    """One post, draft or page while the site is read."""

    rel: str
    """Path relative to the folder given, as accounted for."""
    path: Path
    kind: DocKind
    origin: str
    entry: str
    """Path inside its ``_posts``/``_drafts`` folder (``es/2008-11-21-nested.markdown``)."""
    source_rel: str
    """Path relative to the site source, as ``{% link %}`` names it."""
    dir_categories: list[str]
    meta: dict[str, object] = dataclasses.field(default_factory=dict)
    own_keys: tuple[str, ...] = ()
    key_lines: dict[str, int] = dataclasses.field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    converter: t.Literal["markdown", "html", "identity"] = "markdown"
    output_ext: str = ".html"
    date: dt.date | dt.datetime = dt.date(1970, 1, 1)
    title: str = ""
    data_slug: str = ""
    url_slug: str = ""
    categories: list[str] = dataclasses.field(default_factory=list)
    url: str | None = None
    """The URL Jekyll gave it (``/2008/11/21/complex.html``), unescaped."""
    old_path: str | None = None
    draft: bool = False
    own_permalink: bool = False
    number: int = 0
    """Position among the documents read."""
    converted: str = ""
    raws: tuple[str, ...] = ()
    media: list[str] = dataclasses.field(default_factory=list)
    files: list[Path] = dataclasses.field(default_factory=list)
    """Files of the old site its body or image references, in order."""


@dataclasses.dataclass(slots=True)
class _Static:
    """A file that is no post or page: an asset if a post references it."""

    rel: str
    site_path: str | None
    """Its path on the old site when Jekyll copied it there; None beside posts."""
    colocated: bool
    unreferenced: str
    """Why it is skipped when no post references it."""
    users: list[int] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, slots=True)
class _Target:
    """Where a link of a post goes."""

    href: str | None = None
    """The new link for a page or changed site path; None for a file."""
    file: Path | None = None
    suffix: str = ""
    """Query and fragment of the link, kept."""


def read_site(path: Path, config: Config, settings: Path | None = None) -> SiteImport:
    """Read the Jekyll site at ``path`` (a site folder or a bare ``_posts`` folder).

    ``settings`` is the old site's configuration file when it is not ``_config.yml``
    (or ``_config.yaml``, ``_config.toml``) in ``path``.
    """
    reader = _Reader(path, config, settings)
    reader.run()
    return reader.result


class _Reader:
    def __init__(self, path: Path, config: Config, settings: Path | None) -> None:
        self.folder = path
        self.config = config
        self.settings = settings
        self.settings_file = settings.resolve() if settings is not None else None
        self.shown = path.as_posix().rstrip("/") or "/"
        self.result = SiteImport()
        self.bare: DocKind | None = ("post" if path.name == "_posts" else
                                     "draft" if path.name == "_drafts" else None)
        self.site: dict[str, object] = {}
        self.url = ""
        self.baseurl = ""
        self.tz: zoneinfo.ZoneInfo | None = None
        self.template = PERMALINK_STYLES["date"]
        self.markdown_suffixes = tuple(f".{e}" for e in MARKDOWN_EXTENSIONS)
        self.separator = DEFAULT_EXCERPT_SEPARATOR
        self.collections_dir: tuple[str, ...] = ()
        self.destination = "_site"
        self.exclude: list[str] = []
        self.defaults: list[tuple[str, str | None, dict[str, object]]] = []
        self.collections: set[str] = set()
        self.authors: dict[str, object] = {}
        self.candidates: list[_Doc] = []
        self.docs: list[_Doc] = []
        self.statics: dict[Path, _Static] = {}
        self.static_by_site_path: dict[str, Path] = {}
        self.by_url: dict[str, _Doc] = {}
        self.by_source: dict[Path, _Doc] = {}
        self.by_source_rel: dict[str, _Doc] = {}
        self.by_name: dict[str, _Doc] = {}
        """Published posts by ``post_url`` name (``2010-01-09-x``, ``es/2008-11-21-x``)."""
        self.by_day: dict[tuple[str, int, int, int], _Doc] = {}
        self.accounted: dict[str, Accounted] = {}

    # -- messages and accounting ---------------------------------------------------------

    def origin(self, rel: str) -> str:
        return rel if self.shown == "." else f"{self.shown}/{rel}"

    def warn(self, origin: str, line: int | None, message: str) -> None:
        self.result.problems.append(Problem(origin, line, message, level="warning"))

    def error(self, origin: str, line: int | None, message: str) -> None:
        self.result.problems.append(Problem(origin, line, message))

    def account(self, rel: str, kind: Kind, reason: str | None = None) -> None:
        self.accounted.setdefault(rel, Accounted(rel, kind, reason))

    # -- the steps -----------------------------------------------------------------------

    def run(self) -> None:
        if not self.folder.is_dir():
            self.error(self.shown, None, "not a folder: expected a Jekyll site or a _posts "
                                         "folder")
            return
        self.load_settings()
        self.scan()
        for doc in sorted(self.candidates, key=lambda d: d.rel):
            if not self.read(doc):
                continue
            reason = self.page_skipped(doc)
            if reason is not None:
                self.account(doc.rel, "skipped", reason)
                continue
            doc.number = len(self.docs)
            self.docs.append(doc)
        for doc in self.docs:
            self.describe(doc)
        self.place()
        for doc in self.docs:
            self.convert(doc)
        self.assign_files()
        self.result.articles.extend(self.article(doc) for doc in self.docs)
        files = {doc.origin: doc.path for doc in self.docs}
        old_base = self.url + self.baseurl + "/" if self.url else None
        dead_links.settle(self.result, self.config, old_base,
                          lambda article: dead_links.source_text(files.get(article.origin)),
                          self.serves)
        for doc in self.docs:
            self.account(doc.rel, "page" if doc.kind == "page" else
                         "draft" if doc.draft else "article")
        self.propose()
        self.result.accounted.extend(sorted(self.accounted.values(), key=lambda a: a.path))

    def serves(self, site_path: str) -> bool:
        """Whether the old site served a file at ``site_path``: one of its own files."""
        if self.bare is not None:
            return False
        if self.baseurl and site_path.startswith(self.baseurl.strip("/").lower() + "/"):
            site_path = site_path[len(self.baseurl.strip("/")) + 1:]
        file = self.folder / site_path
        return file.is_file() and not site_path.startswith("_")

    # -- _config.yml ---------------------------------------------------------------------

    def load_settings(self) -> None:
        file = self.settings
        if file is None and self.bare is None:
            file = next((self.folder / name for name in CONFIG_NAMES
                         if (self.folder / name).is_file()), None)
        if file is None:
            return
        shown = (self.origin(file.name) if file.parent == self.folder else file.as_posix())
        loaded = _load_settings(file, shown)
        if isinstance(loaded, Problem):
            self.result.problems.append(loaded)
            return
        self.site = loaded
        url = loaded.get("url")
        self.url = url.strip().rstrip("/") if isinstance(url, str) else ""
        base = loaded.get("baseurl")
        base = base.strip().strip("/") if isinstance(base, str) else ""
        self.baseurl = f"/{base}" if base else ""
        self.site["url"], self.site["baseurl"] = self.url, self.baseurl
        zone = loaded.get("timezone")
        if isinstance(zone, str) and zone.strip():
            try:
                self.tz = zoneinfo.ZoneInfo(zone.strip())
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                self.warn(shown, None, f"timezone: unknown time zone {zone!r}; dates without "
                                       "an offset are left in the new site's time zone")
        permalink = loaded.get("permalink")
        if isinstance(permalink, str) and permalink.strip():
            style = permalink.strip()
            self.template = PERMALINK_STYLES.get(style.lstrip(":"), style)
        exts = loaded.get("markdown_ext")
        if isinstance(exts, str) and exts.strip():
            self.markdown_suffixes = tuple(f".{e.strip().lstrip('.').lower()}"
                                           for e in exts.split(",") if e.strip())
        separator = loaded.get("excerpt_separator")
        if isinstance(separator, str):
            self.separator = separator
        folder = loaded.get("collections_dir")
        if isinstance(folder, str) and folder.strip("/ "):
            self.collections_dir = tuple(folder.strip("/ ").split("/"))
        destination = loaded.get("destination")
        if isinstance(destination, str) and destination.strip("/ "):
            self.destination = destination.strip("/ ")
        exclude = loaded.get("exclude")
        if isinstance(exclude, list):
            self.exclude = [str(e).strip("/") for e in exclude if str(e).strip("/")]
        collections_ = loaded.get("collections")
        if isinstance(collections_, dict | list):
            self.collections = {str(c) for c in collections_}
        defaults = loaded.get("defaults")
        if isinstance(defaults, list):
            for entry in defaults:
                if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
                    continue
                scope = entry.get("scope") if isinstance(entry.get("scope"), dict) else {}
                assert isinstance(scope, dict)
                scope_path = str(scope.get("path") or "").strip("/")
                scope_type = scope.get("type")
                self.defaults.append((scope_path, str(scope_type) if scope_type else None,
                                      {str(k): v for k, v in entry["values"].items()}))
            self.defaults.sort(key=lambda d: (len(d[0]), d[1] is not None))
        if self.bare is None:
            authors = self.folder / "_data" / "authors.yml"
            if authors.is_file():
                data = _load_settings(authors, self.origin("_data/authors.yml"))
                if isinstance(data, Problem):
                    self.warn(data.path, data.line, data.message.replace(
                        "the site's settings are", "author names there are"))
                else:
                    self.authors = data

    # -- finding the files ---------------------------------------------------------------

    def scan(self) -> None:
        root = self.folder

        def unreadable(exc: OSError) -> None:
            where = Path(exc.filename or root)
            rel = where.relative_to(root).as_posix() if where != root else "."
            self.error(self.origin(rel), None, f"cannot read folder: {exc.strerror or exc}")
            self.account(rel + "/", "skipped", f"cannot be read: {exc.strerror or exc}")

        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
            here = Path(dirpath)
            rel_dir = here.relative_to(root).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir
            kept = []
            for name in sorted(dirnames):
                rel = f"{rel_dir}/{name}" if rel_dir else name
                reason = self.folder_reason(rel, here / name)
                if reason is None:
                    kept.append(name)
                else:
                    self.account(rel + "/", "skipped", reason)
            dirnames[:] = kept
            for name in sorted(filenames):
                rel = f"{rel_dir}/{name}" if rel_dir else name
                self.classify(rel, here / name)

    def folder_reason(self, rel: str, path: Path) -> str | None:
        """Return why a whole folder is accounted for as one entry, or None to walk it."""
        if path.is_symlink():
            return "symbolic link: not followed"
        if self.bare is not None:
            return None
        if rel in TOOL_FOLDERS:
            return TOOL_FOLDERS[rel]
        if rel == self.destination:
            return "the old site's generated output: not imported"
        if rel.startswith("vendor/bundle") or rel.split("/")[-1] in (".git", ".jekyll-cache"):
            return "tool data: not imported"
        return None

    def classify(self, rel: str, path: Path) -> None:
        if path.is_symlink():
            self.account(rel, "skipped", "symbolic link: not followed")
            return
        if self.bare is not None:
            self.classify_entry(rel, rel, path, self.bare, [], f"{self.folder.name}/{rel}")
            return
        parts = rel.split("/")
        for index, part in enumerate(parts[:-1]):
            if part in ("_posts", "_drafts") and not any(_special(p) for p in parts[:index]):
                prefix = self.collections_dir
                if tuple(parts[:len(prefix)]) != prefix:
                    self.account(rel, "skipped", f"{part} outside collections_dir "
                                                 f"'{'/'.join(prefix)}': Jekyll does not read it")
                    return
                kind: DocKind = "post" if part == "_posts" else "draft"
                self.classify_entry(rel, "/".join(parts[index + 1:]), path, kind,
                                    parts[len(prefix):index], rel)
                return
            if _special(part):
                self.account(rel, "skipped", self.special_reason(parts, index))
                return
        name = parts[-1]
        if rel in CONFIG_NAMES or (self.settings_file is not None
                                   and path.resolve() == self.settings_file):
            self.account(rel, "skipped", "the site's configuration: read for permalink, url, "
                                         "baseurl, timezone and defaults")
            return
        if _special(name):
            self.account(rel, "skipped", "Jekyll ignores names starting with '.', '_' or '#' "
                                         "or ending with '~'")
            return
        if self.excluded(rel):
            self.account(rel, "skipped", "listed under exclude in _config.yml")
            return
        suffix = path.suffix.lower()
        if suffix not in ASSET_SUFFIXES and _has_front_matter(path):
            if suffix in self.markdown_suffixes or suffix in HTML_SUFFIXES:
                self.candidates.append(_Doc(rel, path, "page", self.origin(rel), rel, rel, []))
            else:
                self.account(rel, "skipped", "a file Jekyll renders with Liquid (feed, sitemap, "
                                             "stylesheet, script): the new site makes its own")
            return
        self.statics[path] = _Static(rel, rel, False, "not referenced by any post")
        self.static_by_site_path[rel] = path

    def special_reason(self, parts: list[str], index: int) -> str:
        name = parts[index]
        if index == 0 and name in SPECIAL_FOLDERS:
            return SPECIAL_FOLDERS[name]
        if index == 0 and name.lstrip("_") in self.collections:
            return (f"document of the '{name.lstrip('_')}' collection: collections are not "
                    "imported")
        return "Jekyll ignores folders whose name starts with '.', '_' or '#'"

    def excluded(self, rel: str) -> bool:
        for pattern in self.exclude:
            if rel == pattern or rel.startswith(pattern + "/") or fnmatch.fnmatch(rel, pattern):
                return True
        return False

    def classify_entry(self, rel: str, entry: str, path: Path, kind: DocKind,
                       categories: list[str], source_rel: str) -> None:
        """Sort a file of a ``_posts`` or ``_drafts`` folder: post, draft, asset or skipped."""
        name = entry.rsplit("/", 1)[-1]
        if _special(entry) or _special(name):
            self.account(rel, "skipped", "Jekyll ignores names starting with '.', '_' or '#' "
                                         "or ending with '~'")
            return
        suffix = path.suffix.lower()
        folder = "_posts" if kind == "post" else "_drafts"
        if suffix in DATA_SUFFIXES:
            self.account(rel, "skipped", f"a YAML data file in {folder}: Jekyll does not "
                                         "publish it")
            return
        matcher = _DATED if kind == "post" else _DATELESS
        if suffix in ASSET_SUFFIXES or not suffix or not matcher.match(entry):
            why = "not referenced by any post"
            if suffix not in ASSET_SUFFIXES and kind == "post" and suffix:
                why = ("no date in the file name (YYYY-MM-DD-title.ext): Jekyll does not read "
                       "it as a post, and no post references it")
            self.statics[path] = _Static(rel, None, True, why)
            return
        self.candidates.append(_Doc(rel, path, kind, self.origin(rel), entry, source_rel,
                                    categories))

    # -- reading one file ----------------------------------------------------------------

    def read(self, doc: _Doc) -> bool:
        """Read the text and front matter of ``doc``; False (and accounted) if refused."""
        try:
            size = doc.path.stat().st_size
            if size > MAX_FILE_BYTES:
                return self.refuse(doc, None, f"file of {size:,} bytes is too large (at most "
                                              f"{MAX_FILE_BYTES:,})")
            data = doc.path.read_bytes()
        except OSError as exc:
            return self.refuse(doc, None, f"cannot read file: {exc.strerror or exc}")
        try:
            text = clean_text(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return self.refuse(doc, line, "not UTF-8 text (is it a binary file?)")
        match = _FRONT.match(text)
        meta: dict[str, object] = {}
        if match is not None:
            header = match.group(1).split("\n", 1)[1]
            if header.strip():
                warnings: list[Problem] = []
                split = split_front_matter(f"---\n{header}---\n", doc.origin, warnings)
                if isinstance(split, Problem):
                    return self.refuse(doc, split.line, split.message)
                self.result.problems.extend(warnings)
                meta, doc.key_lines = split[0], split[1]
            doc.body = text[match.end():]
            doc.body_line = text.count("\n", 0, match.end()) + 1
        else:
            if text.startswith("---") and doc.kind != "page":
                self.warn(doc.origin, 1, "front matter is not closed by a '---' line: the "
                                         "whole file read as the body, as Jekyll reads it")
            doc.body = text
        doc.own_keys = tuple(meta)
        doc.meta = {**self.defaults_for(doc), **meta}
        suffix = doc.path.suffix
        if suffix.lower() in self.markdown_suffixes:
            doc.converter = "markdown"
        elif suffix.lower() in HTML_SUFFIXES:
            doc.converter, doc.output_ext = "html", suffix
        else:
            doc.converter, doc.output_ext = "identity", suffix
            self.warn(doc.origin, None, f"Jekyll has no converter for '{suffix}' files and "
                                        "published this one as it is; imported as Markdown")
        return True

    def page_skipped(self, doc: _Doc) -> str | None:
        """Return why a page is not imported (the new site builds its own), or None."""
        if doc.kind != "page":
            return None
        if "/" not in doc.source_rel and doc.path.stem == "index":
            return "the home page: the new site builds its own"
        if doc.path.stem == "404":
            return "the error page: the new site has its own"
        if _LISTING.search(doc.body):
            return "a page listing posts with a Liquid loop: the new site builds its own lists"
        return None

    def refuse(self, doc: _Doc, line: int | None, message: str) -> bool:
        self.error(doc.origin, line, message)
        self.account(doc.rel, "skipped", f"cannot be imported: {message}")
        return False

    def defaults_for(self, doc: _Doc) -> dict[str, object]:
        values: dict[str, object] = {}
        kind = {"post": "posts", "draft": "posts", "page": "pages"}[doc.kind]
        for scope_path, scope_type, scoped in self.defaults:
            if scope_type is not None and scope_type not in (kind, "drafts" if
                                                               doc.kind == "draft" else kind):
                continue
            if scope_path and not (doc.source_rel == scope_path
                                   or doc.source_rel.startswith(scope_path + "/")
                                   or fnmatch.fnmatch(doc.source_rel, scope_path + "*")):
                continue
            values.update(scoped)
        return values

    # -- fields --------------------------------------------------------------------------

    def describe(self, doc: _Doc) -> None:
        """Set the title, slug, date, categories and URL of ``doc`` the way Jekyll does."""
        meta = doc.meta
        file_date: str | None = None
        dated = _DATED.match(doc.entry) if doc.kind != "page" else None
        if dated is not None:
            file_date, file_slug = dated.group(1), dated.group(2)
        elif doc.kind == "page":
            file_slug = doc.path.stem
        else:
            dateless = _DATELESS.match(doc.entry)
            file_slug = dateless.group(1) if dateless else doc.path.stem
        slug_value = meta.get("slug")
        doc.data_slug = (str(slug_value).strip() if isinstance(slug_value, str | int | float)
                         and not isinstance(slug_value, bool) and str(slug_value).strip()
                         else file_slug)
        title = meta.get("title")
        if isinstance(title, str | int | float) and not isinstance(title, bool) \
                and str(title).strip():
            doc.title = str(title).strip()
        else:
            doc.title = _titleize(doc.data_slug) or doc.path.stem
        doc.date = self.date_of(doc, file_date)
        doc.categories = _unique([*doc.dir_categories, *_categories(meta)])
        published = meta.get("published") is not False
        doc.draft = doc.kind == "draft" or not published or meta.get("draft") is True
        permalink = meta.get("permalink")
        doc.own_permalink = isinstance(permalink, str) and bool(permalink.strip())
        template = (t.cast(str, permalink).strip() if doc.own_permalink else
                    self.template if doc.kind != "page" else self.page_template(doc))
        values = self.placeholders(doc)
        uses_slug = ":slug" in template and ":title" not in template
        doc.url_slug = values["slug" if uses_slug else "title"]
        doc.url = self.fill(doc, template, values)

    def date_of(self, doc: _Doc, file_date: str | None) -> dt.date | dt.datetime:
        raw = doc.meta.get("date")
        if raw is not None:
            parsed = _parse_date(raw, self.tz)
            if parsed is not None:
                return parsed
            line = doc.key_lines.get("date")
            fallback = "the date in the file name" if file_date else "the file's date"
            self.warn(doc.origin, line, f"date: cannot read {_show(raw)} as a date; using "
                                        f"{fallback}")
        if file_date is not None:
            parsed = _parse_date(file_date, self.tz)
            if parsed is not None:
                return parsed
            self.warn(doc.origin, None, f"the date {file_date} in the file name is no real "
                                        "date; using the file's date")
        stamp = dt.datetime.fromtimestamp(doc.path.stat().st_mtime, tz=dt.UTC)
        return stamp.astimezone(self.tz) if self.tz else stamp

    def local(self, date: dt.date | dt.datetime) -> dt.datetime:
        """Return ``date`` as the old site's clock showed it (its URL parts)."""
        if not isinstance(date, dt.datetime):
            return dt.datetime(date.year, date.month, date.day)
        if date.tzinfo is None:
            return date
        return date.astimezone(self.tz or dt.UTC).replace(tzinfo=None)

    def placeholders(self, doc: _Doc) -> dict[str, str]:
        when = self.local(doc.date)
        basename = doc.path.name.rsplit(".", 1)[0] if "." in doc.path.name else doc.path.name
        cleaned = "/" + doc.entry.rsplit(".", 1)[0].rstrip(".")
        values = {
            "year": when.strftime("%Y"), "month": when.strftime("%m"),
            "day": when.strftime("%d"), "hour": when.strftime("%H"),
            "minute": when.strftime("%M"), "second": when.strftime("%S"),
            "i_day": str(when.day), "i_month": str(when.month),
            "short_month": when.strftime("%b"), "long_month": when.strftime("%B"),
            "short_year": when.strftime("%y"), "w_year": when.strftime("%G"),
            "week": when.strftime("%V"), "w_day": when.strftime("%u"),
            "short_day": when.strftime("%a"), "long_day": when.strftime("%A"),
            "y_day": when.strftime("%j"),
            "title": jekyll_slugify(doc.data_slug, pretty=True, cased=True)
            or jekyll_slugify(basename, pretty=True, cased=True),
            "slug": jekyll_slugify(doc.data_slug) or jekyll_slugify(basename),
            "name": jekyll_slugify(basename),
            "categories": "/".join(_unique([c.lower() for c in doc.categories])),
            "collection": "posts", "path": cleaned, "output_ext": doc.output_ext,
        }
        if doc.kind == "page":
            folder = posixpath.dirname(doc.source_rel)
            values.update(path=folder, basename=basename, collection="", categories="")
        return values

    def page_template(self, doc: _Doc) -> str:
        if doc.output_ext != ".html":
            return "/:path/:basename:output_ext"
        if doc.path.stem == "index":
            return "/:path/"
        style = self.site.get("permalink")
        style = style.strip().lstrip(":") if isinstance(style, str) else "date"
        if style == "pretty" or (style not in PERMALINK_STYLES and style.endswith("/")):
            return "/:path/:basename/"
        if style in PERMALINK_STYLES or style.endswith(":output_ext"):
            return "/:path/:basename:output_ext"
        return "/:path/:basename"

    def fill(self, doc: _Doc, template: str, values: t.Mapping[str, str]) -> str:
        """Expand a permalink as Jekyll's URL class does and return the URL."""
        unknown: list[str] = []

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            for key in (name, name[:-1]) if name.endswith("_") else (name,):
                if key in values:
                    return values[key] + name[len(key):]
            unknown.append(name)
            return match.group()

        url = _PLACEHOLDER.sub(replace, template)
        if unknown:
            line = doc.key_lines.get("permalink") if doc.own_permalink else None
            where = doc.origin if doc.own_permalink else "_config.yml"
            self.warn(where, line, f"permalink: unknown placeholder ':{unknown[0]}' kept as "
                                   "text")
        url = ("/" + url).replace("..", "/").replace("./", "")
        return re.sub(r"/{2,}", "/", url)

    # -- old paths and the links between posts -------------------------------------------

    def place(self) -> None:
        """Set each published document's old path; index them for links."""
        taken: dict[str, _Doc] = {}
        for doc in self.docs:
            self.by_source[doc.path] = doc
            if doc.draft or doc.url is None:
                continue
            path = self.destination_of(doc)
            if path is None:
                continue
            if path in taken:
                self.warn(doc.origin, None, f"the old site published {taken[path].rel} at the "
                                            f"same path /{path}: Jekyll kept only one of them")
            taken.setdefault(path, doc)
            doc.old_path = path
            for key in _url_keys(path, unquote(doc.url).lstrip("/")):
                self.by_url.setdefault(key, doc)
            self.by_source_rel.setdefault(doc.source_rel, doc)
            if doc.kind == "page":
                continue
            entry = doc.entry.rsplit(".", 1)[0]
            above = "/".join(doc.dir_categories)
            for name in (entry, f"{above}/{entry}" if above else entry):
                self.by_name.setdefault(name, doc)
            when = self.local(doc.date)
            self.by_day.setdefault((doc.data_slug, when.year, when.month, when.day), doc)

    def destination_of(self, doc: _Doc) -> str | None:
        assert doc.url is not None
        raw = unquote(doc.url)
        path = _normalize(raw)
        if raw.endswith("/") and path:
            path += "/"
        elif path and not path.endswith(doc.output_ext):
            path += doc.output_ext
        if path in ("", "index.html"):
            self.warn(doc.origin, doc.key_lines.get("permalink"),
                      f"the old URL {doc.url} is the home page: no old path kept")
            return None
        if _normalize(raw) != raw.strip("/"):
            self.warn(doc.origin, doc.key_lines.get("permalink"),
                      f"permalink {doc.url} climbs out of the site: Jekyll wrote it at /{path}")
        return path

    def post_url(self, name: str) -> str | None:
        """Return the old path of the post ``{% post_url name %}`` names, or None."""
        name = name.strip().lstrip("/")
        stem, dot, suffix = name.rpartition(".")
        for wanted in (name, stem) if dot and "/" not in suffix else (name,):
            doc = self.by_name.get(wanted)
            if doc is not None:
                return "/" + t.cast(str, doc.old_path)
        # Jekyll's older rule, still honoured: the same date and slug, in any folder.
        match = re.match(r"^(?:.+/)*(\d+-\d+-\d+)-(.*)$", stem if dot and "/" not in suffix
                         else name)
        date = _parse_date(match.group(1), None) if match else None
        if match is None or date is None:
            return None
        doc = self.by_day.get((match.group(2), date.year, date.month, date.day))
        return "/" + t.cast(str, doc.old_path) if doc is not None else None

    def link(self, source: str) -> str | None:
        """Return the old path of the file ``{% link source %}`` names, or None."""
        source = source.strip().lstrip("/")
        doc = self.by_source_rel.get(source)
        if doc is not None:
            return "/" + t.cast(str, doc.old_path)
        if source in self.static_by_site_path or (self.folder / source) in self.statics:
            return "/" + source
        return None

    # -- bodies --------------------------------------------------------------------------

    def convert(self, doc: _Doc) -> None:
        """Convert the Liquid of ``doc``, then find what its links point to."""
        body = doc.body
        if doc.meta.get("render_with_liquid") is False or not liquid.has_liquid(body):
            doc.converted, doc.raws = body, ()
        else:
            converted = liquid.convert(body, self.liquid_page(doc), doc.origin, doc.body_line)
            self.result.problems.extend(converted.problems)
            doc.converted, doc.raws = converted.text, converted.raws
        if doc.converter == "markdown":
            self.report_kramdown(doc)
        markdown_links.rewrite_links(
            doc.converted, lambda href, image: self.collect(doc, href, image),
            markdown=doc.converter != "html")
        image = doc.meta.get("image")
        src = _image_src(image)
        if src is not None:
            self.collect(doc, src, True)

    def report_kramdown(self, doc: _Doc) -> None:
        """Warn about kramdown's own extensions (``{::comment}``, ``{:toc}``), kept as text."""
        seen: set[str] = set()
        for match in _KRAMDOWN.finditer(doc.body):
            name = match.group(1) or match.group(2)
            if name in seen:
                continue
            seen.add(name)
            shown = "{:toc}" if match.group(2) else "{::" + name + "}"
            line = doc.body_line + doc.body.count("\n", 0, match.start())
            self.warn(doc.origin, line, f"kramdown {shown} not converted: kept as text")

    def liquid_page(self, doc: _Doc) -> liquid.Page:
        page: dict[str, object] = {k: v for k, v in doc.meta.items()
                                   if isinstance(v, str | int | float | bool | list)}
        url = doc.url or ""
        page.update(title=doc.title, url=url, date=doc.date, slug=doc.data_slug,
                    categories=list(doc.categories), tags=list(_tags(doc.meta)),
                    path=doc.source_rel, id=posixpath.join(posixpath.dirname(url),
                                                           doc.data_slug))
        excerpt = doc.meta.get("excerpt")
        if not isinstance(excerpt, str):
            page.pop("excerpt", None)
        when = self.local(doc.date)
        offset = (self.tz.utcoffset(when) if self.tz else None) or dt.timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        return liquid.Page(site=self.site, page=page, post_url=self.post_url, link=self.link,
                           tz_offset=f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}")

    def collect(self, doc: _Doc, href: str, image: bool) -> str | None:
        target = self.target(doc, href)
        if target is None:
            parts = urlsplit(href)
            if image and parts.scheme in ("http", "https") and href not in doc.media:
                doc.media.append(href)
        elif target.file is not None:
            if target.file not in doc.files:
                doc.files.append(target.file)
            users = self.statics[target.file].users
            if doc.number not in users:
                users.append(doc.number)
        return None

    def target(self, doc: _Doc, href: str) -> _Target | None:
        """Return where ``href`` in ``doc`` goes when it stays within the old site."""
        href = href.strip()
        if not href or href.startswith("#") or liquid.RAW_START in href:
            return None
        try:
            parts = urlsplit(href)
        except ValueError:
            return None
        suffix = (f"?{parts.query}" if parts.query else "") + \
                 (f"#{parts.fragment}" if parts.fragment else "")
        changed = False
        if parts.scheme or href.startswith("//"):
            own = urlsplit(self.url) if self.url else None
            if (own is None or parts.scheme.lower() not in ("http", "https", "")
                    or (parts.hostname or "") != (own.hostname or "")):
                return None
            path = parts.path or "/"
            changed = True
        else:
            path = parts.path
        if not path:
            return None
        if path.startswith("/"):
            if self.baseurl:
                if path == self.baseurl or path.startswith(self.baseurl + "/"):
                    path = path[len(self.baseurl):] or "/"
                    changed = True
                elif changed:
                    return None
            found = self.lookup(unquote(path).lstrip("/"), suffix)
            if found is not None:
                return found
            return _Target(href=path + suffix) if changed else None
        # A relative link: a file beside the post, else a path below its old URL.
        beside = Path(os.path.normpath(doc.path.parent / unquote(path)))
        if beside in self.by_source and self.by_source[beside].old_path is not None:
            return _Target(href="/" + t.cast(str, self.by_source[beside].old_path) + suffix)
        if beside in self.statics:
            return _Target(file=beside, suffix=suffix)
        if doc.url is not None and doc.old_path is not None:
            base = doc.url if doc.url.endswith("/") else posixpath.dirname(doc.url) + "/"
            joined = posixpath.normpath(posixpath.join(base, unquote(path)))
            return self.lookup(joined.lstrip("/"), suffix)
        return None

    def lookup(self, site_path: str, suffix: str) -> _Target | None:
        doc = self.by_url.get(site_path)
        if doc is not None and doc.old_path is not None:
            return _Target(href="/" + quote(doc.old_path, safe=_URL_SAFE) + suffix)
        file = self.static_by_site_path.get(site_path.rstrip("/"))
        if file is None and site_path.startswith(("_posts/", "_drafts/")):
            candidate = self.folder / site_path
            file = candidate if candidate in self.statics else None
        if file is not None:
            return _Target(file=file, suffix=suffix)
        return None

    # -- assets --------------------------------------------------------------------------

    def assign_files(self) -> None:
        """Decide which referenced files become assets, and account for every static file."""
        for static in self.statics.values():
            users = static.users
            if not users:
                self.account(static.rel, "skipped", static.unreferenced)
            elif static.colocated or len(users) == 1:
                self.account(static.rel, "asset")
            else:
                names = ", ".join(self.docs[i].rel for i in users[:3])
                more = f" and {len(users) - 3} more" if len(users) > 3 else ""
                self.account(static.rel, "skipped",
                             f"used by {len(users)} posts ({names}{more}): a site-wide file is "
                             f"not imported; copy it to static/{static.site_path} to keep "
                             "their links working")

    def owned(self, doc: _Doc) -> dict[Path, str]:
        """Return the files that become assets of ``doc``, with their names."""
        names: dict[Path, str] = {}
        taken: set[str] = set()
        for file in doc.files:
            static = self.statics[file]
            if not (static.colocated or static.users == [doc.number]):
                continue
            try:
                name = file.relative_to(doc.path.parent).as_posix()
            except ValueError:
                name = file.name
            if name in taken:
                name = static.rel
            number = 2
            while name in taken:
                stem, dot, ext = file.name.rpartition(".")
                name = f"{stem or ext}-{number}{dot}{ext if stem else ''}"
                number += 1
            taken.add(name)
            names[file] = name
        return names

    # -- the article ---------------------------------------------------------------------

    def article(self, doc: _Doc) -> ImportedArticle:
        owned = self.owned(doc)

        def rewrite(href: str, image: bool) -> str | None:
            target = self.target(doc, href)
            if target is None:
                return None
            if target.file is None:
                return target.href
            if target.file in owned:
                return quote(owned[target.file], safe=_URL_SAFE) + target.suffix
            site_path = self.statics[target.file].site_path
            return "/" + quote(site_path, safe=_URL_SAFE) + target.suffix if site_path else None

        body = markdown_links.rewrite_links(doc.converted, rewrite,
                                            markdown=doc.converter != "html")
        body = liquid.restore(body, doc.raws).strip("\n")
        body = body + "\n" if body else ""
        meta = doc.meta
        people, source = split_byline(self.authors_of(doc), self.config.import_agencies)
        summary, summary_key = self.summary(doc, body)
        image, image_used = self.image(doc, rewrite)
        used = set(MAPPED_KEYS)
        if summary_key:
            used.add(summary_key)
        if image_used:
            used.add("image")
        extra = {k: meta[k] for k in doc.own_keys if k not in used}
        self.result.unmapped.update(extra.keys())
        lang = meta.get("lang")
        site_lang = self.site.get("lang")
        return ImportedArticle(
            origin=doc.origin, origin_line=1, title=doc.title, date=doc.date, body=body,
            updated=self.updated(doc), authors=people, source=source,
            tags=tuple(_tags(meta)), summary=summary, image=image,
            original_url=self.original_url(doc),
            lang=valid_lang(lang if isinstance(lang, str) else
                            site_lang if isinstance(site_lang, str) else None),
            slug=doc.url_slug or None, draft=doc.draft, page=doc.kind == "page",
            sticky=meta.get("sticky") is True or meta.get("pinned") is True,
            categories=tuple(doc.categories),
            section=section_of(doc.categories, doc.kind == "page"), old_path=doc.old_path,
            aliases=self.aliases(doc), extra=extra,
            assets=tuple(Asset(file, name) for file, name in owned.items()),
            media=tuple(doc.media),
        )

    def authors_of(self, doc: _Doc) -> list[str]:
        value = doc.meta.get("authors", doc.meta.get("author"))
        items = value if isinstance(value, list) else [value]
        names: list[str] = []
        for item in items:
            if isinstance(item, dict):
                item = item.get("name")
            if not isinstance(item, str | int | float) or isinstance(item, bool):
                continue
            name = str(item).strip()
            data = self.authors.get(name)
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                name = t.cast(str, data["name"]).strip()
            if name:
                names.append(name)
        return names

    def summary(self, doc: _Doc, body: str) -> tuple[str | None, str | None]:
        """Return the summary and the front-matter key it came from (None: the body)."""
        excerpt = doc.meta.get("excerpt")
        if isinstance(excerpt, str) and excerpt.strip():
            return _plain(excerpt), "excerpt"
        description = doc.meta.get("description")
        if isinstance(description, str) and description.strip():
            return _plain(description), "description"
        separator = doc.meta.get("excerpt_separator", self.separator)
        if not isinstance(separator, str) or separator in ("", DEFAULT_EXCERPT_SEPARATOR):
            return None, None
        head, found, _ = body.partition(separator)
        if not found or not head.strip():
            return None, None
        if doc.converter == "html":
            return html_to_text(head) or None, None
        references = "\n".join(markdown_links.reference_definitions(body))
        try:
            rendered = render_markdown(f"{head}\n\n{references}")
        except BodyError:
            return None, None
        return html_to_text(rendered.html) or None, None

    def image(self, doc: _Doc, rewrite: t.Callable[[str, bool], str | None]
              ) -> tuple[Image | None, bool]:
        value = doc.meta.get("image")
        src = _image_src(value)
        if src is None:
            return None, False
        src = rewrite(src, True) or src
        alt = value.get("alt") if isinstance(value, dict) else None
        caption = value.get("caption") if isinstance(value, dict) else None
        return Image(src=src, alt=str(alt) if isinstance(alt, str) else "",
                     caption=str(caption) if isinstance(caption, str) else ""), True

    def updated(self, doc: _Doc) -> dt.datetime | None:
        for key in ("last_modified_at", "modified", "updated"):
            value = doc.meta.get(key)
            if value is None:
                continue
            parsed = _parse_date(value, self.tz)
            if parsed is None:
                self.warn(doc.origin, doc.key_lines.get(key), f"{key}: cannot read "
                                                              f"{_show(value)} as a date")
                return None
            if not isinstance(parsed, dt.datetime):
                parsed = dt.datetime(parsed.year, parsed.month, parsed.day)
            return parsed
        return None

    def original_url(self, doc: _Doc) -> str | None:
        if not self.url or doc.draft or doc.url is None or doc.old_path is None:
            return None
        if not re.match(r"^https?://[^\s/]+", self.url):
            return None
        return self.url + self.baseurl + quote(doc.url, safe=_URL_SAFE)

    def aliases(self, doc: _Doc) -> tuple[str, ...]:
        value = doc.meta.get("redirect_from")
        items = value if isinstance(value, list) else [value] if value is not None else []
        found: list[str] = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                self.warn(doc.origin, doc.key_lines.get("redirect_from"),
                          f"redirect_from: {_show(item)} is no path: ignored")
                continue
            path = item.strip()
            parts = urlsplit(path)
            if parts.scheme or path.startswith("//"):
                own = urlsplit(self.url).hostname if self.url else None
                if parts.hostname != own:
                    self.warn(doc.origin, doc.key_lines.get("redirect_from"),
                              f"redirect_from: {_show(item)} is on another site: ignored")
                    continue
                path = parts.path
            raw = unquote(path)
            alias = _normalize(raw)
            if not alias:
                continue
            if raw.endswith("/"):
                alias += "/"
            elif "." not in alias.rsplit("/", 1)[-1]:
                alias += ".html"
            if alias != doc.old_path and alias not in found:
                found.append(alias)
        return tuple(found)

    # -- proposals -----------------------------------------------------------------------

    def propose(self) -> None:
        if self.tz is not None:
            self.result.proposed["timezone"] = self.tz.key
        posts = [d for d in self.docs if d.kind != "page" and not d.own_permalink]
        if not posts:
            return
        pattern = _our_permalink(self.template, any(d.categories for d in posts))
        if pattern is not None:
            self.result.proposed["permalink"] = pattern


# -- helpers ---------------------------------------------------------------------------


def jekyll_slugify(text: str, *, pretty: bool = False, cased: bool = False) -> str:
    """Return Jekyll's slug of ``text`` (its ``default`` or ``pretty`` mode)."""
    out: list[str] = []
    dash = False
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LM" or category == "Nd" or (pretty and char in _PRETTY_KEEP):
            out.append(char)
            dash = False
        elif not dash:
            out.append("-")
            dash = True
    slug = "".join(out)
    slug = slug[1:] if slug.startswith("-") else slug
    slug = slug[:-1] if slug.endswith("-") else slug
    return slug if cased else slug.lower()


def _titleize(slug: str) -> str:
    """Return Jekyll's title for a file name: words split at '-', each capitalised."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in slug.split("-")).strip()


def _our_permalink(template: str, has_categories: bool) -> str | None:
    """Return our ``permalink`` reproducing a Jekyll pattern, or None when none can."""
    if ":categories" in template:
        if has_categories:
            return None
        template = template.replace(":categories", "")
    fields = {"year": "{year}", "month": "{month}", "day": "{day}", "title": "{slug}",
              "slug": "{slug}"}
    names = _PLACEHOLDER.findall(template)
    if any(n not in fields for n in names) or sum(n in ("title", "slug") for n in names) != 1:
        return None
    pattern = re.sub(r"/{2,}", "/", "/" + _PLACEHOLDER.sub(lambda m: fields[m.group(1)],
                                                          template))
    if pattern.endswith((".html", ".htm")) or check_permalink(pattern):
        return None
    return pattern


def _load_settings(file: Path, shown: str) -> dict[str, object] | Problem:
    try:
        text = clean_text(file.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        return Problem(shown, None, f"cannot read file: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return Problem(shown, None, "not UTF-8 text")
    try:
        if file.suffix == ".toml":
            data: object = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return Problem(shown, mark.line + 1 if mark is not None else None,
                       f"invalid YAML: {reason}; the site's settings are not used")
    except tomllib.TOMLDecodeError as exc:
        return Problem(shown, None, f"invalid TOML: {exc}; the site's settings are not used")
    if data is None:
        return {}
    if not isinstance(data, dict):
        return Problem(shown, 1, "expected a mapping of settings; the site's settings are "
                                 "not used")
    return {str(k): v for k, v in data.items()}


def _has_front_matter(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return _YAML_HEADER.match(handle.readline(4096)) is not None
    except OSError:
        return False


def _special(name: str) -> bool:
    """Return whether Jekyll's entry filter drops ``name`` ('.', '_', '#' or '~')."""
    return name.startswith((".", "_", "#")) or name.endswith("~")


def _parse_date(value: object, tz: dt.tzinfo | None) -> dt.date | dt.datetime | None:
    """Read a date as Jekyll (Ruby's ``Time.parse``) reads the common forms of it."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo or tz is None else value.replace(tzinfo=tz)
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _DATE.match(text)
    if match is None:
        return _parse_email_date(text, tz)
    try:
        day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        if match["H"] is None:
            return day
        micro = int((match["f"] or "0")[:6].ljust(6, "0"))
        when = dt.datetime(day.year, day.month, day.day, int(match["H"]), int(match["M"]),
                           int(match["S"] or 0), micro)
    except ValueError:
        return None
    zone = match["z"]
    if zone is None:
        return when.replace(tzinfo=tz) if tz is not None else when
    if zone.upper() in ("Z", "UTC", "GMT"):
        return when.replace(tzinfo=dt.UTC)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else \
        (int(digits), 0)
    if hours > 23 or minutes > 59:
        return None
    return when.replace(tzinfo=dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes)))


def _parse_email_date(text: str, tz: dt.tzinfo | None) -> dt.datetime | None:
    """Read an RFC 2822 date (``Thu, 02 Jan 2020 03:04:05 +0100``), as feeds write them."""
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is not None:
        return parsed
    # "-0000" is UTC with the writer's zone unknown; Ruby reads it as UTC.
    zone = dt.UTC if text.rstrip().endswith("-0000") else tz
    return parsed.replace(tzinfo=zone) if zone is not None else parsed


def _same_day(when: dt.datetime, date: dt.date | dt.datetime) -> bool:
    return (when.year, when.month, when.day) == (date.year, date.month, date.day)


def _categories(meta: t.Mapping[str, object]) -> list[str]:
    """Return the categories of the front matter the way Jekyll merges them.

    ``categories`` is a list or words separated by spaces; ``category`` is one name
    (or a list); both count.
    """
    plural = meta.get("categories")
    found: list[object] = (list[object](plural.split()) if isinstance(plural, str) else
                           list(plural) if isinstance(plural, list) else
                           [plural] if plural is not None else [])
    single = meta.get("category")
    found.extend(single if isinstance(single, list) else [single] if single is not None else [])
    return [str(c).strip() for c in found if c is not None and str(c).strip()]


def _tags(meta: t.Mapping[str, object]) -> list[str]:
    """Return the tags: ``tag`` (one name or a list), else ``tags`` (a list or words)."""
    single, plural = meta.get("tag"), meta.get("tags")
    if single is not None:
        items: list[object] = list(single) if isinstance(single, list) else [single]
    else:
        items = (list[object](plural.split()) if isinstance(plural, str) else
                 list(plural) if isinstance(plural, list) else
                 [plural] if plural is not None else [])
    return _unique([str(i).strip() for i in items if i is not None and str(i).strip()])


def _unique(items: t.Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _normalize(raw: str) -> str:
    """Resolve '.' and '..' the way Jekyll sanitises a path inside the output folder."""
    segments: list[str] = []
    for segment in raw.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    return "/".join(segments)


def _url_keys(old_path: str, url_path: str) -> list[str]:
    """Return the site paths a browser may have used for a page written at ``old_path``."""
    keys = [old_path, url_path]
    if old_path.endswith("/"):
        keys += [old_path + "index.html", old_path.rstrip("/")]
    elif old_path.endswith(".html"):
        keys.append(old_path[:-5])
    return _unique(k for k in keys if k)


def _image_src(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, dict):
        for key in ("path", "src", "url"):
            item = value.get(key)
            if isinstance(item, str) and item.strip():
                return item.strip()
    return None


def _plain(text: str) -> str:
    text = text.strip()
    if "<" in text:
        return html_to_text(text)
    return _SPACE.sub(" ", text)


def _show(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "...'"
