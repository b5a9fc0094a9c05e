"""Stage 5: make the generated docs folder hold exactly the rendered pages.

Only files whose content changed are rewritten (each through a temporary file
and an atomic rename), and files no longer rendered are removed, so a deleted
record disappears and a watching server reloads only what changed.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path


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
    folder: Path, pages: dict[str, str | bytes], known: Set[str] = frozenset()
) -> WriteReport:
    """Write ``pages`` into ``folder`` and remove what else it holds. Names in ``known``
    were just read from the folder and found as they should be: they are not read again."""
    try:
        return _sync(folder, pages, known)
    except OSError as exc:
        raise WriteError(f"cannot write the generated pages in {folder}: {why(exc)}") from None


def why(exc: OSError) -> str:
    """What stopped a folder or file being made, in words: making folders says "File
    exists" or "Not a directory" when a file is on the way, so that file is named."""
    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and exc.filename:
        path = Path(os.fsdecode(exc.filename))
        found = next((p for p in (path, *path.parents) if p.exists()), None)
        if found is not None and not found.is_dir():
            return f"{found} is not a folder"
    return exc.strerror or str(exc)


def _sync(folder: Path, pages: dict[str, str | bytes], known: Set[str]) -> WriteReport:
    folder.mkdir(parents=True, exist_ok=True)
    unchanged = 0
    written: list[str] = []
    for name, text in pages.items():
        if name in known:
            unchanged += 1
            continue
        if isinstance(text, InPlace | InPlaceData):  # a bug: its bytes were never read
            raise RuntimeError(f"{name} is said to be in place, but was not checked")
        path = folder / name
        data = text if isinstance(text, bytes) else text.encode("utf-8")  # one at a time
        if path.is_file() and path.read_bytes() == data:
            unchanged += 1
            continue
        write_atomic(path, data)
        written.append(name)
    removed: list[str] = []
    # Bottom-up, so that a folder is seen after what it holds (and left empty by it).
    for where, _, names in os.walk(folder, topdown=False):
        inside = os.path.relpath(where, folder).replace(os.sep, "/")
        prefix = "" if inside == "." else inside + "/"
        for name in sorted(names):
            if prefix + name not in pages:
                os.unlink(os.path.join(where, name))
                removed.append(prefix + name)
        if where != str(folder) and not os.listdir(where):
            os.rmdir(where)
    return WriteReport(
        len(written), len(removed), unchanged, tuple(written), tuple(sorted(removed))
    )


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
