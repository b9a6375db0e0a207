"""Front-matter and config values are escaped in every output: HTML, XML and JSON."""

from __future__ import annotations

import html.parser
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from site_builder.render import tojson_ld

from .projects import build, tree, write_project

PAYLOAD = "</script><script>alert(1)</script><!-- \"q\" 'a' & <b>x</b> \u2028\u2029 -->end"
"""Text that breaks out of every context it is pasted into unescaped."""


def yaml_text(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid double-quoted YAML scalar


ARTICLE = f"""---
title: {yaml_text(PAYLOAD)}
date: 2024-05-02T10:00:00+03:00
authors: [{yaml_text(PAYLOAD)}]
source: {yaml_text(PAYLOAD)}
tags: [{yaml_text(PAYLOAD)}]
categories: [{yaml_text(PAYLOAD)}]
summary: {yaml_text(PAYLOAD)}
image:
  src: {yaml_text("https://cdn.example.org/a.png?" + PAYLOAD.replace(" ", ""))}
  alt: {yaml_text(PAYLOAD)}
  caption: {yaml_text(PAYLOAD)}
  credit: {yaml_text(PAYLOAD)}
related:
  - title: {yaml_text(PAYLOAD)}
    url: {yaml_text("https://example.com/?q=" + PAYLOAD.replace(" ", ""))}
original_url: {yaml_text("https://example.com/a?b=" + PAYLOAD.replace(" ", ""))}
slug: story
---

Body.
"""
NEIGHBOUR = "---\ntitle: Neighbour\ndate: 2024-05-01\n---\n\nText.\n"
CONFIG = (f"title = {json.dumps(PAYLOAD)}\nbase_url = \"https://example.org/\"\n"
          f"description = {json.dumps(PAYLOAD)}\n")


class _Page(html.parser.HTMLParser):
    """Record the scripts, event attributes and text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str | None, str]] = []
        self.handlers: list[str] = []
        self.texts: list[str] = []
        self.attribute_values: list[str] = []
        self._script_type: str | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]
        self.attribute_values += [value or "" for _, value in attrs]
        if tag == "script":
            self._in_script = True
            self._script_type = dict(attrs).get("type") or f"src={dict(attrs).get('src')}"
            self.scripts.append((self._script_type, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            kind, text = self.scripts[-1]
            self.scripts[-1] = (kind, text + data)
        else:
            self.texts.append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    project = write_project(tmp_path_factory.mktemp("escaping") / "p", {
        "content/a.md": ARTICLE, "content/b.md": NEIGHBOUR}, config=CONFIG)
    code, _, err = build(project)
    assert code == 0, err
    return tree(project / "output")


def test_html_pages_carry_the_payload_only_as_text(site: dict[str, bytes]) -> None:
    pages = {name: data.decode() for name, data in site.items() if name.endswith(".html")}
    assert "2024/05/02/story/index.html" in pages
    for name, page in pages.items():
        parsed = _Page()
        parsed.feed(page)
        parsed.close()
        assert parsed.handlers == [], name
        # The only scripts: JSON-LD data and the theme's own files.
        assert [kind for kind, _ in parsed.scripts] in (
            [], ["application/ld+json"], ["src=/assets/search.js"]), name
        for kind, text in parsed.scripts:
            if kind != "application/ld+json":
                assert text == ""
                continue
            data = json.loads(text)
            assert data["headline"] in (PAYLOAD, "Neighbour")
            assert data["publisher"]["name"] == PAYLOAD
            assert "<" not in text and "\u2028" not in text and "\u2029" not in text
        assert any(PAYLOAD.replace("\u2028\u2029", "") in t.replace("\u2028\u2029", "")
                   for t in parsed.texts + parsed.attribute_values), name


def test_article_page_shows_every_field_as_text(site: dict[str, bytes]) -> None:
    page = site["2024/05/02/story/index.html"].decode()
    escaped = PAYLOAD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Title, byline, tags, caption, credit, related title, neighbour link, page title...
    assert page.count(escaped.replace('"', "&#34;").replace("'", "&#39;")) >= 8
    assert "<script>alert(1)" not in page


def test_xml_outputs_stay_well_formed_and_carry_the_payload(site: dict[str, bytes]) -> None:
    names = [n for n in site if n.endswith(".xml")]
    assert {"feed.xml", "sitemap.xml"} <= set(names)
    for name in names:
        root = ET.fromstring(site[name])  # raises on anything not well-formed
        if "feed" in name or name.endswith("rss.xml"):
            assert PAYLOAD in "".join(root.itertext()) + "".join(
                v for e in root.iter() for v in e.attrib.values()), name
        assert b"<script>" not in site[name], name


def test_json_outputs_parse_back_to_the_payload(site: dict[str, bytes]) -> None:
    names = [n for n in site if n.endswith(".json") and not n.startswith("pagefind/")]
    for name in names:
        text = site[name].decode()
        assert PAYLOAD in strings(json.loads(text)), name


def strings(value: object) -> list[str]:
    """Return every string inside a decoded JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


@pytest.mark.parametrize(("value", "expected"), [
    ("</script><script>alert(1)</script>",
     '"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"'),
    ("<!-- x -->", '"\\u003c!-- x --\\u003e"'),
    ("a\"b'c&d", '"a\\"b\'c\\u0026d"'),
    ("line\u2028para\u2029end", '"line\\u2028para\\u2029end"'),
    ({"k": ["</SCRIPT >"]}, '{"k": ["\\u003c/SCRIPT \\u003e"]}'),
])
def test_tojson_ld_escapes_what_ends_a_script(value: object, expected: str) -> None:
    text = str(tojson_ld(value))
    assert text == expected
    assert json.loads(text) == value


def test_control_characters_in_front_matter_are_removed(tmp_path: Path) -> None:
    article = ('---\ntitle: "Bell\\a, NEL\\N, nonchar\\uFFFE, \\x1b[31mred"\n'
               'date: 2024-05-02\nsummary: "\\0nul"\n---\n\nText\x0c here\x85.\n')
    project = write_project(tmp_path / "p", {"content/a.md": article})
    assert build(project)[0] == 0
    page = (project / "output/2024/05/02/a/index.html").read_text()
    assert "<h1>Bell, NEL, nonchar, [31mred</h1>" in page
    assert '<meta name="description" content="nul">' in page
    assert "<p>Text here.</p>" in page
    ET.fromstring((project / "output/feed.xml").read_bytes())
