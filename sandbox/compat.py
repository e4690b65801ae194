"""OpenAPI 3.1 on Connexion 3.3.

Connexion 3.3 ships only the OpenAPI 3.0 meta-schema and validates with JSON Schema Draft 4. Our
documents are 3.1 (JSON Schema 2020-12), so this module, and only this module, bends Connexion:

* document validation at start-up is switched off (the documents are validated by the test suite
  with openapi-spec-validator instead, so launches stay fast);
* bodies, parameters and responses are validated with 2020-12 validators and a format checker that
  really enforces ``uri``, ``uuid`` and ``date-time``;
* compiled validators are cached per schema object, because Connexion builds a new validator for
  every request;
* a validation failure carries the location and the first path element of the offending value, so
  the error layer can pick vendor codes such as ProductAI's ``INVALID_MODEL``;
* per-request work Connexion repeats needlessly is done once (see :func:`install` and
  ``benchmarks/NOTES.md`` for what each change is worth).
"""

from __future__ import annotations

import functools
import json
import threading

from sandbox import lazy_imports

lazy_imports.import_connexion()  # before the first Connexion import: keeps httpx and requests out

from connexion import spec as connexion_spec  # noqa: E402
from connexion.datastructures import MediaTypeDict  # noqa: E402
from connexion.exceptions import BadRequestProblem, NonConformingResponseBody  # noqa: E402
from connexion.validators import (  # noqa: E402
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    MultiPartFormDataValidator,
    ParameterValidator,
    TextResponseBodyValidator,
)
from jsonschema import Draft202012Validator, ValidationError  # noqa: E402

FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER


class SchemaProblem(BadRequestProblem):
    """A 400 that remembers where validation failed (``body``/``query``/``path``/``header``)."""

    def __init__(self, detail: str, *, location: str, field: str | None):
        super().__init__(detail=detail)
        self.location = location
        self.field = field


_cache: dict[int, tuple[dict, Draft202012Validator, object]] = {}
_cache_lock = threading.Lock()


def _fast_validator(schema: dict):
    """jsonschema-rs (installed with Schemathesis) says "valid" many times faster than jsonschema.

    Only that answer is taken from it: whatever it refuses or cannot take is judged, and explained,
    by jsonschema, so verdicts and messages stay jsonschema's.
    """
    try:
        import jsonschema_rs

        return jsonschema_rs.validator_for(schema, validate_formats=True)
    except Exception:  # not installed, or a schema it does not take: jsonschema alone
        return None


def _compiled(schema: dict) -> tuple[dict, Draft202012Validator, object]:
    hit = _cache.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit
    entry = (schema, Draft202012Validator(schema, format_checker=FORMAT_CHECKER), _fast_validator(schema))
    with _cache_lock:
        if len(_cache) > 4096:
            _cache.clear()
        _cache[id(schema)] = entry
    return entry


def validator_for(schema: dict) -> Draft202012Validator:
    """One compiled validator per schema object (Connexion keeps its schema dicts alive)."""
    return _compiled(schema)[1]


def _first_error(schema: dict, instance) -> ValidationError | None:
    """The most relevant error, so messages name the deepest failing field."""
    from jsonschema.exceptions import best_match

    _, validator, fast = _compiled(schema)
    if fast is not None:
        try:
            if fast.is_valid(instance):
                return None
        except Exception:  # e.g. lone surrogates, which Rust strings cannot hold
            pass
    return best_match(validator.iter_errors(instance))


def _field_of(error: ValidationError) -> str | None:
    path = list(error.absolute_path)
    if path:
        return str(path[0])
    # "required" errors point at the parent; name the missing property instead
    if error.validator == "required" and error.message.startswith("'"):
        return error.message.split("'")[1]
    return None


def _describe(error: ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    return f"{error.message} at '{where}'" if where else error.message


class BodyValidator(JSONRequestBodyValidator):
    """JSON request bodies: 2020-12, cached, and non-UTF-8 or malformed JSON is a 400."""

    async def _parse(self, stream, scope):
        raw = b"".join([message async for message in stream])
        if not raw:
            return None
        try:
            return json.loads(raw.decode(self._encoding))
        except (UnicodeDecodeError, LookupError):
            raise SchemaProblem("Request body is not valid UTF-8 text", location="body", field=None) from None
        except json.JSONDecodeError as exc:
            raise SchemaProblem(f"Request body is not valid JSON: {exc}", location="body", field=None) from None
        except RecursionError:
            raise SchemaProblem("Request body is nested too deeply", location="body", field=None) from None

    def _validate(self, body):
        if body is None and not self._nullable:
            raise SchemaProblem("Request body must not be empty", location="body", field=None)
        try:
            error = _first_error(self._schema, body)
        except RecursionError:
            raise SchemaProblem("Request body is nested too deeply", location="body", field=None) from None
        if error is not None:
            raise SchemaProblem(_describe(error), location="body", field=_field_of(error))
        return None


class FormValidator(MultiPartFormDataValidator):
    """Multipart bodies: Connexion's parsing, our 2020-12 validation; a malformed body is a 400."""

    async def _parse(self, stream, scope):
        try:
            return await super()._parse(stream, scope)
        except Exception as exc:  # python-multipart and Starlette raise several unrelated types
            raise SchemaProblem(f"Malformed multipart body: {exc}", location="body", field=None) from None

    def _validate(self, body):
        error = _first_error(self._schema, body)
        if error is not None:
            raise SchemaProblem(_describe(error), location="body", field=_field_of(error))
        return None


class ParamValidator(ParameterValidator):
    """Parameters with 2020-12 and formats; the error names the parameter."""

    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        if value is None:
            if param.get("required"):
                return parameter_type, param["name"], f"Missing {parameter_type} parameter '{param['name']}'"
            return None
        error = _first_error(param.get("schema", param), value)
        if error is not None:
            return parameter_type, param["name"], f"Invalid {parameter_type} parameter '{param['name']}': {error.message}"
        return None

    def validate_request(self, request):
        for location in ("query", "path", "header", "cookie"):
            for param in self.parameters.get(location, []):
                found = getattr(self, f"validate_{location}_parameter")(param, request)
                if found:
                    where, name, message = found
                    raise SchemaProblem(message, location=where, field=name)


class ResponseValidator(JSONResponseBodyValidator):
    """Responses are checked against 2020-12 too (enabled in tests)."""

    def _validate(self, body):
        error = _first_error(self._schema, body)
        if error is not None:
            raise NonConformingResponseBody(
                detail=f"Response body does not conform to specification. {_describe(error)}"
            )


class TextResponseValidator(ResponseValidator, TextResponseBodyValidator):
    pass


VALIDATOR_MAP = {
    "parameter": ParamValidator,
    "body": MediaTypeDict({"*/*json": BodyValidator, "multipart/form-data": FormValidator}),
    "response": MediaTypeDict({"*/*json": ResponseValidator, "text/plain": TextResponseValidator}),
}


def _skip_document_validation(cls, spec):  # noqa: ARG001 - Connexion's signature
    """The 3.0 meta-schema rejects 3.1 documents; the test suite validates them instead."""


def _operation_fn(self):
    """``AsyncOperation.fn``, built once per operation instead of once per request.

    Connexion's property makes a new decorator chain, URI parser and signature inspection for every
    request, and hands the request object context proxies instead of the scope itself.
    """
    built = self.__dict__.get("_darkroom_fn")
    if built is None:
        from connexion.context import _receive, _scope
        from connexion.decorators import StarletteDecorator

        decorator = StarletteDecorator(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
        decorated = decorator.decorate(self._fn)
        get_request = decorator.framework.get_request
        parser = []

        async def built(*_args, **_kwargs):
            if not parser:  # made from the operation context, so by the first request
                parser.append(decorator.uri_parser)
            return await decorated(get_request(uri_parser=parser[0], scope=_scope.get(), receive=_receive.get()))

        self.__dict__["_darkroom_fn"] = built
    return built


def _extract_content_type(headers):
    """``connexion.utils.extract_content_type`` without building typing aliases on every call."""
    for key, value in headers.items() if isinstance(headers, dict) else headers:
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if key.lower() == "content-type":
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


def _memo_body_definition(original):
    """``body_definition`` matches media ranges with fnmatch on every call, six times per request;
    its answer for a given operation and content type never changes (the dict it returns is the
    same object each time), so remember it, for a bounded number of content types."""

    @functools.wraps(original)
    def body_definition(self, content_type=None):
        memo = self.__dict__.setdefault("_darkroom_bodies", {})
        found = memo.get(content_type)
        if found is None:
            found = original(self, content_type)
            if len(memo) < 32:
                memo[content_type] = found
        return found

    return body_definition


def _install_speed() -> None:
    from connexion import utils
    from connexion.apps.asynchronous import AsyncOperation
    from connexion.decorators import parameter
    from connexion.operations import OpenAPIOperation
    from connexion.security import AbstractSecurityHandler

    if isinstance(AsyncOperation.__dict__.get("fn"), property) and AsyncOperation.fn.fget is _operation_fn:
        return
    AsyncOperation.fn = property(_operation_fn)
    # inspect.signature of the key callback, twice per request
    AbstractSecurityHandler._accepts_kwarg = staticmethod(functools.cache(AbstractSecurityHandler._accepts_kwarg))
    # regex-based name conversions, several per request, always on the same few names
    parameter.pythonic = functools.lru_cache(maxsize=1024)(parameter.pythonic)
    parameter.sanitized = functools.lru_cache(maxsize=1024)(parameter.sanitized)
    utils.extract_content_type = _extract_content_type
    OpenAPIOperation.body_definition = _memo_body_definition(OpenAPIOperation.body_definition)


def middlewares() -> list:
    """Connexion's middleware stack without the Swagger UI layer, which would only route again:
    the sandbox serves its own documents and UI. Pass to ``AsyncApp(middlewares=...)``."""
    from connexion.middleware.main import ConnexionMiddleware
    from connexion.middleware.swagger_ui import SwaggerUIMiddleware

    return [m for m in ConnexionMiddleware.default_middlewares if m is not SwaggerUIMiddleware]


def install() -> None:
    """Switch Connexion's start-up document check off and its per-request rebuilding (idempotent)."""
    connexion_spec.OpenAPISpecification._validate_spec = classmethod(_skip_document_validation)
    _install_speed()
