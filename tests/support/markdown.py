"""Reading the run summary markdown the way a person reads it: by column name, not by exact row text."""

from __future__ import annotations


def run_figures(markdown: str) -> dict[str, int]:
    """The run summary's first table (one header row, one row of figures) as ``{column name: figure}``."""
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    header, _, figures = ([cell.strip() for cell in row.strip("|").split("|")] for row in rows[:3])
    return dict(zip(header, map(int, figures)))
