"""`warwatch stories --story N`: a story's articles, then its contradictions side by side (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from warwatch.delivery.send import DeliveryReport
from warwatch.feeds.polling import PollOutcome
from warwatch.render.artifacts import StageSummary, run_summary_markdown
from warwatch.render.terminal import story_detail, story_list, summary_view
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


def at_80(renderable) -> str:
    console = Console(record=True, width=80, color_system=None)
    console.print(renderable)
    return console.export_text()


def header_words(text: str) -> list[str]:
    """The words between a rendered table's top border and the rule under its header."""
    lines = text.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("┏"))
    rule = next(i for i, line in enumerate(lines) if line.startswith("┡"))
    return " ".join(lines[top + 1:rule]).replace("┃", " ").split()


def readable_at_80(table: Table) -> str:
    """The table at 80 columns, after checking that no header word is cut or split and no cell ends in "…"."""
    text = at_80(table)
    shown_words = header_words(text)
    for column in table.columns:
        for word in str(column.header).split():
            assert word in shown_words, f"{column.header!r} is not shown whole at 80 columns:\n{text}"
    assert "…" not in text, text
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    return text


def test_story_list_and_detail_read_at_80_columns(store):
    s, wire, tabloid = store
    run_stages(s, wire, entry("official", *OFFICIAL, hours=0))
    run_stages(s, tabloid, entry("inflated", *INFLATED, hours=30))
    story_id = s.scalar(select(Article.story_id).where(Article.guid == "official"))

    listing = readable_at_80(story_list(s, 10, everything=True))
    assert "2024-08-12 15:00" in listing and "2024-08-13 21:00" in listing  # times on one line, whole
    articles, disputes = story_detail(s, story_id).renderables
    detail = readable_at_80(articles)
    assert "2024-08-12 15:00" in detail and "2024-08-13 21:00" in detail
    assert "similarity" in detail and "Tabloid" in detail
    readable_at_80(disputes)


def test_run_summary_figures_keep_label_and_value_together_at_80_columns():
    outcomes = [PollOutcome(1, "Wire", "ok", entries=4, new_article_ids=(1, 2, 3, 4)),
                PollOutcome(2, "Tabloid", "not_modified"),
                PollOutcome(3, "Border Region Gazette", "failed", consecutive_failures=3,
                            error="cannot reach https://border-region-gazette.example/feeds/all-news.rss: timed out")]
    markdown = run_summary_markdown(outcomes, StageSummary(new_stories=2, updates=1, duplicates=1, enqueued=3),
                                    DeliveryReport(sent=2, failed=1, waiting=11, errors=["story 2: channel_not_found"]),
                                    contradictions=1)
    text = at_80(summary_view(markdown))

    header, _, values = (line.strip("|").split("|") for line in markdown.splitlines()[2:5])
    assert len(header) == len(values) == 12
    for label, value in zip(header, values, strict=True):
        assert re.search(rf"{re.escape(label.strip())} +{value.strip()}\b", text), f"{label} {value}:\n{text}"
    assert "…" not in text and max(cell_len(line) for line in text.splitlines()) <= 80
    failed = text.split("Failed feeds")[1]
    assert {"feed", "consecutive", "failures", "error"} <= set(header_words(failed))
    assert "Border Region Gazette" in failed and "timed out" in failed
    assert "channel_not_found" in text.split("Deliveries not sent")[1]
