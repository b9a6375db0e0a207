"""Incremental builds equal clean builds byte for byte, for every kind of change."""

from __future__ import annotations

import shutil
import sqlite3
import typing as t
from pathlib import Path

import pytest

from site_builder import BuildError, build, load_config
from site_builder.incremental.fingerprint import Digester, Uncacheable, route_fingerprint
from site_builder.incremental.store import CACHE_DIR, CACHE_FILE
from site_builder.model import Route
from site_builder.output import previous_path, staging_path

from .conftest import copy_site, make_article, tree
from .projects import CONFIG, write_project

CONTENT = Path("content/2024")
FERRY = CONTENT / "05/2024-05-20-ferry.md"


def basic_site(tmp_path: Path) -> Path:
    """Copy the basic fixture with search off (test_search.py covers the index)."""
    project = copy_site("basic", tmp_path)
    config = project / "config.toml"
    config.write_text("search = false\n" + config.read_text())
    return project


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in root.rglob("*") if p.is_file()}


def assert_matches_clean(project: Path) -> None:
    """Build ``project`` from scratch elsewhere and compare with its incremental output."""
    fresh = project.with_name(project.name + "-fresh")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns(CACHE_DIR, "output"))
    build(load_config(fresh), clean=True)
    assert tree(project / "output") == tree(fresh / "output")


def edit_body(project: Path) -> None:
    path = project / FERRY
    path.write_text(path.read_text() + "\nA late correction to the timetable.\n")


def edit_title(project: Path) -> None:
    path = project / FERRY
    path.write_text(path.read_text().replace("title: ", "title: Revised ", 1))


def add_article(project: Path) -> None:
    (project / CONTENT / "06/2024-06-15-new-pier.md").write_text(
        "---\ntitle: New pier opens\ndate: 2024-06-15T09:00:00\nauthors: [Ann Lee]\n"
        "tags: [harbour]\n---\n\nThe pier opened at dawn.\n")


def delete_article(project: Path) -> None:
    (project / FERRY).unlink()


def rename_article(project: Path) -> None:
    (project / FERRY).rename(project / CONTENT / "05/2024-05-20-evening-ferry.md")


def edit_template(project: Path) -> None:
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates" / "article.html").write_text(
        '{% extends "default/article.html" %}\n'
        "{% block title %}{{ article.title }} | Gazette{% endblock %}\n")


def edit_config(project: Path) -> None:
    config = project / "config.toml"
    config.write_text(config.read_text().replace("per_page = 3", "per_page = 2"))


def edit_static(project: Path) -> None:
    (project / "static" / "images" / "dock.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n')


def toggle_drafts(project: Path) -> None:
    config = project / "config.toml"
    config.write_text(config.read_text().replace("feed_limit = 5", "feed_limit = 5\ndrafts = true"))


def add_front_matter(project: Path, lines: str) -> None:
    path = project / FERRY
    path.write_text(path.read_text().replace("---\n", "---\n" + lines, 1))


def give_url(project: Path) -> None:
    add_front_matter(project, "url: /ferry.html\naliases: [/old/ferry]\n")
    strike = project / CONTENT / "05/2024-05-02-port-strike-begins.md"
    strike.write_text(strike.read_text() + "\nSee [the ferry](/old/ferry/).\n")


def add_categories(project: Path) -> None:
    add_front_matter(project, "categories: Transport, Islands\n")


def add_section(project: Path) -> None:
    add_front_matter(project, "section: Transport\n")


def make_page(project: Path) -> None:
    add_front_matter(project, "page: true\n")


def add_page(project: Path) -> None:
    (project / "content/pages").mkdir()
    (project / "content/pages/about.md").write_text(
        "---\ntitle: About the Gazette\n---\n\nSee [the ferry](../2024/05/2024-05-20-ferry.md).\n")


def make_bundle(project: Path) -> None:
    folder = project / CONTENT / "05/2024-05-20-ferry"
    folder.mkdir()
    (project / FERRY).rename(folder / "index.md")
    (folder / "route.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n')
    with (folder / "index.md").open("a") as handle:
        handle.write("\n![The route](route.svg)\n")


CHANGES: dict[str, t.Callable[[Path], None]] = {
    "edit body": edit_body, "edit title": edit_title, "add": add_article,
    "delete": delete_article, "rename": rename_article, "template edit": edit_template,
    "config edit": edit_config, "static edit": edit_static, "drafts": toggle_drafts,
    "url and alias": give_url, "categories": add_categories, "section": add_section,
    "page": make_page, "undated page": add_page,
    "bundle": make_bundle,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_incremental_build_equals_clean_build(change: str, tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    config = load_config(project)
    build(config)
    CHANGES[change](project)
    result = build(load_config(project))
    assert_matches_clean(project)
    assert result.written or result.deleted


@pytest.mark.parametrize("change", ["edit body", "edit title", "add", "delete"])
def test_only_changed_files_are_touched(change: str, tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    build(load_config(project))
    out = project / "output"
    before, before_bytes = stamps(out), tree(out)
    CHANGES[change](project)
    result = build(load_config(project))
    after, after_bytes = stamps(out), tree(out)
    differ = {p for p in after_bytes if before_bytes.get(p) != after_bytes[p]}
    assert set(result.written) == differ
    assert set(result.deleted) == set(before_bytes) - set(after_bytes)
    for path in set(after) - differ:
        assert after[path] == before[path], f"{path} was rewritten with the same bytes"
    assert len(result.written) < len(after) // 2


def test_rebuild_without_change_renders_and_writes_nothing(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    build(load_config(project))
    before = stamps(project / "output")
    result = build(load_config(project))
    assert result.written == () and result.deleted == ()
    assert result.parsed == 0 and result.rendered == 0
    # Every input and output file was found as the last build left it: nothing ran.
    assert [name for name, _ in result.stages] == ["check inputs and output"]
    assert stamps(project / "output") == before
    assert set(result.unchanged) == set(before)


@pytest.mark.parametrize("change", ["edit output", "delete output", "add output",
                                    "touch source", "edit history"])
def test_anything_unlike_the_last_build_runs_the_whole_build(
        change: str, tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    config = load_config(project)
    build(config)
    out = project / "output"
    page = out / "2024/05/20/ferry/index.html"
    if change == "edit output":
        page.write_text("changed by hand")
    elif change == "delete output":
        page.unlink()
    elif change == "add output":
        (out / "stray.html").write_text("not ours")
    elif change == "touch source":
        source = project / FERRY
        source.write_bytes(source.read_bytes().replace(b"\n\n", b"\n\n\n", 1))
    else:
        history = project / "url-history.txt"
        history.write_text("# edited\n" + (history.read_text() if history.exists() else ""))
    result = build(config)
    assert [name for name, _ in result.stages] != ["check inputs and output"]
    assert_matches_clean(project)


BUNDLE = CONTENT / "06/2024-06-12-school"


def bundle_site(tmp_path: Path) -> Path:
    """The basic fixture with one article turned into a page bundle with files."""
    project = basic_site(tmp_path)
    (project / BUNDLE / "files").mkdir(parents=True)
    (project / f"{BUNDLE}.md").rename(project / BUNDLE / "index.md")
    (project / BUNDLE / "plan.txt").write_text("the plan\n")
    (project / BUNDLE / "files/budget.csv").write_text("a,b\n")
    return project


def add_bundle_file(project: Path) -> None:
    (project / BUNDLE / "files/new.txt").write_text("new\n")


def edit_bundle_file(project: Path) -> None:
    (project / BUNDLE / "plan.txt").write_text("the revised plan\n")


def remove_bundle_file(project: Path) -> None:
    (project / BUNDLE / "files/budget.csv").unlink()


@pytest.mark.parametrize(("change", "path"), [
    (add_bundle_file, "files/new.txt"), (edit_bundle_file, "plan.txt"),
    (remove_bundle_file, "files/budget.csv"),
])
def test_bundle_file_changes_update_the_output_like_a_clean_build(
        tmp_path: Path, change: t.Callable[[Path], None], path: str) -> None:
    project = bundle_site(tmp_path)
    build(load_config(project))
    change(project)
    result = build(load_config(project))
    assert result.changed == (f"2024/06/12/school/{path}",)
    assert_matches_clean(project)


def test_edit_renders_only_the_pages_showing_the_article(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    build(load_config(project))
    edit_body(project)
    result = build(load_config(project))
    assert result.parsed == 1
    # Rendered: every page whose values include the article (its neighbours, related
    # articles, its listing pages and feeds, the archive), plus static files. Written:
    # only those whose bytes changed, the article and the feeds that carry its body.
    assert result.rendered < result.pages // 2
    assert result.written == ("2024/05/20/ferry/index.html",
                              "sources/associated-press/feed.xml", "tags/transport/feed.xml")


def test_template_reading_site_articles_sees_every_edit(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    (project / "templates").mkdir()
    (project / "templates" / "base.html").write_text(
        '{% extends "default/base.html" %}\n{% block footer %}Latest: '
        "{% for a in site.articles[:3] %}{{ a.title }}; {% endfor %}{% endblock %}\n")
    build(load_config(project))
    path = project / CONTENT / "07/2024-07-20-emoji.md"
    path.write_text(path.read_text().replace("title: ", "title: Changed ", 1))
    result = build(load_config(project))
    assert "404.html" in result.written
    assert_matches_clean(project)


def test_parallel_build_equals_serial_build(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    serial = load_config(project, output_dir="serial")
    parallel = load_config(project, output_dir="parallel")
    build(serial, jobs=1, clean=True)
    build(parallel, jobs=2, clean=True)
    assert tree(serial.output_path) == tree(parallel.output_path)
    edit_title(project)
    build(serial, jobs=1)
    build(parallel, jobs=2)
    assert tree(serial.output_path) == tree(parallel.output_path)


def test_clean_renders_everything_and_keeps_unchanged_files(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    first = build(load_config(project))
    before = stamps(project / "output")
    result = build(load_config(project), clean=True)
    assert result.parsed == first.parsed > 0 and result.rendered == first.pages
    assert result.written == () and result.deleted == ()
    assert stamps(project / "output") == before


def test_files_put_into_output_by_hand_are_removed(tmp_path: Path) -> None:
    # Every build replaces the whole folder, as a clean build would.
    project = basic_site(tmp_path)
    build(load_config(project))
    (project / "output" / "stray.txt").write_text("not ours")
    edit_title(project)
    result = build(load_config(project))
    assert not (project / "output" / "stray.txt").exists()
    assert "stray.txt" in result.deleted
    assert_matches_clean(project)


def test_second_output_folder_has_its_own_manifest(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    build(load_config(project))
    other = load_config(project, output_dir="other")
    result = build(other)
    assert tree(other.output_path) == tree(project / "output")
    assert len(result.written) == result.pages


def cache_file(project: Path) -> Path:
    return project / CACHE_DIR / CACHE_FILE


def garbage(project: Path) -> None:
    cache_file(project).write_bytes(b"\x00garbage" * 1000)


def truncated(project: Path) -> None:
    path = cache_file(project)
    path.write_bytes(path.read_bytes()[:5000])


def foreign_format(project: Path) -> None:
    with sqlite3.connect(cache_file(project)) as conn:
        conn.execute("UPDATE meta SET value = 'site-builder-cache 0' WHERE key = 'format'")


def damaged_body(project: Path) -> None:
    with sqlite3.connect(cache_file(project)) as conn:
        conn.execute("UPDATE bodies SET html = x'789c0b'")


def damaged_entry(project: Path) -> None:
    with sqlite3.connect(cache_file(project)) as conn:
        conn.execute("UPDATE sources SET data = x'80049500'")


def hostile_entry(project: Path) -> None:
    # A pickle that would call os.system if it were trusted.
    with sqlite3.connect(cache_file(project)) as conn:
        conn.execute("UPDATE sources SET data = ?", (b"cos\nsystem\n(S'true'\ntR.",))


def stale_manifest(project: Path) -> None:
    with sqlite3.connect(cache_file(project)) as conn:
        conn.execute("UPDATE outputs SET digest = x'00'")


def folder_is_a_file(project: Path) -> None:
    shutil.rmtree(project / CACHE_DIR)
    (project / CACHE_DIR).write_text("not a folder")


DAMAGE: dict[str, t.Callable[[Path], None]] = {
    "garbage": garbage, "truncated": truncated, "foreign format": foreign_format,
    "damaged body": damaged_body, "damaged entry": damaged_entry,
    "hostile entry": hostile_entry, "stale manifest": stale_manifest,
    "folder is a file": folder_is_a_file,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_corrupt_cache_is_discarded(damage: str, tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    build(load_config(project))
    DAMAGE[damage](project)
    edit_title(project)
    build(load_config(project))
    assert_matches_clean(project)
    # The damaged cache was replaced by a working one.
    result = build(load_config(project))
    assert result.parsed == 0 and result.written == ()


def test_unknown_context_value_makes_route_uncacheable() -> None:
    digester = Digester()
    route = Route(url="x/", output_path="x/index.html", template="index.html",
                  context={"thing": object()})
    assert route_fingerprint(digester, route, b"", b"") is None
    with pytest.raises(Uncacheable):
        digester.digest({"a": [object()]})


def test_digest_follows_every_field() -> None:
    digester = Digester()
    one = make_article(title="One")
    assert digester.digest(one) == Digester().digest(make_article(title="One"))
    assert digester.digest(one) != digester.digest(make_article(title="Two"))
    assert digester.digest(one) != digester.digest(make_article(title="One", html="<p>x</p>"))
    assert digester.digest({"a": 1, "b": 2}) != digester.digest({"b": 2, "a": 1})
    assert digester.digest(("1",)) != digester.digest((1,))


def test_previous_build_is_kept_and_reused_by_the_next(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    config = load_config(project)
    build(config)
    out = config.output_path
    # Nothing was replaced yet: the first build links its own files there.
    assert {p: ino for p, (_, ino) in stamps(previous_path(out)).items()} == {
        p: ino for p, (_, ino) in stamps(out).items()}
    edit_title(project)
    result = build(config)
    previous = previous_path(out)
    assert previous.is_dir() and not staging_path(out).exists()
    # The replaced build, sharing every unchanged file with the output.
    ours = stamps(out)
    for path, (_, inode) in stamps(previous).items():
        if path not in result.written:
            assert ours[path][1] == inode, path
    edit_body(project)
    build(config)
    assert_matches_clean(project)


def test_leftover_folders_beside_the_output_are_never_trusted(tmp_path: Path) -> None:
    # Whatever a killed build or a user left in the staging and previous folders,
    # no file of theirs reaches the output unless it is the output's own file.
    project = basic_site(tmp_path)
    config = load_config(project)
    build(config)
    out = config.output_path
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    previous = previous_path(out)
    for path in tree(out):
        target = previous / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("stale copy")
    (previous / "feed.xml").unlink()
    (previous / "feed.xml").symlink_to(outside / "keep.txt")
    shutil.rmtree(previous / "tags")
    (previous / "tags").symlink_to(outside, target_is_directory=True)
    (previous / "robots.txt").unlink()
    (previous / "robots.txt").mkdir()
    staging = staging_path(out)
    (staging / "2024").mkdir(parents=True)
    (staging / "index.html").write_text("half")
    edit_title(project)
    build(config)
    assert_matches_clean(project)
    assert tree(outside) == {"keep.txt": b"keep"}
    assert not staging.exists()


def test_incremental_build_with_search_keeps_an_index(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    build(load_config(project))
    index = project / "output" / "pagefind" / "pagefind.js"
    assert index.is_file()
    before = stamps(project / "output")
    edit_title(project)
    result = build(load_config(project))
    assert index.is_file()
    assert any(p.startswith("pagefind/") for p in result.written)
    assert_matches_clean(project)
    after = stamps(project / "output")
    assert after["2024/07/20/emoji/index.html"] == before["2024/07/20/emoji/index.html"]


def test_unchanged_page_linking_to_a_removed_file_fails_the_build(tmp_path: Path) -> None:
    """The page is not rendered again, but the reverse index has it checked again."""
    project = write_project(tmp_path / "p", {
        "content/a.md": "---\ntitle: A\ndate: 2024-05-02\n---\n\n![Dock](/images/dock.svg)\n",
        "static/images/dock.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    }, CONFIG + "search = false\n")
    config = load_config(project)
    build(config)
    (project / "static/images/dock.svg").unlink()
    with pytest.raises(BuildError) as failed:
        build(config)
    assert [str(p) for p in failed.value.problems] == [
        "content/a.md:6: broken link '/images/dock.svg'"]


def test_page_linking_to_a_file_that_appears_is_checked_again(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {
        "content/a.md": "---\ntitle: A\ndate: 2024-05-02\n---\n\n[Report](/files/report.pdf)\n",
    }, CONFIG + 'search = false\nlink_check = "warn"\n')
    config = load_config(project)
    first = build(config)
    assert [str(p) for p in first.warnings] == [
        "content/a.md:6: warning: broken link '/files/report.pdf'"]
    (project / "static/files").mkdir(parents=True)
    (project / "static/files/report.pdf").write_bytes(b"%PDF-1.4\n")
    second = build(config)
    assert second.warnings == ()
    assert "2024/05/02/a/index.html" not in second.written
    assert_matches_clean(project)
