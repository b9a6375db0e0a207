"""``site-builder templates``: where each template resolves, and ejecting a built-in one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.config import load_config
from site_builder.incremental.fingerprint import site_attributes_read
from site_builder.render import make_environment
from site_builder.templates import BUILTIN_DIR, resolve_templates

from .conftest import copy_site, tree


def test_each_name_resolves_to_the_project_file_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("overrides", tmp_path)
    (project / "templates" / "_masthead.html").write_text("<p>Masthead</p>\n")
    (project / "templates" / "README.md").write_text("How to override.\n")
    assert main(["templates", "--project", str(project)]) == 0
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in
            capsys.readouterr().out.splitlines()[:-1]}
    assert rows["article.html"] == ["project", "templates/article.html (replaces the built-in one)"]
    assert rows["_masthead.html"] == ["project", "templates/_masthead.html"]
    assert rows["base.html"] == ["built-in", str(BUILTIN_DIR / "base.html")]
    assert "README.md" not in rows
    assert set(rows) == {p.name for p in BUILTIN_DIR.iterdir()} | {"_masthead.html"}
    for entry in resolve_templates(load_config(project)):
        assert entry.path.is_file(), entry


def test_eject_copies_the_built_in_file_and_the_site_is_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("basic", tmp_path)
    assert main(["build", "--project", str(project), "--output", str(tmp_path / "before")]) == 0
    capsys.readouterr()
    assert main(["templates", "--eject", "default/base.html", "--project", str(project)]) == 0
    assert capsys.readouterr().out == "templates/base.html\n"
    copy = project / "templates" / "base.html"
    assert copy.read_bytes() == (BUILTIN_DIR / "base.html").read_bytes()
    assert main(["templates", "--project", str(project)]) == 0
    assert re.search(r"^base\.html +project +templates/base\.html \(replaces",
                     capsys.readouterr().out, re.MULTILINE)
    assert main(["build", "--project", str(project), "--output", str(tmp_path / "after")]) == 0
    assert tree(tmp_path / "after") == tree(tmp_path / "before")


def test_eject_never_overwrites_and_knows_only_built_in_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("overrides", tmp_path)
    mine = (project / "templates" / "article.html").read_bytes()
    assert main(["templates", "--eject", "article.html", "--project", str(project)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "templates/article.html: already exists: change that file, or delete it to eject the "
        "built-in one again", "templates failed: 1 problem"]
    assert (project / "templates" / "article.html").read_bytes() == mine
    assert main(["templates", "--eject", "front.html", "--project", str(project)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "front.html: no built-in template of that name ('site-builder templates' lists them)")
    assert not (project / "templates" / "front.html").exists()


def test_a_readme_beside_the_templates_is_not_read_as_one(tmp_path: Path) -> None:
    project = copy_site("overrides", tmp_path)
    config = load_config(project)
    before = site_attributes_read(make_environment(config))
    assert before is not None
    # Examples in a README look like template code, and an unfinished one would not parse:
    # read as a template, it would make every page depend on every article.
    (project / "templates" / "README.md").write_text(
        "Override a block:\n\n    {% block masthead %}\n    {{ site }}\n")
    assert site_attributes_read(make_environment(config)) == before


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    # As in `site-builder templates | head -1`: the pipe closes before the list ends.
    project = copy_site("basic", tmp_path)
    # A pipe whose reading end is already closed, so the first write fails.
    read, write = os.pipe()
    os.close(read)
    proc = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "templates", "--project", str(project)],
        stdout=write, stderr=subprocess.PIPE)
    os.close(write)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err.decode() and "BrokenPipeError" not in err.decode()
    assert proc.returncode == 1
