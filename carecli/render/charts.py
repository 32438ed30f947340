"""Inline SVG charts for the HTML digest: plain string building, no dependencies, no script.

Every text that reaches the SVG goes through `_t()` (XML-escaped), so a channel or agent
name cannot inject markup. Each chart is a standalone `<svg>` element with its own
`xmlns`, valid as XML, sized by viewBox so it scales down on narrow screens.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from carecli.render import units

FONT = "font-family=\"-apple-system,'Segoe UI',Helvetica,Arial,sans-serif\""
INK, MUTED, GRID = "#1f2328", "#656d76", "#d0d7de"
BETTER, WORSE, WARN, NEUTRAL = "#1a7f37", "#cf222e", "#9a6700", "#0969da"
# Colour-blind-safe categorical palette (Okabe-Ito, then greys), one per channel.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OTHER_COLOUR = "#999999"
MAX_SERIES = len(PALETTE)  # the smallest channels beyond this are folded into one


def _t(text: object) -> str:
    return escape(str(text), quote=True)


def _n(number: float) -> str:
    """Coordinates with at most one decimal: smaller files, same picture."""
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _width(text: str, size: float) -> float:
    """A rough rendered width: SVG has no text metrics without a browser."""
    return len(text) * size * 0.58


def _open(width: float, height: float, label: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" aria-label="{_t(label)}" '
        f'style="max-width:100%;height:auto" {FONT}>',
        f"<title>{_t(label)}</title>",
    ]


def nice_step(top: float, ticks: int = 4) -> float:
    """A 1, 2 or 5 x 10^k step giving about `ticks` gridlines up to `top`."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _fold(series: Mapping[str, Sequence[int]]) -> list[tuple[str, list[int], str]]:
    """Largest series first, each with its colour; the smallest folded into one grey series."""
    items = [(name, list(values)) for name, values in series.items()]
    items.sort(key=lambda item: -sum(item[1]))
    coloured = [(n, v, PALETTE[i]) for i, (n, v) in enumerate(items[: MAX_SERIES - 1])]
    rest = items[MAX_SERIES - 1 :]
    if len(rest) == 1:
        coloured.append((rest[0][0], rest[0][1], PALETTE[MAX_SERIES - 1]))
    elif rest:
        summed = [sum(day) for day in zip(*(values for _, values in rest), strict=True)]
        coloured.append((f"{len(rest)} other channels", summed, OTHER_COLOUR))
    return coloured


def _legend(entries: Sequence[tuple[str, str]], x0: float, y: float, right: float) -> list[str]:
    parts, x = [], x0
    for name, colour in entries:
        room = 16 + _width(name, 11) + 14
        if x + room > right and x > x0:
            x, y = x0, y + 16
        parts.append(f'<rect x="{_n(x)}" y="{_n(y - 9)}" width="10" height="10" fill="{colour}"/>')
        parts.append(
            f'<text x="{_n(x + 14)}" y="{_n(y)}" font-size="11" fill="{INK}">{_t(name)}</text>'
        )
        x += room
    return parts


def volume_chart(days: Sequence[date], series: Mapping[str, Sequence[int]]) -> str:
    """Stacked bars: conversations started per day, one colour per channel."""
    width, height = 720.0, 260.0
    folded = _fold(series)
    legend_rows = 1 + int(sum(30 + _width(n, 11) for n, _, _ in folded) // (width - 60))
    left, right, top, bottom = 44.0, 10.0, 18.0 + 16 * legend_rows, 30.0
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for _, values, _ in folded) for i in range(len(days))]
    step = nice_step(max(totals, default=0) or 1)
    y_max = step * max(1, math.ceil(max(totals, default=0) / step))
    parts = _open(width, height, "Conversations per day by channel")
    parts += _legend([(n, c) for n, _, c in folded], left, 14, width - right)

    def y_of(value: float) -> float:
        return top + plot_h - value / y_max * plot_h

    tick = 0.0
    while tick <= y_max + 1e-9:
        y = y_of(tick)
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(width - right)}" '
            f'y2="{_n(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" font-size="10" '
            f'text-anchor="end" fill="{MUTED}">{units.value(tick, "count")}</text>'
        )
        tick += step
    band = plot_w / max(1, len(days))
    bar = max(1.0, band * 0.7)
    label_every = max(1, math.ceil(len(days) / 14))
    for i, day in enumerate(days):
        x = left + i * band + (band - bar) / 2
        base = 0.0
        for name, values, colour in folded:
            if values[i] <= 0:
                continue
            y_top, y_bottom = y_of(base + values[i]), y_of(base)
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(y_top)}" width="{_n(bar)}" '
                f'height="{_n(y_bottom - y_top)}" fill="{colour}">'
                f"<title>{_t(f'{day:%a %d %b}: {name} {values[i]:,}')}</title></rect>"
            )
            base += values[i]
        centre = x + bar / 2
        if len(days) <= 14 and totals[i]:
            parts.append(
                f'<text x="{_n(centre)}" y="{_n(y_of(totals[i]) - 4)}" font-size="10" '
                f'text-anchor="middle" fill="{INK}">{totals[i]:,}</text>'
            )
        if i % label_every == 0:
            label = f"{day:%a %d}" if len(days) <= 14 else f"{day:%d %b}"
            parts.append(
                f'<text x="{_n(centre)}" y="{_n(height - 10)}" font-size="10" '
                f'text-anchor="middle" fill="{MUTED}">{_t(label)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: a duration in seconds and the SLA levels that apply to it."""

    label: str
    seconds: float | None
    warn: float | None = None
    fail: float | None = None


def response_chart(bars: Sequence[Bar], title: str = "Median first response by channel") -> str:
    """Horizontal bars with the SLA target as a marker: green within, amber/red beyond."""
    row_h, top = 26.0, 8.0
    has_levels = any(b.warn is not None or b.fail is not None for b in bars)
    label_w = min(160.0, max(60.0, *(_width(b.label, 12) * 1.1 + 16 for b in bars)))
    width, value_w = 720.0, 80.0
    height = top + row_h * len(bars) + (28.0 if has_levels else 8.0)
    plot_w = width - label_w - value_w
    scale = max(
        [1.0]
        + [b.seconds or 0 for b in bars]
        + [v for b in bars for v in (b.warn, b.fail) if v is not None]
    )
    parts = _open(width, height, title)

    def x_of(seconds: float) -> float:
        return label_w + seconds / (scale * 1.05) * plot_w

    for i, item in enumerate(bars):
        y = top + i * row_h
        parts.append(
            f'<text x="{_n(label_w - 8)}" y="{_n(y + 16)}" font-size="12" '
            f'text-anchor="end" fill="{INK}">{_t(item.label)}</text>'
        )
        if item.seconds is None:
            parts.append(
                f'<text x="{_n(label_w + 4)}" y="{_n(y + 16)}" font-size="12" '
                f'fill="{MUTED}">no answered conversation</text>'
            )
            continue
        colour = NEUTRAL
        if item.fail is not None or item.warn is not None:
            colour = BETTER
            if item.warn is not None and item.seconds > item.warn:
                colour = WARN
            if item.fail is not None and item.seconds > item.fail:
                colour = WORSE
        end = x_of(item.seconds)
        shown = units.duration(item.seconds)
        parts.append(
            f'<rect x="{_n(label_w)}" y="{_n(y + 5)}" width="{_n(max(1.0, end - label_w))}" '
            f'height="{_n(row_h - 10)}" fill="{colour}"><title>{_t(item.label)}: {_t(shown)}'
            "</title></rect>"
        )
        # Values in their own right-hand column: never under a target marker.
        parts.append(
            f'<text x="{_n(width - 4)}" y="{_n(y + 16)}" font-size="12" '
            f'text-anchor="end" fill="{INK}">{_t(shown)}</text>'
        )
        for level, stroke in ((item.warn, WARN), (item.fail, WORSE)):
            if level is not None:
                x = x_of(level)
                parts.append(
                    f'<line x1="{_n(x)}" y1="{_n(y + 1)}" x2="{_n(x)}" '
                    f'y2="{_n(y + row_h - 1)}" stroke="{stroke}" stroke-width="2.5" '
                    'stroke-dasharray="4 2"/>'
                )
    if has_levels:
        legend_y = top + row_h * len(bars) + 18
        parts += _legend(
            [("SLA warn level", WARN), ("SLA fail level", WORSE)], label_w, legend_y, width
        )
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class Panel:
    """One small multiple: a metric's headline value per week, oldest first."""

    title: str
    values: tuple[float | None, ...]
    unit: str  # a units.value unit: duration, rate, score, count
    better: str  # lower, higher or neutral


CELL_W, CELL_H, PAD = 176.0, 96.0, 8.0


def trend_chart(weeks: Sequence[str], panels: Sequence[Panel], columns: int = 4) -> str:
    """Small multiples: one sparkline per metric, the latest value and its direction."""
    rows = math.ceil(len(panels) / columns) if panels else 1
    label = f"Weekly trend, {weeks[0]} to {weeks[-1]}" if weeks else "Weekly trend"
    parts = _open(CELL_W * columns, CELL_H * rows, label)
    for index, panel in enumerate(panels):
        x0, y0 = (index % columns) * CELL_W + PAD, (index // columns) * CELL_H + PAD
        parts += _panel(panel, weeks, x0, y0)
    parts.append("</svg>")
    return "\n".join(parts)


def _panel(panel: Panel, weeks: Sequence[str], x0: float, y0: float) -> list[str]:
    inner_w, line_top, line_h = CELL_W - 2 * PAD, y0 + 34, CELL_H - 2 * PAD - 46
    latest = panel.values[-1] if panel.values else None
    parts = [
        f'<text x="{_n(x0)}" y="{_n(y0 + 10)}" font-size="11" '
        f'fill="{MUTED}">{_t(panel.title)}</text>'
    ]
    colour = INK  # the latest value, coloured by its change from the week before
    if len(panel.values) >= 2 and latest is not None and panel.values[-2] is not None:
        mood = units.verdict(latest - panel.values[-2], panel.better)
        colour = {"better": BETTER, "worse": WORSE}.get(mood, INK)
    parts.append(
        f'<text x="{_n(x0)}" y="{_n(y0 + 28)}" font-size="16" font-weight="bold" '
        f'fill="{colour}">{_t(units.value(latest, panel.unit))}</text>'
    )
    values = [v for v in panel.values if v is not None]
    if not values:
        return parts
    low, high = min(values), max(values)
    span = (high - low) or abs(high) or 1.0
    step = inner_w / max(1, len(panel.values) - 1)
    segment: list[str] = []
    for i, value in enumerate([*panel.values, None]):
        if value is None:  # a week without a value breaks the line
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" '
                    f'stroke="{NEUTRAL}" stroke-width="1.5"/>'
                )
            segment = []
            continue
        x, y = x0 + i * step, line_top + line_h - (value - low) / span * line_h
        segment.append(f"{_n(x)},{_n(y)}")
        label = f"{weeks[i] if i < len(weeks) else ''}: {units.value(value, panel.unit)}"
        radius = 3 if i == len(panel.values) - 1 else 2
        parts.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{radius}" fill="{NEUTRAL}">'
            f"<title>{_t(label)}</title></circle>"
        )
    if weeks:
        bottom = y0 + CELL_H - PAD - 2
        parts.append(
            f'<text x="{_n(x0)}" y="{_n(bottom)}" font-size="9" fill="{MUTED}">'
            f"{_t(weeks[0])}</text>"
        )
        parts.append(
            f'<text x="{_n(x0 + inner_w)}" y="{_n(bottom)}" font-size="9" '
            f'text-anchor="end" fill="{MUTED}">{_t(weeks[-1])}</text>'
        )
    return parts
