"""What feeds and sitemaps are made of: entries, their dates, and sitemap splitting."""

from __future__ import annotations

import datetime as dt
import typing as t
from urllib.parse import urljoin

from .config import Config
from .model import Article, Route, Site
from .urls import absolute_url

SITEMAP_LIMIT = 50_000
"""Most URLs one sitemap file may list (sitemaps.org); more make a sitemap index."""
SITEMAP_URL = "sitemap.xml"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def content_date(article: Article) -> dt.datetime | None:
    """Return when ``article`` last changed: its ``updated`` date, else its ``date``
    (None for a standalone page that gives neither)."""
    return article.updated or article.date


def newest_date(articles: t.Iterable[Article]) -> dt.datetime | None:
    """Return the newest content date among ``articles`` (None for none)."""
    return max((date for a in articles if (date := content_date(a)) is not None),
               default=None)


def json_feed(
    config: Config, site: Site, articles: t.Sequence[Article], *, title: str, feed_url: str,
    home_url: str,
) -> dict[str, object]:
    """Return a JSON Feed 1.1 document for ``articles`` (site paths become absolute).

    Authors and tags appear under the spelling their term shows on the site.
    """
    def absolute(path: str) -> str:
        return absolute_url(config.base_url, path)

    items: list[dict[str, object]] = []
    for article in articles:
        item: dict[str, object] = {
            "id": absolute(article.url),
            "url": absolute(article.url),
            "title": article.title,
            "content_html": article.html,
            "date_published": article.listed_date.isoformat(timespec="seconds"),
            "date_modified": (article.updated or article.listed_date).isoformat(
                timespec="seconds"),
        }
        if article.summary:
            item["summary"] = article.summary
        people = [{"name": term.name, "url": absolute(term.url)}
                  for term in site.authors.lookup(article.authors)]
        people += [{"name": term.name, "url": absolute(term.url)}
                   for term in site.sources.lookup((article.source,) if article.source else ())]
        if people:
            item["authors"] = people
        if article.tags:
            item["tags"] = [term.name for term in site.tags.lookup(article.tags)]
        image = image_url(config, article)
        if image:
            item["image"] = image
        if article.original_url:
            item["external_url"] = article.original_url
        if article.lang:
            item["language"] = article.lang
        items.append(item)
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": title,
        "home_page_url": absolute(home_url),
        "feed_url": absolute(feed_url),
        "language": config.language,
        "authors": [{"name": config.title, "url": absolute("")}],
        "items": items,
    }
    if config.description:
        feed["description"] = config.description
    return feed


def image_url(config: Config, article: Article) -> str | None:
    """Return the absolute URL of the article's lead image, if it has one."""
    if article.image is None or not article.image.src:
        return None
    if article.image.picture is not None:
        # A local file: the rendition social previews want, 1200 pixels wide or all there is.
        return absolute_url(config.base_url, article.image.picture.fallback.url)
    # The browser resolves ``src`` against the article's page; so do we.
    return urljoin(absolute_url(config.base_url, article.url), article.image.src)


def sitemap_routes(
    config: Config, pages: t.Sequence[Route], limit: int = SITEMAP_LIMIT
) -> list[Route]:
    """Return the sitemap routes listing ``pages``: one file, or an index and its parts.

    ``pages`` are the HTML routes to list. Up to ``limit`` URLs go in ``sitemap.xml``;
    beyond that ``sitemap.xml`` becomes an index of ``sitemap-1.xml``, ``sitemap-2.xml``...
    each with at most ``limit`` URLs.
    """
    entries = sorted(
        ((absolute_url(config.base_url, page.url), page.lastmod) for page in pages),
        key=lambda entry: entry[0],
    )
    images = sitemap_images(config, pages)
    if len(entries) <= limit:
        return [Route(url=SITEMAP_URL, output_path=SITEMAP_URL, template="sitemap.xml",
                      context={"entries": entries, "images": images})]
    routes: list[Route] = []
    parts: list[tuple[str, dt.datetime | None]] = []
    for number, start in enumerate(range(0, len(entries), limit), 1):
        chunk = entries[start:start + limit]
        url = f"sitemap-{number}.xml"
        dates = [date for _, date in chunk if date is not None]
        parts.append((absolute_url(config.base_url, url), max(dates) if dates else None))
        routes.append(Route(url=url, output_path=url, template="sitemap.xml",
                            context={"entries": chunk, "images": {
                                loc: images[loc] for loc, _ in chunk if loc in images}}))
    routes.insert(0, Route(url=SITEMAP_URL, output_path=SITEMAP_URL,
                           template="sitemap_index.xml", context={"sitemaps": parts}))
    return routes


def sitemap_images(config: Config, pages: t.Sequence[Route]) -> dict[str, tuple[str, ...]]:
    """Return the absolute URLs of the local images each article page shows, by page URL.

    Each picture is named by the rendition social previews get (:attr:`Picture.fallback`),
    the lead image first.
    """
    images: dict[str, tuple[str, ...]] = {}
    for page in pages:
        article = page.context.get("article")
        if not isinstance(article, Article):
            continue
        urls = tuple(dict.fromkeys(absolute_url(config.base_url, p.fallback.url)
                                   for p in article.all_pictures))
        if urls:
            images[absolute_url(config.base_url, page.url)] = urls
    return images
