"""Network fetch against a local HTTP server (loopback, so it needs allow_private=True)."""

import http.server
import socket
import threading

import numpy as np
import pytest

from sandbox.engine import SourceError, load_source
from sandbox.engine.fetch import address_allowed

from .conftest import png_bytes

IMAGE = png_bytes(np.full((24, 20, 3), 77, np.uint8))


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status, body=b"", content_type="image/png", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's naming
        port = self.server.server_address[1]
        routes = {
            "/ok.png": lambda: self._send(200, IMAGE),
            "/ok-charset.png": lambda: self._send(200, IMAGE, "image/png; charset=binary"),
            "/text": lambda: self._send(200, b"hello", "text/plain"),
            "/lying.png": lambda: self._send(200, b"not really a png", "image/png"),
            "/missing": lambda: self._send(404, b"nope", "text/plain"),
            "/redirect": lambda: self._send(302, b"", "text/plain", [("Location", f"http://127.0.0.1:{port}/ok.png")]),
            "/to-file": lambda: self._send(302, b"", "text/plain", [("Location", "file:///etc/passwd")]),
        }
        routes.get(self.path, lambda: self._send(404))()


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_denies_loopback_by_default(server):
    with pytest.raises(SourceError) as info:
        load_source(f"{server}/ok.png", allow_fetch=True)
    assert info.value.code == "unreachable" and "disallowed" in info.value.message


def test_fetch_with_allow_private(server):
    for path in ("/ok.png", "/ok-charset.png", "/redirect"):
        src = load_source(server + path, allow_fetch=True, allow_private=True)
        assert (src.origin, src.width, src.height) == ("fetch", 20, 24)


def test_without_allow_fetch_nothing_is_fetched(server):
    assert load_source(f"{server}/ok.png").origin == "synthetic"


@pytest.mark.parametrize(("path", "code"), [
    ("/text", "invalid_image"),
    ("/lying.png", "invalid_image"),
    ("/missing", "unreachable"),
    ("/to-file", "unreachable"),
])
def test_fetch_failures(server, path, code):
    with pytest.raises(SourceError) as info:
        load_source(server + path, allow_fetch=True, allow_private=True)
    assert info.value.code == code


def test_fetch_size_cap(server):
    with pytest.raises(SourceError) as info:
        load_source(f"{server}/ok.png", allow_fetch=True, allow_private=True, max_bytes=len(IMAGE) - 1)
    assert info.value.code == "too_large"


def test_fetch_only_http(server):
    with pytest.raises(SourceError) as info:
        load_source("ftp://example.com/a.png", allow_fetch=True)
    assert info.value.code == "unreachable"


def test_fetch_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(SourceError) as info:
            load_source(f"http://127.0.0.1:{listener.getsockname()[1]}/x.png", allow_fetch=True,
                        allow_private=True, timeout=0.3)
        assert info.value.code == "unreachable"
    finally:
        listener.close()


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "ff02::1",
])
def test_disallowed_addresses(address):
    assert not address_allowed(address, allow_private=False)
    assert address_allowed(address, allow_private=True)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses(address):
    assert address_allowed(address, allow_private=False)


def test_redirect_hops_are_checked_too(server, monkeypatch):
    from sandbox.engine import fetch

    calls = []

    def first_hop_only(address, allow_private):
        calls.append(address)
        return len(calls) == 1

    monkeypatch.setattr(fetch, "address_allowed", first_hop_only)
    with pytest.raises(SourceError) as info:
        load_source(f"{server}/redirect", allow_fetch=True)
    assert info.value.code == "unreachable" and len(calls) == 2
