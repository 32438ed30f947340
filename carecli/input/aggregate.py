"""Summary files (one row per day, agent or queue with counts and averages) are not
conversations: say so in one line, with the columns carecli would need instead."""

from __future__ import annotations

import re

from carecli.errors import InputError
from carecli.input.load import Source
from carecli.input.synonyms import AGGREGATE_PATTERNS, simplify

_PATTERNS = tuple(re.compile(p) for p in AGGREGATE_PATTERNS)
NEEDED = (
    "one row per conversation (conversation_id, created_at, and e.g. first_response_at or "
    "first_response_seconds, resolved_at, status, csat) or one row per message "
    "(conversation_id, timestamp, role)"
)


def summary_columns(columns: tuple[str, ...]) -> list[str]:
    """The columns whose names are counts, averages or rates ("Calls Offered", "Avg
    Handle Time", "Service Level %")."""
    return [c for c in columns if any(p.search(simplify(c)) for p in _PATTERNS)]


def summary_error(source: Source) -> InputError | None:
    """The error for a file most of whose columns are counts and averages, else None."""
    named = [c for c in source.columns if c.strip()]
    found = summary_columns(tuple(named))
    if len(found) < 2 or len(found) * 2 < len(named) - 1:
        return None
    shown = ", ".join(repr(c) for c in found[:3]) + (" ..." if len(found) > 3 else "")
    return InputError(
        f"{source.path}: this is a summary (counts and averages per row: {shown}), not "
        f"conversations; carecli needs {NEEDED}: export those from your tool"
    )
