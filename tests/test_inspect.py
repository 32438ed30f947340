"""`carecli inspect FILE`: the facts, the unused columns and the sample, on real files."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from carecli.cli import app
from carecli.config import Config
from carecli.inspect import inspect_file

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "presets"


def _seven_messages(tmp_path: Path) -> Path:
    rows = [f"c{i},2026-11-17T09:0{i}:00Z,customer\n" for i in (3, 1, 7, 2, 4, 5, 6)]
    path = tmp_path / "seven.csv"
    path.write_text("conversation_id,timestamp,role\n" + "".join(rows), encoding="utf-8")
    return path


def _sample_ids(stdout: str) -> list[str]:
    sample = stdout.split("Sample rows")[-1]
    firsts = [line.split()[0] for line in sample.splitlines() if line.strip()]
    return [word for word in firsts if word[:1] == "c" and word[1:].isdigit()]


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
    assert "detected from the header" in result.stdout


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
