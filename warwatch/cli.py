"""The ``warwatch`` command line."""

from __future__ import annotations

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from warwatch.config.settings import ConfigError, Settings, dump_feeds, load_settings
from warwatch.store.db import StoreError, engine_for, session

app = typer.Typer(
    name="warwatch",
    help="Watch war-news feeds, group coverage into stories, flag contradictions, tell Slack.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


class UsageError(Exception):
    """Any error a user can cause and fix; printed as one line."""


def _ready_settings() -> Settings:
    """Settings that load, a feed list that parses, a store that opens and a sink that accepts us."""
    from warwatch.delivery import make_sink

    settings = load_settings()
    settings.feeds()
    engine_for(settings.db_url)
    make_sink(settings).check()
    return settings


def _run_monitor() -> str:
    from warwatch.flows.monitor import monitor

    return monitor()


@app.command()
def run() -> None:
    """Run one monitoring cycle now: poll the feeds, group stories, deliver."""
    _ready_settings()
    out.print(Markdown(_run_monitor()))


@app.command()
def serve() -> None:
    """Serve the monitor flow on the configured cron schedule (runs until stopped)."""
    settings = _ready_settings()
    from prefect.schedules import Cron

    from warwatch.flows.monitor import monitor

    monitor.serve(
        name="warwatch-monitor",
        schedules=[Cron(settings.schedule_cron, timezone=settings.timezone)],
        pause_on_shutdown=False,
        global_limit=1,
    )


@app.command()
def feeds() -> None:
    """Show each feed's health: last success, consecutive failures, next poll."""
    from warwatch.polling import sync_feeds
    from warwatch.store.models import Feed

    settings = _ready_settings()
    with session(settings.db_url) as s:
        ids = sync_feeds(s, settings.feeds())
        s.commit()
        rows = [s.get_one(Feed, i) for i in ids]
    table = Table("feed", "last success", "failures", "next poll", "last error", title="warwatch feeds")
    for feed in rows:
        table.add_row(
            feed.name,
            _when(feed.last_success_at) or "never",
            str(feed.consecutive_failures),
            _when(feed.next_poll_at) or "next run",
            (feed.last_error or "")[:80],
        )
    out.print(table)


def _when(moment) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else None


@app.command()
def demo() -> None:
    """One cycle against bundled demo feeds and a local Slack double, in a throwaway data directory."""
    from warwatch.demo.server import DemoServer
    from warwatch.slack_double import SlackDouble

    workdir = Path(tempfile.mkdtemp(prefix="warwatch-demo-"))
    for name in ("WARWATCH_SLACK_TOKEN_BLOCK", "PREFECT_API_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    with DemoServer() as feeds_server, SlackDouble(tokens={DEMO_TOKEN}) as slack:
        os.environ.update(
            WARWATCH_DATA_DIR=str(workdir),
            WARWATCH_DATABASE_URL=f"sqlite:///{workdir / 'warwatch.db'}",
            WARWATCH_FEEDS_FILE=str(workdir / "feeds.toml"),
            WARWATCH_SLACK_CHANNEL="#war-news",
            WARWATCH_SLACK_API_URL=slack.base_url,
            SLACK_BOT_TOKEN=DEMO_TOKEN,
            PREFECT_HOME=str(workdir / "prefect"),
        )
        (workdir / "feeds.toml").write_text(dump_feeds(feeds_server.feed_specs()), encoding="utf-8")
        err.print(f"demo feeds on {feeds_server.base_url}, Slack double on {slack.base_url}, data in {workdir}")
        _ready_settings()
        with err.status("running the monitor flow (Prefect starts a temporary server)…") if err.is_terminal else nullcontext():
            summary = _run_monitor()
        slack.transcript(out)
    out.print(Markdown(summary))


DEMO_TOKEN = "xoxb-warwatch-demo"


@app.command()
def replay(
    file: str = typer.Argument("-", help="JSON Lines articles (id, title, text, source, url, published); - for stdin."),
    json_output: bool = typer.Option(False, "--json", help="One JSON event per line on stdout."),
    db: Path | None = typer.Option(None, help="SQLite file to keep the store in (default: a temporary one)."),
) -> None:
    """Replay articles in published order through the monitor's stages, offline, with no Slack."""
    from warwatch.replay import load, read_articles, replay as run_replay

    articles = read_articles(sys.stdin, "stdin") if file == "-" else load(Path(file))
    load_settings()
    with tempfile.TemporaryDirectory(prefix="warwatch-replay-") as tmp:
        url = f"sqlite:///{(db or Path(tmp) / 'replay.db').resolve()}"
        with session(url) as s:
            events = run_replay(s, articles)
            if err.is_terminal:
                from rich.progress import track

                events = track(events, total=len(articles), description="replaying", console=err)
            table = Table("id", "story", "duplicate of", title="replay")
            for event in events:
                if json_output:
                    print(event.json(), flush=False)
                else:
                    table.add_row(event.id, event.story, event.duplicate_of or "")
            if not json_output:
                out.print(table)
        engine_for(url).dispose()


USER_ERRORS: tuple[type[Exception], ...] = (ConfigError, StoreError, UsageError)


def main() -> None:
    """Entry point: user errors print one line and exit 2, never a traceback."""
    from warwatch.delivery import DeliveryAuthError
    from warwatch.replay import ReplayInputError

    try:
        app()
    except (*USER_ERRORS, ReplayInputError, DeliveryAuthError) as exc:
        print(f"warwatch: {exc}", file=sys.stderr)
        sys.exit(2)
