"""The watcher: what counts as a change, and bursts of saves coming out as one."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from site_builder.preview.watch import ChangeSet, Watcher, is_ignored

from .conftest import copy_site, make_config


@pytest.mark.parametrize("name", [
    ".story.md.swp", ".story.md.swx", "story.md~", "#story.md#", "4913", ".#story.md",
    ".hidden.md", "story.md.tmp", ".git/index", "2024/.drafts/story.md",
])
def test_scratch_and_hidden_files_are_ignored(name: str) -> None:
    assert is_ignored(Path(name))


@pytest.mark.parametrize("name", [
    "story.md", "2024/05/story.md", "_macros.html", "site.css", "4913.md", "config.toml",
])
def test_real_sources_are_not_ignored(name: str) -> None:
    assert not is_ignored(Path(name))


def next_changes(watcher: Watcher) -> ChangeSet:
    """Return the watcher's next change set, failing rather than hanging."""
    found: list[ChangeSet] = []
    thread = threading.Thread(target=lambda: found.append(watcher.next_changes()), daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert found, "no change was reported"
    return found[0]


def test_a_burst_of_saves_is_one_change_set_without_scratch_files(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    watcher = Watcher(make_config(project))
    watcher.start()
    try:
        content = project / "content"
        (content / ".new.md.swp").write_text("swap")
        (content / "new.md~").write_text("backup")
        (content / "new.md").write_text("---\ntitle: New\n---\n")
        (content / "2024" / "05" / "more.md").write_text("---\ntitle: More\n---\n")
        (project / "README.txt").write_text("not a source")
        names: set[str] = set()
        # One burst gives one change set; a very slow machine may still split it.
        while not {"new.md", "more.md"} <= names:
            changes = next_changes(watcher)
            assert not changes.config_changed
            names |= {p.name for p in changes.paths}
    finally:
        watcher.stop()
    assert not names & {".new.md.swp", "new.md~", "README.txt"}


def test_config_change_is_flagged(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    watcher = Watcher(make_config(project))
    watcher.start()
    try:
        config = project / "config.toml"
        config.write_text(config.read_text().replace("Harbour", "Port"))
        changes = next_changes(watcher)
    finally:
        watcher.stop()
    assert changes.config_changed
    assert project / "config.toml" in changes.paths


def test_a_templates_folder_created_later_is_watched(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    config = make_config(project)
    watcher = Watcher(config)
    watcher.start()
    try:
        (project / "templates").mkdir()
        assert project / "templates" in next_changes(watcher).paths
        watcher.follow(config)
        (project / "templates" / "article.html").write_text("{{ article.title }}")
        assert project / "templates" / "article.html" in next_changes(watcher).paths
    finally:
        watcher.stop()
