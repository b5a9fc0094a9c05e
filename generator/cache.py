"""What reading and checking each record file found, kept between runs.

Whether a record file is valid YAML, and its shape check (the record, or its
located problems), depend only on its path inside the content folder, its
bytes and the code that reads and checks it. They are kept in
``.kb-cache/<content folder name>.pickle`` beside the content folder and
reused while all three are unchanged. The Markdown check of a summary depends
only on its text and is kept the same way. The cross-record rules, which
depend on every record and on today's date, always run again.

Messages name a file as seen from the working directory, so problems are
kept without their path and given the path of this run.

A cache file is signed with a key that never leaves this user's own cache
folder (``$XDG_CACHE_HOME`` or ``~/.cache``), so a cache file that arrives
with a pull request is not trusted: it could vouch for records that were never
checked. A cache file that cannot be read, was signed with another key,
written by other code or damaged in any way is ignored and written again;
it never stops a run and never changes what a run reports. Each run rewrites
it with the files of this run only, so it does not grow with deleted files.
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

from .dates import FuzzyDate
from .diagnostics import Diagnostic, Severity
from .markup import SummaryProblem, check_summary
from .write import write_atomic
from .yamlnodes import YamlProblem

if TYPE_CHECKING:
    from .loader import SourceFile
    from .schema import Record

FOLDER = ".kb-cache"
#: changes whenever the layout of a cache file changes
MAGIC = b"kb record cache 1\n"
_SIGNATURE = hashlib.sha256().digest_size
_PICKLE = pickle.HIGHEST_PROTOCOL

Shape = tuple["Record | None", list[Diagnostic]]


class RecordCache:
    """The stored results of one content folder, and those of the current run.

    An entry is (digest of the bytes, YAML problem or None, pickled shape check
    or None), keyed by the path inside the content folder.
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
        self._changed = False
        if file:
            self._read()

    @classmethod
    def beside(cls, content: Path) -> RecordCache:
        """The cache of ``content``, in .kb-cache/ beside it; it starts empty when there is
        no cache file to trust, and is never saved when there is no key to sign it."""
        folder = Path(os.path.abspath(content))
        key = _user_key()
        try:
            fingerprint = code_fingerprint()
        except OSError:
            fingerprint = b""
        if not folder.name or key is None or not fingerprint:
            return cls()
        return cls(folder.parent / FOLDER / f"{folder.name}.pickle", key, fingerprint)

    # --- loading: is this file valid YAML? ----------------------------------------------------

    def known(self, relative: str, data: bytes) -> bool:
        """Whether these bytes at this path were read before; either way, they are kept."""
        digest = hashlib.sha256(data).digest()
        stored = self._stored.get(relative)
        if stored is not None and stored[0] == digest:
            self._entries[relative] = list(stored)
            return True
        self._entries[relative] = [digest, None, None]
        self._changed = True
        return False

    def yaml_problem(self, relative: str) -> YamlProblem | None:
        """The problem that stopped a known file being read as YAML, if any."""
        problem = self._entries[relative][1]
        return YamlProblem(*problem) if problem else None

    def remember_yaml_problem(self, relative: str, problem: YamlProblem | None) -> None:
        if problem is not None:
            self._entries[relative][1] = (problem.message, problem.line, problem.column)

    # --- validation: the shape check and summaries --------------------------------------------

    def shape(self, source: SourceFile, check: Callable[[SourceFile], Shape]) -> Shape:
        """``check(source)``, or what it gave for the same bytes before."""
        entry = self._entries.get(source.relative)
        if entry is None:  # not read through this cache
            return check(source)
        if entry[2] is not None:
            try:
                record, problems = pickle.loads(entry[2])
                return record, [
                    Diagnostic(source.display, line, column, Severity(severity), rule, message)
                    for line, column, severity, rule, message in problems
                ]
            except Exception:  # written by this code, so never expected; check again
                pass
        record, found = check(source)
        if all(problem.path == source.display for problem in found):
            problems = tuple((p.line, p.column, int(p.severity), p.rule, p.message) for p in found)
            entry[2] = _dumps((record, problems))
            self._changed = True
        return record, found

    def check_summary(self, text: str) -> list[SummaryProblem]:
        """``markup.check_summary(text)``, or what it gave for the same text before."""
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        found = self._summaries.get(digest)
        if found is None:
            found = self._stored_summaries.get(digest)
            if found is None:
                found = tuple((p.needle, p.message) for p in check_summary(text))
                self._changed = True
            self._summaries[digest] = found
        return [SummaryProblem(needle, message) for needle, message in found]

    # --- the file -----------------------------------------------------------------------------

    def save(self) -> None:
        """Write this run's entries, and only them, if they differ from the stored ones."""
        unchanged = (
            not self._changed
            and self._entries.keys() == self._stored.keys()
            and self._summaries.keys() == self._stored_summaries.keys()
        )
        if self.file is None or unchanged:
            return
        entries = {relative: tuple(entry) for relative, entry in self._entries.items()}
        body = self._fingerprint + pickle.dumps((entries, self._summaries), _PICKLE)
        try:
            write_atomic(self.file, MAGIC + self._sign(body) + body)
        except OSError:
            return  # a cache that cannot be written is only slower next time

    def _read(self) -> None:
        assert self.file is not None
        try:
            # Not blocking: opening a named pipe put in its place would wait for a writer.
            with open(os.open(self.file, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return
                data = handle.read()
        except OSError:
            return
        start = len(MAGIC) + _SIGNATURE
        signature, body = data[len(MAGIC) : start], data[start:]
        if not data.startswith(MAGIC) or not hmac.compare_digest(signature, self._sign(body)):
            return  # damaged, or not written by this user's kb
        if body[: len(self._fingerprint)] != self._fingerprint:
            return  # written by other code
        try:
            entries, summaries = pickle.loads(body[len(self._fingerprint) :])
        except Exception:  # signed by us with this very code, so never expected
            return
        if isinstance(entries, dict) and isinstance(summaries, dict):
            self._stored, self._stored_summaries = entries, summaries

    def _sign(self, body: bytes) -> bytes:
        return hmac.digest(self._key, body, "sha256")


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, _PICKLE)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(value)
    return buffer.getvalue()


#: Dates are rebuilt by their constructor: three times faster than a dataclass's own way,
#: and every event has several.
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


def _user_key() -> bytes | None:
    """This user's key for signing cache files, made on first use; None when there is
    nowhere to keep it (then nothing is cached)."""
    try:
        base = os.environ.get("XDG_CACHE_HOME", "")
        home = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
        folder = home / "company-events-kb"
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
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return None
