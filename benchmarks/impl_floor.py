"""The floor: a bare polars scan of the columns carecli reads, and nothing else.

CSV is scanned as text (as carecli does, ``infer_schema=False``); each column is then
reduced with a trivial aggregation that still needs every value (total byte length of
text columns, sum of the physical values modulo 7 of typed Parquet columns), so no reader can
skip a column or answer from metadata. No parsing, sorting or grouping: any report over
the same file needs at least this much time and memory.

    python benchmarks/impl_floor.py --data events.csv
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

# Every message-event column carecli maps and reads (see carecli/schema.py MESSAGE_FIELDS).
COLUMNS = [
    "conversation_id",
    "timestamp",
    "event",
    "role",
    "agent",
    "channel",
    "team",
    "topic",
    "priority",
    "csat",
    "nps",
]


def scan(path: Path) -> pl.LazyFrame:
    if path.suffix == ".parquet":
        return pl.scan_parquet(path)
    if path.suffix in (".jsonl", ".ndjson"):
        return pl.scan_ndjson(path, schema=dict.fromkeys(COLUMNS, pl.String))
    return pl.scan_csv(path, infer_schema=False)


def floor(path: Path) -> dict[str, int]:
    frame = scan(path)
    schema = frame.collect_schema()
    columns = [c for c in COLUMNS if c in schema]
    touch = [
        pl.col(c).str.len_bytes().sum()
        if schema[c] == pl.String
        # Parquet keeps typed columns: reduce their physical values (no overflow).
        else (pl.col(c).to_physical().cast(pl.Int64) % 7).sum()
        for c in columns
    ]
    result = frame.select(pl.len().alias("rows"), *touch).collect()
    return {name: int(value or 0) for name, value in result.row(0, named=True).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--week", default=None, help="ignored (same command line as the others)")
    args = parser.parse_args(argv)
    json.dump(floor(args.data), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
