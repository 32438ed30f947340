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

import polars as pl

from carecli.metrics import statistics as stat
from carecli.metrics.entry import Aggregations, Metric, Row, Settings, Waiting

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
        name=name, title=title, frame=fields.pop("frame", "conversations"), formula=formula,
        value=waiting, statistics=stat.duration_stats, targets=TIME_TARGETS, breach=stat.over_limit, split=("mean", "count"), **fields,
    )  # fmt: skip


_METRICS = (
    Metric(
        name="volume", title="Conversations", frame="conversations", formula="conversations whose first customer message falls in the period",
        value=pl.col("created_at").is_not_null().cast(pl.Float64),  # 1 per conversation
        statistics=stat.conversation_count,
        extras=lambda: {
            "inbound_messages": stat.total_if_present(pl.col("inbound_messages")),
            "outbound_messages": stat.total_if_present(pl.col("outbound_messages")),
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
        statistics=stat.open_count,
        rows=(Row("open at period end", "open", "count", "lower"),),
        short="Backlog", column="Backlog", targets={"open": "count"}, breach=stat.every_sample,
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
        statistics=stat.first_contact,
        rows=(
            Row("rate", "rate", "rate", "higher"),
            Row("resolved on 1st contact", "first_contact_resolved", "count", "neutral"),
            Row("resolved", "resolved", "count", "neutral"),
        ),
        short="FCR", column="FCR", targets={"rate": "rate"}, breach=stat.below_one,
        # FCR misses are explained by what happened, not by a number.
        reason=pl.concat_str(
            pl.when(pl.col("reopened")).then(pl.lit("reopened")),
            pl.when(pl.col("escalated")).then(pl.lit("escalated")),
            separator=", ", ignore_nulls=True,
        ),
        shown_as="reason", sentence="First contact resolution", counted_by="resolved",
        trend=True, split=("rate", "resolved"),
    ),
    _time(
        "asa", "Average speed of answer",
        "mean of (first human agent answer - t0) over answered contacts: first response, "
        "as contact centres name it",
        Waiting("created_at", "first_response_at", "first_response_s", pl.col("answered")),
        rows=(
            Row("mean", "mean", "duration", "lower"),
            Row("median", "median", "duration", "lower"),
            Row("p90", "p90", "duration", "lower"),
            Row("answered", "count", "count", "neutral"),
        ),
        short="ASA", column="ASA", sentence="Average speed of answer", scope=stat.on_queue,
    ),
    Metric(
        name="abandonment_rate", title="Abandonment rate", frame="conversations",
        formula="abandoned / offered (answered + abandoned; abandons within short_abandon "
        "excluded from both)",
        value=stat.abandonment, statistics=stat.abandonments,
        rows=(
            Row("rate", "rate", "rate", "lower"),
            Row("abandoned", "abandoned", "count", "lower"),
            Row("offered", "offered", "count", "neutral"),
        ),
        short="Abandoned", column="Aband.", targets={"rate": "rate"}, breach=stat.is_one,
        reason=pl.lit("abandoned"), shown_as="reason", sentence="Abandonment rate",
        counted_by="offered", split=("rate", "offered"), scope=stat.on_queue,
    ),
    Metric(
        name="service_level", title="Service level", frame="conversations",
        formula="answered within answer_within / offered (abandoned contacts count against)",
        value=stat.answered_within, statistics=stat.service_level,
        rows=(
            Row("service level", "rate", "rate", "higher"),
            Row("answered in time", "within", "count", "neutral"),
            Row("offered", "offered", "count", "neutral"),
        ),
        short="Service level", column="SL", targets={"rate": "rate"},
        breach=stat.below_one,
        reason=pl.when(stat.abandoned()).then(pl.lit("abandoned"))
        .otherwise(pl.lit("answered late")),
        shown_as="reason", sentence="Service level", counted_by="offered",
        split=("rate", "offered"), scope=stat.on_queue,
    ),
    Metric(
        name="aht", title="Average handle time", frame="conversations",
        formula="(talk + hold + after-work seconds) / contacts that have them",
        value=pl.col("handle_s"), statistics=stat.handle,
        rows=(Row("mean", "mean", "duration", "lower"), Row("contacts", "contacts", "count", "neutral")),
        short="AHT", column="AHT", targets={"mean": "duration"}, breach=stat.over_limit,
        sentence="Average handle time", counted_by="contacts", split=("mean", "contacts"),
    ),
    Metric(
        name="csat", title="CSAT", frame="conversations",
        formula="ratings >= satisfied_min / ratings", value=pl.col("csat"), statistics=stat.csat,
        rows=(
            Row("satisfied share", "rate", "rate", "higher"),
            Row("mean rating", "mean", "mean", "higher"),
            Row("responses", "count", "count", "neutral"),
        ),
        short="CSAT", column="CSAT", targets={"rate": "rate", "mean": "mean"},
        breach=stat.not_satisfied, shown_as="count", sentence="CSAT", trend=True,
        split=("rate", "count"),
    ),
    Metric(
        name="nps", title="NPS", frame="conversations",
        formula="100 x (promoters 9-10 - detractors 0-6) / responses", value=pl.col("nps"),
        statistics=stat.nps,
        rows=(
            Row("score", "score", "score", "higher"),
            Row("promoters", "promoters", "count", "neutral"),
            Row("detractors", "detractors", "count", "neutral"),
            Row("responses", "count", "count", "neutral"),
        ),
        short="NPS", column="NPS", targets={"score": "score"}, breach=stat.detractor,
        shown_as="count", sentence="NPS", trend=True, split=("score", "count"),
    ),
)  # fmt: skip
METRICS: dict[str, Metric] = {metric.name: metric for metric in _METRICS}

# The metrics a weekly trend follows, flows first and the backlog (a stock) last.
TREND_METRICS: tuple[Metric, ...] = tuple(
    sorted((m for m in _METRICS if m.trend), key=lambda m: m.frame == "backlog")
)


def aggregations_for(frame: str, names: list[str], settings: Settings) -> Aggregations:
    """Flattened `metric.stat` -> expression for the chosen metrics that read `frame`."""
    exprs: Aggregations = {}
    for name in names:
        metric = METRICS[name]
        if metric.frame == frame:
            for stat, expr in metric.aggregations(settings).items():
                exprs[f"{name}.{stat}"] = expr
    return exprs
