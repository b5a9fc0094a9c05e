"""Event dates of varying precision: a day, a month, a quarter or a year."""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
from dataclasses import dataclass

_PATTERN = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})(?:-(?P<day>\d{2}))?|[Qq](?P<quarter>[1-4])))?$",
    re.ASCII,
)
EXPECTED = "a day like 2026-03-19, a month like 2026-03, a quarter like 2026-Q1 or a year like 2026"

MONTHS = {
    "en": [calendar.month_name[m] for m in range(1, 13)],
    "de": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
}


class Precision(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    """A date known to some precision; ``start`` and ``end`` bound it."""

    start: dt.date
    end: dt.date
    precision: Precision

    @classmethod
    def parse(cls, text: str) -> FuzzyDate:
        match = _PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"expected {EXPECTED}; got '{text}'")
        year = int(match["year"])
        if year < 1800:
            raise ValueError(f"year {year} is out of range; expected a year from 1800 on")
        if match["quarter"]:
            quarter = int(match["quarter"])
            first = 3 * quarter - 2
            return cls(dt.date(year, first, 1), _month_end(year, first + 2), Precision.QUARTER)
        if match["month"] is None:
            return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), Precision.YEAR)
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError(f"month {match['month']} does not exist; expected 01 to 12")
        if match["day"] is None:
            return cls(dt.date(year, month, 1), _month_end(year, month), Precision.MONTH)
        day = int(match["day"])
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(
                f"{text.strip()} is not a real date: {calendar.month_name[month]} {year} "
                f"has {last} days"
            )
        day_date = dt.date(year, month, day)
        return cls(day_date, day_date, Precision.DAY)

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1

    def iso(self) -> str:
        """The canonical spelling, as a contributor writes it."""
        if self.precision is Precision.DAY:
            return self.start.isoformat()
        if self.precision is Precision.MONTH:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        if self.precision is Precision.QUARTER:
            return f"{self.start.year:04d}-Q{self.quarter}"
        return f"{self.start.year:04d}"

    def slug(self) -> str:
        return self.iso().lower()

    def human(self, lang: str = "en") -> str:
        """The date for readers, in English or German."""
        months = MONTHS["de" if lang == "de" else "en"]
        year, month = self.start.year, self.start.month
        if self.precision is Precision.DAY:
            if lang == "de":
                return f"{self.start.day}. {months[month - 1]} {year}"
            return f"{self.start.day} {months[month - 1]} {year}"
        if self.precision is Precision.MONTH:
            return f"{months[month - 1]} {year}"
        if self.precision is Precision.QUARTER:
            return f"{self.quarter}. Quartal {year}" if lang == "de" else f"Q{self.quarter} {year}"
        return str(year)

    def __str__(self) -> str:
        return self.iso()


_DATE_LIKE = re.compile(r"^(\d{2}|q[1-4])(-|$)")


def slug_fits_date(date: FuzzyDate, slug: str) -> bool:
    """Whether ``<date>-<slug>`` reads back as the same date.

    After a month, year or quarter, a slug such as ``12-new-sites`` would read as
    more of the date (2026-03-12-new-sites looks like a day).
    """
    return bool(slug) and (date.precision is Precision.DAY or not _DATE_LIKE.match(slug))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])
