"""IDEMP-*: the AI Gen Studio Idempotency-Key contract on every create operation."""

from __future__ import annotations

import threading
from typing import Any

from conformance.catalog import rule
from conformance.context import CheckContext, fresh_key
from conformance.document import Operation
from conformance.envelopes import expect_error
from conformance.verdicts import failed, not_applicable, passed

SURFACES = ("aigenstudio-product-photo", "aigenstudio-image")
SEED = "seeds 000/004: Idempotency-Key parameter, '200 Existing idempotent job returned', '409 IdempotencyConflict'"


def _operations(ctx: CheckContext):
    for operation in ctx.surface.creates:
        if not operation.has_header("Idempotency-Key"):
            continue
        if operation.example_body() is None:
            yield operation, None
        else:
            yield operation, operation.example_body()


def _per_operation(ctx: CheckContext, check):
    verdicts = []
    for operation, body in _operations(ctx):
        if body is None:
            verdicts.append(not_applicable("no example request body in the document", operation.label))
        else:
            verdicts.append(check(ctx, operation, body))
    return verdicts or [not_applicable("no create operation takes an Idempotency-Key")]


def varied(body: Any) -> Any:
    """The same request with one image URL changed: still valid, no longer the same body."""
    done = [False]

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, str) and value.startswith("http") and not done[0]:
            done[0] = True
            return value + ("&" if "?" in value else "?") + "variant=2"
        return value

    changed = walk(body)
    if not done[0] and isinstance(changed, dict):
        changed = {**changed, "instructions": "darkroom conformance variant"}
    return changed


def _replay(ctx: CheckContext, operation: Operation, body: Any):
    key = fresh_key()
    first = ctx.create(operation, body=body, idempotency_key=key)
    if first.status not in (200, 201, 202):
        return failed(operation.label, f"first create answered {first.status}", first.evidence())
    second = ctx.create(operation, body=body, idempotency_key=key)
    if second.status != 200:
        return failed(operation.label, f"replay answered {second.status}, expected 200", first.evidence(), second.evidence())
    one, two = ctx.job_id(operation, first), ctx.job_id(operation, second)
    if one is None or one != two:
        return failed(operation.label, f"replay returned job {two!r}, first create {one!r}", first.evidence(), second.evidence())
    header = second.header("Idempotent-Replayed")
    if header is not None and header != "true":
        return failed(operation.label, f"Idempotent-Replayed is {header!r}", second.evidence())
    before, after = ctx.balance(first), ctx.balance(second)
    if before is not None and after is not None and after != before:
        return failed(operation.label, f"replay changed the balance from {before} to {after}", second.evidence())
    return passed(operation.label)


def _conflict(ctx: CheckContext, operation: Operation, body: Any):
    key = fresh_key()
    first = ctx.create(operation, body=body, idempotency_key=key)
    if first.status not in (200, 201, 202):
        return failed(operation.label, f"first create answered {first.status}", first.evidence())
    second = ctx.create(operation, body=varied(body), idempotency_key=key)
    problem = expect_error(ctx, second, (409,))
    if problem:
        return failed(operation.label, f"same key, different body: {problem}", first.evidence(), second.evidence())
    return passed(operation.label)


def _parallel(ctx: CheckContext, operation: Operation, body: Any):
    key, count = fresh_key(), ctx.options.parallel_requests
    barrier = threading.Barrier(count)
    exchanges: list = [None] * count

    def send(index: int) -> None:
        barrier.wait(timeout=10)
        exchanges[index] = ctx.create(operation, body=body, idempotency_key=key)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    done = [exchange for exchange in exchanges if exchange is not None]
    odd = [exchange for exchange in done if exchange.status not in (200, 201, 202, 409)]
    if odd:
        return failed(operation.label, f"parallel same-key create answered {odd[0].status}", odd[0].evidence())
    jobs = {ctx.job_id(operation, exchange) for exchange in done if exchange.status in (200, 201, 202)}
    if len(jobs) != 1:
        return failed(
            operation.label,
            f"{count} parallel creates with one key made {len(jobs)} jobs",
            *[exchange.evidence() for exchange in done[:3]],
        )
    replay = ctx.create(operation, body=body, idempotency_key=key)
    if replay.status != 200 or ctx.job_id(operation, replay) not in jobs:
        return failed(operation.label, f"replay after the burst answered {replay.status}", replay.evidence())
    return passed(operation.label)


def _header(ctx: CheckContext, operation: Operation, body: Any):
    schema = ctx.document.resolve(operation.parameter("header", "Idempotency-Key")[0].get("schema", {}))
    bad = "k" * max(1, int(schema.get("minLength", 8)) - 1)
    missing = ctx.probe.request(operation.method, operation.fill_path(), json_body=body, operation=operation.label)
    problem = expect_error(ctx, missing, (400,))
    if problem:
        return failed(operation.label, f"create without Idempotency-Key: {problem}", missing.evidence())
    malformed = ctx.create(operation, body=body, idempotency_key=bad)
    problem = expect_error(ctx, malformed, (400,))
    if problem:
        return failed(operation.label, f"Idempotency-Key {bad!r}: {problem}", malformed.evidence())
    return passed(operation.label)


@rule("IDEMP-REPLAY", title="Same key and body: 200, same job, no new charge", source=SEED, surfaces=SURFACES)
def idempotent_replay(ctx: CheckContext):
    return _per_operation(ctx, _replay)


@rule("IDEMP-CONFLICT", title="Same key, different body: 409", source=SEED, surfaces=SURFACES)
def idempotent_conflict(ctx: CheckContext):
    return _per_operation(ctx, _conflict)


@rule(
    "IDEMP-PARALLEL",
    title="Parallel same-key creates make one job",
    source="inferred (seed 000: 'Stable key for safely retrying one logical create request')",
    severity="SHOULD",
    surfaces=SURFACES,
)
def idempotent_parallel(ctx: CheckContext):
    return _per_operation(ctx, _parallel)


@rule(
    "IDEMP-HEADER",
    title="Missing or malformed Idempotency-Key: 400",
    source="seeds 000/004: Idempotency-Key required, minLength 8; '400 ... idempotency header is invalid'",
    surfaces=SURFACES,
)
def idempotency_header(ctx: CheckContext):
    return _per_operation(ctx, _header)
