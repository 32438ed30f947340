"""`carecli report` end to end through typer's CliRunner: output, options and error paths.

typer 0.29's CliRunner always captures stdout and stderr separately (`result.stdout`,
`result.stderr`; `result.output` is both interleaved), so every test checks each stream.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import typer
from factories import quiet
from typer.testing import CliRunner, Result

from carecli import __version__
from carecli.cli.app import ALLOCATOR_SETTING, app
from carecli.cli.common import data_files, exit_codes

REPO = Path(__file__).resolve().parent.parent
MESSAGES = REPO / "sample_data" / "messages.jsonl"
CONVERSATIONS = REPO / "sample_data" / "conversations.csv"
# A Wednesday of 2026-W48: the last complete week is 2026-W47.
AS_OF = ["--as-of", "2026-11-25"]

# Hand-computed fixture: c0 in 2026-W46; c1, c2, c3 in 2026-W47.
# W47 first responses: c1 600 s, c2 1800 s, c3 unanswered -> median 1200, 1 awaiting.
# W47 CSAT: 5 and 2 -> rate 0.5, mean 3.5. NPS: 10 and 3 -> score 0.
SMALL_ROWS: list[dict[str, Any]] = [
    {"conversation_id": "c0", "timestamp": "2026-11-10T09:00:00Z", "role": "customer",
     "channel": "email", "team": "A"},
    {"conversation_id": "c0", "timestamp": "2026-11-10T09:05:00Z", "role": "agent",
     "agent": "Ann", "channel": "email", "team": "A"},
    {"conversation_id": "c1", "timestamp": "2026-11-17T09:00:00Z", "role": "customer",
     "channel": "email", "team": "A"},
    {"conversation_id": "c1", "timestamp": "2026-11-17T09:10:00Z", "role": "agent",
     "agent": "Ann", "channel": "email", "team": "A"},
    {"conversation_id": "c1", "timestamp": "2026-11-17T10:00:00Z", "event": "csat",
     "csat": 5, "nps": 10},
    {"conversation_id": "c2", "timestamp": "2026-11-18T10:00:00Z", "role": "customer",
     "channel": "chat", "team": "B"},
    {"conversation_id": "c2", "timestamp": "2026-11-18T10:30:00Z", "role": "agent",
     "agent": "Bob", "channel": "chat", "team": "B"},
    {"conversation_id": "c2", "timestamp": "2026-11-18T11:00:00Z", "event": "csat",
     "csat": 2, "nps": 3},
    {"conversation_id": "c3", "timestamp": "2026-11-19T12:00:00Z", "role": "customer",
     "channel": "email", "team": "B"},
]  # fmt: skip

GOOD_CSV = "conversation_id,timestamp,role\nc1,2026-11-17T09:00:00Z,customer\n"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in SMALL_ROWS), encoding="utf-8")
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def report(runner: CliRunner, data: Path, *args: str) -> Result:
    return runner.invoke(app, ["report", "--data", str(data), *args])


def report_json(runner: CliRunner, data: Path, *args: str) -> dict[str, Any]:
    result = report(runner, data, "--format", "json", *AS_OF, *args)
    assert result.exit_code == 0, result.output
    assert quiet(result.stderr) == ""
    return json.loads(result.stdout)


def assert_usage_error(result: Result, *fragments: str) -> str:
    """Exit 2, nothing on stdout, one `carecli: error:` line on stderr, no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("carecli: error: "), line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    return line


# --- version and help ---------------------------------------------------------------


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"carecli {__version__}\n"
    assert quiet(result.stderr) == ""


def test_no_arguments_shows_help(runner: CliRunner) -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 2  # click's no_args_is_help
    assert "Usage: carecli" in result.output
    assert "report" in result.output


def test_app_help_lists_every_command_with_its_help(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"], prog_name="carecli")
    assert result.exit_code == 0
    assert quiet(result.stderr) == ""
    assert "Customer-care KPIs from conversation logs" in result.stdout
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    assert {"report", "check", "validate", "inspect", "presets"} <= set(group.commands)
    for name, command in group.commands.items():
        short = command.get_short_help_str(limit=300)
        assert short, f"command {name!r} has no help text"
        assert re.search(rf"^\s+{name}\s+\S", result.stdout, re.MULTILINE), name


def _all_commands() -> list[tuple[list[str], Any]]:
    group = typer.main.get_command(app)
    found: list[tuple[list[str], Any]] = []

    def walk(path: list[str], command: Any) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk([*path, name], sub)

    walk([], group)
    return found


@pytest.mark.parametrize(
    ("path", "command"),
    [pytest.param(p, c, id=" ".join(p) or "carecli") for p, c in _all_commands()],
)
def test_every_command_and_option_has_help(
    runner: CliRunner, path: list[str], command: Any
) -> None:
    assert (command.help or "").strip(), f"{path}: no help text"
    for param in command.params:
        if param.param_type_name == "option":
            assert (param.help or "").strip(), f"{path} {param.opts}: option without help"
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.split())  # help text is wrapped at 80 columns
    assert " ".join(command.help.split()) in flat


def test_report_help(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    assert quiet(result.stderr) == ""
    out = result.stdout
    assert "Compute every KPI for a period" in out
    for option in ("--data", "--week", "--since", "--until", "--by", "--metric", "--where"):
        assert option in out
    for option in ("--format", "--format-in", "--tz", "--as-of", "--config", "--all"):
        assert option in out


# --- report: table -----------------------------------------------------------------


def test_report_table_on_sample_messages(runner: CliRunner) -> None:
    result = report(runner, MESSAGES, "--week", "2026-W47")
    assert result.exit_code == 0, result.output
    assert quiet(result.stderr) == ""
    out = result.stdout
    assert "carecli · 2026-W47 (2026-11-16 00:00 → 2026-11-23 00:00 UTC)" in out
    assert "2026-W46" in out  # the comparison column
    assert "First response" in out
    assert re.search(r"^\s*Average handle time\s+n/a\s+n/a", out, re.MULTILINE)
    assert "\x1b[" not in out  # no colour outside a terminal
    assert "Traceback" not in result.output
    assert all(len(line) <= 80 for line in out.splitlines())


def test_report_table_exact_values(runner: CliRunner, small: Path) -> None:
    result = report(runner, small, "--week", "2026-W47")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert re.search(r"^\s+conversations\s+3\s+1\s", out, re.MULTILINE)
    # The first response median: 20m 00s this week, 5m 00s the week before.
    assert re.search(r"^\s+median\s+20m 00s\s+5m 00s\s", out, re.MULTILINE)
    assert re.search(r"^\s+satisfied share\s+50\.0%", out, re.MULTILINE)


# --- report: JSON ------------------------------------------------------------------


def test_report_json_schema_on_sample(runner: CliRunner) -> None:
    document = report_json(runner, MESSAGES, "--week", "2026-W47")
    assert document["schema_version"] == 2
    assert document["carecli_version"] == __version__
    assert document["period"] == {
        "label": "2026-W47",
        "start": "2026-11-16T00:00:00+00:00",
        "end": "2026-11-23T00:00:00+00:00",
        "timezone": "UTC",
    }
    assert document["previous_period"]["label"] == "2026-W46"
    assert document["groups"] == []
    assert document["group_by"] == []
    assert document["filters"] == {}
    assert document["data"]["format"] == "jsonl"
    assert document["data"]["granularity"] == "messages"
    metrics = document["overall"]["metrics"]
    assert list(metrics) == document["metrics"]
    first = metrics["first_response_time"]
    assert first["available"] is True
    assert isinstance(first["median"], float)
    # Seconds, not minutes: the sample's median is some minutes, far below a day.
    assert 60 < first["median"] < 86_400
    assert first["p90"] >= first["median"]
    for name in ("csat", "fcr_rate"):
        assert 0 <= metrics[name]["rate"] <= 1, name
    assert metrics["aht"]["available"] is False  # messages have no handle times
    assert metrics["aht"]["mean"] is None


def test_report_json_exact_values(runner: CliRunner, small: Path) -> None:
    document = report_json(runner, small, "--week", "2026-W47")
    current = document["overall"]["metrics"]
    assert current["volume"]["conversations"] == 3
    first = current["first_response_time"]
    assert (first["count"], first["median"], first["max"]) == (2, 1200.0, 1800.0)
    assert first["awaiting_first_response"] == 1
    assert current["csat"] == {
        "available": True,
        "rate": 0.5,
        "mean": 3.5,
        "count": 2,
        "satisfied": 1,
    }
    assert current["nps"]["score"] == 0.0
    previous = document["overall"]["previous"]
    assert previous["volume"]["conversations"] == 1
    assert previous["first_response_time"]["median"] == 300.0


def test_bare_week_followed_by_other_options(runner: CliRunner) -> None:
    args = ["report", "--data", str(MESSAGES), "--week", "--as-of", "2026-11-25"]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["period"]["label"] == "2026-W47"
    assert document["previous_period"]["label"] == "2026-W46"


def test_bare_week_as_the_last_argument(runner: CliRunner, small: Path) -> None:
    args = ["report", "--data", str(small), "--format", "json", *AS_OF, "--week"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["period"]["label"] == "2026-W47"


def test_no_period_option_defaults_to_the_last_complete_week(
    runner: CliRunner, small: Path
) -> None:
    assert report_json(runner, small)["period"]["label"] == "2026-W47"
    # --as-of on a Monday at 00:00: the week that just ended.
    document = report_json(runner, small, "--as-of", "2026-11-23T00:00")
    assert document["period"]["label"] == "2026-W47"


def test_week_with_equals_sign(runner: CliRunner, small: Path) -> None:
    assert report_json(runner, small, "--week=2026-W46")["period"]["label"] == "2026-W46"


def test_by_channel_on_sample(runner: CliRunner) -> None:
    document = report_json(runner, MESSAGES, "--week", "2026-W47", "--by", "channel")
    assert document["group_by"] == ["channel"]
    groups = document["groups"]
    channels = [g["key"]["channel"] for g in groups]
    assert len(channels) == len(set(channels))  # one group per channel
    assert all(list(g["key"]) == ["channel"] for g in groups)
    assert {"email", "chat", "whatsapp"} <= set(channels)
    volumes = [g["metrics"]["volume"]["conversations"] for g in groups]
    assert volumes == sorted(volumes, reverse=True)
    assert sum(volumes) == document["overall"]["metrics"]["volume"]["conversations"]


def test_by_channel_exact(runner: CliRunner, small: Path) -> None:
    document = report_json(runner, small, "--week", "2026-W47", "--by", "channel")
    assert [(g["key"], g["metrics"]["volume"]["conversations"]) for g in document["groups"]] == [
        ({"channel": "email"}, 2),
        ({"channel": "chat"}, 1),
    ]
    email = document["groups"][0]
    assert email["metrics"]["first_response_time"]["median"] == 600.0
    assert email["previous"]["volume"]["conversations"] == 1


def test_by_channel_and_team(runner: CliRunner, small: Path) -> None:
    document = report_json(runner, small, "--week", "2026-W47", "--by", "channel", "--by", "team")
    assert document["group_by"] == ["channel", "team"]
    assert [g["key"] for g in document["groups"]] == [
        {"channel": "chat", "team": "B"},
        {"channel": "email", "team": "A"},
        {"channel": "email", "team": "B"},
    ]


def test_by_channel_table_has_a_breakdown(runner: CliRunner, small: Path) -> None:
    result = report(runner, small, "--week", "2026-W47", "--by", "channel")
    assert result.exit_code == 0, result.output
    assert "By channel — 2026-W47 vs previous" in result.stdout
    assert re.search(r"^\s*email\s+2\b", result.stdout, re.MULTILINE)


def test_metric_restricts_the_metrics(runner: CliRunner, small: Path) -> None:
    document = report_json(
        runner, small, "--week", "2026-W47", "--metric", "csat", "--metric", "nps"
    )
    assert document["metrics"] == ["csat", "nps"]
    assert list(document["overall"]["metrics"]) == ["csat", "nps"]
    assert list(document["overall"]["previous"]) == ["csat", "nps"]
    assert document["overall"]["metrics"]["csat"]["rate"] == 0.5


def test_metric_restricts_the_table(runner: CliRunner, small: Path) -> None:
    result = report(runner, small, "--week", "2026-W47", "--metric", "csat")
    assert result.exit_code == 0, result.output
    assert "CSAT" in result.stdout
    assert "First response" not in result.stdout
    assert "Conversations" not in result.stdout


def test_where_filters_conversations(runner: CliRunner, small: Path) -> None:
    document = report_json(runner, small, "--week", "2026-W47", "--where", "channel=email")
    assert document["filters"] == {"channel": ["email"]}
    metrics = document["overall"]["metrics"]
    assert metrics["volume"]["conversations"] == 2
    assert metrics["first_response_time"]["median"] == 600.0
    assert metrics["first_response_time"]["awaiting_first_response"] == 1


def test_where_with_several_values_and_case(runner: CliRunner, small: Path) -> None:
    document = report_json(
        runner, small, "--week", "2026-W47", "--where", "channel=EMAIL,chat", "--where", "team=B"
    )
    assert document["filters"] == {"channel": ["email", "chat"], "team": ["B"]}
    assert document["overall"]["metrics"]["volume"]["conversations"] == 2  # c2, c3


def test_since_until(runner: CliRunner, small: Path) -> None:
    document = report_json(runner, small, "--since", "2026-11-17", "--until", "2026-11-19")
    assert document["period"] == {
        "label": "2026-11-17..2026-11-19",
        "start": "2026-11-17T00:00:00+00:00",
        "end": "2026-11-19T00:00:00+00:00",
        "timezone": "UTC",
    }
    assert document["previous_period"]["label"] == "2026-11-15..2026-11-17"
    assert document["overall"]["metrics"]["volume"]["conversations"] == 2  # c1, c2


def test_since_alone_runs_until_as_of(runner: CliRunner, small: Path) -> None:
    document = report_json(runner, small, "--since", "2026-11-18T10:00")
    assert document["period"]["start"] == "2026-11-18T10:00:00+00:00"
    assert document["period"]["end"] == "2026-11-25T00:00:00+00:00"
    assert document["overall"]["metrics"]["volume"]["conversations"] == 2  # c2, c3


def test_tz_changes_the_period_offset(runner: CliRunner, small: Path) -> None:
    document = report_json(runner, small, "--week", "2026-W47", "--tz", "Europe/Berlin")
    assert document["period"]["timezone"] == "Europe/Berlin"
    assert document["period"]["start"] == "2026-11-16T00:00:00+01:00"
    assert document["period"]["end"] == "2026-11-23T00:00:00+01:00"


def test_tz_moves_conversations_across_the_week_boundary(runner: CliRunner, tmp_path: Path) -> None:
    # Sunday 23:30 UTC is Monday 00:30 in Berlin: W47 in UTC, W48 in Berlin.
    data = write(
        tmp_path / "edge.csv",
        "conversation_id,timestamp,role\nx,2026-11-22T23:30:00Z,customer\n",
    )
    utc = report_json(runner, data, "--week", "2026-W47")
    assert utc["overall"]["metrics"]["volume"]["conversations"] == 1
    args = ["--week", "2026-W47", "--tz", "Europe/Berlin", "--format", "json"]
    berlin = report(runner, data, *args)
    assert berlin.exit_code == 0, berlin.output
    assert quiet(berlin.stderr).startswith("carecli: warning: no conversations in 2026-W47")
    assert json.loads(berlin.stdout)["overall"]["metrics"]["volume"]["conversations"] == 0
    following = report_json(runner, data, "--week", "2026-W48", "--tz", "Europe/Berlin")
    assert following["overall"]["metrics"]["volume"]["conversations"] == 1


# --- config discovery ----------------------------------------------------------------


BERLIN = "timezone: Europe/Berlin\n"
TOKYO = "timezone: Asia/Tokyo\n"


def test_config_option(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "mine.yaml", BERLIN)
    document = report_json(runner, small, "--week", "2026-W47", "--config", str(config))
    assert document["period"]["start"] == "2026-11-16T00:00:00+01:00"


def test_config_from_environment(
    runner: CliRunner, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARECLI_CONFIG", str(write(tmp_path / "env.yaml", TOKYO)))
    document = report_json(runner, small, "--week", "2026-W47")
    assert document["period"]["start"] == "2026-11-16T00:00:00+09:00"


def test_config_from_working_directory(
    runner: CliRunner, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "project"
    here.mkdir()
    write(here / "carecli.yaml", BERLIN)
    monkeypatch.chdir(here)
    document = report_json(runner, small, "--week", "2026-W47")
    assert document["period"]["timezone"] == "Europe/Berlin"


def test_config_precedence(
    runner: CliRunner, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "project"
    here.mkdir()
    write(here / "carecli.yaml", "timezone: America/New_York\n")
    monkeypatch.chdir(here)
    monkeypatch.setenv("CARECLI_CONFIG", str(write(tmp_path / "env.yaml", TOKYO)))
    # The environment beats ./carecli.yaml ...
    assert report_json(runner, small)["period"]["timezone"] == "Asia/Tokyo"
    # ... --config beats both ...
    explicit = write(tmp_path / "explicit.yaml", BERLIN)
    document = report_json(runner, small, "--config", str(explicit))
    assert document["period"]["timezone"] == "Europe/Berlin"
    # ... and --tz beats the config.
    document = report_json(runner, small, "--config", str(explicit), "--tz", "UTC")
    assert document["period"]["timezone"] == "UTC"


def test_config_maps_columns_and_values(runner: CliRunner, tmp_path: Path) -> None:
    data = write(
        tmp_path / "export.csv",
        "ticket,sent,inbound,medium\n"
        "t1,2026-11-17 10:00,true,E-Mail\n"
        "t1,2026-11-17 10:45,false,E-Mail\n",
    )
    config = write(
        tmp_path / "carecli.yaml",
        "source_timezone: Europe/Berlin\n"
        "columns: {conversation_id: ticket, timestamp: sent, role: inbound, channel: medium}\n"
        "values:\n  role: {customer: [true], agent: [false]}\n",
    )
    document = report_json(
        runner, data, "--week", "2026-W47", "--config", str(config), "--by", "channel"
    )
    assert document["data"]["first_conversation_at"] == "2026-11-17T09:00:00+00:00"
    assert document["overall"]["metrics"]["first_response_time"]["median"] == 2700.0
    assert [g["key"] for g in document["groups"]] == [{"channel": "email"}]


# --- conversation-level input --------------------------------------------------------


def test_conversation_level_sample(runner: CliRunner) -> None:
    document = report_json(runner, CONVERSATIONS, "--week", "2026-W47")
    assert document["data"]["granularity"] == "conversations"
    assert document["data"]["format"] == "csv"
    metrics = document["overall"]["metrics"]
    aht = metrics["aht"]
    assert aht["available"] is True
    assert isinstance(aht["mean"], float) and aht["mean"] > 0
    assert aht["contacts"] > 0
    reply = metrics["reply_time"]
    assert reply["available"] is False
    assert "message timeline" in reply["not_available_because"]
    for stat in ("mean", "median", "p90", "p95", "max"):
        assert reply[stat] is None, stat
    assert metrics["first_response_time"]["available"] is True
    assert metrics["first_response_time"]["median"] > 0


def test_unavailable_metric_has_no_zero_counts(runner: CliRunner) -> None:
    document = report_json(runner, CONVERSATIONS, "--week", "2026-W47", "--metric", "reply_time")
    reply = document["overall"]["metrics"]["reply_time"]
    assert reply["available"] is False
    assert reply["count"] is None
    assert reply["waiting_turns"] is None


def test_conversation_level_table_shows_na(runner: CliRunner) -> None:
    result = report(runner, CONVERSATIONS, "--week", "2026-W47", *AS_OF)
    assert result.exit_code == 0, result.output
    assert re.search(r"^\s*Reply time\s+n/a\s+n/a\s*$", result.stdout, re.MULTILINE)
    assert not re.search(r"^\s*Average handle time\s+n/a", result.stdout, re.MULTILINE)


def test_no_conversations_in_period_warns_on_stderr(runner: CliRunner, small: Path) -> None:
    result = report(runner, small, "--week", "2026-W40", "--format", "json")
    assert result.exit_code == 0
    assert quiet(result.stderr) == (
        "carecli: warning: no conversations in 2026-W40; the data covers "
        "2026-11-10T09:00:00+00:00 to 2026-11-19T12:00:00+00:00\n"
    )
    assert json.loads(result.stdout)["overall"]["metrics"]["volume"]["conversations"] == 0


def test_a_where_that_matches_nothing_says_so(runner: CliRunner) -> None:
    # The week has conversations: it is the filter that matched none (agent names are
    # matched exactly), not the data that misses the period.
    result = report(
        runner, MESSAGES, "--week", "2026-W47", *AS_OF, "--format", "json",
        "--where", "agent=lena hoffmann", "--where", "channel=email,chat",
    )  # fmt: skip
    assert result.exit_code == 0
    assert quiet(result.stderr) == (
        "carecli: warning: no conversations in 2026-W47 match --where agent=lena hoffmann "
        "--where channel=email,chat; values must match exactly (`carecli inspect` shows how "
        "the file spells them)\n"
    )


# --- error paths: input files --------------------------------------------------------


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    assert_usage_error(report(runner, missing), f"{missing}: file not found")


def test_directory_instead_of_file(runner: CliRunner, tmp_path: Path) -> None:
    assert_usage_error(report(runner, tmp_path), f"{tmp_path}: not a regular file")


def test_empty_file(runner: CliRunner, tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.csv", "")
    assert_usage_error(report(runner, empty), f"{empty}: the file is empty")


def test_csv_with_header_only(runner: CliRunner, tmp_path: Path) -> None:
    data = write(tmp_path / "header.csv", "conversation_id,timestamp,role\n")
    assert_usage_error(report(runner, data), f"{data}: the file has a header but no data rows")


def test_missing_required_column(runner: CliRunner, tmp_path: Path) -> None:
    data = write(
        tmp_path / "norole.csv",
        "conversation_id,timestamp,channel\nc1,2026-11-17T09:00:00Z,email\n",
    )
    assert_usage_error(report(runner, data), str(data), "missing required column 'role'")


def test_unparsable_timestamp_names_the_row(runner: CliRunner, tmp_path: Path) -> None:
    data = write(
        tmp_path / "badts.csv",
        "conversation_id,timestamp,role\n"
        "c1,2026-11-17T09:00:00Z,customer\n"
        "c1,2026-11-17T09:05:00Z,agent\n"
        "c1,yesterday noon,agent\n",
    )
    assert_usage_error(
        report(runner, data),
        f"{data}: row 3: column 'timestamp' (timestamp) 'yesterday noon' is not a timestamp",
    )


def test_unknown_role(runner: CliRunner, tmp_path: Path) -> None:
    data = write(
        tmp_path / "role.csv",
        "conversation_id,timestamp,role\n"
        "c1,2026-11-17T09:00:00Z,customer\n"
        "c1,2026-11-17T09:05:00Z,wizard\n",
    )
    assert_usage_error(
        report(runner, data),
        f"{data}: row 2: column 'role' (role) 'wizard' is not a known role",
        "values:",
    )


def test_unknown_channel(runner: CliRunner, tmp_path: Path) -> None:
    data = write(
        tmp_path / "channel.csv",
        "conversation_id,timestamp,role,channel\n"
        "c1,2026-11-17T09:00:00Z,customer,email\n"
        "c2,2026-11-17T09:00:00Z,customer,pigeon\n"
        "c3,2026-11-17T09:00:00Z,customer,pigeon\n",
    )
    assert_usage_error(
        report(runner, data),
        f"{data}: row 2: column 'channel' (channel) 'pigeon' is not a known channel",
        "(2 rows like it)",
    )


def test_malformed_json_line(runner: CliRunner, tmp_path: Path) -> None:
    data = write(
        tmp_path / "bad.jsonl",
        '{"conversation_id": "c1", "timestamp": "2026-11-17T09:00:00Z", "role": "customer"}\n'
        '{"conversation_id": "c1", "timestamp": "2026-11-17T09:05:00Z", "role": "agent"}\n'
        '{"conversation_id": "c1", "timestamp": \n',
    )
    assert_usage_error(report(runner, data), f"{data}: line 3: malformed JSON")


def test_malformed_json_line_after_the_first_thousand(runner: CliRunner, tmp_path: Path) -> None:
    good = '{"conversation_id": "c%d", "timestamp": "2026-11-17T09:00:00Z", "role": "customer"}'
    lines = [good % i for i in range(1200)]
    lines[1099] = '{"conversation_id": "c", oops}'
    data = write(tmp_path / "late.jsonl", "\n".join(lines) + "\n")
    assert_usage_error(report(runner, data), f"{data}: line 1100: malformed JSON")


def test_jsonl_row_label_counts_blank_lines(runner: CliRunner, tmp_path: Path) -> None:
    data = write(
        tmp_path / "blank.jsonl",
        '{"conversation_id": "c1", "timestamp": "2026-11-17T09:00:00Z", "role": "customer"}\n'
        "\n"
        '{"conversation_id": "c1", "timestamp": "nope", "role": "agent"}\n',
    )
    assert_usage_error(report(runner, data), f"{data}: line 3: column 'timestamp'")


def test_csv_trailing_blank_line_is_ignored(runner: CliRunner, tmp_path: Path) -> None:
    data = write(tmp_path / "trailing.csv", GOOD_CSV + "\n")
    document = report_json(runner, data, "--week", "2026-W47")
    assert document["overall"]["metrics"]["volume"]["conversations"] == 1


def test_csv_ragged_row(runner: CliRunner, tmp_path: Path) -> None:
    data = write(
        tmp_path / "ragged.csv",
        "conversation_id,timestamp,role\n"
        "c1,2026-11-17T09:00:00Z,customer\n"
        "c1,2026-11-17T09:05:00Z,agent,surplus\n",
    )
    assert_usage_error(report(runner, data), f"{data}: line 3: 4 fields where the header has 3")


def test_csat_out_of_scale(runner: CliRunner, tmp_path: Path) -> None:
    data = write(
        tmp_path / "csat.csv",
        "conversation_id,timestamp,role,csat\n"
        "c1,2026-11-17T09:00:00Z,customer,\n"
        "c1,2026-11-17T09:30:00Z,customer,7\n",
    )
    assert_usage_error(
        report(runner, data), f"{data}: row 2: column 'csat' (csat) '7' is outside the 1-5 scale"
    )


def test_csat_scale_from_config_accepts_it(runner: CliRunner, tmp_path: Path) -> None:
    data = write(
        tmp_path / "csat.csv",
        "conversation_id,timestamp,role,csat\nc1,2026-11-17T09:00:00Z,customer,7\n",
    )
    config = write(tmp_path / "c.yaml", "csat: {scale: [1, 10], satisfied_min: 7}\n")
    document = report_json(runner, data, "--week", "2026-W47", "--config", str(config))
    assert document["overall"]["metrics"]["csat"]["rate"] == 1.0


def test_format_in_bogus(runner: CliRunner, small: Path) -> None:
    assert_usage_error(report(runner, small, "--format-in", "bogus"), "--format-in 'bogus'")


def test_format_in_reads_an_unknown_extension(runner: CliRunner, tmp_path: Path) -> None:
    data = write(tmp_path / "export.dat", GOOD_CSV)
    assert_usage_error(report(runner, data), str(data), "--format-in")
    document = report_json(runner, data, "--week", "2026-W47", "--format-in", "csv")
    assert document["data"]["format"] == "csv"
    assert document["overall"]["metrics"]["volume"]["conversations"] == 1


# --- error paths: options --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-W60", "--week '2026-W60': 2026 has no ISO week 60"),
        ("banana", "--week 'banana': expected an ISO week like 2026-W45"),
        ("2026-W00", "--week '2026-W00': 2026 has no ISO week 0"),
    ],
)
def test_bad_week(runner: CliRunner, small: Path, value: str, message: str) -> None:
    assert_usage_error(report(runner, small, "--week", value), message)


def test_unknown_by_field(runner: CliRunner, small: Path) -> None:
    assert_usage_error(
        report(runner, small, "--by", "colour"),
        "--by 'colour': unknown field; use one of channel, agent, team, topic, priority",
    )


def test_unknown_metric(runner: CliRunner, small: Path) -> None:
    assert_usage_error(
        report(runner, small, "--metric", "speed"), "--metric 'speed': unknown metric", "csat"
    )


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("channel", "--where 'channel': expected FIELD=VALUE"),
        ("channel=", "--where 'channel=': expected FIELD=VALUE"),
        ("colour=red", "--where 'colour=red': 'colour' is not one of channel"),
    ],
)
def test_bad_where(runner: CliRunner, small: Path, where: str, message: str) -> None:
    assert_usage_error(report(runner, small, "--where", where), message)


def test_week_with_since(runner: CliRunner, small: Path) -> None:
    result = report(runner, small, "--week", "2026-W47", "--since", "2026-11-01")
    assert_usage_error(result, "use either --week or --since/--until, not both")


def test_bare_week_with_since(runner: CliRunner, small: Path) -> None:
    result = report(runner, small, "--week", "--since", "2026-11-01")
    assert_usage_error(result, "use either --week or --since/--until, not both")


def test_until_without_since(runner: CliRunner, small: Path) -> None:
    assert_usage_error(report(runner, small, "--until", "2026-11-20"), "--until needs --since")


def test_until_before_since(runner: CliRunner, small: Path) -> None:
    result = report(runner, small, "--since", "2026-11-20", "--until", "2026-11-10")
    assert_usage_error(result, "--until 2026-11-10 must be after --since 2026-11-20")


def test_bad_since(runner: CliRunner, small: Path) -> None:
    assert_usage_error(report(runner, small, "--since", "last tuesday"), "--since 'last tuesday'")


def test_bad_as_of(runner: CliRunner, small: Path) -> None:
    assert_usage_error(report(runner, small, "--as-of", "soon"), "--as-of 'soon'")


def test_bad_tz_option(runner: CliRunner, small: Path) -> None:
    assert_usage_error(
        report(runner, small, "--tz", "Mars/Olympus"),
        "--tz 'Mars/Olympus': not an IANA timezone",
    )


def test_bad_output_format_is_a_click_usage_error(runner: CliRunner, small: Path) -> None:
    result = report(runner, small, "--format", "xml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--format'" in result.stderr
    assert "Traceback" not in result.output


# --- error paths: config ---------------------------------------------------------------


def test_invalid_yaml_config(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "bad.yaml", "timezone: UTC\ncolumns:\n\trole: sender\n")
    assert_usage_error(report(runner, small, "--config", str(config)), f"{config}:3: invalid YAML")


def test_unknown_config_key(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "typo.yaml", "timezone: UTC\ntimezon: UTC\n")
    assert_usage_error(
        report(runner, small, "--config", str(config)),
        f"{config}:2: timezon: unknown key; did you mean 'timezone'?",
    )


def test_unknown_config_key_with_a_block_value(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    config = write(tmp_path / "typo.yaml", "timezone: UTC\ncolums:\n  role: sender\n")
    assert_usage_error(
        report(runner, small, "--config", str(config)),
        f"{config}:2: colums: unknown key; did you mean 'columns'?",
    )


def test_several_config_problems_are_counted(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    config = write(tmp_path / "many.yaml", "timezon: UTC\ngranularity: tickets\n")
    line = assert_usage_error(report(runner, small, "--config", str(config)), f"{config}:1:")
    assert line.endswith("(and 1 more problem)")


def test_bad_timezone_in_config(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    config = write(tmp_path / "tz.yaml", "csat: {scale: [1, 5]}\ntimezone: Mars/Olympus\n")
    assert_usage_error(
        report(runner, small, "--config", str(config)),
        f"{config}:2: timezone: 'Mars/Olympus' is not an IANA timezone",
    )


def test_missing_config_file(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert_usage_error(
        report(runner, small, "--config", str(missing)), f"{missing}: config file not found"
    )


def test_missing_config_from_environment(
    runner: CliRunner, small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "gone.yaml"
    monkeypatch.setenv("CARECLI_CONFIG", str(missing))
    assert_usage_error(report(runner, small), f"{missing}: config file named by $CARECLI_CONFIG")


# --- entry point ----------------------------------------------------------------------


def test_importing_the_cli_leaves_polars_unloaded() -> None:
    # `--help` stays fast, and main's allocator setting is read when polars loads later.
    code = "import sys, carecli.cli.app; print('polars' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout == "False\n", done.stderr


@pytest.mark.parametrize("own", [None, "narenas:4"])
def test_main_sets_the_allocator_unless_the_user_did(own: str | None) -> None:
    name, value = ALLOCATOR_SETTING
    env = {key: text for key, text in os.environ.items() if key != name}
    if own is not None:
        env[name] = own
    code = (
        "import os, sys\n"
        "from carecli.cli.app import main\n"
        "sys.argv = ['carecli', '--version']\n"
        "try:\n    main()\n"
        f"finally:\n    print(os.environ[{name!r}])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"carecli {__version__}\n{own or value}\n"


# --- rules pinned by the fourth mutation sweep (cli_common) ---------------------------


@pytest.mark.parametrize(
    ("raised", "code", "message"),
    [
        (KeyboardInterrupt(), 130, "carecli: interrupted; nothing was written\n"),
        (
            RuntimeError("boom"),
            3,
            "carecli: internal error: RuntimeError: boom. This is a bug in carecli; "
            "rerun with --traceback and report it\n",
        ),
    ],
)
def test_ctrl_c_exits_130_and_a_bug_exits_3_without_traceback(
    raised: BaseException, code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Cron and CI tell a user's Ctrl-C (130, the shell's own) and a carecli bug (3) from a
    # data error (2); neither prints a traceback unless --traceback asks for one.
    with pytest.raises(typer.Exit) as caught, exit_codes():
        raise raised
    assert caught.value.exit_code == code
    assert capsys.readouterr().err == message


def test_traceback_option_prints_the_traceback_of_a_bug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(typer.Exit) as caught, exit_codes(show_traceback=True):
        raise RuntimeError("boom")
    assert caught.value.exit_code == 3
    stderr = capsys.readouterr().err
    assert stderr.startswith("Traceback (most recent call last):")
    assert stderr.endswith("rerun with --traceback and report it\n")


def test_bare_week_followed_by_a_short_option(runner: CliRunner, small: Path) -> None:
    # `--week -d FILE`: a short option after a bare --week is not taken as the week.
    args = ["report", "--week", "-d", str(small), "--format", "json", *AS_OF]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["period"]["label"] == "2026-W47"


def test_an_existing_file_with_glob_characters_is_taken_as_named(tmp_path: Path) -> None:
    # `export[1].csv` exists: it is that file, not the pattern matching `export1.csv`.
    named = write(tmp_path / "export[1].csv", GOOD_CSV)
    assert data_files([str(named)]) == [named]


@pytest.mark.parametrize("name", ["a*b?[1].csv", "export[1].jsonl", "a*b?.parquet"])
def test_an_existing_file_with_glob_characters_is_read(
    runner: CliRunner, small: Path, tmp_path: Path, name: str
) -> None:
    # polars' readers expand glob patterns: the name must reach them as a literal path.
    named = tmp_path / name
    if name.endswith(".csv"):
        write(named, GOOD_CSV)
    elif name.endswith(".jsonl"):
        named.write_bytes(small.read_bytes())
    else:
        pl.read_ndjson(small).write_parquet(named)
    document = report_json(runner, named, "--all")
    expected = 1 if name.endswith(".csv") else 4  # c0-c3
    assert document["overall"]["metrics"]["volume"]["conversations"] == expected


def test_the_same_file_given_twice_is_read_once(runner: CliRunner, small: Path) -> None:
    # A path and a glob that also matches it must not double the data (nor warn of duplicates).
    pattern = str(small.parent / "*.jsonl")
    document = report_json(runner, small, "--data", pattern, "--data", str(small))
    assert document["overall"]["metrics"]["volume"]["conversations"] == 3
    assert document["data"]["warnings"] == []


def test_double_star_glob_matches_every_folder_depth(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    deep = tmp_path / "exports" / "2026" / "11"
    deep.mkdir(parents=True)
    (deep / "week.jsonl").write_bytes(small.read_bytes())
    document = report_json(runner, Path(str(tmp_path / "exports" / "**" / "*.jsonl")))
    assert document["overall"]["metrics"]["volume"]["conversations"] == 3


def test_as_of_without_offset_is_local_to_the_tz(runner: CliRunner, small: Path) -> None:
    # Monday 00:30 in New York is Monday 05:30 UTC: W47 has ended there. Read as UTC it would
    # be Sunday 19:30 in New York, and the last complete week W46.
    args = ["--tz", "America/New_York", "--as-of", "2026-11-23T00:30"]
    document = report_json(runner, small, *args)
    assert document["period"]["label"] == "2026-W47"


def test_format_in_parquet_reads_an_unknown_extension(runner: CliRunner, tmp_path: Path) -> None:
    import polars as pl

    data = tmp_path / "export.bin"
    pl.DataFrame(
        {"conversation_id": ["c1"], "timestamp": ["2026-11-17T09:00:00Z"], "role": ["customer"]}
    ).write_parquet(data)
    document = report_json(runner, data, "--week", "2026-W47", "--format-in", "parquet")
    assert document["data"]["format"] == "parquet"
    assert document["overall"]["metrics"]["volume"]["conversations"] == 1


def test_bad_clock_option(runner: CliRunner, small: Path) -> None:
    assert_usage_error(report(runner, small, "--clock", "wall"), "--clock 'wall': use calendar")


def test_business_clock_needs_calendars(runner: CliRunner, small: Path) -> None:
    # Without calendars business time would silently equal calendar time.
    result = report(runner, small, "--clock", "business")
    assert_usage_error(result, "--clock business needs calendars: and channel_calendars:")


def test_data_after_a_past_as_of_is_not_in_the_future(runner: CliRunner, small: Path) -> None:
    # A rerun as of 2026-11-18 (c2, c3 come later): only the real clock makes times "future".
    document = report_json(runner, small, "--as-of", "2026-11-18")
    assert document["period"]["label"] == "2026-W46"
    assert document["data"]["warnings"] == []


def test_a_duplicate_the_loader_announced_is_not_warned_twice(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = write(tmp_path / "twice.csv", GOOD_CSV + GOOD_CSV.splitlines()[1] + "\n")
    result = report(runner, data, "--week", "2026-W47", *AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data"]["warnings"][0]["kind"] == "duplicate_rows"
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_weeks_back_below_one_is_refused(runner: CliRunner, small: Path) -> None:
    result = report(runner, small, "--format", "md", "--weeks-back", "0")
    assert result.exit_code == 2
    assert "--weeks-back" in result.stderr and result.stdout == ""


def test_report_says_why_a_target_cannot_be_measured(
    runner: CliRunner, small: Path, tmp_path: Path
) -> None:
    # The same warning as `check`: a report's SLA section must not show "no data" unexplained.
    config = write(tmp_path / "c.yaml", "slas:\n  - {name: AHT, metric: aht, fail: 10m}\n")
    result = report(runner, small, "--config", str(config), *AS_OF)
    assert result.exit_code == 0, result.output
    assert "carecli: warning: " in result.stderr and "aht is not available" in result.stderr


def test_colour_on_a_terminal_but_never_in_an_output_file(tmp_path: Path) -> None:
    # On a terminal the table is coloured; a file written with --output is read elsewhere
    # (an editor, a mail): escape codes there would be noise.
    def run_on_a_terminal(*extra: str) -> str:
        leader, follower = os.openpty()
        command = [sys.executable, "-m", "carecli", "report", "--week", "2026-W47"]
        command += ["--data", str(MESSAGES), *extra]
        env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
        with os.fdopen(leader, "rb") as terminal:
            child = subprocess.Popen(command, stdout=follower, stderr=subprocess.DEVNULL, env=env)
            os.close(follower)
            shown = b""
            with contextlib.suppress(OSError):  # EIO once the child has exited
                while chunk := terminal.read1(65536):
                    shown += chunk
        assert child.wait(timeout=60) == 0
        return shown.decode()

    assert "\x1b[" in run_on_a_terminal()
    written = tmp_path / "report.txt"
    run_on_a_terminal("--output", str(written))
    assert "Conversations" in written.read_text() and "\x1b[" not in written.read_text()
