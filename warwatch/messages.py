"""Message text for stories and coverage, with feed text made safe for Slack mrkdwn."""

from __future__ import annotations

from warwatch.store.models import Article, Feed


def mrkdwn_escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters.

    With ``<`` and ``>`` escaped no feed text can form ``<!channel>``, ``<@U123>``
    or a ``<http://evil|label>`` link.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str) -> str:
    return f"<{mrkdwn_escape(url)}>" if url.startswith(("http://", "https://")) else ""


def story_text(article: Article, feed: Feed) -> str:
    """A new story: headline, outlet, time, link."""
    when = article.published.strftime("%d %b %Y %H:%M UTC")
    lines = [f"*{mrkdwn_escape(article.title)}*", f"{mrkdwn_escape(feed.name)} · {when}"]
    if link := _link(article.url):
        lines.append(link)
    return "\n".join(lines)


def coverage_text(article: Article, feed: Feed) -> str:
    """Another outlet's non-duplicate report of a known story."""
    when = article.published.strftime("%d %b %H:%M UTC")
    line = f"{mrkdwn_escape(feed.name)} · {when}: {mrkdwn_escape(article.title)}"
    return f"{line} {_link(article.url)}".rstrip()
