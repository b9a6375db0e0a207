"""Read the entries of an RSS, Atom or JSON Feed into :class:`ImportedArticle` objects.

RSS and Atom are parsed with ``feedparser``, which also sanitises entry HTML. Released
``feedparser`` versions do not read JSON Feed, so a JSON document is read here with the
standard library; both end up as the same :class:`_Entry` record. Entry HTML becomes
Markdown through ``markdownify`` with escaping tuned for Python-Markdown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import functools
import html
import json
import re
import time
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import feedparser
from bs4 import BeautifulSoup
from markdownify import MarkdownConverter

from ..errors import Problem
from .imported import ImportedArticle, split_byline, valid_lang, web_url

FETCH_TIMEOUT = 60
"""Seconds to wait for a feed URL to answer."""

_ENTRY_TAG = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(?:entry|item)[\s>/]")
_RSS_AUTHOR = re.compile(r"^\s*[^\s@()]+@[^\s()]+\s*\((?P<name>[^()]+)\)\s*$")
_PROBE_BASE = "https://example.invalid/"
_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*:")
_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|blockquote|tr|td|th|pre)\b[^>]*>",
                        re.IGNORECASE)
_SPACE = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True, slots=True)
class _Entry:
    """A feed entry in neutral form, whichever format it came from."""

    number: int
    """1-based position in the feed, named in messages."""
    line: int | None
    title: str | None
    published: str | None
    published_parsed: time.struct_time | None
    updated: str | None
    updated_parsed: time.struct_time | None
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    summary_html: str | None
    content: str | None
    content_is_html: bool
    link: str | None
    lang: str | None


def is_url(location: str) -> bool:
    """Return whether ``location`` names a feed on the web rather than a file."""
    return location.startswith(("http://", "https://"))


def read_feed(location: str) -> tuple[bytes | None, Problem | None]:
    """Return the bytes of the feed at ``location`` (a file path or http(s) URL)."""
    if is_url(location):
        request = urllib.request.Request(location, headers={"User-Agent": "site-builder"})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
                return t.cast(bytes, response.read()), None
        except urllib.error.HTTPError as exc:
            return None, Problem(location, None, f"cannot fetch feed: HTTP {exc.code} {exc.reason}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            return None, Problem(location, None, f"cannot fetch feed: {reason}")
    try:
        return Path(location).read_bytes(), None
    except OSError as exc:
        return None, Problem(location, None, f"cannot read feed: {exc.strerror or exc}")


def parse_feed(
    data: bytes, origin: str, *, agencies: t.Sequence[str] = ()
) -> tuple[list[ImportedArticle], list[Problem]]:
    """Turn every entry of a feed into an article; entries without title or date are refused.

    ``origin`` names the feed in messages. An article's ``lang`` is the entry's or the
    feed's declared language, if any.
    """
    if data.lstrip()[:1] == b"{":
        parsed = _json_entries(data, origin)
    else:
        parsed = _xml_entries(data, origin)
    if isinstance(parsed, Problem):
        return [], [parsed]
    entries, feed_lang, feed_link, problems = parsed
    articles: list[ImportedArticle] = []
    for entry in entries:
        article = _article(entry, origin, problems, lang=entry.lang or feed_lang,
                           base=feed_link, agencies=agencies)
        if article is not None:
            articles.append(article)
    return articles, problems


def _xml_entries(
    data: bytes, origin: str
) -> Problem | tuple[list[_Entry], str | None, str | None, list[Problem]]:
    result = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    problems: list[Problem] = []
    error = result.get("bozo_exception")
    line = _error_line(error)
    if line is not None and not data.lstrip().startswith(b"<?xml"):
        # feedparser adds an XML declaration line to a document that has none.
        line = max(1, line - 1)
    if not result.get("version") or (error is not None and not result.entries):
        reason = f": {_reason(error)}" if error is not None else ""
        return Problem(origin, line, f"not an RSS, Atom or JSON feed{reason}")
    if error is not None:
        problems.append(Problem(origin, line, f"the feed is not well-formed ({_reason(error)}); "
                                              "imported the entries that could be read",
                                level="warning"))
    lines = _entry_lines(data, len(result.entries))
    entries = []
    for number, raw in enumerate(result.entries, 1):
        content, content_is_html = _xml_content(raw)
        title = raw.get("title")
        if title is not None and raw.get("title_detail", {}).get("type") == "text/html":
            title = html_to_text(title)
        entries.append(_Entry(
            number=number, line=lines[number - 1] if lines else None,
            title=title, published=raw.get("published"),
            published_parsed=raw.get("published_parsed"),
            # dict.get: feedparser's own get() answers "updated" with "published", warning.
            updated=dict.get(raw, "updated"), updated_parsed=dict.get(raw, "updated_parsed"),
            authors=_xml_authors(raw),
            tags=tuple(tag.get("term") or tag.get("label") or "" for tag in raw.get("tags", [])),
            summary_html=raw.get("summary"), content=content, content_is_html=content_is_html,
            link=raw.get("link") or (raw.get("id") if raw.get("guidislink") else None),
            lang=_xml_lang(raw),
        ))
    feed = result.get("feed", {})
    return entries, valid_lang(feed.get("language")), feed.get("link"), problems


def _xml_authors(raw: t.Mapping[str, t.Any]) -> tuple[str, ...]:
    authors = [a for a in raw.get("authors", []) if isinstance(a, dict)]
    # RSS writes "email (Name)"; feedparser cuts such names apart when the domain is long.
    match = _RSS_AUTHOR.match(raw.get("author") or "")
    return tuple((match.group("name") if match and a.get("email") else a.get("name")) or ""
                 for a in authors)


def _xml_content(raw: t.Mapping[str, t.Any]) -> tuple[str | None, bool]:
    contents = [c for c in raw.get("content", []) if c.get("value")]
    if not contents:
        return None, True
    best = next((c for c in contents if c.get("type") in ("text/html", "application/xhtml+xml")),
                contents[0])
    return best["value"], best.get("type") != "text/plain"


def _xml_lang(raw: t.Mapping[str, t.Any]) -> str | None:
    for key in ("content", "summary_detail", "title_detail"):
        value = raw.get(key)
        details = value if isinstance(value, list) else [value] if value else []
        for detail in details:
            lang = valid_lang(detail.get("language"))
            if lang:
                return lang
    return None


def _entry_lines(data: bytes, count: int) -> list[int] | None:
    """Return the line where each entry starts, if the raw text shows them unambiguously."""
    starts = [m.start() for m in _ENTRY_TAG.finditer(data)]
    if len(starts) != count:
        return None
    return [data.count(b"\n", 0, start) + 1 for start in starts]


def _error_line(error: object) -> int | None:
    get_line = getattr(error, "getLineNumber", None)
    if callable(get_line):
        line = get_line()
        return line if isinstance(line, int) and line > 0 else None
    return None


def _reason(error: object) -> str:
    get_message = getattr(error, "getMessage", None)
    text = get_message() if callable(get_message) else str(error)
    return str(text).strip() or type(error).__name__


def _json_entries(
    data: bytes, origin: str
) -> Problem | tuple[list[_Entry], str | None, str | None, list[Problem]]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return Problem(origin, None, "not an RSS, Atom or JSON feed: not UTF-8 text")
    except json.JSONDecodeError as exc:
        return Problem(origin, exc.lineno, f"not an RSS, Atom or JSON feed: invalid JSON: "
                                           f"{exc.msg}")
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        return Problem(origin, None, "not an RSS, Atom or JSON feed: JSON without a "
                                     "'version' of https://jsonfeed.org/version/1 or 1.1")
    items = document.get("items")
    if not isinstance(items, list):
        return Problem(origin, None, "not a JSON Feed: 'items' must be a list")
    problems: list[Problem] = []
    entries: list[_Entry] = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append(Problem(origin, None, f"entry {number}: not a JSON object"))
            continue
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        content_html, content_text = _json_text(item, "content_html"), _json_text(
            item, "content_text")
        summary = _json_text(item, "summary")
        entries.append(_Entry(
            number=number, line=None, title=_json_text(item, "title"),
            published=_json_text(item, "date_published"), published_parsed=None,
            updated=_json_text(item, "date_modified"), updated_parsed=None,
            authors=tuple(a.get("name") or "" for a in authors
                          if isinstance(a, dict) and isinstance(a.get("name"), str)),
            tags=tuple(tag for tag in item.get("tags") or [] if isinstance(tag, str)),
            summary_html=html.escape(summary) if summary else None,
            content=content_html or content_text, content_is_html=content_html is not None,
            link=_json_text(item, "url") or _json_text(item, "external_url"),
            lang=valid_lang(_json_text(item, "language")),
        ))
    feed_lang = valid_lang(document.get("language") if isinstance(
        document.get("language"), str) else None)
    home = document.get("home_page_url")
    return entries, feed_lang, home if isinstance(home, str) else None, problems


def _json_text(item: t.Mapping[str, object], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _article(
    entry: _Entry, origin: str, problems: list[Problem], *, lang: str | None,
    base: str | None, agencies: t.Sequence[str],
) -> ImportedArticle | None:
    """Convert one entry; record a problem and return None when it lacks title or date."""
    link = web_url(entry.link, base)
    label = f"entry {entry.number}" + (f" ({link})" if link else "")
    title = _SPACE.sub(" ", entry.title or "").strip()
    published = _date(entry.published, entry.published_parsed)
    updated = _date(entry.updated, entry.updated_parsed)
    missing = [name for name, value in (("title", title), ("date", published or updated))
               if not value]
    if missing:
        what = " and ".join(missing)
        detail = " (neither published nor updated)" if "date" in missing else ""
        problems.append(Problem(origin, entry.line, f"{label}: no {what}{detail}; not imported"))
        return None
    date = published or updated
    assert date is not None
    body_base = link or base
    if entry.content is not None:
        body = html_to_markdown(entry.content, body_base) if entry.content_is_html \
            else entry.content.strip() + "\n"
        summary = html_to_text(entry.summary_html) if entry.summary_html else None
        if summary and (summary == html_to_text(entry.content) or not summary.strip()):
            summary = None
    else:
        # Feeds that carry only a description use it as the article's text.
        body = html_to_markdown(entry.summary_html, body_base) if entry.summary_html else ""
        summary = None
    authors, source = split_byline(entry.authors, agencies)
    tags = tuple(dict.fromkeys(_SPACE.sub(" ", tag).strip() for tag in entry.tags
                               if tag.strip()))
    return ImportedArticle(
        origin=origin, entry=label, origin_line=entry.line, title=title, date=date,
        updated=updated if published and updated and updated != published else None,
        body=body, authors=authors, source=source, tags=tags, summary=summary or None,
        original_url=link, lang=lang,
    )


def _date(raw: str | None, parsed: time.struct_time | None) -> dt.datetime | None:
    """Read a feed date keeping its UTC offset; feedparser's parse is the fallback (UTC)."""
    if raw:
        text = raw.strip()
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        try:
            return email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            pass
    if parsed is not None:
        return dt.datetime(*parsed[:6], tzinfo=dt.UTC)
    return None


class _Converter(MarkdownConverter):
    """markdownify, escaping text for Python-Markdown.

    markdownify's ``escape_misc`` targets CommonMark: it writes ``\\<`` and ``\\&``,
    which Python-Markdown shows literally, so ``<`` and ``&`` become entities instead.
    """

    def escape(self, text: str, parent_tags: object) -> str:
        if not text:
            return ""
        text = text.replace("\\", "\\\\")
        # Only what would read as an entity or a tag needs escaping; "AT&T" and "a < b" do not.
        text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
        text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
        text = re.sub(r"([`*_\[\]])", r"\\\1", text)
        text = re.sub(r"(^|\n)(\s*)([>+#-])", r"\1\2\\\3", text)
        return re.sub(r"(^|\n)(\s*\d+)([.)])(?=\s|$)", r"\1\2\\\3", text)


@functools.cache
def _converter() -> _Converter:
    return _Converter(heading_style="ATX", bullets="-", escape_misc=False,
                      escape_asterisks=False, escape_underscores=False)


def html_to_markdown(text: str, base: str | None = None) -> str:
    """Convert entry HTML to Markdown; relative links resolve against ``base``.

    Links and images keep only http(s), ``mailto:`` and in-page targets: feedparser
    cleans RSS and Atom HTML, but nothing has cleaned a JSON Feed's.
    """
    soup = BeautifulSoup(text, "html.parser")
    for tag, attribute in (("a", "href"), ("img", "src")):
        for element in soup.find_all(tag):
            value = element.get(attribute)
            if not isinstance(value, str):
                continue
            value = value.strip()
            if value.startswith("#") or (tag == "a" and value.lower().startswith("mailto:")):
                continue
            # A relative link with nothing to resolve it against is checked, then kept as is.
            resolved = web_url(value, base or _PROBE_BASE)
            if resolved is not None:
                if base is not None or _SCHEME.match(value):
                    element[attribute] = resolved
            elif tag == "a":
                del element[attribute]
            else:
                element.replace_with(str(element.get("alt") or ""))
    markdown = _converter().convert_soup(soup).strip("\n")
    return markdown + "\n" if markdown.strip() else ""


def html_to_text(text: str) -> str:
    """Return the plain text of an HTML fragment, whitespace collapsed."""
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", text))
    return _SPACE.sub(" ", html.unescape(text)).strip()
