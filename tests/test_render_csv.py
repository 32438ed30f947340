"""The CSV report on a hand-made week: columns, rounding, empty cells and --all."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from factories import NOW, msg, write_jsonl

from carecli.config.model import Config
from carecli.periods import Period, all_time, parse_week
from carecli.render import csv as csv_render
from carecli.report.build import Dataset, build_report, load_dataset


@pytest.fixture
def dataset(tmp_path: Path) -> Dataset:
    """2026-W45: three emails answered after 100, 100 and 101 s (mean 100.333 s)."""
    rows = []
    for cid, seconds in (("a", 100), ("b", 100), ("c", 101)):
        rows.append(msg(cid, "2026-11-03 09:00:00", "customer", channel="email"))
        rows.append(msg(cid, f"2026-11-03 09:01:{seconds - 60:02d}", "agent", channel="email"))
    return load_dataset(write_jsonl(tmp_path / "w45.jsonl", rows), Config())


def _rows(dataset: Dataset, period: Period) -> list[list[str]]:
    report = build_report(dataset, period, Config(), ("channel",), ("first_response_time",))
    return list(csv.reader(io.StringIO(csv_render.render(report))))


def test_rows_overall_then_per_group_with_three_decimals_and_empty_no_value(
    dataset: Dataset,
) -> None:
    rows = _rows(dataset, parse_week("2026-W45", "UTC", NOW))
    assert rows[0] == [
        "period", "previous_period", "scope", "channel", "metric", "statistic", "value",
        "previous_value", "as_of", "previous_as_of", "comparison", "clock", "timezone",
    ]  # fmt: skip
    # Every row states its basis: the data ends at 09:01:41, the as-of is the next second.
    assert rows[1][-5:] == [
        "2026-11-03T09:01:42+00:00", "2026-10-27T09:01:42+00:00", "like_for_like", "calendar",
        "UTC",
    ]  # fmt: skip
    means = [row for row in rows if row[5] == "mean"]
    # W44 had no conversation: its mean is no value (empty), never 0.
    assert [row[:8] for row in means] == [
        ["2026-W45", "2026-W44", "overall", "", "first_response_time", "mean", "100.333", ""],
        ["2026-W45", "2026-W44", "group", "email", "first_response_time", "mean", "100.333", ""],
    ]
    counts = [row[6:8] for row in rows if row[5] == "count"]
    assert counts == [["3", "0"], ["3", "0"]]  # counts of nothing are 0


def test_all_data_has_no_previous_period(dataset: Dataset) -> None:
    rows = _rows(dataset, all_time("UTC"))
    median = next(row for row in rows[1:] if row[2] == "overall" and row[5] == "median")
    assert median[:8] == ["all", "", "overall", "", "first_response_time", "median", "100.0", ""]
    assert median[-4:-1] == ["", "", "calendar"]  # no previous period: no comparison
