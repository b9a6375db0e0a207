"""The URL rules of urls.py: links made from site paths, and site paths read from links."""

from __future__ import annotations

import pytest

from site_builder.urls import absolute_url, root_url, site_path

BASE_URL = "https://example.org/news/"
BASE_PATH = "/news/"


def test_links_are_made_from_site_paths() -> None:
    assert absolute_url(BASE_URL, "2024/05/02/strike/") == \
        "https://example.org/news/2024/05/02/strike/"
    assert absolute_url(BASE_URL) == BASE_URL
    assert root_url(BASE_PATH, "tags/harbour/") == "/news/tags/harbour/"
    assert root_url(BASE_PATH) == BASE_PATH
    assert root_url("/", "feed.xml") == "/feed.xml"


@pytest.mark.parametrize(("url", "bases", "expected"), [
    ("https://example.org/news/2024/x/", (BASE_URL, BASE_PATH), "2024/x/"),
    ("/news/2024/x/#part", (BASE_URL, BASE_PATH), "2024/x/#part"),
    ("/news/", (BASE_PATH,), ""),
    ("/news/caf%C3%A9/", (BASE_PATH,), "caf%C3%A9/"),  # as written: nothing is decoded
    ("/newsroom/", (BASE_PATH,), None),
    ("/news", (BASE_PATH,), None),
    ("https://example.org/other/", (BASE_URL, BASE_PATH), None),
    ("https://example.org/news/x/", (BASE_PATH,), None),
    ("/x/", ("/",), "x/"),
])
def test_site_path_reads_a_link_under_the_first_base_it_starts_with(
    url: str, bases: tuple[str, ...], expected: str | None
) -> None:
    assert site_path(url, *bases) == expected


@pytest.mark.parametrize("path", ["", "2024/05/02/strike/", "2008/c.html", "tags/c%23/"])
def test_site_path_undoes_the_links_made_from_it(path: str) -> None:
    assert site_path(absolute_url(BASE_URL, path), BASE_URL, BASE_PATH) == path
    assert site_path(root_url(BASE_PATH, path), BASE_URL, BASE_PATH) == path
