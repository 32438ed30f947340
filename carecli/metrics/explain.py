"""Why a KPI moved: its change split into mix and performance across groups.

For a mean or a rate V = sum_g s_g * v_g over groups g (channels, say), where s_g is the
group's share of the samples and v_g its value, the change from the previous period to
the current one (') is

    V' - V = sum_g (s'_g - s_g) * v_g     mix: each group weighs more or less
           + sum_g s'_g * (v'_g - v_g)    performance: each group got better or worse

and the two parts add up to the change exactly. A group new in the current period has
no previous value: v_g is taken as v'_g, so all its effect is mix. A group gone from the
current period has s'_g = 0: its effect is mix too. Medians and percentiles do not add
up over groups, so durations are split on their mean (Metric.split says which value and
which sample count each metric splits).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carecli.metrics.registry import METRICS

GroupKey = tuple[str | None, ...]
Stats = dict[str, Any]


@dataclass(frozen=True)
class GroupShare:
    """One group's share of the samples and its value, in both periods (None: absent)."""

    key: dict[str, str | None]
    previous_share: float
    current_share: float
    previous_value: float | None
    current_value: float | None


@dataclass(frozen=True)
class Split:
    """The change of one metric's `statistic`, split into mix and performance."""

    metric: str
    statistic: str
    by: tuple[str, ...]
    previous: float
    current: float
    mix: float
    performance: float
    groups: tuple[GroupShare, ...]

    @property
    def change(self) -> float:
        return self.current - self.previous

    def as_dict(self) -> dict[str, Any]:
        return {
            "statistic": self.statistic,
            "by": list(self.by),
            "previous": self.previous,
            "current": self.current,
            "change": self.change,
            "mix": self.mix,
            "performance": self.performance,
            "groups": [
                {
                    "key": g.key,
                    "previous_share": g.previous_share,
                    "current_share": g.current_share,
                    "previous": g.previous_value,
                    "current": g.current_value,
                }
                for g in self.groups
            ],
        }


def _weighted(groups: Mapping[GroupKey, Stats], metric: str) -> dict[GroupKey, tuple[float, float]]:
    """group -> (share of the samples, value), for groups with samples and a value."""
    value_stat, weight_stat = METRICS[metric].split or ("", "")
    pairs = {}
    for key, stats in groups.items():
        values = stats.get(metric, {})
        weight, value = values.get(weight_stat), values.get(value_stat)
        if weight and value is not None:
            pairs[key] = (float(weight), float(value))
    total = sum(weight for weight, _ in pairs.values())
    return {key: (weight / total, value) for key, (weight, value) in pairs.items()}


def split_change(
    metric: str,
    by: Sequence[str],
    previous: Mapping[GroupKey, Stats],
    current: Mapping[GroupKey, Stats],
) -> Split | None:
    """The split of `metric`'s change over the groups of `by` (None: a period has no
    samples, or the metric does not split)."""
    split = METRICS[metric].split
    if split is None:
        return None
    before, now = _weighted(previous, metric), _weighted(current, metric)
    if not before or not now or len(before.keys() | now.keys()) < 2:
        return None  # no samples, or one group only: no mix to tell from performance
    mix = performance = 0.0
    shares = []
    for key in sorted(before.keys() | now.keys(), key=lambda k: [str(v) for v in k]):
        share, value = before.get(key, (0.0, None))
        share_now, value_now = now.get(key, (0.0, None))
        base = value if value is not None else value_now
        assert base is not None
        mix += (share_now - share) * base
        if value is not None and value_now is not None:
            performance += share_now * (value_now - value)
        shares.append(
            GroupShare(dict(zip(by, key, strict=True)), share, share_now, value, value_now)
        )
    return Split(
        metric=metric,
        statistic=split[0],
        by=tuple(by),
        previous=sum(share * value for share, value in before.values()),
        current=sum(share * value for share, value in now.values()),
        mix=mix,
        performance=performance,
        groups=tuple(shares),
    )


def explain_changes(
    names: Sequence[str],
    by: Sequence[str],
    overall_previous: Mapping[str, Stats],
    overall_current: Mapping[str, Stats],
    previous: Mapping[GroupKey, Stats],
    current: Mapping[GroupKey, Stats],
) -> dict[str, Split]:
    """metric -> Split, for each splittable metric available in both periods that moved."""
    explained: dict[str, Split] = {}
    for name in names:
        now, before = overall_current.get(name, {}), overall_previous.get(name, {})
        if not (now.get("available", True) and before.get("available", True)):
            continue
        split = split_change(name, by, previous, current)
        if split is not None and split.change != 0:
            explained[name] = split
    return explained
