"""Small builders for hand-computed fixtures: real files on disk, loaded the real way."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from carecli.config.model import Config
from carecli.periods import parse_week
from carecli.report.build import Report, build_report, load_dataset

NOW = datetime.fromisoformat("2026-11-30T12:00:00+00:00")


def msg(cid: str, at: str, role: str, **extra: Any) -> dict[str, Any]:
    """A message event; `at` is 'YYYY-MM-DD HH:MM[:SS]' in UTC unless it has an offset."""
    return {"conversation_id": cid, "timestamp": _iso(at), "event": "message", "role": role} | extra


def event(cid: str, at: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"conversation_id": cid, "timestamp": _iso(at), "event": kind, **extra}


def _iso(at: str) -> str:
    at = at.replace(" ", "T")
    has_offset = at.endswith("Z") or "+" in at[10:] or at[10:].count("-") > 0
    return at if has_offset else at + "Z"


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def report_for(
    path: Path,
    week: str = "2026-W45",
    config: Config | None = None,
    group_by: tuple[str, ...] = (),
    metrics: tuple[str, ...] = (),
    comparison: str = "like_for_like",
    as_of: datetime | None = None,
) -> Report:
    config = config or Config()
    dataset = load_dataset(path, config)
    period = parse_week(week, config.timezone, NOW)
    return build_report(
        dataset, period, config, group_by, metrics, as_of=as_of, comparison=comparison
    )


def stats(report: Report, metric: str) -> dict[str, Any]:
    return report.overall.current[metric]


NOTES = ("carecli: as of ", "carecli: report written to ")


def quiet(stderr: str) -> str:
    """stderr without the notes of a run that went well: the as-of moment of an export
    read later, and where --output wrote."""
    return "".join(line for line in stderr.splitlines(keepends=True) if not line.startswith(NOTES))
