"""Posting the summary to chat webhooks (Slack, Teams, generic JSON) with urllib.

The standard library is enough for one JSON POST, and it keeps the dependency list
short. Every delivery is bounded: `Webhook.timeout` is the budget for the whole delivery,
retries and waits included, so a server that never answers cannot hang a cron job. 429
and 5xx answers and lost connections are retried (at most `Webhook.retries` times) after
an exponential backoff, or after the server's Retry-After when it says one, up to
RETRY_AFTER_CAP. Redirects are not followed: urllib would turn the POST into a GET and
drop the message. Messages name a webhook by where it came from (`notify[0]`,
`--notify`) and its host, never its full URL, which is a secret.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

from carecli import __version__
from carecli.config.notify import Webhook, redact
from carecli.delivery.mail import DeliveryError

BACKOFF = 1.0  # seconds before the first retry; doubled each time
RETRY_AFTER_CAP = 30.0  # the longest Retry-After honoured (still within the timeout)
_BODY_SHOWN = 120  # characters of an error answer quoted in the message


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx then surfaces as an HTTPError


_OPENER = urllib.request.build_opener(_NoRedirect)


class _Retry(Exception):
    """A failure worth another attempt: its reason and the wait the server asked for."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _answer(error: urllib.error.HTTPError) -> str:
    try:
        text = error.read(_BODY_SHOWN * 4).decode("utf-8", "replace")
    except OSError:
        text = ""
    text = " ".join(text.split())[:_BODY_SHOWN]
    return f"HTTP {error.code}" + (f" ({text})" if text else "")


def _attempt(webhook: Webhook, data: bytes, timeout: float) -> None:
    request = urllib.request.Request(
        webhook.url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"carecli/{__version__}",
        },
    )
    name = f"{webhook.where} ({redact(webhook.url)})"
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(1024)  # Slack answers "ok"; drain a little so the socket closes
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise _Retry(_answer(exc), _retry_after(exc.headers.get("Retry-After"))) from None
        if 300 <= exc.code < 400:
            raise DeliveryError(
                f"{name}: redirected (HTTP {exc.code}); use the URL it redirects to"
            ) from None
        hint = "; the webhook may have been revoked" if exc.code in (403, 404, 410) else ""
        refused = f"{name}: the server refused the message, {_answer(exc)}{hint}"
        raise DeliveryError(refused) from None
    except TimeoutError:
        raise _Retry("no answer") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise _Retry("no answer") from None
        if isinstance(reason, socket.gaierror):
            raise DeliveryError(f"{name}: unknown host; check the URL") from None
        if isinstance(reason, ssl.SSLError):
            raise DeliveryError(f"{name}: TLS failed ({reason.reason or reason})") from None
        raise _Retry(f"cannot connect ({getattr(reason, 'strerror', None) or reason})") from None
    except (ConnectionError, http.client.HTTPException) as exc:
        raise _Retry(f"connection lost ({type(exc).__name__})") from None


def post(
    webhook: Webhook,
    payload: dict[str, Any],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """POST `payload` as JSON; the number of attempts it took. Raises DeliveryError."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    deadline = clock() + webhook.timeout
    name = f"{webhook.where} ({redact(webhook.url)})"
    attempt, last = 0, "no answer"
    while True:
        attempt += 1
        remaining = deadline - clock()
        if remaining <= 0:
            break
        try:
            _attempt(webhook, data, remaining)
            return attempt
        except _Retry as retry:
            last = str(retry)
            if attempt > webhook.retries:
                break
            wait = BACKOFF * 2 ** (attempt - 1)
            if retry.wait is not None:
                wait = max(wait, min(retry.wait, RETRY_AFTER_CAP))
            if clock() + wait >= deadline:
                break  # no time left for another attempt
            sleep(wait)
    tries = f"{attempt} attempt{'s' if attempt > 1 else ''}"
    raise DeliveryError(
        f"{name}: {last} after {tries} within {webhook.timeout:g}s; check the URL and the "
        "service's status (notify: timeout: and retries: allow more)"
    )
