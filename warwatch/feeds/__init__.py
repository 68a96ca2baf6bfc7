"""Feeds: fetch, parse and normalise entries, poll the due feeds and store new articles (plain functions, no Prefect)."""
