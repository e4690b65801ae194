"""Time a full default `darkroom check` of one document against a freshly started sandbox.

    python benchmarks/conformance.py [DOCUMENT] [--phases examples,coverage,fuzzing] [--max-examples 10]

Starts `darkroom serve --no-rate-limits --port <free>` as a subprocess, runs the suite in-process,
prints the wall time, the request count and the verdict counts.
"""

from __future__ import annotations

import argparse
import importlib.util
import socket
import subprocess
import sys
import time
from pathlib import Path

# benchmarks/http.py would shadow the standard library's http package for scripts run from here.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import httpx  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BASES = {
    "aigenstudio-product-photo": "/aigenstudio/api/v1",
    "aigenstudio-image": "/aigenstudio/api/v1",
    "productai": "/productai/v1",
    "productai-v1": "/productai",
    "sandbox-control": "/_sandbox",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return True
        except httpx.HTTPError:
            time.sleep(0.1)
    return False


def main() -> int:
    parse = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parse.add_argument("document", nargs="?", default="aigenstudio-image", choices=sorted(BASES))
    parse.add_argument("--phases", default="examples,coverage,fuzzing")
    parse.add_argument("--max-examples", type=int, default=10)
    args = parse.parse_args()
    if importlib.util.find_spec("sandbox") is None or importlib.util.find_spec("sandbox.app") is None:
        print("the sandbox package is not importable: nothing to benchmark")
        return 0
    sys.path.insert(0, str(ROOT))
    from conformance.pytest_support import run_rules
    from conformance.verdicts import Outcome

    port = free_port()
    command = [sys.executable, "-m", "sandbox.cli", "serve", "--no-rate-limits", "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        root = f"http://127.0.0.1:{port}"
        if not wait_ready(root):
            print("the sandbox did not start:", server.stderr.read().decode()[-500:] if server.stderr else "")
            return 1
        started = time.perf_counter()
        report = run_rules(
            args.document,
            root + BASES[args.document],
            "sandbox_bench",
            other_key="sandbox_bench_other",
            phases=args.phases,
            max_examples=args.max_examples,
            seed=1,
        )
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    counts = {outcome.value: sum(v.outcome is outcome for v in report.verdicts) for outcome in Outcome}
    print(f"document            {args.document}")
    print(f"phases              {args.phases} (max-examples {args.max_examples})")
    print(f"wall time           {elapsed:.1f} s")
    print(f"rules' requests     {report.requests}")
    print(f"rules run           {len(report.rules)}")
    print(f"verdicts            {counts}")
    print(f"MUST rules pass     {report.ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
