"""Find the link targets of a Markdown (or HTML) body and rewrite them, code left alone.

Importers turn links to the old site into links to the new one: :func:`rewrite_links`
passes every target outside fenced code and code spans through a function that returns
the new target (or None to keep it), telling it whether the target is an image's.
Inline links and images, reference definitions (``[id]: url``) and the ``href``/``src``
attributes of raw HTML are seen; what only looks like a link inside code is left alone.
"""

from __future__ import annotations

import re
import typing as t

from .. import hrefs

_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_INLINE_DEST = re.compile(
    r"\]\(\s*(?:<(?P<angle>[^<>\n]*)>|(?P<bare>(?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))+))")
_REF_DEF = re.compile(
    r"^[ ]{0,3}\[(?P<id>(?:[^\]\\\n]|\\.)+)\]:[ \t]*(?:\n[ \t]*)?(?:<(?P<angle>[^<>\n]*)>|"
    r"(?P<bare>\S+))", re.MULTILINE)
_IMAGE_REF = re.compile(r"!\[(?P<text>[^\]]*)\](?:\[(?P<id>[^\]]*)\])?")
_IMG_SRC = re.compile(r"<img\b[^>]*?\ssrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))",
                      re.IGNORECASE)


def rewrite_links(text: str, change: t.Callable[[str, bool], str | None], *,
                   markdown: bool) -> str:
    """Pass every link target of ``text`` outside code through ``change(href, is_image)``.

    ``change`` returns the new target, or None to keep it. Markdown inline links and
    images, reference definitions and HTML ``href``/``src`` attributes are seen.
    """
    image_ids = {(m.group("id") or m.group("text")).strip().lower()
                 for m in _IMAGE_REF.finditer(text)} if markdown else set()
    pieces: list[str] = []
    last = 0
    for start, end in code_spans(text, markdown):
        pieces.append(_rewrite_segment(text[last:start], change, image_ids, markdown))
        pieces.append(text[start:end])
        last = end
    pieces.append(_rewrite_segment(text[last:], change, image_ids, markdown))
    return "".join(pieces)


def reference_definitions(text: str) -> list[str]:
    """Return the reference definitions (``[id]: url "title"``) of a Markdown ``text``."""
    return [match.group() for match in _REF_DEF.finditer(text)]


def _rewrite_segment(text: str, change: t.Callable[[str, bool], str | None],
                     image_ids: set[str], markdown: bool) -> str:
    if not text:
        return text
    for match in _IMG_SRC.finditer(text):
        value = next(g for g in match.groups() if g is not None)
        change(value, True)
    text = hrefs.rewrite(text, lambda href: change(href, False))
    if not markdown:
        return text

    def inline(match: re.Match[str]) -> str:
        href = match.group("angle") if match.group("angle") is not None else match.group("bare")
        new = change(href, _is_image(text, match.start()))
        if new is None:
            return match.group()
        wrapped = f"<{new}>" if match.group("angle") is not None or re.search(r"[\s()]", new) \
            else new
        start = match.start("angle") - 1 if match.group("angle") is not None \
            else match.start("bare")
        end = match.end("angle") + 1 if match.group("angle") is not None else match.end("bare")
        return text[match.start():start] + wrapped + text[end:match.end()]

    text = _INLINE_DEST.sub(inline, text)

    def definition(match: re.Match[str]) -> str:
        angle = match.group("angle")
        href = angle if angle is not None else match.group("bare")
        new = change(href, match.group("id").strip().lower() in image_ids)
        if new is None:
            return match.group()
        group = "angle" if angle is not None else "bare"
        wrapped = f"<{new}>" if angle is not None or re.search(r"\s", new) else new
        start = match.start(group) - (1 if angle is not None else 0)
        end = match.end(group) + (1 if angle is not None else 0)
        return text[match.start():start] + wrapped + text[end:match.end()]

    return _REF_DEF.sub(definition, text)


def _is_image(text: str, close: int) -> bool:
    """Return whether the ``]`` at ``close`` ends the text of an image (``![...]``)."""
    depth = 0
    index = close - 1
    while index >= 0:
        char = text[index]
        if char == "]" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif char == "[" and (index == 0 or text[index - 1] != "\\"):
            if depth == 0:
                return index > 0 and text[index - 1] == "!"
            depth -= 1
        elif char == "\n" and index > 0 and text[index - 1] == "\n":
            return False
        index -= 1
    return False


def code_spans(text: str, markdown: bool) -> list[tuple[int, int]]:
    """Return the (start, end) of fenced code blocks and inline code spans, in order."""
    if not markdown:
        return []
    spans: list[tuple[int, int]] = []
    offset = 0
    fence: str | None = None
    fence_start = 0
    prose_start = 0
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match is not None:
            spans.extend(_inline_code(text, prose_start, offset))
            fence, fence_start = match.group(1), offset
        elif fence is not None and match is not None and match.group(1).startswith(fence) \
                and not line.strip().lstrip(fence[0]):
            spans.append((fence_start, offset + len(line)))
            fence = None
            prose_start = offset + len(line)
        offset += len(line)
    if fence is not None:
        spans.append((fence_start, len(text)))
    else:
        spans.extend(_inline_code(text, prose_start, len(text)))
    return spans


def _inline_code(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    runs = list(re.finditer(r"(?<!`)`+(?!`)", text[start:end]))
    index = 0
    while index < len(runs):
        opening = runs[index]
        closing = next((r for r in runs[index + 1:] if len(r.group()) == len(opening.group())),
                       None)
        if closing is None:
            index += 1
            continue
        spans.append((start + opening.start(), start + closing.end()))
        index = runs.index(closing) + 1
    return spans
