"""The console script: Ctrl-C is handled before the heavy imports (typer, rich, polars)
start, so an early Ctrl-C too ends with one line and exit 130, not an import traceback.

Commands that read data run in a child process watched by a small parent. polars
memory-maps the files it reads, and a file cut short while mapped (an export still being
written, a log rotated) kills the reader with SIGBUS: no handler can recover from that
in the process itself. The parent turns the child's death by a signal into the one-line
error and exit code every other failure gets.
"""

from __future__ import annotations

import os
import signal
import sys

SUPERVISED = "CARECLI_SUPERVISED"  # set in the child: run the command itself
# The commands that read data files; the others (--help, validate, presets) run directly.
_DATA_COMMANDS = frozenset({"report", "check", "inspect"})
_CHANGED = (
    "carecli: error: a data file changed while it was read (it was cut short under the "
    "reader); wait until it is completely written (or read a copy of it) and run again\n"
)


def main() -> None:
    arguments = sys.argv[1:]
    reads_data = _DATA_COMMANDS.intersection(arguments[:1]) and "--help" not in arguments
    if reads_data and os.environ.get(SUPERVISED) != "1":
        sys.exit(supervise([sys.executable, "-m", "carecli", *arguments]))
    # Imported here: the supervising parent needs none of it (each import is time at the
    # start of every run).
    from carecli import interrupts

    interrupts.install()
    from carecli.cli.app import main as run_app

    run_app()


def supervise(command: list[str]) -> int:
    """Run `command` as the child (same stdin, stdout, stderr) and return its exit code;
    a death by signal becomes a one-line message and an exit code (never a signal)."""
    import subprocess

    child = subprocess.Popen(command, env={**os.environ, SUPERVISED: "1"})

    # A stop sent to this process (a `kill`, a cron timeout) goes to the child, which says
    # so and exits; Ctrl-C in a terminal reaches both, and the child handles it once.
    def forward(signum: int, _: object) -> None:
        child.send_signal(signum)

    for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, forward)
    code = child.wait()
    if code >= 0:
        return code
    return _after_signal(-code)


def _after_signal(number: int) -> int:
    if number == signal.SIGBUS:
        os.write(2, _CHANGED.encode())
        return 2
    if number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        return 128 + number  # stopped from outside, as a shell reports it
    name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
    kind = "out of memory? " if number == signal.SIGKILL else ""
    os.write(
        2,
        f"carecli: internal error: the run was ended by signal {name} ({kind}this may be a "
        "bug in carecli; rerun with --traceback and report it)\n".encode(),
    )
    return 3
