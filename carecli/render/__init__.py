"""Renderers: one module per output format, each `render(report, ...) -> str`."""

from __future__ import annotations

from enum import StrEnum


class OutputFormat(StrEnum):
    """Formats `carecli report --format` accepts."""

    table = "table"
    json = "json"
