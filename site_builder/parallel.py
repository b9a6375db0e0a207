"""Run build work on all cores with a pool of forked worker processes.

Workers are forked after the site is planned, so they inherit the articles, routes and
settings (the payload) instead of receiving them through pipes; each task is then
only an index. Results come back in completion order, tagged by the caller, and the
caller puts them in a fixed order, so parallel output equals serial output.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import typing as t

from .errors import BuildError, Problem

P = t.TypeVar("P")
T = t.TypeVar("T")
R = t.TypeVar("R")

MIN_PARALLEL = 64
"""Fewer tasks than this run in the build's own process when the job count is automatic:
forking workers and loading templates in each costs more than it saves."""

# Set in the parent just before forking, read by the workers; the only way to hand a
# forked child its inputs without pickling them.
_WORK: tuple[t.Callable[[t.Any, t.Any], t.Any], t.Any] | None = None


def default_jobs() -> int:
    """Return the number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Return whether worker processes can inherit the build's memory."""
    return "fork" in multiprocessing.get_all_start_methods()


def run_tasks(
    worker: t.Callable[[P, T], R],
    payload: P,
    tasks: t.Sequence[T],
    jobs: int | None,
    *,
    chunksize: int = 1,
) -> t.Iterator[R]:
    """Yield ``worker(payload, task)`` for every task, in any order.

    ``jobs`` None means every core, used only for at least :data:`MIN_PARALLEL` tasks;
    an explicit count above 1 always uses workers. A :class:`BuildError` raised by
    a worker is raised again here with its problems.
    """
    count = default_jobs() if jobs is None else jobs
    if jobs is None and len(tasks) < MIN_PARALLEL:
        count = 1
    count = min(count, len(tasks))
    if count <= 1 or not can_fork():
        for task in tasks:
            yield worker(payload, task)
        return
    global _WORK
    _WORK = (worker, payload)
    # Workers share the build's memory page by page until they write to it; a garbage
    # collection in a worker would write to every object, so objects that exist now are
    # kept out of its reach.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with _Held() as held:
            pool = context.Pool(count, initializer=_quiet_signals)
        with pool:
            held.resend()
            for outcome in pool.imap_unordered(_run_one, tasks, chunksize):
                if isinstance(outcome, _Failed):
                    raise BuildError(outcome.problems)
                yield t.cast(R, outcome)
    finally:
        _WORK = None
        gc.unfreeze()


class _Failed:
    """A worker's :class:`BuildError`, carried back as plain problems."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems


_INTERRUPTIONS = (signal.SIGINT, signal.SIGTERM)


class _Held:
    """Ctrl-C and SIGTERM held back while the pool forks its workers.

    A KeyboardInterrupt while the pool starts would leave the workers started so far
    running (the pool cleans up only after an ``Exception``) or, raised inside the fork
    hooks of the standard library, leave a lock taken and hang the command; a worker
    signalled before :func:`_quiet_signals` ran would print the traceback of the
    command's own handlers. So the signals are blocked in the forking thread (workers
    inherit that, until their initializer has replaced the handlers) and, as another
    thread may still take them, the command's handlers give way meanwhile to one that
    only notes them; :meth:`resend` delivers what was noted once the pool can be
    stopped whole.
    """

    def __init__(self) -> None:
        self.noted: list[int] = []
        self.handlers: dict[int, t.Any] = {}
        self.mask: set[int | signal.Signals] = set()

    def __enter__(self) -> _Held:
        self.mask = signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTIONS)
        if threading.current_thread() is threading.main_thread():
            for signum in _INTERRUPTIONS:
                # A handler set outside Python could not be put back: leave it alone.
                if signal.getsignal(signum) is not None:
                    self.handlers[signum] = signal.signal(signum, self._note)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.handlers.items():
            signal.signal(signum, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, self.mask)

    def _note(self, signum: int, frame: object) -> None:
        self.noted.append(signum)

    def resend(self) -> None:
        """Deliver the signals that arrived while held, to the command's own handlers."""
        for signum in dict.fromkeys(self.noted):
            signal.raise_signal(signum)


def _quiet_signals() -> None:
    """Leave interruptions to the parent: a worker ends when the pool ends it.

    Forked workers inherit the command's handlers, which turn SIGTERM into
    KeyboardInterrupt; a worker would then print a traceback as the pool stops it.
    They are forked with both signals blocked (:class:`_Held`), so the handlers are
    replaced before either can arrive.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _INTERRUPTIONS)


def _run_one(task: object) -> object:
    assert _WORK is not None
    worker, payload = _WORK
    try:
        return worker(payload, task)
    except BuildError as exc:
        return _Failed(exc.problems)
