"""Markdown that other engines accept, kept by Python-Markdown.

Archives imported from Jekyll (kramdown), Hugo (Goldmark), Zola (pulldown-cmark) and
GitHub rely on constructs Python-Markdown prints as text. These extensions close the gaps:

- :class:`AttributeLines`: kramdown's attribute lines. ``{: #id .class key="value"}`` on a
  line of its own applies to the block right before it, or, after a blank line, to the
  block right after it; ``{:name: .class}`` defines attributes that later lines name;
  ``* TOC`` followed by ``{:toc}`` is the table of contents; a line ``^`` ends the block
  before it (two lists stay two lists). Attributes at the end of a paragraph or heading
  line and right after inline elements (``*x*{: .c}``) are left to Python-Markdown's own
  ``attr_list``.
- :class:`ReferenceLabels`: reference links whose label holds code (`` [`str::len`] ``),
  and labels matched as CommonMark matches them: case-insensitively, whitespace collapsed.
- :class:`GfmInline`: strikethrough ``~~text~~`` and the backslash hard line break.
- :class:`GithubHeadingIds`: heading ids as GitHub and Hugo (Goldmark) compute them.
"""

from __future__ import annotations

import dataclasses
import html
import re
import typing as t
import unicodedata
import xml.etree.ElementTree as etree

import markdown
from markdown import util
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.attr_list import get_attrs_and_remainder, sanitize_name
from markdown.extensions.toc import remove_fnrefs, render_inner_html
from markdown.inlinepatterns import (
    HTML_RE,
    ImageReferenceInlineProcessor,
    ReferenceInlineProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
    SimpleTagInlineProcessor,
    SubstituteTagInlineProcessor,
)
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

# --- kramdown attribute lines -------------------------------------------------------

# kramdown's block attribute list, alone on its line; "{::" and "{:/" are its extensions.
_ATTRIBUTE_LINE = re.compile(r"\{:(?![:/])((?:\\\}|[^}])+)\}[ \t]*")
# An attribute list definition: "{:name: attributes}".
_DEFINITION_LINE = re.compile(r"\{:(\w[\w-]*):((?:\\\}|[^}])*)\}[ \t]*")
# The start of an attribute list that a line break splits.
_SPLIT_LIST = re.compile(r"\{:(?![:/])[^}]*$")
# Python-Markdown's fenced code: a fence at the start of a line, closed by the same fence.
_FENCE = re.compile(r"`{3,}|~{3,}")
_MARK = util.STX + "attrs:%d" + util.ETX
_MARK_RE = re.compile(util.STX + r"attrs:(\d+)" + util.ETX)
_STASHED = re.compile(util.HTML_PLACEHOLDER % r"(\d+)")
# The start tag of stashed HTML (fenced code, raw HTML blocks), double-quoted values only.
_START_TAG = re.compile(r'<([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s="\'<>/]+(?:="[^"<>]*")?)*)\s*>')
_TAG_ATTRIBUTE = re.compile(r'([^\s="\'<>/]+)(?:="([^"]*)")?')
_END_OF_BLOCK = "^"
"""kramdown's end-of-block marker, alone on its line."""
_ENDED = "end-of-block"
"""Tag of the empty element that stands for an end-of-block marker while blocks are parsed."""
_TOC = "toc"
"""kramdown's name for the list its table of contents replaces."""
_MAX_REFERENCE_DEPTH = 8


@dataclasses.dataclass(frozen=True, slots=True)
class _Line:
    """A marked line: its attributes, the block they apply to, the line as written."""

    attributes: tuple[tuple[str, str], ...]
    toc: bool
    after: bool
    """The line follows a blank line: it applies to the next block, not the previous one."""
    text: str
    ends_block: bool = False
    """An end-of-block marker, not attributes."""


class AttributeLines(Extension):
    """kramdown's block attribute lines, attribute list definitions and block ends."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[_Line] = []
        self.pending: list[tuple[etree.Element, int, _Line]] = []
        self.ended = False

    def reset(self) -> None:
        self.lines = []
        self.pending = []
        self.ended = False

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (library API)
        md.registerExtension(self)
        # Before fenced code (25) and raw HTML (20) are stashed: a line right after a fence
        # or an HTML block still shows which block it belongs to.
        md.preprocessors.register(_MarkAttributeLines(md, self), "attribute-lines", 26)
        md.parser.blockprocessors.register(
            _AttributeLineBlocks(md.parser, self), "attribute-lines", 104)
        # Before footnotes (50) add their block, so an index still names a parsed block.
        md.treeprocessors.register(_NextBlockAttributes(md, self), "attribute-lines", 55)
        md.postprocessors.register(_RestoreAttributeLines(md, self), "attribute-lines", 15)

    def apply(self, md: markdown.Markdown, parent: etree.Element, target: etree.Element,
              line: _Line) -> None:
        """Give ``target``, a child of ``parent``, the attributes of ``line``."""
        if line.toc and target.tag in ("ul", "ol"):
            # Python-Markdown's own marker, which its toc extension replaces by the table.
            marker = getattr(md.treeprocessors["toc"], "marker", "")
            if marker:
                replacement = etree.Element("p")
                replacement.text = marker
                parent[list(parent).index(target)] = replacement
                return
        stashed = _STASHED.fullmatch((target.text or "").strip()) if target.tag == "p" \
            and len(target) == 0 else None
        if stashed is not None:
            # Fenced code or a raw HTML block: the attributes go on its first tag.
            blocks = md.htmlStash.rawHtmlBlocks
            index = int(stashed.group(1))
            if index < len(blocks) and isinstance(blocks[index], str):
                changed = _with_attributes(t.cast(str, blocks[index]), line.attributes)
                if changed is not None:
                    blocks[index] = changed
            return
        _assign(target, line.attributes)


def _assign(element: etree.Element, attributes: t.Iterable[tuple[str, str]]) -> None:
    """Set ``attributes`` as ``attr_list`` does: classes add up, the rest replace."""
    for name, value in attributes:
        if name == ".":
            classes = element.get("class")
            element.set("class", f"{classes} {value}" if classes else value)
        else:
            element.set(sanitize_name(name), value)


def _with_attributes(markup: str, attributes: t.Iterable[tuple[str, str]]) -> str | None:
    """Return ``markup`` with ``attributes`` added to its first tag (None: not a tag)."""
    match = _START_TAG.match(markup)
    if match is None:
        return None
    element = etree.Element(match.group(1))
    for name, value in _TAG_ATTRIBUTE.findall(match.group(2)):
        element.set(name, html.unescape(value))
    _assign(element, attributes)
    written = "".join(f' {name}="{html.escape(str(value))}"'
                      for name, value in element.attrib.items())
    return f"<{match.group(1)}{written}>{markup[match.end():]}"


def _parse_attributes(
    text: str, definitions: t.Mapping[str, str], depth: int = 0
) -> tuple[list[tuple[str, str]], bool]:
    """Return the attributes of an attribute list and whether it names ``toc``.

    A bare word names a definition; one that names none is left out, as kramdown does.
    """
    found: list[tuple[str, str]] = []
    toc = False
    pairs, _ = get_attrs_and_remainder(text.replace("\\}", "}"))
    for name, value in t.cast(list[tuple[str, str | None]], pairs):
        if value is not None:
            found.append((name, value))
        elif name == _TOC:
            toc = True
        elif name in definitions and depth < _MAX_REFERENCE_DEPTH:
            more, more_toc = _parse_attributes(definitions[name], definitions, depth + 1)
            found += more
            toc = toc or more_toc
    return found, toc


class _MarkAttributeLines(Preprocessor):
    """Replace attribute and end-of-block lines by markers; record what each stands for."""

    def __init__(self, md: markdown.Markdown, owner: AttributeLines) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, lines: list[str]) -> list[str]:
        if not any(line.startswith(_END_OF_BLOCK) or "{:" in line for line in lines):
            return lines
        fenced = _fenced_lines(lines)
        definitions: dict[str, str] = {}
        lines, fenced = _join_split_lists(lines, fenced)
        for number, line in enumerate(lines):
            if number not in fenced and line.startswith("{:"):
                match = _DEFINITION_LINE.fullmatch(line)
                if match:
                    # Definitions apply to lines anywhere in the document, as in kramdown.
                    definitions[match.group(1)] = match.group(2)
                    lines[number] = ""
        is_attribute = [number not in fenced and line.startswith("{:")
                        and _ATTRIBUTE_LINE.fullmatch(line) is not None
                        for number, line in enumerate(lines)]
        result: list[str] = []
        for number, line in enumerate(lines):
            if line.rstrip() == _END_OF_BLOCK and number not in fenced:
                self.owner.lines.append(_Line((), False, False, line, ends_block=True))
                result.append(_MARK % (len(self.owner.lines) - 1))
                continue
            if not is_attribute[number]:
                result.append(line)
                continue
            # A run of attribute lines applies to the block before the run, or, when a
            # blank line precedes it, to the block after it; with neither, to nothing.
            first = number
            while first > 0 and is_attribute[first - 1]:
                first -= 1
            last = number
            while last + 1 < len(lines) and is_attribute[last + 1]:
                last += 1
            before = first > 0 and bool(lines[first - 1].strip())
            after = last + 1 < len(lines) and bool(lines[last + 1].strip())
            if not (before or after):
                result.append("")
                continue
            match = _ATTRIBUTE_LINE.fullmatch(line)
            assert match is not None
            attributes, toc = _parse_attributes(match.group(1), definitions)
            self.owner.lines.append(_Line(tuple(attributes), toc, not before, line))
            result.append(_MARK % (len(self.owner.lines) - 1))
        return result


def _join_split_lists(lines: list[str], fenced: set[int]) -> tuple[list[str], set[int]]:
    """Return ``lines`` with attribute lists that go on over a line end joined up.

    kramdown reads ``![logo](a.png){:`` and ``.icon width="70"}`` on the next line as one
    list; ``attr_list`` reads lists on one line only. Also returns the fenced lines'
    new numbers.
    """
    joined: list[str] = []
    numbers: set[int] = set()
    number = 0
    while number < len(lines):
        line = lines[number]
        if number in fenced:
            numbers.add(len(joined))
        elif number + 1 < len(lines) and number + 1 not in fenced \
                and not line.startswith("    ") and _SPLIT_LIST.search(line):
            after = lines[number + 1]
            end = after.find("}")
            if end >= 0 and "{" not in after[:end]:
                joined.append(f"{line} {after.lstrip()}")
                number += 2
                continue
        joined.append(line)
        number += 1
    return joined, numbers


def _fenced_lines(lines: list[str]) -> set[int]:
    """Return the numbers of the lines of fenced code blocks, fences included."""
    fenced: set[int] = set()
    number = 0
    while number < len(lines):
        match = _FENCE.match(lines[number])
        if match:
            fence = match.group()
            end = next((n for n in range(number + 1, len(lines))
                        if lines[n].rstrip(" ") == fence), None)
            if end is not None:
                fenced.update(range(number, end + 1))
                number = end
        number += 1
    return fenced


class _AttributeLineBlocks(BlockProcessor):
    """Split a block at a marker; give the block before it (or after it) the attributes."""

    def __init__(self, parser: BlockParser, owner: AttributeLines) -> None:
        super().__init__(parser)
        self.owner = owner

    def test(self, parent: etree.Element, block: str) -> bool:
        return util.STX + "attrs:" in block

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        block = blocks.pop(0)
        match = _MARK_RE.search(block)
        assert match is not None
        line = self.owner.lines[int(match.group(1))]
        before = block[:match.start()].rstrip("\n")
        rest = block[match.end():].lstrip("\n")
        if rest:
            blocks.insert(0, rest)
        md = self.parser.md
        if line.ends_block:
            # What follows is a block of its own: not a list item, quote or code block
            # continuing the one before. The empty element keeps them apart until parsed.
            if before.strip():
                self.parser.parseBlocks(parent, [before])
            self._end(parent)
            return True
        if line.after and not before.strip():
            self.owner.pending.append((parent, len(parent), line))
            return True
        if before.strip():
            target = self._parse(parent, before)
        else:  # the line after another attribute line, or after stashed HTML
            target = next((e for e in reversed(parent) if e.tag != _ENDED), None)
        if target is not None:
            self.owner.apply(md, parent, target, line)
        # As in kramdown, the line ends the block: a list item after it starts a new list.
        self._end(parent)
        return True

    def _end(self, parent: etree.Element) -> None:
        etree.SubElement(parent, _ENDED)
        self.owner.ended = True

    def _parse(self, parent: etree.Element, text: str) -> etree.Element | None:
        """Parse ``text`` into ``parent``; return the element it made or added to."""
        count = len(parent)
        last = parent[-1] if count else None
        size = _size(last)
        self.parser.parseBlocks(parent, [text])
        if len(parent) > count:
            return parent[-1]
        if last is not None and _size(last) > size:
            return last  # more of the list, quote or code block before
        return None  # a reference definition, say: nothing to give attributes to


def _size(element: etree.Element | None) -> int:
    """Return a measure of ``element`` that grows with anything added to it."""
    if element is None:
        return 0
    return sum(1 + len(e.text or "") + len(e.tail or "") for e in element.iter())


class _NextBlockAttributes(Treeprocessor):
    """Give the attributes of a line that follows a blank line to the block after it.

    Then remove the elements that stood for end-of-block markers.
    """

    def __init__(self, md: markdown.Markdown, owner: AttributeLines) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, root: etree.Element) -> None:
        pending, self.owner.pending = self.owner.pending, []
        for parent, index, line in pending:
            if index < len(parent) and parent[index].tag != _ENDED:
                self.owner.apply(self.md, parent, parent[index], line)
        if self.owner.ended:
            self.owner.ended = False
            for element in list(root.iter()):
                for child in list(element):
                    if child.tag == _ENDED:
                        element.remove(child)


class _RestoreAttributeLines(Postprocessor):
    """Put back, as written, marked lines inside raw HTML (which keeps them as text)."""

    def __init__(self, md: markdown.Markdown, owner: AttributeLines) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, text: str) -> str:
        if not self.owner.lines or util.STX + "attrs:" not in text:
            return text
        return _MARK_RE.sub(lambda m: self.owner.lines[int(m.group(1))].text, text)


# --- reference labels ------------------------------------------------------------

_CODE_SPAN = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_ESCAPED = re.compile(util.STX + r"(\d+)" + util.ETX)


def label_key(label: str) -> str:
    """Return the form of a reference label that matching compares (CommonMark's rule).

    Case-folded, whitespace runs collapsed, and code spans written one way however many
    backticks and spaces surround their content.
    """
    label = _CODE_SPAN.sub(lambda m: f"`{m.group(2).strip()}`", label)
    return " ".join(label.split()).casefold()


class ReferenceLabels(Extension):
    """Reference links whose labels hold code, matched as CommonMark matches labels."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, tuple[str, str]] | None = None

    def reset(self) -> None:
        self.keys = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (library API)
        md.registerExtension(self)
        for name, base, priority in (
            ("reference", ReferenceInlineProcessor, 170),
            ("image_reference", ImageReferenceInlineProcessor, 140),
            ("short_reference", ShortReferenceInlineProcessor, 130),
            ("short_image_ref", ShortImageReferenceInlineProcessor, 125),
        ):
            # Same regex as before, so the inline prefilter's requirements stay the same.
            pattern = md.inlinePatterns[name].pattern
            processor = _labelled(base)(pattern, md)
            processor.owner = self
            md.inlinePatterns.register(processor, name, priority)

    def lookup(self, md: markdown.Markdown, label: str) -> tuple[str, str] | None:
        """Return the definition ``label`` names by CommonMark's rule, or None."""
        if self.keys is None:
            # Definitions are all read before the inline pass, so this is built once.
            self.keys = {}
            for name, value in md.references.items():
                self.keys.setdefault(label_key(name), value)
        return self.keys.get(label_key(label))


_LABELLED: dict[type, type] = {}


def _labelled(base: type[ReferenceInlineProcessor]) -> type[t.Any]:
    """Return a subclass of ``base`` that also finds labels stock matching misses."""
    if base in _LABELLED:
        return _LABELLED[base]

    class Labelled(base):  # type: ignore[valid-type,misc]
        owner: ReferenceLabels

        def handleMatch(  # noqa: N802 (library API)
            self, m: re.Match[str], data: str
        ) -> tuple[etree.Element | None, int | None, int | None]:
            text, index, handled = self.getText(data, m.end(0))
            if not handled:
                return None, None, None
            label, end, handled = self.evalId(data, index, text)
            if not handled or label is None:
                return None, None, None
            found = self.md.references.get(self.NEWLINE_CLEANUP_RE.sub(" ", label))
            if found is None:
                found = self.owner.lookup(self.md, self._source(label))
            if found is None:
                return None, m.start(0), end
            href, title = found
            return self.makeTag(href, title, text), m.start(0), end

        def _source(self, label: str) -> str:
            """Return ``label`` with code spans and escapes as they were written."""
            stash = self.md.treeprocessors["inline"].stashed_nodes

            def code(match: re.Match[str]) -> str:
                node = stash.get(match.group(1))
                if isinstance(node, etree.Element) and node.tag == "code" and len(node) == 0:
                    text = (node.text or "").replace("&lt;", "<").replace("&gt;", ">")
                    return f"`{text.replace('&amp;', '&')}`"
                return match.group(0)

            label = util.INLINE_PLACEHOLDER_RE.sub(code, label)
            return _ESCAPED.sub(lambda m: "\\" + chr(int(m.group(1))), label)

    Labelled.__name__ = f"Labelled{base.__name__}"
    Labelled.__qualname__ = Labelled.__name__
    _LABELLED[base] = Labelled
    return Labelled


# --- GFM inline ------------------------------------------------------------------

STRIKETHROUGH_RE = r"(~~)(?![~\s])(.+?)(?<![~\s])~~(?!~)"
"""GFM strikethrough: two tildes either side, no space just inside them."""
BACKSLASH_BREAK_RE = r"\\\n"
"""CommonMark's hard line break: a backslash at the end of a line."""


class GfmInline(Extension):
    """Strikethrough ``~~text~~`` (GFM) and the backslash hard line break (CommonMark)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (library API)
        # Below escapes (180), so "\\" at a line's end stays a backslash; above emphasis
        # (60), so emphasis inside the struck text is still seen.
        md.inlinePatterns.register(
            SubstituteTagInlineProcessor(BACKSLASH_BREAK_RE, "br"), "backslash-break", 101)
        md.inlinePatterns.register(
            SimpleTagInlineProcessor(STRIKETHROUGH_RE, "del"), "strikethrough", 65)


# --- GitHub heading ids ----------------------------------------------------------

# What GitHub keeps of a heading's text: letters, marks, digits, connector punctuation
# (such as "_"), "-" and spaces; every space then becomes "-".
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_KEPT_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "Pc"})


def github_slug(text: str) -> str:
    """Return the id GitHub gives a heading with ``text``, before duplicates are numbered."""
    return "".join(
        "-" if c == " " else c for c in text.strip().lower()
        if c in "- " or unicodedata.category(c) in _KEPT_CATEGORIES)


class GithubHeadingIds(Extension):
    """Heading ids as GitHub and Hugo compute them; duplicates get ``-1``, ``-2``.

    Ids are given before typographic quotes and dashes are applied, from the text as
    written (``--`` is two hyphens, as GitHub sees it); the ``toc`` extension then keeps
    them. Ids already in the document (``{#id}``, footnotes) count as taken.
    """

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (library API)
        # After attribute lists (8) set explicit ids, before smarty (6) and toc (5).
        md.treeprocessors.register(_GithubIds(md), "github-heading-ids", 7.5)


_HTML_TAG = re.compile(HTML_RE, re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _heading_text(element: etree.Element, md: markdown.Markdown) -> str:
    """Return the text of a heading as the toc extension reads it, spaces as they are."""
    inner = render_inner_html(remove_fnrefs(element), md)
    return html.unescape(_HTML_TAG.sub("", _HTML_COMMENT.sub("", inner)))


class _GithubIds(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        seen = {str(e.get("id")): 0 for e in root.iter() if e.get("id")}
        for element in root.iter():
            if element.tag not in _HEADINGS or element.get("id"):
                continue
            base = github_slug(_heading_text(element, self.md)) or "section"
            result = base
            while result in seen:
                seen[base] += 1
                result = f"{base}-{seen[base]}"
            seen[result] = 0
            element.set("id", result)
