"""The record schemas: what a contributor may write in each kind of YAML file.

One source of truth: validation, the published JSON Schema and the field
reference in CONTRIBUTING.md all come from these classes. Field descriptions
are written for contributors.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from .dates import EXPECTED as DATE_EXPECTED
from .dates import FuzzyDate
from .markup import MAX_SUMMARY
from .yamlnodes import FORBIDDEN_CHARACTERS, YamlText

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EVENT_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$")
LANG_RE = re.compile(r"^[a-z]{2,3}$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$")

EVENT_STATUSES = ("occurred", "scheduled", "postponed", "cancelled")
EVENT_TYPES = (
    "earnings",
    "agreement",
    "investment",
    "acquisition",
    "product",
    "incident",
    "regulatory",
    "legal",
    "financing",
    "leadership",
    "other",
)

MAX_LINE = 300
MAX_AMOUNT = Decimal(10) ** 18
MAX_MARKDOWN = MAX_SUMMARY


_YAML_TYPES = {
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
    "date": "a date",
    "merge key": "a merge key",
}


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("kb", message)


def _as_text(value: Any) -> str:
    """Text as written; refuse a bare scalar that other YAML readers would retype."""
    if isinstance(value, YamlText) and value.node.plain and value.node.yaml_type != "text":
        raise _fail(
            f"YAML reads a bare {value} as {_YAML_TYPES[value.node.yaml_type]}; "
            f'write it in quotes, "{value}", if it is meant as text'
        )
    if value is None:
        raise _fail("expected text; got nothing")
    if not isinstance(value, str):
        raise _fail(f"expected text; got {'a list' if isinstance(value, list) else 'a mapping'}")
    bad = FORBIDDEN_CHARACTERS.search(value)
    if bad:
        # Quoted scalars can spell any character as an escape such as "\0" or "\e".
        raise _fail(f"control character U+{ord(bad.group()):04X} is not allowed in text")
    return value.strip()


def _line(value: Any) -> str:
    text = _as_text(value)
    if not text:
        raise _fail("must not be empty")
    if "\n" in text:
        raise _fail("must be a single line")
    if len(text) > MAX_LINE:
        raise _fail(f"is {len(text)} characters long; keep it to {MAX_LINE}")
    return text


def _markdown(value: Any) -> str:
    text = _as_text(value)
    if not text:
        raise _fail("must not be empty")
    if len(text) > MAX_MARKDOWN:
        raise _fail(f"is {len(text)} characters long; keep it to {MAX_MARKDOWN}")
    return text


def _pattern(regex: re.Pattern[str], expected: str) -> Any:
    def check(value: Any) -> str:
        text = _as_text(value)
        if not regex.match(text):
            raise _fail(f"expected {expected}; got '{text}'")
        return text

    return check


def _url(value: Any) -> str:
    text = _pattern(URL_RE, "an http:// or https:// address")(value)
    try:  # what the pattern lets through, such as "https://[a.b", may still not parse
        parts = urlsplit(text)
        _ = parts.hostname, parts.port
    except ValueError as exc:
        raise _fail(f"is not a valid web address ({exc}); got '{text}'") from None
    return text


def _date(value: Any) -> FuzzyDate:
    if isinstance(value, FuzzyDate):
        return value
    if not isinstance(value, str):
        raise _fail(f"expected {DATE_EXPECTED}")
    try:
        return FuzzyDate.parse(value)
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _amount(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise _fail("expected a number like 60000000000 or 8.4e9")
    if len(value) > 40:
        raise _fail(f"is {len(value)} characters long; write the number with at most 40")
    try:
        number = Decimal(value.replace("_", ""))
    except InvalidOperation:
        raise _fail(f"expected a number like 60000000000 or 8.4e9; got '{value}'") from None
    if not number.is_finite() or number <= 0:
        raise _fail(f"expected a positive number; got '{value}'")
    # Bounds keep a tiny record from expanding into a huge page: 1e10000000 is 10 characters.
    if number >= MAX_AMOUNT or number.as_tuple().exponent < -6:
        raise _fail(
            f"expected a positive number below 10^18 with at most 6 decimals; got '{value}'"
        )
    return number


#: JSON Schema patterns that say what the validators say: one line, not blank.
_ONE_LINE = r"^[^\n\r]*\S[^\n\r]*$"
Line = Annotated[
    str,
    BeforeValidator(_line),
    WithJsonSchema({"type": "string", "maxLength": MAX_LINE, "pattern": _ONE_LINE}),
]
Markdown = Annotated[
    str,
    BeforeValidator(_markdown),
    WithJsonSchema({"type": "string", "maxLength": MAX_MARKDOWN, "pattern": r"\S"}),
]
Slug = Annotated[
    str,
    BeforeValidator(_pattern(SLUG_RE, "a lowercase id like alibaba-cloud")),
    WithJsonSchema({"type": "string", "pattern": SLUG_RE.pattern, "examples": ["alibaba-cloud"]}),
]
EventId = Annotated[
    str,
    BeforeValidator(_pattern(EVENT_ID_RE, "an event id like alibaba/2026-03-19-quarterly-results")),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": EVENT_ID_RE.pattern,
            "examples": ["alibaba/2026-03-19-quarterly-results"],
        }
    ),
]
Lang = Annotated[
    str,
    BeforeValidator(_pattern(LANG_RE, "a lowercase ISO 639 language code like en or de")),
    WithJsonSchema({"type": "string", "pattern": LANG_RE.pattern, "examples": ["en", "de"]}),
]
Url = Annotated[
    str,
    BeforeValidator(_url),
    WithJsonSchema(
        {
            "type": "string",
            "format": "uri",
            "pattern": URL_RE.pattern,
            "examples": ["https://www.example.com/news/1"],
        }
    ),
]
DateValue = Annotated[
    FuzzyDate,
    PlainValidator(_date),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": ["string", "integer"],
            "pattern": (
                r"^(1[89]\d\d|[2-9]\d{3})"
                r"(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|-[Qq][1-4])?$"
            ),
            "minimum": 1800,
            "maximum": 9999,
            "examples": ["2026-03-19", "2026-03", "2026-Q1", "2026"],
        }
    ),
]
AmountValue = Annotated[
    Decimal,
    PlainValidator(_amount),
    PlainSerializer(lambda d: format(d, "f"), return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1e18},
                {
                    "type": "string",
                    "pattern": r"^[0-9][0-9_]*(\.[0-9]{1,6})?([eE]\+?[0-9]{1,2})?$",
                },
            ],
            "examples": [60000000000, "8.4e9"],
        }
    ),
]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ticker(Record):
    exchange: Line = Field(description="Stock exchange, e.g. NYSE or HKEX.")
    symbol: Line = Field(description='Symbol on that exchange; quote numeric ones: "9988".')


class Company(Record):
    """content/companies/<company-id>.yaml"""

    name: Line = Field(description="Full name of the company.")
    aliases: list[Line] = Field(default=[], description="Other names readers may search for.")
    tickers: list[Ticker] = Field(default=[], description="Listings as exchange and symbol.")
    parent: Slug | None = Field(default=None, description="Id of the parent company, if any.")
    country: (
        Annotated[
            str,
            BeforeValidator(_pattern(COUNTRY_RE, "an ISO 3166 country code like CN or US")),
            WithJsonSchema({"type": "string", "pattern": COUNTRY_RE.pattern, "examples": ["CN"]}),
        ]
        | None
    ) = Field(default=None, description="Country of the headquarters, ISO 3166 code.")
    website: Url | None = Field(default=None, description="Official website.")
    description: Line | None = Field(default=None, description="One sentence on the company.")


class Topic(Record):
    """content/topics/<topic-id>.yaml"""

    name: Line = Field(description="Name of the topic.")
    description: Line | None = Field(default=None, description="One sentence on the topic.")
    parent: Slug | None = Field(default=None, description="Id of a broader topic, if any.")


class Amount(Record):
    value: AmountValue = Field(description="The amount in units of the currency, e.g. 60000000000.")
    currency: Annotated[
        str,
        BeforeValidator(_pattern(CURRENCY_RE, "an ISO 4217 currency code like CNY or USD")),
        WithJsonSchema({"type": "string", "pattern": CURRENCY_RE.pattern, "examples": ["CNY"]}),
    ] = Field(description="ISO 4217 currency code.")
    note: Line | None = Field(default=None, description="E.g. 'about', or how it was converted.")


class Source(Record):
    title: Line = Field(
        description="Headline of the source; if it has none, describe it in square brackets."
    )
    publisher: Line | None = Field(default=None, description="Who published it, when known.")
    published: DateValue = Field(description="When it was published, e.g. 2026-03-12.")
    lang: Lang = Field(description="Language of the source, e.g. de.")
    url: Url | None = Field(
        default=None, description="Address of the source; leave out when there is none."
    )


class Translation(Record):
    title: Line = Field(description="The title in this language.")
    summary: Markdown | None = Field(default=None, description="The summary in this language.")


class Event(Record):
    """content/events/<company-id>/<date>-<slug>.yaml"""

    title: Line = Field(description="What happened, in one line.")
    date: DateValue = Field(description="A day (2026-03-19), month (2026-03), quarter or year.")
    date_note: Line | None = Field(
        default=None, description="More on the date, e.g. 'before US market open'."
    )
    status: Literal[EVENT_STATUSES] = Field(description="Whether the event took place yet.")  # type: ignore[valid-type]
    type: Literal[EVENT_TYPES] = Field(description="The kind of event.")  # type: ignore[valid-type]
    companies: list[Slug] = Field(
        min_length=1, description="Company ids; the first one owns the event's folder."
    )
    topics: list[Slug] = Field(min_length=1, description="Topic ids, at least one.")
    lang: Lang = Field(description="Language of the title and summary, e.g. en or de.")
    summary: Markdown = Field(description="What happened, in Markdown (see the guide).")
    amounts: list[Amount] = Field(default=[], description="Sums of money involved.")
    places: list[Line] = Field(default=[], description="Places involved.")
    sources: list[Source] = Field(min_length=1, description="Where this is reported.")
    related: list[EventId] = Field(default=[], description="Ids of related events.")
    translations: dict[Lang, Translation] = Field(
        default={},
        description="Title and summary in other languages, keyed by language code.",
        json_schema_extra={"additionalProperties": False},
    )


RECORD_TYPES: dict[str, type[Record]] = {"company": Company, "topic": Topic, "event": Event}
