"""Fuzz campaign: Schemathesis, every phase and every check, on all five documents, over real HTTP.

What it proves: for each document, thousands of generated requests (schema examples, coverage
cases, random fuzzing and stateful sequences along the documents' links) get answers that are
documented, well-formed and consistent: no 5xx, no undocumented status, bodies and headers
matching their schemas, valid data accepted, invalid data refused, auth enforced.

Each document runs against its own fresh ``darkroom serve --no-rate-limits`` (control-plane
calls such as ``POST /_sandbox/reset`` must not starve the others), prepared with a few jobs and
result files whose ids the fuzzer draws from half of the time.

    python scripts/fuzz_all.py --examples 1000 [--documents productai,productai-v1] [--seed N]

Exit status 1 on any failure or engine error; failures are printed per document with a
reproducing request.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict

import httpx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from serverproc import REPO, ServerProcess, jobs_config  # noqa: E402

KEY = "sandbox_fuzz"
DOCUMENTS = {  # name -> (public base, auth headers)
    "aigenstudio-product-photo": ("/aigenstudio/api/v1", {"Authorization": f"Bearer {KEY}"}),
    "aigenstudio-image": ("/aigenstudio/api/v1", {"Authorization": f"Bearer {KEY}"}),
    "productai": ("/productai/v1", {"x-api-key": KEY}),
    "productai-v1": ("/productai", {"Authorization": f"Bearer {KEY}"}),
    "sandbox-control": ("/_sandbox", {}),
}
PHASES = ("examples", "coverage", "fuzzing", "stateful")


def prepare(url: str) -> dict[str, dict[str, list]]:
    """Jobs that finish, jobs that stay cancellable (``sandbox-slow``), result files, known names."""
    found: dict[str, dict[str, list]] = {}
    bearer, api_key = DOCUMENTS["aigenstudio-image"][1], DOCUMENTS["productai"][1]
    with httpx.Client(base_url=url, timeout=30) as client:
        photo, image = [], []
        for n in range(8):
            source = f"https://client.example/{'sandbox-slow' if n % 2 else 'plain'}-{n}.jpg"
            photo.append(client.post("/aigenstudio/api/v1/product-photo-jobs", json={"images": [{"source_url": source}]},
                                     headers={**bearer, "Idempotency-Key": f"prep-photo-{n:04d}"}).json()["job"]["id"])
            image.append(client.post("/aigenstudio/api/v1/remove-background", json={"input": [{"image_url": source}]},
                                     headers={**bearer, "Idempotency-Key": f"prep-image-{n:04d}"}).json()["job"]["id"])
        numbers = [client.post("/productai/v1/api/generate", headers=api_key, json={
            "image_url": f"https://client.example/p{n}.jpg", "prompt": "x", "model": "gpt-low"}).json()["data"]["id"]
            for n in range(4)]
        v1 = [client.post("/productai/v1/generate", headers=bearer, json={
            "model": "nanobanana", "image_url": f"https://client.example/p{n}.jpg", "prompt": "x"}).json()["job_id"]
            for n in range(4)]
        files: list[str] = []
        deadline = time.monotonic() + 30
        for job_id in image[0::2][:3]:
            while time.monotonic() < deadline:
                job = client.get(f"/aigenstudio/api/v1/jobs/{job_id}", headers=bearer).json()["job"]
                if job["status"] == "completed":
                    files += [r["url"].rsplit("/", 1)[1] for r in job["results"] if r.get("url")]
                    break
                time.sleep(0.1)
    found["aigenstudio-product-photo"] = {"job_id": photo}
    found["aigenstudio-image"] = {"job_id": image}
    found["productai"] = {"jobId": numbers}
    found["productai-v1"] = {"job_id": v1}
    documents = [f"{name}.{ext}" for name in DOCUMENTS for ext in ("json", "yaml")]
    found["sandbox-control"] = {"filename": files + documents, "account_id": ["live_demo", "live_empty"]}
    return found


def fuzz(document: str, url: str, dictionaries: dict, args) -> dict:
    import schemathesis
    from schemathesis.engine import events, from_schema

    base, headers = DOCUMENTS[document]
    config = schemathesis.Config.from_dict({
        "base-url": url + base,
        "headers": headers,
        "workers": args.workers,
        "seed": args.seed,
        "generation": {"max-examples": args.examples, "database": "none"},
        "checks": {"enabled": True},
        "phases": {name: {"enabled": name in args.phases} for name in PHASES},
        "suppress-health-check": ["all"],
        "dictionaries": {name: {"values": values} for name, values in dictionaries.items()},
        "parameters": {f"path.{name}": {"dictionary": name, "probability": 0.5} for name in dictionaries},
    })
    schema = schemathesis.openapi.from_path(REPO / "openapi" / f"{document}.yaml", config=config)
    outcome = {"cases": 0, "phases": Counter(), "statuses": defaultdict(Counter), "failures": {}, "errors": []}
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            before = outcome["cases"]
            _collect(outcome, event.recorder)
            phase = str(getattr(event, "phase", "fuzzing"))
            outcome["phases"][phase] += outcome["cases"] - before
        elif isinstance(event, events.NonFatalError):
            outcome["errors"].append(f"{event.label}: {event.info.message[:400]}")
        elif isinstance(event, events.FatalError):
            outcome["errors"].append(f"fatal: {str(event.exception)[:400]}")
    return outcome


def _collect(outcome: dict, recorder) -> None:
    for case_id, interaction in recorder.interactions.items():
        node = recorder.cases.get(case_id)
        if node is not None and interaction.response is not None:
            outcome["cases"] += 1
            outcome["statuses"][node.value.operation.label][interaction.response.status_code] += 1
    for case_id, checks in recorder.checks.items():
        node = recorder.cases.get(case_id)
        label = node.value.operation.label if node is not None else "?"
        for check in checks:
            if check.failure_info is None:
                continue
            failure = check.failure_info.failure
            key = (label, check.name, failure.title)
            if key not in outcome["failures"]:
                outcome["failures"][key] = [0, failure.message[:400], check.failure_info.code_sample[:1500]]
            outcome["failures"][key][0] += 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--examples", type=int, default=1000, help="examples per operation and phase (default 1000)")
    p.add_argument("--documents", default=",".join(DOCUMENTS), help="comma-separated document names")
    p.add_argument("--phases", default=",".join(PHASES), help="comma-separated phases (default: all four)")
    p.add_argument("--seed", type=int, default=20260101)
    p.add_argument("--workers", type=int, default=1, help="Schemathesis workers")
    args = p.parse_args(argv)
    args.phases = [x for x in args.phases.split(",") if x]
    documents = [d for d in args.documents.split(",") if d]
    unknown = sorted(set(documents) - set(DOCUMENTS)) + sorted(set(args.phases) - set(PHASES))
    if unknown:
        p.error(f"unknown documents or phases: {unknown}")
    total_failures = total_errors = 0
    config = jobs_config(0.2, 0.3, slow_factor=1000.0)
    try:
        for document in documents:
            began = time.monotonic()
            server = ServerProcess(config=config, seed=args.seed).start()
            try:
                outcome = fuzz(document, server.url, prepare(server.url)[document], args)
            finally:
                server.stop()
            total_failures += len(outcome["failures"])
            total_errors += len(outcome["errors"])
            _print(document, outcome, time.monotonic() - began)
            if outcome["failures"] or outcome["errors"]:
                print(f"   server log (tracebacks): {server.log_path}")
            else:
                server.discard_log()
    finally:
        os.unlink(config)
    print(f"fuzz: {len(documents)} documents, {args.examples} examples, phases {','.join(args.phases)}: "
          f"{total_failures} distinct failures, {total_errors} errors")
    return 1 if total_failures or total_errors else 0


def _print(document: str, outcome: dict, seconds: float) -> None:
    five = sum(n for codes in outcome["statuses"].values() for code, n in codes.items() if code >= 500)
    print(f"== {document}: {outcome['cases']} requests in {seconds:.0f} s, {len(outcome['statuses'])} operations, "
          f"{five} 5xx, {len(outcome['failures'])} distinct failures, {len(outcome['errors'])} errors", flush=True)
    print("   requests per phase: " + ", ".join(f"{phase} {n}" for phase, n in sorted(outcome["phases"].items())))
    for label, codes in sorted(outcome["statuses"].items()):
        print(f"   {label}: " + ", ".join(f"{code}×{n}" for code, n in sorted(codes.items())))
    for (label, check, title), (count, message, sample) in sorted(outcome["failures"].items()):
        print(f"   FAIL {label} [{check}] {title} ({count}×): {message}")
        print("      " + sample.replace("\n", "\n      "))
    for error in outcome["errors"]:
        print(f"   ERROR {error}")


if __name__ == "__main__":
    sys.exit(main())
