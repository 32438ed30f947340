"""Spellings mapped once per file: batch after batch, a spelling seen before is not mapped
again, a new one is, and an unknown one keeps its raw text for the problem report."""

from __future__ import annotations

import polars as pl
import pytest

from carecli.config.model import Config
from carecli.input import spellings
from carecli.input.spellings import Spellings, map_spellings
from carecli.input.validate import RAW

FIELDS = {"role": "Role", "agent": "Agent"}


def batch(roles: list[str | None], agents: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"role": roles, "agent": agents}, schema={"role": pl.Categorical, "agent": pl.Categorical}
    )


def test_batches_map_new_spellings_and_keep_unknown_ones_raw() -> None:
    known: Spellings = {}
    first = map_spellings(batch(["customer", "Agent"], [" Ann ", None]), FIELDS, Config(), known)
    assert first["role"].to_list() == ["customer", "agent"]
    assert first["agent"].to_list() == ["Ann", None]
    assert first[RAW + "role"].to_list() == [None, None]
    assert known["role"] == {"customer": "customer", "Agent": "agent"}

    second = map_spellings(batch(["AGENT", "robot", "customer"], ["Ann", "Bo", ""]), FIELDS,
                           Config(), known)  # fmt: skip
    assert second["role"].to_list() == ["agent", None, "customer"]
    assert second[RAW + "role"].to_list() == [None, "robot", None]
    assert second["agent"].to_list() == ["Ann", "Bo", None]
    assert known["role"]["robot"] is None
    assert second["role"].dtype == pl.Categorical


def test_a_spelling_seen_before_is_not_mapped_again() -> None:
    # What the file's earlier batches decided stands: here a planted answer shows it is used.
    known: Spellings = {"role": {"customer": "bot"}}
    mapped = map_spellings(batch(["customer"], ["Ann"]), FIELDS, Config(), known)
    assert mapped["role"].to_list() == ["bot"]


def test_the_config_spellings_apply() -> None:
    config = Config(values={"role": {"agent": ["staff"]}})
    mapped = map_spellings(batch(["staff", "Customer"], ["A", "B"]), FIELDS, config, {})
    assert mapped["role"].to_list() == ["agent", "customer"]


def test_free_text_does_not_grow_the_memory_without_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spellings, "_MAX_KNOWN_SPELLINGS", 3)
    known: Spellings = {}
    map_spellings(batch(["customer"] * 3, ["a", "b", "c"]), FIELDS, Config(), known)
    mapped = map_spellings(batch(["customer"] * 2, ["d", "e"]), FIELDS, Config(), known)
    assert mapped["agent"].to_list() == ["d", "e"]
    assert set(known["agent"]) == {"d", "e"}
