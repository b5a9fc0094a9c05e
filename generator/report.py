"""Diagnostics as text in the formats the CLI offers: standard, GitHub annotations, JSON."""

from __future__ import annotations

import json
import os
from collections import Counter

from .diagnostics import Diagnostic, Severity, printable

FORMATS = ("auto", "standard", "github", "json")


def resolve_format(name: str) -> str:
    """'auto' means GitHub annotations inside GitHub Actions, the standard lines elsewhere."""
    if name != "auto":
        return name
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "standard"


def format_diagnostics(diagnostics: list[Diagnostic], fmt: str) -> list[str]:
    if fmt == "json":
        return [json.dumps([_as_dict(d) for d in diagnostics], indent=2, ensure_ascii=False)]
    if fmt == "github":
        return [_github(d) for d in diagnostics]
    return [d.format() for d in diagnostics]


def summary_line(diagnostics: list[Diagnostic]) -> str:
    counts = Counter(d.severity for d in diagnostics)
    files = len({d.path for d in diagnostics})
    errors, warnings = counts[Severity.ERROR], counts[Severity.WARNING]
    return (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
        f"in {files} file{'s' * (files != 1)}"
    )


def _as_dict(d: Diagnostic) -> dict[str, object]:
    return {
        "path": d.path,
        "line": d.line,
        "column": d.column,
        "severity": str(d.severity),
        "rule": d.rule,
        "message": d.message,
    }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(d: Diagnostic) -> str:
    command = "error" if d.severity is Severity.ERROR else "warning"
    return (
        f"::{command} file={_escape_property(d.path)},line={d.line},col={d.column},"
        f"title={_escape_property(d.rule)}::{_escape_data(printable(d.message))}"
    )
