"""The weekly digest as email HTML: inline styles, table layout, charts as tables, no SVG.

The same content as the HTML file (`digest.digest()`), for mail clients: Gmail and
Outlook for Windows drop inline SVG and `<style>` blocks, so render/html.py's file would
arrive with holes where its charts were. `--output report.html` keeps the SVG file.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from carecli.render import email_charts
from carecli.render.digest import digest
from carecli.render.html import COLOURS, environment, response_bars, trend_panels
from carecli.render.summary import Change
from carecli.report.build import Report
from carecli.report.trend import DailyVolume, TrendPoint
from carecli.sla.evaluate import Outcome

TEMPLATE = "email.html.j2"
MAX_DAYS = 31  # a bar per day; a longer period shows its daily table only (as Markdown)


def render(
    report: Report,
    outcomes: Sequence[Outcome] = (),
    trend: Sequence[TrendPoint] = (),
    summary: Sequence[Change] = (),
    daily: DailyVolume | None = None,
) -> str:
    """The digest as one HTML document for the text/html part of an email."""
    content = digest(report, outcomes, trend, summary, daily)
    volume = response = weekly = None
    if daily is not None and daily.days and daily.total() and len(daily.days) <= MAX_DAYS:
        volume = Markup(email_charts.volume_chart(daily.days, daily.counts))
    bars = response_bars(report, outcomes)
    if bars:
        response = Markup(email_charts.response_chart(bars))
    panels = trend_panels(trend)
    if panels and len(trend) > 1:
        weekly = Markup(email_charts.trend_chart([p.label for p in trend], panels))
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            d=content,
            colours=COLOURS,
            volume_chart=volume,
            response_chart=response,
            trend_chart=weekly,
            better=[c.text for c in content.changes if c.improved],
            worse=[c.text for c in content.changes if not c.improved],
        )
    )
