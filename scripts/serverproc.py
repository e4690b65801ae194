"""``darkroom serve`` as a child process: start on a free loopback port, wait, measure, kill.

Campaign scripts treat the sandbox as a black box, the way an integrator runs it. The server gets
its own process group, so a ``kill -9`` takes down exactly what was started here and nothing else.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jobs_config(queued: float, processing: float, slow_factor: float | None = None) -> str:
    """A TOML config file with short job stages (the CLI has no flags for them); returns its path."""
    fd, path = tempfile.mkstemp(prefix="darkroom-campaign-", suffix=".toml")
    with os.fdopen(fd, "w") as fh:
        fh.write(f"[jobs]\nqueued_seconds = {queued}\nprocessing_seconds = {processing}\n")
        if slow_factor is not None:
            fh.write(f"slow_factor = {slow_factor}\n")
    return path


class ServerProcess:
    def __init__(self, *, port: int | None = None, state: str | None = None, config: str | None = None,
                 seed: int | None = None, extra: tuple[str, ...] = (), log_path: str | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [sys.executable, "-m", "sandbox.cli", "serve", "--no-rate-limits", "--port", str(self.port)]
        if state:
            self.args += ["--state", state]
        if config:
            self.args += ["--config", config]
        if seed is not None:
            self.args += ["--seed", str(seed)]
        self.args += list(extra)
        self.log_path = log_path or tempfile.mkstemp(prefix="darkroom-server-", suffix=".log")[1]
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> ServerProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it open
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(self.args, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env,
                                        process_group=0)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.url + "/_sandbox/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not answer within {timeout} s:\n{self.log_tail()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def rss_kb(self) -> int | None:
        """Resident set size from /proc (Linux); None once the process is gone."""
        try:
            with open(f"/proc/{self.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def kill(self) -> None:
        """SIGKILL to the server's own process group: no shutdown code runs."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(10)

    def stop(self, grace: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
        except ProcessLookupError:
            pass

    def discard_log(self) -> None:
        """Remove the server's log (keep it, and print its path, when something went wrong)."""
        try:
            os.unlink(self.log_path)
        except OSError:
            pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""
