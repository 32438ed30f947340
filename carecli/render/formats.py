"""The output formats of `carecli report`, one entry each: extension, digest, renderer.

A format that `needs_digest` shows the weekly trend and daily volume, which the core
computes only when asked (`Request.digest_weeks`). Renderer modules are imported when
their format is used, so `carecli --help` stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from carecli.render import OutputFormat

if TYPE_CHECKING:
    from carecli.core import Result
    from carecli.periods import Period


@dataclass(frozen=True)
class Screen:
    """Where a terminal table goes: colours on a terminal only, and its width."""

    color: bool = False
    width: int = 80


Render = Callable[["Result", Screen], str]


@dataclass(frozen=True)
class Format:
    extension: str
    needs_digest: bool
    render: Render


def _table(result: Result, screen: Screen) -> str:
    from carecli.render import table

    report, outcomes = _report(result), list(result.outcomes)
    return table.render(report, outcomes, color=screen.color, width=screen.width)


def _json(result: Result, _: Screen) -> str:
    from carecli.render import json

    return json.render(_report(result), list(result.outcomes))


def _csv(result: Result, _: Screen) -> str:
    from carecli.render import csv

    return csv.render(_report(result))


def _markdown(result: Result, _: Screen) -> str:
    from carecli.render import markdown
    from carecli.render.summary import what_changed

    report = _report(result)
    changes = what_changed(report)
    return markdown.render(report, result.outcomes, result.trend, changes, result.daily)


def _html(result: Result, _: Screen) -> str:
    from carecli.render import html
    from carecli.render.summary import what_changed

    report = _report(result)
    changes = what_changed(report)
    return html.render(report, result.outcomes, result.trend, changes, result.daily)


def email_html(result: Result) -> str:
    """The digest for the text/html part of an email: no SVG, inline styles only."""
    from carecli.render import email_html
    from carecli.render.summary import what_changed

    report = _report(result)
    return email_html.render(
        report, result.outcomes, result.trend, what_changed(report), result.daily
    )


def email_text(result: Result) -> str:
    """The digest for the text/plain part of an email: plain text, no Markdown marks."""
    from carecli.render import plaintext
    from carecli.render.summary import what_changed

    report = _report(result)
    return plaintext.render(
        report, result.outcomes, result.trend, what_changed(report), result.daily
    )


def _openmetrics(result: Result, _: Screen) -> str:
    from carecli.render import openmetrics

    return openmetrics.render(_report(result), list(result.outcomes))


FORMATS: dict[OutputFormat, Format] = {
    OutputFormat.table: Format("txt", needs_digest=False, render=_table),
    OutputFormat.json: Format("json", needs_digest=False, render=_json),
    OutputFormat.csv: Format("csv", needs_digest=False, render=_csv),
    OutputFormat.md: Format("md", needs_digest=True, render=_markdown),
    OutputFormat.html: Format("html", needs_digest=True, render=_html),
    # .prom: the name node_exporter's textfile collector reads.
    OutputFormat.openmetrics: Format("prom", needs_digest=False, render=_openmetrics),
}


def render(output_format: OutputFormat, result: Result, screen: Screen | None = None) -> str:
    """The run's report in one format."""
    return FORMATS[output_format].render(result, screen or Screen())


def output_filename(period: Period, output_format: OutputFormat) -> str:
    """`carecli-2026-W47.html`: the file name used when --output is a directory."""
    label = re.sub(r"[^A-Za-z0-9._-]+", "-", period.label).strip("-")
    return f"carecli-{label}.{FORMATS[output_format].extension}"


def _report(result: Result):
    if result.report is None:
        raise ValueError("this run computed no report (Request.report=False)")
    return result.report
