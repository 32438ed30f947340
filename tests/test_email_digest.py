"""The emailed digest as a mail client gets it: sent through a real SMTP server, parsed
with the standard library, and the HTML part rendered by headless Chromium."""

from __future__ import annotations

import email
import re
import shutil
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from test_html_browser import _hex, _near, decode_png, pixel_counts, screenshot
from typer.testing import CliRunner

from carecli.cli.app import app
from carecli.render import charts

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "messages.jsonl"
WEEK = ["--week", "2026-W47", "--as-of", "2026-11-23T08:00", "--data", str(SAMPLE)]
CONFIG = (
    "timezone: Europe/Berlin\n"
    "slas:\n"
    "  - {name: CSAT at least 90%, metric: csat, fail: 90%}\n"
    "  - {name: Email first response median, metric: first_response_time,\n"
    "     statistic: median, where: {channel: email}, warn: 2h, fail: 4h}\n"
    "smtp: {host: 127.0.0.1, port: PORT, security: none, sender: care@example.com}\n"
)


@pytest.fixture(scope="module")
def received(tmp_path_factory: pytest.TempPathFactory) -> EmailMessage:
    """The digest of 2026-W47 by channel, as the SMTP server received it."""
    from smtp_server import running

    folder = tmp_path_factory.mktemp("mail")
    with running() as (inbox, port):
        config = folder / "carecli.yaml"
        config.write_text(CONFIG.replace("PORT", str(port)), encoding="utf-8")
        args = ["report", *WEEK, "--config", str(config), "--format", "html",
                "--output", str(folder / "report.html"), "--email", "lead@example.com"]  # fmt: skip
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.stderr
        (envelope,) = inbox.envelopes
    assert "<svg" in (folder / "report.html").read_text("utf-8")  # the file keeps its SVG
    message = email.message_from_bytes(envelope.original_content, policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def _html_parts(message: EmailMessage) -> list[str]:
    return [p.get_content() for p in message.walk() if p.get_content_type() == "text/html"]


def test_the_html_is_email_safe(received: EmailMessage) -> None:
    (html,) = _html_parts(received)
    assert "<svg" not in html.lower()
    assert "<style" not in html.lower() and "<script" not in html.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)  # nothing remote
    assert "url(" not in html and "<link" not in html.lower()
    for reference in re.findall(r"""cid:([^"'\s)>]+)""", html):  # none today; each must resolve
        images = [
            p
            for p in received.walk()
            if p.get_content_maintype() == "image" and p["Content-ID"] == f"<{reference}>"
        ]
        assert len(images) == 1, reference
    # Three charts, as tables: volume per day, first response by channel, the trend.
    assert sorted(re.findall(r'data-chart="(\w+)"', html)) == ["response", "trend", "volume"]


def test_subject_and_plain_text_part(received: EmailMessage) -> None:
    assert received["Subject"] == "carecli weekly report 2026-W47 — SLA: FAIL"
    plain = received.get_body(("plain",))
    assert plain is not None and plain.get_content_type() == "text/plain"
    text = plain.get_content().replace("\r\n", "\n")  # SMTP carries CRLF line ends
    assert "2026-W47" in text and "Headline KPIs" in text
    assert "<" not in text.replace("<=", "")  # no markup in the text alternative
    assert "**" not in text and "\\" not in text and "| ---" not in text  # nor Markdown
    assert "SLA: FAIL" in text and "Headline KPIs\n=============" in text


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_chromium_shows_the_charts(received: EmailMessage, tmp_path: Path) -> None:
    (html,) = _html_parts(received)
    page = tmp_path / "mail.html"
    page.write_text(html, "utf-8")
    png = tmp_path / "mail.png"
    screenshot(page, png, tmp_path / "profile", size=(1000, 8000), scale=0.5)
    width, _, rows = decode_png(png.read_bytes())
    counts = pixel_counts(rows)
    # Volume: every channel's colour is painted (the palette is used by no other part).
    for colour in charts.PALETTE:
        assert _near(counts, _hex(colour), 4) > 60, colour
    # First response by channel: the green bars within target and the level marks.
    assert _near(counts, _hex(charts.BETTER), 4) > 50
    assert _near(counts, _hex(charts.WORSE), 4) > 40
    # Trend: the weekly columns, the latest week darker.
    assert _near(counts, _hex("#54aeff"), 4) > 400
    assert _near(counts, _hex("#0550ae"), 4) > 80
    # Each chart is a band of rows with its colours, not an empty box.
    painted = [
        y
        for y, row in enumerate(rows)
        if any(row[i : i + 3] == bytes(_hex(charts.PALETTE[0])) for i in range(0, width * 3, 3))
    ]
    assert len(painted) >= 7 * 5  # a bar per day, each about 14 px tall (7 at half scale)
