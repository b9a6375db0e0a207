"""Reading Jekyll sites: posts, drafts, pages, old paths, Liquid, links and files."""

from __future__ import annotations

import datetime as dt
import os
import typing as t
import zoneinfo
from pathlib import Path

import pytest

from site_builder.body import render_markdown
from site_builder.config import check_permalink
from site_builder.importers.imported import ImportedArticle, SiteImport
from site_builder.importers.jekyll import jekyll_slugify, read_site

from .conftest import TESTS, make_config, shared_dir

FIXTURE = TESTS / "migration" / "jekyll"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def read(path: Path, settings: Path | None = None) -> SiteImport:
    return read_site(path, make_config(path.parent / "new-site"), settings)


def site(tmp_path: Path, files: t.Mapping[str, str | bytes]) -> Path:
    root = tmp_path / "old"
    for name, content in files.items():
        file = root / name
        file.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            file.write_bytes(content)
        else:
            file.write_text(content, encoding="utf-8")
    root.mkdir(exist_ok=True)
    return root


def by_file(result: SiteImport) -> dict[str, ImportedArticle]:
    return {a.origin.rsplit("/", 1)[-1]: a for a in result.articles}


def kinds(result: SiteImport) -> dict[str, str]:
    return {a.path: a.kind for a in result.accounted}


def messages(result: SiteImport, level: str = "warning") -> list[str]:
    return [f"{p.path.rsplit('/', 1)[-1]}:{p.line}: {p.message}"
            for p in result.problems if p.level == level]


def post(text: str = "Text.", /, **front: object) -> str:
    lines = [f"{key}: {value}" for key, value in front.items()]
    return "---\n" + "".join(f"{line}\n" for line in lines) + "---\n" + text + "\n"


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# -- Jekyll's own test posts -------------------------------------------------------------


@pytest.fixture(scope="module")
def jekyll_posts() -> tuple[Path, SiteImport]:
    posts = shared_dir("migration", "jekyll", "_posts")
    return posts, read(posts)


def test_shared_posts_every_file_accounted_once(jekyll_posts: tuple[Path, SiteImport]) -> None:
    posts, result = jekyll_posts
    paths = [a.path for a in result.accounted]
    assert len(paths) == len(set(paths))
    assert set(paths) == files_under(posts)
    counted = {kind: sum(1 for a in result.accounted if a.kind == kind)
               for kind in ("article", "draft", "page", "asset", "skipped")}
    assert counted["article"] + counted["draft"] == len(result.articles)
    assert all(a.reason for a in result.accounted if a.kind == "skipped")


def test_shared_posts_leave_no_liquid(jekyll_posts: tuple[Path, SiteImport]) -> None:
    _, result = jekyll_posts
    for article in result.articles:
        assert "{%" not in article.body, article.origin
        assert "{{" not in article.body, article.origin
        html = render_markdown(article.body).html
        assert "{%" not in html, article.origin
    assert not [p for p in result.problems if p.level == "error"]


def test_shared_posts_what_jekyll_skips(jekyll_posts: tuple[Path, SiteImport]) -> None:
    _, result = jekyll_posts
    skipped = {a.path: a.reason or "" for a in result.accounted if a.kind == "skipped"}
    assert "YAML data file" in skipped["2008-02-03-wrong-extension.yml"]
    assert "no date in the file name" in skipped["2013-03-19-not-a-post/dubious.markdown"]
    assert "names starting with '.'" in skipped["2013-03-19-not-a-post.markdown/.gitkeep"]
    assert kinds(result)["2008-02-02-not-published.markdown"] == "draft"
    assert by_file(result)["2008-02-02-not-published.markdown"].old_path is None


def test_shared_posts_dates_titles_and_paths(jekyll_posts: tuple[Path, SiteImport]) -> None:
    _, result = jekyll_posts
    posts = by_file(result)
    zeroes = posts["2017-2-5-i-dont-like-zeroes.md"]
    assert (zeroes.title, zeroes.date) == ("I Dont Like Zeroes", dt.date(2017, 2, 5))
    assert zeroes.old_path == "2017/02/05/i-dont-like-zeroes.html"
    assert zeroes.extra == {"foo": "bar"}
    assert posts["2010-01-09-date-override.markdown"].date == dt.date(2010, 1, 10)
    assert posts["2010-01-09-date-override.markdown"].old_path == \
        "2010/01/10/date-override.html"
    assert posts["2010-01-09-time-override.markdown"].date == dt.datetime(2010, 1, 10, 13, 7, 9)
    assert posts["2010-01-09-timezone-override.markdown"].date == \
        dt.datetime(2010, 1, 10, 13, 7, 9, tzinfo=dt.UTC)
    assert posts["2010-01-08-triple-dash.markdown"].title == "Foo --- Bar"
    assert posts["2014-03-03-yaml-with-dots.md"].title == "Test Post Where YAML Ends in Dots"
    assert posts["2015-12-27-extra-spaces.markdown"].extra == {"extra": "spaces"}
    assert posts["2009-06-22-no-yaml.markdown"].title == "No Yaml"
    assert posts["2008-12-03-permalinked-post.markdown"].old_path == \
        "my_category/permalinked-post.html"
    assert posts["2015-02-20-extensionless-permalink.markdown"].old_path == \
        "extensionless-permalink.html"
    assert posts["2014-01-06-permalink-traversal.md"].old_path == "baddie.html"
    assert posts["2014-03-22-escape-+ %20[].markdown"].old_path == \
        "2014/03/22/escape-+-20.html"
    nested = posts["2008-11-21-nested.markdown"]
    assert (nested.categories, nested.old_path) == ((), "2008/11/21/nested.html")
    assert "climbs out of the site" in " ".join(messages(result))
    assert "permalink" not in result.proposed


def test_shared_posts_categories_tags_and_excerpts(
    jekyll_posts: tuple[Path, SiteImport],
) -> None:
    _, result = jekyll_posts
    posts = by_file(result)
    assert posts["2009-01-27-categories.markdown"].categories == ("foo", "bar", "baz")
    assert posts["2009-01-27-array-categories.markdown"].old_path == \
        "foo/bar/baz/2009/01/27/array-categories.html"
    assert posts["2013-05-10-number-category.markdown"].categories == ("2013",)
    assert posts["2009-01-27-empty-category.markdown"].categories == ()
    assert posts["2014-07-05-mixed-case-category.markdown"].old_path == \
        "mixedcase/2014/07/05/mixed-case-category.html"
    assert posts["2009-05-18-tag.markdown"].tags == ("code",)
    assert posts["2009-05-18-tags.markdown"].tags == ("food", "cooking", "pizza")
    assert posts["2010-01-16-override-data.markdown"].tags == ("A", "string")
    assert posts["2013-04-11-custom-excerpt.markdown"].summary == "I can set a custom excerpt"
    assert "<quote>I can set a custom excerpt</quote>" in \
        posts["2013-04-11-custom-excerpt.markdown"].body
    assert posts["2015-01-08-post-excerpt-separator.markdown"].summary == \
        "First paragraph with link ref. Second paragraph"
    assert posts["2013-01-02-post-excerpt.markdown"].summary is None


def test_shared_posts_liquid(jekyll_posts: tuple[Path, SiteImport]) -> None:
    _, result = jekyll_posts
    posts = by_file(result)
    assert posts["2008-10-18-foo-bar.markdown"].body.startswith("# Foo Bar\n")
    assert posts["2008-11-21-complex.markdown"].body == (
        "url: /2008/11/21/complex.html\ndate: 2008-11-21 00:00:00 +0000\n"
        "id: /2008/11/21/complex\n")
    assert "10 Jan 2010" in posts["2010-01-09-date-override.markdown"].body
    code = posts["2018-01-28-closed-liquid-block-excerpt.markdown"].body
    assert code.startswith("```ruby\ndef print_hi(name)\n")
    assert "#=> prints 'Hi, Tom' to STDOUT.\n```\n\nSo let's talk business." in code
    assert posts["2018-05-15-excerpt-whitespace-control-variable.md"].body == \
        "You are in a maze of twisty little passages, all alike.\n"
    warned = messages(result)
    assert "2008-12-13-include.markdown:6: Liquid {% include sig.markdown %} not converted: " \
           "removed" in warned
    assert any(m.startswith("2018-11-15-excerpt-liquid-block.md:7: Liquid {% do_nothing_other")
               for m in warned)
    assert any("'.text' files" in m for m in warned)


# -- the fixture site ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_site() -> SiteImport:
    return read(FIXTURE)


def test_fixture_every_file_accounted(fixture_site: SiteImport) -> None:
    accounted = kinds(fixture_site)
    assert len(accounted) == len(fixture_site.accounted)
    listed = {p for p in files_under(FIXTURE) if not p.startswith("_site/")} | {"_site/"}
    assert set(accounted) == listed
    assert accounted == {
        "_config.yml": "skipped", "_data/authors.yml": "skipped",
        "_drafts/2020-07-01-dated-draft.md": "draft", "_drafts/ferry-timetable.md": "draft",
        "_includes/newsletter.html": "skipped", "_layouts/post.html": "skipped",
        "_posts/2020-03-01-harbour-strike.md": "article",
        "_posts/2020-03-02-council-vote.markdown": "article",
        "_posts/2020-03-03-broken-yaml.md": "skipped",
        "_posts/2020-03-04-not-utf8.md": "skipped", "_posts/2020-03-05-held-back.md": "draft",
        "_posts/2020-06-01-wire-report.html": "article",
        "_posts/2020/2020-04-01-nested-folder.md": "article",
        "_posts/council.png": "asset", "_posts/notes.md": "skipped", "_site/": "skipped",
        "about.md": "page", "assets/img/quay.jpg": "asset", "assets/map.png": "skipped",
        "assets/site.css": "skipped", "feed.xml": "skipped", "index.html": "skipped",
        "news/_posts/2020-05-01-ferry-returns.md": "article", "notes.txt": "skipped",
    }
    reasons = {a.path: a.reason or "" for a in fixture_site.accounted}
    assert "copy it to static/assets/map.png" in reasons["assets/map.png"]
    assert "exclude" in reasons["notes.txt"]
    assert "home page" in reasons["index.html"]


def test_fixture_refused_files_are_errors_and_the_rest_is_read(fixture_site: SiteImport) -> None:
    assert messages(fixture_site, "error") == [
        "2020-03-03-broken-yaml.md:2: invalid YAML front matter: did not find expected ',' "
        "or ']'",
        "2020-03-04-not-utf8.md:2: not UTF-8 text (is it a binary file?)",
    ]
    assert len(fixture_site.articles) == 9


def test_fixture_post_with_everything(fixture_site: SiteImport) -> None:
    strike = by_file(fixture_site)["2020-03-01-harbour-strike.md"]
    assert strike.date == dt.datetime(2020, 3, 1, 8, 30, tzinfo=BERLIN)
    assert strike.old_path == "2020/03/01/harbour-strike/"
    assert strike.original_url == "https://news.example.org/blog/2020/03/01/harbour-strike/"
    assert strike.slug == "harbour-strike"
    assert strike.authors == ("News Desk",)
    assert strike.tags == ("strike", "harbour")
    assert strike.aliases == ("strike/", "2020/03/01/strike.html")
    assert strike.summary == "The dockers stopped work at dawn."
    assert [(a.src, a.name) for a in strike.assets] == [(FIXTURE / "assets/img/quay.jpg",
                                                         "quay.jpg")]
    assert strike.extra == {}
    assert strike.body == (
        "The dockers stopped work at dawn.<!--more--> Talks resume on Monday.\n\n"
        "![The quay](quay.jpg)\n\n"
        "See the [council vote](/2020/03/03/council-vote/) and [our team](/about/).\n\n"
        '```python\nprint("Dockers strike at the harbour")\n```\n\n'
        "Templates write {{ page.title }} and {% post_url x %}.\n")


def test_fixture_links_to_the_old_site_become_root_relative(fixture_site: SiteImport) -> None:
    posts = by_file(fixture_site)
    vote = posts["2020-03-02-council-vote.markdown"]
    assert vote.old_path == "2020/03/03/council-vote/"  # 23:30 UTC is the 3rd in Berlin
    assert vote.body.startswith(
        "Back to the [strike](/2020/03/01/harbour-strike/), the\n"
        "[full text](/2020/03/01/harbour-strike/), the\n"  # no "talks" id there: dropped
        "[shared map](/assets/map.png) and ![chart](council.png).\n")
    assert (vote.authors, vote.source) == (("Jane Roe",), "Reuters")
    assert vote.summary == "The council voted 7 to 2."
    assert vote.image is not None and vote.image.src == "council.png"
    assert [a.name for a in vote.assets] == ["council.png"]
    assert vote.media == ("https://cdn.example.com/photo.jpg",)
    assert vote.extra == {"comments": True}
    nested = posts["2020-04-01-nested-folder.md"]
    assert nested.old_path == "special/nested-folder.html"
    assert nested.categories == ()
    assert nested.body == ("The map again: ![map](/assets/map.png). More "
                           "[about us](/about/).\n")
    wire = posts["2020-06-01-wire-report.html"]
    assert wire.body == '<p>Earlier: <a href="/2020/03/01/harbour-strike/">the strike</a>.</p>\n'
    assert fixture_site.unmapped == {"comments": 1}


def test_fixture_drafts_pages_and_categories(fixture_site: SiteImport) -> None:
    posts = by_file(fixture_site)
    draft = posts["ferry-timetable.md"]
    mtime = (FIXTURE / "_drafts" / "ferry-timetable.md").stat().st_mtime
    assert draft.date == dt.datetime.fromtimestamp(mtime, BERLIN)
    assert (draft.draft, draft.old_path, draft.original_url) == (True, None, None)
    dated = posts["2020-07-01-dated-draft.md"]
    assert (dated.date, dated.title, dated.draft) == (dt.date(2020, 7, 1), "Dated Draft", True)
    held = posts["2020-03-05-held-back.md"]
    assert (held.draft, held.old_path) == (True, None)
    about = posts["about.md"]
    assert (about.page, about.old_path, about.title) == (True, "about/", "About us")
    ferry = posts["2020-05-01-ferry-returns.md"]
    assert ferry.categories == ("news", "Transport")
    assert ferry.old_path == "2020/05/01/ferry-returns/"
    assert ferry.body == "The ferry is back.\nCaptain: .\n"
    assert "2020-05-01-ferry-returns.md:8: Liquid {{ page.captain }} not converted " \
           "('page.captain' has no value the converter knows): removed" in messages(fixture_site)


def test_fixture_proposes_our_permalink_and_timezone(fixture_site: SiteImport) -> None:
    assert fixture_site.proposed == {"permalink": "/{year}/{month}/{day}/{slug}/",
                                     "timezone": "Europe/Berlin"}


def test_settings_elsewhere_and_bare_posts_folder(tmp_path: Path) -> None:
    root = site(tmp_path, {"_posts/2020-01-02-a.md": post(title="A"),
                           "conf/site.yml": "permalink: /:title/\nurl: https://x.example\n"})
    with_settings = read(root, root / "conf" / "site.yml")
    assert with_settings.articles[0].old_path == "a/"
    assert with_settings.articles[0].original_url == "https://x.example/a/"
    assert with_settings.proposed == {"permalink": "/{slug}/"}
    bare = read(root / "_posts")
    assert [a.path for a in bare.accounted] == ["2020-01-02-a.md"]
    assert bare.articles[0].old_path == "2020/01/02/a.html"


# -- permalinks ------------------------------------------------------------------------


def old_path(tmp_path: Path, style: str, **front: object) -> tuple[str | None, SiteImport]:
    front.setdefault("date", "2020-03-05 14:07:09")
    root = site(tmp_path, {"_config.yml": f"permalink: '{style}'\n",
                           "news/_posts/2020-03-05-My-Post.md": post(**front)})
    result = read(root)
    return result.articles[0].old_path, result


@pytest.mark.parametrize(("permalink", "expected"), [
    ("date", "news/2020/03/05/My-Post.html"),
    ("pretty", "news/2020/03/05/My-Post/"),
    ("ordinal", "news/2020/065/My-Post.html"),
    ("weekdate", "news/2020/W10/Thu/My-Post.html"),
    ("none", "news/My-Post.html"),
    ("/:year/:month/:day/:title/", "2020/03/05/My-Post/"),
    ("/:short_year/:i_month/:i_day/:slug", "20/3/5/my-post.html"),
    ("/:year/:hour-:minute-:second/:title:output_ext", "2020/14-07-09/My-Post.html"),
    ("/:categories/:y_day/:title.html", "news/065/My-Post.html"),
    ("/:month_:day/:title", "03_05/My-Post.html"),
    ("/archive/:year/:title/index.html", "archive/2020/My-Post/index.html"),
])
def test_permalink_styles(tmp_path: Path, permalink: str, expected: str) -> None:
    assert old_path(tmp_path, permalink)[0] == expected


@pytest.mark.parametrize(("permalink", "categories", "proposed"), [
    ("pretty", False, "/{year}/{month}/{day}/{slug}/"),
    ("pretty", True, None),
    ("date", False, None),
    ("/:year/:month/:day/:title/", True, "/{year}/{month}/{day}/{slug}/"),
    ("/news/:year/:slug/", False, "/news/{year}/{slug}/"),
    ("/:year/:title.html", False, None),
    ("/:year/:i_month/:title/", False, None),
    ("/:year/:month/", False, None),
])
def test_permalink_proposals(tmp_path: Path, permalink: str, categories: bool,
                             proposed: str | None) -> None:
    front: dict[str, object] = {"title": "x"}
    if categories:
        front["categories"] = "sport"
    root = site(tmp_path, {"_config.yml": f"permalink: '{permalink}'\n",
                           "_posts/2020-03-05-x.md": post(**front)})
    result = read(root)
    assert result.proposed.get("permalink") == proposed
    if proposed is not None:
        assert check_permalink(proposed) == []


def test_post_permalink_with_placeholders_and_unknown_one(tmp_path: Path) -> None:
    path, result = old_path(tmp_path, "date", permalink="/:categories/:title/:nope/")
    assert path == "news/My-Post/:nope/"
    assert "permalink: unknown placeholder ':nope' kept as text" in messages(result)[0]


def test_front_matter_date_and_slug_decide_the_path(tmp_path: Path) -> None:
    path, result = old_path(tmp_path, "/:year/:month/:day/:title/",
                            date="'2019-12-31 23:30:00 -05:00'", slug="Other")
    assert path == "2020/01/01/Other/"
    article = result.articles[0]
    assert article.date == dt.datetime(2019, 12, 31, 23, 30,
                                       tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert article.slug == "Other"


def test_jekyll_slugify() -> None:
    assert jekyll_slugify("Hello, World! ünïcode") == "hello-world-ünïcode"
    assert jekyll_slugify("escape-+ %20[]", pretty=True, cased=True) == "escape-+-20"
    assert jekyll_slugify("The _config.yml file", pretty=True, cased=True) == \
        "The-_config.yml-file"
    assert jekyll_slugify("--a--") == "a"


# -- posts, drafts and their fields ----------------------------------------------------


def test_categories_from_folders_above_posts_only(tmp_path: Path) -> None:
    root = site(tmp_path, {"sport/_posts/2020-01-01-a.md": post(categories="Local News"),
                           "_posts/deep/2020-01-02-b.md": post(category="One Two"),
                           "_posts/2020-01-03-c.md": post(categories="[x, 'y z']")})
    posts = by_file(read(root))
    assert posts["2020-01-01-a.md"].categories == ("sport", "Local", "News")
    assert posts["2020-01-01-a.md"].old_path == "sport/local/news/2020/01/01/a.html"
    assert posts["2020-01-02-b.md"].categories == ("One Two",)
    assert posts["2020-01-02-b.md"].old_path == "one two/2020/01/02/b.html"
    assert posts["2020-01-03-c.md"].categories == ("x", "y z")


def test_draft_dates(tmp_path: Path) -> None:
    root = site(tmp_path, {"_drafts/undated.md": "No front matter.\n",
                           "_drafts/dated.markdown": post(date="2021-05-06"),
                           "_drafts/2021-01-02-named.md": post()})
    stamp = dt.datetime(2022, 3, 4, 5, 6, 7, tzinfo=dt.UTC).timestamp()
    os.utime(root / "_drafts" / "undated.md", (stamp, stamp))
    posts = by_file(read(root))
    assert posts["undated.md"].date == dt.datetime(2022, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    assert posts["undated.md"].title == "Undated"
    assert posts["dated.markdown"].date == dt.date(2021, 5, 6)
    assert posts["2021-01-02-named.md"].date == dt.date(2021, 1, 2)
    assert all(a.draft and a.old_path is None for a in posts.values())


def test_dates_jekyll_accepts(tmp_path: Path) -> None:
    forms = {
        "a": ("2020-01-02", dt.date(2020, 1, 2)),
        "b": ("2020-01-02T03:04:05Z", dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)),
        "c": ("2020-1-2 3:04", dt.datetime(2020, 1, 2, 3, 4)),
        "d": ("'2020-01-02 03:04:05 +0530'", dt.datetime(
            2020, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))),
        "e": ("'Thu, 02 Jan 2020 03:04:05 -0000'", dt.datetime(2020, 1, 2, 3, 4, 5,
                                                               tzinfo=dt.UTC)),
    }
    files = {f"_posts/2019-12-31-{name}.md": post(date=value)
             for name, (value, _) in forms.items()}
    files["_posts/2019-12-31-bad.md"] = post(date="someday")
    result = read(site(tmp_path, files))
    posts = by_file(result)
    for name, (_, expected) in forms.items():
        assert posts[f"2019-12-31-{name}.md"].date == expected, name
    assert posts["2019-12-31-bad.md"].date == dt.date(2019, 12, 31)
    assert "2019-12-31-bad.md:2: date: cannot read 'someday' as a date; using the date in " \
           "the file name" in messages(result)


def test_front_matter_fields(tmp_path: Path) -> None:
    body = "Intro.\n\n<!-- more -->\n\nRest."
    root = site(tmp_path, {
        "_config.yml": "lang: de\nurl: https://example.org/\nbaseurl: /news/\n",
        "_posts/2020-01-01-a.md": post(
            body, title="'A: title'", authors="[Ann, AP]", tag="one", tags="[two]",
            excerpt_separator="'<!-- more -->'", redirect_from="/old-a", sticky="true",
            last_modified_at="2020-02-03 10:00", image="'https://cdn.example/a.jpg'",
            layout="post", custom="{nested: [1, 2]}", published="true"),
        "_posts/2020-01-02-b.md": post(author="{name: Bea}", description="Short.",
                                       lang="en", image="{path: /b.png, alt: B}"),
        "b.png": b"\x89PNG",
    })
    result = read(root)
    a, b = result.articles
    assert (a.title, a.authors, a.source, a.tags) == ("A: title", ("Ann",), "AP", ("one",))
    assert a.summary == "Intro."
    assert a.aliases == ("old-a.html",)
    assert a.sticky and a.lang == "de"
    assert a.updated == dt.datetime(2020, 2, 3, 10, 0)
    assert a.image is not None and a.image.src == "https://cdn.example/a.jpg"
    assert a.media == ("https://cdn.example/a.jpg",)
    assert a.original_url == "https://example.org/news/2020/01/01/a.html"
    assert a.extra == {"layout": "post", "custom": {"nested": [1, 2]}}
    assert (b.authors, b.summary, b.lang) == (("Bea",), "Short.", "en")
    assert b.image is not None and (b.image.src, b.image.alt) == ("b.png", "B")
    assert [x.name for x in b.assets] == ["b.png"]
    assert dict(result.unmapped) == {"layout": 1, "custom": 1}


def test_html_and_other_extensions(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "_posts/2020-01-01-h.html": post("<div>\n    <p>Kept as HTML</p>\n</div>"),
        "_posts/2020-01-02-t.textile": post("h1. Textile"),
        "_posts/2020-01-03-m.mkd": post("*md*"),
        "_posts/2020-01-04-photo.jpg": b"\xff\xd8",
    })
    result = read(root)
    posts = by_file(result)
    assert posts["2020-01-01-h.html"].body == "<div>\n    <p>Kept as HTML</p>\n</div>\n"
    assert posts["2020-01-01-h.html"].old_path == "2020/01/01/h.html"
    assert posts["2020-01-02-t.textile"].old_path == "2020/01/02/t.textile"
    assert posts["2020-01-03-m.mkd"].old_path == "2020/01/03/m.html"
    assert "no converter for '.textile' files" in messages(result)[0]
    assert kinds(result)["_posts/2020-01-04-photo.jpg"] == "skipped"


def test_render_with_liquid_false_keeps_the_text(tmp_path: Path) -> None:
    root = site(tmp_path, {"_posts/2020-01-01-a.md": post("Write {{ x }}.",
                                                          render_with_liquid="false")})
    result = read(root)
    assert result.articles[0].body == "Write {{ x }}.\n"
    assert not result.problems


def test_post_url_forms(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "_config.yml": "permalink: pretty\n",
        "_posts/2020-01-01-a.md": post(),
        "_posts/sub/2020-01-02-b.md": post(),
        "cat/_posts/2020-01-03-c.md": post(),
        "_posts/2020-01-04-links.md": post(
            "{% post_url 2020-01-01-a %} {% post_url sub/2020-01-02-b %} "
            "{% post_url 2020-01-02-b %} {% post_url cat/2020-01-03-c %} "
            "{% post_url 2020-01-01-a.md %} {% post_url 2020-01-05-gone %}"),
    })
    result = read(root)
    links = by_file(result)["2020-01-04-links.md"]
    assert links.body == "/2020/01/01/a/ /2020/01/02/b/ /2020/01/02/b/ /cat/2020/01/03/c/ " \
                         "/2020/01/01/a/ \n"
    assert messages(result) == ["2020-01-04-links.md:3: Liquid {% post_url 2020-01-05-gone %}: "
                                "no post '2020-01-05-gone' in the old site: removed"]


def test_links_to_pages_sources_and_old_urls(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "_config.yml": "url: https://example.org\n",
        "_posts/2020-01-01-a.md": post(permalink="/a/"),
        "_posts/2020-01-02-b.md": post(
            "[1](2020-01-01-a.md) [2](/a) [3](/a/index.html) [4](https://example.org/a/?x=1)"
            " [5](https://other.example/a/) [6](mailto:x@example.org) [7](#top) [8](/nowhere)"
            "\n\n`[9](/a/)`\n"),
    })
    b = by_file(read(root))["2020-01-02-b.md"]
    assert b.body == ("[1](/a/) [2](/a/) [3](/a/) [4](/a/?x=1) [5](https://other.example/a/)"
                      " [6](mailto:x@example.org) 7 [8](https://example.org/nowhere)\n\n"
                      "`[9](/a/)`\n")  # dead links: an anchor no element has, a page not imported


def test_colocated_files_go_to_every_post_using_them(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "_posts/trip/2020-01-01-a.md": post("![x](img/shared.png) [doc](notes.pdf)"),
        "_posts/trip/2020-01-02-b.md": post("![x](img/shared.png)"),
        "_posts/trip/img/shared.png": b"png",
        "_posts/trip/notes.pdf": b"pdf",
        "_posts/trip/unused.gif": b"gif",
        "assets/one.png": b"png",
        "_posts/2020-01-03-c.md": post("![o](../assets/one.png) ![o]({{ '/assets/one.png' | "
                                       "relative_url }})"),
    })
    result = read(root)
    posts = by_file(result)
    assert [(a.name, a.src.name) for a in posts["2020-01-01-a.md"].assets] == \
        [("img/shared.png", "shared.png"), ("notes.pdf", "notes.pdf")]
    assert [a.name for a in posts["2020-01-02-b.md"].assets] == ["img/shared.png"]
    assert posts["2020-01-03-c.md"].body == "![o](one.png) ![o](one.png)\n"
    accounted = kinds(result)
    assert accounted["_posts/trip/img/shared.png"] == "asset"
    assert accounted["_posts/trip/unused.gif"] == "skipped"
    assert accounted["assets/one.png"] == "asset"


def test_same_name_assets_of_one_post_stay_apart(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "_posts/2020-01-01-a.md": post("![1](/x/pic.png) ![2](/y/pic.png)"),
        "x/pic.png": b"1", "y/pic.png": b"2",
    })
    article = read(root).articles[0]
    assert [a.name for a in article.assets] == ["pic.png", "y/pic.png"]
    assert article.body == "![1](pic.png) ![2](y/pic.png)\n"


def test_pages_and_site_files(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "_config.yml": "permalink: pretty\n",
        "team/index.md": post("# Team", title="Team"),
        "contact.html": post("<p>Call us.</p>"),
        "archive.md": post("{% for post in site.posts %}{{ post.title }}{% endfor %}"),
        "404.md": post("Lost."),
        "style.scss": post("body {}"),
        "README.md": "No front matter: a static file.\n",
        ".gitignore": "_site\n",
        ".git/HEAD": "ref\n", ".git/objects/ab/cdef": "x",
        "node_modules/x/index.js": "x",
        "_sass/base.scss": "x", "_plugins/p.rb": "x", "_other/x.md": post(),
    })
    result = read(root)
    pages = by_file(result)
    assert pages["index.md"].old_path == "team/"
    assert pages["contact.html"].old_path == "contact/"
    assert pages["contact.html"].title == "Contact"
    assert all(a.page for a in result.articles)
    accounted = kinds(result)
    assert accounted == {
        ".git/": "skipped", ".gitignore": "skipped", "404.md": "skipped", "README.md": "skipped",
        "_config.yml": "skipped", "_other/x.md": "skipped", "_plugins/p.rb": "skipped",
        "_sass/base.scss": "skipped", "archive.md": "skipped", "contact.html": "page",
        "node_modules/": "skipped", "style.scss": "skipped", "team/index.md": "page",
    }


def test_config_problems_are_reported_and_defaults_used(tmp_path: Path) -> None:
    root = site(tmp_path, {"_config.yml": "permalink: [unclosed\n",
                           "_posts/2020-01-01-a.md": post()})
    result = read(root)
    assert result.articles[0].old_path == "2020/01/01/a.html"
    assert [p.level for p in result.problems] == ["error"]
    assert "invalid YAML" in result.problems[0].message
    bad_zone = read(site(tmp_path / "z", {"_config.yml": "timezone: Mars/Olympus\n"}))
    assert "unknown time zone" in bad_zone.problems[0].message


def test_front_matter_defaults_apply_by_scope(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "_config.yml": (
            "defaults:\n"
            "  - scope: {path: ''}\n    values: {author: Everyone}\n"
            "  - scope: {path: 'sport', type: posts}\n    values: {author: Sports Desk,"
            " permalink: '/sport/:title/'}\n"),
        "_posts/2020-01-01-a.md": post(),
        "sport/_posts/2020-01-02-b.md": post(),
        "sport/_posts/2020-01-03-c.md": post(author="Own Name"),
    })
    posts = by_file(read(root))
    assert posts["2020-01-01-a.md"].authors == ("Everyone",)
    assert posts["2020-01-02-b.md"].authors == ("Sports Desk",)
    assert posts["2020-01-02-b.md"].old_path == "sport/b/"
    assert posts["2020-01-03-c.md"].authors == ("Own Name",)
    assert posts["2020-01-03-c.md"].extra == {}


def test_duplicate_old_paths_and_the_home_page(tmp_path: Path) -> None:
    root = site(tmp_path, {"_posts/2020-01-01-a.md": post(permalink="/same/"),
                           "_posts/2020-01-02-b.md": post(permalink="/same/"),
                           "_posts/2020-01-03-c.md": post(permalink="/")})
    result = read(root)
    posts = by_file(result)
    assert posts["2020-01-01-a.md"].old_path == posts["2020-01-02-b.md"].old_path == "same/"
    assert posts["2020-01-03-c.md"].old_path is None
    warned = " ".join(messages(result))
    assert "same path /same/" in warned and "is the home page" in warned


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    result = read(tmp_path / "nothing")
    assert [p.message for p in result.problems] == [
        "not a folder: expected a Jekyll site or a _posts folder"]


def test_page_date_prints_the_offset_of_its_day(tmp_path: Path) -> None:
    root = site(tmp_path, {"_config.yml": "timezone: Europe/Berlin\n",
                           "_posts/2020-01-01-winter.md": post("{{ page.date }}"),
                           "_posts/2020-07-01-summer.md": post("{{ page.date }}"),
                           "_data/authors.yml": "ann: [unclosed\n"})
    result = read(root)
    posts = by_file(result)
    assert posts["2020-01-01-winter.md"].body == "2020-01-01 00:00:00 +0100\n"
    assert posts["2020-07-01-summer.md"].body == "2020-07-01 00:00:00 +0200\n"
    assert "author names there are not used" in messages(result)[0]


def test_kramdown_extensions_are_reported(tmp_path: Path) -> None:
    body = "* TOC\n{:toc}\n\n{::comment}\nhidden\n{:/comment}\n\nText {: .lead}\n"
    result = read(site(tmp_path, {"_posts/2020-01-01-k.md": post(body)}))
    assert messages(result) == [
        "2020-01-01-k.md:4: kramdown {:toc} not converted: kept as text",
        "2020-01-01-k.md:6: kramdown {::comment} not converted: kept as text"]


def test_files_below_the_old_url_and_pages_linking_posts(tmp_path: Path) -> None:
    root = site(tmp_path, {
        "_config.yml": "permalink: /:year/:month/:day/:title.html\nbaseurl: /b\n",
        "_posts/2020-01-01-a.md": post("![x](map.png) [next](b.html)"),
        "_posts/2020-01-01-b.md": post(),
        "2020/01/01/map.png": b"png",
        "about.md": post("[first]({{ site.baseurl }}/2020/01/01/a.html)"),
    })
    posts = by_file(read(root))
    assert posts["2020-01-01-a.md"].body == "![x](map.png) [next](/2020/01/01/b.html)\n"
    assert [a.src.name for a in posts["2020-01-01-a.md"].assets] == ["map.png"]
    assert posts["about.md"].body == "[first](/2020/01/01/a.html)\n"
    assert posts["about.md"].old_path == "about.html"


def test_unreadable_folder_is_an_error_and_accounted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = site(tmp_path, {"_posts/2020-01-01-a.md": post(), "locked/x.md": post()})
    scandir = os.scandir

    def refuse_locked(path: t.Any) -> t.Any:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse_locked)
    result = read(root)
    assert kinds(result) == {"_posts/2020-01-01-a.md": "article", "locked/": "skipped"}
    assert messages(result, "error") == ["locked:None: cannot read folder: Permission denied"]
