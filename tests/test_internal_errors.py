"""Inputs that ended in an internal error (exit 3) or a signal (issue 22): each is now exit 2
with a one-line reason, or handled (JUnit XML stays parsable, Ctrl-C exits 130)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecli import interrupts
from carecli.cli.app import app

REPO = Path(__file__).resolve().parent.parent
MESSAGES = REPO / "sample_data" / "messages.jsonl"
HEADER = "conversation_id,created_at,first_response_at,resolved_at,channel,agent,talk_seconds\n"


def _one_line_error(result: object, *parts: str) -> None:
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    assert stderr.startswith("carecli: error: ") or stderr.startswith("Usage:"), stderr
    if stderr.startswith("carecli: error: "):
        assert stderr.count("\n") == 1, stderr
    for part in parts:
        assert part in stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--week", "0001-W01"], "--week '0001-W01': carecli reads dates from 1900 to 2999"),
        (["--week", "9999-W52"], "--week '9999-W52': carecli reads dates from 1900 to 2999"),
        (["--since", "0001-01-01"], "--since '0001-01-01': carecli reads dates from 1900"),
        (["--since", "2026-01-01", "--until", "9999-12-31"], "--until '9999-12-31': carecli"),
        (["--as-of", "0001-01-02"], "--as-of '0001-01-02': carecli reads dates from 1900"),
        (["--as-of", "9999-12-31T23:59:59"], "--as-of '9999-12-31T23:59:59': carecli reads"),
        # The md/html trend reached back before year 1.
        (["--week", "0001-W03", "-f", "html"], "--week '0001-W03': carecli reads dates"),
    ],
)
def test_extreme_dates_on_the_command_line(
    runner: CliRunner, options: list[str], message: str
) -> None:
    result = runner.invoke(app, ["report", "--data", str(MESSAGES), *options])
    _one_line_error(result, message)


@pytest.mark.parametrize(
    "stamp",
    [
        "0000-01-01T00:00:00Z",
        "+10000-01-01T00:00:00Z",
        "9999-12-31T00:00:00Z",
        "1899-12-31T23:00:00Z",
    ],
)
def test_data_timestamps_outside_the_years_read(
    runner: CliRunner, tmp_path: Path, stamp: str
) -> None:
    data = tmp_path / "t.csv"
    data.write_text(HEADER + f"C1,2026-11-16T10:00:00Z,,{stamp},email,Ann,\n", encoding="utf-8")
    result = runner.invoke(app, ["report", "--all", "--data", str(data)])
    _one_line_error(
        result,
        f"t.csv: row 1: column 'resolved_at' (resolved_at) '{stamp}' is outside the years "
        "1900-2999 carecli reads; if it stands for 'no date', leave the cell empty",
    )
    shown = runner.invoke(app, ["inspect", str(data)])  # inspect lists it, and goes on
    assert shown.exit_code == 0, shown.output
    assert "outside the years" in shown.stdout


@pytest.mark.parametrize("fmt", ["table", "md", "html", "json", "csv"])
def test_handle_times_near_the_float_limit(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    data = tmp_path / "t.csv"
    rows = "".join(f"C{i},2026-11-16T10:00:00Z,,,email,Ann,1.7e308\n" for i in range(2))
    data.write_text(HEADER + rows, encoding="utf-8")
    result = runner.invoke(app, ["report", "--week", "2026-W47", "--data", str(data), "-f", fmt])
    _one_line_error(result, "column 'talk_seconds' (talk_seconds) '1.7e+308' is out of range")


@pytest.mark.parametrize("separator", ["\u00a7", "\u20ac", "ab", '"'])
def test_csv_separator_must_be_one_ascii_character(
    runner: CliRunner, tmp_path: Path, separator: str
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(f"csv_separator: '{separator}'\n".replace("''''", "'\"'"), encoding="utf-8")
    for command in (["validate"], ["report", "--data", str(MESSAGES)]):
        result = runner.invoke(app, [*command, "--config", str(config)])
        _one_line_error(result, "csv_separator:", "must be a single character, ASCII")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("smtp: {host: a..b, sender: a@b.c}\n", "smtp.host: 'a..b' is not a host name: an "
         "empty part between dots"),
        (f"smtp: {{host: {'a' * 64}.com, sender: a@b.c}}\n", "is longer than 63 characters"),
        ("smtp: {host: localhost, sender: a@b.c, timeout: .inf}\n", "smtp.timeout: inf is not "
         "a number of seconds above 0, at most 3600"),
        ("smtp: {host: localhost, sender: a@b.c, timeout: .nan}\n", "smtp.timeout: nan"),
        ("csat: !!int 1e3\n", "c.yaml:1: invalid YAML: '1e3' is not a valid !!int; remove "
         "the tag or correct the value"),
        ("timezone: UTC\nslas:\n  - name: !!float abc\n", "c.yaml:3: invalid YAML: 'abc' is "
         "not a valid !!float"),
    ],
)  # fmt: skip
def test_config_values_that_crashed(
    runner: CliRunner, tmp_path: Path, text: str, message: str
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(text, encoding="utf-8")
    _one_line_error(runner.invoke(app, ["validate", "--config", str(config)]), message)


def test_a_header_field_over_128_kib(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text(f"conversation_id,created_at,{'x' * 140_000}\nC1,2026-11-16,a\n")
    result = runner.invoke(app, ["report", "--all", "--data", str(data)])
    _one_line_error(result, "t.csv: line 1: unreadable header (field larger than field limit")


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--data", str(MESSAGES), "--list-breaches", str(2**64)],
        ["inspect", str(MESSAGES), "--rows", str(2**64)],
    ],
)
def test_counts_of_rows_to_show_beyond_any_integer(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, command)
    _one_line_error(result, "Invalid value for '--")


def test_junit_xml_parses_whatever_the_names_hold(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    rows = "C1,2026-11-16T10:00:00Z,2026-11-16T12:00:00Z,,email,Ann\x01\x1b[31m\x7f,\n"
    data.write_text(HEADER + rows, encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text(
        'slas:\n  - name: "Fast\\x1b\\x00 \\ufffe"\n    metric: first_response_time\n'
        "    statistic: p90\n    per: agent\n    fail: 1h\n",
        encoding="utf-8",
    )
    junit = tmp_path / "sla.xml"
    result = runner.invoke(app, ["check", "--all", "--data", str(data), "-c", str(config),
                                 "--junit", str(junit)])  # fmt: skip
    assert result.exit_code == 1, result.output
    cases = ET.parse(junit).getroot().findall(".//testcase")
    assert [case.get("name") for case in cases] == ["Fast  [agent=Ann[31m\x7f]"]


def test_ctrl_c_inside_a_write_unwinds_and_elsewhere_exits() -> None:
    with pytest.raises(KeyboardInterrupt), interrupts.unwinding():
        interrupts._on_interrupt(signal.SIGINT, None)


@pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="needs Linux /proc")
def test_ctrl_c_exits_130_with_one_line(tmp_path: Path) -> None:
    """A real process, interrupted while it waits to write its report into a FIFO that
    nobody reads (the kernel says so in /proc/PID/wchan)."""
    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "carecli", "report", "--week", "2026-W47", "-f", "json",
               "--data", str(MESSAGES), "--output", str(fifo)]  # fmt: skip
    # The command itself, not its parent (test_supervisor.py): its wchan is the FIFO wait.
    env = {**os.environ, "CARECLI_SUPERVISED": "1"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    wchan = Path(f"/proc/{process.pid}/wchan")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if wchan.read_text() == "wait_for_partner":  # blocked opening the FIFO
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=20)
    assert process.returncode == 130, stderr
    assert stderr.decode().splitlines()[-1] == "carecli: interrupted; nothing was written"
    assert "Traceback" not in stderr.decode()
    assert stdout == b""
