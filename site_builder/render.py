"""Render routes through Jinja: the project's ``templates/`` first, then the built-in ones."""

from __future__ import annotations

import datetime as dt
import json
import traceback
import typing as t
from pathlib import Path

import jinja2
from markupsafe import Markup

from .config import Config
from .errors import BuildError, Problem
from .model import Route, Site

DEFAULT_PREFIX = "default"
"""``{% extends "default/article.html" %}`` reaches the built-in template a user replaced."""

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def make_environment(config: Config) -> jinja2.Environment:
    """Return the Jinja environment: user templates over the package's defaults."""
    builtin = jinja2.PackageLoader("site_builder", "default_templates")
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(config.templates_path, followlinks=False),
        builtin,
        jinja2.PrefixLoader({DEFAULT_PREFIX: builtin}),
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    base_path = config.base_path
    env.globals.update(
        config=config,
        url=lambda path="": base_path + path,
        abs_url=lambda path="": config.base_url + path,
    )
    env.filters.update(
        isodate=isodate,
        rfc822=rfc822,
        format_date=format_date,
        tojson_ld=tojson_ld,
    )
    return env


def render_route(env: jinja2.Environment, route: Route, site: Site) -> bytes:
    """Render one route to bytes; raise :class:`BuildError` located in the template."""
    assert route.template is not None
    try:
        template = env.get_template(route.template)
        text = template.render(route.context, route=route, site=site)
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError([Problem(_template_name(env, exc.filename, exc.name), exc.lineno,
                                  f"template syntax error: {exc.message}")]) from exc
    except jinja2.TemplateNotFound as exc:
        raise BuildError([Problem(route.sources[0] if route.sources else route.template, None,
                                  f"template not found: {exc.name}")]) from exc
    except Exception as exc:
        name, line = _template_frame(env, exc)
        shown = f" (rendering {', '.join(route.sources)})" if route.sources else ""
        message = str(exc) if isinstance(exc, jinja2.TemplateError) else repr(exc)
        raise BuildError([Problem(name or route.template, line,
                                  f"template error: {message}{shown}")]) from exc
    return text.encode("utf-8")


def _template_frame(env: jinja2.Environment, exc: BaseException) -> tuple[str | None, int | None]:
    # Jinja rewrites tracebacks so template frames carry the template's file and line.
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt", ".json")):
            return _template_name(env, frame.filename, None), frame.lineno
    return None, None


def _template_name(env: jinja2.Environment, filename: str | None, name: str | None) -> str:
    """Return a template's path as the user knows it: project-relative or ``default/x``."""
    if filename is None:
        return name or "<template>"
    config = t.cast(Config, env.globals["config"])
    path = Path(filename)
    if path.is_relative_to(config.project_dir):
        return path.relative_to(config.project_dir).as_posix()
    return f"{DEFAULT_PREFIX}/{path.name}" if "default_templates" in path.parts else filename


def isodate(value: dt.datetime) -> str:
    """Format a datetime as RFC 3339 (Atom, sitemaps, ``<time datetime>``)."""
    return value.isoformat(timespec="seconds")


def rfc822(value: dt.datetime) -> str:
    """Format a datetime as RFC 822 (RSS 2.0), independent of the machine's locale."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    offset = value.strftime("%z") or "+0000"
    return (f"{days[value.weekday()]}, {value.day:02d} {_MONTHS[value.month - 1][:3]} "
            f"{value.year:04d} {value:%H:%M:%S} {offset}")


def format_date(value: dt.datetime) -> str:
    """Format a date for readers: ``August 22, 2018``."""
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"


def tojson_ld(value: object) -> Markup:
    """Serialise ``value`` as JSON safe to embed in a ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=None)
    # Escape what could close the script element or open a comment inside it.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)
