"""Shared helpers for benchmark scripts: locating ../shared and writing results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EVALKIT = SHARED / "tools" / "evalkit.py"
DEV = SHARED / "eval-data" / "dev"
RESULTS = ROOT / "benchmarks" / "results"


def evalkit(*args: str | Path, stdout: Path | None = None) -> str:
    """Run an evalkit command; its output goes to ``stdout`` when given, else is returned."""
    command = [sys.executable, str(EVALKIT), *map(str, args)]
    if stdout is None:
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout
    with open(stdout, "w", encoding="utf-8") as handle:
        subprocess.run(command, check=True, stdout=handle)
    return ""


def figures(score_output: str) -> dict[str, str]:
    """The ``key=value`` figures on the last line of an evalkit score command."""
    return dict(pair.split("=", 1) for pair in score_output.strip().splitlines()[-1].split())


def row(figure: str, value: object, target: str = "", met: bool | None = None) -> dict:
    """One line of the summary table that ``run_all.py`` renders: a figure, its value and target."""
    return {"figure": figure, "value": value, "target": target, "met": met}


def save(name: str, result: dict, table: list[dict] | None = None) -> None:
    """Write ``benchmarks/results/NAME.json`` (with its summary ``table`` rows, see :func:`row`) and echo it."""
    if table is not None:
        result = {**result, "table": table}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
