"""SCHEMA-*: one rule per Schemathesis built-in check, read from the shared Schemathesis run."""

from __future__ import annotations

from conformance.catalog import RULES, Rule, register_rule
from conformance.context import CheckContext
from conformance.schema_run import available_checks
from conformance.verdicts import Severity, failed, not_applicable, passed

# Checks whose failure breaks what the documents state; the rest are advice (SHOULD).
MUST_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "ignored_auth",
}
SOURCE = "the OpenAPI document (Schemathesis check {check})"
EXTRA_SOURCE = {"positive_data_acceptance": "; inferred: a schema-valid request is never refused with 400"}


def schema_verdicts(check: str):
    def evaluate(ctx: CheckContext):
        results = ctx.schema_results
        if results is None:
            return [not_applicable("the Schemathesis run did not take place")]
        if results.fatal:
            return [failed(None, f"Schemathesis could not run: {results.fatal}")]
        verdicts = []
        for operation in ctx.document.operations:
            tally = results.checks.get(check, {}).get(operation.label)
            if tally is None:
                error = results.errors.get(operation.label)
                reason = f"not exercised: {error}" if error else "no case of this operation ran this check"
                verdicts.append(not_applicable(reason, operation.label))
            elif tally.failures:
                reason = f"{tally.failed} of {tally.failed + tally.passed} cases failed: {tally.failures[0][0]}"
                verdicts.append(failed(operation.label, reason, *[evidence for _, evidence in tally.failures]))
            else:
                verdicts.append(passed(operation.label, f"{tally.passed} cases"))
        return verdicts

    evaluate.__name__ = f"schema_{check}"
    return evaluate


def register_schema_rules() -> None:
    for check in available_checks():
        rule_id = f"SCHEMA-{check}"
        if rule_id in RULES:
            continue
        register_rule(
            Rule(
                id=rule_id,
                title=f"Schemathesis check {check} passes on every generated case",
                source=SOURCE.format(check=check) + EXTRA_SOURCE.get(check, ""),
                severity=Severity.MUST if check in MUST_CHECKS else Severity.SHOULD,
                function=schema_verdicts(check),
                schema=True,
            )
        )


register_schema_rules()
