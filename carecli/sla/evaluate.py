"""SLA evaluation: targets -> outcomes (pass / warn / fail / no_data) per target and scope.

Each target is evaluated on per-conversation samples of its metric. A conversation still
waiting (unanswered, unresolved, a customer turn with no reply) has no final value yet:
once it is older than the target's limit it counts as breached, with its age as a lower
bound of its value; younger, it is pending and left out.

A target on a metric the input cannot support (Timeline.unavailable: no resolution events,
no CSAT column, ...) is `no_data`, never measured on the absent values: no resolution
events must not read as every conversation unresolved and breached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from carecli.config.model import Config
from carecli.config.targets import Levels, Target
from carecli.exit_codes import ExitCode
from carecli.metrics.entry import Waiting
from carecli.metrics.registry import METRICS
from carecli.periods import Period
from carecli.schema import DIMENSIONS
from carecli.timeline.asof import conversations_at, turns_at
from carecli.timeline.build import CID, with_state_at
from carecli.timeline.clock import age as clock_age
from carecli.timeline.clock import elapsed
from carecli.timeline.frames import KEY, Timeline

STATUSES = ("pass", "warn", "fail", "no_data")
LISTED = (CID, "channel", "agent", "value", "reason")


@dataclass(frozen=True)
class Outcome:
    """How one target fared in one scope (everything, or one value of its `per:` field)."""

    target: Target
    scope: dict[str, str | None]
    actual: float | None
    levels: Levels
    within: float | None
    status: str
    samples: int
    breached: int
    pending: int
    worst: pl.DataFrame  # the breaching conversations, worst first (LISTED columns)
    unavailable: str | None = None  # why the input cannot give the metric (status no_data)

    @property
    def scope_label(self) -> str:
        parts = [f"{k}={v if v is not None else '(none)'}" for k, v in self.scope.items()]
        where = [f"{k}={','.join(v)}" for k, v in self.target.where.items()]
        return " ".join(parts + where) or "all"

    @property
    def short_scope(self) -> str:
        """The scope for narrow tables: values only (the target says which field)."""
        values = [v if v is not None else "(none)" for v in self.scope.values()]
        values += [", ".join(v) for v in self.target.where.values()]
        return "; ".join(values) or "all"


def samples(
    timeline: Timeline, target: Target, period: Period, as_of: datetime, config: Config
) -> pl.DataFrame:
    """One row per sample: conversation_id, dimensions, value, waiting (no final value yet).

    Values are the metric's own (its registry entry); a time metric's still-waiting samples
    take their age. Durations follow the clock in force; a target with its own `calendar:`
    re-measures them from the moments behind them, and ages follow the same clock.
    """
    metric = METRICS[target.metric]
    settings = config.metric_settings
    calendar = target.calendar

    def waited(since: str) -> pl.Expr:
        return clock_age(since, as_of, config, calendar)

    keep = period.contains("created_at")
    for name, values in target.where.items():
        keep = keep & pl.col(name).is_in(list(values))
    # The data as it stood at `as_of`: a later answer or resolution has not happened yet.
    conversations = conversations_at(
        timeline, timeline.conversations.lazy().filter(keep), as_of, config
    )
    dims = [CID, *DIMENSIONS]
    if metric.frame == "backlog":
        # The open conversations at the period end (or the as-of), each with its age.
        end = min(period.end_utc, as_of.astimezone(UTC))
        frame = (
            with_state_at(timeline, end)
            .filter(pl.all_horizontal(_where(target)))
            .filter(metric.sample(settings).is_not_null())
            .select(*dims, value=clock_age("created_at", end, config, calendar), waiting=False)
        )
    elif isinstance(metric.value, Waiting):
        wait = metric.value
        rows = conversations
        if metric.frame == "turns":
            if timeline.turns is None:
                return pl.DataFrame(schema={**{d: pl.String for d in dims}, "value": pl.Float64})
            rows = turns_at(timeline.turns.lazy(), as_of).join(
                conversations.select(KEY, *dims), on=KEY
            )
        # Done without a duration (a time left out as impossible, or a resolved ticket the
        # export gives no time for): no sample, as in the report, and not waiting either.
        if metric.scope is not None:  # a contact-centre metric: its queues only
            rows = rows.filter(metric.scope(settings))
        frame = rows.filter(~wait.done | pl.col(wait.seconds).is_not_null()).select(
            *dims,
            value=pl.coalesce(_measured(wait, config, calendar), waited(wait.start)),
            waiting=~wait.done,
        )
    else:
        reason = pl.lit(None, pl.String) if metric.reason is None else metric.reason
        frame = conversations.select(
            *dims, value=metric.sample(settings), waiting=False, reason=reason
        ).filter(pl.col("value").is_not_null())
    frame = frame.collect()
    if "reason" not in frame.columns:
        frame = frame.with_columns(reason=pl.lit(None, pl.String))
    return frame


def _measured(wait: Waiting, config: Config, calendar: str | None) -> pl.Expr:
    """A sample's duration: the timeline's (on the clock in force), or re-measured on the
    target's own calendar from the moments behind it."""
    if calendar is None:
        return pl.col(wait.seconds)
    again = elapsed(pl.col(wait.start), pl.col(wait.end), config, calendar)
    return pl.when(pl.col(wait.end).is_not_null()).then(again).otherwise(pl.col(wait.seconds))


def _where(target: Target) -> list[pl.Expr]:
    return [pl.lit(True)] + [pl.col(k).is_in(list(v)) for k, v in target.where.items()]


def statistic(target: Target, config: Config) -> pl.Expr:
    """The target's statistic over the `value` column of its included samples: the same
    statistics as the report's (the metric's entry), or the attainment share."""
    value = pl.col("value")
    if target.is_attainment:
        return pl.when(value.count() > 0).then((value <= pl.col("_within")).sum() / value.count())
    return METRICS[target.metric].statistics(value, config.metric_settings)[target.statistic]


def is_breach(target: Target, levels: Levels, within: float | None, config: Config) -> pl.Expr:
    """Which samples are the conversations that break the target (listed and counted)."""
    value = pl.col("value")
    if target.is_attainment:
        return value > within
    rule = METRICS[target.metric].breach
    if rule is None:
        return pl.lit(False)  # no single conversation breaks it (volume)
    limit = levels.fail if levels.fail is not None else levels.warn
    return rule(value, limit, config.metric_settings)  # type: ignore[arg-type]


def status_of(actual: float | None, levels: Levels, direction: str) -> str:
    if actual is None:
        return "no_data"

    def beyond(threshold: float | None) -> bool:
        if threshold is None:
            return False
        return actual > threshold if direction == "at_most" else actual < threshold

    if beyond(levels.fail):
        return "fail"
    if beyond(levels.warn):
        return "warn"
    return "pass"


def evaluate(
    timeline: Timeline,
    targets: Sequence[Target],
    period: Period,
    config: Config,
    as_of: datetime,
) -> list[Outcome]:
    """Every target in every scope, in config order."""
    outcomes: list[Outcome] = []
    for target in targets:
        reason = timeline.unavailable.get(target.metric)
        if reason is not None:
            outcomes.append(_not_available(target, f"the input has no {reason}"))
            continue
        rows = samples(timeline, target, period, as_of, config)
        if target.per is None:
            scopes: list[str | None] = [None]
        else:
            scopes = sorted(rows[target.per].unique().to_list(), key=lambda v: (v is None, v))
        for scope in scopes:
            levels = target.levels_for(scope)
            if levels is None:  # this scope has no threshold of its own and there's no default
                continue
            within = target.within_for(scope)
            scoped = rows if target.per is None else rows.filter(_scope_filter(target.per, scope))
            outcomes.append(_outcome(target, scope, scoped, levels, within, config))
    return outcomes


def _not_available(target: Target, reason: str) -> Outcome:
    """One no_data outcome for the whole target (no `per:` scopes: there are no samples)."""
    levels = target.levels_for(None) or next(iter(target.levels.values()))
    within = target.within_for(None)
    if within is None:
        within = next(iter(target.within.values()), None)
    return Outcome(
        target=target,
        scope={},
        actual=None,
        levels=levels,
        within=within,
        status="no_data",
        samples=0,
        breached=0,
        pending=0,
        worst=pl.DataFrame(schema={c: pl.Float64 if c == "value" else pl.String for c in LISTED}),
        unavailable=reason,
    )


def unavailable_warnings(outcomes: Sequence[Outcome]) -> list[str]:
    """One line per target whose metric the input cannot give, for stderr."""
    return [
        f"SLA {o.target.name!r}: {o.target.metric} is not available: {o.unavailable}; "
        "counted as no data"
        for o in outcomes
        if o.unavailable is not None
    ]


def _scope_filter(field: str, scope: str | None) -> pl.Expr:
    return pl.col(field).is_null() if scope is None else pl.col(field) == scope


def _outcome(
    target: Target,
    scope: str | None,
    rows: pl.DataFrame,
    levels: Levels,
    within: float | None,
    config: Config,
) -> Outcome:
    limit = within if target.is_attainment else levels.strictest()
    if "waiting" in rows.columns:
        pending = rows["waiting"] & (rows["value"] <= limit)
        included = rows.filter(~pending)
        pending_count = int(pending.sum())
    else:
        included, pending_count = rows, 0
    included = included.with_columns(_within=pl.lit(within, pl.Float64))
    # Over no samples a count is 0 and a mean or median null, exactly as in the report.
    actual = included.select(statistic(target, config)).item()
    breaching = included.filter(is_breach(target, levels, within, config))
    descending = METRICS[target.metric].better != "higher"  # worst first
    worst = breaching.sort("value", descending=descending, nulls_last=True).select(LISTED)
    return Outcome(
        target=target,
        scope={} if target.per is None else {target.per: scope},
        actual=None if actual is None else float(actual),
        levels=levels,
        within=within,
        status=status_of(None if actual is None else float(actual), levels, target.direction),
        samples=included.height,
        breached=breaching.height,
        pending=pending_count,
        worst=worst,
    )


def overall_status(outcomes: Sequence[Outcome]) -> str:
    statuses = {o.status for o in outcomes}
    return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"


def exit_code(outcomes: Sequence[Outcome], strict: bool = False) -> ExitCode:
    """1 when a fail level is breached (or, with strict, a warn level); 0 otherwise."""
    status = overall_status(outcomes)
    if status == "fail" or (strict and status == "warn"):
        return ExitCode.SLA_BREACH
    return ExitCode.OK
