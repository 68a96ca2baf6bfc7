"""Parse feed bytes into plain, normalised entries with feedparser.

Hostile input is bounded here: a feed that declares XML entities is refused before
feedparser sees it (see :func:`_refuse_entity_declarations`), and feedparser's HTML
sanitiser is off because entries are reduced to plain text anyway: its unclosed-comment
rule is quadratic (700 KB of ``&lt;!--`` took 34 s). Text extraction goes through
:func:`~warwatch.feeds.normalise.html_to_text`, which defuses the markup to keep ``html.parser`` linear.
"""

from __future__ import annotations

import hashlib
import io
import xml.sax
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from feedparser.encodings import convert_to_utf8
from feedparser.exceptions import ThingsNobodyCaresAboutButMe

from warwatch.feeds.normalise import (
    canonical_url,
    collapse,
    detect_language,
    html_to_text,
    to_utc,
)

# feedparser's own default for a missing Content-Type is ISO-8859-1, which garbles UTF-8
# feeds without an XML declaration; XML itself defaults to UTF-8 (or the declared encoding).
_DEFAULT_CONTENT_TYPE = "application/xml"
# expat's messages for a document that stops before its root element is closed
_ENDS_EARLY = frozenset({"no element found", "unclosed token", "unclosed CDATA section", "partial character"})


class FeedParseError(Exception):
    """The bytes are not a usable RSS/Atom feed; the message is one line."""


@dataclass(frozen=True)
class Entry:
    """One feed item, as plain text with a canonical URL and an aware UTC time."""

    guid: str
    url: str
    title: str
    text: str
    published: datetime
    language: str | None


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed; ``warning`` says what feedparser had to recover from, if anything."""

    title: str
    language: str | None
    entries: list[Entry]
    warning: str | None


def parse_feed(
    body: bytes, *, headers: dict[str, str], url: str, fetched_at: datetime
) -> ParsedFeed:
    """Parse ``body`` fetched from ``url`` with response ``headers``; raise only FeedParseError.

    Charset comes from the Content-Type header as feedparser resolves it; relative
    links resolve against ``url``; entries without dates get ``fetched_at``.
    """
    response_headers = {k.lower(): v for k, v in headers.items()}
    response_headers.setdefault("content-type", _DEFAULT_CONTENT_TYPE)
    response_headers["content-location"] = url
    _refuse_entity_declarations(body, response_headers)
    try:
        result = feedparser.parse(
            io.BytesIO(body), response_headers=response_headers,
            sanitize_html=False, resolve_relative_uris=False,  # markup is reduced to text below
        )
    except Exception as exc:  # feedparser should not raise, but must never crash a poll
        raise FeedParseError(f"feed parser failed: {type(exc).__name__}") from None
    problem = result.get("bozo_exception") if result.get("bozo") else None
    raw_entries = list(result.get("entries") or [])
    truncated = _ends_early(problem)
    if truncated and raw_entries:
        raw_entries.pop()  # it may be cut off mid-text; a whole copy comes with a later poll
    if not raw_entries:
        if not result.get("version"):
            raise FeedParseError("not an RSS/Atom feed")
        if problem is not None and not isinstance(problem, ThingsNobodyCaresAboutButMe):
            raise FeedParseError(f"malformed feed{' (ends early)' if truncated else ''}: {_describe(problem)}")
    feed = result.get("feed") or {}
    feed_language = detect_language("", _declared_language(feed))  # normalises the tag only
    entries = [
        entry
        for raw in raw_entries
        if (entry := _entry(raw, url, fetched_at, feed_language)) is not None
    ]
    return ParsedFeed(
        title=_text(feed, "title"),
        language=feed_language,
        entries=entries,
        warning=None if problem is None
        else f"feed ends early, last entry dropped: {_describe(problem)}" if truncated
        else _describe(problem),
    )


def _ends_early(problem: BaseException | None) -> bool:
    """Whether expat stopped because the document ended inside an element or token."""
    return isinstance(problem, xml.sax.SAXParseException) and problem.getMessage() in _ENDS_EARLY


def _refuse_entity_declarations(body: bytes, headers: dict[str, str]) -> None:
    """Raise FeedParseError if the feed declares XML entities (``<!ENTITY``).

    Declared entities are how "billion laughs", quadratic blow-up and external-entity
    attacks work, and feedparser guards against them only in part: it keeps entities
    without references (a 100 KB one used 30,000 times grew a 3 MB feed into 9 GB),
    misses declarations that do not start a line, and its fallback parser expands
    what it kept with no limit; defusedxml would guard only the expat pass. Feeds do
    not need entities, so any declaration is refused. The check reads the text as
    feedparser will decode it (UTF-16, UTF-7...); the literal ``<!ENTITY`` inside
    a CDATA section also refuses a feed, a price paid for a check that cannot be fooled.
    """
    try:
        decoded = convert_to_utf8(headers, body, {})
    except Exception:  # feedparser will fail on these bytes too, with its own error
        decoded = body
    if b"<!ENTITY" in decoded or b"<!ENTITY" in body:
        raise FeedParseError("feed declares XML entities (refused: entity expansion and external entities)")


def _entry(
    raw: Any, feed_url: str, fetched_at: datetime, feed_language: str | None
) -> Entry | None:
    title = _text(raw, "title")
    text = _body_text(raw)
    if not title and not text:
        return None
    url = _http_url(feed_url, raw.get("link") or "")
    published = to_utc(_own(raw, "published_parsed") or _own(raw, "updated_parsed"), fetched_at)
    declared = _declared_language(raw) or feed_language
    return Entry(
        guid=collapse(raw.get("id") or "") or url or _fallback_guid(raw, title, text),
        url=url,
        title=title,
        text=text,
        published=published,
        language=detect_language(f"{title}\n{text}", declared),
    )


def _http_url(feed_url: str, link: str) -> str:
    """The canonical absolute http(s) URL of ``link``, or "" (e.g. for Atom ``tag:`` ids)."""
    try:
        url = canonical_url(urljoin(feed_url, link.strip())) if link.strip() else ""
    except ValueError:  # e.g. a malformed IPv6 host
        return ""
    return url if url.startswith(("http://", "https://")) else ""


def _body_text(raw: Any) -> str:
    for content in raw.get("content") or []:
        if text := _plain(content.get("value"), content.get("type")):
            return text
    return _text(raw, "summary")


def _text(node: Any, key: str) -> str:
    detail = node.get(f"{key}_detail") or {}
    return _plain(node.get(key), detail.get("type"))


def _plain(value: str | None, content_type: str | None) -> str:
    """feedparser's value as plain text: HTML types are stripped, plain text is kept as is."""
    if not value:
        return ""
    return html_to_text(value) if "html" in (content_type or "html") else collapse(value)


def _declared_language(node: Any) -> str | None:
    if node.get("language"):
        return node["language"]
    for key in ("content", "summary_detail", "title_detail"):
        detail = node.get(key)
        if isinstance(detail, list):
            detail = detail[0] if detail else None
        if detail and detail.get("language"):
            return detail["language"]
    return None


def _fallback_guid(raw: Any, title: str, text: str) -> str:
    dated = _own(raw, "published") or _own(raw, "updated") or ""
    seed = f"{title}\n{dated}" if title else f"\n{dated}\n{text}"
    return "sha256:" + hashlib.sha256(seed.encode("utf-8")).hexdigest()


def _own(node: Any, key: str) -> Any:
    """``node[key]`` without FeedParserDict's deprecated updated->published aliasing."""
    return dict.get(node, key)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        detail = f"{exc.getMessage()} at line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
    else:
        detail = str(exc)
    return collapse(detail)[:300] or type(exc).__name__
