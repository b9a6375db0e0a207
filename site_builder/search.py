"""Full-text search: index the staged build with Pagefind before it is swapped in.

Pagefind reads the built HTML (only elements marked ``data-pagefind-body``, so listings,
navigation and footers stay out) and writes a chunked index under ``pagefind/`` that the
browser fetches piece by piece; no server is needed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import Problem
from .output import link_or_copy

INDEX_DIR = "pagefind"
"""Folder of the search bundle inside the output."""
TIMEOUT = 1800
COMMAND_VARIABLE = "SITE_BUILDER_PAGEFIND"
"""Environment variable naming another Pagefind command (e.g. a system-wide binary)."""


def index_search(
    staging: Path, previous: Path, html_changed: bool
) -> tuple[list[str], list[str], list[Problem]]:
    """Write the search index into ``staging``; return (written, unchanged, problems).

    When no page changed, the previous index is reused as it is (hard links), so an
    unchanged archive is never re-indexed.
    """
    dest = staging / INDEX_DIR
    old = previous / INDEX_DIR
    if dest.exists():
        # A project file or route already claims the folder; never mix two bundles.
        return [], [], [Problem(INDEX_DIR, None, "search index not built: the output already "
                                "has a pagefind/ folder", level="warning")]
    if not html_changed and (old / "pagefind.js").is_file():
        unchanged = _link_tree(old, dest)
        return [], unchanged, []
    problem = _run_pagefind(staging)
    if problem is not None:
        shutil.rmtree(dest, ignore_errors=True)
        return [], [], [problem]
    written, unchanged = _relink_unchanged(dest, old)
    return written, unchanged, []


def _run_pagefind(site: Path) -> Problem | None:
    base = shlex.split(os.environ.get(COMMAND_VARIABLE, "")) or [sys.executable, "-m", "pagefind"]
    command = [*base, "--site", str(site), "--output-subdir", INDEX_DIR, "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                                check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return _cannot_run(str(exc))
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines()
        return _cannot_run(reason[-1] if reason else f"exit code {result.returncode}")
    return None


def _cannot_run(reason: str) -> Problem:
    return Problem("config.toml", None,
                   f"search disabled: Pagefind cannot run here ({reason}); "
                   "set search = false to silence this", level="warning")


def _link_tree(src: Path, dest: Path) -> list[str]:
    paths: list[str] = []
    for folder, _, names in os.walk(src):
        target = dest / Path(folder).relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            link_or_copy(Path(folder) / name, target / name)
            paths.append(f"{INDEX_DIR}/{(target / name).relative_to(dest).as_posix()}")
    return sorted(paths)


def _relink_unchanged(dest: Path, old: Path) -> tuple[list[str], list[str]]:
    """Replace new index files that equal the previous build's by hard links to them."""
    written: list[str] = []
    unchanged: list[str] = []
    for folder, _, names in os.walk(dest):
        for name in names:
            new = Path(folder) / name
            rel = new.relative_to(dest)
            before = old / rel
            shown = f"{INDEX_DIR}/{rel.as_posix()}"
            if before.is_file() and before.stat().st_size == new.stat().st_size \
                    and before.read_bytes() == new.read_bytes():
                new.unlink()
                link_or_copy(before, new)
                unchanged.append(shown)
            else:
                written.append(shown)
    return sorted(written), sorted(unchanged)
