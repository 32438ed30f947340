"""Report and JUnit output: a file is fully written or not at all, and never over an input.

What `--output`/`--junit` may name, and what happens to it:
- a regular file (or none yet): a temporary file beside it is renamed over it, so a crash
  leaves the previous report intact; a rewritten file keeps its permission bits (a 0600
  report stays 0600), a new one gets the umask's;
- a symlink: followed, and its target is replaced the same way (the temporary file goes
  in the target's folder); the link stays a link;
- a character device or a FIFO (/dev/null, /dev/stdout, a named pipe): opened and written
  through, as the shell's `>` does; renaming a file over it would put a regular file in
  its place (as root, over /dev/null). A FIFO write waits until a reader opens it;
- any other kind (a socket, a block device, a folder): refused;
- one of the run's own inputs (a data file, the config file), under any spelling (a
  relative or absolute path, a symlink, a hard link): refused, before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from carecli import interrupts
from carecli.errors import UsageError

if TYPE_CHECKING:
    from carecli.periods import Period
    from carecli.render import OutputFormat

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFSOCK: "a socket",
    stat.S_IFBLK: "a block device",
}


def write_atomic(
    path: Path,
    text: str,
    inputs: Mapping[Path, str] | None = None,
    option: str = "--output",
) -> None:
    """Write `text` to `path` (see the module docstring for what `path` may be).

    `inputs` maps each file the run reads to what it is ("data file", "config file"): a
    destination that is one of them, however spelled, is refused with a UsageError.
    """
    status = _status(path)
    if status is not None:
        _refuse_inputs(path, status, inputs or {}, option)
        if stat.S_ISCHR(status.st_mode) or stat.S_ISFIFO(status.st_mode):
            _write_through(path, text)
            return
        if not stat.S_ISREG(status.st_mode):
            kind = _KINDS.get(stat.S_IFMT(status.st_mode), "not a regular file")
            raise UsageError(f"{option} {path}: is {kind}; give the path of a file to write")
    # A symlink is followed, so its target is replaced and the link stays (a dangling
    # link creates its target).
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    mode = stat.S_IMODE(status.st_mode) & 0o777 if status is not None else 0o666 & ~_umask()
    with interrupts.unwinding():  # Ctrl-C mid-write removes the temporary file
        _replace(path, target, text, mode)


def _status(path: Path) -> os.stat_result | None:
    """What `path` names, following symlinks; None when nothing is there yet."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a symlink loop, a folder that cannot be searched
        raise UsageError(f"{path}: cannot write the file ({exc.strerror or exc})") from None


def _refuse_inputs(
    path: Path, status: os.stat_result, inputs: Mapping[Path, str], option: str
) -> None:
    for source, what in inputs.items():
        try:
            other = os.stat(source)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (status.st_dev, status.st_ino):
            raise UsageError(
                f"{option} {path}: would overwrite the {what} {source} this run reads; "
                "choose another file"
            )


def _write_through(path: Path, text: str) -> None:
    """Write into a character device or FIFO in place (no temporary file, no fsync)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
    opened = os.fstat(fd).st_mode
    if not (stat.S_ISCHR(opened) or stat.S_ISFIFO(opened)):
        os.close(fd)  # replaced by a file since it was looked at: never write over it in place
        raise UsageError(f"{path}: changed while carecli was writing to it; run again")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:  # a reader that went away (EPIPE), a full device
        raise UsageError(f"{path}: cannot write the file ({exc.strerror or exc})") from None


def _replace(path: Path, target: Path, text: str, mode: int) -> None:
    """Write a temporary file beside `target`, then rename it over `target`.

    A crash or a kill mid-write leaves the previous file intact, never half a report.
    Errors name `path`, the destination as the user wrote it.
    """
    directory = missing_folder(target)
    if directory is not None:
        raise UsageError(f"{path}: the folder {directory} does not exist; create it first")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # a read-only folder, a full disk
        raise UsageError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            # mkstemp makes the file private (0600): give it the mode the report should have.
            os.chmod(temp, mode)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
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


def check_destination(output: str | Path, option: str = "--output", folder_ok: bool = True) -> None:
    """Refuse a file or folder that cannot be written before any data is read: on a big
    export the report takes seconds, and then nothing would be written."""
    path = Path(output)
    if _names_folder(output) and not path.is_dir():
        raise UsageError(f"{option} {output}: the folder does not exist; create it first")
    if path.is_dir() and not folder_ok:
        raise UsageError(f"{option} {output}: is a folder; give a file name such as results.xml")
    directory = None if path.is_dir() else missing_folder(path)
    if directory is not None:
        raise UsageError(
            f"{option} {output}: the folder {directory} does not exist; create it first"
        )


def _names_folder(output: str | Path) -> bool:
    # A trailing slash says "a folder" (Path() drops it: reports/ would be a file "reports").
    return str(output).endswith(("/", os.sep))


def output_path(output: str | Path, period: Period, output_format: OutputFormat) -> Path:
    """--output: a file, or a folder (an existing one, or any path written with a trailing
    slash) that gets a dated name such as carecli-2026-W47.html."""
    check_destination(output)
    output = Path(output)
    if output.is_dir():
        from carecli.render.formats import output_filename

        name = output_filename(period, output_format)
        # The name is built from the period label; whatever it holds, it stays a plain
        # file name inside the folder the user chose (no separator, no "..").
        if Path(name).name != name or name in (".", "..") or "\\" in name:
            raise UsageError(f"--output {output}: cannot build a safe file name from {name!r}")
        return output / name
    return output
