"""Reading a Zola site: paths as Zola computes them, sections, bundles, links, shortcodes."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import typing as t
from pathlib import Path

import pytest

from site_builder.importers.imported import ImportedArticle, SiteImport
from site_builder.importers.markdown_source import code_ranges, outside
from site_builder.importers.zola import read_site, zola_slug

from .conftest import SITES, make_config, shared_dir

SHORTCODE_CALL = re.compile(r"\{\{\s*[0-9A-Za-z_]+\s*\(|\{%\s*[0-9A-Za-z_]+\s*\(")


def read(path: Path, settings: Path | None = None) -> SiteImport:
    return read_site(path, make_config(path), settings)


def by_origin(result: SiteImport, origin: str) -> ImportedArticle:
    found = [a for a in result.articles if a.origin == origin]
    assert len(found) == 1, [a.origin for a in result.articles]
    return found[0]


def make_site(tmp_path: Path, files: t.Mapping[str, str], config: str | None = None) -> Path:
    """Write a Zola site of ``files`` (paths under content/) and return its folder."""
    root = tmp_path / "site"
    for name, text in files.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if config is not None:
        (root / "config.toml").write_text(config, encoding="utf-8")
    return root


def page(front: str, body: str = "") -> str:
    return f"+++\n{front}\n+++\n{body}"


def one(tmp_path: Path, front: str, body: str = "", name: str = "posts/x.md",
        config: str | None = None) -> tuple[ImportedArticle, SiteImport]:
    result = read(make_site(tmp_path, {name: page(front, body)}, config))
    assert len(result.articles) == 1, result.accounted
    return result.articles[0], result


def warnings(result: SiteImport) -> list[str]:
    return [f"{p.line}: {p.message}" for p in result.problems if p.level == "warning"]


def all_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def assert_accounted_once(result: SiteImport, expected: t.Iterable[str]) -> None:
    paths = [a.path for a in result.accounted]
    assert len(paths) == len(set(paths)), "a file is accounted for twice"
    assert sorted(paths) == sorted(expected)


# --- the shared test site of Zola ---------------------------------------------------------


def test_zola_test_site_every_file_accounted_for() -> None:
    content = shared_dir("migration", "zola", "content")
    result = read(content)
    assert_accounted_once(result, all_files(content))
    assert not [p for p in result.problems if p.level == "error"]
    for article in result.articles:
        skip = code_ranges(article.body)
        calls = [m.group(0) for m in SHORTCODE_CALL.finditer(article.body)
                 if outside(skip, m.start(), m.end())]
        assert calls == [], article.origin
        assert "@/" not in article.body, article.origin


def test_zola_test_site_paths_and_kinds() -> None:
    result = read(shared_dir("migration", "zola", "content"))
    kinds = {a.path: a.kind for a in result.accounted}
    assert kinds[".should-not-be-picked-up.md"] == "skipped"
    assert kinds["posts/draft.md"] == "draft"
    assert kinds["posts/render.md"] == "skipped"
    assert kinds["posts/_index.md"] == "skipped"
    assert kinds["posts/with-assets/zola.png"] == "asset"
    assert kinds["hello.md"] == "page"  # no date, but text
    assert kinds["root-page-1.md"] == "skipped"  # no date, no text
    assert by_origin(result, "posts/fixed-slug.md").old_path == "posts/something-else/"
    assert by_origin(result, "posts/fixed-slug.md").aliases == (
        "an-old-url/old-page/", "an-old-url/an-old-alias.html")
    assert by_origin(result, "posts/fixed-url.md").old_path == "a-fixed-url/"
    dated = by_origin(result, "posts/2016-10-08_a-post-with-dates.md")
    assert (dated.date, dated.old_path) == (dt.date(2016, 10, 8), "posts/a-post-with-dates/")
    assert by_origin(result, "posts/2018/transparent-page.md").old_path == \
        "posts/2018/transparent-page/"
    assert by_origin(result, "posts/tutorials/devops/docker.md").aliases == (
        "posts/tutorials/devops/",)  # the section's redirect_to
    bundle = by_origin(result, "posts/with-assets/index.md")
    assert sorted(a.name for a in bundle.assets) == ["with.js", "zola.png"]
    assert bundle.summary == "hey there"
    assert "Link to [root](/hello/)." in by_origin(result, "posts/draft.md").body
    rust = by_origin(result, "posts/tutorials/programming/rust.md")
    assert rust.summary == "A simple page"
    assert rust.authors == ("Foo Doe", "Bar Doe", "Baz Doe")
    first = by_origin(result, "rebuild/first.md")
    assert first.categories == ("a-category",)
    assert first.extra["taxonomies"] == {"podcast_authors": ["Some Person"]}
    assert result.unmapped["taxonomies.podcast_authors"] == 1


# --- a fixture site of our own -------------------------------------------------------------


@pytest.fixture
def fixture_site(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SITES / "import-zola", tmp_path / "import-zola"))


def test_fixture_site_accounted_and_kinds(fixture_site: Path) -> None:
    result = read(fixture_site)
    expected = [f"content/{p}" for p in all_files(fixture_site / "content")]
    assert_accounted_once(result, [*expected, "static/images/logo.svg"])
    kinds = {a.path: (a.kind, a.reason) for a in result.accounted}
    assert kinds["content/news/ignored.md"] == (
        "skipped", "matches ignored_content '*/ignored.md' in config.toml")
    assert kinds["content/.hidden.md"][0] == "skipped"
    assert kinds["content/orphan/notes.txt"][0] == "skipped"
    assert kinds["content/about/_index.md"][0] == "page"  # a section with text
    assert kinds["content/about/team.svg"][0] == "asset"
    assert kinds["content/news/_index.md"][0] == "skipped"
    assert kinds["content/news/empty.md"][0] == "skipped"
    assert kinds["content/news/undated.md"][0] == "page"
    assert kinds["content/hidden/page.md"][0] == "draft"  # in a drafted section
    assert kinds["content/news/broken.md"][0] == "skipped"
    assert kinds["static/images/logo.svg"][0] == "asset"
    errors = sorted(str(p) for p in result.problems if p.level == "error")
    assert errors == [
        "content/news/bad-date.md:3: date: '2019-13-45' is not a date Zola reads",
        "content/news/broken.md:3: invalid TOML front matter: Invalid value",
    ]
    assert result.proposed == {"language": "en"}


def test_fixture_site_first_post(fixture_site: Path) -> None:
    result = read(fixture_site)
    post = by_origin(result, "content/news/2018-10-02-first-post.md")
    assert post.date == dt.date(2018, 10, 2)
    assert post.old_path == "news/first-post/"
    assert post.original_url == "https://old.example.com/blog/news/first-post/"
    assert post.summary == "The very first one."
    assert post.tags == ("Port", "Strike")
    assert post.categories == ("Labour",)
    assert (post.authors, post.source) == (("Jane Doe",), "Reuters")
    assert post.extra == {"weight": 3, "template": "post.html", "mood": "happy",
                          "extra": {"cover": "cover.jpg"}, "taxonomies": {"series": ["Docks"]}}
    assert "[the second](/news/custom-slug/#reaction) and a ghost." in post.body
    assert "[the bundle](/news/bundle/) and [home](/)" in post.body
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in post.body
    assert '<iframe src="https://player.vimeo.com/video/124313553"' in post.body
    assert '`{{ tweet(url="https://twitter.com/x/status/1") }}`' in post.body
    assert "Keep **calm**." in post.body and "{% note" not in post.body
    assert '```md\n{{ youtube(id="escaped") }}\n```' in post.body
    assert "<!-- more -->" not in post.body
    assert "![Logo](logo.svg)" in post.body
    assert [(a.src.name, a.name) for a in post.assets] == [("logo.svg", "logo.svg")]
    assert sorted(warnings(result)) == sorted([
        "22: link to @/news/ghost.md: no such page in content/; the link is removed, its "
        "text kept",
        "29: shortcode 'tweet' is not converted (a template of the old site); kept as code",
        "31: block shortcode 'note' is not converted: its body is kept as text, the "
        "shortcode dropped",
        "5: aliases of a section are not kept: old-news/",
    ])
    assert result.unmapped == {"template": 2, "weight": 1, "mood": 1, "extra": 1,
                               "taxonomies.series": 1}


def test_fixture_site_slugs_languages_dates(fixture_site: Path) -> None:
    result = read(fixture_site)
    second = by_origin(result, "content/news/2018-10-03_second.md")
    assert second.old_path == "news/custom-slug/"
    assert second.date == dt.datetime(2018, 10, 3, 8, 30, tzinfo=dt.UTC)  # Zola: UTC
    assert second.aliases == ("old/second.html", "old/second-folder/")
    french = by_origin(result, "content/news/2018-10-03_second.fr.md")
    assert (french.lang, french.old_path, french.date) == ("fr", "fr/news/second/",
                                                           dt.date(2018, 10, 3))
    fixed = by_origin(result, "content/news/fixed.md")
    assert (fixed.old_path, fixed.date) == ("2019/01/05/fixed-place/", dt.date(2019, 1, 5))
    yaml_post = by_origin(result, "content/news/yaml-post.md")
    assert yaml_post.date == dt.datetime(2019, 4, 1, 10, 15,
                                         tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert yaml_post.updated == dt.datetime(2019, 4, 2, tzinfo=dt.UTC)
    assert yaml_post.tags == ("Yaml",)
    assert by_origin(result, "content/news/2019/deep.md").old_path == "news/2019/deep/"
    assert by_origin(result, "content/guides/start.md").aliases == ("guides/",)
    bundle = by_origin(result, "content/news/bundle/index.md")
    assert sorted((a.src.name, a.name) for a in bundle.assets) == [
        ("notes.txt", "docs/notes.txt"), ("photo.svg", "photo.svg")]
    assert bundle.body == ("![Photo](photo.svg) and [notes](docs/notes.txt) and "
                           "[again](photo.svg).\n")
    about = by_origin(result, "content/about/_index.md")
    assert (about.page, about.old_path, about.title) == (True, "about/", "About us")


def test_content_folder_alone(fixture_site: Path) -> None:
    """Given only content/, the paths shown drop the prefix; config.toml is still found."""
    result = read(fixture_site / "content")
    assert "news/first-post.md" not in [a.path for a in result.accounted]
    assert by_origin(result, "news/2018-10-02-first-post.md").original_url == \
        "https://old.example.com/blog/news/first-post/"


# --- one construct at a time ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "front", "date", "old_path"), [
    ("posts/2018-10-02-title.md", 'title = "T"', dt.date(2018, 10, 2), "posts/title/"),
    ("posts/2018-10-02_title.md", 'title = "T"', dt.date(2018, 10, 2), "posts/title/"),
    ("posts/2018-10-02T10:20:30Z_title.md", 'title = "T"',
     dt.datetime(2018, 10, 2, 10, 20, 30, tzinfo=dt.UTC), "posts/title/"),
    ("posts/2018-10-02-title.md", 'title = "T"\ndate = 2019-01-01', dt.date(2019, 1, 1),
     "posts/title/"),
    ("posts/x.md", 'title = "T"\ndate = 2019-01-01T10:00:00', dt.datetime(
        2019, 1, 1, 10, tzinfo=dt.UTC), "posts/x/"),
    ("posts/x.md", 'title = "T"\ndate = 2019-01-01T10:00:00+03:00', dt.datetime(
        2019, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=3))), "posts/x/"),
    ("posts/x.md", 'title = "T"\ndate = "2019-01-01"', dt.date(2019, 1, 1), "posts/x/"),
    ("posts/x.md", 'title = "T"\npath = "2017/03/04/here"', dt.date(2017, 3, 4),
     "2017/03/04/here/"),
    ("posts/bundle-2018-01-01/index.md", 'title = "T"\ndate = 2018-05-05',
     dt.date(2018, 5, 5), "posts/bundle-2018-01-01/"),
    ("posts/2018-01-01-bundle/index.md", 'title = "T"', dt.date(2018, 1, 1), "posts/bundle/"),
])
def test_dates_and_paths(tmp_path: Path, name: str, front: str, date: dt.date,
                         old_path: str) -> None:
    article, _ = one(tmp_path, front, "Text.", name=name)
    assert (article.date, article.old_path) == (date, old_path)


@pytest.mark.parametrize(("text", "strategy", "slug"), [
    ("something-&-else", "on", "something-else"),
    ("Hello World", "on", "hello-world"),
    ("日本", "on", "ri-ben"),
    ("héhé", "on", "hehe"),
    ("test (hey)", "on", "test-hey"),
    ("test (hey)", "safe", "test (hey)"),
    ("dot. ", "safe", "dot"),
    ("Mixed Case", "off", "Mixed Case"),
])
def test_zola_slug(text: str, strategy: str, slug: str) -> None:
    assert zola_slug(text, strategy) == slug


def test_slug_and_keep_dates(tmp_path: Path) -> None:
    article, _ = one(tmp_path, 'title = "T"', "x", name="posts/2018-10-02-title.md",
                     config='base_url = "https://a.example"\n'
                            '[slugify]\npaths_keep_dates = true\n')
    assert article.old_path == "posts/2018-10-02-title/"


def test_language_needs_config_languages(tmp_path: Path) -> None:
    """With a config that declares no other language, ``post.fr`` is a plain name."""
    article, _ = one(tmp_path, 'title = "T"\ndate = 2019-01-01', "x", name="post.fr.md",
                     config='base_url = "https://a.example"\n')
    assert (article.old_path, article.lang) == ("post-fr/", None)
    result = read(make_site(tmp_path / "b", {"post.de.md": page('title = "T"')},
                            'base_url = "https://a.example"\n[languages.fr]\n'))
    assert result.accounted[0].kind == "skipped"
    assert "language code 'de' is not in the languages of config.toml" in \
        result.problems[0].message


def test_default_language_file(tmp_path: Path) -> None:
    article, _ = one(tmp_path, 'title = "T"\ndate = 2019-01-01', "x", name="post.en.md",
                     config='base_url = "https://a.example"\n[languages.fr]\n')
    assert (article.old_path, article.lang) == ("post/", None)


def test_taxonomies_and_unknown_keys(tmp_path: Path) -> None:
    article, result = one(tmp_path, 'title = "T"\ndate = 2019-01-01\nweight = 2\n'
                          'in_search_index = false\n[taxonomies]\ntags = ["a", "b"]\n'
                          'authors = ["X"]\ngenre = ["g"]\n[extra]\nk = 1', "x")
    assert (article.tags, article.authors) == (("a", "b"), ("X",))
    assert article.extra == {"weight": 2, "in_search_index": False, "extra": {"k": 1},
                             "taxonomies": {"genre": ["g"]}}
    assert result.unmapped == {"weight": 1, "in_search_index": 1, "extra": 1,
                               "taxonomies.genre": 1}


def test_more_marker_makes_the_summary(tmp_path: Path) -> None:
    article, _ = one(tmp_path, 'title = "T"\ndate = 2019-01-01',
                     "\nFirst **bold** part.\n\n<!-- more -->\n\nRest.\n")
    assert article.summary == "First bold part."
    assert article.body == "First **bold** part.\n\nRest.\n"


def test_more_marker_inside_code_is_text(tmp_path: Path) -> None:
    article, _ = one(tmp_path, 'title = "T"\ndate = 2019-01-01',
                     "\n```\n<!-- more -->\n```\n")
    assert article.summary is None
    assert "<!-- more -->" in article.body


@pytest.mark.parametrize(("body", "expected"), [
    ("[a](@/posts/y.md)", "[a](/posts/y/)"),
    ("[a](@/posts/y.md#part)", "[a](/posts/y/#part)"),
    ("![i](@/posts/y.md)", "![i](/posts/y/)"),
    ("[a][r]\n\n[r]: @/posts/y.md", "[a][r]\n\n[r]: /posts/y/"),
    ('<a href="@/posts/y.md">a</a>', '<a href="/posts/y/">a</a>'),
    ("`[a](@/posts/y.md)`", "`[a](@/posts/y.md)`"),
    ("[a](@/posts/missing.md) b", "a b"),
    ("[a][r] b\n\n[r]: @/posts/missing.md\n", "a b"),
    ('<a href="@/posts/missing.md">a</a>', "<a>a</a>"),
])
def test_internal_links(tmp_path: Path, body: str, expected: str) -> None:
    site = make_site(tmp_path, {
        "posts/x.md": page('title = "X"\ndate = 2019-01-01', "\n" + body + "\n"),
        "posts/y.md": page('title = "Y"\ndate = 2019-01-02', "\nY\n"),
    })
    result = read(site)
    assert by_origin(result, "content/posts/x.md").body == expected + "\n"
    if "missing" in body:
        line = 8 if body.startswith("[a][r]") else 6  # the definition's line
        assert warnings(result) == [
            f"{line}: link to @/posts/missing.md: no such page in content/; the link is "
            "removed, its text kept"]


def test_link_to_page_not_imported(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "posts/x.md": page('title = "X"\ndate = 2019-01-01', "\n[a](@/posts/y.md)\n"),
        "posts/y.md": page('title = "Y"\ndate = 2019-01-02\nrender = false', "\nY\n"),
    })
    result = read(site)
    assert by_origin(result, "content/posts/x.md").body == "a\n"
    assert "that page is not imported" in warnings(result)[0]


@pytest.mark.parametrize(("body", "expected", "warned"), [
    ('{{ youtube(id="abc") }}',
     '<iframe src="https://www.youtube-nocookie.com/embed/abc" title="YouTube video" '
     'allowfullscreen loading="lazy"></iframe>', False),
    ('{{ youtube(id="abc", autoplay=true, class="v") }}',
     '<iframe src="https://www.youtube-nocookie.com/embed/abc?autoplay=1" '
     'title="YouTube video" allowfullscreen loading="lazy"></iframe>', False),
    ('{{ youtube(id="PL1", playlist=true) }}',
     '<iframe src="https://www.youtube-nocookie.com/embed/videoseries?list=PL1" '
     'title="YouTube video" allowfullscreen loading="lazy"></iframe>', False),
    ("{{vimeo(id=124313553)}}",
     '<iframe src="https://player.vimeo.com/video/124313553" title="Vimeo video" '
     'allowfullscreen loading="lazy"></iframe>', False),
    ('{{ streamable(id="92ok4") }}', "[Streamable video](https://streamable.com/92ok4)", False),
    ('{{ gist(url="https://gist.github.com/a/b", file="c.py") }}',
     "[Gist: c.py](https://gist.github.com/a/b)", False),
    ('{{ pirate(name="Bob") }}', '`{{ pirate(name="Bob") }}`', True),
    ("{{ figure(src='a `b` c', sizes=[1, 2.5, \"x\"]) }}",
     "``{{ figure(src='a `b` c', sizes=[1, 2.5, \"x\"]) }}``", True),
    ('Inline {{ pirate(name="Bob") }} text', 'Inline `{{ pirate(name="Bob") }}` text', True),
    ('{{ pirate(\n  name="Bob"\n) }}', '`{{ pirate( name="Bob" ) }}`', True),
    ('{% quote(author="V") %}\nA *quote*\n{% end %}', "A *quote*", True),
    ('{% outer() %}\n{% inner() %}\nDeep\n{% end %}\n{% end %}', "Deep", True),
    ('{% quote() %}\n```\ncode {% end %}\n```\n{% end %}', "```\ncode {% end %}\n```", True),
    ('{{/* youtube(id="x") */}}', '`{{ youtube(id="x") }}`', False),
    ('```\n{{/* youtube(id="x") */}}\n{%/* quote() */%}\n```',
     '```\n{{ youtube(id="x") }}\n{% quote() %}\n```', False),
    ("```\n{{ pirate() }}\n```", "```\n{{ pirate() }}\n```", True),
    ("{{ page.title }} and {{ not a call }}", "{{ page.title }} and {{ not a call }}", False),
    ("{% end %}", "`{% end %}`", True),
    ('{% quote() %}\nno end', '`{% quote() %}`\nno end', True),
])
def test_shortcodes(tmp_path: Path, body: str, expected: str, warned: bool) -> None:
    article, result = one(tmp_path, 'title = "T"\ndate = 2019-01-01', "\n" + body + "\n")
    assert article.body == expected + "\n"
    assert bool(warnings(result)) is warned
    if result.problems:
        # The body starts on line 6; a warning names the line its shortcode starts on.
        assert min(p.line or 0 for p in result.problems) in (6, 7)


def test_shortcode_line_numbers(tmp_path: Path) -> None:
    _, result = one(tmp_path, 'title = "T"\ndate = 2019-01-01',
                    "\nA\n\n{{ one() }}\n\nB {{ two(x=1) }}\n")
    assert [p.line for p in result.problems] == [8, 10]


def test_undated_pages(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "about.md": page('title = "About"\nupdated = 2020-02-02', "\nWho we are.\n"),
        "empty.md": page('title = "Empty"'),
        "untitled.md": page("date = 2020-01-01", "\n# Heading here\n\nText.\n"),
    })
    result = read(site)
    about = by_origin(result, "content/about.md")
    assert (about.page, about.date, about.old_path) == (
        True, dt.datetime(2020, 2, 2, tzinfo=dt.UTC), "about/")
    kinds = {a.path: (a.kind, a.reason) for a in result.accounted}
    assert kinds["content/empty.md"] == ("skipped", "no date and no text: an empty page")
    untitled = by_origin(result, "content/untitled.md")
    assert untitled.title == "Heading here"
    assert warnings(result) == ["1: no title: 'Heading here' taken from its first heading"]


def test_front_matter_forms(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "lead.md": "\n\n+++\ntitle = \"Lead\"\ndate = 2020-01-01\n+++\nText\n",
        "yaml.md": "---\ntitle: Y\ndate: 2001-12-14 21:59:43.10 -5\n---\nText\n",
        "none.md": "Just text\n",
        "open.md": "+++\ntitle = \"x\"\n",
    })
    result = read(site)
    assert by_origin(result, "content/lead.md").date == dt.date(2020, 1, 1)
    assert by_origin(result, "content/yaml.md").date == dt.datetime(
        2001, 12, 14, 21, 59, 43, 100000, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    errors = sorted(str(p) for p in result.problems if p.level == "error")
    assert errors == [
        "content/none.md:1: no front matter: Zola needs it between '+++' lines (TOML) or "
        "'---' lines (YAML)",
        "content/open.md:1: front matter is not closed: add a '+++' line after it",
    ]


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"ok.md": page('title = "T"\ndate = 2020-01-01', "x")})
    (site / "content" / "bad.md").write_bytes(b"+++\ntitle = \"\xff\"\n+++\n")
    result = read(site)
    assert [str(p) for p in result.problems] == [
        "content/bad.md:2: not UTF-8 text (is it a binary file?)"]
    assert {a.path: a.kind for a in result.accounted} == {
        "content/bad.md": "skipped", "content/ok.md": "article"}


def test_bad_config_is_reported(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"ok.md": page('title = "T"\ndate = 2020-01-01', "x")},
                     config="base_url = \n")
    result = read(site)
    assert [str(p) for p in result.problems] == [
        "config.toml:1: invalid TOML: Invalid value; read with Zola's defaults"]
    assert result.articles[0].old_path == "ok/"


def test_remote_images_are_media(tmp_path: Path) -> None:
    article, _ = one(tmp_path, 'title = "T"\ndate = 2019-01-01',
                     '\n![a](https://cdn.example/a.jpg) <img src="https://cdn.example/b.png">\n')
    assert article.media == ("https://cdn.example/a.jpg", "https://cdn.example/b.png")


def test_section_asset_linked_from_a_page(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "posts/_index.md": page('title = "Posts"'),
        "posts/x.md": page('title = "X"\ndate = 2019-01-01', "\n![c](/posts/chart.svg)\n"),
    })
    (site / "content" / "posts" / "chart.svg").write_text("<svg/>", encoding="utf-8")
    (site / "content" / "posts" / "unused.svg").write_text("<svg/>", encoding="utf-8")
    result = read(site)
    article = by_origin(result, "content/posts/x.md")
    assert article.body == "![c](chart.svg)\n"
    assert [a.name for a in article.assets] == ["chart.svg"]
    kinds = {a.path: a.kind for a in result.accounted}
    assert kinds["content/posts/chart.svg"] == "asset"
    assert kinds["content/posts/unused.svg"] == "skipped"


def test_two_files_at_one_path(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "posts/python.md": page('title = "A"\ndate = 2019-01-01', "a"),
        "posts/python/index.md": page('title = "B"\ndate = 2019-01-02', "b"),
    })
    result = read(site)
    assert warnings(result) == ["1: same old path /posts/python/ as content/posts/python.md; "
                                "Zola published only one of them"]
