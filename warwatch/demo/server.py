"""A loopback HTTP server for the bundled demo feeds."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from warwatch.config.settings import FeedSpec

FEEDS_DIR = Path(__file__).resolve().parent / "feeds"
DEMO_FEEDS = (
    ("Meridian Wire", "meridian-wire.xml", ["wire"]),
    ("Kyiv Ledger", "kyiv-ledger.atom", ["ukraine"]),
    ("The Daily Blaze", "daily-blaze.xml", ["tabloid"]),
)


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files with Last-Modified (and 304s); logs nothing."""

    extensions_map = {".xml": "application/rss+xml", ".atom": "application/atom+xml"}

    def log_message(self, format: str, *args) -> None:
        pass


class DemoServer:
    """Serves the demo feeds on 127.0.0.1 at a free port while the ``with`` block runs."""

    def __init__(self, directory: Path = FEEDS_DIR) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(directory)))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def feed_specs(self) -> list[FeedSpec]:
        return [FeedSpec(name=name, url=f"{self.base_url}/{file}", language="en", tags=tags)
                for name, file, tags in DEMO_FEEDS]

    def __enter__(self) -> DemoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
