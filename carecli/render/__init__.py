"""Renderers: one module per output format, each `render(report, ...) -> str`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.text import Text

    from carecli.report.build import Report


class OutputFormat(StrEnum):
    """Formats `carecli report --format` accepts."""

    table = "table"
    json = "json"
    md = "md"
    html = "html"
    csv = "csv"
    openmetrics = "openmetrics"


# C0 and C1 control characters and DEL: an ESC from the data would reach the terminal
# (rich keeps it) and could recolour, retitle or clear it.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def clean(value: object) -> str:
    """User text on one line without control characters (runs of them become a space)."""
    return _CONTROL.sub(" ", str(value))


def plain(value: object, style: str = "", limit: int | None = None) -> Text:
    """User text for a rich table or title: never read as markup (`[bold]`, `[/]` stay
    literal, a stray closing tag cannot crash the render) and without control characters.

    `limit` cuts a name at that many characters: a million-character agent name from a
    broken export would otherwise fold into thousands of terminal lines.
    """
    from rich.text import Text

    text = clean(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return Text(text, style=style)


NAME_LIMIT = 60  # characters of a name (agent, team, conversation id) shown in a terminal


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


def warning_lines(report: Report) -> list[str]:
    """The data-quality findings the CLI attached to the report (docs/data-quality.md)."""
    lines = []
    for warning in report.data.get("warnings") or ():
        example = warning.get("example")
        lines.append(warning["message"] + (f" (first: {example})" if example else ""))
    return lines
