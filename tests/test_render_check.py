"""SLA outcomes as text: thresholds, actual values and breach values, worked out by hand.

`outcomes()` is also used by test_render_junit.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from factories import NOW, event, msg, write_jsonl

from carecli.config.model import Config, parse_config
from carecli.periods import parse_week
from carecli.render.check import actual_text, breach_value, render_table, threshold_text
from carecli.report.build import load_dataset
from carecli.sla.evaluate import Outcome, evaluate

# W45: two emails answered after 5 and 7 min (median 6 min), no chat, no resolved events.
SLAS = """
slas:
  - {name: Email median, metric: first_response_time, statistic: median,
     where: {channel: email}, warn: 4m, fail: 10m}
  - {name: Chat p90, metric: first_response_time, statistic: p90, where: {channel: chat},
     fail: 1m}
  - {name: Answered in 1d, metric: first_response_time, attainment: 1d, fail: 90%}
  - {name: Queue, metric: backlog, warn: 5}
"""


def outcomes(tmp_path: Path, slas: str = SLAS) -> list[Outcome]:
    rows = [
        msg("a", "2026-11-03 09:00", "customer", channel="email"),
        msg("a", "2026-11-03 09:05", "agent", channel="email"),
        msg("b", "2026-11-04 09:00", "customer", channel="email"),
        msg("b", "2026-11-04 09:07", "agent", channel="email"),
    ]
    config = parse_config(slas)
    dataset = load_dataset(write_jsonl(tmp_path / "sla.jsonl", rows), config)
    period = parse_week("2026-W45", "UTC", NOW)
    return evaluate(dataset.timeline, config.slas, period, config, NOW)


def test_thresholds_read_as_written(tmp_path: Path) -> None:
    # Times are at most a level and shown as people write them (10m, 1d, not 10m 00s);
    # attainment is at least a share; a target with only a warn level says so.
    found = [(o.status, actual_text(o), threshold_text(o)) for o in outcomes(tmp_path)]
    assert found == [
        ("warn", "6m 00s", "median ≤ 10m (warn 4m)"),
        ("no_data", "—", "p90 ≤ 1m"),
        ("pass", "100.0%", "≥ 90.0% in 1d"),
        ("no_data", "—", "≤ 5 (warn only)"),  # no resolved events: no backlog
    ]


def test_the_table_shows_the_status_line_and_each_threshold(tmp_path: Path) -> None:
    period = parse_week("2026-W45", "UTC", NOW)
    email, *others = outcomes(tmp_path)
    text = render_table([replace(email, pending=3), *others], period, width=120)
    assert text.splitlines()[0].strip() == "SLA targets · 2026-W45 · WARN"
    lines = [" ".join(line.split()) for line in text.splitlines()]
    email_row = lines.index("Email median email 6m 00s median ≤ 10m WARN 0")
    # The second line of the row: the warn level, and the conversations still waiting.
    assert lines[email_row + 1] == "(warn 4m) 3 pending"
    assert "Chat p90 chat — p90 ≤ 1m no data 0" in lines


def test_rating_breaches_show_the_rating_not_a_duration(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-03 09:00", "customer"),
        msg("a", "2026-11-03 09:05", "agent"),
        event("a", "2026-11-03 10:00", "csat", csat=2),
    ]
    config = parse_config("slas:\n  - {name: CSAT, metric: csat, fail: 90%}\n")
    dataset = load_dataset(write_jsonl(tmp_path / "csat.jsonl", rows), config)
    period = parse_week("2026-W45", "UTC", NOW)
    (outcome,) = evaluate(dataset.timeline, config.slas, period, Config(), NOW)
    (row,) = outcome.worst.to_dicts()
    assert breach_value(outcome, row) == "2"  # a rating of 2, not "2s"


def test_warn_level_breaches_are_listed_too(tmp_path: Path) -> None:
    # A warn-only target breached by b (7 min > 6 min): its worst conversations are listed.
    slas = "slas:\n  - {name: Slow, metric: first_response_time, statistic: max, warn: 6m}\n"
    (slow,) = outcomes(tmp_path, slas)
    period = parse_week("2026-W45", "UTC", NOW)
    text = render_table([slow], period, list_breaches=5, width=120)
    assert slow.status == "warn"
    assert "Worst 1 of 1: Slow (all)" in text
    assert " ".join(text.split()).endswith("b email (none) 7m 00s")
