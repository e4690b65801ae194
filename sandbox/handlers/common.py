"""What every handler needs: the sandbox, the caller's account, the request's public base URL.

Read straight from the ASGI scope of the current operation: ``connexion.request`` builds a new
request object on every attribute access, which costs more than the handlers themselves.
"""

from __future__ import annotations

from connexion.context import _scope, context


def sandbox():
    return _scope.get()["darkroom.sandbox"]


def surface() -> str:
    return _scope.get()["darkroom.surface"]


def request_id() -> str:
    return _scope.get()["darkroom.request_id"]


def account():
    return context["token_info"]["account"]


def header(name: str) -> str | None:
    name = name.lower().encode("latin-1")
    for key, value in _scope.get()["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def base_url() -> str:
    """Absolute URLs for result files: the configured public URL, else the host the client used."""
    scope = _scope.get()
    configured = scope["darkroom.sandbox"].config.public_url
    if configured:
        return configured.rstrip("/")
    host = header("host") or "127.0.0.1"
    return f"{scope.get('scheme', 'http')}://{host}"


def now() -> float:
    return sandbox().clock.now()
