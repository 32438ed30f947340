"""The raw pre-scan: invalid UTF-8 lines and a repeated header, against a reference.

The scan works on chunks cut at line ends; a tiny chunk size makes every file span many
chunks, so line numbers across chunk borders are checked too.
"""

from __future__ import annotations

import codecs
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecli.config.model import Config
from carecli.errors import InputError
from carecli.input import prescan, rawbytes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "presets"

HEADER = b"conversation_id,timestamp,role"
LINES = st.sampled_from(
    [
        b"c1,2026-11-17T09:00:00Z,customer",
        b"c2,2026-11-17T09:05:00Z,agent",
        "c3,2026-11-17T09:06:00Z,agent \u00e9t\u00e9".encode(),  # valid UTF-8, not ASCII
        b"c4,2026-11-17T09:07:00Z,caf\xe9",  # Latin-1: invalid UTF-8
        b"\xff\xfe",
        HEADER,
        HEADER + b"\r",
        codecs.BOM_UTF8 + HEADER,
        b"x," + HEADER,  # the header's text inside a line is no header line
        HEADER + b",x",
        b"x" + codecs.BOM_UTF8 + HEADER,
        b"x" * 150,  # longer than a chunk
        b"",
    ]
)


def reference(content: bytes) -> tuple[int, int | None, int | None]:
    """The same answers, line by line."""
    lines = content.split(b"\n")
    if content.endswith(b"\n"):
        lines = lines[:-1]
    header = lines[0].rstrip(b"\r").removeprefix(codecs.BOM_UTF8)
    bad = [n for n, line in enumerate(lines, start=1) if not _is_utf8(line)]
    # A BOM is allowed before a repeated header and a CR after it, nothing else.
    spellings = {prefix + header + end for prefix in (b"", codecs.BOM_UTF8) for end in (b"", b"\r")}
    repeated = [n for n, line in enumerate(lines[1:], start=2) if header and line in spellings]
    return len(bad), (bad[0] if bad else None), (repeated[0] if repeated else None)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(LINES, max_size=30), trailing_newline=st.booleans())
def test_scan_matches_a_line_by_line_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: list[bytes], trailing_newline: bool
) -> None:
    monkeypatch.setattr(rawbytes, "_CHUNK", 64)
    content = b"\n".join([HEADER, *body]) + (b"\n" if trailing_newline else b"")
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    assert rawbytes.scan_bytes(path) == reference(content)


def test_a_large_file_names_lines_far_past_the_first_chunk(tmp_path: Path) -> None:
    row = b"c1,2026-11-17T09:00:00Z,customer\n"
    rows = rawbytes._CHUNK // len(row) * 3  # three chunks of good rows
    path = tmp_path / "big.csv"
    path.write_bytes(HEADER + b"\n" + row * rows + b"c2,caf\xe9,agent\n" + HEADER + b"\n")
    assert rawbytes.scan_bytes(path) == (1, rows + 2, rows + 3)


def test_a_header_only_file_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_bytes(HEADER)
    assert rawbytes.scan_bytes(path) == (0, None, None)


# --- rules pinned by the fourth mutation sweep: prescan() on real files -----------------

CSV = "conversation_id,timestamp,role\nc1,2026-11-17T09:00:00Z,customer\n"


def test_a_header_with_a_bom_is_still_found_repeated(tmp_path: Path) -> None:
    # Excel writes a BOM before the first header; `cat` then repeats it without one.
    path = tmp_path / "joined.csv"
    path.write_bytes(codecs.BOM_UTF8 + HEADER + b"\nc1,x,customer\n" + HEADER + b"\n")
    assert rawbytes.scan_bytes(path) == (0, None, 3)


def test_json_lines_are_not_scanned_as_csv(tmp_path: Path) -> None:
    # Two identical first lines in JSON Lines are duplicate events, not a repeated header.
    line = b'{"conversation_id": "c1", "timestamp": "2026-11-17T09:00:00Z", "role": "customer"}\n'
    path = tmp_path / "twice.jsonl"
    path.write_bytes(line * 2)
    assert prescan.prescan([path], Config()) == []


def test_format_in_csv_reaches_the_pre_scan(tmp_path: Path) -> None:
    # export.dat read with --format-in csv: its Latin-1 bytes are still reported.
    path = tmp_path / "export.dat"
    path.write_bytes(CSV.encode() + b"c2,2026-11-17T09:00:00Z,caf\xe9\n")
    (finding,) = prescan.prescan([path], Config(), "csv")
    assert (finding.kind, finding.count, finding.example) == ("invalid_utf8", 1, "line 3")


def test_a_tsv_header_is_split_at_tabs(tmp_path: Path) -> None:
    path = tmp_path / "export.tsv"
    path.write_text(
        "conversation_id\ttimestamp\trole\tRole\nc1\t2026-11-17T09:00:00Z\tcustomer\t\n"
    )
    with pytest.raises(InputError, match=r"2 columns could be field 'role': 'role' \(column 3\)"):
        prescan.prescan([path], Config())


def test_a_bom_does_not_hide_a_second_first_column(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"conversation_id,timestamp,role,Conversation ID\n")
    with pytest.raises(InputError, match=r"2 columns could be field 'conversation_id'"):
        prescan.prescan([path], Config())


def test_an_explicitly_mapped_column_matches_its_exact_name_only(tmp_path: Path) -> None:
    # columns: {role: Role} names one column: a 'role' column beside it is not ambiguous.
    path = tmp_path / "export.csv"
    path.write_text("conversation_id,timestamp,Role,role\nc1,2026-11-17T09:00:00Z,customer,x\n")
    assert prescan.prescan([path], Config(columns={"role": "Role"})) == []


def test_thread_columns_match_their_exact_name_only(tmp_path: Path) -> None:
    # The twcs preset's threads: {message_id: tweet_id}: a 'Tweet ID' column is another one.
    source = (FIXTURES / "twcs_excerpt.csv").read_text(encoding="utf-8")
    header, rest = source.split("\n", 1)
    path = tmp_path / "twcs.csv"
    path.write_text(header + ",Tweet ID\n" + rest, encoding="utf-8")
    assert prescan.prescan([path], Config()) == []


# --- the byte tests run in a child process (rawbytes.scans_elsewhere) -----------------


def _files(tmp_path: Path) -> list[Path]:
    contents = [
        HEADER + b"\nc1,x,customer\n",
        HEADER + b"\nc1,caf\xe9,agent\nc2,\xff,agent\n" + HEADER + b"\n",
        codecs.BOM_UTF8 + HEADER + b"\n" + codecs.BOM_UTF8 + HEADER + b"\r\n",
    ]
    paths = []
    for number, content in enumerate(contents):
        path = tmp_path / f"day{number}.csv"
        path.write_bytes(content)
        paths.append(path)
    return paths


def test_the_child_process_answers_as_the_scan_in_process(tmp_path: Path) -> None:
    paths = _files(tmp_path)
    with rawbytes.scans_elsewhere(paths) as scans:
        answers = list(scans)
    assert answers == [rawbytes.scan_bytes(path) for path in paths]
    assert answers == [(0, None, None), (2, 2, 4), (0, None, 2)]


def test_without_an_interpreter_to_start_the_scan_runs_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _files(tmp_path)
    monkeypatch.setattr(rawbytes.sys, "executable", str(tmp_path / "no-such-python"))
    with rawbytes.scans_elsewhere(paths) as scans:
        assert list(scans) == [(0, None, None), (2, 2, 4), (0, None, 2)]


def test_a_file_the_child_cannot_read_is_scanned_in_process_and_its_error_raised(
    tmp_path: Path,
) -> None:
    good, *_ = _files(tmp_path)
    missing = tmp_path / "gone.csv"  # removed between the listing and the scan
    with rawbytes.scans_elsewhere([good, missing]) as scans:
        assert next(scans) == (0, None, None)
        with pytest.raises(FileNotFoundError):
            next(scans)


def _big_csv(tmp_path: Path, rows: int) -> Path:
    """A CSV the child takes a while to scan when it is named many times over."""
    big = tmp_path / "big.csv"
    big.write_bytes(HEADER + b"\n" + b"c1,2026-11-17T09:00:00Z,customer\n" * rows)
    return big


def _children_started(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """The child processes rawbytes starts from now on, as they start."""
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(rawbytes.subprocess, "Popen", popen)
    return started


def test_leaving_early_ends_the_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = _big_csv(tmp_path, 200_000)
    started = _children_started(monkeypatch)
    with rawbytes.scans_elsewhere([big] * 500) as scans:  # seconds of work
        assert next(scans) == (0, None, None)
    # Left after one answer of 500 (an error in the first file, say): killed and reaped.
    assert started[0].returncode == -signal.SIGKILL


def test_the_first_file_in_order_gives_the_error(tmp_path: Path) -> None:
    # The second file's repeated header is found by the child first, but the first file's
    # ambiguous columns are the error: as if the files were checked one after the other.
    first = tmp_path / "a.csv"
    first.write_text("conversation_id,timestamp,role,Role\nc1,2026-11-17T09:00:00Z,customer,x\n")
    second = tmp_path / "b.csv"
    second.write_bytes(HEADER + b"\nc1,x,customer\n" + HEADER + b"\n")
    with pytest.raises(InputError, match=r"a\.csv: line 1: 2 columns could be field 'role'"):
        prescan.prescan([first, second], Config())
    with pytest.raises(InputError, match=r"b\.csv: line 3: the header line is repeated"):
        prescan.prescan([second, first], Config())


def test_the_child_stops_when_its_parent_is_gone(tmp_path: Path) -> None:
    # A run killed with SIGTERM exits at once (interrupts.py); its pre-scan child must not
    # read on through every file. Here its parent leaves after the first answer.
    big = _big_csv(tmp_path, 600_000)
    out, pid_file = tmp_path / "answers", tmp_path / "pid"
    parent = f"""
import subprocess, sys, time
from pathlib import Path
with open({str(out)!r}, "wb") as out:
    child = subprocess.Popen(
        [sys.executable, "-m", "carecli.input.rawbytes", *[{str(big)!r}] * 200], stdout=out
    )
Path({str(pid_file)!r}).write_text(str(child.pid))
while not Path({str(out)!r}).read_bytes().count(b"\\n"):
    time.sleep(0.001)
"""  # and it exits, leaving the child an orphan
    subprocess.run([sys.executable, "-c", parent], check=True, timeout=60)
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 60
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    answers = out.read_bytes().count(b"\n")
    assert 1 <= answers < 200


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan is reaped by init, or by nobody in a container)."""
    try:
        os.kill(pid, 0)
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except ProcessLookupError:
        return False
    except OSError:  # no /proc: alive is all that can be told
        return True
    return state != "Z"


def test_the_child_runs_below_our_priority(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # It takes what the load leaves idle rather than a core from it.
    big = _big_csv(tmp_path, 200_000)
    started = _children_started(monkeypatch)
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    with rawbytes.scans_elsewhere([big] * 500) as scans:
        next(scans)  # the child has set its priority before its first answer
        theirs = os.getpriority(os.PRIO_PROCESS, started[0].pid)
    assert theirs == min(19, ours + rawbytes._NICENESS)
