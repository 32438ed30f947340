"""Output safety through the real CLI: hostile names in every format, CSV formula
injection, atomic writes that survive a killed run, and --output that stays in its folder."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from carecli.cli.app import app
from carecli.delivery.output import output_path, write_atomic
from carecli.errors import UsageError
from carecli.periods import Period, parse_week
from carecli.render import OutputFormat
from carecli.render.csv import neutralize

SCRIPT = "<script>alert(1)</script>"
PIPE = "Ann|Lee\nSmith"
MARKUP = "[/bold] [red]Bo[/red]"
ESCAPE = "Eve\x1b]0;owned\x07\x1b[2J"
# (A leading tab or CR is trimmed away on input, so only `neutralize` itself sees them.)
FORMULAS = ("=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3", "@HYPERLINK(1)")
AGENTS = (SCRIPT, PIPE, MARKUP, ESCAPE, *FORMULAS)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """One conversation per hostile agent name in 2026-W47, all on email."""
    rows: list[dict[str, Any]] = []
    for i, agent in enumerate(AGENTS):
        cid = f"c{i}"
        rows.append(
            {"conversation_id": cid, "timestamp": f"2026-11-17T09:{i:02d}:00Z",
             "role": "customer", "channel": "email", "team": agent}
        )  # fmt: skip
        rows.append(
            {"conversation_id": cid, "timestamp": f"2026-11-17T10:{i:02d}:00Z",
             "role": "agent", "agent": agent, "team": agent}
        )  # fmt: skip
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run(path: Path, *args: str) -> str:
    result = CliRunner().invoke(
        app, ["report", "--week", "2026-W47", "--as-of", "2026-11-25", "--data", str(path), *args]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_html_escapes_every_name(hostile: Path) -> None:
    page = run(hostile, "--format", "html", "--by", "agent")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "[/bold] [red]Bo[/red]" in page
    assert "\x1b" not in page and "\x07" not in page  # control characters dropped


def test_markdown_tables_survive_every_name(hostile: Path) -> None:
    text = run(hostile, "--format", "md", "--by", "agent")
    assert SCRIPT not in text
    assert r"\<script\>alert(1)\</script\>" in text
    assert r"Ann\|Lee Smith" in text  # the pipe escaped, the newline a space
    assert "\x1b" not in text and "\x07" not in text
    table = text.split("## By agent", 1)[1].split("\n\n")[1].splitlines()
    cells = {len([c for c in _split_unescaped(line)]) for line in table}
    assert len(cells) == 1, table  # every row has the header's column count
    assert len(table) == 2 + len(AGENTS)  # header, rule, one line per agent: none split


def _split_unescaped(line: str) -> list[str]:
    import re

    return re.split(r"(?<!\\)\|", line)[1:-1]


def test_terminal_table_shows_markup_as_text_and_drops_escapes(hostile: Path) -> None:
    text = run(hostile, "--by", "agent")
    assert "[/bold]" in text and "[red]Bo" in text  # literal (folded), not a style
    assert "\x1b" not in text  # no colour asked for, and none smuggled in
    assert "owned" in text  # the rest of the name is still shown


def test_check_table_shows_markup_as_text(hostile: Path, tmp_path: Path) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_text(
        "slas:\n  - name: '[/bold] first response'\n    metric: first_response_time\n"
        "    statistic: max\n    fail: 1m\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app,
        ["check", "--week", "2026-W47", "--as-of", "2026-11-25", "--data", str(hostile),
         "--config", str(config), "--list-breaches", "9"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "[/bold] first response" in result.stdout
    assert "\x1b" not in result.stdout


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_neutralises_formulas_and_keeps_numbers(hostile: Path) -> None:
    text = run(hostile, "--format", "csv", "--by", "agent")
    rows = _csv_rows(text)
    agents = {row["agent"] for row in rows if row["scope"] == "group"}
    for formula in FORMULAS:
        assert "'" + formula in agents
        assert formula not in agents
    assert SCRIPT in agents  # not a formula: kept as it is
    assert PIPE in agents  # the newline is quoted by the CSV writer, not lost
    for row in rows:  # no text cell may start a formula
        assert not any(v.startswith(("=", "+", "@", "\t", "\r")) for v in row.values()), row
    overall = {(r["metric"], r["statistic"]): r for r in rows if r["scope"] == "overall"}
    assert overall[("volume", "conversations")]["value"] == str(len(AGENTS))
    assert overall[("first_response_time", "median")]["value"] == "3600.0"
    assert overall[("volume", "conversations")]["period"] == "2026-W47"
    assert overall[("volume", "conversations")]["previous_period"] == "2026-W46"
    assert overall[("volume", "conversations")]["previous_value"] == "0"
    assert overall[("csat", "rate")]["value"] == ""  # not available: empty, never 0


def test_csv_keeps_negative_numbers_as_numbers(tmp_path: Path) -> None:
    """NPS -100 is a number carecli wrote: it must stay numeric in a spreadsheet."""
    path = tmp_path / "nps.csv"
    path.write_text(
        "conversation_id,timestamp,role,event,nps\nc1,2026-11-17T09:00:00Z,customer,,\n"
        "c1,2026-11-17T10:00:00Z,,nps,0\n",
        encoding="utf-8",
    )
    rows = _csv_rows(run(path, "--format", "csv"))
    score = next(r for r in rows if (r["metric"], r["statistic"]) == ("nps", "score"))
    assert score["value"] == "-100.0"


def test_neutralize() -> None:
    assert neutralize("=1+1") == "'=1+1"
    assert neutralize("\rx") == "'\rx"
    assert neutralize("Ann") == "Ann"
    assert neutralize("") == ""


def test_csv_into_a_folder(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    assert run(hostile, "--format", "csv", "--output", str(out)) == ""
    assert [p.name for p in out.iterdir()] == ["carecli-2026-W47.csv"]


def test_check_refuses_formats_it_cannot_print(hostile: Path, tmp_path: Path) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_text("slas:\n  - {name: CSAT, metric: csat, fail: 90%}\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["check", "--week", "2026-W47", "--format", "csv", "--config", str(config),
              "--data", str(hostile)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == "carecli: error: --format csv: check prints table or json\n"


# --- --output stays in its folder ---------------------------------------------------------


@pytest.mark.parametrize(
    "label", ["../../etc/passwd", "..", "/abs/path", "a\\..\\b", "2026-11-01..2026-11-08", ""]
)
def test_folder_output_name_never_leaves_the_folder(label: str, tmp_path: Path) -> None:
    week = parse_week("2026-W47", "UTC", _now())
    period = Period(week.start, week.end, label, "range")
    target = output_path(tmp_path, period, OutputFormat.html)
    assert target.parent == tmp_path
    assert target.name.startswith("carecli-") and target.name.endswith(".html")
    assert "/" not in target.name and "\\" not in target.name


def test_folder_output_refuses_a_name_that_would_escape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Belt and braces: even if the name builder changed, the path is checked."""
    from carecli.render import formats

    monkeypatch.setattr(formats, "output_filename", lambda period, fmt: f"../escaped.{fmt}")
    period = parse_week("2026-W47", "UTC", _now())
    with pytest.raises(UsageError, match="cannot build a safe file name"):
        output_path(tmp_path, period, OutputFormat.md)


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 11, 25, tzinfo=UTC)


# --- atomic writes ----------------------------------------------------------------------


def test_an_interrupted_write_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    target.write_text("previous report", encoding="utf-8")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt  # Ctrl-C after the text is written, before the rename

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new report " * 10_000)
    assert target.read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temp file left


def test_a_full_disk_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out" / "report.md"
    target.parent.mkdir()
    target.write_text("previous report", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(UsageError, match=r"report\.md: cannot write the file \(No space left"):
        write_atomic(target, "new report")
    assert target.read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in target.parent.iterdir()] == ["report.md"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_run_leaves_the_previous_report_intact(hostile: Path, tmp_path: Path) -> None:
    """A real `carecli report --output` process, killed (SIGKILL) mid-write."""
    target = tmp_path / "weekly.html"
    target.write_text("last week's report", encoding="utf-8")
    # The child kills itself once the new report is written to the temporary file.
    child = textwrap.dedent(
        f"""
        import os, signal, sys
        os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)
        from carecli.cli.app import main
        sys.argv = ["carecli", "report", "--week", "2026-W47", "--format", "html",
                    "--data", {str(hostile)!r}, "--output", {str(target)!r}]
        main()
        """
    )
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert target.read_text(encoding="utf-8") == "last week's report"
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".weekly.html.")]
    assert len(leftovers) == 1 and leftovers[0].read_text(encoding="utf-8").startswith(
        "<!DOCTYPE html>"
    )  # the new report was complete, but only a rename makes it the report


def test_a_report_is_written_whole(hostile: Path, tmp_path: Path) -> None:
    target = tmp_path / "weekly.md"
    target.write_text("last week's report", encoding="utf-8")
    assert run(hostile, "--format", "md", "--output", str(target)) == ""
    assert target.read_text(encoding="utf-8").startswith("# carecli weekly report — 2026-W47")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("output_format", "name"),
    [(OutputFormat.table, "carecli-2026-W47.txt"), (OutputFormat.json, "carecli-2026-W47.json")],
)
def test_folder_output_names_the_file_by_format(
    output_format: OutputFormat, name: str, tmp_path: Path
) -> None:
    period = parse_week("2026-W47", "UTC", _now())
    assert output_path(tmp_path, period, output_format) == tmp_path / name
