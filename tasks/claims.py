"""Task for the claim stage: check new articles' claims, enqueue an alert per alerted contradiction, publish the table."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NONE

from warwatch.claims.stage import check_claims, nli_judge
from warwatch.config.settings import load_settings
from warwatch.delivery.outbox import enqueue_contradictions
from warwatch.render.artifacts import TABLE_ROWS, contradiction_rows, table_description
from warwatch.store.db import session


@task(name="check-claims", cache_policy=NONE)
def check_claims_task() -> int:
    """Compare new claims with earlier reports; each contradiction and its alert commit together. Those below
    ``claims.alert_confidence`` are recorded for review (digest, ``warwatch stories --story N``), not alerted."""
    settings = load_settings()
    judge = nli_judge(settings.claims)
    with session(settings.db_url) as s:
        found = check_claims(s, settings.stories, settings.claims, judge, index_file=settings.index_file("claims"))
        views = enqueue_contradictions(s, found)
        s.commit()
    create_table_artifact(key="warwatch-contradictions", table=contradiction_rows(views[:TABLE_ROWS]),
                          description=table_description("New claims that contradict earlier reports, side by side, "
                                                        "with the reason", len(views), "warwatch stories --story N"))
    alerted = sum(view.alerted for view in views)
    get_run_logger().info("%d new contradiction(s): %d alerted, %d for review", len(found), alerted, len(found) - alerted)
    return len(found)
