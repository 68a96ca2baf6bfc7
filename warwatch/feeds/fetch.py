"""Fetch one feed over HTTP: conditional GET, size cap, errors split by retry-worthiness.

With ``allow_files`` (setting ``http.allow_file_urls``) a ``file:`` URL is read from disk under the same cap.
Unless ``http.allow_private_addresses`` is set, no connection (first URL or redirect) goes to an internal
address: each host is resolved once, checked, and the checked address itself is connected to.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpcore
import httpx

from warwatch.config.settings import HttpSettings

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
)
_TRANSIENT_STATUS = frozenset({408, 429})
# Describe the raw bytes on the wire, not the decoded body that Fetched carries.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class FetchError(Exception):
    """A fetch failure not worth retrying in this run; the message is one short line."""


class TransientFetchError(FetchError):
    """A fetch failure worth retrying (timeouts, connection trouble, 5xx, 408, 429)."""


@dataclass(frozen=True)
class Fetched:
    """The outcome of a successful (2xx or 304) fetch; ``body`` is decoded and b"" on 304."""

    url: str
    status_code: int
    not_modified: bool
    body: bytes
    headers: dict[str, str]
    etag: str | None
    last_modified: str | None


class _DeadlinePassed(httpcore.TimeoutException):
    """The fetch's overall deadline passed; httpx re-raises it as a TimeoutException."""


class _RefusedAddress(httpcore.ConnectError):
    """A connection to an internal address, refused before it was opened; :func:`fetch` makes it a FetchError."""


# Checked in this order, so that an address gets its most telling name.
_INTERNAL = ("unspecified", "loopback", "link_local", "multicast", "reserved", "private")


def refusal(address: str) -> str | None:
    """Why connecting to IP ``address`` is refused (e.g. "link-local"), or None for a global address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 reaches 127.0.0.1
    for kind in _INTERNAL:
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "not global"


_current = threading.local()  # .started: time.monotonic() when this thread's fetch began


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every wait ends by the current fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, backend: _DeadlineBackend) -> None:
        self._stream, self._backend = stream, backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with self._backend.deadline_errors():
            return self._stream.read(max_bytes, self._backend.clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        with self._backend.deadline_errors():
            self._stream.write(buffer, self._backend.clamp(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        with self._backend.deadline_errors():
            tls = self._stream.start_tls(ssl_context, server_hostname, self._backend.clamp(timeout))
        return _DeadlineStream(tls, self._backend)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend with an overall deadline per fetch.

    httpx has timeouts per socket operation only, so a server that sends a byte
    just within the read timeout (headers or body) could hold a poll for ever.
    Every connect, read and write here waits at most until the deadline. Every connect
    (redirects too) resolves its host once and, unless ``allow_private``, refuses it when
    any address is internal; it then connects to those addresses, not to the name, so a
    second DNS answer cannot differ from the checked one. TLS still verifies the host name.
    """

    def __init__(self, total_timeout: float, allow_private: bool = False) -> None:
        self.total_timeout = total_timeout
        self.allow_private = allow_private
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable | None = None) -> httpcore.NetworkStream:
        with self.deadline_errors():
            error: Exception = httpcore.ConnectError(f"no address for {host}")
            for address in self._addresses(host, port):
                try:
                    stream = self._sockets.connect_tcp(address, port, self.clamp(timeout), local_address,
                                                       socket_options)
                    break
                except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                    error = exc  # try the next address, as socket.create_connection does
            else:
                raise error
        return _DeadlineStream(stream, self)

    def _addresses(self, host: str, port: int) -> list[str]:
        """``host``'s IP addresses, resolved once; refused when one is internal and that is not allowed."""
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        addresses = list(dict.fromkeys(info[4][0] for info in found))
        for address in addresses:
            if not self.allow_private and (reason := refusal(address)):
                named = "" if address == host else f" for host {host}"
                raise _RefusedAddress(f"refused internal address {address} ({reason}){named}")
        return addresses

    def sleep(self, seconds: float) -> None:
        self._sockets.sleep(seconds)

    def _left(self) -> float | None:
        started = getattr(_current, "started", None)
        return None if started is None else started + self.total_timeout - time.monotonic()

    def clamp(self, timeout: float | None) -> float | None:
        left = self._left()
        if left is None:
            return timeout
        if left <= 0:
            raise self._passed()
        return left if timeout is None else min(timeout, left)

    @contextmanager
    def deadline_errors(self) -> Iterator[None]:
        """Report a socket timeout that fell on the deadline as ``_DeadlinePassed``."""
        try:
            yield
        except httpcore.TimeoutException as exc:
            left = self._left()
            if isinstance(exc, _DeadlinePassed) or left is None or left > 0:
                raise
            raise self._passed() from exc

    def _passed(self) -> _DeadlinePassed:
        return _DeadlinePassed(f"no complete response within {self.total_timeout:g} s")


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport on a :class:`_DeadlineBackend` connection pool (limits as httpx's defaults)."""

    def __init__(self, total_timeout: float, allow_private: bool = False) -> None:
        super().__init__()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_DeadlineBackend(total_timeout, allow_private),
        )


def make_client(http: HttpSettings) -> httpx.Client:
    """An httpx client configured for polling feeds; each :func:`fetch` ends by ``total_timeout``."""
    timeout = httpx.Timeout(
        connect=http.connect_timeout,
        read=http.read_timeout,
        write=http.read_timeout,
        pool=http.connect_timeout,
    )
    return httpx.Client(
        transport=_DeadlineTransport(http.total_timeout, http.allow_private_addresses),
        timeout=timeout,
        follow_redirects=True,
        max_redirects=http.max_redirects,
        headers={
            "User-Agent": http.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        },
    )


def fetch(
    client: httpx.Client,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int,
    allow_files: bool = False,
) -> Fetched:
    """GET ``url`` conditionally; raise FetchError or TransientFetchError on any failure.

    With a client from :func:`make_client`, the whole fetch (redirects, headers and
    body) ends within the client's ``total_timeout``.
    """
    if _check_url(url, allow_files) == "file":
        return _read_file(url, max_bytes)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    _current.started = time.monotonic()
    try:
        with client.stream("GET", url, headers=headers) as response:
            return _read(response, etag, last_modified, max_bytes)
    except httpx.TimeoutException as exc:
        raise TransientFetchError(_timeout_message(exc)) from None
    except httpx.TooManyRedirects:
        raise FetchError("too many redirects") from None
    except httpx.UnsupportedProtocol:
        raise FetchError("not an http(s) URL") from None
    except httpx.RemoteProtocolError as exc:
        raise TransientFetchError(f"connection closed early: {_one_line(exc)}") from None
    except (httpx.LocalProtocolError, httpx.InvalidURL):
        raise FetchError("invalid request or URL") from None
    except httpx.TransportError as exc:
        if isinstance(exc.__cause__, _RefusedAddress):
            raise FetchError(str(exc.__cause__)) from None
        raise TransientFetchError(f"connection failed: {_one_line(exc)}") from None
    except (httpx.HTTPError, httpx.StreamError) as exc:
        raise TransientFetchError(f"HTTP client error: {_one_line(exc)}") from None
    finally:
        _current.started = None


def _check_url(url: str, allow_files: bool) -> str:
    """The URL's scheme: http, https or, when allowed, file."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise FetchError("invalid URL") from None
    if allow_files and parsed.scheme == "file":
        return "file"
    if parsed.scheme not in ("http", "https"):
        raise FetchError("not an http(s) URL")
    if not parsed.host:
        raise FetchError("invalid URL")
    return parsed.scheme


def _read_file(url: str, max_bytes: int) -> Fetched:
    """A local feed file, read no further than the size cap."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise FetchError("file URL must name a local path")
    path = Path(url2pathname(parts.path))
    try:
        with path.open("rb") as handle:
            body = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror}") from None
    if len(body) > max_bytes:
        raise FetchError(f"body larger than {max_bytes} bytes")
    return Fetched(url=url, status_code=200, not_modified=False, body=body, headers={}, etag=None, last_modified=None)


def _read(
    response: httpx.Response, etag: str | None, last_modified: str | None, max_bytes: int
) -> Fetched:
    status = response.status_code
    if status >= 500 or status in _TRANSIENT_STATUS:
        raise TransientFetchError(f"HTTP {status}")
    if status != 304 and not 200 <= status < 300:
        raise FetchError(f"HTTP {status}")
    headers = {k.lower(): v for k, v in response.headers.items()}
    not_modified = status == 304
    body = b"" if not_modified else _read_body(response, headers, max_bytes)
    return Fetched(
        url=str(response.url),
        status_code=status,
        not_modified=not_modified,
        body=body,
        headers={k: v for k, v in headers.items() if k not in _WIRE_HEADERS},
        etag=headers.get("etag") or (etag if not_modified else None),
        last_modified=headers.get("last-modified") or (last_modified if not_modified else None),
    )


def _read_body(response: httpx.Response, headers: dict[str, str], max_bytes: int) -> bytes:
    too_big = FetchError(f"body larger than {max_bytes} bytes")
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    for chunk in _decoded(response.iter_raw(), headers.get("content-encoding", ""), max_bytes):
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _decoded(raw: Iterator[bytes], encoding: str, max_bytes: int) -> Iterator[bytes]:
    """Decode ``raw`` lazily, never inflating more than ``max_bytes + 1`` bytes at once.

    httpx's own decoders inflate a whole network read in one go (about 1000x for a
    gzip bomb), so content codings are undone here with a bounded zlib object.
    """
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        yield from raw
        return
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"unsupported content encoding {encoding!r}")
    # wbits 32+: gzip or zlib header, detected automatically; raw deflate is rare enough to skip.
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
    received = False
    try:
        for data in raw:
            received = received or bool(data)
            while data and not inflater.eof:
                yield inflater.decompress(data, max_bytes + 1)
                data = inflater.unconsumed_tail
    except zlib.error:
        raise FetchError(f"corrupt {codings[0]} body") from None
    if received and not inflater.eof:
        raise TransientFetchError("truncated body")


def _timeout_message(exc: httpx.TimeoutException) -> str:
    if isinstance(exc.__cause__, _DeadlinePassed):
        return str(exc.__cause__)
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timed out"
    if isinstance(exc, httpx.PoolTimeout):
        return "timed out waiting for a connection"
    return "read timed out" if isinstance(exc, httpx.ReadTimeout) else "timed out"


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__
