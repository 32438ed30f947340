"""SLA outcomes as a terminal table or a JSON document."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from carecli import __version__
from carecli.metrics.registry import METRICS
from carecli.periods import Period
from carecli.render import NAME_LIMIT, plain, to_text, units
from carecli.report.basis import Basis
from carecli.sla.evaluate import Outcome, overall_status

if TYPE_CHECKING:  # rich is imported where tables are drawn: JSON output never needs it
    from rich.table import Table

STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "no_data": "dim"}
STATUS_TEXT = {"pass": "pass", "warn": "WARN", "fail": "FAIL", "no_data": "no data"}


def actual_text(outcome: Outcome) -> str:
    target = outcome.target
    unit = "rate" if target.is_attainment else target.unit
    return units.value(outcome.actual, unit)


def _level(number: float | None, unit: str) -> str:
    if unit == "duration" and number is not None:
        return units.duration_short(number)
    return units.value(number, unit)


def threshold_text(outcome: Outcome, separator: str = " ") -> str:
    """`p90 ≤ 1h (warn 45m)`, `≥ 85.0% in 24h`."""
    target = outcome.target
    sign = "≤" if target.direction == "at_most" else "≥"
    unit = "rate" if target.is_attainment else target.unit
    levels = outcome.levels
    main = levels.fail if levels.fail is not None else levels.warn
    text = f"{sign} {_level(main, unit)}"
    if target.is_attainment:
        text += f" in {units.duration_short(outcome.within or 0)}"
    elif target.unit == "duration" or target.statistic == "mean":
        text = f"{target.statistic} {text}"
    if levels.fail is not None and levels.warn is not None:
        text += f"{separator}(warn {_level(levels.warn, unit)})"
    elif levels.fail is None:
        text += f"{separator}(warn only)"
    return text


def statistic_label(outcome: Outcome) -> str:
    target = outcome.target
    return "attainment" if target.is_attainment else target.statistic


def table(outcomes: list[Outcome], period: Period, list_breaches: int = 0) -> list[Table]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    main = Table(
        title=plain(f"SLA targets · {period.label} · {STATUS_TEXT[overall_status(outcomes)]}"),
        box=box.SIMPLE_HEAD,
        title_justify="left",
        pad_edge=False,
    )
    main.add_column("Target", ratio=3)
    main.add_column("Scope", ratio=2)
    main.add_column("Actual", justify="right", no_wrap=True)
    main.add_column("Threshold", max_width=22)
    main.add_column("Status", no_wrap=True)
    main.add_column("Breached", justify="right", no_wrap=True)
    for outcome in outcomes:
        breached = f"{outcome.breached:,}" + (
            "\nwithin target" if allowed_breaches(outcome) else ""
        )
        if outcome.pending:
            breached += f"\n{outcome.pending:,} pending"
        main.add_row(
            plain(outcome.target.name),
            plain(outcome.short_scope),
            actual_text(outcome),
            threshold_text(outcome, separator="\n"),
            Text(STATUS_TEXT[outcome.status], style=STATUS_STYLE[outcome.status]),
            breached,
        )
    tables = [main]
    if list_breaches:
        tables.extend(_breach_tables(outcomes, list_breaches))
    return tables


def breach_value(outcome: Outcome, row: dict[str, Any]) -> str:
    """How a breaching conversation is shown: its time (or age), rating, or FCR reason."""
    shown_as = METRICS[outcome.target.metric].shown_as
    if shown_as == "reason":
        return row.get("reason") or "not first contact"
    return units.value(row["value"], shown_as)


def _breach_tables(outcomes: list[Outcome], limit: int) -> list[Table]:
    from rich import box
    from rich.table import Table

    tables = []
    for outcome in outcomes:
        if outcome.status not in ("warn", "fail") or outcome.worst.height == 0:
            continue
        target = outcome.target
        shown, total = min(limit, outcome.worst.height), outcome.worst.height
        sub = Table(
            title=plain(f"Worst {shown} of {total:,}: {target.name} ({outcome.scope_label})"),
            box=box.SIMPLE_HEAD,
            title_justify="left",
            pad_edge=False,
        )
        for name in ("Conversation", "Channel", "Agent", "Value"):
            sub.add_column(name, justify="right" if name == "Value" else "left", overflow="fold")
        for row in outcome.worst.head(limit).iter_rows(named=True):
            sub.add_row(
                plain(row["conversation_id"], limit=NAME_LIMIT),
                plain(row["channel"] or "(none)", limit=NAME_LIMIT),
                plain(row["agent"] or "(none)", limit=NAME_LIMIT),
                breach_value(outcome, row),
            )
        tables.append(sub)
    return tables


def allowed_breaches(outcome: Outcome) -> bool:
    """Breaches an attainment target allows: it passes with them (95 % within 1h lets 5 %
    be slower), which a reader seeing "92 breached" next to "pass" should be told."""
    return outcome.target.is_attainment and outcome.status == "pass" and outcome.breached > 0


def render_table(
    outcomes: list[Outcome],
    period: Period,
    list_breaches: int = 0,
    color: bool = False,
    width: int = 80,
    basis: Basis | None = None,
) -> str:
    from rich.text import Text

    head = [Text("\n".join(basis.lines()), style="dim")] if basis is not None else []
    return to_text([*head, *table(outcomes, period, list_breaches)], color, width)


def outcome_document(outcome: Outcome, list_breaches: int = 0) -> dict[str, Any]:
    target = outcome.target
    document: dict[str, Any] = {
        "name": target.name,
        "metric": target.metric,
        "statistic": statistic_label(outcome),
        "direction": target.direction,
        "unit": "rate" if target.is_attainment else target.unit,
        "scope": outcome.scope,
        "where": {k: list(v) for k, v in target.where.items()},
        "actual": outcome.actual,
        "warn": outcome.levels.warn,
        "fail": outcome.levels.fail,
        "within_seconds": outcome.within,
        "status": outcome.status,
        "samples": outcome.samples,
        "breached": outcome.breached,
        "pending": outcome.pending,
        "unavailable": outcome.unavailable,  # why the input cannot give the metric, or null
    }
    if list_breaches:
        document["worst"] = outcome.worst.head(list_breaches).to_dicts()
    return document


def render_json(
    outcomes: list[Outcome],
    basis: Basis,
    strict: bool,
    list_breaches: int = 0,
) -> str:
    stated = basis.as_dict()
    document = {
        "schema_version": 2,
        "carecli_version": __version__,
        "period": basis.period.as_dict(),
        "as_of": stated["as_of"],
        "as_of_source": stated["as_of_source"],
        "clock": stated["clock"],
        "data": {k: stated[k] for k in ("files", "first_event_at", "last_event_at")},
        "strict": strict,
        "status": overall_status(outcomes),
        "targets": [outcome_document(o, list_breaches) for o in outcomes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
