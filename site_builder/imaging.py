"""Read and make image files with Pillow: what a file is, its renditions, clean copies.

Every file this module makes carries no EXIF but the orientation, so a photographer's
GPS position, the camera and its serial number never reach the site: renditions are
drawn upright and get no EXIF at all, only the colour profile and, when known, the
credit and copyright notice (XMP); copies of originals are the original's bytes with
the metadata segments cut out (no re-encoding). Encoding settings are fixed, so the same
source gives the same bytes on every build.

Memory stays bounded: a JPEG is decoded at the smallest scale its largest rendition
allows (libjpeg's DCT scaling), and no image of more than :data:`MAX_PIXELS` pixels is
decoded at all.
"""

from __future__ import annotations

import dataclasses
import io
import re
import struct
import typing as t
import warnings
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

import PIL
from defusedxml import ElementTree
from PIL import (
    Image,
    ImageCms,
    ImageFile,
    ImageOps,
    IptcImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
)

MAX_PIXELS = int(Image.MAX_IMAGE_PIXELS or 89_478_485)
"""Largest image decoded, in pixels (Pillow's decompression-bomb limit)."""
JPEG_QUALITY = 82
WEBP_QUALITY = 80
WEBP_METHOD = 4
"""libwebp's effort (0-6); 4 is its default balance of size and speed."""
ENCODER = f"Pillow {PIL.__version__}; jpeg q{JPEG_QUALITY} progressive; " \
          f"webp q{WEBP_QUALITY} m{WEBP_METHOD}; lanczos; 1"
"""Part of every rendition's key: another Pillow or setting may give other bytes."""

MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
              "GIF": "image/gif"}
"""The formats read, by Pillow's name; a GIF is published as it is (it may move)."""
ORIENTATION = 0x0112

_NS = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
       "dc": "http://purl.org/dc/elements/1.1/",
       "photoshop": "http://ns.adobe.com/photoshop/1.0/"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


class ImageError(Exception):
    """A file that cannot be used as an image; the message says why, for people."""


@dataclasses.dataclass(frozen=True, slots=True)
class Probe:
    """What a build needs to know of an image file before making anything from it."""

    mime: str
    width: int
    """Width as shown: after the EXIF orientation is applied."""
    height: int
    orientation: int = 1
    caption: str = ""
    """IPTC or XMP caption, credit and copyright notice the file carries."""
    credit: str = ""
    copyright: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Output:
    """One rendition to make: the size it is drawn at and its format."""

    width: int
    height: int
    mime: str


def probe_file(path: Path) -> Probe:
    """Return what ``path`` is; raise :class:`ImageError` if it is no usable image.

    The pixels are decoded (a JPEG at an eighth of its size, a PNG only checked), so a
    truncated or damaged file is found here rather than half-way through a build.
    """
    with _opened(path) as im:
        mime = MIME_TYPES[t.cast(str, im.format)]
        width, height = im.size
        orientation = _orientation(im)
        caption, credit, notice = file_credits(im)
        try:
            if mime != "image/png":
                if mime == "image/jpeg":
                    im.draft(im.mode, (max(1, width // 8), max(1, height // 8)))
                im.load()
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
            raise ImageError(f"damaged {im.format} image ({_reason(exc)})") from None
    if mime == "image/png":
        with _opened(path) as im:
            try:
                im.verify()  # chunk checksums, without decoding the pixels
            except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
                raise ImageError(f"damaged PNG image ({_reason(exc)})") from None
    if orientation > 4:
        width, height = height, width
    return Probe(mime, width, height, orientation, caption, credit, notice)


def make_renditions(path: Path, outputs: t.Sequence[Output], credit: str = "",
                    copyright: str = "") -> list[bytes]:
    """Return the bytes of each of ``outputs`` made from the image file ``path``.

    The image is turned upright, drawn at each size (each from the next larger one) and
    encoded with the fixed settings; the colour profile goes with it, and the credit and
    copyright notice, when given, as XMP.
    """
    if not outputs:
        return []
    made: dict[Output, bytes] = {}
    xmp = credits_xmp(credit, copyright)
    with _opened(path) as im:
        if MIME_TYPES[t.cast(str, im.format)] == "image/gif":
            data = path.read_bytes()  # published as it is, frames and all
            return [data for _ in outputs]
        icc = im.info.get("icc_profile")
        widest = max(outputs, key=lambda o: o.width)
        turned = _orientation(im) > 4
        if im.format == "JPEG":
            want = (widest.height, widest.width) if turned else (widest.width, widest.height)
            im.draft(im.mode, want)
        try:
            image = ImageOps.exif_transpose(im)
            image = _web_mode(image, icc)
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
            raise ImageError(f"damaged {im.format} image ({_reason(exc)})") from None
    if image.mode == "RGB" and icc is not None and _is_cmyk_profile(icc):
        icc = None  # the pixels were converted to sRGB
    current = image
    for output in sorted(set(outputs), key=lambda o: (-o.width, -o.height, o.mime)):
        size = (output.width, output.height)
        if current.size != size:
            current = current.resize(size, Image.Resampling.LANCZOS)
        current.info = {}  # nothing of the source's metadata rides along
        made[output] = _encode(current, output.mime, icc, xmp)
    return [made[output] for output in outputs]


def clean_copy(path: Path, probe: Probe) -> bytes:
    """Return the bytes of image file ``path`` without its metadata, pixels untouched.

    JPEG segments and PNG and WebP chunks that carry EXIF, XMP, IPTC, comments or texts
    are cut out; the colour profile stays, and an orientation other than upright is
    written again as the only EXIF tag. A WebP that must be turned is encoded again.
    """
    data = path.read_bytes()
    exif = _orientation_exif(probe.orientation)
    if probe.mime == "image/jpeg":
        return _clean_jpeg(data, exif)
    if probe.mime == "image/png":
        return _clean_png(data, exif)
    if probe.mime == "image/webp":
        if probe.orientation != 1:
            return make_renditions(path, [Output(probe.width, probe.height, probe.mime)])[0]
        return _clean_webp(data)
    return data


def file_credits(im: Image.Image) -> tuple[str, str, str]:
    """Return the caption, credit and copyright notice an image file carries.

    XMP is read first (``dc:description``, ``photoshop:Credit`` and ``dc:creator``,
    ``dc:rights``), then IPTC (Caption/Abstract, Credit and By-line, Copyright Notice).
    The credit names the photographer and the agency as agencies write it:
    ``Artyom Korotayev / TASS``.
    """
    caption, credit, byline, notice = _xmp_fields(im)
    if isinstance(im, ImageFile.ImageFile) and im.format in ("JPEG", "TIFF"):
        try:
            iptc = IptcImagePlugin.getiptcinfo(im) or {}
        except (OSError, SyntaxError, ValueError, IndexError, struct.error):
            iptc = {}
        caption = caption or _iptc_text(iptc.get((2, 120)))
        credit = credit or _iptc_text(iptc.get((2, 110)))
        byline = byline or _iptc_text(iptc.get((2, 80)))
        notice = notice or _iptc_text(iptc.get((2, 116)))
    if byline and credit and byline.lower() not in credit.lower():
        credit = f"{byline} / {credit}"
    return caption, credit or byline, notice


def credits_xmp(credit: str, copyright: str) -> bytes | None:
    """Return an XMP packet holding ``credit`` and ``copyright`` (None for neither)."""
    if not credit and not copyright:
        return None
    fields = ""
    if credit:
        fields += f"<photoshop:Credit>{escape(credit)}</photoshop:Credit>"
    if copyright:
        fields += ("<dc:rights><rdf:Alt><rdf:li xml:lang=\"x-default\">"
                   f"{escape(copyright)}</rdf:li></rdf:Alt></dc:rights>")
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            f'<x:xmpmeta xmlns:x="{_NS["x"]}"><rdf:RDF xmlns:rdf="{_NS["rdf"]}">'
            f'<rdf:Description rdf:about="" xmlns:dc="{_NS["dc"]}" '
            f'xmlns:photoshop="{_NS["photoshop"]}">{fields}</rdf:Description></rdf:RDF>'
            '</x:xmpmeta><?xpacket end="r"?>').encode()


def _opened(path: Path) -> Image.Image:
    """Open ``path`` lazily, refusing what is no image, another format, or too large."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; both are refused here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(path, formats=list(MIME_TYPES))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"more than {MAX_PIXELS:,} pixels: too large to decode safely "
                         "(a decompression bomb?)") from None
    except UnidentifiedImageError:
        raise ImageError("not an image Pillow can read as JPEG, PNG, WebP or GIF") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise ImageError(f"damaged image ({_reason(exc)})") from None
    width, height = im.size
    if width * height > MAX_PIXELS or width < 1 or height < 1:
        im.close()
        raise ImageError(f"{width:,} x {height:,} pixels: more than {MAX_PIXELS:,}, too "
                         "large to decode safely (a decompression bomb?)")
    return im


def _reason(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(ORIENTATION, 1)
    except (OSError, SyntaxError, ValueError, struct.error):
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _orientation_exif(orientation: int) -> bytes | None:
    """Return EXIF (a TIFF structure) holding only ``orientation``; None for upright."""
    if orientation == 1:
        return None
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return exif.tobytes()[6:]  # without the "Exif\0\0" of a JPEG segment


def _is_cmyk_profile(icc: bytes) -> bool:
    return icc[16:20] == b"CMYK"


def _web_mode(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Return ``image`` in a mode browsers show: RGB, RGBA, L or LA."""
    if image.mode == "CMYK":
        if icc is not None and _is_cmyk_profile(icc):
            try:
                source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                srgb = ImageCms.createProfile("sRGB")
                converted = ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
                if converted is not None:
                    return converted
            except (ImageCms.PyCMSError, OSError):
                pass  # the plain conversion below
        return image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    if image.mode == "P" or image.mode == "PA":
        return image.convert("RGBA" if "transparency" in image.info or image.mode == "PA"
                             else "RGB")
    return image.convert("RGBA" if "A" in image.getbands() else "RGB")


def _encode(image: Image.Image, mime: str, icc: bytes | None, xmp: bytes | None) -> bytes:
    out = io.BytesIO()
    extra: dict[str, t.Any] = {}
    if icc is not None:
        extra["icc_profile"] = icc
    if mime == "image/jpeg":
        if image.mode not in ("RGB", "L"):
            image = _flatten(image)
        if xmp is not None:
            extra["xmp"] = xmp
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True,
                   **extra)
    elif mime == "image/png":
        if xmp is not None:
            info = PngImagePlugin.PngInfo()
            info.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"))
            extra["pnginfo"] = info
        image.save(out, "PNG", compress_level=9, **extra)
    elif mime == "image/webp":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        if xmp is not None:
            extra["xmp"] = xmp
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD, **extra)
    else:
        raise ValueError(f"cannot encode {mime}")
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """Return ``image`` on white, for a format without transparency."""
    rgba = image.convert("RGBA")
    ground = Image.new("RGB", rgba.size, (255, 255, 255))
    ground.paste(rgba, mask=rgba.getchannel("A"))
    return ground


def _xmp_fields(im: Image.Image) -> tuple[str, str, str, str]:
    """Return caption, credit, creator and rights of the image's XMP packet."""
    raw = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
    if not raw:
        return "", "", "", ""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    start, end = text.find("<x:xmpmeta"), text.rfind("</x:xmpmeta>")
    if start < 0 or end < 0:
        start, end = text.find("<rdf:RDF"), text.rfind("</rdf:RDF>")
        if start < 0 or end < 0:
            return "", "", "", ""
        end += len("</rdf:RDF>")
    else:
        end += len("</x:xmpmeta>")
    try:
        root = ElementTree.fromstring(text[start:end])
    except Exception:  # noqa: BLE001 - any malformed packet is read as none
        return "", "", "", ""

    def field(name: str) -> str:
        prefix, local = name.split(":")
        tag = f"{{{_NS[prefix]}}}{local}"
        for description in root.iter(f"{{{_NS['rdf']}}}Description"):
            if tag in description.attrib:
                return _tidy(description.attrib[tag])
            element = description.find(tag)
            if element is not None:
                items = element.findall(f".//{{{_NS['rdf']}}}li")
                default = [i for i in items
                           if i.get("{http://www.w3.org/XML/1998/namespace}lang") == "x-default"]
                chosen = default or items
                if chosen:
                    return " / ".join(_tidy(i.text or "") for i in chosen if i.text)
                return _tidy(element.text or "")
        return ""

    return (field("dc:description"), field("photoshop:Credit"), field("dc:creator"),
            field("dc:rights"))


def _iptc_text(value: object) -> str:
    if isinstance(value, list):
        return " / ".join(filter(None, (_iptc_text(v) for v in value)))
    if not isinstance(value, bytes):
        return ""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = value.decode("latin-1")
    return _tidy(text)


def _tidy(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


# ---------------------------------------------------------------- metadata-free copies

_JPEG_KEPT_APP = (0xE0, 0xEE)
"""APP0 (JFIF) and APP14 (Adobe: how the colours are coded) stay; APP2 stays when it
holds the ICC profile."""


def _clean_jpeg(data: bytes, exif: bytes | None) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise ImageError("damaged JPEG image (no start marker)")
    kept: list[bytes] = []
    pos = 2
    size = len(data)
    while True:
        while pos < size and data[pos] == 0xFF and pos + 1 < size and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes
        if pos + 1 >= size or data[pos] != 0xFF:
            raise ImageError("damaged JPEG image (a segment is cut short)")
        marker = data[pos + 1]
        if marker == 0xD9:  # end of image: what follows (thumbnails, trailers) goes
            kept.append(b"\xff\xd9")
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            kept.append(data[pos:pos + 2])
            pos += 2
            continue
        if pos + 4 > size:
            raise ImageError("damaged JPEG image (a segment is cut short)")
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > size:
            raise ImageError("damaged JPEG image (a segment is cut short)")
        segment = data[pos:end]
        app = 0xE0 <= marker <= 0xEF or marker == 0xFE
        if not app or marker in _JPEG_KEPT_APP or (
                marker == 0xE2 and segment[4:16] == b"ICC_PROFILE\0"):
            kept.append(segment)
        pos = end
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker
            scan = pos
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    raise ImageError("damaged JPEG image (no end marker)")
                following = data[pos + 1]
                if following == 0 or 0xD0 <= following <= 0xD7:
                    pos += 2
                    continue
                break
            kept.append(data[scan:pos])
    head = [b"\xff\xd8"]
    if kept and kept[0][1] == 0xE0:
        head.append(kept.pop(0))
    if exif is not None:
        body = b"Exif\0\0" + exif
        head.append(b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body)
    return b"".join(head + kept)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DROPPED = frozenset({b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"})


def _clean_png(data: bytes, exif: bytes | None) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise ImageError("damaged PNG image (no signature)")
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ImageError("damaged PNG image (a chunk is cut short)")
        if kind not in _PNG_DROPPED:
            out.append(data[pos:end])
        if kind == b"IHDR" and exif is not None:
            out.append(_png_chunk(b"eXIf", exif))
        pos = end
        if kind == b"IEND":
            break
    return b"".join(out)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return len(body).to_bytes(4, "big") + kind + body + crc.to_bytes(4, "big")


def _clean_webp(data: bytes) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ImageError("damaged WebP image (no RIFF header)")
    chunks: list[bytes] = []
    pos = 12
    while pos + 8 <= len(data):
        kind = data[pos:pos + 4]
        length = int.from_bytes(data[pos + 4:pos + 8], "little")
        end = pos + 8 + length + (length & 1)
        if pos + 8 + length > len(data):
            raise ImageError("damaged WebP image (a chunk is cut short)")
        chunk = data[pos:min(end, len(data))]
        if kind == b"VP8X" and length >= 1:
            # The flags say which chunks follow: no EXIF (0x08), no XMP (0x04).
            chunk = chunk[:8] + bytes([chunk[8] & ~0x0C]) + chunk[9:]
        if kind not in (b"EXIF", b"XMP "):
            chunks.append(chunk)
        pos = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body
