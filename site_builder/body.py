"""Render article bodies from Markdown to HTML (Python-Markdown)."""

from __future__ import annotations

import dataclasses
import functools
import html
import re

import markdown

from .urls import slugify

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
    return markdown.Markdown(
        extensions=list(EXTENSIONS), extension_configs=EXTENSION_CONFIGS, output_format="html"
    )


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
