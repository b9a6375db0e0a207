"""Group the tags, authors, sources, categories and sections of articles into terms with
stable slugs."""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import typing as t
import unicodedata

from .errors import Problem
from .model import Article, Taxonomy, Term
from .urls import slugify, term_index_url, term_url

SINGULAR = {"tags": "tag", "authors": "author", "sources": "source", "categories": "category",
            "sections": "section"}


def fold_name(name: str) -> str:
    """Return the key under which spellings of one name merge.

    Case and the accents of Latin letters are ignored ("Michaël" = "michael"); marks on
    other scripts stay, because in Cyrillic "й" and "и" are different letters.
    """
    kept: list[str] = []
    base_is_ascii = False
    for char in unicodedata.normalize("NFKD", name):
        if unicodedata.combining(char):
            if base_is_ascii:
                continue
        else:
            base_is_ascii = char.isascii()
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).casefold()


def names_of(kind: str, article: Article) -> tuple[str, ...]:
    """Return the names ``article`` is filed under in taxonomy ``kind``."""
    if kind == "tags":
        return article.tags
    if kind == "authors":
        return article.authors
    if kind == "categories":
        return article.categories
    if kind == "sections":
        return (article.section,) if article.section else ()
    return (article.source,) if article.source else ()


def _line_of(kind: str, article: Article) -> int | None:
    keys = {"tags": ("tags",), "authors": ("authors", "author"), "sources": ("source",),
            "categories": ("categories",), "sections": ("section",)}[kind]
    for key in keys:
        line = article.line_of(key)
        if line is not None:
            return line
    return None


class _Group:
    """The spellings and articles of one folded name, gathered newest first."""

    __slots__ = ("articles", "key", "spellings")

    def __init__(self, key: str) -> None:
        self.key = key
        self.spellings: collections.Counter[str] = collections.Counter()
        self.articles: list[Article] = []

    @property
    def name(self) -> str:
        # The most frequent spelling; ties go to the one that sorts first.
        return min(self.spellings.items(), key=lambda item: (-item[1], item[0]))[0]

    @property
    def oldest(self) -> Article:
        return self.articles[-1]


def build_taxonomy(
    kind: str, articles: t.Sequence[Article]
) -> tuple[Taxonomy, list[Problem]]:
    """Return the terms of ``kind`` for newest-first ``articles``, and slug-collision warnings.

    Spellings that fold to one key are one term, shown under the most frequent spelling.
    Different names with one slug ("C" and "C#") are told apart by first use: the name
    whose oldest article is oldest keeps the plain slug, and each other name gets a suffix
    derived from the name itself, so no slug moves when newer articles arrive.
    """
    groups: dict[str, _Group] = {}
    for article in articles:
        seen: set[str] = set()
        for name in names_of(kind, article):
            key = fold_name(name)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(key)
            group.spellings[name] += 1
            if key not in seen:
                seen.add(key)
                group.articles.append(article)

    by_slug: dict[str, list[_Group]] = collections.defaultdict(list)
    for group in groups.values():
        # From the folded key, so a change of the shown spelling never moves the slug.
        by_slug[slugify(group.key)].append(group)
    taken = {slug for slug in by_slug if slug}
    slugs: dict[str, str] = {}
    problems: list[Problem] = []
    for slug, claimants in sorted(by_slug.items()):
        claimants.sort(key=lambda g: (g.oldest.date, g.oldest.url, g.key))
        first = claimants[0]
        if slug:
            slugs[first.key] = slug
            later = claimants[1:]
        else:
            later = claimants
        for group in later:
            slugs[group.key] = unique = _suffixed(slug, group.key, taken)
            taken.add(unique)
            if slug:
                reason = (f'"{group.name}" and "{first.name}" make the same slug "{slug}": '
                          f'"{first.name}" was used first and keeps /{term_url(kind, slug)}, '
                          f'"{group.name}" gets /{term_url(kind, unique)}')
            else:
                reason = (f'"{group.name}" has no letters or digits to make a slug from; '
                          f"it gets /{term_url(kind, unique)}")
            problems.append(Problem(group.oldest.src_path, _line_of(kind, group.oldest),
                                    f"{SINGULAR[kind]} {reason}", level="warning"))

    terms: list[Term] = []
    by_name: dict[str, Term] = {}
    for group in groups.values():
        slug = slugs[group.key]
        term = Term(name=group.name, slug=slug, url=term_url(kind, slug),
                    articles=tuple(group.articles))
        terms.append(term)
        for spelling in group.spellings:
            by_name[spelling] = term
    terms.sort(key=lambda term: term.slug)
    return Taxonomy(kind=kind, url=term_index_url(kind), terms=tuple(terms),
                    by_name=by_name), problems


def order_sections(sections: Taxonomy, configured: t.Sequence[str]) -> Taxonomy:
    """Return ``sections`` with its terms in navigation order.

    The sections ``configured`` names (config's ``sections``, spellings folded) come
    first, in its order; the others follow, the one with most articles first, ties by
    name. A configured section no article uses yet is left out until one does.
    """
    rank: dict[str, int] = {}
    for index, name in enumerate(configured):
        rank.setdefault(fold_name(name), index)
    first = sorted((term for term in sections.terms if fold_name(term.name) in rank),
                   key=lambda term: rank[fold_name(term.name)])
    others = sorted((term for term in sections.terms if fold_name(term.name) not in rank),
                    key=lambda term: (-term.count, fold_name(term.name), term.slug))
    return dataclasses.replace(sections, terms=(*first, *others))


def _suffixed(slug: str, key: str, taken: set[str]) -> str:
    """Return ``slug`` plus a suffix that depends only on the folded name ``key``."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    for length in range(6, len(digest) + 1):
        candidate = f"{slug}-{digest[:length]}" if slug else digest[:length]
        if candidate not in taken:
            return candidate
    raise AssertionError("a SHA-256 digest cannot be taken by every shorter prefix")
