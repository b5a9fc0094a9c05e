"""The render cache never serves a stale page or file.

For each kind of edit, the generated folder written with the cache (kept from the
build before the edit) is compared byte for byte with one written without it. Each
case also checks that the cache was used: most pages came from it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import MKDOCS_YML, snapshot, synthetic_content
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline
from generator.config import Settings, load_settings
from generator.render import LISTING_LIMIT
from generator.synth import SYNTH_EPOCH

DAY = 86400


def _first(folder: Path, pattern: str = "*.yaml") -> Path:
    return sorted(folder.rglob(pattern))[0]


def _replace_line(path: Path, key: str, value: str) -> None:
    text = path.read_text("utf-8")
    changed = re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", text, count=1)
    assert changed != text, f"{path} has no {key}"
    path.write_text(changed, "utf-8")


def _an_event_that_is_related(content: Path) -> Path:
    """An event file that another event names under ``related``."""
    for path in sorted((content / "events").rglob("*.yaml")):
        match = re.search(r"(?m)^related:\n  - (\S+)$", path.read_text("utf-8"))
        if match:
            return content / "events" / f"{match.group(1)}.yaml"
    raise AssertionError("no event names a related event")


def _move_to_another_day(content: Path) -> None:
    """Give an event no other event names another day of its month, and the file its name."""
    texts = {p: p.read_text("utf-8") for p in sorted((content / "events").rglob("*.yaml"))}
    for path in texts:
        match = re.fullmatch(r"(\d{4}-\d{2})-(\d{2})-(.+)", path.stem)
        event_id = f"{path.parent.name}/{path.stem}"
        if match and not any(event_id in other for other in texts.values()):
            day = "01" if match.group(2) != "01" else "02"
            _replace_line(path, "date", f"{match.group(1)}-{day}")
            path.rename(path.with_name(f"{match.group(1)}-{day}-{match.group(3)}.yaml"))
            return
    raise AssertionError("no event to move")


def _with_translation(content: Path) -> Path:
    for path in sorted((content / "events").rglob("*.yaml")):
        if "\ntranslations:\n" in path.read_text("utf-8"):
            return path
    raise AssertionError("no event has a translation")


def _delete_newest(content: Path) -> None:
    """Delete the newest event no other names: the feeds without events take their date
    from the newest event of all."""
    texts = {p: p.read_text("utf-8") for p in (content / "events").rglob("*.yaml")}
    for path in sorted(texts, key=lambda p: p.stem, reverse=True):
        event_id = f"{path.parent.name}/{path.stem}"
        if not any(event_id in text for other, text in texts.items() if other != path):
            path.unlink()
            return
    raise AssertionError("no event to delete")


def _add_event(content: Path) -> None:
    company, topic = _first(content / "companies").stem, _first(content / "topics").stem
    (content / "events" / company / "2012-05-06-an-added-event.yaml").write_text(
        f"""\
title: An added event
date: 2012-05-06
status: occurred
type: agreement
companies: [{company}]
topics: [{topic}]
lang: en
summary: Something new happened.
sources:
  - title: A report
    published: 2012-05-06
    lang: en
    url: https://news.example/added
""",
        "utf-8",
    )


EDITS: dict[str, Callable[[Path], None]] = {
    "company name": lambda c: _replace_line(_first(c / "companies"), "name", "Renamed Holdings"),
    "topic name": lambda c: _replace_line(_first(c / "topics"), "name", "Renamed topic"),
    "event title": lambda c: _replace_line(_first(c / "events"), "title", "A new title"),
    "event date": lambda c: _move_to_another_day(c),
    "event status": lambda c: _replace_line(_first(c / "events"), "status", "cancelled"),
    "related event retitled": lambda c: _replace_line(
        _an_event_that_is_related(c), "title", "A related event, retitled"
    ),
    "event added": lambda c: _add_event(c),
    "newest event deleted": lambda c: _delete_newest(c),
    "translation": lambda c: (p := _with_translation(c)).write_text(
        p.read_text("utf-8").replace("    title: ", "    title: Neu ", 1), "utf-8"
    ),
    "nothing": lambda c: None,
}


def _settings(tmp_path: Path, content: Path, docs: str) -> Settings:
    return load_settings(MKDOCS_YML, content=content, docs_dir=tmp_path / docs)


def _generate(settings: Settings, cache: bool) -> pipeline.GenerateResult:
    result = pipeline.generate(settings, cache=cache)
    assert result.kb is not None, result.check.diagnostics
    return result


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return synthetic_content(tmp_path, monkeypatch, 80, seed=5)


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_build_from_the_cache_equals_one_without_it(tmp_path, content, edit):
    cached = _settings(tmp_path, content, "cached")
    first = _generate(cached, cache=True)
    assert first.reused == 0
    EDITS[edit](content)
    again = _generate(cached, cache=True)
    fresh = _generate(_settings(tmp_path, content, "fresh"), cache=False)
    expected, actual = snapshot(tmp_path / "fresh"), snapshot(tmp_path / "cached")
    assert sorted(actual) == sorted(expected)
    assert [name for name in expected if expected[name] != actual[name]] == []
    pages = sum(1 for name in expected if name.endswith(".md"))
    assert again.reused > pages * 0.6  # most pages came from the cache
    assert fresh.reused == 0


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_session_build_equals_one_without_the_cache(tmp_path, content, edit, monkeypatch):
    """kb serve keeps in memory what its last build rendered, the search index too, which
    it patches after an edit rather than building it again: after each kind of edit its
    folder is the one a build without the cache writes."""
    from generator.outputs import search

    built: list[int] = []
    real = search._built
    monkeypatch.setattr(search, "_built", lambda indexed: built.append(1) or real(indexed))
    cached = _settings(tmp_path, content, "cached")
    session = pipeline.Session()
    assert pipeline.generate(cached, cache=True, session=session).kb is not None
    EDITS[edit](content)
    assert pipeline.generate(cached, cache=True, session=session).kb is not None
    # Documents are numbered in order: one that comes or goes renumbers those after it.
    assert len(built) == (2 if edit in ("event added", "newest event deleted") else 1)
    _generate(_settings(tmp_path, content, "fresh"), cache=False)
    expected, actual = snapshot(tmp_path / "fresh"), snapshot(tmp_path / "cached")
    assert sorted(actual) == sorted(expected)
    assert [name for name in expected if expected[name] != actual[name]] == []


def test_a_session_build_starts_from_what_the_last_one_made_of_untouched_files(tmp_path, content):
    """After an edit, kb serve's next build takes the checked record and the model entry of
    every untouched file as the last build made them, and the edited file's anew."""
    cached = _settings(tmp_path, content, "cached")
    session = pipeline.Session()
    before = pipeline.generate(cached, cache=True, session=session)
    edited = _first(content / "events")
    _replace_line(edited, "title", "A new title")
    after = pipeline.generate(cached, cache=True, session=session)
    assert before.kb is not None and after.kb is not None
    old, new = before.kb.events_by_id, after.kb.events_by_id
    edited_id = f"{edited.parent.name}/{edited.stem}"
    assert new[edited_id] is not old[edited_id]
    assert new[edited_id].record.title == "A new title"
    assert [event_id for event_id in new if new[event_id] is not old[event_id]] == [edited_id]
    checked_before, checked_after = before.check.checked["event"], after.check.checked["event"]
    assert [i for i in checked_after if checked_after[i] is not checked_before[i]] == [edited_id]
    # Edited again: the lists that show it are rendered again from the items the last
    # build kept, but for its own, and give what a clean build gives.
    _replace_line(edited, "title", "Another new title")
    assert pipeline.generate(cached, cache=True, session=session).kb is not None
    _generate(_settings(tmp_path, content, "fresh"), cache=False)
    expected, actual = snapshot(tmp_path / "fresh"), snapshot(tmp_path / "cached")
    assert [name for name in expected if expected[name] != actual.get(name)] == []


def test_a_session_dates_a_record_again_when_its_time_changes(tmp_path, content):
    """Outside git a record's dates are its file's time: a running process works out again
    the dates of the files whose time changed since its last build, and only those."""
    cached = _settings(tmp_path, content, "cached")
    session = pipeline.Session()
    assert pipeline.generate(cached, cache=True, session=session).kb is not None
    events = sorted((content / "events").rglob("*.yaml"))
    for days, path in enumerate(events[:3], start=10):  # days before the build's date
        when = int(SYNTH_EPOCH) - days * DAY
        os.utime(path, (when, when))
    result = pipeline.generate(cached, cache=True, session=session)
    assert result.kb is not None
    assert {e.id: e.added for e in result.kb.events if e.added != result.kb.today} == {
        f"{p.parent.name}/{p.stem}": result.kb.today - dt.timedelta(days=days)
        for days, p in enumerate(events[:3], start=10)
    }
    _generate(_settings(tmp_path, content, "fresh"), cache=False)
    expected, actual = snapshot(tmp_path / "fresh"), snapshot(tmp_path / "cached")
    assert [name for name in expected if expected[name] != actual.get(name)] == []


@pytest.mark.parametrize("in_session", [False, True], ids=["build", "session"])
def test_the_year_pages_of_a_long_listing_follow_an_edit(tmp_path, monkeypatch, in_session):
    """A company with more events than its page lists has a page per year, each keyed by
    the events of its year: retitling its oldest event, shown on a year page only,
    renders that page again, as a build without the cache writes it."""
    content = synthetic_content(tmp_path, monkeypatch, 300, seed=7)
    cached = _settings(tmp_path, content, "cached")
    session = pipeline.Session() if in_session else None
    kb = pipeline.generate(cached, cache=True, session=session).kb
    assert kb is not None
    company = max(kb.events_of_company, key=lambda c: len(kb.events_of_company[c]))
    events = kb.events_of_company[company]
    assert len(events) > LISTING_LIMIT
    oldest = events[-1]
    year_page = tmp_path / "cached" / "companies" / company / f"{oldest.record.date.start.year}.md"
    assert oldest.record.title in year_page.read_text("utf-8")
    _replace_line(content / "events" / f"{oldest.id}.yaml", "title", "A retitled old event")
    again = pipeline.generate(cached, cache=True, session=session)
    assert again.reused > 300
    assert "A retitled old event" in year_page.read_text("utf-8")
    _generate(_settings(tmp_path, content, "fresh"), cache=False)
    assert snapshot(tmp_path / "cached") == snapshot(tmp_path / "fresh")


def test_a_new_day_is_not_served_from_the_cache(tmp_path, content, monkeypatch):
    cached = _settings(tmp_path, content, "cached")
    _generate(cached, cache=True)
    later = str(int(SYNTH_EPOCH) + 200 * DAY)  # scheduled events have passed since
    monkeypatch.setenv("SOURCE_DATE_EPOCH", later)
    _generate(_settings(tmp_path, content, "cached"), cache=True)
    _generate(_settings(tmp_path, content, "fresh"), cache=False)
    assert snapshot(tmp_path / "cached") == snapshot(tmp_path / "fresh")


def test_other_settings_are_not_served_from_the_cache(tmp_path, content):
    cached = _settings(tmp_path, content, "cached")
    _generate(cached, cache=True)
    other = dataclasses.replace(cached, site_url="https://other.example/kb/", edit_base=None)
    again = _generate(other, cache=True)
    assert again.reused == 0
    _generate(dataclasses.replace(other, docs_dir=tmp_path / "fresh"), cache=False)
    assert snapshot(tmp_path / "cached") == snapshot(tmp_path / "fresh")


def test_a_generated_file_changed_by_hand_is_rendered_again(tmp_path, content):
    cached = _settings(tmp_path, content, "cached")
    _generate(cached, cache=True)
    page = _first(tmp_path / "cached" / "events", "*.md")
    feed = tmp_path / "cached" / "feeds" / "all.atom.xml"
    expected = {path: path.read_bytes() for path in (page, feed)}
    page.write_text("# Changed by hand\n", "utf-8")
    feed.unlink()
    again = _generate(cached, cache=True)
    assert again.reused > 0
    assert {path: path.read_bytes() for path in (page, feed)} == expected


def test_a_session_renders_again_a_file_changed_by_hand_in_size_and_time_kept(tmp_path, content):
    """kb serve's caches, held in memory, skip digesting files they checked before only
    while the file is untouched: a hand edit of the same size, its modification time set
    back, is still seen (by its inode change time) and rendered again."""
    cached = _settings(tmp_path, content, "cached")
    session = pipeline.Session()
    for _ in range(2):  # the second build checks every file and remembers them as checked
        assert pipeline.generate(cached, cache=True, session=session).kb is not None
    page = _first(tmp_path / "cached" / "events", "*.md")
    expected = page.read_bytes()
    status = page.stat()
    forged = expected.replace(b"<h1>", b"<h2>", 1)
    assert len(forged) == len(expected) and forged != expected
    with open(page, "r+b") as handle:  # the same inode, as an editor writing in place
        handle.write(forged)
    os.utime(page, ns=(status.st_atime_ns, status.st_mtime_ns))
    again = pipeline.generate(cached, cache=True, session=session)
    assert again.reused > 0
    assert page.read_bytes() == expected


def test_a_session_saves_what_its_last_build_used(tmp_path, content):
    """kb serve saves its caches when it stops: the next command starts warm from them,
    with every record known and every page taken from the render cache."""
    from generator.cache import RecordCache

    cached = _settings(tmp_path, content, "cached")
    session = pipeline.Session()
    for _ in range(2):
        assert pipeline.generate(cached, cache=True, session=session).kb is not None
    session.save()
    records = RecordCache.for_content(content)
    files = sorted(content.rglob("*.yaml"))
    assert all(records.known(p.relative_to(content).as_posix(), p.read_bytes()) for p in files)
    again = _generate(cached, cache=True)
    assert again.written is not None and again.written.written == 0
    assert again.reused == len(list((tmp_path / "cached").rglob("*.md")))


def test_a_session_trusts_the_files_it_wrote(tmp_path, content, monkeypatch):
    """The files a session's build wrote are not digested when the next build reads them
    back: it knows what it wrote, and that nothing touched them since."""
    from generator import render_cache

    digested: list[int] = []
    real = render_cache._digest
    monkeypatch.setattr(render_cache, "_digest", lambda data: digested.append(1) or real(data))
    cached = _settings(tmp_path, content, "fresh")
    session = pipeline.Session()
    first = pipeline.generate(cached, cache=True, session=session)
    assert first.written is not None and first.written.written > 100  # every file written
    digested.clear()
    again = pipeline.generate(cached, cache=True, session=session)
    assert again.reused > 100
    assert digested == []


def test_a_session_reads_back_no_page_unchanged_since_its_last_build(
    tmp_path, content, monkeypatch
):
    """After its first build, a session's builds read back no page or file they rendered
    before: a stat says each is in place. That holds too when the first build rendered every
    page afresh and found it on disk already (a build without the cache wrote them)."""
    from generator import render_cache

    read_back: list[str] = []
    real = render_cache.RenderCache._read_back

    def counting(self, path, digest):
        read_back.append(path)
        return real(self, path, digest)

    monkeypatch.setattr(render_cache.RenderCache, "_read_back", counting)
    cached = _settings(tmp_path, content, "cached")
    _generate(cached, cache=False)  # the pages are there, the render cache knows none
    session = pipeline.Session()
    first = pipeline.generate(cached, cache=True, session=session)
    assert first.written is not None and first.written.written == 0
    assert read_back == []
    event = _first(content / "events")
    _replace_line(event, "status", "cancelled")
    again = pipeline.generate(cached, cache=True, session=session)
    assert again.reused > 100
    assert read_back == []
    expected = _settings(tmp_path, content, "clean")
    _generate(expected, cache=False)
    assert snapshot(tmp_path / "cached") == snapshot(tmp_path / "clean")


def test_the_write_stage_refuses_a_page_said_in_place_but_never_checked(tmp_path):
    from generator.write import IN_PLACE, sync_folder

    with pytest.raises(RuntimeError, match=r"^a\.md is said to be in place, but was not checked$"):
        sync_folder(tmp_path / "docs", {"a.md": IN_PLACE})
    assert sync_folder(tmp_path / "docs", {"a.md": IN_PLACE}, known={"a.md"}).unchanged == 1


# Run in a fresh interpreter: a test process may hold other threads (a served site), and
# then no work is ever forked. Builds the generated folder three ways: the outputs
# rendered here alone, shared with a forked second process, and with a second process
# that fails (its share is then rendered here); each twice, the second time from the cache.
_SHARED_WORK = """
import os, sys
from pathlib import Path
from generator import forked, pipeline
from generator.config import load_settings

mkdocs_yml, content, out = map(Path, sys.argv[1:4])
assert forked.available(), "no second CPU to fork to"
real_start = forked.start
for way in ("alone", "shared", "failed"):
    forked.available = (lambda: False) if way == "alone" else (lambda: True)
    forked.start = (lambda work: real_start(lambda: os._exit(3))) if way == "failed" else real_start
    settings = load_settings(mkdocs_yml, content=content, docs_dir=out / way)
    for _ in range(2):
        assert pipeline.generate(settings, cache=True).kb is not None
"""


def _in_fresh_interpreter(script: str, content: Path, out: Path) -> None:
    """``script`` run with (mkdocs.yml, content, out) in a fresh interpreter: a test process
    may hold other threads (a served site's), and a process with threads never forks."""
    import subprocess
    import sys

    from helpers import PROJECT_ROOT, kb_env

    subprocess.run(
        [sys.executable, "-c", script, str(MKDOCS_YML), str(content), str(out)],
        cwd=PROJECT_ROOT,
        env=kb_env(SOURCE_DATE_EPOCH=os.environ["SOURCE_DATE_EPOCH"]),
        check=True,
    )


def test_the_outputs_are_the_same_however_the_work_is_shared(tmp_path, content):
    out = tmp_path / "out"
    _in_fresh_interpreter(_SHARED_WORK, content, out)
    alone = snapshot(out / "alone")
    assert any(name.startswith("search/") for name in alone)
    assert any(name.startswith("calendars/") for name in alone)
    assert snapshot(out / "shared") == alone
    assert snapshot(out / "failed") == alone


_SESSION_WORK = """
import shutil, sys
from pathlib import Path
from generator import forked, pipeline
from generator.config import load_settings

mkdocs_yml, content, out = map(Path, sys.argv[1:4])
assert forked.available(), "no second CPU to fork to"
started = []
real_start = forked.start
forked.start = lambda work: started.append(work) or real_start(work)
edited = out / "content"
shutil.copytree(content, edited)
settings = load_settings(mkdocs_yml, content=edited, docs_dir=out / "session")
session = pipeline.Session()
assert pipeline.generate(settings, cache=True, session=session).kb is not None
outputs_there = [work for work in started if work.__name__ == "outputs_there"]
assert outputs_there, "the session's first build rendered every output itself"
forks = len(started)
record = sorted((edited / "events").rglob("*.yaml"))[0]
text = record.read_text(encoding="utf-8")
record.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")
assert pipeline.generate(settings, cache=True, session=session).kb is not None
assert len(started) == forks, "a later build of the session forked"
clean = load_settings(mkdocs_yml, content=edited, docs_dir=out / "clean")
assert pipeline.generate(clean, cache=False).kb is not None
"""


def test_a_session_shares_its_first_build_with_a_second_process_and_no_later_one(tmp_path, content):
    """kb serve's first build renders feeds, calendars and data in a second process, as
    kb build does; the builds after it take them from memory. After an edit the folder is
    the one a clean build makes."""
    out = tmp_path / "out"
    _in_fresh_interpreter(_SESSION_WORK, content, out)
    clean = snapshot(out / "clean")
    assert any(name.startswith("calendars/") for name in clean)
    assert snapshot(out / "session") == clean


def test_a_session_build_leaves_no_garbage_holding_its_model(tmp_path, content):
    """kb serve builds again and again in one process: what a build leaves in reference
    cycles (the templates' contexts hold the whole model) is freed with the build, not
    piled up for a full collection that a long-running process seldom makes. The process
    keeps the last model only, for the next build to start from."""
    import gc
    import weakref

    cached = _settings(tmp_path, content, "cached")
    session = pipeline.Session()
    thresholds = gc.get_threshold()
    gc.set_threshold(1_000_000_000)  # no collection but those the build itself makes
    models = []
    try:
        for _ in range(3):
            result = pipeline.generate(cached, cache=True, session=session)
            assert result.kb is not None
            models.append(weakref.ref(result.kb))
            del result
            assert [model() is None for model in models[:-1]] == [True] * (len(models) - 1)
            assert models[-1]() is session.model
    finally:
        gc.set_threshold(*thresholds)


def test_a_session_that_collects_later_frees_a_build_s_garbage_when_asked(tmp_path, content):
    """kb serve frees what a build leaves once the browsers have been told to reload:
    the build returns with the collector paused, and ``collect`` frees the garbage and
    lets the collector run again, unless a build is running."""
    import gc

    cached = _settings(tmp_path, content, "cached")
    session = pipeline.Session(collect_later=True)
    try:
        assert pipeline.generate(cached, cache=True, session=session).kb is not None
        assert not gc.isenabled()
        session.collect()
        assert gc.isenabled()
        _replace_line(_first(content / "events"), "title", "A new title")
        assert pipeline.generate(cached, cache=True, session=session).kb is not None
        assert not gc.isenabled()
        with session.building:  # a build running: nothing is collected under it
            session.collect()
            assert not gc.isenabled()
        young = gc.get_count()[0]
        session.collect()
        assert gc.isenabled()
        assert gc.get_count()[0] < young  # the young generation was collected
    finally:
        gc.enable()


def test_templates_compiled_by_one_build_serve_the_next_until_their_source_changes():
    """Each build makes its environments afresh; the templates compiled by the last build
    of the process are used again, unless their source changed since."""
    import jinja2

    from generator.render import _Compiled

    sources = {"page.j2": "Hello {{ name }}"}
    compiled = _Compiled()

    def build() -> tuple[str, int]:
        env = jinja2.Environment(loader=jinja2.DictLoader(sources), bytecode_cache=compiled)
        compiles = 0
        real = env.compile

        def counting(*args, **kwargs):
            nonlocal compiles
            compiles += 1
            return real(*args, **kwargs)

        env.compile = counting  # type: ignore[method-assign]
        return env.get_template("page.j2").render(name="you"), compiles

    assert build() == ("Hello you", 1)
    assert build() == ("Hello you", 0)
    sources["page.j2"] = "Goodbye {{ name }}"
    assert build() == ("Goodbye you", 1)
    assert build() == ("Goodbye you", 0)


# --- any sequence of edits in one running process -------------------------------------------


def _events(content: Path) -> list[Path]:
    return sorted((content / "events").rglob("*.yaml"))


def _event_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _set_list(path: Path, key: str, items: list[str]) -> None:
    """Give a record's block list ``key`` these items (none: the field goes)."""
    text = re.sub(rf"(?m)^{key}:\n(?:  - .*\n?)+", "", path.read_text("utf-8"))
    if items:
        text = text.rstrip("\n") + f"\n{key}:\n" + "".join(f"  - {i}\n" for i in items)
    path.write_text(text, "utf-8")


def _named_by_another(content: Path, path: Path) -> bool:
    event_id = _event_id(path)
    return any(event_id in other.read_text("utf-8") for other in _events(content) if other != path)


def _set_line(path: Path, key: str, value: str) -> None:
    """Give ``key`` this value, whatever it had (the same, perhaps: then nothing changes)."""
    text = path.read_text("utf-8")
    path.write_text(re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", text, count=1), "utf-8")


def _retitle(content: Path, number: int) -> None:
    path = _events(content)[number % len(_events(content))]
    _set_line(path, "title", f"Retitled event number {number}")


def _cancel(content: Path, number: int) -> None:
    _set_line(_events(content)[number % len(_events(content))], "status", "cancelled")


def _retopic(content: Path, number: int) -> None:
    topics = sorted(p.stem for p in (content / "topics").glob("*.yaml"))
    _set_list(_events(content)[number % len(_events(content))], "topics", [topics[number % 3]])


def _second_company(content: Path, number: int) -> None:
    path = _events(content)[number % len(_events(content))]
    others = sorted(
        p.stem for p in (content / "companies").glob("*.yaml") if p.stem != path.parent.name
    )
    _set_list(path, "companies", [path.parent.name, others[number % len(others)]])


def _relate(content: Path, number: int) -> None:
    events = _events(content)
    path, other = events[number % len(events)], events[(number // 7 + 1) % len(events)]
    _set_list(path, "related", [] if path == other else [_event_id(other)])


def _add(content: Path, number: int) -> None:
    company = sorted(p.stem for p in (content / "companies").glob("*.yaml"))[number % 5]
    day = f"20{10 + number % 12}-0{1 + number % 9}-1{number % 10}"
    (content / "events" / company).mkdir(exist_ok=True)
    (content / "events" / company / f"{day}-added-{number}.yaml").write_text(
        f"title: Added event {number}\ndate: {day}\nstatus: occurred\ntype: agreement\n"
        f"companies: [{company}]\ntopics: [{_first(content / 'topics').stem}]\nlang: en\n"
        f"summary: Something new happened.\nsources:\n  - title: A report\n"
        f"    published: {day}\n    lang: en\n    url: https://news.example/added/{number}\n",
        "utf-8",
    )


def _delete(content: Path, number: int) -> None:
    events = [p for p in _events(content) if not _named_by_another(content, p)]
    events[number % len(events)].unlink()


def _rename_company(content: Path, number: int) -> None:
    companies = sorted((content / "companies").glob("*.yaml"))
    path = companies[number % len(companies)]
    name = re.search(r"(?m)^name: (.*)$", path.read_text("utf-8")).group(1)  # type: ignore[union-attr]
    _set_line(path, "name", f"{name} renamed")


def _touch(content: Path, number: int) -> None:
    path = _events(content)[number % len(_events(content))]
    path.write_bytes(path.read_bytes())


def _shape_of(kb) -> dict[str, object]:
    """Every list and index of a model, by ids, in order."""

    def ids(entries):
        return [entry.id for entry in entries]

    return {
        "events": ids(kb.events),
        "by id": sorted((key, entry.id) for key, entry in kb.events_by_id.items()),
        "of company": {key: ids(found) for key, found in sorted(kb.events_of_company.items())},
        "of topic": {key: ids(found) for key, found in sorted(kb.events_of_topic.items())},
        "subsidiaries": {key: ids(found) for key, found in sorted(kb.subsidiaries.items())},
        "subtopics": {key: ids(found) for key, found in sorted(kb.subtopics.items())},
        "relating": sorted(ids(kb.relating)),
        "upcoming": ids(kb.upcoming()),
        "entries": [(e.id, e.digest, e.added, e.changed) for e in kb.events],
    }


#: edits that keep the records valid, and whether only events change
SEQUENCE_EDITS: dict[str, tuple[Callable[[Path, int], None], bool]] = {
    "retitle": (_retitle, True),
    "cancel": (_cancel, True),
    "retopic": (_retopic, True),
    "second company": (_second_company, True),
    "relate": (_relate, True),
    "add": (_add, True),
    "delete": (_delete, True),
    "touch": (_touch, True),
    "rename company": (_rename_company, False),
}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(SEQUENCE_EDITS)), st.integers(0, 10_000)),
        min_size=1,
        max_size=3,
    )
)
def test_any_sequence_of_edits_in_one_process_gives_what_a_clean_build_gives(
    tmp_path_factory, steps
):
    """kb serve takes what its last build made of what no change reaches (the pages of
    companies, topics, years and events, their feeds, calendars and data). After every
    edit of a sequence, its folder is the one a build without any cache writes; and an
    edit of events alone is told apart, so that it does take that way."""
    from generator import model

    root = tmp_path_factory.mktemp("sequence")
    with pytest.MonkeyPatch.context() as monkeypatch:
        content = synthetic_content(root, monkeypatch, 40, seed=11)
        told: list[model.Changes | None] = []
        real = model.changes_since
        monkeypatch.setattr(model, "changes_since", lambda *a: told.append(real(*a)) or told[-1])
        session = pipeline.Session()
        cached = _settings(root, content, "cached")
        assert pipeline.generate(cached, cache=True, session=session).kb is not None
        for number, (edit, seed) in enumerate(steps):
            change, events_only = SEQUENCE_EDITS[edit]
            change(content, seed)
            result = pipeline.generate(cached, cache=True, session=session)
            assert result.kb is not None, (edit, result.check.diagnostics)
            assert (told[-1] is not None) == events_only, edit
            fresh = _settings(root, content, f"fresh-{number}")
            clean = pipeline.generate(fresh, cache=False).kb
            assert clean is not None
            assert _shape_of(result.kb) == _shape_of(clean), edit  # patched or made anew
            expected, actual = snapshot(root / f"fresh-{number}"), snapshot(root / "cached")
            assert sorted(actual) == sorted(expected), edit
            assert [name for name in expected if expected[name] != actual[name]] == [], edit


def test_only_a_running_process_keeps_what_renderers_keep_for_its_next_build(tmp_path, content):
    """What a renderer keeps in memory (the search index, the pages of each company, ...)
    serves only the next build of the same process: a build of its own keeps none of it,
    and a running process's first build does."""
    from generator.render_cache import RenderCache

    alone = RenderCache()
    alone.keep("state", 1)
    assert alone.carried().kept("state") is None
    session = pipeline.Session()
    first = session.render_cache(_settings(tmp_path, content, "cached"))
    first.keep("state", 1)
    assert first.carried().kept("state") == 1
