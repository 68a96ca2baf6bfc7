"""A small programmable HTTP server on 127.0.0.1 for feed tests.

Usage::

    with FeedServer() as server:
        server.add("/feed.xml", b"<rss .../>", etag='"v1"')
        server.add("/old", status=301, headers={"Location": "/feed.xml"})
        server.add("/slow", b"late", delay=2.0)
        ...fetch server.url("/feed.xml")...
        assert server.count("/feed.xml") == 1
        assert server.requests[-1].headers["user-agent"]

``add`` options (all keyword-only):

- ``status``: response status (default 200); bodies are sent for any status but 304.
- ``content_type``: Content-Type header (default RSS, UTF-8); ``None`` sends none.
- ``headers``: extra response headers, e.g. ``Location`` for redirects or
  ``Content-Encoding`` for a body that is already compressed.
- ``etag`` / ``last_modified``: validators sent with the response; a matching
  ``If-None-Match`` (or, without it, an ``If-Modified-Since`` not older than
  ``last_modified``) gets ``304 Not Modified``.
- ``gzip``: gzip-compress ``body`` and send ``Content-Encoding: gzip``.
- ``delay``: seconds to wait before answering (cut short by ``stop``).
- ``content_length``: send ``Content-Length`` (default); ``False`` ends the body by
  closing the connection; an int sends that (possibly false) length.

Paths are matched without the query string; unknown paths get 404. Adding a path
again replaces its route. Every request is recorded in ``requests``.
"""

from __future__ import annotations

import gzip as gzip_module
import threading
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from warwatch.demo.loopback import LoopbackServer

RSS_TYPE = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class Route:
    """How the server answers one path."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = RSS_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    delay: float = 0.0
    content_length: bool | int = True


@dataclass(frozen=True)
class Request:
    """One request the server saw; header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]


class FeedServer:
    """A threaded HTTP server on 127.0.0.1 with programmable routes."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: LoopbackServer | None = None

    def add(self, path: str, body: bytes = b"", **options) -> None:
        """Serve ``body`` at ``path`` with the options described in the module docstring."""
        with self._lock:
            self._routes[path] = Route(body=body, **options)

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        if self._server is None:
            raise RuntimeError("FeedServer is not started")
        return f"{self._server.base_url}{path}"

    def count(self, path: str) -> int:
        """How many requests reached ``path``."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def last(self, path: str) -> Request:
        """The latest request to ``path`` (IndexError if none)."""
        with self._lock:
            return [r for r in self.requests if r.path == path][-1]

    def start(self) -> FeedServer:
        """Listen on an ephemeral port in a background thread."""
        self._server = LoopbackServer(_handler_for(self))
        return self

    def stop(self) -> None:
        """Stop serving, cutting delays short, and close the socket."""
        self._stopping.set()
        if self._server is not None:
            self._server.close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _route(self, method: str, path: str, headers: dict[str, str]) -> Route | None:
        with self._lock:
            self.requests.append(Request(method, path, headers))
            return self._routes.get(path)


def _handler_for(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            headers = {k.lower(): v for k, v in self.headers.items()}
            route = server._route("GET", urlsplit(self.path).path, headers)
            if route is None:
                route = Route(b"not found", status=404, content_type="text/plain")
            if route.delay and server._stopping.wait(route.delay):
                return
            try:
                self._answer(route, headers)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. a timeout test); nothing to do

        def _answer(self, route: Route, request_headers: dict[str, str]) -> None:
            status = 304 if _not_modified(route, request_headers) else route.status
            body = b"" if status == 304 else route.body
            self.send_response(status)
            if route.content_type and status != 304:
                self.send_header("Content-Type", route.content_type)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            if route.gzip and body:
                body = gzip_module.compress(body)
                self.send_header("Content-Encoding", "gzip")
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.content_length is True:
                self.send_header("Content-Length", str(len(body)))
            elif route.content_length is not False:
                self.send_header("Content-Length", str(route.content_length))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            pass

    return Handler


def _not_modified(route: Route, headers: dict[str, str]) -> bool:
    if "if-none-match" in headers:
        tags = {t.strip() for t in headers["if-none-match"].split(",")}
        return route.etag is not None and ("*" in tags or route.etag in tags)
    since, modified = headers.get("if-modified-since"), route.last_modified
    if not since or not modified:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
