"""Does one sentence contradict another? Interpretable features, a cross-encoder and a small logistic model.

The two sentences are compared word by word (light stems, a few synonyms) and a handful
of linguistically motivated features are read off: a negation on one side only and how
much of the denied sentence the other one asserts (denying "a person" denies "a woman"),
opposite words in place of each other, different numbers, an absolute word ("always",
"only") on one side only, shared words, and the embedding cosine. Beside them stands the
built-in contradiction model's reading of the pair (:mod:`warwatch.pairs.model`),
which catches what the word lists miss; the words still name the reason where they can.

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

from warwatch.lexicon import NEGATIONS, STOPWORDS
from warwatch.pairs.lexicon import contrast, includes, number, opposite, position, stem, tokens
from warwatch.pairs.model import LOG_ODDS_LIMIT

#: Words that make a claim absolute; an absolute on one side only often marks a contradiction.
ABSOLUTES = frozenset({"all", "always", "every", "everyone", "everything", "only", "completely", "entirely",
                       "totally", "definitely", "never", "nothing", "nobody", "none"})

#: Prepositions and particles: kept out of the shared-content measures, but "in"/"out" are opposites.
PARTICLES = frozenset({"in", "into", "inside", "out", "outside", "on", "onto", "off", "up", "down", "over",
                       "under", "above", "below", "at", "to", "from", "by", "through", "across", "around",
                       "along", "near", "toward", "towards", "away", "about", "for", "of", "with", "without"})

#: The model feature of a pair the contradiction model did not read: its lowest log-odds.
UNREAD = -LOG_ODDS_LIMIT

_PROGRESSIVE = re.compile(r"\b(?:is|are|was|were|being)\b(?:\s+(?:not|n't))?(?:\s+\w+ly)?\s+\w+ing\b", re.I)


@dataclass(frozen=True)
class Verdict:
    contradiction: bool
    kind: str | None  # "negation", "antonym", "number", "absolute", "model", or None
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


def _asserted(denied: tuple[str, ...], other: tuple[str, ...]) -> float:
    """Share of the denied words that the other sentence asserts, itself or as a kind of it ("person"/"woman")."""
    return sum(any(includes(w, o) for o in other) for w in denied) / len(denied) if denied else 1.0


def is_scene(a: str, b: str) -> bool:
    """Whether either sentence describes a scene in the progressive ("is running")."""
    return bool(_PROGRESSIVE.search(a) or _PROGRESSIVE.search(b))


def features(a: str, b: str, cosine: float | None, model: float | None = None) -> dict[str, float]:
    """The logistic model's inputs for the pair ``a``, ``b``.

    ``model`` is the built-in contradiction model's log-odds for the pair
    (:func:`warwatch.pairs.model.contradiction_log_odds`); None, for a pair it cannot
    read (a language it does not know), counts as its firmest "no" (:data:`UNREAD`).
    """
    sa, sb = _side(a), _side(b)
    set_a, set_b = set(sa.content), set(sb.content)
    words_a, words_b = set_a | sa.particles, set_b | sb.particles
    only_a, only_b = words_a - words_b, words_b - words_a
    opposites = [(x, y) for x in only_a for y in only_b if opposite(x, y)]
    contrasts = [(x, y) for x in only_a for y in only_b if contrast(x, y)]
    numbers = bool(sa.numbers - sb.numbers and sb.numbers - sa.numbers)
    paired = {w for pair in opposites + contrasts for w in pair} | (sa.numerals | sb.numerals if numbers else set())
    aligned = min(_covered(sa.content, set_b | paired), _covered(sb.content, set_a | paired))
    cover_ab, cover_ba = _covered(sa.content, set_b), _covered(sb.content, set_a)
    denied = _asserted(sa.content, sb.content) if sa.negations else _asserted(sb.content, sa.content)
    negation = float((sa.negations > 0) != (sb.negations > 0))
    # polarity: an opposite word under a one-sided negation flips it back ("not open" / "closed")
    positions = [pair for pair in opposites if position(*pair)]
    antonym = float(len(opposites) > len(positions) and not negation)
    posture = float(bool(positions) and not antonym and not negation)
    cosine = cosine if cosine is not None else 0.0
    return {
        "negation": negation,
        "negation_cover": negation * denied,
        "negation_full": negation * (denied == 1.0),
        "negation_cosine": negation * cosine,
        "negation_opposite": negation * bool(opposites or contrasts),
        "antonym": antonym * aligned,
        "posture": posture * aligned,
        "contrast": bool(contrasts) * aligned,
        "number": numbers * aligned,
        "absolute": float(sa.absolutes != sb.absolutes),
        "cover_min": min(cover_ab, cover_ba),
        "cover_max": max(cover_ab, cover_ba),
        "cosine": cosine,
        "model": UNREAD if model is None else model,
    }


#: Logistic weights per regime (the bias includes the decision threshold). Fitted by
#: ``python benchmarks/fit_contradiction.py`` (scikit-learn, L2, C=1) on SICK_train and the MNLI
#: matched 1000-pair sample in ../shared/eval-data/dev/nli, with the contradiction model's
#: out-of-fold log-odds; held out: SICK_trial F1 0.918, MNLI 5-fold cross-validated F1 0.618.
#: Re-run it after changing a feature or the model and paste its output here.
WEIGHTS: dict[str, dict[str, float]] = {
    "scene": {
        "negation": -0.187,
        "negation_cover": 0.467,
        "negation_full": 2.809,
        "negation_cosine": 1.092,
        "negation_opposite": -0.292,
        "antonym": 2.399,
        "posture": 1.583,
        "contrast": 0.037,
        "number": -0.154,
        "absolute": 1.042,
        "cover_min": -0.188,
        "cover_max": -0.333,
        "cosine": 0.68,
        "model": 0.517,
        "bias": -2.072,
    },
    "claim": {
        "negation": 0.044,
        "negation_cover": 1.527,
        "negation_full": 1.316,
        "negation_cosine": 0.121,
        "negation_opposite": 0.042,
        "antonym": 2.09,
        "posture": 0.075,
        "contrast": 0.055,
        "number": 1.524,
        "absolute": 0.357,
        "cover_min": -0.745,
        "cover_max": 0.189,
        "cosine": -1.084,
        "model": 0.442,
        "bias": 0.958,
    },
}

#: The reasons a verdict can give, each with the features that make it up.
_KINDS = {"negation": ("negation", "negation_cover", "negation_full", "negation_cosine"),
          "antonym": ("antonym", "posture"), "number": ("number",), "absolute": ("absolute",), "model": ("model",)}

#: Least embedding cosine for two sentences to be about the same thing (set by hand: pairs
#: of unrelated news sentences score below it, paraphrases and denials well above).
RELATED = 0.25


def judge(a: str, b: str, cosine: float | None = None, model: float | None = None) -> Verdict:
    """Whether ``a`` and ``b`` contradict each other, the main reason and a 0..1 score.

    ``cosine`` is the pair's embedding cosine and ``model`` the contradiction model's log-odds (see
    :func:`features`); :func:`warwatch.pairs.score.score_pairs` computes both.
    """
    values = features(a, b, cosine, model)
    related = cosine >= RELATED if cosine is not None else values["cover_max"] > 0
    return decide(values, WEIGHTS["scene" if is_scene(a, b) else "claim"], related)


def decide(values: dict[str, float], weights: dict[str, float], related: bool) -> Verdict:
    """The verdict for one pair's features under one regime's weights.

    A contradiction needs a positive logit, sentences that are about the same thing
    (``related``) and a reason: ``kind`` is the one that added most among a one-sided
    negation, an opposite word (or posture), a different number and a one-sided absolute,
    and "model" (the contradiction model's reading) only when none of those added anything.
    """
    parts = {name: weights[name] * value for name, value in values.items()}
    logit = weights["bias"] + sum(parts.values())
    score = 1.0 / (1.0 + math.exp(-logit))
    added = {kind: sum(parts[name] for name in names) for kind, names in _KINDS.items()
             if any(values[name] for name in names)}
    reasons = [kind for kind, value in added.items() if value > 0]
    if logit <= 0 or not related or not reasons:
        return Verdict(False, None, score)
    words = [kind for kind in reasons if kind != "model"]  # a reason an analyst can see in the sentences
    return Verdict(True, max(words or reasons, key=added.get), score)
