"""`carecli report --format md|html --output --email`: files, folders and a real SMTP server."""

from __future__ import annotations

import email
import json
from email.policy import default as default_policy
from pathlib import Path

from factories import quiet
from smtp_server import Inbox, free_port
from typer.testing import CliRunner

from carecli.cli.app import app

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "messages.jsonl"
WEEK = ["--week", "2026-W47", "--as-of", "2026-11-23T08:00", "--data", str(SAMPLE)]


def _config(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "carecli.yaml"
    path.write_text(
        "slas:\n  - {name: CSAT, metric: csat, fail: 99%}\n"
        f"smtp: {{host: 127.0.0.1, port: {port}, security: none, sender: care@example.com}}\n",
        encoding="utf-8",
    )
    return path


def test_a_trailing_slash_names_a_folder_that_must_exist(tmp_path: Path) -> None:
    # `--output reports/` on a fresh clone: Path() drops the slash, and a file named
    # "reports" was written (exit 0). A folder it must be; a missing one stops the run
    # before any data is read, and nothing is written.
    runner = CliRunner()
    missing = f"{tmp_path}/reports/"
    result = runner.invoke(app, ["report", *WEEK, "--format", "csv", "--output", missing])
    assert result.exit_code == 2
    assert result.stderr == (
        f"carecli: error: --output {missing}: the folder does not exist; create it first\n"
    )
    assert not (tmp_path / "reports").exists()
    (tmp_path / "reports").mkdir()
    result = runner.invoke(app, ["report", *WEEK, "--format", "csv", "--output", missing])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["carecli-2026-W47.csv"]


def test_an_output_in_a_missing_folder_stops_before_the_data_is_read(tmp_path: Path) -> None:
    # The data file does not exist either: the output is checked first (a big export
    # takes seconds to read, and then nothing could be written).
    target = tmp_path / "nowhere" / "r.html"
    result = CliRunner().invoke(
        app, ["report", "--week", "2026-W47", "--data", "missing.csv", "--output", str(target)]
    )
    assert result.exit_code == 2
    assert "the folder" in result.stderr and "nowhere does not exist" in result.stderr


def test_html_into_a_folder_gets_a_dated_name(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    result = CliRunner().invoke(app, ["report", *WEEK, "--format", "html", "--output", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # the report went to the file
    written = folder / "carecli-2026-W47.html"
    html = written.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "By channel" in html  # the digest groups by channel by default
    assert oct(written.stat().st_mode & 0o777) != oct(0o600)  # not a private temp file
    assert [p.name for p in folder.iterdir()] == ["carecli-2026-W47.html"]  # no temp left


def test_markdown_numbers_match_the_json(tmp_path: Path) -> None:
    runner = CliRunner()
    markdown = runner.invoke(app, ["report", *WEEK, "--format", "md", "--weeks-back", "3"])
    document = json.loads(runner.invoke(app, ["report", *WEEK, "--format", "json"]).stdout)
    assert markdown.exit_code == 0
    conversations = document["overall"]["metrics"]["volume"]["conversations"]
    assert "| Conversations " in markdown.stdout
    assert f"{conversations:,}" in markdown.stdout
    assert "2026-W45" in markdown.stdout and "2026-W44" not in markdown.stdout.split("## ")[-1]


def test_email_sends_markdown_and_html(tmp_path: Path, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    output = tmp_path / "report.md"
    result = CliRunner().invoke(
        app,
        ["report", *WEEK, "--config", str(_config(tmp_path, port)), "--format", "md",
         "--output", str(output), "--email", "lead@example.com", "--email", "boss@example.com"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "report emailed to lead@example.com, boss@example.com" in result.stderr
    assert output.read_text(encoding="utf-8").startswith("# carecli weekly report")
    (envelope,) = inbox.envelopes
    assert sorted(envelope.rcpt_tos) == ["boss@example.com", "lead@example.com"]
    message = email.message_from_bytes(envelope.content, policy=default_policy)
    assert "2026-W47" in message["Subject"] and "FAIL" in message["Subject"]
    assert message["From"] == "care@example.com"
    parts = [part.get_content_type() for part in message.walk()]
    assert parts == ["multipart/alternative", "text/plain", "text/html"]


def test_email_failure_exits_2_but_the_file_is_written(tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        ["report", *WEEK, "--config", str(_config(tmp_path, free_port())), "--format", "html",
         "--output", str(output), "--email", "lead@example.com"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert quiet(result.stderr).startswith("carecli: error:") and "127.0.0.1" in result.stderr
    assert len(quiet(result.stderr).strip().splitlines()) == 1
    assert output.is_file()


def test_email_without_smtp_settings(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", *WEEK, "--email", "lead@example.com"])
    assert result.exit_code == 2
    assert "--email needs an smtp: section" in result.stderr


def test_output_to_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "report.md"
    result = CliRunner().invoke(app, ["report", *WEEK, "--format", "md", "--output", str(target)])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_email_without_targets_has_no_sla_in_the_subject(
    tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    # No slas: in the config: the subject must not claim "SLA: PASS". And with --email and no
    # --output the report goes only by mail, not also to stdout (cron would mail it twice).
    inbox, port = smtp_server
    config = tmp_path / "mail.yaml"
    config.write_text(
        f"smtp: {{host: 127.0.0.1, port: {port}, security: none, sender: care@example.com}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["report", *WEEK, "--config", str(config), "--email", "lead@example.com"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    (envelope,) = inbox.envelopes
    message = email.message_from_bytes(envelope.content, policy=default_policy)
    assert message["Subject"] == "carecli weekly report 2026-W47"


def test_the_trend_covers_six_weeks_by_default() -> None:
    markdown = CliRunner().invoke(app, ["report", *WEEK, "--format", "md"])
    assert markdown.exit_code == 0, markdown.output
    trend = markdown.stdout.split("## ")[-1]
    assert "2026-W42" in trend and "2026-W41" not in trend
