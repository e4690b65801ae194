"""The suite checked against itself: each deliberately broken server is caught by the rule aimed at it,
and the correct servers pass the same rules (no false positives)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from mini_servers import IMAGE_SPEC, PRODUCTAI_SPEC, image_app, productai_app, running

from conformance.pytest_support import outcomes, run_rules
from conformance.verdicts import Outcome

FAST = dict(max_examples=3, seed=7, poll_interval=0.05, job_timeout=5.0, parallel_requests=4)


@dataclass(frozen=True)
class Broken:
    surface: str  # "image" or "productai"
    faults: tuple[str, ...]
    rule: str
    # Extra rules the target needs to have run first (e.g. to observe a 429), and run options.
    extra: tuple[str, ...] = ()
    options: dict = field(default_factory=dict)
    schema_operations: tuple[str, ...] = ()
    rate_limit: int | None = None


CORPUS = {
    "no_auth": Broken("image", ("no_auth",), "AUTH-MISSING"),
    "accept_unknown_key": Broken("productai", ("accept_unknown_key",), "AUTH-UNKNOWN"),
    "accept_empty_key": Broken("productai", ("accept_empty_key",), "AUTH-MALFORMED"),
    "tenant_leak_image": Broken("image", ("tenant_leak",), "TENANT-ISOLATION"),
    "tenant_leak_productai": Broken("productai", ("tenant_leak",), "TENANT-ISOLATION"),
    "replay_new_job": Broken("image", ("replay_new_job",), "IDEMP-REPLAY"),
    "conflict_200": Broken("image", ("conflict_200",), "IDEMP-CONFLICT"),
    "parallel_two_jobs": Broken("image", ("parallel_two_jobs",), "IDEMP-PARALLEL"),
    "idempotency_optional": Broken("image", ("idempotency_optional",), "IDEMP-HEADER"),
    "framework_404": Broken("image", ("framework_404",), "ENVELOPE-ERRORS"),
    "no_allow": Broken("image", ("no_allow",), "ALLOW-405"),
    "no_request_id": Broken("image", ("no_request_id",), "REQUEST-ID"),
    "no_retry_after": Broken(
        "productai", ("no_retry_after",), "RATE-LIMIT-HEADERS", extra=("RATE-LIMIT-15",), rate_limit=15
    ),
    "no_rate_limit": Broken("productai", (), "RATE-LIMIT-15"),
    "status_regress": Broken("image", ("status_regress",), "JOB-MONOTONIC"),
    "unknown_status": Broken("image", ("unknown_status",), "JOB-VOCAB", options={"job_timeout": 1.0}),
    "never_finishes": Broken("image", ("never_finishes",), "JOB-TERMINAL", options={"job_timeout": 1.0}),
    "bad_counts": Broken("image", ("bad_counts",), "JOB-COUNTS"),
    "cancel_finished_ok": Broken("image", ("cancel_finished_ok",), "JOB-CANCEL"),
    "charge_sandbox_image": Broken("image", ("charge_sandbox",), "CREDITS-SANDBOX"),
    "charge_sandbox_productai": Broken("productai", ("charge_sandbox",), "CREDITS-SANDBOX"),
    "empty_not_402": Broken("productai", ("empty_not_402",), "CREDITS-402"),
    "result_html": Broken("image", ("result_html",), "RESULTS-IMAGES"),
    "png_declared_jpg_served": Broken("image", ("png_declared_jpg_served",), "RESULTS-IMAGES"),
    "500_on_malformed_body": Broken(
        "image", ("500_on_malformed_body",), "SCHEMA-not_a_server_error",
        options={"phases": ("coverage",)}, schema_operations=("POST /remove-background",),
    ),
    "missing_required_field": Broken(
        "image", ("missing_required_field",), "SCHEMA-response_schema_conformance",
        options={"phases": ("examples",)}, schema_operations=("POST /remove-background",),
    ),
    "undocumented_status": Broken(
        "image", ("undocumented_status",), "SCHEMA-status_code_conformance",
        options={"phases": ("examples",)}, schema_operations=("POST /remove-background",),
    ),
}


def check(case: Broken, faults: tuple[str, ...]):
    if case.surface == "image":
        app, spec = image_app(set(faults)), IMAGE_SPEC
    else:
        app, spec = productai_app(set(faults), rate_limit=case.rate_limit, window=2.0), PRODUCTAI_SPEC
    with running(app) as url:
        return run_rules(
            str(spec),
            url,
            "sandbox_alpha",
            other_key="sandbox_beta",
            empty_key="live_empty",
            allow_billable=True,
            rules=[*case.extra, case.rule],
            schema_operations=list(case.schema_operations) or None,
            **{**FAST, **case.options},
        )


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_broken_server_is_caught_by_its_rule(name):
    case = CORPUS[name]
    report = check(case, case.faults)
    verdicts = report.by_rule()[case.rule]
    assert report.rule_outcome(case.rule) is Outcome.FAIL, [v.reason for v in verdicts]
    failure = next(verdict for verdict in verdicts if verdict.outcome is Outcome.FAIL)
    assert failure.source and failure.reason
    if case.rule not in ("JOB-TERMINAL",):
        assert failure.evidence and failure.evidence[0].curl.startswith("curl ")


def test_broken_servers_number_at_least_fifteen_and_cover_twenty_rules():
    assert len(CORPUS) >= 15
    assert len({case.rule for case in CORPUS.values()}) >= 20


@pytest.mark.parametrize("surface", ["image", "productai"])
def test_correct_server_passes_every_targeted_rule(surface):
    """The unbroken servers pass all rules the corpus aims at that surface (no false positives)."""
    cases = [case for case in CORPUS.values() if case.surface == surface and not case.rule.startswith("SCHEMA-")]
    rules = sorted({rule for case in cases for rule in (case.rule, *case.extra)})
    control = Broken(surface, (), rules[0], extra=tuple(rules[1:]), rate_limit=15 if surface == "productai" else None)
    report = check(control, ())
    result = outcomes(report)
    assert {rule: result[rule] for rule in rules if result[rule] == "fail"} == {}
    assert all(result[rule] == "pass" for rule in rules), result


def test_correct_image_server_passes_the_schema_rules():
    case = Broken(
        "image", (), "SCHEMA-not_a_server_error",
        extra=("SCHEMA-response_schema_conformance", "SCHEMA-status_code_conformance"),
        options={"phases": ("examples", "coverage")}, schema_operations=("POST /remove-background",),
    )
    report = check(case, ())
    assert all(outcome == "pass" for outcome in outcomes(report).values()), [
        verdict.reason for verdict in report.verdicts if verdict.outcome is Outcome.FAIL
    ]
