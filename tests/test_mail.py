"""Mail delivery against a real SMTP server (aiosmtpd on 127.0.0.1), and its failures."""

from __future__ import annotations

import email
import socket
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from smtp_server import PASSWORD, Inbox, free_port
from typer.testing import CliRunner

from carecli.cli.app import app
from carecli.config.smtp import SmtpSettings, read_smtp
from carecli.delivery.mail import DeliveryError, build_message, send, subject_for
from carecli.errors import CareError, UsageError
from carecli.periods import parse_week, select_period

TEXT = "# carecli weekly report — 2026-W47\n\n| a | b |\n| - | - |\n"
HTML = "<!DOCTYPE html><html><body><h1>carecli weekly report — 2026-W47</h1></body></html>"


def _message() -> EmailMessage:
    subject = subject_for(parse_week("2026-W47", "UTC", datetime.now()), "fail")
    return build_message(
        subject, "Care <care@example.com>", ["lead@example.com", "boss@example.com"], TEXT, HTML
    )


def _settings(port: int, **more: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security="none", sender="care@example.com",
                        timeout=5, **more)  # fmt: skip


def test_delivers_text_and_html_alternatives(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    send(_settings(port), _message())
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "care@example.com"
    assert envelope.rcpt_tos == ["lead@example.com", "boss@example.com"]
    received = email.message_from_bytes(envelope.original_content, policy=default_policy)
    assert received["Subject"] == "carecli weekly report 2026-W47 — SLA: FAIL"
    assert received["From"] == "Care <care@example.com>"
    assert received["To"] == "lead@example.com, boss@example.com"
    assert received["Message-ID"].endswith("@example.com>")
    assert received.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in received.iter_parts()]
    assert parts == ["text/plain", "text/html"]  # the last alternative is the preferred one
    assert {p["Content-Transfer-Encoding"] for p in received.iter_parts()} == {"quoted-printable"}
    plain, html = (received.get_body((kind,)).get_content() for kind in ("plain", "html"))
    assert plain.replace("\r\n", "\n") == TEXT  # SMTP carries CRLF line ends
    assert html.rstrip("\r\n") == HTML


@pytest.mark.parametrize("smtp_server", [True], indirect=True)
def test_login_with_the_password_from_the_environment(
    smtp_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp_server
    monkeypatch.setenv("CARE_TEST_PASSWORD", PASSWORD)
    send(_settings(port, username="lead", password_env="CARE_TEST_PASSWORD"), _message())
    assert len(inbox.envelopes) == 1


@pytest.mark.parametrize("smtp_server", [True], indirect=True)
def test_a_refused_login_is_one_line(
    smtp_server: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp_server
    monkeypatch.setenv("CARECLI_SMTP_PASSWORD", "wrong")
    with pytest.raises(DeliveryError) as caught:
        send(_settings(port, username="lead"), _message())
    message = str(caught.value)
    assert message.startswith(f"127.0.0.1:{port}: login as 'lead' refused (535")
    assert "$CARECLI_SMTP_PASSWORD" in message and "\n" not in message
    assert "wrong" not in message  # never echo the password
    assert inbox.envelopes == []


def test_username_without_password_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARECLI_SMTP_PASSWORD", raising=False)
    with pytest.raises(DeliveryError, match=r"\$CARECLI_SMTP_PASSWORD is empty"):
        send(_settings(1, username="lead"), _message())


def test_refused_connection_names_host_and_port() -> None:
    port = free_port()  # bound then closed: nothing listens there
    with pytest.raises(DeliveryError) as caught:
        send(_settings(port), _message())
    assert str(caught.value) == f"127.0.0.1:{port}: connection refused; check host and port"
    assert isinstance(caught.value, CareError)  # the CLI turns it into exit code 2


def test_a_silent_server_times_out() -> None:
    with socket.socket() as silent:  # accepts connections, never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(DeliveryError, match=r"no answer within 0.3s"):
            send(SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=0.3),
                 _message())  # fmt: skip


def test_starttls_against_a_server_without_it(smtp_server: tuple[Inbox, int]) -> None:
    _, port = smtp_server
    settings = SmtpSettings(host="127.0.0.1", port=port, security="starttls", timeout=5)
    with pytest.raises(DeliveryError, match=r"STARTTLS extension not supported"):
        send(settings, _message())


def test_read_smtp_defaults_and_problems() -> None:
    problems: list[tuple[tuple, str]] = []

    def problem(key_path: tuple, message: str) -> None:
        problems.append((key_path, message))

    assert read_smtp(None, problem) is None
    settings = read_smtp(
        {"host": "smtp.example.com", "security": "ssl", "sender": "care@example.com"}, problem
    )
    assert settings == SmtpSettings("smtp.example.com", 465, "ssl", "care@example.com")
    assert problems == []

    bad = {
        "host": "smtp example",
        "port": "587",
        "security": "tls",
        "sender": "nobody",
        "password": "hunter2",
        "timeout": 0,
        "password_env": "1X",
    }
    assert read_smtp(bad, problem) is None
    keys = [path for path, _ in problems]
    assert keys == [
        ("smtp", "password"),
        ("smtp", "host"),
        ("smtp", "security"),
        ("smtp", "port"),
        ("smtp", "sender"),
        ("smtp", "password_env"),
        ("smtp", "timeout"),
    ]
    assert "export $CARECLI_SMTP_PASSWORD" in problems[0][1]

    problems.clear()
    plain = {"host": "mail.example.com", "security": "none", "sender": "a@b.c", "username": "u"}
    assert read_smtp(plain, problem) is None
    assert problems == [
        (("smtp", "security"), "security: none would send the password unencrypted; "
                               "use starttls or ssl"),
    ]  # fmt: skip
    problems.clear()
    assert read_smtp(["host"], problem) is None and problems[0][0] == ("smtp",)
    problems.clear()
    assert read_smtp({}, problem) is None
    assert [path for path, _ in problems] == [("smtp", "host"), ("smtp", "sender")]
    assert problems[1][1].startswith("required: the From address")


def test_subjects_and_recipients() -> None:
    week = parse_week("2026-W47", "UTC", datetime.now())
    assert subject_for(week, "pass") == "carecli weekly report 2026-W47 — SLA: PASS"
    assert subject_for(week, None) == "carecli weekly report 2026-W47"
    with pytest.raises(UsageError, match="not an email address"):
        build_message("s", "a@b.c", ["x@y.z\nBcc: evil@example.com"], TEXT, HTML)
    with pytest.raises(UsageError, match="at least one recipient"):
        build_message("s", "a@b.c", [], TEXT, HTML)


# --- rules pinned by the fourth mutation sweep -----------------------------------------


def _read(raw: dict[str, Any]) -> tuple[SmtpSettings | None, list[tuple[str, ...]]]:
    problems: list[tuple[str, ...]] = []
    settings = read_smtp(raw, lambda path, message: problems.append(path))
    return settings, problems


BASE = {"host": "smtp.example.com", "sender": "care@example.com"}


@pytest.mark.parametrize(
    ("extra", "port"),
    [({"security": "none"}, 25), ({}, 587), ({"port": 65535}, 65535), ({"port": 1}, 1)],
    ids=["none-defaults-to-25", "starttls-defaults-to-587", "port-65535", "port-1"],
)
def test_read_smtp_ports(extra: dict[str, Any], port: int) -> None:
    settings, problems = _read(BASE | extra)
    assert problems == [] and settings is not None and settings.port == port


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ({"port": 0}, "port"),
        ({"port": 65536}, "port"),
        ({"port": True}, "port"),  # YAML `port: yes` is not port 1
        ({"timeout": True}, "timeout"),  # nor `timeout: yes` one second
        ({"username": ""}, "username"),  # an empty login would skip the login silently
        ({"sender": "@example.com"}, "sender"),  # no local part
        ({"sender": "care@"}, "sender"),  # no domain
    ],
)
def test_read_smtp_rejects(extra: dict[str, Any], key: str) -> None:
    assert _read(BASE | extra) == (None, [("smtp", key)])


def test_read_smtp_allows_a_login_over_plain_smtp_to_localhost_only() -> None:
    # security: none with a username: a local relay may see the password, a remote host not.
    local = {"host": " localhost ", "security": "none", "username": "u", "sender": "a@b.c"}
    settings, problems = _read(local)
    assert problems == [] and settings is not None and settings.host == "localhost"
    assert _read(local | {"host": "mail.example.com"})[1] == [("smtp", "security")]


def test_read_smtp_strips_host_and_sender() -> None:
    settings, _ = _read({"host": " smtp.example.com ", "sender": " Care <care@example.com> "})
    assert settings is not None
    assert (settings.host, settings.sender) == ("smtp.example.com", "Care <care@example.com>")
    assert settings.address == "smtp.example.com:587"


def test_subject_of_a_report_that_is_not_a_week() -> None:
    period = select_period(None, "2026-11-01", "2026-11-08", "UTC", datetime.now(UTC), False)
    assert subject_for(period, None) == f"carecli report {period.label}"
    assert "weekly" not in subject_for(period, "warn") and subject_for(period, "warn").endswith(
        " — SLA: WARN"
    )


def test_a_subject_with_line_breaks_becomes_one_line() -> None:
    # A line break in a header would end it (header injection); the subject is folded to one.
    message = build_message("carecli report\n 2026-W47\r\n", "a@b.c", ["x@y.z"], TEXT, HTML)
    assert message["Subject"] == "carecli report 2026-W47"


def test_an_empty_password_variable_is_refused_before_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `export CARECLI_SMTP_PASSWORD=` (set but empty) must not try a login with "".
    monkeypatch.setenv("CARECLI_SMTP_PASSWORD", "")
    with pytest.raises(DeliveryError, match=r"^127\.0\.0\.1:1: .*\$CARECLI_SMTP_PASSWORD is empty"):
        send(_settings(1, username="lead"), _message())


def test_starttls_refused_suggests_ssl_or_none(smtp_server: tuple[Inbox, int]) -> None:
    _, port = smtp_server
    settings = SmtpSettings(host="127.0.0.1", port=port, security="starttls", timeout=5)
    with pytest.raises(DeliveryError) as caught:
        send(settings, _message())
    assert str(caught.value).endswith("(set security: ssl or none)")


def test_some_recipients_refused_is_an_error_naming_them(
    smtp_server: tuple[Inbox, int],
) -> None:
    # The report reached lead@ only: boss@ must not be lost silently.
    inbox, port = smtp_server
    inbox.refused.add("boss@example.com")
    with pytest.raises(DeliveryError) as caught:
        send(_settings(port), _message())
    assert str(caught.value) == f"127.0.0.1:{port}: delivered, except to boss@example.com (refused)"
    assert [e.rcpt_tos for e in inbox.envelopes] == [["lead@example.com"]]


def test_every_recipient_refused_names_them_all(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    inbox.refused.update({"lead@example.com", "boss@example.com"})
    with pytest.raises(DeliveryError) as caught:
        send(_settings(port), _message())
    assert str(caught.value) == (
        f"127.0.0.1:{port}: every recipient was refused (boss@example.com, lead@example.com)"
    )
    assert inbox.envelopes == []


def test_a_refused_sender_is_named(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    inbox.refused.add("care@example.com")
    with pytest.raises(DeliveryError) as caught:
        send(_settings(port), _message())
    assert str(caught.value) == (
        f"127.0.0.1:{port}: sender 'care@example.com' refused (553 5.7.1 Sender not allowed)"
    )


def test_an_unknown_host_is_named() -> None:
    settings = SmtpSettings(host="no-such-host.invalid", port=25, security="none", timeout=5)
    with pytest.raises(DeliveryError) as caught:
        send(settings, _message())
    assert str(caught.value) == "no-such-host.invalid:25: unknown host 'no-such-host.invalid'"


# --- smtp.password_env names a CARECLI_ variable only -----------------------------------


@pytest.mark.parametrize(
    "name", ["AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "HOME", "carecli_smtp_password", "CARECLI_"]
)
def test_password_env_must_name_a_carecli_variable(name: str) -> None:
    # A shared config must not make carecli send another secret to the server it names.
    problems: list[tuple[tuple[Any, ...], str]] = []
    raw = BASE | {"username": "lead", "password_env": name}
    assert read_smtp(raw, lambda path, message: problems.append((path, message))) is None
    ((path, message),) = problems
    assert path == ("smtp", "password_env")
    assert repr(name) in message and "CARECLI_" in message and "secret" in message


@pytest.mark.parametrize("name", ["CARECLI_SMTP_PASSWORD", "CARECLI_MAIL_2", "CARECLI_x"])
def test_password_env_accepts_carecli_variables(name: str) -> None:
    settings, problems = _read(BASE | {"username": "lead", "password_env": name})
    assert problems == [] and settings is not None and settings.password_env == name


def test_validate_names_the_password_env_key(tmp_path: Path) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_text(
        "smtp:\n  host: smtp.example.com\n  sender: care@example.com\n  username: lead\n"
        "  password_env: AWS_SECRET_ACCESS_KEY\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", "--config", str(config)])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"carecli: error: {config}:5: smtp.password_env: ")
    assert "'AWS_SECRET_ACCESS_KEY'" in line and "CARECLI_" in line
