"""Human-readable durations, values and changes."""

from __future__ import annotations

import pytest

from carecli.render import units


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (45.4, "45s"),
        (252, "4m 12s"),
        (3600, "1h 00m"),
        (3 * 3600 + 5 * 60 + 29, "3h 05m"),
        (2 * 86400 + 4 * 3600, "2d 04h"),
        (-90, "-1m 30s"),
        (None, "—"),
        (float("nan"), "—"),
    ],
)
def test_duration(seconds: float | None, text: str) -> None:
    assert units.duration(seconds) == text


def test_values_by_unit() -> None:
    assert units.value(0.8512, "rate") == "85.1%"
    assert units.value(12.345, "score") == "+12.3"
    assert units.value(1234, "count") == "1,234"
    assert units.value(None, "count") == "—"


def test_changes() -> None:
    assert units.change(120, 100, "duration") == ("+20%", 20)
    assert units.change(0.85, 0.80, "rate")[0] == "+5.0 pp"
    assert units.change(-5, 10, "score") == ("-15.0", -15)
    assert units.change(3, 0, "count") == ("new", 3)
    assert units.change(None, 10, "count") == ("—", None)


def test_verdict_knows_lower_is_better_for_times() -> None:
    assert units.verdict(-10, "lower") == "better"
    assert units.verdict(10, "lower") == "worse"
    assert units.verdict(0.1, "higher") == "better"
    assert units.verdict(5, "neutral") == "same"
