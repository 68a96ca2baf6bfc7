"""No fetch of internal addresses: the first URL and every redirect target are checked on the address connected to.

Every test here runs under a safety net (``connects``) that fails it before a connection leaves loopback or
goes to a name instead of a checked address, so nothing outside 127.0.0.0/8 and ::1 is ever contacted.
The test servers are on loopback, which the check refuses; where a test needs a first request that gets
through, ``first_check_public`` lets the first address checked pass, as if the server were a public feed.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

import warwatch.feeds.fetch as fetch_module
from warwatch.config.settings import FeedSpec, HttpSettings, Settings
from warwatch.feeds.fetch import FetchError, TransientFetchError, fetch, make_client
from warwatch.feeds.polling import poll_feed, sync_feeds
from warwatch.store.db import session
from warwatch.store.models import Feed

from support.feedserver import FeedServer

MAX = 1024 * 1024
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
OFF = HttpSettings(connect_timeout=1.0, read_timeout=1.0, allow_private_addresses=False)
ON = HttpSettings(connect_timeout=1.0, read_timeout=1.0, allow_private_addresses=True)

# redirect path -> (Location with PORT for the server's port, the refusal)
REDIRECTS = {
    "/to-ip": ("http://127.0.0.1:PORT/feed", r"refused internal address 127\.0\.0\.1 \(loopback\)"),
    "/to-localhost": ("http://localhost:PORT/feed",
                      r"refused internal address (127\.0\.0\.1|::1) \(loopback\) for host localhost"),
    "/to-private": ("http://10.0.0.1/feed", r"refused internal address 10\.0\.0\.1 \(private\)"),
    "/to-metadata": ("http://169.254.169.254/latest/meta-data/",
                     r"refused internal address 169\.254\.169\.254 \(link-local\)"),
    "/to-ipv6": ("http://[::1]:PORT/feed", r"refused internal address ::1 \(loopback\)"),
}


@pytest.fixture(autouse=True)
def connects(monkeypatch) -> list[tuple[str, int]]:
    """Every (address, port) a socket connect was attempted to; fails the test before one leaves loopback."""
    real, seen = socket.create_connection, []

    def guarded(address, *args, **kwargs):
        seen.append(address[:2])
        assert ipaddress.ip_address(address[0]).is_loopback, f"connection attempted to {address[0]}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return seen


@pytest.fixture
def first_check_public(monkeypatch) -> None:
    """The first address checked passes (the test server standing in for a public feed); later checks are real."""
    real, checked = fetch_module.refusal, []

    def refusal(address: str) -> str | None:
        checked.append(address)
        return None if len(checked) == 1 else real(address)

    monkeypatch.setattr(fetch_module, "refusal", refusal)


@pytest.fixture
def server(feed_server: FeedServer) -> FeedServer:
    """The feed at /feed and the redirects of REDIRECTS."""
    feed_server.add("/feed", FEED)
    for path, (location, _) in REDIRECTS.items():
        feed_server.add(path, status=302, headers={"Location": location.replace("PORT", str(_port(feed_server)))})
    return feed_server


@pytest.fixture
def ipv6_port() -> Iterator[int]:
    """The port of a server on [::1] that answers every GET with the feed; skips where ::1 cannot be bound."""
    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            self.send_response(200)
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            pass

    try:
        httpd = Server(("::1", 0), Handler)
    except OSError:
        pytest.skip("no IPv6 loopback")
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def _resolve(monkeypatch, answers: dict[str, list[list[str]]]) -> list[str]:
    """Make each name of ``answers`` resolve to its next list of addresses; the names looked up, in order."""
    real, looked_up = socket.getaddrinfo, []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        looked_up.append(host)
        return [info for ip in answers[host].pop(0) for info in real(ip, port, *args, **kwargs)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


def _port(server: FeedServer) -> int:
    return httpx.URL(server.url()).port


def _refused(client: httpx.Client, url: str, pattern: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch(client, url, max_bytes=MAX)
    assert not isinstance(info.value, TransientFetchError)
    assert re.fullmatch(pattern, str(info.value)), str(info.value)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "224.0.0.1", "0.0.0.0",
    "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "240.0.0.1", "100.64.0.1", "::",
])
def test_internal_addresses_are_refused(address: str) -> None:
    assert fetch_module.refusal(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "::ffff:93.184.216.34"])
def test_global_addresses_are_allowed(address: str) -> None:
    assert fetch_module.refusal(address) is None


def test_reasons_name_the_kind_of_address() -> None:
    reasons = {a: fetch_module.refusal(a) for a in ("0.0.0.0", "::ffff:127.0.0.1", "169.254.169.254", "224.0.0.1",
                                                    "240.0.0.1", "fc00::1", "100.64.0.1")}
    assert reasons == {"0.0.0.0": "unspecified", "::ffff:127.0.0.1": "loopback", "169.254.169.254": "link-local",
                       "224.0.0.1": "multicast", "240.0.0.1": "reserved", "fc00::1": "private",
                       "100.64.0.1": "not global"}


def test_loopback_feed_is_refused_before_connecting(server: FeedServer, connects) -> None:
    with make_client(OFF) as client:
        _refused(client, server.url("/feed"), r"refused internal address 127\.0\.0\.1 \(loopback\)")
    assert connects == [] and server.requests == []


@pytest.mark.parametrize("path", sorted(REDIRECTS))
def test_redirect_to_internal_address_is_refused(server: FeedServer, connects, first_check_public, path: str) -> None:
    with make_client(OFF) as client:
        _refused(client, server.url(path), REDIRECTS[path][1])
    assert connects == [("127.0.0.1", _port(server))]  # the first request only
    assert server.count(path) == 1 and server.count("/feed") == 0


def test_name_is_checked_on_every_address(monkeypatch, connects) -> None:
    _resolve(monkeypatch, {"metadata.example": [["169.254.169.254"]], "mixed.example": [["93.184.216.34", "10.0.0.1"]]})
    with make_client(OFF) as client:
        _refused(client, "http://metadata.example/latest/meta-data/",
                 r"refused internal address 169\.254\.169\.254 \(link-local\) for host metadata\.example")
        _refused(client, "https://mixed.example/feed",
                 r"refused internal address 10\.0\.0\.1 \(private\) for host mixed\.example")
    assert connects == []


def test_name_is_resolved_once_and_the_address_connected_to(server: FeedServer, monkeypatch, connects) -> None:
    """A second DNS answer (rebinding to 10.0.0.1 here) is never asked for: the checked address is connected to."""
    port = _port(server)
    looked_up = _resolve(monkeypatch, {"feed.test": [["127.0.0.1"], ["10.0.0.1"]]})
    with make_client(ON) as client:
        got = fetch(client, f"http://feed.test:{port}/feed", max_bytes=MAX)
    assert got.body == FEED and looked_up == ["feed.test"] and connects == [("127.0.0.1", port)]
    assert server.last("/feed").headers["host"] == f"feed.test:{port}"


@pytest.mark.parametrize("path", ["/to-ip", "/to-localhost"])
def test_setting_on_follows_loopback_redirects(server: FeedServer, path: str) -> None:
    with make_client(ON) as client:
        got = fetch(client, server.url(path), max_bytes=MAX)
    assert got.body == FEED and got.url.endswith("/feed") and server.count("/feed") == 1


def test_setting_on_follows_ipv6_loopback_redirect(server: FeedServer, ipv6_port: int, connects) -> None:
    server.add("/to-ipv6-server", status=302, headers={"Location": f"http://[::1]:{ipv6_port}/feed"})
    with make_client(ON) as client:
        got = fetch(client, server.url("/to-ipv6-server"), max_bytes=MAX)
    assert got.body == FEED and got.url == f"http://[::1]:{ipv6_port}/feed"
    assert connects[-1] == ("::1", ipv6_port)


def test_refused_redirect_is_a_recorded_feed_error(server: FeedServer, first_check_public, tmp_path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}", http=OFF)
    with session(settings.db_url) as s, make_client(settings.http) as client:
        (feed_id,) = sync_feeds(s, [FeedSpec(name="redirected", url=server.url("/to-metadata"))])
        s.commit()
        outcome = poll_feed(s, client, feed_id, settings)
        s.expire_all()
        feed = s.get_one(Feed, feed_id)
    assert outcome.status == "failed" and outcome.error == feed.last_error
    assert feed.last_error == "refused internal address 169.254.169.254 (link-local)"
    assert feed.consecutive_failures == 1
