"""Accounts, keys and credit ledgers.

Zero-config defaults (DESIGN.md): any key starting with ``sandbox_`` is its own sandbox tenant, made
on first use; ``live_demo`` has 1,000 credits per vendor, ``live_empty`` none, and
``live_disabled`` has no API access. A config file replaces or extends these.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import asdict, dataclass, field

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
    """Key -> account resolution and the credit ledger (sandbox accounts are never charged).

    Accounts and balances live in the store, so every replica sharing a store sees one ledger;
    configured accounts are added only where the store does not have them yet (a restarted
    sandbox keeps its balances).
    """

    def __init__(self, store, accounts: list[Account] | None = None, sandbox_prefix: bool = True):
        self.store = store
        self.sandbox_prefix = sandbox_prefix
        for account in accounts if accounts is not None else default_accounts():
            store.account_add(copy.deepcopy(account))

    @property
    def by_id(self) -> dict[str, Account]:
        return {i: a for i in self.store.account_ids() if (a := self.store.account_get(i)) is not None}

    @property
    def entries(self) -> list[LedgerEntry]:
        return [LedgerEntry(**row) for row in self.store.ledger()]

    def add(self, account: Account) -> Account:
        problem = self.store.account_add(account)
        if problem:
            raise ValueError(problem)
        return account

    def resolve(self, key: str | None) -> Account | None:
        """The account for a key, or None (unknown or revoked). Sandbox keys create their tenant."""
        if not key:
            return None
        account = self.store.account_for_key(key)
        if account is None and self.sandbox_prefix and key.startswith(SANDBOX_PREFIX) and len(key) <= 200:
            digest = hashlib.sha256(key.encode()).hexdigest()[:16]
            self.store.account_add(Account(f"acct_sbx_{digest}", [key], "sandbox",
                                           dict.fromkeys(LEDGERS, SANDBOX_NOTIONAL_BALANCE)))
            account = self.store.account_for_key(key)
        if account is None or key in account.revoked:
            return None
        return account

    def revoke(self, account_id: str, key: str) -> None:
        if key not in self.store.account_get(account_id).keys:
            raise KeyError(key)
        self.store.account_update(account_id, revoke=key)

    def update(self, account_id: str, *, balances=None, enabled=None) -> None:
        self.store.account_update(account_id, balances=balances, enabled=enabled)

    def balance(self, account: Account, ledger: str) -> int:
        current = self.store.account_get(account.id)
        return (current or account).balances.get(ledger, 0)

    def charge(self, account: Account, ledger: str, amount: int, *, job: str | None, at: float) -> int:
        """Take ``amount`` credits or raise a 402; returns the balance after. Sandbox: no-op."""
        if account.sandbox or amount == 0:
            return self.balance(account, ledger)
        entry = asdict(LedgerEntry(account.id, ledger, -amount, "charge", job, at))
        after = self.store.balance_move(account.id, ledger, -amount, entry)
        if after is None:
            raise self.short(account, ledger, amount)
        return after

    def short(self, account: Account, ledger: str, amount: int) -> ApiError:
        """The 402 for a charge the balance cannot cover (seed 003's exact message)."""
        have = self.balance(account, ledger)
        return ApiError("no_credit", f"Not enough credits. Required: {amount}, Available: {have}")

    def credit(self, account: Account, ledger: str, amount: int, *, reason: str, job: str | None, at: float) -> int:
        """Refunds and top-ups. Sandbox accounts stay untouched."""
        if account.sandbox or amount == 0:
            return self.balance(account, ledger)
        return self.store.balance_move(account.id, ledger, amount,
                                       asdict(LedgerEntry(account.id, ledger, amount, reason, job, at)))
