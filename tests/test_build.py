"""`kb build` end to end: the real content through the real MkDocs, read back as HTML."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import (
    MKDOCS_YML,
    Element,
    links,
    parse_html,
    read_search_files,
    run_kb,
    snapshot,
)

from generator.cli import main

pytestmark = pytest.mark.usefixtures("pinned_env")

EDIT_BASE = "https://github.com/example/company-events-kb/edit/main/content/events/"
ROME = "alibaba/2026-03-rome-crypto-mining-incident"
ROME_FILE = f"content/events/{ROME}.yaml"
CITATION = (
    "[German news article on Alibaba's AI, cloud and tokenisation plans], "
    "12 March 2026, in German (citation; no link)"
)
BUILT_LINE = re.compile(
    r"Built (?P<site>\S+) from (?P<events>\d+) events, (?P<companies>\d+) companies "
    r"and (?P<topics>\d+) topics in \d+\.\d s"
)


# --- what the real content says, read independently of the generator ---------------------------


def _records(project_root: Path) -> tuple[list[str], list[str], dict[str, dict]]:
    content = project_root / "content"
    companies = sorted(p.stem for p in (content / "companies").glob("*.yaml"))
    topics = sorted(p.stem for p in (content / "topics").glob("*.yaml"))
    events = {
        p.relative_to(content / "events").with_suffix("").as_posix(): yaml.safe_load(
            p.read_text(encoding="utf-8")
        )
        for p in sorted((content / "events").glob("*/*.yaml"))
    }
    return companies, topics, events


@pytest.fixture(scope="module")
def records(project_root: Path) -> tuple[list[str], list[str], dict[str, dict]]:
    companies, topics, events = _records(project_root)
    # The real content: 3 companies, 10 topics, 4 events (tests/test_content.py checks them).
    assert (len(companies), len(topics), len(events)) == (3, 10, 4)
    return companies, topics, events


def _article(html_file: Path) -> Element:
    return parse_html(html_file.read_text(encoding="utf-8")).find("article", "md-content__inner")


def _heading_text(heading: Element) -> str:
    """A heading's text without MkDocs's permalink anchor."""
    return "".join(
        c if isinstance(c, str) else ("" if "headerlink" in c.classes else c.text())
        for c in heading.children
    ).strip()


def _next_element(element: Element) -> Element:
    assert element.parent is not None
    siblings = [c for c in element.parent.children if isinstance(c, Element)]
    return siblings[next(i for i, c in enumerate(siblings) if c is element) + 1]


def _html_pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


# --- the real site, built once per session -----------------------------------------------------


def test_real_content_builds_strictly_without_warnings(real_build):
    result = real_build.result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    match = BUILT_LINE.fullmatch(lines[0])
    assert match, lines[0]
    assert match["site"] == str(real_build.site)
    assert (match["events"], match["companies"], match["topics"]) == ("4", "3", "10")
    # Nothing but the two folders and the record of what the site was built from
    # (for the next, incremental build): no staging or old copies of the site left behind.
    manifest = real_build.site.parent / ".site.manifest.json"
    assert set(real_build.site.parent.iterdir()) == {real_build.docs, real_build.site, manifest}


def test_site_has_exactly_the_expected_pages(built_site, records):
    companies, topics, events = records
    expected = {
        "index.html",
        "404.html",
        "companies/index.html",
        "topics/index.html",
        "events/index.html",
        "timeline/2026/index.html",
        "upcoming/index.html",
        "recent/index.html",
        "stats/index.html",
        "api/index.html",
        # No company or topic has more events than its page lists: none has year pages.
        *(f"companies/{c}/index.html" for c in companies),
        *(f"topics/{t}/index.html" for t in topics),
        *(f"events/{e}/index.html" for e in events),
    }
    assert _html_pages(built_site) == expected
    assert set(events) == {
        "alibaba/2026-03-19-quarterly-results",
        "alibaba/2026-03-rome-crypto-mining-incident",
        "alibaba-cloud/2026-03-09-jinshan-data-centre-agreement",
        "ant-digital/2026-03-energy-asset-tokenisation",
    }


def test_every_event_is_linked_from_its_companies_and_topics(built_site, records):
    _, _, events = records
    checked = 0
    for event_id, record in events.items():
        target = f"events/{event_id}/"
        for kind, ids in (("companies", record["companies"]), ("topics", record["topics"])):
            for record_id in ids:
                page = built_site / kind / record_id / "index.html"
                found = dict(links(built_site, page, within=_article(page)))
                assert target in found, f"{kind}/{record_id} does not link to {event_id}"
                assert found[target] == record["title"]
                checked += 1
    assert checked == 15  # every (event, company) and (event, topic) pair of the 4 events


def test_indexes_link_every_page_of_their_kind(built_site, records):
    companies, topics, events = records
    expected = {
        "companies/index.html": {f"companies/{c}/" for c in companies},
        "topics/index.html": {f"topics/{t}/" for t in topics},
        # The Timeline links each year's page, and the year pages every event.
        "events/index.html": {"timeline/2026/"},
        "timeline/2026/index.html": {f"events/{e}/" for e in events},
    }
    for index, wanted in expected.items():
        page = built_site / index
        found = {path for path, _ in links(built_site, page, within=_article(page))}
        assert wanted <= found, f"{index} misses {sorted(wanted - found)}"


def test_no_internal_link_is_broken(built_site):
    broken = []
    for page in sorted(built_site.rglob("*.html")):
        if page.name == "404.html":  # served at any address, its links are root-absolute
            continue
        for path, _ in links(built_site, page):
            if path.startswith(("http:", "https:", "mailto:")):
                continue
            target = built_site / path
            if not (target / "index.html" if path.endswith("/") or not path else target).is_file():
                broken.append(f"{page.relative_to(built_site)} -> {path}")
    assert broken == []


@pytest.mark.parametrize(
    "event_id",
    [
        "alibaba/2026-03-19-quarterly-results",
        "alibaba/2026-03-rome-crypto-mining-incident",
        "alibaba-cloud/2026-03-09-jinshan-data-centre-agreement",
        "ant-digital/2026-03-energy-asset-tokenisation",
    ],
)
def test_event_page(built_site, records, event_id):
    record = records[2][event_id]
    article = _article(built_site / "events" / event_id / "index.html")

    heading = article.find("h1")
    assert _heading_text(heading) == record["title"]

    # The line under the heading: the status badge, the type, the date.
    byline = _next_element(heading)
    assert byline.tag == "p"
    badges = byline.find_all("span", "kb-status")
    assert len(badges) == 1
    assert badges[0].classes == ["kb-status", f"kb-status--{record['status']}"]
    assert badges[0].text() == record["status"].capitalize()

    edits = [a for a in article.find_all("a") if a.text() == "Edit this event"]
    assert len(edits) == 1
    assert edits[0].attrs["href"] == f"{EDIT_BASE}{event_id}.yaml"

    sources_heading = next(h for h in article.find_all("h2") if h.attrs.get("id") == "sources")
    sources = _next_element(sources_heading)
    assert sources.tag == "ul"
    items = sources.find_all("li")
    assert [li.text() for li in items] == [CITATION]
    assert items[0].find_all("a") == [], "a citation without a URL must not be a link"
    assert [em.text() for em in items[0].find_all("em")] == [record["sources"][0]["title"]]


def test_search_index_holds_rome_and_both_languages(built_site):
    search = read_search_files(built_site)
    rome = search.by_location()[f"events/{ROME}/"]
    assert rome[1] == (
        "Alibaba stops experimental AI unit ROME from mining cryptocurrency without authorisation"
    )
    assert "an experimental AI unit called ROME tried to mine cryptocurrency" in rome[2]
    # Words of the title, of the German translation (folded: "schürfen" is found as
    # "schurfen"), and the company's name all lead to the incident.
    for word in ("rome", "cryptocurrency", "schurfen", "kryptowahrungen", "alibaba"):
        assert f"events/{ROME}/" in search.locations(word), word
    # Material's own index holds no page: a reader downloads only what a query needs.
    material = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    assert material["config"]["lang"] == ["en", "de"]
    assert material["docs"] == []


def test_navigation_lists_sections_never_events(built_site, records):
    event_paths = {f"events/{e}/" for e in records[2]}
    home = built_site / "index.html"
    navs = parse_html(home.read_text(encoding="utf-8")).find_all("nav")
    assert navs, "the home page has no <nav>"
    in_nav = {path for nav in navs for path, _ in links(built_site, home, within=nav)}
    assert {"", "companies/", "topics/", "events/"} <= in_nav
    assert in_nav & event_paths == set()
    # Nor does the primary navigation of any other page list an event.
    for page in built_site.rglob("index.html"):
        for nav in parse_html(page.read_text(encoding="utf-8")).find_all("nav", "md-nav--primary"):
            assert {p for p, _ in links(built_site, page, within=nav)} & event_paths == set(), page


def test_same_epoch_gives_identical_markdown_and_site(real_build, tmp_path, project_root):
    docs, site = tmp_path / "docs", tmp_path / "site"
    result = run_kb(
        "build", "-f", MKDOCS_YML, "--docs-dir", docs, "--site-dir", site, cwd=project_root
    )
    assert result.returncode == 0, result.stderr
    first_docs, second_docs = snapshot(real_build.docs), snapshot(docs)
    assert sorted(first_docs) == sorted(second_docs)
    assert [n for n in first_docs if first_docs[n] != second_docs[n]] == []
    # The HTML site, search index and sitemap.xml.gz included, is byte-identical too.
    first_site, second_site = snapshot(real_build.site), snapshot(site)
    assert sorted(first_site) == sorted(second_site)
    assert [n for n in first_site if first_site[n] != second_site[n]] == []


# --- builds of copies of the content, in tmp_path ----------------------------------------------


@pytest.fixture
def kb(monkeypatch, tmp_path):
    """Run kb in-process from tmp_path, so paths print relative to it."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str | Path):
        return CliRunner().invoke(main, [str(a) for a in args], prog_name="kb")

    return run


@pytest.fixture
def content_copy(tmp_path, project_root) -> Path:
    shutil.copytree(project_root / "content", tmp_path / "content")
    return tmp_path / "content"


def _build(kb, *extra: str):
    return kb("build", "-f", MKDOCS_YML, "--content", "content", *extra)


def test_broken_record_fails_and_leaves_site_and_docs_untouched(kb, tmp_path, content_copy):
    first = _build(kb, "--docs-dir", "docs", "--site-dir", "site")
    assert first.exit_code == 0, first.stderr
    site_before, docs_before = snapshot(tmp_path / "site"), snapshot(tmp_path / "docs")
    assert "index.html" in site_before and "index.md" in docs_before

    record = tmp_path / ROME_FILE
    text = record.read_text(encoding="utf-8")
    assert text.splitlines()[3] == "status: occurred"
    record.write_text(text.replace("status: occurred", "status: done"), encoding="utf-8")

    second = _build(kb, "--docs-dir", "docs", "--site-dir", "site")
    assert second.exit_code == 1
    assert second.stdout == ""
    assert second.stderr.splitlines() == [
        f"{ROME_FILE}:4:9: error: status: expected one of occurred, scheduled, postponed "
        "or cancelled; got 'done'",
        "1 error, 0 warnings in 1 file",
        "error: the site was not built; fix the errors above",
    ]
    assert snapshot(tmp_path / "site") == site_before
    assert snapshot(tmp_path / "docs") == docs_before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".site.manifest.json",
        "content",
        "docs",
        "site",
    ]

    # Into fresh folders, a failed build creates nothing at all.
    third = _build(kb, "--docs-dir", "fresh-docs", "--site-dir", "fresh-site")
    assert third.exit_code == 1
    assert not (tmp_path / "fresh-docs").exists()
    assert not (tmp_path / "fresh-site").exists()


def test_mkdocs_failure_keeps_the_previous_site(kb, tmp_path, content_copy):
    first = _build(kb, "--docs-dir", "docs", "--site-dir", "site")
    assert first.exit_code == 0, first.stderr
    site_before = snapshot(tmp_path / "site")

    # Valid records, but a configuration whose navigation names a page that does not exist:
    # MkDocs itself refuses the build in strict mode.
    config = MKDOCS_YML.read_text(encoding="utf-8")
    assert "  - Timeline: events/index.md\n" in config
    broken = tmp_path / "broken-mkdocs.yml"
    theme = MKDOCS_YML.parent / "generator" / "theme"
    broken.write_text(
        config.replace(
            "  - Timeline: events/index.md\n",
            "  - Timeline: events/index.md\n  - Missing: missing.md\n",
        ).replace("custom_dir: generator/theme", f"custom_dir: {theme}"),
        encoding="utf-8",
    )
    second = kb(
        "build", "-f", broken, "--content", "content", "--docs-dir", "docs", "--site-dir", "site"
    )
    assert second.exit_code == 1
    assert second.stderr.splitlines() == [
        "warning: A reference to 'missing.md' is included in the 'nav' configuration, "
        "which is not found in the documentation files.",
        "error: Aborted with 1 warnings in strict mode!",
        "error: MkDocs could not build the site; the previous site is unchanged",
    ]
    assert snapshot(tmp_path / "site") == site_before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".site.manifest.json",
        "broken-mkdocs.yml",
        "content",
        "docs",
        "site",
    ]


def test_deleted_event_disappears_from_site_and_search(kb, tmp_path, content_copy):
    first = _build(kb, "--docs-dir", "docs", "--site-dir", "site")
    assert first.exit_code == 0, first.stderr
    site = tmp_path / "site"
    assert (site / "events" / ROME / "index.html").is_file()

    (tmp_path / ROME_FILE).unlink()
    second = _build(kb, "--docs-dir", "docs", "--site-dir", "site")
    assert second.exit_code == 0, second.stderr
    assert BUILT_LINE.fullmatch(second.stderr.strip())["events"] == "3"

    assert not (site / "events" / ROME).exists()
    assert not (tmp_path / "docs" / "events" / f"{ROME}.md").exists()
    search = read_search_files(site)
    locations = [doc[0] for doc in search.documents]
    assert [loc for loc in locations if ROME in loc] == []
    assert [doc[0] for doc in search.documents if "ROME" in doc[1] + doc[2]] == []
    assert "rome" not in search.words
    assert "events/alibaba/2026-03-19-quarterly-results/" in locations
    for page in ("companies/alibaba/index.html", "events/index.html", "index.html"):
        assert all(ROME not in path for path, _ in links(site, site / page)), page


def _upcoming(site: Path) -> Element:
    """The list (or the empty note) under the home page's "Upcoming" heading."""
    article = _article(site / "index.html")
    heading = next(h for h in article.find_all("h2") if h.attrs.get("id") == "upcoming")
    return _next_element(heading)


def test_source_date_epoch_is_today(kb, tmp_path, content_copy, monkeypatch):
    """The quarterly results of 19 March are upcoming on the 12th and stale on the 20th."""
    results = "events/alibaba/2026-03-19-quarterly-results/"
    result = _build(kb, "--docs-dir", "docs", "--site-dir", "site")
    assert result.exit_code == 0, result.stderr
    upcoming = _upcoming(tmp_path / "site")
    assert upcoming.tag == "ul"
    site = tmp_path / "site"
    # One upcoming event, linked with its company.
    assert [path for path, _ in links(site, site / "index.html", upcoming)] == [
        results,
        "companies/alibaba/",
    ]

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1773964800")  # 2026-03-20
    later = _build(kb, "--docs-dir", "docs", "--site-dir", "site")
    assert later.exit_code == 0, later.stderr
    assert later.stderr.splitlines()[:2] == [
        "content/events/alibaba/2026-03-19-quarterly-results.yaml:4:9: warning: status: "
        "scheduled for 2026-03-19, which has passed; set the status to occurred, postponed "
        "or cancelled",
        "0 errors, 1 warning in 1 file",
    ]
    upcoming = _upcoming(tmp_path / "site")
    assert (upcoming.tag, upcoming.text()) == ("p", "No scheduled events are coming up.")


def test_api_page_documents_every_data_file_and_field(built_site):
    page = built_site / "api" / "index.html"
    text = parse_html(page.read_text(encoding="utf-8")).text()
    for name in ("api/events.json", "api/companies.json", "api/topics.json", "events.csv"):
        assert name in text
    linked = {target for target, _ in links(built_site, page)}
    for name in ("feeds/all.atom.xml", "calendars/all.ics", "api/events.json", "events.csv"):
        assert name in linked, name
        assert (built_site / name).is_file()
    # The field list is the one generated from the record schemas.
    for field in ("date_note", "translations", "sources", "published", "currency"):
        assert field in text
