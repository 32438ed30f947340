"""Email chart technique, measured: HTML-table charts against PNG images attached as cid:.

Prints the size of each chart both ways and of the whole message (sample data, 2026-W47
by channel, the README's config). The PNGs are the SVG charts rasterised by headless
Chromium at 1x and 2x (2x: sharp on high-density screens), as a sender would attach
them. Needs `chromium`. Run: python benchmarks/email_charts.py
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from carecli.core import Request, run
from carecli.delivery.mail import build_message
from carecli.render import charts, email_charts
from carecli.render.formats import email_html, email_text
from carecli.render.html import response_bars, trend_panels

ROOT = Path(__file__).resolve().parents[1]


def png_of(svg: str, scale: int, folder: Path) -> int:
    width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    page = folder / "chart.html"
    page.write_text(f"<html><body style='margin:0'>{svg}</body></html>", "utf-8")
    png = folder / "chart.png"
    subprocess.run(
        [shutil.which("chromium"), "--headless", "--no-sandbox", "--disable-gpu",
         "--hide-scrollbars", f"--user-data-dir={folder / 'profile'}", f"--screenshot={png}",
         f"--window-size={int(width)},{int(height)}", f"--force-device-scale-factor={scale}",
         page.as_uri()],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    return png.stat().st_size


def main() -> None:
    request = Request(
        data=(ROOT / "sample_data" / "messages.jsonl",),
        config=ROOT / "config.example.yaml",
        week="2026-W47",
        as_of="2026-11-23T08:00",
        group_by=("channel",),
        digest_weeks=6,
    )
    result = run(request)
    report, daily, trend = result.report, result.daily, result.trend
    bars = response_bars(report, result.outcomes)
    panels, weeks = trend_panels(trend), [p.label for p in trend]
    svgs = {
        "volume": charts.volume_chart(daily.days, daily.counts),
        "response": charts.response_chart(bars),
        "trend": charts.trend_chart(weeks, panels),
    }
    tables = {
        "volume": email_charts.volume_chart(daily.days, daily.counts),
        "response": email_charts.response_chart(bars),
        "trend": email_charts.trend_chart(weeks, panels),
    }
    html, text = email_html(result), email_text(result)
    message = build_message("s", "a@b.c", ["d@e.f"], text, html)
    size = len(message.as_bytes())
    print(f"{'chart':<10}{'table HTML':>12}{'SVG':>10}{'PNG 1x':>10}{'PNG 2x':>10}")
    png_total = {1: 0, 2: 0}
    with tempfile.TemporaryDirectory() as temp:
        for name, svg in svgs.items():
            sizes = {scale: png_of(svg, scale, Path(temp)) for scale in (1, 2)}
            for scale in sizes:
                png_total[scale] += sizes[scale]
            print(
                f"{name:<10}{len(tables[name]):>12,}{len(svg):>10,}{sizes[1]:>10,}{sizes[2]:>10,}"
            )
    print(f"\nmessage with table charts (text + HTML, quoted-printable): {size:,} bytes")
    without = sum(len(t) for t in tables.values())
    for scale, total in png_total.items():
        attached = len(base64.encodebytes(b"\0" * total))
        estimate = size - without + attached + 3 * 250  # MIME headers of 3 image parts
        print(f"message with {scale}x PNG charts as cid: parts (estimate): {estimate:,} bytes")


if __name__ == "__main__":
    sys.exit(main())
