"""The JSON report: one stable document for scripts (schema documented in docs/json.md)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from carecli import __version__
from carecli.render.check import outcome_document
from carecli.report.build import GroupResult, Report
from carecli.sla.evaluate import Outcome

# 2: the previous period is compared like for like (at the same age) by default; as-of,
# clock, comparison, maturity and the mix/performance split are stated.
SCHEMA_VERSION = 2


def _clean(value: Any) -> Any:
    """Round floats for stable output; NaN never reaches JSON (render refuses infinity)."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 3)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _group(group: GroupResult) -> dict[str, Any]:
    return {
        "key": group.key,
        "metrics": _clean(group.current),
        "previous": _clean(group.previous) if any(group.previous.values()) else None,
    }


def to_document(report: Report, outcomes: Sequence[Outcome] = ()) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "carecli_version": __version__,
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "period": report.period.as_dict(),
        "previous_period": report.previous_period and report.previous_period.as_dict(),
        "as_of": report.as_of.utc.isoformat(timespec="seconds"),
        "as_of_source": report.as_of.source,
        "clock": report.clock,
        "comparison": report.comparison if report.previous_period else None,
        "previous_as_of": report.previous_as_of
        and report.previous_as_of.isoformat(timespec="seconds"),
        "maturity": {
            "maturing": report.maturing,
            "in_progress": report.in_progress,
            **report.still_open(),
        },
        "filters": {k: list(v) for k, v in report.filters.items()},
        "group_by": list(report.group_by),
        "metrics": list(report.metric_names),
        "data": report.data,
        "overall": _group(report.overall),
        "groups": [_group(g) for g in report.groups],
        "explained": {name: _clean(split.as_dict()) for name, split in report.explained.items()},
        "slas": [_clean(outcome_document(o)) for o in outcomes],
    }


def render(report: Report, outcomes: Sequence[Outcome] = ()) -> str:
    # allow_nan=False: `Infinity` is not JSON. Input bounds (input/validate) keep every
    # figure finite, so one reaching here is a bug, not a value to hide as null.
    document = to_document(report, outcomes)
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
