"""Terminal output: progress lines on stderr, then the verdict table and the failures on stdout."""

from __future__ import annotations

import sys
from typing import TextIO

from conformance.catalog import Rule
from conformance.verdicts import Outcome

LABELS = {Outcome.PASS: "PASS", Outcome.FAIL: "FAIL", Outcome.NOT_APPLICABLE: "n/a"}


def progress(message: str, stream: TextIO | None = None) -> None:
    print(f"  .. {message}", file=stream or sys.stderr, flush=True)


def catalog_table(rules: list[Rule]) -> str:
    lines = [f"{'rule':<40} {'sev':<6} {'surfaces':<28} title / source"]
    for rule in sorted(rules, key=lambda item: item.id):
        surfaces = ",".join(rule.surfaces) or "all"
        flag = " (opt-in)" if rule.opt_in else ""
        lines.append(f"{rule.id:<40} {rule.severity.value:<6} {surfaces[:28]:<28} {rule.title}{flag}")
        lines.append(f"{'':<76} source: {rule.source}")
    return "\n".join(lines)


def verdict_table(report) -> str:
    grouped = report.by_rule()
    lines = [f"{'rule':<40} {'sev':<6} {'verdict':<8} pass/fail/n-a  detail"]
    for rule in report.rules:
        verdicts = grouped.get(rule.id, [])
        counts = [sum(item.outcome is outcome for item in verdicts) for outcome in Outcome]
        outcome = report.rule_outcome(rule.id)
        failing = [item for item in verdicts if item.outcome is Outcome.FAIL]
        detail = failing[0].reason if failing else (verdicts[0].reason if outcome is Outcome.NOT_APPLICABLE else "")
        severity = failing[0].severity.value if failing else rule.severity.value
        lines.append(
            f"{rule.id:<40} {severity:<6} {LABELS[outcome]:<8} {counts[0]:>4}/{counts[1]}/{counts[2]:<6} "
            f"{detail.splitlines()[0][:90] if detail else ''}"
        )
    return "\n".join(lines)


def failures(report, limit: int = 20) -> str:
    shown = [item for item in report.verdicts if item.outcome is Outcome.FAIL][:limit]
    lines = []
    for item in shown:
        lines.append(f"\n[{item.severity.value}] {item.rule_id} {item.operation or ''}")
        lines.append(f"  {item.reason.splitlines()[0]}")
        lines.append(f"  source: {item.source}")
        for evidence in item.evidence[:1]:
            lines.append(f"  got {evidence.status}: {evidence.response_excerpt[:200]!r}")
            lines.append(f"  reproduce: {evidence.curl}")
    return "\n".join(lines)
