"""``kb new event``: write a new event record, ready to edit, where it belongs."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..dates import FuzzyDate, slug_fits_date
from ..schema import EVENT_STATUSES, EVENT_TYPES, LANG_RE, SLUG_RE
from ..write import write_atomic


class NewRecordError(Exception):
    """The answers cannot make a valid record; the message says what to change."""


@dataclass(frozen=True)
class EventAnswers:
    company: str
    date: str
    title: str
    type: str
    topics: tuple[str, ...]
    status: str
    lang: str
    source_title: str
    source_published: str
    source_lang: str
    source_url: str | None = None
    source_publisher: str | None = None
    slug: str | None = None


_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slugify(text: str, limit: int = 60) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word boundary within ``limit``."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_GERMAN))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > limit:
        head = slug[: limit + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:limit]
    return slug.strip("-") or "event"


def _title_slug(date: FuzzyDate, title: str) -> str:
    """A slug from the title that cannot be mistaken for more of the date."""
    words = slugify(title).split("-")
    while words and not slug_fits_date(date, "-".join(words)):
        words.pop(0)
    return "-".join(words) or "event"


def existing_ids(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def _require_known(kind: str, value: str, known: list[str]) -> None:
    if value in known:
        return
    close = difflib.get_close_matches(value, known, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    where = "companies" if kind == "company" else "topics"
    raise NewRecordError(
        f"unknown {kind} '{value}'{hint} (add content/{where}/{value}.yaml first if it is new)"
    )


def event_path(content: Path, answers: EventAnswers) -> Path:
    date = FuzzyDate.parse(answers.date)
    slug = answers.slug or _title_slug(date, answers.title)
    return content / "events" / answers.company / f"{date.slug()}-{slug}.yaml"


def create_event(content: Path, answers: EventAnswers) -> Path:
    """Write the record and return its path; never overwrites an existing file."""
    _require_known("company", answers.company, existing_ids(content / "companies"))
    topics = existing_ids(content / "topics")
    for topic in answers.topics:
        _require_known("topic", topic, topics)
    if not answers.topics:
        raise NewRecordError("give at least one topic")
    try:
        FuzzyDate.parse(answers.date)
        FuzzyDate.parse(answers.source_published)
    except ValueError as exc:
        raise NewRecordError(f"date: {exc}") from None
    if answers.status not in EVENT_STATUSES:
        raise NewRecordError(f"status must be one of {', '.join(EVENT_STATUSES)}")
    if answers.type not in EVENT_TYPES:
        raise NewRecordError(f"type must be one of {', '.join(EVENT_TYPES)}")
    for lang in (answers.lang, answers.source_lang):
        if not LANG_RE.match(lang):
            raise NewRecordError(f"language '{lang}' is not a lowercase code like en or de")
    if answers.slug is not None and not SLUG_RE.match(answers.slug):
        raise NewRecordError(f"slug '{answers.slug}' must be lowercase words joined by hyphens")
    if answers.slug is not None and not slug_fits_date(FuzzyDate.parse(answers.date), answers.slug):
        raise NewRecordError(
            f"slug '{answers.slug}' would read as part of the date {answers.date}; "
            "start it with a word"
        )
    path = event_path(content, answers)
    if path.exists():
        raise NewRecordError(f"{path} already exists; choose another --slug or edit that file")
    write_atomic(path, render_event(answers).encode("utf-8"))
    return path


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def render_event(a: EventAnswers) -> str:
    date = FuzzyDate.parse(a.date).iso()
    lines = [
        "# yaml-language-server: $schema=../../../schema/event.schema.json",
        f"title: {_q(a.title)}",
        f"date: {date}",
        '# date_note: "before US market open"',
        f"status: {a.status}",
        f"type: {a.type}",
        "companies:",
        f"  - {a.company}",
        "topics:",
        *(f"  - {t}" for t in a.topics),
        f"lang: {a.lang}",
        "summary: |",
        "  TODO: two to four sentences on what happened, from the source.",
        "sources:",
        f"  - title: {_q(a.source_title)}",
    ]
    if a.source_publisher:
        lines.append(f"    publisher: {_q(a.source_publisher)}")
    lines.append(f"    published: {FuzzyDate.parse(a.source_published).iso()}")
    lines.append(f"    lang: {a.source_lang}")
    if a.source_url:
        lines.append(f"    url: {_q(a.source_url)}")
    return "\n".join(lines) + "\n"


def today_iso() -> str:
    return dt.date.today().isoformat()
