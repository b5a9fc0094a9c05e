"""``kb schema``: keep schema/*.json and CONTRIBUTING.md's field reference generated."""

from __future__ import annotations

from pathlib import Path

from ..json_schema import replace_reference, schema_files
from ..write import write_atomic

GUIDE = "CONTRIBUTING.md"


def expected_files(root: Path) -> dict[str, str]:
    files = dict(schema_files())
    guide = root / GUIDE
    if guide.is_file():
        files[GUIDE] = replace_reference(guide.read_text(encoding="utf-8"))
    return files


def stale_files(root: Path) -> list[str]:
    """Generated files whose committed text differs from what the code generates."""
    stale = []
    for name, text in expected_files(root).items():
        path = root / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale


def write_files(root: Path) -> list[str]:
    written = []
    for name in stale_files(root):
        write_atomic(root / name, expected_files(root)[name].encode("utf-8"))
        written.append(name)
    return written
