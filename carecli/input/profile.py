"""What a column's values look like (timestamps, ids, scores, durations, flags), from a
sample of the first rows: the content half of guessing a mapping (input/guess.py)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from carecli.config.model import Config
from carecli.input.load import Source, collect
from carecli.input.synonyms import DATE_FORMATS, SENTINELS, VALUE_SPELLINGS, simplify
from carecli.input.timestamps import parse_timestamps
from carecli.schema import BUILTIN_ALIASES

SAMPLE_ROWS = 2000
_CLOCK = r"^\d{1,3}:[0-5]\d(:[0-5]\d)?(\.\d+)?$"
_NUMERIC_DATE = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})"
_FLAGS = {
    *BUILTIN_ALIASES["escalated"]["true"],
    *BUILTIN_ALIASES["escalated"]["false"],
    *VALUE_SPELLINGS["flag"]["true"],
    *VALUE_SPELLINGS["flag"]["false"],
} - {""}
_SENTINELS = {simplify(s) for s in SENTINELS} | {s.lower() for s in SENTINELS}


@dataclass(frozen=True)
class Profile:
    """One column's sampled values, classified.

    kind: empty, timestamp (date and time), date, clock (H:MM:SS or HH:MM: a duration or
    a time of day, the name decides), number, flag (yes/no words), text.
    """

    column: str
    kind: str
    values: int  # non-blank, non-sentinel sampled values
    distinct: int
    unique: bool
    low: float | None = None
    high: float | None = None
    integer: bool = False
    sentinels: tuple[str, ...] = ()  # "no value" spellings seen, as written
    native: bool = False  # timestamps carecli reads without timestamp_format
    order: str | None = None  # numeric dates: "dayfirst", "monthfirst" or None (unknown)
    formats: tuple[str, ...] = ()  # timestamp_format patterns that read every value
    examples: tuple[str, ...] = ()

    @property
    def moment(self) -> bool:
        return self.kind in ("timestamp", "date")

    def within(self, low: float, high: float) -> bool:
        """Whole numbers, all between low and high (a 1-5 rating, a 0-10 NPS)."""
        return (
            self.kind == "number"
            and self.integer
            and self.low is not None
            and (low <= self.low and (self.high or 0) <= high)
        )


def profile_columns(source: Source, rows: int = SAMPLE_ROWS) -> dict[str, Profile]:
    """Every column of `source`, profiled on its first `rows` rows."""
    columns = [c for c in source.columns if c.strip()]
    sample = collect(source.scan(columns).head(rows), source)
    return {name: profile(name, sample[name]) for name in columns}


def profile(name: str, series: pl.Series) -> Profile:
    text = series.cast(pl.String).str.strip_chars()
    text = text.filter(text.is_not_null() & (text != ""))
    lowered = text.str.to_lowercase()
    is_sentinel = lowered.is_in(list(_SENTINELS))
    sentinels = tuple(dict.fromkeys(text.filter(is_sentinel).to_list()))
    values = text.filter(~is_sentinel)
    if values.is_empty():
        return Profile(name, "empty", 0, 0, False, sentinels=sentinels)
    distinct = values.n_unique()
    base = {
        "column": name,
        "values": values.len(),
        "distinct": distinct,
        "unique": distinct == values.len(),
        "sentinels": sentinels,
        "examples": tuple(values.unique(maintain_order=True).head(3).to_list()),
    }
    numbers = values.str.replace(r"^\+", "").cast(pl.Float64, strict=False)
    if numbers.null_count() == 0 and not values.str.contains(r"^\d{4}-\d\d-\d\d").any():
        whole = bool((numbers == numbers.round()).all())
        return Profile(kind="number", low=numbers.min(), high=numbers.max(), integer=whole, **base)  # type: ignore[arg-type]
    if set(values.str.to_lowercase().unique()) <= _FLAGS:
        return Profile(kind="flag", **base)  # type: ignore[arg-type]
    if values.str.contains(_CLOCK).all():
        return Profile(kind="clock", **base)  # type: ignore[arg-type]
    return _moment(values, base)


def _moment(values: pl.Series, base: dict) -> Profile:
    """Timestamps read natively (ISO 8601, numeric dates), else by a DATE_FORMATS pattern."""
    timed = bool(values.str.contains(r"\d:\d\d").any())
    kind = "timestamp" if timed else "date"
    frame = pl.DataFrame({"v": values})
    config = Config()
    if _all_read(frame, parse_timestamps(pl.col("v"), pl.String, config)):
        return Profile(kind=kind, native=True, **base)
    parts = values.str.extract_groups(_NUMERIC_DATE)
    first = parts.struct.field("1").cast(pl.Int32, strict=False)
    second = parts.struct.field("2").cast(pl.Int32, strict=False)
    if first.null_count() == 0:
        order = "dayfirst" if (first.max() or 0) > 12 else None
        order = "monthfirst" if (second.max() or 0) > 12 else order
        tried = order or "dayfirst"
        if _all_read(frame, parse_timestamps(pl.col("v"), pl.String, config, tried)):
            formats = _formats(frame)
            return Profile(
                kind=kind, native=order is not None, order=order, formats=formats, **base
            )
    formats = _formats(frame)
    if formats:
        return Profile(kind=kind, formats=formats, **base)
    return Profile(kind="text", **base)  # type: ignore[arg-type]


def _formats(frame: pl.DataFrame) -> tuple[str, ...]:
    found = []
    for fmt in DATE_FORMATS:
        expr = pl.col("v").str.to_datetime(fmt, strict=False, time_unit="us")
        if "%z" in fmt:
            expr = pl.col("v").str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")
        if _all_read(frame, expr):
            found.append(fmt)
    return tuple(found)


def _all_read(frame: pl.DataFrame, expr: pl.Expr) -> bool:
    try:
        return frame.select(expr.null_count()).item() == 0
    except pl.exceptions.PolarsError:
        return False


def distinct_values(source: Source, column: str, limit: int = 200) -> list[str]:
    """The distinct non-blank values of one column over the whole file (trimmed), up to
    `limit`: a spelling first seen in the last row must be mapped too."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    frame = source.scan([column]).select(text.unique().drop_nulls().head(limit))
    return sorted(v for v in collect(frame, source)[column].to_list() if v != "")
