"""The statistics, breach rules and contact-centre samples the registry's entries use:
one function per kind of value, shared by the report and the SLA checks."""

from __future__ import annotations

import polars as pl

from carecli.metrics.entry import Aggregations, Settings


def share(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    """part / whole, null (not NaN or inf) when there is nothing to divide by."""
    return pl.when(whole > 0).then(part / whole)


def total_if_present(values: pl.Expr) -> pl.Expr:
    """Sum of a column, null when no row has it: absent data is 'not available', never 0."""
    return pl.when(values.is_not_null().any()).then(values.sum())


def duration_stats(seconds: pl.Expr, _: Settings | None = None) -> Aggregations:
    """count, mean, median, p90, p95, max of durations in seconds (nulls are not samples).

    Percentiles are taken over the samples alone: polars interpolates a column holding
    nulls with a rounding error in the last bit (42082.499999999956 for 42082.5), and the
    report and the SLA checks (which select their samples first) must agree exactly.
    """
    samples = seconds.drop_nulls()
    return {
        "count": seconds.count(),
        "mean": seconds.mean(),
        "median": samples.median(),
        "p90": samples.quantile(0.9, "linear"),
        "p95": samples.quantile(0.95, "linear"),
        "max": seconds.max(),
    }


def conversation_count(one: pl.Expr, _: Settings) -> Aggregations:
    return {"conversations": one.count()}


def open_count(one: pl.Expr, _: Settings) -> Aggregations:
    return {"open": one.count()}


def first_contact(first: pl.Expr, _: Settings) -> Aggregations:
    """Over resolved conversations: 1 when resolved on first contact, 0 otherwise."""
    first_contact = (first == 1).sum()
    return {
        "rate": share(first_contact, first.count()),
        "first_contact_resolved": first_contact,
        "resolved": first.count(),
    }


def handle(seconds: pl.Expr, _: Settings) -> Aggregations:
    return {"mean": seconds.mean(), "contacts": seconds.count(), "total": total_if_present(seconds)}


def csat(ratings: pl.Expr, settings: Settings) -> Aggregations:
    satisfied = (ratings >= settings.satisfied_min).sum()
    return {
        "rate": share(satisfied, ratings.count()),
        "mean": ratings.mean(),
        "count": ratings.count(),
        "satisfied": satisfied,
    }


def nps(scores: pl.Expr, _: Settings) -> Aggregations:
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


def abandonments(abandoned: pl.Expr, _: Settings) -> Aggregations:
    """Over offered contacts: 1 when the customer left before an agent answered."""
    count = (abandoned == 1).sum()
    return {
        "rate": share(count, abandoned.count()),
        "abandoned": count,
        "offered": abandoned.count(),
    }


def service_level(within: pl.Expr, _: Settings) -> Aggregations:
    """Over offered contacts: 1 when answered within the service-level time."""
    count = (within == 1).sum()
    return {"rate": share(count, within.count()), "within": count, "offered": within.count()}


# --- contact-centre samples: which contacts were offered, which abandoned ---------------


def abandoned() -> pl.Expr:
    """Left before any human agent answered: as the export says (an answered flag), or a
    conversation closed with no agent nor bot message (a bot's answer is containment)."""
    derived = ~pl.col("answered") & ~pl.col("bot_answered") & pl.col("is_resolved")
    return pl.coalesce(pl.col("abandoned"), derived)


def offered(settings: Settings) -> pl.Expr:
    """Answered or abandoned; an abandon quicker than short_abandon is not a real offer."""
    waited = pl.coalesce(pl.col("wait_s"), pl.col("resolution_s"))
    short = abandoned() & (waited < settings.short_abandon_s).fill_null(False)
    return (pl.col("answered") | abandoned()) & ~short


def abandonment(settings: Settings) -> pl.Expr:
    return pl.when(offered(settings)).then(abandoned().cast(pl.Float64))


def answered_within(settings: Settings) -> pl.Expr:
    in_time = (pl.col("first_response_s") <= settings.answer_within_s).cast(pl.Float64)
    # An answered contact whose answer time is unknown is no sample either way.
    return pl.when(offered(settings)).then(pl.when(abandoned()).then(0.0).otherwise(in_time))


# --- breach rules: which samples are the conversations that break a target --------------


def over_limit(value: pl.Expr, limit: float, _: Settings) -> pl.Expr:
    return value > limit


def not_satisfied(value: pl.Expr, _: float, settings: Settings) -> pl.Expr:
    return value < settings.satisfied_min


def detractor(value: pl.Expr, _: float, __: Settings) -> pl.Expr:
    return value <= 6


def below_one(value: pl.Expr, _: float, __: Settings) -> pl.Expr:
    return value < 1


def is_one(value: pl.Expr, _: float, __: Settings) -> pl.Expr:
    return value == 1


def every_sample(_: pl.Expr, __: float, ___: Settings) -> pl.Expr:
    return pl.lit(True)  # every conversation still open counts against a backlog target


def on_queue(settings: Settings) -> pl.Expr:
    """A contact of a phone or chat queue (contact_centre.channels); a contact with no
    channel counts, as call-centre exports seldom name one."""
    channel = pl.col("channel")  # a category: no cast to text (70 ms per 1.6M conversations)
    return channel.is_null() | channel.is_in(list(settings.queue_channels))
