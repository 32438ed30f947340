"""The Markdown digest and 'what changed', on hand-made data with hostile names.

`build_digest` is also used by test_render_html.py: both formats render the same content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from factories import NOW, event, msg, write_jsonl

from carecli.config.model import parse_config
from carecli.metrics.registry import METRICS, TREND_METRICS
from carecli.periods import parse_week, range_period, week_period
from carecli.render import OutputFormat, digest, markdown, units
from carecli.render.formats import output_filename
from carecli.render.json import to_document
from carecli.render.summary import Change, what_changed
from carecli.report.build import GroupResult, Report, build_report, load_dataset
from carecli.report.trend import DailyVolume, TrendPoint, daily_volume, weekly_trend
from carecli.sla.evaluate import Outcome, evaluate
from carecli.timeline.asof import AsOf

SCRIPT = "<script>alert(1)</script>"
PIPE = "Ann|Lee\nSmith"
AGENTS = ("Ann", PIPE, SCRIPT, "*Bo* `x`")
SLAS = """
slas:
  - name: First response median by channel
    metric: first_response_time
    statistic: median
    per: channel
    fail: {email: 45m, chat: 10m}
    warn: {email: 20m}
  - name: 'CSAT | "quoted" <b>target</b>'
    metric: csat
    fail: 90%
"""


@dataclass
class Fixture:
    report: Report
    outcomes: list[Outcome]
    trend: list[TrendPoint]
    summary: list[Change]
    daily: DailyVolume
    document: dict[str, Any]


def _week_rows(monday: str, first_response: dict[str, int], later: bool) -> list[dict]:
    """24 conversations: even ones on email, odd ones on chat, agents in turn."""
    rows: list[dict] = []
    start = datetime.fromisoformat(monday + "T09:00:00+00:00")
    for i in range(24):
        cid = f"{monday}-{i:02d}"
        channel = "email" if i % 2 == 0 else "chat"
        t0 = start + timedelta(days=i % 5, minutes=i)
        reply = t0 + timedelta(seconds=first_response[channel])
        rows.append(msg(cid, t0.isoformat(), "customer", channel=channel))
        rows.append(msg(cid, reply.isoformat(), "agent", agent=AGENTS[i % 4]))
        if not (later and i % 6 == 5):  # the later week leaves 4 conversations open
            done = reply + timedelta(hours=1 if later else 2)
            rows.append(event(cid, done.isoformat(), "resolved"))
        rating = (2 if i % 8 == 0 else 5) if later else (3 if i % 4 == 0 else 5)
        rows.append(event(cid, (reply + timedelta(hours=3)).isoformat(), "csat", csat=rating))
        score = (3 if i % 3 == 0 else 10) if later else 9
        rows.append(event(cid, (reply + timedelta(hours=3)).isoformat(), "nps", nps=score))
    return rows


def build_digest(tmp_path: Path, group_by: tuple[str, ...] = ("channel",)) -> Fixture:
    rows = _week_rows("2026-10-26", {"email": 3600, "chat": 600}, later=False)
    rows += _week_rows("2026-11-02", {"email": 1800, "chat": 720}, later=True)
    config = parse_config(SLAS)
    dataset = load_dataset(write_jsonl(tmp_path / "digest.jsonl", rows), config)
    period = parse_week("2026-W45", "UTC", NOW)
    report = build_report(dataset, period, config, group_by, as_of=NOW)
    outcomes = evaluate(dataset.timeline, config.slas, period, config, NOW)
    return Fixture(
        report=report,
        outcomes=outcomes,
        trend=weekly_trend(dataset, period, config, weeks_back=3),
        summary=what_changed(report),
        daily=daily_volume(dataset, period, config),
        document=to_document(report, outcomes),
    )


def markdown_tables(text: str) -> dict[str, list[list[str]]]:
    """Heading -> rows of cells (the separator row dropped), split on unescaped pipes."""
    tables: dict[str, list[list[str]]] = {}
    heading = ""
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if not all(set(c) <= set("-:") for c in cells):
                tables.setdefault(heading, []).append(cells)
    return tables


@pytest.fixture(scope="module")
def fixture(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    return build_digest(tmp_path_factory.mktemp("md"))


@pytest.fixture(scope="module")
def text(fixture: Fixture) -> str:
    f = fixture
    return markdown.render(f.report, f.outcomes, f.trend, f.summary, f.daily)


def test_every_table_row_has_the_header_column_count(text: str) -> None:
    table_lines = [line for line in text.splitlines() if line.startswith("|")]
    assert len(table_lines) > 20
    blocks = re.split(r"\n(?!\|)[^\n]*", "\n".join(text.splitlines()))
    for block in blocks:
        rows = [line for line in block.splitlines() if line.startswith("|")]
        counts = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(counts) <= 1, block
    for line in table_lines:
        assert line.endswith("|")


def test_hostile_names_are_escaped(fixture: Fixture, tmp_path: Path) -> None:
    f = build_digest(tmp_path, group_by=("agent",))
    text = markdown.render(f.report, f.outcomes, f.trend, f.summary, f.daily)
    assert SCRIPT not in text
    assert r"\<script\>alert(1)\</script\>" in text
    assert r"Ann\|Lee Smith" in text  # the pipe escaped, the newline a space
    assert r"\*Bo\* \`x\`" in text
    for rows in markdown_tables(text).values():
        assert {len(row) for row in rows} == {len(rows[0])}  # no cell split or merged
    agents = [row[0] for row in markdown_tables(text)["By agent"][1:]]
    assert sorted(agents) == sorted(
        ["Ann", r"Ann\|Lee Smith", r"\<script\>alert(1)\</script\>", r"\*Bo\* \`x\`"]
    )
    assert r'CSAT \| "quoted" \<b\>target\</b\>' in text


def test_headline_numbers_match_the_json_document(fixture: Fixture, text: str) -> None:
    kpis = {row[0]: row for row in markdown_tables(text)["Headline KPIs"][1:]}
    overall = fixture.document["overall"]
    for name in fixture.report.metric_names:
        metric = METRICS[name]
        row = metric.headline
        if not overall["metrics"][name]["available"]:
            continue
        label = next(label for label in kpis if label.startswith(metric.title))
        now = units.value(overall["metrics"][name][row.stat], row.unit)
        before = units.value(overall["previous"][name][row.stat], row.unit)
        assert kpis[label][1:3] == [now, before], name
    assert kpis["First response (human), median"][1:] == [
        "21m 00s",  # median of 12 x 30 min and 12 x 12 min
        "35m 00s",  # median of 12 x 60 min and 12 x 10 min
        "▼ -40%",
        "better",
    ]


def test_group_and_sla_numbers_match_the_json_document(fixture: Fixture, text: str) -> None:
    tables = markdown_tables(text)
    header, *rows = tables["By channel"]
    column = header.index("1st response p50")
    by_channel = {row[0]: row for row in rows}
    for group in fixture.document["groups"]:
        median = group["metrics"]["first_response_time"]["median"]
        cell = by_channel[group["key"]["channel"]][column]
        assert cell.startswith(units.value(median, "duration") + " ")
    assert by_channel["email"][column] == "30m 00s ▼ -50%"
    header, *rows = tables["SLA targets"]
    for row, sla in zip(rows, fixture.document["slas"], strict=True):
        assert row[header.index("Actual")] == units.value(sla["actual"], sla["unit"])
        assert (
            row[header.index("Status")]
            == {"pass": "pass", "warn": "WARN", "fail": "FAIL"}[sla["status"]]
        )
        assert row[header.index("Breached")] == str(sla["breached"])


def test_sections_summary_breaches_and_trend(fixture: Fixture, text: str) -> None:
    assert text.startswith("# carecli weekly report — 2026-W45\n")
    assert "Mon 02 Nov 2026 – Sun 08 Nov 2026 (UTC), compared like for like with 2026-W44." in text
    assert "**SLA: FAIL — 2 failed, 1 warned, 0 passed of 3 targets**" in text
    assert "- Median first response improved 40% (35m 00s → 21m 00s)" in text
    assert "on email" not in text  # 12 conversations per channel: too few for a sentence
    assert "- NPS worsened 66.7 points (+100.0 → +33.3)" in text
    tables = markdown_tables(text)
    worst = [h for h in tables if h.startswith("Worst 5 of 12: First response")]
    assert len(worst) == 1 and len(tables[worst[0]]) == 6  # header + the 5 worst
    trend = tables["Trend, last 3 weeks"]
    assert [row[0] for row in trend[1:]] == ["2026-W43", "2026-W44", "2026-W45"]
    assert trend[1][1:3] == ["0", "—"]  # an empty week: no conversations, no median
    assert trend[3][2] == "21m 00s"
    daily = tables["Conversations per day"]
    assert daily[0] == ["Day", "Total", "chat", "email"]
    assert sum(int(row[1]) for row in daily[1:]) == 24


def test_output_filename() -> None:
    week = parse_week("2026-W47", "UTC", NOW)
    assert output_filename(week, OutputFormat.html) == "carecli-2026-W47.html"
    days = range_period("2026-11-01T08:00", "2026-11-08", "UTC", NOW)
    assert output_filename(days, OutputFormat.md) == "carecli-2026-11-01-08-00..2026-11-08.md"


def test_escape() -> None:
    assert markdown.escape("a|b\r\nc\td") == r"a\|b c d"
    assert markdown.escape("sample_data/x.jsonl") == "sample_data/x.jsonl"  # intraword _
    assert markdown.escape("_lead_") == r"\_lead\_"
    assert markdown.escape("[x](http://e) ~y~ &amp; & z") == r"\[x\](http://e) \~y\~ \&amp; & z"


# --- what changed, on hand-made Reports ---------------------------------------------


def _stats(frt: float | None = None, count: int = 50, **more: Any) -> dict[str, dict]:
    stats: dict[str, dict] = {
        "first_response_time": {"median": frt, "count": count},
        "backlog": {"open": more.get("backlog", 100)},
        "csat": {"rate": more.get("csat"), "count": more.get("csat_count", 40)},
        "nps": {"score": more.get("nps"), "count": 40},
        "volume": {"conversations": 500},
    }
    return stats


def _report(overall: tuple[dict, dict], groups: dict[str, tuple[dict, dict]]) -> Report:
    period = week_period(datetime(2026, 11, 16).date(), "UTC")
    return Report(
        period=period,
        previous_period=period.previous(),
        group_by=("channel",) if groups else (),
        filters={},
        metric_names=("volume", "first_response_time", "backlog", "csat", "nps"),
        overall=GroupResult({}, *overall),
        groups=tuple(GroupResult({"channel": k}, *v) for k, v in groups.items()),
        data={},
        as_of=AsOf(period.end + timedelta(days=2), "data"),
        previous_as_of=period.start + timedelta(days=2),
        comparison="like_for_like",
        clock="calendar",
    )


def test_lower_is_better_for_times_and_backlog() -> None:
    report = _report(
        (_stats(3600, backlog=120), _stats(3600, backlog=100)),
        {"email": (_stats(2 * 3600 + 37 * 60), _stats(3 * 3600 + 12 * 60))},
    )
    assert [str(c) for c in what_changed(report)] == [
        "Median first response on email improved 18% (3h 12m → 2h 37m)",
        "Backlog worsened 20% (100 → 120)",
    ]


def test_rates_in_points_scores_in_points_and_ranking() -> None:
    report = _report((_stats(60, csat=0.86, nps=10.0), _stats(60, csat=0.80, nps=30.0)), {})
    changes = what_changed(report)
    assert [(c.text, c.improved) for c in changes] == [
        ("CSAT improved 6.0 pp (80.0% → 86.0%)", True),
        ("NPS worsened 20.0 points (+30.0 → +10.0)", False),
    ]
    assert changes[1].weight == pytest.approx(4.0)  # 20 points / the 5-point step


def test_small_samples_and_small_changes_are_noise() -> None:
    tiny = _report((_stats(100, count=19), _stats(300, count=19)), {})
    assert what_changed(tiny) == []
    small = _report((_stats(1000, csat=0.81), _stats(1050, csat=0.80)), {})  # -5%, +1 pp
    assert what_changed(small) == []
    few_ratings = _report((_stats(60, csat=0.9, csat_count=5), _stats(60, csat=0.5)), {})
    assert what_changed(few_ratings) == []


def test_limit_and_at_most_two_sentences_per_metric() -> None:
    groups = {c: (_stats(100), _stats(200 + i)) for i, c in enumerate("abcdef")}
    changes = what_changed(_report((_stats(100), _stats(200)), groups), limit=5)
    assert len(changes) == 2  # six channels improved the same way: two sentences
    assert changes[0].scope == {"channel": "f"}  # the largest change first


def test_unavailable_metrics_and_missing_previous_period() -> None:
    now, before = _stats(100, csat=0.9), _stats(300, csat=0.5)
    now["csat"]["available"] = False
    report = _report((now, before), {})
    assert [c.metric for c in what_changed(report)] == ["first_response_time"]
    assert what_changed(Report(**{**report.__dict__, "previous_period": None})) == []


def test_a_change_of_exactly_one_step_on_exactly_20_samples_is_listed() -> None:
    # docs/reports.md: "at least 20 conversations" and "at least 10 %": both bounds count.
    exact = _report((_stats(3240, count=20), _stats(3600, count=20)), {})  # -10.0%
    assert [str(c) for c in what_changed(exact)] == [
        "Median first response improved 10% (1h 00m → 54m 00s)"
    ]
    below = _report((_stats(3312, count=20), _stats(3600, count=20)), {})  # -8%: noise
    assert what_changed(below) == []


def test_a_backlog_is_judged_by_its_larger_side() -> None:
    # 10 open last week, 25 now: a small backlog that grew is news (max 25 >= 20).
    report = _report((_stats(60, backlog=25), _stats(60, backlog=10)), {})
    assert [str(c) for c in what_changed(report)] == ["Backlog worsened 150% (10 → 25)"]


def test_resolution_time_is_compared_only_when_at_most_5_percent_is_open() -> None:
    # Open conversations would resolve later and slower: a week with many open looks better
    # than one with all it has now (plain); like for like both had the same time to resolve.
    def report(unresolved: int, comparison: str = "plain") -> Report:
        now = {"resolution_time": {"median": 3600, "count": 95, "unresolved": unresolved}}
        before = {"resolution_time": {"median": 7200, "count": 100, "unresolved": 0}}
        base = _report(({}, {}), {})
        return replace(
            base,
            metric_names=("resolution_time",),
            overall=GroupResult({}, now, before),
            comparison=comparison,
        )

    assert [str(c) for c in what_changed(report(5))] == [
        "Median resolution time improved 50% (2h 00m → 1h 00m)"
    ]  # 5 of 100 open: exactly the limit
    assert what_changed(report(6)) == []  # 6 of 101 open
    assert len(what_changed(report(6, "like_for_like"))) == 1


def test_a_group_without_a_value_is_named_none_and_a_change_from_zero_is_skipped() -> None:
    groups = {None: (_stats(100), _stats(300)), "chat": (_stats(100), _stats(0))}
    report = _report((_stats(60), _stats(60)), groups)  # type: ignore[dict-item]
    assert [str(c) for c in what_changed(report)] == [
        "Median first response on (none) improved 67% (5m 00s → 1m 40s)"
    ]


def test_headline_kpis_table_by_hand(text: str) -> None:
    kpis = markdown_tables(text)["Headline KPIs"]
    # "Conversations" not "Conversations, conversations"; an unchanged value gets "=" and
    # no verdict; a backlog up from 0 is "new" and worse; AHT the input cannot give is n/a.
    assert kpis == [
        ["Metric", "2026-W45", "2026-W44", "Change", "Verdict"],
        ["Conversations", "24", "24", "= +0%", ""],
        ["First response (human), median", "21m 00s", "35m 00s", "▼ -40%", "better"],
        ["First response (bot), median", "—", "—", "—", ""],
        ["Reply time, median", "21m 00s", "35m 00s", "▼ -40%", "better"],
        ["Resolution time, median", "1h 30m", "2h 35m", "▼ -42%", "better"],
        ["Backlog at period end", "4", "0", "▲ new", "worse"],
        ["First contact resolution, rate", "100.0%", "100.0%", "= +0.0 pp", ""],
        # The contact-centre metrics are about the chat queue (not email): every chat was
        # answered by an agent, in 12 min (10 min the week before); nobody abandoned, and
        # no answer came within the 20 s service-level time.
        ["Average speed of answer, mean", "12m 00s", "10m 00s", "▲ +20%", "worse"],
        ["Abandonment rate", "0.0%", "0.0%", "= +0.0 pp", ""],
        ["Service level", "0.0%", "0.0%", "= +0.0 pp", ""],
        ["Average handle time, mean", "n/a", "n/a", "", ""],
        ["CSAT, satisfied share", "87.5%", "75.0%", "▲ +12.5 pp", "better"],
        ["NPS, score", "+33.3", "+100.0", "▼ -66.7", "worse"],
    ]
    rule = next(line for line in text.splitlines() if line.startswith("| ---"))
    # Numbers are right-aligned (`---:`), labels and verdicts left-aligned.
    cells = [c.strip() for c in rule.strip("|").split("|")]
    assert [c.endswith(":") for c in cells] == [False, True, True, True, False]


def test_warnings_are_bold_and_pending_conversations_are_counted(
    fixture: Fixture, tmp_path: Path
) -> None:
    from test_render_check import outcomes

    email, *others = outcomes(tmp_path)  # a warn, a no data and two passes/no data
    waiting = [replace(email, pending=3), *others]
    text = markdown.render(fixture.report, waiting)
    assert "**SLA: WARN — 0 failed, 1 warned, 1 passed of 4 targets**" in text
    row = markdown_tables(text)["SLA targets"][1]
    assert row[0] == "Email median" and row[-1] == "0 (+3 pending)"


def test_daily_table_up_to_a_month_and_trend_weeks_without_data(fixture: Fixture) -> None:
    days = tuple(date(2026, 11, 1) + timedelta(days=i) for i in range(10))
    daily = DailyVolume(days, {"email": (1,) * 10, "chat": (2,) * 10})
    week = fixture.report.period
    values = {metric.name: 1.0 for metric in TREND_METRICS}
    available = {metric.name: metric.name != "csat" for metric in TREND_METRICS}
    trend = [TrendPoint(week, values, available)]
    d = digest.digest(fixture.report, trend=trend, daily=daily)
    assert d.daily is not None and len(d.daily.rows) == 10  # 10 days is still a digest
    assert [c.text for c in d.daily.rows[0]] == ["Sun 01 Nov", "3", "1", "2"]
    assert d.trend is not None
    cells = dict(zip(d.trend.headers, (c.text for c in d.trend.rows[0]), strict=True))
    assert cells["CSAT"] == "n/a"  # not measurable, unlike "—" (no value this week)
    assert cells["NPS"] == "+1.0"
