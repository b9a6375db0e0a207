"""Dead internal links of the old site: links to paths the import does not have.

One rule for every reader of Markdown sources. A link without a scheme (root-relative,
or relative to the article's old path) whose target is neither an imported article's old
path or alias nor one of the article's own files resolved to nothing on the old site
either, or to a page that is not part of the import:

- when the old site's base URL is known, the link becomes the absolute URL on the old
  site (an external link that may still answer);
- otherwise the link is removed, its text kept, and a warning names file and line.

A link that merely looks like a host (``www.example.com/0``) is a relative link, as the
old generator made it; it resolved to nothing there too, so it is unlinked like any other.

A link to an anchor of the same page (``#name``) that no element of the converted body
carries (an id the old site's theme or scripts added) is unlinked with a warning too. A
link to an anchor of another imported page that the page's converted body does not carry
keeps leading to the page, without the anchor, with a warning.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import typing as t
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ..body import BodyError, render_markdown
from ..config import Config
from ..errors import Problem
from ..urls import absolute_url
from .imported import ImportedArticle, SiteImport
from .markdown_source import UNLINK, Link, Unlink, line_at, rewrite_links

_ID = re.compile(r"""\sid\s*=\s*["']([^"']*)["']""")
_SKIPPED_SCHEMES = ("//", "mailto:", "tel:", "data:", "javascript:")


def _key(path: str) -> str:
    """Return a site path in the form paths are compared in."""
    path = posixpath.normpath("/" + unquote(path)).strip("/")
    if path.endswith("index.html"):
        path = path[: -len("index.html")].rstrip("/")
    return "" if path == "." else path.lower()


def known_paths(articles: t.Iterable[ImportedArticle]) -> set[str]:
    """Return the old site paths the import has: each article's old path and aliases."""
    known: set[str] = {""}
    for article in articles:
        for path in (article.old_path, *article.aliases):
            if path is not None:
                known.add(_key(path))
    return known


def settle(result: SiteImport, config: Config, base_url: str | None,
           source_text: t.Callable[[ImportedArticle], str | None],
           served: t.Callable[[str], bool] = lambda path: False) -> None:
    """Apply the dead-link rule to the bodies of ``result.articles``, in place.

    ``base_url`` is the old site's root (ending in ``/``) when known; ``source_text`` returns
    the source file of an article, to find the line a warning names; ``served`` tells
    whether the old site served a file at a site path (no leading ``/``), which the link
    then keeps.
    """
    known = known_paths(result.articles)
    by_path: dict[str, ImportedArticle] = {}
    for article in result.articles:
        for path in (article.old_path, *article.aliases):
            if path is not None:
                by_path.setdefault(_key(path), article)
    ids: dict[int, set[str] | None] = {}

    def has_id(path: str, name: str) -> bool:
        target = by_path.get(path)
        if target is None:
            return True
        if id(target) not in ids:
            ids[id(target)] = _ids(target, config)
        found = ids[id(target)]
        return found is None or unquote(name) in found

    result.articles = [_settle_one(article, config, known, base_url, source_text, served,
                                   result.problems, has_id)
                       for article in result.articles]


def _ids(article: ImportedArticle, config: Config) -> set[str] | None:
    """Return the ids of the elements of an article's converted body (None: unreadable)."""
    try:
        rendered = render_markdown(article.body, unsafe_html=config.unsafe_html,
                                   embed_hosts=config.embed_hosts,
                                   heading_ids=config.heading_ids)
    except BodyError:
        return None
    return {unquote(m.group(1)) for m in _ID.finditer(rendered.html)}


def _settle_one(article: ImportedArticle, config: Config, known: set[str],
                base_url: str | None,
                source_text: t.Callable[[ImportedArticle], str | None],
                served: t.Callable[[str], bool], problems: list[Problem],
                target_has_id: t.Callable[[str, str], bool]) -> ImportedArticle:
    own = {asset.name.lower() for asset in article.assets}
    here = article.old_path or ""
    folder = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
    source: list[str | None] = []
    ids: list[set[str] | None] = []

    def has_id(name: str) -> bool:
        if not ids:
            ids.append(_ids(article, config))
        found = ids[0]
        return found is None or unquote(name) in found

    def warn(link: Link, dest: str, why: str) -> Unlink:
        problems.append(Problem(article.origin, line_of(link) or article.origin_line,
                                f"link to {dest}: {why}; the link is removed, its text kept",
                                level="warning"))
        return UNLINK

    def line_of(link: Link) -> int | None:
        if not source:
            source.append(source_text(article))
        text = source[0]
        if text is None:
            return None
        for written in (f"({link.dest}", f"(<{link.dest}>", f"]: {link.dest}",
                        f"]:{link.dest}", f'="{link.dest}"', f"='{link.dest}'", link.dest):
            found = text.find(written)
            if found >= 0:
                return line_at(text, found)
        return None

    def change(link: Link) -> str | Unlink | None:
        dest = link.dest.strip()
        if dest.startswith("#") and len(dest) > 1:
            if has_id(dest[1:]):
                return None
            return warn(link, dest, "no element of this page has that id (the old site's "
                                    "theme may have added it)")
        if not dest or dest.lower().startswith(_SKIPPED_SCHEMES):
            return None
        parts = urlsplit(dest)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        path = parts.path
        if not path.startswith("/"):
            if unquote(path).lower() in own or unquote(path).lower().lstrip("./") in own:
                return None
            path = "/" + folder.lstrip("/") + path
        if _key(path) in known and _key(path) != _key(here) and parts.fragment and \
                not target_has_id(_key(path), parts.fragment):
            problems.append(Problem(
                article.origin, line_of(link) or article.origin_line,
                f"link to {dest}: the page has no element with the id '{parts.fragment}' (the "
                "old site's theme may have added it); the link leads to the page, the anchor "
                "is removed", level="warning"))
            return dest.split("#", 1)[0]
        if path.startswith("/..") or _key(path) in known or posixpath.normpath(
                "/" + unquote(path)).startswith("/..") or served(_key(path)):
            return None
        if base_url is not None:
            absolute = absolute_url(base_url, quote(posixpath.normpath(unquote(path)).lstrip("/"),
                                                    safe="/:@~+%"))
            if path.endswith("/") and not absolute.endswith("/"):
                absolute += "/"
            rest = (f"?{parts.query}" if parts.query else "") + (
                f"#{parts.fragment}" if parts.fragment else "")
            return absolute + rest
        return warn(link, dest, "no such page in the import (it resolved to nothing on the "
                                "old site either, or to a page not imported)")

    body = rewrite_links(article.body, change)
    if body == article.body:
        return article
    return dataclasses.replace(article, body=body)


def source_text(path: Path | None) -> str | None:
    """Return a source file's text, to find the line of a warning; None if unreadable."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
