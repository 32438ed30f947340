"""Benchmark business_seconds on 10 million (start, end) pairs (a script, not a test).

    /work/venv/bin/python benchmarks/business_time.py [rows]

Starts are spread uniformly over 2025-2026, waits are log-uniform from 1 second to 14 days
(most replies come quickly, a few wait over weekends and holidays). The calendar is a
realistic office: Europe/Berlin, Mon-Fri 09:00-12:00 + 13:00-18:00, Sat 10:00-14:00, and the
German national holidays of both years.
"""

from __future__ import annotations

import math
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from carecli.config.calendars import read_calendars
from carecli.timeline.business_time import business_seconds, open_periods

CONFIG = {
    "office": {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["09:00-12:00", "13:00-18:00"], "sat": ["10:00-14:00"]},
        "holidays": [
            *("2025-01-01", "2025-04-18", "2025-04-21", "2025-05-01", "2025-05-29"),
            *("2025-06-09", "2025-10-03", "2025-12-24..2025-12-26", "2025-12-31"),
            *("2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14"),
            *("2026-05-25", "2026-10-03", "2026-12-24..2026-12-26", "2026-12-31"),
        ],
    }
}


def _uniform(seed: int) -> pl.Expr:
    """Pseudo-random floats in [0, 1), one per row (polars only: numpy is not required)."""
    return pl.int_range(pl.len(), dtype=pl.UInt64).hash(seed) / float(2**64)


def main(rows: int) -> None:
    calendar = read_calendars(CONFIG, lambda path, msg: sys.exit(f"{path}: {msg}"))["office"]
    low = int(datetime(2025, 1, 1).timestamp() * 1e6)
    high = int(datetime(2027, 1, 1).timestamp() * 1e6)

    began = time.perf_counter()
    pairs = (
        pl.DataFrame({"row": pl.Series([0] * rows, dtype=pl.Int8)})
        .select(
            start=(pl.lit(low) + _uniform(1) * (high - low)).cast(pl.Int64),
            wait=(pl.lit(1e6) * (_uniform(2) * math.log(14 * 86_400)).exp()).cast(pl.Int64),
        )
        .select(
            start=pl.col("start").cast(pl.Datetime("us", "UTC")),
            end=(pl.col("start") + pl.col("wait")).cast(pl.Datetime("us", "UTC")),
        )
    )
    generated = time.perf_counter() - began

    began = time.perf_counter()
    table = open_periods(calendar)
    built = time.perf_counter() - began

    began = time.perf_counter()
    result = pairs.select(business=business_seconds(pl.col("start"), pl.col("end"), calendar))
    wall = time.perf_counter() - began

    began = time.perf_counter()
    plain = pairs.select((pl.col("end") - pl.col("start")).dt.total_microseconds() / 1e6)
    subtraction = time.perf_counter() - began

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    business, elapsed = result["business"], plain.to_series()
    print(f"polars {pl.__version__}, {pl.thread_pool_size()} threads")
    print(f"rows                     {rows:,}")
    print(f"generate pairs           {generated:.2f} s")
    print(f"open-period table        {built * 1000:.0f} ms ({table.height:,} periods, cached)")
    print(f"business_seconds         {wall:.2f} s")
    print(f"throughput               {rows / wall:,.0f} rows/s")
    print(f"plain subtraction        {subtraction:.2f} s (calendar time, for comparison)")
    print(f"peak RSS                 {peak_mib:,.0f} MiB")
    print(f"median calendar wait     {elapsed.median() / 3600:.2f} h")
    print(f"median business wait     {business.median() / 3600:.2f} h")
    print(f"business = 0 (closed)    {(business == 0).mean():.1%}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
