"""Story grouping and near-duplicate detection, with the real offline embedding model.

All example articles are invented for these tests.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from warwatch.embedding import (
    MULTILINGUAL_MODEL,
    ModelUnavailableError,
    embedding_text,
    encode,
    lead,
    load_model,
)
from warwatch.stories.duplicates import TextFeatures, duplicate_score, normalize_text
from warwatch.stories.grouping import GroupingParams, Item, StoryGrouper
from warwatch.stories.search import ExactIndex, VectorIndex

T0 = datetime(2024, 3, 4, 6, 0, tzinfo=timezone.utc)


def is_near_duplicate(a_vec, b_vec, a_text: str, b_text: str, params: GroupingParams | None = None):
    """(decision, score) of :func:`duplicate_score` for two texts and their vectors (either may be ``None``)."""
    cosine = None if a_vec is None or b_vec is None else float(np.dot(a_vec, b_vec))
    return duplicate_score(cosine, TextFeatures(a_text), TextFeatures(b_text), params or GroupingParams())

# (key, hours after T0, source, headline, lead)
ARTICLES = [
    ("bridge-1", 0.0, "Northern Courier",
     "Drone strike damages rail bridge near Zorivka",
     "A drone hit the railway bridge outside Zorivka before dawn on Monday, halting freight "
     "trains on the line, regional officials said."),
    ("port-1", 0.5, "Harbour Daily",
     "Grain ship leaves Marinsk port despite storm warning",
     "The bulk carrier Aurora Bay sailed from Marinsk with 40,000 tonnes of wheat bound for "
     "Alexandria, the port authority said."),
    ("bridge-2", 1.0, "Evening Ledger",
     "Freight traffic halted after drone attack on Zorivka railway bridge",
     "Unmanned aircraft struck a rail crossing near Zorivka early on Monday; railway "
     "officials suspended cargo services while engineers inspect the span."),
    ("bridge-3", 1.5, "Wire Service",
     "Rail bridge near Zorivka damaged in overnight drone attack, 3 workers injured",
     "Three railway workers were injured when drones struck the bridge near Zorivka "
     "overnight, the rail operator said on Monday."),
    ("bridge-3-reprint", 2.0, "Valley Gazette",
     "Rail bridge near Zorivka damaged in overnight drone attack, 3 workers injured",
     "Three railway workers were hurt when drones struck the bridge near Zorivka "
     "overnight, the rail operator said on Monday."),
    ("port-2", 2.5, "Shipping Bulletin",
     "Wheat cargo departs Marinsk as storm approaches",
     "Aurora Bay, carrying 40,000 tonnes of grain, left Marinsk harbour for Egypt ahead "
     "of the storm, port officials said."),
    ("election-1", 3.0, "Capital Times",
     "Parliament sets date for snap election in Valdoria",
     "Lawmakers in Valdoria voted to hold an early general election on June 9 after the "
     "coalition government collapsed."),
]


@pytest.fixture(scope="module")
def model():
    try:
        return load_model(None)
    except ModelUnavailableError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def items(model) -> list[Item]:
    texts = [embedding_text(title, body) for _, _, _, title, body in ARTICLES]
    vectors = encode(model, texts)
    return [
        Item(key, vec, text, T0 + timedelta(hours=h), source)
        for (key, h, source, _, _), vec, text in zip(ARTICLES, vectors, texts)
    ]


def run(items: list[Item], params: GroupingParams | None = None):
    grouper = StoryGrouper(params or GroupingParams())
    return grouper, {item.key: grouper.add(item) for item in items}


# ------------------------------------------------------------------------ embedding


def test_model_is_cached_and_vectors_normalised(model):
    assert load_model(None) is model
    vectors = encode(model, ["Ceasefire talks resume in Geneva", "Ceasefire talks resume"])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encode(model, []).shape == (0, 384)


def test_missing_model_is_a_clear_error():
    with pytest.raises(ModelUnavailableError, match="not available offline"):
        load_model("/nonexistent/warwatch-test-model")


def test_embedding_text_is_headline_plus_short_lead():
    body = "First sentence here. " + "Filler words go on and on. " * 60
    text = embedding_text("Big headline", body)
    assert text.startswith("Big headline. First sentence here.")
    assert len(text) <= len("Big headline. ") + 600
    assert embedding_text("Only a title", "") == "Only a title"
    # a body that repeats the headline does not repeat it in the embedded text
    assert lead("Only a title. More detail follows.", "Only a title") == "More detail follows."


# ------------------------------------------------------------------------ grouping


def test_same_event_in_other_words_joins_one_story(items):
    _, d = run(items)
    assert d["bridge-2"].story == d["bridge-1"].story
    assert d["bridge-3"].story == d["bridge-1"].story
    assert d["port-2"].story == d["port-1"].story
    assert d["bridge-1"].new_story and not d["bridge-2"].new_story


def test_different_events_stay_apart(items):
    _, d = run(items)
    stories = {d["bridge-1"].story, d["port-1"].story, d["election-1"].story}
    assert len(stories) == 3
    assert d["election-1"].new_story


def test_reprint_with_small_edit_is_duplicate_of_first_copy(items):
    _, d = run(items)
    reprint = d["bridge-3-reprint"]
    assert reprint.duplicate_of == "bridge-3"
    assert reprint.story == d["bridge-3"].story
    # coverage of the same event with other facts and words is not a copy (a close
    # paraphrase with the same figures, like port-2, may be: the bar is MRPC's)
    assert d["bridge-2"].duplicate_of is None


def test_copy_of_a_copy_points_at_the_first_copy(items):
    reprint = next(i for i in items if i.key == "bridge-3-reprint")
    third = replace(reprint, key="bridge-3-third", published=reprint.published + timedelta(hours=1))
    _, d = run(items + [third])
    assert d["bridge-3-third"].duplicate_of == "bridge-3"


def test_is_near_duplicate_pairs(items):
    by_key = {i.key: i for i in items}
    a, b = by_key["bridge-3"], by_key["bridge-3-reprint"]
    dup, score = is_near_duplicate(a.vector, b.vector, a.text_key, b.text_key)
    assert dup and score > GroupingParams().duplicate_threshold
    c = by_key["bridge-2"]
    assert not is_near_duplicate(a.vector, c.vector, a.text_key, c.text_key)[0]
    # same wording, different figures: not a copy
    assert not is_near_duplicate(
        None, None,
        "Shelling kills 4 in Dovhe, 12 wounded, governor says",
        "Shelling kills 9 in Dovhe, 31 wounded, governor says",
    )[0]


def test_changed_figure_is_never_a_copy(model):
    first = "Shelling kills 4 in Dovhe overnight, governor says"
    changed = "Shelling kills 5 in Dovhe overnight, governor says"
    vectors = encode(model, [first, changed])
    # close enough to pass the score: only the changed figure keeps them apart
    loose = GroupingParams(changed_figure_is_copy=True)
    assert is_near_duplicate(vectors[0], vectors[1], first, changed, loose)[0]
    assert not is_near_duplicate(vectors[0], vectors[1], first, changed)[0]
    assert not is_near_duplicate(None, None, first, changed)[0]
    # a figure added beside the same ones is judged by the score as before
    added = "Shelling kills 4 in Dovhe overnight, governor says, 2 wounded"
    vec_added = encode(model, [added])[0]
    assert is_near_duplicate(vectors[0], vec_added, first, added)[1] == \
        is_near_duplicate(vectors[0], vec_added, first, added, loose)[1]
    grouper = StoryGrouper(GroupingParams())
    grouper.add(Item("first", vectors[0], first, T0, "Wire"))
    decision = grouper.add(Item("changed", vectors[1], changed, T0 + timedelta(hours=1), "Gazette"))
    assert decision.duplicate_of is None and decision.story == "first"


def test_item_without_vector_groups_only_with_near_exact_copy(items):
    text = (
        "Обстріл пошкодив залізничний міст біля Зорівки. Рух вантажних поїздів "
        "зупинено, повідомила обласна адміністрація."
    )
    edited = text.replace("повідомила", "повідомляє")
    other = "Парламент призначив дострокові вибори на 9 червня."
    t = T0 + timedelta(hours=4)
    foreign = [
        Item("uk-1", None, text, t, "Kyiv Herald"),
        Item("uk-1-copy", None, edited, t + timedelta(minutes=20), "Lviv Post"),
        Item("uk-other", None, other, t + timedelta(minutes=30), "Kyiv Herald"),
    ]
    _, d = run(items + foreign)
    assert d["uk-1"].new_story and d["uk-1"].score is None
    assert d["uk-1-copy"].duplicate_of == "uk-1"
    assert d["uk-1-copy"].story == d["uk-1"].story
    assert d["uk-other"].new_story and d["uk-other"].duplicate_of is None
    english_stories = {d[i.key].story for i in items}
    assert d["uk-1"].story not in english_stories
    # an exact copy (after normalisation) is a duplicate too
    same = Item("uk-1-same", None, text.upper(), t + timedelta(hours=1), "Odesa News")
    _, d = run(items + foreign + [same])
    assert d["uk-1-same"].duplicate_of == "uk-1"


def test_bridge_joins_other_languages_and_never_decides_between_english_articles(items):
    bridge_model = load_model(MULTILINGUAL_MODEL)
    bridged = [replace(item, bridge=vec) for item, vec in zip(items, encode(bridge_model, [i.text_key for i in items]))]
    t = T0 + timedelta(hours=4)
    foreign = [  # (key, hours after t, text): no main vector, a bridge vector
        ("ru-bridge", 0.0, "Беспилотники повредили железнодорожный мост у Зоревки, движение грузовых поездов "
                           "остановлено."),
        ("ru-election", 0.5, "Парламент Вальдории назначил досрочные всеобщие выборы на 9 июня."),
        ("ru-swap", 1.0, "Россия и Украина провели обмен пленными: домой вернулись 90 человек."),
    ]
    foreign_items = [Item(key, None, text, t + timedelta(hours=h), "Wire", bridge=vec)
                     for (key, h, text), vec in zip(foreign, encode(bridge_model, [text for _, _, text in foreign]))]
    swap = "Russia and Ukraine swap prisoners of war, 90 return home"
    english = Item("en-swap", encode(load_model(None), [swap])[0], swap, t + timedelta(hours=1.5), "Courier",
                   bridge=encode(bridge_model, [swap])[0])
    _, plain = run(items)
    _, d = run(bridged + foreign_items + [english])
    assert {i.key: d[i.key].story for i in items} == {i.key: plain[i.key].story for i in items}
    assert d["ru-bridge"].story == d["bridge-1"].story and not d["ru-bridge"].new_story
    assert d["ru-bridge"].score is not None and d["ru-bridge"].duplicate_of is None
    assert d["ru-election"].story == d["election-1"].story
    assert d["ru-swap"].new_story
    assert d["en-swap"].story == d["ru-swap"].story  # an English report joins a story told so far in Russian


def test_rebuilt_state_behaves_like_incremental_adds(items, model):
    later_texts = [
        embedding_text(
            "Engineers begin repairs on Zorivka rail bridge after drone strike",
            "Repair crews arrived at the damaged railway bridge near Zorivka on Monday "
            "afternoon.",
        ),
        embedding_text("Valdoria opposition names candidate for June election", ""),
        embedding_text(ARTICLES[3][3], ARTICLES[3][4]),  # a verbatim reprint of bridge-3
    ]
    later = [
        Item(f"later-{n}", vec, text, T0 + timedelta(hours=5 + n), "Later Source")
        for n, (vec, text) in enumerate(zip(encode(model, later_texts), later_texts))
    ]
    params = GroupingParams()
    full, decisions = run(items + later, params)
    _, before = run(items, params)
    recent = [(i, before[i.key].story, before[i.key].duplicate_of) for i in reversed(items)]
    rebuilt = StoryGrouper(params, recent=recent)
    for item in later:
        assert rebuilt.add(item) == decisions[item.key]
    assert decisions["later-0"].story == decisions["bridge-1"].story
    assert decisions["later-2"].duplicate_of == "bridge-3"


def test_old_stories_outside_the_window_are_not_joined(items):
    params = GroupingParams(window_hours=48)
    bridge = next(i for i in items if i.key == "bridge-2")
    grouper, d = run(items, params)
    late = replace(bridge, key="bridge-2-late", published=bridge.published + timedelta(hours=60))
    decision = grouper.add(late)
    assert decision.new_story and decision.duplicate_of is None
    assert decision.story == "bridge-2-late"
    assert decision.nearest not in {"bridge-1", "bridge-2"}  # forgotten
    # inside the window the same text is a copy in the old story
    grouper, d = run(items, replace(params, window_hours=240, duplicate_window_hours=240))
    decision = grouper.add(late)
    assert decision.story == d["bridge-1"].story and decision.duplicate_of == "bridge-2"


def test_stale_story_needs_a_stronger_match(items, model):
    """A loosely related article joins a story being covered now, not a day-old one."""
    text = embedding_text("Railway operator reviews security of bridges in the region", "")
    vec = encode(model, [text])[0]
    bridge_story = run(items)[1]["bridge-1"].story
    fresh = Item("review-now", vec, text, T0 + timedelta(hours=3), "Rail Weekly")
    stale = replace(fresh, key="review-later", published=T0 + timedelta(hours=40))
    assert run(items + [fresh])[1]["review-now"].story == bridge_story
    assert run(items + [stale])[1]["review-later"].new_story


def test_custom_story_keys_and_decision_fields(items):
    grouper = StoryGrouper()
    counter = iter(range(100, 200))
    decisions = [grouper.add(item, new_story_key=lambda: next(counter)) for item in items]
    assert {d.story for d in decisions} == {100, 101, 102}
    assert decisions[0].score is None and decisions[0].nearest is None
    joined = decisions[2]  # bridge-2
    assert joined.nearest == "bridge-1" and 0.3 < joined.score <= 1.0
    assert len(grouper) == 3


def test_normalize_text():
    assert normalize_text("  Kyiv:  1,000 evacuated!  ") == "kyiv 1000 evacuated"
    assert normalize_text("ЗОРІВКА — міст") == "зорівка міст"


# ------------------------------------------------------------------------ vector index


def _brute_force(mat: np.ndarray, has_vec: np.ndarray, query: np.ndarray, k: int,
                 allowed: np.ndarray) -> tuple[list[int], list[float]]:
    sims = mat @ query
    rows = sorted(np.flatnonzero(allowed & has_vec).tolist(), key=lambda r: (-sims[r], r))[:k]
    return rows, [float(sims[r]) for r in rows]


def test_exact_index_matches_brute_force_and_respects_allowed_and_keep():
    rng = np.random.default_rng(7)
    dim = 16
    index = ExactIndex(capacity=4)
    assert isinstance(index, VectorIndex)
    vectors: list[np.ndarray | None] = []

    def add(n: int) -> None:
        for _ in range(n):
            roll = rng.random()
            if roll < 0.15:
                vec = None  # placeholder row: never returned
            elif roll < 0.3 and any(v is not None for v in vectors):
                vec = next(v for v in reversed(vectors) if v is not None)  # exact tie
            else:
                vec = rng.standard_normal(dim).astype(np.float32)
                vec /= np.linalg.norm(vec)
            vectors.append(vec)
            index.add(vec)

    def check() -> None:
        n = len(vectors)
        assert len(index) == n
        mat = np.stack([np.zeros(dim, np.float32) if v is None else v for v in vectors])
        has_vec = np.array([v is not None for v in vectors])
        for _ in range(20):
            query = rng.standard_normal(dim).astype(np.float32)
            query /= np.linalg.norm(query)
            if rng.random() < 0.3:
                query = next(v for v in vectors if v is not None)
            allowed = rng.random(n) < rng.random()
            for k in (0, 1, 3, 8, n + 5):
                rows, cosines = index.search(query, k, allowed)
                want_rows, want_cos = _brute_force(mat, has_vec, query, k, allowed)
                assert rows.tolist() == want_rows
                assert np.allclose(cosines, want_cos, atol=1e-6)
                assert rows.dtype == np.int64 and cosines.dtype == np.float32
                assert all(allowed[r] and has_vec[r] for r in rows.tolist())

    add(1)
    add(60)
    check()
    mask = rng.random(len(vectors)) < 0.6
    index.keep(mask)
    vectors[:] = [v for v, ok in zip(vectors, mask.tolist()) if ok]  # renumbered in order
    check()
    add(30)
    check()
    index.keep(np.zeros(len(vectors), bool))
    vectors.clear()
    assert len(index) == 0
    rows, cosines = index.search(np.ones(dim, np.float32) / 4, 3, np.zeros(0, bool))
    assert rows.size == 0 and cosines.size == 0


def test_exact_index_rejects_bad_shapes():
    index = ExactIndex()
    index.add(None)  # placeholder before the width is known
    index.add(np.array([1.0, 0.0, 0.0], np.float32))
    with pytest.raises(ValueError):
        index.add(np.ones(4, np.float32) / 2)
    with pytest.raises(ValueError):
        index.search(np.array([1.0, 0.0, 0.0], np.float32), 1, np.ones(3, bool))
    with pytest.raises(ValueError):
        index.keep(np.ones(1, bool))
    rows, cosines = index.search(np.array([1.0, 0.0, 0.0], np.float32), 5, np.ones(2, bool))
    assert rows.tolist() == [1] and cosines.tolist() == [1.0]


class _RecordingIndex(ExactIndex):
    def __init__(self) -> None:
        super().__init__()
        self.searches = 0
        self.kept = 0

    def search(self, query, k, allowed):
        self.searches += 1
        return super().search(query, k, allowed)

    def keep(self, mask):
        self.kept += 1
        super().keep(mask)


class _BlindIndex(ExactIndex):
    """Finds nothing: only exact copies and centroids can place an article."""

    def search(self, query, k, allowed):
        return np.zeros(0, np.int64), np.zeros(0, np.float32)


def test_grouper_searches_members_through_the_injected_index(items):
    made: list[_RecordingIndex] = []

    def factory() -> _RecordingIndex:
        made.append(_RecordingIndex())
        return made[-1]

    _, expected = run(items)
    grouper = StoryGrouper(GroupingParams(), index_factory=factory)
    assert [grouper.add(item) for item in items] == [expected[i.key] for i in items]
    assert len(made) == 1 and len(made[0]) == len(items) and made[0].searches > 0
    # pruning the window drops the same rows from the index
    late = replace(items[0], key="late", published=items[-1].published + timedelta(hours=500))
    grouper.add(late)
    assert made[0].kept == 1 and len(made[0]) == 1

    blind = StoryGrouper(GroupingParams(), index_factory=_BlindIndex)
    d = {item.key: blind.add(item) for item in items}
    assert all(decision.nearest is None for decision in d.values())
    assert d["bridge-3-reprint"].duplicate_of is None  # found only through the index
    assert d["bridge-2"].story == d["bridge-1"].story  # story choice uses centroids
