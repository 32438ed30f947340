"""The command line under hostile input (Hypothesis): CSV, JSON Lines and YAML configs built
from the schema with extreme values. Whatever they hold, carecli exits 0, 1 or 2 without a
traceback, touches no file but the output it was asked for, and prints valid JSON.

Bounded to a few seconds: few examples, small files. benchmarks/fuzz_cli.py runs thousands.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carecli.cli.app import app

CLI = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

HOSTILE_NUMBERS = ["NaN", "inf", "-inf", "1.7e308", "5e18", "9.3e18", "-3", "1e-320",
                   "18446744073709551616", "0", "7", ""]  # fmt: skip
HOSTILE_TIMES = ["0000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                 "1899-12-31T23:59:59Z", "2026-02-30T10:00:00Z", "1700000000", ""]  # fmt: skip
HOSTILE_TEXT = ["Ann\x01\x1b[31m", "=1+1", "a|b", "<i>x</i>", "emial", "EMAIL", "\u202e", '"']

numbers = st.sampled_from(HOSTILE_NUMBERS) | st.integers(-10, 10).map(str)
times = st.sampled_from(HOSTILE_TIMES) | st.integers(9, 23).map(
    lambda day: f"2026-11-{day:02d}T10:00:00Z"
)
texts = st.sampled_from(HOSTILE_TEXT) | st.sampled_from(["email", "chat", "Ann", "Bo"])
ticket = st.fixed_dictionaries(
    {
        "conversation_id": st.sampled_from(["C1", "C2", "C3", ""]),
        "created_at": times,
        "first_response_at": times,
        "resolved_at": times,
        "channel": texts,
        "agent": texts,
        "csat": numbers,
        "talk_seconds": numbers,
        "inbound_messages": numbers,
        "reopen_count": numbers,
    }
)
message = st.fixed_dictionaries(
    {
        "conversation_id": st.sampled_from(["C1", "C2"]),
        "timestamp": times,
        "role": st.sampled_from(["customer", "agent", "bot", "wizard"]),
        "agent": texts,
        "channel": texts,
        "csat": numbers,
    }
)
durations = st.sampled_from(
    ["1h", "1h", "24h", "12:00", "1:30", ".inf", "!!int 1e3", "-1", "24h", "90%"]
)
configs = st.lists(
    st.sampled_from(
        [
            "csv_separator: ';'",
            'csv_separator: "\u20ac"',
            "csat: !!float abc",
            "values: {channel: {email: [x], chat: [x]}}",
            "smtp: {host: a..b, sender: a@b.c}",
            "smtp: {host: localhost, sender: a@b.c, timeout: .inf}",
            "timezone: Europe/Berlin",
        ]
    ),
    max_size=2,
    unique=True,
)


def _csv(rows: list[dict[str, str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@CLI
@given(
    st.one_of(
        st.tuples(st.just("csv"), st.lists(ticket, min_size=1, max_size=4)),
        st.tuples(st.just("jsonl"), st.lists(message, min_size=1, max_size=6)),
    ),
    configs,
    durations,
    st.sampled_from(["table", "json", "csv", "md", "html"]),
    st.sampled_from(
        [
            ["--all"],
            ["--week", "2026-W47"],
            ["--week", "0001-W01"],
            ["--since", "2026-11-01", "--as-of", "9999-12-31"],
        ]
    ),
)
def test_any_hostile_input_exits_0_1_or_2_touching_only_the_output(
    data: tuple[str, list[dict[str, str]]],
    lines: list[str],
    fail: str,
    fmt: str,
    period: list[str],
) -> None:
    kind, rows = data
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source = folder / f"export.{kind}"
        if kind == "csv":
            source.write_text(_csv(rows), encoding="utf-8")
        else:
            source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        config = folder / "carecli.yaml"
        sla = "slas:\n  - name: T\n    metric: first_response_time\n    statistic: p90\n"
        config.write_text("\n".join([*lines, sla + f"    fail: {fail}"]) + "\n", encoding="utf-8")
        output = folder / "out" / f"report.{fmt}"
        output.parent.mkdir()
        before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (source, config)}
        result = CliRunner().invoke(
            app,
            [
                "report",
                "--data",
                str(source),
                "-c",
                str(config),
                "-f",
                fmt,
                *period,
                "--output",
                str(output),
            ],
        )
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.stderr
        if result.exit_code == 2:
            errors = [line for line in result.stderr.splitlines() if "error" in line]
            assert len(errors) == 1, result.stderr
        assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in before} == before
        written = sorted(os.listdir(folder / "out"))
        assert written in ([], [output.name])
        assert sorted(os.listdir(folder)) == ["carecli.yaml", f"export.{kind}", "out"]
        if written and fmt == "json":
            json.loads(output.read_text(encoding="utf-8"), parse_constant=_not_json)


def _not_json(name: str) -> None:
    raise AssertionError(f"{name} in the JSON output")
