"""Before loading: what polars would read silently or misleadingly from the raw files.

A CSV that is not UTF-8 (polars replaces bad bytes), a header line repeated by
`cat a.csv b.csv` (it would be read as a data row) and two header columns that both read as
one field (polars would quietly take one). The pre-scan runs beside the load (see
cli_common.start_run); `quality.assess` looks at the loaded timeline afterwards.
"""

from __future__ import annotations

import codecs
import csv
import mmap
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

    The file is memory-mapped, not read into Python, and tested in chunks cut at line ends
    (a UTF-8 character never spans one): in the common case (ASCII or valid UTF-8, no
    repeated header) a search for the header line and an ASCII test per chunk, both at
    memory speed. Lines are counted only to name a line that is found.
    """
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        end = data.find(b"\n")
        header = data[: end if end >= 0 else len(data)].rstrip(b"\r")
        header = header.removeprefix(codecs.BOM_UTF8)
        search = bool(header) and end >= 0
        repeated_at = -1
        bad, first_bad = 0, None
        lines_before, counted_to = 0, 0
        for start, stop in _line_chunks(data):
            if search and repeated_at < 0:
                repeated_at = _find_line(data, header, max(start - 1, end), stop)
            chunk = data[start:stop]
            if not chunk.isascii() and not _is_utf8(chunk):
                lines_before += _count_newlines(data, counted_to, start)
                counted_to = start
                for offset, line in enumerate(chunk.split(b"\n")):
                    if not _is_utf8(line):
                        bad += 1
                        first_bad = first_bad or lines_before + offset + 1
            _release(data, start, stop)
        repeated = _count_newlines(data, 0, repeated_at + 1) + 1 if repeated_at >= 0 else None
    return bad, first_bad, repeated


def _line_chunks(data: mmap.mmap) -> Iterator[tuple[int, int]]:
    """(start, stop) of chunks of about _CHUNK bytes, each ending at a line end."""
    start, size = 0, len(data)
    while start < size:
        stop = min(start + _CHUNK, size)
        if stop < size:
            cut = data.rfind(b"\n", start, stop)
            stop = cut + 1 if cut >= 0 else (data.find(b"\n", stop) + 1 or size)
        yield start, stop
        start = stop


def _release(data: mmap.mmap, start: int, stop: int) -> None:
    # Mapped pages count as this process's memory until dropped; the page cache keeps them.
    if hasattr(mmap, "MADV_DONTNEED"):
        aligned = start - start % mmap.PAGESIZE
        data.madvise(mmap.MADV_DONTNEED, aligned, stop - aligned)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _count_newlines(data: mmap.mmap, start: int, stop: int) -> int:
    # mmap has no count(): count slice by slice (only to name a line that was found).
    return sum(data[at : min(at + _CHUNK, stop)].count(b"\n") for at in range(start, stop, _CHUNK))


def _find_line(data: mmap.mmap, line: bytes, start: int, stop: int) -> int:
    """Index of the newline in [start, stop) before the first whole line equal to `line`,
    which may carry a BOM; -1 if there is none. [start, stop) holds whole lines."""
    found = []
    for prefix in (b"\n", b"\n" + codecs.BOM_UTF8):
        needle = prefix + line
        position = data.find(needle, start, stop)
        while position >= 0:
            after = position + len(needle)
            # The whole line: a line end (LF or CRLF) or the end of the file follows.
            if data[after : after + 1] in (b"", b"\n") or data[after : after + 2] in (
                b"\r",
                b"\r\n",
            ):
                found.append(position)
                break
            position = data.find(needle, position + 1, stop)
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
