"""The real content folder: it validates cleanly and holds the four recorded events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.loader import load
from generator.validate import validate

CONTENT = Path(__file__).resolve().parent.parent / "content"
TODAY = dt.date(2026, 3, 12)  # the date of the one source article

EXPECTED_EVENTS = {
    "alibaba/2026-03-19-quarterly-results": ("2026-03-19", "scheduled", "earnings"),
    "alibaba-cloud/2026-03-09-jinshan-data-centre-agreement": (
        "2026-03-09",
        "occurred",
        "agreement",
    ),
    "ant-digital/2026-03-energy-asset-tokenisation": ("2026-03", "occurred", "financing"),
    "alibaba/2026-03-rome-crypto-mining-incident": ("2026-03", "occurred", "incident"),
}


@pytest.fixture(scope="module")
def result():
    files, load_problems = load(CONTENT)
    checked, problems = validate(files, TODAY)
    return checked, load_problems + problems


def test_no_errors_or_warnings(result):
    _, problems = result
    assert [p.format() for p in problems] == []


def test_the_four_events(result):
    events = result[0]["event"]
    found = {
        event_id: (item.record.date.iso(), item.record.status, item.record.type)
        for event_id, item in events.items()
    }
    assert found == EXPECTED_EVENTS


def test_rome_named_in_title(result):
    event = result[0]["event"]["alibaba/2026-03-rome-crypto-mining-incident"].record
    assert "ROME" in event.title


def test_sources_are_citations_of_the_german_article(result):
    for event_id, item in result[0]["event"].items():
        for source in item.record.sources:
            assert source.url is None, event_id
            assert source.lang == "de", event_id
            assert source.published.iso() == "2026-03-12", event_id


def test_every_event_has_a_german_translation(result):
    for event_id, item in result[0]["event"].items():
        event = item.record
        assert event.lang == "en", event_id
        assert "de" in event.translations, event_id
        assert event.translations["de"].summary, event_id


@pytest.mark.parametrize(("kind", "field"), [("company", "companies"), ("topic", "topics")])
def test_every_company_and_topic_is_used_or_a_parent(result, kind, field):
    checked = result[0]
    used = {ref for item in checked["event"].values() for ref in getattr(item.record, field)}
    parents = {item.record.parent for item in checked[kind].values()} - {None}
    assert set(checked[kind]) - used - parents == set()
