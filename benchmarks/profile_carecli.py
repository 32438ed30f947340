"""Profile carecli's report pipeline by stage: wall time, CPU time and peak RSS of each.

Runs what ``carecli report --week W --data FILE --by channel --format json`` runs (except
the CLI's CSV pre-scan, which runs in a thread beside the load), in this process, with
timing wrappers around carecli's stage functions (installed at run time by
rebinding module attributes; carecli's files are not modified):

  load_dataset
    open_source                 header / schema
    prepare                     column mapping and the typed scan's plan
      fast_formats              the ISO spelling of the first rows (timestamp fast path)
      numeric_date_orders       a probe scan for day/month-first dates (only without it)
    load_timeline               message files (carecli.timeline.partitions)
      _split_file  (xfiles)     the typed scan, a batch of rows at a time, and per batch:
        finish  (xbatches)      spellings, missed timestamps, validation
          find_problems
        _split  (xbatches)      partition_by conversation into memory or IPC files on disk
      from_messages  (xN)       per partition: sort + group-by + reply turns + status
        sort_by_conversation    hash/moment key, arg-sort, gather, conversation numbers
    collect_rows, finish        conversation rows and reply chains: whole files at once
  build_report
    compute_stats_by            current and previous week, overall and by channel
  render json

A function called several times under the same stage (once per partition) is one line:
its calls' times summed, its peak the highest, "xN" the number of calls. Partitions are
processed two at a time, so their summed wall and CPU times (CPU is the whole process's)
can exceed those of load_timeline.
Peak RSS per stage comes from a 5 ms psutil sampler. The timing wrappers hold each stage's
arguments, so from_messages (which frees the events it is handed, in the CLI) peaks higher
here; the CLI's own peak is what bench_report.py measures. Then ``--experiments`` time
isolated alternatives on the same data (engine, timestamp parsing, sort keys, raw-column
memory).

    python benchmarks/profile_carecli.py --data /tmp/carecli-bench/events_10M.csv
    POLARS_ENGINE_AFFINITY=in-memory python benchmarks/profile_carecli.py --data ...
"""

from __future__ import annotations

import argparse
import functools
import glob
import hashlib
import importlib
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from carecli.cli.app import ALLOCATOR_SETTING

# As the CLI does, before polars (and its allocator) loads.
os.environ.setdefault(*ALLOCATOR_SETTING)

import polars as pl
import psutil

import carecli.input.normalize
import carecli.report.build
from carecli.config.files import load_config
from carecli.input.load import open_source
from carecli.memory import budget, parse_size
from carecli.memory import describe as describe_size
from carecli.periods import parse_week
from carecli.render import json as render_json
from carecli.sla.evaluate import evaluate

MB = 1000 * 1000  # the unit of carecli's --memory-limit (700MB, 4GB)


class Sampler(threading.Thread):
    """Samples this process's RSS every few milliseconds; peak between two marks."""

    def __init__(self, interval: float = 0.005) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.process = psutil.Process()
        self.samples: list[int] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.samples.append(self.process.memory_info().rss)
            time.sleep(self.interval)

    def mark(self) -> int:
        return len(self.samples)

    def peak_since(self, mark: int) -> int:
        window = self.samples[mark:]
        return max(window) if window else self.process.memory_info().rss


@dataclass
class Stage:
    label: str
    depth: int
    calls: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss: int = 0
    rss_after: int = 0
    notes: list[str] = field(default_factory=list)


class Profiler:
    """Nested stage timings, recorded in call order."""

    def __init__(self) -> None:
        self.sampler = Sampler()
        self.sampler.start()
        self.stages: list[Stage] = []
        self.by_path: dict[tuple[str, ...], Stage] = {}
        self.main_path: tuple[str, ...] = ()
        self.local = threading.local()  # each thread's stage path
        self.lock = threading.Lock()

    @property
    def path(self) -> tuple[str, ...]:
        # A worker thread (partitions run two at a time) starts inside the main thread's
        # current stage, which is waiting for it.
        return getattr(self.local, "path", self.main_path)

    @path.setter
    def path(self, value: tuple[str, ...]) -> None:
        self.local.path = value
        if threading.current_thread() is threading.main_thread():
            self.main_path = value

    @contextmanager
    def stage(self, label: str) -> Iterator[Stage]:
        """Time a stage; the calls of one label under one parent add up in one record."""
        self.path += (label,)
        with self.lock:
            record = self.by_path.get(self.path)
            if record is None:
                record = self.by_path[self.path] = Stage(label, len(self.path) - 1)
                self.stages.append(record)
        mark = self.sampler.mark()
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield record
        finally:
            with self.lock:
                record.calls += 1
                record.wall_s += time.perf_counter() - wall
                record.cpu_s += time.process_time() - cpu
                record.peak_rss = max(record.peak_rss, self.sampler.peak_since(mark))
                record.rss_after = self.sampler.process.memory_info().rss
            self.path = self.path[:-1]

    def wrap(self, module: Any, name: str, label: str | None = None) -> None:
        original: Callable[..., Any] = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.stage(label or name) as record:
                result = original(*args, **kwargs)
                if isinstance(result, pl.DataFrame) and record.calls == 0:
                    record.notes.append(describe(result))
                return result

        setattr(module, name, wrapper)

    def print(self) -> None:
        print(f"{'stage':40s} {'wall s':>8s} {'cpu s':>8s} {'peak MB':>9s} {'after MB':>9s}")
        for s in self.stages:
            label = "  " * s.depth + s.label + (f" (x{s.calls})" if s.calls > 1 else "")
            print(
                f"{label:40s} {s.wall_s:8.2f} {s.cpu_s:8.2f} "
                f"{s.peak_rss / MB:9,.0f} {s.rss_after / MB:9,.0f}"
            )
            for note in s.notes:
                print(f"{'':6s}{note}")


def source_fingerprint() -> str:
    """Short hash of carecli's Python sources: which code state the figures describe."""
    root = Path(carecli.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def describe(frame: pl.DataFrame) -> str:
    """Rows, total size and the biggest columns of a frame."""
    sizes = sorted(((frame[c].estimated_size() / MB, c) for c in frame.columns), reverse=True)
    raw = sum(size for size, c in sizes if c.startswith("__raw_"))
    top = ", ".join(f"{c} {size:,.0f}" for size, c in sizes[:4])
    extra = f"; raw text copies {raw:,.0f} MB" if raw else ""
    return f"-> {frame.height:,} rows, {frame.estimated_size() / MB:,.0f} MB ({top}){extra}"


# (module, function, label): stage functions of carecli, wrapped when they exist (the
# code moves on; a missing one is reported and skipped, never an error).
STAGES = (
    ("carecli.report.build", "open_source", None),
    ("carecli.report.build", "prepare", None),
    ("carecli.input.normalize", "numeric_date_orders", "numeric_date_orders (probe scan)"),
    ("carecli.input.normalize", "fast_formats", "fast_formats (sample of 1,000 rows)"),
    ("carecli.report.build", "load_timeline", "load_timeline (batches split by conversation)"),
    ("carecli.timeline.partitions", "_split_file", "_split_file (typed scan in batches)"),
    ("carecli.report.build", "collect_rows", "collect_rows (whole file, in memory)"),
    ("carecli.report.build", "finish", None),
    ("carecli.timeline.partitions", "finish", None),
    ("carecli.input.normalize", "find_problems", None),
    ("carecli.timeline.partitions", "_split", "_split (partition_by, store)"),
    ("carecli.report.build", "drop_repeated_conversations", None),
    ("carecli.timeline.build", "sort_by_conversation", None),
    ("carecli.timeline.build", "drop_identical_events", None),
    ("carecli.report.build", "from_messages_in_parts", "from_messages_in_parts (whole files)"),
    ("carecli.timeline.partitions", "from_messages_in_parts", None),
    ("carecli.timeline.partitions", "from_messages", None),
    ("carecli.timeline.clock", "apply", "clock.apply"),
    ("carecli.report.build", "compute_stats_by", None),
)


def profile(paths: list[Path], week: str, memory_limit: int | None = None) -> Profiler:
    profiler = Profiler()
    report = carecli.report.build
    for module_name, name, label in STAGES:
        module = importlib.import_module(module_name)
        if hasattr(module, name):
            profiler.wrap(module, name, label)
        elif not name.startswith("_"):
            print(f"(no {module_name}.{name} in this version: not timed separately)")
    config = load_config(None)
    with profiler.stage("total"):
        with profiler.stage("load_dataset"):
            dataset = report.load_dataset(paths, config, memory_limit=memory_limit)
        print(f"path: {dataset.loading}")
        period = parse_week(week, config.timezone, datetime.now(UTC))
        with profiler.stage("build_report"):
            result = report.build_report(dataset, period, config, ["channel"])
        with profiler.stage("sla evaluate"):
            outcomes = evaluate(dataset.timeline, config.slas, period, config, datetime.now(UTC))
        with profiler.stage("render json"):
            render_json.render(result, outcomes)
    profiler.sampler.stopped.set()
    return profiler


# Experiments: isolated alternatives, each in a fresh subprocess so its peak RSS is its own.
# A "file" experiment starts from the input file; a "frame" experiment from carecli's
# normalized frame (cached as Parquet by the profile run, so setup stays cheap).
EXPERIMENTS: dict[str, tuple[str, str]] = {
    "scan-text": ("file", "scan the mapped columns as text, no typing (the floor)"),
    "normalize-select": ("file", "carecli's typed select, with the __raw_ text copies"),
    "no-raw": ("file", "the same typed select without the raw copies"),
    "no-raw-strict-ts": ("file", "no raw copies + one strict ISO timestamp format"),
    "parse-timestamps": ("file", "timestamp column only: carecli parse_timestamps"),
    "strict-timestamp": ("file", "timestamp column only: to_datetime('%Y-%m-%dT%H:%M:%S%#z')"),
    "dedupe-ordered": ("frame", "unique(all columns, keep first, maintain_order=True)"),
    "dedupe-unordered": ("frame", "unique(all columns, keep any, maintain_order=False)"),
    "sort-string-id": ("frame", "sort by (conversation_id String, timestamp, rank)"),
    "sort-categorical-id": ("frame", "cast id to Categorical, then the same sort"),
    "timeline-streaming": ("frame", "from_messages, engine streaming (the default)"),
    "timeline-in-memory": ("frame", "from_messages, engine in-memory"),
    "timeline-categorical": ("frame", "from_messages, id/agent/team/topic Categorical"),
}
STRICT_ISO = "%Y-%m-%dT%H:%M:%S%#z"


def run_experiment(name: str, path: Path, cache: Path) -> None:
    """Set up, then time one experiment; prints one tab-separated result line."""
    from carecli.input.load import ROW_INDEX, open_source
    from carecli.input.normalize import _typed, parse_timestamps, resolve_mapping
    from carecli.input.validate import RAW as _RAW
    from carecli.timeline.build import _tie_rank, from_messages

    config = load_config(None)
    kind, _ = EXPERIMENTS[name]
    work: Callable[[], Any]
    if kind == "file":
        source = open_source(path)
        mapping = resolve_mapping(source, config)
        raw = source.scan(list(mapping.values()))
        schema = raw.collect_schema()
        typed = [_typed(n, pl.col(c), schema[c], config) for n, c in mapping.items()]
        copies = [pl.col(c).alias(_RAW + n) for n, c in mapping.items()]
        ts = pl.col(mapping["timestamp"])
        strict = ts.str.to_datetime(STRICT_ISO, time_zone="UTC", strict=False, time_unit="us")
        fast = [
            strict.alias(n) if n == "timestamp" else e for n, e in zip(mapping, typed, strict=True)
        ]
        selects = {
            "scan-text": [pl.col(ROW_INDEX), *(pl.col(c) for c in mapping.values())],
            "normalize-select": [pl.col(ROW_INDEX), *copies, *typed],
            "no-raw": [pl.col(ROW_INDEX), *typed],
            "no-raw-strict-ts": [pl.col(ROW_INDEX), *fast],
            "parse-timestamps": [parse_timestamps(ts, pl.String, config)],
            "strict-timestamp": [strict],
        }
        query = raw.select(selects[name])
        work = query.collect
    else:
        frame = pl.read_parquet(cache)
        events = frame.drop(ROW_INDEX)
        columns = events.columns
        ranked = events.with_columns(_tie_rank().alias("_rank"))
        keys = ["conversation_id", "timestamp", "_rank"]
        categorical = events.with_columns(
            pl.col(c).cast(pl.Categorical) for c in ("conversation_id", "agent", "team", "topic")
        )
        works: dict[str, Callable[[], Any]] = {
            "dedupe-ordered": lambda: frame.unique(columns, keep="first", maintain_order=True),
            "dedupe-unordered": lambda: frame.unique(columns, keep="any", maintain_order=False),
            "sort-string-id": lambda: ranked.sort(keys),
            "sort-categorical-id": lambda: ranked.with_columns(
                pl.col("conversation_id").cast(pl.Categorical)
            ).sort(keys),
            "timeline-streaming": lambda: _with_engine("streaming", from_messages, events),
            "timeline-in-memory": lambda: _with_engine("in-memory", from_messages, events),
            "timeline-categorical": lambda: from_messages(categorical),
        }
        work = works[name]
    setup_peak = high_water_mb()
    setup_rss = psutil.Process().memory_info().rss / MB
    reset_high_water()  # the peak below is the experiment's own (from setup_rss up)
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    values = (wall, cpu, setup_rss, setup_peak, high_water_mb())
    print("RESULT\t" + "\t".join(f"{v:.2f}" for v in values))


def high_water_mb() -> float:
    """Peak RSS of this address space (VmHWM). Unlike ru_maxrss it does not inherit the
    high-water mark of the parent that forked this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / MB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB


def reset_high_water() -> None:
    """Reset VmHWM to the current RSS (Linux: write 5 to /proc/self/clear_refs)."""
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _with_engine(engine: str, function: Callable[..., Any], *args: Any) -> Any:
    with pl.Config(engine_affinity=engine):
        return function(*args)


def experiments(path: Path, cache: Path, names: list[str]) -> None:
    """Run each experiment in its own process and print wall, CPU and peak RSS."""
    print(f"\nexperiments ({path.name}; each in a fresh process; RSS in MB):")
    print("  setup = RSS after loading the input, peak = peak RSS during the experiment")
    print(f"  {'experiment':22s} {'wall s':>7s} {'cpu s':>7s} {'setup':>7s} {'peak':>7s}  what")
    for name in names:
        command = [sys.executable, __file__, "--data", str(path), "--experiment", name]
        command += ["--cache", str(cache)]
        done = subprocess.run(command, capture_output=True, text=True)
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
        what = EXPERIMENTS[name][1]
        if done.returncode or not lines:
            problem = (done.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"  {name:22s} skipped: {problem[:90]}")
            continue
        wall, cpu, setup, _, peak = (float(x) for x in lines[-1].split("\t")[1:])
        print(f"  {name:22s} {wall:7.2f} {cpu:7.2f} {setup:7,.0f} {peak:7,.0f}  {what}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", required=True, help="a file, or a quoted glob: 'events_100M/*.csv'"
    )
    parser.add_argument(
        "--memory-limit", help="as carecli's --memory-limit (default: half the available)"
    )
    parser.add_argument("--week", default="2026-W47")
    parser.add_argument(
        "--experiments",
        nargs="?",
        const="all",
        help="also run isolated alternatives: 'all' or a comma-separated list of "
        + ", ".join(EXPERIMENTS),
    )
    parser.add_argument("--experiment", choices=EXPERIMENTS, help=argparse.SUPPRESS)
    parser.add_argument(
        "--cache", type=Path, help="normalized frame cache (default /tmp/carecli-bench/cache)"
    )
    args = parser.parse_args(argv)
    paths = [Path(p) for p in sorted(glob.glob(args.data))] or [Path(args.data)]
    limit = parse_size(args.memory_limit) if args.memory_limit else None
    args.data = paths[0]
    cache = args.cache or Path("/tmp/carecli-bench/cache") / f"normalized_{args.data.stem}.parquet"
    if args.experiment:  # child process of --experiments
        run_experiment(args.experiment, args.data, cache)
        return 0
    engine = os.environ.get("POLARS_ENGINE_AFFINITY", "auto (streaming)")
    print(f"carecli source fingerprint {source_fingerprint()}")
    size = sum(p.stat().st_size for p in paths) / 1e6
    print(
        f"{args.data if len(paths) == 1 else f'{len(paths)} files'} ({size:,.1f} MB), "
        f"budget {describe_size(budget(limit))}, engine {engine}, "
        f"polars {pl.__version__}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}"
    )
    profiler = profile(paths, args.week, limit)
    profiler.print()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB
    print(f"process peak RSS (ru_maxrss): {peak:,.0f} MB")
    if args.experiments:
        names = list(EXPERIMENTS) if args.experiments == "all" else args.experiments.split(",")
        if unknown := [n for n in names if n not in EXPERIMENTS]:
            parser.error(f"--experiments: unknown {', '.join(unknown)}")
        # The whole normalized frame, read in memory once, for the "frame" experiments.
        frame = carecli.input.normalize.normalize(open_source(args.data), load_config(None)).frame
        print(f"normalized frame (raw copies dropped): {describe(frame)}")
        cache.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(cache)
        del frame
        experiments(args.data, cache, names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
