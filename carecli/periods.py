"""Reporting periods: ISO weeks and date ranges in the configured timezone, DST-safe."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from carecli.errors import UsageError

_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
# The moments carecli reads, in the data and on the command line. Periods reach back from
# them (the previous period, a trend of up to 104 weeks, like-for-like ages): with this
# margin no date arithmetic leaves Python's years 1-9999. Help desks did not exist before.
FIRST_YEAR, LAST_YEAR = 1900, 2999
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)  # exclusive


@dataclass(frozen=True)
class Period:
    """A half-open interval [start, end) of local wall-clock time in one timezone."""

    start: datetime
    end: datetime
    label: str
    kind: str  # "week" or "range"

    def previous(self) -> Period | None:
        """The period of the same calendar length just before this one (none for 'all')."""
        if self.kind == "all":
            return None
        if self.kind == "week":
            return week_period(self.start.date() - timedelta(days=7), self.timezone)
        # Shift by the wall-clock length, so a range crossing DST keeps its local bounds
        # and a range of part of a day (08:00 to 20:00 two days later) keeps its length.
        shift = self.end.replace(tzinfo=None) - self.start.replace(tzinfo=None)
        start = _localize(self.start.replace(tzinfo=None) - shift, self.timezone)
        end = self.start
        return Period(start, end, _range_label(start, end), "range")

    @property
    def timezone(self) -> str:
        return str(self.start.tzinfo)

    # Subtracting aware datetimes that share a tzinfo gives wall-clock time in Python;
    # these UTC bounds are what filters and elapsed times must use.
    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(UTC)

    def contains(self, column: str = "created_at") -> pl.Expr:
        """A polars filter: the moment in `column` falls in [start, end).

        'all' also keeps rows without a moment (exports with no creation time).
        """
        moment = pl.col(column)
        inside = (moment >= self.start_utc) & (moment < self.end_utc)
        return inside | moment.is_null() if self.kind == "all" else inside

    def as_dict(self) -> dict[str, str]:
        return {
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.timezone,
        }


def _localize(naive: datetime, tz: str) -> datetime:
    # fold=0 picks the first occurrence of an ambiguous wall time, as helpdesks do.
    return naive.replace(tzinfo=ZoneInfo(tz), fold=0)


def week_period(day: date, tz: str) -> Period:
    """The ISO week (Monday 00:00 to next Monday 00:00 local time) containing `day`."""
    monday = day - timedelta(days=day.weekday())
    start = _localize(datetime.combine(monday, datetime.min.time()), tz)
    end = _localize(datetime.combine(monday + timedelta(days=7), datetime.min.time()), tz)
    year, week, _ = monday.isocalendar()
    return Period(start, end, f"{year}-W{week:02d}", "week")


def last_complete_week(now: datetime, tz: str) -> Period:
    """The most recent ISO week that has fully ended at `now` in timezone `tz`."""
    today = now.astimezone(ZoneInfo(tz)).date()
    return week_period(today - timedelta(days=7), tz)


def parse_week(value: str, tz: str, now: datetime) -> Period:
    """`last` (the default of a bare --week) or an ISO week such as 2026-W45."""
    if value.strip().lower() == "last":
        return last_complete_week(now, tz)
    match = _WEEK_RE.match(value.strip())
    if not match:
        raise UsageError(f"--week {value!r}: expected an ISO week like 2026-W45, or no value")
    year, week = int(match[1]), int(match[2])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise UsageError(f"--week {value!r}: {out_of_range()}")
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise UsageError(f"--week {value!r}: {year} has no ISO week {week}") from None
    return week_period(monday, tz)


def parse_moment(value: str, option: str, tz: str) -> datetime:
    """A date (local midnight) or a date-time (local unless it carries an offset)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(
            f"{option} {value!r}: expected a date like 2026-11-01 or 2026-11-01T08:00"
        ) from None
    check_in_range(parsed, f"{option} {value!r}")
    if parsed.tzinfo is None:
        return _localize(parsed, tz)
    return parsed.astimezone(ZoneInfo(tz))


def out_of_range() -> str:
    return f"carecli reads dates from {FIRST_YEAR} to {LAST_YEAR}"


def check_in_range(moment: datetime, what: str) -> None:
    """UsageError unless `moment` (aware, or naive and local) is within the years carecli
    reads; a naive moment is checked by its wall-clock year, a day's margin either side."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise UsageError(f"{what}: {out_of_range()}")


def range_period(since: str, until: str | None, tz: str, now: datetime) -> Period:
    """`--since A [--until B]`: [A, B), B defaulting to now."""
    start = parse_moment(since, "--since", tz)
    end = parse_moment(until, "--until", tz) if until else now.astimezone(ZoneInfo(tz))
    if end <= start:
        raise UsageError(f"--until {until or 'now'} must be after --since {since}")
    return Period(start, end, _range_label(start, end), "range")


def _range_label(start: datetime, end: datetime) -> str:
    def fmt(moment: datetime) -> str:
        is_midnight = moment.time() == datetime.min.time()
        return moment.date().isoformat() if is_midnight else moment.strftime("%Y-%m-%d %H:%M")

    return f"{fmt(start)}..{fmt(end)}"


def all_time(tz: str) -> Period:
    """Everything in the data, whenever it happened: for exports with no usable dates."""
    start = _localize(datetime(1970, 1, 1), tz)
    end = _localize(datetime(9999, 12, 30), tz)
    return Period(start, end, "all", "all")


def select_period(
    week: str | None,
    since: str | None,
    until: str | None,
    tz: str,
    now: datetime,
    everything: bool = False,
) -> Period:
    """Turn the CLI's period options into a Period; the last complete week when none given."""
    if everything:
        if week is not None or since or until:
            raise UsageError("use --all alone, without --week or --since/--until")
        return all_time(tz)
    if week is not None and (since or until):
        raise UsageError("use either --week or --since/--until, not both")
    if until and not since:
        raise UsageError("--until needs --since")
    if since:
        return range_period(since, until, tz, now)
    return parse_week(week or "last", tz, now)
