"""validate.py: every rule broken, its first row as the user finds it, the value as written.

Problems are read through normalize(strict=False), as `carecli inspect` reads them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from carecli.config import parse_config
from carecli.errors import InputError
from carecli.load import open_source
from carecli.normalize import Normalized, normalize


def load(tmp_path: Path, text: str, config: str = "", strict: bool = True) -> Normalized:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return normalize(open_source(path), parse_config(config), strict=strict)


PROBLEMS = (
    "conversation_id,timestamp,role,csat\n"
    "c1,2026-11-02T09:00:00Z,customer,9\n"
    "c2,whenever,agent,\n"
    "c3,2026-11-02T09:00:00Z,wizard,5\n"
)


def test_non_strict_returns_every_problem(tmp_path: Path) -> None:
    normalized = load(tmp_path, PROBLEMS, strict=False)
    found = {(p.field, p.first_row, p.example) for p in normalized.problems}
    assert ("timestamp", "row 2", "whenever") in found
    assert ("role", "row 3", "wizard") in found
    assert ("csat", "row 1", "9") in found
    assert normalized.frame.height == 3
    with pytest.raises(InputError, match="row 2: column 'timestamp'"):
        load(tmp_path, PROBLEMS)  # strict: the first rule broken


def test_a_bad_value_is_not_also_reported_empty(tmp_path: Path) -> None:
    normalized = load(tmp_path, PROBLEMS, strict=False)
    assert sorted((p.field, p.message.split(";")[0]) for p in normalized.problems) == [
        ("csat", "is outside the 1-5 scale"),
        ("role", "is not a known role (customer, agent, bot)"),
        ("timestamp", "is not a timestamp"),
    ]


def test_counts_every_offending_row_and_names_the_first(tmp_path: Path) -> None:
    text = (
        "conversation_id,timestamp,role\n"
        "c1,2026-11-02T09:00:00Z,customer\n"
        "c1,soon,agent\n"
        "c1,later,agent\n"
        "c1,   ,agent\n"  # blank: empty, not unreadable
    )
    problems = {p.message.split(";")[0]: p for p in load(tmp_path, text, strict=False).problems}
    unreadable = problems["is not a timestamp"]
    assert (unreadable.rows, unreadable.first_row, unreadable.example) == (2, "row 2", "soon")
    empty = problems["is empty"]
    assert (empty.rows, empty.first_row, empty.example) == (1, "row 4", None)  # not '   '
    assert empty.describe("data.csv") == (
        "data.csv: row 4: column 'timestamp' (timestamp) is empty"
    )


def test_spellings_meaning_no_rating_are_not_unreadable(tmp_path: Path) -> None:
    text = "conversation_id,timestamp,role,csat\nc1,2026-11-02T09:00:00Z,customer,n/a\n"
    assert load(tmp_path, text, strict=False).problems[0].message.startswith("is not a number")
    mapped = load(tmp_path, text, "values:\n  csat:\n    none: [n/a]\n", strict=False)
    assert mapped.problems == ()


def test_nan_rating_is_named_as_such(tmp_path: Path) -> None:
    text = "conversation_id,timestamp,role,nps\nc1,2026-11-02T09:00:00Z,customer,NaN\n"
    with pytest.raises(InputError, match=r"row 1: column 'nps' \(nps\) 'nan' is not a rating"):
        load(tmp_path, text)


def test_a_native_naive_datetime_skipped_by_dst_is_named(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    pl.DataFrame(
        {
            "conversation_id": ["c1", "c1"],
            "timestamp": [datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 2, 30)],
            "role": ["customer", "agent"],
        }
    ).write_parquet(path)
    config = parse_config("source_timezone: Europe/Berlin\n")
    with pytest.raises(InputError, match=r"record 2: .* does not exist in Europe/Berlin"):
        normalize(open_source(path), config)
    # In UTC (no clock changes) the same wall times are fine.
    assert normalize(open_source(path), parse_config("")).frame.height == 2


def test_an_unreadable_value_in_a_dst_zone_is_still_not_a_timestamp(tmp_path: Path) -> None:
    text = "conversation_id,timestamp,role\nc1,2026-03-29 01:30,customer\nc1,soon,agent\n"
    problems = load(tmp_path, text, "source_timezone: Europe/Berlin\n", strict=False).problems
    assert [p.message.split(";")[0] for p in problems] == ["is not a timestamp"]
