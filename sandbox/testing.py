"""Testing tools: the sandbox in this process behind the vendors' real URLs, or on a real port.

:func:`mock` routes ``requests`` calls (through ``responses``) and ``httpx`` calls (through
``respx``) aimed at ``https://aigenstudio.app/api/v1`` and ``https://api.productai.photo/v1`` into
the sandbox's ASGI app, so a client under test keeps its production base URLs while auth,
validation, envelopes, idempotency and the clock behave exactly as over HTTP (the whole app runs,
only the socket is skipped). Result links point at :data:`MOCK_URL`, which is routed too.

:func:`serve` runs the same app under uvicorn in a thread, for clients that open real sockets
(other languages, subprocesses, browsers).

Both hand back an object with the same surface: ``.url``, ``.base_urls``, ``.keys``, ``.clock``,
``.sandbox``, ``.reset()``, so one test suite can run against either.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import inspect
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from sandbox.config import Config
from sandbox.surfaces import SURFACES

__all__ = ["MOCK_URL", "VENDOR_BASES", "Call", "ClockControl", "ControlError", "DarkroomMock", "DarkroomServer",
           "mock", "serve"]

MOCK_URL = "http://darkroom.sandbox"

# (vendor origin, vendor path prefix, sandbox path prefix): only the host changes, as on a real sandbox.
VENDOR_ROUTES = (
    ("https://aigenstudio.app", "/api/v1", "/aigenstudio/api/v1"),
    ("https://api.productai.photo", "/v1", "/productai/v1"),
)

# Where each document's paths start on the vendor's host (its `servers` entry).
VENDOR_BASES = {
    "aigenstudio-product-photo": "https://aigenstudio.app/api/v1",
    "aigenstudio-image": "https://aigenstudio.app/api/v1",
    "productai": "https://api.productai.photo/v1",
    "productai-v1": "https://api.productai.photo",
}

SANDBOX_KEY = "sandbox_darkroom_test"
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_HOP_HEADERS = {"content-length", "transfer-encoding", "connection"}


class ControlError(RuntimeError):
    """A control-plane call (clock, reset) answered with an error status."""

    def __init__(self, status: int, body):
        super().__init__(f"control plane answered {status}: {body}")
        self.status = status
        self.body = body


@dataclass
class Call:
    """One request a mocked client made, and what the sandbox answered."""

    method: str
    url: str  # as the client sent it
    path: str  # where it landed on the sandbox
    status: int
    request_headers: dict[str, str]
    request_body: bytes
    response_headers: list[tuple[str, str]] = field(repr=False)
    response_body: bytes = field(repr=False)

    def json(self):
        return json.loads(self.response_body)


class ClockControl:
    """The sandbox clock through its control plane (``/_sandbox/clock``), like Stripe test clocks."""

    def __init__(self, handle: _Handle):
        self._handle = handle

    def _call(self, method: str, path: str, body=None) -> dict:
        status, answer = self._handle.control(method, path, body)
        if status != 200:
            raise ControlError(status, answer)
        return answer

    def get(self) -> dict:
        return self._call("GET", "/_sandbox/clock")

    def now(self) -> float:
        """Sandbox time, epoch seconds."""
        return self.get()["epoch"]

    def manual(self, now: str | None = None) -> dict:
        """Freeze the clock (at ``now``, ISO 8601, if given); jobs then move only on :meth:`advance`."""
        return self._call("PUT", "/_sandbox/clock", {"mode": "manual", **({"now": now} if now else {})})

    def real(self) -> dict:
        return self._call("PUT", "/_sandbox/clock", {"mode": "real"})

    def advance(self, seconds: float) -> dict:
        """Move the manual clock forward; jobs and webhooks that fall due settle before this returns."""
        return self._call("POST", "/_sandbox/clock/advance", {"seconds": seconds})


class _Handle:
    """What the in-process mock and the threaded server have in common."""

    url: str
    app = None

    @property
    def sandbox(self):
        """The sandbox state (``.clock``, ``.store``, ``.accounts``, ``.config``)."""
        return self.app.sandbox

    @property
    def config(self) -> Config:
        return self.app.sandbox.config

    @property
    def clock(self) -> ClockControl:
        return ClockControl(self)

    @property
    def base_urls(self) -> dict[str, str]:
        """Per document, the base URL its paths start from."""
        return {s.name: self.url + s.public_base for s in SURFACES}

    @property
    def keys(self) -> dict[str, str]:
        """``sandbox``: a sandbox key (never charged); then the first key of every configured account."""
        keys = {"sandbox": SANDBOX_KEY}
        keys.update({account.id: account.keys[0] for account in self.config.accounts})
        return keys

    def reset(self) -> None:
        """Forget jobs, uploads and idempotency records, restore balances and the configured clock."""
        sandbox = self.app.sandbox
        sandbox.reset()
        if sandbox.clock.mode != self.config.clock or self.config.start is not None:
            sandbox.clock.set_mode(self.config.clock, self.config.start)

    def _admin_headers(self) -> dict[str, str]:
        token = self.config.admin_token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def control(self, method: str, path: str, body=None) -> tuple[int, object]:
        raise NotImplementedError


def _build_app(config: Config | None, app):
    if app is not None:
        return app
    from sandbox.app import create_app

    return create_app(config)


# --------------------------------------------------------------------------- in process


class _AsgiBridge:
    """Calls an ASGI app from synchronous code, on one event loop in a daemon thread.

    A loop of our own (not ``asyncio.run``) lets callers that already run a loop (async clients
    under respx) block on the answer, and keeps httpx out of the path so respx never sees it.
    """

    def __init__(self, app, client=("127.0.0.1", 50000)):
        self.app = app
        self.client = client
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="darkroom-mock", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()

    def request(self, method: str, scheme: str, host: str, path: str, query: str,
                headers: list[tuple[str, str]], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        if self._thread is not None and threading.current_thread() is self._thread:
            raise RuntimeError("the sandbox called a mocked URL from inside a request; add it to passthrough")
        future = asyncio.run_coroutine_threadsafe(
            self._call(method, scheme, host, path, query, headers, body), self._ensure())
        return future.result(timeout=120)

    async def _call(self, method, scheme, host, path, query, headers, body):
        port = 443 if scheme == "https" else 80
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method.upper(),
            "scheme": scheme, "path": unquote(path), "raw_path": path.encode("latin-1"),
            "query_string": query.encode("latin-1"), "root_path": "",
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            "client": self.client, "server": (host, port), "state": {}, "extensions": {},
        }
        pending = [{"type": "http.request", "body": body, "more_body": False}]
        answered = asyncio.Event()

        async def receive():
            if pending:
                return pending.pop()
            await answered.wait()
            return {"type": "http.disconnect"}

        status, out_headers, chunks = 500, [], []

        async def send(message):
            nonlocal status, out_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    answered.set()

        await self.app(scope, receive, send)
        answered.set()
        return status, out_headers, b"".join(chunks)


def _body_bytes(body) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if hasattr(body, "read"):
        return _body_bytes(body.read())
    return b"".join(_body_bytes(chunk) for chunk in body)


class DarkroomMock(_Handle):
    """Context manager and decorator; see :func:`mock`."""

    def __init__(self, config: Config | None = None, *, app=None, passthrough=(), public_url: str = MOCK_URL,
                 patch_requests: bool | None = None, patch_httpx: bool | None = None):
        if app is None:
            config = config or Config()
            if not config.public_url:
                config = dataclasses.replace(config, public_url=public_url)
        self.app = _build_app(config, app)
        self.url = (self.app.sandbox.config.public_url or public_url).rstrip("/")
        self.passthrough = tuple(passthrough)
        self.requests: list[Call] = []
        self.responses = None  # the responses.RequestsMock while active: add your own routes to it
        self.respx = None  # the respx.MockRouter while active
        self._want_requests, self._want_httpx = patch_requests, patch_httpx
        self._bridge = _AsgiBridge(self.app)
        self._entered = 0
        self._used = False
        own = urlsplit(self.url)
        self._routes = [*VENDOR_ROUTES, (f"{own.scheme}://{own.netloc}".lower(), own.path, "")]
        self._patterns = [re.compile("^" + re.escape(origin + prefix) + r"(?:[/?#].*)?$")
                          for origin, prefix, _ in self._routes]

    @property
    def vendor_base_urls(self) -> dict[str, str]:
        """Per document, the vendor's own base URL, which this mock answers in place of the vendor."""
        return {**VENDOR_BASES, "sandbox-control": self.url + "/_sandbox"}

    # lifecycle
    def start(self) -> DarkroomMock:
        if self._entered:
            self._entered += 1
            return self
        if self._used:
            self.reset()
        self._used = True
        patched = False
        if self._want_requests is not False:
            patched |= self._start_responses(required=self._want_requests is True)
        if self._want_httpx is not False:
            patched |= self._start_respx(required=self._want_httpx is True)
        if not patched:
            raise ImportError("darkroom mock needs 'responses' (for requests) or 'respx' (for httpx)")
        self._entered = 1
        return self

    def stop(self) -> None:
        if self._entered > 1:
            self._entered -= 1
            return
        self._entered = 0
        for router in (self.respx, self.responses):
            if router is not None:
                router.stop()
        self.respx = self.responses = None
        self._bridge.close()

    def __enter__(self) -> DarkroomMock:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def __call__(self, func):
        """As a decorator: each call of ``func`` runs inside the mock, on fresh state."""
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def run_async(*args, **kwargs):
                with self:
                    return await func(*args, **kwargs)
            return run_async

        @functools.wraps(func)
        def run(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return run

    def reset(self) -> None:
        super().reset()
        self.requests.clear()

    # patching
    def _start_responses(self, required: bool) -> bool:
        try:
            import responses
        except ImportError:
            if required:
                raise
            return False
        router = responses.RequestsMock(assert_all_requests_are_fired=False)
        for pattern in self._patterns:
            for method in _METHODS:
                router.add_callback(method, pattern, callback=self._from_requests, content_type=None)
        for prefix in self.passthrough:
            router.add_passthru(prefix)
        router.start()
        self.responses = router
        return True

    def _start_respx(self, required: bool) -> bool:
        try:
            import respx
        except ImportError:
            if required:
                raise
            return False
        router = respx.MockRouter(assert_all_called=False, assert_all_mocked=True)
        for prefix in self.passthrough:
            router.route(url__startswith=prefix).pass_through()
        for pattern in self._patterns:
            router.route(url__regex=pattern).mock(side_effect=self._from_httpx)
        router.start()
        self.respx = router
        return True

    def _from_requests(self, request):
        headers = list(request.headers.items())
        return self.forward(request.method, request.url, headers, _body_bytes(request.body))

    def _from_httpx(self, request):
        import httpx

        try:
            content = request.content
        except httpx.RequestNotRead:
            content = request.read()
        status, headers, body = self.forward(request.method, str(request.url), request.headers.multi_items(), content)
        return httpx.Response(status, headers=headers, content=body)

    # the in-process call
    def _local_path(self, url: str) -> str:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        for route_origin, prefix, local in self._routes:
            if origin == route_origin and (not prefix or parts.path == prefix or parts.path.startswith(prefix + "/")):
                return (local + parts.path[len(prefix):]) or "/"
        raise LookupError(f"{url} is not a sandbox URL")

    def _send(self, method: str, path: str, query: str, headers, body: bytes):
        """Into the app as if to this mock's own host, so absolute links come out under :attr:`url`."""
        own = urlsplit(self.url)
        sent = [(k, v) for k, v in headers if k.lower() not in ("host", "content-length")]
        sent += [("host", own.netloc), ("content-length", str(len(body)))]
        status, out, content = self._bridge.request(method, own.scheme, own.hostname or "localhost", path, query,
                                                    sent, body)
        return status, [(k, v) for k, v in out if k.lower() not in _HOP_HEADERS], content

    def forward(self, method: str, url: str, headers=(), body: bytes = b""):
        """Answer one request to a vendor or sandbox URL as the sandbox would: (status, headers, body)."""
        headers = list(headers.items() if isinstance(headers, dict) else headers)
        path = self._local_path(url)
        status, out, content = self._send(method, path, urlsplit(url).query, headers, body)
        self.requests.append(Call(method.upper(), url, path, status, dict(headers), body, out, content))
        return status, out, content

    def control(self, method: str, path: str, body=None) -> tuple[int, object]:
        headers = list(self._admin_headers().items())
        data = b""
        if body is not None:
            data = json.dumps(body).encode()
            headers.append(("content-type", "application/json"))
        status, _, content = self._send(method, path, "", headers, data)
        return status, json.loads(content) if content else None


def mock(config: Config | None = None, *, app=None, passthrough=(), public_url: str = MOCK_URL,
         patch_requests: bool | None = None, patch_httpx: bool | None = None) -> DarkroomMock:
    """The sandbox in this process, answering the vendors' real URLs.

    Use as ``with mock() as darkroom:`` or as a decorator. Hosts that are neither a vendor's nor
    the sandbox's follow ``responses``/``respx`` rules (refused unless registered), except the
    ``passthrough`` prefixes (e.g. ``["http://localhost"]``), which go to the network.
    ``patch_requests``/``patch_httpx``: None patches each library when it is installed.
    """
    return DarkroomMock(config, app=app, passthrough=passthrough, public_url=public_url,
                        patch_requests=patch_requests, patch_httpx=patch_httpx)


# --------------------------------------------------------------------------- on a real port


class DarkroomServer(_Handle):
    """The sandbox under uvicorn in a daemon thread; see :func:`serve`."""

    def __init__(self, config: Config | None = None, *, app=None, host: str = "127.0.0.1", port: int = 0):
        self.app = _build_app(config, app)
        self.host = host
        self._port = port
        self._server = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self, timeout: float = 20.0) -> DarkroomServer:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))  # bound before the thread starts: no race for the port
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="darkroom-server",
                                  daemon=True)
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError("the darkroom server did not start")
            time.sleep(0.01)
        self._server, self._thread = server, thread
        self.url = f"http://{self.host}:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = self._thread = None

    def __enter__(self) -> DarkroomServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def control(self, method: str, path: str, body=None) -> tuple[int, object]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=self._admin_headers())
        if data is not None:
            request.add_header("Content-Type", "application/json")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=30) as response:
                status, content = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, content = exc.code, exc.read()
        return status, json.loads(content) if content else None


def serve(config: Config | None = None, *, app=None, host: str = "127.0.0.1", port: int = 0) -> DarkroomServer:
    """The sandbox on a real port (a free one by default): ``with serve() as server: server.url``."""
    return DarkroomServer(config, app=app, host=host, port=port)
