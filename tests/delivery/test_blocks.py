"""Slack message builders: valid Block Kit, Slack's limits, escaping of feed text."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from warwatch.delivery.blocks import (
    SlackMessage,
    contradiction_message,
    coverage_message,
    digest_message,
    mrkdwn_escape,
    parent_update,
    story_message,
)
from warwatch.delivery.views import ClaimView, ContradictionView, CoverageView, DigestView, FeedHealthView, StoryView

WHEN = datetime(2024, 8, 12, 15, 5, tzinfo=timezone.utc)
HOSTILE = "<!channel> Breaking <http://evil.example|bbc.co.uk> @here <@U123> & more"
URL = "https://www.bbc.co.uk/news/world-123?a=1&b=2"
LINK_RE = re.compile(r"<https?://[^<>|\s]+\|[^<>|]*>")


def story(headline="Ukraine strikes Russian airbase", outlets=("BBC", "Reuters"), **kw) -> StoryView:
    fields = dict(story_id=7, headline=headline, url=URL, outlet="BBC", first_seen=WHEN, outlets=list(outlets), article_count=3)
    return StoryView(**{**fields, **kw})


def claim(text="Russia controls 1,036,000 km² of Ukraine", outlet="Reuters", **kw) -> ClaimView:
    fields = dict(text=text, outlet=outlet, published=WHEN, url=URL, speaker="General X", value="1,036,000 km²")
    return ClaimView(**{**fields, **kw})


def contradiction(reason="area differs by 12%", new=None, earlier=None, **kw) -> ContradictionView:
    fields = dict(story_headline="Front line update", kind="territory", reason=reason,
                  new=new or claim(outlet="TASS", value="1,160,000 km²"), earlier=earlier or claim())
    return ContradictionView(**{**fields, **kw})


def digest(stories=None, contradictions=None, feeds=None) -> DigestView:
    return DigestView(since=WHEN - timedelta(days=1), until=WHEN,
                      stories=[story()] if stories is None else stories,
                      contradictions=[contradiction()] if contradictions is None else contradictions,
                      feeds=[FeedHealthView("BBC", 0, None, WHEN)] if feeds is None else feeds)


def as_list(result) -> list[SlackMessage]:
    return result if isinstance(result, list) else [result]


def strings(value) -> list[str]:
    """Every text string in a blocks structure."""
    if isinstance(value, dict):
        return [s for key, item in value.items() if key != "type" for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return [value] if isinstance(value, str) else []


def section_texts(messages: list[SlackMessage]) -> list[str]:
    return [b["text"]["text"] for m in messages for b in m.blocks if b["type"] == "section" and "text" in b]


def check_limits(messages: list[SlackMessage]) -> None:
    assert messages, "at least one message"
    for message in messages:
        assert message.text and len(message.text) <= 3000
        assert 1 <= len(message.blocks) <= 50
        assert len(json.dumps(message.blocks, ensure_ascii=False)) <= 12_000
        for block in message.blocks:
            parsed = Block.parse(block)
            assert parsed is not None and parsed.to_dict() == block  # valid, round-trips
            if block["type"] == "header":
                assert block["text"]["type"] == "plain_text" and block["text"]["emoji"] is False
                assert 1 <= len(block["text"]["text"]) <= 150
            if block["type"] == "section":
                assert "text" in block or "fields" in block
                if "text" in block:
                    assert 0 < len(block["text"]["text"]) <= 3000 and block["text"]["text"].strip()
                assert len(block.get("fields", [])) <= 10
                assert all(0 < len(f["text"]) <= 2000 for f in block.get("fields", []))
            if block["type"] == "context":
                assert 1 <= len(block["elements"]) <= 10


def assert_no_raw_markup(messages: list[SlackMessage], allowed_links: set[str] | None = None) -> None:
    """No `<` or `>` anywhere except links built by the module (optionally: only to the given URLs)."""
    for message in messages:
        for text in [message.text, *strings(message.blocks)]:
            for link in LINK_RE.findall(text):
                if allowed_links is not None:
                    assert link[1:].split("|")[0] in allowed_links, link
            stripped = LINK_RE.sub("", text)
            assert "<" not in stripped and ">" not in stripped, text


BUILDERS = {
    "story": lambda: story_message(story()),
    "parent_update": lambda: parent_update(story()),
    "coverage": lambda: coverage_message(CoverageView("Kyiv under drone attack", URL, "Reuters", WHEN)),
    "contradiction": lambda: contradiction_message(contradiction()),
    "digest": lambda: digest_message(digest()),
    "digest_empty": lambda: digest_message(digest(stories=[], contradictions=[], feeds=[])),
    "digest_review": lambda: digest_message(DigestView(
        since=WHEN - timedelta(days=1), until=WHEN, stories=[], contradictions=[], feeds=[],
        review=[contradiction(alerted=False, confidence=0.45, evidence="confidence 0.45: both from one side")])),
    "digest_failing": lambda: digest_message(digest(feeds=[FeedHealthView("TASS", 4, "HTTP 503 <html>", None),
                                                           FeedHealthView("BBC", 0, None, WHEN)])),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_produce_valid_blocks(name):
    messages = as_list(BUILDERS[name]())
    check_limits(messages)
    assert len(messages) == 1
    assert_no_raw_markup(messages, {mrkdwn_escape(URL)})


def test_story_message_content():
    [message] = story_message(story())
    assert message.blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Ukraine strikes Russian airbase", "emoji": False}}
    section = message.blocks[1]["text"]["text"]
    assert "*BBC* · first seen 12 Aug 2024 15:05 UTC" in section
    assert "BBC, Reuters" in section
    assert f"<{mrkdwn_escape(URL)}|www.bbc.co.uk>" in section
    assert message.blocks[2]["elements"][0]["text"] == "3 articles from 2 outlets"
    assert message == parent_update(story())


def test_coverage_content():
    [message] = coverage_message(CoverageView("Kyiv under drone attack", URL, "Reuters", WHEN + timedelta(hours=3)))
    text = message.blocks[0]["text"]["text"]
    assert text.startswith("*Reuters* · 12 Aug 2024 18:05 UTC\nKyiv under drone attack\n<https://")
    assert message.text == "Reuters · 12 Aug 2024 18:05 UTC: Kyiv under drone attack"


def test_contradiction_content():
    [message] = contradiction_message(contradiction())
    assert message.blocks[0]["text"]["text"] == "Contradiction: territory"
    assert "area differs by 12%" in message.blocks[1]["text"]["text"]
    earlier, new = (f["text"] for f in message.blocks[2]["fields"])
    assert earlier.startswith("*Earlier* · *Reuters*") and new.startswith("*New* · *TASS*")
    for field, value in ((earlier, "1,036,000 km²"), (new, "1,160,000 km²")):
        assert "12 Aug 2024 15:05 UTC" in field and "Said by: General X" in field and value in field
        assert "“Russia controls 1,036,000 km² of Ukraine”" in field and "|www.bbc.co.uk>" in field


def test_digest_content():
    [message] = digest_message(digest(feeds=[FeedHealthView("TASS", 4, "timeout", None), FeedHealthView("BBC", 0, None, WHEN)]))
    assert message.blocks[0]["text"]["text"] == "warwatch digest 11 Aug 2024 15:05 – 12 Aug 2024 15:05 UTC"
    body = "\n".join(section_texts([message]))
    assert "*1. Ukraine strikes Russian airbase*\n3 articles from 2 outlets: BBC, Reuters · <" in body
    assert "• *territory* — Front line update: area differs by 12% (Reuters vs TASS)" in body
    assert "1 of 2 feeds failing" in body and "*TASS*: 4 failures · last success never" in body and "timeout" in body
    [healthy] = digest_message(digest())
    assert "All 1 feed healthy." in "\n".join(section_texts([healthy]))


def test_times_are_shown_in_utc():
    kyiv = timezone(timedelta(hours=3))
    [message] = coverage_message(CoverageView("h", URL, "o", datetime(2024, 8, 12, 18, 5, tzinfo=kyiv)))
    assert "12 Aug 2024 15:05 UTC" in message.text


HOSTILE_CASES = {
    "story": lambda: story_message(story(headline=HOSTILE, outlet=HOSTILE, outlets=[HOSTILE])),
    "parent_update": lambda: parent_update(story(headline=HOSTILE, outlet=HOSTILE, outlets=[HOSTILE])),
    "coverage": lambda: coverage_message(CoverageView(HOSTILE, URL, HOSTILE, WHEN)),
    "contradiction": lambda: contradiction_message(contradiction(
        reason=HOSTILE, story_headline=HOSTILE, kind=HOSTILE,
        new=claim(text=HOSTILE, outlet=HOSTILE, speaker=HOSTILE, value=HOSTILE),
        earlier=claim(text=HOSTILE, outlet=HOSTILE, speaker=HOSTILE, value=HOSTILE))),
    "digest": lambda: digest_message(digest(
        stories=[story(headline=HOSTILE, outlet=HOSTILE, outlets=[HOSTILE])],
        contradictions=[contradiction(reason=HOSTILE, story_headline=HOSTILE, kind=HOSTILE)],
        feeds=[FeedHealthView(HOSTILE, 2, HOSTILE, None)])),
}


@pytest.mark.parametrize("name", HOSTILE_CASES)
def test_hostile_feed_text_cannot_ping_or_disguise_links(name):
    messages = as_list(HOSTILE_CASES[name]())
    check_limits(messages)
    dump = json.dumps([[m.text, m.blocks] for m in messages], ensure_ascii=False)
    assert "<!channel>" not in dump and "<@U123>" not in dump
    assert "|bbc.co.uk>" not in dump and "<http://evil" not in dump
    assert "&lt;!channel&gt;" in dump  # still visible, escaped
    assert_no_raw_markup(messages, {mrkdwn_escape(URL)})


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/x", "mailto:a@b.c", "", "http://", "//evil.example/x",
                                 "slack://channel?id=C1", "https://[broken"])
def test_non_http_urls_are_not_linked(url):
    messages = [*story_message(story(url=url)), *coverage_message(CoverageView("h", url, "o", WHEN)),
                *contradiction_message(contradiction(new=claim(url=url), earlier=claim(url=url)))]
    check_limits(messages)
    for message in messages:
        assert not LINK_RE.search(message.text + json.dumps(message.blocks))


def test_link_cannot_be_disguised_by_the_url():
    tricky = "https://bbc.co.uk@evil.example/a|bbc.co.uk> <!channel>"
    [message] = coverage_message(CoverageView("h", tricky, "o", WHEN))
    links = LINK_RE.findall(message.blocks[0]["text"]["text"])
    assert links == ["<https://bbc.co.uk@evil.example/a%7Cbbc.co.uk%3E%20%3C!channel%3E|evil.example>"]
    assert_no_raw_markup([message])


def test_huge_header_is_truncated():
    headline = "x" * 1000
    messages = story_message(story(headline=headline))
    check_limits(messages)
    header = messages[0].blocks[0]["text"]["text"]
    assert len(header) == 150 and header.endswith("…")
    assert headline in "".join(section_texts(messages))  # the full headline follows in the thread
    [alert] = contradiction_message(contradiction(kind="k" * 1000))
    assert len(alert.blocks[0]["text"]["text"]) <= 150


@pytest.mark.parametrize("side", ["new", "earlier"])
def test_huge_claim_is_split_without_loss(side):
    text = " ".join(f"w{i}&<x>" for i in range(1200))  # ~10,000 chars, escaping makes it longer
    assert len(text) >= 10_000
    view = contradiction(**{side: claim(text=text)})
    messages = contradiction_message(view)
    check_limits(messages)
    assert mrkdwn_escape(text) in "".join(section_texts(messages))
    assert_no_raw_markup(messages, {mrkdwn_escape(URL)})
    assert messages[0].blocks[0]["type"] == "header"


def test_huge_headline_in_coverage_is_split_without_loss():
    headline = "&" * 9000
    messages = coverage_message(CoverageView(headline, URL, "o", WHEN))
    check_limits(messages)
    joined = "".join(section_texts(messages))
    assert mrkdwn_escape(headline) in joined
    assert all(not t.startswith(("amp;", "mp;", "p;", ";")) for t in section_texts(messages))  # entities intact


def test_digest_with_300_stories_continues_in_thread():
    stories = [story(headline=f"Story {i} " + "y" * 200, story_id=i, outlets=[f"Outlet {j}" for j in range(20)]) for i in range(300)]
    messages = digest_message(digest(stories=stories, contradictions=[contradiction()] * 120,
                                     feeds=[FeedHealthView(f"feed {i}", i, "boom " * 50, None) for i in range(1, 80)]))
    check_limits(messages)
    assert len(messages) > 3
    assert messages[0].blocks[0]["type"] == "header"
    assert all(m.blocks[0]["type"] == "context" and "continued" in m.blocks[0]["elements"][0]["text"] for m in messages[1:])
    body = "".join(section_texts(messages))
    for i in range(300):
        assert f"*{i + 1}. Story {i} " in body
    assert body.count("feed ") == 79


def test_digest_with_many_tiny_stories_respects_block_count():
    stories = [story(headline=f"S{i}", story_id=i, outlets=["o"]) for i in range(300)]
    messages = digest_message(digest(stories=stories))
    check_limits(messages)


def test_parent_update_with_500_outlets_fits_one_message():
    view = story(outlets=[f"Outlet number {i} " + "z" * 50 for i in range(500)], article_count=900)
    message = parent_update(view)
    check_limits([message])
    assert "more" in message.blocks[1]["text"]["text"]
    assert message.blocks[2]["elements"][0]["text"] == "900 articles from 500 outlets"
    messages = story_message(view)
    assert messages[0] == message
    check_limits(messages)
    body = "".join(section_texts(messages))
    assert all(f"Outlet number {i} " in body for i in range(500))  # the full list continues in the thread


def test_parent_update_with_huge_fields_fits_one_message():
    view = story(headline="h" * 5000, outlet="o" * 5000, outlets=["p" * 5000] * 3 + ["q" * 3000], url="https://a.example/" + "u" * 1400)
    check_limits([parent_update(view)])
    check_limits(story_message(view))


safe_text = st.text(max_size=300)


@settings(max_examples=60, deadline=None)
@given(headline=safe_text, outlet=safe_text, url=st.one_of(st.just(URL), st.text(max_size=60).map(lambda s: "https://" + s), safe_text))
def test_property_no_unescaped_markup(headline, outlet, url):
    messages = [
        *story_message(StoryView(1, headline, url, outlet, WHEN, [outlet, headline], 2)),
        parent_update(StoryView(1, headline, url, outlet, WHEN, [outlet], 1)),
        *coverage_message(CoverageView(headline, url, outlet, WHEN)),
        *contradiction_message(contradiction(reason=headline, story_headline=outlet, kind=headline,
                                             new=claim(text=headline, outlet=outlet, url=url, speaker=outlet, value=headline))),
        *digest_message(digest(stories=[StoryView(1, headline, url, outlet, WHEN, [outlet], 1)],
                               feeds=[FeedHealthView(outlet, 1, headline, None)])),
    ]
    check_limits(messages)
    assert_no_raw_markup(messages)
    for message in messages:  # every link is one this module built: escaped http(s) URL, label = host
        for text in [message.text, *strings(message.blocks)]:
            for link in LINK_RE.findall(text):
                target = link[1:].split("|")[0]
                assert target in (mrkdwn_escape(URL), ) or target.startswith("https://")
                assert not re.search(r"&(?!amp;|lt;|gt;)", target)


def test_review_items_are_listed_apart_in_the_digest_and_alerts_show_their_evidence():
    [digest_] = BUILDERS["digest_review"]()
    text = "\n".join(strings(digest_.blocks))
    assert "*For review* (1)" in text and "confidence 0.45" in text
    [alert] = contradiction_message(contradiction(evidence="confidence 0.80: opposite sides (Ukraine, Russia) (+0.35)"))
    assert "opposite sides (Ukraine, Russia)" in "\n".join(strings(alert.blocks))
