"""Read a WordPress export (WXR 1.0 to 1.2) into a :class:`SiteImport`.

The export is read twice, streaming, with ``defusedxml``'s ``iterparse``; each element
is cleared once read, so memory stays bounded however large the file. The first pass
checks the whole file (so a broken or hostile file is refused before anything is
written) and collects what articles refer to: authors, attachments, reusable blocks,
the old URLs. The second pass yields one article at a time.

XML entity declarations (billion laughs) and external references (XXE) are refused:
a WordPress export never has any.

- Posts become articles, pages articles with ``page: true``; anything but ``publish``
  is a draft; password-protected posts, trashed posts and auto-drafts are skipped.
- Attachments are assets: the featured image (``_thumbnail_id``), ``[gallery]`` and
  media elements link to them, and ``--fetch-media`` downloads them.
- Menu items, reusable blocks (inlined where used), revisions, templates, styles and
  comments are counted and skipped, each with its reason.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import email.utils
import hashlib
import html
import re
import typing as t
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import unquote, urlsplit

import defusedxml
import defusedxml.ElementTree as SafeElementTree

from ..config import Config, check_permalink
from ..errors import Problem
from ..model import Image
from . import wordpress_body
from .feed_entries import html_to_text
from .imported import Accounted, ImportedArticle, Kind, SiteImport, section_of, valid_lang, web_url

READER_FORMAT = "wordpress 1"
"""Changes whenever the same export would be read differently (invalidates import_source)."""
NO_TITLE = "(no title)"
"""Title of a post that has none (what WordPress shows in its admin)."""

_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content:",
    "http://purl.org/dc/elements/1.1/": "dc:",
    "http://wellformedweb.org/CommentAPI/": "wfw:",
}
# Where a post's text names attachments and reusable blocks by id.
_ID_LIST = re.compile(r"""(?:\b(?:ids|include|id)\s*=\s*["']?|"(?:id|ids|ref)":\s*\[?)"""
                      r"""([\d,\s]+)""")
_BLOCK_REF = re.compile(r'<!-- wp:block \{[^}]*"ref":\s*(\d+)')
_CONTROLS = "#controls"
"""Name of the last event of a stream that dropped control characters."""
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_INTERNAL_TYPES = frozenset({
    "revision", "customize_changeset", "custom_css", "oembed_cache", "user_request",
    "wp_template", "wp_template_part", "wp_global_styles", "wp_font_family", "wp_font_face",
    "scheduled-action", "jp_pay_order", "jp_pay_product", "feedback",
})
_COMMENT = "comment (not imported)"
_HANDLED_META = frozenset({"footnotes"})
"""Public post fields converted into the body rather than kept under ``extra``."""
_TAXONOMIES = {"category": "categories", "post_tag": "tags"}
_SKIPPED_STATUSES = {"trash": "in the trash", "auto-draft": "auto-draft (never written)",
                     "inherit": "revision"}


class _Failure(Exception):
    """The export cannot be read; carries the one problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclasses.dataclass(slots=True)
class _Item:
    """The fields of one ``<item>`` that importing uses, as text."""

    line: int
    content_line: int
    title: str = ""
    link: str = ""
    pub_date: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_id: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_name: str = ""
    status: str = ""
    parent: str = ""
    menu_order: str = ""
    post_type: str = ""
    password: str = ""
    sticky: bool = False
    attachment_url: str = ""
    terms: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    """(taxonomy, nicename, name) of each ``<category>``."""
    meta: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    comments: int = 0

    def meta_value(self, key: str) -> str | None:
        return next((value for name, value in self.meta if name == key), None)


@dataclasses.dataclass(slots=True)
class _Channel:
    """What the export says about the site as a whole."""

    link: str = ""
    base_blog_url: str = ""
    language: str | None = None
    authors: dict[str, str] = dataclasses.field(default_factory=dict)
    """Login -> display name."""
    version: str = ""


@dataclasses.dataclass(slots=True)
class _Survey:
    """What the first pass found."""

    channel: _Channel = dataclasses.field(default_factory=_Channel)
    attachments: dict[str, wordpress_body.Attachment] = dataclasses.field(default_factory=dict)
    children: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    blocks: dict[str, str] = dataclasses.field(default_factory=dict)
    offsets: collections.Counter[dt.timedelta] = dataclasses.field(
        default_factory=collections.Counter)
    patterns: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    posts: int = 0
    """Published posts with an old URL (the base of the permalink proposal)."""
    context: bytes = b""
    """Digest of the attachments, blocks, authors and offset (see :func:`_context_digest`)."""
    items: int = 0
    wordpress_items: int = 0

    @property
    def export_zone(self) -> dt.tzinfo | None:
        """Return the site's UTC offset when every dated post agrees on one."""
        if len(self.offsets) == 1:
            return dt.timezone(next(iter(self.offsets)))
        return None


def read_site(path: Path, config: Config, settings: Path | None = None) -> SiteImport:
    """Read the WordPress export at ``path``; articles are read as they are iterated."""
    shown = str(path)
    if path.is_dir():
        return SiteImport(problems=[Problem(shown, None, "a folder: --from wordpress reads "
                                                         "the export file (Tools > Export)")])
    site = SiteImport()
    try:
        survey = _survey(path, shown, config, site)
    except _Failure as exc:
        return SiteImport(problems=[exc.problem])
    if survey.posts and survey.patterns:
        pattern, count = survey.patterns.most_common(1)[0]
        if count * 2 > survey.posts:
            site.proposed["permalink"] = pattern
    site.streamed = _articles(path, shown, config, survey, site)
    return site


# --- streaming the XML ---------------------------------------------------------------------


class _LineBuilder(ElementTree.TreeBuilder):
    """A tree builder that notes the line where each ``item`` and its content start."""

    def __init__(self) -> None:
        super().__init__()
        self.expat: t.Any = None
        self.lines: dict[ElementTree.Element, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> ElementTree.Element:
        element = super().start(tag, attrs)
        if tag in ("item", _CONTENT):
            self.lines[element] = self.expat.CurrentLineNumber if self.expat else 0
        return element


def _name(tag: str, cache: dict[str, str] = {}) -> str:  # noqa: B006 (a memo)
    """Return ``wp:post_id`` for ``{https://wordpress.org/export/1.2/}post_id``."""
    found = cache.get(tag)
    if found is not None:
        return found
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        prefix = _NAMESPACES.get(uri)
        if prefix is None and "wordpress.org/export/" in uri:
            prefix = "excerpt:" if uri.rstrip("/").endswith("excerpt") else "wp:"
        found = (prefix or f"{{{uri}}}") + local
    else:
        found = tag
    cache[tag] = found
    return found


def _stream(path: Path, shown: str) -> t.Iterator[tuple[str, ElementTree.Element, int, int]]:
    """Yield (name, element, line, content line) for each child of ``<channel>``.

    Each element is complete when yielded and cleared right after. Raise
    :class:`_Failure` for a file that is not a well-formed, entity-free RSS document.
    """
    builder = _LineBuilder()
    parser = SafeElementTree.DefusedXMLParser(target=builder, forbid_dtd=False,
                                              forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below, also when parsing fails)
    except OSError as exc:
        raise _Failure(Problem(shown, None, f"cannot read file: {exc.strerror or exc}")) from None
    depth = 0
    channel: ElementTree.Element | None = None
    seen_root = False
    try:
        with handle:
            source = _WithoutControls(handle)
            events = SafeElementTree.iterparse(source, events=("start", "end"), parser=parser)
            for event, element in events:
                if event == "start":
                    depth += 1
                    if depth == 1:
                        seen_root = True
                        if _name(element.tag) != "rss":
                            raise _Failure(Problem(shown, builder.expat.CurrentLineNumber,
                                                   f"not a WordPress export: the document is "
                                                   f"<{_name(element.tag)}>, not <rss>"))
                    elif depth == 2 and _name(element.tag) == "channel":
                        channel = element
                    continue
                depth -= 1
                if depth == 2 and channel is not None:
                    lines = builder.lines
                    line = lines.pop(element, 0)
                    content_line = 0
                    if _name(element.tag) == "item":
                        for child in element:
                            if child in lines:
                                content_line = lines.pop(child)
                    yield _name(element.tag), element, line, content_line
                    element.clear()
                    del channel[:]
            if source.dropped:
                yield _CONTROLS, ElementTree.Element(_CONTROLS), source.dropped, 0
    except ElementTree.ParseError as exc:
        position: tuple[int, int] = getattr(exc, "position", (0, 0))
        line, column = position
        reason = str(exc).split(": line ")[0]
        if not seen_root or line == 1 and column == 0:
            message = f"not a WordPress export: not XML ({reason})"
        else:
            cut = " (is the file cut short?)" if reason in (
                "no element found", "unclosed token", "unclosed CDATA section") else ""
            message = (f"not a WordPress export: the XML breaks off at line {line}, column "
                       f"{column} ({reason}){cut}")
        raise _Failure(Problem(shown, line, message)) from None
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden,
            defusedxml.DTDForbidden) as exc:
        if isinstance(exc, defusedxml.EntitiesForbidden):
            what = f"declares the XML entity {exc.name!r}"
        elif isinstance(exc, defusedxml.ExternalReferenceForbidden):
            what = f"refers to the external file {exc.sysid!r}"
        else:
            what = "has a document type declaration"
        line = builder.expat.CurrentLineNumber
        raise _Failure(Problem(shown, line, f"refused: the export {what}; entities can "
                                            "expand without bound (billion laughs) or read "
                                            "local files (XXE), and WordPress never writes "
                                            "them")) from None
    except OSError as exc:
        raise _Failure(Problem(shown, None, f"cannot read file: {exc.strerror or exc}")) from None
    if channel is None:
        raise _Failure(Problem(shown, None, "not a WordPress export: no <channel> in the <rss>"))


_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


class _WithoutControls:
    """A binary file read without the control characters XML 1.0 forbids.

    WordPress writes them into its exports as they are in the database (a stray
    backspace pasted into a post), which makes the file not XML. In UTF-8 these bytes
    only ever stand for themselves, so dropping them changes nothing else.
    """

    def __init__(self, handle: t.BinaryIO) -> None:
        self.handle = handle
        self.dropped = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        cleaned = data.translate(None, _CONTROL_BYTES)
        self.dropped += len(data) - len(cleaned)
        return cleaned


def _text(element: ElementTree.Element | None) -> str:
    return (element.text or "") if element is not None else ""


def _read_item(element: ElementTree.Element, line: int, content_line: int) -> _Item:
    item = _Item(line=line, content_line=content_line or line)
    for child in element:
        name = _name(child.tag)
        text = child.text or ""
        if name == "title":
            item.title = text
        elif name == "link":
            item.link = text.strip()
        elif name == "pubDate":
            item.pub_date = text.strip()
        elif name == "dc:creator":
            item.creator = text.strip()
        elif name == "content:encoded":
            item.content = text
        elif name == "excerpt:encoded":
            item.excerpt = text
        elif name == "wp:post_id":
            item.post_id = text.strip()
        elif name == "wp:post_date":
            item.post_date = text.strip()
        elif name == "wp:post_date_gmt":
            item.post_date_gmt = text.strip()
        elif name == "wp:post_name":
            item.post_name = text.strip()
        elif name == "wp:status":
            item.status = text.strip()
        elif name == "wp:post_parent":
            item.parent = text.strip()
        elif name == "wp:menu_order":
            item.menu_order = text.strip()
        elif name == "wp:post_type":
            item.post_type = text.strip()
        elif name == "wp:post_password":
            item.password = text
        elif name == "wp:is_sticky":
            item.sticky = text.strip() == "1"
        elif name == "wp:attachment_url":
            item.attachment_url = text.strip()
        elif name == "category":
            item.terms.append((child.get("domain", "category"), child.get("nicename", ""),
                               html.unescape(text).strip()))
        elif name == "wp:postmeta":
            key = _text(child.find("{*}meta_key")).strip()
            if key:
                item.meta.append((key, _text(child.find("{*}meta_value"))))
        elif name == "wp:comment":
            item.comments += 1
    return item


def _read_channel_child(name: str, element: ElementTree.Element, channel: _Channel) -> None:
    if name == "link":
        channel.link = _text(element).strip()
    elif name == "language":
        channel.language = valid_lang(_text(element))
    elif name == "wp:base_blog_url":
        channel.base_blog_url = _text(element).strip()
    elif name == "wp:wxr_version":
        channel.version = _text(element).strip()
    elif name == "wp:author":
        login = _text(element.find("{*}author_login")).strip()
        display = html.unescape(_text(element.find("{*}author_display_name"))).strip()
        if login:
            channel.authors[login] = display or login


# --- the two passes ------------------------------------------------------------------------


def _survey(path: Path, shown: str, config: Config, site: SiteImport) -> _Survey:
    """Read the whole export once: check it, account for every item, collect references."""
    survey = _Survey()
    attachments: list[tuple[int, int, wordpress_body.Attachment]] = []
    posts: list[tuple[str, str | None, _Item]] = []
    for name, element, line, content_line in _stream(path, shown):
        if name == _CONTROLS:
            site.problems.append(Problem(shown, None, f"the export holds {line:,} control "
                                         "characters that XML does not allow (pasted into "
                                         "posts?); they were left out", level="warning"))
            continue
        if name != "item":
            _read_channel_child(name, element, survey.channel)
            continue
        item = _read_item(element, line, content_line)
        survey.items += 1
        if not item.post_type and not item.post_id:
            # An RSS item without WordPress's fields: this is a feed, not an export.
            continue
        survey.wordpress_items += 1
        where = f"{shown}:{item.line}"
        local, gmt = _parse_wp_date(item.post_date), _parse_wp_date(item.post_date_gmt)
        if local is not None and gmt is not None and item.post_type in ("post", "page"):
            offset = local - gmt
            if _usable_offset(offset):
                survey.offsets[offset] += 1
        kind, reason = _classify(item)
        if kind == "asset":
            attachment = _attachment(item)
            if attachment is not None:
                order = int(item.menu_order) if item.menu_order.isdigit() else 0
                number = int(item.post_id) if item.post_id.isdigit() else 0
                attachments.append((order, number, attachment))
        if kind == "article" and item.post_type == "post":
            old = _old_path(item, survey.channel)
            if old is not None and local is not None and gmt is not None:
                _count_pattern(survey, old, _item_date(item, None, config), _slug(item))
            elif old is not None:
                # Dated in the export's time zone, known only at the end: only what
                # dating the post needs is kept until then.
                dates = _Item(0, 0, post_date=item.post_date, post_date_gmt=item.post_date_gmt,
                              pub_date=item.pub_date)
                posts.append((old, _slug(item), dates))
        if item.post_type == "wp_block" and item.post_id:
            survey.blocks[item.post_id] = item.content
        if kind in ("article", "page", "draft"):
            for key in _extra(item):
                site.unmapped[key] += 1
        if reason == "password-protected":
            site.problems.append(Problem(shown, item.line, f"{item.post_type} {item.post_id}: "
                                         "password-protected; not imported",
                                         level="warning"))
        site.accounted.append(Accounted(where, kind, reason))
        if item.comments:
            # One entry a comment; they share their text, so a long thread costs little.
            comment = Accounted(f"{where} comment", "skipped", _COMMENT)
            site.accounted.extend([comment] * item.comments)
    if not survey.channel.version and not survey.wordpress_items:
        raise _Failure(Problem(shown, None, "not a WordPress export: an RSS document with "
                                            "no WordPress items (import a feed with --feed)"))
    for _, _, attachment in sorted(attachments, key=lambda a: (a[0], a[1])):
        survey.attachments[attachment.id] = attachment
        if attachment.parent and attachment.parent != "0":
            survey.children.setdefault(attachment.parent, []).append(attachment.id)
    _count_patterns(config, survey, posts)
    survey.context = _context_digest(survey)
    return survey


def _context_digest(survey: _Survey) -> bytes:
    """Return a digest of what every post's article draws on besides its own item."""
    channel = survey.channel
    context = (READER_FORMAT, channel.link, channel.base_blog_url, channel.language,
               str(survey.export_zone))
    return hashlib.sha256(repr(context).encode()).digest()


def _item_digest(item: _Item, survey: _Survey) -> str:
    """Return the digest of what an item's article is made from.

    That is the item's own fields (not where it stands in the file), its author's
    name, and the attachments and reusable blocks it may show: its featured image, the
    attachments attached to it, and those its text names by id.
    """
    digest = hashlib.sha256(survey.context)
    fields = dataclasses.replace(item, line=0, content_line=0)
    digest.update(repr(dataclasses.astuple(fields)).encode("utf-8", "surrogatepass"))
    digest.update(survey.channel.authors.get(item.creator.strip("<> \t\n"), "").encode())
    ids = {(item.meta_value("_thumbnail_id") or "").strip(),
           *survey.children.get(item.post_id, ())}
    texts = [item.content]
    seen_blocks: set[str] = set()
    while texts:
        text = texts.pop()
        for match in _ID_LIST.finditer(text):
            ids.update(re.findall(r"\d+", match.group(1)))
        for ref in _BLOCK_REF.findall(text):
            if ref not in seen_blocks and len(seen_blocks) < 100:
                seen_blocks.add(ref)
                texts.append(survey.blocks.get(ref, ""))
                digest.update(f"block {ref}:".encode())
                digest.update(survey.blocks.get(ref, "").encode("utf-8", "surrogatepass"))
    for ident in sorted(ids):
        attachment = survey.attachments.get(ident)
        if attachment is not None:
            digest.update(repr(dataclasses.astuple(attachment)).encode("utf-8",
                                                                       "surrogatepass"))
    return digest.hexdigest()[:32]


def _count_patterns(config: Config, survey: _Survey,
                    posts: t.Sequence[tuple[str, str | None, _Item]]) -> None:
    """Count the permalink patterns the published posts' old URLs follow.

    Done once the whole export is read and its time zone known: a post's URL holds its
    date as the site showed it.
    """
    zone = survey.export_zone
    for old, slug, dates in posts:
        _count_pattern(survey, old, _item_date(dates, zone, config), slug)


def _count_pattern(survey: _Survey, old: str, date: dt.datetime | None,
                   slug: str | None) -> None:
    if date is None:
        return
    survey.posts += 1
    pattern = _pattern_of(old, date, slug)
    if pattern is not None:
        survey.patterns[pattern] += 1


def _articles(path: Path, shown: str, config: Config, survey: _Survey,
              site: SiteImport) -> t.Iterator[ImportedArticle]:
    """Yield the article of each post and page, reading the export again."""
    zone = survey.export_zone
    urls = {attachment.url for attachment in survey.attachments.values()}
    try:
        for name, element, line, content_line in _stream(path, shown):
            if name != "item":
                continue
            item = _read_item(element, line, content_line)
            kind, _ = _classify(item)
            if kind not in ("article", "page", "draft"):
                continue
            digest = _item_digest(item, survey)
            link = web_url(item.link)
            if link is not None and site.up_to_date(link, digest):
                yield ImportedArticle.unchanged(shown, link, digest, page=kind == "page")
                continue
            article = _article(item, shown, config, survey, zone, urls, site.problems)
            if article is not None:
                article = dataclasses.replace(article, source_digest=digest)
            if article is not None:
                yield article
    except _Failure as exc:
        site.problems.append(Problem(exc.problem.path, exc.problem.line,
                                     f"{exc.problem.message} (the file changed while it was "
                                     "imported?)"))


# --- one item ------------------------------------------------------------------------------


def _classify(item: _Item) -> tuple[Kind, str | None]:
    """Return what an item becomes and, if skipped, why."""
    kind = item.post_type or "post"
    if kind == "attachment":
        return "asset", None
    if kind in ("post", "page"):
        skipped = _SKIPPED_STATUSES.get(item.status)
        if skipped is not None:
            return "skipped", skipped
        if item.password.strip():
            return "skipped", "password-protected"
        if _parse_wp_date(item.post_date) is None and _parse_wp_date(
                item.post_date_gmt) is None and _pub_date(item) is None:
            return "skipped", "no date"
        if item.status != "publish":
            return "draft", None
        return ("page" if kind == "page" else "article"), None
    if kind == "nav_menu_item":
        return "skipped", "navigation menu item"
    if kind == "wp_navigation":
        return "skipped", "navigation menu"
    if kind == "wp_block":
        return "skipped", "reusable block (inlined where it is used)"
    if kind in _INTERNAL_TYPES:
        return "skipped", f"WordPress internals ({kind})"
    return "skipped", f"post type {kind} (not imported)"


def _attachment(item: _Item) -> wordpress_body.Attachment | None:
    url = item.attachment_url or item.link
    if not item.post_id or web_url(url) is None:
        return None
    return wordpress_body.Attachment(
        id=item.post_id, url=url, title=html_to_text(item.title),
        alt=(item.meta_value("_wp_attachment_image_alt") or "").strip(),
        caption=html_to_text(item.excerpt), parent=item.parent,
        order=int(item.menu_order) if item.menu_order.isdigit() else 0)


def _parse_wp_date(text: str) -> dt.datetime | None:
    """Read ``2010-08-07 06:00:19``; None for ``0000-00-00 00:00:00`` or nonsense."""
    text = text.strip()
    if len(text) != 19 or text.startswith("0000"):
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is None else None


def _usable_offset(offset: dt.timedelta) -> bool:
    return abs(offset) <= dt.timedelta(hours=14) and offset % dt.timedelta(minutes=1) == \
        dt.timedelta(0)


def _pub_date(item: _Item) -> dt.datetime | None:
    try:
        value = email.utils.parsedate_to_datetime(item.pub_date)
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo is not None and value.year > 1 else None


def _item_date(item: _Item, zone: dt.tzinfo | None, config: Config) -> dt.datetime | None:
    """Return when an item was published, with the UTC offset the site showed.

    ``post_date`` is the site's local time and ``post_date_gmt`` the same moment in
    UTC; their difference is the offset. A draft has only ``post_date``: it is read in
    the export's offset when every dated post agrees on one, else in ``timezone``.
    """
    local, gmt = _parse_wp_date(item.post_date), _parse_wp_date(item.post_date_gmt)
    if local is not None and gmt is not None:
        offset = local - gmt
        if _usable_offset(offset):
            return local.replace(tzinfo=dt.timezone(offset))
        return gmt.replace(tzinfo=dt.UTC)
    if gmt is not None:
        return gmt.replace(tzinfo=dt.UTC).astimezone(zone) if zone else gmt.replace(
            tzinfo=dt.UTC)
    if local is not None:
        return local.replace(tzinfo=zone or config.tzinfo)
    return _pub_date(item)


def _slug(item: _Item) -> str | None:
    name = item.post_name.strip()
    if "%" in name:
        name = unquote(name)
    return name or None


def _old_path(item: _Item, channel: _Channel) -> str | None:
    """Return the site path a published item had, relative to the blog's address."""
    if item.status != "publish":
        return None
    parts = urlsplit(item.link)
    if parts.scheme not in ("http", "https") or parts.query or not parts.path.strip("/"):
        return None
    path = unquote(parts.path)
    base = urlsplit(channel.base_blog_url or channel.link)
    prefix = unquote(base.path).rstrip("/")
    if base.netloc == parts.netloc and prefix and path.startswith(prefix + "/"):
        path = path[len(prefix):]
    while "//" in path:
        path = path.replace("//", "/")
    return path.lstrip("/") or None


def _pattern_of(old: str, date: dt.datetime, slug: str | None) -> str | None:
    """Return the permalink pattern that gives ``old`` for this date and slug, if any."""
    if not slug:
        return None
    segments = old.split("/")
    last = max((n for n, s in enumerate(segments) if s), default=-1)
    fields: list[str] = []
    year = month = day = False
    for number, segment in enumerate(segments):
        if number == last and segment == slug:
            fields.append("{slug}")
        elif not year and segment == f"{date.year:04d}":
            fields.append("{year}")
            year = True
        elif year and not month and segment == f"{date.month:02d}":
            fields.append("{month}")
            month = True
        elif month and not day and segment == f"{date.day:02d}":
            fields.append("{day}")
            day = True
        else:
            fields.append(segment)
    pattern = "/" + "/".join(fields)
    return pattern if "{slug}" in pattern and not check_permalink(pattern) else None


def _extra(item: _Item) -> dict[str, object]:
    """Return what the item has that no front-matter key maps: format, taxonomies, fields."""
    extra: dict[str, object] = {}
    formats = [nicename.removeprefix("post-format-") for domain, nicename, _ in item.terms
               if domain == "post_format"]
    if formats:
        extra["format"] = formats[0]
    for domain, _, name in item.terms:
        if domain in _TAXONOMIES or domain in ("post_format", "nav_menu") or not name:
            continue
        values = extra.setdefault(domain, [])
        if isinstance(values, list) and name not in values:
            values.append(name)
    fields: dict[str, list[str]] = {}
    for key, value in item.meta:
        if key.startswith("_") or key in _HANDLED_META:
            continue
        fields.setdefault(key, []).append(value)
    for key, values in fields.items():
        if key not in extra:
            extra[key] = values[0] if len(values) == 1 else values
    return extra


def _article(item: _Item, shown: str, config: Config, survey: _Survey, zone: dt.tzinfo | None,
             attachment_urls: set[str], problems: list[Problem]) -> ImportedArticle | None:
    label = f"{item.post_type} {item.post_id}".strip()
    date = _item_date(item, zone, config)
    if date is None:
        return None
    title = html_to_text(item.title)
    if not title:
        title = NO_TITLE
        problems.append(Problem(shown, item.line, f"{label}: no title; imported as "
                                                  f"{NO_TITLE!r}", level="warning"))
    context = wordpress_body.Context(
        post_id=item.post_id, attachments=survey.attachments, children=survey.children,
        blocks=survey.blocks, footnotes=item.meta_value("footnotes"))
    body = wordpress_body.convert(item.content, context)
    for line, message in context.notes:
        problems.append(Problem(shown, item.content_line + line - 1, f"{label}: {message}",
                                level="warning"))
    image = None
    thumbnail = (item.meta_value("_thumbnail_id") or "").strip()
    if thumbnail and thumbnail != "0":
        attachment = survey.attachments.get(thumbnail)
        if attachment is None:
            problems.append(Problem(shown, item.line, f"{label}: featured image {thumbnail} "
                                                      "is not in the export; left out",
                                    level="warning"))
        else:
            image = Image(src=attachment.url, alt=attachment.alt, caption=attachment.caption)
    categories: list[str] = []
    tags: list[str] = []
    for domain, _, name in item.terms:
        group = categories if domain == "category" else tags if domain == "post_tag" else None
        if group is not None and name and name not in group:
            group.append(name)
    # Logins hold no angle brackets; some exports have a stray one.
    login = item.creator.strip("<> \t\n")
    author = survey.channel.authors.get(login, login)
    media = wordpress_body.media_urls(body, attachment_urls)
    if image is not None and image.src and image.src not in media:
        media.insert(0, image.src)
    old = _old_path(item, survey.channel)
    slug = _slug(item)
    aliases = []
    if old is not None and slug and old.rstrip("/").rsplit("/", 1)[-1] == slug:
        head, _, _ = old.rstrip("/").rpartition("/")
        tail = "/" if old.endswith("/") else ""
        for key, value in item.meta:
            previous = unquote(value.strip())
            if key == "_wp_old_slug" and previous and previous != slug and "/" not in previous:
                aliases.append(f"{head}/{previous}{tail}" if head else f"{previous}{tail}")
    summary = html_to_text(item.excerpt) or None
    return ImportedArticle(
        origin=shown, origin_line=item.line, entry=label, title=title, date=date, body=body,
        authors=(author,) if author else (), tags=tuple(tags), categories=tuple(categories),
        section=section_of(categories, item.post_type == "page"),
        summary=summary, image=image, original_url=web_url(item.link), lang=survey.channel.language,
        slug=slug, draft=item.status != "publish", page=item.post_type == "page",
        sticky=item.sticky, old_path=old, aliases=tuple(dict.fromkeys(aliases)),
        extra=_extra(item), media=tuple(media),
    )
