"""load.py: format detection, opening CSV/JSONL/Parquet lazily, reader errors, row labels."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from carecli.config.model import Config, parse_config
from carecli.errors import InputError
from carecli.input import load
from carecli.input.load import ROW_INDEX, Source, collect, detect_format, open_source
from carecli.input.normalize import normalize

CSV = (
    "conversation_id,timestamp,role\n"
    "c1,2026-11-02T09:00:00Z,customer\n"
    "c1,2026-11-02T09:05:00Z,agent\n"
)
JSONL = (
    '{"conversation_id": "c1", "timestamp": "2026-11-02T09:00:00Z", "role": "customer"}\n'
    '{"conversation_id": "c1", "timestamp": "2026-11-02T09:05:00Z", "role": "agent"}\n'
)
COLUMNS = ("conversation_id", "timestamp", "role")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read_all(source: Source) -> pl.DataFrame:
    return collect(source.scan(list(source.columns)), source)


# --- detect_format ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("export.csv", "csv"),
        ("export.CSV", "csv"),
        ("export.tsv", "csv"),
        ("export.txt", "csv"),
        ("export.jsonl", "jsonl"),
        ("export.ndjson", "jsonl"),
        ("export.json", "jsonl"),
        ("export.JSONL", "jsonl"),
        ("export.parquet", "parquet"),
        ("export.pq", "parquet"),
        ("archive.2026.csv", "csv"),
    ],
)
def test_detect_format_from_extension(name: str, expected: str) -> None:
    assert detect_format(Path(name)) == expected
    assert detect_format(Path(name), "auto") == expected


@pytest.mark.parametrize("name", ["export.xlsx", "export", "export.csv.gz", "export.yaml"])
def test_unknown_extension_suggests_format_in(name: str) -> None:
    with pytest.raises(InputError) as caught:
        detect_format(Path(name))
    message = str(caught.value)
    suffix = Path(name).suffix
    assert message == (
        f"{name}: cannot tell the format from the extension {suffix!r}; "
        "use --format-in csv|jsonl|parquet"
    )


@pytest.mark.parametrize("requested", ["csv", "jsonl", "parquet"])
def test_requested_format_overrides_the_extension(requested: str) -> None:
    assert detect_format(Path("export.xlsx"), requested) == requested
    assert detect_format(Path("export.csv"), requested) == requested


# --- open_source: CSV, JSONL ------------------------------------------------------------


def test_open_csv(tmp_path: Path) -> None:
    path = write(tmp_path / "data.csv", CSV)
    source = open_source(path)
    assert (source.path, source.format, source.columns) == (path, "csv", COLUMNS)
    frame = read_all(source)
    assert frame.columns == [ROW_INDEX, *COLUMNS]
    assert frame[ROW_INDEX].to_list() == [0, 1]
    assert frame["role"].to_list() == ["customer", "agent"]
    # Everything is text: normalize types it.
    assert all(frame.schema[c] == pl.String for c in COLUMNS)


def test_csv_reads_only_the_requested_columns(tmp_path: Path) -> None:
    source = open_source(write(tmp_path / "data.csv", CSV))
    frame = collect(source.scan(["role"]), source)
    assert frame.columns == [ROW_INDEX, "role"]


def test_csv_keeps_numbers_as_text(tmp_path: Path) -> None:
    path = write(tmp_path / "data.csv", "conversation_id,csat\n007,5\n")
    frame = read_all(open_source(path))
    assert frame["conversation_id"].to_list() == ["007"]  # leading zeros survive
    assert frame["csat"].to_list() == ["5"]


def test_tsv_uses_tabs(tmp_path: Path) -> None:
    path = write(tmp_path / "data.tsv", CSV.replace(",", "\t"))
    source = open_source(path)
    assert source.format == "csv"
    assert source.columns == COLUMNS
    assert read_all(source)["timestamp"].to_list()[0] == "2026-11-02T09:00:00Z"


def test_an_explicit_separator_beats_the_tsv_extension(tmp_path: Path) -> None:
    # .tsv only changes the default ','; a csv_separator the user set is kept.
    path = write(tmp_path / "data.tsv", CSV.replace(",", ";"))
    assert open_source(path, separator=";").columns == COLUMNS


def test_csv_custom_separator(tmp_path: Path) -> None:
    path = write(tmp_path / "data.csv", CSV.replace(",", ";"))
    assert open_source(path, separator=";").columns == COLUMNS
    # Read with the default ',', a header that holds only ';' says the separator itself.
    source = open_source(path)
    assert (source.columns, source.separator) == (COLUMNS, ";")
    tabs = write(tmp_path / "tabs.csv", CSV.replace(",", "\t"))
    assert open_source(tabs).separator == "\t"


def test_a_header_holding_two_separators_asks_for_one_and_that_fix_works(tmp_path: Path) -> None:
    path = write(tmp_path / "data.csv", CSV.replace(",", ";").replace("role", "role|kind"))
    with pytest.raises(InputError, match=r"line 1: .* holds ';' and '\|', not ','; set csv_sep"):
        open_source(path)
    # The suggestion, applied: csv_separator: ';'.
    assert open_source(path, separator=";").columns[-1] == "role|kind"


# --- first rows (the timestamp sample) --------------------------------------------------


def _first_rows_agree(source: Source, rows: int) -> None:
    columns = list(source.columns)
    expected = collect(source.scan(columns).head(rows), source)
    assert_frame_equal(source.first_rows(columns, rows).collect(), expected)


@pytest.mark.parametrize("cut", range(2000, 2200, 7))
def test_csv_first_rows_from_bytes_equal_the_scan_whatever_the_cut(
    tmp_path: Path, cut: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Quoted newlines, CRLF and a byte-order mark: wherever the bytes read end (inside a
    # quoted field, between \r and \n), the rows are those the scan reads.
    monkeypatch.setattr(load, "_HEAD_BYTES", cut)
    lines = "".join(
        f'c{i},2026-11-02T09:00:{i % 60:02d}Z,"line\r\ntwo {i}"\r\n' for i in range(200)
    )
    path = tmp_path / "quoted.csv"
    path.write_text(
        "\ufeffconversation_id,timestamp,text\r\n" + lines, encoding="utf-8", newline=""
    )
    source = open_source(path)
    started = path.read_bytes()[:cut].count(b"\nc")  # records begun in the bytes read
    assert load._csv_head(path, ",", list(source.columns), started - 2) is not None
    for rows in (started - 2, started - 1, started):  # the last begun may be cut short
        _first_rows_agree(source, rows)


def test_csv_first_rows_beyond_the_bytes_read_come_from_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "_HEAD_BYTES", 4096)
    rows = "".join(f"c{i},2026-11-02T09:00:00Z,{'x' * 300}\n" for i in range(100))
    path = write(tmp_path / "wide.csv", "conversation_id,timestamp,text\n" + rows)
    source = open_source(path)
    assert load._csv_head(path, ",", list(source.columns), 50) is None  # 13 rows read
    _first_rows_agree(source, 50)


@pytest.mark.parametrize(
    "content",
    [
        CSV,  # the whole file within the bytes read
        "conversation_id,timestamp,role\nc1,,customer\n\nc2,2026-11-02,agent\n",
        "conversation_id;timestamp;role\nc1;2026-11-02T09:00:00Z;customer\n",
    ],
)
def test_csv_first_rows_of_small_files(tmp_path: Path, content: str) -> None:
    _first_rows_agree(open_source(write(tmp_path / "small.csv", content)), 1000)


def test_csv_first_rows_of_latin1_text_are_read_as_the_scan_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"conversation_id,timestamp,role\nc\xe9,2026-11-02,agent\n" * 3)
    _first_rows_agree(open_source(path), 1000)


def test_open_jsonl(tmp_path: Path) -> None:
    path = write(tmp_path / "data.jsonl", JSONL)
    source = open_source(path)
    assert (source.format, source.columns) == ("jsonl", COLUMNS)
    frame = read_all(source)
    assert frame[ROW_INDEX].to_list() == [0, 1]
    assert frame["timestamp"].to_list() == ["2026-11-02T09:00:00Z", "2026-11-02T09:05:00Z"]


def test_jsonl_keys_missing_from_a_line_are_null(tmp_path: Path) -> None:
    path = write(
        tmp_path / "data.ndjson",
        '{"conversation_id": "c1", "csat": 5}\n{"conversation_id": "c2"}\n',
    )
    source = open_source(path)
    assert source.format == "jsonl"
    frame = read_all(source)
    assert frame["csat"].to_list() == ["5", None]


@pytest.mark.parametrize("extension", [".json", ".ndjson"])
def test_json_extensions_are_json_lines(tmp_path: Path, extension: str) -> None:
    source = open_source(write(tmp_path / f"data{extension}", JSONL))
    assert (source.format, source.columns) == ("jsonl", COLUMNS)


def test_a_json_array_of_objects_is_read_like_json_lines(tmp_path: Path) -> None:
    records = ",\n  ".join(line for line in JSONL.splitlines() if line.strip())
    path = write(tmp_path / "data.json", f"\ufeff[\n  {records}\n]\n")  # BOM, pretty-printed
    source = open_source(path)
    assert (source.format, source.columns) == ("json", COLUMNS)
    assert (
        read_all(source)
        .drop(ROW_INDEX)
        .equals(read_all(open_source(write(tmp_path / "data.jsonl", JSONL))).drop(ROW_INDEX))
    )
    assert source.row_label(1) == "record 2"  # an array has no line per record


def test_json_array_values_of_mixed_types_are_read(tmp_path: Path) -> None:
    path = write(tmp_path / "data.json", '[{"id": 1}, {"id": "c2", "csat": 4.5}]')
    frame = read_all(open_source(path))
    assert frame["id"].cast(pl.String).to_list() == ["1", "c2"]
    assert frame["csat"].to_list() == [None, 4.5]


def test_a_json_array_column_of_lists_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "data.json", '[{"conversation_id": ["a", "b"], "note": "x"}]')
    source = open_source(path)
    assert collect(source.scan(["note"]), source)["note"].to_list() == ["x"]  # others may nest
    with pytest.raises(InputError) as caught:
        source.scan(["conversation_id"])
    assert str(caught.value) == (
        f"{path}: column 'conversation_id' holds lists or objects, not single values; "
        "map another column, or flatten the export"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "the JSON array holds no records; export the data again"),
        ("[1, 2]", "not a readable JSON array of objects"),
        ('[{"conversation_id": "c1",', "not a readable JSON array of objects"),
    ],
)
def test_unreadable_json_arrays(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path / "data.json", content)
    with pytest.raises(InputError) as caught:
        open_source(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_format_in_override_reads_an_unknown_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "export.dat", JSONL)
    with pytest.raises(InputError, match="--format-in"):
        open_source(path)
    source = open_source(path, "jsonl")
    assert (source.format, source.columns) == ("jsonl", COLUMNS)
    assert read_all(source).height == 2


def test_format_in_override_beats_a_misleading_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "export.json", CSV)
    source = open_source(path, "csv")
    assert (source.format, source.columns) == ("csv", COLUMNS)


# --- open_source: problems ---------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(InputError) as caught:
        open_source(path)
    assert str(caught.value) == f"{path}: file not found; check the --data path"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "export.csv"
    folder.mkdir()
    with pytest.raises(InputError) as caught:
        open_source(folder)
    assert str(caught.value) == (f"{folder}: not a regular file; pass a CSV, JSONL or Parquet file")


@pytest.mark.parametrize("name", ["empty.csv", "empty.jsonl", "empty.parquet", "empty.xyz"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, "")
    with pytest.raises(InputError) as caught:
        open_source(path)
    assert str(caught.value) == f"{path}: the file is empty; export the data again"


def test_blank_csv_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path / "blank.csv", "\n\n")
    with pytest.raises(InputError, match="the file is empty"):
        open_source(path)


def test_jsonl_malformed_first_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", '{"conversation_id": \n')
    with pytest.raises(InputError) as caught:
        read_all(open_source(path))
    assert str(caught.value) == (
        f"{path}: line 1: malformed JSON (Expecting value); each line must be one JSON object"
    )


def test_jsonl_malformed_later_line_found_by_collect(tmp_path: Path) -> None:
    good = '{"conversation_id": "c%d", "timestamp": "2026-11-02T09:00:00Z", "role": "agent"}'
    lines = [good % i for i in range(1200)]
    lines[1099] = '{"conversation_id": "c", oops}'
    path = write(tmp_path / "late.jsonl", "\n".join(lines) + "\n")
    source = open_source(path)  # the schema comes from the first lines
    assert source.columns == COLUMNS
    with pytest.raises(InputError) as caught:
        read_all(source)
    assert str(caught.value).startswith(f"{path}: line 1100: malformed JSON")


def test_csv_ragged_row_found_by_collect(tmp_path: Path) -> None:
    path = write(tmp_path / "ragged.csv", CSV + "c2,2026-11-02T10:00:00Z,customer,extra\n")
    source = open_source(path)
    with pytest.raises(InputError) as caught:
        read_all(source)
    assert str(caught.value) == (
        f"{path}: line 4: 4 fields where the header has 3; "
        "check the delimiter and quoting of that line"
    )


def test_blank_lines_are_not_the_broken_line(tmp_path: Path) -> None:
    # Readers skip blank lines, so the line named must be the first real broken record.
    csv_path = write(tmp_path / "ragged.csv", CSV + "\nc2,2026-11-02T10:00:00Z,customer,extra\n")
    with pytest.raises(InputError, match=r"ragged\.csv: line 5: 4 fields where the header has 3"):
        read_all(open_source(csv_path))
    json_path = write(tmp_path / "bad.jsonl", JSONL + '\n{"conversation_id": "c2", oops}\n')
    with pytest.raises(InputError, match=r"bad\.jsonl: line 4: malformed JSON"):
        read_all(open_source(json_path))


def test_jsonl_numbers_out_of_range_either_way_are_named(tmp_path: Path) -> None:
    path = write(tmp_path / "big.jsonl", JSONL + '{"conversation_id": "c2", "csat": -1e999}\n')
    with pytest.raises(InputError) as caught:
        read_all(open_source(path))
    assert str(caught.value) == f"{path}: line 3: the number -1e999 is out of range"


def test_utf16_json_lines_are_named_as_utf16(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(JSONL.encode("utf-16"))
    with pytest.raises(InputError, match=r"line 1: the file is UTF-16, carecli reads UTF-8"):
        read_all(open_source(path))


def test_csv_ragged_row_line_counts_quoted_newlines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ragged.csv",
        'conversation_id,topic\nc1,"two\nlines"\nc2,x,surplus\n',
    )
    with pytest.raises(InputError, match=r": line 4: 3 fields where the header has 2"):
        read_all(open_source(path))


def test_not_a_parquet_file(tmp_path: Path) -> None:
    path = write(tmp_path / "data.parquet", "this is not parquet")
    with pytest.raises(InputError) as caught:
        open_source(path)
    assert str(caught.value).startswith(f"{path}: not a readable Parquet file (")


# --- Parquet -----------------------------------------------------------------------------


def test_parquet_round_trip_with_text_columns(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    pl.DataFrame(
        {
            "conversation_id": ["c1", "c1"],
            "timestamp": ["2026-11-02T09:00:00Z", "2026-11-02T09:05:00Z"],
            "role": ["customer", "agent"],
            "csat": [None, 4],
        }
    ).write_parquet(path)
    source = open_source(path)
    assert (source.format, source.columns) == ("parquet", (*COLUMNS, "csat"))
    frame = read_all(source)
    assert frame[ROW_INDEX].to_list() == [0, 1]
    assert frame["csat"].to_list() == [None, 4]  # parquet keeps its native types
    normalized = normalize(source, Config())
    assert normalized.frame["timestamp"].to_list() == [
        datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 9, 5, tzinfo=UTC),
    ]
    assert normalized.frame["csat"].to_list() == [None, 4.0]


def _parquet_with_datetimes(path: Path, time_zone: str | None) -> Path:
    moments = [datetime(2026, 11, 2, 9, 15), datetime(2026, 7, 1, 9, 15)]
    frame = pl.DataFrame(
        {
            "conversation_id": ["c1", "c2"],
            "timestamp": pl.Series(moments, dtype=pl.Datetime("ms")),
            "role": ["customer", "customer"],
        }
    )
    if time_zone is not None:
        frame = frame.with_columns(pl.col("timestamp").dt.replace_time_zone(time_zone))
    frame.write_parquet(path)
    return path


def test_parquet_native_naive_datetime_is_read_in_source_timezone(tmp_path: Path) -> None:
    path = _parquet_with_datetimes(tmp_path / "naive.parquet", None)
    source = open_source(path)
    raw = read_all(source)
    assert raw.schema["timestamp"] == pl.Datetime("ms")
    assert normalize(source, Config()).frame["timestamp"].to_list() == [
        datetime(2026, 11, 2, 9, 15, tzinfo=UTC),
        datetime(2026, 7, 1, 9, 15, tzinfo=UTC),
    ]
    berlin = parse_config("source_timezone: Europe/Berlin\n")
    frame = normalize(source, berlin).frame
    assert frame.schema["timestamp"] == pl.Datetime("us", "UTC")
    assert frame["timestamp"].to_list() == [
        datetime(2026, 11, 2, 8, 15, tzinfo=UTC),  # CET, +01:00
        datetime(2026, 7, 1, 7, 15, tzinfo=UTC),  # CEST, +02:00
    ]


def test_parquet_native_aware_datetime_ignores_source_timezone(tmp_path: Path) -> None:
    path = _parquet_with_datetimes(tmp_path / "aware.parquet", "America/New_York")
    source = open_source(path)
    assert read_all(source).schema["timestamp"] == pl.Datetime("ms", "America/New_York")
    expected = [
        datetime(2026, 11, 2, 14, 15, tzinfo=UTC),  # EST, -05:00
        datetime(2026, 7, 1, 13, 15, tzinfo=UTC),  # EDT, -04:00
    ]
    assert normalize(source, Config()).frame["timestamp"].to_list() == expected
    berlin = parse_config("source_timezone: Europe/Berlin\n")
    assert normalize(source, berlin).frame["timestamp"].to_list() == expected


def test_parquet_with_the_pq_extension_and_override(tmp_path: Path) -> None:
    path = _parquet_with_datetimes(tmp_path / "data.pq", "UTC")
    assert open_source(path).format == "parquet"
    renamed = path.rename(tmp_path / "data.bin")
    assert open_source(renamed, "parquet").columns == COLUMNS


# --- row labels --------------------------------------------------------------------------


def test_row_labels(tmp_path: Path) -> None:
    csv_source = open_source(write(tmp_path / "data.csv", CSV))
    jsonl_source = open_source(write(tmp_path / "data.jsonl", JSONL))
    parquet_path = _parquet_with_datetimes(tmp_path / "data.parquet", None)
    parquet_source = open_source(parquet_path)
    assert [csv_source.row_label(i) for i in (0, 1, 41)] == ["row 1", "row 2", "row 42"]
    assert [jsonl_source.row_label(i) for i in (0, 1, 41)] == ["line 1", "line 2", "line 42"]
    assert parquet_source.row_label(0) == "record 1"


def test_row_labels_in_errors(tmp_path: Path) -> None:
    bad = "c2,soon,agent\n"
    csv_path = write(tmp_path / "data.csv", CSV + bad)
    with pytest.raises(InputError, match=r"data\.csv: row 3: column 'timestamp'"):
        normalize(open_source(csv_path), Config())
    jsonl_path = write(
        tmp_path / "data.jsonl",
        JSONL + '{"conversation_id": "c2", "timestamp": "soon", "role": "agent"}\n',
    )
    with pytest.raises(InputError, match=r"data\.jsonl: line 3: column 'timestamp'"):
        normalize(open_source(jsonl_path), Config())
    parquet_path = tmp_path / "data.parquet"
    pl.DataFrame(
        {
            "conversation_id": ["c1", "c2"],
            "timestamp": ["2026-11-02", "soon"],
            "role": ["agent"] * 2,
        }
    ).write_parquet(parquet_path)
    with pytest.raises(InputError, match=r"data\.parquet: record 2: column 'timestamp'"):
        normalize(open_source(parquet_path), Config())
