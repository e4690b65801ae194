"""The suite checked against the clean sandbox: every rule on every vendor document, zero false
positives, and every MUST rule that applies to a document ends as pass (not as not-applicable)."""

from __future__ import annotations

import pytest

from conformance.catalog import RULES
from conformance.pytest_support import failures, outcomes, run_rules
from sandbox.surfaces import BY_NAME, VENDOR_DOCUMENTS
from tests.serverlib import live_server


@pytest.fixture(scope="module")
def sandbox_url():
    with live_server(seed=21, rate_limits=False, validate_responses=True, queued_seconds=0.2,
                     processing_seconds=0.3) as live:
        yield live.url


@pytest.mark.parametrize("document", VENDOR_DOCUMENTS)
def test_clean_sandbox_passes_every_rule(document, sandbox_url):
    report = run_rules(document, sandbox_url + BY_NAME[document].public_base, "sandbox_conform",
                       other_key="sandbox_conform_other", empty_key="live_empty", allow_billable=True,
                       seed=7, max_examples=5)
    assert failures(report, strict=True) == []  # no false positive, MUST or SHOULD
    results = outcomes(report)
    for rule in RULES.values():
        applies = rule.applies_to(document)
        if rule.severity.value == "MUST" and applies and not rule.opt_in:
            assert results[rule.id] == "pass", f"{rule.id}: {results[rule.id]}"
