"""YAML config -> frozen dataclasses; every problem is reported with its key path and line."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from carecli.config.calendars import Calendar, read_calendars
from carecli.config.notify import Webhook, read_notify
from carecli.config.resources import read_memory_limit
from carecli.config.shapes import (
    ContactCentre,
    read_combined,
    read_contact_centre,
    read_missing,
    read_units,
)
from carecli.config.smtp import SmtpSettings, read_smtp
from carecli.config.targets import Target, read_targets
from carecli.config.values import as_spelled, read_values
from carecli.config.yaml_file import read_yaml
from carecli.errors import ConfigError
from carecli.metrics.entry import Settings
from carecli.schema import CHANNELS, FIELDS

INPUT_FORMATS = ("auto", "csv", "jsonl", "parquet")
GRANULARITIES = ("auto", "messages", "conversations")
EPOCH_UNITS = ("auto", "s", "ms")
CLOCKS = ("calendar", "business")
_MAX_PROBLEM = 300  # characters: a huge value in a message is cut, the line stays readable


@dataclass(frozen=True)
class CsatConfig:
    """How CSAT ratings are read: the scale and the lowest rating that counts as satisfied."""

    scale_min: int = 1
    scale_max: int = 5
    satisfied_min: int = 4


@dataclass(frozen=True)
class Config:
    """Everything carecli reads from the YAML config, with defaults for every key."""

    timezone: str = "UTC"
    source_timezone: str = "UTC"
    timestamp_format: str | None = None
    epoch_unit: str = "auto"
    input_format: str = "auto"
    granularity: str = "auto"
    csv_separator: str = ","
    columns: Mapping[str, str] = field(default_factory=dict)
    combined: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # [Date, Time]
    units: Mapping[str, float] = field(default_factory=dict)  # duration field -> s per unit
    missing: tuple[str, ...] = ()  # spellings of an empty cell, lower-cased
    contact_centre: ContactCentre = field(default_factory=ContactCentre)
    values: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    channels: tuple[str, ...] = ()
    csat: CsatConfig = field(default_factory=CsatConfig)
    slas: tuple[Target, ...] = ()
    smtp: SmtpSettings | None = None
    notify: tuple[Webhook, ...] = ()  # chat webhooks every `carecli report` posts to
    calendars: Mapping[str, Calendar] = field(default_factory=dict)
    clock: str = "calendar"  # "calendar" or "business": how durations are measured
    channel_calendars: Mapping[str, str] = field(default_factory=dict)  # channel -> calendar
    preset: str | None = None
    constants: Mapping[str, str] = field(default_factory=dict)
    threads: Mapping[str, str] = field(default_factory=dict)  # message_id, reply_to columns
    agent_side_fields: tuple[str, ...] = ()  # fields ignored on customer rows
    memory_limit: int | None = None  # bytes; None: a share of the available memory
    path: Path | None = None
    explicit: frozenset[str] = frozenset()  # the keys the file set (presets fill the others)

    @property
    def metric_settings(self) -> Settings:
        """What the metrics' statistics depend on: the satisfied rating, contact-centre times."""
        return Settings(
            satisfied_min=self.csat.satisfied_min,
            answer_within_s=self.contact_centre.answer_within_s,
            short_abandon_s=self.contact_centre.short_abandon_s,
            queue_channels=self.contact_centre.channels,
        )


def parse_config(text: str, path: Path | None = None) -> Config:
    """Parse YAML text (safe loader only) into a Config, collecting every problem."""
    where = str(path) if path else "<config>"
    data, lines = read_yaml(text, where)
    if data is None:
        return Config(path=path)
    reader = _Reader(where, lines)
    if not isinstance(data, dict):
        reader.problem((), "the config must be a mapping of keys (timezone:, columns:, ...)")
        reader.raise_if_any()
    config = reader.read_config(data, path)
    reader.raise_if_any()
    return config


def config_from_data(data: dict[str, Any], where: str) -> Config:
    """A Config from data already read (a shipped preset's settings): as parse_config,
    without line numbers."""
    reader = _Reader(where, {})
    config = reader.read_config(data, None)
    reader.raise_if_any()
    return config


def format_key_path(key_path: tuple[Any, ...]) -> str:
    out = ""
    for part in key_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class _Reader:
    """Reads the raw YAML data, recording problems instead of stopping at the first."""

    def __init__(self, where: str, lines: dict[tuple[Any, ...], int]) -> None:
        self.where = where
        self.lines = lines
        self.problems: list[str] = []

    def problem(self, key_path: tuple[Any, ...], message: str) -> None:
        # A missing key has no line of its own: point at the nearest enclosing one.
        line = None
        for depth in range(len(key_path), -1, -1):
            line = self.lines.get(key_path[:depth])
            if line is not None:
                break
        loc = f"{self.where}:{line}" if line else self.where
        if len(message) > _MAX_PROBLEM:
            message = message[: _MAX_PROBLEM - 3] + "..."
        self.problems.append(f"{loc}: {format_key_path(key_path)}: {message}")

    def raise_if_any(self) -> None:
        if self.problems:
            extra = len(self.problems) - 1
            more = f" (and {extra} more problem{'s' if extra > 1 else ''})" if extra else ""
            raise ConfigError(self.problems[0] + more, self.problems)

    def choice(self, data: dict, key: str, choices: tuple[str, ...], default: str) -> str:
        value = default if data.get(key) is None else data[key]  # left empty: the default
        if value not in choices:
            self.problem((key,), f"{value!r} is not one of {', '.join(choices)}")
            return default
        return value

    def string(self, data: dict, key_path: tuple[Any, ...], value: Any, default: Any) -> Any:
        if value is None:
            return default
        if not isinstance(value, str) or not value:
            self.problem(key_path, f"expected a text value, got {value!r}")
            return default
        return value

    def timezone(self, data: dict, key: str) -> str:
        value = self.string(data, (key,), data.get(key), "UTC")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
            self.problem((key,), f"{value!r} is not an IANA timezone; use e.g. Europe/Paris or UTC")
            return "UTC"
        return value

    def read_config(self, data: dict, path: Path | None) -> Config:
        known = {
            "timezone",
            "source_timezone",
            "timestamp_format",
            "epoch_unit",
            "input_format",
            "granularity",
            "csv_separator",
            "columns",
            "values",
            "channels",
            "csat",
            "slas",
            "smtp",
            "notify",
            "calendars",
            "clock",
            "channel_calendars",
            "preset",
            "constants",
            "threads",
            "agent_side_fields",
            "units",
            "missing",
            "contact_centre",
            "memory_limit",
        }
        for key in data:
            if key not in known:
                hint = difflib.get_close_matches(str(key), sorted(known), n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                self.problem((key,), f"unknown key{suggestion} (see config.example.yaml)")
        channels = self.read_channels(data.get("channels"))
        calendars = read_calendars(data.get("calendars"), self.problem)
        separator = self.string(data, ("csv_separator",), data.get("csv_separator"), ",")
        # polars splits on one byte: a multi-byte (non-ASCII) character cannot be one.
        if len(separator) != 1 or not separator.isascii() or separator in '\r\n"':
            self.problem(
                ("csv_separator",),
                f"{separator[:20]!r} must be a single character, ASCII and not a quote or a "
                'line break, e.g. ";", "|" or "\\t" (a tab)',
            )
            separator = ","
        slas = read_targets(data.get("slas"), self.problem)
        known = (*CHANNELS, *channels)
        for target in slas:
            for value in target.where.get("channel", ()):
                if value not in known:
                    self.problem(
                        ("slas", target.index, "where", "channel"),
                        f"{value[:60]!r} is not a channel; known channels: {', '.join(known)} "
                        "(add yours under channels:)",
                    )
        for target in slas:
            if target.calendar is not None and target.calendar not in calendars:
                self.problem(
                    ("slas", target.index, "calendar"),
                    f"unknown calendar {target.calendar!r}; define it under calendars:",
                )
        return Config(
            timezone=self.timezone(data, "timezone"),
            source_timezone=self.timezone(data, "source_timezone"),
            timestamp_format=self.string(
                data, ("timestamp_format",), data.get("timestamp_format"), None
            ),
            epoch_unit=self.choice(data, "epoch_unit", EPOCH_UNITS, "auto"),
            input_format=self.choice(data, "input_format", INPUT_FORMATS, "auto"),
            granularity=self.choice(data, "granularity", GRANULARITIES, "auto"),
            csv_separator=separator,
            columns=self.read_columns(data.get("columns")),
            combined=self.read_combined(data.get("columns")),
            units=read_units(data.get("units"), self.problem),
            missing=read_missing(data.get("missing"), self.problem),
            contact_centre=read_contact_centre(data.get("contact_centre"), self.problem),
            values=read_values(data.get("values"), self.problem, channels),
            channels=channels,
            csat=self.read_csat(data.get("csat")),
            slas=slas,
            smtp=read_smtp(data.get("smtp"), self.problem),
            notify=read_notify(data.get("notify"), self.problem),
            calendars=calendars,
            clock=self.choice(data, "clock", CLOCKS, "calendar"),
            channel_calendars=self.read_channel_calendars(data.get("channel_calendars"), calendars),
            preset=self.string(data, ("preset",), data.get("preset"), None),
            constants=self.read_constants(data.get("constants")),
            threads=self.read_threads(data.get("threads")),
            agent_side_fields=self.read_agent_side(data.get("agent_side_fields")),
            memory_limit=read_memory_limit(data.get("memory_limit"), self.problem),
            path=path,
            # A key left empty keeps its default: it does not count as set (over a preset's).
            explicit=frozenset(str(k) for k, v in data.items() if v is not None),
        )

    def read_columns(self, raw: Any) -> dict[str, str]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(("columns",), "expected a mapping of canonical field: your column name")
            return {}
        columns: dict[str, str] = {}
        for name, source in raw.items():
            if name not in FIELDS:
                hint = difflib.get_close_matches(str(name), sorted(FIELDS), n=1)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
                self.problem(("columns", name), f"unknown field{suggestion} (see docs/config.md)")
            elif isinstance(source, list):
                continue  # a date and a time column: read_combined
            elif not isinstance(source, str) or not source:
                self.problem(("columns", name), f"expected a column name, got {source!r}")
            else:
                columns[name] = source
        return columns

    def read_combined(self, raw: Any) -> dict[str, tuple[str, str]]:
        if not isinstance(raw, dict):
            return {}
        combined = {}
        for name, source in raw.items():
            if name in FIELDS and isinstance(source, list):
                pair = read_combined(name, source, self.problem)
                if pair is not None:
                    combined[name] = pair
        return combined

    def read_channel_calendars(self, raw: Any, calendars: Mapping[str, Calendar]) -> dict[str, str]:
        """Which calendar each channel's SLA clock follows; `default` for the others."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(("channel_calendars",), "expected a mapping of channel: calendar name")
            return {}
        chosen: dict[str, str] = {}
        for channel, name in raw.items():
            if not isinstance(name, str) or name not in calendars:
                known = ", ".join(calendars) or "none defined under calendars:"
                self.problem(("channel_calendars", channel), f"unknown calendar {name!r} ({known})")
            else:
                chosen[str(channel).strip().lower()] = name
        return chosen

    def read_constants(self, raw: Any) -> dict[str, str]:
        """Fixed values for fields the file lacks, e.g. {channel: twitter} for one-channel data."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(
                ("constants",), "expected a mapping of field: value, e.g. {channel: email}"
            )
            return {}
        constants: dict[str, str] = {}
        for name, value in raw.items():
            if name not in FIELDS:
                self.problem(("constants", name), "unknown field (see docs/config.md)")
            elif isinstance(value, dict | list) or value is None:
                self.problem(("constants", name), "expected a single value")
            else:
                constants[name] = as_spelled(value) if isinstance(value, bool) else str(value)
        return constants

    def read_threads(self, raw: Any) -> dict[str, str]:
        """Reply chains: conversation = the root of each message's chain of replies."""
        if raw is None:
            return {}
        if not isinstance(raw, dict) or set(raw) != {"message_id", "reply_to"}:
            self.problem(("threads",), "expected {message_id: <column>, reply_to: <column>}")
            return {}
        if not all(isinstance(v, str) and v for v in raw.values()):
            self.problem(("threads",), "message_id and reply_to must name columns")
            return {}
        return dict(raw)

    def read_agent_side(self, raw: Any) -> tuple[str, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or any(f not in ("agent", "team") for f in raw):
            self.problem(("agent_side_fields",), "expected a list of agent and/or team")
            return ()
        return tuple(raw)

    def read_channels(self, raw: Any) -> tuple[str, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list) or not all(isinstance(c, str) and c for c in raw):
            self.problem(("channels",), "expected a list of extra channel names, e.g. [sms, line]")
            return ()
        return tuple(c.strip().lower() for c in raw)

    def read_csat(self, raw: Any) -> CsatConfig:
        if raw is None:
            return CsatConfig()
        if not isinstance(raw, dict):
            self.problem(("csat",), "expected a mapping with scale: and satisfied_min:")
            return CsatConfig()
        for key in raw:
            if key not in ("scale", "satisfied_min"):
                self.problem(("csat", key), "unknown key; use scale: [1, 5] or satisfied_min: 4")
        scale = raw.get("scale", [1, 5])
        if not (
            isinstance(scale, list)
            and len(scale) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in scale)
            and scale[0] < scale[1]
        ):
            self.problem(("csat", "scale"), f"{scale!r} must be [lowest, highest], e.g. [1, 5]")
            return CsatConfig()
        satisfied = raw.get("satisfied_min", scale[1] - 1)
        whole = isinstance(satisfied, int) and not isinstance(satisfied, bool)
        if not whole or not scale[0] <= satisfied <= scale[1]:
            self.problem(
                ("csat", "satisfied_min"),
                f"{satisfied!r} must be a whole rating between {scale[0]} and {scale[1]}",
            )
            return CsatConfig()
        return CsatConfig(scale_min=scale[0], scale_max=scale[1], satisfied_min=satisfied)
