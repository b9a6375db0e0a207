"""config.toml: two keys suffice; every mistake names config.toml and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.config import load_config
from site_builder.errors import BuildError


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "config.toml").write_text(text)
    return tmp_path


def test_two_keys_are_enough(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'title = "T"\nbase_url = "https://example.org/archive"\n'))
    assert config.base_url == "https://example.org/archive/"
    assert config.base_path == "/archive/"
    assert (config.language, config.timezone, config.per_page) == ("en", "UTC", 20)
    assert config.permalink == "/{year}/{month}/{day}/{slug}/"
    assert config.output_path == tmp_path.resolve() / "output"
    assert config.heading_ids == "ascii"


def test_heading_ids_may_be_github(tmp_path: Path) -> None:
    text = 'title = "T"\nbase_url = "https://e.org/"\nheading_ids = "github"\n'
    assert load_config(write(tmp_path, text)).heading_ids == "github"


@pytest.mark.parametrize(("text", "expected"), [
    ('title = "T"\nbase_url = "https://e.org/"\ncolour = "red"\n',
     "config.toml:3: unknown key 'colour'"),
    ('title = "T"\nbase_url = "https://e.org/"\nper_page = "ten"\n',
     "config.toml:3: per_page: expected an integer, got a string"),
    ('title = "T"\nbase_url = "https://e.org/"\ndrafts = 1\n',
     "config.toml:3: drafts: expected true or false, got an integer"),
    ('title = "T"\nbase_url = \n', "config.toml:2: invalid TOML: Invalid value"),
    ('title = "T"\n', "config.toml: missing required key 'base_url'"),
    ('title = "T"\nbase_url = "example.org"\n',
     "config.toml:2: base_url: expected an absolute http(s) URL"),
    ('title = "T"\nbase_url = "https://e.org/"\ntimezone = "Mars/Olympus"\n',
     "config.toml:3: timezone: unknown time zone 'Mars/Olympus'"),
    ('title = "T"\nbase_url = "https://e.org/"\npermalink = "/{year}/{nope}/"\n',
     "config.toml:3: permalink: must contain {slug}"),
    ('title = "T"\nbase_url = "https://e.org/"\npermalink = "/../{slug}/"\n',
     "config.toml:3: permalink: must not contain '.', '..', '\\' or '//' segments"),
    ('title = "T"\nbase_url = "https://e.org/"\noutput_dir = "../elsewhere"\n',
     "config.toml:3: output_dir: must be a folder inside the project"),
    ('title = "T"\nbase_url = "https://e.org/"\nper_page = 0\n',
     "config.toml:3: per_page: must be at least 1"),
    ('title = "T"\nbase_url = "https://e.org/"\nlink_check = "ignore"\n',
     "config.toml:3: link_check: expected \"error\" or \"warn\", got 'ignore'"),
    ('title = "T"\nbase_url = "https://e.org/"\n\nheading_ids = "gitlab"\n',
     "config.toml:4: heading_ids: expected \"ascii\" or \"github\", got 'gitlab'"),
    ('title = "T"\nbase_url = "https://e.org/"\nheading_ids = true\n',
     "config.toml:3: heading_ids: expected a string, got a boolean"),
    ('title = "T"\nbase_url = "https://e.org/"\nsections = ["World", 3]\n',
     "config.toml:3: sections: expected an array of section names, got an integer"),
    ('title = "T"\nbase_url = "https://e.org/"\nsections = ["World", " "]\n',
     "config.toml:3: sections: expected an array of section names, got ' '"),
    ('title = "T"\nbase_url = "https://e.org/"\nsections = ["World", "world"]\n',
     "config.toml:3: sections: 'world' is listed twice (as 'World')"),
    ('title = "T"\nbase_url = "https://e.org/"\nsections = "World"\n',
     "config.toml:3: sections: expected an array, got a string"),
    ('title = "T"\nbase_url = "https://e.org/"\n[extra]\nx = 1\n[menu]\nside = ["about"]\n',
     "config.toml:5: menu: unknown key 'side' (known: header, footer)"),
    ('title = "T"\nbase_url = "https://e.org/"\n[menu]\nfooter = "about"\n',
     'config.toml:3: menu.footer: expected an array of pages, such as ["about"] or '
     '["pages/about.md"]'),
])
def test_config_problems_are_located(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(BuildError) as info:
        load_config(write(tmp_path, text))
    assert any(str(p).startswith(expected) for p in info.value.problems), str(info.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="no config.toml"):
        load_config(tmp_path)


def test_sections_and_menu_are_read_in_order(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'title = "T"\nbase_url = "https://e.org/"\n'
                               'sections = ["World", "Sport  news"]\n'
                               '[menu]\nheader = ["about"]\n'
                               'footer = ["pages/about.md", "contact"]\n'))
    assert config.sections == ("World", "Sport news")
    assert (config.menu.header, config.menu.footer, config.menu.line) == (
        ("about",), ("pages/about.md", "contact"), 4)
