"""``darkroom serve`` and ``darkroom check``."""

from __future__ import annotations

import argparse
import os
import sys

from sandbox.surfaces import SURFACES


def _serve_parser(sub):
    p = sub.add_parser("serve", help="run the sandbox server")
    p.add_argument("--host", default=None, help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="listen port (default 8080)")
    p.add_argument("--config", default=os.environ.get("DARKROOM_CONFIG"),
                   help="TOML config file (default: $DARKROOM_CONFIG, else embedded defaults)")
    p.add_argument("--no-rate-limits", action="store_true", help="turn every rate and concurrency limit off")
    p.add_argument("--clock", choices=("real", "manual"), default=None, help="sandbox clock mode")
    p.add_argument("--start", default=None, help="manual clock start, ISO 8601 (e.g. 2026-01-01T00:00:00Z)")
    p.add_argument("--seed", type=int, default=None, help="seed for ids and results (default: random)")
    p.add_argument("--public-url", default=None, help="base URL used in result links (default: request host)")
    p.add_argument("--state", default=None, help="state store: memory (default) or sqlite:PATH")
    p.add_argument("--validate-responses", action="store_true", help="check every response against its document")
    p.add_argument("--log-level", default="warning")
    return p


def serve(args) -> int:
    from sandbox import config as config_module
    from sandbox.clock import parse_instant

    try:
        start = parse_instant(args.start) if args.start else None
    except ValueError:
        print(f"darkroom: --start: not an ISO 8601 instant: {args.start!r}", file=sys.stderr)
        return 2
    try:
        config = config_module.load(
            args.config, host=args.host, port=args.port, seed=args.seed, clock=args.clock, start=start,
            public_url=args.public_url, rate_limits=False if args.no_rate_limits else None,
            validate_responses=True if args.validate_responses else None, state=args.state)
    except config_module.ConfigError as exc:
        print(f"darkroom: config error: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    from sandbox.app import create_app

    try:
        app = create_app(config)
    except ValueError as exc:  # e.g. a matting model with the wrong input or output shape
        print(f"darkroom: {exc}", file=sys.stderr)
        return 2
    base = f"http://{'127.0.0.1' if config.host in ('0.0.0.0', '::') else config.host}:{config.port}"
    print(f"Darkroom sandbox on {base}")
    for surface in SURFACES:
        print(f"  {surface.name:<28} {base}{surface.public_base}")
    print("Keys: any key starting with 'sandbox_' (its own sandbox tenant, never charged);")
    for account in app.sandbox.accounts.by_id.values():
        state = "enabled" if account.enabled else "API access disabled"
        print(f"  {', '.join(account.keys):<28} {account.mode}, balances {account.balances}, {state}")
    print(f"Clock: {config.clock}; rate limits {'on' if config.rate_limits else 'off'}; seed {app.sandbox.ids.seed}")
    sys.stdout.flush()
    uvicorn.run(app, host=config.host, port=config.port, log_level=args.log_level, lifespan="off")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "check":
        from conformance.cli import main as check_main

        return check_main(argv[1:])
    parser = argparse.ArgumentParser(prog="darkroom", description="Darkroom: sandbox and conformance suite.")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub)
    sub.add_parser("check", help="run the conformance suite against an implementation (see darkroom check -h)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
