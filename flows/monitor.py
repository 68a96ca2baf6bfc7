"""The monitor flow: poll feeds, group new articles into stories, check their claims, deliver. Orchestration only."""

from __future__ import annotations

from datetime import datetime, timezone

from prefect import flow
from prefect.tasks import exponential_backoff

from warwatch.claims.parse import warm as warm_parser
from warwatch.config.settings import load_settings
from warwatch.delivery.alerts import monitor_failed
from warwatch.feeds.polling import PollOutcome, feed_batches
from warwatch.flows.runners import configured_task_runner
from warwatch.tasks.alerts import monitor_health_task
from warwatch.tasks.claims import check_claims_task
from warwatch.tasks.delivery import deliver_task
from warwatch.tasks.embedding import fan_out, warm_article_vectors_task, warm_claim_vectors_task
from warwatch.tasks.feeds import feed_alerts_task, poll_feed_task, poll_feeds_task, sync_feeds_task
from warwatch.tasks.report import run_summary_task
from warwatch.tasks.retention import prune_task
from warwatch.tasks.stories import assign_stories_task

#: Poll tasks per run, each polling its share of the due feeds in turn (see poll-feeds).
POLL_BATCHES = 16


def _run_name() -> str:
    return f"monitor {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"


def _alert_failure(flow, flow_run, state) -> None:
    monitor_failed(flow_run.name, state.message or "")


@flow(name="warwatch-monitor", flow_run_name=_run_name, task_runner=configured_task_runner(),
      on_failure=[_alert_failure])
def monitor() -> str:
    """One monitoring cycle; returns the run summary markdown."""
    warm_parser()  # the claim stage's parser loads while feeds are polled
    outcomes = _poll(sync_feeds_task())
    feed_alerts_task(outcomes)
    new = [article_id for outcome in outcomes for article_id in outcome.new_article_ids]
    fan_out(warm_article_vectors_task, new)  # with Dask: encoded on the workers, found cached by the stage
    stage = assign_stories_task()
    fan_out(warm_claim_vectors_task, new)
    contradictions = check_claims_task()
    monitor_health_task()
    delivery = deliver_task()
    pruned = prune_task()
    return run_summary_task(outcomes, stage, delivery, contradictions, pruned)


def _poll(due: list[tuple[int, str]]) -> list[PollOutcome]:
    """Poll the due feeds in batches, then each feed that met trouble on its own, with retries; one outcome per feed."""
    batches = feed_batches(due, POLL_BATCHES)
    futures = poll_feeds_task.map(batches, [_label(batch) for batch in batches])
    outcomes = [outcome for future, batch in zip(futures, batches)
                for outcome in _batch_outcomes(future.result(raise_on_failure=False), batch)]
    again = [outcome for outcome in outcomes if outcome.status == "retry"]
    if not again:
        return outcomes
    poll = load_settings().poll
    polling = poll_feed_task.with_options(
        retries=max(poll.task_retries - 1, 0),  # poll-feeds made the first attempt
        retry_delay_seconds=exponential_backoff(backoff_factor=poll.task_retry_delay_seconds),
    )
    futures = polling.map([o.feed_id for o in again], [o.feed_name for o in again])
    retried = {o.feed_id: _outcome(future.result(raise_on_failure=False), (o.feed_id, o.feed_name))
               for future, o in zip(futures, again)}
    return [retried.get(outcome.feed_id, outcome) for outcome in outcomes]


def _label(batch: list[tuple[int, str]]) -> str:
    return batch[0][1] if len(batch) == 1 else f"{batch[0][1]} and {len(batch) - 1} more"


def _batch_outcomes(result: list[PollOutcome] | BaseException, batch: list[tuple[int, str]]) -> list[PollOutcome]:
    """A batch task that crashed hands each of its feeds to poll-feed."""
    if isinstance(result, list):
        return result
    return [PollOutcome(feed_id, name, "retry", error=f"{type(result).__name__}: {result}") for feed_id, name in batch]


def _outcome(result: PollOutcome | BaseException, feed: tuple[int, str]) -> PollOutcome:
    """A poll task that crashed counts as a failed feed, so one bad feed never fails the run."""
    if isinstance(result, PollOutcome):
        return result
    return PollOutcome(feed[0], feed[1], "failed", error=f"{type(result).__name__}: {result}")
