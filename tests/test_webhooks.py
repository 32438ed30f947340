"""Chat webhooks against a real HTTP server on 127.0.0.1: bodies, retries, timeouts, secrets."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from factories import quiet
from http_server import Hooks
from typer.testing import CliRunner

from carecli.cli.app import app
from carecli.config.model import parse_config
from carecli.config.notify import Webhook, kind_for, redact
from carecli.delivery import webhooks
from carecli.delivery.mail import DeliveryError
from carecli.errors import ConfigError

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "messages.jsonl"
WEEK = ["--week", "2026-W47", "--as-of", "2026-11-23T08:00", "--data", str(SAMPLE)]
SECRET = "/services/T000/B000/XXXXsecretXXXX"
SLAS = (
    "slas:\n"
    "  - {name: CSAT <!channel>, metric: csat, fail: 99%}\n"
    "  - {name: Email median, metric: first_response_time, statistic: median,\n"
    "     where: {channel: email}, fail: 1h}\n"
)


def _config(tmp_path: Path, notify: str) -> Path:
    path = tmp_path / "carecli.yaml"
    path.write_text(SLAS + "notify:\n" + notify, encoding="utf-8")
    return path


def test_each_kind_gets_its_documented_body(
    tmp_path: Path, hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARECLI_TEST_SLACK", hooks.url("/slack" + SECRET))
    config = _config(
        tmp_path,
        "  - {url: '${CARECLI_TEST_SLACK}', kind: slack}\n"
        f"  - {{url: '{hooks.url('/teams')}', kind: teams}}\n"
        f"  - '{hooks.url('/generic')}'\n",  # a bare URL on a host of its own: generic JSON
    )
    output = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["report", *WEEK, "--config", str(config), "-f", "json", "--output", str(output)]
    )
    assert result.exit_code == 0, result.stderr
    assert "summary posted to notify[0] (slack)" in result.stderr
    assert SECRET not in result.stderr
    posts = {r.path.split("/")[1]: r for r in hooks.received}
    assert sorted(posts) == ["generic", "slack", "teams"]
    assert all(r.headers["Content-Type"].startswith("application/json") for r in posts.values())

    slack = posts["slack"].json()
    assert slack["text"] == "carecli weekly report 2026-W47 — SLA: FAIL"
    kinds = [block["type"] for block in slack["blocks"]]
    assert kinds == ["header", "context", "section", "section", "section", "context"]
    assert slack["blocks"][0]["text"] == {"type": "plain_text", "text": slack["text"]}
    kpis = slack["blocks"][3]["text"]["text"]
    assert kpis.startswith("*Headline KPIs*\n• ") and "First response" in kpis
    targets = slack["blocks"][4]["text"]["text"]
    assert "CSAT &lt;!channel&gt;" in targets and "<!channel>" not in json.dumps(slack)
    assert "breached" in targets
    assert str(output.resolve()) in slack["blocks"][5]["elements"][0]["text"]

    teams = posts["teams"].json()
    assert teams["type"] == "message"
    (attachment,) = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["text"] == slack["text"] and card["body"][0]["color"] == "attention"
    facts = [f["title"] for block in card["body"] if block["type"] == "FactSet"
             for f in block["facts"]]  # fmt: skip
    assert "CSAT, satisfied share" in facts and "FAIL" in facts

    generic = posts["generic"].json()
    report = json.loads(output.read_text("utf-8"))
    assert generic["schema_version"] == 1 and generic["status"] == "fail"
    assert generic["period"] == "2026-W47" and generic["report"] == str(output.resolve())
    for kpi in generic["kpis"]:  # the numbers are the JSON report's (before its rounding)
        expected = report["overall"]["metrics"][kpi["metric"]][kpi["statistic"]]
        assert kpi["value"] == pytest.approx(expected, abs=1e-3)
    assert [t["status"] for t in generic["targets"]] == ["fail", "fail"]


def test_500_twice_then_200_succeeds(hooks: Hooks, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "BACKOFF", 0.05)
    hooks.answers = [(500, {}), (503, {})]
    attempts = webhooks.post(Webhook(hooks.url(), "json", timeout=5), {"a": 1})
    assert attempts == 3
    assert [r.json() for r in hooks.received] == [{"a": 1}] * 3


def test_retry_after_is_honoured_within_its_cap(
    hooks: Hooks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "BACKOFF", 0.01)
    monkeypatch.setattr(webhooks, "RETRY_AFTER_CAP", 0.4)
    hooks.answers = [(429, {"Retry-After": "0.3"}), (429, {"Retry-After": "3600"})]
    started = time.monotonic()
    assert webhooks.post(Webhook(hooks.url(), "json", timeout=5), {}) == 3
    assert 0.7 <= time.monotonic() - started < 2  # 0.3 s asked, then 3600 s capped at 0.4


def test_retries_are_bounded(hooks: Hooks, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "BACKOFF", 0.01)
    hooks.answers = [(502, {})] * 5
    with pytest.raises(DeliveryError) as caught:
        webhooks.post(Webhook(hooks.url(SECRET), "json", timeout=5, retries=2), {})
    assert len(hooks.received) == 3
    message = str(caught.value)
    assert "HTTP 502 (server_error) after 3 attempts" in message and SECRET not in message


def test_a_refused_message_is_not_retried(hooks: Hooks) -> None:
    hooks.answers = [(404, {})]
    with pytest.raises(DeliveryError, match=r"refused the message, HTTP 404.*revoked"):
        webhooks.post(Webhook(hooks.url(SECRET), "slack", where="notify[0]"), {})
    assert len(hooks.received) == 1


def test_a_server_that_never_answers_ends_within_the_timeout(tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections, never reads nor answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(DeliveryError, match=r"no answer after 1 attempt within 0.5s"):
            webhooks.post(Webhook(f"http://127.0.0.1:{port}{SECRET}", "json", timeout=0.5), {})
        assert time.monotonic() - started < 1.5

        config = _config(tmp_path, f"  - {{url: 'http://127.0.0.1:{port}/x', timeout: 1}}\n")
        output = tmp_path / "report.md"
        started = time.monotonic()
        result = CliRunner().invoke(
            app, ["report", *WEEK, "--config", str(config), "-f", "md", "--output", str(output)]
        )
        elapsed = time.monotonic() - started
    assert result.exit_code == 2
    lines = quiet(result.stderr).strip().splitlines()
    assert lines[-1].startswith("carecli: error: notify[0] (http://127.0.0.1:")
    assert "no answer" in lines[-1]
    assert output.read_text("utf-8").startswith("# carecli weekly report")  # still written
    assert elapsed < 10


def test_secrets_only_from_carecli_variables(tmp_path: Path, runner: CliRunner) -> None:
    config = _config(tmp_path, "  - url: ${AWS_SECRET_ACCESS_KEY}\n")
    result = runner.invoke(app, ["report", *WEEK, "--config", str(config)])
    assert result.exit_code == 2
    assert "notify[0].url: ${AWS_SECRET_ACCESS_KEY}" in result.stderr
    assert "does not start with CARECLI_" in result.stderr


def test_a_missing_variable_stops_before_anything_is_written(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CARECLI_NOPE", raising=False)
    config = _config(tmp_path, "  - url: ${CARECLI_NOPE}\n")
    output = tmp_path / "r.md"
    args = ["report", *WEEK, "--config", str(config), "-f", "md", "--output", str(output)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "notify[0].url: $CARECLI_NOPE is not set or empty" in result.stderr
    assert not output.exists()
    # --no-notify skips the config's webhooks (an ad hoc run with the cron job's config).
    assert runner.invoke(app, [*args, "--no-notify"]).exit_code == 0


@pytest.mark.parametrize(
    ("notify", "message"),
    [
        ("  - file:///etc/passwd\n", "notify[0].url: file:///… is not an http(s) URL"),
        ("  - {url: 'https://x.example', kind: discord}\n", "notify[0].kind: 'discord' is not"),
        ("  - {url: 'https://x.example', timeout: 0}\n", "notify[0].timeout: 0 is not"),
        ("  - {url: 'https://x.example', retries: 99}\n", "notify[0].retries: 99 is not"),
        ("  - {url: 'https://x.example', token: 1}\n", "notify[0].token: unknown key"),
        ("  - 'https://x.example/$HOME'\n", "notify[0].url: a '$' outside ${NAME}"),
        ("  {url: x}\n", "notify: expected a list of webhooks"),
    ],
)
def test_notify_config_problems(notify: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("notify:\n" + notify)
    assert message in str(caught.value)


def test_a_bad_notify_option_stops_before_the_data_is_read(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", "--data", "missing.jsonl", "--notify", "ftp://x/y"])
    assert result.exit_code == 2
    assert "--notify: ftp://x/… is not an http(s) URL" in result.stderr


def test_kind_by_host_and_redaction() -> None:
    assert kind_for("https://hooks.slack.com/services/T/B/X") == "slack"
    assert kind_for("https://acme.webhook.office.com/webhookb2/x") == "teams"
    assert kind_for("https://prod-01.westeurope.logic.azure.com/workflows/x") == "teams"
    assert kind_for("https://example.com/hooks/slack") == "json"
    assert redact("https://user:pw@hooks.slack.com:8443/services/T/B/X?token=1") == (
        "https://hooks.slack.com:8443/…"
    )
