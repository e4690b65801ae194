"""CREDITS-*: sandbox keys are never charged; a live key without credits gets 402."""

from __future__ import annotations

from conformance.catalog import rule
from conformance.context import CheckContext
from conformance.envelopes import error_verdict
from conformance.verdicts import failed, not_applicable, passed


@rule(
    "CREDITS-SANDBOX",
    title="A sandbox key is never charged",
    source="seed 000: 'Sandbox keys ... return simulated results without calling paid providers or consuming "
    "credits'; inferred for ProductAI",
)
def credits_sandbox(ctx: CheckContext):
    if ctx.options.key_mode != "sandbox":
        return [not_applicable("the key is a live key (--key-mode live)")]
    operation = ctx.surface.primary_create
    if operation is None:
        return [not_applicable("no create operation with an example body")]
    inferred = ctx.profile.balance_in_create is None
    if ctx.profile.balance_in_create:
        first, second = ctx.create(operation), ctx.create(operation)
        before, after = ctx.balance(first), ctx.balance(second)
        evidence = [first.evidence(), second.evidence()]
        job = ctx.created_job(operation, second) or {}
        flag = ctx.profile.sandbox_flag
        if flag and flag in job and job[flag] is not True:
            return [failed(operation.label, f"job.{flag} is {job[flag]!r} for a sandbox key", *evidence)]
    elif ctx.profile.balance_path:
        # ProductAI deducts when a job starts: follow a fresh job to its end before reading again.
        before = ctx.balance()
        create = ctx.create(operation)
        if ctx.surface.get_job is not None:
            ctx.follow(operation, create)
        after = ctx.balance()
        evidence = [create.evidence()]
    else:
        return [not_applicable("the profile knows no way to read the balance")]
    if before is None or after is None:
        return [not_applicable("the balance could not be read", operation.label)]
    if after != before:
        return [failed(operation.label, f"balance went from {before} to {after}", *evidence, inferred=inferred)]
    return [passed(operation.label, f"balance stayed {before}", inferred=inferred)]


@rule(
    "CREDITS-402",
    title="A live key without credits gets 402 in the vendor envelope",
    source="seeds 000/004 (402 InsufficientApiCredits), 002 (OUT_OF_TOKENS 402), 003 (insufficient_credits 402)",
)
def credits_402(ctx: CheckContext):
    if ctx.empty is None:
        return [not_applicable("needs --empty-key and --allow-billable")]
    operation = ctx.surface.primary_create
    if operation is None:
        return [not_applicable("no create operation with an example body")]
    exchange = ctx.create(operation, probe=ctx.empty)
    return [error_verdict(ctx, operation.label, exchange, (402,), "create with an empty live key")]
