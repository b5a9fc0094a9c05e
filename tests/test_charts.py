"""The SVG bar charts: read back with an XML parser, never by looking at the text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from generator import charts
from generator.charts import Bar, bar_chart, top_with_rest

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def _bars(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{SVG}g[@class='bar']")


def _bar_parts(group: ET.Element) -> tuple[str, str, float, str]:
    """(tooltip, label, bar width, value text) of one bar's group."""
    title = group.find(f"{SVG}title")
    label, value = group.findall(f"{SVG}text")
    rect = group.find(f"{SVG}rect")
    assert title is not None and rect is not None
    return title.text or "", label.text or "", float(rect.attrib["width"]), value.text or ""


def test_chart_is_an_accessible_image_with_title_and_description():
    svg = bar_chart(
        [Bar("2025", 3), Bar("2026", 4)], title="Events per year", description="2025: 3; 2026: 4."
    )
    root = _parse(svg)
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == "Events per year"
    # <title> and <desc> come first, so assistive technology finds them.
    first, second = list(root)[:2]
    assert (first.tag, first.text) == (f"{SVG}title", "Events per year")
    assert (second.tag, second.text) == (f"{SVG}desc", "2025: 3; 2026: 4.")
    assert root.attrib["viewBox"] == f"0 0 {charts.WIDTH} {root.attrib['height']}"
    # Static: no script, no external reference of any kind.
    assert root.findall(f".//{SVG}script") == []
    assert "href" not in svg
    assert "<script" not in svg


def test_one_bar_per_value_in_the_given_order():
    values = [("Money", 5), ("Widgets", 3), ("Zeta", 7), ("Alpha", 1)]
    root = _parse(bar_chart([Bar(k, v) for k, v in values], title="t", description="d"))
    groups = _bars(root)
    assert len(root.findall(f".//{SVG}rect")) == len(values) == len(groups)
    parts = [_bar_parts(g) for g in groups]
    assert [(label, int(value)) for _, label, _, value in parts] == values
    assert [tooltip for tooltip, *_ in parts] == ["Money: 5", "Widgets: 3", "Zeta: 7", "Alpha: 1"]
    # Rows go down the chart one after the other, and the chart is as tall as its rows.
    tops = [float(g.find(f"{SVG}rect").attrib["y"]) for g in groups]
    assert tops == sorted(tops)
    assert len(set(tops)) == len(tops)
    assert int(root.attrib["height"]) == 2 * charts.PADDING + charts.ROW_HEIGHT * len(values)


def test_widths_are_proportional_to_values_and_the_largest_fills_the_plot():
    root = _parse(
        bar_chart([Bar("a", 1), Bar("b", 2), Bar("c", 4), Bar("d", 0)], title="t", description="")
    )
    widths = [_bar_parts(g)[2] for g in _bars(root)]
    plot = charts.PLOT_WIDTH
    assert plot == 376  # 640 wide, less the label and value columns
    assert widths == [94.0, 188.0, 376.0, 0.0]


@pytest.mark.parametrize("values", [[3, 7, 11], [1, 1000, 333], [17, 5]])
def test_widths_match_any_values_to_the_hundredth(values):
    root = _parse(bar_chart([Bar(str(v), v) for v in values], title="t", description=""))
    widths = [_bar_parts(g)[2] for g in _bars(root)]
    largest = max(values)
    for value, width in zip(values, widths, strict=True):
        assert width == pytest.approx(value / largest * charts.PLOT_WIDTH, abs=0.005)
    # The value is written just after the end of its bar.
    for group, width in zip(_bars(root), widths, strict=True):
        value_text = group.findall(f"{SVG}text")[1]
        assert float(value_text.attrib["x"]) == pytest.approx(
            charts.PLOT_LEFT + width + 4, abs=0.01
        )


def test_all_zero_values_draw_empty_bars():
    root = _parse(bar_chart([Bar("a", 0), Bar("b", 0)], title="t", description=""))
    assert [_bar_parts(g)[2] for g in _bars(root)] == [0.0, 0.0]


def test_labels_and_titles_are_escaped_as_text():
    labels = ["<script>alert(1)</script>", "Acme & Sons <Ltd>", 'He said "no"', "]]>&amp;"]
    svg = bar_chart(
        [Bar(label, 1) for label in labels],
        title='Topics <b>"bold"</b> & more',
        description="<desc> & </desc>",
    )
    root = _parse(svg)
    assert [_bar_parts(g)[1] for g in _bars(root)] == labels
    assert [_bar_parts(g)[0] for g in _bars(root)] == [f"{label}: 1" for label in labels]
    assert root.attrib["aria-label"] == 'Topics <b>"bold"</b> & more'
    assert root.find(f"{SVG}title").text == 'Topics <b>"bold"</b> & more'
    assert root.find(f"{SVG}desc").text == "<desc> & </desc>"
    # Nothing in the labels became markup.
    assert [e.tag for e in root.iter()].count(f"{SVG}script") == 0
    assert root.findall(f".//{SVG}b") == []
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg


def test_characters_xml_cannot_hold_are_replaced_and_whitespace_folded():
    root = _parse(
        bar_chart([Bar("bad\x00\x07byte\n\tand  space", 2)], title="a\x1bb", description="")
    )
    tooltip, label, _, _ = _bar_parts(_bars(root)[0])
    assert label == "bad\ufffd\ufffdbyte and space"
    assert tooltip == "bad\ufffd\ufffdbyte and space: 2"
    assert root.attrib["aria-label"] == "a\ufffdb"


def test_long_labels_are_shortened_and_kept_whole_in_the_tooltip():
    long = "A very long company name that does not fit, Limited"
    exact = "x" * charts.MAX_LABEL
    root = _parse(bar_chart([Bar(long, 1), Bar(exact, 2)], title="t", description=""))
    (tooltip, label, _, _), (_, exact_label, _, _) = (_bar_parts(g) for g in _bars(root))
    assert label == "A very long company name that…"
    assert len(label) == charts.MAX_LABEL
    assert tooltip == f"{long}: 1"
    assert exact_label == exact


def test_same_bars_give_the_same_bytes():
    bars = [Bar("b", 2), Bar("a", 3)]
    first = bar_chart(bars, title="t", description="d")
    assert bar_chart(list(bars), title="t", description="d") == first
    assert bar_chart(bars[::-1], title="t", description="d") != first


def test_small_chart_exactly():
    assert bar_chart([Bar("A & B", 2), Bar("C", 1)], title="T", description="D") == (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="64" viewBox="0 0 640 64"'
        ' role="img" aria-label="T" font-family="system-ui, -apple-system, Segoe UI, Roboto,'
        ' sans-serif" font-size="12">\n'
        "<title>T</title>\n"
        "<desc>D</desc>\n"
        '<g class="bar">\n'
        "<title>A &amp; B: 2</title>\n"
        '<text x="200" y="20" text-anchor="end" dominant-baseline="central" fill="#212121">'
        "A &amp; B</text>\n"
        '<rect x="208" y="12" width="376" height="16" fill="#3f51b5"/>\n'
        '<text x="588" y="20" dominant-baseline="central" fill="#212121">2</text>\n'
        "</g>\n"
        '<g class="bar">\n'
        "<title>C: 1</title>\n"
        '<text x="200" y="44" text-anchor="end" dominant-baseline="central" fill="#212121">'
        "C</text>\n"
        '<rect x="208" y="36" width="188" height="16" fill="#3f51b5"/>\n'
        '<text x="400" y="44" dominant-baseline="central" fill="#212121">1</text>\n'
        "</g>\n"
        '<line x1="208" y1="8" x2="208" y2="56" stroke="#9e9e9e" stroke-width="1"/>\n'
        "</svg>\n"
    )


@pytest.mark.parametrize(
    ("bars", "message"),
    [
        ([], "a bar chart needs at least one bar"),
        ([Bar("a", 1), Bar("b", -1)], "bar values must not be negative"),
    ],
)
def test_refuses_what_it_cannot_draw(bars, message):
    with pytest.raises(ValueError, match=rf"^{re.escape(message)}$"):
        bar_chart(bars, title="t", description="d")


# --- top_with_rest --------------------------------------------------------------------------


def test_top_with_rest_sums_what_is_left():
    counts = [("a", 9), ("b", 5), ("c", 4), ("d", 2), ("e", 1)]
    ranked = top_with_rest(counts, 2)
    assert ranked.top == [("a", 9), ("b", 5)]
    assert (ranked.rest_items, ranked.rest) == (3, 7)


@pytest.mark.parametrize("size", [0, 1, 3, 4])
def test_top_with_rest_keeps_everything_when_the_rest_would_be_one_item(size):
    counts = [(str(i), 10 - i) for i in range(size)]
    ranked = top_with_rest(counts, 3)
    assert ranked.top == counts
    assert (ranked.rest_items, ranked.rest) == (0, 0)


def test_top_with_rest_needs_a_positive_limit():
    with pytest.raises(ValueError, match=r"^limit must be at least 1$"):
        top_with_rest([("a", 1)], 0)
