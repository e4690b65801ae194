"""Checks that the two ProductAI documents state what the vendor's prose says, and mark the rest.

The ProductAI seeds are prose, so there is no seed YAML to diff against: the facts are pinned
here as tables, cross-checked against the seed text when it sits beside the repository, and
the model-dependent request rules are exercised through real JSON Schema validation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.seedlib import find_uninferred_additions, load_document, resolve_ref

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
DOCS = ("productai", "productai-v1")
HTTP_METHODS = ("get", "put", "post", "delete", "patch")

GENERATE = "#/paths/~1api~1generate/post"
CUSTOM = "#/paths/~1api~1generate-custom-model/post"
UPSCALE = "#/paths/~1api~1upscale/post"
GET_JOB = "#/paths/~1api~1job~1{jobId}/get"
KEY_CHECK = "#/paths/~1api~1key-check/get"
V1_CREATE = "#/paths/~1v1~1generate/post"
V1_GET_JOB = "#/paths/~1v1~1jobs~1{job_id}/get"
V1_ASSETS = "#/paths/~1v1~1assets/post"
V1_PRESETS = "#/paths/~1v1~1presets/get"
JSON_BODY = "requestBody/content/application~1json/schema"

CREDITS_002 = {
    "gpt-low": 2,
    "gpt-medium": 3,
    "gpt-high": 8,
    "kontext-pro": 2,
    "kontext-max": 3,
    "nanobanana": 3,
    "nanobananapro": 8,
    "seedream": 3,
}
CREDITS_003 = {
    "nanobanana2": 5,
    "nanobananapro": 8,
    "nanobanana": 3,
    "kontext-pro": 3,
    "kontext-max": 3,
    "seedream": 3,
    "gpt-high": 8,
}
NANO = ("nanobanana", "nanobananapro")
MULTI_IMAGE = ("nanobanana", "nanobananapro", "seedream")
BASIC_RATIOS = ("SQUARE", "LANDSCAPE", "PORTRAIT")
NANO_RATIOS = ("LANDSCAPE_4_3", "LANDSCAPE_5_4", "SQUARE_1_1", "PORTRAIT_4_5", "PORTRAIT_3_4")

# (code, HTTP status, operation that must document that status) from the seeds' error tables.
CODES_002 = [
    ("INVALID_API_KEY", 401, GENERATE),
    ("OUT_OF_TOKENS", 402, GENERATE),
    ("RATE_LIMIT_EXCEEDED", 429, GENERATE),
    ("INVALID_IMAGE_URL", 400, GENERATE),
    ("INVALID_MODEL", 400, GENERATE),
    ("JOB_NOT_FOUND", 404, GET_JOB),
]
CODES_003 = [
    ("invalid_request", 400, V1_CREATE),
    ("unauthorized", 401, V1_CREATE),
    ("insufficient_credits", 402, V1_CREATE),
    ("rate_limit_exceeded", 429, V1_CREATE),
]
INFERRED_CODES_002 = {
    "INVALID_REQUEST": 400,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "PAYLOAD_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "INTERNAL_ERROR": 500,
}
INFERRED_CODES_003 = {
    "not_found": 404,
    "method_not_allowed": 405,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "internal_error": 500,
}

# Statuses each operation documents: seed ones, then inferred ones (which must carry x-inferred).
STATUSES = [
    ("productai", GENERATE, {200, 400, 401, 402, 429, 500}, {413, 415}),
    ("productai", GET_JOB, {200, 401, 404, 429, 500}, {400}),
    ("productai", UPSCALE, {200, 400, 401, 402, 429, 500}, {413, 415}),
    ("productai", CUSTOM, {200, 400, 401, 402, 429, 500}, {413, 415}),
    ("productai", KEY_CHECK, {200, 401, 429, 500}, set()),
    ("productai-v1", V1_CREATE, {202, 400, 401, 402, 429}, {404, 413, 415, 500}),
    ("productai-v1", V1_GET_JOB, set(), {200, 400, 401, 404, 429, 500}),
    ("productai-v1", V1_ASSETS, set(), {201, 400, 401, 413, 415, 429, 500}),
    ("productai-v1", V1_PRESETS, set(), {200, 401, 429, 500}),
]

# What the prose seeds document, in the shape seedlib reports unmarked elements.
DOCUMENTED = {
    "productai": {
        "operations": {
            "/api/generate": "post",
            "/api/job/{jobId}": "get",
            "/api/upscale": "post",
            "/api/generate-custom-model": "post",
            "/api/key-check": "get",
        },
        "parameters": {"jobId"},
        "fields": {
            "image_url",
            "prompt",
            "model",
            "output_format",
            "aspect_ratio",
            "resolution",
            "status",
            "data",
            "id",
            "valid",
            "tokens_remaining",
            "plan",
            "message",
            "code",
        },
        "schemas": {
            "GenerateModel",
            "GenerateRequest",
            "UpscaleRequest",
            "GenerateCustomModelRequest",
            "JobStatus",
            "OkStatus",
            "GeneratedJob",
            "GenerateResponse",
            "UpscaleJob",
            "UpscaleResponse",
            "Job",
            "JobResponse",
            "KeyCheck",
            "KeyCheckResponse",
            "Error",
        },
        "responses": {
            "BadRequest": 400,
            "Unauthorized": 401,
            "InsufficientTokens": 402,
            "JobNotFound": 404,
            "RateLimitExceeded": 429,
            "ServerError": 500,
        },
    },
    "productai-v1": {
        "operations": {"/v1/generate": "post"},
        "parameters": set(),
        "fields": {
            "model",
            "image_url",
            "asset_id",
            "prompt",
            "preset_id",
            "num_images",
            "aspect_ratio",
            "webhook_url",
            "job_id",
            "status",
            "created_at",
            "estimated_time_seconds",
            "error",
            "code",
            "message",
            "retry_after",
        },
        "schemas": {
            "Model",
            "AspectRatio",
            "JobStatus",
            "CreateGenerationRequest",
            "GenerationJob",
            "ErrorResponse",
            "RateLimitErrorResponse",
        },
        "responses": {
            "BadRequest": 400,
            "Unauthorized": 401,
            "InsufficientCredits": 402,
            "RateLimitExceeded": 429,
        },
    },
}

# Enums whose seed values must all be present; any extra value needs x-inferred on the schema.
ENUMS = [
    ("productai", "#/components/schemas/GenerateModel", list(CREDITS_002)),
    ("productai", f"{GENERATE}/{JSON_BODY}/properties/output_format", ["png", "jpg", "jpeg"]),
    (
        "productai",
        "#/components/schemas/GenerateRequest/properties/aspect_ratio/anyOf/0",
        [*BASIC_RATIOS, *NANO_RATIOS],
    ),
    ("productai", "#/components/schemas/GenerateRequest/properties/resolution", ["1K", "2K", "4K"]),
    ("productai", "#/components/schemas/JobStatus", ["NOT_STARTED", "RUNNING", "COMPLETED", "ERROR"]),
    ("productai", "#/components/schemas/ErrorCode", [code for code, _, _ in CODES_002]),
    ("productai", "#/components/schemas/Error/properties/status", ["ERROR"]),
    ("productai", "#/components/schemas/OkStatus", ["OK"]),
    ("productai-v1", "#/components/schemas/Model", list(CREDITS_003)),
    ("productai-v1", "#/components/schemas/AspectRatio", ["1:1", "4:3", "3:4", "16:9", "9:16"]),
    ("productai-v1", "#/components/schemas/JobStatus", ["pending", "processing", "completed", "failed"]),
    ("productai-v1", "#/components/schemas/ErrorCode", [code for code, _, _ in CODES_003]),
]

_DOC_CACHE: dict[str, dict] = {}


def doc(name: str) -> dict:
    if name not in _DOC_CACHE:
        _DOC_CACHE[name] = load_document(name)
    return _DOC_CACHE[name]


def at(name: str, pointer: str) -> Any:
    """The node at `pointer`, following every `$ref` met on the way and at the end."""
    node: Any = doc(name)
    for part in pointer[2:].split("/"):
        node = follow(name, node)
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return follow(name, node)


def follow(name: str, node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        node = resolve_ref(doc(name), node["$ref"])
    return node


def validator(name: str, pointer: str) -> Draft202012Validator:
    """A 2020-12 validator for the schema at `pointer`, with the document's refs resolvable."""
    uri = f"urn:darkroom:{name}"
    registry = Registry().with_resource(uri, DRAFT202012.create_resource(doc(name)))
    return Draft202012Validator(
        {"$ref": f"{uri}{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def is_valid(name: str, pointer: str, instance: Any) -> bool:
    return validator(name, pointer).is_valid(instance)


def operation_statuses(name: str, op_pointer: str) -> set[int]:
    return {int(status) for status in at(name, op_pointer)["responses"]}


def response_examples(name: str, op_pointer: str, status: int) -> list[Any]:
    response = at(name, f"{op_pointer}/responses/{status}")
    media = response["content"]["application/json"]
    return [example["value"] for example in media.get("examples", {}).values()]


def request_examples(name: str, op_pointer: str) -> list[Any]:
    media = at(name, op_pointer)["requestBody"]["content"]["application/json"]
    return [example["value"] for example in media.get("examples", {}).values()]


def iter_media_examples(name: str) -> Iterator[tuple[str, str]]:
    """(pointer to a media type object with a schema, example key) for every named example."""
    document = doc(name)
    bases: list[tuple[str, dict]] = []
    for path, item in document["paths"].items():
        escaped = path.replace("~", "~0").replace("/", "~1")
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            op_ptr = f"#/paths/{escaped}/{method}"
            if "requestBody" in op:
                bases.append((f"{op_ptr}/requestBody", op["requestBody"]))
            for status, response in op["responses"].items():
                if "$ref" not in response:
                    bases.append((f"{op_ptr}/responses/{status}", response))
    for key, response in document["components"].get("responses", {}).items():
        bases.append((f"#/components/responses/{key}", response))
    for base, holder in bases:
        for media, entry in holder.get("content", {}).items():
            for example_key in entry.get("examples", {}):
                yield f"{base}/content/{media.replace('/', '~1')}", example_key


def seed_text(prefix: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip("seed folder not present beside the repository")
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"seed {prefix} not present")
    return matches[0].read_text(encoding="utf-8")


def table_row(text: str, field: str) -> str:
    """The markdown table row of seed 002 whose first cell is `field`."""
    for line in text.splitlines():
        if re.match(rf"^\|\s*`{re.escape(field)}`\s*\|", line):
            return line
    raise AssertionError(f"no table row for {field}")


# (a) structural validity


@pytest.mark.parametrize("name", DOCS)
def test_document_is_valid_openapi_31(name: str) -> None:
    assert doc(name)["openapi"] == "3.1.0"
    validate_openapi(doc(name))


@pytest.mark.parametrize(
    ("name", "production", "sandbox"),
    [
        ("productai", "https://api.productai.photo/v1", "http://127.0.0.1:8080/productai/v1"),
        ("productai-v1", "https://api.productai.photo", "http://127.0.0.1:8080/productai"),
    ],
)
def test_servers_list_the_vendor_then_the_sandbox(name: str, production: str, sandbox: str) -> None:
    servers = doc(name)["servers"]
    assert [s["url"] for s in servers] == [production, sandbox]
    assert servers[1]["description"] == "Darkroom sandbox"


def test_security_schemes() -> None:
    assert doc("productai")["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": "All API requests require authentication via the `x-api-key` header.",
    }
    assert doc("productai")["security"] == [{"ApiKeyAuth": []}]
    bearer = doc("productai-v1")["components"]["securitySchemes"]["BearerAuth"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert doc("productai-v1")["security"] == [{"BearerAuth": []}]


@pytest.mark.parametrize(
    ("name", "pointer", "operation_id"),
    [
        ("productai", GENERATE, "generate"),
        ("productai", GET_JOB, "getJob"),
        ("productai", UPSCALE, "upscale"),
        ("productai", CUSTOM, "generateCustomModel"),
        ("productai", KEY_CHECK, "keyCheck"),
        ("productai-v1", V1_CREATE, "createGeneration"),
        ("productai-v1", V1_GET_JOB, "getJob"),
        ("productai-v1", V1_ASSETS, "uploadAsset"),
        ("productai-v1", V1_PRESETS, "listPresets"),
    ],
)
def test_operation_ids(name: str, pointer: str, operation_id: str) -> None:
    assert at(name, pointer)["operationId"] == operation_id


# (b) seed facts as tables


@pytest.mark.parametrize(("model", "credits"), CREDITS_002.items())
def test_productai_model_credits(model: str, credits: int) -> None:
    schema = at("productai", "#/components/schemas/GenerateModel")
    assert model in schema["enum"]
    assert schema["x-credits"][model] == credits
    assert f"{model} {credits}" in " ".join(schema["description"].split())


def test_productai_credit_table_covers_exactly_the_enum() -> None:
    schema = at("productai", "#/components/schemas/GenerateModel")
    assert set(schema["x-credits"]) == set(schema["enum"])


@pytest.mark.parametrize(("model", "credits"), CREDITS_003.items())
def test_v1_model_credits(model: str, credits: int) -> None:
    schema = at("productai-v1", "#/components/schemas/Model")
    assert model in schema["enum"]
    assert schema["x-credits"][model] == credits


def test_v1_credit_table_covers_exactly_the_enum() -> None:
    schema = at("productai-v1", "#/components/schemas/Model")
    assert schema["enum"] == list(CREDITS_003)
    assert set(schema["x-credits"]) == set(schema["enum"])


@pytest.mark.parametrize(("pointer", "credits"), [(UPSCALE, 20), (CUSTOM, 8)])
def test_operation_credits(pointer: str, credits: int) -> None:
    assert at("productai", pointer)["x-credits"] == credits


@pytest.mark.parametrize(("code", "status", "op_pointer"), CODES_002)
def test_productai_error_codes(code: str, status: int, op_pointer: str) -> None:
    error_codes = at("productai", "#/components/schemas/ErrorCode")
    assert code in error_codes["examples"]
    assert error_codes["x-code-statuses"][code] == status
    assert status in operation_statuses("productai", op_pointer)
    assert code in [e["code"] for e in response_examples("productai", op_pointer, status)]
    assert f"`{code}` | {status}" in doc("productai")["info"]["description"]


@pytest.mark.parametrize(("code", "status", "op_pointer"), CODES_003)
def test_v1_error_codes(code: str, status: int, op_pointer: str) -> None:
    error_codes = at("productai-v1", "#/components/schemas/ErrorCode")
    assert code in error_codes["examples"]
    assert error_codes["x-code-statuses"][code] == status
    assert code in [e["error"]["code"] for e in response_examples("productai-v1", op_pointer, status)]


@pytest.mark.parametrize(
    ("name", "inferred"), [("productai", INFERRED_CODES_002), ("productai-v1", INFERRED_CODES_003)]
)
def test_inferred_codes_and_their_statuses(name: str, inferred: dict[str, int]) -> None:
    error_codes = at(name, "#/components/schemas/ErrorCode")
    for code, status in inferred.items():
        assert error_codes["x-code-statuses"][code] == status
    assert set(error_codes["x-code-statuses"]) == set(error_codes["examples"])
    assert "x-inferred" in error_codes


@pytest.mark.parametrize(("name", "op_pointer", "seed_statuses", "inferred_statuses"), STATUSES)
def test_operation_statuses(name: str, op_pointer: str, seed_statuses: set, inferred_statuses: set) -> None:
    assert operation_statuses(name, op_pointer) == seed_statuses | inferred_statuses
    op = at(name, op_pointer)
    for status in inferred_statuses:
        assert "x-inferred" in op or "x-inferred" in at(name, f"{op_pointer}/responses/{status}"), status


@pytest.mark.parametrize(("name", "pointer", "values"), ENUMS)
def test_seed_enums_are_present_and_extensions_marked(name: str, pointer: str, values: list[str]) -> None:
    schema = at(name, pointer)
    listed = schema.get("enum", schema.get("examples"))  # error codes are open: listed as examples
    assert listed[: len(values)] == values
    if len(listed) > len(values):
        assert "x-inferred" in schema


@pytest.mark.parametrize(
    ("pointer", "default"),
    [
        ("#/components/schemas/GenerateRequest/properties/output_format", "png"),
        ("#/components/schemas/GenerateRequest/properties/resolution", "2K"),
    ],
)
def test_productai_defaults(pointer: str, default: str) -> None:
    assert at("productai", pointer)["default"] == default


def test_productai_image_limit_is_two() -> None:
    array = at("productai", "#/components/schemas/GenerateRequest/properties/image_url/oneOf/1")
    assert (array["type"], array["maxItems"]) == ("array", 2)
    assert doc("productai")["info"]["x-image-requirements"]["max_images_per_request"] == 2
    assert doc("productai")["info"]["x-image-requirements"]["multi_image_models"] == list(MULTI_IMAGE)


def test_productai_rate_limit_is_documented() -> None:
    info = doc("productai")["info"]
    assert info["x-rate-limit"] == {"requests": 15, "period_seconds": 60, "scope": "ip"}
    assert "15 requests per minute per IP address" in info["description"]
    assert "15 requests/minute" in at("productai", "#/components/responses/RateLimitExceeded")["description"]


def test_v1_num_images_limits() -> None:
    num_images = at("productai-v1", "#/components/schemas/CreateGenerationRequest/properties/num_images")
    assert (num_images["minimum"], num_images["maximum"], num_images["default"]) == (1, 4, 1)


def test_v1_aspect_ratio_default() -> None:
    prop = resolve_ref(
        doc("productai-v1"), "#/components/schemas/CreateGenerationRequest/properties/aspect_ratio"
    )
    assert prop["default"] == "1:1"


def test_v1_create_response_requires_every_documented_field() -> None:
    schema = at("productai-v1", "#/components/schemas/GenerationJob")
    fields = ["job_id", "status", "created_at", "estimated_time_seconds", "model", "num_images"]
    assert schema["required"] == fields
    assert list(schema["properties"]) == fields
    assert schema["properties"]["created_at"]["format"] == "date-time"


def test_v1_rate_limit_error_requires_retry_after() -> None:
    pointer = "#/components/responses/RateLimitExceeded/content/application~1json/schema"
    body = {"error": {"code": "rate_limit_exceeded", "message": "slow down"}}
    assert not is_valid("productai-v1", pointer, body)
    assert is_valid("productai-v1", pointer, {"error": {**body["error"], "retry_after": 60}})


def test_v1_prompt_contradiction_is_kept_and_noted() -> None:
    schema = at("productai-v1", "#/components/schemas/CreateGenerationRequest")
    assert "prompt" in schema["required"]
    assert "instead of a custom prompt" in schema["description"]


# (c) model-dependent rules, checked by validation

GEN_SCHEMA = f"{GENERATE}/{JSON_BODY}"
V1_SCHEMA = f"{V1_CREATE}/{JSON_BODY}"
URL1 = "https://example.com/a.jpg"
URL2 = "https://example.com/b.jpg"


def gen(model: str, **extra: Any) -> dict:
    return {"image_url": URL1, "prompt": "p", "model": model, **extra}


GENERATE_CASES = [
    ("single image, every model", [gen(m) for m in CREDITS_002], True),
    ("array of 2 with a gpt model", [gen("gpt-low", image_url=[URL1, URL2])], False),
    ("array of 1 with kontext", [gen("kontext-pro", image_url=[URL1])], False),
    ("array of 2 with multi-image models", [gen(m, image_url=[URL1, URL2]) for m in MULTI_IMAGE], True),
    ("array of 3", [gen("nanobanana", image_url=[URL1, URL2, URL1])], False),
    ("empty array", [gen("nanobanana", image_url=[])], False),
    ("not a URL", [gen("nanobanana", image_url="not a url")], False),
    ("URL over 2048 chars", [gen("nanobanana", image_url="https://e.com/" + "a" * 2040)], False),
    ("unknown model", [gen("gpt-ultra")], False),
    ("missing prompt", [{"image_url": URL1, "model": "seedream"}], False),
    ("output formats", [gen("seedream", output_format=f) for f in ("png", "jpg", "jpeg")], True),
    ("webp output", [gen("seedream", output_format="webp")], False),
    ("basic ratios, every model", [gen(m, aspect_ratio=r) for m in CREDITS_002 for r in BASIC_RATIOS], True),
    ("named ratios for nanobanana", [gen(m, aspect_ratio=r) for m in NANO for r in NANO_RATIOS], True),
    ("named ratio for seedream", [gen("seedream", aspect_ratio="LANDSCAPE_4_3")], False),
    ("named ratio for gpt-high", [gen("gpt-high", aspect_ratio="PORTRAIT_3_4")], False),
    (
        "direct ratios for nanobanana",
        [gen(m, aspect_ratio=r) for m in NANO for r in ("4:3", "9:16", "21:9")],
        True,
    ),
    ("direct ratio for seedream", [gen("seedream", aspect_ratio="4:3")], False),
    ("direct ratio for kontext-max", [gen("kontext-max", aspect_ratio="9:16")], False),
    ("malformed ratio", [gen("nanobanana", aspect_ratio=r) for r in ("0:1", "4:", "100:1", "4/3")], False),
    ("resolution for nanobanana", [gen(m, resolution=r) for m in NANO for r in ("1K", "2K", "4K")], True),
    ("resolution 8K", [gen("nanobanana", resolution="8K")], False),
    ("resolution with gpt-high", [gen("gpt-high", resolution="2K")], False),
    ("resolution with seedream", [gen("seedream", resolution="1K")], False),
]


@pytest.mark.parametrize(("label", "bodies", "valid"), GENERATE_CASES, ids=[c[0] for c in GENERATE_CASES])
def test_generate_request_rules(label: str, bodies: list[dict], valid: bool) -> None:
    for body in bodies:
        assert is_valid("productai", GEN_SCHEMA, body) is valid, body


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ({"image_url": URL1, "prompt": "p", "model": "custom-owesa-avatars"}, True),
        ({"image_url": URL1, "prompt": "p", "model": "custom-a"}, True),
        ({"image_url": URL1, "prompt": "p", "model": "nanobanana"}, False),
        ({"image_url": URL1, "prompt": "p", "model": "custom-"}, False),
        ({"image_url": URL1, "prompt": "p", "model": "custom-Brand"}, False),
        ({"image_url": [URL1], "prompt": "p", "model": "custom-a"}, False),
        ({"prompt": "p", "model": "custom-a"}, False),
    ],
)
def test_custom_model_request_rules(body: dict, valid: bool) -> None:
    assert is_valid("productai", f"{CUSTOM}/{JSON_BODY}", body) is valid


@pytest.mark.parametrize(
    ("body", "valid"),
    [({"image_url": URL1}, True), ({"image_url": [URL1]}, False), ({}, False), ({"image_url": "x y"}, False)],
)
def test_upscale_request_rules(body: dict, valid: bool) -> None:
    assert is_valid("productai", f"{UPSCALE}/{JSON_BODY}", body) is valid


def v1(**fields: Any) -> dict:
    return {"model": "nanobanana2", "prompt": "p", **fields}


V1_CASES = [
    ("image_url only", v1(image_url=URL1), True),
    ("asset_id only", v1(asset_id="asset_0123456789abcdef0123"), True),
    ("both image_url and asset_id", v1(image_url=URL1, asset_id="asset_1"), False),
    ("neither image_url nor asset_id", v1(), False),
    ("missing prompt", {"model": "nanobanana2", "image_url": URL1}, False),
    ("preset with prompt", v1(image_url=URL1, preset_id="preset_marble_table"), True),
    ("num_images 1", v1(image_url=URL1, num_images=1), True),
    ("num_images 4", v1(image_url=URL1, num_images=4), True),
    ("num_images 0", v1(image_url=URL1, num_images=0), False),
    ("num_images 5", v1(image_url=URL1, num_images=5), False),
    ("aspect ratio 16:9", v1(image_url=URL1, aspect_ratio="16:9"), True),
    ("aspect ratio 21:9", v1(image_url=URL1, aspect_ratio="21:9"), False),
    ("aspect ratio SQUARE", v1(image_url=URL1, aspect_ratio="SQUARE"), False),
    ("model from the /api surface", {**v1(image_url=URL1), "model": "gpt-low"}, False),
    ("webhook url", v1(image_url=URL1, webhook_url="https://hooks.example.com/done"), True),
    ("webhook not a url", v1(image_url=URL1, webhook_url="not a url"), False),
]


@pytest.mark.parametrize(("label", "body", "valid"), V1_CASES, ids=[c[0] for c in V1_CASES])
def test_v1_request_rules(label: str, body: dict, valid: bool) -> None:
    assert is_valid("productai-v1", V1_SCHEMA, body) is valid


JOB_DATA = f"{GET_JOB}/responses/200/content/application~1json/schema"
RESULT = "https://cdn.productai.photo/generated/result.png"


@pytest.mark.parametrize(
    ("data", "valid"),
    [
        ({"id": 1, "status": "COMPLETED", "prompt": "p", "image_url": RESULT}, True),
        ({"id": 1, "status": "COMPLETED", "image_url": RESULT}, True),
        ({"id": 1, "status": "COMPLETED", "prompt": "p"}, False),
        ({"id": 1, "status": "RUNNING", "prompt": "p"}, True),
        ({"id": 1, "status": "NOT_STARTED"}, True),
        ({"id": 1, "status": "ERROR", "prompt": "p"}, True),
        ({"id": 1, "status": "RUNNING", "image_url": RESULT}, False),
        ({"id": 1, "status": "ERROR", "image_url": RESULT}, False),
        ({"id": 1, "status": "DONE"}, False),
        ({"id": "1", "status": "RUNNING"}, False),
    ],
)
def test_job_image_url_only_when_completed(data: dict, valid: bool) -> None:
    assert is_valid("productai", JOB_DATA, {"status": "OK", "data": data}) is valid


def test_job_id_parameter_is_a_positive_integer() -> None:
    param = at("productai", GET_JOB)["parameters"][0]
    assert param["name"] == "jobId" and param["in"] == "path" and param["required"] is True
    assert param["schema"] == {"$ref": "#/components/schemas/JobId"}
    schema = at("productai", "#/components/schemas/JobId")
    assert (schema["type"], schema["minimum"]) == ("integer", 1)


def test_v1_job_requires_only_the_create_fields() -> None:
    pointer = f"{V1_GET_JOB}/responses/200/content/application~1json/schema"
    created = response_examples("productai-v1", V1_CREATE, 202)[0]
    assert is_valid("productai-v1", pointer, created)
    for field in created:
        assert not is_valid("productai-v1", pointer, {k: v for k, v in created.items() if k != field}), field
    assert is_valid("productai-v1", pointer, {**created, "completed_at": None, "error": None})
    assert not is_valid("productai-v1", pointer, {**created, "error": {"code": "x"}})


@pytest.mark.parametrize("name", DOCS)
def test_every_example_matches_its_schema(name: str) -> None:
    checked = 0
    for media_pointer, key in iter_media_examples(name):
        media = resolve_ref(doc(name), media_pointer)
        value = media["examples"][key]["value"]
        errors = list(validator(name, f"{media_pointer}/schema").iter_errors(value))
        assert not errors, (media_pointer, key, [e.message for e in errors])
        checked += 1
    assert checked >= 15


# links, headers, inferred responses


@pytest.mark.parametrize(
    ("name", "op_pointer", "status", "parameter", "expression"),
    [
        ("productai", GENERATE, 200, "jobId", "$response.body#/data/id"),
        ("productai", UPSCALE, 200, "jobId", "$response.body#/data/id"),
        ("productai", CUSTOM, 200, "jobId", "$response.body#/data/id"),
        ("productai-v1", V1_CREATE, 202, "job_id", "$response.body#/job_id"),
    ],
)
def test_create_responses_link_to_get_job(
    name: str, op_pointer: str, status: int, parameter: str, expression: str
) -> None:
    link = at(name, f"{op_pointer}/responses/{status}")["links"]["GetJob"]
    assert link["operationId"] == "getJob"
    assert link["parameters"] == {parameter: expression}
    assert "x-inferred" in link


def iter_operations(name: str) -> Iterator[tuple[str, dict]]:
    for path, item in doc(name)["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


@pytest.mark.parametrize("name", DOCS)
def test_rate_limit_headers_on_success_and_429(name: str) -> None:
    rate_headers = {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}
    for label, op in iter_operations(name):
        for status, response in op["responses"].items():
            headers = set(at_response(name, response).get("headers", {}))
            if str(status).startswith("2"):
                assert rate_headers <= headers, (label, status)
            if str(status) == "429":
                assert rate_headers | {"Retry-After"} <= headers, label
    for header in doc(name)["components"]["headers"].values():
        assert "x-inferred" in header
        assert header["schema"]["type"] == "integer"
        assert "required" not in header


def at_response(name: str, response: dict) -> dict:
    return resolve_ref(doc(name), response["$ref"]) if "$ref" in response else response


@pytest.mark.parametrize("name", DOCS)
def test_json_operations_document_413_and_415(name: str) -> None:
    for label, op in iter_operations(name):
        if "requestBody" in op:
            assert {"413", "415"} <= {str(s) for s in op["responses"]}, label
        assert "401" in {str(s) for s in op["responses"]}, label


# (d) every addition is marked


def classify(name: str, pointer: str) -> bool:
    """True when the unmarked element at `pointer` restates something the prose seed documents."""
    facts = DOCUMENTED[name]
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer[2:].split("/")]
    if parts[0] == "paths":
        path, method = parts[1], parts[2]
        if facts["operations"].get(path) != method:
            return False
        if len(parts) == 3:
            return True
        if parts[3] == "parameters":
            return at(name, pointer)["name"] in facts["parameters"]
        if parts[3] == "responses" and len(parts) == 5:
            op_pointer = "/".join(pointer.split("/")[:4])
            seed = {op: statuses for n, op, statuses, _ in STATUSES if n == name}
            return int(parts[4]) in seed[op_pointer]
        return False
    if parts[0] == "components" and parts[1] == "schemas":
        if "properties" in parts:
            last = len(parts) - 1 - parts[::-1].index("properties")
            return parts[last + 1] in facts["fields"] and last + 2 == len(parts)
        return len(parts) == 3 and parts[2] in facts["schemas"]
    if parts[0] == "components" and parts[1] == "responses":
        return parts[2] in facts["responses"]
    return False


@pytest.mark.parametrize("name", DOCS)
def test_every_addition_is_marked(name: str) -> None:
    unmarked = find_uninferred_additions(None, doc(name))
    assert unmarked, "seedlib lists the seed-documented elements; an empty list means it saw nothing"
    assert [p for p in unmarked if not classify(name, p)] == []


@pytest.mark.parametrize("name", DOCS)
def test_documented_component_responses_keep_their_status(name: str) -> None:
    for key, status in DOCUMENTED[name]["responses"].items():
        used = [
            int(s)
            for _, op in iter_operations(name)
            for s, r in op["responses"].items()
            if r.get("$ref") == f"#/components/responses/{key}"
        ]
        assert used and set(used) == {status}, key


def test_wholly_inferred_operations_are_marked() -> None:
    for pointer in (V1_GET_JOB, V1_ASSETS, V1_PRESETS):
        assert at("productai-v1", pointer)["x-inferred"].strip()


def test_no_sandbox_scenario_header() -> None:
    for name in DOCS:
        assert "X-Sandbox-Scenario" not in json.dumps(doc(name))


# seed text cross-checks (skipped when the seeds are not beside the repository)


def test_seed_002_models_and_credits() -> None:
    text = seed_text("002")
    one_of = table_row(text, "model").split("One of:")[1]
    assert re.findall(r"`([a-z0-9-]+)`", one_of) == list(CREDITS_002)
    rows = dict(re.findall(r"^\|\s*`([a-z][a-z0-9-]*)`\s*\|\s*(\d+)\s*\|", text, re.M))
    assert {model: int(credits) for model, credits in rows.items()} == CREDITS_002


def test_seed_002_error_codes() -> None:
    rows = re.findall(r"^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|", seed_text("002"), re.M)
    assert [(code, int(status)) for code, status in rows] == [(c, s) for c, s, _ in CODES_002]


def test_seed_002_generate_statuses() -> None:
    rows = re.findall(r"^\|\s*`(\d{3})`\s*\|", seed_text("002"), re.M)
    assert {int(s) for s in rows} == STATUSES[0][2]


def test_seed_002_enums() -> None:
    text = seed_text("002")
    generate = at("productai", "#/components/schemas/GenerateRequest")["properties"]
    assert re.findall(r'"([a-z]+)"', table_row(text, "output_format")) == generate["output_format"]["enum"]
    ratio_row = table_row(text, "aspect_ratio")
    assert re.findall(r'"([A-Z][A-Z_0-9]*)"', ratio_row) == generate["aspect_ratio"]["anyOf"][0]["enum"]
    direct = re.findall(r'"(\d+:\d+)"', ratio_row)
    assert direct == ["4:3", "9:16"]
    for ratio in direct:
        assert is_valid("productai", GEN_SCHEMA, gen("nanobanana", aspect_ratio=ratio))
    resolution_row = table_row(text, "resolution")
    assert re.findall(r'"(\dK)"', resolution_row) == generate["resolution"]["enum"]
    assert '"2K"` (default)' in resolution_row
    statuses = re.findall(r"^\|\s*`([A-Z_]+)`\s*\|\s*[A-Z][a-z]", text, re.M)
    assert statuses == at("productai", "#/components/schemas/JobStatus")["enum"]
    assert "Maximum 2 images" in table_row(text, "image_url")
    assert "15 requests per minute per IP" in text
    assert "**Cost:** 20 tokens per upscale operation." in text


def test_seed_002_examples_are_in_the_document() -> None:
    text = seed_text("002")
    bodies = [json.loads(b) for b in re.findall(r"-d '(\{.*?\})'", text, re.S)]
    ours = [
        *request_examples("productai", GENERATE),
        *request_examples("productai", UPSCALE),
        *request_examples("productai", CUSTOM),
    ]
    assert len(bodies) == 4
    for body in bodies:
        assert body in ours
    responses = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", text, re.S)]
    documented = [
        *response_examples("productai", GENERATE, 200),
        *response_examples("productai", GET_JOB, 200),
        *response_examples("productai", UPSCALE, 200),
        *response_examples("productai", KEY_CHECK, 200),
    ]
    ok_bodies = [r for r in responses if r["status"] == "OK"]
    assert len(ok_bodies) == 5
    for body in ok_bodies:
        assert body in documented


def test_seed_003_models_and_credits() -> None:
    text = seed_text("003")
    options = re.search(r"Model to use for generation\. Options: ([^\n]+)", text)
    assert options is not None
    assert [m.strip() for m in options.group(1).split(",")] == list(CREDITS_003)
    for model, credits in CREDITS_003.items():
        assert re.search(rf"^{re.escape(model)}{credits}[A-Z]", text, re.M), model


def test_seed_003_enums_and_limits() -> None:
    text = seed_text("003")
    ratios = re.search(r"Output aspect ratio\. Options: ([^.]+)\. Default: (\S+)", text)
    assert ratios is not None
    assert [r.strip() for r in ratios.group(1).split(",")] == at(
        "productai-v1", "#/components/schemas/AspectRatio"
    )["enum"]
    assert ratios.group(2) == "1:1"
    statuses = re.search(r"Job status: ([a-z, ]+)", text)
    assert statuses is not None
    assert statuses.group(1).split(", ") == at("productai-v1", "#/components/schemas/JobStatus")["enum"]
    assert "Default: 1. Max: 4." in text


def test_seed_003_error_examples_are_in_the_document() -> None:
    found = re.findall(r"^// (\d{3}) [^\n]*\n(\{.*?^\})", seed_text("003"), re.M | re.S)
    assert [int(s) for s, _ in found] == [s for _, s, _ in CODES_003]
    for status, body in found:
        assert json.loads(body) in response_examples("productai-v1", V1_CREATE, int(status))


def test_seed_003_examples_are_in_the_document() -> None:
    text = seed_text("003")
    request = json.loads(re.search(r"-d '(\{.*?\})'", text, re.S).group(1))
    assert request in request_examples("productai-v1", V1_CREATE)
    accepted = json.loads(re.search(r"\(202 Accepted\)\s*(\{.*?\n\})", text, re.S).group(1))
    assert accepted in response_examples("productai-v1", V1_CREATE, 202)
    assert accepted["estimated_time_seconds"] == 30
