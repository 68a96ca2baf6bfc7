"""Tests for warwatch.feeds.parse."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warwatch.feeds.normalise import canonical_url
from warwatch.feeds.parse import Entry, FeedParseError, ParsedFeed, parse_feed

FETCHED = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
FEED_URL = "https://example.com/feeds/world.xml"
RSS_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Example outlet &amp; friends</title>
    <link>https://example.com/</link>
    <description>Made-up headlines for tests</description>
    <language>en-GB</language>
    <item>
      <title>Ferry service &lt;b&gt;resumes&lt;/b&gt; after storm</title>
      <link>https://Example.com/news/ferry?utm_source=rss&amp;utm_medium=feed&amp;id=42#top</link>
      <guid isPermaLink="false">example-ferry-42</guid>
      <description>&lt;p&gt;Boats left the harbour &lt;i&gt;on time&lt;/i&gt;.&lt;/p&gt;&lt;p&gt;Crews were relieved.&lt;/p&gt;</description>
      <pubDate>Sat, 01 Mar 2025 09:15:00 +0200</pubDate>
    </item>
    <item>
      <title>Library opens a new reading room</title>
      <link>/news/library</link>
      <description>Visitors can book seats online.</description>
    </item>
    <item>
      <title>Market prices steady</title>
      <description>No link and no guid in this one.</description>
      <pubDate>Fri, 28 Feb 2025 18:00:00 GMT</pubDate>
    </item>
    <item>
      <link>https://example.com/news/empty</link>
    </item>
  </channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="uk">
  <title type="text">Example wire</title>
  <id>urn:example:wire</id>
  <updated>2025-03-01T08:00:00Z</updated>
  <entry>
    <title type="html">Council &amp;amp; mayor agree budget</title>
    <id>urn:example:wire:1</id>
    <link rel="alternate" href="stories/budget.html?fbclid=xyz"/>
    <updated>2025-03-01T07:00:00+01:00</updated>
    <summary>Short version.</summary>
    <content type="html">&lt;div&gt;The long version&lt;br/&gt;with a line break.&lt;/div&gt;&lt;script&gt;track()&lt;/script&gt;</content>
  </entry>
  <entry>
    <title>Entry without a date</title>
    <id>urn:example:wire:2</id>
    <summary>Dates fall back to the fetch time.</summary>
  </entry>
  <entry>
    <title>Entry from the far future</title>
    <id>urn:example:wire:3</id>
    <published>2031-01-01T00:00:00Z</published>
  </entry>
</feed>
"""


def _parse(body: bytes, headers: dict[str, str] | None = None, url: str = FEED_URL) -> ParsedFeed:
    return parse_feed(body, headers=RSS_HEADERS if headers is None else headers, url=url, fetched_at=FETCHED)


def test_rss_entries_are_plain_and_normalised() -> None:
    feed = _parse(RSS)
    assert feed.title == "Example outlet & friends"
    assert feed.language == "en"
    assert feed.warning is None
    ferry, library, market = feed.entries
    assert ferry == Entry(
        guid="example-ferry-42",
        url="https://example.com/news/ferry?id=42",
        title="Ferry service resumes after storm",
        text="Boats left the harbour on time. Crews were relieved.",
        published=datetime(2025, 3, 1, 7, 15, tzinfo=timezone.utc),
        language="en",
    )
    assert library.url == "https://example.com/news/library"
    assert library.guid == "https://example.com/news/library"
    assert library.published == FETCHED
    assert market.url == ""
    assert market.guid.startswith("sha256:")
    assert market.published == datetime(2025, 2, 28, 18, 0, tzinfo=timezone.utc)


def test_fallback_guid_is_stable() -> None:
    assert _parse(RSS).entries[2].guid == _parse(RSS).entries[2].guid


def test_atom_entries() -> None:
    feed = _parse(ATOM, {"Content-Type": "application/atom+xml"})
    assert feed.title == "Example wire"
    assert feed.language == "uk"
    budget, undated, future = feed.entries
    assert budget.guid == "urn:example:wire:1"
    assert budget.url == "https://example.com/feeds/stories/budget.html"
    assert budget.title == "Council & mayor agree budget"
    assert budget.text == "The long version with a line break."
    assert budget.published == datetime(2025, 3, 1, 6, 0, tzinfo=timezone.utc)
    assert budget.language == "uk"
    assert undated.published == FETCHED and undated.text == "Dates fall back to the fetch time."
    assert future.published == FETCHED and future.text == ""
    for entry in feed.entries:
        assert entry.published.tzinfo == timezone.utc


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ("tag:example.com,2025:item-1", ""),
        ("mailto:desk@example.com", ""),
        ("http://[broken/item", ""),
        ("../other/item?ref_src=twsrc", "https://example.com/other/item"),
        ("HTTP://EXAMPLE.COM:80/Item", "http://example.com/Item"),
    ],
)
def test_entry_urls_are_absolute_http(link: str, url: str) -> None:
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>t</title><id>urn:x:1</id>'
        f'<link href="{link}"/></entry></feed>'
    ).encode()
    entry = _parse(body, {"Content-Type": "application/atom+xml"}).entries[0]
    assert entry.url == url and entry.guid == "urn:x:1"


def test_language_is_detected_when_not_declared() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><title>Storm closes the harbour</title>'
        b"<description>All ferries stayed in port while strong winds battered the coast.</description>"
        b"</item></channel></rss>"
    )
    assert _parse(body).entries[0].language == "en"


def test_windows_1251_charset_from_content_type() -> None:
    title = "Новости: мост открыт после ремонта"
    body = (
        f'<rss version="2.0"><channel><title>{title}</title>'
        f"<item><title>{title}</title><description>Движение восстановлено.</description></item>"
        "</channel></rss>"
    ).encode("windows-1251")
    feed = _parse(body, {"Content-Type": "application/rss+xml; charset=windows-1251"})
    assert feed.title == title
    assert feed.entries[0].title == title
    assert feed.entries[0].text == "Движение восстановлено."


def test_content_type_charset_beats_xml_declaration() -> None:
    text = "Київ: рух мостом відновлено"
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<rss version="2.0"><channel><title>t</title><item><title>{text}</title></item></channel></rss>'
    ).encode("windows-1251")
    assert _parse(body, {"content-type": "application/xml; charset=windows-1251"}).entries[0].title == text


def test_utf8_without_declaration_or_content_type() -> None:
    text = "Сирени в Харкові"
    body = f'<rss version="2.0"><channel><item><title>{text}</title></item></channel></rss>'.encode()
    assert _parse(body, {}).entries[0].title == text


def test_html_page_is_not_a_feed() -> None:
    page = b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hello<br>there</body></html>"
    with pytest.raises(FeedParseError, match="not an RSS/Atom feed"):
        _parse(page, {"Content-Type": "text/html; charset=utf-8"})


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"<notRss><story>x</story></notRss>", b"just text", b"\x00\xff\xfe"],
)
def test_non_feeds_raise(body: bytes) -> None:
    with pytest.raises(FeedParseError):
        _parse(body)


def test_items_under_an_unknown_root_are_recovered() -> None:
    feed = _parse(b"<notRss><item><title>Stray item</title></item></notRss>")
    assert [e.title for e in feed.entries] == ["Stray item"]


def test_valid_feed_without_items() -> None:
    feed = _parse(b'<rss version="2.0"><channel><title>Quiet day</title></channel></rss>')
    assert feed == ParsedFeed(title="Quiet day", language=None, entries=[], warning=None)


def test_broken_feed_without_entries_raises() -> None:
    with pytest.raises(FeedParseError, match="malformed feed"):
        _parse(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut off')


def test_broken_feed_with_entries_recovers_with_warning() -> None:
    body = b'<rss version="2.0"><channel><title>t</title><item><title>Fish &amp chips</title></item></channel>'
    feed = _parse(body)
    assert [e.title for e in feed.entries] == ["Fish & chips"]
    assert feed.warning and "\n" not in feed.warning


def test_non_xml_content_type_is_a_warning() -> None:
    feed = _parse(RSS, {"Content-Type": "text/html"})
    assert len(feed.entries) == 3
    assert feed.warning and "text/html" in feed.warning


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.builds(lambda i, j, b: RSS[:i] + b + RSS[j:],
                                           st.integers(0, len(RSS)), st.integers(0, len(RSS)),
                                           st.binary(max_size=20)))
def test_any_bytes_give_a_feed_or_feed_parse_error(body: bytes) -> None:
    try:
        feed = _parse(body)
    except FeedParseError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert all(e.title or e.text for e in feed.entries)


# --- the shared corpus of real feeds and parser edge cases ------------------

_FEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "eval-data" / "feeds"


def _manifest() -> dict[str, str]:
    """file -> item_or_entry_count, from MANIFEST.tsv (empty when the corpus is absent)."""
    path = _FEEDS / "MANIFEST.tsv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["file"]: row["item_or_entry_count"] for row in csv.DictReader(handle, delimiter="\t")}


def _corpus() -> list[str]:
    return sorted(
        str(p.relative_to(_FEEDS))
        for folder in ("edge_cases", "news_outlets")
        if (_FEEDS / folder).is_dir()
        for p in (_FEEDS / folder).iterdir()
        if p.is_file()
    )


MANIFEST = _manifest()
CYRILLIC = re.compile("[\u0400-\u04ff]")


@pytest.mark.parametrize("name", _corpus())
def test_corpus_file_parses_or_raises_feed_parse_error(shared_dir: Path, name: str) -> None:
    body = (shared_dir / "eval-data" / "feeds" / name).read_bytes()
    try:
        feed = parse_feed(body, headers={}, url="https://feeds.example.org/feed", fetched_at=FETCHED)
    except FeedParseError as exc:
        assert str(exc) and "\n" not in str(exc)
        assert not name.startswith("news_outlets/") or MANIFEST.get(name) == "0"
        return
    if name.startswith("news_outlets/") and MANIFEST.get(name) != "0":
        assert feed.entries
    for entry in feed.entries:
        assert entry.guid and (entry.title or entry.text)
        assert entry.url == canonical_url(entry.url)
        assert entry.published.tzinfo == timezone.utc and entry.published <= FETCHED + timedelta(days=1)
    if name.startswith("news_outlets/ua_"):
        assert all(CYRILLIC.search(e.title) for e in feed.entries)


@pytest.mark.parametrize(
    "name",
    [
        "edge_cases/bnjr_rssv2_invalid_root_notRss.xml",
        "edge_cases/feedparser_illformed_rss_empty_document.xml",
        "edge_cases/rssparser_unrecognized.rss",
    ],
)
def test_corpus_non_feeds_are_rejected(shared_dir: Path, name: str) -> None:
    body = (shared_dir / "eval-data" / "feeds" / name).read_bytes()
    with pytest.raises(FeedParseError, match="not an RSS/Atom feed"):
        parse_feed(body, headers={}, url="https://feeds.example.org/feed", fetched_at=FETCHED)


def test_corpus_is_complete(shared_dir: Path) -> None:
    names = set(_corpus())
    assert names and names <= set(MANIFEST)
