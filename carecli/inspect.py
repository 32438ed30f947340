"""`carecli inspect FILE`: how carecli reads a file — the first command a new user runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
from rich import box
from rich.table import Table
from rich.text import Text

from carecli.config import Config
from carecli.load import ROW_INDEX, open_source
from carecli.normalize import normalize
from carecli.render import NAME_LIMIT, plain, to_text
from carecli.report import with_preset
from carecli.validate import DataProblem


@dataclass(frozen=True)
class Inspection:
    """What `inspect` found: format, preset, mapping, counts, time range, problems."""

    path: Path
    format: str
    preset: str | None
    notes: tuple[str, ...]
    granularity: str
    mapping: dict[str, str]
    unmapped: tuple[str, ...]
    rows: int
    first: str | None
    last: str | None
    sample: pl.DataFrame
    problems: tuple[DataProblem, ...]


def inspect_file(
    path: Path, config: Config, input_format: str | None = None, preset: str | None = None
) -> Inspection:
    """Load the file leniently: every data problem is collected instead of raised."""
    source = open_source(path, input_format or config.input_format, config.csv_separator)
    config, notes = with_preset(source, config, preset)
    normalized = normalize(source, config, strict=False)
    frame = normalized.frame
    moment = "timestamp" if normalized.granularity == "messages" else "created_at"
    times = frame[moment] if moment in frame.columns else pl.Series(dtype=pl.Datetime("us", "UTC"))
    used = set(normalized.mapping.values()) | set(config.threads.values())
    return Inspection(
        path=path,
        format=source.format,
        preset=config.preset,
        notes=notes,
        granularity=normalized.granularity,
        mapping=normalized.mapping,
        unmapped=tuple(c for c in source.columns if c not in used and c.strip()),
        rows=frame.height,
        first=None if times.min() is None else times.min().isoformat(),
        last=None if times.max() is None else times.max().isoformat(),
        sample=frame.drop(ROW_INDEX),
        problems=normalized.problems,
    )


def render(found: Inspection, sample_rows: int = 5, width: int = 100) -> str:
    """The inspection as terminal text."""
    facts = Table(box=None, show_header=False, pad_edge=False)
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("File", plain(found.path))
    facts.add_row("Format", found.format)
    facts.add_row("Preset", found.preset or "none (canonical column names or your columns:)")
    facts.add_row("Granularity", f"one row per {found.granularity[:-1]}")
    facts.add_row("Rows", f"{found.rows:,}")
    facts.add_row("Time range", f"{found.first or '—'} to {found.last or '—'}")

    mapping = Table(title="Column mapping", box=box.SIMPLE_HEAD, title_justify="left")
    mapping.add_column("carecli field")
    mapping.add_column("from column")
    for name, column in found.mapping.items():
        mapping.add_row(name, plain(column) if column else "(constant from the preset/config)")
    renderables: list[object] = [facts, mapping]
    for note in found.notes:
        renderables.insert(0, plain(note, style="dim"))
    if found.unmapped:
        renderables.append(
            plain(f"Not used ({len(found.unmapped)}): " + ", ".join(found.unmapped), style="dim")
        )
    if found.problems:
        problems = Table(title="Problems", box=box.SIMPLE_HEAD, title_justify="left")
        for name in ("Column", "Rows", "First", "Example", "Problem"):
            problems.add_column(name, overflow="fold")
        for problem in found.problems:
            problems.add_row(
                plain(f"{problem.column} ({problem.field})"),
                f"{problem.rows:,}",
                problem.first_row,
                plain(repr(problem.example)) if problem.example is not None else "",
                plain(problem.message),
            )
        renderables.append(problems)
    else:
        renderables.append(Text("No problems found: every row is readable.", style="green"))
    if sample_rows:
        sample = Table(title="Sample rows (as carecli reads them)", box=box.SIMPLE_HEAD)
        sample.title_justify = "left"
        head = found.sample.head(sample_rows)
        for column in head.columns:
            sample.add_column(column, overflow="fold")
        for row in head.iter_rows():
            sample.add_row(*[plain("" if v is None else v, limit=NAME_LIMIT) for v in row])
        renderables.append(sample)
    return to_text(renderables, width=width)
