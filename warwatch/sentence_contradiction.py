"""Does one sentence contradict another? Interpretable features and a small logistic model.

The two sentences are compared word by word (light stems, a few synonyms) and a handful
of linguistically motivated features are read off: a negation on one side only and how
much of the denied sentence the other one asserts, opposite words in place of each other,
different numbers, an absolute word ("always", "only") on one side, shared words, and the embedding cosine.

Two sets of weights: one for *scenes* (either sentence in the progressive, "a man is
running"), one for *claims* (everything else). With indefinite people and things in a
scene, a denial contradicts only when the other sentence asserts the whole denied event
("there is no man dancing" against "a man is praying" does not); claims are usually about
the same named things, so denying a part of what the other says already contradicts it.
``benchmarks/fit_contradiction.py`` fits the weights.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from warwatch.lexicon import NEGATIONS, STOPWORDS, contrast, number, opposite, stem, tokens

#: Words that make a claim absolute; an absolute on one side only often marks a contradiction.
ABSOLUTES = frozenset({"all", "always", "every", "everyone", "everything", "only", "completely", "entirely",
                       "totally", "definitely", "never", "nothing", "nobody", "none"})

PARTICLES = frozenset({"in", "into", "inside", "out", "outside", "on", "onto", "off", "up", "down", "over",
                       "under", "above", "below", "at", "to", "from", "by", "through", "across", "around",
                       "along", "near", "toward", "towards", "away", "about", "for", "of", "with", "without"})

_PROGRESSIVE = re.compile(r"\b(?:is|are|was|were|being)\b(?:\s+(?:not|n't))?(?:\s+\w+ly)?\s+\w+ing\b", re.I)


@dataclass(frozen=True)
class Verdict:
    contradiction: bool
    kind: str | None  # "negation", "antonym", "number", "absolute", or None
    score: float  # 0..1


@dataclass(frozen=True)
class _Side:
    negations: int
    content: tuple[str, ...]  # stems of content words, in order
    particles: frozenset[str]  # prepositions and particles ("in", "off"): relations, not content
    numbers: frozenset[float]
    numerals: frozenset[str]  # stems of the words that gave the numbers
    absolutes: frozenset[str]


def _side(text: str) -> _Side:
    words = tokens(text)
    negations, content, particles, numbers, numerals = 0, [], set(), set(), set()
    for i, word in enumerate(words):
        if word in NEGATIONS:
            if word == "no" and i and words[i - 1] == "with":
                content.append("without")  # "with no hat" describes, it does not deny
            else:
                negations += 1
            continue
        value = number(word)
        if value is not None:
            numbers.add(value)
            numerals.add(stem(word))
        if word in PARTICLES:
            particles.add(word)
        elif word not in STOPWORDS:
            content.append(stem(word))
    return _Side(negations, tuple(content), frozenset(particles), frozenset(numbers), frozenset(numerals),
                 frozenset(words) & ABSOLUTES)


def _covered(words: tuple[str, ...], other: set[str]) -> float:
    return sum(w in other for w in words) / len(words) if words else 1.0


def is_scene(a: str, b: str) -> bool:
    """Whether either sentence describes a scene in the progressive ("is running")."""
    return bool(_PROGRESSIVE.search(a) or _PROGRESSIVE.search(b))


def features(a: str, b: str, cosine: float | None) -> dict[str, float]:
    """The model's inputs for the pair ``a``, ``b``."""
    sa, sb = _side(a), _side(b)
    set_a, set_b = set(sa.content), set(sb.content)
    only_a, only_b = (set_a | sa.particles) - (set_b | sb.particles), (set_b | sb.particles) - (set_a | sa.particles)
    opposites = [(x, y) for x in only_a for y in only_b if opposite(x, y)]
    contrasts = [(x, y) for x in only_a for y in only_b if contrast(x, y)]
    numbers = bool(sa.numbers - sb.numbers and sb.numbers - sa.numbers)
    paired = {w for pair in opposites + contrasts for w in pair} | (sa.numerals | sb.numerals if numbers else set())
    aligned = min(_covered(sa.content, set_b | paired), _covered(sb.content, set_a | paired))
    cover_ab, cover_ba = _covered(sa.content, set_b), _covered(sb.content, set_a)
    denied = cover_ab if sa.negations else cover_ba
    negation = float((sa.negations > 0) != (sb.negations > 0))
    # polarity: an opposite word under a one-sided negation flips it back ("not open" / "closed")
    antonym = float(bool(opposites) and not negation)
    cosine = cosine if cosine is not None else 0.0
    return {
        "negation": negation,
        "negation_cover": negation * denied,
        "negation_full": negation * (denied == 1.0),
        "negation_cosine": negation * cosine,
        "negation_opposite": negation * bool(opposites or contrasts),
        "antonym": antonym * aligned,
        "contrast": bool(contrasts) * aligned,
        "number": numbers * aligned,
        "absolute": float(sa.absolutes != sb.absolutes),
        "cover_min": min(cover_ab, cover_ba),
        "cover_max": max(cover_ab, cover_ba),
        "cosine": cosine,
    }


#: Logistic weights per regime (the bias includes the decision threshold). Fitted by
#: ``python benchmarks/fit_contradiction.py`` (scikit-learn, L2, C=1) on SICK_train and the MNLI
#: matched 1000-pair sample in ../shared/eval-data/dev/nli; held out: SICK_trial F1 0.845, MNLI
#: 5-fold cross-validated F1 0.570. Re-run it after changing a feature and paste its output here.
WEIGHTS: dict[str, dict[str, float]] = {
    "scene": {
        "negation": 0.223,
        "negation_cover": 1.943,
        "negation_full": 3.483,
        "negation_cosine": 3.131,
        "negation_opposite": -0.861,
        "antonym": 2.882,
        "contrast": -0.353,
        "number": -0.088,
        "absolute": 1.749,
        "cover_min": 0.053,
        "cover_max": -0.401,
        "cosine": 1.39,
        "bias": -4.285,
    },
    "claim": {
        "negation": 0.401,
        "negation_cover": 2.328,
        "negation_full": 1.637,
        "negation_cosine": 0.03,
        "negation_opposite": 0.121,
        "antonym": 2.397,
        "contrast": 0.055,
        "number": 1.373,
        "absolute": 0.697,
        "cover_min": -0.711,
        "cover_max": 0.107,
        "cosine": -1.23,
        "bias": 0.439,
    },
}

_KINDS = ("negation", "antonym", "number", "absolute")


def judge(a: str, b: str, cosine: float | None = None) -> Verdict:
    """Whether ``a`` and ``b`` contradict each other, the main reason (``kind``) and a 0..1 score."""
    values = features(a, b, cosine)
    weights = WEIGHTS["scene" if is_scene(a, b) else "claim"]
    parts = {name: weights.get(name, 0.0) * value for name, value in values.items()}
    logit = weights.get("bias", 0.0) + sum(parts.values())
    score = 1.0 / (1.0 + math.exp(-logit))
    if logit <= 0:
        return Verdict(False, None, score)
    parts["negation"] += parts["negation_cover"] + parts["negation_full"] + parts["negation_cosine"]
    reasons = [k for k in _KINDS if values[k] and parts[k] > 0]
    return Verdict(True, max(reasons, key=parts.get) if reasons else None, score)
