"""Atom feeds (RFC 4287): every event, and the events of each company and each topic.

Files, by their path in the site:

- ``feeds/all.atom.xml``
- ``feeds/companies/<company-id>.atom.xml`` (one for every company, even without events)
- ``feeds/topics/<topic-id>.atom.xml`` (one for every topic, even without events)

Entries are newest first, in the model's order, at most ``FEED_LIMIT`` of them.
An entry's ``published`` and ``updated`` are the first instant (UTC) of the
event's date, so an event known only to the month is dated to the 1st. A feed's
``updated`` is its newest entry's; a feed without entries takes the newest
event of the whole knowledge base (or the model's ``today`` when there is
none). Nothing reads the clock: the same records give the same bytes.

Ids are tag: URIs that do not depend on the scheme or the site's path layout
changing: ``tag:<host>,2026:<base path>events/<event-id>``. Links are absolute
when the site's address is known, otherwise relative to the feed file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from feedgen.feed import FeedGenerator

from ..model import EventEntry, KnowledgeBase
from ..render_cache import NO_MEMO, Memo, NoMemo
from .common import (
    Site,
    carried,
    company_path,
    event_instant,
    event_path,
    midnight,
    summary_html,
    topic_path,
)

ALL = "feeds/all.atom.xml"
#: Entries per feed: readers poll for what is new, and a feed of every event of a
#: large knowledge base would cost every subscriber megabytes on every poll.
FEED_LIMIT = 100
GENERATOR = "company-events-kb"


def company_feed(company_id: str) -> str:
    return f"feeds/companies/{company_id}.atom.xml"


def topic_feed(topic_id: str) -> str:
    return f"feeds/topics/{topic_id}.atom.xml"


def render_feeds(kb: KnowledgeBase, site: Site, memo: Memo | NoMemo = NO_MEMO) -> dict[str, bytes]:
    """Every Atom feed of the site, by its docs-relative path.

    A feed is rendered again only when what it shows changed (``memo``, render_cache.py).
    """
    fallback = event_instant(kb.events[0]) if kb.events else midnight(kb.today)
    # A feed without events is dated by the newest event of all: when that changed, every
    # such feed did, whatever the changes reached.
    changes = memo.changes if memo.kept("feeds fallback") == fallback else None
    memo.keep("feeds fallback", fallback)

    def feed(path: str, **what: Any) -> bytes:
        what["events"] = what["events"][:FEED_LIMIT]
        inputs = {**what, "site": site, "fallback": fallback}
        return memo.file(path, inputs, lambda: _feed(kb, site, path, fallback=fallback, **what))

    files = {
        ALL: feed(
            ALL,
            title=f"{site.name}: all events",
            subtitle="Every event in the knowledge base, newest first.",
            page="",
            events=kb.events,
        )
    }
    for kind, entries, events, feed_path, page_path, reached in (
        ("Events of", kb.companies, kb.events_of_company, company_feed, company_path, "companies"),
        ("Events on", kb.topics, kb.events_of_topic, topic_feed, topic_path, "topics"),
    ):
        for entry in entries.values():
            path = feed_path(entry.id)
            kept = carried(memo, changes, reached, entry.id, path)
            files[path] = (
                kept
                if kept is not None
                else feed(
                    path,
                    title=f"{site.name}: {entry.name}",
                    subtitle=f"{kind} {entry.name}, newest first.",
                    page=page_path(entry.id),
                    events=events.get(entry.id, []),
                )
            )
    return files


def _feed(
    kb: KnowledgeBase,
    site: Site,
    path: str,
    *,
    title: str,
    subtitle: str,
    page: str,
    events: list[EventEntry],
    fallback: dt.datetime,
) -> bytes:
    fg = FeedGenerator()
    fg.id(site.tag(path.removesuffix(".atom.xml")))
    fg.title(title)
    fg.subtitle(subtitle)
    fg.link(href=site.link(page, path), rel="alternate", type="text/html")
    fg.link(href=site.link(path, path), rel="self", type="application/atom+xml")
    # Without a version: the bytes must not change with the installed library.
    fg.generator(GENERATOR)
    fg.author(name=site.name)
    events = events[:FEED_LIMIT]
    fg.updated(max((event_instant(e) for e in events), default=fallback))
    for event in events:
        _entry(fg, kb, site, path, event)
    return fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def _entry(fg: FeedGenerator, kb: KnowledgeBase, site: Site, path: str, event: EventEntry) -> None:
    record = event.record
    entry = fg.add_entry(order="append")
    entry.id(site.tag(f"events/{event.id}"))
    entry.title(record.title)
    entry.link(href=site.link(event_path(event.id), path), rel="alternate", type="text/html")
    instant = event_instant(event)
    entry.published(instant)
    entry.updated(instant)
    entry.summary(summary_html(record.summary), type="html")
    owner, *others = [kb.companies[c] for c in record.companies]
    entry.author(name=owner.name, uri=site.link(company_path(owner.id), path))
    for company in others:
        entry.contributor(name=company.name, uri=site.link(company_path(company.id), path))
    for topic_id in record.topics:
        # A category's scheme must be an absolute IRI: left out when the address is unknown.
        scheme = {"scheme": site.url + "topics/"} if site.url else {}
        entry.category(term=topic_id, label=kb.topics[topic_id].name, **scheme)
