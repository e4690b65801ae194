"""Per-vendor error code tables: one generic error kind -> (HTTP status, vendor code, message).

Seed codes are used where a seed has them (ProductAI's table in seed 002, v1's bodies in seed 003);
the rest are inferred and listed in the README. ``fields`` maps a failing request field to a more
specific code, as ProductAI documents for ``model`` and ``image_url``.
"""

from __future__ import annotations

_COMMON_MESSAGES = {
    "invalid": "The request is invalid.",
    "invalid_idempotency_key": "The Idempotency-Key header is missing or invalid.",
    "unauthorized": "Invalid or missing API key.",
    "forbidden": "API access is not enabled for this account.",
    "no_credit": "Not enough credits.",
    "not_found": "The requested resource was not found.",
    "job_not_found": "Job not found.",
    "preset_not_found": "Preset not found.",
    "asset_not_found": "Asset not found.",
    "method_not_allowed": "Method not allowed.",
    "conflict": "The request conflicts with the current state.",
    "idempotency_conflict": "The idempotency key was already used with a different request body.",
    "idempotency_in_progress": "A request with this idempotency key is still being processed.",
    "job_not_cancellable": "The job has already finished and cannot be cancelled.",
    "content_policy": "The request violates the content policy.",
    "too_large": "The request body is too large.",
    "media_type": "Unsupported media type.",
    "rate_limited": "Rate limit exceeded.",
    "invalid_image": "The image could not be read.",
    "internal": "Internal server error.",
    "scenario": "The requested sandbox scenario is not available for this operation.",
}

CODES: dict[str, dict] = {
    "aigenstudio": {
        "kinds": {
            "invalid": (400, "invalid_payload"),
            "invalid_idempotency_key": (400, "invalid_idempotency_key"),
            "unauthorized": (401, "invalid_api_key"),
            "no_credit": (402, "insufficient_api_credits"),
            "forbidden": (403, "api_access_not_enabled"),
            "not_found": (404, "not_found"),
            "job_not_found": (404, "not_found"),
            "preset_not_found": (404, "preset_not_found"),
            "asset_not_found": (404, "not_found"),
            "method_not_allowed": (405, "method_not_allowed"),
            "conflict": (409, "conflict"),
            "idempotency_conflict": (409, "idempotency_conflict"),
            "idempotency_in_progress": (409, "idempotency_in_progress"),
            "job_not_cancellable": (409, "job_not_cancellable"),
            "too_large": (413, "payload_too_large"),
            "media_type": (415, "unsupported_media_type"),
            "content_policy": (422, "content_policy_violation"),
            "rate_limited": (429, "rate_limit_exceeded"),
            "invalid_image": (400, "invalid_payload"),
            "internal": (500, "internal_error"),
            "scenario": (400, "invalid_scenario"),
        },
        "fields": {"Idempotency-Key": "invalid_idempotency_key"},
    },
    "productai": {
        "kinds": {
            "invalid": (400, "INVALID_REQUEST"),
            "invalid_idempotency_key": (400, "INVALID_REQUEST"),
            "unauthorized": (401, "INVALID_API_KEY"),
            # ProductAI documents no 403: a disabled account is an invalid key there.
            "forbidden": (401, "INVALID_API_KEY"),
            "no_credit": (402, "OUT_OF_TOKENS"),
            "not_found": (404, "NOT_FOUND"),
            "job_not_found": (404, "JOB_NOT_FOUND"),
            "preset_not_found": (404, "NOT_FOUND"),
            "asset_not_found": (404, "NOT_FOUND"),
            "method_not_allowed": (405, "METHOD_NOT_ALLOWED"),
            "conflict": (409, "CONFLICT"),
            "too_large": (413, "PAYLOAD_TOO_LARGE"),
            "media_type": (415, "UNSUPPORTED_MEDIA_TYPE"),
            "rate_limited": (429, "RATE_LIMIT_EXCEEDED"),
            "invalid_image": (400, "INVALID_IMAGE_URL"),
            "internal": (500, "INTERNAL_ERROR"),
            "scenario": (400, "INVALID_SCENARIO"),
        },
        "fields": {"model": "INVALID_MODEL", "image_url": "INVALID_IMAGE_URL"},
    },
    "productai_v1": {
        "kinds": {
            "invalid": (400, "invalid_request"),
            "invalid_idempotency_key": (400, "invalid_request"),
            "unauthorized": (401, "unauthorized"),
            "forbidden": (401, "unauthorized"),
            "no_credit": (402, "insufficient_credits"),
            "not_found": (404, "not_found"),
            "job_not_found": (404, "not_found"),
            "preset_not_found": (404, "not_found"),
            "asset_not_found": (404, "not_found"),
            "method_not_allowed": (405, "method_not_allowed"),
            "conflict": (409, "conflict"),
            "too_large": (413, "payload_too_large"),
            "media_type": (415, "unsupported_media_type"),
            "rate_limited": (429, "rate_limit_exceeded"),
            "invalid_image": (400, "invalid_request"),
            "internal": (500, "internal_error"),
            "scenario": (400, "invalid_scenario"),
        },
        "fields": {},
    },
    "sandbox": {
        "kinds": {
            "invalid": (400, "invalid_request"),
            "invalid_idempotency_key": (400, "invalid_request"),
            "unauthorized": (401, "unauthorized"),
            "forbidden": (403, "forbidden"),
            "not_found": (404, "not_found"),
            "job_not_found": (404, "not_found"),
            "preset_not_found": (404, "not_found"),
            "asset_not_found": (404, "not_found"),
            "method_not_allowed": (405, "method_not_allowed"),
            "conflict": (409, "conflict"),
            "too_large": (413, "payload_too_large"),
            "media_type": (415, "unsupported_media_type"),
            "rate_limited": (429, "rate_limit_exceeded"),
            "invalid_image": (400, "invalid_request"),
            "internal": (500, "internal_error"),
            "scenario": (400, "invalid_scenario"),
        },
        "fields": {},
    },
}


def lookup(vendor: str, kind: str, field: str | None = None) -> tuple[int, str, str]:
    """(status, code, default message) for an error kind in a vendor's voice."""
    table = CODES[vendor]
    status, code = table["kinds"].get(kind, table["kinds"]["internal"])
    if field is not None and kind == "invalid" and field in table["fields"]:
        code = table["fields"][field]
    return status, code, _COMMON_MESSAGES.get(kind, "Error.")
