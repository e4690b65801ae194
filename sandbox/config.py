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
    state: str = "memory"  # or "sqlite:PATH" or "redis://HOST:PORT/N"
    fixtures: dict[str, str] = field(default_factory=dict)  # source image URL -> local file
    allow_fetch: bool = False  # fetch real source images over the network (SSRF-guarded)
    allow_private: bool = False  # let fetches reach loopback and private addresses
    matting_model: str | None = None  # a u2net-style .onnx file replacing the built-in matte
    matting_size: tuple[int, int] = (320, 320)  # its input (height, width)
    engine_threads: int = 1
    source: str | None = None  # the file this came from, for messages


_SECTIONS = {
    "sandbox": {"seed": int, "public_url": str, "watermark": bool, "admin_token": str, "default_accounts": bool},
    "jobs": {"queued_seconds": (int, float), "processing_seconds": (int, float), "slow_factor": (int, float)},
    "limits": dict.fromkeys(DEFAULT_LIMITS, int),
    "idempotency": {"ttl_hours": (int, float)},
    "webhooks": {"deny_private": bool},
    "sources": {"fixtures": dict, "allow_fetch": bool, "allow_private": bool},
    "engine": {"matting_model": str, "matting_size": list, "threads": int},
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
            elif section == "sources" and key == "fixtures":
                config.fixtures = _fixtures(path, item)
            elif section == "engine":
                _engine_option(config, path, key, item)
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


def _fixtures(path: Path, table: dict) -> dict[str, str]:
    """URL -> file, relative paths resolved against the config file's folder."""
    found = {}
    for url, file in table.items():
        if not isinstance(file, str):
            _fail(path, f"sources.fixtures.{url}", f"expected a file path, got {file!r}")
        resolved = (path.parent / file).resolve()
        if not resolved.is_file():
            _fail(path, f"sources.fixtures.{url}", f"no such file: {resolved}")
        found[url] = str(resolved)
    return found


def _engine_option(config: Config, path: Path, key: str, value) -> None:
    if key == "matting_model":
        model = (path.parent / value).resolve()
        if not model.is_file():
            _fail(path, "engine.matting_model", f"no such file: {model}")
        config.matting_model = str(model)
    elif key == "matting_size":
        if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
            _fail(path, "engine.matting_size", f"expected [height, width] as two positive integers, got {value!r}")
        config.matting_size = (value[0], value[1])
    elif value < 1:
        _fail(path, "engine.threads", "must be >= 1")
    else:
        config.engine_threads = value


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
