"""Ctrl-C in the middle of ``build`` and ``serve``: one line, no traceback, no worker left.

The commands run as real processes, each leading a process group of its own, on an
archive big enough that the signal arrives while worker processes are parsing or
rendering. A terminal's Ctrl-C signals the whole group; ``kill -INT`` only the command.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .projects import write_project
from .serving import WAIT

ARTICLES = 300

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="processes are found through /proc")


def archive(root: Path) -> Path:
    """Write an archive that takes seconds to build, so workers are busy when signalled."""
    return write_project(root, {
        f"content/2024/{n % 12 + 1:02d}/story-{n}.md":
            f"---\ntitle: Story {n}\ndate: 2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}\n"
            f"tags: [tag{n % 7}]\n---\n\n" + f"Paragraph {n}, *with* some **text**.\n\n" * 60
        for n in range(ARTICLES)
    }, config='title = "T"\nbase_url = "https://example.org/"\nsearch = false\n')


def start(*args: str, temp: Path | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent),
           "PYTHONUNBUFFERED": "1"}
    if temp is not None:
        env["TMPDIR"] = str(temp)
    return subprocess.Popen(
        [sys.executable, "-m", "site_builder", *args], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def group_members(group: int) -> list[int]:
    """Return the processes of process group ``group`` (zombies left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended while we looked
        # The command name is in parentheses and may hold spaces: split after it.
        fields = stat.rpartition(")")[2].split()
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def wait_for_workers(process: subprocess.Popen[str]) -> None:
    """Return once the command has forked its workers (it is mid-build)."""
    deadline = time.monotonic() + WAIT
    while len(group_members(process.pid)) < 2:
        assert process.poll() is None, "the command ended before its workers started"
        assert time.monotonic() < deadline, "no worker process ever started"
        time.sleep(0.01)


def interrupt(process: subprocess.Popen[str], whole_group: bool) -> tuple[str, str]:
    """Send SIGINT as a terminal's Ctrl-C (the group) or ``kill -INT`` (the command)."""
    if whole_group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        raise AssertionError(f"still running {WAIT} s after SIGINT; stderr:\n{err}") from None


def assert_nothing_left(group: int) -> None:
    deadline = time.monotonic() + 5
    while group_members(group):
        assert time.monotonic() < deadline, f"processes left behind: {group_members(group)}"
        time.sleep(0.05)


@pytest.mark.parametrize("whole_group", [True, False], ids=["ctrl-c", "kill-int"])
def test_an_interrupted_build_says_one_line_and_leaves_nothing(
    tmp_path: Path, whole_group: bool
) -> None:
    project = archive(tmp_path / "p")
    process = start("build", "--project", str(project), "--jobs", "2")
    wait_for_workers(process)
    out, err = interrupt(process, whole_group)
    assert process.returncode == 130, err
    # Progress lines of the stages that ran come first; they never claim a stage done.
    lines = [line for line in err.splitlines() if not line.startswith(("parse: ", "render: "))]
    assert lines == ["interrupted"], err
    assert out == ""
    assert_nothing_left(process.pid)
    assert not (project / "output").exists()


@pytest.mark.parametrize("whole_group", [True, False], ids=["ctrl-c", "kill-int"])
def test_serve_interrupted_mid_build_stops_with_one_line(
    tmp_path: Path, whole_group: bool
) -> None:
    project = archive(tmp_path / "p")
    temp = tmp_path / "temp"
    temp.mkdir()
    process = start("serve", "--project", str(project), "--port", "0", temp=temp)
    wait_for_workers(process)
    out, err = interrupt(process, whole_group)
    # Stopping is what Ctrl-C is for in serve: exit code 0, as when idle.
    assert process.returncode == 0, err
    assert out.splitlines()[0].startswith("Serving http://")
    assert out.splitlines()[1:] == ["Stopped."]
    assert err == ""
    assert_nothing_left(process.pid)
    assert list(temp.iterdir()) == [], "the temporary build folder was left behind"
