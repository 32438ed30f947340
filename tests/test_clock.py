"""Business-hours clocks wired into metrics, SLA checks and the CLI (hand-computed cases).

Office calendar: Europe/Berlin, Monday to Friday 09:00-18:00 (CET = UTC+1 in November).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from factories import event, msg, write_jsonl
from typer.testing import CliRunner

from carecli.cli.app import app
from carecli.config.model import parse_config
from carecli.errors import ConfigError
from carecli.periods import parse_week
from carecli.report.build import build_report, load_dataset
from carecli.sla.evaluate import evaluate

CONFIG = """
calendars:
  office: {timezone: Europe/Berlin, hours: {mon-fri: "09:00-18:00"}, holidays: ["2026-11-04"]}
  always: {hours: 24/7}
clock: business
channel_calendars: {email: office, default: always}
"""
NOW = datetime.fromisoformat("2026-11-16T12:00:00+00:00")
OFFICE = 'office: {timezone: Europe/Berlin, hours: {mon-fri: "09:00-18:00"}}'


def _rows() -> list[dict]:
    return [
        # Email, Friday 6 Nov 18:30 CET -> answered Monday 9 Nov 09:15 CET: 15 business minutes.
        msg("mail", "2026-11-06 17:30", "customer", channel="email"),
        msg("mail", "2026-11-09 08:15", "agent", agent="Ann", channel="email"),
        event("mail", "2026-11-09 10:00", "resolved"),  # Mon 11:00 CET: 2 business hours
        # Email on the holiday (Wed 4 Nov) answered Thursday 09:30 CET: 30 business minutes.
        msg("hol", "2026-11-04 10:00", "customer", channel="email"),
        msg("hol", "2026-11-05 08:30", "agent", agent="Ann", channel="email"),
        # Chat follows the 24/7 default: calendar time, 2 hours.
        msg("chat", "2026-11-07 20:00", "customer", channel="chat"),
        msg("chat", "2026-11-07 22:00", "agent", agent="Bo", channel="chat"),
    ]


def _report(tmp_path: Path, config_text: str = CONFIG, week: str = "2026-W45"):
    config = parse_config(config_text)
    dataset = load_dataset(write_jsonl(tmp_path / "m.jsonl", _rows()), config)
    return dataset, config, build_report(dataset, parse_week(week, "UTC", NOW), config, ["channel"])


def test_business_first_response_per_channel_calendar(tmp_path: Path) -> None:
    _, _, report = _report(tmp_path)
    by_channel = {g.key["channel"]: g.current for g in report.groups}
    email = by_channel["email"]["first_response_time"]
    assert email["count"] == 2
    assert email["max"] == 30 * 60  # the holiday does not count
    assert email["mean"] == pytest.approx((15 * 60 + 30 * 60) / 2)
    assert by_channel["chat"]["first_response_time"]["median"] == 2 * 3600
    conversations = load_dataset(
        write_jsonl(tmp_path / "again.jsonl", _rows()), parse_config(CONFIG)
    )
    mail = conversations.timeline.conversations.filter(conversation_id="mail")
    assert mail["resolution_s"].item() == 2 * 3600  # Fri 18:30 -> Mon 11:00: Mon 09-11


def test_calendar_clock_is_the_default(tmp_path: Path) -> None:
    _, _, report = _report(tmp_path, CONFIG.replace("clock: business", "clock: calendar"))
    by_channel = {g.key["channel"]: g.current for g in report.groups}
    # Fri 17:30 UTC -> Mon 08:15 UTC = 62 h 45 min of calendar time.
    assert by_channel["email"]["first_response_time"]["max"] == (62 * 60 + 45) * 60


def test_a_target_with_its_own_calendar(tmp_path: Path) -> None:
    text = CONFIG.replace("clock: business", "clock: calendar") + (
        "slas:\n  - {name: office hours, metric: first_response_time, statistic: max,"
        " where: {channel: email}, calendar: office, fail: 1h}\n"
        "  - {name: calendar, metric: first_response_time, statistic: max,"
        " where: {channel: email}, fail: 1h}\n"
    )
    dataset, config, _ = _report(tmp_path, text)
    period = parse_week("2026-W45", "UTC", NOW)
    office, calendar = evaluate(dataset.timeline, config.slas, period, config, NOW)
    assert (office.actual, office.status) == (30 * 60, "pass")
    assert (calendar.actual, calendar.status) == ((62 * 60 + 45) * 60, "fail")


def test_waiting_conversations_age_in_business_time(tmp_path: Path) -> None:
    rows = [msg("open", "2026-11-13 16:00", "customer", channel="email")]  # Fri 17:00 CET
    config = parse_config(
        CONFIG + "slas:\n  - {name: in 4h, metric: first_response_time, attainment: 4h,"
        " fail: 50%}\n"
    )
    dataset = load_dataset(write_jsonl(tmp_path / "m.jsonl", rows), config)
    period = parse_week("2026-W46", "UTC", NOW)
    # Monday 16 Nov 12:00 UTC = 13:00 CET: open 1 h Friday + 4 h Monday = 5 h > 4 h: breached.
    (outcome,) = evaluate(dataset.timeline, config.slas, period, config, NOW)
    assert (outcome.breached, outcome.pending) == (1, 0)
    assert outcome.worst["value"].item() == 5 * 3600
    # Monday 10:30 CET: 1 h + 1.5 h = 2.5 h business time: still pending.
    early = datetime.fromisoformat("2026-11-16T09:30:00+00:00")
    (outcome,) = evaluate(dataset.timeline, config.slas, period, config, early)
    assert (outcome.breached, outcome.pending) == (0, 1)


def test_unknown_calendars_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"channel_calendars\.email: unknown calendar 'nope'"):
        parse_config("calendars: {}\nchannel_calendars: {email: nope}\n")
    with pytest.raises(ConfigError, match=r"slas\[0\]\.calendar: unknown calendar 'office'"):
        parse_config("slas:\n  - {name: a, metric: csat, fail: 80%, calendar: office}\n")


def test_clock_option(tmp_path: Path) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_text(CONFIG.replace("clock: business", "clock: calendar"))
    data = write_jsonl(tmp_path / "m.jsonl", _rows())
    base = ["report", "--week", "2026-W45", "--data", str(data), "--config", str(config)]
    runner = CliRunner()
    business = runner.invoke(app, [*base, "--clock", "business", "-f", "json", "--by", "channel"])
    assert business.exit_code == 0, business.output
    groups = {g["key"]["channel"]: g for g in json.loads(business.stdout)["groups"]}
    assert groups["email"]["metrics"]["first_response_time"]["max"] == 1800
    assert runner.invoke(app, [*base, "--clock", "wall"]).exit_code == 2
    bare = tmp_path / "bare.yaml"
    bare.write_text("timezone: UTC\n")
    result = runner.invoke(
        app, ["report", "--week", "2026-W45", "--data", str(data), "--config", str(bare),
              "--clock", "business"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "needs calendars:" in result.stderr


def test_default_channel_calendar_alone_is_business_time(tmp_path: Path) -> None:
    """clock.elapsed: `if default` -> `if False` (the default calendar ignored when no
    other channel has one)."""
    config = parse_config(
        f"calendars:\n  {OFFICE}\nclock: business\nchannel_calendars: {{default: office}}\n"
    )
    rows = [
        msg("c", "2026-11-06 16:30", "customer", channel="chat"),  # Fri 17:30 CET
        msg("c", "2026-11-09 08:15", "agent", agent="Ann", channel="chat"),  # Mon 09:15 CET
    ]
    dataset = load_dataset(write_jsonl(tmp_path / "m.jsonl", rows), config)
    report = build_report(dataset, parse_week("2026-W45", "UTC", NOW), config, [])
    # Friday 17:30-18:00 + Monday 09:00-09:15 = 45 business minutes.
    assert report.overall.current["first_response_time"]["max"] == 45 * 60


def test_business_clock_keeps_backwards_times_left_out(tmp_path: Path) -> None:
    """clock.apply: `known = moment not null & current not null` -> `moment not null` (a
    resolution before the first customer message, left out by the timeline, came back as 0
    business seconds)."""
    config = parse_config(
        f"calendars:\n  {OFFICE}\nclock: business\nchannel_calendars: {{email: office}}\n"
    )
    rows = [
        event("r", "2026-11-02 09:00", "resolved"),  # Mon 10:00 CET, before the customer
        msg("r", "2026-11-02 10:00", "customer", channel="email"),
        msg("r", "2026-11-02 10:30", "agent", agent="Ann", channel="email"),
    ]
    dataset = load_dataset(write_jsonl(tmp_path / "m.jsonl", rows), config)
    conversation = dataset.timeline.conversations.row(0, named=True)
    assert conversation["first_response_s"] == 30 * 60
    assert conversation["resolution_s"] is None


def test_bot_first_response_in_business_time(tmp_path: Path) -> None:
    """clock.apply: the bot_first_response_s line dropped (bot responses kept in calendar
    time under a business clock)."""
    config = parse_config(
        f"calendars:\n  {OFFICE}\nclock: business\nchannel_calendars: {{email: office}}\n"
    )
    rows = [
        msg("b", "2026-11-06 16:30", "customer", channel="email"),  # Fri 17:30 CET
        msg("b", "2026-11-09 08:15", "bot", channel="email"),  # Mon 09:15 CET
    ]
    dataset = load_dataset(write_jsonl(tmp_path / "m.jsonl", rows), config)
    assert dataset.timeline.conversations["bot_first_response_s"].item() == 45 * 60


def test_age_converts_an_aware_now_to_utc() -> None:
    """clock.age: `now.astimezone(UTC)` -> `now.replace(tzinfo=UTC)`."""
    import polars as pl

    from carecli.config.model import Config
    from carecli.timeline.clock import age

    frame = pl.DataFrame(
        {"created_at": [datetime.fromisoformat("2026-11-09T08:00:00+00:00")], "channel": ["x"]}
    )
    now = datetime.fromisoformat("2026-11-09T10:00:00+01:00")  # 09:00 UTC
    assert frame.select(age("created_at", now, Config())).item() == 3600
