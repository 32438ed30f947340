"""The terminal table: change arrows and colours, titles, footer and breakdown cells."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from factories import NOW, event, msg, write_jsonl

from carecli.config.model import Config
from carecli.periods import parse_week
from carecli.render import table
from carecli.report.build import Report, build_report, load_dataset

GREEN, RED = re.escape("\x1b[32m"), re.escape("\x1b[31m")


@pytest.fixture
def report(tmp_path: Path) -> Report:
    """W44: one email answered in 10 min. W45: one email answered in 5 min, one unanswered."""
    rows = [
        msg("a", "2026-10-27 09:00", "customer", channel="email"),
        msg("a", "2026-10-27 09:10", "agent", channel="email"),
        msg("b", "2026-11-03 09:00", "customer", channel="email"),
        msg("b", "2026-11-03 09:05", "agent", channel="email"),
        msg("c", "2026-11-04 10:00", "customer", channel="email"),
    ]
    config = Config()
    dataset = load_dataset(write_jsonl(tmp_path / "w45.jsonl", rows), config)
    period = parse_week("2026-W45", "UTC", NOW)
    metrics = ("first_response_time",)
    return build_report(dataset, period, config, ("channel",), metrics, {"channel": ["email"]})


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.lstrip().startswith(start))


def test_changes_have_arrows_and_lower_is_better_colours(report: Report) -> None:
    text = table.render(report, color=True, width=120)
    # The median fell 10 min -> 5 min: down arrow, green. One more conversation awaits
    # its first response (0 -> 1): up arrow, red, as a growing queue is worse.
    assert re.search(rf"{GREEN}\s*▼ -50%", _line(text, "median"))
    assert re.search(rf"{RED}\s*▲ new", _line(text, "awaiting first response"))


def test_title_names_the_filters_and_footer_the_comparison(report: Report) -> None:
    text = table.render(report, width=120)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "carecli ·" in line)  # after the basis
    title = " ".join(" ".join(lines[start : start + 2]).split())  # wrapped at the table's width
    assert title == "carecli · 2026-W45 (2026-11-02 00:00 → 2026-11-09 00:00 UTC) · channel=email"
    assert "Durations: median unless stated; change vs previous period." in text


def test_breakdown_cells_show_the_change_under_the_value(report: Report) -> None:
    breakdown = table.render(report, width=120).split("By channel", 1)[1]
    lines = breakdown.splitlines()
    row = next(i for i, line in enumerate(lines) if line.lstrip().startswith("email"))
    assert lines[row].split() == ["email", "5m", "00s"]
    assert lines[row + 1].strip() == "▼ -50%"


def test_breakdowns_are_split_to_fit_the_terminal(report: Report, tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-03 09:00", "customer", channel="email"),
        event("a", "2026-11-03 10:00", "resolved"),
        event("a", "2026-11-03 11:00", "csat", csat=5),
        event("a", "2026-11-03 11:00", "nps", nps=9),
    ]
    dataset = load_dataset(write_jsonl(tmp_path / "all.jsonl", rows), Config())
    period = parse_week("2026-W45", "UTC", NOW)
    every_metric = build_report(dataset, period, Config(), ("channel",))
    text = table.render(every_metric, width=80)
    shown = [m for m, v in every_metric.overall.current.items() if v["available"]]
    # Every metric but AHT (no handle times) and those of phone and chat queues (email).
    assert len(shown) == 9
    assert text.count("By channel") == 2  # five columns of nine fit 80 characters at once
    assert max(len(line) for line in text.splitlines()) <= 80
