"""Render article bodies from Markdown to HTML (Python-Markdown)."""

from __future__ import annotations

import dataclasses
import functools
import html
import re
import typing as t

import markdown
from markdown import treeprocessors, util

from .urls import slugify

try:  # the regex parser behind re: private, so its absence only costs speed
    import re._constants as re_constants  # type: ignore[import-not-found]
    import re._parser as re_parser  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    re_parser = None

EXTENSIONS = ("extra", "toc", "smarty", "sane_lists")
"""Tables, footnotes, fenced code, attribute lists, heading ids, typographic quotes."""
EXTENSION_CONFIGS: dict[str, dict[str, object]] = {
    "toc": {"slugify": lambda value, separator: slugify(value) or "section"},
    "smarty": {"smart_angled_quotes": False},
}
SUMMARY_LENGTH = 300

_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True, slots=True)
class Rendered:
    """The HTML of a body and the plain-text summary taken from it."""

    html: str
    summary: str


@functools.cache
def _converter() -> markdown.Markdown:
    # Building a Markdown instance loads every extension; one per process, reset per use.
    md = markdown.Markdown(
        extensions=list(EXTENSIONS), extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    for processor in md.treeprocessors:
        if type(processor) is treeprocessors.InlineProcessor:
            processor.__class__ = _PrefilteredInlineProcessor
    return md


class _PrefilteredInlineProcessor(treeprocessors.InlineProcessor):
    """Python-Markdown's inline pass, skipping text that no inline pattern can match.

    The stock pass tries every pattern on every text node, one Python call each, and
    most text nodes match none. Each pattern's regex names strings any match must
    contain (``[`` for links, ``--`` for dashes); text holding none of them is left as
    it is, which is exactly what the stock pass would do (about 40% of Markdown time).
    """

    _triggers: re.Pattern[str] | None = None

    def run(self, tree: t.Any, ancestors: list[str] | None = None) -> t.Any:
        # Extensions may register patterns between documents, never during one.
        self._triggers = _triggers_of(list(self.inlinePatterns))
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if (patternIndex == 0 and self._triggers is not None
                and not isinstance(data, util.AtomicString)
                and self._triggers.search(data) is None):
            return data
        handle = treeprocessors.InlineProcessor._InlineProcessor__handleInline  # type: ignore[attr-defined]
        return t.cast(str, handle(self, data, patternIndex))


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


def _triggers_of(patterns: list[t.Any]) -> re.Pattern[str] | None:
    """Return a regex finding text some pattern may match, or None to try them all."""
    needed: set[str] = set()
    for pattern in patterns:
        compiled = pattern.getCompiledRegExp()
        found = _required_of(compiled.pattern, compiled.flags)
        if not found:
            return None
        needed |= found
    return re.compile("|".join(re.escape(s) for s in sorted(needed, key=lambda s: (-len(s), s))))


def render_markdown(text: str) -> Rendered:
    """Convert a Markdown body to HTML and derive its summary."""
    converter = _converter()
    converter.reset()
    body = converter.convert(text)
    return Rendered(html=body, summary=summarize(body))


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
