"""Tests for warwatch.feeds.fetch against a real loopback HTTP server."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import httpx
import pytest

from warwatch.config.settings import HttpSettings
from warwatch.feeds.fetch import (
    Fetched,
    FetchError,
    TransientFetchError,
    fetch,
    make_client,
)

from support.feedserver import FeedServer

HTTP = HttpSettings(connect_timeout=1.0, read_timeout=0.3, max_redirects=5, user_agent="warwatch-test/1",
                    allow_private_addresses=True)
MAX = 1024 * 1024
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
ETAG = '"v1"'
LAST_MODIFIED = "Sat, 01 Mar 2025 10:00:00 GMT"


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client(HTTP) as c:
        yield c


def _get(client: httpx.Client, server: FeedServer, path: str, **kwargs) -> Fetched:
    return fetch(client, server.url(path), max_bytes=kwargs.pop("max_bytes", MAX), **kwargs)


def test_ok_captures_validators_and_headers(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/feed", FEED, etag=ETAG, last_modified=LAST_MODIFIED)
    got = _get(client, feed_server, "/feed")
    assert got == Fetched(
        url=feed_server.url("/feed"),
        status_code=200,
        not_modified=False,
        body=FEED,
        headers=got.headers,
        etag=ETAG,
        last_modified=LAST_MODIFIED,
    )
    assert got.headers["content-type"] == "application/rss+xml; charset=utf-8"
    assert all(name == name.lower() for name in got.headers)


def test_conditional_get_gets_304(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/feed", FEED, etag=ETAG, last_modified=LAST_MODIFIED)
    first = _get(client, feed_server, "/feed")
    second = _get(client, feed_server, "/feed", etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.status_code == 304 and second.body == b""
    assert (second.etag, second.last_modified) == (ETAG, LAST_MODIFIED)
    seen = feed_server.last("/feed").headers
    assert seen["if-none-match"] == ETAG
    assert seen["if-modified-since"] == LAST_MODIFIED
    assert feed_server.count("/feed") == 2


def test_if_modified_since_alone_gets_304(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/feed", FEED, last_modified=LAST_MODIFIED)
    got = _get(client, feed_server, "/feed", last_modified=LAST_MODIFIED)
    assert got.not_modified and got.last_modified == LAST_MODIFIED and got.etag is None


def test_changed_feed_is_fetched_again(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/feed", FEED, etag='"v2"')
    got = _get(client, feed_server, "/feed", etag=ETAG)
    assert not got.not_modified and got.body == FEED and got.etag == '"v2"'


def test_user_agent_and_accept_are_sent(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/feed", FEED)
    _get(client, feed_server, "/feed")
    seen = feed_server.last("/feed").headers
    assert seen["user-agent"] == "warwatch-test/1"
    assert "application/rss+xml" in seen["accept"]
    assert "gzip" in seen["accept-encoding"]
    assert "if-none-match" not in seen and "if-modified-since" not in seen


def test_slow_server_is_transient_and_bounded(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/slow", FEED, delay=3.0)
    started = time.monotonic()
    with pytest.raises(TransientFetchError, match="timed out"):
        _get(client, feed_server, "/slow")
    assert time.monotonic() - started < 2.0


def test_connection_refused_is_transient(client: httpx.Client) -> None:
    with FeedServer() as server:
        url = server.url("/gone")
    with pytest.raises(TransientFetchError, match="connection failed"):
        fetch(client, url, max_bytes=MAX)


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_retryable_statuses_are_transient(
    client: httpx.Client, feed_server: FeedServer, status: int
) -> None:
    feed_server.add("/x", b"oops", status=status)
    with pytest.raises(TransientFetchError, match=f"HTTP {status}"):
        _get(client, feed_server, "/x")


@pytest.mark.parametrize("status", [404, 403, 410, 400])
def test_client_errors_are_permanent(client: httpx.Client, feed_server: FeedServer, status: int) -> None:
    feed_server.add("/x", b"no", status=status)
    with pytest.raises(FetchError, match=f"^HTTP {status}$") as info:
        _get(client, feed_server, "/x")
    assert not isinstance(info.value, TransientFetchError)


def test_unknown_path_is_404(client: httpx.Client, feed_server: FeedServer) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        _get(client, feed_server, "/nothing-here")


def test_redirect_chain_reports_final_url(client: httpx.Client, feed_server: FeedServer) -> None:
    for hop, status in ((1, 301), (2, 302), (3, 307)):
        feed_server.add(f"/hop{hop}", status=status, headers={"Location": f"/hop{hop + 1}"})
    feed_server.add("/hop4", FEED)
    got = _get(client, feed_server, "/hop1")
    assert got.url == feed_server.url("/hop4") and got.body == FEED
    assert [feed_server.count(f"/hop{n}") for n in (1, 2, 3, 4)] == [1, 1, 1, 1]


def test_redirect_loop_is_permanent(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/a", status=302, headers={"Location": "/b"})
    feed_server.add("/b", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match="too many redirects") as info:
        _get(client, feed_server, "/a")
    assert not isinstance(info.value, TransientFetchError)


def test_redirect_to_other_scheme_is_permanent(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/ftp", status=302, headers={"Location": "ftp://127.0.0.1/feed"})
    with pytest.raises(FetchError, match="http"):
        _get(client, feed_server, "/ftp")


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "file:///etc/hosts", "not a url", "", "http://"])
def test_bad_urls_are_permanent(client: httpx.Client, url: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch(client, url, max_bytes=MAX)
    assert not isinstance(info.value, TransientFetchError)


def test_oversized_body_with_content_length(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/big", b"x" * (MAX + 1))
    with pytest.raises(FetchError, match=f"body larger than {MAX} bytes") as info:
        _get(client, feed_server, "/big")
    assert not isinstance(info.value, TransientFetchError)


def test_oversized_body_without_content_length(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/big", b"x" * (3 * MAX), content_length=False)
    with pytest.raises(FetchError, match="body larger than"):
        _get(client, feed_server, "/big")


def test_body_of_exactly_max_bytes_is_accepted(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/edge", b"y" * MAX, content_length=False)
    assert len(_get(client, feed_server, "/edge").body) == MAX


def test_gzip_body_is_decoded(client: httpx.Client, feed_server: FeedServer) -> None:
    body = FEED * 200
    feed_server.add("/gz", body, gzip=True)
    got = _get(client, feed_server, "/gz")
    assert got.body == body
    assert "content-encoding" not in got.headers and "content-length" not in got.headers


def test_deflate_body_is_decoded(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/deflate", zlib.compress(FEED), headers={"Content-Encoding": "deflate"})
    assert _get(client, feed_server, "/deflate").body == FEED


def test_decoded_size_is_what_counts(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/gz", b"z" * (2 * MAX), gzip=True)
    with pytest.raises(FetchError, match="body larger than"):
        _get(client, feed_server, "/gz")


def _gzip_bomb(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    return b"".join(packer.compress(zeros) for _ in range(size // len(zeros))) + packer.flush()


def test_gzip_bomb_is_stopped_early(client: httpx.Client, feed_server: FeedServer) -> None:
    bomb = _gzip_bomb(50 * 1024 * 1024)
    assert len(bomb) < 100_000
    feed_server.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="body larger than"):
            _get(client, feed_server, "/bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2.0
    assert peak < 8 * MAX


def test_corrupt_gzip_is_permanent(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/bad", b"definitely not gzip", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="corrupt") as info:
        _get(client, feed_server, "/bad")
    assert not isinstance(info.value, TransientFetchError)


def test_truncated_body_is_transient(client: httpx.Client, feed_server: FeedServer) -> None:
    feed_server.add("/short", FEED, content_length=len(FEED) + 500)
    with pytest.raises(TransientFetchError):
        _get(client, feed_server, "/short")


def test_truncated_gzip_is_transient(client: httpx.Client, feed_server: FeedServer) -> None:
    packed = gzip.compress(FEED * 50)
    feed_server.add("/cut", packed[: len(packed) // 2], headers={"Content-Encoding": "gzip"})
    with pytest.raises(TransientFetchError, match="truncated"):
        _get(client, feed_server, "/cut")
