"""Schemathesis against the sandbox over real HTTP, for all five documents.

Phases examples, coverage and fuzzing, every built-in check, a fixed seed. Each run must end with
no failure at all, and every operation must have answered at least one 2xx during the run (a
fuzzer that only ever meets 400s and 404s proves little). Path parameters that name resources
(job ids, result files, accounts, documents) draw, half of the time, from ids that exist on the
server, prepared before the run; the other half are fuzzed.

Size: ``DARKROOM_FULL_FUZZ=1`` runs 100 examples per operation in the fuzzing phase (minutes);
the default is a smaller run that keeps this file around a minute on two cores.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import schemathesis
from schemathesis.engine import events, from_schema

REPO = Path(__file__).resolve().parents[1]
FULL = os.environ.get("DARKROOM_FULL_FUZZ") == "1"
MAX_EXAMPLES = 100 if FULL else 25
SEED = 20260101
CHECKS = (
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
    "response_schema_conformance", "negative_data_rejection", "positive_data_acceptance",
    "missing_required_header", "unsupported_method", "allow_header_conformance", "use_after_free",
    "ensure_resource_availability", "ignored_auth", "object_level_authorization",
)
PHASES = ("examples", "coverage", "fuzzing")
AUTH = {
    "aigenstudio-product-photo": {"Authorization": "Bearer sandbox_fuzz_photo"},
    "aigenstudio-image": {"Authorization": "Bearer sandbox_fuzz_image"},
    "productai": {"x-api-key": "sandbox_fuzz_productai"},
    "productai-v1": {"Authorization": "Bearer sandbox_fuzz_v1"},
    "sandbox-control": {},
}


@dataclass
class Outcome:
    statuses: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    operations: set[str] = field(default_factory=set)


def run(document: str, base_url: str, dictionaries: dict[str, list], *, exclude: tuple[str, ...] = (),
        only: str | None = None, phases: tuple[str, ...] = PHASES) -> Outcome:
    """One engine run; ``dictionaries`` maps a path parameter to values that exist on the server.

    ``exclude`` / ``only`` name operationIds to leave out of, or to restrict, the run.
    """
    config = schemathesis.Config.from_dict({
        "base-url": base_url,
        "headers": AUTH[document],
        "workers": 1,
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "phases": {name: {"enabled": name in phases} for name in (*PHASES, "stateful")},
        "suppress-health-check": ["all"],
        "dictionaries": {name: {"values": values} for name, values in dictionaries.items()},
        "parameters": {f"path.{name}": {"dictionary": name, "probability": 0.5} for name in dictionaries},
    })
    schema = schemathesis.openapi.from_path(REPO / "openapi" / f"{document}.yaml", config=config)
    if exclude:
        schema = schema.exclude(operation_id=list(exclude))
    if only:
        schema = schema.include(operation_id=only)
    outcome = Outcome()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            _collect(outcome, event.recorder)
        elif isinstance(event, events.NonFatalError):
            outcome.errors.append(f"{event.label}: {event.info.message[:400]}")
        elif isinstance(event, events.FatalError):
            outcome.errors.append(f"fatal: {str(event.exception)[:400]}")
    return outcome


def _collect(outcome: Outcome, recorder) -> None:
    for case_id, interaction in recorder.interactions.items():
        node = recorder.cases.get(case_id)
        if node is not None and interaction.response is not None:
            label = node.value.operation.label
            outcome.operations.add(label)
            outcome.statuses[label].add(interaction.response.status_code)
    for checks in recorder.checks.values():
        for check in checks:
            if check.failure_info is None:
                continue
            failure = check.failure_info.failure
            outcome.failures.append(f"{check.name}: {failure.title}: {failure.message[:300]}\n"
                                    f"    {check.failure_info.code_sample[:1200]}")


def assert_clean(outcome: Outcome, document: str) -> None:
    unique_failures = sorted(set(outcome.failures))
    assert not outcome.errors, "\n".join(outcome.errors)
    assert not unique_failures, f"{len(unique_failures)} distinct failures:\n" + "\n".join(unique_failures[:20])
    expected = {f"{op.method.upper()} {op.path}" for op in _operations(document)}
    assert outcome.operations == expected, f"untested: {sorted(expected - outcome.operations)}"
    never_ok = {label: sorted(codes) for label, codes in outcome.statuses.items()
                if not any(200 <= code < 300 for code in codes)}
    assert not never_ok, f"operations that never answered 2xx: {never_ok}"


def _operations(document: str):
    import yaml

    doc = yaml.safe_load((REPO / "openapi" / f"{document}.yaml").read_text(encoding="utf-8"))
    return [type("Op", (), {"method": m, "path": p}) for p, item in doc["paths"].items() for m in item
            if m in ("get", "put", "post", "delete", "patch")]


# --- resources that exist before the run --------------------------------------------------------------


def _wait(client: httpx.Client, urls: list[str], headers: dict, done) -> list[dict]:
    deadline, bodies = time.monotonic() + 20, []
    for url in urls:
        while True:
            body = client.get(url, headers=headers).json()
            if done(body) or time.monotonic() > deadline:
                bodies.append(body)
                break
            time.sleep(0.05)
    return bodies


def prepare(server) -> dict[str, dict[str, list]]:
    """Completed jobs (readable results), slow jobs (cancellable), result files and known names."""
    base = server.base
    found: dict[str, dict[str, list]] = {}
    with httpx.Client(timeout=30) as client:
        photo, image = AUTH["aigenstudio-product-photo"], AUTH["aigenstudio-image"]
        ids = {"aigenstudio-product-photo": [], "aigenstudio-image": []}
        for n in range(12):
            slow = "sandbox-slow" if n % 2 else "plain"
            url = f"https://client.example/images/{slow}-{n}.jpg"
            made = client.post(base("aigenstudio-product-photo") + "/product-photo-jobs",
                               headers={**photo, "Idempotency-Key": f"prep-photo-{n:04d}"},
                               json={"images": [{"source_url": url}]})
            ids["aigenstudio-product-photo"].append(made.json()["job"]["id"])
            made = client.post(base("aigenstudio-image") + "/remove-background",
                               headers={**image, "Idempotency-Key": f"prep-image-{n:04d}"},
                               json={"input": [{"image_url": url}]})
            ids["aigenstudio-image"].append(made.json()["job"]["id"])
        found["aigenstudio-product-photo"] = {"job_id": ids["aigenstudio-product-photo"]}
        found["aigenstudio-image"] = {"job_id": ids["aigenstudio-image"]}
        productai = AUTH["productai"]
        numbers = [client.post(base("productai") + "/api/generate", headers=productai,
                               json={"image_url": f"https://example.com/p{n}.jpg", "prompt": "x", "model": "gpt-low"}
                               ).json()["data"]["id"] for n in range(4)]
        found["productai"] = {"jobId": numbers}
        v1 = AUTH["productai-v1"]
        v1_ids = [client.post(base("productai-v1") + "/v1/generate", headers=v1,
                              json={"model": "nanobanana", "image_url": f"https://example.com/p{n}.jpg", "prompt": "x"}
                              ).json()["job_id"] for n in range(4)]
        found["productai-v1"] = {"job_id": v1_ids}
        plain = [job for n, job in enumerate(ids["aigenstudio-image"]) if n % 2 == 0][:3]
        bodies = _wait(client, [f"{base('aigenstudio-image')}/jobs/{j}" for j in plain], image,
                       lambda b: b["job"]["status"] == "completed")
        files = [r["url"].rsplit("/", 1)[1] for b in bodies for r in b["job"]["results"] if "url" in r]
        documents = [f"{name}.{ext}" for name in AUTH for ext in ("json", "yaml")]
        found["sandbox-control"] = {"filename": files + documents, "account_id": ["live_demo", "live_empty"]}
    return found


@pytest.fixture(scope="module")
def fuzz_server(server_factory):
    # Jobs finish in half a second unless they carry ``sandbox-slow`` (then they take 500 s).
    return server_factory(slow_factor=1000.0)


@pytest.fixture(scope="module")
def prepared(fuzz_server):
    return prepare(fuzz_server)


@pytest.mark.parametrize("document", [
    "aigenstudio-product-photo",
    "aigenstudio-image",
    "productai",
    "productai-v1",
])
def test_vendor_document(document, fuzz_server, prepared):
    outcome = run(document, fuzz_server.base(document), prepared[document])
    assert_clean(outcome, document)


def test_control_document(fuzz_server, prepared):
    """Three runs, so that state changes cannot starve other operations of a 2xx: first everything
    but the clock advance and the reset; then the advance, on a manual clock; last the reset, which
    wipes the result files and jobs the others read."""
    document = "sandbox-control"
    base, values = fuzz_server.base(document), prepared[document]
    outcome = run(document, base, values, exclude=("advanceClock", "reset"))
    httpx.put(base + "/clock", json={"mode": "manual"}, timeout=30)  # its answer is checked by the runs
    for later in (run(document, base, values, only="advanceClock"), run(document, base, values, only="reset")):
        for label, codes in later.statuses.items():
            outcome.statuses[label] |= codes
        outcome.operations |= later.operations
        outcome.failures += later.failures
        outcome.errors += later.errors
    assert_clean(outcome, document)


@pytest.mark.parametrize("document", ["aigenstudio-product-photo", "aigenstudio-image", "productai", "productai-v1"])
def test_stateful_phase_follows_the_links(document, fuzz_server, prepared):
    """The create operations link to the job read (and cancel): Schemathesis chains them."""
    outcome = run(document, fuzz_server.base(document), prepared[document], phases=("stateful",))
    assert not outcome.errors, "\n".join(outcome.errors)
    assert not outcome.failures, "\n".join(sorted(set(outcome.failures))[:20])
    reads = [label for label, codes in outcome.statuses.items() if "{" in label and any(200 <= c < 300 for c in codes)]
    assert reads, f"the stateful run never read a created job back: {dict(outcome.statuses)}"
