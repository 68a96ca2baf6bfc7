"""Run the monitor flow once in this process, optionally dying by SIGKILL at a named point.

Used by the crash and concurrency tests as a child process::

    python tests/support/monitor_child.py [--crash POINT] [--ready FILE --go FILE] [--hold FILE]

Settings come from the environment (``WARWATCH_*``, ``SLACK_BOT_TOKEN``, ``PREFECT_API_URL``).
A crash point wraps the real function at that point from the outside (the production code
has no crash hooks) and kills the process there, the way a power cut or the OOM killer would:
no ``finally`` blocks, no Prefect failure hooks, no rollback. ``--ready``/``--go`` make
the flow start only once the parent creates ``go`` (after this process created ``ready``),
so that two children start their runs at the same moment. ``--hold`` pauses the story stage
inside its transaction, at its first embedding, until ``FILE`` exists (``FILE.held`` says it got there):
a story stage as long as the parent wants.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _wrap(owner: object, name: str, *, before: Callable[..., bool] | None = None,
          after: Callable[..., bool] | None = None) -> None:
    """Replace ``owner.name`` by a wrapper that dies before the call, or after it returns,
    when the given predicate (called with the arguments, plus the result for ``after``) says so."""
    real = getattr(owner, name)  # AttributeError if the point moved: the test must not pass vacuously

    def wrapper(*args, **kwargs):
        if before is not None and before(*args, **kwargs):
            die()
        result = real(*args, **kwargs)
        if after is not None and after(result, *args, **kwargs):
            die()
        return result

    setattr(owner, name, wrapper)


def _always(*_args, **_kwargs) -> bool:
    return True


def _last_refresh(_sink, _channel: str, ts: str, _message: dict) -> bool:
    """Whether this refresh of the parent message ``ts`` is for its story's last coverage update
    (at most one, the one being delivered, still pending)."""
    from sqlalchemy import func, select

    from warwatch.config.settings import load_settings
    from warwatch.store.db import session
    from warwatch.store.models import Delivery

    with session(load_settings().db_url) as s:
        story = s.scalar(select(Delivery.story_id).where(Delivery.kind == "story", Delivery.slack_ts == ts))
        return s.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.story_id == story, Delivery.kind == "update", Delivery.status == "pending")) <= 1


def install(point: str) -> None:
    """Arm the crash ``point``."""
    import warwatch.delivery.outbox
    import warwatch.delivery.send
    import warwatch.feeds.polling
    import warwatch.stories.vectors
    import warwatch.tasks.claims
    import warwatch.tasks.feeds
    import warwatch.tasks.stories

    points: dict[str, Callable[[], None]] = {
        # a feed's HTTP response has been read in full; nothing of it parsed or stored yet
        "after-fetch": lambda: _wrap(warwatch.feeds.polling, "fetch", after=lambda r, *a, **k: not r.not_modified),
        # one feed's new articles are committed, the other feeds may not be
        "after-first-feed-stored": lambda: _wrap(warwatch.tasks.feeds, "poll_feed",
                                                 after=lambda outcome, *a, **k: bool(outcome.new_article_ids)),
        # every feed stored, the story stage not started
        "after-store": lambda: _wrap(warwatch.tasks.stories, "assign_stories", before=_always),
        # the model has encoded the first batch; the vectors are not stored
        "during-embedding": lambda: _wrap(warwatch.stories.vectors, "encode", after=_always),
        # stories assigned and their posts queued (committed); claims not checked
        "after-stories": lambda: _wrap(warwatch.tasks.claims, "check_claims", before=_always),
        # a contradiction is recorded (flushed), its alert not yet queued
        "after-contradiction": lambda: _wrap(warwatch.delivery.outbox, "enqueue_alert", before=_always),
        # Slack accepted the first chat.postMessage (a story's parent); the delivery is not marked sent
        "after-slack-post": lambda: _wrap(warwatch.delivery.send.SlackSink, "post", after=_always),
        # Slack accepted the contradiction alert (a broadcast thread reply); not marked sent
        "after-alert-post": lambda: _wrap(warwatch.delivery.send.SlackSink, "post",
                                          after=lambda r, *a, broadcast=False, **k: broadcast),
        # a story's last coverage update is marked sent; the parent's outlet count is not refreshed yet
        "before-parent-refresh": lambda: _wrap(warwatch.delivery.send.SlackSink, "update", before=_last_refresh),
    }
    points[point]()


POINTS = ("after-fetch", "after-first-feed-stored", "after-store", "during-embedding", "after-stories",
          "after-contradiction", "after-slack-post", "after-alert-post", "before-parent-refresh")


def hold(release: Path) -> None:
    """Make the first embedding wait for ``release`` to exist."""
    import warwatch.stories.vectors

    def wait(*_args, **_kwargs) -> bool:
        if not release.exists():
            release.with_suffix(".held").touch()
            while not release.exists():
                time.sleep(0.05)
        return False

    _wrap(warwatch.stories.vectors, "encode", before=wait)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--crash", choices=POINTS)
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--go", type=Path)
    parser.add_argument("--hold", type=Path)
    args = parser.parse_args()

    from warwatch.flows.monitor import monitor

    if args.crash:
        install(args.crash)
    if args.hold:
        hold(args.hold)
    if args.ready:
        args.ready.touch()
        while not args.go.exists():
            time.sleep(0.01)
    print(monitor())
    sys.stdout.flush()


if __name__ == "__main__":
    main()
