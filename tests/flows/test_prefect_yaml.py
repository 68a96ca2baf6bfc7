"""prefect.yaml declares the deployments `warwatch serve` serves, on the default schedules, so neither can drift."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from prefect.flows import load_flow_from_entrypoint

from warwatch.config.settings import Settings, load_settings

PREFECT_YAML = Path(__file__).resolve().parents[2] / "prefect.yaml"


@pytest.fixture
def deployments() -> dict[str, dict]:
    config = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    return {deployment["name"]: deployment for deployment in config["deployments"]}


def test_deployments_name_the_installed_flows(deployments):
    flows = {name: load_flow_from_entrypoint(d["entrypoint"], use_placeholder_flow=False)
             for name, d in deployments.items()}
    assert {name: flow.name for name, flow in flows.items()} == {"warwatch-monitor": "warwatch-monitor",
                                                                 "warwatch-digest": "warwatch-digest"}
    assert {d["work_pool"]["name"] for d in deployments.values()} == {"warwatch"}
    assert all(d["concurrency_limit"] == 1 for d in deployments.values())
    assert all("warwatch" in d["tags"] for d in deployments.values())


def test_schedules_are_the_settings_defaults(deployments, monkeypatch):
    for name in ("WARWATCH_CONFIG", "WARWATCH_SCHEDULE_CRON", "WARWATCH_DIGEST_CRON", "WARWATCH_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    shipped = load_settings()  # the model's defaults as config/warwatch.toml leaves them
    for settings in (shipped, Settings.model_construct()):
        assert deployments["warwatch-monitor"]["schedules"] == [{"cron": settings.schedule_cron,
                                                                 "timezone": settings.timezone}]
        assert deployments["warwatch-digest"]["schedules"] == [{"cron": settings.digest_cron,
                                                                "timezone": settings.timezone}]
