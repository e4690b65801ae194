"""What every handler needs: the sandbox, the caller's account, the request's public base URL."""

from __future__ import annotations

from connexion import request
from connexion.context import context


def sandbox():
    return request.scope["darkroom.sandbox"]


def surface() -> str:
    return request.scope["darkroom.surface"]


def request_id() -> str:
    return request.scope["darkroom.request_id"]


def account():
    return context["token_info"]["account"]


def header(name: str) -> str | None:
    return request.headers.get(name)


def base_url() -> str:
    """Absolute URLs for result files: the configured public URL, else the host the client used."""
    configured = sandbox().config.public_url
    if configured:
        return configured.rstrip("/")
    host = request.headers.get("host") or "127.0.0.1"
    scheme = request.scope.get("scheme", "http")
    return f"{scheme}://{host}"


def now() -> float:
    return sandbox().clock.now()
