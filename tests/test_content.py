"""Parsing and validation of article files: each problem is reported with file and line."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from site_builder.config import load_config
from site_builder.content import discover_sources, parse_text, read_sources
from site_builder.errors import BuildError
from site_builder.model import Image, Related

from .conftest import make_config

PATH = "content/x.md"


def parse(text: str, **config: object):  # type: ignore[no-untyped-def]
    return parse_text(text, PATH, make_config(Path("/project"), **config))


def problems_of(text: str) -> list[str]:
    article, problems = parse(text)
    assert article is None
    return [str(p) for p in problems]


def test_full_schema_is_parsed() -> None:
    article, problems = parse(
        "---\n"
        "title: Afghanistan Calls on Russia\n"
        "date: 2018-08-22T10:30:00\n"
        "updated: 2018-08-23\n"
        "authors: Jane Doe\n"
        "source: Reuters\n"
        "tags: [Afghanistan, Russia]\n"
        "image:\n  caption: Two ministers\n  credit: TASS\n"
        "original_url: https://example.com/a\n"
        "related:\n  - title: Earlier story\n    url: https://example.com/b\n  - title: No link\n"
        "lang: en\n"
        "aliases: [/old/path/]\n"
        "section: World\n"
        "desk: Foreign\n"
        "---\n\nFirst paragraph.\n\nSecond.\n",
        timezone="Europe/Moscow",
    )
    assert problems == []
    assert article is not None
    assert article.title == "Afghanistan Calls on Russia"
    assert article.date == dt.datetime(2018, 8, 22, 10, 30, tzinfo=article.date.tzinfo)
    assert article.date.utcoffset() == dt.timedelta(hours=3)
    assert article.authors == ("Jane Doe",)
    assert article.byline == ("Jane Doe", "Reuters")
    assert article.image == Image(caption="Two ministers", credit="TASS")
    assert article.related == (Related("Earlier story", "https://example.com/b"),
                               Related("No link"))
    assert article.section == "World"
    assert article.extra == {"desk": "Foreign"}
    assert article.summary == "First paragraph."
    assert article.slug == "x"
    assert article.url == "2018/08/22/x/"
    assert article.body_line == 21
    assert article.key_lines["source"] == 6


def test_toml_front_matter() -> None:
    article, problems = parse('+++\ntitle = "T"\ndate = 2020-01-02\ntags = ["a"]\n+++\nBody\n')
    assert problems == []
    assert article is not None and article.tags == ("a",)


def test_bom_crlf_and_control_characters_are_accepted() -> None:
    article, problems = parse("\ufeff---\r\ntitle: \"Bell\\x07 rings\"\r\ndate: 2020-01-02\r\n"
                              "---\r\nText\x0b here\r\n")
    assert problems == []
    assert article is not None
    assert article.html == "<p>Text here</p>"


def test_slug_is_transliterated_from_cyrillic_title() -> None:
    article, _ = parse_text("---\ntitle: Рыбаки требуют квот\ndate: 2020-01-02\n---\n",
                            "content/---.md", make_config(Path("/p")))
    assert article is not None
    assert article.slug == "rybaki-trebuyut-kvot"


@pytest.mark.parametrize(("text", "expected"), [
    ("---\ndate: 2020-01-02\n---\n", "content/x.md:1: title: required field is missing"),
    ("---\ntitle: T\n---\n", "content/x.md:1: date: required field is missing"),
    ("---\ntitle: T\ndate: 2020-13-45\n---\n",
     "content/x.md:3: date: expected a date like 2018-08-22 or 2018-08-22T10:30:00+03:00, "
     "got '2020-13-45'"),
    ("---\ntitle: T\ndate: yesterday\n---\n",
     "content/x.md:3: date: expected a date like 2018-08-22 or 2018-08-22T10:30:00+03:00, "
     "got 'yesterday'"),
    ("---\ntitle: [a, b]\ndate: 2020-01-02\n---\n",
     "content/x.md:2: title: expected text, got a list"),
    ("---\ntitle: T\ndate: 2020-01-02\ntags: {a: 1}\n---\n",
     "content/x.md:4: tags: expected a list of names, got a mapping"),
    ("---\ntitle: T\ndate: 2020-01-02\ndraft: maybe\n---\n",
     "content/x.md:4: draft: expected true or false, got 'maybe'"),
    ("---\ntitle: T\ndate: 2020-01-02\nimage: [1]\n---\n",
     "content/x.md:4: image: expected a mapping with src, alt, caption, credit, copyright, "
     "got a list"),
    ("---\ntitle: T\ndate: 2020-01-02\noriginal_url: not a url\n---\n",
     "content/x.md:4: original_url: expected an absolute http(s) URL, got 'not a url'"),
    ("---\ntitle: T\ndate: 2020-01-02\nslug: ../etc\n---\n",
     "content/x.md:4: slug: '../etc' is not usable in a URL (use letters, digits, '-', '_', "
     "'~' or '.', at most 120 characters, not ending in '.')"),
    ("---\ntitle: T\ndate: 2020-01-02\nrelated: [{note: x}]\n---\n",
     "content/x.md:4: related: each entry needs a 'title', a 'url' or both"),
    ("---\ntitle: T\ndate: 2020-01-02\nlang: 12\n---\n",
     "content/x.md:4: lang: '12' is not a language code such as 'en' or 'pt-BR'"),
    ("---\ntitle: T\n  date: : 2020\n---\n",
     "content/x.md:3: invalid YAML front matter: mapping values are not allowed"),
    ("---\n- a\n- b\n---\n", "content/x.md:1: front matter must be a mapping of keys to values"),
    ("no front matter\n",
     "content/x.md:1: no front matter: the file must start with a '---' line"),
    ("", "content/x.md: empty file: expected front matter between '---' lines"),
    ("---\ntitle: T\ndate: 2020-01-02\nurl: /a/../../b/\n---\n",
     "content/x.md:4: url: '/a/../../b/' is not a usable URL path"),
    ("---\ntitle: T\ndate: 2020-01-02\nurl: /feed.php\n---\n",
     "content/x.md:4: url: '/feed.php' names a file that is not a page: end it with '/' for "
     "a folder, or with '.html'"),
    ("---\ntitle: T\ndate: 2020-01-02\nurl: /\n---\n",
     "content/x.md:4: url: the home page cannot be an article's url"),
    ("---\ntitle: T\ndate: 2020-01-02\nurl: https://elsewhere.example/a/\n---\n",
     "content/x.md:4: url: 'https://elsewhere.example/a/' is not under base_url "
     "https://example.org/"),
    ("---\ntitle: T\ndate: 2020-01-02\nurl: [/a/]\n---\n",
     "content/x.md:4: url: expected text, got a list"),
    ("---\ntitle: T\ndate: 2020-01-02\npage: yes please\n---\n",
     "content/x.md:4: page: expected true or false, got 'yes please'"),
    ("---\ntitle: T\ndate: 2020-01-02\ncategories: {a: 1}\n---\n",
     "content/x.md:4: categories: expected a list of names, got a mapping"),
    ('+++\ntitle = "T\n+++\n',
     "content/x.md:2: invalid TOML front matter: Illegal character '\\n'"),
])
def test_each_problem_names_file_and_line(text: str, expected: str) -> None:
    assert any(p.startswith(expected) for p in problems_of(text)), problems_of(text)


@pytest.mark.parametrize(("written", "url"), [
    ("/2008/11/21/complex.html", "2008/11/21/complex.html"),
    ("/blog/hello/", "blog/hello/"),
    ("/blog/hello", "blog/hello/"),  # a last segment without a dot is a folder
    ("blog/hello/index.html", "blog/hello/"),
    ("/news/blog/hello/", "blog/hello/"),  # the base URL's path may be written
    ("https://example.org/news/2008/x.htm", "2008/x.htm"),
    ("/caf%C3%A9/", "café/"),  # decoded, as servers decode it to find the file
])
def test_url_key_gives_the_article_that_site_path(written: str, url: str) -> None:
    article, problems = parse_text(
        f"---\ntitle: T\ndate: 2020-01-02\nslug: s\nurl: '{written}'\n---\n", PATH,
        make_config(Path("/project"), base_url="https://example.org/news/"))
    assert problems == []
    assert article is not None
    assert (article.url, article.slug) == (url, "s")
    assert "url" not in article.extra


def test_categories_and_page_are_parsed() -> None:
    article, problems = parse("---\ntitle: T\ndate: 2020-01-02\ncategories: Labour, Harbour"
                              "\npage: true\n---\n")
    assert problems == []
    assert article is not None
    assert (article.categories, article.page) == (("Labour", "Harbour"), True)
    article, _ = parse("---\ntitle: T\ndate: 2020-01-02\ncategories: [Labour, Labour]\n---\n")
    assert article is not None
    assert (article.categories, article.page) == (("Labour",), False)


@pytest.mark.parametrize(("path", "slug"), [
    ("content/2024/05/2024-05-02-strike/index.md", "strike"),
    ("content/2024/Port Strike/index.markdown", "port-strike"),
    ("content/index.md", "index"),  # the content folder itself is no bundle
    ("content/2024/index.en.md", "index"),
])
def test_a_bundle_index_is_named_by_its_folder(path: str, slug: str) -> None:
    article, _ = parse_text("---\ntitle: T\ndate: 2020-01-02\n---\n", path,
                            make_config(Path("/project")))
    assert article is not None
    assert article.slug == slug


def test_discovery_finds_each_bundle_s_files(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for name in ["loose.md", "loose.jpg", "2024/strike/index.md", "2024/strike/photo.jpg",
                 "2024/strike/files/a.pdf", "2024/strike/files/deep/b.txt",
                 "2024/strike/.hidden", "2024/strike/_partial.jpg", "2024/strike/x.jpg~",
                 "2024/strike/_work/c.txt", "2024/strike/other.md",
                 "2024/strike/nested/index.md", "2024/strike/nested/n.png",
                 "2024/strike/nested/sub/m.png", "2024/plain/p.md", "2024/plain/p.png"]:
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(name)
    sources = read_sources(make_config(tmp_path))
    assert sources.problems == []
    assert [s.path for s in sources.files] == [
        "content/2024/plain/p.md", "content/2024/strike/index.md",
        "content/2024/strike/nested/index.md", "content/2024/strike/other.md",
        "content/loose.md"]
    assert {index: [f.path for f in files] for index, files in sources.bundled.items()} == {
        "content/2024/strike/index.md": [
            "content/2024/strike/files/a.pdf", "content/2024/strike/files/deep/b.txt",
            "content/2024/strike/photo.jpg"],
        "content/2024/strike/nested/index.md": [
            "content/2024/strike/nested/n.png", "content/2024/strike/nested/sub/m.png"],
    }
    # Images outside bundles are found too, for the articles beside them to show.
    assert [s.path for s in sources.loose] == ["content/2024/plain/p.png", "content/loose.jpg"]
    assert set(sources.digests) == {s.path for s in sources.files} | {
        f.path for files in sources.bundled.values() for f in files} | {
        s.path for s in sources.loose}


def test_a_bundle_file_linked_from_outside_the_content_folder_is_refused(
        tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("x")
    bundle = tmp_path / "content" / "strike"
    bundle.mkdir(parents=True)
    (bundle / "index.md").write_text("x")
    (bundle / "config.toml").symlink_to(tmp_path / "config.toml")
    (bundle / "inside.md").symlink_to(bundle / "index.md")
    sources = read_sources(make_config(tmp_path))
    assert [str(p) for p in sources.problems] == [
        "content/strike/config.toml: symbolic link points outside the content folder"]
    assert sources.bundled == {}


def test_all_problems_of_a_file_are_reported_together() -> None:
    found = problems_of("---\ntitle: [x]\ndate: nope\ndraft: 3\n---\n")
    assert [p.split(":")[1] for p in found] == ["2", "3", "4"]


def test_non_utf8_file_is_located(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "bad.md").write_bytes(b"---\ntitle: T\ndate: 2020-01-02\n---\n\xff\xfe")
    config = make_config(tmp_path)
    sources, problems = discover_sources(config)
    from site_builder.content import parse_article

    article, problems = parse_article(sources[0], config)
    assert article is None
    assert [str(p) for p in problems] == [
        "content/bad.md:5: not UTF-8 text (is it a binary file?)"]


def test_discovery_skips_hidden_and_underscore_files(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "_drafts").mkdir(parents=True)
    (content / ".git").mkdir()
    for name in ["b.md", "a.markdown", ".swp.md", "_partial.md", "notes.txt",
                 "_drafts/x.md", ".git/y.md"]:
        (content / name).write_text("x")
    sources, problems = discover_sources(make_config(tmp_path))
    assert problems == []
    assert [s.path for s in sources] == ["content/a.markdown", "content/b.md"]


def test_symlink_outside_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: T\ndate: 2020-01-02\n---\n")
    project = tmp_path / "project"
    (project / "content").mkdir(parents=True)
    (project / "content" / "link.md").symlink_to(outside)
    sources, problems = discover_sources(make_config(project))
    assert sources == []
    assert [str(p) for p in problems] == [
        "content/link.md: symbolic link points outside the project"]


def test_build_error_lists_problems_sorted() -> None:
    from site_builder.errors import Problem

    err = BuildError([Problem("b.md", 2, "y"), Problem("a.md", 9, "x")])
    assert str(err) == "a.md:9: x\nb.md:2: y"


def _stamp_project(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "config.toml").write_text('title = "T"\nbase_url = "https://example.org/"\n')
    source = tmp_path / "content" / "a.md"
    source.parent.mkdir()
    source.write_text("---\ntitle: A\ndate: 2024-05-02\n---\n\nBody.\n")
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(source, ns=(hour_ago, hour_ago))
    return tmp_path, source


def test_stamp_index_spares_reading_files_whose_stat_data_is_unchanged(tmp_path: Path) -> None:
    project, source = _stamp_project(tmp_path)
    config = load_config(project)
    first = read_sources(config)
    stamp = first.stamps["content/a.md"]
    # A digest that is not the file's shows the file was not read again.
    known = {"content/a.md": (*stamp[:4], b"recorded")}
    later = read_sources(config, known, first.taken_at)
    assert later.digests["content/a.md"] == b"recorded"


def test_stamp_index_reads_changed_and_racy_files(tmp_path: Path) -> None:
    project, source = _stamp_project(tmp_path)
    config = load_config(project)
    first = read_sources(config)
    right = first.digests["content/a.md"]
    known = {"content/a.md": (*first.stamps["content/a.md"][:4], b"recorded")}
    # Taken within the racy window of the file's last change: the stat data proves nothing.
    assert read_sources(config, known, source.stat().st_mtime_ns + 1).digests[
        "content/a.md"] == right
    source.write_text(source.read_text() + "More.\n")
    changed = read_sources(config, known, first.taken_at)
    assert changed.digests["content/a.md"] not in (right, b"recorded")
    assert changed.stamps["content/a.md"][4] == changed.digests["content/a.md"]


@pytest.mark.parametrize(("key", "known"), [
    ("tag", "tags"), ("titel", "title"), ("Date", "date"), ("orginal_url", "original_url"),
    ("original-url", "original_url"), ("auther", "author"), ("catgories", "categories")])
def test_a_key_one_or_two_edits_from_a_known_one_warns_with_the_known_one(
    key: str, known: str
) -> None:
    article, problems = parse(f"---\ntitle: T\ndate: 2020-01-02\n\n{key}: x\n---\nBody\n")
    assert [str(p) for p in problems if p.level == "warning"] == [
        f"{PATH}:5: warning: unknown key '{key}'; did you mean '{known}'?"]
    assert article is not None and article.extra[key] == "x"  # kept, as every unknown key is


@pytest.mark.parametrize("key", ["desk", "type", "name", "layout", "weight", "category"])
def test_other_unknown_keys_stay_in_extra_without_a_word(key: str) -> None:
    article, problems = parse(f"---\ntitle: T\ndate: 2020-01-02\n{key}: x\n---\nBody\n")
    assert problems == []
    assert article is not None and article.extra == {key: "x"}


def test_a_misspelt_toml_key_warns_on_its_line() -> None:
    _, problems = parse('+++\ntitle = "T"\ndate = 2020-01-02\nsumary = "S"\n+++\nBody\n')
    assert [str(p) for p in problems] == [
        f"{PATH}:4: warning: unknown key 'sumary'; did you mean 'summary'?"]
