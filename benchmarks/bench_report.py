"""Benchmark carecli's weekly report against pandas, DuckDB and a bare polars scan.

Each implementation runs on the same file in its own subprocess, one after the other:

  carecli  the real CLI, end to end:
           carecli report --week W --data FILE --by channel --format json
  pandas   benchmarks/impl_pandas.py: the same metrics by channel, idiomatic pandas
  duckdb   benchmarks/impl_duckdb.py: the same metrics by channel, DuckDB SQL
  floor    benchmarks/impl_floor.py: a polars scan of the columns carecli reads

With ``--repeat N`` the implementations take turns (carecli, duckdb, carecli, duckdb...),
so load from other work on the machine falls on all of them alike, and each one's
median wall time and median peak are reported, with the ratios of the medians.
``--data`` takes a quoted glob for a folder of exports read as one dataset
(``'events_100M/*.csv'``); ``--carecli-args`` adds options (``--memory-limit 883MB``).

Wall time is measured around the subprocess; peak memory is the child's own
``ru_maxrss`` as returned by ``os.wait4`` (exact per process, unlike a polling sampler),
in MB of 10^6 bytes, the unit of ``--memory-limit`` (a peak under ``883MB`` is under it).
A run is killed (its whole process group) after ``--timeout`` seconds.

The pandas and DuckDB results are cross-checked against carecli's JSON, overall and per
channel. carecli's JSON rounds floats to 3 decimals, so each reference value is rounded
the same way before the 1e-6 relative comparison; a mismatch table is printed otherwise.

    python benchmarks/bench_report.py --data /tmp/carecli-bench/events_10M.csv --week 2026-W47
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import math
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
IMPLEMENTATIONS = ("carecli", "pandas", "duckdb", "floor")
Metrics = dict[str, dict[str, Any]]  # metric -> statistic -> value

DURATION_STATS = ("count", "mean", "median", "p90", "p95", "max")
# (metric, statistic) pairs compared between carecli and the references.
CHECKS: tuple[tuple[str, str], ...] = (
    ("volume", "conversations"),
    ("volume", "inbound_messages"),
    ("volume", "outbound_messages"),
    *(("first_response_time", s) for s in DURATION_STATS),
    ("first_response_time", "awaiting_first_response"),
    *(("bot_first_response_time", s) for s in DURATION_STATS),
    ("bot_first_response_time", "without_bot_response"),
    *(("reply_time", s) for s in DURATION_STATS),
    ("reply_time", "waiting_turns"),
    *(("resolution_time", s) for s in DURATION_STATS),
    ("resolution_time", "unresolved"),
    ("backlog", "open"),
    ("fcr_rate", "rate"),
    ("fcr_rate", "first_contact_resolved"),
    ("fcr_rate", "resolved"),
    ("csat", "rate"),
    ("csat", "mean"),
    ("csat", "count"),
    ("csat", "satisfied"),
    ("nps", "score"),
    ("nps", "promoters"),
    ("nps", "detractors"),
    ("nps", "count"),
)
RELATIVE_TOLERANCE = 1e-6
JSON_DECIMALS = 3  # carecli/render/json.py rounds every float to 3 decimals


@dataclass
class Run:
    """One implementation's run: its command, cost and where its output went."""

    name: str
    command: list[str]
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    timed_out: bool
    stdout: str
    stderr_tail: str
    walls: list[float] = field(default_factory=list)  # every repeat's wall time

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def commands(
    name: str, data: Path, week: str, carecli: str, extra: tuple[str, ...] = ()
) -> list[str]:
    if name == "carecli":
        options = ["--week", week, "--data", str(data), "--by", "channel", "--format", "json"]
        return [carecli, "report", *options, *extra]
    script = HERE / f"impl_{name}.py"
    return [sys.executable, str(script), "--data", str(data), "--week", week]


def run(name: str, command: list[str], workdir: Path, timeout: float, env: dict[str, str]) -> Run:
    """Run one command in its own session; wall time, CPU time and peak RSS of that child."""
    workdir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = workdir / f"{name}.out", workdir / f"{name}.err"
    timed_out = False
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, stdout=out, stderr=err, cwd=workdir, env=env, start_new_session=True
        )
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # the session this run started
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    stderr = err_path.read_text(errors="replace").strip().splitlines()
    return Run(
        name=name,
        command=command,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        # KiB on Linux; MB here are 10^6 bytes, the unit of carecli's --memory-limit 883MB
        peak_rss_mb=usage.ru_maxrss * 1024 / 1e6,
        returncode=proc.returncode,
        timed_out=timed_out,
        stdout=str(out_path),
        stderr_tail="\n".join(stderr[-5:]),
    )


def median_run(done: list[Run]) -> Run:
    """One implementation's runs as one: median wall, CPU and peak; any failure wins."""
    failed = [r for r in done if not r.ok]
    if failed:
        return failed[0]
    middle = sorted(done, key=lambda r: r.wall_s)[(len(done) - 1) // 2]
    return Run(
        name=middle.name,
        command=middle.command,
        wall_s=statistics.median(r.wall_s for r in done),
        cpu_s=statistics.median(r.cpu_s for r in done),
        peak_rss_mb=statistics.median(r.peak_rss_mb for r in done),
        returncode=0,
        timed_out=False,
        stdout=middle.stdout,
        stderr_tail=middle.stderr_tail,
        walls=[r.wall_s for r in done],
    )


def print_run(name: str, result: Run) -> None:
    """One run's line as it ends (and the end of its stderr when it failed)."""
    state = "timed out" if result.timed_out else f"exit {result.returncode}"
    print(
        f"  {name:8s} {result.wall_s:8.1f}s wall {result.cpu_s:8.1f}s cpu "
        f"{result.peak_rss_mb:9,.0f} MB peak  ({state}, load {load()})",
        flush=True,
    )
    if not result.ok and result.stderr_tail:
        print("    " + result.stderr_tail.replace("\n", "\n    "))


def print_medians(heading: str, medians: dict[str, Run]) -> None:
    """The median runs (median_run) as a table, each run's wall time listed."""
    rows = [
        [
            name,
            f"{r.wall_s:.1f}",
            f"{r.cpu_s:.1f}",
            f"{r.peak_rss_mb:,.0f}",
            "ok" if r.ok else ("timeout" if r.timed_out else f"exit {r.returncode}"),
            " ".join(f"{w:.1f}" for w in r.walls),
        ]
        for name, r in medians.items()
    ]
    print_table([heading, "wall s", "cpu s", "peak RSS MB", "status", "walls"], rows)


def source_fingerprint(carecli: str) -> str:
    """Short hash of the carecli package sources the CLI imports (the code measured).

    The sources are byte-compiled first, as `pip install` does: an editable checkout run
    with PYTHONDONTWRITEBYTECODE set would otherwise compile ~100 modules (~0.1 s) on every
    run, a cost no installed carecli pays."""
    probe = "import carecli, pathlib; print(pathlib.Path(carecli.__file__).parent)"
    python = Path(carecli).with_name("python")
    found = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    root = Path(found.stdout.strip())
    if found.returncode or not root.is_dir():
        return "unknown"
    subprocess.run([str(python), "-m", "compileall", "-q", str(root)], check=True)
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def carecli_results(document: dict[str, Any]) -> dict[str, Metrics]:
    """carecli's JSON report -> {"overall": metrics, "<channel>": metrics}."""
    results = {"overall": document["overall"]["metrics"]}
    for group in document["groups"]:
        channel = group["key"].get("channel")
        results["(none)" if channel is None else channel] = group["metrics"]
    return results


def reference_results(document: dict[str, Any]) -> dict[str, Metrics]:
    return {"overall": document["overall"], **document["groups"]}


def agrees(expected: Any, actual: Any) -> bool:
    """carecli's value vs a reference value rounded like carecli's JSON, 1e-6 relative."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(actual, float) and math.isnan(actual):
        return False
    rounded = round(float(actual), JSON_DECIMALS)
    scale = max(abs(float(expected)), abs(rounded))
    if abs(float(expected) - rounded) <= RELATIVE_TOLERANCE * scale:
        return True
    # Values on a rounding boundary (x.xxx5) may round either way after float noise.
    return abs(float(expected) - float(actual)) <= 0.5 * 10**-JSON_DECIMALS * (1 + 1e-9)


def cross_check(
    expected: dict[str, Metrics], actual: dict[str, Metrics]
) -> tuple[int, list[tuple[str, str, Any, Any]]]:
    """(values compared, mismatches as (group, metric.stat, carecli, reference))."""
    compared, mismatches = 0, []
    for group in sorted(set(expected) | set(actual)):
        want, got = expected.get(group), actual.get(group)
        if want is None or got is None:
            mismatches.append((group, "(group)", want is not None, got is not None))
            continue
        for metric, stat in CHECKS:
            value, reference = want.get(metric, {}).get(stat), got.get(metric, {}).get(stat)
            compared += 1
            if not agrees(value, reference):
                mismatches.append((group, f"{metric}.{stat}", value, reference))
    return compared, mismatches


def relative(a: Any, b: Any) -> str:
    if a is None or b is None:
        return "-"
    return f"{abs(a - b) / max(abs(a), abs(b), 1e-12):.2e}"


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    for line in [headers, ["-" * w for w in widths], *rows]:
        print(
            "  ".join(
                str(x).rjust(w) if i else str(x).ljust(w)
                for i, (x, w) in enumerate(zip(line, widths, strict=True))
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="CSV, JSONL or Parquet events")
    parser.add_argument("--week", default="2026-W47", help="ISO week (default 2026-W47)")
    parser.add_argument(
        "--only", default=",".join(IMPLEMENTATIONS), help="comma-separated subset to run"
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds per run (900)")
    parser.add_argument(
        "--carecli", default=str(Path(sys.executable).with_name("carecli")), help="CLI path"
    )
    parser.add_argument(
        "--carecli-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the carecli run, e.g. POLARS_ENGINE_AFFINITY=in-memory",
    )
    parser.add_argument(
        "--carecli-args", default="", help="extra carecli options, e.g. '--memory-limit 883MB'"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per implementation, taking turns; medians are reported",
    )
    parser.add_argument("--json-out", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    matched = sorted(glob.glob(str(args.data)))
    if not matched or not all(Path(m).is_file() for m in matched):
        parser.error(f"--data {args.data}: no such file")
    data = args.data.resolve() if len(matched) == 1 and str(args.data) == matched[0] else args.data
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    if unknown := sorted(set(names) - set(IMPLEMENTATIONS)):
        parser.error(f"--only: unknown {', '.join(unknown)}")

    # A clean environment: no carecli config from the user, a directory without carecli.yaml.
    env = {k: v for k, v in os.environ.items() if k != "CARECLI_CONFIG"}
    carecli_env = dict(item.split("=", 1) for item in args.carecli_env)
    size_mb = sum(Path(m).stat().st_size for m in matched) / 1e6
    what = f"{data} ({len(matched)} files)" if len(matched) > 1 else str(data)
    print(f"data: {what} ({size_mb:,.1f} MB), week {args.week}, timeout {args.timeout:.0f}s")
    print(f"machine: {os.cpu_count()} cpus, load average {load()} (other work skews timings)")
    fingerprint = source_fingerprint(args.carecli)
    print(f"carecli source fingerprint: {fingerprint}")
    if carecli_env:
        print(f"carecli environment: {carecli_env}")
    if args.carecli_args:
        print(f"carecli options: {args.carecli_args}")
    extra = tuple(shlex.split(args.carecli_args))
    runs: dict[str, Run] = {}
    every: dict[str, list[Run]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="carecli-bench-") as tmp:
        workdir = Path(tmp)
        for turn in range(max(1, args.repeat)):
            for name in names:
                if every[name] and not every[name][-1].ok:
                    continue  # it failed: not run again
                command = commands(name, data, args.week, args.carecli, extra)
                run_env = {**env, **carecli_env} if name == "carecli" else env
                result = run(name, command, workdir / f"{turn}", args.timeout, run_env)
                every[name].append(result)
                print_run(name, result)
        for name, done in every.items():
            runs[name] = median_run(done)
        outputs = {name: json.loads(Path(r.stdout).read_text()) for name, r in runs.items() if r.ok}

    print()
    print(f"medians of {max(1, args.repeat)} alternated runs (each run's wall time listed):")
    print_medians("implementation", runs)
    if "carecli" in runs:
        print()
        base = runs["carecli"]
        for other in ("duckdb", "pandas", "floor"):
            if other in runs and runs[other].ok and base.ok:
                r = runs[other]
                print(
                    f"carecli/{other:6s}  wall x{base.wall_s / r.wall_s:5.2f}   "
                    f"peak RSS x{base.peak_rss_mb / r.peak_rss_mb:5.2f}"
                )

    checks: dict[str, Any] = {}
    if "carecli" in outputs:
        expected = carecli_results(outputs["carecli"])
        for other in ("pandas", "duckdb"):
            if other not in outputs:
                continue
            compared, mismatches = cross_check(expected, reference_results(outputs[other]))
            checks[other] = {"compared": compared, "mismatches": mismatches}
            print()
            groups = len(expected)
            if not mismatches:
                print(
                    f"cross-check {other}: OK, {compared} values agree "
                    f"({groups} groups: overall + {groups - 1} channels)"
                )
                continue
            print(f"cross-check {other}: {len(mismatches)} of {compared} values differ")
            print_table(
                ["group", "metric.statistic", "carecli", other, "rel. diff"],
                [
                    [g, m, str(a), str(b), relative(a, b) if m != "(group)" else "-"]
                    for g, m, a, b in mismatches
                ],
            )
    if args.json_out:
        args.json_out.write_text(
            json.dumps(
                {
                    "file": str(data),
                    "size_mb": size_mb,
                    "week": args.week,
                    "carecli_env": carecli_env,
                    "carecli_source": fingerprint,
                    "load_average_end": load(),
                    "runs": {n: asdict(r) for n, r in runs.items()},
                    "cross_check": checks,
                },
                indent=2,
                default=str,
            )
        )
    failed = any(not r.ok for r in runs.values()) or any(c["mismatches"] for c in checks.values())
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
