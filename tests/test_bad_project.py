"""Bad projects: config.toml, templates, links, unreadable files, output folders.

Each gives the exact located message and exit code 1, never a traceback; the ones
about file permissions run the build in a child process that permissions apply to,
even as root.
"""
# ruff: noqa: E501  (a table of exact messages reads best one message a line)

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .projects import (
    build,
    build_as_user,
    permissions_enforced,
    problems,
    tree,
    write_project,
)

B = 'title = "T"\nbase_url = "https://example.org/"\n'
ARTICLE = "---\ntitle: T\ndate: 2024-05-02\n---\nx\n"
ART = {"content/a.md": ARTICLE}

BAD_CONFIGS = [
    pytest.param(
        'title = "T"\nbase_url = \n',
        ['config.toml:2: invalid TOML: Invalid value'],
        id='TOML syntax',
    ),
    pytest.param(
        b'title = "Caf\xe9"\nbase_url = "https://example.org/"\n',
        ['config.toml:1: not UTF-8 text'],
        id='not UTF-8',
    ),
    pytest.param(
        B + "x = " + "[" * 100000 + "]" * 100000 + "\n",
        ['config.toml: invalid TOML: nested too deeply'],
        id='nested 100,000 levels',
    ),
    pytest.param(
        B + 'colour = "red"\n',
        ["config.toml:3: unknown key 'colour'"],
        id='unknown key',
    ),
    pytest.param(
        'title = ["T"]\nbase_url = "https://example.org/"\n',
        ['config.toml:1: title: expected a string, got an array'],
        id='title an array',
    ),
    pytest.param(
        'title = "T"\nbase_url = "https://example.org/a\\"b/"\n',
        ['config.toml:2: base_url: must not contain spaces, quotes, control characters or any of <>\\^`{|}'],
        id='base_url with a quote',
    ),
    pytest.param(
        'title = "T"\nbase_url = "javascript:alert(1)"\n',
        ['config.toml:2: base_url: expected an absolute http(s) URL'],
        id='base_url javascript',
    ),
    pytest.param(
        B + 'permalink = "/../{slug}/"\n',
        ["config.toml:3: permalink: must not contain '.', '..', '\\' or '//' segments"],
        id='permalink ../',
    ),
    pytest.param(
        B + 'permalink = "//evil.example/{slug}/"\n',
        ["config.toml:3: permalink: must not contain '.', '..', '\\' or '//' segments"],
        id='permalink absolute-looking //',
    ),
    pytest.param(
        B + 'permalink = "/a\\u0000/{slug}/"\n',
        ["config.toml:3: permalink: may hold only letters, digits, '/', '.', '_', '~' and '-' besides its {fields}", "config.toml:3: permalink: must not contain control characters, '?' or '#'"],
        id='permalink NUL',
    ),
    pytest.param(
        B + 'permalink = "/CON/{slug}/"\n',
        ["config.toml:3: permalink: 'CON' is a reserved file name on Windows"],
        id='permalink CON',
    ),
    pytest.param(
        B + 'permalink = "/a\\"b/{slug}/"\n',
        ["config.toml:3: permalink: may hold only letters, digits, '/', '.', '_', '~' and '-' besides its {fields}"],
        id='permalink quote',
    ),
    pytest.param(
        B + 'permalink = "/' + "x" * 130 + '/{slug}/"\n',
        ["config.toml:3: permalink: segment 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is too long for a file name (at most 125 bytes besides its {fields})"],
        id='permalink long segment',
    ),
    pytest.param(
        B + 'permalink = "/' + "я" * 65 + '/{slug}/"\n',
        ["config.toml:3: permalink: segment 'яяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяяя' is too long for a file name (at most 125 bytes besides its {fields})"],
        id='permalink Cyrillic segment of 130 bytes',
    ),
    pytest.param(
        B + 'permalink = "/{slug}/{id}/"\n',
        ['config.toml:3: permalink: unknown field {id} (known: year, month, day, slug, lang)'],
        id='permalink unknown field',
    ),
    pytest.param(
        B + 'output_dir = "../elsewhere"\n',
        ['config.toml:3: output_dir: must be a folder inside the project'],
        id='output_dir outside',
    ),
    pytest.param(
        B + 'output_dir = "."\n',
        ['config.toml:3: output_dir: must be a folder inside the project'],
        id='output_dir the project',
    ),
    pytest.param(
        B + 'output_dir = "content"\n',
        ["config.toml:3: output_dir: 'content' overlaps the content folder; every build replaces its output folder as a whole"],
        id='output_dir the content folder',
    ),
    pytest.param(
        B + 'output_dir = "content/site"\n',
        ["config.toml:3: output_dir: 'content/site' overlaps the content folder; every build replaces its output folder as a whole"],
        id='output_dir inside the content folder',
    ),
    pytest.param(
        B + 'output_dir = "site"\nstatic_dir = "site/static"\n',
        ["config.toml:3: output_dir: 'site' overlaps the static folder; every build replaces its output folder as a whole"],
        id='output_dir holding the static folder',
    ),
    pytest.param(
        B + 'content_dir = "a\\u0000b"\n',
        ['config.toml:3: content_dir: must be a folder inside the project'],
        id='content_dir with NUL',
    ),
    pytest.param(
        B + 'language = "en\\" x=\\"y"\n',
        ['config.toml:3: language: \'en" x="y\' is not a language code such as \'en\' or \'pt-BR\''],
        id='language with quote',
    ),
    pytest.param(
        B + 'embed_hosts = ["https://www.youtube.com/"]\n',
        ["config.toml:3: embed_hosts: 'https://www.youtube.com/' is not a host name such as 'www.youtube.com'"],
        id='embed_hosts a URL',
    ),
    pytest.param(
        B + 'embed_hosts = [1]\n',
        ["config.toml:3: embed_hosts: an integer is not a host name such as 'www.youtube.com'"],
        id='embed_hosts a number',
    ),
    pytest.param(
        B + 'unsafe_html = "yes"\n',
        ['config.toml:3: unsafe_html: expected true or false, got a string'],
        id='unsafe_html a string',
    ),
    pytest.param(
        B + 'per_page = 0\n',
        ['config.toml:3: per_page: must be at least 1'],
        id='per_page 0',
    ),
    pytest.param(
        B + 'timezone = "Mars/Olympus"\n',
        ["config.toml:3: timezone: unknown time zone 'Mars/Olympus'"],
        id='timezone unknown',
    ),
    pytest.param(
        B + 'timezone = "../../etc/passwd"\n',
        ["config.toml:3: timezone: unknown time zone '../../etc/passwd'"],
        id='timezone path',
    ),
]


@pytest.mark.parametrize(("config", "expected"), BAD_CONFIGS)
def test_bad_config_is_located(tmp_path: Path, config: str | bytes,
                               expected: list[str]) -> None:
    project = write_project(tmp_path / "p", ART, config="")
    (project / "config.toml").write_bytes(config if isinstance(config, bytes) else config.encode())
    code, _, err = build(project)
    assert (code, problems(err)) == (1, expected)


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"templates/base.html": "{% block main %}\n{% endblock\n"},
                 ["templates/base.html:2: template syntax error: unexpected end of template, expected 'end of statement block'."],
                 id="template syntax error"),
    pytest.param({"templates/article.html": "{% extends 'base.html' %}\n{% block main %}\n{{ article.no_such_field }}\n{% endblock %}\n"},
                 ["templates/article.html:3: template error: 'site_builder.model.Article object' has no attribute 'no_such_field' (rendering content/a.md)"],
                 id="template undefined attribute"),
    pytest.param({"templates/index.html": "{{ undefined_name }}"},
                 ["templates/index.html:1: template error: 'undefined_name' is undefined"],
                 id="template undefined variable"),
    pytest.param({"templates/index.html": "{% include 'index.html' %}"},
                 ["templates/index.html:1: template error: recursion too deep (does a template include or extend itself?)"],
                 id="template including itself"),
    pytest.param({"templates/index.html": "\n{% include 'missing.html' %}"},
                 ["templates/index.html:2: template not found: missing.html"],
                 id="template including a missing one"),
    pytest.param({"static/a\nb.css": "x"},
                 ["static/a\\nb.css: output path 'a\\nb.css' contains control characters"],
                 id="static file name with a newline"),
])
def test_bad_template_or_static_file_is_located(tmp_path: Path, files: dict[str, str],
                                                expected: list[str]) -> None:
    project = write_project(tmp_path / "p", {**ART, **files})
    code, _, err = build(project)
    assert (code, problems(err)) == (1, expected)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Return a folder beside the project with an article and a template in it."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.md").write_text(ARTICLE)
    (folder / "base.html").write_text("SECRET")
    return folder


def test_linked_content_folder_outside_is_not_followed(tmp_path: Path, outside: Path) -> None:
    project = write_project(tmp_path / "p", ART)
    (project / "content" / "linked").symlink_to(outside)
    code, _, err = build(project)
    assert (code, problems(err)) == (1, ["content/linked: symbolic link points outside the project"])


def test_linked_content_root_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    project = write_project(tmp_path / "p", {})
    (project / "content").symlink_to(outside)
    code, _, err = build(project)
    assert (code, problems(err)) == (1, [
        "config.toml: content_dir: 'content' leads outside the project (a symbolic link?)"])


def test_linked_template_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    project = write_project(tmp_path / "p", ART)
    (project / "templates").mkdir()
    (project / "templates" / "base.html").symlink_to(outside / "base.html")
    code, _, err = build(project)
    assert (code, problems(err)) == (1, ["templates/base.html: symbolic link points outside the project"])


def test_linked_templates_folder_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    project = write_project(tmp_path / "p", ART)
    (project / "templates").symlink_to(outside)
    code, _, err = build(project)
    assert (code, problems(err)) == (1, [
        "config.toml: templates_dir: 'templates' leads outside the project (a symbolic link?)"])


def test_linked_static_file_outside_is_not_published(tmp_path: Path, outside: Path) -> None:
    project = write_project(tmp_path / "p", {**ART, "static/x.txt": "x"})
    (project / "static" / "leak.html").symlink_to(outside / "base.html")
    assert build(project)[0] == 0
    assert (project / "output" / "x.txt").exists()
    assert not (project / "output" / "leak.html").exists()
    assert all(b"SECRET" not in data for data in tree(project / "output").values())


def test_pipe_in_content_does_not_block_the_build(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", ART)
    os.mkfifo(project / "content" / "pipe.md")
    code, _, err = build(project)
    assert (code, problems(err)) == (1, ["content/pipe.md: not a regular file (a pipe, a device or a broken link?)"])


def test_file_too_large_is_refused(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", ART)
    with (project / "content" / "huge.md").open("wb") as handle:
        handle.truncate(64 * 1024 * 1024 + 1)  # sparse: no disk space used
    code, _, err = build(project)
    assert (code, problems(err)) == (1, ["content/huge.md: file of 67,108,865 bytes is too large (at most 67,108,864)"])


@pytest.mark.parametrize(("target", "expected"), [
    ("{project}", "--output: output_dir: '{project}' would replace the project folder; every build replaces its output folder as a whole"),
    ("{project}/content", "--output: output_dir: '{project}/content' overlaps the content folder; every build replaces its output folder as a whole"),
    ("{tmp}", "--output: output_dir: '{tmp}' would replace the project folder; every build replaces its output folder as a whole"),
    ("{tmp}/docs", "{tmp}/docs: holds files but no index.html and sitemap.xml, so it is not a site built here; every build replaces its output folder as a whole: empty it or choose another"),
    ("{tmp}/docs/notes.txt", "{tmp}/docs/notes.txt: exists and is not a folder"),
])
def test_output_never_replaces_what_is_not_a_site(tmp_path: Path, target: str,
                                                  expected: str) -> None:
    tmp = tmp_path.resolve()
    project = write_project(tmp / "p", ART)
    (tmp / "docs").mkdir()
    (tmp / "docs" / "notes.txt").write_text("mine")
    before = tree(tmp)
    code, _, err = build(project, "--output", target.format(project=project, tmp=tmp))
    assert (code, problems(err)) == (1, [expected.format(project=project, tmp=tmp)])
    assert tree(tmp) == before


def test_output_link_is_refused(tmp_path: Path, outside: Path) -> None:
    project = write_project(tmp_path / "p", ART)
    (project / "output").symlink_to(outside)
    before = tree(outside)
    code, _, err = build(project)
    assert (code, problems(err)) == (1, ["output: the output folder is a symbolic link: give the folder it points to"])
    assert tree(outside) == before


UNREADABLE = [
    pytest.param("content/a.md", "content/a.md: cannot read file: Permission denied", id="article"),
    pytest.param("content/2024", "content/2024: cannot read folder: Permission denied", id="content folder"),
    pytest.param("templates/index.html", "templates/index.html: cannot read template: Permission denied", id="template"),
    pytest.param("static/x.css", "static/x.css: cannot read file: Permission denied", id="static file"),
    pytest.param("config.toml", "config.toml: cannot read: Permission denied", id="config.toml"),
    pytest.param(".", "output: cannot write: Permission denied", id="read-only project folder"),
]


@pytest.mark.parametrize(("locked", "expected"), UNREADABLE)
def test_unreadable_input_is_located(tmp_path: Path, locked: str, expected: str) -> None:
    reason = permissions_enforced()
    if reason:
        pytest.skip(reason)
    project = write_project(tmp_path / "p", {
        **ART, "content/2024/b.md": ARTICLE, "templates/index.html": "{{ page.number }}",
        "static/x.css": "x",
    })
    mode = 0o555 if locked == "." else 0
    os.chmod(project / locked, mode)
    try:
        result = build_as_user(project)
    finally:
        os.chmod(project / locked, 0o755)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [expected, "build failed: 1 problem"]
