"""Prefect tasks: thin wrappers over plain functions in the warwatch package."""
