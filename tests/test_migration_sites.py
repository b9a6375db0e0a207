"""Each generator's shared sample imported into a fresh project, built, and checked.

The issue's "done when": the import accounts for every source item, the build passes with
no hand edits, every old URL answers, no shortcode or template syntax is left as text,
and importing again changes no byte.
"""

from __future__ import annotations

import re
import typing as t
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from tests.conftest import shared_dir
from tests.projects import CONFIG, build, run, tree

# The search index stays on: the five builds take a few seconds together with it.

SOURCES: dict[str, tuple[str, ...]] = {
    "wordpress": ("wordpress", "themeunittestdata.wordpress.xml"),
    "jekyll": ("jekyll", "_posts"),
    "hugo": ("hugo", "content-management"),
    "zola": ("zola", "content"),
    "pelican": ("pelican",),
}

_SUMMARY = re.compile(r"^Imported from \w+: (?P<counts>.*?)(?: \((?P<why>.*)\))?\.$",
                      re.MULTILINE)
_COUNT = re.compile(r"(\d+) (articles|pages|drafts|assets|skipped)\b")
_LEFT_OVER = ("[caption", "[gallery", "{{<", "{{%", "{%", "{filename}")
_CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def _source(name: str) -> Path:
    migration = shared_dir("migration")
    path = migration.joinpath(*SOURCES[name])
    if not path.exists():
        pytest.skip(f"{path} not found in ../shared/migration")
    return path


def _expected_items(source: Path) -> int:
    """Return how many items (and comments, accounted one by one) the WXR holds, or how
    many files are under the folder."""
    if source.is_file():
        items = ElementTree.parse(source).getroot().findall("./channel/item")
        wp = "{https://wordpress.org/export/1.2/}"
        return len(items) + sum(len(item.findall(f"{wp}comment")) for item in items)
    return sum(1 for path in source.rglob("*") if path.is_file())


def _front_matter(path: Path) -> dict[str, t.Any]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}
    head = text[4:text.index("\n---\n", 4)]
    loaded = yaml.safe_load(head)
    return loaded if isinstance(loaded, dict) else {}


def _answers(output: Path, old_path: str) -> bool:
    """Return whether the built site serves ``old_path`` (a page or a redirect page)."""
    path = old_path.strip("/")
    if not path:
        return (output / "index.html").is_file()
    candidates = [output / path] if path.endswith((".html", ".htm")) else []
    candidates += [output / path / "index.html", output / f"{path}.html"]
    return any(c.is_file() for c in candidates)


def _text_outside_code(html: str) -> str:
    # Inside <pre> and <code> a page shows code as code: the Hugo docs document their
    # own shortcodes ({{< figure >}}) in code blocks, the Jekyll posts show Liquid kept
    # by {% raw %}, and Zola's unconverted shortcodes are kept as code on purpose. Only
    # the running text must be free of the old generator's syntax.
    return _TAG.sub(" ", _CODE.sub(" ", html))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> t.Callable[[str], tuple[
        Path, str, str]]:
    done: dict[str, tuple[Path, str, str]] = {}

    def import_once(name: str) -> tuple[Path, str, str]:
        if name not in done:
            source = _source(name)
            project = tmp_path_factory.mktemp(name)
            (project / "config.toml").write_text(CONFIG, encoding="utf-8")
            code, out, err = run("import", "--project", str(project), "--from", name,
                                 str(source))
            assert code == 0, err
            done[name] = (project, out, err)
        return done[name]

    return import_once


@pytest.mark.parametrize("name", list(SOURCES))
def test_summary_accounts_for_every_item(name: str, imported: t.Callable[[str], tuple[
        Path, str, str]]) -> None:
    _project, out, _err = imported(name)
    match = _SUMMARY.search(out)
    assert match is not None, out
    counts = {kind: int(n) for n, kind in _COUNT.findall(match.group("counts"))}
    assert sum(counts.values()) == _expected_items(_source(name)), match.group(0)


@pytest.mark.parametrize("name", list(SOURCES))
def test_builds_answers_old_urls_and_leaves_no_syntax(
        name: str, imported: t.Callable[[str], tuple[Path, str, str]]) -> None:
    project, _out, _err = imported(name)
    code, _bout, berr = build(project)
    assert code == 0, berr
    output = project / "output"
    missing = []
    articles = [p for p in (project / "content").rglob("*.md")]
    assert articles
    for path in articles:
        meta = _front_matter(path)
        if meta.get("draft"):
            continue  # a draft is not published, here as on the old site
        old = [meta["url"]] if isinstance(meta.get("url"), str) else []
        old += [a for a in meta.get("aliases") or [] if isinstance(a, str)]
        missing += [f"{path.name}: {p}" for p in old if not _answers(output, p)]
    assert not missing
    left = []
    for page in output.rglob("*.html"):
        text = _text_outside_code(page.read_text(encoding="utf-8"))
        left += [f"{page.relative_to(output)}: {s}" for s in _LEFT_OVER if s in text]
    assert not left


@pytest.mark.parametrize("name", list(SOURCES))
def test_old_paths_of_the_reader_answer(
        name: str, imported: t.Callable[[str], tuple[Path, str, str]]) -> None:
    """Every old path the reader computes is served: as url, alias or our own permalink."""
    from site_builder.config import load_config
    from site_builder.importers import hugo, jekyll, pelican, wordpress, zola

    project, _out, _err = imported(name)
    if not (project / "output").is_dir():
        assert build(project)[0] == 0
    readers = {"wordpress": wordpress, "jekyll": jekyll, "hugo": hugo, "zola": zola,
               "pelican": pelican}
    result = readers[name].read_site(_source(name), load_config(project))
    old = {a.old_path for a in result.all_articles() if a.old_path is not None and not a.draft}
    # An old path the build cannot serve as a page (a .text file) was warned about at
    # import and the article served at our own URL: not claimed to answer.
    old = {p for p in old if not re.search(r"\.(?!html?$)\w+$", p)}
    assert old
    assert sorted(p for p in old if not _answers(project / "output", p)) == []


@pytest.mark.parametrize("name", list(SOURCES))
def test_importing_again_changes_no_byte(
        name: str, imported: t.Callable[[str], tuple[Path, str, str]]) -> None:
    project, _out, _err = imported(name)
    before = tree(project / "content"), (project / "config.toml").read_bytes()
    code, _o, err = run("import", "--project", str(project), "--from", name,
                        str(_source(name)))
    assert code == 0, err
    assert (tree(project / "content"), (project / "config.toml").read_bytes()) == before
