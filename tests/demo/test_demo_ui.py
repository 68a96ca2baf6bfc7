"""`warwatch demo --ui`: the demo against a local Prefect server that keeps running until Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from support.output import own_tracebacks

ADDRESS = re.compile(r"Prefect UI: (?P<url>(?P<base>http://127\.0\.0\.1:\d+)/runs/flow-run/(?P<run>[0-9a-f-]+))")


def test_demo_ui_prints_the_run_address_and_stops_on_ctrl_c(tmp_path):
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("w") as out, stderr.open("w") as err:
        demo = subprocess.Popen([sys.executable, "-m", "warwatch", "demo", "--ui"], stdout=out, stderr=err,
                                env={**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"},
                                start_new_session=True)  # its own process group, with the server it starts
    try:
        match = _wait_for(ADDRESS, stdout, demo, timeout=300)
        assert match, stdout.read_text()[-2000:] + stderr.read_text()[-3000:]
        base = match["base"]
        page = httpx.get(match["url"], headers={"Accept": "text/html"}, trust_env=False)
        assert page.status_code == 200 and '<div id="app">' in page.text
        assert httpx.get(f"{base}/api/flow_runs/{match['run']}", trust_env=False).json()["state_type"] == "COMPLETED"
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=60)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    assert demo.returncode == 0, stderr.read_text()[-3000:]
    assert "Meridian Wire" in stdout.read_text() and not own_tracebacks(stderr.read_text())
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base}/api/health", timeout=2, trust_env=False)


def _wait_for(pattern: re.Pattern, path, process: subprocess.Popen, timeout: float) -> re.Match | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if match := pattern.search(path.read_text()):
            return match
        time.sleep(0.5)
    return None
