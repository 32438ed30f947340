"""SLA targets from the config's `slas:` list -> frozen Target objects, checked key by key."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from carecli.config.entry import Entry, Problem
from carecli.metrics.registry import METRICS
from carecli.quantities import PARSERS, QuantityError, parse_duration
from carecli.schema import DIMENSIONS

# metric -> statistic -> unit of its threshold (the metric's entry says which it allows).
STATISTICS: dict[str, Mapping[str, str]] = {
    m.name: m.targets for m in METRICS.values() if m.targets
}
DIRECTIONS = ("at_most", "at_least")
DEFAULT_SCOPE = "default"
_KEYS = ("name", "metric", "statistic", "attainment", "direction", "threshold", "warn", "fail")
_KEYS += ("where", "per", "calendar")


@dataclass(frozen=True)
class Levels:
    """The warn and fail thresholds of one scope (either may be absent, not both)."""

    warn: float | None = None
    fail: float | None = None

    def strictest(self) -> float:
        return self.warn if self.warn is not None else self.fail  # type: ignore[return-value]


@dataclass(frozen=True)
class Target:
    """One service level: a statistic of a metric, compared with warn/fail thresholds."""

    name: str
    metric: str
    statistic: str  # a key of STATISTICS[metric], or "attainment"
    unit: str  # unit of the thresholds: duration, rate, score, count, mean
    direction: str  # "at_most" (lower is better) or "at_least"
    levels: Mapping[str, Levels]  # scope value (or "default") -> levels
    within: Mapping[str, float] = field(default_factory=dict)  # attainment limit per scope
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    per: str | None = None
    index: int = 0
    calendar: str | None = None  # business-hours calendar for this target's clock

    def levels_for(self, scope: str | None) -> Levels | None:
        if scope is not None and scope in self.levels:
            return self.levels[scope]
        return self.levels.get(DEFAULT_SCOPE)

    def within_for(self, scope: str | None) -> float | None:
        if scope is not None and scope in self.within:
            return self.within[scope]
        return self.within.get(DEFAULT_SCOPE)

    @property
    def is_attainment(self) -> bool:
        return self.statistic == "attainment"


def read_targets(raw: Any, problem: Problem) -> tuple[Target, ...]:
    """Parse the `slas:` list, reporting each problem with its key path."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problem(("slas",), "expected a list of targets (each starting with '- name: ...')")
        return ()
    targets: list[Target] = []
    names: set[str] = set()
    for index, item in enumerate(raw):
        target = _read_target(index, item, problem)
        if target is None:
            continue
        if target.name in names:
            problem(("slas", index, "name"), f"{target.name!r} is used by another target")
            continue
        names.add(target.name)
        targets.append(target)
    return tuple(targets)


def _read_target(index: int, item: Any, problem: Problem) -> Target | None:
    entry = Entry(("slas", index), problem)
    at, bad = entry.at, entry.bad
    if not isinstance(item, dict):
        problem(at(), "expected a mapping with name:, metric: and thresholds")
        return None
    entry.check_keys(item, _KEYS)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        bad(at("name"), "every target needs a name (text)")
        name = f"slas[{index}]"
    metric = item.get("metric")
    if not _one_of(metric, STATISTICS):
        bad(at("metric"), f"{metric!r} is not a metric; use one of {', '.join(STATISTICS)}")
        return None

    attainment = item.get("attainment")
    statistic = item.get("statistic")
    if attainment is not None:
        if not METRICS[metric].is_time:
            bad(at("attainment"), f"the attainment form needs a time metric, not {metric}")
        if statistic is not None:
            bad(at("statistic"), "use either statistic: or attainment:, not both")
        statistic, unit = "attainment", "rate"
    elif statistic is None:
        if METRICS[metric].is_time:
            bad(
                at("statistic"),
                f"{metric} needs a statistic ({', '.join(STATISTICS[metric])}) or "
                "attainment: 24h (share of conversations within 24h)",
            )
            return None
        statistic = next(iter(STATISTICS[metric]))
        unit = STATISTICS[metric][statistic]
    elif not _one_of(statistic, STATISTICS[metric]):
        allowed = ", ".join(STATISTICS[metric])
        bad(at("statistic"), f"{statistic!r} is not a statistic of {metric}; use {allowed}")
        return None
    else:
        unit = STATISTICS[metric][statistic]

    direction = _direction(item, metric, statistic, at, bad)
    per = item.get("per")
    if per is not None and not _one_of(per, DIMENSIONS):
        bad(at("per"), f"{per!r} is not a field; use one of {', '.join(DIMENSIONS)}")
        per = None
    where = _where(item.get("where"), at, bad)
    calendar = item.get("calendar")
    if calendar is not None and (not isinstance(calendar, str) or not calendar):
        bad(at("calendar"), "expected the name of a calendar defined under calendars:")

    within: dict[str, float] = {}
    if attainment is not None:
        within = _per_scope(attainment, per, at("attainment"), parse_duration, bad)
    if "threshold" in item and "fail" in item:
        bad(at("threshold"), "threshold: is the fail level; use either threshold: or fail:")
    fail_key = "threshold" if "threshold" in item else "fail"
    parser = PARSERS[unit]
    fails = _per_scope(item.get(fail_key), per, at(fail_key), parser, bad)
    warns = _per_scope(item.get("warn"), per, at("warn"), parser, bad)
    if not fails and not warns and entry.ok:
        bad(at(), "needs a threshold: set fail: (or threshold:), warn:, or both")
    levels = {
        scope: Levels(warn=warns.get(scope), fail=fails.get(scope))
        for scope in dict.fromkeys([*fails, *warns])
    }
    for scope, level in levels.items():
        if level.warn is None or level.fail is None:
            continue
        looser = level.warn > level.fail if direction == "at_most" else level.warn < level.fail
        if looser:
            where_text = f" for {scope}" if per else ""
            side = "below" if direction == "at_most" else "above"
            bad(
                at("warn"),
                f"warn{where_text} must be stricter than fail (warn is reached first): "
                f"with direction {direction} use a warn {side} the fail threshold",
            )
    if not entry.ok:
        return None
    return Target(
        name=name,
        metric=metric,
        statistic=statistic,
        unit=unit,
        direction=direction,
        levels=levels,
        within=within,
        where=where,
        per=per,
        index=index,
        calendar=calendar,
    )


def _one_of(value: Any, choices: Collection[str]) -> bool:
    """`value in choices` for whatever YAML gives: a list or a mapping is unhashable."""
    return isinstance(value, str) and value in choices


def _direction(item: dict, metric: str, statistic: str, at: Callable, bad: Problem) -> str:
    direction = item.get("direction")
    if direction is not None:
        if not _one_of(direction, DIRECTIONS):
            bad(at("direction"), f"{direction!r} is not at_most or at_least")
            return "at_most"
        return direction
    if statistic == "attainment":
        return "at_least"
    better = METRICS[metric].better
    if better == "neutral":
        bad(at("direction"), f"say whether {metric} must be at_most or at_least the threshold")
        return "at_most"
    return "at_most" if better == "lower" else "at_least"


def _where(raw: Any, at: Callable, bad: Problem) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        bad(at("where"), "expected a mapping such as {channel: [email, chat]}")
        return {}
    where: dict[str, tuple[str, ...]] = {}
    for key, values in raw.items():
        if not _one_of(key, DIMENSIONS):
            bad(at("where", key), f"{key!r} is not a field; use one of {', '.join(DIMENSIONS)}")
            continue
        items = values if isinstance(values, list) else [values]
        if not items or any(isinstance(v, dict | list) or v is None for v in items):
            bad(at("where", key), "expected a value or a list of values")
            continue
        texts = tuple(str(v).strip() for v in items)
        where[key] = tuple(t.lower() for t in texts) if key in ("channel", "priority") else texts
    return where


def _per_scope(
    raw: Any,
    per: str | None,
    key_path: tuple[Any, ...],
    parser: Callable[[object], float],
    bad: Problem,
) -> dict[str, float]:
    """A single value (every scope) or, with `per:`, a map of scope value -> value."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        if per is None:
            bad(key_path, "a map of values needs per: (e.g. per: channel)")
            return {}
        values: dict[str, float] = {}
        for scope, value in raw.items():
            scope_key = str(scope).strip()
            if per in ("channel", "priority"):
                scope_key = scope_key.lower()
            if scope_key in values:  # `email` and `EMAIL` are one scope: which would win?
                first = next(s for s in raw if str(s).strip().lower() == scope_key.lower())
                bad(
                    (*key_path, scope),
                    f"{str(scope)[:60]!r} and {str(first)[:60]!r} are the same {per}; "
                    "keep one of them",
                )
                continue
            try:
                values[scope_key] = parser(value)
            except QuantityError as exc:
                bad((*key_path, scope), str(exc))
        return values
    try:
        return {DEFAULT_SCOPE: parser(raw)}
    except QuantityError as exc:
        bad(key_path, str(exc))
        return {}
