"""What the CLI commands share: options, error-to-exit-code mapping, and running the core."""

from __future__ import annotations

import os
import shutil
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from typer.core import TyperCommand

from carecli.errors import CareError, UsageError
from carecli.exit_codes import ExitCode
from carecli.render import OutputFormat

if TYPE_CHECKING:
    from rich.progress import TaskID

    from carecli.core import Request, Result


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
        _internal_error(exc, show_traceback)
    except BaseException as exc:
        # polars turns a Rust panic into PanicException, a BaseException: uncaught it
        # would exit 1, which means "SLA breached".
        if type(exc).__name__ != "PanicException":
            raise
        _internal_error(exc, show_traceback)


def _internal_error(exc: BaseException, show_traceback: bool) -> NoReturn:
    if show_traceback:
        traceback.print_exc()
    first = (str(exc).strip().splitlines() or [""])[0]
    err(
        f"internal error: {type(exc).__name__}: {first}. This is a bug in carecli; "
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


DataOption = Annotated[
    list[str],
    typer.Option(
        "--data",
        "-d",
        metavar="FILE",
        help="Conversation log: CSV, JSONL or Parquet; repeat it or use a glob ('exports/*.csv').",
        show_default=False,
    ),
]


def data_files(patterns: list[str]) -> list[Path]:
    """--data values: paths, or glob patterns (quoted so the shell leaves them to us)."""
    import glob

    files: list[Path] = []
    for pattern in patterns:
        if glob.has_magic(pattern) and not Path(pattern).exists():
            matches = sorted(glob.glob(pattern, recursive=True))
            if not matches:
                raise UsageError(f"--data {pattern!r}: no file matches this pattern")
            files.extend(Path(m) for m in matches)
        else:
            files.append(Path(pattern))
    return list(dict.fromkeys(files))


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        metavar="FILE",
        help="YAML config (default: $CARECLI_CONFIG, then ./carecli.yaml).",
        show_default=False,
    ),
]
WeekOption = Annotated[
    str | None,
    typer.Option(
        metavar="[YYYY-Www]",
        help="ISO week like 2026-W45; alone, the last complete week (the default).",
        show_default=False,
    ),
]
SinceOption = Annotated[
    str | None, typer.Option(metavar="DATE", help="Start date/time (inclusive), e.g. 2026-11-01.")
]
UntilOption = Annotated[
    str | None, typer.Option(metavar="DATE", help="End date/time (exclusive); default now.")
]
FormatInOption = Annotated[
    str | None,
    typer.Option(
        "--format-in",
        metavar="<csv|jsonl|parquet>",
        help="Input format when the extension does not tell: csv, jsonl, parquet.",
    ),
]
TzOption = Annotated[
    str | None,
    typer.Option("--tz", metavar="ZONE", help="Reporting timezone (overrides the config)."),
]
ClockOption = Annotated[
    str | None,
    typer.Option(
        "--clock",
        metavar="<calendar|business>",
        help="Measure durations in 'calendar' or 'business' time (default: the config's clock:).",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="TIME",
        help="Evaluate the data as it stood at this date-time (a replay: later events are "
        "ignored); it also sets the default week. Default: the end of the data (its last "
        "event), or now for live data; 'now' for the time of the run.",
    ),
]
AllOption = Annotated[
    bool, typer.Option("--all", help="All the data, whatever its dates (no comparison).")
]
CheckAllOption = Annotated[bool, typer.Option("--all", help="All the data, whatever its dates.")]
PresetOption = Annotated[
    str | None,
    typer.Option(
        metavar="NAME", help="Read the file with a preset mapping (see `carecli presets list`)."
    ),
]
OutputFormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
CheckFormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", metavar="<table|json>", help="Output format: table or json."),
]
StrictDataOption = Annotated[
    bool,
    typer.Option(
        "--strict-data",
        help="Exit 2 when the data needed any workaround (duplicates dropped, rows or times "
        "left out, suspicious times); for CI. See docs/data-quality.md.",
    ),
]
MemoryLimitOption = Annotated[
    str | None,
    typer.Option(
        "--memory-limit",
        metavar="SIZE",
        help="Peak memory budget, e.g. 700MB or 4GB (default: the config's memory_limit:, "
        "else half the available memory); bigger exports are read in partitions on disk.",
        show_default=False,
    ),
]
TracebackOption = Annotated[
    bool, typer.Option("--traceback", help="Show the Python traceback of internal errors.")
]


def use_colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def width() -> int:
    return shutil.get_terminal_size((80, 24)).columns if sys.stdout.isatty() else 80


@contextmanager
def progress(message: str) -> Iterator[Callable[[str, int, int, str], None] | None]:
    """A progress bar on stderr while loading, only on a terminal (never in pipes or cron
    mail): each stage (reading, building the timeline) with how much is done, the time
    elapsed and the time left. Yields what the load calls as it goes (core.Loading)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[amount]}"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bars:
        bars.add_task(message, total=None, amount="")
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int, unit: str) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=total, amount="")
            bars.update(tasks[stage], completed=done, total=total, amount=amount(done, total, unit))

        yield update


def amount(done: int, total: int, unit: str) -> str:
    """`3.2/8.8 GB`, `12/250 partitions`: how much of a stage is done."""
    if unit == "bytes":
        scale, name = (1e9, "GB") if total >= 1e9 else (1e6, "MB")
        return f"{done / scale:,.1f}/{total / scale:,.1f} {name}"
    return f"{done:,}/{total:,} {unit}"


def execute(request: Request) -> Result:
    """The core run, with a progress bar while loading; its notes and warnings go to stderr."""
    from carecli.core import run

    result = run(request, progress)
    for note in result.notes:
        err(note)
    for warning in result.warnings:
        err(f"warning: {warning}")
    return result
