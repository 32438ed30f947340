"""Raw columns -> the canonical, typed frame: column mapping, value spellings, timestamps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import polars as pl

from carecli.config.model import Config
from carecli.errors import InputError
from carecli.input.aggregate import summary_error
from carecli.input.load import ROW_INDEX, Source, collect, column_list, reading
from carecli.input.shapes import blanked, combined_name, duration, split_score
from carecli.input.spellings import (
    LOW_CARDINALITY,
    Spellings,
    canonical_text,
    canonical_value,
    map_spellings,
)
from carecli.input.threads import THREAD_ID, thread_columns, thread_roots
from carecli.input.timestamps import (
    SAMPLE_ROWS,
    TIMESTAMP_FIELDS,
    as_text,
    fast_formats,
    numeric_date_orders,
    parse_timestamps,
    parse_with_format,
    reparse_missed,
)
from carecli.input.validate import RAW, DataProblem, find_problems, out_of_range
from carecli.schema import (
    CANONICAL_VALUES,
    CHANNELS,
    CONVERSATION_FIELDS,
    DURATION_UNITS,
    ENUM_FIELDS,
    EVENTS,
    LOWER_TEXT_FIELDS,
    MESSAGE_FIELDS,
    NUMBER_FIELDS,
    ROLES,
    TEXT_FIELDS,
)

REQUIRED = {
    "messages": ("conversation_id", "timestamp", "role"),
    # Without created_at, tickets cannot be placed in a period: only --all reports them.
    "conversations": ("conversation_id",),
}

# Fields whose text is mapped onto canonical spellings (or trimmed): few distinct values.
_SPELLED = ENUM_FIELDS + LOWER_TEXT_FIELDS + TEXT_FIELDS
# Fields with a fixed set of values (validated): a byte each, a quarter of a category's
# size in every copy (partitions, sorts) and the fastest to compare.
_ONE_BYTE = {"role": ROLES, "event": EVENTS}


@dataclass(frozen=True)
class Normalized:
    """The canonical frame of one input file and how it was mapped."""

    granularity: str  # "messages" or "conversations"
    frame: pl.DataFrame
    source: Source
    mapping: dict[str, str]  # canonical field -> source column ("" for a constant)
    problems: tuple[DataProblem, ...] = ()


def resolve_mapping(source: Source, config: Config) -> dict[str, str]:
    """Canonical field -> source column: the config's `columns:` first, then matching names."""
    by_simple_name = {simple_name(name): name for name in source.columns}
    mapping: dict[str, str] = {}
    for canonical in dict.fromkeys(MESSAGE_FIELDS + CONVERSATION_FIELDS):
        wanted = config.columns.get(canonical)
        pair = config.combined.get(canonical)
        for column in pair or ((wanted,) if wanted is not None else ()):
            if column not in source.columns:
                raise InputError(
                    f"{source.path}: config columns.{canonical} names column {column!r}, "
                    f"which the file does not have; its columns are: {column_list(source.columns)}"
                )
        if pair is not None:
            mapping[canonical] = combined_name(pair)  # a date and a time column, read as one
        elif wanted is not None:
            mapping[canonical] = wanted
        elif simple_name(canonical) in by_simple_name:
            mapping[canonical] = by_simple_name[simple_name(canonical)]
    if "score" in mapping and "event" not in mapping and "event" not in config.constants:
        if "score" in config.columns:
            raise InputError(
                f"{source.path}: columns.score needs an event column, which says whether a "
                "score is a CSAT rating (event csat) or an NPS answer (event nps); map it with "
                "columns: {event: <column>}"
            )
        del mapping["score"]  # a column merely named "score": without events it says nothing
    return mapping


def detect_granularity(source: Source, mapping: dict[str, str], config: Config) -> str:
    if config.granularity != "auto":
        return config.granularity
    has_events = "timestamp" in mapping
    has_tickets = "created_at" in mapping
    if has_events and has_tickets:
        raise InputError(
            f"{source.path}: has both 'timestamp' and 'created_at' columns; set "
            "granularity: messages or granularity: conversations in the config"
        )
    if has_events:
        return "messages"
    if has_tickets:
        return "conversations"
    summary = summary_error(source)
    if summary is not None:
        raise summary
    raise InputError(
        f"{source.path}: no 'timestamp' column (one row per message) nor 'created_at' column "
        f"(one row per conversation); its columns are: {column_list(source.columns)}. "
        "Map yours under columns: in the config; `carecli inspect FILE --write-config "
        "carecli.yaml` proposes a mapping"
    )


@dataclass(frozen=True)
class Prepared:
    """One file's mapping and its typed scan, before any row is read: `finish` completes
    whatever part of the rows it is given (all of them, or one partition)."""

    source: Source
    config: Config
    granularity: str  # "messages" or "conversations"
    mapping: dict[str, str]  # canonical field -> source column (constants not included)
    constants: dict[str, str]  # field -> the config's constant value
    spelled: dict[str, str]  # fields read as categories, spellings mapped in `finish`
    fast: tuple[str, ...]  # timestamp fields read with a sniffed format, misses re-read
    threads: dict[str, str]  # reply-chain columns, when conversations are threads
    typed: pl.LazyFrame  # ROW_INDEX, every field typed, RAW + field where it is missing
    # field -> spelling -> canonical value (None: unknown), filled by `finish` batch by batch
    known_spellings: Spellings = field(default_factory=dict, compare=False, repr=False)

    @property
    def read_fields(self) -> dict[str, str]:
        """Fields read from the file, those built from reply chains included: the ones
        validated (a wrong constant already stopped `prepare`)."""
        if not self.threads:
            return self.mapping
        linked = dict.fromkeys(("conversation_id", "message_id"), self.threads[THREAD_ID])
        return {**self.mapping, **linked}

    @property
    def fields(self) -> dict[str, str]:
        """Canonical field -> source column, as shown to the user ("" for a constant)."""
        return {**self.read_fields, **dict.fromkeys(self.constants, "")}


def normalize(source: Source, config: Config, strict: bool = True) -> Normalized:
    """Read, type and validate the file.

    strict (the default): raise an InputError naming the first bad row. Otherwise the
    problems are returned with the frame, for `carecli inspect` to show them all.
    """
    prepared = prepare(source, config)
    return finish(prepared, collect_rows(prepared), strict)


def collect_rows(prepared: Prepared) -> pl.DataFrame:
    """Every row of the file, typed (raises InputError for a file without rows)."""
    frame = collect(prepared.typed, prepared.source)
    if frame.height == 0:
        raise no_data_rows(prepared.source)
    return frame


def row_batches(prepared: Prepared, rows: int) -> Iterator[pl.DataFrame]:
    """The file's typed rows in file order, about `rows` at a time (read errors as
    InputError); `finish` each batch. A file without rows gives none."""
    batches = reading(prepared.source, lambda: prepared.typed.collect_batches(chunk_size=rows))
    while (batch := reading(prepared.source, lambda: next(batches, None))) is not None:
        if batch.height:
            yield batch


def no_data_rows(source: Source) -> InputError:
    """The error for a file that has a header and nothing under it, however it was read."""
    return InputError(f"{source.path}: the file has a header but no data rows")


def prepare(source: Source, config: Config) -> Prepared:
    """Map the columns and plan the typed scan (reads only the header and a sample)."""
    mapping = resolve_mapping(source, config)
    granularity = detect_granularity(source, mapping, config)
    fields = MESSAGE_FIELDS if granularity == "messages" else CONVERSATION_FIELDS
    mapping = {name: column for name, column in mapping.items() if name in fields}
    constants = {k: v for k, v in config.constants.items() if k in fields and k not in mapping}
    threads = thread_columns(source, config)
    for name, value in constants.items():
        known = CANONICAL_VALUES.get(name)
        if known and canonical_value(name, value, config) is None:
            raise InputError(
                f"constants.{name}: {value!r} is not a known {name} ({', '.join(known)})"
            )
    for name in REQUIRED[granularity]:
        if name not in mapping and name not in constants:
            if name == "conversation_id" and threads:
                continue
            raise InputError(
                f"{source.path}: missing required column {name!r} for one row per "
                f"{granularity[:-1]}; add it or map yours with columns: {{{name}: <column>}}"
            )
    pairs = {combined_name(p): p for n, p in config.combined.items() if n in mapping}
    wanted = [*mapping.values(), *threads.values()]
    read = [c for column in wanted for c in pairs.get(column, (column,))]
    columns = list(dict.fromkeys(read))

    def as_read(frame: pl.LazyFrame) -> pl.LazyFrame:
        """Missing-value spellings blanked, split date and time columns joined."""
        return blanked(frame, config.missing).with_columns(
            pl.concat_str(
                pl.col(date).cast(pl.String), pl.col(time).cast(pl.String), separator=" "
            ).alias(name)
            for name, (date, time) in pairs.items()
        )

    scanned = as_read(source.scan(columns))
    # A blank line (often the last of a file) reads as a row of nulls: it is not a record.
    raw = scanned.filter(~pl.all_horizontal(pl.col(c).is_null() for c in columns))
    schema = raw.collect_schema()
    # The probes ignore nulls themselves: the sample is the first rows, unfiltered.
    first = as_read(source.first_rows(columns, SAMPLE_ROWS))
    fast = fast_formats(first, mapping, schema, config, source)
    slow = {name: column for name, column in mapping.items() if name not in fast}
    formats = numeric_date_orders(scanned, slow, schema, config, source)
    # Spelled fields (role, channel, agent...) hold few distinct values: read them as
    # categories and map each distinct spelling once after the scan, not every row.
    spelled = {n: c for n, c in mapping.items() if n in _SPELLED and schema[c] == pl.String}
    direct = {n: c for n, c in mapping.items() if n not in spelled}
    typed = raw.select(
        pl.col(ROW_INDEX),
        *[pl.col(column).alias(RAW + name) for name, column in direct.items()],
        *[
            _typed(name, pl.col(column), schema[column], config, formats.get(name), fast.get(name))
            for name, column in direct.items()
        ],
        *[pl.col(column).cast(pl.Categorical).alias(name) for name, column in spelled.items()],
        *[_typed(name, pl.lit(value), pl.String, config) for name, value in constants.items()],
        *[
            as_text(pl.col(column), schema[column]).alias(alias)
            for alias, column in threads.items()
        ],
    )
    # The raw text is kept only where the typed value is missing, for the problem report:
    # whole copies of every column would double the memory of the largest step.
    typed = typed.with_columns(
        pl.when(pl.col(name).is_null()).then(pl.col(RAW + name)).alias(RAW + name)
        for name in direct
    )
    return Prepared(
        source, config, granularity, mapping, constants, spelled, tuple(fast), threads, typed
    )


def finish(prepared: Prepared, frame: pl.DataFrame, strict: bool = True) -> Normalized:
    """Rows read by `prepared.typed` (all, or those of some conversations) -> canonical.

    Maps the spellings, re-reads missed timestamps, resolves threads and validates.
    """
    source, config, mapping = prepared.source, prepared.config, prepared.mapping
    threads = prepared.threads
    frame = map_spellings(frame, prepared.spelled, config, prepared.known_spellings)
    for name in prepared.fast:
        frame = reparse_missed(frame, name, RAW + name, config)
    side = [f for f in config.agent_side_fields if f in mapping and "role" in mapping]
    if side:  # e.g. the author of a tweet is a brand (agent, team) only on the brand's side
        frame = frame.with_columns(
            pl.when(pl.col("role") == "customer").then(None).otherwise(pl.col(f)).alias(f)
            for f in side
        )
    if threads:
        frame = frame.with_columns(
            conversation_id=thread_roots(frame), message_id=pl.col(THREAD_ID)
        )
        frame = frame.with_columns(pl.col("conversation_id").alias(RAW + "conversation_id"))
    shown, checked = prepared.fields, prepared.read_fields
    if "score" in shown:
        frame, shown, checked = split_score(frame, shown, checked)
    problems = find_problems(frame, source, checked, config)
    if problems and strict:
        raise InputError(problems[0].describe(source.path))
    # Reported above; `inspect` goes on, and a year outside 1-9999 has no Python value.
    frame = frame.with_columns(
        pl.when(out_of_range(name)).then(None).otherwise(pl.col(name)).alias(name)
        for name in TIMESTAMP_FIELDS
        if name in shown
    )
    frame = frame.select(ROW_INDEX, *[_compact(name) for name in shown])
    return Normalized(prepared.granularity, frame, source, shown, tuple(problems))


def _compact(name: str) -> pl.Expr:
    """A column as held from here on: the role and kind of an event (a handful of values,
    all canonical now) as one-byte enums, other few-valued text as categories."""
    if name in _ONE_BYTE:
        return pl.col(name).cast(pl.Enum(_ONE_BYTE[name]))
    return pl.col(name).cast(pl.Categorical) if name in LOW_CARDINALITY else pl.col(name)


def _typed(
    name: str,
    column: pl.Expr,
    dtype: pl.DataType,
    config: Config,
    order: str | None = None,
    fast_format: str | None = None,
) -> pl.Expr:
    if name in TIMESTAMP_FIELDS and fast_format is not None:
        expr = parse_with_format(column, config, fast_format)
    elif name in TIMESTAMP_FIELDS:
        expr = parse_timestamps(column, dtype, config, order)
    elif name in NUMBER_FIELDS:
        text = as_text(column, dtype)
        spelled = config.values.get(name)
        if spelled:  # ratings written as words: map them, "none" meaning no rating
            aliases = {s: c for c, spellings in spelled.items() for s in spellings}
            lowered = text.str.to_lowercase()
            text = pl.when(lowered.is_in([s for s, c in aliases.items() if c == "none"]))
            text = text.then(None).otherwise(lowered.replace(aliases))
        expr = text.cast(pl.Float64, strict=False)
        if name in DURATION_UNITS:
            expr = duration(text, expr, name, config)
    else:
        expr = canonical_text(name, column, dtype, config)
    return expr.alias(name)


def simple_name(name: str) -> str:
    """A column name as matched to a field: case, spaces and dashes do not matter."""
    return name.strip().lower().replace(" ", "_").replace("-", "_")


__all__ = ["CHANNELS", "Normalized", "normalize", "parse_timestamps", "resolve_mapping"]
