"""Small, independent Starlette implementations of two vendor surfaces, correct unless told otherwise.

Each app implements a subset document from `specs/` with in-memory state. A fault flag breaks exactly
one behaviour, so the conformance rule aimed at that behaviour must catch it and no other rule needs to.
"""

from __future__ import annotations

import asyncio
import io
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from PIL import Image
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

SPECS = Path(__file__).resolve().parent / "specs"
IMAGE_SPEC = SPECS / "image-mini.yaml"
PRODUCTAI_SPEC = SPECS / "productai-mini.yaml"

# Seconds after creation at which a job moves on.
PROCESSING_AT, DONE_AT = 0.15, 0.35


def body_validator(spec: Path, path: str) -> Draft202012Validator:
    document = yaml.safe_load(spec.read_text())
    media = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    return Draft202012Validator(
        {**media["schema"], "components": document["components"]}, format_checker=FormatChecker()
    )


def render(fmt: str, width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format="JPEG" if fmt == "jpg" else fmt.upper())
    return buffer.getvalue()


class Accounts:
    """Zero-config keys: `sandbox_*` (own tenant, never charged), `live_demo` (1000), `live_empty` (0)."""

    def __init__(self, sandbox_balance: int = 500) -> None:
        self.balances: dict[str, int] = {"live_demo": 1000, "live_empty": 0}
        self.sandbox_balance = sandbox_balance

    def known(self, key: str | None) -> bool:
        return bool(key) and (key.startswith("sandbox_") or key in self.balances)

    def balance(self, key: str) -> int:
        if key.startswith("sandbox_"):
            return self.balances.setdefault(key, self.sandbox_balance)
        return self.balances[key]

    def charge(self, key: str, amount: int) -> None:
        self.balances[key] = self.balance(key) - amount


class Job:
    def __init__(self, tenant: str, spec: dict, number: int | None = None) -> None:
        self.id = number if number is not None else str(uuid.uuid4())
        self.tenant = tenant
        self.spec = spec
        self.created = time.monotonic()
        self.cancelled = False
        self.finished_at: float | None = None

    def stage(self) -> int:
        """0 waiting, 1 running, 2 done (by time since creation)."""
        if self.cancelled:
            return 3
        age = time.monotonic() - self.created
        return 0 if age < PROCESSING_AT else 1 if age < DONE_AT else 2


def serve_files(files: dict[str, tuple[bytes, str]]):
    async def download(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in files:
            raise HTTPException(404)
        data, kind = files[name]
        return Response(data, media_type=kind)

    return Route("/files/{name}", download)


def request_id_middleware(app, faults: set[str]):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        headers = dict(scope["headers"])
        rid = headers.get(b"x-request-id", b"").decode() or "req_" + uuid.uuid4().hex[:12]
        scope.setdefault("state", {})["rid"] = rid

        async def send_with_id(message):
            if message["type"] == "http.response.start" and "no_request_id" not in faults:
                message["headers"] = list(message.get("headers", [])) + [(b"x-request-id", rid.encode())]
            await send(message)

        return await app(scope, receive, send_with_id)

    return wrapped


def rid(request: Request) -> str:
    return request.scope.get("state", {}).get("rid", "req_unknown")


# ----------------------------------------------------------------------------------------------------------
# AI Gen Studio Image API subset
# ----------------------------------------------------------------------------------------------------------
def image_app(faults: set[str] | frozenset = frozenset()) -> Starlette:
    faults = set(faults)
    accounts = Accounts()
    jobs: dict[str, Job] = {}
    records: dict[tuple[str, str], tuple[str, str]] = {}
    files: dict[str, tuple[bytes, str]] = {}
    validator = body_validator(IMAGE_SPEC, "/remove-background")

    def error(request: Request, status: int, code: str, message: str, headers: dict | None = None) -> Response:
        body = {"error": {"code": code, "message": message}, "request_id": rid(request)}
        return JSONResponse(body, status_code=status, headers=headers)

    def tenant(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if "no_auth" in faults:
            key = header[7:].strip() if header.startswith("Bearer ") else ""
            return key if accounts.known(key) else "sandbox_anonymous"
        if not header.startswith("Bearer "):
            return None
        key = header[7:].strip()
        return key if accounts.known(key) else None

    def status_of(job: Job) -> str:
        stage = job.stage()
        if "never_finishes" in faults:
            return ["queued", "processing", "processing", "cancelled"][stage]
        if "status_regress" in faults and stage == 2 and time.monotonic() - job.created < DONE_AT + 0.6:
            return "queued"
        if "unknown_status" in faults and stage == 2:
            return "done"
        return ["queued", "processing", "completed", "cancelled"][stage]

    def view(request: Request, job: Job) -> dict:
        status = status_of(job)
        count = len(job.spec["input"]) * job.spec.get("output", {}).get("number_of_images", 1)
        fmt = job.spec.get("output", {}).get("format", "png")
        data = {
            "id": job.id,
            "api": "remove_background",
            "status": status,
            "sandbox": job.tenant.startswith("sandbox_"),
            "total_results": count,
            "completed_results": count if status == "completed" else 0,
            "failed_results": 0,
            "credits_reserved": count,
            "created_at": "2026-01-01T00:00:00Z",
            "results": [],
        }
        if "missing_required_field" in faults:
            del data["api"]
        if "bad_counts" in faults and status == "completed":
            data["completed_results"] = count + 1
        if status == "completed":
            base = str(request.base_url).rstrip("/")
            for index in range(count):
                name = f"{job.id}-{index}.{fmt}"
                if name not in files:
                    served = "jpg" if "png_declared_jpg_served" in faults else fmt
                    kind = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}[served]
                    files[name] = (render(served, 64, 48), kind)
                    if "result_html" in faults:
                        files[name] = (b"<html><body>result</body></html>", "text/html")
                data["results"].append(
                    {"url": f"{base}/files/{name}", "format": fmt, "width": 64, "height": 48,
                     "status": "completed", "input_index": index, "variant": 0}
                )
        return data

    async def create(request: Request) -> Response:
        key = tenant(request)
        if key is None:
            return error(request, 401, "invalid_api_key", "Invalid or missing API key")
        if len(request.headers.get("x-request-id", "")) > 160:
            return error(request, 400, "invalid_payload", "X-Request-Id is longer than 160")
        idem = request.headers.get("idempotency-key")
        valid_key = idem is not None and 8 <= len(idem) <= 160 and all(c.isalnum() or c in "._:-" for c in idem)
        if not valid_key and "idempotency_optional" not in faults:
            return error(request, 400, "invalid_idempotency_key", "Idempotency-Key is missing or malformed")
        if not request.headers.get("content-type", "").startswith("application/json"):
            return error(request, 415, "unsupported_media_type", "Send application/json")
        raw = await request.body()
        try:
            body = json.loads(raw)
            problem = next(iter(validator.iter_errors(body)), None)
        except ValueError:
            body, problem = None, "Body is not JSON"
        if problem is not None and "500_on_malformed_body" in faults:
            raise RuntimeError("the body parser crashed")
        if problem is not None:
            return error(request, 400, "invalid_payload", str(getattr(problem, "message", problem))[:200])
        canonical = json.dumps(body, sort_keys=True)
        record_key = (key, idem or uuid.uuid4().hex)
        if record_key in records and "replay_new_job" not in faults:
            job_id, stored = records[record_key]
            if stored != canonical and "conflict_200" not in faults:
                return error(request, 409, "idempotency_conflict", "Key reused with another body")
            response = {"job": view(request, jobs[job_id]), "remaining_paid_credits": accounts.balance(key),
                        "request_id": rid(request)}
            return JSONResponse(response, status_code=200, headers={"Idempotent-Replayed": "true"})
        if "parallel_two_jobs" in faults:
            await asyncio.sleep(0.2)  # check-then-insert with a gap: concurrent twins both miss the record
        count = len(body["input"]) * body.get("output", {}).get("number_of_images", 1)
        sandbox = key.startswith("sandbox_")
        if not sandbox and accounts.balance(key) < count:
            return error(request, 402, "insufficient_api_credits", "Not enough paid credits")
        if not sandbox or "charge_sandbox" in faults:
            accounts.charge(key, count)
        job = Job(key, body)
        jobs[job.id] = job
        records[record_key] = (job.id, canonical)
        response = {"job": view(request, job), "remaining_paid_credits": accounts.balance(key),
                    "request_id": rid(request)}
        return JSONResponse(response, status_code=201 if "undocumented_status" in faults else 202)

    def find(request: Request) -> tuple[Job | None, Response | None]:
        key = tenant(request)
        if key is None:
            return None, error(request, 401, "invalid_api_key", "Invalid or missing API key")
        job_id = request.path_params["job_id"]
        if len(request.headers.get("x-request-id", "")) > 160:
            return None, error(request, 400, "invalid_payload", "X-Request-Id is longer than 160")
        job = jobs.get(job_id)
        if job is None or (job.tenant != key and "tenant_leak" not in faults):
            return None, error(request, 404, "not_found", "No such job")
        return job, None

    async def get_job(request: Request) -> Response:
        job, problem = find(request)
        if problem:
            return problem
        return JSONResponse({"job": view(request, job), "request_id": rid(request)})

    async def cancel_job(request: Request) -> Response:
        job, problem = find(request)
        if problem:
            return problem
        if status_of(job) in ("completed", "failed", "cancelled") and "cancel_finished_ok" not in faults:
            return error(request, 409, "job_not_cancellable", "Job already finished")
        if status_of(job) not in ("completed", "failed", "cancelled"):
            job.cancelled = True
        return JSONResponse({"job": view(request, job), "request_id": rid(request)})

    async def list_jobs(request: Request) -> Response:
        key = tenant(request)
        if key is None:
            return error(request, 401, "invalid_api_key", "Invalid or missing API key")
        try:
            limit = int(request.query_params.get("limit", "20"))
        except ValueError:
            return error(request, 400, "invalid_payload", "limit is not an integer")
        unknown = set(request.query_params) - {"limit", "cursor"}
        too_long = len(request.headers.get("x-request-id", "")) > 160
        if not 1 <= limit <= 100 or len(request.query_params.get("cursor", "")) > 256 or unknown or too_long:
            return error(request, 400, "invalid_payload", "limit or cursor out of range")
        mine = [view(request, job) for job in jobs.values() if job.tenant == key][-limit:]
        return JSONResponse({"jobs": mine, "has_more": False, "next_cursor": None, "request_id": rid(request)})

    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404 and "framework_404" in faults:
            return PlainTextResponse("Not Found", status_code=404)
        headers = dict(exc.headers or {})
        if "no_allow" in faults:
            headers.pop("Allow", None)
        codes = {404: "not_found", 405: "method_not_allowed"}
        return error(request, exc.status_code, codes.get(exc.status_code, "invalid_payload"), str(exc.detail), headers)

    async def crash(request: Request, exc: Exception) -> Response:
        return error(request, 500, "internal_error", "Internal error")

    routes = [
        Route("/remove-background", create, methods=["POST"]),
        Route("/jobs", list_jobs, methods=["GET"]),
        Route("/jobs/{job_id}", get_job, methods=["GET"]),
        Route("/jobs/{job_id}/cancel", cancel_job, methods=["POST"]),
        serve_files(files),
    ]
    handlers = {HTTPException: http_error}
    if "500_on_malformed_body" not in faults:
        handlers[Exception] = crash
    app = Starlette(routes=routes, exception_handlers=handlers)
    return request_id_middleware(app, faults)


# ----------------------------------------------------------------------------------------------------------
# ProductAI /api subset
# ----------------------------------------------------------------------------------------------------------
MODEL_CREDITS = {"gpt-low": 2, "gpt-medium": 3, "gpt-high": 8, "nanobanana": 3}


def productai_app(
    faults: set[str] | frozenset = frozenset(), rate_limit: int | None = None, window: float = 60.0
) -> Starlette:
    """`rate_limit` requests per `window` seconds per client IP (tests shorten the documented minute)."""
    faults = set(faults)
    accounts = Accounts()
    jobs: dict[int, Job] = {}
    files: dict[str, tuple[bytes, str]] = {}
    hits: dict[str, list[float]] = {}
    validator = body_validator(PRODUCTAI_SPEC, "/api/generate")

    def error(status: int, code: str, message: str, headers: dict | None = None) -> Response:
        return JSONResponse({"status": "ERROR", "message": message, "code": code}, status_code=status, headers=headers)

    def limit_headers(request: Request) -> dict[str, str]:
        if rate_limit is None:
            return {}
        used = hits.get(request.client.host, [])
        return {"X-RateLimit-Limit": str(rate_limit), "X-RateLimit-Remaining": str(max(0, rate_limit - len(used))),
                "X-RateLimit-Reset": str(int(window))}

    def gate(request: Request) -> tuple[str | None, Response | None]:
        if rate_limit is not None:
            now = time.monotonic()
            recent = [stamp for stamp in hits.get(request.client.host, []) if now - stamp < window]
            hits[request.client.host] = recent
            if len(recent) >= rate_limit:
                headers = {**limit_headers(request)}
                if "no_retry_after" not in faults:
                    headers["Retry-After"] = str(max(1, round(window - (now - recent[0]))))
                return None, error(429, "RATE_LIMIT_EXCEEDED", "More than 15 requests/minute", headers)
            hits[request.client.host] = recent + [now]
        key = request.headers.get("x-api-key")
        if key is None or (key == "" and "accept_empty_key" not in faults):
            return None, error(401, "INVALID_API_KEY", "API key missing or invalid")
        if key == "":
            return "sandbox_empty", None
        if not accounts.known(key):
            if "accept_unknown_key" in faults:
                return "sandbox_" + key, None
            return None, error(401, "INVALID_API_KEY", "API key missing or invalid")
        return key, None

    def ok(request: Request, data: dict) -> Response:
        return JSONResponse({"status": "OK", "data": data}, headers=limit_headers(request))

    def view(request: Request, job: Job) -> dict:
        stage = job.stage()
        status = ["NOT_STARTED", "RUNNING", "COMPLETED", "ERROR"][stage]
        data = {"id": job.id, "status": status, "prompt": job.spec["prompt"]}
        if status == "COMPLETED":
            fmt = "jpg" if job.spec.get("output_format", "png") in ("jpg", "jpeg") else "png"
            name = f"{job.id}.{fmt}"
            files.setdefault(name, (render(fmt, 80, 60), "image/jpeg" if fmt == "jpg" else "image/png"))
            data["image_url"] = f"{str(request.base_url).rstrip('/')}/files/{name}"
        return data

    async def generate(request: Request) -> Response:
        key, problem = gate(request)
        if problem:
            return problem
        if not request.headers.get("content-type", "").startswith("application/json"):
            return error(415, "UNSUPPORTED_MEDIA_TYPE", "Send application/json")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return error(400, "INVALID_REQUEST", "Body is not JSON")
        invalid = next(iter(validator.iter_errors(body)), None)
        if invalid is not None:
            return error(400, "INVALID_REQUEST", invalid.message[:200])
        cost = MODEL_CREDITS[body["model"]]
        sandbox = key.startswith("sandbox_")
        if not sandbox and accounts.balance(key) < cost and "empty_not_402" not in faults:
            return error(402, "OUT_OF_TOKENS", "Insufficient tokens in account")
        if not sandbox or "charge_sandbox" in faults:
            accounts.charge(key, cost)
        job = Job(key, body, number=len(jobs) + 1)
        jobs[job.id] = job
        return ok(request, view(request, job))

    async def get_job(request: Request) -> Response:
        key, problem = gate(request)
        if problem:
            return problem
        raw = request.path_params["job_id"]
        if not raw.isdigit() or int(raw) < 1:
            return error(400, "INVALID_REQUEST", "jobId must be a positive integer")
        job = jobs.get(int(raw))
        if job is None or (job.tenant != key and "tenant_leak" not in faults):
            return error(404, "JOB_NOT_FOUND", "Job ID doesn't exist or belongs to another user")
        return ok(request, view(request, job))

    async def key_check(request: Request) -> Response:
        key, problem = gate(request)
        if problem:
            return problem
        return ok(request, {"valid": True, "tokens_remaining": accounts.balance(key), "plan": "standard"})

    async def http_error(request: Request, exc: HTTPException) -> Response:
        codes = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
        return error(exc.status_code, codes.get(exc.status_code, "INVALID_REQUEST"), str(exc.detail), exc.headers)

    async def crash(request: Request, exc: Exception) -> Response:
        return error(500, "INTERNAL_ERROR", "Internal error")

    routes = [
        Route("/api/generate", generate, methods=["POST"]),
        Route("/api/job/{job_id}", get_job, methods=["GET"]),
        Route("/api/key-check", key_check, methods=["GET"]),
        serve_files(files),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: crash})
    return request_id_middleware(app, faults)


# ----------------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(app) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
