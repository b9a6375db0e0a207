"""What archives imported from other generators need: fixed URLs, links by old URL, page
bundles, categories and standalone pages, built end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .projects import build, problems, run, write_project

# Drawings are published as they are: photos would become renditions.
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"/>'

CONFIG = 'title = "Old Site"\nbase_url = "https://example.org/news/"\nsearch = false\n'
STRIKE = "content/2024/05/2024-05-02-strike/index.md"


def article(title: str, date: str = "2024-05-02", body: str = "Body.", **fields: str) -> str:
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{body}\n"


FILES: dict[str, str | bytes] = {
    STRIKE: article("Port strike begins", categories="Labour, Harbour", tags="[port]",
                    body="![The picket](photo.svg) [The notice](files/notice.pdf)\n\n"
                         "[Complex](/2008/11/21/complex.html#part) "
                         "[Alias](/news/old/complex/#part) [Root alias](/old/complex/)"),
    "content/2024/05/2024-05-02-strike/photo.svg": SVG,
    "content/2024/05/2024-05-02-strike/files/notice.pdf": b"%PDF",
    "content/2008/complex/index.md": article(
        "A complex story", "2008-11-21", url="/2008/11/21/complex.html",
        aliases="[/old/complex/]", categories="[labour]",
        body="![Chart](chart.svg)\n\n## Part\n\nText."),
    "content/2008/complex/chart.svg": SVG,
    "content/pages/about.md": article(
        "About us", "2010-01-01", url="/about/", page="true", tags="[port]",
        categories="[Labour]", body="See [the strike](../2024/05/2024-05-02-strike/index.md)."),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_project(tmp_path_factory.mktemp("old") / "p", FILES, CONFIG)
    code, _, err = build(project)
    assert code == 0, err
    return project


def read(site: Path, path: str) -> str:
    return (site / "output" / path).read_text(encoding="utf-8")


def test_url_key_serves_the_article_at_its_old_path(site: Path) -> None:
    page = read(site, "2008/11/21/complex.html")
    assert '<link rel="canonical" href="https://example.org/news/2008/11/21/complex.html">' in page
    [ld] = re.findall(r'ld\+json">(.*?)</script>', page)
    assert json.loads(ld)["url"] == "https://example.org/news/2008/11/21/complex.html"
    assert "<loc>https://example.org/news/2008/11/21/complex.html</loc>" in read(
        site, "sitemap.xml")
    assert "https://example.org/news/2008/11/21/complex.html" in read(site, "feed.xml")
    assert "/2008/11/21/complex.html\tcontent/2008/complex/index.md\n" in (
        site / "url-history.txt").read_text()
    # The permalink the article would otherwise have is not published.
    assert not (site / "output/2008/11/21/complex").exists()


def test_links_by_old_url_reach_the_page(site: Path) -> None:
    page = read(site, "2024/05/02/strike/index.html")
    assert '<a href="/news/2008/11/21/complex.html#part">Complex</a>' in page
    assert '<a href="/news/2008/11/21/complex.html#part">Alias</a>' in page
    assert '<a href="/news/2008/11/21/complex.html">Root alias</a>' in page
    assert "url=/news/2008/11/21/complex.html" in read(site, "old/complex/index.html")


def test_bundle_files_are_published_beside_their_page(site: Path) -> None:
    out = site / "output"
    assert (out / "2024/05/02/strike/photo.svg").read_bytes() == SVG
    assert (out / "2024/05/02/strike/files/notice.pdf").read_bytes() == b"%PDF"
    assert (out / "2008/11/21/chart.svg").read_bytes() == SVG  # beside x.html
    page = read(site, "2024/05/02/strike/index.html")
    assert 'src="photo.svg"' in page and 'href="files/notice.pdf"' in page


def test_categories_have_pages_feeds_and_show_on_articles(site: Path) -> None:
    index = read(site, "categories/index.html")
    assert '<a href="/news/categories/labour/">Labour</a> <span class="count">2</span>' in index
    assert "Articles in Labour" in read(site, "categories/labour/index.html")
    assert "<title>Old Site: Harbour</title>" in read(site, "categories/harbour/feed.xml")
    page = read(site, "2024/05/02/strike/index.html")
    assert ('<p class="categories">Categories: <a class="category" '
            'href="/news/categories/labour/">Labour</a>, <a class="category" '
            'href="/news/categories/harbour/">Harbour</a></p>') in page
    assert '<a href="/news/categories/">Categories</a>' in page
    [ld] = re.findall(r'ld\+json">(.*?)</script>', page)
    assert json.loads(ld)["articleSection"] == "Labour"
    assert ('<category term="Labour" scheme="https://example.org/news/categories/"/>'
            in read(site, "feed.xml"))


def test_standalone_page_is_built_but_listed_nowhere(site: Path) -> None:
    page = read(site, "about/index.html")
    assert "<h1>About us</h1>" in page
    assert 'class="breadcrumbs"' not in page and 'class="neighbours"' not in page
    assert '<a href="/news/2024/05/02/strike/">the strike</a>' in page
    assert "<loc>https://example.org/news/about/</loc>" in read(site, "sitemap.xml")
    for listing in ("index.html", "archive/index.html", "tags/port/index.html",
                    "categories/labour/index.html", "feed.xml", "rss.xml", "feed.json",
                    "tags/port/feed.xml", "2024/05/02/strike/index.html"):
        assert "About us" not in read(site, listing), listing
    assert not (site / "output/2010").exists()
    assert "/about/\tcontent/pages/about.md\n" in (site / "url-history.txt").read_text()


def test_sites_without_categories_have_no_category_pages(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"content/a.md": article("A")}, CONFIG)
    assert build(project)[0] == 0
    assert not (project / "output/categories").exists()
    assert "Categories" not in (project / "output/index.html").read_text()


@pytest.mark.parametrize(("files", "expected"), [
    ({"content/a/index.md": article("A", url="/x/a.html"), "content/a/p.jpg": "1",
      "content/b/index.md": article("B", url="/x/b.html"), "content/b/p.jpg": "2"},
     ["content/a/p.jpg: two outputs would be written to x/p.jpg: content/a/p.jpg, "
      "content/b/p.jpg"]),
    ({"content/a/index.md": article("A"), "content/a/index.html": "<p>old</p>"},
     ["content/a/index.md: two outputs would be written to 2024/05/02/a/index.html: "
      "content/a/index.md, content/a/index.html"]),
    ({"content/a.md": article("A", url="/2024/"), "content/b.md": article("B")},
     ["content/a.md: two outputs would be written to 2024/index.html: content/a.md, "
      "the site's own year.html page"]),
    ({"content/a.md": article("A", url="/news/2024/05/02/b/"), "content/b.md": article("B")},
     ["content/a.md:4: URL /2024/05/02/b/ is used by 2 articles: content/a.md, content/b.md",
      "content/b.md:2: URL /2024/05/02/b/ is used by 2 articles: content/a.md, content/b.md"]),
    ({"content/a.md": article("A", url="/tags/x/")},
     ["content/a.md:4: URL /tags/x/ is reserved by the site"]),
    ({"content/a.md": article("A", url="/categories/x/", categories="[y]")},
     ["content/a.md:4: URL /categories/x/ is reserved by the site"]),
    ({"content/a.md": article("A", url="/x/"), "content/b.md": article("B", aliases="[/x]")},
     ["content/b.md:4: aliases: /x/ is a page of the site already"]),
    ({"content/a/index.md": article("A", body="![](missing.jpg) ![](p.jpg)"),
      "content/a/p.jpg": "1"},
     ["content/a/index.md:6: missing.jpg: image file content/a/missing.jpg not found",
      "content/a/index.md:6: p.jpg: content/a/p.jpg: not an image Pillow can read as JPEG, "
      "PNG, WebP or GIF"]),
    ({"content/a/index.md": article("A", body="![](missing.svg) ![](p.svg)"),
      "content/a/p.svg": SVG},
     ["content/a/index.md:6: broken link 'missing.svg'"]),
])
def test_collisions_and_broken_bundle_links_are_errors(
        tmp_path: Path, files: dict[str, str | bytes], expected: list[str]) -> None:
    project = write_project(tmp_path / "p", files, CONFIG)
    code, _, err = build(project)
    assert (code, problems(err)) == (1, expected)


def test_a_url_without_categories_may_use_the_categories_folder(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"content/a.md": article("A", url="/categories/")},
                            CONFIG)
    assert build(project)[0] == 0
    assert "<h1>A</h1>" in (project / "output/categories/index.html").read_text()


def test_giving_an_article_a_url_redirects_its_old_page(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"content/a.md": article("A")}, CONFIG)
    assert build(project)[0] == 0
    (project / "content/a.md").write_text(article("A", url="/2024/a.html"))
    assert build(project)[0] == 0
    old = (project / "output/2024/05/02/a/index.html").read_text()
    assert 'content="0; url=/news/2024/a.html"' in old
    redirects = (project / "output/_redirects").read_text()
    assert "/news/2024/05/02/a/ /news/2024/a.html 301" in redirects


def test_check_does_not_ask_listings_to_reach_standalone_pages(site: Path) -> None:
    code, out, err = run("check", "--project", str(site), "--orphans")
    assert code == 0, err
    assert "no listing page reaches" not in err
