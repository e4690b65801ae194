"""Accounts, keys and credit ledgers.

Zero-config defaults (DESIGN.md): any key starting with ``sandbox_`` is its own sandbox tenant, made
on first use; ``live_demo`` has 1,000 credits per vendor, ``live_empty`` none, and
``live_disabled`` has no API access. A config file replaces or extends these.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

from sandbox.errors import ApiError

LEDGERS = ("aigenstudio", "productai")
SANDBOX_PREFIX = "sandbox_"
SANDBOX_NOTIONAL_BALANCE = 1000  # what sandbox keys report; it never changes


@dataclass
class Account:
    id: str
    keys: list[str]
    mode: str = "sandbox"  # "sandbox" | "live"
    balances: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEDGERS, 0))
    plan: str = "sandbox"
    enabled: bool = True
    limits: dict[str, int] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)

    @property
    def sandbox(self) -> bool:
        return self.mode == "sandbox"

    def public(self) -> dict:
        return {"id": self.id, "keys": list(self.keys), "revoked_keys": sorted(self.revoked), "mode": self.mode,
                "sandbox": self.sandbox, "balances": dict(self.balances), "plan": self.plan,
                "enabled": self.enabled, "limits": dict(self.limits)}


def default_accounts() -> list[Account]:
    full = dict.fromkeys(LEDGERS, 1000)
    return [
        Account("live_demo", ["live_demo"], "live", dict(full), plan="standard"),
        Account("live_empty", ["live_empty"], "live", dict.fromkeys(LEDGERS, 0), plan="standard"),
        Account("live_disabled", ["live_disabled"], "live", dict(full), plan="standard", enabled=False),
    ]


@dataclass
class LedgerEntry:
    account: str
    ledger: str
    amount: int  # negative: charge, positive: refund or top-up
    reason: str
    job: str | None
    at: float


class Accounts:
    """Key -> account resolution and the credit ledger (sandbox accounts are never charged)."""

    def __init__(self, accounts: list[Account] | None = None, sandbox_prefix: bool = True, store=None):
        self._lock = threading.RLock()
        self.store = store  # persists accounts and ledger entries (no-op in memory)
        self.by_id: dict[str, Account] = {}
        self.by_key: dict[str, Account] = {}
        self.sandbox_prefix = sandbox_prefix
        self.entries: list[LedgerEntry] = []
        for account in accounts if accounts is not None else default_accounts():
            self.add(account, save=False)
        if store is not None:  # persisted balances, flags and run-time accounts win over the config
            self.restore(store.saved_accounts())
            for account in self.by_id.values():
                self.save(account)

    def add(self, account: Account, save: bool = True) -> Account:
        with self._lock:
            if account.id in self.by_id:
                raise ValueError(f"account {account.id!r} already exists")
            for key in account.keys:
                if key in self.by_key:
                    raise ValueError(f"key {key!r} already belongs to account {self.by_key[key].id!r}")
            self.by_id[account.id] = account
            for key in account.keys:
                self.by_key[key] = account
            if save:
                self.save(account)
            return account

    def save(self, account: Account) -> None:
        if self.store is not None:
            self.store.save_account(account)

    def restore(self, saved: list[dict]) -> None:
        """Bring back balances, flags, revocations and accounts created at run time."""
        for raw in saved:
            raw = {**raw, "revoked": set(raw.get("revoked", []))}
            current = self.by_id.get(raw["id"])
            if current is None:
                account = Account(**raw)
                self.by_id[account.id] = account
                for key in account.keys:
                    self.by_key[key] = account
            else:
                current.balances, current.enabled, current.revoked = raw["balances"], raw["enabled"], raw["revoked"]

    def resolve(self, key: str | None) -> Account | None:
        """The account for a key, or None (unknown or revoked). Sandbox keys create their tenant."""
        if not key:
            return None
        with self._lock:
            account = self.by_key.get(key)
            if account is None and self.sandbox_prefix and key.startswith(SANDBOX_PREFIX) and len(key) <= 200:
                digest = hashlib.sha256(key.encode()).hexdigest()[:16]
                account = self.add(Account(f"acct_sbx_{digest}", [key], "sandbox",
                                           dict.fromkeys(LEDGERS, SANDBOX_NOTIONAL_BALANCE)))
            if account is None or key in account.revoked:
                return None
            return account

    def revoke(self, account_id: str, key: str) -> None:
        with self._lock:
            account = self.by_id[account_id]
            if key not in account.keys:
                raise KeyError(key)
            account.revoked.add(key)
            self.save(account)

    def balance(self, account: Account, ledger: str) -> int:
        return account.balances.get(ledger, 0)

    def charge(self, account: Account, ledger: str, amount: int, *, job: str | None, at: float) -> int:
        """Take ``amount`` credits or raise a 402; returns the balance after. Sandbox: no-op."""
        with self._lock:
            have = account.balances.get(ledger, 0)
            if account.sandbox or amount == 0:
                return have
            if have < amount:
                raise ApiError("no_credit", f"Not enough credits. Required: {amount}, Available: {have}")
            account.balances[ledger] = have - amount
            self._entry(account, LedgerEntry(account.id, ledger, -amount, "charge", job, at))
            return have - amount

    def credit(self, account: Account, ledger: str, amount: int, *, reason: str, job: str | None, at: float) -> int:
        """Refunds and top-ups. Sandbox accounts stay untouched."""
        with self._lock:
            if account.sandbox or amount == 0:
                return account.balances.get(ledger, 0)
            account.balances[ledger] = account.balances.get(ledger, 0) + amount
            self._entry(account, LedgerEntry(account.id, ledger, amount, reason, job, at))
            return account.balances[ledger]

    def _entry(self, account: Account, entry: LedgerEntry) -> None:
        self.entries.append(entry)
        if self.store is not None:
            self.store.add_ledger(entry)
        self.save(account)
