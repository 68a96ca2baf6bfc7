"""Alerts about warwatch itself: the monitor flow failing, and recovering."""

from __future__ import annotations

from warwatch.config.settings import load_settings
from warwatch.delivery.outbox import enqueue_flow_alert
from warwatch.delivery.send import deliver_pending, make_sink
from warwatch.store.db import session


def monitor_failed(run_name: str, reason: str) -> None:
    """Queue the failure alert (once per incident) and send the outbox now: the failed
    run will not reach its own delivery step."""
    settings = load_settings()
    with session(settings.db_url) as s:
        enqueue_flow_alert(s, settings, failing=True, run_name=run_name, reason=reason)
        s.commit()
        deliver_pending(s, make_sink(settings))


def monitor_succeeded(run_name: str) -> bool:
    """Queue the recovery message when an incident is open; True when queued."""
    settings = load_settings()
    with session(settings.db_url) as s:
        queued = enqueue_flow_alert(s, settings, failing=False, run_name=run_name, reason="")
        s.commit()
    return queued
