"""Structured data for search engines: schema.org ``NewsArticle`` and ``WebPage`` as JSON-LD."""

from __future__ import annotations

from .config import Config
from .feeds import content_date, image_url
from .model import Article, Site
from .urls import absolute_url


def news_article(config: Config, site: Site, article: Article) -> dict[str, object]:
    """Return the schema.org ``NewsArticle`` describing ``article``.

    People in ``authors`` are ``Person``s linked to their author pages; the source (an
    agency or paper) is the ``sourceOrganization``, and the author too when no person is
    named. ``isBasedOn`` points to where the article was first published.
    """
    page = absolute_url(config.base_url, article.url)
    people: list[dict[str, object]] = [
        {"@type": "Person", "name": term.name, "url": absolute_url(config.base_url, term.url)}
        for term in site.authors.lookup(article.authors)
    ]
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": page,
        "mainEntityOfPage": {"@type": "WebPage", "@id": page},
        "inLanguage": (article.lang or config.language).replace("_", "-"),
        "publisher": {"@type": "Organization", "name": config.title,
                      "url": absolute_url(config.base_url)},
    }
    _add_dates(data, article)
    if article.summary:
        data["description"] = article.summary
    source = None
    for term in site.sources.lookup((article.source,) if article.source else ()):
        source = {"@type": "Organization", "name": term.name,
                  "url": absolute_url(config.base_url, term.url)}
        data["sourceOrganization"] = source
    if people:
        data["author"] = people
    elif source is not None:
        data["author"] = [source]
    image = image_object(config, article)
    if image:
        data["image"] = image
    if article.tags:
        data["keywords"] = [term.name for term in site.tags.lookup(article.tags)]
    # The section the paper files it under; a site without sections has only categories.
    for term in (site.sections.lookup((article.section,) if article.section else ())
                 or site.categories.lookup(article.categories)[:1]):
        data["articleSection"] = term.name
    if article.original_url:
        data["isBasedOn"] = article.original_url
    return data


def image_object(config: Config, article: Article) -> dict[str, object] | None:
    """Return the schema.org ``ImageObject`` of the article's lead image, if it has one.

    A local file gives the rendition social previews get, with its size; the caption and
    the credit (``creditText``, what Google Images shows) come with it either way.
    """
    url = image_url(config, article)
    image = article.image
    if not url or image is None:
        return None
    data: dict[str, object] = {"@type": "ImageObject", "url": url, "contentUrl": url}
    if image.picture is not None:
        data["width"] = image.picture.fallback.width
        data["height"] = image.picture.fallback.height
    if image.caption:
        data["caption"] = image.caption
    if image.credit:
        data["creditText"] = image.credit
    if image.copyright:
        data["copyrightNotice"] = image.copyright
    return data


def web_page(config: Config, page: Article) -> dict[str, object]:
    """Return the schema.org ``WebPage`` describing a standalone page (About, Contact).

    Not a ``NewsArticle``: a page is no report, and needs no date or author.
    """
    url = absolute_url(config.base_url, page.url)
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": page.title,
        "url": url,
        "inLanguage": (page.lang or config.language).replace("_", "-"),
        "isPartOf": {"@type": "WebSite", "name": config.title, "url": config.base_url},
    }
    _add_dates(data, page)
    if page.summary:
        data["description"] = page.summary
    image = image_object(config, page)
    if image:
        data["image"] = image
    return data


def _add_dates(data: dict[str, object], article: Article) -> None:
    """Set ``datePublished`` and ``dateModified`` from the dates ``article`` gives."""
    if article.date is not None:
        data["datePublished"] = article.date.isoformat(timespec="seconds")
    modified = content_date(article)
    if modified is not None:
        data["dateModified"] = modified.isoformat(timespec="seconds")
