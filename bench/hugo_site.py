"""The Hugo baseline's site: the skeleton in bench/hugo/ and the records as Hugo content.

    write_hugo_site(content, site) -> number of event pages written

Companies and topics become the term pages of the ``companies`` and ``topics``
taxonomies (``content/<kind>/<id>/_index.md``: title and description), each event a page
``content/events/<company>/<slug>.md`` whose front matter holds the record (the summary
is the page's Markdown) and a ``years`` term, so that Hugo builds the same pages as kb.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

SKELETON = Path(__file__).resolve().parent / "hugo"
#: a fuzzy date as records write it: a day, a month, a quarter or a year
_FUZZY_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-[Qq]([1-4]))?$")
#: characters JSON leaves as they are but YAML refuses in a document or reads as a line
#: break (Hugo reads the front matter between "---" lines as YAML, of which JSON is a part)
_NOT_YAML = re.compile("[\x7f-\x84\x86-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def write_hugo_site(content: Path, site: Path) -> int:
    """Copy the skeleton into ``site`` and write the records of ``content`` as its content."""
    shutil.copytree(SKELETON, site, dirs_exist_ok=True)
    for kind in ("companies", "topics"):
        for path in sorted((content / kind).glob("*.yaml")):
            _write_term(path, site / "content" / kind / path.stem / "_index.md")
    count = 0
    for path in sorted((content / "events").glob("*/*.yaml")):
        page = site / "content" / "events" / path.parent.name / f"{path.stem}.md"
        _write_event(path, page)
        count += 1
    return count


def _write_term(path: Path, page: Path) -> None:
    record = _read(path)
    description = record.get("description") or ""
    _write_page(page, {"title": record["name"], "description": description}, description)


def _write_event(path: Path, page: Path) -> None:
    record = _read(path)
    front = {key: value for key, value in record.items() if key != "summary"}
    written = str(record["date"])
    start = start_day(written)
    # Hugo sorts and groups by a real date; pages show the fuzzy one as written.
    front.update(date=start, when=written, years=[start[:4]])
    _write_page(page, front, record["summary"])


def start_day(date: str) -> str:
    """The first day of a fuzzy date: 2026-03 -> 2026-03-01, 2026-Q3 -> 2026-07-01."""
    found = _FUZZY_DATE.match(date)
    if found is None:
        raise ValueError(f"not a date: {date!r}")
    year, month, day, quarter = found.groups()
    if quarter:
        month = f"{(int(quarter) - 1) * 3 + 1:02d}"
    return f"{year}-{month or '01'}-{day or '01'}"


def _read(path: Path) -> dict[str, Any]:
    # The C loader: the Python one takes several times as long at 10,000 events.
    record = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    if not isinstance(record, dict):
        raise ValueError(f"{path}: not a record")
    return record


def _write_page(page: Path, front: dict[str, Any], body: str) -> None:
    text = json.dumps(front, ensure_ascii=False, default=_iso)
    text = _NOT_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(f"---\n{text}\n---\n{body}", encoding="utf-8", newline="\n")


def _iso(value: object) -> str:
    # YAML 1.1 reads unquoted days (dates, published) as dates; records mean the text.
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON: {value!r}")
