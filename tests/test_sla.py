"""SLA evaluation against hand-computed cases (week 2026-W45 = Mon 2 Nov to Mon 9 Nov)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from factories import event, msg, write_csv, write_jsonl

from carecli.config.model import Config, parse_config
from carecli.config.targets import Levels
from carecli.exit_codes import ExitCode
from carecli.periods import parse_week
from carecli.report.build import load_dataset
from carecli.report.quality import assess
from carecli.sla.evaluate import Outcome, evaluate, exit_code, overall_status, status_of

AS_OF = datetime.fromisoformat("2026-11-05T12:00:00+00:00")
AFTER_WEEK = datetime.fromisoformat("2026-11-10T00:00:00+00:00")  # W45 is over
ALWAYS_OPEN = "calendars:\n  always:\n    hours: 24/7\n"


def run(path: Path, slas_yaml: str, as_of: datetime = AS_OF, calendars: str = "") -> list[Outcome]:
    config = parse_config(calendars + "slas:\n" + slas_yaml)
    dataset = load_dataset(path, config)
    return evaluate(
        dataset.timeline, config.slas, parse_week("2026-W45", "UTC", as_of), config, as_of
    )


def _frt_rows() -> list[dict]:
    """Answered in 10, 20, 30, 90 minutes; one unanswered for 3 h; one for 30 min."""
    rows = []
    for cid, minutes, channel in (("a", 10, "email"), ("b", 20, "chat"), ("c", 30, "email"),
                                  ("d", 90, "twitter")):  # fmt: skip
        rows.append(msg(cid, "2026-11-03 09:00", "customer", channel=channel))
        rows.append(msg(cid, f"2026-11-03 {9 + minutes // 60:02d}:{minutes % 60:02d}", "agent",
                        agent="Ann"))  # fmt: skip
    rows.append(msg("old", "2026-11-05 09:00", "customer", channel="twitter"))  # 3 h at AS_OF
    rows.append(msg("new", "2026-11-05 11:30", "customer", channel="twitter"))  # 30 min
    return rows


def test_statistic_with_warn_and_fail_levels(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", _frt_rows())
    (outcome,) = run(path, "  - {name: mean, metric: first_response_time, statistic: mean,"
                           " warn: 30m, fail: 2h}\n")  # fmt: skip
    # Samples: 10, 20, 30, 90 min answered + "old" unanswered for 180 min (older than the
    # 30 min warn level: breached); "new" (30 min, not older than 30 min) is pending.
    assert outcome.samples == 5
    assert outcome.pending == 1
    assert outcome.actual == pytest.approx((10 + 20 + 30 + 90 + 180) * 60 / 5)  # 66 min
    assert outcome.status == "warn"
    assert outcome.breached == 1  # only "old" (180 min) is beyond the 2 h fail level
    assert outcome.worst["conversation_id"].to_list() == ["old"]


def test_attainment_counts_old_unanswered_as_breached_and_young_as_pending(
    tmp_path: Path,
) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", _frt_rows())
    (outcome,) = run(path, "  - {name: in 1h, metric: first_response_time, attainment: 1h,"
                           " fail: 79%, warn: 90%}\n")  # fmt: skip
    # Within 1 h: a, b, c. Breached: d (90 min), old (unanswered 3 h). Pending: new.
    assert (outcome.samples, outcome.breached, outcome.pending) == (5, 2, 1)
    assert outcome.actual == pytest.approx(3 / 5)
    assert outcome.status == "fail"
    assert outcome.worst["conversation_id"].to_list() == ["old", "d"]  # worst first


def test_the_same_week_evaluated_later_has_no_pending(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", _frt_rows())
    later = datetime.fromisoformat("2026-11-10T00:00:00+00:00")
    (outcome,) = run(path, "  - {name: in 1h, metric: first_response_time, attainment: 1h,"
                           " fail: 50%}\n", as_of=later)  # fmt: skip
    assert (outcome.samples, outcome.breached, outcome.pending) == (6, 3, 0)
    assert outcome.actual == pytest.approx(3 / 6)
    assert outcome.status == "pass"  # 50 % is not below the 50 % fail level


def test_where_filter_and_per_channel_map(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", _frt_rows())
    outcomes = run(
        path,
        "  - name: social\n    metric: first_response_time\n    statistic: max\n"
        "    where: {channel: Twitter}\n    fail: 1h\n"
        "  - name: by channel\n    metric: first_response_time\n    statistic: median\n"
        "    per: channel\n    fail: {email: 15m, chat: 1h}\n",
    )
    social, chat, email = outcomes  # twitter has no threshold and no default: not evaluated
    assert social.actual == 180 * 60  # "old", unanswered, counts with its age
    assert social.status == "fail"
    assert social.scope_label == "channel=twitter"
    assert (chat.scope, chat.actual, chat.status) == ({"channel": "chat"}, 1200, "pass")
    assert (email.scope, email.actual, email.status) == ({"channel": "email"}, 1200, "fail")
    assert email.breached == 1  # c: 30 min > 15 min


def test_per_map_with_default_covers_every_channel(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", _frt_rows())
    outcomes = run(path, "  - {name: x, metric: first_response_time, statistic: max, per: channel,"
                         " fail: {default: 1h, email: 40m}}\n")  # fmt: skip
    assert [o.scope["channel"] for o in outcomes] == ["chat", "email", "twitter"]
    assert [o.status for o in outcomes] == ["pass", "pass", "fail"]


def _survey_rows() -> list[dict]:
    rows = []
    for i, (csat, nps) in enumerate([(5, 10), (4, 9), (2, 3), (5, 6), (1, None)]):
        cid = f"s{i}"
        rows.append(msg(cid, "2026-11-03 09:00", "customer"))
        rows.append(msg(cid, "2026-11-03 09:05", "agent", agent="Ann"))
        rows.append(event(cid, "2026-11-03 10:00", "resolved"))
        rows.append(event(cid, "2026-11-03 11:00", "csat", csat=csat))
        if nps is not None:
            rows.append(event(cid, "2026-11-03 11:00", "nps", nps=nps))
    rows.append(event("s2", "2026-11-04 08:00", "reopened"))
    rows.append(event("s2", "2026-11-04 09:00", "resolved"))
    return rows


def test_rate_and_score_targets(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", _survey_rows())
    csat, csat_mean, nps, fcr = run(
        path,
        "  - {name: csat, metric: csat, fail: 85%, warn: 90%}\n"
        "  - {name: csat mean, metric: csat, statistic: mean, fail: 3}\n"
        "  - {name: nps, metric: nps, fail: +20}\n"
        "  - {name: fcr, metric: fcr_rate, fail: 70%}\n",
    )
    assert (csat.actual, csat.status, csat.breached) == (pytest.approx(0.6), "fail", 2)
    assert sorted(csat.worst["value"].to_list()) == [1, 2]
    assert (csat_mean.actual, csat_mean.status) == (pytest.approx(17 / 5), "pass")
    assert nps.actual == pytest.approx(100 * (2 - 2) / 4)
    assert (nps.status, nps.breached) == ("fail", 2)
    assert (fcr.actual, fcr.status) == (pytest.approx(4 / 5), "pass")
    assert fcr.worst["conversation_id"].to_list() == ["s2"]


def test_backlog_aht_and_volume(tmp_path: Path) -> None:
    rows = [
        {"conversation_id": f"p{i}", "created_at": f"2026-11-0{3 + i}T10:00:00Z",
         "status": "open" if i < 2 else "resolved", "channel": "phone",
         "talk_seconds": 300 * (i + 1), "hold_seconds": 0, "after_work_seconds": 60}
        for i in range(3)
    ]  # fmt: skip
    path = write_csv(tmp_path / "c.csv", rows)
    backlog, aht, volume = run(
        path,
        "  - {name: backlog, metric: backlog, warn: 1, fail: 5}\n"
        "  - {name: aht, metric: aht, fail: 10m}\n"
        "  - {name: volume, metric: volume, direction: at_least, fail: 5}\n",
    )
    assert (backlog.actual, backlog.status, backlog.breached) == (2, "warn", 2)
    # Oldest open first; the age is counted to the as-of moment (Thu 5 Nov 12:00), as the
    # week is still in progress then (it would be the period end for a complete week).
    assert backlog.worst["conversation_id"].to_list() == ["p0", "p1"]
    assert backlog.worst["value"][0] == pytest.approx(50 * 3600)
    assert aht.actual == pytest.approx((360 + 660 + 960) / 3)  # 11 min > 10 min
    assert (aht.status, aht.breached) == ("fail", 2)
    assert (volume.actual, volume.status) == (3, "fail")


def test_no_data_is_not_a_breach(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", [msg("a", "2026-11-03 09:00", "customer")])
    (outcome,) = run(path, "  - {name: csat, metric: csat, fail: 85%}\n")
    assert outcome.status == "no_data"
    assert exit_code([outcome]) == ExitCode.OK


def test_status_levels_and_exit_codes() -> None:
    assert status_of(50, Levels(warn=30, fail=60), "at_most") == "warn"
    assert status_of(61, Levels(warn=30, fail=60), "at_most") == "fail"
    assert status_of(60, Levels(warn=30, fail=60), "at_most") == "warn"  # at the limit: holds
    assert status_of(30, Levels(warn=30, fail=60), "at_most") == "pass"
    assert status_of(0.84, Levels(warn=0.9, fail=0.85), "at_least") == "fail"
    assert status_of(0.85, Levels(warn=0.9, fail=0.85), "at_least") == "warn"
    assert status_of(0.95, Levels(warn=None, fail=0.85), "at_least") == "pass"
    assert status_of(None, Levels(fail=1), "at_most") == "no_data"


def test_warn_only_exits_zero_unless_strict(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", _frt_rows())
    outcomes = run(path, "  - {name: w, metric: first_response_time, statistic: max, warn: 1h}\n")
    assert overall_status(outcomes) == "warn"
    assert exit_code(outcomes) == ExitCode.OK
    assert exit_code(outcomes, strict=True) == ExitCode.SLA_BREACH
    failing = run(path, "  - {name: f, metric: first_response_time, statistic: max, fail: 1h}\n")
    assert exit_code(failing) == ExitCode.SLA_BREACH


def test_reply_time_waiting_turns(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-05 08:00", "customer"),
        msg("a", "2026-11-05 08:20", "agent", agent="Ann"),  # 20 min
        msg("a", "2026-11-05 10:00", "customer"),  # waiting 2 h at AS_OF: breached
        msg("b", "2026-11-05 11:50", "customer"),  # waiting 10 min: pending
    ]
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    (outcome,) = run(path, "  - {name: r, metric: reply_time, attainment: 30m, fail: 90%}\n")
    assert (outcome.samples, outcome.breached, outcome.pending) == (2, 1, 1)
    assert outcome.actual == pytest.approx(0.5)
    # Turns carry conversation numbers: the breach is listed under its conversation's id.
    assert outcome.worst["conversation_id"].to_list() == ["a"]


def test_config_without_slas_evaluates_nothing(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", _frt_rows())
    dataset = load_dataset(path, Config())
    period = parse_week("2026-W45", "UTC", AS_OF)
    assert evaluate(dataset.timeline, (), period, Config(), AS_OF) == []


def test_fcr_breaches_say_why(tmp_path: Path) -> None:
    from carecli.render.check import breach_value

    path = write_jsonl(tmp_path / "m.jsonl", _survey_rows())
    (fcr,) = run(path, "  - {name: fcr, metric: fcr_rate, fail: 90%}\n")
    (row,) = fcr.worst.to_dicts()
    assert (row["conversation_id"], row["reason"]) == ("s2", "reopened")
    assert breach_value(fcr, row) == "reopened"


def test_a_target_on_a_metric_the_input_lacks_is_no_data(tmp_path: Path) -> None:
    # Messages without any resolved event: resolution, backlog and FCR are not available.
    # Measured anyway, every conversation would be unresolved, "breached" and open.
    path = write_jsonl(tmp_path / "m.jsonl", _frt_rows())
    outcomes = run(
        path,
        "  - {name: resolved in 1d, metric: resolution_time, attainment: 1d, fail: 90%}\n"
        "  - {name: backlog, metric: backlog, fail: 1}\n"
        "  - {name: fcr, metric: fcr_rate, per: channel, fail: {email: 80%, default: 70%}}\n"
        "  - {name: frt, metric: first_response_time, statistic: max, fail: 4h}\n",
    )
    *missing, frt = outcomes
    assert [o.target.name for o in missing] == ["resolved in 1d", "backlog", "fcr"]
    for outcome in missing:
        assert (outcome.status, outcome.samples, outcome.breached) == ("no_data", 0, 0)
        assert outcome.actual is None and outcome.scope == {}
        assert outcome.unavailable == "the input has no resolution events (event: resolved)"
    assert missing[2].levels.fail == pytest.approx(0.7)  # the default level is shown
    assert frt.status == "pass" and frt.unavailable is None
    assert exit_code(outcomes) == ExitCode.OK


def test_a_calendar_target_does_not_remeasure_a_resolution_that_was_reopened(
    tmp_path: Path,
) -> None:
    rows = [
        msg("c2", "2026-11-03 09:00", "customer"),
        event("c2", "2026-11-03 10:00", "resolved"),  # 1 h: within 2 h
        msg("c3", "2026-11-03 09:00", "customer"),
        event("c3", "2026-11-03 09:30", "resolved"),
        event("c3", "2026-11-03 09:40", "reopened"),  # open: waiting since 09:00
    ]
    (outcome,) = run(
        write_jsonl(tmp_path / "m.jsonl", rows),
        "  - {name: r, metric: resolution_time, attainment: 2h, fail: 90%, calendar: always}\n",
        AFTER_WEEK,
        ALWAYS_OPEN,
    )
    # c3 is unresolved and 6 d 15 h old at as_of: breached with its age, not pending at 30 min.
    assert (outcome.samples, outcome.breached, outcome.pending) == (2, 1, 0)
    assert outcome.actual == pytest.approx(0.5)
    assert outcome.worst.select("conversation_id", "value").rows() == [
        ("c3", 6 * 86400 + 15 * 3600)
    ]


def test_a_response_exactly_at_the_attainment_limit_is_within(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-03 09:00", "customer"),
        msg("a", "2026-11-03 10:00", "agent", agent="Ann"),  # exactly 1 h: within
        msg("b", "2026-11-03 09:00", "customer"),
        msg("b", "2026-11-03 10:00:01", "agent", agent="Ann"),  # 1 h 1 s: breached
    ]
    (outcome,) = run(
        write_jsonl(tmp_path / "m.jsonl", rows),
        "  - {name: in 1h, metric: first_response_time, attainment: 1h, fail: 50%}\n",
        AFTER_WEEK,
    )
    assert (outcome.samples, outcome.breached) == (2, 1)
    assert outcome.actual == pytest.approx(0.5)
    assert outcome.status == "pass"  # 50 % is not below the 50 % fail level
    assert outcome.worst["conversation_id"].to_list() == ["b"]


def test_a_24_7_calendar_target_agrees_with_calendar_time_on_a_backwards_resolution(
    tmp_path: Path,
) -> None:
    # docs/business-hours.md: a 24/7 calendar measures exactly calendar time. c1's resolution
    # precedes its start: that time is left out (docs/data-quality.md), so c1 is no sample
    # with or without the calendar (it was re-measured as backwards with it, and breached
    # with its age as "still waiting" without).
    rows = [
        event("c1", "2026-11-03 08:00", "resolved"),
        msg("c1", "2026-11-03 09:00", "customer"),
        msg("c2", "2026-11-03 09:00", "customer"),
        event("c2", "2026-11-03 10:00", "resolved"),
    ]
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    outcomes = {}
    for name, extra in (("plain", ""), ("always", ", calendar: always")):
        target = f"  - {{name: r, metric: resolution_time, attainment: 2h, fail: 90%{extra}}}\n"
        (outcome,) = run(path, target, AFTER_WEEK, ALWAYS_OPEN)
        outcomes[name] = (outcome.actual, outcome.samples, outcome.breached, outcome.pending)
    assert outcomes["always"] == outcomes["plain"]
    assert outcomes["plain"] == (1.0, 1, 0, 0)  # c2 alone: resolved within 2 h


def test_a_duration_exactly_at_the_fail_level_is_not_breached(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-03 09:00", "customer"),
        msg("a", "2026-11-03 10:00", "agent", agent="Ann"),  # 3600 s: at the fail level
        msg("b", "2026-11-03 09:00", "customer"),
        msg("b", "2026-11-03 09:30", "agent", agent="Ann"),  # 1800 s
        msg("c", "2026-11-03 09:00", "customer"),
        msg("c", "2026-11-03 10:00:01", "agent", agent="Ann"),  # 3601 s: beyond it
    ]
    (outcome,) = run(
        write_jsonl(tmp_path / "m.jsonl", rows),
        "  - {name: med, metric: first_response_time, statistic: median, fail: 1h}\n",
        AFTER_WEEK,
    )
    assert (outcome.actual, outcome.status) == (3600, "pass")  # median at the level: pass
    assert (outcome.samples, outcome.breached) == (3, 1)
    assert outcome.worst["conversation_id"].to_list() == ["c"]


def test_a_waiting_conversation_past_warn_but_not_fail_is_a_sample(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-05 09:00", "customer"),
        msg("a", "2026-11-05 09:10", "agent", agent="Ann"),  # 600 s
        msg("w", "2026-11-05 11:00", "customer"),  # unanswered: 1 h old at 12:00
    ]
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    (outcome,) = run(
        path,
        "  - {name: mean, metric: first_response_time, statistic: mean, warn: 30m, fail: 2h}\n",
        as_of=AS_OF,
    )
    # docs/sla.md: older than the strictest level (warn, 30 min): breached with its age.
    assert (outcome.samples, outcome.pending) == (2, 0)
    assert outcome.actual == pytest.approx((600 + 3600) / 2)
    assert outcome.status == "warn"


def test_an_empty_backlog_is_zero_not_no_data(tmp_path: Path) -> None:
    rows = [
        {"conversation_id": "p0", "created_at": "2026-11-03T10:00:00Z", "status": "resolved"},
    ]
    path = write_csv(tmp_path / "c.csv", rows)
    backlog, volume = run(
        path,
        "  - {name: backlog, metric: backlog, warn: 1, fail: 5}\n"
        "  - {name: volume, metric: volume, direction: at_least, fail: 5,"
        " where: {channel: [email]}}\n",
        AFTER_WEEK,
    )
    assert (backlog.actual, backlog.status, backlog.samples) == (0, "pass", 0)
    assert (volume.actual, volume.status, volume.samples) == (0, "fail", 0)


def test_a_response_or_resolution_done_without_a_time_is_neither_sample_nor_waiting(
    tmp_path: Path,
) -> None:
    # Ticket rows with durations only (as the Zendesk preset reads them): k2's negative and
    # k3's NaN response times are left out, but k2 and k3 were answered: not waiting, so
    # not breached with their age. k4 has no response: older than 1 h, breached. k1: 10 min.
    rows = [
        {"conversation_id": "k1", "created_at": "2026-11-03T09:00:00Z", "resolved_at": "",
         "first_response_seconds": 600, "status": "solved"},
        {"conversation_id": "k2", "created_at": "2026-11-03T09:00:00Z", "resolved_at": "",
         "first_response_seconds": -60, "status": "solved"},
        {"conversation_id": "k3", "created_at": "2026-11-03T09:00:00Z", "resolved_at": "",
         "first_response_seconds": "NaN", "status": "open"},
        {"conversation_id": "k4", "created_at": "2026-11-03T09:00:00Z", "resolved_at": "",
         "status": "open"},
    ]  # fmt: skip
    config = parse_config(
        "slas:\n"
        "  - {name: frt, metric: first_response_time, attainment: 1h, fail: 50%}\n"
        "  - {name: res, metric: resolution_time, attainment: 1d, fail: 50%}\n"
    )
    # As the CLI does: NaN numbers are left out by the data-quality pass.
    dataset, _ = assess(load_dataset(write_csv(tmp_path / "tickets.csv", rows), config))
    week = parse_week("2026-W45", "UTC", AFTER_WEEK)
    frt, resolution = evaluate(dataset.timeline, config.slas, week, config, AFTER_WEEK)
    assert (frt.samples, frt.breached, frt.pending, frt.actual) == (2, 1, 0, 0.5)
    assert frt.status == "pass"  # a share equal to the fail level holds
    assert frt.worst["conversation_id"].to_list() == ["k4"]
    # k1 and k2 are solved with no resolution time in the export: resolved, so not
    # waiting, and no sample either. k3 and k4 are open for 7 days: both breached.
    assert (resolution.samples, resolution.breached, resolution.pending) == (2, 2, 0)
    assert sorted(resolution.worst["conversation_id"].to_list()) == ["k3", "k4"]
