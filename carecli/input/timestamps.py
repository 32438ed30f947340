"""Timestamps in every spelling exports use -> Datetime(us, UTC); nulls where unreadable."""

from __future__ import annotations

import polars as pl

from carecli.config.model import Config
from carecli.errors import InputError
from carecli.input.load import Source, collect, reading

TIMESTAMP_FIELDS = ("timestamp", "created_at", "first_response_at", "bot_first_response_at")
TIMESTAMP_FIELDS += ("resolved_at",)

# ISO 8601 variants seen in exports, after `T` -> space and `Z` -> +00:00.
# `%#z` reads +01:00, +0100 and +01.
_OFFSET_FORMATS = ("%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z")
_NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_EPOCH_PATTERN = r"^\d{9,13}(\.\d+)?$"
# The common spellings of one whole column, tried on a sample. Parsing with one known format
# is ~8x faster than trying every spelling, and the spellings are a subset of the full
# parser's, read the same way; values that miss still get the full parser.
_FAST_FORMATS = (
    # Whole seconds (with a literal Z, or naive), the commonest export spellings: polars
    # parses these fixed-width patterns 2-3x faster than any with %.f or an offset.
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
)
_OFFSET_DIRECTIVES = ("%z", "%:z", "%#z")
# Numeric dates such as 01-06-2023 or 06/01/2023: day-first or month-first, told apart
# by the values whose first or second number is above 12.
SAMPLE_ROWS = 1000  # rows whose timestamp spelling picks the fast format
_NUMERIC_DATE = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})"


def numeric_date_orders(
    raw: pl.LazyFrame, mapping: dict[str, str], schema: pl.Schema, config: Config, source: Source
) -> dict[str, str]:
    """For text timestamp columns like 01-06-2023: 'dayfirst' or 'monthfirst', from the data."""
    if config.timestamp_format:
        return {}
    candidates = [
        name for name in TIMESTAMP_FIELDS if name in mapping and schema[mapping[name]] == pl.String
    ]
    if not candidates:
        return {}
    probes = []
    for name in candidates:
        parts = pl.col(mapping[name]).str.strip_chars().str.extract_groups(_NUMERIC_DATE)
        first = parts.struct.field("1").cast(pl.Int32, strict=False)
        second = parts.struct.field("2").cast(pl.Int32, strict=False)
        probes += [first.max().alias(f"{name}.first"), second.max().alias(f"{name}.second")]
    highs = collect(raw.select(probes), source).row(0, named=True)
    present = [name for name in candidates if highs[f"{name}.first"] is not None]
    if not present:
        return {}  # not numeric dates: the ISO parsers handle these columns
    # One export, one locale: the evidence of every date column decides for all of them.
    day_first = any((highs[f"{n}.first"] or 0) > 12 for n in present)
    month_first = any((highs[f"{n}.second"] or 0) > 12 for n in present)
    if day_first == month_first:
        columns = ", ".join(repr(mapping[n]) for n in present)
        reason = "no value tells" if not day_first else "values contradict each other on"
        raise InputError(
            f"{source.path}: column {columns} holds dates like 01-06-2023 and {reason} "
            "day-first or month-first; set timestamp_format, e.g. '%d-%m-%Y %H:%M' (day first) or "
            "'%m-%d-%Y %H:%M'"
        )
    return dict.fromkeys(present, "dayfirst" if day_first else "monthfirst")


def fast_formats(
    first_rows: pl.LazyFrame,
    mapping: dict[str, str],
    schema: pl.Schema,
    config: Config,
    source: Source,
) -> dict[str, str]:
    """Timestamp field -> the one ISO spelling its first rows use (see sniff_format);
    `first_rows`: the file's first SAMPLE_ROWS rows (Source.first_rows)."""
    if config.timestamp_format:
        return {}
    text = {n: c for n, c in mapping.items() if n in TIMESTAMP_FIELDS and schema[c] == pl.String}
    if not text:
        return {}
    first = first_rows.select(list(dict.fromkeys(text.values()))).head(SAMPLE_ROWS)
    # The in-memory engine: the streaming one takes ~50 ms to start (5 s for 100 files).
    sample = reading(source, lambda: first.collect(engine="in-memory"))
    found = {name: sniff_format(sample[column]) for name, column in text.items()}
    return {name: fmt for name, fmt in found.items() if fmt is not None}


def sniff_format(sample: pl.Series) -> str | None:
    """The one ISO 8601 spelling every non-blank sampled value uses, if there is one."""
    values = sample.cast(pl.String).str.strip_chars()
    values = values.filter(values.is_not_null() & (values != ""))
    if values.is_empty():
        return None
    for fmt in _FAST_FORMATS:
        if pl.select(_with_format(pl.lit(values), fmt, "UTC")).to_series().null_count() == 0:
            return fmt
    return None


def as_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Trimmed text with empty strings as null, whatever the source dtype."""
    if dtype == pl.Boolean:
        column = pl.when(column).then(pl.lit("true")).otherwise(pl.lit("false"))
    text = column.cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def parse_with_format(column: pl.Expr, config: Config, fast_format: str) -> pl.Expr:
    """A text column read with its one sniffed spelling (see sniff_format).

    Values spelled otherwise become null here: `reparse_missed` gives those few values the
    full parser after the scan. A `when(missed).then(full parser)` in the scan would cost
    a quarter more, as polars evaluates that branch for whole batches.
    """
    # Not trimmed first (a fifth of the parse's cost): a value with spaces around it misses
    # here and is read from its raw text by `reparse_missed`, as any other miss.
    return _with_format(column, fast_format, config.source_timezone)


def reparse_missed(frame: pl.DataFrame, field: str, raw: str, config: Config) -> pl.DataFrame:
    """Fill `field` where `parse_with_format` missed, from the raw text kept in `raw`."""
    missed = pl.col(field).is_null() & pl.col(raw).is_not_null()
    if not frame.select(missed.any()).item():
        return frame
    full = parse_timestamps(pl.col(raw), frame.schema[raw], config)
    return frame.with_columns(pl.coalesce(field, full).alias(field)).with_columns(
        pl.when(pl.col(field).is_null()).then(pl.col(raw)).alias(raw)
    )


def parse_timestamps(
    column: pl.Expr, dtype: pl.DataType, config: Config, order: str | None = None
) -> pl.Expr:
    """Any supported timestamp spelling -> Datetime(us, UTC); unparsable values -> null."""
    source_tz = config.source_timezone
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            column = _localize(column, source_tz)
        return column.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if dtype == pl.Date:
        return _localize(column.cast(pl.Datetime("us")), source_tz).dt.convert_time_zone("UTC")
    if dtype.is_numeric():
        return _from_epoch(column.cast(pl.Float64), config.epoch_unit)
    text = as_text(column, dtype)
    if config.timestamp_format:
        return _with_format(text, config.timestamp_format, source_tz)
    if order is not None:  # 01-06-2023 12:15 -> 2023-06-01 12:15 (or 2023-01-06)
        day, month = ("$1", "$2") if order == "dayfirst" else ("$2", "$1")
        text = text.str.replace(_NUMERIC_DATE, f"$3-{month}-{day}")
        text = text.str.replace(r"^(\d{4})-(\d)-", "$1-0$2-").str.replace(
            r"^(\d{4}-\d\d)-(\d)\b", "$1-0$2"
        )
    iso = text.str.replace(r"[Zz]$", "+00:00").str.replace(r"^(\d{4}-\d\d-\d\d)[Tt]", "$1 ")
    candidates = [_with_format(iso, fmt, source_tz) for fmt in _OFFSET_FORMATS + _NAIVE_FORMATS]
    epoch = _from_epoch(text.cast(pl.Float64, strict=False), config.epoch_unit)
    return pl.when(text.str.contains(_EPOCH_PATTERN)).then(epoch).otherwise(pl.coalesce(candidates))


def _with_format(text: pl.Expr, fmt: str, source_tz: str) -> pl.Expr:
    """`text` read with one strptime format -> Datetime(us, UTC), null where it does not fit.

    A format with an offset directive is converted from that offset; one ending in a
    literal Z is UTC; otherwise the wall time is in source_tz.
    """
    if any(directive in fmt for directive in _OFFSET_DIRECTIVES):
        return text.str.to_datetime(fmt, time_zone="UTC", strict=False, time_unit="us")
    if fmt.endswith("Z"):  # a literal Z (Zulu) is UTC, whatever source_timezone says
        naive = text.str.to_datetime(fmt, strict=False, time_unit="us")
        return naive.dt.replace_time_zone("UTC")
    naive = text.str.to_datetime(fmt, strict=False, time_unit="us")
    return _localize(naive, source_tz).dt.convert_time_zone("UTC")


def _localize(naive: pl.Expr, tz: str) -> pl.Expr:
    # A wall time that DST skips does not exist: null, reported as a bad timestamp.
    return naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")


def _from_epoch(seconds_or_ms: pl.Expr, unit: str) -> pl.Expr:
    if unit == "ms":
        micros = seconds_or_ms * 1_000
    elif unit == "s":
        micros = seconds_or_ms * 1_000_000
    else:  # Seconds stay below 1e11 until the year 5138; larger values are milliseconds.
        micros = pl.when(seconds_or_ms >= 1e11).then(seconds_or_ms * 1_000)
        micros = micros.otherwise(seconds_or_ms * 1_000_000)
    return pl.from_epoch(micros.cast(pl.Int64), time_unit="us").dt.replace_time_zone("UTC")
