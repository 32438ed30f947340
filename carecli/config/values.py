"""The config's `values:` section: how an export spells each canonical value."""

from __future__ import annotations

from typing import Any

from carecli.config.entry import Problem
from carecli.schema import CANONICAL_VALUES


def read_values(
    raw: Any, problem: Problem, raw_channels: tuple[str, ...] = ()
) -> dict[str, dict[str, tuple[str, ...]]]:
    """`values:` field -> canonical value -> the spellings of an export, lower-cased."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problem(("values",), "expected a mapping of field: {canonical value: [spellings]}")
        return {}
    values: dict[str, dict[str, tuple[str, ...]]] = {}
    for field_name, mapping in raw.items():
        key_path = ("values", field_name)
        if field_name not in CANONICAL_VALUES:
            allowed = ", ".join(sorted(CANONICAL_VALUES))
            problem(key_path, f"value spellings can be mapped for {allowed} only")
            continue
        if not isinstance(mapping, dict):
            problem(key_path, "expected a mapping of canonical value: [spellings]")
            continue
        values[field_name] = {}
        extra_channels = raw_channels if field_name == "channel" else ()
        for canonical, spellings in mapping.items():
            sub_path = (*key_path, canonical)
            allowed_values = CANONICAL_VALUES[field_name] + tuple(extra_channels)
            if field_name == "priority":
                canonical = str(canonical).strip().lower()  # one group per priority
            if CANONICAL_VALUES[field_name] and canonical not in allowed_values:
                problem(sub_path, f"{canonical!r} is not one of {', '.join(allowed_values)}")
                continue
            items = spellings if isinstance(spellings, list) else [spellings]
            if not items or any(isinstance(s, (dict, list)) or s is None for s in items):
                problem(sub_path, "expected a spelling or a list of spellings")
                continue
            spelled = tuple(as_spelled(s) for s in items)
            for spelling in spelled:  # one spelling, two meanings: the last would win
                other = next(
                    (c for c, known in values[field_name].items() if spelling in known), None
                )
                if other is not None and other != str(canonical):
                    problem(
                        sub_path,
                        f"{spelling[:60]!r} is also a spelling of {other!r} "
                        f"(values.{field_name}.{other}); keep it under one of them",
                    )
            values[field_name][str(canonical)] = spelled
    return values


def as_spelled(value: Any) -> str:
    """YAML turns `true` into a bool and `1` into an int; match them as the text a file holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()
