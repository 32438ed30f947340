"""Renderers: one module per output format, each `render(report, ...) -> str`."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any


class OutputFormat(StrEnum):
    """Formats `carecli report --format` accepts."""

    table = "table"
    json = "json"
    md = "md"
    html = "html"


def to_text(renderables: Iterable[Any], color: bool = False, width: int = 80) -> str:
    """Print rich renderables into a string: ANSI colours only when `color` is true."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
    )
    for renderable in renderables:
        console.print(renderable)
    return buffer.getvalue()
