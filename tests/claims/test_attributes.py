"""The attribute ruler matched by lookup: the same matches as the ruler's own Matcher, so the same parts of speech,
morphology and lemmas, on the project's own sentences."""

from __future__ import annotations

import pytest

from warwatch.claims.attributes import Lookup
from warwatch.claims.parse import pipeline

SENTENCES = [
    "Russian forces struck an apartment block in Dnipro on Saturday, killing at least 40 people, officials said.",
    "Kyiv did not confirm the figure, but the ministry says that the troops have been withdrawn according to plan.",
    "There are prisoners, but their number is by no means in the hundreds.",
    "There's no doubt the bridge was hit; it isn't clear who did it, and we won't say.",
    "They ain't gonna hold the town, y'all know it, so let's go and c'mon, gotta move.",
    "Whether or not the dam was blown up from inside, the flood will take weeks to recede.",
    "The governor's office said 1,200 residents had been evacuated since Tuesday.  Two more died.",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_the_lookup_finds_what_the_rulers_matcher_finds(sentence):
    nlp = pipeline()
    ruler = nlp.get_pipe("attribute_ruler")
    doc = nlp(sentence, disable=["attribute_ruler", "lemmatizer"])
    assert Lookup(ruler).match(doc) == type(ruler).match(ruler, doc)


def test_the_pipeline_matches_by_lookup_and_reads_as_with_the_rulers_matcher():
    nlp = pipeline()
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler.match.__self__, Lookup)
    sentence = " ".join(SENTENCES)
    by_lookup = nlp(sentence)
    by_matcher = nlp(sentence, disable=["attribute_ruler", "lemmatizer"])
    ruler.set_annotations(by_matcher, type(ruler).match(ruler, by_matcher))
    nlp.get_pipe("lemmatizer")(by_matcher)
    assert [(t.pos_, str(t.morph), t.lemma_) for t in by_lookup] == \
        [(t.pos_, str(t.morph), t.lemma_) for t in by_matcher]
