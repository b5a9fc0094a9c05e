"""Cross-record rules: each yields the problems it finds; ``RULES`` lists them once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from .dates import slug_fits_date
from .diagnostics import Diagnostic
from .markup import SummaryProblem, check_summary
from .schema import Company, Event, Topic
from .yamlnodes import locate, locate_key, position

if TYPE_CHECKING:
    from .validate import Checked


@dataclass(frozen=True, slots=True)
class Facts:
    """What the duplicate rules compare of one event, worked out from its record alone."""

    #: each source's address as ``_normal_url`` spells it, or None when it has none
    urls: tuple[str | None, ...]
    #: the words of its title (``_title_words``)
    title_words: frozenset[str]


def facts_of(item: Checked) -> Facts:
    event: Event = item.record  # type: ignore[assignment]
    return Facts(
        tuple([_normal_url(s.url) if s.url else None for s in event.sources]),
        _title_words(event.title),
    )


#: a group of records, what a rule found in them, and what it checked them against
_Found = tuple[list["Checked"], list[Diagnostic], object]


class RuleMemo:
    """What a cross-record rule found in a group of records (the events of one company,
    say), kept by a running process for its next run: looked for again only when the
    group is not the very same checked records, in the same order, as then."""

    def __init__(
        self, before: dict[str, _Found] | None = None, shared: dict[str, object] | None = None
    ):
        self._before = before or {}
        self._shared_before = shared or {}
        #: what this run found, by group, and the values shared by groups (``carried``)
        self._now: dict[str, _Found] = {}
        self._shared: dict[str, object] = {}

    def shared(self, name: str, value: object) -> object:
        """``value``, or the equal one given under ``name`` in the last run: compared
        once here, it is then the very object each group's ``found`` compares."""
        before = self._shared_before.get(name)
        if before is not None and before == value:
            value = before
        self._shared[name] = value
        return value

    def found(
        self,
        name: str,
        group: list[Checked],
        check: Callable[[], Iterable[Diagnostic]],
        shared: object = None,
    ) -> list[Diagnostic]:
        """``check()``, the problems found in ``group``; or what it found last time, for
        the same records and the same ``shared`` value of what they are checked against
        (the ids that exist, say)."""
        kept = self._before.get(name)
        if (
            kept is not None
            and kept[2] == shared
            and len(kept[0]) == len(group)
            and all(old is new for old, new in zip(kept[0], group, strict=True))
        ):
            found = kept[1]
        else:
            found = list(check())
        self._now[name] = (group, found, shared)
        return found

    def carried(self) -> RuleMemo:
        """The memo for the next run of this process: what this run found."""
        return RuleMemo(self._now, self._shared)


@dataclass(frozen=True)
class RuleContext:
    checked: dict[str, dict[str, Checked]]
    today: dt.date
    #: ids of every record file found, valid or not: a reference to a file that exists
    #: but has its own errors is not reported again as unknown
    present: dict[str, set[str]]
    #: markup.check_summary, or a cache of what it found for each text
    check_summary: Callable[[str], list[SummaryProblem]] = check_summary
    #: facts_of, or a cache of it kept by a running process (cache.py)
    facts_from: Callable[[Checked], Facts] = facts_of
    #: what rules found in groups of records, kept by a running process (cache.py)
    memo: RuleMemo = dataclasses.field(default_factory=RuleMemo)

    @cached_property
    def facts(self) -> dict[str, Facts]:
        """Each event's ``Facts`` by its id, worked out once for every rule."""
        return {event_id: self.facts_from(item) for event_id, item in self.events.items()}

    @cached_property
    def by_company(self) -> dict[str, list[Checked]]:
        """The events by the company that owns them (their first), in the order of
        ``events``: the groups most rules check, and ``memo`` keeps, one by one."""
        groups: dict[str, list[Checked]] = defaultdict(list)
        for item in self.events.values():
            groups[item.record.companies[0]].append(item)  # type: ignore[attr-defined]
        return dict(groups)

    @property
    def companies(self) -> dict[str, Checked]:
        return self.checked["company"]

    @property
    def topics(self) -> dict[str, Checked]:
        return self.checked["topic"]

    @property
    def events(self) -> dict[str, Checked]:
        return self.checked["event"]


Rule = Callable[[RuleContext], Iterable[Diagnostic]]
RULES: list[Rule] = []
#: a rule that looks at one event alone: what it finds depends only on the event's file
#: (its path and bytes), so it is kept with the file's shape check (cache.py)
RecordRule = Callable[["Checked", RuleContext], Iterable[Diagnostic]]
RECORD_RULES: list[RecordRule] = []


def rule(func: Rule) -> Rule:
    RULES.append(func)
    return func


def record_rule(func: RecordRule) -> RecordRule:
    RECORD_RULES.append(func)
    return func


def record_problems(item: Checked, ctx: RuleContext) -> list[Diagnostic]:
    """What the rules that look at one event alone find in ``item``."""
    return [problem for check in RECORD_RULES for problem in check(item, ctx)]


def _at(item: Checked, *loc: str | int):
    return item.source.at(*locate(item.source.root, loc))


def _unknown(kind: str, value: str, known: Iterable[str]) -> str:
    message = f"unknown {kind} '{value}'"
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return message + (f"; did you mean '{close[0]}'?" if close else f"; no {kind} has that id")


def _references(
    items: Iterable[Checked], field: str
) -> Iterator[tuple[Checked, tuple[str | int, ...], str]]:
    """Each (record, location, id) that ``field`` refers to, for lists and single ids."""
    for item in items:
        value = getattr(item.record, field)
        if isinstance(value, list):
            for index, ref in enumerate(value):
                yield item, (field, index), ref
        elif value is not None:
            yield item, (field,), value


def _known(ctx: RuleContext, kind: str, field: str) -> Iterator[Diagnostic]:
    """References to ``kind`` records (from events' ``field`` and records' ``parent``)."""
    own, present = ctx.checked[kind], ctx.present[kind]
    existing = ctx.memo.shared(f"known {kind}", (frozenset(present), frozenset(own)))
    for company, items in ctx.by_company.items():
        yield from ctx.memo.found(
            f"known {kind}:{company}",
            items,
            lambda items=items: _known_in(items, field, kind, own, present),  # type: ignore[misc]
            existing,
        )
    for item, loc, ref in _references(own.values(), "parent"):
        if ref not in present:
            yield _at(item, *loc).error(f"unknown-{kind}", f"parent: {_unknown(kind, ref, own)}")


def _known_in(
    items: list[Checked], field: str, kind: str, own: dict[str, Checked], present: set[str]
) -> Iterator[Diagnostic]:
    for item in items:
        refs = getattr(item.record, field)
        if present.issuperset(refs):  # nearly every event: only records that exist
            continue
        for index, ref in enumerate(refs):
            if ref not in present:
                yield _at(item, field, index).error(
                    f"unknown-{kind}", f"{field}: {_unknown(kind, ref, own)}"
                )


@rule
def known_companies(ctx: RuleContext) -> Iterator[Diagnostic]:
    return _known(ctx, "company", "companies")


@rule
def known_topics(ctx: RuleContext) -> Iterator[Diagnostic]:
    return _known(ctx, "topic", "topics")


@rule
def known_related_events(ctx: RuleContext) -> Iterator[Diagnostic]:
    existing = ctx.memo.shared(
        "known related", (frozenset(ctx.present["event"]), frozenset(ctx.events))
    )
    for company, items in ctx.by_company.items():
        yield from ctx.memo.found(
            f"known related:{company}", items, lambda items=items: _related_in(ctx, items), existing
        )


def _related_in(ctx: RuleContext, items: list[Checked]) -> Iterator[Diagnostic]:
    for item in items:
        for index, ref in enumerate(item.record.related):  # type: ignore[attr-defined]
            if ref == item.id:
                yield _at(item, "related", index).error(
                    "related", "related: an event cannot relate to itself"
                )
            elif ref not in ctx.present["event"]:
                yield _at(item, "related", index).error(
                    "unknown-event", f"related: {_unknown('event', ref, ctx.events)}"
                )


@record_rule
def no_repeated_ids(item: Checked, ctx: RuleContext) -> Iterator[Diagnostic]:
    for field in ("companies", "topics", "related"):
        seen: set[str] = set()
        for index, ref in enumerate(getattr(item.record, field)):
            if ref in seen:
                yield _at(item, field, index).error(
                    "duplicate-id", f"{field}: '{ref}' is listed twice"
                )
            seen.add(ref)


@record_rule
def event_file_matches_record(item: Checked, ctx: RuleContext) -> Iterator[Diagnostic]:
    event: Event = item.record  # type: ignore[assignment]
    folder, name = item.id.split("/")
    if event.companies[0] != folder:
        yield _at(item, "companies", 0).error(
            "folder",
            f"companies: the first company '{event.companies[0]}' owns the event, so the "
            f"file belongs in content/events/{event.companies[0]}/ (it is in {folder}/)",
        )
    prefix = event.date.slug() + "-"
    if not name.startswith(prefix) or not slug_fits_date(event.date, name[len(prefix) :]):
        yield _at(item, "date").error(
            "file-name",
            f"file name must be the date then a short slug, like "
            f"{prefix}{_slug_after_date(name)}.yaml, to match date {event.date.iso()}",
        )


def _slug_after_date(name: str) -> str:
    parts = name.split("-")
    words = [p for p in parts if not p.isdigit() and not (len(p) == 2 and p[0] == "q")]
    return "-".join(words) or "what-happened"


@record_rule
def translations_differ_from_text(item: Checked, ctx: RuleContext) -> Iterator[Diagnostic]:
    event: Event = item.record  # type: ignore[assignment]
    if event.lang in event.translations:
        yield item.source.at(*locate_key(item.source.root, ("translations", event.lang))).error(
            "translation",
            f"translations: '{event.lang}' is the record's own language; "
            "translations are for other languages",
        )


@rule
def no_parent_cycles(ctx: RuleContext) -> Iterator[Diagnostic]:
    for kind, items in (("company", ctx.companies), ("topic", ctx.topics)):
        for item in items.values():
            seen = [item.id]
            record: Company | Topic = item.record  # type: ignore[assignment]
            parent = record.parent
            while parent is not None and parent in items and parent not in seen:
                seen.append(parent)
                parent = items[parent].record.parent  # type: ignore[attr-defined]
            if parent == item.id:  # report a cycle on its members only
                chain = " → ".join([*seen, parent])
                yield _at(item, "parent").error("parent-cycle", f"parent: {kind} cycle {chain}")


@rule
def status_matches_date(ctx: RuleContext) -> Iterator[Diagnostic]:
    for company, items in ctx.by_company.items():
        yield from ctx.memo.found(
            f"status:{company}", items, lambda items=items: _status_in(ctx, items), ctx.today
        )


def _status_in(ctx: RuleContext, items: list[Checked]) -> Iterator[Diagnostic]:
    for item in items:
        event: Event = item.record  # type: ignore[assignment]
        if event.status == "scheduled" and event.date.end < ctx.today:
            yield _at(item, "status").warning(
                "stale-schedule",
                f"status: scheduled for {event.date.iso()}, which has passed; "
                "set the status to occurred, postponed or cancelled",
            )
        elif event.status == "occurred" and event.date.start > ctx.today:
            yield _at(item, "status").warning(
                "future-occurred",
                f"status: occurred, but the date {event.date.iso()} is in the future; "
                "did you mean scheduled?",
            )


@record_rule
def summaries_use_allowed_markdown(item: Checked, ctx: RuleContext) -> Iterator[Diagnostic]:
    for loc, text in summary_texts(item.record):  # type: ignore[arg-type]
        field = ".".join(loc)
        for problem in ctx.check_summary(text):
            line, column = _summary_position(item, loc, problem.needle)
            yield item.source.at(line, column).error("summary", f"{field}: {problem.message}")


def summary_texts(event: Event) -> list[tuple[tuple[str, ...], str]]:
    """An event's Markdown, with where each text stands: its summary and its translations'."""
    texts = [(("summary",), event.summary)]
    texts += [
        (("translations", lang, "summary"), t.summary)
        for lang, t in event.translations.items()
        if t.summary
    ]
    return texts


def _summary_position(item: Checked, loc: tuple[str, ...], needle: str) -> tuple[int, int]:
    """Where ``needle`` stands in the file, searching from the summary's own position."""
    line, column = locate(item.source.root, loc)
    if not needle:
        return line, column
    try:
        text = item.source.path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return line, column
    lines = text.split("\n")
    start = sum(len(part) + 1 for part in lines[: line - 1]) + column - 1
    index = text.find(needle, start)
    return position(text, index) if index >= 0 else (line, column)


PLACEHOLDER = "TODO:"


@record_rule
def no_placeholders(item: Checked, ctx: RuleContext) -> Iterator[Diagnostic]:
    if item.record.summary.startswith(PLACEHOLDER):  # type: ignore[attr-defined]
        line, column = _summary_position(item, ("summary",), PLACEHOLDER)
        yield item.source.at(line, column).error(
            "placeholder", "summary: still the placeholder from kb new event; write it"
        )


@rule
def no_duplicate_sources(ctx: RuleContext) -> Iterator[Diagnostic]:
    """The same source URL in two events is an error on both, naming the other."""
    seen: dict[str, list[tuple[Checked, int]]] = defaultdict(list)
    facts = ctx.facts
    for event_id, item in ctx.events.items():
        for index, url in enumerate(facts[event_id].urls):
            if url is not None:
                seen[url].append((item, index))
    for places in seen.values():
        # nearly every address is cited once: passed over without a set of its events
        if len(places) < 2 or len({item.id for item, _ in places}) < 2:
            continue
        for item, index in places:
            others = sorted({o.source.display for o, _ in places if o.id != item.id})
            yield _at(item, "sources", index, "url").error(
                "duplicate-source",
                f"sources[{index}].url: the same source is cited by {', '.join(others)}; "
                "is this the same event?",
            )


#: events of one company closer than this, with alike titles, may be duplicates
NEAR_DAYS = 7
NEAR_TITLE = 0.8


@rule
def no_near_duplicates(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Same primary company, close dates, very similar titles: a warning on both files.

    Events are compared only with neighbours in date order within their company,
    so the cost grows with the number of events, not with its square.
    """
    for company, items in ctx.by_company.items():
        yield from ctx.memo.found(
            f"near-duplicates:{company}", items, lambda items=items: _near_duplicates(ctx, items)
        )


def _near_duplicates(ctx: RuleContext, group: list[Checked]) -> Iterator[Diagnostic]:
    """``no_near_duplicates`` within the events of one company."""
    items = sorted(group, key=lambda i: i.record.date.start)  # type: ignore[attr-defined]
    words = [ctx.facts[i.id].title_words for i in items]
    for a, first in enumerate(items):
        for b in range(a + 1, len(items)):
            second = items[b]
            gap = (second.record.date.start - first.record.date.end).days  # type: ignore[attr-defined]
            if gap > NEAR_DAYS:
                break
            alike = _similarity(words[a], words[b])
            if alike >= NEAR_TITLE:
                for one, other in ((first, second), (second, first)):
                    yield _at(one, "title").warning(
                        "near-duplicate",
                        f"title: possible duplicate of {other.source.display} "
                        f"(same company, dates {one.record.date.iso()} and "  # type: ignore[attr-defined]
                        f"{other.record.date.iso()}, titles {alike:.0%} alike)",  # type: ignore[attr-defined]
                    )


def _normal_url(url: str) -> str:
    """The same address however it is spelt: scheme and host are case-blind, a final / optional."""
    plain = _PLAIN_URL.fullmatch(url) if url.isascii() else None
    if plain is None:  # spaces, brackets, letters beyond ASCII in the host: urllib's way
        parts = urlsplit(url.strip())
        path = parts.path.rstrip("/")
        return urlunsplit(("https", parts.netloc.lower(), path, parts.query, ""))
    # What urllib gives for such an address, without its cost on every event of every build.
    host, path, query = plain.groups()
    return f"https://{host.lower()}{path.rstrip('/')}{'?' + query if query else ''}"


#: an http(s) address urllib splits plainly: ASCII with no white space or control
#: characters, a host without brackets, then a path from /, a query and a fragment
_PLAIN_URL = re.compile(
    r"[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9.:@%_~!$&'()*+,;=-]+)((?:/[^?#\x00-\x20\x7f]*)?)"
    r"(?:\?([^#\x00-\x20\x7f]*))?(?:#[^\x00-\x20\x7f]*)?"
)


def _title_words(title: str) -> frozenset[str]:
    return frozenset(_WORD.findall(title.casefold()))


_WORD = re.compile(r"\w+")


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of words the two titles have in common (Jaccard index)."""
    return len(a & b) / len(a | b) if a and b else 0.0
