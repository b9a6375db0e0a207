"""Full-text search: the sharded Pagefind index in the build, and the search page in a
real browser."""

from __future__ import annotations

import collections
import datetime as dt
import functools
import gzip
import http.server
import json
import random
import re
import shlex
import shutil
import socket
import sys
import threading
import typing as t
from pathlib import Path

import pytest

from site_builder import load_config, search
from site_builder.content import split_front_matter
from site_builder.incremental.store import CACHE_DIR
from site_builder.search import PAGES_SHARD, plan_shards

from .conftest import SITES, build, copy_site, require_pagefind, shared_dir, tree, unavailable
from .test_incremental import CHANGES, FERRY

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def test_index_is_built_and_reused_when_no_page_changed(tmp_path: Path, pagefind: None) -> None:
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


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut languages of more than 4 articles into groups of years of at most 4 articles
    (months for a year of more than 4).

    The basic site's shards then are en_2023, en_2024-05, en_2024-06, en_2024-07 and ru.
    """
    monkeypatch.setattr(search, "SPLIT_ABOVE", 4)


BASIC_SHARDS = ["en_2023", "en_2024-05", "en_2024-06", "en_2024-07", "ru"]


def test_only_article_bodies_are_indexed(tmp_path: Path, pagefind: None) -> None:
    project = copy_site("basic", tmp_path)
    build(load_config(project))
    bundle = project / "output" / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    counts = {lang: index["page_count"] for lang, index in entry["languages"].items()}
    assert counts == {"en": 13, "ru": 1}  # 14 articles; listings and search page left out
    listing = json.loads((bundle / "shards.json").read_text())
    assert [(s["name"], s["languages"]) for s in listing["shards"]] == [
        ("en", {"en": 13}), ("ru", {"ru": 1})]
    for shard in ("en", "ru"):
        assert (bundle / shard / "pagefind-entry.json").is_file()
        assert list((bundle / shard / "index").iterdir())


def test_busy_languages_and_years_are_split(
    tmp_path: Path, small_shards: None, pagefind: None
) -> None:
    project = copy_site("basic", tmp_path)
    build(load_config(project))
    listing = json.loads((project / "output" / "pagefind" / "shards.json").read_text())
    assert [(s["name"], s["languages"]) for s in listing["shards"]] == [
        ("en_2023", {"en": 1}), ("en_2024-05", {"en": 4}), ("en_2024-06", {"en": 3}),
        ("en_2024-07", {"en": 5}), ("ru", {"ru": 1})]


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


def test_search_tests_skip_without_pagefind_but_fail_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    # A command that answers --version counts as Pagefind: nothing is skipped.
    monkeypatch.setenv("SITE_BUILDER_PAGEFIND", shlex.join(
        [sys.executable, "-c", "print('pagefind 1.5.2')"]))
    require_pagefind()
    missing = tmp_path / "no-such-pagefind"
    monkeypatch.setenv("SITE_BUILDER_PAGEFIND", str(missing))
    reason = (f"needs Pagefind (pip install 'pagefind[bin]'): Pagefind cannot run here "
              f"([Errno 2] No such file or directory: '{missing}')")
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_pagefind()
    assert skipped.value.msg == reason
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        require_pagefind()
    assert failed.value.msg == (
        f"Pagefind cannot run here ([Errno 2] No such file or directory: '{missing}'); CI "
        "installs pagefind[bin] and must run the search tests")


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
def served_archive(
    tmp_path: Path, pagefind: None
) -> t.Iterator[tuple[str, dict[str, str]]]:
    """Build the basic site plus Russian corpus articles, served under /archive/.

    Yield the base URL and {word: source file} for words found in one article only.
    """
    if not CHROMIUM.exists():
        unavailable("browser tests need Debian's chromium at /usr/bin/chromium",
                    in_ci="Debian chromium is missing; .ci/run installs it")
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
    small_shards: None, served_archive: tuple[str, dict[str, str]],
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


def _word_of_two_years() -> tuple[str, set[str], set[str]]:
    """Return a word of both a 2023 and a 2024 English article of the basic site (two
    shards with :func:`small_shards`), with the slugs of each year's articles holding it."""
    years: dict[str, dict[str, set[str]]] = collections.defaultdict(
        lambda: collections.defaultdict(set))
    for path in (SITES / "basic" / "content").rglob("*.md"):
        if "draft" in path.name or path.name.endswith(".ru.md"):
            continue
        slug = re.sub(r"^\d{4}-\d{2}-\d{2}-|\.md$", "", path.name)
        for word in re.findall(r"\b[a-z]{6,}\b", _body(path).lower()):
            years[word][path.name[:4]].add(slug)
    word = min(w for w, by_year in years.items() if set(by_year) == {"2023", "2024"}
               and sum(len(slugs) for slugs in by_year.values()) <= 6)
    return word, years[word]["2023"], years[word]["2024"]


def test_one_query_searches_every_shard_in_chromium(
    small_shards: None, served_archive: tuple[str, dict[str, str]],
) -> None:
    from playwright.sync_api import sync_playwright

    base, _ = served_archive
    word, of_2023, of_2024 = _word_of_two_years()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(base + "search/")
            # By keyboard alone: type into the box, then Tab past the button to the results.
            page.locator("#search-query").focus()
            page.keyboard.type(word)
            links = page.locator("#search-results a")
            links.first.wait_for(timeout=15000)
            hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
            found = {h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs}
            assert of_2023 <= found and of_2024 <= found, (word, hrefs)
            assert any("/2023/" in h for h in hrefs) and any("/2024/" in h for h in hrefs)
            assert word in page.locator("#search-status").inner_text()
            page.keyboard.press("Tab")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.getAttribute('href')") == hrefs[0]
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(re.escape(hrefs[0]) + "$"))
            assert page.locator("h1").count() == 1
            assert errors == []
        finally:
            browser.close()


def test_two_clean_builds_write_the_same_index_bytes(tmp_path: Path, pagefind: None) -> None:
    project = copy_site("basic", tmp_path)
    trees = []
    for name in ("one", "two", "three"):
        build(load_config(project, output_dir=name))
        trees.append(tree(project / name, index=True))
    assert any(p.startswith("pagefind/en/filter/") for p in trees[0])
    assert trees[0] == trees[1] == trees[2]
    # Pagefind writes filter values in hash-map order; ours are sorted.
    for path, data in trees[0].items():
        if path.endswith(".pf_filter"):
            values, _ = search._cbor_decode(gzip.decompress(data), 12)
            assert isinstance(values, list) and isinstance(values[1], list)
            names = [str(value[0]) for value in values[1] if isinstance(value, list)]
            assert names == sorted(names), path


def assert_index_matches_clean(project: Path) -> None:
    """Build ``project`` from scratch elsewhere; compare every file, the index included."""
    fresh = project.with_name(project.name + "-fresh")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns(CACHE_DIR, "output"))
    build(load_config(fresh), clean=True)
    got, want = tree(project / "output", index=True), tree(fresh / "output", index=True)
    assert sorted(got) == sorted(want)
    assert [p for p in want if got[p] != want[p]] == []


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch, pagefind: None) -> list[str]:
    """Record the shards Pagefind runs on, in the order the build asks."""
    names: list[str] = []
    run = search._run_pagefind

    def recording(command: list[str], folder: Path) -> object:
        names.append(folder.name)
        return run(command, folder)

    monkeypatch.setattr(search, "_run_pagefind", recording)
    return names


def _tags(out: Path) -> dict[str, str]:
    listing = json.loads((out / "pagefind" / "shards.json").read_text())
    return {"": listing["tag"], **{s["name"]: s["tag"] for s in listing["shards"]}}


REINDEXED = {
    "edit body": ["en_2024-05"], "edit title": ["en_2024-05", "en_2024-06"],
    "add": ["en_2024-06"], "delete": ["en_2023_2024-05", "en_2024-06"],
    "rename": ["en_2024-05", "en_2024-06"], "config edit": [],
    "template edit": BASIC_SHARDS, "drafts": ["en_2024-05", "en_2024-06"],
}
"""The shards each change re-indexes: those holding an article page it changes (the
ferry's neighbours by date, in May and June, show its title). Without the ferry, May
has room for 2023's one article: the two make one shard."""


@pytest.mark.parametrize("change", list(REINDEXED))
def test_incremental_index_equals_clean_index(
    change: str, tmp_path: Path, indexed: list[str], small_shards: None
) -> None:
    project = copy_site("basic", tmp_path)
    build(load_config(project))
    assert sorted(indexed) == BASIC_SHARDS
    indexed.clear()
    CHANGES[change](project)
    build(load_config(project))
    assert sorted(indexed) == REINDEXED[change]
    assert_index_matches_clean(project)


def test_edit_reindexes_only_the_shard_of_the_article(
    tmp_path: Path, indexed: list[str], small_shards: None
) -> None:
    project = copy_site("basic", tmp_path)
    build(load_config(project))
    out = project / "output"
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    tags = _tags(out)
    indexed.clear()
    path = project / FERRY
    path.write_text(path.read_text() + "\nA late correction to the timetable.\n")
    result = build(load_config(project))
    assert indexed == ["en_2024-05"]
    # Entry files are fetched under a tag that changes with them, and only then.
    assert [name for name, tag in _tags(out).items() if tags[name] != tag] == ["en_2024-05"]
    ours = [p for p in result.written if p.startswith("pagefind/")]
    assert ours and all(p.startswith(("pagefind/en_2024-05/", "pagefind/shards.json"))
                        for p in ours)
    for file in (out / "pagefind").rglob("*"):
        if file.is_file() and "en_2024-05" not in file.parts and file.name != "shards.json":
            assert (file.stat().st_ino, file.stat().st_mtime_ns) == before[file], file
    # A change to listings alone re-indexes nothing.
    indexed.clear()
    config = project / "config.toml"
    config.write_text(config.read_text().replace("per_page = 3", "per_page = 2"))
    result = build(load_config(project))
    assert indexed == []
    assert not [p for p in result.written if p.startswith("pagefind/")]
    assert_index_matches_clean(project)


def test_an_index_it_cannot_trust_is_rebuilt_whole(tmp_path: Path, indexed: list[str]) -> None:
    project = copy_site("basic", tmp_path)
    build(load_config(project))
    listing = project / "output" / "pagefind" / "shards.json"
    listing.write_text(listing.read_text().replace('"pagefind 1.', '"pagefind 0.'))
    indexed.clear()
    path = project / FERRY
    path.write_text(path.read_text() + "\nA late correction to the timetable.\n")
    build(load_config(project))
    assert sorted(indexed) == ["en", "ru"]
    assert_index_matches_clean(project)


def test_other_pages_marked_for_search_get_a_shard_of_their_own(
    tmp_path: Path, indexed: list[str]
) -> None:
    project = copy_site("basic", tmp_path)
    about = project / "static" / "about.html"
    about.write_text('<!doctype html><html lang="en"><head><title>About</title></head><body>'
                     "<main data-pagefind-body><h1>About the Gazette</h1>"
                     "<p>Printed weekly since 1921 on the quay.</p></main></body></html>\n")
    (project / "static" / "unmarked.html").write_text(
        '<!doctype html><html lang="en"><head><title>Plain</title></head><body>'
        "<p>Not for the index.</p></body></html>\n")
    build(load_config(project))
    bundle = project / "output" / "pagefind"
    listing = json.loads((bundle / "shards.json").read_text())
    shards = {s["name"]: s for s in listing["shards"]}
    assert sorted(shards) == ["en", PAGES_SHARD, "ru"]
    assert shards[PAGES_SHARD]["paths"] == ["about.html"]
    assert shards[PAGES_SHARD]["languages"] == {"en": 1}
    assert_index_matches_clean(project)
    # An unmarked page changing re-indexes nothing; the marked one losing its mark
    # empties the shard.
    indexed.clear()
    (project / "static" / "unmarked.html").write_text("<p>Still plain.</p>\n")
    build(load_config(project))
    assert indexed == []
    about.write_text(about.read_text().replace(" data-pagefind-body", ""))
    build(load_config(project))
    listing = json.loads((bundle / "shards.json").read_text())
    assert [s["name"] for s in listing["shards"]] == ["en", "ru"]
    assert not (bundle / PAGES_SHARD).exists()
    assert_index_matches_clean(project)


def test_shards_group_the_years_of_a_language(small_shards: None) -> None:
    def at(year: int, month: int) -> dt.datetime:
        return dt.datetime(year, month, 15, 12, tzinfo=dt.UTC)

    counts = {(2019, 1): 1, (2020, 5): 2, (2021, 2): 1,  # three small years: one shard
              (2022, 1): 2, (2022, 2): 3,  # a year of more than 4: its months
              (2023, 3): 6,  # a month of more than 4 stays whole
              (2024, 6): 1}
    items = [(f"{y}/{m}/{i}/index.html", at(y, m), "en")
             for (y, m), n in counts.items() for i in range(n)]
    items += [("ru/1/index.html", at(2000, 1), "ru"), ("ru/2/index.html", at(2010, 1), "ru"),
              ("tw/index.html", at(2020, 1), "zh_TW")]
    plan = plan_shards(items, ["tags/index.html", "about/index.html"])
    assert {name: len(paths) for name, paths in plan.items()} == {
        "en_2019_2021": 4, "en_2022-01": 2, "en_2022-02": 3, "en_2023-03": 6, "en_2024": 1,
        PAGES_SHARD: 2, "ru": 2, "zh-tw": 1}
    assert list(plan) == sorted(plan)
    assert plan[PAGES_SHARD] == ("about/index.html", "tags/index.html")
    assert all(list(paths) == sorted(paths) for paths in plan.values())
    shuffled = list(items)
    random.Random(7).shuffle(shuffled)
    assert plan_shards(shuffled, ["about/index.html", "tags/index.html"]) == plan
    # A new article of the newest year changes that year's shard alone.
    grown = plan_shards([*items, ("2024/6/new/index.html", at(2024, 6), "en")],
                        ["about/index.html", "tags/index.html"])
    assert [name for name in plan if grown[name] != plan[name]] == ["en_2024"]
    # The date's own year, as in its URL, even where UTC is already the next year.
    late = dt.datetime(2023, 12, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert plan_shards([("a/index.html", late, "en"), *items[:4]])["en_2023"] == (
        "a/index.html",)
    assert plan_shards([]) == {}
