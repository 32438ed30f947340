"""The report as CSV for spreadsheets: one row per group × metric × statistic.

Columns: period, previous_period, scope (`overall` or `group`), one column per `--by`
field, metric, statistic, value, previous_value, then the basis of every row: as_of,
previous_as_of, comparison, clock, timezone (docs/json.md explains each). Values are the
JSON report's numbers (durations in seconds, rates as fractions 0..1); an empty cell is
"no value".

Text from the data (agent, team, topic names) can start with `=`, `+`, `-` or `@`, which
a spreadsheet runs as a formula (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`): such cells are
prefixed with `'`, which spreadsheets show as text. Numbers carecli writes itself are
left as numbers.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from carecli.report.build import GroupResult, Report

# What a spreadsheet reads as the start of a formula; tab and CR as OWASP lists them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_STATISTICS = ("available", "not_available_because")
BASIS_COLUMNS = ("as_of", "previous_as_of", "comparison", "clock", "timezone")


def neutralize(text: str) -> str:
    """A text cell a spreadsheet shows as text, never evaluates."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 3))
    if isinstance(value, int):
        return str(value)
    return neutralize(str(value))


def render(report: Report) -> str:
    """The report's statistics, overall then per group, as RFC 4180 CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    keys = list(report.group_by)
    writer.writerow(
        [
            "period",
            "previous_period",
            "scope",
            *keys,
            "metric",
            "statistic",
            "value",
            "previous_value",
            *BASIS_COLUMNS,
        ]
    )
    basis = report.basis.as_dict()
    stated = [_number(basis.get(column)) for column in BASIS_COLUMNS]
    period = neutralize(report.period.label)
    previous = neutralize(report.previous_period.label) if report.previous_period else ""

    def write(scope: str, group: GroupResult) -> None:
        cells = ["" if v is None else neutralize(str(v)) for v in group.key.values()]
        cells = cells or [""] * len(keys)
        for metric in report.metric_names:
            now, before = group.current.get(metric, {}), group.previous.get(metric, {})
            for statistic, value in now.items():
                if statistic in _NOT_STATISTICS:
                    continue
                row = [period, previous, scope, *cells, metric, statistic]
                writer.writerow([*row, _number(value), _number(before.get(statistic)), *stated])

    write("overall", report.overall)
    for group in report.groups:
        write("group", group)
    return buffer.getvalue()
