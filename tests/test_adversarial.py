"""Untrusted contributions cannot hurt the site or its readers.

Every case here is a record an attacker could open a pull request with. Each one is
either refused by ``kb validate`` with exactly the located error lines given (and exit
status 1), or it builds into pages that are inert: no script, no event handler, no link
or resource with a scheme other than http(s), no image but the generator's own, no extra
table cell, and the hostile text shown literally, character for character.

The refused cases run ``kb validate`` as a contributor does, in a fresh interpreter. The
inert cases share one knowledge base full of hostile records, built once per module.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import resource
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import (
    MKDOCS_YML,
    Element,
    TreeBuilder,
    kb_env,
    read_search_files,
    run_kb,
    write_kb,
)

from generator.pipeline import check

TODAY = dt.date(2026, 3, 12)  # helpers.TODAY_EPOCH

# --- a small valid knowledge base that each refused case changes -------------------------------

COMPANY = "companies/acme.yaml"
TOPIC = "topics/cloud.yaml"
EVENT = "events/acme/2026-03-02-results.yaml"
# the paths as kb prints them, run from the folder holding content/
C = f"content/{COMPANY}"
T = f"content/{TOPIC}"
E = f"content/{EVENT}"

COMPANY_TEXT = "name: Acme Corp\n"
TOPIC_TEXT = "name: Cloud\n"
EVENT_TEXT = """\
title: Acme reports results
date: 2026-03-02
status: occurred
type: earnings
companies: [acme]
topics: [cloud]
lang: en
summary: Acme did well.
sources:
  - title: Acme results
    published: 2026-03-02
    lang: en
"""
BASE = {COMPANY: COMPANY_TEXT, TOPIC: TOPIC_TEXT, EVENT: EVENT_TEXT}

#: What a symbolic link points at, outside content/: if it were ever read, this string
#: would show in a message ("got 'SECRET...'") or on a page.
SECRET = "SECRET-7f3a9c"
OUTSIDE_RECORD = f"name: {SECRET}\ncountry: {SECRET}\n"
#: Replaced by the path of a file that a YAML tag would create if it were ever executed.
MARKER = "@MARKER@"

URL_ERROR = "expected an http:// or https:// address"
LINK_ERROR = "is not allowed; links must start with http:// or https://"


@dataclass(frozen=True)
class Link:
    """A symbolic link placed in content/, pointing at ``target`` (relative to the test folder)."""

    target: str


Files = dict[str, "str | bytes | Link | None"]


def event(old: str, new: str) -> Files:
    """The base event with one piece of text replaced (which must occur exactly once)."""
    assert EVENT_TEXT.count(old) == 1, old
    return {EVENT: EVENT_TEXT.replace(old, new)}


def summary(yaml_value: str) -> Files:
    """The event with ``summary: <yaml_value>`` on line 8 (the value starts at column 10)."""
    return event("summary: Acme did well.", f"summary: {yaml_value}")


def block_summary(markdown: str) -> Files:
    """The event with a literal block summary: its first line is line 9, column 3."""
    body = "".join(f"  {line}\n" if line else "\n" for line in markdown.split("\n"))
    return event("summary: Acme did well.\n", f"summary: |\n{body}")


def translated_summary(yaml_value: str) -> Files:
    """A German translation whose summary value starts on line 12, column 14."""
    return event(
        "summary: Acme did well.\n",
        "summary: Acme did well.\ntranslations:\n  de:\n    title: Acme meldet Zahlen\n"
        f"    summary: {yaml_value}\n",
    )


def source_url(yaml_value: str) -> Files:
    """The source with ``url: <yaml_value>``: line 13, the value at column 10."""
    return event("    lang: en\n", f"    lang: en\n    url: {yaml_value}\n")


def website(yaml_value: str) -> Files:
    """The company with ``website: <yaml_value>``: line 2, the value at column 10."""
    return {COMPANY: f"name: Acme Corp\nwebsite: {yaml_value}\n"}


def amount(value: str) -> Files:
    """An amount whose value is on line 9, column 12."""
    return event(
        "lang: en\nsummary", f"lang: en\namounts:\n  - value: {value}\n    currency: USD\nsummary"
    )


def write_files(root: Path, files: Files) -> Path:
    """BASE changed by ``files`` (None removes a file) under root/content, plus the outside."""
    (root / "outside" / "companies").mkdir(parents=True, exist_ok=True)
    (root / "outside" / "secret.yaml").write_text(OUTSIDE_RECORD, encoding="utf-8")
    (root / "outside" / "companies" / "acme.yaml").write_text(OUTSIDE_RECORD, encoding="utf-8")
    (root / "outside" / "2026-03-02-results.yaml").write_text(
        EVENT_TEXT.replace("Acme reports results", SECRET), encoding="utf-8"
    )
    content = root / "content"
    content.mkdir(exist_ok=True)
    marker = str(root / "pwned")
    for relative, value in {**BASE, **files}.items():
        if value is None:
            continue
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(value, Link):
            path.symlink_to(root / value.target)
        elif isinstance(value, bytes):
            path.write_bytes(value)
        else:
            path.write_text(value.replace(MARKER, marker), encoding="utf-8")
    return content


_DIAGNOSTIC = re.compile(r"^\S.*:\d+:\d+: (error|warning): ")
#: Characters that may reach a terminal in kb's output: printable text, newline, tab.
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def validate_lines(root: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """``kb validate`` run in ``root``; the result and its diagnostic lines."""
    result = run_kb("validate", "--content", "content", "-f", MKDOCS_YML, cwd=root)
    return result, [line for line in result.stderr.splitlines() if _DIAGNOSTIC.match(line)]


Expected = list["str | re.Pattern[str]"]


def assert_lines(actual: list[str], expected: Expected) -> None:
    """Lines equal, in order; a compiled pattern stands for a line it must fully match."""
    if all(isinstance(e, str) for e in expected):
        assert actual == expected
        return
    assert len(actual) == len(expected), actual
    for line, want in zip(actual, expected, strict=True):
        if isinstance(want, str):
            assert line == want
        else:
            assert want.fullmatch(line), f"{line!r} does not match {want.pattern!r}"


def assert_refused(tmp_path: Path, files: Files, expected: Expected) -> subprocess.CompletedProcess:
    write_files(tmp_path, files)
    result, lines = validate_lines(tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert_lines(lines, expected)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    # A hostile value never reaches the terminal as a control sequence.
    assert not _TERMINAL_CONTROL.search(result.stderr), repr(result.stderr)
    # Nothing was executed and nothing outside content/ was read.
    assert not (tmp_path / "pwned").exists()
    assert SECRET not in result.stderr
    return result


def located(path: str, line: int, column: int | None, message: str) -> re.Pattern[str]:
    """A pattern for an error whose exact wording the generator does not have yet."""
    col = r"\d+" if column is None else str(column)
    return re.compile(rf"{re.escape(path)}:{line}:{col}: error: {message}")


# ===============================================================================================
# Summaries: only the documented Markdown subset, every link http(s), in any spelling
# ===============================================================================================

SUMMARY_CASES = [
    pytest.param(
        summary('"<script>alert(1)</script>"'),
        [
            f"{E}:8:11: error: summary: HTML tag '<script>' is not allowed in a summary; "
            "use Markdown"
        ],
        id="raw-html-script",
    ),
    pytest.param(
        summary('"Hi <img src=x onerror=alert(1)>"'),
        [
            f"{E}:8:14: error: summary: HTML tag '<img src=x onerror=alert(1)>' is not allowed "
            "in a summary; use Markdown"
        ],
        id="raw-html-img-onerror",
    ),
    pytest.param(
        summary("'<a href=\"javascript:alert(1)\">x</a>'"),
        [
            f"{E}:8:11: error: summary: HTML tag '<a href=\"javascript:alert(1)\">' is not "
            "allowed in a summary; use Markdown"
        ],
        id="raw-html-anchor-javascript",
    ),
    pytest.param(
        summary('"[x](javascript:alert(1))"'),
        [f"{E}:8:15: error: summary: link 'javascript:alert(1)' {LINK_ERROR}"],
        id="link-javascript",
    ),
    pytest.param(
        summary('"[x](JAVASCRIPT:alert(1))"'),
        [f"{E}:8:15: error: summary: link 'JAVASCRIPT:alert(1)' {LINK_ERROR}"],
        id="link-javascript-upper-case",
    ),
    pytest.param(
        summary('"[x](JaVaScRiPt:alert(1))"'),
        [f"{E}:8:15: error: summary: link 'JaVaScRiPt:alert(1)' {LINK_ERROR}"],
        id="link-javascript-mixed-case",
    ),
    pytest.param(
        summary('"[x](&#106;avascript:alert(1))"'),
        [f"{E}:8:15: error: summary: link 'javascript:alert(1)' {LINK_ERROR}"],
        id="link-javascript-decimal-entity",
    ),
    pytest.param(
        summary('"[x](&#x6A;avascript:alert(1))"'),
        [f"{E}:8:15: error: summary: link 'javascript:alert(1)' {LINK_ERROR}"],
        id="link-javascript-hex-entity",
    ),
    pytest.param(
        summary('"[x](javascript&colon;alert(1))"'),
        [f"{E}:8:15: error: summary: link 'javascript:alert(1)' {LINK_ERROR}"],
        id="link-javascript-named-entity-colon",
    ),
    pytest.param(
        summary('"[x](java\\tscript:alert(1))"'),
        [f"{E}:8:15: error: summary: link 'java    script:alert(1)' {LINK_ERROR}"],
        id="link-javascript-tab-in-scheme",
    ),
    pytest.param(
        summary('"[x](jav&#x0A;ascript:alert(1))"'),
        [f"{E}:8:15: error: summary: link 'jav\\nascript:alert(1)' {LINK_ERROR}"],
        id="link-javascript-newline-entity-in-scheme",
    ),
    pytest.param(
        summary('"[x](   javascript:alert(1))"'),
        [f"{E}:8:18: error: summary: link 'javascript:alert(1)' {LINK_ERROR}"],
        id="link-javascript-leading-spaces",
    ),
    pytest.param(
        summary('"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"'),
        [
            f"{E}:8:15: error: summary: link "
            f"'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==' {LINK_ERROR}"
        ],
        id="link-data",
    ),
    pytest.param(
        summary('"[x](VBScript:MsgBox(1))"'),
        [f"{E}:8:15: error: summary: link 'VBScript:MsgBox(1)' {LINK_ERROR}"],
        id="link-vbscript",
    ),
    pytest.param(
        summary('"[x](//evil.example/x)"'),
        [f"{E}:8:15: error: summary: link '//evil.example/x' {LINK_ERROR}"],
        id="link-protocol-relative",
    ),
    pytest.param(
        block_summary("See [the filing][1].\n\n[1]: javascript:alert(1)"),
        [f"{E}:11:8: error: summary: link 'javascript:alert(1)' {LINK_ERROR}"],
        id="reference-link-javascript",
    ),
    pytest.param(
        block_summary('See [the filing][f].\n\n[f]: JavaScript:alert(1) "A title"'),
        [f"{E}:11:8: error: summary: link 'JavaScript:alert(1)' {LINK_ERROR}"],
        id="reference-link-javascript-with-title",
    ),
    pytest.param(
        summary('"<javascript:alert(1)>"'),
        [
            f"{E}:8:11: error: summary: HTML tag '<javascript:alert(1)>' is not allowed in a "
            "summary; use Markdown"
        ],
        id="autolink-javascript",
    ),
    pytest.param(
        summary('"![x](https://evil.example/x.png)"'),
        [
            f"{E}:8:11: error: summary: images are not allowed in a summary; "
            "link to the picture instead"
        ],
        id="image",
    ),
    pytest.param(
        summary('"[![x](https://evil.example/x.png)](https://example.com/)"'),
        [
            f"{E}:8:12: error: summary: images are not allowed in a summary; "
            "link to the picture instead"
        ],
        id="image-inside-link",
    ),
    pytest.param(
        block_summary("# Breaking\n\nAcme did well."),
        [f"{E}:9:3: error: summary: headings are not allowed in a summary; the page has its own"],
        id="heading-atx",
    ),
    pytest.param(
        block_summary("Breaking\n========\n\nAcme did well."),
        [f"{E}:10:3: error: summary: headings are not allowed in a summary; the page has its own"],
        id="heading-setext",
    ),
    pytest.param(
        block_summary("Acme did well.\n\n* * *\n\nMore."),
        [f"{E}:11:3: error: summary: horizontal rules are not allowed in a summary"],
        id="horizontal-rule",
    ),
    pytest.param(
        block_summary('Acme did well.\n{: onclick="alert(1)" }'),
        [
            f"{E}:10:3: error: summary: attribute list '{{: onclick=\"alert(1)\" }}' is not "
            "allowed in a summary"
        ],
        id="attribute-list-block",
    ),
    pytest.param(
        summary('"[x](https://example.com/){onclick=alert(1)}"'),
        [
            f"{E}:8:36: error: summary: attribute list '{{onclick=alert(1)}}' is not allowed "
            "in a summary"
        ],
        id="attribute-list-inline",
    ),
    pytest.param(
        summary('"Acme did well. <!-- hidden note -->"'),
        [located(E, 8, 26, r"summary: .*<!-- hidden note -->.*")],
        id="html-comment",
    ),
    pytest.param(
        translated_summary('"<script>alert(1)</script>"'),
        [
            f"{E}:12:15: error: translations.de.summary: HTML tag '<script>' is not allowed "
            "in a summary; use Markdown"
        ],
        id="translation-raw-html",
    ),
    pytest.param(
        translated_summary('"[x](&#x6A;avascript:alert(1))"'),
        [f"{E}:12:19: error: translations.de.summary: link 'javascript:alert(1)' {LINK_ERROR}"],
        id="translation-link-javascript-entity",
    ),
    pytest.param(
        translated_summary('"![x](https://evil.example/x.png)"'),
        [
            f"{E}:12:15: error: translations.de.summary: images are not allowed in a summary; "
            "link to the picture instead"
        ],
        id="translation-image",
    ),
    pytest.param(
        translated_summary('"Gut. <!-- versteckt -->"'),
        [located(E, 12, 20, r"translations\.de\.summary: .*<!-- versteckt -->.*")],
        id="translation-html-comment",
    ),
]


@pytest.mark.parametrize(("files", "expected"), SUMMARY_CASES)
def test_summary_beyond_the_allowed_markdown_is_refused(tmp_path, files, expected):
    assert_refused(tmp_path, files, expected)


# ===============================================================================================
# YAML: a safe, positioned reader; nothing is ever constructed or executed
# ===============================================================================================

YAML_CASES = [
    pytest.param(
        event("type: earnings\n", "type: earnings\ntitle: Acme reports results again\n"),
        [
            f"{E}:5:1: error: duplicate key 'title' (first defined on line 1); keep only one",
        ],
        id="duplicate-key",
    ),
    pytest.param(
        event("    lang: en\n", "    lang: en\n    published: 2026-03-03\n"),
        [
            f"{E}:13:5: error: duplicate key 'published' (first defined on line 11); keep only one",
        ],
        id="duplicate-key-nested",
    ),
    pytest.param(
        event("lang: en\nsummary", "lang: &l en\nsummary"),
        [f"{E}:7:7: error: anchor '&l' is not allowed; write each value out in full"],
        id="anchor",
    ),
    pytest.param(
        event("topics: [cloud]", "topics: [*cloud]"),
        [f"{E}:6:10: error: alias '*cloud' is not allowed; write the value out in full"],
        id="alias",
    ),
    pytest.param(
        {COMPANY: "name: Acme Corp\n<<: {country: CN}\n"},
        [f"{C}:2:1: error: merge keys ('<<') are not allowed"],
        id="merge-key",
    ),
    pytest.param(
        {COMPANY: "defaults: &d {country: CN}\nname: Acme Corp\n<<: *d\n"},
        [f"{C}:1:11: error: anchor '&d' is not allowed; write each value out in full"],
        id="merge-key-with-alias",
    ),
    pytest.param(
        {COMPANY: f'name: !!python/object/apply:os.system ["touch {MARKER}"]\n'},
        [
            f"{C}:1:7: error: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not "
            "allowed; remove it"
        ],
        id="tag-python-object-apply-os-system",
    ),
    pytest.param(
        {COMPANY: f'!!python/object/new:subprocess.check_call [["touch", "{MARKER}"]]\n'},
        [
            f"{C}:1:1: error: tag 'tag:yaml.org,2002:python/object/new:subprocess.check_call' "
            "is not allowed; remove it"
        ],
        id="tag-python-object-new-subprocess",
    ),
    pytest.param(
        {COMPANY: "name: !!python/name:os.system\n"},
        [
            f"{C}:1:7: error: tag 'tag:yaml.org,2002:python/name:os.system' is not allowed; "
            "remove it"
        ],
        id="tag-python-name",
    ),
    pytest.param(
        {COMPANY: "name: !!str Acme Corp\n"},
        [f"{C}:1:7: error: tag 'tag:yaml.org,2002:str' is not allowed; remove it"],
        id="tag-str",
    ),
    pytest.param(
        {COMPANY: "name: !include /etc/passwd\n"},
        [f"{C}:1:7: error: tag '!include' is not allowed; remove it"],
        id="tag-local",
    ),
    pytest.param(
        {
            COMPANY: "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + "".join(
                f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n"
                for a, b in zip("abcdefgh", "bcdefghi", strict=True)
            )
            + "name: Acme Corp\n"
        },
        [f"{C}:1:4: error: anchor '&a' is not allowed; write each value out in full"],
        id="billion-laughs",
    ),
    pytest.param(
        {COMPANY: "name: Acme Corp\naliases: " + "[" * 20 + "x" + "]" * 20 + "\n"},
        [f"{C}:2:22: error: nesting is deeper than 12 levels"],
        id="deep-nesting",
    ),
    pytest.param(
        {COMPANY: "name: Acme Corp\naliases: " + "[" * 5000 + "x" + "]" * 5000 + "\n"},
        [f"{C}:2:1009: error: invalid YAML: exceeded maximum nesting depth"],
        id="very-deep-nesting",
    ),
    pytest.param(
        {COMPANY: "name: Acme Corp\naliases: [" + ", ".join(["a"] * 20_001) + "]\n"},
        [f"{C}:2:59996: error: more than 20000 values in one record"],
        id="too-many-values",
    ),
    pytest.param(
        {COMPANY: "name: Acme Corp\n" + "# padding\n" * 27_000},
        [f"{C}:1:1: error: file is 270016 bytes; records are limited to 262144 bytes"],
        id="oversize-file",
    ),
    pytest.param(
        {COMPANY: "name: Acme Corp\n---\nname: Evil Corp\n"},
        [f"{C}:2:1: error: a record file holds one YAML document; remove the second '---'"],
        id="multiple-documents",
    ),
    pytest.param(
        {COMPANY: b"name: Acme\ndescription: Caf\xe9 Acme\n"},
        [f"{C}:2:17: error: byte 0xe9 is not valid UTF-8; save the file as UTF-8"],
        id="non-utf8-byte",
    ),
    pytest.param(
        {COMPANY: "name: Acme Corp\n".encode("utf-16")},
        [f"{C}:1:1: error: file is UTF-16; save it as UTF-8"],
        id="utf16-le-with-bom",
    ),
    pytest.param(
        {COMPANY: b"\xfe\xff" + "name: Acme Corp\n".encode("utf-16-be")},
        [f"{C}:1:1: error: file is UTF-16; save it as UTF-8"],
        id="utf16-be-with-bom",
    ),
    pytest.param(
        {COMPANY: "name: Acme\x00 Corp\n"},
        [f"{C}:1:11: error: control character U+0000 is not allowed; records are plain text"],
        id="raw-nul",
    ),
    # Control characters written as YAML escapes are characters all the same.
    pytest.param(
        event("title: Acme reports results", 'title: "Acme \\0 results"'),
        [located(E, 1, None, r".*U\+0000.*")],
        id="escaped-nul",
    ),
    pytest.param(
        event("title: Acme reports results", 'title: "Acme \\e[31mred\\e[0m results"'),
        [located(E, 1, None, r".*U\+001B.*")],
        id="escaped-terminal-escape",
    ),
    pytest.param(
        event("    lang: en\n", '    lang: "\\x1b]0;pwned\\x07"\n'),
        [located(E, 12, None, r".*U\+001B.*")],
        id="escaped-terminal-escape-in-message",
    ),
    pytest.param(
        event("title: Acme reports results", 'title: "Acme \\uFFFE results"'),
        [located(E, 1, None, r".*U\+FFFE.*")],
        id="escaped-noncharacter",
    ),
    pytest.param(
        event("title: Acme reports results", "title: yes"),
        [
            f"{E}:1:8: error: title: YAML reads a bare yes as a boolean; "
            'write it in quotes, "yes", if it is meant as text'
        ],
        id="bare-yes",
    ),
    pytest.param(
        {COMPANY: "name: Acme Corp\naliases: [no]\n"},
        [
            f"{C}:2:11: error: aliases[0]: YAML reads a bare no as a boolean; "
            'write it in quotes, "no", if it is meant as text'
        ],
        id="bare-no",
    ),
    pytest.param(
        event("lang: en\nsummary", "lang: en\nplaces: [on]\nsummary"),
        [
            f"{E}:8:10: error: places[0]: YAML reads a bare on as a boolean; "
            'write it in quotes, "on", if it is meant as text'
        ],
        id="bare-on",
    ),
    pytest.param(
        {TOPIC: "name: off\n"},
        [
            f"{T}:1:7: error: name: YAML reads a bare off as a boolean; "
            'write it in quotes, "off", if it is meant as text'
        ],
        id="bare-off",
    ),
    pytest.param(
        {TOPIC: "name: Cloud\ndescription: 3.10\n"},
        [
            f"{T}:2:14: error: description: YAML reads a bare 3.10 as a number; "
            'write it in quotes, "3.10", if it is meant as text'
        ],
        id="bare-3.10",
    ),
    pytest.param(
        event("    lang: en\n", "    lang: en\n    publisher: 012\n"),
        [
            f"{E}:13:16: error: sources[0].publisher: YAML reads a bare 012 as an integer; "
            'write it in quotes, "012", if it is meant as text'
        ],
        id="bare-012",
    ),
    pytest.param(
        event("date: 2026-03-02\n", "date: 2026-03-02\ndate_note: 12:30\n"),
        [
            f"{E}:3:12: error: date_note: YAML reads a bare 12:30 as an integer; "
            'write it in quotes, "12:30", if it is meant as text'
        ],
        id="bare-12:30",
    ),
    pytest.param(
        event("title: Acme reports results", "title: 2026-03-19"),
        [
            f"{E}:1:8: error: title: YAML reads a bare 2026-03-19 as a date; "
            'write it in quotes, "2026-03-19", if it is meant as text'
        ],
        id="bare-date-in-text",
    ),
    pytest.param(
        event("date: 2026-03-02", "date: 2026-02-30"),
        [
            f"{E}:2:7: error: date: 2026-02-30 is not a real date: February 2026 has 28 days",
        ],
        id="impossible-date-february-30",
    ),
    pytest.param(
        event("date: 2026-03-02", "date: 2026-13-01"),
        [f"{E}:2:7: error: date: month 13 does not exist; expected 01 to 12"],
        id="impossible-date-month-13",
    ),
]


@pytest.mark.parametrize(("files", "expected"), YAML_CASES)
def test_hostile_yaml_is_refused_and_never_executed(tmp_path, files, expected):
    assert_refused(tmp_path, files, expected)


def test_billion_laughs_is_refused_quickly(tmp_path):
    """Expanding the aliases would make 9**9 values; the reader stops at the first anchor."""
    text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    content = write_files(tmp_path, {COMPANY: text + "name: Acme Corp\n"})
    started = time.perf_counter()
    result = check(content, TODAY)
    assert time.perf_counter() - started < 2
    assert [d.message for d in result.diagnostics] == [
        "anchor '&a' is not allowed; write each value out in full"
    ]


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    write_files(tmp_path, {COMPANY: b"\xef\xbb\xbf" + COMPANY_TEXT.encode()})
    result, lines = validate_lines(tmp_path)
    assert (result.returncode, lines, result.stderr) == (0, [], "")


# ===============================================================================================
# Paths: lowercase slugs only, nothing reserved, nothing outside content/ ever read
# ===============================================================================================

PATH_CASES = [
    pytest.param(
        {"companies/a..b.yaml": "name: B Corp\n"},
        [
            "content/companies/a..b.yaml:1:1: error: 'a..b' is not a valid id: use lowercase "
            "letters, digits and single hyphens, like a-b"
        ],
        id="file-name-with-dots",
    ),
    pytest.param(
        {EVENT: None, "events/acme..evil/2026-03-02-results.yaml": EVENT_TEXT},
        [
            "content/events/acme..evil/2026-03-02-results.yaml:1:1: error: 'acme..evil' is not a "
            "valid id: use lowercase letters, digits and single hyphens, like acme-evil"
        ],
        id="folder-name-with-dots",
    ),
    pytest.param(
        {"companies/Beta.yaml": "name: Beta\n"},
        [
            "content/companies/Beta.yaml:1:1: error: 'Beta' is not a valid id: use lowercase "
            "letters, digits and single hyphens, like beta"
        ],
        id="file-name-upper-case",
    ),
    pytest.param(
        {EVENT: None, "events/Acme/2026-03-02-results.yaml": EVENT_TEXT},
        [
            "content/events/Acme/2026-03-02-results.yaml:1:1: error: 'Acme' is not a valid id: "
            "use lowercase letters, digits and single hyphens, like acme"
        ],
        id="folder-name-upper-case",
    ),
    pytest.param(
        {"topics/big data.yaml": "name: Big data\n"},
        [
            "content/topics/big data.yaml:1:1: error: 'big data' is not a valid id: use "
            "lowercase letters, digits and single hyphens, like big-data"
        ],
        id="file-name-with-space",
    ),
    pytest.param(
        {"companies/café.yaml": "name: Café\n"},
        [
            "content/companies/café.yaml:1:1: error: 'café' is not a valid id: use lowercase "
            "letters, digits and single hyphens, like caf"
        ],
        id="file-name-unicode",
    ),
    pytest.param(
        {"companies/index.yaml": "name: Index Corp\n"},
        [
            "content/companies/index.yaml:1:1: error: 'index' is reserved for the site's own "
            "pages; choose another id"
        ],
        id="file-name-index-reserved",
    ),
    pytest.param(
        {"events/index/2026-03-02-results.yaml": EVENT_TEXT},
        [
            "content/events/index/2026-03-02-results.yaml:1:1: error: 'index' is reserved for "
            "the site's own pages; choose another id"
        ],
        id="folder-name-index-reserved",
    ),
    pytest.param(
        {"topics/ai.yml": "name: AI\n"},
        ["content/topics/ai.yml:1:1: error: record files end in .yaml; rename it to ai.yaml"],
        id="yml-extension",
    ),
    pytest.param(
        {"events/acme/x/2026-03-02-results.yaml": EVENT_TEXT},
        [
            "content/events/acme/x/2026-03-02-results.yaml:1:1: error: misplaced record: "
            "expected content/companies/<id>.yaml, content/topics/<id>.yaml or "
            "content/events/<company-id>/<date>-<slug>.yaml"
        ],
        id="misplaced-deeper-folder",
    ),
    pytest.param(
        event("lang: en\nsummary", "lang: en\nrelated: [../../../etc/passwd]\nsummary"),
        [
            f"{E}:8:11: error: related[0]: expected an event id like "
            "alibaba/2026-03-19-quarterly-results; got '../../../etc/passwd'"
        ],
        id="related-id-with-dot-dot",
    ),
    pytest.param(
        event("lang: en\nsummary", "lang: en\nrelated: [acme/../../outside]\nsummary"),
        [
            f"{E}:8:11: error: related[0]: expected an event id like "
            "alibaba/2026-03-19-quarterly-results; got 'acme/../../outside'"
        ],
        id="related-id-climbing-out",
    ),
    pytest.param(
        event("companies: [acme]", "companies: [acme, ../outside/secret]"),
        [
            f"{E}:5:19: error: companies[1]: expected a lowercase id like alibaba-cloud; "
            "got '../outside/secret'"
        ],
        id="company-id-with-dot-dot",
    ),
    pytest.param(
        event("topics: [cloud]", "topics: [cloud, ../../x]"),
        [f"{E}:6:17: error: topics[1]: expected a lowercase id like alibaba-cloud; got '../../x'"],
        id="topic-id-with-dot-dot",
    ),
    pytest.param(
        {COMPANY: "name: Acme Corp\nparent: ../../outside/secret\n"},
        [
            f"{C}:2:9: error: parent: expected a lowercase id like alibaba-cloud; "
            "got '../../outside/secret'"
        ],
        id="parent-id-with-dot-dot",
    ),
]


@pytest.mark.parametrize(("files", "expected"), PATH_CASES)
def test_unsafe_paths_and_ids_are_refused(tmp_path, files, expected):
    assert_refused(tmp_path, files, expected)


SYMLINK = "symbolic links are not allowed in the content folder; copy the file instead"

SYMLINK_CASES = [
    pytest.param(
        {"companies/beta.yaml": Link("outside/secret.yaml")},
        [f"content/companies/beta.yaml:1:1: error: {SYMLINK}"],
        id="symlink-file-outside",
    ),
    pytest.param(
        {"events/beta": Link("outside")},
        [f"content/events/beta:1:1: error: {SYMLINK}"],
        id="symlink-folder-outside",
    ),
    pytest.param(
        {COMPANY: None, "companies": Link("outside/companies")},
        [
            f"content/companies:1:1: error: {SYMLINK}",
            f"{E}:5:13: error: companies: unknown company 'acme'; no company has that id",
        ],
        id="symlink-record-folder-outside",
    ),
    pytest.param(
        {"topics/loop": Link(".")},
        [f"content/topics/loop:1:1: error: {SYMLINK}"],
        id="symlink-loop",
    ),
]


@pytest.mark.parametrize(("files", "expected"), SYMLINK_CASES)
def test_symlinks_are_refused_and_their_targets_never_read(tmp_path, files, expected):
    assert_refused(tmp_path, files, expected)
    # A build refuses them too, writes nothing, and never shows what they point at.
    result = run_kb(
        "build", "--content", "content", "-f", MKDOCS_YML,
        "--docs-dir", "docs", "--site-dir", "site", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert SECRET not in result.stdout + result.stderr
    assert not (tmp_path / "docs").exists()
    assert not (tmp_path / "site").exists()


def test_hidden_files_are_never_published(tmp_path):
    """Dot files (``..evil.yaml``, ``.hidden/``) are skipped: they reach no page."""
    write_files(
        tmp_path,
        {
            "companies/..evil.yaml": f"name: {SECRET}\n",
            ".hidden/companies/evil.yaml": f"name: {SECRET}\n",
        },
    )
    result = run_kb(
        "build", "--content", "content", "-f", MKDOCS_YML,
        "--docs-dir", "docs", "--site-dir", "site", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for folder in ("docs", "site"):
        for path in (tmp_path / folder).rglob("*"):
            assert SECRET not in path.name
            if path.is_file():
                assert SECRET.encode() not in path.read_bytes(), path


# ===============================================================================================
# URLs: sources and websites are http(s) addresses with a host
# ===============================================================================================

URL_CASES = [
    pytest.param(
        source_url("javascript:alert(1)"),
        [f"{E}:13:10: error: sources[0].url: {URL_ERROR}; got 'javascript:alert(1)'"],
        id="source-javascript",
    ),
    pytest.param(
        source_url('"https://[a.b/x"'),
        [
            f"{E}:13:10: error: sources[0].url: is not a valid web address "
            "(Invalid IPv6 URL); got 'https://[a.b/x'"
        ],
        id="source-url-that-does-not-parse",
    ),
    pytest.param(
        source_url('"https://example.com:99999/x"'),
        [
            f"{E}:13:10: error: sources[0].url: is not a valid web address "
            "(Port out of range 0-65535); got 'https://example.com:99999/x'"
        ],
        id="source-url-port-out-of-range",
    ),
    pytest.param(
        source_url('"  JavaScript:alert(1)"'),
        [f"{E}:13:10: error: sources[0].url: {URL_ERROR}; got 'JavaScript:alert(1)'"],
        id="source-javascript-leading-spaces",
    ),
    pytest.param(
        source_url('"data:text/html,<script>alert(1)</script>"'),
        [
            f"{E}:13:10: error: sources[0].url: {URL_ERROR}; "
            "got 'data:text/html,<script>alert(1)</script>'"
        ],
        id="source-data",
    ),
    pytest.param(
        source_url("ftp://files.example.com/report.pdf"),
        [
            f"{E}:13:10: error: sources[0].url: {URL_ERROR}; got 'ftp://files.example.com/report.pdf'"
        ],
        id="source-ftp",
    ),
    pytest.param(
        source_url("//evil.example/x"),
        [f"{E}:13:10: error: sources[0].url: {URL_ERROR}; got '//evil.example/x'"],
        id="source-protocol-relative",
    ),
    pytest.param(
        source_url('"https://evil.example/a b"'),
        [f"{E}:13:10: error: sources[0].url: {URL_ERROR}; got 'https://evil.example/a b'"],
        id="source-inner-space",
    ),
    pytest.param(
        source_url("https:///etc/passwd"),
        [f"{E}:13:10: error: sources[0].url: {URL_ERROR}; got 'https:///etc/passwd'"],
        id="source-missing-host",
    ),
    pytest.param(
        source_url("https://"),
        [f"{E}:13:10: error: sources[0].url: {URL_ERROR}; got 'https://'"],
        id="source-scheme-only",
    ),
    pytest.param(
        website('"javascript:alert(1)//https://example.com"'),
        [f"{C}:2:10: error: website: {URL_ERROR}; got 'javascript:alert(1)//https://example.com'"],
        id="website-javascript",
    ),
    pytest.param(
        website('"JAVASCRIPT://evil.example/%0Aalert(1)"'),
        [f"{C}:2:10: error: website: {URL_ERROR}; got 'JAVASCRIPT://evil.example/%0Aalert(1)'"],
        id="website-javascript-upper-case",
    ),
    pytest.param(
        website('"data:text/html;base64,PHNjcmlwdD4="'),
        [f"{C}:2:10: error: website: {URL_ERROR}; got 'data:text/html;base64,PHNjcmlwdD4='"],
        id="website-data",
    ),
    pytest.param(
        website("ftp://evil.example"),
        [f"{C}:2:10: error: website: {URL_ERROR}; got 'ftp://evil.example'"],
        id="website-ftp",
    ),
    pytest.param(
        website("//evil.example"),
        [f"{C}:2:10: error: website: {URL_ERROR}; got '//evil.example'"],
        id="website-protocol-relative",
    ),
    pytest.param(
        website('"https://evil.example/\\tx"'),
        [f"{C}:2:10: error: website: {URL_ERROR}; got 'https://evil.example/\\tx'"],
        id="website-tab",
    ),
    pytest.param(
        website("http://"),
        [f"{C}:2:10: error: website: {URL_ERROR}; got 'http://'"],
        id="website-missing-host",
    ),
]


@pytest.mark.parametrize(("files", "expected"), URL_CASES)
def test_urls_that_are_not_web_addresses_are_refused(tmp_path, files, expected):
    assert_refused(tmp_path, files, expected)


# ===============================================================================================
# Pathological input is refused within a bound, not after a stall
# ===============================================================================================

PATHOLOGICAL_CASES = [
    pytest.param(
        summary('"' + "[" * 5000 + '"'),
        [f"{E}:8:11: error: summary: has 5000 '[' characters; at most 60 are allowed"],
        id="5000-open-brackets",
    ),
    pytest.param(
        block_summary("[" * 2400 + "x" + "]" * 2400),
        [f"{E}:9:3: error: summary: has 2400 '[' characters; at most 60 are allowed"],
        id="2400-nested-brackets",
    ),
    pytest.param(
        block_summary("[[[[" * 15 + "[x](https://example.com/)" + "]]]]" * 15),
        [f"{E}:9:3: error: summary: has 61 '[' characters; at most 60 are allowed"],
        id="61-nested-brackets",
    ),
    pytest.param(
        translated_summary('"' + "[" * 4000 + '"'),
        [
            f"{E}:12:15: error: translations.de.summary: has 4000 '[' characters; "
            "at most 60 are allowed"
        ],
        id="translation-4000-open-brackets",
    ),
    pytest.param(
        summary("a" * 5001),
        [f"{E}:8:10: error: summary: is 5001 characters long; keep it to 5000"],
        id="summary-5001-characters",
    ),
    pytest.param(
        translated_summary("a" * 5001),
        [f"{E}:12:14: error: translations.de.summary: is 5001 characters long; keep it to 5000"],
        id="translation-summary-5001-characters",
    ),
]


@pytest.mark.parametrize(("files", "expected"), PATHOLOGICAL_CASES)
def test_pathological_summaries_are_refused_quickly(tmp_path, files, expected):
    assert_refused(tmp_path, files, expected)
    # A bound, not a benchmark: Markdown needs seconds for 5,000 unclosed brackets.
    started = time.perf_counter()
    result = check(tmp_path / "content", TODAY)
    elapsed = time.perf_counter() - started
    assert not result.ok
    assert elapsed < 2, f"validation took {elapsed:.2f} s"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("1e999999999999", id="huge-exponent"),
        pytest.param("1e-999999999999", id="tiny-exponent"),
        pytest.param("1e10000000", id="ten-million-digits"),
    ],
)
def test_amount_magnitude_cannot_exhaust_the_build(tmp_path, value):
    """A 14-character number must not become a trillion-digit page.

    Either ``kb validate`` refuses it at the value, or the site builds, bounded in memory,
    into a small site.
    """
    write_files(tmp_path, amount(value))
    result, lines = validate_lines(tmp_path)
    if result.returncode != 0:
        assert_lines(lines, [located(E, 9, 12, r"amounts\[0\]\.value: .+")])
        return
    assert lines == []

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    build = subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", "--content", "content",
         "-f", str(MKDOCS_YML), "--docs-dir", "docs", "--site-dir", "site"],
        cwd=tmp_path, env=kb_env(), capture_output=True, text=True, timeout=300,
        preexec_fn=limit_memory, check=False,
    )  # fmt: skip
    assert "Traceback" not in build.stderr, build.stderr[-2000:]
    assert build.returncode == 0, build.stderr[-2000:]
    size = sum(p.stat().st_size for p in (tmp_path / "site").rglob("*") if p.is_file())
    assert size < 10_000_000, f"the site is {size:,} bytes"


# ===============================================================================================
# Inert output: one knowledge base full of hostile (but valid) records, built once
# ===============================================================================================

#: Text that would be markup, script, template code or block syntax if it were not escaped.
PAYLOADS = {
    "script": "<script>window.__pwned=1</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)>",
    "a-javascript": '<a href="javascript:alert(1)">click</a>',
    "md-link-javascript": "[click](javascript:alert(1))",
    "md-image": "![x](https://evil.example/x.png)",
    "md-autolink": "<javascript:alert(1)>",
    "md-reference": "[1]: javascript:alert(1)",
    "attr-list": '{: onclick="alert(1)" }',
    "jinja-expression": "{{ 7*7 }}",
    "jinja-statement": "{% for x in range(3) %}loop{% endfor %}",
    "pipes": "a | b | c",
    "leading-hash": "# not a heading",
    "leading-dash": "- not a list",
    "leading-number": "1. not a list",
    "backslashes": "back\\slash \\*not emphasis\\* \\",
    "entities": "&lt;b&gt;not bold&lt;/b&gt; &amp; &#106;",
    "title-breakout": "</title><script>window.__pwned=1</script><title>",
    "html-comment": "<!-- hidden --> shown",
}
#: Where each plain-text field shows: the page and the element holding the text.
EVENT_FIELDS = (
    "title",
    "date-note",
    "place",
    "amount-note",
    "source-title",
    "source-publisher",
    "translation-title",
)
COMPANY_FIELDS = ("company-name", "alias", "company-description")
TOPIC_FIELDS = ("topic-name", "topic-description")
SITE_NAME = "Company events"


def _q(text: str) -> str:
    """A YAML double-quoted scalar: JSON strings are valid YAML."""
    return json.dumps(text, ensure_ascii=False)


def _hostile_event(field: str, pid: str, text: str, index: int) -> str:
    title = text if field == "title" else f"{field} {pid}"
    lines = [
        f"title: {_q(title)}",
        "date: 2026-03-02",
        *([f"date_note: {_q(text)}"] if field == "date-note" else []),
        "status: occurred",
        "type: other",
        "companies: [acme]",
        "topics: [cloud]",
        "lang: en",
        "summary: Nothing to see here.",
        *(
            ["amounts:", "  - value: 5", "    currency: USD", f"    note: {_q(text)}"]
            if field == "amount-note"
            else []
        ),
        *([f"places: [{_q(text)}]"] if field == "place" else []),
        "sources:",
        f"  - title: {_q(text if field == 'source-title' else 'A source')}",
        *([f"    publisher: {_q(text)}"] if field == "source-publisher" else []),
        "    published: 2026-03-02",
        "    lang: en",
        f"    url: https://news.example.com/{index}",
        *(
            ["translations:", "  de:", f"    title: {_q(text)}"]
            if field == "translation-title"
            else []
        ),
    ]
    return "\n".join(lines) + "\n"


def _hostile_records() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    companies = {"acme": "name: Acme Corp\n", "plain": "name: Plain Corp\n"}
    topics = {"cloud": "name: Cloud\n", "plain": "name: Plain\n"}
    events: dict[str, str] = {}
    index = 0
    for pid, text in PAYLOADS.items():
        for field in EVENT_FIELDS:
            index += 1
            events[f"acme/2026-03-02-{field}-{pid}"] = _hostile_event(field, pid, text, index)
        companies[f"company-name-{pid}"] = f"name: {_q(text)}\n"
        companies[f"alias-{pid}"] = f"name: Alias {pid}\naliases: [{_q(text)}]\n"
        companies[f"company-description-{pid}"] = (
            f"name: Description {pid}\ndescription: {_q(text)}\n"
        )
        topics[f"topic-name-{pid}"] = f"name: {_q(text)}\n"
        topics[f"topic-description-{pid}"] = f"name: Description {pid}\ndescription: {_q(text)}\n"
    events["plain/2026-03-01-plain"] = (
        EVENT_TEXT.replace("Acme reports results", "A plain event")
        .replace("2026-03-02", "2026-03-01")
        .replace("[acme]", "[plain]")
        .replace("[cloud]", "[plain]")
    )
    events.update(URL_EVENTS)
    companies.update(URL_COMPANIES)
    events["acme/2026-03-02-deep-nesting"] = DEEP_NESTING_EVENT
    return companies, topics, events


#: Addresses that pass validation (http(s), a host, no spaces) but try to leave the link.
URL_BREAKOUTS = {
    "quote-script": 'https://evil.example/"><script>window.__pwned=1</script>',
    "paren-onmouseover": 'https://evil.example/x)"onmouseover="alert(1)',
    "angle-brackets": "https://evil.example/<img/src=x/onerror=alert(1)>",
}
URL_EVENTS = {
    f"acme/2026-03-02-url-{name}": EVENT_TEXT.replace(
        "Acme reports results", f"Source address {name}"
    ).replace("    lang: en\n", f"    lang: en\n    url: {_q(url)}\n")
    for name, url in URL_BREAKOUTS.items()
}
URL_COMPANIES = {
    f"website-{name}": f"name: Website {name}\nwebsite: {_q(url)}\n"
    for name, url in URL_BREAKOUTS.items()
}

DEEP_QUOTES = 20
DEEP_LISTS = 10
DEEP_NESTING_EVENT = (
    EVENT_TEXT.replace("Acme reports results", "Deeply nested summary").replace(
        "summary: Acme did well.\n",
        "summary: |\n"
        + "  " + "> " * DEEP_QUOTES + "quoted\n"
        + "\n"
        + "".join("  " + "    " * level + f"- level {level}\n" for level in range(DEEP_LISTS))
        + "\n  See [the filing](https://example.com/filing).\n",
    )
)  # fmt: skip


@dataclass(frozen=True)
class HostileSite:
    root: Path
    docs: Path
    site: Path
    result: subprocess.CompletedProcess[str]

    def page(self, url_path: str) -> Path:
        return self.site / url_path / "index.html"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> HostileSite:
    root = tmp_path_factory.mktemp("hostile")
    companies, topics, events = _hostile_records()
    content = write_kb(root, companies=companies, topics=topics, events=events)
    docs, site = root / "docs", root / "site"
    result = run_kb(
        "build", "--content", content, "-f", MKDOCS_YML, "--docs-dir", docs, "--site-dir", site,
        cwd=root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return HostileSite(root, docs, site, result)


# --- reading pages as a browser does ------------------------------------------------------------


_pages: dict[Path, Element] = {}


def read_page(path: Path) -> Element:
    if path not in _pages:
        builder = TreeBuilder()
        builder.feed(path.read_text(encoding="utf-8"))
        builder.close()
        _pages[path] = builder.root
    return _pages[path]


def _without_permalinks(element: Element) -> str:
    return "".join(
        c if isinstance(c, str) else ("" if "headerlink" in c.classes else _without_permalinks(c))
        for c in element.children
    )


def _squash(text: str) -> str:
    return " ".join(text.split())


#: Attributes that load or navigate to an address.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
#: Elements no page needs and record text must never create.
FORBIDDEN_TAGS = {"iframe", "object", "embed", "frame", "frameset", "base", "video",
                  "audio", "source", "math", "template", "style"}  # fmt: skip
#: Elements that run, embed, submit or restyle: the generated content (<article>) has none.
ACTIVE_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "form", "input", "button", "textarea", "select", "link", "meta", "base", "template", "video",
    "audio", "source", "track", "marquee", "dialog", "noscript", "portal", "title",
}  # fmt: skip
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
THEME_SCRIPTS = 5  # Material's three inline scripts, its configuration and its bundle


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see: entities decoded, case folded, controls and spaces gone."""
    cleaned = re.sub(r"[\x00-\x20\x7f-\x9f]", "", html.unescape(value)).lower()
    match = _SCHEME.match(cleaned)
    return match.group(1) if match else None


def assert_inert(path: Path) -> Element:
    """No script but the theme's, no handlers, no foreign schemes, no images, tables intact."""
    root = read_page(path)
    scripts = root.find_all("script")
    assert len(scripts) == THEME_SCRIPTS, [s.attrs | {"text": s.text()[:80]} for s in scripts]
    for script in scripts:
        src = script.attrs.get("src")
        if src is not None:
            assert url_scheme(src) is None and "assets/javascripts/bundle." in src, src
        for marker in ("__pwned", "alert(", "fetch("):
            assert marker not in script.text()
    for element in root.iter():
        handlers = [name for name in element.attrs if name.startswith("on")]
        assert not handlers, f"<{element.tag} {element.attrs}>"
        assert element.tag not in FORBIDDEN_TAGS, f"<{element.tag} {element.attrs}>"
        if element.tag == "img":  # only the generator's own pictures, from the site itself
            src = element.attrs.get("src", "")
            assert url_scheme(src) is None and not src.startswith(("/", "\\")), src
            assert (path.parent / src).resolve().is_file(), src
        for name in URL_ATTRIBUTES & element.attrs.keys():
            scheme = url_scheme(element.attrs[name])
            assert scheme in (None, "http", "https"), (
                f"<{element.tag} {name}={element.attrs[name]!r}>"
            )
    article = root.find("article", "md-content__inner")
    for element in article.iter():
        assert element.tag not in ACTIVE_TAGS, f"<{element.tag} {element.attrs}>"
    for table in article.find_all("table"):  # no text split or added a cell
        widths = {len(_cells(row)) for row in table.find_all("tr")}
        assert len(widths) == 1, _squash(table.text())
    return root


def _cells(row: Element) -> list[Element]:
    return [cell for cell in row.iter() if cell.tag in ("th", "td")]


def document_title(root: Element) -> str:
    titles = root.find_all("title")
    assert len(titles) == 1, [t.text() for t in titles]
    return titles[0].text()


def article_of(root: Element) -> Element:
    return root.find("article", "md-content__inner")


def heading(root: Element) -> str:
    h1s = article_of(root).find_all("h1")
    assert len(h1s) == 1, [_without_permalinks(h) for h in h1s]
    return _without_permalinks(h1s[0])


def table_cell(root: Element, label: str) -> str:
    for row in article_of(root).find_all("tr"):
        cells = _cells(row)
        if cells and _squash(cells[0].text()) == label:
            return _squash(cells[1].text())
    raise AssertionError(f"no row {label!r}")


def paragraphs(root: Element) -> list[str]:
    return [_squash(p.text()) for p in article_of(root).find_all("p")]


INERT_CASES = [
    pytest.param(field, pid, id=f"{field}-{pid}")
    for field in (*EVENT_FIELDS, *COMPANY_FIELDS, *TOPIC_FIELDS)
    for pid in PAYLOADS
]


@pytest.mark.parametrize(("field", "pid"), INERT_CASES)
def test_plain_text_fields_render_literally_and_inertly(hostile_site, field, pid):
    text = PAYLOADS[pid]
    literal = _squash(text)
    if field in EVENT_FIELDS:
        page = hostile_site.page(f"events/acme/2026-03-02-{field}-{pid}")
        name = text if field == "title" else f"{field} {pid}"
    elif field in COMPANY_FIELDS:
        page = hostile_site.page(f"companies/{field}-{pid}")
        name = {"company-name": text, "alias": f"Alias {pid}"}.get(field, f"Description {pid}")
    else:
        page = hostile_site.page(f"topics/{field}-{pid}")
        name = text if field == "topic-name" else f"Description {pid}"

    root = assert_inert(page)
    # The browser's title bar and the page heading show the name as written.
    assert document_title(root) == f"{_squash(name)} - {SITE_NAME}"
    assert heading(root) == _squash(name)

    article = article_of(root)
    if field in ("title", "company-name", "topic-name"):
        pass  # the heading, above
    elif field == "date-note":
        assert table_cell(root, "Date") == f"2 March 2026 (to the day) · {literal}"
    elif field == "place":
        assert table_cell(root, "Place") == literal
    elif field == "amount-note":
        assert table_cell(root, "Amount") == f"5 USD ({literal})"
    elif field == "alias":
        assert table_cell(root, "Also known as") == literal
    elif field in ("company-description", "topic-description"):
        assert literal in paragraphs(root)
    elif field in ("source-title", "source-publisher"):
        sources = article.find_all("ul")[0].find_all("li")
        assert len(sources) == 1
        link = sources[0].find("a")
        assert urlsplit(link.attrs["href"]).netloc == "news.example.com"
        if field == "source-title":
            assert _squash(link.text()) == literal
        else:
            assert _squash(sources[0].text()).startswith(f"A source, {literal}, 2 March 2026")
    elif field == "translation-title":
        strong = [_squash(s.text()) for s in article.find_all("strong")]
        assert literal in strong
    # Template syntax is text, never evaluated.
    if pid == "jinja-expression":
        assert "{{ 7*7 }}" in article.text() and "49" not in article.text()
    if pid == "jinja-statement":
        assert "{% for x in range(3) %}loop{% endfor %}" in article.text()
        assert "looploop" not in article.text()


AGGREGATE_PAGES = [
    pytest.param("", id="home"),
    pytest.param("events", id="events-index"),
    pytest.param("companies", id="companies-index"),
    pytest.param("topics", id="topics-index"),
    pytest.param("companies/acme", id="company-listing-every-hostile-event"),
    pytest.param("topics/cloud", id="topic-listing-every-hostile-event"),
    pytest.param("events/plain/2026-03-01-plain", id="control-plain-event"),
    pytest.param("companies/plain", id="control-plain-company"),
]


@pytest.mark.parametrize("url_path", AGGREGATE_PAGES)
def test_pages_listing_hostile_records_are_inert(hostile_site, url_path):
    assert_inert(hostile_site.page(url_path))


def test_search_index_holds_hostile_titles_as_exact_text(hostile_site):
    """The index stores record text as data; the search worker escapes it for display
    (shown inert in a browser by test_hostile_browser.py)."""
    titles = {doc[0]: doc[1] for doc in read_search_files(hostile_site.site).documents}
    for pid, text in PAYLOADS.items():
        for location in (
            f"events/acme/2026-03-02-title-{pid}/",
            f"companies/company-name-{pid}/",
            f"topics/topic-name-{pid}/",
        ):
            assert titles[location] == text, location


def test_feeds_and_data_carry_hostile_text_exactly(hostile_site):
    events = json.loads((hostile_site.site / "api/events.json").read_text("utf-8"))
    by_id = {e["id"]: e for e in events}
    feed = ET.parse(hostile_site.site / "feeds/all.atom.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    feed_titles = {
        entry.find(f"{atom}link").attrib["href"]: entry.find(f"{atom}title")
        for entry in feed.iter(f"{atom}entry")
    }
    for pid, text in PAYLOADS.items():
        record = by_id[f"acme/2026-03-02-title-{pid}"]
        assert record["title"] == text
        assert by_id[f"acme/2026-03-02-date-note-{pid}"]["date_note"] == text
        title = feed_titles[record["url"]]
        assert title.attrib.get("type", "text") == "text"
        assert title.text == text


@pytest.mark.parametrize("name", list(URL_BREAKOUTS))
def test_addresses_cannot_break_out_of_their_links(hostile_site, name):
    url = URL_BREAKOUTS[name]
    for page, link_text in (
        (hostile_site.page(f"events/acme/2026-03-02-url-{name}"), "Acme results"),
        (hostile_site.page(f"companies/website-{name}"), url),
    ):
        root = assert_inert(page)
        anchors = [a for a in article_of(root).find_all("a") if _squash(a.text()) == link_text]
        assert len(anchors) == 1, page
        href = anchors[0].attrs["href"]
        parts = urlsplit(href)
        assert (parts.scheme, parts.netloc) == ("https", "evil.example")
        assert not set('"<> ') & set(href), href
        assert set(anchors[0].attrs) <= {"href", "rel", "title"}


def test_deeply_nested_summary_within_the_limits_still_builds(hostile_site):
    root = assert_inert(hostile_site.page("events/acme/2026-03-02-deep-nesting"))
    summary_div = article_of(root).find("div", "kb-summary")
    quotes = summary_div.find_all("blockquote")
    assert len(quotes) == DEEP_QUOTES
    assert all(q.parent is quotes[i - 1] for i, q in enumerate(quotes) if i)
    assert _squash(quotes[-1].text()) == "quoted"
    items = summary_div.find_all("li")
    assert [_squash(li.text()).split()[:2] for li in items] == [
        ["level", str(n)] for n in range(DEEP_LISTS)
    ]
    assert max(len([a for a in li.ancestors() if a.tag == "ul"]) for li in items) == DEEP_LISTS
    link = summary_div.find("a")
    assert link.attrs == {
        "href": "https://example.com/filing",
        "rel": "nofollow noopener noreferrer",
    }
