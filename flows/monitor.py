"""The monitor flow: poll feeds, group new articles into stories, check their claims, deliver. Orchestration only."""

from __future__ import annotations

from datetime import datetime, timezone

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from warwatch.alerts import monitor_failed
from warwatch.config.settings import load_settings
from warwatch.polling import PollOutcome
from warwatch.tasks.alerts import monitor_health_task
from warwatch.tasks.claims import check_claims_task
from warwatch.tasks.delivery import deliver_task
from warwatch.tasks.feeds import feed_alerts_task, poll_feed_task, sync_feeds_task
from warwatch.tasks.report import run_summary_task
from warwatch.tasks.stories import assign_stories_task


def _run_name() -> str:
    return f"monitor {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"


def _alert_failure(flow, flow_run, state) -> None:
    monitor_failed(flow_run.name, state.message or "")


@flow(name="warwatch-monitor", flow_run_name=_run_name, task_runner=ThreadPoolTaskRunner(max_workers=16),
      on_failure=[_alert_failure])
def monitor() -> str:
    """One monitoring cycle; returns the run summary markdown."""
    poll = load_settings().poll
    due = sync_feeds_task()
    polling = poll_feed_task.with_options(
        retries=poll.task_retries,
        retry_delay_seconds=exponential_backoff(backoff_factor=poll.task_retry_delay_seconds),
    )
    futures = polling.map([feed_id for feed_id, _ in due], [name for _, name in due])
    outcomes = [_outcome(future.result(raise_on_failure=False), feed) for future, feed in zip(futures, due)]
    feed_alerts_task(outcomes)
    stage = assign_stories_task()
    contradictions = check_claims_task()
    monitor_health_task()
    delivery = deliver_task()
    return run_summary_task(outcomes, stage, delivery, contradictions)


def _outcome(result: PollOutcome | BaseException, feed: tuple[int, str]) -> PollOutcome:
    """A poll task that crashed counts as a failed feed, so one bad feed never fails the run."""
    if isinstance(result, PollOutcome):
        return result
    return PollOutcome(feed[0], feed[1], "failed", error=f"{type(result).__name__}: {result}")
