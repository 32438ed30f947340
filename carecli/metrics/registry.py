"""The KPI registry: everything about a metric is its one entry here.

An entry says what the metric aggregates and how (its per-sample value and statistics),
how it reads (title, short labels, display rows, which way is better), and how an SLA
target judges it (the statistics a target may use, which samples break it). The report,
the SLA checks, the trend, the digest and every renderer read these fields, so a new
metric is one entry, its docs and its tests.

Each metric aggregates one frame of the timeline:
  conversations - one row per conversation created in the period (see carecli.timeline)
  turns         - one row per customer turn of those conversations (reply_time)
  backlog       - every conversation created before the period end, in its state at the end
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import polars as pl

Aggregations = dict[str, pl.Expr]


class Scales(Protocol):
    """The survey settings a statistic depends on (the config's `csat:` section)."""

    @property
    def satisfied_min(self) -> float: ...


Statistics = Callable[[pl.Expr, Scales], Aggregations]
Breach = Callable[[pl.Expr, float, Scales], pl.Expr]


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
    value: pl.Expr | Waiting
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

    @property
    def sample(self) -> pl.Expr:
        """The per-sample value over the metric's frame, as the report aggregates it."""
        return pl.col(self.value.seconds) if isinstance(self.value, Waiting) else self.value

    def aggregations(self, scales: Scales) -> Aggregations:
        """statistic -> expression over the metric's frame, as the report computes them."""
        return {**self.statistics(self.sample, scales), **self.extras()}


# --- statistics: one function per kind of value, shared by report and SLA checks -------


def share(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    """part / whole, null (not NaN or inf) when there is nothing to divide by."""
    return pl.when(whole > 0).then(part / whole)


def total_if_present(values: pl.Expr) -> pl.Expr:
    """Sum of a column, null when no row has it: absent data is 'not available', never 0."""
    return pl.when(values.is_not_null().any()).then(values.sum())


def duration_stats(seconds: pl.Expr, _: Scales | None = None) -> Aggregations:
    """count, mean, median, p90, p95, max of durations in seconds (nulls are not samples)."""
    return {
        "count": seconds.count(),
        "mean": seconds.mean(),
        "median": seconds.median(),
        "p90": seconds.quantile(0.9, "linear"),
        "p95": seconds.quantile(0.95, "linear"),
        "max": seconds.max(),
    }


def _conversations(one: pl.Expr, _: Scales) -> Aggregations:
    return {"conversations": one.count()}


def _open(one: pl.Expr, _: Scales) -> Aggregations:
    return {"open": one.count()}


def _first_contact(first: pl.Expr, _: Scales) -> Aggregations:
    """Over resolved conversations: 1 when resolved on first contact, 0 otherwise."""
    first_contact = (first == 1).sum()
    return {
        "rate": share(first_contact, first.count()),
        "first_contact_resolved": first_contact,
        "resolved": first.count(),
    }


def _handle(seconds: pl.Expr, _: Scales) -> Aggregations:
    return {"mean": seconds.mean(), "contacts": seconds.count(), "total": total_if_present(seconds)}


def _csat(ratings: pl.Expr, scales: Scales) -> Aggregations:
    satisfied = (ratings >= scales.satisfied_min).sum()
    return {
        "rate": share(satisfied, ratings.count()),
        "mean": ratings.mean(),
        "count": ratings.count(),
        "satisfied": satisfied,
    }


def _nps(scores: pl.Expr, _: Scales) -> Aggregations:
    # Counts are unsigned in polars: subtract them as signed integers, or they wrap around.
    promoters = (scores >= 9).sum().cast(pl.Int64)
    detractors = (scores <= 6).sum().cast(pl.Int64)
    return {
        "score": share(100 * (promoters - detractors), scores.count()),
        "promoters": promoters,
        "passives": ((scores > 6) & (scores < 9)).sum(),
        "detractors": detractors,
        "count": scores.count(),
    }


# --- breach rules: which samples are the conversations that break a target --------------


def _over_limit(value: pl.Expr, limit: float, _: Scales) -> pl.Expr:
    return value > limit


def _not_satisfied(value: pl.Expr, _: float, scales: Scales) -> pl.Expr:
    return value < scales.satisfied_min


def _detractor(value: pl.Expr, _: float, __: Scales) -> pl.Expr:
    return value <= 6


def _not_first_contact(value: pl.Expr, _: float, __: Scales) -> pl.Expr:
    return value < 1


def _every_sample(_: pl.Expr, __: float, ___: Scales) -> pl.Expr:
    return pl.lit(True)  # every conversation still open counts against a backlog target


# --- the registry -----------------------------------------------------------------------

TIME_TARGETS = dict.fromkeys(("mean", "median", "p90", "p95", "max"), "duration")


def _duration_rows(count_label: str, extra: Row | None = None) -> tuple[Row, ...]:
    rows = (
        Row("median", "median", "duration", "lower"),
        Row("mean", "mean", "duration", "lower"),
        Row("p90", "p90", "duration", "lower"),
        Row("max", "max", "duration", "lower"),
        Row(count_label, "count", "count", "neutral"),
    )
    return rows + ((extra,) if extra else ())


def _time(name: str, title: str, formula: str, waiting: Waiting, **fields: object) -> Metric:
    """A time metric: duration statistics, waiting samples, attainment targets."""
    return Metric(
        name=name, title=title, frame=fields.pop("frame", "conversations"), formula=formula, value=waiting, statistics=duration_stats,
        targets=TIME_TARGETS, breach=_over_limit, split=("mean", "count"), **fields,
    )  # fmt: skip


_METRICS = (
    Metric(
        name="volume", title="Conversations", frame="conversations", formula="conversations whose first customer message falls in the period",
        value=pl.col("created_at").is_not_null().cast(pl.Float64),  # 1 per conversation
        statistics=_conversations,
        extras=lambda: {
            "inbound_messages": total_if_present(pl.col("inbound_messages")),
            "outbound_messages": total_if_present(pl.col("outbound_messages")),
        },
        rows=(
            Row("conversations", "conversations", "count", "neutral"),
            Row("inbound messages", "inbound_messages", "count", "neutral"),
            Row("outbound messages", "outbound_messages", "count", "neutral"),
        ),
        short="Conversations", column="Conv.", targets={"conversations": "count"},
        shown_as="count", trend=True,
    ),
    _time(
        "first_response_time", "First response (human)",
        "first human agent message at/after t0 - t0; unanswered excluded",
        Waiting("created_at", "first_response_at", "first_response_s", pl.col("answered")),
        extras=lambda: {"awaiting_first_response": (~pl.col("answered")).sum()},
        rows=_duration_rows(
            "answered", Row("awaiting first response", "awaiting_first_response", "count", "lower")
        ),
        short="1st response p50", column="1st resp.", sentence="Median first response",
        trend=True,
    ),
    _time(
        "bot_first_response_time", "First response (bot)", "first bot message at/after t0 - t0",
        Waiting("created_at", "bot_first_response_at", "bot_first_response_s",
                pl.col("bot_answered")),
        extras=lambda: {"without_bot_response": (~pl.col("bot_answered")).sum()},
        rows=_duration_rows("answered by a bot"),
        short="Bot 1st p50", column="Bot 1st", sentence="Median bot first response",
    ),
    _time(
        "reply_time", "Reply time", "start of each customer turn -> next human agent message",
        Waiting("started_at", "replied_at", "reply_s", pl.col("replied_at").is_not_null()),
        frame="turns",
        extras=lambda: {"waiting_turns": pl.col("reply_s").is_null().sum()},
        rows=_duration_rows("replies", Row("turns still waiting", "waiting_turns", "count", "lower")),
        short="Reply p50", column="Reply", sentence="Median reply time",
    ),
    _time(
        "resolution_time", "Resolution time",
        "latest resolved event - t0, for conversations resolved at the as-of",
        Waiting("created_at", "resolved_at", "resolution_s", pl.col("is_resolved")),
        extras=lambda: {"unresolved": (~pl.col("is_resolved")).sum()},
        rows=_duration_rows("resolved", Row("not resolved", "unresolved", "count", "lower")),
        short="Resolution p50", column="Resolution", sentence="Median resolution time",
        trend=True,
    ),
    Metric(
        name="backlog", title="Backlog at period end", frame="backlog",
        formula="conversations started before the end and not resolved at the end",
        value=pl.when(~pl.col("resolved_at_end")).then(1.0),  # SLA samples: their ages
        statistics=_open,
        rows=(Row("open at period end", "open", "count", "lower"),),
        short="Backlog", column="Backlog", targets={"open": "count"}, breach=_every_sample,
        sentence="Backlog", counted_by="open", trend=True,
    ),
    Metric(
        name="fcr_rate", title="First contact resolution", frame="conversations",
        formula="resolved, never reopened nor escalated / resolved",
        # A resolved conversation whose reopen or escalation is unknown is no first-contact
        # success: it counts among the resolved, not the first-contact ones.
        value=pl.when(pl.col("is_resolved")).then(
            (~pl.col("reopened") & ~pl.col("escalated")).fill_null(False).cast(pl.Float64)
        ),
        statistics=_first_contact,
        rows=(
            Row("rate", "rate", "rate", "higher"),
            Row("resolved on 1st contact", "first_contact_resolved", "count", "neutral"),
            Row("resolved", "resolved", "count", "neutral"),
        ),
        short="FCR", column="FCR", targets={"rate": "rate"}, breach=_not_first_contact,
        # FCR misses are explained by what happened, not by a number.
        reason=pl.concat_str(
            pl.when(pl.col("reopened")).then(pl.lit("reopened")),
            pl.when(pl.col("escalated")).then(pl.lit("escalated")),
            separator=", ", ignore_nulls=True,
        ),
        shown_as="reason", sentence="First contact resolution", counted_by="resolved",
        trend=True, split=("rate", "resolved"),
    ),
    Metric(
        name="aht", title="Average handle time", frame="conversations",
        formula="(talk + hold + after-work seconds) / contacts that have them",
        value=pl.col("handle_s"), statistics=_handle,
        rows=(Row("mean", "mean", "duration", "lower"), Row("contacts", "contacts", "count", "neutral")),
        short="AHT", column="AHT", targets={"mean": "duration"}, breach=_over_limit,
        sentence="Average handle time", counted_by="contacts", split=("mean", "contacts"),
    ),
    Metric(
        name="csat", title="CSAT", frame="conversations",
        formula="ratings >= satisfied_min / ratings", value=pl.col("csat"), statistics=_csat,
        rows=(
            Row("satisfied share", "rate", "rate", "higher"),
            Row("mean rating", "mean", "mean", "higher"),
            Row("responses", "count", "count", "neutral"),
        ),
        short="CSAT", column="CSAT", targets={"rate": "rate", "mean": "mean"},
        breach=_not_satisfied, shown_as="count", sentence="CSAT", trend=True,
        split=("rate", "count"),
    ),
    Metric(
        name="nps", title="NPS", frame="conversations",
        formula="100 x (promoters 9-10 - detractors 0-6) / responses", value=pl.col("nps"),
        statistics=_nps,
        rows=(
            Row("score", "score", "score", "higher"),
            Row("promoters", "promoters", "count", "neutral"),
            Row("detractors", "detractors", "count", "neutral"),
            Row("responses", "count", "count", "neutral"),
        ),
        short="NPS", column="NPS", targets={"score": "score"}, breach=_detractor,
        shown_as="count", sentence="NPS", trend=True, split=("score", "count"),
    ),
)  # fmt: skip
METRICS: dict[str, Metric] = {metric.name: metric for metric in _METRICS}

# The metrics a weekly trend follows, flows first and the backlog (a stock) last.
TREND_METRICS: tuple[Metric, ...] = tuple(
    sorted((m for m in _METRICS if m.trend), key=lambda m: m.frame == "backlog")
)


def aggregations_for(frame: str, names: list[str], scales: Scales) -> Aggregations:
    """Flattened `metric.stat` -> expression for the chosen metrics that read `frame`."""
    exprs: Aggregations = {}
    for name in names:
        metric = METRICS[name]
        if metric.frame == frame:
            for stat, expr in metric.aggregations(scales).items():
                exprs[f"{name}.{stat}"] = expr
    return exprs
