"""RATE-LIMIT-*: consistent X-RateLimit-* headers, Retry-After on 429, and ProductAI's documented 15/minute."""

from __future__ import annotations

from conformance.catalog import rule
from conformance.context import CheckContext
from conformance.envelopes import envelope_problem
from conformance.probe import Exchange
from conformance.verdicts import failed, not_applicable, passed

NAMES = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def _integer(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def header_problem(exchange: Exchange) -> str | None:
    if exchange.status == 429:
        value = exchange.header("retry-after")
        if value is None:
            return "429 without Retry-After"
        if _integer(value) is None or int(value) < 0:
            return f"Retry-After {value!r} is not a non-negative integer of seconds"
    present = {name: exchange.header(name) for name in NAMES if exchange.header(name) is not None}
    if not present:
        return None
    if len(present) != len(NAMES):
        return f"only {sorted(present)} of the X-RateLimit-* headers are present"
    limit, remaining, reset = (_integer(present[name]) for name in NAMES)
    if limit is None or remaining is None or reset is None:
        return f"X-RateLimit-* values are not integers: {present}"
    if not 0 <= remaining <= limit or reset < 0:
        return f"inconsistent X-RateLimit-* values: {present}"
    return None


@rule(
    "RATE-LIMIT-HEADERS",
    title="X-RateLimit-* are consistent integers; every 429 carries Retry-After",
    source="inferred (rate-limit headers and Retry-After are the documents' inferred components/headers)",
    severity="SHOULD",
    order=97,
)
def rate_limit_headers(ctx: CheckContext):
    exchanges = [item for item in list(ctx.probe.journal) if item.url.startswith(ctx.probe.base_url)]
    if not exchanges:
        for operation in ctx.document.operations:
            if operation.method == "get" and not operation.parameter("path"):
                exchanges.append(ctx.probe.request("get", operation.fill_path(), operation=operation.label))
    observed = [item for item in exchanges if item.status == 429 or item.header(NAMES[0]) is not None]
    if not observed:
        return [not_applicable("no rate-limit header and no 429 observed")]
    bad = [(item, header_problem(item)) for item in observed]
    bad = [(item, problem) for item, problem in bad if problem]
    if bad:
        return [failed(None, bad[0][1], *[item.evidence() for item, _ in bad[:3]])]
    return [passed(None, f"{len(observed)} responses with rate-limit information")]


@rule(
    "RATE-LIMIT-15",
    title="ProductAI /api: the 16th request within a minute is 429 with Retry-After",
    source="seed 002: 'Rate Limiting: 15 requests per minute per IP address.'",
    surfaces=("productai",),
    opt_in=True,
    order=95,
)
def rate_limit_15(ctx: CheckContext):
    limit = ctx.profile.rate_limit_per_minute
    if not limit:
        return [not_applicable("the profile states no per-minute limit")]
    target = ctx.document.find(method="get", path=ctx.profile.balance_path or "")
    if target is None:
        target = next(
            (op for op in ctx.document.operations if op.method == "get" and not op.parameter("path")), None
        )
    if target is None:
        return [not_applicable("no parameterless GET operation to count requests with")]
    sent = []
    for _ in range(limit + 1):
        exchange = ctx.probe.request("get", target.fill_path(), operation=target.label, wait_on_429=False)
        sent.append(exchange)
        if exchange.status == 429:
            break
    last = sent[-1]
    if last.status != 429:
        return [failed(target.label, f"{len(sent)} requests within a minute, none answered 429", last.evidence())]
    problem = header_problem(last) or envelope_problem(ctx, last)
    if problem:
        return [failed(target.label, problem, last.evidence())]
    return [passed(target.label, f"429 after {len(sent)} requests")]
