"""Property-based tests (Hypothesis): whatever the input, carecli either works or raises
its own error (a CareError: exit 2 with a message), and metrics do not depend on the
order of the rows nor on how a file is split.

Kept fast (well under 20 s): modest example counts, small files, no deadline.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from carecli.config.model import Config, parse_config
from carecli.errors import CareError
from carecli.periods import all_time
from carecli.quantities import parse_duration, parse_number, parse_rate
from carecli.report.build import build_report, load_dataset

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Anything YAML or a caller might hand a parser.
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["1h", "90m", "1h30m", "85%", "0.85", "-5", "nan", "inf", "1e999",
                      "9" * 400 + "d", "%", "1 h", " 2d ", "1.5.5h", "+20"])
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


# --- the quantity parsers -----------------------------------------------------------------


@FAST
@given(values)
def test_quantity_parsers_return_a_finite_number_or_raise_care_error(value: Any) -> None:
    for parse in (parse_duration, parse_rate, parse_number):
        try:
            number = parse(value)
        except CareError:
            continue
        assert isinstance(number, float)
        assert math.isfinite(number)
    # The specific contracts of each parser.
    with contextlib.suppress(CareError):
        assert parse_duration(value) >= 0
    with contextlib.suppress(CareError):
        assert 0 <= parse_rate(value) <= 1


@FAST
@given(
    st.integers(0, 30), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.booleans()
)
def test_durations_mean_what_they_say(days: int, hours: int, minutes: int, seconds: int,
                                      spaced: bool) -> None:  # fmt: skip
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")]
    written = (" " if spaced else "").join(f"{n}{u}" for n, u in parts if n) or "0s"
    expected = days * 86_400 + hours * 3_600 + minutes * 60 + seconds
    assert parse_duration(written) == expected
    assert parse_duration(written.upper()) == expected


@FAST
@given(st.integers(0, 10_000))
def test_percentages_and_fractions_agree(basis_points: int) -> None:
    percent = basis_points / 100
    assert parse_rate(f"{percent}%") == pytest.approx(basis_points / 10_000)
    assert parse_rate(basis_points / 10_000) == pytest.approx(basis_points / 10_000)


# --- the config parser -------------------------------------------------------------------

KEYS = [
    "timezone", "source_timezone", "timestamp_format", "epoch_unit", "input_format",
    "granularity", "csv_separator", "columns", "values", "channels", "csat", "slas", "smtp",
    "calendars", "clock", "channel_calendars", "preset", "constants", "threads",
    "agent_side_fields",
]  # fmt: skip
SLA_KEYS = ["name", "metric", "statistic", "attainment", "direction", "threshold", "warn",
            "fail", "where", "per", "calendar"]  # fmt: skip
METRIC_NAMES = ["first_response_time", "csat", "nps", "backlog", "volume", "aht", "fcr_rate"]

sla = st.dictionaries(
    st.sampled_from(SLA_KEYS),
    values | st.sampled_from(METRIC_NAMES) | st.sampled_from(["p90", "median", "rate"]),
    max_size=6,
)
calendar = st.dictionaries(
    st.sampled_from(["timezone", "hours", "holidays"]),
    values
    | st.sampled_from(["Europe", "Europe/Berlin", "a" * 300, "24/7"])
    | st.dictionaries(
        st.sampled_from(["mon", "mon-fri", "sat,sun", "daily", "fri-mon", "xyz"]),
        st.lists(st.sampled_from(["09:00-17:00", "18:00-09:00", "25:00-26:00", "closed"])) | values,
    ),
)
smtp = st.dictionaries(
    st.sampled_from(["host", "port", "security", "sender", "username", "password_env"]),
    values | st.sampled_from(["localhost", "ssl", "none", 0, 99999, "a@b"]),
)
configs = st.dictionaries(
    st.sampled_from(KEYS) | st.text(max_size=6),
    values
    | st.lists(sla, max_size=3)
    | st.dictionaries(st.text(max_size=5), calendar, max_size=2)
    | smtp
    | st.sampled_from(["Europe", "Europe/Paris", "a" * 300]),
    max_size=6,
)


def _parse(text: str) -> Config | None:
    try:
        return parse_config(text)
    except CareError:
        return None


@FAST
@given(configs)
@example({"timezone": "Europe"})  # a folder of the tz database: OSError, not "not found"
@example({"calendars": {"x": {"timezone": "a" * 300, "hours": {"mon": ["09:00-17:00"]}}}})
@example({"slas": [{"name": "x", "metric": ["csat"]}]})  # unhashable where a name goes
def test_config_of_any_shape_parses_or_raises_config_error(data: dict[str, Any]) -> None:
    try:
        text = yaml.safe_dump(data, allow_unicode=True)
    except yaml.YAMLError:
        assume(False)
    _parse(text)


@FAST
@given(st.text(max_size=300))
@example("a: &a [*a]\n")
@example("? [a, b]\n: c\n")
@example("timezone: !!python/object:os.system echo\n")
@example("{a: 1, a: 2}")
@example("slas: [[[[]]]]\n")
@example("\ufefftimezone: UTC\n")
@example("timezone: UTC\nchannels: [\x1f]\n")  # the reader refuses control characters
def test_config_of_any_text_parses_or_raises_config_error(text: str) -> None:
    _parse(text)


@FAST
@given(st.text(alphabet="[]{}:,-*&!|>'\"#\n ab1", max_size=120))
def test_config_of_yaml_punctuation_parses_or_raises_config_error(text: str) -> None:
    _parse(text)


# --- the loader ---------------------------------------------------------------------------


def _load(path: Path, config: Config | None = None) -> None:
    with contextlib.suppress(CareError):
        load_dataset(path, config or Config())


CSV_HEADER = b"conversation_id,timestamp,role,event,agent,channel,csat\n"
JSON_LINE = b'{"conversation_id": "c1", "timestamp": "2026-11-17T09:00:00Z", "role": "customer"}\n'


@FILES
@given(st.binary(max_size=300), st.sampled_from(["csv", "jsonl", "tsv", "parquet"]))
@example(b"\xef\xbb\xbf", "csv")
@example(b"\xff\xfe\x00", "jsonl")
@example(b"\n\n\n", "csv")
@example(b'"', "csv")
@example(b"PAR1", "parquet")
def test_any_bytes_load_or_raise_care_error(data: bytes, extension: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{extension}"
        path.write_bytes(data)
        _load(path)


@FILES
@given(st.binary(max_size=200), st.sampled_from([CSV_HEADER, JSON_LINE]))
def test_a_good_start_then_any_bytes_load_or_raise_care_error(tail: bytes, head: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("export.csv" if head is CSV_HEADER else "export.jsonl")
        path.write_bytes(head + (b"c1,2026-11-17T09:00:00Z,customer,,,,\n" if head is CSV_HEADER
                                 else b"") + tail)  # fmt: skip
        _load(path)


cells = st.sampled_from(
    ["", "c1", "c2", "2026-11-17T09:00:00Z", "2026-11-17 09:05", "1763370000", "17.11.2026",
     "customer", "agent", "bot", "resolved", "csat", "note", "nan", "NaN", "inf", "-1", "0",
     "5", "7", "email", "pigeon", "Ann", "=1+1", "2099-01-01T00:00:00Z", "1970-01-01",
     "2026-02-30T09:00:00Z", '"', "a,b", "x\ny"]
) | st.text(max_size=12)  # fmt: skip


@FILES
@given(st.lists(st.lists(cells, min_size=7, max_size=7), min_size=1, max_size=8))
def test_any_csv_cells_load_or_raise_care_error(rows: list[list[str]]) -> None:
    import csv

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_HEADER.decode().strip().split(","))
            writer.writerows(rows)
        _load(path)


json_values = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | cells


@FILES
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["conversation_id", "timestamp", "role", "event", "csat", "agent"]),
            json_values | st.lists(json_values, max_size=2),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_json_records_load_or_raise_care_error(records: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        _load(path)


# --- metrics are invariant to row order and to splitting a file ---------------------------

START = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


@st.composite
def conversation_events(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A few valid conversations; every event of a conversation at its own second, so the
    order within it is defined by time alone (see docs/data-quality.md)."""
    events: list[dict[str, Any]] = []
    for n in range(draw(st.integers(1, 5))):
        cid = f"c{n}"
        channel = draw(st.sampled_from(["email", "chat", "whatsapp"]))
        count = draw(st.integers(1, 7))
        offsets = sorted(draw(st.sets(st.integers(0, 3 * 86_400), min_size=count, max_size=count)))
        kinds = draw(
            st.lists(
                st.sampled_from(["agent", "bot", "customer", "resolved", "reopened", "csat",
                                 "nps", "note"]),
                min_size=count - 1, max_size=count - 1,
            )
        )  # fmt: skip
        for offset, kind in zip(offsets, ["customer", *kinds], strict=True):
            at = (START + timedelta(seconds=offset)).isoformat().replace("+00:00", "Z")
            row: dict[str, Any] = {"conversation_id": cid, "timestamp": at, "channel": channel}
            if kind in ("agent", "bot", "customer"):
                row["role"] = kind
                if kind == "agent":
                    row["agent"] = draw(st.sampled_from(["Ann", "Bob"]))
            elif kind == "csat":  # role: null keeps the column in every part of a split
                row |= {"event": "csat", "role": None, "csat": draw(st.integers(1, 5))}
            elif kind == "nps":
                row |= {"event": "nps", "role": None, "nps": draw(st.integers(0, 10))}
            else:
                row |= {"event": kind, "role": "agent" if kind == "note" else None}
            events.append(row)
    return events


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _numbers(paths: list[Path]) -> dict[str, Any]:
    """Every statistic, overall and by channel and agent, rounded against float sums."""
    config = Config()
    dataset = load_dataset(paths, config)
    report = build_report(dataset, all_time("UTC"), config, ["channel", "agent"])
    out: dict[str, Any] = {}
    for group in (report.overall, *report.groups):
        key = tuple(group.key.items())
        for metric, stats in group.current.items():
            for stat, value in stats.items():
                if isinstance(value, float):
                    value = None if math.isnan(value) else round(value, 6)
                out[f"{key}.{metric}.{stat}"] = value
    out["rows"] = dataset.rows
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conversation_events(), st.randoms(use_true_random=False), st.integers(0, 100))
def test_metrics_do_not_depend_on_row_order_or_file_splits(
    events: list[dict[str, Any]], rng: random.Random, cut: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        reference = _numbers([_write(base / "all.jsonl", events)])
        shuffled = events[:]
        rng.shuffle(shuffled)
        assert _numbers([_write(base / "shuffled.jsonl", shuffled)]) == reference
        at = cut % (len(shuffled) + 1)
        first = _write(base / "first.jsonl", shuffled[:at]) if at else None
        second = _write(base / "second.jsonl", shuffled[at:]) if at < len(shuffled) else None
        parts = [p for p in (first, second) if p is not None]
        assert _numbers(parts) == reference
        # Overlapping exports: the second file repeats some rows of the first.
        if at < len(shuffled):
            overlap = [_write(base / "a.jsonl", shuffled), _write(base / "b.jsonl", shuffled[at:])]
            assert _numbers(overlap) == reference  # identical events are one event
