"""Using the suite inside an integrator's own pytest run.

    from conformance.pytest_support import run_rules, assert_conformant

    def test_my_mock_conforms(my_server_url):
        report = run_rules("productai", my_server_url, "sandbox_ci", rules=["AUTH-MISSING", "JOB-VOCAB"])
        assert_conformant(report)
"""

from __future__ import annotations

from typing import Any

from conformance.context import Options
from conformance.runner import Report, run_check
from conformance.verdicts import Outcome


def run_rules(
    spec: str,
    url: str,
    key: str,
    *,
    rules: list[str] | None = None,
    skip_rules: list[str] | None = None,
    opt_in: list[str] | None = None,
    other_key: str | None = None,
    empty_key: str | None = None,
    schema_operations: list[str] | None = None,
    max_requests: int | None = None,
    **options: Any,
) -> Report:
    """Run the selected rules (all by default) and return the report; `options` are `Options` fields."""
    if "phases" in options and isinstance(options["phases"], str):
        options["phases"] = tuple(options["phases"].split(","))
    return run_check(
        spec,
        url,
        key,
        other_key=other_key,
        empty_key=empty_key,
        options=Options(**options),
        rules=rules,
        skip_rules=skip_rules,
        opt_in=opt_in,
        schema_operations=schema_operations,
        max_requests=max_requests,
    )


def failures(report: Report, *, strict: bool = False) -> list[str]:
    return [
        f"{item.rule_id} [{item.severity.value}] {item.operation or ''}: {item.reason.splitlines()[0]}"
        + (f"\n    {item.evidence[0].curl}" if item.evidence else "")
        for item in report.verdicts
        if item.outcome is Outcome.FAIL and (strict or item.blocking)
    ]


def assert_conformant(report: Report, *, strict: bool = False) -> None:
    """Fail the calling test with one line per failing verdict (MUST only, unless strict)."""
    found = failures(report, strict=strict)
    assert not found, "conformance failures:\n" + "\n".join(found)


def outcomes(report: Report) -> dict[str, str]:
    """Rule id -> overall outcome value ('pass', 'fail', 'not_applicable')."""
    return {item.id: report.rule_outcome(item.id).value for item in report.rules}
