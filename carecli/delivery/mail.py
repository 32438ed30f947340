"""Mailing the digest: the message, and delivery over SMTP (settings: carecli.config.smtp).

The password is never read from the config file, only from an environment variable
(`CARECLI_SMTP_PASSWORD` unless `password_env:` names another CARECLI_ one), so a config
can be committed and shared. Every delivery problem becomes a DeliveryError with one line that
names the server, so cron mail and CI logs say what to fix.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from carecli.config.smtp import SmtpSettings, is_address
from carecli.errors import CareError, UsageError
from carecli.periods import Period


class DeliveryError(CareError):
    """The report could not be mailed; the message names host:port and the cause."""


def subject_for(period: Period, overall_status: str | None) -> str:
    """`carecli weekly report 2026-W47 — SLA: FAIL` (no SLA part without targets)."""
    kind = "weekly report" if period.kind == "week" else "report"
    subject = f"carecli {kind} {period.label}"
    if overall_status is not None:
        subject += f" — SLA: {overall_status.replace('_', ' ').upper()}"
    return subject


def build_message(
    subject: str, sender: str, recipients: Sequence[str], text: str, html: str
) -> EmailMessage:
    """multipart/alternative: the Markdown as text/plain, then the HTML (preferred)."""
    if not recipients:
        raise UsageError("--email: give at least one recipient address")
    for recipient in recipients:
        if not is_address(recipient):
            raise UsageError(f"--email {recipient!r}: not an email address")
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid("carecli", domain=domain)
    # Quoted-printable: 7-bit safe for any relay (no 8BITMIME needed), readable when raw.
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def _reply(exc: smtplib.SMTPResponseException) -> str:
    raw = exc.smtp_error
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return f"{exc.smtp_code} {' '.join(text.split())}".strip()


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Deliver `message` to its To: recipients; any failure raises DeliveryError."""
    where = settings.address
    password = None
    if settings.username:
        password = os.environ.get(settings.password_env)
        if not password:
            raise DeliveryError(
                f"{where}: smtp.username is set but ${settings.password_env} is empty; "
                "export the SMTP password in it"
            )
    try:
        _deliver(settings, message, password)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{where}: login as {settings.username!r} refused ({_reply(exc)}); "
            f"check smtp.username and ${settings.password_env}"
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        hint = "set security: ssl or none" if "STARTTLS" in str(exc) else "remove username:"
        raise DeliveryError(f"{where}: {' '.join(str(exc).split())} ({hint})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(sorted(exc.recipients))
        raise DeliveryError(f"{where}: every recipient was refused ({refused})") from None
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(f"{where}: sender {exc.sender!r} refused ({_reply(exc)})") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"{where}: the server answered {_reply(exc)}") from None
    except smtplib.SMTPServerDisconnected as exc:
        if "timed out" in str(exc):  # smtplib reports a read timeout as a disconnection
            raise DeliveryError(_timed_out(settings)) from None
        raise DeliveryError(f"{where}: the server closed the connection") from None
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"{where}: {' '.join(str(exc).split())}") from None
    except ssl.SSLError as exc:
        # Wrong port for the security mode is the usual cause (ssl on 587, starttls on 465).
        reason = exc.reason or "handshake failed"
        raise DeliveryError(
            f"{where}: TLS failed ({reason}); check port and security (ssl: 465, starttls: 587)"
        ) from None
    except TimeoutError:
        raise DeliveryError(_timed_out(settings)) from None
    except ConnectionRefusedError:
        raise DeliveryError(f"{where}: connection refused; check host and port") from None
    except socket.gaierror:
        raise DeliveryError(f"{where}: unknown host {settings.host!r}") from None
    except OSError as exc:
        raise DeliveryError(f"{where}: cannot connect ({exc.strerror or exc})") from None


def _timed_out(settings: SmtpSettings) -> str:
    # A plain client on an implicit-TLS port (465) waits for a greeting that never comes.
    return (
        f"{settings.address}: no answer within {settings.timeout:g}s; check host, port, "
        "firewall and security (ssl: 465, starttls: 587)"
    )


def _deliver(settings: SmtpSettings, message: EmailMessage, password: str | None) -> None:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        if settings.security == "starttls":
            client.starttls(context=context)
        if settings.username and password is not None:
            client.login(settings.username, password)
        refused = client.send_message(message)
    if refused:  # some recipients accepted: the others must not be silently lost
        raise DeliveryError(
            f"{settings.address}: delivered, except to {', '.join(sorted(refused))} (refused)"
        )
