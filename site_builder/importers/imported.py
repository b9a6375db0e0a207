"""The article an importer reads, and the rules every import format shares.

Both importers (scraped article text and feeds) turn their input into an
:class:`ImportedArticle`; :mod:`site_builder.importers.writing` then writes it into ``content/``.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import re
import typing as t
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..errors import Problem
from ..model import Image, Related
from ..urls import CATEGORIES, slugify
from ..validate import RESERVED_FOLDERS

KNOWN_AGENCIES = (
    "Reuters", "Associated Press", "AP", "AFP", "Agence France-Presse", "Bloomberg",
    "dpa", "Deutsche Presse-Agentur", "EFE", "ANSA", "Xinhua", "Kyodo", "Kyodo News",
    "Yonhap", "UPI", "United Press International", "PA Media", "Press Association",
    "ANP", "Anadolu Agency", "TASS", "ITAR-TASS", "RIA Novosti", "Interfax", "Ukrinform",
    "Sputnik", "Belta", "Kazinform",
    "Рейтер", "Рейтерс", "Ассошиэйтед Пресс", "Франс Пресс", "Франс-Пресс", "АФП",
    "Блумберг", "ТАСС", "ИТАР-ТАСС", "РИА Новости", "Интерфакс", "Укринформ", "БелТА",
)
"""News agencies recognised in bylines; config key ``import_agencies`` adds more."""

CYRILLIC_LANGUAGES = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg"})
"""Languages usually written in Cyrillic, used when guessing an article's language."""

_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_SPACE = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True, slots=True)
class Asset:
    """A file of the old site that belongs to one article (a co-located image, say)."""

    src: Path
    """The file in the old site."""
    name: str
    """POSIX path relative to the new article's folder (no ``..``, not absolute)."""


Kind = t.Literal["article", "page", "draft", "asset", "skipped"]


@dataclasses.dataclass(frozen=True, slots=True)
class Accounted:
    """What became of one source file of the old site, for the import summary."""

    path: str
    """The file as shown to the user (relative to the imported folder)."""
    kind: Kind
    reason: str | None = None
    """Why a file was skipped."""


@dataclasses.dataclass(slots=True)
class SiteImport:
    """Everything one reader of another generator's site found."""

    articles: list[ImportedArticle] = dataclasses.field(default_factory=list)
    accounted: list[Accounted] = dataclasses.field(default_factory=list)
    """Every source file of the old site, once each."""
    problems: list[Problem] = dataclasses.field(default_factory=list)
    """Constructs not converted (warnings) and files refused (errors), at file and line."""
    unmapped: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    """Front-matter keys kept under ``extra``, with how many articles had each."""
    proposed: dict[str, object] = dataclasses.field(default_factory=dict)
    """``config.toml`` keys that reproduce the old site (``permalink``)."""
    streamed: t.Iterable[ImportedArticle] = ()
    """Articles read one at a time after ``articles``, for a source too large to hold at
    once (a WordPress export); iterating it may add to ``problems``."""
    up_to_date: t.Callable[[str, str], bool] = lambda original_url, source_digest: False
    """Set by the writer before ``streamed`` is iterated: whether the file of the article
    with this ``original_url`` is unedited and was written from this ``source_digest``.
    A reader may then yield :meth:`ImportedArticle.unchanged` instead of converting it again."""

    def all_articles(self) -> t.Iterator[ImportedArticle]:
        """Yield ``articles``, then ``streamed``: iterate once, then read ``problems``."""
        yield from self.articles
        yield from self.streamed


@dataclasses.dataclass(frozen=True, slots=True)
class ImportedArticle:
    """One article read by an importer, before it becomes a file in ``content/``."""

    origin: str
    """The file or URL it came from, named in messages."""
    origin_line: int | None
    """Line of ``origin`` where the article starts, when known."""
    title: str
    date: dt.date | dt.datetime
    """Publication date; a datetime without offset means the site's time zone."""
    body: str
    """The body as Markdown."""
    updated: dt.datetime | None = None
    authors: tuple[str, ...] = ()
    source: str | None = None
    tags: tuple[str, ...] = ()
    summary: str | None = None
    image: Image | None = None
    related: tuple[Related, ...] = ()
    original_url: str | None = None
    lang: str | None = None
    entry: str | None = None
    """Which entry of a feed it is (``entry 3 (https://...)``); None for a text file."""
    slug: str | None = None
    """The slug the old site used, case kept; None: derived from the title."""
    draft: bool = False
    page: bool = False
    """A standalone page of the old site (written with ``page: true``)."""
    sticky: bool = False
    categories: tuple[str, ...] = ()
    section: str | None = None
    """The section it is filed under: the old site's first category (see :func:`section_of`)."""
    old_path: str | None = None
    """Site path the old site published it at (``2008/11/21/complex.html``, ``blog/x/``)."""
    aliases: tuple[str, ...] = ()
    """Further old site paths that must redirect to it (``redirect_from``, ``aliases``)."""
    extra: t.Mapping[str, object] = dataclasses.field(default_factory=dict)
    """Front-matter keys of the old site that no field maps, kept as they were."""
    assets: tuple[Asset, ...] = ()
    """Files of the old site to copy next to the new article."""
    media: tuple[str, ...] = ()
    """Remote http(s) media the body or image uses, for ``--fetch-media``."""
    source_digest: str | None = None
    """Digest of everything the reader made this article from, when it can tell; written
    as ``import_source``, so an unchanged source need not be converted again."""
    kept: bool = False
    """A placeholder for an article whose file is up to date (see
    :attr:`SiteImport.up_to_date`): only ``original_url``, ``source_digest`` and ``page``
    mean anything."""

    @classmethod
    def unchanged(cls, origin: str, original_url: str, source_digest: str, *,
                  page: bool = False) -> ImportedArticle:
        """Return the placeholder of an article whose file is up to date."""
        return cls(origin=origin, origin_line=None, title="", date=dt.date(1970, 1, 1),
                   body="", original_url=original_url, source_digest=source_digest,
                   page=page, kept=True)

    @property
    def label(self) -> str:
        """Return where the article came from, for people: ``feed.xml: entry 3 (...)``."""
        return f"{self.origin}: {self.entry}" if self.entry else self.origin


UNFILED = frozenset({"uncategorized", "uncategorised"})
"""Category names that mean "none" (WordPress files every post under one by default)."""


def section_of(categories: t.Sequence[str], page: bool = False) -> str | None:
    """Return the section an imported article is filed under: the old site's first
    category that can be one, or None for a page or an article without one.

    A section's front is a folder at the top of the site, so a category whose slug is a
    number (``2013``, a year's archive) or a folder the site keeps (``tags``) stays a
    category only.
    """
    if page:
        return None
    for name in categories:
        slug = slugify(name)
        if (name.strip().casefold() in UNFILED or not slug or slug.isdigit()
                or f"{slug}/" in (*RESERVED_FOLDERS, f"{CATEGORIES}/")):
            continue
        return name
    return None


def split_byline(
    names: t.Iterable[str], agencies: t.Iterable[str] = ()
) -> tuple[tuple[str, ...], str | None]:
    """Sort byline names into (people, source): agencies go to the source.

    A name is an agency when it matches :data:`KNOWN_AGENCIES` or ``agencies``, ignoring
    case, spacing and a leading "The"; several agencies are joined with ", ".
    """
    known = {_agency_key(a) for a in (*KNOWN_AGENCIES, *agencies)}
    people: list[str] = []
    sources: list[str] = []
    for raw in names:
        name = _SPACE.sub(" ", raw).strip()
        if not name:
            continue
        group = sources if _agency_key(name) in known else people
        if name not in group:
            group.append(name)
    return tuple(people), (", ".join(sources) or None)


def _agency_key(name: str) -> str:
    key = _SPACE.sub(" ", name).strip().casefold()
    return key.removeprefix("the ")


def valid_lang(code: str | None) -> str | None:
    """Return ``code`` if it looks like a language code (``en``, ``pt-BR``), else None."""
    if code is None:
        return None
    code = code.strip()
    return code if _LANG.match(code) else None


def guess_lang(text: str, site_language: str) -> str:
    """Guess an article's language from its script: Cyrillic or not.

    Cyrillic text gets the site language when that is written in Cyrillic, else ``ru``;
    other text gets the site language unless that is written in Cyrillic, else ``en``.
    """
    site_is_cyrillic = site_language.split("-")[0].split("_")[0].lower() in CYRILLIC_LANGUAGES
    cyrillic = len(_CYRILLIC.findall(text))
    if cyrillic > len(_LATIN.findall(text)):
        return site_language if site_is_cyrillic else "ru"
    return "en" if site_is_cyrillic else site_language


def web_url(href: str | None, base: str | None = None) -> str | None:
    """Return ``href`` as an absolute http(s) URL, resolved against ``base``; else None.

    Placeholder links (``#``, empty) carry no URL.
    """
    if href is None:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    if base is not None:
        href = urljoin(base, href)
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https") or not parts.netloc or _SPACE.search(href):
        return None
    return href
