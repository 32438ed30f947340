"""The weekly digest's content, format-neutral: tables of text cells with a mood.

render/markdown.py writes it as Markdown and render/html.py as HTML, so both formats
always say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta

from carecli import __version__
from carecli.metrics.registry import METRICS, TREND_METRICS
from carecli.periods import Period
from carecli.render import units, warning_lines
from carecli.render.check import (
    STATUS_TEXT,
    actual_text,
    allowed_breaches,
    breach_value,
    threshold_text,
)
from carecli.render.summary import Change, explanations
from carecli.report.build import GroupResult, Report
from carecli.report.trend import DailyVolume, TrendPoint
from carecli.sla.evaluate import Outcome, overall_status

WORST_LISTED = 5
NONE_LABEL = "(none)"


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, an optional change under it, and a mood for colour."""

    text: str
    change: str = ""
    mood: str = ""  # better/worse (changes), pass/warn/fail/no_data (SLA status), or ""


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]  # right-aligned columns
    rows: tuple[tuple[Cell, ...], ...]
    key: str = ""  # which section it belongs to: kpis, slas, groups, breaches, daily, trend


@dataclass(frozen=True)
class Digest:
    """Everything both formats show, already formatted; user text is NOT escaped yet."""

    title: str
    dates: str
    compared: str
    scope: str
    sla_status: str | None  # pass/warn/fail, None without targets
    sla_line: str
    kpis: Table
    slas: Table | None
    changes: tuple[Change, ...]
    groups: Table | None
    breaches: tuple[Table, ...]
    daily: Table | None
    trend: Table | None
    footer: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    no_changes: str = ""  # what to say when `changes` is empty
    warnings: tuple[str, ...] = ()  # data-quality findings (duplicates dropped, ...)
    basis: tuple[str, ...] = ()  # period, timezone, clock, as-of, data, comparison
    maturity: str | None = None  # why the period's numbers can still change
    explained: tuple[str, ...] = ()  # why the headline means and rates moved


def period_dates(period: Period) -> str:
    """`Mon 16 Nov 2026 – Sun 22 Nov 2026 (Europe/Berlin)`; times when not at midnight."""
    if period.kind == "all":
        return "all data"
    start, end = period.start, period.end
    midnight = start.time() == end.time() == time(0)
    if midnight:
        last = (end - timedelta(days=1)).date()
        text = f"{start:%a %d %b %Y} – {last:%a %d %b %Y}"
    else:
        text = f"{start:%a %d %b %Y %H:%M} – {end:%a %d %b %Y %H:%M}"
    return f"{text} ({period.timezone})"


def _change_cell(
    value: str, current: float | None, previous: float | None, unit: str, better: str
) -> Cell:
    text, delta = units.change(current, previous, unit)
    if text == "—":
        return Cell(value)
    arrow = "▲" if (delta or 0) > 0 else "▼" if (delta or 0) < 0 else "="
    return Cell(value, f"{arrow} {text}", units.verdict(delta, better))


def _kpi_table(report: Report) -> Table:
    previous = report.previous_period
    compare = previous is not None
    headers = ["Metric", report.period.label]
    if previous is not None:
        headers += [previous.label, "Change", "Verdict"]
    rows: list[tuple[Cell, ...]] = []
    for name in report.metric_names:
        metric = METRICS[name]
        row = metric.headline
        single = len(metric.rows) == 1 or row.label.lower() in metric.title.lower()
        label = metric.title if single else f"{metric.title}, {row.label}"
        now, before = report.overall.current[name], report.overall.previous.get(name, {})
        if not now.get("available", True):
            cells = [Cell(label), Cell("n/a")] + ([Cell("n/a"), Cell(""), Cell("")] * compare)
            rows.append(tuple(cells[: len(headers)]))
            continue
        current = units.value(now.get(row.stat), row.unit)
        cells = [Cell(label), Cell(current)]
        if compare:
            change = _change_cell("", now.get(row.stat), before.get(row.stat), row.unit, row.better)
            verdict = change.mood if change.mood in ("better", "worse") else ""
            cells += [
                Cell(units.value(before.get(row.stat), row.unit)),
                Cell(change.change or "—", mood=change.mood),
                Cell(verdict, mood=verdict),
            ]
        rows.append(tuple(cells))
    numeric = (False, True) + ((True, True, False) if compare else ())
    return Table("Headline KPIs", tuple(headers), numeric, tuple(rows), "kpis")


def _sla_table(outcomes: Sequence[Outcome]) -> Table | None:
    if not outcomes:
        return None
    rows = []
    for outcome in outcomes:
        breached = f"{outcome.breached:,}" + (
            " (within target)" if allowed_breaches(outcome) else ""
        )
        if outcome.pending:
            breached += f" (+{outcome.pending:,} pending)"
        rows.append(
            (
                Cell(outcome.target.name),
                Cell(outcome.short_scope),
                Cell(actual_text(outcome)),
                Cell(threshold_text(outcome)),
                Cell(STATUS_TEXT[outcome.status], mood=outcome.status),
                Cell(breached),
            )
        )
    headers = ("Target", "Scope", "Actual", "Threshold", "Status", "Breached")
    numeric = (False, False, True, False, False, True)
    return Table("SLA targets", headers, numeric, tuple(rows), "slas")


def _group_table(report: Report) -> Table | None:
    if not report.group_by or not report.groups:
        return None
    # A digest compares groups on its headline metrics (those the trend follows), so the
    # table fits an email; a report of chosen metrics (--metric) shows those.
    chosen = report.metric_names
    if set(chosen) == set(METRICS):
        chosen = tuple(m.name for m in METRICS.values() if m.trend)
    names = [n for n in chosen if report.overall.current[n].get("available", True)]
    headers = [key.capitalize() for key in report.group_by]
    headers += [METRICS[name].short for name in names]
    rows = []
    for group in report.groups:
        keys = [Cell(NONE_LABEL if v is None else str(v)) for v in group.key.values()]
        rows.append(tuple(keys + [_group_cell(group, name) for name in names]))
    numeric = (False,) * len(report.group_by) + (True,) * len(names)
    title = f"By {', '.join(report.group_by)}"
    return Table(title, tuple(headers), numeric, tuple(rows), "groups")


def _group_cell(group: GroupResult, name: str) -> Cell:
    row = METRICS[name].headline
    now, before = group.current[name], group.previous.get(name, {})
    value = units.value(now.get(row.stat), row.unit)
    return _change_cell(value, now.get(row.stat), before.get(row.stat), row.unit, row.better)


def _breach_tables(outcomes: Sequence[Outcome], limit: int) -> tuple[Table, ...]:
    tables = []
    for outcome in outcomes:
        if outcome.status not in ("warn", "fail") or outcome.worst.height == 0:
            continue
        target = outcome.target
        shown, total = min(limit, outcome.worst.height), outcome.worst.height
        rows = tuple(
            (
                Cell(str(row["conversation_id"])),
                Cell(row["channel"] or NONE_LABEL),
                Cell(row["agent"] or NONE_LABEL),
                Cell(breach_value(outcome, row)),
            )
            for row in outcome.worst.head(limit).iter_rows(named=True)
        )
        title = f"Worst {shown} of {total:,}: {target.name} ({outcome.scope_label})"
        headers = ("Conversation", "Channel", "Agent", "Value")
        tables.append(Table(title, headers, (False, False, False, True), rows, "breaches"))
    return tuple(tables)


def _daily_table(daily: DailyVolume | None) -> Table | None:
    if daily is None or not daily.days or len(daily.days) > 31:
        return None  # a table of more than a month of days is no digest
    channels = list(daily.counts)
    rows = []
    for i, day in enumerate(daily.days):
        counts = [daily.counts[c][i] for c in channels]
        per_channel = (Cell(f"{n:,}") for n in counts)
        rows.append((Cell(f"{day:%a %d %b}"), Cell(f"{sum(counts):,}"), *per_channel))
    headers = ("Day", "Total", *channels)
    numeric = (False,) + (True,) * (len(channels) + 1)
    return Table("Conversations per day", headers, numeric, tuple(rows), "daily")


def _trend_table(trend: Sequence[TrendPoint]) -> Table | None:
    if not trend:
        return None
    headers = ("Week", *(metric.short for metric in TREND_METRICS))
    rows = []
    for point in trend:
        cells = [Cell(point.label)]
        for metric in TREND_METRICS:
            name = metric.name
            value = point.values[name]
            cells.append(Cell(units.value(value, metric.unit) if point.available[name] else "n/a"))
        rows.append(tuple(cells))
    numeric = (False,) + (True,) * len(TREND_METRICS)
    return Table(f"Trend, last {len(trend)} weeks", headers, numeric, tuple(rows), "trend")


def sla_verdict(outcomes: Sequence[Outcome]) -> tuple[str | None, str]:
    """The overall SLA status (None without targets) and its line, `SLA: FAIL — 2 failed, ...`."""
    status = overall_status(outcomes) if outcomes else None
    if status is None:
        return None, "No SLA targets configured."
    counts = {s: sum(o.status == s for o in outcomes) for s in ("fail", "warn", "pass")}
    return status, (
        f"SLA: {STATUS_TEXT[status]} — {counts['fail']} failed, {counts['warn']} warned, "
        f"{counts['pass']} passed of {len(outcomes)} targets"
    )


def digest(
    report: Report,
    outcomes: Sequence[Outcome] = (),
    trend: Sequence[TrendPoint] = (),
    summary: Sequence[Change] = (),
    daily: DailyVolume | None = None,
) -> Digest:
    """The content of the weekly digest, shared by the Markdown and HTML renderers."""
    period = report.period
    kind = "weekly report" if period.kind == "week" else "report"
    previous = report.previous_period
    compared = "no previous period"
    if previous is not None:
        how = "like for like" if report.comparison == "like_for_like" else "plainly"
        compared = f"compared {how} with {previous.label}"
    scope = "; ".join(f"{k} = {', '.join(v)}" for k, v in report.filters.items())
    status, sla_line = sla_verdict(outcomes)
    data = report.data
    footer = (
        f"Data: {data.get('file')} ({data.get('granularity')}, {data.get('rows', 0):,} rows, "
        f"{data.get('conversations', 0):,} conversations). Generated "
        f"{report.generated_at:%Y-%m-%d %H:%M} UTC by carecli {__version__}."
    )
    notes = (
        "Durations: medians unless stated; lower is better for times and backlog.",
        "Rates change in percentage points (pp), NPS in points, the rest in percent.",
        "Two kinds of median: the KPI and group tables count answered (resolved) "
        "conversations only; an SLA median or percentile also counts those still waiting "
        "past its limit, at their age at the as-of moment (a lower bound).",
    )
    return Digest(
        title=f"carecli {kind} — {period.label}",
        dates=period_dates(period),
        compared=compared,
        scope=scope,
        sla_status=status,
        sla_line=sla_line,
        kpis=_kpi_table(report),
        slas=_sla_table(outcomes),
        changes=tuple(summary),
        groups=_group_table(report),
        breaches=_breach_tables(outcomes, WORST_LISTED),
        daily=_daily_table(daily),
        trend=_trend_table(trend),
        footer=footer,
        notes=notes,
        no_changes=(
            "No noticeable change (at least 20 samples and a 10% / 2 pp / 5 point move)."
            if previous
            else "No previous period to compare with."
        ),
        warnings=tuple(warning_lines(report)),
        basis=tuple(report.basis.lines()),
        maturity=report.maturity_line(),
        explained=tuple(explanations(report)) if previous else (),
    )
