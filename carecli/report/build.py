"""The core API: load a dataset, then compute every metric for a period, groups and filters."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from carecli import memory
from carecli.config.model import Config
from carecli.errors import InputError, UsageError
from carecli.input.load import open_source
from carecli.input.normalize import Prepared, collect_rows, finish, prepare
from carecli.input.presets import with_preset
from carecli.metrics.explain import Split, explain_changes
from carecli.metrics.registry import METRICS
from carecli.periods import Period
from carecli.report.basis import Basis
from carecli.report.stats import Stats, compute_stats_by, empty_stats, filter_timeline
from carecli.schema import DIMENSIONS
from carecli.timeline import clock
from carecli.timeline.asof import AsOf, at_same_age, default_as_of
from carecli.timeline.availability import out_of_scope
from carecli.timeline.build import drop_repeated_conversations, from_conversations, handed_over
from carecli.timeline.frames import Timeline
from carecli.timeline.partitions import (
    Progress,
    SpillFailed,
    file_size,
    from_messages_in_parts,
    load_timeline,
    plan,
    quiet,
)


@dataclass(frozen=True)
class Dataset:
    """A loaded, validated input file and its derived timeline."""

    path: Path
    format: str
    granularity: str
    rows: int
    mapping: dict[str, str]
    timeline: Timeline
    preset: str | None = None
    notes: tuple[str, ...] = ()  # what the user should know (a detected preset, ...)
    files: tuple[Path, ...] = ()
    duplicates_dropped: int = 0
    loading: str = ""  # which path read it: in memory or in partitions, and why

    def summary(self) -> dict[str, Any]:
        created = self.timeline.conversations["created_at"]
        return {
            "file": str(self.path) if len(self.files) <= 1 else f"{len(self.files)} files",
            "files": [str(f) for f in self.files or (self.path,)],
            "format": self.format,
            "granularity": self.granularity,
            "rows": self.rows,
            "preset": self.preset,
            "conversations": self.timeline.conversations.height,
            "first_conversation_at": _iso(created.min()),
            "last_conversation_at": _iso(created.max()),
            "first_event_at": _iso(self.timeline.first_event_at),
            "last_event_at": _iso(self.timeline.last_event_at),
            "conversations_without_customer_message": self.timeline.skipped_without_customer,
            "negative_durations_left_out": self.timeline.negative_durations,
            "duplicate_rows_dropped": self.duplicates_dropped,
        }


# Why files are read whole, in memory, not in batches split by conversation.
_WHOLE_FILES = ("one row per conversation", "reply chains")


def load_dataset(
    paths: Path | Sequence[Path],
    config: Config,
    input_format: str | None = None,
    preset: str | None = None,
    partitions: int | None = None,
    memory_limit: int | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Read CSV/JSONL/Parquet exports into one Dataset (raises InputError on bad data).

    Several files (one export per day, say) are read as one dataset: each is validated on
    its own, so an error names the right file and row; a conversation may span files.
    Message exports whose estimated peak memory exceeds the budget (`memory_limit` bytes,
    else a share of the available memory: carecli.memory) are processed in partitions on
    disk (carecli.partitions); `partitions` sets their number instead (1: all in memory).
    `progress(stage, done, total, unit)` is told how far the load is.
    """
    files = [paths] if isinstance(paths, Path) else list(paths)
    if not files:
        raise InputError("no data file given; pass --data FILE")
    prepared: list[Prepared] = []
    notes: tuple[str, ...] = ()
    for path in files:
        source = open_source(path, input_format or config.input_format, config.csv_separator)
        file_config, file_notes = with_preset(source, config, preset)
        try:
            prepared.append(prepare(source, file_config))
        except InputError:
            for earlier in prepared:  # an earlier file's bad row is the first error
                finish(earlier, collect_rows(earlier))
            raise
        notes += file_notes
    granularities = {file.granularity for file in prepared}
    if len(granularities) > 1:
        raise InputError(
            "the files mix one row per message and one row per conversation; "
            "report on them separately"
        )
    granularity = granularities.pop()
    report = progress or quiet
    sources = [file.source for file in prepared]
    chosen = plan(sources, memory.budget(memory_limit), partitions)
    if granularity != "messages":
        chosen = dataclasses.replace(chosen, partitions=1, forced=_WHOLE_FILES[0])
    elif any(file.threads for file in prepared):
        # Reply chains (threads) are resolved across the whole file: it is never split.
        chosen = dataclasses.replace(chosen, partitions=1, forced=_WHOLE_FILES[1])
    if chosen.forced not in _WHOLE_FILES:
        if not chosen.fits and not chosen.forced:
            notes += (chosen.over_budget(memory_limit is not None),)
        try:
            timeline, rows = load_timeline(prepared, chosen, report)
        except SpillFailed as failed:
            notes += (
                f"could not write the partitions of a big export to {failed}; the "
                "events were read in memory instead (set TMPDIR to a disk with room)",
            )
            chosen = dataclasses.replace(chosen, partitions=1, forced="partitions failed")
            timeline, rows = load_timeline(prepared, chosen, report)
    else:  # whole files: conversation rows, or reply chains resolved across a file
        frames = []
        total, done = sum(file_size(file.source) for file in prepared), 0
        for file in prepared:
            frames.append(finish(file, collect_rows(file)).frame)
            done += file_size(file.source)
            report("reading", done, total, "bytes")
        rows = sum(frame.height for frame in frames)
        report("building the timeline", 0, 1, "steps")
        if granularity == "messages":
            timeline = from_messages_in_parts(handed_over(frames))
        else:
            frame, duplicates = drop_repeated_conversations(handed_over(frames))
            rows = frame.height
            timeline = from_conversations(frame)
            what = "repeated conversation rows were dropped (the last row of each is kept)"
        report("building the timeline", 1, 1, "steps")
    if granularity == "messages":
        # Identical events are dropped while the timeline is sorted, where it is cheap.
        duplicates = timeline.duplicate_events
        rows -= duplicates
        what = "identical events were dropped"
    if duplicates:
        notes += (f"{duplicates} {what}",)
    timeline = clock.apply(timeline, config)
    scoped = out_of_scope(timeline.conversations, config.metric_settings)
    if scoped:
        timeline = dataclasses.replace(timeline, unavailable={**timeline.unavailable, **scoped})
    shown = files[0] if len(files) == 1 else f"{len(files)} files"
    if timeline.negative_durations:
        notes += (
            f"{timeline.negative_durations} conversations of {shown} have a response or "
            "resolution before their creation; those times were left out",
        )
    first = prepared[0]
    return Dataset(
        path=files[0],
        format=first.source.format,
        granularity=granularity,
        rows=rows,
        mapping=first.fields,
        timeline=timeline,
        preset=first.config.preset,
        notes=notes,
        files=tuple(files),
        duplicates_dropped=duplicates,
        loading=chosen.describe(),
    )


@dataclass(frozen=True)
class GroupResult:
    """The metrics of one group (or of everything) in the period and the previous one."""

    key: dict[str, str | None]
    current: dict[str, Stats]
    previous: dict[str, Stats]


# How the previous period is evaluated: at the same age as the current one (as of the
# current as-of minus the distance between the periods' starts), or with all it has now.
COMPARISONS = ("like_for_like", "plain")


@dataclass(frozen=True)
class Report:
    """Everything a renderer needs; renderers never compute metrics themselves."""

    period: Period
    previous_period: Period | None  # None for --all: nothing to compare with
    group_by: tuple[str, ...]
    filters: dict[str, tuple[str, ...]]
    metric_names: tuple[str, ...]
    overall: GroupResult
    groups: tuple[GroupResult, ...]
    data: dict[str, Any]
    as_of: AsOf
    previous_as_of: datetime | None  # when the previous period was evaluated
    comparison: str  # one of COMPARISONS
    clock: str  # "calendar" or "business"
    explained: dict[str, Split] = field(default_factory=dict)  # metric -> why it moved
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def in_progress(self) -> bool:
        """The period ends after the as-of moment: part of it is not in the data yet."""
        return self.period.kind != "all" and self.period.end_utc > self.as_of.utc

    def still_open(self) -> dict[str, int]:
        """What the period's conversations still wait for at the as-of moment."""
        stats = self.overall.current
        counts = {
            "not_yet_answered": stats.get("first_response_time", {}).get("awaiting_first_response"),
            "not_yet_resolved": stats.get("resolution_time", {}).get("unresolved"),
        }
        return {k: int(v) for k, v in counts.items() if v}

    @property
    def maturing(self) -> bool:
        """Its numbers can still change: the period is in progress or has conversations
        not yet answered or resolved."""
        return self.in_progress or bool(self.still_open())

    def maturity_line(self) -> str | None:
        """Why this period's numbers can still change, for people; None when they can't."""
        if not self.maturing:
            return None
        label = "all data" if self.period.kind == "all" else self.period.label
        still = self.still_open()
        counts = ", ".join(f"{n:,} {what.replace('_', ' ')}" for what, n in still.items())
        if self.in_progress:
            text = f"{label} is in progress at the as-of moment: it ends later"
            text += f" ({counts})" if counts else ""
        else:
            text = f"{label} is still maturing: {counts} at the as-of moment"
        if self.previous_period is not None and self.comparison == "like_for_like":
            text += f"; {self.previous_period.label} is compared at the same age"
        return text + "."

    @property
    def basis(self) -> Basis:
        return Basis(
            period=self.period,
            as_of=self.as_of,
            clock=self.clock,
            data=self.data,
            previous_period=self.previous_period,
            previous_as_of=self.previous_as_of,
            comparison=self.comparison if self.previous_period is not None else None,
        )


def parse_filters(expressions: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """`--where channel=email,chat` -> {"channel": ("email", "chat")}."""
    filters: dict[str, tuple[str, ...]] = {}
    for expression in expressions:
        name, sep, values = expression.partition("=")
        name = name.strip()
        if not sep or not values.strip():
            raise UsageError(f"--where {expression!r}: expected FIELD=VALUE[,VALUE...]")
        if name not in DIMENSIONS:
            raise UsageError(
                f"--where {expression!r}: {name!r} is not one of {', '.join(DIMENSIONS)}"
            )
        wanted = tuple(v.strip() for v in values.split(",") if v.strip())
        if name in ("channel", "priority"):
            wanted = tuple(v.lower() for v in wanted)
        filters[name] = filters.get(name, ()) + wanted
    return filters


def check_names(group_by: Sequence[str], metric_names: Sequence[str]) -> None:
    for name in group_by:
        if name not in DIMENSIONS:
            raise UsageError(f"--by {name!r}: unknown field; use one of {', '.join(DIMENSIONS)}")
    for name in metric_names:
        if name not in METRICS:
            raise UsageError(f"--metric {name!r}: unknown metric; use one of {', '.join(METRICS)}")


def previous_as_of(period: Period, as_of: datetime, comparison: str) -> datetime:
    """When the period before `period` is evaluated: like for like, at the same age (the
    as-of moment shifted by the distance between the two periods' starts); plain, at the
    same moment."""
    previous = period.previous()
    if previous is None or comparison == "plain":
        return as_of
    if comparison != "like_for_like":
        raise UsageError(f"comparison {comparison!r}: use one of {', '.join(COMPARISONS)}")
    return at_same_age(as_of, period.start_utc, previous.start_utc)


def resolve_as_of(dataset: Dataset, as_of: AsOf | datetime | None) -> AsOf:
    """An explicit moment, or the default: the export's moment (carecli.asof)."""
    if as_of is None:
        return default_as_of(dataset.timeline, datetime.now(UTC))
    return as_of if isinstance(as_of, AsOf) else AsOf(as_of, "option")


def build_report(
    dataset: Dataset,
    period: Period,
    config: Config,
    group_by: Sequence[str] = (),
    metric_names: Sequence[str] = (),
    filters: Mapping[str, Sequence[str]] | None = None,
    as_of: AsOf | datetime | None = None,
    comparison: str = "like_for_like",
) -> Report:
    """Compute the chosen metrics (all by default) overall and per group, for two periods.

    Both periods are evaluated as their data stood at a moment (a replay: events logged
    later are ignored): the current one at `as_of` (default: the export's moment, see
    carecli.asof), the previous one at the same age (like for like) or at `as_of` too
    (plain). Each headline mean and rate that moved is split into mix and performance
    over the groups (`group_by`, else channel): carecli.explain.
    """
    check_names(group_by, metric_names)
    names = tuple(dict.fromkeys(metric_names)) or tuple(METRICS)
    keys = tuple(dict.fromkeys(group_by))
    filters = {k: tuple(v) for k, v in (filters or {}).items()}
    timeline = filter_timeline(dataset.timeline, filters)
    previous_period = period.previous()
    moment = resolve_as_of(dataset, as_of)
    before = previous_as_of(period, moment.utc, comparison)

    empty = empty_stats(timeline, names, config)
    nothing: dict[str, Stats] = {name: {} for name in names}

    split_keys = keys or ("channel",)
    key_sets = [(), keys] if keys else [(), split_keys]  # overall, then per group
    windows = [period] if previous_period is None else [period, previous_period]
    moments = [moment.utc, before][: len(windows)]
    current, *earlier = compute_stats_by(timeline, windows, key_sets, names, config, moments)
    previous = earlier[0] if earlier else [{} for _ in key_sets]
    overall = GroupResult(
        key={},
        current=current[0].get((), empty),
        previous=previous[0].get((), empty if previous_period else nothing),
    )
    groups: list[GroupResult] = []
    if keys:
        if previous_period is None:
            empty = nothing
        for key, stats in current[1].items():
            groups.append(
                GroupResult(dict(zip(keys, key, strict=True)), stats, previous[1].get(key, empty))
            )
        groups.sort(key=lambda g: (-_volume(g), [str(v) for v in g.key.values()]))
    explained = {}
    if previous_period is not None:
        explained = explain_changes(
            names, split_keys, overall.previous, overall.current, previous[1], current[1]
        )
    return Report(
        period=period,
        previous_period=previous_period,
        group_by=keys,
        filters=filters,
        metric_names=names,
        overall=overall,
        groups=tuple(groups),
        data=dataset.summary(),
        as_of=moment,
        previous_as_of=before if previous_period is not None else None,
        comparison=comparison,
        clock=config.clock,
        explained=explained,
    )


def _volume(group: GroupResult) -> int:
    return group.current.get("volume", {}).get("conversations") or 0


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
