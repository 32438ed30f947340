"""carecli's weekly report by channel, written as a straightforward pandas script.

What an analyst would write from docs/metrics.md: read only the needed columns, sort the
events by (conversation, time, tie rank), derive one row per conversation with masked
columns and one named group-by, derive reply turns with a grouped shift / back-fill, then
compute the statistics of the week's conversations overall and per channel.

    python benchmarks/impl_pandas.py --data events.csv --week 2026-W47

Prints one JSON document {"overall": {metric: {stat: value}}, "groups": {channel: ...}}
with carecli's metric and statistic names (see bench_report.py).
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

COLUMNS = ["conversation_id", "timestamp", "event", "role", "channel", "csat", "nps"]
CATEGORIES = {"event": "category", "role": "category", "channel": "category"}
SATISFIED_MIN = 4


def week_bounds(week: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """'2026-W47' -> [Monday 00:00 UTC, next Monday 00:00 UTC)."""
    year, number = week.upper().split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return pd.Timestamp(start), pd.Timestamp(start + timedelta(days=7))


def read_events(path: Path) -> pd.DataFrame:
    if glob.has_magic(str(path)):  # a folder of exports: one dataset
        return pd.concat(
            [read_events(Path(p)) for p in sorted(glob.glob(str(path)))], ignore_index=True
        )
    if path.suffix == ".parquet":
        df = pd.read_parquet(path, columns=COLUMNS)
        df = df.astype(CATEGORIES)
    elif path.suffix in (".jsonl", ".ndjson"):
        df = pd.read_json(path, lines=True, dtype=False)[COLUMNS].astype(CATEGORIES)
    else:
        df = pd.read_csv(path, usecols=COLUMNS, dtype={**CATEGORIES, "csat": "float64"})
    if not isinstance(df["timestamp"].dtype, pd.DatetimeTZDtype):
        df["timestamp"] = pd.to_datetime(df["timestamp"], format="ISO8601", utc=True)
    df["csat"] = df["csat"].astype("float64")
    df["nps"] = df["nps"].astype("float64")
    df["event"] = df["event"].fillna("message")
    return df


def timeline(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One row per conversation, one per customer turn, one per resolved/reopened event."""
    is_msg = df["event"] == "message"
    role = df["role"]
    # Same-second ties: customer, bot, agent, then status events, then surveys.
    df["rank"] = np.select(
        [is_msg & (role == "customer"), is_msg & (role == "bot"), is_msg & (role == "agent")],
        [0, 1, 2],
        default=np.where(df["event"].isin(["csat", "nps"]), 4, 3),
    )
    df = df.sort_values(["conversation_id", "timestamp", "rank"], ignore_index=True)

    ts, event, role = df["timestamp"], df["event"], df["role"]
    is_msg = event == "message"
    df["is_customer"] = is_msg & (role == "customer")
    df["is_agent"] = is_msg & (role == "agent")
    df["is_outbound"] = is_msg & role.isin(["agent", "bot"])
    df["t0"] = ts.where(df["is_customer"]).groupby(df["conversation_id"]).transform("min")
    after_start = ts >= df["t0"]
    df["agent_at"] = ts.where(df["is_agent"] & after_start)
    df["bot_at"] = ts.where(is_msg & (role == "bot") & after_start)
    df["resolved_at"] = ts.where(event == "resolved")
    df["state"] = event.where(event.isin(["resolved", "reopened"]))
    df["reopened"] = event == "reopened"
    df["escalated"] = event.isin(["escalated", "transferred"])

    conv = df.groupby("conversation_id", sort=False).agg(
        t0=("t0", "first"),
        first_agent=("agent_at", "min"),
        first_bot=("bot_at", "min"),
        last_state=("state", "last"),  # GroupBy.last skips missing values
        last_resolved=("resolved_at", "max"),
        reopened=("reopened", "any"),
        escalated=("escalated", "any"),
        csat=("csat", "last"),
        nps=("nps", "last"),
        channel=("channel", "last"),
        inbound=("is_customer", "sum"),
        outbound=("is_outbound", "sum"),
    )
    conv = conv[conv["t0"].notna()].copy()
    conv["first_response_s"] = (conv["first_agent"] - conv["t0"]).dt.total_seconds()
    conv["bot_first_response_s"] = (conv["first_bot"] - conv["t0"]).dt.total_seconds()
    conv["is_resolved"] = conv["last_state"] == "resolved"
    resolution = (conv["last_resolved"] - conv["t0"]).dt.total_seconds()
    conv["resolution_s"] = resolution.where(conv["is_resolved"])

    # Reply turns: bot messages are ignored; a turn starts at a customer message whose
    # previous customer/agent message is not a customer's, and waits for the next agent.
    people = df.loc[df["is_customer"] | df["is_agent"], ["conversation_id", "timestamp", "role"]]
    by_conversation = people.groupby("conversation_id", sort=False)
    previous_role = by_conversation["role"].shift()
    agent_at = people["timestamp"].where(people["role"] == "agent")
    next_agent = agent_at.groupby(people["conversation_id"], sort=False).bfill()
    starts = (people["role"] == "customer") & (previous_role != "customer")
    turns = pd.DataFrame(
        {
            "conversation_id": people["conversation_id"][starts],
            "reply_s": (next_agent[starts] - people["timestamp"][starts]).dt.total_seconds(),
        }
    )
    status = df.loc[df["state"].notna(), ["conversation_id", "timestamp", "state"]]
    return conv, turns, status


def duration_stats(seconds: pd.Series) -> dict[str, Any]:
    values = seconds.dropna()
    if values.empty:
        return {"count": 0, "mean": None, "median": None, "p90": None, "p95": None, "max": None}
    return {
        "count": int(values.size),
        "mean": float(values.mean()),
        "median": float(values.median()),
        "p90": float(values.quantile(0.9)),
        "p95": float(values.quantile(0.95)),
        "max": float(values.max()),
    }


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def metrics(conv: pd.DataFrame, turns: pd.DataFrame, backlog_open: int) -> dict[str, Any]:
    resolved = conv["is_resolved"]
    first_contact = resolved & ~conv["reopened"] & ~conv["escalated"]
    csat = conv["csat"].dropna()
    nps = conv["nps"].dropna()
    satisfied = int((csat >= SATISFIED_MIN).sum())
    promoters, detractors = int((nps >= 9).sum()), int((nps <= 6).sum())
    return {
        "volume": {
            "conversations": len(conv),
            "inbound_messages": int(conv["inbound"].sum()),
            "outbound_messages": int(conv["outbound"].sum()),
        },
        "first_response_time": {
            **duration_stats(conv["first_response_s"]),
            "awaiting_first_response": int(conv["first_response_s"].isna().sum()),
        },
        "bot_first_response_time": {
            **duration_stats(conv["bot_first_response_s"]),
            "without_bot_response": int(conv["bot_first_response_s"].isna().sum()),
        },
        "reply_time": {
            **duration_stats(turns["reply_s"]),
            "waiting_turns": int(turns["reply_s"].isna().sum()),
        },
        "resolution_time": {
            **duration_stats(conv["resolution_s"]),
            "unresolved": int((~resolved).sum()),
        },
        "backlog": {"open": backlog_open},
        "fcr_rate": {
            "rate": share(int(first_contact.sum()), int(resolved.sum())),
            "first_contact_resolved": int(first_contact.sum()),
            "resolved": int(resolved.sum()),
        },
        "csat": {
            "rate": share(satisfied, len(csat)),
            "mean": float(csat.mean()) if len(csat) else None,
            "count": len(csat),
            "satisfied": satisfied,
        },
        "nps": {
            "score": share(100 * (promoters - detractors), len(nps)),
            "promoters": promoters,
            "detractors": detractors,
            "count": len(nps),
        },
    }


def report(path: Path, week: str) -> dict[str, Any]:
    start, end = week_bounds(week)
    conv, turns, status = timeline(read_events(path))

    # Backlog: conversations started before the end whose latest state event before it
    # is not "resolved" (or that have none).
    before_end = status[status["timestamp"] < end]
    last_state = before_end.groupby("conversation_id", sort=False)["state"].last()
    resolved_at_end = last_state.eq("resolved").rename("resolved_at_end")
    started = conv[conv["t0"] < end].join(resolved_at_end)
    is_open = ~started["resolved_at_end"].fillna(False).astype(bool)
    backlog = is_open.groupby(started["channel"], observed=True).sum()

    week_conv = conv[(conv["t0"] >= start) & (conv["t0"] < end)]
    week_turns = turns.join(week_conv[["channel"]], on="conversation_id", how="inner")
    document: dict[str, Any] = {
        "overall": metrics(week_conv, week_turns, int(is_open.sum())),
        "groups": {},
    }
    turns_by_channel = dict(list(week_turns.groupby("channel", observed=True)))
    for channel, part in week_conv.groupby("channel", observed=True):
        part_turns = turns_by_channel.get(channel, week_turns.iloc[:0])
        document["groups"][str(channel)] = metrics(part, part_turns, int(backlog.get(channel, 0)))
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--week", default="2026-W47")
    args = parser.parse_args(argv)
    json.dump(report(args.data, args.week), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
