"""What a timeline is: the frames every metric reads (built by carecli.timeline.build)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from carecli.schema import DIMENSIONS
from carecli.timeline.event_order import CID

# A conversation's number, unique within one timeline: reply turns carry only it, status
# events carry it beside the text id, and joins match on it (~2x faster than on text ids).
KEY = "_key"

# Columns of the per-conversation frame that every metric reads.
CONVERSATION_COLUMNS = (
    KEY,
    CID,
    "created_at",
    # The moments behind the durations, kept so a business-hours clock can recompute them.
    "first_response_at",
    "bot_first_response_at",
    "resolved_at",
    *DIMENSIONS,
    "first_response_s",
    "bot_first_response_s",
    # Whether an agent (a bot) responded at all: a response whose time was left out as
    # impossible (before the start, NaN) has a null duration but is not awaited.
    "answered",
    "bot_answered",
    "is_resolved",
    "resolution_s",
    "reopened",
    "escalated",
    # When it was first escalated or transferred (null: never, or a ticket export without
    # event times): what an as-of view needs to replay it (carecli.asof).
    "escalated_at",
    "csat",
    "nps",
    "handle_s",
    "inbound_messages",
    "outbound_messages",
    # Contact-centre exports only (null for message events, which derive them): whether
    # the customer left before an agent answered, and how long they waited in the queue.
    "abandoned",
    "wait_s",
)


@dataclass(frozen=True)
class Timeline:
    """What metrics need: conversations, reply turns (None without messages), status changes."""

    conversations: pl.DataFrame
    # KEY, started_at, replied_at, reply_s (null = still waiting); every turn's conversation
    # is a row of `conversations` (a turn starts at a customer message)
    turns: pl.DataFrame | None
    # KEY, conversation_id, at, resolved (bool): resolved/reopened events, in each
    # conversation's timeline order (time, ties in file order)
    status: pl.DataFrame
    unavailable: dict[str, str]  # metric -> what the input lacks for it
    skipped_without_customer: int = 0  # conversations with no customer message (no start)
    negative_durations: int = 0  # conversation rows whose times run backwards (left out)
    duplicate_events: int = 0  # identical events dropped (overlapping exports)
    # What an as-of view (carecli.asof) replays, for message events only (None for ticket
    # rows, which carry no times for these): KEY, at, outbound (bool) per message; and
    # KEY, at, csat, nps, handle_s per event carrying a rating or a handle time, in order.
    messages: pl.DataFrame | None = None
    ratings: pl.DataFrame | None = None
    # The data's first and last moment (any event or ticket time): the default as-of.
    first_event_at: datetime | None = None
    last_event_at: datetime | None = None

    def __post_init__(self) -> None:
        # Every frame in KEY order, and flagged so: polars then groups by KEY as slices
        # and joins on it by merging (100M events: the backlog's state 0.8 -> 0.05 s,
        # its join 0.8 -> 0.2 s). Each conversation's rows keep their timeline order.
        for name in ("conversations", "turns", "status", "messages", "ratings"):
            frame = getattr(self, name)
            if frame is not None:
                object.__setattr__(self, name, in_key_order(frame))


def in_key_order(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` sorted by KEY (stably: rows of a conversation keep their order) and flagged
    as sorted. A frame built in that order (the usual case) is only checked."""
    if not frame[KEY].is_sorted():
        frame = frame.sort(KEY, maintain_order=True)
    return frame.with_columns(pl.col(KEY).set_sorted())
