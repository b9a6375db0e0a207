"""Shared fixtures: fixture sites, the shared corpus, golden-tree comparison."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import shutil
import typing as t
from pathlib import Path

import pytest

from site_builder import build as _build
from site_builder import search
from site_builder.build import BuildResult
from site_builder.config import Config
from site_builder.model import Article, Body
from site_builder.options import BuildOptions

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


def unavailable(reason: str, *, in_ci: str) -> t.NoReturn:
    """Skip the test because ``reason``; with ``CI=true`` fail with ``in_ci`` instead.

    CI has everything the suite needs, so a skip there would hide a test that never ran.
    """
    if os.environ.get("CI") == "true":
        pytest.fail(in_ci)
    pytest.skip(reason)


def shared_dir(*parts: str) -> Path:
    """Return a folder of ``../shared``, skipping the test where it is absent (not in CI)."""
    path = SHARED.joinpath(*parts)
    if not path.is_dir():
        unavailable(f"{path} not found: ../shared is only present in the project workspace",
                    in_ci=f"{path} is missing; CI always has ../shared")
    return path


@functools.cache
def _pagefind_problem(command: tuple[str, ...]) -> str | None:
    # The build's own check (``pagefind --version``), run once per command and session.
    version = search._version(list(command))
    if isinstance(version, str):
        return None
    return version.message.removeprefix("search disabled: ").split("; set search", 1)[0]


def require_pagefind() -> None:
    """Skip the test where the build cannot run Pagefind; fail in CI.

    Pagefind comes with the ``pagefind[bin]`` package (or ``$SITE_BUILDER_PAGEFIND``).
    Without it a build with search on writes no index and warns that search is off.
    """
    problem = _pagefind_problem(tuple(search._command()))
    if problem is not None:
        unavailable(f"needs Pagefind (pip install 'pagefind[bin]'): {problem}",
                    in_ci=f"{problem}; CI installs pagefind[bin] and must run the search tests")


@pytest.fixture
def pagefind() -> None:
    """Skip the test where the build cannot run Pagefind (see :func:`require_pagefind`)."""
    require_pagefind()


needs_pagefind = pytest.mark.usefixtures("pagefind")
"""Mark for tests that build with search on and expect no warning: without Pagefind the
build warns that search is off (test_search.py asks for the fixture itself)."""


def seed_file() -> Path:
    """Return the seed article (scraped article text) from ``../shared/seeds``."""
    return shared_dir("seeds") / "000_eaae9e096d338780.txt"


def copy_site(name: str, tmp_path: Path) -> Path:
    """Copy fixture site ``tests/sites/<name>`` into ``tmp_path`` and return the copy."""
    dest = tmp_path / name
    shutil.copytree(SITES / name, dest)
    return dest


def build(config: Config, options: BuildOptions | None = None, **flags: t.Any) -> BuildResult:
    """Run :func:`site_builder.build` in this process alone, unless ``jobs`` is given.

    The sites tests build are small: forking a pool of workers for their pages costs
    more than it saves, and the suite shares the machine's cores with itself. Tests
    about the pool pass ``jobs`` (or options with it) themselves.
    """
    if "jobs" not in flags and (options is None or options.jobs is None):
        flags["jobs"] = 1
    return _build(config, options, **flags)


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
