"""Plan every output file before anything is rendered."""

from __future__ import annotations

import collections
import importlib.resources
import os
from pathlib import Path

from .config import Config
from .errors import BuildError, Problem
from .model import Route, Site
from .urls import output_path

THEME_ASSETS = "assets/"
"""Site folder of the files shipped in the package's ``static/`` folder."""


def plan_routes(site: Site, config: Config) -> list[Route]:
    """Return every route of the site; raise :class:`BuildError` if two share an output file."""
    routes: list[Route] = []
    articles = site.articles
    for index, article in enumerate(articles):
        routes.append(Route(
            url=article.url, output_path=output_path(article.url), template="article.html",
            context={
                "article": article,
                "newer": articles[index - 1] if index > 0 else None,
                "older": articles[index + 1] if index + 1 < len(articles) else None,
            },
            sources=(article.src_path,),
        ))
    for page in site.home_pages:
        routes.append(Route(url=page.url, output_path=output_path(page.url),
                            template="index.html", context={"page": page}))
    feed_articles = articles[: config.feed_limit]
    routes.append(Route(url="feed.xml", output_path="feed.xml", template="atom.xml",
                        context={"articles": feed_articles, "feed_url": "feed.xml"}))
    routes.append(Route(url="sitemap.xml", output_path="sitemap.xml", template="sitemap.xml",
                        context={"articles": articles}))
    routes.append(Route(url="robots.txt", output_path="robots.txt", template="robots.txt"))
    routes.append(Route(url="404.html", output_path="404.html", template="404.html"))
    if config.search:
        routes.append(Route(url="search/", output_path="search/index.html",
                            template="search.html"))
    routes.extend(static_routes(config, {r.output_path for r in routes}))
    check_collisions(routes)
    return routes


def static_routes(config: Config, taken: set[str]) -> list[Route]:
    """Return copy routes for the theme's assets and the project's ``static/`` folder.

    A project file replaces a theme asset of the same path, so a user can restyle the
    site by dropping ``static/assets/site.css`` into the project.
    """
    files: dict[str, tuple[str, str]] = {}
    theme = importlib.resources.files("site_builder") / "static"
    with importlib.resources.as_file(theme) as theme_dir:
        for rel, path in _walk(theme_dir):
            files[THEME_ASSETS + rel] = (str(path), "site_builder/static/" + rel)
    for rel, path in _walk(config.static_path):
        files[rel] = (str(path), f"{config.static_dir}/{rel}")
    return [
        Route(url=rel, output_path=rel, template=None, source_file=abs_path, sources=(shown,))
        for rel, (abs_path, shown) in sorted(files.items())
    ]


def _walk(root: Path) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    if not root.is_dir():
        return found
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or name.endswith((".pyc", "~")):
                continue
            path = Path(folder) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
                # Never publish a file from outside the folder the user chose.
                continue
            found.append((path.relative_to(root).as_posix(), path))
    return found


def check_collisions(routes: list[Route]) -> None:
    """Raise :class:`BuildError` naming the sources of routes that share an output file."""
    by_path: dict[str, list[Route]] = collections.defaultdict(list)
    for route in routes:
        by_path[route.output_path].append(route)
    problems = []
    for path, group in sorted(by_path.items()):
        if len(group) > 1:
            names = ", ".join(s for r in group for s in r.sources) or "built-in pages"
            problems.append(Problem(group[0].sources[0] if group[0].sources else "config.toml",
                                    None, f"two outputs would be written to {path}: {names}"))
    if problems:
        raise BuildError(problems)
