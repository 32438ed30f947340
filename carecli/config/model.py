"""YAML config -> frozen dataclasses; every problem is reported with its key path and line."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from carecli.config.calendars import Calendar, read_calendars
from carecli.config.smtp import SmtpSettings, read_smtp
from carecli.config.targets import Target, read_targets
from carecli.config.yaml_file import read_yaml
from carecli.errors import ConfigError
from carecli.schema import CANONICAL_VALUES, CHANNELS, FIELDS

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
    values: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    channels: tuple[str, ...] = ()
    csat: CsatConfig = field(default_factory=CsatConfig)
    slas: tuple[Target, ...] = ()
    smtp: SmtpSettings | None = None
    calendars: Mapping[str, Calendar] = field(default_factory=dict)
    clock: str = "calendar"  # "calendar" or "business": how durations are measured
    channel_calendars: Mapping[str, str] = field(default_factory=dict)  # channel -> calendar
    preset: str | None = None
    constants: Mapping[str, str] = field(default_factory=dict)
    threads: Mapping[str, str] = field(default_factory=dict)  # message_id, reply_to columns
    agent_side_fields: tuple[str, ...] = ()  # fields ignored on customer rows
    path: Path | None = None
    explicit: frozenset[str] = frozenset()  # the keys the file set (presets fill the others)


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
            "calendars",
            "clock",
            "channel_calendars",
            "preset",
            "constants",
            "threads",
            "agent_side_fields",
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
            values=self.read_values(data.get("values"), channels),
            channels=channels,
            csat=self.read_csat(data.get("csat")),
            slas=slas,
            smtp=read_smtp(data.get("smtp"), self.problem),
            calendars=calendars,
            clock=self.choice(data, "clock", CLOCKS, "calendar"),
            channel_calendars=self.read_channel_calendars(data.get("channel_calendars"), calendars),
            preset=self.string(data, ("preset",), data.get("preset"), None),
            constants=self.read_constants(data.get("constants")),
            threads=self.read_threads(data.get("threads")),
            agent_side_fields=self.read_agent_side(data.get("agent_side_fields")),
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
            elif not isinstance(source, str) or not source:
                self.problem(("columns", name), f"expected a column name, got {source!r}")
            else:
                columns[name] = source
        return columns

    def read_values(
        self, raw: Any, raw_channels: tuple[str, ...] = ()
    ) -> dict[str, dict[str, tuple[str, ...]]]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problem(("values",), "expected a mapping of field: {canonical value: [spellings]}")
            return {}
        values: dict[str, dict[str, tuple[str, ...]]] = {}
        for field_name, mapping in raw.items():
            key_path = ("values", field_name)
            if field_name not in CANONICAL_VALUES:
                allowed = ", ".join(sorted(CANONICAL_VALUES))
                self.problem(key_path, f"value spellings can be mapped for {allowed} only")
                continue
            if not isinstance(mapping, dict):
                self.problem(key_path, "expected a mapping of canonical value: [spellings]")
                continue
            values[field_name] = {}
            extra_channels = raw_channels if field_name == "channel" else ()
            for canonical, spellings in mapping.items():
                sub_path = (*key_path, canonical)
                allowed_values = CANONICAL_VALUES[field_name] + tuple(extra_channels)
                if field_name == "priority":
                    canonical = str(canonical).strip().lower()  # one group per priority
                if CANONICAL_VALUES[field_name] and canonical not in allowed_values:
                    self.problem(
                        sub_path, f"{canonical!r} is not one of {', '.join(allowed_values)}"
                    )
                    continue
                items = spellings if isinstance(spellings, list) else [spellings]
                if not items or any(isinstance(s, (dict, list)) or s is None for s in items):
                    self.problem(sub_path, "expected a spelling or a list of spellings")
                    continue
                spelled = tuple(_spelling(s) for s in items)
                for spelling in spelled:  # one spelling, two meanings: the last would win
                    other = next(
                        (c for c, known in values[field_name].items() if spelling in known), None
                    )
                    if other is not None and other != str(canonical):
                        self.problem(
                            sub_path,
                            f"{spelling[:60]!r} is also a spelling of {other!r} "
                            f"(values.{field_name}.{other}); keep it under one of them",
                        )
                values[field_name][str(canonical)] = spelled
        return values

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
                constants[name] = _spelling(value) if isinstance(value, bool) else str(value)
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


def _spelling(value: Any) -> str:
    """YAML turns `true` into a bool and `1` into an int; match them as the text a file holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()
