"""The typer CLI: parses options, calls the core, maps outcomes and errors to exit codes."""

from __future__ import annotations

import os
import shutil
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from typer.core import TyperCommand

from carecli import __version__
from carecli.errors import CareError, UsageError
from carecli.exit_codes import ExitCode
from carecli.render import OutputFormat

app = typer.Typer(
    name="carecli",
    help="Customer-care KPIs from conversation logs: reports, SLA checks, weekly digests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def err(message: str) -> None:
    typer.echo(f"carecli: {message}", err=True)


@contextmanager
def exit_codes(show_traceback: bool = False) -> Iterator[None]:
    """The one place that turns exceptions into a one-line message and an exit code."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except CareError as exc:
        err(f"error: {exc}")
        raise typer.Exit(ExitCode.USAGE_OR_DATA_ERROR) from None
    except KeyboardInterrupt:
        err("interrupted; nothing was written")
        raise typer.Exit(130) from None
    except Exception as exc:
        if show_traceback:
            traceback.print_exc()
        err(
            f"internal error: {type(exc).__name__}: {exc}. This is a bug in carecli; "
            "rerun with --traceback and report it"
        )
        raise typer.Exit(ExitCode.INTERNAL_ERROR) from None


class OptionalWeekCommand(TyperCommand):
    """Lets `--week` stand alone (the last complete week) as well as take `2026-W45`."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        fixed: list[str] = []
        for i, arg in enumerate(args):
            following = args[i + 1] if i + 1 < len(args) else None
            if arg == "--week" and (following is None or following.startswith("-")):
                fixed.append("--week=last")
            else:
                fixed.append(arg)
        return super().parse_args(ctx, fixed)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"carecli {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Customer-care KPIs from conversation logs."""


DataOption = Annotated[
    Path,
    typer.Option(
        "--data", "-d", help="Conversation log: CSV, JSONL or Parquet.", show_default=False
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="YAML config (default: $CARECLI_CONFIG, then ./carecli.yaml).",
        show_default=False,
    ),
]
TracebackOption = Annotated[
    bool, typer.Option("--traceback", help="Show the Python traceback of internal errors.")
]


def resolve_timezone(override: str | None, configured: str) -> str:
    name = override or configured
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--tz {name!r}: not an IANA timezone; use e.g. Europe/Paris or UTC"
        ) from None
    return name


def parse_as_of(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--as-of {value!r}: expected a date or date-time like 2026-11-23"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _use_colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _width() -> int:
    return shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80


@contextmanager
def progress(message: str) -> Iterator[None]:
    """A spinner on stderr while loading, only on a terminal (never in pipes or cron mail)."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(message):
        yield


@app.command(cls=OptionalWeekCommand, no_args_is_help=False)
def report(
    data: DataOption,
    week: Annotated[
        str | None,
        typer.Option(
            help="ISO week like 2026-W45; alone, the last complete week (the default).",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Start date/time (inclusive), e.g. 2026-11-01.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="End date/time (exclusive); default now.")
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(help="Break down by channel, agent, team, topic or priority (repeatable)."),
    ] = None,
    metric: Annotated[
        list[str] | None,
        typer.Option(help="Only these metrics (repeatable); default all."),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(help="Keep conversations with FIELD=VALUE[,VALUE] (repeatable)."),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.table,
    format_in: Annotated[
        str | None,
        typer.Option(
            "--format-in",
            help="Input format when the extension does not tell: csv, jsonl or parquet.",
        ),
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Reporting timezone (overrides the config).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Evaluate as if now were this date-time (for reruns)."),
    ] = None,
    config: ConfigOption = None,
    show_traceback: TracebackOption = False,
) -> None:
    """Compute every KPI for a period, with the change versus the previous period."""
    with exit_codes(show_traceback):
        from carecli.config import load_config
        from carecli.periods import select_period
        from carecli.report import build_report, check_names, load_dataset, parse_filters

        if format_in is not None and format_in not in ("csv", "jsonl", "parquet"):
            raise UsageError(f"--format-in {format_in!r}: use csv, jsonl or parquet")
        settings = load_config(config)
        zone = resolve_timezone(tz, settings.timezone)
        period = select_period(week, since, until, zone, parse_as_of(as_of))
        group_by, metrics = by or [], metric or []
        check_names(group_by, metrics)
        filters = parse_filters(where or [])
        with progress(f"Loading {data}"):
            dataset = load_dataset(data, settings, format_in)
            result = build_report(dataset, period, settings, group_by, metrics, filters)
        if result.overall.current.get("volume", {}).get("conversations") == 0:
            summary = dataset.summary()
            err(
                f"warning: no conversations in {period.label}; the data covers "
                f"{summary['first_conversation_at']} to {summary['last_conversation_at']}"
            )
        typer.echo(_render(result, output_format), nl=False)


def _render(result: Any, output_format: OutputFormat) -> str:
    if output_format is OutputFormat.json:
        from carecli.render import json as json_render

        return json_render.render(result)
    from carecli.render import table

    return table.render(result, color=_use_colour(), width=_width())


def main() -> None:
    """Console-script entry point."""
    app()
