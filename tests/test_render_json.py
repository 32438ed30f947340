"""The JSON report on a hand-made week: rounding and `previous` (docs/json.md)."""

from __future__ import annotations

from pathlib import Path

from factories import NOW, msg, write_jsonl

from carecli.config.model import Config
from carecli.periods import all_time, parse_week
from carecli.render.json import to_document
from carecli.report.build import build_report, load_dataset


def test_floats_have_three_decimals_and_previous_is_null_only_without_a_period(
    tmp_path: Path,
) -> None:
    rows = []
    for cid, seconds in (("a", 100), ("b", 100), ("c", 101)):  # mean 100.333... s
        rows.append(msg(cid, "2026-11-03 09:00:00", "customer"))
        rows.append(msg(cid, f"2026-11-03 09:01:{seconds - 60:02d}", "agent"))
    dataset = load_dataset(write_jsonl(tmp_path / "w45.jsonl", rows), Config())
    metrics = ("first_response_time",)
    week = build_report(dataset, parse_week("2026-W45", "UTC", NOW), Config(), (), metrics)
    overall = to_document(week)["overall"]
    assert overall["metrics"]["first_response_time"]["mean"] == 100.333
    # An empty previous week is still a comparison: counts 0, statistics null.
    before = overall["previous"]["first_response_time"]
    assert (before["count"], before["median"]) == (0, None)
    everything = build_report(dataset, all_time("UTC"), Config(), (), metrics)
    assert to_document(everything)["overall"]["previous"] is None  # --all: nothing to compare
