"""`carecli inspect FILE`: the facts, the unused columns and the sample, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecli.cli import inspect
from carecli.cli.app import app
from carecli.cli.inspect import inspect_file, render
from carecli.config.model import Config

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "presets"
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "messages.jsonl"


def _seven_messages(tmp_path: Path) -> Path:
    rows = [f"c{i},2026-11-17T09:0{i}:00Z,customer\n" for i in (3, 1, 7, 2, 4, 5, 6)]
    path = tmp_path / "seven.csv"
    path.write_text("conversation_id,timestamp,role\n" + "".join(rows), encoding="utf-8")
    return path


def _sample_row(stdout: str, field: str) -> list[str]:
    """The values of `field` in the sample (a line per field, a column per sample row)."""
    sample = stdout.split("Sample rows")[-1]
    line = next(line for line in sample.splitlines() if line.startswith(field + " "))
    return line.split()[1:]


def _sample_ids(stdout: str) -> list[str]:
    return _sample_row(stdout, "conversation_id")


def test_time_range_of_a_message_file_is_its_first_and_last_message(tmp_path: Path) -> None:
    # Messages have no created_at column: the range comes from the timestamps, earliest to
    # latest whatever the row order (09:03 is the first row, 09:07 the third).
    found = inspect_file(_seven_messages(tmp_path), Config())
    assert found.granularity == "messages"
    assert (found.first, found.last) == ("2026-11-17T09:01:00+00:00", "2026-11-17T09:07:00+00:00")


def test_sample_shows_five_rows_unless_rows_says_otherwise(tmp_path: Path) -> None:
    runner = CliRunner()
    path = str(_seven_messages(tmp_path))
    default = runner.invoke(app, ["inspect", path])
    assert default.exit_code == 0, default.output
    assert _sample_ids(default.stdout) == ["c3", "c1", "c7", "c2", "c4"]  # file order
    two = runner.invoke(app, ["inspect", path, "--rows", "2"])
    assert _sample_ids(two.stdout) == ["c3", "c1"]
    assert "Sample rows" not in runner.invoke(app, ["inspect", path, "--rows", "0"]).stdout


def test_not_used_skips_thread_columns_and_the_preset_note_comes_first() -> None:
    # TWCS: in_response_to_tweet_id is used by the preset's threads: setting, not unused.
    result = CliRunner().invoke(app, ["inspect", str(FIXTURES / "twcs_excerpt.csv")])
    assert result.exit_code == 0, result.output
    assert "Not used (2): text, response_tweet_id\n" in result.stdout
    # How the preset was chosen is said first, before the facts.
    assert result.stdout.startswith("using preset 'twcs' (")
    assert "detected from the header" in " ".join(result.stdout.split())  # may wrap


def test_row_count_has_thousands_separators(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    rows = "".join(f"c{i},2026-11-17T09:00:00Z,customer\n" for i in range(1234))
    path.write_text("conversation_id,timestamp,role\n" + rows, encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", str(path), "--rows", "0"])
    assert result.exit_code == 0, result.output
    assert "Rows         1,234 " in result.stdout


def test_a_trailing_comma_in_the_header_is_not_an_unused_column(tmp_path: Path) -> None:
    # Spreadsheets often end every line with a comma: that blank column is no one's data.
    path = tmp_path / "trailing.csv"
    path.write_text("conversation_id,timestamp,role,notes,\nc1,2026-11-17T09:00:00Z,customer,x,\n")
    assert inspect_file(path, Config()).unmapped == ("notes",)


def _ten_messages_with_problems(tmp_path: Path) -> Path:
    """Rows in 4 batches of 3 (batch size patched): problems in the 2nd and 4th batch."""
    times = ["09:05", "09:01", "09:09", "bad1", "09:02", "09:03", "09:04", "09:00", "x", "bad2"]
    roles = ["customer", "agent", "customer", "agent", "robot", "customer"] + ["agent"] * 4
    rows = [
        f"c{i % 3},2026-11-17T{t}:00Z,{role}\n" if ":" in t else f"c{i % 3},{t},{role}\n"
        for i, (t, role) in enumerate(zip(times, roles, strict=True))
    ]
    path = tmp_path / "ten.csv"
    path.write_text("conversation_id,timestamp,role\n" + "".join(rows), encoding="utf-8")
    return path


def test_batches_give_what_one_read_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Big files are inspected in batches: counts summed, the time range over all batches,
    # each problem's rows summed with the first row of them all, the sample in file order.
    path = _ten_messages_with_problems(tmp_path)
    whole = inspect_file(path, Config(), sample_rows=5)
    monkeypatch.setattr(inspect, "_BATCH_ROWS", 3)
    batched = inspect_file(path, Config(), sample_rows=5)
    assert batched.sample.equals(whole.sample)
    assert (batched.rows, batched.first, batched.last) == (
        10,
        "2026-11-17T09:00:00+00:00",  # row 8, in the third batch
        "2026-11-17T09:09:00+00:00",  # row 3, in the first
    )
    assert [(p.field, p.rows, p.first_row, p.example) for p in batched.problems] == [
        ("timestamp", 3, "row 4", "bad1"),  # rows 4, 9 and 10: batches 2, 3 and 4
        ("role", 1, "row 5", "robot"),
    ]
    assert [p.describe(path) for p in batched.problems] == [
        p.describe(path) for p in whole.problems
    ]
    assert batched.sample["conversation_id"].to_list() == ["c0", "c1", "c2", "c0", "c1"]
    assert batched.sample_labels == ("row 1", "row 2", "row 3", "row 4", "row 5")


def test_a_header_without_rows_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("conversation_id,timestamp,role\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"carecli: error: {path}: the file has a header but no data rows"
    )


def test_sample_columns_are_the_file_rows_or_lines(tmp_path: Path) -> None:
    # JSON Lines are labelled by their line in the file: a blank line is not a record.
    path = tmp_path / "two.jsonl"
    path.write_text(
        '{"conversation_id": "a", "timestamp": "2026-11-17T09:00:00Z", "role": "customer"}\n'
        "\n"
        '{"conversation_id": "b", "timestamp": "2026-11-17T09:30:00Z", "role": "agent"}\n',
        encoding="utf-8",
    )
    found = inspect_file(path, Config())
    assert found.sample_labels == ("line 1", "line 3")
    text = render(found)
    assert _sample_row(text, "field") == ["line", "1", "line", "3"]
    assert _sample_row(text, "timestamp") == ["2026-11-17", "09:00:00", "2026-11-17", "09:30:00"]
    assert _sample_row(text, "role") == ["customer", "agent"]


def test_the_sample_fits_the_width_with_whole_dates(tmp_path: Path) -> None:
    # A column per sample row, an equal share of the width each: at 80 columns five rows
    # of the shipped sample fit, each date on one line and its time below (left to itself,
    # rich cut one column's date: "2026-10-1" over "1").
    text = render(inspect_file(SAMPLE, Config()), width=80)
    sample = text.split("Sample rows")[-1].splitlines()
    assert max(len(line.rstrip()) for line in sample) <= 80
    assert _sample_row(text, "timestamp") == ["2026-10-11"] * 5
    path = tmp_path / "wide.csv"
    names = ["Alexandra Konstantinopoulou-Smith", "Bo", "Chloe Martin", "Dan", "Eve"]
    rows = [f"c{i},2026-11-17T09:0{i}:00Z,agent,{name}\n" for i, name in enumerate(names)]
    path.write_text("conversation_id,timestamp,role,agent\n" + "".join(rows), encoding="utf-8")
    text = render(inspect_file(path, Config()), width=80)
    assert max(len(line.rstrip()) for line in text.split("Sample rows")[-1].splitlines()) <= 80
    assert _sample_row(text, "agent")[:2] == ["Alexandra", "Bo"]  # folded, in its column
    assert "\n                  Konstantin   " in text  # cut to the column's 10


def test_more_rows_than_fit_go_on_in_another_table() -> None:
    # At 77 columns four sample rows fit (a fifth would squeeze a date): eight are two
    # tables of four, each fitting the width, the title said once.
    text = render(inspect_file(SAMPLE, Config(), sample_rows=8), width=77)
    sample = text.split("Sample rows")[-1]
    headers = [line.split()[1:] for line in sample.splitlines() if line.startswith("field ")]
    assert headers == [
        ["line", "1", "line", "2", "line", "3", "line", "4"],
        ["line", "5", "line", "6", "line", "7", "line", "8"],
    ]
    assert max(len(line.rstrip()) for line in sample.splitlines()) <= 77
    assert text.count("Sample rows") == 1
    dates = [line.split()[1:] for line in sample.splitlines() if line.startswith("timestamp ")]
    assert dates == [["2026-10-11"] * 4] * 2


def test_sample_columns_share_the_width_equally(tmp_path: Path) -> None:
    # Three rows of 19-character times need 81 columns of 80: each column is cut to its
    # share, all alike, instead of one squeezed (rich alone cut the second one only).
    path = tmp_path / "three.csv"
    rows = [f"conversation-{i},2026-11-17T09:0{i}:00Z,customer\n" for i in range(3)]
    path.write_text("conversation_id,timestamp,role\n" + "".join(rows), encoding="utf-8")
    text = render(inspect_file(path, Config(), sample_rows=3), width=80)
    assert _sample_row(text, "timestamp") == ["2026-11-17"] * 3
    assert _sample_row(text, "role") == ["customer"] * 3


def test_a_problem_names_the_column_once_when_it_is_the_field(tmp_path: Path) -> None:
    path = tmp_path / "mapped.csv"
    path.write_text("id,timestamp,role\nc1,never,customer\n", encoding="utf-8")
    config = Config(columns={"conversation_id": "id"})
    text = render(inspect_file(path, config), width=120)
    assert "  timestamp   " in text and "timestamp (timestamp)" not in text
    path.write_text("id,timestamp,role\n,2026-11-17T09:00:00Z,customer\n", encoding="utf-8")
    assert "id (conversation_id)" in render(inspect_file(path, config), width=120)


def test_reply_threads_are_inspected_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    # TWCS threads: a reply's conversation is its thread's first tweet, found across the
    # file (never batch by batch), so the sample shows the root's id for a whole thread.
    monkeypatch.setattr(inspect, "_BATCH_ROWS", 1)
    found = inspect_file(FIXTURES / "twcs_excerpt.csv", Config(), sample_rows=3)
    assert found.preset == "twcs"
    assert found.sample["conversation_id"].to_list() == ["10", "10", "10"]
