"""Every metric against small, hand-computed cases (week 2026-W45 = Mon 2 Nov to Mon 9 Nov)."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import NOW, event, msg, report_for, stats, write_csv, write_jsonl

from carecli.config.model import Config, CsatConfig
from carecli.metrics.registry import METRICS
from carecli.periods import all_time, parse_week
from carecli.report.build import build_report, load_dataset, parse_filters
from carecli.report.quality import assess


def test_registry_has_every_kpi_of_the_spec() -> None:
    assert list(METRICS) == [
        "volume",
        "first_response_time",
        "bot_first_response_time",
        "reply_time",
        "resolution_time",
        "backlog",
        "fcr_rate",
        "asa",
        "abandonment_rate",
        "service_level",
        "aht",
        "csat",
        "nps",
    ]
    for metric in METRICS.values():
        assert metric.better in ("lower", "higher", "neutral")
        assert metric.formula


def test_first_response_excludes_unanswered_and_counts_them(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 09:00", "customer"),
        msg("a", "2026-11-02 09:10", "agent", agent="Ann"),  # 600 s
        msg("b", "2026-11-03 10:00", "customer"),
        msg("b", "2026-11-03 10:01", "customer"),
        msg("b", "2026-11-03 10:30", "agent", agent="Bo"),  # 1800 s from the FIRST message
        msg("c", "2026-11-04 08:00", "customer"),  # never answered
    ]
    result = stats(report_for(write_jsonl(tmp_path / "m.jsonl", rows)), "first_response_time")
    assert result["count"] == 2
    assert result["mean"] == pytest.approx(1200)
    assert result["median"] == pytest.approx(1200)
    assert result["max"] == pytest.approx(1800)
    assert result["awaiting_first_response"] == 1


def test_bot_messages_are_not_human_responses(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 09:00:00", "customer"),
        msg("a", "2026-11-02 09:00:07", "bot"),
        msg("a", "2026-11-02 09:20:00", "agent", agent="Ann"),
        msg("b", "2026-11-02 11:00:00", "customer"),
        msg("b", "2026-11-02 11:00:03", "bot"),  # bot-only: no human ever replied
    ]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows))
    human = stats(report, "first_response_time")
    assert (human["count"], human["median"], human["awaiting_first_response"]) == (1, 1200, 1)
    bot = stats(report, "bot_first_response_time")
    assert bot["count"] == 2
    assert bot["mean"] == pytest.approx(5)
    assert bot["without_bot_response"] == 0


def test_bot_message_before_the_customer_is_no_bot_response(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 08:59", "bot"),  # a proactive greeting
        msg("a", "2026-11-02 09:00", "customer"),
        msg("a", "2026-11-02 09:00:30", "bot"),
        msg("a", "2026-11-02 09:10", "agent", agent="Ann"),
    ]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows))
    assert stats(report, "bot_first_response_time")["median"] == pytest.approx(30)
    volume = stats(report, "volume")
    # Messages in and out count every message, the greeting and the bot's included.
    assert (volume["inbound_messages"], volume["outbound_messages"]) == (1, 3)


def test_outbound_message_before_the_customer_does_not_start_the_conversation(
    tmp_path: Path,
) -> None:
    rows = [
        msg("a", "2026-10-30 09:00", "agent", agent="Ann"),  # proactive, previous week
        msg("a", "2026-11-02 09:00", "customer"),
        msg("a", "2026-11-02 09:05", "agent", agent="Ann"),
    ]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows))
    assert stats(report, "volume")["conversations"] == 1
    assert stats(report, "first_response_time")["median"] == pytest.approx(300)
    # The proactive message precedes the first turn: the customer message starts a turn.
    assert stats(report, "reply_time")["median"] == pytest.approx(300)


def test_same_second_customer_and_agent_sort_customer_first(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 09:00", "agent", agent="Ann"),
        msg("a", "2026-11-02 09:00", "customer"),
    ]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows))
    assert stats(report, "first_response_time")["median"] == 0


def test_reply_time_over_interleaved_turns(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 09:00", "customer"),  # turn 1 starts
        msg("a", "2026-11-02 09:01", "bot"),  # ignored: does not end the turn
        msg("a", "2026-11-02 09:02", "customer"),  # same turn
        msg("a", "2026-11-02 09:10", "agent", agent="Ann"),  # turn 1: 600 s
        msg("a", "2026-11-02 09:11", "agent", agent="Ann"),
        msg("a", "2026-11-02 09:20", "customer"),  # turn 2 starts
        msg("a", "2026-11-02 09:21", "bot"),
        msg("a", "2026-11-02 09:22", "customer"),
        msg("a", "2026-11-02 09:50", "agent", agent="Ann"),  # turn 2: 1800 s
        msg("a", "2026-11-02 10:00", "customer"),  # turn 3: still waiting
    ]
    result = stats(report_for(write_jsonl(tmp_path / "m.jsonl", rows)), "reply_time")
    assert result["count"] == 2
    assert result["mean"] == pytest.approx(1200)
    assert result["max"] == pytest.approx(1800)
    assert result["waiting_turns"] == 1


def test_quantiles_interpolate_linearly(tmp_path: Path) -> None:
    waits = [60, 120, 180, 240, 600]
    rows = []
    for i, wait in enumerate(waits):
        rows.append(msg(f"c{i}", "2026-11-03 10:00:00", "customer"))
        rows.append(msg(f"c{i}", f"2026-11-03 10:{wait // 60:02d}:00", "agent", agent="Ann"))
    result = stats(report_for(write_jsonl(tmp_path / "m.jsonl", rows)), "first_response_time")
    assert result["median"] == pytest.approx(180)
    assert result["p90"] == pytest.approx(240 + 0.6 * 360)  # rank 3.6 between 240 and 600
    assert result["p95"] == pytest.approx(240 + 0.8 * 360)
    assert result["mean"] == pytest.approx(240)


def _reopened_rows() -> list[dict]:
    return [
        msg("a", "2026-11-02 09:00", "customer"),
        msg("a", "2026-11-02 09:30", "agent", agent="Ann"),
        event("a", "2026-11-02 10:00", "resolved"),
        msg("a", "2026-11-03 08:00", "customer"),
        event("a", "2026-11-03 08:00", "reopened"),
        msg("a", "2026-11-03 08:15", "agent", agent="Ann"),
        event("a", "2026-11-03 12:00", "resolved"),  # final: 27 h after t0
        msg("b", "2026-11-02 12:00", "customer"),
        msg("b", "2026-11-02 12:10", "agent", agent="Bo"),
        event("b", "2026-11-02 13:00", "resolved"),  # 1 h, first contact
        msg("c", "2026-11-04 12:00", "customer"),
        msg("c", "2026-11-04 12:05", "agent", agent="Bo"),
        event("c", "2026-11-04 12:06", "escalated"),
        event("c", "2026-11-04 14:00", "resolved"),  # 2 h, escalated: not FCR
        msg("d", "2026-11-05 12:00", "customer"),
        event("d", "2026-11-05 13:00", "resolved"),
        event("d", "2026-11-05 14:00", "reopened"),  # open again: not resolved
    ]


def test_resolution_uses_the_latest_resolution_of_resolved_conversations(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", _reopened_rows())
    result = stats(report_for(path), "resolution_time")
    assert result["count"] == 3
    assert sorted([result["median"], result["max"]]) == [7200, 27 * 3600]
    assert result["mean"] == pytest.approx((27 * 3600 + 3600 + 7200) / 3)
    assert result["unresolved"] == 1


def test_fcr_excludes_reopened_and_escalated(tmp_path: Path) -> None:
    result = stats(report_for(write_jsonl(tmp_path / "m.jsonl", _reopened_rows())), "fcr_rate")
    assert (result["resolved"], result["first_contact_resolved"]) == (3, 1)
    assert result["rate"] == pytest.approx(1 / 3)


def test_previous_week_conversation_resolved_this_week(tmp_path: Path) -> None:
    rows = [
        msg("old", "2026-10-30 09:00", "customer"),  # W44
        msg("old", "2026-10-30 10:00", "agent", agent="Ann"),
        event("old", "2026-11-03 09:00", "resolved"),  # resolved in W45
        msg("new", "2026-11-04 09:00", "customer"),
    ]
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    w45 = report_for(path, "2026-W45")
    assert stats(w45, "volume")["conversations"] == 1
    assert stats(w45, "resolution_time")["count"] == 0  # it belongs to W44
    assert stats(w45, "backlog")["open"] == 1  # only "new" is open at the end of W45
    w44 = report_for(path, "2026-W44")
    assert stats(w44, "resolution_time")["median"] == pytest.approx(4 * 86400)
    assert stats(w44, "backlog")["open"] == 1  # "old" was open at the end of W44
    # The data ends Wed 4 Nov 09:00: like for like, W44 is seen as of Wed 28 Oct 09:00,
    # before "old" started; the plain comparison sees W44 as it ended.
    assert w45.overall.previous["backlog"]["open"] == 0
    plain = report_for(path, "2026-W45", comparison="plain")
    assert plain.overall.previous["backlog"]["open"] == 1


def test_backlog_is_the_state_at_the_period_end(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 09:00", "customer"),
        event("a", "2026-11-05 09:00", "resolved"),
        event("a", "2026-11-09 10:00", "reopened"),  # after the end: resolved at the end
        msg("b", "2026-11-03 09:00", "customer"),
        event("b", "2026-11-04 09:00", "resolved"),
        event("b", "2026-11-06 09:00", "reopened"),  # open at the end
        msg("c", "2026-11-08 23:59", "customer"),  # open at the end
        msg("d", "2026-11-09 00:00", "customer"),  # starts exactly at the end: not counted
        msg("e", "2026-11-09 08:00", "customer"),
        event("e", "2026-11-08 08:00", "resolved"),  # resolved before it started: irrelevant
    ]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows))
    assert stats(report, "backlog")["open"] == 2
    assert stats(report, "volume")["conversations"] == 3


def test_csat_share_mean_count_and_custom_threshold(tmp_path: Path) -> None:
    ratings = [5, 4, 3, 1, 5]
    rows = []
    for i, rating in enumerate(ratings):
        rows.append(msg(f"c{i}", "2026-11-03 10:00", "customer"))
        rows.append(event(f"c{i}", "2026-11-03 11:00", "csat", csat=rating))
    rows.append(event("c0", "2026-11-03 12:00", "csat", csat=4))  # the latest rating counts
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    result = stats(report_for(path), "csat")
    assert (result["count"], result["satisfied"]) == (5, 3)
    assert result["rate"] == pytest.approx(0.6)
    assert result["mean"] == pytest.approx(17 / 5)
    strict = Config(csat=CsatConfig(scale_min=1, scale_max=5, satisfied_min=5))
    assert stats(report_for(path, config=strict), "csat")["rate"] == pytest.approx(0.2)


def test_nps_promoters_minus_detractors(tmp_path: Path) -> None:
    scores = [10, 9, 8, 6, 0, 10]
    rows = []
    for i, score in enumerate(scores):
        rows.append(msg(f"c{i}", "2026-11-03 10:00", "customer"))
        rows.append(event(f"c{i}", "2026-11-03 11:00", "nps", nps=score))
    result = stats(report_for(write_jsonl(tmp_path / "m.jsonl", rows)), "nps")
    assert (result["promoters"], result["passives"], result["detractors"]) == (3, 1, 2)
    assert result["count"] == 6
    assert result["score"] == pytest.approx(100 * (3 - 2) / 6)


def test_nps_counts_the_latest_score_of_a_conversation(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-03 10:00", "customer"),
        event("a", "2026-11-03 11:00", "nps", nps=3),
        event("a", "2026-11-04 09:00", "nps", nps=9),  # re-surveyed: the latest counts
    ]
    result = stats(report_for(write_jsonl(tmp_path / "m.jsonl", rows)), "nps")
    assert (result["count"], result["promoters"], result["detractors"]) == (1, 1, 0)


def test_nps_can_be_negative(tmp_path: Path) -> None:
    rows = []
    for i, score in enumerate([0, 3, 6, 9, 7]):
        rows.append(msg(f"c{i}", "2026-11-03 10:00", "customer"))
        rows.append(event(f"c{i}", "2026-11-03 11:00", "nps", nps=score))
    result = stats(report_for(write_jsonl(tmp_path / "m.jsonl", rows)), "nps")
    assert result["score"] == pytest.approx(100 * (1 - 3) / 5)


def test_empty_survey_metrics_are_null_not_zero(tmp_path: Path) -> None:
    rows = [msg("a", "2026-11-03 10:00", "customer")]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows))
    assert stats(report, "csat")["rate"] is None
    assert stats(report, "nps")["score"] is None
    assert stats(report, "fcr_rate")["rate"] is None
    assert stats(report, "first_response_time")["median"] is None


def test_aht_from_conversation_rows_and_not_available_without_columns(tmp_path: Path) -> None:
    rows = [
        {"conversation_id": "p1", "created_at": "2026-11-03T10:00:00Z", "channel": "phone",
         "talk_seconds": 300, "hold_seconds": 60, "after_work_seconds": 40},
        {"conversation_id": "p2", "created_at": "2026-11-03T11:00:00Z", "channel": "phone",
         "talk_seconds": 200, "hold_seconds": "", "after_work_seconds": 100},
        {"conversation_id": "w1", "created_at": "2026-11-03T12:00:00Z", "channel": "whatsapp",
         "talk_seconds": "", "hold_seconds": "", "after_work_seconds": ""},
    ]  # fmt: skip
    result = stats(report_for(write_csv(tmp_path / "c.csv", rows)), "aht")
    assert result["available"] is True
    assert result["contacts"] == 2  # the WhatsApp row has no handle time: not a contact
    assert result["mean"] == pytest.approx((400 + 300) / 2)

    no_columns = [{"conversation_id": "a", "created_at": "2026-11-03T10:00:00Z"}]
    result = stats(report_for(write_csv(tmp_path / "n.csv", no_columns)), "aht")
    assert result["available"] is False
    assert result["mean"] is None


def test_aht_from_message_events_sums_each_conversations_parts(tmp_path: Path) -> None:
    rows = [
        # A call in two legs: (300 + 60 + 0) + (120 + 0 + 45) = 525 s of handle time.
        msg("c1", "2026-11-03 10:00", "customer"),
        msg("c1", "2026-11-03 10:01", "agent", talk_seconds=300, hold_seconds=60),
        msg("c1", "2026-11-03 10:09", "agent", talk_seconds=120, after_work_seconds=45),
        msg("c2", "2026-11-03 11:00", "customer"),
        msg("c2", "2026-11-03 11:02", "agent", talk_seconds=200),
        # A chat without handle times is no contact: not averaged in as 0.
        msg("w1", "2026-11-03 12:00", "customer"),
        msg("w1", "2026-11-03 12:05", "agent"),
    ]
    result = stats(report_for(write_jsonl(tmp_path / "m.jsonl", rows)), "aht")
    assert result["available"] is True
    assert result["contacts"] == 2
    assert result["mean"] == pytest.approx((525 + 200) / 2)
    assert result["total"] == pytest.approx(725)

    chats = [msg("w1", "2026-11-03 12:00", "customer"), msg("w1", "2026-11-03 12:05", "agent")]
    result = stats(report_for(write_jsonl(tmp_path / "n.jsonl", chats)), "aht")
    assert (result["available"], result["mean"], result["contacts"]) == (False, None, None)


def test_a_response_whose_time_was_left_out_is_not_awaited(tmp_path: Path) -> None:
    # METRICS.md: only a conversation with no agent message awaits its first response. A
    # response the export times before the ticket (or as a negative or NaN duration) was
    # given: its time is left out (no sample), the conversation is not waiting. Each of
    # a-d has an impossible human response, b-d also an impossible bot one; e has none.
    rows = [
        {"conversation_id": "a", "created_at": "2026-11-03T09:00:00Z",
         "first_response_at": "2026-11-03T08:50:00Z",
         "bot_first_response_at": "2026-11-03T09:00:05Z"},
        {"conversation_id": "b", "created_at": "2026-11-03T09:00:00Z",
         "first_response_seconds": -60, "bot_first_response_seconds": -1},
        {"conversation_id": "c", "created_at": "2026-11-03T09:00:00Z",
         "first_response_seconds": "NaN", "bot_first_response_seconds": "NaN"},
        {"conversation_id": "d", "created_at": "2026-11-03T09:00:00Z",
         "first_response_minutes": -5, "bot_first_response_at": "2026-11-03T08:00:00Z"},
        {"conversation_id": "e", "created_at": "2026-11-03T09:00:00Z"},
        {"conversation_id": "f", "created_at": "2026-11-03T09:00:00Z",
         "first_response_seconds": 600},
    ]  # fmt: skip
    # As the CLI does: NaN numbers are left out by the data-quality pass.
    dataset, _ = assess(load_dataset(write_csv(tmp_path / "c.csv", rows), Config()))
    report = build_report(dataset, parse_week("2026-W45", "UTC", NOW), Config())
    frt = stats(report, "first_response_time")
    assert (frt["count"], frt["mean"], frt["awaiting_first_response"]) == (1, 600, 1)  # f; e
    bot = stats(report, "bot_first_response_time")
    assert (bot["count"], bot["mean"], bot["without_bot_response"]) == (1, 5, 2)  # a; e, f


def test_conversation_rows_give_the_same_core_numbers(tmp_path: Path) -> None:
    rows = [
        {"conversation_id": "a", "created_at": "2026-11-02T10:00:00+01:00",
         "first_response_at": "2026-11-02T10:10:00+01:00",
         "resolved_at": "2026-11-02T11:00:00+01:00",
         "status": "Solved", "reopen_count": 0, "escalated": "no", "csat": 5, "nps": 9},
        {"conversation_id": "b", "created_at": "2026-11-03T09:00:00Z",
         "first_response_seconds": 1800, "resolved_at": "2026-11-04T09:00:00Z",
         "status": "closed", "reopen_count": 1, "escalated": "no", "csat": 2, "nps": 3},
        {"conversation_id": "c", "created_at": "2026-11-04T09:00:00Z", "status": "open",
         "reopen_count": "", "escalated": "yes", "csat": "", "nps": ""},
    ]  # fmt: skip
    report = report_for(write_csv(tmp_path / "c.csv", rows))
    frt = stats(report, "first_response_time")
    assert (frt["count"], frt["mean"], frt["awaiting_first_response"]) == (2, 1200, 1)
    resolution = stats(report, "resolution_time")
    assert (resolution["count"], resolution["max"]) == (2, 86400)
    assert stats(report, "fcr_rate")["rate"] == pytest.approx(0.5)
    assert stats(report, "backlog")["open"] == 1
    assert stats(report, "csat")["rate"] == pytest.approx(0.5)
    assert stats(report, "nps")["score"] == pytest.approx(0)
    assert stats(report, "reply_time")["available"] is False


def test_breakdown_by_channel_and_previous_period_per_group(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 09:00", "customer", channel="email"),
        msg("a", "2026-11-02 11:00", "agent", agent="Ann", channel="email"),
        msg("b", "2026-11-03 09:00", "customer", channel="WhatsApp"),
        msg("b", "2026-11-03 09:05", "agent", agent="Bo"),
        msg("c", "2026-10-27 09:00", "customer", channel="email"),  # previous week
        msg("c", "2026-10-27 10:00", "agent", agent="Ann"),
    ]
    report = report_for(
        write_jsonl(tmp_path / "m.jsonl", rows), group_by=("channel",), comparison="plain"
    )
    by_channel = {g.key["channel"]: g for g in report.groups}
    assert set(by_channel) == {"email", "whatsapp"}
    assert by_channel["email"].current["first_response_time"]["median"] == 7200
    assert by_channel["email"].previous["first_response_time"]["median"] == 3600
    assert by_channel["whatsapp"].current["first_response_time"]["median"] == 300
    assert by_channel["whatsapp"].previous["volume"]["conversations"] == 0


def test_agent_is_the_last_human_agent_who_replied(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 09:00", "customer"),
        msg("a", "2026-11-02 09:05", "agent", agent="Ann"),
        event("a", "2026-11-02 09:06", "transferred", agent="Ann"),
        msg("a", "2026-11-02 10:00", "agent", agent="Bo"),
        event("a", "2026-11-02 11:00", "resolved", agent="Cy"),
    ]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows), group_by=("agent",))
    assert [g.key["agent"] for g in report.groups] == ["Bo"]


def test_without_an_agent_reply_the_agent_is_the_last_named_on_another_event(
    tmp_path: Path,
) -> None:
    rows = [
        msg("a", "2026-11-02 09:00", "customer"),
        event("a", "2026-11-02 09:30", "note", agent="Ann"),
        msg("a", "2026-11-02 09:31", "bot"),
        event("a", "2026-11-02 10:00", "resolved", agent="Bo"),
        msg("a", "2026-11-02 10:05", "customer", agent="Zed"),  # a customer's row: not it
    ]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows), group_by=("agent",))
    assert [g.key["agent"] for g in report.groups] == ["Bo"]


def test_channel_team_topic_and_priority_are_the_last_values_seen(tmp_path: Path) -> None:
    first = {"channel": "chat", "team": "Tier 1", "topic": "billing", "priority": "normal"}
    last = {"channel": "email", "team": "Tier 2", "topic": "refund", "priority": "high"}
    rows = [
        msg("a", "2026-11-02 09:00", "customer", **first),
        msg("a", "2026-11-02 09:05", "agent", agent="Ann", **last),
        msg("a", "2026-11-02 09:10", "customer", channel="", topic=""),  # empty: not a value
    ]
    dims = ("channel", "team", "topic", "priority")
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows), group_by=dims)
    assert [g.key for g in report.groups] == [last]


NO_RESOLUTION_EVENTS = "the input has no resolution events (event: resolved)"


def test_messages_without_any_resolved_event_cannot_give_resolution(tmp_path: Path) -> None:
    # Exports of messages alone (Front, TWCS) say nothing about resolution: "0 resolved,
    # everything open" would be invented. With no event column, or one without 'resolved':
    plain = [
        {"conversation_id": "a", "timestamp": "2026-11-02T09:00:00Z", "role": "customer"},
        {"conversation_id": "a", "timestamp": "2026-11-02T09:10:00Z", "role": "agent"},
        {"conversation_id": "b", "timestamp": "2026-11-03T09:00:00Z", "role": "customer"},
    ]
    with_events = [
        msg("a", "2026-11-02 09:00", "customer"),
        msg("a", "2026-11-02 09:10", "agent", agent="Ann"),
        event("a", "2026-11-02 09:20", "escalated"),
        event("a", "2026-11-02 09:30", "reopened"),
        msg("b", "2026-11-03 09:00", "customer"),
    ]
    for name, rows in (("plain.csv", plain), ("events.jsonl", with_events)):
        path = tmp_path / name
        report = report_for(write_csv(path, rows) if name.endswith(".csv") else
                            write_jsonl(path, rows))  # fmt: skip
        for metric in ("resolution_time", "backlog", "fcr_rate"):
            result = stats(report, metric)
            assert result["available"] is False, (name, metric)
            assert result["not_available_because"] == NO_RESOLUTION_EVENTS
            assert result.get("open") is None and result.get("count") is None
        assert stats(report, "first_response_time")["count"] == 1  # the rest still works

    # One resolved event anywhere in the data: resolution is measured, the rest are open.
    resolved = [*with_events, event("a", "2026-11-02 10:00", "resolved")]
    report = report_for(write_jsonl(tmp_path / "one.jsonl", resolved))
    assert stats(report, "backlog") == {"available": True, "open": 1}  # b
    assert stats(report, "resolution_time")["median"] == pytest.approx(3600)  # a
    assert stats(report, "fcr_rate")["rate"] == 0  # a was escalated and reopened


def test_ticket_status_counts_without_resolution_or_creation_times(tmp_path: Path) -> None:
    # An export with a status but no resolved_at (nor created_at): closed tickets are
    # resolved for the backlog and FCR; only the resolution time needs resolved_at.
    rows = [
        {"conversation_id": "a", "status": "closed", "reopen_count": 0},
        {"conversation_id": "b", "status": "closed", "reopen_count": 2},
        {"conversation_id": "c", "status": "open", "reopen_count": 0},
    ]
    config = Config(granularity="conversations")
    dataset = load_dataset(write_csv(tmp_path / "t.csv", rows), config)
    report = build_report(dataset, all_time("UTC"), config)
    assert stats(report, "backlog")["open"] == 1
    fcr = stats(report, "fcr_rate")
    assert (fcr["resolved"], fcr["first_contact_resolved"]) == (2, 1)
    assert stats(report, "resolution_time")["available"] is False

    # With created_at: resolved from creation on (the export does not say when).
    for row, day in zip(rows, ("02", "03", "04"), strict=True):
        row["created_at"] = f"2026-11-{day}T09:00:00Z"
    report = report_for(write_csv(tmp_path / "c.csv", rows))
    assert stats(report, "backlog")["open"] == 1
    assert stats(report, "fcr_rate")["resolved"] == 2
    resolution = stats(report, "resolution_time")
    assert resolution["not_available_because"] == "the input has no resolution time (resolved_at)"


def test_a_resolution_before_the_first_customer_message_is_left_out(tmp_path: Path) -> None:
    # c1's resolved event predates its start: a negative resolution time, an export error.
    path = write_jsonl(
        tmp_path / "m.jsonl",
        [
            event("c1", "2026-11-03 08:00", "resolved"),
            msg("c1", "2026-11-03 09:00", "customer"),
            msg("c2", "2026-11-03 09:00", "customer"),
            event("c2", "2026-11-03 10:00", "resolved"),
        ],
    )
    assert load_dataset(path, Config()).timeline.negative_durations == 1
    resolution = stats(report_for(path), "resolution_time")
    assert (resolution["count"], resolution["median"], resolution["max"]) == (1, 3600, 3600)


def test_totals_are_null_not_zero_when_no_row_has_the_column(tmp_path: Path) -> None:
    rows = [
        {"conversation_id": "p1", "created_at": "2026-11-03T10:00:00Z", "channel": "phone",
         "talk_seconds": 300, "hold_seconds": 60, "after_work_seconds": 40},
        {"conversation_id": "w1", "created_at": "2026-11-03T12:00:00Z", "channel": "whatsapp",
         "talk_seconds": "", "hold_seconds": "", "after_work_seconds": ""},
    ]  # fmt: skip
    report = report_for(write_csv(tmp_path / "c.csv", rows), group_by=("channel",))
    # No inbound/outbound_messages columns: not available as counts, never 0.
    volume = stats(report, "volume")
    assert (volume["conversations"], volume["inbound_messages"]) == (2, None)
    assert volume["outbound_messages"] is None
    assert stats(report, "aht")["total"] == pytest.approx(400)
    groups = {g.key["channel"]: g.current["aht"] for g in report.groups}
    assert groups["phone"]["total"] == pytest.approx(400)
    # The WhatsApp row has no handle time: AHT is available, but its total is null, not 0.
    assert (groups["whatsapp"]["contacts"], groups["whatsapp"]["total"]) == (0, None)
    assert groups["whatsapp"]["mean"] is None


def test_a_resolution_left_out_as_backwards_is_still_not_unresolved(tmp_path: Path) -> None:
    # M10 (unresolved counted from a null resolution_s instead of ~is_resolved).
    rows = [
        event("c1", "2026-11-03 08:00", "resolved"),  # before its start: a left-out duration
        msg("c1", "2026-11-03 09:00", "customer"),
        msg("c2", "2026-11-03 09:00", "customer"),
        event("c2", "2026-11-03 10:00", "resolved"),
        msg("c3", "2026-11-03 09:00", "customer"),  # open
    ]
    resolution = stats(report_for(write_jsonl(tmp_path / "m.jsonl", rows)), "resolution_time")
    assert (resolution["count"], resolution["median"]) == (1, 3600)
    assert resolution["unresolved"] == 1  # c3 only: c1 is resolved, its time is unknown


def test_an_escalation_after_the_resolution_does_not_reopen_it(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 09:00", "customer"),
        msg("a", "2026-11-02 09:10", "agent", agent="Ann"),
        event("a", "2026-11-02 10:00", "resolved"),
        event("a", "2026-11-02 11:00", "escalated"),  # not a state change
        event("a", "2026-11-02 12:00", "transferred"),
        msg("b", "2026-11-03 09:00", "customer"),  # open
    ]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows))
    assert stats(report, "backlog")["open"] == 1  # b only
    resolution = stats(report, "resolution_time")
    assert (resolution["count"], resolution["median"], resolution["unresolved"]) == (1, 3600, 1)
    fcr = stats(report, "fcr_rate")
    assert (fcr["resolved"], fcr["first_contact_resolved"]) == (1, 0)


def test_a_resolution_in_the_first_customer_seconds_is_zero_not_backwards(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-03 09:00", "customer"),
        event("a", "2026-11-03 09:00", "resolved"),  # same second: sorts after the customer
        msg("b", "2026-11-03 09:00", "customer"),
        event("b", "2026-11-03 11:00", "resolved"),
    ]
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    assert load_dataset(path, Config()).timeline.negative_durations == 0
    resolution = stats(report_for(path), "resolution_time")
    assert (resolution["count"], resolution["unresolved"]) == (2, 0)
    assert (resolution["median"], resolution["max"]) == (3600, 7200)
    assert resolution["mean"] == pytest.approx(3600)


def test_first_response_prefers_the_timestamp_then_seconds_then_minutes(tmp_path: Path) -> None:
    # docs/metrics.md: first_response_at - created_at, else first_response_seconds (then
    # first_response_minutes x 60). Rows carry conflicting columns to pin the order.
    rows = [
        {"conversation_id": "a", "created_at": "2026-11-03T10:00:00Z",
         "first_response_at": "2026-11-03T10:10:00Z", "first_response_seconds": 60,
         "first_response_minutes": 1},  # 600 s from the timestamps
        {"conversation_id": "b", "created_at": "2026-11-03T10:00:00Z", "first_response_at": "",
         "first_response_seconds": 90, "first_response_minutes": 5},  # 90 s
        {"conversation_id": "c", "created_at": "2026-11-03T10:00:00Z", "first_response_at": "",
         "first_response_seconds": "", "first_response_minutes": 20},  # 1200 s
    ]  # fmt: skip
    frt = stats(report_for(write_csv(tmp_path / "c.csv", rows)), "first_response_time")
    assert frt["count"] == 3
    assert (frt["median"], frt["max"]) == (600, 1200)
    assert frt["mean"] == pytest.approx((600 + 90 + 1200) / 3)


def test_without_a_status_column_resolved_at_says_resolved(tmp_path: Path) -> None:
    rows = [
        {"conversation_id": "a", "created_at": "2026-11-03T10:00:00Z",
         "resolved_at": "2026-11-03T12:00:00Z", "reopen_count": 0},
        {"conversation_id": "b", "created_at": "2026-11-04T10:00:00Z", "resolved_at": "",
         "reopen_count": 0},
        {"conversation_id": "c", "created_at": "2026-11-05T10:00:00Z",
         "resolved_at": "2026-11-10T10:00:00Z", "reopen_count": 1},  # resolved after W45
    ]  # fmt: skip
    report = report_for(write_csv(tmp_path / "c.csv", rows))
    resolution = stats(report, "resolution_time")
    assert (resolution["count"], resolution["unresolved"]) == (2, 1)
    assert (resolution["median"], resolution["max"]) == (7200 + (5 * 86400 - 7200) / 2, 5 * 86400)
    assert stats(report, "backlog")["open"] == 2  # b, and c (resolved only after the end)
    fcr = stats(report, "fcr_rate")
    assert (fcr["resolved"], fcr["first_contact_resolved"]) == (2, 1)


def test_zero_second_durations_of_ticket_rows_are_samples(tmp_path: Path) -> None:
    rows = [
        {"conversation_id": "a", "created_at": "2026-11-03T10:00:00Z",
         "first_response_seconds": 0, "bot_first_response_seconds": 0,
         "resolved_at": "2026-11-03T10:00:00Z", "status": "closed"},
        {"conversation_id": "b", "created_at": "2026-11-03T10:00:00Z",
         "first_response_seconds": 600, "bot_first_response_seconds": 4,
         "resolved_at": "2026-11-03T12:00:00Z", "status": "closed"},
    ]  # fmt: skip
    path = write_csv(tmp_path / "c.csv", rows)
    assert load_dataset(path, Config()).timeline.negative_durations == 0
    report = report_for(path)
    frt = stats(report, "first_response_time")
    assert (frt["count"], frt["median"], frt["awaiting_first_response"]) == (2, 300, 0)
    bot = stats(report, "bot_first_response_time")
    assert (bot["count"], bot["mean"], bot["without_bot_response"]) == (2, 2, 0)
    resolution = stats(report, "resolution_time")
    assert (resolution["count"], resolution["mean"], resolution["unresolved"]) == (2, 3600, 0)


def test_a_resolution_exactly_at_the_period_end_is_still_backlog(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 09:00", "customer", channel="email"),
        event("a", "2026-11-09 00:00", "resolved"),  # at the end of W45: not before it
        msg("b", "2026-11-03 09:00", "customer", channel="chat"),
        event("b", "2026-11-04 09:00", "resolved"),
        event("b", "2026-11-09 00:00", "reopened"),  # at the end: b is still resolved then
    ]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows), group_by=("channel",))
    assert stats(report, "backlog")["open"] == 1
    by_channel = {g.key["channel"]: g.current["backlog"]["open"] for g in report.groups}
    assert by_channel == {"email": 1, "chat": 0}  # a open, b resolved at the end


def test_a_ticket_resolved_before_it_was_created_is_counted_as_backwards(tmp_path: Path) -> None:
    rows = [
        {"conversation_id": "a", "created_at": "2026-11-03T10:00:00Z",
         "resolved_at": "2026-11-03T09:00:00Z", "status": "closed"},  # backwards
        {"conversation_id": "b", "created_at": "2026-11-03T10:00:00Z",
         "resolved_at": "2026-11-03T11:00:00Z", "status": "closed"},
    ]  # fmt: skip
    path = write_csv(tmp_path / "c.csv", rows)
    assert load_dataset(path, Config()).timeline.negative_durations == 1
    resolution = stats(report_for(path), "resolution_time")
    assert (resolution["count"], resolution["max"], resolution["unresolved"]) == (1, 3600, 0)


def test_same_second_resolved_then_reopened_is_open_in_the_backlog_too(tmp_path: Path) -> None:
    # Ties keep file order (docs/metrics.md): resolved then reopened in the same second
    # leave the conversation open, for the backlog as for resolution_time.
    rows = [
        msg("a", "2026-11-03 09:00", "customer"),
        msg("a", "2026-11-03 09:30", "agent", agent="Ann"),
        event("a", "2026-11-03 10:00", "resolved"),
        event("a", "2026-11-03 10:00", "reopened"),
    ]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows))
    resolution = stats(report, "resolution_time")
    assert (resolution["count"], resolution["unresolved"]) == (0, 1)
    assert stats(report, "backlog")["open"] == 1


def test_same_second_customer_and_bot_sort_customer_first(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 09:00", "bot"),  # same second, written first: still after t0
        msg("a", "2026-11-02 09:00", "customer"),
        msg("a", "2026-11-02 09:05", "agent", agent="Ann"),
    ]
    report = report_for(write_jsonl(tmp_path / "m.jsonl", rows))
    bot = stats(report, "bot_first_response_time")
    assert (bot["count"], bot["median"], bot["without_bot_response"]) == (1, 0, 0)


def test_an_all_time_report_has_no_previous_stats(tmp_path: Path) -> None:
    # --all has nothing to compare with: empty previous stats, not zero counts.
    path = write_jsonl(tmp_path / "m.jsonl", [msg("a", "2026-11-02 09:00", "customer")])
    config = Config()
    report = build_report(load_dataset(path, config), all_time("UTC"), config)
    assert report.previous_period is None
    assert report.overall.current["volume"]["conversations"] == 1
    assert not any(report.overall.previous.values())


def test_repeated_where_options_on_one_field_add_up() -> None:
    # --where channel=email --where channel=Chat keeps both values (lower-cased).
    assert parse_filters(["channel=email", "channel=Chat", "agent=Ann"]) == {
        "channel": ("email", "chat"),
        "agent": ("Ann",),
    }


def test_bot_first_response_at_wins_over_its_seconds_column(tmp_path: Path) -> None:
    # docs/input.md: the duration columns are used only when the timestamp is missing.
    rows = [
        {"conversation_id": "a", "created_at": "2026-11-03T10:00:00Z",
         "bot_first_response_at": "2026-11-03T10:00:30Z", "bot_first_response_seconds": 999},
    ]  # fmt: skip
    conversations = load_dataset(
        write_csv(tmp_path / "c.csv", rows), Config()
    ).timeline.conversations
    assert conversations["bot_first_response_s"].to_list() == [30]


def test_an_open_ticket_has_no_resolved_at_even_when_the_export_gives_one(tmp_path: Path) -> None:
    # status decides: a reopened ticket may keep its old resolved_at, which must not
    # feed a business-hours recomputation of resolution_time.
    rows = [
        {"conversation_id": "a", "created_at": "2026-11-03T10:00:00Z",
         "resolved_at": "2026-11-03T11:00:00Z", "status": "open"},
    ]  # fmt: skip
    conversations = load_dataset(
        write_csv(tmp_path / "c.csv", rows), Config()
    ).timeline.conversations
    assert conversations.select("is_resolved", "resolved_at", "resolution_s").row(0) == (
        False,
        None,
        None,
    )


def test_ticket_message_counts_are_rounded_each_to_its_own_column(tmp_path: Path) -> None:
    # Exports with averaged or fractional counts: 2.6 rounds to 3, not truncated to 2.
    rows = [{"conversation_id": "a", "created_at": "2026-11-03T10:00:00Z",
             "inbound_messages": 2.6, "outbound_messages": 4.4}]  # fmt: skip
    conversations = load_dataset(
        write_csv(tmp_path / "c.csv", rows), Config()
    ).timeline.conversations
    assert conversations.select("inbound_messages", "outbound_messages").row(0) == (3, 4)


def test_a_blank_reopen_count_is_not_a_reopening(tmp_path: Path) -> None:
    # docs/input.md: above 0 = reopened; an empty cell says nothing, and must not cost FCR.
    rows = [
        {"conversation_id": "a", "created_at": "2026-11-03T10:00:00Z", "reopen_count": "",
         "resolved_at": "2026-11-03T11:00:00Z"},
        {"conversation_id": "b", "created_at": "2026-11-03T10:00:00Z", "reopen_count": 2,
         "resolved_at": "2026-11-03T11:00:00Z"},
    ]  # fmt: skip
    conversations = load_dataset(
        write_csv(tmp_path / "c.csv", rows), Config()
    ).timeline.conversations
    assert conversations["reopened"].to_list() == [False, True]
