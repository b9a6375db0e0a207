"""Related articles: most shared tags first, then nearest in time, then URL."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from site_builder.model import Article, Related
from site_builder.related import related_articles
from site_builder.site import build_site

from .conftest import make_article, make_config

START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def dated(hours: int, *tags: str) -> Article:
    return make_article(slug=f"a{hours:04d}", date=START + dt.timedelta(hours=hours), tags=tags)


def newest_first(articles: list[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (a.date, a.url), reverse=True)


def related(articles: list[Article], limit: int) -> dict[str, list[str]]:
    ordered = newest_first(articles)
    tags = {a.url: frozenset(a.tags) for a in ordered}
    return {url: [a.slug for a in found]
            for url, found in related_articles(ordered, tags, limit).items()}


def brute_force(articles: list[Article], limit: int) -> dict[str, list[str]]:
    result = {}
    for article in articles:
        if not article.tags:
            continue
        ranked = sorted(
            (other for other in articles
             if other is not article and set(other.tags) & set(article.tags)),
            key=lambda o: (-len(set(o.tags) & set(article.tags)),
                           abs((o.listed_date - article.listed_date).total_seconds()), o.url),
        )
        if ranked:
            result[article.url] = [o.slug for o in ranked[:limit]]
    return result


def test_more_shared_tags_beat_nearness() -> None:
    found = related([dated(0, "a", "b"), dated(1, "a"), dated(50, "a", "b"), dated(2)], 5)
    assert found[dated(0).url] == ["a0050", "a0001"]
    assert dated(2).url not in found  # no tags, nothing related


def test_ties_go_to_the_nearest_in_time_then_to_the_url() -> None:
    found = related([dated(10, "x"), dated(7, "x"), dated(13, "x"), dated(20, "x")], 2)
    assert found[dated(10).url] == ["a0007", "a0013"]  # both 3 hours away: URL decides


def test_limit_caps_the_list() -> None:
    found = related([dated(i, "x") for i in range(10)], 3)
    assert all(len(v) == 3 for v in found.values())
    assert related([dated(i, "x") for i in range(3)], 0) == {}


def test_matches_ranking_every_pair_on_random_archives() -> None:
    rng = random.Random(7)
    for _ in range(20):
        articles = [dated(rng.randrange(2000),
                          *rng.sample("abcdefg", rng.randrange(0, 4)))
                    for _ in range(60)]
        unique = list({a.url: a for a in articles}.values())
        assert related(unique, 4) == brute_force(unique, 4)


def test_a_new_article_enters_few_lists() -> None:
    # Every article shares the one tag: preferring the newest would change all 200 lists.
    articles = [dated(i * 24, "release") for i in range(200)]
    before = related(articles, 5)
    after = related([*articles, dated(200 * 24, "release")], 5)
    changed = [url for url in before if before[url] != after[url]]
    assert 0 < len(changed) <= 5


def test_front_matter_entries_are_not_suggested_again() -> None:
    config = make_config(Path("/p"), base_url="https://example.org/news/")
    first = dated(0, "x")
    listing = make_article(slug="b", date=START + dt.timedelta(hours=1), tags=("x",),
                           related=(Related("First", "/news/" + first.url),))
    site = build_site(config, [first, listing, dated(5, "x")])
    assert [a.slug for a in site.related[listing.url]] == ["a0005"]
    assert [a.slug for a in site.related[first.url]] == ["b", "a0005"]


def test_a_big_tag_is_searched_only_near_the_article() -> None:
    # 300 articles share "x"; the one sharing "x" and "y" lies far beyond the window, so
    # the cost per article stays bounded: it counts as sharing one tag, and is far away.
    articles = [*(dated(i, "x") for i in range(1, 300)), dated(0, "x", "y"),
                dated(9000, "x", "y")]
    found = related(articles, 3)
    assert found[dated(0).url] == ["a0001", "a0002", "a0003"]
    assert brute_force(articles, 3)[dated(0).url][0] == "a9000"
    # In a small tag every member is looked at.
    few = [*(dated(i, "x") for i in range(1, 50)), dated(0, "x", "y"), dated(9000, "x", "y")]
    assert related(few, 3)[dated(0).url][0] == "a9000"
