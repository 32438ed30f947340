"""The weekly digest (carecli.render.digest) as GitHub-flavoured Markdown, readable as
plain text in an email."""

from __future__ import annotations

import re
from collections.abc import Sequence

from carecli.render import clean
from carecli.render.digest import Cell, Table, digest
from carecli.render.summary import Change
from carecli.report.build import Report
from carecli.report.trend import DailyVolume, TrendPoint
from carecli.sla.evaluate import Outcome

_SPECIAL = re.compile(r"([\\`*\[\]<>|~])")
# `_` inside a word never starts emphasis in GFM: escape it only at a word's edge.
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_ENTITY = re.compile(r"&(?=#?\w+;)")


def escape(text: str) -> str:
    """User text safe in a Markdown table cell or list item, still readable as text.

    Newlines, tabs and other control characters become spaces (a newline ends a table row,
    an ESC would reach a terminal showing the file), `|` becomes `\\|` (a pipe splits
    cells) and the characters that would start emphasis, code, links or raw HTML are
    backslash-escaped.
    """
    flat = " ".join(clean(text).split())
    escaped = _UNDERSCORE.sub(r"\\_", _SPECIAL.sub(r"\\\1", flat))
    return _ENTITY.sub(r"\\&", escaped)


def _cell_text(cell: Cell) -> str:
    text = escape(cell.text)
    return f"{text} {cell.change}" if cell.change else text


def markdown_table(table: Table) -> list[str]:
    """A GFM table with padded columns, so it also lines up as plain text."""
    cells = [[escape(h) for h in table.headers]]
    cells += [[_cell_text(c) for c in row] for row in table.rows]
    widths = [max(3, *(len(r[i]) for r in cells)) for i in range(len(table.headers))]

    def line(row: list[str]) -> str:
        padded = [
            value.rjust(width) if numeric else value.ljust(width)
            for value, width, numeric in zip(row, widths, table.numeric, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (w - 1) + (":" if n else "-") for w, n in zip(widths, table.numeric, strict=True)]
    return [line(cells[0]), line(rule), *(line(r) for r in cells[1:])]


def render(
    report: Report,
    outcomes: Sequence[Outcome] = (),
    trend: Sequence[TrendPoint] = (),
    summary: Sequence[Change] = (),
    daily: DailyVolume | None = None,
) -> str:
    """The digest as Markdown (GFM tables, no HTML, no emoji)."""
    d = digest(report, outcomes, trend, summary, daily)
    out = [f"# {escape(d.title)}", "", f"{escape(d.dates)}, {escape(d.compared)}."]
    if d.scope:
        out.append(f"Only conversations with {escape(d.scope)}.")
    out += ["", *(f"{escape(line)}  " for line in d.basis)]
    if d.maturity:
        out += ["", f"*{escape(d.maturity)}*"]
    status = escape(d.sla_line)
    out += ["", f"**{status}**" if d.sla_status in ("fail", "warn") else status, ""]
    sections: list[tuple[str, Table | None]] = [("Headline KPIs", d.kpis), ("SLA targets", d.slas)]
    for heading, table in sections:
        if table is not None:
            out += [f"## {heading}", "", *markdown_table(table), ""]
    out += ["## What changed", ""]
    better = [c for c in d.changes if c.improved]
    worse = [c for c in d.changes if not c.improved]
    if not d.changes:
        out += [escape(d.no_changes), ""]
    for title, items in (("Better", better), ("Worse", worse)):
        if items:
            out += [f"{title}:", "", *(f"- {escape(c.text)}" for c in items), ""]
    if d.explained:
        out += ["Why it moved:", "", *(f"- {escape(line)}" for line in d.explained), ""]
    if d.groups is not None:
        out += [f"## {escape(d.groups.title)}", "", *markdown_table(d.groups), ""]
    if d.breaches:
        out += ["## Worst breaches", ""]
        for table in d.breaches:
            out += [f"### {escape(table.title)}", "", *markdown_table(table), ""]
    for table in (d.daily, d.trend):
        if table is not None:
            out += [f"## {escape(table.title)}", "", *markdown_table(table), ""]
    if d.warnings:
        out += ["## Data quality", "", *(f"- {escape(w)}" for w in d.warnings), ""]
    out.append("---")
    for paragraph in (*d.notes, d.footer):
        out += ["", escape(paragraph)]
    out.append("")
    return "\n".join(out)
