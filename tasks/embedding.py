"""Tasks that warm the vector cache for chunks of new articles on the flow's task runner (Dask workers)."""

from __future__ import annotations

from prefect import Task, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.futures import wait

from warwatch.config.settings import load_settings
from warwatch.fanout import warm_article_vectors, warm_claim_vectors


@task(name="warm-article-vectors", cache_policy=NONE)
def warm_article_vectors_task(article_ids: list[int]) -> int:
    """Encode a chunk of new articles for the story stage; returns how many texts were encoded."""
    settings = load_settings()
    encoded = warm_article_vectors(settings.db_url, settings.stories, article_ids)
    get_run_logger().info("%d of %d article(s) encoded", encoded, len(article_ids))
    return encoded


@task(name="warm-claim-vectors", cache_policy=NONE)
def warm_claim_vectors_task(article_ids: list[int]) -> int:
    """Extract a chunk of grouped articles' claims and encode their sentences for the claim stage."""
    settings = load_settings()
    encoded = warm_claim_vectors(settings.db_url, settings.stories, article_ids)
    get_run_logger().info("%d claim sentence(s) of %d article(s) encoded", encoded, len(article_ids))
    return encoded


def fan_out(warm: Task[[list[int]], int], article_ids: list[int]) -> None:
    """With the Dask runner, map ``warm`` over chunks of ``article_ids`` and wait for every chunk.

    A failed chunk does not fail the run: the stage after it encodes whatever is still missing. With
    threads nothing is mapped; the stages encode in the flow's process, in one batch, as before.
    """
    fanout = load_settings().fanout
    if fanout.runner != "dask" or not article_ids:
        return
    size = fanout.chunk_size
    wait(warm.map([article_ids[i:i + size] for i in range(0, len(article_ids), size)]))
