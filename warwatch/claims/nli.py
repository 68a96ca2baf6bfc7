"""Optional NLI scoring of claim pairs with a sentence-transformers CrossEncoder.

Off unless ``settings.claims.nli_model`` names a model (for example
cross-encoder/nli-deberta-v3-xsmall). The model is loaded offline only, on CPU,
from a local path or the local Hugging Face cache; warwatch never downloads it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # importing sentence-transformers (and torch) is slow; do it on first load
    from sentence_transformers import CrossEncoder

#: Label names recognised in the model config's ``id2label`` (case-insensitive substrings).
LABELS = ("contradiction", "entailment", "neutral")


class NliModelError(RuntimeError):
    """The NLI model cannot be loaded offline or has no contradiction label."""


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _label_index(id2label: dict[int, str]) -> dict[str, int]:
    """Map each recognised label name to its logit index."""
    found: dict[str, int] = {}
    for index, label in id2label.items():
        for name in LABELS:
            if name in str(label).lower():
                found.setdefault(name, int(index))
    return found


class NliModel:
    """A CrossEncoder NLI model on CPU; label order comes from its ``id2label``."""

    def __init__(self, name_or_path: str, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import CrossEncoder

        try:
            self._encoder: CrossEncoder = CrossEncoder(
                name_or_path,
                device="cpu",
                local_files_only=True,
                activation_fn=torch.nn.Identity(),
            )
        except (OSError, ValueError) as exc:
            raise NliModelError(
                f"NLI model {name_or_path!r} is not available offline: {_one_line(exc)}"
            ) from exc
        config = getattr(self._encoder.model, "config", None)
        self.labels = _label_index(getattr(config, "id2label", None) or {})
        if "contradiction" not in self.labels:
            raise NliModelError(
                f"NLI model {name_or_path!r} has no contradiction label in its id2label"
            )
        self.name = name_or_path
        self.batch_size = batch_size

    def contradiction_probabilities(self, pairs: list[tuple[str, str]]) -> list[float]:
        """Probability that each (premise, hypothesis) pair contradicts, in pair order."""
        if not pairs:
            return []
        logits = self._encoder.predict(
            [list(pair) for pair in pairs],
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        logits = np.asarray(logits, dtype=np.float64).reshape(len(pairs), -1)
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=1, keepdims=True)
        return probabilities[:, self.labels["contradiction"]].tolist()


@lru_cache(maxsize=4)
def load_nli(name_or_path: str) -> NliModel:
    """The :class:`NliModel` for ``name_or_path``; one instance per name per process."""
    return NliModel(name_or_path)

