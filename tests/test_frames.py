"""A timeline's frames are in conversation-number order, flagged so (carecli.timeline.frames)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from carecli.timeline.build import with_state_at
from carecli.timeline.frames import KEY, Timeline

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _conversations(keys: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {KEY: keys, "created_at": [T0 + timedelta(hours=k) for k in keys]},
        schema={KEY: pl.UInt32, "created_at": pl.Datetime("us", "UTC")},
    )


def _status(rows: list[tuple[int, int, bool]]) -> pl.DataFrame:
    """(conversation, hours after T0, resolved) per status event, in the given order."""
    return pl.DataFrame(
        {
            KEY: [k for k, _, _ in rows],
            "at": [T0 + timedelta(hours=h) for _, h, _ in rows],
            "resolved": [r for _, _, r in rows],
        },
        schema={KEY: pl.UInt32, "at": pl.Datetime("us", "UTC"), "resolved": pl.Boolean},
    )


def _timeline(conversations: pl.DataFrame, status: pl.DataFrame) -> Timeline:
    return Timeline(conversations=conversations, turns=None, status=status, unavailable={})


def test_frames_out_of_order_are_sorted_keeping_each_conversations_order() -> None:
    # Conversation 2's events come first; its own two events must stay in their order
    # (a resolved then a reopened in the same hour: the later row is the state).
    status = _status([(2, 5, True), (2, 5, False), (1, 3, True), (3, 4, False), (1, 6, False)])
    timeline = _timeline(_conversations([3, 1, 2]), status)

    assert timeline.conversations[KEY].to_list() == [1, 2, 3]
    assert timeline.status.select(KEY, "resolved").rows() == [
        (1, True),
        (1, False),
        (2, True),
        (2, False),
        (3, False),
    ]
    for frame in (timeline.conversations, timeline.status):
        assert frame[KEY].flags["SORTED_ASC"]


def test_frames_already_in_order_are_kept_as_they_are() -> None:
    status = _status([(1, 3, True), (1, 2, False), (2, 5, True)])  # times need not be sorted
    timeline = _timeline(_conversations([1, 2]), status)

    assert timeline.status.equals(status)
    assert timeline.status[KEY].flags["SORTED_ASC"]


def test_backlog_state_is_right_from_frames_given_out_of_order() -> None:
    # The state at the end is each conversation's last status event before it; the join
    # that reads it merges on the KEY order, so frames given shuffled must be sorted first.
    status = _status(
        [(3, 4, True), (1, 3, True), (2, 5, True), (1, 6, False), (2, 8, False), (3, 9, False)]
    )
    timeline = _timeline(_conversations([2, 3, 1, 4]), status)
    end = T0 + timedelta(hours=7)

    state = with_state_at(timeline, end).collect().sort(KEY)

    # 1: reopened at 6; 2: resolved at 5 (reopened after the end); 3: resolved at 4;
    # 4: created at 4, no status event yet.
    assert state.select(KEY, "resolved_at_end").rows() == [
        (1, False),
        (2, True),
        (3, True),
        (4, False),
    ]
