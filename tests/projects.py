"""Small projects written on the fly, and builds run the way a user runs them."""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import re
import subprocess
import sys
import typing as t
from pathlib import Path

from site_builder.cli import main

CONFIG = 'title = "Test"\nbase_url = "https://example.org/"\n'
ARTICLE = "---\ntitle: {title}\ndate: 2024-05-02\n---\n\nBody of {title}.\n"


def write_project(
    root: Path, files: t.Mapping[str, str | bytes], config: str = CONFIG
) -> Path:
    """Write ``config.toml`` and ``files`` (project-relative path: text or bytes) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(config, encoding="utf-8")
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_bytes(data.encode("utf-8", "surrogateescape"))
    return root


def run(*args: str) -> tuple[int, str, str]:
    """Run the command line in this process; return (exit code, stdout, stderr).

    Any exception other than the exit codes of ``main`` escapes, so a traceback
    fails the calling test.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


PROGRESS = re.compile(r"[a-z ]+: (\d+/\d+|done in \d+\.\d s)")
"""A progress line of ``build`` on a stream that is not a terminal. A stage running over a
second prints them, so whether there are any depends on how busy the machine is."""


def build(project: Path, *args: str) -> tuple[int, str, str]:
    """Run ``site-builder build`` on ``project``, in one process unless ``args`` say ``--jobs``.

    Test projects are small: a pool of workers would cost more than it saves. Progress
    lines are left out of stderr, which then holds the problems alone.
    """
    jobs = () if "--jobs" in args else ("--jobs", "1")
    code, out, err = run("build", "--project", str(project), *jobs, *args)
    return code, out, "".join(line for line in err.splitlines(keepends=True)
                              if not PROGRESS.fullmatch(line.rstrip("\n")))


def problems(err: str) -> list[str]:
    """Return the problem lines of a failed build's stderr (without the summary line)."""
    return [line for line in err.splitlines() if not line.startswith("build failed:")]


def tree(root: Path) -> dict[str, bytes]:
    """Return every file under ``root`` as {relative path: bytes}; {} if it is absent.

    The search index is left out (test_search.py compares its bytes). Its entry file
    stands for it, so a build without an index still differs from one with.
    """
    if not root.is_dir():
        return {}
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or path.is_symlink():
            continue
        if rel.startswith("pagefind/"):
            if rel == "pagefind/pagefind-entry.json":
                files[rel] = b"present"
            continue
        files[rel] = path.read_bytes()
    return files


def drop_file_access_override() -> None:
    """Make a child process honour file permissions even when it runs as root.

    Removes CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set, which the
    capabilities root gets on exec are drawn from. Used as ``preexec_fn``.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop = 24
    for capability in (1, 2):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def permissions_enforced() -> str | None:
    """Return why mode-000 files cannot be made unreadable to a child here, or None."""
    if os.name != "posix":
        return "file modes are POSIX"
    try:
        subprocess.run([sys.executable, "-c", "pass"], preexec_fn=drop_file_access_override,
                       check=True)
    except (subprocess.SubprocessError, OSError):
        return "cannot drop CAP_DAC_OVERRIDE in a child process here (no CAP_SETPCAP)"
    return None


def build_as_user(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m site_builder build`` in a child that file permissions apply to."""
    return subprocess.run(
        [sys.executable, "-m", "site_builder", "build", "--project", str(project), *args],
        preexec_fn=drop_file_access_override, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
