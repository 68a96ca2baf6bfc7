"""Task that writes the daily digest to the outbox."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from warwatch.config.settings import load_settings
from warwatch.delivery.outbox import enqueue_digest
from warwatch.store.db import session
from warwatch.store.models import utcnow


@task(name="enqueue-digest", cache_policy=NONE)
def enqueue_digest_task(hours: float = 24.0) -> bool:
    """Queue the digest of the last ``hours``, once per local day; True when queued now."""
    settings = load_settings()
    until = utcnow()
    label = until.astimezone(ZoneInfo(settings.timezone)).date().isoformat()
    with session(settings.db_url) as s:
        added = enqueue_digest(s, settings, until - timedelta(hours=hours), until, label)
        s.commit()
    get_run_logger().info("digest %s %s", label, "queued" if added else "already queued")
    return added
