"""Credentials never leak: the Slack token (from the environment or a Prefect Secret block) and a
database password appear in no log line, artifact, exception, settings dump, stored file or CLI output.

Every path here is the real one: the monitor flow under Prefect against the Slack double (success,
a rejected token, Slack unreachable), the ``warwatch`` command as a subprocess, and delivery's errors.
"""

from __future__ import annotations

import logging
import os
import pickle
import secrets
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from warwatch.config.settings import FeedSpec, dump_feeds

TOKEN = f"xoxb-{secrets.token_hex(16)}"
BLOCK_TOKEN = f"xoxb-{secrets.token_hex(16)}"
DB_PASSWORD = f"pw{secrets.token_hex(12)}"
SECRETS = (TOKEN, BLOCK_TOKEN, DB_PASSWORD)
LOGGERS = ("", "prefect", "slack_sdk", "httpx", "httpcore", "urllib3", "warwatch", "sqlalchemy", "alembic")

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Alpha</title><link>https://alpha.example/</link>
<item><title>Alpha reports Russian shelling near the river crossing in Kherson</title><guid>alpha-1</guid>
<link>https://alpha.example/1</link><pubDate>Mon, 12 Aug 2024 10:00:00 GMT</pubDate>
<description>Local officials said 40 people were evacuated.</description></item>
</channel></rss>"""


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (a Slack that cannot be reached)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a credential leaked into {where}"


def assert_files_clean(root: Path, where: str) -> int:
    """Scan every file under ``root`` as bytes; return how many were scanned."""
    scanned = 0
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            scanned += 1
            for secret in SECRETS:
                assert secret.encode() not in data, f"a credential leaked into {where}: {path}"
    return scanned


class Capture(logging.Handler):
    """Every record of the given loggers at DEBUG, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs() -> Iterator[Capture]:
    capture = Capture()
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(capture)
    yield capture
    for logger, level in saved:
        logger.removeHandler(capture)
        logger.setLevel(level)


def exception_texts(exc: BaseException) -> str:
    """str, repr, the printed traceback (with its chain) and the pickle of ``exc`` and every chained exception."""
    parts, seen, todo = ["".join(traceback.format_exception(exc))], set(), [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        parts += [str(current), repr(current), repr(current.args)]
        try:
            parts.append(repr(pickle.dumps(current)))
        except Exception:  # noqa: BLE001 - some library exceptions cannot be pickled; then nothing can persist them
            pass
        todo += [current.__cause__, current.__context__]
    return "\n".join(parts)


# ---------------------------------------------------------------- settings, credentials, delivery errors


def test_settings_dumps_hide_the_database_password(monkeypatch):
    from warwatch.config.settings import load_settings

    url = f"postgresql+psycopg://warwatch:{DB_PASSWORD}@db.example:5432/warwatch"
    monkeypatch.setenv("WARWATCH_DATABASE_URL", url)
    monkeypatch.setenv("WARWATCH_SLACK_TOKEN_BLOCK", "warwatch-slack-token")
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    settings = load_settings()
    assert settings.db_url == url  # the store still gets the real URL
    for text in (repr(settings), str(settings), settings.model_dump_json(), str(settings.model_dump())):
        assert_clean(text, "the settings")
        assert "db.example" in text or "**" in text


def test_token_is_a_secret_until_the_client_needs_it(monkeypatch):
    from warwatch.config.settings import load_settings
    from warwatch.delivery.credentials import slack_token
    from warwatch.delivery.send import SlackSink, make_sink

    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WARWATCH_SLACK_CHANNEL", "C0NEWS")
    token = slack_token(load_settings())
    assert token.get_secret_value() == TOKEN
    sink = make_sink(load_settings())
    assert isinstance(sink, SlackSink)
    for text in (repr(token), str(token), f"{token}", repr(sink), str(vars(sink).keys())):
        assert_clean(text, "the token's text forms")


@pytest.mark.parametrize("fault", ["bad_token", "revoked", "down", "refused", "channel_gone"])
def test_delivery_errors_never_carry_the_token(fault, logs):
    from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, ServerErrorRetryHandler

    from warwatch.delivery.send import DeliveryAuthError, DeliveryFailed, SlackSink, SlackUnavailable
    from warwatch.demo.slack_double import SlackDouble

    tokens = {"xoxb-someone-else"} if fault == "bad_token" else {TOKEN}
    with SlackDouble(tokens=tokens, revoked={TOKEN} if fault == "revoked" else (), down=fault == "down") as slack:
        base = f"http://127.0.0.1:{free_port()}/api/" if fault == "refused" else slack.base_url
        sink = SlackSink(TOKEN, base, pace_seconds=0)
        for handler in sink.client.retry_handlers:  # keep the test quick: one retry is enough to exercise the path
            if isinstance(handler, (ConnectionErrorRetryHandler, ServerErrorRetryHandler)):
                handler.max_retry_count = 1
        expected = {"bad_token": DeliveryAuthError, "revoked": DeliveryAuthError, "down": SlackUnavailable,
                    "refused": SlackUnavailable, "channel_gone": DeliveryFailed}[fault]
        with pytest.raises(expected) as info:
            if fault == "channel_gone":
                sink.post("C0GONE", {"text": "hello", "blocks": []}, thread_ts=None, broadcast=False, key="k1")
            else:
                sink.check()
    assert_clean(exception_texts(info.value), f"the {fault} exception")
    assert_clean("\n".join(logs.lines), f"the logs of the {fault} case")
    assert any("slack_sdk" in line for line in logs.lines)  # slack_sdk's DEBUG request lines were captured


# ---------------------------------------------------------------- the monitor flow under Prefect


@pytest.fixture(scope="module")
def prefect_database(prefect_api) -> Path:
    """The directory of the module's Prefect API database."""
    import prefect.settings

    return Path(prefect.settings.PREFECT_SERVER_DATABASE_CONNECTION_URL.value().split("///", 1)[1]).parent


def _configure(monkeypatch, tmp_path: Path, feed_url: str, db_url: str) -> None:
    (tmp_path / "feeds.toml").write_text(dump_feeds([FeedSpec(name="Alpha", url=feed_url)]), encoding="utf-8")
    for name, value in {
        "WARWATCH_DATA_DIR": str(tmp_path),
        "WARWATCH_DATABASE_URL": db_url,
        "WARWATCH_FEEDS_FILE": str(tmp_path / "feeds.toml"),
        "WARWATCH_SLACK_CHANNEL": "C0NEWS",
        "WARWATCH_SLACK_PACE_SECONDS": "0",
        "WARWATCH_POLL__TASK_RETRIES": "0",
        "WARWATCH_HTTP__READ_TIMEOUT": "2",
    }.items():
        monkeypatch.setenv(name, value)


def _run_records(flow_run_id) -> str:
    """Everything the Prefect API holds about one flow run: the run, its task runs, logs and artifacts."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=30)
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    assert logs and artifacts and tasks, "the run left no logs, artifacts or task runs to check"
    return "\n".join([run.model_dump_json(), *(t.model_dump_json() for t in tasks),
                      *(log.model_dump_json() for log in logs), *(a.model_dump_json() for a in artifacts)])


@pytest.fixture(params=["env-token-sqlite", "block-token-postgresql"])
def scenario(request, tmp_path, monkeypatch, prefect_api) -> tuple[str, str]:
    """(token, database URL): the token from SLACK_BOT_TOKEN on SQLite, or from a Secret block on
    PostgreSQL with a password in the URL (the test server trusts local connections, so any password works)."""
    if request.param.startswith("env"):
        monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
        monkeypatch.delenv("WARWATCH_SLACK_TOKEN_BLOCK", raising=False)
        return TOKEN, f"sqlite:///{tmp_path / 'warwatch.db'}"
    from prefect.blocks.system import Secret

    server = request.getfixturevalue("postgres")
    Secret(value=BLOCK_TOKEN).save("warwatch-secrets-test", overwrite=True)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("WARWATCH_SLACK_TOKEN_BLOCK", "warwatch-secrets-test")
    url = server.new_database().replace("postgres@", f"postgres:{DB_PASSWORD}@", 1)
    return BLOCK_TOKEN, url


def test_monitor_runs_leak_no_credential(scenario, feed_server, tmp_path, monkeypatch, logs, capfd, prefect_database):
    """A good run, a run whose token Slack rejects, and a run while Slack is unreachable."""
    from warwatch.delivery.send import DeliveryAuthError
    from warwatch.demo.slack_double import SlackDouble
    from warwatch.flows.monitor import monitor

    token, db_url = scenario
    feed_server.add("/a.xml", RSS.encode())
    _configure(monkeypatch, tmp_path, feed_server.url("/a.xml"), db_url)
    records = []
    with SlackDouble(tokens={token}) as slack:
        monkeypatch.setenv("WARWATCH_SLACK_API_URL", slack.base_url)
        good = monitor(return_state=True)
        assert good.is_completed() and slack.messages("C0NEWS"), "the good run posted nothing"
        assert slack.calls[0].token == token  # the double really saw the credential we look for
        assert_clean(good.result(), "the run summary")
        records.append(_run_records(good.state_details.flow_run_id))

        feed_server.add("/a.xml", RSS.replace("alpha-1", "alpha-2").replace("example/1", "example/2").replace(
            "Alpha reports Russian shelling near the river crossing in Kherson",
            "Grain convoy reaches the port of Odesa").replace(
            "Local officials said 40 people were evacuated.", "Twelve ships left the harbour at dawn.").encode())
        slack.tokens = {"xoxb-another-workspace"}
        rejected = monitor(return_state=True)
        assert rejected.is_failed()
        with pytest.raises(DeliveryAuthError) as info:
            rejected.result()
        assert_clean(exception_texts(info.value), "the rejected run's exception")
        records.append(_run_records(rejected.state_details.flow_run_id))

    monkeypatch.setenv("WARWATCH_SLACK_API_URL", f"http://127.0.0.1:{free_port()}/api/")
    unreachable = monitor(return_state=True)
    assert unreachable.is_completed() and "waiting" in unreachable.result()
    records.append(_run_records(unreachable.state_details.flow_run_id))

    for name, text in zip(("good", "rejected", "unreachable"), records):
        assert_clean(text, f"the Prefect records of the {name} run")
    assert "delivered" in records[0]  # the task's own log line came back through the API
    joined = "\n".join(logs.lines)
    assert "slack_sdk" in joined and "warwatch" in joined
    assert_clean(joined, "the captured logs")
    printed = capfd.readouterr()
    assert_clean(printed.out + printed.err, "stdout/stderr")
    assert assert_files_clean(tmp_path, "the data directory") > 0
    assert assert_files_clean(Path(os.environ["PREFECT_HOME"]), "PREFECT_HOME") >= 0
    assert assert_files_clean(prefect_database, "the Prefect API database") > 0


# ---------------------------------------------------------------- the command line


def warwatch(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run([sys.executable, "-m", "warwatch", *args], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PREFECT_LOGGING_LEVEL": "DEBUG", "SLACK_BOT_TOKEN": TOKEN, **env})
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def test_cli_output_never_shows_the_token(feed_server, tmp_path):
    from warwatch.demo.slack_double import SlackDouble

    feed_server.add("/a.xml", RSS.encode())
    (tmp_path / "feeds.toml").write_text(dump_feeds([FeedSpec(name="Alpha", url=feed_server.url("/a.xml"))]),
                                         encoding="utf-8")
    env = {"WARWATCH_DATA_DIR": str(tmp_path), "WARWATCH_FEEDS_FILE": str(tmp_path / "feeds.toml"),
           "WARWATCH_SLACK_CHANNEL": "C0NEWS", "WARWATCH_SLACK_PACE_SECONDS": "0", "COLUMNS": "200"}
    with SlackDouble(tokens={TOKEN}) as slack:
        good = warwatch("run", env={**env, "WARWATCH_SLACK_API_URL": slack.base_url})
        posted = slack.messages("C0NEWS")
    with SlackDouble(tokens={"xoxb-another-workspace"}) as slack:
        rejected = warwatch("run", env={**env, "WARWATCH_SLACK_API_URL": slack.base_url})
    feeds = warwatch("feeds", env=env)
    assert good.startswith("exit 0") and posted, good[-2000:]
    assert rejected.startswith("exit 2") and "Slack rejected the bot token (invalid_auth)" in rejected
    assert feeds.startswith("exit 0") and "Alpha" in feeds
    for name, output in (("run", good), ("run with a rejected token", rejected), ("feeds", feeds)):
        assert_clean(output, f"`warwatch {name}`")


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://warwatch:{pw}@127.0.0.1:9/warwatch",           # nothing listens
    "postgresql+psycopg//warwatch:{pw}@127.0.0.1:9/warwatch",            # not a URL
    "postgresql+nodriver://warwatch:{pw}@127.0.0.1:9/warwatch",          # unknown driver
    "postgresql+psycopg://warwatch:{pw}@127.0.0.1:port/warwatch",        # bad port
    "postgresql+psycopg://warwatch:{pw}@127.0.0.1:9/warwatch?bogus=1",   # bad option
    "mysql://warwatch:{pw}@127.0.0.1:9/warwatch",                        # driver not installed
])
def test_bad_database_urls_are_one_line_without_the_password(tmp_path, url):
    output = warwatch("feeds", env={"WARWATCH_DATA_DIR": str(tmp_path), "WARWATCH_DATABASE_URL": url.format(pw=DB_PASSWORD)})
    status, _, stderr = output.partition("\n")
    assert status == "exit 2", output[-2000:]
    assert "Traceback" not in output and len(stderr.strip().splitlines()) == 1, output[-2000:]
    assert "database" in stderr and "***" in stderr
    assert_clean(output, "the error line")


def test_bad_config_error_shows_no_credential(tmp_path):
    output = warwatch("run", env={"WARWATCH_DATA_DIR": str(tmp_path), "WARWATCH_TIMEZONE": "Mars/Olympus",
                                  "WARWATCH_DATABASE_URL": f"postgresql+psycopg://warwatch:{DB_PASSWORD}@127.0.0.1:9/w"})
    assert output.startswith("exit 2") and "unknown timezone" in output
    assert_clean(output, "the config error")
