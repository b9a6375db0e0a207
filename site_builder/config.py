"""Load and validate ``config.toml`` into a frozen :class:`Config`."""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing as t
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

from .errors import BuildError, Problem

CONFIG_NAME = "config.toml"
PERMALINK_FIELDS = ("year", "month", "day", "slug", "lang")
LINK_CHECK_LEVELS = ("error", "warn")


@dataclasses.dataclass(frozen=True, slots=True)
class Config:
    """Site settings. Every key but ``title`` and ``base_url`` has a default."""

    project_dir: Path
    """Absolute path of the project folder (the one holding ``config.toml``)."""
    title: str
    base_url: str
    """Absolute URL the site is published at, always ending in ``/``."""
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    """IANA zone used for dates written without an offset."""
    permalink: str = "/{year}/{month}/{day}/{slug}/"
    per_page: int = 20
    feed_limit: int = 20
    """Number of newest articles in each feed."""
    related_limit: int = 5
    """Most articles suggested under "Related" by shared tags (0: none)."""
    content_dir: str = "content"
    templates_dir: str = "templates"
    static_dir: str = "static"
    output_dir: str = "output"
    drafts: bool = False
    """Build articles marked ``draft: true`` too."""
    search: bool = True
    """Index the built pages with Pagefind and add the ``/search/`` page."""
    link_check: t.Literal["error", "warn"] = "error"
    """Whether a broken internal link fails the build or only warns."""
    extra: t.Mapping[str, object] = dataclasses.field(default_factory=dict)
    """Free-form ``[extra]`` table, passed to templates as ``config.extra``."""
    import_agencies: tuple[str, ...] = ()
    """Byline names ``site-builder import`` files as ``source`` (besides the known agencies)."""

    @property
    def base_path(self) -> str:
        """Return the path part of ``base_url`` (``/`` or ``/archive/``)."""
        return urlsplit(self.base_url).path

    @property
    def content_path(self) -> Path:
        return self.project_dir / self.content_dir

    @property
    def templates_path(self) -> Path:
        return self.project_dir / self.templates_dir

    @property
    def static_path(self) -> Path:
        return self.project_dir / self.static_dir

    @property
    def output_path(self) -> Path:
        return self.project_dir / self.output_dir

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


# Expected TOML type of each optional key; the defaults live on the dataclass.
_TYPES: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "base_url": str,
    "description": str,
    "language": str,
    "timezone": str,
    "permalink": str,
    "per_page": int,
    "feed_limit": int,
    "related_limit": int,
    "content_dir": str,
    "templates_dir": str,
    "static_dir": str,
    "output_dir": str,
    "drafts": bool,
    "search": bool,
    "link_check": str,
    "extra": dict,
    "import_agencies": list,
}
_REQUIRED = ("title", "base_url")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def load_config(project_dir: Path, **overrides: t.Any) -> Config:
    """Read ``config.toml`` from ``project_dir``; raise :class:`BuildError` on any problem.

    ``overrides`` replace validated values (the CLI's ``--output`` and ``--drafts``).
    """
    project_dir = project_dir.resolve()
    path = project_dir / CONFIG_NAME
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        missing = Problem(CONFIG_NAME, None, f"no {CONFIG_NAME} in {project_dir}")
        raise BuildError([missing]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError([Problem(CONFIG_NAME, None, f"cannot read: {exc}")]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        line = int(match.group(1)) if match else None
        message = _TOML_LINE.sub("", str(exc)).strip()
        raise BuildError([Problem(CONFIG_NAME, line, f"invalid TOML: {message}")]) from None
    return parse_config(raw, text, project_dir, **overrides)


def parse_config(
    raw: t.Mapping[str, object], text: str, project_dir: Path, **overrides: t.Any
) -> Config:
    """Validate a decoded TOML mapping; ``text`` is only used to locate keys."""
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(CONFIG_NAME, key_line(text, key), message))

    for key in _REQUIRED:
        if key not in raw:
            problems.append(Problem(CONFIG_NAME, None, f"missing required key '{key}'"))
    values: dict[str, t.Any] = {}
    for key, value in raw.items():
        expected = _TYPES.get(key)
        if expected is None:
            problem(key, f"unknown key '{key}'")
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            want = expected.__name__ if isinstance(expected, type) else "value"
            want = {"str": "a string", "int": "an integer", "bool": "true or false",
                    "dict": "a table", "list": "an array"}.get(want, want)
            problem(key, f"{key}: expected {want}, got {_toml_type(value)}")
        else:
            values[key] = value
    if problems:
        raise BuildError(problems)

    for key in ("title", "base_url"):
        if not values[key].strip():
            problem(key, f"{key}: must not be empty")
    base = urlsplit(values["base_url"])
    if base.scheme not in ("http", "https") or not base.netloc:
        problem("base_url", "base_url: expected an absolute http(s) URL")
    elif base.query or base.fragment:
        problem("base_url", "base_url: must not have a query or fragment")
    else:
        values["base_url"] = values["base_url"].rstrip("/") + "/"
    if "import_agencies" in values:
        names = values["import_agencies"]
        if not all(isinstance(name, str) and name.strip() for name in names):
            problem("import_agencies", "import_agencies: expected an array of names")
        values["import_agencies"] = tuple(str(name) for name in names)
    for key in ("per_page", "feed_limit"):
        if key in values and values[key] < 1:
            problem(key, f"{key}: must be at least 1")
    if values.get("related_limit", 0) < 0:
        problem("related_limit", "related_limit: must be 0 or more")
    if "timezone" in values:
        try:
            zoneinfo.ZoneInfo(values["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problem("timezone", f"timezone: unknown time zone '{values['timezone']}'")
    if values.get("link_check", "error") not in LINK_CHECK_LEVELS:
        problem("link_check", f"link_check: expected \"error\" or \"warn\", "
                              f"got '{values['link_check']}'")
    if "permalink" in values:
        for message in check_permalink(values["permalink"]):
            problem("permalink", f"permalink: {message}")
    for key in ("content_dir", "templates_dir", "static_dir", "output_dir"):
        if key in values and not _is_inside(project_dir, values[key]):
            problem(key, f"{key}: must be a folder inside the project")
    if problems:
        raise BuildError(problems)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Config(project_dir=project_dir, **values)


def check_permalink(pattern: str) -> list[str]:
    """Return what is wrong with a permalink pattern (empty when it is usable)."""
    messages = []
    if not pattern.startswith("/"):
        messages.append("must start with '/'")
    if "{slug}" not in pattern:
        messages.append("must contain {slug}")
    for name in re.findall(r"\{([^}]*)\}", pattern):
        if name not in PERMALINK_FIELDS:
            messages.append(f"unknown field {{{name}}} (known: {', '.join(PERMALINK_FIELDS)})")
    parts = pattern.split("/")
    if any(p in (".", "..") for p in parts) or "\\" in pattern or "//" in pattern:
        messages.append("must not contain '.', '..', '\\' or '//' segments")
    if any(ord(c) < 32 for c in pattern) or "?" in pattern or "#" in pattern:
        messages.append("must not contain control characters, '?' or '#'")
    return messages


def key_line(text: str, key: str) -> int | None:
    """Return the 1-based line where top-level ``key`` is set in TOML ``text``."""
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=")
    table = re.compile(rf"^\s*\[\s*{re.escape(key)}\s*\]")
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("[") and not table.match(line):
            # Keys under another table are not top-level keys.
            return None
        if pattern.match(line) or table.match(line):
            return number
    return None


def _toml_type(value: object) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "a boolean",
             list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _is_inside(project_dir: Path, folder: str) -> bool:
    if not folder or "\x00" in folder:
        return False
    target = (project_dir / folder).resolve()
    return target != project_dir and target.is_relative_to(project_dir)
