"""Markdown other engines accept keeps its content (``site_builder.compat``).

Each construct is shown twice: what stock Python-Markdown (with the extensions bodies
are rendered with) loses or prints as text, and what the project's converter makes of
it. Real snippets come from ``../shared/migration`` (Hugo, Jekyll) and the corpus (the
ruby-lang.org news, written for kramdown, and the Node.js blog, written for GitHub).
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from site_builder.body import (
    EXTENSION_CONFIGS,
    EXTENSIONS,
    _converter,
    build_converter,
    render_markdown,
)
from site_builder.compat import BACKSLASH_BREAK_RE, STRIKETHROUGH_RE, github_slug, label_key
from site_builder.content import clean_text, split_front_matter

from .conftest import shared_dir
from .projects import build, write_project


def stock(text: str) -> str:
    """Return Python-Markdown's own HTML for ``text``, with the extensions we load."""
    md = markdown.Markdown(extensions=list(EXTENSIONS), extension_configs=EXTENSION_CONFIGS,
                           output_format="html")
    return md.convert(text)


def ours(text: str, heading_ids: str = "ascii") -> str:
    """Return the project's HTML for ``text``, before sanitising."""
    md = _converter(heading_ids)
    md.reset()
    return md.convert(text)


def body_of(path: Path) -> str:
    split = split_front_matter(clean_text(path.read_text("utf-8")), str(path))
    assert isinstance(split, tuple), path
    return split[2]


def paragraph_with(text: str, needle: str) -> str:
    """Return the blank-line-separated block of ``text`` holding ``needle``."""
    return next(block for block in text.split("\n\n") if needle in block)


# --- reference links whose label is code -----------------------------------------

CODE_LABELS = """\
Use [`Arguments::as_str`], [`Arguments::as_str`][] or [the method][`Arguments::as_str`].

[`Arguments::as_str`]: https://doc.rust-lang.org/std/fmt/struct.Arguments.html#method.as_str
"""
AS_STR = "https://doc.rust-lang.org/std/fmt/struct.Arguments.html#method.as_str"


def test_reference_labels_holding_code_become_links() -> None:
    assert "[<code>Arguments::as_str</code>]" in stock(CODE_LABELS)
    assert "<a href" not in stock(CODE_LABELS)
    html = ours(CODE_LABELS)
    link = f'<a href="{AS_STR}"><code>Arguments::as_str</code></a>'
    assert html == f'<p>Use {link}, {link} or <a href="{AS_STR}">the method</a>.</p>'


@pytest.mark.parametrize(("text", "href"), [
    ("[`Foo  Bar`]\n\n[`foo bar`]: /x/", "/x/"),  # case and whitespace, inside code
    ("[`foo bar`]\n\n[``FOO   BAR``]: /x/", "/x/"),  # any number of backticks
    ("[the thing][`Ünïcode`]\n\n[`üNÏCODE`]: /u/", "/u/"),  # Unicode case folding
    ("[Foo bar]\n\n[foo   bar]: /y/", "/y/"),  # whitespace in a definition's label
    ("[a `code` in words]\n\n[A `Code` in words]: /z/", "/z/"),
    ("![`chart`][]\n\n[`chart`]: /chart.png", "/chart.png"),
])
def test_labels_match_as_commonmark_matches_them(text: str, href: str) -> None:
    assert href not in stock(text)
    assert href in ours(text)


@pytest.mark.parametrize("text", [
    "[`nowhere`] and [x][`nowhere`]\n\n[`elsewhere`]: /e/",  # no such definition
    "Plain [brackets] and [`code`] without definitions.",
    "[`defined`]: /d/\n\n`[`defined`]` stays code",
    "[Foo][]\n\n[foo]: /f/",  # what stock already links stays as it is
])
def test_labels_without_a_definition_stay_as_stock_has_them(text: str) -> None:
    assert ours(text) == stock(text)


def test_label_key_is_commonmarks_rule() -> None:
    assert label_key("  `Foo`   Bar\n baz ") == label_key("`` foo `` bar baz") == "`foo` bar baz"
    assert label_key("Straße") == label_key("STRASSE")


def test_hugo_documentation_links_to_functions_by_code_labels() -> None:
    text = body_of(shared_dir("migration") / "hugo/content-management/archetypes.md")
    snippet = paragraph_with(text, "[`strings.Replace`][]") + "\n\n" + paragraph_with(
        text, "[`strings.Replace`]: ")
    assert "[<code>strings.Replace</code>][]" in stock(snippet)
    assert '<a href="/functions/strings/replace/"><code>strings.Replace</code></a>' \
        in ours(snippet)


def test_node_blog_permission_flags_are_links() -> None:
    text = body_of(shared_dir("corpus") / "nodejs-blog/2023-04-18-v20-release-announce.md")
    html = ours(text)
    assert "[<code>" not in html and "</code>][]" not in html
    assert ('<a href="https://nodejs.org/api/cli.html#--allow-fs-read">'
            "<code>--allow-fs-read</code></a>") in html
    assert "[<code>--allow-fs-read</code>][]" in stock(text)


# --- kramdown attribute lines ----------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("## Why\n{: #why-deprecated }\n\nText.", '<h2 id="why-deprecated">Why</h2>\n<p>Text.</p>'),
    ("Title\n=====\n{: .big}", '<h1 class="big" id="title">Title</h1>'),
    ("- a\n- b\n{: .list}", '<ul class="list">\n<li>a</li>\n<li>b</li>\n</ul>'),
    ("1. a\n{: .first}\n2. b",  # the line ends the list, as in kramdown
     '<ol class="first">\n<li>a</li>\n</ol>\n<ol start="2">\n<li>b</li>\n</ol>'),
    ("| a |\n|---|\n| 1 |\n{: .t #n}",
     '<table class="t" id="n">\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n'
     "<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>"),
    ("> quote\n{: .q}", '<blockquote class="q">\n<p>quote</p>\n</blockquote>'),
    ("    code\n{: .code}",
     '<div class="code codehilite"><pre><span></span><code>code\n</code></pre></div>'),
    ("```ruby\nputs 1\n```\n{: .code}",
     '<div class="codehilite code"><pre><span></span><code><span class="nb">puts</span>'
     '<span class="w"> </span><span class="mi">1</span>\n</code></pre></div>'),
    ("<div>\nraw\n</div>\n{: .box}", '<div class="box">\nraw\n</div>'),
    ("Term\n: Definition\n{: .terms}",
     '<dl class="terms">\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>'),
    ("Before.\n\n{: .lead}\nNext one.", '<p>Before.</p>\n<p class="lead">Next one.</p>'),
    ("{:.lead}\nNo space after the colon.", '<p class="lead">No space after the colon.</p>'),
    ("One\n{: .a}\n{: .b data-x=\"1\"}\nTwo", '<p class="a b" data-x="1">One</p>\n<p>Two</p>'),
    ("{:wide: .wide #w}\n\nText.\n{: wide title=\"T\"}",
     '<p class="wide" id="w" title="T">Text.</p>'),
    ("Alone.\n\n{: .nothing}\n\nAfter.", "<p>Alone.</p>\n<p>After.</p>"),
    ("* TOC\n{:toc}\n\n## One\n\n## Two",
     '<div class="toc">\n<ul>\n<li><a href="#one">One</a></li>\n<li><a href="#two">Two</a>'
     '</li>\n</ul>\n</div>\n<h2 id="one">One</h2>\n<h2 id="two">Two</h2>'),
])
def test_attribute_lines_apply_to_their_block(text: str, expected: str) -> None:
    # Stock prints the line as text, or (lists, quotes, definition lists) gives the
    # attributes to the last item inside the block instead of the block itself.
    assert stock(text) != expected
    assert ours(text) == expected


@pytest.mark.parametrize("text", [
    "Paragraph\n{: .c}",  # the last line of a paragraph: attr_list's own
    "## Heading {: #h}",
    "*emphasis*{: .c} and [a link](/x){: .d} and ![i](/i.png){: width=\"70\"}",
    "```\n{: .inside-code}\n```",
    "<div>\n{: .inside-html}\n</div>",
    "Indented\n\n    {: .code-line}",
    "A Ruby hash {:a=>1} in a sentence.",
])
def test_attribute_lists_python_markdown_handles_stay_as_they_are(text: str) -> None:
    assert ours(text) == stock(text)


def test_attribute_lines_are_sanitised() -> None:
    html = render_markdown('Para.\n{: .ok onclick="alert(1)" style="color: red" #fine}').html
    assert html == '<p class="ok" id="fine">Para.</p>'


def test_attribute_lines_of_the_ruby_news_never_show() -> None:
    corpus = shared_dir("corpus") / "ruby-news"
    files = [p for p in sorted(corpus.glob("*.md"))
             if re.search(r"^\{:", p.read_text("utf-8"), re.MULTILINE)]
    assert len(files) > 30
    leaked = 0
    for path in files:
        text = body_of(path)
        leaked += len(re.findall(r"<p>\{:", stock(text)))
        html = re.sub(r"(?s)<pre.*?</pre>|<code>.*?</code>", "", ours(text))
        assert not re.search(r"\{:[^}]*\}", html), path.name
    assert leaked > 30


def test_ruby_news_heading_ids_and_code_classes() -> None:
    corpus = shared_dir("corpus") / "ruby-news"
    html = ours(body_of(corpus / "2008-08-08-multiple-vulnerabilities-in-ruby.en.md"))
    assert '<h3 id="label-3">Lack of taintness check in dl</h3>' in html
    html = ours(body_of(corpus / "2005-07-01-xmlrpcipimethods-vulnerability.en.md"))
    assert ('<div class="code codehilite"><pre><span></span><code>'
            '--- ruby-1.8.2/lib/xmlrpc/utils.rb.orig') in html


def test_end_of_block_markers_keep_lists_and_code_apart() -> None:
    text = "* one\n^\n* two\n^\n\n    code\n\n^\n"
    assert "^" in stock(text)
    assert ours(text) == ("<ul>\n<li>one</li>\n</ul>\n<ul>\n<li>two</li>\n</ul>\n"
                          '<div class="codehilite"><pre><span></span><code>code\n</code></pre>'
                          "</div>")
    assert ours("```\n^\n```") == stock("```\n^\n```")


def test_ruby_news_download_lists_stay_apart() -> None:
    path = shared_dir("corpus") / "ruby-news/2012-12-27-liberado-ruby-1-9-3-p362.es.md"
    text = body_of(path)
    assert "\n^" in stock(text)
    html = ours(text)
    assert "^" not in html
    # Five markers part six download lists, which stock runs into one list.
    assert text.count("\n^\n") == 5
    assert html.count("<ul>") == stock(text).count("<ul>") + 5


def test_summary_is_taken_from_a_paragraph_with_attributes() -> None:
    assert render_markdown("{: .lead}\nThe lead.\n\nMore.").summary == "The lead."


# --- GFM strikethrough, backslash line breaks ----------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("a ~~gone~~ b", "<p>a <del>gone</del> b</p>"),
    ("~~*both*~~", "<p><del><em>both</em></del></p>"),
    ("~~`Symbol#to_s`~~ (reverted)", "<p><del><code>Symbol#to_s</code></del> (reverted)</p>"),
    ("one\\\ntwo", "<p>one<br>\ntwo</p>"),
])
def test_gfm_inline_markup(text: str, expected: str) -> None:
    assert ("~~" in stock(text)) or ("\\" in stock(text))
    assert ours(text) == expected


@pytest.mark.parametrize("text", [
    "~~ spaced ~~ and ~~~tildes~~~ and a~b~c",
    "`~~code~~` and `line\\`",
    "an escaped backslash \\\\\nis no line break",
    "a backslash at the end\\",
    "~~~\nfenced ~~code~~\\\n~~~",
])
def test_gfm_lookalikes_stay_as_stock_has_them(text: str) -> None:
    assert ours(text) == stock(text)


def test_node_release_download_lists_break_lines() -> None:
    text = body_of(shared_dir("corpus") / "nodejs-blog/2015-09-08-v4.0.0.md")
    snippet = paragraph_with(text, "Windows 32-bit Installer:")
    assert "msi \\\n" in stock(snippet)
    html = ours(snippet)
    assert "\\" not in html and html.count("<br>") == snippet.count("\\\n")


def test_hugo_definition_with_a_backslash_break() -> None:
    text = body_of(shared_dir("migration") / "hugo/content-management/content-adapters.md")
    snippet = paragraph_with(text, "Step 2\n")
    assert "fields.\\" in stock(snippet)
    assert "fields.<br>\n" in ours(snippet)


def test_ruby_news_struck_methods() -> None:
    path = shared_dir("corpus") / "ruby-news/2019-11-23-ruby-2-7-0-preview3-released.en.md"
    html = ours(body_of(path))
    assert "<del><code>Symbol#to_s</code></del> (reverted)" in html and "~~" not in html


def test_inline_prefilter_knows_the_new_patterns() -> None:
    from site_builder.body import _required_of

    assert _required_of(STRIKETHROUGH_RE, re.UNICODE) == frozenset({"~~"})
    assert _required_of(BACKSLASH_BREAK_RE, re.UNICODE) == frozenset({"\\\n"})


# --- heading ids -------------------------------------------------------------------

@pytest.mark.parametrize(("heading", "slug"), [
    ("Hello, World!", "hello-world"),
    ("It's `main.go` & more", "its-maingo--more"),
    ("Café Ōsaka", "café-ōsaka"),
    ("Ruby の 新機能", "ruby-の-新機能"),
    ("snake_case -- dash", "snake_case----dash"),
    ("  Ünïcode (3.0) ", "ünïcode-30"),
    ("🎉", ""),
])
def test_github_slug(heading: str, slug: str) -> None:
    assert github_slug(heading) == slug


def test_github_heading_ids() -> None:
    text = ("## Intro\n\n## Intro\n\n## Intro\n\n## Ruby の 新機能\n\n## Don't -- panic\n\n"
            "## Kept {#own}\n\n## Own\n\n## 🎉\n\n## Named\n{: #by-line}")
    ids = re.findall(r'<h2 id="([^"]*)"', ours(text, "github"))
    assert ids == ["intro", "intro-1", "intro-2", "ruby-の-新機能", "dont----panic", "own",
                   "own-1", "section", "by-line"]


def test_ascii_heading_ids_are_the_default_and_unchanged() -> None:
    text = "## Café\n\n## Café\n\n## Ruby の 新機能"
    assert ours(text) == stock(text)
    assert re.findall(r'id="([^"]*)"', ours(text)) == ["cafe", "cafe_1", "ruby-no-xinjineng"]


def test_heading_ids_setting_reaches_pages_and_their_memo(tmp_path: Path) -> None:
    article = "---\ntitle: T\ndate: 2024-05-02\n---\n\n## Café Ōsaka\n\nSee [above](#café-ōsaka).\n"
    config = 'title = "T"\nbase_url = "https://example.org/"\nsearch = false\n'
    project = write_project(tmp_path / "p", {"content/t.md": article},
                            config + 'heading_ids = "github"\n')
    page = project / "output/2024/05/02/t/index.html"
    assert build(project)[0] == 0
    assert 'id="café-ōsaka"' in page.read_text("utf-8")
    # Same files, other setting: the memoised body must not be reused.
    (project / "config.toml").write_text(config + 'link_check = "warn"\n')
    assert build(project)[0] == 0
    assert 'id="cafe-osaka"' in page.read_text("utf-8")


def test_converters_differ_only_in_heading_ids() -> None:
    text = "## Café\n\n~~x~~ and [`y`]\n\n[`y`]: /y/"
    github, ascii = build_converter("github").convert(text), build_converter().convert(text)
    assert github.replace('id="café"', 'id="cafe"') == ascii
