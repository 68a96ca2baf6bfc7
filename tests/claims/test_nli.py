"""The optional NLI model: offline loading, label order and contradiction scores."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from warwatch.claims.claim import Claim
from warwatch.claims.nli import NliModel, NliModelError, load_nli
from warwatch.claims.stage import nli_judge
from warwatch.config.settings import ClaimSettings

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "troops", "took", "the", "city", "lost", "."]
PAIRS = [("troops took the city .", "troops lost the city ."), ("the city", "the city")]


def tiny_model(path: Path, id2label: dict[int, str], dominant: int) -> Path:
    """Save a tiny BERT classifier whose logits always favour label ``dominant``."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    path.mkdir()
    vocab_file = path / "vocab.txt"
    vocab_file.write_text("\n".join(VOCAB) + "\n")
    config = BertConfig(
        vocab_size=len(VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        num_labels=len(id2label),
        id2label=id2label,
        label2id={label: index for index, label in id2label.items()},
    )
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        model.classifier.bias[dominant] = 5.0
    model.save_pretrained(path)
    BertTokenizer(vocab_file=str(vocab_file)).save_pretrained(path)
    return path


def test_contradiction_label_first(tmp_path: Path) -> None:
    path = tiny_model(tmp_path / "m", {0: "contradiction", 1: "entailment", 2: "neutral"}, 0)
    model = load_nli(str(path))
    assert load_nli(str(path)) is model
    probabilities = model.contradiction_probabilities(PAIRS)
    assert len(probabilities) == len(PAIRS)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert all(p > 0.9 for p in probabilities)
    assert model.contradiction_probabilities([]) == []


def test_label_order_from_config(tmp_path: Path) -> None:
    id2label = {0: "ENTAILMENT", 1: "NEUTRAL", 2: "CONTRADICTION"}
    favours_entailment = NliModel(str(tiny_model(tmp_path / "e", id2label, 0)))
    favours_contradiction = NliModel(str(tiny_model(tmp_path / "c", id2label, 2)))
    assert favours_entailment.labels == {"entailment": 0, "neutral": 1, "contradiction": 2}
    assert all(p < 0.1 for p in favours_entailment.contradiction_probabilities(PAIRS))
    assert all(p > 0.9 for p in favours_contradiction.contradiction_probabilities(PAIRS))


def test_missing_model(tmp_path: Path) -> None:
    missing = str(tmp_path / "absent")
    with pytest.raises(NliModelError) as info:
        load_nli(missing)
    message = str(info.value)
    assert "\n" not in message
    assert missing in message


def test_no_contradiction_label(tmp_path: Path) -> None:
    path = tiny_model(tmp_path / "m", {0: "positive", 1: "negative", 2: "neutral"}, 0)
    with pytest.raises(NliModelError, match="no contradiction label"):
        NliModel(str(path))


def test_nli_judge_reports_a_contradiction_only_above_the_threshold(tmp_path: Path) -> None:
    at = datetime(2024, 8, 12, tzinfo=timezone.utc)
    new, old = Claim("The bridge is intact.", "cause", at), Claim("The bridge was destroyed.", "cause", at)
    contradicting = tiny_model(tmp_path / "c", {0: "contradiction", 1: "entailment", 2: "neutral"}, dominant=0)
    entailing = tiny_model(tmp_path / "e", {0: "contradiction", 1: "entailment", 2: "neutral"}, dominant=1)
    assert nli_judge(ClaimSettings()) is None
    verdict = nli_judge(ClaimSettings(nli_model=str(contradicting)))(new, old)
    assert verdict.relation == "contradiction" and verdict.kind == "nli" and "p = " in verdict.reason
    assert nli_judge(ClaimSettings(nli_model=str(entailing)))(new, old) is None
