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


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (59.4, "59s"),
        (59.6, "1m 00s"),  # rounded first: never "60s" nor a truncated "59s"
        (3599.6, "1h 00m"),
        (86_400, "1d 00h"),  # a whole day is shown in days, not as "24h 00m"
        (86_399.6, "1d 00h"),
    ],
)
def test_duration_rounds_to_the_second_before_choosing_the_unit(seconds: float, text: str) -> None:
    assert units.duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(86_400, "1d"), (93_600, "1d 2h"), (5_400, "1h 30m"), (2_700, "45m"), (0, "0s")],
)
def test_duration_short_names_thresholds_in_their_largest_units(seconds: float, text: str) -> None:
    # SLA thresholds as people wrote them: `within: 1d` must not read "24h".
    assert units.duration_short(seconds) == text


def test_mean_ratings_show_two_decimals_and_change_by_hundredths() -> None:
    # A CSAT mean of 4.25 vs 4.00 is a real move; one decimal would show "+0.2" or "4.2".
    assert units.value(3.5, "mean") == "3.50"
    assert units.change(4.25, 4.0, "mean") == ("+0.25", 0.25)


def test_zero_to_zero_is_no_change_and_no_verdict() -> None:
    assert units.change(0, 0, "count") == ("0%", 0.0)
    assert units.verdict(0, "lower") == "same"  # an unchanged time is neither better nor worse
    assert units.verdict(0.0, "higher") == "same"
