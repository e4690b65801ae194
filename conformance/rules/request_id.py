"""REQUEST-ID: X-Request-Id comes back on every response; the body carries request_id where the schema has it."""

from __future__ import annotations

from collections import defaultdict

from conformance.catalog import rule
from conformance.context import CheckContext
from conformance.document import Operation
from conformance.probe import Exchange
from conformance.verdicts import failed, not_applicable, passed


def _declares_request_id(ctx: CheckContext, schema: dict | None) -> list[str]:
    """Pointers where the response schema declares request_id (top level, or inside `error`)."""
    if not isinstance(schema, dict):
        return []
    properties = ctx.document.properties(schema)
    found = ["/request_id"] if "request_id" in properties else []
    if "request_id" in ctx.document.properties(properties.get("error", {})):
        found.append("/error/request_id")
    return found


def _body_problem(ctx: CheckContext, operation: Operation | None, exchange: Exchange) -> str | None:
    if operation is None:
        return None
    body = exchange.json()
    if not isinstance(body, dict):
        return None
    for pointer in _declares_request_id(ctx, operation.response_schema(exchange.status)):
        current = body
        for token in pointer.strip("/").split("/"):
            current = current.get(token) if isinstance(current, dict) else None
        if not isinstance(current, str) or not current:
            return f"{exchange.status} body lacks {pointer.lstrip('/').replace('/', '.')}"
    return None


@rule(
    "REQUEST-ID",
    title="X-Request-Id echoed on every response; body request_id where the schema has it",
    source="seeds 000/001/004 (request_id in responses, X-Request-Id correlation header); echo inferred",
    order=85,
)
def request_ids(ctx: CheckContext):
    for operation in ctx.document.operations:
        if operation.method == "get" and not operation.parameter("path"):
            ctx.probe.request("get", operation.fill_path(), operation=operation.label)
    operations = {operation.label: operation for operation in ctx.document.operations}
    grouped: dict[str, list[Exchange]] = defaultdict(list)
    for exchange in list(ctx.probe.journal):
        if exchange.operation and exchange.url.startswith(ctx.probe.base_url):
            grouped[exchange.operation].append(exchange)
    if not grouped:
        return [not_applicable("no exchange observed")]
    verdicts = []
    for label, exchanges in grouped.items():
        body_bad, echo_bad = [], []
        for exchange in exchanges:
            problem = _body_problem(ctx, operations.get(label), exchange)
            if problem:
                body_bad.append((exchange, problem))
            sent = exchange.request_headers.get("X-Request-Id")
            if sent and exchange.header("x-request-id") != sent:
                echo_bad.append((exchange, f"sent X-Request-Id {sent!r}, got {exchange.header('x-request-id')!r}"))
        if body_bad:
            verdicts.append(failed(label, body_bad[0][1], *[item.evidence() for item, _ in body_bad[:3]]))
        elif echo_bad:
            verdicts.append(
                failed(label, echo_bad[0][1], *[item.evidence() for item, _ in echo_bad[:3]], inferred=True)
            )
        else:
            verdicts.append(passed(label, f"{len(exchanges)} responses"))
    return verdicts
