"""Bar charts as inline SVG, drawn on the server from counts: no JavaScript, no images.

Pure functions from numbers to an SVG string. Every label is escaped, the chart is an image
with a title for screen readers (`role="img"`), and pages show the same numbers in a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

ROW = 28
BAR = 18
LABEL_WIDTH = 260
BAR_WIDTH = 300
VALUE_WIDTH = 110
LABEL_CHARS = 38
FONT = 14


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: what it counts, how many, and its share in percent (None: not shown)."""

    label: str
    count: int
    percent: float | None = None


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _clip(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _number(bar: Bar) -> str:
    if bar.percent is None:
        return str(bar.count)
    return f"{bar.count} ({bar.percent:.0f}%)"


def bar_chart(title: str, bars: Sequence[Bar], *, chart_id: str = "chart") -> str:
    """A horizontal bar chart of `bars`, longest bar for the largest count; zero counts draw
    no bar but keep their row. `chart_id` makes the ids in the SVG unique on a page."""
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = max(1, len(bars)) * ROW + 8
    most = max((bar.count for bar in bars), default=0)
    title_id = f"{_attr(chart_id)}-title"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{title_id}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">',
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    if not bars:
        parts.append(f'<text x="0" y="{ROW - 8}" fill="currentColor">No answers yet</text>')
    for index, bar in enumerate(bars):
        top = 4 + index * ROW
        middle = top + ROW / 2
        length = 0.0 if most <= 0 else BAR_WIDTH * max(bar.count, 0) / most
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end" '
            f'dominant-baseline="middle" fill="currentColor">{escape(_clip(bar.label))}</text>'
        )
        if length > 0:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{top + (ROW - BAR) / 2:.1f}" width="{length:.1f}" '
                f'height="{BAR}" fill="#2e8b57"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{middle:.1f}" '
            f'dominant-baseline="middle" fill="currentColor">{escape(_number(bar))}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
