"""normalize.py: timestamps to UTC, value spellings, column mapping, granularity."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from carecli.config.model import parse_config
from carecli.errors import InputError
from carecli.input.load import open_source
from carecli.input.normalize import Normalized, normalize


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def load(
    tmp_path: Path, text: str, config: str = "", name: str = "data.csv", strict: bool = True
) -> Normalized:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return normalize(open_source(path), parse_config(config), strict=strict)


def timestamps(tmp_path: Path, values: list[str], config: str = "") -> list[datetime | None]:
    rows = "".join(f'c{i},"{value}",customer\n' for i, value in enumerate(values))
    frame = load(tmp_path, "conversation_id,timestamp,role\n" + rows, config).frame
    assert frame.schema["timestamp"] == pl.Datetime("us", "UTC")
    return frame["timestamp"].to_list()


def column(normalized: Normalized, name: str) -> list[object]:
    return normalized.frame[name].to_list()


# --- timestamps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-02T09:15:00Z", utc(2026, 11, 2, 9, 15)),
        ("2026-11-02t09:15:00z", utc(2026, 11, 2, 9, 15)),
        ("2026-11-02T09:15:00+01:00", utc(2026, 11, 2, 8, 15)),
        ("2026-11-02T09:15:00+0100", utc(2026, 11, 2, 8, 15)),
        ("2026-11-02T09:15:00-05:00", utc(2026, 11, 2, 14, 15)),
        ("2026-11-02T09:15+01:00", utc(2026, 11, 2, 8, 15)),
        ("2026-11-02T09:15:00.250Z", utc(2026, 11, 2, 9, 15, 0, 250_000)),
        ("2026-11-02T09:15:00.123456+05:30", utc(2026, 11, 2, 3, 45, 0, 123_456)),
        ("2026-11-02 09:15:00+00:00", utc(2026, 11, 2, 9, 15)),
        ("2026-11-02 09:15", utc(2026, 11, 2, 9, 15)),
        ("2026-11-02 09:15:30", utc(2026, 11, 2, 9, 15, 30)),
        ("2026-11-02", utc(2026, 11, 2)),
        ("  2026-11-02T09:15:00Z  ", utc(2026, 11, 2, 9, 15)),
        ("1762074900", utc(2025, 11, 2, 9, 15)),
        ("1762074900000", utc(2025, 11, 2, 9, 15)),
        ("1762074900.5", utc(2025, 11, 2, 9, 15, 0, 500_000)),
    ],
)
def test_timestamp_spellings_in_utc(tmp_path: Path, text: str, expected: datetime) -> None:
    assert timestamps(tmp_path, [text]) == [expected]


def test_timestamps_of_one_column_may_mix_spellings(tmp_path: Path) -> None:
    values = ["2026-11-02T09:15:00Z", "2026-11-02T10:15:00+01:00", "1762074900", "2026-11-02"]
    assert timestamps(tmp_path, values) == [
        utc(2026, 11, 2, 9, 15),
        utc(2026, 11, 2, 9, 15),
        utc(2025, 11, 2, 9, 15),
        utc(2026, 11, 2),
    ]


BERLIN = "source_timezone: Europe/Berlin\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-02 09:15", utc(2026, 11, 2, 8, 15)),  # CET
        ("2026-07-01 09:15", utc(2026, 7, 1, 7, 15)),  # CEST
        ("2026-11-02", utc(2026, 11, 1, 23, 0)),
        # An offset or an epoch is absolute: the source timezone does not apply.
        ("2026-11-02T09:15:00Z", utc(2026, 11, 2, 9, 15)),
        ("2026-11-02T09:15:00+05:00", utc(2026, 11, 2, 4, 15)),
        ("1762074900", utc(2025, 11, 2, 9, 15)),
        # 02:30 happens twice on 2026-10-25 in Berlin: the first (CEST, +02:00) is taken.
        ("2026-10-25 02:30", utc(2026, 10, 25, 0, 30)),
    ],
)
def test_naive_timestamps_in_source_timezone(tmp_path: Path, text: str, expected: datetime) -> None:
    assert timestamps(tmp_path, [text], BERLIN) == [expected]


def test_nonexistent_local_time_is_a_bad_timestamp(tmp_path: Path) -> None:
    # Clocks jump from 02:00 to 03:00 on 2026-03-29 in Berlin.
    with pytest.raises(InputError) as caught:
        timestamps(tmp_path, ["2026-03-29 01:59", "2026-03-29 02:30"], BERLIN)
    assert str(caught.value).endswith(
        "data.csv: row 2: column 'timestamp' (timestamp) '2026-03-29 02:30' is a wall time "
        "that does not exist in Europe/Berlin (skipped when the clocks went forward); correct "
        "the export, or set source_timezone if its times are not Europe/Berlin"
    )


def test_unparsable_timestamp_names_the_row_and_value(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        timestamps(tmp_path, ["2026-11-02T09:15:00Z", "2026-13-40 25:00", "never"])
    assert str(caught.value) == (
        f"{tmp_path / 'data.csv'}: row 2: column 'timestamp' (timestamp) '2026-13-40 25:00' "
        "is not a timestamp; use ISO 8601 (2026-11-02T09:15:00+01:00), epoch seconds/ms, or "
        "set timestamp_format in the config (2 rows like it)"
    )


def test_custom_timestamp_format_is_day_first(tmp_path: Path) -> None:
    config = "timestamp_format: '%d-%m-%Y %H:%M'\n"
    assert timestamps(tmp_path, ["01-06-2023 12:15", "13-06-2023 08:00"], config) == [
        utc(2023, 6, 1, 12, 15),
        utc(2023, 6, 13, 8, 0),
    ]


def test_custom_timestamp_format_uses_source_timezone(tmp_path: Path) -> None:
    config = "timestamp_format: '%d-%m-%Y %H:%M'\n" + BERLIN
    assert timestamps(tmp_path, ["01-06-2023 12:15"], config) == [utc(2023, 6, 1, 10, 15)]


def test_custom_timestamp_format_with_offset(tmp_path: Path) -> None:
    config = "timestamp_format: '%d/%m/%Y %H:%M %z'\n" + BERLIN
    assert timestamps(tmp_path, ["02/11/2026 09:00 -0300"], config) == [utc(2026, 11, 2, 12)]


def test_value_not_matching_timestamp_format(tmp_path: Path) -> None:
    config = "timestamp_format: '%d-%m-%Y %H:%M'\n"
    with pytest.raises(InputError) as caught:
        timestamps(tmp_path, ["2023-06-01T12:15:00Z"], config)
    assert str(caught.value).endswith(
        "row 1: column 'timestamp' (timestamp) '2023-06-01T12:15:00Z' does not match "
        "timestamp_format '%d-%m-%Y %H:%M'"
    )


def test_numeric_dates_day_first_detected_from_the_data(tmp_path: Path) -> None:
    # 13-06 can only be day-first, so 01-06 is the 1st of June.
    assert timestamps(tmp_path, ["01-06-2023 12:15", "13-06-2023 08:00"]) == [
        utc(2023, 6, 1, 12, 15),
        utc(2023, 6, 13, 8, 0),
    ]


def test_numeric_dates_month_first_detected_from_the_data(tmp_path: Path) -> None:
    assert timestamps(tmp_path, ["06/01/2023 12:15", "06/13/2023 08:00"]) == [
        utc(2023, 6, 1, 12, 15),
        utc(2023, 6, 13, 8, 0),
    ]


def test_ambiguous_numeric_dates_need_a_timestamp_format(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        timestamps(tmp_path, ["01-06-2023 12:15", "02-06-2023 12:15"])
    message = str(caught.value)
    assert "column 'timestamp'" in message
    assert "holds dates like 01-06-2023" in message
    assert "set timestamp_format, e.g. '%d-%m-%Y %H:%M' (day first)" in message


def test_contradicting_numeric_dates_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="timestamp"):
        timestamps(tmp_path, ["13-06-2023 12:15", "06-13-2023 12:15"])


def test_ambiguous_numeric_dates_error_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        timestamps(tmp_path, ["01-06-2023 12:15"])
    assert str(caught.value).startswith(f"{tmp_path / 'data.csv'}: ")


@pytest.mark.parametrize(
    ("config", "text", "expected"),
    [
        ("epoch_unit: s\n", "1762074900", utc(2025, 11, 2, 9, 15)),
        ("epoch_unit: ms\n", "1762074900000", utc(2025, 11, 2, 9, 15)),
        ("epoch_unit: ms\n", "1762074900", utc(1970, 1, 21, 9, 27, 54, 900_000)),
    ],
)
def test_epoch_unit(tmp_path: Path, config: str, text: str, expected: datetime) -> None:
    assert timestamps(tmp_path, [text], config) == [expected]


def test_jsonl_numeric_epoch_and_text(tmp_path: Path) -> None:
    text = (
        '{"conversation_id": "a", "timestamp": 1762074900, "role": "customer"}\n'
        '{"conversation_id": "b", "timestamp": "2026-11-02T09:15:00Z", "role": "customer"}\n'
    )
    normalized = load(tmp_path, text, name="data.jsonl")
    assert column(normalized, "timestamp") == [utc(2025, 11, 2, 9, 15), utc(2026, 11, 2, 9, 15)]


# --- value spellings ---------------------------------------------------------------------


INBOUND = "columns: {role: inbound}\nvalues:\n  role: {customer: [true], agent: [false]}\n"


def test_role_from_a_boolean_column_via_values(tmp_path: Path) -> None:
    text = (
        "conversation_id,timestamp,inbound\n"
        "c1,2026-11-02T09:00:00Z,true\n"
        "c1,2026-11-02T09:05:00Z,FALSE\n"
        "c1,2026-11-02T09:07:00Z, True \n"
    )
    normalized = load(tmp_path, text, INBOUND)
    assert normalized.mapping["role"] == "inbound"
    assert column(normalized, "role") == ["customer", "agent", "customer"]


def test_role_from_a_native_boolean_parquet_column(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    pl.DataFrame(
        {
            "conversation_id": ["c1", "c1"],
            "timestamp": ["2026-11-02T09:00:00Z", "2026-11-02T09:05:00Z"],
            "inbound": [True, False],
        }
    ).write_parquet(path)
    normalized = normalize(open_source(path), parse_config(INBOUND))
    assert column(normalized, "role") == ["customer", "agent"]


def test_unmapped_boolean_role_is_an_error(tmp_path: Path) -> None:
    text = "conversation_id,timestamp,inbound\nc1,2026-11-02T09:00:00Z,yes\n"
    with pytest.raises(InputError) as caught:
        load(tmp_path, text, INBOUND)
    assert "row 1: column 'inbound' (role) 'yes' is not a known role" in str(caught.value)


def test_builtin_aliases_on_conversation_rows(tmp_path: Path) -> None:
    text = (
        "conversation_id,created_at,status,channel,escalated,priority\n"
        "t1,2026-11-02T09:00:00Z,Solved,E-mail,Yes,HIGH\n"
        "t2,2026-11-02T10:00:00Z,pending,Live Chat,no,Normal\n"
        "t3,2026-11-02T11:00:00Z,CLOSED,voice,,\n"
    )
    normalized = load(tmp_path, text)
    assert normalized.granularity == "conversations"
    assert column(normalized, "status") == ["resolved", "open", "resolved"]
    assert column(normalized, "channel") == ["email", "chat", "phone"]
    assert column(normalized, "escalated") == ["true", "false", None]
    assert column(normalized, "priority") == ["high", "normal", None]


def test_builtin_role_aliases(tmp_path: Path) -> None:
    rows = ["End-User", "operator", "Chatbot", "Virtual Agent", " CUSTOMER "]
    text = "conversation_id,timestamp,role\n" + "".join(
        f"c1,2026-11-02T09:0{i}:00Z,{role}\n" for i, role in enumerate(rows)
    )
    assert column(load(tmp_path, text), "role") == ["customer", "agent", "bot", "bot", "customer"]


@pytest.mark.parametrize(
    ("field", "spelling", "expected"),
    [
        ("status", "Escalated", "open"),  # escalated to tier 2, still waiting: not resolved
        ("status", "Complete", "resolved"),
        ("channel", "X", "twitter"),
        ("escalated", "1", "true"),  # 0/1 flags, as JSON numbers or spreadsheet exports
    ],
)
def test_documented_spellings_on_conversation_rows(
    tmp_path: Path, field: str, spelling: str, expected: str
) -> None:
    text = f"conversation_id,created_at,{field}\nt1,2026-11-02T09:00:00Z,{spelling}\n"
    assert column(load(tmp_path, text), field) == [expected]


def test_closed_event_is_a_resolution(tmp_path: Path) -> None:
    # A "closed" status event must count as resolved, or resolution rate and time miss it.
    text = "conversation_id,timestamp,role,event\nc1,2026-11-02T09:00:00Z,agent,Closed\n"
    assert column(load(tmp_path, text), "event") == ["resolved"]


def test_priority_spellings_mapped_under_values(tmp_path: Path) -> None:
    # priority is free text, but values: groups spellings (P1 and Urgent are one group).
    text = (
        "conversation_id,created_at,priority\n"
        "t1,2026-11-02T09:00:00Z,Urgent\n"
        "t2,2026-11-02T09:00:00Z,p1\n"
        "t3,2026-11-02T09:00:00Z,Low\n"
    )
    config = "values:\n  priority: {High: [urgent, P1]}\n"
    assert column(load(tmp_path, text, config), "priority") == ["high", "high", "low"]


def test_config_values_win_over_builtin_aliases(tmp_path: Path) -> None:
    text = "conversation_id,timestamp,role,channel\nc1,2026-11-02T09:00:00Z,customer,Text\n"
    assert column(load(tmp_path, text), "channel") == ["sms"]  # the builtin alias
    config = "values:\n  channel: {phone: [text]}\n"
    assert column(load(tmp_path, text, config), "channel") == ["phone"]


def test_extra_channels_from_config(tmp_path: Path) -> None:
    text = "conversation_id,timestamp,role,channel\nc1,2026-11-02T09:00:00Z,customer,Line\n"
    with pytest.raises(InputError, match="'Line' is not a known channel"):
        load(tmp_path, text)
    assert column(load(tmp_path, text, "channels: [LINE]\n"), "channel") == ["line"]


def test_unknown_status(tmp_path: Path) -> None:
    text = "conversation_id,created_at,status\nc1,2026-11-02T09:00:00Z,Archived\n"
    with pytest.raises(InputError) as caught:
        load(tmp_path, text)
    assert str(caught.value) == (
        f"{tmp_path / 'data.csv'}: row 1: column 'status' (status) 'Archived' is not a known "
        "status (resolved, open); map it under values: {status: ...}"
    )


def test_ratings_written_as_words(tmp_path: Path) -> None:
    text = (
        "conversation_id,created_at,csat\n"
        "t1,2026-11-02T09:00:00Z,Good\n"
        "t2,2026-11-02T09:00:00Z,bad\n"
        "t3,2026-11-02T09:00:00Z,Offered\n"
        "t4,2026-11-02T09:00:00Z,4\n"
    )
    config = "values:\n  csat: {5: [good], 1: [bad], none: [offered]}\n"
    assert column(load(tmp_path, text, config), "csat") == [5.0, 1.0, None, 4.0]


def test_constants_fill_missing_fields(tmp_path: Path) -> None:
    text = "conversation_id,timestamp\nc1,2026-11-02T09:00:00Z\n"
    normalized = load(tmp_path, text, "constants: {role: customer, channel: E-Mail}\n")
    assert column(normalized, "role") == ["customer"]
    assert column(normalized, "channel") == ["email"]
    assert normalized.mapping["role"] == ""


def test_unknown_constant_is_an_error(tmp_path: Path) -> None:
    # A typo in constants: would otherwise leave every row without a channel, silently.
    text = "conversation_id,timestamp,role\nc1,2026-11-02T09:00:00Z,customer\n"
    with pytest.raises(InputError) as caught:
        load(tmp_path, text, "constants: {channel: pigeon}\n")
    assert str(caught.value) == (
        "constants.channel: 'pigeon' is not a known channel (whatsapp, messenger, twitter, "
        "instagram, wechat, email, chat, phone, sms, web, social, other)"
    )


def test_reply_chains_match_ids_written_as_floats(tmp_path: Path) -> None:
    # pandas writes an id column with gaps as floats (1.0): 2 still replies to 1, 3 to 2.
    text = (
        "id,parent,timestamp,role\n"
        "1,,2026-11-02T09:00:00Z,customer\n"
        "2.0,1.0,2026-11-02T09:01:00Z,agent\n"
        "3,2,2026-11-02T09:02:00Z,customer\n"
    )
    normalized = load(tmp_path, text, "threads: {message_id: id, reply_to: parent}\n")
    assert column(normalized, "conversation_id") == ["1", "1", "1"]


# --- column mapping --------------------------------------------------------------------------


def test_columns_mapping_to_differently_named_columns(tmp_path: Path) -> None:
    text = "ticket,sent_at,author_type,conversation_id\nT-1,2026-11-02T09:00:00Z,agent,zzz\n"
    config = "columns: {conversation_id: ticket, timestamp: sent_at, role: author_type}\n"
    normalized = load(tmp_path, text, config)
    assert normalized.mapping == {
        "conversation_id": "ticket",
        "timestamp": "sent_at",
        "role": "author_type",
    }
    assert column(normalized, "conversation_id") == ["T-1"]  # not the 'zzz' column
    assert column(normalized, "role") == ["agent"]


def test_header_names_match_case_insensitively_with_spaces(tmp_path: Path) -> None:
    text = "Conversation ID,TimeStamp,ROLE,Channel,bot-first-response-at\n"
    text += "c1,2026-11-02T09:00:00Z,Customer,Email,\n"
    normalized = load(tmp_path, text)
    assert normalized.mapping == {
        "conversation_id": "Conversation ID",
        "timestamp": "TimeStamp",
        "role": "ROLE",
        "channel": "Channel",
    }
    assert normalized.frame.columns == ["__row", "conversation_id", "timestamp", "role", "channel"]
    assert column(normalized, "role") == ["customer"]


def test_header_names_ignore_dashes_and_surrounding_spaces(tmp_path: Path) -> None:
    text = " Conversation-ID ,Created-At,First Response-At\n"
    text += "t1,2026-11-02T09:00:00Z,2026-11-02T09:10:00Z\n"
    assert load(tmp_path, text).mapping == {
        "conversation_id": " Conversation-ID ",
        "created_at": "Created-At",
        "first_response_at": "First Response-At",
    }


def test_missing_mapped_column(tmp_path: Path) -> None:
    text = "conversation_id,timestamp,role\nc1,2026-11-02T09:00:00Z,customer\n"
    with pytest.raises(InputError) as caught:
        load(tmp_path, text, "columns: {role: sender}\n")
    assert str(caught.value) == (
        f"{tmp_path / 'data.csv'}: config columns.role names column 'sender', which the file "
        "does not have; its columns are: 'conversation_id', 'timestamp', 'role'"
    )


def test_mapped_column_names_are_case_sensitive(tmp_path: Path) -> None:
    text = "Ticket,timestamp,role\nc1,2026-11-02T09:00:00Z,customer\n"
    with pytest.raises(InputError, match="names column 'ticket', which the file does not have"):
        load(tmp_path, text, "columns: {conversation_id: ticket}\n")


def test_missing_required_column(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load(tmp_path, "conversation_id,timestamp\nc1,2026-11-02T09:00:00Z\n")
    assert str(caught.value) == (
        f"{tmp_path / 'data.csv'}: missing required column 'role' for one row per message; "
        "add it or map yours with columns: {role: <column>}"
    )


def test_empty_conversation_id(tmp_path: Path) -> None:
    text = "conversation_id,timestamp,role\nc1,2026-11-02T09:00:00Z,customer\n ,2026-11-02,agent\n"
    with pytest.raises(InputError, match=r"row 2: column 'conversation_id' \(conversation_id\)"):
        load(tmp_path, text)


# --- granularity -----------------------------------------------------------------------------


def test_granularity_messages(tmp_path: Path) -> None:
    normalized = load(tmp_path, "conversation_id,timestamp,role\nc1,2026-11-02,customer\n")
    assert normalized.granularity == "messages"


def test_granularity_conversations(tmp_path: Path) -> None:
    normalized = load(tmp_path, "conversation_id,created_at\nc1,2026-11-02\n")
    assert normalized.granularity == "conversations"
    assert column(normalized, "created_at") == [utc(2026, 11, 2)]


BOTH = "conversation_id,timestamp,created_at,role\nc1,2026-11-02,2026-11-01,customer\n"


def test_granularity_ambiguity_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load(tmp_path, BOTH)
    assert str(caught.value) == (
        f"{tmp_path / 'data.csv'}: has both 'timestamp' and 'created_at' columns; set "
        "granularity: messages or granularity: conversations in the config"
    )


@pytest.mark.parametrize(
    ("granularity", "field", "expected"),
    [
        ("messages", "timestamp", utc(2026, 11, 2)),
        ("conversations", "created_at", utc(2026, 11, 1)),
    ],
)
def test_granularity_from_config_resolves_the_ambiguity(
    tmp_path: Path, granularity: str, field: str, expected: datetime
) -> None:
    normalized = load(tmp_path, BOTH, f"granularity: {granularity}\n")
    assert normalized.granularity == granularity
    assert column(normalized, field) == [expected]


def test_no_time_column_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load(tmp_path, "conversation_id,when,role\nc1,2026-11-02,customer\n")
    message = str(caught.value)
    assert "no 'timestamp' column (one row per message) nor 'created_at' column" in message
    assert "its columns are: 'conversation_id', 'when', 'role'" in message


def test_column_list_in_errors_stops_at_twelve(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(14))
    with pytest.raises(InputError) as caught:
        load(tmp_path, header + "\n" + ",".join("x" * 14) + "\n")
    listed = ", ".join(f"'c{i}'" for i in range(12))
    assert f"its columns are: {listed} and 2 more. Map yours" in str(caught.value)
