"""A hostile feed server on 127.0.0.1: one path per way a feed server can misbehave.

Usage::

    with HostileServer() as server:
        url = server.url("/trickle")          # any path of FAULTS, or "/good/<name>"
        dead = server.connect_timeout_url()   # a port that never accepts
        ...poll url...
        assert server.count("/xxe-target") == 0

Answers are written on the raw socket (resets, lying lengths, trickles). Everything
is bounded: at most ``MAX_HANDLERS`` connections are served at once (others are
closed), a stalled or trickling answer ends after ``hold`` seconds or at ``stop``,
and large bodies are streamed in 64 KiB pieces, never held in memory.
"""

from __future__ import annotations

import gzip
import html
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections.abc import Callable

MAX_HANDLERS = 32
MiB = 1024 * 1024
RSS_TYPE = "application/rss+xml; charset=utf-8"


def good_feed(name: str, items: int = 2) -> bytes:
    """A small valid RSS feed whose items name ``name``."""
    entries = "".join(
        f"<item><title>{name} report {n}: talks on the grain corridor resume</title>"
        f"<guid>{name}-{n}</guid><link>https://{name}.example/{n}</link>"
        f"<pubDate>Mon, 12 Aug 2024 1{n}:00:00 GMT</pubDate>"
        f"<description>Officials from {name} said the talks went on for hours.</description></item>"
        for n in range(1, items + 1)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{name}</title>'
            f"<link>https://{name}.example/</link>{entries}</channel></rss>").encode()


def _rss_with(prolog: str, item_title: str) -> bytes:
    return (f'<?xml version="1.0"?>\n{prolog}\n<rss version="2.0"><channel><title>t</title>'
            f"<item><title>{item_title}</title><link>https://x.example/1</link></item></channel></rss>").encode()


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzip-compressed (about 1000x smaller), built in 1 MiB steps."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(MiB)
    return b"".join(packer.compress(zeros) for _ in range(size // MiB)) + packer.flush()


class HostileServer:
    """A threaded raw-socket HTTP server on 127.0.0.1 with one fault per path (see ``FAULTS``)."""

    def __init__(self, *, hold: float = 30.0, interval: float = 0.2, big: int = 50 * MiB,
                 secret_file: str | None = None) -> None:
        self.hold = hold  # longest a stalled or trickling answer lasts
        self.interval = interval  # seconds between trickled bytes
        self.big = big  # size of the /big bodies and of the gzip bomb's inflated body
        self.secret_file = secret_file  # the file /xxe-file names; secret.dtd beside it, /external-dtd-file
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_HANDLERS)
        self._stopping = threading.Event()
        self._server: socketserver.ThreadingTCPServer | None = None
        self._refuser: socket.socket | None = None
        self._fillers: list[socket.socket] = []
        self._bomb = gzip_bomb(big)

    # -- public -------------------------------------------------------------
    def url(self, path: str) -> str:
        assert self._server is not None, "HostileServer is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for p in self.requests if p == path)

    def connect_timeout_url(self) -> str:
        """A URL on a listening port whose accept queue is full, so connecting hangs."""
        if self._refuser is None:
            self._refuser = socket.socket()
            self._refuser.bind(("127.0.0.1", 0))
            self._refuser.listen(0)
            for _ in range(3):  # fill the queue; later SYNs are dropped
                filler = socket.socket()
                filler.setblocking(False)
                try:
                    filler.connect(self._refuser.getsockname())
                except BlockingIOError:
                    pass
                self._fillers.append(filler)
            time.sleep(0.1)
        return f"http://127.0.0.1:{self._refuser.getsockname()[1]}/feed.xml"

    def start(self) -> HostileServer:
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                if not server._slots.acquire(blocking=False):
                    return  # too many at once: close
                try:
                    server._serve(self.request)
                except OSError:
                    pass  # the client went away (a timeout under test); nothing to do
                finally:
                    server._slots.release()

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for sock in [*self._fillers, *([self._refuser] if self._refuser else [])]:
            sock.close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- serving ------------------------------------------------------------
    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(5)
        request = b""
        while b"\r\n\r\n" not in request and len(request) < 65536:
            data = sock.recv(4096)
            if not data:
                return
            request += data
        path = request.split(b" ", 2)[1].decode("latin-1").split("?")[0]
        with self._lock:
            self.requests.append(path)
        if path.startswith("/good/"):
            return _answer(sock, good_feed(path.removeprefix("/good/")))
        fault = FAULTS.get(path)
        if fault is None:
            return _answer(sock, b"not found", status="404 Not Found", content_type="text/plain")
        fault(self, sock)

    def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds``; False when the server is stopping."""
        return not self._stopping.wait(seconds)

    def _trickle(self, sock: socket.socket, data: bytes) -> None:
        ends = time.monotonic() + self.hold
        for byte in data:
            if time.monotonic() > ends or not self._wait(self.interval):
                return
            sock.sendall(bytes([byte]))

    def _stream(self, sock: socket.socket, size: int) -> None:
        chunk = b"<!-- filler -->" * (65536 // 15)
        sent = 0
        while sent < size and not self._stopping.is_set():
            piece = chunk[: size - sent]
            sock.sendall(piece)
            sent += len(piece)


def _head(status: str = "200 OK", content_type: str | None = RSS_TYPE, length: int | None = None,
          extra: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _answer(sock: socket.socket, body: bytes, *, status: str = "200 OK",
            content_type: str | None = RSS_TYPE, extra: dict[str, str] | None = None) -> None:
    sock.sendall(_head(status, content_type, len(body), extra) + body)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


FEED = good_feed("hostile", items=20)
SLOW_PARSE = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x</title>'
              b"<description>" + b"&lt;!--" * 100_000 + b"</description></item></channel></rss>")
LAUGHS = "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10)
)


def _fixed(body: bytes, **options) -> Callable[[HostileServer, socket.socket], None]:
    return lambda server, sock: _answer(sock, body, **options)


def _hang_headers(server: HostileServer, sock: socket.socket) -> None:
    server._wait(server.hold)


def _hang_body(server: HostileServer, sock: socket.socket) -> None:
    sock.sendall(_head(length=len(FEED)) + FEED[:100])
    server._wait(server.hold)


def _trickle_body(server: HostileServer, sock: socket.socket) -> None:
    sock.sendall(_head(length=len(FEED)))
    server._trickle(sock, FEED)


def _trickle_headers(server: HostileServer, sock: socket.socket) -> None:
    server._trickle(sock, _head(extra={f"X-Pad-{n}": "a" * 40 for n in range(100)}))


def _reset_before(server: HostileServer, sock: socket.socket) -> None:
    _reset(sock)


def _reset_mid_body(server: HostileServer, sock: socket.socket) -> None:
    sock.sendall(_head(length=len(FEED)) + FEED[: len(FEED) // 2])
    time.sleep(0.05)
    _reset(sock)


def _close_silently(server: HostileServer, sock: socket.socket) -> None:
    sock.shutdown(socket.SHUT_RDWR)


def _truncated(server: HostileServer, sock: socket.socket) -> None:
    sock.sendall(_head(length=len(FEED)) + FEED[: len(FEED) // 3])
    sock.shutdown(socket.SHUT_RDWR)


def _length_too_short(server: HostileServer, sock: socket.socket) -> None:
    sock.sendall(_head(length=200) + FEED)  # the client stops after 200 bytes of XML


def _big(with_length: bool) -> Callable[[HostileServer, socket.socket], None]:
    def serve(server: HostileServer, sock: socket.socket) -> None:
        sock.sendall(_head(length=server.big if with_length else None))
        server._stream(sock, server.big)
    return serve


def _gzip_bomb(server: HostileServer, sock: socket.socket) -> None:
    _answer(sock, server._bomb, extra={"Content-Encoding": "gzip"})


def _xxe_file(server: HostileServer, sock: socket.socket) -> None:
    target = html.escape(f"file://{server.secret_file}")
    _answer(sock, _rss_with(f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{target}">]>', "leak: &xxe;"))


def _xxe_http(server: HostileServer, sock: socket.socket) -> None:
    target = server.url("/xxe-target")
    _answer(sock, _rss_with(f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "{target}">\n]>', "leak: &xxe;"))


def _xxe_parameter(server: HostileServer, sock: socket.socket) -> None:
    target = server.url("/xxe-target")
    _answer(sock, _rss_with(f'<!DOCTYPE rss [<!ENTITY % ext SYSTEM "{target}"> %ext;]>', "leak"))


def _external_dtd_file(server: HostileServer, sock: socket.socket) -> None:
    dtd = html.escape(f"file://{server.secret_file.rsplit('/', 1)[0]}/secret.dtd")
    _answer(sock, _rss_with(f'<!DOCTYPE rss SYSTEM "{dtd}">', "dtd &secret;"))


def _external_dtd(server: HostileServer, sock: socket.socket) -> None:
    target = server.url("/xxe-target")
    _answer(sock, _rss_with(f'<!DOCTYPE rss SYSTEM "{target}">', "dtd &secret;"))


FAULTS: dict[str, Callable[[HostileServer, socket.socket], None]] = {
    "/hang-headers": _hang_headers,  # accepts, reads the request, never answers
    "/hang-body": _hang_body,  # headers and 100 bytes, then silence
    "/trickle": _trickle_body,  # one body byte every ``interval``
    "/trickle-headers": _trickle_headers,  # one header byte every ``interval``
    "/reset": _reset_before,  # TCP reset instead of an answer
    "/reset-mid-body": _reset_mid_body,  # half the body, then a reset
    "/close-silently": _close_silently,  # closes without a byte
    "/status-500": _fixed(b"<h1>Internal error</h1>", status="500 Internal Server Error", content_type="text/html"),
    "/status-503": _fixed(b"busy", status="503 Service Unavailable", content_type="text/plain",
                          extra={"Retry-After": "3600"}),
    "/truncated": _truncated,  # a third of the promised length, then FIN
    "/length-too-short": _length_too_short,  # Content-Length smaller than the body
    "/html-page": _fixed(b"<!DOCTYPE html><html><head><title>Home</title></head><body><h1>News</h1>"
                         b"<p>Our feed moved.</p></body></html>", content_type="text/html; charset=utf-8"),
    "/wrong-type-png": _fixed(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, content_type="image/png"),
    "/wrong-type-html": _fixed(FEED, content_type="text/html; charset=utf-8"),  # a good feed, mislabelled
    "/wrong-charset": _fixed(FEED, content_type="application/rss+xml; charset=utf-16"),
    "/bogus-charset": _fixed(FEED, content_type="application/rss+xml; charset=no-such-charset"),
    "/latin1-as-utf8": _fixed(good_feed("Zürich").decode().replace('encoding="utf-8"', "").encode("latin-1")),
    "/big": _big(with_length=True),  # ``big`` bytes with Content-Length
    "/big-unannounced": _big(with_length=False),  # ``big`` bytes, ended by closing
    "/redirect-loop": _fixed(b"", status="302 Found", extra={"Location": "/redirect-loop-2"}),
    "/redirect-loop-2": _fixed(b"", status="301 Moved Permanently", extra={"Location": "/redirect-loop"}),
    "/gzip-bomb": _gzip_bomb,  # ``big`` zero bytes, gzip-compressed
    "/billion-laughs": _fixed(_rss_with(f"<!DOCTYPE rss [{LAUGHS}]>", "&lol9;")),
    "/billion-laughs-lines": _fixed(_rss_with("<!DOCTYPE rss [\n" + LAUGHS.replace("><", ">\n<") + "\n]>", "&lol9;")),
    "/quadratic-blowup": _fixed(_rss_with(f'<!DOCTYPE rss [\n<!ENTITY a "{"x" * 50_000}">\n]>', "&a;" * 20_000)),
    "/xxe-file": _xxe_file,  # an external entity naming ``secret_file``
    "/xxe-http": _xxe_http,  # an external entity naming /xxe-target on this server
    "/xxe-parameter": _xxe_parameter,  # an external parameter entity naming /xxe-target
    "/external-dtd": _external_dtd,  # a DOCTYPE whose DTD is /xxe-target
    "/external-dtd-file": _external_dtd_file,  # a DOCTYPE whose DTD is secret.dtd beside ``secret_file``
    "/xxe-target": _fixed(b'<!ENTITY secret "EXFILTRATED">', content_type="application/xml-dtd"),
    "/slow-parse": _fixed(SLOW_PARSE),  # 700 KB of escaped "<!--": feedparser's sanitiser took 34 s
    "/gzip-feed": _fixed(gzip.compress(FEED), extra={"Content-Encoding": "gzip"}),  # fine, for contrast
}
