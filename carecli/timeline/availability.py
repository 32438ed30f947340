"""Which metrics an input can support, and why not: a claim the data cannot make is
"not available" in every report and SLA check, never a number computed from nothing."""

from __future__ import annotations

import polars as pl

from carecli.metrics.entry import Settings
from carecli.metrics.registry import METRICS

HANDLE_COLUMNS = ("talk_seconds", "hold_seconds", "after_work_seconds")
RESOLUTION_METRICS = ("resolution_time", "backlog", "fcr_rate")
ABANDONMENT_METRICS = ("abandonment_rate", "service_level")


def unavailable_metrics(frame: pl.DataFrame, granularity: str) -> dict[str, str]:
    """Metrics the input cannot support, with the reason shown to the user."""
    has = set(frame.columns).__contains__
    missing: dict[str, str] = {}
    if not any(has(c) for c in HANDLE_COLUMNS):
        missing["aht"] = "talk/hold/after-work columns"
    for name in ("csat", "nps"):
        if not has(name):
            missing[name] = f"{name} column"
    if granularity == "messages":
        # Without a single resolved event, "nothing resolved, everything open" would be a
        # claim the data cannot make (exports of messages alone: Front, TWCS).
        # Nor can it tell an abandoned conversation (closed unanswered) from one waiting.
        if not (has("event") and (frame["event"] == "resolved").any()):
            for name in (*RESOLUTION_METRICS, *ABANDONMENT_METRICS):
                missing[name] = "resolution events (event: resolved)"
        return missing
    missing["reply_time"] = "message timeline (one row per message)"
    if not has("created_at"):
        for name in ("first_response_time", "bot_first_response_time", "resolution_time"):
            missing[name] = "creation time (created_at)"
    else:
        answer_columns = ("first_response_at", "first_response_seconds", "first_response_minutes")
        answers = any(has(c) for c in answer_columns) or (has("answered") and has("wait_seconds"))
        if not answers:
            missing["first_response_time"] = missing["asa"] = "first response column"
        if not any(has(c) for c in ("bot_first_response_at", "bot_first_response_seconds")):
            missing["bot_first_response_time"] = "bot first response column"
        if not has("resolved_at"):
            missing["resolution_time"] = "resolution time (resolved_at)"
    if not (has("status") or has("resolved_at")):
        missing["backlog"] = missing["fcr_rate"] = "status or resolved_at column"
    elif not (has("reopen_count") or has("escalated")):
        missing["fcr_rate"] = "reopen_count or escalated column"
    # Abandoned: the export's answered flag says it, or an unanswered ticket that was closed.
    if not has("answered") and ("first_response_time" in missing or "backlog" in missing):
        for name in ABANDONMENT_METRICS:
            missing[name] = "answered column, or first response and status columns"
    if "first_response_time" in missing:  # no answer times: no speed, no service level
        missing["asa"] = missing["service_level"] = missing["first_response_time"]
    return missing


def out_of_scope(conversations: pl.DataFrame, settings: Settings) -> dict[str, str]:
    """Metrics about some conversations only (phone and chat queues) that no conversation
    of the data is about: "not available", not a row of zeros in an email team's report."""
    missing = {}
    for name, metric in METRICS.items():
        about = metric.scope
        if about is not None and not conversations.select(about(settings).any()).item():
            queues = ", ".join(settings.queue_channels)
            missing[name] = f"{queues} conversations (contact_centre.channels)"
    return missing
