"""AUTH-*: every secured operation answers 401 in the vendor envelope to a missing, malformed or unknown key."""

from __future__ import annotations

import uuid

from conformance.catalog import rule
from conformance.context import CheckContext, fresh_key
from conformance.document import Operation
from conformance.envelopes import expect_error
from conformance.verdicts import failed, not_applicable, passed

SOURCE = "seeds 000/004 (401 InvalidApiKey on every operation), 002 (INVALID_API_KEY 401), 003 (unauthorized 401)"


def _send(ctx: CheckContext, operation: Operation, credential: dict[str, str] | None):
    headers = dict(credential or {})
    if operation.has_header("Idempotency-Key"):
        headers["Idempotency-Key"] = fresh_key()
    body = operation.example_body() if operation.spec.get("requestBody") else None
    if operation.spec.get("requestBody") and body is None:
        body = {}
    return ctx.probe.request(
        operation.method,
        operation.fill_path(),
        json_body=body,
        headers=headers,
        auth=False,
        operation=operation.label,
    )


def _matrix(ctx: CheckContext, credential: dict[str, str] | None, what: str):
    for operation in ctx.document.operations:
        if not operation.secured:
            yield not_applicable("the operation does not require a credential", operation.label)
            continue
        exchange = _send(ctx, operation, credential)
        problem = expect_error(ctx, exchange, (401,))
        if problem:
            yield failed(operation.label, f"{what}: {problem}", exchange.evidence(what))
        else:
            yield passed(operation.label)


@rule("AUTH-MISSING", title="No credential: 401 in the vendor envelope", source=SOURCE)
def auth_missing(ctx: CheckContext):
    return _matrix(ctx, None, "request without credential")


@rule("AUTH-MALFORMED", title="Malformed credential: 401 in the vendor envelope", source=SOURCE)
def auth_malformed(ctx: CheckContext):
    return _matrix(ctx, ctx.document.malformed_auth_headers(), "request with a malformed credential")


@rule("AUTH-UNKNOWN", title="Unknown key: 401 in the vendor envelope", source=SOURCE)
def auth_unknown(ctx: CheckContext):
    unknown = ctx.document.auth_headers("unknown_" + uuid.uuid4().hex)
    return _matrix(ctx, unknown, "request with an unknown key")
