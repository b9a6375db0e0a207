"""Full-text search: Pagefind index in the build, and the search page in a real browser."""

from __future__ import annotations

import collections
import functools
import http.server
import json
import os
import re
import shutil
import socket
import threading
import typing as t
from pathlib import Path

import pytest

from site_builder import build, load_config
from site_builder.content import split_front_matter

from .conftest import copy_site, shared_dir

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def test_index_is_built_and_reused_when_no_page_changed(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    config = load_config(project)
    first = build(config)
    bundle = project / "output" / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    assert any(p.startswith("pagefind/") for p in first.written)
    assert (project / "output" / "search" / "index.html").is_file()
    stamps = {p: p.stat().st_mtime_ns for p in bundle.rglob("*") if p.is_file()}
    second = build(config)
    assert not [p for p in second.written if p.startswith("pagefind/")]
    assert {p: p.stat().st_mtime_ns for p in bundle.rglob("*") if p.is_file()} == stamps


def test_only_article_bodies_are_indexed(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    build(load_config(project))
    entry = json.loads((project / "output" / "pagefind" / "pagefind-entry.json").read_text())
    counts = {lang: index["page_count"] for lang, index in entry["languages"].items()}
    assert counts == {"en": 13, "ru": 1}  # 14 articles; listings and search page left out


def test_search_can_be_turned_off(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    text = (project / "config.toml").read_text().replace("[extra]", "search = false\n\n[extra]")
    (project / "config.toml").write_text(text)
    build(load_config(project))
    assert not (project / "output" / "pagefind").exists()
    assert not (project / "output" / "search").exists()
    assert "site-search" not in (project / "output" / "index.html").read_text()


def test_missing_pagefind_is_one_warning_and_the_build_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITE_BUILDER_PAGEFIND", str(tmp_path / "no-such-pagefind"))
    project = copy_site("basic", tmp_path)
    result = build(load_config(project))
    # The fixture's slug collisions warn too; search adds exactly one warning of its own.
    assert [str(w) for w in result.warnings if w.path == "config.toml"] == [
        "config.toml: warning: search disabled: Pagefind cannot run here ([Errno 2] No such "
        f"file or directory: '{tmp_path / 'no-such-pagefind'}'); set search = false to "
        "silence this"]
    assert (project / "output" / "index.html").is_file()
    assert not (project / "output" / "pagefind").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unique_word(
    bodies: dict[str, str], pattern: str, among: dict[str, str]
) -> tuple[str, str]:
    """Return (word, source): a word of one of ``among`` found in no other article body."""
    seen: dict[str, set[str]] = collections.defaultdict(set)
    for name, body in bodies.items():
        for word in re.findall(pattern, body.lower()):
            seen[word].add(name)
    word = min(w for w, names in seen.items() if len(names) == 1 and set(names) <= set(among))
    return word, next(iter(seen[word]))


def _body(path: Path) -> str:
    split = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    assert isinstance(split, tuple)
    return split[2]


@pytest.fixture
def served_archive(tmp_path: Path) -> t.Iterator[tuple[str, dict[str, str]]]:
    """Build the basic site plus Russian corpus articles, served under /archive/."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian chromium is missing; .ci/run installs it")
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium")
    russian = sorted(shared_dir("corpus", "ruby-news").glob("*.ru.md"))[:40]
    project = copy_site("basic", tmp_path)
    for path in russian:
        shutil.copy(path, project / "content")
    port = _free_port()
    root = tmp_path / "www"
    text = (project / "config.toml").read_text().replace(
        "https://example.org/archive/", f"http://127.0.0.1:{port}/archive/")
    (project / "config.toml").write_text(text)
    build(load_config(project, output_dir=str(root / "archive")))
    bodies = {p.name: _body(p) for p in (project / "content").rglob("*.md")}
    bodies.pop("2024-05-28-draft.md")
    english = {name: body for name, body in bodies.items() if not name.endswith(".ru.md")}
    en_word, en_file = _unique_word(bodies, r"\b[a-z]{6,}\b", among=english)
    ru_word, ru_file = _unique_word(bodies, r"\b[а-я]{7,}\b",
                                    among={p.name: bodies[p.name] for p in russian})
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/archive/", {en_word: en_file, ru_word: ru_file}
    finally:
        server.shutdown()
        server.server_close()


def test_search_finds_english_and_russian_articles_in_chromium(
    served_archive: tuple[str, dict[str, str]],
) -> None:
    from playwright.sync_api import sync_playwright

    base, words = served_archive
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            # From the header box of an ordinary page, as a reader would start.
            page.goto(base)
            for word, source in words.items():
                page.goto(base)
                page.fill("#site-search-q", word)
                page.press("#site-search-q", "Enter")
                page.wait_for_url(re.compile(r"/archive/search/\?q="))
                links = page.locator("#search-results a")
                links.first.wait_for(timeout=15000)
                hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
                slug = re.sub(r"^\d{4}-\d{2}-\d{2}-|(\.ru)?\.md$", "", source)
                # Stemming may add articles with other forms of the word; ours must be there.
                assert all(h.startswith("/archive/") for h in hrefs), hrefs
                found = [i for i, h in enumerate(hrefs) if h.rstrip("/").endswith(slug)]
                assert found, (word, slug, hrefs)
                item = page.locator("#search-results li").nth(found[0])
                assert item.locator("mark").count() >= 1
                assert re.search(r"\d{4}", item.locator(".meta").inner_text())
                # Following the result lands on the article.
                links.nth(found[0]).click()
                page.wait_for_load_state()
                assert page.locator("h1").count() == 1
            assert errors == []
        finally:
            browser.close()


def test_index_content_is_the_same_in_two_clean_builds(tmp_path: Path) -> None:
    project = copy_site("basic", tmp_path)
    entries = []
    for name in ("one", "two"):
        build(load_config(project, output_dir=name))
        entry = json.loads((project / name / "pagefind" / "pagefind-entry.json").read_text())
        entries.append({lang: index["page_count"] for lang, index in entry["languages"].items()})
        files = sorted(p.name for p in (project / name / "pagefind" / "index").iterdir())
        assert files  # one or more word-index chunks per language
    assert entries[0] == entries[1]
