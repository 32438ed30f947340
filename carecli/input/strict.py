"""--strict-data: any data-quality finding is an error, which says where its first case is.

load_dataset counts some findings without keeping where they are (duplicates, conversations
without a customer message, times that run backwards): the files are read again to find
the first case, only for this error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from carecli.config.model import Config
from carecli.errors import InputError
from carecli.input.findings import CID, Finding
from carecli.input.load import ROW_INDEX, open_source

# Findings counted by load_dataset without saying where: found again for --strict-data.
_LOCATED_LATER = ("duplicate_rows", "without_customer_message", "negative_durations")


def strict_error(
    findings: Sequence[Finding],
    files: Sequence[Path],
    config: Config,
    input_format: str | None = None,
    preset: str | None = None,
) -> InputError:
    """The one-line error of --strict-data: the first finding, its count and an example."""
    first, others = findings[0], findings[1:]
    if first.example is None and first.kind in _LOCATED_LATER:
        example = locate(first.kind, files, config, input_format, preset)
        first = dataclasses.replace(first, example=example)
    more = ""
    if others:
        more = f" (and {len(others)} more: {', '.join(f.kind for f in others)})"
    return InputError(f"--strict-data: {first.line()}{more}; see docs/data-quality.md")


def locate(
    kind: str,
    files: Sequence[Path],
    config: Config,
    input_format: str | None = None,
    preset: str | None = None,
) -> str | None:
    """Where the first case of a load_dataset count is: a file and row.

    Reads the files again, so only for the --strict-data error. Mirrors the rules of
    report.drop_duplicates and timeline.from_messages / from_conversations.
    """
    from carecli.input.normalize import normalize
    from carecli.input.presets import with_preset

    sources, frames, granularity = [], [], "messages"
    for index, path in enumerate(files):
        source = open_source(path, input_format or config.input_format, config.csv_separator)
        file_config, _ = with_preset(source, config, preset)
        normalized = normalize(source, file_config)
        granularity = normalized.granularity
        sources.append(source)
        frames.append(normalized.frame.with_columns(_file=pl.lit(index)))
    frame = pl.concat(frames, how="diagonal_relaxed").with_row_index("_pos")

    def where(row: dict[str, Any]) -> str:
        source = sources[row["_file"]]
        return f"{source.path} {source.row_label(row[ROW_INDEX])}"

    if kind == "duplicate_rows":
        return _locate_duplicate(frame, granularity, where)
    if kind == "without_customer_message" and granularity == "messages":
        is_message = pl.col("event").is_null() | (pl.col("event") == "message")
        if "event" not in frame.columns:
            is_message = pl.lit(True)
        starts = is_message & (pl.col("role") == "customer")
        alone = (
            frame.group_by(CID)
            .agg(started=starts.any(), _pos=pl.col("_pos").min())
            .filter(~pl.col("started"))
            .sort("_pos")
        )
        if alone.height:
            row = frame.row(alone["_pos"][0], named=True)
            return f"conversation {row[CID]}, {where(row)}"
    if kind == "negative_durations" and granularity == "conversations":
        backwards = _backwards_rows(frame)
        if backwards.height:
            return where(backwards.row(0, named=True))
    if kind == "negative_durations" and granularity == "messages":
        resolution = _resolution_before_start(frame)
        if resolution is not None:
            row = frame.row(resolution, named=True)
            return f"conversation {row[CID]}, {where(row)}"
    return None


def _resolution_before_start(frame: pl.DataFrame) -> int | None:
    """Position of the last resolved event of the first conversation it predates the first
    customer message of (timeline.from_messages leaves that resolution time out)."""
    if "event" not in frame.columns:
        return None
    event = pl.col("event").cast(pl.String)
    is_customer = (event.is_null() | (event == "message")) & (pl.col("role") == "customer")
    resolved = event == "resolved"
    per = frame.group_by(CID).agg(
        start=pl.col("timestamp").filter(is_customer).min(),
        last_state=event.filter(event.is_in(["resolved", "reopened"]))
        .sort_by(pl.col("timestamp").filter(event.is_in(["resolved", "reopened"])))
        .last(),
        resolved_at=pl.col("timestamp").filter(resolved).max(),
        _pos=pl.col("_pos").filter(resolved).sort_by(pl.col("timestamp").filter(resolved)).last(),
    )
    found = per.filter(
        (pl.col("last_state") == "resolved") & (pl.col("resolved_at") < pl.col("start"))
    ).sort("_pos")
    return found["_pos"][0] if found.height else None


def _locate_duplicate(frame: pl.DataFrame, granularity: str, where: Any) -> str | None:
    if granularity == "messages":  # every field the same: the later copies are dropped
        key = [c for c in frame.columns if c not in (ROW_INDEX, "_file", "_pos")]
        frame = frame.with_columns(_key=pl.struct(key).hash())
        dropped = frame.filter(~pl.col("_key").is_first_distinct())
        if dropped.height == 0:
            return None
        copy = dropped.row(0, named=True)
        kept = frame.filter(pl.col("_key") == copy["_key"]).row(0, named=True)
        return f"{where(copy)}, the same as {where(kept)}"
    dropped = frame.filter(~pl.col(CID).is_last_distinct())  # the last row of an id is kept
    if dropped.height == 0:
        return None
    row = dropped.row(0, named=True)
    kept = frame.filter(pl.col(CID) == row[CID]).row(-1, named=True)
    return f"conversation {row[CID]}, {where(row)} (replaced by {where(kept)})"


def _backwards_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Conversation rows with a response or resolution before creation."""
    has = set(frame.columns).__contains__

    def since_created(moment: str) -> pl.Expr:
        return (pl.col(moment) - pl.col("created_at")).dt.total_microseconds() / 1e6

    first = [since_created("first_response_at")] if has("first_response_at") else []
    first += [pl.col("first_response_seconds")] if has("first_response_seconds") else []
    first += [pl.col("first_response_minutes") * 60] if has("first_response_minutes") else []
    bot = [since_created("bot_first_response_at")] if has("bot_first_response_at") else []
    bot += [pl.col("bot_first_response_seconds")] if has("bot_first_response_seconds") else []
    tests = [pl.coalesce(parts) < 0 for parts in (first, bot) if parts]
    if has("resolved_at"):
        resolved = pl.col("status") == "resolved" if has("status") else pl.lit(True)
        tests.append(resolved & (since_created("resolved_at") < 0))
    if not tests or not has("created_at"):
        return frame.clear()
    return frame.filter(pl.any_horizontal(tests).fill_null(False)).sort("_pos")
