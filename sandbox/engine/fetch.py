"""Opt-in network fetch of a source image, guarded against SSRF.

The address check happens inside ``connect()``, on the very address the socket connects to, so a
DNS answer cannot change between the check and the connection (rebinding), and every redirect hop
is checked the same way. Only http/https; at most ``MAX_REDIRECTS`` hops.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from .decode import CONTENT_TYPES
from .errors import SourceError

MAX_REDIRECTS = 3
USER_AGENT = "darkroom-sandbox/0.1"
_EXTRA_DENIED = (
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT, not flagged private by ipaddress
    ipaddress.ip_network("169.254.169.254/32"),  # cloud metadata (also link-local)
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS IPv6 metadata
)


class Denied(SourceError):
    """The target resolves to an address the guard refuses (retrying cannot help)."""

    def __init__(self, message: str) -> None:
        super().__init__("unreachable", message)


def address_allowed(address: str, allow_private: bool) -> bool:
    """False for loopback, private, link-local, multicast, reserved, unspecified and metadata addresses,
    also when wrapped in IPv6 (IPv4-mapped, 6to4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    if allow_private:
        return True
    if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified):
        return False
    return not any(ip in net for net in _EXTRA_DENIED)


def _guarded_connect(host: str, port: int, timeout: float, allow_private: bool) -> socket.socket:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise SourceError("unreachable", f"cannot resolve {host}: {exc}") from None
    for *_info, sockaddr in infos:
        if not address_allowed(sockaddr[0], allow_private):
            raise Denied(f"{host} resolves to a disallowed address {sockaddr[0]}")
    family, socktype, proto, _name, sockaddr = infos[0]
    sock = socket.socket(family, socktype, proto)
    sock.settimeout(timeout)
    try:
        sock.connect(sockaddr)
    except OSError:
        sock.close()
        raise
    return sock


def _connections(allow_private: bool, timeout: float):
    """http.client connection classes whose sockets pass the address check when they connect."""

    class GuardedHTTPConnection(http.client.HTTPConnection):
        def connect(self) -> None:
            self.sock = _guarded_connect(self.host, self.port, timeout, allow_private)

    class GuardedHTTPSConnection(http.client.HTTPSConnection):
        def connect(self) -> None:
            sock = _guarded_connect(self.host, self.port, timeout, allow_private)
            self.sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)

    return {"http": GuardedHTTPConnection, "https": GuardedHTTPSConnection}


def _handlers(allow_private: bool, timeout: float) -> list[urllib.request.BaseHandler]:
    connections = _connections(allow_private, timeout)
    GuardedHTTPConnection, GuardedHTTPSConnection = connections["http"], connections["https"]

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):  # noqa: ANN001 - urllib's signature
            return self.do_open(GuardedHTTPConnection, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):  # noqa: ANN001
            return self.do_open(GuardedHTTPSConnection, req)

    class RedirectHandler(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
            if urlsplit(newurl).scheme not in ("http", "https"):
                raise SourceError("unreachable", f"redirect to a disallowed URL {newurl}")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return [HTTPHandler(), HTTPSHandler(), RedirectHandler()]


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool, timeout: float) -> int:
    """POST ``body`` and return the status code, following no redirect. The address check happens on
    the socket that connects, so a name cannot resolve one way for the check and another to connect.
    Raises :class:`Denied` for refused targets and OSError-like errors for network failures."""
    parts = urlsplit(url)  # ValueError for what cannot be a URL at all
    if parts.scheme not in ("http", "https"):
        raise Denied(f"only http and https targets are allowed, not {url!r}")
    if not parts.hostname:
        raise ValueError(f"no host in {url!r}")
    if "[" in parts.netloc:
        ipaddress.IPv6Address(parts.hostname.split("%", 1)[0])  # a bracketed host must be an IPv6 address
    connection = _connections(allow_private, timeout)[parts.scheme](parts.hostname, parts.port, timeout=timeout)
    try:
        # http.client keeps header names as given (Standard Webhooks names are lower case)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", target, body, headers)
        return connection.getresponse().status
    finally:
        connection.close()


def fetch(url: str, *, allow_private: bool, max_bytes: int, timeout: float) -> bytes:
    """The body of ``url`` if it is an image of an accepted type within ``max_bytes``."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise SourceError("unreachable", f"only http and https URLs can be fetched, not {url!r}")
    opener = urllib.request.OpenerDirector()
    for handler in _handlers(allow_private, timeout) + [urllib.request.HTTPDefaultErrorHandler(),
                                                        urllib.request.HTTPErrorProcessor(),
                                                        urllib.request.UnknownHandler()]:
        opener.add_handler(handler)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept": ", ".join(CONTENT_TYPES)})
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if content_type not in CONTENT_TYPES:
                raise SourceError("invalid_image", f"{url} has Content-Type {content_type or 'none'!r}")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise SourceError("too_large", f"{url} is {length} bytes, the limit is {max_bytes}")
            body = response.read(max_bytes + 1)
    except SourceError:
        raise
    except urllib.error.HTTPError as exc:
        raise SourceError("unreachable", f"{url} answered HTTP {exc.code}") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise SourceError("unreachable", f"cannot fetch {url}: {exc}") from None
    if len(body) > max_bytes:
        raise SourceError("too_large", f"{url} is larger than {max_bytes} bytes")
    return body
