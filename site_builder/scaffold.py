"""Start a new project (``site-builder init``): the files a first build needs, no more."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import yaml

from .config import CONFIG_NAME, parse_config
from .errors import BuildError, Problem

DEFAULT_TITLE = "News Archive"
DEFAULT_BASE_URL = "https://example.org/"
FIRST_SLUG = "welcome"

_CONFIG = """\
# The site's settings; every key is described in the config.toml section of the
# site_builder README. Only title and base_url are required.
title = {title}
base_url = {base_url}
description = ""
# language = "en"
# timezone = "UTC"
# Broken links in old, imported text fail the build; "warn" reports them instead.
# link_check = "warn"
"""

_ARTICLE = """\
---
{title}
date: {date}
authors: []
tags: [site news]
---

This is the first article of the archive. Each article is a Markdown file under
`content/`, with its facts (title, date, authors, source, tags) in the front matter
between the `---` lines.

`site-builder new "Headline"` starts the next one in `content/YYYY/MM/`. It begins as
a draft: `site-builder serve --drafts` shows it, and deleting its `draft: true` line
publishes it. Delete this file once the archive has articles of its own.
"""

TEMPLATES_README = """\
# templates/

The project's own templates. A build looks every template up here first and falls back
to the built-in one, so a file here replaces the built-in template of the same name and
everything not here stays as shipped. This README is a note, not a template.

See which file each template is read from:

    site-builder templates

To change part of a template, extend the built-in one under the `default/` prefix and
override only the blocks you need (the built-in `base.html` has a `masthead` block for a
line under the site's name):

    {# templates/base.html #}
    {% extends "default/base.html" %}
    {% block masthead %}<p class="masthead">{{ config.description }}</p>{% endblock %}

To change a template throughout, copy the built-in file here and edit the copy:

    site-builder templates --eject article.html

`--eject` never overwrites a file that is already here; delete a file to go back to the
built-in template.
"""

GITIGNORE = """\
# Made again by every build: the site, the build's folders beside it, and its cache.
/output/
/.output.*
/.site-builder-cache/
"""


def init_project(folder: Path, title: str, base_url: str, now: dt.datetime) -> list[Path]:
    """Write a new project into ``folder``; return the files written, project-relative.

    Raise :class:`BuildError`, writing nothing, when the title or base URL is not
    valid or ``folder`` holds a project's files already: nothing is ever overwritten.
    """
    config_text = _CONFIG.format(title=_toml_string(title), base_url=_toml_string(base_url))
    _check_config(config_text, folder)
    date = now.replace(microsecond=0)
    article = Path("content", f"{date:%Y}", f"{date:%m}", f"{date:%Y-%m-%d}-{FIRST_SLUG}.md")
    heading = yaml.safe_dump({"title": f"Welcome to {title}"}, allow_unicode=True,
                             width=1_000_000).strip()
    files = {
        Path(CONFIG_NAME): config_text,
        article: _ARTICLE.format(title=heading, date=date.isoformat()),
        Path("templates", "README.md"): TEMPLATES_README,
        Path(".gitignore"): GITIGNORE,
    }
    if folder.exists() and not folder.is_dir():
        raise BuildError([Problem(str(folder), None, "exists and is not a folder")])
    existing = [path for path in (Path(CONFIG_NAME), Path(".gitignore"),
                                  Path("templates", "README.md")) if (folder / path).exists()]
    content = folder / "content"
    if content.is_dir() and any(content.iterdir()):
        existing.append(Path("content"))
    if existing:
        raise BuildError([Problem(path.as_posix(), None, "already exists: init starts a new "
                                  "project only where there is none, and wrote nothing")
                          for path in existing])
    for path, text in files.items():
        dest = folder / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    return list(files)


def _toml_string(text: str) -> str:
    # JSON escapes every character TOML's basic strings need escaped, but DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _check_config(text: str, folder: Path) -> None:
    """Raise the problems of the config about to be written, named by their option."""
    options = {"title": "--title", "base_url": "--base-url"}
    try:
        parse_config(tomllib.loads(text), text, folder.resolve())
    except BuildError as exc:
        raise BuildError([
            next((Problem(flag, None, p.message.removeprefix(f"{key}: "))
                  for key, flag in options.items() if p.message.startswith(f"{key}: ")), p)
            for p in exc.problems]) from None
