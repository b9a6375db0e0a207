"""Valid but unusual text builds: BOM, line endings, scripts of every direction, emoji, size."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import needs_pagefind
from .projects import build, write_project


def page(project: Path, url: str) -> str:
    return (project / "output" / url / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "data", "url", "expected"), [
    ("bom.md", "\ufeff---\ntitle: With BOM\ndate: 2024-05-02\n---\n\nText.\n",
     "2024/05/02/bom", "<h1>With BOM</h1>"),
    ("crlf.md", "---\r\ntitle: CRLF\r\ndate: 2024-05-02\r\n---\r\n\r\nOne\r\n\r\nTwo\r\n",
     "2024/05/02/crlf", "<p>One</p>\n<p>Two</p>"),
    ("cr.md", "---\rtitle: Old Mac\rdate: 2024-05-02\r---\r\rOne\r\rTwo\r",
     "2024/05/02/cr", "<p>One</p>\n<p>Two</p>"),
    ("arabic.md", "---\ntitle: مرحبا بالعالم\ndate: 2024-05-02\nlang: ar\n---\n\nنص عربي.\n",
     "2024/05/02/arabic", "<h1>مرحبا بالعالم</h1>"),
    ("2024-05-02-עברית.md", "---\ntitle: שלום עולם\ndate: 2024-05-02\nlang: he\n---\n\nטקסט.\n",
     "2024/05/02/vryt", "<h1>שלום עולם</h1>"),
    ("中文.md", "---\ntitle: 港口罢工开始\ndate: 2024-05-02\n---\n\n码头工人罢工。\n",
     "2024/05/02/zhongwen", "<h1>港口罢工开始</h1>"),
    ("日本語.md", "---\ntitle: 東京のニュース 🗼\ndate: 2024-05-02\nlang: ja\n---\n\n本文。\n",
     "2024/05/02/ribenyu", "<h1>東京のニュース 🗼</h1>"),
    ("🎉.md", "---\ntitle: 🎉🎉🎉\ndate: 2024-05-02\n---\n\nParty 👩‍👩‍👧‍👦 🏳️‍🌈.\n",
     "2024/05/02/tada", "<p>Party 👩‍👩‍👧‍👦 🏳️‍🌈.</p>"),
    ("mixed.md", "---\ntitle: \"Mixed \u202eRTL override\u202c and \u200bzero\u00a0width\"\n"
     "date: 2024-05-02\n---\n\ne\u0301 combining.\n",
     "2024/05/02/mixed", "<p>e\u0301 combining.</p>"),
    ("CON.md", "---\ntitle: Reserved file name\ndate: 2024-05-02\n---\n\nText.\n",
     "2024/05/02/con-1", "<h1>Reserved file name</h1>"),
    ("long.md", "---\ntitle: " + "Долгий заголовок " * 58 + "\ndate: 2024-05-02\n---\n\nx\n",
     "2024/05/02/long", "Долгий заголовок Долгий"),
], ids=lambda value: value if isinstance(value, str) and value.endswith(".md") else "")
@needs_pagefind
def test_unusual_text_builds(tmp_path: Path, name: str, data: str, url: str,
                             expected: str) -> None:
    project = write_project(tmp_path / "p", {f"content/{name}": data})
    code, _, err = build(project)
    assert (code, err) == (0, "")
    assert expected in page(project, url)
    ET.fromstring((project / "output" / "feed.xml").read_bytes())


def test_yaml_alias_bomb_builds_quickly(tmp_path: Path) -> None:
    # Nine levels of ten aliases: a billion strings if expanded, nine lists if shared.
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    article = "---\ntitle: Bomb\ndate: 2024-05-02\n" + "\n".join(levels) + "\n---\n\nText.\n"
    project = write_project(tmp_path / "p", {"content/bomb.md": article})
    assert build(project)[0] == 0


@needs_pagefind
def test_ten_megabyte_article_builds(tmp_path: Path) -> None:
    # Long paragraphs: Python-Markdown's cost is mostly per paragraph, not per byte.
    paragraph = ("Dockworkers at the harbour walked out on Thursday, halting all container "
                 "traffic; the union said talks had failed after three weeks. ") * 14
    paragraph += "Talks have *failed*."
    paragraph += "See [the statement](https://union.example.net/statement)."
    count = 10_000_000 // len(paragraph) + 1
    body = "\n\n".join(f"{paragraph} ({n})" for n in range(count))
    article = "---\ntitle: Very long\ndate: 2024-05-02\n---\n\n" + body + "\n"
    assert len(article.encode()) > 10_000_000
    project = write_project(tmp_path / "p", {"content/big.md": article})
    code, _, err = build(project)
    assert (code, err) == (0, "")
    html = page(project, "2024/05/02/big")
    assert html.count("<p>Dockworkers") == count
    assert f"({count - 1})</p>" in html
