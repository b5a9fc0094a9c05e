"""Problems found in records, as data: only the command line prints them."""

from __future__ import annotations

import enum
import os
import re
from dataclasses import dataclass
from pathlib import Path


class Severity(enum.IntEnum):
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place in one file; sorts by file and position."""

    path: str
    line: int
    column: int
    severity: Severity
    rule: str
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {printable(self.message)}"


@dataclass(frozen=True)
class Location:
    """A 1-based line and column inside one file."""

    path: str
    line: int = 1
    column: int = 1

    def error(self, rule: str, message: str) -> Diagnostic:
        return Diagnostic(self.path, self.line, self.column, Severity.ERROR, rule, message)

    def warning(self, rule: str, message: str) -> Diagnostic:
        return Diagnostic(self.path, self.line, self.column, Severity.WARNING, rule, message)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` on one line with control characters spelt out: record text can hold
    terminal escape sequences, and messages quote record text."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as a contributor would type it: relative to the working directory when possible."""
    # abspath, not resolve: a symbolic link is shown where it is, not where it points.
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(os.path.abspath(base or Path.cwd())).as_posix()
    except ValueError:
        return path.as_posix()


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
