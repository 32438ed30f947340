"""The HTML digest: escaping, structure, inline SVG charts and the same numbers as JSON."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from factories import NOW, msg, write_csv, write_jsonl
from test_render_markdown import PIPE, SCRIPT, Fixture, build_digest

from carecli.config.model import parse_config
from carecli.periods import parse_week
from carecli.render import charts, digest, html, units
from carecli.report.build import build_report, load_dataset
from carecli.sla.evaluate import evaluate

VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr", "source"}
SVG = "{http://www.w3.org/2000/svg}"


class Structure(HTMLParser):
    """Checks that every element is closed in order and collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] not in ("style", "title"):
            self.text.append(data)


@pytest.fixture(scope="module")
def fixture(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    return build_digest(tmp_path_factory.mktemp("html"), group_by=("channel",))


@pytest.fixture(scope="module")
def page(fixture: Fixture) -> str:
    f = fixture
    return html.render(f.report, f.outcomes, f.trend, f.summary, f.daily)


def _parse(page: str) -> Structure:
    parser = Structure()
    parser.feed(page)
    parser.close()
    return parser


def test_autoescape_is_on_for_the_template() -> None:
    env = html.environment()
    assert env.autoescape(html.TEMPLATE) is True
    assert env.autoescape("report.j2") is True
    # The real template, loaded by name, escapes a value it prints.
    template = env.get_template(html.TEMPLATE)
    assert template.environment.autoescape(template.name) is True


def test_hostile_names_are_escaped_everywhere(tmp_path: Path) -> None:
    f = build_digest(tmp_path, group_by=("agent",))
    page = html.render(f.report, f.outcomes, f.trend, f.summary, f.daily)
    assert SCRIPT not in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>target</b>" not in page
    text = " ".join(_parse(page).text)
    assert SCRIPT in text  # shown to the reader as text
    assert PIPE.replace("\n", " ") in " ".join(text.split())


def test_valid_structure_and_self_contained(page: str) -> None:
    parser = _parse(page)
    assert parser.errors == []
    assert parser.stack == []
    assert page.startswith("<!DOCTYPE html>")
    for forbidden in ("<script", "<link", "<img", "@import", "url(", " src=", " href="):
        assert forbidden not in page.lower()
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert "@media print" in page
    assert {"table", "thead", "tbody", "svg"} <= set(parser.tags)


def test_svg_charts_are_well_formed(page: str) -> None:
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) == 3  # volume per day, first response by channel, weekly trend
    labels = []
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        labels.append(root.get("aria-label"))
    assert labels == [
        "Median first response by channel",
        "Conversations per day by channel",
        "Weekly trend, 2026-W43 to 2026-W45",
    ]


def test_numbers_match_the_json_document(fixture: Fixture, page: str) -> None:
    text = " ".join(" ".join(_parse(page).text).split())
    overall = fixture.document["overall"]["metrics"]
    assert units.value(overall["first_response_time"]["median"], "duration") == "21m 00s"
    for name, stat, unit in (
        ("first_response_time", "median", "duration"),
        ("resolution_time", "median", "duration"),
        ("csat", "rate", "rate"),
        ("nps", "score", "score"),
        ("volume", "conversations", "count"),
    ):
        assert units.value(overall[name][stat], unit) in text, name
    for sla in fixture.document["slas"]:
        assert units.value(sla["actual"], sla["unit"]) in text
    for group in fixture.document["groups"]:
        median = group["metrics"]["first_response_time"]["median"]
        assert units.value(median, "duration") in text


def test_same_content_as_markdown(fixture: Fixture, page: str) -> None:
    text = " ".join(" ".join(_parse(page).text).split())
    for change in fixture.summary:
        assert change.text in text
    content = digest.digest(fixture.report, fixture.outcomes, fixture.trend, fixture.summary)
    for table in (content.kpis, content.slas, content.trend):
        assert table is not None
        for row in table.rows:
            for cell in row:
                assert cell.text in text


def test_better_and_worse_are_coloured(page: str) -> None:
    better, worse = charts.BETTER, charts.WORSE
    # First response fell (better, green); NPS fell (worse, red); CSAT FAIL in red.
    assert re.search(rf'color:{better};font-weight:600">▼ -40%<', page)
    assert re.search(rf'color:{worse};font-weight:600">▼ -66.7<', page)
    assert re.search(rf'color:{worse};font-weight:600">FAIL<', page)
    # Chat (12 min) is beyond its 10 min fail level: a red bar and a fail marker.
    response = re.search(r"<svg\b.*?</svg>", page, re.S)
    assert response is not None
    root = ET.fromstring(response.group(0))
    fills = [
        rect.get("fill") for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None
    ]
    assert fills == [worse, charts.WARN]  # chat beyond fail, email beyond warn only
    assert [line.get("stroke") for line in root.iter(f"{SVG}line")] == [worse, charts.WARN, worse]


def test_charts_escape_their_text_and_scale() -> None:
    svg = charts.volume_chart([date(2026, 11, 2)], {SCRIPT: [3], "a&b": [2]})
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert SCRIPT in texts and "a&b" in texts
    assert SCRIPT not in svg
    many = {f"ch{i}": [i + 1] for i in range(10)}
    root = ET.fromstring(charts.volume_chart([date(2026, 11, 2)], many))
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("font-size") == "11"]
    assert legend[-1] == "4 other channels" and len(legend) == charts.MAX_SERIES
    assert [charts.nice_step(v) for v in (0, 7, 180, 1_000)] == [1.0, 2.0, 50.0, 500.0]
    bars = [charts.Bar("a", None), charts.Bar("b", 90.0, warn=60.0)]
    ET.fromstring(charts.response_chart(bars))
    panels = [charts.Panel("x", (None, 1.0, None, 2.0), "count", "neutral")]
    ET.fromstring(charts.trend_chart(["w1", "w2", "w3", "w4"], panels))


def test_a_bar_exactly_at_its_warn_level_is_within_target() -> None:
    # The SLA says "at most 10m": a 10m median meets it (green), as `carecli check` passes it.
    root = ET.fromstring(charts.response_chart([charts.Bar("email", 600.0, warn=600.0)]))
    (bar,) = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert bar.get("fill") == charts.BETTER


def test_seven_channels_keep_their_names_and_a_falling_time_is_green() -> None:
    seven = {f"ch{i}": [10 - i] for i in range(7)}  # one more would fold the two smallest
    root = ET.fromstring(charts.volume_chart([date(2026, 11, 2)], seven))
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("font-size") == "11"]
    assert legend == [f"ch{i}" for i in range(7)]
    panel = charts.Panel("1st response p50", (600.0, 300.0), "duration", "lower")
    root = ET.fromstring(charts.trend_chart(["W1", "W2"], [panel]))
    (latest,) = [t for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert (latest.text, latest.get("fill")) == ("5m 00s", charts.BETTER)


def test_a_single_week_of_trend_draws_no_chart(fixture: Fixture) -> None:
    page = html.render(fixture.report, fixture.outcomes, fixture.trend[-1:])
    assert "<h2>Trend, last " in page  # the table is there
    assert 'aria-label="Weekly trend' not in page  # one point is no line


def _bars(slas: str, rows_file: Path) -> list[charts.Bar]:
    config = parse_config(slas)
    dataset = load_dataset(rows_file, config)
    period = parse_week("2026-W47", "UTC", NOW)
    report = build_report(dataset, period, config, ("channel",))
    return html.response_bars(report, evaluate(dataset.timeline, config.slas, period, config, NOW))


def test_response_bars_mark_only_targets_scoped_to_one_channel(tmp_path: Path) -> None:
    # A target over email and chat together is not either channel's level: marking it on
    # each bar would show a level neither channel is held to alone.
    rows = [
        msg("e1", "2026-11-17 09:00", "customer", channel="email"),
        msg("e1", "2026-11-17 09:10", "agent", agent="Ann"),
        msg("c1", "2026-11-17 10:00", "customer", channel="chat"),
        msg("c1", "2026-11-17 10:05", "agent", agent="Ann"),
    ]
    slas = """
slas:
  - {name: both, metric: first_response_time, statistic: median, fail: 1h,
     where: {channel: [email, chat]}}
  - {name: email, metric: first_response_time, statistic: median, fail: 30m, warn: 15m,
     where: {channel: [email]}}
"""
    bars = _bars(slas, write_jsonl(tmp_path / "m.jsonl", rows))
    assert sorted(bars, key=lambda b: b.label) == [
        charts.Bar("chat", 300.0, None, None),
        charts.Bar("email", 600.0, 900.0, 1800.0),
    ]


def test_no_response_bars_without_first_response_times(tmp_path: Path) -> None:
    # Tickets without a first response column: no chart of empty bars.
    rows = [
        {"conversation_id": "t1", "created_at": "2026-11-17T09:00:00Z", "channel": "email"},
        {"conversation_id": "t2", "created_at": "2026-11-17T10:00:00Z", "channel": "chat"},
    ]
    assert _bars("slas: []\n", write_csv(tmp_path / "t.csv", rows)) == []
