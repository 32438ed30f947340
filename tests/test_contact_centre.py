"""abandonment_rate, service_level and asa by hand: the example of docs/metrics.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import event, msg, report_for, stats, write_jsonl

from carecli.config.model import parse_config


def _queue(tmp_path: Path) -> Path:
    rows = [
        msg("a", "2026-11-03 09:00:00", "customer"),
        msg("a", "2026-11-03 09:00:15", "agent", agent="Ann"),  # answered in 15 s
        msg("b", "2026-11-03 10:00:00", "customer"),
        msg("b", "2026-11-03 10:01:00", "agent", agent="Ann"),  # answered in 60 s
        msg("c", "2026-11-03 11:00:00", "customer"),
        event("c", "2026-11-03 11:00:03", "resolved"),  # gave up after 3 s
        msg("d", "2026-11-03 12:00:00", "customer"),
        event("d", "2026-11-03 12:02:00", "resolved"),  # gave up after 2 min
        msg("e", "2026-11-03 13:00:00", "customer"),
        msg("e", "2026-11-03 13:00:05", "bot"),
        event("e", "2026-11-03 13:01:00", "resolved"),  # contained by the bot
        msg("f", "2026-11-03 14:00:00", "customer"),  # still in the queue
    ]
    return write_jsonl(tmp_path / "queue.jsonl", rows)


def test_the_documented_example(tmp_path: Path) -> None:
    report = report_for(_queue(tmp_path))
    abandonment = stats(report, "abandonment_rate")
    assert (abandonment["abandoned"], abandonment["offered"]) == (2, 4)
    assert abandonment["rate"] == pytest.approx(0.5)
    level = stats(report, "service_level")
    assert (level["within"], level["offered"], level["rate"]) == (1, 4, 0.25)
    asa = stats(report, "asa")
    assert (asa["mean"], asa["count"]) == (37.5, 2)
    assert asa["mean"] == stats(report, "first_response_time")["mean"]  # the same delays


def test_short_abandons_and_the_service_level_time(tmp_path: Path) -> None:
    config = parse_config("contact_centre:\n  short_abandon: 5s\n  answer_within: 1m\n")
    report = report_for(_queue(tmp_path), config=config)
    abandonment = stats(report, "abandonment_rate")
    assert (abandonment["abandoned"], abandonment["offered"]) == (1, 3)  # c is too short
    level = stats(report, "service_level")
    assert (level["within"], level["offered"]) == (2, 3)  # a and b within a minute


def test_without_resolution_events_abandonment_is_not_available(tmp_path: Path) -> None:
    rows = [msg("a", "2026-11-03 09:00", "customer"), msg("a", "2026-11-03 09:05", "agent")]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows))
    for name in ("abandonment_rate", "service_level"):
        assert stats(report, name)["available"] is False
        assert stats(report, name)["rate"] is None
    assert stats(report, "asa")["mean"] == 300.0


def test_the_metrics_are_about_the_queues_only(tmp_path: Path) -> None:
    rows = [
        msg("mail", "2026-11-03 09:00", "customer", channel="email"),
        event("mail", "2026-11-03 09:30", "resolved"),  # closed unanswered: an email
        msg("call", "2026-11-03 10:00", "customer", channel="phone"),
        msg("call", "2026-11-03 10:00:10", "agent", agent="Ann"),
        event("call", "2026-11-03 10:05", "resolved"),
    ]
    data = write_jsonl(tmp_path / "m.jsonl", rows)
    level = stats(report_for(data), "service_level")
    assert (level["within"], level["offered"]) == (1, 1)  # the email is no queue contact
    email_only = write_jsonl(tmp_path / "email.jsonl", rows[:2])
    unavailable = stats(report_for(email_only), "abandonment_rate")
    assert unavailable["available"] is False
    assert unavailable["not_available_because"] == (
        "the input has no phone, chat conversations (contact_centre.channels)"
    )
    config = parse_config("contact_centre:\n  channels: [email]\n")
    assert stats(report_for(email_only, config=config), "abandonment_rate")["rate"] == 1.0
