"""Feeds and sitemaps: dates from content, well-formed XML, JSON Feed, sitemap index."""

from __future__ import annotations

import datetime as dt
import json
import typing as t
import xml.etree.ElementTree as ET
from pathlib import Path

from site_builder import load_config
from site_builder.feeds import json_feed, newest_date, sitemap_routes
from site_builder.model import Image, Route
from site_builder.site import build_site

from .conftest import build, make_article, make_config

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DAY = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def pages(count: int) -> list[Route]:
    return [Route(url=f"p{i:02d}/", output_path=f"p{i:02d}/index.html", template="x.html",
                  lastmod=DAY + dt.timedelta(days=i)) for i in range(count)]


def test_feed_date_is_the_newest_content_date_not_the_newest_article() -> None:
    older_but_updated = make_article(slug="a", date=DAY, updated=DAY + dt.timedelta(days=9))
    newest = make_article(slug="b", date=DAY + dt.timedelta(days=1))
    assert newest_date([newest, older_but_updated]) == DAY + dt.timedelta(days=9)
    assert newest_date([]) is None


def test_small_sitemaps_are_one_urlset() -> None:
    [route] = sitemap_routes(make_config(Path("/p")), pages(3), limit=3)
    assert route.output_path == "sitemap.xml" and route.template == "sitemap.xml"
    assert [loc for loc, _ in route.context["entries"]] == [  # type: ignore[attr-defined]
        "https://example.org/p00/", "https://example.org/p01/", "https://example.org/p02/"]


def test_more_urls_than_the_limit_make_a_sitemap_index() -> None:
    routes = sitemap_routes(make_config(Path("/p")), pages(7), limit=3)
    assert [r.output_path for r in routes] == [
        "sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    index = routes[0]
    assert index.template == "sitemap_index.xml"
    assert index.context["sitemaps"] == [
        ("https://example.org/sitemap-1.xml", DAY + dt.timedelta(days=2)),
        ("https://example.org/sitemap-2.xml", DAY + dt.timedelta(days=5)),
        ("https://example.org/sitemap-3.xml", DAY + dt.timedelta(days=6)),
    ]
    sizes = [len(r.context["entries"]) for r in routes[1:]]  # type: ignore[arg-type]
    assert sizes == [3, 3, 1]


def test_json_feed_items_carry_absolute_urls_and_content() -> None:
    article = make_article(slug="x", authors=("Li Wei",), source="Reuters", tags=("Port",),
                           image=Image(src="/img/a.jpg"), original_url="https://a.example/x",
                           html="<p>Full</p>", summary="Short")
    config = make_config(Path("/p"), base_url="https://example.org/news/")
    feed = json_feed(config, build_site(config, [article]), [article],
                     title="News", feed_url="feed.json", home_url="")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://example.org/news/feed.json"
    items = t.cast(list[dict[str, object]], feed["items"])
    [item] = items
    assert item == {
        "id": "https://example.org/news/2024/05/02/x/",
        "url": "https://example.org/news/2024/05/02/x/",
        "title": "A story",
        "content_html": "<p>Full</p>",
        "summary": "Short",
        "date_published": "2024-05-02T08:00:00+00:00",
        "date_modified": "2024-05-02T08:00:00+00:00",
        "authors": [{"name": "Li Wei", "url": "https://example.org/news/authors/li-wei/"},
                    {"name": "Reuters", "url": "https://example.org/news/sources/reuters/"}],
        "tags": ["Port"],
        "image": "https://example.org/img/a.jpg",
        "external_url": "https://a.example/x",
    }


def test_every_feed_and_sitemap_is_well_formed_despite_control_characters(
    tmp_path: Path,
) -> None:
    project = tmp_path / "p"
    (project / "content").mkdir(parents=True)
    (project / "config.toml").write_text(
        'title = "Bell \\u0007 News"\nbase_url = "https://example.org/"\n')
    # YAML escapes reach past the cleaning of the raw text on reading.
    (project / "content" / "2024-05-01-bell.md").write_text(
        '---\ntitle: "Alarm \\x01 bell \\x1f rings"\ndate: 2024-05-01\n'
        'tags: ["Sig\\x02nal"]\nauthors: ["Ann \\x0c Lee"]\n---\n\nText.\n')
    build(load_config(project))
    out = project / "output"
    xml_files = sorted(out.rglob("*.xml"))
    assert len(xml_files) >= 5  # site feeds, term feeds, sitemap
    for path in xml_files:
        ET.parse(path)  # raises on any character XML cannot carry
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}entry/{ATOM}title") == "Alarm  bell  rings"
    assert feed.findtext(f"{ATOM}updated") == "2024-05-01T00:00:00+00:00"
    data = json.loads((out / "feed.json").read_text())
    assert data["items"][0]["title"] == "Alarm  bell  rings"
    page = (out / "2024/05/01/bell/index.html").read_text()
    assert "\x01" not in page and "Alarm  bell  rings" in page


def test_sitemap_lists_every_page_but_404_and_search_with_content_dates(
    tmp_path: Path,
) -> None:
    from .conftest import copy_site

    project = copy_site("basic", tmp_path)
    build(load_config(project))
    out = project / "output"
    root = ET.parse(out / "sitemap.xml").getroot()
    listed = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod")
              for u in root.iter(f"{SITEMAP}url")}
    pages_built = {"https://example.org/archive/" + p.relative_to(out).as_posix()
                   .removesuffix("index.html") for p in out.rglob("*.html")}
    assert set(listed) == pages_built - {"https://example.org/archive/404.html",
                                         "https://example.org/archive/search/"}
    assert listed["https://example.org/archive/2024/05/03/strike-talks/"] == \
        "2024-05-04T09:00:00+03:00"  # the article's updated date
    assert listed["https://example.org/archive/tags/labour/"] == "2024-07-04T00:00:00+03:00"
    robots = (out / "robots.txt").read_text()
    assert "Sitemap: https://example.org/archive/sitemap.xml" in robots
