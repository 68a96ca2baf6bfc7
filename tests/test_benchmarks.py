"""The one-command benchmark run covers every benchmark script."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
HELPERS = {"common", "corpus", "monitor_bench", "run_all", "fit_contradiction",
           "train_contradiction_model", "outlet_run"}  # shared modules (quality.py runs outlet_run); fitting tools

sys.path.insert(0, str(BENCHMARKS))
from run_all import BENCHMARKS as LISTED  # noqa: E402
from run_all import markdown  # noqa: E402


def test_run_all_lists_every_benchmark_script():
    scripts = {p.stem for p in BENCHMARKS.glob("*.py")} - HELPERS
    assert set(LISTED) == scripts


def test_summary_table_marks_misses_and_escapes_cells():
    table = markdown([{"benchmark": "b", "figure": "a | b", "value": 1.2, "target": "≤ 1", "met": False},
                      {"benchmark": "b", "figure": "c", "value": None, "target": "", "met": None}])
    assert "| b | a \\| b | 1.2 | ≤ 1 | **no** |" in table
    assert "| b | c |  |  |  |" in table
