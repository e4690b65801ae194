"""A local HTTP origin on both loopback addresses: an image, a redirector and a webhook receiver.

It listens on 127.0.0.1 and ::1 with one port, so every spelling of "this machine" in a URL
(``127.1``, ``0x7f000001``, ``[::ffff:127.0.0.1]``, ``0.0.0.0``, ``[::]``, ``localhost``...) reaches
it. SSRF tests use it twice: with the guard off, to prove a spelling really reaches the origin, and
with the guard on, to prove the origin then sees nothing.
"""

from __future__ import annotations

import io
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


IMAGE = png_bytes()


class _Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class Origin:
    """``GET /img.png``: a PNG. ``/go/<code>?to=<url>``: a redirect. ``POST /hook``: 204."""

    def __init__(self):
        self.requests: list[tuple[str, str]] = []  # (method, path) in arrival order
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                origin.requests.append((self.command, self.path))
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                parts = urlsplit(self.path)
                if parts.path.startswith("/go/"):
                    target = parse_qs(parts.query).get("to", [""])[0]
                    self._send(int(parts.path[4:]), b"", "text/plain", [("Location", target)])
                elif parts.path == "/img.png" and self.command == "GET":
                    self._send(200, IMAGE, "image/png")
                elif parts.path == "/hook" and self.command == "POST":
                    self._send(204, b"", None)
                else:
                    self._send(404, b"no such thing", "text/plain")

            def _send(self, status, body, content_type, headers=()):
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _answer  # noqa: N815 - http.server's naming

        self.servers = self._bind_both(Handler)
        self.port = self.servers[0].server_address[1]
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @staticmethod
    def _bind_both(handler) -> list[ThreadingHTTPServer]:
        """The same free port on 127.0.0.1 and ::1 (retried: the v6 port may be taken)."""
        for _ in range(50):
            v4 = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            try:
                v6 = _Server6(("::1", v4.server_address[1]), handler)
            except OSError:
                v4.server_close()
                continue
            return [v4, v6]
        raise RuntimeError("no port free on both loopback addresses")

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def redirect(self, code: int, target: str, host: str = "127.0.0.1") -> str:
        from urllib.parse import quote

        return self.url(host, f"/go/{code}?to={quote(target, safe='')}")

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
