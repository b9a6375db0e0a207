"""``site-builder import``: files in content/, idempotent, never clobbering edits."""

from __future__ import annotations

import datetime as dt
import functools
import html
import http.server
import re
import threading
import typing as t
from pathlib import Path

import frontmatter
import pytest
from feedgen.feed import FeedGenerator

from site_builder import build, load_config
from site_builder.body import render_markdown
from site_builder.cli import PROGRESS_EVERY, main
from site_builder.config import Config
from site_builder.importers.imported import ImportedArticle
from site_builder.importers.writing import import_sources, is_unedited, render_article

from .conftest import make_config, seed_file, shared_dir

SEED_URL = ("https://www.themoscowtimes.com/2018/08/22/"
            "afghanistan-calls-on-russia-to-press-taliban-a62625")


def new_project(tmp_path: Path) -> Path:
    project = tmp_path / "site"
    project.mkdir(parents=True)
    (project / "config.toml").write_text('title = "Archive"\nbase_url = "https://example.org/"\n')
    return project


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def plain(page: str) -> str:
    """Return page text with entities and typographic quotes made plain, for comparison."""
    text = html.unescape(page)
    for curly, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(curly, straight)
    return text


def test_seed_imports_and_builds_with_every_fact(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    config = load_config(project)
    result = import_sources(config, [str(seed_file())])
    assert (result.count("created"), result.problems) == (1, ())
    build(config)
    pages = list((project / "output" / "2018" / "08" / "22").glob("*/index.html"))
    assert len(pages) == 1
    page = plain(pages[0].read_text())
    for fact in [
        "<h1>Afghanistan Calls on Russia to Help Press Taliban Into Peace Talks</h1>",
        '<time datetime="2018-08-22T00:00:00+00:00"',
        ">August 22, 2018</time>",
        'By <a class="source" href="/sources/reuters/">Reuters</a>',
        # The seed keeps no picture: its caption and credit make the credit line.
        '<p class="credit">Photo: Sergei Lavrov and Mohammad Hanif Atmar '
        "(Artyom Korotayev / TASS)</p>",
        "<li>Safe But Not Welcomed, Afghan Refugees Build New Lives in Russia</li>",
        f'<a href="{SEED_URL}">{SEED_URL}</a>',
    ]:
        assert fact in page, fact
    seed = seed_file().read_text()
    blocks = [block.strip() for block in seed.split("\n\n") if block.strip()]
    paragraphs = [block for block in blocks if block[0] not in "#*<"
                  and not block.startswith(("By ", "August 22", "Original url"))]
    assert len(paragraphs) == 12
    body = page.split('<div class="article-body">')[1].split("</div>")[0]
    assert re.findall(r"<p>(.*?)</p>", body, re.DOTALL) == paragraphs

    before = snapshot(project / "content")
    again = import_sources(config, [str(seed_file())])
    assert (again.count("unchanged"), again.count("created"), again.problems) == (1, 0, ())
    assert snapshot(project / "content") == before


def test_written_file_is_the_schema_of_the_sample_article(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = import_sources(load_config(project), [str(seed_file())])
    path = project / result.events[0].path
    assert path.parent == project / "content" / "2018" / "08"
    assert path.name.startswith("2018-08-22-afghanistan-calls-on-russia")
    post = frontmatter.loads(path.read_text())
    assert list(post.metadata) == ["title", "date", "source", "image", "related",
                                   "original_url", "lang", "import_digest"]
    assert post.metadata["image"] == {"caption": "Sergei Lavrov and Mohammad Hanif Atmar",
                                      "credit": "Artyom Korotayev / TASS"}
    assert post.metadata["lang"] == "en"
    assert is_unedited(path.read_text())


def write_corpus_feed(path: Path, count: int) -> list[dict[str, object]]:
    """Write an Atom feed of ``count`` small corpus articles with feedgen; return their data."""
    corpus = shared_dir("corpus")
    files = [p for p in sorted(corpus.glob("*/*.md")) if p.stat().st_size < 6000]
    step = len(files) // count
    chosen = [frontmatter.load(p) for p in files[::step][:count]]
    feed = FeedGenerator()
    feed.id("https://example.org/corpus")
    feed.title("Corpus")
    feed.link(href="https://example.org/", rel="alternate")
    feed.language("en")
    for post in chosen:
        entry = feed.add_entry(order="append")
        entry.id(post["original_url"])
        entry.title(post["title"])
        entry.link(href=post["original_url"])
        date = dt.datetime.fromisoformat(str(post["date"]))
        entry.published(date)
        entry.updated(date)
        for name in t.cast(list[str], post.get("authors") or []):
            entry.author(name=name)
        for tag in t.cast(list[str], post.get("tags") or []):
            entry.category(term=tag)
        entry.content(render_markdown(post.content).html, type="html")
    feed.atom_file(str(path))
    return [post.metadata for post in chosen]


def test_atom_feed_from_another_tool_imports_50_articles_that_build(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    feed = tmp_path / "corpus.atom"
    posts = write_corpus_feed(feed, 50)
    config = load_config(project)
    result = import_sources(config, feeds=[str(feed)])
    assert result.problems == ()
    assert result.count("created") == 50
    files = sorted((project / "content").rglob("*.md"))
    assert len(files) == 50
    assert {frontmatter.load(f)["original_url"] for f in files} == \
        {p["original_url"] for p in posts}
    built = build(config)
    assert built.warnings == ()
    assert len(list((project / "output").glob("[0-9]*/*/*/*/index.html"))) == 50

    before = snapshot(project / "content")
    again = import_sources(config, feeds=[str(feed)])
    assert (again.count("unchanged"), again.problems) == (50, ())
    assert snapshot(project / "content") == before


FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><id>urn:f</id>
<updated>2024-05-01T00:00:00Z</updated>
{entries}
</feed>
"""
ENTRY = """<entry><title>{title}</title><id>{url}</id><link href="{url}"/>
<updated>2024-05-01T10:00:00+02:00</updated><content type="text">{body}</content></entry>"""


def write_feed(path: Path, *entries: tuple[str, str, str]) -> str:
    path.write_text(FEED.format(entries="\n".join(
        ENTRY.format(title=html.escape(title), url=url, body=body)
        for title, url, body in entries)))
    return str(path)


def test_edited_file_is_kept_unless_forced(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    config = load_config(project)
    feed = write_feed(tmp_path / "f.xml", ("Ferry", "https://f.example/ferry", "First."))
    path = project / import_sources(config, feeds=[feed]).events[0].path
    path.write_text(path.read_text().replace("First.", "First, corrected by an editor."))
    edited = snapshot(project / "content")

    write_feed(tmp_path / "f.xml", ("Ferry", "https://f.example/ferry", "Changed upstream."))
    result = import_sources(config, feeds=[feed])
    assert [e.action for e in result.events] == ["skipped"]
    assert snapshot(project / "content") == edited

    result = import_sources(config, feeds=[feed], force=True)
    assert [e.action for e in result.events] == ["updated"]
    assert "Changed upstream." in path.read_text() and is_unedited(path.read_text())


def test_unedited_file_follows_its_source(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    config = load_config(project)
    feed = write_feed(tmp_path / "f.xml", ("Ferry", "https://f.example/ferry", "First."))
    import_sources(config, feeds=[feed])
    write_feed(tmp_path / "f.xml", ("Ferry", "https://f.example/ferry", "Corrected."))
    result = import_sources(config, feeds=[feed])
    assert [e.action for e in result.events] == ["updated"]
    assert len(list((project / "content").rglob("*.md"))) == 1
    assert "Corrected." in (project / result.events[0].path).read_text()


def test_articles_are_matched_by_original_url_anywhere_in_content(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    hand_made = project / "content" / "archive" / "afghanistan.md"
    hand_made.parent.mkdir(parents=True)
    hand_made.write_text(f"---\ntitle: Afghanistan\ndate: 2018-08-22\n"
                         f"original_url: {SEED_URL}\n---\n\nWritten by hand.\n")
    result = import_sources(load_config(project), [str(seed_file())])
    assert [(e.action, e.path) for e in result.events] == [
        ("skipped", "content/archive/afghanistan.md")]
    assert len(list((project / "content").rglob("*.md"))) == 1
    assert hand_made.read_text().endswith("Written by hand.\n")


def test_same_title_and_day_get_distinct_files_and_pages(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    config = load_config(project)
    feed = write_feed(tmp_path / "f.xml", ("Weather", "https://f.example/1", "Rain."),
                      ("Weather", "https://f.example/2", "Sun."))
    result = import_sources(config, feeds=[feed])
    assert [e.path for e in result.events] == [
        "content/2024/05/2024-05-01-weather.md", "content/2024/05/2024-05-01-weather-2.md"]
    build(config)
    assert (project / "output/2024/05/01/weather-2/index.html").exists()


def test_nothing_is_written_outside_content(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    feed = write_feed(tmp_path / "f.xml", ("../../etc/passwd", "https://f.example/1", "x"),
                      ("/", "https://f.example/2", "y"), ("..", "https://f.example/3", "z"))
    result = import_sources(load_config(project), feeds=[feed])
    assert result.problems == ()
    assert [e.path for e in result.events] == [
        "content/2024/05/2024-05-01-etc-passwd.md", "content/2024/05/2024-05-01-article.md",
        "content/2024/05/2024-05-01-article-2.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.xml", "site"]
    assert sorted(p.name for p in project.iterdir()) == ["config.toml", "content"]


def test_symlinked_folder_out_of_content_is_refused(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "content").mkdir()
    (project / "content" / "2024").symlink_to(outside)
    feed = write_feed(tmp_path / "f.xml", ("Ferry", "https://f.example/ferry", "x"))
    result = import_sources(load_config(project), feeds=[feed])
    assert [str(p) for p in result.problems] == [
        "content/2024/05/2024-05-01-ferry.md: refusing to write outside the content folder"]
    assert list(outside.iterdir()) == []


def test_bad_inputs_are_reported_and_the_rest_is_imported(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    notes = tmp_path / "notes.txt"
    notes.write_text("Meeting notes, not an article\n")
    broken = tmp_path / "broken.xml"
    broken.write_text("<rss version='2.0'><channel><title>x</titl")
    feed = tmp_path / "f.xml"
    feed.write_text(FEED.format(entries=ENTRY.format(title="Good", url="https://f.example/g",
                                                     body="x")
                                + '<entry><title>Undated</title><id>u</id></entry>'))
    result = import_sources(load_config(project), [str(notes), str(seed_file())],
                            [str(broken), str(feed), str(tmp_path / "missing.xml")])
    assert result.count("created") == 2
    messages = sorted(str(p) for p in result.problems)
    assert messages == sorted([
        f"{notes}:1: not article text: expected a '# Title' heading as the first line, got "
        "'Meeting notes, not an article'",
        f"{broken}:1: not an RSS, Atom or JSON feed: unclosed token",
        f"{feed}:5: entry 2: no date (neither published nor updated); not imported",
        f"{tmp_path / 'missing.xml'}: cannot read feed: No such file or directory",
    ])
    assert result.failed == 4


def test_cli_prints_each_file_a_summary_and_fails_on_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = new_project(tmp_path)
    bad = tmp_path / "bad.txt"
    bad.write_text("# Title only\n\nNo date anywhere.\n")
    code = main(["import", str(seed_file()), str(bad), "--project", str(project)])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines() == [
        "created content/2018/08/2018-08-22-afghanistan-calls-on-russia-to-help-press-taliban-"
        "into-peace-talks.md",
        "Imported 1 article: 1 created, 0 updated, 0 unchanged, 0 skipped, 1 failed.",
    ]
    assert err == (f"{bad}:1: no date line (like 'August 22, 2018') within 6 lines after "
                   "the title\n")
    assert main(["import", str(seed_file()), "--project", str(project)]) == 0
    assert capsys.readouterr().out == (
        "Imported 1 article: 0 created, 0 updated, 1 unchanged, 0 skipped.\n")


def test_cli_needs_something_to_import(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import"]) == 2
    assert "give at least one FILE or --feed" in capsys.readouterr().err
    assert main(["import", "x.txt", "--lang", "english!"]) == 2
    assert "--lang 'english!' is not a language code" in capsys.readouterr().err


def test_language_is_set_guessed_or_declared(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    config: Config = make_config(project)
    russian = tmp_path / "ru.txt"
    russian.write_text("# Паром отменён\n\n22 августа 2018\n\nНочной паром отменён.\n")
    english = tmp_path / "en.txt"
    english.write_text("# Ferry cancelled\n\nAugust 22, 2018\n\nThe night ferry is off.\n")
    result = import_sources(config, [str(russian), str(english)])
    langs = [frontmatter.load(project / e.path)["lang"] for e in result.events]
    assert langs == ["ru", "en"]
    other = new_project(tmp_path / "other")
    result = import_sources(make_config(other), [str(english)], lang="de")
    assert frontmatter.load(other / result.events[0].path)["lang"] == "de"


def test_digest_ignores_line_endings_but_not_edits() -> None:
    article = ImportedArticle(origin="x", origin_line=1, title="T", date=dt.date(2018, 8, 22),
                              body="Body.\n")
    text = render_article(article, "en")
    assert is_unedited(text)
    assert is_unedited(text.replace("\n", "\r\n"))
    assert not is_unedited(text.replace("Body.", "Body!"))
    assert not is_unedited(text.replace("title: T", "title: U"))
    assert not is_unedited(re.sub(r"import_digest: .*\n", "", text))
    assert not is_unedited("no front matter")


def test_long_import_reports_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = new_project(tmp_path)
    feed = write_feed(tmp_path / "f.xml", *[(f"Story {n}", f"https://f.example/{n}", "x")
                                            for n in range(PROGRESS_EVERY)])
    assert main(["import", "--feed", feed, "--project", str(project)]) == 0
    out, err = capsys.readouterr()
    assert err == f"... {PROGRESS_EVERY} of {PROGRESS_EVERY} articles\n"
    assert out.count("\ncreated ") == PROGRESS_EVERY - 1


def test_same_entry_twice_in_one_run_is_written_once(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    feed = write_feed(tmp_path / "f.xml", ("Ferry", "https://f.example/ferry", "One."),
                      ("Ferry again", "https://f.example/ferry", "Two."))
    result = import_sources(load_config(project), feeds=[feed])
    assert [e.action for e in result.events] == ["created", "skipped"]
    assert [str(p) for p in result.problems] == [
        f"{feed}:6: warning: entry 2 (https://f.example/ferry): same article as {feed}: "
        "entry 1 (https://f.example/ferry); imported only once"]
    assert len(list((project / "content").rglob("*.md"))) == 1


def test_feed_is_fetched_from_a_url(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    served = tmp_path / "served"
    served.mkdir()
    write_feed(served / "f.xml", ("Ferry", "https://f.example/ferry", "x"))
    handler = functools.partial(QuietHandler, directory=str(served))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            result = import_sources(load_config(project),
                                    feeds=[f"{base}/f.xml", f"{base}/missing.xml"])
        finally:
            server.shutdown()
    assert [e.path for e in result.events] == ["content/2024/05/2024-05-01-ferry.md"]
    assert [str(p) for p in result.problems] == [
        f"{base}/missing.xml: cannot fetch feed: HTTP 404 File not found"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: t.Any) -> None:
        """Keep the test output clean."""


def test_articles_without_url_are_found_again_by_day_and_title(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    config = load_config(project)
    taken = write_feed(tmp_path / "taken.xml", ("Weather", "https://f.example/w", "Rain."))
    import_sources(config, feeds=[taken])
    text = tmp_path / "weather.txt"
    text.write_text("# Weather\n\nMay 1, 2024\n\nSun.\n")
    first = import_sources(config, [str(text)])
    assert [(e.action, e.path) for e in first.events] == [
        ("created", "content/2024/05/2024-05-01-weather-2.md")]
    before = snapshot(project / "content")
    again = import_sources(config, [str(text)])
    assert [(e.action, e.path) for e in again.events] == [
        ("unchanged", "content/2024/05/2024-05-01-weather-2.md")]
    assert snapshot(project / "content") == before
