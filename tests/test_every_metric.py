"""Every metric of the registry through every report format and through `check`.

Parametrized over the registry itself: a new metric is covered the moment it is added,
and fails here if any format, target or breach listing cannot take it.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from factories import event, msg, quiet, write_jsonl
from typer.testing import CliRunner

from carecli.cli.app import app
from carecli.core import Request, run
from carecli.metrics.registry import METRICS
from carecli.render import OutputFormat
from carecli.render.formats import FORMATS

WEEK = "2026-W45"  # Mon 2 Nov - Mon 9 Nov 2026
START = datetime(2026, 11, 2, 8, tzinfo=UTC)


def _rows() -> list[dict]:
    """Two weeks of conversations on two channels with every kind of event: bot and agent
    answers (one within 20 s), a second customer turn, resolutions, a reopen, an
    escalation, ratings and handle times, one chat abandoned (closed unanswered) and one
    email never answered nor resolved."""
    rows: list[dict] = []
    for week in (-1, 0):
        for i in range(8):
            cid = f"w{week}c{i}"
            t0 = START + timedelta(weeks=week, hours=9 * i)

            def at(t0: datetime = t0, **delta: float) -> str:
                return (t0 + timedelta(**delta)).isoformat()

            channel = ("email", "chat")[i % 2]
            rows.append(msg(cid, at(), "customer", channel=channel, team="Care"))
            if i == 7:  # the customer gave up: closed with no answer (abandoned)
                rows.append(event(cid, at(minutes=3), "resolved"))
                continue
            rows.append(msg(cid, at(seconds=15 + i), "bot"))
            if i == 6:
                continue  # never answered, never resolved
            agent = ("Ann", "Bob")[i % 2]
            answer = at(seconds=12) if i == 1 else at(minutes=10 + 25 * i)  # within 20 s
            first = msg(cid, answer, "agent", agent=agent, talk_seconds=90 * i)
            rows.append(first)
            rows.append(msg(cid, at(hours=2), "customer"))
            rows.append(msg(cid, at(hours=2 + i), "agent", agent=agent))
            if i == 3:
                rows.append(event(cid, at(hours=3), "escalated"))
            rows.append(event(cid, at(hours=4 + 3 * i), "resolved"))
            if i == 5:
                rows.append(event(cid, at(hours=30), "reopened"))
                rows.append(event(cid, at(hours=40), "resolved"))
            rows.append(event(cid, at(hours=5 + 3 * i), "csat", csat=1 + i % 5))
            rows.append(event(cid, at(hours=6 + 3 * i), "nps", nps=(3, 9, 7, 10)[i % 4]))
    return rows


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("every") / "events.jsonl", _rows())


def test_the_fixture_gives_every_metric_a_value(data: Path) -> None:
    result = run(Request(data=(data,), week=WEEK, as_of="2026-11-20T00:00:00+00:00"))
    assert result.report is not None
    for name, metric in METRICS.items():
        stats = result.report.overall.current[name]
        assert stats["available"], name
        assert stats[metric.headline.stat] not in (None, 0), name


def test_every_format_is_registered() -> None:
    assert set(FORMATS) == set(OutputFormat)
    assert len({f.extension for f in FORMATS.values()}) == len(FORMATS)


def _shows(name: str, output_format: OutputFormat, text: str) -> bool:
    metric = METRICS[name]
    if output_format is OutputFormat.json:
        document = json.loads(text)
        return metric.headline.stat in document["overall"]["metrics"][name]
    if output_format is OutputFormat.csv:
        return f",{name}," in text
    return metric.title in text


@pytest.mark.parametrize("output_format", list(OutputFormat))
@pytest.mark.parametrize("name", list(METRICS))
def test_every_metric_in_every_format(data: Path, name: str, output_format: OutputFormat) -> None:
    args = ["report", "-d", str(data), "--week", WEEK, "--as-of", "2026-11-20"]
    args += ["--metric", name, "--by", "channel", "-f", output_format.value]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output + result.stderr
    assert quiet(result.stderr) == ""
    assert _shows(name, output_format, result.stdout)


def _targets(name: str) -> str:
    """One target per statistic a target may use, plus attainment for a time metric, each
    strict enough that some conversation breaks it where a single one can."""
    metric = METRICS[name]
    lines = ["slas:"]
    for statistic, unit in metric.targets.items():
        limit = {"duration": "1m", "rate": "99%", "score": 90, "count": 1, "mean": 4.9}[unit]
        direction = {"lower": "at_most", "higher": "at_least"}.get(metric.better, "at_most")
        lines += [
            f"  - name: {name} {statistic}",
            f"    metric: {name}",
            f"    statistic: {statistic}",
            f"    direction: {direction}",
            f"    fail: {limit}",
        ]
    if metric.is_time:
        lines += [f"  - name: {name} within 1m", f"    metric: {name}", "    attainment: 1m"]
        lines += ["    fail: 99%"]
    return "\n".join(lines) + "\n"


CHECKED = [name for name, metric in METRICS.items() if metric.targets]


def test_targets_exist_for_every_metric_that_can_be_judged() -> None:
    assert list(METRICS) == CHECKED  # today every metric can be; a new one may opt out


@pytest.mark.parametrize("name", CHECKED)
def test_every_metric_through_check(data: Path, name: str, tmp_path: Path) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_text("timezone: UTC\n" + _targets(name), encoding="utf-8")
    junit = tmp_path / "junit.xml"
    args = ["check", "-d", str(data), "--week", WEEK, "--as-of", "2026-11-20", "-c", str(config)]
    table = CliRunner().invoke(app, [*args, "--list-breaches", "3", "--junit", str(junit)])
    assert table.exit_code in (0, 1), table.output + table.stderr
    assert quiet(table.stderr) == ""
    cases = ET.parse(junit).getroot().iter("testcase")
    assert len(list(cases)) == len(METRICS[name].targets) + METRICS[name].is_time
    document = json.loads(CliRunner().invoke(app, [*args, "-f", "json"]).stdout)
    for target in document["targets"]:
        assert target["status"] in ("pass", "fail"), target
        assert target["actual"] is not None, target
        if target["status"] == "fail" and METRICS[name].breach is not None:
            assert target["breached"] > 0, target  # the conversations that break it are listed
