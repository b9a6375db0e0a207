"""Structured data for search engines: schema.org ``NewsArticle`` as JSON-LD."""

from __future__ import annotations

from .config import Config
from .feeds import content_date, image_url
from .model import Article, Site


def news_article(config: Config, site: Site, article: Article) -> dict[str, object]:
    """Return the schema.org ``NewsArticle`` describing ``article``.

    People in ``authors`` are ``Person``s linked to their author pages; the source (an
    agency or paper) is the ``sourceOrganization``, and the author too when no person is
    named. ``isBasedOn`` points to where the article was first published.
    """
    page = config.base_url + article.url
    people: list[dict[str, object]] = [
        {"@type": "Person", "name": term.name, "url": config.base_url + term.url}
        for term in site.authors.lookup(article.authors)
    ]
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": page,
        "mainEntityOfPage": {"@type": "WebPage", "@id": page},
        "datePublished": article.date.isoformat(timespec="seconds"),
        "dateModified": content_date(article).isoformat(timespec="seconds"),
        "inLanguage": (article.lang or config.language).replace("_", "-"),
        "publisher": {"@type": "Organization", "name": config.title, "url": config.base_url},
    }
    if article.summary:
        data["description"] = article.summary
    source = None
    for term in site.sources.lookup((article.source,) if article.source else ()):
        source = {"@type": "Organization", "name": term.name,
                  "url": config.base_url + term.url}
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
    for term in site.categories.lookup(article.categories)[:1]:
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
