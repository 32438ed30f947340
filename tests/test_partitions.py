"""partitions.py: a file split by conversation on disk gives the timeline read in memory.

Every comparison loads the same files twice, `partitions=1` (in memory) against a split,
and compares the timelines row for row once both are in conversation order.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from factories import event, msg, write_csv, write_jsonl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from carecli.config.model import Config, parse_config
from carecli.errors import InputError
from carecli.input.load import open_source
from carecli.report.build import Dataset, load_dataset
from carecli.timeline import partitions
from carecli.timeline.frames import KEY, Timeline

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "messages.jsonl"
ORDER = {
    "conversations": ["conversation_id"],
    "turns": ["conversation_id", "started_at"],
    "status": ["conversation_id", "at", "resolved"],
}


@pytest.fixture(autouse=True)
def spill_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The partitions' temporary directory, checked to be gone after every test."""
    directory = tmp_path / "spill"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    yield directory
    assert list(directory.iterdir()) == []


def _frames(timeline: Timeline) -> dict[str, pl.DataFrame]:
    """The frames in conversation order, without the conversation numbers (a split numbers
    them otherwise), once those are checked to name one conversation each."""
    frames = {"conversations": timeline.conversations, "status": timeline.status}
    if timeline.turns is not None:  # named by their conversations' ids, to be compared
        ids = timeline.conversations.select(KEY, "conversation_id")
        frames["turns"] = timeline.turns.join(ids, on=KEY, how="left", maintain_order="left")
        assert frames["turns"]["conversation_id"].null_count() == 0  # each turn's is a row
    pairs = pl.concat(frame.select(KEY, "conversation_id") for frame in frames.values()).unique()
    assert pairs[KEY].is_unique().all() and pairs["conversation_id"].is_unique().all()
    return {
        name: frame.drop(KEY).sort(ORDER[name], maintain_order=True)
        for name, frame in frames.items()
    }


def assert_same_dataset(split: Dataset, whole: Dataset) -> None:
    for name, frame in _frames(whole.timeline).items():
        assert _frames(split.timeline)[name].equals(frame), name
    for name in ("unavailable", "skipped_without_customer", "negative_durations"):
        assert getattr(split.timeline, name) == getattr(whole.timeline, name), name
    assert (split.rows, split.duplicates_dropped, split.notes) == (
        whole.rows,
        whole.duplicates_dropped,
        whole.notes,
    )
    assert (split.mapping, split.format, split.summary()) == (
        whole.mapping,
        whole.format,
        whole.summary(),
    )


@pytest.mark.parametrize("count", [2, 3, 7])
def test_sample_split_into_partitions_equals_in_memory(count: int) -> None:
    whole = load_dataset(SAMPLE, Config(), partitions=1)
    assert_same_dataset(load_dataset(SAMPLE, Config(), partitions=count), whole)


def test_files_and_their_partitions_combine(tmp_path: Path) -> None:
    # Conversations span both files, one file has a CSAT column the other lacks, and the
    # second repeats an event of the first (an overlapping export).
    first = write_jsonl(
        tmp_path / "day-1.jsonl",
        [
            msg("a", "2026-11-02 09:00", "customer", channel="email"),
            msg("b", "2026-11-02 09:05", "customer", channel="chat"),
            msg("a", "2026-11-02 09:30", "agent", agent="Ann"),
        ],
    )
    second = write_csv(
        tmp_path / "day-2.csv",
        [
            msg("a", "2026-11-02 09:30", "agent", agent="Ann"),
            event("a", "2026-11-03 10:00", "resolved"),
            msg("b", "2026-11-03 11:00", "agent", agent="Bob"),
            event("b", "2026-11-03 12:00", "csat", csat="4"),
            msg("c", "2026-11-03 12:00", "customer", channel="whatsapp"),
        ],
    )
    files = [first, second]
    whole = load_dataset(files, Config(), partitions=1)
    assert whole.duplicates_dropped == 1
    for count in (2, 5):
        assert_same_dataset(load_dataset(files, Config(), partitions=count), whole)


def test_a_metric_is_available_when_any_partition_can_compute_it(tmp_path: Path) -> None:
    # Only one conversation is resolved: most partitions hold no resolved event at all.
    rows = [msg(f"c{i}", f"2026-11-02 09:{i:02d}", "customer") for i in range(20)]
    path = write_jsonl(
        tmp_path / "events.jsonl", [*rows, event("c3", "2026-11-02 10:00", "resolved")]
    )
    split = load_dataset(path, Config(), partitions=8)
    assert "resolution_time" not in split.timeline.unavailable
    assert_same_dataset(split, load_dataset(path, Config(), partitions=1))


def test_threads_are_never_split(tmp_path: Path) -> None:
    # Reply chains cross conversations' ids until they are resolved: read in memory.
    path = write_csv(
        tmp_path / "tweets.csv",
        [
            {"id": "1", "parent": "", "timestamp": "2026-11-02T09:00:00Z", "role": "customer"},
            {"id": "2", "parent": "1", "timestamp": "2026-11-02T09:20:00Z", "role": "agent"},
            {"id": "3", "parent": "2", "timestamp": "2026-11-02T09:30:00Z", "role": "customer"},
        ],
    )
    config = parse_config("threads: {message_id: id, reply_to: parent}\n")
    split = load_dataset(path, config, partitions=4)
    assert split.timeline.conversations["conversation_id"].to_list() == ["1"]
    assert_same_dataset(split, load_dataset(path, config, partitions=1))


def _error(paths: Path | list[Path], count: int, config: Config | None = None) -> str:
    with pytest.raises(InputError) as raised:
        load_dataset(paths, config or Config(), partitions=count)
    return str(raised.value)


def test_the_first_bad_row_of_the_file_is_named_whatever_its_partition(tmp_path: Path) -> None:
    rows = [msg(f"c{i}", f"2026-11-02 09:{i:02d}", "customer") for i in range(30)]
    for i in (7, 12, 25):  # in conversations that land in different partitions
        rows[i]["timestamp"] = f"yesterday {i}"
    path = write_csv(tmp_path / "events.csv", rows)
    expected = _error(path, 1)
    assert "row 8:" in expected and "(3 rows like it)" in expected
    for count in (2, 3, 5):
        assert _error(path, count) == expected


def test_rules_keep_their_order_across_partitions(tmp_path: Path) -> None:
    # An unknown role (an earlier rule) in one conversation, a bad CSAT (a later rule)
    # in another: the earlier rule's problem is named, as in memory.
    rows = [msg(f"c{i}", f"2026-11-02 09:{i:02d}", "customer") for i in range(12)]
    rows[2]["csat"] = "11"
    rows[9]["role"] = "robot"
    path = write_csv(tmp_path / "events.csv", rows)
    expected = _error(path, 1)
    assert "robot" in expected
    for count in (2, 4, 6):
        assert _error(path, count) == expected


def test_of_two_bad_files_the_first_is_named(tmp_path: Path) -> None:
    good = [msg("a", "2026-11-02 09:00", "customer")]
    first = write_csv(tmp_path / "1.csv", [*good, msg("b", "soon", "customer")])
    second = write_csv(tmp_path / "2.csv", [*good, msg("c", "later", "customer")])
    expected = _error([first, second], 1)
    assert "1.csv" in expected
    assert _error([first, second], 3) == expected
    # The second cannot even be read, at its start (a sample of its first rows is read
    # before any file's rows) or far into it: the first's bad row still comes first.
    good_rows = "".join(f"c{i},2026-11-02T09:00:00Z,customer\n" for i in range(2000))
    for rows in ("", good_rows):
        text = f'conversation_id,timestamp,role\n{rows}c,"2026-11-02,customer\n'
        second.write_text(text, encoding="utf-8")
        assert "unreadable quoting" in _error(second, 1)
        assert _error([first, second], 3) == expected == _error([first, second], 1)


def test_unreadable_and_empty_files_fail_as_in_memory(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "conversation_id,timestamp,role\n"
        "a,2026-11-02T09:00:00Z,customer\n"
        'b,2026-11-02T09:00:00Z,"customer\n',
        encoding="utf-8",
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("conversation_id,timestamp,role\n", encoding="utf-8")
    for path in (broken, empty):
        assert _error(path, 3) == _error(path, 1)
    assert "no data rows" in _error(empty, 3)


def test_partition_count_follows_the_size_of_the_input_and_the_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = open_source(SAMPLE)
    assert partitions.partition_count([sample], 10**9) == 1  # the sample stays in memory
    monkeypatch.setattr(partitions, "EVENTS_PER_PARTITION", 100)
    monkeypatch.setattr(partitions, "_SMALLEST_PARTITION", 100)
    monkeypatch.setattr(partitions, "_BATCH_BYTES", 0)  # budgets in bytes, not 150 MB
    monkeypatch.setattr(partitions, "_KEPT_FREE_BYTES", 0)
    events = SAMPLE.stat().st_size // 200  # JSON Lines: ~200 bytes per event
    # A budget below the in-memory estimate: partitions of at most 100 events.
    assert partitions.partition_count([sample], partitions._BASE_BYTES) == max(
        2, math.ceil(events / 100)
    )
    # Parquet: the exact number of rows, from the file's footer.
    parquet = tmp_path / "events.parquet"
    pl.DataFrame(
        {"conversation_id": ["a"] * 250, "timestamp": ["2026-11-02T09:00:00Z"] * 250}
    ).write_parquet(parquet)
    source = open_source(parquet)
    fits = partitions._BASE_BYTES + 250 * partitions._IN_MEMORY_BYTES
    assert partitions.partition_count([source], fits) == 1
    assert partitions.partition_count([source], fits - 1) == 3  # ceil(250 / 100)
    chosen = partitions.plan([source], fits - 1)
    assert chosen.events == 250
    # No room beside the process and the reading's buffers: every partition on disk.
    assert chosen.held == 0
    assert chosen.describe().startswith("3 partitions on disk (estimated peak")
    # With that room, two of the three fit in memory: only the third goes to disk.
    monkeypatch.setattr(partitions, "_READING_BYTES", 0)
    roomy = partitions.plan([source], fits - 1)
    assert (roomy.partitions, roomy.held) == (3, 2)
    assert roomy.describe().startswith("3 partitions (2 in memory, 1 on disk) (estimated peak")
    # The allocator's freed blocks take the room of one of them.
    monkeypatch.setattr(partitions, "_KEPT_FREE_BYTES", 84 * partitions._IN_MEMORY_BYTES)
    assert partitions.plan([source], fits - 1).held == 1


def test_partitions_held_in_memory_beside_others_on_disk_give_the_same_timeline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A budget between "all on disk" and "all in memory": three partitions fit in memory.
    monkeypatch.setattr(partitions, "EVENTS_PER_PARTITION", 2_000)
    monkeypatch.setattr(partitions, "_SMALLEST_PARTITION", 2_000)
    monkeypatch.setattr(partitions, "_READING_BYTES", 0)  # else that budget holds them all
    monkeypatch.setattr(partitions, "_TIMELINE_BYTES", 0)  # else no split fits that budget
    monkeypatch.setattr(partitions, "_BATCH_BYTES", 0)
    monkeypatch.setattr(partitions, "_KEPT_FREE_BYTES", 0)
    budget = partitions._BASE_BYTES + 3 * partitions._IN_MEMORY_BYTES * 2_000 + 100_000
    chosen = partitions.plan([open_source(SAMPLE)], budget)
    assert chosen.held == 3 and chosen.partitions > 4
    mixed = load_dataset(SAMPLE, Config(), memory_limit=budget)
    assert f"{chosen.partitions} partitions (3 in memory, " in mixed.loading
    assert_same_dataset(mixed, load_dataset(SAMPLE, Config(), partitions=1))


ROLES = st.sampled_from(["customer", "agent", "bot"])
EVENTS = st.sampled_from(["message", "message", "message", "resolved", "reopened", "csat"])
random_events = st.lists(
    # Few ids and minutes: same-minute ties, settled by file order, are common.
    st.tuples(st.integers(0, 3), st.integers(0, 3), EVENTS, ROLES, st.integers(1, 5)),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(random_events, st.integers(2, 6))
# Two agents answer in the same minute: the later in the file is the conversation's agent.
@example([(0, 0, "message", "customer", 1), (0, 1, "message", "agent", 1),
          (0, 1, "message", "agent", 2)], 2)  # fmt: skip
def test_any_events_give_the_same_timeline_split_or_not(
    tmp_path: Path, rows: list[tuple[int, int, str, str, int]], count: int
) -> None:
    records = []
    for conversation, minute, kind, role, rating in rows:
        at = f"2026-11-02 09:{minute:02d}"
        if kind == "message":
            records.append(msg(f"id-{conversation}", at, role, agent=f"agent {rating}"))
        else:
            records.append(event(f"id-{conversation}", at, kind, role="", csat=str(rating)))
    path = write_csv(tmp_path / "events.csv", records)
    whole = load_dataset(path, Config(), partitions=1)
    assert_same_dataset(load_dataset(path, Config(), partitions=count), whole)


_SMALL_FILES_ONLY = """
import resource, signal, sys
from pathlib import Path
from carecli.config.model import Config
from carecli.report.build import load_dataset
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-big write fails (EFBIG) instead
resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))
dataset = load_dataset(Path(sys.argv[1]), Config(), partitions=3)
print(dataset.timeline.conversations.height)
print(*dataset.notes, sep="\\n")
"""


def test_partitions_that_cannot_be_written_are_read_in_memory(spill_dir: Path) -> None:
    # A real failed write: the process may not write files over 200 bytes, as with a
    # full disk or a quota; the partitions' Parquet files are bigger.
    done = subprocess.run(
        [sys.executable, "-c", _SMALL_FILES_ONLY, str(SAMPLE)],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(spill_dir), "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    conversations, note = done.stdout.splitlines()[:2]
    assert int(conversations) == load_dataset(SAMPLE, Config()).timeline.conversations.height
    assert note.startswith(f"could not write the partitions of a big export to {spill_dir}: ")
    assert "File too large" in note and "set TMPDIR" in note


def test_an_unusable_temporary_directory_means_reading_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    dataset = load_dataset(SAMPLE, Config(), partitions=3)
    assert dataset.timeline.conversations.height > 0
    assert any("could not write the partitions" in note for note in dataset.notes)


def test_a_temporary_directory_with_glob_characters_in_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # polars' readers expand glob patterns: the partitions' paths must be read as named.
    odd = tmp_path / "tmp[1]*?"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))
    split = load_dataset(SAMPLE, Config(), partitions=3)
    assert split.notes == ()  # not read in memory as a fallback
    assert_same_dataset(split, load_dataset(SAMPLE, Config(), partitions=1))
    assert list(odd.iterdir()) == []


def test_backwards_resolutions_are_counted_in_every_partition(tmp_path: Path) -> None:
    # Each part counts its own; the split's total must be the whole file's (here 6).
    rows = []
    for n in range(6):
        rows += [event(f"c{n}", "2026-11-02 08:00", "resolved"),
                 msg(f"c{n}", "2026-11-02 09:00", "customer")]  # fmt: skip
    path = write_csv(tmp_path / "events.csv", rows)
    assert load_dataset(path, Config(), partitions=1).timeline.negative_durations == 6
    assert load_dataset(path, Config(), partitions=3).timeline.negative_durations == 6


@pytest.mark.parametrize(("name", "bytes_per_event"), [("events.csv", 80), ("events.jsonl", 200)])
def test_partition_count_at_the_real_thresholds(
    tmp_path: Path, name: str, bytes_per_event: int
) -> None:
    # Sizes that matter (the file is opened first, then made sparse: only its size is read):
    # 10M events fit a 4 GB budget in memory; a 1 GB budget splits them into partitions
    # of at most 400k events; a tighter one into smaller ones.
    path = tmp_path / name
    rows = [msg("a", "2026-11-02 09:00", "customer")]
    source = open_source(
        write_csv(path, rows) if name.endswith(".csv") else write_jsonl(path, rows)
    )
    os.truncate(path, 10_000_000 * bytes_per_event)
    assert partitions.partition_count([source], 4 * 10**9) == 1
    assert partitions.partition_count([source], 10**9) == 25
    assert partitions.partition_count([source], 750 * 10**6) == 61  # 166k each
    assert partitions.partition_count([source], 720 * 10**6) == 100  # the smallest


def test_partitions_are_read_back_two_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each partition is read from disk just before it is built: never all of them at once,
    # which would hold every event in memory and break the budget the split is for.
    held, most = 0, 0
    take, build = partitions.Store.take, partitions.from_messages_in_parts

    def taken(store: partitions.Store, part: int) -> list[pl.DataFrame]:
        nonlocal held, most
        held += 1
        most = max(most, held)
        return take(store, part)

    def built(events: pl.DataFrame) -> Timeline:
        nonlocal held
        timeline = build(events)
        held -= 1
        return timeline

    monkeypatch.setattr(partitions.Store, "take", taken)
    monkeypatch.setattr(partitions, "from_messages_in_parts", built)
    split = load_dataset(SAMPLE, Config(), partitions=8)

    assert "8 partitions on disk" in split.loading
    assert most == 2
    assert_same_dataset(split, load_dataset(SAMPLE, Config(), partitions=1))


def test_many_files_under_a_tight_budget_are_never_cut_into_countless_fragments(
    tmp_path: Path,
) -> None:
    # 100 files of ~1M events (sparse files: only their sizes are read) under 4 GB: the
    # conversations alone need more, so the budget cannot be met; partitions small enough
    # to approach it would write 100 files x 2 batches x 1,000 partitions = 200,000
    # fragments. The fragments are capped; the plan says it does not fit.
    sources = []
    for number in range(100):
        path = write_csv(tmp_path / f"day{number}.csv", [msg("a", "2026-11-02 09:00", "customer")])
        sources.append(open_source(path))
        os.truncate(path, 1_000_000 * 80)
    chosen = partitions.plan(sources, 4 * 10**9)
    assert chosen.partitions == partitions._MAX_FRAGMENTS // 200
    assert not chosen.fits and chosen.peak > chosen.budget
    # With room for the conversations, the same folder fits in fewer, bigger partitions.
    roomy = partitions.plan(sources, 8 * 10**9)
    assert roomy.fits and roomy.partitions < chosen.partitions


def test_a_budget_too_small_is_said_and_the_run_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Within the budget, nothing is said.
    assert not any("budget" in note for note in load_dataset(SAMPLE, Config()).notes)
    # The conversations' own estimate over the whole budget: no split can meet it.
    monkeypatch.setattr(partitions, "_TIMELINE_BYTES", 10**6)
    monkeypatch.setattr(partitions, "_IN_MEMORY_BYTES", 10**6)
    dataset = load_dataset(SAMPLE, Config(), memory_limit=300 * 10**6)
    warning = next(note for note in dataset.notes if "more than the budget" in note)
    assert "of memory" in warning and "(the memory limit)" in warning
    assert "raise --memory-limit" in warning
    assert_same_dataset_but_notes(dataset, load_dataset(SAMPLE, Config(), partitions=1))


def assert_same_dataset_but_notes(split: Dataset, whole: Dataset) -> None:
    for name, frame in _frames(whole.timeline).items():
        assert _frames(split.timeline)[name].equals(frame), name
    assert (split.rows, split.duplicates_dropped) == (whole.rows, whole.duplicates_dropped)


def test_events_in_memory_are_read_into_a_few_partitions_each_built_in_parts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # In memory, the events are read into at most _READ_PARTITIONS partitions (small
    # fragments per batch cost more than they save) and each is built in parts of about
    # EVENTS_PER_PARTITION: the timeline is the one built in a single part.
    whole = load_dataset(SAMPLE, Config(), partitions=1)
    monkeypatch.setattr(partitions, "EVENTS_PER_PARTITION", 5_000)
    monkeypatch.setattr(partitions, "_READ_PARTITIONS", 3)
    stores: list[int] = []
    parts: list[int] = []
    store, build = partitions.Store, partitions.from_messages

    def counted(count: int, held: int) -> partitions.Store:
        stores.append(count)
        return store(count, held)

    def built(events: pl.DataFrame) -> Timeline:
        parts.append(events.height)
        return build(events)

    monkeypatch.setattr(partitions, "Store", counted)
    monkeypatch.setattr(partitions, "from_messages", built)
    split = load_dataset(SAMPLE, Config(), partitions=1)

    assert stores == [3]  # ~49,000 events estimated: 10 parts, but 3 partitions read
    assert len(parts) == 9 and sum(parts) == split.rows  # each of the 3 in 3 parts
    assert_same_dataset(split, whole)
