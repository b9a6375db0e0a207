"""Tags, authors and sources: merged spellings, transliterated and stable slugs."""

from __future__ import annotations

import datetime as dt

from site_builder.model import Article
from site_builder.taxonomy import build_taxonomy, fold_name

from .conftest import make_article

START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def newest_first(*articles: Article) -> list[Article]:
    return sorted(articles, key=lambda a: (a.date, a.url), reverse=True)


def dated(day: int, **fields: object) -> Article:
    return make_article(slug=f"a{day:03d}", date=START + dt.timedelta(days=day), **fields)


def test_case_and_accents_fold_but_cyrillic_letters_stay_distinct() -> None:
    assert fold_name("NaHi") == fold_name("nahi")
    assert fold_name("Michaël Zasso") == fold_name("michael zasso")
    assert fold_name("Économie") == fold_name("ECONOMIE")
    assert fold_name("Мой") != fold_name("Мои")  # й is a letter, not и with an accent


def test_spellings_merge_under_the_most_frequent() -> None:
    taxonomy, problems = build_taxonomy("authors", newest_first(
        dated(1, authors=("nahi",)), dated(2, authors=("NaHi",)), dated(3, authors=("NaHi",)),
    ))
    assert problems == []
    [term] = taxonomy.terms
    assert (term.name, term.slug, term.url) == ("NaHi", "nahi", "authors/nahi/")
    assert [a.slug for a in term.articles] == ["a003", "a002", "a001"]
    assert taxonomy.by_name["nahi"] is term and taxonomy.by_name["NaHi"] is term


def test_equally_frequent_spellings_pick_the_same_name_in_any_order() -> None:
    one = [dated(1, tags=("Économie",)), dated(2, tags=("Economie",))]
    names = {build_taxonomy("tags", newest_first(*order))[0].terms[0].name
             for order in (one, one[::-1])}
    assert names == {"Economie"}


def test_an_article_with_two_spellings_of_one_name_is_listed_once() -> None:
    taxonomy, _ = build_taxonomy("tags", [dated(1, tags=("Port", "port"))])
    assert len(taxonomy.terms[0].articles) == 1


def test_slugs_are_transliterated_to_ascii() -> None:
    taxonomy, _ = build_taxonomy("sources", [dated(1, source="Интерфакс")])
    assert taxonomy.terms[0].slug == "interfaks"


def test_slug_collision_keeps_the_plain_slug_for_the_name_used_first() -> None:
    c_sharp = dated(2, tags=("C#",), key_lines={"tags": 4}, src_path="content/sharp.md")
    taxonomy, problems = build_taxonomy("tags", newest_first(dated(1, tags=("C",)), c_sharp))
    slugs = {term.name: term.slug for term in taxonomy.terms}
    assert slugs["C"] == "c"
    assert slugs["C#"].startswith("c-") and len(slugs["C#"]) == len("c-") + 6
    [problem] = problems
    assert (problem.path, problem.line, problem.level) == ("content/sharp.md", 4, "warning")
    assert '"C#" and "C" make the same slug "c"' in problem.message
    assert f"/tags/{slugs['C#']}/" in problem.message


def test_collided_slugs_stay_put_as_newer_articles_arrive() -> None:
    base = [dated(1, tags=("C",)), dated(5, tags=("C#",))]
    before, _ = build_taxonomy("tags", newest_first(*base))
    # Many newer C# articles do not take the plain slug from C, which appeared first.
    more = [dated(10 + i, tags=("C#",)) for i in range(5)]
    after, _ = build_taxonomy("tags", newest_first(*base, *more))
    assert {t.name: t.slug for t in before.terms} == {t.name: t.slug for t in after.terms}


def test_names_without_letters_get_a_slug_and_a_warning() -> None:
    taxonomy, problems = build_taxonomy("tags", [dated(1, tags=("!!!",))])
    assert len(taxonomy.terms[0].slug) == 6
    assert "no letters or digits" in problems[0].message


def test_terms_are_sorted_by_slug() -> None:
    taxonomy, _ = build_taxonomy("tags", [dated(1, tags=("Weather", "Budget", "Labour"))])
    assert [t.slug for t in taxonomy.terms] == ["budget", "labour", "weather"]


def test_categories_merge_and_collide_like_tags() -> None:
    taxonomy, problems = build_taxonomy("categories", newest_first(
        dated(1, categories=("Économie", "C")), dated(2, categories=("economie",)),
        dated(3, categories=("C#",), key_lines={"categories": 5}, src_path="content/s.md"),
    ))
    assert [(t.name, t.url, t.count) for t in taxonomy.terms] == [
        ("C", "categories/c/", 1), ("C#", "categories/c-951a4d/", 1),
        ("economie", "categories/economie/", 2)]
    assert [str(p) for p in problems] == [
        'content/s.md:5: warning: category "C#" and "C" make the same slug "c": "C" was used first '
        'and keeps /categories/c/, "C#" gets /categories/c-951a4d/']
