"""The parse stage: source files to articles, memoised per file and per Markdown body."""

from __future__ import annotations

import dataclasses
import typing as t

from . import hrefs
from .body import Rendered, render_markdown
from .config import Config
from .content import PARSE_CONFIG_KEYS, SourceFile, Sources, parse_article
from .digests import code_digest, digest_bytes, module_digest
from .errors import Problem
from .incremental.fingerprint import Digester
from .incremental.state import BuildState
from .incremental.store import Parsed, compress_body
from .model import Article, Body
from .options import BuildOptions, Progress
from .parallel import run_tasks


@dataclasses.dataclass(frozen=True, slots=True)
class Parsing:
    """What the parse stage found."""

    articles: list[Article]
    """The articles to build (drafts only when the config builds them), by source path."""
    problems: list[Problem]
    parsed: int
    """Files parsed; the others came from the cache."""
    links: dict[str, tuple[str, ...]]
    """Each article's body links, by source path (link resolution reads them)."""
    tokens: list[tuple[Article, str]]
    """Digests of articles computed when they were parsed, to seed the fingerprints."""
    by_source: dict[str, tuple[Problem, ...]] = dataclasses.field(default_factory=dict)
    """The problems of each source file (``problems`` holds them all, in file order)."""
    drafts: int = 0
    """Articles left out because they are drafts and the config does not build drafts."""


def parse_sources(
    sources: Sources, config: Config, state: BuildState, options: BuildOptions,
    progress: Progress | None = None, *, partial: bool = False,
) -> Parsing:
    """Return the articles of ``sources``, parsing only files the cache does not know.

    ``partial``: ``sources`` are only some of the project's (the changed ones), so the
    memo of the others is kept.
    """
    cache = state.cache
    settings = repr([getattr(config, key) for key in PARSE_CONFIG_KEYS])
    base = digest_bytes(code_digest(python_only=True), settings)
    entries: list[Parsed | None] = []
    # Files with the same text after their front matter (a wire story filed twice)
    # are parsed together, so their Markdown is converted once.
    groups: dict[bytes, list[tuple[int, SourceFile, bytes]]] = {}
    sizes: dict[bytes, int] = {}
    files = sources.files
    for index, src in enumerate(files):
        key = digest_bytes(base, src.path, sources.digests[src.path])
        entry = None if options.clean else state.memo_for(src.path, key, few=partial)
        entries.append(entry)
        if entry is None:
            try:
                data = src.abs_path.read_bytes()
            except OSError:
                data = b""  # parse_article reports the error with the path
            body = _body_key(data)
            groups.setdefault(body, []).append((index, src, key))
            sizes[body] = sizes.get(body, 0) + len(data)
    # Longest work first, so no worker is left with a long changelog at the end.
    tasks = [group for body, group in sorted(groups.items(), key=lambda kv: -sizes[kv[0]])]
    parsed = sum(len(group) for group in tasks)
    payload = _ParseWork(config, cache, module_digest(render_markdown.__module__))
    with cache.transaction():
        done = 0
        for results in run_tasks(_parse_group, payload, tasks, options.jobs,
                                 chunksize=max(1, min(16, len(tasks) // 256))):
            for index, entry, md, html in results:
                if html is not None:
                    cache.store_body(html[0], html[1])
                if md is not None:
                    cache.store_markdown(*md)
                state.remember(files[index].path, entry)
                entries[index] = entry
            done += len(results)
            if progress:
                progress("parse", done, parsed)
        gone = set() if partial else state.known_sources() - {src.path for src in files}
        if gone:
            state.forget(gone)
        if (tasks and not partial) or gone:
            cache.collect_garbage()
    articles: list[Article] = []
    problems: list[Problem] = []
    links: dict[str, tuple[str, ...]] = {}
    tokens: list[tuple[Article, str]] = []
    by_source: dict[str, tuple[Problem, ...]] = {}
    drafts = 0
    for src, entry in zip(files, entries, strict=True):
        assert entry is not None
        problems += entry.problems
        by_source[src.path] = entry.problems
        article = entry.article
        if article is not None and (config.drafts or not article.draft):
            articles.append(article)
            links[article.src_path] = entry.links
            if entry.token is not None:
                tokens.append((article, entry.token))
        elif article is not None:
            drafts += 1
    return Parsing(articles, problems, parsed, links, tokens, by_source, drafts)


@dataclasses.dataclass(frozen=True, slots=True)
class _ParseWork:
    """What parse workers need: settings, the cache to read memoised Markdown from."""

    config: Config
    cache: t.Any
    markdown_base: bytes


def _body_key(data: bytes) -> bytes:
    """Return a digest of what follows the front matter of a source file's bytes."""
    fence = data[:3]
    if fence in (b"---", b"+++"):
        end = data.find(b"\n" + fence, 3)
        if end >= 0:
            data = data[end + 4:]
    return digest_bytes(data)


_Stored = tuple[bytes, str, str, tuple[str, ...]]
_Result = tuple[int, Parsed, _Stored | None, tuple[str, bytes] | None]


def _parse_group(
    work: _ParseWork, group: list[tuple[int, SourceFile, bytes]]
) -> list[_Result]:
    """Parse files likely to share a body; each body's Markdown is converted once."""
    memo: dict[bytes, Rendered] = {}
    sent: set[str] = set()
    return [_parse_one(work, task, memo, sent) for task in group]


def _parse_one(
    work: _ParseWork, task: tuple[int, SourceFile, bytes],
    memo: dict[bytes, Rendered], sent: set[str],
) -> _Result:
    """Parse one file with memoised Markdown; return what the build must store."""
    index, src, key = task
    cache = work.cache
    used: list[tuple[bytes, str, str, tuple[str, ...], bool]] = []

    def render(
        text: str, *, unsafe_html: bool = False, embed_hosts: t.Collection[str] = (),
        heading_ids: str = "ascii",
    ) -> Rendered:
        md_key = digest_bytes(work.markdown_base, repr(unsafe_html), heading_ids,
                              *sorted(embed_hosts), text)
        rendered = memo.get(md_key)
        if rendered is not None:
            used.append((md_key, Body(rendered.html).digest, rendered.summary,
                         rendered.removed_embeds, False))
            return rendered
        known = cache.get_markdown(md_key)
        if known is not None:
            digest, summary, removed = known
            used.append((md_key, digest, summary, removed, False))
            return Rendered(html=cache.load_body(digest), summary=summary,
                            removed_embeds=removed)
        rendered = render_markdown(text, unsafe_html=unsafe_html, embed_hosts=embed_hosts,
                                   heading_ids=heading_ids)
        memo[md_key] = rendered
        body = Body(rendered.html)
        used.append((md_key, body.digest, rendered.summary, rendered.removed_embeds, True))
        return rendered

    article, problems = parse_article(src, work.config, render)
    md_key = used[-1][0] if used else None
    # Only a freshly converted body is new to the cache.
    md = used[-1][:4] if used and used[-1][4] else None
    html = None
    links: tuple[str, ...] = ()
    if article is not None:
        body = article.body
        links = tuple(dict.fromkeys(hrefs.link_values(body.html)))
        if body.digest not in sent and not cache.has_body(body.digest):
            html = (body.digest, compress_body(body.html))
            sent.add(body.digest)
        article = dataclasses.replace(article, body=Body.stored(body.digest, cache))
    token = Digester().token(article) if article is not None else None
    return index, Parsed(key, article, tuple(problems), md_key, token, links), md, html
