"""Generate N realistic, deterministic message events in carecli's message-event schema.

Columns match ``sample_data/messages.jsonl``: conversation_id, timestamp (UTC, ISO 8601 with
``Z``), event, role, agent, channel, team, topic, priority, csat, nps.

The simulation is vectorised with numpy (one array operation per *slot* of a conversation
template, never a Python loop per row). A conversation is a fixed sequence of 22
optional slots: an occasional proactive agent message before the customer writes, the
first customer message (``t0``), a bot greeting on bot channels, up to four customer turns
with human agent replies, escalations and transfers (the case changes hands), internal
notes, resolution, reopening and re-resolution, and CSAT / NPS answers. Each slot is
active with a probability that depends on the earlier slots, and its delay is drawn from
a channel-specific lognormal distribution, so timestamps increase within a conversation.
The exception is instant bot replies (10%), which share the customer's second and are
listed before or after it at random: carecli's tie order must put the customer first.
Conversations start over six ISO weeks (2026-W42 to 2026-W47, UTC) with an hour-of-day
and weekday profile; 7 channels, 40 agents in two teams.

Exactly N events are written: conversations are drawn i.i.d. until N events are reached
(the last one is truncated), then ids are assigned in start order and the file is sorted
by time, like a real export.

    python benchmarks/generate_events.py --events 10M --out /tmp/carecli-bench --format csv,parquet

``--files N`` writes a folder of N exports instead (``events_100M/part_000.csv`` ...), each
events/N events drawn with its own seed over the same six weeks and its own id prefix
(``C007-0000001``): what a big helpdesk split into shards exports, read as one dataset
with ``--data 'events_100M/*.csv'``. Only one shard is in memory at a time.

    python benchmarks/generate_events.py --events 100M --files 100 \
        --out /tmp/carecli-bench --format csv,parquet
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

SEED = 20261123
START = 1_791_763_200  # 2026-10-12T00:00:00Z, Monday of 2026-W42
WEEKS = 6
HOUR = 3600
MINUTE = 60
DAY = 86400

CHANNELS = ("whatsapp", "messenger", "twitter", "instagram", "wechat", "email", "chat")
CHANNEL_WEIGHTS = (290, 120, 75, 105, 45, 200, 215)
BOT_CHANNELS = (0, 1, 6)  # whatsapp, messenger, chat
KIND = (0, 0, 0, 0, 0, 1, 2)  # channel -> 0 social, 1 email, 2 chat
TEAMS = ("Social Care", "Email & Chat")
TOPICS = ("billing", "delivery", "returns", "account", "technical", "other")
TOPIC_WEIGHTS = (20, 30, 18, 12, 12, 8)
PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_WEIGHTS = (12, 68, 14, 6)
PRIORITY_SPEED = (1.3, 1.0, 0.6, 0.3)  # multiplier on agent delays

FIRST_NAMES = (
    "Lena",
    "Jonas",
    "Amira",
    "Tomasz",
    "Sofia",
    "Felix",
    "Hannah",
    "Mehmet",
    "Clara",
    "Lukas",
    "Nina",
    "David",
    "Ana",
    "Pedro",
    "Yuki",
    "Kenji",
    "Fatima",
    "Omar",
    "Ingrid",
    "Lars",
    "Chloe",
    "Hugo",
    "Marta",
    "Pablo",
    "Aisha",
    "Tariq",
    "Emma",
    "Noah",
    "Mia",
    "Leo",
    "Zoe",
    "Ravi",
    "Priya",
    "Ivan",
    "Olga",
    "Sven",
    "Elif",
    "Kaan",
    "Rosa",
    "Marco",
)
LAST_NAMES = (
    "Hoffmann",
    "Becker",
    "Haddad",
    "Nowak",
    "Rossi",
    "Wagner",
    "Schulz",
    "Yilmaz",
    "Dubois",
    "Richter",
    "Petrova",
    "Okafor",
    "Silva",
    "Costa",
    "Tanaka",
    "Sato",
    "Zahra",
    "Farouk",
    "Berg",
    "Nilsson",
    "Martin",
    "Bernard",
    "Lopez",
    "Garcia",
    "Bello",
    "Aziz",
    "Weber",
    "Klein",
    "Fischer",
    "Moreau",
    "Novak",
    "Sharma",
    "Patel",
    "Volkov",
    "Ivanova",
    "Lund",
    "Demir",
    "Arslan",
    "Vidal",
    "Conti",
)
AGENTS = tuple(f"{first} {last}" for first, last in zip(FIRST_NAMES, LAST_NAMES, strict=True))
SOCIAL_AGENTS = 24  # agents 0..23 work in Social Care, 24..39 in Email & Chat

EVENTS = ("message", "note", "resolved", "reopened", "escalated", "transferred", "csat", "nps")
ROLES = ("customer", "agent", "bot")
COLUMNS = (
    "conversation_id",
    "timestamp",
    "event",
    "role",
    "agent",
    "channel",
    "team",
    "topic",
    "priority",
    "csat",
    "nps",
)

# Relative arrival rate by UTC hour and weekday (Monday first), per channel kind.
HOUR_PROFILE = (
    (0.35, 0.22, 0.14, 0.10, 0.08, 0.10, 0.20, 0.40, 0.60, 0.75, 0.85, 0.90,
     0.95, 0.90, 0.90, 0.90, 0.95, 1.05, 1.20, 1.35, 1.45, 1.40, 1.10, 0.70),
    (0.15, 0.10, 0.08, 0.06, 0.06, 0.10, 0.30, 0.60, 1.00, 1.30, 1.40, 1.35,
     1.20, 1.25, 1.30, 1.25, 1.15, 1.00, 0.80, 0.65, 0.55, 0.45, 0.35, 0.25),
)  # fmt: skip
WEEKDAY_FACTOR = (
    (1.10, 1.05, 1.00, 1.00, 1.00, 0.90, 0.80),
    (1.25, 1.15, 1.10, 1.05, 1.0, 0.55, 0.4),
)


@dataclass(frozen=True)
class Timing:
    """Median delays (seconds) and spreads of one channel kind."""

    first_response: float
    first_sigma: float
    agent_reply: float
    customer_reply: float
    reply_sigma: float
    handover: float  # extra wait when a case is escalated or transferred
    resolve_mix: tuple[float, float, float]  # resolved after minutes / hours / days


TIMING = (
    Timing(12 * MINUTE, 1.1, 8 * MINUTE, 10 * MINUTE, 1.2, 45 * MINUTE, (0.40, 0.33, 0.27)),
    Timing(2.5 * HOUR, 0.9, 2 * HOUR, 3 * HOUR, 1.1, 4 * HOUR, (0.30, 0.40, 0.30)),
    Timing(80, 0.7, 40, 45, 0.7, 3 * MINUTE, (0.75, 0.17, 0.08)),
)

# Slots of the conversation template, in time order: (name, event, role).
SLOTS = (
    ("proactive", "message", "agent"),  # before t0: does not start the conversation
    ("first", "message", "customer"),  # t0
    ("bot", "message", "bot"),
    ("follow_up", "message", "customer"),
    ("agent1", "message", "agent"),
    ("customer2", "message", "customer"),
    ("customer2b", "message", "customer"),
    ("agent2", "message", "agent"),
    ("escalated", "escalated", "agent"),
    ("transferred", "transferred", "agent"),
    ("customer3", "message", "customer"),
    ("agent3", "message", "agent"),
    ("customer4", "message", "customer"),
    ("agent4", "message", "agent"),
    ("note", "note", "agent"),
    ("resolved", "resolved", "agent"),
    ("customer_back", "message", "customer"),
    ("reopened", "reopened", "agent"),
    ("agent5", "message", "agent"),
    ("resolved2", "resolved", "agent"),
    ("csat", "csat", "customer"),
    ("nps", "nps", "customer"),
)
SLOT = {name: i for i, (name, _, _) in enumerate(SLOTS)}
SLOT_EVENT = np.array([EVENTS.index(e) for _, e, _ in SLOTS], dtype=np.int8)
SLOT_ROLE = np.array([ROLES.index(r) for _, _, r in SLOTS], dtype=np.int8)


def parse_count(text: str) -> int:
    """'10M', '2.5m', '250k', '1000000' -> an event count."""
    value = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}.get(value[-1:], 1)
    number = float(value[:-1] if scale > 1 else value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a positive count like 10M")
    return round(number * scale)


def count_label(events: int) -> str:
    if events % 1_000_000 == 0:
        return f"{events // 1_000_000}M"
    if events % 1_000 == 0:
        return f"{events // 1_000}k"
    return str(events)


class Simulation:
    """Per-conversation attributes and the (slot x conversation) activity and time arrays."""

    def __init__(self, n: int, rng: np.random.Generator) -> None:
        self.n = n
        self.rng = rng
        weights = np.array(CHANNEL_WEIGHTS, dtype=float)
        self.channel = rng.choice(len(CHANNELS), n, p=weights / weights.sum()).astype(np.int8)
        self.kind = np.array(KIND, dtype=np.int8)[self.channel]
        self.t0 = self._start_times()
        topic_w = np.array(TOPIC_WEIGHTS, dtype=float)
        self.topic = rng.choice(len(TOPICS), n, p=topic_w / topic_w.sum()).astype(np.int8)
        prio_w = np.array(PRIORITY_WEIGHTS, dtype=float)
        self.priority = rng.choice(len(PRIORITIES), n, p=prio_w / prio_w.sum()).astype(np.int8)
        self.team = (self.kind > 0).astype(np.int8)
        self.primary, self.secondary = self._agents()
        self.active = np.zeros((len(SLOTS), n), dtype=bool)
        self.ts = np.zeros((len(SLOTS), n), dtype=np.int64)
        self.agent = np.full((len(SLOTS), n), -1, dtype=np.int16)
        self.csat = np.zeros(n, dtype=np.int8)
        self.nps = np.zeros(n, dtype=np.int8)
        self._simulate()

    def _start_times(self) -> np.ndarray:
        hours = np.arange(WEEKS * 7 * 24)
        t0 = np.empty(self.n, dtype=np.int64)
        for profile in (0, 1):
            rate = np.array(HOUR_PROFILE[profile])[hours % 24]
            rate *= np.array(WEEKDAY_FACTOR[profile])[(hours // 24) % 7]
            members = np.flatnonzero((self.kind > 0) == bool(profile))
            picked = self.rng.choice(hours, members.size, p=rate / rate.sum())
            t0[members] = START + picked * HOUR + self.rng.integers(0, HOUR, members.size)
        return t0

    def _agents(self) -> tuple[np.ndarray, np.ndarray]:
        """A primary agent per conversation (uneven workloads) and another to hand over to."""
        sizes = np.where(self.team == 0, SOCIAL_AGENTS, len(AGENTS) - SOCIAL_AGENTS)
        offset = np.where(self.team == 0, 0, SOCIAL_AGENTS)
        # Skewed pick: squaring a uniform favours the first agents of each team.
        primary = (self.rng.random(self.n) ** 1.6 * sizes).astype(np.int16)
        shift = self.rng.integers(1, sizes)
        secondary = (primary + shift) % sizes
        return (primary + offset).astype(np.int16), (secondary + offset).astype(np.int16)

    def _lognormal(self, median: np.ndarray | float, sigma: np.ndarray | float) -> np.ndarray:
        return self.rng.lognormal(np.log(median), sigma, self.n)

    def _chance(self, p: float) -> np.ndarray:
        return self.rng.random(self.n) < p

    def _simulate(self) -> None:
        n, rng = self.n, self.rng
        timing = [TIMING[k] for k in range(3)]

        def per_kind(attr: str) -> np.ndarray:
            return np.array([getattr(t, attr) for t in timing])[self.kind]

        speed = np.array(PRIORITY_SPEED)[self.priority]
        reply_sigma = per_kind("reply_sigma")
        a = self.active
        delay = np.zeros((len(SLOTS), n))

        a[SLOT["proactive"]] = self._chance(0.02)
        a[SLOT["first"]] = True
        a[SLOT["bot"]] = np.isin(self.channel, BOT_CHANNELS) & self._chance(0.85)
        # Bots answer in 3-20 s, or within the same second (a tie with the customer message).
        delay[SLOT["bot"]] = np.where(self._chance(0.10), 0, rng.integers(3, 21, n))
        a[SLOT["follow_up"]] = self._chance(0.30)
        delay[SLOT["follow_up"]] = self._lognormal(45, 0.8)
        answered = self._chance(0.93)
        a[SLOT["agent1"]] = answered
        frt = self._lognormal(per_kind("first_response"), per_kind("first_sigma")) * speed
        delay[SLOT["agent1"]] = frt
        a[SLOT["customer2"]] = answered & self._chance(0.60)
        a[SLOT["customer2b"]] = a[SLOT["customer2"]] & self._chance(0.25)
        a[SLOT["agent2"]] = a[SLOT["customer2"]] & self._chance(0.92)
        handover = answered & self._chance(0.07)
        escalated = handover & self._chance(0.55)
        a[SLOT["escalated"]] = escalated
        a[SLOT["transferred"]] = handover & ~escalated
        a[SLOT["customer3"]] = a[SLOT["agent2"]] & self._chance(0.40)
        a[SLOT["agent3"]] = a[SLOT["customer3"]] & self._chance(0.90)
        a[SLOT["customer4"]] = a[SLOT["agent3"]] & self._chance(0.35)
        a[SLOT["agent4"]] = a[SLOT["customer4"]] & self._chance(0.90)
        a[SLOT["note"]] = answered & self._chance(0.05)
        bot_only = ~answered & a[SLOT["bot"]]
        resolved = (answered & self._chance(0.88)) | (bot_only & self._chance(0.40))
        a[SLOT["resolved"]] = resolved
        reopened = resolved & self._chance(0.08)
        a[SLOT["customer_back"]] = reopened
        a[SLOT["reopened"]] = reopened
        a[SLOT["agent5"]] = reopened & self._chance(0.90)
        a[SLOT["resolved2"]] = a[SLOT["agent5"]] & self._chance(0.85)
        finally_resolved = (resolved & ~reopened) | a[SLOT["resolved2"]]
        a[SLOT["csat"]] = finally_resolved & self._chance(0.35)
        a[SLOT["nps"]] = finally_resolved & self._chance(0.15)

        for name in ("customer2", "customer3", "customer4", "customer_back"):
            delay[SLOT[name]] = self._lognormal(per_kind("customer_reply"), reply_sigma)
        delay[SLOT["customer2b"]] = self._lognormal(60, 0.8)
        for name in ("agent2", "agent3", "agent4", "agent5"):
            delay[SLOT[name]] = self._lognormal(per_kind("agent_reply"), reply_sigma) * speed
        delay[SLOT["escalated"]] = delay[SLOT["transferred"]] = self._lognormal(5 * MINUTE, 0.8)
        # The case waits for its new owner: the next agent reply comes after a handover.
        delay[SLOT["agent3"]] += np.where(handover, self._lognormal(per_kind("handover"), 1.0), 0)
        delay[SLOT["note"]] = self._lognormal(2 * MINUTE, 1.0)
        mix = np.array([t.resolve_mix for t in timing])[self.kind]
        bucket = (rng.random(n)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1)
        resolve_median = np.array([10 * MINUTE, 3 * HOUR, 1.5 * DAY])[bucket]
        delay[SLOT["resolved"]] = self._lognormal(resolve_median, 0.8)
        delay[SLOT["customer_back"]] = self._lognormal(DAY, 0.8)
        delay[SLOT["reopened"]] = self._lognormal(MINUTE, 0.8)
        delay[SLOT["resolved2"]] = self._lognormal(2 * HOUR, 1.0)
        delay[SLOT["csat"]] = self._lognormal(30 * MINUTE, 1.0)
        delay[SLOT["nps"]] = self._lognormal(2 * HOUR, 1.0)

        # Times: each active slot comes at least one second after the previous active one
        # (instant bot replies excepted: same-second ties exercise carecli's tie order).
        current = self.t0.copy()
        for slot in range(SLOT["first"] + 1, len(SLOTS)):
            least = 0 if slot == SLOT["bot"] else 1
            step = np.maximum(least, np.rint(delay[slot])).astype(np.int64)
            current = np.where(a[slot], current + step, current)
            self.ts[slot] = current
        self.ts[SLOT["first"]] = self.t0
        self.ts[SLOT["proactive"]] = self.t0 - np.maximum(60, self._lognormal(HOUR, 1.0)).astype(
            np.int64
        )

        # Agents: the primary one until a handover, the new owner afterwards.
        for slot, (_, _, role) in enumerate(SLOTS):
            if role != "agent":
                continue
            after_handover = slot > SLOT["transferred"]
            owner = np.where(handover, self.secondary, self.primary)
            self.agent[slot] = owner if after_handover else self.primary

        # Surveys: a slow first answer sours CSAT and NPS.
        slow = ~answered | (frt > np.array([2 * HOUR, 24 * HOUR, 15 * MINUTE])[self.kind])
        happy_csat = rng.choice(5, n, p=[0.04, 0.04, 0.10, 0.30, 0.52]) + 1
        sour_csat = rng.choice(5, n, p=[0.20, 0.15, 0.25, 0.25, 0.15]) + 1
        self.csat = np.where(slow, sour_csat, happy_csat).astype(np.int8)
        happy_nps = rng.choice(11, n, p=[0.01] * 5 + [0.03, 0.06, 0.12, 0.18, 0.26, 0.30])
        sour_nps = rng.choice(11, n, p=[0.06] * 5 + [0.10, 0.12, 0.14, 0.14, 0.10, 0.10])
        self.nps = np.where(slow, sour_nps, happy_nps).astype(np.int8)

    def keep(self, index: np.ndarray) -> None:
        """Keep (and reorder to) the conversations at `index`."""
        self.n = index.size
        for name in ("channel", "kind", "t0", "topic", "priority", "team", "csat", "nps"):
            setattr(self, name, getattr(self, name)[index])
        self.active = self.active[:, index]
        self.ts = self.ts[:, index]
        self.agent = self.agent[:, index]


def simulate(events: int, seed: int, prefix: str = "C") -> tuple[pl.DataFrame, int]:
    """Exactly `events` rows sorted by time, and the number of conversations."""
    rng = np.random.default_rng(seed)
    target = math.ceil(events / 5.8 * 1.08) + 16  # a little more than needed
    sim = Simulation(target, rng)
    while True:
        counts = sim.active.sum(axis=0)
        cumulative = np.cumsum(counts)
        if cumulative[-1] >= events:
            break
        target = int(target * 1.2) + 16  # rare: draw again, bigger
        sim = Simulation(target, rng)
    k = int(np.searchsorted(cumulative, events)) + 1  # conversations i.i.d.: any prefix is fair
    excess = int(cumulative[k - 1] - events)
    if excess:  # the last conversation loses its latest slots
        last_active = np.flatnonzero(sim.active[:, k - 1])
        sim.active[last_active[-excess:], k - 1] = False
    sim.keep(np.argsort(sim.t0[:k], kind="stable"))  # ids in start order, like helpdesks

    slot_idx, conv_idx = np.nonzero(sim.active)
    ts = sim.ts[slot_idx, conv_idx]
    slot_event = SLOT_EVENT[slot_idx]
    agent = sim.agent[slot_idx, conv_idx]
    csat = np.where(slot_event == EVENTS.index("csat"), sim.csat[conv_idx], -1)
    nps = np.where(slot_event == EVENTS.index("nps"), sim.nps[conv_idx], -1)
    # By time, then conversation; rows of the same second and conversation (instant bot
    # replies) in random order, as exports list them: the tie rule must restore the order.
    order = np.lexsort((rng.random(ts.size), conv_idx, ts))
    slot_idx, conv_idx, ts = slot_idx[order], conv_idx[order], ts[order]
    agent, csat, nps = agent[order], csat[order], nps[order]

    def lookup(values: tuple[str, ...], codes: np.ndarray) -> pl.Series:
        return pl.Series(values, dtype=pl.String).gather(pl.Series(codes.astype(np.int64)))

    width = max(7, len(str(sim.n)))
    frame = pl.DataFrame(
        {
            "conversation_id": pl.Series(conv_idx + 1, dtype=pl.Int64),
            "timestamp": pl.Series(ts * 1_000_000).cast(pl.Datetime("us", "UTC")),
            "event": lookup(EVENTS, SLOT_EVENT[slot_idx]),
            "role": lookup(ROLES, SLOT_ROLE[slot_idx]),
            "agent": lookup(AGENTS, np.maximum(agent, 0)),
            "_agent": pl.Series(agent, dtype=pl.Int16),
            "channel": lookup(CHANNELS, sim.channel[conv_idx]),
            "team": lookup(TEAMS, sim.team[conv_idx]),
            "topic": lookup(TOPICS, sim.topic[conv_idx]),
            "priority": lookup(PRIORITIES, sim.priority[conv_idx]),
            "csat": pl.Series(csat, dtype=pl.Int8),
            "nps": pl.Series(nps, dtype=pl.Int8),
        }
    ).with_columns(
        conversation_id=pl.lit(prefix) + pl.col("conversation_id").cast(pl.String).str.zfill(width),
        agent=pl.when(pl.col("_agent") >= 0).then(pl.col("agent")),
        csat=pl.when(pl.col("csat") >= 0).then(pl.col("csat")),
        nps=pl.when(pl.col("nps") >= 0).then(pl.col("nps")),
    )
    return frame.select(COLUMNS), sim.n


def write(frame: pl.DataFrame, out: Path, stem: str, formats: list[str]) -> list[Path]:
    """Write the frame in each format: CSV/JSONL with ISO `Z` text times, Parquet typed."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    as_text = frame.with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    for fmt in formats:
        path = out / f"{stem}.{fmt}"
        if fmt == "csv":
            as_text.write_csv(path)
        elif fmt == "jsonl":
            as_text.write_ndjson(path)
        else:
            frame.write_parquet(path, compression="zstd", row_group_size=1_000_000)
        written.append(path)
    return written


def write_shards(events: int, files: int, out: Path, formats: list[str], seed: int) -> int:
    """A folder of `files` shards of events/files events each, one in memory at a time."""
    folder = out / f"events_{count_label(events)}"
    started = time.perf_counter()
    total = conversations = 0
    for index in range(files):
        size = events // files + (1 if index < events % files else 0)
        frame, count = simulate(size, seed + index, prefix=f"C{index:03d}-")
        write(frame, folder, f"part_{index:03d}", formats)
        total, conversations = total + frame.height, conversations + count
        del frame
        print(f"  part {index + 1}/{files}", file=sys.stderr, end="\r")
    print(
        f"{total:,} events, {conversations:,} conversations in {files} files, "
        f"{time.perf_counter() - started:.0f}s",
        file=sys.stderr,
    )
    for fmt in formats:
        size = sum(p.stat().st_size for p in folder.glob(f"*.{fmt}"))
        print(f"{folder}/*.{fmt}\t{size / 1e6:,.1f} MB")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=parse_count, required=True, help="e.g. 1M, 10M, 250k")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--format", default="csv", help="comma-separated: csv, jsonl, parquet (default csv)"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--files", type=int, default=1, help="a folder of this many shards (default 1 file)"
    )
    args = parser.parse_args(argv)
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    unknown = sorted(set(formats) - {"csv", "jsonl", "parquet"})
    if unknown or not formats:
        parser.error(f"--format: unknown {', '.join(unknown) or 'empty'}; use csv,jsonl,parquet")

    if args.files > 1:
        return write_shards(args.events, args.files, args.out, formats, args.seed)
    started = time.perf_counter()
    frame, conversations = simulate(args.events, args.seed)
    simulated = time.perf_counter()
    paths = write(frame, args.out, f"events_{count_label(args.events)}", formats)
    done = time.perf_counter()
    first, last = frame["timestamp"].min(), frame["timestamp"].max()
    print(
        f"{frame.height:,} events, {conversations:,} conversations "
        f"({frame.height / conversations:.2f} events each), {first} .. {last}",
        file=sys.stderr,
    )
    print(
        f"simulated in {simulated - started:.1f}s, written in {done - simulated:.1f}s",
        file=sys.stderr,
    )
    for path in paths:
        print(f"{path}\t{path.stat().st_size / 1e6:,.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
