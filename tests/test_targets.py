"""SLA targets in the config: every form, and every error with its key path and line."""

from __future__ import annotations

import pytest

from carecli.config.model import parse_config
from carecli.config.targets import DEFAULT_SCOPE, Levels
from carecli.errors import ConfigError
from carecli.quantities import QuantityError, parse_duration, parse_number, parse_rate


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1h", 3600), ("90m", 5400), ("1h30m", 5400), ("1h 30m", 5400), ("3600s", 3600),
     ("2d", 172800), ("1.5h", 5400), (3600, 3600), ("45s", 45),
     ("1H30M", 5400), (0, 0), ("0s", 0)],
)  # fmt: skip
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["1 hour", "h", "", "-5m", "1h-", True, -3, "1w", float("nan"), float("inf")]
)
def test_bad_durations(text: object) -> None:
    with pytest.raises(QuantityError, match="is not a duration; use 1h, 90m or 3600s"):
        parse_duration(text)


def test_a_duration_too_long_for_a_float_is_refused() -> None:
    # 400 digits parse as a number but sum to inf: a threshold nothing could ever breach.
    with pytest.raises(QuantityError, match="is too long a duration"):
        parse_duration("9" * 400 + "s")


def test_rate_and_number_bounds() -> None:
    # 0 and 0% are the same rate; a negative percentage or a YAML .nan score is refused.
    assert parse_rate(0) == parse_rate("0") == parse_rate("0%") == 0
    with pytest.raises(QuantityError, match="is not a rate between 0% and 100%"):
        parse_rate("-5%")
    with pytest.raises(QuantityError, match="is not a finite number"):
        parse_number(float("nan"))


def test_rates_and_numbers() -> None:
    assert parse_rate("85%") == pytest.approx(0.85)
    assert parse_rate("0.7") == pytest.approx(0.7)
    assert parse_rate(0.79) == pytest.approx(0.79)
    assert parse_number("+20") == 20
    assert parse_number(-5) == -5
    for bad in (85, "85", "abc%", "120%", True):
        with pytest.raises(QuantityError):
            parse_rate(bad)
    with pytest.raises(QuantityError):
        parse_number("nan")


def _targets(yaml_text: str):
    return parse_config(yaml_text).slas


def test_every_target_form() -> None:
    targets = _targets(
        """
slas:
  - name: social p90
    metric: first_response_time
    statistic: p90
    where: {channel: [Twitter, instagram], priority: urgent}
    warn: 45m
    fail: 1h
  - name: answered in 24h
    metric: first_response_time
    attainment: 24h
    fail: 79%
  - name: per channel
    metric: first_response_time
    statistic: median
    per: channel
    fail: {email: 24h, default: 1h}
    warn: {email: 12h}
  - name: csat
    metric: csat
    threshold: 85%
  - name: nps
    metric: nps
    warn: +30
    fail: "+20"
  - name: volume cap
    metric: volume
    direction: at_most
    fail: 5000
"""
    )
    social, answered, per_channel, csat, nps, volume = targets
    assert (social.statistic, social.unit, social.direction) == ("p90", "duration", "at_most")
    assert social.levels[DEFAULT_SCOPE] == Levels(warn=2700, fail=3600)
    assert social.where == {"channel": ("twitter", "instagram"), "priority": ("urgent",)}
    assert (answered.statistic, answered.direction, answered.unit) == (
        "attainment",
        "at_least",
        "rate",
    )
    assert answered.within_for(None) == 86400
    assert answered.levels_for(None) == Levels(fail=0.79)
    assert per_channel.per == "channel"
    assert per_channel.levels_for("email") == Levels(warn=43200, fail=86400)
    assert per_channel.levels_for("chat") == Levels(fail=3600)
    assert (csat.statistic, csat.direction, csat.levels_for(None)) == (
        "rate",
        "at_least",
        Levels(fail=0.85),
    )
    assert nps.levels_for(None) == Levels(warn=30, fail=20)
    assert (volume.statistic, volume.direction) == ("conversations", "at_most")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("metric: speed\n    fail: 1h", "slas[0].metric: 'speed' is not a metric"),
        ("metric: first_response_time\n    statistic: p99\n    fail: 1h",
         "slas[0].statistic: 'p99' is not a statistic of first_response_time"),
        ("metric: first_response_time\n    fail: 1h",
         "slas[0].statistic: first_response_time needs a statistic"),
        ("metric: first_response_time\n    statistic: p90\n    threshold: '1 hour'",
         "slas[0].threshold: '1 hour' is not a duration; use 1h, 90m or 3600s"),
        ("metric: csat\n    fail: 85", "slas[0].fail: 85 is not a rate; write 85% or 0.85"),
        ("metric: csat\n    fail: 85%\n    warn: 80%",
         "slas[0].warn: warn must be stricter than fail"),
        ("metric: first_response_time\n    statistic: mean\n    fail: 1h\n    warn: 2h",
         "slas[0].warn: warn must be stricter than fail"),
        ("metric: csat\n    where: {country: FR}\n    fail: 85%",
         "slas[0].where.country: 'country' is not a field"),
        ("metric: csat\n    per: region\n    fail: 85%", "slas[0].per: 'region' is not a field"),
        ("metric: csat\n    fail: {email: 85%}", "slas[0].fail: a map of values needs per:"),
        ("metric: csat", "slas[0]: needs a threshold"),
        ("metric: volume\n    fail: 100", "slas[0].direction: say whether volume must be"),
        ("metric: csat\n    attainment: 1h\n    fail: 85%",
         "slas[0].attainment: the attainment form needs a time metric"),
        ("metric: csat\n    fail: 85%\n    threshold: 80%",
         "slas[0].threshold: threshold: is the fail level"),
        ("metric: csat\n    fail: 85%\n    level: 3", "slas[0].level: unknown key"),
        ("metric: csat\n    direction: up\n    fail: 85%",
         "slas[0].direction: 'up' is not at_most or at_least"),
        ("metric: first_response_time\n    statistic: p90\n    attainment: 24h\n    fail: 80%",
         "slas[0].statistic: use either statistic: or attainment:, not both"),
        ("metric: csat\n    per: channel\n    fail: {email: 85%}\n    warn: {email: 80%}",
         "slas[0].warn: warn for email must be stricter than fail"),
        ("metric: csat\n    calendar: ''\n    fail: 85%",
         "slas[0].calendar: expected the name of a calendar defined under calendars:"),
    ],
)  # fmt: skip
def test_config_errors_name_the_key_path_and_line(target: str, message: str) -> None:
    text = f"timezone: UTC\nslas:\n  - name: t\n    {target}\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert message in str(caught.value)
    assert str(caught.value).startswith("<config>:")  # <config>:LINE: key path: message
    line = int(str(caught.value).split(":")[1])
    assert 3 <= line <= 7


def test_the_line_number_is_the_offending_key() -> None:
    text = "slas:\n  - name: a\n    metric: csat\n    fail: 85%\n  - name: b\n    metric: nope\n"
    with pytest.raises(ConfigError, match=r"^<config>:6: slas\[1\]\.metric"):
        parse_config(text)


def test_all_problems_are_reported_at_once() -> None:
    text = "slas:\n  - name: a\n    metric: csat\n    fail: 2\n  - name: a\n    metric: nps\n"
    text += "    fail: x\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert len(caught.value.problems) == 2
    assert "and 1 more problem" in str(caught.value)


def test_duplicate_names_and_non_list() -> None:
    with pytest.raises(ConfigError, match="'a' is used by another target"):
        parse_config(
            "slas:\n  - {name: a, metric: csat, fail: 85%}\n  - {name: a, metric: nps, fail: 0}\n"
        )
    with pytest.raises(ConfigError, match="slas: expected a list of targets"):
        parse_config("slas: {name: a}\n")


def test_warn_equal_to_fail_is_not_looser() -> None:
    # Only a warn looser than fail is refused; an equal one is accepted, either direction.
    times, csat = _targets(
        "slas:\n  - {name: t, metric: first_response_time, statistic: mean, warn: 1h, fail: 1h}\n"
        "  - {name: c, metric: csat, warn: 85%, fail: 85%}\n"
    )
    assert times.levels_for(None) == Levels(warn=3600, fail=3600)
    assert csat.levels_for(None) == Levels(warn=0.85, fail=0.85)


def test_per_channel_threshold_keys_are_trimmed_and_lower_cased() -> None:
    # Channel values are lower-cased when read; a key written 'Email' must still match them.
    (target,) = _targets(
        "slas:\n  - name: t\n    metric: csat\n    per: channel\n"
        "    fail: {' Email ': 85%, default: 70%}\n"
    )
    assert target.levels_for("email") == Levels(fail=0.85)
