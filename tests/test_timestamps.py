"""timestamps.py: the sniffed fast spelling, and what its misses become after the scan."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from carecli.config.model import parse_config
from carecli.input.load import open_source
from carecli.input.normalize import normalize
from carecli.input.timestamps import SAMPLE_ROWS, sniff_format


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
    rows = [f"c{i},2026-11-02T09:15:00Z,customer" for i in range(SAMPLE_ROWS)]
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


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # 12 is a valid month in either place, so only a number above 12 tells the order.
        (["12-06-2023 09:00", "06-13-2023 09:00"], [utc(2023, 12, 6, 9), utc(2023, 6, 13, 9)]),
        (["13-12-2023 09:00", "01-06-2023 09:00"], [utc(2023, 12, 13, 9), utc(2023, 6, 1, 9)]),
    ],
)
def test_twelve_is_no_evidence_of_the_numeric_date_order(
    tmp_path: Path, values: list[str], expected: list[datetime]
) -> None:
    rows = "".join(f"c{i},{value},customer\n" for i, value in enumerate(values))
    path = tmp_path / "data.csv"
    path.write_text("conversation_id,timestamp,role\n" + rows, encoding="utf-8")
    assert normalize(open_source(path), parse_config("")).frame["timestamp"].to_list() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("999999999", utc(2001, 9, 9, 1, 46, 39)),  # 9 digits: epoch seconds before 2001-09-09
        ("123456789012", utc(1973, 11, 29, 21, 33, 9, 12_000)),  # 12 digits >= 1e11: ms
    ],
)
def test_epoch_digit_counts_and_the_auto_unit_boundary(
    tmp_path: Path, text: str, expected: datetime
) -> None:
    path = tmp_path / "data.csv"
    path.write_text(f"conversation_id,timestamp,role\nc1,{text},customer\n", encoding="utf-8")
    assert normalize(open_source(path), parse_config("")).frame["timestamp"].to_list() == [expected]


def test_a_native_parquet_date_is_midnight_in_the_source_timezone(tmp_path: Path) -> None:
    # A Date column has no zone: like a naive datetime it is a wall time in source_timezone.
    path = tmp_path / "data.parquet"
    pl.DataFrame(
        {"conversation_id": ["c1"], "timestamp": [date(2026, 11, 2)], "role": ["customer"]}
    ).write_parquet(path)
    frame = normalize(open_source(path), parse_config("source_timezone: Europe/Berlin\n")).frame
    assert frame["timestamp"].to_list() == [utc(2026, 11, 1, 23)]
