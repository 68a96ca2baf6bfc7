"""Quality on the dev data through the public commands (`replay`, `pairs`) and evalkit's scorers.

    python benchmarks/quality.py        # writes benchmarks/results/quality.json
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from common import DEV, evalkit, figures, row, save

WARWATCH = [sys.executable, "-m", "warwatch"]


def run(command: list[str], source: Path, target: Path) -> None:
    with open(source, encoding="utf-8") as stdin, open(target, "w", encoding="utf-8") as stdout:
        subprocess.run([*WARWATCH, *command, "-", "--json"], stdin=stdin, stdout=stdout, check=True)


def main() -> None:
    uci = DEV / "news-stories" / "uci_headlines.csv"
    mrpc = DEV / "paraphrase" / "msr_paraphrase_train.txt"
    war = DEV / "war-claims" / "moskva_bakhmut_kakhovka.jsonl"
    expected = DEV / "war-claims" / "moskva_bakhmut_kakhovka.expected.json"
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        evalkit("stories-input", uci, stdout=work / "uci.jsonl")
        run(["replay"], work / "uci.jsonl", work / "uci.out")
        result["uci_stories"] = figures(evalkit("score-stories", uci, work / "uci.out"))
        evalkit("pairs-input", mrpc, stdout=work / "mrpc.tsv")
        run(["pairs"], work / "mrpc.tsv", work / "mrpc.out")
        result["mrpc_paraphrase"] = figures(evalkit("score-pairs", mrpc, work / "mrpc.out"))
        run(["replay"], war, work / "war.out")
        result["war_claims"] = figures(evalkit("score-claims", expected, work / "war.out"))
        for name in ("SICK_train.txt", "SICK_trial.txt", "mnli_matched_1000.tsv"):
            nli = DEV / "nli" / name
            evalkit("pairs-input", nli, stdout=work / f"{name}.tsv")
            run(["pairs"], work / f"{name}.tsv", work / f"{name}.out")
            result[f"contradiction_{name.split('.')[0]}"] = figures(evalkit("score-pairs", nli, work / f"{name}.out"))
    save("quality", result, table=table(result))


def table(result: dict) -> list[dict]:
    """Summary rows, with the claim engine's targets (issue 4) where it has them."""
    war = result["war_claims"]
    found = int(war["cases_found"].split("/")[0])
    rows = [row("UCI story grouping B-cubed F1", result["uci_stories"]["bcubed_f1"]),
            row("MRPC duplicate accuracy", result["mrpc_paraphrase"]["duplicate_accuracy"]),
            row("war claims: cases found", war["cases_found"], "≥ 4/5", found >= 4),
            row("war claims: false alarms", war["false_alarms"], "0", war["false_alarms"] == "0"),
            row("war claims: must-link recall", war["must_link_recall"], "≥ 0.9", float(war["must_link_recall"]) >= 0.9)]
    for name, target in (("SICK_train", 0.90), ("SICK_trial", 0.90), ("mnli_matched_1000", 0.55)):
        f1 = result[f"contradiction_{name}"]["contradiction_f1"]
        rows.append(row(f"{name} contradiction F1", f1, f"≥ {target}", float(f1) >= target))
    return rows


if __name__ == "__main__":
    main()
