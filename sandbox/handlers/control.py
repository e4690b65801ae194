"""The sandbox's own control plane (``sandbox-control.yaml``)."""

from __future__ import annotations

import json

from connexion.lifecycle import ConnexionResponse

from sandbox import __version__, scenarios
from sandbox.clock import EARLIEST, LATEST, iso, parse_instant
from sandbox.errors import ApiError
from sandbox.handlers import common
from sandbox.surfaces import BY_NAME, SURFACES, document_text, parsed_document


def _admin():
    """With an admin token configured, state-changing and inspecting calls need it."""
    token = common.sandbox().config.admin_token
    if token and common.header("Authorization") != f"Bearer {token}":
        raise ApiError("unauthorized", "This sandbox requires its admin token.")


def _clock_body():
    clock = common.sandbox().clock
    now = clock.now()
    return {"mode": clock.mode, "now": iso(now), "epoch": now}


async def health():
    sb = common.sandbox()
    return {"status": "ok", "version": __version__, "clock": _clock_body(), "rate_limits": sb.config.rate_limits}


async def list_documents():
    base = common.base_url()
    documents = []
    for surface in SURFACES:
        title = parsed_document(surface.name).get("info", {}).get("title", surface.name)
        documents.append({"name": surface.name, "title": title, "base_url": base + surface.public_base,
                          "json": f"{base}/_sandbox/openapi/{surface.name}.json",
                          "yaml": f"{base}/_sandbox/openapi/{surface.name}.yaml"})
    return {"documents": documents}


async def get_document(filename):
    name, _, ext = filename.rpartition(".")
    if name not in BY_NAME:
        raise ApiError("not_found", f"No document named {name!r}.")
    if ext == "yaml":
        return ConnexionResponse(status_code=200, body=document_text(name).encode(), content_type="application/yaml")
    return ConnexionResponse(status_code=200, body=json.dumps(parsed_document(name)).encode(),
                             content_type="application/json")


def get_file(filename):
    """Sync: rendering is CPU work and runs in the thread pool."""
    sb = common.sandbox()
    found = sb.result_file(filename)
    if found is None:
        raise ApiError("not_found", f"No result file {filename!r}.")
    data, media_type, etag = found
    headers = {"ETag": etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if common.header("If-None-Match") == etag:
        return ConnexionResponse(status_code=304, headers=headers)
    return ConnexionResponse(status_code=200, body=data, content_type=media_type, headers=headers)


async def get_clock():
    _admin()
    return _clock_body()


def set_clock(body):
    """Sync: due webhooks are delivered before this returns, so it runs in the thread pool."""
    _admin()
    sb = common.sandbox()
    try:
        at = parse_instant(body["now"]) if body.get("now") else None
    except ValueError:
        raise ApiError("invalid", f"'now' is not an instant this sandbox can use: {body['now']!r}") from None
    if at is not None and (body["mode"] != "manual" or (sb.clock.mode == "manual" and at < sb.clock.now())):
        raise ApiError("conflict", "'now' applies to the manual clock and never moves it back.")
    if at is not None and not EARLIEST <= at <= LATEST:
        raise ApiError("conflict", "'now' must lie between 1970 and 9999.")
    sb.clock.set_mode(body["mode"], at)
    sb.tick()
    return _clock_body()


def advance_clock(body):
    """Sync for the same reason as :func:`set_clock`."""
    _admin()
    sb = common.sandbox()
    if sb.clock.mode != "manual":
        raise ApiError("conflict", "The clock is real; PUT /_sandbox/clock {\"mode\": \"manual\"} first.")
    try:
        sb.clock.advance(float(body["seconds"]))
    except ValueError as exc:
        raise ApiError("conflict", str(exc)) from None
    sb.tick()
    return _clock_body()


async def reset():
    _admin()
    common.sandbox().reset()
    return {"reset": True}


async def list_accounts():
    _admin()
    sb = common.sandbox()
    return {"accounts": [_public(a) for a in sb.accounts.by_id.values()]}


async def create_account(body):
    _admin()
    from sandbox.accounts import LEDGERS, Account

    balances = dict.fromkeys(LEDGERS, 0) | body.get("balances", {})
    account = Account(body["id"], list(body["keys"]), body.get("mode", "live"), balances,
                      plan=body.get("plan", "standard"), enabled=body.get("enabled", True))
    try:
        common.sandbox().accounts.add(account)
    except ValueError as exc:
        raise ApiError("conflict", str(exc)) from None
    return _public(account), 201


def _account(account_id):
    account = common.sandbox().accounts.by_id.get(account_id)
    if account is None:
        raise ApiError("not_found", f"No account {account_id!r}.")
    return account


def _public(account) -> dict:
    return {**account.public(), "webhook_secret": common.sandbox().webhook_secret(account.id)}


async def get_account(account_id):
    _admin()
    return _public(_account(account_id))


async def update_account(account_id, body):
    _admin()
    account = _account(account_id)
    if "revoke_key" in body:
        if body["revoke_key"] not in account.keys:
            raise ApiError("conflict", f"Account {account_id!r} has no key {body['revoke_key']!r} to revoke.")
        common.sandbox().accounts.revoke(account_id, body["revoke_key"])
    common.sandbox().accounts.update(account_id, balances=body.get("balances"), enabled=body.get("enabled"))
    account = _account(account_id)
    return _public(account)


async def list_all_jobs(limit=100):
    _admin()
    sb = common.sandbox()
    now = sb.clock.now()
    jobs = []
    for job in sb.store.all_jobs()[:limit]:
        jobs.append({"id": job.id, "surface": job.namespace, "account": job.account, "kind": job.kind,
                     "status": job.phase(now), "created_at": iso(job.created_at), "ends_at": iso(job.ends_at),
                     "credits": job.credits, "sandbox": job.sandbox})
    return {"jobs": jobs}


async def list_scenarios():
    _admin()
    from sandbox import codes

    forced = [{"name": name, "status": codes.KINDS[kind][0]}
              for name, (kind, _) in scenarios.FORCED.items()]
    return {"magic_inputs": [{"token": t, "effect": e} for t, e in scenarios.MAGIC.items()], "forced_errors": forced}


async def list_journal(limit=100, status=None, surface=None, account=None, errors_only=False, after=None):
    _admin()
    entries = common.sandbox().journal.query(limit=limit, status=status, surface=surface, account=account,
                                             errors_only=errors_only, after=after)
    return {"entries": entries}


async def list_webhooks(job=None, limit=100):
    _admin()
    deliveries = common.sandbox().store.all_deliveries()
    if job is not None:
        deliveries = [d for d in deliveries if d.job == job]
    deliveries.sort(key=lambda d: d.next_at, reverse=True)
    return {"deliveries": [d.public() for d in deliveries[:limit]]}
