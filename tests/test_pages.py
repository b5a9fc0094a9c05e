"""Upcoming, Timeline, Recently added, Statistics and the dates on event pages.

Small knowledge bases are built with ``kb build`` (MkDocs in --strict mode): one
in a git repository with commits at fixed times, one outside git with file
times set here, and one without events. The pages are read back as HTML.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from helpers import (
    Element,
    epoch,
    git_env,
    kb_build,
    links,
    parse_html,
    write_kb,
)

from generator.diagnostics import has_errors
from generator.history import FileDates
from generator.loader import load
from generator.model import build_model
from generator.validate import validate

TODAY = dt.date(2026, 3, 12)  # helpers.TODAY_EPOCH, as every kb run in the tests sees it
SVG = "{http://www.w3.org/2000/svg}"
NAV = [
    ("", "Home"),
    ("companies/", "Companies"),
    ("topics/", "Topics"),
    ("events/", "Timeline"),
    ("upcoming/", "Upcoming"),
    ("recent/", "Recently added"),
    ("stats/", "Statistics"),
    ("api/", "Data and API"),
]
SCRIPT_TOPIC = "<script>alert(1)</script>"


def _event(title: str, date: str, status: str, companies: list[str], topics: list[str]) -> str:
    return (
        f'title: "{title}"\ndate: "{date}"\nstatus: {status}\ntype: other\n'
        f"companies: [{', '.join(companies)}]\ntopics: [{', '.join(topics)}]\nlang: en\n"
        f"summary: Something about {title.lower()}.\n"
        f'sources:\n  - title: "Report on {title}"\n    published: 2026-03-01\n    lang: en\n'
    )


COMPANIES = {
    "acme": 'name: "Acme & Sons <Ltd>"\n',
    "beta": "name: Beta GmbH\n",
    "idle": "name: Idle Corp\n",
}
TOPICS = {
    "money": "name: Money\n",
    "widgets": "name: Widgets\n",
    "script": f'name: "{SCRIPT_TOPIC}"\n',
    "quiet": "name: Quiet topic\n",
    **{f"t{i:02d}": f"name: Topic {i:02d}\n" for i in range(1, 11)},
}

# The events of the git knowledge base, and when each was committed.
E1 = "beta/2023-06-01-founding"
E2 = "acme/2025-11-03-deal"
E3 = "acme/2026-03-01-meeting"
E4 = "acme/2026-03-20-results"
E5 = "beta/2026-04-merger"
E6 = "acme/2026-06-01-show"
E7 = "beta/2026-03-12-call"
E8 = "acme/2026-05-04-agm"
E9 = "acme/2026-q3-plan"
EVENTS = {
    E1: _event("Beta is founded", "2023-06-01", "occurred", ["beta"], ["money", "t01"]),
    E2: _event(
        "Acme strikes a deal", "2025-11-03", "occurred", ["acme"], ["money", "widgets", "t02"]
    ),
    # Postponed, but its date has passed: not upcoming.
    E3: _event("Acme board meeting", "2026-03-01", "postponed", ["acme"], ["money", "t03"]),
    E4: _event("Acme results", "2026-03-20", "scheduled", ["acme"], ["money", "script", "t04"]),
    E5: _event(
        "Beta merges with Acme", "2026-04", "scheduled", ["beta", "acme"], ["widgets", "t05"]
    ),
    # Cancelled: not upcoming, though in the future.
    E6: _event("Acme trade show", "2026-06-01", "cancelled", ["acme"], ["widgets", "t06", "t07"]),
    # Today: still upcoming.
    E7: _event("Beta investor call", "2026-03-12", "scheduled", ["beta"], ["money", "t08"]),
    E8: _event("Acme annual meeting", "2026-05-04", "postponed", ["acme"], ["t09"]),
    E9: _event("Acme plans a factory", "2026-Q3", "scheduled", ["acme"], ["t10"]),
}
UPCOMING = [E7, E4, E5, E8, E9]
COMMITS = [
    ("2026-01-10T09:00:00+00:00", [E1, E2, E3]),
    ("2026-02-20T12:00:00+00:00", [E4, E5, E6]),
    ("2026-03-01T08:00:00+00:00", [E7]),  # and a change to E2
    ("2026-05-01T08:00:00+00:00", [E8]),  # after the build's today
]
#: never committed; its file was last written then
UNCOMMITTED = (E9, "2026-03-11T12:00:00+00:00")
ADDED = {
    E1: dt.date(2026, 1, 10),
    E2: dt.date(2026, 1, 10),
    E3: dt.date(2026, 1, 10),
    E4: dt.date(2026, 2, 20),
    E5: dt.date(2026, 2, 20),
    E6: dt.date(2026, 2, 20),
    E7: dt.date(2026, 3, 1),
    E8: TODAY,  # committed on 1 May, after the build's today: taken as today
    E9: dt.date(2026, 3, 11),
}
CHANGED = {**ADDED, E2: dt.date(2026, 3, 1)}
#: added date, newest first; the same day, the later event first
RECENT = [E8, E9, E7, E6, E5, E4, E3, E2, E1]


@dataclass(frozen=True)
class Built:
    content: Path
    docs: Path
    site: Path
    result: subprocess.CompletedProcess[str]


def _git(root: Path, *args: str, when: str | None = None) -> None:
    subprocess.run(["git", *args], cwd=root, env=git_env(when), capture_output=True, check=True)


def _build(root: Path, content: Path) -> Built:
    docs, site = root / "docs", root / "site"
    # Never find a repository above the test's folder.
    result = kb_build(content, docs, site, GIT_CEILING_DIRECTORIES=str(root.parent))
    return Built(content, docs, site, result)


def _assert_clean_build(built: Built) -> None:
    """Built in strict mode, with no warning at all: the only line is the summary."""
    assert built.result.returncode == 0, built.result.stderr
    assert built.result.stdout == ""
    lines = built.result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Built {built.site} from "), lines


@pytest.fixture(scope="module")
def in_git(tmp_path_factory) -> Built:
    assert shutil.which("git"), "git is needed to build a knowledge base with history"
    root = tmp_path_factory.mktemp("pages-git")
    repo = root / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    content = write_kb(repo, companies=COMPANIES, topics=TOPICS, events={})
    events = content / "events"
    for when, added in COMMITS:
        write_kb(repo, events={e: EVENTS[e] for e in added})
        if added == [E7]:
            deal = events / f"{E2}.yaml"
            deal.write_text(
                deal.read_text(encoding="utf-8") + "date_note: announced late\n", encoding="utf-8"
            )
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", f"add {', '.join(added)}", when=when)
    event_id, when = UNCOMMITTED
    write_kb(repo, events={event_id: EVENTS[event_id]})
    os.utime(events / f"{event_id}.yaml", (epoch(when), epoch(when)))
    built = _build(root, content)
    _assert_clean_build(built)
    return built


# --- reading pages ------------------------------------------------------------------------------


def _page(site: Path, path: str) -> Path:
    return site / path / "index.html" if path else site / "index.html"


def _article(site: Path, path: str) -> Element:
    html = _page(site, path).read_text(encoding="utf-8")
    return parse_html(html).find("article", "md-content__inner")


def _heading(element: Element) -> str:
    return "".join(
        c if isinstance(c, str) else ("" if "headerlink" in c.classes else c.text())
        for c in element.children
    ).strip()


def _children(element: Element) -> list[Element]:
    return [c for c in element.children if isinstance(c, Element)]


def _after(element: Element) -> list[Element]:
    """The elements that follow ``element`` under the same parent."""
    assert element.parent is not None
    siblings = _children(element.parent)
    return siblings[siblings.index(element) + 1 :]


def _section(article: Element, heading: str) -> list[Element]:
    """The elements after the h2 with this text, up to the next h2."""
    h2 = next(h for h in article.find_all("h2") if _heading(h) == heading)
    section = []
    for element in _after(h2):
        if element.tag == "h2":
            break
        section.append(element)
    return section


def _event_links(site: Path, path: str, within: Element) -> list[str]:
    """Event ids linked from ``within``, in order."""
    return [
        target.removeprefix("events/").rstrip("/")
        for target, _ in links(site, _page(site, path), within=within)
        if target.startswith("events/") and target != "events/"
    ]


def _table(table: Element) -> list[list[Element]]:
    """The body rows of a table, as lists of cells (a row's heading cell first)."""
    return [
        [cell for cell in tr.iter() if cell.tag in ("th", "td")]
        for tr in table.find("tbody").find_all("tr")
    ]


def _time(cell: Element) -> dt.date:
    times = cell.find_all("time")
    assert len(times) == 1, cell.text()
    return dt.date.fromisoformat(times[0].attrs["datetime"])


def _human(day: dt.date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def _tabs(site: Path, path: str) -> list[tuple[str, str]]:
    page = _page(site, path)
    tabs = parse_html(page.read_text(encoding="utf-8")).find("nav", "md-tabs")
    return links(site, page, within=tabs)


# --- navigation and home ------------------------------------------------------------------------


def test_navigation_has_one_tab_per_section(in_git):
    for path in ("", "upcoming", "recent", "stats", "events", f"events/{E1}"):
        assert _tabs(in_git.site, path) == NAV, path


def test_home_links_upcoming_recent_and_statistics(in_git):
    found = links(in_git.site, _page(in_git.site, ""), within=_article(in_git.site, ""))
    assert ("upcoming/", "upcoming") in found
    assert ("recent/", "recently added") in found
    assert ("stats/", "statistics") in found
    assert ("events/", "timeline") in found
    assert ("upcoming/", "All upcoming events") in found


def test_timeline_is_the_events_index(in_git):
    article = _article(in_git.site, "events")
    assert _heading(article.find("h1")) == "Timeline"
    years = ["2026", "2025", "2023"]
    assert [_heading(h) for h in article.find_all("h2")] == years
    # Each year has its own page, listing that year's events by month.
    linked = {t for t, _ in links(in_git.site, _page(in_git.site, "events"), within=article)}
    assert {f"timeline/{year}/" for year in years} <= linked
    listed = []
    for year in years:
        page = _article(in_git.site, f"timeline/{year}")
        assert _heading(page.find("h1")) == year
        assert all(_heading(h).endswith(f" {year}") for h in page.find_all("h2"))
        listed += _event_links(in_git.site, f"timeline/{year}", page)
    assert sorted(listed) == sorted(EVENTS)


# --- upcoming -----------------------------------------------------------------------------------


def test_upcoming_lists_exactly_the_scheduled_future_events_soonest_first(in_git):
    article = _article(in_git.site, "upcoming")
    assert _heading(article.find("h1")) == "Upcoming"
    intro = _after(article.find("h1"))[0]
    assert intro.text().startswith(
        "Scheduled and postponed events from 12 March 2026 on, soonest first."
    )
    lists = article.find_all("ul")
    assert len(lists) == 1
    items = lists[0].find_all("li")
    assert [_event_links(in_git.site, "upcoming", li) for li in items] == [[e] for e in UPCOMING]
    # All of them are listed: no word of a limit, nor of more events after the list.
    assert "soonest of" not in intro.text()
    assert _after(lists[0]) == []
    # Each with its status badge and its date.
    badges = [li.find("span", "kb-status") for li in items]
    assert [b.classes for b in badges] == [
        ["kb-status", f"kb-status--{yaml.safe_load(EVENTS[e])['status']}"] for e in UPCOMING
    ]
    assert [b.text() for b in badges] == [
        "Scheduled",
        "Scheduled",
        "Scheduled",
        "Postponed",
        "Scheduled",
    ]
    assert [li.text().split(" · ")[0] for li in items] == [
        "12 March 2026",
        "20 March 2026",
        "April 2026",
        "4 May 2026",
        "Q3 2026",
    ]


def test_upcoming_agrees_with_the_records(in_git):
    """Scheduled or postponed and not over by today, computed from the YAML alone."""
    expected = []
    for event_id, text in EVENTS.items():
        record = yaml.safe_load(text)
        date = str(record["date"])
        if record["status"] in ("scheduled", "postponed") and _date_end(date) >= TODAY:
            expected.append(event_id)
    assert sorted(expected) == sorted(UPCOMING)


def _date_end(text: str) -> dt.date:
    if "-Q" in text:
        year, quarter = text.split("-Q")
        return dt.date(int(year), 3 * int(quarter), 30 if int(quarter) in (2, 3) else 31)
    if text.count("-") == 1:
        year, month = map(int, text.split("-"))
        next_month = dt.date(year + month // 12, month % 12 + 1, 1)
        return next_month - dt.timedelta(days=1)
    return dt.date.fromisoformat(text)


# --- recently added and the dates on event pages ------------------------------------------------


def test_recently_added_newest_first_with_the_date(in_git):
    article = _article(in_git.site, "recent")
    assert _heading(article.find("h1")) == "Recently added"
    assert _after(article.find("h1"))[0].text() == (
        "All 9 events, newest first, with the date each record was added."
    )
    items = article.find("ul").find_all("li")
    assert [_event_links(in_git.site, "recent", li) for li in items] == [[e] for e in RECENT]
    assert [_time(li) for li in items] == [ADDED[e] for e in RECENT]
    assert [li.text().split(" · ")[0] for li in items] == [
        f"Added {_human(ADDED[e])}" for e in RECENT
    ]
    assert [len(li.find_all("span", "kb-status")) for li in items] == [1] * len(RECENT)


@pytest.mark.parametrize("event_id", sorted(EVENTS))
def test_event_page_shows_added_and_last_updated(in_git, event_id):
    article = _article(in_git.site, f"events/{event_id}")
    rows = {row[0].text(): row[1] for row in _table(article.find("table"))}
    assert _time(rows["Added"]) == ADDED[event_id]
    assert _time(rows["Last updated"]) == CHANGED[event_id]
    assert rows["Last updated"].text() == _human(CHANGED[event_id])
    assert rows["Added"].text() == _human(ADDED[event_id])


# --- statistics ---------------------------------------------------------------------------------


def _expected_counts() -> tuple[Counter[str], Counter[str], Counter[str]]:
    """Events per year, per topic name and per company name, from the YAML alone."""
    years: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    companies: Counter[str] = Counter()
    for text in EVENTS.values():
        record = yaml.safe_load(text)
        years[str(record["date"])[:4]] += 1
        for t in record["topics"]:
            topics[yaml.safe_load(TOPICS[t])["name"]] += 1
        for c in record["companies"]:
            companies[yaml.safe_load(COMPANIES[c])["name"]] += 1
    return years, topics, companies


def _chart(site: Path, article: Element, heading: str) -> tuple[ET.Element, str, list[tuple]]:
    """The parsed SVG, its <img> alt text, and the table rows of one chart's section."""
    section = _section(article, heading)
    images = [img for element in section for img in element.find_all("img")]
    tables = [element for element in section if element.tag == "table"]
    assert len(images) == 1 and len(tables) == 1, heading
    svg_file = (site / "stats" / images[0].attrs["src"]).resolve()
    assert svg_file.parent == (site / "stats").resolve()
    svg = ET.fromstring(svg_file.read_text(encoding="utf-8"))
    rows = [(cells[0].text(), int(cells[1].text())) for cells in _table(tables[0])]
    return svg, images[0].attrs["alt"], rows


def _svg_bars(svg: ET.Element) -> list[tuple[str, int, float]]:
    bars = []
    for group in svg.findall(f"{SVG}g[@class='bar']"):
        label, value = group.findall(f"{SVG}text")
        bars.append((label.text, int(value.text), float(group.find(f"{SVG}rect").attrib["width"])))
    return bars


def _check_chart(svg: ET.Element, alt: str, rows: list[tuple], title: str) -> None:
    assert svg.tag == f"{SVG}svg"
    assert svg.attrib["role"] == "img"
    assert svg.attrib["aria-label"] == title
    assert svg.find(f"{SVG}title").text == title
    assert svg.find(f"{SVG}desc").text == (
        "Horizontal bar chart. " + "; ".join(f"{label}: {value}" for label, value in rows) + "."
    )
    assert alt.startswith("Bar chart of the number of events per ")
    bars = _svg_bars(svg)
    # The chart and the table say the same, bar for row.
    assert [(label, value) for label, value, _ in bars] == rows
    largest = max(value for _, value in rows)
    widest = max(width for *_, width in bars)
    for _, value, width in bars:
        assert width == pytest.approx(value / largest * widest, abs=0.01)


def test_statistics_per_year_include_years_without_events(in_git):
    article = _article(in_git.site, "stats")
    svg, alt, rows = _chart(in_git.site, article, "Events per year")
    years, _, _ = _expected_counts()
    assert rows == [("2023", 1), ("2024", 0), ("2025", 1), ("2026", 7)]
    assert {y: n for y, n in rows if n} == dict(years)
    _check_chart(svg, alt, rows, "Events per year")


def test_statistics_per_topic_top_ten_and_the_rest_summed(in_git):
    article = _article(in_git.site, "stats")
    svg, alt, rows = _chart(in_git.site, article, "Events per topic")
    _, topics, _ = _expected_counts()
    ranked = sorted(topics.items(), key=lambda item: (-item[1], item[0].casefold()))
    assert rows == [
        *ranked[:10],
        (f"Other topics ({len(ranked) - 10})", sum(n for _, n in ranked[10:])),
    ]
    assert rows[:3] == [("Money", 5), ("Widgets", 3), (SCRIPT_TOPIC, 1)]
    assert rows[-1] == ("Other topics (3)", 3)
    _check_chart(svg, alt, rows, "Events per topic")
    # The topic named like a script is text in the page and in the chart, never markup.
    page = _page(in_git.site, "stats").read_text(encoding="utf-8")
    assert "alert(1)" not in "".join(s.text() for s in parse_html(page).find_all("script"))
    svg_text = (in_git.site / "stats" / "events-per-topic.svg").read_text(encoding="utf-8")
    assert "<script>" not in svg_text
    assert svg.findall(f".//{SVG}script") == []


def test_statistics_per_company_leave_out_companies_without_events(in_git):
    article = _article(in_git.site, "stats")
    svg, alt, rows = _chart(in_git.site, article, "Events per company")
    _, _, companies = _expected_counts()
    assert rows == sorted(companies.items(), key=lambda item: (-item[1], item[0]))
    assert rows == [("Acme & Sons <Ltd>", 7), ("Beta GmbH", 3)]
    _check_chart(svg, alt, rows, "Events per company")


def test_statistics_tables_link_their_topics_and_companies(in_git):
    article = _article(in_git.site, "stats")
    found = links(in_git.site, _page(in_git.site, "stats"), within=article)
    assert ("topics/money/", "Money") in found
    assert ("topics/script/", SCRIPT_TOPIC) in found
    assert ("companies/acme/", "Acme & Sons <Ltd>") in found
    assert not [target for target, _ in found if target.startswith("topics/quiet")]


def test_statistics_charts_are_separate_svg_files(in_git):
    assert sorted(p.name for p in (in_git.docs / "stats").iterdir()) == [
        "events-per-company.svg",
        "events-per-topic.svg",
        "events-per-year.svg",
        "index.md",
    ]
    for name in ("events-per-year.svg", "events-per-topic.svg", "events-per-company.svg"):
        assert (in_git.site / "stats" / name).read_bytes() == (
            in_git.docs / "stats" / name
        ).read_bytes()
    markdown = (in_git.docs / "stats" / "index.md").read_text(encoding="utf-8")
    assert "](events-per-year.svg)" in markdown
    assert "<svg" not in markdown


# --- outside git: file times, and more events than "Recently added" shows -------------------------

MANY = 53


@pytest.fixture(scope="module")
def outside_git(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("pages-plain")
    events = {
        f"acme/{2020 + i // 12}-{i % 12 + 1:02d}-15-item-{i}": _event(
            f"Item {i}", f"{2020 + i // 12}-{i % 12 + 1:02d}-15", "occurred", ["acme"], ["money"]
        )
        for i in range(MANY)
    }
    content = write_kb(root, companies=COMPANIES, topics=TOPICS, events=events)
    for i, event_id in enumerate(events):
        stamp = epoch("2025-12-01T12:00:00+00:00") + i * 86_400
        os.utime(content / "events" / f"{event_id}.yaml", (stamp, stamp))
    built = _build(root, content)
    _assert_clean_build(built)
    return built


def test_recently_added_outside_git_uses_file_times_and_shows_fifty(outside_git):
    article = _article(outside_git.site, "recent")
    assert _after(article.find("h1"))[0].text() == (
        "The 50 most recently added of 53 events, newest first, with the date each record "
        "was added."
    )
    items = article.find("ul").find_all("li")
    assert len(items) == 50
    newest = dt.date(2025, 12, 1) + dt.timedelta(days=MANY - 1)
    assert [_time(li) for li in items] == [newest - dt.timedelta(days=k) for k in range(50)]
    assert [_event_links(outside_git.site, "recent", li)[0].rsplit("-", 1)[1] for li in items] == [
        str(i) for i in range(MANY - 1, MANY - 51, -1)
    ]


def test_event_page_outside_git_shows_the_file_time(outside_git):
    article = _article(outside_git.site, "events/acme/2020-01-15-item-0")
    rows = {row[0].text(): row[1] for row in _table(article.find("table"))}
    assert _time(rows["Added"]) == _time(rows["Last updated"]) == dt.date(2025, 12, 1)


def test_upcoming_without_upcoming_events_says_so(outside_git):
    article = _article(outside_git.site, "upcoming")
    assert article.find_all("ul") == []
    assert _after(article.find("h1"))[-1].text() == "No scheduled events are coming up."


def test_navigation_does_not_grow_with_the_events(outside_git):
    for path in ("", "recent", "events/acme/2020-01-15-item-0"):
        assert _tabs(outside_git.site, path) == NAV


def test_statistics_per_year_outside_git(outside_git):
    article = _article(outside_git.site, "stats")
    svg, alt, rows = _chart(outside_git.site, article, "Events per year")
    assert rows == [("2020", 12), ("2021", 12), ("2022", 12), ("2023", 12), ("2024", 5)]
    _check_chart(svg, alt, rows, "Events per year")


# --- no events at all ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("pages-empty")
    content = write_kb(root, companies={"idle": "name: Idle Corp\n"}, topics={"quiet": "name: Q\n"})
    built = _build(root, content)
    _assert_clean_build(built)
    return built


def test_empty_pages_say_so_in_words(empty):
    upcoming = _article(empty.site, "upcoming")
    assert _after(upcoming.find("h1"))[-1].text() == "No scheduled events are coming up."
    recent = _article(empty.site, "recent")
    assert [e.text() for e in _after(recent.find("h1"))] == ["No events have been recorded yet."]
    stats = _article(empty.site, "stats")
    assert _after(stats.find("h1"))[0].text() == (
        "0 events about 1 company and 1 topic, as of 12 March 2026."
    )
    for heading in ("Events per year", "Events per topic", "Events per company"):
        assert [e.text() for e in _section(stats, heading)] == ["No events have been recorded yet."]
    assert stats.find_all("img") == []
    assert sorted(p.name for p in (empty.docs / "stats").iterdir()) == ["index.md"]
    assert _tabs(empty.site, "stats") == NAV


# --- the model, without a build -----------------------------------------------------------------


def _checked(tmp_path: Path):
    content = write_kb(
        tmp_path,
        companies=COMPANIES,
        topics=TOPICS,
        events={E1: EVENTS[E1], E4: EVENTS[E4]},
    )
    files, problems = load(content)
    checked, more = validate(files, TODAY)
    assert not has_errors(problems + more)
    return checked


def test_model_takes_dates_after_today_as_today(tmp_path):
    history = {
        f"content/events/{E1}.yaml": FileDates(dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
        f"content/events/{E4}.yaml": FileDates(dt.date(2026, 5, 1), dt.date(2026, 6, 1)),
    }
    kb = build_model(_checked(tmp_path), TODAY, history)
    dates = {e.id: (e.added, e.changed) for e in kb.events}
    assert dates == {E1: (dt.date(2026, 1, 1), TODAY), E4: (TODAY, TODAY)}
    assert [e.id for e in kb.recently_added(1)] == [E4]
    assert kb.has_history


def test_model_without_history_knows_no_dates(tmp_path):
    kb = build_model(_checked(tmp_path), TODAY)
    assert [(e.added, e.changed) for e in kb.events] == [(None, None), (None, None)]
    assert kb.recently_added(50) == []
    assert not kb.has_history


# --- the real content ---------------------------------------------------------------------------


def test_real_site_pages(built_site, project_root):
    content = project_root / "content"
    records = {
        p.relative_to(content / "events").with_suffix("").as_posix(): yaml.safe_load(
            p.read_text(encoding="utf-8")
        )
        for p in sorted((content / "events").glob("*/*.yaml"))
    }
    names = {
        kind: {
            p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["name"]
            for p in (content / kind).glob("*.yaml")
        }
        for kind in ("companies", "topics")
    }
    assert _tabs(built_site, "") == NAV

    # Every event page says when its record was added and last changed, never after today.
    for event_id in records:
        article = _article(built_site, f"events/{event_id}")
        rows = {row[0].text(): row[1] for row in _table(article.find("table"))}
        assert _time(rows["Added"]) <= _time(rows["Last updated"]) <= TODAY, event_id

    # Statistics: the numbers of the records.
    stats = _article(built_site, "stats")
    for heading, key, kind in (
        ("Events per topic", "topics", "topics"),
        ("Events per company", "companies", "companies"),
    ):
        counted = Counter(names[kind][i] for r in records.values() for i in r[key])
        svg, alt, rows = _chart(built_site, stats, heading)
        assert sorted(rows) == sorted(counted.items()), heading
        _check_chart(svg, alt, rows, heading)
    years = Counter(str(r["date"])[:4] for r in records.values())
    svg, alt, rows = _chart(built_site, stats, "Events per year")
    assert {y: n for y, n in rows if n} == dict(years)
    _check_chart(svg, alt, rows, "Events per year")

    # Upcoming: what is scheduled or postponed and not over.
    upcoming = _article(built_site, "upcoming")
    expected = sorted(
        (
            e
            for e, r in records.items()
            if r["status"] in ("scheduled", "postponed") and _date_end(str(r["date"])) >= TODAY
        ),
        key=lambda e: str(records[e]["date"]),
    )
    assert expected == ["alibaba/2026-03-19-quarterly-results"]
    assert _event_links(built_site, "upcoming", upcoming) == expected

    # Recently added lists every event once.
    recent = _article(built_site, "recent")
    assert sorted(_event_links(built_site, "recent", recent)) == sorted(records)
