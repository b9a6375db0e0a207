"""Create new article files (``site-builder new``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from .config import Config
from .errors import BuildError, Problem
from .urls import slugify


def new_article(config: Config, title: str, now: dt.datetime) -> Path:
    """Write ``content/YYYY/MM/YYYY-MM-DD-slug.md`` with a front-matter skeleton; return its path.

    The folder is the one ``site-builder import`` files articles in, so new and imported
    articles of one month sit together.
    """
    slug = slugify(title)
    if not slug:
        raise BuildError([Problem("<title>", None, "the title gives no usable file name")])
    folder = config.content_path / f"{now:%Y}" / f"{now:%m}"
    path = folder / f"{now:%Y-%m-%d}-{slug}.md"
    if path.exists():
        raise BuildError([Problem(path.relative_to(config.project_dir).as_posix(), None,
                                  "file already exists")])
    front = yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=False).strip()
    text = (
        f"---\n{front}\n"
        f"date: {now.replace(microsecond=0).isoformat()}\n"
        "authors: []\n"
        "source: \n"
        "tags: []\n"
        "draft: true\n"
        "---\n\n"
        "Write the article here.\n"
    )
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
