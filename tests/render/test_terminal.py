"""`warwatch stories --story N`: a story's articles, then its contradictions side by side (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rich.console import Console
from sqlalchemy import select

from warwatch.render.terminal import story_detail
from warwatch.store.models import Article

from support.builders import entry, store_with_feeds
from support.stages import INFLATED, OFFICIAL, run_stages


@pytest.fixture
def store(db_url):
    with store_with_feeds(db_url, "Wire", "Tabloid") as (s, (wire, tabloid)):
        yield s, wire, tabloid


def shown(renderable) -> str:
    console = Console(record=True, width=400, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_story_detail_lists_articles_then_contradictions(store):
    s, wire, tabloid = store
    run_stages(s, wire, entry("official", *OFFICIAL, hours=0))
    story_id = s.scalar(select(Article.story_id))
    assert "contradictions" not in shown(story_detail(s, story_id))

    run_stages(s, tabloid, entry("inflated", *INFLATED, hours=30))
    text = shown(story_detail(s, story_id))
    articles, disputes = text.split(f"contradictions in story {story_id}")
    assert OFFICIAL[0] in articles and INFLATED[0] in articles
    row = " ".join(disputes.split())
    assert "Tabloid, 2024-08-13 21:00: up to 400,000 square miles = 1,035,995 km²" in row
    assert "Wire, Commander Oleksandr Syrskyi, 2024-08-12 15:00: about 1,000 square kilometres" in row
    assert "about 1,000 times" in row


def test_a_claim_in_russian_is_shown_as_read_and_as_written(store):
    s, wire, tabloid = store
    run_stages(s, wire, entry("held", "Fighting goes on in Kupiansk, Ukraine's General Staff says",
                              "Ukraine's General Staff said fighting continues in Kupiansk and Ukrainian units still "
                              "hold the city.", hours=0))
    taken = "Минобороны России сообщило об освобождении Купянска."
    lead = "Министерство обороны России заявило, что город Купянск полностью освобожден российскими войсками."
    run_stages(s, tabloid, replace(entry("taken", taken, lead, hours=2), language="ru"))
    story_id = s.scalar(select(Article.story_id).where(Article.guid == "taken"))
    row = " ".join(shown(story_detail(s, story_id)).split(f"contradictions in story {story_id}")[1].split())
    assert "Kupiansk: taken by Russia" in row and f"ru: “{taken}”" in row
    assert "Минобороны России (Russia)" in row


def test_unknown_story_says_so(store):
    s, _, _ = store
    assert "story 99 not found" in shown(story_detail(s, 99))
