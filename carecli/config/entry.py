"""One entry of a config section (slas[2], calendars.support) while it is read.

Readers report every problem of an entry with its key path, then drop the entry if any
was reported; this keeps the key-path prefix and that verdict in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

Problem = Callable[[tuple[Any, ...], str], None]


class Entry:
    def __init__(self, prefix: tuple[Any, ...], problem: Problem) -> None:
        self.prefix = prefix
        self.problem = problem
        self.ok = True  # no problem reported for this entry yet

    def at(self, *keys: Any) -> tuple[Any, ...]:
        """The key path of `keys` inside this entry."""
        return (*self.prefix, *keys)

    def bad(self, key_path: tuple[Any, ...], message: str) -> None:
        self.ok = False
        self.problem(key_path, message)

    def check_keys(self, item: dict[Any, Any], known: Collection[str]) -> None:
        for key in item:
            if key not in known:
                self.bad(self.at(key), f"unknown key; use {', '.join(known)}")
