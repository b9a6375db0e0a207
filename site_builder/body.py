"""Render article bodies from Markdown to HTML (Python-Markdown) and sanitise them (nh3).

Bodies come from imports, scrapers and many hands, so raw HTML in them is untrusted:
the rendered HTML goes through an allowlist sanitiser that keeps formatting, tables,
figures, code, images and embeds from known hosts, and drops scripts, event handlers
and ``javascript:`` URLs. Python-Markdown is recursive and, for some shapes of input,
quadratic; :func:`check_structure` refuses such bodies up front with a located message
instead of letting a build crash or run for hours.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import re
import typing as t
import xml.etree.ElementTree as etree
from urllib.parse import urlsplit

import markdown
import nh3
from markdown import treeprocessors, util
from markdown.extensions import Extension
from markdown.extensions.codehilite import CodeHilite, HiliteTreeprocessor
from markdown.treeprocessors import Treeprocessor

from .compat import AttributeLines, GfmInline, GithubHeadingIds, ReferenceLabels
from .urls import slugify

try:  # the regex parser behind re: private, so its absence only costs speed
    import re._constants as re_constants  # type: ignore[import-not-found]
    import re._parser as re_parser  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    re_parser = None

EXTENSIONS = ("extra", "toc", "smarty", "sane_lists", "codehilite")
"""Tables, footnotes, fenced code, attribute lists, heading ids, typographic quotes, code
highlighted by Pygments."""
EXTENSION_CONFIGS: dict[str, dict[str, object]] = {
    "toc": {"slugify": lambda value, separator: slugify(value) or "section"},
    "smarty": {"smart_angled_quotes": False},
    # CSS classes, styled by the theme in light and dark; no guessing, so a block without
    # a language stays plain text instead of being coloured as whatever Pygments thinks
    # it resembles, and no line numbers, which would be copied with the code.
    "codehilite": {"css_class": "codehilite", "guess_lang": False, "linenums": False,
                   "noclasses": False, "use_pygments": True},
}
HEADING_IDS = ("ascii", "github")
"""How heading ids are made: transliterated to ASCII (the default), or as GitHub and Hugo
make them (Unicode letters kept), so anchors into pages from those sites still work."""
SUMMARY_LENGTH = 300

DEFAULT_EMBED_HOSTS = ("www.youtube.com", "www.youtube-nocookie.com", "player.vimeo.com")
"""Hosts whose ``<iframe>`` embeds are kept when ``embed_hosts`` is not configured."""
MAX_NESTING = 50
"""Deepest nesting of blockquotes and lists (Python-Markdown recurses once per level)."""
MAX_HTML_NESTING = 1000
"""Deepest nesting of raw HTML elements (html5ever is quadratic in nesting depth)."""
MAX_UNCLOSED = 64
"""Most ``[``, ``](`` or ``<tag`` openers left unclosed in one paragraph."""
MAX_BLOCK = 100_000
"""Longest paragraph, in characters (inline Markdown is quadratic in paragraph length)."""

# Tags and attributes kept in sanitised HTML: everything Python-Markdown produces plus
# the formatting, table, figure and media markup an article may carry as raw HTML.
# Obsolete presentational tags and attributes (center, align, ...) are left out so the
# pages stay valid HTML.
ALLOWED_TAGS = frozenset({
    "a", "abbr", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption",
    "cite", "code", "col", "colgroup", "data", "dd", "del", "details", "dfn", "div", "dl",
    "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "i", "iframe", "img", "ins", "kbd", "li", "mark", "ol", "p",
    "picture", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small", "source",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var", "wbr", "video", "audio", "track",
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "dir", "id", "lang", "title"},
    "a": {"href", "hreflang"},
    "blockquote": {"cite"},
    "col": {"span"},
    "colgroup": {"span"},
    "data": {"value"},
    "del": {"cite", "datetime"},
    # No "loading": the Nu HTML Checker the pages are validated with rejects it on iframe.
    "iframe": {"allow", "allowfullscreen", "height", "referrerpolicy", "sandbox", "src",
               "title", "width"},
    "img": {"alt", "decoding", "height", "loading", "src", "srcset", "sizes", "width"},
    "ins": {"cite", "datetime"},
    "li": {"value"},
    "ol": {"reversed", "start", "type"},
    "q": {"cite"},
    "source": {"media", "sizes", "src", "srcset", "type"},
    "video": {"controls", "height", "loop", "muted", "playsinline", "poster", "preload",
              "width"},
    "audio": {"controls", "loop", "muted", "preload"},
    "track": {"default", "kind", "label", "src", "srclang"},
    "td": {"colspan", "headers", "rowspan", "style"},
    "th": {"abbr", "colspan", "headers", "rowspan", "scope", "style"},
    "time": {"datetime"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "poster"})
# ASCII characters a URL may not hold as they are (imported links carry them); they are
# percent-encoded, which is what a browser sends anyway.
_URL_UNSAFE = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]')

_FIRST_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
# Table alignment exactly as Python-Markdown writes it; any other style is dropped.
_ALIGN_STYLE = re.compile(r"text-align: (?:left|right|center);")
# nh3 serialises every attribute value in double quotes, so this reads its output exactly.
_IFRAME = re.compile(r'<iframe((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*>.*?</iframe>', re.DOTALL)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CONTAINER = re.compile(r"\s*(?:>|[-*+](?=\s)|\d{1,9}[.)](?=\s))")
_RULE = re.compile(r"[\s*_-]+")
_TABLE_RULE = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
_NEW_UNIT = re.compile(r"(?:\s*>)*\s*(?:[-*+]|\d{1,9}[.)]|#{1,6})(?:\s|$)")
_OPENERS = ("[", "](", "<")
# Escapes first, so an escaped bracket is skipped as a whole.
_MARKUP = re.compile(r"\\.|\]\(|[\[\])>]|<[A-Za-z/!?]")
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])[^<>]*?(/?)>")
_CODE_SPAN = re.compile(r"(`+).+?\1")
# Elements that never hold content, or whose end tag may be left out (HTML closes them).
_NO_DEPTH = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot",
    "colgroup", "option", "optgroup", "rb", "rt", "rp",
})


class BodyError(ValueError):
    """A body that cannot be rendered safely; ``line`` counts from the body's first line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclasses.dataclass(frozen=True, slots=True)
class Rendered:
    """The HTML of a body and the plain-text summary taken from it."""

    html: str
    summary: str
    removed_embeds: tuple[str, ...] = ()
    """``src`` of each ``<iframe>`` removed because its host is not an allowed embed host."""


class _BlankTails(Extension):
    """Hide whitespace-only tails from the typographic-quotes pass.

    Python-Markdown's inline processor looks up the position of every element that has
    a tail, which is quadratic in the number of sibling blocks; the pretty-printer has
    given every block a ``"\\n"`` tail by the time the smarty pass runs. A whitespace
    tail holds nothing to convert, so it is taken away before that pass and put back
    after it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.hidden: list[tuple[etree.Element, str]] = []

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (library API)
        md.treeprocessors.register(_HideTails(md, self), "hide-blank-tails", 6.5)
        md.treeprocessors.register(_RestoreTails(md, self), "restore-blank-tails", 5.5)


class _HideTails(Treeprocessor):
    def __init__(self, md: markdown.Markdown, owner: _BlankTails) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, root: etree.Element) -> None:
        self.owner.hidden = []
        for element in root.iter():
            if element.tail and not element.tail.strip():
                self.owner.hidden.append((element, element.tail))
                element.tail = None


class _RestoreTails(_HideTails):
    def run(self, root: etree.Element) -> None:
        for element, tail in self.owner.hidden:
            element.tail = tail
        self.owner.hidden = []


class _Highlighting(Extension):
    """Indented code blocks highlighted as ``codehilite`` does, keeping what they say.

    The stock pass reads a first line ``:::python`` or ``#!python`` as the language and
    drops it, and throws away the ``<pre>``'s attributes (a kramdown ``{: .class}``
    line); an archive's code is shown as written, its attributes kept on the wrapper, as
    ``fenced_code`` keeps a fence's classes. Fenced blocks are highlighted by
    ``fenced_code`` itself, with the fence's language.
    """

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (library API)
        stock = t.cast(HiliteTreeprocessor, md.treeprocessors["hilite"])
        ours = _HighlightKeepingAttributes(md)
        ours.config = stock.config
        md.treeprocessors.register(ours, "hilite", 30)


class _HighlightKeepingAttributes(HiliteTreeprocessor):
    def run(self, root: etree.Element) -> None:
        for block in root.iter("pre"):
            if len(block) != 1 or block[0].tag != "code" or block[0].text is None:
                continue
            config = self.config.copy()
            attributes = dict(block.attrib)
            # Classes join the wrapper's, as fenced_code does with a fence's classes.
            classes = attributes.pop("class", "").split()
            config["css_class"] = " ".join([*classes, config["css_class"]])
            code = CodeHilite(self.code_unescape(block[0].text), tab_length=self.md.tab_length,
                              style=config.pop("pygments_style", "default"), **config)
            highlighted = code.hilite(shebang=False)
            if attributes:
                extra = "".join(f' {name}="{html.escape(value)}"'
                                for name, value in attributes.items())
                highlighted = highlighted.replace("<div", f"<div{extra}", 1)
            placeholder = self.md.htmlStash.store(highlighted)
            # As the stock pass does: the placeholder paragraph is replaced by the HTML.
            block.clear()
            block.tag = "p"
            block.text = placeholder


def build_converter(heading_ids: str = "ascii", *, prefilter: bool = True) -> markdown.Markdown:
    """Return a Markdown converter with every extension bodies are rendered with.

    Besides Python-Markdown's own (:data:`EXTENSIONS`), these keep what other engines
    accept (:mod:`.compat`). ``prefilter`` swaps in the faster inline pass, which gives
    the same output.
    """
    extensions: list[Extension | str] = [
        *EXTENSIONS, _Highlighting(), _BlankTails(), AttributeLines(), ReferenceLabels(),
        GfmInline()]
    if heading_ids == "github":
        extensions.append(GithubHeadingIds())
    elif heading_ids != "ascii":
        raise ValueError(f"heading_ids: unknown style {heading_ids!r}")
    md = markdown.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS,
                           output_format="html")
    if prefilter:
        for processor in md.treeprocessors:
            if type(processor) is treeprocessors.InlineProcessor:
                processor.__class__ = _PrefilteredInlineProcessor
    return md


@functools.cache
def _converter(heading_ids: str = "ascii") -> markdown.Markdown:
    # Building a Markdown instance loads every extension; one per process and style of
    # heading ids, reset per use.
    return build_converter(heading_ids)


class _PrefilteredInlineProcessor(treeprocessors.InlineProcessor):
    """Python-Markdown's inline pass, skipping patterns that cannot match a text.

    The stock pass tries every pattern on every text node, one Python call and one
    regex search each, and most patterns match nothing. Each pattern's regex names
    strings any match must contain (``[`` for links, ``--`` for dashes); a pattern
    whose strings a text lacks is skipped, and a text lacking every pattern's strings
    is left as it is. Both are exactly what the stock pass would do, only sooner.
    """

    _triggers: re.Pattern[str] | None = None
    _needs: list[re.Pattern[str] | None] = []
    _patterns: list[t.Any] = []

    def run(self, tree: t.Any, ancestors: list[str] | None = None) -> t.Any:
        # Extensions may register patterns between documents, never during one.
        self._patterns = list(self.inlinePatterns)
        required = _requirements(self._patterns)
        self._needs = [_alternatives(found) if found else None for found in required]
        self._triggers = _union(required)
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        if patternIndex == 0 and self._triggers is not None \
                and self._triggers.search(data) is None:
            return data
        # The stock loop, with patterns that cannot match skipped: a pattern that does
        # not match leaves the text as it was and the search restarting at 0.
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        patterns, needs = self._patterns, self._needs
        start = 0
        while patternIndex < len(patterns):
            need = needs[patternIndex]
            if need is not None and need.search(data) is None:
                patternIndex += 1
                start = 0
                continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def _requirements(patterns: list[t.Any]) -> list[frozenset[str] | None]:
    """Return, per pattern, strings one of which its every match contains (None: any)."""
    found: list[frozenset[str] | None] = []
    for pattern in patterns:
        compiled = pattern.getCompiledRegExp()
        found.append(_required_of(compiled.pattern, compiled.flags) or None)
    return found


def _union(required: list[frozenset[str] | None]) -> re.Pattern[str] | None:
    """Return a regex finding text some pattern may match, or None if any pattern may."""
    if any(found is None for found in required):
        return None
    return _alternatives(frozenset().union(*t.cast(list[frozenset[str]], required)))


def _triggers_of(patterns: list[t.Any]) -> re.Pattern[str] | None:
    """Return a regex finding text some pattern may match, or None to try them all."""
    return _union(_requirements(patterns))


@functools.lru_cache(maxsize=256)
def _alternatives(strings: frozenset[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(s) for s in sorted(strings, key=lambda s: (-len(s), s))))


@functools.lru_cache(maxsize=64)
def _required_of(source: str, flags: int) -> frozenset[str] | None:
    """Return strings one of which every match of regex ``source`` contains, or None."""
    if re_parser is None or flags & ~(re.DOTALL | re.UNICODE):
        return None
    try:
        items = re_parser.parse(source, flags)
    except (re.error, AttributeError, TypeError):
        return None
    return _required(list(items))


def _required(items: list[t.Any]) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    run: list[str] = []

    def keep(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and "" not in found and (best is None or _score(found) > _score(best)):
            best = found

    def flush() -> None:
        if run:
            keep(frozenset({"".join(run)}))
            run.clear()

    for op, av in items:
        if op is re_constants.LITERAL:
            run.append(chr(av))
            continue
        if op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT):
            low, high, sub = av
            sub = list(sub)
            if low >= 1 and len(sub) == 1 and sub[0][0] is re_constants.LITERAL:
                run.extend(chr(sub[0][1]) * low)
                if high != low:
                    flush()
                continue
            flush()
            if low >= 1:
                keep(_required(sub))
            continue
        flush()
        if op is re_constants.SUBPATTERN:
            _, add_flags, _, sub = av
            if add_flags & ~(re.DOTALL | re.UNICODE):
                return None
            keep(_required(list(sub)))
        elif op is re_constants.BRANCH:
            alternatives = [_required(list(sub)) for sub in av[1]]
            if all(alternatives):
                keep(frozenset().union(*t.cast(list[frozenset[str]], alternatives)))
        elif op is re_constants.IN:
            chars = [chr(a) for o, a in av if o is re_constants.LITERAL]
            if chars and len(chars) == len(av):
                keep(frozenset(chars))
        # Anything else (any character, a class, an anchor, a lookaround, a
        # back-reference) requires no particular string; assertions also end a run.
    flush()
    return best


def _score(found: frozenset[str]) -> tuple[int, int]:
    return (min(len(s) for s in found), -len(found))


def render_markdown(
    text: str, *, unsafe_html: bool = False,
    embed_hosts: t.Collection[str] = DEFAULT_EMBED_HOSTS, heading_ids: str = "ascii",
) -> Rendered:
    """Convert a Markdown body to sanitised HTML and derive its summary.

    Raise :class:`BodyError` for a body too deeply nested or too long to render in
    bounded time. With ``unsafe_html`` the HTML is kept exactly as written.
    ``heading_ids`` is one of :data:`HEADING_IDS`.
    """
    check_structure(text)
    converter = _converter(heading_ids)
    converter.reset()
    try:
        body = converter.convert(text)
    except RecursionError:
        # check_structure bounds every nesting we know of; this is the backstop. The
        # converter may be left mid-way, so the next body gets a fresh one.
        _converter.cache_clear()
        first = next((n for n, line in enumerate(text.split("\n"), 1) if line.strip()), 1)
        raise BodyError(first, "Markdown nested too deeply to render") from None
    removed: tuple[str, ...] = ()
    if not unsafe_html:
        body, removed = sanitize_html(body, embed_hosts)
    return Rendered(html=body, summary=summarize(body), removed_embeds=removed)


def sanitize_html(
    body: str, embed_hosts: t.Collection[str] = DEFAULT_EMBED_HOSTS
) -> tuple[str, tuple[str, ...]]:
    """Return ``body`` with everything but allowed markup removed, and removed embeds."""
    hosts = {host.lower() for host in embed_hosts}
    removed: list[str] = []

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "style":
            return value if _ALIGN_STYLE.fullmatch(value.strip()) else None
        if tag == "iframe" and attribute == "src":
            parts = urlsplit(value.strip())
            if parts.scheme.lower() == "https" and (parts.hostname or "") in hosts:
                return value
            removed.append(value)
            return None
        if attribute in ("width", "height") and not value.strip().isdigit():
            # HTML wants a number of pixels here; "100%" is old presentational markup.
            return None
        if attribute == "cite" and _SPACE.search(value.strip()):
            # Imported markup uses cite for a note ("deleted it"): not a URL, and as a
            # relative one it points at a page that does not exist.
            return None
        if attribute in URL_ATTRIBUTES:
            return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", value.strip())
        return value

    cleaned = nh3.clean(
        body, tags=set(ALLOWED_TAGS), attributes=ALLOWED_ATTRIBUTES, attribute_filter=keep,
        url_schemes=set(URL_SCHEMES), link_rel=None, strip_comments=True,
    )
    cleaned = unwrap_misnested(_IFRAME.sub(_embed, cleaned))
    # A disclosure needs a summary line, and a description list a term before its details.
    cleaned = _DETAILS_WITHOUT_SUMMARY.sub(r"\g<0><summary>Details</summary>", cleaned)
    cleaned = _DL_WITHOUT_TERM.sub(r"\g<0><dt></dt>", cleaned)
    cleaned = _DL_WITHOUT_DETAILS.sub(r"\g<0><dd></dd>", cleaned)
    # A media source whose URL was dropped (an unknown scheme such as a mistyped
    # "ttps:") points at nothing, and HTML requires the URL: the element goes.
    cleaned = _SOURCE_WITHOUT_URL.sub("", cleaned)
    return unique_ids(cleaned), tuple(removed)


_ATTRS = r'(?:\s+[^\s=>]+(?:="[^"]*")?)*'
_DETAILS_WITHOUT_SUMMARY = re.compile(rf"<details{_ATTRS}>(?!\s*<summary[\s>])")
_DL_WITHOUT_TERM = re.compile(rf"<dl{_ATTRS}>\s*(?=<dd[\s>])")
_DL_WITHOUT_DETAILS = re.compile(r"</dt>\s*(?=</dl>)")
_SOURCE_WITHOUT_URL = re.compile(
    r'<source(?!(?:\s+[^\s=>]+(?:="[^"]*")?)*?\s+src(?:set)?=")(?:\s+[^\s=>]+(?:="[^"]*")?)*>'
    r'|<track(?!(?:\s+[^\s=>]+(?:="[^"]*")?)*?\s+src=")(?:\s+[^\s=>]+(?:="[^"]*")?)*>')
# nh3 writes every attribute value in double quotes, so this finds each id exactly.
_ID = re.compile(r'(<[a-zA-Z][a-zA-Z0-9]*(?:\s+[^\s=>]+(?:="[^"]*")?)*?\s+id=")([^"]*)(")')


def unique_ids(body: str) -> str:
    """Give each repeated ``id`` in ``body`` a numbered suffix, so every id is unique.

    Imported bodies repeat ids (the same captioned image, or the same file block, twice
    in one post); the first keeps its id, so links to it still land.
    """
    if body.count(' id="') < 2:
        return body
    seen = {match.group(2) for match in _ID.finditer(body)}
    used: set[str] = set()

    def rename(match: re.Match[str]) -> str:
        value = match.group(2)
        if value not in used:
            used.add(value)
            return match.group(0)
        number = 2
        while f"{value}-{number}" in seen or f"{value}-{number}" in used:
            number += 1
        fresh = f"{value}-{number}"
        used.add(fresh)
        return f"{match.group(1)}{fresh}{match.group(3)}"

    return _ID.sub(rename, body)


# Text-level elements that may not hold paragraphs, headings, lists or tables. Raw HTML
# that leaves one open (an unclosed <code> in a changelog) makes the HTML parser carry it
# into every following block, which is invalid; such an element is unwrapped.
_PHRASING = frozenset({
    "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
})
_BLOCK = frozenset({
    "article", "aside", "blockquote", "details", "div", "dl", "dd", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li",
    "ol", "p", "pre", "section", "summary", "table", "ul",
})
_VOID = frozenset({"br", "col", "hr", "img", "source", "track", "wbr"})
# Elements whose children must be particular elements (li, dt/dd, rows, cells).
_LIST_LIKE = frozenset({"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr"})
# nh3 writes every attribute value in double quotes, so this reads its tags exactly.
_SERIALISED_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*/?>')


def unwrap_misnested(body: str) -> str:
    """Remove the tags of text-level elements that contain block elements, keeping content."""
    if not any(f"<{name}" in body for name in _PHRASING):
        return body
    tags = list(_SERIALISED_TAG.finditer(body))
    drop: set[int] = set()
    stack: list[tuple[str, int, bool]] = []  # (name, index in tags, must be dropped)
    for index, match in enumerate(tags):
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name in _VOID:
            continue
        if not closing:
            if name in _BLOCK:
                stack = [(n, i, dropped or n in _PHRASING) for n, i, dropped in stack]
            misplaced = name in _PHRASING and bool(stack) and stack[-1][0] in _LIST_LIKE
            stack.append((name, index, misplaced))
            continue
        while stack:
            open_name, open_index, dropped = stack.pop()
            if dropped:
                drop.update((open_index, index) if open_name == name else (open_index,))
            if open_name == name:
                break
    for _, open_index, dropped in stack:
        if dropped:
            drop.add(open_index)
    if not drop:
        return body
    parts: list[str] = []
    last = 0
    for index, match in enumerate(tags):
        if index in drop:
            parts.append(body[last:match.start()])
            last = match.end()
    parts.append(body[last:])
    return "".join(parts)


def _embed(match: re.Match[str]) -> str:
    # An iframe's content is fallback text no current browser shows; a disallowed one
    # has lost its src and is dropped whole.
    attributes = match.group(1)
    if not re.search(r'\ssrc="', attributes):
        return ""
    return f"<iframe{attributes}></iframe>"


def check_structure(text: str) -> None:
    """Raise :class:`BodyError` if ``text`` is nested or sized beyond what renders safely.

    Python-Markdown recurses once per level of blockquotes and lists, and its inline
    pass rescans a paragraph for every unclosed ``[``, ``](`` or ``<tag``; html5ever
    slows down with deeply nested elements. Real articles stay far below these bounds.
    Fenced code is skipped: none of this applies inside it.
    """
    lines = _outside_fences(text.split("\n"))
    # Whole-body nesting first: a nesting bomb is reported as one, not as a long line.
    _check_html_depth("\n".join(
        _CODE_SPAN.sub("", line) if line and "`" in line else line or "" for line in lines))
    unit = _Unit(1)
    block_lines, in_table, previous = 0, False, ""
    for number, line in enumerate(lines, 1):
        if line is None or not line.strip():
            block_lines, in_table = 0, False
            unit = _Unit(number + 1)
            continue
        depth = _container_depth(line)
        if depth > MAX_NESTING:
            raise BodyError(number, f"blockquotes or lists nested {depth:,} levels deep "
                                    f"(at most {MAX_NESTING})")
        block_lines += 1
        if block_lines == 2 and "|" in previous and _TABLE_RULE.fullmatch(line):
            in_table = True
        previous = line
        # Inline Markdown runs once per paragraph, list item, heading or table cell,
        # so each of those is measured on its own.
        if in_table or _NEW_UNIT.match(line):
            unit = _Unit(number)
        unit.add(number, line)


class _Unit:
    """One paragraph, list item, heading or table cell, measured line by line."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.chars = 0
        self.openers = 0
        self.pending: list[tuple[int, str]] | None = []
        self.unclosed = dict.fromkeys(_OPENERS, 0)

    def add(self, number: int, line: str) -> None:
        self._check_openers(number, line)
        self.chars += len(line) + 1
        if self.chars > MAX_BLOCK:
            raise BodyError(self.start, f"paragraph longer than {MAX_BLOCK:,} characters: "
                                        "separate paragraphs with blank lines")

    def _check_openers(self, number: int, line: str) -> None:
        if self.pending is not None:
            # Matching openers to closers is only needed once there are enough openers
            # to pass the limit; until then the lines are only kept.
            self.pending.append((number, line))
            self.openers += line.count("[") + line.count("](") + line.count("<")
            if self.openers <= MAX_UNCLOSED:
                return
            pending, self.pending = self.pending, None
        else:
            pending = [(number, line)]
        for at, text in pending:
            opener = _count_unclosed(text, self.unclosed)
            if opener:
                raise BodyError(at, f"more than {MAX_UNCLOSED} unclosed '{opener}' in one "
                                    "paragraph: escape them with a backslash")


def _outside_fences(lines: list[str]) -> list[str | None]:
    """Return ``lines`` with the lines of fenced code blocks replaced by None."""
    result: list[str | None] = []
    in_fence = ""
    for line in lines:
        fence = _FENCE.match(line)
        if in_fence:
            if fence and fence.group(1)[0] == in_fence[0] and len(fence.group(1)) >= len(
                    in_fence):
                in_fence = ""
            result.append(None)
        elif fence:
            in_fence = fence.group(1)
            result.append(None)
        else:
            result.append(line)
    return result


def _container_depth(line: str) -> int:
    """Return how many blockquote and list levels ``line`` opens or continues."""
    if _RULE.fullmatch(line):
        return 0
    expanded = line.expandtabs(4)
    indent = len(expanded) - len(expanded.lstrip(" "))
    markers = 0
    position = 0
    while match := _CONTAINER.match(expanded, position):
        markers += 1
        position = match.end()
    # Indentation nests only list items: four spaces per level.
    return markers + (indent // 4 if markers else 0)


def _count_unclosed(line: str, unclosed: dict[str, int]) -> str | None:
    """Update the paragraph's counts of unclosed openers; return one over the limit."""
    for match in _MARKUP.finditer(line):
        token = match.group()
        if token in ("]", "]("):
            unclosed["["] = max(0, unclosed["["] - 1)
        if token == ")":
            unclosed["]("] = max(0, unclosed["]("] - 1)
        elif token == ">":
            unclosed["<"] = max(0, unclosed["<"] - 1)
        elif token in ("[", "]("):
            unclosed[token] += 1
        elif token.startswith("<"):
            token = "<"
            unclosed[token] += 1
        else:
            continue
        if unclosed.get(token, 0) > MAX_UNCLOSED:
            return token
    return None


def _check_html_depth(text: str) -> None:
    depth = 0
    for match in _HTML_TAG.finditer(text):
        closing, name, self_closing = match.groups()
        if name.lower() in _NO_DEPTH or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > MAX_HTML_NESTING:
            line = text.count("\n", 0, match.start()) + 1
            raise BodyError(line, f"HTML elements nested more than {MAX_HTML_NESTING:,} "
                                  "levels deep")


def summarize(body_html: str, length: int = SUMMARY_LENGTH) -> str:
    """Return the first paragraph of ``body_html`` as plain text, cut at a word."""
    match = _FIRST_PARAGRAPH.search(body_html)
    if not match:
        return ""
    text = _SPACE.sub(" ", html.unescape(_TAG.sub("", match.group(1)))).strip()
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


SUMMARY_TAGS = frozenset({"code", "em", "strong", "del"})
"""What inline Markdown in a summary may become; links and images keep only their text,
since a listing's card is itself a link to the article."""
# What a summary needs Markdown for: code, emphasis, links, escapes, HTML to escape, and
# the quotes, dashes and ellipses the typographic pass changes (as it does in bodies).
_SUMMARY_MARKUP = re.compile(r"[`*_\[\]<>&\\~'\"!]|--|\.\.\.")


# Python-Markdown's block processors but "empty" and "paragraph".
_BLOCK_PROCESSORS = ("indent", "code", "hashheader", "setextheader", "hr", "olist", "ulist",
                     "quote", "reference")


class _InlineOnly(Extension):
    """Read the whole text as one paragraph: no headings, lists, quotes or raw HTML.

    A summary is a line of prose, so ``1984. The year...`` is not a list and ``# 1`` not
    a heading; raw HTML in it is shown as written, escaped, rather than interpreted.
    """

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (library API)
        md.preprocessors.deregister("html_block")
        for name in _BLOCK_PROCESSORS:
            md.parser.blockprocessors.deregister(name)
        md.inlinePatterns.deregister("html")


@functools.cache
def _summary_converter() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["smarty", GfmInline(), _InlineOnly()],
        extension_configs={"smarty": EXTENSION_CONFIGS["smarty"]}, output_format="html")
    for processor in md.treeprocessors:
        if type(processor) is treeprocessors.InlineProcessor:
            processor.__class__ = _PrefilteredInlineProcessor
    return md


def render_summary(text: str) -> tuple[str, str]:
    """Return a front matter's ``summary`` as (inline HTML, plain text).

    The summary is read as inline Markdown (``code``, *emphasis*, typographic quotes,
    as in bodies) on one line; the HTML holds only :data:`SUMMARY_TAGS` and escaped text,
    never a block element, and the plain text is what meta descriptions and feeds get.
    """
    line = _SPACE.sub(" ", text).strip()
    if not _SUMMARY_MARKUP.search(line):
        # Most summaries are plain prose: the converter would only escape them.
        return html.escape(line, quote=False), line
    return render_inline(line)


def render_inline(line: str) -> tuple[str, str]:
    """Return one line of inline Markdown as (sanitised HTML, plain text)."""
    converter = _summary_converter()
    converter.reset()
    rendered = converter.convert(line).strip()
    inner = rendered.removeprefix("<p>").removesuffix("</p>")
    cleaned = nh3.clean(inner, tags=set(SUMMARY_TAGS), attributes={}, link_rel=None,
                        strip_comments=True)
    cleaned = _SPACE.sub(" ", cleaned).strip()
    return cleaned, _SPACE.sub(" ", html.unescape(_TAG.sub("", cleaned))).strip()


_HEADING = re.compile(r"<(/?)h([1-6])(?=[\s>])", re.IGNORECASE)


def nest_headings(body_html: str, top: int = 2) -> str:
    """Renumber the headings of a body so they nest under the page's own ``<h1>``.

    The outermost heading becomes ``<h{top}>`` and no heading is more than one level
    deeper than the one before it, as screen readers expect; relative nesting is kept.
    Bodies imported from other sites often start at ``###`` or skip levels.
    """
    stack: list[tuple[int, int]] = []
    opened: list[int] = []

    def renumber(match: re.Match[str]) -> str:
        closing, level = match.group(1), int(match.group(2))
        if closing:
            new = opened.pop() if opened else level
            return f"</h{new}"
        while stack and stack[-1][0] >= level:
            stack.pop()
        new = min(stack[-1][1] + 1 if stack else top, 6)
        stack.append((level, new))
        opened.append(new)
        return f"<h{new}"

    return _HEADING.sub(renumber, body_html)
