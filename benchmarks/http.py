"""HTTP figures for ``darkroom serve``: start-up time, then req/s and p50/p99 latency over loopback.

Starts the server as a subprocess (``--no-rate-limits``) on a free port and measures:

* start-up: process start to the first 200 of ``GET /_sandbox/health``;
* ``GET /aigenstudio/api/v1/jobs/{id}`` (AI Gen Studio job read) at 1 and 16 connections;
* ``POST /aigenstudio/api/v1/remove-background`` (create, a unique Idempotency-Key per request)
  at 1 and 16 connections.

The load comes from ``wrk`` when it is on PATH (a small Lua script makes the POSTs unique), else
from a Python asyncio + httpx generator, which shares the CPU with the server: on a small machine
its figures are a floor, not the server's ceiling. Each figure runs for a bounded time; the whole
script takes well under a minute. Usage: ``python benchmarks/http.py [--seconds 4]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would shadow the
# standard library's ``http`` package (which httpx imports): drop the folder before importing.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import httpx  # noqa: E402

KEY = "sandbox_benchmark"
BODY = {"input": [{"image_url": "https://client.example/images/shoe-001.jpg", "external_id": "shoe-001"}],
        "background": {"type": "transparent"}, "output": {"format": "png"}}
AUTH = {"Authorization": f"Bearer {KEY}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("darkroom")
    if script.exists():
        return [str(script), "serve", "--port", str(port), "--no-rate-limits", "--seed", "1"]
    return [sys.executable, "-m", "sandbox.cli", "serve", "--port", str(port), "--no-rate-limits", "--seed", "1"]


def start(port: int) -> tuple[subprocess.Popen, float]:
    """The server process and the seconds until its first 200 on /_sandbox/health."""
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))}
    began = time.perf_counter()
    process = subprocess.Popen(server_command(port), cwd=repo, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/_sandbox/health"
    while True:
        if process.poll() is not None:
            raise SystemExit(f"darkroom serve exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return process, time.perf_counter() - began
        except httpx.TransportError:
            pass
        if time.perf_counter() - began > 30:
            process.kill()
            raise SystemExit("darkroom serve did not answer within 30 s")
        time.sleep(0.005)


def create_job(base: str) -> str:
    response = httpx.post(f"{base}/aigenstudio/api/v1/remove-background", json=BODY,
                          headers={**AUTH, "Idempotency-Key": "benchmark-setup-0001"}, timeout=10)
    response.raise_for_status()
    return response.json()["job"]["id"]


# --- Python load generator ---------------------------------------------------------------------------


async def _python_load(method: str, url: str, connections: int, seconds: float):
    latencies: list[float] = []
    errors: dict[int, int] = {}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    counter = iter(range(10**9))
    run_id = f"{time.time_ns():x}"  # keys stay unique across figures, so no request is a replay
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        stop_at = time.perf_counter() + seconds

        async def worker(n: int):
            while time.perf_counter() < stop_at:
                began = time.perf_counter()
                if method == "GET":
                    response = await client.get(url, headers=AUTH)
                    ok = response.status_code == 200
                else:
                    headers = {**AUTH, "Idempotency-Key": f"bench-{run_id}-{n}-{next(counter)}"}
                    response = await client.post(url, json=BODY, headers=headers)
                    ok = response.status_code == 202
                latencies.append(time.perf_counter() - began)
                if not ok:
                    errors[response.status_code] = errors.get(response.status_code, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(connections)))
        elapsed = time.perf_counter() - began
    return errors, elapsed, latencies


def python_figure(method: str, url: str, connections: int, seconds: float) -> dict:
    errors, elapsed, latencies = asyncio.run(_python_load(method, url, connections, seconds))
    ordered = sorted(latencies)
    return {"requests": len(ordered), "seconds": elapsed, "rps": len(ordered) / elapsed,
            "p50_ms": statistics.median(ordered) * 1000, "p99_ms": ordered[int(0.99 * (len(ordered) - 1))] * 1000,
            "errors": errors}


# --- wrk ---------------------------------------------------------------------------------------------

_LUA = """
local counter = 0
local thread_id = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  thread_id = id or 0
end
function request()
  counter = counter + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer %(key)s"
  headers["Idempotency-Key"] = string.format("wrk-%(run)s-%%d-%%d", thread_id, counter)
  return wrk.format("POST", nil, headers, '%(body)s')
end
"""
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk_figure(wrk: str, method: str, url: str, connections: int, seconds: float) -> dict:
    command = [wrk, f"-t{min(connections, 2)}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
               "-H", f"Authorization: Bearer {KEY}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_LUA % {"key": KEY, "body": json.dumps(BODY), "run": f"{time.time_ns():x}"})
    try:
        if method == "POST":
            command += ["-s", script.name]
        output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    total = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"requests": total, "seconds": seconds, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
            "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
            "errors": {"non-2xx": int(non_2xx.group(1))} if non_2xx else {}}


def _errors(errors: dict) -> str:
    if not errors:
        return ", all 2xx"
    return ", unexpected statuses " + ", ".join(f"{status}: {count}" for status, count in sorted(errors.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="duration of each load figure (default 4)")
    args = parser.parse_args(argv)
    wrk = shutil.which("wrk")
    generator = "wrk" if wrk else "python asyncio+httpx (shares the CPU with the server)"
    port = free_port()
    process, startup = start(port)
    base = f"http://127.0.0.1:{port}"
    try:
        print(f"startup            {startup * 1000:8.0f} ms to the first 200 of /_sandbox/health")
        print(f"load generator     {generator}; {os.cpu_count()} CPUs; {args.seconds:g} s per figure")
        job_id = create_job(base)
        figures = [("GET job", "GET", f"{base}/aigenstudio/api/v1/jobs/{job_id}"),
                   ("POST create", "POST", f"{base}/aigenstudio/api/v1/remove-background")]
        for label, method, url in figures:
            for connections in (1, 16):
                if wrk:
                    figure = wrk_figure(wrk, method, url, connections, args.seconds)
                else:
                    figure = python_figure(method, url, connections, args.seconds)
                print(f"{label:<12} c={connections:<3} {figure['rps']:8.0f} req/s  p50 {figure['p50_ms']:6.2f} ms  "
                      f"p99 {figure['p99_ms']:6.2f} ms  ({figure['requests']} requests{_errors(figure['errors'])})")
                sys.stdout.flush()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
