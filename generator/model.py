"""Stage 3: the whole knowledge base as one immutable model with its indexes.

Everything a page shows is computed here, once; templates only format.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import TypeVar

from .history import FileDates
from .schema import Company, Event, Topic
from .validate import Checked


@dataclass(frozen=True, slots=True)
class CompanyEntry:
    id: str
    record: Company
    source: str
    #: a digest of the record file's bytes (see render_cache.py)
    digest: bytes = b""

    @property
    def page(self) -> str:
        return f"companies/{self.id}.md"

    @property
    def name(self) -> str:
        return self.record.name


@dataclass(frozen=True, slots=True)
class TopicEntry:
    id: str
    record: Topic
    source: str
    #: a digest of the record file's bytes (see render_cache.py)
    digest: bytes = b""

    @property
    def page(self) -> str:
        return f"topics/{self.id}.md"

    @property
    def name(self) -> str:
        return self.record.name


@dataclass(frozen=True, slots=True)
class EventEntry:
    id: str
    record: Event
    source: str
    #: when the record file was first added and last changed (None when not known)
    added: dt.date | None = None
    changed: dt.date | None = None
    #: a digest of the record file's bytes (see render_cache.py)
    digest: bytes = b""

    @property
    def page(self) -> str:
        return f"events/{self.id}.md"

    @property
    def name(self) -> str:
        return self.record.title

    @property
    def sort_key(self) -> tuple[dt.date, dt.date, str]:
        return (self.record.date.start, self.record.date.end, self.id)


@dataclass(frozen=True)
class YearGroup:
    year: int
    events: list[EventEntry]


@dataclass(frozen=True)
class KnowledgeBase:
    companies: dict[str, CompanyEntry]
    topics: dict[str, TopicEntry]
    #: every event, newest first
    events: list[EventEntry]
    today: dt.date
    events_by_id: dict[str, EventEntry] = field(init=False)
    events_of_company: dict[str, list[EventEntry]] = field(init=False)
    events_of_topic: dict[str, list[EventEntry]] = field(init=False)
    subsidiaries: dict[str, list[CompanyEntry]] = field(init=False)
    subtopics: dict[str, list[TopicEntry]] = field(init=False)
    #: the events that name others under ``related``
    relating: list[EventEntry] = field(init=False)

    def __post_init__(self) -> None:
        of_company: dict[str, list[EventEntry]] = defaultdict(list)
        of_topic: dict[str, list[EventEntry]] = defaultdict(list)
        relating: list[EventEntry] = []
        for event in self.events:
            record = event.record
            for company in record.companies:
                of_company[company].append(event)
            for topic in record.topics:
                of_topic[topic].append(event)
            if record.related:
                relating.append(event)
        object.__setattr__(self, "events_by_id", {e.id: e for e in self.events})
        object.__setattr__(self, "events_of_company", dict(of_company))
        object.__setattr__(self, "events_of_topic", dict(of_topic))
        object.__setattr__(self, "subsidiaries", _children(self.companies))
        object.__setattr__(self, "subtopics", _children(self.topics))
        object.__setattr__(self, "relating", relating)

    def patched(
        self,
        companies: dict[str, CompanyEntry],
        topics: dict[str, TopicEntry],
        gone: set[str],
        fresh: list[EventEntry],
    ) -> KnowledgeBase:
        """The model with the events ``gone`` (by id) taken out and the ``fresh`` ones put
        in, each list in the order a model made afresh has, and these companies and
        topics: made from this one, as a running process does after a few edits, rather
        than from every event again. Lists nothing touched are this model's own."""
        kb: KnowledgeBase = object.__new__(KnowledgeBase)
        old = [self.events_by_id[key] for key in gone if key in self.events_by_id]
        values = {
            "companies": companies,
            "topics": topics,
            "events": _spliced(self.events, gone, fresh),
            "today": self.today,
            "events_by_id": {
                **{key: e for key, e in self.events_by_id.items() if key not in gone},
                **{e.id: e for e in fresh},
            },
            "events_of_company": _respliced(
                self.events_of_company, old, gone, fresh, lambda e: e.record.companies
            ),
            "events_of_topic": _respliced(
                self.events_of_topic, old, gone, fresh, lambda e: e.record.topics
            ),
            "subsidiaries": _children(companies),
            "subtopics": _children(topics),
            "relating": _spliced(self.relating, gone, [e for e in fresh if e.record.related]),
        }
        for name, value in values.items():
            object.__setattr__(kb, name, value)
        if "_upcoming" in self.__dict__:  # the upcoming events, soonest first, likewise
            upcoming = [e for e in self._upcoming if e.id not in gone]
            upcoming += kb._soonest_first(fresh)
            kb.__dict__["_upcoming"] = sorted(upcoming, key=lambda e: e.sort_key)
        return kb

    def upcoming(self, events: Iterable[EventEntry] | None = None) -> list[EventEntry]:
        """Scheduled or postponed events not yet past, soonest first."""
        if events is None:  # asked for by several pages: found once
            return list(self._upcoming)
        return self._soonest_first(events)

    @cached_property
    def _upcoming(self) -> list[EventEntry]:
        return self._soonest_first(self.events)

    def _soonest_first(self, events: Iterable[EventEntry]) -> list[EventEntry]:
        chosen = [
            e
            for e in events
            if e.record.status in ("scheduled", "postponed") and e.record.date.end >= self.today
        ]
        return sorted(chosen, key=lambda e: e.sort_key)

    @cached_property
    def upcoming_of_company(self) -> dict[str, list[EventEntry]]:
        """``upcoming`` of each company's events, by company id: from one pass over all
        upcoming events, rather than one over each company's events."""
        found: dict[str, list[EventEntry]] = defaultdict(list)
        for event in self._upcoming:
            for company in event.record.companies:
                found[company].append(event)
        return dict(found)

    def latest(self, limit: int) -> list[EventEntry]:
        """The most recent events whose date has come, whatever their status."""
        return list(islice((e for e in self.events if e.record.date.start <= self.today), limit))

    @property
    def has_history(self) -> bool:
        """Whether the dates records were added are known (any event has them)."""
        return any(e.added is not None for e in self.events)

    def recently_added(self, limit: int) -> list[EventEntry]:
        """Events whose record was added most recently, newest first.

        Records added the same day are listed newest event first.
        """
        known = [e for e in self.events if e.added is not None]
        # The events are newest first already, and a sort keeps that order among equals.
        known.sort(key=_added, reverse=True)
        return known[:limit]

    def events_per_year(self) -> list[tuple[int, int]]:
        """(year, number of events) for every year from the first event's to the last's."""
        counts = {year: len(run) for year, run in runs(self.events, _year)}
        if not counts:
            return []
        return [(year, counts.get(year, 0)) for year in range(min(counts), max(counts) + 1)]

    def topic_counts(self) -> list[tuple[TopicEntry, int]]:
        """Topics with events, most events first (then by name); an event counts for each topic."""
        return _ranked(self.topics, self.events_of_topic)

    def company_counts(self) -> list[tuple[CompanyEntry, int]]:
        """Companies with events, most first (then by name); an event counts for each company."""
        return _ranked(self.companies, self.events_of_company)


_Entry = TypeVar("_Entry", CompanyEntry, TopicEntry)


def _children(entries: dict[str, _Entry]) -> dict[str, list[_Entry]]:
    """The companies or topics by their parent's id."""
    children: dict[str, list[_Entry]] = defaultdict(list)
    for entry in entries.values():
        if entry.record.parent:
            children[entry.record.parent].append(entry)
    return dict(children)


def _spliced(events: list[EventEntry], gone: set[str], fresh: list[EventEntry]) -> list[EventEntry]:
    """``events`` (newest first) without those ``gone``, with the ``fresh`` ones in order."""
    spliced = [e for e in events if e.id not in gone] if gone else list(events)
    for event in fresh:
        key = event.sort_key
        # newest first: the place after every event that sorts after it (keys are unique)
        low, high = 0, len(spliced)
        while low < high:
            middle = (low + high) // 2
            if spliced[middle].sort_key > key:
                low = middle + 1
            else:
                high = middle
        spliced.insert(low, event)
    return spliced


def _respliced(
    lists: dict[str, list[EventEntry]],
    old: list[EventEntry],
    gone: set[str],
    fresh: list[EventEntry],
    keys: Callable[[EventEntry], list[str]],
) -> dict[str, list[EventEntry]]:
    """Each list of events by company or topic ``_spliced``: only those that held one of
    the ``old`` events (those gone) or gain a fresh one are made again; a list left empty
    goes."""
    touched: dict[str, list[EventEntry]] = {key: [] for event in old for key in keys(event)}
    for event in fresh:
        for key in keys(event):
            touched.setdefault(key, []).append(event)
    result = dict(lists)
    for key, events in touched.items():
        spliced = _spliced(lists.get(key, []), gone, events)
        if spliced:
            result[key] = spliced
        else:
            result.pop(key, None)
    return result


def _ranked(
    entries: dict[str, _Entry], events: dict[str, list[EventEntry]]
) -> list[tuple[_Entry, int]]:
    counted = [(entries[key], len(found)) for key, found in events.items() if found]
    counted.sort(key=lambda item: (-item[1], item[0].name.casefold(), item[0].id))
    return counted


def build_model(
    checked: dict[str, dict[str, Checked]],
    today: dt.date,
    history: Mapping[str, FileDates] | None = None,
    previous: KnowledgeBase | None = None,
) -> KnowledgeBase:
    """The model from records that passed validation (call only when there were no errors).

    ``history`` gives each record file's dates by its ``edit_path``
    (``history.file_history``); without it, the dates are not known. Dates after
    ``today`` are taken as ``today``: a build dated by SOURCE_DATE_EPOCH shows no
    change from after it, and gives the same pages whenever it is repeated.

    An event entry of the ``previous`` model (the last build of a running process) is
    used again when it would be made the same: later stages know it by its identity.
    """
    companies = {
        cid: CompanyEntry(cid, c.record, c.source.edit_path, c.source.digest)  # type: ignore[arg-type]
        for cid, c in sorted(checked["company"].items())
    }
    topics = {
        tid: TopicEntry(tid, t.record, t.source.edit_path, t.source.digest)  # type: ignore[arg-type]
        for tid, t in sorted(checked["topic"].items())
    }
    events: list[EventEntry] = []
    fresh: list[EventEntry] = []
    before = previous.events_by_id if previous is not None else {}
    for eid, e in checked["event"].items():
        dates = history.get(e.source.edit_path) if history is not None else None
        added, changed = (min(d, today) for d in dates) if dates else (None, None)
        entry = before.get(eid)
        if (
            entry is None
            or entry.record is not e.record
            or entry.added != added
            or entry.changed != changed
            or entry.source != e.source.edit_path
            or entry.digest != e.source.digest
        ):
            entry = EventEntry(eid, e.record, e.source.edit_path, added, changed, e.source.digest)  # type: ignore[arg-type]
            fresh.append(entry)
        events.append(entry)
    if previous is not None and previous.today == today and len(fresh) * 8 < len(events):
        gone = (before.keys() - checked["event"].keys()) | {entry.id for entry in fresh}
        return previous.patched(companies, topics, gone, fresh)
    events.sort(key=lambda e: e.sort_key, reverse=True)
    return KnowledgeBase(companies, topics, events, today)


_Item = TypeVar("_Item")


def by_year(events: list[EventEntry]) -> list[YearGroup]:
    """Events (newest first) grouped by the year they fall in, in the given order."""
    return [YearGroup(year, run) for year, run in runs(events, _year)]


def runs(items: list[_Item], key: Callable[[_Item], int]) -> Iterator[tuple[int, list[_Item]]]:
    """The runs of ``items`` with the same ``key``, which never rises along them (the year
    or the month of events newest first). Each run's end is found by bisection: the lists
    are long and their runs few, and listings split them at every build."""
    start, count = 0, len(items)
    while start < count:
        value = key(items[start])
        end = bisect_right(items, -value, start, count, key=lambda item: -key(item))
        yield value, items[start:end]
        start = end


def _year(event: EventEntry) -> int:
    return event.record.date.start.year


def _added(event: EventEntry) -> dt.date:
    return event.added  # type: ignore[return-value]  # only asked of events with the date


@dataclass(frozen=True)
class Changes:
    """What differs between the model of a running process's last build and this one's,
    when only events did: each page made from the model shows only what its render-cache
    key holds, so a page whose key holds none of these is the page the last build made."""

    #: the ids of the events added, removed or changed
    events: frozenset[str]
    #: the companies, topics and years of those events, as they were and as they are
    companies: frozenset[str]
    topics: frozenset[str]
    years: frozenset[int]
    #: the events that name one of them under ``related``, whose pages show it
    relating: frozenset[str]


def changes_since(before: KnowledgeBase | None, now: KnowledgeBase) -> Changes | None:
    """What changed since ``before``; None when a company, a topic or the day did (then
    every page may show a change), or when there is no ``before``.

    An event is told unchanged by its entry alone: ``build_model`` uses the last
    build's entry again only when it would make the same one.
    """
    if before is None or before.today != now.today:
        return None
    for old_entries, new_entries in (
        (before.companies, now.companies),
        (before.topics, now.topics),
    ):
        if old_entries.keys() != new_entries.keys() or any(
            old_entries[key].digest != entry.digest or not entry.digest
            for key, entry in new_entries.items()
        ):
            return None
    old, new = before.events_by_id, now.events_by_id
    changed = {key for key, entry in new.items() if old.get(key) is not entry}
    changed.update(old.keys() - new.keys())
    versions = [found[key] for key in changed for found in (old, new) if key in found]
    relating = {
        event.id
        for kb in (before, now)
        for event in kb.relating
        if not changed.isdisjoint(event.record.related)
    }
    return Changes(
        frozenset(changed),
        frozenset(c for event in versions for c in event.record.companies),
        frozenset(t for event in versions for t in event.record.topics),
        frozenset(event.record.date.start.year for event in versions),
        frozenset(relating),
    )
