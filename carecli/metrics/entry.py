"""What a metric entry is: its fields (carecli.metrics.registry lists the entries)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import polars as pl

Aggregations = dict[str, pl.Expr]


@dataclass(frozen=True)
class Settings:
    """The config values a metric depends on (Config.metric_settings builds them)."""

    satisfied_min: float = 4  # csat.satisfied_min
    answer_within_s: float = 20.0  # contact_centre.answer_within (service level)
    short_abandon_s: float = 0.0  # contact_centre.short_abandon
    queue_channels: tuple[str, ...] = ("phone", "chat")  # contact_centre.channels


Statistics = Callable[[pl.Expr, Settings], Aggregations]
Breach = Callable[[pl.Expr, float, Settings], pl.Expr]


class Row(NamedTuple):
    """One line of a metric in human-readable reports: label, statistic, unit, better."""

    label: str
    stat: str
    unit: str  # "duration", "count", "rate", "mean" (a rating) or "score"
    better: str  # "lower", "higher" or "neutral"


@dataclass(frozen=True)
class Waiting:
    """A time metric's samples: from `start` to `end`, `seconds` apart on the clock in
    force. A sample not `done` at the as-of moment is still waiting; for an SLA it is
    breached once older than the limit (its age a lower bound of its value)."""

    start: str
    end: str
    seconds: str
    done: pl.Expr


@dataclass(frozen=True)
class Metric:
    """One KPI, whole: computation, presentation and SLA judgement."""

    name: str
    title: str
    frame: str  # "conversations", "turns" or "backlog"
    formula: str
    # The per-sample value (one per row of the frame; null: not a sample) and the
    # statistics over it. Report and SLA checks both compute through `statistics`.
    value: pl.Expr | Waiting | Callable[[Settings], pl.Expr]
    statistics: Statistics
    rows: tuple[Row, ...]  # display rows; the first is the headline
    short: str  # label in narrow places (digest tables, trend, chart panels)
    column: str  # column title in the terminal's breakdown table
    extras: Callable[[], Aggregations] = dict  # frame-wide counts beside the statistics
    # SLA: statistic -> unit of its threshold (the first is the default unless the metric
    # is a time, which must name one or use attainment:); which samples break a target.
    targets: Mapping[str, str] = field(default_factory=dict)
    breach: Breach | None = None
    reason: pl.Expr | None = None  # why a sample breaks it, for metrics judged by events
    shown_as: str = "duration"  # how one breaching sample is shown: its unit, or "reason"
    # The digest: its sentence label and the statistic counting the samples behind the
    # headline (None: no sentence); whether the weekly trend follows it.
    sentence: str | None = None
    counted_by: str = "count"
    trend: bool = False
    # The conversations the metric is about (None: all): the contact-centre metrics are
    # about phone and chat queues, not a helpdesk's email. Applied to the samples.
    scope: Callable[[Settings], pl.Expr] | None = None
    # (value, weight) statistics whose change splits exactly into mix and performance
    # across groups (carecli.metrics.explain): a mean or rate and the samples it is over.
    split: tuple[str, str] | None = None

    @property
    def headline(self) -> Row:
        """The single row that stands for the metric in breakdowns, trends and targets."""
        return self.rows[0]

    @property
    def unit(self) -> str:
        """The headline's unit: "duration", "count", "rate" or "score"."""
        return self.headline.unit

    @property
    def better(self) -> str:
        """Which way the headline is better: "lower", "higher" or "neutral"."""
        return self.headline.better

    @property
    def is_time(self) -> bool:
        """Measured from a start to an end: it has waiting samples and attainment targets."""
        return isinstance(self.value, Waiting)

    def sample(self, settings: Settings) -> pl.Expr:
        """The per-sample value over the metric's frame (null: not a sample)."""
        if isinstance(self.value, Waiting):
            value = pl.col(self.value.seconds)
        else:
            value = self.value if isinstance(self.value, pl.Expr) else self.value(settings)
        return value if self.scope is None else pl.when(self.scope(settings)).then(value)

    def aggregations(self, settings: Settings) -> Aggregations:
        """statistic -> expression over the metric's frame, as the report computes them."""
        return {**self.statistics(self.sample(settings), settings), **self.extras()}
