"""Before loading: what polars would read silently or misleadingly from the raw files.

A CSV that is not UTF-8 (polars replaces bad bytes), a header line repeated by
`cat a.csv b.csv` (it would be read as a data row) and two header columns that both read as
one field (polars would quietly take one). The pre-scan runs beside the load (see
cli_common.start_run); `quality.assess` looks at the loaded timeline afterwards.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

from carecli.config.model import Config
from carecli.errors import InputError
from carecli.input.findings import Finding
from carecli.input.load import Source, detect_format, open_source

_CHUNK = 1 << 22  # bytes tested at a time by the raw scan


def prescan(
    files: Sequence[Path],
    config: Config,
    input_format: str | None = None,
    preset: str | None = None,
) -> list[Finding]:
    """Check what polars reads silently or misleadingly; raise InputError when the file
    cannot be read right, return findings for what is only degraded.

    Files that cannot be opened are left to load_dataset, which says why.
    """
    findings: list[Finding] = []
    for path in files:
        if not path.is_file() or path.stat().st_size == 0:
            continue
        try:
            fmt = detect_format(path, input_format or config.input_format)
        except InputError:
            continue
        if fmt != "csv":
            continue  # JSON must be UTF-8 and polars says where it is not; Parquet is typed
        source = open_source(path, fmt, config.csv_separator)
        _check_ambiguous_columns(source, config, preset)
        bad_lines, first_bad, repeated = _scan_bytes(path)
        if repeated is not None:
            raise InputError(
                f"{path}: line {repeated}: the header line is repeated (files joined with "
                "cat?); delete that line, or pass each file with its own --data"
            )
        if bad_lines:
            findings.append(
                Finding(
                    "invalid_utf8",
                    bad_lines,
                    f"{bad_lines} lines of {path} are not valid UTF-8; their bad bytes were "
                    "read as \ufffd (save the file as UTF-8, e.g. iconv -f latin1 -t utf-8)",
                    f"line {first_bad}",
                )
            )
    return findings


def _scan_bytes(path: Path) -> tuple[int, int | None, int | None]:
    """(lines that are not UTF-8, the first of them, the first line repeating the header).

    The file is read in blocks of whole lines into one reused buffer: in the common case
    (ASCII or valid UTF-8, no repeated header) an ASCII test and a search for the header
    line per block, both at memory speed. (A memory map of the file, or a new bytes object
    per block, spent more on page faults than on the tests: 0.6 s instead of 0.24 s for
    880 MB.) Lines are counted only to name a line that is found.
    """
    bad, first_bad, repeated = 0, None, None  # the last two as byte offsets, then lines
    needles: tuple[bytes, ...] = ()
    for at, block, lines, end in _line_blocks(path):
        search_from = lines - 1  # the newline before the block's first line
        if at == 0:  # the first block starts with the header line
            header_end = block.find(b"\n", lines, end)
            header = block[lines : end if header_end < 0 else header_end].rstrip(b"\r")
            header = bytes(header.removeprefix(codecs.BOM_UTF8))
            if header and header_end >= 0:
                needles = (b"\n" + header, b"\n" + codecs.BOM_UTF8 + header)
            search_from = max(search_from, header_end)
        if needles and repeated is None:
            found = _find_line(block, needles, search_from, end)
            if found >= 0:
                repeated = at + found + 1 - lines
        if not _ascii(block, lines, end):
            text = bytes(block[lines:end])
            if not _is_utf8(text):
                offset = at
                for line in text.split(b"\n"):
                    if not _is_utf8(line):
                        bad += 1
                        first_bad = offset if first_bad is None else first_bad
                    offset += len(line) + 1
    return bad, _line_number(path, first_bad), _line_number(path, repeated)


def _line_blocks(path: Path) -> Iterator[tuple[int, bytearray, int, int]]:
    """(offset, buffer, start, end): buffer[start:end] holds whole lines of the file
    from byte `offset` on (the last line of the file may lack its newline), and
    buffer[start - 1] is a newline. The buffer is reused: use it before the next block."""
    buffer = bytearray(_CHUNK + 1)
    buffer[0] = ord("\n")  # stands for the newline before the first line
    filled, at = 1, 0
    with path.open("rb", buffering=0) as handle:
        while True:
            with memoryview(buffer) as view:
                read = handle.readinto(view[filled:])
            filled += read or 0
            if not read:  # the end of the file: what is left is its last line
                if filled > 1:
                    yield at, buffer, 1, filled
                return
            cut = buffer.rfind(b"\n", 1, filled) + 1
            if cut == 0:  # a line longer than the buffer: make room, read on
                if filled == len(buffer):
                    buffer.extend(bytes(len(buffer)))
                continue
            yield at, buffer, 1, cut
            at += cut - 1
            buffer[1 : 1 + filled - cut] = buffer[cut:filled]  # the next block's start
            filled = 1 + filled - cut


def _ascii(buffer: bytearray, start: int, end: int) -> bool:
    """Whether buffer[start:end] is ASCII. The whole buffer is tested when that needs no
    copy: bytes outside the range (a line carried over) can only make it say no, which
    sends the block to the exact test."""
    if end - start > len(buffer) // 2:
        return buffer.isascii()
    return bytes(buffer[start:end]).isascii()


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _line_number(path: Path, offset: int | None) -> int | None:
    """The number of the line starting at byte `offset` (only to name a line found)."""
    if offset is None:
        return None
    newlines = 0
    with path.open("rb") as handle:
        while offset > 0:
            chunk = handle.read(min(_CHUNK, offset))
            if not chunk:
                break
            newlines += chunk.count(b"\n")
            offset -= len(chunk)
    return newlines + 1


def _find_line(block: bytearray, needles: tuple[bytes, ...], start: int, stop: int) -> int:
    """Index of the newline in block[start:stop] before the first whole line equal to a
    needle's line (the header, with or without a BOM); -1 if there is none. The range
    holds whole lines and ends at a line end or at the end of the file."""
    found = []
    for needle in needles:
        position = block.find(needle, start, stop)
        while position >= 0:
            after = position + len(needle)
            # The whole line: a line end (LF or CRLF) or the end of the file follows.
            rest = bytes(block[after : min(after + 2, stop)])
            if rest in (b"", b"\r", b"\r\n") or rest.startswith(b"\n"):
                found.append(position)
                break
            position = block.find(needle, position + 1, stop)
    return min(found, default=-1)


def _check_ambiguous_columns(source: Source, config: Config, preset: str | None) -> None:
    """Two header columns that both read as one field: polars would quietly take one.

    Duplicate names that carecli does not use (two 'Notes' columns) are left alone.
    """
    from carecli.input.normalize import resolve_mapping, simple_name
    from carecli.input.presets import with_preset

    header = _raw_header(source.path, config.csv_separator)
    file_config, _ = with_preset(source, config, preset)
    mapping = resolve_mapping(source, file_config)
    used = {**mapping, **{f"threads.{k}": v for k, v in file_config.threads.items()}}
    for field_name, column in used.items():
        explicit = field_name.startswith("threads.") or file_config.columns.get(field_name)
        same = [
            i
            for i, name in enumerate(header)
            if (name == column if explicit else simple_name(name) == simple_name(column))
        ]
        if len(same) > 1:
            shown = ", ".join(f"{header[i]!r} (column {i + 1})" for i in same)
            raise InputError(
                f"{source.path}: line 1: {len(same)} columns could be field "
                f"{field_name!r}: {shown}; rename or remove all but one"
            )


def _raw_header(path: Path, separator: str) -> list[str]:
    """The header as written (polars renames a repeated name to name_duplicated_0)."""
    if path.suffix.lower() == ".tsv" and separator == ",":
        separator = "\t"
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        try:
            return next(csv.reader(handle, delimiter=separator), [])
        except csv.Error as exc:  # a name over 128 KiB: the first line is no header
            raise InputError(
                f"{path}: line 1: unreadable header ({exc}); the first line must name the columns"
            ) from None
