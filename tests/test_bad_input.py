"""Every kind of bad article input: the exact located message, exit code 1, no traceback.

Each case is a project with one or two article files; the build runs through the
command line in this process, so an exception escaping ``main`` fails the test.
"""
# ruff: noqa: E501  (a table of exact messages reads best one message a line)

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import needs_pagefind
from .projects import build, problems, tree, write_project

A = "content/a.md"
OK = ("title: T", "date: 2024-05-02")


def fm(*lines: str, body: str = "Body.\n") -> str:
    """Return an article: front-matter ``lines`` between fences, then ``body``."""
    return "---\n" + "\n".join(lines) + "\n---\n" + body


BAD_ARTICLES = [
    pytest.param(
        {A: fm("title: [T", "date: 2024-05-02")},
        ["content/a.md:2: invalid YAML front matter: did not find expected ',' or ']'"],
        id='broken YAML',
    ),
    pytest.param(
        {A: "---\ntitle: T\n\tdate: 2024-05-02\n---\n"},
        ['content/a.md:2: invalid YAML front matter: found a tab character that violates indentation'],
        id='YAML tab indentation',
    ),
    pytest.param(
        {A: '+++\ntitle = "T\ndate = 2024-05-02\n+++\n'},
        ["content/a.md:2: invalid TOML front matter: Illegal character '\\n'"],
        id='broken TOML',
    ),
    pytest.param(
        {A: fm("- a", "- b")},
        ['content/a.md:1: front matter must be a mapping of keys to values'],
        id='front matter a list',
    ),
    pytest.param(
        {A: fm("just text")},
        ['content/a.md:1: front matter must be a mapping of keys to values'],
        id='front matter a scalar',
    ),
    pytest.param(
        {A: "---\ntitle: T\ndate: 2024-05-02\n"},
        ["content/a.md:1: front matter is not closed: add a '---' line after it"],
        id='front matter not closed',
    ),
    pytest.param(
        {A: "Just a body.\n"},
        ["content/a.md:1: no front matter: the file must start with a '---' line"],
        id='no front matter',
    ),
    pytest.param(
        {A: ""},
        ["content/a.md: empty file: expected front matter between '---' lines"],
        id='empty file',
    ),
    pytest.param(
        {A: "\ufeff  \n\n"},
        ["content/a.md: empty file: expected front matter between '---' lines"],
        id='BOM and spaces only',
    ),
    pytest.param(
        {A: fm("title: [a, b]", "date: 2024-05-02")},
        ['content/a.md:2: title: expected text, got a list'],
        id='title a list',
    ),
    pytest.param(
        {A: fm("title: {a: 1}", "date: 2024-05-02")},
        ['content/a.md:2: title: expected text, got a mapping'],
        id='title a mapping',
    ),
    pytest.param(
        {A: fm("title: true", "date: 2024-05-02")},
        ['content/a.md:2: title: expected text, got true/false'],
        id='title true',
    ),
    pytest.param(
        {A: fm("title: ''", "date: 2024-05-02")},
        ['content/a.md:2: title: must not be empty'],
        id='title empty',
    ),
    pytest.param(
        {A: fm("date: 2024-05-02")},
        ['content/a.md:1: title: required field is missing'],
        id='title missing',
    ),
    pytest.param(
        {A: fm("title: " + "x" * 1001, "date: 2024-05-02")},
        ['content/a.md:2: title: 1,001 characters long (at most 1,000): is the body in the title?'],
        id='title 1001 chars',
    ),
    pytest.param(
        {A: fm("title: T")},
        ['content/a.md:1: date: required field is missing'],
        id='date missing',
    ),
    pytest.param(
        {A: fm("title: T", "date: 2024-02-30")},
        ["content/a.md:3: date: expected a date like 2018-08-22 or 2018-08-22T10:30:00+03:00, got '2024-02-30'"],
        id='date 30 February',
    ),
    pytest.param(
        {A: fm("title: T", "date: 2024-13-01")},
        ["content/a.md:3: date: expected a date like 2018-08-22 or 2018-08-22T10:30:00+03:00, got '2024-13-01'"],
        id='date month 13',
    ),
    pytest.param(
        {A: fm("title: T", "date: 20240502")},
        ['content/a.md:3: date: expected a date like 2018-08-22 or 2018-08-22T10:30:00+03:00, got 20240502'],
        id='date a number',
    ),
    pytest.param(
        {A: fm("title: T", "date: [2024]")},
        ['content/a.md:3: date: expected a date like 2018-08-22 or 2018-08-22T10:30:00+03:00, got [2024]'],
        id='date a list',
    ),
    pytest.param(
        {A: fm("title: T", "date: yesterday")},
        ["content/a.md:3: date: expected a date like 2018-08-22 or 2018-08-22T10:30:00+03:00, got 'yesterday'"],
        id='date words',
    ),
    pytest.param(
        {A: fm("title: T", "date: 0001-01-01T00:00:00+14:00")},
        ["content/a.md:3: date: '0001-01-01T00:00:00+14:00' is out of range"],
        id='date year 1 at +14:00',
    ),
    pytest.param(
        {A: fm("title: T", "date: 9999-12-31T23:00:00-12:00")},
        ["content/a.md:3: date: '9999-12-31T23:00:00-12:00' is out of range"],
        id='date year 9999 at -12:00',
    ),
    pytest.param(
        {A: fm("title: T", "date: 10000-01-01")},
        ["content/a.md:3: date: expected a date like 2018-08-22 or 2018-08-22T10:30:00+03:00, got '10000-01-01'"],
        id='date year 10000',
    ),
    pytest.param(
        {A: fm(*OK, "updated: true")},
        ['content/a.md:4: updated: expected a date like 2018-08-22 or 2018-08-22T10:30:00+03:00, got true'],
        id='updated true',
    ),
    pytest.param(
        {A: fm(*OK, "authors: {a: 1}")},
        ['content/a.md:4: authors: expected a list of names, got a mapping'],
        id='authors a mapping',
    ),
    pytest.param(
        {A: fm(*OK, "authors: [[a]]")},
        ['content/a.md:4: authors: expected text in the list, got a list'],
        id='authors list of lists',
    ),
    pytest.param(
        {A: fm(*OK, "author: A", "authors: [B]")},
        ["content/a.md:4: author: use either 'author' or 'authors', not both"],
        id='author and authors',
    ),
    pytest.param(
        {A: fm(*OK, "tags: 5")},
        ['content/a.md:4: tags: expected a list of names, got a number'],
        id='tags a number',
    ),
    pytest.param(
        {A: fm(*OK, "source: [a]")},
        ['content/a.md:4: source: expected text, got a list'],
        id='source a list',
    ),
    pytest.param(
        {A: fm(*OK, "summary: {a: 1}")},
        ['content/a.md:4: summary: expected text, got a mapping'],
        id='summary a mapping',
    ),
    pytest.param(
        {A: fm(*OK, "image: [a]")},
        ['content/a.md:4: image: expected a mapping with src, alt, caption, credit, copyright, got a list'],
        id='image a list',
    ),
    pytest.param(
        {A: fm(*OK, "image: {src: /a.png, size: 3}")},
        ["content/a.md:4: image: unknown field 'size' (known: src, alt, caption, credit, copyright)"],
        id='image unknown field',
    ),
    pytest.param(
        {A: fm(*OK, "image: {src: 'javascript:alert(1)'}")},
        ["content/a.md:4: image.src: expected an http(s) URL or a path on this site, got 'javascript:alert(1)'"],
        id='image src javascript',
    ),
    pytest.param(
        {A: fm(*OK, "image: ' JAVASCRIPT:alert(1)'")},
        ["content/a.md:4: image: expected an http(s) URL or a path on this site, got ' JAVASCRIPT:alert(1)'"],
        id='image javascript text',
    ),
    pytest.param(
        {A: fm(*OK, "original_url: /x")},
        ["content/a.md:4: original_url: expected an absolute http(s) URL, got '/x'"],
        id='original_url relative',
    ),
    pytest.param(
        {A: fm(*OK, "original_url: javascript:alert(1)")},
        ["content/a.md:4: original_url: expected an absolute http(s) URL, got 'javascript:alert(1)'"],
        id='original_url javascript',
    ),
    pytest.param(
        {A: fm(*OK, "related: {title: x}")},
        ['content/a.md:4: related: expected a list, got a mapping'],
        id='related a mapping',
    ),
    pytest.param(
        {A: fm(*OK, "related: [{note: x}]")},
        ["content/a.md:4: related: each entry needs a 'title', a 'url' or both"],
        id='related without title or url',
    ),
    pytest.param(
        {A: fm(*OK, "related: [{title: x, url: \"java\\tscript:alert(1)\"}]")},
        ["content/a.md:4: related: url must be an http(s) URL or a path on this site, got 'java\\tscript:alert(1)'"],
        id='related url javascript',
    ),
    pytest.param(
        {A: fm(*OK, "related: [{title: x, url: 'data:text/html,<script>alert(1)</script>'}]")},
        ["content/a.md:4: related: url must be an http(s) URL or a path on this site, got 'data:text/html,<script>alert(1)</script>'"],
        id='related url data',
    ),
    pytest.param(
        {A: fm(*OK, "lang: 12")},
        ["content/a.md:4: lang: '12' is not a language code such as 'en' or 'pt-BR'"],
        id='lang a number',
    ),
    pytest.param(
        {A: fm(*OK, "lang: 'en\" onload=\"x'")},
        ['content/a.md:4: lang: \'en" onload="x\' is not a language code such as \'en\' or \'pt-BR\''],
        id='lang with quote',
    ),
    pytest.param(
        {A: fm(*OK, "aliases: [../../escape/, /" + "x" * 300 + "/]")},
        ["content/a.md: output path '" + "x" * 300 + "/index.html' has a segment of 300 bytes (at most 255)",
         "content/a.md:4: aliases: '../../escape/' is not a usable URL path (no spaces, quotes, '..', '//', '?', '#')"],
        id="aliases leaving the folder or too long",
    ),
    pytest.param(
        {A: fm(*OK, "draft: maybe")},
        ["content/a.md:4: draft: expected true or false, got 'maybe'"],
        id='draft a word',
    ),
    pytest.param(
        {A: fm(*OK, "aliases: {a: 1}")},
        ['content/a.md:4: aliases: expected a list of names, got a mapping'],
        id='aliases a mapping',
    ),
    pytest.param(
        {A: fm(*OK, "x: !!python/object/apply:os.system ['echo hi']")},
        ["content/a.md:4: invalid YAML front matter: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"],
        id='python tag',
    ),
    pytest.param(
        {A: fm(*OK, "? [a, b]\n: c")},
        ['content/a.md:2: invalid YAML front matter: found unhashable key'],
        id='unhashable key',
    ),
    pytest.param(
        {A: fm(*OK, "x: " + "[" * 33 + "]" * 33)},
        ['content/a.md:1: front matter nested more than 32 levels deep'],
        id='front matter nested 33 levels',
    ),
    pytest.param(
        {A: fm(*OK, "x: " + "[" * 100000 + "]" * 100000)},
        ['content/a.md:1: invalid YAML front matter: nested too deeply'],
        id='front matter nested 100,000 levels',
    ),
    pytest.param(
        {A: '+++\ntitle = "T"\ndate = 2024-05-02\nx = ' + "[" * 100000 + "]" * 100000 + "\n+++\n"},
        ['content/a.md:1: invalid TOML front matter: nested too deeply'],
        id='TOML nested 100,000 levels',
    ),
    pytest.param(
        {A: fm(*OK, "slug: ../../etc")},
        ["content/a.md:4: slug: '../../etc' is not usable in a URL (use letters, digits, '-', '_', '~' or '.', at most 120 characters, not ending in '.')"],
        id='slug ../',
    ),
    pytest.param(
        {A: fm(*OK, "slug: /etc/passwd")},
        ["content/a.md:4: slug: '/etc/passwd' is not usable in a URL (use letters, digits, '-', '_', '~' or '.', at most 120 characters, not ending in '.')"],
        id='slug absolute',
    ),
    pytest.param(
        {A: fm(*OK, 'slug: "a\\0b"')},
        ["content/a.md:4: slug: 'a\\x00b' is not usable in a URL (use letters, digits, '-', '_', '~' or '.', at most 120 characters, not ending in '.')"],
        id='slug with NUL',
    ),
    pytest.param(
        {A: fm(*OK, 'slug: "a\\nb"')},
        ["content/a.md:4: slug: 'a\\nb' is not usable in a URL (use letters, digits, '-', '_', '~' or '.', at most 120 characters, not ending in '.')"],
        id='slug with newline',
    ),
    pytest.param(
        {A: fm(*OK, "slug: CON")},
        ["content/a.md:4: slug: 'CON' is a reserved file name on Windows"],
        id='slug CON',
    ),
    pytest.param(
        {A: fm(*OK, "slug: nul.txt")},
        ["content/a.md:4: slug: 'nul.txt' is a reserved file name on Windows"],
        id='slug nul.txt',
    ),
    pytest.param(
        {A: fm(*OK, "slug: story.")},
        ["content/a.md:4: slug: 'story.' is not usable in a URL (use letters, digits, '-', '_', '~' or '.', at most 120 characters, not ending in '.')"],
        id='slug ending in dot',
    ),
    pytest.param(
        {A: fm(*OK, "slug: " + "a" * 121)},
        ["content/a.md:4: slug: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not usable in a URL (use letters, digits, '-', '_', '~' or '.', at most 120 characters, not ending in '.')"],
        id='slug 121 characters',
    ),
    pytest.param(
        {A: fm(*OK, "slug: [a]")},
        ['content/a.md:4: slug: expected text, got a list'],
        id='slug a list',
    ),
    pytest.param(
        {"content/a.md": fm(*OK, "slug: same"), "content/b.md": fm(*OK, "slug: same")},
        ['content/a.md:4: URL /2024/05/02/same/ is used by 2 articles: content/a.md, content/b.md', 'content/b.md:4: URL /2024/05/02/same/ is used by 2 articles: content/a.md, content/b.md'],
        id='duplicate URL',
    ),
    pytest.param(
        {A: b"---\ntitle: Caf\xe9\ndate: 2024-05-02\n---\n"},
        ['content/a.md:2: not UTF-8 text (is it a binary file?)'],
        id='not UTF-8',
    ),
    pytest.param(
        {A: "---\ntitle: T\ndate: 2024-05-02\n---\n".encode("utf-16")},
        ['content/a.md:1: not UTF-8 text (is it a binary file?)'],
        id='UTF-16',
    ),
    pytest.param(
        {A: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"},
        ['content/a.md:1: not UTF-8 text (is it a binary file?)'],
        id='binary (PNG)',
    ),
    pytest.param(
        {A: fm(*OK, body=">" * 100000 + " x\n")},
        ['content/a.md:5: blockquotes or lists nested 100,000 levels deep (at most 50)'], id="100,000 '>'"),
    pytest.param({A: fm(*OK, body="".join("    " * i + "- x\n" for i in range(51)))},
                 ['content/a.md:55: blockquotes or lists nested 51 levels deep (at most 50)'],
        id='lists nested 51 deep',
    ),
    pytest.param(
        {A: fm(*OK, body="- " * 100000 + "x\n")},
        ['content/a.md:5: blockquotes or lists nested 100,000 levels deep (at most 50)'], id="100,000 '- '"),
    pytest.param({A: fm(*OK, body="[" * 100000 + "\n")},
                 ["content/a.md:5: more than 64 unclosed '[' in one paragraph: escape them with a backslash"], id="100,000 '['"),
    pytest.param({A: fm(*OK, body="[a](" * 50000 + "\n")},
                 ["content/a.md:5: more than 64 unclosed '](' in one paragraph: escape them with a backslash"], id="50,000 '[a]('"),
    pytest.param({A: fm(*OK, body="<div>" * 100000 + "\n")},
                 ['content/a.md:5: HTML elements nested more than 1,000 levels deep'], id="100,000 '<div>'"),
    pytest.param({A: fm(*OK, body="*" * 20000 + "x" + "*" * 20000 + "\n")},
                 ['content/a.md:5: Markdown nested too deeply to render'], id="20,000 nested '*'"),
    pytest.param({A: fm(*OK, body="word " * 20001)},
                 ['content/a.md:5: paragraph longer than 100,000 characters: separate paragraphs with blank lines'],
        id='paragraph of 100,001 characters',
    ),
    pytest.param(
        {A: fm(*OK, "section: [World, Europe]")},
        ["content/a.md:4: section: expected one section name, got a list (an article is in one section; 'categories' takes several)"],
        id='section a list',
    ),
    pytest.param(
        {A: fm(*OK, "section: {name: World}")},
        ["content/a.md:4: section: expected text, got a mapping"],
        id='section a mapping',
    ),
    pytest.param(
        {A: fm(*OK, "section: true")},
        ["content/a.md:4: section: expected text, got true/false"],
        id='section true',
    ),
    pytest.param(
        {A: fm("title: T", "date: 2023-05-02"), "content/b.md": fm("title: B", "date: 2024-05-02", "section: '2023'")},
        ["content/b.md:4: section '2023' would have its front at /2023/, which is also the date archive /2023/: rename the section"],
        id='section at a year',
    ),
    pytest.param(
        {A: fm(*OK, "slug: world", "url: /world/"), "content/b.md": fm("title: B", "date: 2024-05-03", "section: World")},
        ["content/b.md:4: section 'World' would have its front at /world/, which is also the article content/a.md (/world/): rename the section or give the page another URL"],
        id='section at an article',
    ),
    pytest.param(
        {A: fm(*OK, "section: Archive")},
        ["content/a.md:4: section 'Archive' would have its front at /archive/, a folder the site reserves: rename the section"],
        id='section at a reserved folder',
    ),
    pytest.param(
        {"content/a\nb.md": fm(*OK)},
        ['content/a\\nb.md: file name has control characters or bytes that are not UTF-8: rename the file'],
        id='file name with newline',
    ),
    pytest.param(
        {"content/caf\udce9.md": fm(*OK)},
        ['content/caf\\udce9.md: file name has control characters or bytes that are not UTF-8: rename the file'],
        id='file name not UTF-8',
    ),
]


@pytest.mark.parametrize(("files", "expected"), BAD_ARTICLES)
def test_bad_article_is_located(tmp_path: Path, files: dict[str, str | bytes],
                                expected: list[str]) -> None:
    project = write_project(tmp_path / "p", files)
    code, out, err = build(project)
    assert (code, problems(err)) == (1, expected)
    assert err.rstrip().endswith(f"build failed: {len(expected)} problem"
                                 + ("s" if len(expected) > 1 else ""))
    assert not (project / "output").exists()


def test_bad_article_leaves_previous_output_intact(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {A: fm(*OK)})
    assert build(project)[0] == 0
    before = tree(project / "output")
    (project / A).write_text(fm(*OK, body=">" * 100_000 + "\n"))
    assert build(project)[0] == 1
    assert tree(project / "output") == before


@needs_pagefind
def test_strict_turns_every_warning_into_an_error(tmp_path: Path) -> None:
    article = fm("title: First", "date: 2024-05-02", "title: Second")
    project = write_project(tmp_path / "p", {A: article})
    warning = "content/a.md:4: warning: title: set twice (also on line 2); the last value is used"
    code, out, err = build(project)
    assert (code, err.splitlines()) == (0, [warning])
    assert "<h1>Second</h1>" in (project / "output/2024/05/02/a/index.html").read_text()
    before = tree(project / "output")
    (project / A).write_text(article.replace("Body.", "Changed."))
    code, out, err = build(project, "--strict")
    assert (code, err.splitlines()) == (1, [warning, "build failed: 1 problem"])
    assert tree(project / "output") == before
