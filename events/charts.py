"""Bar charts as server-rendered SVG: readable without JavaScript, and by screen readers.

Domain-free: a list of (label, value) bars in, markup out. The SVG is role="img" with an
aria-label and a <title> saying what it shows; each bar has its own <title> (label and value,
shown as a tooltip too). Pages put the same numbers in a table beside it, so the chart is never
the only way to read them. Colours come from classes in static/css/site.css (no style
attributes: the CSP allows no inline styles).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ROW_HEIGHT = 28
LABEL_WIDTH = 200
BAR_AREA = 360
VALUE_WIDTH = 60
COLUMN_AREA_HEIGHT = 160
AXIS_LABELS_HEIGHT = 24
MAX_LABEL = 32


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str = ""  # how the value is written (e.g. "3 (25 %)"); default the value


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else ("%.1f" % value)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def horizontal_bars(bars: Sequence[Bar], *, title: str) -> SafeString:
    """One row per bar, the label on the left and the value on the right: for choices and
    ratings, whose labels are words."""
    top = max((bar.value for bar in bars), default=0) or 1
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    height = ROW_HEIGHT * max(len(bars), 1)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-horizontal" role="img" '
        'viewBox="0 0 %d %d" width="%d" height="%d" aria-label="%s"><title>%s</title>'
        % (width, height, width, height, escape(title), escape(title))
    ]
    for index, bar in enumerate(bars):
        y = index * ROW_HEIGHT
        length = round(BAR_AREA * bar.value / top, 1)
        shown = bar.shown or _number(bar.value)
        parts.append(
            '<g class="chart-row"><title>%s: %s</title>'
            '<text class="chart-label" x="%d" y="%d" text-anchor="end">%s</text>'
            '<rect class="chart-bar" x="%d" y="%d" width="%s" height="%d"></rect>'
            '<text class="chart-value" x="%s" y="%d">%s</text></g>'
            % (
                escape(bar.label),
                escape(shown),
                LABEL_WIDTH - 8,
                y + ROW_HEIGHT - 9,
                escape(_short(bar.label)),
                LABEL_WIDTH,
                y + 4,
                length,
                ROW_HEIGHT - 8,
                LABEL_WIDTH + length + 6,
                y + ROW_HEIGHT - 9,
                escape(shown),
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def column_bars(bars: Sequence[Bar], *, title: str, column_width: int = 12) -> SafeString:
    """One column per bar, left to right (a series over time); only the first and last labels
    are written under the axis, every column's label and value are in its <title>."""
    top = max((bar.value for bar in bars), default=0) or 1
    gap = 2
    width = max(len(bars), 1) * (column_width + gap) + 60
    height = COLUMN_AREA_HEIGHT + AXIS_LABELS_HEIGHT
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-columns" role="img" '
        'viewBox="0 0 %d %d" width="%d" height="%d" aria-label="%s"><title>%s</title>'
        % (width, height, width, height, escape(title), escape(title)),
        '<text class="chart-value" x="0" y="12">%s</text>' % escape(_number(top)),
        '<line class="chart-axis" x1="40" y1="%d" x2="%d" y2="%d"></line>'
        % (COLUMN_AREA_HEIGHT, width, COLUMN_AREA_HEIGHT),
    ]
    for index, bar in enumerate(bars):
        x = 40 + index * (column_width + gap)
        length = round((COLUMN_AREA_HEIGHT - 16) * bar.value / top, 1)
        parts.append(
            '<rect class="chart-bar" x="%d" y="%s" width="%d" height="%s">'
            "<title>%s: %s</title></rect>"
            % (
                x,
                COLUMN_AREA_HEIGHT - length,
                column_width,
                length,
                escape(bar.label),
                escape(bar.shown or _number(bar.value)),
            )
        )
    if bars:
        parts.append(
            '<text class="chart-label" x="40" y="%d">%s</text>'
            % (height - 6, escape(bars[0].label))
        )
        if len(bars) > 1:
            parts.append(
                '<text class="chart-label" x="%d" y="%d" text-anchor="end">%s</text>'
                % (width, height - 6, escape(bars[-1].label))
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
