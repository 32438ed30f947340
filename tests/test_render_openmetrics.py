"""`--format openmetrics`: parsed by prometheus_client, every figure of the JSON report back.

The mapping from samples back to JSON paths is written out here from the documented
naming rules (docs/reports.md), not borrowed from the renderer.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families
from prometheus_client.parser import text_string_to_metric_families as prometheus_text
from typer.testing import CliRunner

from carecli.cli.app import app
from carecli.core import Request, run
from carecli.render import OutputFormat
from carecli.render.formats import render

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config.example.yaml"
UNITS = ("_seconds", "_ratio", "_score", "_rating")
Figures = dict[tuple[Any, ...], float]


def _key(mapping: dict[str, Any]) -> frozenset[tuple[str, Any]]:
    return frozenset(mapping.items())


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def json_figures(doc: dict[str, Any]) -> Figures:
    """Every number (and yes/no) of the JSON report, by where it is."""
    out: Figures = {}
    for group in [doc["overall"], *doc["groups"]]:
        for period, stats in (("current", group["metrics"]), ("previous", group["previous"])):
            for metric, values in (stats or {}).items():
                for statistic, value in values.items():
                    if statistic == "available" and period == "previous":
                        continue  # said once, for the current period
                    if isinstance(value, int | float):
                        out["metric", _key(group["key"]), period, metric, statistic] = value
    for sla in doc["slas"]:
        where = ("sla", sla["name"], _key(sla["scope"]))
        out[(*where, "status")] = sla["status"]  # type: ignore[assignment]
        for key in ("actual", "warn", "fail", "within_seconds", "samples", "breached", "pending"):
            if sla[key] is not None:
                out[(*where, key)] = sla[key]
    for name, split in doc["explained"].items():
        for component in ("previous", "current", "change", "mix", "performance"):
            out["explained", name, component] = split[component]
        for group in split["groups"]:
            for period in ("previous", "current"):
                out["explained", name, _key(group["key"]), period] = group[period]
                out["share", name, _key(group["key"]), period] = group[f"{period}_share"]
    for key, value in doc["maturity"].items():
        out["maturity", key] = value
    for key, value in doc["data"].items():
        if isinstance(value, int | float):
            out["data", key] = value
    for finding in doc["data"]["warnings"]:
        out["finding", finding["kind"]] = finding["count"]
    out["time", "as_of"] = _ts(doc["as_of"])
    out["time", "previous_as_of"] = _ts(doc["previous_as_of"])
    out["time", "generated_at"] = _ts(doc["generated_at"])
    for period, bounds in (("current", doc["period"]), ("previous", doc["previous_period"])):
        for edge in ("start", "end"):
            out["time", period, edge] = _ts(bounds[edge])
    return out


def _group(labels: dict[str, str], *drop: str) -> frozenset[tuple[str, Any]]:
    return _key({k: None if v == "(none)" else v for k, v in labels.items() if k not in drop})


def sample_figures(text: str, metric_names: list[str]) -> Figures:
    """The same paths, rebuilt from the parsed samples and the documented naming rules."""
    bases = {m.removesuffix("_time").removesuffix("_rate"): m for m in metric_names}
    out: Figures = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge", family.name
        for sample in family.samples:
            name, labels, value = sample.name[len("carecli_") :], dict(sample.labels), sample.value
            assert sample.timestamp is None  # the textfile collector rejects timestamps
            stem = next((name.removesuffix(u) for u in UNITS if name.endswith(u)), name)
            if name == "metric_available":
                metric = labels.pop("metric")
                out["metric", _group(labels), "current", metric, "available"] = value
            elif stem in bases:
                metric, statistic, period = bases[stem], labels["statistic"], labels["period"]
                group = _group(labels, "statistic", "period")
                out["metric", group, period, metric, statistic] = value
            elif name == "sla_status":
                if value == 1:
                    where = ("sla", labels["target"])
                    group = _group(labels, "target", "metric", "statistic", "status")
                    out[(*where, group, "status")] = labels["status"]  # type: ignore[assignment]
            elif stem.startswith("sla_"):
                group = _group(labels, "target", "metric", "statistic")
                field = stem.removeprefix("sla_")
                field = "within_seconds" if field == "within" else field
                out["sla", labels["target"], group, field] = value
            elif stem in ("explained", "explained_group", "explained_share"):
                metric = labels["metric"]
                if stem == "explained":
                    out["explained", metric, labels["component"]] = value
                else:
                    group = _group(labels, "metric", "statistic", "period")
                    kind = "share" if stem == "explained_share" else "explained"
                    out[kind, metric, group, labels["period"]] = value
            elif name in ("report_maturing", "report_in_progress"):
                out["maturity", name.removeprefix("report_")] = value
            elif name == "report_still_open":
                out["maturity", labels["statistic"]] = value
            elif name == "data":
                out["data", labels["statistic"]] = value
            elif name == "data_findings":
                out["finding", labels["kind"]] = value
            elif name.startswith("report_period_"):
                edge = name.removeprefix("report_period_").split("_")[0]
                out["time", labels["period"], edge] = value
            elif name.endswith("_timestamp_seconds"):
                out["time", name.removeprefix("report_").removesuffix("_timestamp_seconds")] = value
            else:
                assert name == "report_info", name
    return out


@pytest.mark.parametrize(
    ("data", "by"),
    [("messages.jsonl", ("channel",)), ("conversations.csv", ("team", "priority"))],
)
def test_every_json_figure_round_trips(data: str, by: tuple[str, ...]) -> None:
    result = run(
        Request(
            data=(ROOT / "sample_data" / data,),
            config=CONFIG,
            week="2026-W46",
            group_by=by,
        )
    )
    doc = json.loads(render(OutputFormat.json, result))
    text = render(OutputFormat.openmetrics, result)
    assert text.endswith("# EOF\n")
    expected, found = json_figures(doc), sample_figures(text, doc["metrics"])
    assert len(expected) > 500
    assert found == expected
    # The same text is valid Prometheus 0.0.4 (textfile collector, Pushgateway) as well.
    assert {f.name for f in prometheus_text(text)} >= {"carecli_first_response_seconds"}


def test_names_labels_and_absent_values() -> None:
    result = run(
        Request(
            data=(ROOT / "sample_data" / "messages.jsonl",),
            config=CONFIG,
            week="2026-W46",
            group_by=("channel",),
        )
    )
    text = render(OutputFormat.openmetrics, result)
    lines = text.splitlines()
    assert 'carecli_first_response_seconds{statistic="p90",period="current",channel="email"}' in [
        line.rsplit(" ", 1)[0] for line in lines
    ]
    assert "# UNIT carecli_first_response_seconds seconds" in lines
    assert "# UNIT carecli_csat_ratio ratio" in lines
    assert 'carecli_metric_available{metric="aht"} 0' in lines
    assert not any(line.startswith("carecli_aht_seconds") for line in lines)  # never 0
    fail = [line for line in lines if line.startswith("carecli_sla_status") and 'fail"} 1' in line]
    assert fail and all('status="fail"' in line for line in fail)


def test_cli_writes_a_prom_file_for_the_textfile_collector(tmp_path: Path) -> None:
    folder = tmp_path / "textfile"
    folder.mkdir()
    args = ["report", "-d", str(ROOT / "sample_data" / "messages.jsonl"), "--week", "2026-W46",
            "-f", "openmetrics", "--output", f"{folder}/"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    (written,) = folder.iterdir()
    assert written.name == "carecli-2026-W46.prom"  # *.prom: what node_exporter reads
    assert list(text_string_to_metric_families(written.read_text("utf-8")))


def test_label_values_are_escaped() -> None:
    from carecli.render.openmetrics import _labels

    assert _labels({"agent": 'a "b"\\c\nd'}) == '{agent="a \\"b\\"\\\\c\\nd"}'
