"""The site model: ordering and stable pagination, built from data objects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from site_builder.site import build_site, paginate

from .conftest import make_article, make_config


def articles(count: int) -> list:  # type: ignore[type-arg]
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    return [make_article(slug=f"a{i:03d}", date=start + dt.timedelta(days=i))
            for i in range(count)]


def test_articles_are_newest_first_with_ties_broken_by_url() -> None:
    same = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    site = build_site(make_config(Path("/p")), [
        make_article(slug="b", date=same), make_article(slug="a", date=same),
        make_article(slug="c", date=same + dt.timedelta(hours=1)),
    ])
    assert [a.slug for a in site.articles] == ["c", "b", "a"]


def test_pages_are_numbered_from_the_oldest() -> None:
    items = sorted(articles(11), key=lambda a: a.date, reverse=True)
    pages = paginate(items, 4, "")
    assert [p.number for p in pages] == [1, 2]
    assert [len(p.items) for p in pages] == [4, 7]
    assert pages[0].url == "page/1/" and pages[-1].url == ""
    assert pages[0].items[-1].slug == "a000"  # the oldest article is on page 1
    assert pages[-1].older_url == "page/1/" and pages[0].newer_url == ""


def test_adding_an_article_keeps_old_pages_unchanged() -> None:
    before = paginate(sorted(articles(40), key=lambda a: a.listed_date, reverse=True), 5, "")
    after = paginate(sorted(articles(41), key=lambda a: a.listed_date, reverse=True), 5, "")
    old = {p.url: p.items for p in before if p.url}
    new = {p.url: p.items for p in after if p.url}
    assert old == new


def test_empty_list_has_one_empty_page() -> None:
    pages = paginate([], 10, "tags/x/")
    assert len(pages) == 1 and pages[0].items == () and pages[0].url == "tags/x/"


def test_standalone_pages_are_in_no_listing() -> None:
    day = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    story = make_article(slug="story", date=day, tags=("port",), categories=("Labour",))
    about = make_article(slug="about", url="about/", date=day + dt.timedelta(days=1), page=True,
                         tags=("port", "only-pages"), categories=("Labour",), authors=("Ann",))
    site = build_site(make_config(Path("/p")), [about, story])
    assert site.articles == (story,)
    assert site.pages == (about,)
    assert site.published == (story, about)
    assert site.by_url["about/"] is about and site.by_src_path[about.src_path] is about
    assert [p.items for p in site.home_pages] == [(story,)]
    assert [(y.year, y.articles) for y in site.years] == [(2020, (story,))]
    assert [(t.name, t.articles) for t in site.tags.terms] == [("port", (story,))]
    assert [t.articles for t in site.categories.terms] == [(story,)]
    assert site.authors.terms == ()
    assert not any(site.related.values())


def test_categories_join_the_taxonomies_only_when_used() -> None:
    config = make_config(Path("/p"))
    assert build_site(config, [make_article()]).taxonomy_kinds == ("tags", "authors", "sources")
    site = build_site(config, [make_article(categories=("Labour",))])
    assert site.taxonomy_kinds == ("tags", "authors", "sources", "categories")
    assert site.taxonomies[-1].terms[0].url == "categories/labour/"
