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
  the error layer can pick vendor codes such as ProductAI's ``INVALID_MODEL``.
"""

from __future__ import annotations

import json
import threading

from connexion import spec as connexion_spec
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem, NonConformingResponseBody
from connexion.validators import (
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    MultiPartFormDataValidator,
    ParameterValidator,
    TextResponseBodyValidator,
)
from jsonschema import Draft202012Validator, ValidationError

FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER


class SchemaProblem(BadRequestProblem):
    """A 400 that remembers where validation failed (``body``/``query``/``path``/``header``)."""

    def __init__(self, detail: str, *, location: str, field: str | None):
        super().__init__(detail=detail)
        self.location = location
        self.field = field


_cache: dict[int, tuple[dict, Draft202012Validator]] = {}
_cache_lock = threading.Lock()


def validator_for(schema: dict) -> Draft202012Validator:
    """One compiled validator per schema object (Connexion keeps its schema dicts alive)."""
    hit = _cache.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    with _cache_lock:
        if len(_cache) > 4096:
            _cache.clear()
        _cache[id(schema)] = (schema, validator)
    return validator


def _first_error(validator: Draft202012Validator, instance) -> ValidationError | None:
    """The most relevant error, so messages name the deepest failing field."""
    from jsonschema.exceptions import best_match

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
            error = _first_error(validator_for(self._schema), body)
        except RecursionError:
            raise SchemaProblem("Request body is nested too deeply", location="body", field=None) from None
        if error is not None:
            raise SchemaProblem(_describe(error), location="body", field=_field_of(error))
        return None


class FormValidator(MultiPartFormDataValidator):
    """Multipart bodies: Connexion's parsing, our 2020-12 validation."""

    def _validate(self, body):
        error = _first_error(validator_for(self._schema), body)
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
        error = _first_error(validator_for(param.get("schema", param)), value)
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
        error = _first_error(validator_for(self._schema), body)
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


def install() -> None:
    """Switch Connexion's start-up document check off (idempotent)."""
    connexion_spec.OpenAPISpecification._validate_spec = classmethod(_skip_document_validation)
