"""Markdown bodies: the faster inline pass gives exactly Python-Markdown's own output.

Both sides load the same extensions (Python-Markdown's and the project's own); only the
inline pass differs. What the project's extensions change is tested in
``test_markdown_compat.py``.
"""

from __future__ import annotations

import random
import re
import typing as t

import markdown
import pytest

from site_builder.body import build_converter
from site_builder.content import clean_text, split_front_matter

from .conftest import shared_dir

SAMPLES = [
    "Plain text with no markup at all.",
    "It's \"quoted\" -- and --- dashed... 'single' and the '80s.",
    "*em* **strong** ***both*** _u_ __uu__ not * a star and x_y_z",
    "`code 'quote'` [link](http://x.org/ \"t\") ![img](a.png) <http://auto.link> <b>raw</b>",
    "Line break  \nand &amp; entity &copy; and \\*escaped\\* and a footnote[^1].\n\n[^1]: Note.",
    "| a | b |\n|---|---|\n| 'x' | \"y\" |",
    "# Heading 'one'\n\n> quote -- here\n\n- item...\n- item 'two'",
    '"\'Quoted\' words in a larger quote."',
    "~~struck *em*~~ and ~~~ and a line\\\nbroken and [`code`][] [x][`Code`]\n\n[`code`]: /c/",
    "## Heading\n{: #kept .c}\n\n{:.next}\npara\n\n| a |\n|---|\n| b |\n{: .table}",
    "* one\n^\n* two\n\n![i](/i.png){:\n.icon}\n{: .float}",
]


def unfiltered() -> markdown.Markdown:
    """Return the converter bodies are rendered with, with Python-Markdown's inline pass."""
    return build_converter(prefilter=False)


@pytest.mark.parametrize("text", SAMPLES)
def test_output_equals_python_markdowns_inline_pass(text: str) -> None:
    ours = build_converter()
    assert ours.convert(text) == unfiltered().convert(text)


def test_corpus_sample_equals_python_markdowns_inline_pass() -> None:
    corpus = shared_dir("corpus")
    files = sorted(corpus.glob("*/*.md"))
    random.Random(6).shuffle(files)
    reference, ours = unfiltered(), build_converter()
    for path in files[:120]:
        split = split_front_matter(clean_text(path.read_text("utf-8")), str(path))
        assert isinstance(split, tuple)
        body = split[2]
        reference.reset()
        ours.reset()
        assert ours.convert(body) == reference.convert(body), path.name


@pytest.mark.parametrize(("source", "expected"), [
    (r"(?<!-)---(?!-)", {"---"}),
    (r"(?<!\.)\.{3}(?!\.)", {"..."}),
    (r"(\s|&nbsp;|--)'(?=\w)", {"'"}),
    (r"(\*|_)\w", {"*", "_"}),
    (r"\[\^([^\]]*)\]", {"[^"}),
    (r"[ab]c*", {"a", "b"}),
    (r"x*y?", None),
    (r"(?i)abc", None),
    (r"\w+", None),
])
def test_required_strings_of_a_pattern(source: str, expected: set[str] | None) -> None:
    from site_builder.body import _required_of

    flags = re.compile(source).flags
    found = _required_of(source, flags)
    assert (set(found) if found is not None else None) == expected


def test_triggers_find_every_text_a_pattern_matches() -> None:
    from site_builder.body import _PrefilteredInlineProcessor, _triggers_of

    corpus = shared_dir("corpus")
    lines = [line for path in sorted(corpus.glob("ruby-news/*.en.md"))[:150]
             for line in path.read_text("utf-8").splitlines()]
    for processor in build_converter().treeprocessors:
        if not isinstance(processor, _PrefilteredInlineProcessor):
            continue
        patterns: list[t.Any] = list(processor.inlinePatterns)
        triggers = _triggers_of(patterns)
        assert triggers is not None
        for line in lines:
            if any(p.compiled_re.search(line) for p in patterns):
                assert triggers.search(line), line
