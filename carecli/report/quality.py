"""Data quality: what the input gets wrong without being unreadable, and what carecli does.

Hard errors (an unparsable value, a missing column) stop the load with exit 2. The rest
is a documented treatment (docs/data-quality.md) — a row dropped, a value left out, a
suspicious value kept — and each becomes a `Finding`: counted, printed on stderr and shown
in the report. `--strict-data` turns any finding into an error, for CI (carecli.strict).

Two passes: `carecli.prescan` reads the raw files before loading (encoding, a header
repeated by `cat a.csv b.csv`, two columns for one field); `assess` looks at the loaded
timeline.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from carecli.input.findings import CID, Finding
from carecli.report.build import Dataset
from carecli.timeline.frames import KEY

# Clocks drift and exports lag: only times more than this after now are "in the future".
FUTURE_TOLERANCE = timedelta(hours=1)
# Before any helpdesk export: 1970 is what epoch seconds read as milliseconds look like.
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
# No response, reply or resolution plausibly takes a year; placeholder dates (1970, 2000)
# and typos in the year do.
LONG_DURATION_S = 365 * 86_400
DURATIONS = ("first_response_s", "bot_first_response_s", "resolution_s")
MOMENTS = ("created_at", "first_response_at", "bot_first_response_at", "resolved_at")


# --- after loading: the timeline ---------------------------------------------------------


def assess(dataset: Dataset, now: datetime | None = None) -> tuple[Dataset, list[Finding]]:
    """The dataset with impossible values left out, and every finding about it.

    `now` is the real current time (not --as-of: a rerun as of a past Monday legitimately
    has data after that Monday).
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    dataset, findings = _leave_out_impossible(dataset)
    timeline = dataset.timeline
    findings = [*_loader_findings(dataset), *findings]
    findings += _future(timeline.conversations, timeline.turns, timeline.status, now)
    findings += _early(timeline.conversations)
    findings += _long(timeline.conversations, timeline.turns)
    return dataset, [f for f in findings if f.count]


def _loader_findings(dataset: Dataset) -> list[Finding]:
    """What load_dataset already did (and counted), as findings."""
    timeline = dataset.timeline
    if dataset.granularity == "messages":
        dropped = f"{dataset.duplicates_dropped} identical events were dropped"
    else:
        dropped = (
            f"{dataset.duplicates_dropped} repeated conversation rows were dropped "
            "(the last row of each conversation is kept)"
        )
    return [
        Finding("duplicate_rows", dataset.duplicates_dropped, dropped, printed=True),
        Finding(
            "without_customer_message",
            timeline.skipped_without_customer,
            f"{timeline.skipped_without_customer} conversations have no customer message "
            "and were left out (nothing starts them)",
        ),
    ]


def _leave_out_impossible(dataset: Dataset) -> tuple[Dataset, list[Finding]]:
    """Null NaN/infinite numbers and negative durations, as load_dataset already does for
    times that run backwards in conversation rows.

    This applies that rule to message timelines (a resolution event before the first
    customer message gives a negative resolution time) and to NaN or infinite numbers (one
    'NaN' talk_seconds would make the AHT mean NaN). Values already left out are not
    counted twice.
    """
    timeline = dataset.timeline
    conversations, turns = timeline.conversations, timeline.turns
    durations = [c for c in DURATIONS if c in conversations.columns]
    floats = [name for name, dtype in conversations.schema.items() if dtype.is_float()]
    nan_columns = [c for c in floats if conversations.select(_non_finite(c).any()).item()]
    replies = turns is not None and "reply_s" in turns.columns
    nan_parts = [_matching(conversations, nan_columns, _non_finite, conversations)]
    neg_parts = [_matching(conversations, durations, _negative, conversations)]
    if turns is not None and replies:
        nan_parts.append(_matching(turns, ["reply_s"], _non_finite, conversations))
        neg_parts.append(_matching(turns, ["reply_s"], _negative, conversations))
        if nan_parts[-1].len():
            nan_columns.append("reply_s")
    nan_ids, neg_ids = pl.concat(nan_parts).unique(), pl.concat(neg_parts).unique()
    if nan_ids.len() or neg_ids.len():
        conversations = conversations.with_columns(
            *(_without(c, _non_finite) for c in nan_columns if c != "reply_s"),
        ).with_columns(*(_without(c, _negative) for c in durations))
        if turns is not None and replies:
            turns = turns.with_columns(_without("reply_s", _non_finite)).with_columns(
                _without("reply_s", _negative)
            )
        timeline = dataclasses.replace(
            timeline,
            conversations=conversations,
            turns=turns,
            negative_durations=timeline.negative_durations + neg_ids.len(),
        )
        dataset = dataclasses.replace(dataset, timeline=timeline)
    negative = timeline.negative_durations
    findings = [
        Finding(
            "negative_durations",
            negative,
            f"{negative} conversations have a response or resolution before their start; "
            "those times were left out",
            _first(neg_ids),
            printed=neg_ids.len() == 0,  # load_dataset's own note covers its count
        ),
        Finding(
            "non_finite_numbers",
            nan_ids.len(),
            f"{nan_ids.len()} conversations have NaN or infinite numbers "
            f"({', '.join(nan_columns)}); those values were left out",
            _first(nan_ids),
        ),
    ]
    return dataset, findings


def _non_finite(column: str) -> pl.Expr:
    value = pl.col(column)
    return (value.is_nan() | value.is_infinite()).fill_null(False)


def _negative(column: str) -> pl.Expr:
    value = pl.col(column)
    return ((value < 0) & value.is_finite()).fill_null(False)


def _without(column: str, test: Any) -> pl.Expr:
    return pl.when(test(column)).then(None).otherwise(pl.col(column)).alias(column)


def _matching(
    frame: pl.DataFrame, columns: Sequence[str], test: Any, conversations: pl.DataFrame
) -> pl.Series:
    """The conversation ids of the rows where `test` holds for any of `columns` (of turns,
    which carry conversation numbers only, named from `conversations`)."""
    if not columns:
        return pl.Series(CID, [], dtype=pl.String)
    hit = frame.lazy().filter(pl.any_horizontal([test(c) for c in columns]))
    if CID not in frame.columns:
        hit = _named(hit.select(KEY), conversations)
    return hit.select(pl.col(CID).cast(pl.String)).collect().to_series()


def _first(ids: pl.Series) -> str | None:
    return f"conversation {ids.min()}" if ids.len() else None


def _future(
    conversations: pl.DataFrame, turns: pl.DataFrame | None, status: pl.DataFrame, now: datetime
) -> list[Finding]:
    """Conversations with any time after now (plus a tolerance): kept, but suspicious."""
    limit = now + FUTURE_TOLERANCE
    moments = [c for c in MOMENTS if c in conversations.columns]
    parts = [conversations.lazy().select(CID, at=pl.max_horizontal(moments))]
    if turns is not None:
        turn_times = turns.lazy().select(KEY, at=pl.max_horizontal("started_at", "replied_at"))
        parts.append(_named(turn_times.filter(pl.col("at") > limit), conversations))
    parts.append(status.lazy().select(CID, "at"))
    # Lazy: each frame's few late rows are selected before the union (a union of every
    # time would copy millions of rows).
    times = pl.concat(parts, how="vertical_relaxed")
    late = times.filter(pl.col("at") > limit).group_by(CID).agg(pl.col("at").max()).collect()
    if late.height == 0:
        return []
    first = late.sort("at", CID).row(0, named=True)
    latest = late["at"].max()
    return [
        Finding(
            "future_times",
            late.height,
            f"{late.height} conversations have times more than an hour after now (latest "
            f"{_when(latest)}); they are kept: check the export's clock and source_timezone",
            f"conversation {first[CID]} at {_when(first['at'])}",
        )
    ]


def _early(conversations: pl.DataFrame) -> list[Finding]:
    """Conversations that start before 1990: epoch seconds read as milliseconds (1970) or
    placeholder dates. Kept (a period filter excludes them), but named."""
    if "created_at" not in conversations.columns:
        return []
    early = conversations.filter(pl.col("created_at") < EARLIEST_PLAUSIBLE)
    if early.height == 0:
        return []
    first = early.sort("created_at", CID).row(0, named=True)
    return [
        Finding(
            "early_times",
            early.height,
            f"{early.height} conversations start before 1990 (earliest "
            f"{_when(first['created_at'])}); they are kept: check epoch_unit (s or ms) and "
            "placeholder dates in the export",
            f"conversation {first[CID]} at {_when(first['created_at'])}",
        )
    ]


def _long(conversations: pl.DataFrame, turns: pl.DataFrame | None) -> list[Finding]:
    """Response, reply or resolution times over a year: kept, but almost surely wrong."""
    durations = [c for c in DURATIONS if c in conversations.columns]
    parts = [conversations.lazy().select(CID, seconds=pl.max_horizontal(durations))]
    if turns is not None and "reply_s" in turns.columns:
        long_replies = turns.lazy().filter(pl.col("reply_s") > LONG_DURATION_S)
        parts.append(_named(long_replies.select(KEY, seconds=pl.col("reply_s")), conversations))
    long = (
        pl.concat(parts, how="vertical_relaxed")
        .filter(pl.col("seconds") > LONG_DURATION_S)
        .group_by(CID)
        .agg(pl.col("seconds").max())
        .collect()
    )
    if long.height == 0:
        return []
    worst = long.sort("seconds", CID, descending=[True, False]).row(0, named=True)
    return [
        Finding(
            "long_durations",
            long.height,
            f"{long.height} conversations have a response, reply or resolution time over "
            "365 days; they are kept in the statistics: check the export's dates (a "
            "placeholder such as 1970-01-01?)",
            f"conversation {worst[CID]}, {worst['seconds'] / 86_400:,.0f} days",
        )
    ]


def _named(turns: pl.LazyFrame, conversations: pl.DataFrame) -> pl.LazyFrame:
    """Turns with their conversation's id instead of its number (turns carry only the
    number; every turn's conversation is a conversation row)."""
    ids = conversations.lazy().select(KEY, CID)
    return turns.join(ids, on=KEY).select(CID, pl.exclude(KEY, CID))


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
