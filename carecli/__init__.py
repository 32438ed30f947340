"""carecli: customer-care KPIs from conversation logs.

The importable core (no CLI needed): one call does what `carecli report` does::

    from carecli import Request, run
    result = run(Request(data=(Path("messages.jsonl"),), week="2026-W45"))
    result.report, result.outcomes, result.findings, result.warnings

or stage by stage::

    from carecli import load_config, load_dataset, build_report, parse_week
    config = load_config(None)
    dataset = load_dataset(Path("messages.jsonl"), config)
    report = build_report(dataset, parse_week("2026-W45", config.timezone, now), config)
"""

from __future__ import annotations

# Not `typing.TYPE_CHECKING`: the supervising parent of every run imports this package,
# and typing alone takes ~12 ms to import (type checkers read this name the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

# Heavy modules (polars) load on first use so `carecli --help` starts fast.
_EXPORTS = {
    "run": "carecli.core",
    "Request": "carecli.core",
    "Result": "carecli.core",
    "load_config": "carecli.config.files",
    "parse_config": "carecli.config.model",
    "Config": "carecli.config.model",
    "load_dataset": "carecli.report.build",
    "build_report": "carecli.report.build",
    "Report": "carecli.report.build",
    "METRICS": "carecli.metrics.registry",
    "parse_week": "carecli.periods",
    "week_period": "carecli.periods",
    "CareError": "carecli.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'carecli' has no attribute {name!r}")
