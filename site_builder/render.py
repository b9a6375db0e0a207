"""Render routes through Jinja: the project's ``templates/`` first, then the built-in ones."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import traceback
import typing as t
from pathlib import Path

import jinja2
from markupsafe import Markup

from .body import nest_headings
from .config import Config
from .errors import BuildError, Problem
from .feeds import image_url, json_feed
from .metadata import news_article, web_page
from .model import Article, Period, Picture, Route, Site
from .pictures import SIZES, picture_html
from .urls import absolute_url, day_url, month_url, root_url, year_url

DEFAULT_PREFIX = "default"
"""``{% extends "default/article.html" %}`` reaches the built-in template a user replaced."""

# Code points XML 1.0 cannot carry and HTML forbids. Sources are cleaned on reading, but
# a YAML or TOML escape ("\x01", "\ud800") can still put one into a title.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


class ProjectLoader(jinja2.FileSystemLoader):
    """Load the project's templates, refusing symbolic links that lead out of the project."""

    def __init__(self, folder: Path, project_dir: Path) -> None:
        super().__init__(folder, followlinks=False)
        self.project_dir = project_dir

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, t.Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.project_dir.resolve()):
            shown = Path(filename).relative_to(self.project_dir).as_posix()
            raise BuildError([Problem(shown, None, "symbolic link points outside the project")])
        return source, filename, uptodate


def make_environment(config: Config) -> jinja2.Environment:
    """Return the Jinja environment: user templates over the package's defaults."""
    builtin = jinja2.PackageLoader("site_builder", "default_templates")
    loader = jinja2.ChoiceLoader([
        ProjectLoader(config.templates_path, config.project_dir),
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

    def article_ld(article: Article, site: Site) -> dict[str, object]:
        return news_article(config, site, article)

    def page_ld(page: Article) -> dict[str, object]:
        return web_page(config, page)

    def lead_image_url(article: Article) -> str | None:
        return image_url(config, article)

    href = functools.partial(root_url, config.base_path)

    def picture(picture: Picture, alt: str = "", *, sizes: str = SIZES, lead: bool = False,
                priority: bool = False, css_class: str = "",
                widest: int | None = None) -> Markup:
        return Markup(picture_html(picture, alt, href=href,
                                   sizes=sizes, lead=lead, priority=priority,
                                   css_class=css_class, widest=widest))

    def feed_document(site: Site, articles: t.Sequence[Article], *, title: str,
                      feed_url: str, home_url: str) -> dict[str, object]:
        return json_feed(config, site, articles, title=title, feed_url=feed_url,
                         home_url=home_url)

    env.globals.update(
        config=config,
        url=href,
        abs_url=functools.partial(absolute_url, config.base_url),
        news_article=article_ld,
        web_page=page_ld,
        json_feed=feed_document,
        image_url=lead_image_url,
        picture=picture,
        year_url=year_url,
        month_url=month_url,
        day_url=day_url,
    )
    env.filters.update(
        isodate=isodate,
        rfc822=rfc822,
        format_date=format_date,
        month_name=month_name,
        month_counts=month_counts,
        nest_headings=nest_headings,
        period_title=period_title,
        tojson_ld=tojson_ld,
        tojson_feed=tojson_feed,
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
        # Missing from an include or extends: name the template that asked for it.
        name, line = _template_frame(env, exc)
        if name is None:
            name = route.sources[0] if route.sources else route.template
        raise BuildError([Problem(name, line, f"template not found: {exc.name}")]) from exc
    except BuildError:
        raise
    except OSError as exc:
        shown = _template_name(env, exc.filename, route.template)
        message = f"cannot read template: {exc.strerror or exc}"
        raise BuildError([Problem(shown, None, message)]) from exc
    except Exception as exc:
        name, line = _template_frame(env, exc)
        shown = f" (rendering {', '.join(route.sources)})" if route.sources else ""
        if isinstance(exc, jinja2.TemplateError):
            message = str(exc)
        elif isinstance(exc, RecursionError):
            message = "recursion too deep (does a template include or extend itself?)"
        else:
            message = repr(exc)
        raise BuildError([Problem(name or route.template, line,
                                  f"template error: {message}{shown}")]) from exc
    return _NOT_XML.sub("", text).encode("utf-8")


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


def month_name(month: int) -> str:
    """Return the English name of month number ``month`` (1-12)."""
    return _MONTHS[month - 1]


def month_counts(months: t.Iterable[Period]) -> list[int]:
    """Return the number of articles in each month of a year, January first."""
    counts = [0] * 12
    for month in months:
        if month.month is not None:
            counts[month.month - 1] = month.count
    return counts


def period_title(period: Period) -> str:
    """Name a date archive for readers: ``2024``, ``May 2024`` or ``May 2, 2024``."""
    if period.month is None:
        return f"{period.year}"
    if period.day is None:
        return f"{_MONTHS[period.month - 1]} {period.year}"
    return f"{_MONTHS[period.month - 1]} {period.day}, {period.year}"


def tojson_feed(value: object) -> Markup:
    """Serialise a JSON Feed document, keeping its keys in the order given."""
    return Markup(json.dumps(_clean(value), ensure_ascii=False, indent=1) + "\n")


def _clean(value: object) -> object:
    # JSON could escape control characters, but feed readers would show them as junk.
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def tojson_ld(value: object) -> Markup:
    """Serialise ``value`` as JSON safe to embed in a ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=None)
    # Escape what could close the script element or open a comment inside it, and the
    # two line separators that end a string in older JavaScript parsers.
    for char, escape in _JSON_ESCAPES:
        text = text.replace(char, escape)
    return Markup(text)


_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                 ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
