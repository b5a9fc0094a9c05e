"""Stage 4: the model rendered through Jinja templates into Markdown pages.

``Renderer`` is the only door into Jinja. Record text is data, never template
source: it reaches templates as values, and every value is escaped for
Markdown unless it is ``MarkdownText`` built by this package.

Event pages, nine in ten of a large site, are Markdown files whose body is one
block of finished HTML (``*.html.j2`` templates, escaped for HTML). MkDocs's
Markdown passes such a block through unchanged, so kb's own builds skip that
step for them (see prerendered.py); their links are the addresses MkDocs would
have made of Markdown links.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import jinja2
from markupsafe import Markup

from . import charts, markup
from .config import Settings
from .dates import MONTHS
from .json_schema import field_reference, schema_files
from .model import (
    CompanyEntry,
    EventEntry,
    KnowledgeBase,
    TopicEntry,
    YearGroup,
    by_year,
    runs,
)
from .outputs.feeds import company_feed, topic_feed
from .paths import href, relative
from .render_cache import NO_MEMO, Memo, NoMemo
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
#: how an event list starts: prerendered.py finds lists by it
EVENT_LIST = '<ul class="kb-events">'
#: Pages of the whole knowledge base, each a section of the navigation (mkdocs.yml).
UPCOMING = "upcoming.md"
RECENT = "recent.md"
STATISTICS = "stats/index.md"
API = "api.md"
#: How many events "Recently added" lists.
RECENT_LIMIT = 50
#: How many of its newest events a company's or topic's page lists. A page of every event
#: grew with the knowledge base (420 KB of HTML for the largest topic at 10,000 synthetic
#: events, slow on a phone) and was rebuilt whenever any one of them changed. With more
#: events than this, the page lists the newest and links a page per year, which together
#: list every event; with no more, the page lists them all and has no year pages.
LISTING_LIMIT = 50
#: How many events the Upcoming page lists, soonest first. A reader opens it for what comes
#: next, not for the whole schedule (at 10,000 synthetic events: 867 events over a year,
#: 330 KB of HTML, rebuilt after every change as a page of the navigation). The page says
#: how many more there are and links the Timeline's pages of their years, which list them
#: by month, and the calendar. 100 cover about three weeks there.
UPCOMING_LIMIT = 100
#: How many topics or companies a chart shows before summing the rest into one bar.
CHART_TOP = 10


@dataclass(frozen=True)
class MonthGroup:
    name: str
    events: list[EventEntry]


@dataclass(frozen=True)
class YearMonths:
    year: int
    #: the year's page: on the Timeline, or of a company or topic
    page: str
    months: list[MonthGroup]

    @property
    def count(self) -> int:
        return sum(len(month.events) for month in self.months)

    @property
    def label(self) -> str:
        return f"All {self.count} events of {self.year}"


@dataclass(frozen=True)
class Listing:
    """A company's or topic's events as its page lists them.

    All of them when there are no more than ``LISTING_LIMIT``; else the newest, and
    a page per year (``years``) that together list every event.
    """

    count: int
    #: the events the page lists, by year, newest first
    groups: list[YearGroup]
    #: the year pages, newest first; empty when the page lists every event
    years: list[YearMonths]

    @property
    def shown(self) -> int:
        return sum(len(group.events) for group in self.groups)


@dataclass(frozen=True)
class TranslationView:
    lang: str
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


@dataclass(frozen=True)
class ChartRow:
    label: str
    value: int
    #: the page the row links to; None for a year and for the summed rest
    entry: Entry | None = None


@dataclass(frozen=True)
class ChartView:
    heading: str
    #: the SVG file, by its path in the generated docs folder
    file: str
    alt: str
    #: the heading of the table's first column
    column: str
    rows: list[ChartRow]
    note: str = ""

    def svg(self) -> str:
        bars = [charts.Bar(row.label, row.value) for row in self.rows]
        description = "Horizontal bar chart. " + "; ".join(
            f"{row.label}: {row.value}" for row in self.rows
        )
        return charts.bar_chart(bars, title=self.heading, description=description + ".")


def _finalize(value: object) -> object:
    if value is None:
        return ""
    return value if isinstance(value, Markup) else markup.escape(value)


def _finalize_html(value: object) -> object:
    return "" if value is None else markup.html_text(value)


class _Compiled(jinja2.BytecodeCache):
    """The templates this process compiled, for its next build: ``kb serve`` makes a new
    environment for each build, and compiling the templates again took about 0.04 s of
    each rebuild. Jinja checks each template's source against what was compiled."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


#: one for each way of finishing values: the compiled code differs with it
_COMPILED = {_finalize: _Compiled(), _finalize_html: _Compiled()}


def _environment(finalize: Callable[[object], object]) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        autoescape=True,
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_COMPILED[finalize],
        # Made afresh for every build, so a template never changes while it is in use;
        # checking its file before each use was 13,500 stats at 10,000 events.
        auto_reload=False,
    )


class Renderer:
    """Renders one page at a time; links are made relative to the page being rendered."""

    def __init__(
        self, kb: KnowledgeBase, settings: Settings, memo: Memo | NoMemo = NO_MEMO
    ) -> None:
        self.kb = kb
        self.settings = settings
        self.memo = memo
        # The same in both kinds of template; links, and the text around them, differ.
        shared = dict(
            day=_day,
            yaml_value=_yaml_value,
            label=_label,
            language=_language,
            amount=_format_amount,
        )
        self.env = _environment(_finalize)
        self.env.globals.update(
            shared,
            link=self._link,
            file_link=self._file_link,
            image=self._image,
            count=_count,
            external=self._external,
            companies_of=lambda e: [self.kb.companies[c] for c in e.record.companies],
            event_items=self._event_items,
        )
        self.html_env = _environment(_finalize_html)
        self.html_env.globals.update(
            shared,
            status=_status_html,
            when=_when_html,
            link=self._html_link,
            external=markup.html_link,
        )
        self.env.filters["join"] = _join
        # The items of event lists by page, whether companies are shown, and the event's
        # digest: the last build's of a running process, and this one's, kept for the next
        # (after its first build, which renders every list, a copy of them all: 20 to 30
        # MiB at 10,000 events; after a rebuild, those of the few lists it rendered).
        kept = memo.kept("event items")
        self._items_before: dict[tuple[str, bool, bytes], str] = (
            kept if isinstance(kept, dict) else {}
        )
        self._items: dict[tuple[str, bool, bytes], str] | None = {} if memo.keeping else None
        memo.keep("event items", self._items)

    def render(self, template: str, page: str, **context: object) -> str:
        """The page at ``page``, from the render cache when nothing it shows has changed."""
        return self.memo.page(
            page, template, context, lambda: self._render(template, page, context)
        )

    def render_from(
        self,
        template: str,
        page: str,
        inputs: dict[str, object],
        context: Callable[[], dict[str, object]],
    ) -> str:
        """Like ``render``, for a page whose values all follow from ``inputs``: they are
        worked out only when the page is rendered, not when it is taken from the cache."""
        return self.memo.page(
            page, template, inputs, lambda: self._render(template, page, context())
        )

    def _render(self, template: str, page: str, context: dict[str, object]) -> str:
        env = self.html_env if template.endswith(".html.j2") else self.env
        text = env.get_template(template).render(page=page, **context)
        return text.rstrip("\n") + "\n"

    @jinja2.pass_context
    def _link(self, context: jinja2.runtime.Context, entry: Entry) -> markup.MarkdownText:
        here = posixpath.dirname(context["page"])
        return markup.link(entry.name, relative(entry.page, here))

    @jinja2.pass_context
    def _file_link(
        self, context: jinja2.runtime.Context, target: str, text: str
    ) -> markup.MarkdownText:
        """A link to a generated file (feed, calendar, data), relative to the page."""
        here = posixpath.dirname(context["page"])
        return markup.link(text, relative(target, here))

    @jinja2.pass_context
    def _image(self, context: jinja2.runtime.Context, target: str, alt: str) -> markup.MarkdownText:
        """A generated image, relative to the page; MkDocs checks that the file exists."""
        here = posixpath.dirname(context["page"])
        return markup.MarkdownText("!" + markup.link(alt, relative(target, here)))

    @staticmethod
    def _external(url: str, text: str | None = None) -> markup.MarkdownText:
        return markup.link(text or url, url)

    @jinja2.pass_context
    def _html_link(self, context: jinja2.runtime.Context, entry: Entry) -> Markup:
        return self._anchor(entry, context["page"])

    def _anchor(self, entry: Entry, page: str) -> Markup:
        return _anchor(entry.name, href(entry.page, page, self.settings.directory_urls))

    @jinja2.pass_context
    def _event_items(
        self, context: jinja2.runtime.Context, events: list[EventEntry], show_companies: bool
    ) -> markup.MarkdownText:
        """A list of events as one block of HTML, which Markdown passes through as it is.

        Listing pages hold thousands of these lines: as Markdown links they were most of
        the time MkDocs spent on those pages, and as a Jinja macro most of rendering them.
        """
        page = context["page"]
        before, now, digest = self._items_before, self._items, self.memo.entry
        items = []
        for event in events:
            # An item shows the event's record and its companies' names, as its digest holds.
            known = digest(event) if now is not None else None
            key = (page, show_companies, known) if known else None
            item = before.get(key) if key else None
            if item is None:
                item = self._event_item(event, page, show_companies)
            if key:
                now[key] = item  # type: ignore[index]
            items.append(item)
        return markup.MarkdownText(f"{EVENT_LIST}\n" + "".join(items) + "</ul>")

    def _event_item(self, event: EventEntry, page: str, show_companies: bool) -> str:
        item = f"<li>{_when_html(event)} · {self._anchor(event, page)} {_status_html(event)}"
        if show_companies:
            companies = (self.kb.companies[c] for c in event.record.companies)
            item += " · " + ", ".join(self._anchor(c, page) for c in companies)
        return item + "</li>\n"


@functools.lru_cache(maxsize=65536)  # pages link to the same few companies and topics
def _anchor(text: str, url: str) -> Markup:
    return markup.html_link(text, url)


def _status_html(event: EventEntry) -> Markup:
    status = event.record.status
    return Markup(f'<span class="kb-status kb-status--{status}">{_label(status)}</span>')


def _when_html(event: EventEntry) -> Markup:
    """When an event happened or is due, with the record's note on the date."""
    record = event.record
    text = markup.html_text(record.date.human())
    return Markup(f"{text} ({markup.html_text(record.date_note)})") if record.date_note else text


def _yaml_value(text: object) -> markup.MarkdownText:
    """A front matter value: a JSON string is a valid, fully quoted YAML scalar."""
    return markup.MarkdownText(json.dumps(str(text), ensure_ascii=False))


def _label(value: object) -> str:
    return str(value).capitalize()


def _language(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _join(items: object, separator: str = "") -> markup.MarkdownText:
    """Jinja's join, but every item is escaped as Markdown (the built-in escapes only HTML)."""
    return markup.MarkdownText(separator.join(markup.escape(item) for item in items))  # type: ignore[attr-defined]


def _day(date: dt.date) -> markup.MarkdownText:
    """A calendar date for readers, machine-readable too: 12 March 2026."""
    text = f"{date.day} {MONTHS['en'][date.month - 1]} {date.year}"
    return markup.MarkdownText(f'<time datetime="{date.isoformat()}">{text}</time>')


def _count(number: int, singular: str, plural: str | None = None) -> str:
    """How many, in words: "1 company", "3 companies"."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def _format_amount(amount: Amount) -> str:
    return f"{amount.value:,f} {amount.currency}"


def render_pages(
    kb: KnowledgeBase,
    settings: Settings,
    memo: Memo | NoMemo = NO_MEMO,
) -> dict[str, str]:
    """Every page of the site, by its path in the generated docs folder.

    With the ``changes`` since the last build of a running process (``memo.changes``),
    the pages of a company, topic, year or event that none of them reaches are taken as
    that build made them (``Memo.carried``), without working out their keys.
    """
    r = Renderer(kb, settings, memo)
    changes = memo.changes

    def group(name: str, reached: bool, make: Callable[[], dict[str, str]]) -> dict[str, str]:
        if changes is not None and not reached:
            carried = memo.carried(name)
            if carried is not None:
                return carried
        pages = make()
        memo.made(name, pages)
        return pages

    pages = {
        "index.md": _generate_home(r),
        "companies/index.md": _generate_companies_index(r),
        "topics/index.md": _generate_topics_index(r),
        UPCOMING: _generate_upcoming(r),
        RECENT: _generate_recent(r),
        API: r.render("api.md.j2", API, reference=markup.MarkdownText(field_reference())),
    }
    pages.update(_generate_timeline(r, None if changes is None else changes.years))
    statistics, images = _generate_statistics(r)
    pages[STATISTICS] = statistics
    pages.update(images)
    for company in kb.companies.values():
        reached = changes is None or company.id in changes.companies
        pages.update(
            group(f"company {company.id}", reached, lambda c=company: _generate_company(r, c))
        )
    for topic in kb.topics.values():
        reached = changes is None or topic.id in changes.topics
        pages.update(group(f"topic {topic.id}", reached, lambda t=topic: _generate_topic(r, t)))
    for event in kb.events:
        page = None
        if changes is not None and not (event.id in changes.events or event.id in changes.relating):
            page = memo.carried_page(event.page)
        pages[event.page] = page if page is not None else _generate_event(r, event)
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


def _generate_upcoming(r: Renderer) -> str:
    """The soonest upcoming events; the rest are counted, with the Timeline pages of their years."""
    upcoming = r.kb.upcoming()
    shown, rest = upcoming[:UPCOMING_LIMIT], upcoming[UPCOMING_LIMIT:]
    years = sorted({event.record.date.start.year for event in rest})
    return r.render(
        "upcoming.md.j2",
        UPCOMING,
        upcoming=shown,
        total=len(upcoming),
        rest=rest,
        rest_pages=[(year, timeline_page(year)) for year in years],
        today=r.kb.today,
    )


def _generate_recent(r: Renderer) -> str:
    kb = r.kb
    return r.render(
        "recent.md.j2",
        RECENT,
        events=kb.recently_added(RECENT_LIMIT),
        total=len(kb.events),
        known=kb.has_history,
        limit=RECENT_LIMIT,
    )


def _generate_statistics(r: Renderer) -> tuple[str, dict[str, str]]:
    """The statistics page, and its charts by their paths in the generated docs folder."""
    kb = r.kb
    folder = posixpath.dirname(STATISTICS)
    years = [ChartRow(str(year), count) for year, count in kb.events_per_year()]
    topics = charts.top_with_rest(kb.topic_counts(), CHART_TOP)
    companies = charts.top_with_rest(kb.company_counts(), CHART_TOP)
    views = [
        ChartView(
            "Events per year",
            f"{folder}/events-per-year.svg",
            "Bar chart of the number of events per year; the table below gives the numbers.",
            "Year",
            years,
            "Each event counts in the year it falls in; years without events between the first"
            " and the last are shown too.",
        ),
        ChartView(
            "Events per topic",
            f"{folder}/events-per-topic.svg",
            "Bar chart of the number of events per topic; the table below gives the numbers.",
            "Topic",
            _ranked_rows(topics, "topics"),
            "An event about several topics counts once for each; topics without events are"
            " left out." + _rest_note(topics, "topics"),
        ),
        ChartView(
            "Events per company",
            f"{folder}/events-per-company.svg",
            "Bar chart of the number of events per company; the table below gives the numbers.",
            "Company",
            _ranked_rows(companies, "companies"),
            "An event about several companies counts once for each; companies without events"
            " are left out." + _rest_note(companies, "companies"),
        ),
    ]
    counts = {"events": len(kb.events), "companies": len(kb.companies), "topics": len(kb.topics)}
    page = r.render("statistics.md.j2", STATISTICS, charts=views, counts=counts, today=kb.today)
    return page, {view.file: view.svg() for view in views if view.rows}


def _ranked_rows(ranked: charts.Ranked[Entry], kind: str) -> list[ChartRow]:
    rows = [ChartRow(entry.name, count, entry) for entry, count in ranked.top]
    if ranked.rest_items:
        rows.append(ChartRow(f"Other {kind} ({ranked.rest_items})", ranked.rest))
    return rows


def _rest_note(ranked: charts.Ranked[Entry], kind: str) -> str:
    if not ranked.rest_items:
        return ""
    return (
        f" The {len(ranked.top)} {kind} with the most events are shown one by one;"
        f" the counts of the other {ranked.rest_items} are added up in the last row."
    )


def _index_rows(
    entries: dict[str, CompanyEntry] | dict[str, TopicEntry], events: dict[str, list[EventEntry]]
) -> list[IndexRow]:
    """A row per company or topic, by name: its event count and its parent."""
    return [
        IndexRow(e, len(events.get(e.id, [])), entries.get(e.record.parent or ""))
        for e in sorted(entries.values(), key=lambda e: e.name.casefold())
    ]


def _generate_companies_index(r: Renderer) -> str:
    rows = _index_rows(r.kb.companies, r.kb.events_of_company)
    return r.render("companies.md.j2", "companies/index.md", companies=rows)


def _generate_topics_index(r: Renderer) -> str:
    rows = _index_rows(r.kb.topics, r.kb.events_of_topic)
    return r.render("topics.md.j2", "topics/index.md", topics=rows)


def timeline_page(year: int) -> str:
    return f"timeline/{year}.md"


def listing_page(entry: CompanyEntry | TopicEntry, year: int) -> str:
    """A company's or topic's page of one year: ``companies/<id>/<year>.md``."""
    return f"{posixpath.splitext(entry.page)[0]}/{year}.md"


def _year_months(events: list[EventEntry], page: Callable[[int], str]) -> list[YearMonths]:
    """Events (newest first) by year and, within each year, by month."""
    return [
        YearMonths(
            group.year,
            page(group.year),
            [
                MonthGroup(f"{MONTHS['en'][month - 1]} {group.year}", run)
                for month, run in runs(group.events, _month)
            ],
        )
        for group in by_year(events)
    ]


def _month(event: EventEntry) -> int:
    return event.record.date.start.month


def _generate_timeline(r: Renderer, reached: frozenset[int] | None = None) -> dict[str, str]:
    """The Timeline: an overview of the years, and one page per year by month.

    One page of every event would grow with the knowledge base (3.6 MB of HTML at
    10,000 events) and be rebuilt after every change. A year that is not among those
    ``reached`` by the changes since the last build keeps the page it had, if it can.
    """
    years = _year_months(r.kb.events, timeline_page)
    # The overview shows how many events each month has, no event itself: an edit that
    # keeps the counts leaves it as it is.
    counts = [(y.year, [(month.name, len(month.events)) for month in y.months]) for y in years]
    pages = {
        "events/index.md": r.render_from(
            "events.md.j2",
            "events/index.md",
            {"counts": counts},
            lambda: {"years": years, "count": len(r.kb.events)},
        )
    }
    for year in years:
        page = None
        if reached is not None and year.year not in reached:
            page = r.memo.carried_page(year.page)
        if page is None:
            page = r.render("timeline-year.md.j2", year.page, year=year)
        pages[year.page] = page
    return pages


def _listing(entry: CompanyEntry | TopicEntry, events: list[EventEntry]) -> Listing:
    if len(events) <= LISTING_LIMIT:
        return Listing(len(events), by_year(events), [])
    years = _year_months(events, lambda year: listing_page(entry, year))
    return Listing(len(events), by_year(events[:LISTING_LIMIT]), years)


def _generate_listing_years(
    r: Renderer,
    entry: CompanyEntry | TopicEntry,
    events: list[EventEntry],
    feed: str,
    show_companies: bool,
) -> dict[str, str]:
    """A company's or topic's year pages, by path; none when its page lists every event."""
    if len(events) <= LISTING_LIMIT:
        return {}
    pages = {}
    for group in by_year(events):
        path = listing_page(entry, group.year)
        inputs = {"entry": entry, "events": group.events, "feed": feed, "show": show_companies}

        def context(events: list[EventEntry] = group.events, path: str = path) -> dict:
            (year,) = _year_months(events, lambda _: path)
            return dict(entry=entry, year=year, feed=feed, show_companies=show_companies)

        pages[path] = r.render_from("listing-year.md.j2", path, inputs, context)
    return pages


def _generate_company(r: Renderer, company: CompanyEntry) -> dict[str, str]:
    """The company's page, and its year pages when it has more than ``LISTING_LIMIT`` events."""
    kb = r.kb
    events = kb.events_of_company.get(company.id, [])
    inputs = {
        "company": company,
        "parent": kb.companies.get(company.record.parent or ""),
        "subsidiaries": kb.subsidiaries.get(company.id, []),
        "upcoming": kb.upcoming_of_company.get(company.id, []),
        "events": events,
    }
    page = r.render_from(
        "company.md.j2",
        company.page,
        inputs,
        lambda: {**inputs, "listing": _listing(company, events)},
    )
    years = _generate_listing_years(r, company, events, company_feed(company.id), False)
    return {company.page: page, **years}


def _generate_topic(r: Renderer, topic: TopicEntry) -> dict[str, str]:
    """The topic's page, and its year pages when it has more than ``LISTING_LIMIT`` events."""
    kb = r.kb
    events = kb.events_of_topic.get(topic.id, [])
    inputs = {
        "topic": topic,
        "parent": kb.topics.get(topic.record.parent or ""),
        "subtopics": kb.subtopics.get(topic.id, []),
        "events": events,
    }
    page = r.render_from(
        "topic.md.j2", topic.page, inputs, lambda: {**inputs, "listing": _listing(topic, events)}
    )
    years = _generate_listing_years(r, topic, events, topic_feed(topic.id), True)
    return {topic.page: page, **years}


def _generate_event(r: Renderer, event: EventEntry) -> str:
    kb, record = r.kb, event.record
    related = [kb.events_by_id[e] for e in record.related if e in kb.events_by_id]
    edit_url = r.settings.edit_url(event.source)

    def context() -> dict[str, object]:
        translations = [
            TranslationView(
                lang,
                ENDONYMS.get(lang, lang),
                t.title,
                markup.summary_html(t.summary) if t.summary else None,
            )
            for lang, t in sorted(record.translations.items())
        ]
        return dict(
            event=event,
            r=record,
            summary=markup.summary_html(record.summary),
            companies=[kb.companies[c] for c in record.companies],
            topics=[kb.topics[t] for t in record.topics],
            related=related,
            translations=translations,
            edit_url=edit_url,
        )

    # Everything else on the page follows from the event's record, companies and topics.
    inputs = {"event": event, "related": related, "edit_url": edit_url}
    return r.render_from("event.html.j2", event.page, inputs, context)
