"""The command line: help, the demo, feed health, and one-line errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from support.output import own_tracebacks


def warwatch(*args: str, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "warwatch", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_every_command_has_help():
    result = warwatch("--help")
    assert result.returncode == 0
    for command in ("run", "serve", "demo", "feeds", "replay"):
        assert command in result.stdout
        assert warwatch(command, "--help").returncode == 0


@pytest.mark.parametrize(
    "env, message",
    [
        ({"WARWATCH_CONFIG": "/nonexistent/warwatch.toml"}, "does not exist"),
        ({"WARWATCH_TIMEZONE": "Mars/Olympus"}, "unknown timezone"),
        ({"WARWATCH_HTTP__READ_TIMEOUT": "soon"}, "http.read_timeout"),
        ({"WARWATCH_FEEDS_FILE": "/nonexistent/feeds.toml"}, "cannot read feed list"),
        ({"WARWATCH_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"}, "cannot open database"),
        ({"WARWATCH_DATABASE_URL": "not a url"}, "bad database URL"),
        ({"WARWATCH_STORIES__TOPIC": "/nonexistent/topic.toml"}, "topic file /nonexistent/topic.toml not found"),
    ],
)
def test_user_errors_are_one_line_without_traceback(tmp_path, env, message):
    result = warwatch("run", env={"WARWATCH_DATA_DIR": str(tmp_path), **env})
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_bad_feed_list_is_one_line(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "x"\nurl = "file:///etc/passwd"\n', encoding="utf-8")
    result = warwatch("feeds", env={"WARWATCH_DATA_DIR": str(tmp_path), "WARWATCH_FEEDS_FILE": str(feeds)})
    assert result.returncode == 2 and "http or https" in result.stderr and "Traceback" not in result.stderr


def test_feeds_lists_the_configured_feeds(tmp_path):
    result = warwatch("feeds", env={"WARWATCH_DATA_DIR": str(tmp_path), "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "Kyiv Independent" in result.stdout and "never" in result.stdout


def test_demo_runs_offline_and_shows_the_posts():
    result = warwatch("demo", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "400,000 square miles" in result.stdout
    assert "Contradiction (quantity)" in result.stdout and "about 1,000 times the 1,000 km²" in " ".join(result.stdout.split())
    assert "Meridian Wire" in result.stdout and "warwatch monitor run" in result.stdout
    assert not own_tracebacks(result.stderr)


def test_revoked_slack_token_fails_once_clearly(tmp_path):
    from warwatch.demo.slack_double import SlackDouble

    with SlackDouble(tokens={"xoxb-old"}, revoked={"xoxb-old"}) as slack:
        result = warwatch("run", env={"WARWATCH_DATA_DIR": str(tmp_path), "SLACK_BOT_TOKEN": "xoxb-old",
                                      "WARWATCH_SLACK_CHANNEL": "#war-news", "WARWATCH_SLACK_API_URL": slack.base_url})
        calls = [c.method for c in slack.calls]
    assert result.returncode == 2
    assert result.stderr.strip() == "warwatch: Slack rejected the bot token (token_revoked)"
    assert calls == ["auth.test"] and "xoxb-old" not in result.stderr + result.stdout


def test_unreachable_slack_still_polls_and_queues(tmp_path):
    from warwatch.demo.slack_double import SlackDouble

    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    with SlackDouble(tokens={"xoxb-ok"}, down=True) as slack:
        result = warwatch("run", env={"WARWATCH_DATA_DIR": str(tmp_path), "SLACK_BOT_TOKEN": "xoxb-ok",
                                      "WARWATCH_FEEDS_FILE": str(tmp_path / "none.toml"),
                                      "WARWATCH_SLACK_CHANNEL": "C0NEWS", "WARWATCH_SLACK_API_URL": slack.base_url})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "messages will wait in the outbox" in result.stderr and not own_tracebacks(result.stderr)


def test_run_summary_and_feed_health_read_at_80_columns(tmp_path):
    from warwatch.demo.slack_double import SlackDouble

    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "Border Region Gazette (all news)"\n'
                     'url = "http://127.0.0.1:9/feeds/border-region-gazette/all-news.rss"\n', encoding="utf-8")
    env = {"WARWATCH_DATA_DIR": str(tmp_path), "WARWATCH_FEEDS_FILE": str(feeds), "COLUMNS": "80",
           "WARWATCH_HTTP__ALLOW_PRIVATE_ADDRESSES": "true", "SLACK_BOT_TOKEN": "xoxb-ok",
           "WARWATCH_SLACK_CHANNEL": "C0NEWS"}
    with SlackDouble(tokens={"xoxb-ok"}, down=True) as slack:
        run = warwatch("run", env={**env, "WARWATCH_SLACK_API_URL": slack.base_url})
    assert run.returncode == 0, run.stderr[-2000:]
    for label in ("feeds polled", "not modified", "new articles", "new stories", "coverage updates", "duplicates",
                  "off topic", "contradictions", "deliveries sent", "deliveries failed", "deliveries waiting"):
        assert label in run.stdout, run.stdout  # each on one line, none cut to "cove…"
    assert "Failed feeds" in run.stdout and "consecutive" in run.stdout
    assert "…" not in run.stdout and max(map(len, run.stdout.splitlines())) <= 80

    health = warwatch("feeds", env=env)
    assert health.returncode == 0, health.stderr[-2000:]
    header = {word.strip(",") for word in health.stdout.split("┡")[0].split("┏")[1].replace("┃", " ").split()}
    assert {"feed", "last", "success", "next", "poll", "on", "topic", "failures", "error"} <= header, header
    assert "Gazette" in health.stdout and "never" in health.stdout and "Connection refused" in health.stdout
    assert re.search(r"\b\d{4}-\d\d-\d\d \d\d:\d\d\b", health.stdout), health.stdout  # the next poll, on one line
    assert "…" not in health.stdout and max(map(len, health.stdout.splitlines())) <= 80
