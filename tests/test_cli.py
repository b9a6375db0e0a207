"""The command line: exit codes, messages, and no tracebacks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.cli import main

from .conftest import copy_site, tree


def test_build_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_site("basic", tmp_path)
    assert main(["build", "--project", str(project), "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Built 98 pages in ")
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


@pytest.mark.parametrize("command", ["build", "check", "serve", "new"])
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
    path = capsys.readouterr().out.strip()
    assert path.startswith("content/") and path.endswith("-nochnoy-parom-otmenen.md")
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
    assert f"0 written, {pages} unchanged, 0 removed." in capsys.readouterr().out


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
    assert f"0 written, {pages} unchanged" in out
    assert re.search(rf"rendered +{pages} pages", out)
