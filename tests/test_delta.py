"""The delta path: content-only changes update the kept model, with a clean build's output."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

from site_builder import BuildError, build, load_config
from site_builder.incremental import kept
from site_builder.incremental.state import BuildState
from site_builder.incremental.store import CACHE_DIR

from .test_incremental import FERRY, assert_matches_clean, basic_site


def stage_names(result: t.Any) -> list[str]:
    return [name for name, _ in result.stages]


def append(project: Path, text: str, path: Path = FERRY) -> None:
    file = project / path
    file.write_text(file.read_text() + f"\n{text}\n")


def model_files(project: Path) -> list[Path]:
    return sorted((project / CACHE_DIR).glob("model-*"))


def test_body_edit_updates_the_kept_model(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    config = load_config(project)
    assert "keep model" in stage_names(build(config))
    append(project, "A late correction to the timetable.")
    result = build(config)
    assert "plan and fingerprint" in stage_names(result)
    assert "plan" not in stage_names(result)
    assert result.parsed == 1
    assert "2024/05/20/ferry/index.html" in result.written
    assert_matches_clean(project)


def test_many_edits_in_a_row_stay_equal_to_a_clean_build(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    config = load_config(project)
    build(config)
    # Past the compaction point, so the model is rewritten once on the way.
    for round_ in range(kept.COMPACT_AFTER + 2):
        append(project, f"Correction number {round_}.")
        assert "plan and fingerprint" in stage_names(build(config))
    assert_matches_clean(project)


@pytest.mark.parametrize("edit", ["title", "tags", "date", "draft", "section", "featured"])
def test_a_change_to_what_planning_reads_runs_the_full_pipeline(
        edit: str, tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    config = load_config(project)
    build(config)
    file = project / FERRY
    text = file.read_text()
    text = {
        "title": text.replace("title: ", "title: Revised ", 1),
        "tags": text.replace("tags: [", "tags: [ferries, ", 1),
        "date": text.replace("date: 2024-05-20", "date: 2024-05-21", 1),
        "draft": text.replace("---\n", "---\ndraft: true\n", 1),
        "section": text.replace("---\n", "---\nsection: Transport\n", 1),
        "featured": text.replace("---\n", "---\nfeatured: true\n", 1),
    }[edit]
    assert text != file.read_text()
    file.write_text(text)
    result = build(config)
    assert "plan" in stage_names(result)
    assert_matches_clean(project)


def test_edit_that_breaks_an_anchor_of_a_reader_is_reported(tmp_path: Path) -> None:
    """An article linking to another's anchor read its body: it is resolved again."""
    project = basic_site(tmp_path)
    (project / "content/2024/06/2024-06-30-weather.md").write_text(
        "---\ntitle: Weather\ndate: 2024-06-30\n---\n\n"
        "See [the timetable](../05/2024-05-20-ferry.md#new-timetable).\n")
    append(project, "## New timetable\n\nBoats leave hourly.")
    config = load_config(project)
    build(config)
    file = project / FERRY
    file.write_text(file.read_text().replace("## New timetable", "## Old timetable"))
    with pytest.raises(BuildError) as failed:
        build(config)
    assert any("new-timetable" in str(p) for p in failed.value.problems)
    file.write_text(file.read_text().replace("## Old timetable", "## New timetable")
                    + "\nBoats also leave at dawn.\n")
    assert "plan and fingerprint" in stage_names(build(config))
    assert_matches_clean(project)


@pytest.mark.parametrize("damage", ["truncated log", "garbage model", "foreign model"])
def test_a_damaged_kept_model_is_not_trusted(damage: str, tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    config = load_config(project)
    build(config)
    append(project, "First correction.")
    build(config)
    pickle_file, = (p for p in model_files(project) if p.suffix == ".pickle")
    log_file = pickle_file.with_suffix(".log")
    if damage == "truncated log":
        log_file.write_bytes(log_file.read_bytes()[:-3])
    elif damage == "garbage model":
        pickle_file.write_bytes(b"\x00" * 100)
    else:
        pickle_file.write_bytes(kept.FORMAT + b"cos\nsystem\n(S'true'\ntR.")
    append(project, "Second correction.")
    build(config)
    assert_matches_clean(project)


def test_preview_state_keeps_the_model_in_memory(tmp_path: Path) -> None:
    project = basic_site(tmp_path)
    config = load_config(project)
    state = BuildState.open(config)
    try:
        build(config, state=state)
        for path in model_files(project):
            path.unlink()  # only the copy in memory is left
        append(project, "A correction seen in the preview.")
        assert "plan and fingerprint" in stage_names(build(config, state=state))
    finally:
        state.close()
    assert_matches_clean(project)


def test_body_edit_of_the_newest_article_reaches_every_feed(tmp_path: Path) -> None:
    """Feeds carry the body: the JSON Feed too is made from the articles as it renders."""
    project = basic_site(tmp_path)
    config = load_config(project)
    build(config)
    newest = Path("content/2024/07/2024-07-25-port-software.md")
    append(project, "A late correction to the release notes.", newest)
    result = build(config)
    assert "plan and fingerprint" in stage_names(result)
    assert {"feed.json", "feed.xml", "rss.xml"} <= set(result.written)
    assert_matches_clean(project)
