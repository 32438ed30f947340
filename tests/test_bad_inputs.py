"""A corpus of bad inputs, each run through the real CLI (docs/data-quality.md).

Every case has one of three documented treatments:

- ERRORS: exit 2 with one line on stderr naming the file and the line/row (or the config
  key's line) and what to do; nothing on stdout, never a traceback;
- WORKS: read as if nothing were wrong (a BOM, CRLF, rows out of order, ...);
- WARNED: a workaround (dropped, left out, or kept but suspicious), counted in
  `data.warnings`, said on stderr, and an exit 2 under `--strict-data`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from factories import quiet
from typer.testing import CliRunner, Result

from carecli.cli.app import app

REPO = Path(__file__).resolve().parent.parent
MSG = "conversation_id,timestamp,role\n"
OK_ROWS = "c1,2026-11-17T09:00:00Z,customer\nc1,2026-11-17T09:05:00Z,agent\n"
RATED = "conversation_id,timestamp,role,event,csat\nc1,2026-11-17T09:00:00Z,customer,,\n"
TICKETS = "conversation_id,created_at,first_response_at,resolved_at,status\n"
JSON_OK = '{"conversation_id": "c1", "timestamp": "2026-11-17T09:00:00Z", "role": "customer"}\n'
MILLION = "A" * 1_000_000
# 9^8 = 43 million strings once expanded; line 6 (9^6) is the first past 100,000.
BILLION_LAUGHS = """\
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
timezone: *h
"""


def one_error_line(result: Result) -> str:
    """Exit 2, nothing on stdout, exactly one `carecli: error:` line, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("carecli: error: "), lines[0]
    assert len(lines[0]) < 500, "a huge value must be cut in the message"
    return lines[0]


# --- exit 2 with a precise message --------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    id: str
    name: str
    content: bytes
    where: str | None  # "row 3" / "line 2"; None when the file has no lines (Parquet)
    says: str  # a regex the message must match

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        path.write_bytes(self.content)
        return path


def _truncated_parquet() -> bytes:
    import io

    import polars as pl

    buffer = io.BytesIO()
    frame = pl.DataFrame({"conversation_id": ["c1"], "timestamp": ["2026-11-17T09:00:00Z"]})
    frame.with_columns(role=pl.lit("customer")).write_parquet(buffer)
    whole = buffer.getvalue()
    return whole[: len(whole) // 2]


ERRORS = [
    Bad(
        "truncated csv, last row cut",
        "cut.csv",
        (MSG + "c1,2026-11-17T09:00:00Z,customer\nc1,2026-11-17T09:0").encode(),
        "row 2",
        r"column 'role' \(role\) is empty on a message row",
    ),
    Bad(
        "truncated csv, inside quotes",
        "cut_quote.csv",
        (MSG + 'c1,2026-11-17T09:00:00Z,customer\nc1,2026-11-17T09:05:00Z,"ag').encode(),
        "line 3",
        r"unreadable quoting \(unexpected end of data\); .*a file cut short leaves one open",
    ),
    Bad(
        "truncated jsonl",
        "cut.jsonl",
        (JSON_OK + '{"conversation_id": "c1", "timestamp": "2026-11-17T09:0').encode(),
        "line 2",
        r"malformed JSON .*; each line must be one JSON object",
    ),
    Bad("truncated parquet", "cut.parquet", _truncated_parquet(), None, r"not a readable Parquet"),
    Bad(
        "a header holding two separators",
        "two_separators.csv",
        (
            MSG.replace(",", ";").replace("role", "role|x") + "c1;2026-11-17T09:00:00Z;customer\n"
        ).encode(),
        "line 1",
        r"holds ';' and '\|', not ','; set csv_separator: ';' or '\|' in the config",
    ),
    Bad(
        "utf-16 (Excel unicode text)",
        "excel.csv",
        (MSG + OK_ROWS).encode("utf-16"),
        "line 1",
        r"the file is UTF-16, carecli reads UTF-8; .*iconv -f UTF-16 -t UTF-8",
    ),
    Bad(
        "jsonl with latin-1 bytes",
        "latin1.jsonl",
        JSON_OK.encode() + JSON_OK.replace('"c1"', '"Jos\u00e9"').encode("latin-1"),
        "line 2",
        r"byte 0xe9 at column 25 is not UTF-8; save the file as UTF-8",
    ),
    Bad(
        "jsonl NaN literal",
        "nan.jsonl",
        (JSON_OK + JSON_OK.replace("}", ', "csat": NaN}')).encode(),
        "line 2",
        r"NaN is not a JSON number; write null for a missing value",
    ),
    Bad(
        "jsonl number out of range",
        "huge.jsonl",
        (JSON_OK + JSON_OK.replace("}", ', "csat": 1e400}')).encode(),
        "line 2",
        r"the number 1e400 is out of range",
    ),
    Bad(
        "header repeated (files joined with cat)",
        "joined.csv",
        (MSG + OK_ROWS + MSG + "c2,2026-11-18T09:00:00Z,customer\n").encode(),
        "line 4",
        r"the header line is repeated \(files joined with cat\?\); delete that line, or pass",
    ),
    Bad(
        "header repeated with its BOM and CRLF",
        "joined_bom.csv",
        b"\xef\xbb\xbf"
        + (MSG + OK_ROWS).replace("\n", "\r\n").encode()
        + b"\xef\xbb\xbf"
        + (MSG + OK_ROWS).replace("\n", "\r\n").encode(),
        "line 4",
        r"the header line is repeated",
    ),
    Bad(
        "two columns named role",
        "two_roles.csv",
        b"conversation_id,timestamp,role,role\nc1,2026-11-17T09:00:00Z,customer,agent\n",
        "line 1",
        r"2 columns could be field 'role': 'role' \(column 3\), 'role' \(column 4\); rename",
    ),
    Bad(
        "Role and role",
        "two_cases.csv",
        b"conversation_id,timestamp,Role,role\nc1,2026-11-17T09:00:00Z,customer,agent\n",
        "line 1",
        r"2 columns could be field 'role': 'Role' \(column 3\), 'role' \(column 4\)",
    ),
    Bad(
        "csat 0 on a 1-5 scale",
        "csat0.csv",
        (RATED + "c1,2026-11-17T09:05:00Z,,csat,0\n").encode(),
        "row 2",
        r"column 'csat' \(csat\) '0' is outside the 1-5 scale; set csat.scale in the config",
    ),
    Bad(
        "csat 7 on a 1-5 scale",
        "csat7.csv",
        (RATED + "c1,2026-11-17T09:05:00Z,,csat,7\n").encode(),
        "row 2",
        r"'7' is outside the 1-5 scale",
    ),
    Bad(
        "csat NaN as text (unmapped)",
        "csat_nan.csv",
        (RATED + "c1,2026-11-17T09:05:00Z,,csat,NaN\n").encode(),
        "row 2",
        r"(?i)column 'csat' \(csat\) 'nan' is not a rating; if it means no rating, add "
        r"values: \{csat: \{none: \[nan\]\}\} to the config",
    ),
    Bad(
        "nps NaN as text (unmapped)",
        "nps_nan.csv",
        (RATED.replace("csat", "nps") + "c1,2026-11-17T09:05:00Z,,nps,nan\n").encode(),
        "row 2",
        r"column 'nps' \(nps\) 'nan' is not a rating; if it means no rating, add "
        r"values: \{nps: \{none: \[nan\]\}\} to the config",
    ),
    Bad(
        "empty conversation id",
        "no_id.csv",
        (MSG + ",2026-11-17T09:00:00Z,customer\n").encode(),
        "row 1",
        r"column 'conversation_id' \(conversation_id\) is empty; every row needs one",
    ),
    Bad(
        "blank conversation id",
        "blank_id.csv",
        (MSG + OK_ROWS + "   ,2026-11-17T09:00:00Z,customer\n").encode(),
        "row 3",
        r"is empty; every row needs one",
    ),
    Bad(
        "a million characters in a row with an extra field",
        "wide.csv",
        (MSG + f"c1,2026-11-17T09:00:00Z,customer,{MILLION}\n").encode(),
        "line 2",
        r"4 fields where the header has 3",
    ),
    Bad(
        "a million-character timestamp",
        "long_time.csv",
        (MSG + f"c1,2026{'9' * 1_000_000},customer\n").encode(),
        "row 1",
        r"column 'timestamp' \(timestamp\) '2026999.*' is not a timestamp",
    ),
    Bad(
        "negative talk seconds",
        "talk.csv",
        (b"conversation_id,created_at,talk_seconds\nt1,2026-11-17T09:00:00Z,-30\n"),
        "row 1",
        r"'-30' is negative",
    ),
]


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c.id)
def test_bad_file_exits_2_naming_file_and_line(
    case: Bad, runner: CliRunner, tmp_path: Path
) -> None:
    path = case.write(tmp_path)
    line = one_error_line(runner.invoke(app, ["report", "--all", "--data", str(path)]))
    assert f"error: {path}: " in line
    if case.where is not None:
        assert f": {case.where}: " in line
    assert re.search(case.says, line), line


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        pytest.param(
            "- timezone: UTC\n- csat: {}\n",
            1,
            "the config must be a mapping of keys",
            id="a list",
        ),
        pytest.param("just text\n", 1, "the config must be a mapping", id="a scalar"),
        pytest.param(
            BILLION_LAUGHS,
            6,
            "anchors and aliases expand this value to more than 100,000 values",
            id="billion laughs",
        ),
        pytest.param("a: &a [*a]\n", 1, "an alias refers to a value that contains it", id="cycle"),
        pytest.param(
            "timezone: Europe\n", 1, "'Europe' is not an IANA timezone", id="timezone a folder"
        ),
        pytest.param(
            "timezone: UTC\nchannels: [sms\x07]\n",
            2,
            "invalid YAML: character 0x0007 is not allowed",
            id="control character",
        ),
        pytest.param(
            "timezone: UTC\ncolumns:\n  agent: owner\ntimezone: Europe/Paris\n",
            4,
            "key 'timezone' is written twice \\(also line 1\\)",
            id="duplicate key",
        ),
        pytest.param(
            "a: " + "[" * 70 + "]" * 70 + "\n", 1, "nested more than 64 levels", id="deep"
        ),
        pytest.param(
            "slas:\n  - name: CSAT\n    metric: csat\n    fail: " + "9" * 400 + "\n",
            4,
            "slas\\[0\\].fail: .* is too large a number",
            id="huge integer threshold",
        ),
    ],
)
def test_bad_config_exits_2_naming_file_and_line(
    text: str, line: int, says: str, runner: CliRunner, tmp_path: Path
) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_text(text, encoding="utf-8")
    data = tmp_path / "ok.csv"
    data.write_text(MSG + OK_ROWS, encoding="utf-8")
    for command in (["validate"], ["report", "--all", "--data", str(data)]):
        message = one_error_line(runner.invoke(app, [*command, "--config", str(config)]))
        assert f"error: {config}:{line}: " in message
        assert re.search(says, message), message


def test_config_in_latin1_names_the_line(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "carecli.yaml"
    config.write_bytes("timezone: UTC\nchannels: [caf\u00e9]\n".encode("latin-1"))
    message = one_error_line(runner.invoke(app, ["validate", "--config", str(config)]))
    assert (
        message == f"carecli: error: {config}:2: byte 0xe9 is not UTF-8; save the config as UTF-8"
    )


# --- read as if nothing were wrong ----------------------------------------------------------


def report_json(runner: CliRunner, path: Path, *args: str) -> tuple[dict[str, Any], Result]:
    result = runner.invoke(app, ["report", "--all", "--format", "json", "--data", str(path), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result


def metric(document: dict[str, Any], name: str, statistic: str) -> Any:
    return document["overall"]["metrics"][name][statistic]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("plain.csv", (MSG + OK_ROWS).encode(), id="reference"),
        pytest.param("bom.csv", b"\xef\xbb\xbf" + (MSG + OK_ROWS).encode(), id="csv with BOM"),
        pytest.param("crlf.csv", (MSG + OK_ROWS).replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(
            "reversed.csv",
            (MSG + "".join(reversed(OK_ROWS.splitlines(keepends=True)))).encode(),
            id="events out of order",
        ),
        pytest.param(
            "bom.jsonl",
            b"\xef\xbb\xbf"
            + (JSON_OK + JSON_OK.replace("customer", "agent").replace("09:00", "09:05")).encode(),
            id="jsonl with BOM",
        ),
        # European spreadsheets: the header says the separator, no config needed.
        pytest.param("semicolons.csv", (MSG + OK_ROWS).replace(",", ";").encode(), id="; csv"),
        pytest.param("tabs.csv", (MSG + OK_ROWS).replace(",", "\t").encode(), id="tab csv"),
        pytest.param("blank_lines.csv", (MSG + "\n" + OK_ROWS + "\n\n").encode(), id="blank lines"),
        pytest.param(
            "unused_twice.csv",
            (
                b"conversation_id,timestamp,role,notes,notes\n"
                b"c1,2026-11-17T09:00:00Z,customer,a,b\nc1,2026-11-17T09:05:00Z,agent,c,d\n"
            ),
            id="an unused column named twice",
        ),
    ],
)
def test_read_as_if_nothing_were_wrong(
    name: str, content: bytes, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    document, result = report_json(runner, path, "--strict-data")
    assert quiet(result.stderr) == ""
    assert document["data"]["warnings"] == []
    assert document["data"]["conversations"] == 1
    assert metric(document, "first_response_time", "median") == 300


def test_reply_before_the_customer_message_is_not_a_response(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Outreach before the customer writes: the conversation starts at the customer."""
    path = tmp_path / "outreach.csv"
    path.write_text(
        MSG + "c1,2026-11-17T08:00:00Z,agent\nc1,2026-11-17T09:00:00Z,customer\n"
        "c1,2026-11-17T09:10:00Z,agent\n",
        encoding="utf-8",
    )
    document, _ = report_json(runner, path, "--strict-data")
    assert metric(document, "first_response_time", "median") == 600
    assert document["data"]["first_conversation_at"].startswith("2026-11-17T09:00:00")


def test_empty_and_mapped_nan_ratings_are_no_rating(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "ratings.csv"
    path.write_text(
        RATED + "c1,2026-11-17T09:05:00Z,,csat,\nc1,2026-11-17T09:06:00Z,,csat,NaN\n"
        "c2,2026-11-17T10:00:00Z,customer,,\nc2,2026-11-17T10:05:00Z,,csat,4\n",
        encoding="utf-8",
    )
    config = tmp_path / "carecli.yaml"
    config.write_text("values:\n  csat:\n    none: [nan]\n", encoding="utf-8")
    document, _ = report_json(runner, path, "--config", str(config), "--strict-data")
    assert metric(document, "csat", "count") == 1
    assert metric(document, "csat", "mean") == 4


def test_a_million_character_name_loads_and_is_cut_on_the_terminal(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "long_name.csv"
    path.write_text(
        "conversation_id,timestamp,role,agent\nc1,2026-11-17T09:00:00Z,customer,\n"
        f"c1,2026-11-17T09:05:00Z,agent,{MILLION}\n",
        encoding="utf-8",
    )
    document, _ = report_json(runner, path, "--by", "agent")
    assert document["groups"][0]["key"]["agent"] == MILLION  # the data keeps it whole
    table = runner.invoke(app, ["report", "--all", "--by", "agent", "--data", str(path)])
    assert table.exit_code == 0
    assert len(table.stdout) < 20_000
    assert "…" in table.stdout
    assert table.stdout.count("A") < 200


# --- counted, shown, and fatal under --strict-data -----------------------------------------


@dataclass(frozen=True)
class Odd:
    id: str
    name: str
    content: bytes
    kind: str  # the data.warnings kind
    count: int
    example: str  # a regex for "(first: ...)" in the --strict-data error
    check: Callable[[dict[str, Any]], bool] = field(default=lambda document: True)
    noted_by_loader: bool = False  # load_dataset's own note says it on stderr


WARNED = [
    Odd(
        "identical events",
        "twice.csv",
        (MSG + OK_ROWS + "c1,2026-11-17T09:05:00Z,agent\n").encode(),
        "duplicate_rows",
        1,
        r"twice\.csv row 3, the same as .*twice\.csv row 2",
        lambda d: (
            d["data"]["duplicate_rows_dropped"] == 1
            and d["overall"]["metrics"]["volume"]["outbound_messages"] == 1
        ),
        noted_by_loader=True,
    ),
    Odd(
        "a ticket exported twice",
        "tickets_twice.csv",
        (
            TICKETS + "t1,2026-11-17T09:00:00Z,2026-11-17T09:10:00Z,,open\n"
            "t1,2026-11-17T09:00:00Z,2026-11-17T09:10:00Z,2026-11-17T12:00:00Z,solved\n"
        ).encode(),
        "duplicate_rows",
        1,
        r"conversation t1, .*tickets_twice\.csv row 1 \(replaced by .*row 2\)",
        lambda d: d["overall"]["metrics"]["resolution_time"]["median"] == 3 * 3600,
        noted_by_loader=True,
    ),
    Odd(
        "no customer message",
        "agents_only.csv",
        (MSG + OK_ROWS + "c2,2026-11-17T10:00:00Z,agent\n").encode(),
        "without_customer_message",
        1,
        r"conversation c2, .*agents_only\.csv row 3",
        lambda d: d["data"]["conversations"] == 1,
    ),
    Odd(
        "resolved before the customer wrote",
        "resolved_first.csv",
        (
            b"conversation_id,timestamp,role,event\nc1,2026-11-17T08:00:00Z,,resolved\n"
            b"c1,2026-11-17T09:00:00Z,customer,\nc2,2026-11-17T09:00:00Z,customer,\n"
            b"c2,2026-11-17T10:00:00Z,,resolved\n"
        ),
        "negative_durations",
        1,
        r"conversation c1, .*resolved_first\.csv row 1\)",
        lambda d: d["overall"]["metrics"]["resolution_time"]["max"] == 3600,
        noted_by_loader=True,
    ),
    Odd(
        "ticket answered before it was created",
        "backwards.csv",
        (
            TICKETS + "t1,2026-11-17T09:00:00Z,2026-11-17T10:00:00Z,,open\n"
            "t2,2026-11-17T09:00:00Z,2026-11-17T08:00:00Z,,open\n"
        ).encode(),
        "negative_durations",
        1,
        r"backwards\.csv row 2",
        lambda d: (
            d["overall"]["metrics"]["first_response_time"]["count"] == 1
            and d["overall"]["metrics"]["first_response_time"]["max"] == 3600
        ),
        noted_by_loader=True,
    ),
    Odd(
        "NaN talk seconds",
        "nan_talk.csv",
        (
            b"conversation_id,created_at,talk_seconds,hold_seconds\n"
            b"t1,2026-11-17T09:00:00Z,NaN,30\nt2,2026-11-17T09:00:00Z,60,30\n"
        ),
        "non_finite_numbers",
        1,
        r"conversation t1",
        lambda d: d["overall"]["metrics"]["aht"]["mean"] == 90,
    ),
    Odd(
        "infinite first response",
        "inf.csv",
        (
            b"conversation_id,created_at,first_response_seconds\n"
            b"t1,2026-11-17T09:00:00Z,inf\nt2,2026-11-17T09:00:00Z,120\n"
        ),
        "non_finite_numbers",
        1,
        r"conversation t1",
        lambda d: d["overall"]["metrics"]["first_response_time"]["max"] == 120,
    ),
    Odd(
        "timestamps in the future",
        "future.csv",
        (MSG + OK_ROWS + "c2,2099-01-01T09:00:00Z,customer\n").encode(),
        "future_times",
        1,
        r"conversation c2 at 2099-01-01 09:00 UTC",
        lambda d: d["data"]["conversations"] == 2,  # kept
    ),
    Odd(
        "placeholder dates in 1970",
        "placeholder.csv",
        (
            MSG + OK_ROWS + "c2,1970-01-01T00:00:00Z,customer\nc2,1970-01-01T00:05:00Z,agent\n"
        ).encode(),
        "early_times",
        1,
        r"conversation c2 at 1970-01-01 00:00 UTC",
        lambda d: d["data"]["conversations"] == 2,  # kept
    ),
    Odd(
        "a resolution after six years",
        "slow.csv",
        (
            b"conversation_id,timestamp,role,event\nc1,2020-01-01T09:00:00Z,customer,\n"
            b"c1,2026-01-01T09:00:00Z,,resolved\n"
        ),
        "long_durations",
        1,
        r"conversation c1, 2,192 days",
        lambda d: d["overall"]["metrics"]["resolution_time"]["max"] > 6 * 365 * 86_400,
    ),
    Odd(
        "latin-1 bytes in a UTF-8 csv (mixed encodings)",
        "mixed.csv",
        (b"conversation_id,timestamp,role,agent\nc1,2026-11-17T09:00:00Z,customer,\n")
        + "c1,2026-11-17T09:05:00Z,agent,Jos\u00e9\n".encode("latin-1")
        + "c2,2026-11-17T09:00:00Z,customer,Jos\u00e9\n".encode(),
        "invalid_utf8",
        1,
        r"line 3",
        lambda d: d["data"]["conversations"] == 2,
    ),
]


@pytest.mark.parametrize("case", WARNED, ids=lambda c: c.id)
def test_workaround_is_counted_shown_and_fatal_when_strict(
    case: Odd, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / case.name
    path.write_bytes(case.content)
    document, result = report_json(runner, path)
    assert "Traceback" not in result.output
    warnings = {w["kind"]: w for w in document["data"]["warnings"]}
    assert set(warnings) == {case.kind}
    assert warnings[case.kind]["count"] == case.count
    message = warnings[case.kind]["message"]
    assert message.startswith(f"{case.count} "), message
    said = result.stderr.splitlines()
    assert said and all(line.startswith("carecli: ") for line in said), result.stderr
    if not case.noted_by_loader:
        assert f"carecli: warning: {message}" in result.stderr
    assert case.check(document), document["overall"]["metrics"]

    strict = runner.invoke(app, ["report", "--all", "--strict-data", "--data", str(path)])
    line = one_error_line(strict)
    assert line.startswith(f"carecli: error: --strict-data: {case.count} "), line
    assert "(first: " in line
    assert re.search(case.example, line), line
    assert line.endswith("; see docs/data-quality.md")


def test_epoch_seconds_read_as_milliseconds_are_named(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "epoch.csv"
    path.write_text(MSG + "c1,1763370000,customer\nc1,1763370300,agent\n", encoding="utf-8")
    config = tmp_path / "carecli.yaml"
    config.write_text("epoch_unit: ms\n", encoding="utf-8")
    result = runner.invoke(app, ["report", "--all", "--config", str(config), "--data", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "carecli: warning: 1 conversations start before 1990 (earliest 1970-01-21 09:49 UTC); "
        "they are kept: check epoch_unit (s or ms)" in result.stderr
    )


def test_every_format_shows_the_warnings(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "future.csv"
    path.write_text(MSG + OK_ROWS + "c2,2099-01-01T09:00:00Z,customer\n", encoding="utf-8")
    expected = "1 conversations have times more than an hour after now"
    for output_format in ("table", "md", "html"):
        result = runner.invoke(
            app, ["report", "--all", "--format", output_format, "--data", str(path)]
        )
        assert result.exit_code == 0, result.output
        assert expected in result.stdout, output_format
    markdown = runner.invoke(app, ["report", "--all", "--format", "md", "--data", str(path)])
    assert "## Data quality\n\n- 1 conversations" in markdown.stdout


def test_strict_data_lists_the_other_kinds(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "two_problems.csv"
    path.write_text(
        MSG + OK_ROWS + "c1,2026-11-17T09:05:00Z,agent\nc2,2099-01-01T09:00:00Z,customer\n",
        encoding="utf-8",
    )
    line = one_error_line(
        runner.invoke(app, ["report", "--all", "--strict-data", "--data", str(path)])
    )
    assert "--strict-data: 1 identical events were dropped" in line
    assert "(and 1 more: future_times)" in line


def test_check_has_strict_data_too(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(MSG + OK_ROWS + "c1,2026-11-17T09:05:00Z,agent\n", encoding="utf-8")
    config = tmp_path / "carecli.yaml"
    config.write_text(
        "slas:\n  - name: Fast\n    metric: first_response_time\n    statistic: max\n"
        "    fail: 1h\n",
        encoding="utf-8",
    )
    args = ["check", "--all", "--config", str(config), "--data", str(path)]
    assert runner.invoke(app, args).exit_code == 0
    line = one_error_line(runner.invoke(app, [*args, "--strict-data"]))
    assert "--strict-data: 1 identical events were dropped" in line


def test_the_sample_data_passes_strict_data(runner: CliRunner) -> None:
    sample = Path(__file__).resolve().parent.parent / "sample_data"
    for name in ("messages.jsonl", "conversations.csv"):
        result = runner.invoke(
            app,
            ["report", "--week", "2026-W47", "--strict-data", "--data", str(sample / name)],
        )
        assert result.exit_code == 0, result.output


# --- where --strict-data says the first case is (rules pinned by a mutation sweep of strict.py)

EVENTS = "conversation_id,timestamp,role,event\n"


@pytest.mark.parametrize(
    ("name", "content", "first"),
    [
        pytest.param(
            "agents.csv",
            EVENTS + "c1,2026-11-17T09:00:00Z,customer,\nc1,2026-11-17T09:05:00Z,agent,\n"
            "c2,2026-11-17T10:00:00Z,agent,\nc3,2026-11-17T10:30:00Z,agent,\n"
            "c2,2026-11-17T11:00:00Z,agent,\nc4,2026-11-17T12:00:00Z,agent,\n"
            "c5,2026-11-17T13:00:00Z,agent,\n",
            # The conversation met first in the file, at its first row; an empty event is a
            # message, so c1 (customer row with no event) is not one of them.
            r"4 conversations have no customer message.*\(first: conversation c2, \S+ row 3\)",
            id="the first conversation without a customer message, at its first row",
        ),
        pytest.param(
            "reopened.csv",
            EVENTS + "c1,2026-11-17T07:00:00Z,,resolved\nc1,2026-11-17T07:30:00Z,,reopened\n"
            "c1,2026-11-17T09:00:00Z,customer,\nc2,2026-11-17T07:00:00Z,,resolved\n"
            "c2,2026-11-17T09:00:00Z,customer,\n",
            # c1 was reopened: its early resolution is no resolution time, not the case.
            r"\(first: conversation c2, \S+ row 4\)",
            id="a resolution undone by a reopen is not the negative duration",
        ),
        pytest.param(
            "resolved_twice.csv",
            EVENTS + "c1,2026-11-17T07:00:00Z,,resolved\nc1,2026-11-17T08:00:00Z,,resolved\n"
            "c1,2026-11-17T09:00:00Z,customer,\n",
            r"\(first: conversation c1, \S+ row 2\)",  # the last resolution is the one used
            id="the last of two early resolutions",
        ),
        pytest.param(
            "bot_early.csv",
            "conversation_id,created_at,bot_first_response_at\n"
            "t1,2026-11-17T09:00:00Z,2026-11-17T09:01:00Z\nt2,2026-11-17T09:00:00Z,"
            "2026-11-17T08:00:00Z\n",
            r"\(first: \S+bot_early\.csv row 2\)",
            id="a bot response before creation",
        ),
        pytest.param(
            "minutes.csv",
            "conversation_id,created_at,first_response_minutes\n"
            "t1,2026-11-17T09:00:00Z,5\nt2,2026-11-17T09:00:00Z,-5\n",
            r"\(first: \S+minutes\.csv row 2\)",
            id="negative first response minutes",
        ),
        pytest.param(
            "open_resolved.csv",
            "conversation_id,created_at,resolved_at,status\n"
            "t1,2026-11-17T09:00:00Z,2026-11-17T08:00:00Z,open\n"
            "t2,2026-11-17T09:00:00Z,2026-11-17T08:00:00Z,solved\n",
            # An open ticket's resolved_at is not a resolution time: only t2 runs backwards.
            r"1 conversations have a response.*\(first: \S+open_resolved\.csv row 2\)",
            id="only a resolved ticket's resolution counts",
        ),
    ],
)
def test_strict_data_names_the_first_case(
    name: str, content: str, first: str, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    line = one_error_line(
        runner.invoke(app, ["report", "--all", "--strict-data", "--data", str(path)])
    )
    assert re.search(first, line), line


TWEETS = "tweet_id,author_id,inbound,created_at,text,in_response_to_tweet_id\n"


@pytest.mark.parametrize(
    ("name", "content", "args"),
    [
        pytest.param(
            "twice.log",
            MSG + OK_ROWS + "c1,2026-11-17T09:05:00Z,agent\n",
            ["--format-in", "csv"],
            id="a .log file read as CSV by --format-in",
        ),
        pytest.param(
            "tweets.csv",  # no response_tweet_id column: not detected as TWCS, named instead
            TWEETS + "1,cust,True,Tue Nov 17 09:00:00 +0000 2026,help,\n"
            "2,Brand,False,Tue Nov 17 09:05:00 +0000 2026,hi,1\n"
            "2,Brand,False,Tue Nov 17 09:05:00 +0000 2026,hi,1\n",
            ["--preset", "twcs"],
            id="a file read with --preset",
        ),
    ],
)
def test_strict_data_reads_the_file_again_the_same_way(
    name: str, content: str, args: list[str], runner: CliRunner, tmp_path: Path
) -> None:
    # The first case is found by reading the file again: with the same options as the report.
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["report", "--all", "--strict-data", *args, "--data", str(path)])
    assert f"(first: {path} row 3, the same as {path} row 2)" in one_error_line(result)


# --- failures outside carecli: permissions, a panic in polars -----------------------------


def _carecli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A real carecli process; as root, without the capabilities that bypass permissions."""
    command = [sys.executable, "-m", "carecli", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be denied")
        command = [setpriv, "--bounding-set=-all", "--inh-caps=-all", *command]
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)


def test_an_unreadable_file_or_folder_is_said_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "export.csv"
    data.write_text("conversation_id,created_at\nc1,2026-11-17T09:00:00Z\n", encoding="utf-8")
    data.chmod(0)
    result = _carecli("report", "--week", "2026-W47", "--data", str(data))
    assert (result.returncode, result.stderr) == (
        2,
        f"carecli: error: {data}: cannot read the file (permission denied); check the "
        "permissions of the file and of its folders\n",
    )
    data.chmod(0o644)
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o555)
    target = readonly / "r.json"
    result = _carecli(
        "report", "--week", "2026-W47", "--data", str(data), "-f", "json", "--output", str(target)
    )
    assert (result.returncode, quiet(result.stderr)) == (
        2,
        f"carecli: error: {target}: cannot write the file (Permission denied)\n",
    )
    assert list(readonly.iterdir()) == []


def test_a_panic_in_polars_is_an_internal_error_not_a_breach() -> None:
    # polars raises PanicException, a BaseException: it escaped the handler and exited 1,
    # the code of a breached SLA. A thread count of 0 makes polars panic when it starts.
    sample = REPO / "sample_data" / "messages.jsonl"
    result = _carecli(
        "report", "--week", "2026-W47", "--data", str(sample), env={"POLARS_MAX_THREADS": "0"}
    )
    assert result.returncode == 3
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("carecli: internal error: PanicException: ")
    assert "Traceback" not in result.stderr
