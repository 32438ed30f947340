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

import _thread
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
MESSAGE = b"carecli: interrupted; nothing was written\n"
_unwinding = 0  # depth of unwinding() blocks
_temporary: list[Path] = []  # removed on Ctrl-C (spill folders of a large load)


def install() -> None:
    """Handle SIGINT as described above (the console script calls it before any import).

    SIGINT is blocked in every thread and awaited by one watcher thread: delivered to any
    other thread (polars runs a pool of them), Python's own handler would wait for the
    main thread to come back from a blocking call (a FIFO, an SMTP server), maybe long.
    """
    signal.signal(signal.SIGINT, _raise_interrupt)  # what interrupt_main() triggers
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # threads started later too
    threading.Thread(target=_watch, name="carecli-ctrl-c", daemon=True).start()


def _watch() -> None:
    while True:
        signal.sigwait({signal.SIGINT})
        _on_interrupt(signal.SIGINT, None)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    if _unwinding:
        if threading.current_thread() is threading.main_thread():
            raise KeyboardInterrupt
        _thread.interrupt_main()  # the main thread raises it where it is
        return
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
