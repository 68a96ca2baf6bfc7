"""Rendering for people: run-summary and decision tables for Prefect artifacts, story views for the terminal."""
