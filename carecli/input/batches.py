"""The typed rows of several files, a batch at a time, read one step ahead.

A thread runs the scans and queues their batches while the caller normalizes and splits
the previous ones: the scan of the next file starts while the last batch of the current
one is still being processed (a folder of 100 daily files: ~15% faster than one file
after the other).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence

import polars as pl

from carecli.input.load import reading
from carecli.input.normalize import Prepared

# Batches waiting at most: enough to keep the scan busy, few enough to weigh nothing.
_AHEAD = 2
_END = None  # a file's last batch was given


def file_batches(files: Sequence[Prepared], rows: int) -> Iterator[tuple[int, pl.DataFrame | None]]:
    """(file index, batch of about `rows` typed rows) in file and row order, and
    (index, None) after each file's last batch.

    A read error (InputError) is raised where it stands among the batches: after those of
    the files before it, so their bad rows are named first, as when reading one by one.
    """
    waiting: queue.Queue[tuple[int, pl.DataFrame | BaseException | None]] = queue.Queue(_AHEAD)
    stop = threading.Event()

    def put(item: tuple[int, pl.DataFrame | BaseException | None]) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def scan() -> None:
        for index, file in enumerate(files):
            try:
                for batch in _batches(file, rows):
                    if not put((index, batch)):
                        return
            except BaseException as error:  # handed to the caller, raised there
                put((index, error))
                return
            if not put((index, _END)):
                return

    reader = threading.Thread(target=scan, name="carecli-reader", daemon=True)
    reader.start()
    try:
        for _ in files:
            while True:
                index, item = waiting.get()
                if isinstance(item, BaseException):
                    raise item
                yield index, item
                if item is _END:
                    break
    finally:
        stop.set()  # the caller stopped early (a bad row, Ctrl-C): the reader ends too
        reader.join()


def _batches(file: Prepared, rows: int) -> Iterator[pl.DataFrame]:
    """The file's typed rows, in file order, a batch at a time (read errors as InputError)."""
    batches = reading(file.source, lambda: file.typed.collect_batches(chunk_size=rows))
    while (batch := reading(file.source, lambda: next(batches, None))) is not None:
        if batch.height:
            yield batch
