"""The records as data: JSON for programs, CSV for spreadsheets.

Files, by their path in the site:

- ``api/events.json``: a list of every event
- ``api/companies.json``, ``api/topics.json``: lists of every company and topic
- ``api/companies/<company-id>.json``: one company, with its events under ``events``
- ``events.csv``: one row per event, flat columns

Each object has ``id`` and ``url`` (its page) first, then every field of its YAML
record under the same name, in the schema's order, absent ones as null, [] or {}.
Dates are written as contributors write them (``2026-03-19``, ``2026-03``,
``2026-Q1``, ``2026``); amounts as exact decimal strings (``"60000000000"``).

Order: events newest first, as the site lists them (by date start, then end,
then id, all descending; the model's order). Companies and topics by id.

``url`` is absolute when the site's address is known, otherwise relative to
the file it is written in (``../events/<id>/`` in ``api/events.json``).

In the CSV, list fields are joined with ";": ids for companies, topics and
related; ``<value> <currency>`` for amounts; each source's url, or its title
when it has none; language codes for translations. Places and source titles
are free text and may hold ";" themselves: use the JSON for the full records.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson

from ..model import CompanyEntry, EventEntry, KnowledgeBase, TopicEntry
from ..render_cache import NO_MEMO, Memo, NoMemo
from ..schema import Event
from .common import Site, carried, company_path, event_path, topic_path

EVENTS = "api/events.json"
COMPANIES = "api/companies.json"
TOPICS = "api/topics.json"
CSV = "events.csv"
#: The CSV's columns: id, url, then the event record's fields.
CSV_COLUMNS = ("id", "url", *Event.model_fields)


def company_json(company_id: str) -> str:
    return f"api/companies/{company_id}.json"


def event_data(event: EventEntry, site: Site, from_file: str) -> dict[str, Any]:
    """One event as JSON-ready data: id, url, then the record's fields."""
    return {
        "id": event.id,
        "url": site.link(event_path(event.id), from_file),
        **event.record.model_dump(mode="json"),
    }


def company_data(company: CompanyEntry, site: Site, from_file: str) -> dict[str, Any]:
    return {
        "id": company.id,
        "url": site.link(company_path(company.id), from_file),
        **company.record.model_dump(mode="json"),
    }


def topic_data(topic: TopicEntry, site: Site, from_file: str) -> dict[str, Any]:
    return {
        "id": topic.id,
        "url": site.link(topic_path(topic.id), from_file),
        **topic.record.model_dump(mode="json"),
    }


def render_api(kb: KnowledgeBase, site: Site, memo: Memo | NoMemo = NO_MEMO) -> dict[str, bytes]:
    """The JSON files and the CSV, by their docs-relative paths; the lists of companies
    and topics, and a company's file, are rendered again only when what they hold
    changed (``memo``, render_cache.py)."""
    companies, topics = _by_id(kb.companies), _by_id(kb.topics)
    files = {
        EVENTS: _json_list(_event_items(kb.events, site, EVENTS, memo)),
        COMPANIES: memo.file(
            COMPANIES,
            {"companies": companies, "site": site},
            lambda: _json([company_data(c, site, COMPANIES) for c in companies]),
        ),
        TOPICS: memo.file(
            TOPICS,
            {"topics": topics, "site": site},
            lambda: _json([topic_data(t, site, TOPICS) for t in topics]),
        ),
    }
    for company in companies:
        path = company_json(company.id)
        kept = carried(memo, memo.changes, "companies", company.id, path)
        if kept is not None:
            files[path] = kept
            continue
        events = kb.events_of_company.get(company.id, [])
        files[path] = memo.file(
            path,
            {"company": company, "events": events, "site": site},
            lambda company=company, path=path, events=events: _json(
                {
                    **company_data(company, site, path),
                    "events": [event_data(e, site, path) for e in events],
                }
            ),
        )
    files[CSV] = _csv(kb, site, memo)
    return files


def _event_items(
    events: list[EventEntry], site: Site, path: str, memo: Memo | NoMemo
) -> list[bytes]:
    """Each event as an item of the JSON list in ``path``: after one edit, one is encoded."""
    return memo.each(path, events, {"site": site}, lambda e: _json_item(event_data(e, site, path)))


def _json_item(data: object) -> bytes:
    """``data`` as ``_json`` writes it as an item of a list: indented one level more."""
    return b"  " + orjson.dumps(data, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  ")


def _json_list(items: list[bytes]) -> bytes:
    """The list of these ``_json_item`` texts, exactly as ``_json`` writes the list (as
    bytes throughout: the list of 10,000 events is 20 MB)."""
    return b"[\n" + b",\n".join(items) + b"\n]\n" if items else b"[]\n"


def _by_id(entries: dict[str, Any]) -> list[Any]:
    return [entries[key] for key in sorted(entries)]


def _json(data: object) -> bytes:
    """``data`` as ``json.dumps(data, ensure_ascii=False, indent=2)`` writes it, and a line
    end. orjson gives the same bytes (a test holds it to that); Python's own encoder does
    indented JSON in Python, which took half of the data files' time."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"


def _csv(kb: KnowledgeBase, site: Site, memo: Memo | NoMemo = NO_MEMO) -> bytes:
    out = io.StringIO(newline="")
    csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n").writeheader()
    lines = memo.each(CSV, kb.events, {"site": site}, lambda e: _csv_line(_csv_row(e, site)))
    return out.getvalue().encode() + b"".join(lines)


def _csv_line(row: dict[str, str]) -> bytes:
    out = io.StringIO(newline="")
    csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n").writerow(row)
    return out.getvalue().encode()


def _csv_row(event: EventEntry, site: Site) -> dict[str, str]:
    record = event.record
    data = event_data(event, site, CSV)
    row = {key: "" if value is None else value for key, value in data.items()}
    row["companies"] = ";".join(record.companies)
    row["topics"] = ";".join(record.topics)
    row["related"] = ";".join(record.related)
    row["places"] = ";".join(record.places)
    row["amounts"] = ";".join(f"{a['value']} {a['currency']}" for a in data["amounts"])
    row["sources"] = ";".join(s.url or s.title for s in record.sources)
    row["translations"] = ";".join(record.translations)
    return row
