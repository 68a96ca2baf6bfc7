"""Tests for warwatch.feeds.normalise."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warwatch.feeds.normalise import (
    canonical_url,
    content_hash,
    detect_language,
    html_to_text,
    to_utc,
)

FETCHED = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("", ""),
        ("plain words", "plain words"),
        ("Tom &amp; Jerry &#8211; &quot;live&quot;", 'Tom & Jerry \u2013 "live"'),
        ("<p>First paragraph.</p><p>Second one.</p>", "First paragraph. Second one."),
        ("line one<br>line two<br/>line three", "line one line two line three"),
        ("<b>Kyiv</b>'s <i>mayor</i> spoke", "Kyiv's mayor spoke"),
        ("<div>a</div>b<div>c</div>", "a b c"),
        ("<ul><li>one</li><li>two</li></ul>", "one two"),
        ("<script>alert(1)</script><style>p{}</style>Visible", "Visible"),
        ("  lots \n\t of   <span>space</span>  ", "lots of space"),
        ("<!-- hidden -->shown", "shown"),
        ("&lt;b&gt;escaped tags&lt;/b&gt;", "<b>escaped tags</b>"),
        ("<p>Unclosed <b>bold", "Unclosed bold"),
        ("https://example.com/a?b=1&amp;c=2", "https://example.com/a?b=1&c=2"),
        ("<![CDATA[raw]]> text", "raw text"),
        ("a < b and c > d", "a < b and c > d"),
        ("<table><tr><td>1</td><td>2</td></tr></table>", "1 2"),
        ("<script>never closed", ""),
        ("<p>kept</p><![;broken", "kept <![;broken"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


@given(st.text(alphabet="<>/&;#!-[]abpdivscript x=\"'", max_size=60))
def test_html_to_text_never_raises(html: str) -> None:
    assert isinstance(html_to_text(html), str)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (None, ""),
        ("", ""),
        ("   ", ""),
        ("HTTPS://Example.COM/News/Item", "https://example.com/News/Item"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#comments", "https://example.com/a"),
        (
            "https://example.com/a?utm_source=rss&id=5&UTM_Medium=x&fbclid=abc&page=2",
            "https://example.com/a?id=5&page=2",
        ),
        ("https://example.com/a?gclid=1&msclkid=2&mc_cid=3&mc_eid=4", "https://example.com/a"),
        ("https://example.com/a?igshid=1&yclid=2&_ga=3&ref_src=4&dclid=5", "https://example.com/a"),
        ("https://example.com/a?z=1&a=2&m=3", "https://example.com/a?z=1&a=2&m=3"),
        ("https://example.com/a?q=caf%C3%A9+bar&utm_term=x", "https://example.com/a?q=caf%C3%A9+bar"),
        ("https://example.com/a?flag&utm_id=1", "https://example.com/a?flag"),
        ("https://user@Example.com:80/a", "https://user@example.com:80/a"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("http://[broken/x", "http://[broken/x"),
    ],
)
def test_canonical_url(url: str | None, canonical: str) -> None:
    assert canonical_url(url) == canonical


@given(st.text(max_size=80))
def test_canonical_url_never_raises(url: str) -> None:
    assert isinstance(canonical_url(url), str)


def _struct(dt: datetime) -> time.struct_time:
    return dt.astimezone(timezone.utc).timetuple()


@pytest.mark.parametrize(
    ("parsed", "expected"),
    [
        (None, FETCHED),
        (_struct(datetime(2025, 2, 28, 8, 30, tzinfo=timezone.utc)),
         datetime(2025, 2, 28, 8, 30, tzinfo=timezone.utc)),
        (_struct(FETCHED + timedelta(hours=23)), FETCHED + timedelta(hours=23)),
        (_struct(FETCHED + timedelta(days=3)), FETCHED),
        (_struct(datetime(1970, 1, 1, tzinfo=timezone.utc)), FETCHED),
        (time.struct_time((99999, 1, 1, 0, 0, 0, 0, 1, 0)), FETCHED),
    ],
)
def test_to_utc(parsed: time.struct_time | None, expected: datetime) -> None:
    result = to_utc(parsed, FETCHED)
    assert result == expected
    assert result.tzinfo == timezone.utc


def test_to_utc_converts_an_aware_fallback_to_utc() -> None:
    kyiv = timezone(timedelta(hours=2))
    result = to_utc(None, datetime(2025, 3, 1, 14, 0, tzinfo=kyiv))
    assert result == FETCHED and result.tzinfo == timezone.utc


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Bridge reopened", "Traffic resumes today."), ("bridge  REOPENED", " traffic resumes\n today. ")),
        (("Title", "text"), ("Title\t", "text\n\n")),
    ],
)
def test_content_hash_ignores_case_and_whitespace(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert content_hash(*a) == content_hash(*b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Bridge reopened", "Traffic resumes today."), ("Bridge reopened", "Traffic halted today.")),
        (("Bridge", "reopened"), ("Bridge reopened", "")),
    ],
)
def test_content_hash_differs_for_different_content(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert content_hash(*a) != content_hash(*b)


def test_content_hash_is_sha256_hex() -> None:
    digest = content_hash("a", "b")
    assert len(digest) == 64 and int(digest, 16) >= 0


@pytest.mark.parametrize(
    ("text", "declared", "language"),
    [
        ("The city council voted to repair the old bridge before winter.", "ru-RU", "ru"),
        ("anything", "en-GB", "en"),
        ("anything", "UK", "uk"),
        ("anything", "pt_BR", "pt"),
        ("The city council voted to repair the old bridge before winter.", None, "en"),
        ("The city council voted to repair the old bridge before winter.", "", "en"),
        ("The city council voted to repair the old bridge before winter.", "English!", "en"),
        ("Городской совет решил отремонтировать старый мост до наступления зимы.", None, "ru"),
        ("Міська рада вирішила відремонтувати старий міст до початку зими.", None, "uk"),
        ("Hi there", None, None),
        ("Київ. Обстріл", None, "uk"),
        ("Москва. Заявление", None, "ru"),
        ("12345 67890 !!! ??? 2024-01-01 12:00:00", None, None),
        ("", None, None),
    ],
)
def test_detect_language(text: str, declared: str | None, language: str | None) -> None:
    assert detect_language(text, declared) == language


def test_html_to_text_is_fast_on_deep_nesting() -> None:
    started = time.monotonic()
    assert html_to_text("<div><p>" * 20000 + "deep" + "</p></div>" * 20000 + "after") == "deep after"
    assert time.monotonic() - started < 5.0
