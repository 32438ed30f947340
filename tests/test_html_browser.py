"""The HTML digest in a real browser: headless Chromium renders it, and it is not blank.

Skipped when `chromium` is not installed. `python tests/test_html_browser.py` regenerates
docs/report-screenshot.png from the sample data (2026-W47 by channel, README's SLAs).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1200, 1600)


def screenshot(
    page: Path, png: Path, profile: Path, size: tuple[int, int] = SIZE, scale: float = 1.0
) -> None:
    """Render a local HTML file with headless Chromium, offline and without a profile;
    `scale` < 1 makes a smaller PNG of the same layout (faster to decode here)."""
    chromium = shutil.which("chromium")
    assert chromium is not None
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        f"--window-size={size[0]},{size[1]}",
        f"--force-device-scale-factor={scale}",
        page.resolve().as_uri(),
    ]
    env = {**os.environ, "HOME": str(profile)}  # keep Chromium out of the real home
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert png.is_file(), f"chromium exited {result.returncode}: {result.stderr[-2000:]}"


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced RGB/RGBA PNG (no Pillow)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(b"".join(chunks)), width * bpp
    previous, rows = bytearray(stride), []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(kind, line, previous, bpp)
        rows.append(bytes(line) if bpp == 3 else bytes(v for i, v in enumerate(line) if i % 4 < 3))
        previous = line
    return width, height, rows


def _unfilter(kind: int, line: bytearray, previous: bytearray, bpp: int) -> None:
    """Undo one row's PNG filter in place (PNG spec, section 9), one loop per filter type."""
    if kind == 1:
        for i in range(bpp, len(line)):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif kind == 2:
        line[:] = bytes((x + b) & 255 for x, b in zip(line, previous, strict=True))
    elif kind == 3:
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((a + previous[i]) >> 1)) & 255
    elif kind == 4:
        for i in range(len(line)):
            a, b = (line[i - bpp], previous[i]) if i >= bpp else (0, previous[i])
            c = previous[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255


def pixel_counts(rows: list[bytes]) -> Counter[bytes]:
    """How many pixels have each RGB colour."""
    counts: Counter[bytes] = Counter()
    for row in rows:
        counts.update(row[i : i + 3] for i in range(0, len(row), 3))
    return counts


def _near(counts: Counter[bytes], rgb: tuple[int, int, int], tolerance: int = 12) -> int:
    return sum(
        n for c, n in counts.items() if all(abs(c[k] - rgb[k]) <= tolerance for k in (0, 1, 2))
    )


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_chromium_renders_the_digest(tmp_path: Path) -> None:
    from test_render_markdown import build_digest

    from carecli.render import charts, html

    f = build_digest(tmp_path)
    page = tmp_path / "report.html"
    page.write_text(html.render(f.report, f.outcomes, f.trend, f.summary, f.daily), "utf-8")
    png = tmp_path / "shot.png"
    screenshot(page, png, tmp_path / "profile")
    width, height, rows = decode_png(png.read_bytes())
    assert (width, height) == SIZE
    counts = pixel_counts(rows)
    assert len(counts) > 50  # text, tables, charts: not a blank or one-colour page
    background, most = counts.most_common(1)[0]
    assert background in (bytes(_hex("#f6f8fa")), b"\xff\xff\xff")
    assert most < 0.97 * width * height  # something is drawn on it
    # The colours of better/worse reached the screen (the red bar, green text).
    assert _near(counts, _hex(charts.WORSE)) > 200
    assert _near(counts, _hex(charts.BETTER)) > 50


def _docs_screenshot() -> None:
    """docs/report-screenshot.png: sample data, 2026-W47 by channel, README's SLA targets."""
    import tempfile
    from datetime import UTC, datetime

    from carecli.config.model import parse_config
    from carecli.periods import parse_week
    from carecli.render import html
    from carecli.render.summary import what_changed
    from carecli.report.build import build_report, load_dataset
    from carecli.report.trend import daily_volume, weekly_trend
    from carecli.sla.evaluate import evaluate

    config = parse_config(
        "timezone: Europe/Berlin\n"
        "slas:\n"
        "  - {name: Social first response within 1h (p90), metric: first_response_time,\n"
        "     statistic: p90, where: {channel: [whatsapp, messenger, twitter, instagram,\n"
        "     wechat]}, warn: 45m, fail: 1h}\n"
        "  - {name: 79% answered within 24h, metric: first_response_time, attainment: 24h,\n"
        "     fail: 79%}\n"
        "  - {name: CSAT at least 85%, metric: csat, fail: 85%}\n"
        "  - {name: Email first response median, metric: first_response_time,\n"
        "     statistic: median, where: {channel: email}, warn: 2h, fail: 4h}\n"
    )
    dataset = load_dataset(ROOT / "sample_data" / "messages.jsonl", config)
    as_of = datetime(2026, 11, 23, 8, tzinfo=UTC)
    period = parse_week("2026-W47", config.timezone, as_of)
    report = build_report(dataset, period, config, ["channel"])
    outcomes = evaluate(dataset.timeline, config.slas, period, config, as_of)
    trend = weekly_trend(dataset, period, config)
    daily = daily_volume(dataset, period, config)
    page_text = html.render(report, outcomes, trend, what_changed(report), daily)
    with tempfile.TemporaryDirectory() as temp:
        page = Path(temp) / "carecli-2026-W47.html"
        page.write_text(page_text, "utf-8")
        target = ROOT / "docs" / "report-screenshot.png"
        screenshot(page, target, Path(temp) / "profile")
    print(f"{target}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    _docs_screenshot()
