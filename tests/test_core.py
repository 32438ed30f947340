"""carecli.core.run: one call gives a Python user what the CLI shows, findings included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import event, msg, quiet, write_jsonl
from typer.testing import CliRunner

from carecli import CareError, Request, run
from carecli.cli.app import app
from carecli.render import OutputFormat
from carecli.render.formats import render

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "messages.jsonl"
CONFIG = ROOT / "config.example.yaml"


def _duplicated(tmp_path: Path) -> Path:
    rows = [
        msg("a", "2026-11-03 09:00", "customer", channel="email"),
        msg("a", "2026-11-03 09:30", "agent", agent="Ann"),
        event("a", "2026-11-03 10:00", "resolved"),
    ]
    return write_jsonl(tmp_path / "dup.jsonl", rows + rows[:1])  # one event exported twice


def test_findings_and_warnings_reach_a_python_caller(tmp_path: Path) -> None:
    result = run(Request(data=(_duplicated(tmp_path),), week="2026-W45"))
    assert [f.kind for f in result.findings] == ["duplicate_rows"]
    assert result.report is not None
    assert [w["kind"] for w in result.report.data["warnings"]] == ["duplicate_rows"]
    assert any("as of" in note for note in result.notes)
    assert result.outcomes == ()  # no config, no targets


def test_strict_data_raises_the_cli_error(tmp_path: Path) -> None:
    with pytest.raises(CareError, match="--strict-data: 1 identical events were dropped"):
        run(Request(data=(_duplicated(tmp_path),), week="2026-W45", strict_data=True))


def test_the_result_renders_exactly_as_the_cli_prints_it() -> None:
    request = Request(data=(SAMPLE,), config=CONFIG, week="2026-W46", group_by=("channel",))
    text = render(OutputFormat.json, run(request))
    args = ["report", "-d", str(SAMPLE), "-c", str(CONFIG), "--week", "2026-W46"]
    cli = CliRunner().invoke(app, [*args, "--by", "channel", "-f", "json"])
    assert cli.exit_code == 0 and quiet(cli.stderr) == ""

    def stable(document: str) -> dict:
        loaded = json.loads(document)
        loaded.pop("generated_at")
        return loaded

    assert stable(text) == stable(cli.stdout)


def test_a_check_run_computes_no_report_and_a_digest_run_its_trend() -> None:
    check = run(Request(data=(SAMPLE,), config=CONFIG, week="2026-W46", report=False))
    assert check.report is None and check.trend == () and len(check.outcomes) == 15
    digest = run(Request(data=(SAMPLE,), config=CONFIG, week="2026-W46", digest_weeks=3))
    assert [point.label for point in digest.trend] == ["2026-W44", "2026-W45", "2026-W46"]
    assert digest.daily is not None


@pytest.mark.parametrize(
    ("request_fields", "message"),
    [
        ({"data": ()}, "no data file"),
        ({"comparison": "sideways"}, "comparison 'sideways'"),
        ({"timezone": "Mars/Olympus"}, "not an IANA timezone"),
        ({"input_format": "xlsx"}, "use csv, jsonl or parquet"),
        ({"as_of": "yesterday"}, "--as-of 'yesterday'"),
    ],
)
def test_bad_requests_are_one_line_errors(request_fields: dict, message: str) -> None:
    fields = {"data": (SAMPLE,), "week": "2026-W46", **request_fields}
    with pytest.raises(CareError, match=message):
        run(Request(**fields))
