"""Build the ASGI application: one Connexion API per document behind the path dispatcher."""

from __future__ import annotations

import importlib
import re

from sandbox import compat
from sandbox.config import Config
from sandbox.dispatch import Dispatcher
from sandbox.errors import connexion_handler
from sandbox.runtime import Sandbox
from sandbox.surfaces import SURFACES, load_document

_AUTH_FUNCS = {
    ("http", "bearer"): ("x-bearerInfoFunc", "sandbox.auth.bearer_info"),
    ("apiKey", None): ("x-apikeyInfoFunc", "sandbox.auth.apikey_info"),
}


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def _wire_security(document: dict) -> dict:
    """Point each security scheme at our key lookup (on a copy; the served original is untouched)."""
    for scheme in (document.get("components", {}).get("securitySchemes") or {}).values():
        if scheme.get("type") == "http" and scheme.get("scheme") == "bearer" and "adminToken" not in str(scheme):
            key, func = _AUTH_FUNCS[("http", "bearer")]
            scheme[key] = func
        elif scheme.get("type") == "apiKey":
            key, func = _AUTH_FUNCS[("apiKey", None)]
            scheme[key] = func
    return document


def _resolver(module_name: str):
    from connexion.resolver import Resolver

    module = importlib.import_module(module_name)
    return Resolver(function_resolver=lambda operation_id: getattr(module, _snake(operation_id)))


def create_app(config: Config | None = None, sandbox: Sandbox | None = None, start_ticker: bool = True):
    """The whole sandbox as one ASGI app; ``app.sandbox`` is its state (tests inspect it)."""
    from connexion import AsyncApp
    from connexion.options import SwaggerUIOptions

    compat.install()
    sandbox = sandbox or Sandbox(config)
    if sandbox.config.matting_model:
        sandbox.files.engine  # noqa: B018 - loads the model now: a wrong shape stops start-up, not a request
    inner = AsyncApp(__name__, middlewares=compat.middlewares())
    for surface in SURFACES:
        document = load_document(surface.name)
        if surface.name != "sandbox-control":
            _wire_security(document)
        else:
            document.pop("security", None)
            for item in document.get("paths", {}).values():
                for op in item.values():
                    if isinstance(op, dict):
                        op.pop("security", None)
        inner.add_api(
            document,
            base_path=surface.internal_base,
            name=surface.name,
            resolver=_resolver(surface.handlers),
            pythonic_params=True,
            validator_map=compat.VALIDATOR_MAP,
            validate_responses=sandbox.config.validate_responses,
            strict_validation=False,
            swagger_ui_options=SwaggerUIOptions(swagger_ui=False, serve_spec=False),
        )
    for error_type in (Exception,):
        inner.add_error_handler(error_type, connexion_handler)
    from connexion.exceptions import ProblemException
    from starlette.exceptions import HTTPException

    inner.add_error_handler(ProblemException, connexion_handler)
    inner.add_error_handler(HTTPException, connexion_handler)
    from sandbox.pages import Pages

    app = Dispatcher(inner, sandbox, extra=Pages(sandbox))
    app.sandbox = sandbox
    if start_ticker:
        sandbox.start_ticker()
    return app
