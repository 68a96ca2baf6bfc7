"""The numpy pass over earlier claims keeps exactly the claims compare() calls a contradiction (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warwatch.claims.check import Disputes, check_article
from warwatch.claims.columns import ClaimColumns
from warwatch.claims.compare import compare, partners
from warwatch.claims.extract import Claim

START = datetime(2024, 8, 12, tzinfo=timezone.utc)
KINDS = ["killed", "wounded", "territory", "equipment:tank:destroyed", "control", "evacuation"]
SUBJECTS = [None, "", "children", "civilians", "Bakhmut", "bakhmut"]
SIDES = [None, "", "Russia", "Ukraine"]
VALUES = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 10.0, 12.0, 13.0, 15.0, 16.0, 18.0, 20.0, 24.0, 25.0, 30.0, 32.0, 40.0, 50.0,
          64.0, 100.0, 128.0, 1000.0, 1e6, float("inf"), float("nan")]  # near and far ratios, around every margin


@st.composite
def claims(draw, kinds=KINDS):
    kind = draw(st.sampled_from(kinds))
    published = START + draw(st.integers(0, 240).map(lambda h: timedelta(hours=h))  # whole days apart too
                             | st.integers(0, 10 * 86400 * 10 ** 6).map(lambda us: timedelta(microseconds=us)))
    common = dict(text="", kind=kind, published=published, subject=draw(st.sampled_from(SUBJECTS)),
                  actor=draw(st.sampled_from(SIDES)), side=draw(st.sampled_from(SIDES)),
                  polarity=draw(st.booleans()), speaker=draw(st.sampled_from([None, "a", "b"])))
    if kind in ("control", "evacuation"):
        return Claim(**common)
    value = draw(st.sampled_from(VALUES) | st.floats(0, 1e7, allow_nan=False))
    low, high = draw(st.sampled_from([(value, value), (None, None), (value, float("inf")), (0.0, value),
                                      (value * 0.9, value * 1.1), (value, None)]))
    refers_to = draw(st.none() | st.dates(date(2024, 8, 10), date(2024, 9, 3)))
    return Claim(**common, value=value, low=low, high=high,
                 bound=draw(st.sampled_from([None, "vague", "about", "more than"])), refers_to=refers_to)


def figure(kind, low, high, days=0.0, **facts):
    return Claim("", kind, START + timedelta(days=days), value=(low + high) / 2, low=low, high=high, **facts)


def control(taken, days=0.0, **facts):
    return Claim("", "control", START + timedelta(days=days), subject="Bakhmut", polarity=taken, **facts)


EDGES = [  # pairs (new, old) at the edges of the rules, with the verdict compare() gives
    (figure("killed", 40, 50, days=1), figure("killed", 10, 20), "update"),  # ratio 2.0 = 1.5 + 0.5 a day
    (figure("killed", 41, 50, days=1), figure("killed", 10, 20), "contradiction"),
    (figure("killed", 25, 30), figure("killed", 10, 20, days=1), "contradiction"),  # reported before: no update
    (figure("equipment:tank:destroyed", 25, 30), figure("equipment:tank:destroyed", 10, 20), "contradiction"),
    (figure("equipment:tank:destroyed", 24, 30), figure("equipment:tank:destroyed", 10, 20), "consistent"),
    (figure("killed", 200, 300, bound="vague"), figure("killed", 10, 20, days=1), "contradiction"),  # ratio 10
    (figure("killed", 199, 300, bound="vague"), figure("killed", 10, 20, days=1), "consistent"),
    (figure("wounded", 40, 50, days=1, side="Russia"), figure("wounded", 10, 20, side="Ukraine"), "contradiction"),
    (figure("equipment:tank:destroyed", 40, 50, refers_to=date(2024, 8, 2)), figure("equipment:tank:destroyed", 1, 2, refers_to=date(2024, 8, 1)),
     "contradiction"),
    (figure("equipment:tank:destroyed", 40, 50, refers_to=date(2024, 8, 3)), figure("equipment:tank:destroyed", 1, 2, refers_to=date(2024, 8, 1)),
     "unrelated"),
    (figure("killed", 40, 50, subject="children"), figure("killed", 1, 2), "unrelated"),
    (figure("killed", 40, 50), figure("killed", 1, 2, subject="children"), "unrelated"),
    (figure("killed", 40, 50, actor="Russia"), figure("killed", 1, 2), "contradiction"),
    (figure("killed", 40, 50, actor="Russia"), figure("killed", 1, 2, actor="Ukraine"), "unrelated"),
    (control(True, days=7.99), control(False), "contradiction"),  # 7 whole days apart
    (control(True, days=8), control(False), "unrelated"),
    (control(True), control(False, days=7), "contradiction"),
    (control(True), control(False, days=7.01), "unrelated"),
    (control(True, actor="Russia"), control(True, actor="Ukraine"), "contradiction"),
    (control(False, actor="Russia"), control(False, actor="Ukraine"), "consistent"),
]


@pytest.mark.parametrize("new, old, relation", EDGES)
def test_the_columns_agree_with_compare_at_the_edges_of_the_rules(new, old, relation):
    assert compare(new, old).relation == relation
    kept = ClaimColumns([old]).candidates(new, np.arange(1)).tolist()
    assert kept == ([0] if relation == "contradiction" else [])


@settings(max_examples=400, deadline=None)
@given(claims(), st.data())
def test_the_columns_keep_exactly_the_claims_compare_finds_contradicted(new, data):
    earlier = data.draw(st.lists(claims([new.kind]) | claims(), min_size=20, max_size=40))  # mostly its own kind
    kept = set(ClaimColumns(earlier).candidates(new, np.arange(len(earlier))).tolist())
    for i, old in enumerate(earlier):
        contradiction = compare(new, old, explain=False).relation == "contradiction"
        judged = old.kind == new.kind and (new.kind == "control" or new.is_quantity)
        assert contradiction <= (i in kept)  # never passes a contradiction over
        if judged:
            assert (i in kept) == contradiction  # and keeps nothing else when it judges


@settings(max_examples=300, deadline=None)
@given(claims(), st.data())
def test_the_columns_tell_which_claims_agree_with_some_dispute_side(claim, data):
    rows = data.draw(st.lists(claims([claim.kind]) | claims(), min_size=5, max_size=25))
    sides = data.draw(st.lists(claims([claim.kind]) | claims(), max_size=6))
    agreeing = ClaimColumns(rows).agreeing(claim, np.arange(len(rows)), sides).tolist()
    judged = claim.kind != "evacuation"  # the columns judge figures and control, of the claim's kind
    assert agreeing == [judged and row.kind == claim.kind
                        and any(compare(row, side).agrees for side in sides if side.kind == claim.kind) for row in rows]


@pytest.mark.parametrize("new, old, relation", EDGES)
def test_the_columns_tell_agreement_at_the_edges_of_the_rules(new, old, relation):
    assert ClaimColumns([new]).agreeing(new, np.arange(1), [old]).tolist() == [relation in ("consistent", "update")]


def stories(kinds):  # articles of one story about one kind (disputes recur), in turn
    return st.lists(st.lists(claims(kinds), min_size=1, max_size=4), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([["killed"], ["control"], ["wounded", "evacuation"], KINDS]).flatmap(stories))
def test_check_article_finds_what_comparing_every_pair_finds(articles):
    def every_pair(new, old):  # a second opinion that never objects: check_article then compares every pair
        return None

    def findings(judge):
        disputes, earlier, found, key = Disputes(), [], [], 0
        for article in articles:  # one story's articles in turn: known disputes grow
            new = [(key := key + 1, claim) for claim in article]
            found.append(check_article(new, earlier[::-1], disputes, judge))
            earlier += new
        return found

    assert findings(None) == findings(every_pair)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([["killed"], ["control"], ["wounded", "evacuation"], KINDS]).flatmap(
    lambda kinds: st.tuples(st.lists(st.tuples(claims(kinds), claims(kinds)), max_size=8), claims(kinds),
                            st.lists(claims(kinds), max_size=8))))
def test_known_disputes_are_those_comparing_each_side_finds(case):
    pairs, claim, others = case
    disputes = Disputes(pairs[:3])
    for pair in pairs[3:]:
        disputes.add(*pair)

    def masks(claim):  # agreement with every side of a partner kind, as bits
        kinds = partners(claim.kind)
        return [sum(compare(claim, pair[j]).agrees << i for i, pair in enumerate(pairs) if pair[j].kind in kinds)
                for j in (0, 1)]

    first, second = masks(claim)
    for other in others:
        other_first, other_second = masks(other)
        assert disputes.known(claim, other) == bool(first & other_second or second & other_first)
