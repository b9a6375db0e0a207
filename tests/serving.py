"""Run ``site-builder serve`` as a real process and talk to it over HTTP."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

WAIT = 30.0
"""Seconds to wait for anything the server should do; generous for a busy machine."""


class ServeProcess:
    """A running ``site-builder serve`` whose output is read line by line."""

    def __init__(self, project: Path, temp: Path, *args: str,
                 env: t.Mapping[str, str] | None = None, ignore_sigint: bool = False) -> None:
        temp.mkdir(parents=True, exist_ok=True)
        environ = {**os.environ, "TMPDIR": str(temp), "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "site_builder", "serve", "--project", str(project),
             "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ,
            # As a shell does for a command started in the background with '&'.
            preexec_fn=_ignore_sigint if ignore_sigint else None)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        for stream, sink in ((self.proc.stdout, self.stdout), (self.proc.stderr, self.stderr)):
            threading.Thread(target=self._read, args=(stream, sink), daemon=True).start()
        first = self.next_line()
        assert first.startswith("Serving http://"), first
        self.site_url = first.split()[1]
        """The site's address, ``http://127.0.0.1:PORT/archive/``."""
        self.origin_url = "/".join(self.site_url.split("/", 3)[:3])
        """The server's address without the site's path, ``http://127.0.0.1:PORT``."""

    def _read(self, stream: t.IO[str] | None, sink: list[str]) -> None:
        assert stream is not None
        for line in stream:
            sink.append(line)
            if sink is self.stdout:
                self.lines.put(line.rstrip("\n"))

    def next_line(self, timeout: float = WAIT) -> str:
        """Return the next line printed on stdout."""
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output; stderr: {''.join(self.stderr)}") from None

    def wait_for_line(self, start: str, timeout: float = WAIT) -> str:
        """Return the next stdout line starting with ``start``."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(max(0.1, deadline - time.monotonic()))
            if line.startswith(start):
                return line

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Send ``signum`` and return the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        return self.proc.wait(timeout=WAIT)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def serving(project: Path, temp: Path, *args: str, env: t.Mapping[str, str] | None = None,
            ignore_sigint: bool = False) -> t.Iterator[ServeProcess]:
    """Run ``site-builder serve`` on a free port for the length of a ``with`` block."""
    server = ServeProcess(project, temp, *args, env=env, ignore_sigint=ignore_sigint)
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
        for stream in (server.proc.stdout, server.proc.stderr):
            if stream is not None:
                stream.close()


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Return status, headers and body of ``url`` without following redirects."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, method=method)
    try:
        with opener.open(request, timeout=WAIT) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def wait_for_text(url: str, text: str, timeout: float = WAIT, *, absent: str = "") -> bytes:
    """Fetch ``url`` until its body contains ``text`` (and not ``absent``); return that body."""
    deadline = time.monotonic() + timeout
    body = b""
    while time.monotonic() < deadline:
        _, _, body = fetch(url)
        if text.encode() in body and not (absent and absent.encode() in body):
            return body
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared at {url}; last body:\n{body.decode()[:2000]}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: t.Any, **kwargs: t.Any) -> None:
        return None
