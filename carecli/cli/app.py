"""The typer CLI: parses options, calls the core, maps outcomes and errors to exit codes.

Heavy imports (polars, rich) happen inside the commands so `--help` stays fast. Options
shared by several commands live in cli/common.py; the work itself is one core call
(carecli.core.run).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from carecli import __version__
from carecli.cli.common import (
    AllOption,
    AsOfOption,
    CheckAllOption,
    CheckFormatOption,
    ClockOption,
    ConfigOption,
    DataOption,
    FormatInOption,
    MemoryLimitOption,
    OptionalWeekCommand,
    OutputFormatOption,
    PresetOption,
    SinceOption,
    StrictDataOption,
    TracebackOption,
    TzOption,
    UntilOption,
    WeekOption,
    data_files,
    err,
    execute,
    exit_codes,
    use_colour,
    width,
)
from carecli.cli.config_commands import presets_app, validate
from carecli.errors import UsageError
from carecli.render import OutputFormat

app = typer.Typer(
    name="carecli",
    help="Customer-care KPIs from conversation logs: reports, SLA checks, weekly digests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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


@app.command(cls=OptionalWeekCommand)
def report(
    data: DataOption,
    week: WeekOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            metavar="FIELD",
            help="Break down by channel, agent, team, topic or priority (repeatable).",
        ),
    ] = None,
    metric: Annotated[
        list[str] | None,
        typer.Option(metavar="NAME", help="Only these metrics (repeatable); default all."),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            metavar="FIELD=VALUE", help="Keep conversations with FIELD=VALUE[,VALUE] (repeatable)."
        ),
    ] = None,
    everything: AllOption = False,
    output_format: OutputFormatOption = OutputFormat.table,
    output: Annotated[
        str | None,
        typer.Option(
            metavar="PATH",
            help="Write the report to this file, or into this folder (an existing one, or "
            "PATH/) as carecli-<period>.<ext>.",
        ),
    ] = None,
    email: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ADDRESS",
            help="Email the report (Markdown + HTML) to this address (repeatable); nothing is "
            "printed then (use --output to keep a copy).",
        ),
    ] = None,
    notify: Annotated[
        list[str] | None,
        typer.Option(
            metavar="[KIND=]URL",
            help="Post a summary to this chat webhook (repeatable): Slack, Teams or generic "
            "JSON by the URL's host, or say slack=, teams=, json=. Adds to the config's notify:.",
        ),
    ] = None,
    no_notify: Annotated[
        bool, typer.Option("--no-notify", help="Do not post to the config's notify: webhooks.")
    ] = False,
    weeks_back: Annotated[
        int,
        typer.Option(
            min=1, max=104, metavar="N", help="Weeks in the md/html trend, ending with this one."
        ),
    ] = 6,
    preset: PresetOption = None,
    format_in: FormatInOption = None,
    tz: TzOption = None,
    clock: ClockOption = None,
    as_of: AsOfOption = None,
    memory_limit: MemoryLimitOption = None,
    comparison: Annotated[
        str,
        typer.Option(
            "--comparison",
            metavar="<like-for-like|plain>",
            help="like-for-like: the previous period as of the same age as this one (both "
            "had equally long to be answered, resolved and rated); plain: as it is now.",
        ),
    ] = "like-for-like",
    strict_data: StrictDataOption = False,
    config: ConfigOption = None,
    show_traceback: TracebackOption = False,
) -> None:
    """Compute every KPI for a period, with the change versus the previous period."""
    with exit_codes(show_traceback):
        from carecli.cli.deliver import deliver, webhooks
        from carecli.config.notify import from_option
        from carecli.core import Request
        from carecli.delivery.output import check_destination, output_path, write_atomic
        from carecli.render.formats import FORMATS, Screen, render
        from carecli.report.build import check_names, parse_filters

        group_by, metrics = by or [], metric or []
        check_names(group_by, metrics)
        if comparison not in ("like-for-like", "plain"):
            raise UsageError(f"--comparison {comparison!r}: use like-for-like or plain")
        if output is not None:
            check_destination(output)
        for value in notify or []:
            from_option(value)  # a bad --notify URL stops before the data is read
        digest = FORMATS[output_format].needs_digest or bool(email)
        if digest and not group_by:
            group_by = ["channel"]  # the weekly digest always has its by-channel tables
        result = execute(
            Request(
                **_common(data, config, week, since, until, everything, tz, clock, as_of),
                memory_limit=memory_limit,
                input_format=format_in,
                preset=preset,
                strict_data=strict_data,
                group_by=tuple(group_by),
                metrics=tuple(metrics),
                filters=parse_filters(where or []),
                comparison=comparison.replace("-", "_"),
                digest_weeks=weeks_back if digest else None,
            )
        )
        if email and result.config.smtp is None:
            raise UsageError("--email needs an smtp: section in the config (see docs/reports.md)")
        hooks = webhooks(notify or [], result, use_config=not no_notify)
        text = render(output_format, result, Screen(use_colour() and output is None, width()))
        destination = None
        if output is not None:
            destination = output_path(output, result.period, output_format)
            write_atomic(destination, text, result.inputs)
            err(f"report written to {destination}")
        if output is None and not email:
            typer.echo(text, nl=False)  # before delivering: a failed post keeps the report
        deliver(result, email or [], hooks, destination)


def _common(
    data: list[str],
    config: Path | None,
    week: str | None,
    since: str | None,
    until: str | None,
    everything: bool,
    tz: str | None,
    clock: str | None,
    as_of: str | None,
) -> dict[str, object]:
    """The Request fields every data command takes from its options."""
    return {
        "data": tuple(data_files(data)),
        "config": config,
        "week": week,
        "since": since,
        "until": until,
        "everything": everything,
        "timezone": tz,
        "clock": clock,
        "as_of": as_of,
    }


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
        str | None,
        typer.Option(
            metavar="FILE", help="Also write JUnit XML here (one testcase per target and scope)."
        ),
    ] = None,
    list_breaches: Annotated[
        int,
        typer.Option(
            "--list-breaches",
            min=0,
            max=1_000_000,
            metavar="N",
            help="List the N worst conversations of each breached target.",
        ),
    ] = 0,
    everything: CheckAllOption = False,
    output_format: CheckFormatOption = OutputFormat.table,
    preset: PresetOption = None,
    format_in: FormatInOption = None,
    tz: TzOption = None,
    clock: ClockOption = None,
    as_of: AsOfOption = None,
    memory_limit: MemoryLimitOption = None,
    strict_data: StrictDataOption = False,
    config: ConfigOption = None,
    show_traceback: TracebackOption = False,
) -> None:
    """Evaluate the SLA targets of the config: exit 0 if all hold, 1 on a breach."""
    with exit_codes(show_traceback):
        from carecli.core import Request
        from carecli.delivery.output import check_destination, write_atomic
        from carecli.render import check as check_render
        from carecli.render import junit as junit_render
        from carecli.sla.evaluate import exit_code

        if output_format not in (OutputFormat.table, OutputFormat.json):
            raise UsageError(f"--format {output_format.value}: check prints table or json")
        if junit is not None:
            check_destination(junit, "--junit", folder_ok=False)
        result = execute(
            Request(
                **_common(data, config, week, since, until, everything, tz, clock, as_of),
                memory_limit=memory_limit,
                input_format=format_in,
                preset=preset,
                strict_data=strict_data,
                report=False,
            )
        )
        if not result.config.slas:
            if result.config.path is None:
                raise UsageError(
                    "no config file, so no SLA targets: pass --config FILE, set "
                    "$CARECLI_CONFIG or add ./carecli.yaml, with an slas: list"
                )
            raise UsageError(
                f"{result.config.path}: no SLA targets; add an slas: list (see config.example.yaml)"
            )
        outcomes = list(result.outcomes)
        if junit is not None:
            junit_xml = junit_render.render(outcomes, result.period, strict)
            write_atomic(Path(junit), junit_xml, result.inputs, "--junit")
        if output_format is OutputFormat.json:
            text = check_render.render_json(outcomes, result.basis, strict, list_breaches)
        else:
            text = check_render.render_table(
                outcomes, result.period, list_breaches, use_colour(), width(), result.basis
            )
        typer.echo(text, nl=False)
    raise typer.Exit(exit_code(outcomes, strict))


app.command()(validate)
app.add_typer(presets_app, name="presets")


@app.command()
def inspect(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The export to look at.", show_default=False)
    ],
    preset: PresetOption = None,
    format_in: FormatInOption = None,
    rows: Annotated[
        int, typer.Option(min=0, max=10_000, metavar="N", help="How many sample rows to show.")
    ] = 5,
    write_config: Annotated[
        Path | None,
        typer.Option(
            "--write-config",
            metavar="FILE",
            help="Write the proposed config (column mapping, spellings, date format) to FILE.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Let --write-config replace an existing file.")
    ] = False,
    config: ConfigOption = None,
    show_traceback: TracebackOption = False,
) -> None:
    """Show how carecli reads a file: format, preset, mapping, time range, problems; for
    unknown columns, the mapping it proposes (--write-config keeps it)."""
    with exit_codes(show_traceback):
        from carecli.cli.inspect import inspect_file, render
        from carecli.config.files import load_config
        from carecli.delivery.output import write_atomic
        from carecli.input.changed_input import unchanged

        if write_config is not None and write_config.exists() and not force:
            raise UsageError(
                f"--write-config {write_config}: the file exists; add --force to replace it, "
                "or name another file"
            )
        settings = load_config(config)
        with unchanged([file]):
            found = inspect_file(
                file, settings, format_in, preset, rows, always_propose=write_config is not None
            )
        typer.echo(render(found, width()), nl=False)
        if write_config is not None and found.proposal is not None:
            inputs = {file: "data file"}
            if settings.path is not None:
                inputs[settings.path] = "config file"
            write_atomic(write_config, found.proposal.text(), inputs, "--write-config")
            err(
                f"config written to {write_config}; report with: carecli report --all "
                f"--data {file} -c {write_config}"
            )


# polars allocates with jemalloc, which reads this variable when polars is first imported
# (inside the commands, after main). One arena instead of one per thread group: memory a
# finished partition frees is reused by the next one's threads instead of staying held
# by another arena. Measured on 10M events: peak 0.80 -> 0.68 GB, same time (2 cores).
# oversize_threshold: blocks up to 128 MiB (jemalloc's default: 8 MiB) stay in that arena
# too. jemalloc's separate arena for bigger blocks returns each to the kernel as soon as
# it is freed, and the next file's buffers fault the same pages in again, zeroed (100M
# events: ~5.2M -> ~4.4M page faults, system time ~33 -> ~28 s). Blocks over 128 MiB (the
# 10M timeline's columns) still go back at once: kept, they raise the peak under
# --memory-limit 883MB from 840 to 880 MB.
ALLOCATOR_SETTING = ("_RJEM_MALLOC_CONF", "narenas:1,oversize_threshold:134217728")


def main() -> None:
    """Console-script entry point."""
    name, value = ALLOCATOR_SETTING
    os.environ.setdefault(name, value)  # a user's own setting wins
    app()
