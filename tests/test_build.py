"""Whole builds: atomic output, determinism, drafts, base paths, the real corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder import BuildError, build, load_config

from .conftest import PROJECT_ROOT, copy_site, shared_dir, tree


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


def test_seed_article_keeps_every_fact(tmp_path: Path) -> None:
    project = tmp_path / "sample"
    shutil.copytree(PROJECT_ROOT / "content", project / "content")
    shutil.copy(PROJECT_ROOT / "config.toml", project)
    build(load_config(project))
    page = (project / "output/2018/08/22/afghanistan-calls-on-russia-to-press-taliban/index.html")
    html = page.read_text().replace("&rsquo;", "'").replace("&ldquo;", '"').replace("&rdquo;", '"')
    for fact in [
        "<h1>Afghanistan Calls on Russia to Help Press Taliban Into Peace Talks</h1>",
        '<time datetime="2018-08-22T00:00:00+00:00"',
        ">August 22, 2018</time>",
        '<span class="source">Reuters</span>',
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
