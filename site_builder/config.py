"""Load and validate ``config.toml`` into a frozen :class:`Config`."""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing as t
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

from .body import DEFAULT_EMBED_HOSTS, HEADING_IDS
from .errors import BuildError, Problem
from .taxonomy import fold_name
from .urls import MAX_NAME_BYTES, is_reserved_name

CONFIG_NAME = "config.toml"
PERMALINK_FIELDS = ("year", "month", "day", "slug", "lang")
LINK_CHECK_LEVELS = ("error", "warn")
FOLDER_KEYS = ("content_dir", "templates_dir", "static_dir", "output_dir")


@dataclasses.dataclass(frozen=True, slots=True)
class Menu:
    """The ``[menu]`` table: the pages linked from every page's header and footer."""

    header: tuple[str, ...] = ()
    """Pages named by URL (``about``) or file (``pages/about.md``), in the order shown."""
    footer: tuple[str, ...] = ()
    line: int | None = None
    """Line of ``[menu]`` in ``config.toml``, for messages about its entries."""


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
    unsafe_html: bool = False
    """Keep raw HTML in article bodies as written instead of sanitising it."""
    embed_hosts: tuple[str, ...] = DEFAULT_EMBED_HOSTS
    """Hosts whose ``<iframe>`` embeds survive sanitising (``www.youtube.com``)."""
    heading_ids: t.Literal["ascii", "github"] = "ascii"
    """How heading ids are made: transliterated to ASCII, or as GitHub and Hugo make them."""
    extra: t.Mapping[str, object] = dataclasses.field(default_factory=dict)
    """Free-form ``[extra]`` table, passed to templates as ``config.extra``."""
    import_agencies: tuple[str, ...] = ()
    """Byline names ``site-builder import`` files as ``source`` (besides the known agencies)."""
    sections: tuple[str, ...] = ()
    """Sections in the order the navigation shows them; the others follow, by size."""
    menu: Menu = dataclasses.field(default_factory=Menu)

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
    "unsafe_html": bool,
    "embed_hosts": list,
    "heading_ids": str,
    "extra": dict,
    "import_agencies": list,
    "sections": list,
    "menu": dict,
}
_REQUIRED = ("title", "base_url")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")
_HOST = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                   r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")
# Characters a URL may not carry unencoded, plus the quote characters.
_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\"'<>\\^`{|}]")
# Literal permalink text: letters, digits and the URL-safe punctuation; {fields} apart.
_PERMALINK_TEXT = re.compile(r"[\w./~-]*")
# A segment's own text plus a slug of up to 120 characters must fit a file name.
_MAX_PERMALINK_TEXT = MAX_NAME_BYTES - 130


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
    except OSError as exc:
        message = f"cannot read: {exc.strerror or exc}"
        raise BuildError([Problem(CONFIG_NAME, None, message)]) from None
    except UnicodeDecodeError as exc:
        where = text_line(exc.object, exc.start)
        raise BuildError([Problem(CONFIG_NAME, where, "not UTF-8 text")]) from None
    try:
        raw = tomllib.loads(text)
    except RecursionError:
        raise BuildError([Problem(CONFIG_NAME, None, "invalid TOML: nested too deeply")]) from None
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

    if "embed_hosts" in values:
        hosts = values["embed_hosts"]
        for host in hosts:
            if not isinstance(host, str) or not _HOST.fullmatch(host.lower()):
                shown = repr(host) if isinstance(host, str) else _toml_type(host)
                problem("embed_hosts", f"embed_hosts: {shown} is not a host name such as "
                                       "'www.youtube.com'")
        values["embed_hosts"] = tuple(str(h).lower() for h in hosts)
    if "language" in values and not _LANGUAGE.fullmatch(values["language"]):
        problem("language", f"language: {values['language']!r} is not a language code "
                            "such as 'en' or 'pt-BR'")

    for key in ("title", "base_url"):
        if not values[key].strip():
            problem(key, f"{key}: must not be empty")
    base = urlsplit(values["base_url"])
    if base.scheme not in ("http", "https") or not base.netloc:
        problem("base_url", "base_url: expected an absolute http(s) URL")
    elif _URL_UNSAFE.search(values["base_url"]):
        problem("base_url", "base_url: must not contain spaces, quotes, control characters "
                            "or any of <>\\^`{|}")
    elif base.query or base.fragment:
        problem("base_url", "base_url: must not have a query or fragment")
    else:
        values["base_url"] = values["base_url"].rstrip("/") + "/"
    if "import_agencies" in values:
        names = values["import_agencies"]
        if not all(isinstance(name, str) and name.strip() for name in names):
            problem("import_agencies", "import_agencies: expected an array of names")
        values["import_agencies"] = tuple(str(name) for name in names)
    if "sections" in values:
        values["sections"] = _sections(values["sections"], problem)
    if "menu" in values:
        values["menu"] = _menu(values["menu"], key_line(text, "menu"), problem)
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
    if values.get("heading_ids", "ascii") not in HEADING_IDS:
        problem("heading_ids", f"heading_ids: expected \"ascii\" or \"github\", "
                               f"got '{values['heading_ids']}'")
    if "permalink" in values:
        for message in check_permalink(values["permalink"]):
            problem("permalink", f"permalink: {message}")
    for key in FOLDER_KEYS:
        if key in values and not _is_inside(project_dir, values[key]):
            problem(key, f"{key}: must be a folder inside the project")
    if problems:
        raise BuildError(problems)
    given = {k: v for k, v in overrides.items() if v is not None}
    values.update(given)
    config = Config(project_dir=project_dir, **values)
    for key, message in check_folders(config):
        if key == "output_dir" and "output_dir" in given:
            problems.append(Problem("--output", None, message))
        else:
            problem(key, message)
    if problems:
        raise BuildError(problems)
    return config


def _sections(names: list[object], problem: t.Callable[[str, str], None]) -> tuple[str, ...]:
    """Return the configured section names, reporting entries that are not names."""
    found: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str) or not name.strip():
            shown = repr(name) if isinstance(name, str) else _toml_type(name)
            problem("sections", f"sections: expected an array of section names, got {shown}")
            continue
        name = " ".join(name.split())
        key = fold_name(name)
        if key in found:
            problem("sections", f"sections: {name!r} is listed twice (as {found[key]!r})")
            continue
        found[key] = name
    return tuple(found.values())


MENU_KEYS = ("header", "footer")


def _menu(table: dict[str, object], line: int | None,
          problem: t.Callable[[str, str], None]) -> Menu:
    """Return the ``[menu]`` table, reporting keys and entries it cannot hold."""
    lists: dict[str, tuple[str, ...]] = {}
    for key, value in table.items():
        if key not in MENU_KEYS:
            problem("menu", f"menu: unknown key '{key}' (known: {', '.join(MENU_KEYS)})")
        elif not isinstance(value, list) or not all(
                isinstance(item, str) and item.strip() for item in value):
            problem("menu", f"menu.{key}: expected an array of pages, such as [\"about\"] "
                            "or [\"pages/about.md\"]")
        else:
            lists[key] = tuple(dict.fromkeys(str(item).strip() for item in value))
    return Menu(header=lists.get("header", ()), footer=lists.get("footer", ()), line=line)


def check_folders(config: Config) -> list[tuple[str, str]]:
    """Return (key, message) for folders that are unsafe to read from or to replace.

    A folder reached through a symbolic link that leads out of the project is never
    read. The output folder is replaced as a whole by every build, so it must not be,
    hold or lie inside the project folder or any folder the build reads.
    """
    found: list[tuple[str, str]] = []
    project = config.project_dir
    folders = {key: str(getattr(config, key)) for key in FOLDER_KEYS}
    inputs = {key: (project / name).resolve() for key, name in folders.items()
              if key != "output_dir"}
    for key, path in inputs.items():
        if not path.is_relative_to(project):
            found.append((key, f"{key}: {folders[key]!r} leads outside the project "
                               "(a symbolic link?)"))
    output = (project / folders["output_dir"]).resolve()
    if output == project or project.is_relative_to(output):
        found.append(("output_dir", f"output_dir: {folders['output_dir']!r} would replace "
                                    "the project folder; every build replaces its output "
                                    "folder as a whole"))
        return found
    for key, path in inputs.items():
        if output == path or output.is_relative_to(path) or path.is_relative_to(output):
            name = key.removesuffix("_dir")
            found.append(("output_dir", f"output_dir: {folders['output_dir']!r} overlaps the "
                                        f"{name} folder; every build replaces its output "
                                        "folder as a whole"))
    return found


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
    literal = re.sub(r"\{[^}]*\}", "", pattern)
    if not _PERMALINK_TEXT.fullmatch(literal):
        messages.append("may hold only letters, digits, '/', '.', '_', '~' and '-' besides "
                        "its {fields}")
    for part in parts:
        text = re.sub(r"\{[^}]*\}", "", part)
        if part == text and is_reserved_name(part):
            messages.append(f"{part!r} is a reserved file name on Windows")
        if len(text.encode("utf-8")) > _MAX_PERMALINK_TEXT:
            messages.append(f"segment {part!r} is too long for a file name (at most "
                            f"{_MAX_PERMALINK_TEXT} bytes besides its {{fields}})")
    return messages


def text_line(data: bytes, offset: int) -> int:
    """Return the 1-based line of byte ``offset`` in ``data``."""
    return data.count(b"\n", 0, offset) + 1


def key_line(text: str, key: str) -> int | None:
    """Return the 1-based line where top-level ``key`` is set in TOML ``text``."""
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*=")
    table = re.compile(rf"^\s*\[\s*{re.escape(key)}\s*\]")
    in_table = False
    for number, line in enumerate(text.splitlines(), 1):
        if table.match(line):
            return number
        if line.lstrip().startswith("["):
            # Keys under another table are not top-level keys; a table may still follow.
            in_table = True
        elif not in_table and pattern.match(line):
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
