"""Task for the story stage: assign new articles to stories and enqueue their deliveries."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NONE

from warwatch.config.settings import load_settings
from warwatch.delivery.outbox import enqueue_assignments
from warwatch.render.artifacts import TABLE_ROWS, StageSummary, story_decision_rows, table_description
from warwatch.store.db import session
from warwatch.stories.assign import assign_stories


@task(name="assign-stories", cache_policy=NONE)
def assign_stories_task() -> StageSummary:
    """Group every unassigned article; its deliveries are enqueued in the same transaction."""
    settings = load_settings()
    with session(settings.db_url) as s:
        assignments = assign_stories(s, settings.stories, index_file=settings.index_file("stories"))
        enqueued = enqueue_assignments(s, assignments, settings)
        s.commit()
        rows = story_decision_rows(s, assignments[:TABLE_ROWS])
    if rows:
        create_table_artifact(key="warwatch-story-decisions", table=rows,
                              description=table_description("Why each new article joined its story, and whether it is on "
                                                            "the topic", len(assignments),
                                                            "warwatch stories"))
    summary = StageSummary(
        new_stories=sum(a.new_story for a in assignments),
        updates=sum(not a.new_story and a.duplicate_of_id is None for a in assignments),
        duplicates=sum(a.duplicate_of_id is not None for a in assignments),
        off_topic=sum(not a.relevant for a in assignments),
        enqueued=enqueued,
    )
    get_run_logger().info("%s", summary)
    return summary
