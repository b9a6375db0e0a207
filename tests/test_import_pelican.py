"""Reading a Pelican content folder: metadata, settings, dates, slugs, URLs and links."""

from __future__ import annotations

import datetime as dt
import shutil
import typing as t
from pathlib import Path

import pytest

from site_builder.importers.imported import ImportedArticle, SiteImport
from site_builder.importers.pelican import (
    map_permalink,
    pelican_date,
    pelican_slug,
    read_settings,
    read_site,
)

from .conftest import SITES, make_config, shared_dir

BERLIN_SUMMER = dt.timezone(dt.timedelta(hours=2))


def read(path: Path, settings: Path | None = None) -> SiteImport:
    return read_site(path, make_config(path), settings)


def by_origin(result: SiteImport, origin: str) -> ImportedArticle:
    found = [a for a in result.articles if a.origin == origin]
    assert len(found) == 1, [a.origin for a in result.articles]
    return found[0]


def make_content(tmp_path: Path, files: t.Mapping[str, str],
                 settings: str | None = None) -> tuple[Path, Path | None]:
    """Write a content folder of ``files`` and, if given, a settings file beside it."""
    content = tmp_path / "content"
    for name, text in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    content.mkdir(exist_ok=True)
    conf = None
    if settings is not None:
        conf = tmp_path / "pelicanconf.py"
        conf.write_text(settings, encoding="utf-8")
    return content, conf


def one(tmp_path: Path, text: str, name: str = "post.md",
        settings: str | None = None) -> tuple[ImportedArticle, SiteImport]:
    content, conf = make_content(tmp_path, {name: text}, settings)
    result = read(content, conf)
    assert len(result.articles) == 1, (result.accounted, result.problems)
    return result.articles[0], result


def warnings(result: SiteImport) -> list[str]:
    return [f"{p.line}: {p.message}" for p in result.problems if p.level == "warning"]


def all_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def assert_accounted_once(result: SiteImport, expected: t.Iterable[str]) -> None:
    paths = [a.path for a in result.accounted]
    assert len(paths) == len(set(paths)), "a file is accounted for twice"
    assert sorted(paths) == sorted(expected)


# --- Pelican's own test content -------------------------------------------------------------


def test_pelican_test_content_every_file_accounted_for() -> None:
    content = shared_dir("migration", "pelican")
    result = read(content)
    assert_accounted_once(result, all_files(content))
    assert not [p for p in result.problems if p.level == "error"]
    for article in result.articles:
        for marker in ("{filename}", "|filename|", "{static}", "{attach}"):
            assert marker not in article.body, article.origin


def test_pelican_test_content_as_pelican_reads_it() -> None:
    result = read(shared_dir("migration", "pelican"))
    kinds = {a.path: (a.kind, a.reason) for a in result.accounted}
    assert kinds["article_draft.md"][0] == "draft"
    assert kinds["article_hidden.md"][0] == "page"
    assert kinds["article_skip.md"] == ("skipped", "Status: skip: Pelican does not publish it")
    assert kinds["empty.md"] == ("skipped", "empty file")
    assert kinds["empty_with_bom.md"] == ("skipped", "empty file")
    assert kinds["2012-11-30_md_w_filename_meta#foo-bar.md"] == (
        "skipped", "no Title: Pelican does not publish it")
    # Without DEFAULT_DATE, Pelican skips undated articles, whatever the extension.
    for name in ("article_with_markdown_extension.markdown", "article_with_mkd_extension.mkd"):
        assert kinds[name] == ("skipped", "no date: Pelican does not publish it")
    duplicates = by_origin(result, "article_with_duplicate_tags_authors.md")
    assert duplicates.tags == ("foo", "bar", "foobar")
    assert duplicates.authors == ("Author, First", "Author, Second")
    assert duplicates.date == dt.datetime(2010, 12, 2, 10, 14)
    assert duplicates.updated == dt.datetime(2010, 12, 2, 10, 20)
    assert duplicates.categories == ("test",)
    assert duplicates.old_path is None  # {slug}.html is reproduced by the permalink
    assert result.proposed == {"permalink": "/{slug}.html"}
    multi = by_origin(result, "article_with_markdown_and_summary_metadata_multi.md")
    assert multi.summary == "A multi-line summary should be supported as well as inline markup."
    assert multi.extra == {"custom_formatted_field": [
        "Multi-line metadata should also be supported",
        'as well as *inline markup* and stuff to "typogrify"...']}
    nested = by_origin(result, "article_with_markdown_and_nested_metadata.md")
    assert nested.summary == "Test: This metadata value looks like metadata"
    footnote = by_origin(result, "article_with_markdown_and_footnote.md")
    assert footnote.summary == "Summary with inline markup should be supported."
    assert footnote.body.startswith("This is some content[^1]")
    unicode = by_origin(result, "article_with_markdown_and_nonascii_summary.md")
    assert unicode.slug == "python-virtualenv-on-mac-osx-mountain-lion-10.8"
    assert unicode.categories == ("指導書",)
    assert result.unmapped == {"multiline": 1, "custom_formatted_field": 1}


def test_pelican_test_content_with_a_default_date(tmp_path: Path) -> None:
    settings = tmp_path / "pelicanconf.py"
    settings.write_text("DEFAULT_DATE = (2000, 1, 2)\n", encoding="utf-8")
    result = read(shared_dir("migration", "pelican"), settings)
    mkd = by_origin(result, "article_with_mkd_extension.mkd")
    assert (mkd.date, mkd.title, mkd.categories) == (dt.datetime(2000, 1, 2), "Test mkd File",
                                                     ("test",))
    assert by_origin(result, "article_with_markdown_extension.markdown").title == \
        "Test markdown File"
    assert by_origin(result, "article_with_typogrify_dashes.md").slug == "one-two-three-dashes"


# --- a fixture site of our own ---------------------------------------------------------------


@pytest.fixture
def fixture_site(tmp_path: Path) -> Path:
    """Copy the fixture site; its settings are kept as .txt so that no checker runs them."""
    site = Path(shutil.copytree(SITES / "import-pelican", tmp_path / "import-pelican"))
    (site / "pelicanconf.py.txt").rename(site / "pelicanconf.py")
    return site


def test_fixture_site_accounted_and_settings(fixture_site: Path) -> None:
    result = read(fixture_site)  # the site folder: pelicanconf.py found, PATH followed
    assert_accounted_once(result, [f"content/{p}" for p in all_files(fixture_site / "content")])
    kinds = {a.path: a.kind for a in result.accounted}
    assert kinds == {
        "content/.secret.md": "skipped", "content/README": "skipped",
        "content/bad-date.md": "skipped", "content/draft.md": "draft",
        "content/files/report.txt": "asset", "content/first-post.md": "article",
        "content/hidden.md": "page", "content/images/chart.svg": "asset",
        "content/images/logo.svg": "asset", "content/images/unused.svg": "skipped",
        "content/legacy.mkd": "article", "content/news/2012-11-30-second.md": "article",
        "content/news/translated.md": "article", "content/notes.rst": "skipped",
        "content/pages/about.md": "page", "content/skipped.md": "skipped",
        "content/undated.md": "skipped", "content/url-override.md": "article",
        "content/yaml-post.md": "article",
    }
    assert result.proposed == {"permalink": "/posts/{year}/{month}/{slug}/",
                               "timezone": "Europe/Berlin", "language": "en"}
    assert sorted(str(p) for p in result.problems) == sorted([
        "content/bad-date.md:2: Date: 'yesterday-ish' is not a date Pelican reads",
        "content/first-post.md:12: warning: link '{filename}ghost.md': no such file in the "
        "content folder; the link is removed, its text kept",
        "content/first-post.md:14: warning: link '{category}labour': {category} links have no "
        "equivalent (the new site has no such pages); the link is removed, its text kept",
        "content/notes.rst: warning: not Markdown (reStructuredText or HTML): not imported",
        "content/undated.md:1: warning: no Date: Pelican skips an undated article unless "
        "DEFAULT_DATE is set; not imported",
        "pelicanconf.py:2: warning: settings imported with 'from common import *' are not read",
        "pelicanconf.py:16: warning: DEFAULT_DATE: not a literal value, not read; Pelican's "
        "default is used",
        "pelicanconf.py:19: warning: SITEURL: set inside a block (if, for, try...), which is "
        "not read; the value set before it is used",
    ])


def test_fixture_site_first_post(fixture_site: Path) -> None:
    result = read(fixture_site)
    post = by_origin(result, "content/first-post.md")
    assert post.title == "First post: the port"
    assert isinstance(post.date, dt.datetime)
    assert post.date.replace(tzinfo=None) == dt.datetime(2010, 10, 20, 10, 14)
    assert post.date.utcoffset() == dt.timedelta(hours=2)  # TIMEZONE = 'Europe/Berlin'
    assert post.updated is not None and post.updated.hour == 9
    assert post.tags == ("port", "strike", "docks")
    assert (post.authors, post.source) == (("Jane Doe",), "Reuters")
    assert post.categories == ("Labour",)
    assert post.summary == "The port closes, and talks begin."
    assert post.slug == "first-post-the-port"
    assert post.old_path is None  # the proposed permalink puts it where it was
    assert post.original_url == "https://old.example.com/posts/2010/10/first-post-the-port/"
    assert post.extra == {"mood": "calm"}
    assert post.body == (
        "See [the second](/posts/2012/11/second/#reaction), [the old way]"
        "(/posts/2012/11/second/)\n"
        "and a ghost. ![Chart](chart.svg)\n"
        "The [report](report.txt), the [economy tag](/tags/economy/),\n"
        'a category and the <a href="/pages/about/">about page</a>.\n'
        "Also ![logo](logo.svg).\n\n"
        "[ref]: /second-fr-fr.html\n")
    assert sorted((a.src.relative_to(fixture_site).as_posix(), a.name) for a in post.assets) \
        == [("content/files/report.txt", "report.txt"), ("content/images/chart.svg", "chart.svg"),
            ("content/images/logo.svg", "logo.svg")]


def test_fixture_site_other_files(fixture_site: Path) -> None:
    result = read(fixture_site)
    second = by_origin(result, "content/news/2012-11-30-second.md")
    assert (second.date, second.categories, second.authors) == (
        dt.date(2012, 11, 30), ("news",), ("John Roe",))  # date from the name, folder category
    translated = by_origin(result, "content/news/translated.md")
    assert (translated.lang, translated.old_path) == ("fr", "second-fr-fr.html")
    assert translated.extra == {"translation": "true"}
    assert by_origin(result, "content/url-override.md").old_path == "custom/place.html"
    draft = by_origin(result, "content/draft.md")
    assert (draft.draft, draft.old_path, draft.original_url) == (
        True, "posts/2013/02/draft/", "https://old.example.com/drafts/draft.html")
    hidden = by_origin(result, "content/hidden.md")
    assert (hidden.page, hidden.old_path) == (True, "posts/2013/02/hidden/")
    about = by_origin(result, "content/pages/about.md")
    assert (about.page, about.old_path, about.categories) == (True, "pages/about/", ())
    legacy = by_origin(result, "content/legacy.mkd")
    assert isinstance(legacy.date, dt.datetime)
    assert legacy.date.replace(tzinfo=None) == dt.datetime(2010, 10, 20, 9, 5)
    assert legacy.body == '```python\nprint("hello")\n```\n\nDone.\n'
    yaml_post = by_origin(result, "content/yaml-post.md")
    assert yaml_post.tags == ("Yaml", "Front matter")
    assert yaml_post.authors == ("Desk",)  # AUTHOR


def test_content_folder_with_settings_elsewhere(fixture_site: Path) -> None:
    result = read(fixture_site / "content", fixture_site / "pelicanconf.py")
    assert "first-post.md" in [a.path for a in result.accounted]
    assert by_origin(result, "first-post.md").original_url is not None


# --- dates, slugs, permalinks ----------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2010-10-20 10:14", dt.datetime(2010, 10, 20, 10, 14)),
    ("2010-10-20T10:14", dt.datetime(2010, 10, 20, 10, 14)),
    ("2012-11-30", dt.date(2012, 11, 30)),
    ("2010-10-20 9:14", dt.datetime(2010, 10, 20, 9, 14)),
    ("2010-10-20\t10:14", dt.datetime(2010, 10, 20, 10, 14)),
    ("2010-10-20   10:14", dt.datetime(2010, 10, 20, 10, 14)),
    ("2010-10-20_10:14", dt.datetime(2010, 10, 20, 10, 14)),
    ("2010/10/20", dt.date(2010, 10, 20)),
    ("2010/10/20 10:14", dt.datetime(2010, 10, 20, 10, 14)),
    ("2012-11-22 22:11:10", dt.datetime(2012, 11, 22, 22, 11, 10)),
    ("2012-11-22T22:11Z", dt.datetime(2012, 11, 22, 22, 11, tzinfo=dt.UTC)),
    ("2012-11-22T22:11-0500", dt.datetime(2012, 11, 22, 22, 11,
                                          tzinfo=dt.timezone(dt.timedelta(hours=-5)))),
    ("2012-11-22T22:11:10Z", dt.datetime(2012, 11, 22, 22, 11, 10, tzinfo=dt.UTC)),
    ("2012-11-22T22:11:10.123Z", dt.datetime(2012, 11, 22, 22, 11, 10, 123000, tzinfo=dt.UTC)),
    ("1997-07-16T19:20+01:00", dt.datetime(1997, 7, 16, 19, 20,
                                           tzinfo=dt.timezone(dt.timedelta(hours=1)))),
    ("1997-07-16T19:20:30.45+01:00", dt.datetime(1997, 7, 16, 19, 20, 30, 450000,
                                                 tzinfo=dt.timezone(dt.timedelta(hours=1)))),
    ("2012-11-22 22:11 UTC", dt.datetime(2012, 11, 22, 22, 11, tzinfo=dt.UTC)),
    ("22-11-2012", dt.date(2012, 11, 22)),
    ("22/11/2012", dt.date(2012, 11, 22)),
    ("22.11.2012", dt.date(2012, 11, 22)),
    ("22.11.2012 22:11", dt.datetime(2012, 11, 22, 22, 11)),
    ("2012-22-11", dt.date(2012, 11, 22)),
    ("01-02-2020", dt.date(2020, 1, 2)),  # month first, as dateutil reads it
    ("20 October 2010", dt.date(2010, 10, 20)),
    ("Oct 20, 2010", dt.date(2010, 10, 20)),
    ("October 20th, 2010 10:14 pm", dt.datetime(2010, 10, 20, 22, 14)),
    ("Wed, 20 Oct 2010 10:14:00 +0200", dt.datetime(2010, 10, 20, 10, 14,
                                                    tzinfo=BERLIN_SUMMER)),
])
def test_date_forms(text: str, expected: dt.date) -> None:
    assert pelican_date(text) == expected


@pytest.mark.parametrize("text", ["2010-110-12", "yay", "2012-02-30", "2010-10-20 25:00",
                                  "Smarch 3, 2010", "13 pm"])
def test_not_dates(text: str) -> None:
    assert pelican_date(text) is None


@pytest.mark.parametrize(("title", "slug"), [
    ("this is a test", "this-is-a-test"),
    ("this        is a test", "this-is-a-test"),
    ("this → is ← a ↑ test", "this-is-a-test"),
    ("this--is---a test", "this-is-a-test"),
    ("大飯原発４号機、１８日夜起動へ", "da-fan-yuan-fa-4hao-ji-18ri-ye-qi-dong-he"),
    ("One -, two --, three --- dashes!", "one-two-three-dashes"),
    ("Tags <b>stripped</b> &amp; entities", "tags-stripped-entities"),
    ("Ünïcödé Ålright", "unicode-alright"),
])
def test_slugs(title: str, slug: str) -> None:
    assert pelican_slug(title) == slug


def test_slug_options() -> None:
    assert pelican_slug("Cat", preserve_case=True) == "Cat"
    assert pelican_slug("Çığ", use_unicode=True) == "çığ"
    subs = [(r"C\+\+", "CPP"), *[(a, b) for a, b in (
        (r"[^\w\s-]", ""), (r"(?u)\A\s*", ""), (r"(?u)\s*\Z", ""), (r"[-\s]+", "-"))]]
    assert pelican_slug("C++ is based on C", subs) == "cpp-is-based-on-c"


@pytest.mark.parametrize(("pattern", "permalink"), [
    ("{slug}.html", "/{slug}.html"),
    ("{slug}/", "/{slug}/"),
    ("{date:%Y}/{date:%m}/{date:%d}/{slug}/", "/{year}/{month}/{day}/{slug}/"),
    ("posts/{date:%Y/%m}/{slug}.html", "/posts/{year}/{month}/{slug}.html"),
    ("{lang}/{slug}/", "/{lang}/{slug}/"),
    ("/blog/{date:%Y}/{slug}", "/blog/{year}/{slug}"),
    ("{category}/{slug}.html", None),
    ("{author}/{slug}.html", None),
    ("posts/{date:%Y}/{date:%b}/{slug}/", None),
    ("{date:%Y}/index.html", None),  # no slug
    ("{slug!r}.html", None),
    ("{slug", None),
])
def test_permalink_mapping(pattern: str, permalink: str | None) -> None:
    assert map_permalink(pattern) == permalink


def test_unmappable_url_keeps_old_paths(tmp_path: Path) -> None:
    article, result = one(tmp_path, "Title: T\nDate: 2012-01-02\nCategory: World News\n\nx\n",
                          settings="ARTICLE_URL = '{category}/{date:%b}/{slug}.html'\n")
    assert "permalink" not in result.proposed
    assert article.old_path == "world-news/Jan/t.html"


def test_permalink_with_day_and_language(tmp_path: Path) -> None:
    content, conf = make_content(tmp_path, {
        "a.md": "Title: A\nDate: 2012-01-02 23:30\n\nx\n",
        "b.md": "Title: B\nDate: 2012-01-03\nLang: de\n\nx\n",
    }, "ARTICLE_URL = '{date:%Y}/{date:%m}/{date:%d}/{slug}/'\nTIMEZONE = 'Asia/Tokyo'\n")
    result = read(content, conf)
    assert result.proposed["permalink"] == "/{year}/{month}/{day}/{slug}/"
    a, b = by_origin(result, "a.md"), by_origin(result, "b.md")
    assert a.old_path is None  # 2012/01/02 in Tokyo, where the date was written
    assert b.old_path == "b-de.html"  # ARTICLE_LANG_URL


# --- metadata, one construct at a time ---------------------------------------------------------


def test_metadata_header_forms(tmp_path: Path) -> None:
    article, result = one(tmp_path, (
        "Title: A title\n"
        "    continued\n"
        "date:2012-01-02\n"
        "Tags:\n"
        "Authors: Doe, Jane; Roe, John\n"
        "Slug: Keep-Case\n"
        "Summary: one\n"
        "\ttwo\n"
        "Template: special\n"
        "X-Custom_key: v\n"
        "\n"
        "Body: not metadata\n"))
    assert article.title == "A title continued"
    assert article.date == dt.date(2012, 1, 2)
    assert article.tags == ()
    assert article.authors == ("Doe, Jane", "Roe, John")
    assert article.slug == "Keep-Case"
    assert article.summary == "one two"
    assert article.extra == {"template": "special", "x-custom_key": "v"}
    assert article.body == "Body: not metadata\n"
    assert result.unmapped == {"template": 1, "x-custom_key": 1}


def test_no_metadata_at_all(tmp_path: Path) -> None:
    content, _ = make_content(tmp_path, {"2012-05-06-note.md": "Just a body.\n"})
    result = read(content)
    assert result.accounted[0].reason == "no Title: Pelican does not publish it"


def test_duplicate_keys_keep_the_first(tmp_path: Path) -> None:
    article, result = one(tmp_path, "Title: T\nDate: 2012-01-02\nDate: 2013-01-01\n\nx\n")
    assert article.date == dt.date(2012, 1, 2)
    assert warnings(result) == ["2: date: more than one value; the first is used, as Pelican "
                                "does"]


def test_bom_and_crlf(tmp_path: Path) -> None:
    content, _ = make_content(tmp_path, {})
    (content / "post.md").write_bytes("\ufeffTitle: BOM\r\nDate: 2012-01-02\r\n\r\nBody\r\n"
                                      .encode())
    result = read(content)
    assert (result.articles[0].title, result.articles[0].body) == ("BOM", "Body\n")


@pytest.mark.parametrize(("status", "kind"), [
    ("draft", "draft"), ("hidden", "page"), ("published", "article"), ("skip", "skipped"),
    ("Draft", "draft"), ("weird", "skipped")])
def test_statuses(tmp_path: Path, status: str, kind: str) -> None:
    content, _ = make_content(tmp_path, {"post.md": f"Title: T\nDate: 2012-01-02\n"
                                                    f"Status: {status}\n\nx\n"})
    result = read(content)
    assert result.accounted[0].kind == kind


def test_draft_without_date(tmp_path: Path) -> None:
    article, _ = one(tmp_path, "Title: T\nStatus: draft\n\nx\n")
    assert article.draft


def test_default_status_and_metadata(tmp_path: Path) -> None:
    article, _ = one(tmp_path, "Title: T\nDate: 2012-01-02\n\nx\n",
                     settings="DEFAULT_METADATA = {'status': 'draft'}\n")
    assert article.draft


def test_filename_and_path_metadata(tmp_path: Path) -> None:
    article, _ = one(tmp_path, "Title: T\n\nx\n", name="2019/news/2019-03-04_the-slug.md",
                     settings="FILENAME_METADATA = r'(?P<date>\\d{4}-\\d{2}-\\d{2})_(?P<slug>.*)'\n"
                              "PATH_METADATA = r'(?P<year>\\d{4})/.*'\n")
    assert (article.date, article.slug, article.categories) == (
        dt.date(2019, 3, 4), "the-slug", ("news",))


def test_folder_category_can_be_off(tmp_path: Path) -> None:
    article, _ = one(tmp_path, "Title: T\nDate: 2012-01-02\n\nx\n", name="world/post.md",
                     settings="USE_FOLDER_AS_CATEGORY = False\n")
    assert article.categories == ()


def test_slug_from_basename(tmp_path: Path) -> None:
    article, _ = one(tmp_path, "Title: Something else\nDate: 2012-01-02\n\nx\n",
                     name="My File.md", settings="SLUGIFY_SOURCE = 'basename'\n")
    assert article.slug == "my-file"


def test_save_as_empty_is_skipped(tmp_path: Path) -> None:
    content, _ = make_content(tmp_path, {"p.md": "Title: T\nDate: 2012-01-02\nSave_as:\n\nx\n"})
    assert read(content).accounted[0].reason == "Save_as is empty: Pelican does not write it"


def test_yaml_that_is_not_yaml_is_read_as_metadata_lines(tmp_path: Path) -> None:
    article, _ = one(tmp_path, "---\nTitle: A: B\nDate: 2012-01-02\n---\n\nx\n")
    assert (article.title, article.body) == ("A: B", "x\n")


def test_yaml_front_matter(tmp_path: Path) -> None:
    article, _ = one(tmp_path, "---\ntitle: Y\ndate: 2012-01-02 10:00\nauthors: [A, B]\n"
                               "category: c\nextra_list: [1, 2]\n---\nx\n")
    assert (article.title, article.authors, article.categories) == ("Y", ("A", "B"), ("c",))
    assert article.date == dt.datetime(2012, 1, 2, 10)
    assert article.extra == {"extra_list": [1, 2]}


# --- links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), [
    ("[a]({filename}b.md)", "[a](/b.html)"),
    ("[a]({filename}/sub/c.md#x)", "[a](/c.html#x)"),
    ("[a](|filename|b.md)", "[a](/b.html)"),
    ("[a]({filename}../b.md)", "a"),
    ("![i]({static}/images/p.png)", "![i](p.png)"),
    ("![i]({static}images/p.png)", "![i](p.png)"),
    ("![i]({attach}images/p.png)", "![i](p.png)"),
    ("![i]({filename}/images/p.png)", "![i](p.png)"),
    ("![i](/images/p.png)", "![i](p.png)"),
    ("![i](images/p.png)", "![i](p.png)"),
    ('<img src="{static}/images/p.png">', '<img src="p.png">'),
    ("[t]({tag}Economy)", "[t](/tags/economy/)"),
    ("[t]({author}Jane_Doe)", "[t](/authors/jane-doe/)"),
    ("[t]({index})", "[t](/)"),
    ("[t]({category}x) z", "t z"),
    ("[t]({filename}missing.md) z", "t z"),
    ("`[a]({filename}b.md)`", "`[a]({filename}b.md)`"),
    ("[a](https://example.org/{filename})", "[a](https://example.org/{filename})"),
])
def test_intrasite_links(tmp_path: Path, body: str, expected: str) -> None:
    content, _ = make_content(tmp_path, {
        "a.md": f"Title: A\nDate: 2012-01-02\n\n{body}\n",
        "b.md": "Title: B\nDate: 2012-01-03\n\nb\n",
        "sub/c.md": "Title: C\nDate: 2012-01-04\n\nc\n",
        "images/p.png": "png",
    })
    result = read(content)
    assert by_origin(result, "a.md").body == expected + "\n"


def test_attach_keeps_the_path_below_the_article(tmp_path: Path) -> None:
    content, _ = make_content(tmp_path, {
        "trip/post.md": "Title: Trip\nDate: 2012-01-02\n\n![a]({attach}photos/a.jpg) "
                        "![b]({attach}/other/a.jpg)\n",
        "trip/photos/a.jpg": "jpg", "other/a.jpg": "jpg2"})
    result = read(content)
    article = by_origin(result, "trip/post.md")
    assert article.body == "![a](photos/a.jpg) ![b](a.jpg)\n"
    assert sorted(a.name for a in article.assets) == ["a.jpg", "photos/a.jpg"]
    assert {a.path: a.kind for a in result.accounted}["other/a.jpg"] == "asset"


def test_same_name_twice_gets_a_new_name(tmp_path: Path) -> None:
    content, _ = make_content(tmp_path, {
        "post.md": "Title: P\nDate: 2012-01-02\n\n![a]({static}x/a.jpg) ![b]({static}y/a.jpg)\n",
        "x/a.jpg": "1", "y/a.jpg": "2"})
    article = read(content).articles[0]
    assert article.body == "![a](a.jpg) ![b](a-2.jpg)\n"


def test_link_to_a_skipped_article(tmp_path: Path) -> None:
    content, _ = make_content(tmp_path, {
        "a.md": "Title: A\nDate: 2012-01-02\n\n[b]({filename}b.md)\n",
        "b.md": "Title: B\nStatus: skip\n\nb\n"})
    result = read(content)
    assert by_origin(result, "a.md").body == "b\n"
    assert "that file is not imported" in warnings(result)[0]


# --- settings ----------------------------------------------------------------------------------


def test_settings_are_read_without_running_them(tmp_path: Path) -> None:
    conf = tmp_path / "pelicanconf.py"
    marker = tmp_path / "ran"
    conf.write_text(
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('x')\n"
        "SITEURL = 'https://a.example'\n"
        "ARTICLE_URL = 'posts/{slug}/'\n"
        "ARTICLE_SAVE_AS = ARTICLE_URL + 'index.html'\n"
        "STATIC_PATHS = ['images']\n"
        "STATIC_PATHS += ['extra']\n"
        "PAGE_PATHS: list[str] = ['pages', 'about']\n"
        "DEFAULT_DATE = (2012, 1, 2)\n"
        "TIMEZONE = f'Europe/{\"Paris\"}'\n"
        "PATH = os.path.join('con', 'tent')\n"
        "SLUG_REGEX_SUBSTITUTIONS = [(r'[^\\w\\s-]', ''), (r'[-\\s]+', '-')]\n"
        "FEED_DOMAIN = SITEURL\n"
        "SITENAME = get_name()\n"
        "DEFAULT_LANG = lang()\n"
        "try:\n    PAGE_URL = 'x'\nexcept Exception:\n    pass\n",
        encoding="utf-8")
    values, problems = read_settings(conf)
    assert not marker.exists()
    assert values["ARTICLE_SAVE_AS"] == "posts/{slug}/index.html"
    assert values["STATIC_PATHS"] == ["images", "extra"]
    assert values["PAGE_PATHS"] == ["pages", "about"]
    assert values["DEFAULT_DATE"] == (2012, 1, 2)
    assert values["TIMEZONE"] == "Europe/Paris"
    assert values["PATH"] == "con/tent"
    assert values["SLUG_REGEX_SUBSTITUTIONS"] == [("[^\\w\\s-]", ""), ("[-\\s]+", "-")]
    assert "SITENAME" not in values  # not a setting the reader uses, not reported either
    assert [str(p) for p in problems] == [
        "pelicanconf.py:15: warning: DEFAULT_LANG: not a literal value, not read; Pelican's "
        "default is used",
        "pelicanconf.py:17: warning: PAGE_URL: set inside a block (if, for, try...), which is "
        "not read; Pelican's default is used",
    ]


def test_settings_that_are_not_python(tmp_path: Path) -> None:
    conf = tmp_path / "pelicanconf.py"
    conf.write_text("SITEURL = 'x'\nARTICLE_URL = (\n", encoding="utf-8")
    values, problems = read_settings(conf)
    assert values == {}
    assert problems[0].level == "error" and problems[0].line == 2


def test_unknown_timezone_is_reported(tmp_path: Path) -> None:
    article, result = one(tmp_path, "Title: T\nDate: 2012-01-02 10:00\n\nx\n",
                          settings="TIMEZONE = 'Mars/Olympus'\n")
    assert article.date == dt.datetime(2012, 1, 2, 10)
    assert "timezone" not in result.proposed
    assert "TIMEZONE: unknown time zone 'Mars/Olympus'" in warnings(result)[0]


def test_article_and_page_paths(tmp_path: Path) -> None:
    content, conf = make_content(tmp_path, {
        "posts/a.md": "Title: A\nDate: 2012-01-02\n\nx\n",
        "static-pages/about.md": "Title: About\n\nx\n",
        "elsewhere/b.md": "Title: B\nDate: 2012-01-02\n\nx\n",
    }, "ARTICLE_PATHS = ['posts']\nPAGE_PATHS = ['static-pages']\n")
    result = read(content, conf)
    assert {a.path: (a.kind, a.reason) for a in result.accounted} == {
        "posts/a.md": ("article", None), "static-pages/about.md": ("page", None),
        "elsewhere/b.md": ("skipped", "outside ARTICLE_PATHS and PAGE_PATHS")}
    assert by_origin(result, "static-pages/about.md").old_path == "pages/about.html"


def test_two_files_at_one_url(tmp_path: Path) -> None:
    content, _ = make_content(tmp_path, {
        "a.md": "Title: Same\nDate: 2012-01-02\n\nx\n",
        "b.md": "Title: Same\nDate: 2012-01-03\n\ny\n"})
    result = read(content)
    assert warnings(result) == ["1: same URL /same.html as a.md; Pelican wrote only one of "
                                "them"]
