"""Checks that need all articles at once (each file is checked while it is parsed)."""

from __future__ import annotations

import collections
import typing as t

from .errors import Problem
from .model import Article
from .urls import CATEGORIES, FEED_URLS, LISTING_PREFIXES, output_path

# Site paths the build itself writes; an article must not take one of them.
RESERVED_URLS = frozenset({"", *FEED_URLS, "sitemap.xml", "robots.txt", "404.html"})
RESERVED_FOLDERS = ("assets/", "search/", "pagefind/", *LISTING_PREFIXES)


def validate_articles(articles: t.Sequence[Article]) -> list[Problem]:
    """Return cross-article problems: two articles with one URL, URLs the site reserves."""
    problems: list[Problem] = []
    by_output: dict[str, list[Article]] = collections.defaultdict(list)
    for article in articles:
        by_output[output_path(article.url)].append(article)
    # The categories folder is the site's only once some article has categories.
    reserved = RESERVED_FOLDERS + ((f"{CATEGORIES}/",) if any(a.categories for a in articles)
                                   else ())
    for path, group in sorted(by_output.items()):
        if len(group) > 1:
            group.sort(key=lambda a: a.src_path)
            names = ", ".join(a.src_path for a in group)
            for article in group:
                problems.append(Problem(
                    article.src_path, _url_line(article),
                    f"URL /{group[0].url} is used by {len(group)} articles: {names}",
                ))
        if group[0].url in RESERVED_URLS or path.startswith(reserved):
            for article in group:
                problems.append(Problem(article.src_path, article.line_of("url")
                                        or article.line_of("slug"),
                                        f"URL /{article.url} is reserved by the site"))
    return problems


def _url_line(article: Article) -> int | None:
    """Return the line of the front matter that decides the article's URL."""
    return article.line_of("url") or article.line_of("slug") or article.line_of("title")
