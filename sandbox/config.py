"""Sandbox configuration: embedded defaults, an optional TOML file, and command-line overrides.

A malformed file stops start-up with :class:`ConfigError`, whose message names the file, the field
and the problem.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.accounts import LEDGERS, Account, default_accounts

DEFAULT_LIMITS = {
    # requests per minute per key (ProductAI /api: per client IP, as seed 002 documents)
    "aigenstudio_requests_per_minute": 120,
    "aigenstudio_active_jobs": 10,
    "productai_requests_per_minute": 15,
    "productai_v1_requests_per_minute": 60,
    "productai_v1_active_jobs": 10,
}


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    seed: int | None = None
    clock: str = "real"
    start: float | None = None
    rate_limits: bool = True
    limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    queued_seconds: float = 1.0
    processing_seconds: float = 2.0
    slow_factor: float = 10.0
    idempotency_ttl_hours: float = 24.0
    public_url: str | None = None
    watermark: bool = True
    accounts: list[Account] = field(default_factory=default_accounts)
    admin_token: str | None = None
    webhooks_deny_private: bool = False
    validate_responses: bool = False
    state: str = "memory"  # or "sqlite:PATH"
    source: str | None = None  # the file this came from, for messages


_SECTIONS = {
    "sandbox": {"seed": int, "public_url": str, "watermark": bool, "admin_token": str, "default_accounts": bool},
    "jobs": {"queued_seconds": (int, float), "processing_seconds": (int, float), "slow_factor": (int, float)},
    "limits": dict.fromkeys(DEFAULT_LIMITS, int),
    "idempotency": {"ttl_hours": (int, float)},
    "webhooks": {"deny_private": bool},
}
_ACCOUNT_FIELDS = {"id": str, "keys": list, "mode": str, "plan": str, "enabled": bool, "balances": dict,
                   "limits": dict}


def _fail(path, where, problem):
    raise ConfigError(f"{path}: {where}: {problem}")


def _check(path, where, value, kind):
    if isinstance(value, bool) and kind in (int, (int, float)):
        _fail(path, where, f"expected a number, got {value!r}")
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        _fail(path, where, f"expected {names}, got {type(value).__name__} {value!r}")


def load(path: str | Path | None, **overrides) -> Config:
    """Defaults, then the file, then explicit overrides (command-line flags)."""
    config = Config()
    if path is not None:
        _apply_file(config, Path(path))
    for key, value in overrides.items():
        if value is not None:
            setattr(config, key, value)
    return config


def _apply_file(config: Config, path: Path) -> None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail(path, "file", "not found")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        _fail(path, "syntax", str(exc))
    config.source = str(path)
    for section, value in data.items():
        if section == "accounts":
            continue
        if section not in _SECTIONS:
            _fail(path, section, f"unknown section (known: {', '.join([*_SECTIONS, 'accounts'])})")
        _check(path, section, value, dict)
        for key, item in value.items():
            if key not in _SECTIONS[section]:
                _fail(path, f"{section}.{key}", f"unknown field (known: {', '.join(_SECTIONS[section])})")
            _check(path, f"{section}.{key}", item, _SECTIONS[section][key])
            if section == "limits":
                if item < 0:
                    _fail(path, f"limits.{key}", "must be >= 0")
                config.limits[key] = item
            elif section == "sandbox" and key == "default_accounts":
                if not item:
                    config.accounts = []
            elif section == "idempotency":
                config.idempotency_ttl_hours = float(item)
            elif section == "webhooks":
                config.webhooks_deny_private = item
            elif section == "jobs":
                if item < 0:
                    _fail(path, f"jobs.{key}", "must be >= 0")
                setattr(config, key, float(item))
            else:
                setattr(config, key, item)
    accounts = data.get("accounts", [])
    _check(path, "accounts", accounts, list)
    for n, raw in enumerate(accounts):
        config.accounts.append(_account(path, f"accounts[{n}]", raw))
    seen: dict[str, str] = {}
    for account in config.accounts:
        for key in account.keys:
            if key in seen:
                _fail(path, "accounts", f"key {key!r} is used by both {seen[key]!r} and {account.id!r}")
            seen[key] = account.id


def _account(path, where, raw) -> Account:
    _check(path, where, raw, dict)
    for key, value in raw.items():
        if key not in _ACCOUNT_FIELDS:
            _fail(path, f"{where}.{key}", f"unknown field (known: {', '.join(_ACCOUNT_FIELDS)})")
        _check(path, f"{where}.{key}", value, _ACCOUNT_FIELDS[key])
    for required in ("id", "keys"):
        if required not in raw:
            _fail(path, f"{where}.{required}", "is required")
    if not raw["keys"] or not all(isinstance(k, str) and k for k in raw["keys"]):
        _fail(path, f"{where}.keys", "must be a non-empty list of non-empty strings")
    mode = raw.get("mode", "live")
    if mode not in ("sandbox", "live"):
        _fail(path, f"{where}.mode", f"must be 'sandbox' or 'live', not {mode!r}")
    balances = dict.fromkeys(LEDGERS, 0)
    for ledger, amount in raw.get("balances", {}).items():
        if ledger not in LEDGERS:
            _fail(path, f"{where}.balances.{ledger}", f"unknown ledger (known: {', '.join(LEDGERS)})")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            _fail(path, f"{where}.balances.{ledger}", f"must be an integer >= 0, got {amount!r}")
        balances[ledger] = amount
    limits = raw.get("limits", {})
    for name, amount in limits.items():
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            _fail(path, f"{where}.limits.{name}", f"must be an integer >= 0, got {amount!r}")
    return Account(raw["id"], list(raw["keys"]), mode, balances, plan=raw.get("plan", "standard"),
                   enabled=raw.get("enabled", True), limits=dict(limits))
