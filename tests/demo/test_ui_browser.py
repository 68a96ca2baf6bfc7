"""The Prefect UI in a real browser: a local Prefect server, one monitor run, headless Chromium on its pages.

Screenshots go to $WARWATCH_TEST_ARTIFACTS, by default test-artifacts/ in the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from warwatch.config.settings import dump_feeds
from warwatch.demo.prefect_server import PrefectServer
from warwatch.demo.server import DemoServer
from warwatch.demo.slack_double import SlackDouble

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("WARWATCH_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")
UI_TIMEOUT_MS = 60_000  # the UI is a single-page app: it renders after its API calls answer
TOKEN = "xoxb-browser-test"


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory) -> Iterator[PrefectServer]:
    with PrefectServer(tmp_path_factory.mktemp("prefect-home")) as server:
        yield server


@pytest.fixture(scope="module")
def flow_run_id(prefect_server, tmp_path_factory) -> str:
    """One `warwatch run` against the demo feeds and the Slack double, recorded by the server; its flow run id."""
    data = tmp_path_factory.mktemp("warwatch-data")
    with DemoServer() as feeds, SlackDouble(tokens={TOKEN}) as slack:
        (data / "feeds.toml").write_text(dump_feeds(feeds.feed_specs()), encoding="utf-8")
        env = {**os.environ, "PREFECT_API_URL": prefect_server.api_url, "PREFECT_HOME": str(data / "prefect"),
               "WARWATCH_DATA_DIR": str(data), "WARWATCH_FEEDS_FILE": str(data / "feeds.toml"),
               "SLACK_BOT_TOKEN": TOKEN, "WARWATCH_SLACK_CHANNEL": "#war-news",
               "WARWATCH_SLACK_API_URL": slack.base_url, "WARWATCH_SLACK_PACE_SECONDS": "0.01"}
        result = subprocess.run([sys.executable, "-m", "warwatch", "run"], env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        assert slack.messages("#war-news")
    runs = httpx.post(f"{prefect_server.api_url}/flow_runs/filter", json={}, trust_env=False).json()
    assert [run["state_type"] for run in runs] == ["COMPLETED"]
    return runs[0]["id"]


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory) -> Iterator[Page]:
    """A page in headless Debian Chromium with a new, empty profile."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: apt-get install chromium chromium-driver"
        if os.environ.get("CI"):  # CI installs it (.ci/run): never pass there without the browser test
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000}, timeout=UI_TIMEOUT_MS,
        )
        context.set_default_timeout(UI_TIMEOUT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()


@pytest.fixture
def page(browser_page, request) -> Iterator[Page]:
    """The browser page; where each test ends, passed or failed, is saved as a screenshot."""
    yield browser_page
    save(browser_page, request.node.name)


def save(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def shown(locator) -> None:
    expect(locator).to_be_visible(timeout=UI_TIMEOUT_MS)


def test_the_flow_run_page_shows_the_run_summary(page, prefect_server, flow_run_id):
    page.goto(prefect_server.flow_run_url(flow_run_id))
    shown(page.get_by_text("Completed").first)
    page.get_by_role("tablist").get_by_text("Artifacts", exact=True).click()
    summary = page.get_by_text("warwatch-run-summary", exact=True)
    shown(summary)
    save(page, "flow-run-artifacts")
    summary.click()
    page.wait_for_url("**/artifacts/artifact/**")
    shown(page.get_by_text("warwatch monitor run").first)
    shown(page.locator("table").get_by_text("feeds polled"))
    shown(page.locator("table").get_by_text("deliveries sent"))


def test_the_artifacts_page_shows_the_contradictions_table(page, prefect_server, flow_run_id):
    page.goto(f"{prefect_server.url}/artifacts")
    shown(page.get_by_text("warwatch-run-summary", exact=True))
    contradictions = page.get_by_text("warwatch-contradictions", exact=True)
    shown(contradictions)
    contradictions.click()
    page.locator('a[href*="/artifacts/artifact/"]').first.click()  # the key's versions: this run's is the only one
    page.wait_for_url("**/artifacts/artifact/**")
    shown(page.get_by_text("warwatch-contradictions", exact=True).first)
    shown(page.locator("table"))
