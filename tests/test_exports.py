"""Real-shaped exports (tests/fixtures/exports/, values made up): each reads with no config,
or after `inspect --write-config`, and gives the numbers worked out by hand below."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from carecli.cli.app import app

HERE = Path(__file__).resolve().parent
EXPORTS = HERE / "fixtures" / "exports"
REALDATA = Path(os.environ.get("CARECLI_REALDATA", HERE.parent.parent / "shared" / "realdata"))
HOUR, DAY = 3600.0, 86400.0


def run(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    return result


def report(data: Path, *extra: str) -> dict[str, Any]:
    """`report --all --format json`: the overall metrics."""
    result = run("report", "--all", "--format", "json", "--data", str(data), *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["overall"]["metrics"]


def written_config(data: Path, folder: Path) -> Path:
    """`inspect --write-config` into `folder`; the config it writes passes validate."""
    config = folder / "carecli.yaml"
    result = run("inspect", str(data), "--write-config", str(config))
    assert result.exit_code == 0, result.stderr
    assert f"config written to {config}" in result.stderr
    valid = run("validate", "-c", str(config))
    assert valid.exit_code == 0, valid.stderr
    return config


# --- no config: presets of reduced exports, and separators --------------------------------


def test_reduced_zendesk_export_is_detected_and_its_missing_metrics_are_na() -> None:
    # No Via, Priority, Group or Reopens column: still Zendesk by Id, Created at and more.
    m = report(EXPORTS / "zendesk_reduced.csv")
    assert m["volume"]["conversations"] == 4
    # First reply 15, 45, 30 minutes (one ticket without): median 30 minutes.
    assert (m["first_response_time"]["count"], m["first_response_time"]["median"]) == (3, 1800)
    # Solved after 3 h and 24 h.
    assert m["resolution_time"]["median"] == (3 * HOUR + 24 * HOUR) / 2
    assert m["backlog"]["open"] == 2
    assert (m["csat"]["count"], m["csat"]["rate"]) == (2, 0.5)  # Good = 5, Bad = 1
    assert m["fcr_rate"]["available"] is False  # Reopens was not exported


def test_reduced_freshdesk_export_is_detected() -> None:
    m = report(EXPORTS / "freshdesk_reduced.csv")
    assert m["volume"]["conversations"] == 3
    assert m["resolution_time"]["median"] == (0.5 * HOUR + 4 * HOUR) / 2
    assert m["backlog"]["open"] == 1
    assert m["first_response_time"]["available"] is False  # no Initial response time


def test_intercom_selection_without_team_or_state_columns() -> None:
    m = report(EXPORTS / "intercom_selection.csv")
    assert m["volume"]["conversations"] == 3
    assert m["first_response_time"]["median"] == (120 + 600) / 2
    assert m["resolution_time"]["median"] == (HOUR + 0.5 * HOUR) / 2  # New York wall times
    assert m["csat"]["rate"] == 0.5
    # No state column: a conversation without a close time is open.
    assert m["backlog"]["open"] == 1


def test_a_semicolon_csv_reads_without_config() -> None:
    m = report(EXPORTS / "conversations_semicolon.csv")
    assert m["first_response_time"]["median"] == 180
    assert m["resolution_time"]["median"] == (HOUR + 2 * HOUR) / 2
    assert (m["backlog"]["open"], m["csat"]["rate"]) == (1, 0.5)


# --- inspect --write-config, then report ---------------------------------------------------


def test_german_semicolon_ticket_file(tmp_path: Path) -> None:
    data = EXPORTS / "tickets_de.csv"
    # With no config the report names the fix; the fix works.
    first = run("report", "--all", "--data", str(data))
    assert first.exit_code == 2
    assert "`carecli inspect FILE --write-config carecli.yaml` proposes a mapping" in first.stderr
    config = written_config(data, tmp_path)
    text = config.read_text(encoding="utf-8")
    assert 'timestamp_format: "%d.%m.%Y %H:%M"' in text
    assert 'csv_separator: ";"' in text
    m = report(data, "-c", str(config))
    # First responses 30 min, 5 min, 2 h, 1 min (4715 unanswered).
    assert m["first_response_time"]["median"] == (5 * 60 + 30 * 60) / 2
    assert m["first_response_time"]["awaiting_first_response"] == 1
    assert m["resolution_time"]["median"] == HOUR  # 2 h, 30 min, 1 h
    assert m["backlog"]["open"] == 2  # offen, in Bearbeitung
    assert (m["csat"]["count"], m["csat"]["satisfied"]) == (3, 2)  # 5, 4, 2


def test_spanish_ticket_file_with_day_month_year_dates(tmp_path: Path) -> None:
    data = EXPORTS / "tickets_es.csv"
    config = written_config(data, tmp_path)
    assert 'timestamp_format: "%d-%b-%y"' in config.read_text(encoding="utf-8")
    m = report(data, "-c", str(config))
    assert m["first_response_time"]["mean"] == DAY / 3  # 0, 0 and 1 day
    assert m["resolution_time"]["median"] == DAY / 2  # 1 day and 0
    assert m["backlog"]["open"] == 2  # abierto, pendiente
    assert m["csat"]["rate"] == 0.5  # 5 and 3


def test_french_ticket_file(tmp_path: Path) -> None:
    data = EXPORTS / "tickets_fr.csv"
    m = report(data, "-c", str(written_config(data, tmp_path)))
    assert m["resolution_time"]["median"] == DAY / 2
    assert (m["backlog"]["open"], m["csat"]["count"], m["csat"]["rate"]) == (1, 2, 1.0)


def test_tab_separated_message_export_with_vendor_names(tmp_path: Path) -> None:
    data = EXPORTS / "messages_tab.csv"
    shown = run("inspect", str(data))
    assert shown.exit_code == 0, shown.stderr
    assert "admin -> agent" in shown.stdout and "contact -> customer" in shown.stdout
    assert "Could not place: Author, Body" in shown.stdout
    m = report(data, "-c", str(written_config(data, tmp_path)))
    assert m["volume"]["conversations"] == 2
    assert m["first_response_time"]["median"] == (10 * 60 + 30 * 60) / 2  # the bot excluded
    assert m["bot_first_response_time"]["median"] == 4 * 60
    assert m["reply_time"]["median"] == 10 * 60


def test_call_centre_file_with_split_date_and_time(tmp_path: Path) -> None:
    data = EXPORTS / "calls_split_date_time.csv"
    config = written_config(data, tmp_path)
    text = config.read_text(encoding="utf-8")
    assert 'created_at: ["Date", "Time"]' in text
    assert 'missing: ["-"]' in text
    assert 'answered: "Answered (Y/N)"' in text
    m = report(data, "-c", str(config))
    assert m["volume"]["conversations"] == 3
    assert m["aht"]["mean"] == (180 + 30 + 300 + 0) / 2  # H:MM:SS; k3 abandoned ("-")


def test_write_config_never_overwrites_without_force(tmp_path: Path) -> None:
    data = EXPORTS / "tickets_es.csv"
    config = tmp_path / "carecli.yaml"
    config.write_text("timezone: UTC\n")
    refused = run("inspect", str(data), "--write-config", str(config))
    assert refused.exit_code == 2
    assert "the file exists; add --force to replace it" in refused.stderr
    assert config.read_text() == "timezone: UTC\n"
    # The suggestion, applied.
    forced = run("inspect", str(data), "--write-config", str(config), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert report(data, "-c", str(config))["volume"]["conversations"] == 4


def test_a_daily_summary_is_said_to_be_one_in_one_line() -> None:
    data = EXPORTS / "daily_summary.csv"
    for command in (["inspect", str(data)], ["report", "--all", "--data", str(data)]):
        result = run(*command)
        assert result.exit_code == 2
        lines = [line for line in result.stderr.splitlines() if line.startswith("carecli: error")]
        assert len(lines) == 1
        assert "this is a summary (counts and averages per row: 'Calls Offered'" in lines[0]
        assert "carecli needs one row per conversation (conversation_id, created_at" in lines[0]


# --- the public datasets in ../shared/realdata (skipped when absent) ------------------------


@pytest.mark.parametrize(
    "name",
    ["twcs_sample.csv", "customer_support_tickets.csv",
     "customer_support_tickets_ddmmyyyy_variant.csv"],
)  # fmt: skip
def test_real_datasets_inspect_write_config_then_report(name: str, tmp_path: Path) -> None:
    source = REALDATA / name
    if not source.is_file():
        pytest.skip(f"{source} is not available (shared/realdata/ is optional)")
    data = tmp_path / name
    shutil.copyfile(source, data)  # a copy in tmp: the repository never holds it
    config = written_config(data, tmp_path)
    result = run("report", "--all", "--data", str(data), "-c", str(config))
    assert result.exit_code == 0, result.stderr
