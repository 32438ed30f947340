"""Business-hours calendars in the config: every form, and every error with its key path."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import yaml

from carecli.config.calendars import ALWAYS_OPEN, Calendar, read_calendars
from carecli.config.model import parse_config


def _read(text: str) -> tuple[dict[str, Calendar], list[tuple[tuple[Any, ...], str]]]:
    problems: list[tuple[tuple[Any, ...], str]] = []
    raw = yaml.safe_load(text)
    calendars = read_calendars(raw["calendars"], lambda path, msg: problems.append((path, msg)))
    return calendars, problems


def _problem(text: str) -> tuple[tuple[Any, ...], str]:
    _, problems = _read(text)
    assert len(problems) == 1, problems
    return problems[0]


def test_the_documented_example() -> None:
    calendars, problems = _read(
        """
calendars:
  office:
    timezone: Europe/Berlin
    hours:
      mon-fri: ["09:00-12:00", "13:00-18:00"]
      sat: ["10:00-14:00"]
    holidays: ["2026-12-25", "2026-12-24..2026-12-26", "2027-01-01"]
  always:
    hours: 24/7
"""
    )
    assert problems == []
    office = calendars["office"]
    assert office.timezone == "Europe/Berlin"
    assert office.hours[:5] == (((540, 720), (780, 1080)),) * 5
    assert office.hours[5] == ((600, 840),)
    assert office.hours[6] == ()  # a day no key names is closed
    assert office.holidays == {date(2026, 12, d) for d in (24, 25, 26)} | {date(2027, 1, 1)}
    assert not office.is_24_7
    assert office.weekly_open_minutes() == 5 * 480 + 240
    always = calendars["always"]
    assert always == Calendar.always()
    assert always.is_24_7 and always.timezone == "UTC" and always.hours == ALWAYS_OPEN


def test_weekday_forms_and_interval_forms() -> None:
    calendars, problems = _read(
        """
calendars:
  a:
    timezone: America/New_York
    hours:
      fri-mon: "08:00-24:00"        # a range may wrap around the weekend
      tue,thu: ["13:00-17:00", "9:00-12:00", "12:00-13:00"]  # unsorted, touching: fine
      wed: closed
    holidays: [2026-07-03, "2026-11-26 .. 2026-11-27"]   # unquoted YAML dates too
  b:
    timezone: UTC
    hours: {daily: ["00:00-24:00"]}
"""
    )
    assert problems == []
    a = calendars["a"]
    assert a.hours[4] == a.hours[5] == a.hours[6] == a.hours[0] == ((480, 1440),)
    assert a.hours[1] == a.hours[3] == ((540, 720), (720, 780), (780, 1020))
    assert a.hours[2] == ()
    assert a.holidays == {date(2026, 7, 3), date(2026, 11, 26), date(2026, 11, 27)}
    assert calendars["b"].is_24_7


@pytest.mark.parametrize(
    ("hours", "key", "message"),
    [
        ('{mon: ["09:00-12:00", "11:00-14:00"]}', "mon", "overlap; merge them into '09:00-14:00'"),
        ('{mon: ["22:00-06:00"]}', "mon", "'22:00-24:00' on one day and '00:00-06:00' on the next"),
        ('{mon: ["09:00-09:00"]}', "mon", "is empty"),
        ('{mon: ["25:00-26:00"]}', "mon", "25:00 in '25:00-26:00' is not a time; use HH:MM-HH:MM"),
        ('{mon: ["09:60-10:00"]}', "mon", "09:60 in '09:60-10:00' is not a time"),
        ('{mon: ["24:00-24:00"]}', "mon", "24:00 can only end an interval"),
        ('{mon: ["24:30-24:45"]}', "mon", "24:30 in '24:30-24:45' is not a time"),
        ('{mon: ["9 to 5"]}', "mon", "is not an interval; use HH:MM-HH:MM"),
        ("{mon: [10:00]}", "mon", "600 is not an interval; write quoted text"),
        ('{monday: ["09:00-17:00"]}', "monday", "is not a weekday; use mon, tue"),
        ('{mon-fry: ["09:00-17:00"]}', "mon-fry", "is not a weekday"),
        ('{daily: ["09:00-17:00"], sun: closed}', "sun", "sun already has hours from 'daily'"),
    ],
)
def test_bad_hours(hours: str, key: str, message: str) -> None:
    key_path, text = _problem(f"calendars:\n  office:\n    timezone: UTC\n    hours: {hours}\n")
    assert key_path == ("calendars", "office", "hours", key)
    assert message in text


@pytest.mark.parametrize(
    ("body", "key_path", "message"),
    [
        ("timezone: Mars/Olympus\n    hours: 24/7", ("timezone",), "'Mars/Olympus' is not an IANA"),
        ('hours: {mon: ["09:00-17:00"]}', ("timezone",), "need the timezone they are in"),
        ("timezone: UTC", ("hours",), "every calendar needs hours: 24/7"),
        ("timezone: UTC\n    hours: 9-5", ("hours",), "expected 24/7 or a mapping"),
        ("timezone: UTC\n    hours: {sat: closed}", ("hours",), "no day is open"),
        ("hours: 24/7\n    holiday: [2026-12-25]", ("holiday",), "unknown key; use timezone"),
        (
            'hours: 24/7\n    holidays: ["2026-02-30"]',
            ("holidays", 0),
            "'2026-02-30' is not a date",
        ),
        ('hours: 24/7\n    holidays: ["25.12.2026"]', ("holidays", 0), "use YYYY-MM-DD"),
        (
            'hours: 24/7\n    holidays: [2026-01-01, "2026-12-26..2026-12-24"]',
            ("holidays", 1),
            "ends before it starts",
        ),
        ('hours: 24/7\n    holidays: ["2026-01-01..2028-01-01"]', ("holidays", 0), "than a year"),
        ("hours: 24/7\n    holidays: [2026-12-25 10:00]", ("holidays", 0), "is not a date"),
        ("hours: 24/7\n    holidays: 2026-12-25x", ("holidays",), "is not a date"),
    ],
)
def test_bad_calendars(body: str, key_path: tuple[Any, ...], message: str) -> None:
    path, text = _problem(f"calendars:\n  office:\n    {body}\n")
    assert path == ("calendars", "office", *key_path)
    assert message in text


def test_bad_shapes_and_collected_problems() -> None:
    assert _problem("calendars: [office]")[0] == ("calendars",)
    assert _problem("calendars:\n  office: 24/7")[0] == ("calendars", "office")
    assert _problem("calendars:\n  7: {hours: 24/7}")[0] == ("calendars", 7)
    assert read_calendars(None, lambda *_: None) == {}
    calendars, problems = _read(
        """
calendars:
  broken:
    timezone: Nowhere/Land
    hours: {mon: ["18:00-09:00"], xyz: ["09:00-10:00"]}
    holidays: ["soon"]
  fine: {hours: 24/7}
"""
    )
    # Every problem is reported (not just the first); the broken calendar is left out.
    assert [path for path, _ in problems] == [
        ("calendars", "broken", "hours", "mon"),
        ("calendars", "broken", "hours", "xyz"),
        ("calendars", "broken", "timezone"),
        ("calendars", "broken", "holidays", 0),
    ]
    assert list(calendars) == ["fine"]


def test_is_open_is_local_wall_clock_time() -> None:
    office = Calendar(
        "office",
        "Europe/Berlin",
        hours=(((540, 1080),),) * 5 + ((), ()),
        holidays=frozenset({date(2026, 12, 25)}),
    )
    assert office.is_open(datetime(2026, 6, 5, 7, 0, tzinfo=UTC))  # Friday 09:00 CEST
    assert not office.is_open(datetime(2026, 6, 5, 6, 59, tzinfo=UTC))
    assert office.is_open(datetime(2026, 1, 9, 8, 0, tzinfo=UTC))  # Friday 09:00 CET
    assert not office.is_open(datetime(2026, 6, 6, 10, 0, tzinfo=UTC))  # Saturday
    assert not office.is_open(datetime(2026, 12, 25, 10, 0, tzinfo=UTC))  # holiday


def _office(extra: str) -> str:
    return "calendars:\n  office: {timezone: Europe/Berlin, " + extra + "}\n"


def test_holiday_range_of_exactly_a_year_and_one_day_too_long() -> None:
    """calendars._read_holidays: `days >= MAX_HOLIDAY_RANGE_DAYS` -> `>`."""
    from carecli.errors import ConfigError

    # 2027 is not a leap year: 2027-01-01..2028-01-01 is 365 days apart (366 dates): allowed.
    ok = parse_config(_office('hours: 24/7, holidays: ["2027-01-01..2028-01-01"]'))
    assert len(ok.calendars["office"].holidays) == 366
    # One day more (366 days apart) is refused.
    with pytest.raises(ConfigError, match="longer than a year"):
        parse_config(_office('hours: 24/7, holidays: ["2027-01-01..2028-01-02"]'))


def test_touching_intervals_are_not_an_overlap() -> None:
    """calendars._intervals: `if s2 < e1` -> `if s2 <= e1`."""
    config = parse_config(_office('hours: {mon: ["09:00-12:00", "12:00-13:00"]}'))
    assert config.calendars["office"].hours[0] == ((540, 720), (720, 780))
