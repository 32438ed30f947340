"""Which column is which canonical field, for an export carecli does not know: by name
(input/synonyms.py, several languages) and by content (input/profile.py).

Each field gets at most one column and each column one field, best evidence first: the
canonical name itself, then a known name, then a name that contains one, then the values
alone (an id column, the first timestamps, 1-5 ratings). The values must fit the field
in every case: a column named "Created" that holds no dates is not a creation time.
The rest of the proposal (value spellings, date formats, units) is input/proposal.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from carecli.config.model import Config
from carecli.input.profile import Profile
from carecli.input.synonyms import (
    COLUMN_NAMES,
    DURATION_FIELDS,
    FLAG_FIELDS,
    MOMENT_OR_DURATION,
    TIME_OF_DAY_NAMES,
    UNIT_WORDS,
    simplify,
)
from carecli.input.timestamps import TIMESTAMP_FIELDS
from carecli.schema import CONVERSATION_FIELDS, FIELDS, MESSAGE_FIELDS

SURE, LIKELY, GUESS = "sure", "likely", "guess"
_CANONICAL, _KNOWN, _PART, _CONTENT = 4, 3, 2, 1  # how a column's name matched
_CONFIDENCE = {_CANONICAL: SURE, _KNOWN: SURE, _PART: LIKELY, _CONTENT: GUESS}
_ENUMS = ("role", "event", "status", "channel")
_COUNTS = ("reopen_count", "inbound_messages", "outbound_messages")
_CLOCK_UNIT = (("hh", "mm", "ss"), ("mm", "ss"), ("h", "mm", "ss"), ("hh", "mm"))


def supports(name: str) -> bool:
    """Whether this build reads a field or config key: a proposal never writes a key
    `carecli validate` would refuse, and a new field or key (score, answered, units,
    missing, a [date, time] pair came this way) needs only its synonyms row."""
    return name in FIELDS or name in {f.name for f in dataclasses.fields(Config)}


@dataclass(frozen=True)
class Placement:
    """One canonical field and the column (or date and time columns) it is read from."""

    field: str
    columns: tuple[str, ...]
    confidence: str  # sure, likely, guess
    reason: str
    unit: str | None = None  # durations: the unit the name says (seconds when none)


@dataclass(frozen=True)
class NameMatch:
    concept: str  # a canonical field, or a concept of synonyms.MOMENT_OR_DURATION
    strength: int
    unit: str | None


def name_matches(column: str) -> list[NameMatch]:
    """Every field or concept the column's name suggests, strongest first."""
    simple = simplify(column)
    tokens = simple.split()
    unit = None
    for clock in _CLOCK_UNIT:
        if tuple(tokens[-len(clock) :]) == clock and len(tokens) > len(clock):
            tokens, unit = tokens[: -len(clock)], "clock"
            break
    if unit is None and len(tokens) > 1:
        unit = next((u for u, words in UNIT_WORDS.items() if tokens[-1] in words), None)
        if unit is not None:
            tokens = tokens[:-1]
    while len(tokens) > 1 and tokens[-1] in ("in", "en", "of", "total"):
        tokens = tokens[:-1]
    core = " ".join(tokens)
    found = [NameMatch(f, _CANONICAL, unit) for f in sorted(FIELDS) if simplify(f) == simple]
    for concept, names in COLUMN_NAMES.items():
        if core in names or simple in names:
            found.append(NameMatch(concept, _KNOWN, unit))
        elif any(" " in n and f" {n} " in f" {core} " for n in names):
            found.append(NameMatch(concept, _PART, unit))
    return sorted(found, key=lambda m: -m.strength)


def field_for(concept: str, profile: Profile, granularity: str) -> str | None:
    """The canonical field a concept becomes with these values (None: none fits)."""
    if concept in MOMENT_OR_DURATION:
        moment, duration = MOMENT_OR_DURATION[concept]
        concept = moment if profile.moment else (duration or "")
    if concept in ("created_at", "timestamp"):
        concept = "timestamp" if granularity == "messages" else "created_at"
    fields = MESSAGE_FIELDS if granularity == "messages" else CONVERSATION_FIELDS
    if concept not in fields or not fits(concept, profile):
        return None
    return concept


def fits(field: str, p: Profile) -> bool:
    """Whether the sampled values can be read as `field`."""
    if field in ("conversation_id", "message_id"):
        return p.kind == "text" or (p.kind == "number" and p.integer)
    if field in TIMESTAMP_FIELDS:
        return p.moment
    if field in DURATION_FIELDS or field == "first_response_minutes":
        clock_ok = p.kind == "clock" and supports("units")  # H:MM:SS came with units:
        return clock_ok or (p.kind == "number" and (p.low or 0) >= 0)
    if field == "csat":
        return p.within(0, 5)
    if field in ("nps", "score"):
        return p.within(0, 10)
    if field in _COUNTS:
        return p.within(0, 1e9)
    if field in FLAG_FIELDS:
        return p.kind == "flag" or p.within(0, 1)
    if field == "role":
        return p.kind in ("text", "flag") and p.distinct <= 20
    if field in _ENUMS:
        return p.kind == "text" and p.distinct <= 50
    return p.kind in ("text", "number", "flag")  # agent, team, topic, priority


def choose_granularity(profiles: dict[str, Profile], role_ok: dict[str, bool]) -> str:
    """Messages when a column says who wrote each row (customer, agent) by name and by
    values; one row per conversation otherwise."""
    for column in profiles:
        matches = name_matches(column)
        if any(m.concept == "timestamp" and m.strength == _CANONICAL for m in matches):
            return "messages"
        if any(m.concept == "role" for m in matches) and role_ok.get(column):
            return "messages"
    return "conversations"


def place(profiles: dict[str, Profile], granularity: str) -> list[Placement]:
    """Fields -> columns, best evidence first (see the module docstring)."""
    candidates: list[tuple[int, int, str, str, str | None, str]] = []
    for order, (column, profile) in enumerate(profiles.items()):
        for match in name_matches(column):
            field = field_for(match.concept, profile, granularity)
            if field is not None:
                reason = "its name" if match.strength > _PART else "a name like it"
                candidates.append((-match.strength, order, field, column, match.unit, reason))
    taken_fields: set[str] = set()
    taken_columns: set[str] = set()
    placements: list[Placement] = []
    for strength, _, field, column, unit, reason in sorted(candidates):
        if field in taken_fields or column in taken_columns:
            continue
        taken_fields.add(field)
        taken_columns.add(column)
        shown = f"{reason}, {_described(profiles[column])}"
        placements.append(Placement(field, (column,), _CONFIDENCE[-strength], shown, unit))
    placements += _by_content(profiles, granularity, taken_fields, taken_columns)
    return _with_time_of_day(placements, profiles, taken_columns)


def _by_content(
    profiles: dict[str, Profile], granularity: str, fields: set[str], columns: set[str]
) -> list[Placement]:
    """Required fields and surveys that no name gave: the values alone, as guesses."""
    found = []
    moment = "timestamp" if granularity == "messages" else "created_at"
    tests = {
        "conversation_id": lambda p: (
            fits("conversation_id", p)
            and (p.unique or granularity == "messages")
            and p.distinct > 1
        ),
        moment: lambda p: p.moment,
        "csat": lambda p: p.within(1, 5) and p.distinct >= 3,
        "nps": lambda p: p.within(0, 10) and (p.high or 0) > 5 and p.distinct >= 3,
    }
    for field, test in tests.items():
        if field in fields:
            continue
        for column, profile in profiles.items():
            if column not in columns and test(profile):
                found.append(Placement(field, (column,), GUESS, _described(profile)))
                fields.add(field)
                columns.add(column)
                break
    return found


def _with_time_of_day(
    placements: list[Placement], profiles: dict[str, Profile], taken: set[str]
) -> list[Placement]:
    """A date-only moment and a free "Time" column: read them as one timestamp."""
    if not supports("combined"):
        return placements
    out = []
    for placement in placements:
        (column,) = placement.columns[:1]
        if placement.field in TIMESTAMP_FIELDS and profiles[column].kind == "date":
            time = next(
                (
                    c
                    for c, p in profiles.items()
                    if c not in taken and p.kind == "clock" and simplify(c) in TIME_OF_DAY_NAMES
                ),
                None,
            )
            if time is not None:
                taken.add(time)
                reason = f"{placement.reason}, with the time of day from {time!r}"
                placement = dataclasses.replace(placement, columns=(column, time), reason=reason)
        out.append(placement)
    return out


def _described(p: Profile) -> str:
    """What the values look like, in a few words."""
    if p.kind == "number":
        low, high = (f"{v:g}" for v in (p.low or 0, p.high or 0))
        whole = "whole numbers" if p.integer else "numbers"
        return f"{whole} {low}-{high}"
    if p.kind in ("timestamp", "date"):
        return f"{'dates' if p.kind == 'date' else 'timestamps'} like {p.examples[0]!r}"
    if p.kind == "clock":
        return f"durations like {p.examples[0]!r}"
    if p.kind == "flag":
        return "yes/no values"
    if p.unique:
        return "a different value on each row"
    return f"{p.distinct} distinct values"
