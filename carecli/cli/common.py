"""What the CLI commands share: options, error-to-exit-code mapping, and run setup."""

from __future__ import annotations

import os
import shutil
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from typer.core import TyperCommand

from carecli.errors import CareError, UsageError
from carecli.exit_codes import ExitCode
from carecli.render import OutputFormat

if TYPE_CHECKING:
    from carecli.config.model import Config
    from carecli.input.findings import Finding
    from carecli.periods import Period
    from carecli.report.build import Dataset
    from carecli.timeline.asof import AsOf


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
TracebackOption = Annotated[
    bool, typer.Option("--traceback", help="Show the Python traceback of internal errors.")
]


def resolve_timezone(override: str | None, configured: str) -> str:
    name = override or configured
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
        raise UsageError(
            f"--tz {name[:60]!r}: not an IANA timezone; use e.g. Europe/Paris or UTC"
        ) from None
    return name


def parse_as_of(value: str | None, tz: str) -> datetime | None:
    """`--as-of`: a date or date-time (local to the reporting timezone), `now`, or None."""
    if value is None:
        return None
    if value.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--as-of {value!r}: expected a date or date-time like 2026-11-23T08:00, or now"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


def use_colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def width() -> int:
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


@dataclass(frozen=True)
class Run:
    """What every data command starts from: config, data, period and the evaluation time."""

    config: Config
    dataset: Dataset
    period: Period
    as_of: AsOf  # the moment the data is evaluated at (a replay: later events are ignored)
    findings: tuple[Finding, ...] = ()  # data-quality warnings, shown in the report

    @property
    def inputs(self) -> dict[Path, str]:
        """The files this run read, which --output and --junit must never overwrite."""
        files = {path: "data file" for path in self.dataset.files or (self.dataset.path,)}
        if self.config.path is not None:
            files[self.config.path] = "config file"
        return files


def start_run(
    data: list[str],
    config_path: Path | None,
    week: str | None,
    since: str | None,
    until: str | None,
    tz: str | None,
    as_of: str | None,
    format_in: str | None,
    everything: bool = False,
    preset: str | None = None,
    clock: str | None = None,
    strict_data: bool = False,
) -> Run:
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    from carecli.config.model import load_config
    from carecli.input import strict
    from carecli.input.load import unchanged
    from carecli.input.prescan import prescan
    from carecli.periods import select_period
    from carecli.report import quality
    from carecli.report.build import load_dataset
    from carecli.timeline.asof import AsOf, default_as_of

    if format_in is not None and format_in not in ("csv", "jsonl", "parquet"):
        raise UsageError(f"--format-in {format_in!r}: use csv, jsonl or parquet")
    config = load_config(config_path)
    zone = resolve_timezone(tz, config.timezone)
    config = replace(config, timezone=zone)
    if clock is not None:
        if clock not in ("calendar", "business"):
            raise UsageError(f"--clock {clock!r}: use calendar or business")
        if clock == "business" and not config.channel_calendars:
            raise UsageError(
                "--clock business needs calendars: and channel_calendars: in the config "
                "(see docs/business-hours.md)"
            )
        config = replace(config, clock=clock)
    wall_clock = datetime.now(UTC)
    requested = parse_as_of(as_of, zone)
    # The period options are checked before a big file is read; the period itself is
    # chosen once the as-of moment is known (it may be the end of the data).
    select_period(week, since, until, zone, requested or wall_clock, everything)
    files = data_files(data)
    loading = f"Loading {files[0] if len(files) == 1 else f'{len(files)} files'}"
    with unchanged(files), progress(loading):
        # The byte-level pre-scan runs beside the load: polars releases the GIL while it
        # reads, so on a large CSV the pre-scan costs almost no wall time.
        with ThreadPoolExecutor(max_workers=1) as pool:
            prescanned = pool.submit(prescan, files, config, format_in, preset)
            try:
                dataset = load_dataset(files, config, format_in, preset)
            except CareError:
                prescanned.result()  # a pre-scan error (say, a repeated header) is the cause
                raise
            findings = prescanned.result()
        # The real clock, not --as-of: data after a past as-of date is not in the future.
        dataset, more = quality.assess(dataset, wall_clock)
    findings += more
    if strict_data and findings:
        raise strict.strict_error(findings, files, config, format_in, preset)
    for note in dataset.notes:
        err(note)
    for finding in findings:
        if not finding.printed:
            err(f"warning: {finding.line()}")
    created = dataset.timeline.conversations["created_at"]
    if created.len() and created.is_null().all() and not everything:
        raise UsageError(
            f"{', '.join(data)}: the data has no creation time, so conversations cannot be "
            "placed in a period; use --all to report on the whole file"
        )
    moment = AsOf(requested, "option") if requested else default_as_of(dataset.timeline, wall_clock)
    if moment.source == "data":
        err(f"as of {local_time(moment.moment, zone)}, the end of the data (--as-of sets another)")
    # An open --until ends at the as-of moment; a bare --week counts from selection_moment.
    counted_from = moment.moment if since else selection_moment(moment, wall_clock)
    period = select_period(week, since, until, zone, counted_from, everything)
    return Run(config, dataset, period, moment, tuple(findings))


def local_time(moment: datetime, zone: str) -> str:
    """`2026-11-30 14:05:13 CET`: a moment as a reader in the reporting timezone says it."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z")


def selection_moment(as_of: AsOf, wall_clock: datetime) -> datetime:
    """The moment a bare --week (the last complete week) counts from.

    An explicit --as-of, or now for live data. An export read later was taken some time
    after its last event: up to EXPORT_GRACE after it, and not after now. So a Monday
    cron on an export whose last event is Friday evening reports that week, and a rerun
    of a Wednesday export next month still reports the week before it, as it did then.
    """
    if as_of.source != "data":
        return as_of.moment
    return min(wall_clock, as_of.moment + EXPORT_GRACE)


# How long after its last event an export read later may have been taken: a quiet
# weekend (Friday evening to Monday morning).
EXPORT_GRACE = timedelta(days=3)
