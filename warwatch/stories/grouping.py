"""Online story grouping and near-duplicate detection (pure Python + numpy).

Articles arrive in published order. Each is compared with the stories that had
coverage within the last ``window_hours`` and either joins one of them or starts a
new story; nothing already decided is revisited. The state is a few arrays updated
incrementally (per story: sum of member vectors, member count, sum of published
times, last update; per article in the window: vector, story, time, text features),
so it can be rebuilt from the stored recent articles after a restart
(``StoryGrouper(params, recent=...)``) and then behaves as if it had seen them.

For a new article with a vector:

1. **Exact copy.** The same normalised text published within
   ``duplicate_window_hours`` before: ``duplicate_of`` that article's first copy, in
   its story.
2. **Story.** For every live story, ``cos`` = cosine to the story centroid (normalised
   sum of member vectors) and ``age`` = hours since the mean published time of its
   members. Joining needs a cosine that rises with age, from ``join_fresh`` for a
   story being covered now to ``join_stale`` for one whose coverage is old::

       need = join_fresh + (join_stale - join_fresh) * (1 - exp(-age / freshness_hours))

   The story with the largest ``cos - need`` is chosen if that is >= 0.
3. **Near-duplicate.** Among the nearest articles of the chosen story (of any story if
   none was chosen) published within ``duplicate_window_hours``, the earliest that
   :func:`duplicate_score` accepts makes this article a ``duplicate_of`` its first
   copy, in its story. So a reprint of an article whose story is too old to join on
   topic alone still lands with its original, and a duplicate never contradicts the
   story decision.
4. Otherwise it joins the chosen story, or starts a new one.

Why age from the members' *mean* time rather than the last update: one borderline
article joining an old story would otherwise make it fresh again and let loosely
related coverage chain onto it; the mean moves only as coverage accumulates. A strong
match still revives an old story (a casualty count announced eight days after a
sinking joins the sinking). Why no same-source rule: outlets often publish several
pieces on one story (on the UCI dev headlines, two articles of one publisher share a
story three times as often as two random articles).

An article whose vector is unusable (``Item.vector is None``: a language the model
does not cover, no text) takes part in duplicate detection by text alone (rule 1,
then :func:`duplicate_score` without a cosine against every article in the duplicate
window).

**Across languages.** An article may also carry a ``bridge`` vector, from a model
with one space for several languages (weaker than the main model within English,
so it never decides between two articles the main model reads). Stories keep the
sum of their members' bridge vectors too. The bridge decides rule 2 where the main
model cannot: an article with no main vector is compared with every story by bridge
alone, and an article with one also with the stories that have a member without one
(a Russian report, say), where the better margin wins. Its bars are its own
(``bridge_join_fresh``, ``bridge_join_stale``): cosines across languages run lower;
they are lower still (``bridge_place_bonus``) where the article names a place the
story names.
The bridge reads the theme more than the event (two strikes in one night read
alike), so it never joins an article to a story when both name places
(``Item.places``, :mod:`warwatch.places`) and none of the article's is the story's;
nor is an article ever a copy of one whose places are all others (the same
sentence about another city is another event).
Where neither has a bridge vector, an article with no main vector starts its own
story.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from warwatch.stories.duplicates import TextFeatures, duplicate_score, figure_changed
from warwatch.stories.search import ExactIndex, VectorIndex

__all__ = [
    "Decision",
    "GroupingParams",
    "Item",
    "StoryGrouper",
]


@dataclass(frozen=True)
class GroupingParams:
    """Thresholds of the grouper. Similarities are cosines of L2-normalised vectors.

    The defaults were chosen on dev data (UCI headlines, MRPC, war-claims replays) in
    the middle of flat regions; see the module docstring for how they combine.
    """

    join_fresh: float = 0.30
    """Centroid cosine needed to join a story whose coverage is current (age 0).
    Lower merges more related-but-different events; higher splits big stories."""

    join_stale: float = 0.65
    """Centroid cosine needed to join a story whose coverage is old (age well beyond
    ``freshness_hours``). Keeps yesterday's story on the same topic from absorbing
    today's news, while a clear follow-up still joins."""

    freshness_hours: float = 12.0
    """Time scale of the rise from ``join_fresh`` to ``join_stale`` (63 % of the way
    after this many hours of story age, 86 % after twice that)."""

    window_hours: float = 240.0
    """Stories with no new article for this long, and articles older than this, are
    forgotten: they can no longer be joined or duplicated. Bounds memory and cost."""

    duplicate_threshold: float = 0.80
    """:func:`duplicate_score` at or above which two articles with vectors are
    near-duplicates. Lower catches looser rewrites; higher only near-verbatim copies.
    Set on MRPC (sentence pairs judged equivalent), where it sits mid-plateau: it is a
    paraphrase-level bar, so two headlines that state the same fact in similar words
    count as copies."""

    lexical_duplicate_threshold: float = 0.75
    """Text-only score (character-trigram Jaccard minus number penalty) at or above
    which two articles are near-duplicates when either has no vector. Strict because
    there is no semantic check: 97 % of MRPC pairs reaching 0.75 are paraphrases."""

    overlap_weight: float = 0.8
    """Weight of the character-trigram Jaccard overlap added to the cosine in
    :func:`duplicate_score`."""

    number_penalty: float = 0.05
    """Subtracted per number found in one text but not the other (a copy reports the
    same figures)."""

    novel_word_penalty: float = 0.03
    """Subtracted per content word of the text with more new content that the other
    text lacks (a copy adds little)."""

    bridge_join_fresh: float = 0.35
    """Bridge cosine to a story's bridge centroid needed to join it across languages when its coverage is current."""

    bridge_join_stale: float = 0.55
    """Bridge cosine needed when its coverage is old; the rise between them is ``join_fresh``'s."""

    bridge_place_bonus: float = 0.15
    """Taken off both bridge bars when the article names a place the story names: a claim and the counter-claim
    that answers it ("liberated" against "fighting goes on") share little but the place."""

    duplicate_window_hours: float = 24.0
    """Only articles published at most this long before are examined for duplication
    (reprints and re-posts come within hours; older look-alikes are follow-ups)."""

    duplicate_min_cosine: float = 0.5
    """Only earlier articles at least this similar are examined for duplication (a
    speed bound; below it the duplicate score cannot realistically pass)."""

    duplicate_candidates: int = 8
    """At most this many nearest earlier articles are examined for duplication."""

    changed_figure_is_copy: bool = False
    """Whether two texts can be copies when each has a figure the other lacks (one
    figure replaced by another). Never for articles: a report that changes a count
    is news for the claim check, which skips copies. ``warwatch pairs`` allows it,
    because MRPC paraphrases round and restate figures (7 % of its paraphrases)."""


@dataclass(frozen=True)
class Item:
    """One article as the grouper sees it.

    ``vector``: L2-normalised float32 embedding, or ``None`` when the model cannot
    represent the article (unsupported language, no text); such items group with
    near-exact copies, and through ``bridge`` only. ``text_key``: the text compared for duplication (headline +
    lead, as embedded); raw text is fine, it is normalised here. ``published`` must be
    timezone-aware (naive datetimes are taken as UTC). ``bridge``: the article's
    vector in a space shared across languages, or ``None``; ``places``: keys of the
    places it names, in any language (see "Across languages" in the module docstring).
    """

    key: Hashable
    vector: np.ndarray | None
    text_key: str
    published: datetime
    source: str = ""  # not used by the rules; kept for callers' diagnostics
    bridge: np.ndarray | None = None
    places: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Decision:
    """What happened to one article.

    ``score``: cosine to the centroid of the story it joined, or, for a new story, the
    best centroid cosine among the stories it did not join (``None`` without a vector
    or without candidate stories); for a duplicate, the duplicate score. ``nearest``:
    the most similar earlier article in the window (by cosine; by text for items
    without a vector), if any.
    """

    key: Hashable
    story: Hashable
    duplicate_of: Hashable | None
    score: float | None
    nearest: Hashable | None
    new_story: bool


# --------------------------------------------------------------------------- places


def _elsewhere(places: frozenset[str], others: frozenset[str]) -> bool:
    """Whether both name places and share none: reports of events in different places."""
    return bool(places and others and not places & others)


# --------------------------------------------------------------------------- state


def _timestamp(when: datetime) -> float:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


class _Rows:
    """A growable float32 matrix plus parallel 1-d arrays, compacted by a mask.

    The matrix has width 0 until the first vector arrives (items without vectors may
    come first).
    """

    def __init__(self, fields: dict[str, type]):
        self.n = 0
        self.mat = np.zeros((16, 0), np.float32)
        self.cols = {name: np.zeros(16, dtype) for name, dtype in fields.items()}

    def set_dim(self, dim: int) -> None:
        mat = np.zeros((len(self.mat), dim), np.float32)
        self.mat = mat

    def append(self, vec: np.ndarray | None, **values: float) -> int:
        if self.n == len(self.mat):
            self.mat = np.concatenate([self.mat, np.zeros_like(self.mat)])
            for name, col in self.cols.items():
                self.cols[name] = np.concatenate([col, np.zeros_like(col)])
        i = self.n
        if vec is not None:
            self.mat[i] = vec
        for name, value in values.items():
            self.cols[name][i] = value
        self.n += 1
        return i

    def keep(self, mask: np.ndarray) -> np.ndarray:
        """Keep rows where ``mask``; return old-index -> new-index (-1 if dropped)."""
        idx = np.flatnonzero(mask)
        remap = np.full(self.n, -1, np.int64)
        remap[idx] = np.arange(len(idx))
        k = len(idx)
        self.mat[:k] = self.mat[idx]
        self.mat[k : self.n] = 0.0
        for col in self.cols.values():
            col[:k] = col[idx]
        self.n = k
        return remap

    def col(self, name: str) -> np.ndarray:
        return self.cols[name][: self.n]

    @property
    def vectors(self) -> np.ndarray:
        return self.mat[: self.n]


class StoryGrouper:
    """Online story assignment over a sliding time window. Not thread-safe.

    ``recent``: articles already grouped (e.g. loaded from the database after a
    restart), as ``(item, story_key, duplicate_of)``; they are replayed into the state
    in published order without being re-decided. Give at least the last
    ``window_hours`` of articles; older ones are ignored.

    ``index_factory``: makes the empty :class:`~warwatch.stories.search.VectorIndex`
    that holds the vectors of the articles in the window, one row per member row (a
    placeholder row for an article without a vector). The default, exact numpy search,
    is what the thresholds were tuned with; an approximate index trades some recall
    of nearest articles and duplicate candidates for speed on large windows.
    """

    def __init__(
        self,
        params: GroupingParams | None = None,
        recent: Iterable[tuple[Item, Hashable, Hashable | None]] = (),
        index_factory: Callable[[], VectorIndex] = ExactIndex,
    ):
        self.params = params or GroupingParams()
        # stories: sum of member vectors; members, members with a vector, norm of the
        # sum, sum of published times, last published time
        self._stories = _Rows({"count": np.float64, "vec_count": np.float64, "norm": np.float64,
                               "time_sum": np.float64, "last": np.float64})
        # stories, row for row: sum of members' bridge vectors, its norm, members with a bridge vector, and those
        # of them without a main vector
        self._bridges = _Rows({"norm": np.float64, "count": np.float64, "foreign": np.float64})
        # members (articles in the window): story row, published time; their vectors
        # are in self._index, row for row (the matrix of self._members stays empty)
        self._members = _Rows({"story": np.int64, "time": np.float64, "has_vec": np.bool_})
        self._index: VectorIndex = index_factory()
        self._story_keys: list[Hashable] = []
        self._story_places: list[frozenset[str]] = []  # places its members name, row for row
        self._story_index: dict[Hashable, int] = {}
        self._member_keys: list[Hashable] = []
        self._member_index: dict[Hashable, int] = {}
        self._member_roots: list[Hashable] = []  # first copy of each member (itself if original)
        self._member_text: list[TextFeatures] = []
        self._member_places: list[frozenset[str]] = []
        self._by_text: dict[str, int] = {}  # normalised text -> member row of its first copy
        self._now = -math.inf
        self._pruned_at = -math.inf
        for item, story, duplicate_of in sorted(recent, key=lambda r: _timestamp(r[0].published)):
            self._record(item, TextFeatures.of(item.text_key), self._vector(item.vector),
                         story, duplicate_of)

    # ------------------------------------------------------------------ public

    def __len__(self) -> int:
        """Number of stories held (live ones, plus expired ones not yet pruned)."""
        return self._stories.n

    def add(
        self, item: Item, new_story_key: Callable[[], Hashable] | None = None
    ) -> Decision:
        """Decide the story of ``item`` (and whether it duplicates an earlier article).

        ``new_story_key`` is called only when a new story starts and returns its key;
        by default a new story is keyed by the key of its first article.
        """
        p = self.params
        t = _timestamp(item.published)
        self._advance(t)
        cutoff = self._now - p.window_hours * 3600.0
        text = TextFeatures.of(item.text_key)
        vec = self._vector(item.vector)
        m = self._members
        member_time = m.col("time")
        dup_window = member_time >= max(cutoff, t - p.duplicate_window_hours * 3600.0)

        # 1. the same normalised text seen recently: a copy, whatever else holds
        exact = self._by_text.get(text.norm) if text.norm else None
        if exact is not None and dup_window[exact]:
            score = 1.0 if vec is None else 1.0 + p.overlap_weight
            return self._join(item, text, vec, exact, score, self._member_keys[exact])

        bridge = self._unit(item.bridge, self._bridges)
        if vec is None:
            # no vector: a near-exact copy (by text), else the bridge, can place it in a story
            dup, score = self._best_duplicate(text, item.places, np.flatnonzero(dup_window), None)
            if dup is not None:
                return self._join(item, text, vec, dup, score, self._member_keys[dup])
            chosen, story_score = self._best_story(None, bridge, t, cutoff, item.places)
            if chosen is not None:
                return self._add_to(item, text, vec, chosen, story_score, None)
            return self._start(item, text, vec, story_score, None, new_story_key)

        # 2. the nearest article and the best story in the window
        has_vec = m.col("has_vec")
        rows, _ = self._index.search(vec, 1, (member_time >= cutoff) & has_vec)
        nearest = self._member_keys[int(rows[0])] if len(rows) else None
        chosen, story_score = self._best_story(vec, bridge, t, cutoff, item.places)

        # 3. duplicates: the nearest recent articles within the chosen story; if none
        #    was chosen, anywhere (a reprint of an article in a story too old to join
        #    on topic alone)
        allowed = dup_window & has_vec
        if chosen is not None:
            allowed &= m.col("story") == chosen
        cand, cosines = self._index.search(vec, p.duplicate_candidates, allowed)
        close = cosines >= p.duplicate_min_cosine
        dup, dup_score = self._best_duplicate(text, item.places, cand[close], cosines[close])
        if dup is not None:
            return self._join(item, text, vec, dup, dup_score, nearest)
        if chosen is not None:
            return self._add_to(item, text, vec, chosen, story_score, nearest)
        return self._start(item, text, vec, story_score, nearest, new_story_key)

    def _best_story(
        self, vec: np.ndarray | None, bridge: np.ndarray | None, t: float, cutoff: float, places: frozenset[str]
    ) -> tuple[int | None, float | None]:
        """(row of the story to join or None, its centroid cosine or the best one seen)."""
        p, s, b = self.params, self._stories, self._bridges
        live = s.col("last") >= cutoff
        rise = -np.expm1(-np.maximum(t - s.col("time_sum") / s.col("count"), 0.0) / 3600.0 / p.freshness_hours)
        cos = margin = np.full(s.n, -np.inf)
        if vec is not None:
            usable = (s.col("vec_count") > 0) & live
            cos = (s.vectors @ vec) / np.where(usable, s.col("norm"), 1.0)
            margin = np.where(usable, cos - p.join_fresh - (p.join_stale - p.join_fresh) * rise, -np.inf)
        if bridge is not None:
            usable = (b.col("count") > 0) & live & ((b.col("foreign") > 0) if vec is not None else True)
            across = (b.vectors @ bridge) / np.where(usable, b.col("norm"), 1.0)
            need = p.bridge_join_fresh + (p.bridge_join_stale - p.bridge_join_fresh) * rise
            if places:  # no story whose places are all others; a lower bar for one that shares one
                shared = np.array([len(places & named) for named in self._story_places], bool)
                usable &= shared | ~np.array([bool(named) for named in self._story_places], bool)
                need = need - p.bridge_place_bonus * shared
            better = usable & (across - need > margin)
            cos, margin = np.where(better, across, cos), np.where(better, across - need, margin)
        seen = np.isfinite(margin)
        if not seen.any():
            return None, None
        k = int(np.argmax(margin))
        if margin[k] >= 0:
            return k, float(cos[k])
        return None, float(cos[seen].max())

    def _add_to(self, item: Item, text: TextFeatures, vec: np.ndarray | None, story: int,
                score: float | None, nearest: Hashable | None) -> Decision:
        """Record ``item`` as a new member (not a copy) of story row ``story``."""
        story_key = self._story_keys[story]
        self._record(item, text, vec, story_key, None)
        return Decision(item.key, story_key, None, score, nearest, False)

    def _join(self, item: Item, text: TextFeatures, vec: np.ndarray | None, dup: int,
              score: float, nearest: Hashable | None) -> Decision:
        """Record ``item`` as a copy of member row ``dup``, in that member's story."""
        story_key = self._story_keys[int(self._members.col("story")[dup])]
        root_key = self._member_roots[dup]
        self._record(item, text, vec, story_key, root_key)
        return Decision(item.key, story_key, root_key, score, nearest, False)

    def _start(self, item: Item, text: TextFeatures, vec: np.ndarray | None,
               score: float | None, nearest: Hashable | None,
               new_story_key: Callable[[], Hashable] | None) -> Decision:
        story_key = new_story_key() if new_story_key is not None else item.key
        self._record(item, text, vec, story_key, None)
        return Decision(item.key, story_key, None, score, nearest, True)

    # ------------------------------------------------------------------ internals

    def _vector(self, vector: np.ndarray | None) -> np.ndarray | None:
        return self._unit(vector, self._stories)

    @staticmethod
    def _unit(vector: np.ndarray | None, rows: _Rows) -> np.ndarray | None:
        """``vector`` as a unit float32 row of ``rows``'s matrix (which takes its width from the first), or None
        when it is missing or unusable."""
        if vector is None:
            return None
        vec = np.asarray(vector, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(vec))
        if not math.isfinite(norm) or norm == 0.0:
            return None
        if abs(norm - 1.0) > 1e-3:
            vec = vec / norm
        if rows.mat.shape[1] == 0:
            rows.set_dim(len(vec))
        elif len(vec) != rows.mat.shape[1]:
            raise ValueError(f"vector has {len(vec)} dimensions, expected {rows.mat.shape[1]}")
        return vec

    def _best_duplicate(
        self, text: TextFeatures, places: frozenset[str], cand: np.ndarray, cosines: np.ndarray | None
    ) -> tuple[int | None, float | None]:
        """The earliest candidate (member row) that ``text`` (naming ``places``) near-duplicates, and the score.

        ``cosines``: the candidates' cosines to the article, in ``cand`` order, or
        ``None`` to compare by text only.
        """
        best, best_score = None, None
        has_vec = self._members.col("has_vec")
        times = self._members.col("time")
        for j, i in enumerate(cand.tolist()):
            other = self._member_text[i]
            if not self.params.changed_figure_is_copy and text.norm != other.norm and figure_changed(text, other):
                continue  # never a copy (duplicate_score's rule): not worth its trigram overlap
            if _elsewhere(places, self._member_places[i]):
                continue
            cosine = float(cosines[j]) if cosines is not None and has_vec[i] else None
            ok, score = duplicate_score(cosine, text, other, self.params)
            if ok and (best is None or (times[i], i) < (times[best], best)):
                best, best_score = i, score
        return best, best_score

    def _record(
        self,
        item: Item,
        text: TextFeatures,
        vec: np.ndarray | None,
        story_key: Hashable,
        duplicate_of: Hashable | None,
    ) -> None:
        t = _timestamp(item.published)
        self._advance(t)
        s, m = self._stories, self._members
        j = self._story_index.get(story_key)
        if j is None:
            j = s.append(None, count=0.0, vec_count=0.0, norm=0.0, time_sum=0.0, last=t)
            self._bridges.append(None, norm=0.0, count=0.0, foreign=0.0)
            self._story_index[story_key] = j
            self._story_keys.append(story_key)
            self._story_places.append(frozenset())
        self._story_places[j] |= item.places
        if vec is not None:
            s.mat[j] += vec
            s.cols["vec_count"][j] += 1
            s.cols["norm"][j] = np.linalg.norm(s.mat[j])
        if (bridge := self._unit(item.bridge, self._bridges)) is not None:
            b = self._bridges
            b.mat[j] += bridge
            b.cols["count"][j] += 1
            b.cols["foreign"][j] += vec is None
            b.cols["norm"][j] = np.linalg.norm(b.mat[j])
        s.cols["count"][j] += 1
        s.cols["time_sum"][j] += t
        s.cols["last"][j] = max(s.cols["last"][j], t)
        i = m.append(None, story=j, time=t, has_vec=vec is not None)
        self._index.add(vec, item.key)
        self._member_keys.append(item.key)
        self._member_index[item.key] = i
        self._member_roots.append(item.key if duplicate_of is None else duplicate_of)
        self._member_text.append(text)
        self._member_places.append(item.places)
        if text.norm:
            self._by_text.setdefault(text.norm, i)

    def _advance(self, t: float) -> None:
        """Move the clock to ``t`` (never backwards); now and then drop what expired.

        Decisions mask expired rows themselves, so when pruning happens does not
        change any result; it only bounds memory.
        """
        if t <= self._now:
            return
        self._now = t
        span = self.params.window_hours * 3600.0
        if t - self._pruned_at < span / 8:
            return
        self._pruned_at = t
        cutoff = t - span
        s, m = self._stories, self._members
        live_story = s.col("last") >= cutoff
        live_member = m.col("time") >= cutoff
        if live_story.all() and live_member.all():
            return
        story_map = s.keep(live_story)
        self._bridges.keep(live_story)
        keep = np.flatnonzero(live_member).tolist()
        m.keep(live_member)
        self._index.keep(live_member)
        m.cols["story"][: m.n] = story_map[m.cols["story"][: m.n]]
        self._story_keys = [k for k, ok in zip(self._story_keys, live_story.tolist()) if ok]
        self._story_places = [p for p, ok in zip(self._story_places, live_story.tolist()) if ok]
        self._story_index = {k: i for i, k in enumerate(self._story_keys)}
        self._member_keys = [self._member_keys[i] for i in keep]
        self._member_index = {k: i for i, k in enumerate(self._member_keys)}
        self._member_roots = [self._member_roots[i] for i in keep]
        self._member_text = [self._member_text[i] for i in keep]
        self._member_places = [self._member_places[i] for i in keep]
        self._by_text = {}
        for i, text in enumerate(self._member_text):
            if text.norm:
                self._by_text.setdefault(text.norm, i)
