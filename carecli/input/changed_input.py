"""Files that change while they are read (an export still being written, a log rotated)
fail the run with one clear error instead of a reader's confusing one, or mixed data."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from carecli.errors import InputError


def _stamp(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when a file is rewritten, truncated, appended to or replaced."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)


@contextmanager
def unchanged(paths: Sequence[Path]) -> Iterator[None]:
    """Read `paths` inside this block; if any of them changed meanwhile (an export still
    being written, a log rotated), raise InputError "the file changed while it was read".

    Checked when the block ends, successfully or not: a file cut short mid-read makes a
    reader fail in many ways (a row cut in half, "failed to fill whole buffer", a polars
    panic), and one that changed between reads silently mixes two versions. Files that
    were missing at the start keep their own error (file not found).

    It cannot catch what kills the process: polars memory-maps JSON Lines files, and a
    file truncated while mapped raises SIGBUS in the reader thread.
    """
    before = {path: _stamp(path) for path in paths}
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:  # any failure (polars' PanicException too) may be the change
        _check_unchanged(before)
        raise
    _check_unchanged(before)


def _check_unchanged(before: dict[Path, tuple[int, int, int, int] | None]) -> None:
    for path, stamp in before.items():
        if stamp is not None and _stamp(path) != stamp:
            raise InputError(
                f"{path}: the file changed while it was read; wait until it is completely "
                "written (or read a copy of it) and run again"
            ) from None
