"""Metric statistics of a timeline for periods and groupings: what build_report, the weekly
trend and the SLA checks aggregate. Each metric's aggregations come from its registry entry
(carecli.metrics.registry); this module selects the rows each one reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl

from carecli.config.model import Config
from carecli.metrics.registry import METRICS, aggregations_for
from carecli.periods import Period
from carecli.timeline.asof import conversations_at, turns_at
from carecli.timeline.build import with_state_at
from carecli.timeline.frames import KEY, Timeline

Stats = dict[str, Any]
GroupKey = tuple[str | None, ...]
_ALL = "__all"


def filter_timeline(timeline: Timeline, filters: Mapping[str, Sequence[str]]) -> Timeline:
    """Only the conversations (and their turns and status events) that pass `filters`."""
    if not filters:
        return timeline
    keep = pl.lit(True)
    for name, values in filters.items():
        keep = keep & pl.col(name).is_in(list(values))
    conversations = timeline.conversations.filter(keep)
    keys = conversations.select(KEY)

    def kept(frame: pl.DataFrame | None) -> pl.DataFrame | None:
        # The timeline's order is kept: same-second status events are settled by it.
        return (
            None if frame is None else frame.join(keys, on=KEY, how="semi", maintain_order="left")
        )

    return dataclasses.replace(
        timeline,
        conversations=conversations,
        turns=kept(timeline.turns),
        status=kept(timeline.status),
        messages=kept(timeline.messages),
        ratings=kept(timeline.ratings),
    )


def compute_stats(
    timeline: Timeline,
    period: Period,
    keys: tuple[str, ...],
    names: Sequence[str],
    config: Config,
    as_of: datetime | None = None,
) -> dict[GroupKey, dict[str, Stats]]:
    """metric -> statistic -> value, for every group of `keys` (or () for everything)."""
    return compute_stats_by(timeline, [period], [keys], names, config, [as_of])[0][0]


def compute_stats_by(
    timeline: Timeline,
    periods: Sequence[Period],
    key_sets: Sequence[tuple[str, ...]],
    names: Sequence[str],
    config: Config,
    as_of: Sequence[datetime | None] | None = None,
) -> list[list[dict[GroupKey, dict[str, Stats]]]]:
    """compute_stats for several periods (two weeks, a trend's eight) and groupings of each
    (overall and by channel, say): [period][key set] -> group -> metric -> statistic.

    Each period is evaluated as its data stood at its `as_of` moment (None: everything in
    the data; see carecli.asof). Each period's rows of each frame (and the backlog state
    at its end) are selected once and shared by the groupings; every period is computed
    in one parallel polars run.
    """
    moments = list(as_of) if as_of is not None else [None] * len(periods)
    columns = list(dict.fromkeys(k for keys in key_sets for k in keys))
    # Metrics the input cannot support keep their empty values: never computed from nothing.
    computable = [name for name in names if name not in timeline.unavailable]
    frames = [
        frame
        for frame in ("conversations", "turns", "backlog")
        if aggregations_for(frame, computable, config.metric_settings)
        and (frame != "turns" or timeline.turns is not None)
    ]
    bases = [
        _period_bases(timeline, period, frames, columns, moment, config)
        for period, moment in zip(periods, moments, strict=True)
    ]
    if len(key_sets) > 1:  # shared: selected once, then grouped each way
        collected = iter(pl.collect_all([base for per in bases for base in per.values()]))
        bases = [{frame: next(collected).lazy() for frame in per} for per in bases]
    queries = [
        per[frame]
        .group_by(list(keys) or [_ALL])
        .agg(**aggregations_for(frame, computable, config.metric_settings))
        for per in bases
        for keys in key_sets
        for frame in frames
    ]
    results = iter(pl.collect_all(queries))
    empty = empty_stats(timeline, names, config)  # each group starts from a copy
    return [
        [_merged([next(results) for _ in frames], keys, empty) for keys in key_sets]
        for _ in periods
    ]


def _merged(
    tables: list[pl.DataFrame], keys: tuple[str, ...], empty: dict[str, Stats]
) -> dict[GroupKey, dict[str, Stats]]:
    """The aggregation tables of one period and grouping (one per metric frame, columns
    `metric.stat`) as group -> metric -> statistic, from a copy of the empty values."""
    merged: dict[GroupKey, dict[str, Stats]] = {}
    for table in tables:
        for row in table.iter_rows(named=True):
            key = tuple(row[k] for k in keys)
            if key not in merged:
                merged[key] = {metric: dict(values) for metric, values in empty.items()}
            for column, value in row.items():
                if "." in column:
                    metric, stat = column.split(".", 1)
                    merged[key][metric][stat] = value
    return merged


def _period_bases(
    timeline: Timeline,
    period: Period,
    frames: Sequence[str],
    columns: Sequence[str],
    as_of: datetime | None,
    config: Config,
) -> dict[str, pl.LazyFrame]:
    """The rows each metric frame aggregates for `period` as of `as_of`, with the grouping
    columns."""
    in_period = timeline.conversations.lazy().filter(period.contains("created_at"))
    end = period.end_utc
    if as_of is not None:
        in_period = conversations_at(timeline, in_period, as_of, config)
        end = min(end, as_of.astimezone(UTC))
    in_period = in_period.with_columns(pl.lit(True).alias(_ALL))
    bases: dict[str, pl.LazyFrame] = {}
    if "conversations" in frames:
        bases["conversations"] = in_period
    if "turns" in frames and timeline.turns is not None:
        turns = timeline.turns.lazy()
        if as_of is not None:
            turns = turns_at(turns, as_of)
        bases["turns"] = turns.join(in_period.select(KEY, _ALL, *columns), on=KEY)
    if "backlog" in frames:
        # The state at the period end, or at the as-of moment when the period ends later.
        bases["backlog"] = (
            with_state_at(timeline, end)
            .with_columns(pl.lit(True).alias(_ALL))
            .select(_ALL, *columns, "resolved_at_end")
        )
    return bases


def empty_stats(timeline: Timeline, names: Sequence[str], config: Config) -> dict[str, Stats]:
    """Each metric's value over zero rows (counts 0, means null), plus its availability."""
    stats: dict[str, Stats] = {}
    for name in names:
        metric = METRICS[name]
        exprs = metric.aggregations(config.metric_settings)
        frame = _EMPTY_FRAMES[metric.frame]
        values = frame.select(**exprs).row(0, named=True)
        reason = timeline.unavailable.get(name)
        if reason is None:
            stats[name] = {"available": True, **values}
        else:  # not available: no statistic at all, not even a count of 0
            stats[name] = {"available": False, **dict.fromkeys(values)}
            stats[name]["not_available_because"] = f"the input has no {reason}"
    return stats


_EMPTY_FRAMES = {
    "conversations": pl.DataFrame(
        schema={
            "created_at": pl.Datetime("us", "UTC"),
            "channel": pl.String,
            "answered": pl.Boolean,
            "bot_answered": pl.Boolean,
            "is_resolved": pl.Boolean,
            "reopened": pl.Boolean,
            "escalated": pl.Boolean,
            "abandoned": pl.Boolean,
            **{
                c: pl.Float64
                for c in (
                    "first_response_s",
                    "bot_first_response_s",
                    "resolution_s",
                    "csat",
                    "nps",
                    "handle_s",
                    "wait_s",
                )
            },
            "inbound_messages": pl.Int64,
            "outbound_messages": pl.Int64,
        }
    ),
    "turns": pl.DataFrame(schema={"reply_s": pl.Float64}),
    "backlog": pl.DataFrame(schema={"resolved_at_end": pl.Boolean}),
}
