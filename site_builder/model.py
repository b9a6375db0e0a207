"""The data types that flow between build stages (all frozen)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import typing as t

from .errors import Problem


class BodySource(t.Protocol):
    """Where stored article bodies are read back from (the build cache)."""

    def load_body(self, digest: str) -> str:
        """Return the HTML whose digest is ``digest``."""
        ...


def html_digest(html: str) -> str:
    """Return the content digest that names an article body."""
    return hashlib.blake2b(html.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Body:
    """An article's rendered HTML, held in memory or read from the cache when needed.

    Keeping bodies out of memory is what bounds a large build's footprint: only the
    pages being rendered load theirs. Two bodies are equal when their digests are.
    """

    __slots__ = ("_html", "_source", "digest")

    def __init__(self, html: str | None, digest: str | None = None,
                 source: BodySource | None = None) -> None:
        if html is None and (digest is None or source is None):
            raise ValueError("a stored body needs its digest and source")
        self._html = html
        self._source = source
        self.digest: str = digest if digest is not None else html_digest(t.cast(str, html))

    @classmethod
    def stored(cls, digest: str, source: BodySource) -> Body:
        """Return a body that is read from ``source`` each time it is used."""
        return cls(None, digest, source)

    @property
    def html(self) -> str:
        """Return the HTML, reading it from the cache if it is not held."""
        if self._html is not None:
            return self._html
        return t.cast(BodySource, self._source).load_body(self.digest)

    @property
    def is_stored(self) -> bool:
        """Return whether the HTML lives in the cache rather than in memory."""
        return self._html is None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Body) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __repr__(self) -> str:
        return f"Body({self.digest})"

    def __getstate__(self) -> tuple[str | None, str, BodySource | None]:
        return (self._html, self.digest, self._source)

    def __setstate__(self, state: tuple[str | None, str, BodySource | None]) -> None:
        self._html, self.digest, self._source = state


@dataclasses.dataclass(frozen=True, slots=True)
class Rendition:
    """One file made from a local image: a width in one format."""

    url: str
    """Site path of the file (``2024/05/02/strike/photo-800.1a2b3c4d.webp``)."""
    width: int
    height: int
    mime: str
    """``image/jpeg``, ``image/png`` or ``image/webp``."""
    key: str
    """Digest of the source file's bytes and every setting the file is made with: the
    name of the file in the image cache, and all an unchanged build compares."""


@dataclasses.dataclass(frozen=True, slots=True)
class Picture:
    """A local image file (beside the article or in its bundle) and the files made from it."""

    file: str
    """Project-relative path of the source file (``content/2024/05/strike/photo.jpg``)."""
    width: int
    """Width of the source as shown, after its EXIF orientation is applied."""
    height: int
    renditions: tuple[Rendition, ...]
    """In the original's format, narrowest first, then in WebP, narrowest first (only
    WebP for a WebP original)."""
    caption: str = ""
    """Caption, credit and copyright notice the file itself carries (IPTC or XMP)."""
    credit: str = ""
    copyright: str = ""

    def of_type(self, mime: str) -> tuple[Rendition, ...]:
        """Return the renditions in format ``mime``, narrowest first."""
        return tuple(r for r in self.renditions if r.mime == mime)

    @property
    def fallback(self) -> Rendition:
        """Return the file of the original's format a browser without ``srcset`` loads:
        the widest up to 1200 pixels, which also serves social previews."""
        own = self.of_type(self.renditions[0].mime)
        return next((r for r in reversed(own) if r.width <= 1200), own[0])


@dataclasses.dataclass(frozen=True, slots=True)
class Image:
    """The lead image of an article; ``src`` may be absent when only the caption is known."""

    src: str | None = None
    alt: str = ""
    caption: str = ""
    credit: str = ""
    copyright: str = ""
    picture: Picture | None = None
    """The processed file, when ``src`` names a local image (see :mod:`.pictures`)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Related:
    """An entry of the front matter's ``related`` list."""

    title: str
    url: str | None = None
    """The link as the page shows it; an archive article's own URL once resolved."""
    src_path: str | None = None
    """Source path of the archive article the entry names, once links are resolved."""


@dataclasses.dataclass(frozen=True, slots=True)
class Article:
    """One parsed article: validated front matter plus the rendered body."""

    src_path: str
    """Project-relative POSIX path of the source file (``content/2018/x.md``)."""
    title: str
    date: dt.datetime | None
    """Publication time, always timezone-aware; None only for a standalone page that
    gives none (every article in a listing has one)."""
    slug: str
    url: str
    """Site path of the article page, relative to the base URL (``2018/08/22/x/``)."""
    body: Body
    """The body rendered to HTML (read it as ``html``)."""
    summary: str
    """Plain-text summary: the front matter's, else the body's first paragraph."""
    summary_html: str = ""
    """The summary as inline HTML for listings (a front matter's is inline Markdown);
    set from ``summary``, escaped, when not given."""
    updated: dt.datetime | None = None
    authors: tuple[str, ...] = ()
    source: str | None = None
    """The agency or publication the article comes from (e.g. Reuters)."""
    tags: tuple[str, ...] = ()
    image: Image | None = None
    original_url: str | None = None
    related: tuple[Related, ...] = ()
    lang: str | None = None
    draft: bool = False
    aliases: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    section: str | None = None
    """The one section of the newspaper the article belongs to (``World``)."""
    page: bool = False
    """A standalone page: built, but left out of date archives, listings, feeds and
    related lists."""
    featured: bool = False
    """Put forward as the front page's lead story while it is on the front page."""
    extra: t.Mapping[str, object] = dataclasses.field(default_factory=dict)
    """Front-matter keys outside the schema, kept for templates."""
    key_lines: t.Mapping[str, int] = dataclasses.field(default_factory=dict)
    """Line of each front-matter key in the source, for error messages."""
    body_line: int = 1
    """Line of the source file where the Markdown body starts."""
    link_origins: t.Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Each href the link resolver rewrote, mapped to the target as the source wrote it."""
    pictures: tuple[Picture, ...] = ()
    """The local images of the body, in order, each once (see :mod:`.pictures`)."""

    def __post_init__(self) -> None:
        if self.summary and not self.summary_html:
            object.__setattr__(self, "summary_html", html.escape(self.summary, quote=False))

    @property
    def html(self) -> str:
        """Return the body rendered to HTML."""
        return self.body.html

    @property
    def listed_date(self) -> dt.datetime:
        """Return the date of an article that listings, archives and feeds hold: every one
        has a date (only a standalone page may have none, and none of them holds it)."""
        if self.date is None:
            raise ValueError(f"{self.src_path} has no date")
        return self.date

    @property
    def all_pictures(self) -> tuple[Picture, ...]:
        """Return the lead picture (when the lead image is a local file) and the body's."""
        lead = self.image.picture if self.image is not None else None
        return ((lead,) if lead is not None else ()) + self.pictures

    @property
    def byline(self) -> tuple[str, ...]:
        """Return the names to credit: the authors, then the source."""
        return self.authors + ((self.source,) if self.source else ())

    def line_of(self, key: str) -> int | None:
        """Return the line of front-matter ``key``, if the file sets it."""
        return self.key_lines.get(key)


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    """One page of a paginated list, newest items first."""

    items: tuple[Article, ...]
    number: int
    """Page number counted from the oldest page (1), so old pages keep their number."""
    count: int
    url: str
    newer_url: str | None
    older_url: str | None
    newest_url: str
    oldest_url: str


@dataclasses.dataclass(frozen=True, slots=True)
class Term:
    """One tag, author, source, category or section and the articles filed under it."""

    name: str
    """The spelling shown: the most frequent of the spellings that fold together."""
    slug: str
    url: str
    """Site path of the term's listing (``tags/labour/``; a section's front: ``world/``)."""
    articles: tuple[Article, ...]
    """Newest first; empty in the copy a term's own pages get (see :meth:`counted`)."""
    count: int = -1
    """Number of articles (set from ``articles`` when not given)."""

    def __post_init__(self) -> None:
        if self.count < 0:
            object.__setattr__(self, "count", len(self.articles))

    @property
    def feed_url(self) -> str:
        """Return the site path of the term's Atom feed."""
        return self.url + "feed.xml"

    def counted(self) -> Term:
        """Return a copy with the count but not the articles.

        Listing pages show a term's name and count; giving them the articles too
        would make every page of a tag depend on every article filed under it, and
        one edit re-render hundreds of pages.
        """
        return dataclasses.replace(self, articles=())


@dataclasses.dataclass(frozen=True, slots=True)
class Taxonomy:
    """Every term of one kind (``tags``, ``authors``, ``sources``, ``categories`` or
    ``sections``)."""

    kind: str
    url: str
    """Site path of the page listing every term (the home page for sections)."""
    terms: tuple[Term, ...] = ()
    """Sorted by slug; sections in navigation order."""
    by_name: t.Mapping[str, Term] = dataclasses.field(default_factory=dict)
    """Each spelling used in the front matter, mapped to its term."""

    def lookup(self, names: t.Iterable[str]) -> tuple[Term, ...]:
        """Return the terms of ``names`` (an article's tags or authors), in order."""
        return tuple(self.by_name[name] for name in names if name in self.by_name)

    def counted(self) -> Taxonomy:
        """Return a copy whose terms carry their counts but not their articles."""
        terms = {id(term): term.counted() for term in self.terms}
        return dataclasses.replace(
            self, terms=tuple(terms[id(term)] for term in self.terms),
            by_name={name: terms.get(id(term), term.counted())
                     for name, term in self.by_name.items()})


@dataclasses.dataclass(frozen=True, slots=True)
class Period:
    """A year, month or day of the archive and its articles, newest first."""

    year: int
    month: int | None
    day: int | None
    url: str
    articles: tuple[Article, ...]
    """Empty in the copy listing pages get (see :meth:`counted`)."""
    count: int = -1
    """Number of articles (set from ``articles`` when not given)."""

    def __post_init__(self) -> None:
        if self.count < 0:
            object.__setattr__(self, "count", len(self.articles))

    def counted(self) -> Period:
        """Return a copy with the count but not the articles (see :meth:`Term.counted`)."""
        return dataclasses.replace(self, articles=())


@dataclasses.dataclass(frozen=True, slots=True)
class Link:
    """One entry of a menu: the text shown and the site path it leads to."""

    title: str
    url: str


@dataclasses.dataclass(frozen=True, slots=True)
class Site:
    """Everything known about the archive before rendering."""

    articles: tuple[Article, ...]
    """Newest first; ties broken by URL so the order never depends on file order. Standalone
    pages (``page: true``) are not among them: see ``pages``."""
    by_url: t.Mapping[str, Article]
    """Every article page of the site by URL, standalone pages included (as ``by_src_path``)."""
    by_src_path: t.Mapping[str, Article]
    home_pages: tuple[Page, ...]
    """The paginated home listing; the last one is served at the site root."""
    tags: Taxonomy = dataclasses.field(default_factory=lambda: Taxonomy("tags", "tags/"))
    authors: Taxonomy = dataclasses.field(default_factory=lambda: Taxonomy("authors", "authors/"))
    sources: Taxonomy = dataclasses.field(default_factory=lambda: Taxonomy("sources", "sources/"))
    categories: Taxonomy = dataclasses.field(
        default_factory=lambda: Taxonomy("categories", "categories/"))
    """Built only when some article has categories (see :attr:`taxonomies`)."""
    sections: Taxonomy = dataclasses.field(default_factory=lambda: Taxonomy("sections", ""))
    """The sections in navigation order: those ``config.toml`` lists, in its order, then
    the others by article count, largest first. Each has its front at ``{slug}/``."""
    years: tuple[Period, ...] = ()
    """Newest first, like ``months`` and ``days``."""
    months: tuple[Period, ...] = ()
    days: tuple[Period, ...] = ()
    related: t.Mapping[str, tuple[Article, ...]] = dataclasses.field(default_factory=dict)
    """Articles sharing tags with the article of each URL, best first."""
    problems: tuple[Problem, ...] = ()
    """Warnings found while assembling the site (terms whose slugs collide)."""
    pages: tuple[Article, ...] = ()
    """Standalone pages (``page: true``, or files in ``content/pages/``), sorted by URL:
    each has its page, in the sitemap and the search index, but no date archive, listing,
    feed or related list shows it."""
    header_links: tuple[Link, ...] = ()
    """The pages config's ``[menu] header`` names, in its order, for every page's header."""
    footer_links: tuple[Link, ...] = ()
    """The pages ``[menu] footer`` names, for every page's footer."""

    @property
    def taxonomies(self) -> tuple[Taxonomy, ...]:
        """Return tags, authors and sources, and categories when some article has one."""
        kinds = (self.tags, self.authors, self.sources)
        return (*kinds, self.categories) if self.categories.terms else kinds

    @property
    def taxonomy_kinds(self) -> tuple[str, ...]:
        """Return the kinds of :attr:`taxonomies` (what a menu of them needs)."""
        return tuple(taxonomy.kind for taxonomy in self.taxonomies)

    @property
    def section_links(self) -> tuple[Link, ...]:
        """Return each section's name and front, in navigation order.

        What a menu of sections needs: a page reading ``sections`` whole would depend on
        every article filed under one, and re-render at every edit of any of them.
        """
        return tuple(Link(term.name, term.url) for term in self.sections.terms)

    @property
    def published(self) -> tuple[Article, ...]:
        """Return every article that has a page: ``articles``, then ``pages``."""
        return self.articles + self.pages


@dataclasses.dataclass(frozen=True, slots=True)
class Route:
    """One output file: where it goes and how to make it."""

    url: str
    """Site path relative to the base URL (``2018/08/22/x/`` or ``feed.xml``)."""
    output_path: str
    """POSIX path inside the output folder (``2018/08/22/x/index.html``)."""
    template: str | None
    """Template to render, or None for a file copied from ``source_file``."""
    context: t.Mapping[str, object] = dataclasses.field(default_factory=dict)
    sources: tuple[str, ...] = ()
    """Project-relative files this route comes from, named in error messages."""
    source_file: str | None = None
    """Absolute path of a static file to copy instead of rendering."""
    lastmod: dt.datetime | None = None
    """Newest content date the page shows, for the sitemap (None: unknown)."""
    content_key: str | None = None
    """For a copied file: a digest that changes whenever its bytes do. A file whose key is
    as the last build recorded is then neither read nor written."""


def _fast_setstate(cls: type) -> None:
    """Give ``cls`` a ``__setstate__`` that knows its fields' names beforehand.

    The one dataclasses writes asks for the fields on every call; unpickling the kept
    model sets the state of some hundred thousand objects, and half the time went there.
    """
    names = tuple(field.name for field in dataclasses.fields(cls))

    def __setstate__(self: object, state: t.Sequence[object]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]


for _cls in (Rendition, Picture, Image, Related, Article, Page, Term, Taxonomy, Period, Link,
             Site, Route):
    _fast_setstate(_cls)

