"""Per-vendor error code tables: one generic error kind -> (HTTP status, vendor code, message).

Every vendor speaks the same set of error kinds; what differs is data: the case of the codes, the
codes a seed names (ProductAI's table in seed 002, v1's bodies in seed 003), a status or two
(ProductAI documents no 403), and the request fields with a code of their own (``model`` and
``image_url`` on ProductAI). Codes that no seed names are inferred and listed in the README.
"""

from __future__ import annotations

# kind -> (status, code before the vendor's case and overrides, default message)
KINDS = {
    "invalid": (400, "invalid_request", "The request is invalid."),
    "invalid_idempotency_key": (400, "invalid_idempotency_key", "The Idempotency-Key header is missing or invalid."),
    "invalid_image": (400, "invalid_request", "The image could not be read."),
    "scenario": (400, "invalid_scenario", "The requested sandbox scenario is not available for this operation."),
    "unauthorized": (401, "unauthorized", "Invalid or missing API key."),
    "no_credit": (402, "insufficient_credits", "Not enough credits."),
    "forbidden": (403, "forbidden", "API access is not enabled for this account."),
    "not_found": (404, "not_found", "The requested resource was not found."),
    "job_not_found": (404, "not_found", "Job not found."),
    "preset_not_found": (404, "not_found", "Preset not found."),
    "asset_not_found": (404, "not_found", "Asset not found."),
    "method_not_allowed": (405, "method_not_allowed", "Method not allowed."),
    "conflict": (409, "conflict", "The request conflicts with the current state."),
    "idempotency_conflict": (409, "idempotency_conflict",
                             "The idempotency key was already used with a different request body."),
    "idempotency_in_progress": (409, "idempotency_in_progress",
                                "A request with this idempotency key is still being processed."),
    "job_not_cancellable": (409, "job_not_cancellable", "The job has already finished and cannot be cancelled."),
    "too_large": (413, "payload_too_large", "The request body is too large."),
    "media_type": (415, "unsupported_media_type", "Unsupported media type."),
    "content_policy": (422, "content_policy_violation", "The request violates the content policy."),
    "rate_limited": (429, "rate_limit_exceeded", "Rate limit exceeded."),
    "internal": (500, "internal_error", "Internal server error."),
}

VENDORS: dict[str, dict] = {
    "aigenstudio": {
        "upper": False,
        "codes": {"invalid": "invalid_payload", "invalid_image": "invalid_payload", "unauthorized": "invalid_api_key",
                  "no_credit": "insufficient_api_credits", "forbidden": "api_access_not_enabled",
                  "preset_not_found": "preset_not_found"},
        "statuses": {},
        "fields": {"Idempotency-Key": "invalid_idempotency_key"},
    },
    "productai": {  # seed 002's table: INVALID_API_KEY, OUT_OF_TOKENS, RATE_LIMIT_EXCEEDED, INVALID_*, JOB_NOT_FOUND
        "upper": True,
        "codes": {"unauthorized": "invalid_api_key", "forbidden": "invalid_api_key", "no_credit": "out_of_tokens",
                  "job_not_found": "job_not_found", "invalid_image": "invalid_image_url",
                  "invalid_idempotency_key": "invalid_request"},
        "statuses": {"forbidden": 401},  # no 403 documented: a disabled account is an invalid key
        "fields": {"model": "INVALID_MODEL", "image_url": "INVALID_IMAGE_URL"},
    },
    "productai_v1": {  # seed 003's bodies: invalid_request, unauthorized, insufficient_credits, rate_limit_exceeded
        "upper": False,
        "codes": {"forbidden": "unauthorized", "invalid_idempotency_key": "invalid_request"},
        "statuses": {"forbidden": 401},
        "fields": {},
    },
    "sandbox": {"upper": False, "codes": {"invalid_idempotency_key": "invalid_request"}, "statuses": {}, "fields": {}},
}


def lookup(vendor: str, kind: str, field: str | None = None) -> tuple[int, str, str]:
    """(status, code, default message) for an error kind in a vendor's voice."""
    table = VENDORS[vendor]
    status, code, message = KINDS.get(kind, KINDS["internal"])
    status = table["statuses"].get(kind, status)
    code = table["codes"].get(kind, code)
    if field is not None and kind == "invalid" and field in table["fields"]:
        return status, table["fields"][field], message
    return status, code.upper() if table["upper"] else code, message
