"""The ``warwatch`` command line."""

from __future__ import annotations

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# A first start of Prefect's temporary server migrates a new database; give a busy machine time.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")

import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path

import typer
from rich.console import Console

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


def _ready_settings_without_sink() -> Settings:
    """Settings that load, a feed list that parses and a store that opens."""
    settings = load_settings()
    settings.feeds()
    engine_for(settings.db_url)
    return settings


def _ready_settings() -> Settings:
    """Ready settings, and a delivery sink that accepts our credentials.

    A Slack that cannot be reached is not an error here: messages wait in the outbox.
    """
    from warwatch.delivery.send import SlackUnavailable, make_sink

    settings = _ready_settings_without_sink()
    try:
        make_sink(settings).check()
    except SlackUnavailable as exc:
        err.print(f"warwatch: {exc}; messages will wait in the outbox", markup=False, highlight=False, soft_wrap=True)
    return settings


def _run_monitor() -> str:
    from warwatch.flows.monitor import monitor

    return monitor()


@app.command()
def run() -> None:
    """Run one monitoring cycle now: poll the feeds, group stories, deliver."""
    from warwatch.render.terminal import summary_view

    _ready_settings()
    out.print(summary_view(_run_monitor()))


@app.command()
def serve() -> None:
    """Serve the monitor flow (schedule_cron) and the digest flow (digest_cron) until stopped.

    Schedules need a Prefect server: run `prefect server start` and set PREFECT_API_URL.
    """
    settings = _ready_settings()
    from prefect import serve as prefect_serve
    from prefect.schedules import Cron

    from warwatch.flows.digest import digest
    from warwatch.flows.monitor import monitor

    prefect_serve(
        monitor.to_deployment(name="warwatch-monitor",
                              schedules=[Cron(settings.schedule_cron, timezone=settings.timezone)],
                              concurrency_limit=1, tags=["warwatch", "monitor"]),
        digest.to_deployment(name="warwatch-digest", schedules=[Cron(settings.digest_cron, timezone=settings.timezone)],
                             concurrency_limit=1, tags=["warwatch", "digest"]),
        pause_on_shutdown=False,
    )


@app.command()
def feeds() -> None:
    """Show each feed's health (last success, consecutive failures, next poll) and its share of articles on the
    topic, so a feed that brings only noise can be dropped."""
    from warwatch.delivery.views import topic_shares
    from warwatch.feeds.polling import sync_feeds
    from warwatch.render.terminal import column, fitted_table
    from warwatch.store.models import Feed

    settings = _ready_settings_without_sink()
    with session(settings.db_url) as s:
        ids = sync_feeds(s, settings.feeds())
        s.commit()
        rows = [s.get_one(Feed, i) for i in ids]
        shares = topic_shares(s)
    table = fitted_table("feed", column("last success,\nnext poll", no_wrap=True), "on topic",
                         "failures,\nlast error", title="warwatch feeds (times in UTC)")
    for feed in rows:
        on, judged = shares.get(feed.id, (0, 0))
        error = (feed.last_error or "")[:80]
        table.add_row(
            feed.name,
            f"{_when(feed.last_success_at) or 'never'}\n{_when(feed.next_poll_at) or 'next run'}",
            f"{on} of {judged} ({on / judged:.0%})" if judged else "–",
            f"{feed.consecutive_failures}\n{error}" if error else str(feed.consecutive_failures),
        )
    out.print(table)


def _when(moment) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else None


@app.command()
def demo(
    ui: bool = typer.Option(False, "--ui", help="Run against a local Prefect server, print the run's UI address "
                                                "and keep the server running until Ctrl-C."),
) -> None:
    """One cycle against bundled demo feeds and a local Slack double, in a throwaway data directory."""
    from warwatch.demo.prefect_server import PrefectServer
    from warwatch.demo.server import DemoServer
    from warwatch.demo.slack_double import SlackDouble

    workdir = Path(tempfile.mkdtemp(prefix="warwatch-demo-"))
    for name in ("WARWATCH_SLACK_TOKEN_BLOCK", "PREFECT_API_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    with ExitStack() as stack:
        prefect_server = None
        if ui:
            with _status("starting a local Prefect server…"):
                prefect_server = stack.enter_context(PrefectServer(workdir / "prefect-server"))
            os.environ["PREFECT_API_URL"] = prefect_server.api_url
        with DemoServer() as feeds_server, SlackDouble(tokens={DEMO_TOKEN}) as slack:
            os.environ.update(
                WARWATCH_DATA_DIR=str(workdir),
                WARWATCH_DATABASE_URL=f"sqlite:///{workdir / 'warwatch.db'}",
                WARWATCH_FEEDS_FILE=str(workdir / "feeds.toml"),
                WARWATCH_HTTP__ALLOW_PRIVATE_ADDRESSES="true",
                WARWATCH_SLACK_CHANNEL="#war-news",
                WARWATCH_SLACK_API_URL=slack.base_url,
                SLACK_BOT_TOKEN=DEMO_TOKEN,
                PREFECT_HOME=str(workdir / "prefect"),
            )
            (workdir / "feeds.toml").write_text(dump_feeds(feeds_server.feed_specs()), encoding="utf-8")
            err.print(f"demo feeds on {feeds_server.base_url}, Slack double on {slack.base_url}, data in {workdir}")
            _ready_settings()
            with _status("running the monitor flow" + ("…" if ui else " (Prefect starts a temporary server)…")):
                state = _monitor_state()
                summary = state.result()
            slack.transcript(out)
        from warwatch.render.terminal import summary_view

        out.print(summary_view(summary))
        if prefect_server:
            _serve_ui(prefect_server, state.state_details.flow_run_id)


def _status(text: str):
    """A spinner on stderr when it is a terminal."""
    return err.status(text) if err.is_terminal else nullcontext()


def _monitor_state():
    """Run the monitor flow; its final state carries the summary and the flow run id."""
    from warwatch.flows.monitor import monitor

    return monitor(return_state=True)


def _serve_ui(server, flow_run_id) -> None:
    """Print the run's UI address and keep the server running until Ctrl-C."""
    out.print(f"Prefect UI: {server.flow_run_url(flow_run_id)}", soft_wrap=True, highlight=False)
    err.print("The Prefect server keeps running; press Ctrl-C to stop it.")
    try:
        server.wait()
    except KeyboardInterrupt:
        err.print("stopping the Prefect server")


DEMO_TOKEN = "xoxb-warwatch-demo"


@app.command()
def replay(
    file: str = typer.Argument("-", help="JSON Lines articles (id, title, text, source, url, published); - for stdin."),
    json_output: bool = typer.Option(False, "--json", help="One JSON event per line on stdout."),
    db: Path | None = typer.Option(None, help="SQLite file to keep the store in (default: a temporary one)."),
) -> None:
    """Replay articles in published order through the monitor's stages, offline, with no Slack."""
    from warwatch.replay import ContradictionEvent, load, read_articles
    from warwatch.replay import replay as run_replay

    articles = read_articles(sys.stdin, "stdin") if file == "-" else load(Path(file))
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="warwatch-replay-") as tmp:
        url = f"sqlite:///{(db or Path(tmp) / 'replay.db').resolve()}"
        with session(url) as s, _progress(len(articles), "grouping") as advance:
            events = run_replay(s, articles, settings, advance)
        engine_for(url).dispose()
    if json_output:
        sys.stdout.write("".join(event.json() + "\n" for event in events))
        return
    from warwatch.render.terminal import column, fitted_table

    table = fitted_table("id", column("story", no_wrap=True), "duplicate of", "contradicts", title="replay")
    for event in events:
        if isinstance(event, ContradictionEvent):
            table.add_row("", "", "", f"{event.other}: {event.explanation}")
        else:
            table.add_row(event.id, event.story, event.duplicate_of or "", "")
    out.print(table)


@contextmanager
def _progress(total: int, description: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; yields ``advance(done)``."""
    if not err.is_terminal:
        yield lambda done: None
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)


@app.command()
def pairs(
    file: str = typer.Argument("-", help="Lines of id<TAB>text_a<TAB>text_b; - for stdin."),
    json_output: bool = typer.Option(False, "--json", help="One JSON object per line on stdout."),
) -> None:
    """Score text pairs: similarity, near-duplicate decision and contradiction."""
    from warwatch.pairs.score import read_pairs, score_pairs

    settings = load_settings()
    rows = read_pairs(sys.stdin, "stdin") if file == "-" else read_pairs(_open_text(Path(file)), file)
    results = score_pairs(rows, settings.stories)
    if json_output:
        sys.stdout.write("".join(r.json() + "\n" for r in results))
        return
    from warwatch.render.terminal import column, fitted_table

    numbers = (column(header, no_wrap=True) for header in ("similarity", "duplicate", "contradiction"))
    table = fitted_table("id", *numbers, title="pairs")
    for r in results:
        table.add_row(r.id, f"{r.similarity:.3f}", "yes" if r.duplicate else "", r.kind if r.contradiction else "")
    out.print(table)


def _open_text(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None


@app.command()
def stories(
    limit: int = typer.Option(20, help="How many stories, most recently updated first."),
    story: int | None = typer.Option(None, "--story", help="Show one story's articles, why each joined and whether "
                                                           "it is on the topic."),
    everything: bool = typer.Option(False, "--all", help="List the stories off the topic too."),
) -> None:
    """List recent stories on the topic and their coverage, or explain one story."""
    from warwatch.render.terminal import story_detail, story_list

    settings = _ready_settings_without_sink()
    with session(settings.db_url) as s:
        out.print(story_detail(s, story) if story is not None else story_list(s, limit, everything))


@app.command()
def prune(
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would go and change nothing."),
) -> None:
    """Apply the retention settings now: closed stories' bodies and vectors, old sent deliveries (the monitor
    flow does this after each run)."""
    from warwatch.store.models import utcnow
    from warwatch.store.retention import prune as prune_store

    settings = _ready_settings_without_sink()
    report = prune_store(engine_for(settings.db_url), settings, utcnow(), dry_run=dry_run)
    if not settings.retention.days:
        out.print("retention.days is 0: everything is kept", markup=False, highlight=False)
        return
    out.print(f"{report.line()} (retention: {settings.retention.days:g} days)", markup=False, highlight=False)


@app.command()
def backup(
    file: Path = typer.Argument(..., help="Where to write the copy."),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
) -> None:
    """Write a consistent copy of the SQLite store to FILE; runs may go on meanwhile."""
    from warwatch.store.backup import backup as backup_store

    info = backup_store(load_settings().db_url, file, force=force)
    out.print(f"wrote {info.path} ({info.size:,} bytes, schema revision {info.revision})",
              markup=False, highlight=False, soft_wrap=True)


@app.command()
def restore(file: Path = typer.Argument(..., help="A copy written by warwatch backup.")) -> None:
    """Put the backup FILE back as the SQLite store; only while no warwatch has the store open."""
    from warwatch.store.backup import restore as restore_store

    settings = load_settings()
    was, now = restore_store(settings.db_url, file, [settings.index_file(name) for name in ("stories", "claims")])
    migrated = f", migrated to {now}" if now != was else ""
    out.print(f"restored {file} (schema revision {was}{migrated}) into {settings.db_url}",
              markup=False, highlight=False, soft_wrap=True)


USER_ERRORS: tuple[type[Exception], ...] = (ConfigError, StoreError, UsageError)


def main() -> None:
    """Entry point: user errors print one line and exit 2, never a traceback."""
    from warwatch.claims.nli import NliModelError
    from warwatch.claims.parse import ParserError
    from warwatch.delivery.send import DeliveryAuthError
    from warwatch.demo.prefect_server import PrefectServerError
    from warwatch.embedding import ModelUnavailableError
    from warwatch.pairs.model import ContradictionModelError
    from warwatch.pairs.score import PairsInputError
    from warwatch.replay import ReplayInputError
    from warwatch.store.backup import BackupError

    try:
        app()
    except (*USER_ERRORS, ReplayInputError, PairsInputError, DeliveryAuthError, ModelUnavailableError,
            PrefectServerError, NliModelError, ContradictionModelError, ParserError, BackupError) as exc:
        print(f"warwatch: {exc}", file=sys.stderr)
        sys.exit(2)
