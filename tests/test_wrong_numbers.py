"""Numbers that were accepted silently (issue 22): each is now a one-line error naming the
file, row and column or the YAML key (exit 2), and no output holds a non-finite figure."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carecli.cli.app import app
from carecli.render.units import duration, duration_short, value

HEADER = "conversation_id,created_at,first_response_at,resolved_at,channel,agent,talk_seconds,"
HEADER += "inbound_messages,outbound_messages\n"
ROW = "C{i},2026-11-16T10:00:00Z,2026-11-16T10:30:00Z,2026-11-16T12:00:00Z,email,Ann,{talk},"
ROW += "{inbound},1\n"


def _tickets(tmp_path: Path, talk: str = "60", inbound: str = "2", rows: int = 3) -> Path:
    path = tmp_path / "tickets.csv"
    text = HEADER + "".join(ROW.format(i=i, talk=talk, inbound=inbound) for i in range(rows))
    path.write_text(text, encoding="utf-8")
    return path


def _report(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", "--all", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("talk", "inbound", "message"),
    [
        # Three of 5e18 wrapped the Int64 sum to a negative total.
        ("60", "5e18", "column 'inbound_messages' (inbound_messages) '5e+18' is out"
                       " of range: over 1,000,000 for one conversation (3 rows like it)"),
        ("60", "9.3e18", "is out of range: over 1,000,000"),  # was an internal error
        ("60", "NaN", "column 'inbound_messages' (inbound_messages) 'nan' is not a count"),
        ("60", "inf", "'inf' is not a count"),
        ("60", "-3", "column 'inbound_messages' (inbound_messages) '-3' is negative"),
        # Two of 1.7e308 summed to infinity: "total": Infinity, a blank CSV cell.
        ("1.7e308", "2", "column 'talk_seconds' (talk_seconds) '1.7e+308' is out of range: over "
                         "100 years (3,153,600,000 seconds); check the column's unit"),
    ],
)  # fmt: skip
def test_implausible_numbers_are_errors_naming_row_and_column(
    runner: CliRunner, tmp_path: Path, talk: str, inbound: str, message: str
) -> None:
    data = _tickets(tmp_path, talk, inbound)
    code, stdout, stderr = _report(runner, "--data", str(data), "-f", "json")
    assert code == 2
    assert stdout == ""
    assert stderr.startswith(f"carecli: error: {data}: row 1: ")
    assert message in stderr
    assert stderr.count("\n") == 1


def test_the_largest_plausible_figures_give_finite_json_and_csv(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = _tickets(tmp_path, talk="3153600000", inbound="1000000", rows=50)
    code, stdout, _ = _report(runner, "--data", str(data), "-f", "json")
    assert code == 0
    document = json.loads(stdout, parse_constant=lambda name: pytest.fail(name))
    volume = document["overall"]["metrics"]["volume"]
    assert volume["inbound_messages"] == 50_000_000
    assert document["overall"]["metrics"]["aht"]["total"] == 50 * 3_153_600_000
    code, stdout, _ = _report(runner, "--data", str(data), "-f", "csv")
    assert code == 0
    cells = {tuple(line.split(",")[3:5]): line.split(",")[5] for line in stdout.splitlines()}
    assert cells[("aht", "total")] == "157680000000.0"
    assert cells[("volume", "inbound_messages")] == "50000000"


def test_renderers_never_crash_on_a_non_finite_figure() -> None:
    # The bounds keep every figure finite; the units still show a dash, not a crash.
    assert duration(math.inf) == duration(math.nan) == "—"
    assert value(math.inf, "count") == value(-math.inf, "duration") == "—"
    assert duration_short(math.inf) == "—"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "carecli.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SLA = "slas:\n  - name: Fast\n    metric: first_response_time\n    statistic: p90\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # YAML 1.1 reads 12:00 as the base-60 number 720 (12 minutes as seconds).
        (SLA + "    fail: 12:00\n",
         "carecli.yaml:5: slas[0].fail: '12:00' could be hours:minutes or minutes:seconds; "
         "write 12h or 12m"),
        (SLA + "    fail: 1:30\n", "write 1h30m or 1m30s"),
        (SLA + "    per: channel\n    fail: {email: 24h, EMAIL: 1m}\n",
         "carecli.yaml:6: slas[0].fail.EMAIL: 'EMAIL' and 'email' are the same channel; "
         "keep one of them"),
        ("values:\n  channel:\n    email: [mail, web mail]\n    chat: [Web Mail]\n",
         "carecli.yaml:4: values.channel.chat: 'web mail' is also a spelling of 'email' "
         "(values.channel.email); keep it under one of them"),
        (SLA + "    fail: 1h\n    where: {channel: [emial]}\n",
         "carecli.yaml:6: slas[0].where.channel: 'emial' is not a channel; known channels: "
         "whatsapp, messenger"),
    ],
)  # fmt: skip
def test_ambiguous_config_values_are_errors_naming_the_keys(
    runner: CliRunner, tmp_path: Path, text: str, message: str
) -> None:
    config = _config(tmp_path, text)
    result = runner.invoke(app, ["validate", "--config", str(config)])
    assert result.exit_code == 2
    assert message in result.stderr.replace(f"{tmp_path}/", "")


def test_a_channel_the_config_adds_or_that_has_no_data_is_fine(
    runner: CliRunner, tmp_path: Path
) -> None:
    config = _config(tmp_path, "channels: [line]\n" + SLA + "    fail: 1h\n    where: "
                     "{channel: [line, sms]}\n")  # fmt: skip
    data = _tickets(tmp_path)
    for where in ("sms", "line", "email"):
        code, _, stderr = _report(runner, "--data", str(data), "-c", str(config),
                                  "--where", f"channel={where}")  # fmt: skip
        assert code == 0, stderr


def test_where_an_unknown_channel_is_an_error_listing_the_known_ones(
    runner: CliRunner, tmp_path: Path
) -> None:
    code, stdout, stderr = _report(runner, "--data", str(_tickets(tmp_path)),
                                   "--where", "channel=emial")  # fmt: skip
    assert (code, stdout) == (2, "")
    assert stderr == (
        "carecli: error: --where channel=emial: not a channel; known channels: whatsapp, "
        "messenger, twitter, instagram, wechat, email, chat, phone, sms, web, social, other "
        "(add yours under channels: in the config)\n"
    )
