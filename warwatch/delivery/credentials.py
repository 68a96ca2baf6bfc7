"""Where the Slack token comes from: ``SLACK_BOT_TOKEN`` or a Prefect Secret block. Never logged.

The token travels as a pydantic ``SecretStr`` (printed as ``**********``) until the Slack client is built.
"""

from __future__ import annotations

import os

from pydantic import SecretStr

from warwatch.config.settings import ConfigError, Settings


def slack_token(settings: Settings) -> SecretStr | None:
    """The bot token, or None when no source is configured."""
    if token := os.environ.get("SLACK_BOT_TOKEN"):
        return SecretStr(token)
    if not settings.slack_token_block:
        return None
    from prefect.blocks.system import Secret

    try:
        return SecretStr(Secret.load(settings.slack_token_block).get())
    except (ValueError, KeyError):
        raise ConfigError(f"Prefect Secret block {settings.slack_token_block!r} not found") from None
