"""What the readers of other generators' sites share: their files and their Markdown.

A Zola or Pelican site is a folder of Markdown files with front matter, next to images
and other files. The readers here read those files as text, find the links of a
Markdown body outside code (to point them at the new site), and keep track of the files
an article takes with it.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import html
import os
import posixpath
import re
import typing as t
from pathlib import Path
from urllib.parse import quote

import markdown

from ..content import MAX_FILE_BYTES, clean_text
from ..errors import Problem
from .imported import Asset, web_url

_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})([^\n]*)$", re.MULTILINE)
_BACKTICKS = re.compile(r"`+")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# [text](dest "title") and ![alt](dest): the text may hold one level of brackets.
_INLINE_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\\\n]|\\.|\[[^\[\]\n]*\])*)\]"
    r"\((?P<space>[ \t]*)(?P<dest><[^<>\n]*>|(?:[^\s()<>\\]|\\.|\((?:[^\s()\\]|\\.)*\))*)"
    r"(?P<rest>(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*)\)")
_REFERENCE_DEF = re.compile(
    r"^(?P<indent> {0,3})\[(?P<label>[^\[\]\n^][^\[\]\n]*)\]:[ \t]*"
    r"(?P<dest><[^<>\n]*>|\S+)(?P<rest>.*)$", re.MULTILINE)
_HTML_TAG = re.compile(r"<[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?/?>")
_HTML_LINK_ATTR = re.compile(
    r"(?P<lead>\s+)(?P<name>href|src|poster)\s*=\s*(?P<q>[\"'])(?P<dest>.*?)(?P=q)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|blockquote|pre|tr|td|th|hr)\b[^>]*>",
                        re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_PATH_SAFE = "/&=;:@!$'*+,~-._"
"""Characters a site path or file name keeps in a link; all others are percent-encoded."""


class Unlink:
    """Returned by a link rewriter: drop the link, keep its text."""


UNLINK = Unlink()


@dataclasses.dataclass(frozen=True, slots=True)
class Link:
    """One link destination in Markdown source."""

    kind: t.Literal["link", "image", "reference", "html"]
    dest: str
    """The destination as written, without angle brackets."""
    text: str
    """The link text or image alt (the label of a reference definition, "" for HTML)."""
    offset: int
    """Where the construct starts in the text."""


Change = t.Callable[[Link], "str | Unlink | None"]
"""Return the new destination, :data:`UNLINK`, or None to keep the link as it is."""


def read_text(path: Path, shown: str) -> tuple[str | None, Problem | None]:
    """Return the text of ``path`` with BOM, CR and unusable characters removed."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, Problem(shown, None, f"file of {size:,} bytes is too large "
                                              f"(at most {MAX_FILE_BYTES:,})")
        data = path.read_bytes()
    except OSError as exc:
        return None, Problem(shown, None, f"cannot read file: {exc.strerror or exc}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, Problem(shown, line, "not UTF-8 text (is it a binary file?)")
    return clean_text(text), None


def walk_files(root: Path, unreadable: t.Callable[[str, OSError], None]) -> list[str]:
    """Return every file under ``root`` as a sorted POSIX path relative to it.

    ``unreadable`` is called with the relative path of each folder that cannot be listed
    (and the error); the walk goes on with the rest.
    """
    found: list[str] = []

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename or root)
        rel = where.relative_to(root).as_posix() if where.is_relative_to(root) else str(where)
        unreadable("" if rel == "." else rel, exc)

    for folder, dirs, files in os.walk(root, onerror=on_error):
        dirs.sort()
        base = Path(folder).relative_to(root).as_posix()
        found += [name if base == "." else f"{base}/{name}" for name in files]
    return sorted(found)


def line_at(text: str, offset: int, first_line: int = 1) -> int:
    """Return the line of ``offset`` in ``text`` whose first line is ``first_line``."""
    return first_line + bisect.bisect_left(_newlines(text), offset)


@functools.lru_cache(maxsize=8)
def _newlines(text: str) -> list[int]:
    return [m.start() for m in re.finditer("\n", text)]


def code_ranges(text: str, *, comments: bool = True) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of fenced code, code spans and HTML comments.

    Fences follow CommonMark (up to three spaces of indent, closed by a fence of the
    same character at least as long); a code span does not cross a blank line.
    ``comments=False`` leaves HTML comments out.
    """
    fenced: list[tuple[int, int]] = []
    pos = 0
    while (opening := _FENCE_OPEN.search(text, pos)) is not None:
        marks = opening.group(2)
        if marks[0] == "`" and "`" in opening.group(3):
            pos = opening.end()
            continue
        closing = re.compile(rf"^ {{0,3}}{re.escape(marks[0])}{{{len(marks)},}}[ \t]*$",
                             re.MULTILINE).search(text, opening.end())
        end = closing.end() if closing else len(text)
        fenced.append((opening.start(), end))
        pos = end
    ranges = list(fenced)
    for start, end in _gaps(fenced, len(text)):
        ranges += _spans_and_comments(text, start, end)
    if not comments:
        ranges = [(s, e) for s, e in ranges if not text.startswith("<!--", s)]
    return sorted(ranges)


def _gaps(ranges: t.Sequence[tuple[int, int]], length: int) -> t.Iterator[tuple[int, int]]:
    pos = 0
    for start, end in ranges:
        if start > pos:
            yield pos, start
        pos = end
    if pos < length:
        yield pos, length


def _spans_and_comments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    pos = start
    # Each next mark is searched for again only once it has been passed.
    comment = text.find("<!--", pos, end)
    tick = text.find("`", pos, end)
    while pos < end:
        if 0 <= tick < pos:
            tick = text.find("`", pos, end)
        if 0 <= comment < pos:
            comment = text.find("<!--", pos, end)
        if tick < 0 and comment < 0:
            break
        if comment >= 0 and (tick < 0 or comment < tick):
            close = text.find("-->", comment + 4, end)
            stop = close + 3 if close >= 0 else end
            found.append((comment, stop))
            pos = stop
            continue
        run = _BACKTICKS.match(text, tick)
        assert run is not None
        width = len(run.group(0))
        search = run.end()
        paragraph_end = _BLANK_LINE.search(text, search, end)
        limit = paragraph_end.start() if paragraph_end else end
        closing = None
        while (candidate := _BACKTICKS.search(text, search, limit)) is not None:
            if len(candidate.group(0)) == width:
                closing = candidate
                break
            search = candidate.end()
        if closing is None:
            pos = run.end()
            continue
        found.append((tick, closing.end()))
        pos = closing.end()
    return found


def outside(ranges: t.Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Return whether ``start``..``end`` overlaps none of ``ranges`` (sorted, disjoint)."""
    found = next_range(ranges, start)
    return found is None or found[0] >= end


def next_range(ranges: t.Sequence[tuple[int, int]], pos: int) -> tuple[int, int] | None:
    """Return the first of ``ranges`` (sorted, disjoint) that ends after ``pos``."""
    index = bisect.bisect_right(ranges, pos, key=lambda r: r[1])
    return ranges[index] if index < len(ranges) else None


def find_links(text: str) -> list[tuple[Link, int, int, int, int]]:
    """Return each link outside code: (link, construct start, end, dest start, dest end)."""
    skip = code_ranges(text)
    found: list[tuple[Link, int, int, int, int]] = []
    for match in _INLINE_LINK.finditer(text):
        # The text may hold code spans ([`name`](dest)): only the brackets and the
        # destination must be outside code.
        if not (outside(skip, match.start(), match.start() + 1)
                and outside(skip, match.start("dest"), match.end("dest"))):
            continue
        kind: t.Literal["link", "image"] = "image" if match.group("bang") else "link"
        found.append((Link(kind, _unbracket(match.group("dest")), match.group("text"),
                           match.start()), match.start(), match.end(), match.start("dest"),
                      match.end("dest")))
        # An image inside a link's text: [![alt](img.png)](page.md)
        inner = match.group("text")
        if "](" in inner:
            base = match.start("text")
            for nested in _INLINE_LINK.finditer(inner):
                found.append((Link("image" if nested.group("bang") else "link",
                                   _unbracket(nested.group("dest")), nested.group("text"),
                                   base + nested.start()),
                              base + nested.start(), base + nested.end(),
                              base + nested.start("dest"), base + nested.end("dest")))
    for match in _REFERENCE_DEF.finditer(text):
        if outside(skip, match.start(), match.start("label")) and outside(
                skip, match.start("dest"), match.end("dest")):
            found.append((Link("reference", _unbracket(match.group("dest")),
                               match.group("label"), match.start()),
                          match.start(), match.end() + (1 if text[match.end():][:1] == "\n"
                                                        else 0),
                          match.start("dest"), match.end("dest")))
    for tag in _HTML_TAG.finditer(text):
        if not outside(skip, tag.start(), tag.end()):
            continue
        for attr in _HTML_LINK_ATTR.finditer(tag.group(0)):
            base = tag.start()
            found.append((Link("html", html.unescape(attr.group("dest")), "", base),
                          base + attr.start(), base + attr.end(),
                          base + attr.start("dest"), base + attr.end("dest")))
    found.sort(key=lambda item: (item[1], -item[2]))
    return found


def _unbracket(dest: str) -> str:
    return dest[1:-1] if dest.startswith("<") and dest.endswith(">") else dest


def rewrite_links(text: str, change: Change) -> str:
    """Return ``text`` with each link outside code changed as ``change`` decides.

    A destination is replaced in place; an unlinked Markdown link becomes its text, an
    unlinked image its alt text, an unlinked HTML attribute is removed, and an unlinked
    reference definition is removed together with the references that use it.
    """
    edits: list[tuple[int, int, str]] = []
    dropped: set[str] = set()
    taken_until = -1
    for link, start, end, dest_start, dest_end in find_links(text):
        result = change(link)
        if result is None:
            continue
        if isinstance(result, Unlink):
            if start < taken_until:
                continue  # inside a construct already replaced
            if link.kind == "reference":
                dropped.add(_label_key(link.text))
                edits.append((start, end, ""))
            elif link.kind == "html":
                edits.append((start, end, ""))
            else:
                edits.append((start, end, link.text))
            taken_until = end
            continue
        if dest_start < taken_until:
            continue
        written = text[dest_start:dest_end]
        value = f"<{result}>" if written.startswith("<") else result
        if link.kind == "html":
            value = html.escape(result, quote=True)
        edits.append((dest_start, dest_end, value))
    out = _apply(text, edits)
    if dropped:
        out = _drop_references(out, dropped)
    return out


def _apply(text: str, edits: t.Sequence[tuple[int, int, str]]) -> str:
    parts: list[str] = []
    pos = 0
    for start, end, value in sorted(edits):
        if start < pos:
            continue
        parts.append(text[pos:start])
        parts.append(value)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _label_key(label: str) -> str:
    return _SPACE.sub(" ", label.strip()).casefold()


def _drop_references(text: str, labels: set[str]) -> str:
    """Replace ``[text][label]``, ``[label][]`` and ``[label]`` of dropped labels by text."""
    skip = code_ranges(text)
    pattern = re.compile(r"(!?)\[((?:[^\[\]\\\n]|\\.)*)\](?:\[((?:[^\[\]\\\n]|\\.)*)\])?(?![(:])")

    def replace(match: re.Match[str]) -> str:
        if not outside(skip, match.start(), match.start() + 1):
            return match.group(0)
        label = match.group(3) if match.group(3) else match.group(2)
        if _label_key(label) in labels:
            return match.group(2)
        return match.group(0)

    return pattern.sub(replace, text)


def url_of(name: str) -> str:
    """Return ``name`` (a site path or a relative file name) as it goes into a link."""
    return quote(name, safe=_PATH_SAFE)


def plain_text(markdown_text: str) -> str:
    """Return Markdown (a summary) as one line of plain text."""
    rendered = markdown.markdown(markdown_text, extensions=["extra"])
    text = html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", rendered)))
    return _SPACE.sub(" ", text).strip()


def remote_media(text: str) -> tuple[str, ...]:
    """Return the http(s) URLs of the images a Markdown body shows, once each."""
    found: dict[str, None] = {}
    for link, *_ in find_links(text):
        if link.kind == "image" or (link.kind == "html" and _is_image_source(text, link)):
            url = web_url(link.dest.split(" ")[0])
            if url is not None:
                found[url] = None
    return tuple(found)


def _is_image_source(text: str, link: Link) -> bool:
    tag = text[link.offset:link.offset + 8].lower()
    return tag.startswith(("<img", "<source", "<video", "<audio"))


@dataclasses.dataclass(slots=True)
class ArticleAssets:
    """The files one article takes with it, each under a name unique in its folder."""

    assets: list[Asset] = dataclasses.field(default_factory=list)
    _names: dict[str, Path] = dataclasses.field(default_factory=dict)
    _by_src: dict[Path, str] = dataclasses.field(default_factory=dict)

    def add(self, src: Path, preferred: str) -> str:
        """Return the name ``src`` is copied under, taking ``preferred`` when it is free."""
        known = self._by_src.get(src)
        if known is not None:
            return known
        name = safe_name(preferred) or safe_name(src.name) or "file"
        stem, dot, suffix = name.rpartition(".")
        if not dot or "/" in suffix:
            stem, dot, suffix = name, "", ""
        number = 1
        while name in self._names:
            number += 1
            name = f"{stem}-{number}{dot}{suffix}"
        self._names[name] = src
        self._by_src[src] = name
        self.assets.append(Asset(src=src, name=name))
        return name


def safe_name(path: str) -> str:
    """Return ``path`` as a relative POSIX name without empty, ``.`` or ``..`` parts."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return posixpath.join(*parts) if parts else ""
