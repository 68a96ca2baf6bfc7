"""Task that sends the outbox."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from warwatch.config.settings import load_settings
from warwatch.delivery.send import DeliveryReport, deliver_pending, make_sink
from warwatch.store.db import session


@task(name="deliver", cache_policy=NONE)
def deliver_task() -> DeliveryReport:
    """Send every pending delivery, oldest first."""
    settings = load_settings()
    sink = make_sink(settings)
    with session(settings.db_url) as s:
        report = deliver_pending(s, sink)
    get_run_logger().info("delivered %d via %s, %d failed", report.sent, sink.name, report.failed)
    return report
