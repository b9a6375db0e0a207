"""Write imported articles into ``content/``, idempotently and without clobbering edits.

``site-builder import`` reads each source (scraped article text, a feed, or another
generator's whole site) into :class:`ImportedArticle` objects, then places each one:

- An article is matched to an existing file by ``original_url``, looked up in the front
  matter of every file under ``content/``; an article without one is matched by the
  file it would be written to. A new article goes to
  ``content/YYYY/MM/YYYY-MM-DD-slug.md``, the slug made unique if the file or the page
  URL is taken. An article with files of its own (assets, fetched media) is a bundle:
  ``content/YYYY/MM/YYYY-MM-DD-slug/index.md`` with its files beside it.
- Every file written records ``import_digest`` in its front matter: the SHA-256 of the
  file's text without that line. A file whose text no longer matches its digest (or
  that has none) was edited since it was imported, and is only overwritten with
  ``force``.
- Importing the same source again writes nothing: a file whose text would not change
  is left alone, so its bytes and modification time stay as they are; an asset is
  copied only when its bytes differ.
- Nothing is written outside the content folder: slugs, asset names and media names
  from the source are made safe, and every path is checked after symbolic links are
  resolved.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import filecmp
import hashlib
import json
import os
import re
import shutil
import tomllib
import typing as t
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import yaml

from ..config import CONFIG_NAME, Config, load_config, parse_config
from ..content import (
    PAGES_DIR,
    clean_text,
    discover_sources,
    parse_date,
    read_source,
    split_front_matter,
)
from ..errors import BuildError, Problem
from ..model import Image
from ..urls import (
    MAX_SEGMENT,
    expand_permalink,
    is_valid_slug,
    output_path,
    path_problem,
    printable,
    slug_from_filename,
    slugify,
)
from ..validate import RESERVED_FOLDERS, RESERVED_URLS
from . import media as media_files
from .article_text import parse_article_text
from .feed_entries import parse_feed, read_feed
from .imported import Asset, ImportedArticle, SiteImport, guess_lang, valid_lang

DIGEST_KEY = "import_digest"
"""Front-matter key holding the digest of the text the importer wrote."""
SOURCE_KEY = "import_source"
"""Front-matter key holding the digest of what the article was made from, and how."""
SOURCE_FORMAT = "2"
"""Changes whenever the same source would be written differently."""
FALLBACK_SLUG = "article"
"""Slug of an article whose title gives none (only punctuation, say)."""
MAX_CANDIDATES = 999
"""Most articles of one day with one title (``slug``, ``slug-2`` ... ``slug-999``)."""
BUNDLE_INDEX = "index.md"
"""The article file of a bundle folder."""
PAGES_NOTE = ("pages are written to content/pages/ with 'page: true': built at their old "
              "URL, left out of listings and feeds")

ALSO_RESERVED = ("categories/",)
"""Folders of listings the build adds only for some sites (categories, once an article has
one): imported articles keep out of them all the same."""

Action = t.Literal["created", "updated", "unchanged", "skipped"]
ProposalStatus = t.Literal["added", "set", "differs", "invalid"]
_DIGEST_LINE = re.compile(rf"^{DIGEST_KEY}: sha256:(?P<hex>[0-9a-f]{{64}})\n", re.MULTILINE)
_FRONT_END = re.compile(r"^---[ \t]*$", re.MULTILINE)
_ARTICLE_SUFFIXES = (".md", ".markdown")
_UNSAFE_IN_URL = re.compile(r"[\s'#]")
PAGE_SUFFIXES = (".html", ".htm")
"""Endings of the file name of a page the build can serve an article at."""
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\\:*?\"<>|]")


@dataclasses.dataclass(frozen=True, slots=True)
class ImportEvent:
    """What happened to one imported article."""

    action: Action
    path: str
    """Project-relative path of the content file."""
    origin: str
    """Where the article came from (file, or feed and entry)."""
    number: int
    """1-based position of the article within its source."""
    total: int
    """Number of articles read from that source (0 when not known in advance)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Proposal:
    """A ``config.toml`` key a reader proposed, and what became of it."""

    key: str
    line: str
    """The key as a TOML line: ``permalink = "/{year}/{month}/{day}/{slug}/"``."""
    status: ProposalStatus
    """``added`` to config.toml (it lacked the key), already ``set`` to this value,
    ``differs`` (config.toml sets another value, left alone), or ``invalid``."""
    detail: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class SiteSummary:
    """What a reader of another generator's site found, for the summary."""

    name: str
    kinds: t.Mapping[str, int]
    """How many source files became articles, pages, drafts, assets, or were skipped."""
    skipped: tuple[tuple[str, int], ...]
    """Why files were skipped, with how many, most frequent first."""
    unmapped: tuple[tuple[str, int], ...]
    """Keys kept under ``extra``, with how many articles had each, most frequent first."""
    proposals: tuple[Proposal, ...]
    pages: bool
    """Whether any article was written with ``page: true``."""
    assets_copied: int = 0
    media_fetched: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class ImportResult:
    """Everything an import did, and every problem met on the way."""

    events: tuple[ImportEvent, ...]
    problems: tuple[Problem, ...]
    site: SiteSummary | None = None
    """For ``import --from``: what the reader found."""

    def count(self, action: Action) -> int:
        """Return how many articles ended with ``action``."""
        return sum(1 for event in self.events if event.action == action)

    @property
    def failed(self) -> int:
        """Return the number of sources or entries refused for an error."""
        return sum(1 for problem in self.problems if problem.level == "error")


@dataclasses.dataclass(slots=True)
class _ContentIndex:
    """What ``content/`` already holds, kept current while articles are written."""

    by_original_url: dict[str, Path] = dataclasses.field(default_factory=dict)
    without_url: set[Path] = dataclasses.field(default_factory=set)
    """Files with no ``original_url``, matched by path when an article has none either."""
    taken_outputs: dict[str, Path] = dataclasses.field(default_factory=dict)
    """Output path of the page each existing article is built to -> its file."""
    placed: dict[str, str] = dataclasses.field(default_factory=dict)
    """Match key -> origin of each article handled in this run."""
    sources: dict[str, str] = dataclasses.field(default_factory=dict)
    """``original_url`` -> ``import_source`` of each file that is as the importer wrote it."""


@dataclasses.dataclass(slots=True)
class _Options:
    """How one run places articles."""

    force: bool = False
    lang: str | None = None
    fetch_media: bool = False
    assets_copied: int = 0
    media_fetched: int = 0


def import_sources(
    config: Config, files: t.Sequence[str] = (), feeds: t.Sequence[str] = (), *,
    force: bool = False, lang: str | None = None,
    on_event: t.Callable[[ImportEvent], None] | None = None,
) -> ImportResult:
    """Import article text ``files`` and ``feeds`` (paths or URLs) into ``content/``.

    ``force`` overwrites files edited since they were imported; ``lang`` sets every
    article's language; ``on_event`` is called after each article, for progress.
    """
    problems: list[Problem] = []
    events: list[ImportEvent] = []
    index = _scan_content(config, problems)
    options = _Options(force=force, lang=lang)

    def place_all(articles: t.Sequence[ImportedArticle]) -> None:
        for number, article in enumerate(articles, 1):
            event = _place(config, index, article, options, problems=problems,
                           number=number, total=len(articles))
            if event is not None:
                events.append(event)
                if on_event is not None:
                    on_event(event)

    for location in files:
        article, found = read_article_text(location, config)
        problems += found
        if article is not None:
            place_all([article])
    for location in feeds:
        data, problem = read_feed(location)
        if problem is not None:
            problems.append(problem)
            continue
        assert data is not None
        articles, found = parse_feed(data, location, agencies=config.import_agencies)
        problems += found
        place_all(articles)
    return ImportResult(tuple(events), tuple(problems))


def import_site(
    config: Config, site: SiteImport, name: str, *, force: bool = False,
    fetch_media: bool = False, lang: str | None = None,
    on_event: t.Callable[[ImportEvent], None] | None = None,
) -> ImportResult:
    """Write what a reader of another generator's site found into ``content/``.

    Proposed ``config.toml`` keys that the file lacks are added to it first (a key it
    sets is never changed), so the old URLs the proposal reproduces need no ``url``.
    ``fetch_media`` downloads each article's remote media into its bundle folder.
    """
    problems: list[Problem] = []
    events: list[ImportEvent] = []
    proposals: tuple[Proposal, ...] = ()
    if site.articles or any(item.kind in ("article", "page", "draft")
                            for item in site.accounted):
        config, proposals = apply_proposals(config, site.proposed, problems)
    index = _scan_content(config, problems)
    options = _Options(force=force, lang=lang, fetch_media=fetch_media)

    def up_to_date(original_url: str, source_digest: str) -> bool:
        # Downloads may be missing: a file is only up to date when nothing is fetched.
        return not fetch_media and index.sources.get(original_url) == _source_key(
            config, options, source_digest)

    site.up_to_date = up_to_date
    # A streamed source says how many articles it holds only through what it accounted.
    total = len(site.articles) if not site.streamed else sum(
        1 for item in site.accounted if item.kind in ("article", "page", "draft"))
    pages = False
    for number, article in enumerate(site.all_articles(), 1):
        pages = pages or article.page
        event = _place(config, index, article, options, problems=problems, number=number,
                       total=total)
        if event is not None:
            events.append(event)
            if on_event is not None:
                on_event(event)
    kinds = collections.Counter(str(item.kind) for item in site.accounted)
    reasons = collections.Counter(item.reason or "no reason given" for item in site.accounted
                                  if item.kind == "skipped")
    summary = SiteSummary(
        name=name, kinds=dict(kinds), skipped=tuple(_by_count(reasons)),
        unmapped=tuple(_by_count(site.unmapped)), proposals=proposals, pages=pages,
        assets_copied=options.assets_copied, media_fetched=options.media_fetched)
    return ImportResult(tuple(events), (*site.problems, *problems), summary)


def _source_key(config: Config, options: _Options, source_digest: str) -> str:
    """Return what ``import_source`` records: the source's digest and how it was written."""
    how = "\x00".join((SOURCE_FORMAT, source_digest, config.permalink, config.language,
                       config.timezone, options.lang or ""))
    return hashlib.sha256(how.encode("utf-8")).hexdigest()[:32]


def _by_count(counter: t.Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def read_article_text(location: str, config: Config) -> tuple[ImportedArticle | None,
                                                                list[Problem]]:
    """Read and parse one file of scraped article text."""
    try:
        data = Path(location).read_bytes()
    except OSError as exc:
        return None, [Problem(location, None, f"cannot read file: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(location, line, "not UTF-8 text (is it a binary file?)")]
    return parse_article_text(clean_text(text), location, agencies=config.import_agencies)


def render_article(
    article: ImportedArticle, lang: str, *, slug: str | None = None, url: str | None = None,
    aliases: t.Sequence[str] = (), source: str | None = None,
) -> str:
    """Return the Markdown file for ``article``: front matter (with digest) and body.

    ``slug``, ``url`` and ``aliases`` are written as given: where the article is placed
    decides them (:func:`import_site`).
    """
    front: dict[str, object] = {"title": article.title, "date": article.date}
    if article.updated is not None:
        front["updated"] = article.updated
    if article.authors:
        front["authors"] = list(article.authors)
    if article.source:
        front["source"] = article.source
    if article.tags:
        front["tags"] = list(article.tags)
    if article.categories:
        front["categories"] = list(article.categories)
    if article.section:
        front["section"] = article.section
    if article.summary:
        front["summary"] = article.summary
    if article.image is not None:
        image = {key: value for key, value in (
            ("src", article.image.src), ("alt", article.image.alt),
            ("caption", article.image.caption), ("credit", article.image.credit),
            ("copyright", article.image.copyright)) if value}
        if image:
            front["image"] = image
    if article.related:
        front["related"] = [{"title": r.title, **({"url": r.url} if r.url else {})}
                            for r in article.related]
    if slug is not None:
        front["slug"] = slug
    if url is not None:
        front["url"] = url
    if aliases:
        front["aliases"] = list(aliases)
    if article.draft:
        front["draft"] = True
    if article.page:
        front["page"] = True
    if article.sticky:
        front["sticky"] = True
    if article.original_url:
        front["original_url"] = article.original_url
    front["lang"] = lang
    if article.extra:
        front["extra"] = {str(key): _plain(value) for key, value in article.extra.items()}
    if source is not None:
        front[SOURCE_KEY] = source
    header = yaml.dump(front, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                       width=1_000_000, default_flow_style=False)
    body = f"\n{article.body}" if article.body.strip() else ""
    unsigned = f"---\n{header}---\n{body}"
    return f"---\n{header}{DIGEST_KEY}: sha256:{_digest(unsigned)}\n---\n{body}"


def _plain(value: object, depth: int = 0) -> object:
    """Return ``value`` as what safe YAML holds: text, numbers, dates, lists, mappings."""
    if value is None or isinstance(value, str | bool | int | float | dt.date):
        return value
    if depth > 16:
        return str(value)
    if isinstance(value, t.Mapping):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_plain(item, depth + 1) for item in items]
    return str(value)


def is_unedited(text: str) -> bool:
    """Return whether ``text`` is exactly what the importer wrote (its digest matches)."""
    # A checkout that turns line endings into CRLF has not edited the article.
    text = text.replace("\r\n", "\n")
    end = _FRONT_END.search(text, 4) if text.startswith("---") else None
    if end is None:
        return False
    match = _DIGEST_LINE.search(text, 0, end.end())
    if match is None:
        return False
    unsigned = text[:match.start()] + text[match.end():]
    return _digest(unsigned) == match.group("hex")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Dumper(yaml.SafeDumper):
    """Safe YAML with indented lists and ISO 8601 date-times (``2018-08-22T10:30:00+03:00``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_Dumper.add_representer(dt.datetime, _represent_datetime)


# --- config.toml -------------------------------------------------------------------------


def apply_proposals(
    config: Config, proposed: t.Mapping[str, object], problems: list[Problem]
) -> tuple[Config, tuple[Proposal, ...]]:
    """Add each proposed key that ``config.toml`` lacks; return the config now in force.

    A key config.toml already sets is left as it is (reported as ``set`` or
    ``differs``); a proposal the config would refuse is reported ``invalid``. Keys are
    added before the first table, so they stay top-level keys.
    """
    if not proposed:
        return config, ()
    path = config.project_dir / CONFIG_NAME
    try:
        text = path.read_bytes().decode("utf-8-sig")
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # load_config read it a moment ago; whatever changed since is left alone.
        return config, tuple(Proposal(key, toml_line(key, value), "invalid",
                                      f"{CONFIG_NAME} could not be read again")
                             for key, value in proposed.items())
    results: list[Proposal] = []
    added: dict[str, object] = {}
    for key, value in proposed.items():
        line = toml_line(key, value)
        if key in raw:
            status: ProposalStatus = "set" if raw[key] == value else "differs"
            detail = "" if status == "set" else f"{CONFIG_NAME} has {toml_line(key, raw[key])}"
            results.append(Proposal(key, line, status, detail))
            continue
        if getattr(config, key, None) == value:
            # The default in force already does it; nothing to add.
            results.append(Proposal(key, line, "set", "the default"))
            continue
        try:
            parse_config({**raw, **added, key: value}, text, config.project_dir)
        except BuildError as exc:
            reason = "; ".join(p.message for p in exc.problems)
            results.append(Proposal(key, line, "invalid", reason))
            continue
        added[key] = value
        results.append(Proposal(key, line, "added"))
    if not added:
        return config, tuple(results)
    lines = text.splitlines(keepends=True)
    at = next((n for n, row in enumerate(lines) if row.lstrip().startswith("[")), len(lines))
    if at and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    block = "".join(f"{toml_line(key, value)}\n" for key, value in added.items())
    if at < len(lines):
        block += "\n"
    new_text = "".join(lines[:at]) + block + "".join(lines[at:])
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(new_text, encoding="utf-8", newline="")
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        problems.append(Problem(CONFIG_NAME, None, f"cannot write: {exc.strerror or exc}; add "
                                "the proposed keys by hand", level="warning"))
        return config, tuple(dataclasses.replace(p, status="invalid", detail="not written")
                             if p.status == "added" else p for p in results)
    return load_config(config.project_dir), tuple(results)


def toml_line(key: str, value: object) -> str:
    """Return ``key = value`` as a line of TOML."""
    return f"{key} = {_toml_value(value)}"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    # JSON's string escapes are TOML's basic-string escapes.
    return json.dumps(str(value))


# --- content/ ------------------------------------------------------------------------------


def _scan_content(config: Config, problems: list[Problem]) -> _ContentIndex:
    """Index the existing articles by ``original_url`` and by the page each builds to."""
    index = _ContentIndex()
    if not config.content_path.is_dir():
        return index
    sources, _ = discover_sources(config)
    for src in sources:
        text, _ = read_source(src)
        if text is None:
            continue
        split = split_front_matter(clean_text(_head(text)), src.path)
        if isinstance(split, Problem):
            problems.append(Problem(src.path, split.line, f"{split.message}; imports are not "
                                    "matched against this file", level="warning"))
            continue
        meta = split[0]
        url = meta.get("original_url")
        if isinstance(url, str) and url.strip():
            index.by_original_url.setdefault(url.strip(), src.abs_path)
            source = meta.get(SOURCE_KEY)
            if isinstance(source, str) and is_unedited(text):
                index.sources.setdefault(url.strip(), source)
        else:
            index.without_url.add(src.abs_path)
        page = _page_of(config, meta, src.abs_path)
        if page is not None:
            index.taken_outputs.setdefault(page, src.abs_path)
    return index


_FENCE = re.compile(r"^(?:---|\+\+\+)[ \t]*\r?$", re.MULTILINE)


def _head(text: str) -> str:
    """Return ``text`` up to the end of its front matter: the body is not needed here."""
    if not text.startswith(("---", "+++", "\ufeff")):
        return text
    first = text.find("\n")
    end = _FENCE.search(text, first + 1) if first >= 0 else None
    return text if end is None else text[:end.end()] + "\n"


def derived_slug(path: Path) -> str:
    """Return the slug the build gives an article file that sets none.

    A bundle's ``index.md`` takes its folder's name; any other file its own name, less
    a ``YYYY-MM-DD-`` prefix and a language suffix.
    """
    return slug_from_filename(path.parent.name if path.name == BUNDLE_INDEX else path.stem)


def _page_of(config: Config, meta: t.Mapping[str, object], path: Path) -> str | None:
    """Return the output path the build gives an existing file, or None if unknown."""
    url = meta.get("url")
    if isinstance(url, str) and url.strip():
        return output_path(url.strip().lstrip("/"))
    date = parse_date(meta.get("date"), config.tzinfo)
    slug = meta.get("slug")
    if not isinstance(slug, str):
        title = meta.get("title")
        slug = derived_slug(path) or (slugify(title) if isinstance(title, str) else "")
    lang = meta.get("lang")
    page = meta.get("page")
    in_pages = path.resolve().is_relative_to((config.content_path / PAGES_DIR).resolve())
    if slug and (page is True or in_pages and page is not False):
        return output_path(f"{slug}/")
    if date is None or not slug:
        return None
    return output_path(expand_permalink(config.permalink, date=date, slug=slug,
                                        lang=lang if isinstance(lang, str) else config.language))


@dataclasses.dataclass(frozen=True, slots=True)
class _Target:
    """Where an article goes and what its placement writes into its front matter."""

    path: Path
    slug: str
    """The slug the article's page URL is made from."""
    moved_from: Path | None = None
    """A flat file this article leaves for its bundle."""


def _place(
    config: Config, index: _ContentIndex, article: ImportedArticle, options: _Options, *,
    problems: list[Problem], number: int, total: int,
) -> ImportEvent | None:
    """Create, update or keep the file of one article; None if it could not be written."""
    if article.kept:
        return _keep(config, index, article, number, total, problems)
    article_lang = (valid_lang(options.lang) or article.lang
                    or guess_lang(f"{article.title}\n{article.body}", config.language))
    assets = _safe_assets(article, problems)
    bundled = bool(assets) or (options.fetch_media and bool(article.media))
    key = article.original_url
    if key is not None:
        existing = index.by_original_url.get(key)
    else:
        existing = _match_by_path(config, index, article)
        key = str(existing or _article_path(config, article, _file_slug(
            next(_slug_candidates(article))), bundled))
    earlier = index.placed.get(key)
    index.placed.setdefault(key, article.label)

    def event(action: Action, path: Path) -> ImportEvent:
        rel = path.relative_to(config.project_dir).as_posix()
        return ImportEvent(action, rel, article.label, number, total)

    if existing is not None:
        target = _existing_target(article, existing, bundled)
        current = _read_text(existing)
        editable = options.force or (current is not None and is_unedited(current))
        if editable and earlier is None:
            _fetch_media(config, article, target, assets, options, problems)
        text = _text(config, index, article, target, article_lang, assets, options, problems)
        if current == text and target.moved_from is None:
            _copy_assets(config, target, assets, options, problems)
            return event("unchanged", existing)
        if earlier is not None:
            what = f"{article.entry}: same" if article.entry else "same"
            problems.append(Problem(article.origin, article.origin_line,
                                    f"{what} article as {earlier}; imported only once",
                                    level="warning"))
            return event("skipped", existing)
        if not editable:
            return event("skipped", existing)
        if not _write(config, target.path, text, problems):
            return None
        if target.moved_from is not None:
            target.moved_from.unlink(missing_ok=True)
            _forget(index, target.moved_from)
            _remember(config, index, article, target.path, text)
        _copy_assets(config, target, assets, options, problems)
        return event("updated", target.path)
    found = _new_target(config, index, article, article_lang, bundled)
    if found is None:
        what = f"{article.entry}: no" if article.entry else "no"
        problems.append(Problem(article.origin, article.origin_line,
                                f"{what} free file name for this article; not imported"))
        return None
    _fetch_media(config, article, found, assets, options, problems)
    text = _text(config, index, article, found, article_lang, assets, options, problems)
    if not _write(config, found.path, text, problems):
        return None
    _remember(config, index, article, found.path, text)
    _copy_assets(config, found, assets, options, problems)
    return event("created", found.path)


def _keep(config: Config, index: _ContentIndex, article: ImportedArticle, number: int,
          total: int, problems: list[Problem]) -> ImportEvent | None:
    """Count the placeholder of an article whose file is up to date as unchanged."""
    url = article.original_url or ""
    existing = index.by_original_url.get(url)
    if existing is None:
        problems.append(Problem(article.origin, None, f"{url}: the reader skipped an article "
                                                      "no file holds; import again"))
        return None
    index.placed.setdefault(url, article.label)
    rel = existing.relative_to(config.project_dir).as_posix()
    return ImportEvent("unchanged", rel, article.label, number, total)


def _remember(config: Config, index: _ContentIndex, article: ImportedArticle, path: Path,
              text: str) -> None:
    split = split_front_matter(text, str(path))
    if not isinstance(split, Problem):
        page = _page_of(config, split[0], path)
        if page is not None:
            index.taken_outputs.setdefault(page, path)
    if article.original_url is not None:
        index.by_original_url[article.original_url] = path
    else:
        index.without_url.add(path)


def _forget(index: _ContentIndex, path: Path) -> None:
    index.without_url.discard(path)
    for page in [page for page, owner in index.taken_outputs.items() if owner == path]:
        del index.taken_outputs[page]


def _text(
    config: Config, index: _ContentIndex, article: ImportedArticle, target: _Target,
    lang: str, assets: t.Sequence[Asset], options: _Options, problems: list[Problem],
) -> str:
    """Return the file text of ``article`` placed at ``target``."""
    slug = target.slug if target.slug != derived_slug(target.path) else None
    permalink_page = _served_at(config, article, target.slug, lang)
    url = None
    old = normal_site_path(article.old_path) if article.old_path else None
    if old is not None and old != permalink_page:
        why = _unusable_url(old)
        owner = index.taken_outputs.get(output_path(old))
        if why is None and owner is not None and owner not in (target.path, target.moved_from):
            why = f"is already the page of {owner.relative_to(config.project_dir).as_posix()}"
        if why is None:
            url = f"/{old}"
        else:
            problems.append(Problem(article.origin, article.origin_line,
                                    f"old URL /{printable(old)} {why}; the article is served "
                                    f"at /{permalink_page} instead", level="warning"))
    aliases: list[str] = []
    for alias in article.aliases:
        path = normal_site_path(alias)
        if path is None or path in (old, permalink_page) or f"/{path}" in aliases:
            continue
        why = _unusable_url(path)
        if why is not None:
            problems.append(Problem(article.origin, article.origin_line,
                                    f"alias /{printable(path)} {why}; left out",
                                    level="warning"))
            continue
        aliases.append(f"/{path}")
    names = media_files.local_names(article.media, taken=[asset.name for asset in assets])
    folder = target.path.parent if target.path.name == BUNDLE_INDEX else None
    local = {url_: name for url_, name in names.items()
             if folder is not None and (folder / name).is_file()}
    if local:
        image = article.image
        if image is not None and image.src in local:
            image = _with_file_credits(dataclasses.replace(image, src=local[image.src]),
                                       t.cast(Path, folder) / local[image.src])
        article = dataclasses.replace(
            article, body=media_files.rewrite_references(article.body, local), image=image)
    source = None if article.source_digest is None else _source_key(
        config, options, article.source_digest)
    return render_article(article, lang, slug=slug, url=url, aliases=aliases, source=source)


def _with_file_credits(image: Image, path: Path) -> Image:
    """Return ``image`` with the caption, credit and copyright notice its downloaded file
    carries (IPTC or XMP) where the old site gave none, so the front matter keeps them."""
    if image.caption and image.credit and image.copyright:
        return image
    from ..imaging import ImageError, probe_file  # Pillow only when a file is there

    try:
        probe = probe_file(path)
    except (ImageError, OSError):
        return image  # not an image after all: the build says so, at the image key
    return dataclasses.replace(image, caption=image.caption or probe.caption,
                               credit=image.credit or probe.credit,
                               copyright=image.copyright or probe.copyright)


def normal_site_path(path: str) -> str | None:
    """Return an old site path as a site path: decoded, no leading ``/``, no query.

    ``/greek/%ce%b5/`` becomes ``greek/ε/``; repeated slashes are one; None when nothing
    is left (the home page).
    """
    text = urlsplit(path.strip()).path
    if "%" in text:
        # Not UTF-8 underneath: kept as the old site wrote it.
        with contextlib.suppress(UnicodeDecodeError):
            text = unquote(text, errors="strict")
    text = re.sub(r"/{2,}", "/", text).lstrip("/")
    # As the build reads a url: a last segment without a dot is a folder, and so is
    # x/index.html.
    if text == "index.html" or text.endswith("/index.html"):
        text = text.removesuffix("index.html")
    elif text and "." not in text.rsplit("/", 1)[-1] and not text.endswith("/"):
        text += "/"
    return text or None


def _unusable_url(path: str) -> str | None:
    """Return why an article cannot be served at site path ``path``, or None."""
    problem = path_problem(output_path(path))
    if problem is not None:
        return problem
    if _UNSAFE_NAME.search(path) or _UNSAFE_IN_URL.search(path):
        return "has characters file names or URL paths cannot hold"
    if path in RESERVED_URLS or output_path(path).startswith((*RESERVED_FOLDERS,
                                                              *ALSO_RESERVED)):
        return "is reserved by the site"
    if not path.endswith(("/", *PAGE_SUFFIXES)):
        return "names a file that is not a page (the build serves pages at folders and .html files)"
    return None


def _aware(date: dt.date | dt.datetime, config: Config) -> dt.datetime:
    if isinstance(date, dt.datetime):
        return date if date.tzinfo is not None else date.replace(tzinfo=config.tzinfo)
    return dt.datetime(date.year, date.month, date.day, tzinfo=config.tzinfo)


def _served_at(config: Config, article: ImportedArticle, slug: str, lang: str) -> str:
    """Return the site path the build gives ``article`` at ``slug`` when it sets no url:
    ``{slug}/`` for a page, the permalink for an article."""
    if article.page:
        return f"{slug}/"
    return expand_permalink(config.permalink, date=_aware(article.date, config), slug=slug,
                            lang=lang)


def _article_path(config: Config, article: ImportedArticle, file_slug: str,
                  bundled: bool = False) -> Path:
    if article.page:
        # Where the build looks for standalone pages: they have no place in time.
        folder = config.content_path / PAGES_DIR
        return folder / file_slug / BUNDLE_INDEX if bundled else folder / f"{file_slug}.md"
    year, month, day = f"{article.date.year:04d}", f"{article.date.month:02d}", \
        f"{article.date.day:02d}"
    name = f"{year}-{month}-{day}-{file_slug}"
    folder = config.content_path / year / month
    return folder / name / BUNDLE_INDEX if bundled else folder / f"{name}.md"


def _other_form(path: Path) -> Path:
    """Return the bundle of a flat file and the flat file of a bundle (same slug)."""
    if path.name == BUNDLE_INDEX:
        return path.parent.with_name(f"{path.parent.name}.md")
    return path.with_suffix("") / BUNDLE_INDEX


def _slug_candidates(article: ImportedArticle) -> t.Iterator[str]:
    """Yield the slugs an article may take, in order: its own or its title's, then ``-2``...

    The old site's slug is kept as it was (case included) when it is usable in a URL.
    """
    if article.slug and is_valid_slug(article.slug):
        base = article.slug
    else:
        base = slugify(article.slug or "") or slugify(article.title) or FALLBACK_SLUG
    yield base
    for number in range(2, MAX_CANDIDATES + 1):
        suffix = f"-{number}"
        yield base[:MAX_SEGMENT - len(suffix)].rstrip("-._~") + suffix


def _file_slug(slug: str) -> str:
    """Return the part of a file name that carries ``slug``: lower case, ASCII, ``-``."""
    return slugify(slug) or FALLBACK_SLUG


def _match_by_path(config: Config, index: _ContentIndex, article: ImportedArticle) -> Path | None:
    """Return the file of an article that has no URL: same day, same title, no URL either."""
    for slug in _slug_candidates(article):
        flat = _article_path(config, article, _file_slug(slug))
        bundle = _other_form(flat)
        for path in (flat, bundle):
            if path in index.without_url:
                return path
        if not flat.exists() and not bundle.exists():
            return None
    return None


def _existing_target(article: ImportedArticle, existing: Path, bundled: bool) -> _Target:
    """Return where the article of ``existing`` goes: the same file, or its bundle."""
    path, moved_from = existing, None
    if bundled and existing.name != BUNDLE_INDEX and existing.suffix in _ARTICLE_SUFFIXES:
        bundle = _other_form(existing)
        if not bundle.exists() and not bundle.parent.exists():
            path, moved_from = bundle, existing
    have = derived_slug(path)
    slug = next((s for s in _slug_candidates(article) if _file_slug(s) == have), have)
    return _Target(path, slug, moved_from)


def _new_target(
    config: Config, index: _ContentIndex, article: ImportedArticle, lang: str, bundled: bool
) -> _Target | None:
    """Return a free file for ``article`` whose page URL no other article has."""
    for slug in _slug_candidates(article):
        path = _article_path(config, article, _file_slug(slug), bundled)
        page = output_path(_served_at(config, article, slug, lang))
        if (path.exists() or _other_form(path).exists()
                or (bundled and path.parent.exists())
                or page in index.taken_outputs
                or page.removesuffix("index.html") in RESERVED_URLS
                or page.startswith((*RESERVED_FOLDERS, *ALSO_RESERVED))):
            continue
        return _Target(path, slug)
    return None


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _inside_content(config: Config, path: Path) -> bool:
    # resolve() sees through a symbolic link among the folders before any is created.
    return path.resolve().is_relative_to(config.content_path.resolve())


def _write(config: Config, path: Path, text: str, problems: list[Problem]) -> bool:
    """Write ``text`` to ``path`` atomically; record a problem and return False on failure."""
    rel = path.relative_to(config.project_dir).as_posix()
    if not _inside_content(config, path):
        problems.append(Problem(rel, None, "refusing to write outside the content folder"))
        return False
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # os.open with 0o666 lets the umask decide the mode, as for any new file.
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        problems.append(Problem(rel, None, f"cannot write file: {exc.strerror or exc}"))
        return False
    return True


# --- assets and media ----------------------------------------------------------------------


def safe_asset_name(name: str) -> str | None:
    """Return ``name`` as a POSIX path inside a bundle folder, or None if it is unsafe.

    Refused: absolute paths, ``..`` and empty segments, backslashes, control
    characters, hidden names, ``index.md`` and other article files (the build would
    read them as articles).
    """
    if not name or name.startswith("/") or "\\" in name or _UNSAFE_NAME.search(name):
        return None
    parts = PurePosixPath(name).parts
    if not parts or any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    if parts[-1].lower().endswith(_ARTICLE_SUFFIXES):
        return None
    if path_problem(name) is not None:
        return None
    return "/".join(parts)


def _safe_assets(article: ImportedArticle, problems: list[Problem]) -> list[Asset]:
    assets: list[Asset] = []
    seen: set[str] = set()
    for asset in article.assets:
        name = safe_asset_name(asset.name)
        if name is None:
            problems.append(Problem(article.origin, article.origin_line,
                                    f"asset {printable(asset.name)!r} cannot be a file of the "
                                    "article's folder; not copied", level="warning"))
            continue
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        assets.append(Asset(asset.src, name))
    return assets


def _copy_assets(config: Config, target: _Target, assets: t.Sequence[Asset],
                 options: _Options, problems: list[Problem]) -> None:
    """Copy each asset next to the article, only where the bytes differ."""
    if not assets or target.path.name != BUNDLE_INDEX:
        return
    folder = target.path.parent
    for asset in assets:
        dest = folder / asset.name
        rel = dest.relative_to(config.project_dir).as_posix()
        if not _inside_content(config, dest):
            problems.append(Problem(rel, None, "refusing to write outside the content folder"))
            continue
        try:
            if dest.is_file() and filecmp.cmp(asset.src, dest, shallow=False):
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            temp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
            try:
                shutil.copyfile(asset.src, temp)
                os.replace(temp, dest)
            finally:
                temp.unlink(missing_ok=True)
        except OSError as exc:
            problems.append(Problem(rel, None, f"cannot copy {asset.src}: "
                                               f"{exc.strerror or exc}"))
            continue
        options.assets_copied += 1


def _fetch_media(config: Config, article: ImportedArticle, target: _Target,
                 assets: t.Sequence[Asset], options: _Options, problems: list[Problem]) -> None:
    """Download the article's remote media into its bundle folder (``--fetch-media``)."""
    if not options.fetch_media or not article.media or target.path.name != BUNDLE_INDEX:
        return
    folder = target.path.parent
    names = media_files.local_names(article.media, taken=[asset.name for asset in assets])
    for url, name in names.items():
        dest = folder / name
        if not _inside_content(config, dest):
            problems.append(Problem(dest.relative_to(config.project_dir).as_posix(), None,
                                    "refusing to write outside the content folder"))
            continue
        try:
            if media_files.fetch(url, dest):
                options.media_fetched += 1
        except media_files.FetchError as exc:
            problems.append(Problem(article.origin, article.origin_line,
                                    f"media {printable(url)}: {exc}; the article links to "
                                    "the original", level="warning"))
        except OSError as exc:
            problems.append(Problem(dest.relative_to(config.project_dir).as_posix(), None,
                                    f"cannot write media: {exc.strerror or exc}",
                                    level="warning"))
