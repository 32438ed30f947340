"""The compact summary chat webhooks post: verdict, headline KPIs, failed targets, the file.

One format-neutral `Summary`, then one body per kind: Slack blocks, a Microsoft Teams
message with an Adaptive Card, or a generic JSON document (shapes in docs/reports.md).
User text (target and channel names) is escaped for Slack, where `<!channel>` in a name
would otherwise ping everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from carecli import __version__
from carecli.metrics.registry import METRICS
from carecli.render import clean, units
from carecli.render.check import STATUS_TEXT, actual_text, threshold_text
from carecli.render.digest import period_dates, sla_verdict
from carecli.report.build import Report
from carecli.sla.evaluate import Outcome

TARGETS_LISTED = 10  # failed or warned targets named; the rest are counted
GENERIC_SCHEMA = 1
_ICON = {"fail": ":red_circle:", "warn": ":large_yellow_circle:", "pass": ":large_green_circle:"}
_TEAMS_COLOUR = {"fail": "attention", "warn": "warning", "pass": "good"}


@dataclass(frozen=True)
class Kpi:
    metric: str
    label: str
    statistic: str
    unit: str
    value: float | None
    previous: float | None
    text: str  # the value as people read it: 23m 09s, 82.7%
    change: str  # ▼ -12%, +1.5 pp, or "" without a previous value
    verdict: str  # better, worse or same


@dataclass(frozen=True)
class TargetLine:
    name: str
    scope: str
    status: str
    actual: float | None
    text: str  # actual against threshold, e.g. 10h 39m (p90 ≤ 1h (warn 45m))
    breached: int
    pending: int


@dataclass(frozen=True)
class Summary:
    title: str  # carecli weekly report 2026-W47 — SLA: FAIL
    period: str
    dates: str
    status: str | None  # pass, warn, fail, no_data; None without SLA targets
    sla_line: str
    kpis: tuple[Kpi, ...]
    targets: tuple[TargetLine, ...]  # fail first, then warn
    report: str | None  # where the full report was written, if it was


def summary(
    report: Report, outcomes: Sequence[Outcome], title: str, written: str | None = None
) -> Summary:
    """The summary of a report; `title` is the email subject (the verdict and the period)."""
    kpis = []
    for name in report.metric_names:
        now = report.overall.current[name]
        if not now.get("available", True):
            continue
        row = METRICS[name].headline
        before = report.overall.previous.get(name, {})
        value, previous = now.get(row.stat), before.get(row.stat)
        change, delta = units.change(value, previous, row.unit)
        arrow = "▲ " if (delta or 0) > 0 else "▼ " if (delta or 0) < 0 else ""
        single = len(METRICS[name].rows) == 1 or row.label.lower() in METRICS[name].title.lower()
        label = METRICS[name].title if single else f"{METRICS[name].title}, {row.label}"
        kpis.append(
            Kpi(name, label, row.stat, row.unit, value, previous, units.value(value, row.unit),
                "" if change == "—" else arrow + change, units.verdict(delta, row.better))
        )  # fmt: skip
    order = {"fail": 0, "warn": 1}
    bad = sorted((o for o in outcomes if o.status in order), key=lambda o: order[o.status])
    targets = tuple(
        TargetLine(clean(o.target.name), clean(o.short_scope), o.status, o.actual,
                   f"{actual_text(o)} ({threshold_text(o)})", o.breached, o.pending)
        for o in bad
    )  # fmt: skip
    status, sla_line = sla_verdict(outcomes)
    return Summary(clean(title), report.period.label, period_dates(report.period), status,
                   sla_line, tuple(kpis), targets, written)  # fmt: skip


def _target_text(target: TargetLine) -> str:
    scope = f" [{target.scope}]" if target.scope and target.scope != "overall" else ""
    pending = f", +{target.pending:,} pending" if target.pending else ""
    return f"{target.name}{scope}: {target.text}, {target.breached:,} breached{pending}"


def _more(s: Summary) -> str | None:
    extra = len(s.targets) - TARGETS_LISTED
    return f"and {extra} more (see the full report)" if extra > 0 else None


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(s: Summary) -> dict[str, Any]:
    """A Slack incoming-webhook message: `text` for notifications, `blocks` for the body."""
    e = _slack_escape
    kpi_lines = [
        f"• {e(k.label)}: *{e(k.text)}*" + (f"  {e(k.change)} ({k.verdict})" if k.change else "")
        for k in s.kpis
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": s.title[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": e(s.dates)}]},
        {"type": "section", "text": {"type": "mrkdwn",
                                     "text": f"{_ICON.get(s.status or '', '')} *{e(s.sla_line)}*".strip()}},  # noqa: E501
        {"type": "section", "text": {"type": "mrkdwn",
                                     "text": "*Headline KPIs*\n" + "\n".join(kpi_lines)}},
    ]  # fmt: skip
    if s.targets:
        lines = [f"{_ICON[t.status]} {e(_target_text(t))}" for t in s.targets[:TARGETS_LISTED]] + (
            [e(_more(s) or "")] if _more(s) else []
        )
        text = "*Failed and warned targets*\n" + "\n".join(lines)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    if s.report:
        note = f"Full report: `{e(s.report)}`"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return {"text": s.title, "blocks": blocks}


def teams(s: Summary) -> dict[str, Any]:
    """A Teams message carrying an Adaptive Card (Workflows and the classic connectors)."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": s.title, "weight": "Bolder", "size": "Medium",
         "wrap": True, "color": _TEAMS_COLOUR.get(s.status or "", "default")},
        {"type": "TextBlock", "text": s.dates, "isSubtle": True, "spacing": "None", "wrap": True},
        {"type": "TextBlock", "text": s.sla_line, "wrap": True},
        {"type": "FactSet", "facts": [
            {"title": k.label, "value": k.text + (f" {k.change} ({k.verdict})" if k.change else "")}
            for k in s.kpis
        ]},
    ]  # fmt: skip
    if s.targets:
        body.append({"type": "TextBlock", "text": "Failed and warned targets", "weight": "Bolder"})
        facts = [
            {"title": STATUS_TEXT[t.status], "value": _target_text(t)}
            for t in s.targets[:TARGETS_LISTED]
        ]
        body.append({"type": "FactSet", "facts": facts})
        if _more(s):
            body.append({"type": "TextBlock", "text": _more(s), "isSubtle": True})
    if s.report:
        body.append({"type": "TextBlock", "text": f"Full report: {s.report}", "isSubtle": True,
                     "wrap": True})  # fmt: skip
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
    return {"type": "message", "summary": s.title, "attachments": [attachment]}


def generic(s: Summary) -> dict[str, Any]:
    """carecli's own JSON body, for scripts and other chat tools (numbers as in the JSON
    report: seconds, fractions 0..1)."""
    return {
        "schema_version": GENERIC_SCHEMA,
        "source": "carecli",
        "carecli_version": __version__,
        "title": s.title,
        "period": s.period,
        "dates": s.dates,
        "status": s.status,
        "sla": s.sla_line,
        "kpis": [asdict(k) for k in s.kpis],
        "targets": [asdict(t) for t in s.targets],
        "report": s.report,
    }


BODIES = {"slack": slack, "teams": teams, "json": generic}


def body(kind: str, s: Summary) -> dict[str, Any]:
    """The JSON body for a webhook kind: slack, teams or json."""
    return BODIES[kind](s)
