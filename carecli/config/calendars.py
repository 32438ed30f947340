"""Business-hours calendars from the config's `calendars:` mapping -> frozen Calendar objects.

A calendar says when the SLA clock runs: weekly opening hours in local wall-clock time of
its timezone, minus holidays (whole local dates). The vectorised clock itself lives in
`carecli/business_time.py`; this module only parses and validates, reporting every problem
with its key path in the style of `carecli/targets.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from carecli.config.entry import Entry, Problem

Interval = tuple[int, int]  # [start, end) in minutes after local midnight, 0 <= start < end <= 1440

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = Python's date.weekday()
DAY_MINUTES = 24 * 60
ALL_DAY: tuple[Interval, ...] = ((0, DAY_MINUTES),)
ALWAYS_OPEN: tuple[tuple[Interval, ...], ...] = (ALL_DAY,) * 7
MAX_HOLIDAY_RANGE_DAYS = 366  # a longer range is almost certainly a typo in a year
_KEYS = ("timezone", "hours", "holidays")
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_TIME_HINT = "use HH:MM-HH:MM from 00:00 to 24:00, e.g. '09:00-17:30'"


@dataclass(frozen=True)
class Calendar:
    """When an SLA clock runs: weekly local opening hours minus holidays."""

    name: str
    timezone: str = "UTC"
    hours: tuple[tuple[Interval, ...], ...] = ALWAYS_OPEN  # Monday first, sorted, disjoint
    holidays: frozenset[date] = frozenset()  # closed all day (local dates)

    @property
    def is_24_7(self) -> bool:
        return self.hours == ALWAYS_OPEN

    @classmethod
    def always(cls, name: str = "always", timezone: str = "UTC") -> Calendar:
        """Open around the clock: business time equals calendar time."""
        return cls(name=name, timezone=timezone)

    def weekly_open_minutes(self) -> int:
        return sum(end - start for day in self.hours for start, end in day)

    def is_open(self, moment: datetime) -> bool:
        """Scalar definition of the clock (an aware datetime): for docs, debugging and tests."""
        local = moment.astimezone(ZoneInfo(self.timezone))
        if local.date() in self.holidays:
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.hours[local.weekday()])


def read_calendars(raw: object, problem: Problem) -> dict[str, Calendar]:
    """Parse the `calendars:` mapping (name -> timezone/hours/holidays); bad ones are left out."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problem(
            ("calendars",),
            "expected a mapping of calendar name: {timezone: ..., hours: ..., holidays: [...]}",
        )
        return {}
    calendars: dict[str, Calendar] = {}
    for name, item in raw.items():
        if not isinstance(name, str) or not name.strip():
            problem(("calendars", name), "calendar names must be text, e.g. office or support")
            continue
        calendar = _read_calendar(name, item, problem)
        if calendar is not None:
            calendars[name] = calendar
    return calendars


def _read_calendar(name: str, item: Any, problem: Problem) -> Calendar | None:
    entry = Entry(("calendars", name), problem)
    at, bad = entry.at, entry.bad
    if not isinstance(item, dict):
        problem(at(), "expected a mapping with timezone:, hours: and holidays:")
        return None
    entry.check_keys(item, _KEYS)
    raw_hours = item.get("hours")
    if raw_hours is None:
        bad(at("hours"), "every calendar needs hours: 24/7 or e.g. {mon-fri: ['09:00-17:00']}")
        hours = ALWAYS_OPEN
    else:
        hours = _read_hours(raw_hours, at, bad)
    timezone = _read_timezone(item.get("timezone"), hours == ALWAYS_OPEN, at, bad)
    holidays = _read_holidays(item.get("holidays"), at, bad)
    if not entry.ok:
        return None
    return Calendar(name=name, timezone=timezone, hours=hours, holidays=holidays)


def _read_timezone(raw: Any, is_24_7: bool, at: Callable, bad: Problem) -> str:
    if raw is None:
        if not is_24_7:
            # Opening hours are wall-clock times: guessing UTC would shift every SLA clock.
            bad(at("timezone"), "opening hours need the timezone they are in, e.g. Europe/Berlin")
        return "UTC"
    try:
        if not isinstance(raw, str) or not raw:
            raise ValueError(raw)
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
        bad(at("timezone"), f"{raw!r} is not an IANA timezone; use e.g. Europe/Berlin or UTC")
        return "UTC"
    return raw


def _read_hours(raw: Any, at: Callable, bad: Problem) -> tuple[tuple[Interval, ...], ...]:
    """`24/7`, or a mapping of weekday key (mon, mon-fri, sat,sun, daily) -> intervals."""
    if isinstance(raw, str) and raw.strip().lower() in ("24/7", "24x7"):
        return ALWAYS_OPEN
    if not isinstance(raw, dict) or not raw:
        bad(at("hours"), "expected 24/7 or a mapping such as {mon-fri: ['09:00-17:00']}")
        return ALWAYS_OPEN
    week: list[list[Interval] | None] = [None] * 7  # None: no key named the day (closed)
    named_by: dict[int, Any] = {}
    for key, value in raw.items():
        key_path = at("hours", key)
        days = _weekdays(key)
        if days is None:
            bad(
                key_path,
                f"{key!r} is not a weekday; use mon, tue, wed, thu, fri, sat, sun, "
                "a range like mon-fri, a list like sat,sun, or daily",
            )
            continue
        intervals = _intervals(value, key_path, bad)
        if intervals is None:
            continue
        for day in days:
            if day in named_by:
                bad(
                    key_path,
                    f"{WEEKDAYS[day]} already has hours from {named_by[day]!r}; "
                    "name each day in one key only",
                )
                continue
            named_by[day] = key
            week[day] = intervals
    hours = tuple(tuple(day or ()) for day in week)
    if not any(hours) and named_by:
        bad(at("hours"), "no day is open; give at least one interval, e.g. mon-fri: [09:00-17:00]")
    return hours


def _weekdays(key: Any) -> list[int] | None:
    """Weekday indexes (Monday = 0) named by a key: mon, mon-fri, fri-mon (wraps), sat,sun."""
    if not isinstance(key, str):
        return None
    text = key.strip().lower()
    if text == "daily":
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        first, _, last = (p.strip() for p in part.partition("-"))
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            return None
        start = WEEKDAYS.index(first)
        span = (WEEKDAYS.index(last) - start) % 7 if last else 0
        days.extend((start + i) % 7 for i in range(span + 1))
    return days


def _intervals(value: Any, key_path: tuple[Any, ...], bad: Problem) -> list[Interval] | None:
    """A list of "HH:MM-HH:MM" (or one such text; "closed" or [] for none), sorted, disjoint."""
    if isinstance(value, str) and value.strip().lower() == "closed":
        return []
    items = value if isinstance(value, list) else [value]
    intervals: list[Interval] = []
    ok = True
    for item in items:
        if not isinstance(item, str):
            # YAML 1.1 reads an unquoted 09:00 as the number 540: ask for quotes.
            bad(key_path, f"{item!r} is not an interval; write quoted text, e.g. ['09:00-17:00']")
            ok = False
            continue
        interval = _interval(item, key_path, bad)
        if interval is None:
            ok = False
        else:
            intervals.append(interval)
    if not ok:
        return None
    intervals.sort()
    for (s1, e1), (s2, e2) in pairwise(intervals):
        if s2 < e1:
            bad(
                key_path,
                f"{_text((s1, e1))!r} and {_text((s2, e2))!r} overlap; "
                f"merge them into {_text((s1, max(e1, e2)))!r}",
            )
            return None
    return intervals


def _interval(text: str, key_path: tuple[Any, ...], bad: Problem) -> Interval | None:
    match = _INTERVAL.match(text)
    if match is None:
        bad(key_path, f"{text!r} is not an interval; {_TIME_HINT}")
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    for hour, minute in ((h1, m1), (h2, m2)):
        if minute > 59 or hour > 24 or (hour == 24 and minute):
            bad(key_path, f"{hour:02d}:{minute:02d} in {text!r} is not a time; {_TIME_HINT}")
            return None
    if start == DAY_MINUTES:
        bad(key_path, f"{text!r}: 24:00 can only end an interval; start the next day at 00:00")
        return None
    if end <= start:
        if end == start:
            bad(key_path, f"{text!r} is empty; the end must be later than the start")
        else:
            bad(
                key_path,
                f"{text!r} ends before it starts; split a shift past midnight into "
                f"'{text.split('-')[0].strip()}-24:00' on one day and "
                f"'00:00-{text.split('-')[1].strip()}' on the next",
            )
        return None
    return start, end


def _text(interval: Interval) -> str:
    return "-".join(f"{m // 60:02d}:{m % 60:02d}" for m in interval)


def _read_holidays(raw: Any, at: Callable, bad: Problem) -> frozenset[date]:
    """A list of dates and inclusive ranges: 2026-12-25, "2026-12-24..2026-12-26"."""
    if raw is None:
        return frozenset()
    items = raw if isinstance(raw, list) else [raw]
    holidays: set[date] = set()
    for index, item in enumerate(items):
        key_path = at("holidays", index) if isinstance(raw, list) else at("holidays")
        first, last = _holiday_range(item)
        if first is None or last is None:
            bad(
                key_path,
                f"{item!r} is not a date; use YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD",
            )
        elif last < first:
            bad(key_path, f"{item!r} ends before it starts; write the earlier date first")
        elif (last - first).days >= MAX_HOLIDAY_RANGE_DAYS:
            bad(key_path, f"{item!r} is longer than a year; check the years of the range")
        else:
            holidays.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    return frozenset(holidays)


def _holiday_range(item: Any) -> tuple[date | None, date | None]:
    # YAML already turns an unquoted 2026-12-25 into a date (but 2026-12-25 10:00 into a
    # datetime, which is a subclass of date and not a whole day).
    if isinstance(item, date) and not isinstance(item, datetime):
        return item, item
    if not isinstance(item, str):
        return None, None
    first, dots, last = (part.strip() for part in item.partition(".."))
    start = _date(first)
    return start, (_date(last) if dots else start)


def _date(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
