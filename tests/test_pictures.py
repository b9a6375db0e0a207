"""Local images: renditions, their metadata, the markup, bad files, and rebuilds."""

from __future__ import annotations

import http.server
import io
import json
import re
import shutil
import typing as t
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from site_builder import load_config
from site_builder.imaging import (
    MAX_PIXELS,
    ImageError,
    Output,
    clean_copy,
    credits_xmp,
    file_credits,
    make_renditions,
    probe_file,
)
from site_builder.incremental.store import CACHE_DIR
from site_builder.model import Picture, Rendition
from site_builder.pictures import CACHE_FOLDER, is_local_image, picture_html, rewrite_images

from .conftest import build, copy_site
from .projects import CONFIG, run, write_project
from .test_browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from .test_incremental import assert_matches_clean

GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
CONFIG_OFF = CONFIG + "search = false\n"


def photo(size: tuple[int, int] = (1600, 1000), *, fmt: str = "JPEG", orientation: int = 1,
          gps: bool = True, icc: bool = True, xmp: bytes | None = None,
          mode: str = "RGB") -> bytes:
    """Return an image file as a camera leaves it: GPS position, make and model."""
    image = Image.new(mode, size, (90, 120, 150) if mode == "RGB" else (90, 120, 150, 200))
    # A darker left half shows which way the picture was turned.
    image.paste((20, 20, 20) if mode == "RGB" else (20, 20, 20, 255), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "Camera Maker", "Model 7"
    if orientation != 1:
        exif[ORIENTATION] = orientation
    if gps:
        position = exif.get_ifd(GPS_IFD)
        position[1], position[2] = "N", (55.0, 45.0, 12.5)
        position[3], position[4] = "E", (37.0, 37.0, 1.0)
    extra: dict[str, t.Any] = {"exif": exif}
    if icc:
        extra["icc_profile"] = SRGB
    if xmp is not None:
        extra["xmp"] = xmp
    out = io.BytesIO()
    image.save(out, fmt, **extra)
    return out.getvalue()


def assert_no_camera_data(data: bytes) -> None:
    """Fail if an image file holds GPS, make or model, in EXIF or anywhere else."""
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    assert MAKE not in exif and MODEL not in exif
    assert not exif.get_ifd(GPS_IFD)
    assert b"Camera Maker" not in data and b"Model 7" not in data


# ------------------------------------------------------------------ files and renditions


def test_probe_reads_size_orientation_and_credits(tmp_path: Path) -> None:
    path = tmp_path / "p.jpg"
    path.write_bytes(photo((1600, 1000), orientation=6,
                           xmp=credits_xmp("Artyom Korotayev / TASS", "© TASS 2018")))
    probe = probe_file(path)
    assert (probe.mime, probe.width, probe.height, probe.orientation) == (
        "image/jpeg", 1000, 1600, 6)
    assert (probe.credit, probe.copyright) == ("Artyom Korotayev / TASS", "© TASS 2018")


def test_iptc_caption_byline_and_credit_are_read(tmp_path: Path) -> None:
    # An IPTC block (Photoshop APP13) as agencies' software writes it.
    def dataset(number: int, text: str) -> bytes:
        value = text.encode()
        return b"\x1c\x02" + bytes([number]) + len(value).to_bytes(2, "big") + value

    iptc = dataset(120, "Sergei Lavrov and Mohammad Hanif Atmar") + dataset(
        80, "Artyom Korotayev") + dataset(110, "TASS") + dataset(116, "(c) TASS")
    resource = b"8BIM\x04\x04\x00\x00" + len(iptc).to_bytes(4, "big") + iptc
    segment = b"Photoshop 3.0\x00" + resource
    data = photo(gps=False)
    data = data[:2] + b"\xff\xed" + (len(segment) + 2).to_bytes(2, "big") + segment + data[2:]
    image = Image.open(io.BytesIO(data))
    assert file_credits(image) == ("Sergei Lavrov and Mohammad Hanif Atmar",
                                   "Artyom Korotayev / TASS", "(c) TASS")


@pytest.mark.parametrize("fmt, mime", [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                       ("WEBP", "image/webp")])
def test_renditions_are_upright_keep_the_profile_and_lose_camera_data(
    tmp_path: Path, fmt: str, mime: str
) -> None:
    path = tmp_path / f"p.{fmt.lower()}"
    path.write_bytes(photo((1600, 1000), fmt=fmt, orientation=6))
    outputs = [Output(500, 800, mime), Output(250, 400, "image/webp")]
    made = make_renditions(path, outputs, "A. Photographer / Agency", "© Agency")
    for output, data in zip(outputs, made, strict=True):
        image = Image.open(io.BytesIO(data))
        assert image.size == (output.width, output.height)
        assert Image.MIME[t.cast(str, image.format)] == output.mime
        assert image.info.get("icc_profile") == SRGB
        assert_no_camera_data(data)
        assert ORIENTATION not in image.getexif()
        # Turned a quarter clockwise: the dark left half is now on top.
        rgb = image.convert("RGB")
        assert sum(rgb.getpixel((output.width // 2, output.height // 8))) < 150  # type: ignore[arg-type]
        assert sum(rgb.getpixel((output.width // 2, output.height * 7 // 8))) > 250  # type: ignore[arg-type]
        assert file_credits(image)[1:] == ("A. Photographer / Agency", "© Agency")
    # Fixed settings: the same source gives the same bytes.
    assert make_renditions(path, outputs, "A. Photographer / Agency", "© Agency") == made


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_clean_copies_keep_the_pixels_and_profile_but_no_camera_data(
    tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"p.{fmt.lower()}"
    path.write_bytes(photo((300, 200), fmt=fmt, orientation=1))
    probe = probe_file(path)
    data = clean_copy(path, probe)
    assert_no_camera_data(data)
    image = Image.open(io.BytesIO(data))
    assert image.info.get("icc_profile") == SRGB
    assert image.tobytes() == Image.open(path).tobytes()


def test_a_clean_jpeg_copy_keeps_only_the_orientation(tmp_path: Path) -> None:
    path = tmp_path / "p.jpg"
    source = photo((300, 200), orientation=8)
    # A trailer after the end of the image (a phone's second picture) goes too.
    path.write_bytes(source + b"\xff\xd8trailer with Camera Maker\xff\xd9")
    data = clean_copy(path, probe_file(path))
    assert_no_camera_data(data)
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {ORIENTATION: 8}
    assert data.endswith(b"\xff\xd9") and b"trailer" not in data


@pytest.mark.parametrize("data, message", [
    (b"not an image at all", "not an image Pillow can read as JPEG, PNG, WebP or GIF"),
    (photo()[:4000], "damaged JPEG image"),
    (photo(fmt="PNG")[:-200], "damaged PNG image"),
    (photo(fmt="TIFF"), "not an image Pillow can read as JPEG, PNG, WebP or GIF"),
])
def test_files_that_are_no_usable_image_are_refused(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "p.jpg"
    path.write_bytes(data)
    with pytest.raises(ImageError, match=re.escape(message)):
        probe_file(path)


def bomb() -> bytes:
    """Return a small PNG that claims more pixels than may be decoded."""
    side = int(MAX_PIXELS ** 0.5) + 10
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")
    return out.getvalue()


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb())
    assert path.stat().st_size < 2_000_000
    with pytest.raises(ImageError, match="too large to decode safely"):
        probe_file(path)


# ------------------------------------------------------------------------------ markup


def picture(width: int = 1600, height: int = 1000) -> Picture:
    renditions = tuple(
        Rendition(f"a/p-{w}.k.{ext}", w, round(w * height / width), mime, "k")
        for mime, ext in (("image/jpeg", "jpg"), ("image/webp", "webp"))
        for w in (480, 800, 1200, 1600) if w <= width)
    return Picture("content/a/p.jpg", width, height, renditions)


def test_picture_markup() -> None:
    markup = picture_html(picture(), 'A "quoted" <alt>', href=lambda url: "/" + url, sizes="50vw")
    assert markup == (
        '<picture><source type="image/webp" srcset="/a/p-480.k.webp 480w, /a/p-800.k.webp 800w, '
        '/a/p-1200.k.webp 1200w, /a/p-1600.k.webp 1600w" sizes="50vw"><img src="/a/p-1200.k.jpg"'
        ' srcset="/a/p-480.k.jpg 480w, /a/p-800.k.jpg 800w, /a/p-1200.k.jpg 1200w, '
        '/a/p-1600.k.jpg 1600w" sizes="50vw" width="1200" height="750" '
        'alt="A &quot;quoted&quot; &lt;alt&gt;" loading="lazy" decoding="async"></picture>')
    lead = picture_html(picture(), "x", href=str, lead=True)
    assert 'loading="eager">' in lead and "lazy" not in lead and "fetchpriority" not in lead
    first = picture_html(picture(), "x", href=str, lead=True, priority=True)
    assert 'loading="eager" fetchpriority="high">' in first
    small = picture_html(picture(), "", href=str, widest=800)
    assert "1200" not in small.replace('width="800"', "") and 'src="a/p-800.k.jpg"' in small


def test_body_images_naming_local_files_become_pictures() -> None:
    body = ('<p><img alt="One" src="p.jpg" class="wide"> <img src="https://x.example/p.jpg">'
            ' <img src="/static/p.jpg"></p><picture><img src="q.jpg"></picture>'
            '<p><img src="r.png" width="300"></p>')
    missing: list[str] = []
    html, shown = rewrite_images(
        body, lambda src: picture() if src != "r.png" else picture(800, 500), missing.append)
    assert shown == [picture(), picture(800, 500)]
    assert missing == ["r.png"]
    assert html.count("<picture>") == 3  # two made, the one already there
    assert '<img src="https://x.example/p.jpg">' in html and '<img src="/static/p.jpg">' in html
    assert 'class="wide"' in html and 'srcset="p-480.k.webp 480w' in html
    assert 'sizes="300px" width="300" height="188"' in html


@pytest.mark.parametrize("src, local", [
    ("photo.jpg", True), ("../x/Photo.JPEG", True), ("p.png?v=2", True), ("a.webp", True),
    ("/images/p.jpg", False), ("https://x.example/p.jpg", False), ("p.svg", False),
    ("data:image/png;base64,AA", False), ("#p.jpg", False), ("", False),
])
def test_which_images_are_local(src: str, local: bool) -> None:
    assert is_local_image(src) is local


# ------------------------------------------------------------------------------ builds

ARTICLE = """---
title: Strike
date: 2024-05-02
image:
  src: strike.jpg
  alt: Dockers at the gate
  caption: The gate on Thursday
---

The port stopped.

![A crane at rest](crane.png)
"""
FLAT = """---
title: Talks
date: 2018-08-22
image:
  src: talks.jpg
  alt: Two ministers
---

Body.
"""


def photo_project(root: Path) -> Path:
    return write_project(root, {
        "content/2024/05/strike/index.md": ARTICLE,
        "content/2024/05/strike/strike.jpg": photo((2000, 1500)),
        "content/2024/05/strike/crane.png": photo((700, 500), fmt="PNG"),
        "content/2018/2018-08-22-talks.md": FLAT,
        "content/2018/talks.jpg": photo((1000, 700), orientation=3,
                                        xmp=credits_xmp("Agency Photo", "")),
    }, CONFIG_OFF)


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in root.rglob("*") if p.is_file()}


def cached(project: Path) -> set[str]:
    folder = project / CACHE_DIR / CACHE_FOLDER
    return {p.name for p in folder.rglob("*") if p.is_file()}


def test_a_build_publishes_renditions_beside_the_page(tmp_path: Path) -> None:
    project = photo_project(tmp_path / "p")
    result = build(load_config(project))
    out = project / "output"
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.*")
                   if p.suffix in (".jpg", ".png", ".webp"))
    names = sorted(re.sub(r"\.[0-9a-f]{10}\.", ".KEY.", f) for f in files)
    assert names == [
        "2018/08/22/talks/talks-1000.KEY.jpg", "2018/08/22/talks/talks-1000.KEY.webp",
        "2018/08/22/talks/talks-480.KEY.jpg", "2018/08/22/talks/talks-480.KEY.webp",
        "2018/08/22/talks/talks-800.KEY.jpg", "2018/08/22/talks/talks-800.KEY.webp",
        "2024/05/02/strike/crane-480.KEY.png", "2024/05/02/strike/crane-480.KEY.webp",
        "2024/05/02/strike/crane-700.KEY.png", "2024/05/02/strike/crane-700.KEY.webp",
        "2024/05/02/strike/crane.png",  # the bundle's own file, without its metadata
        "2024/05/02/strike/strike-1200.KEY.jpg", "2024/05/02/strike/strike-1200.KEY.webp",
        "2024/05/02/strike/strike-1600.KEY.jpg", "2024/05/02/strike/strike-1600.KEY.webp",
        "2024/05/02/strike/strike-480.KEY.jpg", "2024/05/02/strike/strike-480.KEY.webp",
        "2024/05/02/strike/strike-800.KEY.jpg", "2024/05/02/strike/strike-800.KEY.webp",
        "2024/05/02/strike/strike.jpg"]
    for name in files:
        assert_no_camera_data((out / name).read_bytes())
    # Turned half a turn by its EXIF: 1000 x 700 as shown, the credit from the file.
    page = (out / "2018/08/22/talks/index.html").read_text()
    assert re.search(r'<img src="/2018/08/22/talks/talks-1000\.[0-9a-f]{10}\.jpg" srcset="[^"]+"'
                     r' sizes="[^"]+" width="1000" height="700" alt="Two ministers"'
                     r' loading="eager">', page)
    assert '<span class="credit">(Agency Photo)</span>' in page
    ld = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page)
                    .group(1))  # type: ignore[union-attr]
    assert ld["image"]["width"] == 1000 and ld["image"]["creditText"] == "Agency Photo"
    strike = (out / "2024/05/02/strike/index.html").read_text()
    assert re.search(r'<meta property="og:image" content="https://example.org/2024/05/02/strike/'
                     r'strike-1200\.[0-9a-f]{10}\.jpg">\n<meta property="og:image:width" '
                     r'content="1200">\n<meta property="og:image:height" content="900">', strike)
    assert '<meta name="twitter:card" content="summary_large_image">' in strike
    assert '<meta name="robots" content="max-image-preview:large">' in strike
    assert re.search(r'<p><picture><source type="image/webp" srcset="crane-480\.[0-9a-f]{10}\.webp'
                     r' 480w, crane-700\.[0-9a-f]{10}\.webp 700w"', strike)
    assert 'alt="A crane at rest" loading="lazy" decoding="async"></picture></p>' in strike
    sitemap = (out / "sitemap.xml").read_text()
    assert re.search(r"<loc>https://example.org/2024/05/02/strike/</loc><lastmod>[^<]+</lastmod>"
                     r"<image:image><image:loc>https://example.org/2024/05/02/strike/strike-1200"
                     r"\.[0-9a-f]{10}\.jpg</image:loc></image:image><image:image><image:loc>"
                     r"https://example.org/2024/05/02/strike/crane-700", sitemap)
    assert result.warnings == ()


def test_rebuilds_make_no_image_again_and_keep_the_files(tmp_path: Path) -> None:
    project = photo_project(tmp_path / "p")
    build(load_config(project))
    made = cached(project)
    before = stamps(project / "output")
    again = build(load_config(project))
    assert again.written == () and stamps(project / "output") == before
    # A text edit takes the incremental path: no image is made, copied or touched.
    article = project / "content/2024/05/strike/index.md"
    article.write_text(article.read_text().replace("The port stopped.", "The port stopped again."))
    edited = build(load_config(project))
    assert "2024/05/02/strike/index.html" in edited.written
    assert all(p.endswith((".html", ".xml", ".json")) for p in edited.written)
    assert cached(project) == made
    after = stamps(project / "output")
    images = (".jpg", ".png", ".webp")
    assert {p: s for p, s in after.items() if p.endswith(images)} == {
        p: s for p, s in before.items() if p.endswith(images)}
    assert_matches_clean(project)
    # Even with the image cache gone, an intact output needs nothing made.
    shutil.rmtree(project / CACHE_DIR / CACHE_FOLDER)
    article.write_text(article.read_text() + "\nOne more line.\n")
    build(load_config(project))
    assert cached(project) == set()


def test_a_changed_image_file_gives_new_renditions(tmp_path: Path) -> None:
    project = photo_project(tmp_path / "p")
    build(load_config(project))
    (project / "content/2018/talks.jpg").write_bytes(photo((1300, 900)))
    result = build(load_config(project))
    written = [re.sub(r"\.[0-9a-f]{10}\.", ".KEY.", p) for p in result.written]
    assert "2018/08/22/talks/talks-1200.KEY.jpg" in written
    assert "2018/08/22/talks/index.html" in written
    assert not any(p.startswith("2024/") and not p.endswith(".html") for p in written)
    assert_matches_clean(project)
    # A new image in an edited body: the plan moves, and the build is still a clean one.
    article = project / "content/2024/05/strike/index.md"
    (article.parent / "gate.webp").write_bytes(photo((900, 600), fmt="WEBP"))
    article.write_text(article.read_text() + "\n![The gate](gate.webp)\n")
    result = build(load_config(project))
    assert any(re.fullmatch(r"2024/05/02/strike/gate-900\.[0-9a-f]{10}\.webp", p)
               for p in result.written)
    assert_matches_clean(project)


@pytest.mark.parametrize("files, expected", [
    ({"content/a.md": "---\ntitle: A\ndate: 2024-05-02\nimage:\n  src: gone.jpg\n  alt: x\n"
                      "---\n\nBody.\n"},
     "content/a.md:4: image.src: gone.jpg: image file content/gone.jpg not found"),
    ({"content/a.md": "---\ntitle: A\ndate: 2024-05-02\n---\n\nBody.\n\nMore text\n"
                      "and ![A photo](notes.jpg) here.\n",
      "content/notes.jpg": b"%PDF-1.4 not a photo"},
     "content/a.md:9: notes.jpg: content/notes.jpg: not an image Pillow can read as JPEG, "
     "PNG, WebP or GIF"),
    ({"content/a.md": "---\ntitle: A\ndate: 2024-05-02\nimage: {src: cut.jpg, alt: x}\n---\n",
      "content/cut.jpg": photo()[:3000]},
     "content/a.md:4: image.src: cut.jpg: content/cut.jpg: damaged JPEG image"),
    ({"content/a.md": "---\ntitle: A\ndate: 2024-05-02\n---\n\n![Huge](big.png)\n",
      "content/big.png": bomb()},
     "content/a.md:6: big.png: content/big.png: "),
    ({"content/x/a.md": "---\ntitle: A\ndate: 2024-05-02\nimage: {src: ../../p.jpg, alt: x}\n"
                        "---\n",
      "p.jpg": photo()},
     "content/x/a.md:4: image.src: ../../p.jpg: names a file outside the content folder"),
])
def test_bad_image_files_fail_the_build_at_their_line(
    tmp_path: Path, files: dict[str, str | bytes], expected: str
) -> None:
    project = write_project(tmp_path / "p", files, CONFIG_OFF)
    code, out, err = run("build", "--project", str(project))
    assert code == 1
    assert expected in err and "Traceback" not in err
    assert not (project / "output").exists()


def test_an_image_without_alt_text_is_a_warning_and_an_error_when_strict(
    tmp_path: Path
) -> None:
    project = write_project(tmp_path / "p", {
        "content/a.md": "---\ntitle: A\ndate: 2024-05-02\nimage: p.jpg\n---\n\nText.\n\n"
                        "![](p.jpg)\n",
        "content/p.jpg": photo((600, 400)),
    }, CONFIG_OFF)
    code, _, err = run("build", "--project", str(project))
    assert code == 0
    assert "content/a.md:4: warning: image.alt: missing: describe what the photo shows" in err
    assert "content/a.md:9: warning: image p.jpg has no alt text" in err
    code, _, err = run("build", "--project", str(project), "--strict")
    assert code == 1 and "build failed: 2 problems" in err


def test_caption_and_credit_come_from_the_file_when_the_front_matter_has_none(
    tmp_path: Path
) -> None:
    project = write_project(tmp_path / "p", {
        "content/a.md": "---\ntitle: A\ndate: 2024-05-02\nimage:\n  src: p.jpg\n  alt: x\n"
                        "  credit: Desk\n---\n\nText.\n",
        "content/p.jpg": photo((600, 400), xmp=credits_xmp("File Credit", "© File")),
    }, CONFIG_OFF)
    build(load_config(project))
    page = (project / "output/2024/05/02/a/index.html").read_text()
    assert '<span class="credit">(Desk)</span>' in page
    assert '"copyrightNotice": "© File"' in page and '"creditText": "Desk"' in page


def test_themes_call_the_picture_macros(tmp_path: Path) -> None:
    project = photo_project(tmp_path / "p")
    # A theme validated with a newer HTML checker asks for the lead photo first.
    write_project(project, {
        "templates/_images.html": '{% macro lead_picture(image) %}{{ picture(image.picture, '
                                  'image.alt, lead=true, priority=true) }}{% endmacro %}',
    }, CONFIG_OFF)
    build(load_config(project))
    page = (project / "output/2024/05/02/strike/index.html").read_text()
    assert 'alt="Dockers at the gate" loading="eager" fetchpriority="high">' in page
    # The cards of a listing show small versions of the lead photos, lazily; the front
    # page's lead story shows its photo at every width, at once.
    home = (project / "output/index.html").read_text()
    [thumb] = re.findall(r'<div class="thumb"><picture>.*?</picture></div>', home)
    assert "-1200." not in thumb and 'loading="lazy"' in thumb
    assert re.search(r'srcset="/2018/08/22/talks/talks-480\.[0-9a-f]{10}\.webp 480w', thumb)
    [lead] = re.findall(r'<div class="lead-picture"><picture>.*?</picture></div>', home)
    assert "/2024/05/02/strike/strike-1600." in lead and 'loading="eager"' in lead


# ----------------------------------------------------------------------------- browser


def test_chromium_picks_a_webp_rendition_and_keeps_the_layout_still(tmp_path: Path) -> None:
    require_chromium()
    import functools
    import threading

    from playwright.sync_api import sync_playwright

    project = copy_site("photos", tmp_path)
    config = project / "config.toml"
    config.write_text("search = false\n" + config.read_text())
    build(load_config(project))
    handler = functools.partial(_QuietHandler, directory=str(project / "output"))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/2024/05/02/harbour-fire/"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                     args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 900, "height": 700})
                    # Before any image arrives (requests held), each box has its shape.
                    held: list[t.Any] = []
                    page.route("**/*.{webp,jpg,png}", lambda route: held.append(route))
                    page.goto(url, wait_until="domcontentloaded")
                    boxes = page.eval_on_selector_all(
                        "main img", "els => els.map(e => [e.clientWidth, e.clientHeight])")
                    assert [round(w / h, 2) for w, h in boxes] == [1.5, 1.5, 1.6]
                    page.unroute("**/*.{webp,jpg,png}")
                    page.goto(url)
                    lead = page.locator(".lead-image img")
                    page.wait_for_function(
                        "() => document.querySelector('.lead-image img').naturalWidth > 0")
                    # A 640-pixel column at one device pixel per CSS pixel: the 800 WebP.
                    assert re.search(r"/fire-800\.[0-9a-f]{10}\.webp$",
                                     lead.evaluate("e => e.currentSrc"))
                    page.mouse.wheel(0, 5000)
                    page.wait_for_function("() => [...document.querySelectorAll('main img')]"
                                           ".every(e => e.complete && e.naturalWidth > 0)")
                    sources = page.eval_on_selector_all("main img", "els => els.map(e => "
                                                        "e.currentSrc.split('/').pop())")
                    assert [re.sub(r"\.[0-9a-f]{10}\.", ".", s) for s in sources] == [
                        "fire-800.webp", "boats-800.webp", "map-640.webp"]
                finally:
                    browser.close()
        finally:
            httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: t.Any) -> None:
        """Keep the test output clean."""
