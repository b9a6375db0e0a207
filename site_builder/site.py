"""Assemble parsed articles into the :class:`Site` model: order, indexes, pagination."""

from __future__ import annotations

import typing as t

from .config import Config
from .model import Article, Page, Site
from .urls import page_url


def build_site(config: Config, articles: t.Iterable[Article]) -> Site:
    """Return the site model for ``articles`` (drafts already filtered out)."""
    ordered = tuple(sorted(articles, key=lambda a: (a.date, a.url), reverse=True))
    return Site(
        articles=ordered,
        by_url={a.url: a for a in ordered},
        by_src_path={a.src_path: a for a in ordered},
        home_pages=paginate(ordered, config.per_page, ""),
    )


def paginate(items: t.Sequence[Article], per_page: int, base: str) -> tuple[Page, ...]:
    """Split a newest-first list into pages numbered from the oldest.

    Pages 1 … n-1 hold exactly ``per_page`` items counted from the oldest, so a page's
    URL keeps its content as the archive grows. The newest page (served at ``base``)
    takes the remainder, between ``per_page`` and ``2 * per_page - 1`` items, so the
    front page is never nearly empty; when it reaches ``2 * per_page`` it splits and
    only the front page and one new numbered page change.
    """
    oldest_first = list(reversed(items))
    count = max(1, len(items) // per_page)
    chunks = [oldest_first[i * per_page:(i + 1) * per_page] for i in range(count - 1)]
    chunks.append(oldest_first[(count - 1) * per_page:])
    urls = [page_url(base, n, newest=n == count) for n in range(1, count + 1)]
    return tuple(
        Page(
            items=tuple(reversed(chunk)),
            number=n,
            count=count,
            url=urls[n - 1],
            newer_url=urls[n] if n < count else None,
            older_url=urls[n - 2] if n > 1 else None,
            newest_url=urls[-1],
            oldest_url=urls[0],
        )
        for n, chunk in enumerate(chunks, 1)
    )
