"""Pages rendered by earlier builds, kept by what they were made from.

A page's text depends only on the code (the generator's sources and templates, and
the libraries' versions), the settings it is rendered with, and the values its
template is given. Those values are reduced to a key: a record by a digest of its
file's bytes, an event also by its dates and by its companies' and topics' digests
(a page that lists an event shows their names), every other value as it is. A page
whose key is the same as in the last build is taken from the cache instead of being
rendered again; after one edit, that is every page the edit does not show on.

Templates reach the model only through the values they are given and the
Renderer's functions; the functions that look further (an event's companies, for
event lists) look only at what an event's key already holds. A value of a type the
key does not know stops the build (``TypeError``) rather than being left out.

The cache is kept beside the record cache, in this user's cache folder, one file
per content and generated folder, signed and checked the same way (``cache.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from importlib import metadata
from pathlib import Path
from typing import Protocol, TypeVar

import pydantic

from .cache import cache_file, code_fingerprint, read_signed, write_signed
from .config import Settings
from .loader import untouched_since
from .model import Changes, EventEntry, KnowledgeBase
from .write import IN_PLACE, IN_PLACE_DATA

#: changes whenever the layout of a cache file changes
MAGIC = b"kb render cache 2\n"
_PICKLE = pickle.HIGHEST_PROTOCOL
_TEMPLATES = Path(__file__).parent / "templates"

T = TypeVar("T")


class _Entry(Protocol):
    @property
    def id(self) -> str: ...


E = TypeVar("E", bound=_Entry)


class RenderCache:
    """What the last build rendered, by name, with its key; and what this build rendered.

    A page or output file is kept as the digest of its bytes, which are read back from
    the generated folder when its key is unchanged (and rendered again if the file is
    gone or differs); a smaller value, part of a file, is kept whole.
    """

    def __init__(
        self,
        file: Path | None = None,
        key: bytes = b"",
        fingerprint: bytes = b"",
        docs: Path | None = None,
    ) -> None:
        self.file = file
        self.docs = docs
        self._key = key
        self._fingerprint = fingerprint
        self._stored: dict[str, tuple[bytes, object]] = {}
        self._used: dict[str, tuple[bytes, object]] = {}
        # What a forked process rendered, as it sent it: kept pickled (the values are
        # large), unpickled only by the next build, or by a session's (``kb serve``).
        self._sent: list[bytes] = []
        self._sent_read: dict[str, tuple[bytes, object]] | None = None  # _sent, unpickled
        self._stored_used: dict[str, tuple[bytes, object]] = {}
        self._stored_sent: list[bytes] = []
        #: the pages and files taken from the cache by this process: read back from the
        #: generated folder and checked, so writing them again can skip them
        self.verified: set[str] = set()
        self._folder = os.fspath(docs) if docs is not None else ""
        self._inside = os.path.join(self._folder, "") if docs is not None else ""
        # Files whose digest this process checked, by what it found: kept in memory for
        # the next build of the same process (``carried``), never written to the file.
        self._seen: dict[str, tuple[bytes, int, int, int, int]] = {}
        self._seen_now: dict[str, tuple[bytes, int, int, int, int]] = {}
        # What a renderer keeps of its work for the next build of this process, in memory
        # only (``kept`` and ``keep``): the last build's, and this one's.
        self._kept: dict[str, object] = {}
        self._keeping: dict[str, object] = {}
        #: whether this build keeps such state at all: only a running process has a next
        #: build to give it to (``Session.render_cache``)
        self.keeps_state = False
        #: how many pages were taken from the cache in this build (by this process)
        self.pages_reused = 0
        if file:
            self._read(file)

    def _read(self, file: Path) -> None:
        body = read_signed(file, self._key, MAGIC, self._fingerprint)
        if body is None:
            return
        try:
            used, sent = pickle.loads(body)
            stored = dict(used)
            for part in sent:
                stored.update(pickle.loads(part))
        except Exception:  # signed by us with this very code, so never expected
            return
        self._stored, self._stored_used, self._stored_sent = stored, used, list(sent)

    @classmethod
    def for_settings(cls, settings: Settings) -> RenderCache:
        """The cache of this content and generated folder, with these settings; empty when
        there is no cache file to trust, and never saved when there is nowhere to keep it."""
        docs = settings.docs_dir.resolve()
        try:
            file, key = cache_file(os.path.abspath(settings.content), str(docs), suffix=".pages")
            fingerprint = render_fingerprint(settings)
        except (OSError, RuntimeError):  # RuntimeError: no home folder
            return cls()
        return cls(file, key, fingerprint, docs)

    def text(self, path: str, key: bytes, render: Callable[[], str]) -> str:
        """The page at ``path`` of the generated folder, or IN_PLACE when it is there."""
        data, reused = self._file(path, key, lambda: render().encode("utf-8"))
        self.pages_reused += reused
        return IN_PLACE if data is None else data.decode("utf-8")

    def data(self, path: str, key: bytes, render: Callable[[], bytes]) -> bytes:
        """The output file at ``path`` of the generated folder, or IN_PLACE_DATA when it
        is there."""
        data = self._file(path, key, render)[0]
        return IN_PLACE_DATA if data is None else data

    def value(self, name: str, key: bytes, make: Callable[[], T]) -> T:
        """A value kept whole: ``make()``, or what it gave for the same key before."""
        stored = self._stored.get(name)
        value = stored[1] if stored is not None and stored[0] == key else make()
        self._used[name] = (key, value)
        return value  # type: ignore[return-value]

    def each(
        self,
        name: str,
        shared: bytes,
        ids: Sequence[str],
        digest: Callable[[int], bytes],
        make: Callable[[int], T],
        changed: Set[str] | None = None,
    ) -> list[T]:
        """``make(i)`` for the i-th of many entries at once (by their ``ids``), kept under
        one ``name`` with the ``shared`` key of what they all depend on, each by its
        ``digest(i)``; or what the last build made for the same digest. Given the ids of
        the entries ``changed`` since the last build of this process, the others are
        taken as it made them, without their digests."""
        stored = self._stored.get(name)
        before: dict[str, tuple[bytes, T]] = (
            stored[1] if stored is not None and stored[0] == shared else {}  # type: ignore[assignment]
        )
        now: dict[str, tuple[bytes, T]] = {}
        values = []
        for number, entry_id in enumerate(ids):
            kept = before.get(entry_id)
            if kept is None or changed is None or entry_id in changed:
                made = digest(number)
                if kept is None or kept[0] != made:
                    kept = (made, make(number))
            now[entry_id] = kept
            values.append(kept[1])
        self._used[name] = (shared, now)
        return values

    def carry(self, paths: Sequence[str]) -> bool:
        """Take these pages as the last build of this process made them, without their
        keys: the caller knows nothing they show changed. False, with nothing taken, when
        one of them was not made by that build or is not in place as it left it."""
        stored = self._stored
        for path in paths:
            found = stored.get(path)
            if found is None or not self._in_place(path, found[1]):  # type: ignore[arg-type]
                return False
        for path in paths:
            self._used[path] = stored[path]
        self.verified.update(paths)
        self.pages_reused += len(paths)
        return True

    def kept(self, name: str) -> object | None:
        """What a renderer kept under ``name`` in the last build of this process, if any."""
        return self._kept.get(name)

    def keep(self, name: str, state: object) -> None:
        """Keep ``state`` for the next build of this process (never written to the file).
        It must not change afterwards: a build that fails carries the last one's."""
        if self.keeps_state:
            self._keeping[name] = state

    def _file(
        self, path: str, key: bytes, render: Callable[[], bytes]
    ) -> tuple[bytes | None, bool]:
        """The file's bytes and whether they were taken from the cache; None for bytes
        that are in place already, unchanged since this process last wrote or read them."""
        stored = self._stored.get(path)
        if stored is not None and stored[0] == key and self.docs is not None:
            in_place = self._in_place(path, stored[1])
            data = None if in_place else self._read_back(path, stored[1])
            if in_place or data is not None:
                self.verified.add(path)
                self._used[path] = stored
                return data, True
        data = render()
        self._used[path] = (key, _digest(data))
        return data, False

    def _in_place(self, path: str, digest: bytes) -> bool:
        """Whether the file at ``path`` is one this process wrote or read with this
        digest and is untouched since: the same inode, size, and times of change to the
        nanosecond (a change time cannot be set back by hand). Nothing then reads it: the
        write stage skips it, so a rebuild costs a stat, not a read, per unchanged page."""
        seen = self._seen.get(path)
        if seen is None or seen[0] != digest:
            return False
        try:
            status = os.stat(self._inside + path)  # once per page of every rebuild
        except OSError:
            return False
        if (digest, *untouched_since(status)) != seen:
            return False
        self._seen_now[path] = seen
        return True

    def _read_back(self, path: str, digest: bytes) -> bytes | None:
        """The file at ``path`` of the generated folder if it holds what ``digest`` says;
        None if it is gone or was changed by hand (then it is rendered again)."""
        try:
            with open(os.path.join(self._folder, path), "rb") as handle:
                status = os.fstat(handle.fileno())
                data = handle.read()
        except OSError:
            return None
        if _digest(data) != digest:
            return None
        # the next build of this process need not read it
        self._seen_now[path] = (digest, *untouched_since(status))
        return data

    def in_folder(self, paths: Iterable[str]) -> None:
        """These files now hold what this build rendered for them: the next build of this
        process may trust them as it trusts the files it digested."""
        sent = self._sent_entries()
        for path in paths:
            used = sent.get(path) or self._used.get(path)
            if used is None:
                continue
            try:
                status = os.stat(os.path.join(self._folder, path))
            except OSError:
                continue
            self._seen_now[path] = (used[1], *untouched_since(status))

    def taken(self) -> bytes:
        """What this build rendered or took so far, pickled (a forked process sends it)."""
        return pickle.dumps(self._used, _PICKLE)

    def absorb(self, sent: bytes) -> None:
        """Keep what a forked process rendered or took (``taken``), as it is."""
        self._sent.append(sent)
        self._sent_read = None

    def _sent_entries(self) -> dict[str, tuple[bytes, object]]:
        """What forked processes sent, unpickled once (only a session's build needs it)."""
        if self._sent_read is None:
            self._sent_read = {}
            for part in self._sent:
                self._sent_read.update(pickle.loads(part))
        return self._sent_read

    def save(self) -> None:
        """Keep what this build rendered, and only that, if it differs from what is stored."""
        if self.file is None:
            return
        if self._sent == self._stored_sent and self._used == self._stored_used:
            return
        body = pickle.dumps((self._used, self._sent), _PICKLE)
        write_signed(self.file, self._key, MAGIC, self._fingerprint, body)
        self._stored_used, self._stored_sent = self._used, self._sent

    def carried(self) -> RenderCache:
        """The cache for this process's next build (``kb serve``): what this build rendered,
        kept in memory. Its file is written only when asked (``save``)."""
        successor = RenderCache(None, self._key, self._fingerprint, self.docs)
        successor.file = self.file
        successor._stored = dict(self._used)
        successor._stored.update(self._sent_entries())
        # What the file holds, so that saving knows whether it must write.
        successor._stored_used, successor._stored_sent = self._stored_used, self._stored_sent
        successor._seen = self._seen_now
        successor._kept = self._keeping
        successor.keeps_state = self.keeps_state
        return successor


class Memo:
    """What renderers ask: a page, file or value by name and the values it is made from."""

    def __init__(self, cache: RenderCache, keys: Keys, changes: Changes | None = None) -> None:
        self.cache = cache
        self.keys = keys
        #: what changed since the last build of a running process (``model.changes_since``)
        self.changes = changes

    def page(
        self, path: str, template: str, context: Mapping[str, object], render: Callable[[], str]
    ) -> str:
        return self.cache.text(path, self.keys.of(template, path, context), render)

    def file(self, path: str, inputs: Mapping[str, object], render: Callable[[], bytes]) -> bytes:
        return self.cache.data(path, self.keys.of("file", path, inputs), render)

    def value(self, name: str, inputs: Mapping[str, object], make: Callable[[], T]) -> T:
        return self.cache.value(name, self.keys.of("value", name, inputs), make)

    def each(
        self,
        kind: str,
        items: Sequence[E],
        inputs: Mapping[str, object],
        make: Callable[[E], T],
    ) -> list[T]:
        """``make(item)`` for each entry (an event, a company, a topic), or what it gave
        before for the same entry and ``inputs``: kept together under ``kind``, each by
        the entry's digest, with one key of ``inputs`` rather than a key made for each
        (thousands are asked for at once). After the ``changes`` of a running process,
        only the events among them are looked at again."""
        entry = self.keys.entry
        return self.cache.each(
            f"each {kind}",
            self.keys.of("each", kind, inputs),
            [item.id for item in items],
            lambda number: entry(items[number]),
            lambda number: make(items[number]),
            self.changes.events if self.changes is not None else None,
        )

    def entry(self, value: object) -> bytes | None:
        """The digest of an entry of the model, as keys hold it (``Keys.entry``)."""
        return self.keys.entry(value)

    @property
    def keeping(self) -> bool:
        """Whether what a renderer keeps (``keep``) reaches a next build."""
        return self.cache.keeps_state

    def kept(self, name: str) -> object | None:
        return self.cache.kept(name)

    def keep(self, name: str, state: object) -> None:
        self.cache.keep(name, state)

    def carried(self, group: str) -> dict[str, str] | None:
        """The pages of ``group`` (a company's pages, say) as the last build of this
        process made them, or None (see ``RenderCache.carry``)."""
        paths = self.cache.kept(f"pages of {group}")
        if not isinstance(paths, tuple) or not self.cache.carry(paths):
            return None
        self.cache.keep(f"pages of {group}", paths)
        return dict.fromkeys(paths, IN_PLACE)

    def made(self, group: str, pages: Mapping[str, str]) -> None:
        """Say which pages ``group`` made, for the next build to carry (``carried``)."""
        self.cache.keep(f"pages of {group}", tuple(pages))

    def carried_page(self, path: str) -> str | None:
        """The page at ``path`` as the last build of this process made it, or None."""
        return IN_PLACE if self.cache.carry((path,)) else None

    def carried_file(self, path: str) -> bytes | None:
        """The output file at ``path`` as the last build of this process made it, or None."""
        return IN_PLACE_DATA if self.cache.carry((path,)) else None


class NoMemo:
    """Renders everything: a build without the cache."""

    changes: Changes | None = None

    def page(
        self, path: str, template: str, context: Mapping[str, object], render: Callable[[], str]
    ) -> str:
        return render()

    def file(self, path: str, inputs: Mapping[str, object], render: Callable[[], bytes]) -> bytes:
        return render()

    def value(self, name: str, inputs: Mapping[str, object], make: Callable[[], T]) -> T:
        return make()

    def each(
        self,
        kind: str,
        items: Sequence[E],
        inputs: Mapping[str, object],
        make: Callable[[E], T],
    ) -> list[T]:
        return [make(item) for item in items]

    def entry(self, value: object) -> bytes | None:
        return None

    keeping = False

    def kept(self, name: str) -> object | None:
        return None

    def keep(self, name: str, state: object) -> None:
        pass

    def carried(self, group: str) -> dict[str, str] | None:
        return None

    def made(self, group: str, pages: Mapping[str, str]) -> None:
        pass

    def carried_page(self, path: str) -> str | None:
        return None

    def carried_file(self, path: str) -> bytes | None:
        return None


NO_MEMO = NoMemo()


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def render_fingerprint(settings: Settings) -> bytes:
    """A digest of everything besides its values that a page depends on."""
    digest = hashlib.sha256(code_fingerprint())
    for package in ("jinja2", "markupsafe", "nh3"):
        digest.update(f"{metadata.version(package)}\0".encode())
    for template in sorted(_TEMPLATES.rglob("*")):
        if template.is_file():
            digest.update(f"{template.relative_to(_TEMPLATES).as_posix()}\0".encode())
            digest.update(hashlib.sha256(template.read_bytes()).digest())
    for value in (
        settings.site_name,
        settings.site_url,
        settings.edit_base or "",
        str(settings.directory_urls),
    ):
        digest.update(f"{value}\0".encode())
    return digest.digest()


@dataclasses.dataclass(frozen=True)
class KeysCarried:
    """The digests of a build's companies, topics and events, for the next build."""

    companies: dict[str, bytes]
    topics: dict[str, bytes]
    events: dict[str, tuple[EventEntry, bytes]]


class Keys:
    """The key of a page: its template, path and values, records reduced to digests."""

    def __init__(self, kb: KnowledgeBase, previous: KeysCarried | None = None) -> None:
        # By identity: the entries and records of this build's model, alive while it renders.
        self._known: dict[int, object] = {}
        self._frozen: dict[int, tuple[object, object]] = {}
        self._fields: dict[type, tuple[str, ...]] = {}
        # An entry made without a digest (by a test, say) is keyed by its values instead.
        for entry in (*kb.companies.values(), *kb.topics.values()):
            if entry.digest:
                self._known[id(entry)] = self._known[id(entry.record)] = entry.digest
        companies = {key: entry.digest for key, entry in kb.companies.items()}
        topics = {key: entry.digest for key, entry in kb.topics.items()}
        # An event entry of the last build (the model keeps those it would make the same)
        # has the digest it had then, while no company or topic changed.
        before: dict[str, tuple[EventEntry, bytes]] = {}
        if previous is not None and previous.companies == companies and previous.topics == topics:
            before = previous.events
        events: dict[str, tuple[EventEntry, bytes]] = {}
        blake2b = hashlib.blake2b
        for event in kb.events:
            record = event.record
            kept = before.get(event.id)
            if kept is not None and kept[0] is event:
                digest = kept[1]
            else:
                parts = [
                    event.digest,
                    *[companies.get(c, b"") for c in record.companies],
                    *[topics.get(t, b"") for t in record.topics],
                ]
                if not all(parts):
                    continue
                # how many are companies: a company and a topic may have the same bytes
                parts += (b"%d" % len(record.companies), _day(event.added), _day(event.changed))
                digest = blake2b(b"\0".join(parts), digest_size=16).digest()
            events[event.id] = (event, digest)
            self._known[id(event)] = self._known[id(record)] = digest
        #: what the next build of a running process starts from (``previous``)
        self.carried = KeysCarried(companies, topics, events)

    def of(self, template: str, page: str, context: Mapping[str, object]) -> bytes:
        known, plain = self._known, self._plain
        # Records and settings, most values of most keys, are looked up without a call.
        values = [(n, known.get(id(v)) or plain(v)) for n, v in context.items()]
        data = pickle.dumps((template, page, values), _PICKLE)
        return hashlib.blake2b(data, digest_size=16).digest()

    def entry(self, value: object) -> bytes:
        """The digest of one entry of the model (an event, company or topic)."""
        known = self._known.get(id(value))
        if type(known) is bytes:
            return known
        plain = pickle.dumps(self._plain(value), _PICKLE)
        return hashlib.blake2b(plain, digest_size=16).digest()

    def _plain_dataclass(self, value: object, names: tuple[str, ...]) -> object:
        parts = tuple([self._plain(getattr(value, name)) for name in names])
        plain = (type(value).__qualname__, parts)
        if type(value).__dataclass_params__.frozen and all(  # type: ignore[attr-defined]
            part is None or type(part) in _ATOMS for part in parts
        ):
            # Immutable through and through: the same settings go into thousands of
            # keys. Kept by identity, with the value, so no other can take its identity.
            self._known[id(value)] = self._frozen.setdefault(id(value), (value, plain))[1]
        return plain

    def _plain(self, value: object) -> object:
        """``value`` as built-in values that pickle the same way in every run."""
        kind = type(value)
        if value is None or kind in _ATOMS:
            return value
        known = self._known.get(id(value))
        if known is not None:
            return known
        if kind is list or kind is tuple:  # of events, mostly: looked up without a call
            return tuple([self._known.get(id(item)) or self._plain(item) for item in value])
        names = self._fields.get(kind)
        if names is None and dataclasses.is_dataclass(kind):
            names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(kind))
        if names is not None:
            return self._plain_dataclass(value, names)
        if isinstance(value, enum.Enum):
            return (type(value).__qualname__, value.value)
        if isinstance(value, str):  # Markup and other text
            return str(value)
        if isinstance(value, (list, tuple)):
            return tuple(self._plain(item) for item in value)
        if isinstance(value, dict):
            return tuple((self._plain(k), self._plain(v)) for k, v in value.items())
        if isinstance(value, (set, frozenset)):
            return tuple(sorted((self._plain(item) for item in value), key=repr))
        if isinstance(value, dt.date):
            return (type(value).__name__, value.isoformat())
        if isinstance(value, pydantic.BaseModel):
            return (type(value).__qualname__, self._plain(value.model_dump()))
        raise TypeError(f"a page's key cannot hold a value of type {type(value).__name__}")


_ATOMS = frozenset({str, int, float, bool, bytes})


def _day(date: dt.date | None) -> bytes:
    return date.isoformat().encode() if date else b"-"
