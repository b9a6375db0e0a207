"""Keep every URL the site ever published working: the URL history and its redirects.

The history is a sorted text file in the project folder (``url-history.txt``), one
published page per line, tab-separated::

    /2024/05/20/ferry-line/	content/2024/05/2024-05-20-ferry.md	https://apnews.example/ferry

The second column says what published the URL: the article's source file, ``-`` for a
page no article makes (listings), or ``removed`` for a URL retired on purpose. The third
is the article's ``original_url``, if any. When a URL of the history is no longer a page,
the build finds where it went: the article with that source file (its slug, date or the
permalink pattern changed), else the article with that ``original_url`` (the file was
renamed), and writes a redirect page there. A listing URL that went away redirects to
its nearest remaining parent page. An article URL whose article is gone is a warning
(an error with ``--strict``) until the line is marked ``removed`` (``site-builder history
remove URL``) or dropped (``site-builder history forget URL``), see :mod:`.retire`.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import typing as t
from pathlib import Path

from .config import Config
from .errors import Problem
from .links import url_key
from .model import Article, Route, Site
from .urls import output_path, site_path_of

HISTORY_NAME = "url-history.txt"
REMOVED = "removed"
"""Second column of a URL retired on purpose: no redirect, no warning."""
NO_SOURCE = "-"
"""Second column of a page no article makes (listings)."""
REDIRECT_TEMPLATE = "redirect.html"
NETLIFY_FILE = "_redirects"
NGINX_FILE = "nginx-redirects.conf"
NOT_RECORDED = frozenset({"404.html"})
"""Pages that are not addresses anyone links to."""

_HEADER = """\
# URL history: every page URL this site has published, one per line, sorted.
# Written by `site-builder build`; keep it under version control with the content.
# Columns (tab-separated): URL, the source file that published it ("-" for listing
# pages), the article's original_url. A URL that is no longer a page gets a redirect
# to where its article went. `site-builder history` lists those whose article is gone.
"""


@dataclasses.dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One published URL and what published it."""

    url: str
    """Site path relative to the base URL (``2024/05/20/ferry/``; ``""`` is the home page)."""
    source: str
    """Source file of the article, :data:`NO_SOURCE` or :data:`REMOVED`."""
    original_url: str | None = None
    line: int | None = None
    """Line in the history file, for messages."""


@dataclasses.dataclass(frozen=True, slots=True)
class Redirect:
    """An old URL and the page it now leads to."""

    url: str
    target: str
    article: Article | None = None
    """The article at ``target``, when there is one."""


History = t.Mapping[str, HistoryEntry]


def history_path(config: Config) -> Path:
    """Return the history file of the project."""
    return config.project_dir / HISTORY_NAME


def load_history(config: Config) -> tuple[dict[str, HistoryEntry], list[Problem]]:
    """Read the project's URL history; a missing file is an empty history."""
    path = history_path(config)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Problem(HISTORY_NAME, None, f"cannot read: {exc}")]
    return parse_history(text)


def parse_history(text: str) -> tuple[dict[str, HistoryEntry], list[Problem]]:
    """Parse the text of a history file."""
    entries: dict[str, HistoryEntry] = {}
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) < 2 or len(columns) > 3 or not columns[1]:
            problems.append(Problem(HISTORY_NAME, number,
                                    "expected URL, source and optional original_url "
                                    "separated by tabs"))
            continue
        url = _unescape(columns[0]).removeprefix("/")
        original = columns[2] if len(columns) == 3 and columns[2] else None
        entries[url] = HistoryEntry(url, _unescape(columns[1]), original, number)
    return entries, problems


def format_history(entries: t.Iterable[HistoryEntry]) -> str:
    """Return the text of a history file: the header, then one sorted line per URL."""
    lines = []
    for entry in sorted(entries, key=lambda e: e.url):
        columns = ["/" + _escape(entry.url), _escape(entry.source)]
        if entry.original_url:
            columns.append(_escape(entry.original_url))
        lines.append("\t".join(columns))
    return _HEADER + "".join(line + "\n" for line in lines)


def _escape(text: str) -> str:
    # Tabs and line breaks would split a line; '%' is escaped so decoding is exact.
    return text.replace("%", "%25").replace("\t", "%09").replace("\n", "%0A")


def _unescape(text: str) -> str:
    return text.replace("%0A", "\n").replace("%09", "\t").replace("%25", "%")


def plan_redirects(
    history: History, site: Site, routes: t.Sequence[Route], config: Config
) -> tuple[list[Redirect], list[Problem]]:
    """Return a redirect for every old URL that is no longer a page, and the problems.

    ``aliases`` in front matter add old URLs of their own; an alias wins over what the
    history would conclude for the same URL.
    """
    served = frozenset(r.output_path for r in routes)
    redirects, gone = _follow(history, site, served)
    problems = [Problem(
        HISTORY_NAME, entry.line,
        f"/{entry.url} is no longer published: its article {entry.source} is gone. Restore "
        "it, add the URL to the 'aliases' of the article that replaces it, or retire it: "
        f"'site-builder history remove {shlex.quote('/' + entry.url)}' if it was deployed, "
        "'history forget' instead if it never was", "warning") for entry in gone]
    found, alias_problems = alias_redirects(site, served, config)
    problems += alias_problems
    for redirect in found:
        redirects[redirect.url] = redirect
    return [redirects[url] for url in sorted(redirects)], problems


def gone_entries(history: History, site: Site, routes: t.Sequence[Route]) -> list[HistoryEntry]:
    """Return the entries whose URL is no longer a page because their article is gone."""
    return _follow(history, site, frozenset(r.output_path for r in routes))[1]


def _follow(
    history: History, site: Site, served: frozenset[str]
) -> tuple[dict[str, Redirect], list[HistoryEntry]]:
    """Return where each old URL that is no longer a page went, and those that lead nowhere."""
    by_original = {url_key(a.original_url): a for a in sorted(site.published, key=lambda a:
                                                              a.src_path) if a.original_url}
    redirects: dict[str, Redirect] = {}
    gone: list[HistoryEntry] = []
    for url, entry in sorted(history.items()):
        if output_path(url) in served or entry.source == REMOVED:
            continue
        if entry.source == NO_SOURCE:
            parent = _nearest_served_parent(url, served)
            if parent is not None:
                redirects[url] = Redirect(url, parent)
            continue
        article = site.by_src_path.get(entry.source)
        if article is None and entry.original_url:
            article = by_original.get(url_key(entry.original_url))
        if article is not None:
            redirects[url] = Redirect(url, article.url, article)
        else:
            gone.append(entry)
    return redirects, gone


def _nearest_served_parent(url: str, served: frozenset[str]) -> str | None:
    parts = url.rstrip("/").split("/")
    while parts:
        parts.pop()
        candidate = "/".join(parts) + "/" if parts else ""
        if output_path(candidate) in served:
            return candidate
    return None


def alias_redirects(
    site: Site, served: frozenset[str], config: Config
) -> tuple[list[Redirect], list[Problem]]:
    """Return a redirect for each ``aliases`` entry, checking it names a free URL."""
    redirects: list[Redirect] = []
    problems: list[Problem] = []
    claimed: dict[str, Article] = {}
    for article in sorted(site.published, key=lambda a: a.src_path):
        line = article.line_of("aliases")
        for alias in article.aliases:
            url, message = alias_url(alias, config)
            if message:
                problems.append(Problem(article.src_path, line, f"aliases: {message}"))
                continue
            if url == article.url:
                continue
            if output_path(url) in served:
                problems.append(Problem(article.src_path, line,
                                        f"aliases: /{url} is a page of the site already"))
                continue
            other = claimed.setdefault(url, article)
            if other is not article:
                problems.append(Problem(article.src_path, line,
                                        f"aliases: /{url} is an alias of {other.src_path} too"))
                continue
            redirects.append(Redirect(url, article.url, article))
    return redirects, problems


def alias_url(alias: str, config: Config) -> tuple[str, str]:
    """Return the site path an alias names, or an empty path and what is wrong with it.

    An alias is written as :func:`urls.site_path_of` reads it.
    """
    return site_path_of(alias, config.base_url, config.base_path, "an alias")


def redirect_routes(redirects: t.Sequence[Redirect]) -> list[Route]:
    """Return the redirect pages and the server redirect files for ``redirects``."""
    if not redirects:
        return []
    routes = [
        Route(url=r.url, output_path=output_path(r.url), template=REDIRECT_TEMPLATE,
              context={"redirect_to": r.target, "target_article": r.article},
              sources=(r.article.src_path,) if r.article else ())
        for r in redirects
    ]
    routes.append(Route(url=NETLIFY_FILE, output_path=NETLIFY_FILE,
                        template="redirects.txt", context={"redirects": tuple(redirects)}))
    routes.append(Route(url=NGINX_FILE, output_path=NGINX_FILE,
                        template="nginx-redirects.conf", context={"redirects": tuple(redirects)}))
    return routes


def updated_history(
    history: History, routes: t.Sequence[Route]
) -> list[HistoryEntry]:
    """Return the history after a build: every old URL kept, every page of this build added.

    A URL keeps the source that first published it while it redirects, so it keeps
    following that article; a URL served again is credited to whatever serves it now.
    """
    entries = {url: dataclasses.replace(entry, line=None) for url, entry in history.items()}
    for route in routes:
        if not route.output_path.endswith((".html", ".htm")) or route.url in NOT_RECORDED:
            continue
        article = route.context.get("article")
        if isinstance(article, Article):
            entries[route.url] = HistoryEntry(route.url, article.src_path, article.original_url)
        elif route.template == REDIRECT_TEMPLATE:
            target = route.context.get("target_article")
            if route.url not in entries:
                # A new alias: it follows its article from now on.
                source = target.src_path if isinstance(target, Article) else NO_SOURCE
                original = target.original_url if isinstance(target, Article) else None
                entries[route.url] = HistoryEntry(route.url, source, original)
        else:
            entries[route.url] = HistoryEntry(route.url, NO_SOURCE)
    return sorted(entries.values(), key=lambda e: e.url)


def save_history(config: Config, entries: t.Iterable[HistoryEntry]) -> bool:
    """Write the history file atomically if its text changed; return whether it did."""
    path = history_path(config)
    text = format_history(entries)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    # A plain open (not mkstemp) so the file gets the user's usual permissions.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True
