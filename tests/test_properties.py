"""Property tests (hypothesis): feed text cannot inject Slack mentions or links, and figure parsing holds up.

1. Whatever feed text goes into a Slack message (headlines, outlet and feed names, claim text, speakers,
   values, reasons, errors), no mrkdwn text and no fallback text holds a raw ``<``/``>`` outside the links
   the builders make, every ``&`` starts an entity, plain text appears only in headers, and the Slack
   double accepts every message as posted by warwatch's own sink.
2. ``find_figures``/``normalise_numbers`` never raise, keep ``low <= value <= high``, convert units
   consistently, and read written numbers as their digits.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from num2words import num2words

from warwatch.claims.quantities import find_figures, normalise_numbers
from warwatch.delivery import blocks
from warwatch.delivery.send import SlackSink
from warwatch.delivery.views import ClaimView, ContradictionView, CoverageView, DigestView, FeedHealthView, StoryView
from warwatch.demo.slack_double import SlackDouble

WHEN = datetime(2024, 8, 12, 15, 5, tzinfo=timezone.utc)
TOKEN = "xoxb-properties"
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# ---------------------------------------------------------------- hostile feed text

INJECTIONS = [
    "<!channel>", "<!here>", "<!everyone>", "<@U024BE7LH>", "<@W0ADMIN|boss>", "<#C0NEWS>", "<#C0NEWS|war-news>",
    "<!subteam^S0123ABC>", "<!subteam^S0123ABC|@ops>", "<!date^1392734382^{date}|Feb 18>", "<http://evil.example|click>",
    "<https://evil.example>", "<mailto:a@evil.example|mail>", "&lt;!channel&gt;", "&amp;lt;!here&amp;gt;", "&#60;!here&#62;",
    "<", ">", "&", "|", "*bold*", "_italic_", "~strike~", "`code`", "```block```", "> quote", "@here", "@channel",
    "#general", ":skull:", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "<\u200b!channel>",
    "<!\u200bhere>", "\n", "\t", "  ", "https://evil.example/?a=<b>&c=|d", "javascript:alert(1)",
]
piece = st.one_of(st.sampled_from(INJECTIONS), st.text(max_size=12), st.text(alphabet="<>&|!@#^*_~`:;", max_size=6))
feed_text = st.lists(piece, max_size=10).map("".join)
urls = st.one_of(st.just("https://www.bbc.co.uk/news/1?a=1&b=2"), feed_text,
                 feed_text.map(lambda s: "https://news.example/" + s), feed_text.map(lambda s: "http://" + s))


@st.composite
def claims(draw) -> ClaimView:
    return ClaimView(text=draw(feed_text), outlet=draw(feed_text), published=WHEN, url=draw(urls),
                     speaker=draw(st.none() | feed_text), value=draw(st.none() | feed_text))


@st.composite
def stories(draw) -> StoryView:
    return StoryView(story_id=draw(st.integers(1, 10**6)), headline=draw(feed_text), url=draw(urls),
                     outlet=draw(feed_text), first_seen=WHEN, outlets=draw(st.lists(feed_text, max_size=4)),
                     article_count=draw(st.integers(1, 50)))


@st.composite
def all_messages(draw) -> list[blocks.SlackMessage]:
    story = draw(stories())
    contradiction = ContradictionView(story_headline=draw(feed_text), kind=draw(feed_text), reason=draw(feed_text),
                                      new=draw(claims()), earlier=draw(claims()))
    feed = FeedHealthView(name=draw(feed_text), failures=draw(st.integers(0, 9)), last_error=draw(st.none() | feed_text),
                          last_success=draw(st.none() | st.just(WHEN)))
    return [
        *blocks.story_message(story),
        blocks.parent_update(story),
        *blocks.coverage_message(CoverageView(headline=draw(feed_text), url=draw(urls), outlet=draw(feed_text),
                                              published=WHEN)),
        *blocks.contradiction_message(contradiction),
        *blocks.feed_alert_message(feed, recovered=draw(st.booleans())),
        *blocks.flow_alert_message(draw(feed_text), draw(feed_text), recovered=draw(st.booleans())),
        *blocks.digest_message(DigestView(since=WHEN, until=WHEN, stories=[story], contradictions=[contradiction],
                                          feeds=[feed])),
    ]


BUILT_LINK = re.compile(r"<(https?://[^<>|\s]+)\|([\w.:-]+)>")
ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def text_objects(value, in_header: bool = False):
    """(type, text, inside a header block) of every Block Kit text object."""
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text") and "text" in value:
            yield value["type"], value["text"], in_header
            return
        header = in_header or value.get("type") == "header"
        for item in value.values():
            yield from text_objects(item, header)
    elif isinstance(value, list):
        for item in value:
            yield from text_objects(item, in_header)


def assert_inert_mrkdwn(text: str) -> None:
    """Only links built by delivery.blocks (escaped http(s) URL, label = its host) are control sequences."""
    for url, label in BUILT_LINK.findall(text):
        assert not ENTITY.search(url), url
        assert re.match(r"https?://[^/?#]*", url.replace("&amp;", "&")), url
        assert label and "<" not in label and "|" not in label
    rest = BUILT_LINK.sub("", text)
    assert "<" not in rest and ">" not in rest, text
    assert not ENTITY.search(text), text


@pytest.fixture(scope="module")
def slack():
    with SlackDouble(tokens={TOKEN}) as double:
        yield double


@PROPERTY
@given(messages=all_messages())
def test_feed_text_cannot_form_mentions_or_links(messages, slack):
    sink = SlackSink(TOKEN, slack.base_url, pace_seconds=0)
    for message in messages:
        assert_inert_mrkdwn(message.text)  # the fallback text is mrkdwn too (notifications, search)
        for kind, text, in_header in text_objects(message.blocks):
            if kind == "plain_text":
                assert in_header, "plain_text outside a header"
                assert "<" not in text and ">" not in text
            else:
                assert_inert_mrkdwn(text)
        sink.post("C0NEWS", {"text": message.text, "blocks": message.blocks}, thread_ts=None, broadcast=False, key="k")
        call = slack.calls[-1]
        assert call.method == "chat.postMessage" and call.error is None, (call.error, message)
        assert "link_names" not in call.params and call.params.get("parse") in (None, "none")
        assert json.loads(json.dumps(call.params.get("blocks"))) is not None


# ---------------------------------------------------------------- figures

words = st.lists(st.sampled_from(
    list("0123456789,.-–: ") + ["km", "km²", "sq mi", "square miles", "miles", "hectares", "metres", "million",
                                "thousand", "billion", "dozens", "hundreds of", "about", "more than", "up to",
                                "nearly", "between", "and", "to", "from", "fewer than", "August", "hours", "days",
                                "twenty", "one", "hundred", "no one", "ninety-nine", "a dozen", " "]),
                 max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=200), words)


@PROPERTY
@given(text=any_text)
def test_figure_parsing_never_raises_and_bounds_are_ordered(text):
    for source in (text, normalise_numbers(text)):
        for figure in find_figures(source):
            assert 0 <= figure.start < figure.end <= len(source)
            assert not math.isnan(figure.value)
            assert figure.low <= figure.value <= figure.high, figure
            assert figure.unit in (None, "km", "km²")


SQ_MILE_KM2, MILE_KM = 2.589988110336, 1.609344
UNITS = [("square miles", SQ_MILE_KM2, "km²"), ("sq mi", SQ_MILE_KM2, "km²"), ("square kilometres", 1.0, "km²"),
         ("km²", 1.0, "km²"), ("hectares", 0.01, "km²"), ("miles", MILE_KM, "km"), ("kilometres", 1.0, "km"),
         ("km", 1.0, "km"), ("metres", 0.001, "km")]


@PROPERTY
@given(number=st.integers(1, 10**9), unit=st.sampled_from(UNITS), commas=st.booleans(),
       bound=st.sampled_from(["", "about ", "more than ", "nearly ", "up to ", "fewer than "]))
def test_units_convert_to_one_canonical_unit(number, unit, commas, bound):
    assume(commas or not 1900 <= number <= 2100)  # a bare four-digit number in that span reads as a year
    written, factor, canonical = unit
    text = f"Officials said {bound}{number:,} {written} were affected" if commas else \
        f"Officials said {bound}{number} {written} were affected"
    (figure,) = find_figures(normalise_numbers(text))
    assert figure.unit == canonical
    assert figure.value == pytest.approx(number * factor, rel=1e-9)
    assert figure.low <= figure.value <= figure.high


@PROPERTY
@given(number=st.integers(0, 999_999_999), style=st.sampled_from(["en", "en_NG"]))
def test_written_numbers_read_as_their_digits(number, style):
    spelt = num2words(number, lang="en") if style == "en" else num2words(number, lang="en").replace(",", "")
    as_words = find_figures(normalise_numbers(f"Officials said {spelt} people were evacuated."))
    as_digits = find_figures(normalise_numbers(f"Officials said {number:,} people were evacuated."))
    assert [f.value for f in as_words] == [f.value for f in as_digits] == [float(number)], spelt


@PROPERTY
@given(low=st.integers(1, 99_999), span=st.integers(1, 99_999))
def test_written_ranges_read_as_their_digits(low, span):
    high = low + span
    spelt = f"between {num2words(low)} and {num2words(high)} people were evacuated"
    (figure,) = find_figures(normalise_numbers(spelt))
    assert (figure.low, figure.high, figure.bound) == (low, high, "range"), (spelt, normalise_numbers(spelt))
