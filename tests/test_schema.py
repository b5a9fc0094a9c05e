"""The published JSON Schemas (schema/*.schema.json) against kb validate.

The schemas are generated from the record schemas in the code (``kb schema``)
and are what editors and other tools check records with. Here they are read by
independent validators, the ``jsonschema`` library (Draft 2020-12) and the
``check-jsonschema`` command, and must agree with ``kb validate``: every record
kb accepts (the real content, records scaffolded by ``kb new event``, synthetic
knowledge bases) is valid, and every shape error kb refuses is refused.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from helpers import MKDOCS_YML, PROJECT_ROOT
from jsonschema import Draft202012Validator

from generator import pipeline
from generator.cli import main
from generator.commands.new import EventAnswers, create_event
from generator.commands.schema import expected_files
from generator.config import today
from generator.json_schema import schema_files
from generator.synth import SYNTH_TODAY, write_synthetic

SCHEMA_DIR = PROJECT_ROOT / "schema"
KINDS = {"companies": "company", "topics": "topic", "events": "event"}
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(?P<path>\S+)$")


def _tool(name: str) -> Path:
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed beside {sys.executable}: pip install -e '.[test]'")
    return path


class _TextLoader(yaml.SafeLoader):
    """PyYAML's safe loader with dates kept as the text written, as check-jsonschema reads.

    JSON has no dates, so a date-like value (``2026-03-19``) is checked as a string.
    """


_TextLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _load(text: str) -> Any:
    return yaml.load(text, Loader=_TextLoader)


def _published(kind: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


VALIDATORS = {
    kind: Draft202012Validator(_published(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)
    for kind in KINDS.values()
}


def _schema_errors(kind: str, text: str) -> list[str]:
    """Each violation as '<json path>: <message>'."""
    return [f"{e.json_path}: {e.message}" for e in VALIDATORS[kind].iter_errors(_load(text))]


def _kind_of(path: Path) -> str:
    return KINDS[path.parent.name if path.parent.name in KINDS else path.parent.parent.name]


def _records(content: Path) -> dict[str, list[Path]]:
    """Record files under ``content`` by kind."""
    found: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(content.rglob("*.yaml")):
        found[_kind_of(path)].append(path)
    return found


def _check_jsonschema(kind: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(_tool("check-jsonschema")),
            "--schemafile",
            str(SCHEMA_DIR / f"{kind}.schema.json"),
            "-o",
            "json",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _assert_all_valid(content: Path) -> int:
    """Every record under ``content`` is valid for both validators; returns how many."""
    records = _records(content)
    for kind, paths in records.items():
        for path in paths:
            assert _schema_errors(kind, path.read_text(encoding="utf-8")) == [], path
        result = _check_jsonschema(kind, paths)
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout)["status"] == "ok"
    return sum(map(len, records.values()))


# --- (a) the committed schemas and field reference are up to date ------------------------------


def test_kb_schema_check_passes_on_the_repository() -> None:
    result = CliRunner().invoke(main, ["schema", "--check", "--root", str(PROJECT_ROOT)])
    assert (result.exit_code, result.output) == (0, "")


def test_committed_files_are_exactly_what_the_code_generates() -> None:
    for name, text in expected_files(PROJECT_ROOT).items():
        assert (PROJECT_ROOT / name).read_text(encoding="utf-8") == text, f"{name} is stale"
    assert set(schema_files()) == {f"schema/{k}.schema.json" for k in KINDS.values()}
    assert "CONTRIBUTING.md" in expected_files(PROJECT_ROOT)


def test_kb_schema_check_notices_a_stale_file(tmp_path: Path) -> None:
    shutil.copytree(SCHEMA_DIR, tmp_path / "schema")
    shutil.copy(PROJECT_ROOT / "CONTRIBUTING.md", tmp_path / "CONTRIBUTING.md")
    stale = tmp_path / "schema" / "event.schema.json"
    stale.write_text(stale.read_text(encoding="utf-8").replace("occurred", "happened"))
    guide = tmp_path / "CONTRIBUTING.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("ISO 4217", "ISO 4711"))
    runner = CliRunner()
    result = runner.invoke(main, ["schema", "--check", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert sorted(result.stderr.splitlines()) == [
        "CONTRIBUTING.md: out of date; run kb schema",
        "schema/event.schema.json: out of date; run kb schema",
    ]
    assert runner.invoke(main, ["schema", "--root", str(tmp_path)]).exit_code == 0
    assert runner.invoke(main, ["schema", "--check", "--root", str(tmp_path)]).exit_code == 0
    assert stale.read_bytes() == (SCHEMA_DIR / "event.schema.json").read_bytes()
    assert guide.read_bytes() == (PROJECT_ROOT / "CONTRIBUTING.md").read_bytes()


@pytest.mark.parametrize("kind", sorted(KINDS.values()))
def test_published_schemas_are_valid_draft_2020_12(kind: str) -> None:
    schema = _published(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False


def test_check_jsonschema_accepts_the_schemas_as_schemas() -> None:
    files = sorted(SCHEMA_DIR.glob("*.schema.json"))
    result = subprocess.run(
        [str(_tool("check-jsonschema")), "--check-metaschema", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- (b) what kb accepts, the schemas accept ---------------------------------------------------


def test_real_content_is_valid_for_the_published_schemas() -> None:
    assert _assert_all_valid(PROJECT_ROOT / "content") >= 3


def test_synthetic_records_are_valid_for_the_published_schemas(tmp_path: Path) -> None:
    content = tmp_path / "content"
    counts = write_synthetic(content, 400, seed=77)
    assert pipeline.check(content, SYNTH_TODAY).diagnostics == []
    assert _assert_all_valid(content) == counts.files


SCAFFOLDS = [
    EventAnswers(
        company="acme",
        date="2026-03-10",
        title="Acme opens an AI lab in Hangzhou",
        type="product",
        topics=("cloud",),
        status="occurred",
        lang="en",
        source_title='Acme\'s new lab: "a first"',
        source_published="2026-03-11",
        source_lang="en",
        source_url="https://www.example.com/news/ai-lab",
        source_publisher="Example News",
    ),
    EventAnswers(
        company="acme",
        date="2026-Q3",
        title="Acme: Ergebnisse für das dritte Quartal: Termin # 3",
        type="earnings",
        topics=("cloud", "earnings"),
        status="scheduled",
        lang="de",
        source_title="[Finanzkalender von Acme]",
        source_published="2026-03",
        source_lang="de",
    ),
    EventAnswers(
        company="acme",
        date="2027",
        title="NO",
        type="other",
        topics=("earnings",),
        status="scheduled",
        lang="en",
        source_title="9988",
        source_published="2026",
        source_lang="en",
        slug="no-plans",
    ),
    EventAnswers(
        company="acme",
        date="2025-12",
        title="Acme pays 8.4e9 for Widget Co",
        type="acquisition",
        topics=("cloud",),
        status="cancelled",
        lang="en",
        source_title="Acme deal off",
        source_published="2026-01-05",
        source_lang="en",
        source_url="http://example.org/acme?deal=off#top",
    ),
]
SUMMARY = "  Acme did what the title says, according to the source.\n"
PLACEHOLDER = "  TODO: two to four sentences on what happened, from the source.\n"


@pytest.fixture
def scaffolded(tmp_path: Path) -> list[Path]:
    """Records written by `kb new event`, with the summary filled in, in a small repository."""
    content = tmp_path / "content"
    (content / "companies").mkdir(parents=True)
    (content / "topics").mkdir()
    (content / "companies" / "acme.yaml").write_text("name: Acme Corp\n", encoding="utf-8")
    for topic in ("cloud", "earnings"):
        (content / "topics" / f"{topic}.yaml").write_text(f"name: {topic}\n", encoding="utf-8")
    paths = []
    for answers in SCAFFOLDS:
        path = create_event(content, answers)
        text = path.read_text(encoding="utf-8")
        assert text.count(PLACEHOLDER) == 1
        path.write_text(text.replace(PLACEHOLDER, SUMMARY), encoding="utf-8")
        paths.append(path)
    return paths


def test_scaffolded_records_are_valid_for_kb_and_the_schemas(
    scaffolded: list[Path], tmp_path: Path, pinned_env: None
) -> None:
    content = tmp_path / "content"
    assert pipeline.check(content, today()).diagnostics == []
    assert _assert_all_valid(content) == 3 + len(SCAFFOLDS)


def test_scaffolded_records_point_editors_at_the_event_schema(
    scaffolded: list[Path], tmp_path: Path
) -> None:
    for path in scaffolded:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        match = MODELINE.match(first)
        assert match, first
        relative = match["path"]
        assert not Path(relative).is_absolute()
        # content/ sits beside schema/ in the repository: the path resolves there ...
        assert (path.parent / relative).resolve() == tmp_path / "schema" / "event.schema.json"
        # ... and, from the real content folder, to the published event schema.
        target = (PROJECT_ROOT / "content" / "events" / "acme" / relative).resolve()
        assert target == SCHEMA_DIR / "event.schema.json"
        assert target.is_file()


# --- (c) what kb refuses as a shape error, the schemas refuse -----------------------------------

EVENT_FILE = "events/acme/2026-03-10-results.yaml"
EVENT = """\
title: Acme reports results
date: 2026-03-10
status: occurred
type: earnings
companies:
  - acme
topics:
  - cloud
lang: en
summary: Acme did well.
amounts:
  - value: 5000000
    currency: USD
sources:
  - title: Acme results
    published: 2026-03-10
    lang: en
    url: https://www.example.com/news/1
related:
  - acme/2026-01-05-other
translations:
  de:
    title: Acme legt Zahlen vor
"""
OTHER_FILE = "events/acme/2026-01-05-other.yaml"
OTHER = (
    EVENT.replace("date: 2026-03-10", "date: 2026-01-05")
    .replace("title: Acme reports results", "title: Acme opens an office")
    .replace("news/1", "news/2")
    .replace("related:\n  - acme/2026-01-05-other\n", "")
)
COMPANY_FILE = "companies/acme.yaml"
COMPANY = """\
name: Acme Corp
tickers:
  - exchange: NYSE
    symbol: ACME
country: US
website: https://www.acme.example
"""
TOPIC_FILE = "topics/cloud.yaml"
TOPIC = "name: Cloud\n"
BASE = {EVENT_FILE: EVENT, OTHER_FILE: OTHER, COMPANY_FILE: COMPANY, TOPIC_FILE: TOPIC}


def _bad(file: str, old: str, new: str) -> tuple[str, str]:
    text = BASE[file]
    assert text.count(old) == 1, old
    return file, text.replace(old, new)


# (id, file, bad text, kb message, JSON path the schema points at)
SHAPE_ERRORS = [
    (
        "missing-required-field",
        *_bad(EVENT_FILE, "lang: en\nsummary", "summary"),
        "missing required field 'lang'",
        "$",
    ),
    (
        "missing-nested-field",
        *_bad(EVENT_FILE, "    published: 2026-03-10\n", ""),
        "missing required field 'published' in 'sources[0]'",
        "$.sources[0]",
    ),
    (
        "unknown-field",
        *_bad(EVENT_FILE, "\nlang: en\n", "\nlang: en\ncolour: red\n"),
        "unknown field 'colour'; expected one of: title, date, date_note, status, type, "
        "companies, topics, lang, summary, amounts, places, sources, related, translations",
        "$",
    ),
    (
        "unknown-nested-field",
        *_bad(EVENT_FILE, "    currency: USD\n", "    currency: USD\n    rate: 1\n"),
        "unknown field 'amounts[0].rate'; expected one of: value, currency, note",
        "$.amounts[0]",
    ),
    (
        "wrong-status",
        *_bad(EVENT_FILE, "status: occurred", "status: planned"),
        "status: expected one of occurred, scheduled, postponed or cancelled; got 'planned'",
        "$.status",
    ),
    (
        "wrong-type",
        *_bad(EVENT_FILE, "type: earnings", "type: earning"),
        "type: expected one of earnings, agreement, investment, acquisition, product, incident, "
        "regulatory, legal, financing, leadership or other; got 'earning'",
        "$.type",
    ),
    (
        "bad-company-slug",
        *_bad(EVENT_FILE, "  - acme\ntopics", "  - Acme_Corp\ntopics"),
        "companies[0]: expected a lowercase id like alibaba-cloud; got 'Acme_Corp'",
        "$.companies[0]",
    ),
    (
        "bad-topic-slug",
        *_bad(EVENT_FILE, "  - cloud\n", "  - cloud computing\n"),
        "topics[0]: expected a lowercase id like alibaba-cloud; got 'cloud computing'",
        "$.topics[0]",
    ),
    (
        "empty-topics",
        *_bad(EVENT_FILE, "topics:\n  - cloud\n", "topics: []\n"),
        "topics: needs at least one entry",
        "$.topics",
    ),
    (
        "empty-sources",
        *_bad(
            EVENT_FILE,
            "sources:\n  - title: Acme results\n"
            "    published: 2026-03-10\n    lang: en\n"
            "    url: https://www.example.com/news/1\n",
            "sources: []\n",
        ),
        "sources: needs at least one entry",
        "$.sources",
    ),
    (
        "url-scheme",
        *_bad(EVENT_FILE, "https://www.example.com/news/1", "ftp://www.example.com/news/1"),
        "sources[0].url: expected an http:// or https:// address; "
        "got 'ftp://www.example.com/news/1'",
        "$.sources[0].url",
    ),
    (
        "website-scheme",
        *_bad(COMPANY_FILE, "https://www.acme.example", "www.acme.example"),
        "website: expected an http:// or https:// address; got 'www.acme.example'",
        "$.website",
    ),
    (
        "currency-lowercase",
        *_bad(EVENT_FILE, "currency: USD", "currency: usd"),
        "amounts[0].currency: expected an ISO 4217 currency code like CNY or USD; got 'usd'",
        "$.amounts[0].currency",
    ),
    (
        "currency-name",
        *_bad(EVENT_FILE, "currency: USD", "currency: dollars"),
        "amounts[0].currency: expected an ISO 4217 currency code like CNY or USD; got 'dollars'",
        "$.amounts[0].currency",
    ),
    (
        "language-name",
        *_bad(EVENT_FILE, "lang: en\nsummary", "lang: english\nsummary"),
        "lang: expected a lowercase ISO 639 language code like en or de; got 'english'",
        "$.lang",
    ),
    (
        "source-language-uppercase",
        *_bad(EVENT_FILE, "    lang: en\n", "    lang: EN\n"),
        "sources[0].lang: expected a lowercase ISO 639 language code like en or de; got 'EN'",
        "$.sources[0].lang",
    ),
    (
        "translation-language",
        *_bad(EVENT_FILE, "  de:\n", "  Deutsch:\n"),
        "translations.Deutsch: expected a lowercase ISO 639 language code like en or de; "
        "got 'Deutsch'",
        "$.translations",
    ),
    (
        "companies-not-a-list",
        *_bad(EVENT_FILE, "companies:\n  - acme\n", "companies: acme\n"),
        "companies: expected a list; got 'acme'",
        "$.companies",
    ),
    (
        "sources-a-mapping",
        *_bad(EVENT_FILE, "  - title: Acme results\n", "    title: Acme results\n"),
        "sources: expected a list; got a mapping",
        "$.sources",
    ),
    (
        "title-a-list",
        *_bad(EVENT_FILE, "title: Acme reports results", "title: [Acme, results]"),
        "title: expected text; got a list",
        "$.title",
    ),
    (
        "empty-title",
        *_bad(EVENT_FILE, "title: Acme reports results", 'title: ""'),
        "title: must not be empty",
        "$.title",
    ),
    (
        "month-13",
        *_bad(EVENT_FILE, "date: 2026-03-10", "date: 2026-13"),
        "date: month 13 does not exist; expected 01 to 12",
        "$.date",
    ),
    (
        "date-in-words",
        *_bad(EVENT_FILE, "date: 2026-03-10", "date: 10 March 2026"),
        "date: expected a day like 2026-03-19, a month like 2026-03, a quarter like 2026-Q1 or a "
        "year like 2026; got '10 March 2026'",
        "$.date",
    ),
    (
        "bad-related-id",
        *_bad(EVENT_FILE, "  - acme/2026-01-05-other", "  - 2026-01-05-other"),
        "related[0]: expected an event id like alibaba/2026-03-19-quarterly-results; "
        "got '2026-01-05-other'",
        "$.related[0]",
    ),
    (
        "bad-country",
        *_bad(COMPANY_FILE, "country: US", "country: Germany"),
        "country: expected an ISO 3166 country code like CN or US; got 'Germany'",
        "$.country",
    ),
    (
        "bad-parent-company",
        *_bad(COMPANY_FILE, "country: US", "country: US\nparent: Acme Group"),
        "parent: expected a lowercase id like alibaba-cloud; got 'Acme Group'",
        "$.parent",
    ),
    (
        "ticker-without-symbol",
        *_bad(COMPANY_FILE, "    symbol: ACME\n", ""),
        "missing required field 'symbol' in 'tickers[0]'",
        "$.tickers[0]",
    ),
    (
        "bare-numeric-symbol",
        *_bad(COMPANY_FILE, "symbol: ACME", "symbol: 9988"),
        'tickers[0].symbol: YAML reads a bare 9988 as an integer; write it in quotes, "9988", '
        "if it is meant as text",
        "$.tickers[0].symbol",
    ),
    (
        "topic-without-name",
        *_bad(TOPIC_FILE, "name: Cloud\n", "description: Rented computers.\n"),
        "missing required field 'name'",
        "$",
    ),
    (
        "bad-parent-topic",
        *_bad(TOPIC_FILE, "name: Cloud\n", "name: Cloud\nparent: IT\n"),
        "parent: expected a lowercase id like alibaba-cloud; got 'IT'",
        "$.parent",
    ),
]

#: Values kb refuses whose rule JSON Schema can express too (pattern, maxLength,
#: exclusiveMinimum); editors relying on the schema do not flag them yet.
VALUE_ERRORS = [
    (
        "title-on-two-lines",
        *_bad(EVENT_FILE, "title: Acme reports results", 'title: "Acme reports\\nresults"'),
        "title: must be a single line",
        "$.title",
    ),
    (
        "title-only-spaces",
        *_bad(EVENT_FILE, "title: Acme reports results", 'title: "   "'),
        "title: must not be empty",
        "$.title",
    ),
    (
        "title-too-long",
        *_bad(EVENT_FILE, "title: Acme reports results", "title: " + "a" * 301),
        "title: is 301 characters long; keep it to 300",
        "$.title",
    ),
    (
        "summary-too-long",
        *_bad(EVENT_FILE, "summary: Acme did well.", "summary: " + "Acme did well. " * 340),
        "summary: is 5099 characters long; keep it to 5000",
        "$.summary",
    ),
    (
        "negative-amount",
        *_bad(EVENT_FILE, "value: 5000000", "value: -5"),
        "amounts[0].value: expected a positive number; got '-5'",
        "$.amounts[0].value",
    ),
    (
        "zero-amount",
        *_bad(EVENT_FILE, "value: 5000000", "value: 0"),
        "amounts[0].value: expected a positive number; got '0'",
        "$.amounts[0].value",
    ),
    (
        "amount-in-words",
        *_bad(EVENT_FILE, "value: 5000000", "value: five million"),
        "amounts[0].value: expected a number like 60000000000 or 8.4e9; got 'five million'",
        "$.amounts[0].value",
    ),
    (
        "url-without-host",
        *_bad(EVENT_FILE, "https://www.example.com/news/1", "https://news"),
        "sources[0].url: expected an http:// or https:// address; got 'https://news'",
        "$.sources[0].url",
    ),
    (
        "url-with-space",
        *_bad(EVENT_FILE, "https://www.example.com/news/1", '"https://www.example.com/news 1"'),
        "sources[0].url: expected an http:// or https:// address; "
        "got 'https://www.example.com/news 1'",
        "$.sources[0].url",
    ),
    (
        "year-before-1800",
        *_bad(EVENT_FILE, "date: 2026-03-10", "date: 1700"),
        "date: year 1700 is out of range; expected a year from 1800 on",
        "$.date",
    ),
]


def _write(root: Path, files: dict[str, str]) -> Path:
    content = root / "content"
    for relative, text in files.items():
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def check_jsonschema_paths(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, set[str]]:
    """check-jsonschema on every bad record at once: case id → JSON paths it reports."""
    folder = tmp_path_factory.mktemp("bad-records")
    by_kind: dict[str, list[Path]] = defaultdict(list)
    for case_id, file, text, _, _ in SHAPE_ERRORS + VALUE_ERRORS:
        path = folder / f"{case_id}.yaml"
        path.write_text(text, encoding="utf-8")
        by_kind[KINDS[file.split("/")[0]]].append(path)
    reported: dict[str, set[str]] = defaultdict(set)
    for kind, paths in by_kind.items():
        result = _check_jsonschema(kind, paths)
        assert result.returncode in (0, 1), result.stderr
        for error in json.loads(result.stdout).get("errors", []):
            reported[Path(error["filename"]).stem].add(error["path"])
    return reported


def test_the_base_records_are_valid_for_kb_and_the_schemas(
    tmp_path: Path, pinned_env: None
) -> None:
    content = _write(tmp_path, BASE)
    assert pipeline.check(content, today()).diagnostics == []
    assert _assert_all_valid(content) == len(BASE)


def _assert_refused_by_both(
    case_id: str,
    file: str,
    text: str,
    kb_message: str,
    json_path: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reported: dict[str, set[str]],
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, BASE | {file: text})
    result = CliRunner().invoke(
        main, ["validate", "-f", str(MKDOCS_YML), "--content", "content"], prog_name="kb"
    )
    assert result.exit_code == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert any(
        line.startswith(f"content/{file}:") and line.endswith(f": error: {kb_message}")
        for line in errors
    ), errors
    kind = KINDS[file.split("/")[0]]
    problems = _schema_errors(kind, text)
    assert any(p.startswith(f"{json_path}: ") for p in problems), (
        f"jsonschema accepts the record kb refuses with {kb_message!r}; it reports {problems}"
    )
    assert json_path in reported[case_id], (
        f"check-jsonschema accepts the record kb refuses with {kb_message!r}; "
        f"it reports {sorted(reported[case_id])}"
    )


@pytest.mark.parametrize(
    ("case_id", "file", "text", "kb_message", "json_path"),
    SHAPE_ERRORS,
    ids=[case[0] for case in SHAPE_ERRORS],
)
def test_shape_errors_are_refused_by_kb_and_by_the_schemas(
    case_id: str,
    file: str,
    text: str,
    kb_message: str,
    json_path: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pinned_env: None,
    check_jsonschema_paths: dict[str, set[str]],
) -> None:
    _assert_refused_by_both(
        case_id, file, text, kb_message, json_path, tmp_path, monkeypatch, check_jsonschema_paths
    )


@pytest.mark.parametrize(
    ("case_id", "file", "text", "kb_message", "json_path"),
    VALUE_ERRORS,
    ids=[case[0] for case in VALUE_ERRORS],
)
def test_value_errors_are_refused_by_kb_and_by_the_schemas(
    case_id: str,
    file: str,
    text: str,
    kb_message: str,
    json_path: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pinned_env: None,
    check_jsonschema_paths: dict[str, set[str]],
) -> None:
    _assert_refused_by_both(
        case_id, file, text, kb_message, json_path, tmp_path, monkeypatch, check_jsonschema_paths
    )
