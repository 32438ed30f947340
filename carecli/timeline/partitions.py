"""Message exports of any size: read in batches, split by conversation, built part by part.

Every value of the timeline comes from the events of one conversation, so a partition
holding whole conversations is processed alone and the parts are joined (`concatenated`,
below). Each file is read a batch of rows at a time; each batch is normalized, validated
and split into the partitions as it arrives, so the events are held once, in their
partitions: in memory when the estimated peak fits the memory budget, else as files in a
temporary directory ($TMPDIR, stores.py), two partitions in memory at a time."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from carecli import memory
from carecli.errors import InputError
from carecli.input.load import ROW_INDEX, Source, reading
from carecli.input.normalize import Prepared, finish, no_data_rows, row_batches
from carecli.input.validate import merge_problems
from carecli.timeline.build import from_messages, handed_over
from carecli.timeline.event_order import CID
from carecli.timeline.frames import KEY, Timeline
from carecli.timeline.stores import SpillFailed, Store

# Peak memory of a run, estimated from its number of events (measured with
# benchmarks/profile_carecli.py on 1M-100M events, CSV and Parquet, at the CLI's peak):
# in memory, every event read, typed and held in its partition (70-81 measured on 10M
# and 100M events; the rest is margin);
_IN_MEMORY_BYTES = 90
# in partitions, the timeline kept (a row per conversation, turn and message) plus two
# partitions' events being processed at these bytes each; and the process itself.
_TIMELINE_BYTES = 50
_PARTITION_BYTES = 150
_BASE_BYTES = 200 * 1000**2
# and while the files are read, a batch with its copies as it is typed, checked and split
# (either path: a 1M-event CSV peaks at ~400 MB in memory), and the scan's read-ahead: it
# runs ~450 MB ahead of a consumer that lags (measured on a 10M-event CSV), at most the
# biggest file's events.
_BATCH_BYTES = 150 * 1000**2
_READING_BYTES = 450 * 1000**2
# and the blocks the allocator keeps for reuse once they are freed (up to 128 MiB each,
# for 0.5 s: ALLOCATOR_SETTING in carecli.cli.app): with them kept, 10M events under a
# budget of 883 MB peaked at 866-900 MB while read with two partitions in memory, 838-877
# with one, 831-860 with none (the plan's reading estimate was 800 MB + the partitions).
_KEPT_FREE_BYTES = 60 * 1000**2
# Events per partition at most (~25 MB typed). Measured on 10M events: as fast from 10 to
# 30 partitions, and each halving of their size takes ~150 MB off the peak; smaller ones
# (a tight budget) have fixed costs that add up (64 on 10M: +1 s).
EVENTS_PER_PARTITION = 400_000
_SMALLEST_PARTITION = 100_000
# Events of one file in one partition, at least, when the budget allows.
_FRAGMENT = 100_000
# Fragments (a batch's events of one partition) at most, whatever the budget: each is a
# file written and read back with fixed costs. 100 files of 1M events under a 4 GB budget
# asked for 1,000 partitions, 200,000 fragments: over 15 minutes, and over the budget all
# the same (the conversations of 100M events alone need about 5 GB).
_MAX_FRAGMENTS = 20_000
MAX_PARTITIONS = 1024
# Partitions of the events read in memory, at most; a bigger one is built in parts of
# about EVENTS_PER_PARTITION (from_messages_in_parts). Every batch is split into every
# partition: with more, the fragments get small (100 files of 1M events in 289 partitions:
# ~1,700 rows each), and the split's fixed costs and the page faults once the build frees
# them add up. 100M events, alternated: reading 59-67 s in 64 partitions against 70-72 s
# in 289, building 30-35 s against 36-38 s (128: no better than 289; 16-48: no better).
_READ_PARTITIONS = 64
# Text bytes per event in typical exports (only to choose the number of partitions).
_BYTES_PER_EVENT = {"csv": 80, "jsonl": 200, "json": 200}
_KEY = "part"
# Rows read, normalized and split at a time: big enough that the fixed costs of each
# step stay small, small enough that a batch and its copies are a sliver of the peak.
_BATCH_ROWS = 500_000


@dataclass(frozen=True)
class Plan:
    """How a load runs: in memory (partitions 1) or in partitions on disk, and why."""

    partitions: int
    file_events: tuple[int, ...]  # per file, estimated from its size (exact for Parquet)
    peak: int  # estimated peak bytes of the path chosen
    budget: int  # bytes (carecli.memory)
    forced: str = ""  # why the path was not chosen by the budget
    held: int = 0  # partitions kept in memory, the others on disk (partitions > 1)

    @property
    def events(self) -> int:
        return sum(self.file_events)

    @property
    def fits(self) -> bool:
        """Whether the estimated peak is within the budget (a budget too small for the
        conversations themselves, or for the fewest partitions worth writing, is not)."""
        return self.peak <= self.budget

    def over_budget(self, limit_set: bool) -> str:
        """The note for a plan that does not fit: said, not refused, as the estimate is
        rough (events judged from file sizes)."""
        limit = "the memory limit" if limit_set else "half the available memory"
        return (
            f"this export needs about {memory.describe(self.peak)} of memory "
            f"(~{self.events:,} events), more than the budget of "
            f"{memory.describe(self.budget)} ({limit}); the run goes on: raise "
            "--memory-limit if the machine has room, or report on fewer files"
        )

    def describe(self) -> str:
        path = "in memory" if self.partitions == 1 else f"{self.partitions} partitions on disk"
        if self.partitions > 1 and self.held:
            on_disk = self.partitions - self.held
            path = f"{self.partitions} partitions ({self.held} in memory, {on_disk} on disk)"
        why = self.forced or (
            f"estimated peak {memory.describe(self.peak)} for ~{self.events:,} events, "
            f"budget {memory.describe(self.budget)}"
        )
        return f"{path} ({why})"


def plan(sources: Sequence[Source], budget: int, partitions: int | None = None) -> Plan:
    """In memory when the estimated peak fits the budget, else the fewest partitions whose
    peak fits it (never fewer than one per EVENTS_PER_PARTITION events, never so many that
    the files leave over _MAX_FRAGMENTS fragments: then the plan does not fit)."""
    counts = tuple(_estimated_events(source) for source in sources)
    events = sum(counts)
    in_memory = _BASE_BYTES + _BATCH_BYTES + _IN_MEMORY_BYTES * events
    if partitions is not None:
        return Plan(partitions, counts, in_memory, budget, "set by the caller")
    if in_memory <= budget:
        return Plan(1, counts, in_memory, budget)
    kept = _BASE_BYTES + _TIMELINE_BYTES * events
    room = max(0, budget - kept) // (2 * _PARTITION_BYTES)
    # Each file leaves a fragment in every partition, with fixed costs (a Parquet file
    # written and read, its validation): 100 files of 1M events in 288 partitions took
    # 7.5 min, most of it on 28,800 fragments. Many files: fewer, bigger partitions.
    wanted = max(EVENTS_PER_PARTITION, len(sources) * _FRAGMENT)
    size = max(_SMALLEST_PARTITION, min(wanted, room))
    batches = sum(max(1, math.ceil(file_events / _BATCH_ROWS)) for file_events in counts)
    most = min(MAX_PARTITIONS, max(2, _MAX_FRAGMENTS // batches))
    count = max(2, min(most, math.ceil(events / size)))
    size = math.ceil(events / count)
    peak = kept + 2 * _PARTITION_BYTES * size
    # While the files are read there is no timeline yet: partitions that fit beside the
    # process stay in memory (built first, they are freed before the others are read back).
    ahead = min(_READING_BYTES, _IN_MEMORY_BYTES * max(counts, default=0))
    reading = _BASE_BYTES + _BATCH_BYTES + _KEPT_FREE_BYTES + ahead
    held = min(count - 1, max(0, budget - reading) // (_IN_MEMORY_BYTES * size))
    peak = max(peak, reading + held * _IN_MEMORY_BYTES * size)
    return Plan(count, counts, peak, budget, held=held)


def partition_count(sources: Sequence[Source], budget: int | None = None) -> int:
    """How many partitions the files' events are split into (1: read them in memory)."""
    return plan(sources, memory.budget(budget)).partitions


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
    prepared: Sequence[Prepared], chosen: Plan, progress: Progress | None = None
) -> tuple[Timeline, int]:
    """The timeline of message-level files read as `chosen` says, and the number of events
    read.

    Each file is read in batches; each batch is normalized and validated (`finish`), then
    split by conversation into the partitions, held in memory or written to disk. A file's
    read error, else its first bad row, raises InputError as normalize would, files in
    order. Raises SpillFailed when the partitions cannot be written.
    """
    report = progress or quiet
    on_disk = chosen.partitions > 1
    count = chosen.partitions if on_disk else min(_READ_PARTITIONS, in_memory_parts(chosen.events))
    with Store(count, held=chosen.held if on_disk else count) as store:
        events = _read(prepared, chosen.file_events, count, store, report)
        # Two partitions at a time (_AT_ONCE). A big partition (from disk, or one of the
        # _READ_PARTITIONS read in memory) is split again, into cache-sized parts.
        filled = store.filled()
        done: list[Timeline] = []
        with ThreadPoolExecutor(max_workers=_AT_ONCE) as pool:
            for timeline in in_order(pool, from_messages_in_parts, _taken(store, filled)):
                done.append(timeline)
                report("building the timeline", len(done), len(filled), "partitions")
    return concatenated(done), events


# Partitions built at a time: the steps of one that use a single core overlap the other's
# (polars releases the GIL).
_AT_ONCE = 2


def in_order(
    pool: ThreadPoolExecutor,
    work: Callable[[pl.DataFrame], Timeline],
    items: Iterator[pl.DataFrame],
) -> Iterator[Timeline]:
    """`work` over `items` on the pool, results in order. The next item is taken only when a
    worker is free, so a partition is read back from disk (or joined from its fragments)
    just before it is built and at most _AT_ONCE partitions' events are held. (pool.map
    takes every item first: every partition in memory at once.)"""
    pending: deque[Future[Timeline]] = deque()
    while True:
        if len(pending) == _AT_ONCE:
            yield pending.popleft().result()
        item = next(items, None)
        if item is None:
            break
        pending.append(pool.submit(work, item))
        del item  # held by the work alone: freed as soon as it is built
    while pending:
        yield pending.popleft().result()


def in_memory_parts(events: int) -> int:
    """Parts of the events held in memory: sorting and grouping cache-sized parts beats one
    sort of every event (10M events: ~1.5 CPU s less)."""
    return max(1, min(MAX_PARTITIONS, math.ceil(events / EVENTS_PER_PARTITION)))


def _read(
    prepared: Sequence[Prepared],
    expected: Sequence[int],
    count: int,
    store: Store,
    report: Progress,
) -> int:
    """Read every file into the store (`expected`: each file's estimated events, for the
    progress shown); the number of events read."""
    sizes = [file_size(file.source) for file in prepared]
    total, events = sum(sizes), 0
    for index, file in enumerate(prepared):

        def reading_file(rows: int, index: int = index) -> None:
            # Bytes read, estimated from the rows so far (the scan does not tell).
            share = min(1.0, rows / max(1, expected[index]))
            report("reading", sum(sizes[:index]) + int(share * sizes[index]), total, "bytes")

        events += _split_file(file, count, store, reading_file)
        report("reading", sum(sizes[: index + 1]), total, "bytes")
    return events


def _split_file(file: Prepared, count: int, store: Store, progress: Callable[[int], None]) -> int:
    """Read, normalize and validate one file in batches, its events split into `count`
    partitions by conversation id; the number of rows read."""
    problems, rows = [], 0
    for batch in row_batches(file, _BATCH_ROWS):
        normalized = finish(file, batch, strict=False)
        del batch
        rows += normalized.frame.height
        if normalized.problems:
            problems.append(normalized.problems)
        if not problems:  # once a row is bad the run stops: the rest is only validated
            _split(normalized.frame, count, store)
        del normalized
        progress(rows)
    merged = merge_problems(problems)
    if merged:
        raise InputError(merged[0].describe(file.source.path))
    if rows == 0:
        raise no_data_rows(file.source)
    return rows


def _split(frame: pl.DataFrame, count: int, store: Store) -> None:
    # The file row of each event served only normalize's errors: not kept.
    frame = frame.drop(ROW_INDEX)
    if count == 1:
        store.add(0, frame)
        return
    keyed = frame.with_columns((pl.col(CID).hash() % count).alias(_KEY))
    del frame
    parts = keyed.partition_by(_KEY, include_key=False, maintain_order=True, as_dict=True)
    del keyed
    for (part,), rows in parts.items():
        store.add(int(part), rows)  # type: ignore[call-overload]


def _taken(store: Store, parts: list[int]) -> Iterator[pl.DataFrame]:
    """Each partition's events as one frame, handed over (see `handed_over`)."""
    for part in parts:
        yield handed_over(store.take(part))


def from_messages_in_parts(events: pl.DataFrame) -> Timeline:
    """The timeline of events held in memory, built part by part (by conversation, two at
    a time): a big partition is sorted in cache-sized parts."""
    count = in_memory_parts(events.height)
    if count < 2:
        return from_messages(events)
    # Another seed than the split into partitions: all of this one's ids share a value of
    # that hash modulo its count, and so would many of their parts' values.
    key = (pl.col(CID).hash(seed=1) % count).alias(_KEY)
    parts = events.with_columns(key).partition_by(_KEY, include_key=False, maintain_order=True)
    del events
    with ThreadPoolExecutor(max_workers=_AT_ONCE) as pool:
        return concatenated(list(in_order(pool, from_messages, _handed_out(parts))))


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


__all__ = [
    "EVENTS_PER_PARTITION",
    "Plan",
    "SpillFailed",
    "load_timeline",
    "partition_count",
    "plan",
]
