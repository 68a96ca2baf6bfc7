"""Fit the sentence-contradiction weights on the dev NLI data and report held-out F1.

    python benchmarks/train_contradiction_model.py  # first: the contradiction model and its outputs
    python benchmarks/fit_contradiction.py          # prints held-out figures and the WEIGHTS literal

One logistic model per regime (scene / claim, see warwatch.pairs.judge), trained
on SICK_train plus the MNLI matched sample; each regime's bias absorbs the threshold that
maximises F1 on its training pairs, judged as `judge` does (through `decide`, with its
relatedness and reason requirements). One feature is the built-in contradiction model's
log-odds: out of fold on SICK_train and MNLI, from the shipped model on SICK_trial. Held-out
figures: SICK_trial with the final weights (never trained on), and MNLI by 5-fold
cross-validation (each fold trained on SICK_train and the other four folds). Deterministic:
fixed fold seed, no sampling in the fit.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
from common import DEV, EVALKIT, RESULTS
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from warwatch.config.settings import StorySettings
from warwatch.embedding import encode, load_model
from warwatch.feeds.normalise import detect_language
from warwatch.pairs.judge import RELATED, decide, features, is_scene

sys.path.insert(0, str(EVALKIT.parent))
from evalkit import pair_rows  # noqa: E402

NLI = DEV / "nli"
C = 1.0  # inverse L2 strength; weights stay small and readable
REGIMES = ("scene", "claim")
MODEL_OUTPUTS = RESULTS / "contradiction_model.npz"
NLI_FILES = {"SICK_train": "SICK_train.txt", "SICK_trial": "SICK_trial.txt", "MNLI": "mnli_matched_1000.tsv"}


@dataclass
class Data:
    """Features, gold labels, regime and relatedness of a set of pairs."""

    values: list[dict[str, float]]
    y: np.ndarray
    scene: np.ndarray
    related: np.ndarray

    @classmethod
    def of(cls, rows: list[tuple[str, str, str]], cosines: dict[tuple[str, str], float | None],
           model: np.ndarray) -> Data:
        """``model``: the contradiction model's log-odds per row, used where `pairs` would read the pair."""
        values = [features(a, b, cosines[a, b], float(m) if cosines[a, b] is not None else None)
                  for (a, b, _), m in zip(rows, model)]
        related = [cosines[a, b] >= RELATED if cosines[a, b] is not None else v["cover_max"] > 0
                   for (a, b, _), v in zip(rows, values)]
        return cls(values, np.array([label.startswith("contra") for _, _, label in rows]),
                   np.array([is_scene(a, b) for a, b, _ in rows]), np.array(related))

    @classmethod
    def join(cls, parts: list[Data]) -> Data:
        return cls([v for p in parts for v in p.values], np.concatenate([p.y for p in parts]),
                   np.concatenate([p.scene for p in parts]), np.concatenate([p.related for p in parts]))

    def subset(self, index: np.ndarray) -> Data:
        return Data([self.values[i] for i in index], self.y[index], self.scene[index], self.related[index])

    def matrix(self) -> np.ndarray:
        return np.array([list(v.values()) for v in self.values])


def rows_of() -> dict[str, list[tuple[str, str, str]]]:
    """SICK_train, SICK_trial and MNLI as (a, b, label) rows."""
    return {name: [(a, b, label) for _, a, b, label, _ in pair_rows(str(NLI / file))]
            for name, file in NLI_FILES.items()}


def load() -> dict[str, Data]:
    """SICK_train, SICK_trial and MNLI with the cosines `warwatch pairs` would compute and the
    contradiction model's log-odds from ``train_contradiction_model.py`` (out of fold where trained on)."""
    if not MODEL_OUTPUTS.exists():
        sys.exit(f"{MODEL_OUTPUTS} is missing: run benchmarks/train_contradiction_model.py first")
    model = np.load(MODEL_OUTPUTS)
    rows = rows_of()
    settings = StorySettings()
    texts = sorted({t for rs in rows.values() for a, b, _ in rs for t in (a, b)})
    usable = [t for t in texts if detect_language(t) in (*settings.model_languages, None)]
    vectors = dict(zip(usable, encode(load_model(settings.model_name), usable)))
    cosines = {}
    for rs in rows.values():
        for a, b, _ in rs:
            va, vb = vectors.get(a), vectors.get(b)
            cosines[a, b] = float(np.dot(va, vb)) if va is not None and vb is not None else None
    return {name: Data.of(rs, cosines, model[name]) for name, rs in rows.items()}


def f1(gold: np.ndarray, pred: np.ndarray) -> float:
    tp = int((gold & pred).sum())
    return 2 * tp / (2 * tp + int((gold ^ pred).sum())) if tp else 0.0


def fit(parts: list[Data]) -> dict[str, dict[str, float]]:
    """One logistic model per regime; the bias includes the F1-optimal threshold."""
    data = Data.join(parts)
    weights = {}
    for regime in REGIMES:
        part = data.subset(np.flatnonzero(data.scene == (regime == "scene")))
        model = LogisticRegression(C=C, max_iter=10_000).fit(part.matrix(), part.y)
        fitted = dict(zip(part.values[0], map(float, model.coef_[0])))
        intercept = float(model.intercept_[0])
        best = max(np.round(np.arange(-3.0, 3.0, 0.05), 2),
                   key=lambda t: f1(part.y, _judged(fitted | {"bias": intercept - t}, part)))
        weights[regime] = {name: round(w, 3) for name, w in fitted.items()} | {"bias": round(intercept - best, 3)}
    return weights


def _judged(weights: dict[str, float], data: Data) -> np.ndarray:
    return np.array([decide(v, weights, r).contradiction for v, r in zip(data.values, data.related)], dtype=bool)


def predict(weights: dict[str, dict[str, float]], data: Data) -> np.ndarray:
    """What `judge` would say with these weights."""
    out = np.zeros(len(data.y), dtype=bool)
    for regime in REGIMES:
        index = np.flatnonzero(data.scene == (regime == "scene"))
        if len(index):
            out[index] = _judged(weights[regime], data.subset(index))
    return out


def main() -> None:
    data = load()
    train, trial, mnli = data["SICK_train"], data["SICK_trial"], data["MNLI"]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    cross = np.zeros(len(mnli.y), dtype=bool)
    for inside, outside in folds.split(mnli.y, mnli.y):
        cross[outside] = predict(fit([train, mnli.subset(inside)]), mnli.subset(outside))
    weights = fit([train, mnli])
    print(f"held out: SICK_trial F1 {f1(trial.y, predict(weights, trial)):.3f}   "
          f"MNLI 5-fold cross-validated F1 {f1(mnli.y, cross):.3f}")
    print(f"fitted on: SICK_train F1 {f1(train.y, predict(weights, train)):.3f}   "
          f"MNLI F1 {f1(mnli.y, predict(weights, mnli)):.3f}")
    print("WEIGHTS: dict[str, dict[str, float]] = {")
    for regime in REGIMES:
        print(f'    "{regime}": {{')
        for name, value in weights[regime].items():
            print(f'        "{name}": {value},')
        print("    },")
    print("}")


if __name__ == "__main__":
    main()
