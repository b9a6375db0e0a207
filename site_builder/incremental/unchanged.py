"""Recognise a build whose every input and output is as the last build left them.

Rebuilding an unchanged archive would parse nothing and render nothing, but it would
still load and plan every article and page to learn that. Instead the build records a
digest of everything it reads (the code, the config, the options, every source file's
path and bytes, templates, static files, the URL history) with the outcome it printed;
when the next build finds the same digest and an output folder whose files are exactly
the ones recorded (same paths, sizes, mtimes and inodes), it reports that outcome again
and touches nothing. Any difference, however small, runs the whole build.
"""

from __future__ import annotations

import dataclasses
import json
import os
import typing as t
from pathlib import Path

from ..config import Config
from ..content import Sources
from ..digests import code_digest, digest_bytes, tree_digest
from ..errors import Problem
from ..history import history_path
from ..output import Stamp, scan_tree
from ..search import INDEX_DIR
from .store import Cache, OutputEntry

KEY = "last-build:"


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """What an unchanged build reports: the last build's figures and warnings."""

    pages: int
    produced: tuple[str, ...]
    """The output paths the build wrote or found unchanged."""
    files: tuple[str, ...]
    """Every file in the output folder after the build."""
    warnings: tuple[Problem, ...]
    checked: int
    broken: int
    redirects: int


def inputs_digest(config: Config, options: t.Sequence[object], sources: Sources) -> bytes:
    """Return a digest of everything a build of ``config`` reads but the URL history."""
    return digest_bytes(
        code_digest(), repr(config), repr(list(options)),
        os.environ.get("SITE_BUILDER_PAGEFIND", ""),
        tree_digest(config.templates_path), tree_digest(config.static_path),
        repr(sorted(str(p) for p in sources.problems)),
        *(part for src in sources.files for part in (src.path, sources.digests[src.path])),
        *(part for index, files in sources.bundled.items() for src in files
          for part in (index, src.path, sources.digests[src.path])),
        *(part for src in sources.loose for part in (src.path, sources.digests[src.path])),
    )


def structure_digest(config: Config, options: t.Sequence[object], sources: Sources) -> bytes:
    """Return a digest of what a build plans from besides article content: as
    :func:`inputs_digest`, with the source files' paths but not their bytes, and the
    URL history as it is now."""
    return with_history(digest_bytes(
        b"structure", code_digest(), repr(config), repr(list(options)),
        os.environ.get("SITE_BUILDER_PAGEFIND", ""),
        tree_digest(config.templates_path), tree_digest(config.static_path),
        repr(sorted(str(p) for p in sources.problems)),
        *(src.path for src in sources.files),
        # A bundle's files are copied as they are: any change to them moves the plan.
        *(part for index, files in sources.bundled.items() for src in files
          for part in (index, src.path, sources.digests[src.path])),
        # So are the images beside articles: a changed one changes its renditions' names.
        *(part for src in sources.loose for part in (src.path, sources.digests[src.path])),
    ), config)


def with_history(digest: bytes, config: Config) -> bytes:
    """Return ``digest`` extended by the URL history as it is now.

    Kept apart because the build itself writes the history: the record is made with
    the history the build left, and compared with the history the next build finds.
    """
    try:
        return digest_bytes(digest, history_path(config).read_bytes())
    except OSError:
        return digest_bytes(digest, "no history")


def recall(cache: Cache, config: Config, digest: bytes,
           manifest: t.Mapping[str, OutputEntry]) -> Outcome | None:
    """Return the last build's outcome if ``digest`` and the output folder match it."""
    raw = cache.get_value(KEY + str(config.output_path))
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        if data["digest"] != with_history(digest, config).hex():
            return None
        outcome = Outcome(
            pages=int(data["pages"]), produced=tuple(str(p) for p in data["produced"]),
            files=tuple(str(p) for p in data["files"]),
            warnings=tuple(Problem(str(p), None if n is None else int(n), str(m),
                                   level="warning" if lv == "warning" else "error")
                           for p, n, m, lv in data["warnings"]),
            checked=int(data["checked"]), broken=int(data["broken"]),
            redirects=int(data["redirects"]),
        )
    except (ValueError, KeyError, TypeError):
        return None  # rewritten by the next full build
    out = config.output_path
    present = scan_tree(out)
    if set(present) != set(outcome.files):
        return None
    # Files the manifest knows must be the very files it recorded; the others (the
    # search index) must at least still be there, which the comparison above checked.
    for path, entry in manifest.items():
        if path not in present or Stamp.of(out / path) != entry.stamp:
            return None
    return outcome


def remember(cache: Cache, config: Config, digest: bytes, outcome: Outcome) -> None:
    """Record ``outcome`` as what a build of inputs ``digest`` produced."""
    cache.set_value(KEY + str(config.output_path), json.dumps({
        "digest": with_history(digest, config).hex(), "pages": outcome.pages,
        "produced": list(outcome.produced), "files": list(outcome.files),
        "warnings": [[p.path, p.line, p.message, p.level] for p in outcome.warnings],
        "checked": outcome.checked, "broken": outcome.broken,
        "redirects": outcome.redirects,
    }))


def listed(out: Path, produced: t.Iterable[str]) -> tuple[str, ...]:
    """Return every file a build that produced ``produced`` left in ``out``, sorted.

    A build leaves exactly what it produced plus the search index, so only the index's
    folder is listed.
    """
    files = set(produced)
    files.update(f"{INDEX_DIR}/{path}" for path in scan_tree(out / INDEX_DIR))
    return tuple(sorted(files))
