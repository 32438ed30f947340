"""Human-readable numbers: durations, rates, scores, counts and changes between periods."""

from __future__ import annotations

import math


def duration(seconds: float | None) -> str:
    """`45s`, `4m 12s`, `3h 05m`, `2d 04h`; an em dash when there is no value."""
    if seconds is None or not math.isfinite(seconds):  # no value, or none to show
        return "—"
    sign = "-" if seconds < 0 else ""
    total = round(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"


def duration_short(seconds: float) -> str:
    """Compact durations for thresholds people wrote: `1h`, `45m`, `1h 30m`, `1d`, `90s`."""
    if not math.isfinite(seconds):
        return "—"
    total = round(seconds)
    parts = []
    for size, label in ((86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")):
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{label}")
    return " ".join(parts) or "0s"


def value(number: float | int | None, unit: str) -> str:
    """Format a statistic by its unit: duration, rate (a fraction), score or count."""
    if number is None or not math.isfinite(number):
        return "—"
    if unit == "duration":
        return duration(number)
    if unit == "rate":
        return f"{number * 100:.1f}%"
    if unit == "score":
        return f"{number:+.1f}"
    if unit == "mean":
        return f"{number:.2f}"
    return f"{round(number):,}"


def change(current: float | None, previous: float | None, unit: str) -> tuple[str, float | None]:
    """Text and signed size of the change from previous to current.

    Rates change in percentage points and scores in points (a relative change of a
    percentage misleads); durations and counts change in percent of the previous value.
    """
    if current is None or previous is None:
        return "—", None
    delta = current - previous
    if unit == "rate":
        return f"{delta * 100:+.1f} pp", delta
    if unit in ("score", "mean"):
        return f"{delta:+.1f}" if unit == "score" else f"{delta:+.2f}", delta
    if previous == 0:
        return ("new" if current else "0%"), (delta if current else 0.0)
    return f"{delta / previous * 100:+.0f}%", delta


def verdict(delta: float | None, better: str) -> str:
    """'better', 'worse' or 'same' for colouring a change; neutral metrics stay 'same'."""
    if delta is None or delta == 0 or better == "neutral":
        return "same"
    improved = delta < 0 if better == "lower" else delta > 0
    return "better" if improved else "worse"
