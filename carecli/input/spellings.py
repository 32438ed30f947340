"""Value spellings -> canonical values ("Agent", "AGENT ", "staff" -> agent), for the
fields read as categories: each distinct spelling is mapped once, not every row."""

from __future__ import annotations

import polars as pl

from carecli.config.model import Config
from carecli.input.timestamps import as_text
from carecli.input.validate import RAW
from carecli.schema import BUILTIN_ALIASES, CANONICAL_VALUES, ENUM_FIELDS, LOWER_TEXT_FIELDS

# Few distinct values over millions of rows: 4-byte category codes instead of text.
LOW_CARDINALITY = ("role", "event", "channel", "agent", "team", "topic", "priority", "status")
# A field's distinct spellings remembered per file at most (free text in a spelled field
# would otherwise be held whole).
_MAX_KNOWN_SPELLINGS = 100_000
# field -> spelling -> canonical value (None: an unknown spelling)
Spellings = dict[str, dict[str, str | None]]


def map_spellings(
    frame: pl.DataFrame, fields: dict[str, str], config: Config, known: Spellings
) -> pl.DataFrame:
    """Categorical raw spellings -> canonical values, each spelling mapped once per file
    (`known`, filled here), not once per batch or per row.

    The raw spelling is kept (as RAW) only where it maps to nothing, as for other fields.
    """
    if not fields:
        return frame
    columns = []
    # The distinct spellings of every field in one parallel pass, a few values each (cast
    # to text after the unique: a cast before it costs as much as the unique itself).
    distinct = frame.select(
        pl.col(name).unique().drop_nulls().cast(pl.String).implode() for name in fields
    ).row(0)
    for name, spellings in zip(fields, distinct, strict=True):
        mapped = known.setdefault(name, {})
        if new := [spelling for spelling in spellings if spelling not in mapped]:
            if len(mapped) + len(new) > _MAX_KNOWN_SPELLINGS:
                mapped.clear()  # free text, not spellings: bound the memory
            typed = pl.DataFrame({name: new}, schema={name: pl.String}).select(
                canonical_text(name, pl.col(name), pl.String, config)
            )
            mapped.update(zip(new, typed.to_series().to_list(), strict=True))
        canonical = [mapped[spelling] for spelling in spellings]
        dtype = pl.Categorical if name in LOW_CARDINALITY else pl.String
        # Most exports already use the canonical spellings: then no row needs rewriting
        # (a rewrite or a text copy costs ~0.1-0.2 s per column on 10M rows).
        if spellings == canonical:
            columns.append(pl.col(name).cast(dtype))
        else:
            old, new_values = pl.Series(spellings, dtype=pl.String), pl.Series(canonical)
            columns.append(
                pl.col(name).replace_strict(old, new_values, default=None, return_dtype=dtype)
            )
        raw = pl.lit(None, pl.String)
        if unmapped := [s for s, c in zip(spellings, canonical, strict=True) if c is None]:
            unread = pl.Series(unmapped, dtype=pl.String).implode()
            raw = pl.when(pl.col(name).is_in(unread)).then(pl.col(name).cast(pl.String))
        columns.append(raw.alias(RAW + name))
    return frame.with_columns(columns)


def canonical_text(name: str, column: pl.Expr, dtype: pl.DataType, config: Config) -> pl.Expr:
    """A text field's values: mapped onto canonical spellings where the field has them
    (role, channel, priority...), else trimmed (agent, team, topic); blank is null."""
    if name in ENUM_FIELDS or name in LOWER_TEXT_FIELDS:
        return canonical_values(name, column, dtype, config)
    return as_text(column, dtype)


def canonical_value(name: str, value: str, config: Config) -> str | None:
    """One spelling -> its canonical value, None if unknown (for constants)."""
    return pl.select(canonical_values(name, pl.lit(value), pl.String, config)).item()


def canonical_values(name: str, column: pl.Expr, dtype: pl.DataType, config: Config) -> pl.Expr:
    """Map spellings onto canonical values; unknown spellings become null (checked later)."""
    text = as_text(column, dtype).str.to_lowercase()
    aliases: dict[str, str] = {}
    for canonical, spellings in BUILTIN_ALIASES.get(name, {}).items():
        aliases.update({spelling: canonical for spelling in spellings})
    for canonical in CANONICAL_VALUES.get(name, ()):
        aliases.setdefault(canonical, canonical)
    if name == "channel":
        aliases.update({extra: extra for extra in config.channels})
    for canonical, spellings in config.values.get(name, {}).items():
        aliases.update({spelling: canonical for spelling in spellings})
    if not CANONICAL_VALUES.get(name):  # free text such as priority: map what is mapped
        return text.replace(aliases) if aliases else text
    return text.replace_strict(aliases, default=None, return_dtype=pl.String)
