"""Sentence-level contradiction: each feature, the judge's verdicts and the traps."""

import pytest

from warwatch.pairs.judge import UNREAD, features, is_scene, judge
from warwatch.pairs.lexicon import contrast, includes, number, opposite, position, stem, tokens
from warwatch.pairs.model import contradiction_log_odds, load_contradiction_model


@pytest.fixture(scope="module")
def read():
    """The built-in contradiction model's log-odds for one pair, as `warwatch pairs` computes it."""
    model = load_contradiction_model()
    return lambda a, b: float(contradiction_log_odds(model.probabilities([(a, b)]))[0])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The depot isn't burning", ["the", "depot", "is", "n't", "burning"]),
        ("They do n't know", ["they", "do", "n't", "know"]),
        ("Crews cannot reach it", ["crews", "can", "not", "reach", "it"]),
        ("No one was hurt", ["nobody", "was", "hurt"]),
        ("1,200 people left", ["1,200", "people", "left"]),
    ],
)
def test_tokens_split_negations_off(text, expected):
    assert tokens(text) == expected


@pytest.mark.parametrize(
    "a, b",
    [("running", "run"), ("stopped", "stops"), ("closing", "close"), ("women", "woman"), ("ladies", "lady"),
     ("shut", "closed"), ("kids", "children"), ("succeeded", "succeed"), ("thought", "think"),
     ("adding", "adds"), ("made", "make"), ("stirring", "mixed"), ("telephone", "phone")],
)
def test_stem_meets_inflections_and_synonyms(a, b):
    assert stem(a) == stem(b)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("sitting", "standing", True),
        ("empty", "full", True),
        ("failed", "succeeded", True),
        ("unlocking", "locked", True),  # negating prefix
        ("possible", "impossible", True),
        ("running", "jogging", False),
        ("in", "into", False),
        ("adding", "removing", True),  # "add" keeps its double "d"
        ("eating", "fasting", True),
        ("eating", "fast", False),  # quick, not going without food
    ],
)
def test_opposite(a, b, expected):
    assert opposite(stem(a), stem(b)) is expected


@pytest.mark.parametrize(
    "a, b, expected",
    [("sitting", "standing", True), ("up", "down", True), ("off", "on", True), ("near", "far", False),
     ("empty", "full", False)],
)
def test_position_is_the_weaker_kind_of_opposite(a, b, expected):
    assert position(stem(a), stem(b)) is expected and opposite(stem(a), stem(b))


@pytest.mark.parametrize(
    "general, specific, expected",
    [("person", "woman", True), ("people", "children", True), ("vehicle", "trucks", True),
     ("woman", "person", False), ("dog", "dog", True), ("animal", "guitar", False), ("child", "girl", True),
     ("cooking", "frying", True), ("frying", "cooking", False), ("putting", "pouring", True),
     ("gun", "rifle", True)],
)
def test_includes_goes_from_general_to_specific(general, specific, expected):
    assert includes(stem(general), stem(specific)) is expected


def test_contrast_is_about_who_not_what_happens():
    assert contrast(stem("man"), stem("woman")) and not opposite(stem("man"), stem("woman"))


@pytest.mark.parametrize("word, value", [("12", 12.0), ("1,200", 1200.0), ("twelve", 12.0), ("dozen", 12.0),
                                         ("drone", None)])
def test_number(word, value):
    assert number(word) == value


@pytest.mark.parametrize(
    "a, b, scene",
    [("A medic is carrying a stretcher", "A stretcher is there", True),
     ("Crews were not reaching the site", "Crews reached the site", True),
     ("The convoy reached the city", "The convoy arrived", False)],
)
def test_scene_means_progressive_on_either_side(a, b, scene):
    assert is_scene(a, b) is scene


@pytest.mark.parametrize(
    "a, b, name, value",
    [
        ("The dam was breached", "The dam was not breached", "negation_full", 1.0),
        ("The dam was not breached", "The dam wasn't breached", "negation", 0.0),  # both sides deny
        ("A man with no helmet is cycling", "A man is cycling", "negation", 0.0),  # "with no" describes
        ("Nobody is repairing the truck", "A mechanic is repairing the truck", "negation_full", 1.0),
        ("Nobody is repairing the vehicle", "A man is repairing the truck", "negation_full", 1.0),  # kinds of
        ("No man is repairing the truck", "Someone is repairing the vehicle", "negation_full", 0.0),
        ("No medic is cooking food", "A medic is frying a meal", "negation_full", 1.0),  # general denied
        ("A medic is cooking food", "No medic is frying food", "negation_full", 0.0),  # specific denied
        ("The crew is not repairing something", "The crew is repairing the pump", "negation_full", 1.0),
        ("The airport was open", "The airport was closed", "antonym", 1.0),
        ("The sentry is sitting at the gate", "The sentry is standing at the gate", "antonym", 0.0),
        ("The sentry is sitting at the gate", "The sentry is standing at the gate", "posture", 1.0),
        ("The sentry is near the gate", "The sentry is far from the gate", "posture", 0.0),
        ("The airport was not open", "The airport was closed", "antonym", 0.0),  # the flips cancel
        ("The airport was not open", "The airport was closed", "negation_opposite", 1.0),
        ("A man is fixing the roof", "A woman is fixing the roof", "contrast", 1.0),
        ("Four rockets hit the port", "Nine rockets hit the port", "number", 1.0),
        ("Four rockets hit the port", "Four rockets hit the port", "number", 0.0),
        ("Shops always close at six", "Shops close at six", "absolute", 1.0),
        ("Power returned to the district", "Power returned", "cover_min", 2 / 3),
    ],
)
def test_features(a, b, name, value):
    assert features(a, b, 0.9)[name] == pytest.approx(value)


def test_a_pair_the_model_did_not_read_counts_as_its_firmest_no():
    assert features("The dam held", "The dam broke", None)["model"] == UNREAD
    assert features("The dam held", "The dam broke", None, 2.5)["model"] == 2.5


@pytest.mark.parametrize(
    "a, b, cosine, kind",
    [
        ("The bridge was destroyed in the strike", "The bridge was not destroyed in the strike", 0.9, "negation"),
        ("A soldier is crossing the river", "No soldier is crossing the river", 0.8, "negation"),
        ("There is no convoy waiting at the border", "A convoy is waiting at the border", 0.85, "negation"),
        ("Officials never confirmed the figure", "Officials confirmed the figure", 0.85, "negation"),
        ("The shelter was empty on Tuesday", "The shelter was full on Tuesday", 0.9, "antonym"),
        ("The talks failed", "The talks succeeded", 0.8, "antonym"),
        ("Three drones were shot down overnight", "Seven drones were shot down overnight", 0.93, "number"),
    ],
)
def test_contradictions_and_their_kind(read, a, b, cosine, kind):
    verdict = judge(a, b, cosine, read(a, b))
    assert verdict.contradiction and verdict.kind == kind and verdict.score > 0.5
    assert judge(b, a, cosine, read(b, a)).contradiction  # order does not matter


@pytest.mark.parametrize(
    "a, b, cosine",
    [
        ("The bridge was not destroyed", "The bridge wasn't destroyed", 0.97),  # negation on both sides
        ("Troops captured the village on Monday", "The village was captured by troops on Monday", 0.95),  # paraphrase
        ("A medic is carrying a stretcher", "A paramedic is carrying a stretcher", 0.9),
        ("There is no tank on the bridge", "A woman is buying bread at a market", 0.05),  # unrelated denial
        ("A boy is not playing the piano", "A girl is playing a violin", 0.3),
        ("A man with no helmet is riding a bike", "A man is riding a bike", 0.85),
        ("A man is repairing the road", "A woman is repairing the road", 0.8),  # maybe two people
        ("The ferry always leaves at noon", "The ferry leaves at noon", 0.93),  # stronger, not opposite
        ("Rain is falling on the city", "Rain is falling on the city", 1.0),
    ],
)
def test_traps_are_not_contradictions(read, a, b, cosine):
    verdict = judge(a, b, cosine, read(a, b))
    assert not verdict.contradiction and verdict.kind is None and verdict.score < 0.5


@pytest.mark.parametrize(
    "a, b",
    [("Prices did not rise in the capital", "The striker scored twice"),  # a denial about something else
     ("The port is not open", "Farmers expect a record harvest")],
)
def test_unrelated_claims_never_contradict(read, a, b):
    assert not judge(a, b, 0.05, read(a, b)).contradiction
    assert not judge(a, b, None, read(a, b)).contradiction  # no cosine: no shared words means unrelated


def test_missing_cosine_still_judges(read):
    a, b = "The bridge was destroyed", "The bridge was not destroyed"
    assert judge(a, b, None, read(a, b)).contradiction
