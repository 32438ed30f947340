"""'What changed': the largest improvements and regressions of a Report, as sentences.

A pure function of the Report (no data access). Changes are made comparable across units
by dividing each by a "noticeable step" for its unit: 10 % for durations and counts, 2
percentage points for rates, 5 points for NPS. A change smaller than one step, or one
measured on fewer than `min_sample` conversations/responses in either period, is noise
and left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from carecli.metrics.explain import GroupShare, Split
from carecli.metrics.registry import METRICS
from carecli.render import units
from carecli.report.build import GroupResult, Report, Stats

# Size of a change worth a sentence, per unit (relative for durations and counts).
NOTICEABLE = {"duration": 0.10, "count": 0.10, "rate": 0.02, "score": 5.0}
MIN_SAMPLE = 20
PER_METRIC = 2


@dataclass(frozen=True)
class Change:
    """One noticeable change: its sentence, which way it went and how big it is."""

    text: str
    improved: bool
    weight: float  # the change in noticeable steps (>= 1), for ranking
    metric: str
    scope: dict[str, str | None]  # {} for overall

    def __str__(self) -> str:
        return self.text


def what_changed(report: Report, limit: int = 5, min_sample: int = MIN_SAMPLE) -> list[Change]:
    """Up to `limit` improvements then up to `limit` regressions, each largest first.

    Overall and per group (if the report is grouped) compete for the same places, so a
    large change on one channel can outrank a small overall one; at most PER_METRIC
    sentences per metric and direction.
    """
    if report.previous_period is None:
        return []
    candidates: list[Change] = []
    for group in (report.overall, *report.groups):
        for metric in report.metric_names:
            change = _change(group, metric, min_sample, report.comparison)
            if change is not None:
                candidates.append(change)
    candidates.sort(key=lambda c: (-c.weight, c.text))
    return _pick(candidates, True, limit) + _pick(candidates, False, limit)


def _pick(candidates: list[Change], improved: bool, limit: int) -> list[Change]:
    """The largest changes one way, at most PER_METRIC per metric so one story can't fill
    the list (a resolution-time drop on every channel is one fact, not five)."""
    picked: list[Change] = []
    per_metric: dict[str, int] = {}
    for change in candidates:
        if change.improved != improved or per_metric.get(change.metric, 0) >= PER_METRIC:
            continue
        per_metric[change.metric] = per_metric.get(change.metric, 0) + 1
        picked.append(change)
        if len(picked) == limit:
            break
    return picked


def _change(
    group: GroupResult, metric: str, min_sample: int, comparison: str = "like_for_like"
) -> Change | None:
    entry = METRICS[metric]
    if entry.sentence is None or entry.better == "neutral":
        return None
    label, stat, sample_stat = entry.sentence, entry.headline.stat, entry.counted_by
    unit = entry.unit
    now, before = group.current.get(metric, {}), group.previous.get(metric, {})
    if not (now.get("available", True) and before.get("available", True)):
        return None
    if (
        metric == "resolution_time"
        and comparison == "plain"
        and max(_open_share(now), _open_share(before)) > OPEN_LIMIT
    ):
        return None
    if metric == "backlog":
        # A backlog is a state, not a sample: judge it by its larger side.
        if max(_count(now, sample_stat), _count(before, sample_stat)) < min_sample:
            return None
    elif min(_count(now, sample_stat), _count(before, sample_stat)) < min_sample:
        return None
    current, previous = now.get(stat), before.get(stat)
    if current is None or previous is None or current == previous:
        return None
    delta = float(current) - float(previous)
    if unit in ("duration", "count"):
        if previous == 0:
            return None  # no meaningful relative change from zero
        size = abs(delta / float(previous))
        amount = f"{size * 100:.0f}%"
    elif unit == "rate":
        size = abs(delta)
        amount = f"{size * 100:.1f} pp"
    else:  # score
        size = abs(delta)
        amount = f"{size:.1f} points"
    weight = size / NOTICEABLE[unit]
    if weight < 1:
        return None
    improved = units.verdict(delta, METRICS[metric].better) == "better"
    verb = "improved" if improved else "worsened"
    numbers = f"{units.value(previous, unit)} → {units.value(current, unit)}"
    text = f"{label}{_scope_words(group.key)} {verb} {amount} ({numbers})"
    return Change(text, improved, weight, metric, dict(group.key))


# A period's resolution time counts only what is resolved so far, so a recent week looks
# better than it will end up. Like for like, both weeks had the same time to resolve; a
# plain comparison is judged only once (nearly) all its conversations are resolved.
OPEN_LIMIT = 0.05


def _open_share(stats: Stats) -> float:
    still_open, resolved = _count(stats, "unresolved"), _count(stats, "count")
    return still_open / (still_open + resolved) if still_open + resolved else 0.0


def _count(stats: Stats, key: str) -> int:
    value = stats.get(key)
    return int(value) if value is not None else 0


def _scope_words(key: dict[str, str | None]) -> str:
    """'' overall, ' on email' for a channel, ' for agent Ann' or ' for team X, topic Y'."""
    if not key:
        return ""
    shown = {k: "(none)" if v is None else " ".join(str(v).split()) for k, v in key.items()}
    if list(shown) == ["channel"]:
        return f" on {shown['channel']}"
    return " for " + ", ".join(f"{k} {v}" for k, v in shown.items())


def sentences(changes: list[Change]) -> list[str]:
    """The plain sentences, for callers that want text only."""
    return [change.text for change in changes]


def explanations(report: Report, min_sample: int = MIN_SAMPLE) -> list[str]:
    """'Why it moved': each noticeable change of a headline mean or rate split into mix
    and performance over the report's groups (carecli.explain), as a sentence."""
    lines = []
    for metric, split in report.explained.items():
        info = METRICS[metric]
        unit = info.unit
        weight = (info.split or ("", "count"))[1]
        now = report.overall.current.get(metric, {})
        before = report.overall.previous.get(metric, {})
        if min(_count(now, weight), _count(before, weight)) < min_sample:
            continue
        relative = unit == "duration"
        if relative and split.previous == 0:
            continue
        size = abs(split.change / split.previous) if relative else abs(split.change)
        if size / NOTICEABLE[unit] < 1:
            continue
        lines.append(_explanation(info.title, split, unit, relative))
    return lines


def _explanation(title: str, split: Split, unit: str, relative: bool) -> str:
    def amount(value: float) -> str:
        if relative:
            return f"{value / split.previous * 100:+.0f}%"
        if unit == "rate":
            return f"{value * 100:+.1f} pp"
        return f"{value:+.1f} points"

    by = ", ".join(split.by)

    # The group that explains most of each part: its share moved most times its value,
    # and its value moved most times its share.
    def base(g: GroupShare) -> float:
        return g.previous_value if g.previous_value is not None else g.current_value or 0.0

    shifted = max(split.groups, key=lambda g: abs((g.current_share - g.previous_share) * base(g)))
    moved = [
        g
        for g in split.groups
        if g.previous_value is not None
        and g.current_value is not None
        and g.current_value != g.previous_value
    ]
    mix = (
        f"{amount(split.mix)} from the mix by {by} ({_key_words(shifted.key)} "
        f"{shifted.previous_share * 100:.0f}% → {shifted.current_share * 100:.0f}% of the samples)"
    )
    performance = f"{amount(split.performance)} from performance within each {by}"
    if moved:
        top = max(moved, key=lambda g: abs(g.current_share * (g.current_value - g.previous_value)))
        values = f"{units.value(top.previous_value, unit)} → {units.value(top.current_value, unit)}"
        performance += f" ({_key_words(top.key)} {values})"
    return f"{title}, {split.statistic} {amount(split.change)}: {mix}, {performance}."


def _key_words(key: dict[str, str | None]) -> str:
    return ", ".join("(none)" if v is None else " ".join(str(v).split()) for v in key.values())
