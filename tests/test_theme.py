"""The default theme's reading details: highlighted code, Markdown summaries, credit lines,
the front page's lead story and the pictures in listings."""

from __future__ import annotations

import re

import pytest

from site_builder.body import render_markdown

from .conftest import PROJECT_ROOT

SITE_CSS = PROJECT_ROOT / "site_builder" / "static" / "site.css"


# --- code -------------------------------------------------------------------------

def test_fenced_code_is_highlighted_with_css_classes() -> None:
    html = render_markdown("```python\nimport os  # the module\nprint('<b>')\n```\n").html
    assert html.startswith('<div class="codehilite"><pre><span></span><code>'
                           '<span class="kn">import</span>')
    assert '<span class="c1"># the module</span>' in html
    # Escaped once, and no inline styles: the theme's stylesheet colours the classes.
    assert "&lt;b&gt;" in html and "style=" not in html


def test_code_without_a_language_is_not_guessed() -> None:
    html = render_markdown("```\nSELECT * FROM votes;\n```\n").html
    assert html == ('<div class="codehilite"><pre><span></span><code>SELECT * FROM votes;\n'
                    "</code></pre></div>")


def test_indented_code_keeps_its_first_line_and_its_attributes() -> None:
    # The stock pass would take ":::python" as the language and drop the line.
    html = render_markdown("    :::python\n    x = 1\n{: .listing #code-1}\n").html
    assert html == ('<div id="code-1" class="listing codehilite"><pre><span></span><code>'
                    ":::python\nx = 1\n</code></pre></div>")


def test_highlighting_survives_sanitising() -> None:
    text = "```js\nconst a = \"x\";\n```\n"
    assert render_markdown(text).html == render_markdown(text, unsafe_html=True).html
    assert '<span class="kd">const</span>' in render_markdown(text).html


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """Return the WCAG contrast ratio of two ``#rrggbb`` colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_code_colours_are_readable_in_light_and_dark() -> None:
    css = SITE_CSS.read_text()
    dark_at = css.index("@media (prefers-color-scheme: dark)", css.index(".codehilite ."))
    backgrounds = re.findall(r"--code-bg: (#[0-9a-f]{6});", css)
    assert len(backgrounds) == 2  # light, then dark
    for part, background in ((css[:dark_at], backgrounds[0]), (css[dark_at:], backgrounds[1])):
        colours = re.findall(r"\.codehilite \.[a-z0-9]+[^{]*\{ color: (#[0-9a-f]{6})", part)
        assert len(colours) > 5
        for colour in colours:
            assert contrast(colour, background) >= 4.5, (colour, background)


@pytest.mark.parametrize("token", ["k", "s", "c1", "mi", "nb"])
def test_common_tokens_have_a_colour_in_both_schemes(token: str) -> None:
    css = SITE_CSS.read_text()
    dark_at = css.index("@media (prefers-color-scheme: dark)", css.index(".codehilite ."))
    selector = re.compile(rf"\.codehilite \.{token}[ ,{{]")
    assert selector.search(css[:dark_at]) and selector.search(css[dark_at:])
