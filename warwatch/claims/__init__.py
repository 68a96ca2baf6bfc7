"""Checkable claims: extraction, comparison and storage."""
