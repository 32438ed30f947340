"""Weekly trend and daily volume against hand-computed fixtures (weeks in UTC and Berlin)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import NOW, event, msg, write_jsonl

from carecli.config.model import Config
from carecli.errors import UsageError
from carecli.periods import parse_week, range_period
from carecli.report.build import build_report, load_dataset
from carecli.report.trend import daily_volume, trend_weeks, weekly_trend


def _rows() -> list[dict]:
    """W43: a (10 min, resolved in 1 h, CSAT 5), b (30 min, never resolved). W44: nothing.
    W45: c on chat (5 min, resolved in 30 min), d on email (2 h, resolved in 24 h)."""
    return [
        msg("a", "2026-10-20 09:00", "customer", channel="email"),
        msg("a", "2026-10-20 09:10", "agent", agent="Ann"),
        event("a", "2026-10-20 10:00", "resolved"),
        event("a", "2026-10-20 10:05", "csat", csat=5),
        msg("b", "2026-10-21 09:00", "customer", channel="email"),
        msg("b", "2026-10-21 09:30", "agent", agent="Ann"),
        msg("c", "2026-11-03 09:00", "customer", channel="chat"),
        msg("c", "2026-11-03 09:05", "agent", agent="Bo"),
        event("c", "2026-11-03 09:30", "resolved"),
        msg("d", "2026-11-04 09:00", "customer", channel="email"),
        msg("d", "2026-11-04 11:00", "agent", agent="Bo"),
        event("d", "2026-11-05 09:00", "resolved"),
    ]


@pytest.fixture
def dataset(tmp_path: Path):
    return load_dataset(write_jsonl(tmp_path / "m.jsonl", _rows()), Config())


def test_three_weeks_of_headline_values(dataset) -> None:
    points = weekly_trend(dataset, parse_week("2026-W45", "UTC", NOW), Config(), weeks_back=3)
    assert [p.label for p in points] == ["2026-W43", "2026-W44", "2026-W45"]
    w43, w44, w45 = (p.values for p in points)
    assert w43 == {
        "volume": 2,
        "first_response_time": 1200,  # median of 600 and 1800 s
        "resolution_time": 3600,
        "fcr_rate": 1.0,
        "csat": 1.0,
        "nps": None,
        "backlog": 1,  # b is still open at the end of W43
    }
    # An empty week: counts are 0, statistics have no value (never 0).
    assert w44 == {
        "volume": 0,
        "first_response_time": None,
        "resolution_time": None,
        "fcr_rate": None,
        "csat": None,
        "nps": None,
        "backlog": 1,
    }
    assert w45["volume"] == 2
    assert w45["first_response_time"] == (300 + 7200) / 2
    assert w45["resolution_time"] == (1800 + 86400) / 2
    assert w45["backlog"] == 1
    assert points[-1].available["nps"] is False  # the input has no nps column
    assert points[-1].available["csat"] is True


def test_the_last_point_equals_the_report(dataset) -> None:
    period = parse_week("2026-W45", "UTC", NOW)
    report = build_report(dataset, period, Config())
    last = weekly_trend(dataset, period, Config(), weeks_back=2)[-1]
    current = report.overall.current
    assert last.values["first_response_time"] == current["first_response_time"]["median"]
    assert last.values["resolution_time"] == current["resolution_time"]["median"]
    assert last.values["backlog"] == current["backlog"]["open"]
    assert last.values["volume"] == current["volume"]["conversations"]


def test_filters_apply_to_every_week(dataset) -> None:
    period = parse_week("2026-W45", "UTC", NOW)
    points = weekly_trend(dataset, period, Config(), 3, filters={"channel": ["chat"]})
    assert [p.values["volume"] for p in points] == [0, 0, 1]
    assert points[-1].values["first_response_time"] == 300
    assert [p.values["backlog"] for p in points] == [0, 0, 0]  # b is on email


def test_weeks_of_a_range_end_with_the_week_of_its_last_day() -> None:
    period = range_period("2026-11-01", "2026-11-09", "UTC", NOW)  # Sun 1 .. Sun 8 Nov
    assert [w.label for w in trend_weeks(period, 2)] == ["2026-W44", "2026-W45"]
    with pytest.raises(UsageError, match="--weeks-back 0"):
        trend_weeks(period, 0)


def test_daily_volume_uses_local_days_across_the_dst_change(tmp_path: Path) -> None:
    # Berlin leaves summer time on Sunday 25 Oct 2026 at 03:00 (UTC+2 -> UTC+1).
    rows = [
        msg("sat", "2026-10-24 21:30", "customer", channel="chat"),  # Sat 23:30 CEST
        msg("sun", "2026-10-25 22:30", "customer", channel="chat"),  # Sun 23:30 CET
        msg("mon", "2026-10-18 22:30", "customer", channel="email"),  # Mon 19 Oct 00:30
        msg("out", "2026-10-25 23:00", "customer", channel="email"),  # Mon 26 Oct 00:00
        msg("none", "2026-10-21 12:00", "customer"),  # no channel
    ]
    config = Config(timezone="Europe/Berlin")
    dataset = load_dataset(write_jsonl(tmp_path / "m.jsonl", rows), config)
    period = parse_week("2026-W43", "Europe/Berlin", NOW)
    daily = daily_volume(dataset, period, config)
    assert daily.days == tuple(date(2026, 10, d) for d in range(19, 26))
    assert daily.counts == {
        "chat": (0, 0, 0, 0, 0, 1, 1),
        "(none)": (0, 0, 1, 0, 0, 0, 0),
        "email": (1, 0, 0, 0, 0, 0, 0),
    }
    assert daily.total() == 4  # "out" belongs to the next week
    assert weekly_trend(dataset, period, config, weeks_back=1)[0].values["volume"] == 4


def test_daily_volume_ties_are_in_channel_name_order(tmp_path: Path) -> None:
    """trend.daily_volume: the name tie-break dropped from the sort key (ties in group_by
    order, which is arbitrary)."""
    from carecli.config.model import Config
    from carecli.report.trend import daily_volume

    names = ["sms", "email", "web", "chat", "phone", "social"]
    rows = [msg(name, "2026-11-03 10:00", "customer", channel=name) for name in names]
    rows.append(msg("web2", "2026-11-04 10:00", "customer", channel="web"))
    config = Config()
    dataset = load_dataset(write_jsonl(tmp_path / "v.jsonl", rows), config)
    volume = daily_volume(dataset, parse_week("2026-W45", "UTC", NOW), config)
    assert list(volume.counts) == ["web", "chat", "email", "phone", "sms", "social"]
    assert volume.counts["web"] == (0, 1, 1, 0, 0, 0, 0)


def test_trend_backlog_is_none_not_zero_when_the_input_cannot_say(tmp_path: Path) -> None:
    """trend.weekly_trend: `metric in _ZERO_WHEN_EMPTY and available[metric]` -> without the
    availability test (an unknowable backlog shown as 0)."""
    from carecli.config.model import Config
    from carecli.report.trend import weekly_trend

    rows = [  # messages only, no resolved event: backlog is unavailable
        msg("a", "2026-11-03 10:00", "customer"),
        msg("a", "2026-11-03 10:05", "agent", agent="Ann"),
    ]
    config = Config()
    dataset = load_dataset(write_jsonl(tmp_path / "t.jsonl", rows), config)
    points = weekly_trend(dataset, parse_week("2026-W45", "UTC", NOW), config, weeks_back=2)
    assert [p.available["backlog"] for p in points] == [False, False]
    assert [p.values["backlog"] for p in points] == [None, None]
    assert [p.values["volume"] for p in points] == [0.0, 1.0]
