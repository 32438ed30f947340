"""The data as it stood at a moment T (as-of T): events logged at or after T are ignored.

A report is a replay of its export: the same file gives the same numbers on any later
day, and a previous period can be evaluated at the same age as the current one (like for
like, docs/metrics.md). A timeline's conversation rows carry the moments behind their
values (first response, resolution, escalation) and the timeline keeps the events that
change them (status changes, messages, ratings), so a view at T is derived from it
without reading the file again. Ticket exports (one row per conversation) give no time
for a rating, a reopen or a handle time: those count as exported for every ticket
created before T.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl

from carecli.config.model import Config
from carecli.timeline.clock import elapsed
from carecli.timeline.frames import KEY, Timeline

# Data whose last event is at most this old is live: it is evaluated as of now.
LIVE_WITHIN = timedelta(hours=1)
SOURCES = {
    "option": "as asked",
    "data": "the end of the data",
    "now": "the time of the run: the data is live",
}


@dataclass(frozen=True)
class AsOf:
    """The moment a report is evaluated at, and where it came from (SOURCES)."""

    moment: datetime
    source: str = "option"

    def __post_init__(self) -> None:
        if self.moment.tzinfo is None:
            raise ValueError("an as-of moment needs a timezone")

    @property
    def utc(self) -> datetime:
        return self.moment.astimezone(UTC)

    def shifted(self, delta: timedelta) -> AsOf:
        return AsOf(self.moment - delta, self.source)


def data_end(timeline: Timeline) -> datetime | None:
    """The first whole second after the data's last event: every event is before it."""
    last = timeline.last_event_at
    if last is None:
        return None
    return last.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)


def default_as_of(timeline: Timeline, now: datetime) -> AsOf:
    """The export's moment: the end of the data when it ends more than LIVE_WITHIN before
    `now` (an export read later, or rerun next month, gives the same numbers); `now` for
    live data. Never before the data's end: the default ignores no event of the file."""
    end = data_end(timeline)
    if end is None:
        return AsOf(now.astimezone(UTC), "now")
    if end <= now - LIVE_WITHIN or end > now:
        return AsOf(end, "data")
    return AsOf(now.astimezone(UTC), "now")


def complete_at(timeline: Timeline, moment: datetime) -> bool:
    """Nothing in the data happened at or after `moment`: the view is the timeline itself."""
    return timeline.last_event_at is None or timeline.last_event_at < moment


def _moment(value: datetime) -> pl.Expr:
    return pl.lit(value.astimezone(UTC), pl.Datetime("us", "UTC"))


def conversations_at(
    timeline: Timeline, conversations: pl.LazyFrame, moment: datetime, config: Config
) -> pl.LazyFrame:
    """`conversations` (rows of timeline.conversations) as they stood at `moment`.

    Created at or after it: gone. A response, resolution, reopen, escalation, rating or
    message at or after it: not happened yet. Durations are measured again under the
    clock in force when their end moved (a resolution reopened after `moment`).
    """
    if complete_at(timeline, moment):
        return conversations
    at = _moment(moment)
    created = pl.col("created_at")
    frame = conversations.filter(created.is_null() | (created < at))
    frame = frame.with_columns(
        **_response("first_response_at", "first_response_s", "answered", at),
        **_response("bot_first_response_at", "bot_first_response_s", "bot_answered", at),
    )
    keys = frame.select(KEY)
    # Status rows are in each conversation's order: the last is the state at `moment`.
    state = _per_conversation_before(
        timeline.status,
        keys,
        at,
        ordered=True,
        _resolved=pl.col("resolved").last(),
        _resolved_at=pl.col("at").filter(pl.col("resolved")).max(),
        _reopened=(~pl.col("resolved")).any(),
    )
    frame = frame.join(state, on=KEY, how="left")
    is_resolved = pl.col("_resolved").fill_null(False)
    event_log = timeline.messages is not None
    # A ticket row has one resolution time (or none): its own, once it is before `moment`.
    resolved_at = pl.col("_resolved_at") if event_log else pl.col("resolved_at")
    then = pl.col("_then")
    frame = frame.with_columns(_then=pl.when(is_resolved).then(resolved_at))
    again = elapsed(created, then, config)
    frame = frame.with_columns(
        is_resolved=is_resolved,
        # Unchanged when the resolution stands (its duration already follows the clock and
        # the rules for impossible times); measured again when a later one was replayed away.
        resolution_s=pl.when(then == pl.col("resolved_at"))
        .then(pl.col("resolution_s"))
        .when(again >= 0)
        .then(again),
        resolved_at=then,
    ).drop("_then")
    if event_log:
        frame = _replayed_events(timeline, frame, keys, at)
    return frame.drop("_resolved", "_resolved_at", "_reopened")


def _response(moment: str, seconds: str, done: str, at: pl.Expr) -> dict[str, pl.Expr]:
    """A response at or after `at` has not happened. A ticket export may give only its
    duration (first_response_seconds): its moment is then the creation plus it."""
    given = pl.col(seconds) * 1_000_000
    implied = pl.coalesce(
        pl.col(moment),
        pl.col("created_at") + pl.duration(microseconds=given.cast(pl.Int64, strict=False)),
    )
    # No moment at all (a time left out as impossible): done as exported.
    done_then = pl.col(done) & (implied.is_null() | (implied < at))
    return {
        moment: pl.when(pl.col(moment) < at).then(pl.col(moment)),
        seconds: pl.when(done_then).then(pl.col(seconds)),
        done: done_then,
    }


def _replayed_events(
    timeline: Timeline, frame: pl.LazyFrame, keys: pl.LazyFrame, at: pl.Expr
) -> pl.LazyFrame:
    """Reopens, escalations, message counts, ratings and handle times before `at`."""
    assert timeline.messages is not None and timeline.ratings is not None
    counts = _per_conversation_before(
        timeline.messages,
        keys,
        at,
        ordered=False,  # counts: the order of the rows does not matter
        _inbound=(~pl.col("outbound")).sum().cast(pl.Int64),
        _outbound=pl.col("outbound").sum().cast(pl.Int64),
    )
    handle = pl.col("handle_s")
    ratings = _per_conversation_before(
        timeline.ratings,
        keys,
        at,
        ordered=True,  # the latest rating is the last row
        _csat=pl.col("csat").drop_nulls().last(),
        _nps=pl.col("nps").drop_nulls().last(),
        _handle=pl.when(handle.is_not_null().any()).then(handle.sum()),
    )
    escalated_at = pl.col("escalated_at")
    return (
        frame.join(counts, on=KEY, how="left")
        .join(ratings, on=KEY, how="left")
        .with_columns(
            reopened=pl.col("_reopened").fill_null(False),
            escalated=escalated_at.is_not_null() & (escalated_at < at),
            escalated_at=pl.when(escalated_at < at).then(escalated_at),
            inbound_messages=pl.col("_inbound").fill_null(0),
            outbound_messages=pl.col("_outbound").fill_null(0),
            csat=pl.col("_csat"),
            nps=pl.col("_nps"),
            handle_s=pl.col("_handle"),
        )
        .drop("_inbound", "_outbound", "_csat", "_nps", "_handle")
    )


def _per_conversation_before(
    frame: pl.DataFrame, keys: pl.LazyFrame, at: pl.Expr, ordered: bool, **aggs: pl.Expr
) -> pl.LazyFrame:
    """`aggs` per conversation of `keys` over the rows of `frame` timed before `at`;
    `ordered` keeps each conversation's rows in timeline order (for last())."""
    rows = frame.lazy().filter(pl.col("at") < at)
    if ordered:
        rows = rows.join(keys, on=KEY, how="semi", maintain_order="left")
    else:
        rows = rows.join(keys, on=KEY, how="semi")
    return rows.group_by(KEY).agg(**aggs)


def at_same_age(moment: datetime, start: datetime, earlier_start: datetime) -> datetime:
    """The moment an earlier period (starting at `earlier_start`) is as old as the period
    starting at `start` is at `moment`: like for like."""
    return moment - (start - earlier_start)


def turns_at(turns: pl.LazyFrame, moment: datetime) -> pl.LazyFrame:
    """Customer turns started before `moment`; a reply at or after it is still awaited."""
    at = _moment(moment)
    replied = pl.col("replied_at") < at
    return turns.filter(pl.col("started_at") < at).with_columns(
        replied_at=pl.when(replied).then(pl.col("replied_at")),
        reply_s=pl.when(replied).then(pl.col("reply_s")),
    )
