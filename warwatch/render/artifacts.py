"""The run summary shown in the Prefect UI and on the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from warwatch.delivery.send import DeliveryReport
from warwatch.delivery.views import ContradictionView
from warwatch.feeds.polling import PollOutcome
from warwatch.render.terminal import topic_cell
from warwatch.store.models import Article
from warwatch.store.retention import PruneReport
from warwatch.stories.assign import Assignment


@dataclass(frozen=True)
class StageSummary:
    """Counts from the story stage."""

    new_stories: int = 0
    updates: int = 0
    duplicates: int = 0
    off_topic: int = 0
    enqueued: int = 0


TABLE_ROWS = 500
"""Rows at most in one table artifact. Prefect refuses an event of a few MB (the story table of a
10,000-article run was 2.7 MB); the CLI lists everything."""


def table_description(description: str, total: int, command: str) -> str:
    """``description`` of a table of ``total`` rows; when only the first :data:`TABLE_ROWS` are shown,
    it says so and names the ``command`` that lists all."""
    if total <= TABLE_ROWS:
        return description
    return f"{description} (the first {TABLE_ROWS:,} of {total:,}; `{command}` lists all)"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")[:200]


def run_summary_markdown(outcomes: Sequence[PollOutcome], stage: StageSummary, delivery: DeliveryReport,
                         contradictions: int = 0, pruned: PruneReport | None = None) -> str:
    """Markdown: the run's figures, what retention dropped, then a row per failed feed."""
    count = {s: sum(o.status == s for o in outcomes) for s in ("ok", "not_modified", "failed")}
    new_articles = sum(len(o.new_article_ids) for o in outcomes)
    lines = [
        "# warwatch monitor run",
        "",
        "| feeds polled | not modified | failed | new articles | new stories | coverage updates | duplicates "
        "| off topic | contradictions | deliveries sent | deliveries failed | deliveries waiting |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {len(outcomes)} | {count['not_modified']} | {count['failed']} | {new_articles} | {stage.new_stories} "
        f"| {stage.updates} | {stage.duplicates} | {stage.off_topic} | {contradictions} | {delivery.sent} "
        f"| {delivery.failed} | {delivery.waiting} |",
    ]
    if pruned and (pruned.stories or pruned.deliveries):
        lines += ["", f"Retention: {pruned.line()}."]
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        lines += ["", "## Failed feeds", "", "| feed | consecutive failures | error |", "|---|---|---|"]
        lines += [f"| {_cell(o.feed_name)} | {o.consecutive_failures} | {_cell(o.error)} |" for o in failed]
    if delivery.errors:
        lines += ["", "## Deliveries not sent", ""] + [f"- {_cell(e)}" for e in delivery.errors]
    return "\n".join(lines) + "\n"


def feed_health_rows(outcomes: Sequence[PollOutcome]) -> list[dict[str, str]]:
    """One row per polled feed, failing ones first, for the feed-health table artifact."""
    order = {"failed": 0, "ok": 1, "not_modified": 2}
    return [
        {
            "feed": _cell(o.feed_name),
            "status": o.status.replace("_", " "),
            "entries": str(o.entries),
            "new articles": str(len(o.new_article_ids)),
            "failures in a row": str(o.consecutive_failures if o.status == "failed" else 0),
            "error": _cell(o.error or o.warning),
        }
        for o in sorted(outcomes, key=lambda o: (order.get(o.status, 3), o.feed_name))
    ]


def story_decision_rows(session: Session, assignments: Sequence[Assignment]) -> list[dict[str, str]]:
    """One row per grouped article: its story and why it landed there (score, nearest article), and whether it is
    on the topic, and why."""
    rows = []
    for a in assignments:
        article = session.get_one(Article, a.article_id)
        nearest = session.get(Article, a.nearest_id) if a.nearest_id else None
        if a.duplicate_of_id is not None:
            decision = "duplicate"
        elif a.new_story:
            decision = "new story"
        else:
            decision = "joined"
        rows.append({
            "article": _cell(article.title),
            "story": str(a.story_id),
            "decision": decision,
            "score": "" if a.score is None else f"{a.score:.3f}",
            "nearest": _cell(nearest.title if nearest else ""),
            "topic": topic_cell(article),
            "topic reason": _cell(article.relevance_reason),
        })
    return rows



def contradiction_rows(views: Sequence[ContradictionView]) -> list[dict[str, str]]:
    """One row per new contradiction: the two claims side by side and why they cannot both hold."""
    return [
        {
            "story": _cell(v.story_headline),
            "kind": v.kind,
            "confidence": f"{v.confidence:.2f}" + ("" if v.alerted else " (review)"),
            "new claim": _cell(f"{v.new.outlet}: {v.new.value or v.new.text}"),
            "earlier claim": _cell(f"{v.earlier.outlet}, {v.earlier.published:%d %b %H:%M}: "
                                   f"{v.earlier.value or v.earlier.text}"),
            "why": _cell(v.reason),
        }
        for v in views
    ]
