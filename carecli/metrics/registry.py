"""The KPI registry: every metric, its formula and its polars aggregations, read like a table.

Each metric aggregates one frame of the timeline:
  conversations - one row per conversation created in the period (see timeline.py)
  turns         - one row per customer turn of those conversations (reply_time)
  backlog       - every conversation created before the period end, in its state at the end
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:  # config imports the SLA targets, which import this registry
    from carecli.config.model import CsatConfig

Aggregations = dict[str, pl.Expr]


@dataclass(frozen=True)
class Metric:
    """One KPI: what it aggregates, which statistic is its headline, which way is better."""

    name: str
    title: str
    frame: str  # "conversations", "turns" or "backlog"
    headline: str  # the statistic shown as the metric's value
    unit: str  # "duration", "count", "rate" or "score"
    better: str  # "lower", "higher" or "neutral"
    formula: str
    aggregations: Callable[[CsatConfig], Aggregations]
    # (value, weight) statistics whose change splits exactly into mix and performance
    # across groups (carecli.explain): a mean or rate and the samples it is over.
    split: tuple[str, str] | None = None


def duration_stats(column: str) -> Aggregations:
    """count, mean, median, p90, p95, max of a seconds column (nulls are not samples)."""
    seconds = pl.col(column)
    return {
        "count": seconds.count(),
        "mean": seconds.mean(),
        "median": seconds.median(),
        "p90": seconds.quantile(0.9, "linear"),
        "p95": seconds.quantile(0.95, "linear"),
        "max": seconds.max(),
    }


def share(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    """part / whole, null (not NaN or inf) when there is nothing to divide by."""
    return pl.when(whole > 0).then(part / whole)


def total_if_present(column: str) -> pl.Expr:
    """Sum of a column, null when no row has it: absent data is 'not available', never 0."""
    values = pl.col(column)
    return pl.when(values.is_not_null().any()).then(values.sum())


def _volume(_: CsatConfig) -> Aggregations:
    return {
        "conversations": pl.len(),
        "inbound_messages": total_if_present("inbound_messages"),
        "outbound_messages": total_if_present("outbound_messages"),
    }


def _first_response(_: CsatConfig) -> Aggregations:
    return {
        **duration_stats("first_response_s"),
        "awaiting_first_response": (~pl.col("answered")).sum(),
    }


def _bot_first_response(_: CsatConfig) -> Aggregations:
    return {
        **duration_stats("bot_first_response_s"),
        "without_bot_response": (~pl.col("bot_answered")).sum(),
    }


def _reply_time(_: CsatConfig) -> Aggregations:
    return {**duration_stats("reply_s"), "waiting_turns": pl.col("reply_s").is_null().sum()}


def _resolution(_: CsatConfig) -> Aggregations:
    return {
        **duration_stats("resolution_s"),
        "unresolved": (~pl.col("is_resolved")).sum(),
    }


def _backlog(_: CsatConfig) -> Aggregations:
    return {"open": (~pl.col("resolved_at_end")).sum()}


def _fcr(_: CsatConfig) -> Aggregations:
    resolved = pl.col("is_resolved")
    first_contact = resolved & ~pl.col("reopened") & ~pl.col("escalated")
    return {
        "rate": share(first_contact.sum(), resolved.sum()),
        "first_contact_resolved": first_contact.sum(),
        "resolved": resolved.sum(),
    }


def _aht(_: CsatConfig) -> Aggregations:
    handle = pl.col("handle_s")
    return {
        "mean": handle.mean(),
        "contacts": handle.count(),
        "total": total_if_present("handle_s"),
    }


def _csat(csat: CsatConfig) -> Aggregations:
    ratings = pl.col("csat")
    satisfied = (ratings >= csat.satisfied_min).sum()
    return {
        "rate": share(satisfied, ratings.count()),
        "mean": ratings.mean(),
        "count": ratings.count(),
        "satisfied": satisfied,
    }


def _nps(_: CsatConfig) -> Aggregations:
    scores = pl.col("nps")
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


# fmt: off
METRICS: dict[str, Metric] = {m.name: m for m in (
    #      name                       title                      frame            headline          unit        better
    #      formula, aggregations, split (value, weight)
    Metric("volume",                  "Conversations",           "conversations", "conversations", "count",    "neutral",
           "conversations whose first customer message falls in the period", _volume),
    Metric("first_response_time",     "First response (human)",  "conversations", "median",        "duration", "lower",
           "first human agent message at/after t0 - t0; unanswered excluded", _first_response, ("mean", "count")),
    Metric("bot_first_response_time", "First response (bot)",    "conversations", "median",        "duration", "lower",
           "first bot message at/after t0 - t0", _bot_first_response, ("mean", "count")),
    Metric("reply_time",              "Reply time",              "turns",         "median",        "duration", "lower",
           "start of each customer turn -> next human agent message", _reply_time, ("mean", "count")),
    Metric("resolution_time",         "Resolution time",         "conversations", "median",        "duration", "lower",
           "latest resolved event - t0, for conversations resolved at the as-of", _resolution, ("mean", "count")),
    Metric("backlog",                 "Backlog at period end",   "backlog",       "open",          "count",    "lower",
           "conversations started before the end and not resolved at the end", _backlog),
    Metric("fcr_rate",                "First contact resolution", "conversations", "rate",         "rate",     "higher",
           "resolved, never reopened nor escalated / resolved", _fcr, ("rate", "resolved")),
    Metric("aht",                     "Average handle time",     "conversations", "mean",          "duration", "lower",
           "(talk + hold + after-work seconds) / contacts that have them", _aht, ("mean", "contacts")),
    Metric("csat",                    "CSAT",                    "conversations", "rate",          "rate",     "higher",
           "ratings >= satisfied_min / ratings", _csat, ("rate", "count")),
    Metric("nps",                     "NPS",                     "conversations", "score",         "score",    "higher",
           "100 x (promoters 9-10 - detractors 0-6) / responses", _nps, ("score", "count")),
)}
# fmt: on


def aggregations_for(frame: str, names: list[str], csat: CsatConfig) -> Aggregations:
    """Flattened `metric.stat` -> expression for the chosen metrics that read `frame`."""
    exprs: Aggregations = {}
    for name in names:
        metric = METRICS[name]
        if metric.frame == frame:
            for stat, expr in metric.aggregations(csat).items():
                exprs[f"{name}.{stat}"] = expr
    return exprs
