"""End-to-end overhead: 2,000 articles through `replay` against encoding what the pipeline embeds.

The articles (headline and a few paragraphs, :mod:`corpus`) go through every replay stage: store,
language detection, story grouping, claim extraction, claim-sentence encoding, comparison. The
baseline encodes the same texts with the same model in the same process: every distinct article
embedding text and every distinct claim sentence the run stored. The article encoding is timed before and
after the replay, the claim sentences twice after it, and each pair averaged. The replay's own
encoding time is measured too, and the time outside the model by part (storing with language
detection, the story stage, claim extraction, comparison with the cross-story search, the rest of the claim stage). The models (the
encoder, the language identifier, the claim parser's spaCy pipeline, the gazetteer and pint's unit registry) are
loaded before anything is timed: each loads once per process, and the load is not the per-article cost measured
here.

The model's speed on these machines drifts by a few per cent within a minute, as much as the pipeline's
own overhead, so the measurement is repeated in fresh processes (nothing cached from an earlier round)
and the round with the median ratio is reported, with every round's ratio beside it.

    python benchmarks/pipeline_speed.py [--articles N] [--rounds R]   # writes benchmarks/results/pipeline_speed.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import corpus
from common import row, save
from sqlalchemy import func, select

import warwatch.claims.stage as stage_module
import warwatch.replay as replay_module
import warwatch.stories.vectors as vectors_module
from warwatch.claims import parse
from warwatch.claims.extract import extract_claims
from warwatch.config.settings import load_settings
from warwatch.embedding import embedding_text, encode, load_model
from warwatch.feeds.normalise import detect_language
from warwatch.replay import load, replay
from warwatch.store.db import session
from warwatch.store.models import Claim, Contradiction

TARGET = 1.15
SHARE_TARGET = 0.2  # the replay's time outside the model, at most this share of the encode baseline


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


class Clock:
    """Seconds spent in patched functions, and the encoding done inside each (the replay's own encoding)."""

    def __init__(self) -> None:
        self.encoding = 0.0
        self.spent: Counter[str] = Counter()
        self.encoding_in: Counter[str] = Counter()

    def wrap(self, fn, label: str):
        def timed_call(*args, **kwargs):
            start, encoding = time.perf_counter(), self.encoding
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                self.spent[label] += elapsed
                self.encoding_in[label] += self.encoding - encoding
                if label == "encode":
                    self.encoding += elapsed
        return timed_call

    def outside(self, label: str) -> float:
        return self.spent[label] - self.encoding_in[label]


def measure(count: int) -> dict:
    """One round: the replay of ``count`` articles and its encoding baseline, in this process."""
    settings = load_settings()
    model = load_model(settings.stories.model_name)
    encode(model, ["warm-up sentence"] * 64)
    detect_language("a warm-up sentence for the language identifier")  # its model loads once, as the encoder's
    parse.pipeline()  # and so does the claim parser's (the replay loads it in a thread while the articles encode)
    extract_claims("Warm-up", "Troops pushed 2 km past Kupiansk, officials said.", datetime.now(timezone.utc))
    # ... and the claim readers' gazetteer (pymorphy3's dictionaries) and pint's unit registry
    clock = Clock()
    patches = [(vectors_module, "encode", "encode"), (replay_module, "assign_stories", "story stage"),
               (replay_module, "check_claims", "claim stage"), (stage_module, "extract_all", "claim extraction"),
               (stage_module._Run, "compare", "claim comparison")]
    with tempfile.TemporaryDirectory() as tmp:
        articles = load(corpus.write(Path(tmp) / "corpus.jsonl", count))
        texts = sorted({embedding_text(a.title, a.text) for a in articles})  # reprints are embedded once
        articles_before = timed(encode, model, texts)
        with ExitStack() as patched:
            for module, name, label in patches:
                patched.enter_context(mock.patch.object(module, name, clock.wrap(getattr(module, name), label)))
            start = time.perf_counter()
            with session(f"sqlite:///{Path(tmp) / 'replay.db'}") as s:
                replay(s, articles, settings)
                pipeline = time.perf_counter() - start
                claims = sorted(set(s.scalars(select(Claim.text))))
                contradictions = s.scalar(select(func.count()).select_from(Contradiction))
        articles_after = timed(encode, model, texts)
        claims_s = (timed(encode, model, claims) + timed(encode, model, claims)) / 2
    baseline = (articles_before + articles_after) / 2 + claims_s
    ratio = pipeline / baseline
    encoding_inside = clock.encoding
    parts = {  # the replay's time outside the model, by where it goes
        "store_language_events": pipeline - clock.spent["story stage"] - clock.spent["claim stage"],
        "story_stage": clock.outside("story stage"),
        "claim_extraction": clock.spent["claim extraction"],
        "claim_comparison": clock.spent["claim comparison"],
        "claim_stage_rest": clock.outside("claim stage") - clock.spent["claim extraction"]
        - clock.spent["claim comparison"],
    }
    return {
        "ratio_replay_to_encode": round(ratio, 3),
        "share_outside_model": round((pipeline - encoding_inside) / baseline, 3),
        "claim_sentences": len(claims),
        "contradictions": contradictions,
        "encode_articles_seconds": round((articles_before + articles_after) / 2, 2),
        "encode_articles_before_after_seconds": [round(articles_before, 2), round(articles_after, 2)],
        "encode_claims_seconds": round(claims_s, 2),
        "replay_seconds": round(pipeline, 2),
        "replay_encoding_seconds": round(encoding_inside, 2),
        "replay_other_seconds": round(pipeline - encoding_inside, 2),
        "replay_other_seconds_by_part": {name: round(seconds, 2) for name, seconds in parts.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes measured; the median is reported")
    parser.add_argument("--one-round", action="store_true", help=argparse.SUPPRESS)  # a round's JSON to stdout
    args = parser.parse_args()
    if args.one_round:
        print(json.dumps(measure(args.articles)))
        return
    command = [sys.executable, __file__, "--one-round", "--articles", str(args.articles)]
    rounds = [json.loads(subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout.splitlines()[-1])
              for _ in range(args.rounds)]
    median = sorted(rounds, key=lambda r: r["ratio_replay_to_encode"])[len(rounds) // 2]
    ratio, count = median["ratio_replay_to_encode"], args.articles
    save("pipeline_speed", {
        "articles": count,
        **median,
        "target_ratio": TARGET,
        "rounds": [{key: r[key] for key in ("ratio_replay_to_encode", "share_outside_model")} for r in rounds],
    }, table=[
        row(f"replay ÷ encode, {count} articles with claim sentences (median of {len(rounds)} rounds)", ratio,
            f"≤ {TARGET}", ratio <= TARGET),
        row("replay time outside the model, share of the encode baseline (same round)", median["share_outside_model"],
            f"≤ {SHARE_TARGET}", median["share_outside_model"] <= SHARE_TARGET),
    ])


if __name__ == "__main__":
    main()
