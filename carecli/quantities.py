"""Parse the quantities people write in SLA targets: durations, percentages, scores."""

from __future__ import annotations

import math
import re

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_DURATION_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[dhms]\s*)+$", re.IGNORECASE)
_SECONDS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}


class QuantityError(ValueError):
    """A text that is not the expected quantity; the message says what to write instead."""


def parse_duration(value: object) -> float:
    """`1h`, `90m`, `1h30m`, `3600s`, `2d`, or a bare number of seconds -> seconds."""
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a duration; use 1h, 90m or 3600s")
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise QuantityError(f"{value!r} is not a duration; use 1h, 90m or 3600s")
        return float(value)
    text = str(value).strip()
    if not _DURATION_WHOLE.match(text):
        raise QuantityError(f"{text!r} is not a duration; use 1h, 90m or 3600s")
    return float(sum(float(n) * _SECONDS[u.lower()] for n, u in _DURATION_PART.findall(text)))


def parse_rate(value: object) -> float:
    """`85%` or a fraction `0.85` -> 0.85 (rates are fractions 0..1 everywhere inside)."""
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a rate; use 85% or 0.85")
    if isinstance(value, int | float):
        number = float(value)
        if not 0 <= number <= 1:
            raise QuantityError(f"{value!r} is not a rate; write 85% or 0.85, not 85")
        return number
    text = str(value).strip()
    if text.endswith("%"):
        try:
            number = float(text[:-1].strip()) / 100
        except ValueError:
            raise QuantityError(f"{text!r} is not a rate; use 85% or 0.85") from None
        if not 0 <= number <= 1:
            raise QuantityError(f"{text!r} is not a rate between 0% and 100%")
        return number
    try:
        return parse_rate(float(text))
    except ValueError:
        raise QuantityError(f"{text!r} is not a rate; use 85% or 0.85") from None


def parse_number(value: object) -> float:
    """A plain number such as an NPS score (`+20`, `-5`) or a count (`150`)."""
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise QuantityError(f"{value!r} is not a finite number")
        return float(value)
    try:
        number = float(str(value).strip())
    except ValueError:
        raise QuantityError(f"{value!r} is not a number; write e.g. 20 or -5") from None
    if not math.isfinite(number):
        raise QuantityError(f"{value!r} is not a finite number")
    return number


PARSERS = {"duration": parse_duration, "rate": parse_rate, "score": parse_number}
PARSERS["count"] = parse_number
PARSERS["mean"] = parse_number
