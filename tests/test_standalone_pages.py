"""Standalone pages: files in content/pages/ (or with ``page: true``) become undated pages
at /{slug}/, outside every listing and feed but in the sitemap and reachable by .md links."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from site_builder.content import parse_text
from site_builder.routes import plan_routes
from site_builder.search import PAGES_SHARD, shards_of
from site_builder.site import build_site

from .conftest import make_config
from .projects import CONFIG, build, problems, write_project
from .test_incremental import assert_matches_clean

ABOUT = "---\ntitle: About us\nsummary: Who we are.\n---\n\nWe are [the paper](../a.md).\n"
ARTICLE = ("---\ntitle: Harbour news\ndate: 2024-05-02\n---\n\n"
           "Read [about us](pages/about.md) and [the history](pages/history.md#founding).\n")
HISTORY = ("---\ntitle: History\npage: true\ndate: 1921-03-01\n---\n\n"
           "## Founding\n\nFounded in 1921.\n")


def parse(text: str, path: str = "content/pages/about.md"):  # type: ignore[no-untyped-def]
    return parse_text(text, path, make_config(Path("/project")))


def test_a_file_in_the_pages_folder_is_an_undated_page_at_its_slug() -> None:
    page, found = parse(ABOUT)
    assert found == []
    assert page is not None
    assert (page.page, page.date, page.url, page.slug) == (True, None, "about/", "about")


def test_page_true_anywhere_needs_no_date_and_a_page_may_keep_one() -> None:
    page, found = parse("---\ntitle: Contact\npage: true\n---\n", "content/2024/contact.md")
    assert found == [] and page is not None
    assert (page.page, page.date, page.url) == (True, None, "contact/")
    page, found = parse(HISTORY, "content/history.md")
    assert found == [] and page is not None
    assert page.date is not None and page.date.year == 1921 and page.url == "history/"


def test_a_page_keeps_the_url_it_sets_and_page_false_makes_an_article() -> None:
    page, _ = parse("---\ntitle: About\nurl: /about-us.html\n---\n")
    assert page is not None and page.url == "about-us.html"
    _, found = parse("---\ntitle: Old notice\npage: false\n---\n")
    assert [str(p) for p in found] == [
        "content/pages/about.md:1: date: required field is missing"]
    article, _ = parse("---\ntitle: Old notice\npage: false\ndate: 2024-05-02\n---\n")
    assert article is not None and not article.page and article.url == "2024/05/02/about/"


def test_the_pages_folder_follows_content_dir() -> None:
    config = make_config(Path("/project"), content_dir="site")
    page, found = parse_text(ABOUT, "site/pages/about.md", config)
    assert found == [] and page is not None and page.page
    article, found = parse_text(ABOUT, "content/pages/about.md", config)
    assert article is None
    assert [str(p) for p in found] == ["content/pages/about.md:1: date: required field is missing"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_project(tmp_path_factory.mktemp("pages") / "p", {
        "content/a.md": ARTICLE, "content/pages/about.md": ABOUT,
        "content/pages/history.md": HISTORY,
    }, CONFIG + "search = false\n")
    code, _, err = build(project)
    assert code == 0, err
    return project / "output"


def test_a_page_has_its_own_template_without_date_byline_or_neighbours(site: Path) -> None:
    html = (site / "about/index.html").read_text()
    assert '<article class="article standalone-page" data-pagefind-body>' in html
    assert "<h1>About us</h1>" in html
    assert '<a href="/2024/05/02/a/">the paper</a>' in html
    for absent in ("<time", 'class="byline"', 'class="neighbours"', 'class="breadcrumbs"',
                   'class="related"', "article:published_time"):
        assert absent not in html, absent
    assert '<meta property="og:type" content="website">' in html
    [raw] = re.findall(r'ld\+json">(.*?)</script>', html)
    assert json.loads(raw) == {
        "@context": "https://schema.org", "@type": "WebPage", "name": "About us",
        "url": "https://example.org/about/", "description": "Who we are.", "inLanguage": "en",
        "isPartOf": {"@type": "WebSite", "name": "Test", "url": "https://example.org/"}}


def test_a_dated_page_says_so_only_in_its_metadata(site: Path) -> None:
    html = (site / "history/index.html").read_text()
    assert "<time" not in html
    [raw] = re.findall(r'ld\+json">(.*?)</script>', html)
    assert json.loads(raw)["datePublished"] == "1921-03-01T00:00:00+00:00"
    assert not (site / "1921").exists()


def test_md_links_from_an_article_lead_to_the_pages(site: Path) -> None:
    html = (site / "2024/05/02/a/index.html").read_text()
    assert '<a href="/about/">about us</a>' in html
    assert '<a href="/history/#founding">the history</a>' in html


def test_pages_are_in_the_sitemap_but_in_no_listing_or_feed(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text()
    assert "<url><loc>https://example.org/about/</loc></url>" in sitemap  # no date to give
    assert ("<url><loc>https://example.org/history/</loc><lastmod>1921-03-01T00:00:00+00:00"
            "</lastmod></url>") in sitemap
    for listing in ("index.html", "archive/index.html", "2024/index.html", "feed.xml",
                    "rss.xml", "feed.json"):
        text = (site / listing).read_text()
        assert "About us" not in text and "History" not in text, listing


def test_a_page_cannot_take_a_url_of_the_site(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {
        "content/a.md": ARTICLE.replace("2024-05-02", "2023-05-02"),
        "content/pages/tags.md": "---\ntitle: Tags\n---\n",
        "content/pages/2023.md": "---\ntitle: Our 2023\n---\n",
    })
    code, _, err = build(project)
    assert (code, problems(err)) == (1, [
        "content/pages/tags.md: URL /tags/ is reserved by the site"])
    (project / "content/pages/tags.md").unlink()
    code, _, err = build(project)
    assert (code, problems(err)) == (1, [
        "content/pages/2023.md: two outputs would be written to 2023/index.html: "
        "content/pages/2023.md, the site's own year.html page"])


def test_pages_go_to_the_search_shard_of_pages_not_to_a_dated_one() -> None:
    config = make_config(Path("/project"), search=True)
    about, _ = parse(ABOUT)
    history, _ = parse(HISTORY, "content/history.md")
    article, _ = parse(ARTICLE, "content/a.md")
    assert about is not None and history is not None and article is not None
    routes = plan_routes(build_site(config, [about, history, article]), config)
    shards = shards_of(routes, "en")
    assert shards["en"] == ("2024/05/02/a/index.html",)
    assert {"about/index.html", "history/index.html"} <= set(shards[PAGES_SHARD])


MENU = '[menu]\nheader = ["about"]\nfooter = ["pages/history.md", "/about/"]\n'


def test_the_menu_links_pages_from_every_header_and_footer(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {
        "content/a.md": ARTICLE, "content/pages/about.md": ABOUT,
        "content/pages/history.md": HISTORY,
    }, CONFIG + "search = false\n" + MENU)
    code, _, err = build(project)
    assert code == 0, err
    for page in ("index.html", "2024/05/02/a/index.html", "history/index.html", "404.html"):
        html = (project / "output" / page).read_text()
        site_nav = html.split('aria-label="Site">')[1].split("</nav>")[0]
        assert site_nav.rstrip().endswith(
            '<li><a href="/about/">About us</a></li>\n</ul>'), page
        footer = html.split('<nav class="site-nav footer-nav" aria-label="About the site">')[1]
        assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>',
                          footer.split("</nav>")[0]) == [
            ("/history/", "History"), ("/about/", "About us")], page
    about = (project / "output/about/index.html").read_text()
    assert about.count('<a href="/about/" aria-current="page">About us</a>') == 2


def test_a_menu_entry_that_names_no_page_is_an_error_at_the_menu(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {
        "content/a.md": ARTICLE.split("Read")[0], "content/pages/about.md": ABOUT,
    }, CONFIG + "search = false\n" + MENU.replace("/about/", "abuot"))
    code, _, err = build(project)
    assert (code, problems(err)) == (1, [
        "config.toml:4: menu.footer: 'abuot' is not a page of the site: name a page "
        "by its URL ('about') or its file ('pages/about.md'); standalone pages: 'about'",
        "config.toml:4: menu.footer: 'pages/history.md' is not a page of the site: name a page "
        "by its URL ('about') or its file ('pages/about.md'); standalone pages: 'about'"])


def test_retitling_a_page_in_the_menu_updates_every_page(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {
        "content/a.md": ARTICLE, "content/pages/about.md": ABOUT,
        "content/pages/history.md": HISTORY,
    }, CONFIG + "search = false\n" + MENU)
    assert build(project)[0] == 0
    about = project / "content/pages/about.md"
    about.write_text(about.read_text().replace("About us", "Who we are"))
    assert build(project)[0] == 0
    assert '<a href="/about/">Who we are</a>' in (project / "output/index.html").read_text()
    assert_matches_clean(project)
