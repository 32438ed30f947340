"""Atomic file output: a report is either fully written or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from carecli.errors import UsageError


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`.

    A crash or a kill mid-write leaves the previous file intact, never half a report.
    """
    directory = missing_folder(path)
    if directory is not None:
        raise UsageError(f"{path}: the folder {directory} does not exist; create it first")
    directory = path.parent
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:  # a read-only folder, a full disk
        raise UsageError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
    try:
        # mkstemp makes the file private (0600); a report gets the usual umask permissions.
        os.chmod(temp, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise UsageError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def missing_folder(path: Path) -> Path | None:
    """The folder `path` would be written in, when it does not exist."""
    return None if path.parent.is_dir() else path.parent


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
