"""The report as OpenMetrics gauges, for node_exporter's textfile collector or a Pushgateway.

Built from the JSON document (render/json.to_document), so every figure is the JSON's,
rounded the same way. Rules (docs/reports.md#prometheus--openmetrics):
- one family per carecli metric and unit: `carecli_first_response_seconds`,
  `carecli_csat_ratio`, `carecli_nps_score`, and the counts under the bare name
  (`carecli_first_response{statistic="awaiting_first_response"}`); base units only
  (seconds, ratios 0..1), the unit also in a `# UNIT` line;
- labels: `statistic`, `period` ("current" or "previous": stable series week after
  week; the period's name is in `carecli_report_info`), and one label per `--by` field
  (absent on the overall series, so `{channel=""}` selects them; a group without a value
  is "(none)");
- no value, no sample (a metric the input cannot give is absent, never 0);
- gauges only and no sample timestamps: the text is valid OpenMetrics and also valid
  Prometheus text format 0.0.4, which the textfile collector and the Pushgateway read
  (they ignore `# UNIT` and `# EOF`, and reject client-side timestamps).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from carecli.metrics.registry import METRICS
from carecli.render.json import to_document
from carecli.report.build import Report
from carecli.sla.evaluate import Outcome

PREFIX = "carecli_"
NONE_VALUE = "(none)"
STATUSES = ("pass", "warn", "fail", "no_data")
# Units -> name suffix and OpenMetrics UNIT. Counts have none (no `_total`: gauges).
SUFFIXES = {"duration": ("_seconds", "seconds"), "rate": ("_ratio", "ratio")}
SUFFIXES |= {"score": ("_score", ""), "mean": ("_rating", "")}
# Statistics the display rows of the registry do not list.
_EXTRA_UNITS = {"p95": "duration", "total": "duration"}

Labels = Mapping[str, object]


def statistic_unit(metric: str, statistic: str) -> str:
    """duration, rate, score, mean (a rating) or count: the unit of a metric's statistic."""
    for row in METRICS[metric].rows:
        if row.stat == statistic:
            return row.unit
    return _EXTRA_UNITS.get(statistic, "count")


def base_name(metric: str) -> str:
    """first_response_time -> first_response, fcr_rate -> fcr: the unit goes in a suffix."""
    return metric.removesuffix("_time").removesuffix("_rate")


def family_name(stem: str, unit: str) -> str:
    return PREFIX + stem + SUFFIXES.get(unit, ("", ""))[0]


class _Families:
    """Samples grouped by family (OpenMetrics wants each family's samples together)."""

    def __init__(self) -> None:
        self.help: dict[str, tuple[str, str]] = {}
        self.samples: dict[str, list[tuple[Labels, float | int]]] = {}

    def add(self, name: str, help_text: str, labels: Labels, value: object, unit: str = "") -> None:
        if value is None or isinstance(value, str):
            return  # no value, no sample
        if name not in self.help:
            self.help[name] = (help_text, unit)
            self.samples[name] = []
        number = int(value) if isinstance(value, bool) else value
        self.samples[name].append((labels, number))  # type: ignore[arg-type]

    def text(self) -> str:
        lines = []
        for name, (help_text, unit) in self.help.items():
            lines.append(f"# TYPE {name} gauge")
            if unit:
                lines.append(f"# UNIT {name} {unit}")
            lines.append(f"# HELP {name} {_escape_help(help_text)}")
            lines += [f"{name}{_labels(labels)} {_number(v)}" for labels, v in self.samples[name]]
        return "\n".join([*lines, "# EOF", ""])


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape(value: object) -> str:
    text = NONE_VALUE if value is None else str(value)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _number(value: float | int) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def _timestamp(text: str | None) -> float | None:
    return None if text is None else datetime.fromisoformat(text).timestamp()


def _metrics(out: _Families, document: Mapping[str, Any]) -> None:
    """Every statistic of every metric, overall and per group, this period and the last."""
    groups = [document["overall"], *document["groups"]]
    for name in document["metrics"]:
        metric = METRICS[name]
        for group in groups:
            for period in ("current", "previous"):
                stats = group["metrics"] if period == "current" else group["previous"] or {}
                values = stats.get(name) or {}
                labels = {**group["key"]}
                if "available" in values and period == "current":
                    out.add(
                        PREFIX + "metric_available",
                        "1 when the input can give the metric, 0 when it cannot (say, AHT "
                        "without handle-time columns)",
                        {"metric": name, **labels},
                        values["available"],
                    )
                for statistic, value in values.items():
                    if statistic in ("available", "not_available_because"):
                        continue
                    unit = statistic_unit(name, statistic)
                    out.add(
                        family_name(base_name(name), unit),
                        f"{metric.title}: {metric.formula}",
                        {"statistic": statistic, "period": period, **labels},
                        value,
                        SUFFIXES.get(unit, ("", ""))[1],
                    )


def _slas(out: _Families, slas: Sequence[Mapping[str, Any]]) -> None:
    """Each SLA target and scope: its status (one series per status, 1 for the current
    one: alert on `carecli_sla_status{status="fail"} == 1`), actual, levels and counts."""
    for sla in slas:
        labels = {"target": sla["name"], "metric": sla["metric"], "statistic": sla["statistic"]}
        labels |= sla["scope"]
        for status in STATUSES:
            out.add(
                PREFIX + "sla_status",
                "SLA target status: 1 for the target's status, 0 for the others",
                {**labels, "status": status},
                sla["status"] == status,
            )
        suffix, unit = SUFFIXES.get(sla["unit"], ("", ""))
        for key, what in (("actual", "measured value"), ("warn", "warn level")):
            out.add(f"{PREFIX}sla_{key}{suffix}", f"SLA target {what}", labels, sla[key], unit)
        out.add(f"{PREFIX}sla_fail{suffix}", "SLA target fail level", labels, sla["fail"], unit)
        out.add(
            PREFIX + "sla_within_seconds",
            "Attainment targets: the time within which a sample counts as attained",
            labels,
            sla["within_seconds"],
            "seconds",
        )
        for key, what in (
            ("samples", "samples (conversations or turns) the target judged"),
            ("breached", "samples that breached the target"),
            ("pending", "samples still waiting, not yet past the limit"),
        ):
            out.add(f"{PREFIX}sla_{key}", f"SLA target: {what}", labels, sla[key])


def _explained(out: _Families, explained: Mapping[str, Mapping[str, Any]]) -> None:
    """Why a headline mean or rate moved: its change split into mix and performance."""
    for name, split in explained.items():
        unit = statistic_unit(name, split["statistic"])
        suffix, unit_name = SUFFIXES.get(unit, ("", ""))
        labels = {"metric": name, "statistic": split["statistic"]}
        for component in ("previous", "current", "change", "mix", "performance"):
            out.add(
                f"{PREFIX}explained{suffix}",
                "A headline's change split into mix (shares of the groups) and performance "
                "(within each group); component previous, current, change, mix, performance",
                {**labels, "component": component},
                split[component],
                unit_name,
            )
        for group in split["groups"]:
            for period in ("previous", "current"):
                out.add(
                    f"{PREFIX}explained_share_ratio",
                    "A group's share of the samples behind an explained headline",
                    {**labels, "period": period, **group["key"]},
                    group[f"{period}_share"],
                    "ratio",
                )
                out.add(
                    f"{PREFIX}explained_group{suffix}",
                    "An explained headline within one group",
                    {**labels, "period": period, **group["key"]},
                    group[period],
                    unit_name,
                )


def render(report: Report, outcomes: Sequence[Outcome] = ()) -> str:
    """The report's figures as OpenMetrics text (ends with `# EOF`)."""
    document = to_document(report, outcomes)
    out = _Families()
    previous = document["previous_period"] or {}
    info = {
        "period": document["period"]["label"],
        "previous_period": previous.get("label", ""),
        "timezone": document["period"]["timezone"],
        "clock": document["clock"],
        "comparison": document["comparison"] or "",
        "group_by": ",".join(document["group_by"]),
        "filters": ";".join(f"{k}={','.join(v)}" for k, v in document["filters"].items()),
        "version": document["carecli_version"],
    }
    out.add(PREFIX + "report_info", "What the report covers; always 1", info, 1)
    for period, bounds in (("current", document["period"]), ("previous", previous)):
        for edge in ("start", "end"):
            out.add(
                f"{PREFIX}report_period_{edge}_timestamp_seconds",
                f"The {edge} of the period (Unix time)",
                {"period": period},
                _timestamp(bounds.get(edge)),
                "seconds",
            )
    for key, what in (
        ("as_of", "The moment the data is evaluated at (Unix time)"),
        ("previous_as_of", "The moment the previous period is evaluated at (Unix time)"),
        ("generated_at", "When the report was made (Unix time)"),
    ):
        out.add(
            f"{PREFIX}report_{key}_timestamp_seconds",
            what,
            {},
            _timestamp(document[key]),
            "seconds",
        )
    maturity = document["maturity"]
    for key in ("maturing", "in_progress"):
        out.add(f"{PREFIX}report_{key}", f"1 when the period is {key.replace('_', ' ')}", {},
                maturity[key])  # fmt: skip
    for key, value in maturity.items():
        if key not in ("maturing", "in_progress"):
            out.add(PREFIX + "report_still_open", "Conversations still waiting at the as-of "
                    "moment", {"statistic": key}, value)  # fmt: skip
    for key, value in document["data"].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.add(PREFIX + "data", "The input data: rows read, conversations, what was "
                    "dropped or left out", {"statistic": key}, value)  # fmt: skip
    for finding in document["data"].get("warnings") or ():
        out.add(PREFIX + "data_findings", "Data-quality findings by kind (docs/data-quality.md)",
                {"kind": finding["kind"]}, finding["count"])  # fmt: skip
    _metrics(out, document)
    _slas(out, document["slas"])
    _explained(out, document["explained"])
    return out.text()
