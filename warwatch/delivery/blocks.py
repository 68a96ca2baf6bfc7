"""Slack messages (fallback text + Block Kit blocks) for stories, coverage, contradictions and digests.

Every builder is a pure function of a small view dataclass. Builders that may produce long
content return a list: the first message is the one to post (parent, reply or alert), any
further ones are continuations to post in the same thread.

Safety: every string that comes from a feed is run through ``mrkdwn_escape`` before it is put
into mrkdwn, so it cannot form ``<!channel>``, ``<@U…>`` or ``<http://evil|label>``. The only
``<…>`` in any message are links built here, for http(s) URLs only, labelled with the URL's
real host name. Header (plain_text) text has ``<``/``>`` replaced by ``‹``/``›``.

Limits are enforced by construction: ≤ 50 blocks per message, section text ≤ 3,000 chars,
≤ 10 fields of ≤ 2,000 chars, header ≤ 150 chars, ≤ 10 context elements, fallback text
≤ 3,000 chars, and ≤ 12,000 chars of blocks JSON per message (Slack answers
``msg_blocks_too_long`` somewhere above ~13,000 chars of blocks, although that is undocumented).
Only headers, fallback text and the one-message ``parent_update`` are truncated; all other
content is split across sections and continuation messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import zip_longest
from urllib.parse import urlsplit

from slack_sdk.models.blocks import Block, ContextBlock, DividerBlock, HeaderBlock, SectionBlock
from slack_sdk.models.blocks.basic_components import MarkdownTextObject, PlainTextObject

from warwatch.delivery.views import ClaimView, ContradictionView, CoverageView, DigestView, FeedHealthView, StoryView

MAX_BLOCKS = 50
SECTION_TEXT_MAX = SectionBlock.text_max_length  # 3000
FIELD_TEXT_MAX = 2000
FIELDS_MAX = SectionBlock.fields_max_length  # 10
HEADER_TEXT_MAX = HeaderBlock.text_max_length  # 150
CONTEXT_ELEMENTS_MAX = ContextBlock.elements_max_length  # 10
FALLBACK_TEXT_MAX = 3000
BLOCKS_JSON_MAX = 12_000
LINK_URL_MAX = 1500
ELLIPSIS = "…"
_CONTINUATION_RESERVE = 400  # JSON chars kept free on continuation pages for their context block
_PARENT_OUTLET_MAX = 100  # display length of one outlet name in the one-message parent
_PARENT_SECTION_BUDGET = 2800  # section text budget of the parent, leaving room for "and N more"


# ---------------------------------------------------------------- messages


@dataclass(frozen=True)
class SlackMessage:
    text: str  # plain fallback text (notifications); escaped for mrkdwn, ≤ 3,000 chars
    blocks: list[dict]  # Block Kit blocks as JSON-able dicts


def mrkdwn_escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters.

    With ``<`` and ``>`` escaped no feed text can form ``<!channel>``, ``<@U123>``
    or a ``<http://evil|label>`` link.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------- text helpers


def _line(text: str | None) -> str:
    """Feed text on one line: all whitespace runs become one space."""
    return " ".join((text or "").split())


def _para(text: str | None) -> str:
    """Feed text keeping line breaks: spaces collapsed per line, at most one blank line in a row."""
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _esc(text: str | None) -> str:
    return mrkdwn_escape(_line(text))


def _name(text: str | None, default: str = "unknown") -> str:
    """Escaped one-line feed text, or a placeholder when it is blank (so "*…*" never ends up empty)."""
    return _esc(text) or default


def _when(moment: datetime) -> str:
    """UTC time, e.g. "12 Aug 2024 15:05 UTC"; naive datetimes are taken to be UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%d %b %Y %H:%M UTC")


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {plural or word + 's'}"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(name for name in (_line(item) for item in items) if name))


def _link(url: str | None) -> str | None:
    """``<URL|host>`` for an http(s) URL, None for anything else.

    Whitespace, control characters, ``|``, ``<``, ``>`` and ``"`` in the URL are percent-encoded
    (a ``|`` would otherwise end the URL and start a disguised label), then ``&`` is escaped. The
    label is the URL's real host, so a link can never pretend to point somewhere else.
    """
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    encoded = "".join(
        "".join(f"%{byte:02X}" for byte in ch.encode()) if ch.isspace() or not ch.isprintable() or ch in '|<>"' else ch
        for ch in url
    )
    safe_url = mrkdwn_escape(encoded)
    if len(safe_url) > LINK_URL_MAX:
        return None
    label = re.sub(r"[^\w.:-]", "", host)[:80]
    return f"<{safe_url}|{label}>" if label else None


_ENTITIES = ("&amp;", "&lt;", "&gt;")


def _safe_cut(text: str, cut: int) -> int:
    """Move ``cut`` back so it falls neither inside an ``&…;`` entity nor inside a ``<…>`` link."""
    amp = text.rfind("&", max(0, cut - 4), cut)
    if amp != -1 and any(text.startswith(e, amp) and amp + len(e) > cut for e in _ENTITIES):
        cut = amp
    start = text.rfind("<", 0, cut)
    if start > 0 and text.find(">", start) >= cut:
        cut = start
    return cut


def _split(text: str, limit: int) -> list[str]:
    """Split escaped mrkdwn into pieces ≤ limit, preferably at a line break, then at a space.

    Lossless: ``"".join(pieces) == text``. Never splits an entity or a link.
    """
    pieces = []
    while len(text) > limit:
        window = text[:limit]
        cut = window.rfind("\n") + 1
        if cut < limit // 2:
            cut = window.rfind(" ") + 1
        if cut < limit // 2:
            cut = limit
        cut = _safe_cut(text, cut) or limit
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    return pieces


def _truncate(text: str, limit: int) -> str:
    """Shorten escaped mrkdwn to ≤ limit chars, ending in "…", without breaking an entity or link."""
    if len(text) <= limit:
        return text
    cut = _safe_cut(text, limit - len(ELLIPSIS))
    return text[:cut].rstrip() + ELLIPSIS


def _plain(text: str, limit: int) -> str:
    """plain_text on one line, ≤ limit chars; ``<``/``>`` shown as ``‹``/``›`` so no raw markup appears."""
    text = _line(text).replace("<", "‹").replace(">", "›") or "(untitled)"
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


# ---------------------------------------------------------------- block helpers


def _header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=_plain(text, HEADER_TEXT_MAX), emoji=False))


def _sections(text: str) -> list[SectionBlock]:
    """One or more sections holding all of ``text`` (escaped mrkdwn)."""
    return [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in _split(text, SECTION_TEXT_MAX) if piece.strip()]


def _packed_sections(items: list[str]) -> list[SectionBlock]:
    """Items (escaped mrkdwn) packed one per line into as few sections as fit; long items split."""
    blocks, current = [], ""
    for item in items:
        candidate = f"{current}\n{item}" if current else item
        if len(candidate) <= SECTION_TEXT_MAX:
            current = candidate
            continue
        if current:
            blocks.extend(_sections(current))
        current = item
    if current:
        blocks.extend(_sections(current))
    return blocks


def _side_by_side(left: str, right: str) -> list[SectionBlock]:
    """Two columns of escaped mrkdwn as section fields; long columns continue in further rows."""
    rows = zip_longest(_split(left, FIELD_TEXT_MAX), _split(right, FIELD_TEXT_MAX), fillvalue="—")
    return [
        SectionBlock(fields=[MarkdownTextObject(text=a if a.strip() else "—"), MarkdownTextObject(text=b if b.strip() else "—")])
        for a, b in rows
    ]


def _context(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text) for text in texts[:CONTEXT_ELEMENTS_MAX]])


class _Pager:
    """Collects blocks into messages of ≤ 50 blocks and ≤ BLOCKS_JSON_MAX chars of JSON.

    Continuation messages start with a context block "continued i/n · title".
    """

    def __init__(self, fallback: str, title: str) -> None:
        self._fallback = fallback
        self._title = _truncate(title, 120)
        self._pages: list[list[dict]] = [[]]
        self._sizes = [0]

    def add(self, *blocks: Block) -> None:
        for block in blocks:
            data = block.to_dict()  # validates against slack_sdk's limits
            size = len(json.dumps(data, ensure_ascii=False))
            page = self._pages[-1]
            cap = MAX_BLOCKS if len(self._pages) == 1 else MAX_BLOCKS - 1
            if page and (len(page) >= cap or self._sizes[-1] + size > BLOCKS_JSON_MAX):
                if isinstance(block, DividerBlock):
                    continue  # a page break already separates
                self._pages.append([])
                self._sizes.append(_CONTINUATION_RESERVE)
            self._pages[-1].append(data)
            self._sizes[-1] += size

    def break_page(self) -> None:
        """Start a new message for what follows (nothing happens on an empty page)."""
        if self._pages[-1]:
            self._pages.append([])
            self._sizes.append(_CONTINUATION_RESERVE)

    def messages(self) -> list[SlackMessage]:
        total = len(self._pages)
        out = [SlackMessage(_truncate(self._fallback, FALLBACK_TEXT_MAX), self._pages[0])]
        for number, page in enumerate(self._pages[1:], start=2):
            note = f"continued {number}/{total}"
            context = _context(f"_{note}_ · {self._title}").to_dict()
            out.append(SlackMessage(_truncate(f"{self._title} ({note})", FALLBACK_TEXT_MAX), [context, *page]))
        return out


# ---------------------------------------------------------------- stories


def _story_counts(view: StoryView) -> tuple[list[str], str]:
    outlets = _unique(view.outlets) or _unique([view.outlet])
    return outlets, f"{_plural(view.article_count, 'article')} from {_plural(len(outlets), 'outlet')}"


def _parent(view: StoryView) -> tuple[list[Block], str, bool]:
    """The story parent's blocks and fallback text, and whether anything besides the header was shortened."""
    outlets, counts = _story_counts(view)
    outlet = _name(view.outlet)
    shortened = len(outlet) > _PARENT_OUTLET_MAX

    text = f"*{_truncate(outlet, _PARENT_OUTLET_MAX)}* · first seen {_when(view.first_seen)}"
    if link := _link(view.url):
        text += f" · {link}"
    text += "\n*Outlets:* "
    shown: list[str] = []
    for index, name in enumerate(outlets):
        escaped = mrkdwn_escape(name)
        shown_name = _truncate(escaped, _PARENT_OUTLET_MAX)
        shortened |= shown_name != escaped
        if len(text) + len(", ".join([*shown, shown_name])) > _PARENT_SECTION_BUDGET:
            shown.append(f"and {len(outlets) - index} more")
            shortened = True
            break
        shown.append(shown_name)
    text += ", ".join(shown) or "—"

    blocks = [_header(view.headline), SectionBlock(text=MarkdownTextObject(text=text)), _context(counts, f"story #{view.story_id}")]
    fallback = _truncate(f"Story: {_name(view.headline, '(untitled)')} — {counts}", FALLBACK_TEXT_MAX)
    return blocks, fallback, shortened


def parent_update(view: StoryView) -> SlackMessage:
    """The story parent re-rendered with current counts, for chat.update: always exactly one message.

    Long outlet lists end in "and N more"; outlet names over 100 chars are shortened.
    """
    blocks, fallback, _ = _parent(view)
    return SlackMessage(fallback, [block.to_dict() for block in blocks])


def story_message(view: StoryView) -> list[SlackMessage]:
    """A new story: the parent (header = headline; outlet, first seen, link, outlets; "N articles from M outlets").

    The first message equals ``parent_update(view)``. If it had to shorten anything, continuations
    carry the full headline and outlet list.
    """
    blocks, fallback, shortened = _parent(view)
    if not shortened and len(_plain(view.headline, 10**9)) <= HEADER_TEXT_MAX:
        return [SlackMessage(fallback, [block.to_dict() for block in blocks])]
    pager = _Pager(fallback, f"Story: {_name(view.headline, '(untitled)')}")
    pager.add(*blocks)
    pager.break_page()
    outlets, _ = _story_counts(view)
    pager.add(*_sections(f"*Headline:* {_name(view.headline, '(untitled)')}\n*First reported by:* {_name(view.outlet)}"))
    pager.add(*_packed_sections([f"*All outlets ({len(outlets)}):*", *(f"• {mrkdwn_escape(name)}" for name in outlets)]))
    return pager.messages()


def coverage_message(view: CoverageView) -> list[SlackMessage]:
    """A thread reply for another outlet's report: outlet, time, headline, link."""
    text = f"*{_name(view.outlet)}* · {_when(view.published)}\n{_name(view.headline, '(untitled)')}"
    if link := _link(view.url):
        text += f"\n{link}"
    fallback = f"{_name(view.outlet)} · {_when(view.published)}: {_name(view.headline, '(untitled)')}"
    pager = _Pager(fallback, f"{_name(view.outlet)} · {_when(view.published)}")
    pager.add(*_sections(text))
    return pager.messages()


# ---------------------------------------------------------------- contradictions


def _claim_meta(label: str, claim: ClaimView) -> str:
    lines = [f"*{label}* · *{_name(claim.outlet)}*", _when(claim.published)]
    if _line(claim.language):
        lines.append(f"Quoted in {_esc(LANGUAGE_NAMES.get(claim.language, claim.language))}")
    if _line(claim.speaker):
        lines.append(f"Said by: {_esc(claim.speaker)}")
    if _line(claim.value):
        lines.append(f"Value: *{_esc(claim.value)}*")
    if link := _link(claim.url):
        lines.append(link)
    return "\n".join(lines)


LANGUAGE_NAMES = {"ru": "Russian", "uk": "Ukrainian"}


def _quoted(claim: ClaimView) -> str:
    return f"“{mrkdwn_escape(_para(claim.text))}”"


def contradiction_message(view: ContradictionView) -> list[SlackMessage]:
    """An alert: header "Contradiction: <kind>", story and reason, then earlier | new claims side by side.

    Each claim shows the quoted claim text, outlet, UTC time, speaker, normalised value and link.
    Claims too long for a 2,000-char field follow the side-by-side details in full-width sections.
    """
    kind = _line(view.kind) or "unspecified"
    fallback = f"Contradiction ({_esc(kind)}) — {_name(view.story_headline, '(untitled)')}: {_esc(view.reason)}"
    pager = _Pager(fallback, f"Contradiction: {_esc(kind)}")
    pager.add(_header(f"Contradiction: {kind}"))
    pager.add(*_sections(f"*{_name(view.story_headline, '(untitled)')}*\n{_esc(view.reason)}"))
    if _line(view.evidence):
        pager.add(_context(_esc(view.evidence)[:FIELD_TEXT_MAX]))

    left = f"{_claim_meta('Earlier', view.earlier)}\n{_quoted(view.earlier)}"
    right = f"{_claim_meta('New', view.new)}\n{_quoted(view.new)}"
    if len(left) <= FIELD_TEXT_MAX and len(right) <= FIELD_TEXT_MAX:
        pager.add(*_side_by_side(left, right))
    else:
        pager.add(*_side_by_side(_claim_meta("Earlier", view.earlier), _claim_meta("New", view.new)))
        for label, claim in (("Earlier", view.earlier), ("New", view.new)):
            pager.add(DividerBlock())
            pager.add(*_sections(f"*{label} claim* · {_name(claim.outlet)}:\n{_quoted(claim)}"))
    return pager.messages()


# ---------------------------------------------------------------- digest


def _digest_story(index: int, story: StoryView) -> str:
    outlets, counts = _story_counts(story)
    line = f"*{index}. {_name(story.headline, '(untitled)')}*\n{counts}: {', '.join(mrkdwn_escape(name) for name in outlets)}"
    if link := _link(story.url):
        line += f" · {link}"
    return line


def _digest_contradiction(item: ContradictionView) -> str:
    return (
        f"• *{_name(item.kind, 'unspecified')}* — {_name(item.story_headline, '(untitled)')}: {_esc(item.reason)}"
        f" ({_name(item.earlier.outlet)} vs {_name(item.new.outlet)})"
    )


def _digest_feed(feed: FeedHealthView) -> str:
    since = _when(feed.last_success) if feed.last_success else "never"
    line = f"• *{_name(feed.name)}*: {_plural(feed.failures, 'failure')} · last success {since}"
    if _line(feed.last_error):
        line += f"\n    last error: {_esc(feed.last_error)}"
    return line


def feed_alert_message(feed: FeedHealthView, recovered: bool) -> list[SlackMessage]:
    """One message when a feed starts failing (after N polls in a row), one when it recovers."""
    if recovered:
        title = f"Feed recovered: {_line(feed.name) or 'unknown'}"
        text = f"*{_name(feed.name)}* is answering again after {_plural(feed.failures, 'failed poll')}."
    else:
        title = f"Feed failing: {_line(feed.name) or 'unknown'}"
        since = _when(feed.last_success) if feed.last_success else "never"
        text = (f"*{_name(feed.name)}* failed {_plural(feed.failures, 'poll')} in a row · last success {since}"
                f"\nlast error: {_esc(feed.last_error) or 'unknown'}")
    pager = _Pager(mrkdwn_escape(title), mrkdwn_escape(title))  # the header takes it raw, as plain_text
    pager.add(_header(title), *_sections(text))
    return pager.messages()


def flow_alert_message(run_name: str, reason: str, recovered: bool) -> list[SlackMessage]:
    """One message when monitor runs start failing, one when a run succeeds again."""
    if recovered:
        title = "warwatch monitor recovered"
        text = f"Run *{_esc(run_name)}* completed; monitoring is back to normal."
    else:
        title = "warwatch monitor failed"
        text = f"Run *{_esc(run_name)}* failed: {_esc(reason) or 'unknown error'}\nLater failures of this incident stay quiet."
    pager = _Pager(title, title)
    pager.add(_header(title), *_sections(text))
    return pager.messages()


def digest_message(view: DigestView) -> list[SlackMessage]:
    """The periodic digest: stories (in the given order), new contradictions, feed health."""
    span = f"{_when(view.since).removesuffix(' UTC')} – {_when(view.until)}"
    failing = [feed for feed in view.feeds if feed.failures > 0]
    fallback = (
        f"warwatch digest {span}: {_plural(len(view.stories), 'story', 'stories')}, "
        f"{_plural(len(view.contradictions), 'contradiction')}, "
        f"{len(failing)} of {_plural(len(view.feeds), 'feed')} failing"
    )
    pager = _Pager(fallback, f"warwatch digest {span}")
    pager.add(_header(f"warwatch digest {span}"))

    if view.stories:
        pager.add(*_packed_sections([f"*Top stories* ({len(view.stories)})",
                                     *(_digest_story(i, s) for i, s in enumerate(view.stories, 1))]))
    else:
        pager.add(*_sections("*Top stories*\n_No new stories._"))
    pager.add(DividerBlock())

    if view.contradictions:
        pager.add(*_packed_sections([f"*New contradictions* ({len(view.contradictions)})",
                                     *map(_digest_contradiction, view.contradictions)]))
    else:
        pager.add(*_sections("*New contradictions*\n_None._"))
    if view.review:
        pager.add(*_packed_sections([f"*For review* ({len(view.review)}): possible contradictions below the alert bar",
                                     *(f"{_digest_contradiction(item)} · confidence {item.confidence:.2f}"
                                       for item in view.review)]))
    pager.add(DividerBlock())

    if not view.feeds:
        pager.add(*_sections("*Feed health*\n_No feeds reported._"))
    elif not failing:
        pager.add(*_sections(f"*Feed health*\nAll {_plural(len(view.feeds), 'feed')} healthy."))
    else:
        pager.add(*_packed_sections([f"*Feed health*: {len(failing)} of {_plural(len(view.feeds), 'feed')} failing",
                                     *map(_digest_feed, failing)]))
    return pager.messages()
