"""Sending the outbox to Slack (or the console), exactly once, in order, within Slack's rules.

Every post carries the delivery's idempotency key in Slack message metadata. The
attempt is counted and committed before the post and the ts after it, so when a
process dies between the two, the next run finds the key in the channel (or thread)
and marks the message sent instead of posting it again. A coverage update refreshes its
story's parent message before it is marked sent, so that refresh is never skipped either.
One process delivers at a time (a store-wide lock), and no Slack call is made inside a
database transaction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from urllib.error import URLError

from rich.console import Console
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy.orm import Session

from warwatch.config.settings import Settings
from warwatch.delivery.blocks import parent_update
from warwatch.delivery.credentials import slack_token
from warwatch.delivery.outbox import pending, story_parent
from warwatch.delivery.views import story_view
from warwatch.store.db import exclusive
from warwatch.store.models import Delivery, utcnow

log = logging.getLogger(__name__)

AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive"})
CHANNEL_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
FORMAT_ERRORS = frozenset({"msg_too_long", "invalid_blocks", "invalid_blocks_format"})
METADATA_EVENT = "warwatch_delivery"
PLAIN_TEXT_LIMIT = 3000


class DeliveryAuthError(Exception):
    """Slack refused the token: the run fails once, clearly, without retrying every message."""


class DeliveryFailed(Exception):
    """This delivery cannot go out (its channel is gone, say); the others go on."""


class SlackUnavailable(Exception):
    """Slack cannot be reached or keeps refusing for now; the queue waits for a later run."""


class Sink(Protocol):
    name: str

    def check(self) -> None:
        """Fail early, with DeliveryAuthError, when the sink cannot be used."""

    def post(self, channel: str, message: dict, *, thread_ts: str | None, broadcast: bool, key: str) -> tuple[str, str]:
        """Post one message; return (channel id, ts)."""

    def update(self, channel: str, ts: str, message: dict) -> None:
        """Replace a posted message."""

    def find(self, channel: str, key: str, *, thread_ts: str | None, since: datetime) -> str | None:
        """The ts of a message already posted with ``key``, if any."""


class ConsoleSink:
    """Prints each message: the sink when no Slack token and channel are configured."""

    name = "console"

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self._count = 0

    def check(self) -> None:
        pass

    def post(self, channel: str, message: dict, *, thread_ts: str | None, broadcast: bool, key: str) -> tuple[str, str]:
        self._count += 1
        label = "reply" if thread_ts else "post"
        self.console.rule(f"[bold]{label}[/bold] {key}", align="left")
        self.console.print(message["text"], markup=False, highlight=False)
        return channel, f"console.{self._count}"

    def update(self, channel: str, ts: str, message: dict) -> None:
        pass

    def find(self, channel: str, key: str, *, thread_ts: str | None, since: datetime) -> str | None:
        return None


class SlackSink:
    """slack_sdk's WebClient with Slack's retry handlers, paced per channel."""

    name = "slack"

    def __init__(self, token: str, base_url: str, pace_seconds: float = 1.0) -> None:
        self.client = WebClient(token=token, base_url=base_url, timeout=30, retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=10),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=2),
        ])
        self.pace_seconds = pace_seconds
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self) -> None:
        with _slack_errors():
            self.client.auth_test()

    def _pace(self, channel: str) -> None:
        """At most one message per ``pace_seconds`` per channel."""
        with self._lock:
            wait = self._last.get(channel, -1e9) + self.pace_seconds - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last[channel] = time.monotonic()

    def post(self, channel: str, message: dict, *, thread_ts: str | None, broadcast: bool, key: str) -> tuple[str, str]:
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"key": key}}
        args = dict(channel=channel, text=message["text"], thread_ts=thread_ts, metadata=metadata,
                    unfurl_links=False, unfurl_media=False, reply_broadcast=broadcast or None)
        self._pace(channel)
        try:
            with _slack_errors():
                response = self.client.chat_postMessage(blocks=message["blocks"] or None, **args)
        except DeliveryFailed as exc:
            if str(exc) not in FORMAT_ERRORS:
                raise
            log.warning("Slack refused the blocks (%s); posting plain text", exc)
            args["text"] = message["text"][:PLAIN_TEXT_LIMIT]
            self._pace(channel)
            with _slack_errors():
                response = self.client.chat_postMessage(**args)
        return response["channel"], response["ts"]

    def update(self, channel: str, ts: str, message: dict) -> None:
        self._pace(channel)
        with _slack_errors():
            self.client.chat_update(channel=channel, ts=ts, text=message["text"], blocks=message["blocks"])

    def find(self, channel: str, key: str, *, thread_ts: str | None, since: datetime) -> str | None:
        with _slack_errors():
            if thread_ts:
                pages = self.client.conversations_replies(channel=channel, ts=thread_ts, include_all_metadata=True,
                                                          limit=200)
            else:
                pages = self.client.conversations_history(channel=channel, oldest=str(since.timestamp() - 60),
                                                          include_all_metadata=True, limit=200)
            for page in pages:
                for message in page.get("messages", []):
                    metadata = message.get("metadata") or {}
                    if metadata.get("event_type") == METADATA_EVENT and \
                            (metadata.get("event_payload") or {}).get("key") == key:
                        return message["ts"]
        return None


@contextmanager
def _slack_errors() -> Iterator[None]:
    """Sort Slack's failures: the token (stop the run), this delivery (skip it), Slack itself (wait).

    The error raised keeps no link to slack_sdk's: its response holds the client and the request
    headers, so the token would be one attribute away from anything that walks or pickles the chain.
    """
    try:
        yield
    except SlackApiError as exc:
        problem = _sorted(exc.response.get("error", "unknown_error"), exc.response.status_code)
    except (URLError, ConnectionError, TimeoutError) as exc:
        problem = SlackUnavailable(f"Slack unreachable: {exc}")
    else:
        return
    try:
        raise problem
    finally:
        problem.__context__ = None


def _sorted(error: str, status: int) -> Exception:
    if error in AUTH_ERRORS:
        return DeliveryAuthError(f"Slack rejected the bot token ({error})")
    if status >= 500 or status == 429:
        return SlackUnavailable(f"Slack answered HTTP {status} ({error})")
    return DeliveryFailed(error)


def make_sink(settings: Settings) -> Sink:
    """Slack when a token and channel are configured, else the console."""
    token = slack_token(settings)
    if token and settings.slack_channel:
        return SlackSink(token.get_secret_value(), settings.slack_api_url, settings.slack_pace_seconds)
    return ConsoleSink()


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_pending(session: Session, sink: Sink) -> DeliveryReport:
    """Send every pending delivery in order. A delivery that cannot go out fails with its
    reason and the rest go on; when Slack is unavailable the queue waits, in order, for a
    later run; a rejected token stops the run.

    One process delivers at a time: a second run started meanwhile waits for the lock and
    then finds the queue sent. Without it both would read the same pending rows and post
    each message twice, and an attempt still in flight would look like a dead one.
    """
    session.commit()  # no transaction (on SQLite, the write lock) is held while waiting for the lock
    with exclusive(session.get_bind(), "delivery"):
        return _deliver_queue(session, sink)


def _deliver_queue(session: Session, sink: Sink) -> DeliveryReport:
    report = DeliveryReport()
    queue = pending(session)
    for position, delivery in enumerate(queue):
        try:
            _deliver(session, sink, delivery)
        except DeliveryFailed as exc:
            delivery.status, delivery.last_error = "failed", str(exc)
            report.failed += 1
            report.errors.append(f"{delivery.key}: {exc}")
        except SlackUnavailable as exc:
            delivery.last_error = str(exc)
            session.commit()
            report.waiting = len(queue) - position
            report.errors.append(f"{report.waiting} waiting: {exc}")
            break
        else:
            report.sent += 1
        session.commit()
    return report


def _deliver(session: Session, sink: Sink, delivery: Delivery) -> None:
    thread_ts, parent = None, None
    if delivery.kind in ("update", "alert"):
        parent = story_parent(session, delivery.story_id)
        if parent is None or parent.status != "sent":
            raise DeliveryFailed("the story's parent message was not posted")
        thread_ts, delivery.channel = parent.slack_ts, parent.channel
    for part in range(delivery.parts_sent, len(delivery.payload)):
        key = delivery.key if part == 0 else f"{delivery.key}#{part}"
        part_thread = thread_ts if part == 0 else thread_ts or delivery.slack_ts
        session.commit()  # hold no transaction (on SQLite, the write lock) across a call to Slack
        ts = None
        if delivery.attempts > delivery.parts_sent:  # an earlier attempt may have posted before dying
            ts = sink.find(delivery.channel, key, thread_ts=part_thread, since=delivery.created_at)
        delivery.attempts += 1
        session.commit()
        if ts is None:
            channel, ts = sink.post(delivery.channel, delivery.payload[part], thread_ts=part_thread,
                                    broadcast=delivery.broadcast and part == 0, key=key)
            delivery.channel = channel
        if part == 0:
            delivery.slack_ts = ts
        delivery.parts_sent = part + 1
        session.commit()
    if delivery.kind == "update":  # before the mark: a run that dies in between refreshes it again next time
        _refresh_parent(session, sink, parent)
    delivery.status, delivery.sent_at, delivery.last_error = "sent", utcnow(), None
    session.commit()


def _refresh_parent(session: Session, sink: Sink, parent: Delivery) -> None:
    """Show the story's current outlet count on its parent message; a failure here loses nothing."""
    message = _as_dict(parent_update(story_view(session, parent.story_id)))
    session.commit()
    try:
        sink.update(parent.channel, parent.slack_ts, message)
    except (DeliveryFailed, SlackUnavailable) as exc:
        log.warning("could not update the parent of story %s: %s", parent.story_id, exc)


def _as_dict(message) -> dict:
    return {"text": message.text, "blocks": message.blocks}
