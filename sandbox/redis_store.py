"""Redis store: the state several sandbox replicas share, with the guarantees made atomic in Redis.

Idempotency keys are claimed with a Lua script (look up or reserve in one step), balances move
with a check-and-add script, rate windows count with a capped increment, settlement and each
webhook attempt are claimed with ``SET NX``: exactly once across processes and hosts, with no
lock inside any one process. Nothing is cached in the process: every read goes to Redis.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time

from sandbox.jobs import Item, Job
from sandbox.store import IN_FLIGHT_LEASE, IdempotencyRecord

_CLAIM_IDEMPOTENCY = """
local found = redis.call('GET', KEYS[1])
if found then
  local record = cjson.decode(found)
  local held = record['job_id'] ~= cjson.null or tonumber(record['lease_until']) > tonumber(ARGV[3])
  if tonumber(record['expires_at']) > tonumber(ARGV[2]) and held then return found end
end
redis.call('SET', KEYS[1], ARGV[1])
return false
"""
_COMPLETE_IDEMPOTENCY = """
local found = redis.call('GET', KEYS[1])
if not found then return 0 end
local record = cjson.decode(found)
record['job_id'] = ARGV[1]
redis.call('SET', KEYS[1], cjson.encode(record))
return 1
"""
_RELEASE_IDEMPOTENCY = """
local found = redis.call('GET', KEYS[1])
if found and cjson.decode(found)['job_id'] == cjson.null then redis.call('DEL', KEYS[1]) end
return 0
"""
_COUNT_REQUEST = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then return false end
count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 180)
return count
"""
_MOVE_BALANCE = """
local new = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') + tonumber(ARGV[2])
if new < 0 then return false end
redis.call('HSET', KEYS[1], ARGV[1], new)
redis.call('RPUSH', KEYS[2], ARGV[3])
return new
"""
_ADD_ACCOUNT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 'account ' .. ARGV[1] .. ' already exists' end
for i = 4, #ARGV do
  local owner = redis.call('HGET', KEYS[2], ARGV[i])
  if owner then return 'key ' .. ARGV[i] .. ' already belongs to account ' .. owner end
end
redis.call('SET', KEYS[1], ARGV[2])
for i = 4, #ARGV do redis.call('HSET', KEYS[2], ARGV[i], ARGV[1]) end
local balances = cjson.decode(ARGV[3])
for ledger, amount in pairs(balances) do redis.call('HSET', KEYS[3], ledger, amount) end
redis.call('SADD', KEYS[4], ARGV[1])
return false
"""


class RedisStore:
    shared = True

    def __init__(self, url: str, prefix: str = "darkroom:"):
        import redis

        self.url = url
        self.r = redis.Redis.from_url(url)
        self.p = prefix
        self.r.ping()
        self._scripts = {name: self.r.register_script(body) for name, body in (
            ("claim", _CLAIM_IDEMPOTENCY), ("complete", _COMPLETE_IDEMPOTENCY), ("release", _RELEASE_IDEMPOTENCY),
            ("count", _COUNT_REQUEST), ("move", _MOVE_BALANCE), ("add_account", _ADD_ACCOUNT))}

    def _k(self, *parts) -> str:
        return self.p + ":".join(str(p) for p in parts)

    def transaction(self):
        """Each write is atomic on its own; the create's claim makes retries safe."""
        return contextlib.nullcontext()

    # counters
    def counter(self, kind: str) -> int:
        return int(self.r.incr(self._k("ctr", kind)))

    def next_seq(self) -> int:
        return self.counter("seq")

    # jobs
    @staticmethod
    def _job(raw: bytes | None) -> Job | None:
        if raw is None:
            return None
        data = json.loads(raw)
        data["items"] = [Item(**i) for i in data["items"]]
        return Job(**data)

    def put_job(self, job: Job) -> None:
        ref = f"{job.namespace}\x00{job.id}"
        pipe = self.r.pipeline()
        pipe.set(self._k("job", job.namespace, job.id), json.dumps(dataclasses.asdict(job)))
        pipe.zadd(self._k("jobs", job.namespace, job.account), {job.id: job.seq})
        pipe.zadd(self._k("jobs-all"), {ref: job.seq})
        if job.settled:
            pipe.srem(self._k("unsettled"), ref)
        else:
            pipe.sadd(self._k("unsettled"), ref)
        pipe.execute()

    def delete_job(self, job: Job) -> None:
        pipe = self.r.pipeline()
        pipe.delete(self._k("job", job.namespace, job.id))
        pipe.zrem(self._k("jobs", job.namespace, job.account), job.id)
        pipe.zrem(self._k("jobs-all"), f"{job.namespace}\x00{job.id}")
        pipe.srem(self._k("unsettled"), f"{job.namespace}\x00{job.id}")
        pipe.execute()

    def get_job(self, namespace: str, job_id: str) -> Job | None:
        return self._job(self.r.get(self._k("job", namespace, job_id)))

    def _jobs(self, refs) -> list[Job]:
        keys = [self._k("job", *ref.decode().split("\x00", 1)) for ref in refs]
        return [j for j in (self._job(raw) for raw in (self.r.mget(keys) if keys else [])) if j is not None]

    def jobs_of(self, namespace: str, account: str) -> list[Job]:
        ids = self.r.zrevrange(self._k("jobs", namespace, account), 0, -1)
        keys = [self._k("job", namespace, i.decode()) for i in ids]
        return [j for j in (self._job(raw) for raw in (self.r.mget(keys) if keys else [])) if j is not None]

    def unsettled(self) -> list[Job]:
        return self._jobs(self.r.smembers(self._k("unsettled")))

    def claim_settlement(self, job: Job) -> bool:
        if not self.r.set(self._k("settled", job.namespace, job.id), 1, nx=True):
            return False
        job.settled = True
        self.put_job(job)
        return True

    def all_jobs(self) -> list[Job]:
        return self._jobs(self.r.zrevrange(self._k("jobs-all"), 0, -1))

    # idempotency
    def _scope(self, scope) -> str:
        return self._k("idem", json.dumps(list(scope)))

    def claim_idempotency(self, scope, fingerprint: str, now: float, ttl: float):
        wall = time.time()
        record = json.dumps({"fingerprint": fingerprint, "job_id": None, "expires_at": now + ttl,
                             "lease_until": wall + IN_FLIGHT_LEASE})
        found = self._scripts["claim"](keys=[self._scope(scope)], args=[record, now, wall])
        return IdempotencyRecord(**json.loads(found)) if found else None

    def complete_idempotency(self, scope, job_id: str) -> None:
        self._scripts["complete"](keys=[self._scope(scope)], args=[job_id])

    def release_idempotency(self, scope) -> None:
        self._scripts["release"](keys=[self._scope(scope)], args=[])

    # rate-limit windows
    def count_request(self, bucket: tuple, window: float, limit: int) -> int | None:
        found = self._scripts["count"](keys=[self._k("win", json.dumps(list(bucket)), int(window))], args=[limit])
        return int(found) if found else None

    # webhook deliveries
    def put_delivery(self, delivery) -> None:
        raw = dataclasses.asdict(delivery)
        raw["body"] = raw["body"].decode()
        pipe = self.r.pipeline()
        pipe.set(self._k("dlv", delivery.id), json.dumps(raw))
        pipe.sadd(self._k("dlv-all"), delivery.id)
        if delivery.status == "pending":
            pipe.sadd(self._k("dlv-pending"), delivery.id)
        else:
            pipe.srem(self._k("dlv-pending"), delivery.id)
        pipe.execute()

    def _deliveries(self, ids) -> list:
        from sandbox.webhooks import Delivery

        keys = [self._k("dlv", i.decode()) for i in ids]
        found = []
        for raw in self.r.mget(keys) if keys else []:
            if raw is not None:
                data = json.loads(raw)
                data["body"] = data["body"].encode()
                found.append(Delivery(**data))
        return found

    def pending_deliveries(self) -> list:
        return self._deliveries(self.r.smembers(self._k("dlv-pending")))

    def all_deliveries(self) -> list:
        return self._deliveries(self.r.smembers(self._k("dlv-all")))

    def claim_attempt(self, delivery_id: str, attempt: int) -> bool:
        return bool(self.r.set(self._k("attempt", delivery_id, attempt), 1, nx=True))

    # files and assets
    def put_file(self, key: str, spec: dict) -> None:
        self.r.set(self._k("file", key), json.dumps(spec))

    def get_file(self, key: str) -> dict | None:
        raw = self.r.get(self._k("file", key))
        return json.loads(raw) if raw is not None else None

    def put_asset(self, asset_id: str, asset: dict) -> None:
        meta = {k: v for k, v in asset.items() if k != "data"}
        self.r.mset({self._k("asset", asset_id): json.dumps(meta), self._k("asset-data", asset_id): asset["data"]})

    def get_asset(self, asset_id: str) -> dict | None:
        meta, data = self.r.mget([self._k("asset", asset_id), self._k("asset-data", asset_id)])
        return {**json.loads(meta), "data": data} if meta is not None else None

    # accounts, balances and the ledger
    def account_get(self, account_id: str):
        from sandbox.accounts import Account

        raw = self.r.get(self._k("acct", account_id))
        if raw is None:
            return None
        data = json.loads(raw)
        data["revoked"] = set(data.get("revoked", []))
        data["balances"] = {k.decode(): int(v) for k, v in self.r.hgetall(self._k("bal", account_id)).items()}
        return Account(**data)

    def account_for_key(self, key: str):
        account_id = self.r.hget(self._k("keys"), key)
        return self.account_get(account_id.decode()) if account_id is not None else None

    def account_ids(self) -> list[str]:
        return sorted(i.decode() for i in self.r.smembers(self._k("accts")))

    def account_add(self, account) -> str | None:
        raw = dataclasses.asdict(account)
        raw["revoked"] = sorted(raw["revoked"])
        balances = raw.pop("balances")
        problem = self._scripts["add_account"](
            keys=[self._k("acct", account.id), self._k("keys"), self._k("bal", account.id), self._k("accts")],
            args=[account.id, json.dumps(raw), json.dumps(balances), *account.keys])
        return problem.decode() if problem else None

    def account_update(self, account_id: str, *, balances=None, enabled=None, revoke=None, limits=None) -> None:
        raw = json.loads(self.r.get(self._k("acct", account_id)))
        if enabled is not None:
            raw["enabled"] = enabled
        if revoke is not None:
            raw["revoked"] = sorted({*raw.get("revoked", []), revoke})
        if limits:
            raw["limits"] = {**raw.get("limits", {}), **limits}
        self.r.set(self._k("acct", account_id), json.dumps(raw))
        if balances:
            self.r.hset(self._k("bal", account_id), mapping=balances)

    def balance_move(self, account_id: str, ledger: str, delta: int, entry: dict) -> int | None:
        found = self._scripts["move"](keys=[self._k("bal", account_id), self._k("ledger")],
                                      args=[ledger, delta, json.dumps(entry)])
        return int(found) if found is not None and found is not False else None

    def ledger_add(self, entry: dict) -> None:
        self.r.rpush(self._k("ledger"), json.dumps(entry))

    def ledger(self) -> list[dict]:
        return [json.loads(raw) for raw in self.r.lrange(self._k("ledger"), 0, -1)]

    # meta
    def set_meta(self, key: str, value) -> None:
        self.r.set(self._k("meta", key), json.dumps(value))

    def get_meta(self, key: str, default=None):
        raw = self.r.get(self._k("meta", key))
        return json.loads(raw) if raw is not None else default

    def reset(self) -> None:
        seed = self.get_meta("seed")
        keys = list(self.r.scan_iter(match=self.p + "*", count=1000))
        for start in range(0, len(keys), 500):
            self.r.delete(*keys[start:start + 500])
        if seed is not None:
            self.set_meta("seed", seed)
