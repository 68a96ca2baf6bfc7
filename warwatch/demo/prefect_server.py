"""A local Prefect server with its UI on 127.0.0.1, for ``warwatch demo --ui`` and the browser test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


class PrefectServerError(Exception):
    """The local Prefect server did not start or stopped; the message is one line."""


class PrefectServer:
    """Runs ``prefect server start`` at a free port while the ``with`` block runs.

    The server has a home of its own (``home``: its database, UI build and ``server.log``), analytics
    off, and none of the caller's ``PREFECT_*`` settings, so it never touches another server's data.
    """

    def __init__(self, home: Path, startup_timeout: float = 180.0) -> None:
        self.home = home
        self.startup_timeout = startup_timeout
        self.port = _free_port()
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The UI's address."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The value for ``PREFECT_API_URL``."""
        return f"{self.url}/api"

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"

    def flow_run_url(self, flow_run_id: object) -> str:
        """The UI page of one flow run."""
        return f"{self.url}/runs/flow-run/{flow_run_id}"

    def wait(self) -> None:
        """Block while the server runs; raise PrefectServerError if it stops by itself."""
        code = self._process.wait()
        raise PrefectServerError(f"the Prefect server stopped (exit status {code}); see {self.log_file}")

    def __enter__(self) -> PrefectServer:
        self.home.mkdir(parents=True, exist_ok=True)
        env = {name: value for name, value in os.environ.items() if not name.startswith("PREFECT_")}
        env.update(
            PREFECT_HOME=str(self.home),
            PREFECT_API_URL=self.api_url,
            PREFECT_SERVER_API_HOST="127.0.0.1",
            PREFECT_SERVER_API_PORT=str(self.port),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT="false",
            DO_NOT_TRACK="1",
        )
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the server: SIGTERM, then SIGKILL after 30 s."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if (code := self._process.poll()) is not None:
                raise PrefectServerError(f"the Prefect server exited with status {code}; see {self.log_file}")
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2, trust_env=False).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise PrefectServerError(f"the Prefect server did not answer within {self.startup_timeout:.0f} s; "
                                 f"see {self.log_file}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
