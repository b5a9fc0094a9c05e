"""Scoped sites: the part of the knowledge base that concerns one company or one topic.

A scope keeps the events that name the company (or topic), and the companies and
topics those events touch, so every link inside the scoped site resolves; links
that would leave the scope (a parent company, a related event) are dropped by the
model, which only ever links to what it holds.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from .validate import Checked

CheckedRecords = dict[str, dict[str, Checked]]


class ScopeError(Exception):
    """The scope names a company or topic that does not exist."""


@dataclass(frozen=True)
class Scope:
    kind: Literal["company", "topic"]
    id: str

    @property
    def label(self) -> str:
        return f"{self.kind}-{self.id}"


def restrict(checked: CheckedRecords, scope: Scope) -> CheckedRecords:
    """The records of ``checked`` that belong to the scoped site."""
    own = checked[scope.kind]
    if scope.id not in own:
        close = difflib.get_close_matches(scope.id, list(own), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ScopeError(f"unknown {scope.kind} '{scope.id}'{hint}")
    field = "companies" if scope.kind == "company" else "topics"
    events = {
        eid: event
        for eid, event in checked["event"].items()
        if scope.id in getattr(event.record, field)
    }
    companies = {c for e in events.values() for c in e.record.companies}  # type: ignore[attr-defined]
    topics = {t for e in events.values() for t in e.record.topics}  # type: ignore[attr-defined]
    (companies if scope.kind == "company" else topics).add(scope.id)
    return {
        "company": {cid: c for cid, c in checked["company"].items() if cid in companies},
        "topic": {tid: t for tid, t in checked["topic"].items() if tid in topics},
        "event": events,
    }
