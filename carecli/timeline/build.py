"""Canonical rows -> one row per conversation, reply turns and status changes.

Message events are sorted once (conversation, time, tie rank) and every derived value
comes from shifts, running counts and one group-by over the sorted rows: no window over
conversations, no Python per row.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from carecli.input.load import ROW_INDEX
from carecli.schema import DIMENSIONS
from carecli.timeline.availability import unavailable_metrics
from carecli.timeline.event_order import CID, GID, drop_identical_events, sort_by_conversation
from carecli.timeline.frames import CONVERSATION_COLUMNS, KEY, Timeline

# Frames already in memory, a part at a time: polars' in-memory engine runs these plans
# ~20% faster than the streaming one (the default), which pays off on files it scans.
IN_MEMORY = "in-memory"

# Before any period end: the moment of a status known only from a ticket without times.
_LONG_AGO = datetime(1, 1, 1, tzinfo=UTC)


def _seconds(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later - earlier).dt.total_microseconds() / 1_000_000


def _tie_rank() -> pl.Expr:
    """Same-second ties: customer, bot, agent, then status events, then surveys."""
    role_rank = pl.col("role").replace_strict(
        {"customer": 0, "bot": 1, "agent": 2}, default=3, return_dtype=pl.Int8
    )
    return (
        pl.when(pl.col("event") == "message")
        .then(role_rank)
        .when(pl.col("event").is_in(["csat", "nps"]))
        .then(pl.lit(4, pl.Int8))
        .otherwise(pl.lit(3, pl.Int8))
    )


def _with_defaults(frame: pl.LazyFrame, names: tuple[str, ...], dtype: pl.DataType) -> pl.LazyFrame:
    """Add absent optional columns as typed nulls so every expression below can name them."""
    present = frame.collect_schema().names()
    missing = [pl.lit(None, dtype).alias(name) for name in names if name not in present]
    return frame.with_columns(missing) if missing else frame


def from_messages(events: pl.DataFrame) -> Timeline:
    """Derive the timeline from message-level events (see docs/metrics.md for the rules).

    Handed a frame no one else holds (`from_messages(pl.concat(...))`, as load_dataset
    does), it frees the events once it has its own copy to sort: one copy fewer at peak.
    """
    text_cols = ("event", *DIMENSIONS)  # DIMENSIONS includes agent
    number_cols = ("csat", "nps", "talk_seconds", "hold_seconds", "after_work_seconds")
    unavailable = unavailable_metrics(events, "messages")
    frame = _prepared(events)
    del events
    ordered, duplicates = drop_identical_events(sort_by_conversation(frame))
    del frame
    # Absent optional columns (no handle times, no team...) are typed nulls from here on:
    # added before the sort, each would be sorted and gathered like real data.
    ordered = _with_defaults(ordered.lazy().set_sorted(GID), text_cols, pl.String)
    ordered = _with_defaults(ordered, number_cols, pl.Float64)

    is_msg = pl.col("event") == "message"
    is_customer = is_msg & (pl.col("role") == "customer")
    is_agent = is_msg & (pl.col("role") == "agent")
    is_bot = is_msg & (pl.col("role") == "bot")
    ts = pl.col("timestamp")
    # At or after the conversation's first customer message (t0): in sorted order, its first
    # customer row and every row after it (a customer sorts first among same-second events).
    # Running counts and a fill do this in one pass; a window over conversations costs 10x.
    customers = is_customer.cast(pl.UInt32).cum_sum()
    first_row = pl.col(GID) != pl.col(GID).shift(1).fill_null(0)
    before_conversation = pl.when(first_row).then(customers - is_customer.cast(pl.UInt32))
    ordered = ordered.with_columns(_started=customers > before_conversation.forward_fill())
    after_start = pl.col("_started")
    state_events = pl.col("event").filter(pl.col("event").is_in(["resolved", "reopened"]))
    handle_parts = [pl.col(c) for c in ("talk_seconds", "hold_seconds", "after_work_seconds")]
    any_handle = pl.any_horizontal([c.is_not_null() for c in handle_parts])
    # Without handle-time columns (most message exports) the sum over their null stand-ins
    # would cost a fifth of the group-by.
    handle_s = (
        pl.lit(None, pl.Float64)
        if "aht" in unavailable
        else pl.when(any_handle.any()).then(pl.sum_horizontal(handle_parts).sum())
    )

    conversations = ordered.group_by(GID).agg(
        pl.col(CID).first(),
        created_at=ts.filter(is_customer).min(),
        first_agent_at=ts.filter(is_agent & after_start).min(),
        first_bot_at=ts.filter(is_bot & after_start).min(),
        last_state=state_events.last(),
        last_resolved_at=ts.filter(pl.col("event") == "resolved").max(),
        reopened=(pl.col("event") == "reopened").any(),
        escalated=pl.col("event").is_in(["escalated", "transferred"]).any(),
        escalated_at=ts.filter(pl.col("event").is_in(["escalated", "transferred"])).min(),
        csat=pl.col("csat").drop_nulls().last(),
        nps=pl.col("nps").drop_nulls().last(),
        handle_s=handle_s,
        # Counted as the rows kept by a filter: twice as fast as summing the booleans.
        inbound_messages=ts.filter(is_customer).len(),
        outbound_messages=ts.filter(is_agent | is_bot).len(),
        replying_agent=pl.col("agent").filter(is_agent).drop_nulls().last(),
        any_agent=pl.col("agent").filter(~is_customer).drop_nulls().last(),
        **{dim: pl.col(dim).drop_nulls().last() for dim in DIMENSIONS if dim != "agent"},
    )
    is_resolved = pl.col("last_state") == "resolved"
    conversations = conversations.with_columns(
        agent=pl.coalesce("replying_agent", "any_agent"),
        first_response_at=pl.col("first_agent_at"),
        bot_first_response_at=pl.col("first_bot_at"),
        resolved_at=pl.when(is_resolved).then(pl.col("last_resolved_at")),
        first_response_s=_seconds(pl.col("first_agent_at"), pl.col("created_at")),
        bot_first_response_s=_seconds(pl.col("first_bot_at"), pl.col("created_at")),
        answered=pl.col("first_agent_at").is_not_null(),
        bot_answered=pl.col("first_bot_at").is_not_null(),
        is_resolved=is_resolved.fill_null(False),
        resolution_s=pl.when(is_resolved).then(
            _seconds(pl.col("last_resolved_at"), pl.col("created_at"))
        ),
        inbound_messages=pl.col("inbound_messages").cast(pl.Int64),
        outbound_messages=pl.col("outbound_messages").cast(pl.Int64),
    )

    # Reply turns: bot messages are ignored; a customer turn starts at a customer message
    # whose previous customer/agent message is not a customer's, and waits for the next agent.
    # Rows are sorted by conversation, so plain shifts and fills replace per-conversation
    # windows: a value taken from a neighbour counts only if it is the same conversation.
    people = ordered.filter(is_customer | is_agent).select(GID, "timestamp", "role")
    gid = pl.col(GID)
    is_reply = pl.col("role") == "agent"
    turns = (
        people.with_columns(
            previous_role=pl.when(gid.shift(1) == gid).then(pl.col("role").shift(1)),
            next_agent_at=pl.when(is_reply).then(ts).backward_fill(),
            next_agent_gid=pl.when(is_reply).then(gid).backward_fill(),
        )
        .with_columns(
            next_agent_at=pl.when(pl.col("next_agent_gid") == gid).then(pl.col("next_agent_at"))
        )
        .filter(
            (pl.col("role") == "customer")
            & (pl.col("previous_role").is_null() | (pl.col("previous_role") != "customer"))
        )
        .select(
            gid.alias(KEY),
            started_at=ts,
            replied_at=pl.col("next_agent_at"),
            reply_s=_seconds(pl.col("next_agent_at"), ts),
        )
    )
    status = ordered.filter(pl.col("event").is_in(["resolved", "reopened"])).select(
        gid.alias(KEY), CID, at=ts, resolved=pl.col("event") == "resolved"
    )
    messages = ordered.filter(is_customer | is_agent | is_bot).select(
        gid.alias(KEY), at=ts, outbound=~is_customer
    )
    rated = [pl.col(c).is_not_null() for c in ("csat", "nps")]
    ratings = ordered.filter(pl.any_horizontal(*rated, any_handle)).select(
        gid.alias(KEY),
        at=ts,
        csat="csat",
        nps="nps",
        handle_s=pl.when(any_handle).then(pl.sum_horizontal(handle_parts)),
    )
    span = ordered.select(first=ts.min(), last=ts.max())
    conversations = conversations.rename({GID: KEY})
    conv_df, turns_df, status_df, messages_df, ratings_df, span_df = pl.collect_all(
        [conversations, turns, status, messages, ratings, span], engine=IN_MEMORY
    )
    started = conv_df.filter(pl.col("created_at").is_not_null())
    # A resolution before the first customer message (the last resolved event predates the
    # conversation's start) is an export error: left out and counted, as for tickets.
    backwards = (pl.col("resolution_s") < 0).fill_null(False)
    negative = started.select(backwards.sum()).item()
    if negative:
        started = started.with_columns(resolution_s=pl.when(~backwards).then("resolution_s"))
    # Compact copies: the collected chunks are slices that hold their sources' buffers
    # (twice the memory, which partitions would each leave behind).
    return Timeline(
        conversations=started.with_columns(
            abandoned=pl.lit(None, pl.Boolean), wait_s=pl.lit(None, pl.Float64)
        )
        .select(CONVERSATION_COLUMNS)
        .rechunk(),
        turns=turns_df.rechunk(),
        status=status_df.rechunk(),
        unavailable=unavailable,
        skipped_without_customer=conv_df.height - started.height,
        negative_durations=negative,
        duplicate_events=duplicates,
        messages=messages_df.rechunk(),
        ratings=ratings_df.rechunk(),
        first_event_at=span_df["first"][0],
        last_event_at=span_df["last"][0],
    )


def handed_over(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The frames as one, emptying `frames`: the caller keeps no reference, so the function
    it is passed to (from_messages) can free the rows."""
    frame = pl.concat(frames, how="diagonal_relaxed")
    frames.clear()
    return frame


def _prepared(events: pl.DataFrame) -> pl.DataFrame:
    """The events with their tie rank, as one chunk per column (a gather across the
    hundreds of chunks a scan leaves is ~6x slower).

    Joined into one chunk first: the steps below run chunk by chunk, and a partition of
    100 files arrives in 200 fragments (100M events: ~9 ms CPU more per partition than one
    chunk, alternated A/B). The rechunk at the end is then free, and the peak the same: one copy."""
    # The file row of each event only served the error messages of normalize.
    events = events.drop(ROW_INDEX, strict=False).rechunk()
    lazy = _with_defaults(events.lazy(), ("event", "role"), pl.String)
    lazy = lazy.with_columns(pl.col("event").fill_null("message"))
    return lazy.with_columns(_tie_rank().alias("_rank")).collect(engine=IN_MEMORY).rechunk()


def drop_repeated_conversations(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """A ticket exported twice (daily files, re-exports) is its latest row. Returns the
    frame and how many rows were dropped."""
    unique = frame.filter(pl.col("conversation_id").is_last_distinct())
    return unique, frame.height - unique.height


def from_conversations(rows: pl.DataFrame) -> Timeline:
    """Conversation-level rows (one per ticket) already carry the timeline's results."""
    number_cols = (
        "first_response_seconds",
        "first_response_minutes",
        "bot_first_response_seconds",
        "reopen_count",
        "csat",
        "nps",
        "talk_seconds",
        "hold_seconds",
        "after_work_seconds",
        "inbound_messages",
        "outbound_messages",
        "wait_seconds",
    )
    moments = ("created_at", "first_response_at", "bot_first_response_at", "resolved_at")
    lazy = _with_defaults(rows.lazy().with_row_index(KEY, offset=1), number_cols, pl.Float64)
    lazy = _with_defaults(lazy, moments, pl.Datetime("us", "UTC"))
    lazy = _with_defaults(lazy, ("status", "escalated", "answered", *DIMENSIONS), pl.String)
    # Without a status column, a resolution timestamp is what says a ticket is resolved.
    if "status" in rows.columns:
        is_resolved = (pl.col("status") == "resolved").fill_null(False)
    else:
        is_resolved = pl.col("resolved_at").is_not_null()
    handle_parts = [pl.col(c) for c in ("talk_seconds", "hold_seconds", "after_work_seconds")]
    any_handle = pl.any_horizontal([c.is_not_null() for c in handle_parts])
    created = pl.col("created_at")
    # A contact-centre export's answered flag (null without the column) says it outright;
    # an answered contact's queue wait is its speed of answer.
    flagged = pl.col("answered") == "true"
    conversations = lazy.with_columns(
        first_response_s=pl.coalesce(
            _seconds(pl.col("first_response_at"), created),
            pl.col("first_response_seconds"),
            pl.col("first_response_minutes") * 60,
            pl.when(flagged).then(pl.col("wait_seconds")),
        ),
        bot_first_response_s=pl.coalesce(
            _seconds(pl.col("bot_first_response_at"), created),
            pl.col("bot_first_response_seconds"),
        ),
        answered=pl.coalesce(
            flagged,
            pl.any_horizontal(
                pl.col(c).is_not_null()
                for c in ("first_response_at", "first_response_seconds", "first_response_minutes")
            ),
        ),
        abandoned=pl.col("answered") == "false",
        wait_s=pl.col("wait_seconds"),
        bot_answered=pl.any_horizontal(
            pl.col(c).is_not_null() for c in ("bot_first_response_at", "bot_first_response_seconds")
        ),
        is_resolved=is_resolved,
        resolution_s=pl.when(is_resolved).then(_seconds(pl.col("resolved_at"), created)),
        resolved_at=pl.when(is_resolved).then(pl.col("resolved_at")),
        reopened=(pl.col("reopen_count") > 0).fill_null(False),
        escalated=(pl.col("escalated") == "true").fill_null(False),
        escalated_at=pl.lit(None, pl.Datetime("us", "UTC")),
        handle_s=pl.when(any_handle).then(pl.sum_horizontal(handle_parts)),
        inbound_messages=pl.col("inbound_messages").round().cast(pl.Int64),
        outbound_messages=pl.col("outbound_messages").round().cast(pl.Int64),
    )
    # Times that run backwards (a reply before the ticket exists) are export errors: they
    # are left out of the statistics and counted, never averaged in as negative numbers.
    durations = ("first_response_s", "bot_first_response_s", "resolution_s")
    backwards = pl.any_horizontal([pl.col(c) < 0 for c in durations]).fill_null(False)
    conversations = conversations.with_columns(
        _backwards=backwards,
        **{c: pl.when(pl.col(c) >= 0).then(pl.col(c)) for c in durations},
    )
    negative = conversations.select(pl.col("_backwards").sum())
    conversations = conversations.select(CONVERSATION_COLUMNS)
    # A resolved ticket with no resolution time still counts as resolved for the backlog,
    # from its creation on: the export does not say when, only that it was. With no time
    # at all (no created_at either), it is resolved at any period end, as it was exported.
    status = lazy.filter(is_resolved).select(
        KEY,
        CID,
        at=pl.coalesce("resolved_at", "created_at", pl.lit(_LONG_AGO, pl.Datetime("us", "UTC"))),
        resolved=pl.lit(True),
    )
    span = lazy.select(
        first=pl.min_horizontal(moments).min(), last=pl.max_horizontal(moments).max()
    )
    conv_df, status_df, negative_df, span_df = pl.collect_all(
        [conversations, status, negative, span]
    )
    return Timeline(
        conversations=conv_df,
        turns=None,
        status=status_df,
        unavailable=unavailable_metrics(rows, "conversations"),
        negative_durations=int(negative_df.item()),
        first_event_at=span_df["first"][0],
        last_event_at=span_df["last"][0],
    )


def with_state_at(timeline: Timeline, end: datetime) -> pl.LazyFrame:
    """Conversations started before `end`, with `resolved_at_end`: their state at `end`.

    The state at a moment is the latest resolved/reopened event strictly before it.
    """
    state = (
        timeline.status.lazy()
        .filter(pl.col("at") < end)
        # Status rows are in KEY order (a Timeline's frames are, see frames.in_key_order),
        # so the groups come out in KEY order too: flagged so, the join below merges.
        .group_by(KEY, maintain_order=True)
        # The status rows are in each conversation's order: the last is the latest, and of
        # a resolved and a reopened event in the same second, the later in file order (as
        # for resolution_time). A stable sort_by here would cost 2x the whole state.
        .agg(resolved_at_end=pl.col("resolved").last())
        .set_sorted(KEY)
    )
    # Tickets without a creation time (some exports) count as started before any end.
    return (
        timeline.conversations.lazy()
        .filter((pl.col("created_at") < end) | pl.col("created_at").is_null())
        .join(state, on=KEY, how="left")
        .with_columns(pl.col("resolved_at_end").fill_null(False))
    )
