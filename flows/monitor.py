"""The monitor flow: poll feeds, group new articles into stories, check their claims, deliver. Orchestration only."""

from __future__ import annotations

from datetime import datetime, timezone

from prefect import flow

from warwatch.claims.parse import warm as warm_parser
from warwatch.delivery.alerts import monitor_failed
from warwatch.flows.runners import configured_task_runner
from warwatch.tasks.alerts import monitor_health_task
from warwatch.tasks.claims import check_claims_task
from warwatch.tasks.delivery import deliver_task
from warwatch.tasks.embedding import fan_out, warm_article_vectors_task, warm_claim_vectors_task
from warwatch.tasks.feeds import feed_alerts_task, poll_due, sync_feeds_task
from warwatch.tasks.report import run_summary_task
from warwatch.tasks.retention import prune_task
from warwatch.tasks.stories import assign_stories_task


def _run_name() -> str:
    return f"monitor {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"


def _alert_failure(flow, flow_run, state) -> None:
    monitor_failed(flow_run.name, state.message or "")


@flow(name="warwatch-monitor", flow_run_name=_run_name, task_runner=configured_task_runner(),
      on_failure=[_alert_failure])
def monitor() -> str:
    """One monitoring cycle; returns the run summary markdown.

    Each stage after polling takes its work from the store, so a crashed run's work is taken up by the next:
    the story stage every article with no story yet, the claim stage every grouped article not yet checked,
    delivery every message in the outbox not yet sent.
    """
    warm_parser()  # the claim stage's parser loads while feeds are polled
    # 1. poll: the due feeds, new entries stored as articles
    outcomes = poll_due(sync_feeds_task())
    feed_alerts_task(outcomes)
    new = [article_id for outcome in outcomes for article_id in outcome.new_article_ids]
    # 2. stories: with Dask, the new articles are encoded on the workers first and found cached by the stage
    fan_out(warm_article_vectors_task, new)
    stage = assign_stories_task()
    # 3. claims: each contradiction and its alert are queued together
    fan_out(warm_claim_vectors_task, new)
    contradictions = check_claims_task()
    # 4. deliver: the outbox to Slack, then retention
    monitor_health_task()
    delivery = deliver_task()
    pruned = prune_task()
    # 5. summary: the run's artifact
    return run_summary_task(outcomes, stage, delivery, contradictions, pruned)
