"""Turn the stored text of a WordPress post into the HTML WordPress would have shown.

What WordPress stores is not the page: classic posts have no paragraph tags (WordPress
adds them when it serves the page, :func:`autop`), shortcodes such as ``[caption]`` and
``[gallery]`` stand for markup built from the attachments, and block-editor posts wrap
every block in ``<!-- wp:name {...} -->`` comments. :func:`convert` does all of that
and returns plain HTML, which the article keeps as its body (Python-Markdown passes
HTML blocks through; the build's sanitiser cleans them).

- Block comments are removed and their HTML kept; embeds become an ``<iframe>`` for
  YouTube and Vimeo and a link otherwise; reusable blocks are inlined; footnotes are
  written out from the post's ``footnotes`` field; dynamic blocks (latest posts,
  archives, ...), which WordPress renders at request time and stores no HTML for, are
  left out and reported.
- ``[caption]`` becomes ``<figure>`` with ``<figcaption>``; ``[gallery]`` a figure of the
  images it names or, without ``ids``, of the images attached to the post;
  ``[embed]``, ``[video]``, ``[audio]``, ``[playlist]``, ``[youtube]`` and ``[vimeo]``
  become embeds or media elements. Any other shortcode is kept as text and reported.
- A URL alone on a line of a classic post (WordPress embeds it) becomes an embed or
  a link.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import typing as t
from urllib.parse import parse_qs, urlsplit

MAX_BLOCK_DEPTH = 8
"""Deepest nesting of reusable blocks inlined into one another."""

BLOCK_NAMES = (
    "table", "thead", "tfoot", "caption", "col", "colgroup", "tbody", "tr", "td", "th",
    "div", "dl", "dd", "dt", "ul", "ol", "li", "pre", "form", "map", "area", "blockquote",
    "address", "math", "style", "p", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "fieldset",
    "legend", "section", "article", "aside", "hgroup", "header", "footer", "nav", "figure",
    "figcaption", "details", "menu", "summary", "video", "audio", "iframe", "object",
    "picture", "source", "track",
)
"""Elements WordPress's autop treats as blocks (never wrapped in a paragraph)."""


def _trie(names: t.Iterable[str]) -> str:
    """Return a regex matching exactly ``names``, as a tree of shared prefixes.

    The regex engine tries the alternatives of a plain ``a|b|c`` one by one at every
    ``<`` of a page; a tree decides on the first letter.
    """
    groups: dict[str, list[str]] = {}
    ends = False
    for name in names:
        if name:
            groups.setdefault(name[0], []).append(name[1:])
        else:
            ends = True
    parts = [re.escape(first) + _trie(rest) for first, rest in sorted(groups.items())]
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 and not ends else f"(?:{'|'.join(parts)})"
    return f"{body}?" if ends and len(parts) == 1 else (
        f"(?:{'|'.join(parts)})?" if ends else body)


ALL_BLOCKS = _trie(set(BLOCK_NAMES)) + r"(?![\w-])"
"""A regex of the names in :data:`BLOCK_NAMES`, whole names only."""

_BLOCK_OPEN = re.compile(rf"(<{ALL_BLOCKS}[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</{ALL_BLOCKS}>)", re.IGNORECASE)
# Block elements that hold content (the void ones never open a level).
_DEPTH_OPEN = re.compile(rf"<(?!(?:hr|col|area|source|track)[\s/>]){ALL_BLOCKS}"
                         r"(?=[\s>])(?![^>]*/>)", re.IGNORECASE)
_BEFORE_BLOCK_OPEN = re.compile(rf"<(?={ALL_BLOCKS}[\s/>])", re.IGNORECASE)
_P_AROUND_BLOCK = re.compile(rf"<p>\s*(</?{ALL_BLOCKS}[^>]*>)\s*</p>", re.IGNORECASE)
_P_BEFORE_BLOCK = re.compile(rf"<p>\s*(?=</?{ALL_BLOCKS}[^>]*>)", re.IGNORECASE)
_P_AFTER_BLOCK = re.compile(rf"(</?{ALL_BLOCKS}[^>]*>)\s*</p>", re.IGNORECASE)
_BR_AFTER_BLOCK = re.compile(rf"(</?{ALL_BLOCKS}[^>]*>)\s*<br />", re.IGNORECASE)
_BR_BEFORE_BLOCK = re.compile(r"<br />(?=\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)"
                              r"(?![\w-])[^>]*>)", re.IGNORECASE)
_ADJACENT_BLOCKS = re.compile(rf"</{ALL_BLOCKS}>(?=<{ALL_BLOCKS}[\s>])", re.IGNORECASE)
_DOUBLE_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>", re.IGNORECASE)
_HR = re.compile(r"<hr\s*?/?>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLANK_LINE = re.compile(r"\n\s*\n")
_EMPTY_P = re.compile(r"<p>\s*</p>")
_P_LIST_ITEM = re.compile(r"<p>(<li.+?)</p>", re.IGNORECASE | re.DOTALL)
# The newline first: the engine then scans for it instead of trying every position.
_LINE_BREAK = re.compile(r"\n(?!\n|$)(?<!<br />\n)")
_TRAILING_SPACE = re.compile(r"[ \t\r\f\v]+\n")
_STARTS_BLOCK = re.compile(rf"^\s*</?{ALL_BLOCKS}[\s/>]", re.IGNORECASE)
_PRE = re.compile(r"(?P<open><pre(?:\s[^>]*)?>)(?P<inner>.*?)(?P<close></pre>)",
                  re.IGNORECASE | re.DOTALL)
_RAW = re.compile(r"(?P<open><(?P<tag>script|style|textarea)(?:\s[^>]*)?>)(?P<inner>.*?)"
                  r"(?P<close></(?P=tag)>)", re.IGNORECASE | re.DOTALL)
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_BLOCK_COMMENT = re.compile(
    r"<!--\s+(?P<close>/)?wp:(?P<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)"
    r"(?P<attrs>\s+\{.*?\})?\s*(?P<void>/)?-->", re.DOTALL)
_MARKER_COMMENT = re.compile(r"<!--(?:more(?:\s[^>]*)?|nextpage|noteaser)-->")
_ALONE_URL = re.compile(r"^[ \t]*(https?://[^\s<>\"']+)[ \t]*$", re.MULTILINE)
_MEDIA_SRC = re.compile(r"<(audio|video)\b([^>]*?)\s+src=([\"'])(.*?)\3([^>]*)>",
                        re.IGNORECASE | re.DOTALL)
_ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)|"""
    r"""([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)""")
_CAPTION_IMAGE = re.compile(r"^\s*((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)$",
                            re.IGNORECASE | re.DOTALL)
_FIGCAPTION = re.compile(r"<figcaption[^>]*>(.*?)</figcaption>", re.IGNORECASE | re.DOTALL)
_URL_IN = re.compile(r"https?://[^\s<>\"']+")
_CODE_REGION = re.compile(r"<(pre|code)(?:\s[^>]*)?>.*?</\1>", re.IGNORECASE | re.DOTALL)
_ANY_SHORTCODE = re.compile(r"\[(\[?)([a-z][a-z0-9_-]*)(?=[\s\]/=])([^\]]*)\](\]?)")
_MEDIA_LINK = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?|mp3|m4a|ogg|oga|wav|"
                         r"flac|mp4|m4v|mov|webm|ogv|wmv|avi|pdf)$", re.IGNORECASE)
_REFERENCE = re.compile(r"""<(?P<tag>img|source|audio|video|a|track)\b[^>]*?\s"""
                        r"""(?P<attr>src|href|poster)=(["'])(?P<value>[^"']*)\3""",
                        re.IGNORECASE)
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?)$", re.IGNORECASE)
_AUDIO_EXT = ("mp3", "m4a", "ogg", "oga", "wav", "flac")
_VIDEO_EXT = ("mp4", "m4v", "webm", "ogv", "mov", "wmv", "flv")
_MIME = {"mp3": "audio/mpeg", "m4a": "audio/mp4", "ogg": "audio/ogg", "oga": "audio/ogg",
         "wav": "audio/wav", "flac": "audio/flac", "mp4": "video/mp4", "m4v": "video/mp4",
         "webm": "video/webm", "ogv": "video/ogg", "mov": "video/quicktime"}

SHORTCODES = ("caption", "wp_caption", "gallery", "embed", "video", "audio", "playlist",
              "youtube", "vimeo")
"""Shortcodes converted to HTML; any other is kept as text, with a warning."""
_SHORTCODE = re.compile(
    r"\[(\[?)(" + "|".join(SHORTCODES) + r")(?![\w-])([^\]/]*(?:/(?!\])[^\]/]*)*?)"
    r"(?:(/)\]|\](?:([^\[]*(?:\[(?!/\2\])[^\[]*)*)\[/\2\])?)(\]?)")
_ENCLOSING = frozenset({"caption", "wp_caption", "embed", "video", "audio"})
"""Shortcodes whose content matters: ``[embed]URL[/embed]``, ``[caption]...[/caption]``."""

DYNAMIC_OK = frozenset({"more", "nextpage", "footnotes", "block", "shortcode"})
"""Self-closing blocks converted here rather than reported as left out."""


@dataclasses.dataclass(frozen=True, slots=True)
class Attachment:
    """A file of the media library, as the export describes it."""

    id: str
    url: str
    title: str = ""
    alt: str = ""
    caption: str = ""
    parent: str = ""
    order: int = 0

    @property
    def is_image(self) -> bool:
        return bool(_IMAGE_EXT.search(urlsplit(self.url).path))

    @property
    def extension(self) -> str:
        return urlsplit(self.url).path.rsplit(".", 1)[-1].lower()


@dataclasses.dataclass(slots=True)
class Context:
    """What converting one post needs from the rest of the export."""

    post_id: str = ""
    attachments: t.Mapping[str, Attachment] = dataclasses.field(default_factory=dict)
    children: t.Mapping[str, t.Sequence[str]] = dataclasses.field(default_factory=dict)
    """Post id -> ids of the attachments attached to it, in menu order."""
    blocks: t.Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Reusable block id -> its stored text."""
    footnotes: str | None = None
    """The post's ``footnotes`` field (JSON), written out where ``wp:footnotes`` stands."""
    notes: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    """(line within the text, message) of what was not converted."""


def convert(text: str, context: Context) -> str:
    """Return the HTML of a post's stored ``text``; warnings go to ``context.notes``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _note_unknown_shortcodes(text, context)
    has_blocks = "<!-- wp:" in text
    if has_blocks:
        text = _blocks(text, context, 0)
    text = _MARKER_COMMENT.sub("", text)
    stash: list[str] = []

    def keep(match: re.Match[str]) -> str:
        stash.append(_shortcode(match, context))
        return f"\ue000{len(stash) - 1}\ue001"

    text = _SHORTCODE.sub(keep, text)
    if not has_blocks:
        text = _ALONE_URL.sub(lambda m: _embed(m.group(1)), text)
        text = autop(text)
    else:
        text = wrap_loose_text(text)
    # A shortcode alone in its paragraph stands for a block: the paragraph goes.
    text = re.sub(r"<p>\s*(\ue000\d+\ue001)\s*(?:<br />\s*)?</p>", r"\1", text)
    text = _PLACEHOLDER.sub(lambda m: stash[int(m.group(1))], text)
    text = _media_sources(text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text + "\n" if text else ""


def media_urls(body: str, attachment_urls: t.Collection[str] = ()) -> list[str]:
    """Return the http(s) media a body uses: images, audio, video, links to media files.

    A link (``href``) counts when it leads to an attachment or to a media file.
    """
    found: dict[str, None] = {}
    for match in _REFERENCE.finditer(body):
        url = match.group("value")
        if "&" in url:
            url = html.unescape(url)
        url = url.strip()
        if not url[:8].lower().startswith(("http://", "https://")):
            continue
        if match.group("attr").lower() == "href" and url not in attachment_urls:
            path = url.split("#", 1)[0].split("?", 1)[0]
            if not _MEDIA_LINK.search(path):
                continue
        found[url] = None
    return list(found)


# --- blocks --------------------------------------------------------------------------------


def _blocks(text: str, context: Context, depth: int) -> str:
    """Remove block comments, converting the blocks that need it."""
    out: list[str] = []
    dynamic: dict[str, int] = {}
    first_dynamic: int | None = None
    position = 0
    stack: list[tuple[str, dict[str, t.Any], int, int]] = []  # name, attrs, comment end, out len
    for match in _BLOCK_COMMENT.finditer(text):
        name = match.group("name")
        attrs = _block_attrs(match.group("attrs"))
        chunk = text[position:match.start()]
        position = match.end()
        out.append(chunk)
        if match.group("void"):
            replacement = _void_block(name, attrs, context, depth)
            if replacement is None:
                dynamic[name] = dynamic.get(name, 0) + 1
                if first_dynamic is None:
                    first_dynamic = text.count("\n", 0, match.start()) + 1
            else:
                out.append(replacement)
            continue
        if not match.group("close"):
            stack.append((name, attrs, match.end(), len(out)))
            continue
        # The closing comment of the innermost open block of that name.
        while stack and stack[-1][0] != name:
            stack.pop()
        if not stack:
            continue
        _, open_attrs, _, at = stack.pop()
        inner = "".join(out[at:])
        converted = _closed_block(name, open_attrs, inner, context)
        if converted is not None:
            del out[at:]
            out.append(converted)
    out.append(text[position:])
    if dynamic and first_dynamic is not None and depth == 0:
        names = ", ".join(f"{name} ({count})" if count > 1 else name
                          for name, count in sorted(dynamic.items()))
        context.notes.append((first_dynamic, f"dynamic blocks that WordPress renders when "
                                             f"it serves the page are left out: {names}"))
    return "".join(out)


def _block_attrs(raw: str | None) -> dict[str, t.Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _void_block(name: str, attrs: t.Mapping[str, t.Any], context: Context,
                depth: int) -> str | None:
    """Return the HTML of a self-closing block, or None for a dynamic one left out."""
    if name == "block":
        ref = str(attrs.get("ref", ""))
        stored = context.blocks.get(ref)
        if stored is None or depth >= MAX_BLOCK_DEPTH:
            return None
        return _blocks(stored.replace("\r\n", "\n"), context, depth + 1)
    if name == "footnotes":
        return _footnotes(context.footnotes)
    if name in ("social-link", "navigation-link") and isinstance(attrs.get("url"), str) \
            and attrs["url"].strip() and not attrs["url"].strip().startswith("#"):
        # Links stored in the block's settings; WordPress writes the list item.
        url = html.escape(attrs["url"].strip(), quote=True)
        label = attrs.get("label") or attrs.get("service") or attrs["url"]
        return f'<li><a href="{url}">{html.escape(str(label))}</a></li>'

    if name in DYNAMIC_OK:
        return ""
    return None


def _closed_block(name: str, attrs: t.Mapping[str, t.Any], inner: str,
                  context: Context) -> str | None:
    """Return the HTML of a block with content, or None to keep its HTML as it is."""
    if name == "embed" or name.startswith("core-embed/"):
        url = attrs.get("url")
        if not isinstance(url, str) or not url.strip():
            found = _URL_IN.search(re.sub(r"<[^>]+>", " ", inner))
            url = found.group() if found else None
        if url is None:
            return None
        caption = _FIGCAPTION.search(inner)
        return _embed(html.unescape(url.strip()), caption.group(1).strip() if caption else "")
    if name == "cover":
        url = attrs.get("url")
        if isinstance(url, str) and url.strip() and not re.search(r"<(?:img|video)\b", inner):
            # Older cover blocks hold their image in a style the sanitiser removes.
            image = f'<img class="wp-block-cover__image-background" alt="" ' \
                    f'src="{html.escape(url.strip(), quote=True)}" />'
            return re.sub(r"^(\s*<div\b[^>]*>)", lambda m: m.group(1) + image, inner, count=1)
    return None


def _footnotes(raw: str | None) -> str:
    try:
        notes = json.loads(raw) if raw else []
    except ValueError:
        return ""
    if not isinstance(notes, list):
        return ""
    items = []
    for note in notes:
        if not isinstance(note, dict) or not isinstance(note.get("id"), str):
            continue
        ident = html.escape(note["id"], quote=True)
        content = str(note.get("content") or "")
        items.append(f'<li id="{ident}">{content} <a href="#{ident}-link">\u21a9\ufe0e</a></li>')
    if not items:
        return ""
    return '<ol class="wp-block-footnotes">' + "".join(items) + "</ol>"


# --- shortcodes ----------------------------------------------------------------------------


def parse_attributes(text: str) -> tuple[dict[str, str], list[str]]:
    """Return a shortcode's named attributes (lower-case names) and positional values."""
    named: dict[str, str] = {}
    positional: list[str] = []
    text = re.sub(r"[\u00a0\u200b]", " ", text)
    for match in _ATTRIBUTE.finditer(text.strip() + " "):
        groups = match.groups()
        if groups[0]:
            named[groups[0].lower()] = groups[1]
        elif groups[2]:
            named[groups[2].lower()] = groups[3]
        elif groups[4]:
            named[groups[4].lower()] = groups[5]
        else:
            value = next((g for g in groups[6:] if g is not None), "")
            positional.append(value)
    return named, positional


def _shortcode(match: re.Match[str], context: Context) -> str:
    if match.group(1) == "[" and match.group(6) == "]":
        # [[gallery]] is how WordPress writes a shortcode as text.
        return html.escape(match.group(0)[1:-1])
    name = match.group(2)
    named, positional = parse_attributes(match.group(3).lstrip("="))
    content = match.group(5) or ""
    if name not in _ENCLOSING:
        content = ""
    if name in ("caption", "wp_caption"):
        return _caption(named, content)
    if name == "gallery":
        return _gallery(named, context)
    if name == "playlist":
        return _playlist(named, context)
    if name in ("embed", "youtube", "vimeo"):
        url = content.strip() or named.get("src") or named.get("url") or (
            positional[0] if positional else "")
        url = html.unescape(url).strip()
        return _embed(url) if url.startswith(("http://", "https://")) else ""
    return _media(name, named, positional, content)


def _caption(named: t.Mapping[str, str], content: str) -> str:
    content = content.strip()
    text = named.get("caption", "").strip()
    match = _CAPTION_IMAGE.match(content)
    if match is not None:
        image, rest = match.group(1), match.group(2).strip()
        if not text:
            text = rest
        elif rest:
            image += rest
    else:
        image = content
    classes = " ".join(["wp-caption", *(named.get("align", "").split()[:1])])
    ident = named.get("id", "").strip()
    id_attr = f' id="{html.escape(ident, quote=True)}"' if re.fullmatch(r"[\w-]+", ident) \
        else ""
    caption = f'<figcaption class="wp-caption-text">{text}</figcaption>' if text else ""
    return f'<figure class="{html.escape(classes, quote=True)}"{id_attr}>{image}{caption}</figure>'


def _ids(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", value.strip()) if part.isdigit()]


def _attached(named: t.Mapping[str, str], context: Context,
              keep: t.Callable[[Attachment], bool]) -> list[Attachment]:
    """Return the attachments a gallery or playlist shows, in WordPress's order."""
    ids = _ids(named.get("ids", "") or named.get("include", ""))
    if not ids:
        parent = named.get("id", "").strip() or context.post_id
        excluded = set(_ids(named.get("exclude", "")))
        ids = [i for i in context.children.get(parent, ()) if i not in excluded]
    found = [context.attachments[i] for i in ids if i in context.attachments]
    return [item for item in found if keep(item)]


def _gallery(named: t.Mapping[str, str], context: Context) -> str:
    images = _attached(named, context, lambda item: item.is_image)
    if not images:
        return ""
    columns = named.get("columns", "3").strip()
    columns = columns if columns.isdigit() else "3"
    link = named.get("link", "").strip().lower()
    items = []
    for image in images:
        src = html.escape(image.url, quote=True)
        img = f'<img src="{src}" alt="{html.escape(image.alt or "", quote=True)}" />'
        if link == "file":
            img = f'<a href="{src}">{img}</a>'
        caption = f"<figcaption>{html.escape(image.caption)}</figcaption>" \
            if image.caption else ""
        items.append(f'<figure class="gallery-item">{img}{caption}</figure>')
    return (f'<figure class="gallery wp-block-gallery columns-{columns}">\n'
            + "\n".join(items) + "\n</figure>")


def _playlist(named: t.Mapping[str, str], context: Context) -> str:
    kind = "video" if named.get("type", "").strip().lower() == "video" else "audio"
    wanted = _VIDEO_EXT if kind == "video" else _AUDIO_EXT
    items = _attached(named, context, lambda item: item.extension in wanted)
    if not items:
        return ""
    entries = []
    for item in items:
        title = html.escape(item.title or item.url.rsplit("/", 1)[-1])
        entries.append(f"<li>{title}<br />{_media_element(kind, [item.url])}</li>")
    return f'<ol class="wp-playlist">{"".join(entries)}</ol>'


def _media(name: str, named: t.Mapping[str, str], positional: t.Sequence[str],
           content: str) -> str:
    """Return ``<audio>`` or ``<video>`` for an ``[audio]`` or ``[video]`` shortcode."""
    extensions = _AUDIO_EXT if name == "audio" else _VIDEO_EXT
    sources = [named[key] for key in ("src", *extensions) if named.get(key, "").strip()]
    sources += [value for value in positional if value.startswith(("http://", "https://"))]
    if not sources:
        found = _URL_IN.search(content)
        sources = [found.group()] if found else []
    sources = [html.unescape(source).strip() for source in sources]
    if not sources:
        return ""
    if name == "video" and _embed_src(sources[0]) is not None:
        return _embed(sources[0])
    attributes = {key: named[key] for key in ("poster", "width", "height")
                  if named.get(key, "").strip()}
    return _media_element(name, sources, attributes)


def _media_element(kind: str, sources: t.Sequence[str],
                   attributes: t.Mapping[str, str] | None = None) -> str:
    extra = "".join(f' {key}="{html.escape(value.strip(), quote=True)}"'
                    for key, value in (attributes or {}).items())
    tags = []
    for source in dict.fromkeys(sources):
        extension = urlsplit(source).path.rsplit(".", 1)[-1].lower()
        mime = _MIME.get(extension)
        type_attr = f' type="{mime}"' if mime else ""
        tags.append(f'<source src="{html.escape(source, quote=True)}"{type_attr} />')
    link = html.escape(sources[0], quote=True)
    fallback = f'<a href="{link}">{html.escape(sources[0].rsplit("/", 1)[-1] or sources[0])}</a>'
    return f'<{kind} controls{extra}>{"".join(tags)}{fallback}</{kind}>'


def _embed_src(url: str) -> str | None:
    """Return the ``<iframe>`` address of a YouTube or Vimeo page, or None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    video: str | None = None
    if host in ("youtube.com", "youtube-nocookie.com"):
        if parts.path == "/watch":
            video = next(iter(parse_qs(parts.query).get("v") or []), None)
        else:
            match = re.match(r"^/(?:embed|shorts|v|live)/([\w-]+)", parts.path)
            video = match.group(1) if match else None
        if video and re.fullmatch(r"[\w-]{6,20}", video):
            return f"https://www.youtube.com/embed/{video}"
    elif host == "youtu.be":
        video = parts.path.strip("/").split("/")[0]
        if re.fullmatch(r"[\w-]{6,20}", video):
            return f"https://www.youtube.com/embed/{video}"
    elif host in ("vimeo.com", "player.vimeo.com"):
        match = re.search(r"/(\d{4,12})(?:/|$)", parts.path)
        if match:
            return f"https://player.vimeo.com/video/{match.group(1)}"
    return None


def _embed(url: str, caption: str = "") -> str:
    """Return an embed of ``url``: an ``<iframe>`` for YouTube and Vimeo, else a link."""
    src = _embed_src(url)
    link = html.escape(url, quote=True)
    if src is not None:
        inner = (f'<iframe src="{src}" width="560" height="315" '
                 f'allowfullscreen title="{link}"></iframe>')
    else:
        inner = f'<p><a href="{link}">{html.escape(url)}</a></p>'
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'\n<figure class="wp-block-embed">{inner}{figcaption}</figure>\n'


def _note_unknown_shortcodes(text: str, context: Context) -> None:
    """Report shortcodes nothing converts, once per name, at their first line."""
    seen: set[str] = set()
    # Code quotes brackets (a[name=x]): not shortcodes. Lines are kept for the count.
    text = _CODE_REGION.sub(lambda m: "\n" * m.group().count("\n"), text)
    for match in _ANY_SHORTCODE.finditer(text):
        name, attrs = match.group(2), match.group(3)
        if name in SHORTCODES or name in seen or (match.group(1) and match.group(4)):
            continue
        # Bracketed words are often just text ("[sic]"): a shortcode has attributes,
        # a closing tag or a self-closing slash.
        if not ("=" in attrs or attrs.rstrip().endswith("/") or f"[/{name}]" in text):
            continue
        seen.add(name)
        line = text.count("\n", 0, match.start()) + 1
        context.notes.append((line, f"shortcode [{name}] is not converted; kept as text"))


# --- paragraphs ----------------------------------------------------------------------------


def autop(text: str) -> str:
    """Add paragraphs and line breaks to a classic post's text, as WordPress's wpautop.

    Blank lines separate paragraphs, a single newline is a ``<br />``, and nothing is
    added inside ``<pre>``, ``<script>``, ``<style>`` and ``<textarea>``.
    """
    if not text.strip():
        return ""
    kept: list[str] = []

    def protect(match: re.Match[str]) -> str:
        # The element's tags stay, so it is still seen as a block; its content is kept.
        kept.append(match.group("inner"))
        return f"{match.group('open')}\ue002{len(kept) - 1}\ue003{match.group('close')}"

    # Replacements are constant strings or plain functions: a template such as r"\1"
    # costs a call into the regex module's Python code for every match.
    text = _RAW.sub(protect, _PRE.sub(protect, text))
    text = _DOUBLE_BR.sub("\n\n", text)
    text = _BEFORE_BLOCK_OPEN.sub("\n\n<", text)
    text = _BLOCK_CLOSE.sub(_then_blank_line, text)
    text = _HR.sub("<hr />", text)
    # Inside media elements and selects the newlines between children are not text.
    lower = text.lower()
    if "<audio" in lower or "<video" in lower or "<object" in lower:
        text = re.sub(r"(<(?:audio|video|object)[^>]*>)\s*", _first, text, flags=re.I)
        text = re.sub(r"\s*(</(?:audio|video|object)>)", _first, text, flags=re.I)
        text = re.sub(r"\s*(<(?:source|track|param)[^>]*>)\s*", _first, text, flags=re.I)
    text = _BLANK_LINES.sub("\n\n", text.strip("\n") + "\n")
    paragraphs = [p for p in _BLANK_LINE.split(text) if p.strip()]
    text = "".join(f"<p>{p.strip(chr(10))}</p>\n" for p in paragraphs)
    text = _EMPTY_P.sub("", text)
    if "</div>" in text or "</address>" in text or "</form>" in text:
        text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = _P_AROUND_BLOCK.sub(_first, text)
    text = _P_LIST_ITEM.sub(_first, text)
    if "<blockquote" in text:
        text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
        text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = _P_BEFORE_BLOCK.sub("", text)
    text = _P_AFTER_BLOCK.sub(_first, text)
    text = _LINE_BREAK.sub("<br />\n", _TRAILING_SPACE.sub("\n", text))
    text = _BR_AFTER_BLOCK.sub(_first, text)
    text = _BR_BEFORE_BLOCK.sub("", text)
    # Every block on lines of its own, so Markdown reads each as an HTML block.
    text = _ADJACENT_BLOCKS.sub(_then_newline, text)
    text = re.sub(r"\ue002(\d+)\ue003", lambda m: kept[int(m.group(1))], text)
    return text


def _first(match: re.Match[str]) -> str:
    return match.group(1)


def _then_newline(match: re.Match[str]) -> str:
    return match.group(0) + "\n"


def _then_blank_line(match: re.Match[str]) -> str:
    return match.group(0) + "\n\n"


def wrap_loose_text(text: str) -> str:
    """Wrap text that stands outside any block in paragraphs (block-editor posts).

    Block-editor HTML is complete; only text between blocks (a shortcode block, a
    custom HTML block) has no element around it, and Markdown would read it as Markdown.
    """
    out: list[str] = []
    depth = 0
    for chunk in re.split(r"(\n\s*\n)", text):
        if not chunk.strip() or chunk.isspace():
            out.append(chunk)
            continue
        stripped = chunk.strip()
        if depth == 0 and not _STARTS_BLOCK.match(stripped) \
                and not _PLACEHOLDER.fullmatch(stripped):
            chunk = f"<p>{stripped}</p>"
        depth = max(0, depth + len(_DEPTH_OPEN.findall(chunk))
                    - len(_BLOCK_CLOSE.findall(chunk)))
        out.append(chunk)
    return "".join(out)


def _media_sources(text: str) -> str:
    """Move ``src`` of ``<audio>`` and ``<video>`` into a ``<source>`` (what the build keeps)."""

    def move(match: re.Match[str]) -> str:
        tag, before, _, src, after = match.groups()
        return f'<{tag}{before}{after}><source src="{src}" />'

    return _MEDIA_SRC.sub(move, text)
