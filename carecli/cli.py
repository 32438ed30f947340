"""The typer CLI: parses options, calls the core, maps outcomes and errors to exit codes.

Heavy imports (polars, rich) happen inside the commands so `--help` stays fast.
"""

from __future__ import annotations

import os
import shutil
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from typer.core import TyperCommand

from carecli import __version__
from carecli.errors import CareError, UsageError
from carecli.exit_codes import ExitCode
from carecli.render import OutputFormat

if TYPE_CHECKING:
    from carecli.config import Config
    from carecli.periods import Period
    from carecli.render.summary import Change
    from carecli.report import Dataset, Report
    from carecli.sla import Outcome
    from carecli.trend import DailyVolume, TrendPoint

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


# Options shared by several commands, defined once.
DataOption = Annotated[
    list[str],
    typer.Option(
        "--data",
        "-d",
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
        help="YAML config (default: $CARECLI_CONFIG, then ./carecli.yaml).",
        show_default=False,
    ),
]
WeekOption = Annotated[
    str | None,
    typer.Option(
        help="ISO week like 2026-W45; alone, the last complete week (the default).",
        show_default=False,
    ),
]
SinceOption = Annotated[
    str | None, typer.Option(help="Start date/time (inclusive), e.g. 2026-11-01.")
]
UntilOption = Annotated[str | None, typer.Option(help="End date/time (exclusive); default now.")]
FormatInOption = Annotated[
    str | None,
    typer.Option(
        "--format-in", help="Input format when the extension does not tell: csv, jsonl, parquet."
    ),
]
TzOption = Annotated[
    str | None, typer.Option("--tz", help="Reporting timezone (overrides the config).")
]
ClockOption = Annotated[
    str | None,
    typer.Option(
        "--clock",
        help="Measure durations in 'calendar' or 'business' time (default: the config's clock:).",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate as if now were this date-time (for reruns)."),
]
AllOption = Annotated[
    bool, typer.Option("--all", help="All the data, whatever its dates (no comparison).")
]
PresetOption = Annotated[
    str | None,
    typer.Option(help="Read the file with a preset mapping (see `carecli presets list`)."),
]
OutputFormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
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


def parse_as_of(value: str | None, tz: str) -> datetime:
    """Now, or `--as-of` (a date or date-time, local to the reporting timezone)."""
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--as-of {value!r}: expected a date or date-time like 2026-11-23T08:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


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


@dataclass(frozen=True)
class Run:
    """What every data command starts from: config, data, period and the evaluation time."""

    config: Config
    dataset: Dataset
    period: Period
    now: datetime


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
) -> Run:
    from dataclasses import replace

    from carecli.config import load_config
    from carecli.periods import select_period
    from carecli.report import load_dataset

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
    now = parse_as_of(as_of, zone)
    period = select_period(week, since, until, zone, now, everything)
    files = data_files(data)
    with progress(f"Loading {files[0] if len(files) == 1 else f'{len(files)} files'}"):
        dataset = load_dataset(files, config, format_in, preset)
    for note in dataset.notes:
        err(note)
    created = dataset.timeline.conversations["created_at"]
    if created.len() and created.is_null().all() and not everything:
        raise UsageError(
            f"{', '.join(data)}: the data has no creation time, so conversations cannot be "
            "placed in a period; use --all to report on the whole file"
        )
    return Run(config, dataset, period, now)


@app.command(cls=OptionalWeekCommand)
def report(
    data: DataOption,
    week: WeekOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    by: Annotated[
        list[str] | None,
        typer.Option(help="Break down by channel, agent, team, topic or priority (repeatable)."),
    ] = None,
    metric: Annotated[
        list[str] | None, typer.Option(help="Only these metrics (repeatable); default all.")
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(help="Keep conversations with FIELD=VALUE[,VALUE] (repeatable)."),
    ] = None,
    everything: AllOption = False,
    output_format: OutputFormatOption = OutputFormat.table,
    output: Annotated[
        Path | None,
        typer.Option(
            help="Write the report to this file, or into this folder as carecli-<period>.<ext>."
        ),
    ] = None,
    email: Annotated[
        list[str] | None,
        typer.Option(help="Email the report (Markdown + HTML) to this address (repeatable)."),
    ] = None,
    weeks_back: Annotated[
        int, typer.Option(min=1, max=104, help="Weeks in the md/html trend, ending with this one.")
    ] = 6,
    preset: PresetOption = None,
    format_in: FormatInOption = None,
    tz: TzOption = None,
    clock: ClockOption = None,
    as_of: AsOfOption = None,
    config: ConfigOption = None,
    show_traceback: TracebackOption = False,
) -> None:
    """Compute every KPI for a period, with the change versus the previous period."""
    with exit_codes(show_traceback):
        from carecli.report import build_report, check_names, parse_filters
        from carecli.sla import evaluate

        group_by, metrics = by or [], metric or []
        check_names(group_by, metrics)
        filters = parse_filters(where or [])
        digest = output_format in (OutputFormat.md, OutputFormat.html) or bool(email)
        if digest and not group_by:
            group_by = ["channel"]  # the weekly digest always has its by-channel tables
        run = start_run(
            data, config, week, since, until, tz, as_of, format_in, everything, preset, clock
        )
        if email and run.config.smtp is None:
            raise UsageError("--email needs an smtp: section in the config (see docs/reports.md)")
        result = build_report(run.dataset, run.period, run.config, group_by, metrics, filters)
        outcomes = evaluate(run.dataset.timeline, run.config.slas, run.period, run.config, run.now)
        if result.overall.current.get("volume", {}).get("conversations") == 0:
            summary = run.dataset.summary()
            err(
                f"warning: no conversations in {run.period.label}; the data covers "
                f"{summary['first_conversation_at']} to {summary['last_conversation_at']}"
            )
        colour = _use_colour() and output is None
        render = Renderer(run, result, outcomes, filters, weeks_back, colour)
        text = render(output_format)
        if output is not None:
            from carecli.output import write_atomic

            write_atomic(output_path(output, run.period, output_format), text)
        if email:
            from carecli.mail import build_message, send, subject_for
            from carecli.sla import overall_status

            assert run.config.smtp is not None
            status = overall_status(outcomes) if outcomes else None
            message = build_message(
                subject_for(run.period, status),
                run.config.smtp.sender,
                email,
                render(OutputFormat.md),
                render(OutputFormat.html),
            )
            send(run.config.smtp, message)
            err(f"report emailed to {', '.join(email)}")
        if output is None and not email:
            typer.echo(text, nl=False)


EXTENSIONS = {"table": "txt", "json": "json", "md": "md", "html": "html"}


def output_path(output: Path, period: Period, output_format: OutputFormat) -> Path:
    """--output: a file, or a folder that gets a dated name such as carecli-2026-W47.html."""
    if output.is_dir():
        from carecli.render.markdown import output_filename

        return output / output_filename(period, EXTENSIONS[output_format.value])
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
            from carecli.trend import daily_volume, weekly_trend

            run = self.run
            trend = weekly_trend(run.dataset, run.period, run.config, self.weeks, self.filters)
            daily = daily_volume(run.dataset, run.period, run.config, self.filters)
            self._extras = (trend, what_changed(self.result), daily)
        return self._extras

    def __call__(self, output_format: OutputFormat) -> str:
        if output_format is OutputFormat.json:
            from carecli.render import json as json_render

            return json_render.render(self.result, self.outcomes)
        if output_format is OutputFormat.table:
            from carecli.render import table

            return table.render(self.result, self.outcomes, color=self.color, width=_width())
        from carecli.render import html, markdown

        trend, summary, daily = self.extras()
        module = markdown if output_format is OutputFormat.md else html
        return module.render(self.result, self.outcomes, trend, summary, daily)


@app.command(cls=OptionalWeekCommand)
def check(
    data: DataOption,
    week: WeekOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on warn levels too, not only on fail.")
    ] = False,
    junit: Annotated[
        Path | None,
        typer.Option(help="Also write JUnit XML here (one testcase per target and scope)."),
    ] = None,
    list_breaches: Annotated[
        int,
        typer.Option(
            "--list-breaches",
            min=0,
            help="List the N worst conversations of each breached target.",
        ),
    ] = 0,
    everything: AllOption = False,
    output_format: OutputFormatOption = OutputFormat.table,
    preset: PresetOption = None,
    format_in: FormatInOption = None,
    tz: TzOption = None,
    clock: ClockOption = None,
    as_of: AsOfOption = None,
    config: ConfigOption = None,
    show_traceback: TracebackOption = False,
) -> None:
    """Evaluate the SLA targets of the config: exit 0 if all hold, 1 on a breach."""
    with exit_codes(show_traceback):
        from carecli.output import write_atomic
        from carecli.render import check as check_render
        from carecli.render import junit as junit_render
        from carecli.sla import evaluate, exit_code

        run = start_run(
            data, config, week, since, until, tz, as_of, format_in, everything, preset, clock
        )
        if not run.config.slas:
            where = run.config.path or "the config"
            raise UsageError(
                f"{where}: no SLA targets; add an slas: list (see config.example.yaml)"
            )
        outcomes = evaluate(run.dataset.timeline, run.config.slas, run.period, run.config, run.now)
        if junit is not None:
            write_atomic(junit, junit_render.render(outcomes, run.period, strict))
        if output_format is OutputFormat.json:
            text = check_render.render_json(outcomes, run.period, run.now, strict, list_breaches)
        else:
            text = check_render.render_table(
                outcomes, run.period, list_breaches, color=_use_colour(), width=_width()
            )
        typer.echo(text, nl=False)
    raise typer.Exit(exit_code(outcomes, strict))


@app.command()
def validate(
    config: ConfigOption = None,
    show_traceback: TracebackOption = False,
) -> None:
    """Check the config file alone (keys, SLA targets): exit 0 if valid, 2 if not."""
    with exit_codes(show_traceback):
        from carecli.config import find_config_path, parse_config

        path = find_config_path(config)
        if path is None:
            raise UsageError(
                "no config file: pass --config FILE, set $CARECLI_CONFIG or add ./carecli.yaml"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{path}: cannot read config file ({exc})") from None
        from carecli.errors import ConfigError

        try:
            settings = parse_config(text, path)
        except ConfigError as exc:
            for problem in exc.problems:
                err(f"error: {problem}")
            raise typer.Exit(ExitCode.USAGE_OR_DATA_ERROR) from None
        typer.echo(
            f"{path}: valid ({len(settings.slas)} SLA targets, timezone {settings.timezone})"
        )


presets_app = typer.Typer(
    help="The built-in column mappings for known exports.", no_args_is_help=True
)
app.add_typer(presets_app, name="presets")


@presets_app.command("list")
def presets_list(show_traceback: TracebackOption = False) -> None:
    """List the built-in presets and the header columns that identify each."""
    with exit_codes(show_traceback):
        from carecli import presets

        for name, found in presets.available().items():
            typer.echo(f"{name:16} {found.title}")
            typer.echo(f"{'':16} detected by: {', '.join(found.detect)}")


@presets_app.command("show")
def presets_show(
    name: Annotated[str, typer.Argument(help="A preset name from `carecli presets list`.")],
    show_traceback: TracebackOption = False,
) -> None:
    """Print a preset's YAML: copy its settings into your config to adapt them."""
    with exit_codes(show_traceback):
        from carecli import presets

        typer.echo(presets.get(name).text, nl=False)


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="The export to look at.", show_default=False)],
    preset: PresetOption = None,
    format_in: FormatInOption = None,
    rows: Annotated[int, typer.Option(min=0, help="How many sample rows to show.")] = 5,
    config: ConfigOption = None,
    show_traceback: TracebackOption = False,
) -> None:
    """Show how carecli reads a file: format, preset, mapping, time range, problems."""
    with exit_codes(show_traceback):
        from carecli.config import load_config
        from carecli.inspect import inspect_file, render

        settings = load_config(config)
        typer.echo(render(inspect_file(file, settings, format_in, preset), rows), nl=False)


def main() -> None:
    """Console-script entry point."""
    app()
