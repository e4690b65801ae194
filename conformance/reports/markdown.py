"""Markdown summary sized for a pull-request comment: verdict per rule, then the failures with curl lines."""

from __future__ import annotations

from conformance.verdicts import Outcome

ICONS = {Outcome.PASS: "pass", Outcome.FAIL: "FAIL", Outcome.NOT_APPLICABLE: "n/a"}


def render(report) -> str:
    verdict = "passed" if report.ok else "FAILED"
    lines = [
        f"## Darkroom conformance: `{report.spec}` {verdict}",
        "",
        f"Target `{report.base_url}`, profile `{report.profile}`, {report.requests} requests by the rules, "
        f"{report.duration:.1f}s.",
        "",
        "| rule | severity | verdict | detail |",
        "|---|---|---|---|",
    ]
    grouped = report.by_rule()
    for rule in report.rules:
        outcome = report.rule_outcome(rule.id)
        verdicts = grouped.get(rule.id, [])
        failed = [item for item in verdicts if item.outcome is Outcome.FAIL]
        if failed:
            detail = f"{len(failed)} failing: {failed[0].reason}"
        elif outcome is Outcome.NOT_APPLICABLE and verdicts:
            detail = verdicts[0].reason
        else:
            detail = f"{sum(item.outcome is Outcome.PASS for item in verdicts)} passing"
        detail = detail.replace("|", "\\|").replace("\n", " ")[:160]
        lines.append(f"| `{rule.id}` | {rule.severity.value} | {ICONS[outcome]} | {detail} |")
    failures = [item for item in report.verdicts if item.outcome is Outcome.FAIL]
    if failures:
        lines += ["", "### Failures", ""]
        for item in failures:
            lines += [
                f"<details><summary><code>{item.rule_id}</code> [{item.severity.value}] "
                f"{item.operation or ''}: {_escape(item.reason.splitlines()[0][:200])}</summary>",
                "",
                f"Source: {item.source}",
                "",
            ]
            for evidence in item.evidence[:2]:
                lines += ["```sh", evidence.curl, "```", "", f"Response {evidence.status}:", "",
                          "```", evidence.response_excerpt[:400], "```", ""]
            lines += ["</details>", ""]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")
