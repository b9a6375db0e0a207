"""What built pages tell readers and search engines: metadata, JSON-LD, navigation."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder import load_config
from site_builder.body import nest_headings

from .conftest import build, copy_site

BASE = "https://example.org/archive/"


class _Head(HTMLParser):
    """Collect ``<meta>``, ``<link>``, JSON-LD scripts and the ``<html lang>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, str] = {}
        self.json_ld: list[str] = []
        self.lang = ""
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = found.get("lang", "")
        elif tag == "meta" and ("property" in found or "name" in found):
            key = found.get("property") or found["name"]
            self.meta.setdefault(key, []).append(found.get("content", ""))
        elif tag == "link" and found.get("rel") in ("canonical",):
            self.links[found["rel"]] = found["href"]
        elif tag == "script" and found.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_ld = self._in_ld and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld[-1] += data


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_site("basic", tmp_path_factory.mktemp("pages"))
    build(load_config(project))
    return project / "output"


def head(site: Path, path: str) -> _Head:
    parser = _Head()
    parser.feed((site / path).read_text())
    return parser


def test_article_json_ld_is_a_news_article_with_every_field(site: Path) -> None:
    page = head(site, "2024/05/02/port-strike-begins/index.html")
    [raw] = page.json_ld
    ld = json.loads(raw)
    url = BASE + "2024/05/02/port-strike-begins/"
    assert ld["@context"] == "https://schema.org"
    assert ld["@type"] == "NewsArticle"
    assert ld["headline"] == "Port Strike Begins as Dockworkers Walk Out"
    assert ld["datePublished"] == "2024-05-02T08:15:00+03:00"
    assert ld["dateModified"] == "2024-05-02T08:15:00+03:00"
    assert ld["url"] == url and ld["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert ld["author"] == [
        {"@type": "Person", "name": "Anna Petrova", "url": BASE + "authors/anna-petrova/"}]
    assert ld["sourceOrganization"] == {"@type": "Organization", "name": "Harbour Gazette",
                                        "url": BASE + "sources/harbour-gazette/"}
    assert ld["publisher"] == {
        "@type": "Organization", "name": "Harbour Gazette Archive", "url": BASE}
    assert ld["image"] == {
        "@type": "ImageObject", "url": "https://example.org/archive/images/dock.svg",
        "contentUrl": "https://example.org/archive/images/dock.svg",
        "caption": "The container terminal on Thursday morning",
        "creditText": "Anna Petrova / Harbour Gazette"}
    assert ld["keywords"] == ["Labour", "Port"]
    assert ld["isBasedOn"] == "https://harbour-gazette.example/2024/05/02/strike"
    assert ld["description"].startswith("Dockworkers at the harbour walked out")
    assert ld["inLanguage"] == "en"


def test_json_ld_dates_follow_updates_and_sources_stand_in_for_missing_authors(
    site: Path,
) -> None:
    ld = json.loads(head(site, "2024/05/03/strike-talks/index.html").json_ld[0])
    assert ld["dateModified"] == "2024-05-04T09:00:00+03:00"
    assert [a["name"] for a in ld["author"]] == ["Anna Petrova", "Mark O'Neil"]
    ld = json.loads(head(site, "2024/05/20/ferry/index.html").json_ld[0])
    assert ld["author"] == [{"@type": "Organization", "name": "Associated Press",
                             "url": BASE + "sources/associated-press/"}]
    assert "image" not in ld and "keywords" in ld


def test_article_open_graph_and_twitter_card(site: Path) -> None:
    meta = head(site, "2024/05/02/port-strike-begins/index.html").meta
    assert meta["og:type"] == ["article"]
    assert meta["og:title"] == ["Port Strike Begins as Dockworkers Walk Out"]
    assert meta["og:url"] == [BASE + "2024/05/02/port-strike-begins/"]
    assert meta["og:image"] == ["https://example.org/archive/images/dock.svg"]
    assert meta["og:description"] == meta["description"]
    assert meta["article:published_time"] == ["2024-05-02T08:15:00+03:00"]
    assert meta["article:modified_time"] == ["2024-05-02T08:15:00+03:00"]
    assert meta["article:author"] == [BASE + "authors/anna-petrova/"]
    assert meta["article:tag"] == ["Labour", "Port"]
    assert meta["twitter:card"] == ["summary_large_image"]


def test_html_lang_follows_the_article(site: Path) -> None:
    assert head(site, "2024/06/05/fishermen/index.html").lang == "ru"
    assert head(site, "2024/06/12/school/index.html").lang == "en"


@pytest.mark.parametrize("path", [
    "index.html", "page/1/index.html", "archive/index.html", "2024/index.html",
    "2024/page/1/index.html", "2024/05/index.html", "2024/05/02/index.html",
    "tags/index.html", "tags/port/index.html", "tags/port/page/1/index.html",
    "authors/index.html", "authors/li-wei/index.html", "sources/index.html",
    "sources/reuters/index.html",
])
def test_listing_pages_have_a_canonical_url_and_a_description(site: Path, path: str) -> None:
    page = head(site, path)
    assert page.links["canonical"] == BASE + path.removesuffix("index.html")
    [description] = page.meta["description"]
    assert description.strip()


def test_article_links_to_its_day_month_year_and_neighbours(site: Path) -> None:
    html = (site / "2024/05/03/strike-talks/index.html").read_text()
    for href in ("/archive/2024/05/03/", "/archive/2024/05/", "/archive/2024/",
                 "/archive/tags/labour/", "/archive/authors/mark-oneil/",
                 "/archive/sources/reuters/"):
        assert f'href="{href}"' in html, href
    assert re.search(r'href="/archive/2024/05/02/port-strike-begins/" rel="prev"', html)
    assert re.search(r'href="/archive/2024/05/10/city-budget/" rel="next"', html)


def test_related_lists_front_matter_entries_first(site: Path) -> None:
    html = (site / "2024/05/03/strike-talks/index.html").read_text()
    section = html.split('<section class="related"')[1].split("</section>")[0]
    titles = re.findall(r"<li>(?:<a [^>]*>)?([^<]+)", section)
    assert titles[:2] == ["Port Strike Begins as Dockworkers Walk Out",
                          "A story from another paper"]
    assert titles[2] == "Port Strike Ends After Nine Weeks"  # shares both Labour and Port
    assert len(titles) == 2 + 3  # related_limit = 3


def test_archive_page_draws_articles_per_month(site: Path) -> None:
    html = (site / "archive/index.html").read_text()
    assert html.count('<svg class="month-chart"') == 2  # 2023 and 2024
    assert 'aria-label="Articles per month in 2024: January 0,' in html
    assert '<a href="/archive/2024/05/">May</a> <span class="count">4</span>' in html


def test_merged_spellings_and_transliterated_slugs(site: Path) -> None:
    tags = (site / "tags/index.html").read_text()
    assert '<a href="/archive/tags/port/">Port</a> <span class="count">6</span>' in tags
    assert '<a href="/archive/tags/economie/">Economie</a> <span class="count">2</span>' in tags
    assert (site / "tags/rybolovstvo/index.html").exists()
    assert (site / "sources/interfaks/feed.xml").exists()


@pytest.mark.parametrize(("body", "nested"), [
    ("<h3>A</h3><h4>B</h4><h3>C</h3>", "<h2>A</h2><h3>B</h3><h2>C</h2>"),
    ('<h1 id="x">A</h1><h3>B</h3><h2>C</h2>', '<h2 id="x">A</h2><h3>B</h3><h3>C</h3>'),
    ("<h2>A</h2><h6>B</h6><header>x</header><hr>", "<h2>A</h2><h3>B</h3><header>x</header><hr>"),
    ("<p>no headings</p>", "<p>no headings</p>"),
])
def test_body_headings_nest_under_the_title(body: str, nested: str) -> None:
    assert nest_headings(body) == nested
