"""Find, for every article, the articles that share the most tags with it."""

from __future__ import annotations

import bisect
import heapq
import typing as t

from .model import Article

MAX_SCAN = 1000
"""Most candidates looked at per article, so an article whose tags rarely meet costs
no more than this however large the archive grows."""


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

    Candidates come from a tag index, walked outwards from the article's own date, so the
    cost grows with ``limit`` rather than with the size of a tag. ``skip`` names, per
    article URL, URLs not to suggest (those the front matter lists already).
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
        found = _nearest_best(articles, index, sorted(tags), by_tag, tags_of, limit, skipped)
        if found:
            result[article.url] = found
    return result


def _nearest_best(
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
    # One stream per (tag, direction): positions in that tag's list, moving away in time.
    heap: list[tuple[float, str, int, int, int]] = []
    live = dict.fromkeys(tags, 0)
    streams: list[tuple[str, list[int], int]] = []

    def push(stream: int, position: int) -> None:
        tag, members, step = streams[stream]
        if 0 <= position < len(members):
            other = articles[members[position]]
            distance = abs((other.date - article.date).total_seconds())
            heapq.heappush(heap, (distance, other.url, members[position], stream, position))
        else:
            live[tag] -= 1

    for tag in tags:
        members = by_tag[tag]
        at = bisect.bisect_left(members, index)
        for step in (-1, 1):
            streams.append((tag, members, step))
            live[tag] += 1
            push(len(streams) - 1, at + step)

    seen = {index}
    held: list[tuple[int, float, str, int]] = []
    with_score = [0] * (len(tags) + 1)
    scanned = 0
    while heap and scanned < MAX_SCAN:
        distance, url, other, stream, position = heapq.heappop(heap)
        push(stream, position + streams[stream][2])
        if other in seen:
            continue
        seen.add(other)
        if url in skipped:
            continue
        scanned += 1
        shared = len(own & tags_of.get(url, frozenset()))
        held.append((shared, distance, url, other))
        with_score[shared] += 1
        # An article not seen yet is in the remaining streams, so it shares at most as
        # many tags as there are tags with streams left, and it is no nearer.
        bound = sum(1 for count in live.values() if count > 0)
        if sum(with_score[bound:]) >= limit:
            break
    held.sort(key=lambda item: (-item[0], item[1], item[2]))
    return tuple(articles[item[3]] for item in held[:limit])
