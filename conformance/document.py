"""The OpenAPI document under test: locating it, reading it, and the few questions rules ask of it."""

from __future__ import annotations

import copy
import importlib.util
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from jsonschema import Draft202012Validator

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
SANDBOX_SERVER = "Darkroom sandbox"


class SpecNotFound(Exception):
    """SPEC named no bundled document, no readable file and no reachable URL."""


def bundled_dirs() -> list[Path]:
    """Where bundled documents live: inside the installed sandbox package, else beside this package."""
    dirs = []
    found = importlib.util.find_spec("sandbox")
    if found is not None and found.submodule_search_locations:
        for location in found.submodule_search_locations:
            dirs.append(Path(location) / "openapi")
    dirs.append(Path(__file__).resolve().parent.parent / "openapi")
    return [path for path in dirs if path.is_dir()]


def bundled_names() -> list[str]:
    names: set[str] = set()
    for folder in bundled_dirs():
        names.update(path.stem for path in folder.glob("*.yaml"))
    return sorted(names)


def locate(spec: str) -> tuple[str, dict]:
    """Resolve SPEC (bundled name, file path or http(s) URL) into (name, parsed document)."""
    if spec.startswith(("http://", "https://")):
        try:
            response = httpx.get(spec, timeout=10, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise SpecNotFound(f"cannot fetch {spec}: {exc}") from exc
        name = Path(httpx.URL(spec).path).stem or "document"
        return name, _parse(response.text, spec)
    path = Path(spec)
    if not path.is_file():
        for folder in bundled_dirs():
            for suffix in (".yaml", ".yml", ".json"):
                candidate = folder / f"{spec}{suffix}"
                if candidate.is_file():
                    path = candidate
                    break
            if path.is_file():
                break
    if not path.is_file():
        known = ", ".join(bundled_names()) or "none found"
        raise SpecNotFound(f"{spec!r} is neither a file, a URL nor a bundled document (bundled: {known})")
    return path.stem, _parse(path.read_text(encoding="utf-8"), str(path))


def _parse(text: str, where: str) -> dict:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecNotFound(f"{where} is not YAML/JSON: {exc}") from exc
    if not isinstance(data, dict) or "paths" not in data:
        raise SpecNotFound(f"{where} is not an OpenAPI document")
    return data


def pointer_get(data: Any, pointer: str, default: Any = None) -> Any:
    """Read a JSON pointer ('' is the whole value)."""
    if pointer in ("", "/"):
        return data
    current = data
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return default
    return current


@dataclass
class Operation:
    method: str
    path: str
    spec: dict
    parameters: list[dict]
    security: list[dict]
    document: Document = field(repr=False)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def operation_id(self) -> str:
        return self.spec.get("operationId") or self.label

    @property
    def inferred(self) -> bool:
        return bool(self.spec.get("x-inferred"))

    @property
    def secured(self) -> bool:
        """A credential is required: some requirement is listed and none of them is the empty one."""
        return bool(self.security) and all(requirement for requirement in self.security)

    def parameter(self, location: str, name: str | None = None) -> list[dict]:
        return [
            param
            for param in self.parameters
            if param.get("in") == location and (name is None or param.get("name", "").lower() == name.lower())
        ]

    def has_header(self, name: str) -> bool:
        return bool(self.parameter("header", name))

    def response(self, status: int | str) -> dict | None:
        responses = self.spec.get("responses", {})
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return self.document.resolve(responses[key])
        return None

    def response_schema(self, status: int | str) -> dict | None:
        response = self.response(status)
        if not response:
            return None
        media = response.get("content", {}).get("application/json")
        if not media or "schema" not in media:
            return None
        return self.document.resolve(media["schema"])

    def example_body(self) -> Any | None:
        """The documented request body example (a 'sandbox' example first), webhooks removed."""
        body = self.spec.get("requestBody")
        if not body:
            return None
        media = self.document.resolve(body).get("content", {}).get("application/json", {})
        value = None
        if "example" in media:
            value = media["example"]
        elif media.get("examples"):
            examples = media["examples"]
            name = next((key for key in examples if "sandbox" in key.lower()), next(iter(examples)))
            value = self.document.resolve(examples[name]).get("value")
        elif isinstance(self.document.resolve(media.get("schema", {})).get("example"), dict):
            value = self.document.resolve(media["schema"])["example"]
        if value is None:
            return None
        return _without_webhooks(copy.deepcopy(value))

    def links(self) -> list[dict]:
        found = []
        for status, response in self.spec.get("responses", {}).items():
            if not str(status).startswith("2"):
                continue
            for link in (self.document.resolve(response).get("links") or {}).values():
                found.append(self.document.resolve(link))
        return found

    def fill_path(self, values: dict[str, Any] | None = None) -> str:
        """The path with every parameter filled: given values, else a placeholder naming nothing real."""
        values = values or {}
        path = self.path
        for param in self.parameter("path"):
            name = param["name"]
            value = values.get(name, placeholder(self.document.resolve(param.get("schema", {}))))
            path = path.replace("{" + name + "}", str(value))
        return path


def placeholder(schema: dict) -> Any:
    """A schema-valid value that names no existing resource."""
    if schema.get("type") == "integer":
        return max(int(schema.get("minimum", 1)), 987654321) if schema.get("maximum") is None else schema["maximum"]
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    return "unknown" + uuid.uuid4().hex[:12]


def _without_webhooks(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_webhooks(item) for key, item in value.items() if key != "webhook_url"}
    if isinstance(value, list):
        return [_without_webhooks(item) for item in value]
    return value


class Document:
    def __init__(self, name: str, data: dict) -> None:
        self.name = name
        self.data = data
        self.title = data.get("info", {}).get("title", name)
        self.operations = list(self._operations())

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 32:
            ref = node["$ref"]
            if not ref.startswith("#"):
                raise ValueError(f"external $ref not supported: {ref}")
            node = pointer_get(self.data, ref[1:])
            seen += 1
        return node

    def properties(self, schema: Any) -> dict:
        """The properties a schema declares, through $ref and allOf."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return {}
        found = dict(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            found.update(self.properties(part))
        return found

    def _operations(self):
        default_security = self.data.get("security", [])
        for path, item in self.data.get("paths", {}).items():
            item = self.resolve(item)
            shared = [self.resolve(param) for param in item.get("parameters", [])]
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                spec = item[method]
                own = [self.resolve(param) for param in spec.get("parameters", [])]
                names = {(param.get("in"), param.get("name")) for param in own}
                params = own + [param for param in shared if (param.get("in"), param.get("name")) not in names]
                yield Operation(
                    method=method,
                    path=path,
                    spec=spec,
                    parameters=params,
                    security=spec.get("security", default_security),
                    document=self,
                )

    def find(self, *, operation_id: str | None = None, method: str | None = None, path: str | None = None):
        for operation in self.operations:
            if operation_id is not None and operation.spec.get("operationId") != operation_id:
                continue
            if method is not None and operation.method != method.lower():
                continue
            if path is not None and operation.path != path:
                continue
            return operation
        return None

    def methods_at(self, path: str) -> set[str]:
        return {operation.method.upper() for operation in self.operations if operation.path == path}

    def sandbox_server(self) -> str | None:
        for server in self.data.get("servers", []):
            if SANDBOX_SERVER.lower() in str(server.get("description", "")).lower():
                return server.get("url")
        return None

    # --- authentication -------------------------------------------------------------------------
    def _scheme(self) -> dict | None:
        schemes = self.data.get("components", {}).get("securitySchemes", {})
        for operation in self.operations:
            for requirement in operation.security:
                for name in requirement:
                    if name in schemes:
                        return self.resolve(schemes[name])
        return None

    def auth_headers(self, key: str) -> dict[str, str]:
        scheme = self._scheme()
        if scheme is None:
            return {}
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            return {scheme["name"]: key}
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "basic":
            return {"Authorization": f"Basic {key}"}
        return {"Authorization": f"Bearer {key}"}

    def malformed_auth_headers(self) -> dict[str, str]:
        """A credential header that is present but not in the documented form."""
        scheme = self._scheme()
        if scheme is not None and scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            return {scheme["name"]: ""}
        return {"Authorization": "Token not-a-bearer-credential"}

    # --- schemas ----------------------------------------------------------------------------------
    def validator(self, schema: dict) -> Draft202012Validator:
        """A 2020-12 validator whose local $refs resolve against this document."""
        root = dict(schema)
        root.setdefault("components", self.data.get("components", {}))
        return Draft202012Validator(root)

    def component_validator(self, name: str) -> Draft202012Validator | None:
        if name not in self.data.get("components", {}).get("schemas", {}):
            return None
        return self.validator({"$ref": f"#/components/schemas/{name}"})

    def path_prefix(self) -> str:
        """The first path segment every operation shares ('/api', '/v1'), or ''."""
        firsts = {operation.path.strip("/").split("/")[0] for operation in self.operations}
        if len(firsts) == 1 and len(self.operations) > 1:
            first = firsts.pop()
            if first and "{" not in first:
                return "/" + first
        return ""
