"""Input files -> lazy polars frames of raw text columns (CSV, JSONL, Parquet)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from carecli.errors import InputError

ROW_INDEX = "__row"

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class Source:
    """One opened input file: its format, its column names and a way to scan chosen columns."""

    path: Path
    format: str
    columns: tuple[str, ...]
    scan: Callable[[list[str]], pl.LazyFrame]

    def row_label(self, index: int) -> str:
        """How a user finds record `index` (0-based) in the file."""
        if self.format == "csv":
            return f"row {index + 1}"
        if self.format == "jsonl":
            return f"line {_physical_line(self.path, index)}"
        return f"record {index + 1}"


def detect_format(path: Path, requested: str = "auto") -> str:
    if requested != "auto":
        return requested
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{path}: cannot tell the format from the extension {path.suffix!r}; "
            "use --format-in csv|jsonl|parquet"
        )
    return fmt


def open_source(path: Path, requested_format: str = "auto", separator: str = ",") -> Source:
    """Open a data file lazily; only its header (or first records) is read here."""
    if not path.exists():
        raise InputError(f"{path}: file not found; check the --data path")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file; pass a CSV, JSONL or Parquet file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty; export the data again")
    fmt = detect_format(path, requested_format)
    if path.suffix.lower() == ".tsv" and separator == ",":
        separator = "\t"
    opener = {"csv": _open_csv, "jsonl": _open_jsonl, "parquet": _open_parquet}[fmt]
    return opener(path, separator)


def _open_csv(path: Path, separator: str) -> Source:
    try:
        header = pl.scan_csv(path, separator=separator, infer_schema=False).collect_schema()
    except pl.exceptions.NoDataError:
        raise InputError(f"{path}: the file is empty; export the data again") from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({_first_line(exc)})") from None

    def scan(columns: list[str]) -> pl.LazyFrame:
        # Everything is read as text: normalize parses it and can name the bad row.
        frame = pl.scan_csv(
            path,
            separator=separator,
            infer_schema=False,
            row_index_name=ROW_INDEX,
            encoding="utf8-lossy",
        )
        return frame.select(ROW_INDEX, *columns)

    return Source(path, "csv", tuple(header.names()), scan)


def _open_jsonl(path: Path, separator: str) -> Source:
    try:
        schema = pl.scan_ndjson(path, infer_schema_length=1000).collect_schema()
    except (pl.exceptions.PolarsError, OSError):
        raise InputError(_locate_json_problem(path)) from None

    def scan(columns: list[str]) -> pl.LazyFrame:
        # An explicit text schema reads only the wanted keys; keys absent from a line are null.
        return pl.scan_ndjson(
            path,
            schema={name: pl.String for name in columns},
            row_index_name=ROW_INDEX,
        )

    return Source(path, "jsonl", tuple(schema.names()), scan)


def _open_parquet(path: Path, separator: str) -> Source:
    try:
        schema = pl.scan_parquet(path).collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({_first_line(exc)})") from None

    def scan(columns: list[str]) -> pl.LazyFrame:
        return pl.scan_parquet(path, row_index_name=ROW_INDEX).select(ROW_INDEX, *columns)

    return Source(path, "parquet", tuple(schema.names()), scan)


def collect(frame: pl.LazyFrame, source: Source) -> pl.DataFrame:
    """Collect a frame built on `source`, turning reader failures into one-line InputErrors."""
    try:
        return frame.collect()
    except pl.exceptions.PolarsError as exc:
        if source.format == "jsonl":
            raise InputError(_locate_json_problem(source.path)) from None
        if source.format == "csv":
            raise InputError(_locate_csv_problem(source.path, exc)) from None
        raise InputError(f"{source.path}: cannot read the file ({_first_line(exc)})") from None


def _physical_line(path: Path, index: int) -> int:
    """The file line of JSON record `index`: polars skips blank lines when counting records.

    Only called for error messages, so reading the file again here costs nothing normally.
    """
    records = -1
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                records += 1
                if records == index:
                    return number
    return index + 1


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _locate_json_problem(path: Path) -> str:
    """Polars reports malformed JSON without a line number; find the line for the user."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    return (
                        f"{path}: line {number}: malformed JSON ({exc.msg}); "
                        "each line must be one JSON object"
                    )
                if not isinstance(record, dict):
                    return f"{path}: line {number}: expected a JSON object, got {line.strip()[:40]}"
    except OSError as exc:
        return f"{path}: cannot read the file ({exc})"
    return f"{path}: not a readable JSON Lines file; each line must be one JSON object"


def _locate_csv_problem(path: Path, exc: BaseException) -> str:
    """Find the first record whose field count differs from the header's."""
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            for row in reader:
                if row and len(row) != len(header):
                    return (
                        f"{path}: line {reader.line_num}: {len(row)} fields where the header "
                        f"has {len(header)}; check the delimiter and quoting of that line"
                    )
    except (OSError, csv.Error) as csv_exc:
        return f"{path}: cannot parse the CSV file ({csv_exc})"
    return f"{path}: cannot parse the CSV file ({_first_line(exc)})"
