"""Config keys for the machine a run uses.

memory_limit: 4GB     the budget for a run's peak memory (as --memory-limit; as DuckDB's)
"""

from __future__ import annotations

from typing import Any

from carecli.config.entry import Problem
from carecli.memory import MemoryLimitError, parse_size


def read_memory_limit(raw: Any, problem: Problem) -> int | None:
    """`memory_limit: 700MB` -> bytes; None (the key absent or empty): the default share."""
    if raw is None:
        return None
    try:
        return parse_size(raw)
    except MemoryLimitError as exc:
        problem(("memory_limit",), str(exc))
        return None
