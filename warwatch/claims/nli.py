"""Optional NLI scoring of claim pairs with a cross-encoder (:mod:`warwatch.crossencoder`).

Off unless ``settings.claims.nli_model`` names a model (for example
cross-encoder/nli-deberta-v3-xsmall). The model is loaded offline only, on CPU,
from a local path or the local Hugging Face cache; warwatch never downloads it.
"""

from __future__ import annotations

from functools import lru_cache

from warwatch.crossencoder import load_classifier, probabilities

#: Label names recognised in the model config's ``id2label`` (case-insensitive substrings).
LABELS = ("contradiction", "entailment", "neutral")


class NliModelError(RuntimeError):
    """The NLI model cannot be loaded offline or has no contradiction label."""


def _label_index(id2label: dict[int, str]) -> dict[str, int]:
    """Map each recognised label name to its logit index."""
    found: dict[str, int] = {}
    for index, label in id2label.items():
        for name in LABELS:
            if name in str(label).lower():
                found.setdefault(name, int(index))
    return found


class NliModel:
    """An NLI cross-encoder on CPU; label order comes from its ``id2label``."""

    def __init__(self, name_or_path: str, batch_size: int = 32) -> None:
        self._tokenizer, self._model = load_classifier(name_or_path, "NLI model", NliModelError)
        self.labels = _label_index(self._model.config.id2label or {})
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
        read = probabilities(self._tokenizer, self._model, pairs, self.batch_size)
        return read[:, self.labels["contradiction"]].tolist()


@lru_cache(maxsize=4)
def load_nli(name_or_path: str) -> NliModel:
    """The :class:`NliModel` for ``name_or_path``; one instance per name per process."""
    return NliModel(name_or_path)

