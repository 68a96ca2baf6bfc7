"""A loopback HTTP server for the bundled demo feeds."""

from __future__ import annotations

from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

from warwatch.config.settings import FeedSpec
from warwatch.demo.loopback import LoopbackServer

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
        self.directory = directory
        self._server: LoopbackServer | None = None

    @property
    def base_url(self) -> str:
        return self._server.base_url

    def feed_specs(self) -> list[FeedSpec]:
        return [FeedSpec(name=name, url=f"{self.base_url}/{file}", language="en", tags=tags)
                for name, file, tags in DEMO_FEEDS]

    def __enter__(self) -> DemoServer:
        self._server = LoopbackServer(partial(_QuietHandler, directory=str(self.directory)))
        return self

    def __exit__(self, *exc) -> None:
        self._server.close()
