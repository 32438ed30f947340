"""Chat webhooks: the config's `notify:` list and `--notify`, checked (posting: delivery.webhooks).

A webhook URL is a secret (whoever has it can post to the channel), so a config may hold
it as `${CARECLI_...}` placeholders filled from the environment when the report is sent,
only from CARECLI_ variables (the rule of config/secrets.py), and messages show a URL
only as its scheme and host (`redact`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from carecli.config.entry import Problem
from carecli.config.secrets import secret_env_problem
from carecli.errors import UsageError

KINDS = ("slack", "teams", "json")
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 3
_KEYS = ("url", "kind", "timeout", "retries")
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_EXAMPLE = "CARECLI_SLACK_WEBHOOK"
# Hosts of the services' incoming webhooks; anything else gets the generic JSON body.
_SLACK_HOSTS = ("hooks.slack.com",)
_TEAMS_SUFFIXES = (".webhook.office.com", "outlook.office.com", ".logic.azure.com")
_TEAMS_SUFFIXES += (".powerplatform.com", ".powerautomate.com")


class WebhookError(UsageError):
    """A webhook URL cannot be used (a missing variable, not http(s)); names where it came from."""


@dataclass(frozen=True)
class Webhook:
    """One chat webhook. `url` may hold `${CARECLI_...}` placeholders; `kind` None: by host."""

    url: str
    kind: str | None = None
    timeout: float = DEFAULT_TIMEOUT  # seconds for the whole delivery, retries included
    retries: int = DEFAULT_RETRIES  # after the first attempt, on 429, 5xx and lost connections
    where: str = "--notify"  # how messages name it: notify[0], or --notify


def redact(url: str) -> str:
    """`https://hooks.slack.com/…`: scheme and host only, never the path, query or login."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(unreadable URL)"
    if not parts.scheme:
        return "(not a URL)"
    return f"{parts.scheme}://{host}{port}/…"


def kind_for(url: str) -> str:
    """slack, teams or json, from the URL's host."""
    host = (urlsplit(url).hostname or "").lower()
    if host in _SLACK_HOSTS:
        return "slack"
    if any(host == s.lstrip(".") or host.endswith(s) for s in _TEAMS_SUFFIXES):
        return "teams"
    return "json"


def url_problem(url: str) -> str | None:
    """Why `url` cannot be posted to (None if it can). Only http and https: urllib would
    also open file:// and ftp:// URLs."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return (
            f"{redact(url)} is not an http(s) URL; use the webhook URL the chat service "
            "gave you, e.g. https://hooks.slack.com/services/..."
        )
    return None


def check_url(url: str, where: str) -> None:
    reason = url_problem(url)
    if reason is not None:
        raise WebhookError(f"{where}: {reason}")


def resolved(webhook: Webhook, environ: Mapping[str, str] | None = None) -> Webhook:
    """The webhook with its placeholders filled in and its kind decided."""
    env = os.environ if environ is None else environ

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = env.get(name, "")
        if not value:
            raise WebhookError(
                f"{webhook.where}.url: ${name} is not set or empty; export the webhook URL in it"
            )
        return value

    url = _PLACEHOLDER.sub(fill, webhook.url)
    check_url(url, webhook.where)
    return Webhook(url, webhook.kind or kind_for(url), webhook.timeout, webhook.retries,
                   webhook.where)  # fmt: skip


def from_option(value: str) -> Webhook:
    """`--notify URL`, or `--notify KIND=URL` to choose the body (slack, teams, json)."""
    kind, sep, rest = value.partition("=")
    if sep and kind in KINDS:
        check_url(rest, "--notify")
        return Webhook(rest, kind)
    check_url(value, "--notify")
    return Webhook(value)


def read_notify(raw: object, problem: Problem) -> tuple[Webhook, ...]:
    """Parse the config's `notify:` list: URLs, or mappings with url:, kind:, timeout:, retries:."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problem(("notify",), "expected a list of webhooks: '- url: ${CARECLI_SLACK_WEBHOOK}'")
        return ()
    webhooks = []
    for index, item in enumerate(raw):
        webhook = _read_one(item if isinstance(item, dict) else {"url": item}, index, problem)
        if webhook is not None:
            webhooks.append(webhook)
    return tuple(webhooks)


def _read_one(item: dict[str, Any], index: int, problem: Problem) -> Webhook | None:
    ok = True

    def bad(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        problem(("notify", index, key), message)

    for key in item:
        if key not in _KEYS:
            bad(key, f"unknown key; use {', '.join(_KEYS)}")
    url = item.get("url")
    if not isinstance(url, str) or not url.strip():
        bad("url", "expected the webhook URL, e.g. ${CARECLI_SLACK_WEBHOOK}")
        url = ""
    url = url.strip()
    for name in _PLACEHOLDER.findall(url):
        reason = secret_env_problem(name, _EXAMPLE)
        if reason is not None:
            bad("url", f"${{{name}}}: {reason}")
    if "$" in _PLACEHOLDER.sub("", url):
        bad("url", "a '$' outside ${NAME}; write placeholders as ${CARECLI_NAME}")
    elif url and not _PLACEHOLDER.search(url):
        reason = url_problem(url)  # a literal URL is checked now; a placeholder when sent
        if reason is not None:
            bad("url", reason)
    kind = item.get("kind")
    if kind is not None and kind not in KINDS:
        bad("kind", f"{kind!r} is not one of {', '.join(KINDS)} (omit it to decide by host)")
    timeout = item.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        bad("timeout", f"{timeout!r} is not a number of seconds above 0")
    retries = item.get("retries", DEFAULT_RETRIES)
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 10:
        bad("retries", f"{retries!r} is not a whole number from 0 to 10")
    if not ok:
        return None
    return Webhook(url, kind, float(timeout), retries, f"notify[{index}]")
