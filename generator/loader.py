"""Stage 1: find the record files under the content folder and parse them safely."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, Location, display_path
from .schema import SLUG_RE
from .yamlnodes import Node, YamlProblem, decode, parse

if TYPE_CHECKING:
    from .cache import RecordCache

#: ids whose pages would replace one of the site's own (companies/index.md, ...)
RESERVED_IDS = frozenset({"index"})
#: folder under the content root → kind of record it holds
FOLDERS = {"companies": "company", "topics": "topic", "events": "event"}


class SourceFile:
    """One parsed record file, not yet checked against its schema.

    A file checked in an earlier run (see ``cache.py``), or by a second process,
    keeps only its bytes: its tree is parsed again the first time ``root`` is
    asked for, to place a problem that a cross-record rule found in it.
    """

    __slots__ = (
        "_path",
        "_root",
        "digest",
        "display",
        "edit_path",
        "id",
        "kind",
        "modified",
        "parsed",
        "relative",
    )

    def __init__(
        self,
        kind: str,
        id: str,
        path: Path | str,
        display: str,
        root: Node | bytes | None,
        edit_path: str,
        parsed: bool = True,
        *,
        relative: str = "",
        digest: bytes = b"",
        modified: float = 0.0,
    ) -> None:
        self.kind = kind
        self.id = id
        self._path = path
        #: the path as shown in messages (relative to the working directory when possible)
        self.display = display
        #: the tree, or the bytes it is parsed from when first needed
        self._root = root
        #: the path inside the repository, for "edit this record" links: content/events/...
        self.edit_path = edit_path
        #: False when the file could not be read as YAML (its problem is already reported)
        self.parsed = parsed
        #: the path inside the content folder: events/acme/2026-03-19-results.yaml
        self.relative = relative
        #: a digest of the file's bytes: what a page made from the record depends on
        self.digest = digest
        #: the file's modification time when it was read (its date when git has none)
        self.modified = modified

    @property
    def path(self) -> Path:
        """Where the file is (a Path made only when asked: most records never need it)."""
        if isinstance(self._path, str):
            self._path = Path(self._path)
        return self._path

    @property
    def root(self) -> Node | None:
        if isinstance(self._root, bytes):
            # These bytes parsed without a problem before, with the same code.
            self._root = parse(decode(self._root))
        return self._root

    def at(self, line: int = 1, column: int = 1) -> Location:
        return Location(self.display, line, column)

    def __repr__(self) -> str:
        return f"SourceFile({self.kind!r}, {self.id!r}, {self.display!r})"


def load(
    content: Path, cache: RecordCache | None = None
) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every record under ``content``, sorted by path, and the problems met reading them.

    With a cache, a file whose bytes were read before is not parsed again, and the
    others are parsed and checked at once (see ``RecordCache.check_new``).
    """
    files: list[SourceFile] = []
    problems: list[Diagnostic] = []
    if not content.is_dir():
        problems.append(
            Location(display_path(content)).error("content", "content folder does not exist")
        )
        return files, problems
    shown_prefix = _display_prefix(content)
    readable: list[tuple[str, str, str, str, str, bytes, float]] = []
    folder = os.fspath(content)
    inside = os.path.join(folder, "")
    # What a path means (its kind and id, or why it is misplaced) and how it is shown
    # depend on the path alone: a running process works them out once per path.
    placed = cache.placed(shown_prefix) if cache is not None else {}
    listing = _candidates(folder, cache.listing if cache is not None else None)
    if cache is not None:
        cache.listing = listing
    for parts, is_link in listing.files:
        place = placed.get((parts, is_link))
        if place is None:
            relative = "/".join(parts)
            path = inside + relative
            shown = display_path(Path(path)) if shown_prefix is None else shown_prefix + relative
            place = placed[parts, is_link] = (relative, path, shown, _classify(parts, is_link))
        relative, path, shown, kind_id = place
        if isinstance(kind_id, str):
            problems.append(Location(shown).error("layout", kind_id))
            continue
        try:
            data, modified = cache.file_bytes(relative, path) if cache else read_file(path)
        except OSError as exc:
            problems.append(Location(shown).error("io", f"cannot read file: {exc.strerror}"))
            continue
        readable.append((*kind_id, relative, path, shown, data, modified))
    if cache is not None:
        cache.check_new(
            [
                (relative, kind, data)
                for kind, _, relative, _, _, data, _ in readable
                if not cache.known(relative, data)
            ]
        )
    for kind, record_id, relative, path, shown, data, modified in readable:
        kept = cache.source(relative) if cache else None
        if kept is not None and kept.display == shown:
            files.append(kept)
            cache.keep_source(kept)  # type: ignore[union-attr]
            continue
        edit_path = f"{content.name}/{relative}"
        root, problem = cache.read(relative, data) if cache else parse_file(data)
        if problem is not None:
            problems.append(
                Location(shown, problem.line, problem.column).error("yaml", problem.message)
            )
            root = None
        files.append(
            SourceFile(
                kind,
                record_id,
                path,
                shown,
                root,
                edit_path,
                problem is None,
                relative=relative,
                digest=hashlib.blake2b(data, digest_size=16).digest(),
                modified=modified,
            )
        )
        if cache is not None and problem is None:
            cache.keep_source(files[-1])
    return files, problems


def read_file(path: str | Path) -> tuple[bytes, float]:
    """A file's bytes and its modification time, from the one open file."""
    with open(path, "rb") as handle:
        return handle.read(), os.fstat(handle.fileno()).st_mtime


def parse_file(data: bytes) -> tuple[Node | None, YamlProblem | None]:
    """A record file's tree, or the problem that stops it being read as YAML."""
    try:
        return parse(decode(data)), None
    except YamlProblem as exc:
        return None, exc.with_traceback(None)  # no cycle through this frame


def untouched_since(status: os.stat_result) -> tuple[int, int, int, int]:
    """What stays the same while nobody touches a file: its inode, size, and times of
    change to the nanosecond (a change time cannot be set back by hand, so an edit that
    keeps the size and the modification time still changes this). For a folder, this
    changes whenever an entry comes, goes or is renamed."""
    return (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def walk(
    folder: str, folders: list[tuple[str, tuple[int, int, int, int]]] | None = None
) -> Iterator[tuple[tuple[str, ...], os.DirEntry[str]]]:
    """(path parts below ``folder``, entry) of everything under it but folders; each
    folder listed, with what it was like before it was listed, goes into ``folders``.

    Hidden files and folders are skipped, and links are never followed out of the
    folder: a link is listed, for the caller to refuse or skip, but not entered.
    """
    pending: list[tuple[str, tuple[str, ...]]] = [(folder, ())]
    while pending:
        directory, parents = pending.pop()
        try:
            if folders is not None:
                folders.append((directory, untouched_since(os.stat(directory))))
            with os.scandir(directory) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            if entry.name.startswith("."):
                continue
            parts = (*parents, entry.name)
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, parts))
            else:
                yield parts, entry


@dataclass(frozen=True)
class Listing:
    """The files and links under a folder, as (path parts, is a symbolic link), by path;
    and each folder under it, with what it was like before it was listed."""

    folder: str
    files: list[tuple[tuple[str, ...], bool]]
    folders: list[tuple[str, tuple[int, int, int, int]]]

    def holds(self, folder: str) -> bool:
        """Whether this is still the listing of ``folder``: no entry of any of its folders
        came, went or was renamed since (each would be another folder then)."""
        if folder != self.folder:
            return False
        try:
            return all(untouched_since(os.stat(path)) == was for path, was in self.folders)
        except OSError:
            return False


def _candidates(folder: str, last: Listing | None = None) -> Listing:
    """The listing of ``folder``: the ``last`` one while it holds (``kb serve`` lists
    the same folder at every build), else a new one."""
    if last is not None and last.holds(folder):
        return last
    folders: list[tuple[str, tuple[int, int, int, int]]] = []
    files = sorted(
        (parts, entry.is_symlink())
        for parts, entry in walk(folder, folders)
        if entry.is_symlink() or entry.is_file()
    )
    return Listing(folder, files, folders)


def _display_prefix(content: Path) -> str | None:
    """What ``display_path`` shows before a file's path inside ``content``, the same for
    every file; None when the working directory is inside ``content``, where it is not."""
    root = os.path.abspath(content)
    inside = os.path.abspath(Path.cwd())
    if inside != root and inside.startswith(root.rstrip("/") + "/"):
        return None
    shown = display_path(content)
    return "" if shown == "." else f"{shown}/"


def _classify(parts: tuple[str, ...], is_link: bool) -> tuple[str, str] | str:
    """(kind, id) for a record path, or a message saying why it is misplaced."""
    name = parts[-1]
    stem, suffix = _split_suffix(name)
    if is_link:
        return "symbolic links are not allowed in the content folder; copy the file instead"
    if suffix == ".yml":
        return f"record files end in .yaml; rename it to {stem}.yaml"
    if suffix != ".yaml":
        return "not a record: the content folder holds only .yaml files"
    kind = FOLDERS.get(parts[0]) if len(parts) > 1 else None
    expected_depth = 3 if kind == "event" else 2
    if kind is None or len(parts) != expected_depth:
        return (
            "misplaced record: expected content/companies/<id>.yaml, "
            "content/topics/<id>.yaml or content/events/<company-id>/<date>-<slug>.yaml"
        )
    for name in (*parts[1:-1], stem):
        if name in RESERVED_IDS:
            return f"'{name}' is reserved for the site's own pages; choose another id"
        if not SLUG_RE.match(name):
            return (
                f"'{name}' is not a valid id: use lowercase letters, digits and single hyphens,"
                f" like {_suggest_slug(name)}"
            )
    record_id = f"{parts[1]}/{stem}" if kind == "event" else stem
    return kind, record_id


def _split_suffix(name: str) -> tuple[str, str]:
    """A file name's stem and suffix, as ``Path.stem`` and ``Path.suffix`` split them."""
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:
        return name[:dot], name[dot:]
    return name, ""


def _suggest_slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "my-record"
