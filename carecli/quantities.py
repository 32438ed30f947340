"""Parse the quantities people write in SLA targets: durations, percentages, scores."""

from __future__ import annotations

import math
import re

from carecli.errors import CareError

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_DURATION_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[dhms]\s*)+$", re.IGNORECASE)
_CLOCK_TIME = re.compile(r"^(\d+):(\d\d)(?::\d\d(?:\.\d+)?)?$")
_SECONDS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}


class QuantityError(CareError, ValueError):
    """A text that is not the expected quantity; the message says what to write instead.

    A CareError, so a caller that does not catch it still exits 2 with the message; a
    ValueError for code that treats it as one.
    """


def _float(value: int | float) -> float:
    """float() that reports an integer too large for a float (YAML reads 10**400 exactly)."""
    try:
        return float(value)
    except OverflowError:
        raise QuantityError(f"{str(value)[:20]}... is too large a number") from None


def parse_duration(value: object) -> float:
    """`1h`, `90m`, `1h30m`, `3600s`, `2d`, or a bare number of seconds -> seconds."""
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a duration; use 1h, 90m or 3600s")
    if isinstance(value, int | float):
        number = _float(value)
        if not math.isfinite(number) or number < 0:
            raise QuantityError(f"{value!r} is not a duration; use 1h, 90m or 3600s")
        return number
    text = str(value).strip()
    clock = _CLOCK_TIME.match(text)
    if clock:  # `12:00`: hours:minutes or minutes:seconds? Ask for the unit.
        first, second = clock[1].lstrip("0") or "0", clock[2]
        rest = ("", "") if second == "00" else (f"{second}m", f"{second}s")
        raise QuantityError(
            f"{text!r} could be hours:minutes or minutes:seconds; write "
            f"{first}h{rest[0]} or {first}m{rest[1]}"
        )
    if not _DURATION_WHOLE.match(text):
        raise QuantityError(f"{text[:60]!r} is not a duration; use 1h, 90m or 3600s")
    seconds = sum(float(n) * _SECONDS[u.lower()] for n, u in _DURATION_PART.findall(text))
    if not math.isfinite(seconds):  # "1e999" cannot be written, but 400 digits can
        raise QuantityError(f"{text[:60]!r} is too long a duration")
    return float(seconds)


def parse_rate(value: object) -> float:
    """`85%` or a fraction `0.85` -> 0.85 (rates are fractions 0..1 everywhere inside)."""
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a rate; use 85% or 0.85")
    if isinstance(value, int | float):
        number = _float(value)
        if not 0 <= number <= 1:  # also false for NaN
            raise QuantityError(f"{str(value)[:20]} is not a rate; write 85% or 0.85, not 85")
        return number
    text = str(value).strip()
    if text.endswith("%"):
        try:
            number = float(text[:-1].strip()) / 100
        except ValueError:
            raise QuantityError(f"{text[:60]!r} is not a rate; use 85% or 0.85") from None
        if not 0 <= number <= 1:
            raise QuantityError(f"{text[:60]!r} is not a rate between 0% and 100%")
        return number
    try:
        number = float(text)
    except ValueError:
        raise QuantityError(f"{text[:60]!r} is not a rate; use 85% or 0.85") from None
    return parse_rate(number)


def parse_number(value: object) -> float:
    """A plain number such as an NPS score (`+20`, `-5`) or a count (`150`)."""
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        number = _float(value)
        if not math.isfinite(number):
            raise QuantityError(f"{value!r} is not a finite number")
        return number
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        raise QuantityError(f"{text[:60]!r} is not a number; write e.g. 20 or -5") from None
    if not math.isfinite(number):
        raise QuantityError(f"{text[:60]!r} is not a finite number")
    return number


PARSERS = {"duration": parse_duration, "rate": parse_rate, "score": parse_number}
PARSERS["count"] = parse_number
PARSERS["mean"] = parse_number
