"""The safe positioned YAML reader: decoding, refusals, positions and implicit types."""

from __future__ import annotations

import pytest

from generator.yamlnodes import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    Mapping,
    Scalar,
    Sequence,
    YamlProblem,
    YamlText,
    decode,
    locate,
    locate_key,
    parse,
    to_python,
)


def problem_of(func, arg) -> tuple[str, int, int]:
    with pytest.raises(YamlProblem) as info:
        func(arg)
    return info.value.message, info.value.line, info.value.column


def value_of(text: str, key: str = "k") -> Scalar:
    root = parse(text)
    assert isinstance(root, Mapping)
    node = root.entries[key][1]
    assert isinstance(node, Scalar)
    return node


# --- decode -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"a: 1\n", "a: 1\n"),
        (b"\xef\xbb\xbfa: 1\n", "a: 1\n"),
        (
            "name: Caf\u00e9 M\u00fcller \u2014 \u6f22\u5b57\n".encode(),
            "name: Caf\u00e9 M\u00fcller \u2014 \u6f22\u5b57\n",
        ),
        (b"", ""),
        (b"\xef\xbb\xbf", ""),
        (b"a: 1\r\nb: 2\r\n", "a: 1\r\nb: 2\r\n"),
    ],
)
def test_decode_accepts_utf8_with_or_without_bom(data: bytes, text: str) -> None:
    assert decode(data) == text


@pytest.mark.parametrize(
    "data",
    [
        "a: \u00fc\n".encode("utf-16"),
        b"\xff\xfe" + "a: \u00fc\n".encode("utf-16-le"),
        b"\xfe\xff" + "a: 1\n".encode("utf-16-be"),
        b"\xff\xfe\x00\x00a\x00\x00\x00",
    ],
)
def test_decode_refuses_utf16(data: bytes) -> None:
    assert problem_of(decode, data) == ("file is UTF-16; save it as UTF-8", 1, 1)


@pytest.mark.parametrize(
    ("data", "byte", "line", "column"),
    [
        (b"\xe9", "0xe9", 1, 1),
        (b"a: caf\xe9\n", "0xe9", 1, 7),
        (b"a: 1\nb: caf\xe9\n", "0xe9", 2, 7),
        (b"a: 1\nb: x\xffy\n", "0xff", 2, 5),
        (b"a: 1\r\nb: \xff\n", "0xff", 2, 4),
        (b"a: 1\n\n\nzz: \xc3", "0xc3", 4, 5),
        # the column counts characters, as every other position does: 'a: ü' is 4 characters
        (b"a: \xc3\xbc\xff\n", "0xff", 1, 5),
        (b"k: \xe6\xbc\xa2\xe5\xad\x97\x80\n", "0x80", 1, 6),
    ],
)
def test_decode_locates_invalid_utf8(data: bytes, byte: str, line: int, column: int) -> None:
    message = f"byte {byte} is not valid UTF-8; save the file as UTF-8"
    assert problem_of(decode, data) == (message, line, column)


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b"\x00", 1, 1),
        (b"a: \x00\n", 1, 4),
        (b"a: 1\nb: x\x00\n", 2, 5),
        (b"\xef\xbb\xbfa: \x00\n", 1, 4),
    ],
)
def test_decode_refuses_and_locates_nul(data: bytes, line: int, column: int) -> None:
    message = "control character U+0000 is not allowed; records are plain text"
    assert problem_of(decode, data) == (message, line, column)


def test_decode_size_limit() -> None:
    assert MAX_BYTES == 256 * 1024
    assert decode(b"x" * MAX_BYTES) == "x" * MAX_BYTES
    assert problem_of(decode, b"x" * (MAX_BYTES + 1)) == (
        "file is 262145 bytes; records are limited to 262144 bytes",
        1,
        1,
    )


def test_size_is_checked_before_encoding() -> None:
    data = b"\xff\xfe" + b"x" * MAX_BYTES
    assert problem_of(decode, data) == (
        "file is 262146 bytes; records are limited to 262144 bytes",
        1,
        1,
    )


# --- parse: empty documents and syntax errors -----------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "   \n# c\n"])
def test_empty_document_is_none(text: str) -> None:
    assert parse(text) is None


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("a: [1\n", "invalid YAML: did not find expected ',' or ']'", 2, 1),
        ("a: b: c\n", "invalid YAML: mapping values are not allowed in this context", 1, 5),
        ("key: 'x\n", "invalid YAML: found unexpected end of stream", 2, 1),
        ("\ta: 1\n", "invalid YAML: found character that cannot start any token", 1, 1),
        ("a:\n  - b\n - c\n", "invalid YAML: did not find expected key", 3, 2),
        ("...\n", "invalid YAML: did not find expected node content", 1, 1),
        ("a: \U0001f600\nb: [\n", "invalid YAML: did not find expected node content", 3, 1),
        ("a: 1\r\nb: {\r\n", "invalid YAML: did not find expected node content", 3, 1),
    ],
)
def test_parse_errors_are_located(text: str, message: str, line: int, column: int) -> None:
    assert problem_of(parse, text) == (message, line, column)


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ("a: 1\nb: x\x01y\n", "#x0001", 2, 5),
        ("a: '\x1b'\n", "#x001b", 1, 5),
        ("k: \x7f\n", "#x007f", 1, 4),
    ],
)
def test_control_character_is_located_with_a_one_line_message(
    text: str, code: str, line: int, column: int
) -> None:
    message = f"invalid YAML: unacceptable character {code}: control characters are not allowed"
    assert problem_of(parse, text) == (message, line, column)


# --- parse: refused constructs --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        (
            "a: 1\na: 2\n",
            "duplicate key 'a' (first defined on line 1); keep only one",
            2,
            1,
        ),
        (
            "name: x\nother: y\n\nname: z\n",
            "duplicate key 'name' (first defined on line 1); keep only one",
            4,
            1,
        ),
        (
            "a:\n  b: c\n  b: d\n",
            "duplicate key 'b' (first defined on line 2); keep only one",
            3,
            3,
        ),
        (
            "a:\n  - b: 1\n    b: 2\n",
            "duplicate key 'b' (first defined on line 2); keep only one",
            3,
            5,
        ),
        ("{a: 1, a: 2}", "duplicate key 'a' (first defined on line 1); keep only one", 1, 8),
        (
            "'1': x\n1: y\n",
            "duplicate key '1' (first defined on line 1); keep only one",
            2,
            1,
        ),
        (
            "a: 1\r\nb: 2\r\na: 3\r\n",
            "duplicate key 'a' (first defined on line 1); keep only one",
            3,
            1,
        ),
        (
            "x: 1\n? y\n: 2\n? x\n",
            "duplicate key 'x' (first defined on line 1); keep only one",
            4,
            3,
        ),
        (
            "a: \u00fc\n\u00fc: 1\n\u00fc: 2\n",
            "duplicate key '\u00fc' (first defined on line 2); keep only one",
            3,
            1,
        ),
    ],
)
def test_duplicate_keys(text: str, message: str, line: int, column: int) -> None:
    assert problem_of(parse, text) == (message, line, column)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        (
            "a: &x 1\nb: *x\n",
            "anchor '&x' is not allowed; write each value out in full",
            1,
            4,
        ),
        ("a: &x\n", "anchor '&x' is not allowed; write each value out in full", 1, 4),
        (
            "a:\n  - &item {b: 1}\n",
            "anchor '&item' is not allowed; write each value out in full",
            2,
            5,
        ),
        ("a: *x\n", "alias '*x' is not allowed; write the value out in full", 1, 4),
        ("- *first\n", "alias '*first' is not allowed; write the value out in full", 1, 3),
        ("a: !!str 1\n", "tag 'tag:yaml.org,2002:str' is not allowed; remove it", 1, 4),
        ("a: !foo 1\n", "tag '!foo' is not allowed; remove it", 1, 4),
        (
            "a: !<tag:yaml.org,2002:int> 1\n",
            "tag 'tag:yaml.org,2002:int' is not allowed; remove it",
            1,
            4,
        ),
        (
            "a:\n  b: !!binary aGk=\n",
            "tag 'tag:yaml.org,2002:binary' is not allowed; remove it",
            2,
            6,
        ),
        ("!!map {a: 1}\n", "tag 'tag:yaml.org,2002:map' is not allowed; remove it", 1, 1),
        ("<<: {a: 1}\n", "merge keys ('<<') are not allowed", 1, 1),
        ("a: 1\n<<: *x\n", "merge keys ('<<') are not allowed", 2, 1),
        ("b:\n  <<: {a: 1}\n", "merge keys ('<<') are not allowed", 2, 3),
        (
            "a: 1\n---\nb: 2\n",
            "a record file holds one YAML document; remove the second '---'",
            2,
            1,
        ),
        (
            "a: 1\n---\n",
            "a record file holds one YAML document; remove the second '---'",
            2,
            1,
        ),
        (
            "---\n---\n",
            "a record file holds one YAML document; remove the second '---'",
            2,
            1,
        ),
        (
            "a: 1\n...\n---\nb: 1\n",
            "a record file holds one YAML document; remove the second '---'",
            3,
            1,
        ),
        ("? [a]\n: 1\n", "keys must be plain words", 1, 3),
        ("{[a]: 1}", "keys must be plain words", 1, 2),
        ("? {a: b}\n: 1\n", "keys must be plain words", 1, 3),
    ],
)
def test_refused_constructs(text: str, message: str, line: int, column: int) -> None:
    assert problem_of(parse, text) == (message, line, column)


@pytest.mark.parametrize(
    "text",
    [
        "---\na: 1\n...\n",
        "%YAML 1.1\n---\na: 1\n",
        "a: ! x\n",
        '"<<": 1\n',
        "'<<': 1\n",
    ],
)
def test_allowed_constructs(text: str) -> None:
    assert isinstance(parse(text), Mapping)


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    root = parse('"<<": 1\n')
    assert isinstance(root, Mapping)
    key, value = root.entries["<<"]
    assert key == Scalar("<<", 1, 1, False, "text")
    assert value == Scalar("1", 1, 7, True, "integer")


# --- parse: size and depth limits -----------------------------------------------


def nested_lists(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_depth_limit_boundary() -> None:
    assert MAX_DEPTH == 12
    # the root is depth 0: MAX_DEPTH + 1 nested nodes are still fine
    root = parse(nested_lists(MAX_DEPTH + 1))
    depth = 0
    while isinstance(root, Sequence) and root.items:
        root = root.items[0]
        depth += 1
    assert depth == MAX_DEPTH
    assert problem_of(parse, nested_lists(MAX_DEPTH + 2)) == (
        "nesting is deeper than 12 levels",
        1,
        14,
    )


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: " + nested_lists(13), 1, 16),
        ("- " * 13 + "x", 1, 27),
        ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 14)), 13, 25),
    ],
)
def test_too_deep_is_located(text: str, line: int, column: int) -> None:
    assert problem_of(parse, text) == ("nesting is deeper than 12 levels", line, column)


def test_very_deep_flow_nesting_is_a_problem_not_a_crash() -> None:
    message, line, column = problem_of(parse, nested_lists(5000))
    assert message in (
        "nesting is deeper than 12 levels",
        "invalid YAML: exceeded maximum nesting depth",
    )
    assert line == 1
    assert column >= MAX_DEPTH


def test_node_limit() -> None:
    assert MAX_NODES == 20_000
    # the sequence itself is one node
    ok = "[" + ",".join("1" * 1 for _ in range(MAX_NODES - 1)) + "]"
    assert isinstance(parse(ok), Sequence)
    too_many = "[" + ",".join("1" for _ in range(MAX_NODES)) + "]"
    assert problem_of(parse, too_many) == ("more than 20000 values in one record", 1, 40000)


def test_node_limit_counts_keys() -> None:
    text = "\n".join(f"k{i}: v" for i in range(MAX_NODES // 2 + 1))
    assert problem_of(parse, text) == ("more than 20000 values in one record", 10000, 8)


# --- implicit types -------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "yaml_type"),
    [
        ("NO", "boolean"),
        ("no", "boolean"),
        ("Yes", "boolean"),
        ("on", "boolean"),
        ("OFF", "boolean"),
        ("true", "boolean"),
        ("False", "boolean"),
        ("y", "text"),
        ("n", "text"),
        ("3.10", "number"),
        (".inf", "number"),
        ("-.Inf", "number"),
        (".nan", "number"),
        ("1.5e+3", "number"),
        ("1.5e3", "text"),
        ("1e3", "text"),
        ("012", "integer"),
        ("0x1F", "integer"),
        ("1_000", "integer"),
        ("190:20:30", "integer"),
        ("2026", "integer"),
        ("-7", "integer"),
        ("2026-03-19", "date"),
        ("2026-03-19T10:00:00Z", "date"),
        ("2026-03", "text"),
        ("2026-Q1", "text"),
        ("~", "null"),
        ("null", "null"),
        ("Null", "null"),
        ("", "null"),
        ("=", "text"),
        ("hello world", "text"),
        ("alibaba-cloud", "text"),
    ],
)
def test_yaml_type_of_plain_scalars(written: str, yaml_type: str) -> None:
    node = value_of(f"k: {written}\n")
    assert node.value == written
    assert node.plain is True
    assert node.yaml_type == yaml_type
    assert node.is_null is (yaml_type == "null")


@pytest.mark.parametrize(
    ("text", "value", "block"),
    [
        ("k: 'NO'\n", "NO", False),
        ('k: "NO"\n', "NO", False),
        ("k: '3.10'\n", "3.10", False),
        ("k: '~'\n", "~", False),
        ("k: ''\n", "", False),
        ("k: '2026-03-19'\n", "2026-03-19", False),
        ("k: |\n  NO\n", "NO\n", True),
        ("k: >\n  NO\n", "NO\n", True),
        ("k: |-\n  012\n", "012", True),
        ("k: >+\n  a\n\n", "a\n\n", True),
    ],
)
def test_quoted_and_block_scalars_are_text(text: str, value: str, block: bool) -> None:
    node = value_of(text)
    assert node.value == value
    assert node.plain is False
    assert node.yaml_type == "text"
    assert node.is_null is False
    assert node.block is block
    assert (node.line, node.column) == (1, 4)


@pytest.mark.parametrize("text", ["k: NO\n", "k: a\n  b\n", "k: [x]\n"])
def test_plain_and_flow_scalars_are_not_blocks(text: str) -> None:
    node = parse(text).entries["k"][1]
    if isinstance(node, Sequence):
        node = node.items[0]
    assert node.block is False


def test_plain_merge_key_value_is_typed_as_merge_key() -> None:
    assert value_of("k: <<\n").yaml_type == "merge key"


# --- positions ------------------------------------------------------------------


def test_tree_positions() -> None:
    text = "# header\nname: Acme\nlist:\n  - one\n  - {a: b}\nflow: [x, 'y']\n"
    root = parse(text)
    assert isinstance(root, Mapping)
    assert (root.line, root.column) == (2, 1)
    assert list(root.entries) == ["name", "list", "flow"]
    name_key, name = root.entries["name"]
    assert name_key == Scalar("name", 2, 1, True, "text")
    assert name == Scalar("Acme", 2, 7, True, "text")
    lst = root.entries["list"][1]
    assert isinstance(lst, Sequence)
    assert (lst.line, lst.column) == (4, 3)
    assert lst.items[0] == Scalar("one", 4, 5, True, "text")
    inner = lst.items[1]
    assert isinstance(inner, Mapping)
    assert (inner.line, inner.column) == (5, 5)
    assert inner.entries["a"] == (Scalar("a", 5, 6, True, "text"), Scalar("b", 5, 9, True, "text"))
    flow = root.entries["flow"][1]
    assert isinstance(flow, Sequence)
    assert (flow.line, flow.column) == (6, 7)
    assert flow.items == (Scalar("x", 6, 8, True, "text"), Scalar("y", 6, 11, False, "text"))


def test_null_value_is_located_after_the_colon() -> None:
    assert value_of("k:\n") == Scalar("", 1, 3, True, "null")


def test_root_may_be_a_scalar_or_a_sequence() -> None:
    assert parse("x") == Scalar("x", 1, 1, True, "text")
    assert parse("- a\n- b\n") == Sequence(
        (Scalar("a", 1, 3, True, "text"), Scalar("b", 2, 3, True, "text")), 1, 1
    )
    assert parse("--- |\n  abc\n") == Scalar("abc\n", 1, 5, False, "text", block=True)
    assert parse("---\n") == Scalar("", 2, 1, True, "null")


# --- to_python ------------------------------------------------------------------


def test_to_python() -> None:
    root = parse("a: NO\nb: [x, ~, '~', 3.10]\nc:\n  d: 'e'\n  f:\n2026-01-05: x\n")
    data = to_python(root)
    assert data == {
        "a": "NO",
        "b": ["x", None, "~", "3.10"],
        "c": {"d": "e", "f": None},
        "2026-01-05": "x",
    }
    assert isinstance(data, dict)
    # A bare scalar YAML 1.1 reads as another type keeps its node, for text fields to refuse.
    assert type(data["a"]) is YamlText
    assert data["a"].node == Scalar("NO", 1, 4, True, "boolean")
    assert type(data["b"][3]) is YamlText
    assert data["b"][3].node.yaml_type == "number"
    assert type(list(data)[3]) is YamlText
    # Any other text is a plain str: quoted, or plain and read as text.
    assert type(data["b"][0]) is str and type(data["b"][2]) is str
    assert all(type(key) is str for key in data["c"])
    assert type(data["c"]["d"]) is str


@pytest.mark.parametrize(("text", "expected"), [("", None), ("~", None), ("'~'", "~"), ("3", "3")])
def test_to_python_of_scalar_roots(text: str, expected: object) -> None:
    assert to_python(parse(text)) == expected


def test_to_python_of_none() -> None:
    assert to_python(None) is None


def test_yaml_text_is_a_str() -> None:
    text = YamlText(Scalar(" x ", 1, 1, False, "text"))
    assert text == " x "
    assert text.strip() == "x"
    assert isinstance(text, str)


# --- locate / locate_key --------------------------------------------------------

LOCATE_DOC = "a:\n  - x\n  - y: 1\n    z: [p, q]\nb: text\n"


@pytest.mark.parametrize(
    ("loc", "position"),
    [
        ((), (1, 1)),
        (("a",), (2, 3)),
        (("a", 0), (2, 5)),
        (("a", 1), (3, 5)),
        (("a", 1, "y"), (3, 8)),
        (("a", 1, "z"), (4, 8)),
        (("a", 1, "z", 1), (4, 12)),
        (("b",), (5, 4)),
        # missing parts stop at the nearest existing parent
        (("a", 1, "nope"), (3, 5)),
        (("a", 7), (2, 3)),
        (("a", -1), (2, 3)),
        (("a", "x"), (2, 3)),
        (("nope", "deeper"), (1, 1)),
        (("b", 0), (5, 4)),
    ],
)
def test_locate(loc: tuple, position: tuple[int, int]) -> None:
    assert locate(parse(LOCATE_DOC), loc) == position


@pytest.mark.parametrize(
    ("loc", "position"),
    [
        (("a",), (1, 1)),
        (("b",), (5, 1)),
        (("a", 1, "y"), (3, 5)),
        (("a", 1, "z"), (4, 5)),
        # not a key: falls back to locate
        (("a", 1), (3, 5)),
        (("a", 1, "nope"), (3, 5)),
        (("nope", "deeper"), (1, 1)),
        ((), (1, 1)),
    ],
)
def test_locate_key(loc: tuple, position: tuple[int, int]) -> None:
    assert locate_key(parse(LOCATE_DOC), loc) == position


def test_locate_without_a_tree() -> None:
    assert locate(None, ("a",)) == (1, 1)
    assert locate_key(None, ("a",)) == (1, 1)
    assert locate_key(None, ()) == (1, 1)


def test_locate_in_a_tree_that_starts_late() -> None:
    root = parse("\n\n# comment\n  title: x\n")
    assert locate(root, ()) == (4, 3)
    assert locate(root, ("missing",)) == (4, 3)
    assert locate_key(root, ("title",)) == (4, 3)
    assert locate(root, ("title",)) == (4, 10)
