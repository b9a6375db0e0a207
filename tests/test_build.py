"""Whole builds: atomic output, determinism, drafts, base paths, the real corpus."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from site_builder import BuildError, load_config

from .conftest import PROJECT_ROOT, build, copy_site, shared_dir, tree


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    config = load_config(project)
    build(config)
    before = snapshot(config.output_path)
    (project / "content" / "2024" / "06" / "2024-06-12-school.md").write_text(
        "---\ntitle: School\ndate: [broken\n---\n")
    with pytest.raises(BuildError) as info:
        build(config)
    assert str(info.value).startswith("content/2024/06/2024-06-12-school.md:3: invalid YAML")
    assert snapshot(config.output_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["basic"]  # no staging left behind


def test_template_error_leaves_previous_output_untouched(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    config = load_config(project)
    build(config)
    before = snapshot(config.output_path)
    (project / "templates").mkdir()
    (project / "templates" / "index.html").write_text("line one\n{{ page.nothing_here }}\n")
    with pytest.raises(BuildError) as info:
        build(config)
    assert str(info.value).startswith("templates/index.html:2: template error:")
    assert snapshot(config.output_path) == before


def test_two_clean_builds_are_byte_identical(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    first = load_config(project, output_dir="one")
    second = load_config(project, output_dir="two")
    build(first)
    build(second)
    assert tree(first.output_path) == tree(second.output_path)


def test_rebuild_keeps_unchanged_files_and_removes_stale_ones(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    config = load_config(project)
    build(config)
    before = snapshot(config.output_path)
    (project / "content" / "2024" / "07" / "2024-07-20-emoji.md").unlink()
    result = build(config)
    after = snapshot(config.output_path)
    assert "2024/07/20/emoji/index.html" in result.deleted
    assert "2024/07/20/emoji/index.html" not in after
    assert after["2024/05/02/port-strike-begins/index.html"] == \
        before["2024/05/02/port-strike-begins/index.html"]
    assert "index.html" in result.written


def test_drafts_are_skipped_unless_asked_for(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    build(load_config(project))
    assert not (project / "output" / "2024/05/28/draft").exists()
    build(load_config(project, drafts=True))
    assert (project / "output" / "2024/05/28/draft/index.html").exists()


def test_links_carry_the_base_path(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    build(load_config(project))
    home = (project / "output" / "index.html").read_text()
    assert 'href="/archive/2024/07/20/emoji/"' in home
    assert 'href="/archive/assets/site.css"' in home
    assert 'href="https://example.org/archive/"' in home  # canonical


def copy_sample(tmp_path: Path) -> Path:
    """Copy the repository's sample archive (its config, content and templates)."""
    project = tmp_path / "sample"
    for name in ("content", "templates"):
        shutil.copytree(PROJECT_ROOT / name, project / name)
    shutil.copy(PROJECT_ROOT / "config.toml", project)
    return project


def test_sample_archive_builds_cleanly_with_its_own_masthead(tmp_path: Path) -> None:
    project = copy_sample(tmp_path)
    result = build(load_config(project))
    assert result.warnings == ()
    masthead = '<p class="masthead">An archive of news articles.</p>'
    pages = [p for p in (project / "output").rglob("*.html")
             if 'http-equiv="refresh"' not in p.read_text()]
    assert len(pages) == result.html_pages > 5
    for page in pages:
        header = page.read_text().split('<header class="site-header">')[1].split("</header>")[0]
        assert header.count(masthead) == 1, page


def test_seed_article_keeps_every_fact(tmp_path: Path) -> None:
    project = copy_sample(tmp_path)
    build(load_config(project))
    page = (project / "output/2018/08/22/afghanistan-calls-on-russia-to-press-taliban/index.html")
    html = page.read_text().replace("&rsquo;", "'").replace("&ldquo;", '"').replace("&rdquo;", '"')
    for fact in [
        "<h1>Afghanistan Calls on Russia to Help Press Taliban Into Peace Talks</h1>",
        '<time datetime="2018-08-22T00:00:00+00:00"',
        ">August 22, 2018</time>",
        '<a class="source" href="/sources/reuters/">Reuters</a>',
        "Sergei Lavrov and Mohammad Hanif Atmar",
        "Artyom Korotayev / TASS",
        "Safe But Not Welcomed, Afghan Refugees Build New Lives in Russia",
        "https://www.themoscowtimes.com/2018/08/22/afghanistan-calls-on-russia-to-press-taliban-a62625",
        "Afghanistan hopes Russia can press Taliban insurgents",
        "which began with a U.S. invasion in 2001.",
    ]:
        assert fact in html, fact
    body = html.split('<div class="article-body">')[1].split("</div>")[0]
    assert body.count("<p>") == 12
    # The original photo is lost: a placeholder that says so stands in, with the photo's
    # caption and credit.
    figure = html.split('<figure class="lead-image">')[1].split("</figure>")[0]
    assert re.search(r'<img src="/2018/08/22/afghanistan-calls-on-russia-to-press-taliban/'
                     r'photo-unavailable-1200\.[0-9a-f]{10}\.jpg" srcset="[^"]+" sizes="[^"]+" '
                     r'width="1200" height="800" alt="A grey placeholder reading '
                     r'&quot;Photo unavailable&quot;: the original photo is not in this archive"',
                     figure), figure
    assert "<figcaption>Sergei Lavrov and Mohammad Hanif Atmar <span class=\"credit\">" \
           "(Artyom Korotayev / TASS)</span></figcaption>" in figure


def test_sample_archive_files_the_seed_under_world_and_has_an_about_page(
        tmp_path: Path) -> None:
    project = tmp_path / "sample"
    shutil.copytree(PROJECT_ROOT / "content", project / "content")
    shutil.copy(PROJECT_ROOT / "config.toml", project)
    build(load_config(project))
    out = project / "output"
    seed = (out / "2018/08/22/afghanistan-calls-on-russia-to-press-taliban/index.html").read_text()
    assert '<li><a href="/world/">World</a></li>' in seed
    world = (out / "world/index.html").read_text()
    assert "<h1>World</h1>" in world and "Afghanistan Calls on Russia" in world
    assert (out / "world/feed.xml").is_file()
    about = (out / "about/index.html").read_text()
    assert "<h1>About the News Archive</h1>" in about
    assert ('href="/2018/08/22/afghanistan-calls-on-russia-to-press-taliban/"' in about)
    for page in (seed, world, about):
        footer = page.split('<footer class="site-footer">')[1]
        assert '>About the News Archive</a></li>' in footer


def test_ruby_english_corpus_builds(tmp_path: Path) -> None:
    corpus = shared_dir("corpus", "ruby-news")
    project = tmp_path / "ruby"
    (project / "content").mkdir(parents=True)
    for path in sorted(corpus.glob("*.en.md")):
        shutil.copy(path, project / "content")
    (project / "config.toml").write_text('title = "Ruby"\nbase_url = "https://example.org/"\n')
    result = build(load_config(project))
    assert len(list((project / "content").iterdir())) == 513
    assert result.pages > 513


def write_article(content: Path, day: int, tag: str, author: str) -> None:
    date = dt.date(2020, 1, 1) + dt.timedelta(days=day)
    (content / f"{date}-story-{day}.md").write_text(
        f"---\ntitle: Story {day}\ndate: {date}\nauthors: [{author}]\nsource: Wire\n"
        f"tags: [{tag}, News]\n---\n\nBody of story {day}.\n")


def test_adding_a_newer_article_rewrites_few_html_files(tmp_path: Path) -> None:
    project = tmp_path / "grow"
    content = project / "content"
    content.mkdir(parents=True)
    (project / "config.toml").write_text(
        'title = "Grow"\nbase_url = "https://example.org/"\nper_page = 5\n')
    for day in range(0, 300, 2):  # 150 articles over ten months
        write_article(content, day, ("Port", "Council", "Weather")[day % 3], f"Writer {day % 4}")
    config = load_config(project)
    build(config)
    write_article(content, 301, "Port", "Writer 1")
    result = build(config)
    written = [p for p in result.written if p.endswith(".html")]
    assert "2020/10/28/story-301/index.html" in written
    assert len(written) < 40, written
    articles = [p for p in written if re.fullmatch(r"\d{4}/\d\d/\d\d/story-\d+/index.html", p)]
    assert len(articles) <= 2 + 5  # the new one, the previous newest, a few related lists
    # Numbered pages keep their content: page 1 of every list is untouched.
    assert not [p for p in written if "/page/1/" in p or p.startswith("page/1/")]
    assert len([p for p in result.unchanged if p.endswith(".html")]) > 200
