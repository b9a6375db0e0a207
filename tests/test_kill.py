"""A build killed at any moment (SIGKILL) leaves a complete output, old or new.

A few hundred articles make a build last long enough to be killed while it parses,
while it renders into its staging folder, right after it swaps the folders, and
while it records the build and keeps the replaced one as the previous build. Each
kill is aimed by watching the folders.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import pytest

from .projects import tree, write_project

ARTICLES = 300

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")


def articles(version: str) -> dict[str, str]:
    """Return the content of one version of the archive; versions differ in every page."""
    return {
        f"content/2024/{n % 12 + 1:02d}/story-{n}.md":
            f"---\ntitle: Story {n} ({version})\ndate: 2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}\n"
            f"tags: [tag{n % 7}]\n---\n\n" + f"Paragraph {n} of version {version}.\n\n" * 40
        for n in range(ARTICLES)
    }


def start(project: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "site_builder", "build", "--project", str(project), *args],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes]) -> None:
    _, err = process.communicate()
    assert process.returncode == 0, err.decode()


def inode(path: Path) -> int:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:  # between the two renames of the fallback swap
        return -1


class Phases:
    """When, in seconds from its start, a build began staging and swapped."""

    def __init__(self, project: Path) -> None:
        before = inode(project / "output")
        staging = project / ".output.staging"
        began = time.monotonic()
        process = start(project)
        self.staging = self.swap = 0.0
        while process.poll() is None:
            now = time.monotonic() - began
            if not self.staging and staging.exists():
                self.staging = now
            if not self.swap and inode(project / "output") != before:
                self.swap = now
            time.sleep(0.001)
        finish(process)
        self.end = time.monotonic() - began


Moment = t.Callable[[float, float, int], bool]
"""(seconds since start, seconds since staging appeared or 0, output inode) -> kill now?"""


def kill_when(project: Path, moment: Moment) -> None:
    before = inode(project / "output")
    staging = project / ".output.staging"
    began = time.monotonic()
    staged_at = 0.0
    process = start(project)
    while process.poll() is None:
        now = time.monotonic()
        if not staged_at and staging.exists():
            staged_at = now
        if moment(now - began, now - staged_at if staged_at else 0.0,
                  inode(project / "output") - before):
            break
        time.sleep(0.0005)
    process.send_signal(signal.SIGKILL)
    process.communicate()


def test_killed_builds_leave_old_or_new_output_and_recover(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", articles("b"))
    finish(start(project, "--output", str(tmp_path / "clean-b")))
    write_project(project, articles("a"))
    finish(start(project, "--output", str(tmp_path / "clean-a")))
    expected = {"a": tree(tmp_path / "clean-a"), "b": tree(tmp_path / "clean-b")}
    assert expected["a"] != expected["b"]
    finish(start(project))
    write_project(project, articles("b"))
    phases = Phases(project)  # a full build, a to b, to aim the kills
    writing = max(phases.swap - phases.staging, 0.001)

    moments: dict[str, Moment] = {
        "while parsing": lambda now, staged, moved: now >= phases.staging / 2,
        "as staging begins": lambda now, staged, moved: staged > 0,
        "a tenth into writing": lambda now, staged, moved: staged >= writing * 0.1,
        "half-way through writing": lambda now, staged, moved: staged >= writing * 0.5,
        "near the end of writing": lambda now, staged, moved: staged >= writing * 0.95,
        "right after the swap": lambda now, staged, moved: moved != 0,
        "while finishing after the swap": lambda now, staged, moved: (
            moved != 0 and now >= phases.swap + (phases.end - phases.swap) * 0.3),
    }
    version = "b"
    interrupted = []
    for when, moment in moments.items():
        version = "a" if version == "b" else "b"
        write_project(project, articles(version))
        kill_when(project, moment)
        output = tree(project / "output")
        assert output in (expected["a"], expected["b"]), f"killed {when}"
        if (project / ".output.staging").exists():
            interrupted.append(when)

    # At least one kill landed mid-build, leaving work for the next build to clear up.
    assert interrupted

    finish(start(project))
    assert tree(project / "output") == expected[version]
    assert sorted(p.name for p in project.iterdir()) == [
        ".output.previous", ".site-builder-cache", "config.toml", "content", "output",
        "url-history.txt"]
