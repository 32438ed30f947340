"""`carecli check` and `carecli validate`: exit codes, JSON, JUnit XML, breach listings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from factories import quiet
from typer.testing import CliRunner

from carecli.cli.app import app

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "messages.jsonl"
WEEK = ["--week", "2026-W47", "--as-of", "2026-11-23T08:00"]

PASSING = """
slas:
  - {name: CSAT, metric: csat, fail: 80%}
  - {name: Chat median, metric: first_response_time, statistic: median, where: {channel: chat},
     fail: 5m}
"""
FAILING = """
slas:
  - {name: Social p90, metric: first_response_time, statistic: p90,
     where: {channel: [twitter, instagram]}, warn: 45m, fail: 1h}
  - {name: CSAT, metric: csat, fail: 80%}
"""
WARNING = """
slas:
  - {name: Backlog, metric: backlog, warn: 100, fail: 1000}
"""


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "carecli.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _check(runner: CliRunner, config: Path, *extra: str):
    return runner.invoke(
        app, ["check", "--data", str(SAMPLE), "--config", str(config), *WEEK, *extra]
    )


def test_all_targets_pass_exit_0(runner: CliRunner, tmp_path: Path) -> None:
    result = _check(runner, _config(tmp_path, PASSING))
    assert result.exit_code == 0, result.output
    assert "SLA targets · 2026-W47 · pass" in result.stdout
    assert "CSAT" in result.stdout


def test_a_fail_level_breach_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = _check(runner, _config(tmp_path, FAILING))
    assert result.exit_code == 1
    assert "FAIL" in result.stdout
    assert quiet(result.stderr) == ""


def test_warnings_exit_0_unless_strict(runner: CliRunner, tmp_path: Path) -> None:
    config = _config(tmp_path, WARNING)
    assert _check(runner, config).exit_code == 0
    assert _check(runner, config, "--strict").exit_code == 1


def test_json_output_and_breach_listing(runner: CliRunner, tmp_path: Path) -> None:
    result = _check(runner, _config(tmp_path, FAILING), "--format", "json", "--list-breaches", "3")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["status"] == "fail"
    assert document["period"]["label"] == "2026-W47"
    social = document["targets"][0]
    assert social["status"] == "fail"
    assert social["fail"] == 3600 and social["warn"] == 2700
    assert social["where"] == {"channel": ["twitter", "instagram"]}
    assert social["actual"] > 3600
    assert len(social["worst"]) == 3
    values = [row["value"] for row in social["worst"]]
    assert values == sorted(values, reverse=True)
    assert {row["channel"] for row in social["worst"]} <= {"twitter", "instagram"}


def test_list_breaches_in_the_table(runner: CliRunner, tmp_path: Path) -> None:
    result = _check(runner, _config(tmp_path, FAILING), "--list-breaches", "2")
    assert "Worst 2 of" in result.stdout
    assert "Conversation" in result.stdout


def test_junit_must_name_a_file_in_an_existing_folder(runner: CliRunner, tmp_path: Path) -> None:
    # `--junit out/` wrote a file named "out"; a folder is refused, existing or not, and a
    # missing folder is said before anything is evaluated.
    config = _config(tmp_path, FAILING)
    for junit, problem in (
        (f"{tmp_path}/out/", "the folder does not exist; create it first"),
        (str(tmp_path), "is a folder; give a file name such as results.xml"),
        (f"{tmp_path}/out/sla.xml", f"the folder {tmp_path}/out does not exist; create it first"),
    ):
        result = _check(runner, config, "--junit", junit)
        assert result.exit_code == 2
        assert result.stderr == f"carecli: error: --junit {junit}: {problem}\n"
    assert not (tmp_path / "out").exists()


def test_junit_xml_has_a_failure_per_breached_target(runner: CliRunner, tmp_path: Path) -> None:
    junit = tmp_path / "out" / "sla.xml"
    junit.parent.mkdir()
    result = _check(runner, _config(tmp_path, FAILING), "--junit", str(junit))
    assert result.exit_code == 1
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "Social p90 [channel=twitter,instagram]",
        "CSAT [all]",
    ]
    failure = cases[0].find("failure")
    assert failure is not None
    assert "p90" in failure.get("message", "") and "breached" in failure.get("message", "")
    assert cases[1].find("failure") is None
    assert not list(junit.parent.glob(".*.tmp"))  # the atomic write left no temp file


def test_junit_strict_turns_warnings_into_failures(runner: CliRunner, tmp_path: Path) -> None:
    junit = tmp_path / "sla.xml"
    _check(runner, _config(tmp_path, WARNING), "--junit", str(junit), "--strict")
    assert ET.parse(junit).getroot().find("testsuite").get("failures") == "1"


def test_check_without_targets_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    config = _config(tmp_path, "timezone: UTC\n")
    result = _check(runner, config)
    assert result.exit_code == 2
    assert quiet(result.stderr) == (
        f"carecli: error: {config}: no SLA targets; add an slas: list (see config.example.yaml)\n"
    )
    # No config at all: say that, not "the config has no targets".
    result = runner.invoke(app, ["check", "--data", str(SAMPLE), *WEEK])
    assert result.exit_code == 2
    assert quiet(result.stderr) == (
        "carecli: error: no config file, so no SLA targets: pass --config FILE, set "
        "$CARECLI_CONFIG or add ./carecli.yaml, with an slas: list\n"
    )


def test_invalid_config_exits_2_with_key_path(runner: CliRunner, tmp_path: Path) -> None:
    config = _config(tmp_path, "slas:\n  - name: x\n    metric: csat\n    fail: 1 hour\n")
    result = _check(runner, config)
    assert result.exit_code == 2
    assert "carecli.yaml:4: slas[0].fail: '1 hour' is not a rate" in result.stderr
    assert "Traceback" not in result.output


def test_validate(runner: CliRunner, tmp_path: Path) -> None:
    good = _config(tmp_path, FAILING)
    result = runner.invoke(app, ["validate", "--config", str(good)])
    assert result.exit_code == 0
    assert "valid (2 SLA targets" in result.stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text("slas:\n  - {name: a, metric: speed, fail: 1h}\n  - {name: b, metric: nps}\n")
    result = runner.invoke(app, ["validate", "--config", str(bad)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2  # every problem, one line each
    assert "slas[0].metric: 'speed' is not a metric" in lines[0]
    assert "slas[1]: needs a threshold" in lines[1]

    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("slas:\n  - name: [unclosed\n")
    result = runner.invoke(app, ["validate", "--config", str(syntax)])
    assert result.exit_code == 2
    assert "invalid YAML" in result.stderr

    missing = runner.invoke(app, ["validate", "--config", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2


def test_report_shows_sla_status_next_to_metrics(runner: CliRunner, tmp_path: Path) -> None:
    config = _config(tmp_path, FAILING)
    args = ["report", "--data", str(SAMPLE), "--config", str(config), *WEEK]
    result = runner.invoke(app, args)
    assert result.exit_code == 0  # a report is not a check
    assert "SLA targets · 2026-W47 · FAIL" in result.stdout
    document = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert [t["status"] for t in document["slas"]] == ["fail", "pass"]


def test_a_target_on_an_unavailable_metric_says_why(runner: CliRunner, tmp_path: Path) -> None:
    # The message sample has no talk/hold/after-work columns: AHT cannot be measured.
    config = _config(tmp_path, "slas:\n  - {name: AHT, metric: aht, statistic: mean, fail: 10m}\n")
    junit = tmp_path / "sla.xml"
    result = _check(runner, config, "--format", "json", "--junit", str(junit))
    assert result.exit_code == 0, result.output
    (target,) = json.loads(result.stdout)["targets"]
    assert target["status"] == "no_data"
    assert target["unavailable"] == "the input has no talk/hold/after-work columns"
    assert "aht is not available" in result.stderr
    (skipped,) = ET.parse(junit).getroot().iter("skipped")
    assert skipped.get("message") == "not available: the input has no talk/hold/after-work columns"


def test_check_refuses_the_report_formats(runner: CliRunner, tmp_path: Path) -> None:
    result = _check(runner, _config(tmp_path, PASSING), "--format", "md")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "carecli: error: --format md: check prints table or json\n"


def test_check_json_says_whether_it_was_strict(runner: CliRunner, tmp_path: Path) -> None:
    # A CI consumer reads "strict" to know whether the warn status failed the job.
    config = _config(tmp_path, WARNING)
    strict = _check(runner, config, "--format", "json", "--strict")
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["strict"] is True
    assert json.loads(_check(runner, config, "--format", "json").stdout)["strict"] is False
