"""The digest as plain text, for the text/plain part of the email.

Read on its own (a text-only client, a phone's preview, a screen reader), so no Markdown
marks or escapes: underlined headings, tables in aligned columns when they fit in
WIDTH characters, and one line per row ("email: First response 2h 45m ▼ -8%, ...") when
they do not, since a client wraps a long line into a mess.
"""

from __future__ import annotations

from collections.abc import Sequence

from carecli.render import clean
from carecli.render.digest import Cell, Table, digest
from carecli.render.summary import Change
from carecli.report.build import Report
from carecli.report.trend import DailyVolume, TrendPoint
from carecli.sla.evaluate import Outcome

WIDTH = 78


def _cell(cell: Cell) -> str:
    text = " ".join(clean(cell.text).split())
    return f"{text} {cell.change}".strip() if cell.change else text


def table(t: Table, width: int = WIDTH) -> list[str]:
    """Aligned columns if they fit in `width`, else a line per row."""
    rows = [[_cell(c) for c in row] for row in t.rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(t.headers)]
    if 2 + sum(widths) + 2 * (len(widths) - 1) <= width:

        def line(cells: Sequence[str]) -> str:
            padded = [
                c.rjust(w) if numeric else c.ljust(w)
                for c, w, numeric in zip(cells, widths, t.numeric, strict=True)
            ]
            return ("  " + "  ".join(padded)).rstrip()

        rule = "  " + "  ".join("-" * w for w in widths)
        return [line(t.headers), rule, *(line(r) for r in rows)]
    out = []
    for row in rows:
        rest = ", ".join(f"{h} {v}" for h, v in zip(t.headers[1:], row[1:], strict=True) if v)
        out.append(f"- {row[0]}: {rest}")
    return out


def _heading(text: str) -> list[str]:
    return ["", text, "=" * min(len(text), WIDTH), ""]


def render(
    report: Report,
    outcomes: Sequence[Outcome] = (),
    trend: Sequence[TrendPoint] = (),
    summary: Sequence[Change] = (),
    daily: DailyVolume | None = None,
) -> str:
    """The digest as plain UTF-8 text."""
    d = digest(report, outcomes, trend, summary, daily)
    out = [clean(d.title), "", f"{d.dates}, {d.compared}."]
    if d.scope:
        out.append(f"Only conversations with {clean(d.scope)}.")
    out += ["", *d.basis]
    if d.maturity:
        out += ["", d.maturity]
    out += ["", d.sla_line]
    out += _heading("Headline KPIs") + table(d.kpis)
    if d.slas is not None:
        out += _heading("SLA targets") + table(d.slas)
    out += _heading("What changed")
    if not d.changes:
        out.append(d.no_changes)
    for title, improved in (("Better", True), ("Worse", False)):
        items = [c.text for c in d.changes if c.improved == improved]
        if items:
            out += [f"{title}:", *(f"- {clean(text)}" for text in items), ""]
    if d.explained:
        out += ["Why it moved:", *(f"- {clean(line)}" for line in d.explained)]
    if d.groups is not None:
        out += _heading(d.groups.title) + table(d.groups)
    if d.breaches:
        out += _heading("Worst breaches")
        for t in d.breaches:
            out += [clean(t.title), *table(t), ""]
    for t in (d.daily, d.trend):
        if t is not None:
            out += _heading(t.title) + table(t)
    if d.warnings:
        out += _heading("Data quality") + [f"- {clean(w)}" for w in d.warnings]
    out += ["", "--", *d.notes, d.footer, ""]
    return "\n".join(out)
