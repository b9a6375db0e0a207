"""``site-builder import --from NAME``: the writing every reader of another site shares."""

from __future__ import annotations

import collections
import datetime as dt
import http.server
import io
import re
import sys
import threading
import types
import typing as t
from pathlib import Path

import frontmatter
import pytest
from PIL import Image as PILImage

from site_builder import load_config
from site_builder.cli import main
from site_builder.config import Config
from site_builder.imaging import credits_xmp
from site_builder.importers import media
from site_builder.importers.imported import (
    Accounted,
    Asset,
    ImportedArticle,
    SiteImport,
    section_of,
)
from site_builder.importers.writing import import_site, safe_asset_name
from site_builder.model import Image

from .conftest import build

WHEN = dt.datetime(2021, 6, 5, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def new_project(tmp_path: Path, extra: str = "") -> Path:
    project = tmp_path / "site"
    project.mkdir(parents=True)
    (project / "config.toml").write_text(
        f'title = "Archive"\nbase_url = "https://example.org/"\n{extra}')
    return project


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def article(**fields: t.Any) -> ImportedArticle:
    values: dict[str, t.Any] = {"origin": "_posts/x.md", "origin_line": 1,
                                "title": "Harbour reopens", "date": WHEN,
                                "body": "The harbour is open.\n"}
    values.update(fields)
    return ImportedArticle(**values)


def run(project: Path, *articles: ImportedArticle, **options: t.Any) -> t.Any:
    config = load_config(project)
    proposed = options.pop("proposed", {})
    site = SiteImport(articles=list(articles), proposed=proposed,
                      accounted=[Accounted(a.origin, "page" if a.page else "article")
                                 for a in articles])
    return import_site(config, site, "jekyll", **options)


def meta_of(project: Path, rel: str) -> dict[str, t.Any]:
    return dict(frontmatter.load(project / rel).metadata)


def test_new_keys_are_written_and_slug_only_when_the_build_would_not_derive_it(
    tmp_path: Path
) -> None:
    project = new_project(tmp_path)
    result = run(project,
                 article(slug="harbour-reopens", categories=("Port", "Sea"), section="Port",
                         sticky=True,
                         extra={"layout": "post", "comments": True}, draft=True,
                         aliases=("2021/06/old-name/", "/2021/06/old-name/")),
                 article(title="About", slug="About_Us", page=True, old_path="about-us.html"))
    assert [e.path for e in result.events] == [
        "content/2021/06/2021-06-05-harbour-reopens.md",
        "content/pages/about-us.md"]
    first = meta_of(project, result.events[0].path)
    assert list(first) == ["title", "date", "categories", "section", "aliases", "draft",
                           "sticky", "lang", "extra", "import_digest"]
    assert first["section"] == "Port"
    assert first["aliases"] == ["/2021/06/old-name/"]
    assert first["extra"] == {"layout": "post", "comments": True}
    second = meta_of(project, result.events[1].path)
    assert (second["slug"], second["url"], second["page"]) == ("About_Us", "/about-us.html",
                                                               True)


def test_pages_go_to_the_pages_folder_and_keep_their_old_urls(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = run(project,
                 article(title="About", slug="about", page=True, old_path="about/",
                         original_url="https://old.example/about/"),
                 article(title="Contact", slug="contact", page=True, old_path="info/contact/"))
    assert [e.path for e in result.events] == ["content/pages/about.md",
                                               "content/pages/contact.md"]
    about, contact = (meta_of(project, e.path) for e in result.events)
    assert "url" not in about and about["page"] is True  # /about/ is where the page is
    assert contact["url"] == "/info/contact/"
    build(load_config(project))
    assert (project / "output/about/index.html").is_file()
    assert (project / "output/info/contact/index.html").is_file()


def test_a_page_imported_to_a_dated_folder_before_stays_there(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    old = project / "content/2021/06/2021-06-05-about.md"
    old.parent.mkdir(parents=True)
    old.write_text("---\ntitle: About\ndate: 2021-06-05\npage: true\nurl: /about/\n"
                   "original_url: https://old.example/about/\n---\n\nOld text.\n")
    result = run(project, article(title="About", slug="about", page=True, old_path="about/",
                                  original_url="https://old.example/about/"), force=True)
    assert [(e.action, e.path) for e in result.events] == [
        ("updated", "content/2021/06/2021-06-05-about.md")]
    meta = meta_of(project, result.events[0].path)
    assert (meta["page"], meta.get("url")) == (True, None)  # /about/ by the page rule
    assert not (project / "content/pages").exists()


def test_the_section_is_the_first_category_that_can_be_one() -> None:
    assert section_of(("World", "Europe")) == "World"
    assert section_of(("Uncategorized", "World")) == "World"
    assert section_of(("2013", "tags", "Archive", "News")) == "News"
    assert section_of(("World",), page=True) is None
    assert section_of(()) is None


def test_old_url_the_permalink_reproduces_needs_no_url(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = run(project, article(slug="reopens", old_path="2021/06/05/reopens/"),
                 article(title="Other", slug="other", old_path="blog/other/"),
                 article(title="Third", slug="third", old_path="/blog/third"),
                 article(title="Fourth", slug="fourth", old_path="blog/fourth/index.html"))
    assert "url" not in meta_of(project, result.events[0].path)
    assert [meta_of(project, e.path)["url"] for e in result.events[1:]] == [
        "/blog/other/", "/blog/third/", "/blog/fourth/"]


@pytest.mark.parametrize(("old_path", "reason"), [
    ("tags/port/", "is reserved by the site"),
    ("a/../../etc/", "must not contain empty, '.' or '..' segments"),
    ("feed.xml", "is reserved by the site"),
    ("2011/04/12/notes.text", "names a file that is not a page (the build serves pages at "
                              "folders and .html files)"),
    ("categories/port/", "is reserved by the site"),
])
def test_unusable_old_urls_are_reported_and_not_written(
    tmp_path: Path, old_path: str, reason: str
) -> None:
    project = new_project(tmp_path)
    result = run(project, article(slug="x", old_path=old_path))
    assert "url" not in meta_of(project, result.events[0].path)
    assert [p.message for p in result.problems] == [
        f"old URL /{old_path} {reason}; the article is served at /2021/06/05/x/ instead"]


def test_proposed_permalink_is_added_when_config_toml_lacks_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = new_project(tmp_path, '\n[extra]\nmotto = "Tides"\n')
    result = run(project, article(slug="reopens", old_path="2021/reopens.html"),
                 proposed={"permalink": "/{year}/{slug}.html"})
    assert "url" not in meta_of(project, result.events[0].path)
    assert (project / "config.toml").read_text() == (
        'title = "Archive"\nbase_url = "https://example.org/"\n\n'
        'permalink = "/{year}/{slug}.html"\n\n[extra]\nmotto = "Tides"\n')
    build(load_config(project))
    assert (project / "output/2021/reopens.html").is_file()
    again = run(project, article(slug="reopens", old_path="2021/reopens.html"),
                proposed={"permalink": "/{year}/{slug}.html"})
    assert [(p.status, p.detail) for p in again.site.proposals] == [("set", "")]
    assert again.count("unchanged") == 1


def test_an_invalid_proposal_changes_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    before = (project / "config.toml").read_text()
    result = run(project, article(), proposed={"permalink": "/{category}/{slug}/"})
    assert [p.status for p in result.site.proposals] == ["invalid"]
    assert "unknown field {category}" in result.site.proposals[0].detail
    assert (project / "config.toml").read_text() == before


def test_assets_make_a_bundle_copied_only_when_their_bytes_differ(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    old_site = tmp_path / "old"
    (old_site / "img").mkdir(parents=True)
    (old_site / "photo.jpg").write_bytes(b"jpeg bytes")
    (old_site / "img" / "map.png").write_bytes(b"png bytes")
    assets = (Asset(old_site / "photo.jpg", "photo.jpg"),
              Asset(old_site / "img" / "map.png", "img/map.png"))
    item = article(slug="reopens", body="![Photo](photo.jpg)\n", assets=assets)
    result = run(project, item)
    assert [e.path for e in result.events] == [
        "content/2021/06/2021-06-05-reopens/index.md"]
    bundle = project / "content/2021/06/2021-06-05-reopens"
    assert sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()) \
        == ["img/map.png", "index.md", "photo.jpg"]
    assert "slug" not in meta_of(project, result.events[0].path)
    assert result.site.assets_copied == 2
    before = snapshot(project / "content")
    again = run(project, item)
    assert again.count("unchanged") == 1 and again.site.assets_copied == 0
    assert snapshot(project / "content") == before
    (old_site / "photo.jpg").write_bytes(b"new jpeg bytes")
    third = run(project, item)
    assert third.site.assets_copied == 1
    assert (bundle / "photo.jpg").read_bytes() == b"new jpeg bytes"


@pytest.mark.parametrize("name", ["../escape.jpg", "/etc/passwd", "a/../../b.jpg", "index.md",
                                  "notes.markdown", ".hidden", "a\\b.jpg", "", "x/./y.jpg",
                                  "bad\x00name"])
def test_asset_names_that_could_escape_or_become_articles_are_refused(name: str) -> None:
    assert safe_asset_name(name) is None


def test_refused_assets_are_reported_and_nothing_lands_outside(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    source = tmp_path / "x.jpg"
    source.write_bytes(b"x")
    result = run(project, article(slug="x", assets=(Asset(source, "../../../x.jpg"),
                                                    Asset(source, "ok.jpg"))))
    assert [p.message for p in result.problems] == [
        "asset '../../../x.jpg' cannot be a file of the article's folder; not copied"]
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                   if p.is_file())
    assert files == ["site/config.toml", "site/content/2021/06/2021-06-05-x/index.md",
                     "site/content/2021/06/2021-06-05-x/ok.jpg", "x.jpg"]


def test_slugs_from_the_source_never_escape(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = run(project, article(slug="../../etc/passwd"), article(title="..", slug="/"))
    assert [e.path for e in result.events] == ["content/2021/06/2021-06-05-etc-passwd.md",
                                               "content/2021/06/2021-06-05-article.md"]
    assert sorted(p.name for p in project.iterdir()) == ["config.toml", "content"]


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, Path | None]]:
    """Install a reader as site_builder.importers.jekyll; return the calls it got."""
    calls: list[tuple[Path, Path | None]] = []

    def read_site(path: Path, config: Config, settings: Path | None = None) -> SiteImport:
        calls.append((path, settings))
        return SiteImport(
            articles=[article(slug="reopens", extra={"layout": "post"}),
                      article(title="About", slug="about", page=True, old_path="about/",
                              extra={"layout": "page", "comments": False})],
            accounted=[Accounted("_posts/x.md", "article"), Accounted("about.md", "page"),
                       Accounted("_config.yml", "skipped", "settings"),
                       Accounted("Gemfile", "skipped", "not content"),
                       Accounted("Gemfile.lock", "skipped", "not content"),
                       Accounted("logo.png", "asset")],
            unmapped=collections.Counter({"layout": 2, "comments": 1}),
            proposed={"permalink": "/{year}/{month}/{day}/{slug}/"})

    module = types.ModuleType("site_builder.importers.jekyll")
    module.read_site = read_site  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "site_builder.importers.jekyll", module)
    return calls


def test_cli_dispatches_to_the_reader_and_prints_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
    fake_reader: list[tuple[Path, Path | None]],
) -> None:
    project = new_project(tmp_path)
    assert main(["import", "--from", "jekyll", "old-site", "--project", str(project)]) == 0
    assert fake_reader == [(Path("old-site"), None)]
    assert capsys.readouterr().out.splitlines() == [
        "created content/2021/06/2021-06-05-reopens.md",
        "created content/pages/about.md",
        "Imported from jekyll: 1 articles, 1 pages, 0 drafts, 1 assets, 3 skipped "
        "(not content: 2, settings: 1).",
        "Note: pages are written to content/pages/ with 'page: true': built at their old "
        "URL, left out of listings and feeds.",
        "Kept under extra: layout (2), comments (1).",
        "Proposed for config.toml:",
        '    permalink = "/{year}/{month}/{day}/{slug}/"    # already in force: the default',
        "Imported 2 articles: 2 created, 0 updated, 0 unchanged, 0 skipped.",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "jekyll"], "--from jekyll reads exactly one PATH"),
    (["--from", "jekyll", "a", "b"], "--from jekyll reads exactly one PATH"),
    (["--from", "hugo", "a", "--settings", "s.py"], "--settings is only for --from pelican"),
    (["--from", "zola", "a", "--feed", "f.xml"], "--from reads one site"),
    (["a.txt", "--fetch-media"], "--settings and --fetch-media need --from NAME"),
])
def test_cli_refuses_arguments_that_do_not_fit(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["import", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_reader_that_fails_gives_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_site(path: Path, config: Config, settings: Path | None = None) -> SiteImport:
        raise ValueError("unexpected token")

    module = types.ModuleType("site_builder.importers.zola")
    module.read_site = read_site  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "site_builder.importers.zola", module)
    project = new_project(tmp_path)
    assert main(["import", "--from", "zola", "x", "--project", str(project)]) == 1
    assert capsys.readouterr().err == (
        "site-builder import: error: reading x as a zola site failed: ValueError: "
        "unexpected token (--debug shows where)\n")


def test_cli_says_so_when_a_reader_is_not_there_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "site_builder.importers.pelican", None)
    project = new_project(tmp_path)
    code = main(["import", "--from", "pelican", "x", "--project", str(project)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "site-builder import: error: --from pelican: this version cannot read " \
                  "pelican sites yet\n"


# --- --fetch-media ------------------------------------------------------------------------


class MediaServer(http.server.BaseHTTPRequestHandler):
    """Serves ``files`` with Range support, recording every request."""

    files: t.ClassVar[dict[str, bytes]] = {}
    requests: t.ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:  # noqa: N802 (library API)
        self.requests.append((self.path, self.headers.get("Range")))
        data = self.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        start = 0
        wanted = self.headers.get("Range")
        if wanted and wanted.startswith("bytes=") and wanted.endswith("-"):
            start = int(wanted[6:-1])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])

    def log_message(self, format: str, *args: t.Any) -> None:
        """Keep the test output clean."""


@pytest.fixture
def server() -> t.Iterator[str]:
    MediaServer.files = {"/up/photo.jpg": b"J" * 5000, "/up/clip.mp4": b"M" * 20000,
                         "/other/photo.jpg": b"K" * 10}
    MediaServer.requests = []
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), MediaServer) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()


def media_article(base: str) -> ImportedArticle:
    photo, clip, other = f"{base}/up/photo.jpg", f"{base}/up/clip.mp4", f"{base}/other/photo.jpg"
    body = (f'<p><img src="{photo}" alt="Photo"></p>\n<video controls><source src="{clip}">'
            f'</video>\n<p><img src="{other}"> <a href="{photo}?size=large">big</a></p>\n'
            f"![again]({photo})\n")
    return article(slug="reopens", body=body, image=Image(src=photo, alt="Photo"),
                   media=(photo, clip, other, "file:///etc/passwd", f"{base}/missing.jpg"),
                   original_url="https://old.example/reopens")


def test_fetch_media_downloads_into_the_bundle_and_links_to_the_copies(
    tmp_path: Path, server: str
) -> None:
    project = new_project(tmp_path)
    item = media_article(server)
    result = run(project, item, fetch_media=True)
    assert [e.path for e in result.events] == ["content/2021/06/2021-06-05-reopens/index.md"]
    bundle = project / "content/2021/06/2021-06-05-reopens"
    assert (bundle / "photo.jpg").read_bytes() == b"J" * 5000
    assert (bundle / "clip.mp4").read_bytes() == b"M" * 20000
    assert (bundle / "photo-2.jpg").read_bytes() == b"K" * 10
    assert not list(bundle.glob("*.part"))
    post = frontmatter.load(bundle / "index.md")
    assert post["image"] == {"src": "photo.jpg", "alt": "Photo"}
    assert post.content == (
        '<p><img src="photo.jpg" alt="Photo"></p>\n<video controls><source src="clip.mp4">'
        f'</video>\n<p><img src="photo-2.jpg"> <a href="{server}/up/photo.jpg?size=large">big'
        "</a></p>\n![again](photo.jpg)")
    assert [p.message for p in result.problems] == [
        f"media {server}/missing.jpg: HTTP 404 Not Found; the article links to the original"]
    assert result.site.media_fetched == 3
    fetched = len(MediaServer.requests)
    before = snapshot(project / "content")
    again = run(project, item, fetch_media=True)
    assert again.count("unchanged") == 1
    # Only the missing file is asked for again; complete files are never fetched twice.
    assert MediaServer.requests[fetched:] == [("/missing.jpg", None)]
    assert snapshot(project / "content") == before
    without = run(project, item)
    assert without.count("unchanged") == 1
    assert snapshot(project / "content") == before


def test_fetched_photos_bring_their_credits_into_the_front_matter_and_build(
    tmp_path: Path, server: str
) -> None:
    # Real photos as an agency's site serves them: the lead one says who took it.
    MediaServer.files["/up/lead.jpg"] = jpeg((1400, 900), credits_xmp(
        "Artyom Korotayev / TASS", "© TASS"), "Sergei Lavrov and Mohammad Hanif Atmar")
    MediaServer.files["/up/inline.png"] = jpeg((500, 300), None, "", fmt="PNG")
    lead, inline = f"{server}/up/lead.jpg", f"{server}/up/inline.png"
    item = article(slug="talks", body=f'<p>Talks began.</p>\n<p><img src="{inline}" '
                   'alt="A map of the region"></p>\n',
                   image=Image(src=lead, alt="Two ministers shaking hands"),
                   media=(lead, inline), original_url="https://old.example/talks")
    project = new_project(tmp_path, "search = false\n")
    result = run(project, item, fetch_media=True)
    assert result.problems == () and result.site.media_fetched == 2
    bundle = project / "content/2021/06/2021-06-05-talks"
    post = frontmatter.load(bundle / "index.md")
    assert post["image"] == {"src": "lead.jpg", "alt": "Two ministers shaking hands",
                             "caption": "Sergei Lavrov and Mohammad Hanif Atmar",
                             "credit": "Artyom Korotayev / TASS", "copyright": "© TASS"}
    assert 'src="inline.png"' in post.content and server not in post.content
    built = build(load_config(project))
    assert built.warnings == ()
    page = (project / "output/2021/06/05/talks/index.html").read_text()
    assert "Sergei Lavrov and Mohammad Hanif Atmar <span class=\"credit\">" \
           "(Artyom Korotayev / TASS)</span>" in page
    assert re.search(r'<img src="inline-500\.[0-9a-f]{10}\.png"', page)
    assert server.partition("//")[2] not in page  # the archive no longer needs the old site


def jpeg(size: tuple[int, int], xmp: bytes | None, caption: str, fmt: str = "JPEG") -> bytes:
    """Return an image file; ``caption`` goes in as XMP dc:description."""
    out = io.BytesIO()
    extra: dict[str, t.Any] = {}
    if xmp is not None and caption:
        xmp = xmp.replace(b"<photoshop:Credit>", (
            '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{caption}</rdf:li></rdf:Alt></dc:description><photoshop:Credit>").encode())
    if xmp is not None:
        extra["xmp"] = xmp
    PILImage.new("RGB", size, (40, 90, 160)).save(out, fmt, **extra)
    return out.getvalue()


def test_an_interrupted_download_is_continued_with_a_range_request(
    tmp_path: Path, server: str
) -> None:
    dest = tmp_path / "clip.mp4"
    (tmp_path / "clip.mp4.part").write_bytes(b"M" * 7000)
    assert media.fetch(f"{server}/up/clip.mp4", dest)
    assert dest.read_bytes() == b"M" * 20000
    assert MediaServer.requests == [("/up/clip.mp4", "bytes=7000-")]
    assert not (tmp_path / "clip.mp4.part").exists()
    assert not media.fetch(f"{server}/up/clip.mp4", dest)
    assert len(MediaServer.requests) == 1
    # A part file that already holds everything is finished without a download.
    whole = tmp_path / "photo.jpg"
    (tmp_path / "photo.jpg.part").write_bytes(b"J" * 5000)
    assert media.fetch(f"{server}/up/photo.jpg", whole)
    assert whole.read_bytes() == b"J" * 5000


def test_downloads_over_the_size_or_time_limit_stop(tmp_path: Path, server: str) -> None:
    with pytest.raises(media.FetchError, match="larger than the limit of 1,000 bytes"):
        media.fetch(f"{server}/up/clip.mp4", tmp_path / "clip.mp4", max_bytes=1000)
    assert not (tmp_path / "clip.mp4").exists() and not (tmp_path / "clip.mp4.part").exists()
    with pytest.raises(media.FetchError, match="the next import continues the download"):
        media.fetch(f"{server}/up/clip.mp4", tmp_path / "clip.mp4", time_limit=0)
    assert (tmp_path / "clip.mp4.part").exists() and not (tmp_path / "clip.mp4").exists()
    with pytest.raises(media.FetchError, match="not an http"):
        media.fetch("file:///etc/passwd", tmp_path / "passwd")


def test_fetching_later_moves_a_flat_article_into_its_bundle(
    tmp_path: Path, server: str
) -> None:
    project = new_project(tmp_path)
    item = media_article(server)
    first = run(project, item)
    assert [e.path for e in first.events] == ["content/2021/06/2021-06-05-reopens.md"]
    second = run(project, item, fetch_media=True)
    assert [(e.action, e.path) for e in second.events] == [
        ("updated", "content/2021/06/2021-06-05-reopens/index.md")]
    assert not (project / "content/2021/06/2021-06-05-reopens.md").exists()
    assert sorted(p.name for p in (project / "content").rglob("index.md")) == ["index.md"]


def test_local_names_are_safe_and_unique() -> None:
    names = media.local_names(["https://x.example/a/photo.jpg", "https://y.example/photo.jpg",
                               "https://x.example/..%2F..%2Fetc%2Fpasswd",
                               "https://x.example/notes.md", "https://x.example/",
                               "ftp://x.example/f.jpg"], taken=["photo-2.jpg"])
    assert names == {"https://x.example/a/photo.jpg": "photo.jpg",
                     "https://y.example/photo.jpg": "photo-3.jpg",
                     "https://x.example/..%2F..%2Fetc%2Fpasswd": "passwd",
                     "https://x.example/notes.md": "notes.md.txt",
                     "https://x.example/": "media"}
