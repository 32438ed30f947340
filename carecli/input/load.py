"""Input files -> lazy polars frames of raw text columns (CSV, JSONL/JSON, Parquet)."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from carecli.errors import InputError
from carecli.input.separator import other_separators, wrong_separator

ROW_INDEX = "__row"
_T = TypeVar("_T")

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
    separator: str = ","  # CSV only: for re-reading the file to locate a problem
    # The first rows of chosen columns when they can be had without starting a scan.
    head: Callable[[list[str], int], pl.LazyFrame | None] | None = None

    def first_rows(self, columns: list[str], rows: int) -> pl.LazyFrame:
        """The first `rows` rows of `columns`, as `scan` reads them."""
        found = self.head(columns, rows) if self.head else None
        return self.scan(columns).head(rows) if found is None else found

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
    try:
        return _open_source(path, requested_format, separator)
    except PermissionError:
        raise InputError(
            f"{path}: cannot read the file (permission denied); check the permissions of the "
            "file and of its folders"
        ) from None


def _open_source(path: Path, requested_format: str, separator: str) -> Source:
    if not path.exists():
        raise InputError(f"{path}: file not found; check the --data path")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file; pass a CSV, JSONL or Parquet file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty; export the data again")
    fmt = detect_format(path, requested_format)
    if fmt != "parquet":
        _reject_utf16(path)
    if path.suffix.lower() == ".tsv" and separator == ",":
        separator = "\t"
    if fmt == "jsonl" and _is_json_array(path):
        return _open_json_array(path)
    opener = {"csv": _open_csv, "jsonl": _open_jsonl, "parquet": _open_parquet}[fmt]
    return opener(path, separator)


def _is_json_array(path: Path) -> bool:
    """Whether the file is one JSON array (`[{...}, ...]`) rather than JSON Lines."""
    with path.open("rb") as handle:
        start = handle.read(4096).removeprefix(codecs.BOM_UTF8).lstrip()
    return start.startswith(b"[")


def _open_json_array(path: Path) -> Source:
    """A JSON array of objects, as APIs and some helpdesks export. An array cannot be read
    lazily: it is parsed whole (every record decides the column types), then scanned like
    any frame. Records are named "record N" in errors: an array has no line per record."""
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    try:
        frame = pl.read_json(io.BytesIO(data), infer_schema_length=None)
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            f"{path}: not a readable JSON array of objects ({_first_line(exc)[:120]}); "
            "check the file, or export JSON Lines (one object per line)"
        ) from None
    if frame.height == 0:
        raise InputError(f"{path}: the JSON array holds no records; export the data again")

    def scan(columns: list[str]) -> pl.LazyFrame:
        for name in columns:
            if frame.schema[name].is_nested():
                raise InputError(
                    f"{path}: column {name!r} holds lists or objects, not single values; "
                    "map another column, or flatten the export"
                )
        return frame.lazy().with_row_index(ROW_INDEX).select(ROW_INDEX, *columns)

    return Source(path, "json", tuple(frame.columns), scan)


def _open_csv(path: Path, separator: str) -> Source:
    try:
        header = pl.scan_csv(
            path, separator=separator, infer_schema=False, glob=False
        ).collect_schema()
    except pl.exceptions.NoDataError:
        raise InputError(f"{path}: the file is empty; export the data again") from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({_first_line(exc)})") from None
    names = header.names()
    if len(names) == 1:
        found = other_separators(names[0], separator)
        if len(found) == 1:  # unambiguous: a ';' or tab export read without a config
            return _open_csv(path, found[0])
        if found:
            raise wrong_separator(path, names[0], separator, found)

    def scan(columns: list[str]) -> pl.LazyFrame:
        # Everything is read as text: normalize parses it and can name the bad row.
        # glob=False: the file as named, even if its name holds [ ] * ?
        frame = pl.scan_csv(path, glob=False, **_as_text(separator))
        return frame.select(ROW_INDEX, *columns)

    def head(columns: list[str], rows: int) -> pl.LazyFrame | None:
        return _csv_head(path, separator, columns, rows)

    return Source(path, "csv", tuple(header.names()), scan, separator, head)


def _as_text(separator: str) -> dict[str, Any]:
    """How a CSV's rows are read, by the scan and by `_csv_head` alike: every value as
    text (normalize parses it and can name the bad row), rows numbered, bad bytes replaced."""
    return {
        "separator": separator,
        "infer_schema": False,
        "row_index_name": ROW_INDEX,
        "encoding": "utf8-lossy",
    }


# Bytes read for a CSV's first rows: ~2,500 rows of a typical export.
_HEAD_BYTES = 256 * 1024


def _csv_head(path: Path, separator: str, columns: list[str], rows: int) -> pl.LazyFrame | None:
    """The first `rows` rows parsed from the file's first bytes, as the scan reads them;
    None when those bytes do not hold them (then the caller scans).

    A scan costs ~12 ms to start on each file: 1.2 s before the load of 100 daily exports,
    for rows that take ~1 ms to parse from bytes already in memory.
    """
    with path.open("rb") as handle:
        data = handle.read(_HEAD_BYTES)
    whole = len(data) < _HEAD_BYTES
    if not whole:  # whole lines; the last may still be cut inside a quoted newline
        data = data[: data.rfind(b"\n") + 1]
    try:
        frame = pl.read_csv(data, columns=columns, n_rows=rows + 1, **_as_text(separator))
    except (pl.exceptions.PolarsError, ValueError):
        return None
    if frame.height <= rows and not whole:
        return None
    return frame.head(rows).lazy().select(ROW_INDEX, *columns)


def _open_jsonl(path: Path, separator: str) -> Source:
    with path.open("rb") as handle:
        has_bom = handle.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
    # polars' JSON reader rejects a byte-order mark; such files (Windows tools write them)
    # are read from memory without it. Rare enough that the copy does not matter.
    data = path.read_bytes()[len(codecs.BOM_UTF8) :] if has_bom else None

    def origin() -> str | io.BytesIO:
        return _literal(path) if data is None else io.BytesIO(data)

    try:
        schema = pl.scan_ndjson(origin(), infer_schema_length=1000).collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(_locate_json_problem(path, exc)) from None

    def scan(columns: list[str]) -> pl.LazyFrame:
        # An explicit text schema reads only the wanted keys; keys absent from a line are null.
        return pl.scan_ndjson(
            origin(),
            schema={name: pl.String for name in columns},
            row_index_name=ROW_INDEX,
        )

    return Source(path, "jsonl", tuple(schema.names()), scan)


def _literal(path: Path) -> str:
    """The path as a pattern that matches only itself: polars' JSON Lines reader expands
    glob patterns (and has no glob=False), and a file name may hold [ ] * or ?."""
    return re.sub(r"([\[\]*?])", r"[\1]", str(path))


def _open_parquet(path: Path, separator: str) -> Source:
    try:
        schema = pl.scan_parquet(path, glob=False).collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({_first_line(exc)})") from None

    def scan(columns: list[str]) -> pl.LazyFrame:
        scan = pl.scan_parquet(path, row_index_name=ROW_INDEX, glob=False)
        return scan.select(ROW_INDEX, *columns)

    return Source(path, "parquet", tuple(schema.names()), scan)


def collect(frame: pl.LazyFrame, source: Source) -> pl.DataFrame:
    """Collect a frame built on `source`, turning reader failures into one-line InputErrors."""
    return reading(source, frame.collect)


def reading(source: Source, run: Callable[[], _T]) -> _T:
    """`run()` (a collect or sink of a plan built on `source`), with reader failures turned
    into one-line InputErrors that say where the file is broken."""
    try:
        return run()
    except pl.exceptions.PolarsError as exc:
        if source.format == "jsonl":
            raise InputError(_locate_json_problem(source.path, exc)) from None
        if source.format == "csv":
            raise InputError(_locate_csv_problem(source.path, exc, source.separator)) from None
        raise InputError(f"{source.path}: cannot read the file ({_first_line(exc)})") from None
    except OSError as exc:  # "failed to fill whole buffer": a file cut short while read
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


def _reject_utf16(path: Path) -> None:
    """Excel's "Unicode text" is UTF-16: read as UTF-8 it is a header of garbage."""
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "UTF-32"
    elif start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "UTF-16"
    else:
        return
    raise InputError(
        f"{path}: line 1: the file is {encoding}, carecli reads UTF-8; save it as "
        f"'CSV UTF-8' or convert it (iconv -f {encoding} -t UTF-8)"
    )


def _locate_json_problem(path: Path, error: BaseException | None = None) -> str:
    """Polars reports malformed JSON without a line number; find the line for the user."""

    def reject(value: str) -> float:
        raise ValueError(f"{value} is not a JSON number; write null for a missing value")

    def finite(text: str) -> float:
        number = float(text)
        if number in (float("inf"), float("-inf")):
            raise ValueError(f"the number {text[:40]} is out of range")
        return number

    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    return (
                        f"{path}: line {number}: byte 0x{raw[exc.start]:02x} at column "
                        f"{exc.start + 1} is not UTF-8; save the file as UTF-8"
                    )
                if not line.strip():
                    continue
                try:
                    record = json.loads(line, parse_constant=reject, parse_float=finite)
                except json.JSONDecodeError as exc:
                    return (
                        f"{path}: line {number}: malformed JSON ({exc.msg}); "
                        "each line must be one JSON object"
                    )
                except ValueError as exc:
                    return f"{path}: line {number}: {exc}"
                except RecursionError:
                    return f"{path}: line {number}: JSON nested too deeply to read"
                if not isinstance(record, dict):
                    return f"{path}: line {number}: expected a JSON object, got {line.strip()[:40]}"
    except OSError as exc:
        return f"{path}: cannot read the file ({exc})"
    reason = f" ({_first_line(error)[:120]})" if error is not None else ""
    return f"{path}: not a readable JSON Lines file{reason}; each line must be one JSON object"


@contextmanager
def _any_field_size() -> Iterator[None]:
    """The csv module refuses fields over 128 KiB; exports hold longer ones (mail bodies)."""
    previous = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _locate_csv_problem(path: Path, exc: BaseException, separator: str = ",") -> str:
    """Find the first record whose field count differs from the header's, or whose quotes
    the csv module cannot read (a quote left open by a file cut short)."""
    reader = None
    try:
        with _any_field_size(), path.open(encoding="utf-8", errors="replace", newline="") as handle:
            reader = csv.reader(handle, delimiter=separator, strict=True)
            header = next(reader, [])
            for row in reader:
                if row and len(row) != len(header):
                    return (
                        f"{path}: line {reader.line_num}: {len(row)} fields where the header "
                        f"has {len(header)}; check the delimiter and quoting of that line"
                    )
    except csv.Error as csv_exc:
        line = f"line {reader.line_num}: " if reader is not None else ""
        return (
            f"{path}: {line}unreadable quoting ({csv_exc}); check the quotes of that line "
            "(a file cut short leaves one open)"
        )
    except OSError as os_exc:
        return f"{path}: cannot read the file ({os_exc.strerror or os_exc})"
    return f"{path}: cannot parse the CSV file ({_first_line(exc)})"


def column_list(columns: tuple[str, ...]) -> str:
    """Column names for a message: the first 12, quoted, then how many more."""
    shown = ", ".join(repr(c[:60]) for c in columns[:12])
    return shown + (f" and {len(columns) - 12} more" if len(columns) > 12 else "")
