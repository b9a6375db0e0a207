"""Every URL rule in one place: slugs, permalinks and output paths.

Site paths are relative to the base URL and never start with ``/`` (``2018/08/22/x/``);
templates turn them into links with ``url()`` and ``abs_url()``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from anyascii import anyascii

MAX_SEGMENT = 120
"""Longest slug kept, in characters; far below the usual 255-byte file-name limit."""

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_FILE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}-")
_FILE_LANG = re.compile(r"\.[a-z]{2}(?:[_-][a-z]{2,4})?$", re.IGNORECASE)
# Names that Windows refuses as files; archives get copied to every kind of machine.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}


def slugify(text: str) -> str:
    """Return an ASCII slug: transliterated, lower case, words joined by ``-``."""
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).lower()
    slug = _NON_SLUG.sub("-", ascii_text.replace("'", "")).strip("-")
    if len(slug) > MAX_SEGMENT:
        slug = slug[:MAX_SEGMENT].rstrip("-")
    if slug in _RESERVED:
        slug += "-1"
    return slug


def slug_from_filename(stem: str) -> str:
    """Derive a slug from a file stem, dropping a ``YYYY-MM-DD-`` prefix and a language suffix."""
    stem = _FILE_DATE.sub("", stem)
    stem = _FILE_LANG.sub("", stem)
    return slugify(stem)


def is_valid_slug(slug: str) -> bool:
    """Return whether ``slug`` is safe as one path segment of every output file system."""
    return (
        0 < len(slug) <= MAX_SEGMENT
        and slug not in (".", "..")
        and slug.lower() not in _RESERVED
        and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*", slug) is not None
    )


def expand_permalink(pattern: str, *, date: dt.datetime, slug: str, lang: str) -> str:
    """Fill a permalink pattern and return the site path (no leading ``/``)."""
    path = pattern.format(
        year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}",
        slug=slug, lang=lang,
    )
    return path.lstrip("/")


def output_path(url: str) -> str:
    """Return the file a site path is written to (folders get ``index.html``)."""
    if url == "" or url.endswith("/"):
        return url + "index.html"
    return url


def page_url(base: str, number: int, newest: bool) -> str:
    """Return the site path of page ``number`` of a listing rooted at ``base``."""
    return base if newest else f"{base}page/{number}/"


TAXONOMY_KINDS = ("tags", "authors", "sources")
"""Kinds of terms; each is also the folder of its pages (``tags/labour/``)."""
ARCHIVE_URL = "archive/"
LISTING_PREFIXES = ("page/", "archive/", *(f"{kind}/" for kind in TAXONOMY_KINDS))
"""Folders the site's own listings live in; articles must keep out of them."""
FEED_URLS = ("feed.xml", "rss.xml", "feed.json")
FEED_NAME = "feed.xml"
"""File name of the Atom feed inside a term's folder."""


def term_index_url(kind: str) -> str:
    """Return the site path of the page listing every term of ``kind``."""
    return f"{kind}/"


def term_url(kind: str, slug: str) -> str:
    """Return the site path of one term's listing (``tags/labour/``)."""
    return f"{kind}/{slug}/"


def year_url(year: int) -> str:
    """Return the site path of a year's archive (``2024/``)."""
    return f"{year:04d}/"


def month_url(year: int, month: int) -> str:
    """Return the site path of a month's archive (``2024/05/``)."""
    return f"{year:04d}/{month:02d}/"


def day_url(year: int, month: int, day: int) -> str:
    """Return the site path of a day's archive (``2024/05/02/``)."""
    return f"{year:04d}/{month:02d}/{day:02d}/"
