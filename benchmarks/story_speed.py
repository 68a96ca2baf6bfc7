"""Story grouping speed: replaying the 3,123 UCI dev headlines against encoding the same texts.

Both are measured in this one process with the model already loaded, so the ratio is
what the pipeline adds on top of the model (store, language detection, grouping).
The encoding is timed before and after the replay and averaged.

    python benchmarks/story_speed.py    # writes benchmarks/results/story_speed.json
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import DEV, evalkit, row, save

from warwatch.config.settings import load_settings
from warwatch.embedding import embedding_text, encode, load_model
from warwatch.replay import load, replay
from warwatch.store.db import session


def main() -> None:
    settings = load_settings()
    model = load_model(settings.stories.model_name)
    with tempfile.TemporaryDirectory() as tmp:
        articles_file = Path(tmp) / "uci.jsonl"
        evalkit("stories-input", DEV / "news-stories" / "uci_headlines.csv", stdout=articles_file)
        articles = load(articles_file)
        texts = [embedding_text(a.title, a.text) for a in articles]
        encode(model, texts[:64])  # warm-up

        def timed_encode() -> float:
            start = time.perf_counter()
            encode(model, texts)
            return time.perf_counter() - start

        before = timed_encode()
        start = time.perf_counter()
        with session(f"sqlite:///{Path(tmp) / 'replay.db'}") as s:
            events = replay(s, articles, settings)
        pipeline = time.perf_counter() - start
        after = timed_encode()
    encode_s = (before + after) / 2
    ratio = pipeline / encode_s
    save("story_speed", {
        "articles": len(events),
        "encode_seconds": round(encode_s, 2),
        "replay_seconds": round(pipeline, 2),
        "ratio_replay_to_encode": round(ratio, 3),
        "target_ratio": 1.3,
    }, table=[row("UCI headlines: replay ÷ encode", round(ratio, 3), "≤ 1.3", ratio <= 1.3)])


if __name__ == "__main__":
    main()
