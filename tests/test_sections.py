"""Sections: one per article, in the navigation in the order config.toml gives, each
with a paginated front at the top of the site and a feed of its own."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from site_builder import load_config
from site_builder.model import Article
from site_builder.routes import plan_routes
from site_builder.site import build_site

from .conftest import build, make_article, make_config
from .projects import CONFIG, write_project
from .test_incremental import add_front_matter, assert_matches_clean, basic_site

DAY = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def filed(*sections: str | None) -> list[Article]:
    """Return one article per entry of ``sections``, a day apart, the first oldest."""
    return [make_article(slug=f"a{i:02d}", date=DAY + dt.timedelta(days=i), section=section)
            for i, section in enumerate(sections)]


def order(articles: list[Article], configured: tuple[str, ...] = ()) -> list[str]:
    site = build_site(make_config(Path("/p"), sections=configured), articles)
    return [term.name for term in site.sections.terms]


def test_without_config_the_biggest_section_comes_first_ties_by_name() -> None:
    articles = filed("Sport", "World", "World", "Business", "Culture", "Sport", "World")
    assert order(articles) == ["World", "Sport", "Business", "Culture"]


def test_configured_sections_come_first_in_config_order_then_the_rest_by_size() -> None:
    articles = filed("Sport", "World", "World", "Business", "Culture", "Culture", "World")
    assert order(articles, ("Sport", "Business")) == ["Sport", "Business", "World", "Culture"]


def test_config_names_match_any_spelling_and_unused_ones_are_left_out() -> None:
    articles = filed("world", "World", "Sport")
    assert order(articles, ("Weather", "WORLD")) == ["World", "Sport"]


def test_articles_without_a_section_and_pages_join_none() -> None:
    about = make_article(slug="about", url="about/", page=True, section="World")
    site = build_site(make_config(Path("/p")), [*filed(None, "World"), about])
    [world] = site.sections.terms
    assert [a.slug for a in world.articles] == ["a01"]


def test_a_section_is_a_term_with_its_front_at_the_top_of_the_site() -> None:
    articles = filed("World News", "World News", "Sport")
    site = build_site(make_config(Path("/p")), articles)
    world = site.sections.terms[0]
    assert (world.name, world.slug, world.url, world.feed_url) == (
        "World News", "world-news", "world-news/", "world-news/feed.xml")
    assert [a.slug for a in world.articles] == ["a01", "a00"]  # newest first
    assert site.sections.lookup(["World News"]) == (world,)


def test_section_fronts_paginate_like_every_listing_and_have_a_feed() -> None:
    articles = filed(*["World"] * 5, "Sport")
    config = make_config(Path("/p"), per_page=2)
    routes = {route.url: route for route in plan_routes(build_site(config, articles), config)}
    assert [url for url in routes if url.startswith("world/")] == [
        "world/page/1/", "world/", "world/feed.xml"]
    front = routes["world/"]
    assert front.template == "section.html"
    assert [a.slug for a in front.context["page"].items] == ["a04", "a03", "a02"]  # type: ignore[attr-defined]
    assert [a.slug for a in routes["world/page/1/"].context["page"].items] == ["a01", "a00"]  # type: ignore[attr-defined]
    feed = routes["world/feed.xml"]
    assert feed.template == "atom.xml" and feed.context["page_url"] == "world/"
    assert len(feed.context["articles"]) == 5  # type: ignore[arg-type]


def test_a_template_reading_the_sections_follows_them(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    (project / "templates").mkdir()
    (project / "templates" / "404.html").write_text(
        '{% extends "default/404.html" %}\n{% block footer %}'
        "{% for term in site.sections.terms %}{{ term.name }} {{ term.count }};{% endfor %}"
        "{% endblock %}\n")
    build(load_config(project))
    assert ";" not in (project / "output/404.html").read_text()
    add_front_matter(project, "section: Transport\n")
    result = build(load_config(project))
    assert "404.html" in result.written
    assert "Transport 1;" in (project / "output/404.html").read_text()
    assert (project / "output/transport/index.html").is_file()
    assert_matches_clean(project)


def sections_project(root: Path) -> Path:
    """Write a project of three articles in two sections, Sport first by config."""
    def story(title: str, date: str, section: str) -> str:
        return f"---\ntitle: {title}\ndate: {date}\nsection: {section}\n---\n\nBody of {title}.\n"
    return write_project(root, {
        "content/a.md": story("Ferry talks", "2024-05-01", "World"),
        "content/b.md": story("Summit ends", "2024-05-02", "World"),
        "content/c.md": story("Cup final", "2024-05-03", "Sport"),
    }, config=CONFIG + 'search = false\nsections = ["Sport"]\n')


def nav(html: str) -> list[tuple[str, str]]:
    part = html.split('<nav class="site-nav section-nav" aria-label="Sections">')[1]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', part.split("</nav>")[0])


def test_every_page_shows_the_sections_in_navigation_order(tmp_path: Path) -> None:
    project = sections_project(tmp_path / "p")
    build(load_config(project))
    out = project / "output"
    for page in ("index.html", "world/index.html", "2024/05/02/b/index.html", "404.html"):
        assert nav((out / page).read_text()) == [("/sport/", "Sport"), ("/world/", "World")]
    assert '<a href="/world/" aria-current="page">World</a>' in (
        out / "world/index.html").read_text()


def test_an_article_names_its_section_in_breadcrumbs_header_and_metadata(
        tmp_path: Path) -> None:
    project = sections_project(tmp_path / "p")
    build(load_config(project))
    html = (project / "output/2024/05/02/b/index.html").read_text()
    crumbs = html.split('<nav class="breadcrumbs" aria-label="Breadcrumb">')[1].split("</nav>")[0]
    assert re.findall(r"<li>(.*?)</li>|<li aria-current=\"page\">(.*?)</li>", crumbs) == [
        ('<a href="/">Home</a>', ""), ('<a href="/world/">World</a>', ""), ("", "Summit ends")]
    assert '<p class="section-link" data-pagefind-ignore><a href="/world/">World</a></p>' in html
    assert '<meta property="article:section" content="World">' in html
    ld = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert ld["articleSection"] == "World"


def test_a_body_edit_leaves_the_pages_of_other_articles_alone(tmp_path: Path) -> None:
    project = sections_project(tmp_path / "p")
    build(load_config(project))
    path = project / "content/b.md"
    path.write_text(path.read_text() + "\nA correction.\n")
    result = build(load_config(project))
    assert "2024/05/02/b/index.html" in result.written
    assert "world/index.html" not in result.written  # shows the summary, not the body
    assert not {"2024/05/01/a/index.html", "2024/05/03/c/index.html", "sport/index.html",
                "404.html"} & set(result.written)
    assert_matches_clean(project)
