"""Stage 3: the whole knowledge base as one immutable model with its indexes.

Everything a page shows is computed here, once; templates only format.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby

from .schema import Company, Event, Topic
from .validate import Checked


@dataclass(frozen=True, slots=True)
class CompanyEntry:
    id: str
    record: Company
    source: str

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

    def __post_init__(self) -> None:
        of_company: dict[str, list[EventEntry]] = defaultdict(list)
        of_topic: dict[str, list[EventEntry]] = defaultdict(list)
        for event in self.events:
            for company in event.record.companies:
                of_company[company].append(event)
            for topic in event.record.topics:
                of_topic[topic].append(event)
        children: dict[str, list[CompanyEntry]] = defaultdict(list)
        for company in self.companies.values():
            if company.record.parent:
                children[company.record.parent].append(company)
        subtopics: dict[str, list[TopicEntry]] = defaultdict(list)
        for topic in self.topics.values():
            if topic.record.parent:
                subtopics[topic.record.parent].append(topic)
        object.__setattr__(self, "events_by_id", {e.id: e for e in self.events})
        object.__setattr__(self, "events_of_company", dict(of_company))
        object.__setattr__(self, "events_of_topic", dict(of_topic))
        object.__setattr__(self, "subsidiaries", dict(children))
        object.__setattr__(self, "subtopics", dict(subtopics))

    def upcoming(self, events: Iterable[EventEntry] | None = None) -> list[EventEntry]:
        """Scheduled or postponed events not yet past, soonest first."""
        chosen = [
            e
            for e in (self.events if events is None else events)
            if e.record.status in ("scheduled", "postponed") and e.record.date.end >= self.today
        ]
        return sorted(chosen, key=lambda e: e.sort_key)

    def latest(self, limit: int) -> list[EventEntry]:
        """The most recent events whose date has come, whatever their status."""
        return [e for e in self.events if e.record.date.start <= self.today][:limit]


def build_model(checked: dict[str, dict[str, Checked]], today: dt.date) -> KnowledgeBase:
    """The model from records that passed validation (call only when there were no errors)."""
    companies = {
        cid: CompanyEntry(cid, c.record, c.source.edit_path)  # type: ignore[arg-type]
        for cid, c in sorted(checked["company"].items())
    }
    topics = {
        tid: TopicEntry(tid, t.record, t.source.edit_path)  # type: ignore[arg-type]
        for tid, t in sorted(checked["topic"].items())
    }
    events = [
        EventEntry(eid, e.record, e.source.edit_path)  # type: ignore[arg-type]
        for eid, e in checked["event"].items()
    ]
    events.sort(key=lambda e: e.sort_key, reverse=True)
    return KnowledgeBase(companies, topics, events, today)


def by_year(events: list[EventEntry]) -> list[YearGroup]:
    """Events (already sorted) grouped by the year they fall in, in the given order."""
    return [
        YearGroup(year, list(group))
        for year, group in groupby(events, key=lambda e: e.record.date.start.year)
    ]
