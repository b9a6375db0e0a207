"""Resolve links between articles once every article is loaded.

Resolution runs only after all files are parsed, so the result never depends on the
order files are read in (Pelican's regret, pelican#2288). Three kinds of links change:

- a link to another article's source file (``other.md``, ``../2018/x.md#part``),
  relative to the linking file, becomes that article's URL;
- a link to a URL some article has as its ``original_url`` becomes the local page;
- a root-relative or ``base_url``-absolute link to one of an article's ``aliases``, or
  to its URL written without the base URL's path (the old site lived at the root),
  becomes the article's page;
- in an article with an ``original_url`` (imported text), a relative or root-relative
  link that names no page or file of this archive meant the original site: it is
  resolved against ``original_url`` and becomes the local page when the archive holds
  that URL, else an absolute link to the original site.

Every other link is left byte for byte as written; the link check after rendering
decides whether it works.
"""

from __future__ import annotations

import collections
import dataclasses
import posixpath
import re
import typing as t
from urllib.parse import unquote, urljoin, urlsplit

from . import hrefs
from .config import Config
from .content import SUFFIXES, SourceFile, clean_text, read_source
from .errors import Problem
from .model import Article, Body, Related
from .urls import page_folder, root_url, site_path, site_path_of

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HOST = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//(?:[^/?#@]*@)?(?:www\.)?([^/?#:]*)",
                   re.IGNORECASE)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


@dataclasses.dataclass(frozen=True, slots=True)
class LinkIndex:
    """Everything needed to decide where a link goes, built once from all articles."""

    by_src_path: t.Mapping[str, Article]
    by_url: t.Mapping[str, Article]
    by_original: t.Mapping[str, Article]
    """Articles by :func:`url_key` of their ``original_url``."""
    by_slug: t.Mapping[str, tuple[Article, ...]]
    original_hosts: frozenset[str]
    """Hosts of all ``original_url``s, to skip most external links cheaply."""
    local_paths: frozenset[str]
    """Site paths of the archive's articles and static files (``2018/x/``, ``img/a.png``)."""
    base_path: str
    content_dir: str
    by_alias: t.Mapping[str, Article] = dataclasses.field(default_factory=dict)
    """Articles by the site path of each of their ``aliases`` (in :func:`page_key` form)."""
    by_page_key: t.Mapping[str, Article] = dataclasses.field(default_factory=dict)
    """Articles by :func:`page_key` of their URL."""
    base_origin: str = ""
    """Scheme and host of ``base_url``, lower case (``https://example.org``)."""


def make_index(
    articles: t.Sequence[Article], config: Config, static_paths: t.Iterable[str] = ()
) -> LinkIndex:
    """Return the lookup tables for ``articles``; ``static_paths`` are site paths of files."""
    ordered = sorted(articles, key=lambda a: a.src_path)
    by_original: dict[str, Article] = {}
    by_slug: dict[str, list[Article]] = collections.defaultdict(list)
    for article in ordered:
        if article.original_url:
            # Two articles claiming one original URL: the first by path wins, stably.
            by_original.setdefault(url_key(article.original_url), article)
        by_slug[article.slug].append(article)
    local = {a.url for a in ordered} | set(static_paths)
    by_page_key: dict[str, Article] = {}
    for article in ordered:
        by_page_key.setdefault(page_key(article.url), article)
    by_alias: dict[str, Article] = {}
    for article in ordered:
        for alias in article.aliases:
            path, message = site_path_of(alias, config.base_url, config.base_path, "an alias")
            # A bad alias, or one that is some article's URL, is reported with the redirects.
            if not message and page_key(path) not in by_page_key:
                by_alias.setdefault(page_key(path), article)
    return LinkIndex(
        by_src_path={a.src_path: a for a in ordered},
        by_url={a.url: a for a in ordered},
        by_original=by_original,
        by_slug={slug: tuple(group) for slug, group in by_slug.items()},
        original_hosts=frozenset(key.split("/", 1)[0].split(":", 1)[0] for key in by_original),
        local_paths=frozenset(local),
        base_path=config.base_path,
        content_dir=config.content_dir.strip("/"),
        by_alias=by_alias,
        by_page_key=by_page_key,
        base_origin=_origin(config.base_url),
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def page_key(site_path: str) -> str:
    """Return ``site_path`` as every spelling of one page reduces to it.

    ``x/index.html`` is ``x/``, and ``x`` (a last segment without a dot) is the folder
    ``x/``, as for aliases.
    """
    if site_path == "index.html" or site_path.endswith("/index.html"):
        return site_path.removesuffix("index.html")
    last = site_path.rpartition("/")[2]
    return site_path + "/" if last and "." not in last else site_path


def url_key(url: str) -> str:
    """Return ``url`` reduced to what identifies a page: host, path and query.

    The scheme, a ``www.`` prefix, a default port, a trailing ``/`` or ``index.html`` and
    the fragment do not matter: archives link the same page in all these spellings.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a malformed host or port: keep the text, it matches itself only
        return url.lower()
    host = (parts.hostname or "").lower().removeprefix("www.")
    if port is not None and str(port) != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host += f":{port}"
    path = unquote(parts.path)
    path = path.removesuffix("index.html").rstrip("/") or "/"
    return host + path + (f"?{parts.query}" if parts.query else "")


def resolve_article(
    article: Article, index: LinkIndex,
    ids_of: t.Callable[[Article], frozenset[str]] | None = None,
    links: t.Sequence[str] | None = None,
) -> tuple[Article, list[Problem]]:
    """Return ``article`` with body links and related entries resolved, and their problems.

    ``ids_of`` returns the element ids of an article's body; given, it lets imported text
    keep anchors our heading ids spell differently (see :func:`repair_fragment`).
    ``links``, the body's link values (:func:`hrefs.link_values`), spares reading a
    body none of whose links changes.
    """
    origins: dict[str, str] = {}

    def change(href: str) -> str | None:
        result = resolve_href(href, article, index)
        if isinstance(result, _Missing):
            return None
        if article.original_url and ids_of is not None:
            result = repair_fragment(result or href, article, index, ids_of) or result
        if result is None:
            return None
        origins.setdefault(result, href)
        return result

    if links is not None and all(change(href) is None for href in links):
        body = article.html if not article.body.is_stored else None
    else:
        body = hrefs.rewrite(article.html, change)
    related, problems = _resolve_related(article, index)
    if body is None:  # unchanged, and left unread
        if related != article.related:
            article = dataclasses.replace(article, related=related)
        return article, problems
    if body != article.html or related != article.related:
        article = dataclasses.replace(article, body=Body(body), related=related,
                                      link_origins=origins)
    return article, problems


def missing_source(href: str, article: Article, content_dir: str) -> str | None:
    """Return the source path a link to a ``.md`` file names, if it is such a link."""
    if _SCHEME.match(href) or href.startswith("//"):
        return None
    path = unquote(urlsplit(href).path)
    if not path.endswith(SUFFIXES):
        return None
    if path.startswith("/"):
        return posixpath.normpath(f"{content_dir.strip('/')}/{path.lstrip('/')}")
    return posixpath.normpath(posixpath.join(posixpath.dirname(article.src_path), path))


_NOT_WORD = re.compile(r"[\W_]+")


def repair_fragment(
    href: str, article: Article, index: LinkIndex, ids_of: t.Callable[[Article], frozenset[str]]
) -> str | None:
    """Return ``href`` with its fragment changed to the id the archive gave that element.

    Imported text was written for another renderer's heading ids: nodejs.org spells
    "Building Node.js from source" ``building-nodejs-from-source`` where ours is
    ``building-node-js-from-source``. When the fragment names no id of the target
    article but exactly one id matches it ignoring case and punctuation, the link is
    pointed at that id. Returns None when nothing changes.
    """
    path, hash_mark, fragment = href.partition("#")
    if not hash_mark or not fragment:
        return None
    if not path:
        target: Article | None = article
    elif path.startswith(index.base_path):
        found = site_path(urlsplit(path).path, index.base_path)
        target = index.by_url.get(found) if found is not None else None
    else:
        target = None
    if target is None:
        return None
    ids = ids_of(target)
    wanted = unquote(fragment)
    if wanted in ids:
        return None
    squashed = _NOT_WORD.sub("", wanted.lower())
    matches = [i for i in ids if _NOT_WORD.sub("", i.lower()) == squashed]
    return f"{path}#{matches[0]}" if len(matches) == 1 and squashed else None


@dataclasses.dataclass(frozen=True, slots=True)
class _Missing:
    """A link to a source file that is not in the archive."""


def resolve_href(href: str, article: Article, index: LinkIndex) -> str | _Missing | None:
    """Return the new href for a link in ``article``, None to keep it, or :class:`_Missing`."""
    try:
        return _resolve_href(href, article, index)
    except ValueError:
        return None  # not a parsable URL (a bad host or port): the link check judges it


def _resolve_href(href: str, article: Article, index: LinkIndex) -> str | _Missing | None:
    if not href or href.startswith(("#", "?")):
        return None
    scheme = _SCHEME.match(href)
    if scheme and scheme.group(0).lower() not in ("http:", "https:"):
        return None  # mailto:, tel:, data: ...
    old = _by_old_url(href, index)
    if old is not None:
        return _local_href(old[0], href, index) if old[1] else None
    if scheme or href.startswith("//"):
        target = _by_original(href, article, index)
        return _local_href(target, href, index) if target else None
    parts = urlsplit(href)
    path = unquote(parts.path)
    if path.endswith(SUFFIXES):
        target = index.by_src_path.get(_source_target(href, article, index))
        if target is not None:
            return _local_href(target, href, index)
        if not article.original_url:
            return _Missing()
    if not article.original_url or _names_local_page(path, article, index):
        return None
    absolute = urljoin(article.original_url, href)
    target = _by_original(absolute, article, index)
    return _local_href(target, href, index) if target else absolute


def _by_old_url(href: str, index: LinkIndex) -> tuple[Article, bool] | None:
    """Return the article whose old URL ``href`` is, and whether the link must change.

    ``href`` is root-relative or absolute under ``base_url``. Its site path names an
    article when it is one of the article's ``aliases`` (the link changes: the alias is
    only a redirect, without the page's anchors) or the article's URL (the link stays).
    A root-relative path outside the base URL's path is tried as a site path too (the old
    site lived at the root); it changes whenever it names an article.
    """
    if not index.by_alias and index.base_path == "/":
        return None  # every such link names its page as written
    written_absolute = not href.startswith("/") or href.startswith("//")
    if href.startswith("//"):
        href = index.base_origin.partition(":")[0] + ":" + href
    if _SCHEME.match(href):
        origin = index.base_origin
        if not origin or href[:len(origin)].lower() != origin or href[len(origin):][:1] != "/":
            return None
        href = href[len(origin):]
    elif not href.startswith("/"):
        return None
    path = unquote(urlsplit(href).path)
    inside = site_path(path, index.base_path)
    if inside is not None:
        key = page_key(inside)
        outside = False
    elif index.base_path != "/" and not written_absolute:
        key = page_key(path.lstrip("/"))
        outside = True
    else:
        return None
    target = index.by_page_key.get(key)
    if target is not None:
        return target, outside
    target = index.by_alias.get(key)
    return (target, True) if target is not None else None


def _source_target(href: str, article: Article, index: LinkIndex) -> str:
    """Return the source path a ``.md`` link names, relative to the linking file."""
    return missing_source(href, article, index.content_dir) or href


def _names_local_page(path: str, article: Article, index: LinkIndex) -> bool:
    """Return whether a relative or root-relative ``path`` is an article or file of ours."""
    if path.startswith("/"):
        local = site_path(path, index.base_path)
        if local is None:
            return False
    else:
        local = posixpath.normpath(posixpath.join(page_folder(article.url), path))
        local = "" if local == "." else local + ("/" if path.endswith("/") else "")
    return local in index.local_paths or local.rstrip("/") + "/" in index.local_paths


def _by_original(url: str, article: Article, index: LinkIndex) -> Article | None:
    """Return the article whose ``original_url`` is ``url``.

    Sites often serve a page both with and without a language prefix
    (``/blog/x`` and ``/en/blog/x``); when the plain URL is unknown, the linking
    article's language is tried as that prefix.
    """
    match = _HOST.match(url)
    if match is None or match.group(1).lower() not in index.original_hosts:
        return None
    if url.startswith("//"):
        url = "https:" + url
    key = url_key(url)
    found = index.by_original.get(key)
    if found is not None:
        return found
    host, _, path = key.partition("/")
    lang = (article.lang or "").lower()
    if lang and not path.lower().startswith(f"{lang}/"):
        return index.by_original.get(f"{host}/{lang}/{path}".rstrip("/"))
    return None


def _local_href(target: Article, href: str, index: LinkIndex) -> str:
    parts = urlsplit(href)
    query = f"?{parts.query}" if parts.query and not parts.path.endswith(SUFFIXES) else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return root_url(index.base_path, target.url) + query + fragment


def _resolve_related(
    article: Article, index: LinkIndex
) -> tuple[tuple[Related, ...], list[Problem]]:
    """Resolve each related entry: a bare string naming an article, or a ``{title, url}``."""
    problems: list[Problem] = []
    entries: list[Related] = []
    line = article.line_of("related")
    for entry in article.related:
        target: Article | None = None
        url = entry.url
        if url is None:
            target, message = _find_named(entry.title, article, index)
            if message:
                problems.append(Problem(article.src_path, line, f"related: {message}"))
            if target is None and _SCHEME.match(entry.title):
                url = entry.title
        else:
            result = resolve_href(url, article, index)
            if isinstance(result, _Missing):
                problems.append(Problem(article.src_path, line, f"related: broken link '{url}' "
                                        f"(no article at {_source_target(url, article, index)})"))
            elif result is not None:
                url = result
            target = _article_at(url, index)
        if target is not None:
            # A bare string names the article, so the article's own title is shown.
            title = target.title if entry.url is None else (entry.title or target.title)
            href = (url if url and url.startswith(index.base_path)
                    else root_url(index.base_path, target.url))
            entries.append(Related(title=title, url=href, src_path=target.src_path))
        else:
            entries.append(Related(title=entry.title or (url or ""), url=url))
    return tuple(entries), problems


def _find_named(name: str, article: Article, index: LinkIndex) -> tuple[Article | None, str]:
    """Return the article a bare related string names, and a problem message if any."""
    if name.endswith(SUFFIXES):
        source = _source_target(name, article, index)
        found = index.by_src_path.get(source)
        return found, "" if found else f"no article at {source}"
    old = _by_old_url(name, index) if name.startswith(("/", "http:", "https:")) else None
    if old is not None:
        return old[0], ""
    if _SCHEME.match(name) or name.startswith("//"):
        return _by_original(name, article, index), ""
    group = index.by_slug.get(name, ())
    if len(group) > 1:
        same_lang = [a for a in group if a.lang == article.lang]
        if len(same_lang) == 1:
            return same_lang[0], ""
        names = ", ".join(a.src_path for a in group)
        return None, f"'{name}' is the slug of {len(group)} articles ({names}); name the file"
    # A string that names no article is a plain title, as it always was.
    return (group[0] if group else None), ""


def _article_at(href: str, index: LinkIndex) -> Article | None:
    """Return the article a root-relative ``href`` of this site leads to."""
    parts = urlsplit(href)
    path = site_path(parts.path, index.base_path)
    if parts.scheme or parts.netloc or path is None:
        return None
    return index.by_url.get(unquote(path))


def source_lines(config: Config, article: Article) -> list[str]:
    """Return the lines of ``article``'s source file as parsing saw them (empty if unreadable)."""
    text, _ = read_source(SourceFile(article.src_path, str(config.project_dir / article.src_path)))
    return clean_text(text).split("\n") if text is not None else []


def locate(
    config: Config, article: Article, target: str, lines: t.Sequence[str] | None = None
) -> int | None:
    """Return the source line where ``article``'s body writes the link ``target``.

    Python-Markdown keeps no source positions, so the body is read again (unless its
    ``lines`` are given) and searched for the target as written. This runs only for
    links being reported, which keeps the bodies of a large archive out of memory.
    """
    if lines is None:
        lines = source_lines(config, article)
    written = article.link_origins.get(target, target)
    candidates = [c for c in dict.fromkeys([written, _escape(written), unquote(written)]) if c]
    for number in range(max(article.body_line, 1), len(lines) + 1):
        line = lines[number - 1]
        if any(c in line for c in candidates):
            return number
    return None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;")
