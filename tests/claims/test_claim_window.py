"""The claim window: cross-story candidates by sentence vector, kind, place, story and time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from warwatch.claims.claim import Claim
from warwatch.claims.window import ClaimWindow
from warwatch.stories.ann import AnnIndex

T0 = datetime(2024, 8, 12, tzinfo=timezone.utc)


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, np.float32)
    return vector / np.linalg.norm(vector)


def claim(kind: str = "killed", places: tuple[str, ...] = ("Sumy",)) -> Claim:
    return Claim(kind=kind, text=f"{kind} in {', '.join(places)}", published=T0, places=places)


def search(window: ClaimWindow, *, story: int = 9, hours: float = 0, kinds=("killed",), places=("Sumy",)):
    found = window.neighbours([unit(1, 0, 0)], story_id=story, since=T0 + timedelta(hours=hours), kinds=set(kinds),
                              places=set(places), similarity=0.75)
    return [claim_id for claim_id, _ in found]


def test_candidates_are_close_of_a_partner_kind_name_a_common_place_and_come_from_other_stories():
    window = ClaimWindow()
    window.add(1, 1, T0, claim(), unit(1, 0.1, 0))                     # close: found
    window.add(2, 1, T0, claim(), unit(1, 0.5, 0))                     # closer to the query than 4, less than 1
    window.add(3, 1, T0, claim(), unit(0, 1, 0))                       # far
    window.add(4, 1, T0, claim(), unit(1, 0.7, 0))                     # cosine 0.82: found, last
    window.add(5, 1, T0, claim(places=("Kursk",)), unit(1, 0, 0))      # no common place
    window.add(6, 1, T0, claim(kind="wounded"), unit(1, 0, 0))         # another kind
    window.add(7, 9, T0, claim(), unit(1, 0, 0))                       # the article's own story
    window.add(8, 1, T0, claim(), None)                                # no vector
    assert search(window) == [1, 2, 4]
    assert search(window, kinds=("killed", "wounded")) == [6, 1, 2, 4]
    assert search(window, places=("Kursk", "Sumy")) == [5, 1, 2, 4]


def test_old_claims_leave_the_window():
    window = ClaimWindow()
    for i in range(300):
        window.add(i, 1, T0 + timedelta(hours=i), claim(), unit(1, 0, 0.001 * i))
    assert search(window, hours=295) == [295, 296, 297, 298, 299]
    window.forget_before(T0 + timedelta(hours=200))
    assert len(window) == 100
    assert search(window, hours=295) == [295, 296, 297, 298, 299]
    assert search(window, hours=0)[:3] == [200, 201, 202]


def test_an_approximate_window_keeps_its_graph_between_runs(tmp_path):
    path = tmp_path / "index-claims-test.usearch"

    def run(hours: int) -> tuple[AnnIndex, ClaimWindow]:
        index = AnnIndex(exact_below=0, saved=path)  # the graph even for so few rows
        window = ClaimWindow(lambda: index)
        for i in range(hours):
            window.add(i, 1, T0 + timedelta(hours=i), claim(), unit(1, 0, 0.001 * i))
        window.forget_before(T0 + timedelta(hours=hours - 100))
        assert search(window, hours=hours - 100)[:3] == [hours - 100, hours - 99, hours - 98]  # through the graph
        window.save()
        return index, window

    first, _ = run(300)
    assert first.reused == 0 and path.is_file()
    second, _ = run(320)  # 20 more hours: the first run's claims come back, the old ones leave
    assert second.reused == 100  # the first run kept claims 200-299 (the rest had left its window)
    with np.load(path.with_suffix(".npz")) as saved:
        assert sorted(saved["keys"].tolist()) == list(range(220, 320))
