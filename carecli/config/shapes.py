"""Config keys for the shapes real exports come in, and the contact-centre settings.

columns: {created_at: [Date, Time]}   a date and a time in two columns
units: {first_response_seconds: hours} durations written in minutes, hours or ms
missing: ["-", "Not Provided"]        cells that mean "no value", in every column
contact_centre: {answer_within: 20s, short_abandon: 5s}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from carecli.config.entry import Problem
from carecli.quantities import QuantityError, parse_duration
from carecli.schema import DURATION_UNITS

# Seconds per unit a duration column may be written in.
UNITS = {"ms": 0.001, "seconds": 1.0, "minutes": 60.0, "hours": 3600.0}
# Timestamp fields a date column and a time column may be combined into.
COMBINABLE = ("timestamp", "created_at", "first_response_at", "bot_first_response_at")
COMBINABLE += ("resolved_at",)


@dataclass(frozen=True)
class ContactCentre:
    """Service level and abandonment settings of phone and chat queues."""

    answer_within_s: float = 20.0  # service level: answered within this / offered (80/20)
    short_abandon_s: float = 0.0  # abandons quicker than this are not offered contacts
    channels: tuple[str, ...] = ("phone", "chat")  # the queues these metrics are about


def read_combined(name: str, value: Any, problem: Problem) -> tuple[str, str] | None:
    """`columns: {created_at: [Date, Time]}`: two column names, for a timestamp field."""
    where = ("columns", name)
    if name not in COMBINABLE:
        problem(where, f"only a timestamp field ({', '.join(COMBINABLE)}) takes two columns")
        return None
    if len(value) != 2 or not all(isinstance(v, str) and v for v in value):
        problem(where, "expected [date column, time column], e.g. [Date, Time]")
        return None
    return value[0], value[1]


def read_units(raw: Any, problem: Problem) -> dict[str, float]:
    """`units: {field: unit}` -> seconds per unit of each duration field written otherwise."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problem(("units",), "expected a mapping of field: unit, e.g. {talk_seconds: minutes}")
        return {}
    units: dict[str, float] = {}
    for name, unit in raw.items():
        if name not in DURATION_UNITS:
            fields = ", ".join(DURATION_UNITS)
            problem(("units", name), f"units apply to duration fields only: {fields}")
        elif unit not in UNITS:
            problem(("units", name), f"{unit!r} is not a unit; use {', '.join(UNITS)}")
        else:
            # first_response_minutes is in minutes unless said otherwise.
            units[str(name)] = UNITS[unit]
    return units


def read_missing(raw: Any, problem: Problem) -> tuple[str, ...]:
    """`missing: [...]`: spellings that mean an empty cell in every column (trimmed,
    matched case-insensitively), e.g. "-", "N/A", "Not Provided"."""
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    if any(isinstance(item, dict | list) or item is None for item in items):
        problem(("missing",), 'expected a list of spellings, e.g. ["-", "N/A", "Not Provided"]')
        return ()
    return tuple(str(item).strip().lower() for item in items)


def read_contact_centre(raw: Any, problem: Problem) -> ContactCentre:
    if raw is None:
        return ContactCentre()
    if not isinstance(raw, dict):
        problem(("contact_centre",), "expected a mapping with answer_within: and short_abandon:")
        return ContactCentre()
    keys = {"answer_within": "answer_within_s", "short_abandon": "short_abandon_s"}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "channels":
            items = value if isinstance(value, list) else [value]
            if not items or any(not isinstance(item, str) or not item for item in items):
                problem(("contact_centre", key), "expected a list of channels, e.g. [phone, chat]")
            else:
                values["channels"] = tuple(item.strip().lower() for item in items)
            continue
        if key not in keys:
            problem(("contact_centre", key), f"unknown key; use {', '.join([*keys, 'channels'])}")
            continue
        try:
            values[keys[key]] = parse_duration(value)
        except QuantityError as exc:
            problem(("contact_centre", key), str(exc))
    return ContactCentre(**values)
