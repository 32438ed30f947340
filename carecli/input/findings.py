"""A data-quality finding: one kind of problem carecli worked around, counted and located.

Found before loading (carecli.input.prescan), after it (carecli.report.quality) and
turned into errors by --strict-data (carecli.input.strict).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CID = "conversation_id"


@dataclass(frozen=True)
class Finding:
    """One kind of data problem carecli worked around: how many, what it did, where to look."""

    kind: str  # stable key, listed in docs/data-quality.md
    count: int
    message: str  # one line: what was found and what carecli did with it
    example: str | None = None  # the first case, where the user can find it
    printed: bool = False  # load_dataset already says it on stderr (its notes)

    def line(self) -> str:
        return self.message + (f" (first: {self.example})" if self.example else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.count,
            "message": self.message,
            "example": self.example,
        }
