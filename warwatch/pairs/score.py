"""Pairs: how similar two texts are, whether one is a near-identical copy of the other, and whether they contradict.

Input lines: ``id<TAB>text_a<TAB>text_b``. Output, one JSON object per line:
``{"id", "similarity", "duplicate", "contradiction", "kind"}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from warwatch.config.settings import StorySettings
from warwatch.embedding import encode, load_model
from warwatch.feeds.normalise import detect_language
from warwatch.pairs.judge import judge
from warwatch.pairs.model import contradiction_log_odds, load_contradiction_model
from warwatch.stories.duplicates import TextFeatures, duplicate_score


class PairsInputError(Exception):
    """A bad input line; the message names the line."""


@dataclass(frozen=True)
class Pair:
    id: str
    a: str
    b: str


@dataclass(frozen=True)
class PairResult:
    id: str
    similarity: float
    duplicate: bool
    contradiction: bool = False
    kind: str | None = None

    def json(self) -> str:
        return json.dumps({"id": self.id, "similarity": round(self.similarity, 4), "duplicate": self.duplicate,
                           "contradiction": self.contradiction, "kind": self.kind})


def read_pairs(lines: Iterable[str], name: str) -> list[Pair]:
    """Parse ``id<TAB>text_a<TAB>text_b`` lines; blank lines are skipped."""
    pairs = []
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise PairsInputError(f"{name} line {number}: expected 3 tab-separated fields, found {len(fields)}")
        pairs.append(Pair(*fields))
    return pairs


def score_pairs(pairs: list[Pair], settings: StorySettings) -> list[PairResult]:
    """Embed every distinct text once, read the pairs of usable texts with the contradiction model, then
    score each pair."""
    texts = sorted({t for p in pairs for t in (p.a, p.b)})
    usable = [t for t in texts if detect_language(t) in (*settings.model_languages, None)]
    vectors = dict(zip(usable, encode(load_model(settings.model_name), usable)))
    read = sorted({(p.a, p.b) for p in pairs if p.a in vectors and p.b in vectors})
    odds = dict(zip(read, contradiction_log_odds(load_contradiction_model().probabilities(read)).tolist()))
    features = {t: TextFeatures.of(t) for t in texts}
    params = replace(settings.grouping_params(), duplicate_threshold=settings.paraphrase_threshold,
                     changed_figure_is_copy=True)
    results = []
    for pair in pairs:
        va, vb = vectors.get(pair.a), vectors.get(pair.b)
        cosine = float(np.dot(va, vb)) if va is not None and vb is not None else None
        duplicate, _ = duplicate_score(cosine, features[pair.a], features[pair.b], params)
        similarity = cosine if cosine is not None else features[pair.a].overlap(features[pair.b])
        verdict = judge(pair.a, pair.b, cosine, odds.get((pair.a, pair.b)))
        results.append(PairResult(pair.id, similarity, duplicate, verdict.contradiction, verdict.kind))
    return results
