"""FuzzyDate: parsing, bounds and the three spellings of each precision."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.dates import EXPECTED, FuzzyDate, Precision

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2026-03-19", D(2026, 3, 19), D(2026, 3, 19), Precision.DAY),
        ("2024-02-29", D(2024, 2, 29), D(2024, 2, 29), Precision.DAY),
        ("1800-01-01", D(1800, 1, 1), D(1800, 1, 1), Precision.DAY),
        ("2026-03", D(2026, 3, 1), D(2026, 3, 31), Precision.MONTH),
        ("2026-02", D(2026, 2, 1), D(2026, 2, 28), Precision.MONTH),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), Precision.MONTH),
        ("2026-04", D(2026, 4, 1), D(2026, 4, 30), Precision.MONTH),
        ("2026-12", D(2026, 12, 1), D(2026, 12, 31), Precision.MONTH),
        ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31), Precision.QUARTER),
        ("2026-Q2", D(2026, 4, 1), D(2026, 6, 30), Precision.QUARTER),
        ("2026-Q3", D(2026, 7, 1), D(2026, 9, 30), Precision.QUARTER),
        ("2026-Q4", D(2026, 10, 1), D(2026, 12, 31), Precision.QUARTER),
        ("2026-q1", D(2026, 1, 1), D(2026, 3, 31), Precision.QUARTER),
        ("2026-q4", D(2026, 10, 1), D(2026, 12, 31), Precision.QUARTER),
        ("2026", D(2026, 1, 1), D(2026, 12, 31), Precision.YEAR),
        ("1800", D(1800, 1, 1), D(1800, 12, 31), Precision.YEAR),
        ("9999", D(9999, 1, 1), D(9999, 12, 31), Precision.YEAR),
        (" 2026-03 ", D(2026, 3, 1), D(2026, 3, 31), Precision.MONTH),
        ("2026-03-19\n", D(2026, 3, 19), D(2026, 3, 19), Precision.DAY),
    ],
)
def test_parse_bounds(text: str, start: dt.date, end: dt.date, precision: Precision) -> None:
    date = FuzzyDate.parse(text)
    assert date == FuzzyDate(start, end, precision)
    assert date.start <= date.end


@pytest.mark.parametrize(
    ("text", "iso", "slug", "en", "de"),
    [
        ("2026-03-19", "2026-03-19", "2026-03-19", "19 March 2026", "19. März 2026"),
        ("2026-12-01", "2026-12-01", "2026-12-01", "1 December 2026", "1. Dezember 2026"),
        ("2026-05-07", "2026-05-07", "2026-05-07", "7 May 2026", "7. Mai 2026"),
        ("2026-03", "2026-03", "2026-03", "March 2026", "März 2026"),
        ("2026-01", "2026-01", "2026-01", "January 2026", "Januar 2026"),
        ("2026-10", "2026-10", "2026-10", "October 2026", "Oktober 2026"),
        ("2026-Q1", "2026-Q1", "2026-q1", "Q1 2026", "1. Quartal 2026"),
        ("2026-q3", "2026-Q3", "2026-q3", "Q3 2026", "3. Quartal 2026"),
        ("2026-Q4", "2026-Q4", "2026-q4", "Q4 2026", "4. Quartal 2026"),
        ("2026", "2026", "2026", "2026", "2026"),
    ],
)
def test_spellings(text: str, iso: str, slug: str, en: str, de: str) -> None:
    date = FuzzyDate.parse(text)
    assert date.iso() == iso
    assert str(date) == iso
    assert date.slug() == slug
    assert date.human() == en
    assert date.human("en") == en
    assert date.human("de") == de


def test_unknown_language_falls_back_to_english() -> None:
    assert FuzzyDate.parse("2026-03-19").human("fr") == "19 March 2026"
    assert FuzzyDate.parse("2026-Q2").human("fr") == "Q2 2026"


@pytest.mark.parametrize(
    ("text", "quarter"),
    [("2026-01-01", 1), ("2026-03-31", 1), ("2026-04", 2), ("2026-09-30", 3), ("2026-Q4", 4)],
)
def test_quarter(text: str, quarter: int) -> None:
    assert FuzzyDate.parse(text).quarter == quarter


@pytest.mark.parametrize("text", ["2026-03-19", "2026-03", "2026-Q2", "2026"])
def test_iso_round_trips(text: str) -> None:
    date = FuzzyDate.parse(text)
    assert FuzzyDate.parse(date.iso()) == date
    assert FuzzyDate.parse(date.slug()) == date


def test_precision_values() -> None:
    assert [p.value for p in Precision] == ["day", "month", "quarter", "year"]


def not_a_date(text: str) -> str:
    return f"expected {EXPECTED}; got '{text}'"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "2026-02-30 is not a real date: February 2026 has 28 days"),
        ("2026-02-29", "2026-02-29 is not a real date: February 2026 has 28 days"),
        ("2026-04-31", "2026-04-31 is not a real date: April 2026 has 30 days"),
        ("2026-03-00", "2026-03-00 is not a real date: March 2026 has 31 days"),
        ("2026-13", "month 13 does not exist; expected 01 to 12"),
        ("2026-00", "month 00 does not exist; expected 01 to 12"),
        ("2026-13-01", "month 13 does not exist; expected 01 to 12"),
        ("1700", "year 1700 is out of range; expected a year from 1800 on"),
        ("1799-12-31", "year 1799 is out of range; expected a year from 1800 on"),
        ("0000", "year 0 is out of range; expected a year from 1800 on"),
        ("19.03.2026", not_a_date("19.03.2026")),
        ("2026-3-19", not_a_date("2026-3-19")),
        ("26-03", not_a_date("26-03")),
        ("2026-Q5", not_a_date("2026-Q5")),
        ("2026-Q0", not_a_date("2026-Q0")),
        ("2026-Q1-01", not_a_date("2026-Q1-01")),
        ("Q1 2026", not_a_date("Q1 2026")),
        ("2026/03/19", not_a_date("2026/03/19")),
        ("2026-03-19T10:00", not_a_date("2026-03-19T10:00")),
        ("March 2026", not_a_date("March 2026")),
        ("", not_a_date("")),
        ("20260", not_a_date("20260")),
        # only ASCII digits: full-width and Arabic-Indic digits are not dates
        ("\uff12\uff10\uff12\uff16", not_a_date("\uff12\uff10\uff12\uff16")),
        ("\u0662\u0660\u0662\u0666-03", not_a_date("\u0662\u0660\u0662\u0666-03")),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        FuzzyDate.parse(text)
    assert str(info.value) == message


def test_expected_wording() -> None:
    assert EXPECTED == (
        "a day like 2026-03-19, a month like 2026-03, a quarter like 2026-Q1 or a year like 2026"
    )
