"""Loading and validating small content folders: every problem, exactly as reported."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.diagnostics import Diagnostic, Severity
from generator.loader import load
from generator.validate import validate

TODAY = dt.date(2026, 4, 1)

COMPANY = "companies/acme.yaml"
TOPIC = "topics/cloud.yaml"
EVENT = "events/acme/2026-03-19-results.yaml"

# the paths as shown in messages (relative to the working directory, tmp_path)
C = "content/companies/acme.yaml"
T = "content/topics/cloud.yaml"
E = "content/events/acme/2026-03-19-results.yaml"

COMPANY_TEXT = "name: Acme Corp\n"
TOPIC_TEXT = "name: Cloud\n"
EVENT_TEXT = """\
title: Acme reports results
date: 2026-03-19
status: occurred
type: earnings
companies: [acme]
topics: [cloud]
lang: en
summary: Acme did well.
sources:
  - title: Acme results
    published: 2026-03-19
    lang: en
"""

BASE = {COMPANY: COMPANY_TEXT, TOPIC: TOPIC_TEXT, EVENT: EVENT_TEXT}

EVENT_FIELDS = (
    "title, date, date_note, status, type, companies, topics, lang, summary, amounts, "
    "places, sources, related, translations"
)
COMPANY_FIELDS = "name, aliases, tickers, parent, country, website, description"


def event(old: str, new: str) -> dict[str, str]:
    """The base event with one piece of text replaced (which must occur exactly once)."""
    assert EVENT_TEXT.count(old) == 1, old
    return {EVENT: EVENT_TEXT.replace(old, new)}


def another_event(date: str, title: str, status: str = "occurred") -> str:
    """An event of acme on ``date`` whose title is not alike the base event's."""
    return (
        EVENT_TEXT.replace("date: 2026-03-19", f"date: {date}")
        .replace("Acme reports results", title)
        .replace("status: occurred", f"status: {status}")
    )


def with_amounts(amounts: str) -> dict[str, str]:
    return event("lang: en\nsummary", f"lang: en\namounts:\n{amounts}summary")


def with_event_field(text: str) -> dict[str, str]:
    """``text`` inserted after 'lang: en' (line 7), so it starts on line 8."""
    return event("lang: en\nsummary", f"lang: en\n{text}summary")


Files = dict[str, "str | bytes | None"]


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    """Write files under tmp_path/content, then load and validate them.

    Starts from BASE unless base=False; a value of None leaves that base file out.
    Returns every diagnostic, sorted as the command line reports them, formatted
    with its rule id appended in brackets.
    """
    monkeypatch.chdir(tmp_path)

    def run(files: Files | None = None, *, base: bool = True, today: dt.date = TODAY) -> list[str]:
        everything: Files = {**(BASE if base else {}), **(files or {})}
        for relative, text in everything.items():
            if text is None:
                continue
            path = tmp_path / "content" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
        (tmp_path / "content").mkdir(exist_ok=True)
        loaded, load_problems = load(tmp_path / "content")
        _, problems = validate(loaded, today)
        assert all(isinstance(d, Diagnostic) for d in load_problems + problems)
        assert problems == sorted(problems)
        return [f"{d.format()} [{d.rule}]" for d in sorted(load_problems + problems)]

    return run


# --- a valid knowledge base -----------------------------------------------------


def test_minimal_knowledge_base_has_no_problems(kb) -> None:
    assert kb() == []


def test_valid_records_are_returned_by_kind_and_id(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for relative, text in BASE.items():
        path = tmp_path / "content" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    files, load_problems = load(Path("content"))
    assert load_problems == []
    assert [(f.kind, f.id, f.display) for f in files] == [
        ("company", "acme", C),
        ("event", "acme/2026-03-19-results", E),
        ("topic", "cloud", T),
    ]
    checked, problems = validate(files, TODAY)
    assert problems == []
    assert {kind: list(items) for kind, items in checked.items()} == {
        "company": ["acme"],
        "topic": ["cloud"],
        "event": ["acme/2026-03-19-results"],
    }
    record = checked["event"]["acme/2026-03-19-results"].record
    assert record.title == "Acme reports results"
    assert record.date.iso() == "2026-03-19"
    assert record.companies == ["acme"]


def test_full_records_are_valid(kb) -> None:
    files = {
        "companies/acme.yaml": """\
name: Acme Corp
aliases: [Acme, "ACME Inc."]
tickers:
  - exchange: HKEX
    symbol: "9988"
parent: acme-holding
country: CN
website: https://acme.example.com/about
description: Makes everything.
""",
        "companies/acme-holding.yaml": "name: Acme Holding\n",
        "topics/cloud.yaml": "name: Cloud\ndescription: Computing elsewhere.\nparent: it\n",
        "topics/it.yaml": "name: IT\n",
        EVENT: EVENT_TEXT.replace(
            "lang: en\nsummary: Acme did well.\n",
            """\
lang: en
summary: |
  Acme did **well**.

  - revenue up
amounts:
  - value: 60000000000
    currency: CNY
    note: about
  - value: 8.4e9
    currency: USD
  - value: 1_000
    currency: EUR
places: [Hangzhou, "Norway"]
related: [acme/2026-q2-outlook]
translations:
  de:
    title: Acme meldet Zahlen
    summary: Acme ging es gut.
""",
        ).replace("date: 2026-03-19", "date: 2026-03-19\ndate_note: before US market open"),
        "events/acme/2026-q2-outlook.yaml": another_event(
            "2026-Q2", "Outlook for the second quarter", "scheduled"
        ).replace("    lang: en\n", "    lang: en\n    url: https://example.com/a?b=c#d\n"),
        "events/acme/2026-03-preview.yaml": another_event("2026-03", "A preview"),
        "events/acme/2026-market-share.yaml": another_event("2026", "Market share grows"),
    }
    assert kb(files) == []


def test_utf8_bom_and_crlf_are_accepted(kb) -> None:
    text = EVENT_TEXT.replace("\n", "\r\n").encode()
    assert kb({EVENT: b"\xef\xbb\xbf" + text}) == []


# --- schema problems ------------------------------------------------------------

SCHEMA_CASES = [
    pytest.param(
        event("title: Acme reports results\n", ""),
        [f"{E}:1:1: error: missing required field 'title' [schema]"],
        id="missing-field",
    ),
    pytest.param(
        event("title: Acme reports results", "titel: Acme reports results"),
        [
            f"{E}:1:1: error: missing required field 'title' [schema]",
            f"{E}:1:1: error: unknown field 'titel'; did you mean 'title'? [schema]",
        ],
        id="unknown-field-did-you-mean",
    ),
    pytest.param(
        event("summary: Acme did well.", "Summary: Acme did well."),
        [
            f"{E}:1:1: error: missing required field 'summary' [schema]",
            f"{E}:8:1: error: unknown field 'Summary'; did you mean 'summary'? [schema]",
        ],
        id="unknown-field-case",
    ),
    pytest.param(
        with_event_field("zzz: 1\n"),
        [f"{E}:8:1: error: unknown field 'zzz'; expected one of: {EVENT_FIELDS} [schema]"],
        id="unknown-field-no-match",
    ),
    pytest.param(
        event("    lang: en\n", "    lang: en\n    urll: https://example.com/a\n"),
        [
            f"{E}:13:5: error: unknown field 'sources[0].urll'; did you mean 'sources[0].url'?"
            " [schema]"
        ],
        id="unknown-nested-field",
    ),
    pytest.param(
        event(
            "sources:\n  - title: Acme results\n    published: 2026-03-19\n    lang: en\n",
            "sources:\n  - title: Acme results\n    lang: en\n",
        ),
        [f"{E}:10:5: error: missing required field 'published' in 'sources[0]' [schema]"],
        id="missing-nested-field",
    ),
    pytest.param(
        event("status: occurred", "status: happened"),
        [
            f"{E}:3:9: error: status: expected one of occurred, scheduled, postponed or "
            "cancelled; got 'happened' [schema]"
        ],
        id="wrong-enum",
    ),
    pytest.param(
        event("type: earnings", "type: Earnings"),
        [
            f"{E}:4:7: error: type: expected one of earnings, agreement, investment, "
            "acquisition, product, incident, regulatory, legal, financing, leadership or other;"
            " got 'Earnings' [schema]"
        ],
        id="wrong-enum-case",
    ),
    pytest.param(
        event("status: occurred", "status: [occurred]"),
        [
            f"{E}:3:9: error: status: expected one of occurred, scheduled, postponed or "
            "cancelled; got a list [schema]"
        ],
        id="enum-given-a-list",
    ),
    pytest.param(
        event("status: occurred", "status:"),
        [
            f"{E}:3:8: error: status: expected one of occurred, scheduled, postponed or "
            "cancelled; got nothing [schema]"
        ],
        id="enum-given-nothing",
    ),
    pytest.param(
        event("companies: [acme]", "companies: [Acme]"),
        [
            f"{E}:5:13: error: companies[0]: expected a lowercase id like alibaba-cloud; "
            "got 'Acme' [schema]"
        ],
        id="bad-slug",
    ),
    pytest.param(
        event("companies: [acme]", "companies: [acme--corp]"),
        [
            f"{E}:5:13: error: companies[0]: expected a lowercase id like alibaba-cloud; "
            "got 'acme--corp' [schema]"
        ],
        id="bad-slug-double-hyphen",
    ),
    pytest.param(
        with_event_field("related: [acme]\n"),
        [
            f"{E}:8:11: error: related[0]: expected an event id like "
            "alibaba/2026-03-19-quarterly-results; got 'acme' [schema]"
        ],
        id="bad-event-id",
    ),
    pytest.param(
        event("topics: [cloud]", "topics: []"),
        [f"{E}:6:9: error: topics: needs at least one entry [schema]"],
        id="empty-list",
    ),
    pytest.param(
        event("    lang: en\n", "    lang: en\n    url: javascript:alert(1)\n"),
        [
            f"{E}:13:10: error: sources[0].url: expected an http:// or https:// address; "
            "got 'javascript:alert(1)' [schema]"
        ],
        id="javascript-url",
    ),
    pytest.param(
        event("    lang: en\n", "    lang: en\n    url: ftp://example.com/x\n"),
        [
            f"{E}:13:10: error: sources[0].url: expected an http:// or https:// address; "
            "got 'ftp://example.com/x' [schema]"
        ],
        id="ftp-url",
    ),
    pytest.param(
        event("    lang: en\n", "    lang: en\n    url: https://exa mple.com\n"),
        [
            f"{E}:13:10: error: sources[0].url: expected an http:// or https:// address; "
            "got 'https://exa mple.com' [schema]"
        ],
        id="url-with-space",
    ),
    pytest.param(
        with_amounts("  - value: 100\n    currency: usd\n"),
        [
            f"{E}:10:15: error: amounts[0].currency: expected an ISO 4217 currency code like "
            "CNY or USD; got 'usd' [schema]"
        ],
        id="bad-currency",
    ),
    pytest.param(
        with_amounts("  - value: 100\n    currency: EURO\n"),
        [
            f"{E}:10:15: error: amounts[0].currency: expected an ISO 4217 currency code like "
            "CNY or USD; got 'EURO' [schema]"
        ],
        id="bad-currency-length",
    ),
    pytest.param(
        with_amounts("  - value: lots\n    currency: USD\n"),
        [
            f"{E}:9:12: error: amounts[0].value: expected a number like 60000000000 or 8.4e9; "
            "got 'lots' [schema]"
        ],
        id="bad-amount",
    ),
    pytest.param(
        with_amounts("  - value: 1,000\n    currency: USD\n"),
        [
            f"{E}:9:12: error: amounts[0].value: expected a number like 60000000000 or 8.4e9; "
            "got '1,000' [schema]"
        ],
        id="amount-with-comma",
    ),
    pytest.param(
        with_amounts("  - value: -5\n    currency: USD\n"),
        [f"{E}:9:12: error: amounts[0].value: expected a positive number; got '-5' [schema]"],
        id="negative-amount",
    ),
    pytest.param(
        with_amounts("  - value: 0\n    currency: USD\n"),
        [f"{E}:9:12: error: amounts[0].value: expected a positive number; got '0' [schema]"],
        id="zero-amount",
    ),
    pytest.param(
        with_amounts("  - value: NaN\n    currency: USD\n"),
        [f"{E}:9:12: error: amounts[0].value: expected a positive number; got 'NaN' [schema]"],
        id="nan-amount",
    ),
    pytest.param(
        with_amounts("  - currency: USD\n"),
        [f"{E}:9:5: error: missing required field 'value' in 'amounts[0]' [schema]"],
        id="amount-without-value",
    ),
    pytest.param(
        event("title: Acme reports results", "title: NO"),
        [
            f"{E}:1:8: error: title: YAML reads a bare NO as a boolean; write it in quotes, "
            '"NO", if it is meant as text [schema]'
        ],
        id="bare-NO-in-text",
    ),
    pytest.param(
        event("title: Acme reports results", "title: 3.10"),
        [
            f"{E}:1:8: error: title: YAML reads a bare 3.10 as a number; write it in quotes, "
            '"3.10", if it is meant as text [schema]'
        ],
        id="bare-number-in-text",
    ),
    pytest.param(
        event("title: Acme reports results", "title: 2026-03-19"),
        [
            f"{E}:1:8: error: title: YAML reads a bare 2026-03-19 as a date; write it in quotes,"
            ' "2026-03-19", if it is meant as text [schema]'
        ],
        id="bare-date-in-text",
    ),
    pytest.param(
        event("lang: en\nsummary", "lang: no\nsummary"),
        [
            f"{E}:7:7: error: lang: YAML reads a bare no as a boolean; write it in quotes, "
            '"no", if it is meant as text [schema]'
        ],
        id="bare-no-as-language",
    ),
    pytest.param(
        with_event_field("places: [NO]\n"),
        [
            f"{E}:8:10: error: places[0]: YAML reads a bare NO as a boolean; write it in quotes,"
            ' "NO", if it is meant as text [schema]'
        ],
        id="bare-NO-in-list",
    ),
    pytest.param(
        event("title: Acme reports results", "title: 'NO'"),
        [],
        id="quoted-NO-is-fine",
    ),
    pytest.param(
        event("title: Acme reports results", "title: ''"),
        [f"{E}:1:8: error: title: must not be empty [schema]"],
        id="empty-text",
    ),
    pytest.param(
        event("title: Acme reports results", "title:"),
        [f"{E}:1:7: error: title: expected text; got nothing [schema]"],
        id="text-given-nothing",
    ),
    pytest.param(
        event("companies: [acme]", "companies: [~]"),
        [f"{E}:5:13: error: companies[0]: expected text; got nothing [schema]"],
        id="list-item-given-nothing",
    ),
    pytest.param(
        event("title: Acme reports results", "title: |\n  first\n  second"),
        [f"{E}:1:8: error: title: must be a single line [schema]"],
        id="multi-line-title",
    ),
    pytest.param(
        event("title: Acme reports results", "title: " + "x" * 301),
        [f"{E}:1:8: error: title: is 301 characters long; keep it to 300 [schema]"],
        id="long-title",
    ),
    pytest.param(
        event("title: Acme reports results", "title: [a, b]"),
        [f"{E}:1:8: error: title: expected text; got a list [schema]"],
        id="text-given-a-list",
    ),
    pytest.param(
        event("date: 2026-03-19", "date: 2026-02-30"),
        [
            f"{E}:2:7: error: date: 2026-02-30 is not a real date: February 2026 has 28 days "
            "[schema]"
        ],
        id="impossible-date",
    ),
    pytest.param(
        event("date: 2026-03-19", "date: 2026-13"),
        [f"{E}:2:7: error: date: month 13 does not exist; expected 01 to 12 [schema]"],
        id="impossible-month",
    ),
    pytest.param(
        event("date: 2026-03-19", "date: 19.03.2026"),
        [
            f"{E}:2:7: error: date: expected a day like 2026-03-19, a month like 2026-03, a "
            "quarter like 2026-Q1 or a year like 2026; got '19.03.2026' [schema]"
        ],
        id="date-format",
    ),
    pytest.param(
        event("    published: 2026-03-19", "    published: 1700"),
        [
            f"{E}:11:16: error: sources[0].published: year 1700 is out of range; expected a "
            "year from 1800 on [schema]"
        ],
        id="date-out-of-range",
    ),
    pytest.param(
        event(
            "sources:\n  - title: Acme results\n    published: 2026-03-19\n    lang: en\n",
            "sources:\n  title: Acme results\n  published: 2026-03-19\n  lang: en\n",
        ),
        [f"{E}:10:3: error: sources: expected a list; got a mapping [schema]"],
        id="mapping-instead-of-list",
    ),
    pytest.param(
        event("companies: [acme]", "companies: acme"),
        [f"{E}:5:12: error: companies: expected a list; got 'acme' [schema]"],
        id="scalar-instead-of-list",
    ),
    pytest.param(
        event("companies: [acme]", "companies:"),
        [f"{E}:5:11: error: companies: expected a list; got nothing [schema]"],
        id="nothing-instead-of-list",
    ),
    pytest.param(
        event(
            "sources:\n  - title: Acme results\n    published: 2026-03-19\n    lang: en\n",
            "sources:\n  - https://example.com\n",
        ),
        [f"{E}:10:5: error: sources[0]: expected a mapping; got 'https://example.com' [schema]"],
        id="scalar-instead-of-mapping",
    ),
    pytest.param(
        with_event_field("translations: [de]\n"),
        [f"{E}:8:15: error: translations: expected a mapping; got a list [schema]"],
        id="list-instead-of-mapping",
    ),
    pytest.param(
        with_event_field("translations:\n  de:\n    titel: Zahlen\n"),
        [
            f"{E}:10:5: error: missing required field 'title' in 'translations.de' [schema]",
            f"{E}:10:5: error: unknown field 'translations.de.titel'; "
            "did you mean 'translations.de.title'? [schema]",
        ],
        id="unknown-field-in-translation",
    ),
    pytest.param(
        with_event_field("translations:\n  DE:\n    title: Zahlen\n"),
        [
            f"{E}:9:3: error: translations.DE: expected a lowercase ISO 639 language code like "
            "en or de; got 'DE' [schema]"
        ],
        id="bad-translation-language-is-located-at-the-key",
    ),
    pytest.param(
        {EVENT: "- a\n"},
        [f"{E}:1:1: error: record: expected a mapping; got a list [schema]"],
        id="root-list",
    ),
    pytest.param(
        {EVENT: "hello\n"},
        [f"{E}:1:1: error: record: expected a mapping; got 'hello' [schema]"],
        id="root-scalar",
    ),
    pytest.param(
        {EVENT: "# nothing yet\n"},
        [f"{E}:1:1: error: empty file; expected an event record [schema]"],
        id="empty-event-file",
    ),
    pytest.param(
        {TOPIC: ""},
        [
            f"{T}:1:1: error: empty file; expected a topic record [schema]",
        ],
        id="empty-topic-file",
    ),
    pytest.param(
        {COMPANY: "name: Acme\nwebsit: https://acme.example\n"},
        [
            f"{C}:2:1: error: unknown field 'websit'; did you mean 'website'? [schema]",
        ],
        id="company-unknown-field",
    ),
    pytest.param(
        {COMPANY: "name: Acme\ncountry: NO\n"},
        [
            f"{C}:2:10: error: country: YAML reads a bare NO as a boolean; write it in quotes, "
            '"NO", if it is meant as text [schema]',
        ],
        id="company-country-NO",
    ),
    pytest.param(
        {COMPANY: "name: Acme\ncountry: de\n"},
        [
            f"{C}:2:10: error: country: expected an ISO 3166 country code like CN or US; "
            "got 'de' [schema]",
        ],
        id="company-country-lowercase",
    ),
    pytest.param(
        {COMPANY: "name: Acme\ntickers:\n  - exchange: HKEX\n    symbol: 9988\n"},
        [
            f"{C}:4:13: error: tickers[0].symbol: YAML reads a bare 9988 as an integer; "
            'write it in quotes, "9988", if it is meant as text [schema]',
        ],
        id="company-numeric-ticker",
    ),
    pytest.param(
        {COMPANY: "name: Acme\ntickers:\n  - exchange: HKEX\n    symbl: '9988'\n"},
        [
            f"{C}:3:5: error: missing required field 'symbol' in 'tickers[0]' [schema]",
            f"{C}:4:5: error: unknown field 'tickers[0].symbl'; did you mean "
            "'tickers[0].symbol'? [schema]",
        ],
        id="company-ticker-typo",
    ),
    pytest.param(
        {COMPANY: "name: Acme\nwebsite: javascript:alert(1)//x.y\n"},
        [
            f"{C}:2:10: error: website: expected an http:// or https:// address; "
            "got 'javascript:alert(1)//x.y' [schema]",
        ],
        id="company-javascript-website",
    ),
    pytest.param(
        {COMPANY: "name: Acme\naliases: Acme Inc\n"},
        [f"{C}:2:10: error: aliases: expected a list; got 'Acme Inc' [schema]"],
        id="company-aliases-not-a-list",
    ),
    pytest.param(
        {COMPANY: 'name: Acme\n"[foo]": 1\n'},
        [
            f"{C}:2:1: error: unknown field '[foo]'; expected one of: {COMPANY_FIELDS} [schema]",
        ],
        id="unknown-field-in-brackets",
    ),
    pytest.param(
        {COMPANY: "name: Acme\nfunction-after: 1\n"},
        [
            f"{C}:2:1: error: unknown field 'function-after'; expected one of: {COMPANY_FIELDS}"
            " [schema]",
        ],
        id="unknown-field-named-like-a-validator",
    ),
    pytest.param(
        {COMPANY: 'name: Acme\n"": 1\n'},
        [
            f"{C}:2:1: error: unknown field ''; expected one of: {COMPANY_FIELDS} [schema]",
        ],
        id="unknown-empty-field",
    ),
]


@pytest.mark.parametrize(("files", "expected"), SCHEMA_CASES)
def test_schema_problems(kb, files: Files, expected: list[str]) -> None:
    assert kb(files) == expected


# --- cross-record rules ---------------------------------------------------------

RULE_CASES = [
    pytest.param(
        event("companies: [acme]", "companies: [acme, acmee]"),
        [
            f"{E}:5:19: error: companies: unknown company 'acmee'; did you mean 'acme'? "
            "[unknown-company]"
        ],
        id="unknown-company-suggestion",
    ),
    pytest.param(
        event("companies: [acme]", "companies: [acme, zzzz]"),
        [
            f"{E}:5:19: error: companies: unknown company 'zzzz'; no company has that id "
            "[unknown-company]"
        ],
        id="unknown-company",
    ),
    pytest.param(
        {COMPANY: "name: Acme\nparent: acme-holding\n"},
        [
            f"{C}:2:9: error: parent: unknown company 'acme-holding'; no company has that id "
            "[unknown-company]"
        ],
        id="unknown-parent-company",
    ),
    pytest.param(
        event("topics: [cloud]", "topics: [clod]"),
        [f"{E}:6:10: error: topics: unknown topic 'clod'; did you mean 'cloud'? [unknown-topic]"],
        id="unknown-topic-suggestion",
    ),
    pytest.param(
        event("topics: [cloud]", "topics: [finance]"),
        [f"{E}:6:10: error: topics: unknown topic 'finance'; no topic has that id [unknown-topic]"],
        id="unknown-topic",
    ),
    pytest.param(
        {TOPIC: "name: Cloud\nparent: clouds\n"},
        [f"{T}:2:9: error: parent: unknown topic 'clouds'; did you mean 'cloud'? [unknown-topic]"],
        id="unknown-parent-topic",
    ),
    pytest.param(
        with_event_field("related: [acme/2026-03-20-results]\n"),
        [
            f"{E}:8:11: error: related: unknown event 'acme/2026-03-20-results'; did you mean "
            "'acme/2026-03-19-results'? [unknown-event]"
        ],
        id="unknown-related-event-suggestion",
    ),
    pytest.param(
        with_event_field("related: [foo/bar]\n"),
        [
            f"{E}:8:11: error: related: unknown event 'foo/bar'; no event has that id "
            "[unknown-event]"
        ],
        id="unknown-related-event",
    ),
    pytest.param(
        with_event_field("related: [acme/2026-03-19-results]\n"),
        [f"{E}:8:11: error: related: an event cannot relate to itself [related]"],
        id="self-related",
    ),
    pytest.param(
        event("topics: [cloud]", "topics: [cloud, cloud]"),
        [f"{E}:6:17: error: topics: 'cloud' is listed twice [duplicate-id]"],
        id="repeated-topic",
    ),
    pytest.param(
        event("companies: [acme]", "companies: [acme, acme]"),
        [f"{E}:5:19: error: companies: 'acme' is listed twice [duplicate-id]"],
        id="repeated-company",
    ),
    pytest.param(
        {
            **with_event_field("related: [acme/2026-03-preview, acme/2026-03-preview]\n"),
            "events/acme/2026-03-preview.yaml": another_event("2026-03", "A preview"),
        },
        [f"{E}:8:33: error: related: 'acme/2026-03-preview' is listed twice [duplicate-id]"],
        id="repeated-related",
    ),
    pytest.param(
        {
            "companies/beta.yaml": "name: Beta\n",
            **event("companies: [acme]", "companies: [beta, acme]"),
        },
        [
            f"{E}:5:13: error: companies: the first company 'beta' owns the event, so the file "
            "belongs in content/events/beta/ (it is in acme/) [folder]"
        ],
        id="folder-mismatch",
    ),
    pytest.param(
        event("date: 2026-03-19", "date: 2026-03-20"),
        [
            f"{E}:2:7: error: file name must be the date then a short slug, like "
            "2026-03-20-results.yaml, to match date 2026-03-20 [file-name]"
        ],
        id="file-name-other-day",
    ),
    pytest.param(
        event("date: 2026-03-19", "date: 2026-03"),
        [
            f"{E}:2:7: error: file name must be the date then a short slug, like "
            "2026-03-results.yaml, to match date 2026-03 [file-name]"
        ],
        id="file-name-more-precise-than-month",
    ),
    pytest.param(
        event("date: 2026-03-19", "date: 2026"),
        [
            f"{E}:2:7: error: file name must be the date then a short slug, like "
            "2026-results.yaml, to match date 2026 [file-name]"
        ],
        id="file-name-more-precise-than-year",
    ),
    pytest.param(
        event("date: 2026-03-19", "date: 2026-Q1"),
        [
            f"{E}:2:7: error: file name must be the date then a short slug, like "
            "2026-q1-results.yaml, to match date 2026-Q1 [file-name]"
        ],
        id="file-name-quarter",
    ),
    pytest.param(
        {EVENT: None, "events/acme/2026-03-19.yaml": EVENT_TEXT},
        [
            "content/events/acme/2026-03-19.yaml:2:7: error: file name must be the date then a "
            "short slug, like 2026-03-19-what-happened.yaml, to match date 2026-03-19 [file-name]"
        ],
        id="file-name-without-slug",
    ),
    pytest.param(
        {EVENT: None, "events/acme/2026-q1-results.yaml": EVENT_TEXT.replace("03-19", "Q1", 1)},
        [],
        id="file-name-quarter-ok",
    ),
    pytest.param(
        {EVENT: None, "events/acme/2026-03-19-10-billion-deal.yaml": EVENT_TEXT},
        [],
        id="file-name-slug-starting-with-a-number",
    ),
    pytest.param(
        with_event_field("translations:\n  en:\n    title: x\n"),
        [
            f"{E}:9:3: error: translations: 'en' is the record's own language; translations "
            "are for other languages [translation]"
        ],
        id="translation-in-own-language",
    ),
    pytest.param(
        {"companies/a.yaml": "name: A\nparent: b\n", "companies/b.yaml": "name: B\nparent: a\n"},
        [
            "content/companies/a.yaml:2:9: error: parent: company cycle a → b → a [parent-cycle]",
            "content/companies/b.yaml:2:9: error: parent: company cycle b → a → b [parent-cycle]",
        ],
        id="company-parent-cycle",
    ),
    pytest.param(
        {"companies/a.yaml": "name: A\nparent: a\n"},
        ["content/companies/a.yaml:2:9: error: parent: company cycle a → a [parent-cycle]"],
        id="company-own-parent",
    ),
    pytest.param(
        {
            "topics/a.yaml": "name: A\nparent: b\n",
            "topics/b.yaml": "name: B\nparent: c\n",
            "topics/c.yaml": "name: C\nparent: b\n",
        },
        [
            "content/topics/b.yaml:2:9: error: parent: topic cycle b → c → b [parent-cycle]",
            "content/topics/c.yaml:2:9: error: parent: topic cycle c → b → c [parent-cycle]",
        ],
        id="topic-parent-cycle-reported-only-by-its-members",
    ),
    pytest.param(
        event("status: occurred", "status: scheduled"),
        [
            f"{E}:3:9: warning: status: scheduled for 2026-03-19, which has passed; set the "
            "status to occurred, postponed or cancelled [stale-schedule]"
        ],
        id="stale-scheduled",
    ),
    pytest.param(
        {
            EVENT: None,
            "events/acme/2026-04-02-results.yaml": EVENT_TEXT.replace("2026-03-19", "2026-04-02"),
        },
        [
            "content/events/acme/2026-04-02-results.yaml:3:9: warning: status: occurred, but "
            "the date 2026-04-02 is in the future; did you mean scheduled? [future-occurred]"
        ],
        id="occurred-in-future",
    ),
    pytest.param(
        {
            EVENT: None,
            "events/acme/2026-04-02-results.yaml": another_event(
                "2026-04-02", "Shareholder meeting", "scheduled"
            ),
            "events/acme/2026-03-results.yaml": another_event("2026-03", "New cloud region"),
            "events/acme/2026-q1-results.yaml": another_event("2026-Q1", "Layoffs"),
            "events/acme/2026-q2-results.yaml": another_event("2026-Q2", "Price cuts"),
            "events/acme/2026-results.yaml": another_event("2026", "Market share grows"),
            "events/acme/2026-03-19-postponed.yaml": another_event(
                "2026-03-19", "Product launch delayed", "postponed"
            ),
            "events/acme/2027-cancelled.yaml": another_event("2027", "Merger", "cancelled"),
        },
        [],
        id="statuses-that-fit-their-dates",
    ),
]


PLACEHOLDER = "summary: still the placeholder from kb new event; write it [placeholder]"
SOURCE_URL = "https://news.example.com/acme/results"
WITH_URL = f"    lang: en\n    url: {SOURCE_URL}\n"
PREVIEW = "events/acme/2026-03-preview.yaml"
P = f"content/{PREVIEW}"

RULE_CASES += [
    pytest.param(
        event("summary: Acme did well.", "summary: 'TODO: what happened, with sources'"),
        [f"{E}:8:11: error: {PLACEHOLDER}"],
        id="placeholder-summary",
    ),
    pytest.param(
        event("summary: Acme did well.", "summary: |\n  TODO: what happened"),
        [f"{E}:9:3: error: {PLACEHOLDER}"],
        id="placeholder-summary-block",
    ),
    pytest.param(
        event("summary: Acme did well.", "summary: 'Nothing left TODO: done'"),
        [],
        id="todo-later-in-the-summary-is-fine",
    ),
    pytest.param(
        {
            **event("    lang: en\n", WITH_URL),
            PREVIEW: another_event("2026-03", "A preview").replace("    lang: en\n", WITH_URL),
        },
        [
            f"{E}:13:10: error: sources[0].url: the same source is cited by {P}; is this the same"
            " event? [duplicate-source]",
            f"{P}:13:10: error: sources[0].url: the same source is cited by {E}; is this the same"
            " event? [duplicate-source]",
        ],
        id="duplicate-source",
    ),
    pytest.param(
        {
            **event("    lang: en\n", WITH_URL),
            PREVIEW: another_event("2026-03", "A preview").replace(
                "    lang: en\n",
                "    lang: en\n    url: http://News.Example.com/acme/results/\n",
            ),
        },
        [
            f"{E}:13:10: error: sources[0].url: the same source is cited by {P}; is this the same"
            " event? [duplicate-source]",
            f"{P}:13:10: error: sources[0].url: the same source is cited by {E}; is this the same"
            " event? [duplicate-source]",
        ],
        id="duplicate-source-scheme-host-and-slash",
    ),
    pytest.param(
        {
            **event("    lang: en\n", "    lang: en\n    url: https://youtu.be/watch?v=aBcD\n"),
            PREVIEW: another_event("2026-03", "A preview").replace(
                "    lang: en\n", "    lang: en\n    url: https://youtu.be/watch?v=AbCd\n"
            ),
        },
        [],
        id="urls-differing-in-path-case-are-different-sources",
    ),
    pytest.param(
        event(
            "    lang: en\n", WITH_URL + "  - title: Again\n    published: 2026-03-20\n" + WITH_URL
        ),
        [],
        id="same-source-twice-in-one-event-is-not-a-duplicate",
    ),
    pytest.param(
        {
            "events/acme/2026-03-24-results.yaml": another_event(
                "2026-03-24", "Acme reports results"
            )
        },
        [
            f"{E}:1:8: warning: title: possible duplicate of content/events/acme/"
            "2026-03-24-results.yaml (same company, dates 2026-03-19 and 2026-03-24, titles "
            "100% alike) [near-duplicate]",
            "content/events/acme/2026-03-24-results.yaml:1:8: warning: title: possible duplicate "
            f"of {E} (same company, dates 2026-03-24 and 2026-03-19, titles 100% alike) "
            "[near-duplicate]",
        ],
        id="near-duplicate",
    ),
    pytest.param(
        {
            "events/acme/2026-03-26-results.yaml": another_event(
                "2026-03-26", "Acme reports results"
            ),
        },
        [
            f"{E}:1:8: warning: title: possible duplicate of content/events/acme/"
            "2026-03-26-results.yaml (same company, dates 2026-03-19 and 2026-03-26, titles "
            "100% alike) [near-duplicate]",
            "content/events/acme/2026-03-26-results.yaml:1:8: warning: title: possible duplicate "
            f"of {E} (same company, dates 2026-03-26 and 2026-03-19, titles 100% alike) "
            "[near-duplicate]",
        ],
        id="near-duplicate-seven-days-apart",
    ),
    pytest.param(
        {
            "events/acme/2026-03-27-results.yaml": another_event(
                "2026-03-27", "Acme reports results"
            )
        },
        [],
        id="eight-days-apart-is-not-near",
    ),
    pytest.param(
        {
            "events/acme/2026-03-20-results.yaml": another_event(
                "2026-03-20", "Acme reports quarterly results"
            ),
            "events/acme/2026-03-21-results.yaml": another_event(
                "2026-03-21", "Acme reports record results"
            ),
        },
        [
            # {acme, reports, results} against 4 words: 3 of 4 alike, not reported
        ],
        id="titles-75-percent-alike",
    ),
    pytest.param(
        {
            "companies/beta.yaml": "name: Beta\n",
            "events/beta/2026-03-19-results.yaml": EVENT_TEXT.replace("[acme]", "[beta, acme]"),
        },
        [],
        id="same-title-other-primary-company",
    ),
]


@pytest.mark.parametrize(("files", "expected"), RULE_CASES)
def test_cross_record_rules(kb, files: Files, expected: list[str]) -> None:
    assert kb(files) == expected


def with_summary(text: str) -> dict[str, str]:
    """The base event with its summary (line 8) replaced by ``summary: <text>``."""
    return event("summary: Acme did well.", f"summary: {text}")


IMAGE = "![chart](https://example.com/chart.png)"
NO_IMAGES = "summary: images are not allowed in a summary; link to the picture instead [summary]"

SUMMARY_CASES = [
    pytest.param(
        with_summary("See <b>this</b>."),
        [
            f"{E}:8:14: error: summary: HTML tag '<b>' is not allowed in a summary; use Markdown"
            " [summary]"
        ],
        id="html-tag",
    ),
    pytest.param(
        with_summary("'[click](javascript:alert(1))'"),
        [
            f"{E}:8:19: error: summary: link 'javascript:alert(1)' is not allowed; links must "
            "start with http:// or https:// [summary]"
        ],
        id="javascript-link",
    ),
    pytest.param(
        with_summary(f"|\n  Fine.\n  {IMAGE}"),
        [f"{E}:10:3: error: {NO_IMAGES}"],
        id="image-in-literal-block",
    ),
    pytest.param(
        with_summary("|\n  ok\n\n  # Big news"),
        [
            f"{E}:11:3: error: summary: headings are not allowed in a summary; the page has its"
            " own [summary]"
        ],
        id="heading-in-literal-block",
    ),
    pytest.param(
        with_summary("'" + "[" * 61 + "'"),
        [f"{E}:8:11: error: summary: has 61 '[' characters; at most 60 are allowed [summary]"],
        id="too-many-brackets",
    ),
    pytest.param(
        with_summary("x" * 5001),
        [f"{E}:8:10: error: summary: is 5001 characters long; keep it to 5000 [schema]"],
        id="too-long",
    ),
    pytest.param(
        with_event_field(
            "translations:\n  de:\n    title: Zahlen\n    summary: |\n      gut\n      <i>x</i>\n"
        ),
        [
            f"{E}:13:7: error: translations.de.summary: HTML tag '<i>' is not allowed in a "
            "summary; use Markdown [summary]"
        ],
        id="translation-summary",
    ),
    pytest.param(
        with_summary("|\n  Acme did **well**, see [the report](https://example.com/r).\n\n  - up"),
        [],
        id="allowed-markdown",
    ),
    # the problem's own line, even where the text in the file and the summary differ
    pytest.param(
        with_summary(f">\n  line one\n  line two\n\n  {IMAGE}"),
        [f"{E}:12:3: error: {NO_IMAGES}"],
        id="image-in-folded-block",
    ),
    pytest.param(
        with_summary(f"|\n\n  {IMAGE}"),
        [f"{E}:10:3: error: {NO_IMAGES}"],
        id="image-after-a-leading-blank-line",
    ),
]


@pytest.mark.parametrize(("files", "expected"), SUMMARY_CASES)
def test_summary_rule(kb, files: Files, expected: list[str]) -> None:
    assert kb(files) == expected


@pytest.mark.parametrize(
    ("summary", "line"),
    [
        # escaped line breaks: the whole summary is written on line 8
        pytest.param(f'"a\\n\\n{IMAGE}"', 8, id="double-quoted-escapes"),
        # a quoted summary over several lines: the image is on line 11
        pytest.param(f"'a\n\n\n  {IMAGE}'", 11, id="single-quoted-lines"),
    ],
)
def test_summary_problem_in_quoted_text_is_on_its_line(kb, summary: str, line: int) -> None:
    problems = kb(with_summary(summary))
    assert len(problems) == 1
    assert problems[0].endswith(NO_IMAGES)
    assert problems[0].startswith(f"{E}:{line}:")


@pytest.mark.parametrize(
    ("date", "status", "today", "rule"),
    [
        ("2026-03", "scheduled", dt.date(2026, 3, 31), None),
        ("2026-03", "scheduled", dt.date(2026, 4, 1), "stale-schedule"),
        ("2026-Q2", "scheduled", dt.date(2026, 6, 30), None),
        ("2026-Q2", "scheduled", dt.date(2026, 7, 1), "stale-schedule"),
        ("2026", "scheduled", dt.date(2026, 12, 31), None),
        ("2026", "scheduled", dt.date(2027, 1, 1), "stale-schedule"),
        ("2026-03", "occurred", dt.date(2026, 3, 1), None),
        ("2026-03", "occurred", dt.date(2026, 2, 28), "future-occurred"),
        ("2026-Q2", "occurred", dt.date(2026, 4, 1), None),
        ("2026-Q2", "occurred", dt.date(2026, 3, 31), "future-occurred"),
        ("2026", "occurred", dt.date(2025, 12, 31), "future-occurred"),
        ("2026", "postponed", dt.date(2030, 1, 1), None),
        ("2026", "cancelled", dt.date(2020, 1, 1), None),
    ],
)
def test_status_boundaries(kb, date: str, status: str, today: dt.date, rule: str | None) -> None:
    slug = date.lower()
    text = EVENT_TEXT.replace("2026-03-19", date).replace("occurred", status)
    problems = kb({EVENT: None, f"events/acme/{slug}-results.yaml": text}, today=today)
    assert [p.rsplit(" [", 1)[1].rstrip("]") for p in problems] == ([rule] if rule else [])
    if rule:
        assert problems[0].startswith(f"content/events/acme/{slug}-results.yaml:3:9: warning: ")


def test_warnings_are_warnings_and_errors_are_errors(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for relative, text in {
        **BASE,
        EVENT: EVENT_TEXT.replace("occurred", "scheduled").replace("[cloud]", "[clod]"),
    }.items():
        path = tmp_path / "content" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    files, _ = load(Path("content"))
    _, problems = validate(files, TODAY)
    assert [(d.rule, d.severity, d.line, d.column) for d in problems] == [
        ("stale-schedule", Severity.WARNING, 3, 9),
        ("unknown-topic", Severity.ERROR, 6, 10),
    ]


# --- loader: layout ---------------------------------------------------------------

LAYOUT = (
    "misplaced record: expected content/companies/<id>.yaml, content/topics/<id>.yaml or "
    "content/events/<company-id>/<date>-<slug>.yaml [layout]"
)

LAYOUT_CASES = [
    pytest.param(
        {"companies/beta.yml": "name: Beta\n"},
        [
            "content/companies/beta.yml:1:1: error: record files end in .yaml; rename it to "
            "beta.yaml [layout]"
        ],
        id="yml",
    ),
    pytest.param(
        {"companies/notes.txt": "hello\n"},
        [
            "content/companies/notes.txt:1:1: error: not a record: the content folder holds "
            "only .yaml files [layout]"
        ],
        id="txt",
    ),
    pytest.param(
        {"companies/beta.YAML": "name: Beta\n"},
        [
            "content/companies/beta.YAML:1:1: error: not a record: the content folder holds "
            "only .yaml files [layout]"
        ],
        id="upper-case-extension",
    ),
    pytest.param(
        {"beta.yaml": "name: Beta\n"}, [f"content/beta.yaml:1:1: error: {LAYOUT}"], id="root"
    ),
    pytest.param(
        {"people/bob.yaml": "name: Bob\n"},
        [f"content/people/bob.yaml:1:1: error: {LAYOUT}"],
        id="unknown-folder",
    ),
    pytest.param(
        {"companies/x/beta.yaml": "name: Beta\n"},
        [f"content/companies/x/beta.yaml:1:1: error: {LAYOUT}"],
        id="company-too-deep",
    ),
    pytest.param(
        {"events/2026-03-19-x.yaml": EVENT_TEXT},
        [f"content/events/2026-03-19-x.yaml:1:1: error: {LAYOUT}"],
        id="event-without-company-folder",
    ),
    pytest.param(
        {"events/acme/2026/2026-03-19-x.yaml": EVENT_TEXT},
        [f"content/events/acme/2026/2026-03-19-x.yaml:1:1: error: {LAYOUT}"],
        id="event-too-deep",
    ),
    pytest.param(
        {"companies/Beta Corp.yaml": "name: Beta\n"},
        [
            "content/companies/Beta Corp.yaml:1:1: error: 'Beta Corp' is not a valid id: use "
            "lowercase letters, digits and single hyphens, like beta-corp [layout]"
        ],
        id="file-name-not-a-slug",
    ),
    pytest.param(
        {"topics/cloud_computing.yaml": "name: Cloud\n"},
        [
            "content/topics/cloud_computing.yaml:1:1: error: 'cloud_computing' is not a valid "
            "id: use lowercase letters, digits and single hyphens, like cloud-computing [layout]"
        ],
        id="underscore",
    ),
    pytest.param(
        {"companies/___.yaml": "name: Beta\n"},
        [
            "content/companies/___.yaml:1:1: error: '___' is not a valid id: use lowercase "
            "letters, digits and single hyphens, like my-record [layout]"
        ],
        id="nothing-to-suggest",
    ),
    pytest.param(
        {"events/Acme/2026-03-19-x.yaml": EVENT_TEXT},
        [
            "content/events/Acme/2026-03-19-x.yaml:1:1: error: 'Acme' is not a valid id: use "
            "lowercase letters, digits and single hyphens, like acme [layout]"
        ],
        id="company-folder-not-a-slug",
    ),
    pytest.param(
        {"companies/index.yaml": "name: Index\n"},
        [
            "content/companies/index.yaml:1:1: error: 'index' is reserved for the site's own "
            "pages; choose another id [layout]"
        ],
        id="reserved-company-id",
    ),
    pytest.param(
        {"events/acme/index.yaml": EVENT_TEXT},
        [
            "content/events/acme/index.yaml:1:1: error: 'index' is reserved for the site's own "
            "pages; choose another id [layout]"
        ],
        id="reserved-event-name",
    ),
    pytest.param(
        {
            ".git/config.yaml": "junk: [\n",
            ".DS_Store": "binary\x00junk",
            "companies/.beta.yaml": "junk: [\n",
            "events/.drafts/2026-01-01-x.yaml": "junk: [\n",
            "topics/.cloud.yaml.swp": "junk",
        },
        [],
        id="hidden-files-are-ignored",
    ),
]


@pytest.mark.parametrize(("files", "expected"), LAYOUT_CASES)
def test_layout_problems(kb, files: Files, expected: list[str]) -> None:
    assert kb(files) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"name: [Beta\n",
            "content/companies/beta.yaml:2:1: error: invalid YAML: did not find expected ',' "
            "or ']' [yaml]",
        ),
        (
            b"name: Beta\nname: Beta Two\n",
            "content/companies/beta.yaml:2:1: error: duplicate key 'name' (first defined on "
            "line 1); keep only one [yaml]",
        ),
        (
            b"name: B\xe9ta\n",
            "content/companies/beta.yaml:1:8: error: byte 0xe9 is not valid UTF-8; save the "
            "file as UTF-8 [yaml]",
        ),
        (
            "name: Beta\n".encode("utf-16"),
            "content/companies/beta.yaml:1:1: error: file is UTF-16; save it as UTF-8 [yaml]",
        ),
        (
            b"name: &b Beta\n",
            "content/companies/beta.yaml:1:7: error: anchor '&b' is not allowed; write each "
            "value out in full [yaml]",
        ),
    ],
)
def test_unreadable_files_are_reported_and_skipped(kb, data: bytes, expected: str) -> None:
    assert kb({"companies/beta.yaml": data}) == [expected]


SYMLINK = "symbolic links are not allowed in the content folder; copy the file instead [layout]"


def test_symlinks_are_refused_and_shown_by_their_own_path(kb, tmp_path: Path) -> None:
    (tmp_path / "outside.yaml").write_text("name: Outside\n")
    companies = tmp_path / "content" / "companies"
    topics = tmp_path / "content" / "topics"
    companies.mkdir(parents=True)
    topics.mkdir(parents=True)
    os.symlink(tmp_path / "outside.yaml", companies / "outside.yaml")
    os.symlink(companies / "missing.yaml", companies / "dangling.yaml")
    os.symlink(tmp_path, topics / "loop")
    assert kb() == [
        f"content/companies/dangling.yaml:1:1: error: {SYMLINK}",
        f"content/companies/outside.yaml:1:1: error: {SYMLINK}",
        f"content/topics/loop:1:1: error: {SYMLINK}",
    ]


def test_missing_content_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    files, problems = load(tmp_path / "nothing")
    assert files == []
    assert [f"{d.format()} [{d.rule}]" for d in problems] == [
        "nothing:1:1: error: content folder does not exist [content]"
    ]


def test_content_path_that_is_a_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").write_text("name: x\n")
    files, problems = load(tmp_path / "content")
    assert files == []
    assert [d.format() for d in problems] == ["content:1:1: error: content folder does not exist"]


def test_empty_content_folder_is_fine(kb) -> None:
    assert kb(base=False) == []


# --- everything at once -----------------------------------------------------------


def test_all_problems_in_all_files_are_reported_in_one_sorted_run(kb) -> None:
    files = {
        # a layout problem and a YAML problem: these files are skipped
        "companies/beta.yml": "name: Beta\n",
        "topics/ai.yaml": "name: AI\nname: Artificial intelligence\n",
        # schema problems in two files
        COMPANY: "name: Acme\ncountry: de\nwebsit: https://acme.example\n",
        "companies/gamma.yaml": "name: Gamma\nparent: gama\n",
        TOPIC: "name: Cloud\nparent: clod\n",
        # several schema problems in one event: all are reported
        "events/gamma/2026-03-19-deal.yaml": EVENT_TEXT.replace("status: occurred", "status: done")
        .replace("type: earnings", "type: deal")
        .replace("[acme]", "[gamma]"),
        # cross-record problems in a valid event
        EVENT: EVENT_TEXT.replace("date: 2026-03-19", "date: 2026-03-20")
        .replace("status: occurred", "status: scheduled")
        .replace("topics: [cloud]", "topics: [cloud, ai, cloud]"),
    }
    assert kb(files, today=dt.date(2026, 3, 25)) == [
        "content/companies/acme.yaml:2:10: error: country: expected an ISO 3166 country code "
        "like CN or US; got 'de' [schema]",
        "content/companies/acme.yaml:3:1: error: unknown field 'websit'; did you mean "
        "'website'? [schema]",
        "content/companies/beta.yml:1:1: error: record files end in .yaml; rename it to "
        "beta.yaml [layout]",
        "content/companies/gamma.yaml:2:9: error: parent: unknown company 'gama'; did you mean "
        "'gamma'? [unknown-company]",
        "content/events/acme/2026-03-19-results.yaml:2:7: error: file name must be the date "
        "then a short slug, like 2026-03-20-results.yaml, to match date 2026-03-20 [file-name]",
        "content/events/acme/2026-03-19-results.yaml:3:9: warning: status: scheduled for "
        "2026-03-20, which has passed; set the status to occurred, postponed or cancelled "
        "[stale-schedule]",
        "content/events/acme/2026-03-19-results.yaml:6:21: error: topics: 'cloud' is listed "
        "twice [duplicate-id]",
        "content/events/gamma/2026-03-19-deal.yaml:3:9: error: status: expected one of "
        "occurred, scheduled, postponed or cancelled; got 'done' [schema]",
        "content/events/gamma/2026-03-19-deal.yaml:4:7: error: type: expected one of earnings, "
        "agreement, investment, acquisition, product, incident, regulatory, legal, financing, "
        "leadership or other; got 'deal' [schema]",
        "content/topics/ai.yaml:2:1: error: duplicate key 'name' (first defined on line 1); "
        "keep only one [yaml]",
        "content/topics/cloud.yaml:2:9: error: parent: unknown topic 'clod'; did you mean "
        "'cloud'? [unknown-topic]",
    ]


def test_diagnostic_format_and_order() -> None:
    later = Diagnostic("b.yaml", 1, 1, Severity.ERROR, "schema", "x")
    first = Diagnostic("a.yaml", 10, 2, Severity.WARNING, "stale-schedule", "y")
    second = Diagnostic("a.yaml", 10, 11, Severity.ERROR, "schema", "z")
    assert sorted([later, second, first]) == [first, second, later]
    assert first.format() == "a.yaml:10:2: warning: y"
    assert second.format() == "a.yaml:10:11: error: z"


@pytest.mark.parametrize(
    ("files", "prefix"),
    [
        pytest.param(
            event("date: 2026-03-19", 'date: "19.03.\\n2026"'), f"{E}:2:7: error: date: ", id="date"
        ),
        pytest.param(
            event("status: occurred", 'status: "occurred\\nsoon"'),
            f"{E}:3:9: error: status: ",
            id="enum",
        ),
        pytest.param(
            event("companies: [acme]", 'companies: ["ac\\nme"]'),
            f"{E}:5:13: error: companies[0]: ",
            id="slug",
        ),
    ],
)
def test_each_diagnostic_is_one_line(kb, files: Files, prefix: str) -> None:
    """A value with a line break is quoted in the message without breaking the line."""
    problems = kb(files)
    assert len(problems) == 1
    assert problems[0].startswith(prefix)
    assert "\n" not in problems[0]
