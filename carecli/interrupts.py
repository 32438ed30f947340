"""Ctrl-C for the command line: one line and exit 130, whatever is running.

Python turns SIGINT into KeyboardInterrupt wherever the main thread happens to be: during
an import (a traceback before any handler runs), or inside polars, which checks for
signals mid-query and turns the exception into a Rust panic (a Rust backtrace, exit 3).
So the CLI's handler does not unwind: it removes the temporary files it was told about,
prints one line and exits. Only inside `unwinding()` (writing a report: a temporary file
renamed over the target) does it raise KeyboardInterrupt, so the write cleans up after
itself and the previous report stays whole.

Library callers keep Python's default: nothing here runs unless `install()` is called.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
MESSAGE = b"carecli: interrupted; nothing was written\n"
_unwinding = 0  # depth of unwinding() blocks
_temporary: list[Path] = []  # removed on Ctrl-C (spill folders of a large load)


def install() -> None:
    """Handle SIGINT as described above (the console script calls it before any import)."""
    signal.signal(signal.SIGINT, _on_interrupt)


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    if _unwinding:
        raise KeyboardInterrupt
    os.write(2, MESSAGE)
    # polars threads still run until the exit: one writing into a folder removed below
    # panics, and Rust prints its backtrace on stderr. Nothing more is worth showing.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)
    for path in list(_temporary):
        shutil.rmtree(path, ignore_errors=True)
    os._exit(EXIT_INTERRUPTED)


@contextmanager
def unwinding() -> Iterator[None]:
    """Inside this block Ctrl-C raises KeyboardInterrupt, for code that must clean up."""
    global _unwinding
    _unwinding += 1
    try:
        yield
    finally:
        _unwinding -= 1


@contextmanager
def removed_on_interrupt(path: str | Path) -> Iterator[None]:
    """A temporary folder that Ctrl-C removes (its owner removes it otherwise)."""
    _temporary.append(Path(path))
    try:
        yield
    finally:
        _temporary.remove(Path(path))
