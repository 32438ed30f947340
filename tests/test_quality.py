"""quality.py: what assess finds in a loaded dataset, and which values it leaves out.
(Findings reached through the CLI are in test_bad_inputs.py.)"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from factories import NOW, event, msg, write_jsonl

from carecli.report.build import load_dataset


def _findings(tmp_path: Path, rows: list[dict], now: datetime) -> dict:
    from carecli.config.model import Config
    from carecli.report.quality import assess

    dataset = load_dataset(write_jsonl(tmp_path / "q.jsonl", rows), Config())
    _, findings = assess(dataset, now)
    return {f.kind: f for f in findings}


def test_future_times_bound_status_events_and_first_example(tmp_path: Path) -> None:
    """quality._future: `at > limit` -> `>=`; the status frame left out of the union; the
    example sorted latest first instead of earliest."""
    now = datetime.fromisoformat("2026-11-16T12:00:00+00:00")
    rows = [
        # Exactly one hour after now: within the tolerance, not in the future.
        msg("edge", "2026-11-16 13:00", "customer"),
        # Only a status event (a reopening) lies in the future.
        msg("re", "2026-11-16 09:00", "customer"),
        event("re", "2026-11-16 10:00", "resolved"),
        event("re", "2026-11-20 09:00", "reopened"),
        msg("far", "2026-12-01 08:00", "customer"),
    ]
    future = _findings(tmp_path, rows, now)["future_times"]
    assert future.count == 2
    assert future.example == "conversation re at 2026-11-20 09:00 UTC"
    assert "(latest 2026-12-01 08:00 UTC)" in future.message


def test_early_and_long_bounds_and_the_worst_example(tmp_path: Path) -> None:
    """quality._early: `created_at < 1990` -> `<=`; quality._long: `seconds > 365 days` ->
    `>=`; the example sorted shortest first instead of longest."""
    now = datetime.fromisoformat("2026-11-16T12:00:00+00:00")
    rows = [
        msg("y1990", "1990-01-01 00:00", "customer"),  # exactly 1990: plausible
        msg("y1989", "1989-12-31 23:59", "customer"),
        # 2025 is not a leap year: exactly 365 days is not over a year.
        msg("year", "2025-01-01 00:00", "customer"),
        msg("year", "2026-01-01 00:00", "agent", agent="Ann"),
        msg("d400", "2024-01-01 00:00", "customer"),
        msg("d400", "2025-02-04 00:00", "agent", agent="Ann"),  # 400 days
        msg("d500", "2023-01-01 00:00", "customer"),
        msg("d500", "2024-05-15 00:00", "agent", agent="Ann"),  # 500 days (2024 leap)
    ]
    findings = _findings(tmp_path, rows, now)
    assert findings["early_times"].count == 1
    assert findings["early_times"].example == "conversation y1989 at 1989-12-31 23:59 UTC"
    assert findings["long_durations"].count == 2
    assert findings["long_durations"].example == "conversation d500, 500 days"


def _csv_findings(tmp_path: Path, text: str) -> tuple:
    from carecli.config.model import Config
    from carecli.report.quality import assess

    path = tmp_path / "q.csv"
    path.write_text(text, encoding="utf-8")
    dataset, findings = assess(load_dataset(path, Config()), NOW)
    return dataset, {f.kind: f for f in findings}


def test_non_finite_example_is_the_smallest_id_and_zero_is_not_negative(tmp_path: Path) -> None:
    """quality._first: `ids.min()` -> `ids.max()`; quality._negative: `value < 0` ->
    `value <= 0` (a 0-second first response left out as negative)."""
    dataset, findings = _csv_findings(
        tmp_path,
        "conversation_id,created_at,talk_seconds,first_response_seconds\n"
        "t2,2026-11-03T09:00:00Z,NaN,0\n"
        "t1,2026-11-03T09:00:00Z,inf,0\n"
        "t3,2026-11-03T09:00:00Z,60,0\n",
    )
    assert set(findings) == {"non_finite_numbers"}
    assert findings["non_finite_numbers"].count == 2
    assert findings["non_finite_numbers"].example == "conversation t1"
    assert dataset.timeline.conversations["first_response_s"].to_list() == [0, 0, 0]


def test_a_later_turn_alone_can_be_in_the_future_or_over_a_year(tmp_path: Path) -> None:
    """quality._future and _long: the reply turns left out of the union, or named by the
    wrong conversation (turns carry conversation numbers, not ids)."""
    now = datetime.fromisoformat("2026-11-16T12:00:00+00:00")
    rows = [
        msg("fine", "2026-11-02 09:00", "customer"),
        msg("fine", "2026-11-02 09:05", "agent", agent="Ann"),
        # First response in 5 minutes; the second turn starts in the future.
        msg("late", "2026-11-09 09:00", "customer"),
        msg("late", "2026-11-09 09:05", "agent", agent="Ann"),
        msg("late", "2026-11-20 09:00", "customer"),
        # First response in 5 minutes; the second turn's reply takes 400 days.
        msg("slow", "2024-01-01 00:00", "customer"),
        msg("slow", "2024-01-01 00:05", "agent", agent="Ann"),
        msg("slow", "2024-01-02 00:00", "customer"),
        msg("slow", "2025-02-05 00:00", "agent", agent="Ann"),
    ]
    findings = _findings(tmp_path, rows, now)
    assert findings["future_times"].count == 1
    assert findings["future_times"].example == "conversation late at 2026-11-20 09:00 UTC"
    assert findings["long_durations"].count == 1
    assert findings["long_durations"].example == "conversation slow, 400 days"
