"""Generated load for the load test and the speed, soak and load benchmarks: feeds, a feed server, articles.

Everything here is deterministic and written from templates for this project. Items are
short (a headline of about ten words and a sentence of about six), because encoding them with
the model is most of the cost of a large load. No two items have the same headline, so every
item is stored once, and no two are near-identical copies (their figures or words differ).

- :func:`item` and :func:`feed_xml`: item ``n`` of feed ``i``, and a feed as RSS 2.0 or Atom.
- :class:`LoadFeedServer`: serves feeds ``/feed/<i>`` on 127.0.0.1 with validators (ETag or
  Last-Modified) and ``304 Not Modified``; a feed gains items when its generation is advanced.
  It runs in a thread, or (``process=True``) in a child process so that its CPU and memory stay
  out of the measured process. It keeps no log of requests, so its memory is flat however long it runs.
- :func:`replay_lines`: JSON Lines articles for ``warwatch replay``.
- :func:`settings_env`: the ``WARWATCH_*`` variables for a throwaway data dir and a feed list.
- :func:`rss_mb`: resident memory of this process now, read from ``/proc`` (the standard library
  has no current-RSS call; ``resource`` gives only the lifetime peak).
- :func:`monitor_load` and :func:`replay_load`: the two loads of the load test and benchmark, each
  run as a child process (``warwatch run``, ``warwatch replay``) whose wall time and peak RSS
  (``os.wait4``'s usage of that child alone) are measured, and whose result is checked.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from warwatch.config.settings import FeedSpec, dump_feeds

#: Items are published from here on, item ``n`` of every feed ``n`` spacings later (a minute by default).
EPOCH = datetime(2024, 8, 12, 6, 0, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)

PLACES = (
    "Kharkiv", "Sumy", "Kupiansk", "Izium", "Pokrovsk", "Kramatorsk", "Sloviansk", "Zaporizhzhia",
    "Kherson", "Mykolaiv", "Odesa", "Dnipro", "Chernihiv", "Poltava", "Vovchansk", "Lyman", "Siversk",
    "Nikopol", "Orikhiv", "Huliaipole", "Shostka", "Okhtyrka", "Bilopillia", "Kursk", "Belgorod",
    "Bryansk", "Sudzha", "Kremenchuk", "Pavlohrad", "Kryvyi Rih", "Uman", "Vinnytsia",
)
SITES = (
    "a substation", "the rail depot", "a grain terminal", "the ferry", "a pumping station", "the hospital",
    "a school shelter", "the bus station", "a bridge", "the heating plant", "a fuel depot", "a phone mast",
    "the market", "a clinic", "the checkpoint", "a bakery", "the tram depot", "the post office",
)
HEADLINES = (
    "{Place}: crews reach {site} after {n} hours",
    "Drone debris hits {site} in {place}, {n} homes without gas",
    "{Place} reopens {site} after {n} days",
    "Strike cuts power to {site} in {place}; {n} streets dark",
    "Volunteers bring {n} generators to {site} in {place}",
    "{n} people leave {place} as shelling nears {site}",
    "{n} workers start rebuilding {site} in {place}",
    "{n}-minute alert over {place}; {site} damaged",
    "{Place} moves {site} after {n} attacks",
    "Deminers clear {n} devices near {site} in {place}",
)
SENTENCES = (
    "Work goes on through the night.",
    "No date was given for repairs.",
    "Residents were told to stay in shelters.",
    "Nobody was reported hurt.",
    "Trains in the area are delayed.",
    "Officials are still assessing the damage.",
    "Aid groups opened a heating point nearby.",
    "The site had been hit before.",
)
NUMBERS = 97  # the {n} of a headline is 2..98
_COMBINATIONS = len(HEADLINES) * len(PLACES) * len(SITES) * NUMBERS
ITEMS_PER_FEED = 1000
"""Items 0..999 of feeds 0..557 are all distinct (see :func:`item`)."""


def item(feed: int, n: int) -> tuple[str, str]:
    """Headline and one sentence of item ``n`` of feed ``feed``.

    ``feed * 1000 + n`` is scrambled by a multiplication that is one-to-one modulo the number of
    (headline, place, site, number) combinations, so the headlines of items ``n < 1000`` of feeds
    ``feed < 558`` all differ, with no serial number in the text (it would only cost tokens).
    """
    code = (feed * ITEMS_PER_FEED + n) * 7919 % _COMBINATIONS  # 7919 is prime and divides no factor
    code, headline = divmod(code, len(HEADLINES))
    code, place = divmod(code, len(PLACES))
    number, site = divmod(code, len(SITES))
    title = HEADLINES[headline].format(Place=PLACES[place], place=PLACES[place], site=SITES[site], n=2 + number)
    return title[0].upper() + title[1:], SENTENCES[(feed + n) % len(SENTENCES)]


def published(n: int, spacing: timedelta = MINUTE) -> datetime:
    """When item ``n`` (of any feed) was published."""
    return EPOCH + n * spacing


def feed_xml(feed: int, numbers: Sequence[int], base_url: str, spacing: timedelta = MINUTE) -> bytes:
    """Feed ``feed`` holding items ``numbers``, newest first: RSS 2.0, or Atom for every third feed."""
    items = [(n, *item(feed, n)) for n in reversed(numbers)]
    link = f"{base_url}/outlet/{feed}"
    if feed % 3 == 2:
        entries = "".join(
            f"<entry><id>urn:load:{feed}:{n}</id><title>{escape(title)}</title>"
            f'<link href="{link}/{n}"/><updated>{published(n, spacing).isoformat()}</updated>'
            f"<summary>{escape(text)}</summary></entry>"
            for n, title, text in items
        )
        return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>Load outlet {feed}</title><id>urn:load:{feed}</id>"
                f"<updated>{EPOCH.isoformat()}</updated>{entries}</feed>").encode()
    entries = "".join(
        f"<item><title>{escape(title)}</title><guid>load-{feed}-{n}</guid><link>{link}/{n}?utm_source=rss</link>"
        f"<pubDate>{format_datetime(published(n, spacing), usegmt=True)}</pubDate>"
        f"<description>{escape(f'<p>{text}</p>')}</description></item>"
        for n, title, text in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Load outlet {feed}</title>'
            f"<link>{link}</link>{entries}</channel></rss>").encode()


class FeedPlan:
    """What each feed holds: ``initial`` items at generation 0, ``step`` more per generation, the newest
    ``window`` of them (all by default), published ``spacing`` apart."""

    def __init__(self, initial: int, step: int, window: int | None = None, spacing: timedelta = MINUTE) -> None:
        self.initial, self.step, self.window, self.spacing = initial, step, window, spacing

    def numbers(self, generation: int) -> range:
        total = self.initial + generation * self.step
        return range(max(0, total - self.window) if self.window else 0, total)

    def total(self, generations: Sequence[int]) -> int:
        """How many distinct items the feeds have served, up to these generations."""
        return sum(self.initial + g * self.step for g in generations)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default backlog of 5 drops connections when 16 polls arrive at once


def _handler(plan: FeedPlan, generations: Sequence[int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            parts = self.path.strip("/").split("/")
            if len(parts) != 2 or parts[0] != "feed" or not parts[1].isdigit() or int(parts[1]) >= len(generations):
                self.send_error(404)
                return
            feed = int(parts[1])
            generation = generations[feed]
            # even feeds validate by ETag, odd ones by Last-Modified (one simulated hour per generation)
            etag = f'"{feed}-{generation}"' if feed % 2 == 0 else None
            modified = format_datetime(EPOCH + timedelta(hours=generation), usegmt=True) if feed % 2 else None
            fresh = (self.headers.get("If-None-Match") == etag if etag
                     else self.headers.get("If-Modified-Since") == modified)
            body = b"" if fresh else feed_xml(feed, plan.numbers(generation), f"http://{self.headers['Host']}",
                                              plan.spacing)
            self.send_response(304 if fresh else 200)
            if not fresh:
                self.send_header("Content-Type", "application/atom+xml" if feed % 3 == 2 else "application/rss+xml")
            self.send_header("ETag" if etag else "Last-Modified", etag or modified)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            pass

    return Handler


def _serve_forever(plan: FeedPlan, generations, port, ready) -> None:
    """Child-process entry point: serve until killed."""
    server = _Server(("127.0.0.1", 0), _handler(plan, generations))
    port.value = server.server_address[1]
    ready.set()
    server.serve_forever(0.05)


class LoadFeedServer:
    """``feeds`` generated feeds on 127.0.0.1 following ``plan``; ``advance`` adds a generation to some feeds."""

    def __init__(self, feeds: int, plan: FeedPlan, *, process: bool = False) -> None:
        self.plan = plan
        self._process_mode = process
        # shared memory, so that a child-process server sees the generations this process advances
        self.generations = multiprocessing.get_context("spawn").Array("i", feeds, lock=False)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._child = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, feed: int) -> str:
        return f"{self.base_url}/feed/{feed}"

    def specs(self) -> list[FeedSpec]:
        """The feed list; every fourth feed leaves its language to detection."""
        return [FeedSpec(name=f"Load outlet {i}", url=self.url(i), language=None if i % 4 == 3 else "en",
                         tags=["load"]) for i in range(len(self.generations))]

    def advance(self, feeds: Sequence[int] | None = None) -> None:
        """Give the feeds (all by default) their next generation: ``plan.step`` new items each."""
        for i in range(len(self.generations)) if feeds is None else feeds:
            self.generations[i] += 1

    def items_served(self) -> int:
        return self.plan.total(list(self.generations))

    def start(self) -> LoadFeedServer:
        if self._process_mode:
            context = multiprocessing.get_context("spawn")
            port, ready = context.Value("i", 0), context.Event()
            self._child = context.Process(target=_serve_forever, args=(self.plan, self.generations, port, ready),
                                          daemon=True)
            self._child.start()
            if not ready.wait(60):
                raise RuntimeError("the load feed server did not start")
            self.port = port.value
        else:
            self._server = _Server(("127.0.0.1", 0), _handler(self.plan, self.generations))
            self.port = self._server.server_address[1]
            self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._child is not None:
            self._child.terminate()
            self._child.join(10)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)

    def __enter__(self) -> LoadFeedServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def replay_lines(count: int, sources: int = 50) -> Iterator[str]:
    """``count`` replay articles (JSON Lines) from ``sources`` outlets, item numbers spread over the sources."""
    for k in range(count):
        feed, n = k % sources, k // sources
        title, text = item(feed, n)
        yield json.dumps({"id": f"load-{feed}-{n}", "title": title, "text": text, "source": f"Load outlet {feed}",
                          "url": f"https://outlet{feed}.example/{n}", "published": published(n).isoformat()})


def settings_env(data_dir: Path, specs: list[FeedSpec], **extra: str) -> dict[str, str]:
    """``WARWATCH_*`` variables for a fresh store in ``data_dir`` polling ``specs`` (written to feeds.toml)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "feeds.toml").write_text(dump_feeds(specs), encoding="utf-8")
    return {
        "WARWATCH_DATA_DIR": str(data_dir),
        "WARWATCH_DATABASE_URL": f"sqlite:///{data_dir / 'warwatch.db'}",
        "WARWATCH_FEEDS_FILE": str(data_dir / "feeds.toml"),
        "WARWATCH_HTTP__ALLOW_PRIVATE_ADDRESSES": "true",
        **extra,
    }


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


#: The load test's budgets: the child's wall time (start-up and model load included) and its peak RSS.
#: Measured on a shared 2-core machine (benchmarks/load.py): the cycle over 500 x 100 items took
#: 966 s (966 s of CPU) and 1,835 MB at load average 1-5, 1,431 s and 1,842 MB at 5-12; the replay of
#: 10,000 articles 270 s (251 s of CPU) and 908 MB, or 418 s and 906 MB. Encoding every item once
#: with the model is the largest part.
MONITOR_BUDGET_S, MONITOR_BUDGET_MB = 2700, 3000
REPLAY_BUDGET_S, REPLAY_BUDGET_MB = 900, 1500


@dataclass(frozen=True)
class LoadRun:
    """One load: its size, the child's wall time, CPU time and peak RSS, and what the check found wrong."""

    items: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    problems: tuple[str, ...]

    @property
    def items_per_s(self) -> float:
        return self.items / self.wall_s


def run_bounded(command: list[str], env: dict[str, str], limit_s: float,
                stdout: Path) -> tuple[float, float, float, int]:
    """Run ``command`` as a child (stdout to ``stdout``, stderr beside it); (wall s, its CPU s, its peak RSS MB,
    exit status).

    The child is killed once it has run ``limit_s`` seconds, so a load always stops by itself.
    """
    start = time.perf_counter()
    with open(stdout, "wb") as out, open(stdout.with_suffix(".err"), "wb") as err:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        killer = threading.Timer(limit_s, child.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode


def _child_env(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without warwatch settings or a Slack token, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARWATCH_") and k != "SLACK_BOT_TOKEN"}
    return {**env, **extra}


def monitor_load(tmp: Path, feeds: int, items: int, prefect_api_url: str, limit_s: float) -> LoadRun:
    """One ``warwatch run`` over ``feeds`` local feeds of ``items`` new items each, into a fresh store.

    Every load feed is muted (tag ``load``): the cycle polls, stores, groups and checks claims
    for every item, and posts nothing (tens of thousands of Slack posts would take hours at
    Slack's pace). Problems: a non-zero exit, items not stored exactly once, failed feeds,
    articles left out of a story.
    """
    from sqlalchemy import func, select

    from warwatch.store.db import engine_for, session
    from warwatch.store.models import Article, Feed

    with LoadFeedServer(feeds, FeedPlan(initial=items, step=0)) as server:
        settings = settings_env(tmp, server.specs(), WARWATCH_MUTES=json.dumps([{"tags": ["load"]}]))
        env = _child_env({**settings, "PREFECT_API_URL": prefect_api_url})
        wall, cpu, peak, status = run_bounded([sys.executable, "-m", "warwatch", "run"], env, limit_s,
                                              tmp / "run.out")
    problems = [f"warwatch run exited with {status}: {(tmp / 'run.err').read_text()[-2000:]}"] if status else []
    url = settings["WARWATCH_DATABASE_URL"]
    with session(url) as s:
        stored = s.scalar(select(func.count()).select_from(Article))
        pairs = select(Article.feed_id, Article.guid).distinct().subquery()
        distinct = s.scalar(select(func.count()).select_from(pairs))
        unassigned = s.scalar(select(func.count()).select_from(Article).where(Article.story_id.is_(None)))
        failed = s.scalars(select(Feed.name).where(Feed.last_success_at.is_(None) | Feed.last_error.is_not(None))).all()
    engine_for(url).dispose()
    if stored != feeds * items or distinct != stored:
        problems.append(f"{stored} articles stored ({distinct} distinct) for {feeds * items} items")
    if failed:
        problems.append(f"{len(failed)} feeds failed, e.g. {failed[:3]}")
    if unassigned:
        problems.append(f"{unassigned} articles in no story")
    return LoadRun(feeds * items, wall, cpu, peak, tuple(problems))


def replay_load(tmp: Path, count: int, limit_s: float) -> LoadRun:
    """``warwatch replay --json`` of ``count`` generated articles. Problems: a non-zero exit, an article
    without its one event or without a story."""
    articles = tmp / "articles.jsonl"
    articles.write_text("".join(line + "\n" for line in replay_lines(count)), encoding="utf-8")
    command = [sys.executable, "-m", "warwatch", "replay", str(articles), "--json"]
    wall, cpu, peak, status = run_bounded(command, _child_env({}), limit_s, tmp / "replay.out")
    problems = [f"warwatch replay exited with {status}: {(tmp / 'replay.err').read_text()[-2000:]}"] if status else []
    events = [json.loads(line) for line in (tmp / "replay.out").read_text(encoding="utf-8").splitlines()]
    stories = {e["id"]: e["story"] for e in events if e["event"] == "article"}
    if len(stories) != count or sum(e["event"] == "article" for e in events) != count:
        problems.append(f"{len(stories)} distinct articles in the output for {count} in the input")
    if missing := [i for i, story in stories.items() if story in (None, "None")]:
        problems.append(f"{len(missing)} articles in no story, e.g. {missing[:3]}")
    return LoadRun(count, wall, cpu, peak, tuple(problems))
