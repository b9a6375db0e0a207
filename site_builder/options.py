"""How a build runs: the flags of ``site-builder build`` and ``check``, as one value."""

from __future__ import annotations

import dataclasses
import typing as t

Progress = t.Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)`` while a long stage runs."""


@dataclasses.dataclass(frozen=True, slots=True)
class BuildOptions:
    """What to build and how; the project's own settings are in :class:`Config`."""

    strict: bool = False
    """Turn every warning into an error."""
    write: bool = True
    """Write the output; False loads, validates, renders and checks only (``check``)."""
    clean: bool = False
    """Ignore the cache (files whose bytes did not change are still kept as they are)."""
    jobs: int | None = None
    """Worker processes (default: every core, for builds big enough to gain from it)."""
    external: bool = False
    """Collect the external links with the pages using them."""
    orphans: bool = False
    """Look for articles that listings or other articles do not reach."""
    record_history: bool = False
    """Add the published pages to the project's URL history (``site-builder build``)."""
