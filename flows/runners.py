"""The monitor flow's task runner, as the ``fanout`` settings choose it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from warwatch.config.settings import ConfigError, FanoutSettings, load_settings

if TYPE_CHECKING:
    from distributed import LocalCluster

#: Threads per Dask worker: the feed polls mostly wait on the network, so several share a worker.
DASK_THREADS_PER_WORKER = 8


def task_runner(fanout: FanoutSettings) -> TaskRunner:
    """Threads in the flow's process, or Dask: the cluster at ``dask_address``, else a LocalCluster of worker
    processes on 127.0.0.1, started when the run first submits a task and stopped when the run ends."""
    if fanout.runner == "threads":
        return ThreadPoolTaskRunner(max_workers=16)
    from prefect_dask import DaskTaskRunner

    if fanout.dask_address:
        return DaskTaskRunner(address=fanout.dask_address)
    return DaskTaskRunner(cluster_class=local_cluster,
                          cluster_kwargs={"n_workers": fanout.dask_workers, "processes": True,
                                          "threads_per_worker": DASK_THREADS_PER_WORKER, "host": "127.0.0.1",
                                          "dashboard_address": None})


def local_cluster(**kwargs) -> LocalCluster:
    """A LocalCluster whose workers report their task runs to the flow run's Prefect API.

    Without a configured server (``warwatch run`` with no ``PREFECT_API_URL``) that API is the temporary
    server Prefect started for the run; worker processes would not know it and would each start their own.
    """
    from distributed import LocalCluster
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        api_url = str(client.api_url)
    return LocalCluster(**kwargs, env={"PREFECT_API_URL": api_url})


def configured_task_runner() -> TaskRunner:
    """The task runner of the settings as this process sees them.

    Prefect fixes a flow's task runner where the flow is defined, and a worker (or ``warwatch serve``)
    runs each flow run in a new process that imports the flow, so reading the settings at import is
    reading them for that run. Settings that cannot be read give threads here; the run then stops on
    them with their one-line error.
    """
    try:
        return task_runner(load_settings().fanout)
    except ConfigError:
        return task_runner(FanoutSettings())
