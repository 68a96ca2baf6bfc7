"""Near-duplicate scoring of two texts: their lexical features and the duplicate decision.

The story grouper scores its duplicate candidates with :func:`duplicate_score`; ``warwatch pairs`` scores sentence
pairs with it too, and reads the same trigram overlap (:meth:`TextFeatures.overlap`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property
from typing import TYPE_CHECKING

from warwatch.lexicon import STOPWORDS

if TYPE_CHECKING:
    from warwatch.stories.grouping import GroupingParams

# Duplicate scoring was tuned with its own list: some pronouns and determiners, modals, question words and
# intensifiers count as content here; prepositions, negations, "more", "most" and reporting verbs do not.
_STOPWORDS = (STOPWORDS - frozenset("""
am any anything can each here him how just may me might must my one ones quite really shall some something them
there us very what when where which while who whom whose your
""".split())) | frozenset("about after before in into on out over up no not more most said say says".split())
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_WORD = re.compile(r"[^\W_]+")


def normalize_text(text: str) -> str:
    """Case-folded, accent-preserving, punctuation-free, single-spaced text."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000
    return " ".join(_WORD.findall(text))


class TextFeatures:
    """Lexical features of one text: its normalised form at once, the rest when a comparison first needs them
    (most members of a story window are never a duplicate candidate, and a window of 50,000 articles spent most of
    a run's grouping on their trigrams)."""

    def __init__(self, text: str) -> None:
        self.raw = text or ""
        self.norm = normalize_text(self.raw)

    @classmethod
    def of(cls, text: str) -> TextFeatures:
        return cls(text)

    @cached_property
    def trigrams(self) -> frozenset[str]:
        padded = f" {self.norm} "
        return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))

    @cached_property
    def content(self) -> frozenset[str]:
        return frozenset(
            w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in self.norm.split()
            if w not in _STOPWORDS
        )

    @cached_property
    def numbers(self) -> frozenset[str]:
        return frozenset(n.replace(",", "") for n in _NUMBER.findall(unicodedata.normalize("NFKC", self.raw)))

    def overlap(self, other: TextFeatures) -> float:
        """Jaccard overlap of the two texts' character trigrams (0 when both are empty)."""
        shared = len(self.trigrams & other.trigrams)
        union = len(self.trigrams) + len(other.trigrams) - shared
        return shared / union if union else 0.0


def _lexical(a: TextFeatures, b: TextFeatures) -> tuple[float, int, int]:
    """(trigram Jaccard, numbers not shared, new content words on the more novel side)."""
    jaccard = a.overlap(b)
    numbers = len(a.numbers ^ b.numbers)
    novel = max(len(a.content - b.content), len(b.content - a.content))
    return jaccard, numbers, novel


def duplicate_score(
    cosine: float | None, a: TextFeatures, b: TextFeatures, params: GroupingParams
) -> tuple[bool, float]:
    """Near-duplicate decision and score for two articles' precomputed features.

    With a cosine: ``cos + overlap_weight * jaccard3 - number_penalty * numbers -
    novel_word_penalty * novel`` against ``duplicate_threshold``. Without (either
    vector missing): ``jaccard3 - number_penalty * numbers`` against
    ``lexical_duplicate_threshold``. Identical normalised texts are always duplicates;
    texts that each carry a figure the other lacks never are (unless
    ``params.changed_figure_is_copy``).
    """
    if a.norm and a.norm == b.norm:
        return True, 1.0 + params.overlap_weight if cosine is not None else 1.0
    jaccard, numbers, novel = _lexical(a, b)
    possible = params.changed_figure_is_copy or not figure_changed(a, b)
    if cosine is None:
        score = jaccard - params.number_penalty * numbers
        return possible and score >= params.lexical_duplicate_threshold, score
    score = (
        cosine
        + params.overlap_weight * jaccard
        - params.number_penalty * numbers
        - params.novel_word_penalty * novel
    )
    return possible and score >= params.duplicate_threshold, score


def figure_changed(a: TextFeatures, b: TextFeatures) -> bool:
    """Whether each text has a figure the other lacks (one figure replaced by another)."""
    return bool(a.numbers - b.numbers and b.numbers - a.numbers)
