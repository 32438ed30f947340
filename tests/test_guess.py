"""Guessing a mapping: names in several languages, what values say, and the config text."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from carecli.config.model import parse_config
from carecli.input import presets
from carecli.input.guess import name_matches
from carecli.input.load import open_source
from carecli.input.profile import profile
from carecli.input.proposal import Proposal, propose


def concept(column: str) -> str:
    return name_matches(column)[0].concept


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("Created Date", "created_at"),
        ("Erstellt am", "created_at"),
        ("fecha_creacion", "created_at"),
        ("Date de création", "created_at"),
        ("Ticket ID", "conversation_id"),
        ("Ticket-Nr", "conversation_id"),
        ("Assignee", "agent"),
        ("Bearbeiter", "agent"),
        ("agente", "agent"),
        ("Sender Type", "role"),
        ("Kanal", "channel"),
        ("canal", "channel"),
        ("First response time (in hrs)", "first_response"),
        ("Talk Time (sec)", "talk_seconds"),
        ("created_at", "created_at"),  # the canonical name itself comes first
    ],
)
def test_names_in_several_languages(column: str, field: str) -> None:
    assert concept(column) == field


def test_a_name_says_its_unit() -> None:
    assert name_matches("First response time (in hrs)")[0].unit == "hours"
    assert name_matches("Wait time (minutes)")[0].unit == "minutes"
    assert name_matches("Handle time (hh:mm:ss)")[0].unit == "clock"


@pytest.mark.parametrize(
    ("values", "kind", "fmt"),
    [
        (["1-Jan-21", "31-Dec-21"], "date", "%d-%b-%y"),
        (["31.12.2025 14:05", "01.01.2026 08:00"], "timestamp", "%d.%m.%Y %H:%M"),
        (["12/31/2025 2:05 PM"], "timestamp", "%m/%d/%Y %I:%M %p"),
    ],
)
def test_date_formats_it_sees(values: list[str], kind: str, fmt: str) -> None:
    found = profile("c", pl.Series(values))
    assert found.kind == kind
    assert fmt in found.formats


def test_values_classified() -> None:
    assert profile("c", pl.Series(["2026-11-02T09:00:00Z"])).native
    assert profile("c", pl.Series(["Y", "N", "y"])).kind == "flag"
    assert profile("c", pl.Series(["0:03:12", "1:10:00"])).kind == "clock"
    rating = profile("c", pl.Series(["1", "5", "3", "-"]))
    assert rating.within(1, 5) and rating.sentinels == ("-",)


def _propose(tmp_path: Path, text: str, name: str = "export.csv") -> Proposal:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    proposal = propose(open_source(path))
    parse_config(proposal.text())  # always a valid config
    return proposal


def test_a_zero_among_ratings_is_no_rating(tmp_path: Path) -> None:
    proposal = _propose(
        tmp_path,
        "Ticket ID,Created Date,CSAT\nt1,2026-11-02 09:00,5\nt2,2026-11-02 10:00,0\n"
        "t3,2026-11-02 11:00,3\n",
    )
    assert proposal.settings["values"]["csat"] == {"none": ["0"]}
    assert any("0 read as no rating" in doubt for doubt in proposal.doubts)


def test_unknown_channels_become_channels_and_unknown_statuses_open(tmp_path: Path) -> None:
    proposal = _propose(
        tmp_path,
        "Ticket ID,Created Date,Channel,Status\nt1,2026-11-02 09:00,Mobile App,Solved\n"
        "t2,2026-11-02 10:00,Email,Awaiting Parts\n",
    )
    assert proposal.settings["channels"] == ["mobile app"]
    assert proposal.settings["values"]["status"] == {"open": ["awaiting parts"]}
    assert any("read as open (a guess)" in doubt for doubt in proposal.doubts)


def test_what_it_cannot_place_is_listed_and_required_guesses_lower_confidence(
    tmp_path: Path,
) -> None:
    proposal = _propose(
        tmp_path, "Ref,Opened On,Notes\nA-1,2026-11-02 09:00,x\nA-2,2026-11-02 10:00,y\n"
    )
    assert proposal.settings["columns"] == {"conversation_id": "Ref", "created_at": "Opened On"}
    assert proposal.unplaced == ("Notes",)
    assert proposal.confidence == "guess"  # Ref: an id by its values only


def test_a_known_export_proposes_its_preset(tmp_path: Path) -> None:
    header = ",".join(presets.get("zendesk").detect)
    proposal = _propose(tmp_path, header + "\n" + ",".join("1" for _ in header.split(",")))
    assert proposal.text().splitlines()[3] == 'preset: "zendesk"'


def test_reduced_preset_detection_needs_its_core_and_two_more_columns() -> None:
    assert presets.detect(["Id", "Created at", "Assignee", "Solved at"]).name == "zendesk"
    assert presets.detect(["Id", "Created at", "Assignee"]) is None
    assert presets.detect(["Ticket ID", "Created time", "Agent", "Group"]).name == "freshdesk"
    # Intercom's {tz} columns count as its own.
    header = ["Conversation ID", "Conversation started at (UTC)", "Last teammate rating"]
    assert presets.detect(header).name == "intercom"


def test_hours_in_the_name_become_units(tmp_path: Path) -> None:
    proposal = _propose(
        tmp_path,
        "Ticket ID,Created Date,First response time (in hrs)\nt1,2026-11-02 09:00,1.5\n",
    )
    assert proposal.settings["units"] == {"first_response_seconds": "hours"}


def test_sentinels_become_missing(tmp_path: Path) -> None:
    proposal = _propose(
        tmp_path,
        "Ticket ID,Created Date,Resolved Date\nt1,2026-11-02 09:00,Not Provided\n"
        "t2,2026-11-02 10:00,2026-11-02 11:00\n",
    )
    assert proposal.settings["missing"] == ["Not Provided"]


def test_date_and_time_columns_are_combined(tmp_path: Path) -> None:
    proposal = _propose(
        tmp_path,
        "Call ID,Date,Time,Answered (Y/N)\nk1,31.12.2025,14:05,Y\nk2,01.01.2026,08:00,N\n",
    )
    assert proposal.settings["columns"]["created_at"] == ["Date", "Time"]
    # 31.12.2025 says day-first: read natively, no timestamp_format needed.
    assert "timestamp_format" not in proposal.settings
    # Y/N are built-in spellings of answered: shown, nothing to add under values:.
    assert proposal.read_as["answered"] == {"n": "false", "y": "true"}
    assert "values" not in proposal.settings


def test_non_iso_date_and_time_columns_get_one_format(tmp_path: Path) -> None:
    proposal = _propose(tmp_path, "Call ID,Date,Time\nk1,1-Dec-25,14:05:10\nk2,2-Dec-25,08:00:00\n")
    assert proposal.settings["columns"]["created_at"] == ["Date", "Time"]
    assert proposal.settings["timestamp_format"] == "%d-%b-%y %H:%M:%S"
