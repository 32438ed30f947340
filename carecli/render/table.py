"""Terminal tables (rich): a summary of every metric, then one breakdown per --by grouping."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from carecli.metrics.entry import Row
from carecli.metrics.registry import METRICS
from carecli.render import NAME_LIMIT, clean, plain, to_text, units, warning_lines
from carecli.render.check import table as check_tables
from carecli.report.build import GroupResult, Report, Stats
from carecli.sla.evaluate import Outcome

_STYLE = {"better": "green", "worse": "red", "same": "dim"}
NONE_LABEL = "(none)"


def _change(row: Row, current: Stats, previous: Stats) -> Text:
    text, delta = units.change(current.get(row.stat), previous.get(row.stat), row.unit)
    mood = units.verdict(delta, row.better)
    arrow = "▲" if (delta or 0) > 0 else "▼" if (delta or 0) < 0 else ""
    shown = f"{arrow} {text}".strip() if text not in ("—",) else text
    return Text(shown, style=_STYLE[mood] if row.better != "neutral" or mood != "same" else "")


def summary_table(report: Report) -> Table:
    table = Table(
        title=plain(_title(report)),
        min_width=72,  # room for the title on one line
        box=box.SIMPLE_HEAD,
        title_justify="left",
        pad_edge=False,
    )
    compare = report.previous_period is not None
    table.add_column("Metric", no_wrap=True)
    table.add_column(report.period.label, justify="right", no_wrap=True)
    if report.previous_period is not None:
        table.add_column(report.previous_period.label, justify="right", no_wrap=True)
        table.add_column("Change", justify="right", no_wrap=True)
    current, previous = report.overall.current, report.overall.previous

    def add(label: Text | str, row: Row | None, stats: Stats, before: Stats, end: bool) -> None:
        if row is None:
            cells = ["", "", ""]
        elif not stats.get("available", True):
            cells = ["n/a", "n/a", ""]
        else:
            cells = [
                units.value(stats.get(row.stat), row.unit),
                units.value(before.get(row.stat), row.unit),
                _change(row, stats, before),
            ]
        table.add_row(label, *(cells if compare else cells[:1]), end_section=end)

    for name in report.metric_names:
        metric = METRICS[name]
        stats, before = current[name], previous[name]
        title = Text(metric.title, style="bold")
        rows = metric.rows
        if not stats.get("available", True) or len(rows) == 1:
            add(title, rows[0], stats, before, end=True)
            continue
        add(title, None, stats, before, end=False)
        for i, row in enumerate(rows):
            add(f"  {row.label}", row, stats, before, end=i == len(rows) - 1)
    return table


def breakdown_tables(report: Report, width: int) -> list[Table]:
    """Headline of each metric per group; split so every table fits the terminal width."""
    names = [n for n in report.metric_names if report.overall.current[n].get("available", True)]
    per_table = max(1, (width - 8 * len(report.group_by) - 6) // 12)
    tables = []
    for start in range(0, len(names), per_table):
        chunk = names[start : start + per_table]
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
        versus = " vs previous" if report.previous_period is not None else ""
        table.title = plain(f"By {', '.join(report.group_by)} — {report.period.label}{versus}")
        for key in report.group_by:
            table.add_column(key.capitalize(), overflow="fold", max_width=18)
        for name in chunk:
            table.add_column(_column_title(name), justify="right", no_wrap=True)
        for group in report.groups:
            table.add_row(*_key_cells(group), *[_cell(group, n) for n in chunk])
        tables.append(table)
    return tables


def _cell(group: GroupResult, name: str) -> Text:
    row = METRICS[name].headline
    stats, before = group.current[name], group.previous[name]
    cell = Text(units.value(stats.get(row.stat), row.unit))
    change = _change(row, stats, before)
    if change.plain != "—":
        cell.append("\n")
        cell.append_text(change)
    return cell


def _key_cells(group: GroupResult) -> list[Text]:
    # Names come from the data: plain text, so "[/bold]" in an agent name is just text.
    return [
        Text(NONE_LABEL) if v is None else plain(v, limit=NAME_LIMIT) for v in group.key.values()
    ]


def _column_title(name: str) -> str:
    # The statistic under a duration's name is the one shown: AHT's headline is its mean.
    metric = METRICS[name]
    row = metric.headline
    return metric.column + (f"\n{STAT_SHORT[row.stat]}" if row.unit == "duration" else "")


STAT_SHORT = {"median": "p50", "mean": "mean"}


def _title(report: Report) -> str:
    period = report.period
    if period.kind == "all":
        return "carecli · all data" + "".join(
            f" · {k}={','.join(v)}" for k, v in report.filters.items()
        )
    start = period.start.strftime("%Y-%m-%d %H:%M")
    end = period.end.strftime("%Y-%m-%d %H:%M")
    scope = "".join(f" · {k}={','.join(v)}" for k, v in report.filters.items())
    return f"carecli · {period.label} ({start} → {end} {period.timezone}){scope}"


def render(
    report: Report, outcomes: Sequence[Outcome] = (), color: bool = False, width: int = 80
) -> str:
    """The whole terminal report as text (ANSI colours only when `color`)."""
    basis = report.basis.lines()
    maturity = report.maturity_line()
    renderables: list[Any] = [Text("\n".join(basis), style="dim")]
    if maturity:
        renderables.append(Text(maturity, style="yellow"))
    renderables.append(summary_table(report))
    if report.group_by:
        renderables.extend(breakdown_tables(report, width))
    if outcomes:
        renderables.extend(check_tables(list(outcomes), report.period))
    data = report.data
    renderables.append(
        Text(
            f"Data: {clean(data['file'])} ({data['granularity']}, {data['rows']:,} rows, "
            f"{data['conversations']:,} conversations). Durations: median unless stated"
            + ("; change vs previous period." if report.previous_period else "."),
            style="dim",
        )
    )
    for line in warning_lines(report):
        renderables.append(plain(f"Data quality: {line}", style="yellow"))
    return to_text(renderables, color, width)
