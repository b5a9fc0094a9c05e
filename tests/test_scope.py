"""Scoped sites: `kb build --company ID` / `--topic ID` on the real content."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from helpers import PROJECT_ROOT, kb_build, links, read_search_files, run_kb, site_path


def _build(tmp_path: Path, *scope: str) -> Path:
    site = tmp_path / "site"
    result = kb_build(PROJECT_ROOT / "content", tmp_path / "docs", site, *scope)
    assert result.returncode == 0, result.stderr
    return site


def _event_pages(site: Path) -> set[str]:
    return {
        p.parent.relative_to(site / "events").as_posix()
        for p in (site / "events").glob("*/*/index.html")
    }


def _internal_targets(site: Path) -> set[str]:
    """Every page of the site that some page links to."""
    targets = set()
    for page in site.rglob("*.html"):
        for target, _ in links(site, page):
            if not target.startswith(("http://", "https://")) and target:
                targets.add(target.split("#")[0])
    return targets


@pytest.mark.parametrize(
    ("scope", "events", "companies", "topics"),
    [
        (
            ("--company", "ant-digital"),
            {"ant-digital/2026-03-energy-asset-tokenisation"},
            {"alibaba", "ant-digital"},
            {"renewable-energy", "tokenisation"},
        ),
        (
            ("--topic", "data-centres"),
            {"alibaba-cloud/2026-03-09-jinshan-data-centre-agreement"},
            {"alibaba", "alibaba-cloud"},
            {"artificial-intelligence", "data-centres", "semiconductors"},
        ),
    ],
)
def test_scoped_site_holds_only_its_scope(tmp_path, scope, events, companies, topics):
    site = _build(tmp_path, *scope)
    assert _event_pages(site) == events
    assert {p.parent.name for p in (site / "companies").glob("*/index.html")} == companies
    assert {p.parent.name for p in (site / "topics").glob("*/index.html")} == topics

    # No page links to a page the scoped site does not have (the build is --strict too).
    for target in _internal_targets(site):
        path = site / target
        assert path.exists() or (path / "index.html").exists(), target

    # Its own search index, feeds and API hold only the scope.
    indexed_events = {
        doc[0].strip("/").removeprefix("events/")
        for doc in read_search_files(site).documents
        if doc[0].startswith("events/")
    }
    assert indexed_events == events
    feed = feedparser.parse((site / "feeds" / "all.atom.xml").read_bytes())
    assert len(feed.entries) == len(events)
    api = json.loads((site / "api" / "events.json").read_text(encoding="utf-8"))
    assert {e["id"] for e in api} == events


def test_scoped_site_drops_links_out_of_scope(tmp_path):
    # The results release relates to the data-centre agreement, which the earnings topic
    # does not include: the scoped page must not link to it.
    site = _build(tmp_path, "--topic", "earnings")
    page = site / "events/alibaba/2026-03-19-quarterly-results/index.html"
    targets = {site_path(t) or t for t, _ in links(site, page)}
    assert not any("jinshan" in t for t in targets)
    assert "Related events" not in page.read_text(encoding="utf-8")


def test_scoped_site_defaults_to_its_own_folders(tmp_path):
    # Without --site-dir a scoped build never replaces the full site.
    result = run_kb("build", "--company", "alibaba", "--content", PROJECT_ROOT / "content")
    assert result.returncode == 0, result.stderr
    assert "Built site-company-alibaba from 4 events" in result.stderr
    assert (PROJECT_ROOT / "site-company-alibaba" / "index.html").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--company", "alibab"), "error: unknown company 'alibab'; did you mean 'alibaba'?"),
        (("--topic", "nothing-like-it"), "error: unknown topic 'nothing-like-it'"),
        (
            ("--company", "alibaba", "--topic", "earnings"),
            "error: give --company or --topic, not both",
        ),
    ],
)
def test_unknown_or_double_scope_is_one_line_error(tmp_path, args, message):
    result = run_kb(
        "build", *args, "--docs-dir", tmp_path / "docs", "--site-dir", tmp_path / "site"
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == message
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()
