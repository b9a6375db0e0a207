"""Tend the URL history without editing it by hand (``site-builder history``).

Deleting an article leaves its URL in ``url-history.txt``, and every later build warns
that the URL leads nowhere. :func:`gone_urls` lists those URLs, as the build finds them;
:func:`retire_urls` marks them ``removed`` (the page was deployed: readers may still
ask for it, but nothing replaces it) or drops them (the page never went live, as a
test article deleted before the first deploy).
"""

from __future__ import annotations

import dataclasses

from .config import Config
from .content import read_sources
from .errors import BuildError, Problem, errors_in
from .history import (
    HISTORY_NAME,
    NO_SOURCE,
    REMOVED,
    HistoryEntry,
    gone_entries,
    load_history,
    save_history,
)
from .incremental.state import BuildState
from .options import BuildOptions
from .output import lock_output
from .parsing import parse_sources
from .routes import bundle_routes, plan_routes, static_routes
from .site import build_site
from .urls import site_path_of
from .validate import validate_articles


def gone_urls(config: Config) -> list[HistoryEntry]:
    """Return the history's URLs that the next build would warn of: their article is gone.

    The site is planned as the build plans it (drafts left out, as when publishing),
    with the build cache, so an archive built before is not parsed again. Raise
    :class:`BuildError` when the history or the content has errors.
    """
    history = _load(config)
    if not any(entry.source not in (NO_SOURCE, REMOVED) for entry in history.values()):
        return []
    state = BuildState.open(config)
    try:
        sources = read_sources(config)
        parsing = parse_sources(sources, config, state, BuildOptions(write=False))
    finally:
        state.close()
    problems = [*sources.problems, *parsing.problems, *validate_articles(parsing.articles)]
    # Related lists decide no URL: skip working them out for the whole archive.
    site = build_site(config, parsing.articles, lambda *_: {})
    failing = errors_in([*problems, *site.problems])
    if failing:
        raise BuildError(failing)
    static = static_routes(config) + bundle_routes(parsing.articles, sources.bundled)
    return gone_entries(history, site, plan_routes(site, config, static))


def retire_urls(config: Config, written: list[str], *, forget: bool) -> list[HistoryEntry]:
    """Mark the history's lines of ``written`` URLs ``removed``, or drop them with ``forget``.

    A URL is written as the history shows it (``/2024/05/20/ferry/``), as a site path or
    as an absolute URL under ``base_url``. Return the entries as they were; raise
    :class:`BuildError` (changing nothing) when one is not in the history.
    """
    # A build writes the history at its end: take turns with it.
    with lock_output(config.output_path, config.project_dir):
        history = _load(config)
        found: dict[str, HistoryEntry] = {}
        problems: list[Problem] = []
        for url in written:
            entry = _find(history, url, config)
            if entry is None:
                problems.append(Problem(HISTORY_NAME, None, f"{url} is not in the URL history "
                                        "('site-builder history' lists the URLs to retire)"))
            else:
                found[entry.url] = entry
        if problems:
            raise BuildError(problems)
        kept = {url: entry for url, entry in history.items() if not (forget and url in found)}
        if not forget:
            for url in found:
                kept[url] = dataclasses.replace(kept[url], source=REMOVED)
        save_history(config, kept.values())
    return sorted(found.values(), key=lambda e: e.url)


def _load(config: Config) -> dict[str, HistoryEntry]:
    history, problems = load_history(config)
    if problems:
        # Rewriting the file would drop the lines it cannot read.
        raise BuildError(problems)
    return history


def _find(history: dict[str, HistoryEntry], written: str, config: Config) -> HistoryEntry | None:
    entry = history.get(written.removeprefix("/"))
    if entry is None:
        path, message = site_path_of(written, config.base_url, config.base_path, "a URL")
        entry = history.get(path) if not message else None
    return entry
