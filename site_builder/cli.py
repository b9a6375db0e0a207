"""Command line: ``site-builder init|build|check|serve|new|import|history|templates``.

The only module that prints or exits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import importlib
import logging
import os
import shlex
import signal
import sys
import tempfile
import threading
import time
import typing as t
import webbrowser
from pathlib import Path

from . import __version__
from .build import BuildOptions, BuildResult, build
from .config import Config, load_config
from .errors import BuildError
from .history import HISTORY_NAME
from .importers.imported import valid_lang
from .linkcheck import LinkReport
from .newfile import new_article
from .preview.server import (
    LiveState,
    PreviewServer,
    Rebuild,
    Rebuilder,
    preview_config,
    rebuild_forever,
)
from .preview.watch import Watcher
from .retire import gone_urls, retire_urls
from .scaffold import DEFAULT_BASE_URL, DEFAULT_TITLE, init_project
from .templates import eject_template, resolve_templates

if t.TYPE_CHECKING:
    from .importers.imported import SiteImport
    from .importers.writing import ImportEvent, ImportResult, SiteSummary

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 128 + signal.SIGINT
"""What a shell reports for a command ended by Ctrl-C."""
SITE_READERS = ("wordpress", "jekyll", "hugo", "zola", "pelican")
"""Generators ``import --from`` reads; each is the module ``site_builder.importers.NAME``."""


def make_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", type=Path, default=Path("."), metavar="DIR",
                        help="project folder holding config.toml (default: current folder)")
    common.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")

    parser = argparse.ArgumentParser(
        prog="site-builder", description="Build a static site from an archive of news articles.")
    parser.add_argument("--version", action="version", version=f"site-builder {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init_cmd = commands.add_parser(
        "init", help="start a new project",
        description="Write a new project into DIR (default: the current folder): "
                    "config.toml, content/ with a first article, templates/ with a README "
                    "and .gitignore. Nothing is overwritten: a folder holding a project's "
                    "files is refused.")
    init_cmd.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
                          help="folder of the new project (created if missing)")
    init_cmd.add_argument("--title", default=DEFAULT_TITLE,
                          help=f"the site's name (default: {DEFAULT_TITLE!r})")
    init_cmd.add_argument("--base-url", default=DEFAULT_BASE_URL, metavar="URL",
                          help=f"where the site will be published (default: {DEFAULT_BASE_URL})")
    init_cmd.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")

    build_cmd = commands.add_parser("build", parents=[common], help="build the site",
                                    description="Build the project into its output folder.")
    build_cmd.add_argument("--output", type=Path, metavar="DIR",
                           help="output folder (default: output_dir from config.toml)")
    build_cmd.add_argument("--clean", action="store_true",
                           help="ignore the build cache and rewrite every output file")
    build_cmd.add_argument("--changes", type=Path, metavar="FILE",
                           help="write the output paths written or removed, one per line")
    _add_build_flags(build_cmd)

    check_cmd = commands.add_parser(
        "check", parents=[common], help="validate everything, write nothing",
        description="Load, validate, render and link-check the whole site without writing "
                    "anything; also report articles no listing page reaches.")
    _add_build_flags(check_cmd)
    check_cmd.add_argument("--external", action="store_true",
                           help="list the external links and the pages that use them")
    check_cmd.add_argument("--orphans", action="store_true",
                           help="list the articles no other article links to")

    serve_cmd = commands.add_parser(
        "serve", parents=[common], help="preview the site, rebuilding on every change",
        description="Build the project into a temporary folder, serve it, rebuild when a "
                    "source changes and reload the browser. output/ is left alone.")
    serve_cmd.add_argument("--host", default="127.0.0.1",
                           help="address to listen on (default: 127.0.0.1)")
    serve_cmd.add_argument("--port", type=int, default=8000,
                           help="port to listen on; 0 picks a free one (default: 8000)")
    serve_cmd.add_argument("--drafts", action="store_true", default=None,
                           help="include articles marked draft: true, each with a banner "
                                "saying so")
    serve_cmd.add_argument("--open", action="store_true", help="open the site in a browser")

    new_cmd = commands.add_parser(
        "new", parents=[common], help="start a new article",
        description="Write a new draft article in content/YYYY/MM/ and print its path.")
    new_cmd.add_argument("title", help="headline of the article")

    import_cmd = commands.add_parser(
        "import", parents=[common], help="import article text, feeds or another site",
        description="Write one Markdown file per article into the content folder, from "
                    "scraped article text (FILE), RSS, Atom or JSON feeds (--feed), or "
                    "another generator's site (--from NAME PATH). Importing again "
                    "updates nothing that is unchanged and never overwrites a file "
                    "edited since it was imported, unless --force.")
    import_cmd.add_argument("files", nargs="*", metavar="FILE",
                            help="article text file; with --from, the site folder or export")
    import_cmd.add_argument("--from", dest="source", choices=SITE_READERS, metavar="NAME",
                            help="read another generator's site or export: "
                                 + ", ".join(SITE_READERS))
    import_cmd.add_argument("--settings", type=Path, metavar="FILE",
                            help="the site's settings file (only with --from pelican)")
    import_cmd.add_argument("--fetch-media", action="store_true",
                            help="with --from: download each article's remote images and "
                                 "media next to it and link to the copies")
    import_cmd.add_argument("--feed", action="append", default=[], metavar="FILE_OR_URL",
                            help="RSS, Atom or JSON feed, as a file or http(s) URL "
                                 "(repeatable)")
    import_cmd.add_argument("--force", action="store_true",
                            help="overwrite files edited since they were imported")
    import_cmd.add_argument("--lang", metavar="CODE",
                            help="language of every imported article (default: the feed's, "
                                 "else guessed from the script)")

    history_cmd = commands.add_parser(
        "history", parents=[common], help="list or retire old URLs whose article is gone",
        description="List the URLs of url-history.txt that are no longer published because "
                    "their article is gone (every build warns of them). 'remove URL...' "
                    "marks URLs that were deployed as removed: no redirect, no warning. "
                    "'forget URL...' drops URLs that never went live.")
    history_cmd.add_argument("action", nargs="?", choices=("remove", "forget"),
                             help="what to do with the URLs (default: list them)")
    history_cmd.add_argument("urls", nargs="*", metavar="URL",
                             help="a URL as listed (/2024/05/20/ferry/) or under base_url")

    templates_cmd = commands.add_parser(
        "templates", parents=[common], help="list the templates and the file each is read from",
        description="List every template a build uses with the file it is read from: the "
                    "project's templates/ folder first, else the built-in one. --eject NAME "
                    "copies a built-in template into templates/ to change it there.")
    templates_cmd.add_argument("--eject", metavar="NAME",
                               help="copy the built-in template NAME into templates/ "
                                    "(never over an existing file)")
    return parser


def _add_build_flags(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--drafts", action="store_true", default=None,
                     help="include articles marked draft: true")
    cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    cmd.add_argument("--jobs", type=_positive, metavar="N",
                     help="processes to use (default: every core, for large builds)")
    cmd.add_argument("--verbose", action="store_true", help="print the time of each stage")


def _import_usage(args: argparse.Namespace) -> str | None:
    """Return what is wrong with the arguments of ``import``, or None."""
    if args.source is None:
        if args.settings is not None or args.fetch_media:
            return "--settings and --fetch-media need --from NAME"
        if not (args.files or args.feed):
            return "give at least one FILE or --feed FILE_OR_URL"
        return None
    if args.feed:
        return "--from reads one site; import feeds in a separate run"
    if len(args.files) != 1:
        return f"--from {args.source} reads exactly one PATH (the site folder or export)"
    if args.settings is not None and args.source != "pelican":
        return "--settings is only for --from pelican"
    return None


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: t.Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = make_parser().parse_args(argv)
    usage = _import_usage(args) if args.command == "import" else None
    if usage is not None:
        print(f"site-builder import: error: {usage}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "history" and (args.action is None) != (not args.urls):
        print("site-builder history: error: give remove or forget with the URLs, or neither "
              "to list them", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "import" and args.lang is not None and not valid_lang(args.lang):
        print(f"site-builder import: error: --lang {args.lang!r} is not a language code "
              "such as 'en' or 'pt-BR'", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "init":
            return _init(args)
        if args.command == "new":
            return _new(args)
        if args.command == "import":
            return _import(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "history":
            return _history(args)
        if args.command == "templates":
            return _templates(args)
        return _build(args)
    except BuildError as exc:
        if args.debug:
            raise
        _print_problems(exc, args.command)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        # A second Ctrl-C while saying so must not end in a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``site-builder templates | head``): nothing left to say,
        # and Python's own flush at exit must not fail on the closed pipe either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PROBLEMS


def _build(args: argparse.Namespace) -> int:
    project: Path = args.project
    output = getattr(args, "output", None)
    overrides: dict[str, object] = {"drafts": args.drafts}
    if output is not None:
        # An absolute path joined to the project folder stays itself, so --output may lie anywhere.
        overrides["output_dir"] = str(output.resolve())
    config = load_config(project, **overrides)
    checking = args.command == "check"
    progress = _Progress(sys.stderr)
    try:
        options = BuildOptions(
            strict=args.strict, write=not checking, record_history=not checking,
            external=checking and args.external, orphans=checking,
            clean=getattr(args, "clean", False), jobs=args.jobs)
        result = build(config, options, progress=progress)
    finally:
        progress.close()
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if checking and result.links is not None:
        _print_link_report(result.links, args.external, args.orphans)
    changes: Path | None = getattr(args, "changes", None)
    if changes is not None:
        try:
            changes.write_text("".join(f"{path}\n" for path in result.changed), "utf-8")
        except OSError as exc:
            print(f"{changes}: cannot write: {exc.strerror}", file=sys.stderr)
            return EXIT_PROBLEMS
    if args.verbose:
        for stage, seconds in result.stages:
            print(f"  {stage:<18} {seconds:8.3f} s")
        print(f"  {'parsed':<18} {result.parsed:8d} files")
        print(f"  {'rendered':<18} {result.rendered:8d} pages")
    if result.drafts:
        print(_drafts_left_out(result.drafts))
    print(_summary(args.command, result))
    return EXIT_OK


def _print_link_report(report: LinkReport, external: bool, orphans: bool) -> None:
    if external:
        for url, pages in report.external.items():
            print(url)
            for page in pages:
                print(f"    /{page}")
        print(f"{len(report.external)} external links.")
    if orphans:
        for src in report.unlinked:
            print(f"info: {src}: no other article links here")
    if report.unlinked:
        hint = "" if orphans else " (list them with --orphans)"
        count = len(report.unlinked)
        print(f"info: {count} article{'s are' if count != 1 else ' is'} not linked from any "
              f"other article{hint}.")


class _Progress:
    """A progress bar on a terminal; a line per finished stage otherwise.

    Short stages show nothing: the bar appears only after a stage has run a while.
    """

    DELAY = 1.0
    """Seconds a stage runs before it is shown."""

    def __init__(self, stream: t.TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.stage = ""
        self.started = 0.0
        self.shown = 0.0
        self.total = 0
        self.finished = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self.close()
            self.stage, self.started, self.shown, self.total = stage, now, 0.0, total
        self.finished = done == total
        if now - self.started < self.DELAY:
            return
        if self.tty and (now - self.shown >= 0.1 or done == total):
            width = 30
            filled = width * done // max(total, 1)
            self.stream.write(f"\r{stage:<7} [{'#' * filled}{'.' * (width - filled)}] "
                              f"{done}/{total}")
            self.stream.flush()
            self.shown = now
        elif not self.tty and (self.shown == 0.0 or now - self.shown >= 10.0):
            self.stream.write(f"{stage}: {done}/{total}\n")
            self.stream.flush()
            self.shown = now
        if done == total:
            self.close()

    def close(self) -> None:
        """End the current stage's line; say it is done only if it finished (a build
        stopped by an error or Ctrl-C closes it too)."""
        if self.stage and self.shown:
            if self.tty:
                self.stream.write("\n")
            elif self.finished:
                self.stream.write(f"{self.stage}: done in "
                                  f"{time.monotonic() - self.started:.1f} s\n")
            self.stream.flush()
        self.stage, self.shown, self.finished = "", 0.0, False


def _summary(command: str, result: BuildResult) -> str:
    links = ""
    if result.links is not None:
        links = f" {result.links.checked} internal links checked"
        links += f", {result.redirects} redirects." if result.redirects else "."
    pages = _count(result.html_pages, "page")
    if command == "check":
        return f"Checked {pages} in {result.seconds:.2f} s: no problems.{links}"
    # Pages are what readers see; files also count feeds, sitemaps, static files and
    # the search index, so the two are named apart.
    return (f"Built {pages} in {result.seconds:.2f} s: "
            f"{_count(len(result.written), 'file')} written, {len(result.unchanged)} unchanged, "
            f"{len(result.deleted)} removed.{links}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _drafts_left_out(count: int) -> str:
    return f"{_count(count, 'draft')} not built: use --drafts"


def _serve(args: argparse.Namespace) -> int:
    project: Path = args.project
    # A broken config.toml at start leaves nothing to serve: report it like a build does.
    config = load_config(project, drafts=args.drafts)
    live = LiveState()
    with tempfile.TemporaryDirectory(prefix="site-builder-serve-") as temp:
        site_dir = Path(temp) / "site"
        try:
            server = PreviewServer(args.host, args.port, site_dir, live)
        except OSError as exc:
            print(_listen_failure(args.host, args.port, exc), file=sys.stderr)
            return EXIT_PROBLEMS
        server_url = server.url

        def load() -> Config:
            return preview_config(load_config(project, drafts=args.drafts), server_url,
                                  site_dir)

        watcher = Watcher(config)
        threading.Thread(target=server.serve_forever, name="preview-server",
                         daemon=True).start()
        site_url = server_url + config.base_path
        print(f"Serving {site_url} (press Ctrl-C to stop)", flush=True)
        # SIGTERM stops the preview the way Ctrl-C does, so the temporary folder goes too;
        # Ctrl-C works even when started from a shell that ignores SIGINT in the background.
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        interrupt = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            watcher.start()
            if args.open:
                webbrowser.open(site_url)
            rebuild_forever(watcher, Rebuilder(load, live), _report_rebuild)
        except KeyboardInterrupt:
            print("Stopped.", flush=True)
        finally:
            # A second Ctrl-C while stopping must not leave the temporary folder behind.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            watcher.stop()
            live.close()
            server.shutdown()
            server.server_close()
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, previous)
    return EXIT_OK


def _listen_failure(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"cannot serve: port {port} on {host} is already in use (choose another with --port)"
    reason = exc.strerror or str(exc)
    return f"cannot serve on {host}:{port}: {reason}"


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _report_rebuild(rebuild: Rebuild) -> None:
    if rebuild.result is None:
        print(rebuild.error, file=sys.stderr)
        print("build failed: still serving the last good build", file=sys.stderr, flush=True)
        return
    for warning in rebuild.result.warnings:
        print(warning, file=sys.stderr)
    changed = sorted(p.name for p in rebuild.changes.paths)
    after = ""
    if changed:
        more = len(changed) - 3
        shown = ", ".join(changed[:3]) + (f" and {more} more" if more > 0 else "")
        after = f" after changes to {shown}"
    if rebuild.result.drafts:
        print(_drafts_left_out(rebuild.result.drafts))
    print(f"Built {_count(rebuild.result.html_pages, 'page')} in "
          f"{rebuild.result.seconds:.2f} s{after}.", flush=True)


def _init(args: argparse.Namespace) -> int:
    folder: Path = args.dir
    now = dt.datetime.now(dt.UTC)  # the config's time zone is UTC until it is changed
    written = init_project(folder, args.title, args.base_url, now)
    here = folder.resolve() == Path.cwd().resolve()
    print(f"Created a news archive in {'this folder' if here else folder.as_posix()}:")
    for path in written:
        print(f"  {path.as_posix()}")
    print("Next:")
    if not here:
        print(f"  cd {shlex.quote(folder.as_posix())}")
    for command, what in (("site-builder serve --open", "preview it, rebuilt on every save"),
                          ('site-builder new "Headline"', "start an article (a draft)"),
                          ("site-builder build", "build the site into output/")):
        print(f"  {command:<28}  {what}")
    return EXIT_OK


def _new(args: argparse.Namespace) -> int:
    config = load_config(args.project)
    path = new_article(config, args.title, dt.datetime.now(config.tzinfo))
    print(path.relative_to(config.project_dir).as_posix())
    # stdout stays the bare path, for scripts; the reminder is for the person typing.
    print("It is a draft: 'site-builder serve --drafts' shows it; delete 'draft: true' "
          "to publish it.", file=sys.stderr)
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    config = load_config(args.project)
    if args.action is not None:
        retired = retire_urls(config, args.urls, forget=args.action == "forget")
        done = "dropped from" if args.action == "forget" else "marked removed in"
        for entry in retired:
            print(f"/{entry.url}")
        count = len(retired)
        print(f"{_count(count, 'URL')} {done} {HISTORY_NAME}.")
        return EXIT_OK
    gone = gone_urls(config)
    for entry in gone:
        print(f"/{entry.url}\t{entry.source}")
    if not gone:
        print(f"Every URL of {HISTORY_NAME} is still published or redirects.")
        return EXIT_OK
    count = len(gone)
    print(f"{_count(count, 'URL')} whose article is gone: "
          "'site-builder history remove URL...' retires those that were deployed, "
          "'site-builder history forget URL...' drops those that never were.")
    return EXIT_OK


def _templates(args: argparse.Namespace) -> int:
    config = load_config(args.project)
    if args.eject is not None:
        path = eject_template(config, args.eject)
        print(path.relative_to(config.project_dir).as_posix())
        print("Builds now read this copy instead of the built-in template; "
              f"'{{% extends \"default/{path.name}\" %}}' still reaches the built-in one.",
              file=sys.stderr)
        return EXIT_OK
    found = resolve_templates(config)
    width = max(len(entry.name) for entry in found)
    for entry in found:
        if entry.origin == "project":
            where = entry.path.relative_to(config.project_dir).as_posix()
            if entry.replaces_builtin:
                where += " (replaces the built-in one)"
        else:
            where = str(entry.path)
        print(f"{entry.name:<{width}}  {entry.origin:<8}  {where}")
    print("'site-builder templates --eject NAME' copies a built-in template into "
          f"{config.templates_dir}/ to change it.")
    return EXIT_OK


PROGRESS_EVERY = 500
"""A long import reports progress after this many articles of one source."""


def _import(args: argparse.Namespace) -> int:
    # Imported here: the feed and HTML parsers it needs would slow every build's start.
    from .importers.writing import import_site, import_sources

    config = load_config(args.project)

    def report(event: ImportEvent) -> None:
        if event.action == "skipped":
            print(f"skipped {event.path} (edited since import; --force overwrites it)")
        elif event.action != "unchanged":
            print(f"{event.action} {event.path}")
        if event.total >= PROGRESS_EVERY and (
                event.number % PROGRESS_EVERY == 0 or event.number == event.total):
            print(f"... {event.number} of {event.total} articles", file=sys.stderr)

    if args.source is None:
        result = import_sources(config, args.files, args.feed, force=args.force,
                                lang=args.lang, on_event=report)
    else:
        name = args.source
        module_name = f"{__package__}.importers.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            print(f"site-builder import: error: --from {name}: this version cannot read "
                  f"{name} sites yet", file=sys.stderr)
            return EXIT_USAGE
        read_site: t.Callable[[Path, Config, Path | None], SiteImport] = module.read_site
        try:
            site = read_site(Path(args.files[0]), config, args.settings)
            result = import_site(config, site, name, force=args.force,
                                 fetch_media=args.fetch_media, lang=args.lang, on_event=report)
        except (BuildError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a reader's bug must not end in a traceback
            if args.debug:
                raise
            print(f"site-builder import: error: reading {args.files[0]} as a {name} site "
                  f"failed: {type(exc).__name__}: {exc} (--debug shows where)",
                  file=sys.stderr)
            return EXIT_PROBLEMS
    for problem in sorted(result.problems, key=lambda p: p.level == "error"):
        print(problem, file=sys.stderr)
    if result.site is not None:
        for line in _site_summary(result.site):
            print(line)
    print(_import_summary(result))
    return EXIT_PROBLEMS if result.failed else EXIT_OK


def _import_summary(result: ImportResult) -> str:
    counts = ", ".join(f"{result.count(action)} {action}"
                       for action in ("created", "updated", "unchanged", "skipped"))
    failed = f", {result.failed} failed" if result.failed else ""
    total = len(result.events)
    return f"Imported {total} article{'' if total == 1 else 's'}: {counts}{failed}."


def _site_summary(site: SiteSummary) -> list[str]:
    """Return the lines that say what a reader of another site found and what became of it."""
    from .importers.writing import PAGES_NOTE

    kinds = site.kinds
    counts = ", ".join(f"{kinds.get(kind, 0)} {plural}" for kind, plural in (
        ("article", "articles"), ("page", "pages"), ("draft", "drafts"), ("asset", "assets"),
        ("skipped", "skipped")))
    reasons = ", ".join(f"{reason}: {count}" for reason, count in site.skipped)
    lines = [f"Imported from {site.name}: {counts}" + (f" ({reasons})." if reasons else ".")]
    if site.pages:
        lines.append(f"Note: {PAGES_NOTE}.")
    if site.unmapped:
        lines.append("Kept under extra: "
                     + ", ".join(f"{key} ({count})" for key, count in site.unmapped) + ".")
    if site.assets_copied or site.media_fetched:
        lines.append(f"Copied {site.assets_copied} asset files, downloaded "
                     f"{site.media_fetched} media files.")
    if site.proposals:
        lines.append("Proposed for config.toml:")
        notes = {"added": "added to config.toml", "set": "already in force",
                 "differs": "not added", "invalid": "not added"}
        for proposal in site.proposals:
            detail = f": {proposal.detail}" if proposal.detail else ""
            lines.append(f"    {proposal.line}    # {notes[proposal.status]}{detail}")
    return lines


def _print_problems(exc: BuildError, command: str) -> None:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    count = len(exc.problems)
    # build, check and serve failed to build; import stops on the config a build reads.
    # The other commands name themselves.
    failed = "build" if command in ("build", "check", "serve", "import") else command
    # The advice ends the last line, so the failure is still one line that says it all.
    hint = f", {exc.hint}" if exc.hint else ""
    print(f"{failed} failed: {_count(count, 'problem')}{hint}", file=sys.stderr)
