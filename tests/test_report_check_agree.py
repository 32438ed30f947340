"""`report` and `check` agree on every statistic they both show.

A target's actual value is computed by the metric's own statistics, on the same samples
as the report, so the two can only differ where the rules say so: a conversation still
waiting beyond a target's limit counts against the target (at its age) and not in the
report. With limits no waiting conversation reaches, they must be equal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import write_jsonl
from test_every_metric import WEEK, _rows

from carecli.core import Request, run
from carecli.metrics.registry import METRICS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = {
    "messages": (ROOT / "sample_data" / "messages.jsonl", "2026-W46"),
    "tickets": (ROOT / "sample_data" / "conversations.csv", "2026-W46"),
}
# Far beyond any age in the data: every still-waiting conversation is pending.
_LOOSE = {"duration": "3650d", "rate": "0%", "score": -100, "count": 10**9, "mean": 0}


def _config(tmp_path: Path) -> Path:
    lines = ["timezone: Europe/Berlin", "slas:"]
    for name, metric in METRICS.items():
        for statistic, unit in metric.targets.items():
            direction = "at_least" if metric.better == "higher" else "at_most"
            lines += [
                f"  - name: {name} {statistic}",
                f"    metric: {name}",
                f"    statistic: {statistic}",
                f"    direction: {direction}",
                f"    fail: {_LOOSE[unit]}",
            ]
    path = tmp_path / "carecli.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("sample", [*SAMPLES, "every-event"])
def test_every_target_statistic_equals_the_report(sample: str, tmp_path: Path) -> None:
    if sample == "every-event":
        data, week = write_jsonl(tmp_path / "events.jsonl", _rows()), WEEK
    else:
        data, week = SAMPLES[sample]
    result = run(Request(data=(data,), config=_config(tmp_path), week=week))
    assert result.report is not None
    compared = 0
    for outcome in result.outcomes:
        target = outcome.target
        shown = result.report.overall.current[target.metric]
        if not shown["available"]:
            assert outcome.status == "no_data"
            continue
        expected = shown[target.statistic]
        assert outcome.pending >= 0
        if expected is None:
            assert outcome.actual is None, target.name
        else:
            assert outcome.actual == float(expected), target.name  # same code, same bits
        compared += 1
    assert compared >= 10
