"""The console script: Ctrl-C is handled before the heavy imports (typer, rich, polars)
start, so an early Ctrl-C too ends with one line and exit 130, not an import traceback."""

from __future__ import annotations

from carecli import interrupts


def main() -> None:
    interrupts.install()
    from carecli.cli.app import main as run_app

    run_app()
