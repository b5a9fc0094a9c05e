"""The ``kb`` command: a thin layer that reads options, calls a stage, and prints."""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__, pipeline
from .commands import new as new_cmd
from .config import ConfigError, Settings, load_settings
from .diagnostics import Diagnostic
from .report import FORMATS, format_diagnostics, resolve_format, summary_line
from .schema import EVENT_STATUSES, EVENT_TYPES
from .scope import Scope, ScopeError
from .timings import Timings
from .write import WriteError

if TYPE_CHECKING:  # the build's modules load MkDocs and the outputs' libraries: kb
    # validate, which a contributor runs most, never needs them
    from .parts import Shard
    from .write import WriteReport


def _content_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--content",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Folder of records.  [default: content/ beside mkdocs.yml]",
    )(func)


def _config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-f",
        "--config-file",
        type=click.Path(path_type=Path, dir_okay=False),
        default=Path("mkdocs.yml"),
        show_default=True,
        help="The MkDocs configuration of the site.",
    )(func)


def _docs_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--docs-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Where generated Markdown goes.  [default: docs_dir of mkdocs.yml]",
    )(func)


def _site_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--site-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help=f"Where the {what} site goes.  [default: site/ beside mkdocs.yml]",
    )


def _cache_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--no-cache",
        is_flag=True,
        help="Read, check and render everything afresh, without reading or writing the "
        "record and render caches (in ~/.cache/company-events-kb/).",
    )(func)


def _settings(config_file: Path, **overrides: Any) -> Settings:
    try:
        return load_settings(config_file, **overrides)
    except ConfigError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _fail(message: str) -> None:
    _progress(None)
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _progress(stage: str | None) -> None:
    """On a terminal, one line that names the running stage; nothing in logs and pipes."""
    if not sys.stderr.isatty():
        return
    line = f"{stage}…" if stage else ""
    click.echo(f"\r\033[K{line}", err=True, nl=False)


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"


def _print_problems(diagnostics: list[Diagnostic], fmt: str = "standard") -> None:
    _progress(None)
    if not diagnostics and fmt != "json":
        return
    for line in format_diagnostics(diagnostics, fmt):
        click.echo(line, err=fmt != "json")
    if fmt == "standard":
        click.echo(summary_line(diagnostics), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def main() -> None:
    """Company-event knowledge base: YAML records in, a searchable static site out."""


@main.command()
@_content_option
@_config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="standard: path:line:column lines; github: workflow annotations; json: a list.",
)
@_cache_option
def validate(content: Path | None, config_file: Path, fmt: str, no_cache: bool) -> None:
    """Check every record, and every reference between records.

    Each problem is one line, path:line:column: severity: message, on stderr
    (JSON goes to stdout). Exit status 1 if there is any error.
    """
    settings = _settings(config_file, content=content)
    result = pipeline.check(settings.content, settings.today, cache=not no_cache)
    _print_problems(result.diagnostics, resolve_format(fmt))
    sys.exit(0 if result.ok else 1)


@main.command()
@_content_option
@_config_option
@_docs_option
@_site_option("built")
@click.option(
    "--site-url",
    envvar="KB_SITE_URL",
    default=None,
    help="Public address of the site, for feeds and calendars.  [default: site_url of mkdocs.yml]",
)
@click.option(
    "--company",
    "scope_company",
    default=None,
    metavar="ID",
    help="Build a standalone site of this company's events only (into site-company-ID/).",
)
@click.option(
    "--topic",
    "scope_topic",
    default=None,
    metavar="ID",
    help="Build a standalone site of this topic's events only (into site-topic-ID/).",
)
@click.option(
    "--strict/--no-strict",
    default=True,
    show_default=True,
    help="Fail on any MkDocs warning, such as a broken link.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="MkDocs builds to run in parallel on a large site (one per shard of pages).",
)
@click.option(
    "--shard",
    "shard_text",
    default=None,
    metavar="I/N",
    help="Build only shard I of N (counted from 1) as a part for kb merge, into "
    "site-shard-I-of-N/ unless --site-dir is given.",
)
@click.option("--clean", is_flag=True, help="Rebuild every page, even if only a few changed.")
@click.option(
    "--timings",
    "timings_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write each stage's wall time and peak memory to this JSON file.",
)
@_cache_option
def build(
    content: Path | None,
    config_file: Path,
    docs_dir: Path | None,
    site_dir: Path | None,
    site_url: str | None,
    scope_company: str | None,
    scope_topic: str | None,
    strict: bool,
    jobs: int,
    shard_text: str | None,
    clean: bool,
    timings_file: Path | None,
    no_cache: bool,
) -> None:
    """Validate the records, generate the pages and build the site.

    The previous site stays in place until the new one is complete. When only
    pages changed since the last build, only they are rebuilt; the result is the
    same as a clean build (--clean forces one).

    With --shard I/N, only shard I of the pages is built, with a record of what it
    is: build every shard (on separate machines, say) and join them with kb merge.
    """
    from .parts import build_part
    from .site import SiteBuildError, SiteFolderError, build_site

    if scope_company and scope_topic:
        _fail("give --company or --topic, not both")
    shard = _parse_shard(shard_text) if shard_text is not None else None
    scope = (
        Scope("company", scope_company)
        if scope_company
        else Scope("topic", scope_topic)
        if scope_topic
        else None
    )
    settings = _settings(
        config_file,
        content=content,
        site_dir=site_dir,
        docs_dir=docs_dir,
        site_url=site_url,
        scope=scope,
    )
    if timings_file and not timings_file.parent.is_dir():  # told now, not after the build
        _fail(f"--timings {timings_file}: no such folder {timings_file.parent}")
    if shard and site_dir is None:
        part = f"{settings.site_dir.name}-shard-{shard.number}-of-{shard.count}"
        settings = dataclasses.replace(settings, site_dir=settings.site_dir.with_name(part))
    started = time.perf_counter()
    timings = Timings(on_start=_progress)
    try:
        result = pipeline.generate(settings, timings, cache=not no_cache)
    except (ScopeError, WriteError) as exc:
        _fail(str(exc))
    _print_problems(result.check.diagnostics)
    if result.kb is None:
        _fail("the site was not built; fix the errors above")
    try:
        with timings.stage("mkdocs build"):
            if shard:
                warnings = build_part(settings, shard, strict=strict)
            else:
                warnings = build_site(settings, strict=strict, jobs=jobs, incremental=not clean)
    except SiteBuildError as exc:
        _progress(None)
        for message in exc.messages:
            click.echo(message, err=True)
        _fail("MkDocs could not build the site; the previous site is unchanged")
    except SiteFolderError as exc:
        _fail(str(exc))
    _progress(None)
    if timings_file:
        try:
            timings_file.write_text(json.dumps(timings.as_dict(), indent=2) + "\n", "utf-8")
        except OSError as exc:
            _fail(f"--timings {timings_file}: cannot write it: {exc.strerror}; the site is built")
    for message in warnings:
        click.echo(message, err=True)
    kb = result.kb
    counts = ", ".join(
        _plural(len(items), noun)
        for items, noun in ((kb.events, "event"), (kb.companies, "company"))
    )
    built = f"shard {shard} of the site into {settings.site_dir}" if shard else settings.site_dir
    click.echo(
        f"Built {built} from {counts} and {_plural(len(kb.topics), 'topic')} "
        f"in {time.perf_counter() - started:.1f} s",
        err=True,
    )


def _parse_shard(text: str) -> Shard:
    from .parts import Shard

    try:
        return Shard.parse(text)
    except ValueError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


@main.command()
@click.argument("parts", nargs=-1, type=click.Path(path_type=Path), metavar="PART...")
@_config_option
@_site_option("merged")
def merge(parts: tuple[Path, ...], config_file: Path, site_dir: Path | None) -> None:
    """Merge the parts written by kb build --shard I/N into the complete site.

    Give every shard of one build, each once (kb merge site-shard-*). The site is
    the same, byte for byte, as one kb build; it replaces the previous site only
    once complete, and parts of different builds are refused with the site unchanged.
    """
    from .parts import PartError, merge_parts
    from .site import SiteFolderError

    if site_dir is None:
        site_dir = _settings(config_file).site_dir
    started = time.perf_counter()
    try:
        merge_parts(list(parts), site_dir)
    except PartError as exc:
        _fail(f"{exc}; {site_dir} is unchanged")
    except SiteFolderError as exc:
        _fail(str(exc))
    click.echo(
        f"Merged {_plural(len(parts), 'shard')} into {site_dir} "
        f"in {time.perf_counter() - started:.1f} s",
        err=True,
    )


@main.command()
@_content_option
@_config_option
@_docs_option
@click.option(
    "-a", "--dev-addr", default=None, help="IP:port to serve on.  [default: 127.0.0.1:8000]"
)
@click.option(
    "--poll",
    is_flag=True,
    help="Watch for changes by polling, where the file system sends no notifications "
    "(network and some container mounts).",
)
@_cache_option
def serve(
    content: Path | None,
    config_file: Path,
    docs_dir: Path | None,
    dev_addr: str | None,
    poll: bool,
    no_cache: bool,
) -> None:
    """Serve the site locally and rebuild it whenever a record changes."""
    from .commands.serve import ServeError, Server

    settings = _settings(config_file, content=content, docs_dir=docs_dir)
    try:
        server = Server(settings, dev_addr, poll=poll)
    except ServeError as exc:
        _fail(str(exc))

    # The caches stay in memory between rebuilds, and are saved when the server stops.
    # A rebuild's garbage is freed once the browsers have been told to reload.
    session = pipeline.Session(collect_later=True)

    def regenerate() -> WriteReport | None:
        try:
            result = pipeline.generate(settings, cache=not no_cache, session=session)
        except WriteError as exc:
            click.echo(f"error: {exc}", err=True)
        else:
            _print_problems(result.check.diagnostics)
            if result.written is not None:
                return result.written
        click.echo("Pages not updated; fix the errors above.", err=True)
        return None

    try:
        result = pipeline.generate(settings, cache=not no_cache, session=session)
    except WriteError as exc:
        _fail(str(exc))
    _print_problems(result.check.diagnostics)
    if result.kb is None:
        _fail("cannot serve; fix the errors above")
    try:
        server.run(regenerate, session.collect)
    except ServeError as exc:
        _fail(str(exc))
    finally:
        session.save()


@main.command()
@click.option(
    "--check",
    is_flag=True,
    help="Only report whether the files are up to date (exit 1 if not); write nothing.",
)
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="The repository holding schema/ and CONTRIBUTING.md.",
)
def schema(check: bool, root: Path) -> None:
    """Regenerate the JSON Schemas in schema/ and the field reference in CONTRIBUTING.md.

    Both come from the record schemas in the code, the one source of truth.
    """
    from .commands.schema import stale_files, write_files

    if check:
        stale = stale_files(root)
        for name in stale:
            click.echo(f"{name}: out of date; run kb schema", err=True)
        sys.exit(1 if stale else 0)
    for name in write_files(root):
        click.echo(f"Wrote {name}", err=True)


@main.command()
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "-n",
    "--events",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="How many events.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="The same seed always writes the same files.",
)
@click.option(
    "--companies",
    type=click.IntRange(min=2),
    default=None,
    help="How many companies.  [default: max(20, events / 40)]",
)
def synth(out: Path, events: int, seed: int, companies: int | None) -> None:
    """Write a synthetic knowledge base into OUT, a new or empty content folder.

    For benchmarks and tests, never for content/. It validates with no problem
    when today is 2026-06-30: set SOURCE_DATE_EPOCH=1782777600.
    """
    from .synth import SYNTH_EPOCH, write_synthetic

    started = time.perf_counter()
    try:
        counts = write_synthetic(out, events, seed, companies=companies)
    except FileExistsError as exc:
        _fail(str(exc))
    click.echo(
        f"Wrote {counts.events} events, {counts.companies} companies and {counts.topics} "
        f"topics to {out} in {time.perf_counter() - started:.1f} s; check them with "
        f"SOURCE_DATE_EPOCH={SYNTH_EPOCH} kb validate --content {out}",
        err=True,
    )


@main.group()
def new() -> None:
    """Create new records."""


@new.command("event")
@_content_option
@_config_option
@click.option("--company", prompt="Company id (the first, owning company)", help="Company id.")
@click.option("--date", prompt="Date (2026-03-19, 2026-03, 2026-Q1 or 2026)", help="Event date.")
@click.option("--title", prompt="Title (one line)", help="What happened.")
@click.option(
    "--type", "type_", type=click.Choice(EVENT_TYPES), prompt="Type", help="Kind of event."
)
@click.option(
    "--topic",
    "topics",
    multiple=True,
    help="Topic id; repeat for several.  [prompted when missing]",
)
@click.option(
    "--status",
    type=click.Choice(EVENT_STATUSES),
    default="occurred",
    show_default=True,
    help="Whether it took place.",
)
@click.option("--lang", default="en", show_default=True, help="Language of the text.")
@click.option("--source-title", prompt="Source title", help="Headline of the source.")
@click.option("--source-publisher", default=None, help="Who published the source.")
@click.option(
    "--source-published",
    prompt="Source publication date",
    default=lambda: new_cmd.today_iso(),
    help="When the source was published.",
)
@click.option("--source-lang", default="en", show_default=True, help="Language of the source.")
@click.option("--source-url", default=None, help="Address of the source, if it has one.")
@click.option("--slug", default=None, help="File name after the date.  [default: from the title]")
def new_event(
    content: Path | None,
    config_file: Path,
    company: str,
    date: str,
    title: str,
    type_: str,
    topics: tuple[str, ...],
    status: str,
    lang: str,
    source_title: str,
    source_publisher: str | None,
    source_published: str,
    source_lang: str,
    source_url: str | None,
    slug: str | None,
) -> None:
    """Write a new event record from options or prompts, ready to edit.

    Refuses unknown companies and topics (suggesting the nearest ids) and never
    overwrites an existing record.
    """
    settings = _settings(config_file, content=content)
    if not topics:
        answer = click.prompt("Topic ids (comma-separated)")
        topics = tuple(t.strip() for t in answer.split(",") if t.strip())
    answers = new_cmd.EventAnswers(
        company=company,
        date=date,
        title=title,
        type=type_,
        topics=topics,
        status=status,
        lang=lang,
        source_title=source_title,
        source_published=source_published,
        source_lang=source_lang,
        source_url=source_url,
        source_publisher=source_publisher,
        slug=slug,
    )
    try:
        path = new_cmd.create_event(settings.content, answers)
    except new_cmd.NewRecordError as exc:
        _fail(str(exc))
    click.echo(f"Wrote {path}; fill in the summary, then run kb validate.")


def run() -> None:
    """The ``kb`` command as installed: ``main``, then out without freeing the heap.

    A build leaves hundreds of megabytes of objects behind (the records, the model, the
    pages); freeing them one by one as the interpreter shuts down took 0.7 s of a 12 s
    build at 10,000 events, for memory the system takes back at once. Exit handlers
    still run and the output is flushed first. A command that leaves threads running
    (``kb serve`` stopping) exits the usual way, which waits for them.
    """
    try:
        main()
        status = 0
    except SystemExit as exc:
        status = _exit_status(exc.code)
    if threading.active_count() > 1:
        sys.exit(status)
    atexit._run_exitfuncs()  # what a normal exit runs first; only freeing is skipped
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone, a closed stream
            stream.flush()
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` ends a process with (a message is printed)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    run()
