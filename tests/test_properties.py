"""Properties: whatever a contributor writes, reading and checking it never crashes.

Every outcome is either a value or a located problem: ``YamlProblem`` from the reader,
``Diagnostic`` from validation, never any other exception.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from itertools import groupby
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from icalendar import Event as ICalEvent
from icalendar.parser import Contentline

from generator import markup
from generator.diagnostics import Diagnostic, Severity
from generator.loader import SourceFile
from generator.model import runs
from generator.outputs.calendars import fold, to_ical
from generator.outputs.common import summary_html as common_summary_html
from generator.outputs.common import summary_text, text_of_html
from generator.paths import relative
from generator.schema import Company, Event, Topic
from generator.validate import check_shape, validate
from generator.yamlnodes import (
    Mapping,
    Node,
    Scalar,
    Sequence,
    YamlProblem,
    decode,
    parse,
    to_python,
)

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TODAY = dt.date(2026, 4, 1)
# what YAML counts as line breaks: a problem's line can be at most one past the last
LINE_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def line_count(text: str) -> int:
    return len(LINE_BREAKS.split(text))


def assert_located(problem: YamlProblem, text: str | None = None) -> None:
    assert isinstance(problem.message, str)
    assert problem.message
    assert isinstance(problem.line, int)
    assert isinstance(problem.column, int)
    assert problem.line >= 1
    assert problem.column >= 1
    if text is not None:
        assert problem.line <= line_count(text) + 1


def read(text: str) -> Node | None:
    """parse(decode(...)) of the UTF-8 bytes; a YamlProblem must be located."""
    try:
        return parse(decode(text.encode("utf-8")))
    except YamlProblem as problem:
        assert_located(problem, text)
        return None


def all_nodes(node: Node | None):
    if node is None:
        return
    yield node
    if isinstance(node, Mapping):
        for key, value in node.entries.values():
            yield key
            yield from all_nodes(value)
    elif isinstance(node, Sequence):
        for item in node.items:
            yield from all_nodes(item)


# --- arbitrary text and bytes -----------------------------------------------------


@SETTINGS
@given(st.text())
def test_parse_of_arbitrary_text_only_raises_located_problems(text: str) -> None:
    try:
        root = parse(text)
    except YamlProblem as problem:
        assert_located(problem, text)
        return
    for node in all_nodes(root):
        assert node.line >= 1
        assert node.column >= 1
        assert node.line <= line_count(text) + 1


@SETTINGS
@given(st.text())
def test_decoded_arbitrary_text_only_raises_located_problems(text: str) -> None:
    root = read(text)
    for node in all_nodes(root):
        assert node.line >= 1
        assert node.column >= 1


@SETTINGS
@given(st.binary(max_size=200))
def test_decode_of_arbitrary_bytes_only_raises_located_problems(data: bytes) -> None:
    try:
        text = decode(data)
    except YamlProblem as problem:
        assert_located(problem)
        assert problem.line <= data.count(b"\n") + 1
        return
    assert isinstance(text, str)
    assert "\x00" not in text
    try:
        parse(text)
    except YamlProblem as problem:
        assert_located(problem, text)


YAMLISH = st.lists(
    st.sampled_from([*"ab1:-[]{},'\"&*!|>#%@`?~ \t\n", "<<", "---", "...", "\n  "]),
    max_size=40,
).map("".join)


@SETTINGS
@given(YAMLISH)
def test_yaml_punctuation_soup_only_raises_located_problems(text: str) -> None:
    read(text)


# --- structures dumped with yaml.safe_dump --------------------------------------

# NEL and the Unicode line/paragraph separators are excluded from text: PyYAML's
# dumper writes them raw inside single quotes, where YAML folds them (a dumper quirk).
SAFE_CHARS = st.characters(exclude_characters="\x85\u2028\u2029", exclude_categories=("Cs",))
TEXT = st.text(SAFE_CHARS, max_size=20)
KEY = st.one_of(
    st.text(SAFE_CHARS, max_size=10),
    st.sampled_from(["title", "name", "<<", "~", "", "NO", "1", "[x]", "date"]),
)
TEXT_TREE = st.recursive(
    st.one_of(st.none(), TEXT),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(KEY, children, max_size=4),
    ),
    max_leaves=20,
)
ANY_TREE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        TEXT,
        st.dates().map(str),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(KEY, children, max_size=4),
    ),
    max_leaves=25,
)
DUMP_OPTIONS = st.fixed_dictionaries(
    {
        "allow_unicode": st.booleans(),
        "default_flow_style": st.sampled_from([None, True, False]),
        "explicit_start": st.booleans(),
        "width": st.sampled_from([20, 80, 10_000]),
    }
)


@SETTINGS
@given(TEXT_TREE, DUMP_OPTIONS)
def test_dumped_text_trees_read_back_exactly(tree: object, options: dict) -> None:
    text = yaml.safe_dump(tree, **options)
    root = parse(decode(text.encode("utf-8")))
    assert to_python(root) == tree


@SETTINGS
@given(ANY_TREE, DUMP_OPTIONS)
def test_dumped_trees_read_or_raise_located_problems(tree: object, options: dict) -> None:
    text = yaml.safe_dump(tree, **options)
    root = read(text)
    for node in all_nodes(root):
        if isinstance(node, Scalar):
            assert isinstance(node.value, str)


# --- records: check_shape and validate -----------------------------------------

EVENT_FIELDS = list(Event.model_fields)
COMPANY_FIELDS = list(Company.model_fields)
TOPIC_FIELDS = list(Topic.model_fields)
NESTED_FIELDS = ["title", "published", "lang", "url", "publisher", "value", "currency", "note"]
NESTED_FIELDS += ["summary", "exchange", "symbol", "de", "en", "DE"]
ODD_KEYS = ["titel", "Title", "zzz", "", "~", "[x]", "function-after", "<<", "1"]

PLAUSIBLE = st.sampled_from(
    [
        "acme",
        "beta",
        "cloud",
        "Acme",
        "acme/2026-03-19-results",
        "acme/2026-q1-plan",
        "2026-03-19",
        "2026-02-30",
        "2026-03",
        "2026-13",
        "2026-Q1",
        "2026",
        "1700",
        "19.03.2026",
        "occurred",
        "scheduled",
        "postponed",
        "cancelled",
        "earnings",
        "other",
        "en",
        "de",
        "NO",
        "3.10",
        "012",
        "~",
        "",
        " ",
        "USD",
        "usd",
        "8.4e9",
        "-5",
        "NaN",
        "https://example.com/a",
        "javascript:alert(1)",
        "a\nb",
        "x" * 301,
    ]
)
LEAF = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), PLAUSIBLE, st.text(max_size=8))
VALUE = st.recursive(
    LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(NESTED_FIELDS + ODD_KEYS), children, max_size=4),
    ),
    max_leaves=10,
)

VALID_EVENT = {
    "title": "Acme reports results",
    "date": "2026-03-19",
    "status": "occurred",
    "type": "earnings",
    "companies": ["acme"],
    "topics": ["cloud"],
    "lang": "en",
    "summary": "Acme did well.",
    "sources": [{"title": "Acme results", "published": "2026-03-19", "lang": "en"}],
}


def record(base: dict, fields: list[str]):
    """``base`` with some fields dropped and some set to arbitrary values."""
    return st.builds(
        lambda drop, overrides: {
            **{k: v for k, v in base.items() if k not in drop},
            **overrides,
        },
        st.sets(st.sampled_from(sorted(base) or ["name"]), max_size=2),
        st.dictionaries(st.sampled_from(fields + ODD_KEYS), VALUE, max_size=3),
    )


def source_file(kind: str, record_id: str, data: object, flow: bool) -> SourceFile:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    root = read(text)
    folder = {"company": "companies", "topic": "topics", "event": "events"}[kind]
    display = f"content/{folder}/{record_id}.yaml"
    return SourceFile(
        kind=kind,
        id=record_id,
        path=Path(display),
        display=display,
        root=root,
        edit_path=display,
    )


def assert_diagnostics(diagnostics: object, displays: set[str]) -> None:
    assert isinstance(diagnostics, list)
    for diagnostic in diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.path in displays
        assert diagnostic.line >= 1
        assert diagnostic.column >= 1
        assert isinstance(diagnostic.severity, Severity)
        assert diagnostic.rule
        assert diagnostic.message
        assert "\n" not in diagnostic.format()


@SETTINGS
@given(
    st.sampled_from(["company", "topic", "event"]),
    st.one_of(VALUE, record(VALID_EVENT, EVENT_FIELDS), record({"name": "Acme"}, COMPANY_FIELDS)),
    st.booleans(),
)
def test_check_shape_returns_a_record_or_located_diagnostics(
    kind: str, data: object, flow: bool
) -> None:
    record_id = "acme/2026-03-19-results" if kind == "event" else "acme"
    source = source_file(kind, record_id, data, flow)
    result, diagnostics = check_shape(source)
    assert_diagnostics(diagnostics, {source.display})
    if result is None:
        assert diagnostics
        assert all(d.rule == "schema" and d.severity is Severity.ERROR for d in diagnostics)
    else:
        assert diagnostics == []
        assert isinstance(result, {"company": Company, "topic": Topic, "event": Event}[kind])


@SETTINGS
@given(
    st.lists(record({"name": "Acme"}, COMPANY_FIELDS), min_size=1, max_size=3),
    st.lists(record({"name": "Cloud"}, TOPIC_FIELDS), min_size=1, max_size=2),
    st.lists(record(VALID_EVENT, EVENT_FIELDS), min_size=1, max_size=3),
    st.booleans(),
    st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
)
def test_validate_only_ever_returns_diagnostics(
    companies: list, topics: list, events: list, flow: bool, today: dt.date
) -> None:
    company_ids = ["acme", "beta", "gamma"]
    topic_ids = ["cloud", "ai"]
    event_ids = ["acme/2026-03-19-results", "beta/2026-q1-plan", "acme/2026-03-19"]
    files = [
        *(source_file("company", i, d, flow) for i, d in zip(company_ids, companies, strict=False)),
        *(source_file("topic", i, d, flow) for i, d in zip(topic_ids, topics, strict=False)),
        *(source_file("event", i, d, flow) for i, d in zip(event_ids, events, strict=False)),
    ]
    checked, diagnostics = validate(files, today)
    assert_diagnostics(diagnostics, {f.display for f in files})
    assert diagnostics == sorted(diagnostics)
    assert set(checked) == {"company", "topic", "event"}
    for kind, items in checked.items():
        for record_id, item in items.items():
            assert item.source.kind == kind
            assert item.id == record_id
    # a file that failed its schema is not among the checked records, and vice versa
    failed = {d.path for d in diagnostics if d.rule == "schema"}
    passed = {item.source.display for items in checked.values() for item in items.values()}
    assert not failed & passed


# --- links between generated files --------------------------------------------------------------

_PART = st.sampled_from(["events", "companies", "topics", "acme", "a", "index.md", "x.md", "2026"])
_DOCS_PATH = st.lists(_PART, max_size=4).map("/".join)


@given(target=_DOCS_PATH, folder=_DOCS_PATH)
def test_relative_paths_are_what_posixpath_relpath_gives(target: str, folder: str) -> None:
    assert relative(target, folder) == posixpath.relpath(target or ".", folder or ".")


def _urllib_normal_url(url: str) -> str:
    """What the duplicate-source rule compares, worked out by urllib alone."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    return urlunsplit(("https", parts.netloc.lower(), parts.path.rstrip("/"), parts.query, ""))


_URL_PIECES = st.sampled_from(
    [
        "http://",
        "https://",
        "HTTPS://",
        "hTtp://",
        "ftp://",
        "https:",
        " ",
        "\t",
        "\n",
        "\x00",
        "\xa0",
        "é",
        "/",
        "//",
        "?",
        "#",
        "[",
        "]",
        ":",
        "@",
        "%20",
        "A",
        "b",
        "Z",
        "0",
        ".",
        "-",
        "_",
        "~",
        "&",
        "=",
        "+",
        "'",
        "(",
        "Ü",
        "\u3000",
        "\x7f",
    ]
)


@SETTINGS
@given(st.lists(_URL_PIECES, max_size=12).map("".join))
def test_a_source_address_is_compared_as_urllib_reads_it(url: str) -> None:
    """The duplicate rule's quick reading of plain addresses gives what urllib gives."""
    from generator.rules import _normal_url

    try:
        expected = _urllib_normal_url(url)
    except ValueError:  # an address urllib refuses, such as a bracket left open in the host
        expected = None
    try:
        found = _normal_url(url)
    except ValueError:
        found = None
    assert found == expected


# Prose, and what comes close to syntax: list markers, rules, headings' underlines, spaces.
_PROSE_PIECES = st.sampled_from(
    [
        "a",
        "B",
        "\u00fc",
        "\u0416",
        "\u4e2d",
        "word",
        "1",
        "12",
        "3.",
        "4)",
        "10.",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\n\n\n",
        "-",
        "---",
        "=",
        "===",
        "+",
        ".",
        ",",
        "'",
        '"',
        "(",
        ")",
        ":",
        "!",
        "?",
        "%",
        "\u20ac",
        "\t",
        "\r",
        "\x85",
        "\u2028",
        "\xa0",
        "~",
        "^",
        "\u2019",
        "\u201e",
        "\u2014",
        "\u00b2",
        "\u0663",
    ]
)
_SYNTAX_PIECES = st.sampled_from(["*", "#", "<", ">", "&", "[", "]", "_", "`", "\\", "{", "|"])
_SUMMARIES = st.lists(
    st.one_of(_PROSE_PIECES, _PROSE_PIECES, _PROSE_PIECES, _SYNTAX_PIECES), min_size=1, max_size=14
).map("".join)


@SETTINGS
@given(_SUMMARIES)
@example("3. Apple")
@example("1) Apple")
@example("Apple\n---")
@example("Apple\n===")
@example("Apple\n- pear")
@example("Apple\n2. pear")
@example("Apple  \npear")
@example("    Apple")
@example("> Apple")
@example("Apple\n\n\nPear")
@example("Apple\n \nPear")
@example("Apple\n1999 was good")
@example("Apple\n1999. Pear")
@example("A &amp; B")
@example("Apple\n\nPear\n")
def test_a_plain_summary_is_turned_into_what_markdown_makes_of_it(text: str) -> None:
    """Summaries of plain paragraphs skip Python-Markdown; what they get instead is exactly
    what it gives, and nothing a check could object to."""
    import markdown

    if not markup.plain_paragraphs(text):
        return
    converted = markdown.Markdown(output_format="html").convert(text)
    assert markup._plain_html(text) == converted
    assert markup.check_summary(text) == []


_LIST_PIECES = st.sampled_from(
    [
        *("- ", "* ", "-", "\n- ", "\n* ", "\n    ", "**", "__", "***"),
        *("[a](https://a.example/b_c)", "[", "](", "https://d.example", "javascript:x", ")"),
        *("![p](https://e.example/p.png)", "[r]: https://f.example", ' "t"', "<https://g.example>"),
    ]
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(_PROSE_PIECES, _PROSE_PIECES, _LIST_PIECES, _SYNTAX_PIECES), max_size=16
    ).map("".join)
)
@example("*Acme* and Beta agreed.\n\n- Region: Europe\n- Area: **payments**\n")
@example("Apple\n- - -")
@example("Apple\n---")
@example("Apple\n===")
@example("- 1. Apple")
@example("***")
@example("*Apple\n    code")
@example("Apple\n\n- pear\n  - nested")
@example("More in the [announcement](https://www.example.com/a_b?c=1).")
@example("a![x](https://a.example)")
@example("[x](javascript:y)")
@example("[x]: javascript:y")
def test_a_summary_the_quick_check_passes_is_one_markdown_finds_nothing_in(text: str) -> None:
    """Summaries of paragraphs, lists, emphasis and web links skip Python-Markdown in the
    check: what it would find in them is always nothing."""
    from generator import markup

    if markup._harmless(text):
        assert markup._problems(text) == []
        assert markup.check_summary(text) == []


@SETTINGS
@given(st.lists(st.integers(min_value=0, max_value=12), max_size=60))
def test_runs_of_a_key_that_never_rises_are_what_groupby_finds(keys: list[int]) -> None:
    # Items stand in for events: runs() only ever looks at them through ``key``.
    items = [(value, number) for number, value in enumerate(sorted(keys, reverse=True))]
    found = [(value, [number for _, number in run]) for value, run in runs(items, first)]
    expected = [(value, [number for _, number in run]) for value, run in groupby(items, key=first)]
    assert found == expected
    assert [item for _, run in runs(items, first) for item in run] == items


def first(item: tuple[int, int]) -> int:
    return item[0]


# --- calendars: lines folded as icalendar folds them ------------------------------------------

#: text of one content line: escapes, carets and characters of one to four UTF-8 bytes
_ICAL_TEXT = st.text(
    st.one_of(
        st.sampled_from("\\^,;:a "),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"),
    ),
    max_size=400,
)


@settings(max_examples=1500, deadline=None)
@given(_ICAL_TEXT)
@example("a" * 73 + "\\,b")
@example("a" * 74 + "\\,b")
@example("\\" * 200)
@example("é" * 100)
@example("a" + "😀" * 40)
def test_a_calendar_line_is_folded_as_icalendar_folds_it(line: str) -> None:
    assert fold(line) == Contentline(line).to_ical()


@settings(max_examples=200, deadline=None)
@given(
    summary=_ICAL_TEXT,
    description=st.text(st.characters(blacklist_categories=("Cs",)), max_size=600),
    categories=st.lists(_ICAL_TEXT.filter(bool), max_size=3),
)
def test_a_calendar_event_is_written_as_icalendar_writes_it(
    summary: str, description: str, categories: list[str]
) -> None:
    vevent = ICalEvent()
    vevent.add("uid", "x/2026-01-05-launch@example.org")
    vevent.add("dtstart", dt.date(2026, 1, 5))
    vevent.add("summary", summary)
    vevent.add("description", description)
    if categories:
        vevent.add("categories", categories)
    assert to_ical(vevent) == vevent.to_ical()


# --- summaries as plain text ------------------------------------------------------------------

#: prose in any script, with the spaces Unicode knows (no-break, ideographic, ...)
_UNICODE_PROSE = st.text(
    st.one_of(
        st.characters(whitelist_categories=("L", "N", "Zs", "P", "S", "M")),
        st.sampled_from(" \n\n\u00a0\u3000"),
    ),
    min_size=1,
    max_size=120,
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_SUMMARIES, _UNICODE_PROSE))
@example("Apple\u00a0pie\n\nPear  tart")
@example("Apple\npie\n\nPear\n")
def test_a_plain_summary_is_the_text_an_html_parser_finds_in_its_page(text: str) -> None:
    """Plain paragraphs skip the HTML parser on their way to the search index, feeds and
    calendars; what they get instead is exactly what it finds in the summary's HTML."""
    if not markup.plain_paragraphs(text):
        return
    assert summary_text(text) == text_of_html(common_summary_html(text))
