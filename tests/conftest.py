"""Shared fixtures: fixture sites, the shared corpus, golden-tree comparison."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import shutil
import typing as t
from pathlib import Path

import pytest

from site_builder.config import Config
from site_builder.model import Article, Body

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
PROJECT_ROOT = TESTS.parent
SHARED = Path(os.environ.get("SITE_BUILDER_SHARED", PROJECT_ROOT.parent / "shared"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/sites/*.expected from the current build")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def shared_dir(*parts: str) -> Path:
    """Return a folder of ``../shared``, skipping the test where it is absent (not in CI)."""
    path = SHARED.joinpath(*parts)
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing; CI always has ../shared")
        pytest.skip(f"{path} not found: ../shared is only present in the project workspace")
    return path


def seed_file() -> Path:
    """Return the seed article (scraped article text) from ``../shared/seeds``."""
    return shared_dir("seeds") / "000_eaae9e096d338780.txt"


def copy_site(name: str, tmp_path: Path) -> Path:
    """Copy fixture site ``tests/sites/<name>`` into ``tmp_path`` and return the copy."""
    dest = tmp_path / name
    shutil.copytree(SITES / name, dest)
    return dest


def make_config(project_dir: Path, **overrides: t.Any) -> Config:
    """Return a config for ``project_dir`` without reading any file."""
    values: dict[str, t.Any] = {"title": "Test", "base_url": "https://example.org/"}
    values.update(overrides)
    return Config(project_dir=project_dir, **values)


def make_article(**overrides: t.Any) -> Article:
    """Return an article with plausible defaults, changed by ``overrides``."""
    slug = overrides.get("slug", "story")
    date = overrides.get("date", dt.datetime(2024, 5, 2, 8, 0, tzinfo=dt.UTC))
    values: dict[str, t.Any] = {
        "src_path": f"content/{slug}.md",
        "title": "A story",
        "date": date,
        "slug": slug,
        "url": f"{date:%Y/%m/%d}/{slug}/",
        "html": "<p>Body.</p>",
        "summary": "Body.",
    }
    values.update(overrides)
    values["body"] = Body(values.pop("html"))
    return Article(**values)


def tree(root: Path, *, index: bool = False) -> dict[str, bytes]:
    """Return every file under ``root`` as {relative path: bytes}.

    The search index (``pagefind/``) is left out unless ``index`` is true: the tests of
    pages compare pages, and test_search.py compares the index's bytes.
    """
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and (index or not rel.startswith("pagefind/")):
            files[rel] = path.read_bytes()
    return files


def assert_same_tree(actual: Path, expected: Path) -> None:
    """Fail with a unified diff of the first differing file between two trees."""
    got, want = tree(actual), tree(expected)
    assert sorted(got) == sorted(want), "file lists differ"
    for name in sorted(want):
        if got[name] != want[name]:
            diff = difflib.unified_diff(
                want[name].decode(errors="replace").splitlines(),
                got[name].decode(errors="replace").splitlines(),
                f"expected/{name}", f"actual/{name}", lineterm="",
            )
            pytest.fail(f"{name} differs:\n" + "\n".join(list(diff)[:80]))
