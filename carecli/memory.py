"""The memory budget of a run: `--memory-limit 4GB` / `memory_limit: 700MB`, else a share of
the memory the machine has available (as DuckDB's memory_limit). The loader compares its
estimate of a run's peak with the budget to read a big export in memory or in partitions
on disk (carecli.timeline.partitions)."""

from __future__ import annotations

import math
import os
import re

from carecli.errors import CareError

# Without a limit, this share of the memory available when the run starts: room for the
# other programs of the machine, and for the estimate being off.
DEFAULT_SHARE = 0.5
# No budget is smaller: below it not even the partitioned path fits.
MINIMUM = 200 * 1000**2
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "t": 1000**4,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


class MemoryLimitError(CareError, ValueError):
    """A memory limit that is not a size, or one too small to run in."""


def parse_size(value: object) -> int:
    """`700MB`, `4GB`, `1.5GiB`, `512mb` or a bare number of bytes -> bytes."""
    if isinstance(value, bool) or value is None:
        raise MemoryLimitError(f"{value!r} is not a size; use e.g. 700MB or 4GB")
    if isinstance(value, int | float):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise MemoryLimitError(f"{str(value)[:40]!r} is not a size; use e.g. 700MB or 4GB")
    found = _SIZE.match(text)
    unit = found.group(2).lower() if found else ""
    if not found or unit not in _UNITS:
        raise MemoryLimitError(f"{text[:40]!r} is not a size; use e.g. 700MB, 4GB or 1.5GiB")
    size = float(found.group(1)) * _UNITS[unit]
    if not math.isfinite(size) or size > 2**62:
        raise MemoryLimitError(f"{text[:40]!r} is too large a size")
    if size < MINIMUM:
        raise MemoryLimitError(
            f"{text[:40]!r} is too small a memory limit; carecli needs at least {describe(MINIMUM)}"
        )
    return int(size)


def available() -> int | None:
    """Bytes of memory available to new programs (Linux's MemAvailable), None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:  # other systems: the free pages (an underestimate: no file cache counted)
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def budget(limit: int | None) -> int:
    """The run's budget in bytes: the limit, else DEFAULT_SHARE of the available memory."""
    if limit is not None:
        return limit
    free = available()
    if free is None:  # unknown: assume a small machine
        return 2 * 1000**3
    return max(MINIMUM, int(free * DEFAULT_SHARE))


def describe(size: float) -> str:
    """`1.9 GB`, `700 MB`: a size for people (powers of 1000, as the option takes)."""
    if size >= 1000**3:
        return f"{size / 1000**3:.1f} GB"
    return f"{size / 1000**2:,.0f} MB"
