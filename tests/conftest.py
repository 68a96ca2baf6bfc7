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

from collections.abc import Iterator
from pathlib import Path

import pytest
from feedserver import FeedServer


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
