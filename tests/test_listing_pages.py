"""Long listings are paged: company and topic pages, their year pages, and Upcoming.

A knowledge base with a company and topics of more events than a page lists, others
with fewer (one with exactly as many), and more upcoming events than the Upcoming
page shows is built once with ``kb build`` (MkDocs in --strict mode) and read back
as HTML. What each page should list is computed from the records written here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
from helpers import Element, kb_build, links, page_url, parse_html, site_path, write_kb

from generator.render import LISTING_LIMIT, UPCOMING_LIMIT

TODAY = dt.date(2026, 3, 12)  # helpers.TODAY_EPOCH, as every kb run in the tests sees it
MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]


@dataclass(frozen=True)
class Spec:
    """One event record: what is written, and the days it spans."""

    id: str
    title: str
    #: the date as written in the record
    date: str
    start: dt.date
    end: dt.date
    status: str
    companies: tuple[str, ...]
    topics: tuple[str, ...]

    @property
    def sort_key(self) -> tuple[dt.date, dt.date, str]:
        return (self.start, self.end, self.id)

    def yaml(self) -> str:
        return (
            f'title: "{self.title}"\ndate: "{self.date}"\nstatus: {self.status}\ntype: other\n'
            f"companies: [{', '.join(self.companies)}]\ntopics: [{', '.join(self.topics)}]\n"
            f"lang: en\nsummary: Something about {self.title.lower()}.\n"
            f'sources:\n  - title: "Report on {self.title}"\n    published: 2026-03-01\n'
            "    lang: en\n"
        )


def _spec(
    company: str, title: str, date: str, span: tuple[dt.date, dt.date], status: str, topic: str
) -> Spec:
    slug = title.lower().replace(" ", "-")
    return Spec(f"{company}/{date}-{slug}", title, date, *span, status, (company,), (topic,))


def _day(company: str, title: str, day: dt.date, status: str, topic: str) -> Spec:
    return _spec(company, title, day.isoformat(), (day, day), status, topic)


def _records() -> list[Spec]:
    specs = []
    # "big": more events than a page lists, one a month, all about "markets".
    for i in range(LISTING_LIMIT + 7):
        day = dt.date(2021, 1, 10) + dt.timedelta(days=31 * i)
        specs.append(_day("big", f"Big item {i}", day, "occurred", "markets"))
    # One known only to the month and one only to the year: listed by their first day.
    start = specs[20].start.replace(day=1)
    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    specs[20] = _spec("big", "Big item 20", f"{start:%Y-%m}", (start, end), "occurred", "markets")
    year = specs[30].start.year
    span = (dt.date(year, 1, 1), dt.date(year, 12, 31))
    specs[30] = _spec("big", "Big item 30", str(year), span, "occurred", "markets")
    # "small": a few events, one of them upcoming.
    specs.append(_day("small", "Small item 6", dt.date(2025, 6, 1), "occurred", "niche"))
    specs.append(_day("small", "Small item 11", dt.date(2025, 11, 20), "occurred", "niche"))
    specs.append(_day("small", "Small plan", dt.date(2026, 4, 1), "scheduled", "niche"))
    # Scheduled events, more than Upcoming shows; "f1" has exactly as many as a page lists.
    for company, count, offset, step in (
        ("f1", LISTING_LIMIT, 0, 9),
        ("f2", 30, 1, 13),
        ("f3", 26, 2, 17),
    ):
        for k in range(count):
            day = TODAY + dt.timedelta(days=offset + step * k)
            specs.append(_day(company, f"{company} plan {k}", day, "scheduled", "plans"))
    return specs


RECORDS = _records()
COMPANIES = {"big": "Big Corp", "small": "Small Ltd", "f1": "F One", "f2": "F Two", "f3": "F Three"}
TOPICS = {"markets": "Markets", "niche": "Niche", "plans": "Plans"}


def _events_of(kind: str, record_id: str) -> list[Spec]:
    """The events of a company or topic, newest first, as its pages list them."""
    chosen = [s for s in RECORDS if record_id in (s.companies if kind == "companies" else s.topics)]
    return sorted(chosen, key=lambda s: s.sort_key, reverse=True)


def _upcoming() -> list[Spec]:
    chosen = [s for s in RECORDS if s.status == "scheduled" and s.end >= TODAY]
    return sorted(chosen, key=lambda s: s.sort_key)


def test_the_records_exercise_every_case():
    assert len(_events_of("companies", "big")) > LISTING_LIMIT
    assert len(_events_of("topics", "markets")) > LISTING_LIMIT
    assert len(_events_of("topics", "plans")) > LISTING_LIMIT
    assert len(_events_of("companies", "f1")) == LISTING_LIMIT
    assert len(_events_of("topics", "niche")) < LISTING_LIMIT
    assert len(_upcoming()) > UPCOMING_LIMIT
    assert len({s.start.year for s in _events_of("companies", "big")}) >= 5


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("listing")
    content = write_kb(
        root,
        companies={c: f"name: {name}\n" for c, name in COMPANIES.items()},
        topics={t: f"name: {name}\n" for t, name in TOPICS.items()},
        events={s.id: s.yaml() for s in RECORDS},
    )
    result = kb_build(content, root / "docs", root / "site", GIT_CEILING_DIRECTORIES=str(root))
    assert result.returncode == 0, result.stderr
    # Strict, and not a single warning: the only line is the summary.
    assert result.stderr.splitlines()[0].startswith(f"Built {root / 'site'} from "), result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    return root / "site"


# --- reading pages ------------------------------------------------------------------------------


def _html(site: Path, path: str) -> Path:
    return site / path / "index.html"


def _article(site: Path, path: str) -> Element:
    return parse_html(_html(site, path).read_text("utf-8")).find("article", "md-content__inner")


def _heading(element: Element) -> str:
    return "".join(
        c if isinstance(c, str) else ("" if "headerlink" in c.classes else c.text())
        for c in element.children
    ).strip()


def _event_links(site: Path, path: str, within: Element) -> list[str]:
    """Event ids linked from ``within``, in order."""
    return [
        target.removeprefix("events/").rstrip("/")
        for target, _ in links(site, _html(site, path), within=within)
        if target.startswith("events/") and target != "events/"
    ]


def _section(article: Element, heading: str) -> Element:
    """The elements after the h2 with this text, up to the next h2, under one element."""
    children = [c for c in article.children if isinstance(c, Element)]
    start = next(i for i, c in enumerate(children) if c.tag == "h2" and _heading(c) == heading)
    section = Element("#section", {})
    for element in children[start + 1 :]:
        if element.tag == "h2":
            break
        section.children.append(element)
    return section


def _year_pages(site: Path, kind: str, record_id: str) -> set[int]:
    return {int(p.parent.name) for p in (site / kind / record_id).glob("*/index.html")}


def _feeds(site: Path, path: str) -> list[str]:
    """The feeds a page announces in its head, as site paths."""
    page = _html(site, path)
    return [
        site_path(urljoin(page_url(site, page), link.attrs["href"]))
        for link in parse_html(page.read_text("utf-8")).find_all("link")
        if "alternate" in link.attrs.get("rel", "").split()
    ]


# --- companies and topics with more events than a page lists -----------------------------------

PAGED = [("companies", "big", "Big Corp", "Timeline"), ("topics", "markets", "Markets", "Events")]
PAGED += [("topics", "plans", "Plans", "Events")]


@pytest.mark.parametrize(("kind", "record_id", "name", "heading"), PAGED)
def test_page_lists_the_newest_and_links_every_year_page(site, kind, record_id, name, heading):
    events = _events_of(kind, record_id)
    years = sorted({s.start.year for s in events}, reverse=True)
    article = _article(site, f"{kind}/{record_id}")
    section = _section(article, heading)
    assert _event_links(site, f"{kind}/{record_id}", section) == [
        s.id for s in events[:LISTING_LIMIT]
    ]
    # The listing by year, newest first, as on a page of every event.
    shown = sorted({s.start.year for s in events[:LISTING_LIMIT]}, reverse=True)
    assert [_heading(h) for h in section.find_all("h3")] == [str(y) for y in shown]
    note = section.find("p")
    per_year = " · ".join(f"{y} ({sum(s.start.year == y for s in events)})" for y in years)
    assert note.text() == (
        f"The {LISTING_LIMIT} newest of {len(events)} events. Every event is listed on the page\n"
        f"of its year: {per_year}."
    )
    assert links(site, _html(site, f"{kind}/{record_id}"), within=note) == [
        (f"{kind}/{record_id}/{y}/", str(y)) for y in years
    ]


@pytest.mark.parametrize(("kind", "record_id", "name", "heading"), PAGED)
def test_year_pages_hold_exactly_the_events_of_their_year(site, kind, record_id, name, heading):
    events = _events_of(kind, record_id)
    years = sorted({s.start.year for s in events}, reverse=True)
    assert _year_pages(site, kind, record_id) == set(years)
    listed = []
    for year in years:
        path = f"{kind}/{record_id}/{year}"
        article = _article(site, path)
        expected = [s for s in events if s.start.year == year]
        assert _heading(article.find("h1")) == f"{name}: {year}"
        # By month, newest first, each event once.
        months = [f"{MONTHS[m - 1]} {year}" for m in sorted({s.start.month for s in expected})]
        assert [_heading(h) for h in article.find_all("h2")] == months[::-1]
        assert _event_links(site, path, article) == [s.id for s in expected]
        intro = article.find("p")
        count = f"{len(expected)} event{'s' if len(expected) > 1 else ''}"
        assert intro.text() == f"{count} in {year}, by month, newest first. Back to\n{name}."
        assert links(site, _html(site, path), within=intro) == [(f"{kind}/{record_id}/", name)]
        # The feed of its company or topic, as on that one's page.
        feeds = ["feeds/all.atom.xml", f"feeds/{kind}/{record_id}.atom.xml"]
        assert _feeds(site, path) == _feeds(site, f"{kind}/{record_id}") == feeds
        listed += _event_links(site, path, article)
    assert sorted(listed) == sorted(s.id for s in events)


def test_company_year_pages_leave_out_the_company_and_topic_year_pages_name_it(site):
    for kind, record_id, year in (("companies", "big", 2023), ("topics", "plans", 2027)):
        path = f"{kind}/{record_id}/{year}"
        items = _article(site, path).find_all("li")
        expected = [s for s in _events_of(kind, record_id) if s.start.year == year]
        assert len(items) == len(expected)
        for item, spec in zip(items, expected, strict=True):
            found = [target for target, _ in links(site, _html(site, path), within=item)]
            companies = [f"companies/{c}/" for c in spec.companies] if kind == "topics" else []
            assert found == [f"events/{spec.id}/", *companies]


def test_company_page_keeps_its_facts_and_upcoming_events(site):
    article = _article(site, "companies/f1")
    rows = {
        tr.find_all("td")[0].text(): tr.find_all("td")[1].text()
        for tr in article.find_all("tr")[1:]
    }
    assert rows["Events"] == str(LISTING_LIMIT)
    upcoming = _section(article, "Upcoming")
    assert _event_links(site, "companies/f1", upcoming) == [
        s.id for s in _upcoming() if s.companies == ("f1",)
    ]
    big = _article(site, "companies/big")
    assert _section(big, "Upcoming").text().strip() == (
        "No scheduled events are coming up for this company."
    )


# --- companies and topics with no more events than a page lists --------------------------------

WHOLE = [("companies", "small", "Timeline"), ("companies", "f1", "Timeline")]
WHOLE += [("companies", "f2", "Timeline"), ("topics", "niche", "Events")]


@pytest.mark.parametrize(("kind", "record_id", "heading"), WHOLE)
def test_page_with_few_events_lists_them_all_and_has_no_year_pages(site, kind, record_id, heading):
    events = _events_of(kind, record_id)
    assert len(events) <= LISTING_LIMIT
    section = _section(_article(site, f"{kind}/{record_id}"), heading)
    assert _event_links(site, f"{kind}/{record_id}", section) == [s.id for s in events]
    assert "newest of" not in section.text()
    assert _year_pages(site, kind, record_id) == set()


# --- Upcoming -----------------------------------------------------------------------------------


def test_upcoming_lists_the_soonest_and_says_how_many_more(site):
    upcoming = _upcoming()
    shown, rest = upcoming[:UPCOMING_LIMIT], upcoming[UPCOMING_LIMIT:]
    article = _article(site, "upcoming")
    paragraphs = [c for c in article.children if isinstance(c, Element) and c.tag == "p"]
    assert paragraphs[0].text() == (
        "Scheduled and postponed events from 12 March 2026 on, soonest first.\n"
        f"The {UPCOMING_LIMIT} soonest of {len(upcoming)} are listed here.\n"
        "Follow them in your calendar: calendar of all dated events."
    )
    lists = article.find_all("ul")
    assert len(lists) == 1
    assert _event_links(site, "upcoming", lists[0]) == [s.id for s in shown]
    # After the list: how many more, from when, and where to find them.
    note = paragraphs[-1]
    years = sorted({s.start.year for s in rest})
    first = rest[0].start
    assert note.text() == (
        f"{len(rest)} more events, from {first.day} {MONTHS[first.month - 1]} {first.year} on,"
        " are listed by month on the Timeline:\n"
        + " · ".join(str(y) for y in years)
        + ".\nThose dated to a day are also in the calendar of all dated events."
    )
    assert links(site, _html(site, "upcoming"), within=note) == [
        *((f"timeline/{y}/", str(y)) for y in years),
        ("calendars/all.ics", "calendar of all dated events"),
    ]
    # The Timeline's year pages do list the rest.
    on_timeline = {
        e
        for y in years
        for e in _event_links(site, f"timeline/{y}", _article(site, f"timeline/{y}"))
    }
    assert {s.id for s in rest} <= on_timeline
