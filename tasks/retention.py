"""Task that applies the retention settings after a monitor run's delivery."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from warwatch.config.settings import load_settings
from warwatch.store.db import engine_for
from warwatch.store.models import utcnow
from warwatch.store.retention import PruneReport, prune


@task(name="prune", cache_policy=NONE)
def prune_task() -> PruneReport:
    """Drop what no later run needs: closed stories' bodies and vectors, old sent deliveries."""
    settings = load_settings()
    report = prune(engine_for(settings.db_url), settings, utcnow())
    get_run_logger().info("retention (%g days): %s", settings.retention.days, report.line())
    return report
