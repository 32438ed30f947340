"""How `carecli report` turns one computed report into each output format and names files.

Renderers are imported when a format is asked for, so `--help` stays fast; the weekly
trend and "what changed" extras of the HTML/Markdown digest are computed once per run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from carecli.cli.common import Run, width
from carecli.errors import UsageError
from carecli.render import OutputFormat

if TYPE_CHECKING:
    from carecli.periods import Period
    from carecli.render.summary import Change
    from carecli.report.build import Report
    from carecli.report.trend import DailyVolume, TrendPoint
    from carecli.sla.evaluate import Outcome

EXTENSIONS = {"table": "txt", "json": "json", "md": "md", "html": "html", "csv": "csv"}


def check_destination(output: str | Path, option: str = "--output", folder_ok: bool = True) -> None:
    """Refuse a file or folder that cannot be written before any data is read: on a big
    export the report takes seconds, and then nothing would be written."""
    from carecli.delivery.output import missing_folder

    path = Path(output)
    if _names_folder(output) and not path.is_dir():
        raise UsageError(f"{option} {output}: the folder does not exist; create it first")
    if path.is_dir() and not folder_ok:
        raise UsageError(f"{option} {output}: is a folder; give a file name such as results.xml")
    directory = None if path.is_dir() else missing_folder(path)
    if directory is not None:
        raise UsageError(
            f"{option} {output}: the folder {directory} does not exist; create it first"
        )


def _names_folder(output: str | Path) -> bool:
    # A trailing slash says "a folder" (Path() drops it: reports/ would be a file "reports").
    return str(output).endswith(("/", os.sep))


def output_path(output: str | Path, period: Period, output_format: OutputFormat) -> Path:
    """--output: a file, or a folder (an existing one, or any path written with a trailing
    slash) that gets a dated name such as carecli-2026-W47.html."""
    check_destination(output)
    output = Path(output)
    if output.is_dir():
        from carecli.render.markdown import output_filename

        name = output_filename(period, EXTENSIONS[output_format.value])
        # The name is built from the period label; whatever it holds, it stays a plain
        # file name inside the folder the user chose (no separator, no "..").
        if Path(name).name != name or name in (".", "..") or "\\" in name:
            raise UsageError(f"--output {output}: cannot build a safe file name from {name!r}")
        return output / name
    return output


class Renderer:
    """Renders one computed report in any format, computing the digest extras once."""

    def __init__(
        self,
        run: Run,
        result: Report,
        outcomes: list[Outcome],
        filters: dict[str, tuple[str, ...]],
        weeks: int,
        color: bool,
    ) -> None:
        self.run, self.result, self.outcomes = run, result, outcomes
        self.filters, self.weeks, self.color = filters, weeks, color
        self._extras: tuple[list[TrendPoint], list[Change], DailyVolume] | None = None

    def extras(self) -> tuple[list[TrendPoint], list[Change], DailyVolume]:
        if self._extras is None:
            from carecli.render.summary import what_changed
            from carecli.report.trend import daily_volume, weekly_trend

            run = self.run
            trend = weekly_trend(
                run.dataset,
                run.period,
                run.config,
                self.weeks,
                self.filters,
                self.result.as_of.utc,
                self.result.comparison,
            )
            daily = daily_volume(run.dataset, run.period, run.config, self.filters)
            self._extras = (trend, what_changed(self.result), daily)
        return self._extras

    def __call__(self, output_format: OutputFormat) -> str:
        if output_format is OutputFormat.json:
            from carecli.render import json as json_render

            return json_render.render(self.result, self.outcomes)
        if output_format is OutputFormat.csv:
            from carecli.render import csv as csv_render

            return csv_render.render(self.result)
        if output_format is OutputFormat.table:
            from carecli.render import table

            return table.render(self.result, self.outcomes, color=self.color, width=width())
        from carecli.render import html, markdown

        trend, summary, daily = self.extras()
        module = markdown if output_format is OutputFormat.md else html
        return module.render(self.result, self.outcomes, trend, summary, daily)
