"""Find, for every article, the articles that share the most tags with it."""

from __future__ import annotations

import bisect
import collections
import heapq
import typing as t

from .model import Article

WINDOW = 100
"""Articles looked at on either side in time, per tag of the article. A tag with fewer
than twice as many articles is looked at whole; in a bigger one only the nearest count,
so the cost per article stays bounded however large the archive and its tags grow."""


def related_articles(
    articles: t.Sequence[Article],
    tags_of: t.Mapping[str, frozenset[str]],
    limit: int,
    skip: t.Mapping[str, frozenset[str]] | None = None,
) -> dict[str, tuple[Article, ...]]:
    """Return up to ``limit`` related articles for the URL of each of ``articles``.

    ``articles`` are newest first and ``tags_of`` maps an article's URL to its tag keys.
    Candidates rank by the number of shared tags, then by nearness in time, then by URL.
    Nearness rather than recency breaks ties so that a new article enters the lists of
    only the few articles published just before it: preferring the newest would rewrite
    the page of every article sharing a popular tag on each publication.

    Candidates are the :data:`WINDOW` articles on either side of the article in each of
    its tags' date-ordered lists. ``skip`` names, per article URL, URLs not to suggest
    (those the front matter lists already).
    """
    by_tag: dict[str, list[int]] = {}
    for index, article in enumerate(articles):
        for tag in tags_of.get(article.url, ()):
            by_tag.setdefault(tag, []).append(index)
    result: dict[str, tuple[Article, ...]] = {}
    if limit < 1:
        return result
    for index, article in enumerate(articles):
        tags = tags_of.get(article.url, frozenset())
        if not tags:
            continue
        skipped = skip.get(article.url, frozenset()) if skip else frozenset()
        found = _best(articles, index, sorted(tags), by_tag, tags_of, limit, skipped)
        if found:
            result[article.url] = found
    return result


def _best(
    articles: t.Sequence[Article],
    index: int,
    tags: list[str],
    by_tag: t.Mapping[str, list[int]],
    tags_of: t.Mapping[str, frozenset[str]],
    limit: int,
    skipped: frozenset[str],
) -> tuple[Article, ...]:
    article = articles[index]
    own = frozenset(tags)
    windows: list[tuple[list[int], int, int, int]] = []
    counts: collections.Counter[int] = collections.Counter()
    for tag in tags:
        members = by_tag[tag]
        at = bisect.bisect_left(members, index)
        low, high = max(0, at - WINDOW), min(len(members), at + WINDOW + 1)
        counts.update(members[low:high])  # counted in C: the bulk of the work
        windows.append((members, at, low, high))
    counts.pop(index, None)

    def distance(other: int) -> float:
        return abs((articles[other].listed_date - article.listed_date).total_seconds())

    # Whatever shares two tags or more, best first: these are few, and seen in full.
    ranked: list[tuple[int, float, str, int]] = []
    for other, seen_in in counts.most_common():
        if seen_in < 2:
            break
        url = articles[other].url
        if url not in skipped:
            shared = len(own & tags_of.get(url, frozenset()))
            ranked.append((-shared, distance(other), url, other))
    ranked.sort()
    chosen = [item[3] for item in ranked[:limit]]
    if len(chosen) < limit:
        chosen += _nearest_sharing_one(articles, windows, counts, distance,
                                       limit - len(chosen), skipped)
    return tuple(articles[other] for other in chosen)


def _nearest_sharing_one(
    articles: t.Sequence[Article],
    windows: list[tuple[list[int], int, int, int]],
    counts: t.Mapping[int, int],
    distance: t.Callable[[int], float],
    wanted: int,
    skipped: frozenset[str],
) -> list[int]:
    """Return the ``wanted`` nearest articles found in exactly one window, by time, URL."""
    # One stream per (window, direction), each moving away from the article in time,
    # merged by a heap: only as many articles are looked at as are taken, plus the few
    # near ones that share more and were ranked already.
    heap: list[tuple[float, str, int, int, int]] = []
    streams: list[tuple[list[int], int, int, int]] = []

    def push(stream: int, position: int) -> None:
        members, step, low, high = streams[stream]
        if low <= position < high:
            other = members[position]
            heapq.heappush(heap, (distance(other), articles[other].url, other, stream,
                                  position))

    for members, at, low, high in windows:
        for step, start in ((-1, at - 1), (1, at)):
            streams.append((members, step, low, high))
            push(len(streams) - 1, start)
    found: list[int] = []
    taken: set[int] = set()
    while heap and len(found) < wanted:
        _, url, other, stream, position = heapq.heappop(heap)
        push(stream, position + streams[stream][1])
        if counts.get(other) != 1 or other in taken or url in skipped:
            continue
        taken.add(other)
        found.append(other)
    return found
