"""What each metric shows in human-readable reports, read like a table.

Each row: label, statistic key, unit, which direction is better.
"""

from __future__ import annotations

from typing import NamedTuple


class Row(NamedTuple):
    label: str
    stat: str
    unit: str
    better: str


def _durations(count_label: str, extra: Row | None = None) -> list[Row]:
    rows = [
        Row("median", "median", "duration", "lower"),
        Row("mean", "mean", "duration", "lower"),
        Row("p90", "p90", "duration", "lower"),
        Row("max", "max", "duration", "lower"),
        Row(count_label, "count", "count", "neutral"),
    ]
    return rows + ([extra] if extra else [])


# fmt: off
METRIC_ROWS: dict[str, list[Row]] = {
    "volume": [
        Row("conversations",     "conversations",     "count", "neutral"),
        Row("inbound messages",  "inbound_messages",  "count", "neutral"),
        Row("outbound messages", "outbound_messages", "count", "neutral"),
    ],
    "first_response_time": _durations(
        "answered", Row("awaiting first response", "awaiting_first_response", "count", "lower")),
    "bot_first_response_time": _durations("answered by a bot"),
    "reply_time": _durations(
        "replies", Row("turns still waiting", "waiting_turns", "count", "lower")),
    "resolution_time": _durations(
        "resolved", Row("not resolved", "unresolved", "count", "lower")),
    "backlog": [Row("open at period end", "open", "count", "lower")],
    "fcr_rate": [
        Row("rate",                  "rate",                   "rate",  "higher"),
        Row("resolved on 1st contact", "first_contact_resolved", "count", "neutral"),
        Row("resolved",              "resolved",               "count", "neutral"),
    ],
    "aht": [
        Row("mean",     "mean",     "duration", "lower"),
        Row("contacts", "contacts", "count",    "neutral"),
    ],
    "csat": [
        Row("satisfied share", "rate",  "rate",  "higher"),
        Row("mean rating",     "mean",  "mean",  "higher"),
        Row("responses",       "count", "count", "neutral"),
    ],
    "nps": [
        Row("score",      "score",      "score", "higher"),
        Row("promoters",  "promoters",  "count", "neutral"),
        Row("detractors", "detractors", "count", "neutral"),
        Row("responses",  "count",      "count", "neutral"),
    ],
}
# fmt: on


def headline(metric: str) -> Row:
    """The single row that stands for a metric in breakdown tables."""
    return METRIC_ROWS[metric][0]
