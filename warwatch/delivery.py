"""Sending pending outbox messages to Slack, or to the console when Slack is not configured."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from rich.console import Console
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy.orm import Session

from warwatch.config.settings import Settings
from warwatch.credentials import slack_token
from warwatch.outbox import pending
from warwatch.store.models import Delivery, utcnow

AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive"})
MAX_ATTEMPTS = 5


class DeliveryAuthError(Exception):
    """Slack refused the token: the run fails once, clearly, without retrying every message."""


class Sink(Protocol):
    name: str

    def check(self) -> None:
        """Fail early, with DeliveryAuthError, when the sink cannot be used."""

    def send(self, delivery: Delivery) -> str | None:
        """Send one message; return its Slack ts when there is one."""


class ConsoleSink:
    """Prints each message: the sink when no Slack token and channel are configured."""

    name = "console"

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def check(self) -> None:
        pass

    def send(self, delivery: Delivery) -> str | None:
        self.console.rule(f"[bold]{delivery.kind}[/bold]", align="left")
        self.console.print(delivery.text, markup=False, highlight=False)
        return None


class SlackSink:
    """Posts with slack_sdk's ``chat.postMessage``; 429s honour Retry-After."""

    name = "slack"

    def __init__(self, token: str, base_url: str, channel: str) -> None:
        self.client = WebClient(token=token, base_url=base_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=5)])
        self.channel = channel

    def check(self) -> None:
        with _auth_errors():
            self.client.auth_test()

    def send(self, delivery: Delivery) -> str | None:
        with _auth_errors():
            response = self.client.chat_postMessage(
                channel=delivery.channel or self.channel, text=delivery.text, unfurl_links=False, unfurl_media=False
            )
        return response["ts"]


@contextmanager
def _auth_errors() -> Iterator[None]:
    """Turn Slack's token errors into DeliveryAuthError; other API errors pass through."""
    try:
        yield
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown_error")
        if error in AUTH_ERRORS:
            raise DeliveryAuthError(f"Slack rejected the bot token ({error})") from None
        raise


def make_sink(settings: Settings) -> Sink:
    """Slack when a token and channel are configured, else the console."""
    token = slack_token(settings)
    if token and settings.slack_channel:
        return SlackSink(token, settings.slack_api_url, settings.slack_channel)
    return ConsoleSink()


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_pending(session: Session, sink: Sink) -> DeliveryReport:
    """Send every pending delivery in order, committing after each one.

    The attempt is counted before sending; a failure keeps the message queued
    until it has failed ``MAX_ATTEMPTS`` times. An auth error stops the run.
    """
    report = DeliveryReport()
    for delivery in pending(session):
        delivery.attempts += 1
        session.commit()
        try:
            ts = sink.send(delivery)
        except SlackApiError as exc:
            delivery.last_error = exc.response.get("error", "unknown_error")
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = "failed"
            report.failed += 1
            report.errors.append(f"{delivery.key}: {delivery.last_error}")
        else:
            delivery.status, delivery.slack_ts, delivery.sent_at = "sent", ts, utcnow()
            delivery.last_error = None
            report.sent += 1
        session.commit()
    return report
