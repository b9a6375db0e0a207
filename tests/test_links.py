"""Resolving links between articles, on data objects (no rendering)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import typing as t
from pathlib import Path

import pytest

from site_builder import hrefs
from site_builder.errors import Problem
from site_builder.incremental.fingerprint import Digester
from site_builder.incremental.resolving import resolve_links_cached
from site_builder.incremental.store import open_cache
from site_builder.links import url_key
from site_builder.model import Article, Body, Related

from .conftest import make_article, make_config

CONFIG = make_config(Path("/project"), base_url="https://example.org/news/")


def resolve_all(
    articles: t.Sequence[Article], static_paths: t.Sequence[str] = ()
) -> tuple[list[Article], list[Problem]]:
    """Resolve ``articles`` as the build does, with a cache of its own.

    The second run answers from what the first one kept; both must agree. Rewritten
    bodies live in the cache, so they are read back before it goes.
    """
    with tempfile.TemporaryDirectory() as folder:
        cache = open_cache(Path(folder))
        try:
            runs = [resolve_links_cached(articles, CONFIG, static_paths, cache, Digester(),
                                         clean=False) for _ in range(2)]
            assert runs[1] == runs[0]
            resolved, problems = runs[0]
            return [dataclasses.replace(a, body=Body(a.html)) if a.body.is_stored else a
                    for a in resolved], problems
        finally:
            cache.close()


def resolve(*articles: Article) -> dict[str, Article]:
    resolved, problems = resolve_all(articles)
    assert problems == []
    return {a.src_path: a for a in resolved}


def link(href: str) -> str:
    return f'<p><a href="{href}">x</a></p>'


HISTORY = make_article(src_path="content/2023/history.md", slug="history",
                       date=dt.datetime(2023, 3, 1, tzinfo=dt.UTC),
                       html='<h2 id="early-years">Early years</h2>')
WIRE = make_article(src_path="content/2024/wire.md", slug="wire", lang="en",
                    original_url="https://wire.example/en/2024/05/budget",
                    html='<h2 id="the-numbers">The numbers</h2>')


@pytest.mark.parametrize(("href", "expected"), [
    ("../2023/history.md", "/news/2023/03/01/history/"),
    ("../2023/history.md#early-years", "/news/2023/03/01/history/#early-years"),
    ("/2023/history.md", "/news/2023/03/01/history/"),  # from the content folder's root
    ("wire.md", "/news/2024/05/02/wire/"),
])
def test_link_to_a_source_file_becomes_its_url(href: str, expected: str) -> None:
    story = make_article(src_path="content/2024/story.md", html=link(href))
    resolved = resolve(story, HISTORY, WIRE)["content/2024/story.md"]
    assert link(expected) == resolved.html
    assert resolved.link_origins == {expected: href}


@pytest.mark.parametrize("href", [
    "https://wire.example/en/2024/05/budget",
    "http://www.wire.example/en/2024/05/budget/",
    "https://WIRE.example/en/2024/05/budget/index.html",
    "//wire.example/en/2024/05/budget",
])
def test_link_to_an_original_url_becomes_the_local_page(href: str) -> None:
    story = make_article(src_path="content/2024/story.md", html=link(href + "#the-numbers"))
    resolved = resolve(story, WIRE)["content/2024/story.md"]
    assert resolved.html == link("/news/2024/05/02/wire/#the-numbers")


def test_unknown_links_are_kept_byte_for_byte() -> None:
    html = ('<p><a href="https://other.example/x?a=1&amp;b=2">a</a> <a href="mailto:x@y.z">b</a>'
            ' <a href="#local">c</a> <a href=\'/news/elsewhere/\'>d</a>'
            ' <img src=pic.png alt=""></p>')
    story = make_article(src_path="content/2024/story.md", html=html)
    assert resolve(story, WIRE)["content/2024/story.md"].html == html


@pytest.mark.parametrize(("href", "expected"), [
    # Root-relative: the archive holds the page, with or without the language prefix.
    ("/en/2024/05/budget", "/news/2024/05/02/wire/"),
    ("/2024/05/budget/#the-numbers", "/news/2024/05/02/wire/#the-numbers"),
    # Relative to the original URL of the linking article.
    ("../05/budget", "/news/2024/05/02/wire/"),
    # Not in the archive: an absolute link to the original site.
    ("/about/", "https://paper.example/about/"),
    ("/", "https://paper.example/"),
    ("photos/1.jpg", "https://paper.example/en/2024/05/photos/1.jpg"),
    ("../missing.md", "https://paper.example/en/2024/missing.md"),
])
def test_relative_links_of_imported_text_meant_the_original_site(href: str, expected: str) -> None:
    story = make_article(src_path="content/2024/story.md", lang="en", html=link(href),
                         original_url="https://paper.example/en/2024/05/story")
    budget = make_article(src_path="content/2024/wire.md", slug="wire",
                          original_url="https://paper.example/en/2024/05/budget")
    assert resolve(story, budget)["content/2024/story.md"].html == link(expected)


@pytest.mark.parametrize("href", ["/news/2024/05/02/wire/", "/news/img/map.svg", "../wire/"])
def test_imported_links_to_pages_of_this_archive_stay(href: str) -> None:
    story = make_article(src_path="content/2024/story.md", html=link(href),
                         original_url="https://paper.example/en/2024/05/story")
    resolved, problems = resolve_all([story, WIRE], ["img/map.svg"])
    assert resolved[0].html == link(href) and problems == []


def test_imported_anchor_spelled_by_another_renderer_is_repaired() -> None:
    story = make_article(src_path="content/2024/story.md",
                         original_url="https://paper.example/en/2024/05/story",
                         html='<p><a href="#Node.js-12">a</a> <a href="#nowhere">b</a>'
                              ' <a href="https://wire.example/en/2024/05/budget#The_Numbers">c</a>'
                              ' <a href="https://wire.example/en/2024/05/budget#numbers">d</a></p>'
                              '<h2 id="node-js-12">Node.js 12</h2>')
    html = resolve(story, WIRE)["content/2024/story.md"].html
    assert '<a href="#node-js-12">a</a>' in html
    # No id matches: left as written for the link check to report.
    assert '<a href="#nowhere">b</a>' in html
    assert '<a href="/news/2024/05/02/wire/#the-numbers">c</a>' in html
    assert '<a href="/news/2024/05/02/wire/#numbers">d</a>' in html


def test_anchors_of_the_archives_own_articles_are_not_repaired() -> None:
    story = make_article(src_path="content/2024/story.md",
                         html='<p><a href="#Node.js-12">a</a></p><h2 id="node-js-12">N</h2>')
    assert resolve(story)["content/2024/story.md"] == story


def test_resolution_does_not_depend_on_article_order() -> None:
    one = make_article(src_path="content/a.md", slug="a", html=link("b.md"))
    two = make_article(src_path="content/b.md", slug="b", html=link("a.md"))
    forward, _ = resolve_all([one, two])
    backward, _ = resolve_all([two, one])
    assert sorted(forward, key=lambda a: a.src_path) == sorted(backward, key=lambda a: a.src_path)


def test_related_entries_name_articles_by_path_slug_or_original_url() -> None:
    story = make_article(src_path="content/2024/story.md", related=(
        Related("history"),
        Related("../2023/history.md"),
        Related("https://wire.example/en/2024/05/budget"),
        Related("Budget coverage", "https://wire.example/en/2024/05/budget#the-numbers"),
        Related("", "wire.md"),
        Related("A plain title"),
        Related("Elsewhere", "https://other.example/x"),
    ))
    related = resolve(story, HISTORY, WIRE)["content/2024/story.md"].related
    assert related == (
        Related("A story", "/news/2023/03/01/history/", "content/2023/history.md"),
        Related("A story", "/news/2023/03/01/history/", "content/2023/history.md"),
        Related("A story", "/news/2024/05/02/wire/", "content/2024/wire.md"),
        Related("Budget coverage", "/news/2024/05/02/wire/#the-numbers", "content/2024/wire.md"),
        Related("A story", "/news/2024/05/02/wire/", "content/2024/wire.md"),
        Related("A plain title"),
        Related("Elsewhere", "https://other.example/x"),
    )


def test_related_problems_are_located_on_the_related_key() -> None:
    twin_en = make_article(src_path="content/twin.en.md", slug="twin", lang="en")
    twin_ru = make_article(src_path="content/twin.ru.md", slug="twin", lang="ru")
    story = make_article(src_path="content/story.md", key_lines={"related": 6},
                         related=(Related("gone.md"), Related("twin")))
    _, problems = resolve_all([story, twin_en, twin_ru])
    assert [str(p) for p in problems] == [
        "content/story.md:6: related: no article at content/gone.md",
        "content/story.md:6: related: 'twin' is the slug of 2 articles "
        "(content/twin.en.md, content/twin.ru.md); name the file",
    ]


COMPLEX = make_article(src_path="content/2008/complex.md", slug="complex",
                       date=dt.datetime(2008, 11, 21, tzinfo=dt.UTC),
                       url="2008/11/21/complex.html", aliases=("/old/complex/", "/2008/c.html"),
                       html='<h2 id="part">Part</h2>')


@pytest.mark.parametrize(("href", "expected"), [
    # An alias, in every spelling: the link goes to the page, keeping its anchor.
    ("/news/old/complex/#part", "/news/2008/11/21/complex.html#part"),
    ("/news/old/complex", "/news/2008/11/21/complex.html"),
    ("/news/old/complex/index.html", "/news/2008/11/21/complex.html"),
    ("https://example.org/news/2008/c.html?x=1", "/news/2008/11/21/complex.html?x=1"),
    ("//example.org/news/2008/c.html", "/news/2008/11/21/complex.html"),
    # Written for the old site at the root, outside the base URL's path.
    ("/old/complex/#part", "/news/2008/11/21/complex.html#part"),
    ("/2008/11/21/complex.html", "/news/2008/11/21/complex.html"),
])
def test_link_to_an_old_url_becomes_the_page(href: str, expected: str) -> None:
    story = make_article(src_path="content/2024/story.md", html=link(href))
    assert resolve(story, COMPLEX)["content/2024/story.md"].html == link(expected)


@pytest.mark.parametrize("href", [
    "/news/2008/11/21/complex.html#part",  # the page itself, as written
    "https://example.org/news/2008/11/21/complex.html",
    "https://other.example/news/old/complex/",  # another host
    "/news/old/unknown/",
    "old/complex/",  # relative: not an old URL
])
def test_links_that_are_no_old_url_stay(href: str) -> None:
    story = make_article(src_path="content/2024/story.md", html=link(href))
    assert resolve(story, COMPLEX)["content/2024/story.md"].html == link(href)


def test_imported_text_linking_an_old_url_gets_the_local_page() -> None:
    story = make_article(src_path="content/2024/story.md", html=link("/old/complex/"),
                         original_url="https://paper.example/2024/05/story")
    assert resolve(story, COMPLEX)["content/2024/story.md"].html == link(
        "/news/2008/11/21/complex.html")


def test_an_alias_that_is_another_article_s_url_leads_to_that_article() -> None:
    other = make_article(src_path="content/2024/other.md", slug="other", url="old/complex/")
    story = make_article(src_path="content/2024/story.md", html=link("/old/complex/"))
    assert resolve(story, COMPLEX, other)["content/2024/story.md"].html == link(
        "/news/old/complex/")


def test_related_entries_name_articles_by_old_url() -> None:
    story = make_article(src_path="content/2024/story.md", related=(
        Related("/old/complex/"), Related("Complex", "/news/2008/c.html#part")))
    assert resolve(story, COMPLEX)["content/2024/story.md"].related == (
        Related("A story", "/news/2008/11/21/complex.html", "content/2008/complex.md"),
        Related("Complex", "/news/2008/11/21/complex.html#part", "content/2008/complex.md"),
    )


def test_relative_links_of_an_html_page_are_read_from_its_folder() -> None:
    story = make_article(src_path="content/2008/story.md", url="2008/11/21/story.html",
                         html=link("photo.jpg"), original_url="https://paper.example/a/b")
    resolved, _ = resolve_all([story], ["2008/11/21/photo.jpg"])
    assert resolved[0].html == link("photo.jpg")


def test_url_key_ignores_spelling_differences() -> None:
    assert url_key("HTTPS://www.Example.org:443/a/b/index.html#x") == "example.org/a/b"
    assert url_key("http://example.org:8080/a?q=1") == "example.org:8080/a?q=1"


def test_scan_finds_links_and_ids_only_inside_tags() -> None:
    page = ('<p id="p1">Text with href="not-a-link" in it.</p>'
            '<!-- <a href="commented-out"> -->'
            '<script>var s = "<a href=\'in-script\'>";</script>'
            '<script src="app.js"></script>'
            "<img srcset=\"a.png 1x, b%2C.png 2x\" src='c.png' alt=\"&lt;x&gt;\">"
            '<a name="old-anchor" href="d.html?a=1&amp;b=2">d</a><div name="not-an-id"></div>'
            '<form action="/search/"><input name="q"></form>')
    refs, ids = hrefs.scan(page)
    assert refs == ["app.js", "a.png", "b%2C.png", "c.png", "d.html?a=1&b=2", "/search/"]
    assert ids == {"p1", "old-anchor"}


def test_rewrite_changes_only_what_it_is_asked_to() -> None:
    page = '<a class="x" href="a.md">a</a> <img alt="" src=\'b.md\'> <a href=c>c</a>'
    changed = hrefs.rewrite(page, lambda href: href.replace(".md", "/") if ".md" in href else None)
    assert changed == '<a class="x" href="a/">a</a> <img alt="" src="b/"> <a href=c>c</a>'


@pytest.mark.parametrize("href", ["http://[::1/x", "//[oops", "https://wire.example:port/x",
                                  "http://wire.example:99999/"])
def test_malformed_urls_are_left_alone(href: str) -> None:
    story = make_article(src_path="content/2024/story.md", html=link(href),
                         original_url="https://paper.example/en/2024/05/story")
    assert resolve(story, WIRE)["content/2024/story.md"].html == link(href)
    assert url_key(href)  # never raises
