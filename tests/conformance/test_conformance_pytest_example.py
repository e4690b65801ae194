"""How an integrator runs the suite inside their own pytest: start their server, call run_rules, assert."""

from __future__ import annotations

import pytest
from mini_servers import PRODUCTAI_SPEC, productai_app, running

from conformance.pytest_support import assert_conformant, failures, run_rules


@pytest.fixture(scope="module")
def productai_url():
    with running(productai_app()) as url:
        yield url


def test_my_productai_mock_conforms(productai_url):
    report = run_rules(
        str(PRODUCTAI_SPEC),
        productai_url,
        "sandbox_ci",
        other_key="sandbox_ci_other",
        rules=["AUTH-MISSING", "TENANT-ISOLATION", "JOB-VOCAB", "RESULTS-IMAGES", "ENVELOPE-ERRORS"],
        poll_interval=0.05,
    )
    assert_conformant(report, strict=True)


def test_assert_conformant_names_the_failing_rule():
    with running(productai_app({"tenant_leak"})) as url:
        report = run_rules(str(PRODUCTAI_SPEC), url, "sandbox_ci", other_key="sandbox_x", rules=["TENANT-ISOLATION"])
    with pytest.raises(AssertionError, match="TENANT-ISOLATION"):
        assert_conformant(report)
    assert failures(report)[0].startswith("TENANT-ISOLATION [MUST] GET /api/job/{jobId}")
