"""One Schemathesis run (examples, coverage, fuzzing, stateful phases) through its Python engine API.

The run's check outcomes are tallied per (check, operation); the SCHEMA-* rules read the tally.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field

import schemathesis
from schemathesis.engine import events, from_schema

from conformance.verdicts import Evidence

PHASES = ("examples", "coverage", "fuzzing", "stateful")
MAX_FINDINGS = 3


@dataclass
class Tally:
    passed: int = 0
    failures: list[tuple[str, Evidence]] = field(default_factory=list)
    failed: int = 0


@dataclass
class SchemaResults:
    # check name -> operation label -> tally
    checks: dict[str, dict[str, Tally]] = field(default_factory=lambda: defaultdict(dict))
    errors: dict[str, str] = field(default_factory=dict)
    operations: set[str] = field(default_factory=set)
    fatal: str | None = None

    def tally(self, check: str, label: str) -> Tally:
        return self.checks[check].setdefault(label, Tally())


def available_checks() -> list[str]:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    return CHECKS.get_all_names()


def _config(base_url: str, headers: dict[str, str], *, checks: list[str], phases: tuple[str, ...],
            max_examples: int, seed: int | None) -> schemathesis.Config:
    data: dict = {
        "base-url": base_url,
        "headers": headers,
        "rate-limit": "auto",
        "workers": 1,
        "generation": {"max-examples": max_examples},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in checks}},
        "phases": {name: {"enabled": name in phases} for name in PHASES},
        "suppress-health-check": ["all"],
    }
    if seed is not None:
        data["seed"] = seed
    return schemathesis.Config.from_dict(data)


def _evidence(recorder, case_id: str, info) -> Evidence:
    interaction = recorder.interactions.get(case_id)
    request, response = (interaction.request, interaction.response) if interaction else (None, None)
    body = request.body.decode("utf-8", "replace") if request is not None and request.body else None
    excerpt = ""
    if response is not None:
        excerpt = (response.content or b"")[:600].decode("utf-8", "replace")
    evidence = Evidence(
        method=request.method if request else "",
        url=request.uri if request else "",
        request_headers={key: values[0] for key, values in (request.headers.items() if request else [])},
        request_body=body,
        status=response.status_code if response is not None else None,
        response_headers={key: values[0] for key, values in (response.headers.items() if response is not None else [])},
        response_excerpt=excerpt,
        curl_line=info.code_sample,
    )
    return evidence


def run(
    document: dict,
    base_url: str,
    headers: dict[str, str],
    *,
    checks: list[str],
    phases: tuple[str, ...],
    max_examples: int,
    seed: int | None = None,
    operations: list[str] | None = None,
    progress=None,
) -> SchemaResults:
    results = SchemaResults()
    config = _config(base_url, headers, checks=checks, phases=phases, max_examples=max_examples, seed=seed)
    schema = schemathesis.openapi.from_dict(copy.deepcopy(document), config=config)
    if operations:
        schema = schema.include(name=list(operations))
    for event in from_schema(schema).execute():
        if isinstance(event, events.PhaseStarted) and progress and event.phase.is_enabled:
            progress(f"schemathesis: {event.phase.name.value} phase")
        elif isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            _collect(results, event.recorder)
        elif isinstance(event, events.NonFatalError):
            results.errors[event.label] = event.info.message[:500]
        elif isinstance(event, events.FatalError):
            results.fatal = str(event.exception)[:500]
    return results


def _collect(results: SchemaResults, recorder) -> None:
    for case_id, nodes in recorder.checks.items():
        case = recorder.cases.get(case_id)
        if case is None:
            continue
        label = case.value.operation.label
        results.operations.add(label)
        for node in nodes:
            tally = results.tally(node.name, label)
            if node.failure_info is None:
                tally.passed += 1
                continue
            tally.failed += 1
            if len(tally.failures) < MAX_FINDINGS:
                failure = node.failure_info.failure
                interaction = recorder.interactions.get(case_id)
                status = interaction.response.status_code if interaction and interaction.response else None
                reason = f"{failure.title} (status {status}): {failure.message}".strip().rstrip(":")
                tally.failures.append((reason, _evidence(recorder, case_id, node.failure_info)))
