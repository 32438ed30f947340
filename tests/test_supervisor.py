"""The console script's parent process: a child killed by a signal never leaves the
caller with a signal, only with a one-line reason and carecli's exit codes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from carecli.cli.entry import supervise

ROOT = Path(__file__).resolve().parents[1]


def _dies_by(signum: int) -> list[str]:
    return [sys.executable, "-c", f"import os; os.kill(os.getpid(), {int(signum)})"]


def test_a_reader_killed_by_sigbus_is_a_changed_file(capfd: pytest.CaptureFixture) -> None:
    # A real SIGBUS, as polars gets when a memory-mapped file is cut short under it.
    assert supervise(_dies_by(signal.SIGBUS)) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("carecli: error: a data file changed while it was read")


def test_other_signals_are_internal_errors_or_outside_stops(
    capfd: pytest.CaptureFixture,
) -> None:
    assert supervise(_dies_by(signal.SIGSEGV)) == 3
    assert "internal error: the run was ended by signal SIGSEGV" in capfd.readouterr().err
    assert supervise(_dies_by(signal.SIGTERM)) == 128 + signal.SIGTERM
    assert supervise([sys.executable, "-c", "raise SystemExit(1)"]) == 1  # codes pass through


def test_the_console_script_runs_data_commands_under_the_parent(tmp_path: Path) -> None:
    script = (
        "import os, sys; from carecli.cli import entry\n"
        "entry.supervise = lambda command: print(command[1:3], os.environ.get('X')) or 0\n"
        "sys.argv = ['carecli', *sys.argv[1:]]; entry.main()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CARECLI_SUPERVISED"}
    run = subprocess.run(
        [sys.executable, "-c", script, "report", "--data", "x.jsonl"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert run.returncode == 0 and run.stdout.strip() == "['-m', 'carecli'] None"
    direct = subprocess.run(
        [sys.executable, "-m", "carecli", "--version"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert direct.returncode == 0 and direct.stdout.startswith("carecli ")


def test_a_stop_sent_to_the_parent_reaches_the_child(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    child = (
        "import pathlib, signal, sys, time\n"
        "signal.signal(signal.SIGINT, lambda *_: sys.exit(130))\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(30)\n"
    )
    parent = (
        "import sys; from carecli.cli.entry import supervise\n"
        f"sys.exit(supervise([sys.executable, '-c', {child!r}]))\n"
    )
    process = subprocess.Popen([sys.executable, "-c", parent])
    for _ in range(200):
        if ready.exists():
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)  # to the parent alone, as `kill -INT PID` does
    assert process.wait(timeout=10) == 130
