"""The stages in order: load → validate → model → render → write. The CLI calls these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .diagnostics import Diagnostic, has_errors
from .loader import load
from .model import KnowledgeBase, build_model
from .render import render_pages
from .validate import Checked, validate
from .write import WriteReport, sync_folder


@dataclass(frozen=True)
class CheckResult:
    checked: dict[str, dict[str, Checked]]
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


@dataclass(frozen=True)
class GenerateResult:
    check: CheckResult
    kb: KnowledgeBase | None
    written: WriteReport | None


def check(content: Path, today: dt.date) -> CheckResult:
    """Load and validate every record; nothing is written."""
    files, problems = load(content)
    checked, rule_problems = validate(files, today)
    return CheckResult(checked, sorted(problems + rule_problems))


def generate(settings: Settings) -> GenerateResult:
    """Validate, then write the Markdown pages; with any error, write nothing at all."""
    result = check(settings.content, settings.today)
    if not result.ok:
        return GenerateResult(result, None, None)
    kb = build_model(result.checked, settings.today)
    report = sync_folder(settings.docs_dir, render_pages(kb, settings))
    return GenerateResult(result, kb, report)
