"""Property tests: random projects, bodies and HTML never break the build's promises.

For any project built from random front matter, file names and bodies: no traceback,
exit code 0 or 1, every error names a file, and ``output/`` is either the complete new
build (equal to a clean build elsewhere) or exactly the previous one. Examples are
derived from the test's name (``derandomize``), so every run and CI see the same ones.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from site_builder.body import BodyError, render_markdown

from .projects import build, tree, write_project
from .test_sanitize import audit

SETTINGS = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GOOD = "---\ntitle: Good\ndate: 2024-01-01\n---\n\nThe previous build.\n"
KEYS = ["title", "date", "updated", "authors", "author", "source", "tags", "summary",
        "image", "original_url", "related", "slug", "lang", "draft", "aliases", "url",
        "categories", "page"]
SNIPPETS = [
    "# Heading", "> quote", "- item", "1. item", "    code", "```", "~~~", "|a|b|\n|-|-|",
    "[link](https://example.org/)", "[x](javascript:alert(1))", "![i](/a.png)", "*em*",
    "**strong**", "`code`", "[^1]", "[^1]: note", "{: #id }", "<div>", "</div>",
    "{:.c}", "{:toc}", "{:n: .c}", "{:", "^", "~~", "[`c`]", "[`c`]: /c",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<iframe src=x>",
    "&amp;", "&#0;", "\\", "---", "***", "<!--", "-->", "\u202e", "\x00", "\r\n", "\ufeff",
]
# An error line: a project-relative file (or config.toml, or --output), then the message.
ERROR = re.compile(r"^(?:content/|templates/|static/|config\.toml|--output)[^\n]*?"
                   r"(?::\d+)?: \S")

text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
scalars = st.one_of(
    text, st.integers(-10**20, 10**20), st.floats(allow_nan=True), st.booleans(), st.none(),
    st.dates().map(str), st.datetimes(timezones=st.just(dt.UTC)).map(str),
    st.sampled_from(["2024-05-02", "2024-02-30", "0001-01-01T00:00:00+14:00", "../x",
                     "CON", "javascript:alert(1)", "a" * 300, "https://example.org/x",
                     "/2008/x.html", "/tags/"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["title", "url", "src",
                                                                  "alt", "x"]), inner,
                                                 max_size=3)), max_leaves=8)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """Return front matter: usually a dumped mapping, sometimes raw text."""
    if draw(st.integers(0, 19)) == 0:
        return "---\n" + draw(text) + "\n---\n"
    meta: dict[str, object] = {}
    if draw(st.integers(0, 2)) == 0:  # valid, with any text in it
        meta = {"title": draw(text.filter(str.strip)), "date": "2024-05-02",
                "tags": draw(st.lists(text, max_size=3)), "summary": draw(text)}
        return "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n"
    if draw(st.integers(0, 7)):
        meta["title"] = draw(st.one_of(text.filter(str.strip), text, values))
        meta["date"] = draw(st.one_of(st.just("2024-05-02"), st.just("2024-05-02"), values))
    for key in draw(st.lists(st.sampled_from(KEYS + ["extra", "Title"]), max_size=3)):
        meta[key] = draw(values)
    try:
        dumped = yaml.safe_dump(meta, allow_unicode=True)
    except yaml.YAMLError:
        dumped = "title: x\n"
    return "---\n" + dumped + "---\n"


body = st.lists(st.one_of(st.sampled_from(SNIPPETS), text), max_size=12).map("\n".join)
safe_name = st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True).map(lambda n: n + ".md")
file_name = st.one_of(
    safe_name, safe_name, safe_name,
    text.filter(lambda n: "/" not in n and "\x00" not in n and 0 < len(n.encode()) < 200
                and n not in (".", "..")).map(lambda n: n + ".md"),
    st.binary(min_size=1, max_size=20).filter(lambda b: b"/" not in b and b"\x00" not in b)
    .map(lambda b: b.decode("utf-8", "surrogateescape") + ".md"),
    st.sampled_from(["a.md", "CON.md", "_x.md", ".hidden.md", "2024-05-02-x.md"]),
)
permalinks = st.sampled_from([
    "/{year}/{month}/{day}/{slug}/", "/{slug}/", "/{slug}", "/{lang}/{slug}.html",
    "/../{slug}/", "/{slug}/{slug}/", "/news/{year}/{slug}/",
])


@SETTINGS
@given(files=st.dictionaries(file_name, st.tuples(front_matter(), body), max_size=4),
       permalink=permalinks)
def test_random_projects_keep_every_promise(
    files: dict[str, tuple[str, str]], permalink: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = (f'title = "T"\nbase_url = "https://example.org/"\n'
                  f"permalink = {permalink!r}\n").replace("'", '"')
        project = write_project(Path(tmp) / "p", {"content/good.md": GOOD}, config=config)
        first, _, _ = build(project)
        previous = tree(project / "output")
        for name, (meta, text_body) in files.items():
            path = project / "content" / name
            try:
                path.write_bytes((meta + text_body).encode("utf-8", "surrogatepass"))
            except OSError:
                continue  # a name this file system refuses
        code, _, err = build(project)  # an exception here is a traceback: the test fails
        event(f"exit code {code}")
        assert code in (0, 1)
        lines = [line for line in err.splitlines() if not line.startswith("build failed:")]
        assert all(ERROR.match(line) for line in lines), lines
        if code == 0:
            clean = Path(tmp) / "clean"
            assert build(project, "--output", str(clean))[0] == 0
            assert tree(project / "output") == tree(clean)
        else:
            assert lines
            assert tree(project / "output") == previous
        # Only the build's own: its cache and the previous build beside the output.
        assert {p.name for p in project.iterdir() if p.name.startswith(".")} <= {
            ".site-builder-cache", ".output.previous"}
        assert first in (0, 1)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.one_of(st.sampled_from(SNIPPETS), text), max_size=30).map("".join))
def test_any_body_renders_or_is_refused_with_a_line(source: str) -> None:
    try:
        rendered = render_markdown(source)
    except BodyError as exc:
        assert 1 <= exc.line <= source.count("\n") + 1
        return
    assert audit(rendered.html) == []


TAGS = ["a", "img", "iframe", "script", "svg", "math", "div", "p", "style", "object",
        "form", "input", "table", "td", "details", "body", "base", "meta", "noscript",
        "template", "textarea", "title", "xmp", "select", "option"]
ATTRIBUTES = ["href", "src", "onerror", "onload", "onclick", "style", "srcdoc", "action",
              "formaction", "xlink:href", "data", "title", "class", "id", "srcset", "poster"]
URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
        "java&#x09;script:alert(1)", "&#106;avascript:alert(1)", "data:text/html,x",
        "vbscript:x", "https://example.org/", "/a", "x\" onerror=\"alert(1)", "'><script>"]
QUOTES = ["", '"', "'"]


@st.composite
def html_fragment(draw: st.DrawFn, depth: int = 0) -> str:
    """Return random, often malformed HTML mixing dangerous tags, attributes and URLs."""
    tag = draw(st.sampled_from(TAGS))
    attributes = ""
    for _ in range(draw(st.integers(0, 3))):
        name, url = draw(st.sampled_from(ATTRIBUTES)), draw(st.sampled_from(URLS))
        opening, closing = draw(st.sampled_from(QUOTES)), draw(st.sampled_from(QUOTES))
        attributes += f" {name}={opening}{url}{closing}"
    inner = "".join(draw(st.lists(
        st.one_of(text, html_fragment(depth + 1)) if depth < 3 else text, max_size=3)))
    close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}", "<!--", "-->"]))
    return f"<{tag}{attributes}>{inner}{close}"


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(html_fragment(), min_size=1, max_size=4).map("\n".join))
def test_no_random_html_keeps_a_way_to_run_script(source: str) -> None:
    try:
        rendered = render_markdown(source)
    except BodyError:
        return
    assert audit(rendered.html) == [], rendered.html
    assert "<script" not in rendered.html.lower()
