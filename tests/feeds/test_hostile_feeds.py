"""Hostile and broken feed servers, polled through the real path (fetch, parse, SQLite store).

Every fault ends in one recorded line on the feed row, within a hard per-test time
limit (pytest-timeout) that the fault would overrun if it were not cut short: the
server holds stalls and trickles for a minute, the limits here are seconds. The
50 MB bodies and the gzip bomb are also held to a memory bound (tracemalloc peak).
"""

from __future__ import annotations

import io
import re
import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timezone

import feedparser
import pytest
from sqlalchemy import func, select

from warwatch.config.settings import FeedSpec, HttpSettings, Settings, dump_feeds
from warwatch.feeds.fetch import TransientFetchError, make_client
from warwatch.feeds.markup import defuse_markup
from warwatch.feeds.normalise import html_to_text
from warwatch.feeds.parse import FeedParseError, parse_feed
from warwatch.feeds.polling import PollOutcome, poll_feed, sync_feeds
from warwatch.store.db import session
from warwatch.store.models import Article, Feed

from support.hostile_server import FAULTS, HostileServer

MAX_BYTES = 1024 * 1024
HTTP = HttpSettings(connect_timeout=0.5, read_timeout=0.5, total_timeout=2.0, max_bytes=MAX_BYTES,
                    user_agent="warwatch-hostile-test/1", allow_private_addresses=True)
SECRET = "SECRET-MARKER-7f3a"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)

# fault path -> the one line the feed row records
FAILURES = {
    "/hang-headers": r"read timed out",
    "/hang-body": r"read timed out",
    "/trickle": r"no complete response within 2 s",
    "/trickle-headers": r"no complete response within 2 s",
    "/reset": r"connection failed: \[Errno 104\] Connection reset by peer",
    "/reset-mid-body": r"connection failed: \[Errno 104\] Connection reset by peer",
    "/close-silently": r"connection closed early: Server disconnected without sending a response\.",
    "/status-500": r"HTTP 500",
    "/status-503": r"HTTP 503",
    "/truncated": r"connection closed early: peer closed connection without sending complete message body"
                  r" \(received \d+ bytes, expected \d+\)",
    "/length-too-short": r"malformed feed \(ends early\): unclosed token at line 1, column \d+",
    "/html-page": r"not an RSS/Atom feed",
    "/wrong-type-png": r"not an RSS/Atom feed",
    "/big": rf"body larger than {MAX_BYTES} bytes",
    "/big-unannounced": rf"body larger than {MAX_BYTES} bytes",
    "/gzip-bomb": rf"body larger than {MAX_BYTES} bytes",
    "/redirect-loop": r"too many redirects",
    "/billion-laughs": r"feed declares XML entities \(refused: entity expansion and external entities\)",
    "/billion-laughs-lines": r"feed declares XML entities \(refused: entity expansion and external entities\)",
    "/quadratic-blowup": r"feed declares XML entities \(refused: entity expansion and external entities\)",
    "/xxe-file": r"feed declares XML entities \(refused: entity expansion and external entities\)",
    "/xxe-http": r"feed declares XML entities \(refused: entity expansion and external entities\)",
    "/xxe-parameter": r"feed declares XML entities \(refused: entity expansion and external entities\)",
}
# fault path -> (entries, warning pattern or None): mislabelled or odd but whole feeds are read
RECOVERED = {
    "/wrong-type-html": (20, r"text/html; charset=utf-8 is not an XML media type"),
    "/wrong-charset": (20, r"document declared as utf-16, but parsed as utf-8"),
    "/bogus-charset": (20, r"document declared as no-such-charset, but parsed as utf-8"),
    "/latin1-as-utf8": (2, r"document declared as utf-8, but parsed as windows-1252"),
    "/external-dtd": (1, r"undefined entity"),
    "/external-dtd-file": (1, r"undefined entity"),
    "/slow-parse": (1, None),
    "/gzip-feed": (20, None),
}
TRANSIENT = {"/hang-headers", "/hang-body", "/trickle", "/trickle-headers", "/reset", "/reset-mid-body",
             "/close-silently", "/status-500", "/status-503", "/truncated", "connect-timeout"}


def test_every_fault_is_covered() -> None:
    assert set(FAULTS) - {"/xxe-target", "/redirect-loop-2"} == set(FAILURES) | set(RECOVERED)


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    (path.parent / "secret.dtd").write_text(f'<!ENTITY secret "{SECRET}">', encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def server(secret_file) -> Iterator[HostileServer]:
    with HostileServer(hold=60.0, interval=0.2, secret_file=secret_file) as running:
        yield running


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}", http=HTTP)


def _poll(settings: Settings, url: str) -> tuple[PollOutcome, Feed]:
    with session(settings.db_url) as s, make_client(settings.http) as client:
        (feed_id,) = sync_feeds(s, [FeedSpec(name="hostile", url=url)])
        s.commit()
        outcome = poll_feed(s, client, feed_id, settings)
        s.expire_all()
        return outcome, s.get_one(Feed, feed_id)


def _assert_failed(outcome: PollOutcome, feed: Feed, pattern: str) -> None:
    assert outcome.status == "failed", outcome
    assert feed.last_error is not None and "\n" not in feed.last_error
    assert outcome.error == feed.last_error
    assert re.fullmatch(pattern, feed.last_error), feed.last_error
    assert feed.consecutive_failures == 1 and feed.next_poll_at is not None and feed.last_success_at is None


@pytest.mark.timeout(20)
@pytest.mark.parametrize("path", sorted(FAILURES))
def test_fault_is_a_recorded_feed_error(server: HostileServer, settings: Settings, path: str) -> None:
    outcome, feed = _poll(settings, server.url(path))
    _assert_failed(outcome, feed, FAILURES[path])
    with session(settings.db_url) as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 0


@pytest.mark.timeout(20)
def test_connect_timeout_is_a_recorded_feed_error(server: HostileServer, settings: Settings) -> None:
    outcome, feed = _poll(settings, server.connect_timeout_url())
    _assert_failed(outcome, feed, "connect timed out")


@pytest.mark.timeout(20)
@pytest.mark.parametrize("path", sorted(TRANSIENT - {"connect-timeout"}))
def test_transient_faults_can_be_retried(server: HostileServer, settings: Settings, path: str) -> None:
    with session(settings.db_url) as s, make_client(settings.http) as client:
        (feed_id,) = sync_feeds(s, [FeedSpec(name="hostile", url=server.url(path))])
        s.commit()
        with pytest.raises(TransientFetchError):
            poll_feed(s, client, feed_id, settings, raise_transient=True)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("path", sorted(RECOVERED))
def test_odd_but_whole_feeds_are_read(server: HostileServer, settings: Settings, path: str) -> None:
    entries, warning = RECOVERED[path]
    outcome, feed = _poll(settings, server.url(path))
    assert outcome.status == "ok" and outcome.entries == entries, outcome
    if warning is None:
        assert outcome.warning is None
    else:
        assert re.search(warning, outcome.warning or ""), outcome.warning
    assert feed.consecutive_failures == 0 and feed.last_error is None


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", ["/big", "/big-unannounced", "/gzip-bomb"])
def test_huge_bodies_stay_within_memory(server: HostileServer, settings: Settings, path: str) -> None:
    assert server.big == 50 * 1024 * 1024
    tracemalloc.start()
    try:
        outcome, feed = _poll(settings, server.url(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    _assert_failed(outcome, feed, FAILURES[path])
    assert peak < 8 * MAX_BYTES, f"peak {peak} bytes"


@pytest.mark.timeout(20)
@pytest.mark.parametrize("path", ["/xxe-file", "/xxe-http", "/xxe-parameter", "/external-dtd",
                                  "/external-dtd-file"])
def test_external_entities_are_never_read(server: HostileServer, settings: Settings, path: str) -> None:
    before = server.count("/xxe-target")
    outcome, _ = _poll(settings, server.url(path))
    assert server.count("/xxe-target") == before
    with session(settings.db_url) as s:
        stored = " ".join(f"{a.title} {a.text}" for a in s.scalars(select(Article)))
    assert SECRET not in stored and "EXFILTRATED" not in stored
    assert outcome.status == ("ok" if path.startswith("/external-dtd") else "failed")


@pytest.mark.timeout(20)
@pytest.mark.parametrize("path", ["/xxe-file", "/xxe-http", "/xxe-parameter", "/external-dtd",
                                  "/external-dtd-file"])
def test_feedparser_itself_reads_no_external_entity(server: HostileServer, path: str) -> None:
    """The second line of defence, below the refusal: feedparser and expat resolve nothing."""
    with make_client(HTTP) as client:
        body = client.get(server.url(path)).content
    before = server.count("/xxe-target")
    result = feedparser.parse(io.BytesIO(body), response_headers={"content-type": "application/xml"})
    assert server.count("/xxe-target") == before
    assert SECRET not in repr(result) and "EXFILTRATED" not in repr(result)


def _declaring(encoding: str) -> bytes:
    text = ('<?xml version="1.0" encoding="{}"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">]>\n'
            '<rss version="2.0"><channel><title>t</title><item><title>x &a;</title></item></channel></rss>')
    return text.format(encoding).encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32", "utf-7", "cp1251"])
def test_entity_declarations_are_refused_in_any_encoding(encoding: str) -> None:
    with pytest.raises(FeedParseError, match="feed declares XML entities"):
        parse_feed(_declaring(encoding), headers={}, url="https://x.example/feed", fetched_at=NOW)


def _rss_with_description(escaped_html: str) -> bytes:
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>x</title>'
            f"<description>{escaped_html}</description></item></channel></rss>").encode()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("unit", ["&lt;!--", "&lt;a ", "&lt;?", "&lt;![if", "&lt;![CDATA[x]]", "&lt;/a"])
def test_markup_that_was_quadratic_parses_quickly(unit: str) -> None:
    """700 KB of one unclosed construct: feedparser's sanitiser or html.parser took 30 s to minutes."""
    body = _rss_with_description(unit * (700_000 // len(unit)))
    parsed = parse_feed(body, headers={}, url="https://x.example/feed", fetched_at=NOW)
    assert [e.title for e in parsed.entries] == ["x"]


@pytest.mark.parametrize(("html", "text"), [
    ("<p>Boats <b>left</b> on time.</p><!-- note --><p>Crews cheered.</p>", "Boats left on time. Crews cheered."),
    ("<a href='x' title=\"y\">link</a> &amp; more", "link & more"),
    ("before <!-- never closed <p>after</p>", "before"),
    ("a < b and c <d e", "a < b and c <d e"),
    ("x <![CDATA[kept]]> y <![CDATA[open", "x kept y <![CDATA[open"),
    ("<?php echo 1 ?>text<!DOCTYPE html>", "text"),
    ("<a title='x>y'>z</a>", "<a title='x>y'>z"),  # a '>' inside quotes is not taken for markup
])
def test_defuse_keeps_whole_markup_and_escapes_the_rest(html: str, text: str) -> None:
    assert html_to_text(defuse_markup(html)) == text


def test_defuse_leaves_well_formed_markup_alone() -> None:
    html = '<div class="a"><p>One<br/>two</p><!-- c --><script>var a = 1;</script><img src="i.png" alt="p"></div>'
    assert defuse_markup(html) == html


# -- the monitor flow with hostile and good feeds -------------------------------------------

HOSTILE_IN_FLOW = ["/trickle", "/hang-headers", "/reset", "/status-500", "/truncated", "/big", "/gzip-bomb",
                   "/redirect-loop", "/billion-laughs", "/xxe-http", "/html-page", "/slow-parse"]


@pytest.mark.timeout(300)
def test_monitor_run_stores_good_feeds_beside_hostile_ones(server: HostileServer, tmp_path, monkeypatch,
                                                          prefect_api) -> None:
    specs = [FeedSpec(name=name, url=server.url(f"/good/{name}")) for name in ("alpha", "beta", "gamma")]
    specs += [FeedSpec(name=path.strip("/"), url=server.url(path)) for path in HOSTILE_IN_FLOW]
    specs.append(FeedSpec(name="connect-timeout", url=server.connect_timeout_url()))
    (tmp_path / "feeds.toml").write_text(dump_feeds(specs), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'warwatch.db'}"
    for name, value in {
        "WARWATCH_DATA_DIR": str(tmp_path), "WARWATCH_DATABASE_URL": url,
        "WARWATCH_FEEDS_FILE": str(tmp_path / "feeds.toml"),
        "WARWATCH_HTTP__CONNECT_TIMEOUT": "0.5", "WARWATCH_HTTP__READ_TIMEOUT": "0.5",
        "WARWATCH_HTTP__TOTAL_TIMEOUT": "2", "WARWATCH_HTTP__MAX_BYTES": str(MAX_BYTES),
        "WARWATCH_POLL__TASK_RETRIES": "1", "WARWATCH_POLL__TASK_RETRY_DELAY_SECONDS": "0.1",
    }.items():
        monkeypatch.setenv(name, value)
    from warwatch.flows.monitor import monitor

    summary = monitor()

    with session(url) as s:
        feeds = {f.name: f for f in s.scalars(select(Feed))}
        stored = {a.feed_id for a in s.scalars(select(Article))}
    for name in ("alpha", "beta", "gamma"):
        assert feeds[name].last_success_at is not None and feeds[name].id in stored, name
    assert feeds["slow-parse"].last_success_at is not None
    for path in HOSTILE_IN_FLOW[:-1]:
        feed = feeds[path.strip("/")]
        assert feed.consecutive_failures == 1, path
        assert re.fullmatch(FAILURES[path], feed.last_error), (path, feed.last_error)
        assert path.strip("/") in summary
    assert feeds["connect-timeout"].last_error == "connect timed out"
