"""Horizontal bar charts as static SVG, drawn at build time: no script, no web font.

The SVG is written by hand, so it is exactly what this module says: the same
bars give the same bytes. Labels are text, escaped for XML; a label too long
for its column is shortened with "…" and kept whole in the bar's tooltip.
Every chart is an image with a title and a description for assistive
technology; pages place a table of the same numbers next to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from xml.sax.saxutils import escape

T = TypeVar("T")

#: Layout, in SVG user units (CSS pixels at 100 %).
WIDTH = 640
ROW_HEIGHT = 24
BAR_HEIGHT = 16
PADDING = 8
LABEL_COLUMN = 200
VALUE_COLUMN = 56
FONT_SIZE = 12
#: Labels longer than this are shortened to fit their column.
MAX_LABEL = 30
#: Where bars start and how long the longest one is.
PLOT_LEFT = LABEL_COLUMN + PADDING
PLOT_WIDTH = WIDTH - PLOT_LEFT - VALUE_COLUMN

BAR_COLOUR = "#3f51b5"
TEXT_COLOUR = "#212121"
AXIS_COLOUR = "#9e9e9e"

# Characters XML 1.0 does not allow in a document at all.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


@dataclass(frozen=True)
class Ranked(Generic[T]):
    """The largest counts, and what is left summed into one."""

    top: list[tuple[T, int]]
    #: how many items were summed into ``rest`` (0 when every item is in ``top``)
    rest_items: int
    rest: int


def top_with_rest(counts: Sequence[tuple[T, int]], limit: int) -> Ranked[T]:
    """The first ``limit`` counts (already ranked) and the sum of the others.

    A rest of one item would be a bar like any other, so up to ``limit + 1`` items
    are all kept.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(counts) <= limit + 1:
        return Ranked(list(counts), 0, 0)
    rest = counts[limit:]
    return Ranked(list(counts[:limit]), len(rest), sum(count for _, count in rest))


def bar_chart(bars: Sequence[Bar], *, title: str, description: str) -> str:
    """An SVG document: one horizontal bar per item, in the given order, longest = largest."""
    if not bars:
        raise ValueError("a bar chart needs at least one bar")
    if any(bar.value < 0 for bar in bars):
        raise ValueError("bar values must not be negative")
    largest = max(bar.value for bar in bars)
    height = 2 * PADDING + ROW_HEIGHT * len(bars)
    axis_top, axis_bottom = PADDING, height - PADDING
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}"'
        f' viewBox="0 0 {WIDTH} {height}" role="img" aria-label={_attr(title)}'
        f' font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
        f' font-size="{FONT_SIZE}">',
        f"<title>{_text(title)}</title>",
        f"<desc>{_text(description)}</desc>",
    ]
    for index, bar in enumerate(bars):
        top = PADDING + index * ROW_HEIGHT
        bar_top = top + (ROW_HEIGHT - BAR_HEIGHT) / 2
        middle = top + ROW_HEIGHT / 2
        width = bar.value / largest * PLOT_WIDTH if largest else 0.0
        lines += [
            '<g class="bar">',
            f"<title>{_text(bar.label)}: {bar.value}</title>",
            f'<text x="{LABEL_COLUMN}" y="{_num(middle)}" text-anchor="end"'
            f' dominant-baseline="central" fill="{TEXT_COLOUR}">'
            f"{_text(_shorten(bar.label))}</text>",
            f'<rect x="{PLOT_LEFT}" y="{_num(bar_top)}" width="{_num(width)}"'
            f' height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>',
            f'<text x="{_num(PLOT_LEFT + width + 4)}" y="{_num(middle)}"'
            f' dominant-baseline="central" fill="{TEXT_COLOUR}">{bar.value}</text>',
            "</g>",
        ]
    lines += [
        f'<line x1="{PLOT_LEFT}" y1="{axis_top}" x2="{PLOT_LEFT}" y2="{axis_bottom}"'
        f' stroke="{AXIS_COLOUR}" stroke-width="1"/>',
        "</svg>",
    ]
    return "\n".join(lines) + "\n"


def _clean(text: str) -> str:
    """One line of text that XML can hold."""
    return " ".join(_NOT_XML.sub("\ufffd", text).split())


def _shorten(label: str) -> str:
    label = _clean(label)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _text(text: str) -> str:
    """Text content, escaped for XML."""
    return escape(_clean(text))


def _attr(text: str) -> str:
    """A quoted attribute value, escaped for XML."""
    return '"' + escape(_clean(text), {'"': "&quot;"}) + '"'


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros: 12, 12.5, 12.25."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
