"""The default theme's reading details: highlighted code, Markdown summaries, credit lines,
the front page's lead story and the pictures in listings."""

from __future__ import annotations

import datetime as dt
import re
import typing as t
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from site_builder import load_config
from site_builder.body import render_markdown
from site_builder.content import discover_sources, parse_article
from site_builder.incremental.fingerprint import Digester
from site_builder.model import Article, Term
from site_builder.routes import FRONT_SECTION_ARTICLES, front_page, plan_routes
from site_builder.site import build_site, paginate

from .conftest import PROJECT_ROOT, copy_site, make_article, make_config
from .conftest import build as build_site_of
from .projects import ARTICLE, CONFIG, build, problems, write_project
from .test_incremental import assert_matches_clean, basic_site

SITE_CSS = PROJECT_ROOT / "site_builder" / "static" / "site.css"
NO_SEARCH = CONFIG + "search = false\n"


# --- code -------------------------------------------------------------------------

def test_fenced_code_is_highlighted_with_css_classes() -> None:
    html = render_markdown("```python\nimport os  # the module\nprint('<b>')\n```\n").html
    assert html.startswith('<div class="codehilite"><pre><span></span><code>'
                           '<span class="kn">import</span>')
    assert '<span class="c1"># the module</span>' in html
    # Escaped once, and no inline styles: the theme's stylesheet colours the classes.
    assert "&lt;b&gt;" in html and "style=" not in html


def test_code_without_a_language_is_not_guessed() -> None:
    html = render_markdown("```\nSELECT * FROM votes;\n```\n").html
    assert html == ('<div class="codehilite"><pre><span></span><code>SELECT * FROM votes;\n'
                    "</code></pre></div>")


def test_indented_code_keeps_its_first_line_and_its_attributes() -> None:
    # The stock pass would take ":::python" as the language and drop the line.
    html = render_markdown("    :::python\n    x = 1\n{: .listing #code-1}\n").html
    assert html == ('<div id="code-1" class="listing codehilite"><pre><span></span><code>'
                    ":::python\nx = 1\n</code></pre></div>")


def test_highlighting_survives_sanitising() -> None:
    text = "```js\nconst a = \"x\";\n```\n"
    assert render_markdown(text).html == render_markdown(text, unsafe_html=True).html
    assert '<span class="kd">const</span>' in render_markdown(text).html


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """Return the WCAG contrast ratio of two ``#rrggbb`` colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_code_colours_are_readable_in_light_and_dark() -> None:
    css = SITE_CSS.read_text()
    dark_at = css.index("@media (prefers-color-scheme: dark)", css.index(".codehilite ."))
    backgrounds = re.findall(r"--code-bg: (#[0-9a-f]{6});", css)
    assert len(backgrounds) == 2  # light, then dark
    for part, background in ((css[:dark_at], backgrounds[0]), (css[dark_at:], backgrounds[1])):
        colours = re.findall(r"\.codehilite \.[a-z0-9]+[^{]*\{ color: (#[0-9a-f]{6})", part)
        assert len(colours) > 5
        for colour in colours:
            assert contrast(colour, background) >= 4.5, (colour, background)


@pytest.mark.parametrize("token", ["k", "s", "c1", "mi", "nb"])
def test_common_tokens_have_a_colour_in_both_schemes(token: str) -> None:
    css = SITE_CSS.read_text()
    dark_at = css.index("@media (prefers-color-scheme: dark)", css.index(".codehilite ."))
    selector = re.compile(rf"\.codehilite \.{token}[ ,{{]")
    assert selector.search(css[:dark_at]) and selector.search(css[dark_at:])


# --- summaries --------------------------------------------------------------------

BLOCK_TAGS = re.compile(r"<(?:p|h[1-6]|ul|ol|li|blockquote|pre|div|table|hr)[\s>]")


@pytest.mark.parametrize(("text", "html", "plain"), [
    ("Run `git log --oneline` first", "Run <code>git log --oneline</code> first",
     "Run git log --oneline first"),
    ("*Breaking*: the **port** is ~~open~~ shut", "<em>Breaking</em>: the <strong>port</strong>"
     " is <del>open</del> shut", "Breaking: the port is open shut"),
    ("It's \"final\" -- or is it...", "It\u2019s \u201cfinal\u201d \u2013 or is it\u2026",
     "It\u2019s \u201cfinal\u201d \u2013 or is it\u2026"),
    ("Tags like <b>bold</b> & <script>x()</script> are text",
     "Tags like &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;x()&lt;/script&gt; are text",
     "Tags like <b>bold</b> & <script>x()</script> are text"),
    ("See [the report](https://example.org/r) and ![a chart](c.png)",
     "See the report and", "See the report and"),
    ("1984. The year the port closed", "1984. The year the port closed",
     "1984. The year the port closed"),
    ("# Not a heading", "# Not a heading", "# Not a heading"),
    ("- not a list\n- either", "- not a list - either", "- not a list - either"),
    ("> not a quote", "&gt; not a quote", "> not a quote"),
    ("One paragraph\n\n    not code", "One paragraph not code", "One paragraph not code"),
    ("&amp; and &copy; stay entities", "&amp; and \u00a9 stay entities",
     "& and \u00a9 stay entities"),
])
def test_summary_is_inline_markdown(text: str, html: str, plain: str) -> None:
    from site_builder.body import render_summary

    rendered, text_only = render_summary(text)
    assert (rendered, text_only) == (html, plain)
    assert not BLOCK_TAGS.search(rendered) and "`" not in rendered


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="`*_[]<>&\\~'\"!.-",
                                      exclude_categories=("Cs", "Cc")), max_size=80))
def test_plain_summaries_skip_the_converter_with_the_same_result(text: str) -> None:
    from site_builder.body import _SPACE, render_inline, render_summary

    line = _SPACE.sub(" ", text).strip()
    assert render_summary(text) == render_inline(line)


SUMMARY_ARTICLE = """---
title: Release notes
date: 2024-05-02
summary: "Use `site-builder build --clean` <em>now</em> & later"
---

Body.
"""


def test_listings_show_the_summary_as_html_and_metadata_as_plain_text(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"content/notes.md": SUMMARY_ARTICLE}, NO_SEARCH)
    assert build(project)[0] == 0
    home = (project / "output" / "index.html").read_text()
    assert ('<p class="summary">Use <code>site-builder build --clean</code> '
            "&lt;em&gt;now&lt;/em&gt; &amp; later</p>") in home
    page = (project / "output" / "2024" / "05" / "02" / "notes" / "index.html").read_text()
    plain = "Use site-builder build --clean &lt;em&gt;now&lt;/em&gt; &amp; later"
    assert f'<meta name="description" content="{plain}">' in page
    assert "`" not in page
    feed = (project / "output" / "feed.xml").read_text()
    assert f"<summary>{plain}</summary>" in feed


def test_a_summary_taken_from_the_body_is_escaped_once() -> None:
    article = make_article(summary="Profits rose 5% <year on year> & more")
    assert article.summary_html == "Profits rose 5% &lt;year on year&gt; &amp; more"


# --- the front page ---------------------------------------------------------------

def _front(*articles: Article, per_page: int = 10) -> dict[str, object]:
    ordered = sorted(articles, key=lambda a: t.cast(dt.datetime, a.date), reverse=True)
    return front_page(paginate(ordered, per_page, "")[-1])


def _story(day: int, **fields: t.Any) -> Article:
    return make_article(slug=f"story-{day}", title=f"Story {day}",
                        date=dt.datetime(2024, 5, day, tzinfo=dt.UTC), **fields)


def test_the_newest_article_leads_when_none_is_featured() -> None:
    first, second, third = _story(1), _story(2), _story(3)
    front = _front(first, second, third)
    assert front["lead"] is third
    assert front["latest"] == (second, first)


def test_the_newest_featured_article_on_the_front_page_leads() -> None:
    old_feature, feature, newest = _story(1, featured=True), _story(2, featured=True), _story(3)
    front = _front(old_feature, feature, newest)
    assert front["lead"] is feature
    # The lead is not repeated; the rest keep their order, newest first.
    assert front["latest"] == (newest, old_feature)


def test_a_featured_article_no_longer_on_the_front_page_does_not_lead() -> None:
    feature = _story(1, featured=True)
    others = [_story(day) for day in range(2, 8)]
    front = _front(feature, *others, per_page=3)  # the front page holds days 7 to 4
    assert front["lead"] is others[-1]
    assert feature not in t.cast(tuple[Article, ...], front["latest"])


def test_an_empty_site_has_no_lead() -> None:
    assert _front()["lead"] is None and _front()["latest"] == ()


def test_featured_must_be_true_or_false(tmp_path: Path) -> None:
    text = "---\ntitle: A\ndate: 2024-05-02\nfeatured: yes please\n---\nBody.\n"
    project = write_project(tmp_path / "p", {"content/a.md": text}, NO_SEARCH)
    code, _, err = build(project)
    assert code == 1
    assert "content/a.md:4: featured: expected true or false, got 'yes please'" in err


PICTURED = """---
title: Cranes at dawn
date: 2024-05-03
image:
  src: /news/images/cranes.svg
  alt: Two cranes over the dock
featured: true
---

Body.
"""
BUNDLED = """---
title: The ferry
date: 2024-05-01
image: ferry.svg
---

Body.
"""


def test_listings_show_thumbnails_in_boxes_of_fixed_shape(tmp_path: Path) -> None:
    files = {"content/cranes.md": PICTURED, "content/plain.md": ARTICLE.format(title="Plain"),
             "content/ferry/index.md": BUNDLED, "content/ferry/ferry.svg": "<svg/>",
             "static/images/cranes.svg": "<svg/>"}
    project = write_project(tmp_path / "p", files,
                            NO_SEARCH.replace("example.org/", "example.org/news/"))
    assert build(project)[0] == 0
    out = project / "output"
    home = (out / "index.html").read_text()
    # The featured article leads, with its picture loaded at once.
    assert ('<div class="lead-picture"><img src="/news/images/cranes.svg" '
            'alt="Two cranes over the dock" decoding="async"></div>') in home
    # A bundle's image is found from the article's folder, not the listing's.
    assert ('<div class="thumb"><img src="/news/2024/05/01/ferry/ferry.svg" alt="" '
            'loading="lazy" decoding="async"></div>') in home
    year = (out / "2024" / "index.html").read_text()
    assert year.count('<div class="thumb"><img ') == 2
    assert year.count('<li class="card with-picture">') == 2
    assert year.count('<li class="card">') == 1


# --- lead images ------------------------------------------------------------------

def _article_page(tmp_path: Path, image: str) -> str:
    text = f"---\ntitle: Talks\ndate: 2024-05-02\n{image}---\n\nBody.\n"
    project = write_project(tmp_path / "p", {"content/talks.md": text}, NO_SEARCH)
    assert build(project)[0] == 0
    return (project / "output" / "2024" / "05" / "02" / "talks" / "index.html").read_text()


@pytest.mark.parametrize(("image", "line"), [
    ("image:\n  caption: Lavrov and Atmar\n  credit: Artyom Korotayev / TASS\n",
     '<p class="credit">Photo: Lavrov and Atmar (Artyom Korotayev / TASS)</p>'),
    ("image:\n  credit: Artyom Korotayev / TASS\n",
     '<p class="credit">Photo: Artyom Korotayev / TASS</p>'),
    ("image:\n  caption: Lavrov and Atmar\n", '<p class="credit">Photo: Lavrov and Atmar</p>'),
])
def test_a_caption_and_credit_without_a_picture_make_a_credit_line(
    tmp_path: Path, image: str, line: str
) -> None:
    page = _article_page(tmp_path, image)
    assert line in page
    assert "<figure" not in page and "<figcaption" not in page


def test_a_picture_keeps_its_figure_and_caption(tmp_path: Path) -> None:
    page = _article_page(tmp_path, "image:\n  src: https://cdn.example.org/a.jpg\n"
                                   "  caption: The dock\n  credit: A. Petrova\n")
    assert ('<figure class="lead-image">\n<img src="https://cdn.example.org/a.jpg" '
            'alt="The dock">\n<figcaption>The dock <span class="credit">(A. Petrova)</span>'
            "</figcaption>\n</figure>") in page
    assert '<p class="credit">' not in page


# --- the newest of each section -----------------------------------------------------

def test_each_section_shows_its_newest_articles_not_shown_above() -> None:
    sections = ["World", "City", "World", "City", "World", "World", "World", "City"]
    articles = [_story(day, section=name) for day, name in enumerate(sections, 1)]
    site = build_site(make_config(Path("/p"), sections=("City", "World"), per_page=4),
                      articles)
    front = front_page(site.home_pages[-1], site.sections)
    shown = [t.cast(Article, front["lead"]), *t.cast(tuple[Article, ...], front["latest"])]
    assert [a.slug for a in shown] == ["story-8", "story-7", "story-6", "story-5"]
    blocks = t.cast(tuple[Term, ...], front["sections"])
    # In navigation order; at most FRONT_SECTION_ARTICLES each, none repeated from above.
    assert [(b.name, [a.slug for a in b.articles], b.count) for b in blocks] == [
        ("City", ["story-4", "story-2"], 3),
        ("World", ["story-3", "story-1"], 5),
    ]
    assert FRONT_SECTION_ARTICLES == 3


def test_a_section_with_nothing_left_to_show_is_left_out() -> None:
    articles = [_story(1, section="World"), _story(2, section="City"), _story(3)]
    site = build_site(make_config(Path("/p"), per_page=3), articles)
    assert front_page(site.home_pages[-1], site.sections)["sections"] == ()


NEWSROOM = Path("content/2024")


def _front_digest(project: Path) -> bytes:
    config = load_config(project)
    articles = [a for a in (parse_article(src, config)[0]
                            for src in discover_sources(config)[0]) if a is not None]
    routes = plan_routes(build_site(config, articles), config)
    [front] = [route for route in routes if route.url == ""]
    return Digester().digest(front)


def test_the_front_page_depends_on_what_it_shows_and_nothing_else(tmp_path: Path) -> None:
    project = copy_site("newsroom", tmp_path)
    before = _front_digest(project)
    # Not on the front page: no section, older than every article shown.
    unrelated = project / NEWSROOM / "02/2024-02-28-february-weather.md"
    unrelated.write_text(unrelated.read_text() + "\nA correction.\n")
    assert _front_digest(project) == before
    # The newest of the Business section, shown below the latest.
    shown = project / NEWSROOM / "03/2024-03-09-shipyard-order.md"
    shown.write_text(shown.read_text().replace("The old shipyard", "The old yard"))
    assert _front_digest(project) != before


@pytest.mark.parametrize("change", ["section block", "featured", "section"])
def test_front_page_changes_build_like_a_clean_build(change: str, tmp_path: Path) -> None:
    project = copy_site("newsroom", tmp_path)
    config = project / "config.toml"
    config.write_text("search = false\n" + config.read_text())
    build_site_of(load_config(project))
    home = (project / "output" / "index.html").read_text()
    if change == "section block":
        path = project / NEWSROOM / "03/2024-03-09-shipyard-order.md"
        path.write_text(path.read_text().replace("The old shipyard", "The old yard"))
        expected = "The old yard on the east quay"
    elif change == "featured":
        path = project / NEWSROOM / "04/2024-04-10-elections-called.md"
        path.write_text(path.read_text().replace("section: World\n",
                                                 "section: World\nfeatured: true\n"))
        expected = '<h2 class="lead-title"><a href="/2024/04/10/elections-called/">'
    else:
        path = project / NEWSROOM / "02/2024-02-28-february-weather.md"
        path.write_text(path.read_text().replace("tags:", "section: Culture\ntags:"))
        expected = "The Mildest February Since 1990"
    assert expected not in home
    result = build_site_of(load_config(project))
    assert "index.html" in result.written
    assert expected in (project / "output" / "index.html").read_text()
    assert_matches_clean(project)


def test_a_summary_edit_takes_the_delta_path_and_equals_a_clean_build(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    build_site_of(load_config(project))
    path = project / "content/2024/05/2024-05-03-strike-talks.md"
    path.write_text(path.read_text().replace(
        "summary: Negotiators returned", "summary: Negotiators with `final offers` returned"))
    result = build_site_of(load_config(project))
    assert "plan and fingerprint" in [name for name, _ in result.stages]  # no new plan
    assert "<code>final offers</code>" in (project / "output/tags/labour/index.html").read_text()
    assert_matches_clean(project)


def test_a_missing_picture_is_reported_once_at_the_articles_image_line(tmp_path: Path) -> None:
    text = "---\ntitle: Cranes\ndate: 2024-05-02\ntags: [Port]\nimage:\n" \
           "  src: /images/missing.svg\n---\n\nBody.\n"
    project = write_project(tmp_path / "p", {"content/cranes.md": text}, NO_SEARCH)
    code, _, err = build(project)
    assert code == 1
    # The thumbnails on the front page, the tag, date and author pages are the same fault.
    assert problems(err) == ["content/cranes.md:5: image: broken link '/images/missing.svg'"]
