"""The URL history: old URLs keep working, over HTTP, across builds."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import threading
import typing as t
import urllib.request
from pathlib import Path

import pytest

from site_builder import BuildError, load_config
from site_builder.build import BuildResult
from site_builder.cli import main
from site_builder.config import Config
from site_builder.history import HistoryEntry, format_history, parse_history
from site_builder.incremental.store import CACHE_DIR

from .conftest import build, copy_site, needs_pagefind

BUDGET = "content/2024/2024-05-10-budget.md"
FERRY = "content/2024/2024-05-20-ferry.md"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: t.Any) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve(output: Path, base_path: str) -> t.Iterator[str]:
    """Serve ``output`` at ``base_path`` on 127.0.0.1, as a static host would."""
    root = output.parent / "served"
    shutil.rmtree(root, ignore_errors=True)
    (root / base_path.strip("/")).parent.mkdir(parents=True, exist_ok=True)
    (root / base_path.strip("/")).symlink_to(output, target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return t.cast(bytes, response.read()).decode()


def follow(server: str, path: str) -> tuple[str, str]:
    """Fetch ``path`` and follow its meta refresh; return (final path, page text)."""
    text = fetch(server + path)
    refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', text)
    assert refresh, f"{path} is not a redirect page"
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', text)
    assert canonical and canonical.group(1) == "https://example.org" + refresh.group(1)
    assert '<meta name="robots" content="noindex">' in text
    return refresh.group(1), fetch(server + refresh.group(1))


def publish(config: Config, **options: t.Any) -> BuildResult:
    """Build as ``site-builder build`` does, recording the URL history."""
    return build(config, record_history=True, **options)


def set_slug(project: Path, src: str, slug: str) -> None:
    path = project / src
    text = re.sub(r"\nslug: .*", "", path.read_text())
    path.write_text(text.replace("\ntitle:", f"\nslug: {slug}\ntitle:", 1))


def test_slug_change_redirects_over_http_and_survives_later_builds(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    config = load_config(project)
    publish(config)
    set_slug(project, BUDGET, "council-budget")
    result = publish(config)
    assert result.redirects == 3  # the slug change and the two aliases of the fixture
    with serve(config.output_path, "/news/") as server:
        target, text = follow(server, "/news/2024/05/10/budget/")
        assert target == "/news/2024/05/10/council-budget/"
        assert "<h1>Council Passes the Budget</h1>" in text
        # Links to the old URL inside the archive were rewritten to the new one.
        strike = fetch(server + "/news/2024/05/02/strike/")
        assert 'href="/news/2024/05/10/council-budget/#numbers"' in strike
    redirects = (config.output_path / "_redirects").read_text()
    assert "/news/2024/05/10/budget/ /news/2024/05/10/council-budget/ 301\n" in redirects
    nginx = (config.output_path / "nginx-redirects.conf").read_text()
    assert '"/news/2024/05/10/budget/" "/news/2024/05/10/council-budget/";\n' in nginx

    publish(config)  # an unchanged rebuild keeps the redirect
    set_slug(project, BUDGET, "budget-2024")  # a second change: both old URLs lead to the new
    publish(config)
    with serve(config.output_path, "/news/") as server:
        for old in ("/news/2024/05/10/budget/", "/news/2024/05/10/council-budget/"):
            assert follow(server, old)[0] == "/news/2024/05/10/budget-2024/"
    history = (project / "url-history.txt").read_text()
    assert f"/2024/05/10/budget/\t{BUDGET}\thttps://wire.example/2024/05/budget\n" in history


def test_permalink_change_redirects_every_article(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    config = load_config(project)
    publish(config)
    changed = load_config(project, permalink="/{year}/{slug}/")
    result = publish(changed)
    assert result.redirects == 4 + 2
    assert (changed.output_path / "2024/05/20/ferry/index.html").read_text().count(
        'url=/news/2024/ferry/"') == 1


@needs_pagefind
def test_renamed_imported_file_is_followed_by_its_original_url(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    config = load_config(project)
    publish(config)
    (project / FERRY).rename(project / "content/2024/2024-05-20-island-ferry.md")
    result = publish(config)
    assert result.warnings == ()
    page = (config.output_path / "2024/05/20/ferry/index.html").read_text()
    assert 'url=/news/2024/05/20/island-ferry/"' in page


def test_aliases_make_redirect_pages(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    config = load_config(project)
    publish(config)
    for old in ("old/harbour-history/index.html", "2023/harbour-history.html"):
        page = (config.output_path / old).read_text()
        assert '<meta http-equiv="refresh" content="0; url=/news/2023/03/01/harbour-history/">' \
            in page
    # Dropping an alias later does not break it: the history remembers the URL.
    path = project / "content/2023/2023-03-01-harbour-history.md"
    path.write_text(re.sub(r"aliases:\n(  - .*\n)+", "", path.read_text()))
    publish(config)
    assert (config.output_path / "old/harbour-history/index.html").exists()


@pytest.mark.parametrize(("alias", "message"), [
    ("/2024/05/20/ferry/", "aliases: /2024/05/20/ferry/ is a page of the site already"),
    ("/old/../x/", "aliases: '/old/../x/' is not a usable URL path"),
    ("https://elsewhere.example/x/", "aliases: 'https://elsewhere.example/x/' is not under "
                                     "base_url https://example.org/news/"),
])
def test_bad_alias_is_located(tmp_path: Path, alias: str, message: str) -> None:
    project = copy_site("links", tmp_path)
    path = project / BUDGET
    path.write_text(path.read_text().replace("\nsource:", f"\naliases: ['{alias}']\nsource:"))
    with pytest.raises(BuildError) as info:
        publish(load_config(project))
    assert str(info.value).startswith(f"{BUDGET}:4: {message}")


def delete_budget(project: Path) -> None:
    """Delete the budget article and the links to it."""
    (project / BUDGET).unlink()
    for src in ("content/2024/2024-05-02-strike.md", FERRY):
        path = project / src
        path.write_text(re.sub(r"\[([^]]+)\]\([^)]*budget[^)]*\)", r"\1", path.read_text())
                        .replace("budget#numbers", "x").replace("wire.example/2024/05/budget",
                                                                "elsewhere.example/budget"))


@needs_pagefind
def test_deleted_article_warns_and_fails_with_strict(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    config = load_config(project)
    publish(config)
    delete_budget(project)
    with pytest.raises(BuildError) as info:
        publish(config, strict=True)
    line = (project / "url-history.txt").read_text().splitlines().index(
        f"/2024/05/10/budget/\t{BUDGET}\thttps://wire.example/2024/05/budget") + 1
    expected = (f"url-history.txt:{line}: warning: /2024/05/10/budget/ is no longer published: its "
                f"article {BUDGET} is gone. Restore it, add the URL to the 'aliases' of the "
                "article that replaces it, or retire it: 'site-builder history remove "
                "/2024/05/10/budget/' if it was deployed, 'history forget' instead if it never "
                "was")
    assert str(info.value) == expected
    result = publish(config)
    assert [str(p) for p in result.warnings] == [expected]
    assert not (config.output_path / "2024/05/10/budget").exists()

    history = project / "url-history.txt"
    history.write_text(history.read_text().replace(f"budget/\t{BUDGET}", "budget/\tremoved"))
    assert publish(config, strict=True).warnings == ()
    assert "/2024/05/10/budget/\tremoved\thttps://" in history.read_text()


def test_listing_page_that_went_away_redirects_to_its_parent(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    (project / "url-history.txt").write_text("/page/3/\t-\n")
    config = load_config(project)
    publish(config)
    page = (config.output_path / "page/3/index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=/news/">' in page


def test_history_is_written_only_by_a_build(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    history = project / "url-history.txt"
    assert main(["check", "--project", str(project)]) == 0
    assert not history.exists()
    assert main(["build", "--drafts", "--project", str(project)]) == 0
    assert not history.exists()  # a preview with drafts publishes nothing
    build(load_config(project))
    assert not history.exists()  # nor does a build that does not ask to (the preview server)
    assert main(["build", "--project", str(project)]) == 0
    lines = [line for line in history.read_text().splitlines() if not line.startswith("#")]
    assert lines == sorted(lines)
    assert lines[0] == "/\t-"
    assert f"/2024/05/20/ferry/\t{FERRY}\thttps://wire.example/2024/05/ferry" in lines
    assert sorted(p.name for p in project.iterdir()
                  if p.name not in (CACHE_DIR, ".output.previous")) == [
        "config.toml", "content", "output", "static", "url-history.txt"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert history.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary, committable file


def test_failed_build_leaves_history_alone(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    config = load_config(project)
    publish(config)
    before = (project / "url-history.txt").read_bytes()
    set_slug(project, BUDGET, "council-budget")
    path = project / "content/2024/2024-05-02-strike.md"
    path.write_text(path.read_text() + "\n[x](nowhere/)\n")
    with pytest.raises(BuildError):
        publish(config)
    assert (project / "url-history.txt").read_bytes() == before


def test_history_text_round_trips() -> None:
    entries = [HistoryEntry("", "-"), HistoryEntry("a b/", "content/a\tb.md", "https://x.example/")]
    parsed, problems = parse_history(format_history(entries) + "broken line\n")
    assert [HistoryEntry(e.url, e.source, e.original_url) for e in parsed.values()] == entries
    assert [str(p) for p in problems] == [
        "url-history.txt:8: expected URL, source and optional original_url separated by tabs"]


def test_history_lists_urls_whose_article_is_gone_and_retires_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("links", tmp_path)
    args = ["--project", str(project)]
    assert main(["history", *args]) == 0
    assert capsys.readouterr().out == (
        "Every URL of url-history.txt is still published or redirects.\n")
    assert main(["build", *args]) == 0
    delete_budget(project)
    capsys.readouterr()
    assert main(["history", *args]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"/2024/05/10/budget/\t{BUDGET}",
        "1 URL whose article is gone: 'site-builder history remove URL...' retires those that "
        "were deployed, 'site-builder history forget URL...' drops those that never were."]
    assert main(["build", *args]) == 0
    assert "site-builder history remove /2024/05/10/budget/" in capsys.readouterr().err

    # The warning's own command, run as it says, ends the warning.
    assert main(["history", "remove", "/2024/05/10/budget/", *args]) == 0
    assert capsys.readouterr().out == (
        "/2024/05/10/budget/\n1 URL marked removed in url-history.txt.\n")
    history = (project / "url-history.txt").read_text()
    assert "/2024/05/10/budget/\tremoved\thttps://wire.example/2024/05/budget\n" in history
    assert main(["history", *args]) == 0
    assert capsys.readouterr().out.startswith("Every URL")
    assert main(["build", "--strict", *args]) == 0
    assert "budget" not in capsys.readouterr().err


def test_history_forget_drops_a_url_that_never_went_live(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("links", tmp_path)
    args = ["--project", str(project)]
    assert main(["build", *args]) == 0
    delete_budget(project)
    # As the URL is shown, or as the published address under base_url.
    assert main(["history", "forget", "https://example.org/news/2024/05/10/budget/", *args]) == 0
    assert capsys.readouterr().out.endswith("1 URL dropped from url-history.txt.\n")
    assert "/2024/05/10/budget/" not in (project / "url-history.txt").read_text()
    assert main(["build", "--strict", *args]) == 0
    assert "budget" not in capsys.readouterr().err
    assert "/2024/05/10/budget/" not in (project / "url-history.txt").read_text()


def test_history_refuses_a_url_it_does_not_hold_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("links", tmp_path)
    args = ["--project", str(project)]
    assert main(["build", *args]) == 0
    before = (project / "url-history.txt").read_bytes()
    capsys.readouterr()
    assert main(["history", "remove", "/2024/05/10/budget/", "/no/such/", *args]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "url-history.txt: /no/such/ is not in the URL history ('site-builder history' lists "
        "the URLs to retire)", "history failed: 1 problem"]
    assert (project / "url-history.txt").read_bytes() == before
    assert main(["history", "remove", *args]) == 2
    with pytest.raises(SystemExit) as info:
        main(["history", "/2024/05/10/budget/", *args])
    assert info.value.code == 2
