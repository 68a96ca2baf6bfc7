"""Claim stage cost per article, beside the story stage, measured in one process.

Two inputs: the 3,123 UCI dev headlines (title only) and the war-claims dev articles (headline
and several paragraphs). Each goes through the replay stages with the model loaded; the story
stage (store, group) and the claim stage (extract, embed claim sentences, compare, record) are
timed separately.

    python benchmarks/claim_speed.py    # writes benchmarks/results/claim_speed.json
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from common import DEV, evalkit, row, save

from warwatch.claims.stage import check_claims
from warwatch.config.settings import load_settings
from warwatch.embedding import encode, load_model
from warwatch.feeds.articles import store_entries
from warwatch.feeds.polling import sync_feeds
from warwatch.replay import _entry, _feed_spec, load
from warwatch.store.db import session
from warwatch.store.models import Claim, Contradiction, utcnow
from warwatch.stories.assign import assign_stories


def measure(name: str, path: Path, tmp: Path) -> dict:
    settings = load_settings()
    articles = load(path)
    with session(f"sqlite:///{tmp / f'{name}.db'}") as s:
        sources = sorted({a.source for a in articles})
        feeds = dict(zip(sources, sync_feeds(s, [_feed_spec(x) for x in sources])))
        start = time.perf_counter()
        store_entries(s, [(feeds[a.source], _entry(a)) for a in articles], utcnow())
        assign_stories(s, settings.stories)
        story = time.perf_counter() - start
        start = time.perf_counter()
        check_claims(s, settings.stories, settings.claims)
        claims = time.perf_counter() - start
        s.commit()
        counts = (s.query(Claim).count(), s.query(Contradiction).count())
    return {
        "articles": len(articles),
        "claims": counts[0],
        "contradictions": counts[1],
        "story_stage_ms_per_article": round(1000 * story / len(articles), 2),
        "claim_stage_ms_per_article": round(1000 * claims / len(articles), 2),
        "claim_to_story_ratio": round(claims / story, 3),
    }


def main() -> None:
    load_model(load_settings().stories.model_name)
    encode(load_model(load_settings().stories.model_name), ["warm-up"])
    with tempfile.TemporaryDirectory() as tmp:
        uci = Path(tmp) / "uci.jsonl"
        evalkit("stories-input", DEV / "news-stories" / "uci_headlines.csv", stdout=uci)
        result = {
            "uci_headlines": measure("uci", uci, Path(tmp)),
            "war_claims": measure("war", DEV / "war-claims" / "moskva_bakhmut_kakhovka.jsonl", Path(tmp)),
        }
    save("claim_speed", result, table=[
        row(f"claim stage ms/article, {name} (× story stage)",
            f"{r['claim_stage_ms_per_article']} ({r['claim_to_story_ratio']}×)")
        for name, r in (("UCI headlines", result["uci_headlines"]), ("war-claims articles", result["war_claims"]))])


if __name__ == "__main__":
    main()
