"""A data file that changes while carecli reads it (an export still being written, a
rotation) is one line and exit 2, "the file changed while it was read", never wrong
numbers, an internal error or a signal.

The change is made deterministically between carecli's look at the file and the read,
by wrapping open_source (the first read of each file) in the module that calls it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner, Result

from carecli.cli import inspect as inspect_module
from carecli.cli.app import app
from carecli.errors import InputError
from carecli.input.load import open_source, reading
from carecli.report import build as report_module

REPO = Path(__file__).resolve().parent.parent
SAMPLES = {
    "jsonl": REPO / "sample_data" / "messages.jsonl",
    "csv": REPO / "sample_data" / "conversations.csv",
}
WEEK = ["--week", "2026-W47", "--as-of", "2026-11-25"]


def _half_at_a_line(path: Path) -> None:
    data = path.read_bytes()
    os.truncate(path, data.rindex(b"\n", 0, len(data) // 2) + 1)


def _half_mid_line(path: Path) -> None:
    data = path.read_bytes()
    os.truncate(path, data.rindex(b"\n", 0, len(data) // 2) + 10)


def _append(path: Path) -> None:
    data = path.read_bytes()
    lines = data.splitlines(keepends=True)
    with path.open("ab") as handle:
        handle.write(b"".join(lines[1:50]))  # more rows of the same kind, header left out


def _replace(path: Path) -> None:
    # A new export renamed over the old one (same content, another inode).
    fresh = path.with_name(path.name + ".new")
    fresh.write_bytes(path.read_bytes())
    os.replace(fresh, path)


CHANGES: dict[str, Callable[[Path], None]] = {
    "truncated-at-a-line": _half_at_a_line,
    "truncated-mid-line": _half_mid_line,
    "appended": _append,
    "replaced": _replace,
}


def _changing(module: Any, monkeypatch: pytest.MonkeyPatch, change: Callable[[Path], None]):
    """Make `change` happen to each file just before `module.open_source` reads it."""
    original = module.open_source

    def open_after_change(path: Path, *args: Any, **kwargs: Any) -> Any:
        change(path)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(module, "open_source", open_after_change)


def assert_changed(result: Result, path: Path) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"carecli: error: {path}: the file changed while it was read; "), line


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_report_on_a_file_that_changes_while_read(
    fmt: str, change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / f"export.{fmt}"
    data.write_bytes(SAMPLES[fmt].read_bytes())
    _changing(report_module, monkeypatch, CHANGES[change])
    result = CliRunner().invoke(app, ["report", *WEEK, "-f", "json", "--data", str(data)])
    assert_changed(result, data)


def test_parquet_that_changes_while_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "export.parquet"
    pl.read_ndjson(SAMPLES["jsonl"], infer_schema_length=None).write_parquet(data)
    _changing(report_module, monkeypatch, lambda path: os.truncate(path, 1000))
    result = CliRunner().invoke(app, ["report", *WEEK, "--data", str(data)])
    assert_changed(result, data)


def test_check_names_the_file_of_several_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = SAMPLES["jsonl"].read_bytes().splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(b"".join(lines[: len(lines) // 2]))
    second.write_bytes(b"".join(lines[len(lines) // 2 :]))
    config = tmp_path / "carecli.yaml"
    config.write_text("slas:\n  - {name: CSAT, metric: csat, fail: 80%}\n", encoding="utf-8")
    _changing(report_module, monkeypatch, lambda p: _half_at_a_line(p) if p == second else None)
    args = ["check", *WEEK, "--config", str(config), "--data", str(tmp_path / "*.jsonl")]
    assert_changed(CliRunner().invoke(app, args), second)


def test_inspect_on_a_file_that_changes_while_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "export.jsonl"
    data.write_bytes(SAMPLES["jsonl"].read_bytes())
    _changing(inspect_module, monkeypatch, _half_at_a_line)
    assert_changed(CliRunner().invoke(app, ["inspect", str(data)]), data)


def test_an_unchanged_file_reads_as_before(tmp_path: Path) -> None:
    data = tmp_path / "export.jsonl"
    data.write_bytes(SAMPLES["jsonl"].read_bytes())
    result = CliRunner().invoke(app, ["report", *WEEK, "-f", "json", "--data", str(data)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_real_process_exits_2_not_by_a_signal(fmt: str, tmp_path: Path) -> None:
    """The real entry point in its own process: the exit status is 2, not a signal."""
    data = tmp_path / f"export.{fmt}"
    data.write_bytes(SAMPLES[fmt].read_bytes())
    child = textwrap.dedent(
        f"""
        import os, sys
        from carecli.report import build as report

        original = report.open_source

        def open_after_truncation(path, *args, **kwargs):
            os.truncate(path, os.path.getsize(path) // 2)
            return original(path, *args, **kwargs)

        report.open_source = open_after_truncation
        from carecli.cli.app import main
        sys.argv = ["carecli", "report", "--week", "2026-W47", "--data", {str(data)!r}]
        main()
        """
    )
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, timeout=120)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stdout == b""
    (line,) = done.stderr.decode().splitlines()
    assert line.startswith(f"carecli: error: {data}: the file changed while it was read; ")


def test_a_read_error_of_the_reader_names_the_file(tmp_path: Path) -> None:
    # polars raises a plain OSError for a file cut short under it ("failed to fill whole
    # buffer"): a one-line InputError naming the file, not an internal error.
    data = tmp_path / "export.csv"
    data.write_text("conversation_id,timestamp\nc1,2026-11-17T09:00:00Z\n", encoding="utf-8")
    source = open_source(data)

    def cut_short() -> None:
        raise OSError("failed to fill whole buffer")

    with pytest.raises(InputError, match=r"export\.csv: cannot read the file \(failed to fill"):
        reading(source, cut_short)
