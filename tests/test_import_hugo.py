"""Hugo sites into imported articles: shortcodes, front matter, paths, bundles, the shared docs."""

from __future__ import annotations

import dataclasses
import re
import typing as t

import pytest

from site_builder.body import DEFAULT_EMBED_HOSTS, render_markdown
from site_builder.importers.hugo_shortcodes import code_regions, convert

# --- shortcodes -------------------------------------------------------------------------

@dataclasses.dataclass
class Pages:
    """A stand-in for the site: old paths by target, parameters."""

    paths: dict[str, str] = dataclasses.field(default_factory=lambda: {
        "other.md": "/2024/05/other/", "posts/other": "/2024/05/other/"})
    params: dict[str, object] = dataclasses.field(default_factory=lambda: {"desk": "City"})
    embed_hosts: tuple[str, ...] = DEFAULT_EMBED_HOSTS

    def ref(self, target: str, lang: str | None) -> str | None:
        path, _, anchor = target.partition("#")
        found = self.paths.get(path)
        return None if found is None else found + (f"#{anchor}" if anchor else "")

    def param(self, name: str) -> object:
        return self.params.get(name)


def shortcodes(text: str, **site: t.Any) -> tuple[str, list[tuple[int, str]]]:
    return convert(text, Pages(**site))


def delimiters_outside_code(markdown: str) -> list[str]:
    """Return what follows each ``{{<`` or ``{{%`` not inside a code block or span."""
    regions = code_regions(markdown)
    return [markdown[m.start():m.start() + 40] for m in re.finditer(r"\{\{[<%]", markdown)
            if not any(start <= m.start() < end for start, end in regions)]


@pytest.mark.parametrize("text", [
    '[the talks]({{< ref "other.md" >}})',
    '[the talks]({{< relref "other.md" >}})',
    '[the talks]({{% relref "other.md" %}})',
    '[the talks]({{< ref path="other.md" >}})',
    "[the talks]({{<ref other.md>}})",
])
def test_ref_and_relref_become_the_old_root_relative_path(text: str) -> None:
    assert shortcodes(text) == ("[the talks](/2024/05/other/)", [])


def test_ref_keeps_the_anchor_and_reports_a_missing_target() -> None:
    assert shortcodes('{{< ref "posts/other#timeline" >}}')[0] == "/2024/05/other/#timeline"
    text, warnings = shortcodes('Intro.\n\nSee [it]({{< ref "gone.md" >}}).')
    assert text == "Intro.\n\nSee [it](gone.md)."
    assert warnings == [(3, "shortcode 'ref': no page 'gone.md' in the site; the target is "
                            "kept as written")]


def test_figure_becomes_a_figure_with_caption_and_credit() -> None:
    text, warnings = shortcodes(
        'Before.\n\n{{< figure src="/img/crane.jpg" alt="A crane" title="Harbour"\n'
        '   caption="The *quiet* port" attr="J. Roe" attrlink="https://roe.example/"\n'
        '   link="https://port.example/" width="640" class="wide" >}}\n\nAfter.')
    assert warnings == []
    assert text == (
        'Before.\n\n<figure class="wide"><a href="https://port.example/"><img '
        'src="/img/crane.jpg" alt="A crane" width="640"></a><figcaption><strong>Harbour'
        '</strong> The <em>quiet</em> port <span class="credit">(<a href="https://roe.example/">'
        'J. Roe</a>)</span></figcaption></figure>\n\nAfter.')
    html = render_markdown(text).html
    assert '<figcaption><strong>Harbour</strong> The <em>quiet</em> port' in html
    assert "<p><figure" not in html


def test_figure_alt_falls_back_to_the_caption_and_a_figure_in_a_line_is_set_apart() -> None:
    text, _ = shortcodes('Look: {{< figure "x.jpg" caption="A **bold** view" >}} there')
    assert text == ('Look: \n\n<figure><img src="x.jpg" alt="A bold view"><figcaption>A '
                    '<strong>bold</strong> view</figcaption></figure>\n\n there')


@pytest.mark.parametrize(("text", "src"), [
    ("{{< youtube dQw4w9WgXcQ >}}", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    ('{{< youtube id="dQw4w9WgXcQ" start="30" autoplay=true >}}',
     "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30&amp;autoplay=1"),
    ("{{< vimeo 55073825 >}}", "https://player.vimeo.com/video/55073825"),
    ('{{% vimeo id="55073825" title="Harbour" %}}', "https://player.vimeo.com/video/55073825"),
])
def test_videos_become_embeds_the_sanitiser_keeps(text: str, src: str) -> None:
    converted, warnings = shortcodes(text)
    assert warnings == []
    rendered = render_markdown(converted)
    assert rendered.removed_embeds == ()
    assert f'<iframe src="{src}"' in rendered.html


def test_videos_become_links_when_no_embed_host_allows_them() -> None:
    text, warnings = shortcodes("{{< youtube abc >}}\n\n{{< vimeo 1 >}}", embed_hosts=())
    assert text == ("[YouTube video](https://www.youtube.com/watch?v=abc)\n\n"
                    "[Vimeo video](https://vimeo.com/1)")
    assert [line for line, _ in warnings] == [1, 3]
    only_youtube, _ = shortcodes("{{< youtube abc >}}", embed_hosts=("www.youtube.com",))
    assert 'src="https://www.youtube.com/embed/abc"' in only_youtube


def test_highlight_becomes_a_fenced_block_that_keeps_escapes_literal() -> None:
    text, warnings = shortcodes(
        'Code:\n{{< highlight go "linenos=table,hl_lines=2" >}}\nfmt.Println("{{</* ref x */>}}")'
        "\n```\n{{< /highlight >}}\nDone.")
    assert warnings == []
    assert text == ('Code:\n\n````go\nfmt.Println("{{< ref x >}}")\n```\n````\n\nDone.')
    assert '<pre><code class="language-go">fmt.Println("{{&lt; ref x &gt;}}")' in \
        render_markdown(text).html


def test_escaped_shortcodes_are_literal_text_in_code_and_in_prose() -> None:
    text, warnings = shortcodes(
        "Use `{{</* figure src=x */>}}`.\n\n```md\n{{%/* note */%}}\n```\n\n"
        "Or write {{</* youtube ID */>}} and {{%/* x */%}}; nested: {{</*/* a */*/>}}.")
    assert warnings == []
    assert text.startswith("Use `{{< figure src=x >}}`.\n\n```md\n{{% note %}}\n```\n\n")
    assert delimiters_outside_code(text) == []
    html = render_markdown(text).html
    assert "<code>{{&lt; figure src=x &gt;}}</code>" in html
    assert "Or write {{&lt; youtube ID &gt;}} and {{% x %}}; nested: {{&lt;/* a */&gt;}}." in html


def test_unknown_shortcodes_are_removed_keeping_inner_text_and_reported() -> None:
    text, warnings = shortcodes(
        "One.\n\n{{< tweet-card 123 >}}\n\n{{% notice warning %}}\nThe port is **closed**.\n"
        "{{% /notice %}}\n\n{{< new-in 0.136.0 />}}\n\nToday {{< time.inline >}}{{ now }}"
        "{{< /time.inline >}}.\n\n{{< /stray >}}")
    assert re.sub(r"\n{3,}", "\n\n", text) == "One.\n\nThe port is **closed**.\n\nToday .\n\n"
    assert warnings == [
        (3, "shortcode 'tweet-card' not converted; removed: {{< tweet-card 123 >}}"),
        (5, "shortcode 'notice' not converted; removed (its inner text is kept): "
            "{{% notice warning %}}"),
        (9, "shortcode 'new-in' not converted; removed: {{< new-in 0.136.0 />}}"),
        (11, "shortcode 'time.inline' not converted (inline template code); removed with its "
             "content: {{< time.inline >}}"),
        (13, "shortcode 'stray': closing tag without an opening tag; removed: "
             "{{< /stray >}}"),
    ]


def test_an_opening_tag_without_closing_tag_stands_alone() -> None:
    text, warnings = shortcodes("{{< aside >}}\nText {{< ref other.md >}}.")
    assert text == "\nText /2024/05/other/."
    assert [m for _, m in warnings] == ["shortcode 'aside' not converted; removed: "
                                        "{{< aside >}}"]


def test_details_comment_and_param() -> None:
    text, warnings = shortcodes(
        '{{< details summary="See *more*" open=true >}}\nSome **bold**.\n{{< /details >}}\n\n'
        "{{< comment >}}Editor's note{{< /comment >}}At the {{< param desk >}} desk"
        "{{< param missing >}}.")
    html = render_markdown(text).html
    assert '<details markdown="1" open>' in text
    assert html.startswith("<details>\n<summary>See <em>more</em></summary>\n"
                           "<p>Some <strong>bold</strong>.</p>\n</details>")
    assert "<p>At the City desk.</p>" in html
    assert warnings == [(5, "shortcode 'param': no parameter 'missing' with a text value; "
                            "removed")]


def test_social_embeds_become_links_with_a_warning() -> None:
    text, warnings = shortcodes('{{< x user="SanDiegoZoo" id="1453110110599868418" >}}\n'
                                "{{< instagram CxOWiQNP2MO >}}\n{{< gist spf13 7896402 >}}")
    assert text == ("<https://x.com/SanDiegoZoo/status/1453110110599868418>\n"
                    "<https://www.instagram.com/p/CxOWiQNP2MO/>\n"
                    "<https://gist.github.com/spf13/7896402>")
    assert [line for line, _ in warnings] == [1, 2, 3]
    assert all("replaced by a link" in message for _, message in warnings)


def test_arguments_quoted_raw_and_bare() -> None:
    text, _ = shortcodes('{{< figure src=a.jpg caption="Say \\"hi\\"" alt=`two\nlines` >}}')
    assert 'alt="two\nlines"' in text
    assert "Say &quot;hi&quot;" in text or 'Say "hi"' in text


def test_malformed_shortcode_is_kept_as_text_and_reported() -> None:
    text, warnings = shortcodes('Text {{< figure src="open >}}\nmore')
    assert delimiters_outside_code(text) == []
    assert "{{&lt; figure" in render_markdown(text).html
    assert warnings == [(1, "cannot read this shortcode; kept as text: "
                            '{{< figure src="open >}}')]


def test_text_without_shortcodes_is_unchanged() -> None:
    text = "Go templates stay: {{ .Title }} and {{- x -}}.\n"
    assert shortcodes(text) == (text, [])
