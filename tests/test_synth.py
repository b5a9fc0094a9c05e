"""The synthetic knowledge base: deterministic, realistic in shape, and clean for kb validate."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from helpers import MKDOCS_YML, PROJECT_ROOT, kb_build, run_kb, snapshot

from generator import pipeline
from generator.config import today
from generator.dates import Precision, slug_fits_date
from generator.markup import check_summary
from generator.schema import EVENT_STATUSES, EVENT_TYPES
from generator.synth import (
    FIRST_DAY,
    LAST_DAY,
    SYNTH_EPOCH,
    SYNTH_TODAY,
    TOPICS,
    SynthCounts,
    count,
    synthesize,
    write_synthetic,
)


def _kinds(files: dict[str, str]) -> Counter[str]:
    return Counter(path.split("/", 1)[0] for path in files)


@pytest.fixture(scope="module")
def kb500(tmp_path_factory: pytest.TempPathFactory) -> pipeline.CheckResult:
    """500 synthetic events on disk, loaded and validated once for the shape tests."""
    content = tmp_path_factory.mktemp("synth500") / "content"
    write_synthetic(content, 500, seed=500)
    return pipeline.check(content, SYNTH_TODAY)


# --- the reference date ------------------------------------------------------------------------


def test_synth_epoch_is_synth_today_at_midnight_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    assert dt.datetime.fromtimestamp(int(SYNTH_EPOCH), dt.UTC) == dt.datetime(
        SYNTH_TODAY.year, SYNTH_TODAY.month, SYNTH_TODAY.day, tzinfo=dt.UTC
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SYNTH_EPOCH)
    assert today() == SYNTH_TODAY
    assert FIRST_DAY < SYNTH_TODAY < LAST_DAY


# --- determinism -------------------------------------------------------------------------------


def test_same_arguments_give_identical_texts() -> None:
    assert synthesize(400, seed=7) == synthesize(400, seed=7)
    assert synthesize(0, seed=7) == synthesize(0, seed=7)


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    first = write_synthetic(tmp_path / "a", 200, seed=3)
    second = write_synthetic(tmp_path / "b", 200, seed=3)
    assert first == second
    files_a, files_b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert files_a == files_b
    # What is written is exactly what synthesize returns, in UTF-8 with \n line ends.
    assert files_a == {p: t.encode("utf-8") for p, t in synthesize(200, seed=3).items()}


def _digest(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode("utf-8")).hexdigest()


def test_same_texts_in_other_processes_whatever_the_hash_seed() -> None:
    """No set or dict order leaks in: string hashing differs between these processes."""
    code = (
        "import hashlib, json; from generator.synth import synthesize; "
        "print(hashlib.sha256(json.dumps(synthesize(500, 8), sort_keys=True)"
        ".encode('utf-8')).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout.strip()
        for hash_seed in ("1", "2", "3")
    }
    assert digests == {_digest(synthesize(500, 8))}


def test_different_seeds_give_different_knowledge_bases() -> None:
    one, two = synthesize(400, seed=1), synthesize(400, seed=2)
    assert one != two
    events_one = {p for p in one if p.startswith("events/")}
    events_two = {p for p in two if p.startswith("events/")}
    assert len(events_one & events_two) < 0.05 * len(events_one)


def test_the_global_random_state_is_neither_used_nor_changed() -> None:
    random.seed(1)
    state = random.getstate()
    first = synthesize(150, seed=9)
    assert random.getstate() == state
    random.seed(2)
    assert synthesize(150, seed=9) == first


# --- counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("events", [0, 1, 50, 799, 800, 4_000])
def test_counts(events: int) -> None:
    files = synthesize(events, seed=events)
    expected = SynthCounts(max(20, events // 40), len(TOPICS), events)
    assert count(files) == expected
    assert _kinds(files) == {"companies": expected.companies, "topics": len(TOPICS)} | (
        {"events": events} if events else {}
    )
    assert expected.files == len(files)
    assert 35 <= len(TOPICS) <= 50


def test_company_count_can_be_chosen() -> None:
    files = synthesize(300, seed=1, companies=5)
    assert count(files) == SynthCounts(5, len(TOPICS), 300)


def test_write_synthetic_returns_the_counts_and_writes_every_file(tmp_path: Path) -> None:
    counts = write_synthetic(tmp_path / "content", 120, seed=4)
    assert counts == SynthCounts(20, len(TOPICS), 120)
    written = snapshot(tmp_path / "content")
    assert len(written) == counts.files
    assert sum(p.startswith("events/") for p in written) == 120


def test_write_synthetic_refuses_a_folder_with_files(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "companies").mkdir(parents=True)
    (content / "companies" / "acme.yaml").write_text("name: Acme\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_synthetic(content, 10, seed=1)
    assert snapshot(content) == {"companies/acme.yaml": b"name: Acme\n"}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert write_synthetic(empty, 10, seed=1).events == 10


# --- valid, with no warnings -------------------------------------------------------------------


@pytest.mark.parametrize(("events", "seed"), [(0, 0), (1, 1), (50, 2), (500, 3), (500, 4)])
def test_validates_without_any_problem(tmp_path: Path, events: int, seed: int) -> None:
    content = tmp_path / "content"
    counts = write_synthetic(content, events, seed)
    result = pipeline.check(content, SYNTH_TODAY)
    assert [d.format() for d in result.diagnostics] == []
    assert {kind: len(items) for kind, items in result.checked.items()} == {
        "company": counts.companies,
        "topic": counts.topics,
        "event": events,
    }


def test_kb_validate_is_quiet_on_a_synthetic_knowledge_base(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write_synthetic(content, 300, seed=21)
    result = run_kb(
        "validate", "-f", MKDOCS_YML, "--content", content, SOURCE_DATE_EPOCH=SYNTH_EPOCH
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_kb_build_builds_a_synthetic_knowledge_base(tmp_path: Path) -> None:
    content, docs, site = tmp_path / "content", tmp_path / "docs", tmp_path / "site"
    counts = write_synthetic(content, 30, seed=30)
    started = time.perf_counter()
    result = kb_build(content, docs, site, SOURCE_DATE_EPOCH=SYNTH_EPOCH)
    print(f"kb build of 30 synthetic events: {time.perf_counter() - started:.1f} s")
    assert result.returncode == 0, result.stderr
    assert (
        f"from 30 events, {counts.companies} companies and {counts.topics} topics" in result.stderr
    )
    assert "WARNING" not in result.stderr
    assert (site / "index.html").is_file()
    for path in (content / "events").glob("*/*.yaml"):
        event_id = path.relative_to(content / "events").with_suffix("").as_posix()
        assert (site / "events" / event_id / "index.html").is_file(), event_id
    for path in (content / "companies").glob("*.yaml"):
        assert (site / "companies" / path.stem / "index.html").is_file(), path.stem


# --- realistic shape ---------------------------------------------------------------------------


def test_events_cover_every_precision_status_and_type(kb500: pipeline.CheckResult) -> None:
    events = [item.record for item in kb500.checked["event"].values()]
    precisions = Counter(e.date.precision for e in events)
    assert set(precisions) == set(Precision)
    assert precisions[Precision.DAY] > len(events) / 2  # mostly days
    assert set(Counter(e.status for e in events)) == set(EVENT_STATUSES)
    assert set(Counter(e.type for e in events)) == set(EVENT_TYPES)
    assert Counter(e.lang for e in events).keys() == {"en", "de"}


def test_statuses_agree_with_the_reference_date(kb500: pipeline.CheckResult) -> None:
    for item in kb500.checked["event"].values():
        event = item.record
        if event.status == "scheduled":
            assert event.date.end >= SYNTH_TODAY, item.id
        if event.status == "occurred":
            assert event.date.start <= SYNTH_TODAY, item.id
    future = [i for i in kb500.checked["event"].values() if i.record.date.start > SYNTH_TODAY]
    assert future, "no event after the reference date"
    assert any(i.record.status == "scheduled" for i in future)


def test_dates_spread_over_about_ten_years(kb500: pipeline.CheckResult) -> None:
    events = [item.record for item in kb500.checked["event"].values()]
    starts = [e.date.start for e in events]
    assert min(starts) >= FIRST_DAY and max(e.date.end for e in events) <= dt.date(2027, 12, 31)
    assert (max(starts) - min(starts)).days > 9 * 365
    years = Counter(s.year for s in starts)
    assert len(years) >= 10


def test_events_have_realistic_fields(kb500: pipeline.CheckResult) -> None:
    items = list(kb500.checked["event"].values())
    events = [item.record for item in items]
    assert all(1 <= len(e.companies) <= 3 for e in events)
    assert all(1 <= len(e.topics) <= 4 for e in events)
    assert all(1 <= len(e.sources) <= 3 for e in events)
    assert {len(e.companies) for e in events} >= {1, 2}
    assert {len(e.topics) for e in events} == {1, 2, 3, 4}
    assert {len(e.sources) for e in events} == {1, 2, 3}
    for key, share in [
        ("amounts", 0.1),
        ("places", 0.15),
        ("related", 0.05),
        ("translations", 0.1),
        ("date_note", 0.05),
    ]:
        having = sum(bool(getattr(e, key)) for e in events)
        assert having >= share * len(events), f"only {having} events have {key}"
    translated = [e for e in events if e.translations]
    assert any("de" in e.translations for e in translated)
    assert any(e.lang == "de" and "en" in e.translations for e in translated)
    assert any(t.summary for e in translated for t in e.translations.values())
    event_ids = {item.id for item in items}
    for item in items:
        assert item.id not in item.record.related
        assert set(item.record.related) <= event_ids


def test_sources_have_distinct_https_urls(kb500: pipeline.CheckResult) -> None:
    urls = [s.url for item in kb500.checked["event"].values() for s in item.record.sources]
    assert all(url and url.startswith("https://") for url in urls)
    # distinct however spelt: host case and a final slash do not make another address
    assert len({url.lower().rstrip("/") for url in urls}) == len(urls)
    langs = Counter(s.lang for i in kb500.checked["event"].values() for s in i.record.sources)
    assert set(langs) == {"en", "de"}


def test_summaries_are_several_sentences_of_allowed_markdown(
    kb500: pipeline.CheckResult,
) -> None:
    summaries = [i.record.summary for i in kb500.checked["event"].values()]
    for text in summaries:
        assert check_summary(text) == []
        # two to five sentences, before any list or link paragraph
        prose = " ".join(p for p in text.split("\n\n") if not p.startswith("- "))
        sentences = re.findall(r"[.!?](?:\s|$)", prose)
        assert 2 <= len(sentences) <= 7, text
        assert 80 <= len(text) <= 1500, text
    assert any(re.search(r"(?<!\*)\*[^*\s][^*]*\*", t) for t in summaries), "no *emphasis*"
    assert any(re.search(r"^- ", t, re.MULTILINE) for t in summaries), "no list"
    assert any(re.search(r"\]\(https://[^)\s]+\)", t) for t in summaries), "no link"


def test_titles_are_distinct(kb500: pipeline.CheckResult) -> None:
    titles = [i.record.title for i in kb500.checked["event"].values()]
    assert len(set(titles)) == len(titles)
    assert all(20 <= len(t) <= 160 for t in titles)


def test_file_names_are_the_date_then_a_slug(kb500: pipeline.CheckResult) -> None:
    for item in kb500.checked["event"].values():
        folder, name = item.id.split("/")
        event = item.record
        assert folder == event.companies[0]
        prefix = event.date.slug() + "-"
        assert name.startswith(prefix)
        assert slug_fits_date(event.date, name.removeprefix(prefix)), item.id


def test_companies_and_topics_have_realistic_fields(kb500: pipeline.CheckResult) -> None:
    companies = [i.record for i in kb500.checked["company"].values()]
    topics = [i.record for i in kb500.checked["topic"].values()]
    assert any(c.parent for c in companies), "no subsidiaries"
    assert any(not c.parent for c in companies)
    assert any(c.tickers for c in companies), "no tickers"
    assert sum(bool(c.country) for c in companies) > len(companies) / 2
    assert len({c.name for c in companies}) == len(companies)
    assert any(t.parent for t in topics) and any(not t.parent for t in topics)
    # every event names companies that exist, and many companies have events
    used = {c for i in kb500.checked["event"].values() for c in i.record.companies}
    assert used <= set(kb500.checked["company"])
    assert len(used) > len(companies) / 2


def test_large_sizes_have_hundreds_of_companies() -> None:
    files = synthesize(12_000, seed=5)
    counts = count(files)
    assert counts.companies == 300
    parents = sum(
        bool(re.search(r"^parent: ", text, re.MULTILINE))
        for path, text in files.items()
        if path.startswith("companies/")
    )
    assert 0.05 * counts.companies < parents < 0.4 * counts.companies
    texts = [text for path, text in files.items() if path.startswith("companies/")]
    # numeric symbols and codes YAML 1.1 reads as booleans are quoted, as the guide asks
    assert any(re.search(r'^    symbol: "\d+"$', t, re.MULTILINE) for t in texts)
    assert any('country: "NO"' in t for t in texts)
    per_company = Counter(p.split("/")[1] for p in files if p.startswith("events/"))
    assert len(per_company) > 0.9 * counts.companies  # events spread over most companies
    assert max(per_company.values()) < 0.05 * counts.events  # no company owns them all


def test_fifty_thousand_events_take_seconds() -> None:
    started = time.perf_counter()
    files = synthesize(50_000, seed=50)
    elapsed = time.perf_counter() - started
    print(f"synthesize(50_000): {elapsed:.1f} s, {len(files)} files")
    assert count(files).events == 50_000
    assert elapsed < 20
