"""The pre-scan's byte-level tests of a CSV file (invalid UTF-8, a repeated header line),
in a Python process of their own.

Standard library only: `python -m carecli.input.rawbytes FILE...` prints one JSON line per
file. The tests are C calls that hold the GIL for a block at a time (an ASCII test, a
search for the header line); in a thread beside the load they made the load's own Python
steps wait for the GIL: 0.5 s more on a 10M-event CSV, measured. In a child process they
run on another core at no cost to the load.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

_CHUNK = 1 << 22  # bytes tested at a time
# (lines that are not UTF-8, the first of them, the first line repeating the header)
Scan = tuple[int, int | None, int | None]
# Added to the child's niceness: a tenth of a busy core's time slices, all of an idle one's.
_NICENESS = 10
_MODULE = __name__  # this module's name, for `python -m` (it is __main__ there)


@contextmanager
def scans_elsewhere(paths: Sequence[Path]) -> Iterator[Iterator[Scan]]:
    """`scan_bytes` of each path, in order, computed in a child process started here; the
    scans of a child that cannot start or fails run in this process (so its errors are
    raised as in-process). The child is ended on leaving."""
    if not paths:
        yield iter(())
        return
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", _MODULE, *map(str, paths)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a Ctrl-C traceback of its own is not news
        )
    except OSError:  # no interpreter to start (embedded Python...): scan here
        yield (scan_bytes(path) for path in paths)
        return
    try:
        yield _answers(child, paths)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def _answers(child: subprocess.Popen[bytes], paths: Sequence[Path]) -> Iterator[Scan]:
    assert child.stdout is not None
    for path in paths:
        try:
            answer = json.loads(child.stdout.readline())
        except ValueError:  # no answer (the child died: b"") or one cut short
            answer = None
        if isinstance(answer, list) and len(answer) == 3:
            yield answer[0], answer[1], answer[2]
        else:  # "error" (it could not read this file) or no answer: scan it here
            yield scan_bytes(path)


def scan_bytes(path: Path) -> Scan:
    """(lines that are not UTF-8, the first of them, the first line repeating the header).

    The file is read in blocks of whole lines into one reused buffer: in the common case
    (ASCII or valid UTF-8, no repeated header) an ASCII test and a search for the header
    line per block, both at memory speed. (A memory map of the file, or a new bytes object
    per block, spent more on page faults than on the tests: 0.6 s instead of 0.24 s for
    880 MB.) Lines are counted only to name a line that is found.
    """
    bad, first_bad, repeated = 0, None, None  # the last two as byte offsets, then lines
    header = b""
    for at, block, lines, end in _line_blocks(path):
        search_from = lines - 1  # the newline before the block's first line
        if at == 0:  # the first block starts with the header line
            header_end = block.find(b"\n", lines, end)
            first = block[lines : end if header_end < 0 else header_end].rstrip(b"\r")
            if header_end >= 0:  # a header with lines after it
                header = bytes(first.removeprefix(codecs.BOM_UTF8))
            search_from = max(search_from, header_end)
        if header and repeated is None:
            found = _find_line(block, header, search_from, end)
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


def _find_line(block: bytearray, header: bytes, start: int, stop: int) -> int:
    """Index of the newline in block[start:stop] before the first whole line equal to the
    header, with or without a BOM; -1 if there is none. The range holds whole lines and
    ends at a line end or at the end of the file. One search for the header's text (not
    one per spelling: the search is most of the scan's time), then its line is checked."""
    position = block.find(header, start + 1, stop)
    while position >= 0:
        after = position + len(header)
        # The whole line: a line end (LF or CRLF) or the end of the file follows...
        rest = bytes(block[after : min(after + 2, stop)])
        whole = rest in (b"", b"\r", b"\r\n") or rest.startswith(b"\n")
        # ...and a line start, or a BOM at one, comes before.
        for newline in (position - 1, position - 1 - len(codecs.BOM_UTF8)):
            starts = newline >= start and block[newline] == ord("\n")
            if whole and starts and block[newline + 1 : position] in (b"", codecs.BOM_UTF8):
                return newline
        position = block.find(header, position + 1, stop)
    return -1


def main(arguments: Sequence[str]) -> None:
    """One JSON line per file: [bad lines, first bad line, repeated header line], or
    "error" when the file cannot be read (the caller scans it itself and says why).
    Stops when its parent is gone (a run killed with SIGTERM does not wait for it)."""
    parent = os.getppid()
    # Below the load's priority: the tests then run mostly on what the load leaves idle
    # (file boundaries, the serial steps) instead of taking a core from it.
    with contextlib.suppress(OSError):
        os.nice(_NICENESS)
    for argument in arguments:
        if os.getppid() != parent:
            return
        try:
            answer: object = list(scan_bytes(Path(argument)))
        except OSError:
            answer = "error"
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
