"""Every error, ours or the framework's, leaves in the vendor's envelope with a stable code.

Handlers and state raise :class:`ApiError` with a generic *kind*; the vendor's status and code come
from :mod:`sandbox.codes`, and the body shape from :data:`ENVELOPES`, both chosen by the surface the
request was routed to.
"""

from __future__ import annotations

import json
import logging

from sandbox import codes
from sandbox.surfaces import BY_NAME

log = logging.getLogger("darkroom")


class ApiError(Exception):
    """A documented error answer. ``status`` lets Connexion's security layer rank it."""

    def __init__(self, kind: str, message: str | None = None, *, headers: dict | None = None,
                 field: str | None = None, extra: dict | None = None):
        super().__init__(message or kind)
        self.kind = kind
        self.message = message
        self.headers = headers or {}
        self.field = field
        self.extra = extra or {}

    @property
    def status(self) -> int:  # read by Connexion when several auth errors compete
        return codes.KINDS.get(self.kind, codes.KINDS["internal"])[0]


def _aigenstudio_nested(code, message, request_id, extra):
    return {"error": {"code": code, "message": message, "request_id": request_id}}


def _aigenstudio_top(code, message, request_id, extra):
    error = {"code": code, "message": message}
    if extra.get("details"):
        error["details"] = extra["details"]
    return {"error": error, "request_id": request_id}


def _aigenstudio_both(code, message, request_id, extra):
    """Errors under the shared base that belong to no single document satisfy both envelopes."""
    return {"error": {"code": code, "message": message, "request_id": request_id}, "request_id": request_id}


def _productai(code, message, request_id, extra):
    return {"status": "ERROR", "message": message, "code": code}


def _productai_v1(code, message, request_id, extra):
    error = {"code": code, "message": message}
    if "retry_after" in extra:
        error["retry_after"] = extra["retry_after"]
    return {"error": error}


def _control(code, message, request_id, extra):
    return {"error": {"code": code, "message": message}, "request_id": request_id}


ENVELOPES = {
    "aigenstudio_nested": _aigenstudio_nested,
    "aigenstudio_top": _aigenstudio_top,
    "aigenstudio_both": _aigenstudio_both,
    "productai": _productai,
    "productai_v1": _productai_v1,
    "control": _control,
}


def render(surface_name: str, error: ApiError, request_id: str, *, envelope: str | None = None):
    """(status, headers, body bytes) for an error on a surface."""
    surface = BY_NAME[surface_name]
    status, code, default_message = codes.lookup(surface.vendor, error.kind, error.field)
    build = ENVELOPES[envelope or surface.envelope]
    body = build(code, error.message or default_message, request_id, error.extra)
    headers = {"Content-Type": "application/json", **error.headers}
    return status, headers, json.dumps(body).encode()


_STATUS_KINDS = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "media_type",
    422: "content_policy",
    429: "rate_limited",
}


def from_exception(exc: Exception) -> ApiError:
    """Translate Connexion's and Starlette's exceptions into our error kinds."""
    from connexion.exceptions import NonConformingResponse, ProblemException
    from starlette.exceptions import HTTPException

    from sandbox.compat import SchemaProblem

    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, SchemaProblem):
        return ApiError("invalid", exc.detail, field=exc.field)
    if isinstance(exc, NonConformingResponse):
        log.error("response does not match its schema: %s", exc.detail)
        return ApiError("internal", f"Response did not match the document: {exc.detail}")
    if isinstance(exc, ProblemException):
        kind = _STATUS_KINDS.get(exc.status, "internal")
        message = exc.detail if kind != "unauthorized" else None
        return ApiError(kind, message, headers=dict(exc.headers or {}))
    if isinstance(exc, HTTPException) and exc.status_code == 404:
        # The dispatcher already matched the path template, so Connexion's router only misses
        # when a typed path parameter does not convert (``/api/job/abc``): a bad request.
        return ApiError("invalid", "A path parameter has the wrong type.")
    if isinstance(exc, HTTPException):
        return ApiError(_STATUS_KINDS.get(exc.status_code, "internal"), None, headers=dict(exc.headers or {}))
    log.exception("unexpected error", exc_info=exc)
    return ApiError("internal")


def connexion_handler(request, exc):
    """Registered for every exception type on the Connexion app."""
    from connexion.lifecycle import ConnexionResponse

    scope = request.scope
    error = from_exception(exc)
    note = scope.get("darkroom.note")
    if note is not None:
        note["error"] = error.message
    status, headers, body = render(scope["darkroom.surface"], error, scope["darkroom.request_id"])
    return ConnexionResponse(status_code=status, body=body, headers=headers, content_type="application/json")
