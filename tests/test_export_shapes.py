"""Real export shapes, each a small real-shaped file: read as written, numbers by hand.

Every error that suggests a fix is followed by the fix, and the run then succeeds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import quiet
from typer.testing import CliRunner

from carecli.cli.app import app

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
WEEK = ["--week", "2026-W45", "--as-of", "2026-11-20T00:00:00Z"]


def _report(data: Path, config: Path | None = None, *extra: str) -> dict:
    args = ["report", "-d", str(data), *WEEK, "-f", "json", *extra]
    args += ["-c", str(config)] if config else []
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert quiet(result.stderr) == ""
    return json.loads(result.stdout)["overall"]["metrics"]


def _error(data: Path, config: Path | None = None) -> str:
    args = ["report", "-d", str(data), *WEEK, "-f", "json"]
    result = CliRunner().invoke(app, args + (["-c", str(config)] if config else []))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_call_centre_export_with_clock_durations_and_split_date_time() -> None:
    metrics = _report(EXPORTS / "callcentre_calls.csv", EXPORTS / "callcentre_calls.yaml")
    assert metrics["volume"]["conversations"] == 5
    # Answered in 15 s, 40 s and 1:05 (MM:SS); C002 abandoned after 70 s; C004 hung up
    # after 3 s, under short_abandon (5 s): not an offered call.
    assert metrics["asa"]["mean"] == pytest.approx(40.0)
    assert metrics["asa"]["count"] == 3
    assert metrics["abandonment_rate"]["offered"] == 4
    assert metrics["abandonment_rate"]["abandoned"] == 1
    assert metrics["abandonment_rate"]["rate"] == pytest.approx(0.25)
    assert metrics["service_level"]["within"] == 1  # only C001 within 20 s
    assert metrics["service_level"]["rate"] == pytest.approx(0.25)
    # Handle: 4:30 + 0:30 + 1:00 = 360 s, 10:00 + 0 + 2:00 = 720 s, 6:00 + 0:30 + 1:30 = 480 s.
    assert metrics["aht"]["mean"] == pytest.approx(520.0)
    assert metrics["aht"]["contacts"] == 3
    # "Not Provided" is no rating (missing:); 5, 3, 4 are.
    assert (metrics["csat"]["count"], metrics["csat"]["satisfied"]) == (3, 2)


def test_a_date_column_and_a_time_column_make_one_timestamp(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    text = (EXPORTS / "callcentre_calls.yaml").read_text(encoding="utf-8")
    config.write_text(text.replace("[Date, Time]", "[Date, Hour]"), encoding="utf-8")
    assert "columns.created_at names column 'Hour', which the file does not have" in _error(
        EXPORTS / "callcentre_calls.csv", config
    )


def test_one_score_column_holds_csat_and_nps(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("columns:\n  score: value\n", encoding="utf-8")
    metrics = _report(EXPORTS / "survey_events.csv", config)
    # CSAT 5, 2, 4 on csat events; NPS 9, 7, 3 on nps events (7 is no CSAT error).
    assert (metrics["csat"]["count"], metrics["csat"]["satisfied"]) == (3, 2)
    assert metrics["csat"]["mean"] == pytest.approx(11 / 3, abs=5e-4)  # JSON keeps 3 decimals
    assert (metrics["nps"]["promoters"], metrics["nps"]["detractors"]) == (1, 1)
    assert metrics["nps"]["score"] == pytest.approx(0.0)


def test_a_score_outside_its_survey_scale_names_the_score_column(tmp_path: Path) -> None:
    data = tmp_path / "events.csv"
    text = (EXPORTS / "survey_events.csv").read_text(encoding="utf-8")
    data.write_text(text.replace("customer,csat,5", "customer,csat,7"), encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text("columns:\n  score: value\n", encoding="utf-8")
    assert "row 3: column 'value' (csat) '7' is outside the 1-5 scale" in _error(data, config)


def test_a_column_named_score_without_events_is_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "m.csv"
    data.write_text(
        "conversation_id,timestamp,role,score\na,2026-11-03T09:00:00Z,customer,12\n",
        encoding="utf-8",
    )
    assert _report(data)["volume"]["conversations"] == 1
    config = tmp_path / "c.yaml"
    config.write_text("columns:\n  score: score\n", encoding="utf-8")
    assert "columns.score needs an event column" in _error(data, config)


def _tickets_config(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "c.yaml"
    config.write_text(
        "columns:\n  conversation_id: ticket\n  created_at: opened\n"
        "  first_response_seconds: first_response_hours\n  status: state\n"
        "units:\n  first_response_seconds: hours\n"
        'missing: ["-"]\n' + extra,
        encoding="utf-8",
    )
    return config


def test_durations_in_hours_and_a_zero_that_means_no_rating(tmp_path: Path) -> None:
    data = EXPORTS / "tickets_hours.csv"
    first = _error(data, _tickets_config(tmp_path))
    # The 0 among 1-5 ratings: the error names the fix; applied, the run succeeds.
    assert "'0' is outside the 1-5 scale" in first
    assert "values: {csat: {none: [...]}}" in first
    fixed = _tickets_config(tmp_path, 'values:\n  csat:\n    none: ["0"]\n')
    metrics = _report(data, fixed)
    # 1.5 h, 0.25 h and 3 h: median 1.5 h.
    assert metrics["first_response_time"]["median"] == pytest.approx(5400.0)
    assert metrics["first_response_time"]["max"] == pytest.approx(10800.0)
    assert metrics["csat"]["count"] == 1  # "-" and "0" mean no rating


def test_a_clock_duration_that_is_not_one_says_how_to_write_it(tmp_path: Path) -> None:
    data = tmp_path / "calls.csv"
    data.write_text(
        "conversation_id,created_at,talk_seconds\nc1,2026-11-03T09:00:00Z,4:75\n",
        encoding="utf-8",
    )
    assert "'4:75' is not a duration; write seconds, H:MM:SS or MM:SS" in _error(data)
    data.write_text(
        "conversation_id,created_at,talk_seconds\nc1,2026-11-03T09:00:00Z,4:15\n",
        encoding="utf-8",
    )
    assert _report(data)["aht"]["mean"] == pytest.approx(255.0)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("units", "{talk_seconds: fortnights}", "'fortnights' is not a unit"),
        ("units", "{agent: minutes}", "units apply to duration fields only"),
        ("missing", "{a: b}", "expected a list of spellings"),
        ("contact_centre", "{answer_within: soon}", "is not a duration"),
        ("columns", "{agent: [a, b]}", "only a timestamp field"),
    ],
)
def test_bad_shape_keys_name_the_key(tmp_path: Path, key: str, value: str, message: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(f"{key}: {value}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "-c", str(config)])
    assert result.exit_code == 2
    assert f"{key}" in result.stderr and message in result.stderr


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("callcentre_calls", lambda m: (m["aht"]["mean"], m["asa"]["count"]) == (520.0, 3)),
        ("survey_events", lambda m: (m["csat"]["satisfied"], m["nps"]["promoters"]) == (2, 1)),
        ("tickets_hours", lambda m: m["first_response_time"]["median"] == 5400.0),
    ],
)
def test_inspect_writes_a_config_that_reads_each_shape(name: str, check, tmp_path: Path) -> None:
    """Without a hand-written config: inspect proposes one, report reads the file with it."""
    config = tmp_path / "carecli.yaml"
    data = EXPORTS / f"{name}.csv"
    proposed = CliRunner().invoke(app, ["inspect", str(data), "--write-config", str(config)])
    assert proposed.exit_code == 0, proposed.stderr
    metrics = _report(data, config)
    assert check(metrics), metrics
