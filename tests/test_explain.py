"""Why a KPI moved: mix vs performance (carecli.explain), by hand and through a report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from factories import msg, write_jsonl

from carecli.config.model import Config
from carecli.metrics.explain import split_change
from carecli.periods import parse_week
from carecli.render.summary import explanations
from carecli.report.build import build_report, load_dataset


def _frt(mean: float, count: int) -> dict:
    return {"first_response_time": {"mean": mean, "count": count}}


def test_the_split_adds_up_exactly_by_hand() -> None:
    # Before: email 10 x 100 s, chat 30 x 20 s (mean 40). Now: email 20 x 110 s, chat 20 x 20 s
    # (mean 65). Mix: (0.5 - 0.25) x 100 + (0.5 - 0.75) x 20 = 20; performance: 0.5 x 10 = 5.
    before = {("email",): _frt(100, 10), ("chat",): _frt(20, 30)}
    now = {("email",): _frt(110, 20), ("chat",): _frt(20, 20)}
    split = split_change("first_response_time", ("channel",), before, now)
    assert split is not None
    assert (split.previous, split.current) == (pytest.approx(40), pytest.approx(65))
    assert split.mix == pytest.approx(20)
    assert split.performance == pytest.approx(5)
    assert split.mix + split.performance == pytest.approx(split.change)


def test_a_new_group_is_all_mix_and_a_gone_group_too() -> None:
    before = {("email",): _frt(100, 10)}
    now = {("email",): _frt(100, 10), ("phone",): _frt(300, 10)}
    split = split_change("first_response_time", ("channel",), before, now)
    assert split is not None
    assert (split.mix, split.performance) == (pytest.approx(100), 0)
    back = split_change("first_response_time", ("channel",), now, before)
    assert back is not None
    assert (back.mix, back.performance) == (pytest.approx(-100), 0)


def _week(monday: datetime, emails: int, chats: int, email_s: int, chat_s: int) -> list[dict]:
    rows = []
    for i in range(emails + chats):
        channel, delay = ("email", email_s) if i < emails else ("chat", chat_s)
        t0 = monday + timedelta(hours=i)
        rows.append(msg(f"{monday:%d}-{i}", t0.isoformat(), "customer", channel=channel))
        rows.append(msg(f"{monday:%d}-{i}", (t0 + timedelta(seconds=delay)).isoformat(), "agent"))
    return rows


@pytest.mark.parametrize(
    ("now", "mix_share"),
    [
        ((30, 10, 3600, 60), 1.0),  # more email, same per-channel times: all mix
        ((10, 30, 7200, 60), 0.0),  # same shares, slower email: all performance
    ],
)
def test_a_report_explains_the_move(tmp_path: Path, now: tuple, mix_share: float) -> None:
    monday = datetime(2026, 11, 2, tzinfo=UTC)
    rows = _week(monday, 10, 30, 3600, 60) + _week(monday + timedelta(days=7), *now)
    dataset = load_dataset(write_jsonl(tmp_path / "m.jsonl", rows), Config())
    week = parse_week("2026-W46", "UTC", monday)
    report = build_report(dataset, week, Config(), as_of=monday + timedelta(days=30))
    split = report.explained["first_response_time"]
    assert split.by == ("channel",)
    assert split.change == pytest.approx(
        report.overall.current["first_response_time"]["mean"]
        - report.overall.previous["first_response_time"]["mean"]
    )
    assert split.mix == pytest.approx(split.change * mix_share)
    assert split.performance == pytest.approx(split.change * (1 - mix_share))
    (sentence,) = [s for s in explanations(report, min_sample=5) if s.startswith("First resp")]
    if mix_share:
        # 10 of 40 -> 30 of 40 emails: the mean goes from 15m45s to 45m15s (+187%).
        assert sentence == (
            "First response (human), mean +187%: +187% from the mix by channel (email 25% → "
            "75% of the samples), +0% from performance within each channel."
        )
    else:
        assert "+0% from the mix" in sentence
        assert "(email 1h 00m → 2h 00m)" in sentence
