"""Golden-site tests: build each fixture site and compare with its committed tree.

Regenerate the expected trees with ``pytest tests/test_golden.py --update-golden``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder import load_config

from .conftest import SITES, assert_same_tree, build, copy_site

GOLDEN_SITES = ["basic", "overrides", "links", "sections", "newsroom", "photos"]


@pytest.mark.parametrize("name", GOLDEN_SITES)
def test_site_matches_golden_tree(name: str, tmp_path: Path, update_golden: bool) -> None:
    project = copy_site(name, tmp_path)
    out = tmp_path / "out"
    config = load_config(project, output_dir=str(out))
    build(config)
    # The search index is Pagefind's binary output, which a Pagefind upgrade changes;
    # test_search.py checks its bytes.
    shutil.rmtree(out / "pagefind", ignore_errors=True)
    expected = SITES / f"{name}.expected"
    if update_golden:
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(out, expected)
    assert_same_tree(out, expected)
