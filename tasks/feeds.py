"""Tasks that sync the feed list and poll feeds: a batch at a time, and one feed again on a transient error, with the
flow's polling plumbing (:func:`poll_due`): batches, hand-over and retries with backoff."""

from __future__ import annotations

from collections import Counter
from functools import cache

import httpx
from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import task_run
from prefect.tasks import exponential_backoff

from warwatch.config.settings import HttpSettings, load_settings
from warwatch.delivery.outbox import enqueue_feed_alert
from warwatch.feeds.fetch import TransientFetchError, make_client
from warwatch.feeds.polling import PollOutcome, due_feeds, feed_batches, poll_feed, sync_feeds
from warwatch.store.db import session
from warwatch.store.models import utcnow

#: Poll tasks per run, each polling its share of the due feeds in turn (see poll-feeds).
POLL_BATCHES = 16


@cache
def _client(http_json: str) -> httpx.Client:
    """One pooled HTTP client per process and HTTP settings."""
    return make_client(HttpSettings.model_validate_json(http_json))


def _is_transient(task, task_run, state) -> bool:
    """Retry only timeouts, resets and 5xx-like failures."""
    return isinstance(state.result(raise_on_failure=False), TransientFetchError)


@task(name="sync-feeds", cache_policy=NONE)
def sync_feeds_task() -> list[tuple[int, str]]:
    """Upsert the configured feed list; return (id, name) of the feeds due now."""
    settings = load_settings()
    with session(settings.db_url) as s:
        due = due_feeds(s, sync_feeds(s, settings.feeds()), utcnow())
        s.commit()
    get_run_logger().info("%d feeds due", len(due))
    return due


@task(name="poll-feeds", task_run_name="poll {label}", cache_policy=NONE)
def poll_feeds_task(feeds: list[tuple[int, str]], label: str) -> list[PollOutcome]:
    """Poll a batch of (id, name) feeds in turn, one attempt each.

    A task per batch rather than per feed: every task run costs the Prefect API more than a
    304 poll costs here. A feed that meets a transient error (or any unexpected one) gets a
    "retry" outcome, unrecorded, and poll-feed takes it over, so one feed's trouble stays its
    own; with in-run retries off, a transient error is recorded at once.
    """
    settings = load_settings()
    client = _client(settings.http.model_dump_json())
    outcomes = []
    with session(settings.db_url) as s:
        for feed_id, feed_name in feeds:
            try:
                outcomes.append(poll_feed(s, client, feed_id, settings,
                                          raise_transient=settings.poll.task_retries > 0))
            except Exception as exc:  # noqa: BLE001 (isolation: this feed alone goes to poll-feed)
                s.rollback()
                outcomes.append(PollOutcome(feed_id, feed_name, "retry", error=f"{type(exc).__name__}: {exc}"))
    logger = get_run_logger()
    for outcome in outcomes:
        if outcome.status == "failed":
            logger.warning("%s failed (%d in a row): %s", outcome.feed_name, outcome.consecutive_failures,
                           outcome.error)
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(Counter(o.status for o in outcomes).items()))
    logger.info("%d feeds: %s; %d new articles", len(outcomes), statuses, sum(len(o.new_article_ids) for o in outcomes))
    return outcomes


@task(
    name="poll-feed",
    task_run_name="poll {feed_name}",
    cache_policy=NONE,
    retries=1,
    retry_delay_seconds=2,
    retry_jitter_factor=0.5,
    retry_condition_fn=_is_transient,
)
def poll_feed_task(feed_id: int, feed_name: str) -> PollOutcome:
    """Poll one feed that poll-feeds handed over; transient errors are retried, the last attempt records them.

    poll-feeds made the first of the ``poll.task_retries + 1`` attempts, so the run's retry
    settings give this task one retry fewer.
    """
    settings = load_settings()
    final_attempt = task_run.run_count >= settings.poll.task_retries
    with session(settings.db_url) as s:
        outcome = poll_feed(s, _client(settings.http.model_dump_json()), feed_id, settings,
                            raise_transient=not final_attempt)
    logger = get_run_logger()
    if outcome.status == "failed":
        logger.warning("%s failed (%d in a row): %s", feed_name, outcome.consecutive_failures, outcome.error)
    else:
        logger.info("%s: %s, %d new", feed_name, outcome.status, len(outcome.new_article_ids))
    return outcome


@task(name="feed-alerts", cache_policy=NONE)
def feed_alerts_task(outcomes: list[PollOutcome]) -> int:
    """Queue one alert per feed incident (N failed polls in a row) and one per recovery."""
    settings = load_settings()
    queued = 0
    with session(settings.db_url) as s:
        for o in outcomes:
            if o.status == "failed" or o.consecutive_failures:
                queued += enqueue_feed_alert(s, settings, o.feed_id, failing=o.status == "failed",
                                             failures=o.consecutive_failures, last_error=o.error)
        s.commit()
    return queued


def poll_due(due: list[tuple[int, str]]) -> list[PollOutcome]:
    """Poll the due feeds in batches, then each feed that met trouble on its own, with retries; one outcome per feed.

    Called from the flow: it maps poll-feeds over the batches and poll-feed over the feeds handed on.
    """
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
