"""Claim extraction and comparison, table-driven, on the project's own sentences."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pysbd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warwatch.claims.check import Disputes, check_article
from warwatch.claims.claim import Claim
from warwatch.claims.compare import compare
from warwatch.claims.extract import extract_claims
from warwatch.claims.history import ClaimHistory
from warwatch.claims.quantities import find_figures, normalise_numbers
from warwatch.claims.sentences import _BLANK_LINE, split_sentences

MON = datetime(2024, 8, 12, 15, tzinfo=timezone.utc)  # a Monday


def figures(text: str):
    return [(f.value, f.low, f.high, f.unit, f.bound) for f in find_figures(normalise_numbers(text))]


@pytest.mark.parametrize("text, expected", [
    ("27 sailors are missing", [(27, 27, 27, None, None)]),
    ("twenty-seven sailors are missing", [(27, 27, 27, None, None)]),
    ("more than 100,000 people left", [(100_000, 100_000, float("inf"), None, "more than")]),
    ("fewer than 40 soldiers", [(40, 0, 40, None, "less than")]),
    ("between 10 and 12 were killed", [(11, 10, 12, None, "range")]),
    ("the toll rose from 12 to 15", [(15, 15, 15, None, None)]),
    ("1.5 million people", [(1_500_000, 1_500_000, 1_500_000, None, None)]),
    ("dozens of wounded", [(24, 24, 99, None, "vague")]),
    ("a thousand residents", [(1000, 1000, 1000, None, None)]),
])
def test_counts_and_bounds(text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize("text, value, unit", [
    ("about 1,000 km² of land", 1000, "km²"),
    ("roughly 1,000 square kilometres", 1000, "km²"),
    ("400,000 square miles", 400_000 * 2.589988110336, "km²"),
    ("a 12 km deep push", 12, "km"),
    ("30 miles into the region", 30 * 1.609344, "km"),
    ("500 hectares of farmland", 5, "km²"),
])
def test_units_become_canonical(text, value, unit):
    (found,) = find_figures(normalise_numbers(text))
    assert found.unit == unit and found.value == pytest.approx(value, rel=1e-6)


@pytest.mark.parametrize("text", [
    "On 6 August the push began", "Shelling stopped at 10:00", "The siege lasted 224 days",
    "In 2023 the dam broke", "It was the 2nd attempt", "Talks resume on April 13",
])
def test_dates_times_and_durations_are_not_figures(text):
    assert figures(text) == []


def claims(title: str, text: str = "", published: datetime = MON) -> list[Claim]:
    return extract_claims(title, text, published)


@pytest.mark.parametrize("sentence, kind, value, group", [
    ("Two sailors died and 14 are missing after the strike.", "killed", 2, "military"),
    ("At least 30 civilians were injured in the shelling.", "wounded", 30, "civilian"),
    ("Rescuers have evacuated 885 people so far.", "evacuated", 885, None),
    ("Some 40 soldiers were taken prisoner near the river.", "prisoners", 40, "military"),
    ("Troops now hold about 1,000 sq km of the region.", "territory", 1000, None),
    ("The army says it has liberated 12 villages this week.", "settlements", 12, None),
    ("Air defences shot down 14 drones overnight.", "equipment:drone:shot down", 14, None),
    # what rose is further back than the words before the figure
    ("The death toll from Monday's missile strike on the city has risen to 58, officials said.", "killed", 58, None),
    ("The number of people evacuated from the district has reached 1,200.", "evacuated", 1200, None),
])
def test_figure_kinds(sentence, kind, value, group):
    claim = [c for c in claims(sentence) if c.is_quantity][0]
    assert (claim.kind, claim.value, claim.subject) == (kind, value, group)


@pytest.mark.parametrize("sentence", [
    "There are about 80 villages in the flood zone.",  # counted, but nothing checkable is said of them
    "About 16,000 people live in the danger area.",
    "The column was 12 km long.",
])
def test_figures_of_no_checkable_kind_are_not_claims(sentence):
    assert [c for c in claims(sentence) if c.is_quantity] == []


@pytest.mark.parametrize("sentence, speaker, side", [
    ("Marinka was captured, the army chief Ivan Petrenko said.", "army chief Ivan Petrenko", None),
    ("According to Ukraine's general staff, 40 soldiers were captured.", "Ukraine's general staff", "Ukraine"),
    ("Kremlin spokesman Dmitry Peskov said 12 soldiers were killed.", "Kremlin spokesman Dmitry Peskov", "Russia"),
    ("Mariia Koval, a spokeswoman for the regional council, said 12 people were killed.", "Mariia Koval", None),
])
def test_attribution(sentence, speaker, side):
    claim = claims(sentence)[0]
    assert (claim.speaker, claim.side) == (speaker, side)


def test_quoted_denial_takes_its_speaker_and_the_place_under_discussion():
    found = claims("Commander says Marinka taken",
                   "A Russian commander said on Sunday that his troops had captured Marinka. "
                   "Ukrainian spokesman Oleh Marchuk told reporters: \u201cThis is not true. "
                   "Our units are still fighting in Marinka.\u201d")
    statuses = [(c.subject, c.polarity, c.side) for c in found if c.kind == "control"]
    assert ("Marinka", True, "Russia") in statuses and ("Marinka", False, "Ukraine") in statuses


@pytest.mark.parametrize("sentence, place", [
    ("Bakhmut fell to Russian forces on Saturday.", "Bakhmut"),
    ("Avdiivka fell on Saturday, the ministry said.", "Avdiivka"),
    ("Kupiansk fell in February.", "Kupiansk"),
    ("Officials said Lyman fell.", "Lyman"),
    ("Debris fell on residential buildings in Kherson.", None),  # what fell is not a place
    ("Exports fell by 5% last year.", None),
])
def test_a_place_that_fell_is_a_capture_and_falling_debris_is_not(sentence, place):
    assert [c.subject for c in claims(sentence) if c.kind == "control"] == ([place] if place else [])


@pytest.mark.parametrize("sentence, when", [
    ("Officials said on Friday that 12 people were killed.", date(2024, 8, 9)),
    ("On 6 August, 12 soldiers were killed.", date(2024, 8, 6)),
    ("Yesterday 12 soldiers were killed.", date(2024, 8, 11)),
    ("12 soldiers were killed.", None),
])
def test_time_reference(sentence, when):
    assert claims(sentence)[0].refers_to == when


def test_hedges_and_running_totals_are_recorded():
    hedged, total = claims("Troops may hold up to 500 sq km of land.")[0], claims("A total of 90 people have been evacuated so far.")[0]
    assert hedged.hedged and not hedged.running_total
    assert total.running_total and not total.hedged


def one(sentence: str, published: datetime = MON) -> Claim:
    (claim,) = claims(sentence, published=published)
    return claim


LATER = MON + timedelta(days=1)
WEEK = MON + timedelta(days=7)


@pytest.mark.parametrize("earlier, new, new_at, relation, kind", [
    # figures that cannot both hold, after unit conversion
    ("The army chief said troops control about 1,000 sq km of the region.",
     "Troops hold up to 400,000 square miles of land.", LATER, "contradiction", "quantity"),
    ("Rescuers said about 60 sailors were rescued.", "The ministry said 400 sailors were rescued.", MON,
     "contradiction", "quantity"),
    # compatible bounds
    ("More than 100,000 people have been evacuated.", "121,000 people have been evacuated.", LATER, "update", None),
    ("121,000 people have been evacuated.", "More than 100,000 people have been evacuated.", LATER, "consistent", None),
    ("About 1,000 sq km are held by the troops.", "Troops hold 1,020 square kilometres of land.", LATER, "update", None),
    ("Troops hold 1,020 square kilometres of land.", "About 1,000 sq km are held by the troops.", LATER, "consistent", None),
    # a running count rising over the following days is an update
    ("121,000 people have been evacuated.", "More than 122,000 people have been evacuated.", WEEK, "update", None),
    ("So far 742 people have been evacuated.", "A total of 885 people have been evacuated.", LATER, "update", None),
    # a count falling later is not an update
    ("885 people have been evacuated.", "Only 300 people have been evacuated.", LATER, "contradiction", "quantity"),
    # different quantities never meet
    ("121 people were injured.", "121,000 people have been evacuated.", LATER, "unrelated", None),
    ("The advance went 12 km deep.", "12 soldiers were killed.", LATER, "unrelated", None),
    ("Troops hold 1,000 sq km of land.", "12 villages have been liberated.", LATER, "unrelated", None),
    # event status
    ("The ministry said the crew was completely evacuated.", "Three sailors are missing after the fire.", LATER,
     "contradiction", "status"),
    ("The navy failed to evacuate the crew.", "Three sailors are missing after the fire.", LATER, "consistent", None),
    ("Commander Ivan Petrenko said his troops captured Marinka.", "Kyiv says fighting continues in Marinka.", MON,
     "contradiction", "status"),
    ("Commander Ivan Petrenko said his troops captured Marinka.", "Kyiv says fighting continues in Avdiivka.", MON,
     "unrelated", None),
    # cause and responsibility
    ("The ship sank as a result of a fire on board.", "The ship was hit by two missiles.", LATER,
     "contradiction", "cause"),
    ("Kyiv accused Russia of blowing up the dam.", "The Kremlin blamed Ukraine for the sabotage.", MON,
     "contradiction", "responsibility"),
    ("Kyiv accused Russia of blowing up the dam.", "Moscow denied any involvement in the blast.", MON,
     "contradiction", "responsibility"),
    ("Kyiv accused Russia of blowing up the dam.", "Zelensky blamed Russian forces for the explosion.", MON,
     "consistent", None),
])
def test_comparison_rules(earlier, new, new_at, relation, kind):
    verdict = compare(one(new, new_at), one(earlier))
    assert (verdict.relation, verdict.kind) == (relation, kind), verdict.reason
    if relation == "contradiction":
        assert verdict.reason


def test_the_explanation_quotes_both_figures_their_speaker_and_date():
    syrskyi = one("Commander Oleksandr Syrskyi said troops control about 1,000 sq km of the region.")
    tabloid = one("Troops hold up to 400,000 square miles of land.", LATER)
    reason = compare(tabloid, syrskyi).reason
    assert "1,036,000 km²" in reason and "about 1,000 times" in reason
    assert "Oleksandr Syrskyi" in reason and "12 Aug 2024" in reason


@pytest.mark.parametrize("low, scale", [(0.5, "about 4,000,000,000 times"), (0.0, "against")])
def test_a_vast_ratio_is_written_out_and_a_figure_of_none_is_no_ratio(low, scale):
    at = datetime(2024, 8, 12, tzinfo=timezone.utc)
    earlier = Claim("Officials said 0.5 km² was affected.", "territory", at, value=low, low=low, high=low, unit="km²",
                    shown=str(low))
    new = Claim("A blogger said 2 billion km² was affected.", "territory", at, value=2e9, low=2e9, high=2e9,
                unit="km²", shown="2 billion")
    reason = compare(new, earlier).reason
    assert f"{scale} the" in reason and "e+" not in reason


def test_a_claim_and_its_denial_in_one_article_is_a_dispute():
    new = list(enumerate(claims("Commander says Marinka taken, Kyiv says fighting continues in Marinka")))
    (finding,) = check_article(new, ClaimHistory(), Disputes())
    assert finding.verdict.kind == "status"
    assert {finding.claim, finding.other} == {0, 1}


def test_a_dispute_is_reported_once_however_often_it_is_repeated():
    official = (0, one("Commander Oleksandr Syrskyi said troops control about 1,000 sq km of the region."))
    inflated = (1, one("Troops hold up to 400,000 square miles of land.", LATER))
    disputes = Disputes()
    first = check_article([inflated], ClaimHistory([official]), disputes)
    again = check_article([(2, one("Sources say troops hold as much as 400,000 square miles of land.", WEEK))],
                          ClaimHistory([official, inflated]), disputes)
    assert len(first) == 1 and again == []


def test_a_second_opinion_is_asked_only_when_the_rules_find_nothing():
    asked = []

    def judge(new, old):
        asked.append((new.text, old.text))
        return None

    earlier = ClaimHistory([(0, one("12 soldiers were killed."))])
    check_article([(1, one("40 soldiers were killed."))], earlier, Disputes(), judge)  # the rules decide
    check_article([(2, one("13 soldiers were killed."))], earlier, Disputes(), judge)  # consistent: asked
    assert asked == [("13 soldiers were killed.", "12 soldiers were killed.")]


HISTORY = ["Russia says it took Marinka.", "Fighting goes on in Marinka, Kyiv says.", "Russia says it took Avdiivka.",
           "On Sunday 40 drones were shot down.", "On Monday 90 drones were shot down.", "On 1 August 12 drones were shot down.",
           "45 drones were shot down.", "12 soldiers were killed.", "40 soldiers were killed.", "The crew was fully evacuated.",
           "27 sailors are missing.", "Kyiv blames Russia for the blast.", "Two tanks were destroyed.",
           "In the past day 30 soldiers were killed.", "Since the start of the war 900 soldiers were killed.",
           "The strike killed 15 people, including 4 soldiers.", "Officials said 200 people are to be evacuated.",
           "Officials said 260 people were evacuated."]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(HISTORY), st.integers(0, 14 * 24)), min_size=1, max_size=12),
       st.sampled_from(HISTORY), st.integers(0, 14 * 24))
def test_a_story_history_leaves_out_only_claims_compare_finds_unrelated_or_outside_the_window(earlier, sentence, hour):
    window = timedelta(days=10)
    stored = [c for text, h in earlier for c in claims(text, published=MON + timedelta(hours=h))]
    history = ClaimHistory(enumerate(stored), window)
    for claim in claims(sentence, published=MON + timedelta(hours=hour)):
        comparable = history.comparable(claim)
        keys = [key for key, _ in comparable]
        assert [stored[k].published for k in keys] == sorted((stored[k].published for k in keys), reverse=True)
        for key, other in enumerate(stored):
            if key not in keys and other.published >= claim.published - window:
                assert compare(claim, other, explain=False).relation == "unrelated", (claim, other)


def test_a_story_history_keeps_a_late_articles_claims_in_published_order():
    history = ClaimHistory(window=timedelta(days=10))
    history.add("new", one("12 soldiers were killed.", WEEK))
    history.add("late", one("14 soldiers were killed.", LATER))  # published before, arrived after
    history.add("old", one("10 soldiers were killed.", WEEK - timedelta(days=11)))
    assert [key for key, _ in history.comparable(one("20 soldiers were killed.", WEEK))] == ["new", "late"]


PIECES = ["Dr. Smith said 3 were killed.", "It fell.", "It fell. ", "U.S. officials denied it", "“Kyiv holds.” ",
          "e.g. ", "a a", " ", "\n\n", "\u00a0", "!", "?", "... ", "(1) ", "No. 5 ", "Mr.", ".",
          "Kyiv fell.", "Kyiv fell.\n\n", "\n \n", "\n", "\r\n", "a) ", "(Reuters) ", "it rose! ", "“", '"', "•", "。"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=8), max_size=14).map("".join))
def test_sentences_are_those_of_pysbds_own_non_destructive_mode_paragraph_by_paragraph(text):
    segment = pysbd.Segmenter(language="en", clean=False).segment
    ends = [m.end() for m in _BLANK_LINE.finditer(text)] + [len(text)]
    paragraphs = [text[start:stop] for start, stop in zip([0, *ends], ends)]
    assert split_sentences(text) == [sentence for paragraph in paragraphs if paragraph
                                     for sentence in segment(paragraph)]