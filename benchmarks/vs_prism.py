"""Darkroom against Stoplight Prism 5 on the same machine, measured side by side.

Both serve ``openapi/aigenstudio-image.yaml``: Darkroom with ``darkroom serve --no-rate-limits``
(full request validation, auth, idempotency and job state), Prism as a static mock
(``prism mock -v silent``, no ``-d``). Each round starts Darkroom, measures it, stops it, then does
the same for Prism (A B A B ...), so slow drifts of a shared machine hit both alike. Per server and
round:

* start-up: process start to the first 200 (Darkroom: ``GET /_sandbox/health``; Prism: the job read);
* ``GET /jobs/{job_id}`` and ``POST /remove-background`` at 16 connections with ``wrk`` (req/s, p50,
  p99, non-2xx); every POST carries a unique ``Idempotency-Key`` from a Lua counter; plus the
  server's CPU time per request (user + system, all threads), which a busy machine disturbs less;
* RSS of the server process and its children (``VmRSS`` in ``/proc``) at the first 200 and after
  the load (Darkroom then holds every job the POSTs made; Prism holds nothing).

The summary gives the median of the rounds and the Darkroom/Prism ratio of each figure.

Prism is installed from npm into ``~/.cache/darkroom/prism`` when it is missing. Without ``npm`` or
``wrk`` the script says what to install and exits 0. Usage:
``python benchmarks/vs_prism.py [--rounds 3] [--seconds 3]`` (about a minute with the defaults).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path and its http.py would shadow the standard
# library's ``http`` package: drop the folder before importing it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "openapi" / "aigenstudio-image.yaml"
PRISM_PACKAGE = "@stoplight/prism-cli@5"
KEY = "sandbox_benchmark"
BODY = {"input": [{"image_url": "https://client.example/images/shoe-001.jpg", "external_id": "shoe-001"}],
        "background": {"type": "transparent"}, "output": {"format": "png"}}
PRISM_JOB = "0b6f3d2a-5c1e-4f8a-9d47-3e2b1a6c8f90"  # the document's example id; Prism checks the uuid format
CONNECTIONS = 16
WARM_UP = 2  # seconds of unmeasured load before each figure

_LUA = """
local counter = 0
local threads = 0
local run = ""
function setup(thread)
  threads = threads + 1
  thread:set("tag", threads)
end
function init(args)
  run = args[1] or ""
end
function request()
  counter = counter + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer %(key)s"
  headers["Idempotency-Key"] = string.format("vsprism-%%s-%%d-%%d", run, tag, counter)
  return wrk.format("POST", nil, headers, '%(body)s')
end
"""
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


# --- tools -------------------------------------------------------------------------------------------


def prism_dir() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "darkroom" / "prism"


def ensure_prism() -> Path | None:
    """The prism executable, installed from npm into the cache folder on first use."""
    folder = prism_dir()
    binary = folder / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        print("npm is not installed: Prism cannot be installed. Install Node.js 18+ with npm "
              "(Debian: apt-get install -y nodejs npm) and run again.")
        return None
    folder.mkdir(parents=True, exist_ok=True)
    print(f"installing {PRISM_PACKAGE} into {folder} ...", flush=True)
    subprocess.run([npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--loglevel", "error",
                    PRISM_PACKAGE], check=True)
    return binary if binary.exists() else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request(method, path, body=body, headers={"Authorization": f"Bearer {KEY}", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def tree(pid: int) -> list[int]:
    """A process and all its descendants (Prism's node may fork)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_kb(pid: int) -> int:
    total = 0
    for member in tree(pid):
        try:
            found = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{member}/status").read_text())
        except OSError:
            continue
        total += int(found.group(1)) if found else 0
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process tree, all threads. Per request, this is the figure other
    processes on a shared machine disturb least (throughput drops when they take the CPU)."""
    total = 0
    for member in tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


# --- servers -----------------------------------------------------------------------------------------


class Server:
    name = ""
    get_path = ""
    post_path = ""
    root = ROOT  # working directory, and the checkout on PYTHONPATH

    def command(self, port: int) -> list[str]:
        raise NotImplementedError

    def ready(self, port: int) -> bool:
        raise NotImplementedError

    def prepare(self, port: int) -> None:
        """Anything the load needs (a job to read)."""

    def start(self) -> tuple[subprocess.Popen, int, float]:
        port = free_port()
        path = os.pathsep.join(filter(None, [str(self.root), os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONPATH": path}
        began = time.perf_counter()
        process = subprocess.Popen(self.command(port), cwd=self.root, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, start_new_session=True)
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{self.name} exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                if self.ready(port):
                    return process, port, time.perf_counter() - began
            except OSError:
                pass
            if time.perf_counter() - began > 60:
                stop(process)
                raise SystemExit(f"{self.name} did not answer within 60 s")
            time.sleep(0.005)


class Darkroom(Server):
    name = "Darkroom"
    base = "/aigenstudio/api/v1"
    post_path = base + "/remove-background"

    def command(self, port):
        return [sys.executable, "-m", "sandbox.cli", "serve", "--port", str(port), "--no-rate-limits", "--seed", "1"]

    def ready(self, port):
        return request(port, "GET", "/_sandbox/health")[0] == 200

    def prepare(self, port):
        status, body = request(port, "POST", self.post_path, json.dumps(BODY).encode(),
                               {"Content-Type": "application/json", "Idempotency-Key": "vsprism-setup-0001"})
        if status != 202:
            raise SystemExit(f"Darkroom create answered {status}: {body[:300]!r}")
        self.get_path = f"{self.base}/jobs/{json.loads(body)['job']['id']}"


class Prism(Server):
    name = "Prism"
    get_path = f"/jobs/{PRISM_JOB}"
    post_path = "/remove-background"

    def __init__(self, binary: Path):
        self.binary = binary

    def command(self, port):
        return [str(self.binary), "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "silent", str(DOCUMENT)]

    def ready(self, port):
        return request(port, "GET", self.get_path)[0] == 200


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, 9)
        except ProcessLookupError:
            pass
        process.wait()


# --- wrk ---------------------------------------------------------------------------------------------


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(binary: str, url: str, method: str, seconds: int, script: str) -> dict:
    command = [binary, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {KEY}"]
    if method == "POST":
        command += ["-s", script]
    run = f"{time.time_ns():x}"  # each wrk run makes its own keys: a warm-up never turns into replays
    output = subprocess.run([*command, url, "--", run], capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {"requests": total, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
            "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
            "non2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def measure(server: Server, wrk_binary: str, seconds: int, script: str) -> dict:
    process, port, startup = server.start()
    try:
        figures = {"startup_s": startup, "rss_idle_mb": rss_kb(process.pid) / 1024}
        server.prepare(port)
        base = f"http://127.0.0.1:{port}"
        for label, method, path in (("get", "GET", server.get_path), ("post", "POST", server.post_path)):
            wrk(wrk_binary, base + path, method, WARM_UP, script)  # node's JIT needs it more than Python
            before = cpu_seconds(process.pid)
            figures[label] = wrk(wrk_binary, base + path, method, seconds, script)
            spent = cpu_seconds(process.pid) - before
            figures[label]["cpu_us"] = spent / max(1, figures[label]["requests"]) * 1e6
        figures["rss_mb"] = rss_kb(process.pid) / 1024
    finally:
        stop(process)
    return figures


# --- report ------------------------------------------------------------------------------------------


def line(name: str, f: dict) -> str:
    parts = [f"{name:<9} start {f['startup_s'] * 1000:6.0f} ms  RSS {f['rss_idle_mb']:5.1f}/{f['rss_mb']:5.1f} MB"]
    for label in ("get", "post"):
        w = f[label]
        extra = f" sock:{w['socket_errors']}" if w["socket_errors"] else ""
        parts.append(f"{label.upper():>4} {w['rps']:7.0f} req/s p50 {w['p50']:6.2f} p99 {w['p99']:6.2f} ms "
                     f"cpu {w['cpu_us']:5.0f} us/req non-2xx {w['non2xx']}{extra}")
    return "  ".join(parts)


def summary(runs: dict[str, list[dict]]) -> None:
    def med(name, pick):
        return statistics.median(pick(f) for f in runs[name])

    rows = [
        ("start-up (ms)", lambda f: f["startup_s"] * 1000, "Prism/Darkroom >= 3 and Darkroom <= 500 ms", True),
        ("GET req/s", lambda f: f["get"]["rps"], "Darkroom/Prism >= 1.5", False),
        ("GET cpu us/req", lambda f: f["get"]["cpu_us"], "server CPU per request (lower is better)", False),
        ("GET p50 (ms)", lambda f: f["get"]["p50"], "", False),
        ("GET p99 (ms)", lambda f: f["get"]["p99"], "", False),
        ("POST req/s", lambda f: f["post"]["rps"], "Darkroom/Prism >= 1", False),
        ("POST cpu us/req", lambda f: f["post"]["cpu_us"], "server CPU per request (lower is better)", False),
        ("POST p50 (ms)", lambda f: f["post"]["p50"], "", False),
        ("POST p99 (ms)", lambda f: f["post"]["p99"], "", False),
        ("RSS idle (MB)", lambda f: f["rss_idle_mb"], "Darkroom/Prism <= 0.5", False),
        ("RSS after (MB)", lambda f: f["rss_mb"], "Darkroom/Prism <= 0.5 (Darkroom keeps every job made)", False),
        ("non-2xx (sum)", lambda f: f["get"]["non2xx"] + f["post"]["non2xx"], "", False),
    ]
    print(f"\nmedian of {len(runs['Darkroom'])} rounds, {CONNECTIONS} connections")
    print(f"{'figure':<15} {'Darkroom':>10} {'Prism':>10} {'D/P':>7}  target")
    for label, pick, target, inverse in rows:
        d, p = med("Darkroom", pick), med("Prism", pick)
        ratio = d / p if p else float("nan")
        note = f"{target} (Prism/Darkroom {p / d:.2f})" if inverse and d else target
        print(f"{label:<15} {d:10.1f} {p:10.1f} {ratio:7.2f}  {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="A B rounds (default 3)")
    parser.add_argument("--seconds", type=int, default=3, help="seconds of load per figure (default 3)")
    args = parser.parse_args(argv)
    wrk_binary = shutil.which("wrk")
    if wrk_binary is None:
        print("wrk is not installed; the load comes from wrk. Debian/Ubuntu: apt-get install -y wrk")
        return 0
    prism = ensure_prism()
    if prism is None:
        return 0
    version = subprocess.run([str(prism), "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Prism {version}; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; wrk -t2 -c{CONNECTIONS}; "
          f"{args.seconds} s per figure after {WARM_UP} s of warm-up; {args.rounds} rounds; "
          f"load average {os.getloadavg()[0]:.1f} (other processes skew every figure)")
    runs: dict[str, list[dict]] = {"Darkroom": [], "Prism": []}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(_LUA % {"key": KEY, "body": json.dumps(BODY)})
    try:
        for round_number in range(1, args.rounds + 1):
            for server in (Darkroom(), Prism(prism)):
                figures = measure(server, wrk_binary, args.seconds, handle.name)
                runs[server.name].append(figures)
                load = os.getloadavg()[0]
                print(f"round {round_number} {line(server.name, figures)}  load {load:.1f}", flush=True)
    finally:
        os.unlink(handle.name)
    summary(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
