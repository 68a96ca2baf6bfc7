"""Terminal views of stories: recent coverage, why each article joined its story and whether it is on the topic,
its contradictions; and the run summary as a terminal shows it.

Every table reads at 80 columns: few columns, a header never narrower than its longest word, and a cell too wide for
its column wraps (a word too long folds onto the next line) rather than being cut with "…"."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markdown import Markdown
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from warwatch.delivery.views import ClaimView, contradiction_view
from warwatch.store.models import Article, Contradiction, Feed, Story


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def column(header: str, *, no_wrap: bool = False) -> Column:
    """A column whose header is never cut (it wraps between words, never within one) and whose cells wrap, folding a
    word too long for the column, instead of ending in "…"; ``no_wrap`` for short cells that should stay whole."""
    widest_word = max((cell_len(word) for word in header.split()), default=1)
    return Column(header, overflow="fold", no_wrap=no_wrap, min_width=widest_word)


def fitted_table(*columns: str | Column, title: str | None = None, show_lines: bool = False) -> Table:
    """A table of :func:`column` columns; a plain string stands for ``column(header)``."""
    return Table(*(c if isinstance(c, Column) else column(c) for c in columns), title=title, show_lines=show_lines)


def story_list(session: Session, limit: int, everything: bool = False) -> Table:
    """The most recently updated stories on the topic with their coverage; with ``everything``, the stories off the
    topic too, marked so."""
    query = select(Story).order_by(Story.last_updated.desc(), Story.id.desc()).limit(limit)
    if not everything:
        query = query.where(Story.relevant.is_(True))
    table = fitted_table(column("story", no_wrap=True), "headline", column("first seen,\nlast update", no_wrap=True),
                         "coverage", *([column("topic", no_wrap=True)] if everything else []), show_lines=True,
                         title="recent stories" + (", all" if everything else "") + " (times in UTC)")
    for story in session.scalars(query):
        table.add_row(str(story.id), story.title, f"{_when(story.first_seen)}\n{_when(story.last_updated)}",
                      _coverage(story.article_count, story.sources),
                      *([("on" if story.relevant else "off")] if everything else []))
    return table


def _coverage(articles: int, outlets: Sequence[str]) -> str:
    """"3 articles: Wire, Ledger"."""
    counted = f"{articles} article{'' if articles == 1 else 's'}"
    return f"{counted}: {', '.join(outlets)}" if outlets else counted


def story_detail(session: Session, story_id: int) -> RenderableType:
    """Every article of one story (its outlet, the score and nearest article that placed it, and whether it is on
    the topic, with why), then the story's contradictions, both claims side by side with the reason."""
    story = session.get(Story, story_id)
    title = f"story {story_id}: {story.title}" if story else f"story {story_id} not found"
    if story and not story.relevant:
        title += " (off topic: not posted)"
    table = fitted_table("article, outlet,\npublished (UTC)", "headline", "joined by", "topic", title=title,
                         show_lines=True)
    nearest = aliased(Article)
    rows = session.execute(
        select(Article, Feed.name, nearest.title)
        .join(Feed, Feed.id == Article.feed_id)
        .outerjoin(nearest, nearest.id == Article.nearest_id)
        .where(Article.story_id == story_id)
        .order_by(Article.published, Article.id)
    )
    for article, outlet, nearest_title in rows:
        if article.duplicate_of_id:
            why = f"copy of {article.duplicate_of_id} ({article.score:.2f})"
        elif article.score is None:
            why = "started the story"
        else:
            why = f"similarity {article.score:.2f}"
        topic = f"{topic_cell(article)}\n{article.relevance_reason}" if article.relevance_reason else ""
        joined = f"{why}\nnearest: {nearest_title}" if nearest_title else why
        table.add_row(f"{article.id}\n{outlet}\n{_when(article.published)}", article.title, joined, topic)
    found = session.scalars(
        select(Contradiction.id).where(Contradiction.story_id == story_id).order_by(Contradiction.id)
    ).all()
    if not found:
        return table
    disputes = fitted_table(column("kind", no_wrap=True), "new claim", "earlier claim", "why, confidence",
                            title=f"contradictions in story {story_id} (review: below the alert bar, not alerted)",
                            show_lines=True)
    for view in (contradiction_view(session, i) for i in found):
        trust = f"{view.confidence:.2f} {'alerted' if view.alerted else 'review'}"
        disputes.add_row(view.kind, _claim(view.new), _claim(view.earlier), f"{view.reason}\n{trust}\n{view.evidence}")
    return Group(table, disputes)


def topic_cell(article: Article) -> str:
    """"on 0.62", "off 0.21": whether the article is on the topic, and its score; empty when judged by no topic."""
    if article.relevant is None:
        return ""
    return f"{'on' if article.relevant else 'off'} {article.relevance or 0:.2f}"


def _claim(claim: ClaimView) -> str:
    """The claim's reading; for a sentence not in English, that reading and the sentence as written."""
    speaker = f", {claim.speaker}" if claim.speaker else ""
    original = f"\n{claim.language}: “{claim.text}”" if claim.language else ""
    return f"{claim.outlet}{speaker}, {_when(claim.published)}: {claim.value or claim.text}{original}"


def summary_view(markdown: str) -> RenderableType:
    """The run summary, markdown made for the Prefect UI, as a terminal of 80 columns shows it: a table of one row of
    numbers (the run's figures) becomes label and value pairs, in as many columns as fit; any other table wraps its
    cells."""
    parts: list[RenderableType] = []
    text: list[str] = []
    table: list[str] = []
    gap = Text("")  # a blank line after a table, as markdown leaves between blocks
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            parts += [Markdown("\n".join(text))] if "".join(text).strip() else []
            parts += [_markdown_table(table), gap]
            text, table = [], []
        text.append(line)
    if "".join(text).strip():
        parts.append(Markdown("\n".join(text)))
    elif parts and parts[-1] is gap:
        parts.pop()
    return Group(*parts)


_PIPE = re.compile(r"(?<!\\)\|")
_RULE = re.compile(r":?-+:?")
_NUMBER = re.compile(r"[0-9][0-9,.]*%?")


def _markdown_row(line: str) -> list[str]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [cell.strip().replace("\\|", "|") for cell in _PIPE.split(inner)]


def _markdown_table(lines: Sequence[str]) -> RenderableType:
    header, *rows = (_markdown_row(line) for line in lines)
    rows = [row for row in rows if not all(_RULE.fullmatch(cell) for cell in row)]
    if len(rows) == 1 and all(_NUMBER.fullmatch(cell) for cell in rows[0]):
        return Figures(list(zip(header, rows[0], strict=False)))
    table = fitted_table(*header)
    for row in rows:
        table.add_row(*row)
    return table


class Figures:
    """Labelled figures, label then value, in as many column pairs (up to four) as fit the width, filled down the
    columns; a label is never cut."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = list(pairs)

    def table(self, groups: int) -> Table:
        rows = -(-len(self.pairs) // groups)
        table = Table(box=None, show_header=False, padding=(0, 1))
        for group in range(groups):
            table.add_column(no_wrap=True)
            table.add_column(justify="right", no_wrap=True, style="bold")
            if group < groups - 1:
                table.add_column(width=1)  # a gap between the pairs
        for row in range(rows):
            cells: list[str] = []
            for group in range(groups):
                index = group * rows + row
                cells += self.pairs[index] if index < len(self.pairs) else ("", "")
                cells += [""] if group < groups - 1 else []
            table.add_row(*cells)
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for groups in (4, 3, 2):
            table = self.table(groups)
            natural = Measurement.get(console, options.update_width(10_000), table).maximum
            if natural <= options.max_width:
                yield table
                return
        yield self.table(1)
