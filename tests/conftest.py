"""Shared fixtures: the sandbox served by a real uvicorn on a loopback port, and its documents as contracts.

Tests talk HTTP to a server running in a background thread, so every byte goes through the same
stack an integrator's client meets (dispatcher, Connexion, error envelopes, response validation).
The documents are the oracle: statuses, bodies and error envelopes are checked against them.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from sandbox.app import create_app
from sandbox.config import Config
from sandbox.surfaces import BY_NAME, SURFACES, load_document

SEED = 20260101
# Short stages so a job reaches its terminal state in half a second of real time.
FAST = {"rate_limits": False, "validate_responses": True, "queued_seconds": 0.2, "processing_seconds": 0.3}
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
DOCUMENTS = tuple(s.name for s in SURFACES)
VENDOR_DOCUMENTS = tuple(s.name for s in SURFACES if s.vendor != "sandbox")


class _ThreadServer(uvicorn.Server):
    """uvicorn without signal handlers: pytest owns the process's signals."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


@dataclass
class LiveServer:
    url: str
    app: Any
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def sandbox(self):
        return self.app.sandbox

    def base(self, document: str) -> str:
        """Public base URL of a document's API on this server."""
        return self.url + BY_NAME[document].public_base

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(**overrides) -> LiveServer:
    """Serve ``create_app(Config(...))`` on a free loopback port; returns once it accepts requests."""
    config = Config(**{"seed": SEED, **FAST, **overrides})
    app = create_app(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _ThreadServer(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"darkroom-{port}")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the sandbox server did not start")
        time.sleep(0.01)
    return LiveServer(f"http://127.0.0.1:{port}", app, server, thread)


@pytest.fixture(scope="session")
def live_server():
    """One fast sandbox for the whole test run (short job stages, no rate limits, responses validated)."""
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server_factory():
    """Start extra servers with their own config (``server_factory(queued_seconds=60)``); stopped per module."""
    started: list[LiveServer] = []

    def make(**overrides) -> LiveServer:
        server = start_server(**overrides)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


# --- the documents as contracts -------------------------------------------------------------------


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Operation:
    document: str
    operation_id: str
    method: str
    path: str
    spec: dict = field(compare=False, repr=False)

    @property
    def pointer(self) -> str:
        return f"/paths/{_escape(self.path)}/{self.method}"

    @property
    def label(self) -> str:
        return f"{self.document}:{self.operation_id}"


def operations_of(document: str) -> list[Operation]:
    doc = load_document(document)
    found = []
    for path, item in doc.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                found.append(Operation(document, item[method]["operationId"], method, path, item[method]))
    return found


class Contract:
    """What the documents promise, as checks: documented statuses, body schemas, error envelopes."""

    def __init__(self):
        self.docs = {name: load_document(name) for name in DOCUMENTS}
        self.ops = {(op.document, op.operation_id): op for name in DOCUMENTS for op in operations_of(name)}
        resources = [(self._uri(name), Resource.from_contents(doc, default_specification=DRAFT202012))
                     for name, doc in self.docs.items()]
        self.registry = Registry().with_resources(resources)
        self._validators: dict[str, Draft202012Validator] = {}

    @staticmethod
    def _uri(document: str) -> str:
        return f"urn:darkroom:{document}"

    def op(self, document: str, operation_id: str) -> Operation:
        return self.ops[(document, operation_id)]

    def operations(self, document: str) -> list[Operation]:
        return [op for (name, _), op in self.ops.items() if name == document]

    def resolve(self, document: str, node: dict, pointer: str) -> tuple[dict, str]:
        """Follow OpenAPI-level ``$ref``s; returns the node and its JSON pointer."""
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"].split("#", 1)[1]
            node = self.docs[document]
            for token in pointer.strip("/").split("/"):
                node = node[token.replace("~1", "/").replace("~0", "~")]
        return node, pointer

    def response(self, op: Operation, status: int) -> tuple[dict, str] | None:
        responses = op.spec.get("responses", {})
        key = str(status) if str(status) in responses else f"{str(status)[0]}XX"
        if key not in responses:
            return None
        return self.resolve(op.document, responses[key], f"{op.pointer}/responses/{key}")

    def documented(self, op: Operation, status: int) -> bool:
        return self.response(op, status) is not None

    def statuses(self, op: Operation) -> set[int]:
        return {int(code) for code in op.spec.get("responses", {}) if code.isdigit()}

    def schema_pointer(self, op: Operation, status: int, media_type: str = "application/json") -> str | None:
        found = self.response(op, status)
        if found is None:
            return None
        response, pointer = found
        content = response.get("content", {})
        if media_type not in content or "schema" not in content[media_type]:
            return None
        return f"{pointer}/content/{_escape(media_type)}/schema"

    def schema_at(self, document: str, pointer: str) -> dict:
        node = self.docs[document]
        for token in pointer.strip("/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return self.resolve(document, node, pointer)[0]

    def validator(self, document: str, pointer: str) -> Draft202012Validator:
        key = f"{document}#{pointer}"
        if key not in self._validators:
            schema = {"$ref": f"{self._uri(document)}#{pointer}"}
            self._validators[key] = Draft202012Validator(
                schema, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return self._validators[key]

    def check_body(self, document: str, pointer: str, body) -> None:
        errors = sorted(self.validator(document, pointer).iter_errors(body), key=lambda e: list(e.path))
        assert not errors, f"body does not match {document}#{pointer}: {errors[0].message} at {list(errors[0].path)}"

    def request_id_fields(self, document: str, pointer: str) -> list[tuple[str, ...]]:
        """Where the schema puts ``request_id``: top level and/or inside ``error``."""
        schema = self._flatten(document, self.schema_at(document, pointer))
        places = []
        props = schema.get("properties", {})
        if "request_id" in props:
            places.append(("request_id",))
        error = self._flatten(document, props.get("error", {}))
        if "request_id" in error.get("properties", {}):
            places.append(("error", "request_id"))
        return places

    def _flatten(self, document: str, schema: dict) -> dict:
        schema, _ = self.resolve(document, schema, "")
        merged = {"properties": dict(schema.get("properties", {}))}
        for part in schema.get("allOf", []):
            merged["properties"].update(self._flatten(document, part).get("properties", {}))
        return merged


@pytest.fixture(scope="session")
def contract() -> Contract:
    return Contract()


# --- an HTTP client that checks the contract on every answer ---------------------------------------

AUTH_STYLE = {  # how each document's security scheme carries a key
    "aigenstudio-product-photo": "bearer",
    "aigenstudio-image": "bearer",
    "productai": "x-api-key",
    "productai-v1": "bearer",
    "sandbox-control": "bearer",
}
_AUTO = object()
DEFAULT_KEY = "sandbox_default"
_counter = itertools.count(1)


def auth_headers(document: str, key: str | None) -> dict[str, str]:
    if key is None:
        return {}
    return {"x-api-key": key} if AUTH_STYLE[document] == "x-api-key" else {"Authorization": f"Bearer {key}"}


def unique(prefix: str = "k") -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:12]}"


@dataclass
class Reply:
    op: Operation | None
    response: httpx.Response
    sent_request_id: str | None

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers

    def json(self):
        return self.response.json()

    def describe(self) -> str:
        request = self.response.request
        return (f"{request.method} {request.url} -> {self.status} "
                f"{self.response.headers.get('content-type')} {self.response.text[:400]!r}")


class Api:
    """Calls operations by ``(document, operationId)`` and checks what every answer must satisfy."""

    def __init__(self, server: LiveServer, contract: Contract, client: httpx.Client):
        self.server = server
        self.contract = contract
        self.client = client

    def url(self, op: Operation, path_params: dict | None = None) -> str:
        path = op.path
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", str(value))
        return self.server.base(op.document) + path

    def call(self, document: str, operation_id: str, *, key: str | None = _AUTO, path_params: dict | None = None,
             params: dict | None = None, json=_AUTO, content: bytes | None = None, files=None,
             headers: dict | None = None, request_id: str | None = _AUTO, idempotency_key=_AUTO) -> Reply:
        op = self.contract.op(document, operation_id)
        sent = dict(headers or {})
        if key is _AUTO:
            key = DEFAULT_KEY
        sent.update(auth_headers(document, key))
        if request_id is _AUTO:
            request_id = unique("trace")
        if request_id is not None:
            sent["X-Request-Id"] = request_id
        if any(_param_name(self.contract, op, p) == "Idempotency-Key" for p in op.spec.get("parameters", [])):
            if idempotency_key is _AUTO:
                idempotency_key = unique("idem")
            if idempotency_key is not None:
                sent["Idempotency-Key"] = idempotency_key
        kwargs: dict[str, Any] = {"headers": sent, "params": params}
        if json is not _AUTO:
            kwargs["json"] = json
        if content is not None:
            kwargs["content"] = content
        if files is not None:
            kwargs["files"] = files
        response = self.client.request(op.method.upper(), self.url(op, path_params), **kwargs)
        reply = Reply(op, response, request_id)
        check_request_id_header(reply)
        return reply

    def raw(self, method: str, url: str, **kwargs) -> Reply:
        headers = dict(kwargs.pop("headers", None) or {})
        request_id = headers.get("X-Request-Id")
        reply = Reply(None, self.client.request(method, url, headers=headers, **kwargs), request_id)
        check_request_id_header(reply)
        return reply

    def expect(self, reply: Reply, status: int, code: str | None = None):
        """The status is the expected one and documented; the body matches its schema; returns the body.

        JSON bodies come back parsed; other media types (documents, images) as bytes.
        """
        assert reply.status == status, f"expected {status}: {reply.describe()}"
        op = reply.op
        assert op is not None
        found = self.contract.response(op, status)
        assert found is not None, f"{op.label} does not document {status}: {reply.describe()}"
        documented_types = set(found[0].get("content", {}))
        media_type = reply.headers.get("content-type", "").split(";")[0].strip()
        if documented_types:
            assert media_type in documented_types, (
                f"{op.label} {status} answered {media_type!r}, documented {sorted(documented_types)}")
        if not media_type.endswith("json"):
            return reply.response.content
        body = reply.json()
        pointer = self.contract.schema_pointer(op, status, media_type)
        if pointer is not None:
            self.contract.check_body(op.document, pointer, body)
            for place in self.contract.request_id_fields(op.document, pointer):
                value = body
                for token in place:
                    value = value.get(token) if isinstance(value, dict) else None
                assert value == reply.headers["x-request-id"], (
                    f"{'.'.join(place)} must equal the X-Request-Id header: {reply.describe()}")
        if code is not None:
            assert error_code(op.document, body) == code, f"expected code {code}: {reply.describe()}"
        return body


def _param_name(contract: Contract, op: Operation, param: dict) -> str:
    resolved, _ = contract.resolve(op.document, param, "")
    return resolved.get("name", "")


def check_request_id_header(reply: Reply) -> None:
    """Every response carries X-Request-Id: the client's when it sent a usable one, a fresh one otherwise."""
    value = reply.headers.get("x-request-id")
    assert value, f"no X-Request-Id header: {reply.describe()}"
    if reply.sent_request_id is not None and len(reply.sent_request_id) <= 160:
        assert value == reply.sent_request_id, f"X-Request-Id not echoed: {reply.describe()}"


def error_code(document: str, body: dict) -> str | None:
    """The vendor error code, wherever the document's envelope keeps it."""
    if document == "productai":
        return body.get("code")
    return (body.get("error") or {}).get("code")


@pytest.fixture(scope="session")
def http():
    with httpx.Client(timeout=30.0) as client:
        yield client


@pytest.fixture(scope="session")
def api(live_server, contract, http) -> Api:
    return Api(live_server, contract, http)


@pytest.fixture(scope="session")
def api_for(contract, http):
    """An :class:`Api` bound to another server (from ``server_factory``)."""
    return lambda server: Api(server, contract, http)
