"""Feed URL schemes (http and https; file: only when http.allow_file_urls is set) and the body-size cap."""

from __future__ import annotations

import httpx
import pytest

from warwatch.config.settings import ConfigError, FeedSpec, load_settings
from warwatch.feeds.fetch import FetchError, TransientFetchError, fetch, make_client
from warwatch.feeds.polling import poll_feed, sync_feeds
from warwatch.store.db import session

FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>'
        b"<item><title>Convoy reached the port</title><guid>l-1</guid><link>https://local.example/1</link>"
        b"<pubDate>Mon, 12 Aug 2024 10:00:00 GMT</pubDate></item></channel></rss>")
REFUSED = ["ftp://user:hunter2@example.com/feed.xml", "data:text/xml,<rss/>", "gopher://example.com/1",
           "javascript:alert(1)", "/etc/passwd", "feed.xml", "mailto:desk@example.com"]


def _settings(monkeypatch, tmp_path, urls: list[str], **env: str):
    lines = [f'[[feed]]\nname = "feed {i}"\nurl = "{url}"\n' for i, url in enumerate(urls)]
    (tmp_path / "feeds.toml").write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("WARWATCH_FEEDS_FILE", str(tmp_path / "feeds.toml"))
    monkeypatch.setenv("WARWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return load_settings()


@pytest.mark.parametrize("url", [*REFUSED, "file:///etc/passwd"])
def test_only_http_and_https_feed_urls_load_by_default(monkeypatch, tmp_path, url):
    settings = _settings(monkeypatch, tmp_path, ["https://ok.example/rss", url])
    assert settings.http.allow_file_urls is False
    with pytest.raises(ConfigError, match="feed URL must be http or https") as info:
        settings.feeds()
    message = str(info.value)
    assert "\n" not in message and "hunter2" not in message
    if url.startswith("file:"):
        assert "http.allow_file_urls = true" in message


@pytest.mark.parametrize("url", REFUSED)
def test_allowing_files_allows_nothing_else(monkeypatch, tmp_path, url):
    settings = _settings(monkeypatch, tmp_path, [url], WARWATCH_HTTP__ALLOW_FILE_URLS="true")
    with pytest.raises(ConfigError, match="feed URL must be http or https"):
        settings.feeds()


def test_feed_spec_alone_is_http_only():
    with pytest.raises(ValueError, match="file: URLs need"):
        FeedSpec(name="x", url="file:///etc/passwd")
    assert FeedSpec(name="x", url="HTTPS://Example.org/rss").url == "HTTPS://Example.org/rss"


@pytest.fixture
def client():
    with make_client(load_settings().http) as c:
        yield c


def test_fetch_refuses_files_unless_allowed(client, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    with pytest.raises(FetchError, match="not an http"):
        fetch(client, path.as_uri(), max_bytes=10_000)
    assert fetch(client, path.as_uri(), max_bytes=10_000, allow_files=True).body == FEED
    for url in ("ftp://example.com/feed", "data:text/xml,<rss/>"):
        with pytest.raises(FetchError):
            fetch(client, url, max_bytes=10_000, allow_files=True)


def test_files_are_read_under_the_size_cap(client, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    assert len(fetch(client, path.as_uri(), max_bytes=len(FEED), allow_files=True).body) == len(FEED)
    with pytest.raises(FetchError, match=f"body larger than {len(FEED) - 1} bytes") as info:
        fetch(client, path.as_uri(), max_bytes=len(FEED) - 1, allow_files=True)
    assert not isinstance(info.value, TransientFetchError)
    with pytest.raises(FetchError, match="body larger than 4096 bytes"):  # an endless file stops at the cap
        fetch(client, "file:///dev/zero", max_bytes=4096, allow_files=True)


def test_unreadable_or_remote_file_urls_are_feed_errors(client, tmp_path):
    with pytest.raises(FetchError, match="cannot read"):
        fetch(client, (tmp_path / "missing.xml").as_uri(), max_bytes=4096, allow_files=True)
    with pytest.raises(FetchError, match="cannot read"):
        fetch(client, tmp_path.as_uri(), max_bytes=4096, allow_files=True)
    with pytest.raises(FetchError, match="local path"):
        fetch(client, "file://fileserver.example/share/feed.xml", max_bytes=4096, allow_files=True)


def _poll(settings, url: str):
    with session(settings.db_url) as s, httpx.Client() as client:
        spec = FeedSpec.model_validate({"name": "feed", "url": url}, context={"allow_file_urls": True})
        (feed_id,) = sync_feeds(s, [spec])
        s.commit()
        return poll_feed(s, client, feed_id, settings)


def test_an_allowed_file_feed_is_polled_and_stored(monkeypatch, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    settings = _settings(monkeypatch, tmp_path, [path.as_uri()], WARWATCH_HTTP__ALLOW_FILE_URLS="true")
    assert [spec.url for spec in settings.feeds()] == [path.as_uri()]
    outcome = _poll(settings, path.as_uri())
    assert outcome.status == "ok" and len(outcome.new_article_ids) == 1


def test_a_file_feed_stored_earlier_fails_once_files_are_disallowed(monkeypatch, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    settings = _settings(monkeypatch, tmp_path, [])
    outcome = _poll(settings, path.as_uri())
    assert outcome.status == "failed" and outcome.error == "not an http(s) URL"


def test_an_oversized_feed_is_a_feed_error_not_a_crash(monkeypatch, tmp_path, feed_server):
    feed_server.add("/big.xml", FEED + b"<!--" + b"x" * 5000 + b"-->", content_length=False)
    settings = _settings(monkeypatch, tmp_path, [], WARWATCH_HTTP__MAX_BYTES="4096")
    outcome = _poll(settings, feed_server.url("/big.xml"))
    assert outcome.status == "failed" and outcome.error == "body larger than 4096 bytes"
