"""Link checking of whole builds: located reports, warn mode, templates, orphans."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder import BuildError, load_config
from site_builder.cli import main
from site_builder.linkcheck import SiteFiles, scan_page

from .conftest import build, copy_site, needs_pagefind, tree

STRIKE = "content/2024/2024-05-02-strike.md"
FERRY = "content/2024/2024-05-20-ferry.md"


def append(project: Path, src: str, text: str) -> int:
    """Append ``text`` to a source file; return the line it starts on."""
    path = project / src
    before = path.read_text()
    path.write_text(before + text)
    return before.count("\n") + 1


def page(project: Path, url: str) -> str:
    return (project / "output" / url / "index.html").read_text()


@needs_pagefind
def test_cross_links_resolve_in_the_built_pages(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    result = build(load_config(project))
    assert result.warnings == ()
    assert result.links is not None and result.links.checked > 50
    strike = page(project, "2024/05/02/strike")
    for href in [
        "/news/2023/03/01/harbour-history/",  # [..](../2023/...md)
        "/news/2023/03/01/harbour-history/#early-years",  # [..](../2023/...md#early-years)
        "/news/2024/05/20/ferry/",  # https://wire.example/2024/05/ferry/ is our ferry article
        "/news/2024/05/10/budget/#numbers",  # http://www.wire.example/...#numbers
    ]:
        assert f'<a href="{href}">' in strike, href
    ferry = page(project, "2024/05/20/ferry")
    for href in [
        "/news/2024/05/10/budget/#numbers",  # root-relative, held by the archive
        "https://wire.example/2024/05/timetable.pdf",  # relative, not in the archive
        "https://wire.example/about/",  # root-relative, not in the archive
        "#the-route",  # the wire's heading id, spelled as ours
        "/news/images/harbour.svg",  # a file of this archive
    ]:
        assert f'<a href="{href}">' in ferry, href
    assert '<img alt="The new ferry" src="https://wire.example/images/ferry.jpg">' in ferry


def test_broken_link_fails_with_file_and_line(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    config = load_config(project)
    build(config)
    before = tree(config.output_path)
    line = append(project, STRIKE, "\nAnd [a lost page](../2024/05/30/lost/) too.\n") + 1
    with pytest.raises(BuildError) as info:
        build(config)
    assert str(info.value) == f"{STRIKE}:{line}: broken link '../2024/05/30/lost/'"
    assert tree(config.output_path) == before


def test_missing_anchor_is_reported_as_written(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    line = append(project, STRIKE, "\n[Later](../2023/2023-03-01-harbour-history.md#late-years)"
                                   " and [here](#nowhere).\n") + 1
    with pytest.raises(BuildError) as info:
        build(load_config(project))
    assert str(info.value).splitlines() == [
        f"{STRIKE}:{line}: broken link '#nowhere' (no element with id 'nowhere' on this page)",
        f"{STRIKE}:{line}: broken link '../2023/2023-03-01-harbour-history.md#late-years' "
        "(no element with id 'late-years' on /2023/03/01/harbour-history/)",
    ]


def test_link_to_a_missing_source_file_fails(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    line = append(project, STRIKE, "\nSee [the report](report.md).\n") + 1
    with pytest.raises(BuildError) as info:
        build(load_config(project))
    assert str(info.value) == (f"{STRIKE}:{line}: broken link 'report.md' "
                               "(no article at content/2024/report.md)")


@needs_pagefind
def test_warn_mode_builds_and_reports(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    with (project / "config.toml").open("a") as handle:
        handle.write('link_check = "warn"\n')
    line = append(project, STRIKE, "\n[Lost](/news/lost/) and [gone](gone.md).\n") + 1
    config = load_config(project)
    result = build(config)
    assert [str(p) for p in result.warnings] == [
        f"{STRIKE}:{line}: warning: broken link '/news/lost/'",
        f"{STRIKE}:{line}: warning: broken link 'gone.md' (no article at content/2024/gone.md)",
    ]
    assert (config.output_path / "2024/05/02/strike/index.html").exists()
    with pytest.raises(BuildError):
        build(config, strict=True)


@needs_pagefind
def test_imported_text_with_a_broken_anchor_warns(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    line = append(project, FERRY, "\nSee [the map](#map).\n") + 1
    config = load_config(project)
    result = build(config)
    assert [str(p) for p in result.warnings] == [
        f"{FERRY}:{line}: warning: broken link '#map' (no element with id 'map' on this page) "
        "in imported text"]
    with pytest.raises(BuildError):
        build(config, strict=True)


def test_broken_template_link_names_the_template(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    (project / "templates").mkdir()
    (project / "templates" / "article.html").write_text(
        '{% extends "default/article.html" %}\n'
        '{% block nav %}<nav aria-label="Site"><a href="{{ url(\'topics/\') }}">Topics</a>'
        '<a href="#nav-end">skip</a></nav>{% endblock %}\n')
    with pytest.raises(BuildError) as info:
        build(load_config(project))
    assert str(info.value).splitlines() == [
        "templates/article.html: broken link '#nav-end' (no element with id 'nav-end' on this "
        "page) on 4 pages, first /2023/03/01/harbour-history/",
        "templates/article.html: broken link '/news/topics/' on 4 pages, "
        "first /2023/03/01/harbour-history/",
    ]


def test_absolute_links_under_base_url_are_checked(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    line = append(project, STRIKE, "\n[Here](https://example.org/news/2024/05/02/strik/) "
                                   "[there](https://example.org/other/).\n") + 1
    with pytest.raises(BuildError) as info:
        build(load_config(project))
    assert str(info.value).splitlines() == [
        f"{STRIKE}:{line}: broken link 'https://example.org/news/2024/05/02/strik/'"]


def test_static_html_is_checked_too(tmp_path: Path) -> None:
    project = copy_site("links", tmp_path)
    (project / "static" / "about.html").write_text('<p><a href="missing.html">x</a></p>\n')
    with pytest.raises(BuildError) as info:
        build(load_config(project))
    assert str(info.value) == "static/about.html: broken link 'missing.html'"


def test_check_lists_external_links_with_their_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("links", tmp_path)
    assert main(["check", "--external", "--project", str(project)]) == 0
    out = capsys.readouterr().out
    assert "https://wire.example/about/\n    /2024/05/20/ferry/\n" in out
    assert "https://elsewhere.example/strike\n    /2024/05/02/strike/\n" in out
    assert "7 external links." in out
    assert not (project / "output").exists()


def test_check_reports_orphans(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_site("links", tmp_path)
    assert main(["check", "--orphans", "--project", str(project)]) == 0
    out = capsys.readouterr().out
    assert "info: content/2024/2024-05-02-strike.md: no other article links here" in out
    assert "info: 1 article is not linked from any other article." in out

    (project / "templates").mkdir()
    (project / "templates" / "index.html").write_text(
        '{% extends "default/index.html" %}\n'
        # Without the header's links the archive, term and search pages are out of reach.
        '{% block nav %}{% endblock %}{% block search %}{% endblock %}\n'
        '{% block main %}<h1>Latest</h1><a href="{{ url(page.items[0].url) }}">x</a>'
        '{% endblock %}\n')
    assert main(["check", "--project", str(project)]) == 1
    err = capsys.readouterr().err
    assert "content/2023/2023-03-01-harbour-history.md: no listing page reaches this article" in err
    assert "content/2024/2024-05-20-ferry.md: no listing page" not in err  # first on the list


def test_scan_page_judges_each_kind_of_link() -> None:
    files = SiteFiles(frozenset({"index.html", "a/index.html", "a/pic.png", "b.html"}),
                      "https://example.org/news/", "/news/")
    text = ('<main id="top-of-page"><a href="#top-of-page">1</a><a href="#gone">2</a>'
            '<a href="../a/">3</a><a href="/news/a">4</a><a href="pic.png#x">5</a>'
            '<a href="/news/b.html#intro">6</a><a href="/elsewhere/">7</a>'
            '<a href="https://example.org/news/missing/">8</a><a href="http://[::1/x">9</a>'
            '<a href="https://other.example/">10</a><a href="mailto:a@b.c">11</a>'
            '<img src="pic.png" srcset="pic.png 1x, big.png 2x" alt=""></main>')
    scan = scan_page("a/index.html", "a/", text, files, keep_targets=True, keep_external=True)
    assert scan.broken == (
        ("#gone", "no element with id 'gone' on this page"),
        ("/elsewhere/", "outside the site's base URL"),
        ("https://example.org/news/missing/", ""),
        ("big.png", ""),
    )
    assert scan.anchored == (("/news/b.html#intro", "b.html", "intro"),)
    assert scan.external == ("http://[::1/x", "https://other.example/")
    assert scan.checked == 11
    assert scan.targets == ("a/index.html", "a/pic.png", "b.html")


HINT = ('all broken links in the content: link_check = "warn" in config.toml reports '
        "them as warnings and builds")


def test_a_build_failing_only_on_content_links_ends_naming_warn_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("links", tmp_path)
    args = ["build", "--project", str(project)]
    line = append(project, STRIKE, "\nAnd [a lost page](../2024/05/30/lost/) too.\n") + 1
    assert main(args) == 1
    # The last lines: a slow machine may show the progress of the stages before them.
    assert capsys.readouterr().err.splitlines()[-2:] == [
        f"{STRIKE}:{line}: broken link '../2024/05/30/lost/'", f"build failed: 1 problem, {HINT}"]
    # With --strict, warn mode would still fail: no such advice.
    assert main([*args, "--strict"]) == 1
    assert HINT not in capsys.readouterr().err
    config = project / "config.toml"
    config.write_text(config.read_text() + 'link_check = "warn"\n')
    assert main(args) == 0


def test_a_broken_template_link_gets_no_warn_mode_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_site("links", tmp_path)
    (project / "templates").mkdir()
    (project / "templates" / "article.html").write_text(
        '{% extends "default/article.html" %}\n'
        '{% block nav %}<nav aria-label="Site"><a href="#nav-end">skip</a></nav>{% endblock %}\n')
    append(project, STRIKE, "\nAnd [a lost page](../2024/05/30/lost/) too.\n")
    assert main(["build", "--project", str(project)]) == 1
    err = capsys.readouterr().err
    assert "templates/article.html: broken link '#nav-end'" in err
    assert err.splitlines()[-1] == "build failed: 2 problems"
