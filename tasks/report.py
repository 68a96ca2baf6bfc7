"""Task that publishes the run summary artifact."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE

from warwatch.delivery.send import DeliveryReport
from warwatch.feeds.polling import PollOutcome
from warwatch.render.artifacts import (
    TABLE_ROWS,
    StageSummary,
    feed_health_rows,
    run_summary_markdown,
    table_description,
)
from warwatch.store.retention import PruneReport


@task(name="run-summary", cache_policy=NONE)
def run_summary_task(outcomes: list[PollOutcome], stage: StageSummary, delivery: DeliveryReport,
                     contradictions: int = 0, pruned: PruneReport | None = None) -> str:
    """Publish the keyed run summary and feed-health table of this run; return the summary markdown."""
    markdown = run_summary_markdown(outcomes, stage, delivery, contradictions, pruned)
    create_markdown_artifact(key="warwatch-run-summary", markdown=markdown, description="warwatch monitor run")
    if outcomes:
        create_table_artifact(key="warwatch-feed-health", table=feed_health_rows(outcomes)[:TABLE_ROWS],
                              description=table_description("Each polled feed, failing ones first: status, new articles, "
                                                            "failures, error", len(outcomes), "warwatch feeds"))
    return markdown
