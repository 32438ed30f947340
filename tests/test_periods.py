"""ISO weeks and ranges in the reporting timezone, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import msg, report_for, stats, write_jsonl

from carecli.config.model import Config
from carecli.errors import UsageError
from carecli.periods import last_complete_week, parse_week, select_period, week_period

NOW = datetime.fromisoformat("2026-11-25T10:00:00+00:00")  # a Wednesday of W48


def test_last_complete_week_is_the_previous_iso_week() -> None:
    period = last_complete_week(NOW, "UTC")
    assert period.label == "2026-W47"
    assert period.start.isoformat() == "2026-11-16T00:00:00+00:00"
    assert period.end.isoformat() == "2026-11-23T00:00:00+00:00"


def test_monday_morning_in_the_reporting_timezone() -> None:
    # 23:30 UTC on Sunday is already Monday in Berlin: the week that just ended is complete.
    sunday_night = datetime.fromisoformat("2026-11-22T23:30:00+00:00")
    assert last_complete_week(sunday_night, "Europe/Berlin").label == "2026-W47"
    assert last_complete_week(sunday_night, "UTC").label == "2026-W46"


def test_week_containing_dst_end_is_169_hours() -> None:
    period = parse_week("2026-W43", "Europe/Berlin", NOW)  # DST ends Sun 25 Oct 2026
    assert period.start.isoformat() == "2026-10-19T00:00:00+02:00"
    assert period.end.isoformat() == "2026-10-26T00:00:00+01:00"
    assert (period.end_utc - period.start_utc).total_seconds() == 169 * 3600


def test_week_containing_dst_start_is_167_hours() -> None:
    period = parse_week("2026-W13", "Europe/Berlin", NOW)  # DST starts Sun 29 Mar 2026
    assert (period.end_utc - period.start_utc).total_seconds() == 167 * 3600
    assert period.previous().label == "2026-W12"


def test_previous_week_across_a_year_boundary() -> None:
    period = parse_week("2027-W01", "UTC", NOW)
    assert period.start.date().isoformat() == "2027-01-04"
    assert period.previous().label == "2026-W53"


@pytest.mark.parametrize("value", ["2026-W54", "2025-W53", "banana", "2026-45", ""])
def test_bad_week_values(value: str) -> None:
    with pytest.raises(UsageError, match="--week"):
        parse_week(value, "UTC", NOW)


def test_range_and_its_previous_period() -> None:
    period = select_period(None, "2026-11-01", "2026-11-08", "Europe/Berlin", NOW)
    assert period.label == "2026-11-01..2026-11-08"
    previous = period.previous()
    assert previous.start.isoformat() == "2026-10-25T00:00:00+02:00"
    assert previous.end == period.start


def test_period_option_conflicts() -> None:
    with pytest.raises(UsageError, match="not both"):
        select_period("2026-W45", "2026-11-01", None, "UTC", NOW)
    with pytest.raises(UsageError, match="needs --since"):
        select_period(None, None, "2026-11-01", "UTC", NOW)
    with pytest.raises(UsageError, match="after"):
        select_period(None, "2026-11-08", "2026-11-01", "UTC", NOW)


def test_week_period_of_any_day() -> None:
    assert week_period(datetime(2026, 11, 8).date(), "UTC").label == "2026-W45"


def test_conversations_attributed_in_the_reporting_timezone_at_dst(tmp_path: Path) -> None:
    rows = [
        # 25 Oct 22:30 UTC = 23:30 CET, Sunday: still W43 in Berlin (and in UTC).
        msg("late-sunday", "2026-10-25 22:30", "customer"),
        # 25 Oct 23:30 UTC = 00:30 CET, Monday: W44 in Berlin, W43 in UTC.
        msg("monday-berlin", "2026-10-25 23:30", "customer"),
        # 18 Oct 22:30 UTC = 00:30 CEST, Monday: W43 in Berlin, W42 in UTC.
        msg("early-w43", "2026-10-18 22:30", "customer"),
    ]
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    berlin = Config(timezone="Europe/Berlin")
    assert stats(report_for(path, "2026-W43", berlin), "volume")["conversations"] == 2
    assert stats(report_for(path, "2026-W44", berlin), "volume")["conversations"] == 1
    assert stats(report_for(path, "2026-W43"), "volume")["conversations"] == 2
    assert stats(report_for(path, "2026-W42"), "volume")["conversations"] == 1


def test_offsets_in_the_data_are_respected(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-08T23:30:00-05:00", "customer"),  # = Mon 9 Nov 04:30 UTC: W46
        msg("a", "2026-11-09T00:00:00-05:00", "agent", agent="Ann"),
    ]
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    assert stats(report_for(path, "2026-W45"), "volume")["conversations"] == 0
    assert stats(report_for(path, "2026-W46"), "first_response_time")["median"] == 1800


@pytest.mark.parametrize(
    ("since", "until", "label", "start"),
    [
        # 2026-10-25..2026-11-01 in Berlin lasts 169 h (clocks go back on 25 Oct): the
        # previous period keeps its wall-clock days.
        ("2026-10-25", "2026-11-01", "2026-10-18..2026-10-25", "2026-10-18T00:00:00+02:00"),
        # A 60 h range, 08:00 Sunday to 20:00 Tuesday: the previous period is the 60 h before.
        (
            "2026-11-01T08:00",
            "2026-11-03T20:00",
            "2026-10-29 20:00..2026-11-01 08:00",
            "2026-10-29T20:00:00+01:00",
        ),
    ],
)
def test_previous_of_a_range_has_its_wall_clock_length(
    since: str, until: str, label: str, start: str
) -> None:
    period = select_period(None, since, until, "Europe/Berlin", datetime(2026, 11, 30, tzinfo=UTC))
    previous = period.previous()
    assert previous is not None
    assert previous.label == label
    assert previous.start.isoformat() == start
    assert previous.end == period.start
