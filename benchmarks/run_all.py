"""Run every benchmark, one after another, and write the summary table.

    python benchmarks/run_all.py              # all of them
    python benchmarks/run_all.py ann_scale    # some of them, by name

Each script writes ``benchmarks/results/NAME.json``; this collects their ``table`` rows into
``benchmarks/results/summary.json`` and ``benchmarks/results/summary.md`` and prints the table.
A script that fails is reported in the table and makes the exit status non-zero.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from common import RESULTS

HERE = Path(__file__).resolve().parent

#: In run order: quality first, then speed, scale and memory (the soak is the longest).
BENCHMARKS = ["quality", "story_speed", "claim_speed", "pipeline_speed", "encoder_speed", "ann_scale",
              "polling_speed", "load", "parse_feeds", "growth", "soak"]


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|")


def markdown(rows: list[dict]) -> str:
    lines = ["| benchmark | figure | value | target | met |", "|---|---|---|---|---|"]
    for r in rows:
        met = {True: "yes", False: "**no**", None: ""}[r.get("met")]
        lines.append(f"| {r['benchmark']} | {_cell(r['figure'])} | {_cell(r['value'])} | {_cell(r['target'])} | {met} |")
    return "\n".join(lines) + "\n"


def main(names: list[str]) -> int:
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    rows, failed = [], 0
    for name in names or BENCHMARKS:
        start = time.perf_counter()
        code = subprocess.run([sys.executable, str(HERE / f"{name}.py")], cwd=HERE.parent).returncode
        seconds = round(time.perf_counter() - start)
        if code:
            failed += 1
            rows.append({"benchmark": name, "figure": f"failed (exit {code})", "value": None, "target": "", "met": False})
            continue
        result = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
        rows += [{"benchmark": name, **r} for r in result.get("table", [])]
        print(f"{name}: {seconds} s", file=sys.stderr)
    (RESULTS / "summary.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    table = markdown(rows)
    (RESULTS / "summary.md").write_text(table, encoding="utf-8")
    print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
