"""Error-envelope and request-id judgements, shared by every rule that looks at an error response."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from conformance.context import CheckContext
from conformance.probe import Exchange
from conformance.verdicts import Verdict, failed, passed


def envelope_validator(ctx: CheckContext) -> tuple[str, Draft202012Validator] | tuple[None, None]:
    """The error schema: the profile's component, else whatever the documented 401 responses use."""

    def find():
        validator = ctx.document.component_validator(ctx.profile.envelope_schema)
        if validator is not None:
            return ctx.profile.envelope_schema, validator
        for operation in ctx.document.operations:
            schema = operation.response_schema(401)
            if schema:
                return "the documented 401 schema", ctx.document.validator(schema)
        return None, None

    return ctx.memo("envelope", find)


def envelope_problem(ctx: CheckContext, exchange: Exchange) -> str | None:
    """Why this error response is not in the document's error envelope (None when it is)."""
    body = exchange.json()
    if body is None:
        kind = exchange.header("content-type") or "no content type"
        return f"{exchange.status} body is not JSON ({kind})"
    name, validator = envelope_validator(ctx)
    if validator is None:
        return None if isinstance(body, dict) else f"{exchange.status} body is not a JSON object"
    error = next(iter(validator.iter_errors(body)), None)
    if error is None:
        return None
    where = "/".join(str(part) for part in error.absolute_path) or "(root)"
    return f"{exchange.status} body does not match {name} at {where}: {error.message}"


def expect_error(ctx: CheckContext, exchange: Exchange, statuses: tuple[int, ...]) -> str | None:
    """Why `exchange` is not one of `statuses` in the vendor envelope (None when it is)."""
    if exchange.status not in statuses:
        wanted = " or ".join(str(status) for status in statuses)
        return f"expected {wanted}, got {exchange.status}"
    return envelope_problem(ctx, exchange)


def error_verdict(
    ctx: CheckContext,
    label: str,
    exchange: Exchange,
    statuses: tuple[int, ...],
    attempt: str,
    *,
    inferred: bool = False,
) -> Verdict:
    """PASS when `exchange` is one of `statuses` in the envelope, else FAIL naming the `attempt` made."""
    problem = expect_error(ctx, exchange, statuses)
    if problem:
        return failed(label, f"{attempt}: {problem}", exchange.evidence(), inferred=inferred)
    return passed(label, inferred=inferred)
