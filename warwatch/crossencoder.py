"""Cross-encoders, loaded offline: both sentences of a pair go through one transformer and a classification head
gives the probability of each label.

One loader and one batched reader for the two warwatch runs: the pair tool's built-in contradiction model
(:mod:`warwatch.pairs.model`) and the claim stage's optional NLI model (:mod:`warwatch.claims.nli`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # importing transformers (and torch) is slow; it is done on first load
    import torch


def one_line(text: object) -> str:
    """``text`` with its white space (newlines included) folded to single spaces, for a one-line error."""
    return " ".join(str(text).split())


def load_classifier(name_or_path: str, what: str, error: type[Exception], **config) -> tuple[object, torch.nn.Module]:
    """The tokenizer and sequence-classification model at ``name_or_path`` (a folder or a name in the local Hugging
    Face cache), never downloaded; ``config`` overrides the model's config (a fresh head's labels, say). A model that
    cannot be loaded raises ``error``, one line naming it as ``what`` and saying why."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # keep stderr for warwatch's own progress
    verbosity = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()  # a fresh head is reported as missing weights
    try:
        tokenizer = AutoTokenizer.from_pretrained(name_or_path, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(name_or_path, local_files_only=True, **config)
    except (OSError, ValueError) as exc:
        raise error(f"{what} {name_or_path!r} is not available offline: {one_line(exc)}") from exc
    finally:
        transformers_logging.set_verbosity(verbosity)
    return tokenizer, model.eval()


def tokenize(tokenizer, pairs: list[tuple[str, str]], max_tokens: int | None = None):
    """The model's input for ``pairs``, padded to the longest; a pair over ``max_tokens`` (default: the model's
    limit) loses the end of its longer side."""
    return tokenizer([a for a, _ in pairs], [b for _, b in pairs], padding=True, truncation=True,
                     max_length=max_tokens, return_tensors="pt")


def probabilities(tokenizer, model: torch.nn.Module, pairs: list[tuple[str, str]], batch_size: int = 64,
                  max_tokens: int | None = None) -> np.ndarray:
    """One row per pair: the model's label probabilities; pairs of similar length are batched together."""
    import torch

    out = np.zeros((len(pairs), model.config.num_labels))
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            logits = model(**tokenize(tokenizer, [pairs[i] for i in chunk], max_tokens)).logits
            out[chunk] = torch.softmax(logits.double(), dim=-1).numpy()
    return out
