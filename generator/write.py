"""Stage 5: make the generated docs folder hold exactly the rendered pages.

Only files whose content changed are rewritten (each through a temporary file
and an atomic rename), and files no longer rendered are removed, so a deleted
record disappears and a watching server reloads only what changed.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterator, Set
from dataclasses import dataclass
from pathlib import Path

from .loader import untouched_since


class InPlace(str):
    """A page already in the folder as it should be, told by the render cache without
    reading it back: only ever given with its name among ``sync_folder``'s ``known``."""


class InPlaceData(bytes):
    """An output file already in the folder as it should be (see ``InPlace``)."""


IN_PLACE = InPlace()
IN_PLACE_DATA = InPlaceData()


@dataclass(frozen=True)
class WriteReport:
    written: int
    removed: int
    unchanged: int
    #: the files written and removed, by their paths inside the folder
    written_files: tuple[str, ...] = ()
    removed_files: tuple[str, ...] = ()


class WriteError(Exception):
    """The generated folder cannot be written (a file in the way, no space, no right)."""


def sync_folder(
    folder: Path,
    pages: dict[str, str | bytes],
    known: Set[str] = frozenset(),
    scan: Scan | None = None,
) -> WriteReport:
    """Write ``pages`` into ``folder`` and remove what else it holds. Names in ``known``
    were just read from the folder and found as they should be: they are not read again.
    A ``scan`` kept from the last write (by a running process) lists again only the
    folders whose entries changed since."""
    try:
        return _sync(folder, pages, known, scan or Scan())
    except OSError as exc:
        raise WriteError(f"cannot write the generated pages in {folder}: {why(exc)}") from None


class Scan:
    """What each folder under the generated folder held when it was last listed.

    A folder's own status (``loader.untouched_since``) changes whenever an entry in it
    comes, goes or is renamed, so a folder whose status is the same holds the same
    names: only the others are listed again. A new ``Scan`` lists every folder.
    """

    def __init__(self) -> None:
        self._listed: dict[str, tuple[tuple[int, int, int, int], list[str], list[str]]] = {}

    def walk(self, top: str) -> Iterator[tuple[str, list[str]]]:
        """(folder, names of what it holds but folders) of ``top`` and every folder under
        it that is not a link, each after the folders it holds, as ``os.walk`` goes
        bottom-up."""
        listed: dict[str, tuple[tuple[int, int, int, int], list[str], list[str]]] = {}
        pending: list[tuple[str, bool]] = [(top, False)]
        while pending:
            where, seen = pending.pop()
            if seen:
                yield where, listed[where][2]
                continue
            try:
                status = untouched_since(os.stat(where))  # before listing: see loader.walk
            except OSError:
                continue
            kept = self._listed.get(where)
            if kept is None or kept[0] != status:
                try:
                    kept = (status, *self._list(where))
                except OSError:  # gone since, or not to be read: as os.walk, passed over
                    continue
            listed[where] = kept
            pending.append((where, True))
            pending.extend((os.path.join(where, name), False) for name in reversed(kept[1]))
        self._listed = listed

    @staticmethod
    def _list(where: str) -> tuple[list[str], list[str]]:
        """The folders to go into (not links) and the names of all else, as os.walk
        tells them apart."""
        folders, others = [], []
        with os.scandir(where) as entries:
            for entry in entries:
                try:
                    is_folder = entry.is_dir()
                except OSError:
                    is_folder = False
                if not is_folder:
                    others.append(entry.name)
                elif not entry.is_symlink():
                    folders.append(entry.name)
        return folders, others


def why(exc: OSError) -> str:
    """What stopped a folder or file being made, in words: making folders says "File
    exists" or "Not a directory" when a file is on the way, so that file is named."""
    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and exc.filename:
        path = Path(os.fsdecode(exc.filename))
        found = next((p for p in (path, *path.parents) if p.exists()), None)
        if found is not None and not found.is_dir():
            return f"{found} is not a folder"
    return exc.strerror or str(exc)


def _sync(folder: Path, pages: dict[str, str | bytes], known: Set[str], scan: Scan) -> WriteReport:
    if not known and _empty(folder):
        report = _fill_new(folder, pages)
        if report is not None:
            return report
    folder.mkdir(parents=True, exist_ok=True)
    unchanged = 0
    written: list[str] = []
    for name, text in pages.items():
        if name in known:
            unchanged += 1
            continue
        path = folder / name
        data = _encoded(name, text)
        if _holds(path, data):
            unchanged += 1
            continue
        write_atomic(path, data)
        written.append(name)
    removed: list[str] = []
    # Bottom-up, so that a folder is seen after what it holds (and left empty by it).
    top = os.fspath(folder)
    for where, names in scan.walk(top):
        inside = os.path.relpath(where, top).replace(os.sep, "/")
        prefix = "" if inside == "." else inside + "/"
        gone = [name for name in names if prefix + name not in pages]
        for name in sorted(gone):
            os.unlink(os.path.join(where, name))
            removed.append(prefix + name)
        if where != top and (gone or not names) and not os.listdir(where):
            os.rmdir(where)
    return WriteReport(
        len(written), len(removed), unchanged, tuple(written), tuple(sorted(removed))
    )


def _holds(path: Path, data: bytes) -> bool:
    """Whether the file at ``path`` holds ``data``; read only when its size says it may
    (the data files of every event change in size with most edits: 33 MB at 10,000)."""
    try:
        status = os.stat(path)
    except OSError:
        return False
    return (
        stat.S_ISREG(status.st_mode) and status.st_size == len(data) and path.read_bytes() == data
    )


def _encoded(name: str, text: str | bytes) -> bytes:
    """The bytes to write for a page, encoded one at a time (never the whole site at once)."""
    if isinstance(text, InPlace | InPlaceData):  # a bug: its bytes were never read
        raise RuntimeError(f"{name} is said to be in place, but was not checked")
    return text if isinstance(text, bytes) else text.encode("utf-8")


def _empty(folder: Path) -> bool:
    """Whether ``folder`` is missing or an empty folder (a first build), not a link."""
    try:
        if folder.is_symlink():
            return False
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except FileNotFoundError:
        return True
    except OSError:  # a file in the way, say: the usual way names it
        return False


def _fill_new(folder: Path, pages: dict[str, str | bytes]) -> WriteReport | None:
    """Write every page into a new folder beside ``folder``, then rename it into place.

    Nothing can see the folder half written, so no file needs a temporary copy and a
    rename of its own (a first build of 10,000 events makes 13,000 files). If writing
    fails, the new folder goes and ``folder`` is as it was. None when the new folder
    cannot be made or moved there (a parent that cannot be written, ``folder`` a mount
    point): then the files are written one by one, the usual way.
    """
    staging = folder.with_name(staging_prefix(folder, "writing") + secrets.token_hex(4))
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned(folder, "writing")
        staging.mkdir()  # with the mode the folder itself would have been made with
    except OSError:
        return None
    try:
        made = {""}
        for name, text in pages.items():
            data = _encoded(name, text)
            parent = name.rpartition("/")[0]
            if parent not in made:
                os.makedirs(os.path.join(staging, parent), exist_ok=True)
                made.add(parent)
            fd = os.open(os.path.join(staging, name), _NEW_FILE, 0o644)
            with open(fd, "wb") as handle:
                os.fchmod(fd, 0o644)  # whatever the umask, as write_atomic leaves files
                handle.write(data)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        os.replace(staging, folder)  # folder is missing or empty: the rename replaces it
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        return None
    return WriteReport(len(pages), 0, 0, tuple(pages), ())


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def staging_prefix(target: Path, doing: str) -> str:
    """How the name of a folder made beside ``target`` while ``doing`` it begins: with the
    process's id, so that ``remove_abandoned`` knows when it is left over."""
    return f".{target.name}.{doing}-{os.getpid()}-"


def remove_abandoned(target: Path, doing: str) -> None:
    """Delete the folders that processes since killed left beside ``target`` while
    ``doing`` it (named by ``staging_prefix``): no process of theirs is running."""
    for folder in target.parent.glob(f".{target.name}.{doing}-*"):
        pid = folder.name.removeprefix(f".{target.name}.{doing}-").split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_file(path: Path, root: Path) -> None:
    """Remove ``path`` and the folders it leaves empty, up to ``root``."""
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
