"""Malformed requests get their documented 4xx, in the vendor's envelope, with a stable code.

One table row per malformed input. Each answer must: not be a 5xx, have the expected status, be
documented for the operation (or, for URLs no operation owns, be the surface's own 404/405), match
the document's error schema for that status, and carry the expected vendor code and request ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from sandbox.surfaces import load_document

IMAGE, PHOTO, PAI, V1, CONTROL = ("aigenstudio-image", "aigenstudio-product-photo", "productai", "productai-v1",
                                  "sandbox-control")
JSON = "application/json"
MIB = 1024 * 1024
# Error envelopes of URLs that no single operation owns, per surface.
EDGE_SCHEMAS = {
    IMAGE: [(IMAGE, "/components/schemas/ErrorResponse"), (PHOTO, "/components/schemas/ErrorResponse")],
    PHOTO: [(IMAGE, "/components/schemas/ErrorResponse"), (PHOTO, "/components/schemas/ErrorResponse")],
    PAI: [(PAI, "/components/schemas/Error")],
    V1: [(V1, "/components/schemas/ErrorResponse")],
    CONTROL: [(CONTROL, "/components/schemas/Error")],
}
KEYS = {IMAGE: "Authorization", PHOTO: "Authorization", PAI: "x-api-key", V1: "Authorization",
        CONTROL: "Authorization"}

DEEP = ("[" * 100_000 + "]" * 100_000).encode()
DEEP_OBJECT = ('{"prompt": "x", "output": ' + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "}").encode()
NOT_UTF8 = b'{"prompt": "\xff\xfe caf\xe9"}'
HUGE = str(10**40)


def body(value) -> bytes:
    return json.dumps(value).encode()


def oversized(**fields) -> bytes:
    return body({**fields, "padding": "x" * (MIB + 1024)})


RB = {"input": [{"image_url": "https://client.example/images/shoe-001.jpg"}]}
GEN = {"prompt": "A pastel podium."}
PP = {"images": [{"source_url": "https://client.example/images/yogurt-001.jpg"}]}
PAI_GEN = {"image_url": "https://example.com/photo.jpg", "prompt": "Sunset beach", "model": "gpt-low"}
V1_GEN = {"model": "nanobanana2", "image_url": "https://example.com/product.jpg", "prompt": "Marble table"}


@dataclass(frozen=True)
class Bad:
    document: str
    operation: str | None  # None: no operation owns this method and URL
    method: str
    path: str  # below the document's public base
    status: int
    code: str | tuple[str, ...]
    content: bytes | None = None
    content_type: str | None = JSON
    headers: dict = field(default_factory=dict)
    key: str | None = "sandbox_malformed"
    idempotency_key: str | None = "malformed-0001"
    files: dict | None = None





CASES = {
    # --- AI Gen Studio Image API -------------------------------------------------------------------------
    "image-malformed-json": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 400, "invalid_payload",
                                b'{"input": ['),
    "image-not-utf8": Bad(IMAGE, "imageGeneration", "POST", "/image-generation", 400, "invalid_payload", NOT_UTF8),
    "image-text-plain": Bad(IMAGE, "imageGeneration", "POST", "/image-generation", 415, "unsupported_media_type",
                            b"prompt=x", content_type="text/plain"),
    "image-form-urlencoded": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 415,
                                 "unsupported_media_type", b"a=b", content_type="application/x-www-form-urlencoded"),
    "image-oversized": Bad(IMAGE, "imageGeneration", "POST", "/image-generation", 413, "payload_too_large",
                           oversized(**GEN)),
    "image-empty-body": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 400, "invalid_payload", b""),
    "image-null-body": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 400, "invalid_payload", b"null"),
    "image-array-body": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 400, "invalid_payload", b"[]"),
    "image-null-field": Bad(IMAGE, "imageGeneration", "POST", "/image-generation", 400, "invalid_payload",
                            body({"prompt": None})),
    "image-missing-required": Bad(IMAGE, "aiBackground", "POST", "/ai-background", 400, "invalid_payload", body(RB)),
    "image-empty-input": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 400, "invalid_payload",
                             body({"input": []})),
    "image-bad-uri": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 400, "invalid_payload",
                         body({"input": [{"image_url": "not a url"}]})),
    "image-huge-integer": Bad(IMAGE, "imageGeneration", "POST", "/image-generation", 400, "invalid_payload",
                              f'{{"prompt": "x", "output": {{"number_of_images": {HUGE}}}}}'.encode()),
    "image-infinite-number": Bad(IMAGE, "imageGeneration", "POST", "/image-generation", 400, "invalid_payload",
                                 b'{"prompt": "x", "output": {"number_of_images": 1e400}}'),
    "image-nan": Bad(IMAGE, "imageGeneration", "POST", "/image-generation", 400, "invalid_payload",
                     b'{"prompt": "x", "output": {"number_of_images": NaN}}'),
    "image-deep-array": pytest.param(Bad(IMAGE, "imageGeneration", "POST", "/image-generation", 400,
                                         "invalid_payload", DEEP)),
    "image-deep-object": pytest.param(Bad(IMAGE, "imageGeneration", "POST", "/image-generation", 400,
                                          "invalid_payload", DEEP_OBJECT)),
    "image-idempotency-missing": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 400,
                                     "invalid_idempotency_key", body(RB), idempotency_key=None),
    "image-idempotency-short": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 400,
                                   "invalid_idempotency_key", body(RB), idempotency_key="short"),
    "image-idempotency-pattern": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 400,
                                     "invalid_idempotency_key", body(RB), idempotency_key="has spaces in it"),
    "image-idempotency-long": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 400,
                                  "invalid_idempotency_key", body(RB), idempotency_key="k" * 161),
    "image-job-id-not-uuid": Bad(IMAGE, "getJob", "GET", "/jobs/not-a-uuid", 400, "invalid_payload", None, None),
    "image-job-id-control-char": Bad(IMAGE, "getJob", "GET", "/jobs/ab%0Acd", 404, "not_found", None, None),
    "image-cancel-not-uuid": Bad(IMAGE, "cancelJob", "POST", "/jobs/12345/cancel", 400, "invalid_payload", None, None),
    "image-limit-zero": Bad(IMAGE, "listJobs", "GET", "/jobs?limit=0", 400, "invalid_payload", None, None),
    "image-limit-huge": Bad(IMAGE, "listJobs", "GET", f"/jobs?limit={HUGE}", 400, "invalid_payload", None, None),
    "image-limit-text": Bad(IMAGE, "listJobs", "GET", "/jobs?limit=many", 400, "invalid_payload", None, None),
    "image-limit-float": Bad(IMAGE, "listJobs", "GET", "/jobs?limit=2.5", 400, "invalid_payload", None, None),
    "image-cursor-long": Bad(IMAGE, "listJobs", "GET", "/jobs?cursor=" + "c" * 257, 400, "invalid_payload",
                             None, None),
    "image-unknown-tool": Bad(IMAGE, "listJobs", "GET", "/jobs?api=teleport", 400, "invalid_payload", None, None),
    "image-request-id-too-long": Bad(IMAGE, "listTools", "GET", "/tools", 400, "invalid_payload", None, None,
                                     headers={"X-Request-Id": "r" * 161}),
    "image-basic-auth": Bad(IMAGE, "removeBackground", "POST", "/remove-background", 401, "invalid_api_key", body(RB),
                            key=None, headers={"Authorization": "Basic dXNlcjpwYXNz"}),
    "image-empty-bearer": Bad(IMAGE, "listJobs", "GET", "/jobs", 401, "invalid_api_key", None, None, key=None,
                              headers={"Authorization": "Bearer"}),
    "image-unknown-route": Bad(IMAGE, None, "GET", "/no-such-thing", 404, "not_found", None, None),
    "image-unknown-nested-route": Bad(IMAGE, None, "POST", "/jobs/0b6f3d2a-5c1e-4f8a-9d47-3e2b1a6c8f90/retry", 404,
                                      "not_found", b"{}"),
    "image-wrong-method": Bad(IMAGE, None, "DELETE", "/jobs", 405, "method_not_allowed", None, None),
    "image-wrong-method-create": Bad(IMAGE, None, "GET", "/remove-background", 405, "method_not_allowed", None, None),
    # --- AI Gen Studio Product Photo API -----------------------------------------------------------------
    "photo-unknown-preset": Bad(PHOTO, "createProductPhotoJob", "POST", "/product-photo-jobs", 404,
                                "preset_not_found", body({**PP, "preset": "autumn_sale"})),
    "photo-unknown-operation": Bad(PHOTO, "createProductPhotoJob", "POST", "/product-photo-jobs", 400,
                                   "invalid_payload", body({**PP, "operation": "teleport"})),
    "photo-too-many-images": Bad(PHOTO, "createProductPhotoJob", "POST", "/product-photo-jobs", 400,
                                 "invalid_payload", body({"images": PP["images"] * 21})),
    "photo-content-policy": Bad(PHOTO, "createProductPhotoJob", "POST", "/product-photo-jobs", 422,
                                "content_policy_violation", body({**PP, "instructions": "sandbox-content-policy"})),
    "photo-malformed-json": Bad(PHOTO, "createProductPhotoJob", "POST", "/product-photo-jobs", 400,
                                "invalid_payload", b"{'images': []}"),
    "photo-not-utf8": Bad(PHOTO, "createProductPhotoJob", "POST", "/product-photo-jobs", 400, "invalid_payload",
                          NOT_UTF8),
    "photo-text-plain": Bad(PHOTO, "createProductPhotoJob", "POST", "/product-photo-jobs", 415,
                            "unsupported_media_type", b"images", content_type="text/plain"),
    "photo-oversized": Bad(PHOTO, "createProductPhotoJob", "POST", "/product-photo-jobs", 413, "payload_too_large",
                           oversized(**PP)),
    "photo-idempotency-missing": Bad(PHOTO, "createProductPhotoJob", "POST", "/product-photo-jobs", 400,
                                     "invalid_idempotency_key", body(PP), idempotency_key=None),
    "photo-idempotency-short": Bad(PHOTO, "createProductPhotoJob", "POST", "/product-photo-jobs", 400,
                                   "invalid_idempotency_key", body(PP), idempotency_key="1234567"),
    "photo-job-id-not-uuid": Bad(PHOTO, "getProductPhotoJob", "GET", "/product-photo-jobs/42", 400,
                                 "invalid_payload", None, None),
    "photo-request-id-too-long": Bad(PHOTO, "listProductPhotoPresets", "GET", "/product-photo-presets", 400,
                                     "invalid_payload", None, None, headers={"X-Request-Id": "r" * 161}),
    "photo-wrong-method": Bad(PHOTO, None, "PUT", "/product-photo-jobs", 405, "method_not_allowed", b"{}"),
    # --- ProductAI /api ------------------------------------------------------------------------------------
    "productai-invalid-model": Bad(PAI, "generate", "POST", "/api/generate", 400, "INVALID_MODEL",
                                   body({**PAI_GEN, "model": "dall-e-9"})),
    "productai-invalid-custom-model": Bad(PAI, "generateCustomModel", "POST", "/api/generate-custom-model", 400,
                                          "INVALID_MODEL", body({**PAI_GEN, "model": "brand-model"})),
    "productai-malformed-image-url": Bad(PAI, "generate", "POST", "/api/generate", 400, "INVALID_IMAGE_URL",
                                         body({**PAI_GEN, "image_url": "not a url"})),
    "productai-array-image-url-gpt-low": Bad(PAI, "generate", "POST", "/api/generate", 400,
                                             ("INVALID_IMAGE_URL", "INVALID_REQUEST"),
                                             body({**PAI_GEN, "image_url": [PAI_GEN["image_url"]] * 2})),
    "productai-three-images": Bad(PAI, "generate", "POST", "/api/generate", 400,
                                  ("INVALID_IMAGE_URL", "INVALID_REQUEST"),
                                  body({**PAI_GEN, "model": "nanobanana", "image_url": [PAI_GEN["image_url"]] * 3})),
    "productai-unreachable-image": Bad(PAI, "upscale", "POST", "/api/upscale", 400, "INVALID_IMAGE_URL",
                                       body({"image_url": "https://sandbox-unreachable.example/p.jpg"})),
    "productai-resolution-other-model": Bad(PAI, "generate", "POST", "/api/generate", 400, "INVALID_REQUEST",
                                            body({**PAI_GEN, "resolution": "4K"})),
    "productai-missing-prompt": Bad(PAI, "generate", "POST", "/api/generate", 400, "INVALID_REQUEST",
                                    body({k: v for k, v in PAI_GEN.items() if k != "prompt"})),
    "productai-malformed-json": Bad(PAI, "upscale", "POST", "/api/upscale", 400, "INVALID_REQUEST", b"{,}"),
    "productai-not-utf8": Bad(PAI, "generate", "POST", "/api/generate", 400, "INVALID_REQUEST", NOT_UTF8),
    "productai-text-plain": Bad(PAI, "generate", "POST", "/api/generate", 415, "UNSUPPORTED_MEDIA_TYPE", b"x",
                                content_type="text/plain"),
    "productai-oversized": Bad(PAI, "generate", "POST", "/api/generate", 413, "PAYLOAD_TOO_LARGE",
                               oversized(**PAI_GEN)),
    "productai-deep-json": pytest.param(Bad(PAI, "upscale", "POST", "/api/upscale", 400, "INVALID_REQUEST", DEEP)),
    "productai-job-id-zero": Bad(PAI, "getJob", "GET", "/api/job/0", 400, "INVALID_REQUEST", None, None),
    "productai-job-id-text": pytest.param(Bad(PAI, "getJob", "GET", "/api/job/abc", 400, "INVALID_REQUEST", None,
                                              None)),
    "productai-job-id-decimal": pytest.param(Bad(PAI, "getJob", "GET", "/api/job/10001.0", 400, "INVALID_REQUEST",
                                                 None, None)),
    "productai-job-id-huge": Bad(PAI, "getJob", "GET", f"/api/job/{HUGE}", 404, "JOB_NOT_FOUND", None, None),
    "productai-no-key": Bad(PAI, "keyCheck", "GET", "/api/key-check", 401, "INVALID_API_KEY", None, None, key=None),
    "productai-bearer-instead-of-x-api-key": Bad(PAI, "keyCheck", "GET", "/api/key-check", 401, "INVALID_API_KEY",
                                                 None, None, key=None,
                                                 headers={"Authorization": "Bearer sandbox_malformed"}),
    "productai-unknown-route": Bad(PAI, None, "GET", "/api/no-such-thing", 404, "NOT_FOUND", None, None),
    "productai-wrong-method": Bad(PAI, None, "PUT", "/api/generate", 405, "METHOD_NOT_ALLOWED", b"{}"),
    "productai-wrong-method-read": Bad(PAI, None, "DELETE", "/api/job/10001", 405, "METHOD_NOT_ALLOWED", None, None),
    # --- ProductAI v1 --------------------------------------------------------------------------------------
    "v1-image-url-and-asset-id": Bad(V1, "createGeneration", "POST", "/v1/generate", 400, "invalid_request",
                                     body({**V1_GEN, "asset_id": "asset_0123456789abcdef0123"})),
    "v1-neither-image-url-nor-asset-id": Bad(V1, "createGeneration", "POST", "/v1/generate", 400, "invalid_request",
                                             body({"model": "nanobanana2", "prompt": "x"})),
    "v1-unknown-preset": Bad(V1, "createGeneration", "POST", "/v1/generate", 404, "not_found",
                             body({**V1_GEN, "preset_id": "preset_unknown"})),
    "v1-unknown-asset": Bad(V1, "createGeneration", "POST", "/v1/generate", 404, "not_found",
                            body({k: v for k, v in V1_GEN.items() if k != "image_url"}
                                 | {"asset_id": "asset_0123456789abcdef0123"})),
    "v1-invalid-model": Bad(V1, "createGeneration", "POST", "/v1/generate", 400, "invalid_request",
                            body({**V1_GEN, "model": "gpt-low"})),
    "v1-too-many-images": Bad(V1, "createGeneration", "POST", "/v1/generate", 400, "invalid_request",
                              body({**V1_GEN, "num_images": 5})),
    "v1-infinite-images": Bad(V1, "createGeneration", "POST", "/v1/generate", 400, "invalid_request",
                              b'{"model": "nanobanana2", "image_url": "https://e.example/p.jpg", "prompt": "x", '
                              b'"num_images": 1e400}'),
    "v1-null-prompt": Bad(V1, "createGeneration", "POST", "/v1/generate", 400, "invalid_request",
                          body({**V1_GEN, "prompt": None})),
    "v1-malformed-json": Bad(V1, "createGeneration", "POST", "/v1/generate", 400, "invalid_request", b'{"model"'),
    "v1-not-utf8": Bad(V1, "createGeneration", "POST", "/v1/generate", 400, "invalid_request", NOT_UTF8),
    "v1-text-plain": Bad(V1, "createGeneration", "POST", "/v1/generate", 415, "unsupported_media_type", b"x",
                         content_type="text/plain"),
    "v1-oversized": pytest.param(Bad(V1, "createGeneration", "POST", "/v1/generate", 413, "payload_too_large",
                                     oversized(**V1_GEN))),
    "v1-deep-json": pytest.param(Bad(V1, "createGeneration", "POST", "/v1/generate", 400, "invalid_request", DEEP)),
    "v1-job-id-too-long": Bad(V1, "getJob", "GET", "/v1/jobs/" + "j" * 65, 400, "invalid_request", None, None),
    "v1-asset-json": Bad(V1, "uploadAsset", "POST", "/v1/assets", 415, "unsupported_media_type", b"{}"),
    "v1-asset-malformed-multipart": Bad(V1, "uploadAsset", "POST", "/v1/assets", 400, "invalid_request",
                                        b"--abc\r\n[]--abc--\r\n", content_type="multipart/form-data; boundary=abc"),
    "v1-asset-without-file": Bad(V1, "uploadAsset", "POST", "/v1/assets", 400, "invalid_request", None, None,
                                 files={"other": ("note.txt", b"hello", "text/plain")}),
    "v1-asset-too-large": pytest.param(Bad(V1, "uploadAsset", "POST", "/v1/assets", 413, "payload_too_large",
                                           None, None, files={"file": ("big.png", b"\x89PNG" + b"\0" * 10_600_000,
                                                                       "image/png")})),
    "v1-no-key": Bad(V1, "listPresets", "GET", "/v1/presets", 401, "unauthorized", None, None, key=None),
    "v1-unknown-route": Bad(V1, None, "GET", "/v1/no-such-thing", 404, "not_found", None, None),
    "v1-unknown-route-outside-v1": Bad(V1, None, "GET", "/v2/generate", 404, "not_found", None, None),
    "v1-wrong-method": Bad(V1, None, "DELETE", "/v1/generate", 405, "method_not_allowed", None, None),
    # --- control plane -------------------------------------------------------------------------------------
    "control-negative-seconds": Bad(CONTROL, "advanceClock", "POST", "/clock/advance", 400, "invalid_request",
                                    body({"seconds": -1})),
    "control-unknown-field": Bad(CONTROL, "advanceClock", "POST", "/clock/advance", 400, "invalid_request",
                                 body({"seconds": 1, "minutes": 2})),
    "control-bad-mode": Bad(CONTROL, "setClock", "PUT", "/clock", 400, "invalid_request", body({"mode": "fast"})),
    "control-bad-instant": Bad(CONTROL, "setClock", "PUT", "/clock", 400, "invalid_request",
                               body({"mode": "manual", "now": "yesterday"})),
    "control-malformed-json": Bad(CONTROL, "createAccount", "POST", "/accounts", 400, "invalid_request", b"{"),
    "control-bad-account-id": Bad(CONTROL, "createAccount", "POST", "/accounts", 400, "invalid_request",
                                  body({"id": "has spaces", "keys": ["k"]})),
    "control-text-plain": Bad(CONTROL, "advanceClock", "POST", "/clock/advance", 415, "unsupported_media_type",
                              b"seconds=1", content_type="text/plain"),
    "control-oversized": pytest.param(Bad(CONTROL, "createAccount", "POST", "/accounts", 413, "payload_too_large",
                                          oversized(id="big", keys=["k"]))),
    "control-bad-file-name": Bad(CONTROL, "getFile", "GET", "/files/../../etc/passwd", 404, "not_found", None, None),
    "control-encoded-traversal": Bad(CONTROL, "getFile", "GET", "/files/..%2F..%2Fetc%2Fpasswd", 404, "not_found",
                                     None, None),
    "control-bad-file-pattern": Bad(CONTROL, "getFile", "GET", "/files/result.gif", 400, "invalid_request",
                                    None, None),
    "control-limit-huge": Bad(CONTROL, "listAllJobs", "GET", f"/jobs?limit={HUGE}", 400, "invalid_request",
                              None, None),
    "control-unknown-route": Bad(CONTROL, None, "GET", "/no-such-thing", 404, "not_found", None, None),
    "control-wrong-method": Bad(CONTROL, None, "DELETE", "/health", 405, "method_not_allowed", None, None),
}


def _allowed_methods(document: str, path: str) -> set[str] | None:
    """The methods the document defines for the template that matches ``path``."""
    import re

    for template, item in load_document(document)["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path.split("?")[0]):
            return {m.upper() for m in item if m in ("get", "put", "post", "delete", "patch")}
    return None


@pytest.mark.parametrize("case", [pytest.param(c, id=name) if not hasattr(c, "values") else
                                  pytest.param(*c.values, id=name, marks=c.marks) for name, c in CASES.items()])
def test_malformed_input_gets_its_documented_error(case: Bad, api, live_server, contract):
    headers = dict(case.headers)
    if case.key is not None:
        headers[KEYS[case.document]] = case.key if KEYS[case.document] == "x-api-key" else f"Bearer {case.key}"
    if case.idempotency_key is not None and case.method == "POST":
        headers.setdefault("Idempotency-Key", case.idempotency_key)
    if case.content_type and case.files is None:
        headers["Content-Type"] = case.content_type
    url = live_server.base(case.document) + case.path
    reply = api.raw(case.method, url, headers=headers, content=case.content, files=case.files)
    assert reply.status < 500, reply.describe()
    assert reply.status == case.status, reply.describe()
    if case.operation is not None:
        reply.op = contract.op(case.document, case.operation)
        found = api.expect(reply, case.status)
    else:
        found = reply.json()
        for document, pointer in EDGE_SCHEMAS[case.document]:
            contract.check_body(document, pointer, found)
            for place in contract.request_id_fields(document, pointer):
                value = found[place[0]] if len(place) == 1 else found[place[0]][place[1]]
                assert value == reply.headers["x-request-id"], reply.describe()
    code = found.get("code") if case.document == PAI else found["error"]["code"]
    assert code in ((case.code,) if isinstance(case.code, str) else case.code), reply.describe()
    if case.status == 405:
        allowed = _allowed_methods(case.document, case.path)
        assert allowed and set(reply.headers["allow"].replace(" ", "").split(",")) == allowed, reply.describe()


def test_every_malformed_case_names_a_documented_operation(contract):
    for name, case in CASES.items():
        if hasattr(case, "values"):
            continue  # a known defect: its own test says what is wrong
        if case.operation is not None:
            op = contract.op(case.document, case.operation)
            assert case.method.lower() == op.method, name
            assert contract.documented(op, case.status), f"{name}: {case.operation} documents no {case.status}"
        else:
            assert case.status in (404, 405), name


@pytest.mark.parametrize(("document", "path", "payload", "status"), [
    (IMAGE, "/ai-background", {**RB, "prompt": "x", "output": {"number_of_images": 2.0}}, 202),
    (V1, "/v1/generate", {**V1_GEN, "num_images": 2.0}, 202),
])
def test_integral_floats_are_integers(document, path, payload, status, api, live_server):
    """2.0 is an integer for JSON Schema: a schema-valid request never gets a 5xx, now or when its job
    is read later."""
    headers = {KEYS[document]: "Bearer sandbox_floats", "Idempotency-Key": f"floats-{document}"}
    created = api.raw("POST", live_server.base(document) + path, headers=headers, json=payload)
    assert created.status == status, created.describe()
    job_url = (live_server.base(document) + "/jobs/" + created.json()["job"]["id"] if document == IMAGE
               else live_server.base(document) + "/v1/jobs/" + created.json()["job_id"])
    import time

    deadline = time.monotonic() + 10
    while True:
        read = api.raw("GET", job_url, headers={"Authorization": "Bearer sandbox_floats"})
        assert read.status == 200, read.describe()
        status_of = read.json()["job"]["status"] if document == IMAGE else read.json()["status"]
        if status_of in ("completed", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert status_of == "completed"


@pytest.mark.parametrize(("document", "path", "headers"), [
    (CONTROL, "/health", {}),
    (PAI, "/api/key-check", {"x-api-key": "sandbox_malformed"}),
    (V1, "/v1/presets", {"Authorization": "Bearer sandbox_malformed"}),
])
def test_content_type_without_a_body_is_ignored(document, path, headers, api, live_server):
    reply = api.raw("GET", live_server.base(document) + path, headers={**headers, "Content-Type": "multipart/form-data"})
    assert reply.status == 200, reply.describe()
