"""The monitor flow end to end under Prefect, against feeds served from 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from warwatch.config.settings import FeedSpec, dump_feeds
from warwatch.store.db import session
from warwatch.store.models import Article, Delivery, Feed, utcnow

from support.markdown import run_figures

pytestmark = pytest.mark.usefixtures("prefect_api")  # every test runs the flow under a temporary Prefect server

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{name}</title><link>https://{slug}.example/</link>
<item><title>{name} reports Russian shelling near the river crossing in Kherson</title><guid>{slug}-1</guid>
<link>https://{slug}.example/1?utm_source=rss</link><pubDate>Mon, 12 Aug 2024 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Local officials said the crossing was closed.&lt;/p&gt;</description></item>
<item><title>{name} says Ukrainian grain convoy reached the port of Odesa</title><guid>{slug}-2</guid>
<link>https://{slug}.example/2</link><pubDate>Mon, 12 Aug 2024 11:00:00 GMT</pubDate>
<description>The convoy arrived after a two-day delay.</description></item>
</channel></rss>"""


@pytest.fixture
def configure(tmp_path, monkeypatch):
    """Point warwatch at a fresh store and the given feeds; return the database URL."""
    url = f"sqlite:///{tmp_path / 'warwatch.db'}"

    def apply(specs: list[FeedSpec]) -> str:
        (tmp_path / "feeds.toml").write_text(dump_feeds(specs), encoding="utf-8")
        for name, value in {
            "WARWATCH_DATA_DIR": str(tmp_path),
            "WARWATCH_DATABASE_URL": url,
            "WARWATCH_FEEDS_FILE": str(tmp_path / "feeds.toml"),
            "WARWATCH_HTTP__READ_TIMEOUT": "1",
            "WARWATCH_HTTP__MAX_BYTES": "200000",
            "WARWATCH_POLL__TASK_RETRIES": "1",
            "WARWATCH_POLL__TASK_RETRY_DELAY_SECONDS": "0.1",
        }.items():
            monkeypatch.setenv(name, value)
        return url

    return apply


def run_monitor() -> str:
    from warwatch.flows.monitor import monitor

    return monitor()


def count(url: str, model) -> int:
    with session(url) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_second_run_sends_validators_and_changes_nothing(feed_server, configure, capsys):
    feed_server.add("/a.xml", RSS.format(name="Alpha", slug="alpha").encode(), etag='"a1"')
    feed_server.add("/b.xml", RSS.format(name="Beta", slug="beta").encode(),
                    last_modified="Mon, 12 Aug 2024 12:00:00 GMT")
    url = configure([FeedSpec(name="Alpha", url=feed_server.url("/a.xml")),
                     FeedSpec(name="Beta", url=feed_server.url("/b.xml"))])

    first = run_monitor()
    # Beta's items are copies of Alpha's but for the outlet's name: duplicates, which post nothing
    assert count(url, Article) == 4 and count(url, Delivery) == 2
    figures = run_figures(first)
    assert [figures[name] for name in ("feeds polled", "not modified", "failed", "new articles")] == [2, 0, 0, 4]
    assert [figures[name] for name in ("duplicates", "contradictions", "deliveries sent", "deliveries failed",
                                       "deliveries waiting")] == [2, 0, 2, 0, 0]
    printed = capsys.readouterr().out
    assert "reports Russian shelling near the river crossing" in printed

    second = run_monitor()
    assert feed_server.last("/a.xml").headers["if-none-match"] == '"a1"'
    assert feed_server.last("/b.xml").headers["if-modified-since"] == "Mon, 12 Aug 2024 12:00:00 GMT"
    figures = run_figures(second)
    assert [figures[name] for name in ("feeds polled", "not modified", "failed", "new articles")] == [2, 2, 0, 0]
    assert count(url, Article) == 4 and count(url, Delivery) == 2
    with session(url) as s:
        assert {d.status for d in s.scalars(select(Delivery))} == {"sent"}
        assert all(a.url.endswith(("/1", "/2")) for a in s.scalars(select(Article)))


def test_broken_feeds_are_recorded_and_never_fail_the_run(feed_server, configure, shared_dir):
    feed_server.add("/good.xml", RSS.format(name="Good", slug="good").encode())
    feed_server.add("/error.xml", b"oops", status=500, content_type="text/plain")
    feed_server.add("/slow.xml", b"late", delay=3)
    feed_server.add("/hop1", status=302, headers={"Location": "/hop2"})
    feed_server.add("/hop2", status=301, headers={"Location": "/good.xml"})
    feed_server.add("/huge.xml", b"<rss>" + b" " * 300_000 + b"</rss>")
    feed_server.add("/page.html", b"<html><body>Not a feed</body></html>", content_type="text/html")
    specs = [FeedSpec(name=p.strip("/"), url=feed_server.url(p))
             for p in ("/good.xml", "/error.xml", "/slow.xml", "/hop1", "/huge.xml", "/page.html")]
    for path in sorted((shared_dir / "eval-data" / "feeds" / "edge_cases").iterdir()):
        feed_server.add(f"/edge/{path.name}", path.read_bytes(), content_type="application/xml")
        specs.append(FeedSpec(name=path.name, url=feed_server.url(f"/edge/{path.name}")))
    url = configure(specs)

    summary = run_monitor()

    with session(url) as s:
        feeds = {f.name: f for f in s.scalars(select(Feed))}
    assert feeds["good.xml"].last_success_at and feeds["hop1"].last_success_at
    assert feed_server.count("/error.xml") == 2  # the transient 500 was retried once
    for name, error in [("error.xml", "500"), ("slow.xml", "timed out"), ("huge.xml", "larger than"),
                        ("page.html", "not an RSS/Atom feed")]:
        assert feeds[name].consecutive_failures == 1 and error in feeds[name].last_error, name
        assert name in summary
    for path in (shared_dir / "eval-data" / "feeds" / "edge_cases").iterdir():
        feed = feeds[path.name]
        assert (feed.last_success_at is None) == (feed.last_error is not None), path.name


def test_failing_feed_backs_off(feed_server, configure):
    feed_server.add("/down.xml", b"gone", status=404, content_type="text/plain")
    url = configure([FeedSpec(name="Down", url=feed_server.url("/down.xml"))])
    run_monitor()
    with session(url) as s:
        feed = s.scalars(select(Feed)).one()
        assert feed.consecutive_failures == 1
        assert feed.next_poll_at > utcnow() + timedelta(minutes=9)
    run_monitor()
    assert feed_server.count("/down.xml") == 1  # not due yet: skipped


HOSTILE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile</title><link>https://hostile.example/</link>
<item><title>&lt;!channel&gt; Breaking: missile strike on Kharkiv &lt;http://evil.example|bbc.co.uk&gt;</title><guid>h-1</guid>
<link>https://hostile.example/1</link><pubDate>Mon, 12 Aug 2024 10:00:00 GMT</pubDate>
<description>Ping &lt;!here&gt; and &lt;@U024BE7LH&gt; now.</description></item>
</channel></rss>"""


def test_stories_are_posted_to_slack_and_feed_text_cannot_ping_or_disguise_links(feed_server, configure,
                                                                                  monkeypatch):
    from warwatch.demo.slack_double import SlackDouble

    feed_server.add("/a.xml", RSS.format(name="Alpha", slug="alpha").encode())
    feed_server.add("/h.xml", HOSTILE.encode())
    configure([FeedSpec(name="Alpha", url=feed_server.url("/a.xml")),
               FeedSpec(name="<!everyone> Hostile", url=feed_server.url("/h.xml"))])
    with SlackDouble(tokens={"xoxb-flow"}) as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-flow")
        monkeypatch.setenv("WARWATCH_SLACK_CHANNEL", "#war-news")
        monkeypatch.setenv("WARWATCH_SLACK_API_URL", slack.base_url)
        monkeypatch.setenv("WARWATCH_SLACK_PACE_SECONDS", "0.01")
        run_monitor()
        posted = slack.messages("#war-news")
        everything = str([(m.text, m.blocks, [(r.text, r.blocks) for r in m.replies]) for m in posted])
    assert "Breaking" in everything and "reports Russian shelling" in everything
    for dangerous in ("<!channel>", "<!here>", "<!everyone>", "<@U024BE7LH>", "|bbc.co.uk>", "<http://evil"):
        assert dangerous not in everything


def test_token_from_a_prefect_secret_block_posts_and_is_never_printed(feed_server, configure, monkeypatch,
                                                                      capsys, caplog):
    from prefect.blocks.system import Secret

    from warwatch.demo.slack_double import SlackDouble
    from warwatch.flows.digest import digest

    secret = "xoxb-from-a-block-7f3a"
    Secret(value=secret).save("warwatch-test-token", overwrite=True)
    feed_server.add("/a.xml", RSS.format(name="Alpha", slug="alpha").encode())
    configure([FeedSpec(name="Alpha", url=feed_server.url("/a.xml"))])
    with SlackDouble(tokens={secret}) as slack:
        monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
        monkeypatch.setenv("WARWATCH_SLACK_TOKEN_BLOCK", "warwatch-test-token")
        monkeypatch.setenv("WARWATCH_SLACK_CHANNEL", "C0NEWS")
        monkeypatch.setenv("WARWATCH_SLACK_API_URL", slack.base_url)
        monkeypatch.setenv("WARWATCH_SLACK_PACE_SECONDS", "0.01")
        summary = run_monitor()
        digest()
        posted = slack.messages("C0NEWS")
    assert len(posted) == 2 and "digest" in posted[-1].text.lower()
    printed = capsys.readouterr()
    assert secret not in printed.out + printed.err + caplog.text + summary


def test_a_feed_that_keeps_failing_alerts_once_and_recovers_once(feed_server, configure, monkeypatch):
    from warwatch.demo.slack_double import SlackDouble

    feed_server.add("/flaky.xml", b"down", status=404, content_type="text/plain")
    url = configure([FeedSpec(name="Flaky outlet", url=feed_server.url("/flaky.xml"))])
    with SlackDouble(tokens={"xoxb-flow"}) as slack:
        for name, value in {"SLACK_BOT_TOKEN": "xoxb-flow", "WARWATCH_SLACK_CHANNEL": "C0NEWS",
                            "WARWATCH_SLACK_API_URL": slack.base_url, "WARWATCH_SLACK_PACE_SECONDS": "0.01",
                            "WARWATCH_ALERT_AFTER_FAILURES": "2", "WARWATCH_POLL__BACKOFF_BASE_MINUTES": "0"}.items():
            monkeypatch.setenv(name, value)
        for _ in range(4):
            run_monitor()
        feed_server.add("/flaky.xml", RSS.format(name="Flaky", slug="flaky").encode())
        run_monitor()
        run_monitor()
        texts = [m.text for m in slack.messages("C0NEWS")]
    assert feed_server.count("/flaky.xml") == 6
    assert [t for t in texts if t.startswith("Feed")] == ["Feed failing: Flaky outlet", "Feed recovered: Flaky outlet"]
    with session(url) as s:
        assert s.scalars(select(Feed)).one().consecutive_failures == 0


def test_each_run_publishes_keyed_artifacts(feed_server, configure):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    feed_server.add("/a.xml", RSS.format(name="Alpha", slug="alpha").encode())
    feed_server.add("/gone.xml", b"gone", status=410, content_type="text/plain")
    configure([FeedSpec(name="Alpha", url=feed_server.url("/a.xml")),
               FeedSpec(name="Gone outlet", url=feed_server.url("/gone.xml"))])
    run_monitor()
    with get_client(sync_client=True) as client:
        keys = ["warwatch-run-summary", "warwatch-feed-health", "warwatch-story-decisions"]
        newest_first = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)),
                                             sort=ArtifactSort.CREATED_DESC, limit=50)
        artifacts = {}
        for artifact in newest_first:
            artifacts.setdefault(artifact.key, artifact)
    assert set(keys) <= set(artifacts)
    assert "Gone outlet" in artifacts["warwatch-run-summary"].data
    assert "HTTP 410" in str(artifacts["warwatch-feed-health"].data)


def test_serve_registers_both_deployments_with_their_schedules(tmp_path, configure):
    import os
    import subprocess
    import sys
    import time

    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    configure([])
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "WARWATCH_TIMEZONE": "Europe/Kyiv",
           "WARWATCH_SCHEDULE_CRON": "*/15 * * * *", "WARWATCH_DIGEST_CRON": "30 6 * * *"}
    server = subprocess.Popen([sys.executable, "-m", "warwatch", "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        deployments = {}
        deadline = time.monotonic() + 90
        with get_client(sync_client=True) as client:
            while len(deployments) < 2 and time.monotonic() < deadline and server.poll() is None:
                time.sleep(1)
                deployments = {d.name: d for d in client.read_deployments()
                               if d.name in ("warwatch-monitor", "warwatch-digest")}
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert set(deployments) == {"warwatch-monitor", "warwatch-digest"}, stderr[-2000:]
    crons = {name: [(s.schedule.cron, s.schedule.timezone) for s in d.schedules] for name, d in deployments.items()}
    assert crons == {"warwatch-monitor": [("*/15 * * * *", "Europe/Kyiv")],
                     "warwatch-digest": [("30 6 * * *", "Europe/Kyiv")]}
    assert all(d.global_concurrency_limit and d.global_concurrency_limit.limit == 1 for d in deployments.values())
    assert {name: sorted(d.tags) for name, d in deployments.items()} == {
        "warwatch-monitor": ["monitor", "warwatch"], "warwatch-digest": ["digest", "warwatch"]}


def test_failing_runs_alert_once_and_recovery_is_announced_once(feed_server, configure, monkeypatch):
    import warwatch.tasks.stories as stories_task
    from warwatch.demo.slack_double import SlackDouble

    feed_server.add("/a.xml", RSS.format(name="Alpha", slug="alpha").encode())
    configure([FeedSpec(name="Alpha", url=feed_server.url("/a.xml"))])
    with SlackDouble(tokens={"xoxb-flow"}) as slack:
        for name, value in {"SLACK_BOT_TOKEN": "xoxb-flow", "WARWATCH_SLACK_CHANNEL": "C0NEWS",
                            "WARWATCH_SLACK_API_URL": slack.base_url, "WARWATCH_SLACK_PACE_SECONDS": "0.01"}.items():
            monkeypatch.setenv(name, value)
        with monkeypatch.context() as broken:
            broken.setattr(stories_task, "assign_stories", lambda *args, **kwargs: 1 / 0)
            for _ in range(2):
                with pytest.raises(ZeroDivisionError):
                    run_monitor()
        run_monitor()
        run_monitor()
        texts = [m.text for m in slack.messages("C0NEWS")]
    alerts = [t for t in texts if t.startswith("warwatch monitor")]
    assert alerts == ["warwatch monitor failed", "warwatch monitor recovered"]
    assert any("shelling" in t for t in texts)  # the stories stored during the failed runs went out after
