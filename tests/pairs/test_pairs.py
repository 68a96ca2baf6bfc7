"""`warwatch pairs` and the built-in contradiction model it reads pairs with (the shipped adapter, offline)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from warwatch.pairs.model import (
    LABELS,
    ContradictionModel,
    ContradictionModelError,
    contradiction_log_odds,
    load_contradiction_model,
)

DENIALS = [
    ("Ukrainian troops are holding the bridge", "Ukrainian troops are not holding the bridge"),
    ("A crowd is gathering in the square", "Nobody is gathering in the square"),
    ("The shelter is full", "The shelter is empty"),
]
AGREEMENTS = [
    ("The ministry said the ferry had sunk", "The ferry sank, the ministry said"),
    ("A medic is carrying a stretcher", "A stretcher is being carried by a medic"),
    ("Two drones are flying over the port", "Drones are flying over the port"),
]


@pytest.fixture(scope="module")
def model() -> ContradictionModel:
    return load_contradiction_model()


def test_probabilities_are_one_row_per_pair_in_label_order(model):
    probabilities = model.probabilities(DENIALS + AGREEMENTS)
    assert probabilities.shape == (6, len(LABELS))
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert model.probabilities([]).shape == (0, len(LABELS))


def test_the_model_reads_denials_as_contradictions_and_restatements_not(model):
    odds = contradiction_log_odds(model.probabilities(DENIALS + AGREEMENTS))
    assert (odds[:3] > 0).all() and (odds[3:] < 0).all()


def test_batching_does_not_change_the_answer(model):
    pairs = DENIALS + AGREEMENTS
    one_by_one = np.concatenate([model.probabilities([pair]) for pair in pairs])
    assert np.allclose(one_by_one, model.probabilities(pairs), atol=1e-5)


def test_missing_adapter_is_one_clear_error(tmp_path: Path):
    with pytest.raises(ContradictionModelError, match="cannot be loaded"):
        ContradictionModel(adapter_dir=tmp_path / "nowhere")


def pairs_command(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "warwatch", "pairs", *args], input=stdin, capture_output=True,
                          text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=300)


def test_pairs_json_has_the_contract_fields():
    lines = [f"d{i}\t{a}\t{b}" for i, (a, b) in enumerate(DENIALS)]
    lines += [f"a{i}\t{a}\t{b}" for i, (a, b) in enumerate(AGREEMENTS)]
    lines += ["copy\tRussian strike hits Odesa port, two killed\tRussian strike hits Odesa port, two killed"]
    result = pairs_command("-", "--json", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    rows = {row["id"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert set(rows) == {"d0", "d1", "d2", "a0", "a1", "a2", "copy"}
    assert all(set(row) == {"id", "similarity", "duplicate", "contradiction", "kind"} for row in rows.values())
    assert all(rows[f"d{i}"]["contradiction"] and rows[f"d{i}"]["kind"] for i in range(3))
    assert not any(rows[f"a{i}"]["contradiction"] or rows[f"a{i}"]["kind"] for i in range(3))
    assert rows["copy"]["duplicate"] and not rows["copy"]["contradiction"] and rows["copy"]["similarity"] > 0.99


def test_pairs_table_names_the_contradiction():
    a, b = DENIALS[0]
    result = pairs_command("-", stdin=f"p1\t{a}\t{b}\n")
    assert result.returncode == 0, result.stderr
    assert "p1" in result.stdout and "contradiction" in result.stdout


@pytest.mark.parametrize("text, message", [("only two\tfields\n", "stdin line 1: expected 3 tab-separated fields, found 2"),
                                           ("", None)])
def test_bad_or_empty_input(text, message):
    result = pairs_command("-", "--json", stdin=text)
    if message is None:
        assert result.returncode == 0 and result.stdout == ""
    else:
        assert result.returncode == 2 and result.stderr == f"warwatch: {message}\n"
        assert "Traceback" not in result.stderr
