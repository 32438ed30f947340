"""carecli's numbers on the whole sample against a plain-Python reference implementation.

The reference follows docs/metrics.md line by line with no polars, so a mistake in the
vectorised timeline (sorting, windows, tie order) shows up as a mismatch here.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from factories import NOW

from carecli.config.model import Config
from carecli.periods import parse_week
from carecli.report.build import build_report, load_dataset

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
TIE_RANK = {"customer": 0, "bot": 1, "agent": 2}


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _rank(row: dict[str, Any]) -> int:
    kind = row.get("event") or "message"
    if kind == "message":
        return TIE_RANK[row["role"]]
    return 4 if kind in ("csat", "nps") else 3


def reference(path: Path, start: datetime, end: datetime) -> dict[str, Any]:
    by_conversation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            row["at"] = datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00"))
            by_conversation[row["conversation_id"]].append(row)

    frt, bot, replies, resolutions = [], [], [], []
    volume = awaiting = backlog = resolved = first_contact = 0
    csat, nps = [], []
    for rows in by_conversation.values():
        rows.sort(key=lambda r: (r["at"], _rank(r)))
        messages = [r for r in rows if (r.get("event") or "message") == "message"]
        customer_times = [r["at"] for r in messages if r["role"] == "customer"]
        if not customer_times:
            continue
        t0 = customer_times[0]
        states = [r for r in rows if r.get("event") in ("resolved", "reopened")]
        before_end = [r for r in states if r["at"] < end]
        if t0 < end and not (before_end and before_end[-1]["event"] == "resolved"):
            backlog += 1
        if not start <= t0 < end:
            continue
        volume += 1
        agent_times = [r["at"] for r in messages if r["role"] == "agent" and r["at"] >= t0]
        bot_times = [r["at"] for r in messages if r["role"] == "bot" and r["at"] >= t0]
        if agent_times:
            frt.append((agent_times[0] - t0).total_seconds())
        else:
            awaiting += 1
        if bot_times:
            bot.append((bot_times[0] - t0).total_seconds())
        previous_role = None
        people = [r for r in messages if r["role"] in ("customer", "agent")]
        for i, row in enumerate(people):
            if row["role"] == "customer" and previous_role != "customer":
                later = [r["at"] for r in people[i + 1 :] if r["role"] == "agent"]
                if later:
                    replies.append((later[0] - row["at"]).total_seconds())
            previous_role = row["role"]
        if states and states[-1]["event"] == "resolved":
            resolved += 1
            last = max(r["at"] for r in states if r["event"] == "resolved")
            resolutions.append((last - t0).total_seconds())
            troubled = any(r.get("event") in ("reopened", "escalated", "transferred") for r in rows)
            first_contact += not troubled
        ratings = [r["csat"] for r in rows if r.get("csat") is not None]
        scores = [r["nps"] for r in rows if r.get("nps") is not None]
        if ratings:
            csat.append(ratings[-1])
        if scores:
            nps.append(scores[-1])

    def durations(values: list[float]) -> dict[str, float | None]:
        return {
            "count": len(values),
            "mean": statistics.fmean(values) if values else None,
            "median": _quantile(values, 0.5),
            "p90": _quantile(values, 0.9),
            "max": max(values) if values else None,
        }

    promoters = sum(s >= 9 for s in nps)
    detractors = sum(s <= 6 for s in nps)
    return {
        "volume": {"conversations": volume},
        "first_response_time": {**durations(frt), "awaiting_first_response": awaiting},
        "bot_first_response_time": durations(bot),
        "reply_time": durations(replies),
        "resolution_time": durations(resolutions),
        "backlog": {"open": backlog},
        "fcr_rate": {"rate": first_contact / resolved, "resolved": resolved},
        "csat": {"rate": sum(r >= 4 for r in csat) / len(csat), "count": len(csat)},
        "nps": {"score": 100 * (promoters - detractors) / len(nps), "count": len(nps)},
    }


@pytest.mark.parametrize(("week", "tz"), [("2026-W47", "UTC"), ("2026-W43", "Europe/Berlin")])
def test_sample_week_matches_the_reference(week: str, tz: str) -> None:
    config = Config(timezone=tz)
    period = parse_week(week, tz, NOW)
    dataset = load_dataset(SAMPLE / "messages.jsonl", config)
    actual = build_report(dataset, period, config).overall.current
    expected = reference(SAMPLE / "messages.jsonl", period.start_utc, period.end_utc)
    assert expected["volume"]["conversations"] > 500
    for metric, values in expected.items():
        for stat, value in values.items():
            assert actual[metric][stat] == pytest.approx(value), f"{metric}.{stat}"


def test_message_and_conversation_exports_agree() -> None:
    """conversations.csv is the roll-up of messages.jsonl (plus phone calls only it has)."""
    config = Config()
    period = parse_week("2026-W46", "UTC", NOW)
    filters = {
        "channel": ("whatsapp", "messenger", "twitter", "instagram", "wechat", "email", "chat")
    }
    from_messages = build_report(
        load_dataset(SAMPLE / "messages.jsonl", config), period, config, filters=filters
    ).overall.current
    from_rows = build_report(
        load_dataset(SAMPLE / "conversations.csv", config), period, config, filters=filters
    ).overall.current
    for metric in ("volume", "first_response_time", "bot_first_response_time", "resolution_time"):
        for stat in ("conversations", "count", "mean", "median", "p90", "max"):
            if stat in from_messages[metric]:
                assert from_rows[metric][stat] == pytest.approx(from_messages[metric][stat]), (
                    f"{metric}.{stat}"
                )
    for metric, stat in (
        ("fcr_rate", "rate"),
        ("csat", "rate"),
        ("csat", "count"),
        ("nps", "score"),
    ):
        assert from_rows[metric][stat] == pytest.approx(from_messages[metric][stat]), metric
