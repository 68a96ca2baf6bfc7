"""Statuses read from the parse: a group unharmed, how a withdrawal went, air defence denied to have downed a weapon."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from warwatch.claims.claim import Claim
from warwatch.claims.compare import compare
from warwatch.claims.confidence import confidence
from warwatch.claims.extract import extract_claims
from warwatch.claims.magnitude import SHORT_OF
from warwatch.config.settings import ClaimSettings
from warwatch.delivery.views import claim_value

MON = datetime(2024, 8, 12, 15, tzinfo=timezone.utc)
LATER = MON + timedelta(days=1)
BAR = ClaimSettings().alert_confidence


def of_kind(kind: str, sentence: str, published: datetime = MON) -> list[Claim]:
    return [c for c in extract_claims(sentence, "", published) if c.kind == kind]


def alerted_dispute(new: Claim, old: Claim, kind: str) -> bool:
    verdict = compare(new, old)
    return (verdict.relation, verdict.kind) == ("contradiction", kind) and confidence(new, old, verdict).score >= BAR


@pytest.mark.parametrize("sentence, group, side", [
    ("The soldiers were not hurt in the strike because they were in a shelter, the governor said.", "military", None),
    ("No civilians were injured, the mayor said.", "civilian", None),
    ("None of the crew was harmed.", "military", None),
    ("He and two other marines, including a medic from the 36th Brigade, were safe.", "military", None),
    ("The Russian soldiers at the checkpoint were unharmed, Moscow said.", "military", "Russia"),
])
def test_a_group_said_to_have_come_to_no_harm(sentence, group, side):
    assert [(c.subject, c.actor) for c in of_kind("unharmed", sentence)] == [(group, side)]


@pytest.mark.parametrize("sentence", [
    "Two soldiers were injured in the strike.",
    "The civilians were moved to safe areas.",
    "The soldiers were not evacuated in time.",
    "The building was not damaged, the mayor said.",
])
def test_harm_done_or_other_words_are_no_unharmed_group(sentence):
    assert of_kind("unharmed", sentence) == []


def test_a_group_unharmed_against_a_count_of_its_dead_is_a_dispute_across_the_lines():
    (killed,) = [c for c in extract_claims("The Russian defence ministry said its strike killed more than 50 Ukrainian "
                                           "soldiers.", "", MON) if c.is_quantity]
    (unharmed,) = of_kind("unharmed", "The soldiers were not hurt because they were in a shelter, Ukraine's army "
                                      "said.", LATER)
    assert alerted_dispute(unharmed, killed, "status")
    assert "the soldiers were unharmed" in compare(unharmed, killed).reason
    # a count that names no group, or another side's soldiers, is not disputed
    (people,) = [c for c in extract_claims("The strike killed 30 people, the governor said.", "", MON) if c.is_quantity]
    (russian,) = of_kind("unharmed", "The Russian soldiers at the checkpoint were unharmed, Moscow said.", LATER)
    assert compare(unharmed, people).relation == "unrelated"
    assert compare(russian, killed).relation == "unrelated"


@pytest.mark.parametrize("wounded, relation", [
    ("Four civilians were wounded by shelling in the Sumy region, the regional administration said.", "unrelated"),
    ("Four civilians were wounded by shelling in Belgorod, the regional administration said.", "unrelated"),
    ("Four civilians were wounded by shelling in Kupiansk, the regional administration said.", "contradiction"),
    ("Four civilians were wounded by shelling, the regional administration said.", "contradiction"),  # names no place
])
def test_a_group_unharmed_in_one_place_is_not_disputed_by_harm_in_another(wounded, relation):
    """As for blame: one place, or a place and its region (Kupiansk is in the Kharkiv region)."""
    (unharmed,) = of_kind("unharmed", "No civilians were injured in the drone attack on the Kharkiv region, the "
                                      "governor said.")
    (figure,) = [c for c in extract_claims(wounded, "", LATER) if c.is_quantity]
    assert compare(figure, unharmed, explain=False).relation == relation


def test_a_group_unharmed_is_where_the_article_last_said_when_its_sentence_names_no_place():
    (unharmed,) = [c for c in extract_claims("Drones attack oil depot", "Drones attacked an oil depot in the Belgorod "
                                             "region overnight, the governor said. No civilians were hurt, he said.",
                                             MON) if c.kind == "unharmed"]
    assert unharmed.places == ("belgorod",)
    (sumy,) = [c for c in extract_claims("Four civilians were wounded by shelling in the Sumy region.", "", LATER)
               if c.is_quantity]
    assert compare(sumy, unharmed).relation == "unrelated"


@pytest.mark.parametrize("sentence, orderly, place, side", [
    ("The withdrawal from Marinka was carried out according to plan, the Ukrainian commander said.", True, "Marinka",
     None),
    ("Covering the organised withdrawal of our units from Marinka, the artillery fired 300 times, Kyiv said.", True,
     "Marinka", "Ukraine"),
    ("The troops withdrew in an orderly manner.", True, None, None),
    ("Ukrainian units abandoned their weapons in a chaotic retreat from Marinka.", False, "Marinka", None),
    ("The retreat of the Ukrainian troops was not organised, the Russian defence minister said.", False, None,
     "Ukraine"),
    ("Russia's hasty withdrawal from Kherson was no success.", False, "Kherson", "Russia"),
])
def test_how_a_withdrawal_went(sentence, orderly, place, side):
    assert [(c.polarity, c.subject, c.actor) for c in of_kind("withdrawal", sentence)] == [(orderly, place, side)]


@pytest.mark.parametrize("sentence", [
    "Ukrainian forces withdrew from Marinka to avoid encirclement.",
    "The withdrawal was planned for Monday.",
    "The troops retreated in order to regroup.",
])
def test_a_withdrawal_without_a_manner_is_no_claim(sentence):
    assert of_kind("withdrawal", sentence) == []


def test_an_orderly_withdrawal_against_a_chaotic_one_is_a_dispute_across_the_lines():
    (orderly,) = of_kind("withdrawal", "The withdrawal from Marinka went according to plan, the Ukrainian commander "
                                       "said.")
    (chaotic,) = of_kind("withdrawal", "Ukrainian units fled in a chaotic retreat from Marinka, Russia's defence "
                                       "ministry said.", LATER)
    assert alerted_dispute(chaotic, orderly, "status")
    (elsewhere,) = of_kind("withdrawal", "The Ukrainian retreat from Vuhledar was chaotic, Russia's defence ministry "
                                         "said.", LATER)
    assert compare(elsewhere, orderly).relation == "unrelated"
    (russian,) = of_kind("withdrawal", "The Russian retreat was chaotic, the Ukrainian army said.", LATER)
    (ukrainian,) = of_kind("withdrawal", "The Ukrainian withdrawal went according to plan, Kyiv said.")
    assert compare(russian, ukrainian).relation == "unrelated"  # two sides' withdrawals


@pytest.mark.parametrize("sentence", [
    "Ukraine's air force said it cannot shoot down missiles of this type.",
    "Not one of these missiles was intercepted, the air force said.",
    "Reports that the missile was shot down are false, the air force said.",
    "The army does not have a system capable of downing such missiles, the air force said.",
])
def test_a_denial_that_air_defence_downed_a_weapon(sentence):
    assert [(c.mechanism, c.polarity) for c in of_kind("cause", sentence)] == [("air defence", False)]


@pytest.mark.parametrize("sentence", [
    "Air defence shot down 25 of the 38 missiles, the air force said.",
    "The governor did not say whether the drone was shot down.",
])
def test_a_weapon_downed_or_a_question_left_open_is_no_denial(sentence):
    assert [c for c in of_kind("cause", sentence) if c.polarity is False] == []


def test_air_defence_blamed_against_its_denial_is_a_dispute_across_the_lines():
    (downed,) = of_kind("cause", "Russia's defence ministry said the damage was caused by a falling Ukrainian air "
                                 "defence missile.")
    (denial,) = of_kind("cause", "Ukraine's air force said it cannot shoot down missiles of this type.", LATER)
    assert alerted_dispute(denial, downed, "cause")
    assert "air defence did not bring it down" in compare(denial, downed).reason


@pytest.mark.parametrize("kind, sentence, shown", [
    ("unharmed", "The Russian soldiers at the checkpoint were unharmed, Moscow said.", "Russia military: unharmed"),
    ("withdrawal", "Ukrainian units fled in a chaotic retreat from Marinka.", "withdrawal from Marinka: in disorder"),
    ("cause", "Not one of these missiles was intercepted, the air force said.", "not brought down by air defence"),
    ("target", "A residential building in Odesa was hit by the missile.", "hit a civilian target in Odesa"),
])
def test_messages_show_what_each_status_asserts(kind, sentence, shown):
    (claim,) = of_kind(kind, sentence)
    assert claim_value(claim) == shown


@pytest.mark.parametrize("sentence, target, place", [
    ("Russian forces hit a meeting of Ukrainian officers in Sumy, Moscow said.", "military", "Sumy"),
    ("The missile hit a crowded street full of civilians, the president said.", "civilian", None),
    ("A residential building in Odesa was hit by the missile.", "civilian", "Odesa"),
    ("The drone struck an ammunition depot overnight.", "military", None),
    ("Russian forces hit army positions and a fuel depot in the Kharkiv region.", "military", "Kharkiv region"),
    ("The missiles struck a school in the region of Sumy.", "civilian", "Sumy region"),
    ("Drones hit a market in Sumy Oblast.", "civilian", "Sumy oblast"),
    ("Russian drones struck a train carrying Ukrainian troops near Lozova.", "military", None),
    ("A drone hit a bus carrying children and their teachers in the Kherson region.", "civilian",
     "Kherson region"),
])
def test_what_a_strike_hit(sentence, target, place):
    assert [(c.subject, c.where) for c in of_kind("target", sentence)] == [(target, place)]


@pytest.mark.parametrize("sentence", [
    "Russia does not strike residential buildings, the Kremlin said.",
    "Moscow denied targeting civilians in the city.",
    "The missile hit the building at noon.",
    "Our forces only strike military targets, the spokesman said.",  # a policy, not a strike
])
def test_a_denied_strike_or_a_target_of_no_kind_is_no_target_claim(sentence):
    assert of_kind("target", sentence) == []


def test_a_military_target_against_a_civilian_one_is_a_dispute_for_one_strike():
    (military,) = of_kind("target", "Russia's defence ministry said its missiles hit a meeting of Ukrainian officers "
                                    "in Sumy.")
    (civilian,) = of_kind("target", "The missiles hit a crowded street in Sumy, Ukraine's president said.", LATER)
    assert alerted_dispute(civilian, military, "target")
    assert compare(civilian, military).reason.endswith("says a civilian one")
    (days_later,) = of_kind("target", "The missiles hit a crowded street in Sumy, Ukraine's president said.",
                            MON + timedelta(days=4))
    (elsewhere,) = of_kind("target", "The missiles hit a crowded street in Kharkiv, Ukraine's president said.", LATER)
    assert compare(days_later, military).relation == "unrelated"  # another strike
    assert compare(elsewhere, military).relation == "unrelated"


def test_a_civilian_target_in_a_city_against_military_ones_in_its_region_is_kept_for_review():
    """A side's summary of its strikes over a region and a city's report of one strike may be two strikes."""
    (civilian,) = of_kind("target", "A drone hit an apartment block in Kharkiv, Ukraine's emergency service said.")
    (region,) = of_kind("target", "Russia's defence ministry said its drones hit army positions and a fuel depot in "
                                  "the Kharkiv region.", LATER)
    (city,) = of_kind("target", "Russia's defence ministry said its drones hit a fuel depot in Kharkiv.", LATER)
    verdict = compare(region, civilian)
    assert verdict.relation == "contradiction"
    trust = confidence(region, civilian, verdict)
    assert trust.score < BAR and "one names only the Kharkiv region, the other Kharkiv" in trust.text()
    assert alerted_dispute(city, civilian, "target")  # one place named by both


@pytest.mark.parametrize("sentence, kind, below, shown", [
    ("There are prisoners, but their number is by no means in the hundreds, the army spokesman said.", "prisoners",
     100, "by no means in the hundreds"),
    ("The number of dead is not in the thousands, the ministry said.", "killed", 1000, "not in the thousands"),
    ("The number of captured soldiers is far from the thousands Moscow claims.", "prisoners", 1000,
     "far from the thousands"),
])
def test_a_count_said_not_to_reach_a_magnitude(sentence, kind, below, shown):
    (claim,) = [c for c in extract_claims(sentence, "", MON) if c.bound == SHORT_OF]
    assert (claim.kind, claim.interval, claim.shown) == (kind, (0.0, below - 1), shown)


@pytest.mark.parametrize("sentence", [
    "Hundreds of soldiers were captured, the army said.",
    "The dead are counted in the hundreds.",
    "Residents were not evacuated from the thousands of homes in the area.",
    "Our losses were nowhere near the hundreds claimed.",  # losses: killed, wounded or captured, not said
])
def test_a_magnitude_reached_or_no_count_named_is_no_bound(sentence):
    assert not any(c.bound == SHORT_OF for c in extract_claims(sentence, "", MON))


def prisoners(sentence: str, published: datetime = MON) -> Claim:
    (claim,) = [c for c in extract_claims(sentence, "", published) if c.kind == "prisoners"]
    return claim


SPOKESMAN = "There are prisoners, but their number is by no means in the hundreds, a Ukrainian army spokesman said."


def test_a_count_kept_below_a_magnitude_against_a_figure_beyond_it_is_a_dispute():
    bounded = prisoners(SPOKESMAN, LATER)
    counted = prisoners("Between 850 and 1,000 soldiers were taken prisoner, officers told the newspaper.")
    vague = prisoners("Hundreds of soldiers were taken prisoner, officers told the newspaper.")
    verdict = compare(bounded, counted)
    assert (verdict.relation, verdict.kind) == ("contradiction", "quantity")
    assert compare(bounded, vague).relation == "consistent"  # "hundreds" is loose: only 10 times apart disputes


def test_a_count_said_not_to_reach_a_magnitude_is_weighed_as_a_rebuttal_even_from_one_side():
    bounded = prisoners(SPOKESMAN, LATER)
    ukrainian = prisoners("Between 850 and 1,000 soldiers were taken prisoner, Ukrainian officers said.")
    below = prisoners("Between 85 and 90 soldiers were taken prisoner, Ukrainian officers said.")
    assert bounded.side == ukrainian.side == "Ukraine"
    assert alerted_dispute(bounded, ukrainian, "quantity")
    assert "stated as a rebuttal: by no means in the hundreds" in confidence(
        bounded, ukrainian, compare(bounded, ukrainian)).text()
    assert compare(bounded, below).relation != "contradiction"
    plain = prisoners("Fewer than 100 soldiers were taken prisoner, a Ukrainian army spokesman said.", LATER)
    verdict = compare(plain, ukrainian)
    assert verdict.relation == "contradiction" and confidence(plain, ukrainian, verdict).score < BAR  # one side
