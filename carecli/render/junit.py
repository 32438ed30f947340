"""SLA outcomes as JUnit XML, so any CI system shows breached SLAs as failed tests."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from carecli.periods import Period
from carecli.render.check import actual_text, statistic_label, threshold_text
from carecli.sla.evaluate import Outcome

# Characters XML 1.0 cannot hold even escaped: a control character in an agent or SLA
# name would make the whole report unparsable for the CI system reading it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(outcomes: list[Outcome], period: Period, strict: bool = False) -> str:
    """One testcase per target and scope; fail levels (and warn with strict) are failures."""
    failing = {"fail", "warn"} if strict else {"fail"}
    failures = sum(o.status in failing for o in outcomes)
    skipped = sum(o.status == "no_data" for o in outcomes)
    suites = ET.Element("testsuites", name="carecli", tests=str(len(outcomes)))
    suites.set("failures", str(failures))
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"carecli SLA {period.label}",
        tests=str(len(outcomes)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    for outcome in outcomes:
        target = outcome.target
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"carecli.sla.{target.metric}",
            name=f"{target.name} [{outcome.scope_label}]",
            time="0",
        )
        figures = (
            f"{target.metric} {statistic_label(outcome)} = {actual_text(outcome)}, "
            f"target {threshold_text(outcome)}; {outcome.breached} conversations breached, "
            f"{outcome.pending} pending, {outcome.samples} counted"
        )
        if outcome.status in failing:
            failure = ET.SubElement(case, "failure", message=f"{outcome.status}: {figures}")
            failure.set("type", f"sla_{outcome.status}")
            failure.text = figures
        elif outcome.status == "no_data" and outcome.unavailable is not None:
            ET.SubElement(case, "skipped", message=f"not available: {outcome.unavailable}")
        elif outcome.status == "no_data":
            ET.SubElement(case, "skipped", message=f"no data: {figures}")
        else:
            ET.SubElement(case, "system-out").text = f"{outcome.status}: {figures}"
    ET.indent(suites)
    text = ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
    return _NOT_XML.sub("", text)
