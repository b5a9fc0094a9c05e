"""The `kb` command line: help, validate and its formats, new event, and bad configuration."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import MKDOCS_YML, kb_env, run_kb, snapshot

from generator.cli import _exit_status, main

pytestmark = pytest.mark.usefixtures("pinned_env")


@pytest.fixture
def kb(monkeypatch, tmp_path):
    """Run kb in-process from tmp_path, so paths print relative to it."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str | Path, input: str | None = None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input, prog_name="kb")

    return run


# --- help --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "usage", "mentions"),
    [
        ([], "Usage: kb [OPTIONS] COMMAND [ARGS]...", ["--version", "build", "new", "serve"]),
        (
            ["validate"],
            "Usage: kb validate [OPTIONS]",
            ["--content", "-f, --config-file", "--format [auto|standard|github|json]"],
        ),
        (
            ["build"],
            "Usage: kb build [OPTIONS]",
            [
                "--content",
                "-f, --config-file",
                "--docs-dir",
                "--site-dir",
                "--strict / --no-strict",
                "[default: strict]",
            ],
        ),
        (
            ["serve"],
            "Usage: kb serve [OPTIONS]",
            ["--content", "-f, --config-file", "--docs-dir", "-a, --dev-addr"],
        ),
        (["new"], "Usage: kb new [OPTIONS] COMMAND [ARGS]...", ["event"]),
        (
            ["new", "event"],
            "Usage: kb new event [OPTIONS]",
            [
                "--content",
                "-f, --config-file",
                "--company",
                "--date",
                "--title",
                "--type",
                "--topic",
                "--status [occurred|scheduled|postponed|cancelled]",
                "--lang",
                "--source-title",
                "--source-publisher",
                "--source-published",
                "--source-lang",
                "--source-url",
                "--slug",
            ],
        ),
    ],
    ids=["kb", "validate", "build", "serve", "new", "new-event"],
)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(kb, command, usage, mentions, flag):
    result = kb(*command, flag)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.splitlines()[0] == usage
    for text in mentions:
        assert text in result.stdout, text


def test_help_and_version_in_a_real_process(project_root):
    result = run_kb("--help", cwd=project_root)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: python -m generator.cli [OPTIONS] COMMAND [ARGS]...")
    for command in ("build", "new", "serve", "validate"):
        assert f"\n  {command} " in result.stdout, command
    version = run_kb("--version", cwd=project_root)
    assert (version.returncode, version.stdout) == (0, "kb, version 0.1.0\n")


# --- validate ----------------------------------------------------------------------------------


def test_validate_real_content_in_a_real_process(project_root):
    """From the project root with every default: no problem at all, nothing printed."""
    result = run_kb("validate", cwd=project_root)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


RECALL = """\
    title: Acme recalls widgets
    date: 2026-02-10
    status: done
    type: product
    companies:
      - acme
    topics:
      - widgets
    lang: en
    sumary: Acme recalled a batch of widgets.
    sources:
      - title: Acme press release
        published: 2026-02-10
        lang: en
    """


@pytest.fixture
def broken_kb(make_kb):
    return make_kb(
        companies={
            "acme": "name: Acme Corporation\n",
            "globex": "name: Globex\nparent: acme-corp\n",
        },
        topics={"widgets": "name: Widgets\n", "gadgets": "name: Gadgets\nname: Gizmos\n"},
        events={
            "acme/2026-01-05-launch": """\
                title: Acme launches a widget
                date: 2026-01-05
                status: occurred
                type: product
                companies:
                  - acme
                topics:
                  - widget
                lang: en
                summary: Acme launched its first widget.
                sources:
                  - title: Acme press release
                    published: 2026-01-05
                    lang: en
                """,
            "acme/2026-02-10-recall": RECALL,
            "acme/2026-03-01-conference": """\
                title: Acme holds its developer conference
                date: 2026-03-01
                status: scheduled
                type: other
                companies:
                  - acme
                topics:
                  - widgets
                lang: en
                summary: Acme's yearly developer conference.
                sources:
                  - title: Acme events calendar
                    published: 2026-01-15
                    lang: en
                """,
        },
    )


#: (path, line, column, severity, rule, message) of every problem in broken_kb, in order
PROBLEMS = [
    (
        "content/companies/globex.yaml",
        2,
        9,
        "error",
        "unknown-company",
        "parent: unknown company 'acme-corp'; did you mean 'acme'?",
    ),
    (
        "content/events/acme/2026-01-05-launch.yaml",
        8,
        5,
        "error",
        "unknown-topic",
        "topics: unknown topic 'widget'; did you mean 'widgets'?",
    ),
    (
        "content/events/acme/2026-02-10-recall.yaml",
        1,
        1,
        "error",
        "schema",
        "missing required field 'summary'",
    ),
    (
        "content/events/acme/2026-02-10-recall.yaml",
        3,
        9,
        "error",
        "schema",
        "status: expected one of occurred, scheduled, postponed or cancelled; got 'done'",
    ),
    (
        "content/events/acme/2026-02-10-recall.yaml",
        10,
        1,
        "error",
        "schema",
        "unknown field 'sumary'; did you mean 'summary'?",
    ),
    (
        "content/events/acme/2026-03-01-conference.yaml",
        3,
        9,
        "warning",
        "stale-schedule",
        "status: scheduled for 2026-03-01, which has passed; "
        "set the status to occurred, postponed or cancelled",
    ),
    (
        "content/topics/gadgets.yaml",
        2,
        1,
        "error",
        "yaml",
        "duplicate key 'name' (first defined on line 1); keep only one",
    ),
]
STANDARD = [f"{p}:{line}:{col}: {sev}: {msg}" for p, line, col, sev, _, msg in PROBLEMS]
GITHUB = [
    f"::{sev} file={p},line={line},col={col},title={rule}::{msg}"
    for p, line, col, sev, rule, msg in PROBLEMS
]


def _validate(kb, *extra: str):
    return kb("validate", "-f", MKDOCS_YML, "--content", "content", *extra)


def test_validate_reports_every_problem_located(kb, broken_kb):
    result = _validate(kb)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [*STANDARD, "6 errors, 1 warning in 5 files"]


def test_validate_github_annotations(kb, broken_kb):
    result = _validate(kb, "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == GITHUB


def test_validate_json(kb, broken_kb):
    result = _validate(kb, "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""
    keys = ("path", "line", "column", "severity", "rule", "message")
    assert json.loads(result.stdout) == [dict(zip(keys, p, strict=True)) for p in PROBLEMS]


_LEAVING = """\
import atexit, sys
from generator import cli
atexit.register(lambda: print("exit handler ran"))
sys.argv = ["kb", *sys.argv[1:]]
cli.run()
"""


@pytest.mark.parametrize(
    ("args", "status", "stderr"),
    [
        (["validate", "--format", "json"], 1, ""),
        (["validate", "--format", "standard"], 1, "6 errors, 1 warning in 5 files\n"),
        (["--version"], 0, ""),
        (["validate", "--no-such-option"], 2, "Error: No such option '--no-such-option'.\n"),
    ],
    ids=["json", "standard", "version", "usage"],
)
def test_the_installed_command_leaves_with_its_status_all_its_output_and_exit_handlers(
    broken_kb, args, status, stderr
):
    """``kb`` as installed skips freeing the heap at exit: nothing else may change."""
    extra = ["-f", str(MKDOCS_YML), "--content", "content"] if args[0] == "validate" else []
    if "--no-such-option" in args:
        extra = []
    result = subprocess.run(
        [sys.executable, "-c", _LEAVING, *args, *extra],
        cwd=broken_kb.parent,
        env=kb_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == status
    assert result.stdout.endswith("exit handler ran\n")
    assert result.stderr.endswith(stderr)
    if args[-1] == "json":
        printed = result.stdout.removesuffix("exit handler ran\n")
        keys = ("path", "line", "column", "severity", "rule", "message")
        assert json.loads(printed) == [dict(zip(keys, p, strict=True)) for p in PROBLEMS]


@pytest.mark.parametrize(
    ("code", "status", "printed"),
    [(None, 0, ""), (0, 0, ""), (3, 3, ""), (256 + 4, 4, ""), ("gone wrong", 1, "gone wrong\n")],
)
def test_exit_status_is_what_sys_exit_would_give(code, status, printed, capsys):
    assert _exit_status(code) == status
    assert capsys.readouterr().err == printed


def test_validate_json_without_problems_is_an_empty_list(project_root):
    """A clean run still prints a JSON document, so tools can always parse stdout."""
    result = run_kb("validate", "--format", "json", cwd=project_root)
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.strip() != "", "kb validate --format json printed nothing, not JSON"
    assert json.loads(result.stdout) == []


def test_validate_inside_github_actions_defaults_to_annotations(kb, broken_kb, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = _validate(kb)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == GITHUB
    # An explicit format still wins.
    explicit = _validate(kb, "--format", "standard")
    assert explicit.stderr.splitlines() == [*STANDARD, "6 errors, 1 warning in 5 files"]


def test_validate_warnings_alone_exit_zero(kb, make_kb):
    make_kb(
        companies={"acme": "name: Acme Corporation\n"},
        topics={"widgets": "name: Widgets\n"},
        events={
            "acme/2026-04-01-launch": """\
                title: Acme launches a widget
                date: 2026-04-01
                status: occurred
                type: product
                companies:
                  - acme
                topics:
                  - widgets
                lang: en
                summary: Acme will launch its first widget.
                sources:
                  - title: Acme press release
                    published: 2026-03-01
                    lang: en
                """
        },
    )
    result = _validate(kb)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "content/events/acme/2026-04-01-launch.yaml:3:9: warning: status: occurred, but the "
        "date 2026-04-01 is in the future; did you mean scheduled?",
        "0 errors, 1 warning in 1 file",
    ]


def test_validate_missing_content_folder(kb):
    result = kb("validate", "-f", MKDOCS_YML, "--content", "nowhere")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "nowhere:1:1: error: content folder does not exist",
        "1 error, 0 warnings in 1 file",
    ]


@pytest.mark.parametrize("url", ["not a url", "ftp://example.org/kb/"])
def test_build_refuses_a_site_address_that_is_not_a_web_address(tmp_path, url):
    result = run_kb("build", "-f", MKDOCS_YML, "--site-url", url, "--site-dir", tmp_path / "s")
    assert result.returncode == 1
    assert result.stderr == f"error: --site-url must start with http:// or https://; got {url!r}\n"
    assert not (tmp_path / "s").exists()


def test_build_refuses_a_timings_file_in_a_missing_folder_before_building(tmp_path):
    timings = tmp_path / "nowhere" / "timings.json"
    result = run_kb("build", "-f", MKDOCS_YML, "--timings", timings, "--site-dir", tmp_path / "s")
    assert result.returncode == 1
    assert result.stderr == f"error: --timings {timings}: no such folder {timings.parent}\n"
    assert not (tmp_path / "s").exists()


def test_build_into_a_folder_that_cannot_be_made_says_so_in_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    result = run_kb(
        "build", "-f", MKDOCS_YML, "--docs-dir", tmp_path / "docs", "--site-dir", blocker / "site"
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: cannot write a site at {blocker / 'site'}: {blocker} is not a folder"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["build", "--site-dir", "s"], ["serve"]], ids=str)
def test_a_generated_folder_that_cannot_be_written_says_so_in_one_line(tmp_path, command):
    if command == ["serve"]:
        with socket.socket() as probe:  # a free port: the address is checked first
            probe.bind(("127.0.0.1", 0))
            command = ["serve", "-a", f"127.0.0.1:{probe.getsockname()[1]}"]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    result = run_kb(*command, "-f", MKDOCS_YML, "--docs-dir", blocker / "docs", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: cannot write the generated pages in {blocker / 'docs'}: {blocker} is not a folder"
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "s").exists()


def test_a_site_address_in_mkdocs_yml_that_is_not_a_web_address_is_refused(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: Events\nsite_url: www.example.org\n", encoding="utf-8")
    result = run_kb("validate", "-f", config)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {config}: site_url must start with http:// or https://; got 'www.example.org'\n"
    )


# --- new event ---------------------------------------------------------------------------------


@pytest.fixture
def real_content(tmp_path, project_root) -> Path:
    shutil.copytree(project_root / "content", tmp_path / "content")
    return tmp_path / "content"


NEW_EVENT = [
    "new",
    "event",
    "-f",
    MKDOCS_YML,
    "--content",
    "content",
    "--company",
    "alibaba",
    "--date",
    "2026-03-10",
    "--title",
    "Alibaba opens an AI lab in Hangzhou",
    "--type",
    "product",
    "--topic",
    "artificial-intelligence",
    "--topic",
    "ai-safety",
    "--status",
    "occurred",
    "--lang",
    "en",
    "--source-title",
    'Alibaba\'s new lab: "a first"',
    "--source-publisher",
    "Example News",
    "--source-published",
    "2026-03-11",
    "--source-lang",
    "de",
    "--source-url",
    "https://example.com/news/ai-lab",
    "--slug",
    "ai-lab",
]
NEW_FILE = "content/events/alibaba/2026-03-10-ai-lab.yaml"
NEW_TEXT = """\
# yaml-language-server: $schema=../../../schema/event.schema.json
title: "Alibaba opens an AI lab in Hangzhou"
date: 2026-03-10
# date_note: "before US market open"
status: occurred
type: product
companies:
  - alibaba
topics:
  - artificial-intelligence
  - ai-safety
lang: en
summary: |
  TODO: two to four sentences on what happened, from the source.
sources:
  - title: "Alibaba's new lab: \\"a first\\""
    publisher: "Example News"
    published: 2026-03-11
    lang: de
    url: "https://example.com/news/ai-lab"
"""
PLACEHOLDER = "  TODO: two to four sentences on what happened, from the source.\n"


def _fill_summary(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(PLACEHOLDER) == 1
    path.write_text(
        text.replace(PLACEHOLDER, "  Alibaba opened a laboratory for AI research in Hangzhou.\n"),
        encoding="utf-8",
    )


def test_new_event_writes_the_record(kb, tmp_path, real_content):
    result = kb(*NEW_EVENT)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Wrote {NEW_FILE}; fill in the summary, then run kb validate.\n"
    assert (tmp_path / NEW_FILE).read_text(encoding="utf-8") == NEW_TEXT


def test_new_event_validates_once_the_summary_is_written(kb, tmp_path, real_content):
    assert kb(*NEW_EVENT).exit_code == 0
    # As written, the placeholder summary is refused, at its line.
    before = _validate(kb)
    assert before.exit_code == 1
    assert before.stderr.splitlines() == [
        f"{NEW_FILE}:14:3: error: summary: still the placeholder from kb new event; write it",
        "1 error, 0 warnings in 1 file",
    ]
    _fill_summary(tmp_path / NEW_FILE)
    after = _validate(kb)
    assert (after.exit_code, after.stdout, after.stderr) == (0, "", "")


def test_new_event_prompts_for_topics(kb, tmp_path, real_content):
    args = [a for a in NEW_EVENT if a not in ("--topic", "artificial-intelligence", "ai-safety")]
    result = kb(*args, input="earnings, artificial-intelligence\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "Topic ids (comma-separated): earnings, artificial-intelligence\n"
        f"Wrote {NEW_FILE}; fill in the summary, then run kb validate.\n"
    )
    text = (tmp_path / NEW_FILE).read_text(encoding="utf-8")
    assert "topics:\n  - earnings\n  - artificial-intelligence\nlang: en\n" in text


@pytest.mark.parametrize(
    ("date", "status", "title", "expected_file"),
    [
        (
            "2026-q4",
            "scheduled",
            "Quarterly results",
            "content/events/alibaba/2026-q4-quarterly-results.yaml",
        ),
        # Titles that start like a date part: the file name must still validate.
        ("2026", "occurred", "Q4 earnings call", None),
        ("2026-03", "occurred", "12 new data centres open", None),
    ],
    ids=["quarter", "year-title-starts-with-quarter", "month-title-starts-with-number"],
)
def test_new_event_without_slug_writes_a_valid_file_name(
    kb, tmp_path, real_content, date, status, title, expected_file
):
    args = [*NEW_EVENT[: NEW_EVENT.index("--slug")], "--date", date, "--title", title]
    args += ["--status", status]
    events = tmp_path / "content" / "events" / "alibaba"
    before = {p.name for p in events.iterdir()}
    result = kb(*args)
    assert result.exit_code == 0, result.stderr
    [written] = {p.name for p in events.iterdir()} - before
    path = events / written
    if expected_file is not None:
        assert path == tmp_path / expected_file
    assert result.stdout == (
        f"Wrote {path.relative_to(tmp_path)}; fill in the summary, then run kb validate.\n"
    )
    _fill_summary(path)
    check = _validate(kb)
    assert (check.exit_code, check.stderr) == (0, ""), (
        f"kb new event wrote {path.relative_to(tmp_path)}, which kb validate refuses:\n"
        f"{check.stderr}"
    )


def test_new_event_refuses_an_unknown_company(kb, tmp_path, real_content):
    before = snapshot(real_content)
    args = list(NEW_EVENT)
    args[args.index("alibaba")] = "alibab"
    result = kb(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: unknown company 'alibab'; did you mean alibaba, alibaba-cloud? "
        "(add content/companies/alibab.yaml first if it is new)\n"
    )
    assert snapshot(real_content) == before


def test_new_event_refuses_an_unknown_topic(kb, tmp_path, real_content):
    before = snapshot(real_content)
    args = list(NEW_EVENT)
    args[args.index("ai-safety")] = "ai-saftey"
    result = kb(*args)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: unknown topic 'ai-saftey'; did you mean ai-safety? "
        "(add content/topics/ai-saftey.yaml first if it is new)\n"
    )
    assert snapshot(real_content) == before


def test_new_event_never_overwrites(kb, tmp_path, real_content):
    assert kb(*NEW_EVENT).exit_code == 0
    path = tmp_path / NEW_FILE
    path.write_text("edited by hand\n", encoding="utf-8")
    result = kb(*NEW_EVENT)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {NEW_FILE} already exists; choose another --slug or edit that file\n"
    )
    assert path.read_text(encoding="utf-8") == "edited by hand\n"


# --- a bad mkdocs.yml --------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["validate"], ["build"], ["new", "event"]])
def test_missing_config_is_one_line_error(tmp_path, command):
    """Run where there is no mkdocs.yml: one line, exit 1, no traceback, nothing written."""
    extra = NEW_EVENT[NEW_EVENT.index("--company") :] if command == ["new", "event"] else []
    result = run_kb(*command, *extra, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: mkdocs.yml: cannot read the site configuration: No such file or directory\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("site_name: [unclosed\n", "invalid YAML"),
        ("- site_name\n- nav\n", "not a mapping"),
        ("site_name: KB\nextra: 5\n", "extra"),
    ],
    ids=["invalid-yaml", "top-level-list", "extra-not-a-mapping"],
)
def test_unusable_config_is_one_line_error(tmp_path, text, problem):
    (tmp_path / "site.yml").write_text(text, encoding="utf-8")
    result = run_kb("validate", "-f", "site.yml", cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line about {problem}, got:\n{result.stderr}"
    assert lines[0].startswith("error: site.yml:"), lines[0]
