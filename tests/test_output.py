"""The output folder: recovery after a kill, exclusive writes, locking, contained paths."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder import load_config
from site_builder.errors import BuildError
from site_builder.model import Route
from site_builder.output import (
    Staging,
    check_routes,
    previous_path,
    recover,
    scan_tree,
    staging_path,
)

from .conftest import build, needs_pagefind
from .projects import CONFIG, PROGRESS, tree, write_project

OLD = {"index.html": b"old home", "sitemap.xml": b"<urlset/>", "a/index.html": b"old a"}
NEW = {"index.html": b"new home", "sitemap.xml": b"<urlset/>", "b/index.html": b"new b"}


def make(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_recover_after_kill_between_the_fallback_renames(tmp_path: Path) -> None:
    # Fallback swap: output -> .output.old, then staging -> output. Killed in between.
    make(tmp_path / ".output.old", OLD)
    make(tmp_path / ".output.staging", NEW)
    recover(tmp_path / "output")
    assert tree(tmp_path / "output") == OLD
    # Any tree serves as the next build's start: files are reused only if they are
    # the output's own.
    assert names(tmp_path) == [".output.previous", "output"]


def test_recover_after_kill_before_the_old_build_is_moved_away(tmp_path: Path) -> None:
    # Killed after staging -> output, before .output.old -> staging: the new build stands.
    make(tmp_path / ".output.old", OLD)
    make(tmp_path / "output", NEW)
    recover(tmp_path / "output")
    assert tree(tmp_path / "output") == NEW
    assert names(tmp_path) == ["output"]


def test_recover_keeps_a_partial_staging_folder_as_the_previous_build(tmp_path: Path) -> None:
    make(tmp_path / "output", OLD)
    make(tmp_path / ".output.staging", {"index.html": b"half"})
    recover(tmp_path / "output")
    assert tree(tmp_path / "output") == OLD
    assert names(tmp_path) == [".output.previous", "output"]
    # With a previous build already there, the leftover goes.
    make(tmp_path / ".output.staging", {"index.html": b"half"})
    recover(tmp_path / "output")
    assert names(tmp_path) == [".output.previous", "output"]


def test_recover_removes_links_without_following_them(tmp_path: Path) -> None:
    outside = make(tmp_path / "outside", {"keep.txt": b"keep"})
    project = tmp_path / "p"
    project.mkdir()
    (project / ".output.staging").symlink_to(outside)
    (project / ".output.old").write_text("a file")
    (project / ".output.previous").symlink_to(outside)
    make(project / "output", OLD)
    recover(project / "output")
    assert names(project) == ["output"]
    assert tree(outside) == {"keep.txt": b"keep"}


def story(title: str, day: int, body: str = "") -> str:
    return (f"---\ntitle: {title}\ndate: 2024-05-{day:02d}\n---\n\n"
            f"{body or f'Body of {title}.'}\n")


def small_site(root: Path) -> Path:
    """Write a project of two stories, without search (test_search.py covers the index)."""
    return write_project(root, {"content/a.md": story("A", 2), "content/b.md": story("B", 3)},
                         config=CONFIG + "search = false\n")


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*")
            if p.is_file()}


def test_a_build_replaces_the_whole_folder_and_reports_changes(tmp_path: Path) -> None:
    project = small_site(tmp_path / "p")
    config = load_config(project)
    build(config)
    out = config.output_path
    before = tree(out)
    (project / "content/b.md").unlink()
    (project / "content/c.md").write_text(story("C", 4))
    result = build(config)
    after = tree(out)
    assert "2024/05/03/b/index.html" in result.deleted and "2024/05/03/b/index.html" in before
    assert {"2024/05/04/c/index.html", "index.html"} <= set(result.written)
    assert result.unchanged
    # Every file of the new build is reported once, and the files it did not produce went.
    assert sorted(result.written + result.unchanged) == sorted(after)
    assert sorted(result.deleted) == sorted(set(before) - set(after))
    assert names(project) == [".output.previous", ".site-builder-cache", "config.toml",
                              "content", "output"]
    # The replaced build is kept, its unchanged files shared with the output.
    assert tree(previous_path(out)) == before
    now, kept = inodes(out), inodes(previous_path(out))
    assert all(now[path] == kept[path] for path in result.unchanged)


def test_writing_a_changed_file_never_writes_through_a_shared_one(tmp_path: Path) -> None:
    # After the second build, the kept previous build shares B's page with the output (one
    # file, two names). The next build starts from it: changing that page must replace
    # the shared file, never write into it, or the output would change before the swap.
    project = small_site(tmp_path / "p")
    config = load_config(project)
    page = "2024/05/03/b/index.html"
    build(config)
    (project / "content/a.md").write_text(story("A", 2, "A corrected body."))
    assert page in build(config).unchanged
    out = config.output_path
    shared = tree(out)
    assert (out / page).stat().st_nlink == 2
    (project / "content/b.md").write_text(story("B", 3, "A corrected body of B."))
    assert page in build(config).written
    assert b"A corrected body of B." in (out / page).read_bytes()
    assert tree(previous_path(out)) == shared


@pytest.mark.parametrize(("path", "message"), [
    ("../x.html", "<output>: refusing to write '../x.html': must not contain empty, '.' or "
                  "'..' segments"),
    ("/etc/x.html", "<output>: refusing to write '/etc/x.html': must be a relative path "
                    "without '\\'"),
    ("a\\..\\..\\x", "<output>: refusing to write 'a\\..\\..\\x': must be a relative "
                     "path without '\\'"),
    ("a/\x00/x", "<output>: refusing to write 'a/\\x00/x': contains control characters"),
    ("a" * 256, f"<output>: refusing to write '{'a' * 256}': has a segment of 256 bytes "
                "(at most 255)"),
    ("я" * 128, f"<output>: refusing to write '{'я' * 128}': has a segment of 256 bytes "
                "(at most 255)"),
], ids=["parent", "absolute", "backslashes", "NUL", "256 ASCII bytes", "256 Cyrillic bytes"])
def test_staging_refuses_paths_leaving_the_folder(tmp_path: Path, path: str,
                                                  message: str) -> None:
    # The build stops such routes before rendering (check_routes, below); the writer the
    # render workers use refuses them too.
    out = make(tmp_path / "site" / "output", OLD)
    staging = Staging(out)
    staging.begin({"index.html"}, scan_tree(out))
    with pytest.raises(BuildError) as info:
        staging.write(path, b"x")
    staging.abort()
    assert str(info.value) == message
    assert tree(tmp_path) == {f"site/output/{k}": v for k, v in OLD.items()}
    assert not staging_path(out).exists()


def test_check_routes_names_the_source_of_an_unsafe_path() -> None:
    routes = [Route(url="ok/", output_path="ok/index.html", template="article.html"),
              Route(url="x", output_path="../x", template=None, sources=("static/x",))]
    assert [str(p) for p in check_routes(routes)] == [
        "static/x: output path '../x' must not contain empty, '.' or '..' segments"]


@needs_pagefind
def test_builds_of_one_output_take_turns(tmp_path: Path) -> None:
    articles = {f"content/a{n}.md": f"---\ntitle: Story {n}\ndate: 2024-05-02\n---\n\n"
                f"{'Text. ' * 200}\n" for n in range(150)}
    project = write_project(tmp_path / "p", articles)
    # One process each: the three builds take turns; no build needs a pool of its own.
    command = [sys.executable, "-m", "site_builder", "build", "--project", str(project),
               "--jobs", "1"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    running = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(p.wait(), p.stderr.read() if p.stderr else "") for p in running]
    for p in running:
        for stream in (p.stdout, p.stderr):
            if stream:
                stream.close()
    # Nothing but progress lines, which a stage running over a second prints: three
    # builds taking turns on a busy machine may take that long.
    assert [(code, [line for line in err.splitlines() if not PROGRESS.fullmatch(line)])
            for code, err in results] == [(0, [])] * 3
    clean = subprocess.run([*command, "--output", str(tmp_path / "clean")], env=env,
                           capture_output=True, text=True)
    assert clean.returncode == 0
    assert tree(project / "output") == tree(tmp_path / "clean")
    assert names(project) == [".output.previous", ".site-builder-cache", "config.toml",
                              "content", "output", "url-history.txt"]
    assert not staging_path(project / "output").exists()
