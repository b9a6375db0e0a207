"""Read scraped article text into an :class:`ImportedArticle`.

The format, line by line (blank lines between them are free)::

    # Title
    By [Agency](#)                                   byline: links or names, optional
    August 22, 2018                                  date line, required
    **Caption of the photo (Photo credit)**          optional, right after the header
    Body paragraphs, in Markdown ...
    **Related article:** [Title](url)                anywhere in the body, taken out of it
    Original url:
    <https://example.org/the-article>                optional, ends the article

A line the parser cannot place (text between the title and the date line, or after
the original URL) stays in the body and is reported as a warning: nothing is dropped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing as t

from ..errors import Problem
from ..model import Image, Related
from .imported import ImportedArticle, split_byline, web_url

_TITLE = re.compile(r"^#\s+(?P<title>.*?)\s*#*\s*$")
_BYLINE = re.compile(r"^(?:By|BY|by)\s+(?P<names>\S.*)$")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<href>[^)\s]*)(?:\s+\"[^\"]*\")?\)")
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|\s&\s|\sand\s|\sи\s)\s*")
_CAPTION = re.compile(r"^\*\*(?P<text>.*\S)\*\*$")
_CREDIT = re.compile(r"^(?P<caption>.*?)\s*\((?P<credit>[^()]+)\)$")
_IMAGE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)$")
_RELATED = re.compile(
    r"^\*\*(?:related(?: articles?| stories| story| reading)?|read (?:also|more)|see also"
    r"|читайте также|по теме|еще по теме|ещё по теме):?\*\*:?\s*(?P<rest>.*)$",
    re.IGNORECASE)
_ORIGINAL = re.compile(r"^(?:original|source) ur[li]:\s*(?P<rest>.*)$", re.IGNORECASE)
_ANGLE_URL = re.compile(r"^<(?P<url>[^<>\s]+)>$")
_FENCE = re.compile(r"^\s*(```|~~~)")
HEADER_LINES = 6
"""Non-blank lines after the title within which the date line must appear."""

_MONTHS = {
    **{name: n for n, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"), 1)},
    **{name: n for n, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        1)},
    "sept": 9,
    **{name: n for n, name in enumerate(
        ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
         "октябрь", "ноябрь", "декабрь"), 1)},
    **{name: n for n, name in enumerate(
        ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
         "сентября", "октября", "ноября", "декабря"), 1)},
}
_WEEKDAY = (r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
            r"|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье),?\s+")
_TIME = r"(?:,?\s+(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?)?"
_MONTH_FIRST = re.compile(
    rf"^(?:{_WEEKDAY})?(?P<month>[^\W\d_]+)\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})"
    rf"{_TIME}$", re.IGNORECASE)
_DAY_FIRST = re.compile(
    rf"^(?:{_WEEKDAY})?(?P<day>\d{{1,2}})\s+(?P<month>[^\W\d_]+)\.?,?\s+(?P<year>\d{{4}})"
    rf"(?:\s*(?:г\.|года|г))?{_TIME}$", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?$")


@dataclasses.dataclass(slots=True)
class _Reader:
    """Mutable state while one file is read; only :func:`parse_article_text` sees it."""

    origin: str
    agencies: t.Sequence[str]
    problems: list[Problem] = dataclasses.field(default_factory=list)
    byline: list[str] = dataclasses.field(default_factory=list)
    date: dt.date | dt.datetime | None = None
    image_src: str | None = None
    image_alt: str = ""
    caption: str = ""
    credit: str = ""
    related: list[Related] = dataclasses.field(default_factory=list)
    original_url: str | None = None
    body: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    """(line number, text) of each body line, in order."""

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.origin, line, message, level="warning"))

    def error(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.origin, line, message))


def parse_article_text(
    text: str, origin: str, *, agencies: t.Sequence[str] = ()
) -> tuple[ImportedArticle | None, list[Problem]]:
    """Parse scraped article ``text`` read from ``origin``; return the article and problems.

    The article is None when the text is not in the expected format (no ``# Title``
    heading or no date line); warnings name every line kept in the body unplaced.
    """
    lines = text.split("\n")
    reader = _Reader(origin, agencies)
    numbered = [(n, line.rstrip()) for n, line in enumerate(lines, 1)]
    first = next(((n, line) for n, line in numbered if line.strip()), None)
    if first is None:
        reader.error(None, "empty file: expected article text starting with a '# Title' line")
        return None, reader.problems
    title_line, heading = first
    match = _TITLE.match(heading.strip())
    if match is None or not match.group("title"):
        reader.error(title_line, "not article text: expected a '# Title' heading as the "
                                 f"first line, got {_show(heading)}")
        return None, reader.problems
    title = match.group("title")
    rest = [(n, line) for n, line in numbered if n > title_line]
    body_start = _read_header(reader, rest)
    if body_start is None or reader.date is None:
        if not reader.problems:
            reader.error(title_line, f"no date line (like 'August 22, 2018') within "
                                     f"{HEADER_LINES} lines after the title")
        return None, reader.problems
    _read_body(reader, rest[body_start:])

    authors, source = split_byline(reader.byline, reader.agencies)
    image = None
    if reader.image_src or reader.caption or reader.credit:
        image = Image(src=reader.image_src, alt=reader.image_alt, caption=reader.caption,
                      credit=reader.credit)
    article = ImportedArticle(
        origin=origin, origin_line=title_line, title=title, date=reader.date,
        body=_join_body([line for _, line in reader.body]), authors=authors, source=source,
        image=image, related=tuple(reader.related), original_url=reader.original_url,
    )
    return article, reader.problems


def _read_header(reader: _Reader, lines: t.Sequence[tuple[int, str]]) -> int | None:
    """Read byline, date, image and caption; return the index where the body starts.

    The date line must come within :data:`HEADER_LINES` non-blank lines of the title; lines
    before it that are not a byline are kept at the top of the body. After the date, the
    first line that is no byline, image or caption starts the body. Returns None when the
    header has no usable date (the problem is recorded).
    """
    unplaced: list[tuple[int, str]] = []
    seen = 0
    for index, (number, raw) in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if reader.date is None:
            seen += 1
            if seen > HEADER_LINES:
                break
            date = _date_value(line)
            if date == "invalid":
                reader.error(number, f"impossible date: {_show(line)}")
                return None
            if isinstance(date, dt.date):
                reader.date = date
            elif not reader.byline and (names := _byline(line)):
                reader.byline = names
            else:
                unplaced.append((number, raw))
        elif not reader.byline and (names := _byline(line)):
            reader.byline = names
        elif not reader.caption and not reader.image_src and (image := _IMAGE.match(line)):
            reader.image_src = web_url(image.group("src")) or image.group("src")
            reader.image_alt = image.group("alt").strip()
        elif not reader.caption and not _RELATED.match(line) and (
                caption := _CAPTION.match(line)):
            reader.caption, reader.credit = _caption(caption.group("text"))
        else:
            return _keep_unplaced(reader, unplaced, index)
    if reader.date is None:
        return None
    return _keep_unplaced(reader, unplaced, len(lines))


def _keep_unplaced(reader: _Reader, unplaced: t.Sequence[tuple[int, str]], index: int) -> int:
    for number, raw in unplaced:
        reader.warn(number, "cannot place this line between the title and the date line; "
                            f"kept at the top of the body: {_show(raw)}")
        # Each unplaced line stays a paragraph of its own, as it was in the header.
        reader.body += [(number, raw), (number, "")]
    return index


def _read_body(reader: _Reader, lines: t.Sequence[tuple[int, str]]) -> None:
    in_fence = False
    trailing: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        number, raw = lines[index]
        line = raw.strip()
        index += 1
        if _FENCE.match(raw):
            in_fence = not in_fence
        if in_fence:
            reader.body.append((number, raw))
            continue
        if (related := _RELATED.match(line)) is not None:
            entries = _related(related.group("rest"))
            if entries:
                reader.related.extend(entries)
                continue
            reader.warn(number, f"related line without a title; kept in the body: {_show(raw)}")
        elif (original := _ORIGINAL.match(line)) is not None and reader.original_url is None:
            url, consumed = _original_url(original.group("rest"), lines[index:])
            if url is not None:
                reader.original_url = url
                index += consumed
                trailing = [(n, text) for n, text in lines[index:] if text.strip()]
                break
            reader.warn(number, f"no http(s) URL after this line; kept in the body: {_show(raw)}")
        reader.body.append((number, raw))
    for number, raw in trailing:
        reader.warn(number, f"cannot place this line after the original URL; kept at the end "
                            f"of the body: {_show(raw)}")
        reader.body.append((number, ""))
        reader.body.append((number, raw))


def _byline(line: str) -> list[str]:
    match = _BYLINE.match(line)
    if match is None:
        return []
    names = _LINK.sub(lambda m: m.group("text"), match.group("names"))
    return [n.strip(" *_") for n in _NAME_SEPARATORS.split(names) if n.strip(" *_")]


def _date_value(line: str) -> dt.date | dt.datetime | str | None:
    """Return the date on ``line``, ``"invalid"`` for an impossible one, else None."""
    line = line.strip().strip("*_").strip()
    if _ISO.match(line):
        try:
            value = dt.datetime.fromisoformat(line)
        except ValueError:
            return "invalid"
        return value.date() if len(line) == 10 else value
    match = _MONTH_FIRST.match(line) or _DAY_FIRST.match(line)
    if match is None:
        return None
    month = _MONTHS.get(match.group("month").lower().rstrip("."))
    if month is None:
        return None
    try:
        day = dt.date(int(match.group("year")), month, int(match.group("day")))
    except ValueError:
        return "invalid"
    if match.group("hour") is None:
        return day
    hour, minute = int(match.group("hour")), int(match.group("minute"))
    ampm = (match.group("ampm") or "").replace(".", "").lower()
    if ampm and not 1 <= hour <= 12:
        return "invalid"
    if ampm:
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    try:
        return dt.datetime(day.year, day.month, day.day, hour, minute)
    except ValueError:
        return "invalid"


def _caption(text: str) -> tuple[str, str]:
    """Split ``Caption (Credit)``; the last parenthesised part is the credit."""
    text = text.strip()
    match = _CREDIT.match(text)
    if match is None or not match.group("caption"):
        return text, ""
    return match.group("caption").strip(), match.group("credit").strip()


def _related(rest: str) -> list[Related]:
    links = list(_LINK.finditer(rest))
    if links:
        return [Related(title=m.group("text").strip(), url=web_url(m.group("href")))
                for m in links if m.group("text").strip()]
    title = rest.strip().strip("*_").strip()
    return [Related(title=title)] if title else []


def _original_url(rest: str, following: t.Sequence[tuple[int, str]]) -> tuple[str | None, int]:
    """Return the URL on this or the next non-blank line, and how many lines it used."""
    if rest.strip():
        return _bare_url(rest.strip()), 0
    for consumed, (_, raw) in enumerate(following, 1):
        if raw.strip():
            url = _bare_url(raw.strip())
            return (url, consumed) if url is not None else (None, 0)
    return None, 0


def _bare_url(text: str) -> str | None:
    match = _ANGLE_URL.match(text)
    return web_url(match.group("url") if match else text)


def _join_body(lines: t.Sequence[str]) -> str:
    """Join body lines, collapsing blank runs outside code fences, trimmed at both ends."""
    out: list[str] = []
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def _show(line: str) -> str:
    text = line.strip()
    return repr(text if len(text) <= 60 else text[:57] + "...")
