"""business_seconds: hand-computed cases, DST, and a property test against a reference walk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecli.config.calendars import Calendar
from carecli.timeline.business_time import _offset_segments, business_seconds, open_periods

BERLIN = ZoneInfo("Europe/Berlin")
SPLIT = ((540, 720), (780, 1080))  # 09:00-12:00, 13:00-18:00
OFFICE = Calendar(
    "office",
    "Europe/Berlin",
    hours=(SPLIT,) * 5 + (((600, 840),), ()),  # + Saturday 10:00-14:00
    holidays=frozenset(
        {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)}
    ),
)
WEEKDAYS_ONLY = Calendar("weekdays", "Europe/Berlin", hours=(SPLIT,) * 5 + ((), ()))
# Sundays 01:00-04:00: the hours of both 2026 DST changes in Berlin (Mar 29, Oct 25).
NIGHT_SUNDAY = Calendar("night", "Europe/Berlin", hours=((),) * 6 + (((60, 240),),))


def _at(text: str, fold: int = 0) -> datetime:
    """Berlin wall-clock time "YYYY-MM-DD HH:MM[:SS]" -> aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN, fold=fold)


def _seconds(calendar: Calendar, pairs: list[tuple[datetime | None, datetime | None]]) -> list:
    frame = pl.DataFrame(
        {"start": [p[0] for p in pairs], "end": [p[1] for p in pairs]},
        schema={"start": pl.Datetime("us", "UTC"), "end": pl.Datetime("us", "UTC")},
    )
    out = frame.select(business_seconds(pl.col("start"), pl.col("end"), calendar).alias("s"))
    assert out.schema["s"] == pl.Float64
    return out["s"].to_list()


def _one(calendar: Calendar, start: str, end: str) -> float:
    return _seconds(calendar, [(_at(start), _at(end))])[0]


@pytest.mark.parametrize(
    ("calendar", "start", "end", "seconds"),
    [
        # The example: Friday 18:30 -> Monday 09:15, the office opens at 09:00.
        (WEEKDAYS_ONLY, "2026-06-05 18:30", "2026-06-08 09:15", 900),
        (OFFICE, "2026-06-05 18:30", "2026-06-08 09:15", 4 * 3600 + 900),  # + Saturday 10-14
        (OFFICE, "2026-06-01 17:00", "2026-06-02 10:00", 7200),  # overnight: 17-18 + 09-10
        (OFFICE, "2026-06-01 11:30", "2026-06-01 13:30", 3600),  # lunch 12-13 is closed
        (OFFICE, "2026-06-01 12:15", "2026-06-01 12:45", 0),  # inside lunch
        (OFFICE, "2026-06-01 20:00", "2026-06-02 08:00", 0),  # inside the same closed night
        (OFFICE, "2026-06-01 09:00:30.5", "2026-06-01 09:01", 29.5),  # sub-second precision
        (OFFICE, "2026-06-01 10:00", "2026-06-01 10:00", 0),  # start == end
        (OFFICE, "2026-06-02 10:00", "2026-06-01 10:00", 0),  # end before start
        (OFFICE, "2026-06-01 09:00", "2026-06-08 09:00", 5 * 8 * 3600 + 4 * 3600),  # one week
        # Holidays: Dec 24-26 (a range: Thu-Sat), Jan 1 (a Friday).
        (OFFICE, "2026-12-23 17:30", "2026-12-28 09:30", 3600),
        (OFFICE, "2026-12-31 17:00", "2027-01-02 11:00", 7200),  # Thu 17-18 + Sat 10-11
        (OFFICE, "2026-12-25 10:00", "2026-12-25 16:00", 0),
        # DST, spring forward (Sun Mar 29, 02:00 -> 03:00): 01:00-04:00 lasts 2 real hours.
        (NIGHT_SUNDAY, "2026-03-28 23:00", "2026-03-29 05:00", 7200),
        (NIGHT_SUNDAY, "2026-03-29 01:30", "2026-03-29 03:30", 3600),  # 1 real hour elapsed
        (NIGHT_SUNDAY, "2026-03-22 00:00", "2026-04-05 00:00", 3 * 3600 + 2 * 3600),
        # DST, fall back (Sun Oct 25, 03:00 -> 02:00): 01:00-04:00 lasts 4 real hours.
        (NIGHT_SUNDAY, "2026-10-24 23:00", "2026-10-25 05:00", 4 * 3600),
        (NIGHT_SUNDAY, "2026-10-18 00:00", "2026-11-01 00:00", 4 * 3600 + 3 * 3600),
    ],
)
def test_hand_computed(calendar: Calendar, start: str, end: str, seconds: float) -> None:
    assert _one(calendar, start, end) == pytest.approx(seconds, abs=1e-9)


def test_repeated_and_skipped_hours() -> None:
    # First 02:30 (CEST) to second 02:30 (CET) of Oct 25: one real hour, all of it open.
    first, second = _at("2026-10-25 02:30", fold=0), _at("2026-10-25 02:30", fold=1)
    assert second - first == timedelta(0)  # naive arithmetic: same wall time...
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)  # ...1 h apart
    assert _seconds(NIGHT_SUNDAY, [(first, second)]) == [3600]
    # An opening inside the repeated hour: wall clock 02:30-05:00 is open 02:30-03:00 CEST,
    # closed while the clock shows 02:00-02:30 again, then open 02:30-05:00 CET: 3 h in all.
    late = Calendar("late", "Europe/Berlin", hours=((),) * 6 + (((150, 300),),))
    assert _one(late, "2026-10-25 00:00", "2026-10-25 06:00") == 3 * 3600
    # An opening inside the skipped hour: 02:30 never happens, so it opens at 03:00 CEST.
    assert _one(late, "2026-03-29 00:00", "2026-03-29 06:00") == 2 * 3600


def test_twenty_four_seven_is_calendar_time() -> None:
    pairs = [
        (_at("2026-03-28 12:00"), _at("2026-03-30 12:00")),  # across spring forward: 47 h
        (_at("2026-10-24 12:00"), _at("2026-10-26 12:00")),  # across fall back: 49 h
        (_at("2026-06-01 10:00:00.25"), _at("2026-06-01 10:00:01")),
        (_at("2026-06-02 10:00"), _at("2026-06-01 10:00")),
        (None, _at("2026-06-01 10:00")),
    ]
    expected = [47 * 3600, 49 * 3600, 0.75, 0, None]
    assert _seconds(Calendar.always(), pairs) == expected
    # A holiday far away takes the table path instead of the subtraction: same answers.
    far_holiday = Calendar("far", "Europe/Berlin", holidays=frozenset({date(2099, 1, 1)}))
    assert _seconds(far_holiday, pairs) == expected
    assert open_periods(far_holiday).height == 3  # sentinel, 1970..2098-12-31, 2099-01-02..
    # A 24/7 calendar closed on the short DST day loses 23 hours.
    closed = Calendar("c", "Europe/Berlin", holidays=frozenset({date(2026, 3, 29)}))
    assert _seconds(closed, pairs[:1]) == [24 * 3600]


def test_nulls() -> None:
    moment = _at("2026-06-01 10:00")
    assert _seconds(OFFICE, [(None, moment), (moment, None), (None, None)]) == [None] * 3


def test_never_open() -> None:
    closed = Calendar("closed", "UTC", hours=((),) * 7)
    assert _seconds(closed, [(_at("2026-06-01 10:00"), _at("2026-07-01 10:00"))]) == [0]


def test_lazy_other_units_and_naive_utc() -> None:
    frame = pl.LazyFrame(
        {"start": [datetime(2026, 6, 5, 16, 30)], "end": [datetime(2026, 6, 8, 7, 15)]},
        schema={"start": pl.Datetime("ns"), "end": pl.Datetime("ms")},  # naive = UTC
    )
    out = frame.select(business_seconds(pl.col("start"), pl.col("end"), WEEKDAYS_ONLY)).collect()
    assert out.item() == 900


def test_open_periods_are_sorted_and_disjoint() -> None:
    table = open_periods(OFFICE)
    assert table["start_us"].is_sorted()
    assert (table["end_us"] >= table["start_us"]).all()
    assert (table["start_us"].slice(1) > table["end_us"].slice(0, table.height - 1)).all()


# --- property test: the vectorised clock against a walk over quarter hours ----------------

ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # 30-minute DST
    "America/Sao_Paulo",  # DST changes at midnight until 2019 (fall back to the day before)
    "America/Havana",  # DST changes at midnight
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Apia",  # skipped 2011-12-30 entirely
)
QUARTER_US = 15 * 60 * 1_000_000
LOW_US = int(datetime(2010, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
HIGH_US = int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
DAY_US = 86_400 * 1_000_000


def reference_us(calendar: Calendar, start_us: int, end_us: int) -> int:
    """Open microseconds in [start, end), walking UTC quarter hours with zoneinfo.

    Exact for these inputs: openings are on quarter hours and the zones' offsets and
    transition instants are too, so each UTC quarter hour is wholly open or closed.
    """
    if end_us <= start_us:
        return 0
    zone = ZoneInfo(calendar.timezone)
    total = 0
    quarter = start_us // QUARTER_US * QUARTER_US
    while quarter < end_us:
        wall = datetime.fromtimestamp(quarter // 1_000_000, zone)
        minute = wall.hour * 60 + wall.minute
        if wall.date() not in calendar.holidays and any(
            a <= minute < b for a, b in calendar.hours[wall.weekday()]
        ):
            total += min(quarter + QUARTER_US, end_us) - max(quarter, start_us)
        quarter += QUARTER_US
    return total


@st.composite
def cases(draw: st.DrawFn) -> tuple[Calendar, list[tuple[int, int]]]:
    zone = draw(st.sampled_from(ZONES))
    starts, offsets = _offset_segments(zone)
    changes = [i for i, t in enumerate(starts) if LOW_US < t < HIGH_US]
    near_change = bool(changes) and draw(st.booleans())
    quarters = list(range(97))
    if near_change:  # half the time: spans around a DST change, openings near its hour
        change = draw(st.sampled_from(changes))
        base = starts[change]
        # The wall-clock quarter hours just before and after the change (both offsets), so
        # that openings often start or end inside the skipped or repeated hour.
        walls = {(base + offsets[i]) % DAY_US // QUARTER_US for i in (change - 1, change)}
        quarters = sorted(
            {0, 96} | {w + k for w in walls for k in range(-4, 5) if 0 <= w + k <= 96}
        )
    else:
        base = draw(st.integers(LOW_US, HIGH_US))
    whole_seconds = draw(st.booleans())
    pairs = []
    for _ in range(draw(st.integers(1, 6))):
        if near_change:
            start = base - draw(st.integers(1, 3 * DAY_US))
            end = base + draw(st.integers(1, 3 * DAY_US))
        else:
            start = base + draw(st.integers(-DAY_US, DAY_US))
            end = start + draw(st.integers(-DAY_US, 20 * DAY_US))
        if whole_seconds:
            start, end = start // 1_000_000 * 1_000_000, end // 1_000_000 * 1_000_000
        pairs.append((start, end))
    hours = []
    for _ in range(7):
        bounds = sorted(draw(st.sets(st.sampled_from(quarters), max_size=6)))
        bounds = bounds[: len(bounds) // 2 * 2]
        hours.append(
            tuple((a * 15, b * 15) for a, b in zip(bounds[::2], bounds[1::2], strict=True))
        )
    first_day = datetime.fromtimestamp(base // 1_000_000, UTC).date()
    holiday_days = draw(st.sets(st.integers(-3, 22), max_size=4))
    holidays = frozenset(first_day + timedelta(days=d) for d in holiday_days)
    return Calendar("random", zone, hours=tuple(hours), holidays=holidays), pairs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_matches_reference(case: tuple[Calendar, list[tuple[int, int]]]) -> None:
    calendar, pairs = case
    frame = pl.DataFrame(pairs, schema=["start", "end"], orient="row").cast(
        pl.Datetime("us", "UTC")
    )
    got = frame.select(business_seconds(pl.col("start"), pl.col("end"), calendar))
    expected = [reference_us(calendar, s, e) / 1_000_000 for s, e in pairs]
    assert got.to_series().to_list() == pytest.approx(expected, abs=1e-6)


def test_opening_that_ends_at_the_spring_forward_instant() -> None:
    """business_time._offset_segments: `starts.append(high)` -> `starts.append(low)` (each
    offset change placed one second early)."""
    import polars as pl

    from carecli.config.calendars import Calendar
    from carecli.timeline.business_time import business_seconds

    # Sundays 00:00-02:00 Berlin: on Mar 29 2026 02:00 CET is the jump to 03:00 CEST
    # (01:00 UTC), so the opening is exactly 23:00-01:00 UTC: 2 hours.
    early = Calendar("early", "Europe/Berlin", hours=((),) * 6 + (((0, 120),),))
    frame = pl.DataFrame(
        {
            "start": [datetime.fromisoformat("2026-03-28T20:00:00+00:00")],
            "end": [datetime.fromisoformat("2026-03-29T05:00:00+00:00")],
        }
    )
    seconds = frame.select(business_seconds(pl.col("start"), pl.col("end"), early)).item()
    assert seconds == 2 * 3600
