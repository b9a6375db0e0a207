"""Feed entries: RSS 2.0, Atom and JSON Feed into articles; HTML into faithful Markdown."""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest

from site_builder.body import render_markdown
from site_builder.errors import Problem
from site_builder.importers.feed_entries import html_to_markdown, parse_feed

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Paper</title><link>https://paper.example/</link><language>ru</language>
<item>
  <title>Port strike &amp; talks</title>
  <link>https://paper.example/2024/05/strike</link>
  <pubDate>Thu, 02 May 2024 23:30:00 +0300</pubDate>
  <dc:creator>Jane Doe</dc:creator>
  <category>Labour</category><category>Port</category>
  <description>Dockers stop work.</description>
  <content:encoded><![CDATA[<p>Dockers <b>stop</b> work. See <a href="/talks">talks</a>.</p>
<script>alert(1)</script><h2>Next</h2><ul><li>one</li><li>two</li></ul>]]></content:encoded>
</item>
<item>
  <title>Wire story</title>
  <link>https://paper.example/2024/05/wire</link>
  <pubDate>Fri, 03 May 2024 08:00:00 GMT</pubDate>
  <author>desk@paper.example (Reuters)</author>
  <description>&lt;p&gt;Only a description.&lt;/p&gt;</description>
</item>
</channel></rss>
"""

ATOM_WITHOUT_DATE_AND_TITLE = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><id>urn:f</id>
<updated>2024-05-01T00:00:00Z</updated>
<entry><title>Good</title><id>urn:1</id><link href="https://f.example/good"/>
  <updated>2024-05-01T10:00:00+02:00</updated>
  <content type="html">&lt;p&gt;Fine.&lt;/p&gt;</content>
</entry>
<entry><title>Undated</title><id>urn:2</id><link href="https://f.example/undated"/>
  <content type="text">No date here.</content>
</entry>
<entry><id>urn:3</id><link href="https://f.example/untitled"/>
  <published>2024-05-02T10:00:00Z</published><content type="text">No title.</content>
</entry>
</feed>
"""


def test_rss_entry_fields() -> None:
    articles, problems = parse_feed(RSS, "paper.xml")
    assert problems == []
    first, second = articles
    assert first.title == "Port strike & talks"
    # The feed's offset is kept, so the article is filed under its local day.
    assert first.date == dt.datetime(2024, 5, 2, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert first.authors == ("Jane Doe",) and first.source is None
    assert first.tags == ("Labour", "Port")
    assert first.summary == "Dockers stop work."
    assert first.original_url == "https://paper.example/2024/05/strike"
    assert first.lang == "ru"
    assert first.body == ("Dockers **stop** work. See [talks](https://paper.example/talks).\n\n"
                          "## Next\n\n- one\n- two\n")
    assert "alert" not in first.body
    assert first.label == "paper.xml: entry 1 (https://paper.example/2024/05/strike)"
    assert (first.origin, first.origin_line) == ("paper.xml", 5)
    # An agency named as the author is the source; a lone description is the body.
    assert second.source == "Reuters" and second.authors == ()
    assert second.body == "Only a description.\n" and second.summary is None


def test_json_feed_entry_fields() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1", "title": "J",
        "home_page_url": "https://j.example/", "language": "en",
        "items": [{
            "id": "1", "url": "https://j.example/one", "title": "One",
            "content_html": "<p>Hello <em>world</em></p>", "summary": "Greeting",
            "date_published": "2024-05-02T08:00:00-04:00",
            "date_modified": "2024-05-03T08:00:00-04:00",
            "authors": [{"name": "Ann Lee"}, {"name": "AP"}], "tags": ["a", "b"],
        }, {
            "id": "2", "url": "https://j.example/two", "title": "Two",
            "content_text": "Plain *text*.", "date_published": "2024-05-04T08:00:00Z",
            "author": {"name": "Bob"}, "language": "de",
        }],
    }
    articles, problems = parse_feed(json.dumps(feed).encode(), "feed.json")
    assert problems == []
    one, two = articles
    assert (one.title, one.body, one.summary) == ("One", "Hello *world*\n", "Greeting")
    assert one.date.isoformat() == "2024-05-02T08:00:00-04:00"
    assert one.updated is not None and one.updated.isoformat() == "2024-05-03T08:00:00-04:00"
    assert one.authors == ("Ann Lee",) and one.source == "AP"
    assert one.tags == ("a", "b") and one.lang == "en"
    assert one.original_url == "https://j.example/one"
    assert two.authors == ("Bob",) and two.lang == "de" and two.body == "Plain *text*.\n"


def test_entries_without_date_or_title_are_refused_one_message_each() -> None:
    articles, problems = parse_feed(ATOM_WITHOUT_DATE_AND_TITLE, "f.xml")
    assert [a.title for a in articles] == ["Good"]
    assert [str(p) for p in problems] == [
        "f.xml:8: entry 2 (https://f.example/undated): no date (neither published nor "
        "updated); not imported",
        "f.xml:11: entry 3 (https://f.example/untitled): no title; not imported",
    ]


@pytest.mark.parametrize(("data", "line", "reason"), [
    (b"<html><body><p>Not a feed</p></body></html>", None, ""),
    (b"<?xml version='1.0'?>\n<rss version='2.0'><channel>\n<title>x</titl", 3,
     ": unclosed token"),
    (b'{"items": [', 1, ": invalid JSON: Expecting value"),
    (b'{"title": "no version", "items": []}', None,
     ": JSON without a 'version' of https://jsonfeed.org/version/1 or 1.1"),
    (b"\xff\xfe garbage", 1, ": syntax error"),
])
def test_feed_that_does_not_parse_gives_one_message(
    data: bytes, line: int | None, reason: str
) -> None:
    articles, problems = parse_feed(data, "f.xml")
    assert articles == []
    assert problems == [Problem("f.xml", line, f"not an RSS, Atom or JSON feed{reason}")]


def test_feed_that_is_not_well_formed_keeps_what_can_be_read() -> None:
    data = (b"<?xml version='1.0'?>\n<rss version='2.0'><channel><title>T</title>\n<item>"
            b"<title>A&nbsp;b</title><link>https://e.org/1</link>"
            b"<pubDate>Wed, 22 Aug 2018 10:00:00 +0300</pubDate></item></channel></rss>")
    articles, problems = parse_feed(data, "f.xml")
    assert [a.title for a in articles] == ["A b"]
    assert [str(p) for p in problems] == [
        "f.xml:3: warning: the feed is not well-formed (undefined entity); imported the "
        "entries that could be read"]


@pytest.mark.parametrize("text", [
    "1. not a list", "# not a heading", "- not a bullet", "> not a quote",
    "<div>not a tag</div>", "&amp; stays &amp;", "a < b & c > d", "[not](a link)",
    "*not emphasis*", "snake_case_name", "back\\slash", "`not code`", "+ plus",
])
def test_html_text_survives_the_trip_through_markdown(text: str) -> None:
    markdown = html_to_markdown(f"<p>{html.escape(text)}</p>")
    rendered = render_markdown(markdown).html
    assert html.unescape(rendered.removeprefix("<p>").removesuffix("</p>")) == text


def test_relative_links_resolve_against_the_entry() -> None:
    markdown = html_to_markdown('<p><a href="/a">a</a> <img src="i.png" alt="i"> '
                                '<a href="#n">n</a></p>', "https://x.example/news/1")
    assert markdown == "[a](https://x.example/a) ![i](https://x.example/news/i.png) [n](#n)\n"


def test_only_web_mail_and_page_links_survive() -> None:
    markdown = html_to_markdown(
        '<p><a href="javascript:alert(1)">x</a> <a href="java&#10;script:alert(1)">y</a> '
        '<img src="data:image/png;base64,AA" alt="pic"> <a href="mailto:desk@x.example">m</a> '
        '<a href="#note">n</a> <a href="/page">p</a></p>')
    assert markdown == "x y pic [m](mailto:desk@x.example) [n](#note) [p](/page)\n"
