"""validate.py: every rule broken, its first row as the user finds it, the value as written.

Problems are read through normalize(strict=False), as `carecli inspect` reads them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from carecli.config.model import parse_config
from carecli.errors import InputError
from carecli.input.load import open_source
from carecli.input.normalize import Normalized, normalize


def load(tmp_path: Path, text: str, config: str = "", strict: bool = True) -> Normalized:
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    return normalize(open_source(path), parse_config(config), strict=strict)


PROBLEMS = (
    "conversation_id,timestamp,role,csat\n"
    "c1,2026-11-02T09:00:00Z,customer,9\n"
    "c2,whenever,agent,\n"
    "c3,2026-11-02T09:00:00Z,wizard,5\n"
)


def test_non_strict_returns_every_problem(tmp_path: Path) -> None:
    normalized = load(tmp_path, PROBLEMS, strict=False)
    found = {(p.field, p.first_row, p.example) for p in normalized.problems}
    assert ("timestamp", "row 2", "whenever") in found
    assert ("role", "row 3", "wizard") in found
    assert ("csat", "row 1", "9") in found
    assert normalized.frame.height == 3
    with pytest.raises(InputError, match="row 2: column 'timestamp'"):
        load(tmp_path, PROBLEMS)  # strict: the first rule broken


def test_a_bad_value_is_not_also_reported_empty(tmp_path: Path) -> None:
    normalized = load(tmp_path, PROBLEMS, strict=False)
    assert sorted((p.field, p.message.split(";")[0]) for p in normalized.problems) == [
        ("csat", "is outside the 1-5 scale"),
        ("role", "is not a known role (customer, agent, bot)"),
        ("timestamp", "is not a timestamp"),
    ]


def test_counts_every_offending_row_and_names_the_first(tmp_path: Path) -> None:
    text = (
        "conversation_id,timestamp,role\n"
        "c1,2026-11-02T09:00:00Z,customer\n"
        "c1,soon,agent\n"
        "c1,later,agent\n"
        "c1,   ,agent\n"  # blank: empty, not unreadable
    )
    problems = {p.message.split(";")[0]: p for p in load(tmp_path, text, strict=False).problems}
    unreadable = problems["is not a timestamp"]
    assert (unreadable.rows, unreadable.first_row, unreadable.example) == (2, "row 2", "soon")
    empty = problems["is empty"]
    assert (empty.rows, empty.first_row, empty.example) == (1, "row 4", None)  # not '   '
    assert empty.describe("data.csv") == (
        "data.csv: row 4: column 'timestamp' (timestamp) is empty"
    )


def test_spellings_meaning_no_rating_are_not_unreadable(tmp_path: Path) -> None:
    text = "conversation_id,timestamp,role,csat\nc1,2026-11-02T09:00:00Z,customer,n/a\n"
    assert load(tmp_path, text, strict=False).problems[0].message.startswith("is not a number")
    mapped = load(tmp_path, text, "values:\n  csat:\n    none: [n/a]\n", strict=False)
    assert mapped.problems == ()


def test_nan_rating_is_named_as_such(tmp_path: Path) -> None:
    text = "conversation_id,timestamp,role,nps\nc1,2026-11-02T09:00:00Z,customer,NaN\n"
    with pytest.raises(InputError, match=r"row 1: column 'nps' \(nps\) 'nan' is not a rating"):
        load(tmp_path, text)


def test_a_native_naive_datetime_skipped_by_dst_is_named(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    pl.DataFrame(
        {
            "conversation_id": ["c1", "c1"],
            "timestamp": [datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 2, 30)],
            "role": ["customer", "agent"],
        }
    ).write_parquet(path)
    config = parse_config("source_timezone: Europe/Berlin\n")
    with pytest.raises(InputError, match=r"record 2: .* does not exist in Europe/Berlin"):
        normalize(open_source(path), config)
    # In UTC (no clock changes) the same wall times are fine.
    assert normalize(open_source(path), parse_config("")).frame.height == 2


def test_an_unreadable_value_in_a_dst_zone_is_still_not_a_timestamp(tmp_path: Path) -> None:
    text = "conversation_id,timestamp,role\nc1,2026-03-29 01:30,customer\nc1,soon,agent\n"
    problems = load(tmp_path, text, "source_timezone: Europe/Berlin\n", strict=False).problems
    assert [p.message.split(";")[0] for p in problems] == ["is not a timestamp"]


def first_error(tmp_path: Path, text: str, config: str = "") -> str:
    with pytest.raises(InputError) as caught:
        load(tmp_path, text, config)
    return str(caught.value).removeprefix(f"{tmp_path / 'data.csv'}: ")


MESSAGES = "conversation_id,timestamp,role"
TICKETS = "conversation_id,created_at"


def test_nps_scale_is_0_to_10_inclusive(tmp_path: Path) -> None:
    rows = "".join(f"c1,2026-11-02T09:0{i}:00Z,customer,{n}\n" for i, n in enumerate((0, 10, 11)))
    assert first_error(tmp_path, MESSAGES + ",nps\n" + rows) == (
        "row 3: column 'nps' (nps) '11' is outside the 0-10 NPS scale; if it means no answer, "
        "list it under values: {nps: {none: [...]}}"
    )


def test_negative_reopen_count(tmp_path: Path) -> None:
    # A negative count would pass as "not reopened" and inflate first-contact resolution.
    text = TICKETS + ",reopen_count\nt1,2026-11-02T09:00:00Z,0\nt2,2026-11-02T09:00:00Z,-1\n"
    assert first_error(tmp_path, text) == (
        "row 2: column 'reopen_count' (reopen_count) '-1' is negative"
    )


def test_a_number_in_an_error_is_shown_in_full(tmp_path: Path) -> None:
    # The example is what the user searches the file for: all its digits, no exponent.
    text = TICKETS + ",talk_seconds\nt1,2026-11-02T09:00:00Z,-12345678\nt2,2026-11-02,-2.5\n"
    assert first_error(tmp_path, text) == (
        "row 1: column 'talk_seconds' (talk_seconds) '-12345678' is negative (2 rows like it)"
    )
    text = TICKETS + ",talk_seconds\nt2,2026-11-02T09:00:00Z,-0.000125\n"
    assert first_error(tmp_path, text).startswith(
        "row 1: column 'talk_seconds' (talk_seconds) '-0.000125' "
    )


def test_empty_created_at(tmp_path: Path) -> None:
    # A ticket without a creation time cannot be placed in any period.
    text = TICKETS + "\nt1,2026-11-02T09:00:00Z\nt2, \n"
    assert first_error(tmp_path, text) == "row 2: column 'created_at' (created_at) is empty"


def test_role_is_required_when_the_event_is_empty(tmp_path: Path) -> None:
    # An empty event is a message (docs/input.md), so it needs a role; a status event not.
    text = MESSAGES + ",event\n"
    text += "c1,2026-11-02T09:00:00Z,customer,\nc1,2026-11-02T09:01:00Z,,resolved\n"
    text += "c1,2026-11-02T09:02:00Z,,\n"
    assert first_error(tmp_path, text) == "row 3: column 'role' (role) is empty on a message row"


def test_example_values_are_cut_at_60_characters(tmp_path: Path) -> None:
    text = MESSAGES + "\nc1,2026-11-02T09:00:00Z," + "x" * 70 + "\n"
    assert first_error(tmp_path, text).startswith(
        "row 1: column 'role' (role) '" + "x" * 60 + "' is not a known role"
    )


def test_nan_rating_is_not_also_outside_the_scale(tmp_path: Path) -> None:
    # NaN compares above 5 in polars: `inspect` must show one problem, not two.
    text = MESSAGES + ",csat\nc1,2026-11-02T09:00:00Z,customer,NaN\n"
    problems = load(tmp_path, text, strict=False).problems
    assert [(p.field, p.message.split(";")[0]) for p in problems] == [("csat", "is not a rating")]


def test_unknown_channel_hint_lists_the_config_channels(tmp_path: Path) -> None:
    text = MESSAGES + ",channel\nc1,2026-11-02T09:00:00Z,customer,pigeon\n"
    assert first_error(tmp_path, text, "channels: [line]\n") == (
        "row 1: column 'channel' (channel) 'pigeon' is not a known channel (whatsapp, messenger, "
        "twitter, instagram, wechat, email, chat, phone, sms, web, social, other, line); "
        "map it under values: {channel: ...}"
    )


def test_no_rating_spelling_matches_after_trimming(tmp_path: Path) -> None:
    # Values are matched trimmed (docs/input.md): ' N/A ' is the configured no-rating word.
    text = MESSAGES + ",csat\nc1,2026-11-02T09:00:00Z,customer, N/A \n"
    normalized = load(tmp_path, text, "values:\n  csat: {none: [n/a]}\n", strict=False)
    assert normalized.problems == ()
    assert normalized.frame["csat"].to_list() == [None]


def test_unreadable_number_hints_at_values(tmp_path: Path) -> None:
    text = MESSAGES + ",csat\nc1,2026-11-02T09:00:00Z,customer,great\n"
    assert first_error(tmp_path, text) == (
        "row 1: column 'csat' (csat) 'great' is not a number; map words under values: {csat: ...}"
    )


def test_first_error_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    # Three unreadable numbers in one row: every run names the same column, the first in
    # the schema's order (it used to follow PYTHONHASHSEED).
    path = tmp_path / "data.csv"
    path.write_text(TICKETS + ",talk_seconds,hold_seconds,csat\nt1,2026-11-02,long,short,great\n")
    script = (
        "import sys; from pathlib import Path; from carecli.config.model import Config\n"
        "from carecli.input.load import open_source\n"
        "from carecli.input.normalize import normalize\n"
        "found = normalize(open_source(Path(sys.argv[1])), Config(), strict=False)\n"
        "print(found.problems[0].column)"
    )
    named = {
        subprocess.run(
            [sys.executable, "-c", script, str(path)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "3", "4")
    }
    assert named == {"csat"}
