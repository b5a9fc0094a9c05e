"""Stage 1: find the record files under the content folder and parse them safely."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, Location, display_path
from .schema import SLUG_RE
from .yamlnodes import Node, YamlProblem, decode, parse

#: ids whose pages would replace one of the site's own (companies/index.md, ...)
RESERVED_IDS = frozenset({"index"})
#: folder under the content root → kind of record it holds
FOLDERS = {"companies": "company", "topics": "topic", "events": "event"}


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One parsed record file, not yet checked against its schema."""

    kind: str
    id: str
    path: Path
    #: the path as shown in messages (relative to the working directory when possible)
    display: str
    root: Node | None
    #: the path inside the repository, for "edit this record" links: content/events/...
    edit_path: str
    #: False when the file could not be read as YAML (its problem is already reported)
    parsed: bool = True

    def at(self, line: int = 1, column: int = 1) -> Location:
        return Location(self.display, line, column)


def load(content: Path) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every record under ``content``, sorted by path, and the problems met reading them."""
    files: list[SourceFile] = []
    problems: list[Diagnostic] = []
    if not content.is_dir():
        problems.append(
            Location(display_path(content)).error("content", "content folder does not exist")
        )
        return files, problems
    for path in sorted(_candidates(content)):
        shown = display_path(path)
        kind_id = _classify(content, path)
        if isinstance(kind_id, str):
            problems.append(Location(shown).error("layout", kind_id))
            continue
        kind, record_id = kind_id
        edit_path = f"{content.name}/{path.relative_to(content).as_posix()}"
        try:
            root = parse(decode(path.read_bytes()))
        except YamlProblem as exc:
            problems.append(Location(shown, exc.line, exc.column).error("yaml", exc.message))
            files.append(SourceFile(kind, record_id, path, shown, None, edit_path, parsed=False))
            continue
        except OSError as exc:
            problems.append(Location(shown).error("io", f"cannot read file: {exc.strerror}"))
            continue
        files.append(SourceFile(kind, record_id, path, shown, root, edit_path))
    return files, problems


def _candidates(content: Path) -> Iterator[Path]:
    """Files under ``content``, skipping hidden ones, never following links out of it."""
    for path in content.rglob("*"):
        relative = path.relative_to(content)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_symlink() or path.is_file():
            yield path


def _classify(content: Path, path: Path) -> tuple[str, str] | str:
    """(kind, id) for a record path, or a message saying why it is misplaced."""
    parts = path.relative_to(content).parts
    if path.is_symlink():
        return "symbolic links are not allowed in the content folder; copy the file instead"
    if path.suffix == ".yml":
        return f"record files end in .yaml; rename it to {path.stem}.yaml"
    if path.suffix != ".yaml":
        return "not a record: the content folder holds only .yaml files"
    kind = FOLDERS.get(parts[0]) if len(parts) > 1 else None
    expected_depth = 3 if kind == "event" else 2
    if kind is None or len(parts) != expected_depth:
        return (
            "misplaced record: expected content/companies/<id>.yaml, "
            "content/topics/<id>.yaml or content/events/<company-id>/<date>-<slug>.yaml"
        )
    for name in (*parts[1:-1], path.stem):
        if name in RESERVED_IDS:
            return f"'{name}' is reserved for the site's own pages; choose another id"
        if not SLUG_RE.match(name):
            return (
                f"'{name}' is not a valid id: use lowercase letters, digits and single hyphens,"
                f" like {_suggest_slug(name)}"
            )
    record_id = f"{parts[1]}/{path.stem}" if kind == "event" else path.stem
    return kind, record_id


def _suggest_slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "my-record"
