"""Seed extraction and spec-vs-seed comparison shared by the document tests.

The vendor seeds are the truth: everything a seed states must survive unchanged in our
documents, and everything we add must say so with `x-inferred`. These functions make both
checks mechanical and report JSON pointers, so a failing test names the exact spot.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
OPENAPI_DIR = REPO_ROOT / "openapi"
SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SANDBOX_SERVER_DESCRIPTION = "Darkroom sandbox"
_YAML_FENCE = re.compile(r"^(`{3,})yaml[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)


def seeds_available() -> bool:
    """True when the seed folder sits beside the repository."""
    return SEEDS_DIR.is_dir()


def load_document(name: str) -> dict:
    """Load openapi/<name>.yaml from this repository."""
    with (OPENAPI_DIR / f"{name}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_seed_yaml(name_prefix: str) -> dict:
    """Parse the fenced ```yaml block of the seed whose file name starts with `name_prefix`.

    Raises FileNotFoundError when no seed matches and LookupError when the seed holds no
    YAML block (prose-only seeds).
    """
    matches = sorted(SEEDS_DIR.glob(f"{name_prefix}*.txt"))
    if not matches:
        raise FileNotFoundError(f"no seed {name_prefix}* in {SEEDS_DIR.name}")
    text = matches[0].read_text(encoding="utf-8")
    found = _YAML_FENCE.search(text)
    if found is None:
        raise LookupError(f"seed {matches[0].name} holds no yaml block")
    return yaml.safe_load(found.group(2))


def nullable_to_type_array(node: Any) -> Any:
    """Return a copy with OpenAPI 3.0 `nullable: true` rewritten as a 3.1 type array."""
    if isinstance(node, list):
        return [nullable_to_type_array(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: nullable_to_type_array(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            out["type"] = [*kind, "null"]
    elif "nullable" in node:
        out["nullable"] = node["nullable"]
    return out


def merge_seed_docs(*docs: dict) -> dict:
    """Merge seeds that are views of one vendor document; conflicting definitions raise."""
    merged: dict = {}
    for doc in docs:
        _merge_into(merged, doc, "#")
    return merged


def _merge_into(target: dict, source: dict, ptr: str) -> None:
    for key, value in source.items():
        here = f"{ptr}/{_escape(key)}"
        if key not in target:
            target[key] = copy.deepcopy(value)
        elif isinstance(target[key], dict) and isinstance(value, dict):
            _merge_into(target[key], value, here)
        elif target[key] != value:
            raise ValueError(f"{here}: seeds disagree")


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def assert_subset(seed: Any, ours: Any, path: str = "") -> None:
    """Assert every keyword of `seed` holds unchanged in `ours`.

    Dicts: every seed key must exist with a subset value (ours may add keys; whether the
    additions are marked is `find_uninferred_additions`' job). Lists: the seed list must be a
    prefix of ours, item by item, except `required`, which must be equal (a seed's required
    list is a contract in both directions). Scalars: equal, type included (1 != True).
    """
    ptr = path or "#"
    if isinstance(seed, dict):
        if not isinstance(ours, dict):
            raise AssertionError(f"{ptr}: expected an object, found {type(ours).__name__}")
        for key, value in seed.items():
            here = f"{ptr}/{_escape(key)}"
            if key not in ours:
                raise AssertionError(f"{here}: missing (seed has {value!r})")
            if key == "required" and isinstance(value, list):
                if ours[key] != value:
                    raise AssertionError(f"{here}: seed {value!r}, ours {ours[key]!r}")
                continue
            assert_subset(value, ours[key], here)
    elif isinstance(seed, list):
        if not isinstance(ours, list):
            raise AssertionError(f"{ptr}: expected a list, found {type(ours).__name__}")
        if len(ours) < len(seed):
            raise AssertionError(f"{ptr}: seed has {len(seed)} items, ours {len(ours)}")
        for index, item in enumerate(seed):
            assert_subset(item, ours[index], f"{ptr}/{index}")
    elif type(seed) is not type(ours) or seed != ours:
        raise AssertionError(f"{ptr}: seed {seed!r}, ours {ours!r}")


def resolve_ref(root: dict, ref: str) -> Any:
    """Follow a local `#/...` reference inside `root`."""
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported: {ref}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def find_uninferred_additions(seed_doc: dict | None, ours: dict) -> list[str]:
    """JSON pointers of the parts of `ours` that are not in the seed and not marked.

    With a seed: every key or list item of `ours` absent from the seed must carry
    `x-inferred`, sit inside something that does, be a `$ref` to something that does, or be
    a container (map or list) whose entries all qualify. The sandbox entry of `servers` is
    exempt (the conventions require it). With None (a prose-only seed): every operation,
    parameter, response, header, component schema and schema property that is neither
    marked nor inside a marked element nor a `$ref` is listed, so a caller can compare the
    list with what the prose documents. Malformed markers (not a one-line string) are always
    listed.
    """
    problems = [f"{ptr}: x-inferred must be a non-empty one-line string" for ptr in _bad_markers(ours, "#")]
    if seed_doc is None:
        problems.extend(_unmarked_elements(ours))
    else:
        _walk(seed_doc, ours, "#", ours, problems)
    return problems


def _bad_markers(node: Any, ptr: str) -> list[str]:
    bad: list[str] = []
    if isinstance(node, dict):
        if "x-inferred" in node:
            marker = node["x-inferred"]
            if not isinstance(marker, str) or not marker.strip() or "\n" in marker.strip():
                bad.append(ptr)
        for key, value in node.items():
            bad.extend(_bad_markers(value, f"{ptr}/{_escape(key)}"))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            bad.extend(_bad_markers(item, f"{ptr}/{index}"))
    return bad


def _walk(seed: Any, ours: Any, ptr: str, root: dict, out: list[str]) -> None:
    if isinstance(ours, dict):
        if "x-inferred" in ours:
            return
        if not isinstance(seed, dict):
            _report_addition(ours, ptr, root, out)
            return
        for key, value in ours.items():
            here = f"{ptr}/{_escape(key)}"
            if key in seed:
                _walk(seed[key], value, here, root, out)
            else:
                _report_addition(value, here, root, out)
    elif isinstance(ours, list):
        if not isinstance(seed, list):
            _report_addition(ours, ptr, root, out)
            return
        for index, item in enumerate(ours):
            here = f"{ptr}/{index}"
            if index < len(seed):
                _walk(seed[index], item, here, root, out)
            elif (
                ptr == "#/servers"
                and isinstance(item, dict)
                and (item.get("description") == SANDBOX_SERVER_DESCRIPTION)
            ):
                continue
            else:
                _report_addition(item, here, root, out)


# OpenAPI maps whose entries are separate elements: an unmarked added map is fine when each
# entry is marked, while any other unmarked addition is reported as a whole.
_MAP_KEYS = frozenset(
    {
        "paths",
        "webhooks",
        "components",
        "schemas",
        "responses",
        "parameters",
        "headers",
        "links",
        "properties",
        "patternProperties",
        "$defs",
        "content",
        "examples",
        "securitySchemes",
        "callbacks",
        "requestBodies",
        "encoding",
        "pathItems",
    }
)


def _is_map(ptr: str) -> bool:
    parts = ptr.split("/")
    if len(parts) == 3 and parts[1] == "paths":
        return True  # a path item holds operations
    return parts[-1] in _MAP_KEYS and (len(parts) < 2 or parts[-2] != "properties")


def _report_addition(node: Any, ptr: str, root: dict, out: list[str]) -> None:
    if isinstance(node, dict) and "x-inferred" in node:
        return
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        try:
            target = resolve_ref(root, ref)
        except (KeyError, TypeError, ValueError):
            out.append(f"{ptr}: unresolvable {ref}")
            return
        if not (isinstance(target, dict) and "x-inferred" in target):
            out.append(f"{ptr}: refers to unmarked {ref}")
        return
    if isinstance(node, dict) and node and _is_map(ptr):
        for key, value in node.items():
            _report_addition(value, f"{ptr}/{_escape(key)}", root, out)
    elif isinstance(node, list) and node and all(isinstance(item, dict) for item in node):
        for index, item in enumerate(node):
            _report_addition(item, f"{ptr}/{index}", root, out)
    else:
        out.append(ptr)


def _is_marked(node: Any) -> bool:
    return isinstance(node, dict) and "x-inferred" in node


def _is_ref(node: Any) -> bool:
    return isinstance(node, dict) and "$ref" in node


def _unmarked_elements(doc: dict) -> list[str]:
    found: list[str] = []
    for path, item in (doc.get("paths") or {}).items():
        if _is_marked(item):
            continue
        item_ptr = f"#/paths/{_escape(path)}"
        _check_parameters(item.get("parameters"), f"{item_ptr}/parameters", found)
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            op_ptr = f"{item_ptr}/{method}"
            if _is_marked(op):
                continue
            found.append(op_ptr)
            _check_parameters(op.get("parameters"), f"{op_ptr}/parameters", found)
            body = op.get("requestBody")
            if isinstance(body, dict) and not _is_marked(body) and not _is_ref(body):
                _check_content(body.get("content"), f"{op_ptr}/requestBody/content", found)
            for status, response in (op.get("responses") or {}).items():
                _check_response(response, f"{op_ptr}/responses/{_escape(status)}", found)
    components = doc.get("components") or {}
    for name, schema in (components.get("schemas") or {}).items():
        ptr = f"#/components/schemas/{_escape(name)}"
        if not _is_marked(schema):
            found.append(ptr)
            _check_schema(schema, ptr, found)
    _check_parameters(
        list((components.get("parameters") or {}).values()),
        None,
        found,
        names=[f"#/components/parameters/{_escape(n)}" for n in components.get("parameters") or {}],
    )
    for name, response in (components.get("responses") or {}).items():
        _check_response(response, f"#/components/responses/{_escape(name)}", found)
    for name, header in (components.get("headers") or {}).items():
        _check_header(header, f"#/components/headers/{_escape(name)}", found)
    return found


def _check_parameters(params: Any, ptr: str | None, found: list[str], names: list[str] | None = None) -> None:
    for index, param in enumerate(params or []):
        here = names[index] if names else f"{ptr}/{index}"
        if _is_marked(param) or _is_ref(param):
            continue
        found.append(here)
        if isinstance(param, dict) and isinstance(param.get("schema"), dict):
            _check_schema(param["schema"], f"{here}/schema", found)


def _check_response(response: Any, ptr: str, found: list[str]) -> None:
    if _is_marked(response) or _is_ref(response) or not isinstance(response, dict):
        return
    found.append(ptr)
    for name, header in (response.get("headers") or {}).items():
        _check_header(header, f"{ptr}/headers/{_escape(name)}", found)
    _check_content(response.get("content"), f"{ptr}/content", found)


def _check_header(header: Any, ptr: str, found: list[str]) -> None:
    if not (_is_marked(header) or _is_ref(header)):
        found.append(ptr)


def _check_content(content: Any, ptr: str, found: list[str]) -> None:
    for media, entry in (content or {}).items():
        if isinstance(entry, dict) and isinstance(entry.get("schema"), dict):
            _check_schema(entry["schema"], f"{ptr}/{_escape(media)}/schema", found)


def _check_schema(schema: Any, ptr: str, found: list[str]) -> None:
    """List unmarked properties of an unmarked schema, descending into its sub-schemas."""
    if not isinstance(schema, dict) or _is_marked(schema) or _is_ref(schema) and len(schema) == 1:
        return
    for name, prop in (schema.get("properties") or {}).items():
        here = f"{ptr}/properties/{_escape(name)}"
        if _is_marked(prop):
            continue
        found.append(here)
        _check_schema(prop, here, found)
    if isinstance(schema.get("items"), dict):
        _check_schema(schema["items"], f"{ptr}/items", found)
    if isinstance(schema.get("additionalProperties"), dict):
        _check_schema(schema["additionalProperties"], f"{ptr}/additionalProperties", found)
    for key in ("allOf", "anyOf", "oneOf"):
        for index, sub in enumerate(schema.get(key) or []):
            _check_schema(sub, f"{ptr}/{key}/{index}", found)
