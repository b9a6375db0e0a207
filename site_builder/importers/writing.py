"""Write imported articles into ``content/``, idempotently and without clobbering edits.

``site-builder import`` reads each source (scraped article text or a feed) into
:class:`ImportedArticle` objects, then places each one:

- An article is matched to an existing file by ``original_url``, looked up in the front
  matter of every file under ``content/``; an article without one is matched by the
  file it would be written to. A new article goes to
  ``content/YYYY/MM/YYYY-MM-DD-slug.md``, the slug made unique if the file or the page
  URL is taken.
- Every file written records ``import_digest`` in its front matter: the SHA-256 of the
  file's text without that line. A file whose text no longer matches its digest (or
  that has none) was edited since it was imported, and is only overwritten with
  ``force``.
- Importing the same source again writes nothing: a file whose text would not change
  is left alone, so its bytes and modification time stay as they are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import typing as t
from pathlib import Path

import yaml

from ..config import Config
from ..content import clean_text, discover_sources, parse_date, read_source, split_front_matter
from ..errors import Problem
from ..urls import MAX_SEGMENT, expand_permalink, output_path, slug_from_filename, slugify
from ..validate import RESERVED_URLS
from .article_text import parse_article_text
from .feed_entries import parse_feed, read_feed
from .imported import ImportedArticle, guess_lang, valid_lang

DIGEST_KEY = "import_digest"
"""Front-matter key holding the digest of the text the importer wrote."""
FALLBACK_SLUG = "article"
"""Slug of an article whose title gives none (only punctuation, say)."""
MAX_CANDIDATES = 999
"""Most articles of one day with one title (``slug``, ``slug-2`` ... ``slug-999``)."""

Action = t.Literal["created", "updated", "unchanged", "skipped"]
_DIGEST_LINE = re.compile(rf"^{DIGEST_KEY}: sha256:(?P<hex>[0-9a-f]{{64}})\n", re.MULTILINE)
_FRONT_END = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclasses.dataclass(frozen=True, slots=True)
class ImportEvent:
    """What happened to one imported article."""

    action: Action
    path: str
    """Project-relative path of the content file."""
    origin: str
    """Where the article came from (file, or feed and entry)."""
    number: int
    """1-based position of the article within its source."""
    total: int
    """Number of articles read from that source."""


@dataclasses.dataclass(frozen=True, slots=True)
class ImportResult:
    """Everything an import did, and every problem met on the way."""

    events: tuple[ImportEvent, ...]
    problems: tuple[Problem, ...]

    def count(self, action: Action) -> int:
        """Return how many articles ended with ``action``."""
        return sum(1 for event in self.events if event.action == action)

    @property
    def failed(self) -> int:
        """Return the number of sources or entries refused for an error."""
        return sum(1 for problem in self.problems if problem.level == "error")


@dataclasses.dataclass(slots=True)
class _ContentIndex:
    """What ``content/`` already holds, kept current while articles are written."""

    by_original_url: dict[str, Path] = dataclasses.field(default_factory=dict)
    without_url: set[Path] = dataclasses.field(default_factory=set)
    """Files with no ``original_url``, matched by path when an article has none either."""
    taken_outputs: set[str] = dataclasses.field(default_factory=set)
    """Output paths of the pages existing articles are built to."""
    placed: dict[str, str] = dataclasses.field(default_factory=dict)
    """Match key -> origin of each article handled in this run."""


def import_sources(
    config: Config, files: t.Sequence[str] = (), feeds: t.Sequence[str] = (), *,
    force: bool = False, lang: str | None = None,
    on_event: t.Callable[[ImportEvent], None] | None = None,
) -> ImportResult:
    """Import article text ``files`` and ``feeds`` (paths or URLs) into ``content/``.

    ``force`` overwrites files edited since they were imported; ``lang`` sets every
    article's language; ``on_event`` is called after each article, for progress.
    """
    problems: list[Problem] = []
    events: list[ImportEvent] = []
    index = _scan_content(config, problems)

    def place_all(articles: t.Sequence[ImportedArticle]) -> None:
        for number, article in enumerate(articles, 1):
            event = _place(config, index, article, force=force, lang=lang,
                           problems=problems, number=number, total=len(articles))
            if event is not None:
                events.append(event)
                if on_event is not None:
                    on_event(event)

    for location in files:
        article, found = read_article_text(location, config)
        problems += found
        if article is not None:
            place_all([article])
    for location in feeds:
        data, problem = read_feed(location)
        if problem is not None:
            problems.append(problem)
            continue
        assert data is not None
        articles, found = parse_feed(data, location, agencies=config.import_agencies)
        problems += found
        place_all(articles)
    return ImportResult(tuple(events), tuple(problems))


def read_article_text(location: str, config: Config) -> tuple[ImportedArticle | None,
                                                                list[Problem]]:
    """Read and parse one file of scraped article text."""
    try:
        data = Path(location).read_bytes()
    except OSError as exc:
        return None, [Problem(location, None, f"cannot read file: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(location, line, "not UTF-8 text (is it a binary file?)")]
    return parse_article_text(clean_text(text), location, agencies=config.import_agencies)


def render_article(article: ImportedArticle, lang: str) -> str:
    """Return the Markdown file for ``article``: front matter (with digest) and body."""
    front: dict[str, object] = {"title": article.title, "date": article.date}
    if article.updated is not None:
        front["updated"] = article.updated
    if article.authors:
        front["authors"] = list(article.authors)
    if article.source:
        front["source"] = article.source
    if article.tags:
        front["tags"] = list(article.tags)
    if article.summary:
        front["summary"] = article.summary
    if article.image is not None:
        image = {key: value for key, value in (
            ("src", article.image.src), ("alt", article.image.alt),
            ("caption", article.image.caption), ("credit", article.image.credit)) if value}
        if image:
            front["image"] = image
    if article.related:
        front["related"] = [{"title": r.title, **({"url": r.url} if r.url else {})}
                            for r in article.related]
    if article.original_url:
        front["original_url"] = article.original_url
    front["lang"] = lang
    header = yaml.dump(front, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                       width=1_000_000, default_flow_style=False)
    body = f"\n{article.body}" if article.body.strip() else ""
    unsigned = f"---\n{header}---\n{body}"
    return f"---\n{header}{DIGEST_KEY}: sha256:{_digest(unsigned)}\n---\n{body}"


def is_unedited(text: str) -> bool:
    """Return whether ``text`` is exactly what the importer wrote (its digest matches)."""
    # A checkout that turns line endings into CRLF has not edited the article.
    text = text.replace("\r\n", "\n")
    end = _FRONT_END.search(text, 4) if text.startswith("---") else None
    if end is None:
        return False
    match = _DIGEST_LINE.search(text, 0, end.end())
    if match is None:
        return False
    unsigned = text[:match.start()] + text[match.end():]
    return _digest(unsigned) == match.group("hex")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Dumper(yaml.SafeDumper):
    """Safe YAML with indented lists and ISO 8601 date-times (``2018-08-22T10:30:00+03:00``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_Dumper.add_representer(dt.datetime, _represent_datetime)


def _scan_content(config: Config, problems: list[Problem]) -> _ContentIndex:
    """Index the existing articles by ``original_url`` and by the page each builds to."""
    index = _ContentIndex()
    if not config.content_path.is_dir():
        return index
    sources, _ = discover_sources(config)
    for src in sources:
        text, _ = read_source(src)
        if text is None:
            continue
        split = split_front_matter(clean_text(text), src.path)
        if isinstance(split, Problem):
            problems.append(Problem(src.path, split.line, f"{split.message}; imports are not "
                                    "matched against this file", level="warning"))
            continue
        meta = split[0]
        url = meta.get("original_url")
        if isinstance(url, str) and url.strip():
            index.by_original_url.setdefault(url.strip(), src.abs_path)
        else:
            index.without_url.add(src.abs_path)
        page = _page_of(config, meta, src.abs_path)
        if page is not None:
            index.taken_outputs.add(page)
    return index


def _page_of(config: Config, meta: t.Mapping[str, object], path: Path) -> str | None:
    """Return the output path the build gives an existing file, or None if unknown."""
    date = parse_date(meta.get("date"), config.tzinfo)
    slug = meta.get("slug")
    if not isinstance(slug, str):
        title = meta.get("title")
        slug = slug_from_filename(path.stem) or (slugify(title) if isinstance(title, str)
                                                 else "")
    lang = meta.get("lang")
    if date is None or not slug:
        return None
    return output_path(expand_permalink(config.permalink, date=date, slug=slug,
                                        lang=lang if isinstance(lang, str) else config.language))


def _place(
    config: Config, index: _ContentIndex, article: ImportedArticle, *, force: bool,
    lang: str | None, problems: list[Problem], number: int, total: int,
) -> ImportEvent | None:
    """Create, update or keep the file of one article; None if it could not be written."""
    article_lang = (valid_lang(lang) or article.lang
                    or guess_lang(f"{article.title}\n{article.body}", config.language))
    text = render_article(article, article_lang)
    key = article.original_url
    if key is not None:
        existing = index.by_original_url.get(key)
    else:
        existing = _match_by_path(config, index, article)
        key = str(existing or _article_path(config, article, next(_slug_candidates(article))))
    earlier = index.placed.get(key)
    index.placed.setdefault(key, article.label)

    def event(action: Action, path: Path) -> ImportEvent:
        rel = path.relative_to(config.project_dir).as_posix()
        return ImportEvent(action, rel, article.label, number, total)

    if existing is not None:
        current = _read_text(existing)
        if current == text:
            return event("unchanged", existing)
        if earlier is not None:
            what = f"{article.entry}: same" if article.entry else "same"
            problems.append(Problem(article.origin, article.origin_line,
                                    f"{what} article as {earlier}; imported only once",
                                    level="warning"))
            return event("skipped", existing)
        if not force and (current is None or not is_unedited(current)):
            return event("skipped", existing)
        return event("updated", existing) if _write(config, existing, text, problems) else None
    path = _new_path(config, index, article, article_lang)
    if path is None:
        what = f"{article.entry}: no" if article.entry else "no"
        problems.append(Problem(article.origin, article.origin_line,
                                f"{what} free file name for this article; not imported"))
        return None
    if not _write(config, path, text, problems):
        return None
    page = _page_of(config, {"date": article.date, "lang": article_lang}, path)
    if page is not None:
        index.taken_outputs.add(page)
    if article.original_url is not None:
        index.by_original_url[article.original_url] = path
    else:
        index.without_url.add(path)
    return event("created", path)


def _article_path(config: Config, article: ImportedArticle, slug: str) -> Path:
    year, month, day = f"{article.date.year:04d}", f"{article.date.month:02d}", \
        f"{article.date.day:02d}"
    return config.content_path / year / month / f"{year}-{month}-{day}-{slug}.md"


def _slug_candidates(article: ImportedArticle) -> t.Iterator[str]:
    """Yield the slugs an article may take, in order: from its title, then ``-2``, ``-3``..."""
    base = slugify(article.title) or FALLBACK_SLUG
    yield base
    for number in range(2, MAX_CANDIDATES + 1):
        suffix = f"-{number}"
        yield base[:MAX_SEGMENT - len(suffix)].rstrip("-") + suffix


def _match_by_path(config: Config, index: _ContentIndex, article: ImportedArticle) -> Path | None:
    """Return the file of an article that has no URL: same day, same title, no URL either."""
    for slug in _slug_candidates(article):
        path = _article_path(config, article, slug)
        if path in index.without_url:
            return path
        if not path.exists():
            return None
    return None


def _new_path(
    config: Config, index: _ContentIndex, article: ImportedArticle, lang: str
) -> Path | None:
    """Return a free file for ``article`` whose page URL no other article has."""
    date = article.date
    when = date if isinstance(date, dt.datetime) else dt.datetime(
        date.year, date.month, date.day, tzinfo=config.tzinfo)
    for slug in _slug_candidates(article):
        path = _article_path(config, article, slug)
        page = output_path(expand_permalink(config.permalink, date=when, slug=slug, lang=lang))
        if (path.exists() or page in index.taken_outputs
                or page.removesuffix("index.html") in RESERVED_URLS
                or page.startswith(("assets/", "page/"))):
            continue
        return path
    return None


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _write(config: Config, path: Path, text: str, problems: list[Problem]) -> bool:
    """Write ``text`` to ``path`` atomically; record a problem and return False on failure."""
    rel = path.relative_to(config.project_dir).as_posix()
    # resolve() sees through a symbolic link among the folders before any is created.
    if not path.resolve().is_relative_to(config.content_path.resolve()):
        problems.append(Problem(rel, None, "refusing to write outside the content folder"))
        return False
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # os.open with 0o666 lets the umask decide the mode, as for any new file.
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        problems.append(Problem(rel, None, f"cannot write file: {exc.strerror or exc}"))
        return False
    return True
