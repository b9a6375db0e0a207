"""Remote media of imported articles: local names, downloads and rewritten references.

``site-builder import --from NAME --fetch-media`` downloads each article's media into the
article's bundle folder and points the body and the lead image at the local copies.

- Only ``http`` and ``https`` URLs are fetched, redirects included.
- A file larger than :data:`MAX_MEDIA_BYTES` is refused; a download that runs longer than
  :data:`MEDIA_TIME_LIMIT` seconds stops and is continued by the next import.
- A download in progress is kept as ``NAME.part`` and continued with an HTTP ``Range``
  request; the finished file is renamed into place, so a file that exists is complete
  and is never fetched again.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import time
import typing as t
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

MAX_MEDIA_BYTES = 50 * 1024 * 1024
"""Largest media file downloaded."""
MEDIA_TIME_LIMIT = 120.0
"""Seconds one download may take before it is left to be continued next time."""
READ_TIMEOUT = 30.0
"""Seconds to wait for a server to answer or send more bytes."""
CHUNK = 64 * 1024
MAX_NAME = 100
"""Longest local media file name, in characters."""
PART_SUFFIX = ".part"

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ATTRIBUTE = re.compile(
    r"""(?P<lead>\b(?:src|href|poster)\s*=\s*)(?P<quote>["'])(?P<value>.*?)(?P=quote)""",
    re.IGNORECASE | re.DOTALL)
_MD_LINK = re.compile(r"(?P<lead>\]\(\s*<?)(?P<value>[^)\s>]+)")
_MD_DEFINITION = re.compile(r"(?P<lead>^ {0,3}\[[^\]\n]+\]:[ \t]*<?)(?P<value>\S+?)(?=>?(?:\s|$))",
                            re.MULTILINE)
_ARTICLE_SUFFIXES = (".md", ".markdown")


class FetchError(Exception):
    """A download that failed; the message says why, for people."""


def is_web_url(url: str) -> bool:
    """Return whether ``url`` is an absolute http(s) URL with a host."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def local_names(urls: t.Iterable[str], taken: t.Iterable[str] = ()) -> dict[str, str]:
    """Return a file name for each distinct http(s) URL, unique within one article.

    The name is the last segment of the URL's path made safe (``photo.jpg``); URLs with
    the same last segment, or one of the names in ``taken``, get ``-2``, ``-3`` before the
    extension. A name that the build would read as an article (``.md``) or a hidden
    file never results.
    """
    names: dict[str, str] = {}
    used = {name.lower() for name in taken}
    for url in urls:
        if url in names or not is_web_url(url):
            continue
        base = safe_name(posixpath.basename(unquote(urlsplit(url.strip()).path)))
        stem, dot, suffix = base.rpartition(".")
        if not dot:
            stem, suffix = base, ""
        candidate, number = base, 1
        while candidate.lower() in used:
            number += 1
            candidate = f"{stem}-{number}.{suffix}" if suffix else f"{stem}-{number}"
        used.add(candidate.lower())
        names[url] = candidate
    return names


def safe_name(name: str) -> str:
    """Return ``name`` as a file name safe on every file system, never empty."""
    name = _NAME_UNSAFE.sub("-", name).strip(".-_") or "media"
    if name.lower().endswith(_ARTICLE_SUFFIXES):
        name += ".txt"
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        suffix = suffix[:10] if dot else ""
        name = stem[:MAX_NAME - len(suffix) - 1].rstrip(".-_") + (f".{suffix}" if suffix else "")
    return name


def rewrite_references(text: str, mapping: t.Mapping[str, str]) -> str:
    """Return ``text`` with every reference to a key of ``mapping`` pointing at its value.

    References are whole ``src``, ``href`` and ``poster`` attribute values (HTML entities
    read) and Markdown link and image targets; a URL that merely starts with a key is
    left alone.
    """
    if not mapping:
        return text

    def attribute(match: re.Match[str]) -> str:
        value = match.group("value")
        new = mapping.get(html.unescape(value).strip())
        if new is None:
            return match.group(0)
        quote = match.group("quote")
        return f"{match.group('lead')}{quote}{html.escape(new, quote=True)}{quote}"

    def markdown(match: re.Match[str]) -> str:
        new = mapping.get(match.group("value"))
        return match.group(0) if new is None else f"{match.group('lead')}{new}"

    text = _ATTRIBUTE.sub(attribute, text)
    text = _MD_LINK.sub(markdown, text)
    return _MD_DEFINITION.sub(markdown, text)


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s) URLs."""

    def redirect_request(self, req: urllib.request.Request, fp: t.IO[bytes], code: int,
                         msg: str, headers: t.Any, newurl: str) -> urllib.request.Request | None:
        if not is_web_url(newurl):
            raise FetchError(f"redirected to {newurl[:80]!r}, which is not an http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    # Only the handlers for web URLs: no file://, ftp:// or data: reading.
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(),
                    urllib.request.HTTPSHandler(), urllib.request.HTTPDefaultErrorHandler(),
                    _SafeRedirects(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def fetch(url: str, dest: Path, *, max_bytes: int | None = None,
          time_limit: float | None = None) -> bool:
    """Download ``url`` to ``dest``; return False when ``dest`` was already there.

    Raise :class:`FetchError` when the download fails or stops early; what was received
    stays in ``dest`` + ``.part`` and the next call continues from there.
    """
    limit = MAX_MEDIA_BYTES if max_bytes is None else max_bytes
    seconds = MEDIA_TIME_LIMIT if time_limit is None else time_limit
    if dest.is_file():
        return False
    if not is_web_url(url):
        raise FetchError("not an http(s) URL")
    part = dest.with_name(dest.name + PART_SUFFIX)
    have = part.stat().st_size if part.is_file() else 0
    if have > limit:
        part.unlink()
        have = 0
    headers = {"User-Agent": "site-builder", "Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    request = urllib.request.Request(url, headers=headers)
    started = time.monotonic()
    try:
        response = _opener().open(request, timeout=max(1.0, min(READ_TIMEOUT, seconds)))
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have and _complete_size(exc.headers.get("Content-Range")) == have:
            os.replace(part, dest)
            return True
        if exc.code == 416:
            part.unlink(missing_ok=True)
            raise FetchError("the server refused to continue the partial download; "
                             "it starts afresh next time") from None
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
    except FetchError:
        raise
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise FetchError(f"cannot fetch: {reason}") from None
    with response:
        resumed = have and response.status == 206
        if not resumed:
            have = 0
        length = response.headers.get("Content-Length")
        if length is not None and length.isdigit() and have + int(length) > limit:
            raise FetchError(f"larger than the limit of {limit:,} bytes "
                             f"({have + int(length):,} bytes)")
        dest.parent.mkdir(parents=True, exist_ok=True)
        received = have
        try:
            with open(part, "ab" if resumed else "wb") as out:
                while True:
                    if time.monotonic() - started > seconds:
                        raise FetchError(f"stopped after {seconds:g} s with {received:,} "
                                         "bytes; the next import continues the download")
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    received += len(chunk)
                    if received > limit:
                        out.close()
                        part.unlink(missing_ok=True)
                        raise FetchError(f"larger than the limit of {limit:,} bytes")
                    out.write(chunk)
        except OSError as exc:
            raise FetchError(f"download broke off after {received:,} bytes "
                             f"({exc.strerror or exc}); the next import continues it") from None
    if length is not None and length.isdigit() and received - have < int(length):
        raise FetchError(f"download broke off after {received:,} bytes; the next import "
                         "continues it")
    os.replace(part, dest)
    return True


def _complete_size(content_range: str | None) -> int | None:
    """Return N of ``bytes */N`` (the answer to a range past the end), if given."""
    match = re.fullmatch(r"\s*bytes\s+\*/(\d+)\s*", content_range or "")
    return int(match.group(1)) if match else None
