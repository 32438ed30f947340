"""JUnit XML for CI: counts, failure types and skipped targets, on hand-made outcomes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from factories import NOW
from test_render_check import outcomes

from carecli.periods import parse_week
from carecli.render import junit

WEEK = parse_week("2026-W45", "UTC", NOW)


def _cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name", "").split(" [")[0]: case for case in root.iter("testcase")}


def test_counts_and_a_warning_only_fails_with_strict(tmp_path: Path) -> None:
    found = outcomes(tmp_path)  # warn, no data, pass, not available
    root = ET.fromstring(junit.render(found, WEEK))
    suite = root.find("testsuite")
    assert suite is not None
    assert (root.get("tests"), root.get("failures")) == ("4", "0")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "0", "2")
    cases = _cases(root)
    assert cases["Email median"].find("failure") is None
    out = cases["Email median"].find("system-out")
    assert out is not None and out.text == (
        "warn: first_response_time median = 6m 00s, target median ≤ 10m (warn 4m); "
        "0 conversations breached, 0 pending, 2 counted"
    )
    strict = ET.fromstring(junit.render(found, WEEK, strict=True))
    assert strict.get("failures") == "1"  # CI dashboards read the top-level count
    failure = _cases(strict)["Email median"].find("failure")
    assert failure is not None and failure.get("type") == "sla_warn"


def test_skipped_cases_say_no_data_or_why_not_available(tmp_path: Path) -> None:
    cases = _cases(ET.fromstring(junit.render(outcomes(tmp_path), WEEK)))
    skipped = {name: case.find("skipped") for name, case in cases.items()}
    assert skipped["Chat p90"] is not None and skipped["Chat p90"].get("message") == (
        "no data: first_response_time p90 = —, target p90 ≤ 1m; "
        "0 conversations breached, 0 pending, 0 counted"
    )
    assert skipped["Queue"] is not None
    assert skipped["Queue"].get("message", "").startswith("not available: the input has no ")
    assert skipped["Answered in 1d"] is None and skipped["Email median"] is None
