"""Presets: column mappings for known exports, shipped as YAML data in carecli/presets/.

A preset holds the same input keys as a user's config (columns, values, timestamp_format,
...). The user's own config wins key by key, so a preset can be adapted without copying it.

Exports whose users pick the columns, or whose column names carry a setting, need two more
things, settled against each file's header by `for_file`:

- `optional:` (top level of the preset) lists canonical fields the export may lack: a
  missing optional column is simply not mapped. The user's own `columns:` stay strict.
  `required:` says it the other way round, for exports whose users pick the columns
  (Zendesk, Freshdesk, Intercom): every mapped field but these may be left out.
- `core:` (with `required:`) are the columns a reduced export still has: a header with
  all of them and at least two more of the preset's columns detects it (see `detect`).
- `{tz}` in a column name is a placeholder for an IANA timezone, as in Intercom's
  "Conversation started at (Europe/Berlin)". The one header column that matches is mapped,
  and unless the user set `source_timezone:`, the zone it names becomes the source timezone.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import polars as pl
import yaml

from carecli.config.model import Config, config_from_data
from carecli.errors import ConfigError, InputError, UsageError
from carecli.input.load import Source

# In a column name: "an IANA timezone here" (Intercom names timestamp columns after it).
TZ_PLACEHOLDER = "{tz}"

# Keys a preset may set; everything else (timezone, SLAs, ...) is the user's.
INPUT_KEYS = (
    "granularity",
    "timestamp_format",
    "source_timezone",
    "epoch_unit",
    # Not csv_separator: the header must be split into columns before a preset is chosen.
    "columns",
    "values",
    "channels",
    "constants",
    "threads",
    "agent_side_fields",
)


@dataclass(frozen=True)
class Preset:
    """A named mapping for one kind of export, and the header columns that identify it."""

    name: str
    title: str
    detect: tuple[str, ...]
    caveats: str
    settings: Config
    text: str  # the YAML as shipped, for `carecli presets show`
    optional: frozenset[str] = frozenset()  # canonical fields a file may lack
    core: tuple[str, ...] = ()  # the columns a reduced export keeps (detection)

    def known_columns(self, header: Iterable[str]) -> int:
        """How many of the header's columns this preset knows (by name or {tz} pattern)."""
        names = {*self.detect, *self.settings.columns.values()}
        patterns = [_tz_pattern(n) for n in names if TZ_PLACEHOLDER in n]
        return sum(1 for c in header if c in names or any(p.fullmatch(c) for p in patterns))


# The shipped files are ours and valid: read with libyaml's safe loader where PyYAML has it
# (the same safe semantics, ~10x faster), each preset once per run.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(name: str, text: str) -> Preset:
    data = yaml.load(text, Loader=_LOADER)  # safe_load semantics: see _LOADER
    settings = data.get("settings", {})
    unknown = set(settings) - set(INPUT_KEYS)
    if unknown:  # a packaging bug, not a user error: caught by the tests
        raise ConfigError(f"preset {name}: settings may not set {', '.join(sorted(unknown))}")
    mapped = set(settings.get("columns") or {})
    optional = frozenset(data.get("optional") or ())
    if "required" in data:
        optional = frozenset(mapped - set(data["required"]))
    unmapped = optional - mapped
    if unmapped:
        raise ConfigError(f"preset {name}: optional fields it does not map: {sorted(unmapped)}")
    return Preset(
        name=name,
        title=data["title"],
        detect=tuple(data["detect"]),
        caveats=" ".join(str(data.get("caveats", "")).split()),
        settings=config_from_data(settings, f"preset {name}"),
        text=text,
        optional=optional,
        core=tuple(data.get("core") or ()),
    )


def available() -> dict[str, Preset]:
    """Every shipped preset, by name (the file name without .yaml)."""
    return dict(_shipped())


@functools.cache
def _shipped() -> dict[str, Preset]:
    # Read once per process: parsing them all takes ~0.25 s, and a run asks twice (the
    # pre-scan and the load) per file.
    presets = {}
    for entry in sorted(resources.files("carecli.input.presets").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            name = entry.name.removesuffix(".yaml")
            presets[name] = _read(name, entry.read_text(encoding="utf-8"))
    return presets


def get(name: str) -> Preset:
    presets = available()
    if name not in presets:
        raise UsageError(f"unknown preset {name!r}; `carecli presets list` shows them")
    return presets[name]


# A reduced export: its core columns and this many more of the preset's.
_REDUCED_EXTRA = 2


def detect(columns: Iterable[str]) -> Preset | None:
    """The one preset whose identifying columns are all in the header; failing that, the
    one whose core columns are there with the most of its other columns (a reduced
    export: Zendesk, Freshdesk and Intercom let users pick the columns); else None."""
    header = list(columns)
    matches = [p for p in available().values() if set(p.detect) <= set(header)]
    if matches:
        return matches[0] if len(matches) == 1 else None
    scored = [
        (p.known_columns(header), p)
        for p in available().values()
        if p.core and set(p.core) <= set(header)
    ]
    scored = [(n, p) for n, p in scored if n >= len(p.core) + _REDUCED_EXTRA]
    best = max((n for n, _ in scored), default=0)
    top = [p for n, p in scored if n == best]
    return top[0] if len(top) == 1 else None


def apply(config: Config, preset: Preset) -> Config:
    """The preset's input settings under the user's: explicit user keys win, maps merge."""
    changes: dict[str, Any] = {}
    for key in INPUT_KEYS:
        field = {"source_timezone": "source_timezone"}.get(key, key)
        mine, theirs = getattr(config, field), getattr(preset.settings, field)
        if key in ("columns", "constants", "threads"):
            changes[field] = {**theirs, **mine}
        elif key == "values":
            merged = {name: dict(spellings) for name, spellings in theirs.items()}
            for name, spellings in mine.items():
                merged.setdefault(name, {}).update(spellings)
            changes[field] = merged
        elif key in ("channels", "agent_side_fields"):
            changes[field] = tuple(dict.fromkeys((*theirs, *mine)))
        elif key not in config.explicit:
            changes[field] = theirs
    return dataclasses.replace(config, preset=preset.name, **changes)


def for_file(config: Config, preset: Preset | None, header: Sequence[str], where: object) -> Config:
    """`config` with `preset` applied (if any) and its columns settled against one file's
    header: `{tz}` patterns become the matching column, missing optional columns are
    dropped. `where` (the file) starts error messages.
    """
    optional: frozenset[str] = frozenset()
    if preset is not None:
        optional = preset.optional - set(config.columns)  # the user's own columns stay strict
        _require(preset, config, header, where)
        config = apply(config, preset)
    return fit_columns(config, header, where, optional)


def _require(preset: Preset, config: Config, header: Sequence[str], where: object) -> None:
    """A column the preset cannot do without is the export's problem, not a config's."""
    for field, column in preset.settings.columns.items():
        if field in preset.optional or field in config.columns or TZ_PLACEHOLDER in column:
            continue
        if column not in header:
            raise InputError(
                f"{where}: the {preset.name} preset needs column {column!r} ({field}), which "
                f"the file does not have; export it too, or map another column in the config: "
                f"preset: {preset.name} and columns: {{{field}: <column>}}"
            )


def fit_columns(
    config: Config, header: Sequence[str], where: object, optional: frozenset[str] = frozenset()
) -> Config:
    """Resolve `{tz}` column patterns and drop absent `optional` fields (see module doc)."""
    present = set(header)
    columns: dict[str, str] = {}
    zones: dict[str, str] = {}  # header column -> the timezone its name carries
    for field, column in config.columns.items():
        if TZ_PLACEHOLDER in column:
            pattern = _tz_pattern(column)
            found = [(name, m["tz"]) for name in header if (m := pattern.fullmatch(name))]
            if len(found) > 1:
                shown = ", ".join(repr(name) for name, _ in found)
                raise InputError(
                    f"{where}: columns.{field} {column!r} matches {len(found)} columns "
                    f"({shown}); name one under columns: in the config"
                )
            if found:
                name, zone = found[0]
                columns[field] = name
                zones[name] = zone
            elif field not in optional:
                shown = column.replace(TZ_PLACEHOLDER, "<timezone>")
                raise InputError(
                    f"{where}: columns.{field} names column {shown!r}, which the file does "
                    f"not have; its columns are: {_listed(header)}"
                )
        elif column in present or field not in optional:
            columns[field] = column  # a missing required column: resolve_mapping says so
    if columns == config.columns and not zones:
        return config
    changes: dict[str, Any] = {"columns": columns}
    if zones and "source_timezone" not in config.explicit:
        changes["source_timezone"] = _one_zone(zones, where)
    return dataclasses.replace(config, **changes)


def _tz_pattern(column: str) -> re.Pattern[str]:
    """`Started at ({tz})` -> a regex capturing the zone as `tz` (the same zone if repeated)."""
    first, *rest = column.split(TZ_PLACEHOLDER)
    regex = re.escape(first)
    for i, part in enumerate(rest):
        regex += ("(?P<tz>[^()]+?)" if i == 0 else "(?P=tz)") + re.escape(part)
    return re.compile(regex)


def _one_zone(zones: dict[str, str], where: object) -> str:
    """The timezone the column names agree on; an error naming the column otherwise."""
    for column, zone in zones.items():
        try:  # the IANA database the timestamps are read with (zoneinfo knows "localtime")
            pl.Series([None], dtype=pl.Datetime("us")).dt.replace_time_zone(zone)
        except pl.exceptions.ComputeError:
            raise InputError(
                f"{where}: column {column!r}: {zone!r} is not an IANA timezone; "
                "set source_timezone: in the config"
            ) from None
    (first, zone), *others = zones.items()
    for column, other in others:
        if other != zone:
            raise InputError(
                f"{where}: columns {first!r} and {column!r} name different timezones; "
                "set source_timezone: in the config"
            )
    return zone


def _listed(columns: Sequence[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:12])
    return shown + (f" and {len(columns) - 12} more" if len(columns) > 12 else "")


def with_preset(
    source: Source, config: Config, name: str | None = None
) -> tuple[Config, tuple[str, ...]]:
    """Apply the named preset (--preset, else the config's), or one detected from the header.

    Detection only happens when the user mapped nothing themselves, and only when exactly
    one preset matches the header. The columns are then settled against this file's header
    (`{tz}` patterns, optional preset columns: below).
    """
    name = name or config.preset
    if name:
        return for_file(config, get(name), source.columns, source.path), ()
    if config.columns or config.threads:
        return for_file(config, None, source.columns, source.path), ()
    found = detect(source.columns)
    if found is None:
        return config, ()
    note = f"using preset {found.name!r} ({found.title}), detected from the header of {source.path}"
    return for_file(config, found, source.columns, source.path), (note,)
