"""iCalendar files (RFC 5545) of the events that have a day: all of them, and per company.

Files, by their path in the site:

- ``calendars/all.ics``
- ``calendars/companies/<company-id>.ics`` (one for every company; a company without
  day-precision events gets a calendar with no events, so its link never breaks)

Only events dated to a day are in a calendar, whatever their status: a month,
quarter or year is not a day a calendar can show. Each is an all-day VEVENT
(``DTSTART;VALUE=DATE`` and ``DTEND`` the next day), ``STATUS`` CONFIRMED for
occurred and scheduled events, TENTATIVE for postponed, CANCELLED for cancelled.

Events are in calendar order: by date, then by id. ``UID`` is
``<base path><event-id>@<host>``, with ``company-events-kb`` as the host when the
site's address is unknown. ``DTSTAMP`` is the day the newest source was
published (midnight UTC), the last time the record can have learnt something;
nothing reads the clock, so the same records give the same bytes.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Component, Event

from ..dates import Precision
from ..model import EventEntry, KnowledgeBase
from ..render_cache import NO_MEMO, Memo, NoMemo
from .common import Site, carried, date_line, event_path, midnight, summary_text

ALL = "calendars/all.ics"
PRODID = "-//company-events-kb//kb build//EN"
STATUS = {
    "occurred": "CONFIRMED",
    "scheduled": "CONFIRMED",
    "postponed": "TENTATIVE",
    "cancelled": "CANCELLED",
}


def company_calendar(company_id: str) -> str:
    return f"calendars/companies/{company_id}.ics"


def in_calendar(event: EventEntry) -> bool:
    """Whether the event has a day a calendar can show."""
    return event.record.date.precision is Precision.DAY


def uid(event: EventEntry, site: Site) -> str:
    return f"{site.base_path}{event.id}@{site.authority}"


def render_calendars(
    kb: KnowledgeBase,
    site: Site,
    memo: Memo | NoMemo = NO_MEMO,
) -> dict[str, bytes]:
    """Every calendar of the site, by its docs-relative path."""
    # Each event is written once and its text reused in every calendar that holds it:
    # folding iCalendar lines is the slow part, and an event is in several calendars.
    # An event's text is kept between builds until the event changes (render_cache.py).
    # Calendar order is the model's, reversed: an event of one day ends when it starts.
    days = [e for e in reversed(kb.events) if in_calendar(e)]
    texts = memo.each("vevent", days, {"site": site}, lambda e: to_ical(_vevent(kb, e, site)))
    # by event id, in calendar order: a calendar's events are sorted by their place here
    vevents = {e.id: text for e, text in zip(days, texts, strict=True)}
    place = {event_id: number for number, event_id in enumerate(vevents)}

    def placed(event: EventEntry) -> int:
        return place[event.id]

    def calendar(
        path: str, name: str, description: str, events: list[EventEntry], ordered: bool = False
    ) -> bytes:
        # ordered: these are the calendar's events already, in calendar order
        held = events if ordered else sorted((e for e in events if e.id in place), key=placed)

        def text() -> bytes:
            head, end = _frame(name, description)
            return head + b"".join([vevents[event.id] for event in held]) + end

        inputs = {"name": name, "description": description, "events": held, "site": site}
        return memo.file(path, inputs, text)

    files = {
        ALL: calendar(
            ALL,
            f"{site.name}: all events",
            "Every event in the knowledge base that is dated to a day.",
            days,
            ordered=True,
        )
    }
    for company in kb.companies.values():
        path = company_calendar(company.id)
        kept = carried(memo, memo.changes, "companies", company.id, path)
        files[path] = (
            kept
            if kept is not None
            else calendar(
                path,
                f"{site.name}: {company.name}",
                f"Events of {company.name} that are dated to a day.",
                kb.events_of_company.get(company.id, []),
            )
        )
    return files


def to_ical(component: Component) -> bytes:
    """``component.to_ical()``, byte for byte, with its long lines folded by ``fold``.

    icalendar folds a line one character at a time, encoding each to count its bytes,
    and the descriptions run to a few hundred characters: at 10,000 events its folding
    took 0.4 s of the calendars' 2.1 s.
    """
    return b"\r\n".join(fold(line) for line in component.content_lines() if line) + b"\r\n"


#: RFC 5545: a line is folded before it reaches 75 octets, the line break excluded
_LINE_OCTETS = 74


def fold(line: str) -> bytes:
    """The line's UTF-8 bytes folded as icalendar folds it (``Contentline.to_ical``).

    Each piece is as many whole characters as fit in 74 octets, but a piece never ends in
    a backslash or a caret: that character starts the next piece, so that an escape such
    as ``\\,`` is never split across a fold.
    """
    data = line.encode("utf-8")
    if len(data) <= _LINE_OCTETS:
        return data
    pieces = []
    start = 0
    while len(data) - start > _LINE_OCTETS:
        end = start + _LINE_OCTETS
        while data[end] & 0xC0 == 0x80:  # inside a character: fold before it
            end -= 1
        if data[end - 1] in b"\\^":
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def _frame(name: str, description: str) -> tuple[bytes, bytes]:
    """A calendar's text before its events and after them."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("description", description)
    cal.add("x-wr-caldesc", description)
    cal.add("refresh-interval", dt.timedelta(days=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "P1D")
    head, end = cal.to_ical().rsplit(b"END:VCALENDAR", 1)
    return head, b"END:VCALENDAR" + end


def _vevent(kb: KnowledgeBase, event: EventEntry, site: Site) -> Event:
    record = event.record
    day = record.date.start
    vevent = Event()
    vevent.add("uid", uid(event, site))
    vevent.add("dtstamp", midnight(max(s.published.start for s in record.sources)))
    vevent.add("dtstart", day)
    vevent.add("dtend", day + dt.timedelta(days=1))
    vevent.add("summary", record.title)
    url = site.url + event_path(event.id) if site.url else None
    parts = [f"{date_line(event)}. Status: {record.status}.", summary_text(record.summary)]
    if url:
        parts.append(url)
        vevent.add("url", url)
    vevent.add("description", "\n\n".join(parts))
    vevent.add("status", STATUS[record.status])
    vevent.add("transp", "TRANSPARENT")
    vevent.add("categories", [kb.topics[t].name for t in record.topics])
    if record.places:
        vevent.add("location", "; ".join(record.places))
    return vevent
