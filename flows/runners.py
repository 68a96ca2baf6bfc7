"""The monitor flow's task runner, as the ``fanout`` settings choose it."""

from __future__ import annotations

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from warwatch.config.settings import ConfigError, FanoutSettings, load_settings

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
    return DaskTaskRunner(cluster_kwargs={"n_workers": fanout.dask_workers, "processes": True,
                                          "threads_per_worker": DASK_THREADS_PER_WORKER, "host": "127.0.0.1",
                                          "dashboard_address": None})


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
