"""Liquid in Jekyll pages: what becomes Markdown, what is reported, what stays literal."""

from __future__ import annotations

import datetime as dt

import pytest

from site_builder.importers import liquid
from site_builder.importers.markdown_links import rewrite_links

POSTS = {"2010-01-09-name": "/2010/01/09/name.html", "es/2008-11-21-nested": "/es/nested/"}
FILES = {"about.md": "/about/", "assets/x.pdf": "/assets/x.pdf"}


def page(**values: object) -> liquid.Page:
    return liquid.Page(
        site={"url": "https://example.org", "baseurl": "/blog", "title": "The Paper"},
        page={"title": "A story", "url": "/2020/01/02/story.html",
              "date": dt.datetime(2020, 1, 2, 8, 5), "tags": ["a", "b"], **values},
        post_url=POSTS.get, link=FILES.get)


def convert(text: str, **values: object) -> liquid.Converted:
    return liquid.convert(text, page(**values), "post.md", first_line=10)


def text_of(text: str, **values: object) -> str:
    converted = convert(text, **values)
    return liquid.restore(converted.text, converted.raws)


def warnings(text: str) -> list[str]:
    return [f"{p.line}: {p.message}" for p in convert(text).problems]


def test_post_url_gives_the_old_root_relative_path() -> None:
    assert text_of("[a]({% post_url 2010-01-09-name %})") == "[a](/2010/01/09/name.html)"
    assert text_of("[b]({% post_url es/2008-11-21-nested %})") == "[b](/es/nested/)"
    assert not convert("{% post_url 2010-01-09-name %}").problems


def test_unknown_post_is_a_warning_at_its_line() -> None:
    result = convert("line one\n[a]({% post_url 2011-02-03-gone %})")
    assert liquid.restore(result.text, result.raws) == "line one\n[a]()"
    assert [(p.path, p.line, p.level) for p in result.problems] == [("post.md", 11, "warning")]
    assert "no post '2011-02-03-gone'" in result.problems[0].message


def test_link_tag_names_a_source_file() -> None:
    assert text_of("[us]({% link about.md %}) [pdf]({% link assets/x.pdf %})") == \
        "[us](/about/) [pdf](/assets/x.pdf)"
    assert "no file 'missing.md'" in warnings("{% link missing.md %}")[0]
    assert "no literal name" in warnings("{% link {{ page.x }} %}")[0]


@pytest.mark.parametrize(("source", "expected"), [
    ("[a]({{ site.baseurl }}{% post_url 2010-01-09-name %})", "[a](/2010/01/09/name.html)"),
    ("[a]({{ site.url }}{{ site.baseurl }}/about/)", "[a](/about/)"),
    ("[a]({{site.baseurl}}/x.png)", "[a](/x.png)"),
    ("Visit {{ site.url }} today", "Visit https://example.org today"),
    ("[home]({{ site.baseurl }})", "[home](/blog)"),
    ("{{ '/assets/a.png' | relative_url }}", "/assets/a.png"),
    ("{{ 'assets/a.png' | absolute_url }}", "/assets/a.png"),
    ("{{ 'https://cdn.example/a.png' | relative_url }}", "https://cdn.example/a.png"),
    ("{{ page.url | relative_url }}", "/2020/01/02/story.html"),
])
def test_site_addresses_become_root_relative(source: str, expected: str) -> None:
    result = convert(source)
    assert result.text == expected
    assert not result.problems


def test_highlight_becomes_a_fenced_block_without_linenos() -> None:
    source = "Code:\n{% highlight ruby linenos %}\ndef x\n  1\nend\n{% endhighlight %}\nAfter."
    assert text_of(source) == "Code:\n```ruby\ndef x\n  1\nend\n```\nAfter."


def test_highlight_on_one_line_and_with_backticks_inside() -> None:
    assert text_of("See {% highlight sh %}ls{% endhighlight %} here") == \
        "See \n```sh\nls\n```\n here"
    assert text_of("{% highlight md %}\n```\nx\n```\n{% endhighlight %}") == \
        "````md\n```\nx\n```\n````\n"


def test_liquid_inside_highlight_is_evaluated_and_raw_stays_literal() -> None:
    source = ("{%\n  highlight\n  ruby\n%}\n{% assign foo = 'bar' %}\n{% raw\n%}\n"
              "puts \"{{ foo }}\"\n{%\n  endraw\n%}\n{% endhighlight %}")
    result = convert(source)
    assert result.text == '```ruby\nputs "{{ foo }}"\n```\n'
    assert not result.problems


def test_raw_text_is_kept_literally_and_set_apart() -> None:
    result = convert("a {% raw %}{{ site.url }} [x](/y) {% if %}{% endraw %} b")
    assert result.raws == ("{{ site.url }} [x](/y) {% if %}",)
    assert liquid.RAW_START in result.text
    assert liquid.restore(result.text, result.raws) == "a {{ site.url }} [x](/y) {% if %} b"
    assert not result.problems


def test_comment_is_dropped_even_nested_and_with_its_line() -> None:
    source = "One\n{% comment %}x {% comment %}y{% endcomment %} {% if %}{% endcomment %}\nTwo"
    result = convert(source)
    assert result.text == "One\nTwo"
    assert not result.problems
    assert text_of("a {% # inline comment %}b") == "a b"


def test_assign_then_output() -> None:
    result = convert("{%- assign who = 'Tom' | upcase %}\nHi {{- who -}} !")
    assert result.text == "HiTOM!"
    assert not result.problems


@pytest.mark.parametrize(("source", "expected"), [
    ("# {{ page.title }}", "# A story"),
    ("{{ site.title | append: ' online' }}", "The Paper online"),
    ("{{ page.date | date_to_string }}", "02 Jan 2020"),
    ("{{ page.date | date_to_long_string }}", "02 January 2020"),
    ("{{ page.date | date: '%Y/%m' }}", "2020/01"),
    ("{{ page.date }}", "2020-01-02 08:05:00 +0000"),
    ("{{ page.tags | join: ', ' }}", "a, b"),
    ("{{ page.nothing | default: 'none' }}", "none"),
    ("{{ 'a<b' | escape }}", "a&lt;b"),
    ("{{ page.title | capitalize }}", "A story"),
])
def test_expressions_with_a_static_value(source: str, expected: str) -> None:
    result = convert(source, nothing=None)
    assert result.text == expected
    assert not result.problems


@pytest.mark.parametrize("source", [
    "{{ page.missing }}", "{{ site.data.x }}", "{{ content }}", "{{ page.title | shout }}",
    "{{ post.title }}",
])
def test_other_expressions_are_reported_and_removed(source: str) -> None:
    result = convert(f"Before {source} after")
    assert result.text == "Before  after"
    assert len(result.problems) == 1
    assert result.problems[0].line == 10
    assert "not converted" in result.problems[0].message


def test_other_tags_are_reported_and_removed_with_a_line_of_their_own() -> None:
    result = convert("Top\n{% include sig.html %}\nText {% youtube abc %} end\n")
    assert result.text == "Top\nText  end\n"
    assert [p.line for p in result.problems] == [11, 12]
    assert "{% include sig.html %} not converted: removed" in result.problems[0].message


def test_unknown_blocks_keep_their_text_and_warn_once_each() -> None:
    source = ("{% do_nothing %}\n{% for i in (1..3) %}\n  {% if i %}A{% else %}B{% endif %}\n"
              "  {% break %}\n{% endfor %}\n{% enddo_nothing %}\nEnd")
    result = convert(source)
    assert result.text == "  AB\nEnd"
    assert [p.line for p in result.problems] == [10, 11, 12]
    assert all("the text inside kept" in p.message for p in result.problems)


def test_capture_is_dropped_with_its_content_and_its_variable_unknown() -> None:
    result = convert("{% capture x %}hidden{% endcapture %}shown {{ x }}")
    assert result.text == "shown "
    assert len(result.problems) == 2


def test_whitespace_control_strips_around_tags() -> None:
    assert text_of("a   {%- assign x = 1 -%}   b") == "ab"
    assert text_of("a\n\n{{- 'x' -}}\n\nb") == "axb"


def test_unclosed_tags_are_reported_and_leave_no_opener() -> None:
    result = convert("text {% if x\nmore {{ y")
    assert "{%" not in result.text and "{{" not in result.text
    assert len(result.problems) == 2
    unclosed_block = convert("{% if x %}kept")
    assert unclosed_block.text == "kept"
    assert "never closed" in unclosed_block.problems[0].message
    stray = convert("a{% endif %}b")
    assert stray.text == "ab"
    assert "closes no open block" in stray.problems[0].message


def test_no_tag_text_survives_conversion() -> None:
    source = "\n".join([
        "{% include a.html %}", "{% for p in site.posts %}{{ p.title }}{% endfor %}",
        "{% unless x %}y{% endunless %}", "{% gist 123 %}", "{% capture c %}z{% endcapture %}",
        "{% case a %}{% when 1 %}one{% endcase %}", "{% tablerow x in y %}{% endtablerow %}",
    ])
    result = convert(source)
    assert "{%" not in result.text and "{{" not in result.text
    assert all(p.level == "warning" for p in result.problems)


def test_has_liquid() -> None:
    assert liquid.has_liquid("a {{ b }}") and liquid.has_liquid("{% x %}")
    assert not liquid.has_liquid("plain { text }")


# -- links in Markdown ------------------------------------------------------------------


def collect(text: str, markdown: bool = True) -> list[tuple[str, bool]]:
    seen: list[tuple[str, bool]] = []

    def change(href: str, image: bool) -> str | None:
        seen.append((href, image))
        return None

    assert rewrite_links(text, change, markdown=markdown) == text
    return seen


def test_links_images_references_and_html_attributes_are_seen() -> None:
    text = ("[a](/one) ![b](two.png \"t\") [![c](three.png)](/four)\n"
            "[ref][r] ![img][i]\n\n[r]: /five\n[i]: <six seven.png>\n"
            '<a href="/eight">x</a> <img src="nine.jpg">\n')
    assert sorted(collect(text)) == sorted([
        ("/one", False), ("two.png", True), ("three.png", True), ("/four", False),
        ("/five", False), ("six seven.png", True), ("/eight", False), ("nine.jpg", True),
        ("nine.jpg", False)])


def test_code_is_left_alone() -> None:
    text = ("`[a](/in-span)` and ``x `[b](/in-double)` y``\n\n```\n[c](/in-fence)\n```\n"
            "~~~md\n[d](/in-tilde)\n~~~\n[e](/outside)\n")
    assert collect(text) == [("/outside", False)]


def test_rewriting_keeps_titles_brackets_and_fragments() -> None:
    text = '[a](/x "T") [b](<./y z>) [c]: /w\n\n[c]: /w\n<a href="/x">X</a>'
    new = rewrite_links(text, lambda href, image: href.upper() if href != "/w" else "a b",
                        markdown=True)
    assert new == '[a](/X "T") [b](<./Y Z>) [c]: /w\n\n[c]: <a b>\n<a href="/X">X</a>'


def test_html_bodies_see_attributes_only() -> None:
    assert collect('<p>[a](/x) <a href="/y">y</a></p>', markdown=False) == [("/y", False)]
