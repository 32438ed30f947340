"""Business time between two instants, as one vectorised polars expression.

Definition (see docs/business-hours.md): an instant is *open* when its local wall-clock time
in the calendar's timezone falls in an opening interval of its local weekday and its local
date is not a holiday. `business_seconds(start, end)` is the real (elapsed) number of open
seconds in [start, end).

How: for a calendar we precompute, once, the sorted list of its open periods as UTC instants
over SPAN_START..SPAN_END (a few ten thousand rows) with the open seconds accumulated before
each, so that the open time from the epoch to t is

    clock(t) = cumulative[i] + min(t - open_start[i], open_length[i]),  i = last start <= t

and business_seconds = max(clock(end) - clock(start), 0). Per row that is one binary search
(`search_sorted`) and two gathers per endpoint: no timezone conversion, no Python per row.

DST is handled when the table is built: the UTC offset is piecewise constant between
transitions (found with zoneinfo), and the instants of a local interval [A, B) within an
offset segment [T_j, T_j+1) of offset o_j are [A - o_j, B - o_j) ∩ [T_j, T_j+1). On a
spring-forward day 01:00-04:00 thus lasts 2 real hours, on a fall-back day 4 (the repeated
hour counts twice), and the same formula covers midnight transitions and skipped dates.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import polars as pl

from carecli.config.calendars import Calendar

SPAN_START = date(1970, 1, 1)  # local dates the table covers; the clock stops outside them
SPAN_END = date(2100, 1, 1)
_US = 1_000_000
_MINUTE_US = 60 * _US
_DAY_US = 86_400 * _US
_SCAN_STEP_S = 6 * 3600  # tzdata 1970-2100 has no two offset changes less than 7 h apart
_EPOCH = date(1970, 1, 1)
# Two days of margin: local dates start up to a day (plus a few hours) from UTC dates.
_EDGE_US = ((SPAN_START - _EPOCH).days - 2) * _DAY_US  # before any open period: clock 0
_END_S = ((SPAN_END - _EPOCH).days + 2) * 86_400


def business_seconds(start: pl.Expr, end: pl.Expr, calendar: Calendar) -> pl.Expr:
    """Open seconds of `calendar` in [start, end) as Float64: 0 if end <= start, null if either
    is null. start and end are Datetime expressions (any unit or timezone; naive means UTC).
    """
    if calendar.is_24_7 and not calendar.holidays:
        elapsed = (end - start).dt.total_microseconds()
        return (elapsed.clip(lower_bound=0) / _US).cast(pl.Float64)
    table = open_periods(calendar)
    starts, base, cum_end = table["start_us"], table["base_us"], table["cum_end_us"]
    opened = _clock(end, starts, base, cum_end) - _clock(start, starts, base, cum_end)
    return (opened.clip(lower_bound=0) / _US).cast(pl.Float64)


def _clock(moment: pl.Expr, starts: pl.Series, base: pl.Series, cum_end: pl.Series) -> pl.Expr:
    """Open microseconds from before SPAN_START up to `moment` (a non-decreasing function)."""
    us = moment.dt.epoch("us").clip(lower_bound=_EDGE_US)
    # Row 0 is a sentinel starting at _EDGE_US, so the index is never -1 (null gives 0).
    i = (pl.lit(starts).search_sorted(us, side="right").cast(pl.Int64) - 1).clip(lower_bound=0)
    # The index is used twice; inside a struct it is computed once (the binary search is
    # the expensive part), whatever the optimiser does with common subexpressions.
    # cumulative[i] + min(t - start[i], length[i]) == min(t + base[i], cum_end[i])
    at_i = pl.lit(base).gather(pl.field("i"))
    clock = (pl.field("t") + at_i).clip(upper_bound=pl.lit(cum_end).gather(pl.field("i")))
    return pl.struct(t=us, i=i).struct.with_fields(clock=clock).struct.field("clock")


@lru_cache(maxsize=32)
def open_periods(calendar: Calendar) -> pl.DataFrame:
    """The calendar's open periods in UTC microseconds, sorted, merged where they touch.

    Columns: start_us, end_us, base_us (= open time before the period - start_us) and
    cum_end_us (open time up to the period's end). Row 0 is an empty sentinel period.
    """
    seg_start, seg_offset = _offset_segments(calendar.timezone)
    seg_end = [*seg_start[1:], _END_S * _US + _DAY_US]
    segments = pl.DataFrame(
        {"t0": seg_start, "t1": seg_end, "offset": seg_offset},
        schema={"t0": pl.Int64, "t1": pl.Int64, "offset": pl.Int64},
    )
    weekly = pl.DataFrame(
        [
            (weekday + 1, start, end)  # polars weekdays are 1 (Monday) .. 7
            for weekday, day in enumerate(calendar.hours)
            for start, end in day
        ],
        schema={"weekday": pl.Int8, "a": pl.Int64, "b": pl.Int64},
        orient="row",
    )
    days = pl.date_range(SPAN_START, SPAN_END, closed="left", eager=True).alias("day")
    holidays = pl.Series(sorted(calendar.holidays), dtype=pl.Date)
    t0 = pl.lit(segments["t0"])
    local = (
        days.to_frame()
        .filter(~pl.col("day").is_in(holidays.implode()))
        .with_columns(weekday=pl.col("day").dt.weekday())
        .join(weekly, on="weekday")
        .select(
            # Local wall-clock instants written as if they were UTC ("local epoch").
            a=pl.col("day").cast(pl.Int64) * _DAY_US + pl.col("a") * _MINUTE_US,
            b=pl.col("day").cast(pl.Int64) * _DAY_US + pl.col("b") * _MINUTE_US,
        )
    )
    hi_offset, lo_offset = max(seg_offset), min(seg_offset)
    first = (t0.search_sorted(pl.col("a") - hi_offset, side="right").cast(pl.Int64) - 1).clip(0)
    last = (t0.search_sorted(pl.col("b") - lo_offset, side="left").cast(pl.Int64) - 1).clip(0)
    pieces = (
        local.with_columns(j=pl.int_ranges(first, last + 1))
        .explode("j")
        .with_columns(
            t0=t0.gather(pl.col("j")),
            t1=pl.lit(segments["t1"]).gather(pl.col("j")),
            offset=pl.lit(segments["offset"]).gather(pl.col("j")),
        )
        .select(
            s=pl.max_horizontal(pl.col("a") - pl.col("offset"), "t0"),
            e=pl.min_horizontal(pl.col("b") - pl.col("offset"), "t1"),
        )
        .filter(pl.col("e") > pl.col("s"))
        .sort("s")
        # Touching periods (24:00 then 00:00, a 24/7 week) merge into one.
        .with_columns(run=(pl.col("s") > pl.col("e").shift(1)).fill_null(True).cum_sum())
        .group_by("run", maintain_order=True)
        .agg(start_us=pl.col("s").first(), end_us=pl.col("e").last())
        .drop("run")
    )
    sentinel = pl.DataFrame({"start_us": [_EDGE_US], "end_us": [_EDGE_US]}, schema=pieces.schema)
    length = pl.col("end_us") - pl.col("start_us")
    return (
        pl.concat([sentinel, pieces])
        .with_columns(cum_end_us=length.cum_sum())
        .with_columns(base_us=pl.col("cum_end_us") - length - pl.col("start_us"))
    )


@lru_cache(maxsize=64)
def _offset_segments(timezone: str) -> tuple[list[int], list[int]]:
    """Segments of constant UTC offset over the span: (start instants, offsets), microseconds.

    zoneinfo does not list its transitions, so scan every 6 hours and bisect each change to
    the second (about 0.1 s per timezone, cached).
    """
    zone = ZoneInfo(timezone)

    def offset(second: int) -> int:
        delta = datetime.fromtimestamp(second, zone).utcoffset()
        assert delta is not None  # a ZoneInfo always knows its offset
        return int(delta.total_seconds())

    now = _EDGE_US // _US
    current = offset(now)
    starts, offsets = [now], [current]
    while now < _END_S:
        later = min(now + _SCAN_STEP_S, _END_S)
        if offset(later) == current:
            now = later
            continue
        low, high = now, later  # offset(low) == current != offset(high)
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if offset(middle) == current else (low, middle)
        current = offset(high)
        starts.append(high)
        offsets.append(current)
        now = high
    return [s * _US for s in starts], [o * _US for o in offsets]
