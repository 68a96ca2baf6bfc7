"""The digest flow: top stories, new contradictions and feed health, once a day. Orchestration only."""

from __future__ import annotations

from datetime import datetime, timezone

from prefect import flow

from warwatch.delivery.send import DeliveryReport
from warwatch.tasks.delivery import deliver_task
from warwatch.tasks.digest import enqueue_digest_task


def _run_name() -> str:
    return f"digest {datetime.now(timezone.utc):%Y-%m-%d}"


@flow(name="warwatch-digest", flow_run_name=_run_name)
def digest(hours: float = 24.0) -> DeliveryReport:
    """Queue today's digest and send the outbox."""
    enqueue_digest_task(hours)
    return deliver_task()
