"""What reading and checking each record file found, kept between runs.

Whether a record file is valid YAML, and its shape check (the record, or its
located problems), depend only on its path inside the content folder, its
bytes and the code that reads and checks it. They are kept in this user's
cache folder, ``$XDG_CACHE_HOME/company-events-kb/`` or
``~/.cache/company-events-kb/``, one file per content folder, and reused
while all three are unchanged, and so is what the rules that look at one
event alone find in it (the Markdown check of its summaries among them). The
cross-record rules, which depend on every record or on today's date, always
run again.

The cache lives outside the repository: nothing that comes with the content
(a pull request, say) can pass for it, and a build writes nothing next to
the content or the site. Only the most recently written caches are kept.

Messages name a file as seen from the working directory, so problems are
kept without their path and given the path of this run.

Files the cache does not know are read and checked in one go, before any
record is built: when there are many and a second CPU, a second process
takes half (on Linux, forked, so it starts in milliseconds with everything
imported) and sends back its results as they would be stored.

Cache files are signed with a key made for this user and kept beside them,
so a cache file copied from another user or machine is not trusted either: it
could vouch for records that were never checked. A cache file that cannot be
read, was signed with another key, written by other code or damaged in any
way is ignored and written again; it never stops a run and never changes what
a run reports. Each run rewrites it with the files of this run only, so it
does not grow with deleted files.
"""

from __future__ import annotations

import copyreg
import hashlib
import hmac
import io
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import markdown
import pydantic
import pydantic_core
import yaml

from . import forked
from .dates import FuzzyDate
from .diagnostics import Diagnostic, Severity
from .loader import Listing, SourceFile, parse_file, read_file, untouched_since
from .markup import SummaryProblem, check_summary
from .rules import Facts, RuleMemo, facts_of, summary_texts
from .schema import Event
from .validate import Checked, check_shape
from .write import write_atomic
from .yamlnodes import Node, YamlProblem

if TYPE_CHECKING:
    from .schema import Record

#: how many cache files are kept (two per content folder: records, and pages in
#: render_cache.py); the least recently written go first
KEEP = 20
#: changes whenever the layout of a cache file changes
MAGIC = b"kb record cache 2\n"
_SIGNATURE = hashlib.sha256().digest_size
_PICKLE = pickle.HIGHEST_PROTOCOL

#: below this many files to check, a second process costs more than it saves
SHARE_FROM = 1000

Shape = tuple["Record | None", list[Diagnostic]]
#: a file's shape check, with its problems' positions but not their path
_Shape = tuple["Record | None", tuple[tuple[int, int, int, str, str], ...]]
#: a path inside the content folder, its path, how it is shown, and (kind, id) or why not
_Place = tuple[str, str, str, "tuple[str, str] | str"]
#: a file, its record if it matched its schema, and the problems found in it alone
_Validated = tuple[SourceFile, "Checked | None", list[Diagnostic]]
#: what checking one file gives: YAML problem, pickled shape check, summaries' checks
_Result = tuple[
    tuple[str, int, int] | None,
    bytes | None,
    tuple[tuple[bytes, tuple[tuple[str, str], ...]], ...],
]


class RecordCache:
    """The stored results of one content folder, and those of the current run.

    An entry is (digest of the bytes, YAML problem or None, pickled shape check
    or None, what the rules that look at one record alone found or None), keyed by
    the path inside the content folder.
    """

    def __init__(
        self, file: Path | None = None, key: bytes = b"", fingerprint: bytes = b""
    ) -> None:
        self.file = file
        self._key = key
        self._fingerprint = fingerprint
        self._stored: dict[str, tuple[bytes, tuple[str, int, int] | None, bytes | None]] = {}
        self._stored_summaries: dict[bytes, tuple[tuple[str, str], ...]] = {}
        self._entries: dict[str, list] = {}
        self._summaries: dict[bytes, tuple[tuple[str, str], ...]] = {}
        # what this run checked, until it is asked for
        self._trees: dict[str, Node | None] = {}
        self._shapes: dict[str, _Shape] = {}
        self._new_summaries: dict[bytes, tuple[tuple[str, str], ...]] = {}
        # shape checks as records, by path and digest: kept by a running process for its
        # next run (``carried``), which then need not unpickle them
        self._checked: dict[str, tuple[bytes, Shape]] = {}
        self._held: dict[str, tuple[bytes, Shape]] = {}
        # what validation made of each file by itself, with the very file it was made of:
        # this run's, and the last run's of this process (``validated``)
        self._validated: dict[str, _Validated] = {}
        self._validated_before: dict[str, _Validated] = {}
        #: whether this run keeps the bytes it reads for the next run of the same process
        self.keeps_files = False
        # the bytes of each file read, by path, with the signature of the file they were
        # read from: this run's, and those the last run of this process kept
        self._files: dict[str, tuple[tuple[int, int, int, int], bytes]] = {}
        self._files_before: dict[str, tuple[tuple[int, int, int, int], bytes]] = {}
        # the files this run found untouched since the last run of this process read them,
        # and the record files it made that read without a problem: this run's, the last's
        self._untouched: set[str] = set()
        self._sources: dict[str, SourceFile] = {}
        self._sources_before: dict[str, SourceFile] = {}
        # what the duplicate rules compare of each event, by path and digest: kept in memory
        # by a running process for its next run (``facts``), never written to the file
        self._facts: dict[str, tuple[bytes, Facts]] = {}
        self._facts_before: dict[str, tuple[bytes, Facts]] = {}
        self._changed = False
        self._listing: Listing | None = None
        #: what the cross-record rules found in groups of records (``rules.RuleMemo``)
        self.rule_memo = RuleMemo()
        self._placed: dict[tuple[tuple[str, ...], bool], _Place] = {}
        self._placed_shown: tuple[str | None, str] | None = None
        if file:
            self._read()

    @classmethod
    def for_content(cls, content: Path) -> RecordCache:
        """The cache of ``content`` in this user's cache folder. It starts empty when there
        is no cache file to trust, and is never saved when there is nowhere to keep it."""
        try:
            file, key = cache_file(os.path.abspath(content))
            fingerprint = code_fingerprint()
        except (OSError, RuntimeError):  # RuntimeError: no home folder
            return cls()
        return cls(file, key, fingerprint)

    # --- loading ------------------------------------------------------------------------------

    @property
    def listing(self) -> Listing | None:
        """The record files the last run of this process found (``loader.Listing``)."""
        return self._listing

    @listing.setter
    def listing(self, listing: Listing) -> None:
        if self.keeps_files:
            self._listing = listing

    def placed(self, shown_prefix: str | None) -> dict[tuple[tuple[str, ...], bool], _Place]:
        """Where the loader places each path (see ``loader.load``), kept by a process that
        keeps its files (``kb serve``) for as long as paths are shown the same way: with
        the same prefix, from the same working directory."""
        if not self.keeps_files:
            return {}
        shown = (shown_prefix, os.getcwd())
        if self._placed_shown != shown:
            self._placed = {}
            self._placed_shown = shown
        return self._placed

    def file_bytes(self, relative: str, path: str) -> tuple[bytes, float]:
        """The bytes of the file at ``path`` and its modification time. A process that
        keeps them (``kb serve``) does not read again a file untouched since its last run
        read it: the same inode, size, and times of change to the nanosecond (a change time
        cannot be set back by hand)."""
        if not self.keeps_files:
            return read_file(path)
        status = os.stat(path)  # before reading: a change made while reading is seen next time
        signature = untouched_since(status)
        before = self._files_before.get(relative)
        if before is not None and before[0] == signature:
            data = before[1]
            self._untouched.add(relative)
        else:
            data = read_file(path)[0]
        self._files[relative] = (signature, data)
        return data, status.st_mtime

    def known(self, relative: str, data: bytes) -> bool:
        """Whether these bytes at this path were read before; either way, they are kept."""
        stored = self._stored.get(relative)
        if stored is not None and relative in self._untouched:
            # the very bytes the last run of this process read, and kept as it found them
            self._entries[relative] = list(stored)
            return True
        digest = hashlib.sha256(data).digest()
        if stored is not None and stored[0] == digest:
            self._entries[relative] = list(stored)
            return True
        self._entries[relative] = [digest, None, None, None]
        self._changed = True
        return False

    def check_new(self, files: list[tuple[str, str, bytes]]) -> None:
        """Read and check the files ``known`` did not know: (path inside the content
        folder, kind of record, bytes). Half of many files goes to a second process."""
        shared = files[len(files) - _share(len(files)) :]
        mine = files[: len(files) - len(shared)]
        helper = _start(shared) if shared else None
        for relative, tree, shape, result in _check_files(mine):
            self._keep(relative, result)
            self._trees[relative] = tree
            if shape is not None:
                self._shapes[relative] = shape
        sent = _results(helper) if helper else None
        if sent is None:  # no second process, or it failed: check its share here
            sent = [(relative, result) for relative, _, _, result in _check_files(shared)]
        for relative, result in sent:
            self._keep(relative, result)

    def source(self, relative: str) -> SourceFile | None:
        """The record file the last run of this process made of this path, if it read
        without a problem and is untouched since: the same file can be used again."""
        return self._sources_before.get(relative) if relative in self._untouched else None

    def keep_source(self, source: SourceFile) -> None:
        """Keep a record file that read without a problem for the next run (``source``)."""
        if self.keeps_files:
            self._sources[source.relative] = source

    def read(self, relative: str, data: bytes) -> tuple[Node | bytes | None, YamlProblem | None]:
        """A known file's tree, or the problem that stops it being read as YAML. Bytes
        that parse are returned as they are when their tree was not built in this run: it is
        built only if a problem has to be placed in it."""
        problem = self._entries[relative][1]
        if problem:
            return None, YamlProblem(*problem)
        return self._trees.pop(relative, data), None

    def _keep(self, relative: str, result: _Result) -> None:
        problem, shape, summaries = result
        entry = self._entries[relative]
        entry[1], entry[2] = problem, shape
        self._new_summaries.update(summaries)

    # --- validation: the shape check and summaries --------------------------------------------

    def shape(self, source: SourceFile, check: Callable[[SourceFile], Shape]) -> Shape:
        """``check(source)``, or what it gave for the same bytes before."""
        entry = self._entries.get(source.relative)
        if entry is None:  # not read through this cache
            return check(source)
        held = self._held.get(source.relative)
        if held is not None and held[0] == entry[0]:
            self._checked[source.relative] = held
            return held[1][0], list(held[1][1])
        known = self._shapes.pop(source.relative, None)
        if known is None and entry[2] is not None:
            try:
                known = pickle.loads(entry[2])
            except Exception:  # written by this code, so never expected; check again
                known = None
        if known is None:
            record, found = check(source)
            if all(problem.path == source.display for problem in found):
                entry[2] = _dumps((record, _without_path(found)))
                self._changed = True
            self._checked[source.relative] = (entry[0], (record, found))
            return record, found
        record, problems = known
        shape = (
            record,
            [
                Diagnostic(source.display, line, column, Severity(severity), rule, message)
                for line, column, severity, rule, message in problems
            ],
        )
        self._checked[source.relative] = (entry[0], shape)
        return shape

    def validated(self, source: SourceFile) -> tuple[Checked | None, list[Diagnostic]] | None:
        """What validation made of this very file by itself in the last run of this process:
        its record, if it matched its schema, and the problems found in it alone. The same
        file (``source``) means the same bytes, path and name in messages."""
        kept = self._validated_before.get(source.relative)
        if kept is None or kept[0] is not source:
            return None
        self._validated[source.relative] = kept
        held = self._held.get(source.relative)
        if held is not None:
            self._checked[source.relative] = held
        return kept[1], kept[2]

    def keep_validated(
        self, source: SourceFile, item: Checked | None, problems: list[Diagnostic]
    ) -> None:
        """Keep what validation made of a file by itself for the next run (``validated``)."""
        if self.keeps_files:
            self._validated[source.relative] = (source, item, problems)

    def record_problems(
        self, item: Checked, check: Callable[[Checked], list[Diagnostic]]
    ) -> list[Diagnostic]:
        """``check(item)``: what the rules that look at one record alone find in it
        (``rules.RECORD_RULES``), or what they found for the same bytes before."""
        source = item.source
        entry = self._entries.get(source.relative)
        if entry is None:  # not read through this cache
            return check(item)
        if entry[3] is None:
            found = check(item)
            if not found or all(problem.path == source.display for problem in found):
                entry[3] = _without_path(found) if found else ()
                self._changed = True
            return found
        return [
            Diagnostic(source.display, line, column, Severity(severity), rule, message)
            for line, column, severity, rule, message in entry[3]
        ]

    def facts(self, item: Checked) -> Facts:
        """``rules.facts_of(item)``, or what it gave for the same bytes in the last run of
        this process."""
        relative = item.source.relative
        entry = self._entries.get(relative)
        if entry is None:  # not read through this cache
            return facts_of(item)
        known = self._facts_before.get(relative)  # asked once per run (RuleContext.facts)
        if known is None or known[0] != entry[0]:
            known = (entry[0], facts_of(item))
        self._facts[relative] = known
        return known[1]

    def check_summary(self, text: str) -> list[SummaryProblem]:
        """``markup.check_summary(text)``, or what it gave for the same text in this process
        (a second process checks the summaries of the files it reads): the rules keep what
        they find with each file, so the checks are not written to the file."""
        digest = _digest(text)
        found = self._summaries.get(digest)
        if found is None:
            found = self._new_summaries.get(digest)
            if found is None:
                found = self._stored_summaries.get(digest)
            if found is None:
                found = tuple((p.needle, p.message) for p in check_summary(text))
            self._summaries[digest] = found
        return [SummaryProblem(needle, message) for needle, message in found]

    # --- the next run of the same process ----------------------------------------------------

    def carried(self) -> RecordCache:
        """The cache for this process's next run (``kb serve``): this run's results, kept
        in memory, with the checked records as they are. Saved only when asked."""
        successor = RecordCache(None, self._key, self._fingerprint)
        successor.file = self.file
        successor._stored = {relative: tuple(entry) for relative, entry in self._entries.items()}
        successor._stored_summaries = self._summaries
        successor._held = self._checked
        successor.keeps_files = self.keeps_files
        successor._files_before = self._files
        successor._sources_before = self._sources
        successor._facts_before = self._facts
        successor._validated_before = self._validated
        successor._placed, successor._placed_shown = self._placed, self._placed_shown
        successor._listing = self._listing
        successor.rule_memo = self.rule_memo.carried()
        successor._changed = self._changed
        return successor

    # --- the file -----------------------------------------------------------------------------

    def save(self) -> None:
        """Write this run's entries, and only them, if they differ from the stored ones."""
        unchanged = not self._changed and self._entries.keys() == self._stored.keys()
        if self.file is None or unchanged:
            return
        entries = {relative: tuple(entry) for relative, entry in self._entries.items()}
        body = pickle.dumps(entries, _PICKLE)
        write_signed(self.file, self._key, MAGIC, self._fingerprint, body)
        self._changed = False

    def _read(self) -> None:
        assert self.file is not None
        body = read_signed(self.file, self._key, MAGIC, self._fingerprint)
        if body is None:
            return
        try:
            entries = pickle.loads(body)
        except Exception:  # signed by us with this very code, so never expected
            return
        if isinstance(entries, dict):
            self._stored = entries


# --- cache files: signed, and tied to the code that wrote them --------------------------------


def read_signed(file: Path, key: bytes, magic: bytes, fingerprint: bytes) -> memoryview | None:
    """The body of a cache file written by ``write_signed`` with the same key, magic and
    fingerprint; None when there is none, or it is damaged, foreign or from other code."""
    try:
        # Not blocking: opening a named pipe put in its place would wait for a writer.
        with open(os.open(file, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            data = handle.read()
    except OSError:
        return None
    start = len(magic) + _SIGNATURE
    signature, body = data[len(magic) : start], memoryview(data)[start:]
    if not data.startswith(magic) or not hmac.compare_digest(signature, _sign(key, body)):
        return None  # damaged, or not written by this user's kb
    if body[: len(fingerprint)] != fingerprint:
        return None  # written by other code
    return body[len(fingerprint) :]


def write_signed(file: Path, key: bytes, magic: bytes, fingerprint: bytes, body: bytes) -> None:
    """Write a cache file, signed; one that cannot be written is only slower next time."""
    signature = hmac.new(key, fingerprint, "sha256")
    signature.update(body)
    try:
        write_atomic(file, b"".join((magic, signature.digest(), fingerprint, body)))
    except OSError:
        return
    _keep_newest(file.parent)


def _sign(key: bytes, body: bytes | memoryview) -> bytes:
    return hmac.digest(key, body, "sha256")


# --- checking new files, here or in a second process ----------------------------------------------


def _check_files(
    files: list[tuple[str, str, bytes]],
) -> list[tuple[str, Node | None, _Shape | None, _Result]]:
    """All that depends on each file alone: its tree, its shape check and what the Markdown
    check finds in its summaries, then the same as it is stored.

    One step at a time for every file: the YAML parser, pydantic and Markdown each run
    faster when they do not take turns (a sixth less time at 10,000 events).
    """
    parsed = [parse_file(data) for _, _, data in files]
    shapes = [
        None if problem else _shape(relative, kind, root)
        for (relative, kind, _), (root, problem) in zip(files, parsed, strict=True)
    ]
    summaries = [_summaries(shape[0]) if shape else () for shape in shapes]
    return [
        (relative, root, shape, (_stored(problem), _dumps(shape) if shape else None, found))
        for (relative, _, _), (root, problem), shape, found in zip(
            files, parsed, shapes, summaries, strict=True
        )
    ]


def _shape(relative: str, kind: str, root: Node | None) -> _Shape | None:
    """The shape check of a file that parsed, its problems kept without the file's path."""
    source = SourceFile(kind, "", Path(relative), "", root, "", relative=relative)
    record, found = check_shape(source)
    if any(problem.path for problem in found):  # never: every problem is in this file
        return None
    return record, _without_path(found)


def _summaries(record: Record | None) -> tuple[tuple[bytes, tuple[tuple[str, str], ...]], ...]:
    """What the Markdown check finds in each summary of an event, by the text's digest."""
    if not isinstance(record, Event):
        return ()
    return tuple(
        (_digest(text), tuple((p.needle, p.message) for p in check_summary(text)))
        for _, text in summary_texts(record)
    )


def _stored(problem: YamlProblem | None) -> tuple[str, int, int] | None:
    return (problem.message, problem.line, problem.column) if problem else None


def _without_path(found: list[Diagnostic]) -> tuple[tuple[int, int, int, str, str], ...]:
    return tuple((p.line, p.column, int(p.severity), p.rule, p.message) for p in found)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _share(count: int) -> int:
    """How many of ``count`` files to leave to a second process: half, when there are
    enough and a second process can run (see forked.py)."""
    return count // 2 if count >= SHARE_FROM and forked.available() else 0


def _start(files: list[tuple[str, str, bytes]]) -> forked.Forked | None:
    """A second process that checks ``files`` and sends back their results."""
    return forked.start(
        lambda: pickle.dumps(
            [(relative, result) for relative, _, _, result in _check_files(files)], _PICKLE
        )
    )


def _results(helper: forked.Forked) -> list[tuple[str, _Result]] | None:
    """What the second process sent, or None if it failed."""
    data = helper.result()
    if data is None:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # cut short: the process was killed
        return None


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, _PICKLE)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(value)
    return buffer.getvalue()


#: Dates are rebuilt by their constructor, faster than a dataclass's own way (which looks
#: its fields up every time), and every event has several.
_REDUCERS = {
    **copyreg.dispatch_table,
    FuzzyDate: lambda date: (FuzzyDate, (date.start, date.end, date.precision)),
}


def code_fingerprint() -> bytes:
    """A digest of everything besides a file that its results depend on: the generator's
    source files and the versions of Python and of the libraries that read and check."""
    digest = hashlib.sha256(MAGIC)
    for version in (
        sys.version,
        yaml.__version__,
        _libyaml_version(),
        pydantic.VERSION,
        pydantic_core.__version__,
        markdown.__version__,
    ):
        digest.update(f"{version}\0".encode())
    package = Path(__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(f"{source.relative_to(package).as_posix()}\0".encode())
        digest.update(hashlib.sha256(source.read_bytes()).digest())
    return digest.digest()


def _libyaml_version() -> str:
    """The C library behind PyYAML's parser, whose messages a YAML problem quotes."""
    try:
        from yaml import _yaml
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        return "no libyaml"
    return _yaml.get_version_string()


def cache_file(*where: str, suffix: str = "") -> tuple[Path, bytes]:
    """The cache file of the folders ``where`` (absolute paths, the content folder first)
    in this user's cache folder, and the key to sign it with."""
    folder = user_folder()
    digest = hashlib.sha256(os.fsencode("\0".join(where))).hexdigest()[:16]
    name = Path(where[0]).name or "root"
    return folder / f"{name}-{digest}{suffix}.pickle", _user_key(folder)


def user_folder() -> Path:
    """Where this user's caches and their key are kept."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "company-events-kb"


def _user_key(folder: Path) -> bytes:
    """This user's key for signing cache files, made on first use."""
    path = folder / "cache-key"
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    if len(key) == _SIGNATURE:
        return key
    folder.mkdir(parents=True, exist_ok=True)
    key = os.urandom(_SIGNATURE)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".cache-key.")  # mode 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(key)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise
    return key


def _keep_newest(folder: Path) -> None:
    """Remove all but the ``KEEP`` most recently written cache files."""
    written = []
    for path in folder.glob("*.pickle"):
        try:
            written.append((path.stat().st_mtime_ns, path))
        except OSError:  # removed meanwhile by another run
            continue
    for _, path in sorted(written, reverse=True)[KEEP:]:
        try:
            path.unlink()
        except OSError:
            continue
