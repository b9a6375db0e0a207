"""Nothing escapes: whatever front matter, file names or config say, a build writes only
inside its output folder.

Each hostile project is built in a folder beside decoy files; every file, folder and
link in the whole tree is recorded before and after, and only ``output/`` may differ.
"""

from __future__ import annotations

import hashlib
import os
import typing as t
from pathlib import Path

import pytest

from .projects import build, write_project

ARTICLE = "---\ntitle: {title}\ndate: 2024-05-02\n{extra}---\n\nBody.\n"


def article(title: str = "T", **fields: str) -> str:
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return ARTICLE.format(title=title, extra=extra)


def snapshot(root: Path, output: Path, *, with_output: bool) -> dict[str, tuple[str, str]]:
    """Return every entry under ``root``: kind and content, mtime or link target.

    ``output`` itself is left out unless ``with_output``. So are the output folder's
    staging and previous-build names beside it, the build's own working space, and the
    project's URL history and build cache, which a build keeps.
    """
    skip = [output.with_name(f".{output.name}.staging"),
            output.with_name(f".{output.name}.old"),
            output.with_name(f".{output.name}.previous"), root / "p" / "url-history.txt",
            root / "p" / ".site-builder-cache"]
    if not with_output:
        skip.append(output)
    entries: dict[str, tuple[str, str]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            if any(path == s or s in path.parents for s in skip):
                continue
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                entries[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                entries[rel] = ("dir", "")
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                entries[rel] = ("file", f"{digest} {path.stat().st_mtime_ns}")
    return entries


def decoys(root: Path) -> None:
    """Write files a hostile project might try to reach or overwrite."""
    for name in ("outside/secret.md", "outside/base.html", "outside/index.html",
                 "escape", "etc/passwd", "p/../x"):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"decoy {name}\n---\ntitle: T\ndate: 2024-05-02\n---\n")


Setup = t.Callable[[Path, Path], None]


def link_content_outside(project: Path, root: Path) -> None:
    (project / "content" / "linked.md").symlink_to(root / "outside" / "secret.md")
    (project / "content" / "linked-folder").symlink_to(root / "outside")


def link_template_outside(project: Path, root: Path) -> None:
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates" / "base.html").symlink_to(root / "outside" / "base.html")


def link_static_outside(project: Path, root: Path) -> None:
    (project / "static").mkdir(exist_ok=True)
    (project / "static" / "leak.html").symlink_to(root / "outside" / "index.html")
    (project / "static" / "leak-folder").symlink_to(root / "outside")


def link_bundle_files_outside(project: Path, root: Path) -> None:
    bundle = project / "content" / "bundle"
    bundle.mkdir(parents=True, exist_ok=True)
    (bundle / "index.md").write_text(article(url="/../../escape/"))
    (bundle / "secret.md.txt").symlink_to(root / "outside" / "secret.md")
    (bundle / "config.toml").symlink_to(project / "config.toml")
    (bundle / "folder").symlink_to(root / "outside")
    other = project / "content" / "other"
    other.mkdir()
    (other / "index.md").write_text(article(url="/a.html"))
    (other / "index.html").symlink_to(root / "outside" / "index.html")


def plant_output_links(project: Path, root: Path) -> None:
    # A previous output with links pointing out: a build must not write through them.
    (project / "output").mkdir()
    (project / "output" / "sitemap.xml").write_text("<urlset/>")
    (project / "output" / "index.html").symlink_to(root / "outside" / "index.html")
    (project / "output" / "2024").symlink_to(root / "outside")
    (project / ".output.staging").symlink_to(root / "outside")


HOSTILE: list[tuple[str, dict[str, str], str, Setup | None, tuple[str, ...]]] = [
    ("slugs leaving the folder", {
        "content/a.md": article(slug="../../../escape"),
        "content/b.md": article(slug="/etc/passwd"),
        "content/c.md": article(slug='"..\\\\..\\\\escape"'),
        "content/d.md": article(slug='"a/../../b"'),
    }, "", None, ()),
    ("aliases and links leaving the folder", {
        "content/a.md": article(aliases="[../../../escape, /../../etc/passwd]",
                                related="[{title: x, url: ../../../escape}]"),
        "content/b.md": article(image="{src: ../../../etc/passwd}"),
    }, "", None, ()),
    ("file names that look like paths", {
        "content/..%2f..%2fescape.md": article(),
        "content/....md": article(title="Dots"),
        "static/..%2fescape": "x",
    }, "", None, ()),
    ("permalinks leaving the folder", {"content/a.md": article()},
     'permalink = "/../../{slug}/"\n', None, ()),
    ("permalink of only the slug", {"content/a.md": article(slug="..")},
     'permalink = "/{slug}"\n', None, ()),
    ("folders leaving the project", {"content/a.md": article()},
     'output_dir = "../escape-out"\ncontent_dir = "../outside"\n'
     'templates_dir = "/etc"\nstatic_dir = "../.."\n', None, ()),
    ("content linked from outside", {"content/a.md": article()}, "", link_content_outside, ()),
    ("a template linked from outside", {"content/a.md": article()}, "", link_template_outside,
     ()),
    ("static files linked from outside", {"content/a.md": article()}, "", link_static_outside,
     ()),
    ("a template including files outside", {
        "content/a.md": article(),
        "templates/index.html": "{% include '../../outside/base.html' %}"
                                "{% include '/etc/passwd' %}",
    }, "", None, ()),
    ("page bundles reaching out", {"content/a.md": article()}, "", link_bundle_files_outside,
     ()),
    ("page bundles with fixed URLs", {
        "content/a/index.md": article(url="/x.html"), "content/a/up/escape": "x",
        "content/b/index.md": article(url="'/%2e%2e/%2e%2e/escape.html'"),
        "content/b/..%2f..%2fescape": "x",
        "content/c/index.md": article(url="/" + "d/" * 600), "content/c/e": "x",
    }, "", None, ()),
    ("an output full of links", {"content/a.md": article()}, "", plant_output_links, ()),
    ("--output to the project's parent", {"content/a.md": article()}, "", None,
     ("--output", "{root}")),
    ("--output to a folder of other files", {"content/a.md": article()}, "", None,
     ("--output", "{root}/outside")),
    ("--output to a missing folder inside the decoys", {"content/a.md": article()}, "", None,
     ("--output", "{root}/outside/site")),
]


@pytest.mark.parametrize(("files", "config", "setup", "args"),
                         [pytest.param(*case[1:], id=case[0]) for case in HOSTILE])
def test_nothing_is_written_outside_the_output_folder(
    tmp_path: Path, files: dict[str, str], config: str, setup: Setup | None,
    args: tuple[str, ...],
) -> None:
    root = tmp_path.resolve() / "root"
    decoys(root)
    project = write_project(
        root / "p", files, 'title = "T"\nbase_url = "https://example.org/"\n' + config)
    if setup:
        setup(project, root)
    args = tuple(a.format(root=root) for a in args)
    output = Path(args[1]) if args else project / "output"
    before = snapshot(root, output, with_output=True)
    code, _, err = build(project, *args)
    assert code in (0, 1)
    assert "Traceback" not in err
    after = snapshot(root, output, with_output=code == 1)
    if code == 0:
        before = {k: v for k, v in before.items()
                  if not (root / k == output or output in (root / k).parents)}
        for path in output.rglob("*"):
            if path.is_file() and not path.is_symlink():
                assert b"decoy" not in path.read_bytes(), path
    # A refused build changes nothing at all; a build changes only its output folder.
    assert after == before
