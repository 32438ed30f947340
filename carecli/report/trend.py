"""Week-over-week trend of the headline KPIs, and daily volume per channel, for digests.

Both read the same timeline as `build_report` and reuse `compute_stats_by`, so a trend
point for the report's own week always equals the report's numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from carecli.config.model import Config
from carecli.errors import UsageError
from carecli.metrics.registry import TREND_METRICS
from carecli.periods import Period, week_period

# A trend filters exactly as the report does.
from carecli.report.build import Dataset, resolve_as_of
from carecli.report.stats import compute_stats_by, filter_timeline
from carecli.timeline.asof import at_same_age

MAX_WEEKS = 104
NONE_CHANNEL = "(none)"


@dataclass(frozen=True)
class TrendPoint:
    """One ISO week: the headline value of each metric the trend follows (None: no value)."""

    period: Period
    values: dict[str, float | None]
    available: dict[str, bool]  # False when the input lacks what the metric needs

    @property
    def label(self) -> str:
        return self.period.label


@dataclass(frozen=True)
class DailyVolume:
    """Conversations started per local day and channel; channels by total, largest first."""

    days: tuple[date, ...]
    counts: dict[str, tuple[int, ...]]  # channel -> one count per day of `days`

    def total(self) -> int:
        return sum(sum(series) for series in self.counts.values())


def trend_weeks(period: Period, weeks_back: int) -> list[Period]:
    """The `weeks_back` ISO weeks ending with the week that holds the period's last day."""
    if not 1 <= weeks_back <= MAX_WEEKS:
        raise UsageError(f"--weeks-back {weeks_back}: use a number of weeks from 1 to {MAX_WEEKS}")
    # A range period ends at local midnight: its last day is the one before `end`.
    last_day = (period.end - timedelta(microseconds=1)).date()
    return [
        week_period(last_day - timedelta(days=7 * back), period.timezone)
        for back in range(weeks_back - 1, -1, -1)
    ]


def weekly_trend(
    dataset: Dataset,
    period: Period,
    config: Config,
    weeks_back: int = 6,
    filters: Mapping[str, Sequence[str]] | None = None,
    as_of: datetime | None = None,
    comparison: str = "like_for_like",
) -> list[TrendPoint]:
    """Headline KPIs of each of the last `weeks_back` ISO weeks, oldest first.

    Each week is evaluated as of `as_of` (default: the end of the data), like for like
    by default: every week at the age the last one has at `as_of`, so a recent week does
    not look faster only because its slow conversations are not resolved yet.
    Empty for `--all` periods (there are no weeks to line up). Weeks before the data
    starts are kept, with no values, so every trend has the same length.
    """
    if period.kind == "all":
        return []
    timeline = filter_timeline(dataset.timeline, {k: tuple(v) for k, v in (filters or {}).items()})
    names = [metric.name for metric in TREND_METRICS]
    points: list[TrendPoint] = []
    weeks = trend_weeks(period, weeks_back)
    moment = resolve_as_of(dataset, as_of).utc
    last = weeks[-1].start_utc
    moments = [
        at_same_age(moment, last, week.start_utc) if comparison == "like_for_like" else moment
        for week in weeks
    ]
    # Every week in one parallel run: on millions of conversations, 8 runs one after
    # another cost more than the report itself.
    computed = compute_stats_by(timeline, weeks, [()], names, config, moments)
    for week, (by_key,) in zip(weeks, computed, strict=True):
        stats = by_key.get((), {})
        values: dict[str, float | None] = {}
        available: dict[str, bool] = {}
        for metric in TREND_METRICS:
            name, headline = metric.name, metric.headline
            available[name] = name not in timeline.unavailable
            value = stats.get(name, {}).get(headline.stat)
            # Counts of an empty week are 0, not "no value": nothing happened, a fact.
            if value is None and headline.unit == "count" and available[name]:
                value = 0
            values[name] = None if value is None else float(value)
        points.append(TrendPoint(week, values, available))
    return points


def period_days(period: Period, first: date | None = None, last: date | None = None) -> list[date]:
    """Every local calendar day of the period (of [first, last] for an `--all` period)."""
    if period.kind == "all":
        if first is None or last is None:
            return []
        start, end = first, last
    else:
        start, end = period.start.date(), (period.end - timedelta(microseconds=1)).date()
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def daily_volume(
    dataset: Dataset,
    period: Period,
    config: Config,
    filters: Mapping[str, Sequence[str]] | None = None,
) -> DailyVolume:
    """Conversations started per day (in the period's timezone) and channel.

    The period's timezone is the reporting timezone (the CLI builds both from --tz or the
    config), so days split at local midnight, not UTC midnight. `config` is accepted for
    symmetry with `weekly_trend`.
    """
    timeline = filter_timeline(dataset.timeline, {k: tuple(v) for k, v in (filters or {}).items()})
    created = pl.col("created_at")
    rows = (
        timeline.conversations.lazy()
        .filter((created >= period.start_utc) & (created < period.end_utc))
        .select(
            day=created.dt.convert_time_zone(period.timezone).dt.date(),
            channel=pl.col("channel").fill_null(NONE_CHANNEL),
        )
        .group_by("day", "channel")
        .len()
        .collect()
    )
    days = period_days(
        period,
        rows["day"].min() if rows.height else None,  # type: ignore[arg-type]
        rows["day"].max() if rows.height else None,  # type: ignore[arg-type]
    )
    position = {day: i for i, day in enumerate(days)}
    series: dict[str, list[int]] = {}
    for day, channel, count in rows.iter_rows():
        series.setdefault(channel, [0] * len(days))[position[day]] += count
    ordered = sorted(series.items(), key=lambda item: (-sum(item[1]), item[0]))
    return DailyVolume(tuple(days), {channel: tuple(counts) for channel, counts in ordered})
