"""The shapes real exports come in, read as canonical fields: a date and a time in two
columns, sentinel spellings of an empty cell, one score column for several surveys, and
durations as clock readings (H:MM:SS) or in other units (see carecli.config.shapes)."""

from __future__ import annotations

import polars as pl

from carecli.config.model import Config
from carecli.input.validate import RAW
from carecli.schema import DURATION_UNITS


def combined_name(pair: tuple[str, str]) -> str:
    """The column a date and a time column make together, as problems name it."""
    return f"{pair[0]} + {pair[1]}"


def blanked(scan: pl.LazyFrame, missing: tuple[str, ...]) -> pl.LazyFrame:
    """Cells spelled as one of the config's `missing:` sentinels ("-", "N/A") are empty."""
    if not missing:
        return scan
    text = [n for n, dtype in scan.collect_schema().items() if dtype == pl.String]
    return scan.with_columns(
        pl.when(pl.col(n).str.strip_chars().str.to_lowercase().is_in(missing))
        .then(None)
        .otherwise(pl.col(n))
        .alias(n)
        for n in text
    )


def split_score(
    frame: pl.DataFrame, shown: dict[str, str], checked: dict[str, str]
) -> tuple[pl.DataFrame, dict[str, str], dict[str, str]]:
    """One score column for several surveys: the CSAT rating on csat events, the NPS
    answer on nps events (checked on those rows, named by the score's column)."""
    column = shown["score"]
    derived = {}
    for survey in ("csat", "nps"):
        on_survey = pl.col("event") == survey
        if survey in shown:  # a column of its own comes first
            value = pl.coalesce(pl.col(survey), pl.when(on_survey).then(pl.col("score")))
            raw = pl.coalesce(pl.col(RAW + survey), pl.when(on_survey).then(pl.col(RAW + "score")))
        else:
            value = pl.when(on_survey).then(pl.col("score"))
            raw = pl.when(on_survey).then(pl.col(RAW + "score"))
        derived[survey] = value
        derived[RAW + survey] = raw
    frame = frame.with_columns(**derived)
    survey_columns = {s: shown.get(s, column) for s in ("csat", "nps")}
    shown = {k: v for k, v in shown.items() if k != "score"} | survey_columns
    checked = {k: v for k, v in checked.items() if k != "score"} | survey_columns
    return frame, shown, checked


_CLOCK = r"^\s*(\d+):([0-5]\d)(?::([0-5]\d))?(\.\d+)?\s*$"


def duration(text: pl.Expr, number: pl.Expr, name: str, config: Config) -> pl.Expr:
    """A duration in the field's own unit (seconds; minutes for first_response_minutes):
    numbers in the `units:` unit, or a clock reading H:MM:SS or MM:SS as call centres
    export them."""
    native = 60.0 if DURATION_UNITS[name] == "minutes" else 1.0
    scaled = number * (config.units[name] / native) if name in config.units else number
    parts = text.str.extract_groups(_CLOCK)
    first, second = parts.struct.field("1"), parts.struct.field("2")
    third, fraction = parts.struct.field("3"), parts.struct.field("4")
    big, middle = first.cast(pl.Float64), second.cast(pl.Float64)
    seconds = (
        pl.when(third.is_not_null())
        .then(big * 3600 + middle * 60 + third.cast(pl.Float64))
        .otherwise(big * 60 + middle)
    ) + fraction.cast(pl.Float64).fill_null(0.0)
    return pl.coalesce(scaled, seconds / native)
