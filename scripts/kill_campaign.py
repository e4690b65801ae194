"""Kill campaign: ``kill -9`` the sandbox mid-burst, restart it, check nothing was lost.

Each round starts ``darkroom serve --state sqlite:PATH`` (or ``redis://HOST:PORT/N``: the server dies,
Redis keeps the state) on the same store, first checks everything
acknowledged in earlier rounds, then fires a burst of creates with the ``live_demo`` key
(idempotent AI Gen Studio creates with known keys, ProductAI ``/api`` and ``/v1`` creates) and
SIGKILLs the server's process group once a random number of them has been acknowledged. After
the last round the server is started once more for the final check.

What every check holds the restarted server to:
- every acknowledged job is readable and is the job that was created (its own external id,
  prompt or source URL, so a reused id cannot pass);
- every acknowledged Idempotency-Key replays: 200, ``Idempotent-Replayed: true``, the same job;
- a key whose request was in flight at the kill is usable again: a retry gets 200 (the job was
  committed, the answer lost) or 202 (it was not), never a 409 for a request no process is running;
- the ``ledger`` table charges no job twice, charges every acknowledged job, charges no job that
  does not exist, and each balance equals 1000 + the sum of its ledger entries.

    python scripts/kill_campaign.py --state sqlite:/path/state.db --rounds 10
    python scripts/kill_campaign.py --state redis://127.0.0.1:6379/0 --rounds 10

Exit status 1 on any violation. The file is created if missing; use a fresh one for a clean run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

import httpx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from serverproc import ServerProcess  # noqa: E402

KEY = "live_demo"
START_BALANCE = 1000
LEDGERS = ("aigenstudio", "productai")


@dataclass
class Sent:
    """One create request: what was sent, and what identifies its job when read back."""

    surface: str
    path: str
    body: dict
    mark: str  # unique per request: external id, prompt or source URL
    idempotency_key: str | None = None
    job_id: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {"x-api-key": KEY} if self.surface == "productai" else {"Authorization": f"Bearer {KEY}"}
        if self.idempotency_key:
            headers["Idempotency-Key"] = self.idempotency_key
        return headers


def make_request(round_no: int, n: int) -> Sent:
    mark = f"kill-{round_no:03d}-{n:05d}"
    source = f"https://shop.example/kill/{mark}.jpg"
    kind = n % 4
    if kind == 0:
        return Sent("aigenstudio-image", "/aigenstudio/api/v1/remove-background",
                    {"input": [{"image_url": source, "external_id": mark}]}, mark, mark)
    if kind == 1:
        return Sent("aigenstudio-product-photo", "/aigenstudio/api/v1/product-photo-jobs",
                    {"images": [{"source_url": source, "external_id": mark}]}, mark, mark)
    if kind == 2:
        return Sent("productai", "/productai/v1/api/generate",
                    {"image_url": source, "prompt": mark, "model": "gpt-low"}, mark)
    return Sent("productai-v1", "/productai/v1/generate", {"model": "nanobanana", "image_url": source, "prompt": mark},
                mark)


def job_id_of(sent: Sent, body: dict) -> str:
    if sent.surface == "productai":
        return str(body["data"]["id"])
    if sent.surface == "productai-v1":
        return body["job_id"]
    return body["job"]["id"]


READ = {
    "aigenstudio-image": ("/aigenstudio/api/v1/jobs/{id}", lambda b: [r.get("external_id") for r in b["job"]["results"]]),
    "aigenstudio-product-photo": ("/aigenstudio/api/v1/product-photo-jobs/{id}",
                                  lambda b: [i.get("external_id") for i in b["job"]["items"]]),
    "productai": ("/productai/v1/api/job/{id}", lambda b: [b["data"].get("prompt")]),
    "productai-v1": ("/productai/v1/jobs/{id}", lambda b: [b.get("prompt")]),
}


class Campaign:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.acknowledged: list[Sent] = []
        self.in_doubt: list[Sent] = []  # idempotent requests that were in flight at the kill
        self.violations: list[str] = []
        self.figures = {"sent": 0, "acknowledged": 0, "in_doubt_retried": 0, "refused_402": 0, "kills": 0,
                        "checks": 0}

    def violation(self, text: str) -> None:
        self.violations.append(text)
        print("  VIOLATION " + text, flush=True)

    # --- one burst, killed part-way ---------------------------------------------------------------

    def burst(self, server: ServerProcess, round_no: int) -> None:
        target = self.rng.randint(self.args.kill_min, self.args.kill_max)
        began = time.monotonic()
        killed = threading.Event()
        lock = threading.Lock()
        acked: list[Sent] = []
        doubtful: list[Sent] = []

        def send(n: int) -> None:
            if killed.is_set():
                return  # never sent: nothing to lose
            sent = make_request(round_no, n)
            with lock:
                self.figures["sent"] += 1
            try:
                response = httpx.post(server.url + sent.path, json=sent.body, headers=sent.headers(), timeout=10)
            except httpx.HTTPError:
                if sent.idempotency_key:
                    with lock:
                        doubtful.append(sent)
                return
            if response.status_code in (200, 202):
                sent.job_id = job_id_of(sent, response.json())
                with lock:
                    acked.append(sent)
            elif response.status_code == 402:
                with lock:
                    self.figures["refused_402"] += 1
            else:
                self.violation(f"burst {sent.surface} POST {sent.path} -> {response.status_code} {response.text[:300]}")

        with concurrent.futures.ThreadPoolExecutor(self.args.workers) as pool:
            futures = [pool.submit(send, n) for n in range(self.args.burst)]
            deadline = time.monotonic() + 60
            while len(acked) < target and not all(f.done() for f in futures) and time.monotonic() < deadline:
                time.sleep(0.002)
            server.kill()
            killed.set()
            self.figures["kills"] += 1
            concurrent.futures.wait(futures)
        self.acknowledged += acked
        self.in_doubt += doubtful
        self.figures["acknowledged"] = len(self.acknowledged)
        print(f"round {round_no}: killed after {len(acked)} acknowledged (target {target}) in "
              f"{time.monotonic() - began:.1f} s, {len(doubtful)} idempotent requests in flight", flush=True)

    # --- what a restarted server must show -------------------------------------------------------

    def check(self, server: ServerProcess) -> None:
        began = time.monotonic()
        self.figures["checks"] += 1
        with httpx.Client(base_url=server.url, timeout=30) as client:
            self._retry_in_doubt(client)
            for sent in self.acknowledged:
                self._readable(client, sent)
                if sent.idempotency_key:
                    self._replays(client, sent)
            balances = client.get(f"/_sandbox/accounts/{KEY}").json()["balances"]
        self._ledger(balances)
        print(f"  checked {len(self.acknowledged)} acknowledged jobs in {time.monotonic() - began:.1f} s", flush=True)

    def _retry_in_doubt(self, client: httpx.Client) -> None:
        doubtful, self.in_doubt = self.in_doubt, []
        for sent in doubtful:
            response = client.post(sent.path, json=sent.body, headers=sent.headers())
            if response.status_code == 409 and "idempotency_in_progress" in response.text:
                # a claim by the killed process: it lapses after its lease (Retry-After), then the key works
                time.sleep(min(15, int(response.headers.get("retry-after", "1"))))
                response = client.post(sent.path, json=sent.body, headers=sent.headers())
            self.figures["in_doubt_retried"] += 1
            if response.status_code in (200, 202):
                sent.job_id = job_id_of(sent, response.json())
                self.acknowledged.append(sent)
            elif response.status_code != 402:
                self.violation(f"retry of in-flight key {sent.idempotency_key}: POST {sent.path} -> "
                               f"{response.status_code} {response.text[:300]}")

    def _readable(self, client: httpx.Client, sent: Sent) -> None:
        path, marks = READ[sent.surface]
        response = client.get(path.format(id=sent.job_id), headers=sent.headers())
        if response.status_code != 200:
            self.violation(f"acknowledged {sent.surface} job {sent.job_id} ({sent.mark}): GET -> "
                           f"{response.status_code} {response.text[:200]}")
        elif sent.mark not in marks(response.json()):
            self.violation(f"acknowledged {sent.surface} job {sent.job_id} reads back as another job: "
                           f"expected {sent.mark}, got {marks(response.json())}")

    def _replays(self, client: httpx.Client, sent: Sent) -> None:
        response = client.post(sent.path, json=sent.body, headers=sent.headers())
        if response.status_code != 200 or response.headers.get("idempotent-replayed") != "true" or \
                response.json()["job"]["id"] != sent.job_id:
            self.violation(f"key {sent.idempotency_key} (job {sent.job_id}) did not replay: "
                           f"{response.status_code} {dict(response.headers).get('idempotent-replayed')} "
                           f"{response.text[:200]}")

    def _stored(self) -> tuple[list[dict], set[str]]:
        """The ledger and the job ids as the store holds them (read-only for SQLite's file)."""
        if self.args.state.startswith("sqlite:"):
            path = self.args.state[len("sqlite:"):]
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                entries = [json.loads(body) for (body,) in db.execute("SELECT body FROM ledger ORDER BY n")]
                return entries, {job_id for (job_id,) in db.execute("SELECT id FROM jobs")}
        from sandbox.store import open_store

        store = open_store(self.args.state)
        return store.ledger(), {job.id for job in store.all_jobs()}

    def _ledger(self, balances: dict) -> None:
        entries, jobs = self._stored()
        mine = [e for e in entries if e.get("account") == KEY]
        charged: dict[str, int] = {}
        for entry in mine:
            if entry["reason"] == "charge":
                charged[entry["job"]] = charged.get(entry["job"], 0) + 1
        for job_id, times in charged.items():
            if times > 1:
                self.violation(f"job {job_id} charged {times} times")
            if job_id not in jobs:
                self.violation(f"job {job_id} was charged but does not exist")
        for sent in self.acknowledged:
            if sent.job_id not in charged:
                self.violation(f"acknowledged job {sent.job_id} ({sent.mark}) was never charged")
        for ledger in LEDGERS:
            total = sum(e["amount"] for e in mine if e["ledger"] == ledger)
            if balances[ledger] != START_BALANCE + total:
                self.violation(f"{ledger} balance {balances[ledger]} != {START_BALANCE} + ledger sum {total}")
        self.figures["ledger_entries"] = len(mine)
        self.figures["balances"] = dict(balances)

    # --- the campaign -----------------------------------------------------------------------------

    def run(self) -> int:
        args = self.args
        port, servers = None, []
        for round_no in range(args.rounds):
            server = ServerProcess(state=args.state, port=port, seed=args.seed).start()
            port = server.port
            servers.append(server)
            try:
                if round_no:
                    self.check(server)
                self.burst(server, round_no)
            finally:
                server.kill()
        server = ServerProcess(state=args.state, port=port, seed=args.seed).start()
        servers.append(server)
        try:
            self.check(server)
        finally:
            server.stop()
        for server in servers:
            if self.violations:
                print(f"server log: {server.log_path}")
            else:
                server.discard_log()
        figures = self.figures
        print(f"kill campaign: {args.rounds} rounds, {figures['kills']} kills, {figures['sent']} creates sent, "
              f"{figures['acknowledged']} acknowledged, {figures['in_doubt_retried']} in-flight keys retried, "
              f"{figures['refused_402']} refused for credit, "
              f"{figures['ledger_entries']} ledger entries, "
              f"balances {figures['balances']}")
        print(f"violations: {len(self.violations)}")
        for line in sorted(set(self.violations))[:40]:
            print("  " + line)
        print("kill campaign: FAIL" if self.violations else "kill campaign: OK")
        return 1 if self.violations else 0


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--state", default=None,
                   help="sqlite:PATH (default: a new temporary file) or redis://HOST:PORT/N (use an empty database)")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--burst", type=int, default=400, help="creates queued per round (most never sent)")
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--kill-min", type=int, default=10, help="fewest acknowledged creates before the kill")
    p.add_argument("--kill-max", type=int, default=60, help="most acknowledged creates before the kill")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    args.scratch = None
    if args.state is None:
        args.scratch = tempfile.mkdtemp(prefix="darkroom-kill-")
        args.state = "sqlite:" + os.path.join(args.scratch, "state.db")
    if not args.state.startswith(("sqlite:", "redis://")):
        p.error("--state must be sqlite:PATH or redis://HOST:PORT/N")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    status = Campaign(args).run()
    if args.scratch and status == 0:
        shutil.rmtree(args.scratch, ignore_errors=True)
    elif args.scratch:
        print(f"state file kept: {args.state}")
    return status


if __name__ == "__main__":
    sys.exit(main())
