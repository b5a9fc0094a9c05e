"""Stage 4: the model rendered through Jinja templates into Markdown pages.

``Renderer`` is the only door into Jinja. Record text is data, never template
source: it reaches templates as values, and every value is escaped for
Markdown unless it is ``MarkdownText`` built by this package.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from importlib import resources
from itertools import groupby

import jinja2
from markupsafe import Markup

from . import markup
from .config import Settings
from .dates import MONTHS
from .json_schema import schema_files
from .model import CompanyEntry, EventEntry, KnowledgeBase, TopicEntry, by_year
from .schema import Amount

Entry = CompanyEntry | TopicEntry | EventEntry

LANGUAGE_NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "zh": "Chinese",
    "ja": "Japanese",
}
#: Headings for translations, in the translation's own language.
ENDONYMS = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "zh": "中文",
    "ja": "日本語",
}
#: Stylesheet shipped with the package and copied into every generated docs folder.
STYLESHEET = "assets/kb.css"


@dataclass(frozen=True)
class MonthGroup:
    name: str
    events: list[EventEntry]


@dataclass(frozen=True)
class YearMonths:
    year: int
    months: list[MonthGroup]


@dataclass(frozen=True)
class TranslationView:
    heading: str
    title: str
    summary: markup.MarkdownText | None


@dataclass(frozen=True)
class IndexRow:
    entry: Entry
    count: int
    parent: Entry | None

    # Templates name the entry by its kind.
    @property
    def company(self) -> Entry:
        return self.entry

    @property
    def topic(self) -> Entry:
        return self.entry


def _finalize(value: object) -> object:
    if value is None:
        return ""
    return value if isinstance(value, Markup) else markup.escape(value)


class Renderer:
    """Renders one page at a time; links are made relative to the page being rendered."""

    def __init__(self, kb: KnowledgeBase, settings: Settings) -> None:
        self.kb = kb
        self.settings = settings
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("generator", "templates"),
            autoescape=True,
            finalize=_finalize,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals.update(
            link=self._link,
            file_link=self._file_link,
            # Front matter values: a JSON string is a valid, fully quoted YAML scalar.
            yaml_value=lambda text: markup.MarkdownText(json.dumps(str(text), ensure_ascii=False)),
            external=self._external,
            label=lambda value: str(value).capitalize(),
            language=lambda code: LANGUAGE_NAMES.get(code, code),
            amount=_format_amount,
            companies_of=lambda e: [self.kb.companies[c] for c in e.record.companies],
        )
        self.env.filters["join"] = _join

    def render(self, template: str, page: str, **context: object) -> str:
        text = self.env.get_template(template).render(page=page, **context)
        return text.rstrip("\n") + "\n"

    @jinja2.pass_context
    def _link(self, context: jinja2.runtime.Context, entry: Entry) -> markup.MarkdownText:
        here = posixpath.dirname(context["page"])
        return markup.link(entry.name, posixpath.relpath(entry.page, here or "."))

    @jinja2.pass_context
    def _file_link(
        self, context: jinja2.runtime.Context, target: str, text: str
    ) -> markup.MarkdownText:
        """A link to a generated file (feed, calendar, data), relative to the page."""
        here = posixpath.dirname(context["page"])
        return markup.link(text, posixpath.relpath(target, here or "."))

    @staticmethod
    def _external(url: str, text: str | None = None) -> markup.MarkdownText:
        return markup.link(text or url, url)


def _join(items: object, separator: str = "") -> markup.MarkdownText:
    """Jinja's join, but every item is escaped as Markdown (the built-in escapes only HTML)."""
    return markup.MarkdownText(separator.join(markup.escape(item) for item in items))  # type: ignore[attr-defined]


def _format_amount(amount: Amount) -> str:
    return f"{amount.value:,f} {amount.currency}"


def render_pages(kb: KnowledgeBase, settings: Settings) -> dict[str, str]:
    """Every page of the site, by its path in the generated docs folder."""
    r = Renderer(kb, settings)
    pages = {
        "index.md": _generate_home(r),
        "companies/index.md": _generate_companies_index(r),
        "topics/index.md": _generate_topics_index(r),
        "events/index.md": _generate_events_index(r),
    }
    for company in kb.companies.values():
        pages[company.page] = _generate_company(r, company)
    for topic in kb.topics.values():
        pages[topic.page] = _generate_topic(r, topic)
    for event in kb.events:
        pages[event.page] = _generate_event(r, event)
    pages.update(schema_files())
    pages[STYLESHEET] = resources.files("generator").joinpath(STYLESHEET).read_text("utf-8")
    return pages


def _generate_home(r: Renderer) -> str:
    kb = r.kb
    counts = {"events": len(kb.events), "companies": len(kb.companies), "topics": len(kb.topics)}
    return r.render(
        "home.md.j2",
        "index.md",
        site_name=r.settings.site_name,
        counts=counts,
        upcoming=kb.upcoming()[:10],
        latest=kb.latest(10),
    )


def _generate_companies_index(r: Renderer) -> str:
    kb = r.kb
    rows = [
        IndexRow(
            c,
            len(kb.events_of_company.get(c.id, [])),
            kb.companies.get(c.record.parent) if c.record.parent else None,
        )
        for c in sorted(kb.companies.values(), key=lambda c: c.name.casefold())
    ]
    return r.render("companies.md.j2", "companies/index.md", companies=rows)


def _generate_topics_index(r: Renderer) -> str:
    kb = r.kb
    rows = [
        IndexRow(
            t,
            len(kb.events_of_topic.get(t.id, [])),
            kb.topics.get(t.record.parent) if t.record.parent else None,
        )
        for t in sorted(kb.topics.values(), key=lambda t: t.name.casefold())
    ]
    return r.render("topics.md.j2", "topics/index.md", topics=rows)


def _generate_events_index(r: Renderer) -> str:
    years = []
    for group in by_year(r.kb.events):
        months = [
            MonthGroup(f"{MONTHS['en'][month - 1]} {group.year}", list(events))
            for month, events in groupby(group.events, key=lambda e: e.record.date.start.month)
        ]
        years.append(YearMonths(group.year, months))
    return r.render("events.md.j2", "events/index.md", years=years, count=len(r.kb.events))


def _generate_company(r: Renderer, company: CompanyEntry) -> str:
    kb = r.kb
    events = kb.events_of_company.get(company.id, [])
    parent = kb.companies.get(company.record.parent) if company.record.parent else None
    return r.render(
        "company.md.j2",
        company.page,
        company=company,
        parent=parent,
        subsidiaries=kb.subsidiaries.get(company.id, []),
        count=len(events),
        upcoming=kb.upcoming(events),
        groups=by_year(events),
    )


def _generate_topic(r: Renderer, topic: TopicEntry) -> str:
    kb = r.kb
    parent = kb.topics.get(topic.record.parent) if topic.record.parent else None
    return r.render(
        "topic.md.j2",
        topic.page,
        topic=topic,
        parent=parent,
        subtopics=kb.subtopics.get(topic.id, []),
        groups=by_year(kb.events_of_topic.get(topic.id, [])),
    )


def _generate_event(r: Renderer, event: EventEntry) -> str:
    kb, record = r.kb, event.record
    translations = [
        TranslationView(
            ENDONYMS.get(lang, lang),
            t.title,
            markup.summary_html(t.summary) if t.summary else None,
        )
        for lang, t in sorted(record.translations.items())
    ]
    return r.render(
        "event.md.j2",
        event.page,
        event=event,
        r=record,
        summary=markup.summary_html(record.summary),
        companies=[kb.companies[c] for c in record.companies],
        topics=[kb.topics[t] for t in record.topics],
        related=[kb.events_by_id[e] for e in record.related if e in kb.events_by_id],
        translations=translations,
        edit_url=r.settings.edit_url(event.source),
    )
