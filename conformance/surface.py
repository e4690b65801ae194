"""The job-handling shape of one API surface, read from the document's links and the profile.

Create operations are the ones whose 2xx responses link to a job read (SPECS: every create links to
get-job and cancel); the link's `$response.body#/...` expression says where the job id sits.
Without links, the profile's seed paths and simple path heuristics stand in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.document import Document, Operation
from conformance.profiles import Profile


@dataclass
class JobOperation:
    operation: Operation
    # Name of the path parameter holding the job id.
    param: str


@dataclass
class Surface:
    document: Document
    profile: Profile
    creates: list[Operation] = field(default_factory=list)
    # Pointer to the job id inside each create operation's response (by operation label).
    id_pointers: dict[str, str] = field(default_factory=dict)
    get_job: JobOperation | None = None
    cancel_job: JobOperation | None = None
    list_jobs: Operation | None = None

    @property
    def primary_create(self) -> Operation | None:
        """The seed-documented create operation with an example body, for the lifecycle rules."""
        with_body = [operation for operation in self.creates if operation.example_body() is not None]
        for path in self.profile.create_paths:
            for operation in with_body:
                if operation.path == path:
                    return operation
        return with_body[0] if with_body else None

    def id_pointer(self, operation: Operation) -> str:
        default = f"{self.profile.create_job}/{self.profile.id_field}"
        return self.id_pointers.get(operation.label, default)

    def job_pointer(self, operation: Operation) -> str:
        """Pointer to the job object in a create response: the parent of the id pointer."""
        return self.id_pointer(operation).rsplit("/", 1)[0]


def _link_target(document: Document, link: dict) -> Operation | None:
    if "operationId" in link:
        return document.find(operation_id=link["operationId"])
    ref = link.get("operationRef", "")
    if ref.startswith("#/paths/"):
        tokens = ref[len("#/paths/") :].split("/")
        path = tokens[0].replace("~1", "/").replace("~0", "~")
        return document.find(method=tokens[-1], path=path)
    return None


def _body_pointer(expression: object) -> str | None:
    if isinstance(expression, str) and expression.startswith("$response.body#"):
        return expression[len("$response.body#") :]
    return None


def build(document: Document, profile: Profile) -> Surface:
    surface = Surface(document=document, profile=profile)
    for operation in document.operations:
        if operation.method != "post":
            continue
        for link in operation.links():
            target = _link_target(document, link)
            if target is None:
                continue
            for param, expression in (link.get("parameters") or {}).items():
                pointer = _body_pointer(expression)
                if pointer is None:
                    continue
                if operation not in surface.creates:
                    surface.creates.append(operation)
                surface.id_pointers.setdefault(operation.label, pointer)
                name = param.split(".", 1)[-1]
                if target.method == "get" and surface.get_job is None:
                    surface.get_job = JobOperation(target, name)
                elif target.method == "post" and surface.cancel_job is None:
                    surface.cancel_job = JobOperation(target, name)
    _fill_by_heuristics(surface)
    return surface


def _job_param(operation: Operation) -> str | None:
    params = operation.parameter("path")
    return params[0]["name"] if len(params) == 1 else None


def _fill_by_heuristics(surface: Surface) -> None:
    document, profile = surface.document, surface.profile
    if not surface.creates:
        for operation in document.operations:
            if operation.method == "post" and (
                operation.path in profile.create_paths
                or ("202" in operation.spec.get("responses", {}) and not operation.parameter("path"))
            ):
                surface.creates.append(operation)
    if surface.get_job is None:
        for operation in document.operations:
            name = _job_param(operation)
            if operation.method == "get" and name and "job" in operation.path.lower():
                surface.get_job = JobOperation(operation, name)
                break
    if surface.cancel_job is None:
        for operation in document.operations:
            name = _job_param(operation)
            if operation.method == "post" and name and operation.path.rstrip("/").endswith("/cancel"):
                surface.cancel_job = JobOperation(operation, name)
                break
    if surface.get_job is not None:
        collection = surface.get_job.operation.path.rsplit("/", 1)[0]
        surface.list_jobs = document.find(method="get", path=collection)
