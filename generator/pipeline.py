"""The stages in order: load → validate → model → render → write. The CLI calls these."""

from __future__ import annotations

import datetime as dt
import gc
import pickle
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import forked
from .cache import RecordCache
from .config import Settings
from .diagnostics import Diagnostic, has_errors
from .history import FileDates, dated_files, git_dates, git_head, modified_times
from .loader import load
from .scope import restrict
from .timings import Timings
from .validate import Checked, validate
from .write import Scan, WriteReport, sync_folder

if TYPE_CHECKING:
    from .model import KnowledgeBase
    from .render_cache import RenderCache


@dataclass(frozen=True)
class CheckResult:
    checked: dict[str, dict[str, Checked]]
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


@dataclass(frozen=True)
class GenerateResult:
    check: CheckResult
    kb: KnowledgeBase | None
    written: WriteReport | None
    #: pages taken from the render cache rather than rendered
    reused: int = 0


class Session:
    """What a running command (``kb serve``) keeps from one build to the next: the record
    and render caches, read from the cache folder once, then held in memory, and
    written back to it only by ``save``; and the last build's model, files' dates and
    scan of the generated folder. The next build starts from what they ``carried``,
    and does again only what changed since."""

    def __init__(self, collect_later: bool = False) -> None:
        #: whether a build leaves the garbage it made, with the collector paused, for
        #: ``collect`` to free once the new pages are served (``kb serve``)
        self.collect_later = collect_later
        #: held while a build runs: ``collect`` waits for no build
        self.building = threading.Lock()
        self.records: RecordCache | None = None
        self.pages: RenderCache | None = None
        #: the model of the last build that wrote the pages (``build_model``'s ``previous``),
        #: and the settings it was built with
        self.model: KnowledgeBase | None = None
        self.settings: Settings | None = None
        #: the generated folder as the last write found it (``write.Scan``)
        self.scan = Scan()
        #: the files' dates of the last build, with git's log and the times they follow from
        #: (``file_dates``)
        self.dates: tuple[object, dict[str, float], dict[str, FileDates]] | None = None

    def record_cache(self, content: Path) -> RecordCache:
        """The record cache for the next build: the last one's, carried over."""
        if self.records is None:
            first = RecordCache.for_content(content)
            first.keeps_files = True
            return first
        return self.records.carried()

    def render_cache(self, settings: Settings) -> RenderCache:
        """The render cache for the next build: the last one's, carried over."""
        from .render_cache import RenderCache

        if self.pages is None:
            first = RenderCache.for_settings(settings)
            first.keeps_state = True
            return first
        return self.pages.carried()

    def collect(self) -> None:
        """Free the garbage the last builds left (``collect_later``) and let the collector
        run again; nothing while a build runs, which leaves its own."""
        if not self.building.acquire(blocking=False):
            return
        try:
            if not gc.isenabled():
                gc.collect(0)
                gc.enable()
        finally:
            self.building.release()

    def save(self) -> None:
        for cache in (self.records, self.pages):
            if cache is not None:
                cache.save()


def check(
    content: Path,
    today: dt.date,
    timings: Timings | None = None,
    cache: bool = False,
    session: Session | None = None,
) -> CheckResult:
    """Load and validate every record; nothing is written but, with ``cache``, the
    record cache in the user's cache folder (see ``cache.py``)."""
    timings = timings or Timings()
    with collector_paused():
        with timings.stage("load"):
            records = None
            if cache:
                records = (
                    session.record_cache(content) if session else RecordCache.for_content(content)
                )
            files, problems = load(content, records)
        with timings.stage("validate"):
            checked, rule_problems = validate(files, today, records)
    if session is not None and records is not None:
        session.records = records
    elif records:
        with timings.stage("save cache"):
            records.save()
    return CheckResult(checked, sorted(problems + rule_problems))


def file_dates(
    content: Path,
    cached: RenderCache | None,
    modified: Iterable[tuple[str, float]] | None = None,
    session: Session | None = None,
) -> dict[str, FileDates]:
    """``history.file_history``, with git's log of the content folder kept in the render
    cache under the commit checked out: reading the log grows with the number of
    commits, and what it says changes only with the commit. ``modified``: the files'
    modification times as the loader saw them, rather than from another walk. A
    ``session`` keeps the dates, and works out again only those of files whose time
    changed since its last build, while the same files are there and the log is the
    same."""
    head = git_head(content) if cached is not None else None
    if cached is None or head is None:
        committed = git_dates(content)
    else:
        committed = cached.value("git log", head.encode(), lambda: git_dates(content))
    if modified is None:
        return dated_files(content.name, modified_times(content), committed)
    times = dict(modified)
    last = session.dates if session is not None else None
    if last is not None and last[0] is committed and last[1].keys() == times.keys():
        dates = dict(last[2])
        before = last[1]
        changed = [(path, when) for path, when in times.items() if before[path] != when]
        dates.update(dated_files(content.name, changed, committed))
    else:
        dates = dated_files(content.name, times.items(), committed)
    if session is not None:
        session.dates = (committed, times, dates)
    return dates


def _outputs_here(cached: RenderCache | None) -> tuple[str, ...]:
    """The kinds of output rendered by this process while a second one renders the rest.

    The two sides then take about as long: at 10,000 events, the pages (3.2 s) and the
    data files (0.5 s) here, the search index (1.2 s), feeds (1.1 s) and calendars
    (1.7 s) there. A running process renders the search index here all the same, since
    it keeps the index for its next build (render_cache.py).
    """
    return ("search",) if cached is not None and cached.keeps_state else ("api",)


@contextmanager
def collector_paused(running: bool = False, later: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while records are read and checked, and
    while pages are made from them.

    Reading and rendering create millions of objects that nearly all stay alive. The
    collector would walk the growing heap again and again (half of the time spent
    loading 10,000 events; a fifth of rendering their pages), and in ``kb serve`` the
    whole site MkDocs keeps too, all for nothing. At the end, a command that stops soon
    after moves them straight into the oldest generation (frozen and at once unfrozen),
    which is collected as before, only rarely. A ``running`` process (``kb serve``)
    instead collects the young generation once, which holds only what this build made:
    the garbage it leaves (the templates' contexts, which hold the whole model) is freed
    at each build rather than piling up in the oldest generation. Or ``later``: the
    collector stays paused, for the process to collect when it has time
    (``Session.collect``).
    """
    if not gc.isenabled():  # paused already, by an enclosing stage or by the caller
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if running and not later:
            gc.collect(0)
        elif not running:
            gc.freeze()
            gc.unfreeze()
        if not later:
            gc.enable()


def generate(
    settings: Settings,
    timings: Timings | None = None,
    cache: bool = False,
    session: Session | None = None,
) -> GenerateResult:
    """Validate, then write the Markdown pages; with any error, write nothing at all.
    With a ``session``, the caches are kept in it for the next build, not saved."""
    if session is None:
        with collector_paused():
            return _generate(settings, timings or Timings(), cache, session)
    with session.building, collector_paused(running=True, later=session.collect_later):
        return _generate(settings, timings or Timings(), cache, session)


def _generate(
    settings: Settings, timings: Timings, cache: bool, session: Session | None
) -> GenerateResult:
    # Imported here: kb validate never needs them, and they take a while to import.
    from .model import build_model, changes_since
    from .outputs import KINDS, render_outputs
    from .render import render_pages
    from .render_cache import NO_MEMO, Keys, KeysCarried, Memo, RenderCache

    result = check(settings.content, settings.today, timings, cache, session)
    if not result.ok:
        return GenerateResult(result, None, None)
    # With the cache, pages and outputs that show nothing changed since the last build
    # are taken from it rather than rendered again (render_cache.py).
    cached = None
    if cache:
        cached = session.render_cache(settings) if session else RenderCache.for_settings(settings)
    with timings.stage("model"):
        checked = restrict(result.checked, settings.scope) if settings.scope else result.checked
        modified = [
            (found.source.relative, found.source.modified)
            for records in result.checked.values()
            for found in records.values()
        ]
        dates = file_dates(settings.content, cached, modified, session)
        kb = build_model(checked, settings.today, dates, session.model if session else None)
    memo = NO_MEMO
    changes = None
    if cached is not None:
        if session is not None and session.settings == settings:
            # What the last build made of what did not change is still in place.
            changes = changes_since(session.model, kb)
        kept = cached.kept("keys")
        keys = Keys(kb, kept if isinstance(kept, KeysCarried) else None)
        cached.keep("keys", keys.carried)
        memo = Memo(cached, keys, changes)

    # Outputs are rendered by a second process when one can run (forked.py) while this
    # one renders the pages, then what is left of them here; the "render outputs" stage
    # is that and the wait.
    here = _outputs_here(cached)
    there = tuple(kind for kind in KINDS if kind not in here)

    def outputs_there() -> bytes:
        files = render_outputs(kb, settings.site_url, settings.site_name, memo, there)
        return pickle.dumps((files, cached.taken() if cached is not None else b""))

    # Not in a session after its first build: there the outputs are nearly all kept in
    # memory already, and sending them back from a second process would cost more than
    # rendering them here.
    first = session is None or session.pages is None
    helper = forked.start(outputs_there) if first and forked.available() else None
    with timings.stage("render pages"):
        files: dict[str, str | bytes] = dict(render_pages(kb, settings, memo))
    with timings.stage("render outputs"):
        if helper is None:
            outputs = render_outputs(kb, settings.site_url, settings.site_name, memo)
        else:
            outputs = render_outputs(kb, settings.site_url, settings.site_name, memo, here)
            sent = helper.result()
            if sent is not None:
                rendered, taken = pickle.loads(sent)
                del sent
                if cached is not None:
                    cached.absorb(taken)
            else:  # the second process failed: its share is rendered here
                rendered = render_outputs(kb, settings.site_url, settings.site_name, memo, there)
            outputs = dict(sorted({**outputs, **rendered}.items()))
    clash = files.keys() & outputs.keys()
    if clash:  # a bug, not bad content: page and output paths are fixed by the code
        raise RuntimeError(f"pages and outputs claim the same paths: {sorted(clash)}")
    files.update(outputs)
    with timings.stage("write"):
        verified = cached.verified if cached else frozenset()
        report = sync_folder(settings.docs_dir, files, verified, session.scan if session else None)
        if session is not None and cached is not None:
            # Every file but those already verified now holds what this build rendered,
            # whether written or found equal: the next build need not read them back.
            cached.in_folder(name for name in files if name not in cached.verified)
            session.pages, session.model, session.settings = cached, kb, settings
        elif cached is not None:
            cached.save()
    return GenerateResult(result, kb, report, cached.pages_reused if cached is not None else 0)
