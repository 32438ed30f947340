"""Where the events of each partition wait while the files are read: in memory, or as
Arrow IPC fragments in a temporary directory (a budget too small for every event).

Either store hands a partition's fragments back in the order they were added (file
order, then row order), which the timeline's ties rely on.
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


class InMemory:
    """Fragments kept as frames: the cheapest store when the budget holds every event."""

    def __init__(self) -> None:
        self._parts: defaultdict[int, list[pl.DataFrame]] = defaultdict(list)

    def __enter__(self) -> InMemory:
        return self

    def __exit__(self, *_: object) -> None:
        self._parts.clear()

    def add(self, part: int, frame: pl.DataFrame) -> None:
        self._parts[part].append(frame)

    def filled(self) -> list[int]:
        """The partitions given rows, in order."""
        return sorted(self._parts)

    def take(self, part: int) -> list[pl.DataFrame]:
        """The part's fragments, forgotten here: the caller's are then the only copies."""
        return self._parts.pop(part, [])


class OnDisk:
    """Fragments written as uncompressed Arrow IPC files, one directory per partition;
    the directory is removed on exit, on Ctrl-C and on a stop signal."""

    def __init__(self) -> None:
        try:
            self._spill = tempfile.TemporaryDirectory(prefix="carecli-")
        except OSError as exc:
            raise SpillFailed(f"{tempfile.gettempdir()}: {exc.strerror or exc}") from None
        self._root = Path(self._spill.name)
        self._removal = interrupts.removed_on_interrupt(self._spill.name)
        self._written: defaultdict[int, int] = defaultdict(int)

    def __enter__(self) -> OnDisk:
        self._removal.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._spill.cleanup()
        finally:
            self._removal.__exit__(kind, error, tb)

    def add(self, part: int, frame: pl.DataFrame) -> None:
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
        """The partitions given rows, in order."""
        return sorted(self._written)

    def take(self, part: int) -> list[pl.DataFrame]:
        """The part's fragments, read into memory (the files are deleted)."""
        directory = self._root / str(part)
        if not directory.is_dir():
            return []
        frames = []
        for path in sorted(directory.iterdir()):
            # An open file, not its name: polars would expand [ ] * ? in $TMPDIR as a glob.
            with path.open("rb") as file:
                frames.append(pl.read_ipc(file))
            path.unlink()
        return frames
