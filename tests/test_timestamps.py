"""timestamps.py: the sniffed fast spelling, and what its misses become after the scan."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from carecli.config import parse_config
from carecli.load import open_source
from carecli.normalize import normalize
from carecli.timestamps import _SAMPLE_ROWS, sniff_format


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2026-11-02T09:15:00Z", "2026-11-02T10:00:59Z"], "%Y-%m-%dT%H:%M:%SZ"),
        (["2026-11-02T09:15:00Z", "2026-11-02T10:00:59.5Z"], "%Y-%m-%dT%H:%M:%S%.f%#z"),
        (["2026-11-02T09:15:00+01:00", "2026-11-02T10:00:59Z"], "%Y-%m-%dT%H:%M:%S%.f%#z"),
        (["2026-11-02 09:15:00", " 2026-11-02 10:00:00 ", ""], "%Y-%m-%d %H:%M:%S"),
        (["2026-11-02T09:15:00", "2026-11-02T10:00:00"], "%Y-%m-%dT%H:%M:%S"),
        (["2026-11-02 09:15:00", "2026-11-02 10:00:00.125"], "%Y-%m-%d %H:%M:%S%.f"),
        (["2026-11-02T09:15:00Z", "1762074900"], None),  # mixed: no one spelling
        (["", None], None),
    ],
)
def test_sniffed_spelling(values: list[str | None], expected: str | None) -> None:
    assert sniff_format(pl.Series(values, dtype=pl.String)) == expected


def test_a_literal_z_is_utc_whatever_the_source_timezone(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(
        "conversation_id,timestamp,role\nc1,2026-11-02T09:15:00Z,customer\n", encoding="utf-8"
    )
    for config in ("", "source_timezone: Europe/Berlin\n"):
        frame = normalize(open_source(path), parse_config(config)).frame
        assert frame["timestamp"].to_list() == [utc(2026, 11, 2, 9, 15)]
    # The same pattern given as timestamp_format reads the same way.
    configured = parse_config(
        "source_timezone: Europe/Berlin\ntimestamp_format: '%Y-%m-%dT%H:%M:%SZ'\n"
    )
    assert normalize(open_source(path), configured).frame["timestamp"].to_list() == [
        utc(2026, 11, 2, 9, 15)
    ]


def test_values_the_sample_did_not_show_get_the_full_parser(tmp_path: Path) -> None:
    # The first rows pick the fast whole-second Z spelling; later rows use others.
    rows = [f"c{i},2026-11-02T09:15:00Z,customer" for i in range(_SAMPLE_ROWS)]
    rows += [
        "x1,2026-11-02T09:15:00.250Z,customer",
        "x2,2026-11-02T10:15:00+01:00,customer",
        "x3,2026-11-02 09:15,customer",
        "x4,1762074900,customer",
    ]
    path = tmp_path / "data.csv"
    path.write_text("conversation_id,timestamp,role\n" + "\n".join(rows) + "\n", encoding="utf-8")
    frame = normalize(open_source(path), parse_config("source_timezone: Europe/Berlin\n")).frame
    assert frame["timestamp"].to_list()[-4:] == [
        utc(2026, 11, 2, 9, 15, 0, 250_000),
        utc(2026, 11, 2, 9, 15),
        utc(2026, 11, 2, 8, 15),  # naive: Berlin wall time
        utc(2025, 11, 2, 9, 15),
    ]
    assert "__raw_timestamp" not in frame.columns


@pytest.mark.parametrize("separator", ["T", " "])
def test_naive_whole_seconds_are_wall_times_in_the_source_timezone(
    tmp_path: Path, separator: str
) -> None:
    path = tmp_path / "data.csv"
    path.write_text(
        "conversation_id,timestamp,role\n"
        f"c1,2026-11-02{separator}09:15:00,customer\nc1,2026-07-01{separator}09:15:00,agent\n",
        encoding="utf-8",
    )
    frame = normalize(open_source(path), parse_config("source_timezone: Europe/Berlin\n")).frame
    assert frame["timestamp"].to_list() == [utc(2026, 11, 2, 8, 15), utc(2026, 7, 1, 7, 15)]
