"""ENVELOPE-ERRORS and ALLOW-405: every error, framework ones included, speaks the vendor's envelope."""

from __future__ import annotations

import uuid
from collections import defaultdict

from conformance.catalog import rule
from conformance.context import CheckContext
from conformance.envelopes import envelope_problem, error_verdict
from conformance.probe import Exchange
from conformance.verdicts import failed, not_applicable, passed

UNUSED_METHODS = ("DELETE", "PUT", "PATCH")


def wrong_method_exchanges(ctx: CheckContext) -> list[tuple[str, set[str], Exchange]]:
    """One request per documented path with a method the path does not document."""

    def probe():
        found = []
        for path in dict.fromkeys(operation.path for operation in ctx.document.operations):
            documented = ctx.document.methods_at(path)
            method = next((item for item in UNUSED_METHODS if item not in documented), None)
            if method is None:
                continue
            sample = next(operation for operation in ctx.document.operations if operation.path == path)
            exchange = ctx.probe.request(method, sample.fill_path(), operation=f"{method} {path}")
            found.append((path, documented, exchange))
        return found

    return ctx.memo("wrong-method", probe)


@rule(
    "ENVELOPE-ERRORS",
    title="Every error (404 unknown route and 405 included) uses the vendor envelope",
    source="seed 002: 'All error responses follow this format'; seeds 000/003/004 error schemas; "
    "inferred for framework errors",
    order=80,
)
def envelope_errors(ctx: CheckContext):
    route = f"{ctx.document.path_prefix()}/darkroom-unknown-{uuid.uuid4().hex[:8]}"
    unknown = ctx.probe.request("GET", route, operation="GET <unknown route>")
    inferred = not ctx.profile.envelope_universal
    verdicts = [error_verdict(ctx, "GET <unknown route>", unknown, (404,), "unknown route", inferred=inferred)]
    for path, _documented, exchange in wrong_method_exchanges(ctx):
        label = f"{exchange.method} {path}"
        verdicts.append(error_verdict(ctx, label, exchange, (405,), "undocumented method", inferred=inferred))
    labels = {operation.label for operation in ctx.document.operations}
    seen: dict[str, list[Exchange]] = defaultdict(list)
    for exchange in list(ctx.probe.journal):
        if exchange.status >= 400 and exchange.operation in labels:
            seen[exchange.operation].append(exchange)
    for label, exchanges in seen.items():
        bad = [(exchange, envelope_problem(ctx, exchange)) for exchange in exchanges]
        bad = [(exchange, problem) for exchange, problem in bad if problem]
        if bad:
            verdicts.append(
                failed(
                    label,
                    f"{len(bad)} of {len(exchanges)} observed errors are off-envelope: {bad[0][1]}",
                    *[exchange.evidence() for exchange, _ in bad[:3]],
                )
            )
        else:
            verdicts.append(passed(label, f"{len(exchanges)} observed errors in the envelope"))
    return verdicts


@rule(
    "ALLOW-405",
    title="405 carries an Allow header listing the documented methods",
    source="inferred (RFC 9110 section 15.5.6: a 405 response MUST carry Allow)",
    severity="SHOULD",
)
def allow_405(ctx: CheckContext):
    verdicts = []
    for path, documented, exchange in wrong_method_exchanges(ctx):
        label = f"{exchange.method} {path}"
        if exchange.status != 405:
            verdicts.append(not_applicable(f"answered {exchange.status}, not 405", label))
            continue
        allow = {item.strip().upper() for item in (exchange.header("allow") or "").split(",") if item.strip()}
        missing = documented - allow
        if missing:
            verdicts.append(
                failed(label, f"Allow is {exchange.header('allow')!r}, lacks {sorted(missing)}", exchange.evidence())
            )
        else:
            verdicts.append(passed(label))
    return verdicts or [not_applicable("every path documents DELETE, PUT and PATCH")]
