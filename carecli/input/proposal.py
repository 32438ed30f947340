"""A config proposed for an export carecli does not know: the columns input/guess.py
placed, plus what the values say (spellings, date format, units, "no value" cells), as
YAML the user can keep (`carecli inspect FILE --write-config carecli.yaml`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from carecli.config.model import Config, parse_config
from carecli.errors import InputError
from carecli.input import presets
from carecli.input.aggregate import summary_error
from carecli.input.guess import (
    GUESS,
    SURE,
    Placement,
    choose_granularity,
    name_matches,
    place,
    supports,
)
from carecli.input.load import Source
from carecli.input.normalize import REQUIRED, detect_granularity, resolve_mapping
from carecli.input.profile import Profile, distinct_values, profile_columns
from carecli.input.synonyms import (
    DATE_FORMATS,
    DURATION_FIELDS,
    FLAG_FIELDS,
    VALUE_SPELLINGS,
    simplify,
)
from carecli.input.timestamps import TIMESTAMP_FIELDS
from carecli.schema import BUILTIN_ALIASES, CANONICAL_VALUES, CONVERSATION_FIELDS, MESSAGE_FIELDS

_SPELLED = ("role", "event", "status", "channel", *FLAG_FIELDS)
# The order keys are written in: how the file is read, then what its columns mean.
_KEY_ORDER = ("preset", "granularity", "csv_separator", "timestamp_format", "missing")
_KEY_ORDER += ("columns", "units", "values", "channels")
_INBOUND = ("inbound", "incoming", "is inbound", "from customer", "eingehend", "entrante")


@dataclass(frozen=True)
class Proposal:
    """The proposed config of one file, and how sure each part of it is."""

    source: Source
    granularity: str
    placements: tuple[Placement, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)  # config key -> value
    unplaced: tuple[str, ...] = ()  # columns no field was found for
    doubts: tuple[str, ...] = ()  # what the user should check or could not be mapped
    preset: str | None = None
    # field -> {value as written: canonical value}, for the fields whose spellings matter
    read_as: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def confidence(self) -> str:
        """sure when every required field is sure, guess when one is a guess."""
        if self.preset:
            return SURE
        required = [p for p in self.placements if p.field in REQUIRED[self.granularity]]
        levels = {p.confidence for p in required}
        return GUESS if GUESS in levels else (SURE if levels <= {SURE} else "likely")

    def text(self) -> str:
        """The proposal as a commented carecli.yaml (valid: `carecli validate` passes)."""
        return to_yaml(self)

    def config(self) -> Config:
        return parse_config(self.text())


def readable_as_is(source: Source, config: Config) -> bool:
    """Whether the file reads without a proposal: canonical names or the user's columns."""
    try:
        mapping = resolve_mapping(source, config)
        granularity = detect_granularity(source, mapping, config)
    except InputError:
        return False
    return all(name in mapping for name in REQUIRED[granularity])


def proposal_for(
    source: Source, config: Config, always: bool = False, preset: str | None = None
) -> Proposal | None:
    """The proposal `inspect` shows: for a file that does not read as it is, or that reads
    worse than proposed (a "Created At" column read as tickets where the rows are
    messages with a "Sender Type"); `always` (--write-config) makes one in any case."""
    if preset:  # --preset: that is the mapping
        found = presets.get(preset)
        settings = {"preset": preset}
        chosen = Proposal(source, found.settings.granularity, settings=settings, preset=preset)
        return chosen if always else None
    if always:
        return propose(source)
    if config.preset or config.columns or config.threads or presets.detect(source.columns):
        return None
    if not readable_as_is(source, config):
        return propose(source)
    canonical = {simplify(name) for name in (*MESSAGE_FIELDS, *CONVERSATION_FIELDS)}
    if all(simplify(column) in canonical for column in source.columns if column.strip()):
        return None
    proposal = propose(source)
    mapping = resolve_mapping(source, config)
    as_is = detect_granularity(source, mapping, config)
    better = proposal.granularity != as_is or not set(proposal.settings["columns"]) <= set(mapping)
    return proposal if better else None


def propose(source: Source) -> Proposal:
    """Guess the config of `source` (reads a sample, and the distinct values of the few
    columns whose spellings matter). A summary file (counts per day) is an InputError."""
    found = presets.detect(source.columns)
    if found is not None:
        settings = {"preset": found.name}
        return Proposal(source, found.settings.granularity, settings=settings, preset=found.name)
    if not any(m.concept == "conversation_id" for c in source.columns for m in name_matches(c)):
        error = summary_error(source)
        if error is not None:
            raise error
    profiles = profile_columns(source)
    distinct = {c: distinct_values(source, c) for c, p in profiles.items() if _few(p)}
    role_ok = {c: _roles(c, distinct.get(c, [])) is not None for c in profiles}
    granularity = choose_granularity(profiles, role_ok)
    placements = _surveys(place(profiles, granularity), profiles)
    builder = _Builder(source, profiles, distinct, granularity)
    kept = tuple(p for p in (builder.settle(p) for p in placements) if p is not None)
    builder.timestamps(kept)
    order = {column: i for i, column in enumerate(profiles)}
    kept = tuple(sorted(kept, key=lambda p: order[p.columns[0]]))  # as the file has them
    used = {c for p in kept for c in p.columns}
    unplaced = tuple(c for c in profiles if c not in used)
    columns = {p.field: list(p.columns) if len(p.columns) > 1 else p.columns[0] for p in kept}
    settings = {**builder.settings, "columns": columns}
    settings = {k: settings[k] for k in _KEY_ORDER if k in settings}
    return Proposal(
        source, granularity, kept, settings, unplaced, tuple(builder.doubts), None, builder.read
    )


def _surveys(placements: list[Placement], profiles: dict[str, Profile]) -> list[Placement]:
    """A score column means CSAT on csat events and NPS on nps events: without an event
    column it is the survey its values fit (1-5 CSAT, else 0-10 NPS)."""
    fields = {p.field for p in placements}
    if "score" not in fields or "event" in fields:
        return placements
    out = []
    for p in placements:
        if p.field == "score":
            survey = "csat" if profiles[p.columns[0]].within(1, 5) else "nps"
            if survey in fields:
                continue
            p = replace(p, field=survey)
        out.append(p)
    return out


def _few(p: Profile) -> bool:
    return p.kind in ("text", "flag", "number") and p.distinct <= 50


def _roles(column: str, values: list[str]) -> dict[str, list[str]] | None:
    """Role spellings of a column (customer and agent both present), None if not roles."""
    if simplify(column) in _INBOUND:  # Inbound: true = the customer wrote it
        flags = _spellings("escalated", values)[0]
        if flags.get("true") or flags.get("false"):
            return {"customer": flags.get("true", []), "agent": flags.get("false", [])}
    found, unknown = _spellings("role", values)
    return found if found and not unknown else None


def _spellings(name: str, values: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Canonical value -> the spellings of `values` that mean it, and those that mean none."""
    builtin = BUILTIN_ALIASES.get(name) or BUILTIN_ALIASES["escalated"]
    extra = VALUE_SPELLINGS.get("flag" if name in FLAG_FIELDS else name, {})
    found: dict[str, list[str]] = {}
    unknown = []
    for value in values:
        low = value.strip().lower()
        canonical = next((c for c, s in builtin.items() if low in s), None)
        if canonical is None and low in CANONICAL_VALUES.get(name, ()):
            canonical = low
        if canonical is None:
            canonical = next(
                (c for c, s in extra.items() if low in s or simplify(low) in map(simplify, s)),
                None,
            )
        if canonical is None:
            unknown.append(value)
        else:
            found.setdefault(canonical, []).append(low)
    return found, unknown


class _Builder:
    """Collects the settings and doubts while the placements are settled one by one."""

    def __init__(
        self,
        source: Source,
        profiles: dict[str, Profile],
        distinct: dict[str, list[str]],
        granularity: str,
    ) -> None:
        self.profiles, self.distinct = profiles, distinct
        self.settings: dict[str, Any] = {"granularity": granularity}
        if source.format == "csv" and source.separator != ",":
            self.settings["csv_separator"] = source.separator
        self.doubts: list[str] = []
        self.read: dict[str, dict[str, str]] = {}

    def values(self, name: str, canonical: str, spellings: list[str]) -> None:
        mine = self.settings.setdefault("values", {}).setdefault(name, {})
        mine.setdefault(canonical, [])
        mine[canonical] += [s for s in spellings if s not in mine[canonical]]

    def settle(self, placement: Placement) -> Placement | None:
        """Spellings, units and empty cells of one placed column; None to drop it."""
        name, column = placement.field, placement.columns[0]
        profile = self.profiles[column]
        if name in _SPELLED:
            return self._spelled(placement, self.distinct.get(column, []))
        if name in DURATION_FIELDS or name == "first_response_minutes":
            placement = self._duration(placement, profile)
            if placement is None:
                return None
        if name == "csat" and profile.low == 0:
            self.values("csat", "none", ["0"])
            self.doubts.append(f"{column!r}: 0 read as no rating (the scale is 1-5)")
        self._empty_cells(placement, profile)
        return placement

    def _spelled(self, placement: Placement, values: list[str]) -> Placement | None:
        name, column = placement.field, placement.columns[0]
        if name == "role":
            roles = _roles(column, values)
            if roles is None:
                _, unknown = _spellings("role", values)
                self.doubts.append(
                    f"{column!r}: roles {_shown(unknown)} are unknown; map them "
                    "under values: {role: {customer: [...], agent: [...]}}"
                )
                return placement
            found, unknown = roles, []
        else:
            found, unknown = _spellings(name, values)
        builtin = BUILTIN_ALIASES.get(name) or BUILTIN_ALIASES["escalated"]
        self.read[name] = {s: c for c, spellings in found.items() for s in spellings}
        for canonical, spellings in found.items():
            new = [s for s in spellings if s not in builtin.get(canonical, ())]
            new = [s for s in new if s != canonical]
            if new:
                self.values(name, canonical, new)
        if not unknown:
            return placement
        if name == "channel":
            self.settings.setdefault("channels", []).extend(v.strip().lower() for v in unknown)
        elif name == "status":
            self.values("status", "open", [v.strip().lower() for v in unknown])
            self.doubts.append(f"{column!r}: statuses {_shown(unknown)} read as open (a guess)")
        else:
            self.doubts.append(
                f"{column!r}: {name} values {_shown(unknown)} are unknown; map "
                f"them under values: {{{name}: ...}}, or drop the column"
            )
            return None if name in FLAG_FIELDS or name == "event" else placement
        return placement

    def _duration(self, placement: Placement, profile: Profile) -> Placement | None:
        name, unit, column = placement.field, placement.unit, placement.columns[0]
        if profile.kind == "clock":
            return placement  # H:MM:SS or MM:SS, read as it is
        if name == "first_response_seconds" and unit == "minutes":
            return replace(placement, field="first_response_minutes")
        if name == "first_response_minutes" and unit is None:
            return placement
        if unit in (None, "seconds", "clock"):
            if unit is None:
                self.doubts.append(f"{column!r}: numbers read as seconds (its name has no unit)")
            return placement
        if not supports("units"):
            self.doubts.append(f"{column!r}: durations in {unit} cannot be read yet; left out")
            return None
        self.settings.setdefault("units", {})[name] = unit
        return placement

    def _empty_cells(self, placement: Placement, profile: Profile) -> None:
        if not profile.sentinels:
            return
        spellings = [s.strip() for s in profile.sentinels]
        if supports("missing"):
            known = self.settings.setdefault("missing", [])
            known += [s for s in spellings if s not in known]
        elif placement.field in ("csat", "nps"):
            self.values(placement.field, "none", [s.lower() for s in spellings])
        else:
            self.doubts.append(
                f"{placement.columns[0]!r}: cells {_shown(spellings)} mean no "
                "value; clear them in the file"
            )

    def timestamps(self, placements: tuple[Placement, ...]) -> None:
        """One timestamp_format for every moment column, unless all read natively (ISO
        8601, or numeric dates whose day-first or month-first order the values show)."""
        moments = [p for p in placements if p.field in TIMESTAMP_FIELDS]
        profiles = [self.profiles[p.columns[0]] for p in moments]
        if all(p.native for p in profiles) and len({p.order for p in profiles} - {None}) <= 1:
            return
        choices: set[str] | None = None
        for placement, profile in zip(moments, profiles, strict=True):
            formats = set(profile.formats)
            if len(placement.columns) > 1:  # a date and a time column, joined by a space
                time = self.profiles[placement.columns[1]].examples[0]
                suffix = " %H:%M:%S" if time.count(":") == 2 else " %H:%M"
                formats = {f + suffix for f in formats if "%H" not in f}
            choices = formats if choices is None else choices & formats
        suffixed = [f + t for f in DATE_FORMATS for t in (" %H:%M:%S", " %H:%M")]
        ordered = [f for f in (*DATE_FORMATS, *suffixed) if f in (choices or set())]
        if ordered:
            self.settings["timestamp_format"] = ordered[0]
        else:
            shown = ", ".join(repr(p.columns[0]) for p in moments)
            self.doubts.append(f"{shown}: no one date format reads them all; set timestamp_format")


def _shown(values: list[str]) -> str:
    shown = ", ".join(repr(v) for v in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")


def to_yaml(proposal: Proposal) -> str:
    """The proposal as YAML with a comment per column saying how sure it is."""
    where = proposal.source.path
    lines = [
        f"# carecli config proposed by `carecli inspect` for {where.name}.",
        f"# The built-in preset reads it (carecli presets show {proposal.preset}); run:"
        if proposal.preset
        else "# Each column says how sure the guess is; check the guesses, then run:",
        f"#   carecli report --all --data {where.name} -c <this file>",
    ]
    settings = proposal.settings
    reasons = {p.field: f"{p.confidence}: {p.reason}" for p in proposal.placements}
    for key, value in settings.items():
        if key == "columns":
            lines.append("columns:")
            for name, column in value.items():
                lines.append(f"  {name}: {_scalar(column)}  # {reasons.get(name, '')}")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            for sub, inner in value.items():
                if isinstance(inner, dict):
                    lines.append(f"  {sub}:")
                    lines += [f"    {k}: {_scalar(v)}" for k, v in inner.items()]
                else:
                    lines.append(f"  {sub}: {_scalar(inner)}")
        else:
            lines.append(f"{key}: {_scalar(value)}")
        if key == "granularity" and "source_timezone" not in settings:
            lines.append(
                "# source_timezone: Europe/Berlin  # how times without an offset are "
                "read (default UTC)"
            )
    lines += [f"# not used: {c}" for c in proposal.unplaced]
    lines += [f"# check: {d}" for d in proposal.doubts]
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    """JSON is YAML: quoted strings and lists read back exactly."""
    return json.dumps(value, ensure_ascii=False)
