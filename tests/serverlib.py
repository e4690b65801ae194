"""Real uvicorn servers for tests: the sandbox as integrators run it, on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import httpx
import uvicorn

from sandbox.app import create_app
from sandbox.config import Config

BASES = {
    "aigenstudio": "/aigenstudio/api/v1",
    "productai": "/productai/v1",
    "productai-v1": "/productai",
    "control": "/_sandbox",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, app, port: int):
        self.app = app
        self.sandbox = app.sandbox
        self.url = f"http://127.0.0.1:{port}"
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def base(self, name: str) -> str:
        return self.url + BASES[name]

    def advance(self, seconds: float) -> dict:
        response = self.client.post("/_sandbox/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def live_server(config: Config | None = None, **overrides):
    """Serve ``create_app(config)`` with uvicorn in a thread; stops it afterwards."""
    config = config or Config(**{"seed": 1, "validate_responses": True, **overrides})
    app = create_app(config)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    server.install_signal_handlers = lambda: None
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("sandbox did not start")
        time.sleep(0.01)
    live = LiveServer(app, port)
    try:
        yield live
    finally:
        live.client.close()
        server.should_exit = True
        thread.join(5)
        app.sandbox.close()


def serve_process(*args: str):
    """``darkroom serve ARGS`` as its own process group (so a test can kill -9 all of it)."""
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "sandbox.cli", "serve", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wait_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/_sandbox/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def manual_config(**overrides) -> Config:
    """Manual clock at a fixed start: tests move time themselves and never sleep."""
    from sandbox.clock import parse_instant

    base = {"seed": 7, "clock": "manual", "start": parse_instant("2026-01-01T00:00:00Z"),
            "validate_responses": True}
    return Config(**{**base, **overrides})
