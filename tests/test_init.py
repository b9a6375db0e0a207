"""``site-builder init``: a new project that builds at once, and never over an old one."""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
from pathlib import Path

import pytest

from site_builder.cli import main

from .conftest import tree


def test_a_new_project_builds_with_no_warning_and_says_what_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "gazette"
    assert main(["init", str(project), "--title", 'The "Harbour" Gazette',
                 "--base-url", "https://news.example/archive"]) == 0
    out = capsys.readouterr().out.splitlines()
    today = dt.datetime.now(dt.UTC)
    article = f"content/{today:%Y}/{today:%m}/{today:%Y-%m-%d}-welcome.md"
    assert out[:6] == [f"Created a news archive in {project.as_posix()}:", "  config.toml",
                       f"  {article}", "  templates/README.md", "  .gitignore", "Next:"]
    assert out[6] == f"  cd {project.as_posix()}"
    assert [line.split()[:2] for line in out[7:]] == [
        ["site-builder", "serve"], ["site-builder", "new"], ["site-builder", "build"]]
    assert sorted(tree(project)) == [".gitignore", "config.toml", article, "templates/README.md"]

    assert main(["build", "--strict", "--project", str(project)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert re.fullmatch(r"Built \d+ pages in [0-9.]+ s: \d+ files written, 0 unchanged, "
                        r"0 removed\. \d+ internal links checked\.\n", captured.out)
    page = (project / "output" / f"{today:%Y/%m/%d}" / "welcome" / "index.html").read_text()
    assert "<h1>Welcome to The &#34;Harbour&#34; Gazette</h1>" in page
    assert 'href="https://news.example/archive/' in page
    # What the build leaves beside the sources is what .gitignore leaves out.
    patterns = [line.strip("/") for line in (project / ".gitignore").read_text().splitlines()
                if line and not line.startswith("#")]
    made = set(os.listdir(project)) - {"config.toml", "content", "templates", ".gitignore",
                                       "url-history.txt"}
    assert "output" in made
    assert all(any(fnmatch.fnmatch(name, p) for p in patterns) for name in made), made


def test_init_in_the_current_folder_needs_no_cd(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Created a news archive in this folder:\n")
    assert "cd " not in out and (tmp_path / "config.toml").is_file()
    assert 'title = "News Archive"' in (tmp_path / "config.toml").read_text()


@pytest.mark.parametrize("existing", ["config.toml", ".gitignore", "templates/README.md",
                                      "content/2020/old.md"])
def test_init_refuses_a_folder_holding_a_project_s_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], existing: str
) -> None:
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n")
    assert main(["init", str(tmp_path)]) == 1
    shown = "content" if existing.startswith("content/") else existing
    assert capsys.readouterr().err.splitlines() == [
        f"{shown}: already exists: init starts a new project only where there is none, and "
        "wrote nothing", "init failed: 1 problem"]
    assert tree(tmp_path) == {existing: b"mine\n"}


def test_a_bad_base_url_is_named_by_its_option_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(tmp_path / "p"), "--base-url", "example.org"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "--base-url: expected an absolute http(s) URL", "init failed: 1 problem"]
    assert not (tmp_path / "p").exists()
