"""As-of is a replay, and the previous period is compared like for like (carecli.asof)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from factories import event, msg, quiet, write_csv, write_jsonl
from typer.testing import CliRunner

from carecli import core
from carecli.cli.app import app
from carecli.config.model import Config
from carecli.periods import parse_week
from carecli.report.build import build_report, load_dataset
from carecli.timeline.asof import AsOf, default_as_of

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)  # 2026-W45
CUT = MONDAY + timedelta(days=14 + 3)  # the export: Thursday of the week after W46


def _week(monday: datetime) -> list[dict[str, Any]]:
    """Ten conversations whose answers, resolutions and ratings come hours to days later."""
    rows: list[dict[str, Any]] = []
    for i in range(10):
        cid = f"{monday:%m%d}-{i}"
        t0 = monday + timedelta(days=i % 7, hours=9 + i)

        def at(t0: datetime = t0, **delta: float) -> str:
            return (t0 + timedelta(**delta)).isoformat()

        channel = "email" if i % 2 else "chat"
        rows.append(msg(cid, at(), "customer", channel=channel))
        rows.append(msg(cid, at(seconds=20), "bot"))
        rows.append(msg(cid, at(hours=1 + 7 * i), "agent", agent="Ann", talk_seconds=60 * i))
        rows.append(msg(cid, at(hours=2 + 7 * i), "customer"))
        rows.append(msg(cid, at(hours=3 + 9 * i), "agent", agent="Ann"))
        if i % 3 == 0:
            rows.append(event(cid, at(hours=4 + 9 * i), "escalated"))
        rows.append(event(cid, at(days=1 + i // 2), "resolved"))
        if i % 4 == 1:
            rows.append(event(cid, at(days=2 + i // 2), "reopened"))
            rows.append(event(cid, at(days=3 + i // 2), "resolved"))
        rows.append(event(cid, at(days=2 + i // 2, hours=1), "csat", csat=1 + i % 5))
        rows.append(event(cid, at(days=3 + i // 2, hours=1), "nps", nps=i))
    return rows


@pytest.fixture
def twin_weeks(tmp_path: Path) -> Path:
    """W45 and W46 identical but for the dates; the export is cut on W47's Thursday."""
    rows = _week(MONDAY) + _week(MONDAY + timedelta(days=7))
    rows = [r for r in rows if datetime.fromisoformat(r["timestamp"]) < CUT]
    rows.append(msg("late", CUT.isoformat(), "customer"))  # the export's last event
    return write_jsonl(tmp_path / "twins.jsonl", rows)


def _changes(current: dict[str, dict], previous: dict[str, dict]) -> dict[str, Any]:
    return {
        f"{metric}.{stat}": (value, previous[metric].get(stat))
        for metric, stats in current.items()
        for stat, value in stats.items()
        if value != previous[metric].get(stat)
    }


def test_identical_weeks_compare_as_identical_like_for_like(twin_weeks: Path) -> None:
    config = Config()
    dataset = load_dataset(twin_weeks, config)
    week = parse_week("2026-W46", "UTC", CUT)
    report = build_report(dataset, week, config, group_by=("channel",))
    assert report.as_of.source == "data"
    assert report.previous_as_of == report.as_of.utc - timedelta(days=7)
    # Every per-conversation statistic is equal; the backlog is a state at the period end.
    changes = _changes(report.overall.current, report.overall.previous)
    assert set(changes) <= {"backlog.open"}
    for group in report.groups:
        assert set(_changes(group.current, group.previous)) <= {"backlog.open"}
    assert report.explained == {}
    # The plain comparison judges W45 with everything it has now: W46 looks faster only
    # because its slow conversations are not resolved or rated yet.
    plain = build_report(dataset, week, config, comparison="plain")
    changes = _changes(plain.overall.current, plain.overall.previous)
    for moved in ("resolution_time.count", "csat.count", "nps.count", "fcr_rate.resolved"):
        assert moved in changes
    now, before = plain.overall.current, plain.overall.previous
    assert now["resolution_time"]["count"] < before["resolution_time"]["count"]
    assert now["resolution_time"]["mean"] < before["resolution_time"]["mean"]


def test_as_of_ignores_every_later_event(twin_weeks: Path, tmp_path: Path) -> None:
    """The previous week as of T equals a report on the file cut at T: a replay."""
    config = Config()
    moment = CUT - timedelta(days=7, hours=5)
    rows = [json.loads(line) for line in twin_weeks.read_text().splitlines()]
    cut = [r for r in rows if datetime.fromisoformat(r["timestamp"]) < moment]
    truncated = load_dataset(write_jsonl(tmp_path / "cut.jsonl", cut), config)
    everything = load_dataset(twin_weeks, config)
    week = parse_week("2026-W45", "UTC", CUT)
    replayed = build_report(everything, week, config, as_of=moment)
    exported = build_report(truncated, week, config, as_of=moment)
    assert replayed.overall.current == exported.overall.current
    # Without the as-of, the same week has later answers, resolutions and ratings.
    assert build_report(everything, week, config).overall.current != replayed.overall.current


def test_ticket_rows_are_replayed_by_their_times(tmp_path: Path) -> None:
    rows = [
        {"conversation_id": "a", "created_at": "2026-11-02T09:00:00Z",
         "first_response_at": "2026-11-02T10:00:00Z", "resolved_at": "2026-11-04T09:00:00Z",
         "status": "resolved"},
        {"conversation_id": "b", "created_at": "2026-11-02T09:00:00Z",
         "first_response_seconds": 7200, "status": "open"},
        {"conversation_id": "c", "created_at": "2026-11-03T12:00:00Z", "status": "open"},
    ]  # fmt: skip
    config = Config()
    dataset = load_dataset(write_csv(tmp_path / "t.csv", rows), config)
    week = parse_week("2026-W45", "UTC", CUT)
    at = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
    stats = build_report(dataset, week, config, as_of=at).overall.current
    assert stats["volume"]["conversations"] == 2  # c does not exist yet
    assert stats["first_response_time"]["count"] == 1  # b answers at 11:00 (created + 2h)
    assert stats["first_response_time"]["awaiting_first_response"] == 1
    assert stats["resolution_time"]["unresolved"] == 2
    assert stats["backlog"]["open"] == 2  # state at the as-of, inside the week
    later = build_report(dataset, week, config, as_of=at + timedelta(days=3)).overall.current
    assert later["resolution_time"]["median"] == 2 * 86400
    assert later["first_response_time"]["median"] == 5400


def test_default_as_of_is_the_end_of_the_data_unless_it_is_live(twin_weeks: Path) -> None:
    timeline = load_dataset(twin_weeks, Config()).timeline
    end = CUT + timedelta(seconds=1)
    assert default_as_of(timeline, CUT + timedelta(days=90)) == AsOf(end, "data")
    assert default_as_of(timeline, CUT + timedelta(minutes=30)) == AsOf(
        CUT + timedelta(minutes=30), "now"
    )
    # Events after the wall clock (a skewed clock): the default never drops them.
    assert default_as_of(timeline, CUT - timedelta(days=1)) == AsOf(end, "data")


class _Clock(datetime):
    """datetime whose now() is a chosen moment: the wall clock of a later rerun."""

    moment = CUT

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return cls.moment if tz is None else cls.moment.astimezone(tz)


SLAS = """
slas:
  - {name: Answer within 2h, metric: first_response_time, attainment: 2h, fail: 80%}
  - {name: Resolved median 2d, metric: resolution_time, statistic: median, fail: 2d}
  - {name: Backlog, metric: backlog, fail: 3}
"""


@pytest.mark.parametrize("command", ["report", "check"])
def test_a_rerun_months_later_gives_the_same_output(
    twin_weeks: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(SLAS)
    args = [command, "--week", "--data", str(twin_weeks), "--config", str(config), "-f", "json"]
    monkeypatch.setattr(core, "datetime", _Clock)
    outputs = []
    for later in (timedelta(hours=3), timedelta(days=120)):
        _Clock.moment = CUT + later
        result = CliRunner().invoke(app, args)
        assert result.exit_code in (0, 1), result.stderr
        assert quiet(result.stderr) == "", result.stderr
        document = json.loads(result.stdout)
        document.pop("generated_at", None)
        outputs.append(json.dumps(document, sort_keys=True))
    assert outputs[0] == outputs[1]
    document = json.loads(outputs[0])
    assert document["period"]["label"] == "2026-W46"  # the last complete week at the export
    assert document["as_of"] == "2026-11-19T00:00:01+00:00"


def test_a_bare_week_counts_from_the_end_of_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export whose last event is Friday evening, read Monday morning or months later,
    reports that week: it was taken after the quiet weekend (EXPORT_GRACE)."""
    friday = datetime(2026, 11, 20, 18, tzinfo=UTC)
    rows = [msg("a", "2026-11-16 09:00", "customer"), msg("a", friday.isoformat(), "agent")]
    data = write_jsonl(tmp_path / "friday.jsonl", rows)
    monkeypatch.setattr(core, "datetime", _Clock)
    for later in (timedelta(days=2, hours=14), timedelta(days=120)):
        _Clock.moment = friday + later
        result = CliRunner().invoke(app, ["report", "--week", "--data", str(data)])
        assert result.exit_code == 0, result.stderr
        assert "carecli · 2026-W47" in result.stdout
        assert "2026-W47 is in progress at the as-of moment" in result.stdout
        assert result.stderr.startswith("carecli: as of 2026-11-20 18:00:01 UTC, the end of")
    # The same export read on Friday night: W47 has not ended, the last complete is W46.
    _Clock.moment = friday + timedelta(hours=3)
    result = CliRunner().invoke(app, ["report", "--week", "--data", str(data)])
    assert "carecli · 2026-W46" in result.stdout


def test_plain_comparison_and_a_bad_value_on_the_command_line(twin_weeks: Path) -> None:
    base = ["report", "--week", "2026-W46", "--data", str(twin_weeks), "-f", "json"]
    plain = json.loads(CliRunner().invoke(app, [*base, "--comparison", "plain"]).stdout)
    assert plain["comparison"] == "plain"
    assert plain["previous_as_of"] == plain["as_of"]
    bad = CliRunner().invoke(app, [*base, "--comparison", "fair"])
    assert bad.exit_code == 2
    assert "--comparison 'fair': use like-for-like or plain" in bad.stderr
