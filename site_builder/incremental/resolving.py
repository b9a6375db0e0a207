"""Resolve cross-article links with a memo, so a rebuild re-resolves only what changed.

Resolving every article's links (:func:`links.resolve_article` against one link index)
reads every article's body. Here each article's result is kept in the cache, keyed by
the article's own digest and a digest of what the link index is made from (every
article's path, URL, title, original URL, slug, language and aliases, the static and
bundle files, the settings). The bodies of other articles it read (for their element
ids) are recorded with their digests and checked on reuse.
"""

from __future__ import annotations

import dataclasses
import typing as t

from .. import hrefs
from ..config import Config
from ..digests import code_digest, digest_bytes
from ..errors import Level, Problem
from ..links import make_index, resolve_article
from ..model import Article, Body, Related
from .fingerprint import Digester
from .store import Cache, compress_body

Entry = tuple[str | None, tuple[Related, ...], dict[str, str], tuple[Problem, ...],
              tuple[tuple[str, str], ...], str | None]
"""(resolved body digest or None, related, link origins, problems, bodies read, digest of
the resolved article when it differs from the parsed one)."""


def resolve_links_cached(
    articles: t.Sequence[Article], config: Config, static_paths: t.Sequence[str],
    cache: Cache, digester: Digester, *, clean: bool,
    links: t.Mapping[str, tuple[str, ...]] | None = None,
    only: t.Collection[str] | None = None,
    details: dict[str, tuple[tuple[Problem, ...], tuple[str, ...]]] | None = None,
) -> tuple[list[Article], list[Problem]]:
    """Return the articles with cross-article links rewritten, and related-entry problems,
    reusing unchanged results.

    A body link to a source file that does not exist is left as written: the link check
    of the rendered pages reports it with every other broken link, once.

    With ``only``, just the articles of those source paths are resolved and returned
    (the others still make up the link index). ``details`` receives each resolved
    article's problems and the source paths of the articles whose bodies it read.
    """
    level: Level = "error" if config.link_check == "error" else "warning"
    world = digest_bytes(
        code_digest(python_only=True), config.base_url, config.content_dir, level,
        *sorted(static_paths),
        *(repr((a.src_path, a.url, a.title, a.original_url, a.slug, a.lang, a.aliases))
          for a in sorted(articles, key=lambda a: a.src_path)))
    stored = {} if clean else cache.load_resolved(only)
    by_path = {a.src_path: a for a in articles}
    memo: dict[str, frozenset[str]] = {}
    # Built on the first article the memo cannot answer: a rebuild often needs none.
    index: list[t.Any] = []
    resolved: list[Article] = []
    problems: list[Problem] = []
    fresh: dict[str, tuple[bytes, Entry]] = {}
    for article in articles:
        if only is not None and article.src_path not in only:
            continue
        key = digest_bytes(world, digester.token(article))
        row = stored.get(article.src_path)
        entry = None
        if row is not None and row[0] == key:
            entry = t.cast(Entry, cache.decode_resolved(row[1]))
            if any(by_path.get(src) is None or by_path[src].body.digest != digest
                   for src, digest in entry[4]):
                entry = None
        if entry is None:
            if not index:
                index.append(make_index(articles, config, static_paths))
            entry = _resolve(article, index[0], memo, cache, digester,
                             None if links is None else links.get(article.src_path))
            fresh[article.src_path] = (key, entry)
        body, related, origins, found, _, token = entry
        if body is not None or related != article.related:
            article = dataclasses.replace(
                article, body=Body.stored(body, cache) if body is not None else article.body,
                related=related, link_origins=origins)
            if token is not None:
                digester.seed(article, token)
        resolved.append(article)
        adjusted = [dataclasses.replace(p, level=level) for p in found]
        problems += adjusted
        if details is not None:
            details[article.src_path] = (tuple(adjusted), tuple(src for src, _ in entry[4]))
    gone = set() if only is not None else set(stored) - set(by_path)
    if fresh or gone:
        with cache.transaction():
            cache.store_resolved(fresh, gone)
    return resolved, problems


def _resolve(article: Article, index: t.Any, memo: dict[str, frozenset[str]],
             cache: Cache, digester: Digester, links: t.Sequence[str] | None) -> Entry:
    read: dict[str, str] = {}

    def ids_of(target: Article) -> frozenset[str]:
        read[target.src_path] = target.body.digest
        if target.src_path not in memo:
            memo[target.src_path] = frozenset(hrefs.scan(target.html)[1])
        return memo[target.src_path]

    new, found = resolve_article(article, index, ids_of, links)
    body: str | None = None
    if new.body != article.body:
        # Keep the rewritten body in the cache, not in memory.
        body = new.body.digest
        if not cache.has_body(body):
            cache.store_body(body, compress_body(new.html))
        new = dataclasses.replace(new, body=Body.stored(body, cache))
    token = digester.token(new) if new is not article else None
    return (body, new.related, dict(new.link_origins), tuple(found),
            tuple(sorted(read.items())), token)
