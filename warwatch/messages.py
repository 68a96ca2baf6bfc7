"""Feed text made safe for Slack mrkdwn."""

from __future__ import annotations


def mrkdwn_escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters.

    With ``<`` and ``>`` escaped no feed text can form ``<!channel>``, ``<@U123>``
    or a ``<http://evil|label>`` link.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
