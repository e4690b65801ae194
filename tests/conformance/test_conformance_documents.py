"""The profiles and the job shape the rules rely on, read from the bundled documents."""

from __future__ import annotations

import pytest

from conformance.catalog import all_rules
from conformance.document import bundled_names, pointer_get
from conformance.profiles import profile_for
from conformance.runner import UsageError, load_document
from conformance.surface import build

EXPECTED = {
    # document: (primary create, job read, cancel, id pointer)
    "aigenstudio-product-photo": (
        "POST /product-photo-jobs", "GET /product-photo-jobs/{job_id}", "POST /product-photo-jobs/{job_id}/cancel",
        "/job/id",
    ),
    "aigenstudio-image": ("POST /remove-background", "GET /jobs/{job_id}", "POST /jobs/{job_id}/cancel", "/job/id"),
    "productai": ("POST /api/generate", "GET /api/job/{jobId}", None, "/data/id"),
    "productai-v1": ("POST /v1/generate", "GET /v1/jobs/{job_id}", None, "/job_id"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bundled_document_yields_its_profile_and_job_shape(name):
    if name not in bundled_names():
        pytest.skip(f"{name} is not bundled")
    document = load_document(name)
    profile = profile_for(document)
    surface = build(document, profile)
    create, read, cancel, pointer = EXPECTED[name]
    assert profile.name == name
    assert surface.primary_create.label == create
    assert surface.primary_create.example_body() is not None
    assert surface.get_job.operation.label == read
    assert (surface.cancel_job.operation.label if surface.cancel_job else None) == cancel
    assert surface.id_pointer(surface.primary_create) == pointer
    assert "webhook_url" not in str(surface.primary_create.example_body())


def test_every_vendor_document_requires_credentials_and_has_an_error_schema():
    for name in EXPECTED:
        if name not in bundled_names():
            continue
        document = load_document(name)
        assert document.component_validator(profile_for(document).envelope_schema) is not None
        assert any(operation.secured for operation in document.operations)


def test_unknown_spec_is_a_usage_error():
    with pytest.raises(UsageError, match="neither a file"):
        load_document("no-such-document")


def test_catalog_ids_are_unique_and_every_rule_is_described():
    rules = all_rules()
    assert {"AUTH-MISSING", "IDEMP-PARALLEL", "RESULTS-IMAGES", "SCHEMA-response_schema_conformance"} <= set(rules)
    for rule in rules.values():
        assert rule.title and rule.source and rule.severity.value in ("MUST", "SHOULD")
    assert [rule.id for rule in rules.values() if rule.opt_in] == ["RATE-LIMIT-15"]


def test_pointer_get_reads_objects_and_lists():
    assert pointer_get({"a": [{"b": 3}]}, "/a/0/b") == 3
    assert pointer_get({"a": 1}, "/missing", "default") == "default"
    assert pointer_get({"a": 1}, "") == {"a": 1}
