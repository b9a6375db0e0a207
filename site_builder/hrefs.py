"""Find and rewrite the link attributes of HTML with one tag-aware regular expression.

The standard library's ``html.parser`` takes three to four times as long over the 1,641
pages of the news corpus (``benchmarks/link_check.py``), and the pages scanned here are
either our own output or Python-Markdown's, both well-formed. The scan still respects
tag boundaries, so text that merely looks like ``href="x"`` is never taken for a link,
and it skips comments and script/style contents.
"""

from __future__ import annotations

import html
import re
import sys
import typing as t

LINK_ATTRS = frozenset({"href", "src", "srcset", "poster", "action"})
"""Attributes whose value is a URL the browser follows, loads or submits a form to."""

_ATTRS = r"(?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*"
_MARKUP = re.compile(rf"<!--.*?-->|<([a-zA-Z][a-zA-Z0-9-]*)({_ATTRS})\s*/?>", re.DOTALL)
_ATTR = re.compile(r"([^\s\"'>/=]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")
ATTRIBUTE = _ATTR
"""One attribute of a start tag: its name, and its value as written (quotes included)."""
_RAW_TEXT_END = {"script": re.compile(r"</script\s*>", re.IGNORECASE),
                 "style": re.compile(r"</style\s*>", re.IGNORECASE)}
# Most tags carry only class or style: one cheap search skips them.
_MAYBE_WANTED = re.compile(r"href|src|id|name|poster|action", re.IGNORECASE)
_SRCSET_SPLIT = re.compile(r",\s+|,(?=\S)")


def _value(raw: str | None) -> str:
    if raw is None:
        return ""
    if raw[:1] in ("'", '"'):
        raw = raw[1:-1]
    return html.unescape(raw) if "&" in raw else raw


def _tags(text: str) -> t.Iterator[re.Match[str]]:
    """Yield each start tag of ``text``, skipping comments and raw-text element contents."""
    pos = 0
    search = _MARKUP.search
    while True:
        match = search(text, pos)
        if match is None:
            return
        pos = match.end()
        name = match.group(1)
        if name is None:
            continue  # a comment
        yield match
        end = _RAW_TEXT_END.get(name.lower())
        if end is not None:
            closing = end.search(text, pos)
            pos = closing.end() if closing else len(text)


def start_tags(text: str) -> t.Iterator[re.Match[str]]:
    """Yield each start tag of ``text`` (name in group 1, attributes in group 2)."""
    return _tags(text)


def srcset_urls(value: str) -> list[str]:
    """Return the URLs of a ``srcset`` value (``a.png 1x, b.png 2x``)."""
    urls = []
    for candidate in _SRCSET_SPLIT.split(value.strip()):
        parts = candidate.split()
        if parts:
            urls.append(parts[0])
    return urls


def scan(text: str) -> tuple[list[str], set[str]]:
    """Return the link targets of a page (in document order) and the ids it defines.

    Ids include ``<a name>``, which browsers still honour as a fragment target.
    """
    refs: list[str] = []
    ids: set[str] = set()
    for match in _tags(text):
        attrs = match.group(2)
        if not attrs or not _MAYBE_WANTED.search(attrs):
            continue
        is_anchor = match.group(1).lower() == "a"
        for attr in _ATTR.finditer(attrs):
            name = attr.group(1).lower()
            if name in LINK_ATTRS:
                value = _value(attr.group(2)).strip()
                if name == "srcset":
                    refs.extend(srcset_urls(value))
                else:
                    refs.append(value)
            elif name == "id" or (name == "name" and is_anchor):
                # Interned: most ids come from templates and repeat on every page.
                ids.add(sys.intern(_value(attr.group(2))))
    return refs, ids


def _link_attributes(text: str) -> t.Iterator[tuple[int, re.Match[str]]]:
    """Yield (offset of its tag's attributes, match) of every valued href/src attribute."""
    for match in _tags(text):
        attrs = match.group(2)
        if not attrs or ("href" not in attrs and "src" not in attrs):
            continue
        offset = match.start(2)
        for attr in _ATTR.finditer(attrs):
            if attr.group(1).lower() in ("href", "src") and attr.group(2) is not None:
                yield offset, attr


def link_values(text: str) -> t.Iterator[str]:
    """Yield every ``href``/``src`` value :func:`rewrite` would pass to its ``change``."""
    for _, attr in _link_attributes(text):
        yield _value(attr.group(2)).strip()


def rewrite(text: str, change: t.Callable[[str], str | None]) -> str:
    """Return ``text`` with every ``href``/``src`` value passed through ``change``.

    ``change`` gets the unescaped value and returns the new one, or None to keep the
    attribute byte for byte.
    """
    pieces: list[str] = []
    last = 0
    for offset, attr in _link_attributes(text):
        new = change(_value(attr.group(2)).strip())
        if new is None:
            continue
        start, end = offset + attr.start(2), offset + attr.end(2)
        pieces.append(text[last:start])
        pieces.append('"' + html.escape(new, quote=True) + '"')
        last = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)
