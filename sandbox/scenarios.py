"""Documented magic inputs that steer a job, and the forced-error header.

Magic tokens are plain substrings, so they work in any image URL, prompt or instructions field
without changing a request's shape. ``X-Sandbox-Scenario`` forces an error response the
operation documents; it is handled in front of the vendor documents and appears in none of them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

SCENARIO_HEADER = "x-sandbox-scenario"

MAGIC = {
    "sandbox-fail": "in an image URL: that item fails (AI Gen Studio: partially_completed or failed); "
                    "in a ProductAI prompt or URL: the job ends in ERROR / failed",
    "sandbox-unreachable": "in an image URL (or host unreachable.invalid): the image cannot be fetched; "
                           "ProductAI answers 400 INVALID_IMAGE_URL at submission, AI Gen Studio fails the item",
    "sandbox-content-policy": "in Product Photo instructions or an image URL: 422 content_policy_violation",
    "sandbox-slow": "anywhere in the request: the job takes ten times longer in each stage",
}

# Forced errors by name: (error kind, message). Which ones an operation offers comes from its document.
FORCED = {
    "rate_limited": ("rate_limited", "Forced by X-Sandbox-Scenario."),
    "insufficient_credits": ("no_credit", "Forced by X-Sandbox-Scenario."),
    "forbidden": ("forbidden", "Forced by X-Sandbox-Scenario."),
    "conflict": ("idempotency_conflict", "Forced by X-Sandbox-Scenario."),
    "content_policy": ("content_policy", "Forced by X-Sandbox-Scenario."),
    "server_error": ("internal", "Forced by X-Sandbox-Scenario."),
    "not_found": ("not_found", "Forced by X-Sandbox-Scenario."),
}
STATUS_ALIASES = {"429": "rate_limited", "402": "insufficient_credits", "403": "forbidden", "409": "conflict",
                  "422": "content_policy", "500": "server_error", "404": "not_found"}


def unreachable(url: str | None) -> bool:
    if not url:
        return False
    return "sandbox-unreachable" in url or (urlsplit(url).hostname or "") == "unreachable.invalid"


def mentions(token: str, *texts) -> bool:
    return any(isinstance(t, str) and token in t for t in texts)


def slow(*texts) -> bool:
    return mentions("sandbox-slow", *texts)


def forced_error(value: str, documented: frozenset[int], vendor: str):
    """The error an ``X-Sandbox-Scenario`` value asks for, if the operation documents its status."""
    from sandbox import codes
    from sandbox.errors import ApiError

    name = STATUS_ALIASES.get(value.strip(), value.strip())
    if name not in FORCED:
        known = ", ".join(sorted(FORCED))
        return ApiError("scenario", f"Unknown scenario {value!r}; known: {known} (or their status codes).")
    kind, message = FORCED[name]
    status = codes.lookup(vendor, kind)[0]
    if status not in documented:
        offered = ", ".join(str(s) for s in sorted(documented) if s >= 400)
        return ApiError("scenario", f"This operation does not document {status} ({name}); it documents {offered}.")
    extra, headers = {}, {}
    if kind == "rate_limited":
        extra, headers = {"retry_after": 60}, {"Retry-After": "60"}
    return ApiError(kind, message, extra=extra, headers=headers)
