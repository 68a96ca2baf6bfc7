"""Questions tests ask of the Slack double's recordings."""

from __future__ import annotations

from warwatch.demo.slack_double import Call, SlackDouble


def calls_to(slack: SlackDouble, method: str) -> list[Call]:
    """The requests for one API method, e.g. ``"chat.postMessage"``, in arrival order."""
    return [call for call in slack.calls if call.method == method]


def pacing_violations(slack: SlackDouble, min_interval: float = 1.0) -> list[tuple[str, str, str]]:
    """``(channel id, earlier ts, later ts)`` for consecutive messages in a channel (replies included) that reached
    it closer than ``min_interval`` seconds apart."""
    found = []
    for cid in slack.channels:
        posts = sorted((m for top in slack.messages(cid) for m in (top, *top.replies)), key=lambda m: m.time)
        found += [(cid, a.ts, b.ts) for a, b in zip(posts, posts[1:]) if b.time - a.time < min_interval]
    return found
