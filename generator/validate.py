"""Stage 2: check every record against its schema, then across records.

Nothing here raises for bad content: every problem becomes a located
diagnostic, and all of them are reported in one run.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from .diagnostics import Diagnostic
from .loader import SourceFile
from .rules import RULES, RuleContext, record_problems
from .schema import RECORD_TYPES, Record
from .yamlnodes import locate, locate_key, to_python

if TYPE_CHECKING:
    from .cache import RecordCache


@dataclass(frozen=True, slots=True)
class Checked:
    """A record that matches its schema, with the file it came from."""

    source: SourceFile
    record: Record

    @property
    def id(self) -> str:
        return self.source.id


def validate(
    files: list[SourceFile], today: dt.date, cache: RecordCache | None = None
) -> tuple[dict[str, dict[str, Checked]], list[Diagnostic]]:
    """Records that passed the schema, by kind and id, and every problem found.

    With a cache, a file's shape check, what the rules that look at one event alone
    find and a summary's Markdown check are reused when they were done before on the
    same bytes, and in a running process what was found in a file untouched since its
    last run is taken as it was; the cross-record rules always run.
    """
    problems: list[Diagnostic] = []
    checked: dict[str, dict[str, Checked]] = {kind: {} for kind in RECORD_TYPES}
    present: dict[str, set[str]] = {kind: set() for kind in RECORD_TYPES}
    # files checked here, with their shape problems; the others were checked by the last
    # run of this process, and what it found in them by themselves holds as it was
    fresh: list[tuple[SourceFile, Checked | None, list[Diagnostic]]] = []
    for source in files:
        present[source.kind].add(source.id)
        if not source.parsed:
            continue
        kept = cache.validated(source) if cache else None
        if kept is not None:
            item, found = kept
            problems.extend(found)
        else:
            record, found = cache.shape(source, check_shape) if cache else check_shape(source)
            item = Checked(source, record) if record is not None else None
            fresh.append((source, item, found))
        if item is not None:
            checked[source.kind][source.id] = item
    context = (
        RuleContext(checked, today, present, cache.check_summary, cache.facts, cache.rule_memo)
        if cache
        else RuleContext(checked, today, present)
    )

    def check_event(item: Checked) -> list[Diagnostic]:
        return record_problems(item, context)

    for source, item, found in fresh:
        if item is not None and source.kind == "event":
            found = found + (
                cache.record_problems(item, check_event) if cache else check_event(item)
            )
        problems.extend(found)
        if cache:
            cache.keep_validated(source, item, found)
    for rule in RULES:
        problems.extend(rule(context))
    return checked, sorted(problems)


def check_shape(source: SourceFile) -> tuple[Record | None, list[Diagnostic]]:
    """The record if it matches its schema, else the located shape problems."""
    model = RECORD_TYPES[source.kind]
    if source.root is None:
        article = "an" if source.kind[0] in "aeiou" else "a"
        return None, [
            source.at().error("schema", f"empty file; expected {article} {source.kind} record")
        ]
    try:
        return model.model_validate(to_python(source.root)), []
    except ValidationError as exc:
        return None, [_diagnostic(source, model, error) for error in exc.errors()]


def _diagnostic(source: SourceFile, model: type[Record], error: dict) -> Diagnostic:
    loc = tuple(error["loc"])
    kind = error["type"]
    if loc and loc[-1] == "[key]":
        # A mapping key (a translation's language) is wrong: point at the key itself.
        loc = loc[:-1]
        line, column = locate_key(source.root, loc)
        return source.at(line, column).error("schema", f"{_field_name(loc)}: {error['msg']}")
    field = _field_name(loc)
    if kind == "extra_forbidden":
        line, column = locate_key(source.root, loc)
        known = _known_fields(model, loc[:-1])
        message = f"unknown field '{field}'"
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        if close:
            message += f"; did you mean '{_field_name((*loc[:-1], close[0]))}'?"
        elif known:
            message += f"; expected one of: {', '.join(known)}"
        return source.at(line, column).error("schema", message)
    line, column = locate(source.root, loc)
    if kind == "missing":
        where = f" in '{_field_name(loc[:-1])}'" if len(loc) > 1 else ""
        return source.at(line, column).error("schema", f"missing required field '{loc[-1]}'{where}")
    if kind == "literal_error":
        expected = error["ctx"]["expected"].replace("'", "")
        return source.at(line, column).error(
            "schema", f"{field}: expected one of {expected}; got {_shape(error['input'])}"
        )
    if kind == "too_short":
        return source.at(line, column).error("schema", f"{field}: needs at least one entry")
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        expected = {"list_type": "a list", "dict_type": "a mapping"}.get(kind, "a mapping")
        got = _shape(error.get("input"))
        return source.at(line, column).error("schema", f"{field}: expected {expected}; got {got}")
    if kind in ("string_type",):
        got = _shape(error.get("input"))
        return source.at(line, column).error("schema", f"{field}: expected text; got {got}")
    return source.at(line, column).error("schema", f"{field}: {error['msg']}")


def _field_name(loc: tuple) -> str:
    if not loc:
        return "record"
    name = ""
    for index, part in enumerate(loc):
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if index else str(part))
    return name


def _shape(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"'{value}'"


def _known_fields(model: type[Record], loc: tuple) -> list[str]:
    """Field names allowed at ``loc`` inside ``model``, for suggestions."""
    current: type | None = model
    skip_key = False
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        if skip_key:  # the key of a mapping such as translations, not a field
            skip_key = False
            continue
        field = current.model_fields.get(str(part))
        current = _record_in(field.annotation) if field else None
        skip_key = field is not None and getattr(field.annotation, "__origin__", None) is dict
    return list(current.model_fields) if current else []


def _record_in(annotation: object) -> type[Record] | None:
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _record_in(arg)
        if found:
            return found
    return None
