"""The ASGI front door: public vendor URLs in, one Connexion API per document behind.

Starlette mounts do not fall through, and the vendors' bases overlap (both AI Gen Studio documents
share ``/aigenstudio/api/v1``; ``/productai/v1`` nests inside ``/productai``). So each request is
matched here against every document's own path templates, rewritten to that document's private
mount, and answered here when no operation owns it (404, 405 with ``Allow``, 413, control
characters). This is also where every response gets its ``X-Request-Id``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox import errors
from sandbox.surfaces import SURFACES, Surface, load_document

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CLIENT_ID = re.compile(r"^[\x21-\x7e]{1,160}$")


@dataclass(frozen=True)
class Route:
    surface: Surface
    pattern: re.Pattern
    methods: frozenset[str]


def _template_regex(template: str) -> re.Pattern:
    parts = re.split(r"(\{[^}]+\})", template)
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{body}$")


def build_routes(surfaces=SURFACES) -> list[Route]:
    routes = []
    for surface in surfaces:
        for template, item in (load_document(surface.name).get("paths") or {}).items():
            methods = frozenset(m.upper() for m in item if m in _METHODS)
            routes.append(Route(surface, _template_regex(template), methods))
    return routes


class Dispatcher:
    """Routes by path templates, then hands the rewritten request to Connexion."""

    def __init__(self, inner, sandbox, routes: list[Route] | None = None, extra=None):
        self.inner = inner
        self.sandbox = sandbox
        self.routes = routes if routes is not None else build_routes()
        self.extra = extra  # plain Starlette routes (docs pages, UI) that are not API operations
        self.claims = sorted({(s.claims, s.name) for s in SURFACES}, key=lambda c: -len(c[0]))

    def _match(self, path: str):
        for route in self.routes:
            base = route.surface.public_base
            if path.startswith(base + "/") and route.pattern.match(path[len(base):]):
                return route, path[len(base):]
        return None, None

    def _claimant(self, path: str) -> Surface | None:
        for prefix, name in self.claims:
            if path == prefix or path.startswith(prefix + "/"):
                return next(s for s in SURFACES if s.name == name)
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        headers = dict(scope["headers"])
        client_id = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = client_id if _CLIENT_ID.match(client_id) else self.sandbox.ids.request_id()

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *[(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"],
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)

        path = scope["path"]
        if self.extra is not None and path.startswith("/_sandbox/") and await self.extra.handles(scope):
            return await self.extra(scope, receive, send_with_id)
        route, rest = (None, None) if _CONTROL.search(path) else self._match(path)
        if route is None:
            owner = self._claimant(path) or SURFACES[-1]
            return await self._answer(owner, errors.ApiError("not_found", f"No route for {path!r}."),
                                      request_id, send_with_id, edge=True)
        method = scope["method"]
        allowed = set(route.methods) | ({"HEAD"} if "GET" in route.methods else set())
        if method not in allowed:
            allow = ", ".join(sorted(route.methods))
            error = errors.ApiError("method_not_allowed", f"Method {method} is not allowed here.",
                                    headers={"Allow": allow})
            return await self._answer(route.surface, error, request_id, send_with_id, edge=True)

        body, too_large = await _read_body(receive, headers, route.surface.max_body)
        if too_large:
            error = errors.ApiError("too_large", f"Request bodies are limited to {route.surface.max_body} bytes.")
            return await self._answer(route.surface, error, request_id, send_with_id)

        internal = route.surface.internal_base + rest
        inner_scope = dict(scope)
        inner_scope.update(
            path=internal,
            raw_path=internal.encode("utf-8"),
            root_path="",
        )
        inner_scope["darkroom.surface"] = route.surface.name
        inner_scope["darkroom.request_id"] = request_id
        inner_scope["darkroom.sandbox"] = self.sandbox
        inner_scope["darkroom.public_path"] = path
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.inner(inner_scope, replay, send_with_id)

    async def _answer(self, surface: Surface, error, request_id, send, edge=False):
        envelope = surface.edge_envelope if edge else None
        status, headers, body = errors.render(surface.name, error, request_id, envelope=envelope)
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
