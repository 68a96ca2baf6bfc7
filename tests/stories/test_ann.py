"""Approximate neighbour search: AnnIndex keeps the VectorIndex contract, and its graph between runs."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from sqlalchemy import select

from warwatch.config.settings import FeedSpec, StorySettings
from warwatch.embedding import ModelUnavailableError, encode, load_model
from warwatch.feeds.articles import store_entries
from warwatch.feeds.parse import Entry
from warwatch.feeds.polling import sync_feeds
from warwatch.store.db import session
from warwatch.store.models import Article
from warwatch.stories import ann
from warwatch.stories.ann import AnnIndex, quantise
from warwatch.stories.assign import assign_stories
from warwatch.stories.grouping import GroupingParams, Item, StoryGrouper
from warwatch.stories.search import ExactIndex, VectorIndex

T0 = datetime(2024, 8, 6, tzinfo=timezone.utc)


def unit(rng: np.random.Generator, n: int, dim: int = 16) -> np.ndarray:
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def both(vectors: list[np.ndarray | None]) -> tuple[AnnIndex, ExactIndex]:
    """An AnnIndex that always uses its graph, and an ExactIndex, holding the same rows."""
    ann, exact = AnnIndex(exact_below=0), ExactIndex()
    for v in vectors:
        ann.add(v)
        exact.add(v)
    return ann, exact


def assert_same(ann: AnnIndex, exact: ExactIndex, query: np.ndarray, k: int, allowed: np.ndarray) -> None:
    rows, cosines = ann.search(query, k, allowed)
    want_rows, want_cosines = exact.search(query, k, allowed)
    assert rows.dtype == np.int64 and cosines.dtype == np.float32
    assert rows.tolist() == want_rows.tolist()
    np.testing.assert_allclose(cosines, want_cosines, atol=1e-6)


# ------------------------------------------------------------------ the VectorIndex contract


def test_ann_index_is_a_vector_index():
    assert isinstance(AnnIndex(), VectorIndex)


def test_agrees_with_exact_search_on_small_data():
    rng = np.random.default_rng(1)
    vectors = list(unit(rng, 80))
    for i in (0, 7, 33, 79):
        vectors[i] = None  # placeholders hold their row
    ann, exact = both(vectors)
    for query in unit(rng, 20):
        for k in (1, 3, 10, 100):
            assert_same(ann, exact, query, k, np.ones(80, bool))
            assert_same(ann, exact, query, k, rng.random(80) < 0.3)
    assert_same(ann, exact, vectors[5], 1, np.ones(80, bool))
    assert ann.search(vectors[5], 1, np.ones(80, bool))[0].tolist() == [5]


def test_search_many_is_search_for_each_query():
    rng = np.random.default_rng(5)
    vectors = list(unit(rng, 80))
    vectors[3] = None
    queries = unit(rng, 4)
    for index in (*both(vectors), AnnIndex(), AnnIndex(exact_below=0)):  # AnnIndex(): searched exactly, below its bar
        for v in vectors if not len(index) else ():
            index.add(v)
        for allowed in (np.ones(80, bool), rng.random(80) < 0.1, np.zeros(80, bool)):  # most rows, a few, none
            for k in (1, 10):
                found = index.search_many(queries, k, allowed)
                assert len(found) == len(queries)
                for (rows, cosines), query in zip(found, queries):
                    want_rows, want_cosines = index.search(query, k, allowed)
                    assert rows.tolist() == want_rows.tolist()
                    np.testing.assert_allclose(cosines, want_cosines, atol=1e-6)


def test_placeholders_are_never_returned():
    rng = np.random.default_rng(2)
    ann = AnnIndex(exact_below=0)
    for v in unit(rng, 30):
        ann.add(None)
        ann.add(v)
    rows, _ = ann.search(unit(rng, 1)[0], 100, np.ones(60, bool))
    assert sorted(rows.tolist()) == list(range(1, 60, 2))
    empty = AnnIndex(exact_below=0)
    empty.add(None)
    assert len(empty) == 1 and empty.search(unit(rng, 1)[0], 5, np.ones(1, bool))[0].size == 0
    assert ann.search(unit(rng, 1)[0], 0, np.ones(60, bool))[0].size == 0


def test_keep_renumbers_rows_before_and_after_the_graph_is_built():
    rng = np.random.default_rng(3)
    data = unit(rng, 120)
    ann, exact = both([data[i] if i % 9 else None for i in range(60)])
    mask = rng.random(60) < 0.6
    ann.keep(mask)  # before any search: the graph does not exist yet
    exact.keep(mask)
    assert len(ann) == len(exact) == int(mask.sum())
    for query in data[60:70]:
        assert_same(ann, exact, query, 5, np.ones(len(exact), bool))
    for v in data[60:100]:  # rows added after the graph was built, then a second keep
        ann.add(v)
        exact.add(v)
    mask = rng.random(len(exact)) < 0.5
    ann.keep(mask)
    exact.keep(mask)
    for query in data[100:120]:
        assert_same(ann, exact, query, 8, np.ones(len(exact), bool))
        assert_same(ann, exact, query, 3, rng.random(len(exact)) < 0.5)


def test_a_mask_the_graph_cannot_fill_falls_back_to_exact_search():
    rng = np.random.default_rng(4)
    data = unit(rng, 600)
    ann, exact = both(list(data))
    query = data[0]
    allowed = np.zeros(600, bool)
    allowed[np.argsort(data @ query)[:12]] = True  # only the rows farthest from the query
    assert_same(ann, exact, query, 5, allowed)
    assert_same(ann, exact, query, 20, allowed)


def test_exact_below_the_row_threshold(tmp_path):
    rng = np.random.default_rng(5)
    data = unit(rng, 50)
    saved = tmp_path / "window.usearch"
    ann = AnnIndex(exact_below=1000, saved=saved)
    for i, v in enumerate(data):
        ann.add(v, i)
    ann.search(data[0], 3, np.ones(50, bool))
    ann.save()
    assert not saved.exists()  # no graph was built for so few rows, so none is saved


def test_bad_shapes_are_errors():
    ann = AnnIndex(exact_below=0)
    ann.add(np.ones(4, np.float32) / 2)
    with pytest.raises(ValueError):
        ann.add(np.ones(3, np.float32))
    with pytest.raises(ValueError):
        ann.search(np.ones(4, np.float32) / 2, 1, np.ones(2, bool))
    with pytest.raises(ValueError):
        ann.search(np.ones(3, np.float32), 1, np.ones(1, bool))
    with pytest.raises(ValueError):
        ann.keep(np.ones(3, bool))


def test_quantised_cosines_stay_close():
    rng = np.random.default_rng(6)
    a, b = unit(rng, 200, 384), unit(rng, 200, 384)
    qa, qb = quantise(a).astype(np.float32), quantise(b).astype(np.float32)
    approx = (qa * qb).sum(1) / np.linalg.norm(qa, axis=1) / np.linalg.norm(qb, axis=1)
    assert np.abs(approx - (a * b).sum(1)).max() < 0.01
    assert quantise(a).dtype == np.int8 and np.abs(quantise(a)).max(axis=1).min() == 127


def test_settings_choose_the_grouper_index():
    assert StorySettings().index == "ann"
    assert isinstance(StorySettings().index_factory()(), AnnIndex)
    assert type(StorySettings(index="exact").index_factory()()) is ExactIndex
    with pytest.raises(ValueError):
        StorySettings(index="faiss")


# ------------------------------------------------------------------ the grouper


@pytest.fixture
def headlines(shared_dir) -> list[Item]:
    """The first 300 UCI dev headlines in published order, embedded by the real model."""
    with open(shared_dir / "eval-data" / "dev" / "news-stories" / "uci_headlines.csv", encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["TIMESTAMP"]))[:300]
    try:
        model = load_model(None)
    except ModelUnavailableError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(str(exc))
    vectors = encode(model, [r["TITLE"] for r in rows])
    return [Item(r["ID"], v, r["TITLE"], datetime.fromtimestamp(int(r["TIMESTAMP"]) / 1000, timezone.utc),
                 r["PUBLISHER"]) for r, v in zip(rows, vectors)]


def test_grouper_decides_the_same_with_the_graph(headlines):
    params = GroupingParams(window_hours=1.0)  # they span 4 hours: the window is pruned, so keep() runs too
    exact = StoryGrouper(params)
    ann = StoryGrouper(params, index_factory=lambda: AnnIndex(exact_below=0))
    decisions = [(exact.add(item), ann.add(item)) for item in headlines]
    for a, b in decisions:  # the same decisions; scores equal up to float rounding
        assert replace(a, score=None) == replace(b, score=None)
        assert a.score == pytest.approx(b.score, abs=1e-6)
    assert sum(d.duplicate_of is not None for d, _ in decisions) > 0
    assert len({d.story for d, _ in decisions}) < len(headlines) / 2


# ------------------------------------------------------------------ the graph kept between runs


def saved_index(path, rows: dict[int, np.ndarray]) -> AnnIndex:
    """An AnnIndex that always uses its graph, kept in ``path``, holding ``rows`` (key -> vector)."""
    index = AnnIndex(exact_below=0, saved=path)
    for key, vector in rows.items():
        index.add(vector, key)
    return index


def agrees_with_exact(index: AnnIndex, rows: dict[int, np.ndarray], rng: np.random.Generator) -> None:
    exact = ExactIndex()
    for vector in rows.values():
        exact.add(vector)
    everything = np.ones(len(rows), np.bool_)
    for query in unit(rng, 5, 16):
        assert_same(index, exact, query, 5, everything)


def test_a_saved_graph_is_reused_and_brought_up_to_date(tmp_path):
    rng = np.random.default_rng(11)
    path = tmp_path / "data" / "index-stories-x.usearch"
    rows = dict(zip(range(1, 51), unit(rng, 50)))
    first = saved_index(path, rows)
    first.save()
    assert not path.exists()  # the graph was never needed: nothing to keep
    agrees_with_exact(first, rows, rng)
    (path.parent / f"{path.name}.tmp").write_bytes(b"left by a writer killed mid-save")
    first.save()
    assert path.is_file() and path.with_suffix(".npz").is_file()
    assert not [p for p in path.parent.iterdir() if ".tmp" in p.name]

    # the next run: rows 1-10 left the window, 11-50 come back, 51-55 are new, 20 has a new vector
    rows = {k: v for k, v in rows.items() if k > 10} | dict(zip(range(51, 56), unit(rng, 5)))
    rows[20] = unit(rng, 1)[0]
    second = saved_index(path, rows)
    assert second.reused == 39
    agrees_with_exact(second, rows, rng)
    ids = list(rows)
    assert ids[second.search(rows[20], 1, np.ones(len(rows), np.bool_))[0][0]] == 20
    second.save()

    third = saved_index(path, rows)
    assert third.reused == len(rows)
    agrees_with_exact(third, rows, rng)


def test_a_missing_unreadable_or_mismatched_file_means_building_from_the_rows(tmp_path):
    rng = np.random.default_rng(12)
    path = tmp_path / "index-claims-x.usearch"
    rows = dict(zip(range(100, 140), unit(rng, 40)))
    index = saved_index(path, rows)
    agrees_with_exact(index, rows, rng)
    index.save()

    path.write_bytes(b"not a graph" * 50)
    rebuilt = saved_index(path, rows)
    assert rebuilt.reused == 0
    agrees_with_exact(rebuilt, rows, rng)
    rebuilt.save()
    assert saved_index(path, rows).reused == len(rows)

    path.with_suffix(".npz").unlink()
    assert saved_index(path, rows).reused == 0

    index.save()
    wider = {k: unit(rng, 1, dim=24)[0] for k in rows}  # another model
    index = saved_index(path, wider)
    assert index.reused == 0
    exact = ExactIndex()
    for v in wider.values():
        exact.add(v)
    assert_same(index, exact, unit(rng, 1, dim=24)[0], 5, np.ones(len(wider), np.bool_))


def test_a_saved_graph_needs_int_keys(tmp_path):
    with pytest.raises(TypeError, match="int key"):
        AnnIndex(saved=tmp_path / "x.usearch").add(np.ones(4, np.float32) / 2, "article-1")


def test_the_story_stage_keeps_its_graph_between_runs(db_url, tmp_path, monkeypatch):
    """Two story-stage runs with the graph forced on: the second reuses the first's graph and
    decides as exact search does."""
    monkeypatch.setattr(ann, "EXACT_BELOW", 0)
    places = ["Kupiansk", "Vovchansk", "Orikhiv", "Siversk", "Lyman", "Nikopol"]
    events = ["a drone struck the rail depot", "shelling cut power to the water plant",
              "a missile hit the grain terminal", "crews cleared mines near the bridge"]
    entries = [Entry(guid=f"g{i}", url=f"https://courier.example/{i}",
                     title=f"{places[i % 6]}: {events[i % 4]}, officials say ({i % 3 + 1} reports)",
                     text=f"Local officials in {places[i % 6]} said {events[i % 4]} overnight.",
                     published=T0 + timedelta(hours=i), language="en") for i in range(36)]

    def stage(url: str, batch: list[Entry], settings: StorySettings, index_file=None) -> dict[str, tuple]:
        with session(url) as s:
            (feed,) = sync_feeds(s, [FeedSpec(name="Courier", url="https://courier.example/rss")])
            store_entries(s, [(feed, e) for e in batch], T0)
            assign_stories(s, settings, index_file=index_file)
            s.commit()
            rows = s.execute(select(Article.guid, Article.story_id, Article.duplicate_of_id, Article.nearest_id))
            return {guid: rest for guid, *rest in rows}

    index_file = tmp_path / "data" / "index-stories-test.usearch"
    exact_url = f"sqlite:///{tmp_path / 'exact.db'}"
    for batch in (entries[:24], entries[24:]):
        with_graph = stage(db_url, batch, StorySettings(index="ann"), index_file)
        exact = stage(exact_url, batch, StorySettings(index="exact"))
        assert with_graph == exact
        with np.load(index_file.with_suffix(".npz")) as saved:
            with session(db_url) as s:
                ids = set(s.scalars(select(Article.id)))
            assert set(saved["keys"].tolist()) == ids
    assert len({story for story, _, _ in exact.values()}) > 1  # several stories, not one
