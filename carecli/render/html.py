"""The weekly digest as one self-contained HTML file: inline CSS and SVG, no script.

Content comes from `digest.digest()`, the same as the Markdown digest; this module adds
the charts. Autoescaping is on for the template (its name ends in .j2), so every value
from the data is escaped; the charts are built (and escaped) by render/charts.py and are
the only markup passed through as safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from carecli.metrics.registry import TREND_METRICS
from carecli.render import charts, clean
from carecli.render.digest import digest
from carecli.render.summary import Change
from carecli.report.build import Report
from carecli.report.trend import DailyVolume, TrendPoint
from carecli.sla.evaluate import Outcome

TEMPLATE = "report.html.j2"

# Text colours for moods; the template also uses them for cell backgrounds in print.
COLOURS = {
    "better": charts.BETTER,
    "worse": charts.WORSE,
    "pass": charts.BETTER,
    "warn": charts.WARN,
    "fail": charts.WORSE,
    "no_data": charts.MUTED,
}


@cache
def environment() -> Environment:
    """The jinja2 environment; autoescape covers .html, .j2 and .html.j2 templates."""
    return Environment(
        loader=PackageLoader("carecli.render", "templates"),
        autoescape=select_autoescape(["html", "j2", "html.j2"]),
        undefined=StrictUndefined,  # a typo in the template fails loudly, not silently
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_printable,
    )


def _printable(value: object) -> object:
    """Every printed value: control characters from the data (an ESC, a BEL) are dropped
    before autoescaping; the charts (Markup built by carecli) pass as they are."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return clean(value)
    return value


def response_bars(report: Report, outcomes: Sequence[Outcome]) -> list[charts.Bar]:
    """Median first response per channel with the median SLA levels that apply to it.

    Only for reports broken down by channel alone: a median cannot be rebuilt from finer
    groups. A level applies to a channel when its target is a first-response median
    scoped to that channel (per: channel, or where: {channel: that one}).
    """
    if report.group_by != ("channel",) or "first_response_time" not in report.metric_names:
        return []
    if not report.overall.current["first_response_time"].get("available", True):
        return []
    levels: dict[str | None, tuple[float | None, float | None]] = {}
    for outcome in outcomes:
        target = outcome.target
        if target.metric != "first_response_time" or target.statistic != "median":
            continue
        if "channel" in outcome.scope and not target.where:
            channel = outcome.scope["channel"]
        elif set(target.where) == {"channel"} and len(target.where["channel"]) == 1:
            channel = target.where["channel"][0]
        else:
            continue  # an overall or multi-channel target: no single bar to mark
        levels.setdefault(channel, (outcome.levels.warn, outcome.levels.fail))
    bars = []
    for group in report.groups:
        channel = group.key["channel"]
        warn, fail = levels.get(channel, (None, None))
        median = group.current["first_response_time"].get("median")
        bars.append(charts.Bar(channel or "(none)", median, warn, fail))
    return bars


def trend_panels(trend: Sequence[TrendPoint]) -> list[charts.Panel]:
    panels = []
    for metric in TREND_METRICS:
        if not any(point.available[metric.name] for point in trend):
            continue
        values = tuple(point.values[metric.name] for point in trend)
        panels.append(charts.Panel(metric.short, values, metric.unit, metric.better))
    return panels


def render(
    report: Report,
    outcomes: Sequence[Outcome] = (),
    trend: Sequence[TrendPoint] = (),
    summary: Sequence[Change] = (),
    daily: DailyVolume | None = None,
) -> str:
    """The digest as a standalone HTML document (UTF-8 text)."""
    content = digest(report, outcomes, trend, summary, daily)
    volume = response = weekly = None
    if daily is not None and daily.days and daily.total():
        volume = Markup(charts.volume_chart(daily.days, daily.counts))
    bars = response_bars(report, outcomes)
    if bars:
        response = Markup(charts.response_chart(bars))
    panels = trend_panels(trend)
    if panels and len(trend) > 1:
        weekly = Markup(charts.trend_chart([p.label for p in trend], panels))
    template = environment().get_template(TEMPLATE)
    return template.render(
        d=content,
        colours=COLOURS,
        volume_chart=volume,
        response_chart=response,
        trend_chart=weekly,
        better=[c for c in content.changes if c.improved],
        worse=[c for c in content.changes if not c.improved],
    )
