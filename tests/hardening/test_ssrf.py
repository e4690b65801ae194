"""SSRF matrix for the two places the sandbox reaches out: opt-in image fetch and webhooks.

Every spelling of a local, private, link-local or metadata address must be refused by the image
fetch guard (``sandbox.engine.fetch``) and by webhooks with ``webhooks_deny_private`` on, whether
it is written literally, encoded, behind a DNS name or behind a redirect.

How a refusal is told apart from a failure: targets on this machine are served by a real origin
(``origin.py``), and each case first proves, with the guard off, that its spelling reaches that
origin; with the guard on the origin must then see nothing. Targets elsewhere (10/8, metadata...)
are never contacted: a socket guard records every ``connect()`` made by the test's own thread and
refuses anything that would leave the machine, so a case passes only if no connection was even
attempted. DNS names are answered in-process (``socket.getaddrinfo`` patched), never by the network.
"""

from __future__ import annotations

import ipaddress
import socket
import threading

import pytest

from sandbox.clock import parse_instant
from sandbox.config import Config
from sandbox.engine import fetch as fetch_module
from sandbox.engine.errors import SourceError
from sandbox.engine.fetch import MAX_REDIRECTS, address_allowed, fetch
from sandbox.runtime import Sandbox
from sandbox.webhooks import Delivery
from tests.hardening.origin import IMAGE, Origin

PUBLIC_V4, PUBLIC_V6 = "93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"  # never contacted
DNS = {  # test names -> what they resolve to (the fake resolver below)
    "evil.test": ["127.0.0.1"],
    "evil6.test": ["::1"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "internal.test": ["10.0.0.1"],
    "metadata.google.internal": ["169.254.169.254"],
    "mixed.test": [PUBLIC_V4, "10.0.0.1"],
    "mixed-local.test": [PUBLIC_V4, "127.0.0.1"],
    "mixed6.test": [PUBLIC_V6, "fd00:ec2::254"],
}

# Spellings of this machine: each reaches the origin when nothing guards it.
LOCAL = [
    "127.0.0.1", "127.1", "0x7f000001", "2130706433", "017700000001", "0177.0.0.1", "0x7f.0.0.1",
    "localhost", "0.0.0.0", "0", "[::1]", "[::]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
    "evil.test", "evil6.test", "mapped.test",
]
# Addresses elsewhere: private, shared, link-local, metadata, in every spelling. Never contacted.
REMOTE = [
    "10.0.0.1", "10.255.255.254", "10.1", "0xa.1", "012.0.0.1", "167772161",
    "172.16.0.1", "172.31.255.254", "192.168.0.1", "192.168.255.254", "192.168.1",
    "100.64.0.1", "100.127.255.254",
    "169.254.0.1", "169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518",
    "[fe80::1]", "[fd00:ec2::254]", "[fc00::1]", "[::ffff:10.0.0.1]", "[::ffff:169.254.169.254]",
    "[::ffff:a9fe:a9fe]", "[::ffff:100.64.0.1]", "127.0.0.2", "224.0.0.1",
    "internal.test", "metadata.google.internal", "mixed.test", "mixed-local.test", "mixed6.test",
]
REDIRECT_CODES = [301, 302, 303, 307, 308]


# --- fixtures: the origin, an in-process resolver and a socket guard ----------------------------------


@pytest.fixture(scope="module")
def origin():
    server = Origin()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def fresh(origin, monkeypatch):
    origin.requests.clear()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


class FakeDns:
    """Answers the test names; ``rounds`` gives a name different answers on successive lookups."""

    def __init__(self, real):
        self.real = real
        self.rounds: dict[str, list[list[str]]] = {name: [ips] for name, ips in DNS.items()}
        self.lookups: dict[str, int] = {}

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 - socket's names
        name = host.decode() if isinstance(host, bytes) else host
        name = (name or "").lower().rstrip(".")
        if name not in self.rounds:
            return self.real(host, port, family, type, proto, flags)
        n = self.lookups.get(name, 0)
        self.lookups[name] = n + 1
        answers = self.rounds[name][min(n, len(self.rounds[name]) - 1)]
        port = int(port or 0)
        found = []
        for ip in answers:
            fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
            if family not in (0, fam):
                continue
            sockaddr = (ip, port, 0, 0) if fam == socket.AF_INET6 else (ip, port)
            found.append((fam, type or socket.SOCK_STREAM, proto or socket.IPPROTO_TCP, "", sockaddr))
        if not found:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return found


@pytest.fixture(autouse=True)
def dns(monkeypatch) -> FakeDns:
    fake = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


def _on_this_machine(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


@pytest.fixture(autouse=True)
def connects(monkeypatch) -> list[str]:
    """Addresses this test's thread tried to connect to; anything off this machine is refused."""
    seen: list[str] = []
    me = threading.get_ident()
    real = socket.socket.connect

    def connect(sock, address):
        if threading.get_ident() == me and sock.family in (socket.AF_INET, socket.AF_INET6):
            seen.append(address[0])
            if not _on_this_machine(address[0]):
                raise ConnectionRefusedError(f"test guard: {address[0]} is not on this machine")
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


# --- the address check itself ---------------------------------------------------------------------


CANONICAL_DENIED = [
    "127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
    "192.168.0.1", "192.168.255.255", "100.64.0.1", "100.127.255.255", "169.254.0.1", "169.254.169.254",
    "fe80::1", "fe80::1%lo", "febf::1", "fd00:ec2::254", "fc00::1", "::1", "::", "0.0.0.0",
    "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:100.64.0.1",
    "::ffff:0.0.0.0", "224.0.0.1", "255.255.255.255",
]
ENCODED = {  # spelling -> the address getaddrinfo makes of it
    "127.1": "127.0.0.1", "0x7f000001": "127.0.0.1", "2130706433": "127.0.0.1", "017700000001": "127.0.0.1",
    "0177.0.0.1": "127.0.0.1", "0x7f.0.0.1": "127.0.0.1", "10.1": "10.0.0.1", "0xa.1": "10.0.0.1",
    "2852039166": "169.254.169.254", "0xa9fea9fe": "169.254.169.254", "0251.0376.0251.0376": "169.254.169.254",
    "192.168.1": "192.168.0.1", "0": "0.0.0.0",
}


@pytest.mark.parametrize("address", CANONICAL_DENIED)
def test_address_check_denies(address):
    assert address_allowed(address, allow_private=False) is False
    assert address_allowed(address, allow_private=True) is True  # the switch really switches


@pytest.mark.parametrize("address", [PUBLIC_V4, "8.8.8.8", PUBLIC_V6])
def test_address_check_allows_public(address):
    assert address_allowed(address, allow_private=False) is True


@pytest.mark.parametrize("spelling", sorted(ENCODED))
def test_address_check_on_encoded_spellings(spelling):
    """The check gets resolver output; an encoded spelling itself is never taken as allowed."""
    resolved = {info[4][0] for info in socket.getaddrinfo(spelling, None)}
    assert resolved == {ENCODED[spelling]}
    assert all(address_allowed(a, allow_private=False) is False for a in resolved)
    try:
        verdict = address_allowed(spelling, allow_private=False)
    except ValueError:
        verdict = False  # not an address literal: refused by raising
    assert verdict is False


def test_real_metadata_name_if_it_resolves(dns):
    """On a cloud host the metadata name resolves for real; then the check must deny it."""
    del dns.rounds["metadata.google.internal"]
    try:
        infos = socket.getaddrinfo("metadata.google.internal", 80)
    except OSError:
        pytest.skip("metadata.google.internal does not resolve here")
    assert all(address_allowed(info[4][0], allow_private=False) is False for info in infos)


# --- image fetch, end to end -------------------------------------------------------------------------


def _fetch(url: str, allow_private: bool = False) -> bytes:
    return fetch(url, allow_private=allow_private, max_bytes=1 << 20, timeout=2.0)


@pytest.mark.parametrize("host", LOCAL)
def test_fetch_refuses_this_machine(origin, host):
    url = origin.url(host, "/img.png")
    with pytest.raises(SourceError) as info:
        _fetch(url)
    assert info.value.code == "unreachable"
    assert origin.requests == []
    assert _fetch(url, allow_private=True) == IMAGE  # control: this spelling does reach the origin
    assert origin.requests == [("GET", "/img.png")]


@pytest.mark.parametrize("host", REMOTE)
def test_fetch_refuses_private_and_metadata_without_connecting(origin, host, connects):
    with pytest.raises(SourceError) as info:
        _fetch(origin.url(host, "/latest/meta-data/"))
    assert info.value.code == "unreachable"
    assert connects == []


@pytest.fixture
def first_hop(monkeypatch, origin):
    """Let exactly the redirector (127.0.0.1 at the origin's port) through, once: the first hop."""
    real = fetch_module._guarded_connect
    hops: list[tuple[str, int]] = []

    def guarded(host, port, timeout, allow_private):
        first = not hops
        hops.append((host, port))
        return real(host, port, timeout, allow_private or (first and (host, port) == ("127.0.0.1", origin.port)))

    monkeypatch.setattr(fetch_module, "_guarded_connect", guarded)
    return hops


@pytest.mark.parametrize("code", REDIRECT_CODES)
def test_fetch_follows_redirects_when_allowed(origin, code, monkeypatch):
    """Control for the redirect cases: with every address allowed, a redirect is followed."""
    monkeypatch.setattr(fetch_module, "address_allowed", lambda address, allow_private: True)
    assert _fetch(origin.redirect(code, origin.url("localhost", "/img.png"))) == IMAGE
    assert [path.split("?")[0] for _, path in origin.requests] == [f"/go/{code}", "/img.png"]


@pytest.mark.parametrize("code", REDIRECT_CODES)
@pytest.mark.parametrize("host", LOCAL + ["169.254.169.254", "[fd00:ec2::254]", "internal.test", "10.1"])
def test_fetch_refuses_redirects_into_private_targets(origin, first_hop, connects, host, code):
    with pytest.raises(SourceError) as info:
        _fetch(origin.redirect(code, origin.url(host, "/img.png")))
    assert info.value.code == "unreachable"
    assert [path.split("?")[0] for _, path in origin.requests] == [f"/go/{code}"]  # the target saw nothing
    assert len(first_hop) == 2  # the redirect was followed, and its target refused
    assert all(_on_this_machine(address) for address in connects)  # nothing left the machine


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/img.png", "gopher://127.0.0.1:70/_x",
                                    "dict://127.0.0.1:11211/stat", "data:image/png;base64,iVBORw0KGgo="])
def test_fetch_refuses_redirects_to_other_schemes(origin, first_hop, target):
    with pytest.raises(SourceError) as info:
        _fetch(origin.redirect(302, target))
    assert info.value.code == "unreachable"
    assert len(first_hop) == 1


def test_fetch_redirect_chain_is_bounded(origin, monkeypatch):
    monkeypatch.setattr(fetch_module, "address_allowed", lambda address, allow_private: True)
    url = origin.url("127.0.0.1", "/img.png")
    for _ in range(MAX_REDIRECTS + 3):
        url = origin.redirect(302, url)
    with pytest.raises(SourceError):
        _fetch(url)
    assert len(origin.requests) <= MAX_REDIRECTS + 1
    assert ("GET", "/img.png") not in origin.requests


def test_fetch_checks_the_address_it_connects_to(origin, dns, connects):
    """DNS rebinding: a name that answers a public address, then this machine, on every lookup."""
    dns.rounds["rebind.test"] = [[PUBLIC_V4], ["127.0.0.1"]] * 5 + [["127.0.0.1"]]
    for _ in range(3):
        with pytest.raises(SourceError):
            _fetch(origin.url("rebind.test", "/img.png"))
    assert origin.requests == []
    assert "127.0.0.1" not in connects


# --- webhooks with the deny switch on ----------------------------------------------------------------

START = parse_instant("2026-01-01T00:00:00Z")


def _deliver(url: str, deny: bool = True) -> Delivery:
    """One delivery made due now and run, the way the ticker or a clock advance runs it."""
    sandbox = Sandbox(Config(seed=1, clock="manual", start=START, webhooks_deny_private=deny))
    delivery = Delivery("msg_ssrf", "live_demo", "job_ssrf", "productai-v1", url, "job.completed",
                        b'{"type": "job.completed"}', sandbox.clock.now())
    sandbox.store.put_delivery(delivery)
    sandbox.webhooks.run_due()
    return delivery


def _refused(delivery: Delivery) -> bool:
    first = delivery.attempts[0]
    return delivery.status == "failed" and first["status_code"] is None and bool(first["error"])


@pytest.mark.parametrize("host", LOCAL)
def test_webhook_refuses_this_machine(origin, host):
    url = origin.url(host, "/hook")
    control = _deliver(url, deny=False)
    assert control.status == "delivered", control.attempts  # this spelling does reach the receiver
    assert origin.requests == [("POST", "/hook")]
    origin.requests.clear()
    denied = _deliver(url)
    assert _refused(denied), denied.attempts
    assert len(denied.attempts) == 1  # a denied target is not retried
    assert origin.requests == []


@pytest.mark.parametrize("host", REMOTE)
def test_webhook_refuses_private_and_metadata_without_connecting(origin, host, connects):
    delivery = _deliver(origin.url(host, "/hook"))
    assert _refused(delivery), delivery.attempts
    assert connects == []


@pytest.mark.parametrize("url", ["http:///hook", "http://@/hook", "file:///etc/passwd", "http://[v1.abc]/hook"])
def test_webhook_refuses_urls_without_a_usable_host(url, connects):
    delivery = _deliver(url)
    assert delivery.status == "failed" and delivery.attempts[0]["status_code"] is None
    assert connects == []


def test_webhook_with_an_unparsable_url_is_refused_not_raised(connects):
    delivery = _deliver("http://[::1/hook")
    assert delivery.status == "failed" and delivery.attempts[0]["error"]
    assert connects == []


@pytest.mark.parametrize("code", REDIRECT_CODES)
@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "localhost", "evil.test", "169.254.169.254"])
def test_webhook_does_not_follow_redirects(origin, connects, host, code):
    """The redirector itself is let through (loopback allowed); the target it names must see nothing."""
    redirector = origin.redirect(code, origin.url(host, "/hook"))
    delivery = _deliver(redirector, deny=False)
    assert [a["status_code"] for a in delivery.attempts] == [code]
    assert delivery.status == "pending"  # a 3xx is a failed attempt, retried later to the same URL
    assert [path.split("?")[0] for _, path in origin.requests] == [f"/go/{code}"]
    assert set(connects) == {"127.0.0.1"}


def test_webhook_checks_the_address_it_connects_to(origin, dns):
    dns.rounds["rebind.test"] = [[PUBLIC_V4], ["127.0.0.1"]]
    delivery = _deliver(origin.url("rebind.test", "/hook"))
    assert origin.requests == [], f"delivered to loopback: {delivery.attempts}"
    assert delivery.status != "delivered"


def test_webhook_deny_switch_over_http(origin):
    """Through the public API: job webhooks to encoded loopback spellings are refused and logged."""
    from tests.serverlib import live_server, manual_config

    spellings = ["127.1", "0x7f000001", "2130706433", "[::ffff:127.0.0.1]", "localhost", "0"]
    with live_server(manual_config(rate_limits=False, webhooks_deny_private=True)) as live:
        for n, host in enumerate(spellings):
            created = live.client.post("/productai/v1/generate", headers={"Authorization": "Bearer sandbox_ssrf"},
                                       json={"model": "nanobanana", "image_url": f"https://shop.example/{n}.jpg",
                                             "prompt": "x", "webhook_url": origin.url(host, "/hook")})
            assert created.status_code == 202, created.text
        created = live.client.post("/aigenstudio/api/v1/remove-background", json={
            "input": [{"image_url": "https://shop.example/a.jpg"}], "webhook_url": origin.url("0x7f.1", "/hook")},
            headers={"Authorization": "Bearer sandbox_ssrf", "Idempotency-Key": "ssrf-00001"})
        assert created.status_code == 202, created.text
        live.advance(600)
        deliveries = live.client.get("/_sandbox/webhooks").json()["deliveries"]
    assert len(deliveries) == len(spellings) + 1
    for delivery in deliveries:
        assert delivery["status"] == "failed", delivery
        assert len(delivery["attempts"]) == 1 and delivery["attempts"][0]["status_code"] is None
    assert origin.requests == []
