"""The delta path: apply a content-only change set to the kept model and publish it.

A build whose sources differ from the kept model's only in article content (see
:mod:`site_builder.incremental.kept`) does here what the full pipeline would, for the
changed articles alone: parse them, check the archive, resolve their links (and those
of the articles that read their bodies), put them into the model, fingerprint and
render the routes that hold them, and publish. The moment anything turns out to touch
the plan, it hands back to the full pipeline, which gives the same output.
"""

from __future__ import annotations

import time
import typing as t

from .content import Sources
from .history import load_history, save_history, updated_history
from .incremental.fingerprint import route_fingerprint, site_value
from .incremental.kept import (
    KeptModel,
    Patch,
    apply_patch,
    articles_in,
    planned_view,
    save_patch,
)
from .incremental.resolving import resolve_links_cached
from .incremental.unchanged import structure_digest
from .parsing import parse_sources
from .pictures import attach_pictures, image_files, picture_urls
from .publish import publish
from .routes import bundle_routes, static_routes
from .validate import validate_articles

if t.TYPE_CHECKING:
    from .build import BuildResult, _Run

MAX_SHARE = 20
"""A change set of more than one file in this many goes the full way: no faster here."""


def update_kept(run: _Run, sources: Sources) -> BuildResult | None:
    """Build by updating the kept model, or return None when the full pipeline must run."""
    from .build import BuildResult, count_pages

    config, options, state = run.config, run.options, run.state
    if not options.write or options.clean or options.external or options.orphans:
        return None
    loaded = state.kept_model(config.output_path)
    if loaded is None:
        return None
    model, count = loaded
    if model.structure != structure_digest(config, run.structure_options, sources):
        return None
    changed = [src for src in sources.files
               if model.digests.get(src.path) != sources.digests[src.path]]
    if not changed or len(changed) > max(1, len(sources.files) // MAX_SHARE):
        return None
    paths = {src.path for src in changed}
    parsing = parse_sources(
        Sources(changed, [], {p: sources.digests[p] for p in paths}), config, state,
        options, run.progress, partial=True)
    images = image_files(sources, config, state.cache, options.jobs)
    parsing = attach_pictures(parsing, images, config, state.cache)
    fresh = {article.src_path: article for article in parsing.articles}
    for path in paths:
        old, new = model.parsed.get(path), fresh.get(path)
        # A file that gives no article (an error, a draft) or moves in the plan: full way.
        if old is None or new is None or planned_view(old) != planned_view(new):
            return None
    for article, token in parsing.tokens:
        run.digester.seed(article, token)
    _seed(run, model)
    run.lap("parse")

    parse_problems = {**model.parse_problems, **parsing.by_source}
    problems = [*sources.problems,
                *(p for src in sources.files for p in parse_problems.get(src.path, ()))]
    articles = [fresh.get(path, article) for path, article in model.parsed.items()]
    problems += validate_articles(articles)
    run.stop_on_errors(problems)
    only = paths | model.readers_of(paths)
    details: dict[str, t.Any] = {}
    resolved, _ = resolve_links_cached(
        articles, config,
        [r.url for r in static_routes(config) + bundle_routes(articles, sources.bundled)]
        + picture_urls(articles),
        state.cache, run.digester,
        clean=False, links={**model.links, **parsing.links}, only=only, details=details)
    new_resolved = {article.src_path: article for article in resolved}
    if any(planned_view(article) != planned_view(model.resolved[path])
           for path, article in new_resolved.items()):
        return None  # a related entry now names another title: the plan moves
    resolve_problems = {path: found for path, (found, _) in details.items()}
    problems += [p for path in model.parsed
                 for p in resolve_problems.get(path, model.resolve_problems.get(path, ()))]
    problems += model.later_problems
    run.stop_on_errors(problems)
    run.lap("resolve links")

    patch = Patch(
        digests={p: sources.digests[p] for p in paths},
        parse_problems={p: parsing.by_source.get(p, ()) for p in paths},
        parsed={p: fresh[p] for p in paths}, links={p: parsing.links[p] for p in paths},
        resolved=new_resolved, resolve_problems=resolve_problems,
        reads={path: read for path, (_, read) in details.items()},
        tokens={p: (run.digester.token(model.parsed.get(p) if p not in fresh else fresh[p]),
                    run.digester.token(a)) for p, a in new_resolved.items()},
        fingerprints={})
    # What templates read of ``site`` enters every fingerprint: if that holds a changed
    # article (a "latest" list of ``site.articles``), every page moves.
    fingerprinting = run.fingerprint_parts(model.site)
    used = run.used
    if (fingerprinting is None or fingerprinting[1] != model.site_part or used is None
            or any(articles_in(site_value(model.site, name), set()) & only
                   for name in used)):
        return None
    touched = apply_patch(model, patch)
    base, site_part = fingerprinting
    for index in touched:
        route = model.routes[index]
        fingerprint = route_fingerprint(run.digester, route, base, site_part)
        model.fingerprints[index] = patch.fingerprints[index] = fingerprint
    run.lap("plan and fingerprint")

    published = publish(config, state, options, run.progress, model.site, model.routes,
                        model.fingerprints, problems)
    run.lap("render and write")
    if options.record_history:
        history, _ = load_history(config)
        save_history(config, updated_history(history, model.routes))
    save_patch(state.cache, config.output_path, model, patch, count + 1)
    state.kept[config.output_path] = (model, count + 1)
    result = BuildResult(
        pages=len(model.routes), written=published.written, unchanged=published.unchanged,
        deleted=published.deleted, warnings=tuple(problems),
        seconds=time.perf_counter() - run.started, links=published.report,
        redirects=model.redirects, rendered=published.rendered, parsed=parsing.parsed,
        stages=tuple(run.stages), html_pages=count_pages(model.routes), drafts=model.drafts)
    run.remember(result)
    return result


def _seed(run: _Run, model: KeptModel) -> None:
    """Give the digester the kept articles' digests, so none is computed again."""
    for path, (parsed, resolved) in model.tokens.items():
        article = model.parsed.get(path)
        if article is not None:
            run.digester.seed(article, parsed)
        article = model.resolved.get(path)
        if article is not None:
            run.digester.seed(article, resolved)


__all__ = ["update_kept"]
