"""Running a check: resolve the document, build the context, run the selected rules, stamp the verdicts."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from conformance import schema_run
from conformance.catalog import Rule, select
from conformance.context import CheckContext, Options
from conformance.document import Document, SpecNotFound, locate
from conformance.probe import Budget, BudgetExhausted, Probe
from conformance.profiles import profile_for
from conformance.surface import build
from conformance.verdicts import Outcome, Severity, Verdict, failed, not_applicable


class UsageError(Exception):
    """Bad arguments, an unknown document or an unreachable server (exit status 2)."""


@dataclass
class Report:
    spec: str
    profile: str
    base_url: str
    verdicts: list[Verdict] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    started: float = 0.0
    duration: float = 0.0
    requests: int = 0

    @property
    def ok(self) -> bool:
        return not any(verdict.blocking for verdict in self.verdicts)

    def ok_strict(self) -> bool:
        return not any(verdict.outcome is Outcome.FAIL for verdict in self.verdicts)

    def by_rule(self) -> dict[str, list[Verdict]]:
        grouped: dict[str, list[Verdict]] = {item.id: [] for item in self.rules}
        for verdict in self.verdicts:
            grouped.setdefault(verdict.rule_id, []).append(verdict)
        return grouped

    def rule_outcome(self, rule_id: str) -> Outcome:
        outcomes = {verdict.outcome for verdict in self.by_rule().get(rule_id, [])}
        if Outcome.FAIL in outcomes:
            return Outcome.FAIL
        return Outcome.PASS if Outcome.PASS in outcomes else Outcome.NOT_APPLICABLE


def load_document(spec: str) -> Document:
    try:
        name, data = locate(spec)
    except SpecNotFound as exc:
        raise UsageError(str(exc)) from exc
    return Document(name, data)


def _stamp(rule: Rule, verdict: Verdict, document: Document) -> Verdict:
    verdict.rule_id = rule.id
    verdict.source = rule.source
    labels = {operation.label: operation for operation in document.operations}
    operation = labels.get(verdict.operation or "")
    inferred = verdict.inferred or (operation is not None and operation.inferred)
    verdict.severity = Severity.SHOULD if inferred else rule.severity
    return verdict


def _redact(verdict: Verdict, secrets: list[str]) -> None:
    for evidence in verdict.evidence:
        for name, value in list(evidence.request_headers.items()):
            for secret in secrets:
                if secret and secret in value:
                    evidence.request_headers[name] = value.replace(secret, "<live-key>")


def run_check(
    spec: str,
    base_url: str | None,
    key: str,
    *,
    other_key: str | None = None,
    empty_key: str | None = None,
    options: Options | None = None,
    rules: list[str] | None = None,
    skip_rules: list[str] | None = None,
    opt_in: list[str] | None = None,
    max_requests: int | None = None,
    schema_operations: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Report:
    options = options or Options()
    say = progress or (lambda message: None)
    document = load_document(spec)
    base_url = (base_url or document.sandbox_server() or "").rstrip("/")
    if not base_url:
        raise UsageError("no --url given and the document names no Darkroom sandbox server")
    live = options.key_mode == "live" or empty_key is not None
    if live and not options.allow_billable:
        raise UsageError("a live key may spend credits: pass --allow-billable to use it")
    try:
        chosen = select(only=rules or (), skip=skip_rules or (), opt_in=opt_in or ())
    except KeyError as exc:
        raise UsageError(f"unknown rule id: {exc.args[0]}") from exc
    profile = profile_for(document)
    _reachable(base_url, transport)

    budget, journal = Budget(max_requests=max_requests), []
    probes = []

    def probe_for(credential: str, identity: str) -> Probe:
        made = Probe(base_url, document.auth_headers(credential), budget=budget, journal=journal,
                     identity=identity, key=credential, transport=transport)
        probes.append(made)
        return made

    ctx = CheckContext(
        document=document,
        profile=profile,
        surface=build(document, profile),
        probe=probe_for(key, "main"),
        options=options,
        other=probe_for(other_key, "other") if other_key else None,
        empty=probe_for(empty_key, "empty") if empty_key else None,
    )
    report = Report(spec=document.name, profile=profile.name, base_url=base_url, rules=chosen,
                    started=time.time())
    started = time.monotonic()
    secrets = [item for item in (key if options.key_mode == "live" else None, empty_key) if item]
    try:
        schema_rules = [item for item in chosen if item.schema]
        if schema_rules:
            say(f"schemathesis: phases {','.join(options.phases)}, {options.max_examples} examples per operation")
            ctx.schema_results = schema_run.run(
                document.data,
                base_url,
                document.auth_headers(key),
                checks=[item.id.removeprefix("SCHEMA-") for item in schema_rules],
                phases=options.phases,
                max_examples=options.max_examples,
                seed=options.seed,
                operations=schema_operations,
                progress=say,
            )
        for item in chosen:
            say(f"rule {item.id}")
            for verdict in _evaluate(item, ctx):
                _redact(verdict, secrets)
                report.verdicts.append(_stamp(item, verdict, document))
            outcome = report.rule_outcome(item.id)
            say(f"rule {item.id}: {outcome.value}")
    finally:
        for made in probes:
            made.close()
    report.duration = time.monotonic() - started
    report.requests = budget.sent
    return report


def _evaluate(item: Rule, ctx: CheckContext) -> list[Verdict]:
    if not item.applies_to(ctx.profile.name):
        return [not_applicable(f"applies to {', '.join(item.surfaces)} only")]
    try:
        result = item.function(ctx)
        verdicts = [result] if isinstance(result, Verdict) else list(result)
    except BudgetExhausted as exc:
        return [not_applicable(str(exc))]
    except httpx.HTTPError as exc:
        return [failed(None, f"transport error: {type(exc).__name__}: {exc}")]
    return verdicts or [not_applicable("the rule found nothing to check")]


def _reachable(base_url: str, transport: httpx.BaseTransport | None) -> None:
    try:
        with httpx.Client(timeout=5, transport=transport) as client:
            client.get(base_url)
    except httpx.HTTPError as exc:
        raise UsageError(f"server unreachable at {base_url}: {type(exc).__name__}") from exc
