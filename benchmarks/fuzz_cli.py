"""Fuzz the command line: mutated data files, configs and options; print the exit codes.

Every run must end in exit 0 (ok), 1 (an SLA breached), 2 (a one-line error) or 130; an
exit 3 (internal error), a traceback on stderr or invalid JSON output is a bug, printed
with the case that caused it. Not part of the test suite (it takes a few minutes):

    python benchmarks/fuzz_cli.py --runs 2000 --seed 1

Runs go through typer's CliRunner in this process (no interpreter start per run); a
case that kills the process (a signal) shows as the script's own death.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from carecli.cli.app import app

CONVERSATION_HEADER = [
    "conversation_id", "created_at", "first_response_at", "resolved_at", "status", "channel",
    "agent", "team", "priority", "csat", "nps", "talk_seconds", "hold_seconds",
    "reopen_count", "inbound_messages", "outbound_messages", "first_response_seconds",
]  # fmt: skip
MESSAGE_FIELDS = ["conversation_id", "timestamp", "role", "event", "agent", "channel", "csat"]

HOSTILE = [
    "", " ", "NaN", "nan", "inf", "-inf", "Infinity", "1e308", "1.7e308", "-1.7e308", "5e18",
    "9.3e18", "18446744073709551616", "-1", "-3", "0", "1e-320", "7", "11", "1e400",
    "0000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "2999-12-31T23:59:59Z",
    "3000-01-01T00:00:00Z", "99999999999999", "1700000000", "1700000000000",
    "2026-02-30T10:00:00Z", "2026-11-16", "16/11/2026 10:00", "yesterday",
    "Ann\x01\x1b[31m", "=HYPERLINK(1)", "a|b", "<b>x</b>", "\u202eevil", "emial", "EMAIL",
    "x" * 5000, '"', "'", "\t", "true", "null", "\u00e9\u00e8", "\U0001f600",
]  # fmt: skip
CHANNELS = ["email", "chat", "whatsapp", "phone", "sms", "emial", "Mail"]


def conversation_rows(rng: random.Random, count: int) -> list[list[str]]:
    rows = []
    for i in range(count):
        day = rng.randint(9, 23)
        created = f"2026-11-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
        responded = f"2026-11-{day:02d}T23:59:00Z" if rng.random() < 0.8 else ""
        resolved = f"2026-11-{min(day + 1, 30):02d}T10:00:00Z" if rng.random() < 0.7 else ""
        rows.append([
            f"C{i}", created, responded, resolved, "resolved" if resolved else "open",
            rng.choice(CHANNELS[:5]), rng.choice(["Ann", "Bo", "Cy"]), "Care", "normal",
            str(rng.randint(1, 5)) if rng.random() < 0.5 else "",
            str(rng.randint(0, 10)) if rng.random() < 0.3 else "",
            str(rng.randint(0, 900)), str(rng.randint(0, 60)), str(rng.randint(0, 2)),
            str(rng.randint(1, 9)), str(rng.randint(1, 9)), "",
        ])  # fmt: skip
    return rows


def message_rows(rng: random.Random, count: int) -> list[list[str]]:
    rows = []
    for i in range(count):
        cid = f"C{i // 3}"
        role = ["customer", "agent", "bot"][i % 3]
        stamp = f"2026-11-{rng.randint(9, 23):02d}T{rng.randint(0, 23):02d}:00:{i % 60:02d}Z"
        event = "message" if rng.random() < 0.8 else rng.choice(["resolved", "csat", "note"])
        csat = str(rng.randint(1, 5)) if event == "csat" else ""
        rows.append([cid, stamp, role, event, rng.choice(["Ann", "Bo"]), "email", csat])
    return rows


def mutate_rows(rng: random.Random, rows: list[list[str]]) -> None:
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 4])):
        row = rng.choice(rows)
        row[rng.randrange(len(row))] = rng.choice(HOSTILE)


def csv_text(header: list[str], rows: list[list[str]], separator: str = ",") -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def json_lines(header: list[str], rows: list[list[str]]) -> str:
    lines = []
    for row in rows:
        record: dict[str, object] = {}
        for name, value in zip(header, row, strict=True):
            try:  # numbers as JSON numbers, where they are finite
                number = float(value)
                record[name] = int(number) if number.is_integer() and abs(number) < 1e15 else number
                if number != number or abs(number) == float("inf"):
                    record[name] = value
            except ValueError:
                record[name] = value or None
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def byte_mutation(rng: random.Random, data: bytes) -> bytes:
    """Truncate, duplicate a line, flip a byte or splice in garbage."""
    choice = rng.randrange(5)
    if choice == 0 and data:
        return data[: rng.randrange(len(data))]
    if choice == 1:
        lines = data.split(b"\n")
        index = rng.randrange(len(lines))
        lines.insert(index, lines[rng.randrange(len(lines))])
        return b"\n".join(lines)
    if choice == 2 and data:
        index = rng.randrange(len(data))
        return data[:index] + bytes([rng.randrange(256)]) + data[index + 1 :]
    if choice == 3:
        index = rng.randrange(len(data) + 1)
        return data[:index] + rng.randbytes(rng.randint(1, 8)) + data[index:]
    return data


SLA_VALUES = ["1h", "12:00", "1:30", "24h", "90%", "0.9", 720, ".inf", "!!int 1e3",
              "!!float abc", "{email: 24h, EMAIL: 1m}", "-1h", "1e999", "9" * 40]  # fmt: skip
CONFIG_LINES = [
    "timezone: Europe/Berlin", "timezone: Europe", "csv_separator: ';'",
    'csv_separator: "\u00a7"', 'csv_separator: "\u20ac"', "csv_separator: '\"'",
    "csat: {scale: [1, 5]}", "csat: {scale: [0, 100000000000000000000000]}",
    "csat: !!int 1e3", "source_timezone: America/New_York", "epoch_unit: ms",
    "channels: [line, EMAIL]", "values: {channel: {email: [mail, x], chat: [x]}}",
    "values: {csat: {none: [nan]}}", "clock: business",
    "smtp: {host: a..b, sender: a@b.c}", "smtp: {host: " + "a" * 70 + ".com, sender: a@b.c}",
    "smtp: {host: localhost, sender: a@b.c, timeout: .inf}",
    "smtp: {host: localhost, sender: a@b.c, timeout: !!float abc}",
]  # fmt: skip


def config_text(rng: random.Random) -> str | None:
    if rng.random() < 0.3:
        return None
    lines = rng.sample(CONFIG_LINES, rng.choice([0, 0, 0, 1, 2]))
    slas = []
    for index in range(rng.randint(0, 2)):
        metric = rng.choice(["first_response_time", "resolution_time", "csat", "aht"])
        statistic = {"csat": "rate", "aht": "mean"}.get(metric, rng.choice(["p90", "median"]))
        good = {"csat": ["90%", "0.5"], "aht": ["600"]}.get(metric, ["1h", "24h"])
        fail = hostile(rng, good, SLA_VALUES)
        per = "\n    per: channel" if str(fail).startswith("{") else ""
        where = rng.choice(["", "\n    where: {channel: [emial]}", "\n    where: {channel: [sms]}"])
        name = rng.choice([f"target {index}", f"bad\x1b name {index}", f"t{index}"])
        slas.append(
            f"  - name: {json.dumps(name)}\n    metric: {metric}\n    statistic: {statistic}"
            f"\n    fail: {fail}{per}{where}"
        )
    if slas:
        lines.append("slas:\n" + "\n".join(slas))
    return "\n".join(lines) + "\n"


WEEKS = ["2026-W47", "0001-W01", "9999-W52", "0001-W03", "1900-W01", "2999-W52", "2026-W99"]
MOMENTS = ["2026-11-10", "0001-01-01", "9999-12-31", "0001-01-02T00:00", "2999-12-31T23:59",
           "1900-01-01", "2026-11-30T08:00+14:00", "now", "garbage"]  # fmt: skip


def hostile(rng: random.Random, good: list[str], bad: list[str]) -> str:
    """A value that is usually plausible: a run that stops at once tests little."""
    return rng.choice(bad if rng.random() < 0.25 else good)


def options(rng: random.Random, command: str) -> list[str]:
    args: list[str] = []
    kind = rng.randrange(4)
    if kind == 0:
        args += ["--week", hostile(rng, WEEKS[:1], WEEKS[1:])]
    elif kind == 1:
        args += ["--since", hostile(rng, ["2026-11-01", "2026-11-10"], MOMENTS)]
        if rng.random() < 0.6:
            args += ["--until", hostile(rng, ["2026-11-30", "2026-11-23T08:00"], MOMENTS)]
    elif kind == 2:
        args += ["--all"]
    if rng.random() < 0.3:
        args += ["--as-of", hostile(rng, ["2026-11-25", "now"], MOMENTS)]
    if command == "report":
        args += ["-f", rng.choice(["table", "json", "csv", "md", "html"])]
        if rng.random() < 0.3:
            args += ["--where", f"channel={rng.choice(CHANNELS)}"]
        if rng.random() < 0.3:
            args += ["--by", rng.choice(["channel", "agent", "team"])]
    elif command == "check":
        args += ["-f", rng.choice(["table", "json"])]
        if rng.random() < 0.3:
            args += ["--list-breaches", hostile(rng, ["3"], ["18446744073709551616"])]
    return args


def one_case(rng: random.Random, folder: Path, index: int) -> tuple[list[str], dict[str, bytes]]:
    """The arguments of one run and the files it reads."""
    shape = rng.choice(["conversations", "messages"])
    header = CONVERSATION_HEADER if shape == "conversations" else MESSAGE_FIELDS
    rows = (conversation_rows if shape == "conversations" else message_rows)(
        rng, rng.randint(1, 12)
    )
    mutate_rows(rng, rows)
    fmt = rng.choice(["csv", "jsonl", "json"])
    if fmt == "csv":
        data = csv_text(header, rows).encode()
        if rng.random() < 0.05:
            data = data.replace(b"created_at", b"x" * 140_000, 1)
    elif fmt == "jsonl":
        data = json_lines(header, rows).encode()
    else:
        data = ("[" + json_lines(header, rows).strip().replace("\n", ",") + "]").encode()
    if rng.random() < 0.3:
        data = byte_mutation(rng, data)
    files = {f"data{index}.{fmt}": data}
    command = rng.choice(["report", "report", "check", "inspect", "validate"])
    config = config_text(rng)
    if command == "validate":
        config = config or "timezone: UTC\n"
    args = [command]
    if command == "check" and (config is None or "slas:" not in config):
        config = (config or "") + "slas:\n  - name: Fast\n    metric: first_response_time\n"
        config += "    statistic: p90\n    fail: 1h\n"
    if config is not None:
        files[f"config{index}.yaml"] = config.encode()
        args += ["--config", str(folder / f"config{index}.yaml")]
    if command == "inspect":
        args += [str(folder / f"data{index}.{fmt}")]
        if rng.random() < 0.3:
            args += ["--rows", rng.choice(["2", "18446744073709551616"])]
    elif command != "validate":
        args += ["--data", str(folder / f"data{index}.{fmt}"), *options(rng, command)]
    return args, files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=5, help="bad cases to print in full")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    runner = CliRunner()
    codes: collections.Counter[int] = collections.Counter()
    bad: list[str] = []
    kept_cases = Path(tempfile.mkdtemp(prefix="carecli-fuzz-cases-"))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="carecli-fuzz-") as name:
        folder = Path(name)
        for index in range(args.runs):
            argv, files = one_case(rng, folder, index)
            for file_name, content in files.items():
                (folder / file_name).write_bytes(content)
            result = runner.invoke(app, argv)
            code = result.exit_code
            codes[code] += 1
            problem = None
            if code not in (0, 1, 2):
                problem = f"exit {code}"
            elif "Traceback" in result.stderr or "panicked" in result.stderr:
                problem = "a traceback on stderr"
            elif code in (0, 1) and "-f json" in " ".join(argv) and "--output" not in argv:
                try:
                    json.loads(result.stdout, parse_constant=_no_constant)
                except ValueError as exc:
                    problem = f"invalid JSON ({exc})"
            if problem:
                last = (result.stderr.strip().splitlines() or [repr(result.exception)])[-1]
                bad.append(f"{problem}: carecli {' '.join(argv)}\n    {last[:300]}")
                if len(bad) <= args.show:
                    kept = kept_cases / f"case{index}"
                    kept.mkdir()
                    for file_name, content in files.items():
                        (kept / file_name).write_bytes(content)
            for file_name in files:
                (folder / file_name).unlink()
    elapsed = time.perf_counter() - started
    print(f"{args.runs} runs in {elapsed:.0f} s (seed {args.seed})")
    print("exit code histogram:")
    for code, count in sorted(codes.items()):
        print(f"  {code:>3}: {count}")
    print(f"problems: {len(bad)}" + (f" (files of the first kept in {kept_cases})" if bad else ""))
    if not bad:
        kept_cases.rmdir()
    for line in bad[: args.show]:
        print(line)
    return 1 if bad else 0


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


if __name__ == "__main__":
    sys.exit(main())
