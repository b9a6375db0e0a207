"""The site model one build keeps for the next, updated by a change set, not rebuilt.

After a full build the model (every article as parsed and as resolved, the site, the
routes and their fingerprints, the problems of each stage) is written to the store
folder together with two indexes: for each article, the routes whose values hold it,
and the articles whose link resolution read its body. The next build compares what
it finds with the model. When the only change is in article *content* (a body, its
summary) and not in anything planning reads (URLs, dates, titles, tags, the set of
files, templates, config, static files, history), it parses and resolves only the
changed articles and the ones that read them, puts the new articles into the model
in place of the old, and renders only the routes that hold them. Anything else runs
the full pipeline, which then keeps a new model. Both ways give the same output: the
tests compare every kind of change with a clean build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import io
import os
import pickle
import typing as t
from pathlib import Path

from ..digests import digest_bytes
from ..errors import Problem
from ..model import Article, Route, Site
from .store import Cache, CacheCorrupt

FORMAT = b"site-builder kept model 1\n"

_PLAIN = (type(None), bool, int, float, str, bytes)
_LEAVES = frozenset({Article, *_PLAIN})
_NOT_PLANNED = frozenset({"body", "summary", "summary_html", "link_origins"})
"""Article fields no planning stage reads: a change to these alone keeps the plan."""
_PLANNED = tuple(f.name for f in dataclasses.fields(Article) if f.name not in _NOT_PLANNED)


def planned_view(article: Article) -> tuple[object, ...]:
    """Return what planning reads of ``article`` (everything but its content)."""
    return tuple(getattr(article, name) for name in _PLANNED)


@dataclasses.dataclass(slots=True)
class KeptModel:
    """What a full build knew, for the next build to update."""

    structure: bytes
    """Digest of everything but article content that the plan was made from."""
    digests: dict[str, bytes]
    """Each source file's digest, by source path (sources that gave no article too)."""
    parse_problems: dict[str, tuple[Problem, ...]]
    parsed: dict[str, Article]
    """The articles built, as parsed, by source path (in the order they are built)."""
    links: dict[str, tuple[str, ...]]
    """Each built article's body links (link resolution reads them)."""
    resolved: dict[str, Article]
    resolve_problems: dict[str, tuple[Problem, ...]]
    reads: dict[str, tuple[str, ...]]
    """For each article, the articles whose bodies its link resolution read (for ids)."""
    tokens: dict[str, tuple[str, str]]
    """Digests of each parsed and resolved article, to seed the fingerprints."""
    later_problems: tuple[Problem, ...]
    """Problems of the stages after link resolution, up to publishing."""
    site: Site
    """The site as planned; its articles are those of the last full build (routes
    hold the current ones)."""
    routes: list[Route]
    redirects: int
    fingerprints: list[bytes | None]
    site_part: bytes
    """Digest of what templates read of ``site`` when the fingerprints were made."""
    deps: dict[str, tuple[int, ...]]
    """For each article, the indexes of the routes whose values hold it."""

    def readers_of(self, paths: t.Collection[str]) -> set[str]:
        """Return the articles whose link resolution read the body of one of ``paths``."""
        return {reader for reader, read in self.reads.items()
                if any(path in paths for path in read)}


@dataclasses.dataclass(slots=True)
class Patch:
    """What a content-only change set changes in a :class:`KeptModel`."""

    digests: dict[str, bytes]
    parse_problems: dict[str, tuple[Problem, ...]]
    parsed: dict[str, Article]
    links: dict[str, tuple[str, ...]]
    resolved: dict[str, Article]
    resolve_problems: dict[str, tuple[Problem, ...]]
    reads: dict[str, tuple[str, ...]]
    tokens: dict[str, tuple[str, str]]
    fingerprints: dict[int, bytes | None]


def apply_patch(model: KeptModel, patch: Patch) -> list[int]:
    """Apply ``patch`` to ``model`` in place; return the indexes of the routes it changed.

    The new articles take the old ones' places in the site and in every route that
    holds them; nothing that planning reads differs, so the plan stays the plan.
    """
    new = {id(model.resolved[path]): article for path, article in patch.resolved.items()
           if model.resolved[path] is not article}
    memo: dict[int, object] = {}
    # The site is not swapped: what pages read of it is the plan, which did not move
    # (the delta path checks that templates read no article content through ``site``).
    changed = sorted({i for path in patch.resolved for i in model.deps.get(path, ())})
    for index in changed:
        model.routes[index] = t.cast(Route, swap(model.routes[index], new, memo))
    model.digests.update(patch.digests)
    model.parse_problems.update(patch.parse_problems)
    model.parsed.update(patch.parsed)
    model.links.update(patch.links)
    model.resolved.update(patch.resolved)
    model.resolve_problems.update(patch.resolve_problems)
    model.reads.update(patch.reads)
    model.tokens.update(patch.tokens)
    for index, fingerprint in patch.fingerprints.items():
        model.fingerprints[index] = fingerprint
    return changed


def route_deps(routes: t.Sequence[Route]) -> dict[str, tuple[int, ...]]:
    """Return, for each article, the indexes of the routes whose values hold it."""
    deps: dict[str, list[int]] = {}
    for index, route in enumerate(routes):
        for path in articles_in(route.context, set()):
            deps.setdefault(path, []).append(index)
    return {path: tuple(indexes) for path, indexes in deps.items()}


def articles_in(value: object, seen: set[int]) -> set[str]:
    """Return the source paths of the articles anywhere in ``value``."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _PLAIN:
            continue
        if kind is Article:
            found.add(t.cast(Article, item).src_path)
            continue
        key = id(item)
        if key in seen:
            continue
        seen.add(key)
        if kind is tuple or kind is list or kind is frozenset or kind is set:
            stack.extend(t.cast(t.Iterable[object], item))
        elif isinstance(item, t.Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return found


def swap(value: object, new: t.Mapping[int, Article], memo: dict[int, object]) -> object:
    """Return ``value`` with each article whose ``id`` is in ``new`` replaced.

    Only the containers on the way to a replaced article are copied; everything else
    is returned as it is, so shared parts stay shared. ``memo`` carries the copies
    between calls, so a container met again is copied once.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    key = id(value)
    if kind is Article:
        return new.get(key, value)
    if key in memo:
        return memo[key]
    result: object = value
    if kind is tuple or kind is list:
        items = t.cast(t.Sequence[object], value)
        kinds = {type(item) for item in items}
        if kinds <= _LEAVES and new.keys().isdisjoint(map(id, items)):
            memo[key] = value  # a list of articles none of which changed (the usual case)
            return value
        swapped = [swap(item, new, memo) for item in items]
        if any(a is not b for a, b in zip(swapped, items, strict=True)):
            result = tuple(swapped) if kind is tuple else swapped
    elif kind is dict:
        mapping = t.cast(dict[object, object], value)
        pairs = {k: swap(v, new, memo) for k, v in mapping.items()}
        if any(pairs[k] is not v for k, v in mapping.items()):
            result = pairs
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for field in dataclasses.fields(value):
            if not field.init:
                continue
            old = getattr(value, field.name)
            now = swap(old, new, memo)
            if now is not old:
                changed[field.name] = now
        if changed:
            result = dataclasses.replace(value, **changed)
    memo[key] = result
    return result


def structure_key(*parts: bytes | str) -> bytes:
    """Return the digest of what the plan depends on besides article content."""
    return digest_bytes(FORMAT, *parts)


def model_path(cache: Cache, out_dir: Path) -> Path:
    """Return where the model of ``out_dir`` is kept (beside the store)."""
    name = digest_bytes(str(out_dir)).hex()
    return cache.path.parent / f"model-{name}.pickle"


_ALLOWED_MODULES = frozenset({
    "site_builder.incremental.kept", "site_builder.model", "site_builder.errors",
    "site_builder.config", "datetime", "zoneinfo", "pathlib", "collections",
})
_ALLOWED_BUILTINS = frozenset({
    ("builtins", "frozenset"), ("builtins", "set"), ("builtins", "getattr"),
    ("builtins", "object"), ("copyreg", "_reconstructor"),
})


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: object) -> str | None:
        return "cache" if isinstance(obj, Cache) else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: t.IO[bytes], cache: Cache) -> None:
        super().__init__(file)
        self.cache = cache

    def find_class(self, module: str, name: str) -> t.Any:
        if module not in _ALLOWED_MODULES and (module, name) not in _ALLOWED_BUILTINS:
            raise CacheCorrupt(f"unexpected {module}.{name} in the kept model")
        return super().find_class(module, name)

    def persistent_load(self, pid: object) -> object:
        if pid != "cache":
            raise CacheCorrupt(f"unexpected reference {pid!r} in the kept model")
        return self.cache


COMPACT_AFTER = 16
"""Patches appended before the next one rewrites the whole model instead."""


def save_model(cache: Cache, out_dir: Path, model: KeptModel) -> None:
    """Write ``model`` atomically beside the store, dropping any patches of the old one."""
    path = model_path(cache, out_dir)
    temp = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        _log_path(path).unlink(missing_ok=True)
        with open(temp, "wb") as file:
            file.write(FORMAT)
            _Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(model)
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)  # no model: the next build runs in full


def save_patch(cache: Cache, out_dir: Path, model: KeptModel, patch: Patch,
               count: int) -> None:
    """Append ``patch`` (the ``count``-th since the model was written) to the model's log.

    A patch cut short by a kill is ignored when read: the model is then the one before
    it, which still describes the sources it names, so the next build corrects it.
    """
    if count >= COMPACT_AFTER:
        save_model(cache, out_dir, model)
        return
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(patch)
    data = buffer.getvalue()
    try:
        with open(_log_path(model_path(cache, out_dir)), "ab") as file:
            file.write(len(data).to_bytes(8, "little") + data)
    except OSError:
        forget_model(cache, out_dir)


def forget_model(cache: Cache, out_dir: Path) -> None:
    """Drop the kept model of ``out_dir``: the next build runs in full."""
    path = model_path(cache, out_dir)
    for file in (path, _log_path(path)):
        with contextlib.suppress(OSError):
            file.unlink(missing_ok=True)


def load_model(cache: Cache, out_dir: Path) -> tuple[KeptModel, int] | None:
    """Return the kept model of ``out_dir`` with its patches applied, and their number."""
    path = model_path(cache, out_dir)
    # Unpickling makes a million objects; the collector would walk them over and over.
    enabled = gc.isenabled()
    gc.disable()
    try:
        with open(path, "rb") as file:
            if file.read(len(FORMAT)) != FORMAT:
                return None
            model = _Unpickler(io.BytesIO(file.read()), cache).load()
        if not isinstance(model, KeptModel):
            return None
        count = 0
        try:
            log = _log_path(path).read_bytes()
        except OSError:
            log = b""
        offset = 0
        while offset + 8 <= len(log):
            size = int.from_bytes(log[offset:offset + 8], "little")
            data = log[offset + 8:offset + 8 + size]
            if len(data) < size:
                break  # cut short by a kill
            patch = _Unpickler(io.BytesIO(data), cache).load()
            if not isinstance(patch, Patch):
                return None
            apply_patch(model, patch)
            count += 1
            offset += 8 + size
        return model, count
    except OSError:
        return None
    except Exception:  # noqa: BLE001 - any failure to decode: the model is not ours
        return None
    finally:
        if enabled:
            gc.enable()


def _log_path(path: Path) -> Path:
    return path.with_suffix(".log")
