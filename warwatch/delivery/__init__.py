"""Delivery to Slack: the outbox, routing, credentials, message views, Block Kit building, sending and alerts."""
