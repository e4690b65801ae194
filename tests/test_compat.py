"""Pins each behaviour of the OpenAPI 3.1 compatibility layer for Connexion 3.3."""

from __future__ import annotations

import subprocess
import sys

import pytest
from connexion import AsyncApp
from connexion.exceptions import InvalidSpecification
from connexion.resolver import Resolver
from starlette.testclient import TestClient

from sandbox import compat

DOC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things/{thing_id}": {
            "post": {
                "operationId": "make",
                "parameters": [
                    {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}},
                    {"name": "n", "in": "query", "schema": {"type": "integer", "exclusiveMinimum": 0}},
                ],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["url"],
                    "properties": {"url": {"type": "string", "format": "uri"},
                                   "at": {"type": "string", "format": "date-time"},
                                   "note": {"type": ["string", "null"]}}}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}}}}},
            }
        }
    },
}

UUID = "123e4567-e89b-42d3-a456-426614174000"


async def make(thing_id, body, n=None):
    return {"ok": body.get("note") != "break"}, 200


def _client():
    compat.install()
    app = AsyncApp(__name__)
    app.add_api(DOC, resolver=Resolver(function_resolver=lambda _: make), validator_map=compat.VALIDATOR_MAP,
                validate_responses=True)
    return TestClient(app, raise_server_exceptions=False)


def test_connexion_alone_rejects_openapi_31():
    code = ("import connexion.spec as s\n"
            "s.Specification.from_dict({'openapi': '3.1.0', 'info': {'title': 't', 'version': '1'},"
            " 'paths': {}, 'components': {'schemas': {'x': {'type': ['string', 'null']}}}})\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode != 0 and "InvalidSpecification" in run.stderr


def test_install_lets_31_documents_load():
    compat.install()
    from connexion.spec import Specification

    try:
        Specification.from_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
                                 "components": {"schemas": {"x": {"type": ["string", "null"]}}}})
    except InvalidSpecification as exc:  # pragma: no cover - the assertion below explains
        pytest.fail(f"3.1 document rejected: {exc}")


@pytest.mark.parametrize(("path", "query", "body", "status"), [
    (f"/things/{UUID}", "", {"url": "https://e.example/a"}, 200),
    ("/things/not-a-uuid", "", {"url": "https://e.example/a"}, 400),  # format uuid is enforced
    (f"/things/{UUID}", "", {"url": "not a uri"}, 400),  # format uri is enforced
    (f"/things/{UUID}", "", {"url": "https://e.example/a", "at": "yesterday"}, 400),  # date-time too
    (f"/things/{UUID}", "", {"url": "https://e.example/a", "at": "2026-01-01T00:00:00Z"}, 200),
    (f"/things/{UUID}", "?n=0", {"url": "https://e.example/a"}, 400),  # 3.1 exclusiveMinimum is a number
    (f"/things/{UUID}", "?n=1", {"url": "https://e.example/a"}, 200),  # scalar query types are coerced
    (f"/things/{UUID}", "", {"url": "https://e.example/a", "note": None}, 200),  # type arrays allow null
])
def test_2020_12_validation(path, query, body, status):
    assert _client().post(path + query, json=body).status_code == status


def test_non_utf8_and_malformed_json_are_400_not_500():
    client = _client()
    bad = client.post(f"/things/{UUID}", content=b"\xff\xfe{", headers={"content-type": "application/json"})
    assert bad.status_code == 400
    assert client.post(f"/things/{UUID}", content=b"{", headers={"content-type": "application/json"}).status_code == 400


def test_responses_are_validated():
    assert _client().post(f"/things/{UUID}", json={"url": "https://e.example/a", "note": "break"}).status_code == 200
    compat.install()
    DOC2 = {**DOC}

    async def wrong(thing_id, body, n=None):
        return {"ok": "yes"}, 200

    app = AsyncApp(__name__)
    app.add_api(DOC2, resolver=Resolver(function_resolver=lambda _: wrong), validator_map=compat.VALIDATOR_MAP,
                validate_responses=True)
    response = TestClient(app, raise_server_exceptions=False).post(f"/things/{UUID}", json={"url": "https://e.example"})
    assert response.status_code == 500  # a response that breaks its schema is caught


def test_schema_problem_names_the_field():
    from sandbox.compat import BodyValidator, SchemaProblem

    schema = {"type": "object", "properties": {"model": {"enum": ["a"]}}}
    validator = BodyValidator(schema=schema, encoding="utf-8", strict_validation=False)
    with pytest.raises(SchemaProblem) as info:
        validator._validate({"model": "b"})
    assert info.value.field == "model" and info.value.location == "body"


def test_validators_are_compiled_once_per_schema():
    schema = {"type": "string"}
    assert compat.validator_for(schema) is compat.validator_for(schema)
    assert compat.validator_for(schema) is not compat.validator_for({"type": "string"})


def test_serving_does_not_import_heavy_modules():
    code = ("import sys\nfrom sandbox.app import create_app\ncreate_app(start_ticker=False)\n"
            "print(sorted(m for m in ('onnxruntime', 'onnx', 'schemathesis', 'numpy', 'PIL') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
