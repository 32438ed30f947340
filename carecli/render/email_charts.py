"""Charts for the emailed digest as HTML tables: coloured cells, inline styles, no SVG.

Gmail and Outlook for Windows drop inline SVG, and many clients hold back images until
the reader allows them; a table cell with a background colour shows everywhere, also
with images blocked, and its text stays text. Each bar is a row of cells whose widths
are whole percentages (Outlook's Word engine rounds anything finer) and whose colour is
set twice, as `bgcolor` (Outlook) and as an inline style (the others). Every text goes
through `_t()` (HTML-escaped). Why tables rather than PNG images: docs/reports.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

from carecli.render import units
from carecli.render.charts import (
    BETTER,
    GRID,
    INK,
    MUTED,
    NEUTRAL,
    WARN,
    WORSE,
    Bar,
    Panel,
    _fold,
)

TABLE = 'role="presentation" cellpadding="0" cellspacing="0" border="0"'
_CELL = "font-size:0;line-height:0;mso-line-height-rule:exactly"
BAR_H, SPARK_H = 14, 36  # pixels


def _t(text: object) -> str:
    return escape(str(text), quote=True)


def _fill(colour: str | None, width: int, height: int = BAR_H) -> str:
    """One cell of a bar: `width`% wide, coloured or empty."""
    paint = f' bgcolor="{colour}" style="background-color:{colour};{_CELL}"' if colour else ""
    paint = paint or f' style="{_CELL}"'
    return f'<td width="{width}%" height="{height}"{paint}>&nbsp;</td>'


def _shares(values: Sequence[float], total: int = 100) -> list[int]:
    """Whole percentages of `values` summing to `total` (largest remainder first)."""
    whole = sum(values)
    if whole <= 0:
        return [0] * len(values)
    exact = [v / whole * total for v in values]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(values)), key=lambda i: parts[i] - exact[i])
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _track(slots: Sequence[str | None]) -> str:
    """A bar from 100 one-percent slots: runs of one colour become one cell."""
    cells, start = [], 0
    for i in range(1, len(slots) + 1):
        if i == len(slots) or slots[i] != slots[start]:
            cells.append(_fill(slots[start], i - start))
            start = i
    return f'<table {TABLE} width="100%"><tr>{"".join(cells)}</tr></table>'


def _legend(entries: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<td width="10" height="10" bgcolor="{c}" style="background-color:{c};{_CELL}">&nbsp;'
        f'</td><td style="padding:0 12px 0 4px;font-size:11px;color:{INK}">{_t(n)}</td>'
        for n, c in entries
    )
    return f'<table {TABLE} style="margin:0 0 6px"><tr>{items}</tr></table>'


def volume_chart(days: Sequence[date], series: Mapping[str, Sequence[int]]) -> str:
    """Conversations per day: one horizontal stacked bar per day, one colour per channel."""
    folded = _fold(series)
    totals = [sum(values[i] for _, values, _ in folded) for i in range(len(days))]
    top = max(totals, default=0) or 1
    rows = []
    for i, day in enumerate(days):
        length = round(totals[i] / top * 100)
        segments = _shares([values[i] for _, values, _ in folded], length)
        slots = [c for (_, _, c), n in zip(folded, segments, strict=True) for _ in range(n)]
        slots += [None] * (100 - len(slots))
        rows.append(
            f'<tr><td width="64" style="padding:2px 8px 2px 0;font-size:12px;color:{MUTED};'
            f'white-space:nowrap">{_t(f"{day:%a %d}")}</td>'
            f'<td style="padding:2px 0">{_track(slots)}</td>'
            f'<td width="56" align="right" style="padding:2px 0 2px 8px;font-size:12px;'
            f'color:{INK}">{totals[i]:,}</td></tr>'
        )
    return (
        _legend([(n, c) for n, _, c in folded])
        + f'<table {TABLE} width="100%" class="email-chart" data-chart="volume">'
        + "".join(rows)
        + "</table>"
    )


def response_chart(bars: Sequence[Bar]) -> str:
    """Median first response per channel: the bar green within its levels, amber or red
    beyond, and each level as a thin mark on the track."""
    scale = (
        max(
            [1.0]
            + [b.seconds or 0 for b in bars]
            + [v for b in bars for v in (b.warn, b.fail) if v is not None]
        )
        * 1.05
    )
    rows = []
    for item in bars:
        slots: list[str | None] = [None] * 100
        if item.seconds is not None:
            colour = NEUTRAL
            if item.fail is not None or item.warn is not None:
                colour = BETTER
                if item.warn is not None and item.seconds > item.warn:
                    colour = WARN
                if item.fail is not None and item.seconds > item.fail:
                    colour = WORSE
            length = max(1, round(item.seconds / scale * 100))
            slots[:length] = [colour] * length
        for level, mark in ((item.warn, WARN), (item.fail, WORSE)):
            if level is not None:
                slots[min(99, round(level / scale * 100))] = mark
        shown = units.duration(item.seconds) if item.seconds is not None else "no answer"
        rows.append(
            f'<tr><td width="90" style="padding:3px 8px 3px 0;font-size:12px;color:{INK}">'
            f'{_t(item.label)}</td><td style="padding:3px 0;border-left:1px solid {GRID}">'
            f'{_track(slots)}</td><td width="70" align="right" style="padding:3px 0 3px 8px;'
            f'font-size:12px;color:{INK};white-space:nowrap">{_t(shown)}</td></tr>'
        )
    legend = ""
    if any(b.warn is not None or b.fail is not None for b in bars):
        legend = _legend([("SLA warn level", WARN), ("SLA fail level", WORSE)])
    table = f'<table {TABLE} width="100%" class="email-chart" data-chart="response">'
    return table + "".join(rows) + "</table>" + legend


def trend_chart(weeks: Sequence[str], panels: Sequence[Panel]) -> str:
    """One row per metric: its latest value (coloured by its change) and a column per
    week scaled from the lowest week to the highest, the latest in a darker blue."""
    rows = []
    for panel in panels:
        values = [v for v in panel.values if v is not None]
        latest = panel.values[-1] if panel.values else None
        colour = INK
        if len(panel.values) >= 2 and latest is not None and panel.values[-2] is not None:
            mood = units.verdict(latest - panel.values[-2], panel.better)
            colour = {"better": BETTER, "worse": WORSE}.get(mood, INK)
        low, high = (min(values), max(values)) if values else (0.0, 0.0)
        span = (high - low) or 1.0
        columns = []
        for i, value in enumerate(panel.values):
            if value is None:
                columns.append(f'<td width="14" height="{SPARK_H}" style="{_CELL}">&nbsp;</td>')
                continue
            height = 3 + round((value - low) / span * (SPARK_H - 3))
            fill = "#0550ae" if i == len(panel.values) - 1 else "#54aeff"
            tip = f"{weeks[i] if i < len(weeks) else ''}: {units.value(value, panel.unit)}"
            columns.append(
                f'<td width="14" height="{SPARK_H}" valign="bottom" style="padding:0 2px;{_CELL}" '
                f'title="{_t(tip)}"><table {TABLE} width="100%"><tr><td height="{height}" '
                f'bgcolor="{fill}" style="background-color:{fill};{_CELL}">&nbsp;</td></tr>'
                "</table></td>"
            )
        rows.append(
            f'<tr><td style="padding:6px 8px 6px 0;font-size:12px;color:{MUTED};'
            f'border-bottom:1px solid #eaeef2">{_t(panel.title)}<br><span style="font-size:15px;'
            f'font-weight:bold;color:{colour}">{_t(units.value(latest, panel.unit))}</span></td>'
            f'<td align="right" style="padding:6px 0;border-bottom:1px solid #eaeef2">'
            f"<table {TABLE}><tr>{''.join(columns)}</tr></table></td></tr>"
        )
    span_text = f"{weeks[0]} to {weeks[-1]}" if weeks else ""
    caption = (
        f'<p style="margin:4px 0 0;font-size:11px;color:{MUTED}">Weeks {_t(span_text)}, '
        "oldest first; each metric's columns run from its lowest week to its highest.</p>"
    )
    table = f'<table {TABLE} width="100%" class="email-chart" data-chart="trend">'
    return table + "".join(rows) + "</table>" + caption
