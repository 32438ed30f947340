"""Validation of the canonical frame: every rule some rows break, with the first of them.

normalize keeps, next to each typed column, the raw text of the rows where the typed value
is missing (RAW + field); a rule tells an empty cell from an unreadable one with it, and
the error shows the value as the user wrote it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import polars as pl

from carecli.config.model import Config
from carecli.input.load import ROW_INDEX, Source
from carecli.input.timestamps import TIMESTAMP_FIELDS, parse_timestamps
from carecli.periods import EARLIEST, FIRST_YEAR, LAST_YEAR, LATEST
from carecli.schema import CANONICAL_VALUES, DURATION_UNITS, ENUM_FIELDS, NUMBER_FIELDS

RAW = "__raw_"  # prefix of the raw-text column kept beside a typed field

# Plausible ranges of the numbers a file holds. Wider ones are typos, unit mix-ups or
# sentinels, and would overflow: three inbound_messages of 5e18 wrap an Int64 sum, two
# talk_seconds of 1.7e308 sum to infinity. Within these, sums over any file stay exact.
MAX_DURATION_SECONDS = 100 * 365 * 86_400  # 100 years
MAX_COUNT = 1_000_000  # messages or reopenings of one conversation
# Duration field -> seconds per unit of its values (schema.DURATION_UNITS).
DURATION_FIELDS = {name: 60 if unit == "minutes" else 1 for name, unit in DURATION_UNITS.items()}
COUNT_FIELDS = ("reopen_count", "inbound_messages", "outbound_messages")


def out_of_range(column: str) -> pl.Expr:
    """A parsed timestamp outside the years carecli reads (see periods.EARLIEST)."""
    return (pl.col(column) < EARLIEST) | (pl.col(column) >= LATEST)


@dataclass(frozen=True)
class DataProblem:
    """Rows of one column that break one rule: how many, and the first of them."""

    field: str
    column: str
    rows: int
    first_row: str  # "row 12" / "line 7", as the user finds it in the file
    example: str | None
    message: str
    # Where it stands among problems found in parts of a file (see merge_problems).
    rule: int = 0  # the rule's place in find_problems' order
    row_index: int = 0  # the first row's 0-based index in the file

    def describe(self, path: object) -> str:
        shown = f" {self.example!r}" if self.example is not None else ""
        more = f" ({self.rows} rows like it)" if self.rows > 1 else ""
        return (
            f"{path}: {self.first_row}: column {self.column!r} ({self.field}){shown} "
            f"{self.message}{more}"
        )


def find_problems(
    frame: pl.DataFrame, source: Source, mapping: dict[str, str], config: Config
) -> list[DataProblem]:
    """Every rule broken by some rows, in rule order (fields in schema order), each with its
    first row and value."""
    csat = config.csat
    present = set(mapping)

    def fields_present(fields: tuple[str, ...]) -> list[str]:
        # In the schema's order: of several columns broken in one row, the one named first
        # must not depend on set iteration (it varied with PYTHONHASHSEED).
        return [name for name in fields if name in present]

    # (field, offending rows, message, which rows can offend: any ("always"), only those
    # whose typed value is missing ("missing": skipped when the column has none), or only
    # those whose raw text did not read ("unreadable": skipped when no raw text was kept,
    # as in most batches: two such rules were two thirds of the validation's time).
    checks: list[tuple[str, pl.Expr, str, str]] = []

    def if_missing(name: str, bad: pl.Expr, message: str) -> None:
        checks.append((name, bad, message, "missing"))

    def if_unreadable(name: str, bad: pl.Expr, message: str) -> None:
        checks.append((name, bad, message, "unreadable"))

    def always(name: str, bad: pl.Expr, message: str) -> None:
        checks.append((name, bad, message, "always"))

    if_missing("conversation_id", _blank("conversation_id"), "is empty; every row needs one")
    for name in fields_present(TIMESTAMP_FIELDS):
        hint = (
            f"does not match timestamp_format {config.timestamp_format!r}"
            if config.timestamp_format
            else "is not a timestamp; use ISO 8601 (2026-11-02T09:15:00+01:00), epoch "
            "seconds/ms, or set timestamp_format in the config"
        )
        unparsed = _unparsed(name)
        if config.source_timezone != "UTC":
            # A wall time the zone's clocks skip (02:30 on a spring-forward night) reads
            # fine as UTC: it is a timestamp, just not one that exists in the zone.
            as_utc = dataclasses.replace(config, source_timezone="UTC")
            readable = parse_timestamps(pl.col(RAW + name), frame.schema[RAW + name], as_utc)
            skipped = unparsed & readable.is_not_null()
            zone = config.source_timezone
            if_unreadable(
                name,
                skipped,
                f"is a wall time that does not exist in {zone} (skipped when the clocks "
                f"went forward); correct the export, or set source_timezone if its times "
                f"are not {zone}",
            )
            unparsed = unparsed & ~skipped
        if_unreadable(name, unparsed, hint)
        always(
            name,
            out_of_range(name),
            f"is outside the years {FIRST_YEAR}-{LAST_YEAR} carecli reads; if it stands for "
            "'no date', leave the cell empty",
        )
    for name in fields_present(NUMBER_FIELDS):
        # Spellings mapped to "none" (a survey offered, not answered) are meant to be empty.
        empty = [s for c, spellings in config.values.get(name, {}).items() if c == "none"
                 for s in spellings]  # fmt: skip
        meant = pl.col(RAW + name).cast(pl.String).str.strip_chars().str.to_lowercase()
        unreadable = _unparsed(name) & ~meant.is_in(empty)
        if name in DURATION_UNITS:
            hint = "is not a duration; write seconds, H:MM:SS or MM:SS, or set its unit in units:"
        else:
            hint = "is not a number" + (
                f"; map words under values: {{{name}: ...}}" if not empty else ""
            )
        if_unreadable(name, unreadable, hint)
    for name in fields_present(ENUM_FIELDS):
        known = CANONICAL_VALUES[name] + (config.channels if name == "channel" else ())
        hint = f"is not a known {name} ({', '.join(known)}); map it under values: {{{name}: ...}}"
        if_unreadable(name, _unparsed(name), hint)
    if "timestamp" in present:
        if_missing("timestamp", _blank("timestamp"), "is empty")
        is_message = pl.col("event").is_null() | (pl.col("event") == "message")
        if "event" not in present:
            is_message = pl.lit(True)
        no_role = _blank("role") if "role" in present else pl.col("role").is_null()  # constant
        if_missing("role", is_message & no_role, "is empty on a message row")
    if "created_at" in present:
        if_missing("created_at", _blank("created_at"), "is empty")
    for name in ("csat", "nps"):
        if name in present:  # pandas writes a missing rating as NaN: say so, not "outside"
            always(
                name,
                pl.col(name).is_nan(),
                f"is not a rating; if it means no rating, add "
                f"values: {{{name}: {{none: [nan]}}}} to the config",
            )
    if "csat" in present:
        low, high = csat.scale_min, csat.scale_max
        outside = ((pl.col("csat") < low) | (pl.col("csat") > high)) & ~pl.col("csat").is_nan()
        always(
            "csat",
            outside,
            f"is outside the {low}-{high} scale; set csat.scale in the config, or, if it means "
            "no rating, list it under values: {csat: {none: [...]}}",
        )
    if "nps" in present:
        outside = ((pl.col("nps") < 0) | (pl.col("nps") > 10)) & ~pl.col("nps").is_nan()
        always(
            "nps",
            outside,
            "is outside the 0-10 NPS scale; if it means no answer, list it under "
            "values: {nps: {none: [...]}}",
        )
    never_negative = ("talk_seconds", "hold_seconds", "after_work_seconds", "wait_seconds")
    for name in (*never_negative, *COUNT_FIELDS):
        if name in present:
            always(name, pl.col(name) < 0, "is negative")
    for name in fields_present(tuple(DURATION_FIELDS)):
        limit = MAX_DURATION_SECONDS / DURATION_FIELDS[name]
        unit = "minutes" if DURATION_FIELDS[name] == 60 else "seconds"
        always(
            name,
            pl.col(name).abs().is_between(limit, float("inf"), closed="none"),
            f"is out of range: over 100 years ({limit:,.0f} {unit}); check the column's unit",
        )
    for name in fields_present(COUNT_FIELDS):
        count = pl.col(name)
        always(name, count.is_nan() | count.is_infinite(), "is not a count; leave it empty")
        always(
            name,
            count.is_between(MAX_COUNT, float("inf"), closed="none"),
            f"is out of range: over {MAX_COUNT:,} for one conversation",
        )
    candidates = [
        (rule, check) for rule, check in enumerate(checks) if _can_offend(frame, check[0], check[3])
    ]
    # How many rows break each rule, in one parallel pass; the rows only of those broken.
    counts = ()
    if candidates:
        counts = frame.select(check[1].sum().alias(str(r)) for r, check in candidates).row(0)
    problems = []
    for (rule, (name, bad, message, _)), count in zip(candidates, counts, strict=True):
        if not count:
            continue
        offending = frame.filter(bad)
        # Only the columns shown: a datetime outside Python's years 1-9999 (in this
        # column or another) cannot become a Python value, but its text can.
        typed = pl.col(name)
        if frame.schema[name].is_temporal():
            typed = typed.dt.to_string("%Y-%m-%dT%H:%M:%S%.fZ")
        shown = [RAW + name] if RAW + name in frame.columns else []
        first = offending.head(1).select(ROW_INDEX, typed, *shown).row(0, named=True)
        value = first.get(RAW + name)  # kept where the typed value is missing
        if value is None:  # a readable value that breaks a rule: show it as read
            value = first.get(name)
            value = as_written(value) if isinstance(value, float) else value
        problems.append(
            DataProblem(
                field=name,
                column=mapping[name],
                rows=offending.height,
                first_row=source.row_label(first[ROW_INDEX]),
                # A blank cell has nothing to show: "is empty" says it all.
                example=None if value is None or not str(value).strip() else str(value)[:60],
                message=message,
                rule=rule,
                row_index=first[ROW_INDEX],
            )
        )
    return problems


def _can_offend(frame: pl.DataFrame, name: str, rows: str) -> bool:
    """Whether some row can break a rule whose offenders are `rows` (see find_problems)."""
    if rows != "always" and frame[name].null_count() == 0:
        return False
    return rows != "unreadable" or frame[RAW + name].null_count() < frame.height


def as_written(number: float) -> str:
    """A number as a file spells it, so it can be searched for: -12345678, not -1.23457e+07
    (the `g` format's 6 digits), and 7 or 4.5, not 7.0."""
    if number.is_integer() and abs(number) < 1e15:  # beyond, a float's digits are noise
        return str(int(number))
    return repr(number)


def merge_problems(parts: list[tuple[DataProblem, ...]]) -> list[DataProblem]:
    """The problems of a whole file from those of its parts (each row in one part): per
    rule, the rows summed and the first row of them all, in rule order."""
    merged: dict[int, DataProblem] = {}
    for problems in parts:
        for problem in problems:
            seen = merged.get(problem.rule)
            if seen is not None:
                first = min(seen, problem, key=lambda p: p.row_index)
                problem = dataclasses.replace(first, rows=seen.rows + problem.rows)
            merged[problem.rule] = problem
    return [merged[rule] for rule in sorted(merged)]


def _blank(name: str) -> pl.Expr:
    """The raw value is missing or blank (a value that failed to parse is not 'empty')."""
    raw = pl.col(RAW + name)
    return pl.col(name).is_null() & (raw.is_null() | (raw.cast(pl.String).str.strip_chars() == ""))


def _unparsed(name: str) -> pl.Expr:
    return pl.col(RAW + name).is_not_null() & pl.col(name).is_null() & _non_blank(RAW + name)


def _non_blank(raw: str) -> pl.Expr:
    return pl.col(raw).cast(pl.String).str.strip_chars() != ""
