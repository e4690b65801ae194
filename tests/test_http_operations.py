"""Every operation of every document, driven over real HTTP at its public URL.

The operations are enumerated from the documents, so an operation added to a document without a
driver here fails ``test_operation``. Create operations are sent the document's own example bodies
(webhook URLs pointed at a closed loopback port, so nothing leaves the machine). Answers are checked
against the documents: status documented, body valid for that status, ``X-Request-Id`` on every
response and equal to the body's ``request_id`` wherever the schema has one.
"""

from __future__ import annotations

import copy
import io
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from sandbox.accounts import LEDGERS, Account
from sandbox.surfaces import SURFACES, load_document

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = tuple(s.name for s in SURFACES)
AIGS = ("aigenstudio-product-photo", "aigenstudio-image")
CLOSED_WEBHOOK = "http://127.0.0.1:9/webhook"


def _operation_labels() -> list[str]:
    labels = []
    for name in DOCUMENTS:
        for item in load_document(name).get("paths", {}).values():
            for op in item.values():
                if isinstance(op, dict) and "operationId" in op:
                    labels.append(f"{name}:{op['operationId']}")
    return labels


# --- what differs per vendor: how a job reads ------------------------------------------------------

STATUS_OF = {
    "aigenstudio-product-photo": lambda body: body["job"]["status"],
    "aigenstudio-image": lambda body: body["job"]["status"],
    "productai": lambda body: body["data"]["status"],
    "productai-v1": lambda body: body["status"],
}
PROGRESS = {  # status -> rank; statuses never go back
    "aigenstudio-product-photo": {"queued": 0, "processing": 1, "completed": 2, "partially_completed": 2,
                                  "failed": 2, "cancelled": 2},
    "aigenstudio-image": {"queued": 0, "processing": 1, "completed": 2, "partially_completed": 2,
                          "failed": 2, "cancelled": 2},
    "productai": {"NOT_STARTED": 0, "RUNNING": 1, "COMPLETED": 2, "ERROR": 2},
    "productai-v1": {"pending": 0, "processing": 1, "completed": 2, "failed": 2},
}
COMPLETED = {"aigenstudio-product-photo": "completed", "aigenstudio-image": "completed",
             "productai": "COMPLETED", "productai-v1": "completed"}
NOT_FOUND_CODE = {"aigenstudio-product-photo": "not_found", "aigenstudio-image": "not_found",
                  "productai": "JOB_NOT_FOUND", "productai-v1": "not_found"}
UNKNOWN_JOB = {"aigenstudio-product-photo": "00000000-0000-4000-8000-000000000000",
               "aigenstudio-image": "00000000-0000-4000-8000-000000000000",
               "productai": 987654321, "productai-v1": "job_00000000000000000000"}
UNAUTHORIZED_CODE = {"aigenstudio-product-photo": "invalid_api_key", "aigenstudio-image": "invalid_api_key",
                     "productai": "INVALID_API_KEY", "productai-v1": "unauthorized"}
NO_CREDIT_CODE = {"aigenstudio-product-photo": "insufficient_api_credits",
                  "aigenstudio-image": "insufficient_api_credits",
                  "productai": "OUT_OF_TOKENS", "productai-v1": "insufficient_credits"}
LEDGER = {"aigenstudio-product-photo": "aigenstudio", "aigenstudio-image": "aigenstudio",
          "productai": "productai", "productai-v1": "productai"}


def results_of(document: str, body: dict) -> list[dict]:
    """Completed results as ``{url, format?, width?, height?}``."""
    if document == "aigenstudio-image":
        return [r for r in body["job"].get("results", []) if r.get("status") == "completed"]
    if document == "aigenstudio-product-photo":
        return [r for item in body["job"].get("items", []) for r in item.get("results", [])
                if r.get("status") == "completed"]
    if document == "productai":
        return [{"url": body["data"]["image_url"]}] if "image_url" in body["data"] else []
    return list(body.get("images", []))


# --- reading the documents ---------------------------------------------------------------------------


def created_status(contract, op) -> int:
    statuses = contract.statuses(op)
    return next(code for code in (202, 201, 200) if code in statuses)


def examples(contract, op) -> list[tuple[str, dict]]:
    """The document's own request examples, with webhook URLs kept on this machine."""
    content = op.spec.get("requestBody", {}).get("content", {}).get("application/json", {})
    found = [(name, ex["value"]) for name, ex in (content.get("examples") or {}).items()]
    if "example" in content:
        found.append(("example", content["example"]))
    out = []
    for name, value in found:
        value = copy.deepcopy(value)
        if "webhook_url" in value:
            value["webhook_url"] = CLOSED_WEBHOOK
        out.append((name, value))
    return out


def links(contract, op, status: int) -> dict[str, tuple[str, str]]:
    """operationId -> (path parameter, JSON pointer into the response body)."""
    response, _ = contract.response(op, status)
    found = {}
    for link in (response.get("links") or {}).values():
        link, _ = contract.resolve(op.document, link, "")
        (param, expression), = link["parameters"].items()
        found[link["operationId"]] = (param, expression.split("#", 1)[1])
    return found


def pointer_get(body, pointer: str):
    for token in pointer.strip("/").split("/"):
        body = body[int(token)] if isinstance(body, list) else body[token]
    return body


def create_ops(contract, document: str) -> list:
    return [op for op in contract.operations(document)
            if "application/json" in op.spec.get("requestBody", {}).get("content", {})
            and any(200 <= s < 300 and (contract.response(op, s)[0].get("links")) for s in contract.statuses(op))]


def creator_of(contract, document: str, target: str):
    """The first create operation whose links lead to ``target``."""
    for op in create_ops(contract, document):
        if target in links(contract, op, created_status(contract, op)):
            return op
    raise AssertionError(f"no create operation of {document} links to {target}")


@dataclass
class Created:
    document: str
    key: str
    get_op: str
    param: str
    job_id: object
    body: dict
    statuses: list[str] = field(default_factory=list)
    final: dict | None = None
    error: str | None = None  # why polling stopped short of a terminal status


def create(api, op, body: dict, key: str) -> Created:
    contract = api.contract
    status = created_status(contract, op)
    reply = api.call(op.document, op.operation_id, key=key, json=body)
    answer = api.expect(reply, status)
    get_op = next(target for target in links(contract, op, status) if "cancel" not in target.lower())
    param, pointer = links(contract, op, status)[get_op]
    return Created(op.document, key, get_op, param, pointer_get(answer, pointer), answer)


def read(api, job: Created) -> dict:
    reply = api.call(job.document, job.get_op, key=job.key, path_params={job.param: job.job_id})
    return api.expect(reply, 200)


def wait_terminal(api, jobs: list[Created], timeout: float = 20.0, tolerate: bool = False) -> None:
    """Poll every job until each reaches a terminal status, recording the statuses seen.

    With ``tolerate``, a job whose read fails keeps the failure in ``error`` and the others go on.
    """
    deadline = time.monotonic() + timeout
    pending = list(jobs)
    while pending:
        for job in list(pending):
            try:
                body = read(api, job)
            except AssertionError as exc:
                if not tolerate:
                    raise
                job.error = str(exc).splitlines()[0]
                pending.remove(job)
                continue
            status = STATUS_OF[job.document](body)
            job.statuses.append(status)
            if PROGRESS[job.document][status] == 2:
                job.final = body
                pending.remove(job)
        if pending:
            assert time.monotonic() < deadline, f"jobs never finished: {[(j.job_id, j.statuses[-3:]) for j in pending]}"
            time.sleep(0.05)


def first_example(contract, op) -> dict:
    return examples(contract, op)[0][1]


def fresh_key(prefix: str = "sandbox_ops") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def png_bytes(size=(64, 48)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 60, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def live_account(server, balance: int, enabled: bool = True) -> str:
    """A live account of its own, so credit arithmetic is not shared with other tests."""
    key = f"live_{uuid.uuid4().hex[:12]}"
    server.sandbox.accounts.add(Account(key, [key], "live", dict.fromkeys(LEDGERS, balance), plan="standard",
                                        enabled=enabled))
    return key


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_api(server_factory, api_for):
    """Jobs that stay queued for a minute, so cancelling never races completion."""
    return api_for(server_factory(queued_seconds=60, processing_seconds=60))


@pytest.fixture(scope="module")
def control_api(server_factory, api_for):
    """The control plane changes global state (clock, reset): it gets a server of its own."""
    return api_for(server_factory())


@pytest.fixture(scope="module")
def finished(api):
    """One job per create operation and example, all polled to their terminal state."""
    contract = api.contract
    jobs = {}
    for name in DOCUMENTS:
        for op in create_ops(contract, name):
            for example_name, body in examples(contract, op):
                jobs[f"{op.label}:{example_name}"] = create(api, op, body, fresh_key("sandbox_life"))
    wait_terminal(api, list(jobs.values()), tolerate=True)
    return jobs


def _create_example_labels() -> list[str]:
    labels = []
    for name in DOCUMENTS:
        doc = load_document(name)
        for item in doc.get("paths", {}).values():
            for op in item.values():
                content = (op.get("requestBody") or {}).get("content", {}).get("application/json") if isinstance(op, dict) else None
                if content and name != "sandbox-control":
                    names = list(content.get("examples") or {}) + (["example"] if "example" in content else [])
                    labels += [f"{name}:{op['operationId']}:{n}" for n in names]
    return labels


# --- one driver per operation ------------------------------------------------------------------------


def drive_create(ctx):
    api, op = ctx.api, ctx.op
    cases = examples(api.contract, op)
    assert cases, f"{op.label} has no request example to send"
    for _, body in cases:
        key = fresh_key()
        job = create(api, op, body, key)
        again = read(api, job)
        assert pointer_get(again, links(api.contract, op, created_status(api.contract, op))[job.get_op][1]) == job.job_id
        for target in links(api.contract, op, created_status(api.contract, op)):
            assert (op.document, target) in api.contract.ops, f"{op.label} links to unknown {target}"
        if op.document in AIGS:
            assert job.body["job"]["sandbox"] is True and job.body["job"]["credits_reserved"] == 0


def drive_get_job(ctx):
    api, op = ctx.api, ctx.op
    creator = creator_of(api.contract, op.document, op.operation_id)
    key = fresh_key()
    job = create(api, creator, first_example(api.contract, creator), key)
    body = read(api, job)
    assert STATUS_OF[op.document](body) in PROGRESS[op.document]
    code = NOT_FOUND_CODE[op.document]
    other = api.call(op.document, op.operation_id, key=fresh_key(), path_params={job.param: job.job_id})
    api.expect(other, 404, code)
    unknown = api.call(op.document, op.operation_id, key=key, path_params={job.param: UNKNOWN_JOB[op.document]})
    api.expect(unknown, 404, code)


def drive_cancel(ctx):
    op = ctx.op
    for api in (ctx.slow, ctx.api):
        creator = creator_of(api.contract, op.document, op.operation_id)
        key = fresh_key()
        job = create(api, creator, first_example(api.contract, creator), key)
        param = job.param
        if api is ctx.slow:
            body = api.expect(api.call(op.document, op.operation_id, key=key, path_params={param: job.job_id}), 200)
            assert STATUS_OF[op.document](body) == "cancelled"
            assert read(api, job)["job"]["status"] == "cancelled"
            other = api.call(op.document, op.operation_id, key=fresh_key(), path_params={param: job.job_id})
            api.expect(other, 404, "not_found")
        else:
            wait_terminal(api, [job])
        again = api.call(op.document, op.operation_id, key=key, path_params={param: job.job_id})
        api.expect(again, 409, "job_not_cancellable")
    unknown = ctx.api.call(op.document, op.operation_id, path_params={"job_id": UNKNOWN_JOB[op.document]})
    ctx.api.expect(unknown, 404, "not_found")


def drive_list(ctx):
    api, op = ctx.api, ctx.op
    creator = create_ops(api.contract, op.document)[0]
    key = fresh_key()
    ids = [create(api, creator, first_example(api.contract, creator), key).job_id for _ in range(3)]
    page1 = api.expect(api.call(op.document, op.operation_id, key=key, params={"limit": 2}), 200)
    assert [j["id"] for j in page1["jobs"]] == ids[:0:-1] and page1["has_more"] is True
    assert isinstance(page1["next_cursor"], str)
    page2 = api.expect(api.call(op.document, op.operation_id, key=key,
                                params={"limit": 2, "cursor": page1["next_cursor"]}), 200)
    assert [j["id"] for j in page2["jobs"]] == ids[:1] and page2["has_more"] is False
    assert page2["next_cursor"] is None
    everything = api.expect(api.call(op.document, op.operation_id, key=key), 200)
    assert [j["id"] for j in everything["jobs"]] == ids[::-1]
    empty = api.expect(api.call(op.document, op.operation_id, key=fresh_key()), 200)
    assert empty["jobs"] == [] and empty["has_more"] is False
    if op.document == "aigenstudio-image":
        generation = api.contract.op(op.document, "imageGeneration")
        made = create(api, generation, first_example(api.contract, generation), key).job_id
        only = api.expect(api.call(op.document, op.operation_id, key=key, params={"api": "image_generation"}), 200)
        assert [j["id"] for j in only["jobs"]] == [made]


def drive_public_catalog(ctx):
    """Public catalog operations answer with and without a key, and agree with the document."""
    api, op = ctx.api, ctx.op
    bodies = [api.expect(api.call(op.document, op.operation_id, key=key), 200) for key in (None, fresh_key())]
    assert bodies[0] == {**bodies[1], "request_id": bodies[0]["request_id"]}
    body = bodies[0]
    doc = api.contract.docs[op.document]
    if op.operation_id == "listTools":
        assert {t["id"] for t in body["tools"]} == set(doc["components"]["schemas"]["ToolId"]["enum"])
        for tool in body["tools"]:
            assert tool["path"] in doc["paths"] and "post" in doc["paths"][tool["path"]]
    elif op.operation_id == "listProductPhotoOperations":
        enum = doc["components"]["schemas"]["ProductPhotoOperationId"]["enum"]
        assert {o["id"] for o in body["operations"]} == set(enum)
    else:
        assert body["presets"] and all(p["id"] for p in body["presets"])


def drive_v1_presets(ctx):
    api, op = ctx.api, ctx.op
    body = api.expect(api.call(op.document, op.operation_id, key=fresh_key()), 200)
    ids = [p["id"] for p in body["presets"]]
    assert ids and len(ids) == len(set(ids))
    generate = api.contract.op(op.document, "createGeneration")
    request = {**first_example(api.contract, generate), "preset_id": ids[0]}
    api.expect(api.call(op.document, "createGeneration", key=fresh_key(), json=request), 202)


def drive_key_check(ctx):
    api, op = ctx.api, ctx.op
    body = api.expect(api.call(op.document, op.operation_id, key=fresh_key()), 200)
    assert body["data"]["valid"] is True
    key = live_account(api.server, 40)
    assert api.expect(api.call(op.document, op.operation_id, key=key), 200)["data"]["tokens_remaining"] == 40


def drive_upload_asset(ctx):
    api, op = ctx.api, ctx.op
    key = fresh_key()
    reply = api.call(op.document, op.operation_id, key=key, files={"file": ("product.png", png_bytes(), "image/png")})
    asset = api.expect(reply, 201)
    assert (asset["content_type"], asset["width"], asset["height"]) == ("image/png", 64, 48)
    generate = api.contract.op(op.document, "createGeneration")
    request = {k: v for k, v in first_example(api.contract, generate).items() if k != "image_url"}
    job = create(api, generate, {**request, "asset_id": asset["asset_id"]}, key)
    assert read(api, job)["asset_id"] == asset["asset_id"]
    foreign = api.call(op.document, "createGeneration", key=fresh_key(), json={**request, "asset_id": asset["asset_id"]})
    api.expect(foreign, 404, "not_found")
    # Unreadable bytes are stored (the request is schema-valid); a generation from them fails later.
    junk = api.call(op.document, op.operation_id, key=key, files={"file": ("x.png", b"not an image", "image/png")})
    stored = api.expect(junk, 201)
    assert (stored["content_type"], stored["width"], stored["height"]) == ("application/octet-stream", None, None)
    failing = create(api, generate, {**request, "asset_id": stored["asset_id"]}, key)
    wait_terminal(api, [failing])
    assert failing.final["status"] == "failed" and failing.final["error"]["code"] == "invalid_image"


# control plane ---------------------------------------------------------------------------------------


def _aigs_job(api, key: str | None = None) -> Created:
    op = api.contract.op("aigenstudio-image", "removeBackground")
    return create(api, op, first_example(api.contract, op), key or fresh_key())


def drive_health(ctx):
    api = ctx.control
    body = api.expect(api.call("sandbox-control", "health", key=None), 200)
    assert body["status"] == "ok" and body["rate_limits"] is False


def drive_list_documents(ctx):
    api = ctx.control
    body = api.expect(api.call("sandbox-control", "listDocuments", key=None), 200)
    assert [d["name"] for d in body["documents"]] == list(DOCUMENTS)
    for document in body["documents"]:
        assert document["base_url"] == api.server.base(document["name"])
        assert api.raw("GET", document["yaml"]).status == 200


def drive_get_document(ctx):
    api = ctx.control
    for name in DOCUMENTS:
        reply = api.call("sandbox-control", "getDocument", key=None, path_params={"filename": f"{name}.yaml"})
        assert api.expect(reply, 200) == (REPO / "openapi" / f"{name}.yaml").read_bytes()
    api.expect(api.call("sandbox-control", "getDocument", key=None, path_params={"filename": "nope.json"}),
               404, "not_found")
    api.expect(api.call("sandbox-control", "getDocument", key=None, path_params={"filename": "Nope.txt"}),
               400, "invalid_request")


def drive_get_file(ctx):
    """Refusals only; downloading real results is ``test_result_files``."""
    api = ctx.control
    missing = api.call("sandbox-control", "getFile", key=None, path_params={"filename": "0" * 32 + ".png"})
    api.expect(missing, 404, "not_found")
    bad = api.call("sandbox-control", "getFile", key=None, path_params={"filename": "x.gif"})
    api.expect(bad, 400, "invalid_request")


def drive_get_clock(ctx):
    api = ctx.control
    body = api.expect(api.call("sandbox-control", "getClock", key=None), 200)
    assert body["mode"] == "real" and abs(body["epoch"] - time.time()) < 60


def drive_set_clock(ctx):
    api = ctx.control
    try:
        body = api.expect(api.call("sandbox-control", "setClock", key=None,
                                   json={"mode": "manual", "now": "2030-01-01T00:00:00Z"}), 200)
        assert (body["mode"], body["now"]) == ("manual", "2030-01-01T00:00:00Z")
        back = api.call("sandbox-control", "setClock", key=None, json={"mode": "manual", "now": "2029-01-01T00:00:00Z"})
        api.expect(back, 409, "conflict")
        assert api.expect(api.call("sandbox-control", "getClock", key=None), 200)["now"] == "2030-01-01T00:00:00Z"
    finally:
        body = api.expect(api.call("sandbox-control", "setClock", key=None, json={"mode": "real"}), 200)
    assert body["mode"] == "real"


def drive_advance_clock(ctx):
    api = ctx.control
    api.expect(api.call("sandbox-control", "advanceClock", key=None, json={"seconds": 1}), 409, "conflict")
    try:
        api.expect(api.call("sandbox-control", "setClock", key=None, json={"mode": "manual"}), 200)
        job = _aigs_job(api)
        time.sleep(0.6)  # a manual clock does not move with the wall clock
        assert read(api, job)["job"]["status"] == "queued"
        body = api.expect(api.call("sandbox-control", "advanceClock", key=None, json={"seconds": 1}), 200)
        assert body["mode"] == "manual"
        assert read(api, job)["job"]["status"] == "completed"
    finally:
        api.expect(api.call("sandbox-control", "setClock", key=None, json={"mode": "real"}), 200)


def drive_reset(ctx):
    api = ctx.control
    job = _aigs_job(api)
    assert api.expect(api.call("sandbox-control", "reset", key=None), 200) == {"reset": True}
    gone = api.call("aigenstudio-image", "getJob", key=job.key, path_params={"job_id": job.job_id})
    api.expect(gone, 404, "not_found")


def drive_list_accounts(ctx):
    api = ctx.control
    body = api.expect(api.call("sandbox-control", "listAccounts", key=None), 200)
    ids = {a["id"] for a in body["accounts"]}
    assert {"live_demo", "live_empty", "live_disabled"} <= ids


def drive_create_account(ctx):
    api = ctx.control
    account_id, key = f"acct_{uuid.uuid4().hex[:8]}", f"key_{uuid.uuid4().hex[:8]}"
    request = {"id": account_id, "keys": [key], "mode": "live", "balances": {"aigenstudio": 7}}
    body = api.expect(api.call("sandbox-control", "createAccount", key=None, json=request), 201)
    assert (body["id"], body["balances"]["aigenstudio"], body["sandbox"]) == (account_id, 7, False)
    api.expect(api.call("sandbox-control", "createAccount", key=None, json=request), 409, "conflict")
    job = _aigs_job(api, key)
    assert job.body["remaining_paid_credits"] == 6 and job.body["job"]["sandbox"] is False


def drive_get_account(ctx):
    api = ctx.control
    body = api.expect(api.call("sandbox-control", "getAccount", key=None, path_params={"account_id": "live_demo"}), 200)
    assert body["keys"] == ["live_demo"] and body["mode"] == "live"
    missing = api.call("sandbox-control", "getAccount", key=None, path_params={"account_id": "nobody"})
    api.expect(missing, 404, "not_found")


def drive_update_account(ctx):
    api = ctx.control
    account_id, key = f"acct_{uuid.uuid4().hex[:8]}", f"key_{uuid.uuid4().hex[:8]}"
    api.expect(api.call("sandbox-control", "createAccount", key=None,
                        json={"id": account_id, "keys": [key], "balances": {"aigenstudio": 50}}), 201)

    def patch(body, status=200, code=None):
        return api.expect(api.call("sandbox-control", "updateAccount", key=None,
                                   path_params={"account_id": account_id}, json=body), status, code)

    op = api.contract.op("aigenstudio-image", "removeBackground")
    example = first_example(api.contract, op)
    assert patch({"balances": {"aigenstudio": 0}})["balances"]["aigenstudio"] == 0
    api.expect(api.call(op.document, op.operation_id, key=key, json=example), 402, "insufficient_api_credits")
    assert patch({"enabled": False})["enabled"] is False
    api.expect(api.call(op.document, op.operation_id, key=key, json=example), 403, "api_access_not_enabled")
    patch({"enabled": True, "balances": {"aigenstudio": 5}})
    api.expect(api.call(op.document, op.operation_id, key=key, json=example), 202)
    assert key in patch({"revoke_key": key})["revoked_keys"]
    api.expect(api.call(op.document, op.operation_id, key=key, json=example), 401, "invalid_api_key")
    patch({"revoke_key": "no-such-key"}, 409, "conflict")
    missing = api.call("sandbox-control", "updateAccount", key=None, path_params={"account_id": "nobody"},
                       json={"enabled": True})
    api.expect(missing, 404, "not_found")


def drive_list_all_jobs(ctx):
    api = ctx.control
    job = _aigs_job(api)
    body = api.expect(api.call("sandbox-control", "listAllJobs", key=None, params={"limit": 500}), 200)
    assert job.job_id in {j["id"] for j in body["jobs"]}


def drive_list_scenarios(ctx):
    api = ctx.control
    body = api.expect(api.call("sandbox-control", "listScenarios", key=None), 200)
    assert body["magic_inputs"] and body["forced_errors"]


def drive_list_journal(ctx):
    """The journal records vendor calls, newest first, with the request id the client saw."""
    api = ctx.control
    marker, key = f"journal-{uuid.uuid4().hex}", fresh_key()
    missing = UNKNOWN_JOB["aigenstudio-image"]
    api.call("aigenstudio-image", "getJob", key=key, path_params={"job_id": missing}, request_id=marker)
    api.call("productai", "keyCheck", key=key)
    body = api.expect(api.call("sandbox-control", "listJournal", key=None, params={"limit": 2000}), 200)
    entry = next(e for e in body["entries"] if e["request_id"] == marker)
    assert (entry["method"], entry["status"], entry["surface"]) == ("GET", 404, "aigenstudio-image")
    assert entry["path"] == f"/aigenstudio/api/v1/jobs/{missing}"
    seqs = [e["seq"] for e in body["entries"]]
    assert seqs == sorted(seqs, reverse=True)
    mine = api.expect(api.call("sandbox-control", "listJournal", key=None, params={"account": entry["account"]}), 200)
    assert [e["surface"] for e in mine["entries"]] == ["productai", "aigenstudio-image"]
    errors = api.expect(api.call("sandbox-control", "listJournal", key=None, params={"errors_only": "true"}), 200)
    assert errors["entries"] and all(e["status"] >= 400 for e in errors["entries"])
    later = api.expect(api.call("sandbox-control", "listJournal", key=None, params={"after": entry["seq"]}), 200)
    assert [e["seq"] for e in later["entries"]] == [entry["seq"] + 1]


class _Receiver:
    """A webhook receiver on loopback that answers 204 and keeps what it got."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                received.append((dict(self.headers), self.rfile.read(int(self.headers.get("Content-Length", 0)))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def drive_list_webhooks(ctx):
    api, receiver = ctx.control, _Receiver()
    try:
        op = api.contract.op("aigenstudio-image", "removeBackground")
        job = create(api, op, {**first_example(api.contract, op), "webhook_url": receiver.url}, fresh_key())
        wait_terminal(api, [job])
        deadline = time.monotonic() + 15
        while True:
            body = api.expect(api.call("sandbox-control", "listWebhooks", key=None, params={"job": job.job_id}), 200)
            if body["deliveries"] and body["deliveries"][0]["status"] != "pending":
                break
            assert time.monotonic() < deadline, f"webhook never delivered: {body}"
            time.sleep(0.1)
        (delivery,) = body["deliveries"]
        assert (delivery["status"], delivery["url"], delivery["job"]) == ("delivered", receiver.url, job.job_id)
        assert delivery["attempts"][0]["status_code"] == 204
        assert len(receiver.received) == 1 and "webhook-signature" in {k.lower() for k in receiver.received[0][0]}
    finally:
        receiver.close()


DRIVERS = {
    "aigenstudio-product-photo:listProductPhotoOperations": drive_public_catalog,
    "aigenstudio-product-photo:listProductPhotoPresets": drive_public_catalog,
    "aigenstudio-product-photo:createProductPhotoJob": drive_create,
    "aigenstudio-product-photo:listProductPhotoJobs": drive_list,
    "aigenstudio-product-photo:getProductPhotoJob": drive_get_job,
    "aigenstudio-product-photo:cancelProductPhotoJob": drive_cancel,
    "aigenstudio-image:removeBackground": drive_create,
    "aigenstudio-image:imageEditing": drive_create,
    "aigenstudio-image:imageAiEdit": drive_create,
    "aigenstudio-image:aiBackground": drive_create,
    "aigenstudio-image:imageGeneration": drive_create,
    "aigenstudio-image:adCreative": drive_create,
    "aigenstudio-image:listJobs": drive_list,
    "aigenstudio-image:getJob": drive_get_job,
    "aigenstudio-image:cancelJob": drive_cancel,
    "aigenstudio-image:listTools": drive_public_catalog,
    "productai:generate": drive_create,
    "productai:getJob": drive_get_job,
    "productai:upscale": drive_create,
    "productai:generateCustomModel": drive_create,
    "productai:keyCheck": drive_key_check,
    "productai-v1:createGeneration": drive_create,
    "productai-v1:getJob": drive_get_job,
    "productai-v1:uploadAsset": drive_upload_asset,
    "productai-v1:listPresets": drive_v1_presets,
    "sandbox-control:health": drive_health,
    "sandbox-control:listDocuments": drive_list_documents,
    "sandbox-control:getDocument": drive_get_document,
    "sandbox-control:getFile": drive_get_file,
    "sandbox-control:getClock": drive_get_clock,
    "sandbox-control:setClock": drive_set_clock,
    "sandbox-control:advanceClock": drive_advance_clock,
    "sandbox-control:reset": drive_reset,
    "sandbox-control:listAccounts": drive_list_accounts,
    "sandbox-control:createAccount": drive_create_account,
    "sandbox-control:getAccount": drive_get_account,
    "sandbox-control:updateAccount": drive_update_account,
    "sandbox-control:listAllJobs": drive_list_all_jobs,
    "sandbox-control:listScenarios": drive_list_scenarios,
    "sandbox-control:listJournal": drive_list_journal,
    "sandbox-control:listWebhooks": drive_list_webhooks,
}
KNOWN_DEFECTS: dict[str, str] = {}


def _with_defects(labels, defects):
    return [pytest.param(label, marks=pytest.mark.xfail(strict=True, reason=defects[label]))
            if label in defects else label for label in labels]


@pytest.mark.parametrize("label", _with_defects(_operation_labels(), KNOWN_DEFECTS))
def test_operation(label, api, slow_api, control_api, contract):
    """Each documented operation has a driver, and the driver's requests get documented answers."""
    assert label in DRIVERS, f"no test drives {label}: add a driver to DRIVERS"
    document, operation_id = label.split(":")
    ctx = SimpleNamespace(api=api, slow=slow_api, control=control_api, op=contract.op(document, operation_id))
    DRIVERS[label](ctx)


def test_every_driver_names_a_documented_operation():
    assert sorted(DRIVERS) == sorted(_operation_labels())


# --- lifecycle and results ---------------------------------------------------------------------------


@pytest.mark.parametrize("label", _create_example_labels())
def test_job_reaches_completed_through_documented_statuses(label, finished, live_server):
    job = finished[label]
    assert job.error is None, job.error
    ranks = [PROGRESS[job.document][s] for s in job.statuses]
    assert ranks == sorted(ranks), f"statuses went back: {job.statuses}"
    assert STATUS_OF[job.document](job.final) == COMPLETED[job.document]
    results = results_of(job.document, job.final)
    body = job.final
    if job.document == "aigenstudio-image":
        assert body["job"]["completed_results"] == body["job"]["total_results"] == len(results) >= 1
        assert body["job"]["completed_at"] is not None
    elif job.document == "aigenstudio-product-photo":
        assert body["job"]["completed_items"] == body["job"]["total_items"] == len(results) >= 1
    elif job.document == "productai-v1":
        assert len(results) == body["num_images"]
    else:
        assert len(results) == 1
    for result in results:
        assert result["url"].startswith(live_server.url + "/_sandbox/files/"), result["url"]


@pytest.mark.parametrize("label", _create_example_labels())
def test_result_files(label, finished, api):
    """Every result URL serves an image of the declared format and size, with a strong ETag."""
    from PIL import Image

    job = finished[label]
    assert job.error is None, job.error
    for result in results_of(job.document, job.final):
        reply = api.raw("GET", result["url"])
        assert reply.status == 200, reply.describe()
        image = Image.open(io.BytesIO(reply.response.content))
        declared = result.get("format") or result["url"].rsplit(".", 1)[1]
        assert {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}[declared] == image.format
        assert reply.headers["content-type"] == {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}[declared]
        if "width" in result:
            assert image.size == (result["width"], result["height"])
        etag = reply.headers["etag"]
        again = api.raw("GET", result["url"], headers={"If-None-Match": etag})
        assert again.status == 304 and again.headers["etag"] == etag


# --- idempotency (AI Gen Studio) ---------------------------------------------------------------------


def _aigs_create_labels() -> list[str]:
    return [label for label in _operation_labels()
            if label.split(":")[0] in AIGS and DRIVERS.get(label) is drive_create]


def _changed(body: dict) -> dict:
    body = copy.deepcopy(body)
    if "prompt" in body:
        body["prompt"] += " (changed)"
    else:
        images = body.get("input") or body.get("images")
        images[0]["external_id"] = "changed-external-id"
    return body


@pytest.mark.parametrize("label", _aigs_create_labels())
def test_idempotent_replay_and_conflict(label, api, contract):
    document, operation_id = label.split(":")
    op = contract.op(document, operation_id)
    body = first_example(contract, op)
    key, idem = fresh_key(), f"idem-{uuid.uuid4().hex}"
    first = api.call(document, operation_id, key=key, json=body, idempotency_key=idem)
    created = api.expect(first, 202)
    assert "idempotent-replayed" not in first.headers
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2).encode()
    replay = api.call(document, operation_id, key=key, content=reordered, idempotency_key=idem,
                      headers={"Content-Type": "application/json"})
    replayed = api.expect(replay, 200)
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replayed["job"]["id"] == created["job"]["id"]
    assert replayed["request_id"] != created["request_id"]
    conflict = api.call(document, operation_id, key=key, json=_changed(body), idempotency_key=idem)
    api.expect(conflict, 409, "idempotency_conflict")
    other_tenant = api.expect(api.call(document, operation_id, key=fresh_key(), json=body, idempotency_key=idem), 202)
    assert other_tenant["job"]["id"] != created["job"]["id"]


def test_idempotency_key_is_scoped_per_operation(api, contract):
    key, idem = fresh_key(), f"idem-{uuid.uuid4().hex}"
    ids = set()
    for operation_id in ("removeBackground", "imageEditing"):
        body = first_example(contract, contract.op("aigenstudio-image", operation_id))
        reply = api.call("aigenstudio-image", operation_id, key=key, json=body, idempotency_key=idem)
        ids.add(api.expect(reply, 202)["job"]["id"])
    assert len(ids) == 2


def test_parallel_requests_with_one_key_create_one_job_and_one_charge(api, live_server, contract):
    key = live_account(live_server, 100)
    op = contract.op("aigenstudio-image", "removeBackground")
    body, idem = first_example(contract, op), f"idem-{uuid.uuid4().hex}"
    replies, barrier = [], threading.Barrier(8)

    def send():
        barrier.wait()
        replies.append(api.call(op.document, op.operation_id, key=key, json=body, idempotency_key=idem))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status for r in replies)
    assert statuses.count(202) == 1 and set(statuses) <= {200, 202, 409}, statuses
    ids = {api.expect(r, r.status)["job"]["id"] for r in replies if r.status != 409}
    assert len(ids) == 1
    cost = api.expect(replies[[r.status for r in replies].index(202)], 202)["job"]["credits_reserved"]
    assert cost >= 1
    assert live_server.sandbox.accounts.by_id[key].balances["aigenstudio"] == 100 - cost


# --- auth, credits, tenancy --------------------------------------------------------------------------


def _secured_labels() -> list[str]:
    labels = []
    for name in DOCUMENTS[:-1]:
        doc = load_document(name)
        for item in doc["paths"].values():
            for op in item.values():
                if isinstance(op, dict) and op.get("security", doc.get("security")) not in ([], [{}]):
                    labels.append(f"{name}:{op['operationId']}")
    return labels


def _request_for(api, op) -> dict:
    """Any well-formed request for ``op``: auth is checked before the request is."""
    kwargs = {"path_params": {p: v for p, v in {"job_id": UNKNOWN_JOB.get(op.document),
                                                  "jobId": 1}.items() if "{" + p + "}" in op.path}}
    if "multipart/form-data" in op.spec.get("requestBody", {}).get("content", {}):
        kwargs["files"] = {"file": ("p.png", png_bytes(), "image/png")}
    elif "requestBody" in op.spec:
        kwargs["json"] = first_example(api.contract, op)
    return kwargs


@pytest.mark.parametrize("who", ["missing", "unknown", "disabled"])
@pytest.mark.parametrize("label", _secured_labels())
def test_auth_refusals_in_the_vendor_envelope(label, who, api, contract):
    document, operation_id = label.split(":")
    op = contract.op(document, operation_id)
    key = {"missing": None, "unknown": "not-a-known-key", "disabled": "live_disabled"}[who]
    reply = api.call(document, operation_id, key=key, **_request_for(api, op))
    if who == "disabled" and document in AIGS:
        api.expect(reply, 403, "api_access_not_enabled")
    else:
        api.expect(reply, 401, UNAUTHORIZED_CODE[document])


def _charging_labels() -> list[str]:
    return [label for label in _operation_labels() if DRIVERS.get(label) is drive_create]


@pytest.mark.parametrize("label", _charging_labels())
def test_empty_live_account_gets_402(label, api, contract):
    document, operation_id = label.split(":")
    op = contract.op(document, operation_id)
    reply = api.call(document, operation_id, key="live_empty", json=first_example(contract, op))
    api.expect(reply, 402, NO_CREDIT_CODE[document])


def expected_cost(api, document: str, op, request: dict, answer: dict) -> int:
    """What a create costs, from the documents (x-credits) and the catalog operations."""
    schemas = api.contract.docs[document]["components"]["schemas"]
    if document == "aigenstudio-image":
        tools = api.expect(api.call(document, "listTools", key=None), 200)["tools"]
        per_image = next(t["credits_per_image"] for t in tools if t["id"] == answer["job"]["api"])
        return per_image * answer["job"]["total_results"]
    if document == "aigenstudio-product-photo":
        catalog = api.expect(api.call(document, "listProductPhotoOperations", key=None), 200)["operations"]
        per_image = next(o["credits_per_image"] for o in catalog if o["id"] == answer["job"]["operation"])
        return per_image * answer["job"]["total_items"]
    if document == "productai":
        if "x-credits" in op.spec:
            return op.spec["x-credits"]
        return schemas["GenerateModel"]["x-credits"][request["model"]]
    return schemas["Model"]["x-credits"][request["model"]] * request.get("num_images", 1)


@pytest.mark.parametrize("label", _charging_labels())
def test_live_account_is_charged_once_and_sandbox_never(label, api, contract, live_server):
    document, operation_id = label.split(":")
    op = contract.op(document, operation_id)
    accounts = live_server.sandbox.accounts
    key = live_account(live_server, 500)
    request = first_example(contract, op)
    answer = create(api, op, request, key).body
    cost = expected_cost(api, document, op, request, answer)
    assert cost >= 1
    assert accounts.by_id[key].balances[LEDGER[document]] == 500 - cost
    if document in AIGS:
        assert (answer["job"]["credits_reserved"], answer["remaining_paid_credits"]) == (cost, 500 - cost)
        assert answer["job"]["sandbox"] is False
    charges = [e.amount for e in accounts.entries if e.account == key]
    assert charges == [-cost]
    sandbox_key = fresh_key()
    create(api, op, request, sandbox_key)
    account = accounts.resolve(sandbox_key)
    assert account.sandbox and not [e for e in accounts.entries if e.account == account.id]


def test_productai_surfaces_share_one_token_balance(api, contract, live_server):
    key = live_account(live_server, 100)
    v1 = contract.op("productai-v1", "createGeneration")
    create(api, v1, first_example(contract, v1), key)
    check = api.expect(api.call("productai", "keyCheck", key=key), 200)
    assert check["data"]["tokens_remaining"] == live_server.sandbox.accounts.by_id[key].balances["productai"] < 100


# --- request ids ---------------------------------------------------------------------------------------

REQUEST_ID_CASES = [
    ("aigenstudio-product-photo", "listProductPhotoOperations", None, 200),
    ("aigenstudio-product-photo", "listProductPhotoJobs", None, 401),
    ("aigenstudio-image", "listTools", None, 200),
    ("aigenstudio-image", "listJobs", "sandbox_request_ids", 200),
    ("aigenstudio-image", "getJob", "sandbox_request_ids", 404),
    ("productai", "keyCheck", "sandbox_request_ids", 200),
    ("productai", "keyCheck", None, 401),
    ("productai-v1", "listPresets", "sandbox_request_ids", 200),
    ("productai-v1", "getJob", "sandbox_request_ids", 404),
    ("sandbox-control", "health", None, 200),
    ("sandbox-control", "getAccount", None, 404),
]


@pytest.mark.parametrize("sent", ["echoed", "generated"])
@pytest.mark.parametrize(("document", "operation_id", "key", "status"), REQUEST_ID_CASES)
def test_request_id_echoed_or_generated(document, operation_id, key, status, sent, api, contract):
    op = contract.op(document, operation_id)
    path_params = {"job_id": UNKNOWN_JOB[document]} if "{job_id}" in op.path else {}
    if "{account_id}" in op.path:
        path_params = {"account_id": "nobody"}
    client_id = f"client-{uuid.uuid4().hex}" if sent == "echoed" else None
    reply = api.call(document, operation_id, key=key, path_params=path_params, request_id=client_id)
    api.expect(reply, status)
    if client_id is None:
        assert reply.headers["x-request-id"] and len(reply.headers["x-request-id"]) <= 160
        second = api.call(document, operation_id, key=key, path_params=path_params, request_id=None)
        assert second.headers["x-request-id"] != reply.headers["x-request-id"]


# --- the served documents ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DOCUMENTS)
def test_served_documents_are_the_originals(name, api, live_server):
    original = (REPO / "openapi" / f"{name}.yaml").read_bytes()
    as_yaml = api.raw("GET", f"{live_server.url}/_sandbox/openapi/{name}.yaml")
    assert as_yaml.status == 200 and as_yaml.response.content == original
    as_json = api.raw("GET", f"{live_server.url}/_sandbox/openapi/{name}.json")
    assert as_json.status == 200 and as_json.headers["content-type"].startswith("application/json")
    assert as_json.json() == yaml.safe_load(original)


def test_webhook_to_the_sandbox_itself_gets_an_answer(server_factory, api_for):
    """Advancing the clock delivers due webhooks; a receiver on the sandbox's own host must be reachable."""
    api = api_for(server_factory())
    api.expect(api.call("sandbox-control", "setClock", key=None, json={"mode": "manual"}), 200)
    op = api.contract.op("aigenstudio-image", "removeBackground")
    hook = api.server.url + "/_sandbox/health"  # GET only: a POST there is answered 405
    job = create(api, op, {**first_example(api.contract, op), "webhook_url": hook}, fresh_key())
    api.expect(api.call("sandbox-control", "advanceClock", key=None, json={"seconds": 1}), 200)
    body = api.expect(api.call("sandbox-control", "listWebhooks", key=None, params={"job": job.job_id}), 200)
    (delivery,) = body["deliveries"]
    assert delivery["attempts"] and delivery["attempts"][0]["status_code"] == 405, delivery
