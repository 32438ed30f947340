"""Presets: column mappings for known exports, shipped as YAML data in carecli/presets/.

A preset holds the same input keys as a user's config (columns, values, timestamp_format,
...). The user's own config wins key by key, so a preset can be adapted without copying it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from carecli.config import Config, parse_config
from carecli.errors import ConfigError, UsageError

# Keys a preset may set; everything else (timezone, SLAs, ...) is the user's.
INPUT_KEYS = (
    "granularity",
    "timestamp_format",
    "source_timezone",
    "epoch_unit",
    "csv_separator",
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


def _read(name: str, text: str) -> Preset:
    data = yaml.safe_load(text)
    settings = data.get("settings", {})
    unknown = set(settings) - set(INPUT_KEYS)
    if unknown:  # a packaging bug, not a user error: caught by the tests
        raise ConfigError(f"preset {name}: settings may not set {', '.join(sorted(unknown))}")
    return Preset(
        name=name,
        title=data["title"],
        detect=tuple(data["detect"]),
        caveats=" ".join(str(data.get("caveats", "")).split()),
        settings=parse_config(yaml.safe_dump(settings), None),
        text=text,
    )


def available() -> dict[str, Preset]:
    """Every shipped preset, by name (the file name without .yaml)."""
    presets = {}
    for entry in sorted(resources.files("carecli.presets").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            name = entry.name.removesuffix(".yaml")
            presets[name] = _read(name, entry.read_text(encoding="utf-8"))
    return presets


def get(name: str) -> Preset:
    presets = available()
    if name not in presets:
        raise UsageError(f"unknown preset {name!r}; `carecli presets list` shows them")
    return presets[name]


def detect(columns: Iterable[str]) -> Preset | None:
    """The one preset whose identifying columns are all in the header, else None."""
    header = set(columns)
    matches = [p for p in available().values() if set(p.detect) <= header]
    return matches[0] if len(matches) == 1 else None


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
