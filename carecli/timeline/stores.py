"""Where the events of each partition wait while the files are read: in memory for the
first `held` partitions, as Arrow IPC fragments in a temporary directory for the others
(a budget too small for every event).

A partition's fragments come back in the order they were added (file order, then row
order), which the timeline's ties rely on.
"""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from pathlib import Path
from types import TracebackType

import polars as pl

from carecli import interrupts

# How polars reports a failed system call: "... IO error: No space left on device (os error 28)".
_OS_FAILURE = re.compile(r"([A-Za-z][^:()]*) \(os error \d+\)")


class SpillFailed(Exception):
    """The partitions could not be written (disk full, no permission): read in memory."""


class Store:
    """The partitions' fragments: partitions below `held` as frames, the others as
    uncompressed IPC files, one directory per partition. The directory is removed on exit,
    on Ctrl-C and on a stop signal."""

    def __init__(self, count: int, held: int) -> None:
        self._held = held
        self._frames: defaultdict[int, list[pl.DataFrame]] = defaultdict(list)
        self._written: defaultdict[int, int] = defaultdict(int)
        self._spill: tempfile.TemporaryDirectory[str] | None = None
        if held < count:
            try:
                self._spill = tempfile.TemporaryDirectory(prefix="carecli-")
            except OSError as exc:
                raise SpillFailed(f"{tempfile.gettempdir()}: {exc.strerror or exc}") from None
            self._root = Path(self._spill.name)
            self._removal = interrupts.removed_on_interrupt(self._spill.name)
            self._removal.__enter__()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._frames.clear()
        if self._spill is not None:
            try:
                self._spill.cleanup()
            finally:
                self._removal.__exit__(kind, error, tb)

    def add(self, part: int, frame: pl.DataFrame) -> None:
        if part < self._held:
            self._frames[part].append(frame)
            return
        directory = self._root / str(part)
        number = self._written[part]
        try:
            directory.mkdir(exist_ok=True)
            # Zero-padded: the names sort in the order the fragments were added.
            frame.write_ipc(directory / f"{number:09d}.arrow", compression="uncompressed")
        except (pl.exceptions.PolarsError, OSError) as exc:
            # The system refused a write (disk full, a quota): not a problem of the data.
            failure = _OS_FAILURE.search(str(exc))
            reason = failure.group(1) if failure else getattr(exc, "strerror", None) or exc
            raise SpillFailed(f"{self._root.parent}: {reason}") from None
        self._written[part] = number + 1

    def filled(self) -> list[int]:
        """The partitions given rows, in order: those in memory first."""
        return sorted({*self._frames, *self._written})

    def take(self, part: int) -> list[pl.DataFrame]:
        """The part's fragments, forgotten here (their files deleted): the caller's are
        then the only copies."""
        if part < self._held:
            return self._frames.pop(part, [])
        directory = self._root / str(part)
        frames = []
        for path in sorted(directory.iterdir()):
            # An open file, not its name: polars would expand [ ] * ? in $TMPDIR as a glob.
            with path.open("rb") as file:
                frames.append(pl.read_ipc(file))
            path.unlink()
        return frames
