"""Turn Hugo shortcodes in a page's content into Markdown and HTML the build keeps.

Hugo expands shortcodes everywhere in the content, code blocks included, before the
Markdown is rendered. This module does the same with the text of one page:

- ``{{</* name */>}}`` and ``{{%/* name */%}}`` are Hugo's escapes: they stand for the
  literal text ``{{< name >}}``. Inside code (a fenced block or a code span) that text is
  written as it is; elsewhere its characters are escaped for Markdown, so the page shows
  the same text and the Markdown holds no shortcode delimiters.
- The embedded shortcodes a news archive uses become their HTML or Markdown: ``ref`` and
  ``relref`` (the target's old root-relative path), ``figure``, ``youtube``, ``vimeo``,
  ``highlight`` (a fenced code block), ``details``, ``param`` and ``comment``.
- Embeds the sanitiser drops (``x``, ``tweet``, ``instagram``, ``gist``) become a link to
  the post, with a warning.
- Any other shortcode is removed, with a warning naming its line; the text between an
  opening and a closing tag is kept (``.inline`` shortcodes, whose inner text is template
  code, are removed whole).
"""

from __future__ import annotations

import dataclasses
import functools
import html
import re
import typing as t
from urllib.parse import quote, urlencode

import markdown

_OPEN = re.compile(r"\{\{([<%])")
_NAME = re.compile(r"[\w.-]+(?:/[\w.-]+)*")
_KEY = re.compile(r"([\w-]+)=")
_SPACE = re.compile(r"\s+")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_TAG = re.compile(r"<[^>]+>")
_PARAGRAPH = re.compile(r"^<p>(.*)</p>$", re.DOTALL)
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DIGITS = re.compile(r"\d{1,6}")
_ESCAPE_END = {">}}": re.compile(r"\*/\s*>\}\}"), "%}}": re.compile(r"\*/\s*%\}\}")}
_TICKS = re.compile(r"`+")
_PARAGRAPH_TEXT = re.compile(r"(?:[^\n]|\n(?![ \t]*\n))+")
_MARKUP = re.compile(r"[*_`\[\]<>&\\!]")
_PROSE_ESCAPES = {"\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]",
                  "{": "\\{", "}": "\\}", "<": "&lt;", ">": "&gt;", "&": "&amp;"}

STANDALONE = frozenset({
    "ref", "relref", "figure", "youtube", "vimeo", "vimeo_simple", "param", "gist", "x",
    "x_simple", "tweet", "twitter", "twitter_simple", "instagram", "instagram_simple",
})
"""Converted shortcodes that never take inner text, closed or not."""
YOUTUBE_HOSTS = ("www.youtube-nocookie.com", "www.youtube.com")
VIMEO_HOST = "player.vimeo.com"


@dataclasses.dataclass(slots=True)
class Shortcode:
    """One shortcode tag as written, with what it encloses once the tree is built."""

    name: str
    positional: list[str]
    named: dict[str, str]
    markdown: bool
    """Written with ``{{% %}}`` (its output is Markdown) rather than ``{{< >}}``."""
    closing: bool
    self_closing: bool
    start: int
    end: int
    """End of the tag, then (once a closing tag is found) of the closing tag."""
    tag_end: int = 0
    """End of the opening tag itself."""
    children: list[Node] = dataclasses.field(default_factory=list)
    closed: bool = False
    """A closing tag was found for it."""

    @property
    def key(self) -> str:
        return self.name.lower()

    def __post_init__(self) -> None:
        self.tag_end = self.tag_end or self.end

    def arg(self, name: str, position: int | None = None) -> str | None:
        """Return a named argument, else the positional one at ``position``."""
        for key, value in self.named.items():
            if key.lower() == name.lower():
                return value
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return None


@dataclasses.dataclass(frozen=True, slots=True)
class Escaped:
    """An escaped shortcode (``{{</* x */>}}``): the literal text it stands for."""

    literal: str
    start: int
    end: int


@dataclasses.dataclass(frozen=True, slots=True)
class Text:
    text: str
    start: int


Node = Shortcode | Escaped | Text


class Context(t.Protocol):
    """What converting a page's shortcodes needs to know about the site."""

    @property
    def embed_hosts(self) -> t.Collection[str]:
        """Hosts whose iframes the sanitiser keeps."""

    def ref(self, target: str, lang: str | None) -> str | None:
        """Return the old root-relative path (with anchor) of ``target``, or None."""

    def param(self, name: str) -> object:
        """Return the page's (else the site's) parameter ``name``, or None."""


@dataclasses.dataclass(slots=True)
class _Converter:
    text: str
    context: Context
    code: list[tuple[int, int]]
    warnings: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    def line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def warn(self, offset: int, message: str) -> None:
        self.warnings.append((self.line(offset), message))

    def in_code(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.code)

    def render(self, nodes: t.Sequence[Node], in_code: bool = False) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, Text):
                out.append(node.text)
            elif isinstance(node, Escaped):
                code = in_code or self.in_code(node.start)
                out.append(node.literal if code else prose_literal(node.literal))
            else:
                out.append(self.shortcode(node, in_code))
        return "".join(out)

    def shortcode(self, sc: Shortcode, in_code: bool) -> str:
        key = sc.key
        shown = _show(self.text[sc.start:sc.tag_end])
        if sc.closing:
            self.warn(sc.start, f"shortcode '{sc.name}': closing tag without an opening tag; "
                                f"removed: {shown}")
            return ""
        handler = _HANDLERS.get(key)
        if handler is not None:
            return handler(self, sc, in_code or self.in_code(sc.start))
        if key.endswith(".inline"):
            self.warn(sc.start, f"shortcode '{sc.name}' not converted (inline template code); "
                                f"removed with its content: {shown}")
            return ""
        kept = " (its inner text is kept)" if sc.children else ""
        self.warn(sc.start, f"shortcode '{sc.name}' not converted; removed{kept}: {shown}")
        return self.render(sc.children, in_code)

    def inner(self, sc: Shortcode, in_code: bool) -> str:
        return self.render(sc.children, in_code)


def convert(text: str, context: Context) -> tuple[str, list[tuple[int, str]]]:
    """Convert every shortcode in ``text``; return the text and (line, message) warnings."""
    if "{{<" not in text and "{{%" not in text:
        return text, []
    tokens, malformed = _tokenize(text)
    converter = _Converter(text, context, _code_regions(_blank_tokens(text, tokens)))
    for offset, message in malformed:
        converter.warn(offset, message)
    nodes = _tree(tokens)
    return converter.render(nodes), converter.warnings


def prose_literal(text: str) -> str:
    """Return ``text`` escaped so Markdown shows it exactly, outside code."""
    return "".join(_PROSE_ESCAPES.get(c, c) for c in text)


def code_regions(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) offsets of fenced code blocks and code spans in ``text``."""
    return _code_regions(text)


# --- reading the tags -------------------------------------------------------------------

def _tokenize(text: str) -> tuple[list[Node], list[tuple[int, str]]]:
    tokens: list[Node] = []
    malformed: list[tuple[int, str]] = []
    position = 0
    search = 0
    while (match := _OPEN.search(text, search)) is not None:
        start = match.start()
        delim = match.group(1)
        close = ">}}" if delim == "<" else "%}}"
        parsed = _escape(text, start, delim, close) or _tag(text, start, delim, close)
        if parsed is None:
            end = _line_end(text, start)
            malformed.append((start, f"cannot read this shortcode; kept as text: "
                                     f"{_show(text[start:end])}"))
            parsed = Escaped(text[start:end], start, end)
        if start > position:
            tokens.append(Text(text[position:start], position))
        tokens.append(parsed)
        position = search = parsed.end
    if position < len(text):
        tokens.append(Text(text[position:], position))
    return tokens, malformed


def _escape(text: str, start: int, delim: str, close: str) -> Escaped | None:
    index = _skip_space(text, start + 3)
    if not text.startswith("/*", index):
        return None
    end = _ESCAPE_END[close].search(text, index + 2)
    if end is None:
        return None
    literal = "{{" + delim + text[index + 2:end.start()] + close
    return Escaped(literal, start, end.end())


def _tag(text: str, start: int, delim: str, close: str) -> Shortcode | None:
    index = _skip_space(text, start + 3)
    closing = text.startswith("/", index)
    if closing:
        index = _skip_space(text, index + 1)
    name = _NAME.match(text, index)
    if name is None:
        return None
    index = name.end()
    positional: list[str] = []
    named: dict[str, str] = {}
    while True:
        index = _skip_space(text, index)
        if index >= len(text):
            return None
        if text.startswith(close, index):
            return Shortcode(name.group(), positional, named, delim == "%", closing, False,
                             start, index + 3)
        if text.startswith("/", index):
            after = _skip_space(text, index + 1)
            if text.startswith(close, after):
                return Shortcode(name.group(), positional, named, delim == "%", closing, True,
                                 start, after + 3)
        key = _KEY.match(text, index)
        if key is not None:
            index = key.end()
        value = _value(text, index, close)
        if value is None:
            return None
        parsed, index = value
        if key is not None:
            named[key.group(1)] = parsed
        else:
            positional.append(parsed)


def _value(text: str, index: int, close: str) -> tuple[str, int] | None:
    if text.startswith('"', index):
        out: list[str] = []
        position = index + 1
        while position < len(text):
            char = text[position]
            if char == "\\" and position + 1 < len(text) and text[position + 1] in '"\\':
                out.append(text[position + 1])
                position += 2
            elif char == '"':
                return "".join(out), position + 1
            else:
                out.append(char)
                position += 1
        return None
    if text.startswith("`", index):
        end = text.find("`", index + 1)
        return None if end < 0 else (text[index + 1:end], end + 1)
    position = index
    while position < len(text) and not text[position].isspace():
        if text.startswith(close, position):
            break
        if text[position] == "/" and text.startswith(close, _skip_space(text, position + 1)):
            break
        position += 1
    if position == index:
        return None
    return text[index:position], position


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index].isspace():
        index += 1
    return index


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _tree(tokens: t.Sequence[Node]) -> list[Node]:
    """Nest the nodes between each opening tag and its closing tag under the opener."""
    root: list[Node] = []
    stack: list[Shortcode] = []

    def current() -> list[Node]:
        return stack[-1].children if stack else root

    for token in tokens:
        if not isinstance(token, Shortcode):
            current().append(token)
            continue
        if token.closing:
            depth = next((i for i in range(len(stack) - 1, -1, -1)
                          if stack[i].key == token.key), None)
            if depth is None:
                current().append(token)
                continue
            while len(stack) > depth + 1:
                _unwrap(stack.pop(), current)
            opener = stack.pop()
            opener.closed = True
            opener.end = token.end
            current().append(opener)
            continue
        if token.self_closing or token.key in STANDALONE:
            current().append(token)
        else:
            stack.append(token)
    while stack:
        _unwrap(stack.pop(), current)
    return root


def _unwrap(opener: Shortcode, current: t.Callable[[], list[Node]]) -> None:
    # No closing tag: the shortcode stands alone and what followed it is its sibling.
    children, opener.children = opener.children, []
    target = current()
    target.append(opener)
    target.extend(children)


def _blank_tokens(text: str, tokens: t.Sequence[Node]) -> str:
    """Return ``text`` with every tag blanked (newlines kept), for finding code regions."""
    parts: list[str] = []
    for token in tokens:
        if isinstance(token, Text):
            parts.append(token.text)
        else:
            raw = text[token.start:token.end]
            parts.append(re.sub(r"[^\n]", "x", raw))
    return "".join(parts)


def _code_regions(text: str) -> list[tuple[int, int]]:
    regions: list[tuple[int, int]] = []
    offset = 0
    fence: tuple[str, int, int] | None = None  # (character, length, start offset)
    prose_start = 0
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match is not None:
            regions += _code_spans(text, prose_start, offset)
            marker = match.group(1)
            fence = (marker[0], len(marker), offset)
        elif fence is not None and match is not None:
            marker = match.group(1)
            if (marker[0] == fence[0] and len(marker) >= fence[1]
                    and not line[match.end():].strip()):
                regions.append((fence[2], offset + len(line)))
                fence = None
                prose_start = offset + len(line)
        offset += len(line)
    if fence is not None:
        regions.append((fence[2], len(text)))
    else:
        regions += _code_spans(text, prose_start, len(text))
    return regions


def _code_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for block in _PARAGRAPH_TEXT.finditer(text, start, end):
        chunk = block.group()
        if "`" not in chunk:
            continue
        base = block.start()
        position = 0
        while (opener := _TICKS.search(chunk, position)) is not None:
            closer = _closing_ticks(len(opener.group())).search(chunk, opener.end())
            if closer is None:
                position = opener.end()
                continue
            spans.append((base + opener.start(), base + closer.end()))
            position = closer.end()
    return spans


@functools.lru_cache(maxsize=16)
def _closing_ticks(count: int) -> re.Pattern[str]:
    return re.compile(rf"(?<!`)`{{{count}}}(?!`)")


# --- the converted shortcodes -----------------------------------------------------------

Handler = t.Callable[[_Converter, Shortcode, bool], str]


def _ref(conv: _Converter, sc: Shortcode, in_code: bool) -> str:
    target = sc.arg("path", 0)
    if not target:
        conv.warn(sc.start, f"shortcode '{sc.name}' without a target; removed: "
                            f"{_show(conv.text[sc.start:sc.tag_end])}")
        return ""
    path = conv.context.ref(target, sc.arg("lang"))
    if path is None:
        if "{{" in target or any(c.isspace() for c in target):
            conv.warn(sc.start, f"shortcode '{sc.name}': no page {target!r} in the site; "
                                "removed")
            return ""
        conv.warn(sc.start, f"shortcode '{sc.name}': no page {target!r} in the site; the "
                            "target is kept as written")
        return target
    return path


def _figure(conv: _Converter, sc: Shortcode, in_code: bool) -> str:
    src = sc.arg("src", 0)
    if not src:
        conv.warn(sc.start, f"shortcode 'figure' without a src; removed: "
                            f"{_show(conv.text[sc.start:sc.tag_end])}")
        return ""
    caption = inline_markdown(sc.arg("caption") or "")
    alt = sc.arg("alt")
    if alt is None:
        alt = html.unescape(_TAG.sub("", caption)).strip()
    image = f'<img src="{_attr(src)}" alt="{_attr(alt)}"'
    for size in ("width", "height"):
        value = sc.arg(size)
        if value and _DIGITS.fullmatch(value.strip()):
            image += f' {size}="{value.strip()}"'
    if (loading := sc.arg("loading")) in ("lazy", "eager"):
        image += f' loading="{loading}"'
    image += ">"
    if link := sc.arg("link"):
        image = f'<a href="{_attr(link)}">{image}</a>'
    parts = []
    if title := sc.arg("title"):
        parts.append(f"<strong>{html.escape(title, quote=False)}</strong>")
    if caption:
        parts.append(caption)
    if credit := sc.arg("attr"):
        credit_html = inline_markdown(credit)
        if attr_link := sc.arg("attrlink"):
            credit_html = f'<a href="{_attr(attr_link)}">{credit_html}</a>'
        parts.append(f'<span class="credit">({credit_html})</span>')
    figcaption = f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""
    css = f' class="{_attr(css_class)}"' if (css_class := sc.arg("class")) else ""
    return _block(conv, sc, f"<figure{css}>{image}{figcaption}</figure>")


def _youtube(conv: _Converter, sc: Shortcode, in_code: bool) -> str:
    video = (sc.arg("id", 0) or "").strip()
    if not _VIDEO_ID.fullmatch(video):
        conv.warn(sc.start, f"shortcode '{sc.name}' without a usable video id; removed: "
                            f"{_show(conv.text[sc.start:sc.tag_end])}")
        return ""
    host = next((h for h in YOUTUBE_HOSTS if h in conv.context.embed_hosts), None)
    title = sc.arg("title") or "YouTube video"
    if host is None:
        conv.warn(sc.start, "shortcode 'youtube': no YouTube host in embed_hosts; replaced by "
                            "a link to the video")
        return f"[{_link_text(title)}](https://www.youtube.com/watch?v={video})"
    query: dict[str, str] = {}
    for name in ("start", "end"):
        value = (sc.arg(name) or "").strip()
        if _DIGITS.fullmatch(value) and value != "0":
            query[name] = value
    for name in ("autoplay", "loop", "mute", "controls"):
        value = (sc.arg(name) or "").strip().lower()
        if value in ("true", "1", "false", "0"):
            flag = "1" if value in ("true", "1") else "0"
            if (name == "controls") == (flag == "0"):
                query[name] = flag
    if query.get("loop") == "1":
        query["playlist"] = video
    src = f"https://{host}/embed/{video}" + (f"?{urlencode(query)}" if query else "")
    iframe = (f'<iframe src="{_attr(src)}" title="{_attr(title)}" width="560" height="315" '
              'allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; '
              'picture-in-picture; web-share" allowfullscreen loading="lazy" '
              'referrerpolicy="strict-origin-when-cross-origin"></iframe>')
    return _block(conv, sc, iframe)


def _vimeo(conv: _Converter, sc: Shortcode, in_code: bool) -> str:
    video = (sc.arg("id", 0) or "").strip()
    if not _VIDEO_ID.fullmatch(video):
        conv.warn(sc.start, f"shortcode '{sc.name}' without a usable video id; removed: "
                            f"{_show(conv.text[sc.start:sc.tag_end])}")
        return ""
    title = sc.arg("title") or "Vimeo video"
    if VIMEO_HOST not in conv.context.embed_hosts:
        conv.warn(sc.start, f"shortcode '{sc.name}': {VIMEO_HOST} is not in embed_hosts; "
                            "replaced by a link to the video")
        return f"[{_link_text(title)}](https://vimeo.com/{video})"
    iframe = (f'<iframe src="https://{VIMEO_HOST}/video/{video}" title="{_attr(title)}" '
              'width="640" height="360" allow="autoplay; fullscreen; picture-in-picture" '
              'allowfullscreen loading="lazy"></iframe>')
    return _block(conv, sc, iframe)


def _highlight(conv: _Converter, sc: Shortcode, in_code: bool) -> str:
    lang = (sc.arg("lang", 0) or "").strip()
    code = conv.inner(sc, True)
    code = code.removeprefix("\n").rstrip()
    longest = max((len(m.group()) for m in re.finditer(r"`{3,}", code)), default=2)
    fence = "`" * max(3, longest + 1)
    language = lang if re.fullmatch(r"[\w+#.-]+", lang) else ""
    return _block(conv, sc, f"{fence}{language}\n{code}\n{fence}")


def _details(conv: _Converter, sc: Shortcode, in_code: bool) -> str:
    summary = inline_markdown(sc.arg("summary") or "Details")
    is_open = (sc.arg("open") or "").strip().lower() in ("true", "1", "open")
    css = f' class="{_attr(css_class)}"' if (css_class := sc.arg("class")) else ""
    inner = conv.inner(sc, in_code).strip("\n")
    opening = f'<details markdown="1"{css}{" open" if is_open else ""}>'
    return _block(conv, sc, f"{opening}\n<summary>{summary}</summary>\n\n{inner}\n\n</details>")


def _comment(conv: _Converter, sc: Shortcode, in_code: bool) -> str:
    return ""


def _param(conv: _Converter, sc: Shortcode, in_code: bool) -> str:
    name = sc.arg("name", 0)
    value = conv.context.param(name) if name else None
    if value is None or isinstance(value, dict | list):
        conv.warn(sc.start, f"shortcode 'param': no parameter {name!r} with a text value; "
                            "removed")
        return ""
    shown = str(value).lower() if isinstance(value, bool) else str(value)
    return shown if in_code else prose_literal(shown)


def _social(conv: _Converter, sc: Shortcode, in_code: bool) -> str:
    key = sc.key
    url: str | None = None
    if key in ("x", "x_simple", "tweet", "twitter", "twitter_simple"):
        user, post = sc.arg("user", 0), sc.arg("id", 1)
        if user and post and user.isascii() and post.isdigit():
            url = f"https://x.com/{quote(user)}/status/{post}"
    elif key in ("instagram", "instagram_simple"):
        post = sc.arg("id", 0)
        if post and re.fullmatch(r"[\w-]+", post):
            url = f"https://www.instagram.com/p/{post}/"
    elif key == "gist":
        user, gist = sc.arg("user", 0), sc.arg("id", 1)
        if user and gist and re.fullmatch(r"[\w-]+", user) and re.fullmatch(r"\w+", gist):
            url = f"https://gist.github.com/{user}/{gist}"
    shown = _show(conv.text[sc.start:sc.tag_end])
    if url is None:
        conv.warn(sc.start, f"shortcode '{sc.name}' not converted; removed: {shown}")
        return ""
    conv.warn(sc.start, f"shortcode '{sc.name}' not converted (its embed is not kept); "
                        f"replaced by a link: {shown}")
    return f"<{url}>"


_HANDLERS: dict[str, Handler] = {
    "ref": _ref, "relref": _ref, "figure": _figure, "youtube": _youtube, "vimeo": _vimeo,
    "vimeo_simple": _vimeo, "highlight": _highlight, "details": _details,
    "comment": _comment, "param": _param,
    **dict.fromkeys(("x", "x_simple", "tweet", "twitter", "twitter_simple", "instagram",
                     "instagram_simple", "gist"), _social),
}


def _block(conv: _Converter, sc: Shortcode, block: str) -> str:
    """Return ``block`` set apart from the text around it, so Markdown sees a block."""
    text = conv.text
    line_start = text.rfind("\n", 0, sc.start) + 1
    line_end = _line_end(text, sc.end)
    before = text[line_start:sc.start]
    after = text[sc.end:line_end]
    if before.strip() or after.strip():
        return ("\n\n" if before.strip() else "") + block + ("\n\n" if after.strip() else "")
    if before:
        return block  # indented: inside a list item, say, where a blank line would end it
    previous = text[:line_start - 1].rsplit("\n", 1)[-1] if line_start else ""
    following = text[line_end + 1:].split("\n", 1)[0] if line_end < len(text) else ""
    return ("\n" if previous.strip() else "") + block + ("\n" if following.strip() else "")


def inline_markdown(text: str) -> str:
    """Render a short Markdown text (a caption) to inline HTML."""
    if not text.strip():
        return ""
    if not _MARKUP.search(text):
        return html.escape(_SPACE.sub(" ", text).strip(), quote=False).replace("{", "&#123;")
    converter = _inline_converter()
    converter.reset()
    rendered = converter.convert(text).strip().replace("{", "&#123;")
    match = _PARAGRAPH.match(rendered)
    if match is not None and "<p>" not in match.group(1):
        return match.group(1)
    return rendered


@functools.lru_cache(maxsize=1)
def _inline_converter() -> markdown.Markdown:
    return markdown.Markdown()


def _attr(value: str) -> str:
    # Braces as references, so no text the converter writes looks like a shortcode.
    return html.escape(value.strip(), quote=True).replace("{", "&#123;")


def _link_text(text: str) -> str:
    return prose_literal(_SPACE.sub(" ", text).strip())


def _show(text: str) -> str:
    one_line = _SPACE.sub(" ", text).strip()
    return one_line if len(one_line) <= 80 else one_line[:77] + "..."
