"""The ASGI front door: public vendor URLs in, one Connexion API per document behind.

Starlette mounts do not fall through, and the vendors' bases overlap (both AI Gen Studio documents
share ``/aigenstudio/api/v1``; ``/productai/v1`` nests inside ``/productai``). So each request is
matched here against every document's own path templates and rewritten to that document's
private mount. Whatever no single operation owns is answered here: 404, 405 with ``Allow``, 413,
control characters, rate limits (they count before auth, like a vendor's gateway) and the
``X-Sandbox-Scenario`` header, which is not part of any vendor document. Every response gets its
``X-Request-Id`` here and is written to the journal.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from sandbox import errors, scenarios
from sandbox.surfaces import SURFACES, Surface, parsed_document

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CLIENT_ID = re.compile(r"^[\x21-\x7e]{1,160}$")


@dataclass(frozen=True)
class Route:
    surface: Surface
    pattern: re.Pattern
    statuses: dict  # METHOD -> frozenset of documented status codes


def _template_regex(template: str) -> re.Pattern:
    parts = re.split(r"(\{[^}]+\})", template)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{body}$")


def build_routes(surfaces=SURFACES) -> list[Route]:
    routes = []
    for surface in surfaces:
        for template, item in (parsed_document(surface.name).get("paths") or {}).items():
            statuses = {
                method.upper(): frozenset(int(s) for s in op.get("responses", {}) if s.isdigit())
                for method, op in item.items() if method in _METHODS
            }
            routes.append(Route(surface, _template_regex(template), statuses))
    return routes


def _header(headers: dict, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value is not None else None


def _api_key(headers: dict) -> str | None:
    """The caller's key, whichever way the surface takes it."""
    key = _header(headers, b"x-api-key")
    if key:
        return key
    auth = _header(headers, b"authorization") or ""
    scheme, _, token = auth.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class Dispatcher:
    """Routes by path templates, then hands the rewritten request to Connexion."""

    def __init__(self, inner, sandbox, routes: list[Route] | None = None, extra=None):
        self.inner = inner
        self.sandbox = sandbox
        self.routes = routes if routes is not None else build_routes()
        self.extra = extra  # plain pages (docs, inspector) that are not API operations
        self.claims = sorted(((s.claims, s) for s in SURFACES), key=lambda c: -len(c[0]))

    def _match(self, path: str):
        for route in self.routes:
            base = route.surface.public_base
            if path.startswith(base + "/") and route.pattern.match(path[len(base):]):
                return route, path[len(base):]
        return None, None

    def _claimant(self, path: str) -> Surface:
        for prefix, surface in self.claims:
            if path == prefix or path.startswith(prefix + "/"):
                return surface
        return SURFACES[-1]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        started = time.perf_counter()
        sandbox = self.sandbox
        headers = dict(scope["headers"])
        client_id = _header(headers, b"x-request-id") or ""
        request_id = client_id if _CLIENT_ID.match(client_id) else sandbox.ids.request_id()
        path, method = scope["path"], scope["method"]
        note = {"surface": None, "error": None, "extra_headers": {}}
        key, resolved = _api_key(headers), []

        def caller():
            """The key's account, looked up once for the limiter and the journal."""
            if not resolved:
                resolved.append(sandbox.accounts.resolve(key) if key else None)
            return resolved[0]

        async def send_out(message):
            if message["type"] == "http.response.start":
                out = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                out += [(k.lower().encode(), str(v).encode()) for k, v in note["extra_headers"].items()]
                out.append((b"x-request-id", request_id.encode("latin-1")))
                message["headers"] = out
                if note["surface"] not in (None, "sandbox-control"):  # the journal is for vendor calls
                    account = caller()
                    sandbox.journal.record(
                        epoch=sandbox.clock.now(), surface=note["surface"], method=method, path=path,
                        status=message["status"], request_id=request_id, account=account.id if account else None,
                        error=note["error"], duration_ms=round((time.perf_counter() - started) * 1000, 2))
            await send(message)

        if self.extra is not None and path.startswith("/_sandbox/") and await self.extra.handles(scope):
            return await self.extra(scope, receive, send_out)
        route, rest = (None, None) if _CONTROL.search(path) else self._match(path)
        if route is None:
            owner = self._claimant(path)
            note["surface"] = owner.name
            return await self._answer(owner, errors.ApiError("not_found", f"No route for {path!r}."),
                                      request_id, send_out, note, edge=True)
        surface = route.surface
        note["surface"] = surface.name
        documented = route.statuses.get(method) or (route.statuses.get("GET") if method == "HEAD" else None)
        if documented is None:
            error = errors.ApiError("method_not_allowed", f"Method {method} is not allowed here.",
                                    headers={"Allow": ", ".join(sorted(route.statuses))})
            return await self._answer(surface, error, request_id, send_out, note, edge=True)

        verdict = sandbox.limiter.check(surface.name, key, (scope.get("client") or ("",))[0], caller)
        if verdict is not None:
            note["extra_headers"].update(verdict.headers())
            if not verdict.allowed:
                error = errors.ApiError("rate_limited", f"Rate limit exceeded. Try again in {verdict.reset} seconds.",
                                        extra={"retry_after": verdict.reset})
                return await self._answer(surface, error, request_id, send_out, note)

        forced = _header(headers, scenarios.SCENARIO_HEADER.encode())
        if forced:
            error = scenarios.forced_error(forced, documented, surface.vendor)
            return await self._answer(surface, error, request_id, send_out, note)

        multipart = (_header(headers, b"content-type") or "").lower().startswith("multipart/")
        limit = surface.max_upload if multipart else surface.max_body
        body, too_large = await _read_body(receive, headers, limit)
        if too_large:
            error = errors.ApiError("too_large", f"Request bodies are limited to {limit} bytes.")
            return await self._answer(surface, error, request_id, send_out, note)

        internal = surface.internal_base + rest
        inner_scope = dict(scope)
        inner_scope.update(path=internal, raw_path=internal.encode("utf-8"), root_path="")
        if body and b"content-type" not in headers:
            # Connexion validates such a body as JSON but would hand the handler raw bytes.
            inner_scope["headers"] = [*scope["headers"], (b"content-type", b"application/json")]
        elif not body and method in ("GET", "HEAD", "DELETE"):
            # A bodiless read with a stray form Content-Type must not be parsed as a form.
            inner_scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
        inner_scope["darkroom.surface"] = surface.name
        inner_scope["darkroom.request_id"] = request_id
        inner_scope["darkroom.sandbox"] = sandbox
        inner_scope["darkroom.note"] = note
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.inner(inner_scope, replay, send_out)

    async def _answer(self, surface: Surface, error, request_id, send, note, edge=False):
        envelope = surface.edge_envelope if edge else None
        status, headers, body = errors.render(surface.name, error, request_id, envelope=envelope)
        if status >= 400:
            note["error"] = error.message
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": [(k.lower().encode(), str(v).encode()) for k, v in headers.items()],
        })
        await send({"type": "http.response.body", "body": body})


async def _read_body(receive, headers, limit: int) -> tuple[bytes, bool]:
    """Buffer the body, refusing early when it is larger than the surface allows."""
    declared = headers.get(b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return b"", True
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), False
