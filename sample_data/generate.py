"""Generate the deterministic carecli sample data set.

Simulates a support team of 12 agents in three teams ("Social Care", "Email & Chat", "Voice")
over six complete ISO weeks, 2026-10-12 00:00 to 2026-11-23 00:00 Europe/Berlin (2026-W42 to
2026-W47; the DST change on 2026-10-25 falls inside the window). Two files are written next to
this script:

* ``messages.jsonl``: one event per line (messages, status changes, CSAT and NPS answers) for
  the messaging channels whatsapp, messenger, twitter, instagram, wechat, email and chat.
  Timestamps are UTC with a trailing ``Z``; lines are sorted by timestamp, then conversation id.
* ``conversations.csv``: a helpdesk-style export with one row per conversation. Its messaging
  rows are derived from the same simulated events, so both files agree. It also holds phone
  calls (ids ``P00001``...), which exist only in the CSV. Timestamps carry the Europe/Berlin
  offset (+02:00 before and +01:00 after the DST change).

The data depends only on the fixed seed, never on the current time, so every run writes
byte-identical files. Regenerate with::

    python sample_data/generate.py
"""

from __future__ import annotations

import csv
import json
import math
import random
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

SEED = 20261123
TZ = ZoneInfo("Europe/Berlin")
# Local midnights; the span is 42 days plus the extra hour gained when DST ends.
START = int(datetime(2026, 10, 12, tzinfo=TZ).timestamp())
END = int(datetime(2026, 11, 23, tzinfo=TZ).timestamp())
WEEKS = 6
OUT_DIR = Path(__file__).resolve().parent

MINUTE = 60
HOUR = 3600
DAY = 86400

SOCIAL = ("whatsapp", "messenger", "twitter", "instagram", "wechat")
MESSAGING = (*SOCIAL, "email", "chat")
BOT_CHANNELS = frozenset({"whatsapp", "messenger", "chat"})
CHANNEL_TEAM = {ch: "Social Care" for ch in SOCIAL} | {
    "email": "Email & Chat",
    "chat": "Email & Chat",
    "phone": "Voice",
}
# Expected conversations per week; messaging channels add up to 1,050.
WEEKLY_VOLUME = {
    "whatsapp": 290,
    "messenger": 120,
    "twitter": 75,
    "instagram": 105,
    "wechat": 45,
    "email": 200,
    "chat": 215,
    "phone": 150,
}

AGENTS: dict[str, list[tuple[str, float]]] = {
    # (name, relative share of the team's workload): workloads are deliberately uneven.
    "Social Care": [
        ("Lena Hoffmann", 1.2),
        ("Jonas Becker", 1.0),
        ("Amira Haddad", 1.1),
        ("Tomasz Nowak", 0.9),
        ("Sofia Rossi", 0.7),
    ],
    "Email & Chat": [
        ("Felix Wagner", 1.1),
        ("Hannah Schulz", 1.0),
        ("Mehmet Yilmaz", 0.9),
        ("Clara Dubois", 0.8),
    ],
    "Voice": [("Lukas Richter", 1.0), ("Nina Petrova", 1.0), ("David Okafor", 0.8)],
}

# Staffed hours per team as {weekday: (first hour, end hour)} in local time; missing = closed.
OPEN_HOURS: dict[str, dict[int, tuple[int, int]]] = {
    "Social Care": {
        0: (8, 22),
        1: (8, 22),
        2: (8, 22),
        3: (8, 22),
        4: (8, 22),
        5: (9, 20),
        6: (9, 20),
    },
    "Email & Chat": {0: (8, 20), 1: (8, 20), 2: (8, 20), 3: (8, 20), 4: (8, 20), 5: (9, 17)},
    "Voice": {0: (8, 20), 1: (8, 20), 2: (8, 20), 3: (8, 20), 4: (8, 20), 5: (9, 16)},
}

# Relative arrival rate by local hour; social traffic peaks in the evening.
HOUR_PROFILE = {
    "business": (
        0.15, 0.10, 0.08, 0.06, 0.06, 0.10, 0.30, 0.60, 1.00, 1.30, 1.40, 1.35,
        1.20, 1.25, 1.30, 1.25, 1.15, 1.00, 0.80, 0.65, 0.55, 0.45, 0.35, 0.25,
    ),
    "social": (
        0.35, 0.22, 0.14, 0.10, 0.08, 0.10, 0.20, 0.40, 0.60, 0.75, 0.85, 0.90,
        0.95, 0.90, 0.90, 0.90, 0.95, 1.05, 1.20, 1.35, 1.45, 1.40, 1.10, 0.70,
    ),
    "phone": (
        0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 1.00, 1.40, 1.50, 1.30,
        1.00, 1.10, 1.30, 1.20, 1.00, 0.90, 0.70, 0.50, 0.00, 0.00, 0.00, 0.00,
    ),
}  # fmt: skip
WEEKDAY_FACTOR = {
    "business": (1.25, 1.15, 1.10, 1.05, 1.00, 0.55, 0.40),
    "social": (1.10, 1.05, 1.00, 1.00, 1.00, 0.90, 0.80),
    "phone": (1.30, 1.15, 1.05, 1.00, 0.95, 0.50, 0.00),
}

TOPICS = ("billing", "delivery", "returns", "account", "technical", "other")
TOPIC_WEIGHTS = (20, 30, 18, 12, 12, 8)
PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_WEIGHTS = (12, 68, 14, 6)
# Multiplier on agent response delays: urgent work is picked from the queue first.
PRIORITY_SPEED = {"low": 1.3, "normal": 1.0, "high": 0.6, "urgent": 0.3}


@dataclass(frozen=True)
class Timing:
    """Delay parameters (seconds) of one channel kind."""

    first_response: float  # median of staffed-time queue wait before the first human reply
    first_sigma: float
    agent_reply: float  # median of later agent replies
    customer_reply: float  # median of customer answers (wall clock: customers are not on shift)
    reply_sigma: float
    escalation: float  # extra staffed-time wait when a case changes hands
    resolve_weights: tuple[int, int, int]  # closed after minutes / hours / days
    slow: float  # first response slower than this sours CSAT and NPS


TIMING = {
    "social": Timing(
        12 * MINUTE, 1.1, 8 * MINUTE, 10 * MINUTE, 1.2, 45 * MINUTE, (40, 33, 27), 2 * HOUR
    ),
    "email": Timing(2.5 * HOUR, 0.9, 2 * HOUR, 3 * HOUR, 1.1, 4 * HOUR, (30, 40, 30), 24 * HOUR),
    "chat": Timing(80, 0.7, 40, 45, 0.7, 3 * MINUTE, (75, 17, 8), 15 * MINUTE),
}


class Event(NamedTuple):
    ts: int  # Unix seconds
    event: str
    role: str
    agent: str | None = None
    csat: int | None = None
    nps: int | None = None


@dataclass
class Conversation:
    cid: str
    channel: str
    team: str
    topic: str
    priority: str
    events: list[Event] = field(default_factory=list)
    effort: tuple[int, int, int] | None = None  # talk, hold, after-work seconds

    def emit(
        self,
        ts: float,
        event: str,
        role: str,
        agent: str | None = None,
        csat: int | None = None,
        nps: int | None = None,
    ) -> int:
        """Append an event; keep timestamps strictly increasing so order is never ambiguous."""
        ts = int(ts)
        if self.events and ts <= self.events[-1].ts:
            ts = self.events[-1].ts + 1
        self.events.append(Event(ts, event, role, agent, csat, nps))
        return ts


def kind_of(channel: str) -> str:
    return channel if channel in ("email", "chat") else "social"


def local(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, TZ)


def is_open(team: str, ts: int) -> bool:
    dt = local(ts)
    span = OPEN_HOURS[team].get(dt.weekday())
    return span is not None and span[0] <= dt.hour < span[1]


def add_business(ts: float, seconds: float, team: str) -> int:
    """Advance `seconds` of staffed time, so queues pause overnight and on closed days."""
    ts, left = int(ts), int(seconds)
    while True:
        # Berlin offsets are whole hours, so UTC hour boundaries are local hour boundaries.
        boundary = (ts // HOUR + 1) * HOUR
        if is_open(team, ts):
            if ts + left <= boundary:
                return ts + left
            left -= boundary - ts
        ts = boundary


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(median), sigma)


def poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method is exact and fast enough for the small per-hour rates used here.
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def pick_agent(rng: random.Random, team: str, exclude: str | None = None) -> str:
    pool = [(name, w) for name, w in AGENTS[team] if name != exclude]
    return rng.choices([n for n, _ in pool], weights=[w for _, w in pool])[0]


def arrivals(rng: random.Random, channel: str) -> list[int]:
    """Poisson arrivals per UTC hour, shaped by the local hour and weekday (DST-safe)."""
    profile = {"email": "business", "chat": "business", "phone": "phone"}.get(channel, "social")
    hours = range(START, END, HOUR)
    weights = []
    for h in hours:
        dt = local(h)
        open_ok = channel != "phone" or is_open("Voice", h)  # calls only while lines are open
        weights.append(
            HOUR_PROFILE[profile][dt.hour] * WEEKDAY_FACTOR[profile][dt.weekday()] * open_ok
        )
    scale = WEEKLY_VOLUME[channel] * WEEKS / sum(weights)
    out = []
    for h, w in zip(hours, weights, strict=True):
        out.extend(h + rng.randrange(HOUR) for _ in range(poisson(rng, w * scale)))
    return sorted(out)


def customer_followups(rng: random.Random, conv: Conversation, t: int) -> int:
    """Customers often split one thought over two or three quick messages."""
    for _ in range(rng.choices((0, 1, 2), weights=(85, 11, 4))[0]):
        t = conv.emit(t + rng.randint(8, 150), "message", "customer")
    return t


def customer_turn(rng: random.Random, conv: Conversation, t: int, timing: Timing) -> int:
    t = conv.emit(
        t + lognormal(rng, timing.customer_reply, timing.reply_sigma), "message", "customer"
    )
    return customer_followups(rng, conv, t)


def agent_reply(
    rng: random.Random, conv: Conversation, queued: int, delay: float, agent: str, after: int
) -> int:
    # The reply is due `delay` staffed seconds after queueing, but never before the last message.
    due = max(add_business(queued, delay, conv.team), after + rng.randint(5, 40))
    t = conv.emit(due, "message", "agent", agent)
    if rng.random() < 0.1:
        t = conv.emit(t + rng.randint(30, 300), "message", "agent", agent)
    return t


def resolve_at(rng: random.Random, conv: Conversation, t: int, timing: Timing) -> int:
    bucket = rng.choices(("minutes", "hours", "days"), weights=timing.resolve_weights)[0]
    if bucket == "minutes":
        return add_business(t, rng.randint(MINUTE, 30 * MINUTE), conv.team)
    if bucket == "hours":
        return add_business(t, lognormal(rng, 3 * HOUR, 0.7), conv.team)
    # Auto-close after the customer went quiet; runs around the clock.
    return t + rng.randint(DAY, 5 * DAY)


def csat_score(rng: random.Random, unhappy: bool) -> int:
    weights = (9, 8, 14, 31, 38) if unhappy else (2, 3, 8, 27, 60)
    return rng.choices((1, 2, 3, 4, 5), weights=weights)[0]


def nps_score(rng: random.Random, unhappy: bool) -> int:
    if unhappy:
        weights = (6, 3, 3, 4, 4, 7, 8, 12, 15, 18, 20)
    else:
        weights = (3, 1, 1, 2, 2, 4, 5, 9, 14, 24, 35)
    return rng.choices(range(11), weights=weights)[0]


def close_out(
    rng: random.Random,
    conv: Conversation,
    t: int,
    agent: str,
    timing: Timing,
    unhappy: bool,
    reopen_turn: Callable[[int], int],
) -> None:
    """Resolve, maybe collect CSAT, maybe reopen (and repeat), finally maybe ask for NPS."""
    reopens = 0
    while True:
        r = conv.emit(resolve_at(rng, conv, t, timing), "resolved", "agent", agent)
        reopen_at = None
        if reopens < 2 and rng.random() < (0.065 if reopens == 0 else 0.1):
            reopen_at = r + min(max(lognormal(rng, DAY, 1.0), HOUR), 7 * DAY)
        if rng.random() < 0.33:
            survey = r + min(lognormal(rng, 30 * MINUTE, 1.2), 2 * DAY)
            # A survey answer only counts if it arrives before the customer comes back.
            if reopen_at is None or survey < reopen_at - MINUTE:
                conv.emit(survey, "csat", "customer", csat=csat_score(rng, unhappy or reopens > 0))
        if reopen_at is None:
            break
        reopens += 1
        # The customer writes into the closed case, which reopens it.
        t = conv.emit(reopen_at, "message", "customer")
        conv.emit(t + rng.randint(1, 3), "reopened", "agent", agent)
        t = customer_followups(rng, conv, t)
        t = reopen_turn(t)
    if rng.random() < 0.16:
        conv.emit(r + rng.randint(DAY, 3 * DAY), "nps", "customer", nps=nps_score(rng, unhappy))


def simulate_messaging(rng: random.Random, conv: Conversation, t0: int, proactive: bool) -> None:
    kind = kind_of(conv.channel)
    timing = TIMING[kind]
    speed = PRIORITY_SPEED[conv.priority]
    agent = pick_agent(rng, conv.team)

    if proactive:
        # An outbound notice before the customer writes; it must not open the conversation.
        sent = t0 - rng.randint(30 * MINUTE, 2 * DAY)
        if sent >= START:
            conv.emit(sent, "message", "agent", pick_agent(rng, conv.team))
    t = conv.emit(t0, "message", "customer")
    if conv.channel in BOT_CHANNELS:
        t = conv.emit(t + rng.randint(1, 20), "message", "bot")
        if rng.random() < 0.1:  # triage question after the greeting
            t = conv.emit(t + rng.randint(2, 8), "message", "bot")
    t = customer_followups(rng, conv, t)

    if rng.random() < 0.025:
        # Never answered by a human: maybe a nudge, then closed as stale/spam or left open.
        if rng.random() < 0.4:
            t = conv.emit(t + rng.randint(HOUR, 6 * HOUR), "message", "customer")
        if rng.random() < 0.55:
            conv.emit(t + rng.randint(DAY, 5 * DAY), "resolved", "agent", agent)
        return

    delay = lognormal(rng, timing.first_response * speed, timing.first_sigma)
    t = agent_reply(rng, conv, t0, delay, agent, t)
    first_wait = next(e.ts for e in conv.events if e.role == "agent" and e.ts >= t0) - t0
    unhappy = first_wait > timing.slow

    turns = rng.choices((1, 2, 3, 4, 5), weights=(60, 24, 9, 4, 3))[0]
    escalate_turn = None
    if rng.random() < 0.08:
        turns = max(turns, 2)  # someone has to answer after the hand-over
        escalate_turn = rng.randint(1, turns - 1)
    for turn in range(1, turns):
        extra = 0.0
        if turn == escalate_turn:
            event = rng.choice(("escalated", "transferred"))
            t = conv.emit(t + rng.randint(MINUTE, 30 * MINUTE), event, "agent", agent)
            if rng.random() < 0.6:
                agent = pick_agent(rng, conv.team, exclude=agent)
            extra = lognormal(rng, timing.escalation, 0.8)
        t = customer_turn(rng, conv, t, timing)
        delay = lognormal(rng, timing.agent_reply * speed, timing.reply_sigma) + extra
        t = agent_reply(rng, conv, t, delay, agent, t)
    if rng.random() < 0.12:  # "thanks!"
        t = conv.emit(
            t + lognormal(rng, timing.customer_reply, timing.reply_sigma), "message", "customer"
        )

    if rng.random() < 0.008:  # forgotten in the queue
        return

    def reopen_turn(t: int) -> int:
        t = agent_reply(
            rng, conv, t, lognormal(rng, timing.agent_reply, timing.reply_sigma), agent, t
        )
        if rng.random() < 0.4:
            t = customer_turn(rng, conv, t, timing)
            t = agent_reply(
                rng, conv, t, lognormal(rng, timing.agent_reply, timing.reply_sigma), agent, t
            )
        return t

    close_out(rng, conv, t, agent, timing, unhappy, reopen_turn)


def simulate_phone(rng: random.Random, conv: Conversation, t0: int) -> None:
    agent = pick_agent(rng, "Voice")
    wait = int(min(max(lognormal(rng, 60, 0.9), 10), 8 * MINUTE))
    talk = int(min(max(rng.triangular(120, 900, 300), 120), 900))
    hold = 0 if rng.random() < 0.6 else rng.randint(10, 180)
    conv.effort = (talk, hold, rng.randint(30, 240))
    # A call is modelled as the caller "message" at ring time and the agent's at pickup.
    conv.emit(t0, "message", "customer")
    pickup = conv.emit(t0 + wait, "message", "agent", agent)
    if rng.random() < 0.05:
        event = rng.choice(("escalated", "transferred"))
        conv.emit(pickup + rng.randint(30, talk), event, "agent", agent)
        if event == "transferred":
            agent = pick_agent(rng, "Voice", exclude=agent)
            conv.emit(pickup + talk - 1, "message", "agent", agent)
    call_end = pickup + talk + hold
    unhappy = wait > 4 * MINUTE

    if rng.random() < 0.02:
        return
    r = call_end
    if rng.random() < 0.13:  # needed a follow-up after the call
        r = add_business(call_end, lognormal(rng, 5 * HOUR, 1.0), "Voice")
    r = conv.emit(r, "resolved", "agent", agent)
    if rng.random() < 0.10:
        # Caller rings back about the same case.
        back = add_business(r, lognormal(rng, 8 * HOUR, 1.0), "Voice")
        t = conv.emit(back, "message", "customer")
        conv.emit(t + 1, "reopened", "agent", agent)
        t = conv.emit(t + rng.randint(10, 4 * MINUTE), "message", "agent", agent)
        r = conv.emit(t + rng.randint(120, 600), "resolved", "agent", agent)
        unhappy = True
    if rng.random() < 0.3:  # post-call IVR survey
        conv.emit(
            r + rng.randint(30, 10 * MINUTE), "csat", "customer", csat=csat_score(rng, unhappy)
        )
    if rng.random() < 0.1:
        conv.emit(r + rng.randint(DAY, 3 * DAY), "nps", "customer", nps=nps_score(rng, unhappy))


def messaging_effort(rng: random.Random, conv: Conversation) -> tuple[int, int, int]:
    replies = sum(1 for e in conv.events if e.event == "message" and e.role == "agent")
    if replies == 0:
        return (0, 0, 0)  # nobody worked on it
    if conv.channel == "chat":
        talk = min(1200, 300 + replies * rng.randint(60, 220))
        hold = 0 if rng.random() < 0.8 else rng.randint(15, 240)
    else:
        talk = min(900, 120 + replies * rng.randint(40, 180))
        hold = 0 if rng.random() < 0.92 else rng.randint(15, 180)
    return (talk, hold, int(rng.triangular(30, 300, 90)))


def simulate(rng: random.Random) -> list[Conversation]:
    convs: list[Conversation] = []
    starts = sorted((ts, ch) for ch in MESSAGING for ts in arrivals(rng, ch))
    phone_starts = arrivals(rng, "phone")
    for n, (t0, channel) in enumerate(starts, 1):
        proactive = rng.random() < 0.03
        topic = "delivery" if proactive and rng.random() < 0.8 else None
        topic = topic or rng.choices(TOPICS, weights=TOPIC_WEIGHTS)[0]
        priority = rng.choices(PRIORITIES, weights=PRIORITY_WEIGHTS)[0]
        conv = Conversation(f"C{n:05d}", channel, CHANNEL_TEAM[channel], topic, priority)
        simulate_messaging(rng, conv, t0, proactive)
        if channel in ("chat", "email"):
            conv.effort = messaging_effort(rng, conv)
        convs.append(conv)
    for n, t0 in enumerate(phone_starts, 1):
        topic = rng.choices(TOPICS, weights=TOPIC_WEIGHTS)[0]
        priority = rng.choices(PRIORITIES, weights=PRIORITY_WEIGHTS)[0]
        conv = Conversation(f"P{n:05d}", "phone", "Voice", topic, priority)
        simulate_phone(rng, conv, t0)
        convs.append(conv)
    for conv in convs:
        # The export is a snapshot taken at the end of the window.
        conv.events = [e for e in conv.events if e.ts < END]
    return convs


def summarize(conv: Conversation) -> dict[str, object]:
    """Derive the helpdesk export row from the conversation's events."""
    msgs = [e for e in conv.events if e.event == "message"]
    created = next(e.ts for e in msgs if e.role == "customer")
    first = next((e.ts for e in msgs if e.role == "agent" and e.ts >= created), None)
    bot = next((e.ts for e in msgs if e.role == "bot" and e.ts >= created), None)
    states = [e for e in conv.events if e.event in ("resolved", "reopened")]
    resolved = bool(states) and states[-1].event == "resolved"
    agents = [e.agent for e in msgs if e.role == "agent"]
    csats = [e.csat for e in conv.events if e.event == "csat"]
    npss = [e.nps for e in conv.events if e.event == "nps"]
    talk, hold, acw = conv.effort if conv.effort else (None, None, None)
    return {
        "conversation_id": conv.cid,
        "created_at": created,
        "first_response_at": first,
        "bot_first_response_at": bot,
        "resolved_at": states[-1].ts if resolved else None,
        "status": "resolved" if resolved else "open",
        "channel": conv.channel,
        "agent": agents[-1] if agents else None,
        "team": conv.team,
        "priority": conv.priority,
        "topic": conv.topic,
        "csat": csats[-1] if csats else None,
        "nps": npss[-1] if npss else None,
        "reopen_count": sum(1 for e in conv.events if e.event == "reopened"),
        "escalated": any(e.event in ("escalated", "transferred") for e in conv.events),
        "talk_seconds": talk,
        "hold_seconds": hold,
        "after_work_seconds": acw,
    }


def write_messages(convs: list[Conversation], path: Path) -> int:
    rows = [
        (e.ts, c.cid, i, c, e)
        for c in convs
        if c.channel != "phone"
        for i, e in enumerate(c.events)
    ]
    rows.sort(key=lambda r: r[:3])
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for ts, _, _, c, e in rows:
            record = {
                "conversation_id": c.cid,
                "timestamp": datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "event": e.event,
                "role": e.role,
                "agent": e.agent,
                "channel": c.channel,
                "team": c.team,
                "topic": c.topic,
                "priority": c.priority,
                "csat": e.csat,
                "nps": e.nps,
            }
            fh.write(json.dumps(record) + "\n")
    return len(rows)


def write_conversations(rows: list[dict[str, object]], path: Path) -> None:
    def cell(key: str, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if key.endswith("_at"):
            return local(int(value)).isoformat()
        return str(value)

    rows = sorted(rows, key=lambda r: (r["created_at"], r["conversation_id"]))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")  # RFC 4180 line endings
        writer.writerow(rows[0].keys())
        writer.writerows([cell(k, v) for k, v in row.items()] for row in rows)


def report(convs: list[Conversation], rows: list[dict[str, object]], n_events: int) -> None:
    """Print headline numbers so a regeneration can be sanity-checked at a glance."""
    msg_rows = [r for r in rows if r["channel"] != "phone"]
    phone_rows = [r for r in rows if r["channel"] == "phone"]

    def share(sel: list[dict[str, object]], pred: Callable[[dict[str, object]], bool]) -> str:
        return f"{sum(1 for r in sel if pred(r)) / len(sel):.1%}"

    def per_week(sel: list[dict[str, object]]) -> dict[str, int]:
        weeks = Counter(f"W{local(r['created_at']).isocalendar().week}" for r in sel)
        return dict(sorted(weeks.items()))

    print("conversations per channel:", dict(Counter(r["channel"] for r in rows).most_common()))
    print("messaging conversations per ISO week:", per_week(msg_rows))
    print("phone calls per ISO week:", per_week(phone_rows))
    msgs = sum(1 for c in convs if c.channel != "phone" for e in c.events if e.event == "message")
    print(f"jsonl events: {n_events} (messages: {msgs})")
    bot_only = sum(1 for r in msg_rows if not r["first_response_at"] and r["bot_first_response_at"])
    print(f"unanswered: {share(msg_rows, lambda r: not r['first_response_at'])}", end=" ")
    print(f"(bot-only {bot_only})")
    print(f"reopened: {share(msg_rows, lambda r: r['reopen_count'] > 0)}")
    print(f"escalated: {share(msg_rows, lambda r: r['escalated'])}")
    for label, cut in (("before last 7 days", 7), ("before last 3 days", 3)):
        older = [r for r in msg_rows if r["created_at"] < END - cut * DAY]
        print(f"open (created {label}): {share(older, lambda r: r['status'] == 'open')}")
    recent = [r for r in msg_rows if r["created_at"] >= END - 3 * DAY]
    print(f"open (created in last 3 days): {share(recent, lambda r: r['status'] == 'open')}")
    for label, sel in (("messaging", msg_rows), ("all", rows)):
        scores = [r for r in sel if r["csat"] is not None]
        resolved = sum(1 for r in sel if r["status"] == "resolved")
        happy = share(scores, lambda r: r["csat"] >= 4)
        print(f"csat ({label}): {len(scores)} responses,", end=" ")
        print(f"{len(scores) / resolved:.1%} of resolved, {happy} >= 4")
    print(f"nps responses: {sum(r['nps'] is not None for r in rows)}")
    for ch in (*MESSAGING, "phone"):
        waits = [
            r["first_response_at"] - r["created_at"]
            for r in rows
            if r["channel"] == ch and r["first_response_at"]
        ]
        print(f"median first response {ch}: {statistics.median(waits) / 60:.1f} min")


def main() -> None:
    rng = random.Random(SEED)
    convs = simulate(rng)
    rows = [summarize(c) for c in convs]
    n_events = write_messages(convs, OUT_DIR / "messages.jsonl")
    write_conversations(rows, OUT_DIR / "conversations.csv")
    report(convs, rows, n_events)
    for name in ("messages.jsonl", "conversations.csv"):
        print(f"{name}: {(OUT_DIR / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
