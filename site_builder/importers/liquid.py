"""Turn the Liquid in a Jekyll page into plain Markdown, reporting what it cannot convert.

Jekyll runs Liquid over a post before Markdown, so a post may hold ``{% tag %}`` and
``{{ expression }}`` anywhere, code blocks included. :func:`convert` evaluates the part
of Liquid that has a static meaning and removes the rest:

- ``{% post_url %}`` and ``{% link %}`` become the old site's root-relative path of the
  post or file they name; ``{{ site.url }}`` and ``{{ site.baseurl }}`` before a path
  vanish, so the link becomes root-relative too; ``relative_url`` and ``absolute_url``
  give root-relative paths;
- ``{% highlight lang %}`` becomes a fenced code block (``linenos`` and other options are
  dropped); ``{% raw %}`` keeps its text literally; ``{% comment %}`` disappears;
- ``{% assign %}`` of a value that can be computed sets a variable for later ``{{ }}``;
  ``{{ page.* }}``, ``{{ site.* }}`` of plain values and a few filters (dates, case,
  ``append``, ``prepend``, ``default``, ``escape``) are evaluated.

Any other tag or expression is reported as a warning at its file and line and removed;
the text inside an unconverted block (``if``, ``for``, a plugin's block) is kept, the
content of ``capture`` is dropped as Jekyll drops it. A line holding nothing but
removed tags disappears with them. Raw text comes back as placeholders
(:data:`RAW_START` index :data:`RAW_END`) so the caller can rewrite links around it and
then put it back with :func:`restore`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import html
import re
import typing as t

from ..errors import Problem
from ..urls import root_url

RAW_START = "\ue000"
RAW_END = "\ue001"
_REMOVED = "\ue002"
"""Marks where a tag was removed, so a line left empty by removal can go too."""

_TOKEN = re.compile(r"\{%(-?)(.*?)(-?)%\}|\{\{(-?)(.*?)(-?)\}\}", re.DOTALL)
_TAG_NAME = re.compile(r"\s*(#|[A-Za-z_][\w-]*)(.*)\Z", re.DOTALL)
_RAW_END = re.compile(r"\{%-?\s*endraw\s*-?%\}")
_COMMENT_TAG = re.compile(r"\{%-?\s*(comment|endcomment)\s*-?%\}")
_OPENERS = re.compile(r"\{%|\{\{")
_LINE_OF_REMOVED = re.compile(rf"^[ \t]*{_REMOVED}[{_REMOVED} \t]*(?:\n|\Z)", re.MULTILINE)
_VARIABLE = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[(?:'[^']*'|\"[^\"]*\"|\d+)\])*\Z")
_PATH_PART = re.compile(r"\.?([A-Za-z_][\w-]*)|\[(?:'([^']*)'|\"([^\"]*)\"|(\d+))\]")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?\Z")
_SPACE = re.compile(r"\s+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

KNOWN_BLOCKS = frozenset({"if", "unless", "case", "for", "tablerow", "capture", "highlight",
                          "ifchanged"})
"""Liquid and Jekyll tags that take an ``end`` tag; a plugin's block is found by its end."""
_BRANCHES = frozenset({"else", "elsif", "when", "break", "continue", "cycle"})
"""Tags that only mean something inside a block; removed with it, silently."""

Value: t.TypeAlias = (str | int | float | bool | None | dt.date | dt.datetime | list[object]
                      | dict[str, object])
"""A Liquid value as the converter knows it."""


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    """What the converter knows about the site and the page being converted."""

    site: t.Mapping[str, object]
    """``_config.yml`` values for ``{{ site.* }}``."""
    page: t.Mapping[str, object]
    """The page's values for ``{{ page.* }}`` (front matter, ``title``, ``url``, ``date``)."""
    post_url: t.Callable[[str], str | None]
    """Name of a post (``2010-01-09-name``) -> its root-relative old path, or None."""
    link: t.Callable[[str], str | None]
    """Source path (``_posts/x.md``, ``about.md``) -> root-relative old path, or None."""
    tz_offset: str = "+0000"
    """Offset printed for a date that has none (``{{ page.date }}``)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Converted:
    """The text without Liquid, its raw segments apart, and what was not converted."""

    text: str
    raws: tuple[str, ...]
    problems: tuple[Problem, ...]


def has_liquid(text: str) -> bool:
    """Return whether ``text`` holds anything Liquid would process."""
    return "{%" in text or "{{" in text


def restore(text: str, raws: t.Sequence[str]) -> str:
    """Put the raw segments back into converted ``text``."""
    if RAW_START not in text:
        return text
    return re.sub(f"{RAW_START}(\\d+){RAW_END}", lambda m: raws[int(m.group(1))], text)


def convert(text: str, page: Page, origin: str, first_line: int = 1) -> Converted:
    """Convert the Liquid in ``text`` (read from ``origin``, starting at ``first_line``)."""
    converter = _Converter(text, page, origin, first_line)
    nodes = converter.parse()
    out = converter.render(nodes, inside=None, raws_inline=False)
    return Converted(_drop_removed(out), tuple(converter.raws), tuple(converter.problems))


# -- tokens and the tree ----------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class _Text:
    text: str


@dataclasses.dataclass(slots=True)
class _Raw:
    text: str


@dataclasses.dataclass(slots=True)
class _Output:
    markup: str
    source: str
    pos: int


@dataclasses.dataclass(slots=True)
class _Tag:
    name: str
    args: str
    source: str
    pos: int
    children: list[_Node] | None = None
    """The nodes inside a block; None for a tag without an end."""


_Node: t.TypeAlias = _Text | _Raw | _Output | _Tag


@dataclasses.dataclass(slots=True)
class _Piece:
    """Rendered text; ``root`` when it is ``site.url``/``site.baseurl`` (vanishes before '/')."""

    text: str
    root: bool = False
    block: bool = False
    """A fenced code block: it must stand on lines of its own."""


class _Converter:
    def __init__(self, text: str, page: Page, origin: str, first_line: int) -> None:
        self.source = text
        self.page = page
        self.origin = origin
        self.first_line = first_line
        self.problems: list[Problem] = []
        self.raws: list[str] = []
        self.variables: dict[str, Value] = {}
        self.unknown: set[str] = set()
        """Variables assigned a value the converter could not compute."""

    def line(self, pos: int) -> int:
        return self.first_line + self.source.count("\n", 0, pos)

    def warn(self, pos: int, message: str) -> None:
        self.problems.append(Problem(self.origin, self.line(pos), message, level="warning"))

    # -- lexing and parsing --------------------------------------------------------------

    def tokens(self) -> list[_Node]:
        text = self.source
        nodes: list[_Node] = []
        pos = 0
        strip_next = False

        def add_text(chunk: str, at: int) -> None:
            nonlocal strip_next
            if strip_next:
                chunk = chunk.lstrip()
                strip_next = False
            for opener in _OPENERS.finditer(chunk):
                kind = "tag" if opener.group() == "{%" else "output"
                self.warn(at + opener.start(), f"Liquid {kind} opened with "
                                               f"'{opener.group()}' is never closed: "
                                               f"'{opener.group()}' removed")
            chunk = _OPENERS.sub("", chunk)
            if chunk:
                nodes.append(_Text(chunk))

        def strip_before() -> None:
            if nodes and isinstance(nodes[-1], _Text):
                nodes[-1].text = nodes[-1].text.rstrip()

        while True:
            match = _TOKEN.search(text, pos)
            if match is None:
                add_text(text[pos:], pos)
                break
            add_text(text[pos:match.start()], pos)
            pos = match.end()
            left = match.group(1) if match.group(1) is not None else match.group(4)
            right = match.group(3) if match.group(3) is not None else match.group(6)
            if left:
                strip_before()
            if match.group(2) is None:
                nodes.append(_Output(match.group(5), match.group(), match.start()))
                strip_next = bool(right)
                continue
            named = _TAG_NAME.match(match.group(2))
            name, args = (named.group(1), named.group(2)) if named else ("", match.group(2))
            if name == "raw":
                end = _RAW_END.search(text, pos)
                if end is None:
                    self.warn(match.start(), "Liquid {% raw %} is never closed: the rest of "
                                             "the text kept as it is")
                    end_start = end_end = len(text)
                else:
                    end_start, end_end = end.start(), end.end()
                nodes.append(_Raw(text[pos:end_start]))
                pos = end_end
                strip_next = False
                continue
            if name == "comment":
                pos = self._skip_comment(match.start(), pos)
                strip_next = False
                nodes.append(_Text(_REMOVED))
                continue
            if name == "#":
                nodes.append(_Text(_REMOVED))
                strip_next = bool(right)
                continue
            nodes.append(_Tag(name, args.strip(), match.group(), match.start()))
            strip_next = bool(right)
        return nodes

    def _skip_comment(self, start: int, pos: int) -> int:
        depth = 1
        for found in _COMMENT_TAG.finditer(self.source, pos):
            depth += 1 if found.group(1) == "comment" else -1
            if depth == 0:
                return found.end()
        self.warn(start, "Liquid {% comment %} is never closed: the rest of the text dropped")
        return len(self.source)

    def parse(self) -> list[_Node]:
        flat = self.tokens()
        ends = {node.name[3:] for node in flat
                if isinstance(node, _Tag) and node.name.startswith("end")}
        root: list[_Node] = []
        stack: list[tuple[_Tag, list[_Node]]] = []
        for node in flat:
            children = stack[-1][1] if stack else root
            if not isinstance(node, _Tag):
                children.append(node)
                continue
            if node.name.startswith("end") and len(node.name) > 3:
                opened = node.name[3:]
                if any(tag.name == opened for tag, _ in stack):
                    while stack:
                        tag, _ = stack.pop()
                        if tag.name == opened:
                            break
                        self._unclosed(tag, stack, root)
                    continue
                if opened in KNOWN_BLOCKS or opened in ends:
                    self.warn(node.pos, f"Liquid {_show(node.source)} closes no open block: "
                                        "removed")
                    children.append(_Text(_REMOVED))
                    continue
            children.append(node)
            if node.name in KNOWN_BLOCKS or node.name in ends:
                node.children = []
                stack.append((node, node.children))
        while stack:
            tag, _ = stack.pop()
            self._unclosed(tag, stack, root)
        return root

    def _unclosed(self, tag: _Tag, stack: list[tuple[_Tag, list[_Node]]],
                  root: list[_Node]) -> None:
        """Turn a block never closed into a plain tag followed by what it held."""
        self.warn(tag.pos, f"Liquid {_show(tag.source)} is never closed")
        inner = tag.children or []
        tag.children = None
        parent = stack[-1][1] if stack else root
        parent.extend(inner)

    # -- rendering -----------------------------------------------------------------------

    def render(self, nodes: t.Sequence[_Node], *, inside: _Tag | None,
               raws_inline: bool) -> str:
        """Render ``nodes``; ``inside`` is the unconverted block they sit in, if any."""
        pieces: list[_Piece] = []
        for node in nodes:
            if isinstance(node, _Text):
                pieces.append(_Piece(node.text))
            elif isinstance(node, _Raw):
                if raws_inline:
                    pieces.append(_Piece(node.text))
                else:
                    self.raws.append(node.text)
                    pieces.append(_Piece(f"{RAW_START}{len(self.raws) - 1}{RAW_END}"))
            elif isinstance(node, _Output):
                pieces.append(self.output(node))
            else:
                pieces.append(self.tag(node, inside=inside, raws_inline=raws_inline))
        return _join(pieces)

    def output(self, node: _Output) -> _Piece:
        markup = node.markup.strip()
        if markup in ("site.url", "site.baseurl"):
            value = self.page.site.get(markup[5:])
            text = value if isinstance(value, str) else ""
            if markup == "site.baseurl":
                text = text.rstrip("/") or "/"
            return _Piece(text, root=True)
        try:
            value = self.evaluate(markup)
        except _Unknown as exc:
            self.warn(node.pos, f"Liquid {_show(node.source)} not converted ({exc}): removed")
            return _Piece(_REMOVED)
        return _Piece(self.to_text(value))

    def tag(self, node: _Tag, *, inside: _Tag | None, raws_inline: bool) -> _Piece:
        name, args = node.name, node.args
        if name in ("post_url", "link"):
            return self.link_tag(node)
        if name == "highlight" and node.children is not None:
            return self.highlight(node)
        if name == "assign" and node.children is None:
            return self.assign(node)
        if node.children is not None:
            if name == "capture":
                self.warn(node.pos, f"Liquid {_show(node.source)} not converted: removed with "
                                    "its content")
                variable = args.split()[0] if args.split() else ""
                self.unknown.add(variable)
                self.variables.pop(variable, None)
                return _Piece(_REMOVED)
            self.warn(node.pos, f"Liquid {_show(node.source)} not converted: the tags "
                                "removed, the text inside kept")
            inner = self.render(node.children, inside=node, raws_inline=raws_inline)
            return _Piece(_REMOVED + inner + _REMOVED)
        if name in _BRANCHES and inside is not None:
            return _Piece(_REMOVED)
        self.warn(node.pos, f"Liquid {_show(node.source)} not converted: removed")
        return _Piece(_REMOVED)

    def link_tag(self, node: _Tag) -> _Piece:
        target = node.args.strip()
        if "{{" in target or not target:
            self.warn(node.pos, f"Liquid {_show(node.source)} not converted (no literal "
                                "name): removed")
            return _Piece(_REMOVED)
        if target[:1] in ("'", '"') and target[-1:] == target[:1]:
            target = target[1:-1]
        found = (self.page.post_url if node.name == "post_url" else self.page.link)(target)
        if found is None:
            what = "post" if node.name == "post_url" else "file"
            self.warn(node.pos, f"Liquid {_show(node.source)}: no {what} {target!r} in the "
                                "old site: removed")
            return _Piece(_REMOVED)
        return _Piece(found)

    def highlight(self, node: _Tag) -> _Piece:
        words = node.args.split()
        lang = words[0] if words else ""
        if not re.fullmatch(r"[A-Za-z0-9.+#_-]*", lang):
            lang = ""
        code = self.render(node.children or [], inside=None, raws_inline=True)
        code = _drop_removed(code)
        code = re.sub(r"\A[\r\n]+|[\r\n]+\Z", "", code)
        longest = max((len(run) for run in re.findall(r"`{3,}", code)), default=2)
        fence = "`" * max(3, longest + 1)
        return _Piece(f"{fence}{lang}\n{code}\n{fence}", block=True)

    def assign(self, node: _Tag) -> _Piece:
        match = re.match(r"([A-Za-z_][\w-]*)\s*=\s*(.+)\Z", node.args, re.DOTALL)
        if match is None:
            self.warn(node.pos, f"Liquid {_show(node.source)} not converted: removed")
            return _Piece(_REMOVED)
        name = match.group(1)
        try:
            self.variables[name] = self.evaluate(match.group(2))
            self.unknown.discard(name)
        except _Unknown as exc:
            self.warn(node.pos, f"Liquid {_show(node.source)} not converted ({exc}): removed")
            self.variables.pop(name, None)
            self.unknown.add(name)
        return _Piece(_REMOVED)

    # -- expressions ---------------------------------------------------------------------

    def evaluate(self, markup: str) -> Value:
        parts = _split_filters(markup)
        value = self.operand(parts[0].strip())
        for raw_filter in parts[1:]:
            value = self.apply(raw_filter.strip(), value)
        return value

    def operand(self, text: str) -> Value:
        if not text:
            raise _Unknown("empty expression")
        if text[0] in ("'", '"'):
            if len(text) < 2 or text[-1] != text[0]:
                raise _Unknown("unclosed string")
            return text[1:-1]
        if _NUMBER.match(text):
            return float(text) if "." in text else int(text)
        if text in ("true", "false"):
            return text == "true"
        if text in ("nil", "null", "empty", "blank"):
            return None
        if not _VARIABLE.match(text):
            raise _Unknown(f"cannot read {_show(text)}")
        path = [next(g for g in m.groups() if g is not None) for m in _PATH_PART.finditer(text)]
        head, rest = path[0], path[1:]
        if head in self.variables and head not in self.unknown:
            value: object = self.variables[head]
        elif head == "site":
            value = self.page.site
        elif head == "page":
            value = self.page.page
        else:
            raise _Unknown(f"'{head}' is not known here")
        for key in rest:
            if isinstance(value, t.Mapping) and key in value:
                value = value[key]
            elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
                value = value[int(key)]
            else:
                raise _Unknown(f"'{text}' has no value the converter knows")
        if isinstance(value, t.Mapping):
            raise _Unknown(f"'{text}' is not a plain value")
        return t.cast(Value, value)

    def apply(self, raw: str, value: Value) -> Value:
        name, _, arg_text = raw.partition(":")
        name = name.strip()
        args = [self.operand(a.strip()) for a in _split_args(arg_text)] if arg_text else []
        function = _FILTERS.get(name)
        if function is None:
            raise _Unknown(f"filter '{name}'")
        try:
            return function(self, value, args)
        except (TypeError, ValueError, IndexError) as exc:
            raise _Unknown(f"filter '{name}': {exc}") from None

    def to_text(self, value: Value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dt.datetime):
            offset = value.strftime("%z") or self.page.tz_offset
            return value.strftime("%Y-%m-%d %H:%M:%S ") + offset
        if isinstance(value, dt.date):
            return value.strftime("%Y-%m-%d 00:00:00 ") + self.page.tz_offset
        if isinstance(value, list):
            return "".join(self.to_text(t.cast(Value, item)) for item in value)
        return str(value)


class _Unknown(Exception):
    """An expression the converter cannot evaluate; the message says why."""


def _split_filters(markup: str) -> list[str]:
    return _split_outside_quotes(markup, "|")


def _split_args(text: str) -> list[str]:
    return [a for a in _split_outside_quotes(text, ",") if a.strip()]


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quote = ""
    for char in text:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in ("'", '"'):
            quote = char
            current.append(char)
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _as_date(value: Value) -> dt.date | dt.datetime:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{_show(str(value))} is not a date")


def _text(value: Value) -> str:
    if value is None:
        return ""
    return str(value)


def _site_path(converter: _Converter, value: Value, args: list[Value]) -> Value:
    if value is None:
        return None
    text = _text(value)
    if _SCHEME.match(text) or text.startswith("//"):
        return text
    # The old site's base URL is gone from the import: its paths start at the root.
    return root_url("/", text.lstrip("/"))


def _ruby_strftime(when: dt.date, fmt: str) -> str:
    # Ruby's %-d and %-m are glibc's too; %e, %P and the rest agree.
    return when.strftime(fmt)


_FILTERS: dict[str, t.Callable[[_Converter, Value, list[Value]], Value]] = {
    "relative_url": _site_path,
    "absolute_url": _site_path,
    "date_to_string": lambda c, v, a: _ruby_strftime(_as_date(v), "%d %b %Y"),
    "date_to_long_string": lambda c, v, a: _ruby_strftime(_as_date(v), "%d %B %Y"),
    "date_to_xmlschema": lambda c, v, a: _as_date(v).isoformat(),
    "date_to_rfc822": lambda c, v, a: email.utils.format_datetime(
        d if isinstance(d := _as_date(v), dt.datetime) else dt.datetime(d.year, d.month, d.day)),
    "date": lambda c, v, a: _ruby_strftime(_as_date(v), _text(a[0])),
    "upcase": lambda c, v, a: _text(v).upper(),
    "downcase": lambda c, v, a: _text(v).lower(),
    "capitalize": lambda c, v, a: _text(v)[:1].upper() + _text(v)[1:].lower(),
    "strip": lambda c, v, a: _text(v).strip(),
    "lstrip": lambda c, v, a: _text(v).lstrip(),
    "rstrip": lambda c, v, a: _text(v).rstrip(),
    "append": lambda c, v, a: _text(v) + _text(a[0]),
    "prepend": lambda c, v, a: _text(a[0]) + _text(v),
    "remove": lambda c, v, a: _text(v).replace(_text(a[0]), ""),
    "replace": lambda c, v, a: _text(v).replace(_text(a[0]), _text(a[1])),
    "default": lambda c, v, a: a[0] if v is None or v is False or v == "" or v == [] else v,
    "escape": lambda c, v, a: html.escape(_text(v)),
    "xml_escape": lambda c, v, a: html.escape(_text(v)),
    "markdownify": lambda c, v, a: _text(v),
    "smartify": lambda c, v, a: _text(v),
    "size": lambda c, v, a: len(v) if isinstance(v, str | list) else 0,
    "join": lambda c, v, a: (_text(a[0]) if a else " ").join(
        _text(t.cast(Value, i)) for i in v) if isinstance(v, list) else _text(v),
}


def _join(pieces: list[_Piece]) -> str:
    """Join rendered pieces: a site root before a path vanishes; code blocks get own lines."""
    texts = [p.text for p in pieces]
    next_char = ""
    for index in range(len(pieces) - 1, -1, -1):
        if pieces[index].root and next_char == "/":
            texts[index] = ""
        shown = texts[index].replace(_REMOVED, "")
        if shown:
            next_char = shown[0]
    for index, piece in enumerate(pieces):
        if not piece.block:
            continue
        before = "".join(texts[:index]).replace(_REMOVED, "")
        if before and not before.endswith("\n"):
            texts[index] = "\n" + texts[index]
        after = "".join(texts[index + 1:]).replace(_REMOVED, "")
        if not after.startswith("\n"):
            texts[index] += "\n"
    return "".join(texts)


def _drop_removed(text: str) -> str:
    """Remove the marks of removed tags, with the lines they alone occupied."""
    if _REMOVED not in text:
        return text
    return _LINE_OF_REMOVED.sub("", text).replace(_REMOVED, "")


def _show(source: str) -> str:
    """Return a tag as written, on one line and at most 60 characters."""
    text = _SPACE.sub(" ", source).strip()
    if text.startswith("{%") and not text.startswith("{% "):
        text = "{% " + text[2:].lstrip("- ")
    if text.endswith("%}") and not text.endswith(" %}"):
        text = text[:-2].rstrip(" -") + " %}"
    return text if len(text) <= 60 else text[:56] + " ..." + text[-3:]
