"""The helpers the site readers share: code ranges, link rewriting, assets, plain text."""

from __future__ import annotations

import os
import typing as t
from pathlib import Path

import pytest

from site_builder.importers.markdown_source import (
    UNLINK,
    ArticleAssets,
    Link,
    Unlink,
    code_ranges,
    line_at,
    plain_text,
    read_text,
    rewrite_links,
    safe_name,
    url_of,
    walk_files,
)


def codes(text: str) -> list[str]:
    return [text[s:e] for s, e in code_ranges(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("a `b` c", ["`b`"]),
    ("a ``b ` c`` d", ["``b ` c``"]),
    ("a `b\n\nc` d", []),  # a code span does not cross a blank line
    ("```\nx\n```\ny", ["```\nx\n```"]),
    ("~~~~\nx\n~~~\n~~~~\ny", ["~~~~\nx\n~~~\n~~~~"]),
    ("   ```py\nx\n", ["   ```py\nx\n"]),  # unclosed: to the end
    ("    ```\nx", []),  # four spaces: not a fence
    ("``` a`b\nx\n```", ["```"]),  # a backtick in the info string: not a fence
    ("a <!-- b `c` --> d", ["<!-- b `c` -->"]),
])
def test_code_ranges(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


def test_comments_can_be_left_out() -> None:
    text = "a <!-- more --> `b`"
    assert [text[s:e] for s, e in code_ranges(text, comments=False)] == ["`b`"]


def test_line_at() -> None:
    assert [line_at("a\nb\nc", offset, 5) for offset in (0, 1, 2, 4)] == [5, 5, 6, 7]


def change_all(link: Link) -> str | Unlink | None:
    if link.dest.startswith("gone"):
        return UNLINK
    if link.dest.startswith("old"):
        return "new" + link.dest[3:]
    return None


@pytest.mark.parametrize(("text", "expected"), [
    ("[a](old.md)", "[a](new.md)"),
    ('[a](old.md "Title")', '[a](new.md "Title")'),
    ("[a](<old x.md>)", "[a](<new x.md>)"),
    ("![i](old.png)", "![i](new.png)"),
    ("[![i](old.png)](old.md)", "[![i](new.png)](new.md)"),
    ("[a [b] c](old.md)", "[a [b] c](new.md)"),
    ("[a](old_(1).md)", "[a](new_(1).md)"),
    ("[a][r]\n\n[r]: old.md\n", "[a][r]\n\n[r]: new.md\n"),
    ('<img alt="x" src="old.png">', '<img alt="x" src="new.png">'),
    ("`[a](old.md)` [b](old.md)", "`[a](old.md)` [b](new.md)"),
    ("[a](gone.md) b", "a b"),
    ("![alt](gone.png)", "alt"),
    ('<a class="c" href="gone">x</a>', '<a class="c">x</a>'),
    ("[a][r], [r][] and [r]\n\n[r]: gone\nnext\n", "a, r and r\n\nnext\n"),
    ("[^1] note\n\n[^1]: footnote\n", "[^1] note\n\n[^1]: footnote\n"),
])
def test_rewrite_links(text: str, expected: str) -> None:
    assert rewrite_links(text, change_all) == expected


def test_html_value_is_escaped() -> None:
    assert rewrite_links('<a href="old">x</a>', lambda link: 'a"b') == '<a href="a&quot;b">x</a>'


def test_assets_get_unique_names(tmp_path: Path) -> None:
    assets = ArticleAssets()
    one, two, three = tmp_path / "a" / "x.png", tmp_path / "b" / "x.png", tmp_path / "y"
    assert assets.add(one, "x.png") == "x.png"
    assert assets.add(two, "x.png") == "x-2.png"
    assert assets.add(one, "other.png") == "x.png"  # the same file keeps its name
    assert assets.add(three, "../../y") == "y"
    assert [a.name for a in assets.assets] == ["x.png", "x-2.png", "y"]


@pytest.mark.parametrize(("path", "name"), [
    ("a/b.png", "a/b.png"), ("/a/../b.png", "a/b.png"), ("..", ""), ("a\\b", "a/b"),
    ("./a//b", "a/b")])
def test_safe_name(path: str, name: str) -> None:
    assert safe_name(path) == name


def test_url_of() -> None:
    assert url_of("/posts/é x?#%/") == "/posts/%C3%A9%20x%3F%23%25/"
    assert url_of("docs/notes-1.txt") == "docs/notes-1.txt"


def test_plain_text() -> None:
    assert plain_text("One **two**,\nthree.\n\nFour *five*.") == "One two, three. Four five."
    assert plain_text("Fish &amp; chips") == "Fish & chips"


def test_read_text(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"\xef\xbb\xbfTitle: x\r\nbody\x00\r\n")
    assert read_text(path, "a.md") == ("Title: x\nbody\n", None)
    path.write_bytes(b"ok\n\xff\n")
    text, problem = read_text(path, "a.md")
    assert text is None and problem is not None and str(problem) == \
        "a.md:2: not UTF-8 text (is it a binary file?)"
    text, problem = read_text(tmp_path / "missing.md", "missing.md")
    assert text is None and problem is not None and "cannot read file" in problem.message


def test_walk_files_reports_unreadable_folders(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.md").write_text("x", encoding="utf-8")
    (tmp_path / "b.md").write_text("b", encoding="utf-8")
    real_walk = os.walk

    def walk(top: str | os.PathLike[str], onerror: t.Any = None) -> t.Iterator[t.Any]:
        for folder, dirs, files in real_walk(top):
            if Path(folder).name == "a":
                onerror(PermissionError(13, "Permission denied", folder))
                continue
            yield folder, dirs, files

    monkeypatch.setattr(os, "walk", walk)
    seen: list[tuple[str, str | None]] = []
    found = walk_files(tmp_path, lambda rel, exc: seen.append((rel, exc.strerror)))
    assert found == ["b.md"]
    assert seen == [("a", "Permission denied")]
