"""The command line: exit codes, messages, and no tracebacks."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.cli import _Progress, main

from .conftest import copy_site, tree
from .projects import write_project

ARTICLE = "---\ntitle: Story {n}\ndate: 2024-05-02\n{extra}---\n\nBody of story {n}.\n"


def test_build_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_site("basic", tmp_path)
    assert main(["build", "--project", str(project), "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    # Pages and files apart: files count feeds, sitemaps and the search index too.
    drafts, summary = captured.out.splitlines()
    assert drafts == "1 draft not built: use --drafts"
    assert re.fullmatch(r"Built 69 pages in [0-9.]+ s: 136 files written, 0 unchanged, "
                        r"0 removed\. \d+ internal links checked\.", summary), summary
    assert (project / "output" / "index.html").exists()
    # Slug collisions are warnings: printed, but the build succeeds.
    assert ('content/2024/07/2024-07-25-port-software.md:5: warning: tag "C#" and "C" make '
            'the same slug "c"') in captured.err


def test_strict_turns_slug_collisions_into_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("basic", tmp_path)
    assert main(["build", "--project", str(project), "--strict"]) == 1
    err = capsys.readouterr().err
    assert 'tag "C#" and "C" make the same slug "c"' in err
    assert 'author "Анна Петрова" and "Anna Petrova" make the same slug "anna-petrova"' in err
    assert err.rstrip().endswith("build failed: 2 problems")
    assert not (project / "output").exists()


def test_build_to_another_output(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    assert main(["build", "--project", str(project), "--jobs", "1",
                 "--output", str(tmp_path / "site")]) == 0
    assert (tmp_path / "site" / "feed.xml").exists()
    assert not (project / "output").exists()


def test_check_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_site("basic", tmp_path)
    assert main(["check", "--project", str(project), "--jobs", "1"]) == 0
    assert "no problems" in capsys.readouterr().out
    assert not (project / "output").exists()


def test_bad_content_exits_1_with_located_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("basic", tmp_path)
    (project / "content" / "bad.md").write_text("---\ntitle: x\ndate: 2020-02-30\n---\n")
    assert main(["build", "--project", str(project)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("content/bad.md:3: date: expected a date")
    assert "Traceback" not in err
    assert err.rstrip().endswith("build failed: 1 problem")


def test_usage_error_exits_2() -> None:
    result = subprocess.run([sys.executable, "-m", "site_builder", "build", "--nope"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "unrecognized arguments: --nope" in result.stderr


@pytest.mark.parametrize("command", ["build", "check", "serve", "new", "history", "templates"])
def test_help_on_each_command(command: str) -> None:
    result = subprocess.run([sys.executable, "-m", "site_builder", command, "--help"],
                            capture_output=True, text=True)
    assert result.returncode == 0
    assert "--project DIR" in result.stdout


def test_new_writes_a_skeleton_that_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("basic", tmp_path)
    assert main(["new", "Ночной паром отменён", "--project", str(project)]) == 0
    captured = capsys.readouterr()
    path = captured.out.strip()
    # Where import files an article of that day: content/YYYY/MM/YYYY-MM-DD-slug.md.
    assert re.fullmatch(r"content/(\d{4})/(\d\d)/\1-\2-\d\d-nochnoy-parom-otmenen\.md", path)
    assert "--drafts" in captured.err
    text = (project / path).read_text()
    assert "title: Ночной паром отменён" in text and "draft: true" in text
    assert main(["build", "--project", str(project), "--jobs", "1", "--drafts"]) == 0


def test_debug_shows_traceback(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    (project / "config.toml").write_text("title = 1\n")
    result = subprocess.run([sys.executable, "-m", "site_builder", "build", "--debug",
                             "--project", str(project)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_changes_file_lists_written_and_removed_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("basic", tmp_path)
    config = project / "config.toml"
    config.write_text("search = false\n" + config.read_text())
    changes = tmp_path / "changes.txt"
    assert main(["build", "--project", str(project), "--jobs", "1", "--changes", str(changes)]) == 0
    first = changes.read_text().splitlines()
    assert len(first) == len(tree(project / "output")) > 20
    (project / "content" / "2024" / "07" / "2024-07-20-emoji.md").unlink()
    assert main(["build", "--project", str(project), "--jobs", "1", "--changes", str(changes),
                 "--verbose"]) == 0
    listed = changes.read_text().splitlines()
    assert "2024/07/20/emoji/index.html" in listed and "index.html" in listed
    assert listed == sorted(listed)
    out = capsys.readouterr().out
    assert "render and write" in out and "removed." in out
    assert main(["build", "--project", str(project), "--jobs", "1", "--changes", str(changes)]) == 0
    assert changes.read_text() == ""
    pages = len(tree(project / "output"))
    assert f"0 files written, {pages} unchanged, 0 removed." in capsys.readouterr().out


def test_clean_build_renders_everything_and_writes_nothing_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("basic", tmp_path)
    config = project / "config.toml"
    config.write_text("search = false\n" + config.read_text())
    assert main(["build", "--project", str(project), "--jobs", "2"]) == 0
    capsys.readouterr()
    assert main(["build", "--project", str(project), "--clean", "--verbose"]) == 0
    pages = len(tree(project / "output"))
    out = capsys.readouterr().out
    assert f"0 files written, {pages} unchanged" in out
    assert re.search(rf"rendered +{pages} pages", out)


def test_a_misspelt_key_warns_and_fails_with_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "p"
    (project / "content").mkdir(parents=True)
    (project / "config.toml").write_text('title = "T"\nbase_url = "https://example.org/"\n')
    (project / "content" / "a.md").write_text(
        "---\ntitle: Ferry\ndate: 2024-05-02\n# topics\ntag: [ferries]\n---\n\nBody.\n")
    warning = "content/a.md:5: warning: unknown key 'tag'; did you mean 'tags'?"
    assert main(["build", "--project", str(project)]) == 0
    assert warning in capsys.readouterr().err.splitlines()
    assert main(["build", "--project", str(project), "--strict"]) == 1
    assert capsys.readouterr().err.splitlines() == [warning, "build failed: 1 problem"]


def test_every_build_says_how_many_drafts_it_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {f"content/2024/05/a{n}.md": ARTICLE.format(n=n, extra="") for n in range(30)}
    files["content/2024/05/draft.md"] = ARTICLE.format(n="d", extra="draft: true\n")
    project = write_project(tmp_path / "p", files)

    def before_summary(*args: str) -> str:
        assert main([*args, "--project", str(project), "--verbose"]) == 0
        lines = capsys.readouterr().out.splitlines()
        stages.append({line.split("  ")[1].strip() for line in lines if line.startswith("  ")})
        return lines[-2]

    stages: list[set[str]] = []

    one = "1 draft not built: use --drafts"
    assert before_summary("build") == one
    assert before_summary("build") == one
    assert "check inputs and output" in stages[-1]  # the unchanged build's report
    body = project / "content/2024/05/a3.md"
    body.write_text(body.read_text() + "\nA new paragraph.\n")
    assert before_summary("build") == one
    assert "plan and fingerprint" in stages[-1]  # the kept model was updated
    assert before_summary("check") == one
    (project / "content/2024/05/draft2.md").write_text(
        ARTICLE.format(n="e", extra="draft: true\n"))
    assert before_summary("build") == "2 drafts not built: use --drafts"
    assert main(["build", "--drafts", "--project", str(project)]) == 0
    assert "draft" not in capsys.readouterr().out


def test_progress_says_done_only_for_a_stage_that_finished() -> None:
    stream = io.StringIO()
    progress = _Progress(stream)
    progress.DELAY = 0.0
    progress("parse", 5, 10)
    progress("parse", 10, 10)
    progress("render", 3, 10)
    progress.close()  # the build stopped (an error, Ctrl-C) with render unfinished
    lines = stream.getvalue().splitlines()
    assert lines[0] == "parse: 5/10" and lines[1].startswith("parse: done in ")
    assert lines[2:] == ["render: 3/10"]
