"""What a report's numbers stand on: period, timezone, clock, as-of moment, comparison and
data. Every format states it (a line for people, fields for scripts), so a number read
later, forwarded or rerun can be told apart from one measured differently."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from carecli.periods import Period
from carecli.timeline.asof import SOURCES, AsOf

CLOCKS = {"calendar": "calendar clock", "business": "business-hours clock"}
COMPARISON_WORDS = {
    "like_for_like": "like for like, at the same age",
    "plain": "plain, with all it has now",
}


@dataclass(frozen=True)
class Basis:
    period: Period
    as_of: AsOf
    clock: str
    data: Mapping[str, Any]  # Dataset.summary(): files, first_event_at, last_event_at
    previous_period: Period | None = None
    previous_as_of: datetime | None = None
    comparison: str | None = None

    def local(self, moment: datetime | str | None, seconds: bool = True) -> str:
        """A moment in the reporting timezone, as its reader says it."""
        if moment is None:
            return "—"
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        shown = moment.astimezone(ZoneInfo(self.period.timezone))
        return shown.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")

    def files(self) -> str:
        names = [str(f) for f in self.data.get("files") or ()]
        return names[0] if len(names) == 1 else f"{len(names)} files"

    def lines(self) -> list[str]:
        """The basis in words: three or four short lines (each fits 80 columns)."""
        period = self.period
        where = "All data" if period.kind == "all" else period.label
        lines = [
            f"{where} in {period.timezone}, {CLOCKS.get(self.clock, self.clock)}; as of "
            f"{self.local(self.as_of.moment)} ({SOURCES[self.as_of.source]}).",
            f"Data: {self.files()}, events "
            f"{self.local(self.data.get('first_event_at'), False)} → "
            f"{self.local(self.data.get('last_event_at'), False)}.",
        ]
        if self.previous_period is not None and self.comparison is not None:
            lines.append(
                f"Compared with {self.previous_period.label} "
                f"{COMPARISON_WORDS[self.comparison]} (as of "
                f"{self.local(self.previous_as_of)})."
            )
        return lines

    def as_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "period": self.period.label,
            "timezone": self.period.timezone,
            "clock": self.clock,
            "as_of": self.as_of.utc.isoformat(timespec="seconds"),
            "as_of_source": self.as_of.source,
            "first_event_at": self.data.get("first_event_at"),
            "last_event_at": self.data.get("last_event_at"),
            "files": list(self.data.get("files") or ()),
        }
        if self.comparison is not None:
            document["comparison"] = self.comparison
            document["previous_as_of"] = (
                self.previous_as_of.isoformat(timespec="seconds") if self.previous_as_of else None
            )
        return document
