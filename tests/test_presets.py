"""Presets: shipped mappings, detection, hand-made excerpts, and the real public datasets."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from factories import quiet
from typer.testing import CliRunner

from carecli.cli.app import app
from carecli.config.model import Config, parse_config
from carecli.errors import ConfigError, InputError, UsageError
from carecli.input import presets
from carecli.input.load import open_source
from carecli.input.presets import with_preset
from carecli.input.threads import thread_roots
from carecli.periods import all_time, parse_week
from carecli.report.build import build_report, load_dataset

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "presets"
# ../shared/realdata beside the repository, or wherever $CARECLI_REALDATA points.
REALDATA = Path(os.environ.get("CARECLI_REALDATA", HERE.parent.parent / "shared" / "realdata"))
NOW = datetime.fromisoformat("2026-11-23T08:00:00+00:00")


def realdata(name: str) -> Path:
    path = REALDATA / name
    if not path.is_file():
        pytest.skip(f"{path} is not available (shared/realdata/ is optional)")
    return path


def test_every_shipped_preset_is_valid() -> None:
    found = presets.available()
    assert {"twcs", "kaggle-tickets", "zendesk"} <= set(found)
    for preset in found.values():
        assert preset.title and preset.detect and preset.caveats
        assert preset.settings.columns or preset.settings.threads


def test_detection_needs_every_identifying_column() -> None:
    twcs = presets.available()["twcs"]
    assert presets.detect([*twcs.detect, "text"]).name == "twcs"
    assert presets.detect(twcs.detect[:-1]) is None
    assert presets.detect(["conversation_id", "timestamp", "role"]) is None


def test_user_settings_win_over_the_preset() -> None:
    mine = parse_config("source_timezone: Europe/Berlin\ncolumns: {agent: Group}\n")
    merged = presets.apply(mine, presets.get("zendesk"))
    assert merged.source_timezone == "Europe/Berlin"
    assert merged.columns["agent"] == "Group"  # mine
    assert merged.columns["created_at"] == "Created at"  # the preset's
    assert merged.preset == "zendesk"
    with pytest.raises(UsageError, match="unknown preset 'nope'"):
        presets.get("nope")


def test_thread_roots_follow_reply_chains() -> None:
    frame = pl.DataFrame(
        {
            "__message_id": ["1", "2", "3", "4", "5", "6"],
            "__reply_to": [None, "1.0", "2.0", "2", "99", None],
        }
    )
    assert thread_roots(frame).to_list() == ["1", "1", "1", "1", "5", "6"]


def test_twcs_excerpt(tmp_path: Path) -> None:
    dataset = load_dataset(FIXTURES / "twcs_excerpt.csv", Config())
    assert dataset.preset == "twcs"
    assert "detected from the header" in dataset.notes[0]
    conversations = dataset.timeline.conversations.sort("conversation_id")
    assert conversations["conversation_id"].to_list() == ["10", "20", "30", "40"]
    assert conversations["team"].to_list() == ["sprintcare", "AppleSupport", None, None]
    assert conversations["channel"].unique().to_list() == ["twitter"]
    report = build_report(dataset, parse_week("2017-W44", "UTC", NOW), Config())
    frt = report.overall.current["first_response_time"]
    assert (frt["count"], frt["awaiting_first_response"]) == (2, 2)
    assert frt["mean"] == pytest.approx((12 * 60 + 3 * 60) / 2)
    reply = report.overall.current["reply_time"]
    assert (reply["count"], reply["waiting_turns"]) == (3, 2)  # 12 min, 30 min, 3 min
    assert report.overall.current["backlog"]["available"] is False  # no resolution in TWCS


def test_kaggle_tickets_excerpt_day_first() -> None:
    dataset = load_dataset(FIXTURES / "kaggle_tickets_dayfirst.csv", Config())
    assert dataset.preset == "kaggle-tickets"
    rows = dataset.timeline.conversations.sort("conversation_id")
    assert rows["channel"].to_list() == ["social", "email", "chat", "phone"]
    assert dataset.timeline.unavailable["first_response_time"] == "creation time (created_at)"
    report = build_report(dataset, all_time("UTC"), Config(), group_by=["channel"])
    overall = report.overall.current
    assert overall["volume"]["conversations"] == 4
    assert overall["backlog"]["open"] == 2
    assert overall["csat"]["rate"] == pytest.approx(0.5)
    assert overall["fcr_rate"]["available"] is False
    assert report.previous_period is None


def test_zendesk_excerpt() -> None:
    dataset = load_dataset(FIXTURES / "zendesk_excerpt.csv", Config())
    assert dataset.preset == "zendesk"
    report = build_report(dataset, parse_week("2026-W45", "UTC", NOW), Config(), ["channel"])
    overall = report.overall.current
    assert overall["volume"]["conversations"] == 4
    frt = overall["first_response_time"]
    assert (frt["count"], frt["awaiting_first_response"]) == (3, 1)
    assert frt["max"] == 30 * 60
    assert overall["resolution_time"]["max"] == 24 * 3600
    assert (overall["csat"]["count"], overall["csat"]["rate"]) == (2, pytest.approx(0.5))
    assert overall["fcr_rate"]["rate"] == pytest.approx(0.5)  # ticket 102 was reopened
    assert overall["backlog"]["open"] == 2
    assert {g.key["channel"] for g in report.groups} == {"email", "chat", "web", "phone"}


def test_ambiguous_numeric_dates_ask_for_a_format(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("conversation_id,created_at\na,01-06-2023 10:00\nb,02-06-2023 11:00\n")
    with pytest.raises(InputError, match="no value tells day-first or month-first"):
        load_dataset(path, Config())
    config = parse_config("timestamp_format: '%d-%m-%Y %H:%M'\n")
    created = load_dataset(path, config).timeline.conversations["created_at"]
    assert created.dt.month().to_list() == [6, 6]


def test_month_first_dates_are_recognised(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("conversation_id,created_at\na,06/01/2023 10:00\nb,06/13/2023 11:00\n")
    created = load_dataset(path, Config()).timeline.conversations["created_at"]
    assert [(d.month, d.day) for d in created.to_list()] == [(6, 1), (6, 13)]


# --- The real public datasets in ../shared/realdata (see its SOURCES.md) -----------------


def test_real_twcs_sample() -> None:
    dataset = load_dataset(realdata("twcs_sample.csv"), Config())
    assert (dataset.preset, dataset.rows) == ("twcs", 5000)
    conversations = dataset.timeline.conversations
    assert conversations.height == 1311
    assert conversations["created_at"].min().year == 2011  # a few very old tweets
    report = build_report(dataset, parse_week("2017-W44", "UTC", NOW), Config(), ["team"])
    frt = report.overall.current["first_response_time"]
    assert frt["count"] > 500 and 60 < frt["median"] < 3600
    assert report.groups[0].key["team"] == "ChipotleTweets"


def test_real_ticket_dataset_matches_the_documented_counts() -> None:
    dataset = load_dataset(realdata("customer_support_tickets.csv"), Config())
    report = build_report(dataset, all_time("UTC"), Config(), ["channel"])
    volume = {g.key["channel"]: g.current["volume"]["conversations"] for g in report.groups}
    assert volume == {"email": 2143, "phone": 2132, "social": 2121, "chat": 2073}
    overall = report.overall.current
    assert overall["csat"]["count"] == 2769  # closed tickets only
    assert overall["backlog"]["open"] == 2819 + 2881  # open + pending customer response


def test_real_day_first_variant_reads_june_not_january() -> None:
    excel = load_dataset(realdata("customer_support_tickets.csv"), Config())
    dayfirst = load_dataset(realdata("customer_support_tickets_ddmmyyyy_variant.csv"), Config())
    assert dayfirst.rows == excel.rows == 8469
    # The two files hold the same tickets: same statuses, channels and ratings.
    columns = ["conversation_id", "channel", "is_resolved", "csat"]
    left = excel.timeline.conversations.select(columns).sort("conversation_id")
    right = dayfirst.timeline.conversations.select(columns).sort("conversation_id")
    assert left.equals(right)


def test_real_ticket_dataset_needs_all(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "--week", "--data", str(realdata("customer_support_tickets.csv"))]
    )
    assert result.exit_code == 2
    assert "no creation time" in result.stderr and "--all" in result.stderr


# --- CLI ---------------------------------------------------------------------------------


def test_presets_list_and_show() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["presets", "list"])
    assert listed.exit_code == 0
    assert "twcs" in listed.stdout and "zendesk" in listed.stdout
    shown = runner.invoke(app, ["presets", "show", "zendesk"])
    assert shown.exit_code == 0
    assert "First reply time in minutes" in shown.stdout
    missing = runner.invoke(app, ["presets", "show", "nope"])
    assert missing.exit_code == 2
    assert "unknown preset 'nope'" in missing.stderr


def test_inspect_shows_mapping_and_problems(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["inspect", str(FIXTURES / "zendesk_excerpt.csv")])
    assert result.exit_code == 0, result.output
    assert "zendesk" in result.stdout
    assert "Created at" in result.stdout and "created_at" in result.stdout
    assert "Not used" in result.stdout and "Requester" in result.stdout
    assert "No problems found" in result.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "conversation_id,timestamp,role\na,2026-11-02T09:00:00Z,customer\n"
        "a,yesterday,agent\nb,2026-11-02T10:00:00Z,robot\nb,also bad,robot\n"
    )
    result = runner.invoke(app, ["inspect", str(bad)])
    assert result.exit_code == 0
    assert "Problems" in result.stdout
    assert "'yesterday'" in result.stdout and "row 2" in result.stdout
    assert "'robot'" in result.stdout


def test_explicit_preset_and_all_in_the_cli() -> None:
    runner = CliRunner()
    path = FIXTURES / "kaggle_tickets_dayfirst.csv"
    result = runner.invoke(
        app, ["report", "--all", "--preset", "kaggle-tickets", "--data", str(path), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    assert quiet(result.stderr) == ""  # an explicit preset is not announced
    assert '"previous_period": null' in result.stdout
    conflict = runner.invoke(app, ["report", "--all", "--week", "--data", str(path)])
    assert conflict.exit_code == 2


def test_freshdesk_excerpt() -> None:
    dataset = load_dataset(FIXTURES / "freshdesk_excerpt.csv", Config())
    assert dataset.preset == "freshdesk"
    report = build_report(dataset, parse_week("2026-W45", "UTC", NOW), Config(), ["channel"])
    overall = report.overall.current
    frt = overall["first_response_time"]
    assert (frt["count"], frt["awaiting_first_response"]) == (3, 1)
    assert frt["median"] == 20 * 60 and frt["max"] == 45 * 60
    resolution = overall["resolution_time"]
    assert (resolution["count"], resolution["max"]) == (2, 4 * 3600)
    assert overall["backlog"]["open"] == 2
    assert overall["fcr_rate"]["available"] is False
    assert {g.key["channel"] for g in report.groups} == {"email", "web", "chat", "phone"}


# --- Intercom, Front: hand-made excerpts through the real CLI -----------------------------


def _report_json(*args: str) -> tuple[dict, str]:
    result = CliRunner().invoke(
        app, ["report", *args, "--as-of", "2026-11-23T08:00:00Z", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_each_preset_is_detected_from_its_own_identifying_columns_only() -> None:
    found = presets.available()
    for name, preset in found.items():
        # Exactly one match: no other preset's identifying columns are all among these.
        assert presets.detect(preset.detect).name == name


@pytest.mark.parametrize(
    ("fixture", "name"),
    [
        ("twcs_excerpt.csv", "twcs"),
        ("kaggle_tickets_dayfirst.csv", "kaggle-tickets"),
        ("zendesk_excerpt.csv", "zendesk"),
        ("freshdesk_excerpt.csv", "freshdesk"),
        ("intercom_conversations_excerpt.csv", "intercom"),
        ("front_messages_excerpt.csv", "front"),
    ],
)
def test_every_excerpt_header_detects_exactly_its_preset(fixture: str, name: str) -> None:
    header = pl.read_csv(FIXTURES / fixture, n_rows=0).columns
    matches = [p.name for p in presets.available().values() if set(p.detect) <= set(header)]
    assert matches == [name]


INTERCOM = FIXTURES / "intercom_conversations_excerpt.csv"
# Naming the columns yourself (as before the preset matched "({tz})") still works.
INTERCOM_CONFIG = """\
preset: intercom
source_timezone: Europe/Berlin
columns:
  created_at: Conversation started at (Europe/Berlin)
  resolved_at: Conversation last closed at (Europe/Berlin)
  csat: Last teammate rating
"""


def test_intercom_excerpt_with_its_timezone_columns_mapped(tmp_path: Path) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_text(INTERCOM_CONFIG)
    path = FIXTURES / "intercom_conversations_excerpt.csv"
    report, stderr = _report_json("--week", "2026-W45", "-c", str(config), "--data", str(path))
    assert quiet(stderr) == ""  # preset named in the config: not announced
    assert report["data"]["preset"] == "intercom"
    metrics = report["overall"]["metrics"]
    # 2026-11-09 00:30 in Berlin is 2026-11-08 23:30 UTC: still week 45 (UTC).
    assert metrics["volume"]["conversations"] == 8
    frt = metrics["first_response_time"]  # 60, 120, 300, 7200, 54000, 158400 s
    assert (frt["count"], frt["awaiting_first_response"]) == (6, 2)
    assert frt["median"] == (300 + 7200) / 2 and frt["max"] == 158400
    resolution = metrics["resolution_time"]  # 30 min, 40 min, 21 h, 45 h
    assert (resolution["count"], resolution["median"]) == (4, (2400 + 75600) / 2)
    # Open at the end of the week: Open, Snoozed, the unanswered two, and the one
    # closed on Monday 9 November.
    assert metrics["backlog"]["open"] == 5
    assert (metrics["csat"]["count"], metrics["csat"]["satisfied"]) == (3, 2)
    assert metrics["fcr_rate"]["available"] is False
    assert metrics["reply_time"]["available"] is False
    previous = report["overall"]["previous"]["volume"]["conversations"]
    assert previous == 1


def test_intercom_by_team(tmp_path: Path) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_text(INTERCOM_CONFIG)
    path = FIXTURES / "intercom_conversations_excerpt.csv"
    report, _ = _report_json(
        "--week", "2026-W45", "-c", str(config), "--data", str(path), "--by", "team"
    )
    volume = {g["key"]["team"]: g["metrics"]["volume"]["conversations"] for g in report["groups"]}
    assert volume == {"Support": 5, "Billing": 3}


def _intercom_variant(tmp_path: Path, drop: tuple[str, ...] = (), zone: str = "") -> Path:
    """The Intercom excerpt without some columns, or exported from another workspace zone."""
    frame = pl.read_csv(INTERCOM, infer_schema=False).drop(drop)
    if zone:
        frame = frame.rename(lambda c: c.replace("Europe/Berlin", zone))
    path = tmp_path / "intercom.csv"
    frame.write_csv(path)
    return path


def test_intercom_without_config_reads_the_timezone_from_the_headers() -> None:
    # Same numbers as with the mapping written out (above): the preset finds
    # "Conversation started at (Europe/Berlin)" and reads its times in Berlin.
    report, stderr = _report_json("--week", "2026-W45", "--data", str(INTERCOM))
    assert "using preset 'intercom' (Intercom conversations export)" in stderr
    metrics = report["overall"]["metrics"]
    assert metrics["volume"]["conversations"] == 8  # 00:30 Berlin on 9 Nov: still week 45
    frt = metrics["first_response_time"]
    assert (frt["count"], frt["awaiting_first_response"]) == (6, 2)
    resolution = metrics["resolution_time"]
    assert (resolution["count"], resolution["median"]) == (4, (2400 + 75600) / 2)
    assert metrics["backlog"]["open"] == 5
    assert (metrics["csat"]["count"], metrics["csat"]["satisfied"]) == (3, 2)
    assert metrics["fcr_rate"]["available"] is False


def test_intercom_timezone_comes_from_each_files_header(tmp_path: Path) -> None:
    path = _intercom_variant(tmp_path, zone="America/New_York")
    dataset = load_dataset(path, Config())
    created = dataset.timeline.conversations.sort("conversation_id")["created_at"]
    # 2 Nov 09:00 in New York (EST since 1 Nov) is 14:00 UTC; 29 Oct (EDT) 10:00 is 14:00.
    assert [d.isoformat() for d in created[:2]] == [
        "2026-10-29T14:00:00+00:00",
        "2026-11-02T14:00:00+00:00",
    ]
    # Your own source_timezone wins over the column names.
    config = tmp_path / "carecli.yaml"
    config.write_text("source_timezone: UTC\n")
    report, _ = _report_json("--week", "2026-W45", "-c", str(config), "--data", str(path))
    assert report["overall"]["metrics"]["volume"]["conversations"] == 7  # 9 Nov 00:30 UTC


@pytest.mark.parametrize(
    ("rename", "message"),
    [
        ({"Europe/Berlin": "Mars/Olympus"}, "column 'Conversation started at (Mars/Olympus)': "
         "'Mars/Olympus' is not an IANA timezone; set source_timezone: in the config"),
        ({"last closed at (Europe/Berlin)": "last closed at (UTC)"},
         "columns 'Conversation started at (Europe/Berlin)' and 'Conversation last closed at "
         "(UTC)' name different timezones; set source_timezone: in the config"),
        ({"first replied at (Europe/Berlin)": "started at (UTC)"},
         "columns.created_at 'Conversation started at ({tz})' matches 2 columns "
         "('Conversation started at (Europe/Berlin)', 'Conversation started at (UTC)')"),
    ],
)  # fmt: skip
def test_intercom_timezone_headers_that_cannot_be_read(
    tmp_path: Path, rename: dict[str, str], message: str
) -> None:
    header, rest = INTERCOM.read_text().split("\n", 1)
    for old, new in rename.items():
        header = header.replace(old, new)
    path = tmp_path / "intercom.csv"
    path.write_text(header + "\n" + rest)
    result = CliRunner().invoke(app, ["report", "--week", "2026-W45", "--data", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line: the error


def test_intercom_without_timestamp_columns_needs_all(tmp_path: Path) -> None:
    # Optional columns left out of the export are simply not mapped.
    drop = ("Conversation started at (Europe/Berlin)", "Conversation first replied at "
            "(Europe/Berlin)", "Conversation last closed at (Europe/Berlin)",
            "Last teammate rating", "Team currently assigned")  # fmt: skip
    path = str(_intercom_variant(tmp_path, drop))
    week = CliRunner().invoke(app, ["report", "--week", "2026-W45", "--preset", "intercom",
                                    "--data", path])  # fmt: skip
    assert week.exit_code == 2
    assert "no creation time" in week.stderr
    report, _ = _report_json("--all", "--preset", "intercom", "--data", path)
    metrics = report["overall"]["metrics"]
    assert metrics["volume"]["conversations"] == 9
    assert metrics["first_response_time"]["available"] is False
    assert metrics["resolution_time"]["available"] is False
    assert metrics["csat"]["available"] is False
    # Closed tickets are resolved even with no time at all: 4 open, not 9.
    assert metrics["backlog"]["open"] == 4


def test_optional_preset_columns_but_required_and_user_columns_stay_strict(
    tmp_path: Path,
) -> None:
    # A column of the preset left out of the export is not mapped: never a config problem
    # for a config the user did not write (issue 19).
    path = _intercom_variant(tmp_path, ("Current conversation state",))
    assert "status" not in load_dataset(path, Config(), preset="intercom").mapping
    # A column the preset needs is the export's problem, said as such; the fix it
    # suggests (map another column, with the preset named) works.
    renamed = pl.read_csv(INTERCOM, infer_schema=False).rename({"Conversation ID": "id"})
    renamed.write_csv(path := tmp_path / "renamed.csv")
    with pytest.raises(InputError, match=r"the intercom preset needs column 'Conversation ID' "
                       r"\(conversation_id\), .* preset: intercom and columns: "):  # fmt: skip
        load_dataset(path, Config(), preset="intercom")
    fixed = parse_config("preset: intercom\ncolumns: {conversation_id: id}\n")
    assert load_dataset(path, fixed).mapping["conversation_id"] == "id"
    path = _intercom_variant(tmp_path, ("Last teammate rating",))
    assert "csat" not in load_dataset(path, Config(), preset="intercom").mapping
    mine = parse_config("columns: {csat: Last teammate rating}\n")
    with pytest.raises(InputError, match=r"columns\.csat names column 'Last teammate rating'"):
        load_dataset(path, mine, preset="intercom")
    # A pattern in your own columns is strict too (copied from `presets show`).
    mine = parse_config("columns: {resolved_at: 'Conversation first closed at ({tz})'}\n")
    with pytest.raises(InputError, match=r"'Conversation first closed at \(<timezone>\)'"):
        load_dataset(path, mine, preset="intercom")


def test_a_preset_cannot_set_the_csv_separator() -> None:
    # The header is split before a preset is chosen: a separator in a preset could never apply.
    text = "title: t\ndetect: [a]\nsettings: {csv_separator: ';', columns: {agent: a}}\n"
    with pytest.raises(ConfigError, match="settings may not set csv_separator"):
        presets._read("broken", text)


def test_a_preset_keeps_the_users_csv_separator(tmp_path: Path) -> None:
    path = tmp_path / "semicolons.csv"
    path.write_text(
        "tweet_id;author_id;inbound;created_at;text;response_tweet_id;in_response_to_tweet_id\n"
        "1;cust;True;Tue Nov 17 09:00:00 +0000 2026;help;2;\n"
        "2;Brand;False;Tue Nov 17 09:05:00 +0000 2026;hi;;1\n",
        encoding="utf-8",
    )
    dataset = load_dataset(path, parse_config("csv_separator: ';'\n"), preset="twcs")
    assert dataset.timeline.conversations["first_response_s"].to_list() == [300.0]


def test_a_preset_may_only_make_its_own_columns_optional() -> None:
    text = "title: t\ndetect: [a]\noptional: [team]\nsettings: {columns: {agent: a}}\n"
    with pytest.raises(ConfigError, match="optional fields it does not map: \\['team'\\]"):
        presets._read("broken", text)
    assert presets.get("intercom").optional >= {"created_at", "resolved_at", "csat", "status"}
    assert "conversation_id" not in presets.get("intercom").optional


def test_front_messages_excerpt() -> None:
    path = FIXTURES / "front_messages_excerpt.csv"
    report, stderr = _report_json("--week", "2026-W45", "--data", str(path), "--by", "agent")
    assert "using preset 'front'" in stderr
    data = report["data"]
    assert (data["granularity"], data["rows"], data["preset"]) == ("messages", 15, "front")
    assert data["conversations_without_customer_message"] == 1  # outbound only
    metrics = report["overall"]["metrics"]
    assert metrics["volume"]["conversations"] == 5
    # First replies: 30 min (the autoreply 5 s after is not one), 10 min, 45 min (from the
    # customer's reply to an outbound message), 18 h; one conversation only autoreplied.
    frt = metrics["first_response_time"]
    assert (frt["count"], frt["awaiting_first_response"]) == (4, 1)
    assert frt["median"] == (30 * 60 + 45 * 60) / 2 and frt["max"] == 18 * 3600
    reply = metrics["reply_time"]  # 30, 20, 10, 45 min and 18 h
    assert (reply["count"], reply["median"], reply["waiting_turns"]) == (5, 30 * 60, 1)
    assert metrics["bot_first_response_time"]["count"] == 0
    assert metrics["csat"]["available"] is False
    # No resolution events in this export: not "0 resolved, 5 open".
    for name in ("resolution_time", "backlog", "fcr_rate"):
        assert metrics[name]["available"] is False
        assert "resolution events (event: resolved)" in metrics[name]["not_available_because"]
    agents = {g["key"]["agent"]: g["metrics"]["volume"]["conversations"] for g in report["groups"]}
    assert agents == {"Ana Silva": 2, "Ben Okafor": 2, None: 1}


def test_front_export_without_optional_columns(tmp_path: Path) -> None:
    # Front users pick the columns: without Author and Message ID the messages still read.
    frame = pl.read_csv(FIXTURES / "front_messages_excerpt.csv", infer_schema=False)
    path = tmp_path / "front.csv"
    frame.drop("Author", "Message ID").write_csv(path)
    dataset = load_dataset(path, Config(), preset="front")
    assert {"agent", "message_id"}.isdisjoint(dataset.mapping)
    assert dataset.timeline.conversations["first_response_s"].max() == 18 * 3600
    # Autoreply is required: without it an autoreply would be a 5-second first response.
    frame.drop("Autoreply").write_csv(path)
    with pytest.raises(InputError, match=r"the front preset needs column 'Autoreply' \(event\)"):
        load_dataset(path, Config(), preset="front")


def test_check_says_why_a_target_has_no_data(tmp_path: Path) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_text("slas:\n  - {name: Backlog under 10, metric: backlog, fail: 10}\n")
    path = str(FIXTURES / "front_messages_excerpt.csv")
    result = CliRunner().invoke(
        app,
        ["check", "--week", "2026-W45", "-c", str(config), "--data", path,
         "--as-of", "2026-11-23T08:00:00Z"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no data" in result.stdout
    assert (
        "warning: SLA 'Backlog under 10': backlog is not available: the input has no "
        "resolution events (event: resolved); counted as no data"
    ) in result.stderr


def test_front_and_intercom_presets_show() -> None:
    runner = CliRunner()
    front = runner.invoke(app, ["presets", "show", "front"])
    assert front.exit_code == 0 and "role: Direction" in front.stdout
    intercom = runner.invoke(app, ["presets", "show", "intercom"])
    assert intercom.exit_code == 0
    assert "First response time (seconds)" in intercom.stdout
    listed = runner.invoke(app, ["presets", "list"]).stdout
    assert "front" in listed and "intercom" in listed


def test_a_config_with_only_threads_is_the_users_own_mapping() -> None:
    # `threads:` alone is a mapping of the user's: a preset detected from the header would
    # lay its own columns and settings over it (docs/config.md: detection needs neither).
    source = open_source(FIXTURES / "twcs_excerpt.csv")
    threads = parse_config("threads: {message_id: tweet_id, reply_to: in_response_to_tweet_id}")
    assert with_preset(source, Config())[1]  # the header alone: TWCS detected, and said
    config, notes = with_preset(source, threads)
    assert notes == ()
    assert config.timestamp_format == threads.timestamp_format  # not TWCS's spelling


# --- rules pinned by a mutation sweep of presets/__init__.py --------------------------------


def test_a_header_matching_two_presets_detects_none() -> None:
    # Guessing between two exports would map the wrong columns silently: ask for --preset.
    both = [*presets.get("zendesk").detect, *presets.get("twcs").detect]
    assert presets.detect(both) is None


def test_user_values_replace_the_presets_per_canonical_value() -> None:
    # "closed" stays open for this user; the preset's other statuses and fields are kept.
    mine = parse_config("values:\n  status:\n    resolved: [solved]\n")
    values = presets.apply(mine, presets.get("zendesk")).values
    assert values["status"]["resolved"] == ("solved",)
    assert values["status"]["open"] == ("new", "open", "pending", "hold", "on-hold")
    assert values["csat"]["5"] == ("good", "good with comment")


def test_constants_and_agent_side_fields_merge_with_the_presets() -> None:
    mine = parse_config("constants: {priority: high}\nagent_side_fields: [team]\n")
    merged = presets.apply(mine, presets.get("front"))
    assert merged.agent_side_fields == ("agent", "team")  # the preset's, then mine
    merged = presets.apply(mine, presets.get("twcs"))
    assert merged.constants == {"channel": "twitter", "priority": "high"}


def test_your_source_timezone_wins_over_the_zone_in_the_header(tmp_path: Path) -> None:
    path = _intercom_variant(tmp_path, zone="America/New_York")
    config = parse_config("source_timezone: Asia/Tokyo\n")
    fitted, _ = with_preset(open_source(path), config, "intercom")
    assert fitted.source_timezone == "Asia/Tokyo"
    assert fitted.columns["created_at"] == "Conversation started at (America/New_York)"
    assert with_preset(open_source(path), Config(), "intercom")[0].source_timezone == (
        "America/New_York"
    )


def test_a_tz_pattern_matches_whole_column_names_only() -> None:
    # "... (UTC) copy" is another column, not a second match for "Started at ({tz})".
    config = parse_config("columns: {created_at: 'Started at ({tz})'}\n")
    header = ["id", "Started at (Europe/Paris)", "Started at (UTC) copy"]
    fitted = presets.fit_columns(config, header, "f.csv")
    assert fitted.columns == {"created_at": "Started at (Europe/Paris)"}
    assert fitted.source_timezone == "Europe/Paris"


def test_a_repeated_tz_placeholder_needs_the_same_zone() -> None:
    config = parse_config("columns: {created_at: 'At ({tz}) in ({tz})'}\n")
    fitted = presets.fit_columns(config, ["At (UTC) in (UTC)"], "f.csv")
    assert fitted.columns == {"created_at": "At (UTC) in (UTC)"}
    with pytest.raises(InputError, match="which the file does not have"):
        presets.fit_columns(config, ["At (UTC) in (Europe/Paris)"], "f.csv")


def test_a_missing_tz_column_lists_twelve_columns_and_counts_the_rest() -> None:
    config = parse_config("columns: {created_at: 'Started at ({tz})'}\n")
    header = [f"c{i}" for i in range(1, 15)]
    with pytest.raises(InputError) as caught:
        presets.fit_columns(config, header, "f.csv")
    shown = ", ".join(f"'c{i}'" for i in range(1, 13))
    assert str(caught.value) == (
        "f.csv: columns.created_at names column 'Started at (<timezone>)', which the file does "
        f"not have; its columns are: {shown} and 2 more"
    )


def test_an_empty_source_timezone_key_does_not_override_the_header_zone() -> None:
    source = open_source(INTERCOM)
    config = parse_config("timezone: UTC\nsource_timezone:\n")
    assert with_preset(source, config, "intercom")[0].source_timezone == "Europe/Berlin"


def test_shipped_presets_are_read_with_a_safe_loader() -> None:
    # libyaml's CSafeLoader where PyYAML has it: the safe constructor, never a full one.
    import yaml

    from carecli.input import presets

    assert issubclass(presets._LOADER, yaml.constructor.SafeConstructor)
    assert not issubclass(presets._LOADER, yaml.constructor.FullConstructor)
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("!!python/object/apply:os.system ['true']", Loader=presets._LOADER)
