"""Big message exports, out of core: split by conversation on disk, two parts at a time.

Every value of the timeline comes from the events of one conversation, so a partition
holding whole conversations is processed alone and the parts are joined (`concatenated`,
below). The typed events stream from the file into partitions on disk
(a temporary directory, in $TMPDIR), never all in memory: the peak is the scan's buffers,
then two partitions' events plus the conversation rows, instead of every event twice
(the rows and their sorted copy)."""

from __future__ import annotations

import functools
import math
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carecli import interrupts, memory
from carecli.errors import InputError
from carecli.input.load import ROW_INDEX, Source, reading
from carecli.input.normalize import Prepared, finish, no_data_rows
from carecli.input.validate import DataProblem, merge_problems
from carecli.timeline.build import from_messages, handed_over
from carecli.timeline.event_order import CID
from carecli.timeline.frames import KEY, Timeline

# Peak memory of a run, estimated from its number of events (measured with
# benchmarks/profile_carecli.py on 1M-100M events, CSV and Parquet, at the CLI's peak):
# in memory, every event read, typed and sorted once, at about this many bytes each;
_IN_MEMORY_BYTES = 180
# in partitions, the timeline kept (a row per conversation, turn and message) plus two
# partitions' events being processed at these bytes each; and the process itself.
_TIMELINE_BYTES = 50
_PARTITION_BYTES = 150
_BASE_BYTES = 200 * 1000**2
# Events per partition at most (~25 MB typed). Measured on 10M events: as fast from 10 to
# 30 partitions, and each halving of their size takes ~150 MB off the peak; smaller ones
# (a tight budget) have fixed costs that add up (64 on 10M: +1 s).
EVENTS_PER_PARTITION = 400_000
_SMALLEST_PARTITION = 100_000
# Events of one file in one partition, at least, when the budget allows.
_FRAGMENT = 100_000
MAX_PARTITIONS = 1024
# Text bytes per event in typical exports (only to choose the number of partitions).
_BYTES_PER_EVENT = {"csv": 80, "jsonl": 200, "json": 200}
_KEY = "part"
# Rows per Parquet row group: every partition's writer buffers one, so smaller groups
# lower the spill's peak (~90 MB less for 15 partitions) at no measurable cost in time.
_ROW_GROUP = 16_384
# How polars reports a failed system call: "... IO error: No space left on device (os error 28)".
_OS_FAILURE = re.compile(r"([A-Za-z][^:()]*) \(os error \d+\)")


@dataclass(frozen=True)
class Plan:
    """How a load runs: in memory (partitions 1) or in partitions on disk, and why."""

    partitions: int
    events: int  # estimated from the files' sizes (exact for Parquet)
    peak: int  # estimated peak bytes of the path chosen
    budget: int  # bytes (carecli.memory)
    forced: str = ""  # why the path was not chosen by the budget

    def describe(self) -> str:
        path = "in memory" if self.partitions == 1 else f"{self.partitions} partitions on disk"
        why = self.forced or (
            f"estimated peak {memory.describe(self.peak)} for ~{self.events:,} events, "
            f"budget {memory.describe(self.budget)}"
        )
        return f"{path} ({why})"


def plan(sources: Sequence[Source], budget: int, partitions: int | None = None) -> Plan:
    """In memory when the estimated peak fits the budget, else the fewest partitions whose
    peak fits it (and never fewer than one per EVENTS_PER_PARTITION events)."""
    events = sum(_estimated_events(source) for source in sources)
    in_memory = _BASE_BYTES + _IN_MEMORY_BYTES * events
    if partitions is not None:
        return Plan(partitions, events, in_memory, budget, "set by the caller")
    if in_memory <= budget:
        return Plan(1, events, in_memory, budget)
    kept = _BASE_BYTES + _TIMELINE_BYTES * events
    room = max(0, budget - kept) // (2 * _PARTITION_BYTES)
    # Each file leaves a fragment in every partition, with fixed costs (a Parquet file
    # written and read, its validation): 100 files of 1M events in 288 partitions took
    # 7.5 min, most of it on 28,800 fragments. Many files: fewer, bigger partitions.
    wanted = max(EVENTS_PER_PARTITION, len(sources) * _FRAGMENT)
    size = max(_SMALLEST_PARTITION, min(wanted, room))
    count = max(2, min(MAX_PARTITIONS, math.ceil(events / size)))
    peak = kept + 2 * _PARTITION_BYTES * math.ceil(events / count)
    return Plan(count, events, peak, budget)


def partition_count(sources: Sequence[Source], budget: int | None = None) -> int:
    """How many partitions the files' events are split into (1: read them in memory)."""
    return plan(sources, memory.budget(budget)).partitions


class SpillFailed(Exception):
    """The partitions could not be written (disk full, no permission): read in memory."""


def quiet(stage: str, done: int, total: int, unit: str) -> None:
    """No progress shown (a Python caller, a pipe)."""


def file_size(source: Source) -> int:
    try:
        return source.path.stat().st_size
    except OSError:
        return 0


def _estimated_events(source: Source) -> int:
    if source.format == "parquet":  # its footer has the exact count
        return reading(source, lambda: source.scan([]).select(pl.len()).collect().item())
    return source.path.stat().st_size // _BYTES_PER_EVENT.get(source.format, 80)


# What a load tells as it goes: progress(stage, done, total, unit), e.g. ("reading",
# 3_000_000_000, 8_800_000_000, "bytes"); the CLI draws it as a bar on a terminal.
Progress = Callable[[str, int, int, str], None]


def load_timeline(
    prepared: Sequence[Prepared], count: int, progress: Progress | None = None
) -> tuple[Timeline, int]:
    """The timeline of message-level files in `count` partitions, and the number of
    events read.

    Raises InputError like normalize: a file's read errors in file order, then its
    first bad row. Every partition is validated before that row is named, so that it is
    the file's first. Raises SpillFailed when the partitions cannot be written.
    """
    try:
        spill = tempfile.TemporaryDirectory(prefix="carecli-")
    except OSError as exc:
        raise SpillFailed(f"{tempfile.gettempdir()}: {exc.strerror or exc}") from None
    report = progress or quiet
    sizes = [file_size(file.source) for file in prepared]
    with spill as spill_dir, interrupts.removed_on_interrupt(spill_dir):
        directories = [Path(spill_dir, str(index)) for index in range(len(prepared))]
        for index, (file, directory) in enumerate(zip(prepared, directories, strict=True)):
            try:
                _spill(file, directory, count)
            except InputError:
                _raise_earlier_problems(prepared[:index], directories)
                raise
            report("reading", sum(sizes[: index + 1]), sum(sizes), "bytes")
        # The schema of each file's parts: a part without rows of that file is empty.
        empty = [
            pl.read_parquet(next(d.glob("*/*.parquet")), n_rows=0, glob=False) for d in directories
        ]
        names = sorted({path.name for d in directories for path in d.iterdir()})
        # Two partitions at a time: the steps of one that use a single core overlap the
        # other's (polars releases the GIL).
        work = functools.partial(_process, prepared, directories, empty)
        done: list[_Part] = []
        with ThreadPoolExecutor(max_workers=2) as pool:
            for part in pool.map(work, names):
                done.append(part)
                report("building the timeline", len(done), len(names), "partitions")
    for index, file in enumerate(prepared):
        _raise_first_problem(file, [part.problems[index] for part in done])
    timeline = concatenated([part.timeline for part in done if part.timeline is not None])
    return timeline, sum(part.events for part in done)


@dataclass(frozen=True)
class _Part:
    """What one partition gives: each file's problems, and the timeline of the
    partition's conversations (None when a row is bad: the run will stop)."""

    problems: list[tuple[DataProblem, ...]]
    timeline: Timeline | None
    events: int


def _process(
    prepared: Sequence[Prepared], directories: list[Path], empty: list[pl.DataFrame], name: str
) -> _Part:
    frames: list[pl.DataFrame] = []
    problems = []
    for file, directory, no_rows in zip(prepared, directories, empty, strict=True):
        normalized = finish(file, _read_part(directory / name, no_rows), strict=False)
        problems.append(normalized.problems)
        frames.append(normalized.frame)
        del normalized
    if any(problems):
        return _Part(problems, None, 0)
    events = sum(frame.height for frame in frames)
    return _Part(problems, from_messages(handed_over(frames)), events)


def from_messages_in_parts(events: pl.DataFrame, progress: Progress | None = None) -> Timeline:
    """The timeline of events held in memory, built part by part (by conversation, two at a
    time) as load_timeline does with its partitions, without the disk: sorting and grouping
    cache-sized parts beats one sort of every event (10M events: ~1.5 CPU s less)."""
    count = math.ceil(events.height / EVENTS_PER_PARTITION)
    if count < 2:
        return from_messages(events)
    key = (pl.col(CID).hash() % count).alias(_KEY)
    # The file row of each event served only normalize's errors: not copied into the parts.
    events = events.select(pl.exclude(ROW_INDEX), key)
    parts = events.partition_by(_KEY, include_key=False, maintain_order=True)
    del events
    report = progress or quiet
    done: list[Timeline] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for timeline in pool.map(from_messages, _handed_out(parts)):
            done.append(timeline)
            report("building the timeline", len(done), count, "partitions")
    return concatenated(done)


def _handed_out(parts: list[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """The parts one by one, each dropped from the list as it is handed out."""
    while parts:
        yield parts.pop(0)


def concatenated(parts: Sequence[Timeline]) -> Timeline:
    """One timeline from those of disjoint sets of conversations (partitions of a file)."""
    # Each part numbers its conversations from 1: shifted past the parts before it.
    offsets, offset = [], 0
    for part in parts:
        offsets.append(offset)
        offset += _last_key(part)

    def joined(frames: Sequence[pl.DataFrame | None]) -> pl.DataFrame:
        return pl.concat(
            frame.with_columns(pl.col(KEY) + pl.lit(shift, pl.UInt32))
            for frame, shift in zip(frames, offsets, strict=True)
            if frame is not None
        )

    return Timeline(
        conversations=joined([part.conversations for part in parts]),
        turns=joined([part.turns for part in parts]),
        status=joined([part.status for part in parts]),
        messages=joined([part.messages for part in parts]),
        ratings=joined([part.ratings for part in parts]),
        first_event_at=min((p.first_event_at for p in parts if p.first_event_at), default=None),
        last_event_at=max((p.last_event_at for p in parts if p.last_event_at), default=None),
        # What one part lacks another may have (a resolved event, say): a metric is
        # unavailable only when every part lacks what it needs.
        unavailable={
            metric: reason
            for metric, reason in parts[0].unavailable.items()
            if all(metric in part.unavailable for part in parts)
        },
        skipped_without_customer=sum(part.skipped_without_customer for part in parts),
        negative_durations=sum(part.negative_durations for part in parts),
        duplicate_events=sum(part.duplicate_events for part in parts),
    )


def _last_key(part: Timeline) -> int:
    """The highest conversation number of a part (its status events may name conversations
    left out of its conversation rows: those without a customer message)."""
    frames = [part.conversations, part.status, part.turns, part.messages, part.ratings]
    return max((frame[KEY].max() or 0 for frame in frames if frame is not None), default=0)


def _raise_earlier_problems(files: Sequence[Prepared], directories: list[Path]) -> None:
    """A later file cannot be read: in memory, a bad row of an earlier file, validated
    before that file was read, would have stopped the run first."""
    for file, directory in zip(files, directories, strict=False):
        parts = [_read_part(part, pl.DataFrame()) for part in directory.iterdir()]
        _raise_first_problem(file, [finish(file, rows, strict=False).problems for rows in parts])


def _raise_first_problem(file: Prepared, parts: list[tuple[DataProblem, ...]]) -> None:
    """Raise the file's first problem, from those found in its partitions, if any."""
    merged = merge_problems(parts)
    if merged:
        raise InputError(merged[0].describe(file.source.path))


def _spill(file: Prepared, directory: Path, count: int) -> None:
    """Stream the file's typed rows into `count` partitions by conversation id."""
    plan = file.typed.with_columns((pl.col(CID).hash() % count).alias(_KEY))
    target = pl.PartitionBy(directory, key=_KEY, include_key=False, approximate_bytes_per_file=None)

    def sink() -> None:
        try:
            plan.sink_parquet(
                target,
                mkdir=True,
                compression="uncompressed",
                statistics=False,
                row_group_size=_ROW_GROUP,
            )
        except (pl.exceptions.PolarsError, OSError) as exc:
            # The system refused a write (disk full, a quota): not a problem of the file.
            failure = _OS_FAILURE.search(str(exc))
            if failure:
                raise SpillFailed(f"{directory.parent.parent}: {failure.group(1)}") from None
            raise

    reading(file.source, sink)
    if not directory.is_dir() or not any(directory.iterdir()):
        raise no_data_rows(file.source)


def _read_part(directory: Path, empty: pl.DataFrame) -> pl.DataFrame:
    """One partition of one file, its rows in file order (the sink keeps their order)."""
    files = sorted(directory.glob("*.parquet"))
    # glob=False: $TMPDIR may hold [ ] * or ? in its name.
    return pl.read_parquet(files, glob=False).rechunk() if files else empty


__all__ = [
    "EVENTS_PER_PARTITION",
    "Plan",
    "SpillFailed",
    "load_timeline",
    "partition_count",
    "plan",
]
