"""A safe YAML reader that keeps every value's position.

Records are parsed from PyYAML's event stream (the C parser when present)
into a small tree of positioned nodes. YAML's implicit typing is never
applied: every scalar stays the text the contributor wrote, and each field
decides what that text means. What a YAML 1.1 loader *would* have made of a
plain scalar is kept too, so text fields can warn about ``NO`` or ``3.10``.
Anchors, aliases, tags, duplicate keys, several documents, and oversized or
deeply nested files are refused with a located problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml
from yaml.resolver import Resolver

try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

MAX_BYTES = 256 * 1024
MAX_DEPTH = 12
MAX_NODES = 20_000

_IMPLICIT = Resolver.yaml_implicit_resolvers
#: Characters YAML does not allow in a stream (C0 controls but tab, LF and CR; DEL;
#: C1 controls but NEL; surrogates; the non-characters U+FFFE and U+FFFF).
FORBIDDEN_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
_TYPE_BY_TAG = {
    "tag:yaml.org,2002:str": "text",
    "tag:yaml.org,2002:int": "integer",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "boolean",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:merge": "merge key",
    "tag:yaml.org,2002:value": "text",
}


class YamlProblem(Exception):
    """A file that cannot be read as a record; carries a 1-based position."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


# Nodes are never changed once made, yet not frozen: a frozen dataclass sets each field
# through object.__setattr__, five times slower, and every record makes dozens of nodes.
@dataclass(slots=True)
class Scalar:
    value: str
    line: int
    column: int
    plain: bool
    #: what a YAML 1.1 loader would turn a plain scalar into: text, integer, boolean, ...
    yaml_type: str
    #: a literal (|) or folded (>) block, whose text starts on the next line
    block: bool = False

    @property
    def is_null(self) -> bool:
        return self.plain and self.yaml_type == "null"


@dataclass(slots=True)
class Mapping:
    entries: dict[str, tuple[Scalar, Node]]
    line: int
    column: int


@dataclass(slots=True)
class Sequence:
    items: tuple[Node, ...]
    line: int
    column: int


Node = Scalar | Mapping | Sequence


def decode(data: bytes) -> str:
    """UTF-8 text with an optional byte-order mark; anything else is a located problem."""
    if len(data) > MAX_BYTES:
        raise YamlProblem(f"file is {len(data)} bytes; records are limited to {MAX_BYTES} bytes")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlProblem("file is UTF-16; save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        before = data[line_start : exc.start].decode("utf-8", errors="replace")
        raise YamlProblem(
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
            data.count(b"\n", 0, exc.start) + 1,
            len(before) + 1,
        ) from None
    bad = FORBIDDEN_CHARACTERS.search(text)
    if bad:
        line, column = position(text, bad.start())
        raise YamlProblem(
            f"control character U+{ord(bad.group()):04X} is not allowed; records are plain text",
            line,
            column,
        )
    return text


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]``."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def parse(text: str) -> Node | None:
    """The single document in ``text`` as a node tree (None for an empty file)."""
    parser = _Parser(text)
    try:
        return _Composer(parser.get_event).document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is None:
            raise YamlProblem(f"invalid YAML: {problem}") from None
        raise YamlProblem(f"invalid YAML: {problem}", mark.line + 1, mark.column + 1) from None
    except yaml.YAMLError as exc:
        # Reader errors carry an offset instead of a mark.
        line, column = position(text, getattr(exc, "position", 0) or 0)
        message = str(exc).splitlines()[0]
        raise YamlProblem(f"invalid YAML: {message}", line, column) from None
    except RecursionError:
        raise YamlProblem(f"nesting is deeper than {MAX_DEPTH} levels") from None
    finally:
        parser.dispose()


class _Composer:
    """Builds nodes from events, refusing what records never need.

    This runs once per value of every record, so it dispatches on exact event
    types and keeps lookups local.
    """

    def __init__(self, next_event: Callable[[], yaml.Event]) -> None:
        self._next = next_event
        self._count = 0

    def document(self) -> Node | None:
        self._next()  # StreamStart
        event = self._next()
        if type(event) is yaml.StreamEndEvent:
            return None
        root = self._node(self._next(), 0)
        self._next()  # DocumentEnd
        extra = self._next()
        if type(extra) is yaml.DocumentStartEvent:
            raise YamlProblem(
                "a record file holds one YAML document; remove the second '---'",
                extra.start_mark.line + 1,
                extra.start_mark.column + 1,
            )
        return root

    def _node(self, event: yaml.Event, depth: int) -> Node:
        mark = event.start_mark
        line, column = mark.line + 1, mark.column + 1
        self._count += 1
        if self._count > MAX_NODES:
            raise YamlProblem(f"more than {MAX_NODES} values in one record", line, column)
        if depth > MAX_DEPTH:
            raise YamlProblem(f"nesting is deeper than {MAX_DEPTH} levels", line, column)
        kind = type(event)
        if kind is yaml.AliasEvent:
            raise YamlProblem(
                f"alias '*{event.anchor}' is not allowed; write the value out in full", line, column
            )
        if getattr(event, "anchor", None):
            raise YamlProblem(
                f"anchor '&{event.anchor}' is not allowed; write each value out in full",
                line,
                column,
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            raise YamlProblem(f"tag '{tag}' is not allowed; remove it", line, column)
        if kind is yaml.ScalarEvent:
            style = event.style
            if style:
                return Scalar(event.value, line, column, False, "text", style in ("|", ">"))
            return Scalar(event.value, line, column, True, _implicit_type(event.value))
        if kind is yaml.MappingStartEvent:
            return self._mapping(line, column, depth)
        if kind is yaml.SequenceStartEvent:
            items = []
            next_event, node = self._next, self._node
            while type(item := next_event()) is not yaml.SequenceEndEvent:
                items.append(node(item, depth + 1))
            return Sequence(tuple(items), line, column)
        raise YamlProblem(f"unexpected YAML element {kind.__name__}", line, column)

    def _mapping(self, line: int, column: int, depth: int) -> Mapping:
        entries: dict[str, tuple[Scalar, Node]] = {}
        next_event, node = self._next, self._node
        depth += 1
        while type(key_event := next_event()) is not yaml.MappingEndEvent:
            key = node(key_event, depth)
            if type(key) is not Scalar:
                raise YamlProblem("keys must be plain words", key.line, key.column)
            if key.plain and key.yaml_type == "merge key":
                raise YamlProblem("merge keys ('<<') are not allowed", key.line, key.column)
            if key.value in entries:
                first = entries[key.value][0]
                raise YamlProblem(
                    f"duplicate key '{key.value}' (first defined on line {first.line}); "
                    "keep only one",
                    key.line,
                    key.column,
                )
            entries[key.value] = (key, node(next_event(), depth))
        return Mapping(entries, line, column)


def _implicit_type(value: str) -> str:
    """What a YAML 1.1 loader would make of a plain scalar (PyYAML's own resolver table)."""
    for match, yaml_type in _RESOLVERS.get(value[:1], _RESOLVERS_ANY):
        if match(value):
            return yaml_type
    return "text"


def _resolvers(first: str | None) -> tuple[tuple[Callable[[str], object], str], ...]:
    """The resolver table for plain scalars starting with ``first``, in PyYAML's order."""
    candidates = (*_IMPLICIT.get(first, ()), *_IMPLICIT.get(None, ()))
    return tuple((regexp.match, _TYPE_BY_TAG.get(tag, "text")) for tag, regexp in candidates)


#: PyYAML's implicit resolvers by first character, read once: add_implicit_resolver
#: changes a copy on the loader class it is given, never the base table
_RESOLVERS = {first: _resolvers(first) for first in _IMPLICIT if first is not None}
_RESOLVERS_ANY = _resolvers(None)


def to_python(node: Node | None) -> object:
    """Plain Python data for schema validation: text stays text, null becomes None, and
    a bare scalar that YAML 1.1 would read as something else is a ``YamlText``."""
    if isinstance(node, Scalar):
        return None if node.plain and node.yaml_type == "null" else _text(node)
    if isinstance(node, Mapping):
        return {_text(key): to_python(value) for key, value in node.entries.values()}
    if isinstance(node, Sequence):
        return [to_python(item) for item in node.items]
    return None


def _text(scalar: Scalar) -> str:
    if not scalar.plain or scalar.yaml_type == "text":  # nearly every scalar: plain text
        return scalar.value
    return YamlText(scalar)


class YamlText(str):
    """The text of a bare scalar that YAML 1.1 would read as another type (``NO``,
    ``3.10``, ``2026-03-19``), with its node, so that a text field can refuse it."""

    __slots__ = ("node",)

    def __new__(cls, node: Scalar) -> YamlText:
        obj = str.__new__(cls, node.value)
        obj.node = node
        return obj


def _child(node: Node | None, part: str | int) -> Node | None:
    """The value under ``part`` (a key or an index), or None when there is none."""
    if isinstance(node, Mapping) and isinstance(part, str) and part in node.entries:
        return node.entries[part][1]
    if isinstance(node, Sequence) and isinstance(part, int) and 0 <= part < len(node.items):
        return node.items[part]
    return None


def locate(root: Node | None, loc: tuple[str | int, ...]) -> tuple[int, int]:
    """Line and column of the value at ``loc``, or of its nearest existing parent."""
    node = root
    line, column = (node.line, node.column) if node is not None else (1, 1)
    for part in loc:
        node = _child(node, part)
        if node is None:
            break
        line, column = node.line, node.column
    return line, column


def locate_key(root: Node | None, loc: tuple[str | int, ...]) -> tuple[int, int]:
    """Line and column of the key at the end of ``loc`` (for unknown fields)."""
    node = root
    for part in loc[:-1]:
        node = _child(node, part)
    if loc and isinstance(node, Mapping) and isinstance(loc[-1], str) and loc[-1] in node.entries:
        key = node.entries[loc[-1]][0]
        return key.line, key.column
    return locate(root, loc)
