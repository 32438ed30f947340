"""Every output format on the shipped sample, byte for byte: a restructuring changes no output.

The expected files live in tests/golden/. After a deliberate change of an output, rewrite
them with `CARECLI_UPDATE_GOLDEN=1 pytest tests/test_golden.py` and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from factories import quiet
from typer.testing import CliRunner

from carecli.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
# Relative paths, run from the repo: outputs name the files, and a path's length would
# move the wrapping of the terminal tables from one checkout to another.
MESSAGES = "sample_data/messages.jsonl"
TICKETS = "sample_data/conversations.csv"
CONFIG = "config.example.yaml"
WEEK = ["--week", "2026-W46", "--config", CONFIG]

# name -> (arguments, expected exit code); `{out}` is a file the run writes.
CASES: dict[str, tuple[list[str], int]] = {
    "report.txt": (["report", "-d", MESSAGES, *WEEK], 0),
    "report.json": (["report", "-d", MESSAGES, *WEEK, "-f", "json"], 0),
    "report.csv": (["report", "-d", MESSAGES, *WEEK, "-f", "csv"], 0),
    "report.md": (["report", "-d", MESSAGES, *WEEK, "-f", "md"], 0),
    "report.html": (["report", "-d", MESSAGES, *WEEK, "-f", "html"], 0),
    "report-by-channel.txt": (["report", "-d", MESSAGES, *WEEK, "--by", "channel"], 0),
    "report-by-channel.json": (
        ["report", "-d", MESSAGES, *WEEK, "--by", "channel", "-f", "json"],
        0,
    ),
    "report-by-team.md": (["report", "-d", MESSAGES, *WEEK, "--by", "team", "-f", "md"], 0),
    "report-by-agent.csv": (["report", "-d", MESSAGES, *WEEK, "--by", "agent", "-f", "csv"], 0),
    "report-plain.json": (
        ["report", "-d", MESSAGES, *WEEK, "-f", "json", "--comparison", "plain"],
        0,
    ),
    "tickets.json": (["report", "-d", TICKETS, *WEEK, "-f", "json"], 0),
    "tickets.md": (["report", "-d", TICKETS, *WEEK, "-f", "md"], 0),
    "check.txt": (["check", "-d", MESSAGES, *WEEK, "--list-breaches", "3"], 1),
    "check.json": (["check", "-d", MESSAGES, *WEEK, "-f", "json"], 1),
    "check.junit.xml": (["check", "-d", MESSAGES, *WEEK, "--junit", "{out}"], 1),
    "tickets-check.txt": (["check", "-d", TICKETS, *WEEK], 1),
}


# What differs between two runs of the same command: when it ran.
_RUN_SPECIFIC = (
    (re.compile(r'"generated_at": "[^"]+"'), '"generated_at": "<generated>"'),
    (re.compile(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC"), "Generated <generated> UTC"),
)


def _stable(text: str) -> str:
    for pattern, replacement in _RUN_SPECIFIC:
        text = pattern.sub(replacement, text)
    return text


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_is_unchanged(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args, code = CASES[name]
    out = tmp_path / "written"
    args = [str(out) if a == "{out}" else a for a in args]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == code, result.output + result.stderr
    assert quiet(result.stderr) == ""
    produced = out.read_text(encoding="utf-8") if "{out}" in CASES[name][0] else result.stdout
    produced = _stable(produced)
    expected = GOLDEN / name
    if os.environ.get("CARECLI_UPDATE_GOLDEN"):
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(produced, encoding="utf-8")
    assert produced == expected.read_text(encoding="utf-8")
