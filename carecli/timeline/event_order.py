"""Message events in conversation order: one integer sort key, then numbered conversations.

The timeline (timeline.py) needs each conversation's events together and in time order,
ties by kind (customer, bot, agent, status, survey) then file order. Conversations need
only be contiguous, not in id order, so the key starts with a hash of the id.
"""

from __future__ import annotations

import polars as pl

CID = "conversation_id"
GID = "_conversation_number"  # the sorted runs of one id, numbered 1, 2, ...
_POS = "_position"
_HASH = "_id_hash"


def _id_hash(ids: pl.Expr) -> pl.Expr:
    # A function of its own so tests can force ids to share hashes.
    return ids.hash()


def sort_by_conversation(events: pl.DataFrame) -> pl.DataFrame:
    """Events grouped by conversation, each in (time, tie rank) order; ties keep file order.

    Conversations only need to be contiguous, not in text order, so the sort key is one
    integer: a hash of the id, then the moment and tie rank. When the moments fit in few
    bits (whole seconds over months: ~27 bits), the key is the hash's top bits and the
    moment in one UInt64, which sorts ~2x faster than the Int128 of the whole hash used
    otherwise. Ids that share their key's hash interleave: those few rows are then put in
    id order (see _separate_shared_hashes).

    Adds GID, the sorted runs of one id numbered 1, 2, ...: grouping on a sorted integer
    is ~10x cheaper than hashing the text ids in every group-by.

    `events` holds conversation_id, timestamp and _rank (the tie rank), ideally one chunk
    per column: the final gather across many chunks is several times slower.
    """
    frame = events.with_columns(_id_hash(pl.col(CID)).alias(_HASH))
    micros = pl.col("timestamp").dt.epoch("us")
    low, high, whole_seconds = frame.select(
        low=micros.min(), high=micros.max(), whole=(micros % 1_000_000 == 0).all()
    ).row(0)
    unit = 1_000_000 if whole_seconds else 1
    bits = ((((high or 0) - (low or 0)) // unit) * 8 + 7).bit_length()
    moment = (micros - low) // unit * 8 + pl.col("_rank").cast(pl.Int64)
    if bits > 62:  # times hundreds of centuries apart: no integer key holds them
        ordered = frame.drop(_HASH).sort([CID, "timestamp", "_rank"], maintain_order=True)
        return ordered.with_columns(_runs(CID).alias(GID))
    if 64 - bits >= _MIN_HASH_BITS:
        hashed = pl.col(_HASH) // 2**bits
        key = hashed * 2**bits + moment.cast(pl.UInt64)
    else:
        hashed = pl.col(_HASH)
        key = hashed.cast(pl.Int128) * 2**bits + moment.cast(pl.Int128)
    order = frame.select(pl.arg_sort_by(key, maintain_order=True)).to_series()
    order, numbers = _separate_shared_hashes(frame.select(hashed, CID), order)
    return frame.drop(_HASH)[order].with_columns(numbers.alias(GID))


# Fewer hash bits in a packed key: ids would share hashes too often (1M ids, 32 bits: ~100).
_MIN_HASH_BITS = 32


def _separate_shared_hashes(keys: pl.DataFrame, order: pl.Series) -> tuple[pl.Series, pl.Series]:
    """`order` with the rows of ids that share a hash (same key prefix) regrouped by id,
    and the conversation number (GID) of each row in that order.

    Such ids form one run of their hash, interleaved in time order; a stable sort of just
    those rows by (hash, id) keeps each id's time order. `keys`: hash, id (by row).
    """
    hashed, ids = keys.columns
    ordered = keys[order]
    new_id = (pl.col(ids) != pl.col(ids).shift(1)).fill_null(True)
    same_hash = pl.col(hashed) == pl.col(hashed).shift(1)
    flagged = ordered.with_columns(new_id.alias("_new_id"))
    shared = flagged.filter(pl.col("_new_id") & same_hash)[hashed]
    if shared.is_empty():  # the usual case: the ids compared here number the runs
        return order, flagged["_new_id"].cum_sum()
    at = ordered.select(pl.arg_where(pl.col(hashed).is_in(shared.implode()))).to_series()
    regrouped = ordered[at].select(pl.arg_sort_by(hashed, ids, maintain_order=True)).to_series()
    order = order.scatter(at, order.gather(at.gather(regrouped)))
    return order, keys[order].select(_runs(ids)).to_series()


def _runs(column: str) -> pl.Expr:
    """Numbers the runs of equal values: 1 for the first run, 2 for the next..."""
    return (pl.col(column) != pl.col(column).shift(1)).fill_null(True).cum_sum()


def drop_identical_events(ordered: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Overlapping exports repeat events: an event twice is one event (the first is kept).

    Identical events share their sort key, so only rows tied with a neighbour on it can be
    copies; comparing whole rows among those few is much cheaper than over every row.
    """
    key = [CID, "timestamp", "_rank"]
    same = pl.all_horizontal(pl.col(k) == pl.col(k).shift(1) for k in key).fill_null(False)
    tied = ordered.with_row_index(_POS).filter(same | same.shift(-1).fill_null(False))
    if tied.height == 0:
        return ordered, 0
    compared = ordered.columns
    copies = tied.filter(~pl.struct(compared).is_first_distinct())[_POS]
    if copies.len() == 0:
        return ordered, 0
    kept = ordered.with_row_index(_POS).filter(~pl.col(_POS).is_in(copies.implode()))
    return kept.drop(_POS), copies.len()
