"""stats.py: one parallel run for several periods and groupings gives what separate runs give.

The weekly trend relies on it: its point for the report's week must equal the report.
Hand-computed metric values are in test_metrics.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from factories import event, msg, write_jsonl

from carecli.config.files import load_config
from carecli.metrics.registry import METRICS
from carecli.periods import parse_week
from carecli.report.build import load_dataset
from carecli.report.stats import compute_stats, compute_stats_by, filter_timeline
from carecli.timeline.frames import KEY

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "messages.jsonl"


def test_several_periods_and_groupings_at_once_equal_one_at_a_time() -> None:
    config = load_config(None)
    timeline = load_dataset(SAMPLE, config).timeline
    now = datetime(2026, 11, 23, tzinfo=UTC)
    weeks = [parse_week(w, "UTC", now) for w in ("2026-W45", "2026-W46", "2026-W47")]
    key_sets = [(), ("channel",), ("channel", "priority")]
    names = list(METRICS)
    together = compute_stats_by(timeline, weeks, key_sets, names, config)
    assert len(together) == 3 and all(len(per_week) == 3 for per_week in together)
    for week, per_week in zip(weeks, together, strict=True):
        for keys, stats in zip(key_sets, per_week, strict=True):
            assert stats == compute_stats(timeline, week, keys, names, config)
    assert together[2][0][()]["volume"]["conversations"] > 0


def test_a_filtered_timeline_keeps_only_matching_conversations_turns_and_status() -> None:
    timeline = load_dataset(SAMPLE, load_config(None)).timeline
    email = filter_timeline(timeline, {"channel": ["email"]})
    assert set(email.conversations["channel"].unique().to_list()) == {"email"}
    ids = set(email.conversations["conversation_id"].to_list())
    keys = set(email.conversations[KEY].to_list())
    assert email.turns is not None and set(email.turns[KEY].to_list()) <= keys
    assert set(email.status["conversation_id"].to_list()) <= ids
    assert 0 < email.conversations.height < timeline.conversations.height


def test_filter_timeline_filters_every_frame_on_every_filter(tmp_path: Path) -> None:
    """stats.filter_timeline: status (or turns) not filtered; `keep & is_in` -> only the last
    filter applied."""
    from carecli.config.model import Config
    from carecli.report.stats import filter_timeline

    rows = [
        msg("e1", "2026-11-02 09:00", "customer", channel="email", topic="billing"),
        msg("e1", "2026-11-02 09:10", "agent", agent="Ann", channel="email"),
        event("e1", "2026-11-02 10:00", "resolved"),
        msg("e2", "2026-11-02 09:00", "customer", channel="email", topic="login"),
        msg("e2", "2026-11-02 09:20", "agent", agent="Ann", channel="email"),
        event("e2", "2026-11-02 10:00", "resolved"),
        msg("c1", "2026-11-02 09:00", "customer", channel="chat", topic="billing"),
        msg("c1", "2026-11-02 09:30", "agent", agent="Bo", channel="chat"),
        event("c1", "2026-11-02 10:00", "resolved"),
    ]
    timeline = load_dataset(write_jsonl(tmp_path / "f.jsonl", rows), Config()).timeline
    only = filter_timeline(timeline, {"channel": ("email",), "topic": ("billing",)})
    assert only.conversations["conversation_id"].to_list() == ["e1"]
    assert only.status.height == 1
    assert only.turns is not None and only.turns.height == 1
