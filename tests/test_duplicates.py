"""Duplicate detection at scale: thousands of synthetic events with a few injected duplicates.

The rules (generator/rules.py): the same source URL in two events is an error on
both, naming the other; the same primary company, dates within 7 days and titles
at least 80 % alike (word Jaccard) is a warning on both. The near-duplicate rule
compares an event only with its company's neighbours in date order, so its cost
must not grow with the square of the number of events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator import pipeline, rules
from generator.dates import FuzzyDate, Precision
from generator.diagnostics import Diagnostic, Severity, display_path
from generator.loader import FOLDERS, SourceFile
from generator.rules import RuleContext, no_duplicate_sources, no_near_duplicates
from generator.synth import SYNTH_TODAY, synthesize
from generator.validate import Checked, check_shape
from generator.yamlnodes import parse

EVENTS = 5_000
SEED = 2024
URL_LINE = re.compile(r"^    url: (\S+)$", re.MULTILINE)
#: column of a value after "    url: " and after "title: "
URL_COLUMN = len("    url: ") + 1
TITLE_COLUMN = len("title: ") + 1


class _TextLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with dates kept as the text written."""


_TextLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _read(text: str) -> dict:
    return yaml.load(text, Loader=_TextLoader)


def _words(title: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", title.casefold()))


def _line_of(text: str, line: str) -> int:
    lines = text.split("\n")
    assert lines.count(line) == 1, line
    return lines.index(line) + 1


@dataclass(frozen=True)
class Injected:
    content: Path
    expected: list[Diagnostic]
    result: pipeline.CheckResult
    seconds: float


def _copy_url(
    events: dict[str, str], source: str, target: str, spelling: str | None = None
) -> tuple[str, int, str, int]:
    """Put ``source``'s first URL (or ``spelling`` of it) as ``target``'s first URL.

    Returns the URL lines of both files as (url, line) pairs, flattened.
    """
    url = URL_LINE.search(events[source])[1]
    old = URL_LINE.search(events[target])[0]
    new = f"    url: {spelling or url}"
    events[target] = events[target].replace(old, new, 1)
    return url, _line_of(events[source], f"    url: {url}"), new, _line_of(events[target], new)


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> Injected:
    files = synthesize(EVENTS, SEED)
    events = {p: t for p, t in files.items() if p.startswith("events/")}
    paths = sorted(events)
    content = tmp_path_factory.mktemp("duplicates") / "content"

    def shown(relative: str) -> str:
        return display_path(content / relative)

    def url_errors(a: str, line_a: int, b: str, line_b: int) -> list[Diagnostic]:
        message = "sources[0].url: the same source is cited by {}; is this the same event?"
        return [
            Diagnostic(
                shown(a),
                line_a,
                URL_COLUMN,
                Severity.ERROR,
                "duplicate-source",
                message.format(shown(b)),
            ),
            Diagnostic(
                shown(b),
                line_b,
                URL_COLUMN,
                Severity.ERROR,
                "duplicate-source",
                message.format(shown(a)),
            ),
        ]

    # 1. Two events of different companies cite the same address.
    first_a = paths[10]
    first_b = next(p for p in paths[len(paths) // 2 :] if p.split("/")[1] != first_a.split("/")[1])
    _, line_a, _, line_b = _copy_url(events, first_a, first_b)
    expected = url_errors(first_a, line_a, first_b, line_b)

    # 2. The same address spelt differently: host in capitals and a final slash.
    second_a, second_b = paths[100], paths[-100]
    url = URL_LINE.search(events[second_a])[1]
    scheme, rest = url.split("://", 1)
    host, path = rest.split("/", 1)
    spelling = f"{scheme}://{host.upper()}/{path}/"
    _, line_a, _, line_b = _copy_url(events, second_a, second_b, spelling)
    expected += url_errors(second_a, line_a, second_b, line_b)

    # 3. A near-duplicate: the same company, two days later, the title with one word more.
    used = {first_a, first_b, second_a, second_b}
    original = next(
        p
        for p in paths[200:]
        if p not in used
        and (record := _read(events[p]))["status"] == "occurred"
        and record["lang"] == "en"
        and FuzzyDate.parse(str(record["date"])).precision is Precision.DAY
        and FuzzyDate.parse(str(record["date"])).start < SYNTH_TODAY - dt.timedelta(days=30)
    )
    record = _read(events[original])
    date = FuzzyDate.parse(record["date"])
    later = (date.start + dt.timedelta(days=2)).isoformat()
    title = f"{record['title']} update"
    company, name = original.removeprefix("events/").removesuffix(".yaml").split("/")
    copy = f"events/{company}/{later}-{name.removeprefix(date.slug() + '-')}-update.yaml"
    lines = events[original].split("\n")
    assert lines[0].startswith("title: ") and lines[1] == f"date: {date.iso()}"
    lines[0], lines[1] = f"title: {json.dumps(title)}", f"date: {later}"
    text = "\n".join(lines)
    events[copy] = URL_LINE.sub(lambda m: f"    url: {m[1]}-update", text)
    alike = len(_words(record["title"])) / len(_words(title))
    assert alike >= 0.8
    message = "title: possible duplicate of {} (same company, dates {} and {}, titles {:.0%} alike)"
    expected += [
        Diagnostic(
            shown(original),
            1,
            TITLE_COLUMN,
            Severity.WARNING,
            "near-duplicate",
            message.format(shown(copy), date.iso(), later, alike),
        ),
        Diagnostic(
            shown(copy),
            1,
            TITLE_COLUMN,
            Severity.WARNING,
            "near-duplicate",
            message.format(shown(original), later, date.iso(), alike),
        ),
    ]

    files.update(events)
    for relative, body in files.items():
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    started = time.perf_counter()
    result = pipeline.check(content, SYNTH_TODAY)
    seconds = time.perf_counter() - started
    print(f"\nkb validation of {EVENTS + 1} events: {seconds:.2f} s")
    return Injected(content, sorted(expected), result, seconds)


def test_copied_source_urls_are_errors_on_both_files_naming_each_other(
    injected: Injected,
) -> None:
    found = [d for d in injected.result.diagnostics if d.rule == "duplicate-source"]
    assert found == [d for d in injected.expected if d.rule == "duplicate-source"]


def test_near_duplicate_is_a_warning_on_both_files_naming_each_other(injected: Injected) -> None:
    found = [d for d in injected.result.diagnostics if d.rule == "near-duplicate"]
    assert found == [d for d in injected.expected if d.rule == "near-duplicate"]


def test_nothing_else_is_reported(injected: Injected) -> None:
    assert injected.result.diagnostics == injected.expected
    assert len(injected.result.checked["event"]) == EVENTS + 1


def test_validating_five_thousand_events_takes_seconds(injected: Injected) -> None:
    print(f"kb validation of {EVENTS + 1} events: {injected.seconds:.2f} s")
    assert injected.seconds < 20


# --- scaling of the duplicate rules alone ------------------------------------------------------


def _context(events: int, seed: int) -> RuleContext:
    """A synthetic knowledge base checked in memory (no files), as the rules see it."""
    checked: dict[str, dict[str, Checked]] = {kind: {} for kind in FOLDERS.values()}
    for relative, text in synthesize(events, seed).items():
        folder, rest = relative.split("/", 1)
        path = Path("content") / relative
        source = SourceFile(
            FOLDERS[folder], rest.removesuffix(".yaml"), path, path.as_posix(), parse(text), ""
        )
        record, problems = check_shape(source)
        assert record is not None, problems
        checked[source.kind][source.id] = Checked(source, record)
    assert len(checked["event"]) == events
    return RuleContext(checked, SYNTH_TODAY, {kind: set(items) for kind, items in checked.items()})


def _best_time(rule, ctx: RuleContext, loops: int, repeat: int = 7) -> float:
    """The shortest time of one run of ``rule``, over ``repeat`` samples of ``loops`` runs.
    Each run has a context of its own, which works out what the rules compare afresh."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(loops):
            assert list(rule(dataclasses.replace(ctx))) == []
        samples.append((time.perf_counter() - started) / loops)
    return min(samples)


@pytest.fixture(scope="module")
def contexts() -> dict[int, RuleContext]:
    return {events: _context(events, seed=1) for events in (2_000, 8_000)}


def _one_event_in(ctx: RuleContext, step: int) -> RuleContext:
    """Every ``step``-th event of ``ctx``, with all its companies and topics."""
    events = dict(list(ctx.events.items())[::step])
    checked = {**ctx.checked, "event": events}
    return RuleContext(checked, ctx.today, {**ctx.present, "event": set(events)})


def test_duplicate_rules_scale_well_below_quadratically(contexts: dict[int, RuleContext]) -> None:
    """Eight times the events take well under the 64 times a quadratic rule would: below
    the geometric midpoint between linear and quadratic growth. The factor is eight, not
    four, because the processor's cache alone makes a linear rule look up to twice as
    slow per event on a knowledge base that no longer fits in it."""
    large = contexts[8_000]
    small = _one_event_in(large, 8)
    assert len(small.events) == 1_000
    growth = len(large.events) / len(small.events)
    midpoint = (growth * growth**2) ** 0.5
    ratios = {}
    for rule in (no_near_duplicates, no_duplicate_sources):
        # as many runs of the small set as events in the large one: samples of equal length
        t_small, t_large = _best_time(rule, small, loops=8), _best_time(rule, large, loops=1)
        ratios[rule.__name__] = t_large / t_small
        print(
            f"\n{rule.__name__}: {t_small * 1000:.1f} ms for 1,000 events, "
            f"{t_large * 1000:.1f} ms for 8,000 (x{t_large / t_small:.1f}; quadratic is x64)"
        )
    assert all(ratio < midpoint for ratio in ratios.values()), ratios


def test_near_duplicate_comparisons_grow_linearly(
    contexts: dict[int, RuleContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, counted rather than timed: title comparisons made for 4x the events."""
    counted = {"pairs": 0}
    similarity = rules._similarity

    def counting(a: frozenset[str], b: frozenset[str]) -> float:
        counted["pairs"] += 1
        return similarity(a, b)

    monkeypatch.setattr(rules, "_similarity", counting)
    pairs = {}
    for events in (2_000, 8_000):
        counted["pairs"] = 0
        assert list(no_near_duplicates(contexts[events])) == []
        pairs[events] = counted["pairs"]
    print(f"\ntitle comparisons: {pairs[2_000]} for 2,000 events, {pairs[8_000]} for 8,000")
    assert pairs[8_000] < 5 * pairs[2_000]
    assert pairs[8_000] < 2 * 8_000  # a couple of neighbours per event, not all pairs
