"""Content digests of everything a page is made from, to skip re-rendering unchanged pages.

A route's fingerprint covers its template name, the template tree, the code, the config,
a canonical digest of every value in its context and of the route itself, and the parts
of ``site`` the templates read. The digest is generic: any frozen dataclass, tuple,
mapping or plain value is walked, so new route kinds need no code here; a value of
any other type makes the route un-cacheable (always rendered) rather than wrongly cached.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t
from pathlib import PurePath

import jinja2
import jinja2.nodes

from ..digests import DIGEST_SIZE, code_digest, digest_bytes, module_digest, new_hash, tree_digest
from ..model import Body, Route
from ..templates import is_template_name

__all__ = ["DIGEST_SIZE", "Digester", "Uncacheable", "code_digest", "digest_bytes",
           "module_digest", "route_fingerprint", "site_attributes_read", "site_value",
           "tree_digest"]


class Uncacheable(Exception):
    """Raised for a value whose digest cannot be computed reliably."""


_PLAIN = (type(None), bool, int, float, str, bytes)


class Digester:
    """Canonical digests of template values, each object digested once per build.

    A composite value is digested as the text of its parts: plain values by their
    ``repr`` (which escapes separators), others by their own digest. Objects are
    memoised by identity; the memo keeps a reference to each so an identity is never
    reused by another object while the digester lives.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[object, str]] = {}
        self._active: set[int] = set()
        self._fields: dict[type, tuple[str, ...]] = {}

    def digest(self, value: object) -> bytes:
        """Return the digest of ``value``; raise :class:`Uncacheable` for unknown types."""
        if type(value) in _PLAIN:
            return digest_bytes(repr(value))
        return bytes.fromhex(self._token(value))

    def token(self, value: object) -> str:
        """Return the digest of ``value`` as text (what :meth:`seed` takes)."""
        return self._token(value)

    def seed(self, value: object, token: str) -> None:
        """Record a digest computed earlier (an article's, kept in the parse memo)."""
        self._memo[id(value)] = (value, token)

    def _token(self, value: object) -> str:
        if type(value) in _PLAIN:
            return repr(value)
        key = id(value)
        known = self._memo.get(key)
        if known is not None:
            return known[1]
        if key in self._active:
            raise Uncacheable(f"cycle through {type(value).__name__}")
        self._active.add(key)
        try:
            parts = self._parts(value)
        finally:
            self._active.discard(key)
        h = new_hash()
        h.update("\0".join(parts).encode("utf-8", "surrogatepass"))
        token = h.hexdigest()
        self._memo[key] = (value, token)
        return token

    def _parts(self, value: object) -> list[str]:
        parts: list[str] = []
        self._add(value, parts)
        return parts

    def _add(self, value: object, parts: list[str]) -> None:
        """Append the canonical text of ``value`` to ``parts``.

        Small tuples and mappings are written inline; dataclasses and long sequences
        get a digest of their own, memoised, as they are shared between routes.
        """
        kind = type(value)
        if kind in _PLAIN:
            parts.append(repr(value))
            return
        name = kind.__qualname__
        if isinstance(value, Body):
            parts += ("Body", value.digest)
        elif isinstance(value, dt.datetime | dt.date | dt.time):
            parts += (name, value.isoformat(), repr(getattr(value, "tzinfo", None)))
        elif isinstance(value, dt.tzinfo | dt.timedelta):
            parts += (name, repr(value))
        elif isinstance(value, PurePath):
            parts += (name, repr(str(value)))
        elif isinstance(value, tuple | list):
            parts += (name, str(len(value)))
            for item in value:
                self._add_item(item, parts)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = self._fields.get(kind)
            if names is None:
                names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(value))
            parts.append(name)
            for field in names:
                parts.append(field)
                self._add_item(getattr(value, field), parts)
        elif isinstance(value, t.Mapping):
            # Insertion order is kept: templates iterate mappings in that order.
            parts += (name, str(len(value)))
            for k, v in value.items():
                self._add_item(k, parts)
                self._add_item(v, parts)
        elif isinstance(value, frozenset | set):
            parts += (name, *sorted(self._token(item) for item in value))
        else:
            raise Uncacheable(f"no digest for values of type {name}")

    def _add_item(self, item: object, parts: list[str]) -> None:
        kind = type(item)
        if kind in _PLAIN:
            parts.append(repr(item))
        elif (kind is tuple or kind is list) and len(item) <= 16 and all(  # type: ignore[arg-type]
                type(x) in _PLAIN for x in item):  # type: ignore[attr-defined]
            # Only flat values are written inline: nested ones are digested once each, by
            # identity, so shared parts (YAML aliases) never multiply the work.
            parts.append("(")
            self._add(item, parts)
            parts.append(")")
        elif kind is dict and len(item) <= 16 and all(  # type: ignore[arg-type]
                type(x) in _PLAIN for x in item.values()):  # type: ignore[attr-defined]
            parts.append("(")
            self._add(item, parts)
            parts.append(")")
        else:
            parts.append(self._token(item))


SITE_READERS: dict[str, frozenset[str]] = {
    "news_article": frozenset({"authors.lookup", "sources.lookup", "tags.lookup",
                               "categories.lookup", "sections.lookup"}),
    "json_feed": frozenset({"authors.lookup", "sources.lookup", "tags.lookup"}),
}
"""Template globals that take ``site`` whole, with the attributes they read of it."""
SHALLOW_READS = frozenset({"lookup", "url", "kind"})
"""Attributes of a ``site`` value read on their own: ``site.tags.url`` depends on the
URL alone, ``site.tags.lookup(...)`` on the terms' names and URLs, not on every article
filed under them."""


def site_attributes_read(env: jinja2.Environment) -> frozenset[str] | None:
    """Return the attributes of ``site`` the template tree reads, or None for all of it.

    A page that lists ``site.articles`` depends on every article, so those values
    enter every route's fingerprint; templates that pass ``site`` on whole (to a macro,
    a filter, ``site[...]``) make the whole site part of every fingerprint, except to
    the built-in globals of :data:`SITE_READERS`, whose reads are known. A read of one
    of :data:`SHALLOW_READS` is named by both attributes (``tags.lookup``).
    """
    names: set[str] = set()
    # A README beside the templates is no template: its examples are not read as one.
    for template in env.list_templates(filter_func=is_template_name):
        try:
            source = env.loader.get_source(env, template)[0] if env.loader else ""
            tree = env.parse(source)
        except (jinja2.TemplateError, OSError):
            return None  # rendering reports it, naming the template
        attrs = {id(node.node): node for node in tree.find_all(jinja2.nodes.Getattr)}
        passed: dict[int, frozenset[str]] = {}
        for call in tree.find_all(jinja2.nodes.Call):
            if isinstance(call.node, jinja2.nodes.Name) and call.node.name in SITE_READERS:
                for arg in call.args:
                    passed[id(arg)] = SITE_READERS[call.node.name]
        for node in tree.find_all(jinja2.nodes.Name):
            if node.name != "site":
                continue
            if id(node) in passed:
                names.update(passed[id(node)])
                continue
            read = attrs.get(id(node))
            if read is None:
                return None
            further = attrs.get(id(read))
            names.add(f"{read.attr}.{further.attr}"
                      if further is not None and further.attr in SHALLOW_READS else read.attr)
    return frozenset(names)


def site_value(site: object, name: str) -> object:
    """Return what a template reading ``name`` (from :func:`site_attributes_read`) sees."""
    first, _, further = name.partition(".")
    value = getattr(site, first, None)
    if further == "lookup":
        by_name = getattr(value, "by_name", {})
        return {key: (term.name, term.slug, term.url) for key, term in by_name.items()}
    return getattr(value, further, None) if further else value


def route_fingerprint(
    digester: Digester, route: Route, base: bytes, site_part: bytes
) -> bytes | None:
    """Return the fingerprint of ``route``, or None when it cannot be cached.

    ``base`` covers code, templates and config; ``site_part`` the parts of ``site``
    the templates read. A copied file's fingerprint is its content key: its bytes are
    known to be the same while the key is.
    """
    if route.template is None:
        return digest_bytes(b"copy", route.content_key) if route.content_key else None
    try:
        return digest_bytes(base, site_part, digester.digest(route))
    except Uncacheable:
        return None
