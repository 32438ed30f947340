"""Delivering a report once it is written: email and chat webhooks, each failure said.

Every delivery is attempted even when one fails (a dead mail server must not also silence
the Slack channel); each failure is one line on stderr and the run exits 2. The report
file, if asked for, is written before any delivery.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from carecli.cli.common import err
from carecli.config.notify import Webhook, from_option, resolved

if TYPE_CHECKING:
    from carecli.core import Result


def webhooks(options: Sequence[str], result: Result, use_config: bool) -> list[Webhook]:
    """The webhooks to post to, placeholders filled: `--notify` ones and the config's
    `notify:` list (unless --no-notify). A missing variable is an error before any output."""
    chosen = [from_option(value) for value in options]
    if use_config:
        chosen += result.config.notify
    return [resolved(webhook) for webhook in chosen]


def deliver(
    result: Result, recipients: Sequence[str], hooks: Sequence[Webhook], written: Path | None
) -> None:
    """Email the digest and post the summary; raise the last DeliveryError after trying all."""
    from carecli.delivery.mail import DeliveryError, subject_for
    from carecli.sla.evaluate import overall_status

    status = overall_status(result.outcomes) if result.outcomes else None
    subject = subject_for(result.period, status)
    failures: list[DeliveryError] = []
    if recipients:
        try:
            _email(result, recipients, subject)
        except DeliveryError as exc:
            failures.append(exc)
    if hooks:
        from carecli.delivery.webhooks import post
        from carecli.render.chat import body, summary

        assert result.report is not None
        where = str(written.resolve()) if written is not None else None
        digest = summary(result.report, result.outcomes, subject, where)
        for hook in hooks:
            assert hook.kind is not None
            try:
                post(hook, body(hook.kind, digest))
                err(f"summary posted to {hook.where} ({hook.kind})")
            except DeliveryError as exc:
                failures.append(exc)
    for failure in failures[:-1]:
        err(f"error: {failure}")
    if failures:
        raise failures[-1]


def _email(result: Result, recipients: Sequence[str], subject: str) -> None:
    """The digest as plain text and email-safe HTML, with the verdict in the subject."""
    from carecli.delivery.mail import build_message, send
    from carecli.render.formats import email_html, email_text

    smtp = result.config.smtp
    assert smtp is not None
    message = build_message(
        subject,
        smtp.sender,
        recipients,
        email_text(result),
        email_html(result),
    )
    send(smtp, message)
    err(f"report emailed to {', '.join(recipients)}")
