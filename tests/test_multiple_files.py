"""Several --data files (or a glob) are one dataset: splitting a file changes no number."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from factories import msg, write_jsonl
from typer.testing import CliRunner

from carecli.cli.app import app
from carecli.config.model import Config
from carecli.errors import InputError
from carecli.periods import parse_week
from carecli.report.build import build_report, load_dataset

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "messages.jsonl"
NOW = datetime.fromisoformat("2026-11-30T00:00:00+00:00")


def _split(tmp_path: Path) -> list[Path]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    half = len(lines) // 2  # the file is sorted by time: conversations span both halves
    parts = [tmp_path / "day-1.jsonl", tmp_path / "day-2.jsonl"]
    parts[0].write_text("".join(lines[:half]), encoding="utf-8")
    parts[1].write_text("".join(lines[half:]), encoding="utf-8")
    return parts


def test_split_file_gives_the_same_report(tmp_path: Path) -> None:
    config = Config()
    period = parse_week("2026-W44", "UTC", NOW)
    whole = build_report(load_dataset(SAMPLE, config), period, config, ["channel"])
    split = build_report(load_dataset(_split(tmp_path), config), period, config, ["channel"])
    assert split.overall.current == whole.overall.current
    assert [g.current for g in split.groups] == [g.current for g in whole.groups]
    assert split.data["files"] == [str(p) for p in _split(tmp_path)]


def test_glob_and_repeated_data_options(tmp_path: Path) -> None:
    _split(tmp_path)
    runner = CliRunner()
    week = ["--week", "2026-W44", "--format", "json", "--metric", "volume"]
    by_glob = runner.invoke(app, ["report", "--data", str(tmp_path / "day-*.jsonl"), *week])
    assert by_glob.exit_code == 0, by_glob.output
    repeated = runner.invoke(
        app,
        ["report", "-d", str(tmp_path / "day-1.jsonl"), "-d", str(tmp_path / "day-2.jsonl"), *week],
    )
    whole = runner.invoke(app, ["report", "--data", str(SAMPLE), *week])
    counts = [
        json.loads(r.stdout)["overall"]["metrics"]["volume"] for r in (by_glob, repeated, whole)
    ]
    assert counts[0] == counts[1] == counts[2]
    assert json.loads(by_glob.stdout)["data"]["file"] == "2 files"
    missing = runner.invoke(app, ["report", "--data", str(tmp_path / "nope-*.jsonl"), *week])
    assert missing.exit_code == 2
    assert "no file matches" in missing.stderr


def test_mixed_granularities_are_refused(tmp_path: Path) -> None:
    rows = tmp_path / "c.csv"
    rows.write_text("conversation_id,created_at\na,2026-11-02T10:00:00Z\n")
    with pytest.raises(InputError, match="mix one row per message and one row per conversation"):
        load_dataset([SAMPLE, rows], Config())


def test_overlapping_exports_are_deduplicated(tmp_path: Path) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(lines[:3000]), encoding="utf-8")
    second.write_text("".join(lines[2000:5000]), encoding="utf-8")  # 1,000 lines overlap
    overlapping = load_dataset([first, second], Config())
    exact = tmp_path / "c.jsonl"
    exact.write_text("".join(lines[:5000]), encoding="utf-8")
    assert overlapping.duplicates_dropped == 1000
    assert "1000 identical events were dropped" in overlapping.notes[-1]
    assert overlapping.timeline.conversations.equals(
        load_dataset(exact, Config()).timeline.conversations
    )


def test_a_ticket_exported_twice_keeps_its_last_row(tmp_path: Path) -> None:
    rows = tmp_path / "c.csv"
    rows.write_text(
        "conversation_id,created_at,status\n"
        "a,2026-11-02T10:00:00Z,open\n"
        "b,2026-11-02T11:00:00Z,open\n"
        "a,2026-11-02T10:00:00Z,resolved\n"
    )
    dataset = load_dataset(rows, Config())
    assert dataset.duplicates_dropped == 1
    conversations = dataset.timeline.conversations.sort("conversation_id")
    assert conversations["is_resolved"].to_list() == [True, False]
    assert dataset.summary()["duplicate_rows_dropped"] == 1


def test_identical_events_apart_in_the_file_and_interleaved_in_a_tie(tmp_path: Path) -> None:
    """Copies need not be neighbours: a different event at the same second sits between."""
    rows = [
        msg("a", "2026-11-02 10:00", "customer"),
        msg("a", "2026-11-02 10:05", "agent", agent="Lena"),
        msg("a", "2026-11-02 10:05", "agent", agent="Jonas"),  # a tie, not a copy
        msg("b", "2026-11-02 11:00", "customer"),
        msg("a", "2026-11-02 10:05", "agent", agent="Lena"),  # the copy, rows later
        msg("a", "2026-11-02 10:00", "customer"),  # the copy of the first row
    ]
    dataset = load_dataset(write_jsonl(tmp_path / "e.jsonl", rows), Config())
    assert dataset.duplicates_dropped == 2
    assert dataset.rows == 4
    a = dataset.timeline.conversations.filter(pl.col("conversation_id") == "a").row(0, named=True)
    assert (a["inbound_messages"], a["outbound_messages"]) == (1, 2)
    assert a["agent"] == "Jonas"  # the last agent of the tie, in file order


def test_same_second_events_with_distinct_message_ids_are_kept(tmp_path: Path) -> None:
    rows = [
        msg("a", "2026-11-02 10:00", "customer", message_id="m1"),
        msg("a", "2026-11-02 10:00", "customer", message_id="m2"),
        msg("a", "2026-11-02 10:00", "customer", message_id="m2"),
    ]
    dataset = load_dataset(write_jsonl(tmp_path / "e.jsonl", rows), Config())
    assert dataset.duplicates_dropped == 1
    assert dataset.timeline.conversations["inbound_messages"].to_list() == [2]


def test_rows_and_file_name_of_one_ticket_export(tmp_path: Path) -> None:
    # rows counts what is kept (the repeated ticket once); one file is named by its path.
    path = tmp_path / "t.csv"
    path.write_text(
        "conversation_id,created_at,status\n"
        "a,2026-11-02T10:00:00Z,open\n"
        "a,2026-11-02T10:00:00Z,resolved\n",
        encoding="utf-8",
    )
    dataset = load_dataset(path, Config())
    assert (dataset.rows, dataset.duplicates_dropped) == (1, 1)
    assert dataset.summary()["file"] == str(path)


def test_the_negative_durations_note_names_all_files(tmp_path: Path) -> None:
    header = "conversation_id,created_at,first_response_at\n"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(header + "a,2026-11-02T10:00:00Z,2026-11-02T10:05:00Z\n", encoding="utf-8")
    # Answered five minutes before it was created: left out, and the note says of what.
    second.write_text(header + "b,2026-11-02T10:00:00Z,2026-11-02T09:55:00Z\n", encoding="utf-8")
    dataset = load_dataset([first, second], Config())
    assert "1 conversations of 2 files have a response" in dataset.notes[-1]


def test_the_first_file_in_order_gives_the_error(tmp_path: Path) -> None:
    # Files are prepared two at a time; the error is still the first file's, and a bad row
    # of an earlier file comes before a later file's missing column.
    good = "conversation_id,timestamp,role\nc1,2026-11-17T09:00:00Z,customer\n"
    bad_row = "conversation_id,timestamp,role\nc2,yesterday,customer\n"
    no_role = "conversation_id,timestamp\nc3,2026-11-17T09:00:00Z\n"
    paths = []
    for number, text in enumerate([good, good, bad_row, good, no_role, no_role]):
        paths.append(tmp_path / f"day-{number}.csv")
        paths[-1].write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"day-2\.csv: .*'yesterday'"):
        load_dataset(paths, Config())
    with pytest.raises(InputError, match=r"day-4\.csv: missing required column 'role'"):
        load_dataset(paths[:2] + paths[3:], Config())
