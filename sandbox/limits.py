"""Request-rate limits: fixed one-minute windows on the sandbox clock.

ProductAI ``/api/*`` counts per client IP (seed 002: 15 requests/minute per IP); the other vendor
surfaces count per key (inferred defaults in :mod:`sandbox.config`). Windows live in the store,
so they follow the sandbox clock and survive with the rest of the state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WINDOW_SECONDS = 60

# surface -> (what a bucket is keyed by, config limit name, per-account override name)
POLICIES = {
    "aigenstudio-product-photo": ("key", "aigenstudio_requests_per_minute", "requests_per_minute"),
    "aigenstudio-image": ("key", "aigenstudio_requests_per_minute", "requests_per_minute"),
    "productai": ("ip", "productai_requests_per_minute", None),
    "productai-v1": ("key", "productai_v1_requests_per_minute", "requests_per_minute"),
}
# Both AI Gen Studio documents are one vendor host: one bucket per key across them.
BUCKET_FAMILY = {"aigenstudio-product-photo": "aigenstudio", "aigenstudio-image": "aigenstudio",
                 "productai": "productai", "productai-v1": "productai-v1"}


@dataclass
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window resets

    def headers(self) -> dict[str, str]:
        headers = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
                   "X-RateLimit-Reset": str(self.reset)}
        if not self.allowed:
            headers["Retry-After"] = str(self.reset)
        return headers


class RateLimiter:
    def __init__(self, sandbox):
        self.sandbox = sandbox

    def check(self, surface: str, key: str | None, client_ip: str, account_of=None) -> Verdict | None:
        """Count one request; None when the surface (or the sandbox) has no limit.

        ``account_of`` returns the key's account when the caller has already looked it up."""
        sandbox = self.sandbox
        policy = POLICIES.get(surface)
        if policy is None or not sandbox.config.rate_limits:
            return None
        by, limit_name, override = policy
        limit = sandbox.config.limits[limit_name]
        if by == "key":
            account = account_of() if account_of is not None else sandbox.accounts.resolve(key)
            if account is None:
                return None  # unknown keys get their 401 without spending anybody's budget
            identity = key
            if override and override in account.limits:
                limit = account.limits[override]
        else:
            identity = client_ip
        if limit <= 0:
            return None
        now = sandbox.clock.now()
        window = math.floor(now / WINDOW_SECONDS) * WINDOW_SECONDS
        reset = max(1, math.ceil(window + WINDOW_SECONDS - now))
        count = sandbox.store.count_request((BUCKET_FAMILY[surface], identity), window, limit)
        if count is None:
            return Verdict(False, limit, 0, reset)
        return Verdict(True, limit, max(0, limit - count), reset)


# Active-job concurrency per account: surface -> (config limit name, surfaces whose jobs count)
CONCURRENCY = {
    "aigenstudio-product-photo": ("aigenstudio_active_jobs", ("aigenstudio-product-photo", "aigenstudio-image")),
    "aigenstudio-image": ("aigenstudio_active_jobs", ("aigenstudio-product-photo", "aigenstudio-image")),
    "productai-v1": ("productai_v1_active_jobs", ("productai-v1",)),
}


def check_concurrency(sandbox, surface: str, account) -> None:
    """Refuse a new job with 429 while the account already has its limit of unfinished jobs."""
    from sandbox.errors import ApiError

    policy = CONCURRENCY.get(surface)
    if policy is None or not sandbox.config.rate_limits:
        return
    limit_name, counted = policy
    limit = account.limits.get("active_jobs", sandbox.config.limits[limit_name])
    if limit <= 0:
        return
    now = sandbox.clock.now()
    active = [j for s in counted for j in sandbox.store.jobs_of(s, account.id) if not j.finished(now)]
    if len(active) >= limit:
        wait = max(1, math.ceil(min(j.ends_at for j in active) - now))
        raise ApiError("rate_limited", f"Too many active jobs ({len(active)} of {limit}); retry in {wait} seconds.",
                       headers={"Retry-After": str(wait)}, extra={"retry_after": wait})
