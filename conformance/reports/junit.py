"""JUnit XML: one testsuite per rule, one testcase per rule x operation (CI systems render these natively)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from conformance.verdicts import Outcome


def render(report) -> str:
    suites = ET.Element("testsuites", name=f"darkroom check {report.spec}", time=f"{report.duration:.3f}")
    for rule in report.rules:
        verdicts = report.by_rule().get(rule.id, [])
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=rule.id,
            tests=str(len(verdicts)),
            failures=str(sum(verdict.outcome is Outcome.FAIL for verdict in verdicts)),
            skipped=str(sum(verdict.outcome is Outcome.NOT_APPLICABLE for verdict in verdicts)),
        )
        for verdict in verdicts:
            case = ET.SubElement(
                suite, "testcase", classname=f"{report.spec}.{rule.id}", name=verdict.operation or report.spec
            )
            if verdict.outcome is Outcome.FAIL:
                failure = ET.SubElement(
                    case, "failure", message=f"[{verdict.severity.value}] {verdict.reason}"[:1000],
                    type=verdict.severity.value,
                )
                lines = [f"source: {verdict.source}", verdict.reason]
                for evidence in verdict.evidence:
                    lines += ["", f"{evidence.method} {evidence.url} -> {evidence.status}", evidence.curl,
                              evidence.response_excerpt]
                failure.text = "\n".join(lines)
            elif verdict.outcome is Outcome.NOT_APPLICABLE:
                ET.SubElement(case, "skipped", message=verdict.reason or "not applicable")
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
