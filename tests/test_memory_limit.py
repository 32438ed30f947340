"""--memory-limit / memory_limit:, the path it chooses (in memory or partitions), the
progress a load reports, and a folder of daily files read as one dataset."""

from __future__ import annotations

import io
import json
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from carecli import memory
from carecli.cli import common
from carecli.cli.app import app
from carecli.config.model import Config, parse_config
from carecli.core import Request, run
from carecli.errors import ConfigError
from carecli.periods import parse_week
from carecli.report.build import build_report, load_dataset
from carecli.timeline import partitions

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "messages.jsonl"
NOW = datetime.fromisoformat("2026-11-30T00:00:00+00:00")
WEEK = ["--week", "2026-W44", "--format", "json", "--by", "channel"]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("700MB", 700 * 10**6),
        ("4GB", 4 * 10**9),
        ("4 gb", 4 * 10**9),
        ("1.5GiB", int(1.5 * 2**30)),
        ("512MiB", 512 * 2**20),
        ("2G", 2 * 10**9),
        ("1T", 10**12),
        (300_000_000, 300_000_000),
    ],
)
def test_sizes(text: object, size: int) -> None:
    assert memory.parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("lots", "is not a size"),
        ("4XB", "is not a size"),
        ("-1GB", "is not a size"),
        ("", "is not a size"),
        (True, "is not a size"),
        ([4], "is not a size"),
        ("100MB", "too small"),
        ("9" * 30, "too large"),
    ],
)
def test_sizes_that_are_refused(text: object, says: str) -> None:
    with pytest.raises(memory.MemoryLimitError, match=says):
        memory.parse_size(text)


def test_the_default_budget_is_a_share_of_the_available_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert memory.budget(10**9) == 10**9
    monkeypatch.setattr(memory, "available", lambda: 8 * 10**9)
    assert memory.budget(None) == 4 * 10**9
    monkeypatch.setattr(memory, "available", lambda: None)
    assert memory.budget(None) == 2 * 10**9


def test_the_config_key_and_its_errors() -> None:
    assert parse_config("memory_limit: 2GB\n").memory_limit == 2 * 10**9
    assert parse_config("memory_limit:\n").memory_limit is None
    with pytest.raises(ConfigError, match=r":1: memory_limit: 'plenty' is not a size"):
        parse_config("memory_limit: plenty\n")


def test_the_option_and_its_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["report", "--data", str(SAMPLE), *WEEK, "--memory-limit", "x"])
    assert bad.exit_code == 2
    assert "--memory-limit: 'x' is not a size" in bad.stderr
    small = runner.invoke(app, ["check", "--data", str(SAMPLE), "--memory-limit", "1MB"])
    assert small.exit_code == 2
    assert "too small a memory limit" in small.stderr
    # The option wins over the config's key.
    config = tmp_path / "carecli.yaml"
    config.write_text("memory_limit: 4GB\n", encoding="utf-8")
    limited = run(Request(data=(SAMPLE,), config=config, week="2026-W44", memory_limit="1GB"))
    assert limited.config.memory_limit == 10**9
    assert run(Request(data=(SAMPLE,), config=config, week="2026-W44")).config.memory_limit == (
        4 * 10**9
    )


def test_the_budget_chooses_the_path_and_the_numbers_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = Config()
    period = parse_week("2026-W44", "UTC", NOW)
    roomy = load_dataset(SAMPLE, config, memory_limit=10**9)
    assert roomy.loading.startswith("in memory (estimated peak")
    # A budget below the in-memory estimate of the sample's few hundred events.
    monkeypatch.setattr(partitions, "_SMALLEST_PARTITION", 15_000)
    tight = load_dataset(SAMPLE, config, memory_limit=partitions._BASE_BYTES)
    assert "partitions on disk" in tight.loading
    assert tight.loading.split()[0] != "1"
    first = build_report(roomy, period, config, ["channel"])
    second = build_report(tight, period, config, ["channel"])
    assert first.overall.current == second.overall.current
    assert [g.current for g in first.groups] == [g.current for g in second.groups]
    assert load_dataset(SAMPLE, config, partitions=3).loading.startswith("3 partitions")


def _daily_csv(folder: Path) -> list[Path]:
    """The sample as one CSV export per ten days (daily ones would only be more of them,
    and slower to test): conversations span the days, so the files."""
    frame = pl.read_ndjson(SAMPLE, infer_schema_length=None)
    frame = frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns)
    days = frame.with_columns(day=pl.col("timestamp").str.slice(0, 9))
    folder.mkdir()
    paths = []
    for (day,), rows in days.group_by("day", maintain_order=True):
        path = folder / f"{day}x.csv"
        rows.drop("day").write_csv(path)
        paths.append(path)
    return paths


@pytest.mark.parametrize("limit", ["4GB", "200MB"])
def test_a_folder_of_daily_files_gives_the_report_of_one_file(
    tmp_path: Path, limit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(partitions, "_SMALLEST_PARTITION", 15_000)
    days = _daily_csv(tmp_path / "exports")
    assert len(days) > 3
    whole = tmp_path / "whole.csv"
    pl.concat([pl.read_csv(p, infer_schema=False) for p in days], how="diagonal").write_csv(whole)
    runner = CliRunner()
    options = [*WEEK, "--as-of", "2026-11-09T00:00", "--memory-limit", limit]
    one = runner.invoke(app, ["report", "--data", str(whole), *options])
    folder = runner.invoke(app, ["report", "--data", str(tmp_path / "exports" / "*.csv"), *options])
    assert one.exit_code == folder.exit_code == 0, folder.stderr
    first, second = json.loads(one.stdout), json.loads(folder.stdout)
    for document in (first, second):
        del document["generated_at"], document["data"]["file"], document["data"]["files"]
    assert first == second


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int, str]] = []

    def __call__(self, stage: str, done: int, total: int, unit: str) -> None:
        self.calls.append((stage, done, total, unit))


def test_the_load_reports_its_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(partitions, "_SMALLEST_PARTITION", 15_000)
    days = _daily_csv(tmp_path / "exports")
    recorder = _Recorder()

    @contextmanager
    def loading(message: str) -> Any:
        assert message == f"Loading {len(days)} files"
        yield recorder

    run(Request(data=tuple(days), week="2026-W44", memory_limit="200MB"), loading)
    stages = {stage for stage, *_ in recorder.calls}
    assert stages == {"reading", "building the timeline"}
    reading = [c for c in recorder.calls if c[0] == "reading"]
    total = sum(p.stat().st_size for p in days)
    assert reading[-1] == ("reading", total, total, "bytes")
    assert [done for _, done, _, _ in reading] == sorted(done for _, done, _, _ in reading)
    built = [c for c in recorder.calls if c[0] == "building the timeline"]
    assert built[-1] == ("building the timeline", len(built), len(built), "partitions")
    # A loading that yields nothing (the old spinner contract) still works.
    nothing = contextmanager(lambda message: iter([None]))
    assert run(Request(data=(SAMPLE,), week="2026-W44"), nothing).report is not None


def test_the_progress_bar_is_drawn_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr(common.sys, "stderr", pipe)
    with common.progress("Loading x") as update:
        assert update is None
    assert pipe.getvalue() == ""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(common.sys, "stderr", terminal)
    with common.progress("Loading 100 files") as update:
        assert update is not None
        update("reading", 3_200_000_000, 8_800_000_000, "bytes")
        update("building the timeline", 12, 250, "partitions")
    assert common.amount(3_200_000_000, 8_800_000_000, "bytes") == "3.2/8.8 GB"
    assert common.amount(12, 250, "partitions") == "12/250 partitions"
    assert common.amount(5_000_000, 88_000_000, "bytes") == "5.0/88.0 MB"
