"""Local images of articles: found beside them, made into renditions, shown as pictures.

An article's ``image.src`` and the ``<img>`` elements of its body may name an image file
beside the article's source, or in its page bundle (``photo.jpg``, ``../photos/x.png``).
Each such file becomes a :class:`~.model.Picture`: renditions at up to four widths
(:data:`WIDTHS`, never wider than the original) in the original's format and in WebP,
published in the article's page folder under names that carry their key. The lead
image and each body image are then shown with ``<picture>``, ``srcset``, ``sizes`` and
the ``width`` and ``height`` that keep the page from shifting as images load. Remote
``http(s)`` images and root-relative paths stay as they are.

What a file is (:class:`~.imaging.Probe`) and every rendition are keyed by digests of
the source's bytes and the settings, so each is made once: renditions wait in the image
cache (a folder of the build cache) and are copied into the output only when their key
changes; a build that changes no image makes and copies none. Making them runs in the
worker pool, from the publish stage, and only for files the output lacks.

Stages, in build order: :func:`image_files` probes the content folder's images,
:func:`attach_pictures` gives the parsed articles their pictures (and reports missing,
damaged and oversized files at the front-matter key or Markdown line),
:func:`picture_routes` and :func:`bundle_copies` plan the files, and :func:`make_missing`
makes what the output needs.
"""

from __future__ import annotations

import dataclasses
import html
import json
import logging
import os
import posixpath
import re
import typing as t
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import hrefs
from .config import Config
from .content import SourceFile, Sources, clean_text, read_source
from .digests import digest_bytes
from .errors import BuildError, Problem
from .incremental.store import Cache, compress_body
from .model import Article, Body, Image, Picture, Rendition, Route
from .parallel import default_jobs, run_tasks
from .urls import page_folder

if t.TYPE_CHECKING:
    from .imaging import Output, Probe
    from .parsing import Parsing

# Pillow is imported (by .imaging) only when the content folder holds images: a build of
# an archive without any pays nothing for it.

log = logging.getLogger(__name__)

WIDTHS = (480, 800, 1200, 1600)
"""Widths of the renditions, in pixels; an original narrower than the widest gives its
own width instead of the wider ones."""
SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"
"""How wide the default theme shows an article's images: its text column."""
WEBP = "image/webp"
SHOWN_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")
"""Endings of the file names made into pictures (compared in lower case)."""
CACHE_FOLDER = "images"
"""Folder of the build cache holding renditions and clean copies, named by key."""
PROBES_KEY = "image-probes"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
              "image/gif": "gif"}

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_IMG = re.compile(r"<img\b", re.IGNORECASE)
_PICTURE = re.compile(r"<picture\b.*?</picture\s*>", re.IGNORECASE | re.DOTALL)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_KEPT_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir"})


@dataclasses.dataclass(frozen=True, slots=True)
class ImageFiles:
    """The image files of the content folder, what each is, and where renditions wait."""

    by_path: t.Mapping[str, SourceFile]
    digests: t.Mapping[str, bytes]
    probes: t.Mapping[str, Probe | str]
    """By source path: what the file is, or why it is no usable image."""
    folder: Path
    """The image cache: renditions and clean copies, each named by its key."""
    content_dir: str = "content"


def is_local_image(src: str) -> bool:
    """Return whether ``src`` names an image file relative to the article that shows it."""
    src = src.strip()
    if not src or src.startswith(("/", "#", "?")) or _SCHEME.match(src):
        return False
    return unquote(urlsplit(src).path).lower().endswith(SHOWN_SUFFIXES)


def image_files(sources: Sources, config: Config, cache: Cache,
                jobs: int | None = None) -> ImageFiles:
    """Return the content folder's image files with their probes, probing only new bytes."""
    files = {src.path: src for group in sources.bundled.values() for src in group
             if src.path.lower().endswith(SHOWN_SUFFIXES)}
    files.update((src.path, src) for src in sources.loose
                 if src.path.lower().endswith(SHOWN_SUFFIXES))
    folder = cache.path.parent / CACHE_FOLDER
    content_dir = config.content_dir.strip("/")
    if not files:
        return ImageFiles({}, {}, {}, folder, content_dir)
    from .imaging import ENCODER, Probe

    probe_format = f"{ENCODER}; probe 1"
    known: dict[str, t.Any] = {}
    raw = cache.get_value(PROBES_KEY)
    if raw is not None:
        try:
            data = json.loads(raw)
            if data.get("format") == probe_format:
                known = dict(data["probes"])
        except (ValueError, TypeError, KeyError, AttributeError):
            known = {}  # probed again and rewritten below
    keys = {path: sources.digests[path].hex() for path in files}
    missing = sorted({key: path for path, key in keys.items() if key not in known}.items(),
                     key=lambda item: item[1])
    for key, found in run_tasks(_probe_one, files, missing, jobs):
        known[key] = found
    wanted = {key: known[key] for key in sorted(set(keys.values()))}
    if missing or len(wanted) != len(known):
        cache.set_value(PROBES_KEY, json.dumps({"format": probe_format, "probes": wanted}))
    probes: dict[str, Probe | str] = {}
    for path, key in keys.items():
        value = wanted[key]
        probes[path] = value if isinstance(value, str) else Probe(*value)
    return ImageFiles(files, dict(sources.digests), probes, folder, content_dir)


def _probe_one(files: t.Mapping[str, SourceFile], task: tuple[str, str]) -> tuple[str, object]:
    """Return the digest key of a file and its probe as stored (a list, or a message)."""
    from .imaging import ImageError, probe_file

    key, path = task
    src = files[path]
    try:
        return key, list(dataclasses.astuple(probe_file(src.abs_path)))
    except ImageError as exc:
        return key, str(exc)
    except OSError as exc:
        return key, f"cannot read file: {exc.strerror or exc}"


# ----------------------------------------------------------------- giving articles pictures

def attach_pictures(parsing: Parsing, files: ImageFiles, config: Config,
                    cache: Cache) -> Parsing:
    """Return ``parsing`` with each article's local images made into pictures.

    The body's ``<img>`` elements that name a local file become ``<picture>`` markup;
    the problems (a missing, damaged or oversized file, an image without alt text) join
    those of the article's source, so the incremental build reports them alike.
    """
    articles: list[Article] = []
    links = dict(parsing.links)
    by_source = dict(parsing.by_source)
    changed: set[int] = set()
    for article in parsing.articles:
        found: list[Problem] = []
        new = _attach(article, links.get(article.src_path, ()), files, config, cache, found)
        if new is not article:
            changed.add(id(article))
            if new.body is not article.body:
                links[article.src_path] = tuple(dict.fromkeys(hrefs.link_values(new.html)))
        if found:
            by_source[article.src_path] = (*by_source.get(article.src_path, ()), *found)
        articles.append(new)
    if not changed and by_source == parsing.by_source:
        return parsing
    return dataclasses.replace(
        parsing, articles=articles, links=links, by_source=by_source,
        problems=[p for found in by_source.values() for p in found],
        tokens=[(a, token) for a, token in parsing.tokens if id(a) not in changed])


def _attach(article: Article, links: t.Sequence[str], files: ImageFiles, config: Config,
            cache: Cache, problems: list[Problem]) -> Article:
    image = _lead(article, files, problems)
    body = article.body
    pictures: tuple[Picture, ...] = ()
    if any(is_local_image(link) for link in links):
        located = _Locator(article, config)

        def plan(src: str) -> Picture | None:
            found = _picture_of(src, article, files)
            if isinstance(found, str):
                problems.append(Problem(article.src_path, located.line(src), found))
                return None
            return found

        def no_alt(src: str) -> None:
            problems.append(Problem(article.src_path, located.line(src),
                                    f"image {src} has no alt text: describe what it shows for "
                                    "readers who cannot see it", level="warning"))

        new_html, shown = rewrite_images(article.html, plan, no_alt)
        pictures = tuple(dict.fromkeys(shown))
        if new_html != article.html:
            digest = Body(new_html).digest
            if not cache.has_body(digest):
                cache.store_body(digest, compress_body(new_html))
            body = Body.stored(digest, cache)
    if image is article.image and body is article.body and not pictures:
        return article
    return dataclasses.replace(article, image=image, body=body, pictures=pictures)


def _lead(article: Article, files: ImageFiles, problems: list[Problem]) -> Image | None:
    image = article.image
    if image is None or not image.src or not is_local_image(image.src):
        return image
    line = article.line_of("image") or 1
    probe = _probe_of(image.src, article, files)
    if isinstance(probe, str):
        problems.append(Problem(article.src_path, line, f"image.src: {probe}"))
        return image
    path, found = probe
    if not image.alt:
        problems.append(Problem(article.src_path, line, "image.alt: missing: describe what "
                                "the photo shows for readers who cannot see it",
                                level="warning"))
    caption = image.caption or found.caption
    credit = image.credit or found.credit
    notice = image.copyright or found.copyright
    picture = _plan(article, path, found, files, credit, notice)
    return dataclasses.replace(image, caption=caption, credit=credit, copyright=notice,
                               picture=picture)


def _probe_of(src: str, article: Article, files: ImageFiles) -> tuple[str, Probe] | str:
    """Return the source path ``src`` names and its probe, or what is wrong with it."""
    folder = posixpath.dirname(article.src_path)
    path = posixpath.normpath(posixpath.join(folder, unquote(urlsplit(src.strip()).path)))
    if not path.startswith(files.content_dir + "/"):
        return f"{src}: names a file outside the content folder"
    probe = files.probes.get(path)
    if probe is None:
        return f"{src}: image file {path} not found"
    if isinstance(probe, str):
        return f"{src}: {path}: {probe}"
    return path, probe


def _picture_of(src: str, article: Article, files: ImageFiles) -> Picture | str:
    found = _probe_of(src, article, files)
    if isinstance(found, str):
        return found
    path, probe = found
    return _plan(article, path, probe, files, probe.credit, probe.copyright)


def _plan(article: Article, path: str, probe: Probe, files: ImageFiles, credit: str,
          notice: str) -> Picture:
    """Return the picture of image file ``path`` as ``article`` shows it."""
    from .imaging import ENCODER

    source = files.digests[path].hex()
    stem = _UNSAFE_NAME.sub("-", posixpath.splitext(posixpath.basename(path))[0]).strip("-")
    folder = page_folder(article.url) + (stem or "image")
    renditions: list[Rendition] = []
    if probe.mime == "image/gif":
        key = digest_bytes(ENCODER, "as it is", source).hex()[:32]
        renditions.append(Rendition(f"{folder}.{key[:10]}.gif", probe.width, probe.height,
                                    probe.mime, key))
    else:
        widths = [w for w in WIDTHS if w < probe.width] + [min(probe.width, WIDTHS[-1])]
        formats = [probe.mime] + ([WEBP] if probe.mime != WEBP else [])
        for mime in formats:
            for width in dict.fromkeys(widths):
                height = max(1, round(width * probe.height / probe.width))
                key = digest_bytes(ENCODER, source, mime, str(width), str(height), credit,
                                   notice).hex()[:32]
                renditions.append(Rendition(
                    f"{folder}-{width}.{key[:10]}.{EXTENSIONS[mime]}", width, height, mime, key))
    return Picture(path, probe.width, probe.height, tuple(renditions), probe.caption,
                   probe.credit, probe.copyright)


class _Locator:
    """Find the line of the article's source where a body image is named (read once)."""

    def __init__(self, article: Article, config: Config) -> None:
        self.article = article
        self.config = config
        self.lines: list[str] | None = None

    def line(self, src: str) -> int:
        if self.lines is None:
            text, _ = read_source(SourceFile(self.article.src_path,
                                             str(self.config.project_dir / self.article.src_path)))
            self.lines = clean_text(text or "").split("\n")
        start = self.article.body_line
        for number in range(start, len(self.lines) + 1):
            if src in self.lines[number - 1]:
                return number
        return start


# ----------------------------------------------------------------------------- markup

def rewrite_images(
    body: str, plan: t.Callable[[str], Picture | None],
    no_alt: t.Callable[[str], None] | None = None,
) -> tuple[str, list[Picture]]:
    """Return ``body`` with each ``<img>`` naming a local image shown as its picture.

    ``plan`` gives the picture of a ``src`` (None: leave that image as it is); an image
    already inside a ``<picture>`` is left alone. ``no_alt`` is told of images that have
    no alt text. The pictures shown are returned in order.
    """
    if not _IMG.search(body):
        return body, []
    skip = [m.span() for m in _PICTURE.finditer(body)]
    shown: list[Picture] = []
    parts: list[str] = []
    last = 0
    for match in hrefs.start_tags(body):
        if match.group(1).lower() != "img" or any(a <= match.start() < b for a, b in skip):
            continue
        attrs = {name.lower(): value for name, value in _attributes(match.group(2))}
        src = attrs.get("src", "").strip()
        if not is_local_image(src):
            continue
        picture = plan(src)
        if picture is None:
            continue
        alt = attrs.get("alt", "")
        if not alt.strip() and no_alt is not None:
            no_alt(src)
        extra = {k: v for k, v in attrs.items() if k in _KEPT_ATTRIBUTES}
        width = attrs.get("width", "").strip()
        sizes = f"{width}px" if width.isdigit() and int(width) > 0 else SIZES
        parts.append(body[last:match.start()])
        parts.append(picture_html(picture, alt, href=_file_name, sizes=sizes,
                                  attributes=extra, width=int(width) if width.isdigit() else None))
        last = match.end()
        shown.append(picture)
    if not shown:
        return body, []
    parts.append(body[last:])
    return "".join(parts), shown


def _file_name(url: str) -> str:
    # Renditions live in the page's own folder: the body names them relatively, so the
    # feeds (whose entries carry the page as their base) show them too.
    return url.rpartition("/")[2]


def _attributes(text: str) -> t.Iterator[tuple[str, str]]:
    for match in hrefs.ATTRIBUTE.finditer(text or ""):
        raw = match.group(2)
        if raw is None:
            yield match.group(1), ""
            continue
        if raw[:1] in ("'", '"'):
            raw = raw[1:-1]
        yield match.group(1), html.unescape(raw)


def picture_html(
    picture: Picture, alt: str, *, href: t.Callable[[str], str], sizes: str = SIZES,
    lead: bool = False, priority: bool = False, css_class: str = "",
    widest: int | None = None, attributes: t.Mapping[str, str] | None = None,
    width: int | None = None,
) -> str:
    """Return the ``<picture>`` element showing ``picture`` (an ``<img>`` for a GIF).

    ``href`` turns a rendition's site path into the URL written; ``lead`` loads the
    image at once (``loading="eager"``; with ``priority`` also ``fetchpriority="high"``,
    before the page's other images), otherwise it loads when scrolled near
    (``loading="lazy"``); ``widest`` leaves out wider renditions (a thumbnail);
    ``width`` is a display width the source gave, the height then follows it.
    """
    own = [r for r in picture.of_type(picture.renditions[0].mime)
           if widest is None or r.width <= widest] or [picture.renditions[0]]
    web = [r for r in picture.of_type(WEBP) if widest is None or r.width <= widest]
    if own[0].mime == WEBP:
        web = []
    fallback = picture.fallback if picture.fallback in own else own[-1]
    shown_width, shown_height = fallback.width, fallback.height
    if width is not None and width > 0:
        shown_width, shown_height = width, max(1, round(width * fallback.height
                                                         / fallback.width))
    attrs: dict[str, str] = {"src": href(fallback.url)}
    if len(own) > 1 or web:
        attrs["srcset"] = _srcset(own, href)
        attrs["sizes"] = sizes
    attrs.update({"width": str(shown_width), "height": str(shown_height), "alt": alt})
    if lead:
        attrs["loading"] = "eager"
        if priority:
            attrs["fetchpriority"] = "high"
    else:
        attrs.update({"loading": "lazy", "decoding": "async"})
    if css_class:
        attrs["class"] = css_class
    for name, value in (attributes or {}).items():
        attrs.setdefault(name, value)
    img = "<img" + "".join(f' {name}="{html.escape(value)}"'
                           for name, value in attrs.items()) + ">"
    if not web:
        return img
    source = (f'<source type="{WEBP}" srcset="{html.escape(_srcset(web, href))}" '
              f'sizes="{html.escape(sizes)}">')
    return f"<picture>{source}{img}</picture>"


def _srcset(renditions: t.Sequence[Rendition], href: t.Callable[[str], str]) -> str:
    return ", ".join(f"{href(r.url)} {r.width}w" for r in renditions)


# ----------------------------------------------------------------------------- routes

RENDITION = "rendition"
"""Context key of a rendition's copy route: the rendition, with ``source``, ``credit``
and ``copyright``."""
CLEAN = "clean"
"""Context key of a bundle image's copy route: the format and orientation of the file,
copied without its metadata."""


def picture_urls(articles: t.Iterable[Article]) -> list[str]:
    """Return the site paths of every rendition the articles show (what
    :func:`picture_routes` publishes, for link resolution to know)."""
    return sorted({r.url for article in articles for picture in article.all_pictures
                   for r in picture.renditions})


def picture_routes(articles: t.Iterable[Article], files: ImageFiles) -> list[Route]:
    """Return the copy routes of every rendition the articles show, each file once."""
    routes: dict[str, Route] = {}
    for article in sorted(articles, key=lambda a: a.src_path):
        image = article.image
        for picture in article.all_pictures:
            lead = image is not None and picture is image.picture
            credit = image.credit if lead and image else picture.credit
            notice = image.copyright if lead and image else picture.copyright
            source = str(files.by_path[picture.file].abs_path)
            for rendition in picture.renditions:
                if rendition.url in routes:
                    continue  # the same file shown twice: the key in its name is the same
                routes[rendition.url] = Route(
                    url=rendition.url, output_path=rendition.url, template=None,
                    source_file=str(files.folder / _cache_name(rendition.key, rendition.mime)),
                    sources=(picture.file,), content_key=rendition.key,
                    context={RENDITION: rendition, "source": source, "credit": credit,
                             "copyright": notice})
    return [routes[url] for url in sorted(routes)]


def bundle_copies(routes: t.Sequence[Route], files: ImageFiles) -> list[Route]:
    """Return page bundles' copy routes, each image among them copied without metadata.

    Other files of a bundle are copied as they are, each with its digest as the key: an
    unchanged file is then not even read.
    """
    copies: list[Route] = []
    for route in routes:
        path = route.sources[0]
        probe = files.probes.get(path)
        digest = files.digests.get(path)
        if probe is not None and not isinstance(probe, str) and probe.mime != "image/gif" \
                and digest is not None:
            from .imaging import ENCODER

            key = digest_bytes(ENCODER, "clean copy", digest.hex()).hex()[:32]
            copies.append(dataclasses.replace(
                route, source_file=str(files.folder / _cache_name(key, probe.mime)),
                content_key=key,
                context={CLEAN: (probe.mime, probe.orientation), "source": route.source_file}))
        else:
            copies.append(dataclasses.replace(
                route, content_key=digest.hex() if digest is not None else None))
    return copies


def _cache_name(key: str, mime: str) -> str:
    return f"{key[:2]}/{key}.{EXTENSIONS[mime]}"


# ----------------------------------------------------------------------------- making

def make_missing(routes: t.Iterable[Route], jobs: int | None) -> int:
    """Make the renditions and clean copies of ``routes`` that the image cache lacks.

    Files are made in the worker pool, one task per source file, which is decoded once
    for all its renditions. Return the number of files made.
    """
    groups: dict[str, dict[str, Route]] = {}
    for route in routes:
        context = route.context
        if route.source_file is None or (RENDITION not in context and CLEAN not in context):
            continue
        if os.path.exists(route.source_file):
            continue
        groups.setdefault(str(context["source"]), {})[route.source_file] = route
    tasks = [(source, tuple(group.values())) for source, group in sorted(groups.items())]
    # The largest sources first, so no worker is left with one big file at the end.
    tasks.sort(key=lambda task: -_size(task[0]))
    # Each task is a large file to decode and encode many times over: even two are worth
    # a worker each, where cheap tasks wait for dozens.
    workers = jobs if jobs is not None else min(default_jobs(), len(tasks))
    made = sum(run_tasks(_make_group, None, tasks, workers))
    if made:
        log.info("made %d image files", made)
    return made


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _make_group(_: None, task: tuple[str, tuple[Route, ...]]) -> int:
    """Make the files of one source; raise :class:`BuildError` naming it when it fails."""
    from .imaging import ImageError, Probe, clean_copy, make_renditions

    source, routes = task
    path = Path(source)
    shown = routes[0].sources[0] if routes[0].sources else source
    try:
        results: list[tuple[Route, bytes]] = []
        by_credit: dict[tuple[str, str], list[Route]] = {}
        for route in routes:
            if CLEAN in route.context:
                mime, orientation = t.cast(tuple[str, int], route.context[CLEAN])
                results.append((route, clean_copy(path, Probe(mime, 0, 0, orientation))))
            else:
                pair = (str(route.context["credit"]), str(route.context["copyright"]))
                by_credit.setdefault(pair, []).append(route)
        for (credit, notice), group in sorted(by_credit.items()):
            outputs = [_output(route) for route in group]
            results += zip(group, make_renditions(path, outputs, credit, notice), strict=True)
        for route, data in results:
            _write(Path(t.cast(str, route.source_file)), data)
    except ImageError as exc:
        raise BuildError([Problem(shown, None, str(exc))]) from None
    except OSError as exc:
        raise BuildError([Problem(shown, None, f"cannot make image files: "
                                               f"{exc.strerror or exc}")]) from None
    return len(results)


def _output(route: Route) -> Output:
    from .imaging import Output

    rendition = t.cast(Rendition, route.context[RENDITION])
    return Output(rendition.width, rendition.height, rendition.mime)


def _write(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(data)
        os.replace(temp, dest)
    finally:
        temp.unlink(missing_ok=True)
