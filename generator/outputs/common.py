"""What feeds, calendars and the data API share: addresses, identifiers, dates and text.

Every value here is derived from the records and the site's base address only,
never from the clock, so the same content always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from .. import markup
from ..model import Changes, EventEntry
from ..render_cache import Memo, NoMemo

#: Naming authority for identifiers when the site has no base address.
DEFAULT_AUTHORITY = "company-events-kb"
#: The date part of tag: URIs (RFC 4151). Fixed for good: changing it changes every id.
TAG_DATE = "2026"


@dataclass(frozen=True)
class Site:
    """Where the site is published: ``url`` ends in "/", or is "" when not known."""

    url: str
    name: str = "Company events"

    @classmethod
    def of(cls, site_url: str | None, name: str = "Company events") -> Site:
        url = (site_url or "").strip()
        if url and not url.endswith("/"):
            url += "/"
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"site_url must start with http:// or https://; got {site_url!r}")
        return cls(url, name)

    @property
    def authority(self) -> str:
        """The host the site is published on, or a fixed name when there is none."""
        return (urlsplit(self.url).hostname if self.url else None) or DEFAULT_AUTHORITY

    @property
    def base_path(self) -> str:
        """The site's path under its host without the leading "/", e.g. "kb/" or ""."""
        return urlsplit(self.url).path.lstrip("/") if self.url else ""

    def tag(self, path: str) -> str:
        """A permanent tag: URI (RFC 4151) naming ``path`` on this site."""
        return f"tag:{self.authority},{TAG_DATE}:{self.base_path}{path}"

    def link(self, target: str, from_file: str) -> str:
        """The address of ``target`` (a docs-relative URL path like "events/a/b/").

        Absolute when the site's address is known; otherwise relative to ``from_file``,
        the docs-relative path of the file the link is written into.
        """
        if self.url:
            return self.url + target
        here = posixpath.dirname(from_file) or "."
        relative = posixpath.relpath(target or ".", here)
        return relative + "/" if target.endswith("/") or not target else relative


def event_path(event_id: str) -> str:
    """The event page's URL path under the site (MkDocs' directory URLs)."""
    return f"events/{event_id}/"


def company_path(company_id: str) -> str:
    return f"companies/{company_id}/"


def topic_path(topic_id: str) -> str:
    return f"topics/{topic_id}/"


def midnight(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in UTC."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def event_instant(event: EventEntry) -> dt.datetime:
    """The instant an event is dated to: the start of its (possibly fuzzy) date, in UTC."""
    return midnight(event.record.date.start)


def date_line(event: EventEntry) -> str:
    """The event's date for readers, with its note: "19 March 2026 (before US market open)"."""
    record = event.record
    text = record.date.human("en")
    return f"{text} ({record.date_note})" if record.date_note else text


def summary_html(text: str) -> str:
    """The summary as the sanitised HTML the event page shows, without the page's wrapper."""
    body = str(markup.summary_html(text))
    match = re.fullmatch(r'<div class="kb-summary">\n(.*)\n</div>', body, re.DOTALL)
    return match.group(1) if match else body


@functools.cache  # the same summary goes to the search index and calendars (see markup._to_html)
def summary_text(text: str) -> str:
    """The summary as plain text: paragraphs separated by blank lines, links as "text (url)"."""
    if markup.plain_paragraphs(text):
        # Nearly every summary: its paragraphs come out of the HTML as they went in, each
        # on one line, without an HTML parser's cost (half of 0.33 s at 10,000 events).
        return "\n\n".join(" ".join(p.split()) for p in markup.paragraphs(text))
    return text_of_html(summary_html(text))


def text_of_html(html: str) -> str:
    """Summary HTML as plain text (``summary_text``)."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return parser.text()


class _TextParser(HTMLParser):
    _BLOCKS = frozenset({"p", "ul", "ol", "blockquote", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.href: list[str | None] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS or tag == "li":
            self._flush()
        if tag == "li":
            self.current.append("- ")
        elif tag == "br":
            self.current.append("\n")
        elif tag == "pre":
            self.pre += 1
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href:
            href = self.href.pop()
            if href:
                self.current.append(f" ({href})")
        elif tag == "pre":
            self.pre -= 1
        if tag in self._BLOCKS or tag == "li":
            self._flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data if self.pre else re.sub(r"\s+", " ", data))

    def _flush(self) -> None:
        text = "".join(self.current)
        text = text if self.pre else re.sub(r"[ \t]+", " ", text)
        text = "\n".join(line.strip() for line in text.strip("\n").split("\n")).strip()
        if text:
            self.blocks.append(text)
        self.current = []

    def text(self) -> str:
        self._flush()
        # Consecutive list items form one block.
        out: list[str] = []
        for block in self.blocks:
            if out and block.startswith("- ") and out[-1].split("\n")[-1].startswith("- "):
                out[-1] += "\n" + block
            else:
                out.append(block)
        return "\n\n".join(out)


def carried(
    memo: Memo | NoMemo, changes: Changes | None, kind: str, entry_id: str, path: str
) -> bytes | None:
    """The file at ``path``, of the company or topic ``entry_id`` (``kind`` "companies" or
    "topics"), as the last build of a running process made it, when none of the
    ``changes`` since reaches it; else None, for it to be rendered."""
    if changes is None or entry_id in getattr(changes, kind):
        return None
    return memo.carried_file(path)
