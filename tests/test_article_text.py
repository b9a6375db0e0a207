"""Scraped article text: every fact placed, every unplaced line kept and reported."""

from __future__ import annotations

import datetime as dt

from site_builder.importers.article_text import parse_article_text
from site_builder.model import Image, Related

from .conftest import seed_file

ARTICLE = """\
# Ночной паром отменён

By [Jane Doe](https://example.org/authors/jane) and [Reuters](#)

22 августа 2018 г.

![Паром у причала](https://example.org/ferry.jpg)

**Паром у причала (Фото: Иван Петров)**

Первый абзац.

**Related article:** [Port strike begins](https://example.org/strike), [Talks](#)

Второй абзац.

Original url: <https://example.org/ru/ferry>
"""


def test_seed_gives_every_fact() -> None:
    article, problems = parse_article_text(seed_file().read_text(), "seed.txt")
    assert problems == []
    assert article is not None
    assert article.title == "Afghanistan Calls on Russia to Help Press Taliban Into Peace Talks"
    assert article.date == dt.date(2018, 8, 22)
    assert article.source == "Reuters" and article.authors == ()
    assert article.image == Image(caption="Sergei Lavrov and Mohammad Hanif Atmar",
                                  credit="Artyom Korotayev / TASS")
    assert article.related == (
        Related("Safe But Not Welcomed, Afghan Refugees Build New Lives in Russia"),)
    assert article.original_url == ("https://www.themoscowtimes.com/2018/08/22/"
                                    "afghanistan-calls-on-russia-to-press-taliban-a62625")
    paragraphs = article.body.strip().split("\n\n")
    assert len(paragraphs) == 12
    assert paragraphs[0].startswith("Afghanistan hopes Russia can press Taliban")
    assert paragraphs[-1].endswith("which began with a U.S. invasion in 2001.")
    assert "Related" not in article.body and "Original url" not in article.body


def test_people_agencies_images_and_russian_dates() -> None:
    article, problems = parse_article_text(ARTICLE, "ferry.txt")
    assert problems == []
    assert article is not None
    assert article.date == dt.date(2018, 8, 22)
    assert article.authors == ("Jane Doe",) and article.source == "Reuters"
    assert article.image == Image(src="https://example.org/ferry.jpg", alt="Паром у причала",
                                  caption="Паром у причала", credit="Фото: Иван Петров")
    # A real URL is kept; a placeholder link keeps only its title.
    assert article.related == (Related("Port strike begins", "https://example.org/strike"),
                               Related("Talks"))
    assert article.body == "Первый абзац.\n\nВторой абзац.\n"
    assert article.original_url == "https://example.org/ru/ferry"


def test_configured_agencies_go_to_source() -> None:
    text = "# T\n\nBy Meduza\n\nMay 3, 2024 10:30 pm\n\nBody.\n"
    article, _ = parse_article_text(text, "t.txt", agencies=["meduza"])
    assert article is not None
    assert article.source == "Meduza" and article.authors == ()
    assert article.date == dt.datetime(2024, 5, 3, 22, 30)
    article, _ = parse_article_text(text, "t.txt")
    assert article is not None and article.authors == ("Meduza",)


def test_unplaced_lines_stay_in_the_body_with_a_warning() -> None:
    text = ("# Title\n\nA subtitle nobody expected\n\nBy Reuters\n\nAugust 22, 2018\n\n"
            "Body paragraph.\n\n**Related article:**\n\nOriginal url:\n\n"
            "<https://example.org/a>\n\nShare this article\n")
    article, problems = parse_article_text(text, "odd.txt")
    assert article is not None
    assert [str(p) for p in problems] == [
        "odd.txt:3: warning: cannot place this line between the title and the date line; "
        "kept at the top of the body: 'A subtitle nobody expected'",
        "odd.txt:11: warning: related line without a title; kept in the body: "
        "'**Related article:**'",
        "odd.txt:17: warning: cannot place this line after the original URL; kept at the end "
        "of the body: 'Share this article'",
    ]
    assert article.body == ("A subtitle nobody expected\n\nBody paragraph.\n\n"
                            "**Related article:**\n\nShare this article\n")
    assert article.original_url == "https://example.org/a"


def test_original_url_line_without_url_stays_in_body() -> None:
    text = "# Title\n\nAugust 22, 2018\n\nBody.\n\nOriginal url:\n\nnot a url\n"
    article, problems = parse_article_text(text, "x.txt")
    assert article is not None and article.original_url is None
    assert [p.line for p in problems] == [7]
    assert article.body == "Body.\n\nOriginal url:\n\nnot a url\n"


def test_text_not_in_the_expected_format_is_refused() -> None:
    article, problems = parse_article_text("\nJust some notes\n# Later heading\n", "notes.txt")
    assert article is None
    assert [str(p) for p in problems] == [
        "notes.txt:2: not article text: expected a '# Title' heading as the first line, "
        "got 'Just some notes'"]


def test_missing_date_is_refused() -> None:
    article, problems = parse_article_text("# Title\n\nBy Reuters\n\nBody text.\n", "x.txt")
    assert article is None
    assert [str(p) for p in problems] == [
        "x.txt:1: no date line (like 'August 22, 2018') within 6 lines after the title"]


def test_impossible_date_is_refused_at_its_line() -> None:
    article, problems = parse_article_text("# Title\n\nFebruary 30, 2018\n\nBody.\n", "x.txt")
    assert article is None
    assert [str(p) for p in problems] == ["x.txt:3: impossible date: 'February 30, 2018'"]


def test_empty_file_is_refused() -> None:
    article, problems = parse_article_text("\n\n", "empty.txt")
    assert article is None and problems[0].path == "empty.txt"
