"""The commands about settings rather than data: `validate` (the config) and `presets`."""

from __future__ import annotations

from typing import Annotated

import typer

from carecli.cli.common import ConfigOption, TracebackOption, err, exit_codes
from carecli.errors import UsageError
from carecli.exit_codes import ExitCode


def validate(
    config: ConfigOption = None,
    show_traceback: TracebackOption = False,
) -> None:
    """Check the config file alone (keys, SLA targets): exit 0 if valid, 2 if not."""
    with exit_codes(show_traceback):
        from carecli.config.files import find_config_path, read_config_text
        from carecli.config.model import parse_config

        path = find_config_path(config)
        if path is None:
            raise UsageError(
                "no config file: pass --config FILE, set $CARECLI_CONFIG or add ./carecli.yaml"
            )
        text = read_config_text(path)
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


@presets_app.command("list")
def presets_list(show_traceback: TracebackOption = False) -> None:
    """List the built-in presets and the header columns that identify each."""
    with exit_codes(show_traceback):
        from carecli.input import presets

        for name, found in presets.available().items():
            typer.echo(f"{name:16} {found.title}")
            typer.echo(f"{'':16} detected by: {', '.join(found.detect)}")


@presets_app.command("show")
def presets_show(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="A preset name from `carecli presets list`.")
    ],
    show_traceback: TracebackOption = False,
) -> None:
    """Print a preset's YAML: copy its settings into your config to adapt them."""
    with exit_codes(show_traceback):
        from carecli.input import presets

        typer.echo(presets.get(name).text, nl=False)
