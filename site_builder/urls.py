"""Every URL rule in one place: slugs, permalinks and output paths.

Site paths are relative to the base URL and never start with ``/`` (``2018/08/22/x/``);
templates turn them into links with ``url()`` and ``abs_url()``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import unquote

from anyascii import anyascii

MAX_SEGMENT = 120
"""Longest slug kept, in characters; far below the usual 255-byte file-name limit."""
MAX_NAME_BYTES = 255
"""Longest file or folder name most file systems accept, in bytes of UTF-8."""
MAX_PATH_BYTES = 1024
"""Longest site path accepted, in bytes; leaves room for the output folder's own path."""

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_FILE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}-")
_FILE_LANG = re.compile(r"\.[a-z]{2}(?:[_-][a-z]{2,4})?$", re.IGNORECASE)
# Names that Windows refuses as files; archives get copied to every kind of machine.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}


def is_reserved_name(name: str) -> bool:
    """Return whether Windows refuses ``name`` as a file name (``CON``, ``nul.txt``, ...)."""
    return name.split(".", 1)[0].lower().rstrip(" ") in _RESERVED


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
        and not is_reserved_name(slug)
        and re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9._~-]*[A-Za-z0-9_~-])?", slug) is not None
    )


def expand_permalink(pattern: str, *, date: dt.datetime, slug: str, lang: str) -> str:
    """Fill a permalink pattern and return the site path (no leading ``/``)."""
    path = pattern.format(
        year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}",
        slug=slug, lang=lang,
    )
    return path.lstrip("/")


def path_problem(path: str) -> str | None:
    """Return why site path ``path`` cannot be written inside the output folder, or None.

    The path must stay inside the folder (no ``..``, no absolute path, no backslash),
    carry no control characters, and fit the file system's limits.
    """
    if not path or path.startswith("/") or "\\" in path:
        return "must be a relative path without '\\'"
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000 for c in path):
        return "contains control characters"
    segments = path.rstrip("/").split("/")
    if any(s in ("", ".", "..") for s in segments):
        return "must not contain empty, '.' or '..' segments"
    longest = max(len(s.encode("utf-8")) for s in segments)
    if longest > MAX_NAME_BYTES:
        return f"has a segment of {longest} bytes (at most {MAX_NAME_BYTES})"
    if len(path.encode("utf-8")) > MAX_PATH_BYTES:
        return f"is longer than {MAX_PATH_BYTES} bytes"
    return None


PAGE_SUFFIXES = (".html", ".htm")
"""Endings of a page's file name; any other file name is not a page."""


def site_path_of(written: str, base_url: str, base_path: str, role: str) -> tuple[str, str]:
    """Return the site path a front-matter URL names, or ``""`` and what is wrong with it.

    ``written`` (an article's ``url``, one of its ``aliases``) may be a site path
    (``2019/old-slug/``), a root-relative path with or without the base URL's path, or
    an absolute URL under ``base_url``. Percent-escapes are decoded, as servers decode
    them before looking for the file. A last segment without a dot is a folder, so
    ``/old-slug`` means ``old-slug/``; ``x/index.html`` is the folder ``x/`` too.
    ``role`` names what ``written`` is in the message about the home page.
    """
    shown = printable(written)
    if written.startswith(base_url):
        path = written[len(base_url):]
    elif "://" in written or written.startswith("//"):
        return "", f"'{shown}' is not under base_url {base_url}"
    else:
        path = written
        if path.startswith(base_path) and base_path != "/":
            path = path[len(base_path):]
        path = path.lstrip("/")
    decoded = unquote(path) if "?" not in path and "#" not in path else path
    segments = decoded.split("/")
    if ("?" in decoded or "#" in decoded or "\\" in decoded or "//" in decoded
            or any(s in (".", "..") for s in segments)
            or any(ord(c) < 33 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000
                   or c in "\"'<>" for c in decoded)):
        return "", (f"'{shown}' is not a usable URL path (no spaces, quotes, '..', '//', '?', "
                    "'#')")
    path = decoded
    if path == "index.html" or path.endswith("/index.html"):
        path = path.removesuffix("index.html")
    elif path and "." not in segments[-1] and not path.endswith("/"):
        path += "/"
    if not path:
        return "", f"the home page cannot be {role}"
    return path, ""


def printable(text: str) -> str:
    """Return ``text`` with control characters and undecodable bytes shown as escapes."""
    return "".join(
        c if c.isprintable() or c == " " else ascii(c)[1:-1] for c in text
    )


def output_path(url: str) -> str:
    """Return the file a site path is written to (folders get ``index.html``)."""
    if url == "" or url.endswith("/"):
        return url + "index.html"
    return url


def page_folder(url: str) -> str:
    """Return the folder of the page at site path ``url``: itself for ``x/``, ``a/`` for
    ``a/x.html``."""
    return url[: url.rfind("/") + 1]


def page_url(base: str, number: int, newest: bool) -> str:
    """Return the site path of page ``number`` of a listing rooted at ``base``."""
    return base if newest else f"{base}page/{number}/"


TAXONOMY_KINDS = ("tags", "authors", "sources")
"""Kinds of terms every site has; each is also the folder of its pages (``tags/labour/``)."""
CATEGORIES = "categories"
"""The kind of terms a site has only when some article has ``categories``."""
SECTIONS = "sections"
"""The kind of the sections' terms, whose fronts sit at the top of the site (``world/``)."""
ARCHIVE_URL = "archive/"
LISTING_PREFIXES = ("page/", "archive/", *(f"{kind}/" for kind in TAXONOMY_KINDS))
"""Folders the site's own listings live in; articles must keep out of them."""
FEED_URLS = ("feed.xml", "rss.xml", "feed.json")
FEED_NAME = "feed.xml"
"""File name of the Atom feed inside a term's folder."""


def term_index_url(kind: str) -> str:
    """Return the site path of the page listing every term of ``kind``.

    Sections have no such page: the home page and its navigation list them.
    """
    return "" if kind == SECTIONS else f"{kind}/"


def term_url(kind: str, slug: str) -> str:
    """Return the site path of one term's listing (``tags/labour/``, a section's ``world/``)."""
    return f"{slug}/" if kind == SECTIONS else f"{kind}/{slug}/"


def year_url(year: int) -> str:
    """Return the site path of a year's archive (``2024/``)."""
    return f"{year:04d}/"


def month_url(year: int, month: int) -> str:
    """Return the site path of a month's archive (``2024/05/``)."""
    return f"{year:04d}/{month:02d}/"


def day_url(year: int, month: int, day: int) -> str:
    """Return the site path of a day's archive (``2024/05/02/``)."""
    return f"{year:04d}/{month:02d}/{day:02d}/"
