"""Shared pytest fixtures."""

from __future__ import annotations

import os
import tempfile

# Before anything imports Prefect: a throwaway Prefect home, analytics off.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="warwatch-test-prefect-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("SLACK_BOT_TOKEN", None)
os.environ["WARWATCH_HTTP__ALLOW_PRIVATE_ADDRESSES"] = "true"  # test feeds are served on 127.0.0.1

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.feedserver import FeedServer
from support.postgres import PostgresServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A running FeedServer on 127.0.0.1, stopped after the test."""
    with FeedServer() as server:
        yield server


@pytest.fixture
def shared_dir() -> Path:
    """The ``shared`` directory beside the repository; skips the test when absent."""
    path = Path(__file__).resolve().parents[1].parent / "shared"
    if not path.is_dir():
        pytest.skip(f"{path} not found")
    return path


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session; skips when the machine has no PostgreSQL binaries, except under CI
    (``CI`` set), where the PostgreSQL tests must run (``.ci/run`` installs the server)."""
    server = PostgresServer()
    if not server.available:
        missing = "PostgreSQL binaries not found under /usr/lib/postgresql"
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; CI runs the PostgreSQL tests (apt-get install postgresql)")
        pytest.skip(missing)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[str]:
    """A temporary Prefect server (Prefect's test harness) for the flow runs of one test module; its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A fresh, empty store URL: SQLite in a temporary directory, and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres").new_database()
