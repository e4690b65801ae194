"""Crash windows inside one create, on the SQLite store: the kill campaign's checks, made deterministic.

A create writes several rows (idempotency claim, id counter, balance, ledger entry, job,
idempotency completion); all but the claim share one transaction. ``kill -9`` can land between
any two of them; the kill campaign hits those windows only by luck, so here the process "dies" at
each one on purpose: the chosen write raises, and every write after it is dropped, as if nothing
ran any more. A new sandbox then opens the same file, and must hold the same invariants as after
any restart: balances equal 1000 + the ledger, no charge without its job, and the key usable again.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from sandbox.clock import parse_instant
from sandbox.config import Config
from sandbox.errors import ApiError
from sandbox.runtime import Sandbox

BODY = {"input": [{"image_url": "https://shop.example/crash.jpg", "external_id": "crash-1"}]}
KEY = "crash-key-0001"
START = parse_instant("2026-01-01T00:00:00Z")
# (table written when the process dies, which write to that table): the order one create writes in
POINTS = {
    "after-claim": ("counters", 1),  # the claim is on disk, nothing else
    "after-balance": ("ledger", 1),  # the balance is lowered, its ledger entry not written
    "after-ledger": ("counters", 2),  # charged, the job not written
    "before-job": ("jobs", 1),
    "before-completion": ("idempotency", 2),  # job and charge on disk, the key still "in flight"
}


class Killed(BaseException):
    """The process died here."""


def _sandbox(path) -> Sandbox:
    return Sandbox(Config(seed=3, clock="manual", start=START, state=f"sqlite:{path}", rate_limits=False))


def _die_at(sandbox: Sandbox, table: str, nth: int) -> None:
    store = sandbox.store
    real, seen, dead = store._write, {"n": 0}, {"yes": False}

    def write(sql, *args):
        if dead["yes"]:
            return None  # nothing runs after the kill
        target = re.search(r"\bINTO (\w+)", sql)
        if target and target.group(1) == table:
            seen["n"] += 1
            if seen["n"] == nth:
                dead["yes"] = True
                raise Killed(f"killed before write {nth} to {table}")
        return real(sql, *args)

    store._write = write


@pytest.fixture(params=sorted(POINTS))
def crashed(request, tmp_path):
    """The state file after a create killed at one point; returns (path, point)."""
    path = tmp_path / "state.db"
    sandbox = _sandbox(path)
    account = sandbox.authenticate("live_demo")
    _die_at(sandbox, *POINTS[request.param])
    with pytest.raises(Killed):
        sandbox.create_job("aigenstudio-image", "removeBackground", account, BODY, KEY, "")
    sandbox.close()
    return path, request.param


def _ledger(path) -> list[dict]:
    with sqlite3.connect(path) as db:
        return [json.loads(body) for (body,) in db.execute("SELECT body FROM ledger ORDER BY n")]


def test_the_simulated_kill_really_stops_the_create(crashed):
    """One transaction per create: wherever the kill lands, none of the create's rows is on disk."""
    path, _ = crashed
    with sqlite3.connect(path) as db:
        jobs = db.execute("SELECT count(*) FROM jobs").fetchone()[0]
        charges = db.execute("SELECT count(*) FROM ledger").fetchone()[0]
    assert (jobs, charges) == (0, 0)


def test_balance_equals_start_plus_ledger_after_a_kill(crashed):
    path, _ = crashed
    restarted = _sandbox(path)
    account = restarted.authenticate("live_demo")
    entries = _ledger(path)
    for ledger in ("aigenstudio", "productai"):
        total = sum(e["amount"] for e in entries if e["ledger"] == ledger and e["account"] == "live_demo")
        assert restarted.accounts.balance(account, ledger) == 1000 + total


def test_no_charge_without_its_job_after_a_kill(crashed):
    path, _ = crashed
    restarted = _sandbox(path)
    charged = {e["job"] for e in _ledger(path) if e["reason"] == "charge"}
    assert all(restarted.store.get_job("aigenstudio-image", job_id) is not None for job_id in charged)


def test_the_key_is_usable_again_after_a_kill(crashed):
    path, _ = crashed
    restarted = _sandbox(path)
    account = restarted.authenticate("live_demo")
    try:
        job, _replayed, _ = restarted.create_job("aigenstudio-image", "removeBackground", account, BODY, KEY, "")
    except ApiError as exc:
        pytest.fail(f"retry with the same key and body after the kill: {exc.kind}: {exc.message}")
    assert restarted.store.get_job("aigenstudio-image", job.id) is not None
