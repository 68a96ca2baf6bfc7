"""A side's admission of an act it had blamed on the other side, or denied: read from the parse, weighed as a dispute
of its own, and found however long after the event it comes."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from warwatch.claims.claim import Claim
from warwatch.claims.compare import compare
from warwatch.claims.confidence import confidence
from warwatch.claims.dates import days_referred_to
from warwatch.claims.extract import extract_claims
from warwatch.config.settings import ClaimSettings
from warwatch.delivery.views import claim_value
from warwatch.store.models import Claim as ClaimRow
from warwatch.store.models import Contradiction

from support.builders import entry, store_with_feeds
from support.stages import run_stages

BLAST = datetime(2024, 8, 12, 15, tzinfo=timezone.utc)
MONTHS_LATER = datetime(2025, 3, 10, 9, tzinfo=timezone.utc)
BAR = ClaimSettings().alert_confidence

BLAMED = "Ukraine's foreign ministry said the explosion on the Chonhar bridge was carried out by Russian saboteurs."
ADMITTED = ("Ukraine's security service chief admitted that the explosion on the Chonhar bridge last August was "
            "carried out by Ukrainian agents.")


def cause(sentence: str, published: datetime = BLAST) -> Claim:
    (found,) = [c for c in extract_claims(sentence, "", published) if c.kind == "cause"]
    return found


@pytest.mark.parametrize("sentence", [
    ADMITTED,
    "Ukraine's army acknowledged that the strike on the Chonhar bridge was carried out by Ukrainian forces.",
    "Russia's defence ministry conceded that the blast at the depot was caused by a Russian strike.",
])
def test_a_side_owning_up_to_an_act_is_an_admission(sentence):
    claim = cause(sentence, MONTHS_LATER)
    assert claim.admitted and claim.polarity and claim.actor == claim.side


@pytest.mark.parametrize("sentence", [
    ADMITTED.replace("admitted", "said"),  # its own side blamed, but not owned up to: read as before
    "Russia's defence ministry acknowledged that the strike on the Chonhar bridge was carried out by Ukrainian forces.",
    ADMITTED.replace("admitted", "did not admit"),
    ADMITTED.replace("admitted", "refused to acknowledge"),
    BLAMED,
])
def test_blame_of_the_other_side_or_a_refusal_is_no_admission(sentence):
    assert not any(c.admitted for c in extract_claims(sentence, "", MONTHS_LATER))


@pytest.mark.parametrize("words, days", [
    ("the explosion last August", (date(2024, 8, 1), date(2024, 8, 31))),
    ("the explosion in August 2024", (date(2024, 8, 1), date(2024, 8, 31))),
    ("the explosion of August of last year", (date(2024, 8, 1), date(2024, 8, 31))),
    ("the strike last March", (date(2024, 3, 1), date(2024, 3, 31))),   # "last March" in March: a year before
    ("the strike in March", (date(2025, 3, 1), date(2025, 3, 31))),
    ("the strike on the bridge", None),
])
def test_the_days_an_admission_is_about(words, days):
    assert days_referred_to(Claim(text=words, kind="cause", published=MONTHS_LATER)) == days


def test_an_admission_against_the_sides_earlier_blame_of_the_other_is_alerted():
    earlier, admitted = cause(BLAMED), cause(ADMITTED, MONTHS_LATER)
    verdict = compare(admitted, earlier)
    assert (verdict.relation, verdict.kind) == ("contradiction", "responsibility")
    assert "admits Ukraine was responsible" in verdict.reason and "blames Russia" in verdict.reason
    trust = confidence(admitted, earlier, verdict)
    assert trust.score >= BAR and "Ukraine admits what it had blamed on Russia" in trust.text()
    # the same words without the admission read as a side blaming itself: a likely misreading, kept for review
    said = cause(ADMITTED.replace("admitted", "said"), MONTHS_LATER)
    assert confidence(said, earlier, compare(said, earlier)).score < BAR
    # and so does an admission of an act in another place: another act, in a story of many
    elsewhere = cause(ADMITTED.replace("the Chonhar bridge", "the Kerch ferry"), MONTHS_LATER)
    assert confidence(elsewhere, earlier, compare(elsewhere, earlier)).score < BAR


def test_an_admission_against_the_sides_earlier_denial_is_alerted():
    (denied,) = [c for c in extract_claims("Ukraine denied any involvement in the explosion on the Chonhar bridge.",
                                           "", BLAST) if c.kind == "cause" and not c.polarity]
    admitted = cause(ADMITTED, MONTHS_LATER)
    verdict = compare(admitted, denied)
    assert "denies Ukraine was responsible" in verdict.reason
    assert "Ukraine admits what it had denied" in confidence(admitted, denied, verdict).text()
    assert confidence(admitted, denied, verdict).score >= BAR


@pytest.fixture
def store(db_url):
    with store_with_feeds(db_url, "Wire", "Agency") as (s, (wire, agency)):
        yield s, wire, agency


def test_an_admission_months_later_meets_what_the_side_said_at_the_time(store):
    s, wire, agency = store
    assert run_stages(s, wire, entry("blamed", "Kyiv blames Russian saboteurs for bridge blast", BLAMED,
                                     at=BLAST)) == []
    (found,) = run_stages(s, agency, entry("admitted", "Security chief admits Ukraine was behind bridge blast",
                                           ADMITTED, at=MONTHS_LATER))
    contradiction = s.get_one(Contradiction, found)
    assert contradiction.kind == "responsibility" and contradiction.alerted
    assert "admits what it had blamed on Russia" in contradiction.evidence
    admission = s.get_one(ClaimRow, contradiction.claim_id)
    assert claim_value(Claim.from_facts(admission.facts)) == "cause, admitted by Ukraine"


@pytest.mark.parametrize("when", ["last June", "at the time"])
def test_an_admission_of_another_month_or_no_date_looks_no_further_back_than_the_window(store, when):
    s, wire, agency = store
    run_stages(s, wire, entry("blamed", "Kyiv blames Russian saboteurs for bridge blast", BLAMED, at=BLAST))
    admitted = ADMITTED.replace("last August", when)
    assert run_stages(s, agency, entry("admitted", "Security chief admits Ukraine was behind bridge blast", admitted,
                                       at=MONTHS_LATER)) == []
