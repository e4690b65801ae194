"""The AI Gen Studio documents keep every seed keyword and mark every addition.

The seeds are the vendor's word; our documents complete them. These tests pin both halves:
nothing the seed states has drifted, and nothing we invented passes for documented.
"""

from __future__ import annotations

import copy
import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.seedlib import (
    HTTP_METHODS,
    OPENAPI_DIR,
    SEEDS_DIR,
    assert_subset,
    find_uninferred_additions,
    load_document,
    load_seed_yaml,
    merge_seed_docs,
    nullable_to_type_array,
    resolve_ref,
    seeds_available,
)

SEED_SOURCES = {
    "aigenstudio-product-photo": ("000", "001"),
    "aigenstudio-image": ("004",),
}
DOCUMENTS = sorted(SEED_SOURCES)
SANDBOX_URL = "http://127.0.0.1:8080/aigenstudio/api/v1"
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
SUMMARY_OF = {
    "aigenstudio-product-photo": ("ProductPhotoJobSummary", "ProductPhotoJob"),
    "aigenstudio-image": ("JobSummary", "Job"),
}


@pytest.fixture(scope="module", params=DOCUMENTS)
def name(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def doc(name) -> dict:
    return load_document(name)


@pytest.fixture(scope="module")
def seed(name) -> dict:
    if not seeds_available():
        pytest.skip(f"seed folder {SEEDS_DIR.parent.name}/{SEEDS_DIR.name} is not beside the repository")
    return merge_seed_docs(*(nullable_to_type_array(load_seed_yaml(p)) for p in SEED_SOURCES[name]))


def operations(doc: dict):
    for path, item in doc["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def deref(doc: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        node = resolve_ref(doc, node["$ref"])
    return node


# (a) validity ------------------------------------------------------------------------------------


def test_document_is_valid_openapi_31(doc):
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_servers_list_production_then_sandbox(doc):
    assert doc["servers"][0]["url"] == "https://aigenstudio.app/api/v1"
    assert doc["servers"][1] == {"url": SANDBOX_URL, "description": "Darkroom sandbox"}


# (b) seed keywords hold unchanged --------------------------------------------------------------------


def test_seed_document_is_a_subset(seed, doc):
    assert_subset(seed, doc)


def test_every_seed_part_is_reproduced(seed, doc):
    """Each seed operation and component, compared on its own so a failure names all of them."""
    parts = [("paths", path, method) for path, method, _ in operations(seed)]
    parts += [
        ("components", section, key) for section, entries in seed["components"].items() for key in entries
    ]
    parts += [(key,) for key in ("info", "security", "tags", "openapi")]
    failures = []
    for part in parts:
        seed_node, our_node = seed, doc
        for key in part:
            seed_node, our_node = seed_node[key], (our_node or {}).get(key)
        pointer = "#/" + "/".join(str(k).replace("~", "~0").replace("/", "~1") for k in part)
        try:
            assert_subset(seed_node, our_node, pointer)
        except AssertionError as exc:
            failures.append(str(exc))
    assert failures == []


def test_seed_operation_ids_keep_their_paths(seed, doc):
    ours = {op["operationId"]: (path, method) for path, method, op in operations(doc)}
    for path, method, op in operations(seed):
        assert ours[op["operationId"]] == (path, method)


def test_nullable_is_gone(doc):
    assert "nullable" not in (OPENAPI_DIR / "aigenstudio-image.yaml").read_text(encoding="utf-8")
    assert "nullable" not in (OPENAPI_DIR / "aigenstudio-product-photo.yaml").read_text(encoding="utf-8")


# (c) additions are marked ---------------------------------------------------------------------------


def test_every_addition_is_marked(seed, doc):
    assert find_uninferred_additions(seed, doc) == []


def test_inferred_operations_are_the_planned_ones(name, seed, doc):
    seed_ops = {op["operationId"] for _, _, op in operations(seed)}
    inferred = {op["operationId"] for _, _, op in operations(doc) if op["operationId"] not in seed_ops}
    assert all("x-inferred" in op for _, _, op in operations(doc) if op["operationId"] in inferred)
    expected = {
        "aigenstudio-product-photo": {
            "listProductPhotoPresets",
            "getProductPhotoJob",
            "listProductPhotoJobs",
            "cancelProductPhotoJob",
        },
        "aigenstudio-image": {
            "imageEditing",
            "imageAiEdit",
            "aiBackground",
            "imageGeneration",
            "adCreative",
            "listJobs",
            "getJob",
            "cancelJob",
            "listTools",
        },
    }
    assert inferred == expected[name]


# (d) inferred fields never required -------------------------------------------------------------------


def test_seed_schemas_require_no_inferred_field(seed, doc):
    for schema_name, seed_schema in seed["components"]["schemas"].items():
        ours = doc["components"]["schemas"][schema_name]
        added = set(ours.get("properties", {})) - set(seed_schema.get("properties", {}))
        assert not added & set(ours.get("required", [])), schema_name


def _schemas(node, pointer="#"):
    """Every dict that has `properties`, anywhere in the document."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield pointer, node
        for key, value in node.items():
            yield from _schemas(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _schemas(item, f"{pointer}/{index}")


def test_marked_properties_are_never_required(doc):
    offenders = [
        f"{pointer}/properties/{prop}"
        for pointer, schema in _schemas(doc)
        for prop, body in schema["properties"].items()
        if isinstance(body, dict) and "x-inferred" in body and prop in schema.get("required", [])
    ]
    assert offenders == []


def test_full_job_keeps_the_summary_contract(name, doc):
    summary_name, job_name = SUMMARY_OF[name]
    schemas = doc["components"]["schemas"]
    summary, job = schemas[summary_name], schemas[job_name]
    assert job["required"] == summary["required"]
    for prop, body in summary["properties"].items():
        assert job["properties"][prop] == body, prop


# (e) the sandbox's scenario header stays out of the vendor documents --------------------------------


@pytest.mark.parametrize("file_name", [f"{n}.yaml" for n in DOCUMENTS])
def test_no_scenario_header(file_name):
    assert "x-sandbox-scenario" not in (OPENAPI_DIR / file_name).read_text(encoding="utf-8").lower()


# conventions every operation follows ---------------------------------------------------------------


def test_operation_ids_are_unique(doc):
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert len(ids) == len(set(ids))


def test_error_statuses_are_documented(doc):
    problems = []
    for path, method, op in operations(doc):
        where = f"{method.upper()} {path}"
        statuses = set(op["responses"])
        secured = op.get("security", doc["security"]) != []
        if secured and not {"401", "429"} <= statuses:
            problems.append(f"{where}: 401/429")
        if "requestBody" in op and not {"400", "413", "415"} <= statuses:
            problems.append(f"{where}: 400/413/415")
        if "{job_id}" in path and "404" not in statuses:
            problems.append(f"{where}: 404")
        if path.endswith("/cancel") and "409" not in statuses:
            problems.append(f"{where}: 409")
    assert problems == []


def test_rate_limit_headers(doc):
    for path, method, op in operations(doc):
        for status, response in op["responses"].items():
            headers = deref(doc, response).get("headers", {})
            if status == "429":
                assert {"Retry-After", *RATE_HEADERS} <= set(headers), f"{method} {path} {status}"
            elif status.startswith("2") and op.get("security", doc["security"]) != []:
                assert set(RATE_HEADERS) <= set(headers), f"{method} {path} {status}"
    for header_name in (*RATE_HEADERS, "Retry-After"):
        header = doc["components"]["headers"][header_name]
        assert header["schema"]["type"] == "integer"
        assert not header.get("required", False)


def test_create_operations_answer_replays_and_link_to_their_job(doc):
    ids = {op["operationId"] for _, _, op in operations(doc)}
    creates = [
        (path, op)
        for path, method, op in operations(doc)
        if method == "post" and {"$ref": "#/components/parameters/IdempotencyKey"} in op.get("parameters", [])
    ]
    assert len(creates) == (6 if "/remove-background" in doc["paths"] else 1)
    for path, op in creates:
        replay = op["responses"]["200"]
        assert deref(doc, replay["headers"]["Idempotent-Replayed"])["schema"] == {
            "type": "string",
            "enum": ["true"],
        }
        for status in ("200", "202"):
            links = [deref(doc, link) for link in op["responses"][status]["links"].values()]
            assert {link["operationId"] for link in links} <= ids, path
            assert {link["parameters"]["job_id"] for link in links} == {"$response.body#/job/id"}
            assert any(link["operationId"].startswith("get") for link in links)
            assert any(link["operationId"].startswith("cancel") for link in links)


def test_parameter_schemas_are_scalar(doc):
    for path, method, op in operations(doc):
        for param in op.get("parameters", []):
            param = deref(doc, param)
            schema = deref(doc, param["schema"])
            assert isinstance(schema.get("type"), str), f"{method} {path} {param['name']}"
            if param["name"] == "job_id":
                assert schema == {"type": "string", "format": "uuid"}


def test_list_operations_paginate(doc):
    listings = [op for path, method, op in operations(doc) if method == "get" and path.endswith("jobs")]
    assert len(listings) == 1
    params = {deref(doc, p)["name"]: deref(doc, p)["schema"] for p in listings[0]["parameters"]}
    assert params["limit"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert params["cursor"] == {"type": "string", "maxLength": 256}
    body = deref(doc, listings[0]["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(body["required"]) == {"jobs", "has_more", "next_cursor", "request_id"}
    assert body["properties"]["next_cursor"]["type"] == ["string", "null"]


# examples are valid: the examples phase of a fuzzer sends them ----------------------------------------


def _examples(doc: dict):
    """(pointer, schema, value) for every example attached to a schema in the document."""

    def media(content, pointer):
        for media_type, entry in (content or {}).items():
            if "schema" not in entry:
                continue
            where = f"{pointer}/{media_type}"
            if "example" in entry:
                yield where, entry["schema"], entry["example"]
            for key, example in (entry.get("examples") or {}).items():
                yield f"{where}/examples/{key}", entry["schema"], deref(doc, example)["value"]

    def params(parameters, pointer):
        for index, param in enumerate(parameters or []):
            param = deref(doc, param)
            if "example" in param:
                yield f"{pointer}/{index}", param["schema"], param["example"]

    for path, method, op in operations(doc):
        pointer = f"{method.upper()} {path}"
        yield from params(op.get("parameters"), f"{pointer} parameters")
        body = deref(doc, op.get("requestBody", {}))
        yield from media(body.get("content"), f"{pointer} requestBody")
        for status, response in op["responses"].items():
            yield from media(deref(doc, response).get("content"), f"{pointer} {status}")
    for response_name, response in doc["components"].get("responses", {}).items():
        yield from media(response.get("content"), f"#/components/responses/{response_name}")


def test_every_example_matches_its_schema(doc):
    registry = Registry().with_resource(
        "urn:doc", Resource.from_contents(doc, default_specification=DRAFT202012)
    )
    failures, checked = [], 0
    for pointer, schema, value in _examples(doc):
        local = copy.deepcopy(schema)
        if "$ref" in local:
            local["$ref"] = "urn:doc" + local["$ref"]
        validator = Draft202012Validator(
            local, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        failures += [f"{pointer}: {error.message}" for error in validator.iter_errors(value)]
        checked += 1
    assert failures == []
    assert checked >= 10


def test_example_validation_catches_a_bad_example(doc):
    broken = copy.deepcopy(doc)
    path = "/product-photo-presets" if "/product-photo-presets" in broken["paths"] else "/tools"
    example = broken["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    del example["request_id"]
    with pytest.raises(AssertionError):
        test_every_example_matches_its_schema(broken)


def test_preset_catalog_covers_every_operation():
    doc = load_document("aigenstudio-product-photo")
    example = doc["paths"]["/product-photo-presets"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["example"]
    presets = {p["id"]: p["operation"] for p in example["presets"]}
    assert presets["marketplace_clean_catalog"] == "marketplace_clean"
    assert presets["single_product_white_background"] == "studio_packshot"
    assert set(presets.values()) == set(doc["components"]["schemas"]["ProductPhotoOperationId"]["enum"])
    create = doc["paths"]["/product-photo-jobs"]["post"]["requestBody"]["content"]["application/json"]
    assert {e["value"]["preset"] for e in create["examples"].values()} <= set(presets)


def test_operations_example_is_the_seeds():
    doc = load_document("aigenstudio-product-photo")
    example = doc["paths"]["/product-photo-operations"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]
    assert example["example"]["operations"] == [
        {
            "id": "studio_packshot",
            "name": "Studio packshot",
            "credits_per_image": 5,
            "description": "Create a clean studio product image.",
        }
    ]


def test_tool_catalog_names_one_create_endpoint_per_tool():
    doc = load_document("aigenstudio-image")
    example = doc["paths"]["/tools"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    tool_ids = doc["components"]["schemas"]["ToolId"]["enum"]
    assert sorted(t["id"] for t in example["tools"]) == sorted(tool_ids)
    for tool in example["tools"]:
        op = doc["paths"][tool["path"]]["post"]
        assert re.sub(r"_(\w)", lambda m: m.group(1).upper(), tool["id"]) == op["operationId"]
        body = deref(doc, op["requestBody"]["content"]["application/json"]["schema"])
        if tool["id"] != "image_generation":
            assert body["properties"]["input"] == {"$ref": "#/components/schemas/InputImages"}
        assert body["properties"]["output"] == {"$ref": "#/components/schemas/OutputOptions"}
    assert doc["paths"]["/tools"]["get"]["security"] == []


# the comparison functions themselves catch drift ----------------------------------------------------------

SEED = {
    "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok"}}}}},
    "components": {
        "schemas": {
            "S": {
                "type": "object",
                "required": ["x"],
                "properties": {"x": {"type": "string", "enum": ["p", "q"]}},
            }
        }
    },
}


def test_assert_subset_names_the_changed_keyword():
    ours = copy.deepcopy(SEED)
    ours["components"]["schemas"]["S"]["properties"]["x"]["enum"] = ["p", "r"]
    with pytest.raises(AssertionError, match=r"#/components/schemas/S/properties/x/enum/1"):
        assert_subset(SEED, ours)
    ours = copy.deepcopy(SEED)
    ours["components"]["schemas"]["S"]["required"] = ["x", "y"]
    with pytest.raises(AssertionError, match=r"S/required"):
        assert_subset(SEED, ours)
    ours = copy.deepcopy(SEED)
    del ours["paths"]["/a"]["get"]["responses"]
    with pytest.raises(AssertionError, match=r"#/paths/~1a/get/responses: missing"):
        assert_subset(SEED, ours)


def test_additions_must_be_marked():
    ours = copy.deepcopy(SEED)
    ours["components"]["schemas"]["S"]["properties"]["y"] = {"type": "integer"}
    ours["paths"]["/a"]["get"]["responses"]["200"]["headers"] = {"H": {"$ref": "#/components/headers/H"}}
    ours["components"]["headers"] = {"H": {"schema": {"type": "integer"}}}
    assert find_uninferred_additions(SEED, ours) == [
        "#/paths/~1a/get/responses/200/headers/H: refers to unmarked #/components/headers/H",
        "#/components/schemas/S/properties/y",
        "#/components/headers/H",
    ]
    ours["components"]["schemas"]["S"]["properties"]["y"]["x-inferred"] = "reason"
    ours["components"]["headers"]["H"]["x-inferred"] = "reason"
    assert find_uninferred_additions(SEED, ours) == []
    ours["components"]["headers"]["H"]["x-inferred"] = True
    assert find_uninferred_additions(SEED, ours) == [
        "#/components/headers/H: x-inferred must be a non-empty one-line string"
    ]


def test_without_a_seed_every_unmarked_element_is_listed():
    assert find_uninferred_additions(None, SEED) == [
        "#/paths/~1a/get",
        "#/paths/~1a/get/responses/200",
        "#/components/schemas/S",
        "#/components/schemas/S/properties/x",
    ]
