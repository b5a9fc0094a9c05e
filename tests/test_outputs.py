"""Feeds, calendars and data files: parsed back with their own readers and checked against
the records, for the real content/ and for small knowledge bases made here."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
from helpers import PROJECT_ROOT, write_kb
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from generator.dates import Precision
from generator.diagnostics import has_errors
from generator.loader import load
from generator.model import KnowledgeBase, build_model
from generator.outputs import render_outputs
from generator.outputs.common import event_path
from generator.schema import Company, Event, Topic
from generator.validate import validate

CONTENT = PROJECT_ROOT / "content"
TODAY = dt.date(2026, 3, 12)
SITE = "https://kb.example.org/"
QUARTERLY = "alibaba/2026-03-19-quarterly-results"
ROME = "alibaba/2026-03-rome-crypto-mining-incident"


def build(content: Path, today: dt.date = TODAY) -> KnowledgeBase:
    files, load_problems = load(content)
    checked, problems = validate(files, today)
    diagnostics = load_problems + problems
    assert not has_errors(diagnostics), [d.format() for d in diagnostics]
    return build_model(checked, today)


def parse_feed(data: bytes, base: str | None = None) -> feedparser.FeedParserDict:
    headers = {"content-location": base, "content-type": "application/atom+xml"} if base else None
    feed = feedparser.parse(data, response_headers=headers)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def vevents(data: bytes) -> list:
    calendar = Calendar.from_ical(data)
    assert calendar.name == "VCALENDAR"
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def feed_time(struct) -> dt.datetime:
    return dt.datetime(*struct[:6], tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return build(CONTENT)


@pytest.fixture(scope="module")
def out(kb: KnowledgeBase) -> dict[str, bytes]:
    return render_outputs(kb, SITE)


# --- a small knowledge base with every status and precision ------------------------------------

FIXTURE_COMPANIES = {
    "acme": 'name: "Acme & Sons <Ltd>"\n',
    "beta": "name: Beta GmbH\n",
    "idle": "name: Idle Corp\n",
}
FIXTURE_TOPICS = {
    "widgets": "name: Widgets\n",
    "money": "name: Money\n",
    "quiet": "name: Quiet topic\n",
}


def _event(title, date, status, companies, topics, summary="Something happened.", extra=""):
    return (
        f'title: "{title}"\ndate: "{date}"\nstatus: {status}\ntype: other\n'
        f"companies: [{', '.join(companies)}]\ntopics: [{', '.join(topics)}]\nlang: en\n"
        f"summary: |\n"
        + "".join(f"  {line}\n" for line in summary.splitlines())
        + extra
        + (f'sources:\n  - title: "Report on {title}"\n    published: 2026-03-01\n    lang: en\n')
    )


FIXTURE_EVENTS = {
    "acme/2026-04-02-launch": _event(
        "Acme launches the Ü-widget, with commas; semicolons & <angles>",
        "2026-04-02",
        "scheduled",
        ["acme", "beta"],
        ["widgets", "money"],
        summary=(
            "The *new* widget, see [the notice](https://example.com/a?b=1&c=2).\n"
            "\n"
            "Second paragraph: 5 < 6 & 7 > 3."
        ),
        extra=(
            "date_note: before noon, Berlin time\n"
            "places:\n  - Berlin\n  - Paris\n"
            "amounts:\n  - value: 0.10\n    currency: EUR\n  - value: 8.4e9\n    currency: USD\n"
        ),
    ),
    "acme/2026-05-10-meeting": _event(
        "Acme shareholder meeting", "2026-05-10", "postponed", ["acme"], ["money"]
    ),
    "beta/2026-06-01-deal": _event(
        "Beta and Acme deal called off", "2026-06-01", "cancelled", ["beta", "acme"], ["money"]
    ),
    "acme/2026-02-03-recall": _event(
        "Acme recalls a batch of widgets", "2026-02-03", "occurred", ["acme"], ["widgets"]
    ),
    "acme/2026-q3-plan": _event(
        "Acme plans a factory", "2026-Q3", "scheduled", ["acme"], ["money"]
    ),
    "acme/2026-01-hiring": _event("Acme hires", "2026-01", "occurred", ["acme"], ["widgets"]),
    "beta/2025-annual-report": _event(
        "Beta annual report", "2025", "occurred", ["beta"], ["money"]
    ),
}
DAY_EVENTS = {
    "acme/2026-04-02-launch",
    "acme/2026-05-10-meeting",
    "beta/2026-06-01-deal",
    "acme/2026-02-03-recall",
}


@pytest.fixture
def small(tmp_path: Path) -> KnowledgeBase:
    content = write_kb(
        tmp_path, companies=FIXTURE_COMPANIES, topics=FIXTURE_TOPICS, events=FIXTURE_EVENTS
    )
    return build(content)


# --- which files ---------------------------------------------------------------------------------


def test_one_file_per_company_topic_and_kind(kb: KnowledgeBase, out: dict[str, bytes]) -> None:
    expected = {
        "feeds/all.atom.xml",
        "calendars/all.ics",
        "api/events.json",
        "api/companies.json",
        "api/topics.json",
        "events.csv",
    }
    for cid in kb.companies:
        expected |= {
            f"feeds/companies/{cid}.atom.xml",
            f"calendars/companies/{cid}.ics",
            f"api/companies/{cid}.json",
        }
    expected |= {f"feeds/topics/{tid}.atom.xml" for tid in kb.topics}
    # The search index's files are named by their content (tests/test_search.py).
    search = {path for path in out if path.startswith("search/kb/")}
    assert "search/kb/index.json" in search
    assert set(out) - search == expected
    assert all(isinstance(data, bytes) and data for data in out.values())


def test_links_point_at_the_pages_render_writes(kb: KnowledgeBase) -> None:
    # MkDocs serves events/<id>.md at events/<id>/ (directory URLs).
    for event in kb.events:
        assert event.page.removesuffix(".md") + "/" == event_path(event.id)


# --- calendars -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["calendars/companies/alibaba.ics", "calendars/all.ics"])
def test_quarterly_results_is_an_all_day_event(
    kb: KnowledgeBase, out: dict[str, bytes], path: str
) -> None:
    record = kb.events_by_id[QUARTERLY].record
    found = [v for v in vevents(out[path]) if str(v["UID"]) == f"{QUARTERLY}@kb.example.org"]
    assert len(found) == 1
    vevent = found[0]
    start, end = vevent.decoded("DTSTART"), vevent.decoded("DTEND")
    assert type(start) is dt.date and start == dt.date(2026, 3, 19)
    assert type(end) is dt.date and end == dt.date(2026, 3, 20)
    assert vevent["DTSTART"].params.get("VALUE") == "DATE"
    assert str(vevent["SUMMARY"]) == record.title
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["URL"]) == f"{SITE}events/{QUARTERLY}/"
    description = str(vevent["DESCRIPTION"])
    assert "19 March 2026 (before US market open)" in description
    assert "Alibaba will publish its unaudited results" in description
    # DTSTAMP: the day of the newest source, not the build's clock.
    assert vevent.decoded("DTSTAMP") == instant(dt.date(2026, 3, 12))
    assert [str(c) for c in vevent["CATEGORIES"].cats] == ["Earnings", "Artificial intelligence"]


def test_uid_is_stable(kb: KnowledgeBase) -> None:
    first = {str(v["UID"]) for v in vevents(render_outputs(kb, SITE)["calendars/all.ics"])}
    rebuilt = build(CONTENT, today=dt.date(2027, 1, 1))
    second = {str(v["UID"]) for v in vevents(render_outputs(rebuilt, SITE)["calendars/all.ics"])}
    assert first == second
    assert f"{QUARTERLY}@kb.example.org" in first
    without_url = vevents(render_outputs(kb, "")["calendars/all.ics"])
    assert f"{QUARTERLY}@company-events-kb" in {str(v["UID"]) for v in without_url}


def test_month_precision_rome_incident_is_in_no_calendar(
    kb: KnowledgeBase, out: dict[str, bytes]
) -> None:
    rome = kb.events_by_id[ROME].record
    assert rome.date.precision is Precision.MONTH
    calendars = [path for path in out if path.endswith(".ics")]
    assert "calendars/companies/alibaba.ics" in calendars
    for path in calendars:
        for vevent in vevents(out[path]):
            assert ROME not in str(vevent["UID"]), path
            assert str(vevent["SUMMARY"]) != rome.title, path


def test_calendars_hold_exactly_the_day_events(kb: KnowledgeBase, out: dict[str, bytes]) -> None:
    def days(events):
        return {e.id for e in events if e.record.date.precision is Precision.DAY}

    all_uids = [str(v["UID"]).split("@")[0] for v in vevents(out["calendars/all.ics"])]
    assert set(all_uids) == days(kb.events) and len(all_uids) == len(set(all_uids))
    assert all_uids  # the real content has day events
    for cid in kb.companies:
        got = {str(v["UID"]).split("@")[0] for v in vevents(out[f"calendars/companies/{cid}.ics"])}
        assert got == days(kb.events_of_company.get(cid, [])), cid


def test_calendar_status_order_and_text(small: KnowledgeBase) -> None:
    files = render_outputs(small, "")
    events = vevents(files["calendars/all.ics"])
    ids = [str(v["UID"]).removesuffix("@company-events-kb") for v in events]
    assert set(ids) == DAY_EVENTS
    assert ids == sorted(ids, key=lambda i: (small.events_by_id[i].record.date.start, i))
    status = {i: str(v["STATUS"]) for i, v in zip(ids, events, strict=True)}
    assert status == {
        "acme/2026-04-02-launch": "CONFIRMED",
        "acme/2026-05-10-meeting": "TENTATIVE",
        "beta/2026-06-01-deal": "CANCELLED",
        "acme/2026-02-03-recall": "CONFIRMED",
    }
    launch = events[ids.index("acme/2026-04-02-launch")]
    assert str(launch["SUMMARY"]) == (
        "Acme launches the Ü-widget, with commas; semicolons & <angles>"
    )
    assert str(launch["LOCATION"]) == "Berlin; Paris"
    description = str(launch["DESCRIPTION"])
    # Markdown becomes plain text; the link keeps its address.
    assert "The new widget, see the notice (https://example.com/a?b=1&c=2)." in description
    assert "Second paragraph: 5 < 6 & 7 > 3." in description
    assert "*" not in description and "<p>" not in description
    # Without a site address there is no URL to give.
    assert "URL" not in launch
    # A cancelled deal shared by two companies is in both companies' calendars.
    for cid in ("acme", "beta"):
        uids = {str(v["UID"]) for v in vevents(files[f"calendars/companies/{cid}.ics"])}
        assert "beta/2026-06-01-deal@company-events-kb" in uids
    # A company with no day events still has a calendar, with none in it.
    assert vevents(files["calendars/companies/idle.ics"]) == []
    names = Calendar.from_ical(files["calendars/companies/idle.ics"])
    assert str(names["X-WR-CALNAME"]) == "Company events: Idle Corp"


# --- feeds ---------------------------------------------------------------------------------------


def test_all_feed_is_newest_first_and_complete(kb: KnowledgeBase, out: dict[str, bytes]) -> None:
    feed = parse_feed(out["feeds/all.atom.xml"])
    ids = [e.id for e in feed.entries]
    assert ids == [f"tag:kb.example.org,2026:events/{e.id}" for e in kb.events]
    dates = [feed_time(e.published_parsed) for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == instant(dt.date(2026, 3, 19))
    assert feed_time(feed.feed.updated_parsed) == dates[0]


def test_feed_entries_carry_the_record(kb: KnowledgeBase, out: dict[str, bytes]) -> None:
    feed = parse_feed(out["feeds/all.atom.xml"])
    by_id = {e.id.rsplit(":", 1)[1].removeprefix("events/"): e for e in feed.entries}
    assert set(by_id) == set(kb.events_by_id)
    for event_id, entry in by_id.items():
        record = kb.events_by_id[event_id].record
        assert entry.title == record.title
        assert entry.link == f"{SITE}events/{event_id}/"
        assert feed_time(entry.updated_parsed) == instant(record.date.start)
        assert feed_time(entry.published_parsed) == instant(record.date.start)
        assert entry.summary.startswith("<p>")
        assert " ".join(record.summary.split()[:6]) in " ".join(entry.summary.split())
        assert [t.term for t in entry.tags] == record.topics
        assert [t.label for t in entry.tags] == [kb.topics[t].name for t in record.topics]
        names = [entry.author] + [c.name for c in entry.get("contributors", [])]
        assert names == [kb.companies[c].name for c in record.companies]


@pytest.mark.parametrize("kind", ["companies", "topics"])
def test_each_feed_holds_exactly_its_events(
    kb: KnowledgeBase, out: dict[str, bytes], kind: str
) -> None:
    entries = kb.companies if kind == "companies" else kb.topics
    index = kb.events_of_company if kind == "companies" else kb.events_of_topic
    field = "companies" if kind == "companies" else "topics"
    nonempty = 0
    for key in entries:
        feed = parse_feed(out[f"feeds/{kind}/{key}.atom.xml"])
        got = [e.id.removeprefix("tag:kb.example.org,2026:events/") for e in feed.entries]
        expected = [e.id for e in kb.events if key in getattr(e.record, field)]
        assert got == expected, key
        assert got == [e.id for e in index.get(key, [])], key
        nonempty += bool(got)
        assert feed.feed.link == f"{SITE}{kind}/{key}/"
    assert nonempty >= 3


def test_feed_dates_come_from_the_records(kb: KnowledgeBase, out: dict[str, bytes]) -> None:
    allowed = {instant(e.record.date.start) for e in kb.events}
    for path in (p for p in out if p.startswith("feeds/")):
        feed = parse_feed(out[path])
        assert feed_time(feed.feed.updated_parsed) in allowed, path
        for entry in feed.entries:
            assert feed_time(entry.updated_parsed) in allowed, path
        # No library version in the output: it would change the bytes on an upgrade.
        assert feed.feed.generator == "company-events-kb"
        assert "version" not in feed.feed.generator_detail


def test_feeds_without_site_url_link_relative_to_the_feed(small: KnowledgeBase) -> None:
    files = render_outputs(small, "")
    for path in (
        "feeds/all.atom.xml",
        "feeds/companies/acme.atom.xml",
        "feeds/topics/money.atom.xml",
    ):
        base = f"http://kb.test/{path}"
        raw = parse_feed(files[path])
        resolved = parse_feed(files[path], base=base)
        assert resolved.entries, path
        for entry, raw_entry in zip(resolved.entries, raw.entries, strict=True):
            event_id = entry.id.removeprefix("tag:company-events-kb,2026:events/")
            assert event_id in small.events_by_id
            assert not raw_entry.link.startswith(("http:", "https:", "/")), raw_entry.link
            assert entry.link == f"http://kb.test/events/{event_id}/"


def test_feed_text_is_escaped_not_interpreted(small: KnowledgeBase) -> None:
    feed = parse_feed(render_outputs(small, SITE)["feeds/companies/beta.atom.xml"])
    launch = next(e for e in feed.entries if e.id.endswith("acme/2026-04-02-launch"))
    assert launch.title == "Acme launches the Ü-widget, with commas; semicolons & <angles>"
    assert launch.author == "Acme & Sons <Ltd>"
    assert [c.name for c in launch.contributors] == ["Beta GmbH"]
    assert "<em>new</em>" in launch.summary
    assert 'href="https://example.com/a?b=1&amp;c=2"' in launch.summary
    assert "5 &lt; 6 &amp; 7 &gt; 3" in launch.summary


def test_empty_feeds_are_valid_and_dated_by_the_newest_event(small: KnowledgeBase) -> None:
    files = render_outputs(small, SITE)
    newest = instant(small.events[0].record.date.start)
    for path in ("feeds/companies/idle.atom.xml", "feeds/topics/quiet.atom.xml"):
        feed = parse_feed(files[path])
        assert feed.entries == []
        assert feed_time(feed.feed.updated_parsed) == newest


def test_a_knowledge_base_without_events(tmp_path: Path) -> None:
    content = write_kb(tmp_path, companies={"idle": "name: Idle Corp\n"}, topics={})
    empty = build(content, today=dt.date(2026, 3, 12))
    files = render_outputs(empty, SITE)
    feed = parse_feed(files["feeds/all.atom.xml"])
    assert feed.entries == []
    assert feed_time(feed.feed.updated_parsed) == instant(dt.date(2026, 3, 12))
    assert vevents(files["calendars/all.ics"]) == []
    assert json.loads(files["api/events.json"]) == []
    assert list(csv.reader(io.StringIO(files["events.csv"].decode()))) == [
        ["id", "url", *Event.model_fields]
    ]


# --- data ----------------------------------------------------------------------------------------


def _record_fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("id", "url", "events")}


def test_events_json_round_trips_every_field(kb: KnowledgeBase, out: dict[str, bytes]) -> None:
    data = json.loads(out["api/events.json"])
    assert [d["id"] for d in data] == [e.id for e in kb.events]
    for item in data:
        event = kb.events_by_id[item["id"]]
        assert list(item) == ["id", "url", *Event.model_fields]
        assert item["url"] == f"{SITE}events/{event.id}/"
        assert item["date"] == event.record.date.iso()
        assert Event.model_validate(_record_fields(item)) == event.record
    ant = next(d for d in data if d["id"].startswith("ant-digital/"))
    assert ant["amounts"] == [
        {
            "value": "60000000000",
            "currency": "CNY",
            "note": "about; the source gives about 8.4 billion US dollars",
        }
    ]
    assert ant["sources"][0]["published"] == "2026-03-12"
    assert out["api/events.json"].endswith(b"]\n")
    assert "„Xuantie“".encode() in out["api/events.json"]  # ensure_ascii=False


def test_companies_and_topics_json(kb: KnowledgeBase, out: dict[str, bytes]) -> None:
    companies = json.loads(out["api/companies.json"])
    assert [c["id"] for c in companies] == sorted(kb.companies)
    for item in companies:
        assert Company.model_validate(_record_fields(item)) == kb.companies[item["id"]].record
        assert item["url"] == f"{SITE}companies/{item['id']}/"
        single = json.loads(out[f"api/companies/{item['id']}.json"])
        assert _record_fields(single) == _record_fields(item)
        assert [e["id"] for e in single["events"]] == [
            e.id for e in kb.events_of_company.get(item["id"], [])
        ]
        for event in single["events"]:
            assert (
                Event.model_validate(_record_fields(event)) == kb.events_by_id[event["id"]].record
            )
    topics = json.loads(out["api/topics.json"])
    assert [t["id"] for t in topics] == sorted(kb.topics)
    for item in topics:
        assert Topic.model_validate(_record_fields(item)) == kb.topics[item["id"]].record
    assert len(json.loads(out["api/companies/alibaba.json"])["events"]) == 4


def test_amounts_are_exact_strings(small: KnowledgeBase) -> None:
    files = render_outputs(small, "")
    events = {d["id"]: d for d in json.loads(files["api/events.json"])}
    launch = events["acme/2026-04-02-launch"]
    assert [a["value"] for a in launch["amounts"]] == ["0.10", "8400000000"]
    assert launch["date"] == "2026-04-02"
    assert events["acme/2026-q3-plan"]["date"] == "2026-Q3"
    assert events["beta/2025-annual-report"]["date"] == "2025"
    # Relative to the file: api/events.json → ../events/<id>/
    assert urljoin("http://kb.test/api/events.json", launch["url"]) == (
        "http://kb.test/events/acme/2026-04-02-launch/"
    )
    single = json.loads(files["api/companies/acme.json"])
    assert urljoin("http://kb.test/api/companies/acme.json", single["url"]) == (
        "http://kb.test/companies/acme/"
    )
    for item in events.values():
        assert Event.model_validate(_record_fields(item)) == small.events_by_id[item["id"]].record


def test_csv_has_one_row_per_event(kb: KnowledgeBase, out: dict[str, bytes]) -> None:
    rows = list(csv.DictReader(io.StringIO(out["events.csv"].decode("utf-8"), newline="")))
    assert len(rows) == len(kb.events)
    assert [r["id"] for r in rows] == [e.id for e in kb.events]
    for row in rows:
        record = kb.events_by_id[row["id"]].record
        assert list(row) == ["id", "url", *Event.model_fields]
        assert row["url"] == f"{SITE}events/{row['id']}/"
        assert row["title"] == record.title
        assert row["date"] == record.date.iso()
        assert row["date_note"] == (record.date_note or "")
        assert row["summary"] == record.summary
        assert row["companies"].split(";") == record.companies
        assert row["topics"].split(";") == record.topics
        assert row["translations"] == ";".join(record.translations)
    jinshan = next(r for r in rows if r["id"].startswith("alibaba-cloud/"))
    assert jinshan["date_note"].startswith("the Monday before the report")
    assert jinshan["related"] == QUARTERLY
    assert next(r for r in rows if r["id"].startswith("ant-digital/"))["amounts"] == (
        "60000000000 CNY"
    )


def test_csv_of_the_small_kb(small: KnowledgeBase) -> None:
    text = render_outputs(small, "")["events.csv"].decode("utf-8")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert len(rows) == len(small.events) == len(FIXTURE_EVENTS)
    launch = rows["acme/2026-04-02-launch"]
    assert launch["amounts"] == "0.10 EUR;8400000000 USD"
    assert launch["places"] == "Berlin;Paris"
    assert launch["companies"] == "acme;beta"
    assert (
        launch["sources"]
        == "Report on Acme launches the Ü-widget, with commas; semicolons & <angles>"
    )
    assert launch["related"] == "" and launch["translations"] == ""
    assert launch["url"] == "events/acme/2026-04-02-launch/"


# --- reproducibility -----------------------------------------------------------------------------


def test_outputs_are_byte_identical_across_runs(kb: KnowledgeBase, out: dict[str, bytes]) -> None:
    again = render_outputs(build(CONTENT), SITE)
    assert again == out
    # "Today" only dates a feed of a knowledge base with no events at all.
    later = render_outputs(build(CONTENT, today=dt.date(2027, 6, 30)), SITE)
    assert later == out


_DIGEST = """
import datetime as dt, hashlib, sys
from pathlib import Path
from generator.loader import load
from generator.validate import validate
from generator.model import build_model
from generator.outputs import render_outputs
files, _ = load(Path(sys.argv[1]))
checked, _ = validate(files, dt.date(2026, 3, 12))
out = render_outputs(build_model(checked, dt.date(2026, 3, 12)), sys.argv[2])
for path, data in out.items():
    print(path, hashlib.sha256(data).hexdigest())
"""


def test_outputs_are_byte_identical_across_processes(out: dict[str, bytes]) -> None:
    expected = "".join(f"{p} {hashlib.sha256(d).hexdigest()}\n" for p, d in out.items())
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", _DIGEST, str(CONTENT), SITE],
            cwd=PROJECT_ROOT,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin", "TZ": "Pacific/Kiritimati"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected


def test_site_url_with_a_path(kb: KnowledgeBase) -> None:
    files = render_outputs(kb, "https://example.github.io/kb")
    feed = parse_feed(files["feeds/all.atom.xml"])
    assert feed.entries[0].link == f"https://example.github.io/kb/events/{QUARTERLY}/"
    assert feed.entries[0].id == f"tag:example.github.io,2026:kb/events/{QUARTERLY}"
    self_link = next(link for link in feed.feed.links if link.rel == "self")
    assert self_link.href == "https://example.github.io/kb/feeds/all.atom.xml"
    uids = {str(v["UID"]) for v in vevents(files["calendars/all.ics"])}
    assert f"kb/{QUARTERLY}@example.github.io" in uids


def test_site_url_must_be_http(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="site_url"):
        render_outputs(kb, "ftp://example.org/")


def test_feeds_hold_the_newest_events_up_to_the_limit(kb, monkeypatch):
    from generator.outputs import feeds

    monkeypatch.setattr(feeds, "FEED_LIMIT", 2)
    files = render_outputs(kb, "https://kb.example/")
    entries = parse_feed(files["feeds/all.atom.xml"]).entries
    newest = [e for e in kb.events[:2]]
    assert [entry.title for entry in entries] == [e.record.title for e in newest]
    alibaba = parse_feed(files["feeds/companies/alibaba.atom.xml"]).entries
    assert [entry.title for entry in alibaba] == [
        e.record.title for e in kb.events_of_company["alibaba"][:2]
    ]


@pytest.mark.parametrize("which", ["kb", "small"])
def test_the_events_list_and_csv_are_encoded_as_one_whole(which, request) -> None:
    """Each event is encoded on its own (and kept by the render cache); joined, they are
    byte for byte what encoding the whole list at once gives."""
    from generator.outputs.api import CSV_COLUMNS, _csv_row, event_data
    from generator.outputs.common import Site

    kb: KnowledgeBase = request.getfixturevalue(which)
    out = render_outputs(kb, SITE)
    site = Site.of(SITE)
    whole = [event_data(e, site, "api/events.json") for e in kb.events]
    assert (
        out["api/events.json"] == (json.dumps(whole, ensure_ascii=False, indent=2) + "\n").encode()
    )
    assert any("\n" in e.record.summary for e in kb.events)  # escaped, never indented
    rows = io.StringIO(newline="")
    writer = csv.DictWriter(rows, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(_csv_row(e, site) for e in kb.events)
    assert out["events.csv"] == rows.getvalue().encode()


def test_an_empty_events_list() -> None:
    from generator.outputs.api import _json, _json_list

    assert _json_list([]) == _json([]) == b"[]\n"


# --- the data files' JSON is the standard library's, byte for byte -----------------------------

_JSON_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(_JSON)
def test_the_data_files_are_indented_as_the_standard_library_indents_them(data):
    """The data files are written with orjson, for speed, in exactly the form
    ``json.dumps(..., ensure_ascii=False, indent=2)`` gives: control characters escaped,
    other text as it is, empty lists and objects on one line; and as an item of a list."""
    from generator.outputs import api

    expected = json.dumps(data, ensure_ascii=False, indent=2)
    assert api._json(data) == (expected + "\n").encode()
    assert (
        api._json_list([api._json_item(data)])
        == (json.dumps([data], ensure_ascii=False, indent=2) + "\n").encode()
    )
