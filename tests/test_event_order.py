"""event_order.py: grouped by conversation, in time order, ties in file order (vs an exact sort)."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carecli.timeline import event_order
from carecli.timeline.event_order import CID, sort_by_conversation

EXACT = [CID, "timestamp", "_rank"]


def _events(rows: list[tuple[str, int, int]]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            CID: [r[0] for r in rows],
            "timestamp": [r[1] for r in rows],
            "_rank": [r[2] for r in rows],
            "order": list(range(len(rows))),  # file order, to check ties keep it
        },
        schema_overrides={"timestamp": pl.Datetime("us", "UTC"), "_rank": pl.Int8},
    )


def _as_conversations(frame: pl.DataFrame) -> list[list[tuple[object, ...]]]:
    """The sorted rows cut into conversations, in the order the conversations come."""
    runs: list[list[tuple[object, ...]]] = []
    for row in frame.iter_rows():
        if not runs or runs[-1][0][0] != row[0]:
            runs.append([])
        runs[-1].append(row)
    return runs


def _numbered(frame: pl.DataFrame) -> pl.DataFrame:
    """The sorted frame without its conversation numbers, once they are checked: 1, 2, ...
    one number per run of one id."""
    numbers = frame[event_order.GID]
    new_run = frame[CID] != frame[CID].shift(1)
    assert numbers.to_list() == new_run.fill_null(True).cum_sum().to_list()
    return frame.drop(event_order.GID)


rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "ticket-1", "ticket-2"]),
        st.integers(-(10**12), 10**12),  # microseconds, before and after 1970
        st.integers(0, 4),
    ),
    min_size=1,
    max_size=60,
)


# Hash functions for the sort key: the real one, and one that puts the ids into 3 groups
# (in the key's top bits, which a packed UInt64 key keeps), so ids share hashes.
HASHES = {"real": lambda ids: ids.hash(), "shared": lambda ids: (ids.hash() % 3) * 2**62}


@settings(max_examples=300, deadline=None)
@given(rows, st.sampled_from(sorted(HASHES)), st.booleans())
def test_same_order_as_the_exact_sort_within_each_conversation(
    events: list, hashing: str, whole_seconds: bool
) -> None:
    if whole_seconds:  # the packed UInt64 key (few bits of moment); else the Int128 key
        events = [(cid, micros // 10**6 * 10**6, rank) for cid, micros, rank in events]
    exact = _events(events).sort(EXACT, maintain_order=True).collect()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(event_order, "_id_hash", HASHES[hashing])
        fast = _numbered(sort_by_conversation(_events(events).collect()))
    got = _as_conversations(fast)
    assert len(got) == exact[CID].n_unique()  # each conversation is one contiguous run
    assert sorted(got) == _as_conversations(exact)


def test_ids_that_share_a_hash_are_regrouped_by_id(monkeypatch: pytest.MonkeyPatch) -> None:
    # Force every id onto two hash values: different ids then share a hash and interleave
    # in the sort, and must come out grouped by id (here: in id order, as they share 0/1).
    monkeypatch.setattr(event_order, "_id_hash", lambda ids: ids.hash() % 2)
    events = [("a", 3, 0), ("b", 1, 0), ("c", 2, 0), ("a", 1, 0), ("b", 2, 1), ("c", 2, 0)]
    fast = _numbered(sort_by_conversation(_events(events).collect()))
    assert fast.equals(_events(events).sort(EXACT, maintain_order=True).collect())


def test_times_too_far_apart_for_an_integer_key_use_the_exact_sort() -> None:
    # 2^62 microseconds apart (146,000 years) times 8 tie ranks: no 64-bit moment holds it.
    events = [("b", 2**61, 0), ("a", -(2**61), 2), ("a", 2**61, 0), ("b", -(2**61), 1)]
    fast = _numbered(sort_by_conversation(_events(events).collect()))
    assert fast.equals(_events(events).sort(EXACT, maintain_order=True).collect())


def test_drop_identical_events_keeps_the_first_copy_in_place() -> None:
    """event_order.drop_identical_events: `is_first_distinct` -> `is_last_distinct` (the
    same count dropped, but the copy kept after a different tied event, not before it)."""
    import polars as pl

    from carecli.timeline.event_order import drop_identical_events

    at = datetime.fromisoformat("2026-11-02T09:00:00+00:00")
    frame = pl.DataFrame(
        {
            "conversation_id": ["c", "c", "c", "c"],
            "timestamp": [at, at, at, at],
            "_rank": [0, 0, 0, 0],
            "text": ["a", "b", "a", "c"],
        }
    )
    kept, dropped = drop_identical_events(frame)
    assert dropped == 1
    assert kept["text"].to_list() == ["a", "b", "c"]
