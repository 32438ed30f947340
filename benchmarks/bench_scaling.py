"""How carecli's time grows with the data: a small input and a big one, in turns.

Issue 23's target is the 100M-event folder in at most 11x the time of the 10M file. This
machine's speed drifts by 10-25% within the hour, so a 100M run compared with a 10M
median taken at another time says little; here the two alternate (small, big, small,
big...) and the ratio of the medians is printed with each turn's own ratio:

    python benchmarks/bench_scaling.py --small /tmp/carecli-bench/events_10M.csv \\
        --big '/tmp/carecli-bench/events_100M/*.csv' --repeat 3

Every input is read into the page cache right before its run: this VM's kernel pages out
file cache left untouched for about a minute (DAMON), and a 100M run of ~2 minutes would
otherwise read part of the files of the run before it from disk. The runs are the CLI's,
end to end (`carecli report --week W --data ... --by channel --format json`), measured as
benchmarks/bench_report.py measures them (wall time, CPU time, the child's ru_maxrss).
"""

from __future__ import annotations

import argparse
import glob
import os
import shlex
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_report import (
    Run,
    commands,
    load,
    median_run,
    print_medians,
    print_run,
    run,
    source_fingerprint,
)

_BLOCK = 8 * 1024 * 1024


def files_of(pattern: str) -> list[Path]:
    """The files a path or quoted glob names (argparse reports none as a usage error)."""
    return [Path(m) for m in sorted(glob.glob(pattern)) if Path(m).is_file()]


def warm(files: list[Path]) -> None:
    """Read the files through, so the run finds them in the page cache."""
    for path in files:
        with path.open("rb", buffering=0) as handle:
            while handle.read(_BLOCK):
                pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", required=True, help="the smaller input: a file or quoted glob")
    parser.add_argument("--big", required=True, help="the bigger input: a file or quoted glob")
    parser.add_argument("--week", default="2026-W47", help="ISO week (default 2026-W47)")
    parser.add_argument("--repeat", type=int, default=3, help="turns of small then big (3)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run (1800)")
    parser.add_argument(
        "--carecli", default=str(Path(sys.executable).with_name("carecli")), help="CLI path"
    )
    parser.add_argument("--carecli-args", default="", help="extra carecli options")
    args = parser.parse_args(argv)
    inputs = {"small": args.small, "big": args.big}
    found = {label: files_of(pattern) for label, pattern in inputs.items()}
    for label, files in found.items():
        if not files:
            parser.error(f"--{label} {inputs[label]}: no such file")

    env = {k: v for k, v in os.environ.items() if k != "CARECLI_CONFIG"}
    extra = tuple(shlex.split(args.carecli_args))
    print(f"machine: {os.cpu_count()} cpus, load average {load()} (other work skews timings)")
    print(f"carecli source fingerprint: {source_fingerprint(args.carecli)}")
    for label, files in found.items():
        size = sum(path.stat().st_size for path in files) / 1e6
        count = f"{len(files)} files" if len(files) > 1 else "1 file"
        print(f"{label}: {inputs[label]} ({count}, {size:,.1f} MB)")
    every: dict[str, list[Run]] = {label: [] for label in inputs}
    with tempfile.TemporaryDirectory(prefix="carecli-scaling-") as tmp:
        for turn in range(max(1, args.repeat)):
            for label, pattern in inputs.items():
                if every[label] and not every[label][-1].ok:
                    continue  # it failed: not run again
                warm(found[label])
                command = commands("carecli", Path(pattern), args.week, args.carecli, extra)
                done = run(label, command, Path(tmp) / f"{turn}", args.timeout, env)
                every[label].append(done)
                print_run(label, done)
    medians = {label: median_run(done) for label, done in every.items()}
    print()
    print(f"medians of {max(1, args.repeat)} turns (each run's wall time listed):")
    print_medians("input", medians)
    small, big = medians["small"], medians["big"]
    if not (small.ok and big.ok):
        return 1
    turns = [b.wall_s / s.wall_s for s, b in zip(every["small"], every["big"], strict=True)]
    print()
    print(
        f"big/small  wall x{big.wall_s / small.wall_s:.2f} (medians; each turn: "
        f"{' '.join(f'{t:.2f}' for t in turns)}, median {statistics.median(turns):.2f})   "
        f"cpu x{big.cpu_s / small.cpu_s:.2f}   peak RSS x{big.peak_rss_mb / small.peak_rss_mb:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
