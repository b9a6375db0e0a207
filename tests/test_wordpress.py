"""``site-builder import --from wordpress``: WXR exports read streaming, safely, completely."""

from __future__ import annotations

import collections
import functools
import http.server
import re
import threading
import tracemalloc
import typing as t
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import frontmatter
import pytest

from site_builder import build, load_config
from site_builder.cli import main
from site_builder.importers import wordpress, wordpress_body
from site_builder.importers.imported import ImportedArticle, section_of
from site_builder.importers.writing import import_site

from .conftest import make_config, shared_dir

SMALL = Path(__file__).parent / "importing" / "wordpress-small.xml"
WP = "{http://wordpress.org/export/1.2/}"


def new_project(tmp_path: Path, extra: str = "") -> Path:
    project = tmp_path / "site"
    project.mkdir(parents=True)
    (project / "config.toml").write_text(
        f'title = "Archive"\nbase_url = "https://example.org/"\n{extra}')
    return project


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def articles_of(path: Path, project: Path) -> tuple[list[ImportedArticle], t.Any]:
    site = wordpress.read_site(path, make_config(project))
    return list(site.all_articles()), site


def front(project: Path, rel: str) -> dict[str, t.Any]:
    return dict(frontmatter.load(project / "content" / rel).metadata)


# --- the small export ---------------------------------------------------------------------


def test_posts_pages_and_drafts_carry_every_mapped_field(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    articles, site = articles_of(SMALL, project)
    by_title = {a.title: a for a in articles}
    assert sorted(by_title) == ["About us", "Ferry timetable changes", "Harbour works begin",
                                "Notes for the quay story"]
    ferry = by_title["Ferry timetable changes"]
    assert ferry.date.isoformat() == "2023-03-05T23:30:00+01:00"
    assert ferry.authors == ("Anna Berg",)
    assert ferry.categories == ("Port", "Transport & Travel")
    assert ferry.tags == ("ferry", "Islands")
    assert ferry.summary == "New night times."
    assert ferry.slug == "ferry-timetable"
    assert ferry.sticky and not ferry.draft and not ferry.page
    assert ferry.image is not None
    assert (ferry.image.src, ferry.image.alt, ferry.image.caption) == (
        "https://news.example/blog/wp-content/uploads/2023/03/ferry.jpg", "The ferry",
        "The ferry at dawn")
    assert ferry.original_url == "https://news.example/blog/2023/03/05/ferry-timetable/"
    assert ferry.old_path == "2023/03/05/ferry-timetable/"
    assert ferry.aliases == ("2023/03/05/new-ferry-times/",)
    assert ferry.extra == {"format": "image", "source_desk": "Islands desk"}
    assert ferry.lang == "en-GB"
    assert ferry.media == (
        "https://news.example/blog/wp-content/uploads/2023/03/ferry.jpg",
        "https://news.example/blog/wp-content/uploads/2023/03/pier.png")
    about = by_title["About us"]
    assert about.page and about.slug == "About" and about.old_path == "about/"
    draft = by_title["Notes for the quay story"]
    assert draft.draft and draft.old_path is None and draft.slug is None
    # Offsets differ across the export (summer time), so the draft's local time is read
    # in the site's time zone.
    assert draft.date.isoformat() == "2023-04-02T18:15:00+00:00"
    assert site.proposed == {"permalink": "/{year}/{month}/{day}/{slug}/"}
    assert site.unmapped == {"format": 1, "source_desk": 1}


def test_every_item_and_comment_is_accounted_for(tmp_path: Path) -> None:
    _, site = articles_of(SMALL, new_project(tmp_path))
    items = len(ElementTree.parse(SMALL).getroot().findall("channel/item"))
    comments = len(ElementTree.parse(SMALL).getroot().findall(f"channel/item/{WP}comment"))
    assert len(site.accounted) == items + comments
    kinds = collections.Counter((a.kind, a.reason) for a in site.accounted)
    assert kinds == {
        ("article", None): 2, ("page", None): 1, ("draft", None): 1, ("asset", None): 2,
        ("skipped", "comment (not imported)"): 2,
        ("skipped", "password-protected"): 1,
        ("skipped", "navigation menu item"): 1,
        ("skipped", "reusable block (inlined where it is used)"): 1,
    }
    assert all(a.path.startswith(f"{SMALL}:") for a in site.accounted)


def test_bodies_become_the_html_wordpress_showed(tmp_path: Path) -> None:
    articles, site = articles_of(SMALL, new_project(tmp_path))
    by_title = {a.title: a for a in articles}
    ferry = by_title["Ferry timetable changes"].body
    assert ferry.startswith("<p>The night ferry now leaves at <strong>23:40</strong>.<br />\n"
                            "It stops at every island.</p>\n")
    assert ('<figure class="wp-caption aligncenter" id="attachment_21"><img ' in ferry
            and '<figcaption class="wp-caption-text">The ferry at dawn</figcaption></figure>'
            in ferry)
    assert '<figure class="gallery wp-block-gallery columns-2">' in ferry
    assert ferry.count('class="gallery-item"') == 2
    assert '<iframe src="https://www.youtube.com/embed/abcdefghijk"' in ferry
    assert "<!--more-->" not in ferry and ferry.endswith("<p>Tickets are sold on board.</p>\n")
    works = by_title["Harbour works begin"].body
    assert "<!-- wp:" not in works
    assert '<iframe src="https://player.vimeo.com/video/123456789"' in works
    assert "<figcaption>Drone view</figcaption>" in works
    assert '<audio controls><source src="https://news.example/blog/wp-content/uploads/2023/04/' \
           'horn.mp3" /></audio>' in works
    assert "<p>Harbour News, reporting from the quay.</p>" in works  # the reusable block
    assert '<li id="f1">Weather permitting. <a href="#f1-link">' in works
    messages = [(p.line, p.message) for p in site.problems]
    assert messages == [
        (203, "post 13: password-protected; not imported"),
        (36, "post 10: shortcode [pullquote] is not converted; kept as text"),
        (149, "post 11: dynamic blocks that WordPress renders when it serves the page are "
              "left out: latest-posts"),
    ]
    assert {p.level for p in site.problems} == {"warning"}


def test_small_export_imports_builds_and_imports_again_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = new_project(tmp_path)
    assert main(["import", "--from", "wordpress", str(SMALL), "--project", str(project)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-6:] == [
        "Imported from wordpress: 2 articles, 1 pages, 1 drafts, 2 assets, 5 skipped "
        "(comment (not imported): 2, navigation menu item: 1, password-protected: 1, "
        "reusable block (inlined where it is used): 1).",
        "Note: pages are written to content/pages/ with 'page: true': built at their old "
        "URL, left out of listings and feeds.",
        "Kept under extra: format (1), source_desk (1).",
        "Proposed for config.toml:",
        '    permalink = "/{year}/{month}/{day}/{slug}/"    # already in force: the default',
        "Imported 4 articles: 4 created, 0 updated, 0 unchanged, 0 skipped.",
    ]
    about = front(project, "pages/about.md")
    assert (about["slug"], about["url"], about["page"]) == ("About", "/about/", True)
    ferry = front(project, "2023/03/2023-03-05-ferry-timetable.md")
    assert "url" not in ferry and "slug" not in ferry  # the permalink reproduces the old URL
    assert ferry["aliases"] == ["/2023/03/05/new-ferry-times/"]
    assert list(ferry) == ["title", "date", "authors", "tags", "categories", "section",
                           "summary", "image", "aliases", "sticky", "original_url", "lang",
                           "extra", "import_source", "import_digest"]
    assert ferry["section"] == ferry["categories"][0]
    result = build(load_config(project))
    assert not [w for w in result.warnings if "caption" in w.message]
    page = (project / "output/2023/03/05/ferry-timetable/index.html").read_text()
    assert "<figcaption" in page and "[caption" not in page and "[gallery" not in page
    before = snapshot(project / "content")
    assert main(["import", "--from", "wordpress", str(SMALL), "--project", str(project)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Imported 4 articles: 0 created, 0 updated, 4 unchanged, 0 skipped.")
    assert snapshot(project / "content") == before


def test_an_unchanged_export_is_not_converted_again_but_a_change_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = new_project(tmp_path)
    export = tmp_path / "export.xml"
    export.write_text(SMALL.read_text())
    converted: list[str] = []
    real = wordpress_body.convert

    def counting(text: str, context: wordpress_body.Context) -> str:
        converted.append(context.post_id)
        return real(text, context)

    monkeypatch.setattr(wordpress_body, "convert", counting)

    def run() -> t.Any:
        config = load_config(project)
        return import_site(config, wordpress.read_site(export, config), "wordpress")

    assert run().count("created") == 4 and len(converted) == 4
    converted.clear()
    before = snapshot(project / "content")
    again = run()
    assert again.count("unchanged") == 4 and converted == []
    assert again.site is not None and again.site.pages
    assert snapshot(project / "content") == before
    # An attachment's caption is part of every post that may show it.
    export.write_text(SMALL.read_text().replace("The ferry at dawn]]>", "The ferry, at dawn]]>"))
    changed = run()
    assert converted == ["10"]  # the one post that shows the attachment
    assert [e.action for e in changed.events].count("updated") == 1
    ferry = front(project, "2023/03/2023-03-05-ferry-timetable.md")
    assert ferry["image"]["caption"] == "The ferry, at dawn"
    # An edited file is read again and kept as the editor left it.
    path = project / "content/pages/about.md"
    path.write_text(path.read_text().replace("We report", "We do report"))
    converted.clear()
    edited = run()
    assert converted == ["14"]
    assert [e.action for e in edited.events].count("skipped") == 1
    assert "We do report" in path.read_text()


def test_a_permalink_the_posts_follow_is_added_to_config_toml(tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    text = SMALL.read_text().replace("/2023/03/05/ferry-timetable/", "/ferry-timetable/")
    export.write_text(text.replace("/2023/04/01/harbour-works/", "/harbour-works/"))
    project = new_project(tmp_path, "[extra]\nmotto = 'x'\n")
    config = load_config(project)
    result = import_site(config, wordpress.read_site(export, config), "wordpress")
    assert result.site is not None
    assert [(p.line, p.status) for p in result.site.proposals] == [
        ('permalink = "/{slug}/"', "added")]
    assert (project / "config.toml").read_text() == (
        'title = "Archive"\nbase_url = "https://example.org/"\npermalink = "/{slug}/"\n\n'
        "[extra]\nmotto = 'x'\n")
    assert "url" not in front(project, "2023/03/2023-03-05-ferry-timetable.md")
    build(load_config(project))
    assert (project / "output/ferry-timetable/index.html").is_file()


def test_a_permalink_config_toml_sets_is_kept_and_old_urls_get_url(tmp_path: Path) -> None:
    project = new_project(tmp_path, 'permalink = "/news/{slug}/"\n')
    config = load_config(project)
    result = import_site(config, wordpress.read_site(SMALL, config), "wordpress")
    assert result.site is not None
    assert [(p.status, p.detail) for p in result.site.proposals] == [
        ("differs", 'config.toml has permalink = "/news/{slug}/"')]
    assert 'permalink = "/news/{slug}/"' in (project / "config.toml").read_text()
    ferry = front(project, "2023/03/2023-03-05-ferry-timetable.md")
    assert ferry["url"] == "/2023/03/05/ferry-timetable/"


# --- refused input ------------------------------------------------------------------------


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<item><title>&lol3;</title><wp:post_type>post</wp:post_type></item>
</channel></rss>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<item><title>&secret;</title><wp:post_type>post</wp:post_type></item>
</channel></rss>
"""


@pytest.mark.parametrize(("text", "expected"), [
    (BILLION_LAUGHS, r"export.xml:3: refused: the export declares the XML entity 'lol'; "
                     r"entities can expand without bound \(billion laughs\) or read local "
                     r"files \(XXE\), and WordPress never writes them"),
    (XXE, r"export.xml:2: refused: the export declares the XML entity 'secret'; .*"),
    ("\x89PNG\r\n\x1a\n binary", r"export.xml:1: not a WordPress export: not XML \(.*\)"),
    ("", r"export.xml:1: not a WordPress export: not XML \(no element found\)"),
    ("<html><body>Not a feed</body></html>",
     r"export.xml:1: not a WordPress export: the document is <html>, not <rss>"),
    (SMALL.read_text()[:6000],
     r"export.xml:\d+: not a WordPress export: the XML breaks off at line \d+, column \d+ "
     r"\(.*\) \(is the file cut short\?\)"),
    ('<rss version="2.0"><channel><title>Blog</title><item><title>x</title></item>'
     '</channel></rss>', r"export.xml: not a WordPress export: an RSS document with no "
                         r"WordPress items \(import a feed with --feed\)"),
])
def test_hostile_or_broken_exports_give_one_error_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    project = new_project(tmp_path)
    export = tmp_path / "export.xml"
    export.write_bytes(text.encode("latin-1", "surrogateescape") if text.startswith("\x89")
                       else text.encode())
    code = main(["import", "--from", "wordpress", str(export), "--project", str(project)])
    out, err = capsys.readouterr()
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 1
    assert re.fullmatch(expected, lines[0].replace(str(tmp_path) + "/", "")), lines[0]
    assert "Traceback" not in err
    assert out.splitlines()[-1] == "Imported 0 articles: 0 created, 0 updated, 0 unchanged, " \
                                   "0 skipped, 1 failed."
    assert sorted(p.name for p in project.iterdir()) == ["config.toml"]


def test_control_characters_wordpress_wrote_are_dropped_with_a_warning(tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    export.write_text(SMALL.read_text().replace("It stops at", "It\b stops\x01 at"))
    articles, site = articles_of(export, new_project(tmp_path))
    assert "It stops at every island." in articles[0].body
    assert ("export.xml: warning: the export holds 2 control characters that XML does not "
            "allow (pasted into posts?); they were left out") in [
        str(p).replace(str(tmp_path) + "/", "") for p in site.problems]


def test_a_missing_file_or_a_folder_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = new_project(tmp_path)
    for path, message in ((tmp_path / "missing.xml", "cannot read file: No such file"),
                          (tmp_path, "a folder: --from wordpress reads the export file")):
        assert main(["import", "--from", "wordpress", str(path), "--project",
                     str(project)]) == 1
        assert message in capsys.readouterr().err


# --- streaming ------------------------------------------------------------------------------


ITEM = """<item><title>Story {n}</title><link>https://old.example/{n}/story-{n}/</link>
<dc:creator>anna</dc:creator><content:encoded><![CDATA[{body}]]></content:encoded>
<wp:post_id>{n}</wp:post_id><wp:post_date>2020-01-01 10:00:00</wp:post_date>
<wp:post_date_gmt>2020-01-01 09:00:00</wp:post_date_gmt><wp:post_name>story-{n}</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
"""


def write_export(path: Path, count: int, body: str = "Words. " * 300) -> None:
    with path.open("w") as out:
        out.write('<?xml version="1.0"?><rss version="2.0" '
                  'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                  'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                  'xmlns:wp="http://wordpress.org/export/1.1/"><channel>'
                  "<wp:wxr_version>1.1</wp:wxr_version>")
        for n in range(count):
            out.write(ITEM.format(n=n, body=body))
        out.write("</channel></rss>")


def peak_while_reading(path: Path, project: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        site = wordpress.read_site(path, make_config(project))
        count = sum(1 for _ in site.all_articles())
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_size_of_the_export(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    short, long, many = tmp_path / "short.xml", tmp_path / "long.xml", tmp_path / "many.xml"
    write_export(short, 200)
    write_export(long, 200, body="Words. " * 3000)
    write_export(many, 800)
    count_short, peak_short = peak_while_reading(short, project)
    count_long, peak_long = peak_while_reading(long, project)
    count_many, peak_many = peak_while_reading(many, project)
    assert (count_short, count_long, count_many) == (200, 200, 800)
    # Ten times the text: only one post's text is held at a time.
    assert peak_long < peak_short + 400_000, (peak_short, peak_long)
    assert peak_long < long.stat().st_size / 10
    # Four times the posts: what grows is the account of each item, far below its size.
    per_post = (peak_many - peak_short) / 600
    assert per_post < 600, per_post


def test_permalink_is_proposed_from_the_pattern_most_posts_follow(tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    write_export(export, 5)
    _, site = articles_of(export, new_project(tmp_path))
    # /{n}/story-{n}/: the first segment matches no date field, so no pattern fits.
    assert site.proposed == {}
    text = export.read_text()
    for n in range(4):
        text = text.replace(f"https://old.example/{n}/story-{n}/",
                            f"https://old.example/2020/01/story-{n}/")
    export.write_text(text)
    articles, site = articles_of(export, new_project(tmp_path / "b"))
    assert site.proposed == {"permalink": "/{year}/{month}/{slug}/"}
    assert [a.old_path for a in articles][-1] == "4/story-4/"


# --- shortcodes and blocks ----------------------------------------------------------------


def convert(text: str, **context: t.Any) -> tuple[str, list[tuple[int, str]]]:
    found = wordpress_body.Context(**context)
    return wordpress_body.convert(text, found), found.notes


def test_autop_adds_paragraphs_and_breaks_but_not_inside_pre() -> None:
    html, notes = convert("One\ntwo\n\n<pre>a\n\nb</pre>\nThree\n<ul>\n<li>x</li>\n</ul>")
    assert html == ("<p>One<br />\ntwo</p>\n<pre>a\n\nb</pre>\n<p>Three</p>\n<ul>\n"
                    "<li>x</li>\n</ul>\n")
    assert notes == []


def test_caption_forms_and_escaped_shortcodes() -> None:
    old, _ = convert('[caption id="attachment_1" align="alignleft" width="150" '
                     'caption="Old style"]<img src="https://x.example/a.jpg" />[/caption]')
    assert old == ('<figure class="wp-caption alignleft" id="attachment_1"><img src='
                   '"https://x.example/a.jpg" /><figcaption class="wp-caption-text">Old style'
                   "</figcaption></figure>\n")
    linked, _ = convert('[caption]<a href="https://x.example/a.jpg"><img src="https://x.'
                        'example/a.jpg" /></a> New style[/caption]')
    assert linked.endswith('</a><figcaption class="wp-caption-text">New style</figcaption>'
                           "</figure>\n")
    escaped, notes = convert("Write [[gallery]] to show a gallery.")
    assert escaped == "<p>Write [gallery] to show a gallery.</p>\n" and notes == []


def test_gallery_without_ids_shows_the_images_attached_to_the_post() -> None:
    attachments = {
        "2": wordpress_body.Attachment("2", "https://x.example/b.png", alt="B", order=2),
        "1": wordpress_body.Attachment("1", "https://x.example/a.jpg", caption="A & co",
                                       order=1),
        "3": wordpress_body.Attachment("3", "https://x.example/c.pdf", order=3),
    }
    html, _ = convert('[gallery link="file" exclude="2"]', post_id="9",
                      attachments=attachments, children={"9": ["1", "2", "3"]})
    assert html == ('<figure class="gallery wp-block-gallery columns-3">\n'
                    '<figure class="gallery-item"><a href="https://x.example/a.jpg"><img '
                    'src="https://x.example/a.jpg" alt="" /></a><figcaption>A &amp; co'
                    "</figcaption></figure>\n</figure>\n")
    empty, _ = convert("[gallery]", post_id="8", attachments=attachments)
    assert empty == ""


def test_media_shortcodes_and_embeds() -> None:
    video, _ = convert('[video mp4="https://x.example/v.mp4" poster="https://x.example/p.jpg"]'
                       "[/video]")
    assert video == ('<video controls poster="https://x.example/p.jpg"><source src="https://'
                     'x.example/v.mp4" type="video/mp4" /><a href="https://x.example/v.mp4">'
                     "v.mp4</a></video>\n")
    assert wordpress_body.media_urls(video) == ["https://x.example/p.jpg",
                                                 "https://x.example/v.mp4"]
    youtube, _ = convert("[embed]https://youtu.be/abcdefghijk[/embed]")
    assert '<iframe src="https://www.youtube.com/embed/abcdefghijk"' in youtube
    other, _ = convert("[youtube=https://www.youtube.com/watch?v=abcdefghijk&w=640]")
    assert '<iframe src="https://www.youtube.com/embed/abcdefghijk"' in other
    link, _ = convert("https://social.example/post/1\n\nText.")
    assert link == ('<figure class="wp-block-embed">\n<p><a href="https://social.example/post/1'
                    '">https://social.example/post/1</a></p>\n</figure>\n<p>Text.</p>\n')


def test_unknown_shortcodes_are_reported_once_at_their_line() -> None:
    _, notes = convert("Intro [sic] and [brackets]\n\n[contact-form to=\"x@y\"]\n\n"
                       "[contact-form]\n[note]Text[/note]\n<pre>$('a[name=x]')\n"
                       "[code lang=js]</pre> <code>[x y=1]</code>")
    assert notes == [(3, "shortcode [contact-form] is not converted; kept as text"),
                     (6, "shortcode [note] is not converted; kept as text")]


def test_block_comments_go_and_loose_text_gets_a_paragraph() -> None:
    html, notes = convert('<!-- wp:html -->\nHello <b>world</b>\n<!-- /wp:html -->\n\n'
                          '<!-- wp:archives {"displayAsDropdown":true} /-->\n\n'
                          '<!-- wp:social-links --><ul class="wp-block-social-links">'
                          '<!-- wp:social-link {"url":"https://x.example/","service":"x"} /-->'
                          "</ul><!-- /wp:social-links -->")
    assert html == ('<p>Hello <b>world</b></p>\n\n<ul class="wp-block-social-links"><li><a '
                    'href="https://x.example/">x</a></li></ul>\n')
    assert notes == [(5, "dynamic blocks that WordPress renders when it serves the page are "
                         "left out: archives")]


# --- the theme unit test data -----------------------------------------------------------


def expected_posts(path: Path) -> dict[str, dict[str, t.Any]]:
    """Read the published posts of an export with ElementTree, independently of the reader."""
    channel = ElementTree.parse(path).getroot().find("channel")
    assert channel is not None
    ns = {"wp": "https://wordpress.org/export/1.2/", "dc": "http://purl.org/dc/elements/1.1/",
          "excerpt": "https://wordpress.org/export/1.2/excerpt/"}
    authors = {a.findtext("wp:author_login", namespaces=ns):
               a.findtext("wp:author_display_name", namespaces=ns)
               for a in channel.findall("wp:author", ns)}
    attachments = {i.findtext("wp:post_id", namespaces=ns): i for i in channel.findall("item")
                   if i.findtext("wp:post_type", namespaces=ns) == "attachment"}
    posts = {}
    for item in channel.findall("item"):
        if item.findtext("wp:post_type", namespaces=ns) != "post" or item.findtext(
                "wp:status", namespaces=ns) != "publish" or (item.findtext(
                "wp:post_password", namespaces=ns) or "").strip():
            continue
        meta = {m.findtext("wp:meta_key", namespaces=ns): m.findtext("wp:meta_value",
                                                                     namespaces=ns)
                for m in item.findall("wp:postmeta", ns)}
        image = attachments.get(meta.get("_thumbnail_id") or "")
        # Two categories may share a name (Foo A under two parents): each name once.
        posts[item.findtext("link") or ""] = {
            "categories": list(dict.fromkeys(c.text for c in item.findall("category")
                                             if c.get("domain") == "category")),
            "tags": list(dict.fromkeys(c.text for c in item.findall("category")
                                       if c.get("domain") == "post_tag")),
            # One item's login has a stray '>' ("&gt;themereviewteam").
            "author": authors[(item.findtext("dc:creator", namespaces=ns) or "").strip("<>")],
            "image": None if image is None else image.findtext("wp:attachment_url",
                                                               namespaces=ns),
            "caption": None if image is None else image.findtext("excerpt:encoded",
                                                                 namespaces=ns),
            "excerpt": item.findtext("excerpt:encoded", namespaces=ns) or "",
        }
    return posts


def test_theme_unit_test_data_imports_completely_and_builds(tmp_path: Path) -> None:
    export = shared_dir("migration") / "wordpress" / "themeunittestdata.wordpress.xml"
    project = new_project(tmp_path)
    config = load_config(project)
    site = wordpress.read_site(export, config)
    result = import_site(config, site, "wordpress")
    assert result.failed == 0
    assert result.site is not None
    items = len(ElementTree.parse(export).getroot().findall("channel/item"))
    assert sum(1 for a in site.accounted if not a.path.endswith(" comment")) == items == 186
    assert result.site.kinds == {"article": 55, "page": 21, "draft": 2, "asset": 37,
                                 "skipped": 104}
    expected = expected_posts(export)
    written: dict[str, dict[str, t.Any]] = {}
    for path in (project / "content").rglob("*.md"):
        found: dict[str, t.Any] = dict(frontmatter.load(path).metadata)
        written[found["original_url"]] = found
    assert len(expected) == 55
    for link, post in expected.items():
        meta = written[link]
        assert meta.get("categories", []) == post["categories"], link
        assert meta.get("tags", []) == post["tags"], link
        assert meta["authors"] == [post["author"]], link
        if post["image"] is not None:
            assert meta["image"]["src"] == post["image"], link
            if post["caption"]:
                assert meta["image"]["caption"] == post["caption"], link
        if post["excerpt"].strip():
            assert meta["summary"] == re.sub(r"<[^>]+>", "", post["excerpt"]).strip(), link
    assert sum(1 for m in written.values() if m.get("image", {}).get("caption")) >= 1
    built = build(load_config(project))
    assert built.pages > 100
    for page in (project / "output").rglob("*.html"):
        text = page.read_text()
        assert "[caption" not in text and "[gallery" not in text, page
    # The Greek pages keep their old URLs, decoded; the top one is its slug's, /greek/.
    greek = [m for m in written.values() if "url" in m and "greek/" in m["url"]]
    assert sorted(m["url"] for m in greek) == ["/greek/επίπεδο-2/",
                                               "/greek/επίπεδο-2/επίπεδο-3/"]
    assert (project / "output/greek/index.html").is_file()
    # Pages go where the build looks for them; posts take their first real category as
    # their section ("Uncategorized" is WordPress's word for none).
    assert len(list((project / "content/pages").rglob("*.md"))) == 21
    assert all(m.get("section") == section_of(m.get("categories", []))
               for m in written.values() if not m.get("page"))
    sections = {m["section"] for m in written.values() if "section" in m}
    assert "Unpublished" in sections and "Uncategorized" not in sections, sections
    before = snapshot(project / "content")
    again = import_site(load_config(project), wordpress.read_site(export, config), "wordpress")
    assert again.count("unchanged") == 78 and again.count("created") == 0
    assert snapshot(project / "content") == before


def test_block_test_data_builds_without_block_comments(tmp_path: Path) -> None:
    export = shared_dir("migration") / "wordpress" / "64-block-test-data.xml"
    project = new_project(tmp_path)
    config = load_config(project)
    result = import_site(config, wordpress.read_site(export, config), "wordpress")
    assert result.failed == 0
    assert result.site is not None and result.site.kinds["article"] == 61
    build(load_config(project))
    for path in (project / "content").rglob("*.md"):
        assert "<!-- wp:" not in path.read_text(), path
    assert 'permalink = "/{slug}/"' in (project / "config.toml").read_text()


def test_fetch_media_puts_the_attachments_beside_each_post(tmp_path: Path) -> None:
    served = tmp_path / "served" / "wp-content" / "uploads" / "2023"
    for month, name in (("03", "ferry.jpg"), ("03", "pier.png"), ("04", "horn.mp3")):
        (served / month).mkdir(parents=True, exist_ok=True)
        (served / month / name).write_bytes(name.encode() * 100)
    handler = functools.partial(QuietHandler, directory=str(tmp_path / "served"))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        export = tmp_path / "export.xml"
        export.write_text(SMALL.read_text().replace(
            "https://news.example/blog/wp-content/", f"{base}/wp-content/"))
        project = new_project(tmp_path)
        config = load_config(project)
        try:
            result = import_site(config, wordpress.read_site(export, config), "wordpress",
                                 fetch_media=True)
        finally:
            httpd.shutdown()
    assert result.site is not None and result.site.media_fetched == 4
    ferry = project / "content/2023/03/2023-03-05-ferry-timetable"
    assert sorted(p.name for p in ferry.iterdir()) == ["ferry.jpg", "index.md", "pier.png"]
    post = frontmatter.load(ferry / "index.md")
    assert t.cast(dict[str, str], post["image"])["src"] == "ferry.jpg"
    assert 'src="ferry.jpg"' in post.content and base not in post.content
    works = project / "content/2023/04/2023-04-01-harbour-works"
    assert sorted(p.name for p in works.iterdir()) == ["horn.mp3", "index.md", "pier.png"]
    assert '<source src="horn.mp3" />' in (works / "index.md").read_text()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: t.Any) -> None:
        """Keep the test output clean."""


def test_embeds_carry_no_loading_attribute() -> None:
    youtube, _ = convert("[embed]https://youtu.be/abcdefghijk[/embed]")
    assert "loading=" not in youtube
